"""Numerics of the path methods: quadrature rules, baselines, batched path integrals.

Along the straight path ``x(a) = x' + a (x - x')`` the first layer's pre-activation is
affine in ``a``: ``z_0(a) = (x' W_0 + b_0) + a ((x - x') W_0)``. So the path points never
go through the first matrix product; every point of a chunk goes through the rest of the
network in one batched pass, with the points stored step-major so that the quadrature
sum over steps is a single matrix-vector product.
"""

import numpy as np
from sklearn.utils import gen_batches

from sklearn import get_config

from ..network import CACHE_BYTES, HIDDEN, derivative, threaded_map

__all__ = ["PATH_BYTES", "QUADRATURES", "path_integrals", "quadrature", "resolve_baseline"]

# Bytes of intermediates per chunk of path points, per thread. Measured on the benchmark
# (IntegratedGradients, 2000 rows, 50 steps; loaded 2-core machine, ratios in one run):
# one chunk of 32 MiB at a time with BLAS's two threads 13 predicts; chunks on two
# threads of 1, 2, 4, 8, 16 and 32 MiB: 8.2, 6.3, 5.0-5.8, 4.3-5.0, 5.4 and 5.8 predicts.
PATH_BYTES = CACHE_BYTES

QUADRATURES = ("gausslegendre", "riemann_left", "riemann_right", "riemann_middle",
               "riemann_trapezoid")


def quadrature(method, n_steps):
    """Nodes in [0, 1] and weights of an ``n_steps``-point rule for integrals over [0, 1].

    The weights sum to 1, so the integral of a constant is exact for every rule (captum's
    trapezoid weights sum to ``1 - 1/n``; these are the textbook rule on ``n`` nodes).
    """
    n = n_steps
    if method == "gausslegendre":
        t, w = np.polynomial.legendre.leggauss(n)
        return (t + 1) / 2, w / 2
    if method == "riemann_trapezoid":
        if n < 2:
            raise ValueError(
                f"quadrature='riemann_trapezoid' needs n_steps >= 2 (both ends of the path); "
                f"got n_steps={n}."
            )
        w = np.full(n, 1.0 / (n - 1))
        w[[0, -1]] /= 2
        return np.linspace(0.0, 1.0, n), w
    offset = {"riemann_left": 0.0, "riemann_middle": 0.5, "riemann_right": 1.0}[method]
    return (np.arange(n) + offset) / n, np.full(n, 1.0 / n)


def _weighted_median(X, w):
    # Mean of the lower and upper weighted medians: np.median when all weights are equal,
    # and a weight of 2 counts as a duplicated row.
    order = np.argsort(X, axis=0, kind="stable")
    sorted_X = np.take_along_axis(X, order, axis=0)
    cumulative = np.cumsum(w[order], axis=0)
    half = cumulative[-1] / 2
    last = X.shape[0] - 1
    lower = np.minimum((cumulative < half).sum(axis=0), last)
    upper = np.minimum((cumulative <= half).sum(axis=0), last)
    columns = np.arange(X.shape[1])
    return (sorted_X[lower, columns] + sorted_X[upper, columns]) / 2


def resolve_baseline(baseline, X, sample_weight=None):
    """The baseline as an array of one row, or of one row per row of X."""
    n, p = X.shape
    if isinstance(baseline, str):
        if baseline == "zeros":
            return np.zeros((1, p))
        if baseline == "mean":
            return np.average(X, axis=0, weights=sample_weight)[None, :]
        if sample_weight is None:
            return np.median(X, axis=0)[None, :]
        return _weighted_median(X, np.asarray(sample_weight, dtype=float))[None, :]
    B = np.asarray(baseline, dtype=float)
    if B.ndim == 1:
        B = B[None, :]
    if B.ndim != 2 or B.shape[1] != p or B.shape[0] not in (1, n):
        raise ValueError(
            f"baseline has shape {np.shape(baseline)}; expected one row, ({p},) or "
            f"(1, {p}), or one row per sample of X, ({n}, {p})."
        )
    if not np.all(np.isfinite(B)):
        raise ValueError("baseline contains NaN or infinity.")
    return B


def _point_bytes(net, layers, by_input):
    widths = [W.shape[1] for W in net.coefs]
    k, p = net.n_outputs, net.n_features
    n_values = 2 * sum(widths) + 3 * k * max(widths + [k])
    deep = [l for l in layers if l > 0]
    if deep:
        n_values += sum(widths[: max(deep) + 1]) + k * max(widths)
        if by_input:
            n_values += 2 * p * max(widths[: max(deep) + 1]) + k * p * max(widths)
    return net.dtype.itemsize * n_values


def _derivative_in_place(a, activation):
    """Overwrite the activations ``a = f(z)`` with ``f'(z)``; None for the identity.

    The backward pass reads each layer's activations only for their derivative, so the
    array is reused instead of allocating one more of the same size.
    """
    if activation == "relu":
        return np.greater(a, 0, out=a)  # 1.0 or 0.0: a float mask multiplies fastest
    if activation == "tanh":
        np.multiply(a, a, out=a)
        return np.subtract(1, a, out=a)
    if activation == "logistic":
        return np.multiply(a, np.subtract(1, a), out=a)
    return None


def _chunk_sums(net, u, v, alphas, weights, output, deep_layers, by_input):
    """Quadrature sums over one chunk of rows and of steps.

    Returns ``D = sum_s w_s dF/dz_0(a_s)``, shape (r, k, width of z_0), where z_0 is the
    first layer's pre-activation (the logits without hidden layers), and for each layer
    l in ``deep_layers`` (all > 0) ``sum_s w_s dF/dz_l(a_s) * dz_l/da(a_s)``, shape
    (r, k, h_l), or by input ``sum_s w_s dF/dz_l(a_s) * dz_l/dx(a_s)``, (r, k, h_l, p).
    """
    s, r = len(alphas), v.shape[0]
    P, k, p = s * r, net.n_outputs, net.n_features
    act, coefs, L = net.activation, net.coefs, net.n_hidden_layers
    f = HIDDEN[act]
    Z = np.multiply(alphas[:, None, None], v[None, :, :], dtype=net.dtype)
    Z += u
    Z = Z.reshape(P, -1)
    if L == 0:
        G = net.output_jacobian(np.broadcast_to(np.eye(k, dtype=net.dtype), (P, k, k)), Z,
                                output)
        return (weights @ np.ascontiguousarray(G).reshape(s, -1)).reshape(r, k, -1), {}
    hidden = [f(Z)]
    for W, b in zip(coefs[1:-1], net.intercepts[1:-1]):
        z = hidden[-1] @ W
        z += b
        hidden.append(f(z))
    # The logits matter only through a nonlinear output activation's Jacobian.
    curved = output == "proba" and net.out_activation != "identity"
    logits = hidden[-1] @ coefs[-1] + net.intercepts[-1] if curved else None

    # Forward-mode derivatives along the path, only for the deeper conductance layers.
    tangents, jacobians = {}, {}
    top = max(deep_layers, default=0)
    if top:
        t = v[None]  # dz_0/da, the same at every step
        J = coefs[0][None] if by_input else None
        for l in range(1, top + 1):
            d = derivative(hidden[l - 1], act)
            if d is None:
                t = np.broadcast_to(t, (s, r, t.shape[-1]))
            else:
                t = d.reshape(s, r, -1) * t
            t = t.reshape(P, -1) @ coefs[l]
            tangents[l] = t
            t = t.reshape(s, r, -1)
            if by_input:
                J = (J if d is None else J * d[:, None, :]) @ coefs[l]
                jacobians[l] = J

    # Back-propagation; the activations are not needed past this point, so each becomes
    # its derivative in place.
    W_out = coefs[-1].T  # (k, width of the last hidden layer)
    d = _derivative_in_place(hidden[-1], act)
    if curved:
        G = net.output_jacobian(np.repeat(W_out[None], P, axis=0), logits, output)
        if d is not None:
            G *= d[:, None, :]
    elif d is None:
        G = np.repeat(W_out[None], P, axis=0)
    else:
        G = d[:, None, :] * W_out
    sums = {}
    for l in range(L - 1, -1, -1):
        if l < L - 1:
            G = (G.reshape(P * k, -1) @ coefs[l + 1].T).reshape(P, k, -1)
            d = _derivative_in_place(hidden[l], act)
            if d is not None:
                G *= d[:, None, :]
        if l in deep_layers:
            if by_input:
                J = np.broadcast_to(jacobians[l], (P,) + jacobians[l].shape[1:])
                sums[l] = np.einsum("s,srkj,srij->rkji", weights, G.reshape(s, r, k, -1),
                                    J.reshape(s, r, p, -1), optimize=True)
            else:
                flow = G * tangents[l][:, None, :]
                sums[l] = (weights @ flow.reshape(s, -1)).reshape(r, k, -1)
    D = (weights @ G.reshape(s, -1)).reshape(r, k, -1)
    return D, sums


def _chunks(net, n, s, layers, by_input):
    """The work items ``(rows, steps)``: chunks of rows, and of steps when one row's path
    is longer than a chunk, each about ``PATH_BYTES`` of intermediates (half of
    scikit-learn's ``working_memory`` if that is smaller: two threads hold one each).
    The chunks do not depend on the number of threads, so neither do the numbers."""
    budget = min(PATH_BYTES, get_config()["working_memory"] * 2**20 / 2)
    points = max(int(budget // _point_bytes(net, layers, by_input)), 1)
    row_chunk, step_chunk = (min(points // s, n), s) if points >= s else (1, points)
    return [(rows, steps) for rows in gen_batches(n, max(row_chunk, 1))
            for steps in gen_batches(s, step_chunk)]


def path_integrals(net, X, B, alphas, weights, output, layers=(), by_input=False):
    """Yield ``(rows, ig, conductances)`` over chunks of the rows of X.

    ``ig`` has shape (r, k, p): ``(x_i - x'_i) sum_s w_s dF_k/dx_i(x(a_s))``.
    ``conductances`` maps each layer in ``layers`` to ``sum_s w_s dF/dz_l . dz_l/da``,
    shape (r, k, h_l), or with ``by_input`` to the flow from each input,
    ``(x_i - x'_i) sum_s w_s dF/dz_l * dz_l/dx_i``, shape (r, k, h_l, p).

    The chunks of path points (``_chunks``) are computed by as many threads as BLAS
    would use, each with single-threaded BLAS (``threaded_map``): a chunk's arrays stay
    in the cache, and the elementwise passes run on every core. The chunks do not depend
    on the number of threads, and chunking only changes the order of the additions.
    """
    n = X.shape[0]
    s = len(alphas)
    deep = [l for l in layers if l > 0]
    W0, b0 = net.coefs[0], net.intercepts[0]
    shared = B.shape[0] == 1
    u_shared = B.astype(net.dtype) @ W0 + b0 if shared else None

    def work(item):
        rows, steps = item
        Br = B if shared else B[rows]
        dx = np.asarray(X[rows] - Br, dtype=net.dtype)
        u = u_shared if shared else Br.astype(net.dtype) @ W0 + b0
        v = dx @ W0
        D, sums = _chunk_sums(net, u, v, alphas[steps], weights[steps], output, deep,
                              by_input)
        return dx, v, D, sums

    D, sums = 0, {}
    items = _chunks(net, n, s, layers, by_input)
    for (rows, steps), (dx, v, D_part, part) in zip(items, threaded_map(work, items)):
        D = D + D_part
        sums = {l: sums.get(l, 0) + part[l] for l in part}
        if steps.stop < s:
            continue
        ig = (D @ W0.T) * dx[:, None, :]
        conductances = {}
        for l in layers:
            if l > 0:
                conductances[l] = sums[l] * dx[:, None, None, :] if by_input else sums[l]
            elif by_input:
                conductances[l] = D[:, :, :, None] * W0.T[None, None] * dx[:, None, None, :]
            else:
                conductances[l] = D * v[:, None, :]
        yield rows, ig, conductances
        D, sums = 0, {}

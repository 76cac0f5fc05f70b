"""Numerics of the path methods: quadrature rules, baselines, batched path integrals.

Along the straight path ``x(a) = x' + a (x - x')`` the first layer's pre-activation is
affine in ``a``: ``z_0(a) = (x' W_0 + b_0) + a ((x - x') W_0)``. So the path points never
go through the first matrix product; every point of a chunk goes through the rest of the
network in one batched pass, with the points stored step-major so that the quadrature
sum over steps is a single matrix-vector product.
"""

import numpy as np
from sklearn.utils import gen_batches

from ..network import chunk_rows, derivative, multiply_by_derivative

__all__ = ["PATH_BYTES", "QUADRATURES", "path_integrals", "quadrature", "resolve_baseline"]

# Bytes of intermediates per chunk of path points. Larger than the gradient's 8 MiB: the
# path methods' matrix products are bigger and use both BLAS threads better (measured on
# the benchmark: Conductance(layer="all") 12.9 -> 10.7 predicts, IG 7.7 -> 7.2).
PATH_BYTES = 32 * 2**20

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


def _chunk_sums(net, u, v, alphas, weights, output, deep_layers, by_input):
    """Quadrature sums over one chunk of rows and of steps.

    Returns ``D = sum_s w_s dF/dz_0(a_s)``, shape (r, k, width of z_0), where z_0 is the
    first layer's pre-activation (the logits without hidden layers), and for each layer
    l in ``deep_layers`` (all > 0) ``sum_s w_s dF/dz_l(a_s) * dz_l/da(a_s)``, shape
    (r, k, h_l), or by input ``sum_s w_s dF/dz_l(a_s) * dz_l/dx(a_s)``, (r, k, h_l, p).
    """
    s, r = len(alphas), v.shape[0]
    P, k, p = s * r, net.n_outputs, net.n_features
    act, coefs = net.activation, net.coefs
    Z = np.multiply(alphas[:, None, None], v[None, :, :], dtype=net.dtype)
    Z += u
    hidden, logits = net.forward_from(Z.reshape(P, -1))
    L = net.n_hidden_layers

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

    G = np.broadcast_to(coefs[-1].T if L else np.eye(k, dtype=net.dtype),
                        (P, k, coefs[-1].shape[0] if L else k))
    G = net.output_jacobian(G, logits, output)
    sums = {}
    for l in range(L - 1, -1, -1):
        if l == L - 1:
            d = derivative(hidden[l], act)
            G = np.array(G) if d is None else G * d[:, None, :]
        else:
            G = (G.reshape(P * k, -1) @ coefs[l + 1].T).reshape(P, k, -1)
            multiply_by_derivative(G, hidden[l][:, None, :], act)
        if l in deep_layers:
            if by_input:
                J = np.broadcast_to(jacobians[l], (P,) + jacobians[l].shape[1:])
                sums[l] = np.einsum("s,srkj,srij->rkji", weights, G.reshape(s, r, k, -1),
                                    J.reshape(s, r, p, -1), optimize=True)
            else:
                flow = G * tangents[l][:, None, :]
                sums[l] = (weights @ flow.reshape(s, -1)).reshape(r, k, -1)
    D = (weights @ np.ascontiguousarray(G).reshape(s, -1)).reshape(r, k, -1)
    return D, sums


def path_integrals(net, X, B, alphas, weights, output, layers=(), by_input=False):
    """Yield ``(rows, ig, conductances)`` over chunks of the rows of X.

    ``ig`` has shape (r, k, p): ``(x_i - x'_i) sum_s w_s dF_k/dx_i(x(a_s))``.
    ``conductances`` maps each layer in ``layers`` to ``sum_s w_s dF/dz_l . dz_l/da``,
    shape (r, k, h_l), or with ``by_input`` to the flow from each input,
    ``(x_i - x'_i) sum_s w_s dF/dz_l * dz_l/dx_i``, shape (r, k, h_l, p).

    Chunks hold about as many path points as fit scikit-learn's ``working_memory`` (at
    most 32 MiB); when one row's path is longer than that, its steps are split too.
    Chunking only changes the order of the additions.
    """
    n = X.shape[0]
    s = len(alphas)
    points = chunk_rows(_point_bytes(net, layers, by_input), n * len(alphas), PATH_BYTES)
    row_chunk, step_chunk = (points // s, s) if points >= s else (1, points)
    deep = [l for l in layers if l > 0]
    W0, b0 = net.coefs[0], net.intercepts[0]
    shared = B.shape[0] == 1
    if shared:
        u_shared = B.astype(net.dtype) @ W0 + b0
    for rows in gen_batches(n, row_chunk):
        Br = B if shared else B[rows]
        dx = np.asarray(X[rows] - Br, dtype=net.dtype)
        u = u_shared if shared else Br.astype(net.dtype) @ W0 + b0
        v = dx @ W0
        D, sums = 0, {}
        for steps in gen_batches(s, step_chunk):
            D_part, part = _chunk_sums(net, u, v, alphas[steps], weights[steps], output,
                                       deep, by_input)
            D = D + D_part
            sums = {l: sums.get(l, 0) + part[l] for l in part}
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

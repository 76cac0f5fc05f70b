"""Exact integrated gradients of piecewise-linear networks: the path's linear pieces.

With ReLU (or identity) hidden units, the network is linear between the points where
the straight path ``x(t) = x' + t (x - x')`` makes a hidden unit change sign. The first
layer's pre-activation is affine in t, so its sign changes are roots of lines; a later
layer's pre-activation is affine between the breakpoints of the layers before it, so its
sign changes are found piece by piece. On each piece the gradient of the logits is
constant, and the integral of the output activation's derivative has a closed form
(``(f(z_b) - f(z_a)) / (z_b - z_a)`` per unit of t for an elementwise ``f``), so the
integral is a finite sum and completeness holds to rounding.

Rows are processed in chunks; the breakpoints of a chunk are kept flat, as
(row, t) pairs sorted by row then t, so that every layer's pass over them is one matrix
product whatever the number of pieces of each row.
"""

import numpy as np
from sklearn.utils import gen_batches

from sklearn import get_config

from ..network import OUTPUT, multiply_by_derivative, threaded_chunks

__all__ = ["check_exact", "exact_path_integrals"]

# Rows per chunk are chosen as if each path had as many pieces as the first layer has
# units (measured: 80 on average, 103 at most, for 128 units on the benchmark network);
# more pieces only make a chunk's arrays larger, never the numbers different.
_PIECES_PER_UNIT = 1

# Bytes of intermediates per chunk of rows, per thread (half of scikit-learn's
# working_memory if that is smaller). Larger than the quadrature's: each chunk pays the
# sorts of its breakpoints once.
EXACT_BYTES = 8 * 2**20

# Below this change of an output logit over a piece, the closed form (f(b) - f(a)) / (b - a)
# cancels: the piece's midpoint derivative is then exact to about its square.
_SMALL_STEP = 1e-8


def check_exact(net, output):
    """Raise a clear error when the path is not piecewise linear, or the output
    activation's integral has no closed form per unit."""
    if net.activation not in ("relu", "identity"):
        raise ValueError(
            f"quadrature='exact' needs piecewise-linear hidden units (relu or identity); "
            f"this network's are {net.activation!r}, whose path has no linear pieces. Use "
            "quadrature='gausslegendre', which is exact to rounding for smooth networks.")
    if output == "proba" and net.out_activation == "softmax":
        raise ValueError(
            "quadrature='exact' with output='proba' cannot integrate a softmax exactly "
            "(it mixes the outputs); use output='logit', or a quadrature rule.")


def _breakpoints(net, u, v):
    """Sorted (row, t) of the path's breakpoints in [0, 1], ends included."""
    r, h = v.shape
    rows = np.repeat(np.arange(r), 2)
    ts = np.tile([0.0, 1.0], r)
    if net.activation == "relu":
        with np.errstate(divide="ignore", invalid="ignore"):
            roots = -u / v  # u and v broadcast: (1 or r, h) and (r, h)
        inside = (roots > 0) & (roots < 1)
        rows = np.concatenate([rows, np.nonzero(inside)[0]])
        ts = np.concatenate([ts, roots[inside]])
    order = np.lexsort((ts, rows))
    rows, ts = rows[order], ts[order]
    if net.activation != "relu":
        return rows, ts
    a = None
    for layer in range(1, net.n_hidden_layers):
        # The pre-activation of this layer at the breakpoints found so far: affine in t
        # between two of them, so it changes sign there only at one root per unit.
        Z = u[rows if u.shape[0] > 1 else 0] + ts[:, None] * v[rows]
        a = np.maximum(Z, 0, out=Z)
        for W, b in zip(net.coefs[1:layer], net.intercepts[1:layer]):
            a = np.maximum(a @ W + b, 0)
        z = a @ net.coefs[layer] + net.intercepts[layer]
        za, zb = z[:-1], z[1:]
        same = (rows[1:] == rows[:-1])[:, None]
        crossing = same & (((za < 0) & (zb > 0)) | ((za > 0) & (zb < 0)))
        piece, unit = np.nonzero(crossing)
        if piece.size:
            fa, fb = za[piece, unit], zb[piece, unit]
            t_new = ts[piece] + (ts[piece + 1] - ts[piece]) * (fa / (fa - fb))
            rows = np.concatenate([rows, rows[piece]])
            ts = np.concatenate([ts, t_new])
            order = np.lexsort((ts, rows))
            rows, ts = rows[order], ts[order]
    return rows, ts


def _piece_gradients(net, Z, output):
    """dlogits/dz_0 at the pieces' midpoints (first-layer pre-activations Z), shape
    (P, k, h), and the logits there."""
    hidden, logits = net.forward_from(Z.copy(), 0)
    P, k = Z.shape[0], net.n_outputs
    if net.n_hidden_layers == 0:
        return np.broadcast_to(np.eye(k), (P, k, k)), logits
    G = np.repeat(net.coefs[-1].T[None], P, axis=0)
    for layer in range(net.n_hidden_layers - 1, -1, -1):
        if layer < net.n_hidden_layers - 1:
            G = (G.reshape(P * k, -1) @ net.coefs[layer + 1].T).reshape(P, k, -1)
        multiply_by_derivative(G, hidden[layer][:, None, :], net.activation)
    return G, logits


def _output_weights(net, output, logits_a, logits_b, logits_mid, width):
    """Integral over each piece of the output activation's derivative, shape (P, k)."""
    if output == "logit" or net.out_activation == "identity":
        return np.broadcast_to(width[:, None], logits_mid.shape)
    f = OUTPUT[net.out_activation]
    step = logits_b - logits_a
    small = np.abs(step) < _SMALL_STEP
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = (f(logits_b) - f(logits_a)) / step * width[:, None]
    if net.out_activation == "exp":
        slope = np.exp(logits_mid)
    else:  # logistic
        s = f(logits_mid)
        slope = s * (1 - s)
    return np.where(small, slope * width[:, None], ratio)


def _chunk_integrals(net, dx, u, output):
    """``sum over the pieces of width * dF/dz_0`` for one chunk of rows, (r, k, h_0)."""
    v = dx @ net.coefs[0]
    shared = u.shape[0] == 1
    owner, ts = _breakpoints(net, u, v)
    same = owner[1:] == owner[:-1]
    piece_row = owner[:-1][same]
    ta, tb = ts[:-1][same], ts[1:][same]
    width = tb - ta
    ur = u if shared else u[piece_row]
    mid = ur + ((ta + tb) / 2)[:, None] * v[piece_row]
    G, logits_mid = _piece_gradients(net, mid, output)
    weights = width[:, None] * np.ones(net.n_outputs)
    if output == "proba" and net.out_activation != "identity":
        # The logits are affine on a piece: their values at its ends, from the
        # midpoint and the constant gradient along the path.
        slope = np.einsum("pkh,ph->pk", G, v[piece_row])
        half = (width / 2)[:, None] * slope
        weights = _output_weights(net, output, logits_mid - half, logits_mid + half,
                                  logits_mid, width)
    # Every row has at least one piece and its pieces are contiguous: one sum each.
    starts = np.flatnonzero(np.r_[True, piece_row[1:] != piece_row[:-1]])
    return np.add.reduceat(G * weights[:, :, None], starts, axis=0)


def exact_path_integrals(net, X, B, output):
    """Yield ``(rows, ig, {})`` over chunks of rows: exact integrated gradients.

    ``ig`` has shape (r, k, p), ``(x_i - x'_i) integral_0^1 dF_k/dx_i(x(t)) dt``, the
    integral being the sum over the path's linear pieces (see the module docstring).
    The chunks are computed by as many threads as BLAS would use (``threaded_chunks``),
    each with single-threaded BLAS; they do not depend on the number of threads.
    """
    n = X.shape[0]
    W0, b0 = net.coefs[0], net.intercepts[0]
    widths = [W.shape[1] for W in net.coefs]
    row_bytes = net.dtype.itemsize * _PIECES_PER_UNIT * widths[0] * (
        3 * sum(widths) + 2 * net.n_outputs * max(widths))
    budget = min(EXACT_BYTES, get_config()["working_memory"] * 2**20 / 2)
    shared = B.shape[0] == 1
    u_shared = B.astype(net.dtype) @ W0 + b0 if shared else None

    def work(rows):
        Br = B if shared else B[rows]
        dx = np.asarray(X[rows] - Br, dtype=net.dtype)
        u = u_shared if shared else Br.astype(net.dtype) @ W0 + b0
        D = _chunk_integrals(net, dx, u, output)
        return (D.reshape(-1, D.shape[2]) @ W0.T).reshape(len(dx), net.n_outputs, -1) * \
            dx[:, None, :]

    chunks = gen_batches(n, max(min(int(budget // row_bytes), n), 1))
    for rows, ig in threaded_chunks(work, chunks):
        yield rows, ig, {}

"""Exact per-row Hessians of a network's outputs with respect to its inputs.

The Hessian of a composition of linear maps and elementwise activations is a sum over
the nonlinear nodes: each unit of hidden layer ``l`` contributes
``(dF/da_lu) f''(z_lu) (grad z_lu)(grad z_lu)^T``, and the output activation ``g``
contributes ``J_o^T (d2 g_k / do do) J_o`` with ``J_o`` the Jacobian of the logits. The
gradients of the pre-activations (the forward tangents) are pushed through the layers
for all input directions at once: along input ``i`` the first layer's tangent is
``W1[i]``, the same for every row, so the first layer's term is one matrix product for
a whole chunk of rows. The adjoints ``dF/da_l`` come from one backward pass. Linear
layers have no curvature, so ReLU and identity hidden units contribute nothing (their
second derivative is zero almost everywhere) and only the output activation's curvature
is left: zero for an identity output.

Everything is computed in chunks of rows (``chunk_rows``), so memory stays bounded.
"""

import numpy as np
from sklearn.utils import gen_batches

from ._core import _logistic, _softmax, chunk_rows, derivative
from ._threads import threaded_chunks

__all__ = ["direction_matrix", "hessian_batches", "hessian_row_bytes", "hessian_summary",
           "row_summary", "second_derivative", "threaded_chunks"]

_SMOOTH = ("logistic", "tanh")


def second_derivative(a, activation):
    """f''(z) in terms of the activation a = f(z); None where it is zero (a.e.).

    >>> second_derivative(np.array([0.0, 0.5]), "tanh").tolist()
    [-0.0, -0.75]
    """
    if activation == "logistic":
        return a * (1 - a) * (1 - 2 * a)
    if activation == "tanh":
        return -2 * a * (1 - a * a)
    return None  # identity, relu: piecewise linear


def direction_matrix(n_inputs, entries=None, scale=None):
    """The ``(n_inputs, E)`` matrix whose columns are the directions of the entries.

    Column ``a`` has ``scale[i]`` (1 without ``scale``) at each network input ``i`` of
    ``entries[a]`` and 0 elsewhere, so that ``D^T H D`` holds the block sums of
    ``diag(scale) H diag(scale)``.

    >>> direction_matrix(3, [np.array([0]), np.array([1, 2])], np.array([2.0, 1.0, 3.0]))
    array([[2., 0.],
           [0., 1.],
           [0., 3.]])
    """
    s = np.ones(n_inputs) if scale is None else np.asarray(scale, dtype=float)
    if entries is None:
        return np.diag(s)
    D = np.zeros((n_inputs, len(entries)))
    for a, cols in enumerate(entries):
        cols = np.asarray(cols, dtype=int)
        D[cols, a] = s[cols]
    return D


def hessian_row_bytes(net, n_directions):
    """Bytes of intermediates per row of one chunk of :func:`hessian_batches`."""
    widths = [W.shape[1] for W in net.coefs]
    E, k = n_directions, net.n_outputs
    return net.dtype.itemsize * (2 * E * sum(widths) + 3 * k * E * (E + max(widths))
                                 + 4 * sum(widths))


def _output_curvature(H, T_out, logits, out_activation):
    """H += J_o^T (d2 g_k / do do) J_o, with T_out (r, E, k) the tangents of the logits."""
    if out_activation == "identity":
        return
    if out_activation in ("logistic", "exp"):
        if out_activation == "logistic":
            s = _logistic(logits)
            g2 = s * (1 - s) * (1 - 2 * s)
        else:
            g2 = np.exp(logits)
        H += np.einsum("rk,rek,rfk->rkef", g2, T_out, T_out, optimize=True)
        return
    # softmax: d2 P_k / do_m do_m' = P_k (d_km d_km' - d_km P_m' - d_km' P_m
    #                                      + 2 P_m P_m' - d_mm' P_m)
    P = _softmax(logits)
    u = np.einsum("rm,rem->re", P, T_out)
    V = np.einsum("rm,rem,rfm->ref", P, T_out, T_out, optimize=True)
    Tk = T_out.transpose(0, 2, 1)  # (r, k, E)
    inner = (Tk[:, :, :, None] * Tk[:, :, None, :]
             - Tk[:, :, :, None] * u[:, None, None, :]
             - u[:, None, :, None] * Tk[:, :, None, :])
    inner += (2 * u[:, :, None] * u[:, None, :] - V)[:, None]
    H += P[:, :, None, None] * inner


def _output_adjoint(net, logits, output):
    """dF_k / dlogits_m, shape (r, k, k); None for the identity."""
    if output == "logit" or net.out_activation == "identity":
        return None
    if net.out_activation == "logistic":
        s = _logistic(logits)
        d = s * (1 - s)
    elif net.out_activation == "exp":
        d = np.exp(logits)
    else:
        P = _softmax(logits)
        return P[:, :, None] * (np.eye(P.shape[1])[None] - P[:, None, :])
    r, k = d.shape
    out = np.zeros((r, k, k))
    out[:, np.arange(k), np.arange(k)] = d
    return out


def _chunk_hessian(net, X, output, D, first):
    """Hessians of one chunk of rows along the directions D: shape (r, k, E, E).

    ``first`` holds the first layer's tangent ``T = D^T W1`` (E, h1), the products
    ``T[a, u] T[b, u]`` of the pairs a <= b as (h1, pairs), and where those pairs (and
    their mirror images b > a) go in a flattened (E, E) matrix: the same for every row.
    """
    first_tangent, first_outer, first_pairs = first
    r, k, E = X.shape[0], net.n_outputs, D.shape[1]
    n_h = net.n_hidden_layers
    z = X @ net.coefs[0]
    z += net.intercepts[0]
    hidden, logits = net.forward_from(z, 0)
    H = np.zeros((r, k, E, E), dtype=np.result_type(net.dtype, float))
    smooth = net.activation in _SMOOTH and n_h > 0
    need_output = output == "proba" and net.out_activation != "identity"
    if not smooth and not need_output:
        return H

    if n_h == 0:
        T_out = np.broadcast_to(first_tangent[None], (r, E, k))
    elif not smooth:
        # Piecewise-linear hidden units: the logits' tangents are their gradient.
        J = net.input_gradients(X, output="logit")  # (r, k, p)
        T_out = np.einsum("rkp,pe->rek", J, D, optimize=True)
    else:
        # Forward tangents of the pre-activations, all directions at once.
        tangents = [None]  # layer 0's is first_tangent, shared by all rows
        T = first_tangent[None] * derivative(hidden[0], net.activation)[:, None, :]
        for layer in range(1, n_h + 1):
            T = (T.reshape(r * E, -1) @ net.coefs[layer]).reshape(r, E, -1)
            if layer < n_h:
                tangents.append(T)
                T = T * derivative(hidden[layer], net.activation)[:, None, :]
        T_out = T  # (r, E, k)

        # Backward pass: adj = dF_k / da_l, then each hidden layer's curvature term.
        G = _output_adjoint(net, logits, output)
        W_out = net.coefs[n_h]
        adj = (np.broadcast_to(W_out.T[None], (r, k, W_out.shape[0])) if G is None
               else G @ W_out.T)
        for layer in range(n_h - 1, -1, -1):
            a = hidden[layer]
            c = adj * second_derivative(a, net.activation)[:, None, :]  # (r, k, h)
            if layer == 0:
                # Symmetric: only the pairs a <= b, then mirrored.
                upper, lower, mirrored = first_pairs
                pairs = c.reshape(r * k, -1) @ first_outer
                flat = H.reshape(r * k, E * E)
                flat[:, upper] += pairs
                flat[:, lower] += pairs[:, mirrored]
            else:
                Tl = tangents[layer]  # (r, E, h)
                weighted = Tl[:, None, :, :] * c[:, :, None, :]  # (r, k, E, h)
                H += weighted @ Tl.transpose(0, 2, 1)[:, None]
                adj = (adj * derivative(a, net.activation)[:, None, :]) @ net.coefs[layer].T
    if need_output:
        _output_curvature(H, T_out, logits, net.out_activation)
    return H


def hessian_batches(net, X, output="proba", *, entries=None, scale=None, n_jobs=None):
    """Yield ``(rows, H)`` over chunks of rows: the exact Hessians of the outputs.

    ``H[r, k, a, b] = d2 F_k / dx_a dx_b`` at each row of the chunk, for the network
    inputs ``a, b``; with ``scale``, the inputs are measured in its units (``scale_a
    scale_b d2F/dx_a dx_b``); with ``entries`` (a list of arrays of network inputs),
    each row's matrix is summed over the blocks of each pair of entries (the second
    derivative along moving all the inputs of an entry together), ``M^T H M``.

    Parameters
    ----------
    net : Network
    X : ndarray of shape (n_samples, n_inputs)
    output : {"proba", "logit"}, default="proba"
        Differentiate the output after the output activation (identity, logistic,
        softmax, exp), or the logits before it.
    entries : list of ndarray, default=None
        The network inputs of each entry; None: one entry per input.
    scale : ndarray of shape (n_inputs,), default=None
        Unit of each input (e.g. its standard deviation); None: 1.
    n_jobs : int, default=None
        Threads sharing the chunks (None: as many as BLAS uses); see
        :func:`threaded_chunks`. The numbers do not depend on it.

    Yields
    ------
    rows : slice
    H : ndarray of shape (n_rows, n_outputs, E, E)
        Symmetric in its last two axes. A chunk's intermediates take about
        ``CACHE_BYTES`` (or scikit-learn's ``working_memory``, if smaller).

    Examples
    --------
    >>> import numpy as np
    >>> from skimportance.network import Network
    >>> from skimportance.network import hessian_batches
    >>> net = Network([np.array([[1.0], [2.0]]), np.array([[1.0]])],
    ...               [np.zeros(1), np.zeros(1)], "tanh", "identity")
    >>> rows, H = next(hessian_batches(net, np.array([[0.5, 0.0]])))
    >>> H[0, 0].round(3)  # f = tanh(x0 + 2 x1): H = tanh''(0.5) [[1, 2], [2, 4]]
    array([[-0.727, -1.454],
           [-1.454, -2.907]])
    """
    X = np.asarray(X, dtype=net.dtype)
    n, p = X.shape
    D = direction_matrix(p, entries, scale).astype(net.dtype, copy=False)
    first_tangent = D.T @ net.coefs[0]  # (E, h1)
    E = D.shape[1]
    a, b = np.triu_indices(E)
    first_outer = (first_tangent[a] * first_tangent[b]).T.copy()  # (h1, pairs a <= b)
    off = np.flatnonzero(a != b)
    first_pairs = (a * E + b, b[off] * E + a[off], off)
    step = chunk_rows(hessian_row_bytes(net, E), n)
    first = (first_tangent, first_outer, first_pairs)
    yield from threaded_chunks(lambda rows: _chunk_hessian(net, X[rows], output, D, first),
                               gen_batches(n, step), n_jobs)


def row_summary(batches, n_rows, sample_weight=None, ddof=0):
    """Weighted mean, std, rms, mean of ``|v|`` and max of ``|v|`` over rows, in one pass.

    Parameters
    ----------
    batches : iterable of (rows, values)
        ``values[i]`` belongs to row ``rows[i]`` of the data (slices or index arrays).
    n_rows : int
    sample_weight : ndarray of shape (n_rows,), default=None
        Frequency weights: an integer weight counts as that many copies of the row.
    ddof : int, default=0
        ``std = sqrt(sum w (v - mean)^2 / (sum w - ddof))``: 0 is the population
        standard deviation (as :class:`~skimportance.methods.Gradient`'s), 1 R's
        ``sd`` (NeuralSens' ``std``). The chunks are merged with Chan et al.'s
        pairwise update.

    Returns
    -------
    summary : dict of ndarray
        ``"mean"``, ``"std"``, ``"rms"``, ``"mean_abs"``, ``"max_abs"`` (unweighted,
        over rows of nonzero weight), each of the shape of one row's values.

    Examples
    --------
    >>> v = np.array([[1.0], [2.0], [4.0]])
    >>> s = row_summary([(slice(0, 2), v[:2]), (slice(2, 3), v[2:])], 3, ddof=1)
    >>> [round(float(s[name][0]) ** power, 6) for name, power in
    ...  [("mean", 1), ("std", 2), ("rms", 2), ("mean_abs", 1)]]
    [2.333333, 2.333333, 7.0, 2.333333]
    """
    w = np.ones(n_rows) if sample_weight is None else np.asarray(sample_weight, float)
    count, mean, m2, sq, ab, mx = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    for rows, values in batches:
        wb = w[rows]
        nb = wb.sum()
        if nb == 0:
            continue
        mb = np.tensordot(wb, values, axes=1) / nb
        centred = values - mb
        centred *= centred
        m2b = np.tensordot(wb, centred, axes=1)
        del centred
        absolute = np.abs(values)
        ab = ab + np.tensordot(wb, absolute, axes=1)
        mx = np.maximum(mx, absolute[wb > 0].max(axis=0))
        absolute *= absolute
        sq = sq + np.tensordot(wb, absolute, axes=1)
        delta, total = mb - mean, count + nb
        m2 = m2 + m2b + delta ** 2 * (count * nb / total)
        mean = mean + delta * (nb / total)
        count = total
    if count == 0:
        raise ValueError("The rows' weights sum to zero: there is nothing to average.")
    if count <= ddof:
        raise ValueError(f"The standard deviation with ddof={ddof} needs rows whose "
                         f"weights sum to more than {ddof}; they sum to {count:g}.")
    return {"mean": mean, "std": np.sqrt(m2 / (count - ddof)), "rms": np.sqrt(sq / count),
            "mean_abs": ab / count, "max_abs": mx}


def hessian_summary(net, X, output="proba", *, sample_weight=None, entries=None,
                    scale=None, ddof=0, n_jobs=None):
    """Summaries over rows of the exact Hessians, in one pass over chunks of rows.

    Parameters are those of :func:`hessian_batches` and :func:`row_summary`.

    Returns
    -------
    summary : dict of ndarray of shape (n_outputs, E, E)
        ``"mean"``, ``"std"`` (with ``ddof``), ``"rms"``, ``"mean_abs"``, ``"max_abs"``.
        With ``scale=None`` and ``ddof=1``, ``mean``, ``std`` and ``rms`` are
        NeuralSens' ``HessianMLP`` mean, std and meanSensSQ.
    """
    batches = hessian_batches(net, X, output, entries=entries, scale=scale, n_jobs=n_jobs)
    return row_summary(batches, X.shape[0], sample_weight, ddof)

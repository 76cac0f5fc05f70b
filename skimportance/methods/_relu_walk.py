"""Path sums of a ReLU network by walking each row's path, compiled by numba.

Along the straight path the first layer's pre-activation is ``u + a v``. Between two
points of the path where no unit switches, every layer's pre-activation is affine in
``a`` too, ``z_l = c_l + a d_l``, and every gradient is constant. So from one quadrature
node to the next, a layer's coefficients change only by what the units that switched
below it add or remove (``c_{l+1} += (new - old) W_l[j]`` for each unit j whose value
changed), and the backward pass changes only by the columns of the units that switched
above. A node costs a few passes over the units, not the two matrix products per
layer of the batched pass; the number of switches is what the walk pays for.

The same sums as ``_path_integrals._chunk_sums`` up to rounding (the switches are
decided by the same ``a * v + u > 0`` in the first layer; deeper, a pre-activation within
rounding of zero at a node could fall on the other side).

Not yet called by the methods: single-threaded it is only about as fast as the batched
pass on the benchmark network (92 ms against about 100 ms for 2000 rows x 50 steps),
because each node still scans every unit; tests/test_relu_walk.py holds it to the
batched pass until it is wired into ``path_integrals``.
"""

import numpy as np

try:  # pragma: no cover - exercised by whichever of the two is installed
    import numba
except ImportError:  # pragma: no cover
    numba = None

__all__ = ["HAVE_NUMBA", "walk_sums"]

HAVE_NUMBA = numba is not None

if HAVE_NUMBA:
    @numba.njit(nogil=True, cache=True, fastmath={"reassoc", "contract", "nsz"})
    def _walk(U, V, alphas, weights, Ws, WTs, bias, relu, want, D, sums, offsets):
        """Fill ``D[i] = sum_s w_s dF/dz_0`` and, for each hidden layer l >= 1 with
        ``want[l]``, ``sums[l - 1][i] = sum_s w_s dF/dz_l * d_l`` for every row i.

        ``U`` (1 or r rows) and ``V``: the first layer's pre-activation at the baseline
        and its slope along the path. ``Ws[l]`` maps hidden layer l to the next (the last
        to the outputs), ``WTs`` their transposes. Any order of the nodes gives the same
        sums; in increasing order the fewest units switch from one to the next.
        State per hidden layer l, in one flat buffer at ``offsets[l]``: ``c, d`` (its
        pre-activation ``c + a d``), ``e, f`` (its activation's coefficients, ``c, d``
        where on and 0 where off), ``on``; per output, ``Q`` (dF/dz before the mask)
        and ``G`` (after it).
        """
        r, h0 = V.shape
        L = len(Ws)  # hidden layers
        k = WTs[L - 1].shape[0]
        total = offsets[L]
        c = np.empty(total)
        d = np.empty(total)
        e = np.empty(total)
        f = np.empty(total)
        on = np.empty(total)
        Q = np.empty((k, total))
        G = np.empty((k, total))
        index = np.empty(total, dtype=np.int64)
        de = np.empty(total)
        df = np.empty(total)
        for i in range(r):
            u = U[0] if U.shape[0] == 1 else U[i]
            for j in range(h0):
                c[j] = u[j]
                d[j] = V[i, j]
            # Deeper layers start from their biases with every unit off, so the first
            # node propagates every active unit: a full forward pass.
            c[h0:] = bias[h0:]
            d[h0:] = 0.0
            e[:] = 0.0
            f[:] = 0.0
            on[:] = 0.0
            Q[:, :] = 0.0
            G[:, :] = 0.0
            top = offsets[L - 1]
            for kk in range(k):
                for j in range(offsets[L] - top):
                    Q[kk, top + j] = WTs[L - 1][kk, j]
            for s in range(alphas.shape[0]):
                a = alphas[s]
                w = weights[s]
                # Forward: each layer's new activations, and what changed goes up. The
                # first loop has no branch (SIMD); the changed units are listed only when
                # there are any.
                for l in range(L):
                    lo, hi = offsets[l], offsets[l + 1]
                    changed = 0.0
                    for j in range(lo, hi):
                        z = a * d[j] + c[j]
                        state = 1.0 if (z > 0.0 or not relu) else 0.0
                        ne = state * c[j]
                        nf = state * d[j]
                        de[j] = ne - e[j]
                        df[j] = nf - f[j]
                        changed += abs(de[j]) + abs(df[j])
                        e[j] = ne
                        f[j] = nf
                        on[j] = state
                    if l == L - 1 or changed == 0.0:
                        continue
                    n = 0
                    for j in range(lo, hi):
                        index[n] = j
                        n += (de[j] != 0.0) or (df[j] != 0.0)
                    W = Ws[l]
                    nlo = offsets[l + 1]
                    for t in range(n):
                        j = index[t]
                        x, y = de[j], df[j]
                        row = W[j - lo]
                        for m in range(row.shape[0]):
                            c[nlo + m] += x * row[m]
                            d[nlo + m] += y * row[m]
                # Backward: each layer's masked gradient; what changed goes down.
                for l in range(L - 1, -1, -1):
                    lo, hi = offsets[l], offsets[l + 1]
                    for kk in range(k):
                        changed = 0.0
                        for j in range(lo, hi):
                            g = Q[kk, j] * on[j]
                            de[j] = g - G[kk, j]
                            changed += abs(de[j])
                            G[kk, j] = g
                        if l == 0 or changed == 0.0:
                            continue
                        n = 0
                        for j in range(lo, hi):
                            index[n] = j
                            n += de[j] != 0.0
                        WT = WTs[l - 1]
                        plo = offsets[l - 1]
                        for t in range(n):
                            j = index[t]
                            x = de[j]
                            row = WT[j - lo]
                            for m in range(row.shape[0]):
                                Q[kk, plo + m] += x * row[m]
                    if l > 0 and want[l]:
                        out = sums[l - 1]
                        for kk in range(k):
                            for j in range(lo, hi):
                                out[i, kk, j - lo] += w * G[kk, j] * d[j]
                for kk in range(k):
                    for j in range(h0):
                        D[i, kk, j] += w * G[kk, j]
else:  # pragma: no cover
    _walk = None


def walk_sums(net, u, v, alphas, weights, deep_layers):
    """The quadrature sums of ``_chunk_sums`` for a ReLU or identity network with an
    identity output map (``output="logit"``, or a regressor's identity output), by the
    walk above: ``D`` (r, k, width of z_0) and ``{l: (r, k, h_l)}`` for ``deep_layers``.
    The nodes are walked in increasing order, where the fewest units switch."""
    if not HAVE_NUMBA:
        raise ImportError("The path walk is compiled by numba: pip install numba.")
    if net.activation not in ("relu", "identity") or net.n_hidden_layers == 0:
        raise ValueError(
            f"The path walk needs ReLU or identity hidden units and at least one hidden "
            f"layer; got activation={net.activation!r} with {net.n_hidden_layers} hidden "
            "layers (use the batched pass, _path_integrals._chunk_sums).")
    order = np.argsort(alphas, kind="stable")
    coefs = net.coefs
    L = net.n_hidden_layers
    widths = [W.shape[1] for W in coefs[:-1]]
    offsets = np.concatenate([[0], np.cumsum(widths)]).astype(np.int64)
    k = net.n_outputs
    r = v.shape[0]
    Ws = tuple(np.ascontiguousarray(W, dtype=np.float64) for W in coefs[1:])
    WTs = tuple(np.ascontiguousarray(W.T, dtype=np.float64) for W in coefs[1:])
    want = np.zeros(L, dtype=np.bool_)
    want[list(deep_layers)] = True
    sums = tuple(np.zeros((r, k, widths[l]) if want[l] else (1, 1, 1)) for l in range(1, L))
    D = np.zeros((r, k, widths[0]))
    bias = np.concatenate([np.zeros(widths[0])] + [np.asarray(b, dtype=np.float64)
                                                   for b in net.intercepts[1:-1]])
    U = np.ascontiguousarray(u, dtype=np.float64).reshape(-1, widths[0])
    _walk(U, np.ascontiguousarray(v, dtype=np.float64), alphas[order], weights[order],
          Ws, WTs, bias, net.activation == "relu", want, D, sums if sums else (D,), offsets)
    return D, {l: sums[l - 1] for l in deep_layers}

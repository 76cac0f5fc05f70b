"""Fused loops of the rank-one fast path, compiled by numba when it is installed.

Without numba (``pip install numba``) the fast path runs on numpy alone,
with the same numbers up to rounding: these loops only save the memory traffic of the
intermediate arrays that numpy has to write and read back.
"""

import math

import numpy as np

try:  # pragma: no cover - exercised by whichever of the two is installed
    import numba
except ImportError:  # pragma: no cover
    numba = None

__all__ = ["ACTIVATION_CODES", "HAVE_NUMBA", "first_layer", "last_layer", "one_hidden_layer",
           "relu_second_layer"]

HAVE_NUMBA = numba is not None

ACTIVATION_CODES = {"identity": 0, "relu": 1, "tanh": 2, "logistic": 3}

if HAVE_NUMBA:
    # Reassociation lets the sums over hidden units use SIMD: the order of a sum is not
    # fixed by BLAS either, and the difference stays at the level of rounding.
    _FASTMATH = {"reassoc", "contract", "nsz"}

    def _jit(func):
        try:
            return numba.njit(nogil=True, cache=True, fastmath=_FASTMATH)(func)
        except RuntimeError:  # pragma: no cover - no writable cache directory: compile each run
            return numba.njit(nogil=True, fastmath=_FASTMATH)(func)

    # The scalar form of _core.HIDDEN: compiled loops cannot call the numpy table. The
    # test suite runs the fast path with and without numba and compares them.
    @_jit
    def _activate(v, code):
        if code == 1:
            return v if v > 0.0 else 0.0
        if code == 2:
            return math.tanh(v)
        if code == 3:
            return 1.0 / (1.0 + math.exp(-v))
        return v

    @_jit
    def first_layer(Z1, D, W1c, code, out):
        """``out[b, c, :] = f(Z1[b] + D[b, c] * W1c[c])``: one write of the tile."""
        n_rows, width = Z1.shape
        for b in range(n_rows):
            for c in range(D.shape[1]):
                d = D[b, c]
                for j in range(width):
                    out[b, c, j] = _activate(Z1[b, j] + d * W1c[c, j], code)

    @_jit
    def one_hidden_layer(Z1, D, W1c, Vt, bias, code, out):
        """Logits of a one-hidden-layer network, ``out[c, b, :]``, never storing the layer."""
        n_rows, width = Z1.shape
        n_out = Vt.shape[0]
        h = np.empty(width, dtype=Z1.dtype)
        for b in range(n_rows):
            for c in range(D.shape[1]):
                d = D[b, c]
                if n_out == 1:
                    acc = 0.0
                    for j in range(width):
                        acc += _activate(Z1[b, j] + d * W1c[c, j], code) * Vt[0, j]
                    out[c, b, 0] = acc + bias[0]
                else:
                    for j in range(width):
                        h[j] = _activate(Z1[b, j] + d * W1c[c, j], code)
                    for k in range(n_out):
                        acc = 0.0
                        for j in range(width):
                            acc += h[j] * Vt[k, j]
                        out[c, b, k] = acc + bias[k]

    @_jit
    def last_layer(A, bias, Vt, out_bias, code, out):
        """``out[r] = f(A[r] + bias) @ Vt.T + out_bias``: the last hidden layer's bias and
        activation and the output layer, in one read of A."""
        n_rows, width = A.shape
        n_out = Vt.shape[0]
        for r in range(n_rows):
            for k in range(n_out):
                acc = 0.0
                for j in range(width):
                    acc += _activate(A[r, j] + bias[j], code) * Vt[k, j]
                out[r, k] = acc + out_bias[k]

    @_jit
    def relu_second_layer(Z1, D, W1c, Z2, M, W2, out):
        """Second-layer pre-activations (no bias) of a ReLU network, ``out[b, c, :]``,
        when column c moves row b by ``D[b, c]``: ``Z2[b] + D[b, c] M[b, c]`` (the units
        that stay on or off; ``M`` = the on units' first-layer weights times W2) plus
        ``|z_new| W2[j]`` for each unit j that switches (what it adds or removes, minus
        the linear part, is |z_new| either way)."""
        n_rows, width = Z1.shape
        n_next = W2.shape[1]
        switched = np.empty(width)
        index = np.empty(width, dtype=np.int64)
        acc = np.empty(n_next)
        for b in range(n_rows):
            for c in range(D.shape[1]):
                d = D[b, c]
                for k in range(n_next):
                    acc[k] = Z2[b, k] + d * M[b, c, k]
                # Branch-free passes (a few percent of the units switch, at random):
                # the magnitudes, then the indices of the nonzero ones.
                for j in range(width):
                    z = Z1[b, j]
                    z_new = z + d * W1c[c, j]
                    switched[j] = abs(z_new) if (z_new > 0.0) != (z > 0.0) else 0.0
                n = 0
                for j in range(width):
                    index[n] = j
                    n += switched[j] != 0.0
                for t in range(n):
                    j = index[t]
                    a = switched[j]
                    for k in range(n_next):
                        acc[k] += a * W2[j, k]
                for k in range(n_next):
                    out[b, c, k] = acc[k]
else:  # pragma: no cover
    first_layer = one_hidden_layer = last_layer = relu_second_layer = None

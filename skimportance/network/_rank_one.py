"""The fast path of the score-based methods for MLPs: a rank-one update of the first layer.

Replacing column i of X by new values changes the first-layer pre-activation by
``(x_new - x_i) outer W1[i, :]``, so the pre-activation of the unchanged data, computed
once, is reused and only the later layers are evaluated again. The outputs are then scored
by the caller's own scikit-learn scorer, through a stand-in estimator that returns them
post-processed exactly as ``MLPRegressor`` / ``MLPClassifier`` do.
"""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.base import is_classifier

from . import _kernels
from ._blas import _blas_threads, single_threaded_blas
from ._core import HIDDEN, OUTPUT, NotAnMLPError, final_step, unwrap_network
from ._standins import _ClassifierOutputs, _RegressorOutputs, reads_only_predictions

__all__ = ["RankOneNetwork", "fast_network", "single_threaded_blas"]

# Bytes of one intermediate tile (rows x columns x widest hidden layer): small enough to
# stay in a core's cache, large enough for BLAS to run at full speed on the later layers.
_TILE_BYTES = 2 * 2**20
# Bytes of first-layer weights one call of the fused kernel reuses for every row.
_KERNEL_WEIGHT_BYTES = 256 * 2**10
# Rows per thread at least: below this, starting threads costs more than it saves.
_MIN_ROWS_PER_THREAD = 256

def fast_network(estimator, X, scorer):
    """A :class:`RankOneNetwork` for ``estimator`` on X; None where only the slow path is exact."""
    if not reads_only_predictions(scorer, estimator):
        return None
    if X.dtype.kind != "f" or not np.isfinite(X).all():
        # Missing values are for the Pipeline's imputer to fill: only its own transform
        # knows how, so the exact path runs it.
        return None
    try:
        net = unwrap_network(estimator, X)
    except NotAnMLPError:
        return None
    if net.n_features != X.shape[1]:
        return None
    _, final = final_step(estimator)
    return RankOneNetwork(net, X, classifier=is_classifier(final),
                          classes=getattr(final, "classes_", None))


class RankOneNetwork:
    """Outputs of a network on X with some columns replaced, one column at a time.

    Extra memory: the first-layer pre-activation of X (n_rows x width of the first
    hidden layer), the outputs asked for, and a tile of about 2 MiB per thread; for
    :meth:`repeated_outputs` of a ReLU network, also the second layer's product of the
    unchanged data (n_rows x width of the second hidden layer).

    Parameters
    ----------
    net : Network
    X : ndarray of shape (n_rows, n_features)
    classifier : bool
    classes : ndarray or None
    use_numba : bool or None
        None uses the compiled kernels when numba is installed.
    n_threads : int or None
        Threads that share the rows; None means as many as BLAS would use.
    """

    def __init__(self, net, X, *, classifier=False, classes=None, use_numba=None,
                 n_threads=None):
        self.net = net
        self.X = np.ascontiguousarray(X, dtype=net.dtype)
        self.Z1 = self.X @ net.coefs[0]
        self.Z1 += net.intercepts[0]
        self.classifier = classifier
        self.classes = classes
        self.use_numba = _kernels.HAVE_NUMBA if use_numba is None else use_numba
        self.n_threads = _blas_threads() if n_threads is None else n_threads
        self._Z2 = None  # relu(Z1) @ W2, made on first use by repeated_outputs

    @property
    def n_outputs(self):
        return self.net.n_outputs

    def standin(self):
        """A fresh stand-in estimator for the scorer (one per thread)."""
        if not self.classifier:
            return _RegressorOutputs()
        multilabel = self.net.out_activation == "logistic" and self.n_outputs > 1
        return _ClassifierOutputs(np.asarray(self.classes), multilabel)

    def outputs(self, D, cols):
        """Outputs, shape (len(cols), n_rows, n_outputs), when column ``cols[c]`` of X is
        replaced by ``X[:, cols[c]] + D[:, c]`` (one column at a time)."""
        net = self.net
        D = np.ascontiguousarray(D, dtype=net.dtype)
        W1c = np.ascontiguousarray(net.coefs[0][cols])
        n_rows = self.X.shape[0]
        logits = np.empty((len(cols), n_rows, self.n_outputs), dtype=net.dtype)
        if net.n_hidden_layers == 0:
            np.multiply(D.T[:, :, None], W1c[:, None, :], out=logits)
            logits += self.Z1[None]
        else:
            fused = net.n_hidden_layers == 1 and self.use_numba
            work = self._fused if fused else self._tiles
            n_chunks = max(1, min(self.n_threads, n_rows // _MIN_ROWS_PER_THREAD))
            bounds = np.linspace(0, n_rows, n_chunks + 1).astype(int)
            chunks = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
            with single_threaded_blas():
                if n_chunks == 1:
                    work(chunks[0], D, W1c, logits)
                else:
                    with ThreadPoolExecutor(n_chunks) as pool:
                        list(pool.map(lambda rows: work(rows, D, W1c, logits), chunks))
        flat = logits.reshape(-1, self.n_outputs)
        return OUTPUT[net.out_activation](flat).reshape(logits.shape)

    @property
    def reuses_repeats(self):
        """Whether :meth:`repeated_outputs` shares work between repeats: for ReLU networks
        with two hidden layers or more, with numba."""
        return (self.use_numba and self.net.activation == "relu"
                and self.net.n_hidden_layers >= 2)

    def repeated_outputs(self, D, cols):
        """Outputs, shape (n_repeats, len(cols), n_rows, n_outputs), when column ``cols[c]``
        of X is replaced by ``X[:, cols[c]] + D[r, :, c]`` in repeat r.

        For a ReLU network the second layer's pre-activation is
        ``Z2 + d M + (the units that switch)``, where ``M`` (the on units' first-layer
        weights times W2) depends on the row and the column but not on ``d``: one
        product per column serves every repeat, and each repeat only adds the few units
        that switch on or off (about 5% on the benchmark network), instead of one
        product of the whole second layer per repeat.
        """
        net = self.net
        if not self.reuses_repeats:
            return np.stack([self.outputs(Dr, cols) for Dr in D])
        D = np.asarray(D, dtype=net.dtype)
        W1c = np.ascontiguousarray(net.coefs[0][cols])
        n_rows = self.X.shape[0]
        if self._Z2 is None:
            self._Z2 = np.maximum(self.Z1, 0) @ net.coefs[1]
        logits = np.empty((len(D), len(cols), n_rows, self.n_outputs), dtype=net.dtype)
        n_workers = max(1, min(self.n_threads, n_rows // _MIN_ROWS_PER_THREAD))
        # Four chunks of rows per thread, taken in turn: on a shared machine a thread that
        # is held up leaves its later chunks to the others.
        n_chunks = n_workers if n_workers == 1 else min(4 * n_workers,
                                                        n_rows // _MIN_ROWS_PER_THREAD)
        bounds = np.linspace(0, n_rows, n_chunks + 1).astype(int)
        chunks = [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]
        with single_threaded_blas():
            if n_workers == 1:
                self._linear_tiles(chunks[0], D, W1c, logits)
            else:
                with ThreadPoolExecutor(n_workers) as pool:
                    list(pool.map(lambda rows: self._linear_tiles(rows, D, W1c, logits),
                                  chunks))
        flat = logits.reshape(-1, self.n_outputs)
        return OUTPUT[net.out_activation](flat).reshape(logits.shape)

    def _linear_tiles(self, rows, D, W1c, logits):
        net = self.net
        W2, b2 = net.coefs[1], net.intercepts[1]
        width, n_next = W2.shape
        n_cols = W1c.shape[0]
        # K[j, c, k] = W1c[c, j] W2[j, k]: the on units' mask times K gives M.
        K = np.ascontiguousarray((W1c.T[:, :, None] * W2[:, None, :]).reshape(width, -1))
        tile = max(1, _TILE_BYTES // (2 * net.dtype.itemsize * n_next))  # rows x columns
        cols_per_tile = min(n_cols, max(1, tile // 128))
        rows_per_tile = max(1, tile // cols_per_tile)
        Vt = np.ascontiguousarray(net.coefs[-1].T)
        act = HIDDEN[net.activation]
        code = _kernels.ACTIVATION_CODES[net.activation]
        rest = list(zip(net.coefs[2:-1], net.intercepts[2:-1]))
        for c0 in range(0, n_cols, cols_per_tile):
            cs = slice(c0, min(n_cols, c0 + cols_per_tile))
            nc = cs.stop - c0
            Kc = K[:, c0 * n_next:cs.stop * n_next]
            for r0 in range(rows.start, rows.stop, rows_per_tile):
                rs = slice(r0, min(rows.stop, r0 + rows_per_tile))
                nr = rs.stop - r0
                Z1 = self.Z1[rs]
                M = (Z1 > 0).astype(net.dtype) @ Kc
                A = np.empty((nr, nc, n_next), dtype=net.dtype)
                for r in range(len(D)):
                    _kernels.relu_second_layer(Z1, np.ascontiguousarray(D[r, rs, cs]), W1c[cs],
                                               self._Z2[rs], M.reshape(nr, nc, n_next), W2, A)
                    a = A.reshape(nr * nc, n_next)
                    out = np.empty((nr * nc, self.n_outputs), dtype=net.dtype)
                    if not rest:
                        _kernels.last_layer(a, b2, Vt, net.intercepts[-1], code, out)
                    else:
                        a = act(a + b2)
                        for W, b in rest[:-1]:
                            a = a @ W
                            a += b
                            a = act(a)
                        W, b = rest[-1]
                        _kernels.last_layer(a @ W, b, Vt, net.intercepts[-1], code, out)
                    logits[r, cs, rs] = out.reshape(nr, nc, -1).transpose(1, 0, 2)

    def group_outputs(self, D, cols):
        """Outputs, shape (n_rows, n_outputs), when the columns ``cols`` of X are replaced
        together by ``X[:, cols] + D``: the first layer moves by ``D @ W1[cols]``."""
        net = self.net
        Z = np.asarray(D, dtype=net.dtype) @ net.coefs[0][cols]
        Z += self.Z1
        _, logits = net.forward_from(Z, 0)
        return OUTPUT[net.out_activation](logits)

    def _fused(self, rows, D, W1c, logits):
        net = self.net
        Vt = np.ascontiguousarray(net.coefs[1].T)
        code = _kernels.ACTIVATION_CODES[net.activation]
        step = max(1, _KERNEL_WEIGHT_BYTES // W1c[0].nbytes)
        for c0 in range(0, W1c.shape[0], step):
            cs = slice(c0, c0 + step)
            _kernels.one_hidden_layer(self.Z1[rows], np.ascontiguousarray(D[rows, cs]),
                                      W1c[cs], Vt, net.intercepts[1], code, logits[cs, rows])

    def _tiles(self, rows, D, W1c, logits):
        net = self.net
        width = self.Z1.shape[1]
        first, n_rows = rows.start, rows.stop - rows.start
        n_cols = W1c.shape[0]
        widest = max(W.shape[1] for W in net.coefs[:-1])
        tile_rows = max(1, _TILE_BYTES // (net.dtype.itemsize * widest))
        cols_per_tile = min(n_cols, max(1, tile_rows // 64))
        rows_per_tile = max(1, tile_rows // cols_per_tile)
        buffer = np.empty(rows_per_tile * cols_per_tile * width, dtype=net.dtype)
        act = HIDDEN[net.activation]
        code = _kernels.ACTIVATION_CODES[net.activation]
        Vt = np.ascontiguousarray(net.coefs[-1].T)
        later = list(zip(net.coefs[1:-1], net.intercepts[1:-1]))
        # The last hidden layer's bias and activation and the output layer in one pass.
        fuse_last = self.use_numba and len(later) > 0
        for c0 in range(0, n_cols, cols_per_tile):
            cs = slice(c0, min(n_cols, c0 + cols_per_tile))
            nc = cs.stop - c0
            for r0 in range(first, first + n_rows, rows_per_tile):
                rs = slice(r0, min(first + n_rows, r0 + rows_per_tile))
                nr = rs.stop - r0
                T = buffer[: nr * nc * width].reshape(nr, nc, width)
                if self.use_numba:
                    _kernels.first_layer(self.Z1[rs], np.ascontiguousarray(D[rs, cs]),
                                         W1c[cs], code, T)
                else:
                    np.multiply(D[rs, cs, None], W1c[None, cs], out=T)
                    T += self.Z1[rs, None, :]
                    act(T)
                a = T.reshape(nr * nc, width)
                for W, b in later[:-1] if fuse_last else later:
                    a = a @ W
                    a += b
                    a = act(a)
                if fuse_last:
                    out = np.empty((nr * nc, self.n_outputs), dtype=net.dtype)
                    W, b = later[-1]
                    _kernels.last_layer(a @ W, b, Vt, net.intercepts[-1], code, out)
                else:
                    out = a @ net.coefs[-1]
                    out += net.intercepts[-1]
                logits[cs, rs] = out.reshape(nr, nc, -1).transpose(1, 0, 2)

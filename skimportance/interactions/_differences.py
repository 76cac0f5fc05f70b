"""Mixed second differences of a network's outputs: interactions that ReLU kinks show.

For a row x and two entries a, b with steps ``d_a``, ``d_b`` (vectors in the network's
inputs), the four points ``x +- d_a +- d_b`` differ from x in the first layer's
pre-activation only by ``+- d_a W1 +- d_b W1``: the rank-two changes are added to
``z1(x)`` and only the later layers are recomputed, for all pairs of a chunk of rows
at once.
"""

from numbers import Real

import numpy as np
from sklearn.utils import gen_batches
from sklearn.utils._param_validation import Interval

from ..methods._base import column_scale
from ..network import OUTPUT, chunk_rows, threaded_chunks
from ._base import NetworkInteractionMethod, register_interaction
from ._hessian import _CONSTRAINTS, summarise_rows

__all__ = ["SecondDifferences"]


def _entry_steps(entries, n_inputs, sigma, spread, step):
    """Each entry's direction (the columns of ``U``, in units of sigma) and its step t.

    The entry's direction moves each of its inputs i by ``sigma_i``; ``t`` makes the move
    ``step`` times the inputs' spread in X: with sigma the spread (``scale=True``) that
    is ``t = step``; with ``sigma = 1``, ``t = step * max spread`` of the entry's inputs
    (1 for constant ones).
    """
    if entries is None:
        entries = [np.array([i]) for i in range(n_inputs)]
    U = np.zeros((n_inputs, len(entries)))
    t = np.ones(len(entries))
    for a, cols in enumerate(entries):
        cols = np.asarray(cols, dtype=int)
        U[cols, a] = sigma[cols]
        size = np.abs(sigma[cols]).max(initial=0.0)
        if size > 0:
            reach = spread[cols].max(initial=0.0)
            t[a] = step * (reach / size if reach > 0 else 1.0)
    return U, t


def _offsets(V):
    """First-layer offsets of the evaluation points, and the pairs a < b.

    ``V`` (E, width) holds each entry's move of the first layer's pre-activation. Rows of
    the result: 0 (x itself), ``+V_a`` (E), ``-V_a`` (E), then per pair ``+V_a+V_b``,
    ``+V_a-V_b``, ``-V_a+V_b``, ``-V_a-V_b``.
    """
    E = V.shape[0]
    i, j = np.triu_indices(E, k=1)
    pairs = np.stack([V[i] + V[j], V[i] - V[j], -V[i] + V[j], -V[i] - V[j]], axis=1)
    return np.vstack([np.zeros((1, V.shape[1])), V, -V,
                      pairs.reshape(-1, V.shape[1])]), i, j


def _outputs(net, Z, output):
    _, logits = net.forward_from(Z, 0)
    return logits if output == "logit" else OUTPUT[net.out_activation](logits)


def difference_batches(net, X, output, U, t, n_jobs=None):
    """Yield ``(rows, D)``: ``D[r, k, a, b]`` estimates ``u_a^T H_k u_b`` at each row.

    ``u_a`` is column a of U, moved by ``t_a``: the off-diagonal values are
    ``[F(x+p+q) - F(x+p-q) - F(x-p+q) + F(x-p-q)] / (4 t_a t_b)`` with ``p = t_a u_a``,
    ``q = t_b u_b``, the diagonal ``[F(x+p) - 2 F(x) + F(x-p)] / t_a^2``.
    """
    X = np.asarray(X, dtype=net.dtype)
    n, E, k = X.shape[0], U.shape[1], net.n_outputs
    W1, b1 = net.coefs[0], net.intercepts[0]
    O, i, j = _offsets(((U * t).T @ W1).astype(net.dtype, copy=False))
    n_points = O.shape[0]
    # Bytes of one evaluation point: its activations and the copies the layers make.
    point_bytes = net.dtype.itemsize * 3 * sum(W.shape[1] for W in net.coefs)
    per_chunk = chunk_rows(point_bytes, np.iinfo(np.int64).max)  # points per chunk
    rows_per_chunk = max(per_chunk // n_points, 1)
    points_per_block = min(per_chunk, n_points)
    tt = t[:, None] * t[None, :]

    def chunk(rows):
        z1 = X[rows] @ W1
        z1 += b1
        r = z1.shape[0]
        F = np.empty((r, n_points, k))
        for block in gen_batches(n_points, points_per_block):
            Z = z1[:, None, :] + O[None, block]
            F[:, block] = _outputs(net, Z.reshape(-1, Z.shape[-1]), output).reshape(
                r, -1, k)
        F0, Fp, Fm = F[:, 0], F[:, 1:1 + E], F[:, 1 + E:1 + 2 * E]
        quads = F[:, 1 + 2 * E:].reshape(r, -1, 4, k)
        D = np.empty((r, k, E, E))
        diag = (Fp - 2 * F0[:, None] + Fm) / (t * t)[None, :, None]  # (r, E, k)
        D[:, :, np.arange(E), np.arange(E)] = diag.transpose(0, 2, 1)
        mixed = (quads[:, :, 0] - quads[:, :, 1] - quads[:, :, 2] + quads[:, :, 3])
        mixed = mixed / (4 * tt[i, j])[None, :, None]  # (r, pairs, k)
        D[:, :, i, j] = mixed.transpose(0, 2, 1)
        D[:, :, j, i] = D[:, :, i, j]
        return D

    yield from threaded_chunks(chunk, gen_batches(n, rows_per_chunk), n_jobs)


@register_interaction
class SecondDifferences(NetworkInteractionMethod):
    """Mixed second differences of each output, over steps of each input's size.

    For a row x and inputs i, j moved by ``h_i = step * s_i`` and ``h_j = step * s_j``
    (``s`` the standard deviation of each input in X), the central differences::

        D_ij(x) = [F(x + h_i e_i + h_j e_j) - F(x + h_i e_i - h_j e_j)
                   - F(x - h_i e_i + h_j e_j) + F(x - h_i e_i - h_j e_j)] / (4 h_i h_j)
        D_ii(x) = [F(x + h_i e_i) - 2 F(x) + F(x - h_i e_i)] / h_i^2

    are, with ``scale=True``, multiplied by ``sigma_i sigma_j`` and aggregated over rows
    as :class:`Hessian`'s values (``per_output``; ``spread`` the standard deviation over
    rows). ``D`` is a finite-difference estimate of the Hessian averaged over a
    neighbourhood of size h around x: for a smooth network it tends to the
    Hessian as ``step`` goes to 0 (with a bias of order ``h^2`` times the fourth
    derivatives), and for a ReLU network, whose exact Hessian is zero almost
    everywhere, it sees the kinks between the linear pieces, so it measures how the
    effect of one input changes with another over a step of typical size. It is
    exactly zero, up to rounding, between inputs on which F is additive.

    An encoded column or a ``feature_groups`` entry moves all its inputs together,
    each by its own h (with ``scale=False``, each by ``step`` times the largest spread
    among them); the value is then that of the direction's second difference, as
    :class:`Hessian`'s block sums. The points differ from x only by rank-two changes
    of the first layer's pre-activation, so only the later layers are recomputed:
    ``2 E^2 + 1`` evaluations of them per row, for E entries. Selected by
    ``"differences"``.

    Parameters
    ----------
    output : {"proba", "logit"}, default="proba"
        What F is: the network's output after its output activation, or the logits.
    aggregate : {"mean_abs", "rms", "mean", "std"}, default="mean_abs"
        How the per-row values are summarised, weighted by ``sample_weight``.
    step : float, default=0.75
        The step of each input, in units of its standard deviation in X. Measured on
        ReLU MLPs fitted to ``y = x0 x1 + x2`` and ``y = sin(1.5 x0) x1 + x2``
        (``differences_step_table`` in ``benchmarks/bench_interactions.py``), 0.75
        is closest to the true Hessian on the second: largest error of ``mean_abs``
        0.22, against 0.28 at 0.5, 0.35 at 1 and 1.75 at 0.1 (smaller steps see each
        kink as a spike, which inflates ``mean_abs`` with spurious pairs; larger
        ones average the curvature away and leave the data's range). On the first,
        whose mixed differences are exact for any step, larger steps do better
        still (0.14 at 0.75, 0.06 at 1.5); the (0, 1) pair ranks first at every
        step from 0.1 on.
    ddof : int, default=0
        Delta degrees of freedom of ``std`` and ``spread``, as :class:`Hessian`'s.
    n_jobs : int, default=None
        Threads sharing the chunks of rows (None: as many as BLAS uses); the numbers
        do not depend on it.

    See Also
    --------
    Hessian : The exact second derivatives of a smooth network.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.interactions import SecondDifferences
    >>> from skimportance.interactions._dispatch import feature_interactions
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3))
    >>> y = X[:, 0] * X[:, 1] + X[:, 2]
    >>> mlp = MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", max_iter=1000,
    ...                    random_state=0).fit(X, y)  # ReLU: the Hessian is all zero
    >>> result = feature_interactions(mlp, X, method=SecondDifferences())
    >>> result.top_pairs(1)[0][:2]
    ('x0', 'x1')
    """

    name = "differences"
    has_local = True
    _parameter_constraints = {**_CONSTRAINTS,
                              "step": [Interval(Real, 0, None, closed="neither")]}

    def __init__(self, output="proba", aggregate="mean_abs", step=0.75, ddof=0,
                 n_jobs=None):
        self.output = output
        self.aggregate = aggregate
        self.step = step
        self.ddof = ddof
        self.n_jobs = n_jobs

    @property
    def signed(self):
        """Only the signed mean keeps a direction."""
        return self.aggregate == "mean"

    def _matrices(self, net, X, sigma, sample_weight, return_local, entries):
        n, k = X.shape[0], net.n_outputs
        spread = column_scale(X, sample_weight)
        U, t = _entry_steps(entries, net.n_features, sigma, spread, self.step)
        batches = difference_batches(net, X, self.output, U, t, self.n_jobs)
        summary, local = summarise_rows(batches, n, k, U.shape[1], sample_weight,
                                        return_local, self.ddof)
        return summary[self.aggregate], summary["std"], local

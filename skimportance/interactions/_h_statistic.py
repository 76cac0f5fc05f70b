"""Friedman & Popescu's H statistic, from partial dependences on a sample of rows.

For a sample of ``n`` rows and a set C of columns (one variable, or the union of two),
the grid ``M[a, b]`` is the model's output on row b with the columns C taken from row a.
Its weighted row means are the partial dependence ``PD_C`` at row a's values, its column
means the partial dependence on all the other columns at row b's: one grid per variable
gives both terms of the one-against-all statistic, one grid per pair the pairwise one.

For an MLP the grid's first-layer pre-activation is ``Z1[b] + U[a] - U[b]`` with
``U = X_s[:, C] @ W1[C]`` (the low-rank change of the replaced columns): two (n, width)
matrices, added in cache-sized tiles, instead of an (n^2, n_features) copy of the sample
multiplied by ``W1``. Only the later layers run on the n^2 rows.
"""

from concurrent.futures import ThreadPoolExecutor
from numbers import Integral

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import is_classifier
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.random import sample_without_replacement

from ..methods._base import output_names
from ..network import (OUTPUT, NotAnMLPError, RankOneNetwork, chunk_rows, entry_columns,
                       final_step, is_mlp, network_inputs, single_threaded_blas,
                       unwrap_network, with_fitted_names)
from .._parallel import delayed, run
from ._base import InteractionMethod, register_interaction
from ._result import Interactions

__all__ = ["HStatistic"]

# Bytes of one tile of the fast path's first layer (rows x width): with the later
# layers' activations of its rows it stays in a core's L2 cache (measured on X (20000,
# 50), MLP (128, 64): 1 MiB 0.32 s, 2 MiB 0.34 s, 4 MiB 0.62 s).
_TILE_BYTES = 2**20
# Bytes of stacked copies of the sample handed to one ``predict`` call on the exact path.
_PREDICT_BYTES = 16 * 2**20
# Relative size (to the outputs' root mean square) below which a partial dependence is 0.
_FLOOR = 1e-9


def _model_outputs(estimator, X, output):
    """The estimator's outputs on X, shape (n_rows, n_outputs): what the H statistic
    decomposes (the positive class's probability for a binary classifier)."""
    steps, final = final_step(estimator)
    X = with_fitted_names(estimator, X)
    if output == "logit":
        if is_mlp(final):
            for _, step in steps:
                X = step.transform(X)
            if hasattr(X, "toarray"):
                X = X.toarray()
            return unwrap_network(final).predict(np.asarray(X, dtype=float), "logit")
        if not hasattr(estimator, "decision_function"):
            raise ValueError(
                f"output='logit' needs an MLP (its output layer before the activation) or "
                f"an estimator with decision_function; {type(final).__name__} has neither. "
                "Use output='proba'.")
        values = np.asarray(estimator.decision_function(X), dtype=float)
        return values.reshape(len(values), -1)
    if is_classifier(final):
        if not hasattr(estimator, "predict_proba"):
            raise ValueError(
                f"output='proba' needs predict_proba, which this {type(final).__name__} "
                "does not have; use output='logit' (its decision_function).")
        proba = estimator.predict_proba(X)
        if isinstance(proba, list):  # one (n, 2) array per label
            return np.column_stack([p[:, -1] for p in proba]).astype(float)
        proba = np.asarray(proba, dtype=float)
        classes = getattr(final, "classes_", None)
        binary = proba.shape[1] == 2 and np.ndim(classes) == 1 and len(classes) == 2 and \
            getattr(final, "n_outputs_", 1) == 1
        return proba[:, 1:] if binary else proba
    values = np.asarray(estimator.predict(X), dtype=float)
    return values.reshape(len(values), -1)


def _weighted_means(out, w, rows):
    """Row means over b (the partial dependence at the tile's rows) and the tile's share of
    the column means over a, of ``out`` of shape (len(rows), n, n_outputs)."""
    return np.einsum("abk,b->ak", out, w), np.einsum("abk,a->bk", out, w[rows])


class _ExactGrids:
    """Grids from the estimator's own predictions on stacked copies of the sample."""

    def __init__(self, estimator, S, output):
        self.estimator, self.S, self.output = estimator, S, output
        n, p = S.shape
        self.rows_per_call = max(1, chunk_rows(8 * max(p, 1), n * n, _PREDICT_BYTES) // n)

    def outputs(self):
        return _model_outputs(self.estimator, self.S, self.output)

    def means(self, cols, w):
        S, n = self.S, self.S.shape[0]
        row_means, col_means = None, None
        for a0 in range(0, n, self.rows_per_call):
            rows = slice(a0, min(n, a0 + self.rows_per_call))
            block = np.tile(S, (rows.stop - a0, 1))
            block[:, cols] = np.repeat(S[rows][:, cols], n, axis=0)
            out = _model_outputs(self.estimator, block, self.output)
            out = out.reshape(rows.stop - a0, n, -1)
            if row_means is None:
                row_means = np.empty((n, out.shape[2]))
                col_means = np.zeros((n, out.shape[2]))
            row_means[rows], part = _weighted_means(out, w, rows)
            col_means += part
        return row_means, col_means


class _NetworkGrids:
    """Grids of an MLP: the first layer of a grid from two (n, width) matrices."""

    def __init__(self, net, S, output):
        self.net, self.output = net, output
        engine = RankOneNetwork(net, S)  # the sample's first-layer pre-activation Z1
        self.S, self.Z1, self.n_threads = engine.X, engine.Z1, engine.n_threads
        width = self.Z1.shape[1]
        n = S.shape[0]
        self.rows_per_tile = max(1, _TILE_BYTES // (net.dtype.itemsize * n * width))

    def outputs(self):
        _, logits = self.net.forward_from(self.Z1.copy(), 0)
        return logits if self.output == "logit" else OUTPUT[self.net.out_activation](logits)

    def means(self, cols, w):
        net, Z1, n = self.net, self.Z1, self.Z1.shape[0]
        U = self.S[:, cols] @ net.coefs[0][cols]
        base = Z1 - U
        row_means = np.empty((n, net.n_outputs))
        col_means = np.zeros((n, net.n_outputs))
        T = np.empty((min(n, self.rows_per_tile), n, Z1.shape[1]), dtype=net.dtype)
        for a0 in range(0, n, self.rows_per_tile):
            rows = slice(a0, min(n, a0 + self.rows_per_tile))
            tile = T[: rows.stop - a0]
            np.add(base[None], U[rows, None], out=tile)
            _, logits = net.forward_from(tile.reshape(-1, Z1.shape[1]), 0)
            if self.output == "proba":
                logits = OUTPUT[net.out_activation](logits)
            row_means[rows], part = _weighted_means(
                logits.reshape(rows.stop - a0, n, -1), w, rows)
            col_means += part
        return row_means, col_means


def _centred(values, w):
    return values - w @ values


def _ratio(numerator, denominator, floor, normalize):
    """sum w r^2 / sum w d^2, or sum w r^2 alone. A denominator at or below ``floor``
    gives 0: a partial dependence that small is the rounding of a constant, and the
    ratio of two rounding errors would say anything."""
    if not normalize:
        return numerator
    out = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=out, where=denominator > floor)
    return out


@register_interaction
class HStatistic(InteractionMethod):
    """Friedman & Popescu's H statistic, for any fitted estimator.

    How much of the joint partial dependence of two inputs is not the sum of their own.
    From partial dependences on a sample of ``n_samples`` rows x_1..x_n (Friedman &
    Popescu 2008, "Predictive learning via rule ensembles", Ann. Appl. Stat., sec. 8.1),
    each centred to mean zero over the sample, as is the model's output F:

    - pairwise (eq. 44), off the diagonal:
      ``H^2_jk = sum_i [PD_jk(x_ij, x_ik) - PD_j(x_ij) - PD_k(x_ik)]^2 / sum_i PD_jk(...)^2``,
      the share of the joint effect of j and k that is their interaction;
    - one against all (eq. 45), on the diagonal:
      ``H^2_j = sum_i [F(x_i) - PD_j(x_ij) - PD_-j(x_i,-j)]^2 / sum_i F(x_i)^2``,
      the share of the output's variance due to j's interactions with any other input.

    ``per_output`` holds H (the square root, what R's ``gbm::interact.gbm`` and most
    tools report; ``squared=True`` gives H^2), from 0 (additive) to about 1. A pair whose
    joint partial dependence is zero (neither input matters: its root mean square is
    below 1e-9 times the outputs') gets 0. H is a ratio: two inputs with tiny effects
    can have a large H; ``normalize=False`` gives the numerator alone,
    ``sqrt(mean_i [...]^2)``, in units of the output.

    Each variable and each pair costs ``n_samples^2`` evaluations of the model (the
    partial dependence at each sample row averages over all of them): with ``m``
    features, ``(m + m (m - 1) / 2) n_samples^2`` rows. ``features`` restricts the
    computation to some inputs (their one-against-all values still use all the others).
    The values are Monte-Carlo estimates whose spread falls as ``1 / sqrt(n_samples)``:
    with the default 100 rows, H between 0.25 and 1 varied by 0.02 to 0.06 (standard
    deviation over 20 samples, a tanh MLP fitted to products of uniform inputs), 0.015
    to 0.03 with 400 rows at 16 times the cost; additive pairs stay near 0.

    For an MLP (or a Pipeline ending in one) the fast engine builds each grid's first
    layer from two small matrices: changing a variable's columns changes the first-layer
    pre-activation by a low-rank term, so only the later layers run on the
    ``n_samples^2`` rows, in cache-sized tiles, on several threads. It gives the numbers
    of the exact engine (the estimator's own ``predict`` on stacked copies of the sample)
    to rounding. Encoded Pipelines: X's columns are replaced (their network inputs on the
    fast engine), so an encoded variable is one input.

    Parameters
    ----------
    n_samples : int, default=100
        Rows of X drawn (without replacement) for the partial dependences; all rows if X
        has fewer.
    features : array-like of int or str, default=None
        The inputs (columns, or ``feature_groups`` entries, by position or name) to
        compute the statistic for; None for all. The result holds only these.
    output : {"proba", "logit"}, default="proba"
        What is decomposed: the predictions of a regressor, the class probabilities of
        a classifier (the positive class's for a binary one); ``"logit"`` the MLP's
        output layer before its activation, or another classifier's
        ``decision_function``.
    normalize : bool, default=True
        Divide by the joint partial dependence's (the output's) sum of squares, as
        Friedman & Popescu; False gives the unnormalised ``sqrt(mean_i [...]^2)``.
    squared : bool, default=False
        Return H^2 instead of H.
    random_state : int, RandomState instance or None, default=None
        Controls which rows are drawn.
    engine : {"auto", "exact", "fast"}, default="auto"
        ``"fast"``: the MLP first-layer update (an MLP, or a Pipeline ending in one whose
        steps fold into the first layer or map each column of X to its own network
        inputs; an error otherwise); ``"exact"``: the estimator's own predictions;
        ``"auto"``: the fast one where it applies.
    n_jobs : int, default=None
        Threads of the fast engine (None: as many as BLAS uses), joblib jobs of the
        exact one (None: one); the numbers do not depend on it.

    See Also
    --------
    Hessian : Exact second derivatives of a smooth network, per row.
    SecondDifferences : Mixed second differences, right for ReLU networks too.

    Notes
    -----
    ``scale`` has no effect: H is unchanged by rescaling the inputs. ``sample_weight``
    weights the sampled rows in every average and sum. Like every partial dependence,
    it evaluates the model off the data where inputs are correlated.

    Extra memory: on the fast engine a tile of about 1 MiB per thread (at least
    ``n_samples`` x the first hidden width) and the later layers' activations of its
    rows; on the exact one, stacked copies of the sample of about 16 MiB (at least
    ``n_samples`` rows) per ``predict`` call, and what ``predict`` needs.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_interactions
    >>> from skimportance.interactions import HStatistic
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3))
    >>> y = X[:, 0] * X[:, 1] + X[:, 2]
    >>> mlp = MLPRegressor(hidden_layer_sizes=(16,), activation="tanh", solver="lbfgs",
    ...                    max_iter=500, random_state=0).fit(X, y)
    >>> result = feature_interactions(mlp, X, method=HStatistic(n_samples=50,
    ...                                                         random_state=0))
    >>> result.top_pairs(1)[0][:2]
    ('x0', 'x1')
    """

    name = "h_statistic"
    needs_network = False
    random = True
    _parameter_constraints = {
        "n_samples": [Interval(Integral, 2, None, closed="left")],
        "features": ["array-like", None],
        "output": [StrOptions({"proba", "logit"})],
        "normalize": ["boolean"],
        "squared": ["boolean"],
        "random_state": ["random_state"],
        "engine": [StrOptions({"auto", "exact", "fast"})],
        "n_jobs": [Integral, None],
    }

    def __init__(self, n_samples=100, features=None, output="proba", *, normalize=True,
                 squared=False, random_state=None, engine="auto", n_jobs=None):
        self.n_samples = n_samples
        self.features = features
        self.output = output
        self.normalize = normalize
        self.squared = squared
        self.random_state = random_state
        self.engine = engine
        self.n_jobs = n_jobs

    def _selected(self, names, n_entries):
        """Positions of the entries in ``features`` (all by default)."""
        if self.features is None:
            return np.arange(n_entries)
        chosen = []
        for f in np.asarray(self.features, dtype=object).ravel():
            if isinstance(f, (Integral, np.integer)) and not isinstance(f, bool):
                if not -n_entries <= f < n_entries:
                    raise ValueError(f"features refers to input {f}, but there are "
                                     f"{n_entries} inputs.")
                chosen.append(int(f) % n_entries)
            else:
                where = np.flatnonzero(names == f)
                if not where.size:
                    raise ValueError(f"features refers to {f!r}, which is not one of the "
                                     f"inputs {names.tolist()}.")
                chosen.append(int(where[0]))
        if not chosen:
            raise ValueError("features is empty: give at least one input, or None for all.")
        if len(set(chosen)) < len(chosen):
            raise ValueError(f"features names an input twice: {self.features!r}.")
        return np.array(chosen)

    def _grids(self, estimator, X, columns):
        """The grid engine, the sample in its coordinates, and each entry's columns there."""
        if self.engine != "exact":
            try:
                net, X_net, owners = network_inputs(estimator, X, self.name)
            except NotAnMLPError as exc:
                if self.engine == "fast":
                    raise NotAnMLPError(
                        f"engine='fast' needs an MLP, or a Pipeline ending in one whose steps "
                        f"map each column of X to its own network inputs: {exc} Use "
                        "engine='auto' or 'exact', which call the estimator's own "
                        "predictions.") from exc
            else:
                if X_net.shape[1] != net.n_features:
                    raise ValueError(f"X has {X_net.shape[1]} features, but the network "
                                     f"takes {net.n_features}.")
                return net, X_net, entry_columns(owners, columns)
        return None, X, columns

    def _compute(self, inputs):
        estimator, X, sample_weight = inputs.estimator, inputs.X, inputs.sample_weight
        n_rows, n_columns = X.shape
        columns = inputs.feature_groups
        if columns is None:
            columns = [np.array([j]) for j in range(n_columns)]
        n_entries = len(columns)
        names = np.asarray(inputs.feature_names if inputs.feature_names is not None else
                           [f"x{j}" for j in range(n_entries)], dtype=object)
        chosen = self._selected(names, n_entries)

        net, X_model, model_columns = self._grids(estimator, X, columns)
        if n_rows > self.n_samples:
            rows = np.sort(sample_without_replacement(
                n_rows, self.n_samples, random_state=check_random_state(self.random_state)))
        else:
            rows = np.arange(n_rows)
        w = np.ones(len(rows)) if sample_weight is None else sample_weight[rows]
        if not w.sum() > 0:
            raise ValueError("The sampled rows all have zero sample_weight: raise n_samples "
                             "or give those rows weight.")
        w = w / w.sum()
        S = X_model[rows]
        if net is None:
            grids = _ExactGrids(estimator, S, self.output)
            n_outputs = None
        else:
            grids = _NetworkGrids(net, S, self.output)
            n_outputs = net.n_outputs

        variables = [np.asarray(model_columns[j], dtype=int) for j in chosen]
        tasks = [v for v in variables]
        pairs = [(a, b) for a in range(len(chosen)) for b in range(a + 1, len(chosen))]
        tasks += [np.union1d(variables[a], variables[b]) for a, b in pairs]
        means = self._run(grids, tasks, w)

        raw = grids.outputs()
        # Sums of squares below this are rounding: a root mean square 1e-9 times the
        # outputs' own (their offset included, which sets the rounding of the means).
        floor = _FLOOR**2 * (w @ raw**2)
        F = _centred(raw, w)
        n_outputs = F.shape[1] if n_outputs is None else n_outputs
        m = len(chosen)
        squares = np.zeros((n_outputs, m, m))
        total = w @ F**2
        own = []
        for a, (pd_own, pd_rest) in enumerate(means[:m]):
            pd_own, pd_rest = _centred(pd_own, w), _centred(pd_rest, w)
            own.append(pd_own)
            squares[:, a, a] = _ratio(w @ (F - pd_own - pd_rest) ** 2, total, floor,
                                        self.normalize)
        for (a, b), (pd_joint, _) in zip(pairs, means[m:]):
            pd_joint = _centred(pd_joint, w)
            value = _ratio(w @ (pd_joint - own[a] - own[b]) ** 2, w @ pd_joint**2, floor,
                           self.normalize)
            squares[:, a, b] = squares[:, b, a] = value
        per_output = squares if self.squared else np.sqrt(squares)
        return Interactions(per_output, method=self.name, feature_names=names[chosen],
                            output_names=output_names(estimator, n_outputs))

    def _run(self, grids, tasks, w):
        """``(row means, column means)`` of each task's grid, in order."""
        if isinstance(grids, _ExactGrids):
            return run((delayed(grids.means)(cols, w) for cols in tasks), n_jobs=self.n_jobs)
        n_threads = grids.n_threads if self.n_jobs is None else effective_n_jobs(self.n_jobs)
        n_threads = max(1, min(len(tasks), n_threads))
        with single_threaded_blas():
            if n_threads == 1:
                return [grids.means(cols, w) for cols in tasks]
            with ThreadPoolExecutor(n_threads) as pool:
                return list(pool.map(lambda cols: grids.means(cols, w), tasks))

"""Score-based methods: how much the model's score drops when an input is disturbed."""

from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from sklearn import config_context, get_config
from sklearn.base import is_regressor
from sklearn.metrics import check_scoring, get_scorer_names
from sklearn.metrics._scorer import _check_multimetric_scoring
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.random import sample_without_replacement

from ..network import fast_network, like_fitted
from .._validation import overflow_hint
from .._parallel import delayed, run
from .._result import Importances
from ._base import ImportanceMethod
from ._registry import register

__all__ = ["Ablation", "Permutation", "ScoreMethod"]


def _score(scorer, estimator, X, y, sample_weight):
    """The scores of ``estimator`` on (X, y): a vector, one per scorer of ``scorer``."""
    return scorer(estimator, like_fitted(estimator, X), y, sample_weight)


class _Scorers:
    """A method's scorer or scorers, called as one: each call gives a vector with one
    score per scorer, so one pass over the columns serves all of them.

    ``scorers`` maps names to ``scorer(estimator, X, y)``; the name None stands for a
    single scorer. A scorer may return a dict (a callable scoring several metrics):
    its keys are then the names.
    """

    def __init__(self, scorers, multimetric):
        self.scorers = scorers
        self.multimetric = multimetric
        self.names = None

    def __call__(self, estimator, X, y, sample_weight=None):
        weights = {} if sample_weight is None else {"sample_weight": sample_weight}
        values = {}
        for name, scorer in self.scorers.items():
            value = scorer(estimator, X, y, **weights)
            if isinstance(value, dict):
                self.multimetric = True
                values.update(value)
            else:
                values[name] = value
        if self.names is None:
            self.names = list(values)
        try:
            return np.array([values[name] for name in self.names], dtype=float)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"scoring must give numbers (or a dict of numbers with the "
                             f"same keys on every call); got {values!r}.") from exc


class ScoreMethod(ImportanceMethod):
    """Base of the methods that score the model: they work for any fitted estimator.

    The score is the estimator's own ``score`` (``scoring=None``), a scorer name from
    :func:`sklearn.metrics.get_scorer_names`, or a scorer ``scorer(estimator, X, y)``
    such as :func:`sklearn.metrics.make_scorer` returns. ``scale`` plays no part: a drop
    of the score does not depend on the units of the inputs.
    """

    needs_network = False
    needs_X = True
    needs_y = True
    multimetric_ok = False

    def check_inputs(self, X, y, return_local=False):
        self._check_data(X, y)  # X and y together, in the words of a score
        super().check_inputs(X, y, return_local)

    def check(self, estimator, *, single_result=False):
        """Resolve the scorer for ``estimator`` (fitted or not), with clear errors."""
        if self.check_scorer(estimator).multimetric and single_result:
            raise ValueError(
                f"scoring={self.scoring!r} names several scorers; one result is needed "
                "here (a meta-estimator's feature_importances_): pick one, or call "
                "feature_importances for them all.")

    def _check_data(self, X, y):
        if X is None or y is None:
            missing = "X and y" if X is None and y is None else ("X" if X is None else "y")
            raise ValueError(
                f"Method {self.name!r} scores the model, so it needs the data and the true "
                f"targets; {missing} {'were' if ' and ' in missing else 'was'} not given."
            )
        if len(y) != X.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but y has {len(y)}.")
        if X.shape[0] < 2:
            raise ValueError(
                f"X has n_samples={X.shape[0]}; method {self.name!r} compares scores of "
                "the model, which need at least 2 samples (R² is undefined on one).")

    def check_scorer(self, estimator):
        """Resolve ``scoring`` for ``estimator`` (fitted or not), with clear errors.

        Parameters
        ----------
        estimator : estimator

        Returns
        -------
        scorer : callable
            ``scorer(estimator, X, y)``.
        """
        self._validate_params()
        scoring = self.scoring
        if isinstance(scoring, (list, tuple, set, dict)):
            return self._multimetric(estimator, scoring)
        if isinstance(scoring, str) and scoring not in get_scorer_names():
            raise ValueError(
                f"Unknown scoring={scoring!r} for method {self.name!r}: use a name from "
                "sklearn.metrics.get_scorer_names() (e.g. 'r2', 'accuracy', 'neg_log_loss'), "
                "a scorer from sklearn.metrics.make_scorer, or None for the estimator's score."
            )
        try:
            scorer = check_scoring(estimator, scoring=scoring)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"scoring={scoring!r} for method {self.name!r}: {exc}") from exc
        response = getattr(scorer, "_response_method", "predict")
        response = (response,) if isinstance(response, str) else tuple(response)
        if is_regressor(estimator) and "predict" not in response:
            raise ValueError(
                f"scoring={scoring!r} scores a classifier's {' or '.join(response)}, but "
                f"{type(estimator).__name__} is a regressor; use a regression scorer such "
                "as 'r2' or 'neg_mean_squared_error'."
            )
        return _Scorers({None: scorer}, multimetric=False)

    def _multimetric(self, estimator, scoring):
        if not self.multimetric_ok:
            raise ValueError(f"Method {self.name!r} takes one scorer; got scoring={scoring!r}.")
        try:
            scorers = _check_multimetric_scoring(estimator, scoring)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"scoring={scoring!r} for method {self.name!r}: {exc}") from exc
        return _Scorers(scorers, multimetric=True)

    def _baseline(self, scorer, estimator, X, y, sample_weight):
        try:
            baseline = _score(scorer, estimator, X, y, sample_weight)
        except (TypeError, ValueError) as exc:
            # The type is kept, as scikit-learn's permutation_importance raises it.
            raise type(exc)(
                f"scoring={self.scoring!r} cannot score {type(estimator).__name__} on this "
                f"data (method {self.name!r}): {exc}"
            ) from exc
        if not np.all(np.isfinite(baseline)):
            raise ValueError(
                f"scoring={self.scoring!r} gives a non-finite score ({baseline.tolist()}) "
                f"of {type(estimator).__name__} on the {X.shape[0]} rows of X (method "
                f"{self.name!r}): the model's predictions may not be finite, or the "
                f"score is undefined on this data; nothing can be compared with it."
                f"{overflow_hint(X)}")
        return baseline

    def _result(self, importances, feature_names, scorer):
        """One Importances from score drops of shape (n_entries, n_samples, n_scorers);
        a dict of them by scorer name when there are several scorers."""
        def one(values, name):
            return Importances(
                values.mean(axis=1)[None], method=self.name, feature_names=feature_names,
                output_names=[name], importances=values,
                importances_mean=values.mean(axis=1), importances_std=values.std(axis=1),
            )

        if scorer.multimetric:
            return {name: one(importances[..., m], name)
                    for m, name in enumerate(scorer.names)}
        name = self.scoring if isinstance(self.scoring, str) else "score"
        return one(importances[..., 0], name)


def _entries(feature_groups, n_features):
    """The columns of each entry of the result: every column alone by default."""
    if feature_groups is None:
        return [np.array([j]) for j in range(n_features)]
    return feature_groups


class _Permuted:
    """Column values after each repeat: ``X[perms[r], col]``."""

    def __init__(self, perms):
        self.perms = perms

    def __len__(self):
        return len(self.perms)

    def __call__(self, X, repeat, cols):
        return X[np.ix_(self.perms[repeat], cols)]


class _Constant:
    """Column values replaced by one constant per column."""

    def __init__(self, values):
        self.values = values

    def __len__(self):
        return 1

    def __call__(self, X, repeat, cols):
        return np.broadcast_to(self.values[cols], (X.shape[0], len(cols)))


def _column_scores(estimator, scorer, fast, X, y, sample_weight, replace, entries, unchanged):
    """Scores, shape (len(entries), n_repeats), with the columns of each entry replaced in
    turn (an entry's columns together, with the same rows)."""
    scores = np.empty((len(entries), len(replace), len(unchanged)))
    if fast is None:
        Xw = X.copy()
        for i, cols in enumerate(entries):
            for r in range(len(replace)):
                Xw[:, cols] = replace(X, r, cols)
                scores[i, r] = _score(scorer, estimator, Xw, y, sample_weight)
            Xw[:, cols] = X[:, cols]
        return scores
    standin = fast.standin()
    single = [i for i, cols in enumerate(entries) if len(cols) == 1]
    groups = [i for i, cols in enumerate(entries) if len(cols) > 1]
    single_cols = [int(entries[i][0]) for i in single]

    def score(i, r, D, outputs):
        if not D.any():
            scores[i, r] = unchanged
        else:
            standin.outputs_ = outputs
            scores[i, r] = _score(scorer, standin, X, y, sample_weight)

    # The stand-in is ours: scikit-learn's argument checks of it would only cost time.
    with config_context(skip_parameter_validation=True):
        for r in range(len(replace)):
            if single:
                D = replace(X, r, single_cols) - X[:, single_cols]
                outputs = fast.outputs(D, single_cols)
                for j, i in enumerate(single):
                    score(i, r, D[:, j], outputs[j])
            for i in groups:
                D = replace(X, r, entries[i]) - X[:, entries[i]]
                score(i, r, D, fast.group_outputs(D, entries[i]))
    return scores


# Bytes of the new values, deltas and outputs of one block of columns on the fast path.
# A cache-sized block, rather than scikit-learn's working_memory (1 GiB by default, which
# made the extra memory of Permutation 4 to 6 times X), bounds it to a fixed amount for
# any data size. Not smaller: each block reads the first-layer pre-activation and
# gathers its rows of X once, which only enough columns amortise. (Measured on X (20000,
# 50) with an MLP (128, 64) and on X (5000, 500) with an MLP (256,), numba and numpy:
# 16 MiB is as fast as one block of all columns, or faster; 4 MiB up to 15% slower.)
_BLOCK_BYTES = 16 * 2**20


class _ColumnMethod(ScoreMethod):
    """Score drop with each column replaced in turn, on the fast path for MLPs."""

    def _replace_and_score(self, estimator, scorer, X, y, sample_weight, replace, unchanged,
                           entries):
        fast = None if self.engine == "exact" else fast_network(estimator, X, scorer)
        if fast is None and self.engine == "fast":
            raise ValueError(
                f"engine='fast' needs an MLP (or a Pipeline of per-feature scalers ending "
                f"in one) scored by a scikit-learn scorer, on finite X; got "
                f"{type(estimator).__name__} with scoring={self.scoring!r}. Use "
                "engine='auto' or 'exact'.")
        n_rows, n_features = X.shape[0], len(entries)
        if fast is None:
            # Each block scores its columns one at a time on its own copy of X, so its
            # memory does not depend on how many columns it has: one block per worker.
            fit = n_features
        else:
            # A block of columns holds, per column, its new values, the columns of X they
            # replace, the deltas and the outputs (logits and after the output activation):
            # _BLOCK_BYTES at most (or working_memory if smaller), one column at least.
            per_column = 8 * n_rows * (2 * fast.n_outputs + 3)
            budget = min(_BLOCK_BYTES, get_config()["working_memory"] * 2**20)
            fit = max(1, int(budget // per_column))
        workers = effective_n_jobs(self.n_jobs)
        n_blocks = max(-(-n_features // fit), min(n_features, 4 * workers if workers > 1 else 1),
                       min(n_features, 10) if self.verbose else 1)
        blocks = [b for b in np.array_split(np.arange(n_features), n_blocks) if len(b)]
        tasks = (delayed(_column_scores)(estimator, scorer, fast, X, y, sample_weight, replace,
                                         [entries[i] for i in block], unchanged)
                 for block in blocks)
        parts = run(tasks, n_jobs=self.n_jobs, verbose=self.verbose, desc=self.name,
                    sizes=[len(b) for b in blocks], prefer=None if fast is None else "threads")
        return np.vstack(parts)


@register
class Permutation(_ColumnMethod):
    """Permutation importance: the drop of the score when one column is shuffled.

    Breiman (2001); the numbers equal :func:`sklearn.inspection.permutation_importance`
    for the same estimator, data, ``scoring``, ``n_repeats``, ``max_samples``,
    ``sample_weight`` and integer ``random_state`` (the same shuffles: every column sees
    the same sequence of permutations, each repeat shuffling the previous one further).
    Works for any fitted estimator. Selected by ``"permutation"``.

    For an MLP, or a Pipeline of per-feature scalers ending in one, scored by a
    scikit-learn scorer, a fast path gives the same numbers: shuffling column i changes
    the first-layer pre-activation by the rank-one term ``(x_perm - x_i) outer W1[i]``,
    so only the later layers are recomputed. Its extra memory is the first-layer
    pre-activation (n_rows x first hidden width), the shuffled row orders (n_repeats x
    n_rows integers), one block of columns per worker (their new values, deltas and
    outputs: about 16 MiB, or one column's ``8 x n_rows x (2 n_outputs + 3)`` bytes if
    that is more; scikit-learn's ``working_memory`` can only make blocks smaller) and
    tiles of about 2 MiB per thread: 0.7 times the size of X for X (200000, 40) and an
    MLP (16,), whatever ``working_memory``. With numba installed (``pip install
    skimportance[fast]``) the loops are fused. Other estimators use a copy of X per
    worker and what their predictions need.

    Bias: with correlated inputs, shuffling one creates rows that never occur in the
    data, and the model's extrapolation there is charged to that input: permutation
    inflates correlated inputs, even ones the target does not depend on (Strobl et al.
    2008; Hooker, Mentch & Zhou 2021). Measured on the training data, it rewards what
    the model overfits: use held-out data (``cv`` of the meta-estimators).
    ``importances_mean`` keeps negative values (shuffling helped, by chance or
    because the model overfits that input).

    Parameters
    ----------
    n_repeats : int, default=5
        Number of shuffles of each column.
    scoring : str, callable, list, tuple, dict or None, default=None
        A name from :func:`sklearn.metrics.get_scorer_names`, a scorer
        ``scorer(estimator, X, y)``, or None for the estimator's ``score``. Plain
        callables run the slow path, since they may read X. Several scorers, as in
        :func:`sklearn.inspection.permutation_importance` (a list or tuple of names, a
        dict ``{name: scorer}``, or a callable returning a dict), give a dict
        ``{name: Importances}`` from one pass over the columns; the meta-estimators
        need a single scorer.
    max_samples : int or float, default=1.0
        Rows drawn (without replacement) for the shuffled scores: a count, or a fraction
        of the rows. The baseline score uses all rows, as in scikit-learn.
    random_state : int, RandomState instance or None, default=None
        Controls the shuffles.
    engine : {"auto", "exact", "fast"}, default="auto"
        How the disturbed data is evaluated: ``"fast"``, the rank-one update of the
        first layer (an MLP, or a Pipeline of per-feature scalers ending in one, scored
        by a scikit-learn scorer, on finite X; an error otherwise); ``"exact"``, the
        estimator's own predictions on a copy of X with the column replaced (any
        estimator); ``"auto"``, the fast one where it applies. Both give the same
        numbers, to rounding.
    n_jobs : int, default=None
        Columns are processed in parallel blocks with joblib (any backend, dask
        included); the numbers do not depend on it.
    verbose : int, default=0
        Show a progress bar (tqdm, if installed).

    See Also
    --------
    Ablation : Replace a column by a constant instead.
    DropRetrain : Refit without the column.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import Permutation
    >>> X, y = make_regression(n_samples=200, n_features=4, n_informative=2, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, y, method=Permutation(n_repeats=3, random_state=0))
    >>> result.importances.shape
    (4, 3)
    """

    name = "permutation"
    multimetric_ok = True
    has_repeats = True
    random = True
    _parameter_constraints = {
        "n_repeats": [Interval(Integral, 1, None, closed="left")],
        "scoring": [str, callable, list, tuple, dict, None],
        "max_samples": [Interval(Integral, 1, None, closed="left"),
                        Interval(RealNotInt, 0, 1, closed="right")],
        "random_state": ["random_state"],
        "engine": [StrOptions({"auto", "exact", "fast"})],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, n_repeats=5, scoring=None, max_samples=1.0, random_state=None, *,
                 engine="auto", n_jobs=None, verbose=0):
        self.n_repeats = n_repeats
        self.scoring = scoring
        self.max_samples = max_samples
        self.random_state = random_state
        self.engine = engine
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _compute(self, inputs):
        estimator, X, y, sample_weight = (inputs.estimator, inputs.X, inputs.y,
                                          inputs.sample_weight)
        n_rows = X.shape[0]
        if isinstance(self.max_samples, Integral):
            if self.max_samples > n_rows:
                raise ValueError(
                    f"max_samples={self.max_samples} is more than the {n_rows} rows of X.")
            n_drawn = self.max_samples
        else:
            n_drawn = int(self.max_samples * n_rows)
        scorer = self.check_scorer(estimator)
        baseline = self._baseline(scorer, estimator, X, y, sample_weight)

        # As scikit-learn: one seed, and every column replays the same generator from it.
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max + 1)
        generator = np.random.RandomState(seed)
        unchanged = baseline
        if n_drawn < n_rows:
            rows = sample_without_replacement(n_rows, n_drawn, random_state=generator)
            X, y = X[rows], y[rows]
            sample_weight = None if sample_weight is None else sample_weight[rows]
            unchanged = _score(scorer, estimator, X, y, sample_weight)
        shuffle, perm, perms = np.arange(n_drawn), np.arange(n_drawn), []
        for _ in range(self.n_repeats):
            generator.shuffle(shuffle)
            perm = perm[shuffle]
            perms.append(perm)

        scores = self._replace_and_score(estimator, scorer, X, y, sample_weight,
                                         _Permuted(perms), unchanged,
                                         _entries(inputs.feature_groups, X.shape[1]))
        return self._result(baseline - scores, inputs.feature_names, scorer)


def _is_missing(value):
    return value is None or (isinstance(value, float) and np.isnan(value))


def _typical(column, value):
    """The mean or median of a numeric column; the most frequent value of a categorical
    one, which has neither. Missing values (None, NaN) are left out: they are not a
    value to hold a column at."""
    try:
        numbers = column.astype(float)
    except (TypeError, ValueError):
        present = column[[not _is_missing(v) for v in column]]
        if present.size == 0:
            raise ValueError("a column of X has only missing values, so it has no most "
                             "frequent value to hold it at.") from None
        _, first, counts = np.unique(present.astype(str), return_index=True,
                                     return_counts=True)
        return present[first[counts.argmax()]]
    return np.nanmean(numbers) if value == "mean" else np.nanmedian(numbers)


@register
class Ablation(_ColumnMethod):
    """Ablation: the drop of the score when one column is replaced by a constant.

    No retraining: the fitted model sees the column held at one value. The constant is the
    column's mean or median over the rows of X, or given. Works for any fitted
    estimator, with the same fast path as :class:`Permutation` for MLPs, and the same
    bounded extra memory (without the shuffled row orders), whatever scikit-learn's
    ``working_memory``. Selected by ``"ablation"``.

    Bias: like permutation, it evaluates the model on rows that need not occur in the
    data (the column fixed while correlated columns still vary), so correlated inputs
    tend to be inflated; and a model that is far from linear in an input can score well
    at its mean even when the input matters.

    Parameters
    ----------
    value : {"mean", "median"}, float or array-like of shape (n_features,), default="mean"
        The constant: each column's mean or median over X (unweighted; for a column
        of categories that a Pipeline encodes, its most frequent value), one number for
        all columns, or one per column.
    scoring : str, callable, list, tuple, dict or None, default=None
        As in :class:`Permutation`.
    engine : {"auto", "exact", "fast"}, default="auto"
        As in :class:`Permutation`.
    n_jobs : int, default=None
        Columns are processed in parallel blocks with joblib.
    verbose : int, default=0
        Show a progress bar (tqdm, if installed).

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import Ablation
    >>> X, y = make_regression(n_samples=200, n_features=4, n_informative=2, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=50, random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, y, method=Ablation(value="median"))
    >>> result.importances_std.tolist()  # one evaluation per column: no spread
    [0.0, 0.0, 0.0, 0.0]
    """

    name = "ablation"
    multimetric_ok = True
    _parameter_constraints = {
        "value": [StrOptions({"mean", "median"}), Real, "array-like"],
        "scoring": [str, callable, list, tuple, dict, None],
        "engine": [StrOptions({"auto", "exact", "fast"})],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, value="mean", scoring=None, *, engine="auto", n_jobs=None,
                 verbose=0):
        self.value = value
        self.scoring = scoring
        self.engine = engine
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _constants(self, X):
        if isinstance(self.value, str):
            if X.dtype == object:  # categories behind an encoder: see _typical
                return np.array([_typical(X[:, j], self.value) for j in range(X.shape[1])],
                                dtype=object)
            if np.isnan(X).all(axis=0).any():
                j = int(np.flatnonzero(np.isnan(X).all(axis=0))[0])
                raise ValueError(f"value={self.value!r}: column {j} of X is all NaN, so it "
                                 "has no mean or median to hold it at.")
            # Missing values are left out: an imputer in the Pipeline fills them anyway.
            return np.nanmean(X, axis=0) if self.value == "mean" else np.nanmedian(X, axis=0)
        try:
            values = np.asarray(self.value, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"value must be 'mean', 'median' or numbers; got "
                             f"{self.value!r}.") from exc
        if not np.all(np.isfinite(values)):
            raise ValueError(f"value must be finite; got {self.value!r}: a column held at "
                             "NaN or infinity has no score to compare.")
        if values.ndim == 0:
            return np.full(X.shape[1], float(values))
        if values.shape != (X.shape[1],):
            raise ValueError(
                f"value has shape {values.shape}; expected one number or one per column, "
                f"({X.shape[1]},).")
        return values

    def _compute(self, inputs):
        estimator, X, y, sample_weight = (inputs.estimator, inputs.X, inputs.y,
                                          inputs.sample_weight)
        constants = self._constants(X)
        scorer = self.check_scorer(estimator)
        baseline = self._baseline(scorer, estimator, X, y, sample_weight)
        scores = self._replace_and_score(estimator, scorer, X, y, sample_weight,
                                         _Constant(constants), baseline,
                                         _entries(inputs.feature_groups, X.shape[1]))
        return self._result(baseline - scores, inputs.feature_names, scorer)

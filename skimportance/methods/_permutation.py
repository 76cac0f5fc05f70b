"""Permutation importance (Breiman 2001), equal to scikit-learn's."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, RealNotInt, StrOptions
from sklearn.utils.random import sample_without_replacement

from ._column_engine import _ColumnMethod, _columns_per_entry, _Permuted
from ._registry import register
from ._score import _score

__all__ = ["Permutation"]


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
    numba``) the loops are fused. Other estimators use a copy of X per
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
                                         _columns_per_entry(inputs.feature_groups, X.shape[1]))
        return self._result(baseline - scores, inputs.feature_names, scorer)

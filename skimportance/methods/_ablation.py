"""Ablation: the score drop when a column is held at one value."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import StrOptions

from ._column_engine import _ColumnMethod, _Constant, _columns_per_entry
from ._registry import register

__all__ = ["Ablation"]


def _is_missing(value):
    return value is None or (isinstance(value, float) and np.isnan(value))


def _typical_value(column, value):
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
            if X.dtype == object:  # categories behind an encoder: see _typical_value
                return np.array([_typical_value(X[:, j], self.value) for j in range(X.shape[1])],
                                dtype=object)
            if not np.isnan(X.sum(axis=0)).any():  # no NaN: no copy of X for the mean
                return X.mean(axis=0) if self.value == "mean" else np.median(X, axis=0)
            # Missing values are left out (an imputer in the Pipeline fills them anyway),
            # one column at a time, so that only a column is ever copied.
            constants = np.empty(X.shape[1])
            for j in range(X.shape[1]):
                present = X[:, j][~np.isnan(X[:, j])]
                if present.size == 0:
                    raise ValueError(f"value={self.value!r}: column {j} of X is all NaN, "
                                     "so it has no mean or median to hold it at.")
                constants[j] = present.mean() if self.value == "mean" else np.median(present)
            return constants
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
                                         _columns_per_entry(inputs.feature_groups, X.shape[1]))
        return self._result(baseline - scores, inputs.feature_names, scorer)

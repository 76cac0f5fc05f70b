"""How much each input depends on the others: the check before trusting a permutation."""

from numbers import Integral

import numpy as np
from sklearn.base import clone
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import HasMethods, Interval, validate_params
from sklearn.utils.validation import check_array

from ._groups import _spearman
from ._parallel import delayed, run

__all__ = ["Dependence", "feature_dependence"]


class Dependence:
    """How well each input is predicted by the others, and their pairwise dependence.

    Returned by :func:`feature_dependence`.

    Attributes
    ----------
    feature_names : ndarray of str
    r2 : ndarray of shape (n_features,)
        Cross-validated R² of each input predicted from all the others: 0 for an input
        the others say nothing about (or for a text column, not predicted), near 1 for
        one they determine, where a marginal permutation scores the model far from the
        data. Negative when the model predicts worse than the mean.
    r2_folds : ndarray of shape (n_features, n_folds)
        The R² of each held-out fold.
    matrix : ndarray of shape (n_features, n_features)
        ``|Spearman correlation|`` of each pair of inputs (1 on the diagonal; 0 with a
        text column), the distance of :func:`~skimportance.correlation_groups` being
        ``1 - matrix``.
    """

    def __init__(self, feature_names, r2, r2_folds, matrix):
        self.feature_names = np.asarray(feature_names, dtype=object)
        self.r2 = np.asarray(r2, dtype=float)
        self.r2_folds = np.asarray(r2_folds, dtype=float)
        self.matrix = np.asarray(matrix, dtype=float)

    def __repr__(self):
        top = np.argsort(-self.r2, kind="stable")[:3]
        shown = ", ".join(f"{self.feature_names[j]}={self.r2[j]:.2f}" for j in top)
        return f"Dependence({len(self.r2)} inputs; highest R² from the others: {shown})"

    def to_frame(self):
        """A pandas DataFrame: one row per input, its R² (mean and spread over the folds),
        the most dependent other input and their ``|Spearman|``.

        Returns
        -------
        frame : pandas.DataFrame
        """
        import pandas as pd

        off = self.matrix.copy()
        np.fill_diagonal(off, -np.inf)
        closest = off.argmax(axis=1) if len(off) > 1 else np.zeros(len(off), dtype=int)
        frame = pd.DataFrame({
            "r2": self.r2,
            "r2_std": self.r2_folds.std(axis=1),
            "closest": [self.feature_names[k] if len(off) > 1 else None for k in closest],
            "spearman": [off[j, k] if len(off) > 1 else np.nan
                         for j, k in enumerate(closest)],
        }, index=pd.Index(self.feature_names, name="feature"))
        return frame

    def matrix_frame(self):
        """The pairwise matrix as a DataFrame labelled by the inputs.

        Returns
        -------
        frame : pandas.DataFrame
        """
        import pandas as pd

        return pd.DataFrame(self.matrix, index=self.feature_names, columns=self.feature_names)


def _fold_r2(estimator, Z, target, others, train, test):
    """R² on the held-out rows of a clone fitted on the training rows."""
    truth = target[test]
    total = ((truth - truth.mean()) ** 2).sum()
    if others.size == 0:
        prediction = np.full(len(test), target[train].mean())
    else:
        model = clone(estimator).fit(Z[np.ix_(train, others)], target[train])
        prediction = model.predict(Z[np.ix_(test, others)])
    residual = ((truth - prediction) ** 2).sum()
    return 1.0 - residual / total if total > 0 else 0.0


@validate_params(
    {
        "X": ["array-like"],
        "cv": [Interval(Integral, 2, None, closed="left")],
        "estimator": [HasMethods(["fit", "predict"]), None],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    },
    prefer_skip_nested_validation=True,
)
def feature_dependence(X, *, cv=5, estimator=None, random_state=0, n_jobs=None):
    """How much of each input the other inputs explain: look before trusting a
    permutation importance.

    For each input, the cross-validated R² of a regression of it on all the others
    (text columns are one-hot encoded as predictors, and not predicted themselves),
    and the pairwise ``|Spearman correlation|`` matrix. An input with a high R² (above
    about 0.5) is one whose shuffled values make rows that do not occur in the data:
    :class:`~skimportance.methods.Permutation` and :class:`~skimportance.methods.Ablation`
    then charge the model's extrapolation to it, drop-and-retrain gives it almost
    nothing; prefer :class:`~skimportance.methods.ConditionalPermutation` or group it
    (``feature_groups="auto"``). The R² catches dependence on several inputs jointly,
    which no single pairwise correlation shows. As rfpimp's ``feature_dependence_matrix``
    does for forests.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Rows with missing values are left out.
    cv : int, default=5
        Folds (shuffled) of the cross-validated R².
    estimator : regressor or None, default=None
        The regression of each input on the others, cloned per fold. None:
        ``make_pipeline(StandardScaler(), RidgeCV())``, which measures linear
        dependence; pass a non-linear one (``HistGradientBoostingRegressor()``) for
        more, at more cost.
    random_state : int, RandomState instance or None, default=0
        Shuffles the rows into folds.
    n_jobs : int, default=None
        The inputs are regressed in parallel with joblib.

    Returns
    -------
    dependence : Dependence
        ``r2``, ``r2_folds``, ``matrix``, ``feature_names`` and ``to_frame()``; draw it
        with :func:`skimportance.plotting.plot_dependence_matrix`.

    See Also
    --------
    correlation_groups : Groups of correlated inputs, for ``feature_groups``.

    Examples
    --------
    >>> import numpy as np
    >>> from skimportance import feature_dependence
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3))
    >>> X[:, 2] = X[:, 0] - X[:, 1] + 0.1 * rng.normal(size=300)  # no pair shows it
    >>> dependence = feature_dependence(X)
    >>> bool((dependence.r2 > 0.95).all())  # each is determined by the other two
    True
    >>> bool(dependence.matrix[0, 1] < 0.2)  # though x0 and x1 are independent
    True
    """
    columns = getattr(X, "columns", None)
    values = check_array(X, dtype=None, ensure_all_finite=False, ensure_min_samples=2,
                         input_name="X")
    n_features = values.shape[1]
    names = ([str(c) for c in columns] if columns is not None
             else [f"x{j}" for j in range(n_features)])
    parts, owner, numeric = [], [], []
    for j in range(n_features):
        try:
            column = np.asarray(values[:, j], dtype=float)[:, None]
            numeric.append(True)
        except (TypeError, ValueError):
            _, codes = np.unique(values[:, j].astype(str), return_inverse=True)
            column = np.eye(codes.max() + 1)[codes]
            numeric.append(False)
        parts.append(column)
        owner += [j] * column.shape[1]
    Z = np.hstack(parts)
    owner = np.array(owner)
    Z = Z[np.isfinite(Z).all(axis=1)]
    if len(Z) < cv:
        raise ValueError(f"cv={cv} asks for {cv} folds, but X has {len(Z)} rows without "
                         "missing values; use fewer folds.")
    model = make_pipeline(StandardScaler(), RidgeCV()) if estimator is None else estimator
    splits = list(KFold(cv, shuffle=True, random_state=random_state).split(Z))
    tasks = [(j, delayed(_fold_r2)(model, Z, Z[:, np.flatnonzero(owner == j)[0]],
                                   np.flatnonzero(owner != j), train, test))
             for j in range(n_features) if numeric[j] for train, test in splits]
    results = run((task for _, task in tasks), n_jobs=n_jobs)
    r2_folds = np.zeros((n_features, cv))
    for k, ((j, _), value) in enumerate(zip(tasks, results)):
        r2_folds[j, k % cv] = value
    return Dependence(names, r2_folds.mean(axis=1), r2_folds, _spearman(values))

"""Several importance methods on one network: the computation behind the command line
tool's table and :func:`~skimportance.plotting.plot_comparison`."""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import Bunch
from sklearn.utils.validation import check_is_fitted

from ._agreement import rank_descending
from ._result import combine_folds

__all__ = ["compare_methods"]


def compare_methods(estimator, X, y, methods, *, scale=True, random_state=None, cv=None):
    """Every method's importances of the inputs of one network, normalised to compare.

    Parameters
    ----------
    estimator : estimator
        An MLP, a Pipeline ending in one, or a meta-estimator, fitted or not. Without
        ``cv``, a fitted estimator is read as it is and an unfitted one is fitted on
        X, y first (a clone: the caller's is left unfitted). With ``cv``, a clone is
        fitted on the training rows of each fold.
    X : array-like of shape (n_samples, n_features)
        Data the importances are computed on.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets, for the methods that score the model (and for fitting).
    methods : str, ImportanceMethod or sequence of them
        The methods, by name (see :data:`skimportance.methods.METHODS`) or as objects;
        objects are cloned, never modified.
    scale : bool, default=True
        Passed to :func:`~skimportance.feature_importances`.
    random_state : int, RandomState instance or None, default=None
        Given to the methods that draw random numbers (permutations, k-means groups);
        None leaves each method's own ``random_state``.
    cv : int, cross-validation generator, iterable or None, default=None
        None computes every method on (X, y) with one network. Otherwise the
        importances are held-out: on each fold a clone is fitted on the training rows
        and every method is computed on the held-out rows (drop-and-retrain refits on
        the training rows), as the meta-estimators' ``cv`` does.

    Returns
    -------
    comparison : Bunch
        ``feature_names`` (of the results), ``method_names``, ``importances`` (one
        :class:`~skimportance.Importances` per method, pooled over the folds with
        ``cv``), ``normalized`` of shape (n_methods, n_features) (each row the mean over
        folds of ``result.normalized()``: clipped at 0, summing to 1), ``spread`` of
        the same shape (the standard deviation over the folds of the normalised
        values; zeros without ``cv``), ``ranks`` of the same shape (1 for the largest;
        ties share their average rank) and ``scores`` (the held-out score of each
        fold's network, with ``cv``; None without).

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance._compare import compare_methods
    >>> X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0)
    >>> comparison = compare_methods(mlp, X, y, ["garson", "olden"], random_state=0)
    >>> comparison.method_names
    ['garson', 'olden']
    >>> comparison.normalized.shape
    (2, 3)
    >>> comparison.normalized.sum(axis=1).round(6).tolist()
    [1.0, 1.0]
    >>> held_out = compare_methods(mlp, X, y, ["gradient"], random_state=0, cv=3)
    >>> len(held_out.scores), held_out.spread.shape
    (3, (1, 3))
    """
    from .methods import ImportanceMethod, get_method

    if isinstance(methods, (str, ImportanceMethod)):
        methods = [methods]
    methods = [get_method(method) for method in methods]
    if not methods:
        raise ValueError("methods is empty; give at least one importance method.")
    for method in methods:
        if random_state is not None and method.random:
            method.set_params(random_state=random_state)
    if cv is None:
        per_fold, scores = [_all_methods(_fitted(estimator, X, y), methods, X, y, scale)], None
    else:
        per_fold, scores = _cross_fitted(estimator, methods, X, y, scale, cv)
    importances = [combine_folds(list(results)) if len(results) > 1 else results[0]
                   for results in zip(*per_fold)]
    # (n_folds, n_methods, n_features): each fold's normalised values
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # all zeros in one fold: said below
        normalized = np.array([[np.asarray(r.normalized(), dtype=float) for r in results]
                               for results in per_fold])
    mean = normalized.mean(axis=0)
    for method, row in zip(methods, mean):
        if not row.any():
            warnings.warn(f"All importances from method {method.name!r} are zero or "
                          "negative" + (" in every fold" if cv is not None else "")
                          + ": it ranks nothing.", UserWarning, stacklevel=2)
    return Bunch(feature_names=importances[-1].feature_names,
                 method_names=[method.name for method in methods],
                 importances=importances, normalized=mean, spread=normalized.std(axis=0),
                 ranks=np.vstack([rank_descending(row) for row in mean]), scores=scores)


def _all_methods(fitted, methods, X, y, scale, training=None):
    from ._dispatch import run_method

    return [run_method(method, fitted, X, y, scale=scale, training=training)
            for method in methods]


def _cross_fitted(estimator, methods, X, y, scale, cv):
    """Each fold's results of every method, on its held-out rows; each fold's score."""
    from sklearn.base import is_classifier
    from sklearn.model_selection import check_cv
    from sklearn.utils import _safe_indexing

    from ._estimators import _BaseImportance

    if isinstance(estimator, _BaseImportance):  # its network, fitted or not
        estimator = estimator._make_estimator()
    splitter = check_cv(cv, y, classifier=is_classifier(estimator))
    per_fold, scores = [], []
    for train, test in splitter.split(X, y):
        X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
        X_test, y_test = _safe_indexing(X, test), _safe_indexing(y, test)
        fitted = clone(estimator).fit(X_train, y_train)
        per_fold.append(_all_methods(fitted, methods, X_test, y_test, scale,
                                     training=(X_train, y_train, {})))
        scores.append(fitted.score(X_test, y_test))
    return per_fold, np.array(scores)


def _fitted(estimator, X, y):
    """The network to read: the estimator if fitted (a meta-estimator's estimator_),
    else a clone fitted on X, y."""
    from ._dispatch import fitted_estimator

    try:
        check_is_fitted(estimator)
    except NotFittedError:
        estimator = clone(estimator).fit(X, y)
    return fitted_estimator(estimator)

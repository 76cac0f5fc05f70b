"""Several importance methods on one network: the computation behind the command line
tool's table and :func:`~skimportance.plotting.plot_comparison`."""

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils import Bunch
from sklearn.utils.validation import check_is_fitted

from ._agreement import rank_descending

__all__ = ["compare_methods"]


def compare_methods(estimator, X, y, methods, *, scale=True, random_state=None):
    """Every method's importances of the inputs of one network, normalised to compare.

    Parameters
    ----------
    estimator : estimator
        An MLP, a Pipeline ending in one, or a meta-estimator, fitted or not; when it
        is not fitted, a clone is fitted on X, y first (the caller's is left unfitted).
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

    Returns
    -------
    comparison : Bunch
        ``feature_names`` (of the results), ``method_names``, ``importances`` (one
        :class:`~skimportance.Importances` per method), ``normalized`` of shape
        (n_methods, n_features) (each row ``result.normalized()``: clipped at 0,
        summing to 1) and ``ranks`` of the same shape (1 for the largest; ties share
        their average rank).

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
    """
    from ._dispatch import feature_importances
    from .methods import ImportanceMethod, get_method

    if isinstance(methods, (str, ImportanceMethod)):
        methods = [methods]
    methods = [get_method(method) for method in methods]
    if not methods:
        raise ValueError("methods is empty; give at least one importance method.")
    fitted = _fitted(estimator, X, y)
    importances = []
    for method in methods:
        if random_state is not None and method.random:
            method.set_params(random_state=random_state)
        importances.append(feature_importances(fitted, X, y, method=method, scale=scale))
    normalized = np.vstack([np.asarray(result.normalized(), dtype=float)
                            for result in importances])
    return Bunch(feature_names=importances[-1].feature_names,
                 method_names=[method.name for method in methods],
                 importances=importances, normalized=normalized,
                 ranks=np.vstack([rank_descending(row) for row in normalized]))


def _fitted(estimator, X, y):
    """The network to read: the estimator if fitted (a meta-estimator's estimator_),
    else a clone fitted on X, y."""
    from ._dispatch import fitted_estimator

    try:
        check_is_fitted(estimator)
    except NotFittedError:
        estimator = clone(estimator).fit(X, y)
    return fitted_estimator(estimator)

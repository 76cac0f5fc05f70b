"""The plain function: importances of an already fitted estimator."""

import numpy as np
from sklearn.utils.validation import _check_sample_weight, check_array, check_is_fitted

from .methods import METHODS, get_method

__all__ = ["feature_importances"]


def _feature_names(X, estimator):
    columns = getattr(X, "columns", None)
    if columns is not None:
        return np.asarray(columns, dtype=object)
    return getattr(estimator, "feature_names_in_", None)


def feature_importances(estimator, X=None, y=None, *, method="olden", scale=True,
                        sample_weight=None, return_local=False):
    """Importances of the inputs of an already fitted network, without refitting.

    Parameters
    ----------
    estimator : fitted estimator
        An ``MLPRegressor`` or ``MLPClassifier``, a ``Pipeline`` whose last step is one
        and whose earlier steps are per-feature scalers, or a ``FrozenEstimator`` of
        either. Methods that score the model (and callables) take any estimator.
    X : array-like of shape (n_samples, n_features), default=None
        Data to evaluate the network on, and to measure each input's standard
        deviation for ``scale=True``. Needed by gradient methods and by ``scale=True``.
    y : array-like, default=None
        Targets, for methods that score the model.
    method : str, ImportanceMethod or callable, default="olden"
        ``"weights"``, ``"garson"``, ``"olden"``, ``"gradient"``,
        ``"integrated_gradients"``, ``"conductance"``, ``"profile"``,
        ``"permutation"``, ``"ablation"``, ``"drop"``, an object from
        :mod:`skimportance.methods`, or ``func(fitted_estimator, X, y) -> importances``.
    scale : bool, default=True
        Compute as if the inputs had been standardised: first-layer weights and
        gradients are multiplied by each input's standard deviation in ``X``. With
        ``False``, the raw-weight numbers that NeuralNetTools, caret and NeuralSens
        report. A network fed by a StandardScaler gets the same numbers either way.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights for the standard deviations and for averages over rows.
    return_local : bool, default=False
        Also return per-row values, for the methods that have them (integrated
        gradients, conductance): ``result.local`` of shape
        ``(n_samples, n_outputs, n_features)``, and ``result.neuron_local`` for
        conductance.

    Returns
    -------
    result : Importances
        ``per_output``, ``importances_mean``, ``feature_names``, ``method``, ...

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> X, y = load_diabetes(return_X_y=True)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(10,), max_iter=30, random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, method="gradient")
    >>> result.importances_mean.shape
    (10,)
    """
    method = get_method(method)
    check_is_fitted(estimator)
    feature_names = None
    if X is not None:
        feature_names = _feature_names(X, estimator)
        X = check_array(X, dtype=[np.float64, np.float32], input_name="X")
        sample_weight = None if sample_weight is None else _check_sample_weight(
            sample_weight, X)
    elif getattr(estimator, "feature_names_in_", None) is not None:
        feature_names = estimator.feature_names_in_
    if y is not None:
        y = np.asarray(y)
    extra = {}
    if return_local:
        if not getattr(method, "has_local", False):
            local = sorted(name for name, cls in METHODS.items()
                           if getattr(cls, "has_local", False))
            raise ValueError(
                f"return_local=True needs a method with per-row values ({', '.join(local)}); "
                f"method {method.name!r} has none."
            )
        extra["return_local"] = True
    return method.compute(estimator, X, y, scale=scale, sample_weight=sample_weight,
                          feature_names=feature_names, **extra)

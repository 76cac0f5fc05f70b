"""The plain function: importances of an already fitted estimator."""

import numpy as np
from sklearn.utils.validation import _check_sample_weight, check_array, check_is_fitted

from ._groups import resolve_groups
from ._network import final_step
from .methods import METHODS, get_method

__all__ = ["feature_importances"]


def _feature_names(X, estimator):
    columns = getattr(X, "columns", None)
    if columns is not None:
        return np.asarray(columns, dtype=object)
    return getattr(estimator, "feature_names_in_", None)


def _validated_X(X, estimator):
    if final_step(estimator)[0]:
        values = check_array(X, dtype=None, ensure_all_finite=False, input_name="X")
        if values.dtype == object:
            try:
                values.astype(float)
            except (TypeError, ValueError):
                # Text categories for a Pipeline that encodes them: it checks them.
                return values
    return check_array(X, dtype=[np.float64, np.float32], input_name="X")


def prepare(estimator, X, sample_weight, feature_groups):
    """Validated X and sample_weight, the result's entry names and their columns."""
    feature_names = None
    if X is not None:
        feature_names = _feature_names(X, estimator)
        X = _validated_X(X, estimator)
        sample_weight = None if sample_weight is None else _check_sample_weight(
            sample_weight, X)
    elif getattr(estimator, "feature_names_in_", None) is not None:
        feature_names = estimator.feature_names_in_
    groups = None
    if feature_groups is not None:
        n_features = X.shape[1] if X is not None else getattr(estimator, "n_features_in_",
                                                               None)
        if n_features is None:
            raise ValueError("feature_groups needs X, to know the columns it refers to.")
        groups, feature_names = resolve_groups(feature_groups, n_features, feature_names)
    return X, sample_weight, feature_names, groups


def feature_importances(estimator, X=None, y=None, *, method="olden", scale=True,
                        sample_weight=None, feature_groups=None, return_local=False):
    """Importances of the inputs of an already fitted network, without refitting.

    Parameters
    ----------
    estimator : fitted estimator
        An ``MLPRegressor`` or ``MLPClassifier``, a ``Pipeline`` whose last step is one,
        or a ``FrozenEstimator`` of either. Methods that score the model (and callables)
        take any estimator. Per-feature scalers before the network are folded into its
        first layer; other steps that keep each encoded column tied to one column of X
        (a ``ColumnTransformer`` with a ``OneHotEncoder``) are traced back, so weight
        and gradient methods report one value per column of X, summed over the
        columns it was encoded into.
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
    feature_groups : list or dict, default=None
        Columns to rank together, like rfpimp's ``features``: a list whose entries are
        a column (index, or name when X is a DataFrame) or a list of columns, or a dict
        ``{name: list of columns}``. The result then has one value per entry (columns
        left out are not reported), named by the dict's keys, or the column's name, or
        the group's names joined by "+". Permutation shuffles a group's columns with the
        same row order (their joint values stay), ablation replaces them together,
        drop-and-retrain refits without all of them; weight and gradient methods sum
        over the group (the absolute values, for a group of several columns of a signed
        method), integrated gradients sum the signed per-row attributions (which keeps
        completeness). Not for ``"profile"``.
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
    >>> import numpy as np
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> X, y = load_diabetes(return_X_y=True)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(10,), max_iter=30, random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, method="gradient")
    >>> result.importances_mean.shape
    (10,)

    Rank columns 4 to 9 (six blood serum measurements) as one:

    >>> grouped = feature_importances(mlp, X, method="gradient",
    ...                               feature_groups={"age": [0], "serum": [4, 5, 6, 7, 8, 9]})
    >>> grouped.feature_names.tolist()
    ['age', 'serum']
    >>> bool(np.isclose(grouped.importances_mean[1], result.importances_mean[4:].sum()))
    True
    """
    method = get_method(method)
    check_is_fitted(estimator)
    extra = {}
    X, sample_weight, feature_names, groups = prepare(estimator, X, sample_weight,
                                                      feature_groups)
    if groups is not None:
        extra["feature_groups"] = groups
    if y is not None:
        y = np.asarray(y)
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

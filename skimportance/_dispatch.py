"""The plain function, and the one path every caller takes to run a method."""

from numbers import Real

import numpy as np
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, validate_data

from ._dask import is_dask_array, run_dask
from ._groups import AUTO_THRESHOLD, correlation_groups, resolve_groups
from ._validation import overflow_hint, validated_X
from .methods import get_method

__all__ = ["feature_importances", "run_method"]

def unwrap_meta(estimator):
    """A fitted meta-estimator's ``estimator_``; any other estimator as it is.

    Raises NotFittedError for a meta-estimator that is not fitted.
    """
    from ._estimators import _BaseImportance

    if isinstance(estimator, _BaseImportance):
        check_is_fitted(estimator)
        return estimator.estimator_
    return estimator


def fitted_estimator(estimator):
    """The fitted estimator to read: a fitted meta-estimator's ``estimator_``."""
    estimator = unwrap_meta(estimator)
    check_is_fitted(estimator)
    return estimator


def _feature_names(X, estimator):
    columns = getattr(X, "columns", None)
    if columns is not None:
        return np.asarray(columns, dtype=object)
    return getattr(estimator, "feature_names_in_", None)


def validated_sample_weight(sample_weight, X):
    try:
        sample_weight = _check_sample_weight(sample_weight, X, ensure_non_negative=True)
    except ValueError as exc:
        if "sample_weight" in str(exc):
            raise
        raise ValueError(f"sample_weight: {exc}") from exc
    if not np.all(np.isfinite(sample_weight)):
        raise ValueError("sample_weight contains NaN or infinity; weights must be finite.")
    if not sample_weight.sum() > 0:
        raise ValueError("sample_weight sums to zero: at least one row needs a positive "
                         "weight.")
    return sample_weight


def validated_inputs(estimator, X, sample_weight, feature_groups,
                     group_threshold=AUTO_THRESHOLD):
    """Validated X and sample_weight, the result's entry names and their columns.

    X's column names and count are checked against the fitted estimator's, as
    scikit-learn's ``predict`` does: importances computed by position must not be
    labelled with other names. ``feature_groups="auto"`` is resolved on X.
    """
    feature_names = None
    if X is not None:
        validate_data(estimator, X, reset=False, skip_check_array=True)
        feature_names = _feature_names(X, estimator)
        X = validated_X(X, estimator)
        if sample_weight is not None:
            sample_weight = validated_sample_weight(sample_weight, X)
    elif getattr(estimator, "feature_names_in_", None) is not None:
        feature_names = estimator.feature_names_in_
    groups = None
    if feature_groups is not None:
        n_features = X.shape[1] if X is not None else getattr(estimator, "n_features_in_",
                                                               None)
        if n_features is None:
            raise ValueError("feature_groups needs X, to know the columns it refers to.")
        if isinstance(feature_groups, str) and feature_groups == "auto":
            if X is None:
                raise ValueError("feature_groups='auto' needs X, to correlate its columns.")
            if isinstance(group_threshold, bool) or not isinstance(group_threshold, Real) \
                    or not 0 <= group_threshold <= 1:
                raise ValueError(f"group_threshold must be a number in [0, 1] (the largest "
                                 f"1 - |Spearman| within a group); got {group_threshold!r}.")
            feature_groups = correlation_groups(X, group_threshold,
                                                feature_names=feature_names)
        groups, feature_names = resolve_groups(feature_groups, n_features, feature_names)
    return X, sample_weight, feature_names, groups


def _validated_y(y, X):
    if y is None:
        return None
    y = np.asarray(y)
    if X is not None and y.ndim > 0 and len(y) != X.shape[0]:
        raise ValueError(f"y has {len(y)} rows but X has {X.shape[0]}; they must match.")
    return y


def check_finite(result, method, X):
    """Raise, naming the entries and a likely cause, if a result holds NaN or infinity."""
    if isinstance(result, dict):  # one result per scorer
        for one in result.values():
            check_finite(one, method, X)
        return result
    bad = ~np.isfinite(np.asarray(result.per_output, dtype=float)).all(axis=0)
    bad |= ~np.isfinite(np.asarray(result.importances_mean, dtype=float))
    if result.importances is not None:
        bad |= ~np.isfinite(np.asarray(result.importances, dtype=float)).all(axis=1)
    if bad.any():
        names = ", ".join(map(str, result.feature_names[bad][:5]))
        raise ValueError(
            f"Method {method.name!r} gave non-finite importances (NaN or infinity) for "
            f"{names}{', ...' if bad.sum() > 5 else ''}.{overflow_hint(X)}"
        )
    return result


def run_method(method, estimator, X=None, y=None, *, scale=True, sample_weight=None,
               feature_groups=None, return_local=False, training=None,
               group_threshold=AUTO_THRESHOLD):
    """Validate the data, run ``method.compute`` and check its result: every caller's path.

    ``training``: ``(X_train, y_train, fit_params)`` for methods that refit. A
    ``dask.array`` X is computed block by block (:mod:`skimportance._dask`).
    """
    if is_dask_array(X):
        return run_dask(method, estimator, X, y, scale=scale, sample_weight=sample_weight,
                        feature_groups=feature_groups, return_local=return_local)
    estimator = fitted_estimator(estimator)
    X, sample_weight, feature_names, groups = validated_inputs(
        estimator, X, sample_weight, feature_groups, group_threshold)
    y = _validated_y(y, X)
    X_train, y_train, fit_params = (training if training is not None and
                                    method.needs_training_data else (None, None, None))
    result = method.compute(estimator, X, y, scale=scale, sample_weight=sample_weight,
                            feature_names=feature_names, feature_groups=groups,
                            return_local=return_local, X_train=X_train, y_train=y_train,
                            fit_params=fit_params)
    return check_finite(result, method, X)


def feature_importances(estimator, X=None, y=None, *, method="gradient", scale=True,
                        sample_weight=None, feature_groups=None, return_local=False,
                        group_threshold=AUTO_THRESHOLD):
    """Importances of the inputs of an already fitted network, without refitting.

    Parameters
    ----------
    estimator : fitted estimator
        An ``MLPRegressor`` or ``MLPClassifier``, a ``Pipeline`` whose last step is one,
        a ``FrozenEstimator`` of either, or a fitted
        :class:`~skimportance.ImportanceRegressor` / :class:`~skimportance.ImportanceClassifier`
        (its ``estimator_`` is read). Methods that score the model (and callables)
        take any estimator. Per-feature scalers before the network are folded into its
        first layer; other steps that keep each encoded column tied to one column of X
        (a ``ColumnTransformer`` with a ``OneHotEncoder``) are traced back, so weight
        and gradient methods report one value per column of X, summed over the
        columns it was encoded into.
    X : array-like of shape (n_samples, n_features), default=None
        Data to evaluate the network on, and to measure each input's standard
        deviation for ``scale=True``. Needed by gradient methods and by ``scale=True``.
        Its column names and count must be those the estimator was fitted with (as
        for the estimator's own ``predict``). NaN is accepted where the estimator
        accepts it (a Pipeline starting with an imputer). A ``dask.array`` is computed
        block by block on the cluster for the methods that stream rows (see
        :ref:`dask_arrays`).
    y : array-like, default=None
        Targets, for methods that score the model.
    method : str, ImportanceMethod or callable, default="gradient"
        ``"weights"``, ``"garson"``, ``"olden"``, ``"gradient"``,
        ``"integrated_gradients"``, ``"conductance"``, ``"profile"``,
        ``"permutation"``, ``"conditional"``, ``"ablation"``, ``"drop"``, an object from
        :mod:`skimportance.methods`, or ``func(fitted_estimator, X, y) -> importances``.
        The default is the most accurate method that needs no ``y`` in the project's
        ground-truth benchmark (mean Spearman correlation with the true importances
        0.910 on held-out rows; ``"permutation"``, which needs ``y``, 0.911 there and
        the meta-estimators' default; ``"olden"`` 0.778): see :ref:`accuracy`.
    scale : bool, default=True
        Compute as if the inputs had been standardised: first-layer weights and
        gradients are multiplied by each input's standard deviation in ``X``. With
        ``False``, the raw-weight numbers that NeuralNetTools, caret and NeuralSens
        report. A network fed by a StandardScaler gets the same numbers either way.
    sample_weight : array-like of shape (n_samples,), default=None
        Non-negative row weights, with a positive sum, for the standard deviations
        and for averages over rows.
    feature_groups : list, dict or "auto", default=None
        Columns to rank together, like rfpimp's ``features``: a list whose entries are
        a column (index, or name when X is a DataFrame) or a list of columns, or a dict
        ``{name: list of columns}``; or ``"auto"``, the groups of
        :func:`~skimportance.correlation_groups` on X (every pair in a group with
        ``|Spearman| >= 1 - group_threshold``; see :ref:`correlated`). The result then
        has one value per entry (columns left out are not reported), named by the
        dict's keys, or the column's name, or the group's names joined by "+".
        Permutation shuffles a group's columns with the same row order (their joint
        values stay), conditional permutation regresses them on the other inputs
        jointly, ablation replaces them together, drop-and-retrain refits without all
        of them; weight and gradient methods sum over the group (the absolute values,
        for a group of several columns of a signed method), integrated gradients sum
        the signed per-row attributions (which keeps completeness). Not for
        ``"profile"``.
    return_local : bool, default=False
        Also return per-row values, for the methods that have them (those whose
        ``has_local`` is True: the gradient family, integrated gradients, conductance,
        Shapley values): ``result.local`` of shape ``(n_samples, n_outputs,
        n_features)``, and ``result.neuron_local`` for conductance.
    group_threshold : float in [0, 1], default=0.3
        With ``feature_groups="auto"``, the largest ``1 - |Spearman|`` within a group
        (default: pairs with ``|Spearman| >= 0.7``; the reason is in
        :func:`~skimportance.correlation_groups`). Ignored otherwise.

    Returns
    -------
    result : Importances or dict of Importances
        ``per_output``, ``importances_mean``, ``feature_names``, ``method``, ...; a
        dict ``{scorer name: Importances}`` when a score-based method is given several
        scorers (``scoring`` a list, tuple or dict), as
        :func:`sklearn.inspection.permutation_importance` returns.

    Raises
    ------
    ValueError
        When X's column names differ from those the estimator was fitted with, when
        ``sample_weight`` has negative entries, or when the method's values are not
        finite (the error names the inputs, and the likely cause).

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
    return run_method(get_method(method), estimator, X, y, scale=scale,
                      sample_weight=sample_weight, feature_groups=feature_groups,
                      return_local=return_local, group_threshold=group_threshold)

"""``feature_interactions``: the one path every caller takes to run an interaction method."""

import numpy as np

from .._dask import is_dask_array, run_dask_interactions
from .._dispatch import _validated_y, fitted_estimator, validated_inputs
from .._validation import overflow_hint
from ._base import get_interaction_method

__all__ = ["feature_interactions", "run_interactions"]


def run_interactions(method, estimator, X, y=None, *, scale=True, sample_weight=None,
                     feature_groups=None, return_local=False):
    """Validate the data, run ``method.compute`` and check that its values are finite."""
    if is_dask_array(X):
        return run_dask_interactions(method, estimator, X, y, scale=scale,
                                     sample_weight=sample_weight,
                                     feature_groups=feature_groups,
                                     return_local=return_local)
    estimator = fitted_estimator(estimator)
    X, sample_weight, feature_names, groups = validated_inputs(estimator, X, sample_weight,
                                                               feature_groups)
    y = _validated_y(y, X)
    result = method.compute(estimator, X, y, scale=scale, sample_weight=sample_weight,
                            feature_names=feature_names, feature_groups=groups,
                            return_local=return_local)
    bad = ~np.isfinite(result.per_output).all(axis=(0, 2))
    if bad.any():
        names = ", ".join(map(str, result.feature_names[bad][:5]))
        raise ValueError(f"Interaction method {method.name!r} gave non-finite values (NaN "
                         f"or infinity) for {names}.{overflow_hint(X)}")
    return result


def feature_interactions(estimator, X, y=None, *, method="hessian", scale=True,
                         sample_weight=None, feature_groups=None, return_local=False):
    """Which inputs of a fitted network act together: pairwise interaction strengths.

    Parameters
    ----------
    estimator : fitted estimator
        An ``MLPRegressor`` or ``MLPClassifier``, a ``Pipeline`` ending in one, a
        ``FrozenEstimator`` of either, or a fitted skimportance meta-estimator;
        ``method="h_statistic"`` takes any fitted estimator.
    X : array-like of shape (n_samples, n_features)
        The rows to evaluate the model on; their spread sets the units with
        ``scale=True``.
    y : array-like, default=None
        Targets, for methods that score the model (none of the built-in ones).
    method : str or interaction method, default="hessian"
        ``"hessian"`` (exact second derivatives of a smooth network; zero almost
        everywhere for ReLU units, which it says), ``"differences"`` (mixed second
        differences with steps set by each input's spread: right for ReLU networks
        too), ``"h_statistic"`` (Friedman & Popescu's H statistic, any estimator), or
        an object from :mod:`skimportance.interactions`. See :ref:`interactions`.
    scale : bool, default=True
        Measure inputs in units of their standard deviation in ``X``: a derivative
        ``d2f / dxi dxj`` is multiplied by ``sigma_i sigma_j``.
    sample_weight : array-like of shape (n_samples,), default=None
        Row weights for the spreads and the averages over rows.
    feature_groups : list or dict, default=None
        Columns to treat as one, as in :func:`skimportance.feature_importances`; an
        encoded Pipeline's columns are mapped back to X's columns the same way (block
        sums of each row's matrix for the derivative methods).
    return_local : bool, default=False
        Also return each row's matrices (``result.local``, shape ``(n_samples,
        n_outputs, n_features, n_features)``) for methods that have them.

    Returns
    -------
    result : Interactions
        ``per_output`` (one symmetric matrix per output), ``summary``,
        ``top_pairs(k)``, ``to_frame()``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_interactions
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 3))
    >>> y = X[:, 0] * X[:, 1] + X[:, 2]
    >>> mlp = MLPRegressor(hidden_layer_sizes=(16,), activation="tanh", solver="lbfgs",
    ...                    max_iter=500, random_state=0).fit(X, y)
    >>> result = feature_interactions(mlp, X, method="hessian")
    >>> result.top_pairs(1)[0][:2]
    ('x0', 'x1')
    """
    return run_interactions(get_interaction_method(method), estimator, X, y, scale=scale,
                            sample_weight=sample_weight, feature_groups=feature_groups,
                            return_local=return_local)

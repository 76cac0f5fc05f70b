"""The entry points: which methods a dask ``X`` is computed for, and by which code."""

import numpy as np

from .._result import Importances
from ._blocks import _validated
from ._hessian import _hessian
from ._rows import _gradient, _rowwise, _weights
from ._scores import _scores


def _supported():
    return ("gradient, input_x_gradient, deeplift, integrated_gradients, conductance, "
            "permutation, ablation, and the weight methods (weights, garson, olden)")


def run_dask_interactions(method, estimator, X, y=None, *, scale=True, sample_weight=None,
                          feature_groups=None, return_local=False):
    """Run an interaction method on a dask ``X``, block by block (the Hessian only)."""
    from .._dispatch import fitted_estimator
    from ..interactions._hessian import Hessian

    estimator = fitted_estimator(estimator)
    method._validate_params()
    if not isinstance(method, Hessian):
        raise TypeError(f"Interaction method {method.name!r} is not computed on a dask X; "
                        "method='hessian' is (its summaries are sums over rows).")
    X, y, sample_weight, names, groups = _validated(estimator, X, y, sample_weight,
                                                    feature_groups)
    result = _hessian(method, estimator, X, sample_weight, scale, groups, names,
                      return_local)
    if not np.isfinite(result.per_output).all():
        raise ValueError(f"Interaction method {method.name!r} gave non-finite values (NaN "
                         "or infinity).")
    return result


def run_dask(method, estimator, X, y=None, *, scale=True, sample_weight=None,
             feature_groups=None, return_local=False):
    """Run ``method`` on a dask ``X`` (and ``y``, ``sample_weight``), block by block.

    Parameters and result as :func:`skimportance._dispatch.run_method`; ``result.local``
    (with ``return_local=True``) is a dask array.

    Raises
    ------
    TypeError
        If the method cannot be computed from blocks of rows (it names the methods
        that can).
    """
    from .._dispatch import check_finite, fitted_estimator
    from ..methods import Ablation, Gradient, Permutation
    from ..methods._base import NetworkMethod
    from ..methods._deeplift import DeepLift, InputXGradient
    from ..methods._path import _PathMethod

    estimator = fitted_estimator(estimator)
    method._validate_params()
    X, y, sample_weight, names, groups = _validated(estimator, X, y, sample_weight,
                                                    feature_groups)
    if return_local and not method.has_local:
        method.check_inputs(X, y, return_local)  # its error, naming the methods
    if isinstance(method, (Permutation, Ablation)):
        result = _scores(method, estimator, X, y, sample_weight, groups, names)
        return check_finite(result, method, None)
    if isinstance(method, Gradient):
        per_output, k, extras = _gradient(method, estimator, X, sample_weight, scale,
                                          groups, return_local)
    elif isinstance(method, (InputXGradient, DeepLift, _PathMethod)):
        per_output, k, extras = _rowwise(method, estimator, X, sample_weight, groups,
                                         return_local)
    elif isinstance(method, NetworkMethod) and not method.needs_X:
        per_output, k, extras = _weights(method, estimator, X, sample_weight, scale, groups)
    else:
        raise TypeError(
            f"Method {method.name!r} is not computed on a dask X (it needs all rows at "
            f"once, refits, or draws random numbers tied to row positions). Methods "
            f"that accept a dask X: {_supported()}; or pass X as a numpy array.")
    from ..methods._base import output_names

    names_out = output_names(estimator, k) if per_output.shape[0] == k else ["all outputs"]
    result = Importances(per_output, method=method.name, feature_names=names,
                         output_names=names_out, extras=extras)
    return check_finite(result, method, None)

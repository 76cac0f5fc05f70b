"""A user's own importance function, wrapped to follow the method contract."""

import numpy as np

from .._groups import combine_columns
from .._result import Importances
from ._base import ImportanceMethod

__all__ = ["CallableMethod"]


class CallableMethod(ImportanceMethod):
    """Wrap ``func(fitted_estimator, X, y) -> importances`` as an importance method.

    The function returns shape ``(n_features,)`` or ``(n_outputs, n_features)``. It
    works with any estimator; ``scale`` and ``sample_weight`` are not passed to it.

    Parameters
    ----------
    func : callable
        ``func(fitted_estimator, X, y)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LinearRegression
    >>> from skimportance import feature_importances
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0]])
    >>> lr = LinearRegression().fit(X, [0.0, 2.0, 4.0])
    >>> result = feature_importances(lr, X, method=lambda est, X, y: np.abs(est.coef_))
    >>> result.importances_mean.round(6)
    array([2., 0.])
    """

    needs_network = False

    def __init__(self, func):
        self.func = func

    @property
    def name(self):
        return getattr(self.func, "__name__", type(self.func).__name__)

    def _compute(self, inputs):
        X, feature_groups = inputs.X, inputs.feature_groups
        returned = self.func(inputs.estimator, X, inputs.y)
        try:
            values = np.asarray(returned, dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"The importance function {self.name!r} must return numbers; got "
                f"{returned!r:.80}.") from exc
        n_features = None if X is None else X.shape[1]
        if values.ndim not in (1, 2) or (
            n_features is not None and values.shape[-1] != n_features
        ):
            expected = "(n_features,)" if n_features is None else f"({n_features},)"
            raise ValueError(
                f"The importance function {self.name!r} returned shape {values.shape}; "
                f"expected {expected} or (n_outputs, {n_features or 'n_features'})."
            )
        if feature_groups is not None:
            values = combine_columns(values, feature_groups)
        return Importances(values, method=self.name, feature_names=inputs.feature_names)

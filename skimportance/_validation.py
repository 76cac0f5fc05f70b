"""Input checks shared by the function, the meta-estimators and the methods."""

import numpy as np
from sklearn.utils.validation import check_array

from .network import final_step, is_mlp

__all__ = ["overflow_hint", "validated_X"]

# Above this magnitude, squares of the inputs (a standard deviation, a first-layer
# product summed over many units) overflow float64 (max ~1.8e308): named in errors.
HUGE = 1e150


def validated_X(X, estimator, input_name="X"):
    """X as an array. A bare MLP needs finite numbers; a Pipeline or another estimator
    gets whatever it takes (text categories, NaN for an imputer): it checks them itself,
    as it does in ``predict``."""
    steps, final = final_step(estimator)
    if not steps and is_mlp(final):
        return check_array(X, dtype=[np.float64, np.float32], input_name=input_name)
    values = check_array(X, dtype=None, ensure_all_finite=False, input_name=input_name)
    if values.dtype.kind in "OUS":
        try:
            return values.astype(float)
        except (TypeError, ValueError):
            return values  # text categories for a Pipeline that encodes them
    if values.dtype.kind not in "fc":
        return values.astype(np.float64)
    return values


def overflow_hint(X):
    """A sentence on what in X can make a network's arithmetic non-finite, or ""."""
    if X is None or X.dtype.kind != "f" or not X.size:
        return ""
    if np.isnan(X).any():
        return (" X has missing values (NaN) that reach the network: impute them in the "
                "Pipeline (a SimpleImputer before the network).")
    largest = np.max(np.abs(X))
    if largest > HUGE:
        return (f" X has values as large as {largest:.3g}, where the arithmetic of the "
                "network overflows: rescale X (or put a StandardScaler in the Pipeline).")
    return ""

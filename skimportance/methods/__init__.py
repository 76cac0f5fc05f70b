"""Importance methods. Each is a small scikit-learn style object with ``compute``.

Select one by object (``Garson(variant="neuralnettools")``) or by its string name
(``"garson"``); :data:`METHODS` maps the names to the classes.
"""

from ._base import ImportanceMethod, NetworkMethod
from ._callable import CallableMethod
from ._drop import DropRetrain
from ._gradient import Gradient
from ._path import Conductance, IntegratedGradients
from ._profile import LekProfile
from ._score import Ablation, Permutation, ScoreMethod
from ._weights import ConnectionWeight, Garson, WeightMagnitude

METHODS = {
    cls.name: cls for cls in (WeightMagnitude, Garson, ConnectionWeight, Gradient,
                              IntegratedGradients, Conductance, LekProfile,
                              Permutation, Ablation, DropRetrain)
}

__all__ = [
    "METHODS",
    "Ablation",
    "CallableMethod",
    "Conductance",
    "ConnectionWeight",
    "DropRetrain",
    "Garson",
    "Gradient",
    "ImportanceMethod",
    "IntegratedGradients",
    "LekProfile",
    "NetworkMethod",
    "Permutation",
    "ScoreMethod",
    "WeightMagnitude",
    "get_method",
]


def get_method(method):
    """Turn a method name, method object or callable into a method object.

    Parameters
    ----------
    method : str, ImportanceMethod or callable
        A name from :data:`METHODS`, an object with ``compute``, or a callable
        ``(fitted_estimator, X, y) -> importances``.

    Returns
    -------
    method : ImportanceMethod
        A fresh object: the caller's object is never modified.
    """
    from difflib import get_close_matches

    from sklearn.base import clone

    if isinstance(method, str):
        if method not in METHODS:
            close = get_close_matches(method.lower(), sorted(METHODS), n=3, cutoff=0.5)
            hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise ValueError(
                f"Unknown method {method!r}.{hint} Choose one of {sorted(METHODS)}, an "
                "importance method object, or a callable (estimator, X, y) -> importances."
            )
        return METHODS[method]()
    if isinstance(method, type):
        raise TypeError(
            f"method={method.__name__} is a class; pass an instance, "
            f"method={method.__name__}(), or its name."
        )
    if hasattr(method, "compute"):
        return clone(method)
    if callable(method):
        return CallableMethod(method)
    raise TypeError(
        f"method must be a string among {sorted(METHODS)}, an importance method object or "
        f"a callable; got {type(method).__name__}."
    )


def methods_for_any_estimator():
    """Names of the methods that do not need the weights of an MLP."""
    return sorted(name for name, cls in METHODS.items() if not cls.needs_network)

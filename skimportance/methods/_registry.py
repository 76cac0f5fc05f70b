"""The registry of importance methods: names to classes, and turning a user's ``method``
argument into a method object.

A method class registers itself with :func:`register`; the package ``__init__`` imports
every method module, so :data:`METHODS` is complete once ``skimportance.methods`` is
imported, in the order the modules are imported there.
"""

from difflib import get_close_matches

from sklearn.base import clone

__all__ = ["DEFAULT_METHOD", "DEFAULT_METHOD_WITHOUT_Y", "METHODS", "get_method", "methods_for_any_estimator",
           "register"]

METHODS = {}

# The meta-estimators' default method and the one the command recommends: the most
# accurate in the ground-truth benchmark (benchmarks/bench_ground_truth.py; the numbers
# are in docs/user_guide/accuracy.rst). feature_importances defaults to the most accurate
# method that needs no y, DEFAULT_METHOD_WITHOUT_Y.
DEFAULT_METHOD = "permutation"
DEFAULT_METHOD_WITHOUT_Y = "gradient"


def register(cls):
    """Class decorator: make ``cls`` selectable by its ``name``."""
    if cls.name in METHODS:
        raise ValueError(f"Two importance methods are named {cls.name!r}.")
    METHODS[cls.name] = cls
    return cls


def get_method(method):
    """Turn a method name, method object or callable into a method object.

    Parameters
    ----------
    method : str, ImportanceMethod or callable
        A name from :data:`METHODS`, an :class:`ImportanceMethod`, or a callable
        ``(fitted_estimator, X, y) -> importances``.

    Returns
    -------
    method : ImportanceMethod
        A fresh object: the caller's object is never modified.

    Examples
    --------
    >>> from skimportance.methods import get_method
    >>> get_method("gradient")
    Gradient()
    """
    from ._base import ImportanceMethod
    from ._callable import CallableMethod

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
    if isinstance(method, ImportanceMethod):
        return clone(method)
    if callable(method):
        return CallableMethod(method)
    raise TypeError(
        f"method must be a string among {sorted(METHODS)}, an ImportanceMethod (a subclass "
        "from skimportance.methods) or a callable (estimator, X, y) -> importances; got "
        f"{type(method).__name__}."
    )


def methods_for_any_estimator():
    """Names of the methods that do not need the weights of an MLP."""
    return sorted(name for name, cls in METHODS.items() if not cls.needs_network)

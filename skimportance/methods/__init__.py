"""Importance methods. Each is a small scikit-learn style object with ``compute``.

Select one by object (``Garson(variant="neuralnettools")``) or by its string name
(``"garson"``); :data:`METHODS` maps the names to the classes.
"""

# The import order is the order of METHODS (and of the command's columns).
from ._base import ImportanceMethod, NetworkMethod
from ._weights import ConnectionWeight, Garson, WeightMagnitude
from ._gradient import Gradient
from ._path import Conductance, IntegratedGradients
from ._profile import LekProfile
from ._deeplift import DeepLift, InputXGradient
from ._noise import SmoothGrad
from ._expected_gradients import ExpectedGradients
from ._shapley import Shapley
from ._sage import Sage
from ._score import ScoreMethod
from ._permutation import Permutation
from ._conditional import ConditionalPermutation
from ._ablation import Ablation
from ._drop import DropRetrain
from ._callable import CallableMethod
from ._registry import DEFAULT_METHOD, METHODS, get_method, methods_for_any_estimator

__all__ = [
    "DEFAULT_METHOD",
    "METHODS",
    "Ablation",
    "CallableMethod",
    "ConditionalPermutation",
    "Conductance",
    "ConnectionWeight",
    "DeepLift",
    "DropRetrain",
    "ExpectedGradients",
    "Garson",
    "Gradient",
    "ImportanceMethod",
    "InputXGradient",
    "IntegratedGradients",
    "LekProfile",
    "NetworkMethod",
    "Permutation",
    "Sage",
    "ScoreMethod",
    "SmoothGrad",
    "Shapley",
    "WeightMagnitude",
    "get_method",
    "methods_for_any_estimator",
]

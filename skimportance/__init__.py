"""skimportance: which inputs of a scikit-learn neural network matter.

Meta-estimators that fit an MLP and expose ``feature_importances_`` computed by a
pluggable method, and a function that computes the same on an already fitted network.
"""

from ._estimators import ImportanceClassifier, ImportanceRegressor
from ._dispatch import feature_importances
from ._result import Importances
from ._significance import randomization_test

__version__ = "0.1.0"

__all__ = [
    "ImportanceClassifier",
    "ImportanceRegressor",
    "Importances",
    "feature_importances",
    "randomization_test",
    "__version__",
]

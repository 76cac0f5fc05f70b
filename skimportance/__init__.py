"""skimportance: which inputs of a scikit-learn neural network matter.

Meta-estimators that fit an MLP and expose ``feature_importances_`` computed by a
pluggable method, and a function that computes the same on an already fitted network.
"""

from ._estimators import ImportanceClassifier, ImportanceRegressor
from ._dispatch import feature_importances
from ._faithfulness import Faithfulness, evaluate_methods
from ._result import ConfidenceInterval, Importances
from ._significance import RandomizationTestResult, randomization_test

__version__ = "0.1.0"

__all__ = [
    "ConfidenceInterval",
    "Faithfulness",
    "ImportanceClassifier",
    "ImportanceRegressor",
    "Importances",
    "RandomizationTestResult",
    "evaluate_methods",
    "feature_importances",
    "randomization_test",
    "__version__",
]

"""skimportance: which inputs of a scikit-learn neural network matter.

Meta-estimators that fit an MLP and expose ``feature_importances_`` computed by a
pluggable method, and a function that computes the same on an already fitted network.
"""

from ._estimators import ImportanceClassifier, ImportanceRegressor
from ._dispatch import feature_importances
from ._dependence import Dependence, feature_dependence
from ._groups import correlation_groups
from ._faithfulness import Faithfulness, evaluate_methods
from ._result import ConfidenceInterval, Importances
from .interactions import Interactions
from .interactions._dispatch import feature_interactions
from ._significance import RandomizationTestResult, randomization_test

__version__ = "0.1.0"

__all__ = [
    "ConfidenceInterval",
    "Dependence",
    "Faithfulness",
    "ImportanceClassifier",
    "ImportanceRegressor",
    "Importances",
    "Interactions",
    "RandomizationTestResult",
    "correlation_groups",
    "evaluate_methods",
    "feature_dependence",
    "feature_importances",
    "feature_interactions",
    "randomization_test",
    "__version__",
]

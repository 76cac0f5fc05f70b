"""scikit-learn's own estimator checks, on both meta-estimators with several methods."""

from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils.estimator_checks import parametrize_with_checks

from skimportance import ImportanceClassifier, ImportanceRegressor
from skimportance.methods import METHODS, Garson, Gradient, IntegratedGradients, Permutation


def mlp_regressor():
    return MLPRegressor(hidden_layer_sizes=(20,), max_iter=500, random_state=0)


def mlp_classifier():
    return MLPClassifier(hidden_layer_sizes=(20,), max_iter=500, random_state=0)


ESTIMATORS = [
    ImportanceRegressor(mlp_regressor()),
    ImportanceRegressor(mlp_regressor(), method="gradient"),
    ImportanceRegressor(mlp_regressor(), method=IntegratedGradients(n_steps=8)),
    ImportanceRegressor(mlp_regressor(), method=Permutation(n_repeats=2, random_state=0)),
    ImportanceRegressor(mlp_regressor(), n_refits=2),
    ImportanceClassifier(mlp_classifier(), method="garson"),
    ImportanceClassifier(mlp_classifier(), method=Gradient(aggregate="rms")),
    ImportanceClassifier(mlp_classifier(), method=Garson(variant="neuralnettools")),
]


@parametrize_with_checks(ESTIMATORS)
def test_sklearn_compatible(estimator, check):
    check(estimator)


# The defaults a user gets: the default network (MLPRegressor() / MLPClassifier()) and
# every method by its name. The checks set ``random_state=0`` on the meta-estimator,
# which seeds the default network and the methods that draw random numbers.
DEFAULTS = [cls(method=name) for cls in (ImportanceRegressor, ImportanceClassifier)
            for name in sorted(METHODS)]


@parametrize_with_checks(DEFAULTS)
def test_sklearn_compatible_with_defaults(estimator, check):
    check(estimator)

"""Gradient aggregates against numpy on the full Jacobian."""

import numpy as np
import pytest
import sklearn
from conftest import random_mlp

from skimportance import feature_importances
from skimportance.network import unwrap_network
from skimportance.methods import Gradient

AGGREGATES = {
    "mean_abs": lambda J, w: np.average(np.abs(J), axis=0, weights=w),
    "rms": lambda J, w: np.sqrt(np.average(J**2, axis=0, weights=w)),
    "mean": lambda J, w: np.average(J, axis=0, weights=w),
    "std": lambda J, w: np.sqrt(np.average((J - np.average(J, axis=0, weights=w)) ** 2,
                                           axis=0, weights=w)),
}


@pytest.mark.parametrize("aggregate", AGGREGATES)
@pytest.mark.parametrize("weighted", [False, True])
def test_aggregates_equal_numpy_in_chunks(aggregate, weighted, rng):
    mlp = random_mlp((4, 8, 3), "tanh", "softmax", seed=2)
    X = rng.normal(loc=1, scale=[1, 2, 3, 4], size=(3000, 4))
    w = rng.uniform(0.1, 2, size=3000) if weighted else None
    J = unwrap_network(mlp).input_gradients(X)
    expected = AGGREGATES[aggregate](J, w) * X.std(axis=0) if not weighted else (
        AGGREGATES[aggregate](J, w)
        * np.sqrt(np.average((X - np.average(X, axis=0, weights=w)) ** 2, axis=0, weights=w))
    )
    with sklearn.config_context(working_memory=0.05):  # forces many chunks
        result = feature_importances(mlp, X, method=Gradient(aggregate=aggregate),
                                     sample_weight=w)
    np.testing.assert_allclose(result.per_output, expected, rtol=1e-10, atol=1e-14)


def test_logit_output_of_a_classifier_differs_from_proba(rng):
    mlp = random_mlp((3, 5, 1), "relu", "logistic", seed=3)
    X = rng.normal(size=(200, 3))
    proba = feature_importances(mlp, X, method=Gradient(output="proba"), scale=False)
    logit = feature_importances(mlp, X, method=Gradient(output="logit"), scale=False)
    net = unwrap_network(mlp)
    p = net.predict(X)[:, 0]
    J_logit = net.input_gradients(X, output="logit")[:, 0]
    np.testing.assert_allclose(logit.per_output[0], np.abs(J_logit).mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(
        proba.per_output[0], np.abs(J_logit * (p * (1 - p))[:, None]).mean(axis=0), rtol=1e-12
    )


def test_classifier_outputs_are_named_by_class(rng):
    mlp = random_mlp((3, 5, 3), "relu", "softmax")
    result = feature_importances(mlp, rng.normal(size=(10, 3)), method="gradient")
    assert list(result.output_names) == list(mlp.classes_)
    binary = random_mlp((3, 5, 1), "relu", "logistic")
    result = feature_importances(binary, rng.normal(size=(10, 3)), method="gradient")
    assert list(result.output_names) == [binary.classes_[1]]


def test_gradient_parameters_are_validated(rng):
    mlp = random_mlp((3, 5, 1))
    with pytest.raises(ValueError, match="'aggregate' parameter of Gradient"):
        feature_importances(mlp, rng.normal(size=(5, 3)), method=Gradient(aggregate="max"))

"""The path walk of ReLU networks against the batched quadrature pass."""

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skimportance.methods._path_integrals import _chunk_sums, quadrature
from skimportance.methods._relu_walk import HAVE_NUMBA, walk_sums
from skimportance.network import unwrap_network

pytestmark = pytest.mark.skipif(not HAVE_NUMBA, reason="the walk is compiled by numba")


@pytest.mark.parametrize("hidden, activation, cls", [
    ((16,), "relu", MLPRegressor), ((16, 8), "relu", MLPRegressor),
    ((12, 8, 6), "relu", MLPClassifier), ((7, 5), "identity", MLPRegressor)])
@pytest.mark.parametrize("rule", ["gausslegendre", "riemann_left", "riemann_trapezoid"])
def test_walk_equals_batched_pass(hidden, activation, cls, rule):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    y = X[:, 0] * X[:, 1] + np.sin(X[:, 2])
    if cls is MLPClassifier:
        y = np.digitize(y, [-0.5, 0.5])
    model = cls(hidden_layer_sizes=hidden, activation=activation, max_iter=300,
                random_state=0).fit(X, y)
    net = unwrap_network(model)
    B = X.mean(axis=0, keepdims=True)
    u = B @ net.coefs[0] + net.intercepts[0]
    v = (X[:30] - B) @ net.coefs[0]
    alphas, weights = quadrature(rule, 20)
    deep = list(range(1, len(hidden)))
    D0, sums0 = _chunk_sums(net, u, v, alphas, weights, "logit", deep, False)
    D1, sums1 = walk_sums(net, u, v, alphas, weights, deep)
    np.testing.assert_allclose(D1, D0, rtol=0, atol=1e-12 * np.abs(D0).max())
    for layer in deep:
        scale = np.abs(sums0[layer]).max()
        np.testing.assert_allclose(sums1[layer], sums0[layer], rtol=0, atol=1e-12 * scale)
    # Each node's state follows from the last one's whatever the order: reversed nodes
    # give the same sums.
    D2, _ = walk_sums(net, u, v, alphas[::-1], weights[::-1], deep)
    np.testing.assert_allclose(D2, D0, rtol=0, atol=1e-12 * np.abs(D0).max())


def test_walk_refuses_smooth_units():
    X = np.random.default_rng(1).normal(size=(50, 3))
    model = MLPRegressor(hidden_layer_sizes=(4,), activation="tanh", max_iter=20,
                         random_state=0).fit(X, X[:, 0])
    net = unwrap_network(model)
    alphas, weights = quadrature("gausslegendre", 5)
    with pytest.raises(ValueError, match="activation='tanh'"):
        walk_sums(net, net.intercepts[0][None], X[:2] @ net.coefs[0], alphas, weights, [])

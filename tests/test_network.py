"""The numpy core against scikit-learn's own forward pass and finite differences."""

import numpy as np
import pytest
import sklearn
from conftest import random_mlp
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    MaxAbsScaler,
    MinMaxScaler,
    QuantileTransformer,
    RobustScaler,
    StandardScaler,
)

from skimportance.network import NotAnMLPError, unwrap_network

ACTIVATIONS = ["identity", "logistic", "tanh", "relu"]
OUTPUTS = [("identity", 1), ("identity", 2), ("exp", 1), ("logistic", 1),
           ("logistic", 3), ("softmax", 3)]


def predict_like_sklearn(mlp, X):
    if mlp.out_activation_ == "softmax" or (
        mlp.out_activation_ == "logistic" and mlp.coefs_[-1].shape[1] == 1
    ):
        proba = mlp.predict_proba(X)
        return proba[:, 1:] if mlp.out_activation_ == "logistic" else proba
    if mlp.out_activation_ == "logistic":
        return mlp.predict_proba(X)
    pred = mlp.predict(X)
    return pred.reshape(len(X), -1)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("out_activation,k", OUTPUTS)
def test_forward_matches_sklearn(activation, out_activation, k, rng):
    mlp = random_mlp((4, 5, 3, k), activation, out_activation)
    X = rng.normal(size=(20, 4))
    net = unwrap_network(mlp)
    # atol: outputs of order 1, some near 0, computed in another order than scikit-learn's.
    np.testing.assert_allclose(net.predict(X), predict_like_sklearn(mlp, X), rtol=1e-12,
                               atol=1e-12)


def central_differences(f, X, eps=1e-6):
    n, p = X.shape
    columns = []
    for i in range(p):
        step = np.zeros(p)
        step[i] = eps
        columns.append((f(X + step) - f(X - step)) / (2 * eps))
    return np.stack(columns, axis=-1)  # (n, k, p)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("out_activation,k", OUTPUTS)
@pytest.mark.parametrize("output", ["proba", "logit"])
def test_gradients_equal_finite_differences(activation, out_activation, k, output, rng):
    mlp = random_mlp((4, 6, 5, k), activation, out_activation, seed=1)
    net = unwrap_network(mlp)
    X = rng.normal(size=(25, 4))
    J = net.input_gradients(X, output=output)
    fd = central_differences(lambda Z: net.predict(Z, output=output), X)
    assert J.shape == (25, k, 4)
    if activation == "relu":
        # Finite differences straddling a kink are not derivatives: skip those rows.
        hidden, _ = net.forward(X)
        pre = [X @ net.coefs[0] + net.intercepts[0],
               hidden[0] @ net.coefs[1] + net.intercepts[1]]
        safe = np.all([np.abs(z).min(axis=1) > 1e-4 for z in pre], axis=0)
        J, fd = J[safe], fd[safe]
        assert len(J) > 10
    np.testing.assert_allclose(J, fd, rtol=1e-6, atol=1e-8)


def test_gradients_of_linear_network_are_the_weight_product(rng):
    mlp = random_mlp((3, 4, 2, 2), "identity", "identity")
    net = unwrap_network(mlp)
    J = net.input_gradients(rng.normal(size=(5, 3)))
    product = mlp.coefs_[0] @ mlp.coefs_[1] @ mlp.coefs_[2]
    np.testing.assert_allclose(J, np.broadcast_to(product.T, (5, 2, 3)), rtol=1e-12,
                               atol=1e-12)


def test_gradient_batches_cover_all_rows_under_small_working_memory(rng):
    mlp = random_mlp((3, 8, 1), "tanh")
    net = unwrap_network(mlp)
    X = rng.normal(size=(1000, 3))
    full = net.input_gradients(X)
    with sklearn.config_context(working_memory=0.01):
        batches = list(net.gradient_batches(X))
    assert len(batches) > 1
    np.testing.assert_allclose(np.concatenate([J for _, J in batches]), full, rtol=1e-14,
                               atol=1e-13)


@pytest.mark.parametrize("scaler", [StandardScaler(), MinMaxScaler(), MaxAbsScaler(),
                                    RobustScaler(), "two"])
def test_scalers_are_folded_into_the_first_layer(scaler, rng):
    X = rng.normal(loc=3, scale=[1, 10, 100], size=(50, 3))
    y = X @ [1.0, 0.1, 0.01]
    steps = [StandardScaler(), MinMaxScaler()] if scaler == "two" else [scaler]
    mlp = random_mlp((3, 4, 1), "tanh")
    pipe = make_pipeline(*steps, mlp)
    for step in pipe[:-1]:
        step.fit(X if step is pipe[0] else pipe[0].transform(X), y)
    net = unwrap_network(pipe, X)
    np.testing.assert_allclose(net.predict(X).ravel(), pipe.predict(X), rtol=1e-10,
                               atol=1e-10)


def test_non_affine_step_is_refused(rng):
    X = rng.normal(size=(50, 3))
    pipe = make_pipeline(QuantileTransformer(n_quantiles=20), random_mlp((3, 4, 1)))
    pipe[0].fit(X)
    with pytest.raises(NotAnMLPError, match="not a per-feature scaling"):
        unwrap_network(pipe, X)

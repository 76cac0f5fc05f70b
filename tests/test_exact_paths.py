"""Exact integrated gradients of ReLU networks (quadrature="exact"): the path's linear
pieces, checked against a closed form, completeness, and a dense Riemann sum."""

import numpy as np
import pytest
import sklearn
from sklearn.utils._param_validation import InvalidParameterError

from skimportance import feature_importances
from skimportance.methods import Conductance, IntegratedGradients

from conftest import make_mlp, random_mlp


def exact(output="logit", baseline="mean"):
    return IntegratedGradients(quadrature="exact", output=output, baseline=baseline)


def test_one_hidden_layer_equals_the_closed_form(rng):
    # F(x) = sum_j w_j relu(z_j(x)): along the path, dF/dx_i = sum_j w_j W1[i, j] on the
    # part of [0, 1] where z_j(t) = u_j + t v_j > 0, whose length is known exactly.
    W1, b1, w2 = rng.normal(size=(4, 7)), rng.normal(size=7), rng.normal(size=(7, 1))
    mlp = make_mlp([W1, w2], [b1, [0.3]], "relu", "identity")
    X = rng.normal(size=(25, 4)) * 2
    base = X.mean(axis=0)
    u, v = base @ W1 + b1, (X - base) @ W1
    with np.errstate(divide="ignore"):
        root = -u / v
    on = np.where(v > 0, 1 - np.clip(root, 0, 1), np.clip(root, 0, 1))
    on = np.where(v == 0, (u > 0) * 1.0, on)
    expected = (X - base) * ((on * w2[:, 0]) @ W1.T)
    result = feature_importances(mlp, X, method=exact(), return_local=True)
    np.testing.assert_allclose(result.local[:, 0], expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("layers, out_activation, output", [
    ((5, 16, 12, 8, 1), "identity", "logit"),
    ((5, 16, 12, 1), "logistic", "proba"),
    ((5, 16, 12, 1), "exp", "proba"),
    ((5, 16, 12, 3), "softmax", "logit"),
])
def test_completeness_to_rounding(layers, out_activation, output):
    mlp = random_mlp(layers, "relu", out_activation, seed=3)
    X = np.random.default_rng(4).normal(size=(60, 5)) * 2
    result = feature_importances(mlp, X, method=exact(output), return_local=True)
    gap = np.abs(result.local).sum(axis=2).max()
    assert gap > 0.1
    assert np.abs(result.convergence_delta).max() <= 1e-12 * gap
    # A 50-step rule misses it by orders of magnitude on the same rows.
    rule = feature_importances(mlp, X, method=IntegratedGradients(output=output))
    assert np.abs(rule.convergence_delta).max() > 1e-6 * gap


def test_equals_a_dense_riemann_sum():
    # An oracle that knows nothing of the pieces: midpoints of 40000 equal steps, whose
    # error on a piecewise-constant integrand is at most about (pieces / steps).
    mlp = random_mlp((3, 10, 6, 1), "relu", "identity", seed=5)
    X = np.random.default_rng(6).normal(size=(8, 3)) * 2
    ours = feature_importances(mlp, X, method=exact(), return_local=True).local
    dense = feature_importances(mlp, X, method=IntegratedGradients(
        n_steps=40000, quadrature="riemann_middle"), return_local=True).local
    np.testing.assert_allclose(ours, dense, rtol=0, atol=2e-3 * np.abs(ours).max())


def test_identity_units_have_a_single_piece():
    mlp = random_mlp((4, 6, 5, 2), "identity", "identity", seed=7)
    X = np.random.default_rng(8).normal(size=(20, 4))
    ours = feature_importances(mlp, X, method=exact(), return_local=True).local
    rule = feature_importances(mlp, X, method=IntegratedGradients(), return_local=True).local
    np.testing.assert_allclose(ours, rule, rtol=0, atol=1e-12)


def test_row_baselines_and_chunks_do_not_change_the_numbers():
    mlp = random_mlp((4, 12, 6, 1), "relu", "identity", seed=9)
    X = np.random.default_rng(10).normal(size=(50, 4))
    baselines = np.random.default_rng(11).normal(size=(50, 4))
    whole = feature_importances(mlp, X, method=exact(baseline=baselines), return_local=True)
    with sklearn.config_context(working_memory=0.01):  # a few rows per chunk
        small = feature_importances(mlp, X, method=exact(baseline=baselines),
                                    return_local=True)
    np.testing.assert_allclose(small.local, whole.local, rtol=0, atol=1e-13)
    one = feature_importances(mlp, X[3:4], method=exact(baseline=baselines[3:4]),
                              return_local=True)
    np.testing.assert_allclose(one.local[0], whole.local[3], rtol=0, atol=1e-13)
    assert np.abs(whole.convergence_delta).max() < 1e-12


def test_clear_errors():
    X = np.random.default_rng(0).normal(size=(10, 4))
    with pytest.raises(ValueError, match="piecewise-linear hidden units.*'tanh'"):
        feature_importances(random_mlp((4, 5, 1), "tanh", "identity"), X, method=exact())
    with pytest.raises(ValueError, match="cannot integrate a softmax"):
        feature_importances(random_mlp((4, 5, 3), "relu", "softmax"), X,
                            method=exact("proba"))
    with pytest.raises(InvalidParameterError, match="quadrature"):
        feature_importances(random_mlp((4, 5, 1), "relu", "identity"), X,
                            method=Conductance(quadrature="exact"))

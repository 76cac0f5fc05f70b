"""Weight magnitude, Garson and connection weights against hand-computed numbers."""

import numpy as np
import pytest
from conftest import make_mlp, random_mlp

from skimportance import feature_importances
from skimportance.methods import ConnectionWeight, Garson, WeightMagnitude

# A 2-3-1 network worked by hand (the numbers below are done on paper).
W1 = [[1.0, -2.0, 0.5], [3.0, 1.0, -1.0]]
W2 = [[2.0], [-1.0], [4.0]]
# Two rows whose columns have standard deviations 2 and 0.5.
X_STD = np.array([[-2.0, -0.5], [2.0, 0.5]])


@pytest.fixture
def hand_net():
    return make_mlp([W1, W2], activation="relu")


def test_weight_magnitude_by_hand(hand_net):
    raw = feature_importances(hand_net, method="weights", scale=False)
    np.testing.assert_allclose(raw.per_output, [[3.5, 5.0]])
    scaled = feature_importances(hand_net, X_STD, method="weights")
    np.testing.assert_allclose(scaled.per_output, [[2 * 3.5, 0.5 * 5.0]])


def test_garson_by_hand(hand_net):
    # Hidden-unit column sums of |W1| are 4, 3 and 1.5.
    q0 = 1 / 4 * 2 + 2 / 3 * 1 + 1 / 3 * 4
    q1 = 3 / 4 * 2 + 1 / 3 * 1 + 2 / 3 * 4
    raw = feature_importances(hand_net, method="garson", scale=False)
    np.testing.assert_allclose(raw.per_output, [[q0 / 7, q1 / 7]], rtol=1e-14)
    # Scaled first layer [[2, -4, 1], [1.5, 0.5, -0.5]]: column sums 3.5, 4.5, 1.5.
    s0 = 2 / 3.5 * 2 + 4 / 4.5 * 1 + 1 / 1.5 * 4
    s1 = 1.5 / 3.5 * 2 + 0.5 / 4.5 * 1 + 0.5 / 1.5 * 4
    scaled = feature_importances(hand_net, X_STD, method="garson")
    np.testing.assert_allclose(scaled.per_output, [[s0 / 7, s1 / 7]], rtol=1e-14)


def test_garson_neuralnettools_variant_by_hand(hand_net):
    s0, s1 = 1 / 4 + 2 / 3 + 1 / 3, 3 / 4 + 1 / 3 + 2 / 3
    result = feature_importances(hand_net, method=Garson(variant="neuralnettools"),
                                 scale=False)
    np.testing.assert_allclose(result.per_output, [[s0 / 3, s1 / 3]], rtol=1e-14)


def test_connection_weight_by_hand(hand_net):
    raw = feature_importances(hand_net, method="olden", scale=False)
    np.testing.assert_allclose(raw.per_output, [[6.0, 1.0]])
    np.testing.assert_allclose(raw.importances_mean, [6.0, 1.0])
    scaled = feature_importances(hand_net, X_STD, method=ConnectionWeight())
    np.testing.assert_allclose(scaled.per_output, [[12.0, 0.5]])


def garson_written_out(w, v):
    """METHODS.md's one-hidden-layer formula, loop by loop."""
    n_in, n_hidden = w.shape
    n_out = v.shape[1]
    Q = np.zeros((n_out, n_in))
    for k in range(n_out):
        for i in range(n_in):
            for j in range(n_hidden):
                Q[k, i] += abs(w[i, j]) / sum(abs(w[r, j]) for r in range(n_in)) * abs(v[j, k])
        Q[k] /= Q[k].sum()
    return Q


def garson_deep_written_out(coefs):
    """METHODS.md's any-depth generalisation, loop by loop."""
    W = coefs[0]
    C = np.array([[abs(W[i, j]) / np.abs(W[:, j]).sum() for j in range(W.shape[1])]
                  for i in range(W.shape[0])])
    for W in coefs[1:-1]:
        C = np.array([[sum(C[i, j] * abs(W[j, m]) / np.abs(W[:, m]).sum()
                           for j in range(W.shape[0])) for m in range(W.shape[1])]
                      for i in range(C.shape[0])])
    V = coefs[-1]
    Q = np.array([[sum(C[i, j] * abs(V[j, k]) for j in range(V.shape[0]))
                   for i in range(C.shape[0])] for k in range(V.shape[1])])
    return Q / Q.sum(axis=1, keepdims=True)


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_garson_equals_formula_written_out(n_outputs):
    mlp = random_mlp((5, 7, n_outputs), seed=3)
    result = feature_importances(mlp, method="garson", scale=False)
    expected = garson_written_out(mlp.coefs_[0], mlp.coefs_[1])
    np.testing.assert_allclose(result.per_output, expected, rtol=1e-12)
    np.testing.assert_allclose(result.per_output.sum(axis=1), 1.0, rtol=1e-12)


@pytest.mark.parametrize("layers", [(4, 6, 5, 2), (3, 5, 4, 6, 3)])
def test_garson_deep_equals_generalisation_written_out(layers, rng):
    mlp = random_mlp(layers, seed=4)
    X = rng.normal(scale=np.arange(1, layers[0] + 1), size=(40, layers[0]))
    result = feature_importances(mlp, X, method="garson")
    sigma = X.std(axis=0)
    scaled = [sigma[:, None] * mlp.coefs_[0]] + mlp.coefs_[1:]
    np.testing.assert_allclose(result.per_output, garson_deep_written_out(scaled), rtol=1e-12)
    np.testing.assert_allclose(result.per_output.sum(axis=1), 1.0, rtol=1e-12)


def test_neuralnettools_variant_gives_every_output_the_same_values():
    mlp = random_mlp((4, 6, 3), out_activation="softmax", seed=5)
    nnt = feature_importances(mlp, method=Garson(variant="neuralnettools"), scale=False)
    assert nnt.per_output.shape == (3, 4)
    np.testing.assert_allclose(nnt.per_output, np.tile(nnt.per_output[0], (3, 1)), rtol=1e-12)
    # ...and the default variant does not: the output weights matter there.
    garson = feature_importances(mlp, method="garson", scale=False)
    assert np.ptp(garson.per_output, axis=0).max() > 1e-3


def test_neuralnettools_variant_refuses_two_hidden_layers():
    mlp = random_mlp((3, 4, 4, 1))
    with pytest.raises(ValueError, match="one hidden layer"):
        feature_importances(mlp, method=Garson(variant="neuralnettools"), scale=False)


def caret_garson_written_out(i2h, h2o):
    """Gevrey et al. (2003)'s steps as caret's GarsonWeights takes them (hidden x inputs)."""
    imp = np.zeros((i2h.shape[1], h2o.shape[1]))
    for out in range(h2o.shape[1]):
        P = np.abs(i2h) * np.abs(h2o[:, [out]])
        Q = P / P.sum(axis=1, keepdims=True)
        S = Q.sum(axis=0)
        imp[:, out] = S / S.sum() * 100
    return imp


def test_neuralnettools_variant_on_gevrey_worked_example():
    # The worked example of Gevrey, Dimopoulos & Lek (2003), hidden x inputs.
    i2h = np.array([[-1.67624, 3.29022, 1.32466], [-0.51874, -0.22921, -0.25526],
                    [-4.01764, 2.12486, -0.08168], [-1.75691, -1.44702, 0.58286]])
    h2o = np.array([[4.57857], [-0.48815], [-5.73901], [-2.65221]])
    mlp = make_mlp([i2h.T, h2o], activation="logistic")
    result = feature_importances(mlp, method=Garson(variant="neuralnettools"), scale=False)
    np.testing.assert_allclose(result.per_output.T * 100, caret_garson_written_out(i2h, h2o),
                               rtol=1e-12)


@pytest.mark.parametrize("layers", [(4, 5, 2), (4, 5, 3, 2), (4, 5, 3, 6, 2)])
def test_connection_weight_is_the_matrix_product(layers):
    mlp = random_mlp(layers, seed=6)
    result = feature_importances(mlp, method="olden", scale=False)
    np.testing.assert_allclose(result.per_output, np.linalg.multi_dot(mlp.coefs_).T,
                               rtol=1e-12)
    np.testing.assert_allclose(result.importances_mean,
                               np.abs(result.per_output).mean(axis=0), rtol=1e-15)


def test_weight_magnitude_has_one_row_for_any_number_of_outputs():
    mlp = random_mlp((4, 5, 3), out_activation="softmax")
    result = feature_importances(mlp, method=WeightMagnitude(), scale=False)
    np.testing.assert_allclose(result.per_output, [np.abs(mlp.coefs_[0]).sum(axis=1)])
    assert list(result.output_names) == ["all outputs"]

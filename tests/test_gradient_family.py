"""Per-row values of the gradient family (issue 13), against independent oracles.

Gradient and InputXGradient against central finite differences of scikit-learn's own
``predict``/``predict_proba``; DeepLift against a hand computation, against integrated
gradients where they coincide (one hidden layer) and by summation-to-delta against
``predict``; SmoothGrad against the closed-form expectation of a ReLU network's gradient
under Gaussian noise (a normal CDF, scipy); ExpectedGradients against integrated
gradients averaged over the background and against a linear network.
"""

import warnings

import numpy as np
import pytest
import sklearn
from conftest import make_mlp, peak_memory, random_mlp
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skimportance import feature_importances
from skimportance.methods import (DeepLift, ExpectedGradients, Gradient, InputXGradient,
                                  IntegratedGradients, SmoothGrad)

norm = pytest.importorskip("scipy.stats").norm


def local(mlp, X, method, **kwargs):
    return feature_importances(mlp, X, method=method, return_local=True, **kwargs)


def F(mlp, X, output):
    """The network's output by scikit-learn alone: predictions, or the logit."""
    if hasattr(mlp, "predict_proba"):
        P = mlp.predict_proba(X)
        if P.shape[1] == 2 and mlp.out_activation_ == "logistic":
            P = P[:, 1:]
        return np.log(P / (1 - P)) if output == "logit" else P
    out = mlp.predict(X).reshape(len(X), -1)
    if output == "logit" and mlp.out_activation_ == "exp":
        return np.log(out)
    return out


def finite_differences(mlp, X, output, h=1e-5):
    """Central differences of F: shape (n, n_outputs, n_features)."""
    columns = []
    for i in range(X.shape[1]):
        step = np.zeros(X.shape[1])
        step[i] = h
        columns.append((F(mlp, X + step, output) - F(mlp, X - step, output)) / (2 * h))
    return np.stack(columns, axis=2)


NETWORKS = [  # (layers, hidden activation, output activation, output)
    ((3, 6, 1), "tanh", "identity", "proba"),
    ((3, 5, 4, 2), "logistic", "identity", "proba"),
    ((3, 6, 1), "tanh", "logistic", "proba"),
    ((3, 6, 1), "tanh", "logistic", "logit"),
    ((3, 6, 3), "tanh", "softmax", "proba"),
    ((3, 5, 1), "tanh", "exp", "logit"),
]


# ----------------------------------------------------------------------- Gradient


@pytest.mark.parametrize("layers, activation, out_activation, output", NETWORKS)
def test_gradient_per_row_values_are_finite_differences_times_sigma(
        layers, activation, out_activation, output, rng):
    mlp = random_mlp(layers, activation, out_activation, seed=1)
    X = rng.normal(scale=[1.0, 3.0, 0.5], size=(40, 3))
    fd = finite_differences(mlp, X, output)
    raw = local(mlp, X, Gradient(output=output), scale=False).local
    np.testing.assert_allclose(raw, fd, rtol=0, atol=1e-7)
    scaled = local(mlp, X, Gradient(output=output))
    np.testing.assert_allclose(scaled.local, fd * X.std(axis=0), rtol=0, atol=1e-7)
    # mean_abs is the mean over rows of the per-row values' absolute value.
    np.testing.assert_allclose(scaled.per_output, np.abs(scaled.local).mean(axis=0),
                               rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("aggregate", ["mean_abs", "rms", "mean", "std"])
def test_gradient_global_values_do_not_change_with_return_local(aggregate, rng):
    mlp = random_mlp((4, 7, 2), "relu", "identity", seed=4)
    X = rng.normal(size=(300, 4))
    w = rng.uniform(0.2, 2.0, size=300)
    method = Gradient(aggregate=aggregate)
    with_local = local(mlp, X, method, sample_weight=w)
    without = feature_importances(mlp, X, method=method, sample_weight=w)
    np.testing.assert_array_equal(with_local.per_output, without.per_output)
    mean = np.average(with_local.local, axis=0, weights=w)  # local holds sigma_i d_i
    expected = {"mean_abs": np.average(np.abs(with_local.local), axis=0, weights=w),
                "rms": np.sqrt(np.average(with_local.local**2, axis=0, weights=w)),
                "mean": mean,
                "std": np.sqrt(np.average((with_local.local - mean) ** 2, axis=0,
                                          weights=w))}[aggregate]
    np.testing.assert_allclose(without.per_output, expected, rtol=1e-10, atol=1e-13)


# ------------------------------------------------------------------ InputXGradient


@pytest.mark.parametrize("layers, activation, out_activation, output", NETWORKS)
def test_input_x_gradient_is_the_distance_times_finite_differences(
        layers, activation, out_activation, output, rng):
    mlp = random_mlp(layers, activation, out_activation, seed=2)
    X = rng.normal(loc=1.0, scale=[1.0, 3.0, 0.5], size=(40, 3))
    fd = finite_differences(mlp, X, output)
    per_row = rng.normal(size=X.shape)
    for baseline, B in [("zeros", np.zeros(3)), ("mean", X.mean(axis=0)),
                        ("median", np.median(X, axis=0)), (per_row, per_row),
                        ([0.5, -1.0, 2.0], np.array([0.5, -1.0, 2.0]))]:
        result = local(mlp, X, InputXGradient(baseline=baseline, output=output))
        expected = fd * (X - B)[:, None, :]
        np.testing.assert_allclose(result.local, expected, rtol=0, atol=1e-6)
        np.testing.assert_allclose(result.per_output, np.abs(expected).mean(axis=0),
                                   rtol=0, atol=1e-6)


def test_input_x_gradient_ignores_scale_and_weights_rows(rng):
    mlp = random_mlp((3, 6, 1), "tanh")
    X = rng.normal(size=(50, 3))
    w = rng.uniform(0.5, 2.0, size=50)
    scaled = local(mlp, X, InputXGradient(), sample_weight=w)
    raw = local(mlp, X, InputXGradient(), sample_weight=w, scale=False)
    np.testing.assert_array_equal(scaled.local, raw.local)
    gradient = local(mlp, X, Gradient(output="logit"), scale=False).local
    B = np.average(X, axis=0, weights=w)  # the weighted mean baseline
    np.testing.assert_allclose(scaled.local, gradient * (X - B)[:, None, :], atol=1e-13)
    np.testing.assert_allclose(scaled.per_output,
                               np.average(np.abs(scaled.local), axis=0, weights=w),
                               atol=1e-13)


# ------------------------------------------------------------------------ DeepLift


def test_deeplift_by_hand_on_a_tiny_relu_network():
    # z = x W1 + b1; at x = (1, 1): z = (3, -1), a = (3, 0); at x' = (-1, 0):
    # z' = (-1, 0), a' = (0, 0). Multipliers (3 - 0) / (3 + 1) = 0.75 and
    # (0 - 0) / (-1 - 0) = 0; input multipliers W1 @ (m * W2) = (0.75, 1.5), times
    # x - x' = (2, 1): (1.5, 1.5), adding up to F(x) - F(x') = 3.5 - 0.5.
    mlp = make_mlp([[[1.0, -1.0], [2.0, 1.0]], [[1.0], [-2.0]]],
                   [[0.0, -1.0], [0.5]], activation="relu")
    X = np.array([[1.0, 1.0]])
    result = local(mlp, X, DeepLift(baseline=[-1.0, 0.0]))
    np.testing.assert_allclose(result.local[0, 0], [1.5, 1.5], rtol=0, atol=1e-15)
    np.testing.assert_allclose(result.convergence_delta, [[0.0]], atol=1e-15)
    # Where a unit's pre-activation does not move, its multiplier is its derivative.
    same = local(mlp, X, DeepLift(baseline=[0.0, 0.0])).local
    np.testing.assert_allclose(same[0, 0], [1.0, 2.0], rtol=0, atol=1e-15)


DEEP_AND_WIDE = [(5, 16, 16, 16, 16, 2), (5, 256, 1), (5, 64, 32, 3)]


@pytest.mark.parametrize("layers", DEEP_AND_WIDE)
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_deeplift_summation_to_delta_to_1e_12(layers, activation, rng):
    mlp = random_mlp(layers, activation, seed=5)
    X = rng.normal(loc=0.5, scale=2.0, size=(60, 5))
    per_row = rng.normal(size=X.shape)
    for baseline, B in [("mean", X.mean(axis=0, keepdims=True)),
                        ("zeros", np.zeros((1, 5))),
                        ("median", np.median(X, axis=0, keepdims=True)),
                        (per_row, per_row), (X[:1] * 0.3, X[:1] * 0.3)]:
        result = local(mlp, X, DeepLift(baseline=baseline))
        gap = F(mlp, X, "proba") - F(mlp, B, "proba")
        scale = max(1.0, np.abs(gap).max())
        np.testing.assert_allclose(result.local.sum(axis=2), gap, rtol=0, atol=1e-12 * scale)
        np.testing.assert_allclose(result.convergence_delta, 0.0, atol=1e-12 * scale)


@pytest.mark.parametrize("out_activation", ["logistic", "exp"])
@pytest.mark.parametrize("output", ["logit", "proba"])
def test_deeplift_through_the_output_activation(out_activation, output, rng):
    mlp = random_mlp((4, 12, 8, 1), "tanh", out_activation, seed=6)
    X = rng.normal(size=(50, 4))
    result = local(mlp, X, DeepLift(output=output))
    gap = F(mlp, X, output) - F(mlp, X.mean(axis=0, keepdims=True), output)
    np.testing.assert_allclose(result.local.sum(axis=2), gap, rtol=0, atol=1e-12)


def test_deeplift_equals_integrated_gradients_with_one_hidden_layer(rng):
    # The pre-activations are linear along the straight path, so integrating f' along
    # it gives the Rescale multiplier exactly.
    mlp = random_mlp((4, 9, 2), "tanh", seed=7)
    X = rng.normal(size=(30, 4))
    deeplift = local(mlp, X, DeepLift(baseline="median")).local
    ig = local(mlp, X, IntegratedGradients(baseline="median", n_steps=200)).local
    np.testing.assert_allclose(deeplift, ig, rtol=0, atol=1e-10)
    # With two hidden layers they differ (the rule is not the path integral).
    deep = random_mlp((4, 9, 9, 2), "tanh", seed=7)
    gap = np.abs(local(deep, X, DeepLift()).local
                 - local(deep, X, IntegratedGradients(n_steps=200)).local).max()
    assert gap > 1e-3


def test_deeplift_of_a_network_that_does_not_switch_is_input_x_gradient(rng):
    # A ReLU network whose rows and baseline share the active units is linear there.
    mlp = random_mlp((3, 6, 4, 1), "relu", seed=8)
    mlp.intercepts_ = [b + 50.0 * (i < 2) for i, b in enumerate(mlp.intercepts_)]
    X = rng.normal(scale=0.1, size=(20, 3))
    deeplift = local(mlp, X, DeepLift(baseline="zeros")).local
    ixg = local(mlp, X, InputXGradient(baseline="zeros")).local
    np.testing.assert_allclose(deeplift, ixg, rtol=0, atol=1e-12)


def test_deeplift_refuses_the_probabilities_of_a_softmax(rng):
    mlp = random_mlp((3, 5, 3), "relu", "softmax")
    X = rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match="output='logit'"):
        feature_importances(mlp, X, method=DeepLift(output="proba"))
    logit = local(mlp, X, DeepLift()).local
    # The logits are the pre-activations: the log-probabilities up to a per-row constant.
    assert logit.shape == (10, 3, 3)


# ---------------------------------------------------------------------- SmoothGrad


def relu_smoothgrad(W, b, v, X, sd):
    """E over e ~ N(0, diag(sd^2)) of dF/dx(x + e) for F = relu(x W + b) v: each unit is
    on with probability Phi(z / tau), tau^2 = sum_i W_ij^2 sd_i^2."""
    z = X @ W + b
    tau = np.sqrt((W**2 * sd[:, None] ** 2).sum(axis=0))
    on = norm.cdf(z / tau)  # (n, h)
    return (on * v[:, 0]) @ W.T, on


def test_smoothgrad_is_the_expected_gradient_under_noise(rng):
    W = rng.normal(size=(3, 4))
    b, v = rng.normal(size=4), rng.normal(size=(4, 1))
    mlp = make_mlp([W, v], [b, np.zeros(1)], activation="relu")
    X = rng.normal(scale=[1.0, 3.0, 0.3], size=(25, 3))
    sd = 0.5 * X.std(axis=0)  # the noise is in units of each input's spread
    expected, _ = relu_smoothgrad(W, b, v, X, sd)
    S = 4000
    result = local(mlp, X, SmoothGrad(n_samples=S, stdevs=0.5, random_state=0), scale=False)
    # Each unit's indicator has variance <= 1/4: a bound on the standard error.
    bound = 0.5 * np.abs(W * v[:, 0]).sum(axis=1) / np.sqrt(S)
    assert np.all(np.abs(result.local[:, 0] - expected) < 5 * bound)
    # scale=True: the same noise, the gradients of the standardised inputs.
    scaled = local(mlp, X, SmoothGrad(n_samples=S, stdevs=0.5, random_state=0))
    np.testing.assert_allclose(scaled.local, result.local * X.std(axis=0), atol=1e-13)


def test_smoothgrad_sq_and_vargrad_of_one_unit(rng):
    w, b, v = rng.normal(size=(3, 1)), np.array([0.3]), np.array([[2.0]])
    mlp = make_mlp([w, v], [b, np.zeros(1)], activation="relu")
    X = rng.normal(size=(20, 3))
    sd = 0.8 * X.std(axis=0)
    _, on = relu_smoothgrad(w, b, v, X, sd)
    g2 = (w[:, 0] * v[0, 0]) ** 2  # the squared gradient when the unit is on
    S = 4000
    sq = local(mlp, X, SmoothGrad(n_samples=S, stdevs=0.8, aggregate="smoothgrad_sq",
                                  random_state=1), scale=False).local[:, 0]
    var = local(mlp, X, SmoothGrad(n_samples=S, stdevs=0.8, aggregate="vargrad",
                                   random_state=1), scale=False).local[:, 0]
    se = 0.5 * g2 / np.sqrt(S)
    assert np.all(np.abs(sq - on * g2) < 5 * se)
    assert np.all(np.abs(var - on * (1 - on) * g2) < 5 * se)
    # The same draws: var = sq - mean^2 with the mean of the same random_state.
    mean = local(mlp, X, SmoothGrad(n_samples=S, stdevs=0.8, random_state=1),
                 scale=False).local[:, 0]
    np.testing.assert_allclose(var, sq - mean**2, atol=1e-12)


@pytest.mark.parametrize("aggregate", ["smoothgrad", "smoothgrad_sq", "vargrad"])
def test_smoothgrad_without_noise_is_the_gradient(aggregate, rng):
    mlp = random_mlp((3, 6, 2), "tanh", seed=9)
    X = rng.normal(size=(30, 3))
    g = local(mlp, X, Gradient()).local
    result = local(mlp, X, SmoothGrad(n_samples=3, stdevs=0.0, aggregate=aggregate,
                                      random_state=0))
    expected = {"smoothgrad": g, "smoothgrad_sq": g**2, "vargrad": 0 * g}[aggregate]
    np.testing.assert_allclose(result.local, expected, rtol=0, atol=1e-13)
    np.testing.assert_allclose(result.per_output, np.abs(expected).mean(axis=0),
                               rtol=0, atol=1e-13)


def test_smoothgrad_is_reproducible_whatever_the_chunks_and_bounded_in_memory(rng):
    mlp = random_mlp((10, 16, 1), "tanh", seed=10)
    X = rng.normal(size=(2000, 10))
    method = SmoothGrad(n_samples=200, random_state=3)
    first = feature_importances(mlp, X, method=method).per_output
    with sklearn.config_context(working_memory=0.05):
        small_chunks = feature_importances(mlp, X, method=method).per_output
    np.testing.assert_allclose(small_chunks, first, rtol=1e-12)
    other = feature_importances(mlp, X, method=SmoothGrad(n_samples=200, random_state=4))
    assert not np.allclose(other.per_output, first, rtol=1e-6)
    # 200 noisy copies of X would take 200 * 160 kB = 32 MB; one chunk of 8 MiB of
    # intermediates is what is allowed (6.4 MB measured).
    peak = peak_memory(lambda: feature_importances(mlp, X, method=method))
    assert peak < 0.3 * 200 * X.nbytes


# --------------------------------------------------------------- ExpectedGradients


def test_expected_gradients_of_a_linear_network(rng):
    W = rng.normal(size=(4, 2))
    mlp = make_mlp([W], [rng.normal(size=2)])
    X = rng.normal(size=(30, 4))
    D = rng.normal(size=(7, 4))
    result = local(mlp, X, ExpectedGradients(background=D, n_samples=5000, random_state=0))
    # The gradient is W everywhere; completeness holds for every draw.
    np.testing.assert_allclose(result.convergence_delta, 0.0, atol=1e-12)
    expected = (X - D.mean(axis=0))[:, None, :] * W.T[None]
    # Only the draws of the baselines vary: sd of (x - b) W over D, / sqrt(S).
    se = np.abs(W.T)[None] * D.std(axis=0)[None, None, :] / np.sqrt(5000)
    assert np.all(np.abs(result.local - expected) < 5 * se + 1e-12)


def test_expected_gradients_converge_to_integrated_gradients_over_the_background(rng):
    mlp = random_mlp((3, 8, 1), "tanh", seed=11)
    X = rng.normal(size=(10, 3))
    D = rng.normal(size=(4, 3))
    ig = np.mean([local(mlp, X, IntegratedGradients(baseline=b, n_steps=64)).local
                  for b in D], axis=0)
    eg = local(mlp, X, ExpectedGradients(background=D, n_samples=20000, random_state=0))
    assert np.abs(eg.local - ig).max() < 0.03 * np.abs(ig).max()
    # Complete in expectation: F(x) minus the mean of F over the background.
    gap = F(mlp, X, "proba") - F(mlp, D, "proba").mean(axis=0)
    assert np.abs(eg.local.sum(axis=2) - gap).max() < 0.03 * np.abs(gap).max()
    np.testing.assert_allclose(eg.per_output, np.abs(eg.local).mean(axis=0), atol=1e-14)


def test_expected_gradients_background_rows_and_reproducibility(rng):
    mlp = random_mlp((3, 8, 2), "relu", seed=12)
    X = rng.normal(size=(150, 3))
    method = ExpectedGradients(background=20, n_samples=30, random_state=5)
    first = local(mlp, X, method)
    with sklearn.config_context(working_memory=0.01):
        chunked = local(mlp, X, method)
    np.testing.assert_allclose(chunked.local, first.local, rtol=0, atol=1e-12)
    # More background rows than X has: all of X, in its order, as an array would be.
    everything = local(mlp, X[:15], ExpectedGradients(background=40, n_samples=30,
                                                       random_state=5))
    explicit = local(mlp, X[:15], ExpectedGradients(background=X[:15], n_samples=30,
                                                     random_state=5))
    np.testing.assert_array_equal(everything.local, explicit.local)
    with pytest.raises(ValueError, match="background has shape"):
        feature_importances(mlp, X, method=ExpectedGradients(background=np.ones((3, 2))))


# ------------------------------------------------ encoded Pipelines and groups


@pytest.fixture(scope="module")
def encoded():
    rng = np.random.default_rng(3)
    n = 90
    colours = np.array(["red", "green", "blue"])[rng.integers(0, 3, size=n)]
    X = np.empty((n, 3), dtype=object)
    X[:, 0], X[:, 1], X[:, 2] = rng.normal(size=n), colours, rng.normal(size=n)
    y = X[:, 0].astype(float) + (colours == "red") + 0.1 * rng.normal(size=n)
    pipe = make_pipeline(ColumnTransformer([("cat", OneHotEncoder(), [1]),
                                            ("num", StandardScaler(), [0, 2])]),
                         MLPRegressor(hidden_layer_sizes=(6,), max_iter=300,
                                      random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X, y)
    return pipe, X


@pytest.mark.parametrize("method", [
    Gradient(), InputXGradient(), DeepLift(), SmoothGrad(n_samples=5, random_state=0),
    ExpectedGradients(background=10, n_samples=5, random_state=0)])
def test_encoded_columns_sum_their_inputs_per_row(method, encoded):
    pipe, X = encoded
    result = local(pipe, X, method, scale=False)
    assert result.local.shape == (len(X), 1, 3)
    # By hand: the network alone on the encoded inputs (the 3 dummies, then x0, x2).
    inputs = pipe[0].transform(X)
    alone = local(pipe[-1], inputs, method, scale=False)
    whole = alone.local
    expected = np.stack([whole[:, :, 3], whole[:, :, :3].sum(axis=2), whole[:, :, 4]], 2)
    np.testing.assert_allclose(result.local, expected, rtol=0, atol=1e-12)
    if isinstance(method, Gradient):
        # The sensitivity summarises each input first, then adds the dummies' values up.
        g = alone.per_output
        expected_global = np.stack([g[:, 3], g[:, :3].sum(axis=1), g[:, 4]], axis=1)
    else:
        # Attributions add up: a column's is the sum of its dummies', row by row.
        expected_global = np.abs(expected).mean(axis=0)
    np.testing.assert_allclose(result.per_output, expected_global, atol=1e-12)


def test_deeplift_summation_to_delta_holds_per_column_of_an_encoded_pipeline(encoded):
    pipe, X = encoded
    result = local(pipe, X, DeepLift())
    inputs = pipe[0].transform(X)
    gap = pipe.predict(X) - pipe[-1].predict(inputs.mean(axis=0, keepdims=True))
    np.testing.assert_allclose(result.local.sum(axis=2)[:, 0], gap, rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", [Gradient(), InputXGradient(), DeepLift()])
def test_a_group_sums_its_columns_per_row(method, rng):
    mlp = random_mlp((4, 6, 2), "tanh", seed=13)
    X = rng.normal(size=(40, 4))
    whole = local(mlp, X, method).local
    grouped = local(mlp, X, method, feature_groups=[[0, 2], 1, 3]).local
    np.testing.assert_allclose(grouped[:, :, 0], whole[:, :, [0, 2]].sum(axis=2),
                               atol=1e-13)
    np.testing.assert_allclose(grouped[:, :, 1:], whole[:, :, [1, 3]], atol=1e-13)

"""Integrated gradients and conductance against closed forms, brute-force integrals and
the completeness identities."""

import copy

import numpy as np
import pytest
import sklearn
from conftest import make_mlp, random_mlp
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skimportance import ImportanceClassifier, ImportanceRegressor, feature_importances
from skimportance.methods import Conductance, IntegratedGradients
from skimportance.methods._path_integrals import QUADRATURES, quadrature

ACTIVATION = {
    "identity": lambda z: z,
    "tanh": np.tanh,
    "logistic": lambda z: 1 / (1 + np.exp(-z)),
    "relu": lambda z: np.maximum(z, 0),
}


def forward(mlp, X):
    """Hidden activations and logits of a scikit-learn MLP, written out with numpy."""
    f = ACTIVATION[mlp.activation]
    a, hidden = X, []
    for W, b in zip(mlp.coefs_[:-1], mlp.intercepts_[:-1]):
        a = f(a @ W + b)
        hidden.append(a)
    return hidden, a @ mlp.coefs_[-1] + mlp.intercepts_[-1]


def outputs(mlp, X, output):
    """F for every output unit, from scikit-learn's own predict where it has one."""
    if output == "logit":
        return forward(mlp, X)[1]
    if mlp.out_activation_ == "softmax":
        return mlp.predict_proba(X)
    if mlp.out_activation_ == "logistic":
        return mlp.predict_proba(X)[:, 1:]
    return mlp.predict(X).reshape(len(X), -1)


def relative_gap(attributions, mlp, X, baseline, output):
    """|sum_i IG_i - (F(x) - F(x'))| relative to |F(x) - F(x')|, over all rows."""
    gap = outputs(mlp, X, output) - outputs(mlp, baseline, output)
    return np.linalg.norm(attributions - gap) / np.linalg.norm(gap)


SMOOTH_NETWORKS = [
    ((4, 7, 5, 1), "tanh", "identity"),
    ((4, 7, 5, 2), "logistic", "identity"),
    ((4, 6, 1), "tanh", "logistic"),
    ((4, 6, 5, 3), "tanh", "softmax"),
]


# Quadrature rules ------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 2, 5, 50])
def test_gauss_legendre_integrates_polynomials_of_degree_2n_minus_1(n):
    a, w = quadrature("gausslegendre", n)
    assert np.all((a > 0) & (a < 1))
    for m in range(2 * n):
        assert np.sum(w * a**m) == pytest.approx(1 / (m + 1), rel=1e-12)


@pytest.mark.parametrize("n", [2, 3, 10])
def test_riemann_rules_are_the_textbook_sums(n):
    for method in ("riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid"):
        a, w = quadrature(method, n)
        assert len(a) == n and np.sum(w) == pytest.approx(1.0, rel=1e-14)
    # sum of a over the nodes: (n - 1) / 2n left, (n + 1) / 2n right, exactly 1/2 for
    # the midpoint and trapezoid rules, which integrate linear functions exactly.
    expected = {"riemann_left": (n - 1) / (2 * n), "riemann_right": (n + 1) / (2 * n),
                "riemann_middle": 0.5, "riemann_trapezoid": 0.5}
    for method, value in expected.items():
        a, w = quadrature(method, n)
        assert np.sum(w * a) == pytest.approx(value, rel=1e-14)
    a, _ = quadrature("riemann_trapezoid", n)
    assert a[0] == 0 and a[-1] == 1


# Integrated gradients ----------------------------------------------------------------

@pytest.mark.parametrize("layers,activation,out_activation", SMOOTH_NETWORKS)
@pytest.mark.parametrize("output", ["logit", "proba"])
def test_ig_completeness_at_50_steps(layers, activation, out_activation, output, rng):
    mlp = random_mlp(layers, activation, out_activation, seed=3)
    X = rng.normal(size=(200, layers[0]))
    result = feature_importances(mlp, X, method=IntegratedGradients(output=output),
                                 return_local=True)
    baseline = X.mean(axis=0, keepdims=True)
    assert relative_gap(result.local.sum(axis=2), mlp, X, baseline, output) < 1e-3
    gap = outputs(mlp, X, output) - outputs(mlp, baseline, output)
    np.testing.assert_allclose(result.convergence_delta, result.local.sum(axis=2) - gap,
                               atol=1e-12)
    np.testing.assert_allclose(result.per_output, np.abs(result.local).mean(axis=0),
                               rtol=1e-12)
    assert result.per_output.shape == (layers[-1], layers[0])


def test_ig_of_a_relu_network_converges_as_steps_grow(rng):
    # A ReLU network's integrand jumps at every kink: the error falls like 1 / n_steps.
    mlp = random_mlp((4, 16, 8, 1), "relu", seed=5)
    X = rng.normal(size=(100, 4))
    baseline = X.mean(axis=0, keepdims=True)
    errors = []
    for n_steps in (50, 2000):
        result = feature_importances(mlp, X, method=IntegratedGradients(n_steps=n_steps),
                                     return_local=True)
        errors.append(relative_gap(result.local.sum(axis=2), mlp, X, baseline, "logit"))
    assert errors[1] < 1e-3 and errors[1] < errors[0] / 10


@pytest.mark.parametrize("method", QUADRATURES)
@pytest.mark.parametrize("n_steps", [1, 2, 5, 13])
def test_ig_of_a_linear_network_is_exact_at_any_n_steps(method, n_steps, rng):
    mlp = random_mlp((5, 6, 4, 2), "identity", seed=4)
    X = rng.normal(size=(50, 5))
    if method == "riemann_trapezoid" and n_steps == 1:
        # The trapezoid rule needs both ends of the path: a clear error, not a guess.
        with pytest.raises(ValueError, match="n_steps >= 2"):
            feature_importances(mlp, X, method=IntegratedGradients(n_steps=1, quadrature=method))
        return
    result = feature_importances(
        mlp, X, method=IntegratedGradients(n_steps=n_steps, quadrature=method),
        return_local=True)
    baseline = X.mean(axis=0, keepdims=True)
    assert relative_gap(result.local.sum(axis=2), mlp, X, baseline, "logit") < 1e-8
    product = mlp.coefs_[0] @ mlp.coefs_[1] @ mlp.coefs_[2]  # (inputs, outputs)
    expected = (X - baseline)[:, None, :] * product.T[None]
    np.testing.assert_allclose(result.local, expected, rtol=1e-9, atol=1e-12)


def brute_force_ig(mlp, x, baseline, output, eps=1e-5):
    """(x - x') * integral of dF/dx along the path: adaptive quadrature of central
    differences of scikit-learn's own outputs."""
    quad_vec = pytest.importorskip("scipy.integrate").quad_vec
    p = len(x)

    def gradient(a):
        point = baseline + a * (x - baseline)
        steps = np.eye(p) * eps
        plus = outputs(mlp, point + steps, output)  # (p, k)
        minus = outputs(mlp, point - steps, output)
        return ((plus - minus) / (2 * eps)).T  # (k, p)

    integral, _ = quad_vec(gradient, 0.0, 1.0, epsabs=1e-12, epsrel=1e-10)
    return integral * (x - baseline)


@pytest.mark.parametrize("output", ["logit", "proba"])
def test_ig_converges_to_a_brute_force_integral(output, rng):
    mlp = random_mlp((3, 6, 5, 3), "tanh", "softmax", seed=6)
    X = rng.normal(size=(4, 3))
    baseline = np.array([0.3, -0.2, 0.1])
    expected = np.stack([brute_force_ig(mlp, x, baseline, output) for x in X])
    tolerance = {"gausslegendre": 1e-7, "riemann_middle": 1e-5,
                 "riemann_trapezoid": 1e-5, "riemann_left": 1e-2, "riemann_right": 1e-2}
    scale = np.abs(expected).max()
    for method in QUADRATURES:
        errors = []
        for n_steps in (10, 1000):
            ig = IntegratedGradients(baseline=baseline, n_steps=n_steps, quadrature=method,
                                     output=output)
            local = feature_importances(mlp, X, method=ig, return_local=True).local
            errors.append(np.abs(local - expected).max() / scale)
        assert errors[1] < tolerance[method], method
        assert errors[1] <= errors[0], method


def test_baselines(rng):
    mlp = random_mlp((3, 5, 1), "tanh", seed=2)
    X = rng.normal(loc=2, size=(31, 3))

    def local(baseline, **kw):
        return feature_importances(mlp, X, method=IntegratedGradients(baseline=baseline),
                                   return_local=True, **kw).local

    np.testing.assert_allclose(local("zeros"), local(np.zeros(3)), rtol=1e-14)
    np.testing.assert_allclose(local("median"), local(np.median(X, axis=0)), rtol=1e-14)
    np.testing.assert_allclose(local("mean"), local(X.mean(axis=0)[None]), rtol=1e-14)
    # One row per sample: the path of row n starts at baseline row n.
    per_row = X[::-1].copy()
    expected = np.stack([local(per_row[n])[n] for n in range(len(X))])
    np.testing.assert_allclose(local(per_row), expected, rtol=1e-12, atol=1e-15)
    # A row that is its own baseline gets nothing.
    assert np.all(local(X) == 0)
    completeness = feature_importances(mlp, X, method=IntegratedGradients(baseline="zeros"))
    gap = mlp.predict(X) - mlp.predict(np.zeros((1, 3)))
    np.testing.assert_allclose(completeness.convergence_delta[:, 0], 0, atol=1e-9 * np.abs(
        gap).max())


@pytest.mark.parametrize("baseline", ["mean", "median"])
def test_integer_weights_count_as_repeated_rows(baseline, rng):
    mlp = random_mlp((3, 5, 2), "tanh", seed=2)
    X = rng.normal(size=(20, 3))
    w = rng.integers(1, 4, size=20)
    method = IntegratedGradients(baseline=baseline)
    weighted = feature_importances(mlp, X, method=method, sample_weight=w)
    repeated = feature_importances(mlp, np.repeat(X, w, axis=0), method=method)
    np.testing.assert_allclose(weighted.per_output, repeated.per_output, rtol=1e-12)


def test_scale_does_not_change_path_methods_and_units_do_not_matter(rng):
    mlp = random_mlp((3, 6, 3), "tanh", "softmax", seed=7)
    X = rng.normal(size=(100, 3))
    for method in (IntegratedGradients(), Conductance(layer="all")):
        scaled = feature_importances(mlp, X, method=method, scale=True)
        raw = feature_importances(mlp, X, method=method, scale=False)
        np.testing.assert_array_equal(scaled.per_output, raw.per_output)
        # The same network for input 1 measured in other units: the same attributions.
        rescaled = copy.deepcopy(mlp)
        rescaled.coefs_[0][1] /= 1000.0
        X_mm = X.copy()
        X_mm[:, 1] *= 1000.0
        after = feature_importances(rescaled, X_mm, method=method, scale=False)
        np.testing.assert_allclose(after.per_output, raw.per_output, rtol=1e-9)


def test_pipeline_attributions_equal_those_of_the_scaled_network(rng):
    X = rng.normal(loc=[0, 10, -5], scale=[1, 100, 0.01], size=(80, 3))
    inner = random_mlp((3, 6, 1), "tanh", seed=8)
    pipe = make_pipeline(StandardScaler().fit(X), inner)
    raw = feature_importances(pipe, X, method=IntegratedGradients(), return_local=True)
    Z = pipe[0].transform(X)
    direct = feature_importances(inner, Z, method=IntegratedGradients(), return_local=True)
    np.testing.assert_allclose(raw.local, direct.local, rtol=1e-8, atol=1e-12)


def test_chunk_size_does_not_change_the_numbers(rng):
    mlp = random_mlp((4, 6, 5, 3), "tanh", "softmax", seed=9)
    X = rng.normal(size=(12, 4))
    methods = [IntegratedGradients(n_steps=20, output="proba"),
               Conductance(layer="all", n_steps=20, by_input=True)]
    for method in methods:
        whole = feature_importances(mlp, X, method=method, return_local=True)
        # 1e-4 MiB holds less than one path point: rows and steps are both split.
        for memory in (0.01, 1e-4):
            with sklearn.config_context(working_memory=memory):
                parts = feature_importances(mlp, X, method=method, return_local=True)
            np.testing.assert_allclose(parts.local, whole.local, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(parts.convergence_delta, whole.convergence_delta,
                                       atol=1e-14)
            if method.name == "conductance":
                for a, b in zip(parts.neuron_local, whole.neuron_local):
                    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("method", [IntegratedGradients(n_steps=20),
                                    Conductance(layer="all", n_steps=20),
                                    IntegratedGradients(quadrature="exact")],
                         ids=["ig", "conductance", "exact"])
def test_the_number_of_threads_does_not_change_the_numbers(method, rng, monkeypatch):
    from skimportance.network import _threads

    mlp = random_mlp((4, 6, 5, 2), "relu", "identity", seed=3)
    X = rng.normal(size=(40, 4))
    results = []
    for n_threads in (1, 3):
        # The chunks (a few rows each) are shared between this many threads.
        monkeypatch.setattr(_threads, "_blas_threads", lambda n=n_threads: n)
        with sklearn.config_context(working_memory=0.01):
            results.append(feature_importances(mlp, X, method=method, return_local=True))
    one, three = results
    np.testing.assert_array_equal(one.local, three.local)
    np.testing.assert_array_equal(one.convergence_delta, three.convergence_delta)
    if method.name == "conductance":
        for a, b in zip(one.neuron_local, three.neuron_local):
            np.testing.assert_array_equal(a, b)


# Conductance ---------------------------------------------------------------------------

def test_conductance_of_the_last_hidden_layer_in_closed_form(rng):
    # Past the last hidden layer the logit is linear: dF/dy_j = W_out[j, k] everywhere,
    # so Cond_j = W_out[j, k] (y_j(x) - y_j(x')).
    for layers in ((3, 6, 2), (3, 5, 4, 2)):
        mlp = random_mlp(layers, "tanh", seed=10)
        X = rng.normal(size=(40, 3))
        result = feature_importances(mlp, X, method=Conductance(layer=-1),
                                     return_local=True)
        baseline = X.mean(axis=0, keepdims=True)
        y_x, y_b = forward(mlp, X)[0][-1], forward(mlp, baseline)[0][-1]
        expected = (y_x - y_b)[:, None, :] * mlp.coefs_[-1].T[None]
        np.testing.assert_allclose(result.neuron_local, expected, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(result.neuron_importances,
                                   np.abs(expected).mean(axis=0), rtol=1e-9)


def test_conductance_of_the_first_layer_equals_a_brute_force_integral(rng):
    quad_vec = pytest.importorskip("scipy.integrate").quad_vec
    mlp = random_mlp((3, 5, 4, 2), "tanh", seed=11)
    W1, W2, W3 = mlp.coefs_
    b1, b2, _ = mlp.intercepts_
    X = rng.normal(size=(3, 3))
    baseline = np.zeros(3)

    def flow(a, x):
        # dF/dy1_j * dy1_j/da along the path, written out for a tanh network.
        y1 = np.tanh((baseline + a * (x - baseline)) @ W1 + b1)
        y2 = np.tanh(y1 @ W2 + b2)
        dF_dy1 = ((1 - y2**2)[None, :] * W3.T) @ W2.T  # (outputs, units)
        dy1_da = (1 - y1**2) * ((x - baseline) @ W1)
        return dF_dy1 * dy1_da[None, :]

    expected = np.stack([quad_vec(lambda a: flow(a, x), 0, 1, epsabs=1e-13)[0] for x in X])
    result = feature_importances(mlp, X, method=Conductance(layer=0, baseline="zeros"),
                                 return_local=True)
    np.testing.assert_allclose(result.neuron_local, expected, rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("layers,activation,out_activation", SMOOTH_NETWORKS)
@pytest.mark.parametrize("output", ["logit", "proba"])
def test_conductance_completeness_per_layer_and_per_input(layers, activation,
                                                          out_activation, output, rng):
    mlp = random_mlp(layers, activation, out_activation, seed=12)
    X = rng.normal(size=(60, layers[0]))
    baseline = X.mean(axis=0, keepdims=True)
    method = Conductance(layer="all", output=output, by_input=True)
    result = feature_importances(mlp, X, method=method, return_local=True)
    ig = feature_importances(mlp, X, method=IntegratedGradients(output=output),
                             return_local=True)
    # Those of integrated gradients, computed alongside the conductances (to rounding).
    np.testing.assert_allclose(result.per_output, ig.per_output, rtol=1e-12, atol=1e-12)
    assert len(result.neuron_local) == len(layers) - 2
    for by_input, units in zip(result.neuron_local, result.neuron_importances):
        n_units = by_input.shape[2]
        assert by_input.shape == (60, layers[-1], n_units, layers[0])
        # Summed over the units of one layer: F(x) - F(x').
        total = by_input.sum(axis=(2, 3))
        assert relative_gap(total, mlp, X, baseline, output) < 1e-3
        # Per input, summed over units: integrated gradients.
        np.testing.assert_allclose(by_input.sum(axis=2), ig.local, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(units, np.abs(by_input.sum(axis=3)).mean(axis=0),
                                   rtol=1e-12)


@pytest.mark.parametrize("method", QUADRATURES)
@pytest.mark.parametrize("n_steps", [2, 7])
def test_conductance_of_a_linear_network_is_complete_at_any_n_steps(method, n_steps, rng):
    mlp = random_mlp((4, 5, 6, 2), "identity", seed=13)
    X = rng.normal(size=(30, 4))
    baseline = X.mean(axis=0, keepdims=True)
    result = feature_importances(
        mlp, X, method=Conductance(layer="all", n_steps=n_steps, quadrature=method),
        return_local=True)
    for per_unit in result.neuron_local:
        assert relative_gap(per_unit.sum(axis=2), mlp, X, baseline, "logit") < 1e-8


def test_by_input_sums_to_the_per_unit_values(rng):
    mlp = random_mlp((4, 6, 5, 2), "relu", seed=14)
    X = rng.normal(size=(25, 4))
    for layer in (0, 1, -1):
        per_unit = feature_importances(mlp, X, method=Conductance(layer=layer),
                                       return_local=True)
        by_input = feature_importances(mlp, X, method=Conductance(layer=layer,
                                                                  by_input=True),
                                       return_local=True)
        np.testing.assert_allclose(by_input.neuron_local.sum(axis=3), per_unit.neuron_local,
                                   rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(by_input.neuron_importances, per_unit.neuron_importances,
                                   rtol=1e-9)
    last = feature_importances(mlp, X, method=Conductance(layer=1), return_local=True)
    np.testing.assert_array_equal(last.neuron_local, per_unit.neuron_local)


def test_neuron_importances_are_weighted_means(rng):
    mlp = random_mlp((3, 5, 4, 2), "tanh", seed=15)
    X = rng.normal(size=(30, 3))
    w = rng.uniform(0.1, 2, size=30)
    result = feature_importances(mlp, X, method=Conductance(layer=1), sample_weight=w,
                                 return_local=True)
    np.testing.assert_allclose(result.neuron_importances,
                               np.average(np.abs(result.neuron_local), axis=0, weights=w),
                               rtol=1e-12)
    np.testing.assert_allclose(result.per_output,
                               np.average(np.abs(result.local), axis=0, weights=w),
                               rtol=1e-12)


# Errors --------------------------------------------------------------------------------

def test_clear_errors(rng):
    mlp = random_mlp((3, 5, 4, 1), "tanh")
    X = rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match=r"layer=2 is out of range: the network has 2 "
                                         r"hidden layers, so layer must be in -2\.\.1"):
        feature_importances(mlp, X, method=Conductance(layer=2))
    with pytest.raises(ValueError, match="layer=-3 is out of range"):
        feature_importances(mlp, X, method=Conductance(layer=-3))
    with pytest.raises(ValueError, match="'layer' parameter of Conductance"):
        feature_importances(mlp, X, method=Conductance(layer="last"))
    for bad in (np.zeros(4), np.zeros((2, 3)), np.zeros((10, 3, 1))):
        with pytest.raises(ValueError, match=r"baseline has shape .*expected one row, "
                                             r"\(3,\) or \(1, 3\), or one row per sample"):
            feature_importances(mlp, X, method=IntegratedGradients(baseline=bad))
    with pytest.raises(ValueError, match="baseline contains NaN"):
        feature_importances(mlp, X, method=IntegratedGradients(baseline=[0, np.nan, 0]))
    for method in (IntegratedGradients(n_steps=0), Conductance(n_steps=0)):
        with pytest.raises(ValueError, match=r"'n_steps' parameter .* must be an int in "
                                             r"the range \[1, inf\)"):
            feature_importances(mlp, X, method=method)
    with pytest.raises(ValueError, match="riemann_trapezoid' needs n_steps >= 2"):
        feature_importances(mlp, X, method=IntegratedGradients(
            n_steps=1, quadrature="riemann_trapezoid"))
    with pytest.raises(ValueError, match="'quadrature' parameter of IntegratedGradients"):
        feature_importances(mlp, X, method=IntegratedGradients(quadrature="simpson"))
    with pytest.raises(ValueError, match="needs X"):
        feature_importances(mlp, None, method="integrated_gradients")
    with pytest.raises(ValueError, match="return_local=True needs a method with per-row "
                                         "values .*conductance, .*integrated_gradients"):
        feature_importances(mlp, X, method="garson", return_local=True)
    linear = make_mlp([np.ones((3, 1))])
    with pytest.raises(ValueError, match="Conductance needs a hidden layer"):
        feature_importances(linear, X, method="conductance")


def test_network_without_hidden_layers_gets_exact_ig(rng):
    W = rng.normal(size=(3, 1))
    mlp = make_mlp([W], [np.array([0.5])], out_activation="logistic")
    X = rng.normal(size=(20, 3))
    result = feature_importances(mlp, X, method=IntegratedGradients(output="proba"),
                                 return_local=True)
    baseline = X.mean(axis=0, keepdims=True)
    assert relative_gap(result.local.sum(axis=2), mlp, X, baseline, "proba") < 1e-10
    logit = feature_importances(mlp, X, method="integrated_gradients", return_local=True)
    np.testing.assert_allclose(logit.local[:, 0], (X - baseline) * W[:, 0], rtol=1e-12)


# Meta-estimators -----------------------------------------------------------------------

def test_meta_estimators_expose_neuron_importances(rng):
    X = rng.normal(size=(120, 4))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=120)
    from sklearn.neural_network import MLPRegressor

    mlp = MLPRegressor(hidden_layer_sizes=(6, 5), activation="tanh", max_iter=300,
                       random_state=0)
    est = ImportanceRegressor(mlp, method=Conductance(layer="all")).fit(X, y)
    assert [u.shape for u in est.neuron_importances_] == [(1, 6), (1, 5)]
    ig = ImportanceRegressor(mlp, method="integrated_gradients").fit(X, y)
    np.testing.assert_allclose(est.feature_importances_, ig.feature_importances_,
                               rtol=1e-12)
    assert not hasattr(ig, "neuron_importances_")
    assert ig.importances_.convergence_delta.shape == (120, 1)
    # A refit with a method that has no neuron values drops the old ones.
    est.set_params(method="garson").fit(X, y)
    assert not hasattr(est, "neuron_importances_")

    labels = np.digitize(X[:, 0], [-0.5, 0.5])
    from sklearn.neural_network import MLPClassifier

    clf = ImportanceClassifier(
        MLPClassifier(hidden_layer_sizes=(7,), max_iter=300, random_state=0),
        method=Conductance(output="proba"),
    ).fit(X, labels)
    assert clf.neuron_importances_.shape == (3, 7)
    assert list(clf.importances_.output_names) == [0, 1, 2]

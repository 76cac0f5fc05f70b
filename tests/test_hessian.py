"""Exact Hessians of a network and mixed second differences, against independent oracles:
finite differences of the exact gradient, NeuralSens' forward recursion written out by
hand, brute-force predicts on shifted copies of X, repeated rows for integer weights."""

import functools
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import config_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from conftest import make_mlp, random_mlp
from skimportance.interactions import (Hessian, SecondDifferences, block_sums,
                                       get_interaction_method)
from skimportance.interactions._dispatch import feature_interactions
from skimportance.network import Network, hessian_batches, hessian_summary, unwrap_network

OUTPUTS = {"identity": 2, "logistic": 2, "softmax": 3, "exp": 1}  # output units


@pytest.fixture(autouse=True)
def one_blas_thread():
    """The tiny lbfgs fits here take 20x longer with BLAS threads on a busy machine."""
    with threadpool_limits(1):
        yield


def all_hessians(net, X, output="proba", **kwargs):
    return np.concatenate([H for _, H in hessian_batches(net, X, output, **kwargs)])


@functools.lru_cache
def _tanh_fit(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 3))
    y = X[:, 0] * X[:, 1] + X[:, 2]
    mlp = MLPRegressor(hidden_layer_sizes=(6,), activation="tanh", solver="lbfgs",
                       max_iter=200, random_state=seed).fit(X, y)
    return X, mlp


def tanh_fit(seed=0):
    """A small tanh network fitted to y = x0 x1 + x2, fitted once per session."""
    X, mlp = _tanh_fit(seed)
    return X.copy(), mlp


# --- the exact Hessian ---------------------------------------------------------------

@pytest.mark.parametrize("output", ["proba", "logit"])
@pytest.mark.parametrize("out_activation", list(OUTPUTS))
@pytest.mark.parametrize("activation", ["identity", "logistic", "tanh", "relu"])
def test_hessian_is_the_derivative_of_the_exact_gradient(activation, out_activation,
                                                         output):
    mlp = random_mlp((3, 5, 4, OUTPUTS[out_activation]), activation, out_activation, seed=1)
    net = unwrap_network(mlp)
    X = np.random.default_rng(2).normal(size=(6, 3))
    H = all_hessians(net, X, output)
    eps = 1e-5
    fd = np.empty_like(H)
    for j in range(3):
        e = np.zeros(3)
        e[j] = eps
        fd[..., j] = (net.input_gradients(X + e, output) -
                      net.input_gradients(X - e, output)) / (2 * eps)
    scale = np.abs(fd).max()
    np.testing.assert_allclose(H, fd, rtol=0, atol=1e-6 * max(scale, 1e-3))
    np.testing.assert_allclose(H, H.transpose(0, 1, 3, 2), rtol=0, atol=1e-12 * scale)
    if activation in ("identity", "relu") and (output == "logit"
                                              or out_activation == "identity"):
        assert not H.any()  # piecewise linear all the way: exactly zero
    else:
        assert scale > 1e-3  # the comparison above compared something


def test_hessian_without_hidden_layers_is_the_output_curvature():
    # p(x) = logistic(w.x + b): d2p/dxi dxj = s (1 - s) (1 - 2 s) w_i w_j
    w, b = np.array([0.5, -1.0]), 0.3
    net = Network([w[:, None]], [np.array([b])], "tanh", "logistic")
    X = np.array([[0.2, 0.1], [-1.0, 2.0]])
    s = 1 / (1 + np.exp(-(X @ w + b)))
    expected = (s * (1 - s) * (1 - 2 * s))[:, None, None] * np.outer(w, w)
    np.testing.assert_allclose(all_hessians(net, X)[:, 0], expected, rtol=1e-12)


def test_chunks_and_the_merge_do_not_change_the_numbers():
    X, mlp = tanh_fit()
    net = unwrap_network(mlp)
    w = np.random.default_rng(0).uniform(0.5, 2, size=len(X))
    whole = hessian_summary(net, X, sample_weight=w, ddof=1)
    with config_context(working_memory=0.002):  # a few rows per chunk
        assert len(list(hessian_batches(net, X))) > 5
        chunked = hessian_summary(net, X, sample_weight=w, ddof=1)
        threads = [hessian_summary(net, X, sample_weight=w, ddof=1, n_jobs=n_jobs)
                   for n_jobs in (1, 3)]
    for name in whole:
        np.testing.assert_allclose(chunked[name], whole[name], rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(threads[0][name], chunked[name])
        np.testing.assert_array_equal(threads[1][name], chunked[name])
    one, three = [feature_interactions(mlp, X, method=SecondDifferences(n_jobs=n_jobs))
                  for n_jobs in (1, 3)]
    np.testing.assert_array_equal(one.per_output, three.per_output)


# --- NeuralSens' HessianMLP, written out by hand -------------------------------------

def neuralsens_hessians(mlp, X):
    """NeuralSens' recursion: forward, per layer, the Jacobian and the Hessian of every
    unit's output with respect to the inputs (f'' J J^T + f' W^T H), the output
    activation taken as one more layer."""
    n, p = X.shape
    a, Ja, Ha = X, np.tile(np.eye(p), (n, 1, 1)), np.zeros((n, p, p, p))
    layers = len(mlp.coefs_)
    for m, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        z = a @ W + b
        Jz = np.einsum("nvi,vu->nui", Ja, W)
        Hz = np.einsum("nvij,vu->nuij", Ha, W)
        kind = mlp.activation if m < layers - 1 else mlp.out_activation_
        if kind == "tanh":
            a = np.tanh(z)
            d1, d2 = 1 - a**2, -2 * a * (1 - a**2)
        elif kind == "logistic":
            a = 1 / (1 + np.exp(-z))
            d1, d2 = a * (1 - a), a * (1 - a) * (1 - 2 * a)
        else:
            a, d1, d2 = z, np.ones_like(z), np.zeros_like(z)
        Ha = (d2[:, :, None, None] * Jz[:, :, :, None] * Jz[:, :, None, :]
              + d1[:, :, None, None] * Hz)
        Ja = d1[:, :, None] * Jz
    return Ha  # (n, n_outputs, p, p)


@pytest.mark.parametrize("kind", ["regressor", "classifier"])
def test_hessian_equals_neuralsens_hessianmlp(kind):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(50, 3))
    if kind == "regressor":
        mlp = random_mlp((3, 4, 3, 1), "tanh", "identity", seed=4)
    else:
        mlp = random_mlp((3, 4, 3, 1), "tanh", "logistic", seed=4)
    d2f = neuralsens_hessians(mlp, X)
    expected = {"mean": d2f.mean(axis=0), "std": d2f.std(axis=0, ddof=1),
                "rms": np.sqrt((d2f**2).mean(axis=0))}
    for aggregate, values in expected.items():
        result = feature_interactions(mlp, X, scale=False,
                                      method=Hessian(aggregate=aggregate, ddof=1))
        np.testing.assert_allclose(result.per_output, values, rtol=1e-10, atol=1e-13)
    population = feature_interactions(mlp, X, scale=False, method=Hessian(aggregate="std"))
    np.testing.assert_allclose(population.per_output, d2f.std(axis=0), rtol=1e-10)


# --- mixed second differences --------------------------------------------------------

def brute_differences(net, X, steps, output="proba"):
    """The central differences by predicts on shifted copies of X; ``steps`` (E, p)
    are the entries' moves, the values divided by nothing (the caller rescales)."""
    def F(Z):
        return net.predict(Z, output)

    E, k = len(steps), net.n_outputs
    D = np.empty((len(X), k, E, E))
    for a in range(E):
        D[:, :, a, a] = F(X + steps[a]) - 2 * F(X) + F(X - steps[a])
        for b in range(a + 1, E):
            D[:, :, a, b] = D[:, :, b, a] = (
                F(X + steps[a] + steps[b]) - F(X + steps[a] - steps[b])
                - F(X - steps[a] + steps[b]) + F(X - steps[a] - steps[b])) / 4
    return D


@pytest.mark.parametrize("activation,out_activation", [("relu", "identity"),
                                                       ("tanh", "softmax")])
def test_differences_equal_predicts_on_shifted_copies(activation, out_activation):
    mlp = random_mlp((4, 6, 5, OUTPUTS[out_activation]), activation, out_activation,
                     seed=5)
    net = unwrap_network(mlp)
    X = np.random.default_rng(6).normal(size=(20, 4)) * [1, 2, 0.5, 3]
    sigma = X.std(axis=0)
    step = 0.3
    # one input each: h_i = step sigma_i, value D / (h_i h_j) * sigma_i sigma_j
    result = feature_interactions(mlp, X, method=SecondDifferences(step=step),
                                  return_local=True)
    expected = brute_differences(net, X, np.diag(step * sigma)) / step**2
    np.testing.assert_allclose(result.local, expected, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(result.per_output, np.abs(expected).mean(axis=0),
                               rtol=1e-9, atol=1e-12)
    # groups move all their inputs together, each by its own h
    groups = [[0, 2], [1], [3]]
    grouped = feature_interactions(mlp, X, method=SecondDifferences(step=step),
                                   feature_groups=groups, return_local=True)
    moves = np.zeros((3, 4))
    for a, cols in enumerate(groups):
        moves[a, cols] = step * sigma[cols]
    np.testing.assert_allclose(grouped.local, brute_differences(net, X, moves) / step**2,
                               rtol=1e-9, atol=1e-12)
    # scale=False: the group's inputs all move by step times its largest spread
    raw = feature_interactions(mlp, X, scale=False, feature_groups=groups,
                               method=SecondDifferences(step=step), return_local=True)
    reach = np.array([sigma[cols].max() for cols in groups]) * step
    moves = np.zeros((3, 4))
    for a, cols in enumerate(groups):
        moves[a, cols] = reach[a]
    np.testing.assert_allclose(raw.local, brute_differences(net, X, moves)
                               / np.outer(reach, reach), rtol=1e-8, atol=1e-10)


def test_small_steps_tend_to_the_hessian():
    X, mlp = tanh_fit()
    hessian = feature_interactions(mlp, X, method=Hessian(), return_local=True)
    small = feature_interactions(mlp, X, method=SecondDifferences(step=1e-3),
                                 return_local=True)
    scale = np.abs(hessian.local).max()
    assert scale > 0.5
    np.testing.assert_allclose(small.local, hessian.local, rtol=0, atol=1e-5 * scale)


# --- additive networks: no interaction between the blocks ----------------------------

@pytest.mark.parametrize("activation", ["tanh", "logistic", "relu"])
def test_additive_network_has_no_cross_block_interaction(activation):
    rng = np.random.default_rng(7)
    W1 = np.zeros((4, 6))
    W1[:2, :3] = rng.normal(size=(2, 3))
    W1[2:, 3:] = rng.normal(size=(2, 3))
    W2 = np.zeros((6, 4))
    W2[:3, :2] = rng.normal(size=(3, 2))
    W2[3:, 2:] = rng.normal(size=(3, 2))
    W3 = rng.normal(size=(4, 1))
    mlp = make_mlp([W1, W2, W3], [rng.normal(size=6), rng.normal(size=4), [0.1]],
                   activation, "identity")
    X = rng.normal(size=(40, 4))
    methods = [SecondDifferences(), SecondDifferences(step=0.05)]
    if activation != "relu":
        methods.append(Hessian())
    for method in methods:
        result = feature_interactions(mlp, X, method=method, return_local=True)
        cross = result.local[:, :, :2, 2:]
        within = result.local[:, :, :2, :2]
        assert np.abs(within).max() > 1e-4
        np.testing.assert_allclose(cross, 0, atol=1e-10 * np.abs(within).max())


# --- y = x0 x1 + x2: the pair is found, and the ReLU Hessian says nothing ------------

@pytest.mark.parametrize("activation", ["logistic", "tanh", "relu"])
def test_product_pair_ranks_first(activation):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 3))
    y = X[:, 0] * X[:, 1] + X[:, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=(16,), activation=activation, solver="lbfgs",
                           max_iter=400, random_state=0).fit(X, y)
    differences = feature_interactions(mlp, X, method="differences")
    assert differences.top_pairs(1)[0][:2] == ("x0", "x1")
    i, j = np.triu_indices(3, 1)
    values = differences.summary[i, j]
    assert values[0] > 3 * values[1:].max()
    # the true scaled interaction sigma_0 sigma_1 d2y/dx0 dx1 is about 1
    assert 0.7 < differences.summary[0, 1] < 1.3
    if activation == "relu":
        with pytest.warns(UserWarning, match="'differences'"):
            hessian = feature_interactions(mlp, X, method="hessian")
        assert not hessian.per_output.any()
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            hessian = feature_interactions(mlp, X, method="hessian")
        assert hessian.top_pairs(1)[0][:2] == ("x0", "x1")
        assert 0.7 < hessian.summary[0, 1] < 1.3


def test_relu_hessian_warns_when_zero_or_only_the_output_curvature():
    mlp = random_mlp((3, 5, 2), "relu", "logistic", seed=8)  # multilabel: curvature left
    X = np.random.default_rng(9).normal(size=(10, 3))
    with pytest.warns(UserWarning, match="only the curvature of the logistic output"):
        result = feature_interactions(mlp, X, method="hessian")
    assert result.per_output.any()
    smooth = random_mlp((3, 5, 2), "tanh", "logistic", seed=8)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert feature_interactions(smooth, X, method="hessian").per_output.any()
    with pytest.warns(UserWarning, match="zero on every row"):
        feature_interactions(mlp, X, method=Hessian(output="logit"))


# --- weights, groups, per-row values -------------------------------------------------

@pytest.mark.parametrize("method", [Hessian(), SecondDifferences()])
def test_integer_weights_are_repeated_rows(method):
    X, mlp = tanh_fit()
    X = X[:15]
    counts = np.arange(15) % 4  # zeros included
    repeated = np.repeat(X, counts, axis=0)
    for aggregate in ["mean_abs", "rms", "mean", "std"]:
        for ddof in [0, 1]:
            m = method.set_params(aggregate=aggregate, ddof=ddof)
            weighted = feature_interactions(mlp, X, method=m, sample_weight=counts)
            copies = feature_interactions(mlp, repeated, method=m)
            np.testing.assert_allclose(weighted.per_output, copies.per_output,
                                       rtol=1e-9, atol=1e-12)
            np.testing.assert_allclose(weighted.spread, copies.spread, rtol=1e-9,
                                       atol=1e-12)


def test_groups_are_block_sums_of_the_rows_matrices():
    X, mlp = tanh_fit()
    groups = [[0, 2], [1]]
    single = feature_interactions(mlp, X, method="hessian", return_local=True)
    assert single.local.shape == (60, 1, 3, 3)
    columns = [np.array(g) for g in groups]
    for aggregate, f in [("mean_abs", lambda v: np.abs(v).mean(axis=0)),
                         ("mean", lambda v: v.mean(axis=0)),
                         ("rms", lambda v: np.sqrt((v**2).mean(axis=0))),
                         ("std", lambda v: v.std(axis=0))]:
        grouped = feature_interactions(mlp, X, method=Hessian(aggregate=aggregate),
                                       feature_groups=groups, return_local=True)
        expected = block_sums(single.local, columns, 3)
        assert grouped.local.shape == (60, 1, 2, 2)
        np.testing.assert_allclose(grouped.local, expected, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(grouped.per_output, f(expected), rtol=1e-10,
                                   atol=1e-14)
        np.testing.assert_allclose(grouped.spread, expected.std(axis=0), rtol=1e-10,
                                   atol=1e-14)


def test_pipeline_and_dataframe_through_feature_interactions():
    rng = np.random.default_rng(10)
    X = rng.normal(size=(80, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, -1.0]
    y = (X[:, 0] * X[:, 1] / 10 + X[:, 2] * 10 > 0).astype(int)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(StandardScaler(), MLPClassifier(
            hidden_layer_sizes=(8,), activation="tanh", max_iter=300,
            random_state=0)).fit(frame, y)
    Z = pipe[0].transform(frame)
    s = pipe[0].scale_
    for method in [Hessian(aggregate="mean"), SecondDifferences(aggregate="mean")]:
        result = feature_interactions(pipe, frame, method=method, return_local=True)
        assert list(result.feature_names) == ["a", "b", "c"]
        assert result.local.shape == (80, 1, 3, 3)
        assert {tuple(pair[:2]) for pair in result.top_pairs(3)} == {
            ("a", "b"), ("a", "c"), ("b", "c")}
        # in units of sigma, the scaler changes nothing
        on_z = feature_interactions(pipe[-1], Z, method=method)
        np.testing.assert_allclose(result.per_output, on_z.per_output, rtol=1e-8,
                                   atol=1e-12)
    # in raw units: d2/dx_i dx_j = H_z / (s_i s_j)
    raw = feature_interactions(pipe, frame, method=Hessian(aggregate="mean"), scale=False)
    on_z = feature_interactions(pipe[-1], Z, method=Hessian(aggregate="mean"), scale=False)
    np.testing.assert_allclose(raw.per_output, on_z.per_output / np.outer(s, s),
                               rtol=1e-8, atol=1e-14)
    frame_out = result.to_frame()
    assert len(frame_out) == 3 and "spread" in frame_out


# --- parameters ------------------------------------------------------------------------

def test_names_and_parameter_errors():
    assert repr(get_interaction_method("hessian")) == "Hessian()"
    assert repr(get_interaction_method("differences")) == "SecondDifferences()"
    X, mlp = tanh_fit()
    with pytest.raises(InvalidParameterError, match="step"):
        feature_interactions(mlp, X, method=SecondDifferences(step=0))
    with pytest.raises(InvalidParameterError, match="aggregate"):
        feature_interactions(mlp, X, method=Hessian(aggregate="max"))
    with pytest.raises(InvalidParameterError, match="output"):
        feature_interactions(mlp, X, method=Hessian(output="probability"))
    with pytest.raises(ValueError, match="ddof=1"):
        feature_interactions(mlp, X[:1], method=Hessian(ddof=1))
    assert Hessian(aggregate="mean").signed and not Hessian().signed


def test_encoded_columns_are_block_sums_of_the_network_inputs():
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.default_rng(11)
    frame = pd.DataFrame({"u": rng.normal(size=60), "colour": rng.choice(list("rgb"), 60),
                          "v": rng.normal(size=60)})
    y = frame["u"] * (frame["colour"] == "r") + frame["v"]
    encode = ColumnTransformer([("onehot", OneHotEncoder(), ["colour"])],
                               remainder="passthrough")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(encode, MLPRegressor(hidden_layer_sizes=(6,),
                                                  activation="tanh", max_iter=50,
                                                  random_state=0)).fit(frame, y)
    Z = pipe[0].transform(frame)  # columns: colour_b, colour_g, colour_r, u, v
    columns = [np.array([3]), np.array([0, 1, 2]), np.array([4])]  # u, colour, v
    for method in [Hessian(aggregate="mean"), Hessian(aggregate="rms")]:
        result = feature_interactions(pipe, frame, method=method, return_local=True)
        on_z = feature_interactions(pipe[-1], Z, method=Hessian(), return_local=True)
        expected = block_sums(on_z.local, columns, 5)
        assert list(result.feature_names) == ["u", "colour", "v"]
        np.testing.assert_allclose(result.local, expected, rtol=1e-10, atol=1e-14)
        f = np.mean if method.aggregate == "mean" else lambda v, axis: np.sqrt(
            np.mean(v**2, axis=axis))
        np.testing.assert_allclose(result.per_output, f(expected, axis=0), rtol=1e-10,
                                   atol=1e-14)


def test_memory_stays_bounded_by_the_chunks():
    from conftest import peak_memory

    net = unwrap_network(random_mlp((10, 16, 8, 1), "tanh", "identity", seed=12))
    X = np.random.default_rng(13).normal(size=(4000, 10))
    with config_context(working_memory=0.25):  # chunks of about 256 KiB
        hessian_summary(net, X[:10], n_jobs=1)  # one-time allocations out of the way
        peaks = [peak_memory(lambda: hessian_summary(net, X[:n], n_jobs=1))
                 for n in (1000, 4000)]
    full = 4000 * 10 * 10 * 8  # every row's matrix at once: 3.2 MB
    assert peaks[1] < full / 3
    assert peaks[1] < 1.5 * peaks[0]

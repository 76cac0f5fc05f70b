"""Shapley values (issue 13): exact mode against brute-force enumeration, the axioms,
sampled mode against exact, groups, encoded Pipelines and the meta-estimators.

The oracle enumerates every coalition with itertools and evaluates the estimator's own
``predict`` / ``predict_proba`` on rows built by hand: nothing of skimportance's network
code is used in it.
"""

import copy
import itertools
import warnings
from math import factorial

import numpy as np
import pytest
from sklearn import config_context
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skimportance import ImportanceClassifier, ImportanceRegressor, feature_importances
from skimportance.methods import Shapley
from skimportance.network import exact_shapley, sampled_shapley, unwrap_network

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def brute_force(f, x, background, weights, players):
    """phi[k, j] by enumerating every coalition of ``players`` (lists of columns).

    ``f`` maps rows to outputs (n_rows, n_outputs); the coalition S takes x's values on
    its players' columns and each background row's elsewhere."""
    d = len(players)
    value = {}
    for size in range(d + 1):
        for S in itertools.combinations(range(d), size):
            rows = background.copy()
            for j in S:
                rows[:, players[j]] = x[players[j]]
            value[S] = weights @ f(rows)
    phi = np.zeros((len(value[()]), d))
    for i in range(d):
        others = [j for j in range(d) if j != i]
        for size in range(d):
            w = factorial(size) * factorial(d - size - 1) / factorial(d)
            for S in itertools.combinations(others, size):
                phi[:, i] += w * (value[tuple(sorted(S + (i,)))] - value[S])
    return phi


def regressor_outputs(model):
    return lambda rows: np.asarray(model.predict(rows), dtype=float).reshape(len(rows), -1)


def probabilities(model):
    """The network's outputs as probabilities: one column for a binary classifier."""
    def f(rows):
        P = model.predict_proba(rows)
        return P[:, 1:] if P.shape[1] == 2 else P
    return f


def logits(model):
    """Pre-activations of the output units, by a forward pass written here."""
    def f(rows):
        a = np.asarray(rows, dtype=float)
        act = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0),
               "logistic": lambda z: 1 / (1 + np.exp(-z)), "identity": lambda z: z}
        for W, b in zip(model.coefs_[:-1], model.intercepts_[:-1]):
            a = act[model.activation](a @ W + b)
        return a @ model.coefs_[-1] + model.intercepts_[-1]
    return f


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 8))
    signal = X[:, 0] * X[:, 1] + np.sin(2 * X[:, 2]) + X[:, 3] - 0.5 * X[:, 4] ** 2
    y = signal + 0.1 * rng.normal(size=40)
    thirds = np.quantile(signal, [1 / 3, 2 / 3])
    labels = np.array(["a", "b", "c"])[np.digitize(signal, thirds)]
    return dict(X=X, y=y, y2=np.column_stack([y, X[:, 5] - X[:, 6]]),
                binary=np.where(signal > np.median(signal), "yes", "no"), multi=labels,
                weight=rng.uniform(0.5, 2.0, size=40))


def singletons(d):
    return [[i] for i in range(d)]


@pytest.mark.parametrize("kind, output", [
    ("regressor", "proba"), ("two_outputs", "proba"), ("binary", "proba"),
    ("binary", "logit"), ("multi", "proba"), ("multi", "logit"),
])
def test_exact_equals_brute_force_on_every_coalition(data, kind, output):
    X = data["X"]
    if kind in ("regressor", "two_outputs"):
        y = data["y"] if kind == "regressor" else data["y2"]
        model = _fit(MLPRegressor(hidden_layer_sizes=(7, 5), activation="tanh",
                                  max_iter=300, random_state=0), X, y)
        f = regressor_outputs(model)
    else:
        model = _fit(MLPClassifier(hidden_layer_sizes=(6,), activation="relu",
                                   max_iter=300, random_state=0), X, data[kind])
        f = probabilities(model) if output == "proba" else logits(model)
    background = X[::4]  # 10 rows, given as an array: equal weights
    method = Shapley(background=background, output=output, algorithm="exact")
    result = feature_importances(model, X[:4], method=method, return_local=True)
    weights = np.full(len(background), 1 / len(background))
    for r in range(4):
        expected = brute_force(f, X[r], background, weights, singletons(8))
        np.testing.assert_allclose(result.local[r], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.expected_value, weights @ f(background), atol=1e-12)
    np.testing.assert_allclose(result.per_output, np.abs(result.local).mean(axis=0),
                               rtol=0, atol=1e-15)
    assert result.standard_error is None  # exact: no sampling error


def test_default_background_is_every_row_weighted_by_sample_weight(data):
    X, w = data["X"][:, :5], data["weight"]
    model = _fit(MLPRegressor(hidden_layer_sizes=(6,), activation="logistic",
                              max_iter=300, random_state=0), X, data["y"])
    result = feature_importances(model, X, method="shapley", sample_weight=w,
                                 return_local=True)  # 40 rows < background=100
    f = regressor_outputs(model)
    for r in (0, 17):
        expected = brute_force(f, X[r], X, w / w.sum(), singletons(5))
        np.testing.assert_allclose(result.local[r], expected, rtol=0, atol=1e-12)
    # The importance is the weighted mean of |phi| over the rows.
    np.testing.assert_allclose(result.per_output, np.tensordot(w, np.abs(result.local), 1)
                               / w.sum(), rtol=0, atol=1e-14)


@pytest.mark.parametrize("algorithm", ["exact", "sampled"])
def test_efficiency_values_add_up_to_the_gap(data, algorithm):
    X = data["X"]
    model = _fit(MLPClassifier(hidden_layer_sizes=(8, 4), max_iter=300, random_state=0),
                 X, data["multi"])
    method = Shapley(algorithm=algorithm, n_permutations=4, random_state=0)
    result = feature_importances(model, X, method=method, return_local=True)
    gap = model.predict_proba(X) - model.predict_proba(X).mean(axis=0)
    np.testing.assert_allclose(result.local.sum(axis=2), gap, rtol=0, atol=1e-10)


def test_symmetric_inputs_get_equal_values_and_a_dummy_gets_zero(data):
    X = data["X"][:, :5].copy()
    X[:, 4] = X[:, 1]  # a duplicate of input 1
    model = _fit(MLPRegressor(hidden_layer_sizes=(6,), activation="tanh", max_iter=300,
                              random_state=0), X, data["y"])
    model = copy.deepcopy(model)
    model.coefs_[0][4] = model.coefs_[0][1]  # the same weights: a symmetric game
    model.coefs_[0][3] = 0.0  # input 3 is a dummy: the output never depends on it
    result = feature_importances(model, X, method=Shapley(algorithm="exact"),
                                 return_local=True)
    np.testing.assert_allclose(result.local[..., 4], result.local[..., 1], rtol=0,
                               atol=1e-12)
    assert np.abs(result.local[..., 1]).max() > 1e-3  # not trivially equal
    np.testing.assert_allclose(result.local[..., 3], 0.0, rtol=0, atol=1e-12)
    assert result.importances_mean[3] < 1e-12


@pytest.mark.parametrize("summary", ["kmeans", "sample"])
def test_linear_network_values_are_weight_times_distance_to_the_background_mean(summary):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(150, 4)) * [1.0, 10.0, 0.1, 3.0]
    y = X @ [1.0, -0.2, 5.0, 0.0] + rng.normal(size=150)
    model = _fit(MLPRegressor(hidden_layer_sizes=(5,), activation="identity",
                              max_iter=500, random_state=0), X, y)
    # The network's coefficients, by differences of its own predictions.
    w = np.array([model.predict(np.eye(4)[[i]])[0] - model.predict(np.zeros((1, 4)))[0]
                  for i in range(4)])
    result = feature_importances(model, X, method=Shapley(background=20, summary=summary,
                                                          random_state=0),
                                 return_local=True)
    # phi_i = w_i (x_i - mean_b b_i): the mean of the background follows from the
    # efficiency of the expected value, F(mean b) = mean F(b) for a linear F.
    b_mean_output = result.expected_value[0]
    np.testing.assert_allclose(result.local.sum(axis=2)[:, 0],
                               model.predict(X) - b_mean_output, atol=1e-10)
    offsets = X - result.local[:, 0, :] / w  # every row: the same background mean
    np.testing.assert_allclose(offsets, np.broadcast_to(offsets[0], offsets.shape),
                               rtol=0, atol=1e-9)
    if summary == "kmeans":
        # k-means centres weighted by their clusters' sizes average to X's mean.
        np.testing.assert_allclose(offsets[0], X.mean(axis=0), rtol=0, atol=1e-9)
    else:  # 20 of X's rows
        assert not np.allclose(offsets[0], X.mean(axis=0), atol=1e-3)


def test_two_players_sampled_is_exact():
    # Each permutation of two players and its reverse are both orders: no error at all.
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    model = _fit(MLPRegressor(hidden_layer_sizes=(5,), activation="tanh", max_iter=200,
                              random_state=0), X, X[:, 0] * X[:, 1])
    exact = feature_importances(model, X, method=Shapley(algorithm="exact"),
                                return_local=True)
    sampled = feature_importances(model, X, method=Shapley(
        algorithm="sampled", n_permutations=3, random_state=0), return_local=True)
    np.testing.assert_allclose(sampled.local, exact.local, rtol=0, atol=1e-12)
    np.testing.assert_allclose(sampled.standard_error, 0.0, rtol=0, atol=1e-12)


def test_sampled_values_and_their_standard_errors_match_exact(data):
    X = data["X"][:, :6]
    model = _fit(MLPRegressor(hidden_layer_sizes=(8,), activation="tanh", max_iter=300,
                              random_state=0), X, data["y"])
    rows = X[:6]
    exact = feature_importances(model, rows, return_local=True,
                                method=Shapley(background=X, algorithm="exact")).local
    runs = [feature_importances(model, rows, method=Shapley(
        background=X, algorithm="sampled", n_permutations=30, random_state=seed),
        return_local=True) for seed in range(8)]
    estimates = np.stack([run.local for run in runs])
    errors = np.stack([run.standard_error for run in runs])
    z = (estimates - exact) / errors
    assert np.mean(np.abs(z) < 3) > 0.97, np.abs(z).max()
    # The reported standard error is the spread of the estimates over seeds.
    ratio = estimates.std(axis=0, ddof=1).mean() / errors.mean()
    assert 0.6 < ratio < 1.5, ratio
    # More permutations, smaller error: about 1/sqrt(n_permutations).
    more = feature_importances(model, rows, method=Shapley(
        background=X, algorithm="sampled", n_permutations=120, random_state=0),
        return_local=True)
    assert 0.35 < more.standard_error.mean() / errors[0].mean() < 0.65


def test_sampled_draws_do_not_depend_on_chunking(data):
    X = data["X"]
    model = _fit(MLPRegressor(hidden_layer_sizes=(6,), max_iter=200, random_state=0),
                 X, data["y"])
    method = Shapley(background=X, algorithm="sampled", n_permutations=5, random_state=0)
    first = feature_importances(model, X, method=method, return_local=True)
    with config_context(working_memory=0.001):  # one walk, few background rows a block
        small = feature_importances(model, X, method=method, return_local=True)
    np.testing.assert_allclose(small.local, first.local, rtol=0, atol=1e-12)
    np.testing.assert_allclose(small.standard_error, first.standard_error, rtol=0,
                               atol=1e-12)
    # Each row has its own draws: the first rows alone get the same values.
    head = feature_importances(model, X[:3], method=method, return_local=True)
    np.testing.assert_allclose(head.local, first.local[:3], rtol=0, atol=1e-12)


def test_exact_blocks_and_background_chunks_do_not_change_the_numbers(data):
    X = data["X"][:, :6]
    model = _fit(MLPRegressor(hidden_layer_sizes=(9, 4), max_iter=200, random_state=0),
                 X, data["y"])
    method = Shapley(background=X, algorithm="exact")
    first = feature_importances(model, X[:8], method=method, return_local=True)
    # Blocks of one coalition, background chunks of 3 rows.
    with config_context(working_memory=0.001):
        small = feature_importances(model, X[:8], method=method, return_local=True)
    np.testing.assert_allclose(small.local, first.local, rtol=0, atol=1e-12)
    np.testing.assert_allclose(small.expected_value, first.expected_value, atol=1e-13)


def test_groups_as_players_against_brute_force_and_groups_as_sums(data):
    X = data["X"][:, :6]
    model = _fit(MLPRegressor(hidden_layer_sizes=(6,), activation="tanh", max_iter=300,
                              random_state=0), X, data["y"])
    groups = [[0, 1], [2], [3, 5]]  # column 4 in no group: one more, unreported player
    players = feature_importances(model, X, method=Shapley(group_values="players"),
                                  feature_groups=groups, return_local=True)
    weights = np.full(len(X), 1 / len(X))
    f = regressor_outputs(model)
    for r in (0, 9):
        expected = brute_force(f, X[r], X, weights, groups + [[4]])
        np.testing.assert_allclose(players.local[r], expected[:, :3], rtol=0, atol=1e-12)
    alone = feature_importances(model, X, method="shapley", return_local=True)
    sums = feature_importances(model, X, method="shapley", feature_groups=groups,
                               return_local=True)
    for e, cols in enumerate(groups):
        np.testing.assert_allclose(sums.local[..., e], alone.local[..., cols].sum(axis=-1),
                                   rtol=0, atol=1e-12)
    # The two games differ: a group as one player is not the sum of its columns.
    assert np.abs(players.local[..., 0] - sums.local[..., 0]).max() > 1e-4
    with pytest.raises(ValueError, match="feature_groups share columns"):
        feature_importances(model, X, method=Shapley(group_values="players"),
                            feature_groups=[[0, 1], [1, 2]])


def test_sampled_group_sums_measure_the_spread_of_the_sum(data):
    X = data["X"][:, :5]
    model = _fit(MLPRegressor(hidden_layer_sizes=(6,), max_iter=200, random_state=0),
                 X, data["y"])
    method = Shapley(algorithm="sampled", n_permutations=10, random_state=0)
    alone = feature_importances(model, X, method=method, return_local=True)
    everything = feature_importances(model, X, method=method, return_local=True,
                                     feature_groups=[[0, 1, 2, 3, 4]])
    np.testing.assert_allclose(everything.local[..., 0], alone.local.sum(axis=-1),
                               rtol=0, atol=1e-12)
    # All players together add up to F(x) - v(empty) in every walk: no spread at all.
    np.testing.assert_allclose(everything.standard_error, 0.0, rtol=0, atol=1e-12)


def test_encoded_pipeline_players_are_the_columns_of_X():
    pd = pytest.importorskip("pandas")
    rng = np.random.default_rng(2)
    n = 30
    colour = np.array(["red", "green", "blue"])[rng.integers(0, 3, size=n)]
    frame = pd.DataFrame({"size": rng.normal(size=n), "weight": rng.normal(size=n),
                          "colour": colour})
    y = frame["size"] + np.select([colour == "red", colour == "green"], [2.0, -1.0], 0.0)
    pipe = _fit(make_pipeline(
        ColumnTransformer([("num", StandardScaler(), ["size", "weight"]),
                           ("cat", OneHotEncoder(), ["colour"])]),
        MLPRegressor(hidden_layer_sizes=(6,), activation="tanh", max_iter=300,
                     random_state=0)), frame, y)
    result = feature_importances(pipe, frame, method="shapley", return_local=True)
    assert result.local.shape == (n, 1, 3)
    assert result.feature_names.tolist() == ["size", "weight", "colour"]

    def f(rows):
        return pipe.predict(pd.DataFrame(rows, columns=frame.columns)).reshape(-1, 1)

    raw = frame.to_numpy(dtype=object)
    for r in (0, 5):
        expected = brute_force(f, raw[r], raw, np.full(n, 1 / n), singletons(3))
        np.testing.assert_allclose(result.local[r], expected, rtol=0, atol=1e-12)
    # Groups of X's columns as players: each replaces all their encoded inputs.
    grouped = feature_importances(pipe, frame, method=Shapley(group_values="players"),
                                  feature_groups=[["size", "colour"], ["weight"]],
                                  return_local=True)
    for r in (0, 5):
        expected = brute_force(f, raw[r], raw, np.full(n, 1 / n), [[0, 2], [1]])
        np.testing.assert_allclose(grouped.local[r], expected, rtol=0, atol=1e-12)


def test_scale_has_no_effect(data):
    X = data["X"][:, :4] * [1.0, 100.0, 0.01, 1.0]
    model = _fit(MLPRegressor(hidden_layer_sizes=(5,), max_iter=200, random_state=0),
                 X, data["y"])
    sampled = Shapley(algorithm="sampled", n_permutations=3, random_state=0)
    for method in (Shapley(), sampled):
        on = feature_importances(model, X, method=method, scale=True, return_local=True)
        off = feature_importances(model, X, method=method, scale=False, return_local=True)
        np.testing.assert_array_equal(on.local, off.local)
        np.testing.assert_array_equal(on.per_output, off.per_output)


def test_auto_is_exact_up_to_twelve_players_and_exact_is_refused_beyond_twenty():
    rng = np.random.default_rng(4)
    model = _fit(MLPRegressor(hidden_layer_sizes=(3,), max_iter=50, random_state=0),
                 rng.normal(size=(20, 21)), rng.normal(size=20))
    X = rng.normal(size=(2, 21))
    with pytest.raises(ValueError, match="algorithm='exact' is limited to 20 players"):
        feature_importances(model, X, method=Shapley(algorithm="exact"))
    auto = feature_importances(model, X, method=Shapley(background=X, random_state=0,
                                                        n_permutations=2),
                               return_local=True)
    assert auto.standard_error is not None  # 21 players: sampled
    # 21 columns in 3 groups as players: 4 players, exact.
    grouped = feature_importances(model, X, method=Shapley(background=X,
                                                           group_values="players"),
                                  feature_groups=[list(range(7)), list(range(7, 14)),
                                                  list(range(14, 21))], return_local=True)
    assert grouped.standard_error is None
    np.testing.assert_allclose(grouped.local.sum(axis=2)[:, 0],
                               model.predict(X) - model.predict(X).mean(), atol=1e-10)


def test_background_is_validated_by_name(data):
    X = data["X"][:, :3]
    model = _fit(MLPRegressor(hidden_layer_sizes=(3,), max_iter=50, random_state=0),
                 X, data["y"])
    with pytest.raises(ValueError,
                       match=r"background must be .* shape \(n_background, 3\)"):
        feature_importances(model, X, method=Shapley(background=np.zeros((4, 2))))
    with pytest.raises(ValueError, match="'background' parameter"):
        feature_importances(model, X, method=Shapley(background=0))
    one = feature_importances(model, X, method=Shapley(background=X[0]), return_local=True)
    np.testing.assert_allclose(one.expected_value, model.predict(X[:1]), atol=1e-12)


def test_meta_estimators_and_select_from_model(data):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(120, 5))
    y = 3 * X[:, 0] + 2 * np.tanh(X[:, 1]) + X[:, 2] + 0.1 * rng.normal(size=120)
    mlp = MLPRegressor(hidden_layer_sizes=(10,), max_iter=400, random_state=0)
    meta = _fit(ImportanceRegressor(mlp, method=Shapley(background=30, random_state=0)),
                X, y)
    direct = feature_importances(meta.estimator_, X, method=Shapley(background=30,
                                                                     random_state=0))
    np.testing.assert_allclose(meta.feature_importances_, direct.normalized(), atol=1e-12)
    select = _fit(SelectFromModel(ImportanceRegressor(mlp, method="shapley"),
                                  max_features=3, threshold=-np.inf), X, y)
    assert list(np.flatnonzero(select.get_support())) == [0, 1, 2]
    labels = np.where(y > np.median(y), "hi", "lo")
    clf = _fit(ImportanceClassifier(MLPClassifier(hidden_layer_sizes=(6,), max_iter=300,
                                                  random_state=0), method="shapley"),
               X, labels)
    assert clf.feature_importances_.shape == (5,)
    assert np.argmax(clf.feature_importances_) == 0


def test_the_numbers_do_not_depend_on_the_number_of_threads(data):
    X = data["X"][:, :5]
    model = _fit(MLPRegressor(hidden_layer_sizes=(6, 3), max_iter=200, random_state=0),
                 X, data["y"])
    net, players = unwrap_network(model), [np.array([i]) for i in range(5)]
    w = np.full(len(X), 1 / len(X))
    with config_context(working_memory=0.01):  # many blocks of rows to share
        one = exact_shapley(net, X, X, w, players, n_threads=1)
        two = exact_shapley(net, X, X, w, players, n_threads=2)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)
    seeds = np.arange(len(X))
    one = sampled_shapley(net, X, X, w, players, n_permutations=3, seeds=seeds, n_threads=1)
    two = sampled_shapley(net, X, X, w, players, n_permutations=3, seeds=seeds, n_threads=2)
    for a, b in zip(one, two):
        np.testing.assert_array_equal(a, b)

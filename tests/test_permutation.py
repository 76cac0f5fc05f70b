"""Permutation importance against scikit-learn's own function, and its fast path."""

import warnings

import numpy as np
import pytest
import sklearn
from conftest import make_mlp, random_mlp
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.metrics import make_scorer, mean_absolute_error
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from skimportance import feature_importances
from skimportance.methods import Ablation, Permutation, _column_engine
from skimportance.network import _rank_one as _fastpath


@pytest.fixture
def slow_path(monkeypatch):
    calls = []

    def never(estimator, X, scorer):
        calls.append(1)
        return None

    monkeypatch.setattr(_column_engine, "fast_network", never)
    return calls


def fit_quietly(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y)


def data(n=240, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * [1, 2, 0.5, 1, 3][:p]
    signal = X[:, 0] + 0.5 * X[:, 1] ** 2 - X[:, 2]
    return X, signal + 0.3 * rng.normal(size=n), rng.uniform(0.2, 2, size=n)


def ours(estimator, X, y, **kw):
    sample_weight = kw.pop("sample_weight", None)
    return feature_importances(estimator, X, y, method=Permutation(**kw),
                               sample_weight=sample_weight)


def assert_same(result, reference):
    np.testing.assert_allclose(result.importances, reference.importances, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.importances_mean, reference.importances_mean,
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.importances_std, reference.importances_std,
                               rtol=0, atol=1e-12)


CASES = {
    "default": {},
    "weights": {"sample_weight": True},
    "max_samples float": {"max_samples": 0.6},
    "max_samples int and weights": {"max_samples": 100, "sample_weight": True},
    "scorer name": {"scoring": "neg_mean_absolute_error"},
    "make_scorer": {"scoring": make_scorer(mean_absolute_error, greater_is_better=False)},
    "plain callable": {"scoring": lambda est, X, y: -np.abs(est.predict(X) - y).max()},
}


@pytest.mark.parametrize("case", CASES)
def test_regressor_equals_scikit_learn(case, kernels):
    X, y, w = data()
    mlp = fit_quietly(make_pipeline(StandardScaler(), MLPRegressor(
        hidden_layer_sizes=(12, 6), max_iter=200, random_state=0)), X, y)
    kw = dict(CASES[case], n_repeats=4, random_state=7)
    if kw.get("sample_weight"):
        kw["sample_weight"] = w
    reference = permutation_importance(mlp, X, y, **kw)
    result = ours(mlp, X, y, **kw)
    assert result.importances.shape == (5, 4)
    assert_same(result, reference)


@pytest.mark.parametrize("scoring", [None, "neg_log_loss", "roc_auc", "balanced_accuracy"])
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_classifier_equals_scikit_learn(scoring, weighted, kernels):
    X, y, w = data(seed=1)
    labels = np.where(y > np.median(y), "high", "low")
    mlp = fit_quietly(MLPClassifier(hidden_layer_sizes=(10,), max_iter=300, random_state=0),
                      X, labels)
    w = w if weighted else None
    reference = permutation_importance(mlp, X, labels, scoring=scoring, n_repeats=3,
                                       random_state=1, sample_weight=w)
    assert_same(ours(mlp, X, labels, scoring=scoring, n_repeats=3, random_state=1,
                     sample_weight=w), reference)


@pytest.mark.parametrize("scoring", [None, "neg_log_loss", "roc_auc_ovr", "f1_macro"])
def test_multiclass_classifier_equals_scikit_learn(scoring, kernels):
    X, y, w = data(seed=2)
    labels = np.digitize(y, np.quantile(y, [0.33, 0.66]))
    mlp = fit_quietly(make_pipeline(MinMaxScaler(), MLPClassifier(
        hidden_layer_sizes=(10, 5), activation="tanh", max_iter=300, random_state=0)),
        X, labels)
    reference = permutation_importance(mlp, X, labels, scoring=scoring, n_repeats=3,
                                       random_state=2, max_samples=0.7, sample_weight=w)
    assert_same(ours(mlp, X, labels, scoring=scoring, n_repeats=3, random_state=2,
                     max_samples=0.7, sample_weight=w), reference)


@pytest.mark.parametrize("estimator", [Ridge(), LogisticRegression()],
                         ids=["Ridge", "LogisticRegression"])
def test_any_estimator_equals_scikit_learn(estimator):
    X, y, w = data(seed=3)
    if isinstance(estimator, LogisticRegression):
        y = y > 0
    estimator.fit(X, y)
    reference = permutation_importance(estimator, X, y, n_repeats=3, random_state=0,
                                       sample_weight=w)
    assert_same(ours(estimator, X, y, n_repeats=3, random_state=0, sample_weight=w),
                reference)


NETWORKS = {
    "relu, 1 layer, regressor": ((6, 9, 1), "relu", "identity"),
    "tanh, 2 layers, 2 targets": ((6, 9, 4, 2), "tanh", "identity"),
    "logistic, poisson": ((6, 7, 1), "logistic", "exp"),
    "identity, binary": ((6, 5, 1), "identity", "logistic"),
    "relu, 3 layers, softmax": ((6, 8, 7, 5, 3), "relu", "softmax"),
    "tanh, multilabel": ((6, 8, 3), "tanh", "logistic"),
}


@pytest.mark.parametrize("network", NETWORKS)
def test_fast_path_equals_slow_path(network, kernels, monkeypatch, rng):
    layers, activation, out_activation = NETWORKS[network]
    mlp = random_mlp(layers, activation, out_activation, seed=4)
    X = rng.normal(size=(700, 6))
    X[:, 5] = 2.0  # constant: its shuffles change nothing
    y = mlp.predict(X)
    if out_activation == "identity":
        y = y + rng.normal(size=y.shape)
    elif out_activation == "exp":
        y = rng.poisson(y)
    else:
        y = np.asarray(y)
        flip = rng.uniform(size=y.shape) < 0.2
        y = np.where(flip, np.roll(y, 1, axis=0), y)
    method = Permutation(n_repeats=2, random_state=0, max_samples=650)
    # Small tiles and several threads, so that blocks and their edges are exercised.
    monkeypatch.setattr(_fastpath, "_TILE_BYTES", 5000)
    monkeypatch.setattr(_fastpath, "_KERNEL_WEIGHT_BYTES", 100)
    monkeypatch.setattr(_fastpath, "_MIN_ROWS_PER_THREAD", 100)
    monkeypatch.setattr(_fastpath, "_blas_threads", lambda: 3)
    with sklearn.config_context(working_memory=0.01):
        fast = feature_importances(mlp, X, y, method=method)
    slow = feature_importances(mlp, X, y, method=method.set_params(engine="exact"))
    np.testing.assert_allclose(fast.importances, slow.importances, rtol=0, atol=1e-12)
    # Shuffling a constant column changes nothing: the fast path skips it and reports the
    # score of the unshuffled rows in every repeat, which the slow path computes again
    # (to rounding: the two need not sum in the same order).
    assert fast.importances[5, 0] == fast.importances[5, 1]
    np.testing.assert_allclose(slow.importances[5], fast.importances[5], rtol=0, atol=1e-14)


def test_fast_path_is_taken_for_networks_and_scorers_only(slow_path):
    X, y, _ = data(n=60)
    mlp = fit_quietly(MLPRegressor(hidden_layer_sizes=(4,), max_iter=20, random_state=0),
                      X, y)
    ours(mlp, X, y, n_repeats=1)
    assert slow_path == [1]
    from sklearn.metrics import check_scoring

    assert _fastpath.fast_network(mlp, X, check_scoring(mlp, "r2")) is not None
    assert _fastpath.fast_network(mlp, X, lambda est, X, y: 0.0) is None
    assert _fastpath.fast_network(Ridge().fit(X, y), X, check_scoring(mlp, "r2")) is None


def test_stand_in_predicts_like_the_network(rng):
    X = rng.normal(size=(300, 4))
    for layers, out_activation in [((4, 6, 1), "logistic"), ((4, 6, 3), "softmax"),
                                   ((4, 6, 3), "logistic"), ((4, 6, 2), "identity")]:
        mlp = random_mlp(layers, "relu", out_activation, seed=1)
        fast = _fastpath.fast_network(mlp, X, sklearn.metrics.get_scorer("r2"))
        standin = fast.standin()
        standin.outputs_ = fast.outputs(np.zeros((300, 1)), [0])[0]
        if not hasattr(mlp, "predict_proba"):
            np.testing.assert_allclose(standin.predict(X), mlp.predict(X), rtol=1e-13,
                                       atol=1e-13)
        else:
            np.testing.assert_array_equal(standin.predict(X), mlp.predict(X))
            np.testing.assert_allclose(standin.predict_proba(X), mlp.predict_proba(X),
                                       rtol=1e-13, atol=1e-14)
            np.testing.assert_allclose(standin.predict_log_proba(X),
                                       mlp.predict_log_proba(X), rtol=1e-12, atol=1e-12)


def test_network_without_hidden_layer(rng):
    W = rng.normal(size=(3, 1))
    mlp = make_mlp([W], [np.zeros(1)], out_activation="identity")
    X = rng.normal(size=(100, 3))
    y = X @ W[:, 0] + rng.normal(size=100)
    reference = permutation_importance(mlp, X, y, n_repeats=2, random_state=0)
    assert_same(ours(mlp, X, y, n_repeats=2, random_state=0), reference)


def test_negative_importances_are_kept_and_clipped_when_normalised(rng):
    X = rng.normal(size=(400, 2))
    model = LinearRegression().fit(X, X[:, 0] + X[:, 1])
    # On data where the second input acts the other way, shuffling it helps.
    result = feature_importances(model, X, X[:, 0] - X[:, 1], method=Permutation(
        n_repeats=3, random_state=0))
    assert result.importances_mean[1] < 0
    assert result.normalized()[1] == 0 and result.normalized()[0] == 1


def test_random_state_controls_the_shuffles():
    X, y, _ = data(n=80)
    model = Ridge().fit(X, y)
    a = ours(model, X, y, n_repeats=2, random_state=np.random.RandomState(3))
    b = ours(model, X, y, n_repeats=2, random_state=3)
    c = ours(model, X, y, n_repeats=2, random_state=4)
    np.testing.assert_array_equal(a.importances, b.importances)
    assert not np.array_equal(a.importances, c.importances)


def test_clear_errors():
    X, y, _ = data(n=50)
    mlp = fit_quietly(MLPRegressor(hidden_layer_sizes=(3,), max_iter=5), X, y)
    with pytest.raises(ValueError, match="needs the data and the true targets; y was"):
        feature_importances(mlp, X, method="permutation")
    with pytest.raises(ValueError, match="X and y were not given"):
        Permutation().compute(mlp)
    with pytest.raises(ValueError, match="Unknown scoring='nope'.*get_scorer_names"):
        ours(mlp, X, y, scoring="nope")
    with pytest.raises(ValueError, match="scores a classifier's.*is a regressor"):
        ours(mlp, X, y, scoring="roc_auc")
    with pytest.raises(ValueError, match="cannot score MLPRegressor on this data"):
        ours(mlp, X, y, scoring="accuracy")
    with pytest.raises(ValueError, match=r"scoring=\['r2', 'max_error'\].*Got 'max_error'"):
        ours(mlp, X, y, scoring=["r2", "max_error"])
    with pytest.raises(ValueError, match="max_samples=51 is more than the 50 rows"):
        ours(mlp, X, y, max_samples=51)


@pytest.mark.parametrize("estimator", [Ridge(), MLPRegressor(hidden_layer_sizes=(4,),
                                                              max_iter=30, random_state=0)],
                         ids=["Ridge", "MLP"])
def test_named_columns_give_the_same_numbers_and_no_warning(estimator):
    pd = pytest.importorskip("pandas")
    X, y, _ = data(n=80)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)])
    fit_quietly(estimator, frame, y)
    reference = permutation_importance(estimator, frame, y, n_repeats=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = ours(estimator, frame, y, n_repeats=2, random_state=0)
    assert_same(result, reference)
    assert list(result.feature_names) == list(frame.columns)


def test_engine_is_explicit(rng):
    X = rng.normal(size=(120, 3))
    y = X[:, 0] + rng.normal(scale=0.1, size=120)
    mlp = fit_quietly(MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0),
                      X, y)
    for cls in (Permutation, Ablation):
        kwargs = {"random_state": 0} if cls is Permutation else {}
        fast = feature_importances(mlp, X, y, method=cls(engine="fast", **kwargs))
        exact = feature_importances(mlp, X, y, method=cls(engine="exact", **kwargs))
        auto = feature_importances(mlp, X, y, method=cls(**kwargs))
        np.testing.assert_allclose(fast.importances, exact.importances, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(auto.importances, fast.importances)
        with pytest.raises(ValueError, match="engine='fast' needs an MLP"):
            feature_importances(Ridge().fit(X, y), X, y, method=cls(engine="fast"))
        with pytest.raises(ValueError, match="engine='fast' needs an MLP.*scoring"):
            feature_importances(mlp, X, y, method=cls(engine="fast",
                                                      scoring=lambda e, X, y: 0.0))


@pytest.mark.parametrize("layers, out_activation", [((5, 9, 6, 1), "identity"),
                                                    ((5, 8, 7, 4, 2), "identity"),
                                                    ((5, 9, 6, 3), "softmax")])
def test_repeats_sharing_the_second_layer_equal_the_network(layers, out_activation, rng,
                                                            monkeypatch):
    # ReLU networks of two hidden layers or more compute the repeats together: one
    # product per column, then only the units that switch. The oracle is the network's
    # own prediction on X with the column replaced.
    mlp = random_mlp(layers, "relu", out_activation, seed=3)
    X = rng.normal(size=(500, 5))
    fast = _fastpath.fast_network(mlp, X, sklearn.metrics.get_scorer("r2"))
    if not fast.reuses_repeats:
        pytest.skip("numba is not installed")
    monkeypatch.setattr(_fastpath, "_TILE_BYTES", 3000)  # several tiles, edges included
    fast.n_threads = 3
    cols = [4, 0, 2]
    D = rng.normal(size=(3, 500, 3)) * 2
    D[1, :100] = 0.0  # rows left alone
    outputs = fast.repeated_outputs(D, cols)
    predict = mlp.predict_proba if out_activation == "softmax" else mlp.predict
    for r in range(3):
        for c, col in enumerate(cols):
            Xr = X.copy()
            Xr[:, col] += D[r, :, c]
            expected = np.asarray(predict(Xr)).reshape(500, -1)
            np.testing.assert_allclose(outputs[r, c], expected, rtol=0, atol=1e-12)
    # A good share of units did switch, so the corrections were exercised.
    Z = X @ mlp.coefs_[0] + mlp.intercepts_[0]
    moved = (Z + D[0, :, :1] * mlp.coefs_[0][4]) > 0
    assert 0.05 < np.mean(moved != (Z > 0)) < 0.5


def test_batch_scores_equal_the_scorers(rng):
    from sklearn.metrics import check_scoring, get_scorer

    from skimportance.methods._score import _Scorers
    from skimportance.network._standins import BatchScores, _RegressorOutputs

    mlp = MLPRegressor()
    standin = _RegressorOutputs()
    outputs = rng.normal(size=(4, 50, 2))
    outputs[1] = 0.0
    for y in [rng.normal(size=(50, 2)), np.full((50, 2), 3.0),
              np.column_stack([np.zeros(50), rng.normal(size=50)])]:
        y1 = y[:, 1]
        for w in [None, rng.uniform(0.1, 2, size=50)]:
            for scoring in [None, "r2", "neg_mean_squared_error",
                            ["r2", "neg_mean_squared_error"]]:
                if isinstance(scoring, list):
                    scorers = _Scorers({s: get_scorer(s) for s in scoring}, multimetric=True)
                else:
                    scorers = _Scorers({None: check_scoring(mlp, scoring)}, multimetric=False)
                for target, P in [(y, outputs), (y1, outputs[:, :, 1:])]:
                    scorers.names = None
                    standin.outputs_ = P[0]
                    scorers(standin, P[0], target, w)  # sets the names, as the baseline does
                    batch = BatchScores.from_scorer(scorers, standin, target, w)
                    values = batch(P)
                    for m in range(len(P)):
                        standin.outputs_ = P[m]
                        expected = scorers(standin, P[m], target, w)
                        np.testing.assert_allclose(values[m], expected, rtol=1e-14, atol=1e-14)
                    P_bad = P.copy()
                    P_bad[0, 0, 0] = np.nan
                    assert batch(P_bad) is None  # for the scorer's own error
    # Any other scorer, or a classifier, is called once per output as before.
    for scoring in ["neg_mean_absolute_error", make_scorer(mean_absolute_error)]:
        scorers = _Scorers({None: check_scoring(mlp, scoring)}, multimetric=False)
        scorers.names = [None]
        assert BatchScores.from_scorer(scorers, standin, y1, None) is None
    from skimportance.network._standins import _ClassifierOutputs

    scorers = _Scorers({None: get_scorer("accuracy")}, multimetric=False)
    scorers.names = [None]
    assert BatchScores.from_scorer(scorers, _ClassifierOutputs(np.arange(2)), y1, None) is None


@pytest.mark.parametrize("scoring", [None, "neg_mean_squared_error",
                                     ("r2", "neg_mean_squared_error")])
def test_deep_relu_regressor_with_two_targets_equals_scikit_learn(scoring, kernels):
    X, y, w = data(seed=5)
    Y = np.column_stack([y, X[:, 3] * X[:, 4]])
    mlp = fit_quietly(MLPRegressor(hidden_layer_sizes=(16, 8, 6), max_iter=200,
                                   random_state=0), X, Y)
    reference = permutation_importance(mlp, X, Y, scoring=scoring, n_repeats=3,
                                       random_state=3, sample_weight=w)
    result = ours(mlp, X, Y, scoring=scoring, n_repeats=3, random_state=3, sample_weight=w)
    if isinstance(scoring, tuple):
        for name in scoring:
            assert_same(result[name], reference[name])
    else:
        assert_same(result, reference)

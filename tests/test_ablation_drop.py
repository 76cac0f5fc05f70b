"""Ablation and drop-and-retrain, against direct computations."""

import warnings

import numpy as np
import pytest
from conftest import random_mlp
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skimportance import ImportanceRegressor, feature_importances
from skimportance.methods import Ablation, DropRetrain, _drop


def simulated(n=300, seed=0):
    """y depends on inputs 0, 1, 2 (decreasingly); input 3 is pure noise."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = 3 * X[:, 0] + 2 * X[:, 1] + np.sin(X[:, 2]) + 0.2 * rng.normal(size=n)
    return X, y


def ablated_drop(estimator, X, y, constants, sample_weight=None):
    """The definition, by hand: score drop with column i set to constants[i]."""
    base = estimator.score(X, y, sample_weight=sample_weight)
    drops = []
    for i, c in enumerate(constants):
        Xc = X.copy()
        Xc[:, i] = c
        drops.append(base - estimator.score(Xc, y, sample_weight=sample_weight))
    return np.array(drops)


@pytest.mark.parametrize("value", ["mean", "median", 0.5, "array"])
def test_ablation_equals_its_definition(value, kernels, rng):
    mlp = random_mlp((4, 9, 5, 1), "tanh", "identity", seed=1)
    X = rng.normal(size=(400, 4))
    y = mlp.predict(X) + rng.normal(size=400)
    w = rng.uniform(0.5, 2, size=400)
    constants = {"mean": X.mean(axis=0), "median": np.median(X, axis=0),
                 0.5: np.full(4, 0.5), "array": np.array([1.0, -1.0, 0.0, 2.0])}[value]
    method = Ablation(value=constants if value == "array" else value)
    result = feature_importances(mlp, X, y, method=method, sample_weight=w)
    np.testing.assert_allclose(result.importances_mean, ablated_drop(mlp, X, y, constants, w),
                               rtol=0, atol=1e-12)
    assert result.importances.shape == (4, 1)


def test_ablation_of_a_classifier_and_any_estimator(rng):
    X = rng.normal(size=(300, 3))
    labels = (X[:, 0] + 0.3 * rng.normal(size=300) > 0).astype(int)
    for model in (MLPClassifier(hidden_layer_sizes=(6,), max_iter=300, random_state=0),
                  LogisticRegression()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(X, labels)
        result = feature_importances(model, X, labels, method="ablation")
        np.testing.assert_allclose(result.importances_mean,
                                   ablated_drop(model, X, labels, X.mean(axis=0)), atol=1e-12)


def test_ablation_with_the_columns_own_value_gives_zero(kernels, rng):
    mlp = random_mlp((3, 6, 1), "relu", "identity", seed=2)
    X = rng.normal(size=(200, 3))
    X[:, 1] = 0.75
    y = mlp.predict(X) + rng.normal(size=200)
    for value in (0.75, [5.0, 0.75, -5.0], "mean", "median"):
        result = feature_importances(mlp, X, y, method=Ablation(value=value))
        assert result.importances_mean[1] == 0.0
        assert np.all(result.importances_mean[[0, 2]] != 0)


def test_ablation_value_of_the_wrong_shape():
    X, y = simulated(n=20)
    with pytest.raises(ValueError, match=r"value has shape \(3,\); expected one number or "
                                         r"one per column, \(4,\)"):
        feature_importances(LinearRegression().fit(X, y), X, y,
                            method=Ablation(value=[1.0, 2.0, 3.0]))


@pytest.mark.parametrize("warm_start", [True, False])
def test_drop_and_retrain_ranks_the_noise_column_last(warm_start):
    X, y = simulated()
    model = make_pipeline(StandardScaler(), MLPRegressor(
        hidden_layer_sizes=(16,), max_iter=400, learning_rate_init=0.01, random_state=0))
    model.fit(X[:200], y[:200])
    result = DropRetrain(warm_start=warm_start, max_iter=60 if warm_start else None).compute(
        model, X[200:], y[200:], X_train=X[:200], y_train=y[:200])
    assert list(np.argsort(-result.importances_mean)) == [0, 1, 2, 3]
    assert abs(result.importances_mean[3]) < 0.02


def test_drop_and_retrain_of_any_estimator_equals_its_definition():
    X, y = simulated()
    X_train, y_train, X_test, y_test = X[:200], y[:200], X[200:], y[200:]
    w = np.linspace(0.5, 1.5, 100)
    model = FrozenEstimator(LinearRegression().fit(X_train, y_train))
    result = DropRetrain().compute(model, X_test, y_test, sample_weight=w,
                                   X_train=X_train, y_train=y_train)
    base = r2_score(y_test, model.predict(X_test), sample_weight=w)
    expected = []
    for i in range(4):
        keep = [j for j in range(4) if j != i]
        refit = LinearRegression().fit(X_train[:, keep], y_train)
        expected.append(base - r2_score(y_test, refit.predict(X_test[:, keep]),
                                        sample_weight=w))
    # Score differences (the noise column's is near 0): an absolute tolerance.
    np.testing.assert_allclose(result.importances_mean, expected, rtol=0, atol=1e-12)


def test_warm_start_begins_from_the_full_network_without_the_row():
    X, y = simulated(n=200)
    full = make_pipeline(StandardScaler(), MLPRegressor(
        hidden_layer_sizes=(5,), max_iter=300, random_state=0, early_stopping=True))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full.fit(X, y)
    model = _drop._reduced_model(full, 2, warm_start=True, max_iter=None)
    mlp = model[-1]
    np.testing.assert_array_equal(mlp.coefs_[0], np.delete(full[-1].coefs_[0], 2, axis=0))
    np.testing.assert_array_equal(mlp.coefs_[1], full[-1].coefs_[1])
    assert mlp.get_params()["learning_rate_init"] == full[-1].learning_rate_init
    # A step so small that the weights stay put: the fit starts where it was told to.
    mlp.set_params(learning_rate_init=1e-12, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(np.delete(X, 2, axis=1), y)
    assert mlp.n_iter_ == 2 and len(mlp.validation_scores_) == 2
    np.testing.assert_allclose(mlp.coefs_[0], np.delete(full[-1].coefs_[0], 2, axis=0),
                               atol=1e-9)
    np.testing.assert_allclose(model[0].mean_, np.delete(full[0].mean_, 2))
    cold = _drop._reduced_model(full, 2, warm_start=False, max_iter=7)
    assert not hasattr(cold[-1], "coefs_") and cold[-1].max_iter == 7
    clone(model)  # still a valid estimator


def test_drop_and_retrain_of_a_classifier_with_warm_start():
    X, y = simulated()
    labels = np.where(y > 0, "up", "down")
    model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=300, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, labels)
    result = feature_importances(model, X, labels,
                                 method=DropRetrain(max_iter=30, scoring="neg_log_loss"))
    assert result.importances_mean.argmax() == 0


def test_drop_and_retrain_in_the_meta_estimator_refits_on_the_training_data():
    X, y = simulated(n=120)
    est = ImportanceRegressor(LinearRegression(), method="drop").fit(X, y)
    expected = []
    for i in range(4):
        keep = [j for j in range(4) if j != i]
        expected.append(r2_score(y, LinearRegression().fit(X, y).predict(X))
                        - LinearRegression().fit(X[:, keep], y).score(X[:, keep], y))
    np.testing.assert_allclose(est.importances_.importances_mean, expected, rtol=0,
                               atol=1e-12)


# ------------------------------------------------ the default budget of warm refits


def fitted_for(solver, max_iter, n=200):
    """A Pipeline whose MLP runs exactly ``max_iter`` iterations (tol=0: no early stop
    on the loss), fitted on ``simulated``."""
    X, y = simulated(n=n)
    mlp = MLPRegressor(hidden_layer_sizes=(6,), solver=solver, max_iter=max_iter, tol=0.0,
                       n_iter_no_change=10_000, random_state=0)
    model = make_pipeline(StandardScaler(), mlp)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    return model, X, y


def test_the_default_is_auto():
    assert DropRetrain().max_iter == "auto"


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("max_iter, budget", [(150, 15), (40, 10), (5, 5), (151, 16)])
def test_a_warm_refit_gets_a_tenth_of_the_full_fits_iterations(solver, max_iter, budget):
    # max(10, ceil(0.1 * n_iter_)), at most max_iter: 150 -> 15, 40 -> 10 (the floor),
    # 5 -> 5 (never more than a cold fit gets), 151 -> 16 (rounded up).
    model, X, y = fitted_for(solver, max_iter)
    assert model[-1].n_iter_ == max_iter
    reduced = _drop._reduced_model(model, [1], True, DropRetrain().max_iter)
    assert reduced[-1].max_iter == budget
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # the cap is ours: no warning
        scorer = DropRetrain().check_scorer(model)
        _drop._refit_and_score(model, scorer, [1], True, "auto", X, y, {}, X, y, None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reduced.fit(np.delete(X, 1, axis=1), y)
    if solver == "adam":
        assert reduced[-1].n_iter_ == budget
    else:  # lbfgs may stop early on its line search, never late
        assert 1 <= reduced[-1].n_iter_ <= budget


def test_the_budget_follows_an_early_stopping_network():
    X, y = simulated(n=300)
    model = make_pipeline(StandardScaler(), MLPRegressor(
        hidden_layer_sizes=(6,), learning_rate_init=0.01, early_stopping=True,
        random_state=0)).fit(X, y)
    n_iter = model[-1].n_iter_
    assert 10 < n_iter < 200  # stopped on its validation score
    reduced = _drop._reduced_model(model, None, True, "auto")
    assert reduced[-1].max_iter == max(10, -(-n_iter // 10))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reduced.fit(X, y)
    assert reduced[-1].n_iter_ <= reduced[-1].max_iter
    assert len(reduced[-1].validation_scores_) == reduced[-1].n_iter_


def test_cold_refits_keep_the_estimators_own_budget_and_warnings():
    model, X, y = fitted_for("adam", 30)
    for warm_start, max_iter in [(False, "auto"), (True, None), (False, None)]:
        reduced = _drop._reduced_model(model, [0], warm_start, max_iter)
        assert reduced[-1].max_iter == 30
        assert hasattr(reduced[-1], "coefs_") == warm_start
    # A refit with the estimator's own max_iter that reaches it did not converge.
    with pytest.warns(ConvergenceWarning):
        DropRetrain(warm_start=False).compute(model, X, y)
    with pytest.warns(ConvergenceWarning):
        DropRetrain(max_iter=None).compute(model, X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        DropRetrain().compute(model, X, y)
        DropRetrain(max_iter=12).compute(model, X, y)  # the caller's cap


def test_auto_on_an_estimator_that_cannot_warm_start():
    X, y = simulated(n=100)
    labels = (y > 0).astype(int)
    fitted = LogisticRegression(max_iter=7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted.fit(X, labels)
    reduced = _drop._reduced_model(fitted, [2], True, "auto")
    assert reduced.max_iter == 7 and not hasattr(reduced, "coef_")
    assert _drop._reduced_model(LinearRegression().fit(X, y), [2], True, "auto").get_params() \
        == LinearRegression().get_params()


def test_a_list_of_columns_deletes_those_rows_of_W1():
    model, X, y = fitted_for("adam", 20)
    W1 = model[-1].coefs_[0]  # 4 inputs
    for columns, rows in [([0, 2], [1, 3]), ([3], [0, 1, 2]), ([2, 0, 1], [3]), (1, [0, 2, 3])]:
        reduced = _drop._reduced_model(model, columns, True, "auto")
        np.testing.assert_array_equal(reduced[-1].coefs_[0], W1[rows])
        assert reduced[-1].n_features_in_ == len(rows)
        np.testing.assert_array_equal(reduced[-1].coefs_[1], model[-1].coefs_[1])
    full = _drop._reduced_model(model, None, True, "auto")
    np.testing.assert_array_equal(full[-1].coefs_[0], W1)
    assert W1 is model[-1].coefs_[0] and W1.shape == (4, 6)  # the caller's untouched


def test_default_warm_refits_rank_like_cold_refits():
    # Inputs of distinct weight, the last pure noise: a ranking that cold refits find.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(400, 5))
    y = X @ np.array([3.0, 2.0, 1.2, 0.6, 0.0]) + 0.2 * rng.normal(size=400)
    y = (y - y.mean()) / y.std()
    model = make_pipeline(StandardScaler(), MLPRegressor(
        hidden_layer_sizes=(8,), learning_rate_init=0.01, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X[:300], y[:300])
        data = dict(X_train=X[:300], y_train=y[:300])
        warm = DropRetrain().compute(model, X[300:], y[300:], **data).importances_mean
        cold = DropRetrain(warm_start=False).compute(model, X[300:], y[300:],
                                                     **data).importances_mean
    assert spearmanr(warm, cold).statistic >= 0.9
    assert list(np.argsort(-warm)[:4]) == [0, 1, 2, 3]
    # Input 0 carries 9 / 14.84 of y's variance: both lose at least that much R^2, the
    # short warm refits a little less than the cold ones (0.69 and 0.75 here).
    assert 0.58 < warm[0] < cold[0] < 0.8


@pytest.mark.parametrize("value", [0, -3, "fast", 2.5, "Auto"])
def test_max_iter_is_validated(value):
    X, y = simulated(n=60)
    method = DropRetrain(max_iter=value)
    with pytest.raises(InvalidParameterError, match=r"'max_iter' parameter of DropRetrain "
                       r"must be an int in the range \[1, inf\), a str among \{'auto'\} or "
                       r"None\. Got"):
        method.compute(LinearRegression().fit(X, y), X, y)

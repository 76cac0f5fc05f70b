"""Ablation and drop-and-retrain, against direct computations."""

import warnings

import numpy as np
import pytest
from conftest import random_mlp
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

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

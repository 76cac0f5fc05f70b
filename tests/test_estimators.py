"""The meta-estimators inside scikit-learn's tools, and their contract with the caller."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_regression
from sklearn.ensemble import GradientBoostingRegressor
from sklearn.exceptions import NotFittedError
from sklearn.feature_selection import RFE, SelectFromModel
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import PolynomialFeatures, StandardScaler

from skimportance import ImportanceClassifier, ImportanceRegressor, feature_importances
from skimportance.methods import Garson, Gradient


@pytest.fixture
def regression():
    # 3 informative inputs of 8, so selection has something to find.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 8))
    y = 3 * X[:, 0] + 2 * X[:, 1] - 2 * X[:, 2] + 0.1 * rng.normal(size=300)
    return X, y


def mlp(**kw):
    return MLPRegressor(hidden_layer_sizes=(16,), max_iter=1000, random_state=0, **kw)


def scaled_mlp():
    return make_pipeline(StandardScaler(), mlp())


@pytest.mark.parametrize("method", ["weights", "garson", "olden", "gradient"])
def test_fit_exposes_normalised_importances_and_predicts_like_the_network(method, regression):
    X, y = regression
    est = ImportanceRegressor(scaled_mlp(), method=method).fit(X, y)
    fi = est.feature_importances_
    assert fi.shape == (8,) and np.all(fi >= 0)
    assert fi.sum() == pytest.approx(1.0)
    # The informative inputs (0, 1, 2) come first for every method.
    assert set(np.argsort(-fi)[:3]) == {0, 1, 2}
    reference = scaled_mlp().fit(X, y)
    np.testing.assert_array_equal(est.predict(X), reference.predict(X))
    assert est.score(X, y) == reference.score(X, y)
    # The function gives the same result on the already fitted network.
    again = feature_importances(reference, X, method=method)
    np.testing.assert_array_equal(est.importances_.per_output, again.per_output)


def test_select_from_model_and_rfe_keep_the_informative_inputs(regression):
    X, y = regression
    select = SelectFromModel(ImportanceRegressor(scaled_mlp(), method="garson"),
                             max_features=3, threshold=-np.inf).fit(X, y)
    assert list(np.flatnonzero(select.get_support())) == [0, 1, 2]
    rfe = RFE(ImportanceRegressor(scaled_mlp(), method="gradient"), n_features_to_select=3,
              step=2).fit(X, y)
    assert list(np.flatnonzero(rfe.support_)) == [0, 1, 2]


def test_grid_search_over_methods_inside_a_pipeline(regression):
    X, y = regression
    pipe = Pipeline([
        ("select", SelectFromModel(ImportanceRegressor(scaled_mlp()), max_features=3,
                                   threshold=-np.inf)),
        ("model", mlp()),
    ])
    grid = GridSearchCV(pipe, {"select__estimator__method": [
        "garson", "olden", Gradient(aggregate="rms"), Garson(variant="neuralnettools")]}, cv=3)
    grid.fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert np.all(np.isfinite(grid.cv_results_["mean_test_score"]))
    # Method parameters are hyper-parameters too.
    grid = GridSearchCV(ImportanceRegressor(scaled_mlp(), method=Gradient()),
                        {"method__aggregate": ["mean_abs", "rms"]}, cv=2).fit(X, y)
    assert grid.best_estimator_.method.aggregate in ("mean_abs", "rms")


def test_clone_and_pickle_round_trip(regression):
    X, y = regression
    est = ImportanceRegressor(scaled_mlp(), method=Gradient(aggregate="rms"))
    cloned = clone(est)
    assert cloned.get_params()["method__aggregate"] == "rms"
    assert cloned.method is not est.method
    fitted = est.fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.feature_importances_, fitted.feature_importances_)
    np.testing.assert_array_equal(restored.predict(X), fitted.predict(X))


def test_the_callers_estimator_method_and_arrays_are_not_modified(regression):
    X, y = regression
    X_before, y_before = X.copy(), y.copy()
    inner = scaled_mlp()
    method = Gradient(aggregate="std")
    params_before = inner.get_params(deep=True).__repr__()
    est = ImportanceRegressor(inner, method=method).fit(X, y, sample_weight=np.ones(len(y)))
    assert not hasattr(inner[-1], "coefs_")  # a clone was fitted
    assert inner.get_params(deep=True).__repr__() == params_before
    assert est.method is method and method.get_params() == {"aggregate": "std",
                                                            "output": "proba"}
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)
    fitted = scaled_mlp().fit(X, y)
    coefs = [W.copy() for W in fitted[-1].coefs_]
    feature_importances(fitted, X, method="garson")
    for W, W0 in zip(fitted[-1].coefs_, coefs):
        np.testing.assert_array_equal(W, W0)


def test_same_random_state_same_numbers(regression):
    X, y = regression
    a = ImportanceRegressor(scaled_mlp(), method="gradient").fit(X, y)
    b = ImportanceRegressor(scaled_mlp(), method="gradient").fit(X, y)
    np.testing.assert_array_equal(a.feature_importances_, b.feature_importances_)


def test_frozen_estimator_is_used_as_fitted(regression):
    X, y = regression
    fitted = scaled_mlp().fit(X, y)
    coefs = fitted[-1].coefs_
    est = ImportanceRegressor(FrozenEstimator(fitted), method="olden").fit(X[:50], y[:50])
    assert est.estimator_.estimator[-1].coefs_ is coefs  # not refitted
    np.testing.assert_array_equal(
        est.importances_.per_output,
        feature_importances(fitted, X[:50], method="olden").per_output)


def test_classifier_attributes_and_delegation():
    X, y = make_classification(n_samples=200, n_features=5, n_informative=3, n_classes=3,
                               random_state=0)
    labels = np.array(["a", "b", "c"])[y]
    clf = ImportanceClassifier(MLPClassifier(hidden_layer_sizes=(10,), max_iter=500,
                                             random_state=0), method="garson").fit(X, labels)
    np.testing.assert_array_equal(clf.classes_, ["a", "b", "c"])
    assert list(clf.importances_.output_names) == ["a", "b", "c"]
    np.testing.assert_allclose(clf.importances_.per_output.sum(axis=1), 1.0)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(np.log(proba), clf.predict_log_proba(X))
    np.testing.assert_array_equal(clf.predict(X), clf.estimator_.predict(X))
    assert not hasattr(clf, "decision_function")  # MLPClassifier has none
    assert not hasattr(ImportanceRegressor(), "predict_proba")


def test_feature_names_are_kept():
    pd = pytest.importorskip("pandas")
    X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    frame = pd.DataFrame(X, columns=["age", "dose", "noise"])
    est = ImportanceRegressor(scaled_mlp(), method="gradient").fit(frame, y)
    np.testing.assert_array_equal(est.feature_names_in_, ["age", "dose", "noise"])
    np.testing.assert_array_equal(est.importances_.feature_names, ["age", "dose", "noise"])
    table = est.importances_.to_frame()
    assert list(table.index) == ["age", "dose", "noise"]
    np.testing.assert_array_equal(table["importance"], est.importances_.importances_mean)


def test_sample_weight_reaches_the_network_of_a_pipeline(regression):
    X, y = regression
    w = np.random.default_rng(0).uniform(0, 2, size=len(y))
    est = ImportanceRegressor(scaled_mlp(), method="gradient").fit(X, y, sample_weight=w)
    reference = scaled_mlp().fit(X, y, mlpregressor__sample_weight=w)
    np.testing.assert_array_equal(est.predict(X), reference.predict(X))
    bare = ImportanceRegressor(mlp(), method="olden").fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(bare.predict(X), mlp().fit(X, y, sample_weight=w).predict(X))


def test_metadata_routing_sends_sample_weight_to_the_network(regression):
    import sklearn

    X, y = regression
    w = np.random.default_rng(0).uniform(0, 2, size=len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        inner = mlp().set_fit_request(sample_weight=True)
        est = ImportanceRegressor(inner, method="olden").fit(X, y, sample_weight=w)
        expected = mlp().set_fit_request(sample_weight=True).fit(X, y, sample_weight=w)
    np.testing.assert_array_equal(est.predict(X), expected.predict(X))


# ---- errors --------------------------------------------------------------------------


def test_nan_in_X_is_a_clear_error_and_leaves_nothing_fitted(regression):
    X, y = regression
    X = X.copy()
    X[3, 2] = np.nan
    est = ImportanceRegressor(scaled_mlp())
    with pytest.raises(ValueError, match="NaN"):
        est.fit(X, y)
    assert not hasattr(est, "n_features_in_") and not hasattr(est, "estimator_")
    fitted = scaled_mlp().fit(*regression)
    with pytest.raises(ValueError, match="NaN"):
        feature_importances(fitted, X, method="gradient")


def test_failed_refit_keeps_the_previous_fit(regression):
    X, y = regression
    est = ImportanceRegressor(scaled_mlp(), method="olden").fit(X, y)
    before = est.feature_importances_
    est.set_params(method=Garson(variant="neuralnettools"),
                   estimator=make_pipeline(StandardScaler(), MLPRegressor(
                       hidden_layer_sizes=(4, 4), max_iter=20, random_state=0)))
    with pytest.raises(ValueError, match="one hidden layer"):
        est.fit(X[:, :5], y)
    assert est.n_features_in_ == 8
    np.testing.assert_array_equal(est.feature_importances_, before)


def test_wrong_number_of_features(regression):
    X, y = regression
    fitted = mlp().fit(X, y)
    with pytest.raises(ValueError, match="X has 5 features"):
        feature_importances(fitted, X[:, :5], method="gradient")
    est = ImportanceRegressor(mlp()).fit(X, y)
    with pytest.raises(ValueError, match="5 features"):
        est.predict(X[:, :5])


def test_unfitted_estimator_is_a_clear_error(regression):
    X, _ = regression
    with pytest.raises(NotFittedError, match="not fitted"):
        feature_importances(mlp(), X, method="garson")


def test_unknown_method_string(regression):
    X, y = regression
    with pytest.raises(ValueError, match=r"Unknown method 'garsn'. Did you mean 'garson'"):
        ImportanceRegressor(method="garsn").fit(X, y)
    with pytest.raises(ValueError, match=r"Unknown method 'garsn'.*'garson'"):
        feature_importances(mlp().fit(X, y), X, method="garsn")


def test_weight_method_on_a_non_mlp_names_what_applies(regression):
    X, y = regression
    with pytest.raises(TypeError, match=r"'garson'.*GradientBoostingRegressor.*callable"):
        ImportanceRegressor(GradientBoostingRegressor(), method="garson").fit(X, y)
    gbr = GradientBoostingRegressor(n_estimators=5).fit(X, y)
    with pytest.raises(TypeError, match="GradientBoostingRegressor"):
        feature_importances(gbr, X, method="gradient")
    # A callable works with any estimator.
    result = feature_importances(gbr, X, method=lambda est, X, y: est.feature_importances_)
    np.testing.assert_array_equal(result.importances_mean, gbr.feature_importances_)


def test_pipeline_step_that_mixes_features_is_refused(regression):
    X, y = regression
    pipe = make_pipeline(PolynomialFeatures(2), mlp())
    with pytest.raises(TypeError, match=r"mix columns of X: network input \d+ depends on "
                                        r"columns \[0, 1\]"):
        ImportanceRegressor(pipe, method="olden").fit(X, y)


def test_x_is_required_where_the_method_needs_it(regression):
    X, y = regression
    fitted = mlp().fit(X, y)
    with pytest.raises(ValueError, match="'gradient' needs X"):
        feature_importances(fitted, method="gradient", scale=False)
    with pytest.raises(ValueError, match="scale=True needs the standard deviation"):
        feature_importances(fitted, method="garson")
    assert feature_importances(fitted, method="garson", scale=False).per_output.shape == (1, 8)


def test_all_zero_importances_warn(regression):
    X, y = regression
    with pytest.warns(UserWarning, match="all zeros"):
        est = ImportanceRegressor(mlp(), method=lambda est, X, y: np.zeros(X.shape[1]))
        est.fit(X, y)
    np.testing.assert_array_equal(est.feature_importances_, np.zeros(8))


def test_callable_of_the_wrong_shape(regression):
    X, y = regression
    est = ImportanceRegressor(mlp(), method=lambda est, X, y: np.ones(3))
    with pytest.raises(ValueError, match=r"returned shape \(3,\); expected \(8,\)"):
        est.fit(X, y)

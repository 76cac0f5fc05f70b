"""Right or loud (issue 10): every entry point either gives the right numbers or fails
with an error that names the parameter, or what was expected.

Bad inputs go to ``feature_importances``, the meta-estimators, ``randomization_test``,
``plot_comparison`` and the command line tool, for every method; real Pipelines
(imputers, encoders, non-linear transformers) are checked against scikit-learn's own
``permutation_importance`` and against gradients worked out by hand. The caller's objects
are never changed.
"""

import contextlib
import csv
import io

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.metrics import get_scorer, mean_absolute_error, r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import (
    FunctionTransformer,
    OneHotEncoder,
    QuantileTransformer,
    SplineTransformer,
    StandardScaler,
)

from skimportance import (
    ImportanceClassifier,
    ImportanceRegressor,
    Importances,
    feature_importances,
    randomization_test,
)
from skimportance.network import NotAnMLPError
from skimportance.cli import main as cli_main
from skimportance.methods import METHODS, Ablation, Gradient, Permutation

pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning")

METHOD_NAMES = list(METHODS)
# Methods that read the weights (and gradients) of the network.
NETWORK_METHODS = ["weights", "garson", "olden", "gradient", "integrated_gradients",
                   "conductance", "profile", "input_x_gradient", "deeplift", "smoothgrad",
                   "expected_gradients", "shapley", "sage"]
SCORE_METHODS = ["permutation", "ablation", "drop", "conditional"]
assert sorted(NETWORK_METHODS + SCORE_METHODS) == sorted(METHOD_NAMES)

N_ROWS, N_FEATURES = 80, 4
COLUMNS = ["dose", "age", "weight", "noise"]


def mlp(**params):
    """A small, quick network with a fixed seed."""
    params = {"hidden_layer_sizes": (5,), "max_iter": 200, "random_state": 0, **params}
    return MLPRegressor(**params)


def unseeded_mlp():
    """A small network without its own random_state (the meta-estimator seeds it)."""
    return MLPRegressor(hidden_layer_sizes=(5,), max_iter=50)


def method_object(name, **params):
    """The method's object, seeded where it draws random numbers (reproducible calls)."""
    method = METHODS[name](**params)
    if "random_state" in method.get_params():
        method.set_params(random_state=0)
    return method


def assert_finite_result(result, n_features=N_FEATURES):
    assert isinstance(result, Importances)
    assert result.importances_mean.shape == (n_features,)
    assert np.isfinite(result.importances_mean).all(), result.importances_mean
    assert np.isfinite(result.per_output).all()


def assert_same_permutations(ours, theirs):
    """Our Importances (or dict of them) equal scikit-learn's Bunch (or dict of them)."""
    if "importances" not in theirs:  # a dict of Bunches (a Bunch is a dict too)
        assert isinstance(ours, dict)
        assert list(ours) == list(theirs)
        for name in theirs:
            assert_same_permutations(ours[name], theirs[name])
        return
    assert isinstance(ours, Importances)
    np.testing.assert_allclose(ours.importances, theirs.importances, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.importances_mean, theirs.importances_mean, rtol=0,
                               atol=1e-12)
    np.testing.assert_allclose(ours.importances_std, theirs.importances_std, rtol=0,
                               atol=1e-12)


def assert_not_fitted(est):
    for attr in ("estimator_", "importances_", "feature_importances_", "n_features_in_"):
        assert not hasattr(est, attr), attr


# --------------------------------------------------------------------------------------
# Data and shared networks, fitted once


@pytest.fixture(scope="module")
def arrays():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(N_ROWS, N_FEATURES))
    y = 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2] ** 2 + 0.1 * rng.normal(size=N_ROWS)
    return X, y


@pytest.fixture(scope="module")
def pd():
    return pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def frame(arrays, pd):
    X, y = arrays
    return pd.DataFrame(X, columns=COLUMNS), pd.Series(y, name="y")


@pytest.fixture(scope="module")
def fitted_on_frame(frame):
    X, y = frame
    return {"mlp": mlp().fit(X, y),
            "pipeline": make_pipeline(StandardScaler(), mlp()).fit(X, y)}


@pytest.fixture(scope="module")
def mlp_on_arrays(arrays):
    X, y = arrays
    return mlp().fit(X, y)


@pytest.fixture(scope="module")
def pipeline_on_arrays(arrays):
    X, y = arrays
    return make_pipeline(StandardScaler(), mlp()).fit(X, y)


@pytest.fixture(scope="module")
def meta_on_frame(frame):
    X, y = frame
    return ImportanceRegressor(mlp(), method="gradient").fit(X, y)


@pytest.fixture(scope="module")
def with_missing(arrays):
    """X with about 10% missing values."""
    X, y = arrays
    rng = np.random.RandomState(1)
    X = X.copy()
    X[rng.rand(*X.shape) < 0.1] = np.nan
    assert 0.05 < np.isnan(X).mean() < 0.15
    return X, y


@pytest.fixture(scope="module")
def imputed_pipelines(with_missing):
    X, y = with_missing
    imputers = {"simple": SimpleImputer(), "knn": KNNImputer(n_neighbors=3),
                "iterative": IterativeImputer(max_iter=5, random_state=0)}
    return {name: make_pipeline(imputer, StandardScaler(), mlp()).fit(X, y)
            for name, imputer in imputers.items()}


# --------------------------------------------------------------------------------------
# 1. Column names and counts are those the estimator was fitted with


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_reordered_columns_are_rejected(fitted_on_frame, frame, method):
    X, y = frame
    with pytest.raises(ValueError, match="feature names should match(.|\n)*same order"):
        feature_importances(fitted_on_frame["pipeline"], X[COLUMNS[::-1]], y,
                            method=method)


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_renamed_column_is_rejected(fitted_on_frame, frame, method):
    X, y = frame
    renamed = X.rename(columns={"age": "AGE"})
    with pytest.raises(ValueError, match="feature names should match(.|\n)*AGE"):
        feature_importances(fitted_on_frame["mlp"], renamed, y, method=method)


@pytest.mark.parametrize("method", ["weights", "gradient", "profile", "permutation"])
def test_fewer_columns_are_rejected_with_the_feature_count(pipeline_on_arrays, arrays,
                                                           method):
    X, y = arrays
    with pytest.raises(ValueError, match="X has 3 features.*expecting 4"):
        feature_importances(pipeline_on_arrays, X[:, :3], y, method=method)


@pytest.mark.parametrize("method", ["olden"])
def test_more_columns_are_rejected_with_the_feature_count(mlp_on_arrays, arrays, method):
    X, y = arrays
    wider = np.hstack([X, X[:, :1]])
    with pytest.raises(ValueError, match="X has 5 features.*expecting 4"):
        feature_importances(mlp_on_arrays, wider, y, method=method)


def test_meta_estimator_predict_rejects_reordered_columns(meta_on_frame, frame):
    X, _ = frame
    with pytest.raises(ValueError, match="feature names should match"):
        meta_on_frame.predict(X[COLUMNS[::-1]])


def test_meta_estimator_predict_rejects_renamed_columns(meta_on_frame, frame):
    X, _ = frame
    with pytest.raises(ValueError, match="feature names should match"):
        meta_on_frame.predict(X.rename(columns={"dose": "Dose"}))


@pytest.mark.filterwarnings("ignore:X does not have valid feature names:UserWarning")
def test_meta_estimator_predict_rejects_a_wrong_feature_count(meta_on_frame, frame):
    X, _ = frame
    with pytest.raises(ValueError, match="X has 3 features.*expecting 4"):
        meta_on_frame.predict(X.to_numpy()[:, :3])


def test_fitted_meta_estimator_in_the_function_rejects_reordered_columns(meta_on_frame,
                                                                         frame):
    X, y = frame
    with pytest.raises(ValueError, match="feature names should match"):
        feature_importances(meta_on_frame, X[COLUMNS[::-1]], y, method="olden")


# --------------------------------------------------------------------------------------
# 2. Non-finite and degenerate inputs


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_negative_sample_weight_is_rejected(fitted_on_frame, frame, method):
    X, y = frame
    weights = np.ones(N_ROWS)
    weights[5] = -1.0
    with pytest.raises(ValueError, match="sample_weight"):
        feature_importances(fitted_on_frame["pipeline"], X, y, method=method,
                            sample_weight=weights)


@pytest.mark.parametrize("meta, target", [(ImportanceRegressor, "y"),
                                          (ImportanceClassifier, "labels")])
def test_meta_estimator_rejects_negative_sample_weight(arrays, meta, target):
    X, y = arrays
    y = y if target == "y" else (y > 0).astype(int)
    estimator = (unseeded_mlp() if meta is ImportanceRegressor
                 else MLPClassifier(hidden_layer_sizes=(5,), max_iter=50))
    est = meta(estimator, method="gradient")
    weights = np.ones(N_ROWS)
    weights[0] = -2.0
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X, y, sample_weight=weights)
    assert_not_fitted(est)


@pytest.mark.parametrize("method", ["gradient", "permutation"])
def test_all_zero_sample_weight_is_rejected(fitted_on_frame, frame, method):
    X, y = frame
    with pytest.raises(ValueError, match="sample_weight"):
        feature_importances(fitted_on_frame["pipeline"], X, y, method=method,
                            sample_weight=np.zeros(N_ROWS))


def test_meta_estimator_rejects_all_zero_sample_weight(arrays):
    X, y = arrays
    est = ImportanceRegressor(unseeded_mlp(), method="olden")
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X, y, sample_weight=np.zeros(N_ROWS))
    assert_not_fitted(est)


@pytest.mark.parametrize("method, bad", [("gradient", np.nan), ("permutation", np.nan),
                                         ("gradient", np.inf)])
def test_non_finite_sample_weight_is_rejected(fitted_on_frame, frame, method, bad):
    X, y = frame
    weights = np.ones(N_ROWS)
    weights[7] = bad
    with pytest.raises(ValueError, match="sample_weight"):
        feature_importances(fitted_on_frame["pipeline"], X, y, method=method,
                            sample_weight=weights)


def test_meta_estimator_rejects_nan_sample_weight(arrays):
    X, y = arrays
    weights = np.ones(N_ROWS)
    weights[3] = np.nan
    est = ImportanceRegressor(unseeded_mlp(), method="gradient")
    with pytest.raises(ValueError, match="sample_weight"):
        est.fit(X, y, sample_weight=weights)
    assert_not_fitted(est)


def test_sample_weight_of_the_wrong_length_is_rejected(mlp_on_arrays, arrays):
    X, y = arrays
    with pytest.raises(ValueError, match=r"sample_weight.*\(10,\).*\(80,\)"):
        feature_importances(mlp_on_arrays, X, y, method="gradient",
                            sample_weight=np.ones(10))


def test_y_of_the_wrong_length_is_rejected(mlp_on_arrays, arrays):
    X, y = arrays
    with pytest.raises(ValueError, match="y has 10 rows but X has 80"):
        feature_importances(mlp_on_arrays, X, y[:10], method="permutation")


@pytest.mark.parametrize("method", SCORE_METHODS)
def test_score_methods_need_two_rows(fitted_on_frame, frame, method):
    X, y = frame
    with pytest.raises(ValueError, match="n_samples=1"):
        feature_importances(fitted_on_frame["pipeline"], X.iloc[:1], y.iloc[:1],
                            method=method)


@pytest.mark.parametrize("value", [np.nan, -np.inf])
def test_callable_returning_non_finite_values_is_rejected(mlp_on_arrays, arrays, value):
    X, y = arrays

    def broken(estimator, X, y):
        out = np.ones(X.shape[1])
        out[2] = value
        return out

    with pytest.raises(ValueError, match="non-finite(.|\n)*x2"):
        feature_importances(mlp_on_arrays, X, y, method=broken)


@pytest.mark.parametrize("returned", [["high"] * N_FEATURES, {"dose": 1.0}],
                         ids=["strings", "dict"])
def test_callable_returning_non_numbers_is_rejected(mlp_on_arrays, arrays, returned):
    X, y = arrays
    with pytest.raises(ValueError, match="must return numbers"):
        feature_importances(mlp_on_arrays, X, y, method=lambda est, X, y: returned)


@pytest.mark.parametrize("shape", [(3,), (2, 2, 4)], ids=["3", "2x2x4"])
def test_callable_returning_the_wrong_shape_is_rejected(mlp_on_arrays, arrays, shape):
    X, y = arrays
    with pytest.raises(ValueError, match=r"shape(.|\n)*expected \(4,\)"):
        feature_importances(mlp_on_arrays, X, y, method=lambda est, X, y: np.ones(shape))


def test_meta_estimator_rejects_a_callable_returning_nan(arrays):
    X, y = arrays
    est = ImportanceRegressor(unseeded_mlp(),
                              method=lambda est, X, y: np.full(X.shape[1], np.nan))
    with pytest.raises(ValueError, match="non-finite"):
        est.fit(X, y)
    assert_not_fitted(est)


def test_randomization_test_rejects_a_callable_returning_strings(arrays):
    X, y = arrays
    with pytest.raises(ValueError, match="must return numbers"):
        randomization_test(mlp(max_iter=20), X, y, n_permutations=2,
                           method=lambda est, X, y: ["a"] * X.shape[1])


@pytest.mark.parametrize("value", [np.nan, -np.inf, [0.0, np.nan, 0.0, 0.0]],
                         ids=["nan", "-inf", "list-with-nan"])
def test_ablation_value_must_be_finite(mlp_on_arrays, arrays, value, kernels):
    X, y = arrays
    with pytest.raises(ValueError, match="value must be finite"):
        feature_importances(mlp_on_arrays, X, y, method=Ablation(value=value))


@pytest.mark.parametrize("hidden", [(5,), (5, 4)])
def test_ablation_fast_path_equals_the_slow_path(arrays, hidden, kernels):
    # A plain callable scorer runs the slow path (the model's own predict on X with the
    # column replaced); the scikit-learn scorer 'r2' runs the rank-one fast path.
    X, y = arrays
    net = mlp(hidden_layer_sizes=hidden).fit(X, y)

    def r2(estimator, X, y):
        return r2_score(y, estimator.predict(X))

    fast = feature_importances(net, X, y, method=Ablation(value=0.5, scoring="r2"))
    slow = feature_importances(net, X, y, method=Ablation(value=0.5, scoring=r2))
    np.testing.assert_allclose(fast.importances, slow.importances, rtol=0, atol=1e-12)
    assert np.ptp(fast.importances_mean) > 0


def test_permutation_fast_path_equals_scikit_learn(mlp_on_arrays, arrays, kernels):
    X, y = arrays
    ours = feature_importances(mlp_on_arrays, X, y, method=Permutation(random_state=0))
    theirs = permutation_importance(mlp_on_arrays, X, y, n_repeats=5, random_state=0)
    assert_same_permutations(ours, theirs)


def test_ablation_value_of_the_wrong_length_is_rejected(mlp_on_arrays, arrays):
    X, y = arrays
    with pytest.raises(ValueError, match=r"value has shape \(3,\).*\(4,\)"):
        feature_importances(mlp_on_arrays, X, y, method=Ablation(value=[0.0, 1.0, 2.0]))


def test_meta_estimator_rejects_a_non_finite_ablation_value(arrays):
    X, y = arrays
    est = ImportanceRegressor(unseeded_mlp(), method=Ablation(value=np.nan))
    with pytest.raises(ValueError, match="value must be finite"):
        est.fit(X, y)
    assert_not_fitted(est)


def test_randomization_test_rejects_a_non_finite_ablation_value(arrays):
    X, y = arrays
    with pytest.raises(ValueError, match="value must be finite"):
        randomization_test(mlp(max_iter=20), X, y, method=Ablation(value=np.inf),
                           n_permutations=2)


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.parametrize("method", METHOD_NAMES)
def test_huge_values_give_finite_numbers_or_a_clear_error(mlp_on_arrays, arrays, method):
    X, y = arrays
    huge = X * 1e160
    if method in SCORE_METHODS:
        with pytest.raises(ValueError, match="non-finite(.|\n)*rescale X"):
            feature_importances(mlp_on_arrays, huge, y, method=method)
        return
    try:
        result = feature_importances(mlp_on_arrays, huge, y, method=method)
    except ValueError as exc:  # acceptable: loud, and it says what to do
        assert "rescale" in str(exc) or "non-finite" in str(exc), str(exc)
    else:
        assert_finite_result(result)


@pytest.mark.parametrize("method", ["olden", "gradient", "permutation"])
def test_nan_in_X_of_a_bare_network_is_rejected(mlp_on_arrays, arrays, method):
    X, y = arrays
    X = X.copy()
    X[4, 1] = np.nan
    with pytest.raises(ValueError, match="X contains NaN"):
        feature_importances(mlp_on_arrays, X, y, method=method)


@pytest.mark.parametrize("method", ["gradient", "permutation"])
def test_infinity_in_X_of_a_bare_network_is_rejected(mlp_on_arrays, arrays, method):
    X, y = arrays
    X = X.copy()
    X[9, 3] = -np.inf
    with pytest.raises(ValueError, match="X contains infinity"):
        feature_importances(mlp_on_arrays, X, y, method=method)


@pytest.mark.parametrize("method", NETWORK_METHODS + ["permutation"])
def test_nan_reaching_the_network_through_a_scaler_is_named(pipeline_on_arrays, arrays,
                                                            method):
    # A StandardScaler passes NaN through to the network: the error must say that X has
    # missing values (not blame the scaler for mixing columns, which it does not).
    X, y = arrays
    X = X.copy()
    X[3, 1] = np.nan
    expected = "NaN" if method == "permutation" else "NaN(.|\n)*imputer"
    with pytest.raises(ValueError, match=expected):
        feature_importances(pipeline_on_arrays, X, y, method=method)


# --------------------------------------------------------------------------------------
# 3. The wrong wrapper, the wrong target: nothing fitted, the caller's estimator unchanged


def _classifier():
    return MLPClassifier(hidden_layer_sizes=(5,), max_iter=50)


WRONG = {
    "regressor-wraps-classifier": (
        lambda: ImportanceRegressor(_classifier()), "labels", "ImportanceClassifier"),
    "classifier-wraps-regressor": (
        lambda: ImportanceClassifier(unseeded_mlp()), "labels", "ImportanceRegressor"),
    "regressor-wraps-classifier-pipeline": (
        lambda: ImportanceRegressor(make_pipeline(StandardScaler(), _classifier())),
        "labels", "ImportanceClassifier"),
    "classifier-wraps-regressor-pipeline": (
        lambda: ImportanceClassifier(make_pipeline(StandardScaler(), unseeded_mlp())),
        "labels", "ImportanceRegressor"),
    "one-class-integers": (
        lambda: ImportanceClassifier(_classifier()), "one-class", "1 class"),
    "one-class-strings": (
        lambda: ImportanceClassifier(_classifier()), "one-string", r"1 class \('yes'\)"),
    "string-target-for-regressor": (
        lambda: ImportanceRegressor(unseeded_mlp()), "strings", "numeric"),
}


@pytest.mark.parametrize("case", list(WRONG))
def test_wrong_wrapper_or_target_fails_and_fits_nothing(arrays, case):
    X, y = arrays
    make, target, message = WRONG[case]
    targets = {"labels": (y > 0).astype(int), "one-class": np.ones(N_ROWS, dtype=int),
               "one-string": np.full(N_ROWS, "yes"),
               "strings": np.where(y > 0, "high", "low")}
    est = make()
    before = joblib.hash(est.estimator)
    params = est.get_params()
    with pytest.raises(ValueError, match=message):
        est.fit(X, targets[target])
    assert_not_fitted(est)
    assert joblib.hash(est.estimator) == before
    assert est.get_params().keys() == params.keys()
    assert joblib.hash(est.get_params()) == joblib.hash(params)


def test_string_target_in_a_series_for_the_regressor(frame):
    X, y = frame
    labels = (y > 0).map({True: "high", False: "low"})
    est = ImportanceRegressor(unseeded_mlp())
    with pytest.raises(ValueError, match="numeric(.|\n)*ImportanceClassifier"):
        est.fit(X, labels)
    assert_not_fitted(est)


def test_failed_refit_keeps_the_earlier_fit(arrays):
    X, y = arrays
    est = ImportanceRegressor(mlp(max_iter=50), method="olden").fit(X, y)
    fitted, importances = est.estimator_, est.feature_importances_.copy()
    est.set_params(estimator=_classifier())
    with pytest.raises(ValueError, match="ImportanceClassifier"):
        est.fit(X, (y > 0).astype(int))
    assert est.estimator_ is fitted
    np.testing.assert_array_equal(est.feature_importances_, importances)


# --------------------------------------------------------------------------------------
# 4. Seeds and parameters of the meta-estimators


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_meta_estimator_random_state_makes_every_method_reproducible(arrays, method):
    X, y = arrays
    first = ImportanceRegressor(unseeded_mlp(), method=method, random_state=0).fit(X, y)
    second = ImportanceRegressor(unseeded_mlp(), method=method, random_state=0).fit(X, y)
    np.testing.assert_array_equal(first.feature_importances_, second.feature_importances_)
    np.testing.assert_array_equal(first.estimator_.coefs_[0], second.estimator_.coefs_[0])
    assert np.isfinite(first.feature_importances_).all()


def test_meta_estimator_random_state_seeds_the_default_network(arrays):
    X, y = arrays
    X, y = X[:30], y[:30]
    first = ImportanceRegressor(random_state=0, method="olden").fit(X, y)
    second = ImportanceRegressor(random_state=0, method="olden").fit(X, y)
    np.testing.assert_array_equal(first.feature_importances_, second.feature_importances_)
    assert first.estimator_.random_state is not None  # the default MLPRegressor() is seeded


def test_meta_estimator_random_state_instance_moves_on_between_fits(arrays):
    X, y = arrays
    est = ImportanceRegressor(unseeded_mlp(), method="gradient",
                              random_state=np.random.RandomState(0))
    first = est.fit(X, y).feature_importances_.copy()
    second = est.fit(X, y).feature_importances_.copy()
    assert not np.array_equal(first, second)
    fresh = ImportanceRegressor(unseeded_mlp(), method="gradient",
                                random_state=np.random.RandomState(0)).fit(X, y)
    np.testing.assert_array_equal(fresh.feature_importances_, first)


@pytest.mark.parametrize("wrapped", ["mlp", "pipeline"])
def test_meta_estimator_keeps_the_estimators_own_random_state(arrays, wrapped):
    X, y = arrays
    own = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=3)
    estimator = own if wrapped == "mlp" else make_pipeline(StandardScaler(), own)
    est = ImportanceRegressor(estimator, method="olden", random_state=0).fit(X, y)
    direct = clone(estimator).fit(X, y)
    fitted = est.estimator_ if wrapped == "mlp" else est.estimator_[-1]
    reference = direct if wrapped == "mlp" else direct[-1]
    assert fitted.random_state == 3
    for ours, theirs in zip(fitted.coefs_, reference.coefs_):
        np.testing.assert_array_equal(ours, theirs)


def test_unseeded_permutation_in_a_seeded_meta_estimator_is_reproducible(arrays):
    X, y = arrays
    runs = [ImportanceRegressor(mlp(max_iter=50), method=Permutation(),
                                random_state=0).fit(X, y) for _ in range(2)]
    np.testing.assert_array_equal(runs[0].importances_.importances,
                                  runs[1].importances_.importances)
    # The meta-estimator seeded its own copy, not the method object it was given.
    assert runs[0].method.random_state is None


def test_set_params_of_the_default_estimator_is_refused():
    with pytest.raises(ValueError, match="estimator is None"):
        ImportanceRegressor().set_params(estimator__random_state=0)


def test_set_params_of_a_method_string_is_refused():
    est = ImportanceRegressor(method="gradient")
    with pytest.raises(ValueError, match=r"Gradient\(aggregate"):
        est.set_params(method__aggregate="rms")
    assert est.method == "gradient"


def test_set_params_of_a_method_object_works(arrays):
    X, y = arrays
    est = ImportanceRegressor(mlp(max_iter=50), method=Gradient())
    est.set_params(method__aggregate="rms")
    assert est.get_params()["method__aggregate"] == "rms"
    est.fit(X, y)
    net = est.estimator_
    expected = feature_importances(net, X, method=Gradient(aggregate="rms"))
    np.testing.assert_array_equal(est.importances_.per_output, expected.per_output)


def _function_with(method, fitted, X, y):
    return feature_importances(fitted, X, y, method=method)


def _meta_with(method, fitted, X, y):
    return ImportanceRegressor(unseeded_mlp(), method=method).fit(X, y)


def _randomization_with(method, fitted, X, y):
    return randomization_test(mlp(max_iter=20), X, y, method=method, n_permutations=2)


def _plot_with(method, fitted, X, y):
    pytest.importorskip("matplotlib")
    from skimportance.plotting import plot_comparison

    return plot_comparison(fitted, X, y, methods=[method])


ENTRY_POINTS = {"function": _function_with, "regressor": _meta_with,
                "randomization_test": _randomization_with,
                "plot_comparison": _plot_with}


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_misspelt_method_suggests_the_name(mlp_on_arrays, arrays, entry):
    X, y = arrays
    with pytest.raises(ValueError, match="Did you mean 'gradient'"):
        ENTRY_POINTS[entry]("gradiant", mlp_on_arrays, X, y)


@pytest.mark.parametrize("entry", list(ENTRY_POINTS))
def test_method_class_instead_of_instance_is_named(mlp_on_arrays, arrays, entry):
    X, y = arrays
    with pytest.raises(TypeError, match=r"is a class(.|\n)*Gradient\(\)"):
        ENTRY_POINTS[entry](Gradient, mlp_on_arrays, X, y)


def test_capitalised_method_name_suggests_the_lower_case_name(mlp_on_arrays, arrays):
    X, y = arrays
    with pytest.raises(ValueError, match="Did you mean 'garson'"):
        feature_importances(mlp_on_arrays, X, y, method="Garson")


# --------------------------------------------------------------------------------------
# 5. Parity with scikit-learn's permutation_importance, several scorers


def _two_metrics(estimator, X, y):
    predicted = estimator.predict(X)
    return {"r2": r2_score(y, predicted), "neg_mae": -mean_absolute_error(y, predicted)}


SCORINGS = {
    "list": ["r2", "neg_mean_absolute_error"],
    "tuple": ("r2", "neg_mean_squared_error"),
    "dict": {"fit": "r2", "error": get_scorer("neg_mean_absolute_error")},
    "callable-dict": _two_metrics,
}


@pytest.mark.parametrize("scoring", list(SCORINGS))
def test_several_scorers_equal_scikit_learn(mlp_on_arrays, arrays, scoring):
    X, y = arrays
    scoring = SCORINGS[scoring]
    ours = feature_importances(mlp_on_arrays, X, y,
                               method=Permutation(scoring=scoring, random_state=0))
    theirs = permutation_importance(mlp_on_arrays, X, y, scoring=scoring, n_repeats=5,
                                    random_state=0)
    assert isinstance(ours, dict)
    assert_same_permutations(ours, theirs)


@pytest.mark.parametrize("scoring", [None, "neg_mean_absolute_error",
                                     ["r2", "neg_mean_absolute_error"]],
                         ids=["default", "one-name", "list"])
def test_imputing_pipeline_permutation_equals_scikit_learn(imputed_pipelines,
                                                           with_missing, scoring):
    X, y = with_missing
    pipe = imputed_pipelines["simple"]
    ours = feature_importances(pipe, X, y, method=Permutation(scoring=scoring,
                                                              random_state=0))
    theirs = permutation_importance(pipe, X, y, scoring=scoring, n_repeats=5,
                                    random_state=0)
    assert_same_permutations(ours, theirs)


def test_weighted_permutation_equals_scikit_learn(pipeline_on_arrays, arrays):
    X, y = arrays
    weights = np.random.RandomState(2).uniform(0.2, 3.0, size=N_ROWS)
    ours = feature_importances(pipeline_on_arrays, X, y, sample_weight=weights,
                               method=Permutation(n_repeats=3, random_state=4))
    theirs = permutation_importance(pipeline_on_arrays, X, y, sample_weight=weights,
                                    n_repeats=3, random_state=4)
    assert_same_permutations(ours, theirs)


def test_subsampled_permutation_equals_scikit_learn(mlp_on_arrays, arrays):
    X, y = arrays
    ours = feature_importances(mlp_on_arrays, X, y,
                               method=Permutation(max_samples=0.5, random_state=1))
    theirs = permutation_importance(mlp_on_arrays, X, y, max_samples=0.5, n_repeats=5,
                                    random_state=1)
    assert_same_permutations(ours, theirs)


@pytest.mark.parametrize("scoring", ["neg_log_loss"])
def test_classifier_permutation_equals_scikit_learn(arrays, scoring):
    X, y = arrays
    labels = np.digitize(y, [-1.0, 1.0])  # three classes
    clf = MLPClassifier(hidden_layer_sizes=(5,), max_iter=200, random_state=0)
    clf.fit(X, labels)
    ours = feature_importances(clf, X, labels,
                               method=Permutation(scoring=scoring, random_state=0))
    theirs = permutation_importance(clf, X, labels, scoring=scoring, n_repeats=5,
                                    random_state=0)
    assert_same_permutations(ours, theirs)


@pytest.mark.parametrize("key", ["importances_mean", "importances_std"])
def test_item_access_equals_the_attributes(mlp_on_arrays, arrays, key):
    X, y = arrays
    result = feature_importances(mlp_on_arrays, X, y, method=Permutation(random_state=0))
    assert result[key] is getattr(result, key)
    theirs = permutation_importance(mlp_on_arrays, X, y, n_repeats=5, random_state=0)
    np.testing.assert_allclose(result[key], theirs[key], rtol=0, atol=1e-12)


@pytest.mark.parametrize("key", ["nope"])
def test_item_access_of_anything_else_is_a_key_error(mlp_on_arrays, arrays, key):
    X, y = arrays
    result = feature_importances(mlp_on_arrays, X, y, method="olden")
    with pytest.raises(KeyError):
        result[key]


def test_scorer_without_sample_weight_is_a_type_error_as_in_scikit_learn(
        imputed_pipelines, with_missing):
    X, y = with_missing
    pipe = imputed_pipelines["simple"]

    def unweighted(estimator, X, y):
        return estimator.score(X, y)

    weights = np.ones(N_ROWS)
    with pytest.raises(TypeError, match="sample_weight"):
        permutation_importance(pipe, X, y, scoring=unweighted, sample_weight=weights)
    with pytest.raises(TypeError, match="sample_weight"):
        feature_importances(pipe, X, y, method=Permutation(scoring=unweighted),
                            sample_weight=weights)


@pytest.mark.parametrize("scoring", ["list", "dict", "callable-dict"])
def test_meta_estimator_refuses_several_scorers(arrays, scoring):
    X, y = arrays
    est = ImportanceRegressor(unseeded_mlp(),
                              method=Permutation(scoring=SCORINGS[scoring]))
    with pytest.raises(ValueError, match="several"):
        est.fit(X, y)
    assert_not_fitted(est)


def test_ablation_with_several_scorers_gives_one_result_per_scorer(mlp_on_arrays, arrays):
    X, y = arrays
    both = feature_importances(mlp_on_arrays, X, y,
                               method=Ablation(scoring=["r2", "neg_mean_absolute_error"]))
    assert isinstance(both, dict)
    assert list(both) == ["r2", "neg_mean_absolute_error"]
    for name, result in both.items():
        alone = feature_importances(mlp_on_arrays, X, y, method=Ablation(scoring=name))
        np.testing.assert_allclose(result.importances, alone.importances, rtol=0,
                                   atol=1e-12)


# --------------------------------------------------------------------------------------
# 6. Real Pipelines: the right numbers


@pytest.mark.parametrize("method", NETWORK_METHODS + ["ablation", "drop"])
def test_imputing_pipeline_gives_finite_values_per_column(imputed_pipelines,
                                                          with_missing, method):
    X, y = with_missing
    result = feature_importances(imputed_pipelines["simple"], X, y,
                                 method=method_object(method))
    assert_finite_result(result)


def _gradient_by_hand(net, Z):
    """mean |dF/dz_i| * std(z_i) of a one-hidden-layer ReLU regressor, in numpy."""
    W1, W2 = net.coefs_
    b1 = net.intercepts_[0]
    active = (Z @ W1 + b1) > 0                       # (n, hidden)
    J = (active * W2[:, 0]) @ W1.T                   # (n, features): dF/dz
    return np.abs(J).mean(axis=0) * Z.std(axis=0)


@pytest.mark.parametrize("case", ["imputer-on-missing-values", "scaler-only"])
def test_pipeline_gradient_equals_the_gradient_by_hand(imputed_pipelines, with_missing,
                                                       pipeline_on_arrays, arrays, case):
    if case == "scaler-only":
        X, y = arrays
        pipe = pipeline_on_arrays
    else:
        X, y = with_missing
        pipe = imputed_pipelines["simple"]
    net = pipe[-1]
    assert net.activation == "relu"
    Z = pipe[:-1].transform(X)  # imputed, then scaled: what the network sees
    expected = _gradient_by_hand(net, Z)
    result = feature_importances(pipe, X, y, method="gradient")
    np.testing.assert_allclose(result.importances_mean, expected, rtol=1e-10)
    on_network = feature_importances(net, Z, method="gradient", scale=True)
    np.testing.assert_allclose(result.importances_mean, on_network.importances_mean,
                               rtol=1e-10)


@pytest.mark.parametrize("imputer", ["knn", "iterative"])
def test_mixing_imputer_permutation_equals_scikit_learn(imputed_pipelines, with_missing,
                                                        imputer):
    X, y = with_missing
    pipe = imputed_pipelines[imputer]
    ours = feature_importances(pipe, X, y, method=Permutation(random_state=0))
    theirs = permutation_importance(pipe, X, y, n_repeats=5, random_state=0)
    assert_same_permutations(ours, theirs)


@pytest.mark.parametrize("imputer, step, method", [
    *(("knn", "knnimputer", method) for method in NETWORK_METHODS),
    ("iterative", "iterativeimputer", "gradient"),
    ("iterative", "iterativeimputer", "olden"),
])
def test_mixing_imputer_refuses_network_methods(imputed_pipelines, with_missing, imputer,
                                                step, method):
    X, y = with_missing
    with pytest.raises(NotAnMLPError, match=f"'{step}'(.|\n)*'permutation'"):
        feature_importances(imputed_pipelines[imputer], X, y, method=method)


@pytest.fixture(scope="module")
def pca_pipeline(arrays):
    X, y = arrays
    return make_pipeline(PCA(n_components=3, random_state=0), mlp()).fit(X, y)


@pytest.mark.parametrize("method", ["gradient", "olden", "profile"])
def test_pca_pipeline_refuses_network_methods(pca_pipeline, arrays, method):
    X, y = arrays
    with pytest.raises(NotAnMLPError, match="'pca'(.|\n)*'permutation'"):
        feature_importances(pca_pipeline, X, y, method=method)


def test_pca_pipeline_permutation_equals_scikit_learn(pca_pipeline, arrays):
    X, y = arrays
    ours = feature_importances(pca_pipeline, X, y, method=Permutation(random_state=0))
    theirs = permutation_importance(pca_pipeline, X, y, n_repeats=5, random_state=0)
    assert_same_permutations(ours, theirs)


NONLINEAR_STEPS = {
    "log1p": lambda: FunctionTransformer(np.log1p),
    "quantile": lambda: QuantileTransformer(n_quantiles=40),
    "spline": lambda: SplineTransformer(n_knots=4),
}


@pytest.fixture(scope="module")
def nonlinear_pipelines(arrays):
    X, y = arrays
    X = X - X.min(axis=0)  # log1p needs x > -1
    return X, y, {name: make_pipeline(step(), mlp()).fit(X, y)
                  for name, step in NONLINEAR_STEPS.items()}


@pytest.mark.parametrize("method", ["gradient", "profile"])
@pytest.mark.parametrize("step", list(NONLINEAR_STEPS))
def test_nonlinear_steps_give_one_finite_value_per_column(nonlinear_pipelines, step,
                                                          method):
    X, y, pipes = nonlinear_pipelines
    result = feature_importances(pipes[step], X, y, method=method)
    assert_finite_result(result)
    assert result.importances_mean.max() > 0


@pytest.mark.parametrize("step", list(NONLINEAR_STEPS))
def test_nonlinear_steps_permutation_equals_scikit_learn(nonlinear_pipelines, step):
    X, y, pipes = nonlinear_pipelines
    ours = feature_importances(pipes[step], X, y, method=Permutation(random_state=0))
    theirs = permutation_importance(pipes[step], X, y, n_repeats=5, random_state=0)
    assert_same_permutations(ours, theirs)


def test_log1p_gradient_is_the_chain_rule(nonlinear_pipelines):
    # d/dx f(log1p(x)) = f'(z) / (1 + x); scaled by the std of the network input z.
    X, y, pipes = nonlinear_pipelines
    pipe = pipes["log1p"]
    Z = np.log1p(X)
    W1, W2 = pipe[-1].coefs_
    active = (Z @ W1 + pipe[-1].intercepts_[0]) > 0
    dF_dz = (active * W2[:, 0]) @ W1.T
    on_network = np.abs(dF_dz).mean(axis=0) * Z.std(axis=0)
    result = feature_importances(pipe, X, y, method="gradient")
    np.testing.assert_allclose(result.importances_mean, on_network, rtol=1e-10)


@pytest.fixture(scope="module")
def mixed_frame(frame, pd):
    """The numeric columns (one with missing values) and a text column with blanks."""
    X, y = frame
    X = X.copy()
    X.loc[X.index[:8], "weight"] = np.nan
    colour = np.where(y > 1, "red", np.where(y < -1, "blue", "green")).astype(object)
    colour[::9] = None
    X["colour"] = colour
    return X, y


@pytest.fixture(scope="module")
def column_pipeline(mixed_frame):
    X, y = mixed_frame
    encode = ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(), StandardScaler()), COLUMNS),
        ("cat", make_pipeline(SimpleImputer(strategy="most_frequent"),
                              OneHotEncoder(handle_unknown="ignore")), ["colour"]),
    ])
    return make_pipeline(encode, mlp()).fit(X, y)


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_column_transformer_every_method_reports_per_column_of_X(column_pipeline,
                                                                 mixed_frame, method):
    X, y = mixed_frame
    if method == "conditional":
        # It regresses each column on the others: missing values are refused, loudly.
        with pytest.raises(ValueError, match="column 2 has NaN.*impute them"):
            feature_importances(column_pipeline, X, y, method=method_object(method))
        X = X.assign(weight=X["weight"].fillna(X["weight"].mean()))
    result = feature_importances(column_pipeline, X, y, method=method_object(method))
    assert_finite_result(result, n_features=5)
    assert list(result.feature_names) == COLUMNS + ["colour"]


def test_column_transformer_permutation_equals_scikit_learn(column_pipeline, mixed_frame):
    X, y = mixed_frame
    ours = feature_importances(column_pipeline, X, y, method=Permutation(random_state=0))
    theirs = permutation_importance(column_pipeline, X, y, n_repeats=5, random_state=0)
    assert_same_permutations(ours, theirs)


@pytest.fixture
def one_openmp_thread():
    # HistGradientBoosting's OpenMP threads spin-wait: on a busy machine they crawl.
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="openmp"):
        yield


@pytest.fixture(scope="module")
def boosting_on_categories(frame, pd):
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    X, y = frame
    X = X.copy()
    X["group"] = pd.Categorical(np.where(y > 0, "a", np.where(y < -1, "b", "c")))
    with threadpool_limits(limits=1, user_api="openmp"):
        model = HistGradientBoostingRegressor(categorical_features="from_dtype",
                                              max_iter=30, random_state=0).fit(X, y)
    return X, y, model


def test_boosting_on_categories_permutation_equals_scikit_learn(boosting_on_categories,
                                                                one_openmp_thread):
    X, y, model = boosting_on_categories
    ours = feature_importances(model, X, y, method=Permutation(random_state=0))
    theirs = permutation_importance(model, X, y, n_repeats=5, random_state=0)
    assert_same_permutations(ours, theirs)
    assert list(ours.feature_names) == COLUMNS + ["group"]


def test_boosting_on_categories_ablation_works(boosting_on_categories, one_openmp_thread):
    X, y, model = boosting_on_categories
    result = feature_importances(model, X, y, method="ablation")
    assert_finite_result(result, n_features=5)
    # The category held at its most frequent value: the model's score drops.
    assert result.importances_mean[-1] > 0


def test_boosting_refuses_network_methods_and_names_the_others(boosting_on_categories):
    X, y, model = boosting_on_categories
    with pytest.raises(NotAnMLPError,
                       match="HistGradientBoostingRegressor(.|\n)*'permutation'"):
        feature_importances(model, X, y, method="gradient")


# --------------------------------------------------------------------------------------
# 7. Fitted meta-estimators are accepted where a fitted network is


@pytest.fixture(scope="module")
def meta_on_arrays(arrays):
    X, y = arrays
    return ImportanceRegressor(mlp(), method="olden").fit(X, y)


@pytest.mark.parametrize("method", ["olden", "gradient", "permutation", "ablation"])
def test_fitted_meta_estimator_equals_its_network(meta_on_arrays, arrays, method):
    X, y = arrays
    ours = feature_importances(meta_on_arrays, X, y, method=method_object(method))
    theirs = feature_importances(meta_on_arrays.estimator_, X, y,
                                 method=method_object(method))
    np.testing.assert_array_equal(ours.importances_mean, theirs.importances_mean)
    np.testing.assert_array_equal(ours.per_output, theirs.per_output)


def test_unfitted_meta_estimator_is_not_fitted_error(arrays):
    X, y = arrays
    with pytest.raises(NotFittedError, match="ImportanceRegressor"):
        feature_importances(ImportanceRegressor(mlp()), X, y, method="olden")


def test_randomization_test_of_a_meta_estimator_equals_its_network(arrays):
    X, y = arrays
    network = mlp(max_iter=50)
    ours = randomization_test(ImportanceRegressor(network, method="gradient"), X, y,
                              n_permutations=3, random_state=0)
    theirs = randomization_test(network, X, y, method="gradient", n_permutations=3,
                                random_state=0)
    np.testing.assert_array_equal(ours.p_values, theirs.p_values)
    np.testing.assert_array_equal(ours.observed, theirs.observed)
    np.testing.assert_array_equal(ours.null, theirs.null)


def test_plot_comparison_of_a_fitted_meta_estimator(meta_on_arrays, arrays):
    pytest.importorskip("matplotlib")
    from skimportance.plotting import plot_comparison

    X, y = arrays
    ax = plot_comparison(meta_on_arrays, X, y, methods=["olden", "gradient"])
    assert [bars.get_label() for bars in ax.containers] == ["olden", "gradient"]
    for bars, name in zip(ax.containers, ["olden", "gradient"]):
        widths = np.sort([bar.get_width() for bar in bars])
        expected = feature_importances(meta_on_arrays.estimator_, X, y,
                                       method=name).normalized()
        np.testing.assert_allclose(widths, np.sort(expected), rtol=1e-12)


# --------------------------------------------------------------------------------------
# 8. The command line tool: exit code 2, one line on stderr


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli_main(argv)
    return code, out.getvalue(), err.getvalue()


def _rows(n=12):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    y = X[:, 0] + 0.1 * rng.normal(size=n)
    return [[f"{v:.4f}" for v in x] + [f"{t:.4f}"] for x, t in zip(X, y)]


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


HEADER = ["f1", "f2", "f3", "y"]
CSV_CASES = {
    "duplicate-column-name": (["f1", "f1", "f3", "y"], _rows(),
                              ["column name 'f1'", "more than once"]),
    "unnamed-column": (["f1", "", "f3", "y"], _rows(), ["column 2", "has no name"]),
    "no-feature-columns": (["y"], [[row[3]] for row in _rows()],
                           ["no feature columns", "'y'"]),
    "header-only": (HEADER, [], ["0 data rows", "at least 10"]),
    "constant-regression-target": (HEADER, [row[:3] + ["2.5"] for row in _rows()],
                                   ["target column 'y'", "is constant"]),
    "single-integer-class": (HEADER, [row[:3] + ["3"] for row in _rows()],
                             ["target column 'y'", "single class"]),
    "hexadecimal-feature": (HEADER, [row if i != 5 else ["0x10"] + row[1:]
                                     for i, row in enumerate(_rows())],
                            ["'f1'", "must be numeric", "'0x10'", "data row 6"]),
    "none-as-target": (HEADER, [row if i != 2 else row[:3] + ["None"]
                                for i, row in enumerate(_rows())],
                       ["missing value", "target column 'y'", "data row 3"]),
}


@pytest.mark.parametrize("case", list(CSV_CASES))
def test_cli_bad_csv_is_one_line_and_exit_code_2(tmp_path, case):
    header, rows, expected = CSV_CASES[case]
    path = str(tmp_path / "data.csv")
    _write(path, header, rows)
    code, out, err = run_cli([path, "--target", "y", "--hidden", "4", "--max-iter", "20"])
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("skimportance: error: ")
    for text in expected:
        assert text in lines[0], lines[0]
    assert "Traceback" not in err


def test_cli_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"f1,f2,y\n" + "\u00e9t\u00e9,1,2\n".encode("latin-1") * 12)
    code, _, err = run_cli([str(path), "--target", "y"])
    assert code == 2
    assert err.splitlines() == [f"skimportance: error: {path} is not a UTF-8 text file"]


def test_cli_directory_instead_of_a_file(tmp_path):
    code, _, err = run_cli([str(tmp_path), "--target", "y"])
    assert code == 2
    assert err.splitlines() == [
        f"skimportance: error: {tmp_path} is a directory, not a CSV file"]


@pytest.mark.parametrize("argv, expected", [
    (["--max-iter", "0"], ["--max-iter", "positive integer", "'0'"]),
    (["--hidden", "4,-1"], ["--hidden", "positive layer sizes", "'4,-1'"]),
    (["--method", ","], ["--method", "no method given", "gradient"]),
    (["--method", "Gradient"], ["--method", "unknown method 'Gradient'", "gradient"]),
], ids=["max-iter-0", "hidden-negative", "method-empty",
        "method-capitalised"])
def test_cli_bad_option_is_exit_code_2(argv, expected):
    code, out, err = run_cli(argv)
    assert code == 2
    assert out == ""
    last = err.splitlines()[-1]
    assert last.startswith("skimportance: error: ")
    for text in expected:
        assert text in last, last
    assert "Traceback" not in err


# --------------------------------------------------------------------------------------
# 9. The caller's objects are never changed


def _hashes(*objects):
    return [joblib.hash(obj) for obj in objects]


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_function_changes_nothing_of_the_callers_frame(fitted_on_frame, frame, method):
    X, y = frame
    estimator = fitted_on_frame["pipeline"]
    weights = np.linspace(0.5, 1.5, N_ROWS)
    method_obj = method_object(method)
    before = _hashes(X, y, weights, estimator, method_obj)
    columns = list(X.columns)
    result = feature_importances(estimator, X, y, method=method_obj, sample_weight=weights)
    assert_finite_result(result)
    assert _hashes(X, y, weights, estimator, method_obj) == before
    assert list(X.columns) == columns


@pytest.mark.parametrize("method", ["gradient", "permutation", "drop"])
def test_function_changes_nothing_of_the_callers_arrays(mlp_on_arrays, arrays, method):
    X, y = arrays
    weights = np.linspace(1.0, 2.0, N_ROWS)
    before = _hashes(X, y, weights, mlp_on_arrays)
    flags = X.flags.writeable, y.flags.writeable
    result = feature_importances(mlp_on_arrays, X, y, method=method, sample_weight=weights)
    assert_finite_result(result)
    assert _hashes(X, y, weights, mlp_on_arrays) == before
    assert (X.flags.writeable, y.flags.writeable) == flags


@pytest.mark.parametrize("method", METHOD_NAMES)
def test_meta_estimator_fit_changes_nothing_of_the_callers(frame, method):
    X, y = frame
    estimator = unseeded_mlp()
    method_obj = METHODS[method]()  # random_state None: the meta-estimator seeds a copy
    weights = np.linspace(0.5, 1.5, N_ROWS)
    before = _hashes(X, y, weights, estimator, method_obj)
    est = ImportanceRegressor(estimator, method=method_obj, random_state=0)
    est.fit(X, y, sample_weight=weights)
    assert np.isfinite(est.feature_importances_).all()
    assert _hashes(X, y, weights, estimator, method_obj) == before
    assert est.estimator is estimator and est.method is method_obj


@pytest.mark.parametrize("method", ["permutation"])
def test_randomization_test_changes_nothing_of_the_callers(frame, method):
    X, y = frame
    estimator = mlp(max_iter=20)
    method_obj = method_object(method)
    before = _hashes(X, y, estimator, method_obj)
    result = randomization_test(estimator, X, y, method=method_obj, n_permutations=2,
                                random_state=0)
    assert np.isfinite(result.observed).all()
    assert _hashes(X, y, estimator, method_obj) == before
    assert not hasattr(estimator, "coefs_")


def test_plot_comparison_changes_nothing_of_the_callers(frame):
    pytest.importorskip("matplotlib")
    from skimportance.plotting import plot_comparison

    X, y = frame
    estimator = mlp(max_iter=50)  # not fitted: a clone is fitted
    methods = [METHODS["garson"](), Permutation(n_repeats=2)]
    before = _hashes(X, y, estimator, methods)
    ax = plot_comparison(estimator, X, y, methods=methods, random_state=0)
    assert [bars.get_label() for bars in ax.containers] == ["garson", "permutation"]
    assert _hashes(X, y, estimator, methods) == before
    assert not hasattr(estimator, "coefs_")

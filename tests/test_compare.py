"""compare_methods: every method on one network, as the CLI and plot_comparison use it."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from skimportance import ImportanceRegressor, feature_importances
from skimportance._agreement import rank_descending
from skimportance._compare import compare_methods
from skimportance.methods import METHODS, LekProfile, Permutation


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    y = 2 * X[:, 0] - X[:, 2] + 0.1 * rng.normal(size=80)
    return X, y


def mlp():
    return make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(5,),
                                                        max_iter=200, random_state=0))


@pytest.fixture(scope="module")
def fitted(data):
    return mlp().fit(*data)


def by_hand(model, X, y, names, random_state, scale=True):
    """The loop compare_methods replaces: one feature_importances call per method."""
    results = []
    for name in names:
        method = METHODS[name]()
        if "random_state" in method.get_params():
            method.set_params(random_state=random_state)
        results.append(feature_importances(model, X, y, method=method, scale=scale))
    return results


@pytest.mark.parametrize("scale", [True, False])
def test_numbers_are_those_of_a_loop_of_feature_importances(data, fitted, scale):
    X, y = data
    names = ["garson", "olden", "gradient", "profile", "permutation", "ablation"]
    comparison = compare_methods(fitted, X, y, names, scale=scale, random_state=3)
    expected = by_hand(fitted, X, y, names, 3, scale=scale)
    assert comparison.method_names == names
    assert list(comparison.feature_names) == list(expected[0].feature_names)
    assert len(comparison.importances) == len(names)
    for got, want in zip(comparison.importances, expected):
        assert got.method == want.method
        np.testing.assert_array_equal(got.importances_mean, want.importances_mean)
    normalized = np.vstack([result.normalized() for result in expected])
    np.testing.assert_array_equal(comparison.normalized, normalized)
    np.testing.assert_array_equal(comparison.ranks,
                                  np.vstack([rank_descending(row) for row in normalized]))


def test_random_state_none_leaves_the_methods_own(data, fitted):
    X, y = data
    methods = [Permutation(n_repeats=2, random_state=7), LekProfile(random_state=7)]
    comparison = compare_methods(fitted, X, y, methods)
    for method, result in zip(methods, comparison.importances):
        np.testing.assert_array_equal(
            result.importances_mean,
            feature_importances(fitted, X, y, method=method).importances_mean)
    assert [method.random_state for method in methods] == [7, 7]  # not modified
    seeded = compare_methods(fitted, X, y, methods, random_state=0)
    assert [method.random_state for method in methods] == [7, 7]
    np.testing.assert_array_equal(seeded.importances[0].importances_mean, feature_importances(
        fitted, X, y, method=Permutation(n_repeats=2, random_state=0)).importances_mean)


def test_unfitted_estimator_is_fitted_as_a_clone(data, fitted):
    X, y = data
    model = mlp()
    comparison = compare_methods(model, X, y, "olden")
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    assert comparison.method_names == ["olden"]
    np.testing.assert_allclose(comparison.normalized[0],
                               feature_importances(fitted, X, y, method="olden").normalized())


def test_fitted_meta_estimator_is_read_through(data):
    X, y = data
    est = ImportanceRegressor(mlp(), method="olden").fit(X, y)
    comparison = compare_methods(est, X, y, ["garson", "olden"])
    expected = by_hand(est.estimator_, X, y, ["garson", "olden"], None)
    np.testing.assert_array_equal(comparison.normalized,
                                  np.vstack([result.normalized() for result in expected]))


def test_no_method_is_an_error(data):
    X, y = data
    with pytest.raises(ValueError, match="methods is empty"):
        compare_methods(mlp(), X, y, [])

"""Grouped features: several columns ranked as one, by every method family."""

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor

from skimportance import ImportanceRegressor, feature_importances
from skimportance._groups import resolve_groups
from skimportance.methods import (
    Ablation,
    Conductance,
    ConnectionWeight,
    DropRetrain,
    Garson,
    Gradient,
    IntegratedGradients,
    Permutation,
    WeightMagnitude,
)

from conftest import random_mlp


@pytest.fixture
def data(rng):
    X = rng.normal(size=(120, 4)) * [1.0, 2.0, 0.5, 3.0]
    return X, X[:, 0] + np.sin(X[:, 1]) + 0.1 * X[:, 2]


def test_resolve_groups_names_indices_and_dict():
    names = np.array(["age", "red", "green", "blue"], dtype=object)
    columns, labels = resolve_groups([0, ["red", "green", 3]], 4, names)
    assert [c.tolist() for c in columns] == [[0], [1, 2, 3]] and labels == [
        "age", "red+green+blue"]
    columns, labels = resolve_groups({"colour": [1, 2, -1]}, 4, names)
    assert [c.tolist() for c in columns] == [[1, 2, 3]] and labels == ["colour"]
    _, labels = resolve_groups([[0, 1]], 4)
    assert labels == ["x0+x1"]


@pytest.mark.parametrize("groups, message", [
    ([[0, 9]], "column 9, but X has 4 columns"),
    ([["nope"]], "'nope', which is not among"),
    ([[]], "empty group"),
    ([[1, 1]], "lists a column twice"),
    ([[0.5]], "indices or names"),
    ("abc", "must be a list"),
    ([], "feature_groups is empty"),
    ([[0, 1], {"a": 1}], "indices or names"),
])
def test_bad_groups_are_clear_errors(groups, message):
    names = np.array(["a", "b", "c", "d"], dtype=object)
    with pytest.raises((ValueError, TypeError), match=message):
        resolve_groups(groups, 4, names)


def test_names_need_a_dataframe(data):
    X, _ = data
    with pytest.raises(ValueError, match="X has no column names"):
        feature_importances(random_mlp((4, 3, 1)), X, feature_groups=[["a"]])


METHODS = [WeightMagnitude(), Garson(), ConnectionWeight(), Gradient(),
           Gradient(aggregate="mean"), IntegratedGradients(n_steps=8),
           Conductance(layer=0, n_steps=8), Permutation(n_repeats=3, random_state=0),
           Ablation()]


@pytest.mark.parametrize("method", METHODS, ids=lambda m: repr(m))
def test_a_group_of_one_column_equals_that_column(data, method):
    X, y = data
    mlp = random_mlp((4, 5, 1))
    whole = feature_importances(mlp, X, y, method=method)
    single = feature_importances(mlp, X, y, method=method, feature_groups=[2, [0]])
    # atol: for the score methods these are differences of scores, possibly near 0.
    np.testing.assert_allclose(single.per_output, whole.per_output[:, [2, 0]], rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_allclose(single.importances_mean, whole.importances_mean[[2, 0]],
                               rtol=1e-12, atol=1e-12)
    assert single.feature_names.tolist() == ["x2", "x0"]


@pytest.mark.parametrize("method", [WeightMagnitude(), Garson(), Gradient()],
                         ids=lambda m: repr(m))
def test_weight_and_gradient_groups_sum_their_columns(data, method):
    X, y = data
    mlp = random_mlp((4, 5, 3), out_activation="identity")
    whole = feature_importances(mlp, X, method=method).per_output
    grouped = feature_importances(mlp, X, method=method, feature_groups={"g": [0, 3]})
    np.testing.assert_allclose(grouped.per_output[:, 0], whole[:, [0, 3]].sum(axis=1),
                               rtol=1e-12)


def test_signed_groups_do_not_cancel(data):
    X, _ = data
    mlp = random_mlp((4, 5, 2))
    whole = feature_importances(mlp, X, method="olden").per_output
    grouped = feature_importances(mlp, X, method="olden", feature_groups=[[0, 1]])
    np.testing.assert_allclose(grouped.per_output[:, 0], np.abs(whole[:, :2]).sum(axis=1))


def test_integrated_gradients_of_a_group_add_up_per_row(data):
    X, _ = data
    mlp = random_mlp((4, 5, 1), activation="tanh")
    method = IntegratedGradients(n_steps=50)
    whole = feature_importances(mlp, X, method=method, return_local=True).local
    grouped = feature_importances(mlp, X, method=method, return_local=True,
                                  feature_groups=[[0, 2], [1, 3]])
    np.testing.assert_allclose(grouped.local[:, :, 0], whole[:, :, [0, 2]].sum(axis=2))
    # Completeness holds for a partition into groups: they add up to F(x) - F(x').
    gap = mlp.predict(X) - mlp.predict(X.mean(axis=0, keepdims=True))
    np.testing.assert_allclose(grouped.local.sum(axis=2)[:, 0], gap, atol=1e-10)
    np.testing.assert_allclose(grouped.importances_mean,
                               np.abs(grouped.local).mean(axis=0)[0])


class _Recorder(RegressorMixin, BaseEstimator):
    """Predicts a fixed linear function and keeps every X it is asked about."""

    def fit(self, X, y):
        self.seen_ = []
        return self

    def predict(self, X):
        self.seen_.append(np.array(X, copy=True))
        return X @ np.arange(1.0, X.shape[1] + 1)


def test_permuting_a_group_keeps_its_joint_values(rng):
    X = rng.permutation(400).reshape(100, 4).astype(float)  # every value unique
    y = X @ np.arange(1.0, 5.0)
    model = _Recorder().fit(X, y)
    feature_importances(model, X, y, method=Permutation(n_repeats=3, random_state=0),
                        feature_groups=[[0, 2], [1]])
    shuffled = [Xs for Xs in model.seen_[1:] if not np.array_equal(Xs[:, 0], X[:, 0])]
    assert len(shuffled) == 3
    for Xs in shuffled:
        rows = np.array([np.flatnonzero(X[:, 0] == v)[0] for v in Xs[:, 0]])
        assert sorted(rows) == list(range(100)) and not np.array_equal(rows, np.arange(100))
        np.testing.assert_array_equal(Xs[:, [0, 2]], X[rows][:, [0, 2]])  # same rows
        np.testing.assert_array_equal(Xs[:, [1, 3]], X[:, [1, 3]])  # others untouched


@pytest.mark.parametrize("method", [Permutation(n_repeats=4, random_state=3), Ablation()],
                         ids=["permutation", "ablation"])
def test_fast_path_groups_equal_the_slow_path(data, method, kernels):
    X, y = data
    mlp = random_mlp((4, 6, 5, 1))
    groups = [[0, 3], [1], [2, 1, 0]]
    fast = feature_importances(mlp, X, y, method=method.set_params(scoring="r2"),
                               feature_groups=groups)
    slow = feature_importances(
        mlp, X, y, feature_groups=groups,
        method=method.set_params(scoring=lambda est, X, y: r2_score(y, est.predict(X))))
    np.testing.assert_allclose(fast.importances, slow.importances, rtol=1e-10, atol=1e-12)
    # And by hand, for the ablation of the first group.
    if isinstance(method, Ablation):
        Xa = X.copy()
        Xa[:, [0, 3]] = X[:, [0, 3]].mean(axis=0)
        expected = r2_score(y, mlp.predict(X)) - r2_score(y, mlp.predict(Xa))
        assert fast.importances_mean[0] == pytest.approx(expected, rel=1e-10)


def test_drop_a_group_refits_without_all_its_columns(data):
    X, y = data
    mlp = MLPRegressor(hidden_layer_sizes=(6,), max_iter=200, random_state=0).fit(X, y)
    result = feature_importances(mlp, X, y, method=DropRetrain(warm_start=False),
                                 feature_groups={"a": [0, 1], "b": [3]})
    for value, keep in zip(result.importances_mean, ([2, 3], [0, 1, 2])):
        refit = MLPRegressor(hidden_layer_sizes=(6,), max_iter=200, random_state=0)
        refit.fit(X[:, keep], y)
        assert value == pytest.approx(mlp.score(X, y) - refit.score(X[:, keep], y),
                                      rel=1e-12)
    assert result.feature_names.tolist() == ["a", "b"]
    with pytest.raises(ValueError, match="at least one column left"):
        feature_importances(mlp, X, y, method="drop", feature_groups=[[0, 1, 2, 3]])


def test_profile_refuses_groups(data):
    X, _ = data
    with pytest.raises(ValueError, match="'profile' sweeps one input"):
        feature_importances(random_mlp((4, 3, 1)), X, method="profile",
                            feature_groups=[[0, 1]])


def test_meta_estimator_groups_with_names_and_cv(data):
    pd = pytest.importorskip("pandas")
    X, y = data
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0)
    est = ImportanceRegressor(mlp, method="gradient",
                              feature_groups=[["a", "b"], "d"]).fit(frame, y)
    assert est.importances_.feature_names.tolist() == ["a+b", "d"]
    assert est.feature_importances_.shape == (2,)
    plain = feature_importances(est.estimator_, frame, method="gradient")
    np.testing.assert_allclose(est.importances_.importances_mean,
                               [plain.importances_mean[:2].sum(), plain.importances_mean[3]])
    cv = ImportanceRegressor(mlp, method="permutation", feature_groups=[["a", "b"], "d"],
                             cv=2).fit(frame, y)
    assert cv.importances_.importances.shape == (2, 2 * 5)

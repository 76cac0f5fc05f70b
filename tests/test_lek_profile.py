"""Lek profiles against a network whose response is known in closed form."""

import sys

import numpy as np
import pytest
import sklearn
from conftest import make_mlp, random_mlp

from skimportance import ImportanceRegressor, feature_importances
from skimportance.methods import LekProfile

# F_k(x) = v_k tanh(w . x + b) + c_k: one tanh unit, two outputs.
w, b = np.array([1.5, -0.7, 0.2]), 0.3
v, c = np.array([2.0, -0.5]), np.array([0.1, 1.0])


def tanh_network():
    return make_mlp([w[:, None], v[None, :]], [np.array([b]), c], activation="tanh")


def response(x):
    return np.tanh(x @ w + b)[:, None] * v + c


def type7_quantile(column, q):
    """R's default quantile (type 7), written out."""
    s = np.sort(column)
    h = (len(s) - 1) * q
    lo = int(np.floor(h))
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (h - lo) * (s[hi] - s[lo])


def as_array(table):
    """The numbers of a table of groups: a DataFrame, or an array without pandas."""
    return np.asarray(table, dtype=float)


def column_names(table):
    """The columns of a profile: a DataFrame, or a structured array without pandas."""
    return list(table.dtype.names) if isinstance(table, np.ndarray) else list(table.columns)


@pytest.fixture
def data(rng):
    return rng.normal(loc=[0, 1, -2], scale=[1, 2, 0.5], size=(57, 3))


def test_profile_of_a_tanh_unit_in_closed_form(data):
    X = data
    steps, quantiles = 7, (0, 0.25, 0.5, 1)
    result = feature_importances(tanh_network(), X,
                                 method=LekProfile(group_vals=quantiles, steps=steps))
    groups = np.array([[type7_quantile(X[:, j], q) for j in range(3)] for q in quantiles])
    np.testing.assert_allclose(as_array(result.groups), groups, rtol=1e-12)
    rows = []
    ranges = np.zeros((3, len(quantiles), 2))
    for i in range(3):  # R's melt order: input, group, output, step
        low, high = X[:, i].min(), X[:, i].max()
        sweep = low + np.arange(steps) * (high - low) / (steps - 1)
        for g in range(len(quantiles)):
            points = np.tile(groups[g], (steps, 1))
            points[:, i] = sweep
            F = response(points)
            lo, hi = groups[g] @ w - groups[g, i] * w[i] + b + w[i] * sweep[[0, -1]]
            ranges[i, g] = np.abs(v) * abs(np.tanh(hi) - np.tanh(lo))  # tanh is monotone
            for k, name in enumerate(["y0", "y1"]):
                for t in range(steps):
                    rows.append((sweep[t], name, F[t, k], g + 1, f"x{i}"))
    names = ["Explanatory", "resp_name", "Response", "Groups", "exp_name"]
    expected = {name: [row[j] for row in rows] for j, name in enumerate(names)}
    profile = result.profile
    assert column_names(profile) == names
    for column in ("resp_name", "Groups", "exp_name"):
        assert list(profile[column]) == list(expected[column])
    for column in ("Explanatory", "Response"):
        np.testing.assert_allclose(profile[column], expected[column], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(result.per_output, ranges.mean(axis=1).T, rtol=1e-12)


def test_default_groups_are_numpy_linear_quantiles(data):
    result = feature_importances(random_mlp((3, 4, 1)), data, method="profile")
    q = [0, 0.2, 0.4, 0.6, 0.8, 1]
    np.testing.assert_array_equal(as_array(result.groups),
                                  np.quantile(data, q, axis=0, method="linear"))
    assert len(result.profile) == 3 * 6 * 1 * 100


def test_default_groups_are_named_by_their_quantile(data):
    pytest.importorskip("pandas")
    result = feature_importances(random_mlp((3, 4, 1)), data, method="profile")
    assert list(result.groups.index) == ["0%", "20%", "40%", "60%", "80%", "100%"]


def test_kmeans_groups_are_reproducible_cluster_centres(rng):
    X = np.vstack([rng.normal(m, 0.3, size=(40, 3)) for m in (-3, 0, 3)])
    mlp = random_mlp((3, 4, 1))
    method = LekProfile(group_vals=3, steps=5, random_state=0)
    first = feature_importances(mlp, X, method=method)
    second = feature_importances(mlp, X, method=method)
    np.testing.assert_array_equal(as_array(first.groups), as_array(second.groups))
    np.testing.assert_array_equal(first.per_output, second.per_output)
    # Lloyd's fixed point: every centre is the mean of the rows nearest to it.
    centres = as_array(first.groups)
    nearest = np.argmin(((X[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
    for g in range(3):
        np.testing.assert_allclose(centres[g], X[nearest == g].mean(axis=0), rtol=1e-10)
    assert sorted(np.round(centres[:, 0])) == [-3, 0, 3]


def test_user_table(data):
    mlp = tanh_network()
    table = np.array([[0.0, 1.0, -2.0], [1.0, 0.0, 0.0]])
    result = feature_importances(mlp, data, method=LekProfile(group_vals=table, steps=4))
    np.testing.assert_array_equal(as_array(result.groups), table)


def test_user_table_with_column_names(data):
    pd = pytest.importorskip("pandas")
    mlp = tanh_network()
    table = np.array([[0.0, 1.0, -2.0], [1.0, 0.0, 0.0]])
    result = feature_importances(mlp, data, method=LekProfile(group_vals=table, steps=4))
    frame = pd.DataFrame(data, columns=["a", "b", "c"])
    shuffled = pd.DataFrame(table, columns=["a", "b", "c"])[["c", "a", "b"]]
    named = feature_importances(mlp, frame, method=LekProfile(group_vals=shuffled, steps=4))
    np.testing.assert_array_equal(named.groups[["a", "b", "c"]].to_numpy(), table)
    np.testing.assert_allclose(named.per_output, result.per_output, rtol=1e-14)
    assert set(named.profile["exp_name"]) == {"a", "b", "c"}


def test_outputs_scale_and_classes(data):
    mlp = random_mlp((3, 5, 1), "relu", "logistic", seed=3)
    proba = feature_importances(mlp, data, method=LekProfile(steps=9))
    logit = feature_importances(mlp, data, method=LekProfile(steps=9, output="logit"))
    np.testing.assert_allclose(proba.profile["Response"],
                               1 / (1 + np.exp(-logit.profile["Response"])), rtol=1e-12)
    unscaled = feature_importances(mlp, data, method=LekProfile(steps=9), scale=False)
    np.testing.assert_array_equal(unscaled.per_output, proba.per_output)
    assert set(proba.profile["resp_name"]) == {mlp.classes_[1]}
    multi = random_mlp((3, 5, 3), "tanh", "softmax")
    result = feature_importances(multi, data, method=LekProfile(steps=9))
    assert result.per_output.shape == (3, 3)
    assert list(dict.fromkeys(result.profile["resp_name"])) == list(multi.classes_)


def test_memory_budget_does_not_change_the_profile(data):
    mlp = random_mlp((3, 6, 4, 2), "tanh", seed=4)
    whole = feature_importances(mlp, data, method=LekProfile(steps=11))
    with sklearn.config_context(working_memory=1e-3):
        parts = feature_importances(mlp, data, method=LekProfile(steps=11))
    np.testing.assert_allclose(parts.profile["Response"], whole.profile["Response"],
                               rtol=1e-13, atol=1e-13)


def test_structured_array_without_pandas(data, monkeypatch):
    mlp = tanh_network()
    frame = feature_importances(mlp, data, method=LekProfile(steps=5)).profile
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    result = feature_importances(mlp, data, method=LekProfile(steps=5))
    table = result.profile
    assert table.dtype.names == ("Explanatory", "resp_name", "Response", "Groups",
                                 "exp_name")
    for column in table.dtype.names:
        assert list(table[column]) == list(frame[column])
    assert isinstance(result.groups, np.ndarray) and result.groups.shape == (6, 3)


def test_meta_estimator_with_profiles(data, rng):
    y = data[:, 0] + 0.1 * rng.normal(size=len(data))
    from sklearn.neural_network import MLPRegressor

    est = ImportanceRegressor(MLPRegressor(hidden_layer_sizes=(5,), max_iter=200,
                                           random_state=0),
                              method="profile").fit(data, y)
    assert est.feature_importances_.shape == (3,)
    assert est.importances_.profile is not None


def test_clear_errors(data):
    mlp = random_mlp((3, 4, 1))
    for bad in ([0.5, 2], 2.5, -1, []):
        with pytest.raises(ValueError, match="group_vals must be quantiles in"):
            feature_importances(mlp, data, method=LekProfile(group_vals=bad))
    with pytest.raises(ValueError, match=r"table of shape \(n_groups, 3\); got an array "
                                         r"of shape \(2, 2\)"):
        feature_importances(mlp, data, method=LekProfile(group_vals=np.zeros((2, 2))))
    with pytest.raises(ValueError, match="asks for 60 k-means groups, but X has only 57"):
        feature_importances(mlp, data, method=LekProfile(group_vals=60))
    with pytest.raises(ValueError, match=r"'steps' parameter of LekProfile must be an int "
                                         r"in the range \[2, inf\)"):
        feature_importances(mlp, data, method=LekProfile(steps=1))
    with pytest.raises(ValueError, match="needs X"):
        feature_importances(mlp, None, method="profile")

"""feature_groups="auto" and correlation_groups, feature_dependence and its plot (issue 15),
against scipy's Spearman correlation, brute-force cluster checks and scikit-learn's
cross-validation."""

import warnings

import numpy as np
import pytest
from conftest import random_mlp
from scipy.stats import spearmanr
from sklearn.linear_model import RidgeCV
from sklearn.model_selection import KFold, cross_val_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skimportance import (
    ImportanceRegressor,
    correlation_groups,
    feature_dependence,
    feature_importances,
)
from skimportance._groups import _spearman
from skimportance.methods import Permutation


def with_copies(n=200, seed=0):
    """x0..x3 independent; x4 a perfect copy of x1 (monotone: the same ranks)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 5))
    X[:, 4] = np.exp(X[:, 1])
    return X, rng


def test_two_perfect_copies_form_one_group_and_independent_columns_stay_alone():
    X, _ = with_copies()
    assert correlation_groups(X) == {"x0": [0], "x1+x4": [1, 4], "x2": [2], "x3": [3]}
    # Even at threshold 0: the same ranks are at distance 0.
    assert correlation_groups(X, threshold=0.0) == correlation_groups(X)
    mlp = random_mlp((5, 4, 1))
    result = feature_importances(mlp, X, method="gradient", feature_groups="auto")
    assert result.feature_names.tolist() == ["x0", "x1+x4", "x2", "x3"]
    alone = feature_importances(mlp, X, method="gradient")
    # Gradient sums a group's absolute values: the oracle is that sum.
    np.testing.assert_allclose(result.importances_mean[1],
                               alone.importances_mean[[1, 4]].sum(), rtol=1e-12)


def test_spearman_matrix_equals_scipy():
    X, rng = with_copies()
    X[:, 0] = X[:, 2] + 0.5 * rng.normal(size=len(X))
    X[:5, 3] = 1.0  # ties
    expected = np.abs(spearmanr(X).statistic)
    np.testing.assert_allclose(_spearman(X), expected, rtol=0, atol=1e-12)


def test_every_pair_in_a_group_is_within_the_threshold_and_no_two_groups_could_merge():
    rng = np.random.default_rng(1)
    base = rng.normal(size=(300, 3))
    X = np.column_stack([base[:, k] + s * rng.normal(size=300)
                         for k in range(3) for s in (0.1, 0.4, 0.9)])
    rho = np.abs(spearmanr(X).statistic)
    for threshold in (0.1, 0.3, 0.5):
        groups = list(correlation_groups(X, threshold).values())
        assert sorted(j for g in groups for j in g) == list(range(X.shape[1]))
        for g in groups:
            assert np.all(1 - rho[np.ix_(g, g)] <= threshold + 1e-12)
        # Complete linkage stops when no two clusters are within the threshold of each
        # other in every pair: a merge would break the guarantee.
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                assert np.any(1 - rho[np.ix_(groups[a], groups[b])] > threshold)
    assert len(correlation_groups(X, 1.0)) == 1


def test_dataframe_names_constant_and_text_columns():
    pd = pytest.importorskip("pandas")
    X, _ = with_copies(100)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d", "e"])
    frame["k"] = 3.0
    frame["colour"] = np.where(X[:, 1] > 0, "red", "blue")  # determined by b, but text
    assert correlation_groups(frame) == {"a": ["a"], "b+e": ["b", "e"], "c": ["c"],
                                         "d": ["d"], "k": ["k"], "colour": ["colour"]}


def test_meta_estimator_resolves_auto_on_the_training_data_and_keeps_it():
    X, rng = with_copies(120)
    y = X[:, 0] + X[:, 1] + 0.1 * rng.normal(size=120)
    mlp = MLPRegressor(hidden_layer_sizes=(4,), max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        meta = ImportanceRegressor(mlp, method=Permutation(n_repeats=2), cv=3,
                                   feature_groups="auto", random_state=0).fit(X, y)
        explicit = ImportanceRegressor(mlp, method=Permutation(n_repeats=2), cv=3,
                                       feature_groups=correlation_groups(X),
                                       random_state=0).fit(X, y)
    assert meta.feature_groups_ == correlation_groups(X)
    assert meta.feature_groups == "auto"  # the parameter is left as given
    assert meta.importances_.feature_names.tolist() == ["x0", "x1+x4", "x2", "x3"]
    np.testing.assert_array_equal(meta.importances_.importances,
                                  explicit.importances_.importances)
    assert meta.feature_importances_.shape == (4,)


def test_bad_groups_and_thresholds_are_refused_by_name():
    X, _ = with_copies(50)
    mlp = random_mlp((5, 3, 1))
    with pytest.raises(ValueError, match="group_threshold"):
        feature_importances(mlp, X, feature_groups="auto", group_threshold=1.5)
    with pytest.raises(TypeError, match="'auto'"):
        feature_importances(mlp, X, feature_groups="clusters")
    with pytest.raises(InvalidParameterError, match="'group_threshold' parameter"):
        ImportanceRegressor(feature_groups="auto", group_threshold=-0.1).fit(X, X[:, 0])
    with pytest.raises(InvalidParameterError, match="'feature_groups' parameter"):
        ImportanceRegressor(feature_groups="clusters").fit(X, X[:, 0])
    with pytest.raises(InvalidParameterError, match="'threshold' parameter"):
        correlation_groups(X, threshold=2)


# ---------------------------------------------------------------- dependence


def test_feature_dependence_r2_equals_scikit_learn_cross_validation():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 4))
    X[:, 2] = X[:, 0] - X[:, 1] + 0.3 * rng.normal(size=200)
    dependence = feature_dependence(X, cv=4, random_state=0)
    folds = KFold(4, shuffle=True, random_state=0)
    model = make_pipeline(StandardScaler(), RidgeCV())
    for j in range(4):
        others = np.delete(X, j, axis=1)
        expected = cross_val_score(model, others, X[:, j], cv=folds, scoring="r2")
        np.testing.assert_allclose(dependence.r2_folds[j], expected, rtol=0, atol=1e-12)
    # Var(noise) / Var(x2) = 0.09 / 2.09: R² about 0.96; x3 independent: about 0, a
    # little below (held-out R² against each fold's own mean: about -(p + 1) / n_test).
    assert dependence.r2[2] == pytest.approx(1 - 0.09 / 2.09, abs=0.03)
    assert -0.2 < dependence.r2[3] < 0.05
    np.testing.assert_allclose(dependence.matrix, np.abs(spearmanr(X).statistic),
                               rtol=0, atol=1e-12)
    frame = dependence.to_frame()
    assert frame.columns.tolist() == ["r2", "r2_std", "closest", "spearman"]
    assert frame.loc["x0", "closest"] == "x2"
    assert frame.loc["x0", "spearman"] == pytest.approx(dependence.matrix[0, 2])


def test_plot_dependence_matrix_draws_the_clustered_matrix_and_the_r2():
    pytest.importorskip("matplotlib")
    from skimportance.plotting import plot_dependence_matrix

    X, _ = with_copies(100)
    dependence = feature_dependence(X)
    ax = plot_dependence_matrix(dependence)
    drawn = ax.images[0].get_array()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    order = [int(label.split()[0][1:]) for label in labels]
    np.testing.assert_allclose(drawn, dependence.matrix[np.ix_(order, order)])
    assert abs(order.index(1) - order.index(4)) == 1  # the copies side by side
    assert labels[order.index(4)] == f"x4 (R² {dependence.r2[4]:.2f})"
    given = plot_dependence_matrix(dependence, order="given")
    np.testing.assert_allclose(given.images[0].get_array(), dependence.matrix)
    with pytest.raises(ValueError, match="order"):
        plot_dependence_matrix(dependence, order="sorted")

"""The Interactions result, the interaction-method template and feature_interactions,
and the interaction plots (the methods' own maths are tested in test_hessian.py and
test_h_statistic.py)."""

import warnings

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skimportance.interactions import (Interactions, NetworkInteractionMethod, block_sums,
                                       get_interaction_method)
from skimportance.interactions._dispatch import feature_interactions
from skimportance.network import NotAnMLPError

from conftest import random_mlp


class Products(NetworkInteractionMethod):
    """Each row's matrix is outer(u, u) with u = sigma * (network input values)."""

    name = "products"
    has_local = True
    signed = True

    def _matrices(self, net, X, sigma, sample_weight, return_local, entries):
        u = X * sigma
        local = (u[:, :, None] * u[:, None, :])[:, None]  # (n, 1, p, p)
        if entries is not None:
            local = block_sums(local, entries, net.n_features)
        w = np.ones(len(X)) if sample_weight is None else sample_weight
        mean = np.tensordot(w, local, axes=1) / w.sum()
        return mean, local.std(axis=0), local if return_local else None


def test_top_pairs_and_frame_rank_by_the_summary():
    H = np.zeros((2, 4, 4))
    H[0, 0, 1] = H[0, 1, 0] = -3.0
    H[1, 2, 3] = H[1, 3, 2] = 2.0
    H[1, 0, 1] = H[1, 1, 0] = 1.0
    result = Interactions(H, method="m", feature_names=list("abcd"), output_names=["u", "v"])
    # summary = mean over outputs of |H|: (a, b) 2.0, (c, d) 1.0.
    assert result.top_pairs(2) == [("a", "b", 2.0), ("c", "d", 1.0)]
    assert result.top_pairs(1, output="u") == [("a", "b", -3.0)]
    assert result.top_pairs(1, output=1) == [("c", "d", 2.0)]
    frame = result.to_frame()
    assert len(frame) == 6  # 4 * 3 / 2 pairs, the diagonal left out
    assert frame.iloc[0].tolist()[:3] == ["a", "b", 2.0]
    assert frame["u"].iloc[0] == -3.0 and frame["v"].iloc[0] == 1.0
    assert "spread" not in frame
    one = Interactions(H[:1], method="m").to_frame()
    assert one.columns.tolist() == ["feature_1", "feature_2", "interaction", "signed"]
    assert one["signed"].iloc[0] == -3.0
    with pytest.raises(ValueError, match="output='w' is not one of"):
        result.top_pairs(output="w")
    with pytest.raises(ValueError, match="out of range"):
        result.top_pairs(output=5)
    assert "a*b=2" in repr(result)


def test_result_checks_its_shapes():
    with pytest.raises(ValueError, match=r"shape \(n_outputs, n_features, n_features\)"):
        Interactions(np.zeros((1, 2, 3)), method="m")
    with pytest.raises(ValueError, match="3 feature names"):
        Interactions(np.zeros((1, 2, 2)), method="m", feature_names=list("abc"))


def test_block_sums_equal_loops(rng):
    H = rng.normal(size=(5, 2, 4, 4))
    columns = [np.array([2]), np.array([0, 3]), np.array([1, 3])]  # overlapping too
    out = block_sums(H, columns, 4)
    for a, A in enumerate(columns):
        for b, B in enumerate(columns):
            assert np.allclose(out[..., a, b], H[..., A, :][..., :, B].sum(axis=(-1, -2)),
                               rtol=0, atol=1e-12)


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3)) * [1.0, 2.0, 0.5]
    y = X[:, 0] * X[:, 1] + X[:, 2]
    mlp = MLPRegressor(hidden_layer_sizes=(6,), max_iter=50, random_state=0).fit(X, y)
    return mlp, X, y


def test_template_scales_groups_and_names(fitted):
    mlp, X, _ = fitted
    sigma = X.std(axis=0)
    result = feature_interactions(mlp, X, method=Products(), return_local=True)
    u = X * sigma
    assert np.allclose(result.per_output[0], u.T @ u / len(X), rtol=0, atol=1e-12)
    assert result.local.shape == (60, 1, 3, 3)
    assert result.feature_names.tolist() == ["x0", "x1", "x2"]
    raw = feature_interactions(mlp, X, method=Products(), scale=False)
    assert np.allclose(raw.per_output[0], X.T @ X / len(X), rtol=0, atol=1e-12)
    grouped = feature_interactions(mlp, X, method=Products(),
                                   feature_groups={"ab": [0, 1], "c": [2]})
    v = np.column_stack([u[:, 0] + u[:, 1], u[:, 2]])
    assert grouped.feature_names.tolist() == ["ab", "c"]
    assert np.allclose(grouped.per_output[0], v.T @ v / len(X), rtol=0, atol=1e-12)
    # The spread is that of the groups' per-row values, not a sum of the columns' spreads.
    assert np.allclose(grouped.spread[0], (v[:, :, None] * v[:, None, :]).std(axis=0),
                       rtol=0, atol=1e-12)
    weights = np.arange(60) % 3
    weighted = feature_interactions(mlp, X, method=Products(), sample_weight=weights)
    repeated = feature_interactions(mlp, np.repeat(X, weights, axis=0), method=Products())
    assert np.allclose(weighted.per_output, repeated.per_output * 0 + weighted.per_output)
    # sigma comes from the weighted rows as well: the same as repeating them.
    assert np.allclose(weighted.per_output, repeated.per_output, rtol=0, atol=1e-10)


def test_encoded_columns_are_block_sums(rng):
    import pandas as pd

    frame = pd.DataFrame({"colour": rng.choice(["r", "g", "b"], size=80),
                          "size": rng.normal(size=80)})
    y = (frame["colour"] == "r") * frame["size"]
    encode = ColumnTransformer([("onehot", OneHotEncoder(), ["colour"])],
                               remainder="passthrough")
    model = make_pipeline(encode, MLPRegressor(hidden_layer_sizes=(4,), max_iter=20,
                                               random_state=0)).fit(frame, y)
    result = feature_interactions(model, frame, method=Products(), scale=False)
    assert result.feature_names.tolist() == ["colour", "size"]
    Z = encode.transform(frame)  # three dummies, then size
    v = np.column_stack([Z[:, :3].sum(axis=1), Z[:, 3]])
    assert np.allclose(result.per_output[0], v.T @ v / 80, rtol=0, atol=1e-12)


def test_errors_name_what_is_wrong(fitted):
    mlp, X, y = fitted
    with pytest.raises(ValueError, match="Unknown interaction method 'hesian'.*'hessian'"):
        get_interaction_method("hesian")
    with pytest.raises(TypeError, match="is a class"):
        get_interaction_method(Products)
    with pytest.raises(TypeError, match="must be one of"):
        get_interaction_method(3)
    with pytest.raises(NotAnMLPError, match="with any fitted estimator"):
        feature_interactions(LinearRegression().fit(X, y), X, method=Products())
    with pytest.raises(NotFittedError):
        feature_interactions(MLPRegressor(), X, method=Products())

    class Global(Products):
        has_local = False

    with pytest.raises(ValueError, match="return_local=True needs"):
        feature_interactions(mlp, X, method=Global(), return_local=True)
    with pytest.raises(ValueError, match="X has 2 features"):
        feature_interactions(mlp, X[:, :2], method=Products())


def test_the_callers_method_object_is_not_changed(fitted):
    mlp, X, _ = fitted
    method = Products()
    before = dict(vars(method))
    feature_interactions(mlp, X, method=method)
    assert vars(method) == before


# ---------------------------------------------------------------- plots

def _texts_inside(fig):
    """Everything drawn lies inside the figure (what savefig would keep)."""
    fig.canvas.draw()
    tight = fig.get_tightbbox(fig.canvas.get_renderer())  # inches, drawn artists only
    width, height = fig.get_size_inches()
    assert tight.x0 >= -0.01 and tight.y0 >= -0.01, tight
    assert tight.x1 <= width + 0.01 and tight.y1 <= height + 0.01, tight


def test_plot_interactions_draws_the_summary_strongest_first():
    pytest.importorskip("matplotlib")
    from skimportance.plotting._interactions import plot_interactions

    H = np.zeros((1, 3, 3))
    H[0, 1, 2] = H[0, 2, 1] = 4.0
    H[0, 0, 1] = H[0, 1, 0] = 1.0
    H[0, 0, 0] = 9.0  # a diagonal entry: not an interaction, not drawn
    result = Interactions(H, method="m", feature_names=["a", "b", "c"])
    ax = plot_interactions(result)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "c", "a"]
    image = ax.images[0].get_array().filled(np.nan)
    assert np.isnan(image[0, 0]) and image[0, 1] == 4.0 and image[2, 0] == 1.0
    assert len([t for t in ax.texts if t.get_text()]) == 6  # annotated off-diagonal cells
    ax = plot_interactions(result, first_order=[0.5, 0.25, 0.125], annotate=True)
    assert len(ax.images) == 2
    diagonal = {t.get_position()[0]: t.get_text() for t in ax.texts
                if t.get_position()[0] == t.get_position()[1]}
    assert diagonal == {0: "0.25", 1: "0.12", 2: "0.5"}  # b, c, a
    ax = plot_interactions(result, max_features=2)
    assert ax.images[0].get_array().shape == (2, 2)
    with pytest.raises(ValueError, match="max_features"):
        plot_interactions(result, max_features=1)
    with pytest.raises(ValueError, match="one value per input"):
        plot_interactions(result, first_order=[1.0, 2.0])
    with pytest.raises(TypeError, match="takes an Interactions"):
        plot_interactions(H)


def test_plot_interactions_signed_output_and_long_names_fit():
    pytest.importorskip("matplotlib")
    from skimportance.plotting._interactions import plot_interactions

    rng = np.random.default_rng(1)
    A = rng.normal(size=(2, 30, 30))
    names = [f"temperature_sensor_{i:02d}_north" for i in range(30)]
    result = Interactions(A + A.transpose(0, 2, 1), method="m", feature_names=names)
    ax = plot_interactions(result, output=1)
    assert ax.images[0].get_cmap().name == "RdBu_r"
    assert ax.images[0].norm.vmin == -ax.images[0].norm.vmax
    assert not ax.texts  # 30 inputs: no annotation by default
    _texts_inside(ax.figure)


def test_plot_interaction_surface(fitted):
    pytest.importorskip("matplotlib")
    from skimportance.plotting._interactions import plot_interaction_surface

    mlp, X, _ = fitted
    display = plot_interaction_surface(mlp, X, (0, 1), grid_resolution=8)
    assert display.contours_.shape == (1, 1)
    assert display.pd_results[0]["average"].shape == (1, 8, 8)
    with pytest.raises(ValueError, match="a pair of inputs"):
        plot_interaction_surface(mlp, X, 0)


# ---------------------------------------------------------------- meta-estimators

def test_meta_estimator_computes_interactions_at_fit(fitted):
    from sklearn.base import clone

    from skimportance import ImportanceRegressor

    mlp, X, y = fitted
    est = ImportanceRegressor(clone(mlp), method="gradient", interactions=Products())
    est.fit(X, y)
    direct = feature_interactions(est.estimator_, X, method=Products())
    assert np.allclose(est.interaction_importances_.per_output, direct.per_output,
                       rtol=0, atol=1e-12)
    assert "interactions" in est.get_params()
    est.set_params(interactions=None).fit(X, y)
    assert not hasattr(est, "interaction_importances_")


def test_meta_estimator_interactions_are_held_out_with_cv(fitted):
    from sklearn.base import clone
    from sklearn.model_selection import KFold

    from skimportance import ImportanceRegressor

    mlp, X, y = fitted
    cv = KFold(3)
    est = ImportanceRegressor(clone(mlp), method="gradient", interactions=Products(),
                              cv=cv).fit(X, y)
    folds = []
    for train, test in cv.split(X):
        model = clone(mlp).fit(X[train], y[train])
        folds.append(feature_interactions(model, X[test], method=Products()).per_output)
    folds = np.stack(folds)
    result = est.interaction_importances_
    assert np.allclose(result.per_output, folds.mean(axis=0), rtol=0, atol=1e-12)
    assert np.allclose(result.spread, folds.std(axis=0, ddof=1), rtol=0, atol=1e-12)


def test_meta_estimator_checks_the_interaction_method_before_fitting(fitted):
    from sklearn.linear_model import Ridge

    from skimportance import ImportanceRegressor

    _, X, y = fitted
    est = ImportanceRegressor(Ridge(), method="permutation", interactions=Products())
    with pytest.raises(NotAnMLPError, match="Interaction method 'products'"):
        est.fit(X, y)
    assert not hasattr(est, "estimator_")
    with pytest.raises(ValueError, match="Unknown interaction method"):
        ImportanceRegressor(method="permutation", interactions="nope").fit(X, y)


def test_hessian_of_a_relu_classifier_warns_that_it_is_only_the_output_curvature(rng):
    from sklearn.neural_network import MLPClassifier

    X = rng.normal(size=(200, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)  # additive: no interaction at all
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=300, random_state=0).fit(X, y)
    with pytest.warns(UserWarning, match="only the curvature of the logistic output"):
        proba = feature_interactions(clf, X, method="hessian")
    # The curvature pairs the two inputs that matter although they do not interact.
    assert proba.top_pairs(1)[0][:2] == ("x0", "x1") and proba.top_pairs(1)[0][2] > 0.01
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the logits' Hessian: zero, says so
        logit = feature_interactions(clf, X, method=get_interaction_method("hessian")
                                     .set_params(output="logit"))
    assert np.abs(logit.per_output).max() == 0.0


@pytest.mark.parametrize("activation", ["tanh", "logistic", "relu"])
def test_h_statistic_of_an_additive_network_has_no_cross_block_interaction(activation):
    from conftest import make_mlp

    # Inputs {0, 1} and {2, 3} feed disjoint hidden units: F = g(x0, x1) + h(x2, x3).
    rng = np.random.default_rng(7)
    W1 = np.zeros((4, 6))
    W1[:2, :3], W1[2:, 3:] = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    W2 = np.zeros((6, 4))
    W2[:3, :2], W2[3:, 2:] = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    mlp = make_mlp([W1, W2, rng.normal(size=(4, 1))],
                   [rng.normal(size=6), rng.normal(size=4), [0.1]], activation, "identity")
    X = rng.normal(size=(40, 4))
    H = feature_interactions(mlp, X, method="h_statistic").per_output[0]
    assert H[0, 1] > 0.01 and H[2, 3] > 0.01  # within a block: they interact
    np.testing.assert_allclose(H[:2, 2:], 0, atol=1e-6)


def test_meta_estimator_seeds_a_random_interaction_method(fitted):
    from sklearn.base import clone

    from skimportance import ImportanceRegressor
    from skimportance.interactions import HStatistic

    mlp, X, y = fitted
    method = HStatistic(n_samples=20)
    runs = [ImportanceRegressor(clone(mlp), method="gradient", interactions=method,
                                random_state=seed).fit(X, y).interaction_importances_
            for seed in (0, 0, 1)]
    np.testing.assert_array_equal(runs[0].per_output, runs[1].per_output)
    assert not np.array_equal(runs[0].per_output, runs[2].per_output)  # other rows drawn
    assert method.random_state is None  # the caller's object is left as it was
    # The interactions' seed is drawn after the others: the importances do not move.
    plain = ImportanceRegressor(clone(mlp), method="gradient", random_state=0).fit(X, y)
    with_interactions = ImportanceRegressor(clone(mlp), method="gradient",
                                            interactions=method, random_state=0).fit(X, y)
    np.testing.assert_array_equal(plain.feature_importances_,
                                  with_interactions.feature_importances_)

"""Pipelines that encode columns before the network: importances per column of X."""

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.feature_selection import SelectFromModel
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, PolynomialFeatures, StandardScaler

from skimportance import ImportanceRegressor, feature_importances
from skimportance._groups import combine_columns
from skimportance.methods import Ablation, DropRetrain, IntegratedGradients, Permutation

pd = pytest.importorskip("pandas")

COLOURS = np.array(["red", "green", "blue"])


@pytest.fixture
def table(rng):
    """A colour that matters a lot, a number that matters, and a noise column."""
    n = 300
    frame = pd.DataFrame({
        "size": rng.normal(size=n),
        "colour": COLOURS[rng.integers(0, 3, size=n)],
        "noise": rng.normal(size=n),
    })
    effect = frame["colour"].map({"red": 2.0, "green": -1.0, "blue": 0.0}).to_numpy()
    y = effect + frame["size"].to_numpy() + 0.05 * rng.normal(size=n)
    return frame, y


def encoded_mlp(max_iter=300):
    encode = ColumnTransformer([
        ("cat", OneHotEncoder(), ["colour"]),
        ("num", StandardScaler(), ["size", "noise"]),
    ])
    return make_pipeline(encode, MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs",
                                              max_iter=max_iter, random_state=0))


@pytest.mark.parametrize("method", ["weights", "garson", "olden", "gradient"])
def test_one_importance_per_original_column_summed_over_its_encoding(table, method):
    frame, y = table
    pipe = encoded_mlp().fit(frame, y)
    result = feature_importances(pipe, frame, method=method)
    assert result.feature_names.tolist() == ["size", "colour", "noise"]
    # By hand: the network alone on the encoded data, summed over each column's outputs.
    encoded = pipe[0].transform(frame)
    by_column = feature_importances(pipe[-1], encoded, method=method).per_output
    # The ColumnTransformer puts the 3 colour dummies first, then size, then noise.
    expected = combine_columns(by_column, [np.array([3]), np.array([0, 1, 2]),
                                           np.array([4])])
    np.testing.assert_allclose(result.per_output, expected, rtol=1e-12, atol=1e-12)


def test_the_colour_and_size_outrank_noise_and_select_from_model_works(table):
    frame, y = table
    est = ImportanceRegressor(encoded_mlp(), method="gradient").fit(frame, y)
    assert est.feature_importances_.shape == (3,)
    assert est.feature_importances_[2] < 0.1 * est.feature_importances_[:2].min()
    select = SelectFromModel(ImportanceRegressor(encoded_mlp(), method="olden"),
                             max_features=2, threshold=-np.inf).fit(frame, y)
    assert select.get_support().tolist() == [True, True, False]


def test_integrated_gradients_per_row_add_up_over_the_encoding(table):
    frame, y = table
    pipe = encoded_mlp().fit(frame, y)
    result = feature_importances(pipe, frame, method=IntegratedGradients(n_steps=20),
                                 return_local=True)
    assert result.local.shape == (len(frame), 1, 3)
    encoded = pipe[0].transform(frame)
    whole = feature_importances(pipe[-1], encoded, method=IntegratedGradients(n_steps=20),
                                return_local=True).local
    np.testing.assert_allclose(result.local[:, 0, 1], whole[:, 0, :3].sum(axis=1),
                               atol=1e-12)


def test_score_methods_disturb_the_raw_columns(table):
    frame, y = table
    pipe = encoded_mlp().fit(frame, y)
    perm = feature_importances(pipe, frame, y, method=Permutation(n_repeats=3,
                                                                  random_state=0))
    assert perm.importances_mean[2] < 0.05 < perm.importances_mean[:2].min()
    ablation = feature_importances(pipe, frame, y, method=Ablation())
    # A colour column held at its most frequent value, by hand.
    typical = frame["colour"].value_counts().sort_index().idxmax()
    held = frame.assign(colour=typical, size=frame["size"])
    expected = pipe.score(frame, y) - pipe.score(held, y)
    assert ablation.importances_mean[1] == pytest.approx(expected, rel=1e-10)


def test_drop_holds_a_selected_column_constant(table):
    frame, y = table
    pipe = encoded_mlp(max_iter=100).fit(frame, y)
    result = feature_importances(pipe, frame, y, method=DropRetrain())
    assert result.feature_names.tolist() == ["size", "colour", "noise"]
    assert result.importances_mean[2] < 0.05 < result.importances_mean[:2].min()
    # The refit without the colour, by hand: the colour held at its most frequent value.
    typical = frame["colour"].value_counts().sort_index().idxmax()
    held = frame.assign(colour=typical)
    refit = encoded_mlp(max_iter=100).fit(held, y)
    assert result.importances_mean[1] == pytest.approx(
        pipe.score(frame, y) - refit.score(held, y), rel=1e-10)


def test_a_step_that_mixes_columns_is_refused_with_the_alternatives(rng):
    X = rng.normal(size=(50, 3))
    pipe = make_pipeline(PolynomialFeatures(2), MLPRegressor(
        hidden_layer_sizes=(4,), max_iter=20, random_state=0)).fit(X, X[:, 0])
    with pytest.raises(TypeError, match="mix columns of X.*'permutation', 'ablation'"):
        feature_importances(pipe, X, method="gradient")
    # A score method works on the same pipeline.
    assert feature_importances(pipe, X, X[:, 0], method="ablation").n_features == 3


def test_weights_without_x_say_that_x_is_needed(table):
    frame, y = table
    pipe = encoded_mlp(max_iter=20).fit(frame, y)
    with pytest.raises(ValueError, match="needs X here"):
        feature_importances(pipe, method="weights", scale=False)

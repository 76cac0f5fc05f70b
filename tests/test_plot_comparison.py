"""plot_comparison and its drawing helper: methods side by side."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.neural_network import MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils.validation import check_is_fitted  # noqa: E402

from skimportance import ImportanceRegressor, feature_importances  # noqa: E402
from skimportance.methods import Garson, Permutation  # noqa: E402
from skimportance.plotting import plot_comparison  # noqa: E402
from skimportance.plotting._comparison import draw_comparison  # noqa: E402

from conftest import PNG  # noqa: E402

METHODS = ("garson", "olden", "gradient", "permutation")


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 4))
    y = 2 * X[:, 0] - X[:, 2] + 0.1 * rng.normal(size=80)
    return X, y


def mlp():
    return make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(5,),
                                                        max_iter=200, random_state=0))


def bar_widths(ax):
    containers = [c for c in ax.containers if isinstance(c, BarContainer)]
    return [c.get_label() for c in containers], \
        np.array([[p.get_width() for p in c.patches] for c in containers])


def expected_matrix(model, X, y, methods=METHODS):
    rows = []
    for name in methods:
        method = Permutation(random_state=0) if name == "permutation" else name
        rows.append(feature_importances(model, X, y, method=method).normalized())
    return np.vstack(rows)


def test_bars_are_the_normalised_importances(tmp_path, data):
    X, y = data
    model = mlp().fit(X, y)
    ax = plot_comparison(model, X, y, random_state=0)
    ax.figure.savefig(tmp_path / "comparison.png")
    assert (tmp_path / "comparison.png").read_bytes()[:8] == PNG
    matrix = expected_matrix(model, X, y)
    order = np.argsort(-matrix.mean(axis=0), kind="stable")
    labels, widths = bar_widths(ax)
    assert labels == list(METHODS)
    assert widths.shape == (4, 4)  # one bar per feature for each method
    np.testing.assert_allclose(widths, matrix[:, order])
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"x{i}" for i in order]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(METHODS)
    # One colour per method.
    colors = {tuple(c.patches[0].get_facecolor()) for c in ax.containers}
    assert len(colors) == 4


def test_unfitted_estimator_is_fitted_as_a_clone(data):
    X, y = data
    model = mlp()
    labels, widths = bar_widths(plot_comparison(model, X, y, methods=["garson"]))
    with pytest.raises(NotFittedError):
        check_is_fitted(model)
    expected = expected_matrix(mlp().fit(X, y), X, y, ["garson"])
    np.testing.assert_allclose(np.sort(widths[0]), np.sort(expected[0]))


def test_method_objects_and_a_fitted_meta_estimator(data):
    X, y = data
    est = ImportanceRegressor(mlp(), method="olden").fit(X, y)
    ax = plot_comparison(est, X, y, methods=[Garson(), "olden"])
    labels, widths = bar_widths(ax)
    assert labels == ["garson", "olden"]
    expected = expected_matrix(est.estimator_, X, y, ["garson", "olden"])
    np.testing.assert_allclose(widths, expected[:, np.argsort(-expected.mean(axis=0),
                                                              kind="stable")])


def test_random_state_makes_permutation_reproducible(data):
    X, y = data
    model = mlp().fit(X, y)
    first = bar_widths(plot_comparison(model, X, y, methods=["permutation"],
                                       random_state=3))[1]
    second = bar_widths(plot_comparison(model, X, y, methods=["permutation"],
                                        random_state=3))[1]
    np.testing.assert_array_equal(first, second)


def test_draw_comparison_orders_features_by_their_mean():
    matrix = np.array([[0.1, 0.6, 0.3], [0.3, 0.2, 0.5]])  # means 0.2, 0.4, 0.4
    _, ax = plt.subplots()
    draw_comparison(["a", "b", "c"], ["m1", "m2"], matrix, ax=ax, title="T")
    labels, widths = bar_widths(ax)
    assert labels == ["m1", "m2"]
    np.testing.assert_allclose(widths, matrix[:, [1, 2, 0]])
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "c", "a"]
    assert ax.get_title() == "T"


def test_empty_methods(data):
    X, y = data
    with pytest.raises(ValueError, match="methods is empty"):
        plot_comparison(mlp(), X, y, methods=[])

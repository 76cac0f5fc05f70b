"""plot_importances (bars and per-output heatmap), and the plotting module without matplotlib."""

import importlib
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.container import BarContainer, ErrorbarContainer  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.neural_network import MLPRegressor  # noqa: E402

from skimportance import ImportanceRegressor, Importances, feature_importances  # noqa: E402
from skimportance.plotting import (  # noqa: E402
    plot_comparison,
    plot_importances,
    plot_interaction_surface,
    plot_interactions,
    plot_network,
    plot_profiles,
    plot_rank_stability,
)

from conftest import PNG, random_mlp  # noqa: E402


def assert_png(figure, path):
    figure.savefig(path)
    with open(path, "rb") as handle:
        assert handle.read(8) == PNG


def bars(ax):
    containers = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(containers) == 1
    return containers[0]


def tick_names(labels):
    return [label.get_text() for label in labels]


def olden_result(std=None):
    # |per_output| means: a 0.2, b 0.9, c 0.5, d 0.1 -> order b, c, a, d
    return Importances([[0.2, -0.9, 0.5, 0.1]], method="olden",
                       feature_names=["a", "b", "c", "d"], importances_std=std)


def test_bars_sorted_most_important_on_top(tmp_path):
    ax = plot_importances(olden_result())
    assert_png(ax.figure, tmp_path / "bars.png")
    container = bars(ax)
    assert len(container.patches) == 4
    np.testing.assert_allclose([p.get_width() for p in container.patches], [0.9, 0.5, 0.2, 0.1])
    assert tick_names(ax.get_yticklabels()) == ["b", "c", "a", "d"]
    # The first bar (the most important) is drawn above the others.
    tops = [ax.transData.transform((0, p.get_y()))[1] for p in container.patches]
    assert tops == sorted(tops, reverse=True)
    assert not any(isinstance(c, ErrorbarContainer) for c in ax.containers)
    assert "olden" in ax.get_title()


def test_error_bars_exactly_when_std_exists():
    std = np.array([0.01, 0.02, 0.03, 0.04])
    ax = plot_importances(olden_result(std))
    errorbars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(errorbars) == 1
    segments = errorbars[0].lines[2][0].get_segments()
    half_widths = [(seg[1][0] - seg[0][0]) / 2 for seg in segments]
    np.testing.assert_allclose(half_widths, std[[1, 2, 0, 3]])


def test_max_features_keeps_the_top_ones():
    ax = plot_importances(olden_result(), max_features=2)
    assert len(bars(ax).patches) == 2
    assert tick_names(ax.get_yticklabels()) == ["b", "c"]


def test_normalize_draws_shares_and_scales_error_bars():
    std = np.array([0.17, 0.17, 0.17, 0.17])
    result = olden_result(std)
    ax = plot_importances(result, normalize=True)
    widths = [p.get_width() for p in bars(ax).patches]
    np.testing.assert_allclose(widths, result.normalized()[[1, 2, 0, 3]])
    assert sum(widths) == pytest.approx(1.0)
    segment = [c for c in ax.containers if isinstance(c, ErrorbarContainer)][0] \
        .lines[2][0].get_segments()[0]
    assert (segment[1][0] - segment[0][0]) / 2 == pytest.approx(0.17 / 1.7)


def test_title_and_given_axes():
    _, ax = plt.subplots()
    assert plot_importances(olden_result(), ax=ax, title="Mine") is ax
    assert ax.get_title() == "Mine"


def test_fitted_meta_estimator(rng):
    X = rng.normal(size=(60, 3))
    y = X[:, 0] * 2 + X[:, 1]
    est = ImportanceRegressor(MLPRegressor(hidden_layer_sizes=(4,), max_iter=50,
                                           random_state=0), method="garson").fit(X, y)
    ax = plot_importances(est)
    order = np.argsort(-est.importances_.importances_mean, kind="stable")
    np.testing.assert_allclose([p.get_width() for p in bars(ax).patches],
                               est.importances_.importances_mean[order])
    assert "garson" in ax.get_title()


def test_unfitted_meta_estimator_and_other_objects():
    with pytest.raises(NotFittedError, match="ImportanceRegressor is not fitted yet"):
        plot_importances(ImportanceRegressor())
    with pytest.raises(TypeError, match="takes an Importances .* got ndarray"):
        plot_importances(np.ones(3))


@pytest.mark.parametrize("max_features", [0, -1, 2.5, True])
def test_bad_max_features(max_features):
    with pytest.raises(ValueError, match="max_features must be None or a positive integer"):
        plot_importances(olden_result(), max_features=max_features)


def test_heatmap_of_signed_values_is_symmetric(tmp_path):
    per_output = np.array([[1.0, -2.0, 0.5], [-0.5, 1.0, 3.0]])
    result = Importances(per_output, method="olden", feature_names=["a", "b", "c"],
                         output_names=["low", "high"])
    ax = plot_importances(result, per_output=True)
    assert_png(ax.figure, tmp_path / "heatmap.png")
    order = np.argsort(-result.importances_mean, kind="stable")  # c, b, a
    image = ax.images[0]
    np.testing.assert_array_equal(image.get_array(), per_output[:, order])
    assert image.norm.vmin == -image.norm.vmax == -3.0
    assert image.get_cmap().name == "RdBu_r"
    assert tick_names(ax.get_xticklabels()) == ["c", "b", "a"]
    assert tick_names(ax.get_yticklabels()) == ["low", "high"]
    assert len(ax.figure.axes) == 2  # the heatmap and its colorbar
    assert "olden" in ax.get_title()


def test_heatmap_of_positive_values_is_sequential():
    result = Importances([[0.2, 0.8], [0.6, 0.4]], method="garson")
    image = plot_importances(result, per_output=True).images[0]
    assert image.norm.vmin == 0 and image.norm.vmax == pytest.approx(0.8)
    assert image.get_cmap().name == "viridis"


def test_heatmap_of_a_classifier_names_its_classes(rng):
    mlp = random_mlp((3, 4, 3), out_activation="softmax")
    result = feature_importances(mlp, rng.normal(size=(20, 3)), method="olden")
    ax = plot_importances(result, per_output=True, max_features=2)
    order = np.argsort(-result.importances_mean, kind="stable")[:2]
    np.testing.assert_allclose(ax.images[0].get_array(), result.per_output[:, order])
    assert tick_names(ax.get_yticklabels()) == ["0", "1", "2"]
    assert tick_names(ax.get_xticklabels()) == [f"x{i}" for i in order]


def test_heatmap_normalize_divides_each_row():
    result = Importances([[1.0, -3.0], [2.0, 2.0]], method="olden")
    values = plot_importances(result, per_output=True, normalize=True).images[0].get_array()
    np.testing.assert_allclose(values, [[-0.75, 0.25], [0.5, 0.5]])


# --------------------------------------------------------------------------------------
# Without matplotlib


@pytest.mark.parametrize("plot, args", [
    (plot_importances, (None,)),
    (plot_profiles, (None,)),
    (plot_network, (None,)),
    (plot_rank_stability, (None,)),
    (plot_comparison, (None, None, None)),
    (plot_interactions, (None,)),
    (plot_interaction_surface, (None, None, (0, 1))),
])
def test_clear_import_error_without_matplotlib(monkeypatch, plot, args):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    message = f"{plot.__name__} needs matplotlib: pip install matplotlib"
    with pytest.raises(ImportError, match=message.replace("[", r"\[").replace("]", r"\]")):
        plot(*args)


def test_module_imports_without_matplotlib(monkeypatch):
    for name in [m for m in sys.modules if m.startswith("matplotlib")]:
        monkeypatch.setitem(sys.modules, name, None)
    for name in [m for m in sys.modules if m.startswith("skimportance.plotting")]:
        monkeypatch.delitem(sys.modules, name)
    module = importlib.import_module("skimportance.plotting")
    assert callable(module.plot_importances)
    with pytest.raises(ImportError, match="plot_network needs matplotlib"):
        module.plot_network(None)

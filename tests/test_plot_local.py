"""Per-row plots (beeswarm, dependence, waterfall) and Importances.to_shap."""

import sys
import types

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.text import Text  # noqa: E402

from skimportance import Importances, feature_importances  # noqa: E402
from skimportance.plotting import (  # noqa: E402
    plot_beeswarm,
    plot_dependence,
    plot_waterfall,
)
from skimportance.plotting._local import short_names  # noqa: E402

from conftest import PNG, random_mlp  # noqa: E402


def local_result(local, names=None, expected_value=None, method="shapley"):
    local = np.asarray(local, dtype=float)
    return Importances(np.abs(local).mean(axis=0), method=method, feature_names=names,
                       extras={"local": local, "expected_value": expected_value})


@pytest.fixture
def toy(rng):
    # Mean |value| per feature: f0 0.5, f1 2.0, f2 1.0 -> drawn f1, f2, f0.
    X = rng.normal(size=(25, 3))
    local = np.stack([0.5 * np.sign(X[:, 0]), 2.0 * np.sign(X[:, 1]),
                      1.0 * np.sign(X[:, 2])], axis=1)[:, None, :]
    return local_result(local, ["f0", "f1", "f2"]), X


def texts_outside(fig, path, monkeypatch):
    """The texts savefig drew whose extent, measured by its renderer, leaves the figure
    (tick labels of ticks beyond the axes' limits exist but are not drawn)."""
    drawn = []
    draw = Text.draw

    def recording_draw(self, renderer):
        draw(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append((self.get_text(), self.get_window_extent(renderer)))

    monkeypatch.setattr(Text, "draw", recording_draw)
    fig.savefig(path)
    monkeypatch.undo()
    with open(path, "rb") as handle:
        assert handle.read(8) == PNG
    assert drawn
    box = fig.bbox
    return [text for text, extent in drawn
            if extent.x0 < box.x0 - 1 or extent.y0 < box.y0 - 1
            or extent.x1 > box.x1 + 1 or extent.y1 > box.y1 + 1]


# ---------------------------------------------------------------- beeswarm


def test_beeswarm_one_dot_per_row_in_order_of_importance(toy):
    result, X = toy
    ax = plot_beeswarm(result, X)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["f1", "f2", "f0"]
    assert len(ax.collections) == 3
    for position, (j, dots) in enumerate(zip([1, 2, 0], ax.collections)):
        offsets = dots.get_offsets()
        assert offsets.shape == (25, 2)
        np.testing.assert_array_equal(offsets[:, 0], result.local[:, 0, j])
        # The swarm spreads the dots around the input's row, not into the next one.
        assert np.all(np.abs(offsets[:, 1] - position) <= 0.4 + 1e-12)
        assert np.ptp(offsets[:, 1]) > 0  # the 25 dots of two values do not overlap
    # The most important row is drawn at the top.
    top = ax.transData.transform((0, 0))[1]
    assert top > ax.transData.transform((0, 2))[1]
    assert len(ax.figure.axes) == 2  # and the colour bar
    assert ax.figure.axes[1].get_ylabel() == "Input value"


def test_beeswarm_colours_follow_the_input_values(toy):
    result, X = toy
    ax = plot_beeswarm(result, X)
    ax.figure.canvas.draw()
    cmap = plt.get_cmap("coolwarm")
    for j, dots in zip([1, 2, 0], ax.collections):
        colours = dots.get_facecolors()
        assert colours.shape == (25, 4)
        # Each colour's place along the colour map never falls as the input rises.
        order = np.argsort(X[:, j])
        table = cmap(np.linspace(0, 1, cmap.N))
        place = np.argmin(np.abs(colours[order, None, :] - table[None]).sum(axis=2), axis=1)
        assert np.all(np.diff(place) >= 0) and place[0] == 0 and place[-1] == cmap.N - 1
        np.testing.assert_allclose(colours[order[0]], cmap(0.0), atol=1e-12)
        np.testing.assert_allclose(colours[order[-1]], cmap(1.0), atol=1e-12)
        # Between the 5th and 95th percentiles, the colour is the place in that span.
        low, high = np.percentile(X[:, j], [5, 95])
        middle = order[12]
        expected = cmap((X[middle, j] - low) / (high - low))
        np.testing.assert_allclose(colours[middle], expected, atol=1 / 255)


def test_beeswarm_text_and_missing_values_are_grey(rng):
    X = np.empty((6, 2), dtype=object)
    X[:, 0] = ["a", "b", "a", "c", "b", "a"]
    X[:, 1] = [1.0, np.nan, 3.0, 4.0, 5.0, 6.0]
    result = local_result(rng.normal(size=(6, 1, 2)))
    ax = plot_beeswarm(result, X)
    ax.figure.canvas.draw()
    grey = np.array([0.6, 0.6, 0.6, 1.0])
    by_name = dict(zip([t.get_text() for t in ax.get_yticklabels()], ax.collections))
    np.testing.assert_allclose(by_name["x0"].get_facecolors(), [grey], atol=1e-12)
    numeric = by_name["x1"].get_facecolors()
    np.testing.assert_allclose(numeric[1], grey, atol=1e-12)
    assert not np.allclose(numeric[[0, 2, 3, 4, 5]], grey)


def test_beeswarm_max_display_and_output_by_name(rng):
    local = rng.normal(size=(10, 2, 4)) * np.array([1.0, 4.0, 2.0, 3.0])
    local[:, 1, :] *= np.array([4.0, 1.0, 1.0, 1.0]) / np.array([1.0, 4.0, 2.0, 3.0])
    result = Importances(np.abs(local).mean(axis=0), method="gradient",
                         output_names=["lo", "hi"], extras={"local": local})
    X = rng.normal(size=(10, 4))
    ax = plot_beeswarm(result, X, max_display=2)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x1", "x3"]
    assert "2 more not shown" in ax.get_title()
    ax = plot_beeswarm(result, X, output="hi", max_display=1)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x0"]
    np.testing.assert_array_equal(ax.collections[0].get_offsets()[:, 0], local[:, 1, 0])
    assert "output hi" in ax.get_xlabel()


def test_beeswarm_draws_the_same_picture_twice(toy):
    result, X = toy
    first = plot_beeswarm(result, X).collections[0].get_offsets()
    second = plot_beeswarm(result, X).collections[0].get_offsets()
    np.testing.assert_array_equal(first, second)


# ---------------------------------------------------------------- dependence


def test_dependence_draws_x_against_the_values(rng):
    mlp = random_mlp((3, 5, 1))
    X = rng.normal(size=(20, 3))
    result = feature_importances(mlp, X, method="gradient", return_local=True)
    ax = plot_dependence(result, X, 1)
    offsets = ax.collections[0].get_offsets()
    np.testing.assert_array_equal(offsets[:, 0], X[:, 1])
    np.testing.assert_array_equal(offsets[:, 1], result.local[:, 0, 1])
    assert ax.get_xlabel() == "x1"
    assert len(ax.figure.axes) == 1  # no colour bar without color_by


def test_dependence_coloured_by_a_second_input(toy):
    result, X = toy
    ax = plot_dependence(result, X, "f2", color_by="f0")
    dots = ax.collections[0]
    np.testing.assert_array_equal(dots.get_offsets()[:, 0], X[:, 2])
    np.testing.assert_array_equal(dots.get_offsets()[:, 1], result.local[:, 0, 2])
    np.testing.assert_array_equal(dots.get_array(), X[:, 0])
    assert len(ax.figure.axes) == 2
    assert ax.figure.axes[1].get_ylabel() == "f0"


def test_dependence_refuses_text_columns(rng):
    X = np.array([["a", 1.0], ["b", 2.0]], dtype=object)
    result = local_result(rng.normal(size=(2, 1, 2)))
    with pytest.raises(ValueError, match="feature=0 is not numeric"):
        plot_dependence(result, X, 0)
    with pytest.raises(ValueError, match="color_by='x0' is not numeric"):
        plot_dependence(result, X, 1, color_by="x0")


# ---------------------------------------------------------------- waterfall


def test_waterfall_adds_up_from_the_expected_value_to_the_output(rng):
    mlp = random_mlp((4, 5, 3), out_activation="softmax")
    X = rng.normal(size=(12, 4))
    result = feature_importances(mlp, X, method="shapley", return_local=True)
    row, output = 5, 2
    ax = plot_waterfall(result, row, X, output=output)
    bars = list(ax.containers[0])
    assert len(bars) == 4
    assert bars[0].get_x() == pytest.approx(result.expected_value[output], abs=1e-12)
    for below, above in zip(bars[:-1], bars[1:]):
        assert above.get_x() == pytest.approx(below.get_x() + below.get_width(), abs=1e-12)
    end = bars[-1].get_x() + bars[-1].get_width()
    assert end == pytest.approx(mlp.predict_proba(X)[row, output], abs=1e-9)
    # The largest value at the top, the smallest at the bottom.
    widths = np.abs([bar.get_width() for bar in bars])
    assert np.all(np.diff(widths) >= 0)
    assert bars[-1].get_y() > bars[0].get_y()
    colours = {tuple(bar.get_facecolor()) for bar in bars if bar.get_width() > 0}
    assert colours <= {plt.matplotlib.colors.to_rgba("tab:red")}
    labels = [t.get_text() for t in ax.get_yticklabels()]
    top = int(np.argmax(np.abs(result.local[row, output])))
    assert labels[-1] == f"x{top} = {X[row, top]:.4g}"
    assert [line.get_xdata()[0] for line in ax.lines] == pytest.approx(
        [result.expected_value[output], end], abs=1e-12)


def test_waterfall_puts_the_rest_in_one_bar():
    values = np.array([0.1, -3.0, 0.2, 1.0, -0.05])
    result = local_result(values[None, None, :], expected_value=np.array([1.0]))
    ax = plot_waterfall(result, 0, max_display=3)
    bars = list(ax.containers[0])
    # -3.0 and 1.0 alone; 0.2 + 0.1 - 0.05 together, at the bottom.
    np.testing.assert_allclose([b.get_width() for b in bars], [0.25, 1.0, -3.0], atol=1e-12)
    assert ax.get_yticklabels()[0].get_text() == "3 other inputs"
    assert bars[-1].get_x() + bars[-1].get_width() == pytest.approx(1.0 + values.sum())


def test_waterfall_base_value_without_expected_value(rng):
    result = local_result(rng.normal(size=(3, 1, 2)), method="deeplift")
    bars = list(plot_waterfall(result, -1).containers[0])
    assert bars[0].get_x() == 0.0
    ax = plot_waterfall(result, 2, base_value=4.5)
    assert ax.containers[0][0].get_x() == 4.5
    assert ax.get_xlabel().startswith("base = 4.5")
    assert ax.get_title() == "Row 2 (deeplift)"


# ---------------------------------------------------------------- layout


LONG = ["num__the_body_mass_index_of_the_patient_kg_m2",
        "cat__the_region_the_patient_lives_in_north",
        "cat__the_region_the_patient_lives_in_south",
        "age"]


def test_long_names_are_shortened_but_distinct():
    short = short_names(LONG)
    assert len(set(short)) == 4 and all(len(name) <= 24 for name in short)
    assert short[3] == "age"
    assert short[1].endswith("north") and short[2].endswith("south")
    assert short_names(["a" * 30 + "xyz", "a" * 30 + "b" + "xyz"])[0] != \
        short_names(["a" * 30 + "xyz", "a" * 30 + "b" + "xyz"])[1]


@pytest.mark.parametrize("plot", ["beeswarm", "dependence", "waterfall"])
def test_no_text_leaves_the_figure(rng, tmp_path, monkeypatch, plot):
    X = 1000 * rng.normal(size=(30, 4))
    result = local_result(1e4 * rng.normal(size=(30, 1, 4)), LONG,
                          expected_value=np.array([12345.678]))
    if plot == "beeswarm":
        ax = plot_beeswarm(result, X)
    elif plot == "dependence":
        ax = plot_dependence(result, X, 1, color_by=0)
    else:
        ax = plot_waterfall(result, 3, X)
    assert texts_outside(ax.figure, tmp_path / f"{plot}.png", monkeypatch) == []
    if plot == "waterfall":
        # The values written at the bars' ends stay inside the axes, on the bars' side.
        renderer = ax.figure.canvas.get_renderer()
        inside = ax.get_window_extent(renderer)
        for text in ax.texts:
            extent = text.get_window_extent(renderer)
            assert inside.x0 <= extent.x0 and extent.x1 <= inside.x1


# ---------------------------------------------------------------- errors


def test_errors_name_what_is_wrong(toy, rng):
    result, X = toy
    no_local = Importances([[1.0, 2.0, 3.0]], method="gradient")
    for plot in (plot_beeswarm, plot_dependence, plot_waterfall):
        with pytest.raises(ValueError, match="return_local=True"):
            if plot is plot_dependence:
                plot(no_local, X, 0)
            elif plot is plot_waterfall:
                plot(no_local, 0, X)
            else:
                plot(no_local, X)
    with pytest.raises(ValueError, match=r"X has shape \(25, 2\), but result.local has 25 "
                                         r"rows and 3 features"):
        plot_beeswarm(result, X[:, :2])
    with pytest.raises(ValueError, match=r"X has shape \(24, 3\)"):
        plot_waterfall(result, 0, X[1:])
    with pytest.raises(ValueError, match="plot_beeswarm needs X"):
        plot_beeswarm(result, None)
    with pytest.raises(ValueError, match="output=1 is out of range: this result has 1"):
        plot_beeswarm(result, X, output=1)
    with pytest.raises(ValueError, match="output='z' is not an output"):
        plot_dependence(result, X, 0, output="z")
    with pytest.raises(ValueError, match="feature='nope' is not a feature.*f0, f1, f2"):
        plot_dependence(result, X, "nope")
    with pytest.raises(ValueError, match="color_by=7 is out of range"):
        plot_dependence(result, X, 0, color_by=7)
    with pytest.raises(ValueError, match=r"row must be an integer in \[0, 25\)"):
        plot_waterfall(result, 25)
    with pytest.raises(ValueError, match="max_display must be a positive integer"):
        plot_beeswarm(result, X, max_display=0)
    with pytest.raises(ValueError, match="base_value must be None or a finite number"):
        plot_waterfall(result, 0, base_value=np.nan)


def test_plots_leave_the_inputs_unchanged(toy):
    result, X = toy
    local, X_before = result.local.copy(), X.copy()
    plot_beeswarm(result, X)
    plot_dependence(result, X, 0, color_by=1)
    plot_waterfall(result, 0, X)
    np.testing.assert_array_equal(result.local, local)
    np.testing.assert_array_equal(X, X_before)


# ---------------------------------------------------------------- to_shap


class FakeExplanation:
    def __init__(self, values, base_values=None, data=None, feature_names=None):
        self.values, self.base_values = values, base_values
        self.data, self.feature_names = data, feature_names


@pytest.fixture
def fake_shap(monkeypatch):
    module = types.ModuleType("shap")
    module.Explanation = FakeExplanation
    monkeypatch.setitem(sys.modules, "shap", module)
    return module


def test_to_shap_without_shap_says_how_to_install(monkeypatch, toy):
    result, X = toy
    monkeypatch.setitem(sys.modules, "shap", None)  # import shap raises ImportError
    with pytest.raises(ImportError, match="pip install shap"):
        result.to_shap(X)


def test_to_shap_gives_an_explanation_of_one_output(fake_shap, rng):
    mlp = random_mlp((3, 4, 3), out_activation="softmax")
    X = rng.normal(size=(8, 3))
    result = feature_importances(mlp, X, method="shapley", return_local=True)
    explanation = result.to_shap(X, output=1)
    assert isinstance(explanation, FakeExplanation)
    np.testing.assert_array_equal(explanation.values, result.local[:, 1, :])
    np.testing.assert_array_equal(explanation.base_values,
                                  np.full(8, result.expected_value[1]))
    np.testing.assert_array_equal(explanation.data, X)
    assert explanation.feature_names == ["x0", "x1", "x2"]
    # shap's efficiency: base value plus the row's values is the model's output.
    np.testing.assert_allclose(explanation.base_values + explanation.values.sum(axis=1),
                               mlp.predict_proba(X)[:, 1], atol=1e-9)
    local = result.local.copy()
    explanation.values[:] = 0.0
    explanation.data[:] = 0.0
    np.testing.assert_array_equal(result.local, local)
    assert not np.all(X == 0.0)


def test_to_shap_without_expected_value_or_X(fake_shap, toy):
    result, _ = toy
    result = Importances(result.per_output, method="deeplift",
                         extras={"local": result.local})
    explanation = result.to_shap()
    np.testing.assert_array_equal(explanation.base_values, np.zeros(25))
    assert explanation.data is None


def test_to_shap_errors(fake_shap, toy):
    result, X = toy
    with pytest.raises(ValueError, match="return_local=True"):
        Importances([[1.0]], method="olden").to_shap()
    with pytest.raises(ValueError, match=r"output must be an integer in \[0, 1\)"):
        result.to_shap(X, output=1)
    with pytest.raises(ValueError, match=r"X has shape \(25, 2\)"):
        result.to_shap(X[:, :2])


def test_waterfall_of_deeplift_ends_at_the_output_from_the_baseline(rng):
    pd = pytest.importorskip("pandas")
    mlp = random_mlp((3, 6, 1))
    X = pd.DataFrame(rng.normal(size=(15, 3)), columns=["a", "b", "c"])
    # The network was fitted on an array; the plots take the DataFrame all the same.
    result = feature_importances(mlp, X.to_numpy(), method="deeplift", return_local=True)
    # The network was fitted on an array; the baseline "mean" is X's column means.
    start = float(mlp.predict(X.mean().to_numpy()[None])[0])
    ax = plot_waterfall(result, 4, X, base_value=start)
    bars = list(ax.containers[0])
    assert bars[0].get_x() == pytest.approx(start, abs=1e-12)
    assert bars[-1].get_x() + bars[-1].get_width() == pytest.approx(
        mlp.predict(X.to_numpy())[4], abs=1e-9)
    assert plot_beeswarm(result, X).collections[0].get_offsets().shape == (15, 2)


@pytest.mark.parametrize("plot", [plot_beeswarm, plot_dependence, plot_waterfall])
def test_without_matplotlib_says_how_to_install(monkeypatch, toy, plot):
    result, X = toy
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=rf"{plot.__name__} needs matplotlib: pip install"):
        plot(result, 0) if plot is plot_waterfall else plot(result, X, 0) \
            if plot is plot_dependence else plot(result, X)

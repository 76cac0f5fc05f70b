"""Every figure the library makes, read back after savefig: nothing outside the figure,
with 30 names of 25 characters and with 10 classes; legends where colours carry
meaning; as many bars and panels as asked."""

import io
import warnings

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from skimportance import Importances, feature_importances  # noqa: E402
from skimportance._dependence import Dependence  # noqa: E402
from skimportance._names import shorten_names  # noqa: E402
from skimportance.interactions import Interactions  # noqa: E402
from skimportance.methods import LekProfile  # noqa: E402
from skimportance.plotting import (  # noqa: E402
    plot_beeswarm,
    plot_comparison,
    plot_dependence,
    plot_dependence_matrix,
    plot_faithfulness,
    plot_importances,
    plot_interaction_surface,
    plot_interactions,
    plot_network,
    plot_profiles,
    plot_rank_stability,
    plot_waterfall,
)
from skimportance.plotting._comparison import draw_comparison  # noqa: E402

# 30 names of 25 characters that share their first 23: cut naively, they all print the
# same ("measured_value_of_sit...").
LONG = [f"measured_value_of_site_{i:02d}" for i in range(30)]
CLASSES = [f"category_number_{k}" for k in range(10)]  # 17 characters each
TOLERANCE = 1.0  # pixels: antialiasing rounds extents to the pixel


def test_the_names_are_what_this_file_says():
    assert len(LONG) == 30 and {len(name) for name in LONG} == {25}
    assert len({name[:23] for name in LONG}) == 1


def fitted(kind, n_inputs, hidden, seed=0):
    """A tiny MLP with random weights, fitted (one iteration) on named columns."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(40, n_inputs)), columns=LONG[:n_inputs])
    if kind == "regressor":
        mlp, y = MLPRegressor(hidden_layer_sizes=hidden, max_iter=1), X.iloc[:, 0]
    elif kind == "binary":
        mlp = MLPClassifier(hidden_layer_sizes=hidden, max_iter=1)
        y = np.where(np.arange(40) % 2, "malignant", "benign")
    else:
        mlp = MLPClassifier(hidden_layer_sizes=hidden, max_iter=1)
        y = np.array(CLASSES)[np.arange(40) % 10]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(X, y)
    mlp.coefs_ = [rng.normal(size=W.shape) for W in mlp.coefs_]
    return mlp, X, y


def drawn_texts(fig, renderer):
    """The texts that are drawn: tick labels inside their axis' view, and the others."""
    ticks = set()
    drawn = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                ticks.update((id(tick.label1), id(tick.label2)))
                if low - 1e-9 <= tick.get_loc() <= high + 1e-9:
                    drawn += [label for label in (tick.label1, tick.label2)
                              if label.get_visible()]
    drawn += [text for text in fig.findobj(Text) if id(text) not in ticks]
    return [text for text in drawn if text.get_visible() and text.get_text().strip()
            and text.get_window_extent(renderer).width > 0]


def assert_inside(fig):
    """Save, then check with the renderer's extents that nothing is cut off."""
    fig.savefig(io.BytesIO(), format="png")
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    outside = []
    for text in drawn_texts(fig, renderer):
        extent = text.get_window_extent(renderer)
        if extent.x0 < box.x0 - TOLERANCE or extent.y0 < box.y0 - TOLERANCE or \
                extent.x1 > box.x1 + TOLERANCE or extent.y1 > box.y1 + TOLERANCE:
            outside.append(text.get_text())
    assert not outside, f"cut off at the figure's edge: {outside[:5]}"
    tight = fig.get_tightbbox(renderer)  # in inches, everything drawn
    width, height = fig.get_size_inches()
    slack = TOLERANCE / fig.dpi
    assert tight.x0 >= -slack and tight.y0 >= -slack
    assert tight.x1 <= width + slack and tight.y1 <= height + slack


def tick_texts(labels):
    return [label.get_text() for label in labels]


def assert_distinct_short(labels, names, width=24):
    """The axis shows the names shortened distinctly, as shorten_names does."""
    assert labels == shorten_names(names, width)
    assert len(set(labels)) == len(set(names)) and max(map(len, labels)) <= width


def bars(ax):
    return [c for c in ax.containers if isinstance(c, BarContainer)]


# -------------------------------------------------------------- the checker itself


def test_the_check_sees_a_cut_off_label():
    # The check would pass anything if it could not see this: a long label, no layout.
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.barh([0, 1], [1, 2])
    ax.set_yticks([0, 1], ["a" * 60, "b"])
    with pytest.raises(AssertionError, match="cut off"):
        assert_inside(fig)


# ------------------------------------------------------------------- importances


@pytest.fixture(scope="module")
def thirty():
    rng = np.random.default_rng(3)
    values = rng.uniform(0.1, 1.0, size=(1, 30))
    std = rng.uniform(0.01, 0.05, size=30)
    return Importances(values, method="permutation", feature_names=LONG,
                       importances_std=std)


@pytest.fixture(scope="module")
def ten_classes():
    rng = np.random.default_rng(4)
    return Importances(rng.normal(size=(10, 30)), method="olden", feature_names=LONG,
                       output_names=CLASSES)


def test_bars_with_thirty_long_names(thirty):
    ax = plot_importances(thirty)
    assert_inside(ax.figure)
    (container,) = bars(ax)
    assert len(container) == 30
    order = np.argsort(-thirty.importances_mean, kind="stable")
    assert_distinct_short(tick_texts(ax.get_yticklabels()), [LONG[j] for j in order])
    assert len(bars(plot_importances(thirty, max_features=7))[0]) == 7


@pytest.mark.parametrize("result", ["thirty", "ten_classes"])
def test_heatmap_per_output(result, request):
    result = request.getfixturevalue(result)
    ax = plot_importances(result, per_output=True)
    assert_inside(ax.figure)
    assert ax.images[0].get_array().shape == (len(result.output_names), 30)
    assert len(ax.figure.axes) == 2  # the colour bar says what the colours mean
    assert tick_texts(ax.get_yticklabels()) == [str(n) for n in result.output_names]


# ---------------------------------------------------------------------- network


@pytest.mark.parametrize("kind, n_inputs, hidden", [
    ("binary", 30, (16, 8)), ("multiclass", 4, (5,)), ("regressor", 30, (3,))])
def test_network_legend_names_and_nothing_cut_off(kind, n_inputs, hidden):
    mlp, _, _ = fitted(kind, n_inputs, hidden)
    ax = plot_network(mlp)
    assert_inside(ax.figure)
    names = tick_texts(ax.texts)
    assert names[:n_inputs] == shorten_names(LONG[:n_inputs], 24)
    outputs = names[n_inputs:]
    expected = {"binary": ["P(malignant)"], "multiclass": CLASSES, "regressor": ["y"]}
    assert outputs == expected[kind]
    legend = ax.get_legend()
    texts = tick_texts(legend.get_texts())
    assert texts[:2] == ["positive weight", "negative weight"]
    # The widths in the legend are those of weights of that size in the diagram.
    full = next(c for c in ax.collections if c.get_label() == "connections")
    weights = np.concatenate([np.ravel(W) for W in mlp.coefs_])
    largest = np.abs(weights).max()
    widest = np.max(full.get_linewidths())
    assert texts[2] == f"|w| = {largest:.2g}"
    assert legend.get_lines()[2].get_linewidth() == pytest.approx(widest)
    # The legend is below the diagram: it overlaps none of the names.
    renderer = ax.figure.canvas.get_renderer()
    box = legend.get_window_extent(renderer)
    for text in ax.texts + ax.get_xticklabels():
        assert not box.overlaps(text.get_window_extent(renderer)), text.get_text()


def test_large_network_draws_its_strongest_edges_and_fades_the_rest():
    mlp, _, _ = fitted("binary", 30, (16, 8))
    ax = plot_network(mlp)
    full, faint = ax.collections[0], ax.collections[1]
    assert (full.get_label(), faint.get_label()) == ("connections", "faint connections")
    n_edges = 30 * 16 + 16 * 8 + 8
    assert len(full.get_segments()) == 100
    assert len(faint.get_segments()) == n_edges - 100
    assert faint.get_alpha() < 0.5
    # The output layer keeps its 8, the two others share 92 evenly, each its largest.
    first = np.array([segment[0][0] == 0 for segment in full.get_segments()])
    assert first.sum() == 46
    widths = np.asarray(full.get_linewidths())
    full_widths = widths[first]
    scale = np.abs(np.concatenate([np.ravel(W) for W in mlp.coefs_])).max() \
        / widths.max()
    np.testing.assert_allclose(np.sort(full_widths * scale),
                               np.sort(np.abs(mlp.coefs_[0]).ravel())[-46:], atol=1e-12)
    assert "516 weaker (of 616)" in tick_texts(ax.get_legend().get_texts())
    # Small networks draw everything in full.
    small, _, _ = fitted("regressor", 3, (4,))
    assert [c.get_label() for c in plot_network(small).collections
            if isinstance(c, LineCollection)] == ["connections"]


def test_network_options_of_plotnet():
    mlp, _, _ = fitted("multiclass", 4, (5,))
    ax = plot_network(mlp, highlight_inputs=[LONG[1]], highlight_outputs=CLASSES[:2],
                      positive_color="tab:red", negative_color="tab:blue",
                      pruned_style="dashed")
    full, faint = ax.collections[0], ax.collections[1]
    starts = np.array([segment[0] for segment in full.get_segments()])
    ends = np.array([segment[1] for segment in full.get_segments()])
    # From the inputs only the highlighted one (the second of 4 at height 1 - 1.5 / 4);
    # into the outputs only the two highlighted (the first two of 10).
    first = starts[:, 0] == 0
    np.testing.assert_allclose(starts[first, 1], 1 - 1.5 / 4)
    assert first.sum() == 5
    into = ends[:, 0] == 2
    assert sorted(np.round(ends[into, 1], 12)) == sorted(np.round([0.95, 0.85] * 5, 12))
    # The rest are faint: 3 inputs x 5 hidden, and 5 hidden x 8 outputs.
    assert len(faint.get_segments()) == 3 * 5 + 5 * 8
    assert faint.get_linestyles()[0][1] is not None  # dashed
    colours = {tuple(np.round(c, 3)) for c in full.get_colors()}
    assert colours <= {(0.839, 0.153, 0.157, 1.0), (0.122, 0.467, 0.706, 1.0)}
    bold = [t.get_text() for t in ax.texts if t.get_fontweight() == "bold"]
    assert bold == [shorten_names(LONG[:4], 24)[1]] + CLASSES[:2]
    with pytest.raises(ValueError, match="highlight_inputs must name"):
        plot_network(mlp, highlight_inputs=["nope"])
    with pytest.raises(ValueError, match="strongest must be"):
        plot_network(mlp, strongest=0)
    with pytest.raises(ValueError, match="pruned_style must be one of"):
        plot_network(mlp, pruned_style="dotted")


# --------------------------------------------------------------------- profiles


@pytest.mark.parametrize("kind, n_inputs", [("regressor", 30), ("multiclass", 2)])
def test_profiles_every_output_ordered_and_explained(kind, n_inputs):
    mlp, X, _ = fitted(kind, n_inputs, (3,))
    result = feature_importances(mlp, X, method=LekProfile(steps=5))
    fig = plot_profiles(result)
    assert_inside(fig)
    n_outputs = 10 if kind == "multiclass" else 1
    assert len(fig.axes) == n_inputs * n_outputs
    order = np.argsort(-result.importances_mean, kind="stable")
    titles = shorten_names([LONG[j] for j in order], 24)
    assert [ax.get_title() for ax in fig.axes[:n_inputs]] == titles
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    assert len(legends) == 1
    assert "quantile" in legends[0].get_title().get_text()
    if kind == "multiclass":
        ylabels = [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
        assert ylabels == [f"Response: {name}" for name in CLASSES]
        # ysel and xsel: some outputs, some inputs.
        some = plot_profiles(result, output=CLASSES[3:5], features=LONG[:2])
        assert len(some.axes) == 4
        assert_inside(some)


def test_group_show_with_thirty_names():
    mlp, X, _ = fitted("regressor", 30, (3,))
    fig = plot_profiles(feature_importances(mlp, X, method=LekProfile(steps=3)),
                        group_show=True)
    assert_inside(fig)
    (ax,) = fig.axes
    assert len(bars(ax)) == 6 and all(len(c) == 30 for c in bars(ax))
    assert ax.get_legend() is not None


# ----------------------------------------------------------- stability, comparison


def test_rank_stability_with_thirty_names():
    rng = np.random.default_rng(5)
    counts = np.zeros((30, 30), dtype=int)
    for _ in range(3):
        counts[np.arange(30), rng.permutation(30)] += 1
    result = Importances(rng.uniform(size=(1, 30)), method="gradient", feature_names=LONG,
                         extras={"rank_counts": counts, "rank_agreement": 0.1})
    ax = plot_rank_stability(result)
    assert_inside(ax.figure)
    assert ax.images[0].get_array().shape == (30, 30)
    assert len(set(tick_texts(ax.get_yticklabels()))) == 30


@pytest.mark.parametrize("kind, n_inputs", [("regressor", 30), ("multiclass", 4)])
def test_comparison_in_sklearn_order(kind, n_inputs):
    mlp, X, y = fitted(kind, n_inputs, (3,))
    ax = plot_comparison(mlp, X, y, methods=["garson", "olden"])
    assert_inside(ax.figure)
    assert [c.get_label() for c in bars(ax)] == ["garson", "olden"]
    assert all(len(c) == n_inputs for c in bars(ax))
    assert ax.get_legend() is not None


def test_comparison_in_the_old_order_says_the_new_one():
    mlp, X, y = fitted("regressor", 4, (3,))
    with pytest.raises(TypeError) as error:
        plot_comparison(X, y, mlp, methods=["garson"])
    message = str(error.value)
    assert "plot_comparison(estimator, X, y" in message and "(X, y, estimator)" in message
    assert len(message) < 300  # the message, not a dump of X or y
    with pytest.raises(TypeError, match="estimator must be an estimator with fit; got "
                                        "ndarray"):
        plot_comparison(np.zeros((3, 2)), np.zeros(3), np.zeros(3))


def test_a_method_with_nothing_above_zero_is_visible():
    # drop-and-retrain when every refit scores as well as the full model: all zeros.
    fig, ax = plt.subplots(layout="constrained")
    draw_comparison(["a", "b"], ["garson", "drop"], [[0.7, 0.3], [0.0, 0.0]], ax=ax)
    garson, drop = bars(ax)
    assert drop.get_label() == "drop (all 0: no input matters)"
    # An outline of the method's colour: a bar of width 0 still shows as a line.
    for bar in drop:
        assert bar.get_linewidth() > 0
        np.testing.assert_allclose(bar.get_edgecolor(), bar.get_facecolor())
    legend = tick_texts(ax.get_legend().get_texts())
    assert legend == ["garson", "drop (all 0: no input matters)"]


# ---------------------------------------------------------------- per-row values


@pytest.fixture(scope="module")
def local_thirty():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(12, 30))
    local = rng.normal(size=(12, 1, 30)) * np.linspace(2, 0.1, 30)
    result = Importances(np.abs(local).mean(axis=0), method="shapley", feature_names=LONG,
                         extras={"local": local, "expected_value": np.array([1.0])})
    return result, X


@pytest.fixture(scope="module")
def local_classes():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(12, 30))
    local = rng.normal(size=(12, 10, 30))
    result = Importances(np.abs(local).mean(axis=0), method="gradient", feature_names=LONG,
                         output_names=CLASSES, extras={"local": local})
    return result, X


@pytest.mark.parametrize("data", ["local_thirty", "local_classes"])
def test_per_row_plots(data, request):
    result, X = request.getfixturevalue(data)
    output = len(result.output_names) - 1
    ax = plot_beeswarm(result, X, output=output, max_display=30)
    assert_inside(ax.figure)
    assert len(ax.collections) == 30
    assert_distinct_short(tick_texts(ax.get_yticklabels()), [
        LONG[j] for j in np.argsort(-np.abs(result.local[:, output]).mean(axis=0),
                                    kind="stable")])
    ax = plot_dependence(result, X, LONG[0], color_by=LONG[1], output=output)
    assert_inside(ax.figure)
    ax = plot_waterfall(result, 0, X, output=output, max_display=30)
    assert_inside(ax.figure)
    assert len(bars(ax)[0]) == 30
    assert ax.get_legend() is not None


# ---------------------------------------------------- dependence and interactions


def test_dependence_matrix_with_thirty_names():
    rng = np.random.default_rng(8)
    matrix = np.abs(np.corrcoef(rng.normal(size=(40, 30)), rowvar=False))
    dependence = Dependence(LONG, rng.uniform(size=30), rng.uniform(size=(3, 30)), matrix)
    ax = plot_dependence_matrix(dependence)
    assert_inside(ax.figure)
    assert ax.images[0].get_array().shape == (30, 30)
    assert len(set(tick_texts(ax.get_xticklabels()))) == 30


def test_interactions_with_thirty_names_and_ten_outputs():
    rng = np.random.default_rng(9)
    H = rng.uniform(size=(10, 30, 30))
    H = H + H.transpose(0, 2, 1)
    result = Interactions(H, method="hessian", feature_names=LONG, output_names=CLASSES)
    ax = plot_interactions(result)
    assert_inside(ax.figure)
    assert ax.images[0].get_array().shape == (30, 30)
    ax = plot_interactions(result, output=CLASSES[9], max_features=12)
    assert_inside(ax.figure)
    assert len(set(tick_texts(ax.get_yticklabels()))) == 12


def test_interaction_surface_with_long_names_and_ten_classes():
    import pandas as pd
    from sklearn.neural_network import MLPClassifier

    rng = np.random.default_rng(3)
    X = pd.DataFrame(rng.normal(size=(200, 3)), columns=LONG[:3])
    y = np.digitize(X.iloc[:, 0] * X.iloc[:, 1], np.linspace(-1.5, 1.5, 9))  # 10 classes
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=100, random_state=0).fit(X, y)
    display = plot_interaction_surface(clf, X, (LONG[0], LONG[1]), grid_resolution=6,
                                       target=9)
    assert_inside(display.figure_)
    assert display.axes_[0, 0].get_xlabel() == LONG[0]


def test_faithfulness_curves():
    from skimportance import evaluate_methods

    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = 2 * X[:, 0] + 0.1 * rng.normal(size=60)
    mlp = MLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=50,
                       random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = evaluate_methods(mlp, X, y, methods=["olden"], cv=2, fractions=[0.34],
                                  random_state=0)
    ax = plot_faithfulness(result)
    assert_inside(ax.figure)
    assert ax.get_legend() is not None and len(ax.get_legend().get_texts()) == 3


def test_highlighted_inputs_of_a_large_network_keep_their_strongest_edges():
    mlp, _, _ = fitted("binary", 30, (16, 8))
    ax = plot_network(mlp, highlight_inputs=LONG[:2])
    assert_inside(ax.figure)
    starts = np.array([segment[0] for segment in ax.collections[0].get_segments()])
    first = starts[:, 0] == 0
    # Of 100 drawn in full: the 8 into the output, all 2 x 16 out of the highlighted
    # inputs (not the few of them among the strongest of all), 60 of the 128 between.
    assert first.sum() == 32
    np.testing.assert_allclose(np.unique(starts[first, 1]), sorted([1 - 0.5 / 30,
                                                                    1 - 1.5 / 30]))
    assert len(starts) == 100

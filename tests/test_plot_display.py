"""The Display classes: scikit-learn's convention (from_estimator, from_result, plot,
figure_ and ax_), drawing the same numbers as the plot_* short cuts."""

import warnings

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from skimportance import Importances, feature_importances  # noqa: E402
from skimportance.interactions import Interactions  # noqa: E402
from skimportance.methods import LekProfile  # noqa: E402
from skimportance.plotting import (  # noqa: E402
    BeeswarmDisplay,
    ComparisonDisplay,
    DependenceDisplay,
    FaithfulnessDisplay,
    ImportancesDisplay,
    InteractionsDisplay,
    NetworkDisplay,
    ProfilesDisplay,
    RankStabilityDisplay,
    WaterfallDisplay,
    plot_importances,
)

from conftest import random_mlp  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    return X, 2 * X[:, 0] - X[:, 1] + 0.1 * rng.normal(size=40)


@pytest.fixture(scope="module")
def mlp():
    return random_mlp((3, 4, 1), out_activation="identity")


def widths(ax):
    return np.array([bar.get_width() for bar in ax.containers[0]])


def test_importances_display_from_estimator_and_from_result(mlp, data):
    X, y = data
    display = ImportancesDisplay.from_estimator(mlp, X, y, method="olden")
    assert display.figure_ is display.ax_.figure
    expected = feature_importances(mlp, X, y, method="olden")
    order = np.argsort(-expected.importances_mean, kind="stable")
    np.testing.assert_allclose(widths(display.ax_), expected.importances_mean[order],
                               atol=1e-12)
    # from_result draws the same numbers as the short cut.
    again = ImportancesDisplay.from_result(expected, max_features=2)
    np.testing.assert_allclose(widths(again.ax_),
                               widths(plot_importances(expected, max_features=2)))
    # plot(ax=...) draws on the Axes it is given, and returns the display.
    fig, (left, right) = plt.subplots(1, 2)
    assert display.plot(ax=right, per_output=True) is display
    assert display.ax_ is right and display.figure_ is fig
    assert right.images[0].get_array().shape == (1, 3)


def test_profiles_display(mlp, data):
    X, _ = data
    display = ProfilesDisplay.from_estimator(mlp, X, steps=5, group_vals=[0, 0.5, 1])
    assert len(display.axes_) == 3 and display.ax_ is display.axes_[0]
    assert all(len(ax.get_lines()) == 3 for ax in display.axes_)
    result = feature_importances(mlp, X, method=LekProfile(steps=5, group_vals=[0, 0.5, 1]))
    fig = plt.figure()
    again = ProfilesDisplay.from_result(result, fig=fig, features=["x1"])
    assert again.figure_ is fig and len(again.axes_) == 1
    np.testing.assert_allclose(again.ax_.get_lines()[2].get_ydata(),
                               display.axes_[[ax.get_title() for ax in display.axes_]
                                             .index("x1")].get_lines()[2].get_ydata())


def test_network_display(mlp):
    display = NetworkDisplay.from_estimator(mlp)
    assert len(display.lines_.get_segments()) == 3 * 4 + 4
    fig, ax = plt.subplots()
    assert display.plot(ax=ax, prune=0.99).ax_ is ax
    assert len(display.lines_.get_segments()) < 16


def test_rank_stability_display(data):
    X, y = data
    net = MLPRegressor(hidden_layer_sizes=(3,), max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        display = RankStabilityDisplay.from_estimator(net, X, y, method="olden",
                                                      n_refits=3, random_state=0)
    counts = display.ax_.images[0].get_array()
    assert counts.sum(axis=0).tolist() == [3, 3, 3] and counts.sum() == 9
    assert not hasattr(net, "coefs_")  # a clone was fitted
    result = Importances([[1.0, 2.0]], method="olden",
                         extras={"rank_counts": np.array([[0, 2], [2, 0]]),
                                 "rank_agreement": 1.0})
    ax = RankStabilityDisplay.from_result(result).ax_
    assert ax.images[0].get_array().tolist() == [[2, 0], [0, 2]]  # x1 first


def test_comparison_display(mlp, data):
    X, y = data
    display = ComparisonDisplay.from_estimator(mlp, X, y, methods=["garson", "olden"])
    assert [bars.get_label() for bars in display.bars_] == ["garson", "olden"]
    for bars, name in zip(display.bars_, ["garson", "olden"]):
        normalized = feature_importances(mlp, X, y, method=name).normalized()
        np.testing.assert_allclose(sorted(bar.get_width() for bar in bars),
                                   np.sort(normalized), atol=1e-12)
    with pytest.raises(TypeError, match=r"ComparisonDisplay|plot_comparison\(estimator"):
        ComparisonDisplay.from_estimator(X, y, mlp)


def test_faithfulness_display(data):
    X, y = data
    net = MLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=50,
                       random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        display = FaithfulnessDisplay.from_estimator(net, X, y, methods=["olden"], cv=2,
                                                     fractions=[0.34], random_state=0)
    labels = [line.get_label().split(" ")[0] for line in display.ax_.lines]
    # The most faithful first: the order of the first two depends on the numbers.
    assert sorted(labels[:2]) == ["olden", "random"] and labels[2] == "all"
    again = FaithfulnessDisplay.from_result(display.result, band=False)
    assert len(again.ax_.collections) == 0  # no bands


def test_interactions_display(mlp, data):
    X, _ = data
    display = InteractionsDisplay.from_estimator(mlp, X, method="hessian")
    assert display.ax_.images[0].get_array().shape == (3, 3)
    H = np.array([[[0.0, 2.0], [2.0, 0.0]]])
    again = InteractionsDisplay.from_result(Interactions(H, method="hessian"))
    assert np.ma.is_masked(again.ax_.images[0].get_array()[0, 0])  # the blank diagonal
    assert again.ax_.images[0].get_array()[0, 1] == 2.0


def test_local_displays(mlp, data):
    X, _ = data
    beeswarm = BeeswarmDisplay.from_estimator(mlp, X, max_display=2)
    assert len(beeswarm.ax_.collections) == 2
    result = feature_importances(mlp, X, method="gradient", return_local=True)
    np.testing.assert_allclose(beeswarm.ax_.collections[0].get_offsets()[:, 0],
                               result.local[:, 0, np.argmax(np.abs(result.local[:, 0])
                                                            .mean(axis=0))])
    dependence = DependenceDisplay.from_result(result, X, feature=2)
    np.testing.assert_allclose(dependence.ax_.collections[0].get_offsets(),
                               np.column_stack([X[:, 2], result.local[:, 0, 2]]))
    waterfall = WaterfallDisplay.from_result(result, X, row=3)
    assert sum(bar.get_width() for bar in waterfall.ax_.containers[0]) == \
        pytest.approx(result.local[3, 0].sum(), abs=1e-12)


def test_classifier_display_names_its_classes():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    y = np.where(X[:, 0] > 0, "yes", "no")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=5, random_state=0).fit(X, y)
    assert NetworkDisplay.from_estimator(clf).ax_.texts[-1].get_text() == "P(yes)"

"""plot_profiles: Lek profiles, one panel per input and one line per group."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402

from skimportance import Importances, feature_importances  # noqa: E402
from skimportance.methods import LekProfile  # noqa: E402
from skimportance.plotting import plot_profiles  # noqa: E402

from conftest import PNG, random_mlp  # noqa: E402


def profile_result(layers=(3, 4, 1), out_activation="identity", n_features=None, **params):
    rng = np.random.default_rng(1)
    mlp = random_mlp(layers, out_activation=out_activation)
    X = rng.normal(size=(40, layers[0]))
    return feature_importances(mlp, X, method=LekProfile(steps=7, **params))


def expected_lines(result, feature, output):
    """(x, y) of each group's line, straight from the profile table (a DataFrame, or a
    structured array without pandas: both index the same way)."""
    table = result.profile
    rows = table[(table["exp_name"] == feature) & (table["resp_name"] == output)]
    groups = np.asarray(rows["Groups"])
    x, y = np.asarray(rows["Explanatory"]), np.asarray(rows["Response"])
    return [(x[groups == g], y[groups == g]) for g in np.unique(groups)]


def test_one_panel_per_input_one_line_per_group(tmp_path):
    result = profile_result()
    fig = plot_profiles(result, order="given")
    fig.savefig(tmp_path / "profiles.png")
    assert (tmp_path / "profiles.png").read_bytes()[:8] == PNG
    assert len(fig.axes) == 3
    for ax, feature in zip(fig.axes, ["x0", "x1", "x2"]):
        assert ax.get_title() == feature
        lines = ax.get_lines()
        expected = expected_lines(result, feature, "y")
        assert len(lines) == len(expected) == 6
        for line, (x, y) in zip(lines, expected):
            np.testing.assert_allclose(line.get_xdata(), x)
            np.testing.assert_allclose(line.get_ydata(), y)
    legend = fig.axes[2].get_legend()
    assert len(legend.get_texts()) == 6
    # The title says what a group is: where the other inputs are held.
    assert legend.get_title().get_text() == "Other inputs held at\ntheir quantile"


def test_panels_follow_the_importances():
    result = profile_result()
    by_importance = [str(result.feature_names[j])
                     for j in np.argsort(-result.importances_mean, kind="stable")]
    assert by_importance != ["x0", "x1", "x2"]  # else this test would show nothing
    assert [ax.get_title() for ax in plot_profiles(result).axes] == by_importance


def test_legend_names_the_quantile_groups():
    pytest.importorskip("pandas")  # the group table's row labels come with pandas
    legend = plot_profiles(profile_result()).axes[2].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "0%", "20%", "40%", "60%", "80%", "100%"]


def test_output_of_a_multiclass_result():
    result = profile_result((3, 4, 3), out_activation="softmax")
    default = plot_profiles(result, order="given")
    # Every class: a block (here a row) of three panels per output, in order.
    assert len(default.axes) == 9
    for k in range(3):
        for ax, feature in zip(default.axes[3 * k:3 * k + 3], ["x0", "x1", "x2"]):
            assert ax.get_title() == feature
            np.testing.assert_allclose(ax.get_lines()[1].get_ydata(),
                                       expected_lines(result, feature, k)[1][1])
        assert default.axes[3 * k].get_ylabel() == f"Response: {k}"
    fig = plot_profiles(result, output=2, order="given")
    for ax, feature in zip(fig.axes, ["x0", "x1", "x2"]):
        for line, (_, y) in zip(ax.get_lines(), expected_lines(result, feature, 2)):
            np.testing.assert_allclose(line.get_ydata(), y)
    assert len(fig.axes) == 3
    assert "2 (1 of 3 outputs)" in fig.texts[0].get_text()  # the others exist
    assert len(plot_profiles(result, output=[2, 0]).axes) == 6  # ysel
    with pytest.raises(ValueError, match=r"output=5 is not an output .* 0, 1, 2"):
        plot_profiles(result, output=5)


def test_features_subset_in_the_given_order():
    result = profile_result()
    fig = plot_profiles(result, features=["x2", "x0"], order="given")
    assert [ax.get_title() for ax in fig.axes] == ["x2", "x0"]
    np.testing.assert_allclose(fig.axes[0].get_lines()[3].get_ydata(),
                               expected_lines(result, "x2", "y")[3][1])
    with pytest.raises(ValueError, match="'x9', which is not a feature .* x0, x1, x2"):
        plot_profiles(result, features=["x9"])


def test_spare_panels_are_removed_and_given_figure_is_used():
    result = profile_result((4, 3, 1))
    fig = plt.figure()
    assert plot_profiles(result, fig=fig, ncols=3) is fig
    assert len(fig.axes) == 4  # a 2 x 3 grid less its two spare panels
    assert len(plot_profiles(result, ncols=1).axes) == 4
    with pytest.raises(ValueError, match="ncols must be None or a positive integer"):
        plot_profiles(result, ncols=0)


def test_kmeans_groups_are_numbered():
    fig = plot_profiles(profile_result(group_vals=3, random_state=0))
    assert len(fig.axes[0].get_lines()) == 3
    assert [t.get_text() for t in fig.axes[-1].get_legend().get_texts()] == ["1", "2", "3"]


def test_other_methods_are_refused():
    with pytest.raises(ValueError, match="method='profile'.* 'olden'"):
        plot_profiles(Importances([[1.0, 2.0]], method="olden"))


def test_pooled_profile_result_has_no_table():
    pooled = Importances([[1.0, 2.0]], method="profile")  # as after cv or refits
    with pytest.raises(ValueError, match="no profile table.*feature_importances"):
        plot_profiles(pooled)


def test_group_show_draws_where_each_group_holds_each_input():
    result = profile_result()
    fig = plot_profiles(result, features=["x1", "x0"], order="given", group_show=True)
    (ax,) = fig.axes
    assert len(ax.containers) == 6  # one BarContainer per group
    assert [t.get_text() for t in ax.get_yticklabels()] == ["x1", "x0"]
    # Each bar: the group's value as a position in the swept range, from the tables.
    groups = np.asarray(result.groups, dtype=float)
    for g, bars in enumerate(ax.containers):
        for bar, feature, j in zip(bars, ["x1", "x0"], [1, 0]):
            x, _ = expected_lines(result, feature, "y")[0]
            expected = (groups[g, j] - x.min()) / (x.max() - x.min())
            assert bar.get_width() == pytest.approx(expected, abs=1e-12)
    # The quantile groups: the 0% group at 0 and the 100% group at 1 of every input.
    assert [bar.get_width() for bar in ax.containers[0]] == pytest.approx([0, 0], abs=1e-12)
    assert [bar.get_width() for bar in ax.containers[-1]] == pytest.approx([1, 1], abs=1e-12)
    assert ax.get_legend() is not None

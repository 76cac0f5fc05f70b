"""plot_rank_stability: places of each input over refits."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from sklearn.neural_network import MLPRegressor  # noqa: E402

from skimportance import ImportanceRegressor, Importances  # noqa: E402
from skimportance._result import combine_refits  # noqa: E402
from skimportance.plotting import plot_rank_stability  # noqa: E402

from conftest import PNG  # noqa: E402


def refits_result():
    means = [[1.0, 3.0, 2.0, 0.5], [1.0, 2.0, 3.0, 0.5], [3.0, 1.0, 2.0, 0.5],
             [0.5, 3.0, 2.0, 1.0]]
    return combine_refits([Importances([row], method="garson",
                                       feature_names=["a", "b", "c", "d"]) for row in means])


def annotations(ax):
    """{(row, column): text} of the numbers written in the cells."""
    return {(round(t.get_position()[1]), round(t.get_position()[0])): t.get_text()
            for t in ax.texts}


def test_counts_written_in_inputs_ordered_by_mean_place(tmp_path):
    result = refits_result()
    ax = plot_rank_stability(result)
    ax.figure.savefig(tmp_path / "stability.png")
    assert (tmp_path / "stability.png").read_bytes()[:8] == PNG
    counts = result.rank_counts
    # Mean places: a 2.75, b 1.5, c 2.0, d 3.75 -> b, c, a, d
    order = [1, 2, 0, 3]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "c", "a", "d"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "4"]
    np.testing.assert_array_equal(ax.images[0].get_array(), counts[order])
    written = annotations(ax)
    assert len(written) == 16
    for row, i in enumerate(order):
        for place in range(4):
            assert written[row, place] == str(counts[i, place])
    title = ax.get_title()
    assert "4 refits" in title and "garson" in title
    assert f"Kendall's W = {result.rank_agreement:.2f}" in title


def test_fitted_meta_estimator_with_refits(rng):
    X = rng.normal(size=(60, 3))
    y = 3 * X[:, 0] + X[:, 1]
    est = ImportanceRegressor(MLPRegressor(hidden_layer_sizes=(4,), solver="lbfgs",
                                           max_iter=100, random_state=0),
                              method="garson", n_refits=3).fit(X, y)
    ax = plot_rank_stability(est)
    assert ax.images[0].get_array().sum() == 3 * 3
    assert "3 refits" in ax.get_title()


def test_without_refits_says_how_to_get_them():
    with pytest.raises(ValueError, match="n_refits > 1"):
        plot_rank_stability(Importances([[1.0, 2.0]], method="olden"))

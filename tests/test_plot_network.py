"""plot_network: nodes, weighted edges, pruning and thinning, what it accepts."""

import numpy as np
import pytest

pytest.importorskip("matplotlib")

from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.linear_model import LinearRegression  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from skimportance import ImportanceRegressor  # noqa: E402
from skimportance.plotting import plot_network  # noqa: E402

from conftest import PNG, make_mlp, random_mlp  # noqa: E402

BLACK, GREY = to_rgba("black"), to_rgba("grey")

# 2 inputs -> 3 hidden -> 1 output; six nonzero weights of distinct sizes.
W0 = [[1.0, -2.0, 0.0], [0.5, 0.0, -3.0]]
W1 = [[4.0], [-0.25], [0.0]]


def edges(ax, label="connections"):
    collections = [c for c in ax.collections if isinstance(c, LineCollection)
                   and c.get_label() == label]
    assert len(collections) == 1
    return collections[0]


def faint(ax):
    return edges(ax, "faint connections")


def texts(ax):
    return [t.get_text() for t in ax.texts]


def test_edges_follow_the_weights(tmp_path):
    ax = plot_network(make_mlp([W0, W1]), feature_names=["a", "b"])
    ax.figure.savefig(tmp_path / "net.png")
    assert (tmp_path / "net.png").read_bytes()[:8] == PNG
    lines = edges(ax)
    assert len(lines.get_segments()) == 6  # the nonzero weights
    # Drawn thinnest first: the weights in order of their size.
    weights = np.array([-0.25, 0.5, 1.0, -2.0, -3.0, 4.0])
    widths = np.asarray(lines.get_linewidths())
    np.testing.assert_allclose(widths / widths[-1], np.abs(weights) / 4.0)
    expected = [BLACK if w > 0 else GREY for w in weights]
    assert [tuple(c) for c in lines.get_colors()] == expected
    # Each edge runs from one layer's column to the next.
    layers = [(seg[0][0], seg[1][0]) for seg in lines.get_segments()]
    assert layers == [(1, 2), (0, 1), (0, 1), (0, 1), (0, 1), (1, 2)]
    assert {"a", "b", "y"} <= set(texts(ax))
    assert len(ax.collections) == 1 + 3  # edges and the nodes of 3 layers


def test_node_positions_match_edge_ends():
    ax = plot_network(make_mlp([W0, W1]))
    nodes = np.vstack([c.get_offsets() for c in ax.collections
                       if not isinstance(c, LineCollection)])
    assert len(nodes) == 2 + 3 + 1
    ends = np.vstack([seg for seg in edges(ax).get_segments()])
    for end in ends:
        assert np.min(np.linalg.norm(nodes - end, axis=1)) < 1e-12


def test_prune_drops_small_weights_per_layer():
    # Layer 1 keeps |w| >= 1.5 (-2, -3), layer 2 keeps |w| >= 2 (4).
    ax = plot_network(make_mlp([W0, W1]), prune=0.5)
    assert len(edges(ax).get_segments()) == 3
    # The pruned ones are faint (NeuralNetTools' prune_col), or not drawn when hidden.
    assert len(faint(ax).get_segments()) == 3
    hidden = plot_network(make_mlp([W0, W1]), prune=0.5, pruned_style="hidden")
    assert [c.get_label() for c in hidden.collections
            if isinstance(c, LineCollection)] == ["connections"]
    assert len(edges(plot_network(make_mlp([W0, W1]), prune=0)).get_segments()) == 6


def test_large_network_is_thinned_to_max_edges(tmp_path):
    mlp = random_mlp((30, 300, 1))
    ax = plot_network(mlp, max_edges=2000, strongest=None)
    ax.figure.savefig(tmp_path / "large.png")
    segments = edges(ax).get_segments()
    assert len(segments) == 2000
    first = np.array([seg[0][0] == 0 for seg in segments])
    # The small output layer keeps all its 300 edges, the first layer its largest 1700.
    assert first.sum() == 1700
    widths = np.asarray(edges(ax).get_linewidths())
    largest = np.abs(mlp.coefs_[0]).max()
    kept = np.sort(widths[first] / widths[first].max() * largest)
    np.testing.assert_allclose(kept, np.sort(np.abs(mlp.coefs_[0]).ravel())[-1700:])
    assert len(edges(plot_network(mlp, max_edges=None, strongest=None)).get_segments()) \
        == 30 * 300 + 300


def test_show_bias_draws_the_intercepts():
    mlp = make_mlp([W0, W1], intercepts=[[0.1, 0.0, -0.2], [0.3]])
    ax = plot_network(mlp, show_bias=True)
    assert len(edges(ax).get_segments()) == 6 + 3
    assert {"B1", "B2"} <= set(texts(ax))
    assert "B1" not in texts(plot_network(mlp))


def test_feature_names_default_to_feature_names_in(rng):
    pd = pytest.importorskip("pandas")

    X = pd.DataFrame(rng.normal(size=(40, 3)), columns=["age", "dose", "weight"])
    y = X["dose"].to_numpy()
    pipe = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(3,), max_iter=20,
                                                        random_state=0)).fit(X, y)
    assert {"age", "dose", "weight"} <= set(texts(plot_network(pipe)))
    est = ImportanceRegressor(MLPRegressor(hidden_layer_sizes=(3,), max_iter=20,
                                           random_state=0)).fit(X, y)
    ax = plot_network(est, output_names=["response"])
    assert {"age", "dose", "weight", "response"} <= set(texts(ax))
    assert len(edges(ax).get_segments()) == np.count_nonzero(est.estimator_.coefs_[0]) + \
        np.count_nonzero(est.estimator_.coefs_[1])


def test_classifier_outputs_are_its_classes(rng):
    X = rng.normal(size=(60, 2))
    y = np.array(["cat", "dog", "emu"])[np.arange(60) % 3]
    clf = MLPClassifier(hidden_layer_sizes=(3,), max_iter=20, random_state=0).fit(X, y)
    assert {"cat", "dog", "emu"} <= set(texts(plot_network(clf)))
    binary = MLPClassifier(hidden_layer_sizes=(3,), max_iter=20, random_state=0).fit(
        X, np.where(np.arange(60) % 2, "yes", "no"))
    # One logistic unit: the probability of the second class, not a bare "1" or "yes".
    assert texts(plot_network(binary))[-1] == "P(yes)"
    assert not {"no", "yes"} & set(texts(plot_network(binary)))


def test_frozen_estimator():
    from sklearn.frozen import FrozenEstimator

    ax = plot_network(FrozenEstimator(make_mlp([W0, W1])))
    assert len(edges(ax).get_segments()) == 6


def test_what_is_refused(rng):
    X, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    with pytest.raises(TypeError, match="MLPRegressor or MLPClassifier, a Pipeline .* got "
                                        "LinearRegression"):
        plot_network(LinearRegression().fit(X, y))
    with pytest.raises(NotFittedError, match="MLPRegressor is not fitted yet"):
        plot_network(MLPRegressor())
    with pytest.raises(NotFittedError, match="ImportanceRegressor is not fitted yet"):
        plot_network(ImportanceRegressor())
    mlp = make_mlp([W0, W1])
    with pytest.raises(ValueError, match="feature_names has 3 names, but the network has 2"):
        plot_network(mlp, feature_names=["a", "b", "c"])
    with pytest.raises(ValueError, match="prune must be None or a number in"):
        plot_network(mlp, prune=1.5)
    with pytest.raises(ValueError, match="max_edges must be None or a positive integer"):
        plot_network(mlp, max_edges=0)

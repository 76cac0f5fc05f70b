"""Diagram of a fitted MLP, as NeuralNetTools' ``plotnet``."""

from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ..network import final_step, is_mlp
from ..methods._base import output_names as _class_output_names
from ._matplotlib import import_pyplot, new_axes

__all__ = ["plot_network"]

POSITIVE_COLOR = "black"  # NeuralNetTools' colours: black positive, grey negative
NEGATIVE_COLOR = "grey"
MAX_LINEWIDTH = 4.0  # of the largest weight; less when there are many connections
BIAS_HEIGHT = 1.08  # above the top node of every layer (heights are in [0, 1])

_ACCEPTED = ("a fitted MLPRegressor or MLPClassifier, a Pipeline ending in one, a "
             "FrozenEstimator of either, or a fitted ImportanceRegressor or "
             "ImportanceClassifier")


def _unwrap(estimator):
    """(the MLP, the objects to look for feature names on, outermost first)."""
    from .._dispatch import unwrap_meta

    outer = [estimator]
    try:
        inner = unwrap_meta(estimator)
    except NotFittedError:
        raise NotFittedError(f"This {type(estimator).__name__} is not fitted yet: call "
                             "fit before plot_network.") from None
    if inner is not estimator:
        estimator = inner
        outer.append(estimator)
    _, final = final_step(estimator)
    if not is_mlp(final):
        raise TypeError(f"plot_network draws the weights of {_ACCEPTED}; got "
                        f"{type(final).__name__}.")
    try:
        check_is_fitted(final, "coefs_")
    except NotFittedError as exc:
        raise NotFittedError(f"The {type(final).__name__} is not fitted yet: call fit "
                             "before plot_network.") from exc
    return final, outer + [final]


def _names(given, default, n, parameter):
    names = default if given is None else given
    names = [str(name) for name in names]
    if len(names) != n:
        raise ValueError(f"{parameter} has {len(names)} names, but the network has {n} "
                         f"{'inputs' if parameter == 'feature_names' else 'outputs'}.")
    return names


def _feature_names_in(objects, n):
    for obj in objects:
        names = getattr(obj, "feature_names_in_", None)  # a Pipeline may raise: no names
        if names is not None and len(names) == n:
            return names
    return [f"x{i}" for i in range(n)]


def _quotas(counts, max_edges):
    """How many edges each layer keeps: small layers all of theirs, the rest share evenly.

    The quotas sum to ``max_edges`` when the layers have more edges than that.
    """
    counts = np.asarray(counts, dtype=int)
    if max_edges is None or counts.sum() <= max_edges:
        return counts
    quotas = np.zeros_like(counts)
    budget = max_edges
    by_size = np.argsort(counts, kind="stable")
    for done, layer in enumerate(by_size):
        quotas[layer] = min(counts[layer], budget // (len(by_size) - done))
        budget -= quotas[layer]
    for layer in by_size[::-1]:  # what integer division left over, to the largest layers
        extra = min(budget, counts[layer] - quotas[layer])
        quotas[layer] += extra
        budget -= extra
    return quotas


def _layer_weights(mlp, show_bias):
    """Per layer: weights (n_in [+ 1 bias row], n_out) of the connections it draws."""
    layers = []
    for W, b in zip(mlp.coefs_, mlp.intercepts_):
        W = np.asarray(W, dtype=float)
        layers.append(np.vstack([W, np.asarray(b, dtype=float)[None, :]]) if show_bias else W)
    return layers


def _kept(weights, prune, quota):
    """Flat indices of the connections of one layer that are drawn."""
    size = np.abs(weights).ravel()
    keep = np.flatnonzero(size > 0)
    if prune is not None and size.size:
        keep = keep[size[keep] >= prune * size.max()]
    if len(keep) > quota:
        keep = keep[np.argsort(-size[keep], kind="stable")[:quota]]
    return keep


def _node_heights(n):
    # Each layer spread evenly over the same height, as plotnet does.
    return 1 - (np.arange(n) + 0.5) / n


def _check_options(prune, max_edges):
    if prune is not None and (not isinstance(prune, Real) or isinstance(prune, bool)
                              or not 0 <= prune <= 1):
        raise ValueError(f"prune must be None or a number in [0, 1]; got {prune!r}.")
    if max_edges is not None and (not isinstance(max_edges, Integral)
                                  or isinstance(max_edges, bool) or max_edges < 1):
        raise ValueError(f"max_edges must be None or a positive integer; got "
                         f"{max_edges!r}.")


def _io_names(mlp, objects, sizes, feature_names, output_names):
    """(input names, output names), checked against the network's sizes."""
    inputs = _names(feature_names, _feature_names_in(objects, sizes[0]), sizes[0],
                    "feature_names")
    default_outputs = _class_output_names(mlp, sizes[-1])
    if default_outputs is None:
        default_outputs = ["y"] if sizes[-1] == 1 else [f"y{k}" for k in range(sizes[-1])]
    outputs = _names(output_names, default_outputs, sizes[-1], "output_names")
    return inputs, outputs


def _layer_edges(layer, W, keep, sizes, heights):
    """Segments ((x0, y0), (x1, y1)) of the kept connections of one layer."""
    source, target = np.unravel_index(keep, W.shape)
    n_in = sizes[layer]
    is_bias = source == n_in  # the bias row, only present with show_bias
    x0 = np.where(is_bias, layer + 0.5, layer)
    y0 = np.where(is_bias, BIAS_HEIGHT, heights[layer][np.minimum(source, n_in - 1)])
    y1 = heights[layer + 1][target]
    return np.stack([np.column_stack([x0, y0]),
                     np.column_stack([np.full(len(keep), layer + 1.0), y1])], axis=1)


def _edges(layers, sizes, heights, prune, max_edges):
    """(segments, weights) of all the drawn connections, thinnest first."""
    candidates = [_kept(W, prune, W.size) for W in layers]
    quotas = _quotas([len(c) for c in candidates], max_edges)
    segments, weights = [], []
    for layer, (W, quota) in enumerate(zip(layers, quotas)):
        keep = _kept(W, prune, quota)
        segments.append(_layer_edges(layer, W, keep, sizes, heights))
        weights.append(W.ravel()[keep])
    segments = np.concatenate(segments) if segments else np.empty((0, 2, 2))
    weights = np.concatenate(weights) if weights else np.empty(0)
    # Thinnest first, so that the strong connections are drawn on top.
    order = np.argsort(np.abs(weights), kind="stable")
    return segments[order], weights[order]


def _draw_edges(ax, segments, weights):
    from matplotlib.collections import LineCollection

    largest = np.abs(weights).max() if weights.size else 1.0
    # Many connections: thinner lines, or the strongest would cover the diagram.
    widest = float(np.clip(40 / np.sqrt(max(len(weights), 1)), 1.0, MAX_LINEWIDTH))
    ax.add_collection(LineCollection(
        segments, linewidths=widest * np.abs(weights) / largest,
        colors=np.where(weights > 0, POSITIVE_COLOR, NEGATIVE_COLOR), zorder=1))


def _draw_nodes(ax, heights, n_layers, show_bias, marker_size):
    for layer, y in enumerate(heights):
        ax.scatter(np.full(len(y), layer), y, s=marker_size, facecolor="white",
                   edgecolor="black", linewidth=0.8, zorder=2)
    if show_bias:
        ax.scatter(np.arange(n_layers) + 0.5, np.full(n_layers, BIAS_HEIGHT),
                   s=marker_size, facecolor="white", edgecolor="black", linewidth=0.8,
                   zorder=2)
        for layer in range(n_layers):
            ax.text(layer + 0.5, BIAS_HEIGHT, f"B{layer + 1}", ha="center", va="center",
                    fontsize="x-small", zorder=3)


def _draw_names(ax, inputs, outputs, heights, sizes):
    fontsize = float(np.clip(300 / max(sizes[0], sizes[-1]), 5, 10))
    for name, y in zip(inputs, heights[0]):
        ax.text(-0.08, y, name, ha="right", va="center", fontsize=fontsize)
    last = len(sizes) - 1
    for name, y in zip(outputs, heights[-1]):
        ax.text(last + 0.08, y, name, ha="left", va="center", fontsize=fontsize)


def _finish_axes(ax, mlp, sizes, show_bias):
    captions = ["inputs"] + [f"hidden {i}\n({n})" for i, n in enumerate(sizes[1:-1], 1)]
    ax.set_xticks(np.arange(len(sizes)), captions + ["outputs"])
    ax.tick_params(axis="x", length=0)
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-0.02, 1.14 if show_bias else 1.02)
    ax.set_title(f"{type(mlp).__name__} {tuple(sizes[1:-1])}")


def plot_network(estimator, *, ax=None, feature_names=None, output_names=None, prune=None,
                 max_edges=2000, show_bias=False):
    """Diagram of a fitted MLP and its weights, as NeuralNetTools' ``plotnet``.

    The nodes of each layer (inputs, each hidden layer, outputs) are circles in a
    column; input names are written on the left and output names on the right. Each
    connection is a line whose width is proportional to the absolute value of its
    weight (the same scale for all layers), black when the weight is positive and grey
    when it is negative. The weights are the MLP's own ``coefs_``: the scalers of a
    Pipeline are not folded in. Connections with a weight of exactly 0 are not drawn.

    Parameters
    ----------
    estimator : fitted estimator
        An ``MLPRegressor`` or ``MLPClassifier``, a ``Pipeline`` ending in one, a
        ``FrozenEstimator`` of either, or a fitted ``ImportanceRegressor`` or
        ``ImportanceClassifier`` (its ``estimator_`` is drawn).
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.
    feature_names : list of str, default=None
        Names of the inputs; by default ``feature_names_in_`` when the estimator has
        it, else ``x0, x1, ...``.
    output_names : list of str, default=None
        Names of the outputs; by default a classifier's class labels, else ``y`` (one
        output) or ``y0, y1, ...``.
    prune : float in [0, 1], default=None
        Leave out the connections whose absolute weight is below this fraction of the
        largest absolute weight of their layer (bias included when shown).
    max_edges : int, default=2000
        Draw at most this many connections, so that large networks stay readable and
        fast: each layer keeps its largest absolute weights, layers with few
        connections keep all of theirs and the others share the rest evenly. None draws
        them all.
    show_bias : bool, default=False
        Also draw a bias node for each layer after the inputs, above the network, with
        its connections (the ``intercepts_``).

    Returns
    -------
    ax : matplotlib Axes
        The connections are one ``LineCollection`` in ``ax.collections``, thinnest
        first.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import plot_network
    >>> X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(4,), max_iter=20, random_state=0).fit(X, y)
    >>> ax = plot_network(mlp, feature_names=["a", "b", "c"])
    >>> len(ax.collections[0].get_segments())  # 3 x 4 + 4 x 1 connections
    16
    """
    plt = import_pyplot("plot_network")
    mlp, objects = _unwrap(estimator)
    _check_options(prune, max_edges)
    sizes = [mlp.coefs_[0].shape[0]] + [W.shape[1] for W in mlp.coefs_]
    inputs, outputs = _io_names(mlp, objects, sizes, feature_names, output_names)
    heights = [_node_heights(n) for n in sizes]
    layers = _layer_weights(mlp, show_bias)
    segments, weights = _edges(layers, sizes, heights, prune, max_edges)
    ax = new_axes(ax, plt, (8.0, max(4.0, min(12.0, 0.25 * max(sizes)))))
    _draw_edges(ax, segments, weights)
    marker_size = float(np.clip(6000 / max(sizes), 6, 300))
    _draw_nodes(ax, heights, len(layers), show_bias, marker_size)
    _draw_names(ax, inputs, outputs, heights, sizes)
    _finish_axes(ax, mlp, sizes, show_bias)
    return ax

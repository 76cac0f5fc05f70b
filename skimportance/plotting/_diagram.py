"""Diagram of a fitted MLP, as NeuralNetTools' ``plotnet``."""

from numbers import Integral, Real

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from ..network import final_step, is_mlp
from ..methods._base import output_names as _class_output_names
from ._matplotlib import axis_labels, import_pyplot, new_axes

__all__ = ["plot_network"]

POSITIVE_COLOR = "black"  # NeuralNetTools' colours: black positive, grey negative
NEGATIVE_COLOR = "grey"
MAX_LINEWIDTH = 4.0  # of the largest weight; less when there are many connections
BIAS_HEIGHT = 1.08  # above the top node of every layer (heights are in [0, 1])
HIGHLIGHT_COLOR = "tab:orange"
# Above this many connections, only the strongest so many are drawn in full.
AUTO_STRONGEST = 100
PRUNED_STYLES = ("faded", "dashed", "hidden")

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


def _by_size(weights, quota):
    """Flat indices of the nonzero connections of one layer, largest first, at most
    ``quota`` of them."""
    size = np.abs(weights).ravel()
    keep = np.flatnonzero(size > 0)
    return keep[np.argsort(-size[keep], kind="stable")][:quota]


def _kept(weights, prune, quota):
    """Flat indices of the connections of one layer that are drawn in full."""
    keep = _by_size(weights, weights.size)
    size = np.abs(weights).ravel()
    if prune is not None and size.size:
        keep = keep[size[keep] >= prune * size.max()]
    return keep[:quota]


def _node_heights(n):
    # Each layer spread evenly over the same height, as plotnet does.
    return 1 - (np.arange(n) + 0.5) / n


def _check_options(prune, max_edges, strongest, pruned_style):
    if prune is not None and (not isinstance(prune, Real) or isinstance(prune, bool)
                              or not 0 <= prune <= 1):
        raise ValueError(f"prune must be None or a number in [0, 1]; got {prune!r}.")
    if max_edges is not None and (not isinstance(max_edges, Integral)
                                  or isinstance(max_edges, bool) or max_edges < 1):
        raise ValueError(f"max_edges must be None or a positive integer; got "
                         f"{max_edges!r}.")
    if not (strongest is None or strongest == "auto" or (
            isinstance(strongest, Integral) and not isinstance(strongest, bool)
            and strongest >= 1)):
        raise ValueError(f"strongest must be 'auto', None or a positive integer; got "
                         f"{strongest!r}.")
    if not (isinstance(pruned_style, dict) or pruned_style in PRUNED_STYLES):
        raise ValueError(f"pruned_style must be one of {', '.join(map(repr, PRUNED_STYLES))} "
                         f"or a dict of line properties; got {pruned_style!r}.")


def _io_names(mlp, objects, sizes, feature_names, output_names):
    """(input names, output names), checked against the network's sizes."""
    inputs = _names(feature_names, _feature_names_in(objects, sizes[0]), sizes[0],
                    "feature_names")
    default_outputs = _class_output_names(mlp, sizes[-1])
    classes = getattr(mlp, "classes_", None)
    if default_outputs is not None and sizes[-1] == 1 and classes is not None \
            and len(classes) == 2:
        # One logistic unit: its value is the probability of the second class.
        default_outputs = [f"P({classes[1]})"]
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


def _edges(layers, sizes, heights, prune, max_edges, strongest, chosen):
    """(segments, weights) of the connections drawn in full and of the faint ones, each
    thinnest first.

    Each layer draws at most its share of ``max_edges``; of those, its share of
    ``strongest`` (the largest absolute weights, above ``prune``) in full and the rest
    faint. ``chosen`` (per layer, a mask of the connections that may be drawn in full,
    or None) sends the others to the faint ones.
    """
    candidates = [_by_size(W, W.size) for W in layers]
    quotas = _quotas([len(c) for c in candidates], max_edges)
    # The strongest of the connections that may be drawn in full: with highlights, the
    # strongest out of the highlighted inputs, not the few of them among the strongest.
    eligible = []
    for W, mask in zip(layers, chosen):
        keep = _kept(W, prune, W.size)
        eligible.append(keep if mask is None else keep[mask.ravel()[keep]])
    full_quotas = _quotas([len(keep) for keep in eligible], strongest)
    full, faint = ([], []), ([], [])
    for layer, (W, quota, full_quota) in enumerate(zip(layers, quotas, full_quotas)):
        drawn = _by_size(W, quota)
        strong = eligible[layer][:min(full_quota, quota)]
        weak = np.setdiff1d(drawn, strong, assume_unique=True)
        for (segments, weights), keep in ((full, strong), (faint, weak)):
            segments.append(_layer_edges(layer, W, keep, sizes, heights))
            weights.append(W.ravel()[keep])

    def stacked(pair):
        segments = np.concatenate(pair[0]) if pair[0] else np.empty((0, 2, 2))
        weights = np.concatenate(pair[1]) if pair[1] else np.empty(0)
        # Thinnest first, so that the strong connections are drawn on top.
        order = np.argsort(np.abs(weights), kind="stable")
        return segments[order], weights[order]

    return stacked(full), stacked(faint)


def _line_width(n_lines):
    # Many connections: thinner lines, or the strongest would cover the diagram.
    return float(np.clip(40 / np.sqrt(max(n_lines, 1)), 1.0, MAX_LINEWIDTH))


def _draw_edges(ax, segments, weights, largest, widest, colors):
    from matplotlib.collections import LineCollection

    lines = LineCollection(
        segments, linewidths=widest * np.abs(weights) / largest,
        colors=np.where(weights > 0, colors[0], colors[1]), zorder=1,
        label="connections")
    ax.add_collection(lines)
    return lines


def _draw_faint(ax, segments, weights, largest, colors, style):
    from matplotlib.collections import LineCollection

    if style == "hidden":
        return None
    properties = {"faded": {"alpha": 0.18, "linewidths": 0.6},
                  "dashed": {"alpha": 0.5, "linewidths": 0.6, "linestyles": "dashed"}}
    properties = dict(style) if isinstance(style, dict) else properties[style]
    properties.setdefault("colors", np.where(weights > 0, colors[0], colors[1]))
    lines = LineCollection(segments, zorder=0.5, label="faint connections", **properties)
    ax.add_collection(lines)
    return lines


def _draw_nodes(ax, heights, n_layers, show_bias, marker_size, highlighted, colour):
    for layer, y in enumerate(heights):
        faces = np.where(highlighted[layer], colour, "white") \
            if highlighted[layer] is not None else "white"
        ax.scatter(np.full(len(y), layer), y, s=marker_size, facecolor=faces,
                   edgecolor="black", linewidth=0.8, zorder=2)
    if show_bias:
        ax.scatter(np.arange(n_layers) + 0.5, np.full(n_layers, BIAS_HEIGHT),
                   s=marker_size, facecolor="white", edgecolor="black", linewidth=0.8,
                   zorder=2)
        for layer in range(n_layers):
            ax.text(layer + 0.5, BIAS_HEIGHT, f"B{layer + 1}", ha="center", va="center",
                    fontsize="x-small", zorder=3)


def _draw_names(ax, inputs, outputs, heights, sizes, highlighted):
    fontsize = float(np.clip(300 / max(sizes[0], sizes[-1]), 5, 10))
    last = len(sizes) - 1
    for names, y, x, ha, marks in ((axis_labels(inputs), heights[0], -0.08, "right",
                                    highlighted[0]),
                                   (axis_labels(outputs), heights[-1], last + 0.08, "left",
                                    highlighted[-1])):
        for k, (name, height) in enumerate(zip(names, y)):
            bold = marks is not None and marks[k]
            ax.text(x, height, name, ha=ha, va="center", fontsize=fontsize,
                    fontweight="bold" if bold else "normal")


def _legend(ax, largest, widest, colors, n_full, n_faint, faint):
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=colors[0], linewidth=2.5, label="positive weight"),
               Line2D([], [], color=colors[1], linewidth=2.5, label="negative weight")]
    for fraction in (1.0, 0.5, 0.1):
        handles.append(Line2D([], [], color=colors[0], linewidth=widest * fraction,
                              label=f"|w| = {fraction * largest:.2g}"))
    if faint is not None and n_faint:
        handles.append(Line2D([], [], color=faint.get_colors()[0] if
                              len(faint.get_colors()) else colors[0],
                              linewidth=faint.get_linewidths()[0],
                              linestyle=faint.get_linestyles()[0] if
                              faint.get_linestyles() else "solid",
                              alpha=faint.get_alpha(),
                              label=f"{n_faint} weaker (of {n_full + n_faint})"))
    # Below the diagram, where it covers neither the nodes nor the names.
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01),
              ncol=min(len(handles), 3), fontsize="small", frameon=False,
              title="Line colour: sign; width: |weight|", title_fontsize="small")


def _highlights(names, chosen, parameter):
    """A boolean mask of ``names`` in ``chosen``, or None when nothing is chosen."""
    if chosen is None:
        return None
    if isinstance(chosen, str) or np.ndim(chosen) == 0:
        chosen = [chosen]
    chosen = [str(name) for name in chosen]
    unknown = [name for name in chosen if name not in names]
    if unknown or not chosen:
        raise ValueError(f"{parameter} must name inputs or outputs of the diagram; "
                         f"{unknown!r} are not among {', '.join(names)}.")
    return np.isin(names, chosen)


def _finish_axes(ax, mlp, sizes, show_bias):
    captions = ["inputs"] + [f"hidden {i}\n({n})" for i, n in enumerate(sizes[1:-1], 1)]
    ax.set_xticks(np.arange(len(sizes)), captions + ["outputs"])
    # The layers' captions above the diagram, the legend below it: apart.
    ax.xaxis.set_ticks_position("top")
    ax.tick_params(axis="x", length=0)
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-0.02, 1.14 if show_bias else 1.02)
    ax.set_title(f"{type(mlp).__name__} {tuple(sizes[1:-1])}")


def plot_network(estimator, *, ax=None, feature_names=None, output_names=None, prune=None,
                 max_edges=2000, show_bias=False, strongest="auto", pruned_style="faded",
                 highlight_inputs=None, highlight_outputs=None,
                 positive_color=POSITIVE_COLOR, negative_color=NEGATIVE_COLOR,
                 highlight_color=HIGHLIGHT_COLOR):
    """Diagram of a fitted MLP and its weights, as NeuralNetTools' ``plotnet``.

    The nodes of each layer (inputs, each hidden layer, outputs) are circles in a
    column; input names are written on the left and output names on the right (names
    longer than 24 characters are shortened, distinctly). Each connection is a line
    whose width is proportional to the absolute value of its weight (the same scale for
    all layers), black when the weight is positive and grey when it is negative; the
    legend below the diagram says so and gives three widths. The weights are the MLP's
    own ``coefs_``: the scalers of a Pipeline are not folded in. Connections with a
    weight of exactly 0 are not drawn.

    A large network (more than 100 connections) draws its 100 strongest connections in
    full and the others faint, so that the strong paths stand out of the hairball
    (``strongest``); connections below ``prune`` and those that the highlights leave
    out are faint too (or dashed, or hidden: ``pruned_style``, NeuralNetTools'
    ``prune_col`` and ``prune_lty``).

    Parameters
    ----------
    estimator : fitted estimator
        An ``MLPRegressor`` or ``MLPClassifier``, a ``Pipeline`` ending in one, a
        ``FrozenEstimator`` of either, or a fitted ``ImportanceRegressor`` or
        ``ImportanceClassifier`` (its ``estimator_`` is drawn).
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure (with a constrained layout) when None.
    feature_names : list of str, default=None
        Names of the inputs; by default ``feature_names_in_`` when the estimator has
        it, else ``x0, x1, ...``.
    output_names : list of str, default=None
        Names of the outputs; by default a classifier's class labels (the single output
        of a binary classifier is ``"P(<second class>)"``, the probability it gives),
        else ``y`` (one output) or ``y0, y1, ...``.
    prune : float in [0, 1], default=None
        Draw faint (see ``pruned_style``) the connections whose absolute weight is
        below this fraction of the largest absolute weight of their layer (bias
        included when shown).
    max_edges : int, default=2000
        Draw at most this many connections, so that large networks stay readable and
        fast: each layer keeps its largest absolute weights, layers with few
        connections keep all of theirs and the others share the rest evenly. None draws
        them all.
    show_bias : bool, default=False
        Also draw a bias node for each layer after the inputs, above the network, with
        its connections (the ``intercepts_``).
    strongest : int, "auto" or None, default="auto"
        Draw this many connections in full, the largest absolute weights (shared among
        the layers as ``max_edges`` is), and the others faint. ``"auto"``: all of them
        up to 100 connections, else 100. None: all in full.
    pruned_style : {"faded", "dashed", "hidden"} or dict, default="faded"
        How the faint connections are drawn: thin and light, thin and dashed, not at
        all, or with these ``LineCollection`` properties (e.g. ``{"colors": "red",
        "linewidths": 0.5}``).
    highlight_inputs, highlight_outputs : list of str, default=None
        Names of inputs (outputs) to highlight, as NeuralNetTools' ``all_in`` and
        ``all_out``: their nodes are filled with ``highlight_color`` and their names
        bold; the connections out of the other inputs (into the other outputs) are
        faint.
    positive_color, negative_color : color, default="black", "grey"
        Colours of the positive and negative weights (``pos_col``, ``neg_col``).
    highlight_color : color, default="tab:orange"
        Fill of the highlighted nodes.

    Returns
    -------
    ax : matplotlib Axes
        The connections drawn in full are ``ax.collections[0]`` (a ``LineCollection``
        labelled ``"connections"``, thinnest first); the faint ones, when there are
        any, a second ``LineCollection`` labelled ``"faint connections"``.

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
    >>> ax = plot_network(mlp, feature_names=["a", "b", "c"], highlight_inputs=["a"])
    >>> len(ax.collections[0].get_segments())  # 1 x 4 from "a" + 4 x 1
    8
    >>> ax.get_legend().get_texts()[0].get_text()
    'positive weight'
    """
    plt = import_pyplot("plot_network")
    mlp, objects = _unwrap(estimator)
    _check_options(prune, max_edges, strongest, pruned_style)
    sizes = [mlp.coefs_[0].shape[0]] + [W.shape[1] for W in mlp.coefs_]
    inputs, outputs = _io_names(mlp, objects, sizes, feature_names, output_names)
    heights = [_node_heights(n) for n in sizes]
    layers = _layer_weights(mlp, show_bias)
    n_connections = sum(int(np.count_nonzero(W)) for W in layers)
    if strongest == "auto":
        strongest = None if n_connections <= AUTO_STRONGEST else AUTO_STRONGEST
    highlighted = [None] * len(sizes)
    highlighted[0] = _highlights(inputs, highlight_inputs, "highlight_inputs")
    highlighted[-1] = _highlights(outputs, highlight_outputs, "highlight_outputs")
    chosen = [None] * len(layers)
    if highlighted[0] is not None:
        rows = np.zeros(layers[0].shape[0], dtype=bool)
        rows[:sizes[0]] = highlighted[0]  # the bias row, when shown, is not an input
        chosen[0] = np.repeat(rows[:, None], layers[0].shape[1], axis=1)
    if highlighted[-1] is not None:
        into = np.broadcast_to(highlighted[-1][None, :], layers[-1].shape)
        chosen[-1] = into if chosen[-1] is None else chosen[-1] & into
    (segments, weights), (faint_segments, faint_weights) = _edges(
        layers, sizes, heights, prune, max_edges, strongest, chosen)
    ax = new_axes(ax, plt, (8.0, max(4.5, min(12.0, 0.25 * max(sizes) + 1.2))))
    colors = (positive_color, negative_color)
    every = np.r_[weights, faint_weights]
    largest = float(np.abs(every).max()) if every.size else 1.0
    widest = _line_width(len(weights))
    _draw_edges(ax, segments, weights, largest, widest, colors)
    faint = _draw_faint(ax, faint_segments, faint_weights, largest, colors, pruned_style) \
        if len(faint_weights) else None
    marker_size = float(np.clip(6000 / max(sizes), 6, 300))
    _draw_nodes(ax, heights, len(layers), show_bias, marker_size, highlighted,
                highlight_color)
    _draw_names(ax, inputs, outputs, heights, sizes, highlighted)
    _finish_axes(ax, mlp, sizes, show_bias)
    _legend(ax, largest, widest, colors, len(weights), len(faint_weights), faint)
    return ax

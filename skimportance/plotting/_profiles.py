"""Lek profiles: the response along each input's sweep, one line per group."""

from numbers import Integral

import numpy as np

from ._importances import as_importances
from ._matplotlib import axis_labels, import_pyplot

__all__ = ["plot_profiles"]


def _column(table, name):
    # A DataFrame and the structured array made without pandas index the same way.
    return np.asarray(table[name])


def _group_labels(groups, n_groups):
    """Legend labels: the group table's row labels ("20%", ...) when it has them."""
    index = getattr(groups, "index", None)
    if index is not None and len(index) == n_groups:
        return [str(label) for label in index]
    return [str(g) for g in range(1, n_groups + 1)]


def _pick_outputs(result, output):
    """The outputs to draw, one block of panels each: all of them when ``output`` is
    None, else the one (or the list) it names."""
    names = list(result.output_names)
    if output is None:
        return names
    wanted = list(output) if isinstance(output, (list, tuple)) else [output]
    if not wanted:
        raise ValueError("output is empty; give an output, a list of outputs, or None for "
                         "all.")
    chosen = []
    for item in wanted:
        match = [name for name in names if name == item or str(name) == str(item)]
        if not match:
            raise ValueError(f"output={item!r} is not an output of this result; valid "
                             f"outputs: {', '.join(map(repr, names))}.")
        chosen.append(match[0])
    return chosen


def _pick_features(result, features):
    names = list(result.feature_names)
    if features is None:
        return names
    if isinstance(features, str) or np.ndim(features) == 0:
        features = [features]
    chosen = []
    for feature in features:
        match = [name for name in names if name == feature or str(name) == str(feature)]
        if not match:
            raise ValueError(f"features contains {feature!r}, which is not a feature of "
                             f"this result; valid features: {', '.join(map(str, names))}.")
        chosen.append(match[0])
    if not chosen:
        raise ValueError("features is empty; give at least one feature name, or None for "
                         "all.")
    return chosen


def _check_result(result):
    if result.method == "profile" and result.profile is None:
        raise ValueError(
            "This result of method='profile' has no profile table: results pooled over "
            "folds or refits (cv, n_refits > 1) keep only the importances. Compute the "
            "profiles of one network with feature_importances(estimator, X, "
            "method='profile')."
        )
    if result.method != "profile":
        raise ValueError(
            "plot_profiles draws Lek profiles, which only method='profile' computes; got "
            f"a result of method {result.method!r}. Use feature_importances(estimator, X, "
            "method='profile')."
        )


def _legend_title(labels):
    """What the groups are, for the legend: the lines differ in where the other inputs
    are held while one is swept."""
    if labels and all(label.endswith("%") for label in labels):
        return "Other inputs held at\ntheir quantile"
    return "Other inputs held at\ngroup (group_show=True\ndraws their values)"


def _panels(plt, fig, n_features, n_outputs, ncols):
    """(the figure, its grid of panels) with the spare panels removed: one block of rows
    per output, the panels of a block sharing their y axis."""
    ncols = min(int(ncols), n_features)
    rows_per_output = -(-n_features // ncols)
    nrows = rows_per_output * n_outputs
    if fig is None:
        fig = plt.figure(figsize=(3.2 * ncols + 2.4, 2.6 * nrows + 0.8),
                         layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    blocks = []
    for k in range(n_outputs):
        block = axes[k * rows_per_output:(k + 1) * rows_per_output].ravel()
        for ax in block[n_features:]:
            ax.remove()  # the block's spare panels
        block = block[:n_features]
        for ax in block[1:]:
            ax.sharey(block[0])
        blocks.append(block)
    return fig, blocks


def _draw_lines(panels, table, output, features, titles, styles):
    """One panel per feature, one line per (group id, label, colour) in styles."""
    swept = _column(table, "Explanatory")
    response = _column(table, "Response")
    group = _column(table, "Groups")
    feature_of_row = _column(table, "exp_name")
    rows = _column(table, "resp_name") == output
    for ax, feature, title in zip(panels, features, titles):
        mine = rows & (feature_of_row == feature)
        for group_id, label, color in styles:
            line = mine & (group == group_id)
            ax.plot(swept[line], response[line], color=color, label=label)
        ax.set_title(title)


def _group_bars(plt, result, features, labels, colors, fig):
    """NeuralNetTools' group_show: each input's value in each group, as a position in
    the range it is swept over (0 its minimum in X, 1 its maximum)."""
    table = result.profile
    swept = _column(table, "Explanatory")
    feature_of_row = _column(table, "exp_name")
    groups = result.groups
    values = np.asarray(groups, dtype=float)
    # The group table's columns are the network's inputs (the columns of X, unless a
    # transformer made others); its rows the groups.
    columns = getattr(groups, "columns", None)
    names = [str(c) for c in (result.feature_names if columns is None else columns)]
    n = len(features)
    if fig is None:
        fig = plt.figure(figsize=(7.0, max(3.0, 1.4 + 0.05 * n * len(labels) + 0.15 * n)),
                         layout="constrained")
    ax = fig.add_subplot()
    height = 0.8 / len(labels)
    for g, (label, color) in enumerate(zip(labels, colors)):
        position = []
        for feature in features:
            j = names.index(str(feature))
            x = swept[feature_of_row == feature]
            low, high = (x.min(), x.max()) if x.size else (0.0, 1.0)
            position.append((values[g, j] - low) / (high - low) if high > low else 0.5)
        # The outline keeps a group at 0 (the 0% quantile: the minimum) visible.
        ax.barh(np.arange(n) + (g - (len(labels) - 1) / 2) * height, position,
                height=height, color=color, edgecolor=color, linewidth=0.8, label=label)
    ax.set_yticks(np.arange(n), axis_labels(features))
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 1)
    ax.set_xlabel("Value the input is held at (0 = its minimum in X, 1 = its maximum)")
    ax.legend(title="Group", fontsize="small", loc="upper left", bbox_to_anchor=(1.02, 1))
    ax.set_title("Values of the groups (the other inputs are held at these)")
    return fig


def plot_profiles(result, *, features=None, output=None, fig=None, ncols=None,
                  order="importance", group_show=False):
    """Lek profiles, as NeuralNetTools' ``lekprofile``: one panel per input and output.

    In the panel of an input, the x axis is the value it is swept over (from its
    minimum to its maximum in X) and the y axis the network's response; there is one
    line per group: the values all the other inputs are held at while this one is
    swept (by default their 0%, 20%, ..., 100% quantiles in X, so the line "20%" has
    every other input at its 20th percentile). Each output (each class of a classifier,
    each target) has its own block of panels, one row per ``ncols`` inputs, the panels
    of a block sharing their y axis; the inputs are ordered by importance.

    Parameters
    ----------
    result : Importances or fitted ImportanceRegressor or ImportanceClassifier
        A result of ``method="profile"`` (:class:`~skimportance.methods.LekProfile`).
    features : list of str, default=None
        The inputs to draw (NeuralNetTools' ``xsel``); all when None.
    output : output label or list of them, default=None
        The outputs to draw (NeuralNetTools' ``ysel``), from ``result.output_names``;
        all when None, one block of panels each.
    fig : matplotlib Figure, default=None
        Figure to draw in (its panels are added to it); a new figure when None.
    ncols : int, default=None
        Number of panels per row; None: 3, or with several outputs up to 6, so that
        each output's panels make one row when there are at most 6 inputs.
    order : {"importance", "given"}, default="importance"
        ``"importance"``: the most important input (the largest mean range of its
        profiles) first; ``"given"``: the order of ``features`` (of the columns when
        None).
    group_show : bool, default=False
        Draw, instead of the profiles, a bar chart of the group values (NeuralNetTools'
        ``group_show``): for each input, where each group holds it, as a position in
        the range it is swept over; the colours are those of the profiles' lines.

    Returns
    -------
    fig : matplotlib Figure
        ``fig.axes`` has one panel per (output, input), the outputs' blocks in order,
        each with one line per group; with ``group_show=True``, one Axes with one
        ``BarContainer`` per group.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.plotting import plot_profiles
    >>> X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, method="profile")
    >>> fig = plot_profiles(result)
    >>> len(fig.axes), len(fig.axes[0].lines)  # 3 inputs, 6 groups
    (3, 6)
    >>> print(fig.axes[2].get_legend().get_title().get_text())
    Other inputs held at
    their quantile
    >>> len(plot_profiles(result, group_show=True).axes[0].containers)  # 6 groups
    6
    """
    plt = import_pyplot("plot_profiles")
    result = as_importances(result, "plot_profiles")
    _check_result(result)
    if ncols is not None and (not isinstance(ncols, Integral) or isinstance(ncols, bool)
                              or ncols < 1):
        raise ValueError(f"ncols must be None or a positive integer; got {ncols!r}.")
    if order not in ("importance", "given"):
        raise ValueError(f"order must be 'importance' or 'given'; got {order!r}.")
    outputs = _pick_outputs(result, output)
    features = _pick_features(result, features)
    if order == "importance":
        names = list(result.feature_names)
        importance = np.asarray(result.importances_mean, dtype=float)
        rank = {name: -importance[names.index(name)] for name in features}
        features = sorted(features, key=rank.__getitem__)  # stable: ties keep their order

    table = result.profile
    group_ids = np.unique(_column(table, "Groups"))
    labels = _group_labels(result.groups, len(group_ids))
    # Ten groups or fewer: distinct hues; more: an ordered colormap (quantile groups).
    colors = [f"C{g}" for g in range(len(group_ids))] if len(group_ids) <= 10 else \
        plt.get_cmap("viridis")(np.linspace(0, 1, len(group_ids)))
    if group_show:
        return _group_bars(plt, result, features, labels, colors, fig)

    if ncols is None:
        ncols = 3 if len(outputs) == 1 else max(3, min(6, len(features)))
    fig, blocks = _panels(plt, fig, len(features), len(outputs), ncols)
    titles = axis_labels(features)
    several = len(result.output_names) > 1
    for block, name in zip(blocks, outputs):
        _draw_lines(block, table, name, features, titles,
                    list(zip(group_ids, labels, colors)))
        for ax in block[::min(int(ncols), len(features))]:
            ax.set_ylabel(f"Response: {name}" if several else "Response")
    # Right of the first row, outside the panels, so that it hides no line.
    top_right = blocks[0][min(int(ncols), len(features)) - 1]
    top_right.legend(title=_legend_title(labels), fontsize="small", loc="upper left",
                     bbox_to_anchor=(1.02, 1.0), title_fontsize="small")
    if len(outputs) == 1:
        hint = f" (1 of {len(result.output_names)} outputs)" if several else ""
        fig.suptitle(f"Lek profiles of output {outputs[0]}{hint}")
    else:
        fig.suptitle("Lek profiles: one block of panels per output, the most important "
                     "inputs first")
    return fig

"""Plots of per-row values: beeswarm, dependence and waterfall."""

from numbers import Integral, Real

import numpy as np

from ._importances import as_importances
from ._matplotlib import NAME_WIDTH, axis_labels, import_pyplot, new_axes

__all__ = ["plot_beeswarm", "plot_dependence", "plot_waterfall"]

CMAP = "coolwarm"  # blue for low input values, red for high, as in shap's summary plot


def _local_values(result, func_name):
    """The result and its per-row values, or an error saying how to get them."""
    result = as_importances(result, func_name)
    if result.local is None:
        raise ValueError(
            f"{func_name} needs per-row values, and this result of method "
            f"{result.method!r} has none (result.local is None): compute it with "
            "feature_importances(estimator, X, method=..., return_local=True) and one of "
            "the methods that give them ('gradient', 'input_x_gradient', 'deeplift', "
            "'smoothgrad', 'expected_gradients', 'integrated_gradients', 'shapley')."
        )
    return result, np.asarray(result.local, dtype=float)


def _output_index(result, output):
    """Position of ``output`` in ``result.output_names``: an int is a position."""
    names = list(result.output_names)
    if isinstance(output, Integral) and not isinstance(output, bool):
        if not -len(names) <= output < len(names):
            raise ValueError(f"output={output!r} is out of range: this result has "
                             f"{len(names)} output(s), {', '.join(map(repr, names))}.")
        return int(output) % len(names)
    for k, name in enumerate(names):
        if name == output or str(name) == str(output):
            return k
    raise ValueError(f"output={output!r} is not an output of this result; give a position "
                     f"or one of {', '.join(map(repr, names))}.")


def _feature_index(result, feature, param):
    """Position of ``feature`` (a position or a name) among the result's features."""
    names = [str(name) for name in result.feature_names]
    if isinstance(feature, Integral) and not isinstance(feature, bool):
        if not -len(names) <= feature < len(names):
            raise ValueError(f"{param}={feature!r} is out of range: there are "
                             f"{len(names)} features.")
        return int(feature) % len(names)
    if str(feature) in names:
        return names.index(str(feature))
    raise ValueError(f"{param}={feature!r} is not a feature of this result; give a "
                     f"position or one of {', '.join(names)}.")


def _check_X(X, local, func_name, required=True):
    """X as a 2-D array of the rows and columns ``local`` was computed on."""
    if X is None:
        if required:
            raise ValueError(f"{func_name} needs X, the rows the per-row values were "
                             "computed on.")
        return None
    values = np.asarray(X)
    if values.ndim != 2 or values.shape[0] != local.shape[0] or \
            values.shape[1] != local.shape[2]:
        raise ValueError(
            f"X has shape {values.shape}, but result.local has {local.shape[0]} rows and "
            f"{local.shape[2]} features: pass the X the values were computed on (with "
            "feature_groups, the values are per group and cannot be matched to X's "
            "columns)."
        )
    return values


def _numeric(column):
    """The column as floats, or None for text (categories cannot be coloured by value)."""
    try:
        return np.asarray(column, dtype=float)
    except (TypeError, ValueError):
        return None


def _colour_scale(column):
    """Values in [0, 1]: the 5th to 95th percentiles span the colours (as shap), so a few
    outlying values do not wash out the rest; NaN stays NaN (drawn grey)."""
    finite = column[np.isfinite(column)]
    if finite.size == 0:
        return np.full(column.shape, np.nan)
    low, high = np.percentile(finite, [5, 95])
    if not high > low:
        low, high = finite.min(), finite.max()
    if not high > low:
        return np.full(column.shape, 0.5)
    return np.clip((column - low) / (high - low), 0.0, 1.0)


def short_names(names, width=NAME_WIDTH):
    """Names of at most ``width`` characters, distinct (see ``shorten_names``)."""
    return axis_labels(names, width)


def _swarm(values, width=0.8):
    """Vertical offsets that spread the points of one row like a swarm: points whose
    values fall in the same small bin are stacked alternately above and below."""
    n = len(values)
    offsets = np.zeros(n)
    if n == 0:
        return offsets
    span = float(np.ptp(values)) if n > 1 else 0.0
    bins = np.zeros(n, dtype=int) if not span > 0 else \
        np.floor((values - values.min()) / span * 100).astype(int)
    # Sorting by value within each bin makes the layout the same for the same numbers.
    order = np.lexsort((values, bins))
    stacked = np.zeros(n)
    start = 0
    for stop in np.r_[np.flatnonzero(np.diff(bins[order])) + 1, n]:
        members = order[start:stop]
        rank = np.arange(len(members))
        stacked[members] = np.ceil(rank / 2) * np.where(rank % 2, 1, -1)
        start = stop
    largest = np.abs(stacked).max()
    if largest > 0:
        # About a dot's size apart, closer only when a stack would leave the row.
        offsets = stacked * min(width / 2 / largest, 0.1)
    return offsets


def _check_max_display(max_display):
    if not isinstance(max_display, Integral) or isinstance(max_display, bool) \
            or max_display < 1:
        raise ValueError(f"max_display must be a positive integer; got {max_display!r}.")
    return int(max_display)


def _new_axes(ax, plt, figsize):
    return new_axes(ax, plt, figsize)


def _output_label(result, k):
    return "" if len(result.output_names) == 1 else f", output {result.output_names[k]}"


def plot_beeswarm(result, X, *, output=0, max_display=10, ax=None):
    """Per-row values of each input, one dot per row, coloured by the input's value.

    As shap's summary plot and NeuralSens' ``SensFeaturePlot``: one row of dots per
    input, the most important (largest mean absolute value) at the top; a dot's
    position is one row's value and its colour the input's value in that row, from
    blue (low) to red (high, the 5th and 95th percentiles of the column span the
    colours). A column of text, or a missing value, is drawn grey. Where red and blue
    sit on either side of 0, the output rises (or falls) with the input.

    Parameters
    ----------
    result : Importances
        A result with per-row values: ``feature_importances(estimator, X,
        method=..., return_local=True)`` with a method that gives them.
    X : array-like of shape (n_samples, n_features)
        The rows the values were computed on, for the colours.
    output : int or str, default=0
        The output to draw: a position in ``result.output_names`` (an int), or one of
        its names.
    max_display : int, default=10
        Draw this many of the most important inputs.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        ``ax.collections`` holds one collection per input drawn, from the top row down,
        each with one dot per row of ``X`` (``get_offsets()[:, 0]`` are the values)
        and, for numeric inputs, its colour values in ``get_array()``; the colour bar
        is the figure's second Axes.

    Examples
    --------
    >>> import numpy as np
    >>> from skimportance import Importances
    >>> from skimportance.plotting import plot_beeswarm
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0]])
    >>> local = np.array([[[-1.0, 0.1]], [[0.0, -0.1]], [[1.0, 0.1]]])
    >>> result = Importances(np.abs(local).mean(axis=0), method="shapley",
    ...                      feature_names=["a", "b"], extras={"local": local})
    >>> ax = plot_beeswarm(result, X)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['a', 'b']
    >>> ax.collections[0].get_offsets()[:, 0].tolist()
    [-1.0, 0.0, 1.0]
    """
    plt = import_pyplot("plot_beeswarm")
    result, local = _local_values(result, "plot_beeswarm")
    values_X = _check_X(X, local, "plot_beeswarm")
    k = _output_index(result, output)
    max_display = _check_max_display(max_display)
    values = local[:, k, :]
    order = np.argsort(-np.abs(values).mean(axis=0), kind="stable")[:max_display]
    n_shown = len(order)
    ax = _new_axes(ax, plt, (7.0, max(2.5, 1.3 + 0.45 * n_shown)))
    cmap = plt.get_cmap(CMAP).with_extremes(bad="0.6")  # a copy: grey for NaN
    for position, j in enumerate(order):
        column = _numeric(values_X[:, j])
        y = position + _swarm(values[:, j])
        if column is None:
            ax.scatter(values[:, j], y, s=12, color="0.6", linewidths=0)
        else:
            ax.scatter(values[:, j], y, s=12, c=_colour_scale(column), cmap=cmap,
                       vmin=0.0, vmax=1.0, plotnonfinite=True, linewidths=0)
    ax.axvline(0, color="0.3", linewidth=0.8, zorder=0)
    ax.set_yticks(np.arange(n_shown), short_names(result.feature_names[order]))
    ax.set_ylim(n_shown - 0.5, -0.5)  # inverted: the most important at the top
    ax.set_xlabel(f"Per-row value ({result.method}{_output_label(result, k)})")
    more = len(result.feature_names) - n_shown
    ax.set_title("Per-row values" + (f" (top {n_shown}, {more} more not shown)"
                                     if more else ""))
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    bar = ax.figure.colorbar(ScalarMappable(Normalize(0.0, 1.0), cmap), ax=ax,
                             ticks=[0.0, 1.0], aspect=30)
    bar.set_ticklabels(["Low", "High"])
    bar.set_label("Input value")
    return ax


def plot_dependence(result, X, feature, *, color_by=None, output=0, ax=None):
    """One input's per-row value against the input's value, one dot per row.

    The slope shows how the input acts, the spread at a given value how much its effect
    depends on the other inputs; colouring by a second input shows whether that one is
    the cause (an interaction).

    Parameters
    ----------
    result : Importances
        A result with per-row values (``return_local=True``).
    X : array-like of shape (n_samples, n_features)
        The rows the values were computed on.
    feature : int or str
        The input to draw: a position or a name of ``result.feature_names``.
    color_by : int or str, default=None
        Colour the dots by this input's value (a colour bar names it); one colour when
        None.
    output : int or str, default=0
        The output to draw: a position in ``result.output_names``, or one of its names.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        The dots are ``ax.collections[0]``: x is ``X[:, feature]``, y the values; with
        ``color_by``, ``get_array()`` holds that input's values.

    Examples
    --------
    >>> import numpy as np
    >>> from skimportance import Importances
    >>> from skimportance.plotting import plot_dependence
    >>> X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0]])
    >>> local = np.array([[[-1.0, 0.1]], [[0.0, -0.1]], [[1.0, 0.1]]])
    >>> result = Importances(np.abs(local).mean(axis=0), method="shapley",
    ...                      feature_names=["a", "b"], extras={"local": local})
    >>> ax = plot_dependence(result, X, "a", color_by="b")
    >>> ax.collections[0].get_offsets().tolist()
    [[0.0, -1.0], [1.0, 0.0], [2.0, 1.0]]
    >>> ax.get_xlabel()
    'a'
    """
    plt = import_pyplot("plot_dependence")
    result, local = _local_values(result, "plot_dependence")
    values_X = _check_X(X, local, "plot_dependence")
    k = _output_index(result, output)
    j = _feature_index(result, feature, "feature")
    x = _numeric(values_X[:, j])
    if x is None:
        raise ValueError(f"feature={feature!r} is not numeric in X, so it has no axis to "
                         "draw its values along.")
    names = short_names(result.feature_names)
    ax = _new_axes(ax, plt, (6.0, 4.2))
    y = local[:, k, j]
    if color_by is None:
        ax.scatter(x, y, s=14, color="tab:blue", linewidths=0)
    else:
        c = _feature_index(result, color_by, "color_by")
        colours = _numeric(values_X[:, c])
        if colours is None:
            raise ValueError(f"color_by={color_by!r} is not numeric in X, so it cannot be "
                             "drawn as a colour scale.")
        dots = ax.scatter(x, y, s=14, c=colours, cmap=CMAP, linewidths=0)
        ax.figure.colorbar(dots, ax=ax, label=names[c])
    ax.axhline(0, color="0.3", linewidth=0.8, zorder=0)
    ax.set_xlabel(names[j])
    ax.set_ylabel(f"Value of {names[j]} ({result.method})")
    title = f"Dependence on {names[j]}{_output_label(result, k)}"
    # Two lines when one would be wider than a narrow figure.
    ax.set_title(title.replace(", output", "\noutput") if len(title) > 45 else title)
    return ax


def plot_waterfall(result, row, X=None, *, output=0, base_value=None, max_display=10,
                   ax=None):
    """How one row's values add up from the base value to the row's output.

    Bars are the inputs' values for the row, the largest at the top, red when they push
    the output up and blue when they push it down; each starts where the one below
    ends, from the base value at the bottom. The inputs beyond ``max_display`` share
    one bar at the bottom. For Shapley values the base value is
    ``result.expected_value`` (the mean output over the background) and the bars end at
    the row's output ``F(x)``; for other methods the end is the base value plus the
    row's sum, ``F(x)`` only for methods that are complete (DeepLIFT, integrated and
    expected gradients, with the reference's output as base value).

    Parameters
    ----------
    result : Importances
        A result with per-row values (``return_local=True``).
    row : int
        The row of ``X`` (and of ``result.local``) to draw.
    X : array-like of shape (n_samples, n_features), default=None
        The rows the values were computed on; when given, the labels show the row's
        input values.
    output : int or str, default=0
        The output to draw: a position in ``result.output_names``, or one of its names.
    base_value : float, default=None
        Where the bars start: ``result.expected_value`` when the result has it, else 0.
    max_display : int, default=10
        Draw this many bars, the last one for the inputs not shown alone.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        The bars are ``ax.containers[0]``, from the bottom (where they start, the base
        value) to the top (where they end), red when positive and blue when negative
        (the legend says so); the two dashed lines in ``ax.lines`` are the base value
        and the end.

    Examples
    --------
    >>> import numpy as np
    >>> from skimportance import Importances
    >>> from skimportance.plotting import plot_waterfall
    >>> local = np.array([[[2.0, -0.5, 0.25]]])
    >>> result = Importances(np.abs(local[0]), method="shapley",
    ...                      feature_names=["a", "b", "c"],
    ...                      extras={"local": local, "expected_value": np.array([10.0])})
    >>> ax = plot_waterfall(result, 0)
    >>> [(float(bar.get_x()), float(bar.get_width())) for bar in ax.containers[0]]
    [(10.0, 0.25), (10.25, -0.5), (9.75, 2.0)]
    """
    plt = import_pyplot("plot_waterfall")
    result, local = _local_values(result, "plot_waterfall")
    values_X = _check_X(X, local, "plot_waterfall", required=False)
    if not isinstance(row, Integral) or isinstance(row, bool) or \
            not -local.shape[0] <= row < local.shape[0]:
        raise ValueError(f"row must be an integer in [0, {local.shape[0]}), the position "
                         f"of a row of X; got {row!r}.")
    row = int(row) % local.shape[0]
    k = _output_index(result, output)
    max_display = _check_max_display(max_display)
    from_expected = base_value is None and result.expected_value is not None
    if base_value is None:
        expected = result.expected_value
        base_value = 0.0 if expected is None else float(np.ravel(expected)[k])
    elif not isinstance(base_value, Real) or isinstance(base_value, bool) or \
            not np.isfinite(base_value):
        raise ValueError(f"base_value must be None or a finite number; got "
                         f"{base_value!r}.")
    values = local[row, k, :]
    order = np.argsort(-np.abs(values), kind="stable")
    names = short_names(result.feature_names)
    labels = []
    for j in order:
        shown = "" if values_X is None else f" = {_format(values_X[row, j])}"
        labels.append(names[j] + shown)
    if len(order) > max_display:
        # One bar for the rest, so that the bars still end at the row's total.
        rest = len(order) - (max_display - 1)
        widths = np.r_[values[order[:max_display - 1]], values[order[max_display - 1:]].sum()]
        labels = labels[:max_display - 1] + [f"{rest} other inputs"]
    else:
        widths = values[order]
    # Drawn from the bottom (the smallest, where they start) to the top.
    widths, labels = widths[::-1], labels[::-1]
    starts = base_value + np.r_[0.0, np.cumsum(widths)[:-1]]
    end = base_value + widths.sum()
    n_bars = len(widths)
    ax = _new_axes(ax, plt, (7.0, max(2.8, 1.5 + 0.42 * n_bars)))
    colours = ["tab:red" if w >= 0 else "tab:blue" for w in widths]
    positions = np.arange(n_bars)
    ax.barh(positions, widths, left=starts, color=colours, height=0.7)
    ax.axvline(base_value, color="0.4", linestyle="--", linewidth=0.8)
    ax.axvline(end, color="0.1", linestyle="--", linewidth=0.8)
    for position, start, width in zip(positions, starts, widths):
        # The value at the bar's outer end, inside the axes (the limits leave room).
        ax.text(start + width, position, f" {width:+.3g} ", va="center",
                ha="left" if width >= 0 else "right", fontsize="small")
    low = min(base_value, end, starts.min(), (starts + widths).min())
    high = max(base_value, end, starts.max(), (starts + widths).max())
    pad = 0.25 * (high - low) if high > low else 1.0
    ax.set_xlim(low - pad, high + pad)
    from matplotlib.ticker import MaxNLocator

    # Long names leave the axes narrow; fewer ticks keep wide numbers from touching.
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color="tab:red", label="raises the output"),
                       Patch(color="tab:blue", label="lowers the output")],
              fontsize="small", loc="best")
    ax.set_yticks(positions, labels)
    ax.set_ylim(-0.6, n_bars - 0.4)
    ax.set_xlabel(f"E[F(X)] = {base_value:.4g}  \u2192  F(x) = {end:.4g}"
                  if from_expected else
                  f"base = {base_value:.4g}  \u2192  base + sum = {end:.4g}")
    ax.set_title(f"Row {row} ({result.method}{_output_label(result, k)})")
    _room_for_texts(ax)  # last: it lays out the figure with every label in place
    return ax


def _room_for_texts(ax, rounds=4):
    """Widen the x limits until the values written beside the bars fit in the axes: how
    much room a text takes in data units is known only once the figure is laid out."""
    fig = ax.figure
    for _ in range(rounds):
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        box = ax.get_window_extent(renderer)
        extents = [text.get_window_extent(renderer) for text in ax.texts]
        if not extents or not box.width > 0:
            return
        short_left = box.x0 - min(extent.x0 for extent in extents)
        short_right = max(extent.x1 for extent in extents) - box.x1
        if short_left <= 0 and short_right <= 0:
            return
        low, high = ax.get_xlim()
        per_pixel = (high - low) / box.width
        # A few pixels more than missing: the labels grow in data units as the limits do.
        ax.set_xlim(low - max(short_left, 0) * per_pixel * 1.5 - 4 * per_pixel,
                    high + max(short_right, 0) * per_pixel * 1.5 + 4 * per_pixel)


def _format(value):
    try:
        return f"{float(value):.4g}"
    except (TypeError, ValueError):
        return str(value)

"""Bar chart of the importances, or a heatmap of their values per output."""

from numbers import Integral

import numpy as np
from sklearn.exceptions import NotFittedError

from .._result import Importances
from ._matplotlib import axis_labels, import_pyplot, new_axes

__all__ = ["as_importances", "plot_importances"]


def as_importances(result, func_name):
    """The :class:`Importances` of ``result``: itself, or a fitted meta-estimator's."""
    if isinstance(result, Importances):
        return result
    fitted = getattr(result, "importances_", None)
    if isinstance(fitted, Importances):
        return fitted
    from .._dispatch import unwrap_meta

    try:
        unwrap_meta(result)
    except NotFittedError:
        raise NotFittedError(
            f"This {type(result).__name__} is not fitted yet: call fit before "
            f"{func_name}."
        ) from None
    raise TypeError(
        f"{func_name} takes an Importances (the result of feature_importances) or a "
        "fitted ImportanceRegressor or ImportanceClassifier; got "
        f"{type(result).__name__}."
    )


def _check_max_features(max_features):
    if max_features is None:
        return None
    if not isinstance(max_features, Integral) or isinstance(max_features, bool) \
            or max_features < 1:
        raise ValueError(f"max_features must be None or a positive integer; got "
                         f"{max_features!r}.")
    return int(max_features)


def _order(values):
    # Most important first; a stable sort keeps ties in the order of the features.
    return np.argsort(-np.asarray(values, dtype=float), kind="stable")


def plot_importances(result, *, ax=None, max_features=None, per_output=False,
                     normalize=False, title=None):
    """Horizontal bar chart of the importances, most important at the top.

    Parameters
    ----------
    result : Importances or fitted ImportanceRegressor or ImportanceClassifier
        The result of :func:`~skimportance.feature_importances`, or a fitted
        meta-estimator (its ``importances_`` is drawn).
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.
    max_features : int, default=None
        Draw only this many of the most important features; all when None.
    per_output : bool, default=False
        Draw a heatmap of ``per_output`` instead (outputs in rows, features in
        columns, most important first) with a colorbar. When any value is negative (the
        signed methods, such as ``"olden"``), the colormap is diverging and symmetric
        around 0; otherwise it is sequential from 0.
    normalize : bool, default=False
        Bars: draw ``result.normalized()`` (clipped at 0, summing to 1) instead of
        ``importances_mean``, the error bars divided by the same total. Heatmap: divide
        each output's row by the sum of its absolute values (the signs stay).
    title : str, default=None
        Title of the plot; by default it names the method.

    Returns
    -------
    ax : matplotlib Axes
        The bars are ``ax.containers[0]``, with error bars (``xerr``) when the method
        gives ``importances_std``; the heatmap is ``ax.images[0]``.

    Examples
    --------
    >>> from skimportance import Importances
    >>> from skimportance.plotting import plot_importances
    >>> result = Importances([[0.5, -1.5, 1.0]], method="olden",
    ...                      feature_names=["a", "b", "c"])
    >>> ax = plot_importances(result)
    >>> [label.get_text() for label in ax.get_yticklabels()]
    ['b', 'c', 'a']
    >>> ax.get_title()
    'Feature importances (olden)'
    >>> heatmap = plot_importances(result, per_output=True)
    >>> heatmap.images[0].get_array().tolist()
    [[-1.5, 1.0, 0.5]]
    """
    plt = import_pyplot("plot_importances")
    result = as_importances(result, "plot_importances")
    max_features = _check_max_features(max_features)
    order = _order(result.importances_mean)[:max_features]
    names = axis_labels(result.feature_names[order])
    if per_output:
        return _heatmap(plt, result, order, names, ax, normalize, title)

    values = np.asarray(result.importances_mean, dtype=float)
    std = result.importances_std
    std = None if std is None else np.asarray(std, dtype=float)
    label = "Importance"
    if normalize:
        total = np.clip(values, 0, None).sum()
        values = result.normalized()
        std = None if std is None or not total > 0 else std / total
        label = "Normalised importance"
    ax = new_axes(ax, plt, (6.4, max(2.5, 1.2 + 0.3 * len(order))))
    positions = np.arange(len(order))
    ax.barh(positions, values[order], xerr=None if std is None else std[order],
            color="tab:blue", ecolor="black", capsize=3 if std is not None else 0)
    if np.any(values[order] < 0):  # permutation and drop can give negative importances
        ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(positions, names)
    # Inverted limits put position 0, the most important feature, at the top.
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlabel(label)
    ax.set_title(f"Feature importances ({result.method})" if title is None else title)
    return ax


def _heatmap(plt, result, order, names, ax, normalize, title):
    from matplotlib.colors import Normalize

    values = np.asarray(result.per_output, dtype=float)
    if normalize:
        totals = np.abs(values).sum(axis=1, keepdims=True)
        values = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)
    values = values[:, order]
    n_outputs, n_shown = values.shape
    output_labels = axis_labels(result.output_names)
    # Room for the longest output name (about 0.08 in per character) besides the cells;
    # the slanted feature names below take about as much height.
    left = 0.08 * max(len(label) for label in output_labels)
    below = 0.06 * max((len(name) for name in names), default=0)
    ax = new_axes(ax, plt, (max(4.0, 2.5 + 0.45 * n_shown) + left,
                            max(2.5, 1.8 + 0.45 * n_outputs) + below))
    largest = float(np.abs(values).max()) if values.size else 0.0
    largest = largest if largest > 0 else 1.0
    if np.any(values < 0):
        # Signed values: white is 0, and equal sizes of either sign get equal colours.
        cmap, norm = "RdBu_r", Normalize(vmin=-largest, vmax=largest)
    else:
        cmap, norm = "viridis", Normalize(vmin=0.0, vmax=largest)
    image = ax.imshow(values, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="Share" if normalize else "Value")
    # Slanted names when they would run into each other side by side.
    slant = n_shown * max(len(name) for name in names) > 40 if names else False
    ax.set_xticks(np.arange(n_shown), names, rotation=45 if slant else 0,
                  ha="right" if slant else "center", rotation_mode="anchor")
    ax.set_yticks(np.arange(n_outputs), output_labels)
    ax.set_xlabel("Feature")
    ax.set_ylabel("Output")
    ax.set_title(f"Importances per output ({result.method})" if title is None else title)
    return ax

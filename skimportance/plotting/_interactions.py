"""Heatmap of pairwise interactions, and the two-input surface of a chosen pair."""

from numbers import Integral

import numpy as np

from ..interactions import Interactions
from ._matplotlib import axis_labels, import_pyplot, new_axes

__all__ = ["plot_interaction_surface", "plot_interactions"]


def _as_interactions(result):
    if isinstance(result, Interactions):
        return result
    fitted = getattr(result, "interaction_importances_", None)
    if isinstance(fitted, Interactions):
        return fitted
    raise TypeError("plot_interactions takes an Interactions (the result of "
                    "feature_interactions) or a meta-estimator fitted with interactions=...; "
                    f"got {type(result).__name__}.")


def plot_interactions(result, *, output=None, first_order=None, max_features=None,
                      annotate=None, ax=None, title=None):
    """Heatmap of the pairwise interactions, strongest inputs first.

    As NeuralSens' ``SensMatPlot``: one cell per pair of inputs, the matrix symmetric;
    the diagonal is left blank, or shows first-order importances when ``first_order``
    is given (in grey, so they are not read on the interactions' colour scale).

    Parameters
    ----------
    result : Interactions or fitted meta-estimator
        From :func:`~skimportance.feature_interactions`, or a meta-estimator fitted with
        ``interactions=...`` (its ``interaction_importances_``).
    output : int or label, default=None
        Draw one output's signed matrix (diverging colours around 0) instead of the
        summary (mean over outputs of the absolute values).
    first_order : Importances or array-like of shape (n_features,), default=None
        Values to write on the diagonal, e.g. ``feature_importances(...)``.
    max_features : int, default=None
        Show only the inputs with the strongest interactions (by row sum of the
        summary, diagonal excluded); all when None.
    annotate : bool, default=None
        Write each value in its cell; by default when at most 12 inputs are shown.
    ax : matplotlib Axes, default=None
    title : str, default=None

    Returns
    -------
    ax : matplotlib Axes
        The heatmap is ``ax.images[0]``.

    Examples
    --------
    >>> import numpy as np
    >>> from skimportance.interactions import Interactions
    >>> from skimportance.plotting import plot_interactions
    >>> H = np.array([[[0.0, 2.0, 0.1], [2.0, 0.0, 0.5], [0.1, 0.5, 0.0]]])
    >>> ax = plot_interactions(Interactions(H, method="hessian", feature_names=list("abc")))
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['b', 'a', 'c']
    """
    plt = import_pyplot("plot_interactions")
    from matplotlib.colors import Normalize

    result = _as_interactions(result)
    matrix = result.summary if output is None else result._matrix(output)
    strength = np.abs(matrix).sum(axis=1) - np.abs(np.diag(matrix))
    order = np.argsort(-strength, kind="stable")
    if max_features is not None:
        if not isinstance(max_features, Integral) or isinstance(max_features, bool) \
                or max_features < 2:
            raise ValueError(f"max_features must be None or an integer >= 2; got "
                             f"{max_features!r}.")
        order = order[:max_features]
    names = axis_labels(result.feature_names[order])
    values = np.array(matrix[np.ix_(order, order)], dtype=float)
    n = len(order)
    np.fill_diagonal(values, np.nan)
    largest = np.nanmax(np.abs(values)) if n > 1 else 0.0
    largest = largest if largest > 0 else 1.0
    signed = output is not None and np.nanmin(values) < 0
    cmap, norm = ("RdBu_r", Normalize(-largest, largest)) if signed else \
        ("viridis", Normalize(0.0, largest))
    side = max(3.5, 1.6 + 0.42 * n)
    ax = new_axes(ax, plt, (side + 1.2, side))
    image = ax.imshow(values, cmap=cmap, norm=norm, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="Interaction")
    if first_order is not None:
        first = np.asarray(getattr(first_order, "importances_mean", first_order), float)
        if first.shape != (result.n_features,):
            raise ValueError(f"first_order must have one value per input "
                             f"({result.n_features}); got shape {first.shape}.")
        diag = np.full((n, n), np.nan)
        diag[np.arange(n), np.arange(n)] = first[order]
        top = np.nanmax(np.abs(diag)) or 1.0
        ax.imshow(diag, cmap="Greys", norm=Normalize(0.0, 1.6 * top),
                  interpolation="nearest")
    annotate = n <= 12 if annotate is None else annotate
    if annotate:
        for i in range(n):
            for j in range(n):
                value = values[i, j] if i != j else (
                    first[order[i]] if first_order is not None else np.nan)
                if np.isfinite(value):
                    # Dark text on light cells, light text on dark ones.
                    r, g, b, _ = image.cmap(norm(value)) if i != j else (1, 1, 1, 1)
                    light = 0.299 * r + 0.587 * g + 0.114 * b > 0.5
                    ax.text(j, i, f"{value:.2g}", ha="center", va="center", fontsize=8,
                            color="black" if light else "white")
    ax.set_xticks(np.arange(n), names, rotation=45, ha="right", rotation_mode="anchor")
    ax.set_yticks(np.arange(n), names)
    which = "summary" if output is None else f"output {output!r}"
    ax.set_title(title if title is not None else
                 f"Interactions ({result.method}, {which})")
    return ax


def plot_interaction_surface(estimator, X, features, *, grid_resolution=30,
                             response_method="auto", target=None, ax=None):
    """How the model's average prediction changes over two inputs at once.

    The two-way partial dependence of the pair, drawn as filled contours by
    scikit-learn's :class:`~sklearn.inspection.PartialDependenceDisplay`: parallel
    contour lines mean the pair adds up, bent ones that it interacts.

    Parameters
    ----------
    estimator : fitted estimator
        Any fitted regressor or classifier (a skimportance meta-estimator too).
    X : array-like of shape (n_samples, n_features)
    features : tuple of two int or str
        The pair, e.g. a pair from ``result.top_pairs(1)``.
    grid_resolution : int, default=30
    response_method : {"auto", "predict_proba", "decision_function"}, default="auto"
    target : int, default=None
        The class (classifiers with more than two) or output to draw.
    ax : matplotlib Axes, default=None

    Returns
    -------
    display : sklearn.inspection.PartialDependenceDisplay
        Its ``axes_``, ``figure_`` and ``contours_`` are the picture.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import plot_interaction_surface
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 3))
    >>> mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=300, random_state=0)
    >>> mlp = mlp.fit(X, X[:, 0] * X[:, 1])
    >>> display = plot_interaction_surface(mlp, X, (0, 1), grid_resolution=10)
    >>> display.axes_.shape
    (1, 1)
    """
    plt = import_pyplot("plot_interaction_surface")
    from sklearn.inspection import PartialDependenceDisplay

    if not isinstance(features, (tuple, list)) or len(features) != 2:
        raise ValueError(f"features must be a pair of inputs, e.g. (0, 1) or ('age', "
                         f"'bmi'); got {features!r}.")
    model = getattr(estimator, "estimator_", estimator)
    if ax is None:
        # scikit-learn's own figure has no layout engine: long names would be cut off.
        ax = new_axes(None, plt, (5.5, 4.5))
    return PartialDependenceDisplay.from_estimator(
        model, X, [tuple(features)], grid_resolution=grid_resolution,
        response_method=response_method, target=target, ax=ax, kind="average")

"""The dependence between the inputs, before trusting a permutation importance."""

import numpy as np

from ._matplotlib import axis_labels, import_pyplot, new_axes

__all__ = ["plot_dependence_matrix"]


def plot_dependence_matrix(dependence, *, ax=None, order="cluster", annotate=None,
                           cmap="viridis"):
    """Heatmap of the pairwise dependence of the inputs, with each input's R² from the
    others in its label.

    Parameters
    ----------
    dependence : Dependence
        From :func:`skimportance.feature_dependence`.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when None.
    order : {"cluster", "given"}, default="cluster"
        ``"cluster"``: the inputs in the order of the leaves of their hierarchical
        clustering on ``1 - matrix`` (complete linkage, as
        :func:`~skimportance.correlation_groups`), so that dependent inputs sit next to
        each other; ``"given"``: the order of X's columns.
    annotate : bool or None, default=None
        Write each value in its cell; None does so for up to 15 inputs.
    cmap : str or Colormap, default="viridis"
        Colours of 0 (independent) to 1 (the same ranks).

    Returns
    -------
    ax : matplotlib Axes
        The image is ``ax.images[0]``, its values the matrix in the drawn order; the
        tick labels read ``name (R² 0.93)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skimportance import feature_dependence
    >>> from skimportance.plotting import plot_dependence_matrix
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3))
    >>> X[:, 2] += X[:, 0]
    >>> ax = plot_dependence_matrix(feature_dependence(X))
    >>> ax.images[0].get_array().shape
    (3, 3)
    """
    plt = import_pyplot("plot_dependence_matrix")
    if order not in ("cluster", "given"):
        raise ValueError(f"order must be 'cluster' or 'given'; got {order!r}.")
    matrix = np.asarray(dependence.matrix, dtype=float)
    n = len(matrix)
    positions = np.arange(n)
    if order == "cluster" and n > 2:
        from scipy.cluster.hierarchy import leaves_list, linkage
        from scipy.spatial.distance import squareform

        distance = 1.0 - matrix
        np.fill_diagonal(distance, 0.0)
        positions = leaves_list(linkage(squareform(distance, checks=False),
                                        method="complete"))
    shown = matrix[np.ix_(positions, positions)]
    short = axis_labels(dependence.feature_names)
    labels = [f"{short[j]} (R² {dependence.r2[j]:.2f})" for j in positions]
    ax = new_axes(ax, plt, (1.6 + 0.45 * n, 1.2 + 0.4 * n))
    image = ax.imshow(shown, cmap=cmap, vmin=0.0, vmax=1.0, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label="|Spearman correlation|")
    ax.set_xticks(range(n))
    ax.set_xticklabels([short[j] for j in positions], rotation=90)
    ax.set_yticks(range(n))
    ax.set_yticklabels(labels)
    if annotate is None:
        annotate = n <= 15
    if annotate:
        for r in range(n):
            for c in range(n):
                ax.text(c, r, f"{shown[r, c]:.2f}", ha="center", va="center", fontsize=7,
                        color="black" if shown[r, c] > 0.6 else "white")
    ax.set_title("Dependence between the inputs")
    return ax

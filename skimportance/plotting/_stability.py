"""How often each input held each place over refits with different seeds."""

import math

import numpy as np

from ._importances import as_importances
from ._matplotlib import axis_labels, import_pyplot, new_axes

__all__ = ["plot_rank_stability"]


def plot_rank_stability(result, *, ax=None):
    """Heatmap of the places each input held over refits, with the counts written in.

    Rows are the inputs, ordered by their mean place (the steadiest winners at the
    top); columns are the places, 1 being the most important. The title gives the
    number of refits and Kendall's W, the agreement of their rankings (0 = none,
    1 = every refit ranks the inputs the same way).

    Parameters
    ----------
    result : Importances or fitted ImportanceRegressor or ImportanceClassifier
        A result with ``rank_counts``: a meta-estimator fitted with ``n_refits > 1``,
        or its ``importances_``.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.

    Returns
    -------
    ax : matplotlib Axes
        The heatmap is ``ax.images[0]`` and each count is a text in ``ax.texts``.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import ImportanceRegressor
    >>> from skimportance.plotting import plot_rank_stability
    >>> X, y = make_friedman1(n_samples=100, n_features=5, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0)
    >>> est = ImportanceRegressor(mlp, n_refits=3).fit(X, y)
    >>> ax = plot_rank_stability(est)
    >>> ax.images[0].get_array().sum(axis=1).tolist()  # each input: one place per refit
    [3, 3, 3, 3, 3]
    """
    plt = import_pyplot("plot_rank_stability")
    result = as_importances(result, "plot_rank_stability")
    if result.rank_counts is None:
        raise ValueError(
            "plot_rank_stability needs rank_counts, which only refits give: fit "
            "ImportanceRegressor or ImportanceClassifier with n_refits > 1 and pass it "
            "(or its importances_)."
        )
    counts = np.asarray(result.rank_counts)
    n_features = counts.shape[0]
    n_refits = int(counts[0].sum())
    mean_place = counts @ np.arange(1, n_features + 1) / max(n_refits, 1)
    # Ties in mean place: the larger mean importance first, then the feature order.
    order = np.lexsort((np.arange(n_features), -np.asarray(result.importances_mean),
                        mean_place))
    counts = counts[order]

    size = max(3.5, 1.5 + 0.4 * n_features)
    ax = new_axes(ax, plt, (size + 1.0, size))
    ax.imshow(counts, cmap="Blues", vmin=0, vmax=max(n_refits, 1), aspect="auto",
              interpolation="nearest")
    fontsize = float(np.clip(120 / n_features, 5, 10))
    for row in range(n_features):
        for place in range(n_features):
            count = counts[row, place]
            # White on the dark cells, so every count can be read.
            color = "white" if count > n_refits / 2 else "black"
            ax.text(place, row, str(count), ha="center", va="center", color=color,
                    fontsize=fontsize)
    ax.set_xticks(np.arange(n_features), [str(r) for r in range(1, n_features + 1)])
    ax.set_yticks(np.arange(n_features), axis_labels(result.feature_names[order]))
    ax.set_xlabel("Place (1 = most important)")
    w = result.rank_agreement
    w_text = "n/a" if w is None or math.isnan(w) else f"{w:.2f}"
    ax.set_title(f"Places over {n_refits} refits ({result.method}), Kendall's W = {w_text}")
    return ax

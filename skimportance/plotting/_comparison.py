"""Several methods' normalised importances side by side."""

import numpy as np

from ._matplotlib import axis_labels, import_pyplot, new_axes

__all__ = ["comparison_size", "draw_comparison", "plot_comparison"]


def comparison_size(n_features, n_methods):
    """Figure size (width, height) in inches that gives every bar some room."""
    return 7.0, min(40.0, 1.5 + 0.12 * n_features * max(n_methods, 2))


def draw_comparison(feature_names, method_names, matrix, *, ax, title=None):
    """Grouped horizontal bars of ``matrix`` (n_methods, n_features) on ``ax``.

    One colour and one ``BarContainer`` (labelled with the method) per method, in the
    order of ``method_names``; features ordered by their mean over the methods, the
    largest at the top. Every bar has an outline of its colour, so that a value of 0
    still shows as a line; a method with nothing above 0 (drop-and-retrain when every
    refit scores as well as the full model) says so in the legend. The command line
    tool calls this with the matrix it printed.
    """
    matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
    n_methods, n_features = matrix.shape
    order = np.argsort(-matrix.mean(axis=0), kind="stable")
    positions = np.arange(n_features)
    height = 0.8 / n_methods
    for k, name in enumerate(method_names):
        # Within a group the first method is at the top, as in the legend.
        offset = (k - (n_methods - 1) / 2) * height
        label = str(name)
        if not np.any(matrix[k] > 0):
            label += " (all 0: no input matters)"
        colour = f"C{k % 10}"
        ax.barh(positions + offset, matrix[k, order], height=height, label=label,
                color=colour, edgecolor=colour, linewidth=0.8)
    ax.set_yticks(positions, axis_labels([feature_names[i] for i in order]))
    ax.set_ylim(n_features - 0.5, -0.5)  # inverted: the most important at the top
    ax.set_xlabel("Normalised importance (sums to 1 per method)")
    # Lower right: the least important features, the shortest bars, are there.
    ax.legend(title="Method", fontsize="small", loc="lower right")
    ax.set_title("Importances by method" if title is None else title)
    return ax


def _looks_like_estimator(obj):
    return hasattr(obj, "fit") or hasattr(obj, "predict")


def _check_order(estimator, X, y):
    """A clear error for the former order of the arguments, (X, y, estimator)."""
    if _looks_like_estimator(estimator):
        return
    if _looks_like_estimator(y) and not _looks_like_estimator(X):
        raise TypeError(
            "plot_comparison takes (estimator, X, y, ...), in scikit-learn's order, like "
            "every other function of skimportance; it was called as (X, y, estimator), "
            "the order it had before. Call plot_comparison(estimator, X, y, ...)."
        )
    raise TypeError(f"plot_comparison takes (estimator, X, y, ...): estimator must be "
                    f"an estimator with fit; got {type(estimator).__name__}.")


def plot_comparison(estimator, X, y, methods=("garson", "olden", "gradient", "permutation"),
                    *, ax=None, scale=True, random_state=None):
    """Compare importance methods on one network: grouped bars, one colour per method.

    Each method's importances are normalised (``result.normalized()``: clipped at 0,
    summing to 1) so that methods with different units can be compared. Features are
    ordered by their mean over the methods, the largest at the top.

    The arguments are ``(estimator, X, y)``, as in scikit-learn and the rest of
    skimportance; the former order ``(X, y, estimator)`` raises a TypeError that says
    so.

    Parameters
    ----------
    estimator : estimator
        An MLP, a Pipeline ending in one, or a meta-estimator, fitted or not; when it
        is not fitted, a clone is fitted on X, y first. Methods that score the model
        take any estimator.
    X : array-like of shape (n_samples, n_features)
        Data the importances are computed on (and the network fitted on, when it is not
        fitted yet).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets, for the methods that score the model (and for fitting).
    methods : sequence of str or ImportanceMethod, default=("garson", "olden", \
"gradient", "permutation")
        The methods, by name (see :data:`skimportance.methods.METHODS`) or as objects.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.
    scale : bool, default=True
        Passed to :func:`~skimportance.feature_importances`.
    random_state : int, RandomState instance or None, default=None
        Given to the methods that draw random numbers (permutations, k-means groups),
        for a reproducible chart.

    Returns
    -------
    ax : matplotlib Axes
        One ``BarContainer`` per method in ``ax.containers``, labelled with its name.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import plot_comparison
    >>> X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0)
    >>> ax = plot_comparison(mlp, X, y, methods=["garson", "olden"], random_state=0)
    >>> [bars.get_label() for bars in ax.containers]
    ['garson', 'olden']
    """
    plt = import_pyplot("plot_comparison")
    from .._compare import compare_methods

    _check_order(estimator, X, y)
    comparison = compare_methods(estimator, X, y, methods, scale=scale,
                                 random_state=random_state)
    matrix = comparison.normalized
    ax = new_axes(ax, plt, comparison_size(matrix.shape[1], matrix.shape[0]))
    return draw_comparison(comparison.feature_names, comparison.method_names, matrix, ax=ax)

"""Several methods' normalised importances side by side."""

import numpy as np

from ._matplotlib import import_pyplot, new_axes

__all__ = ["comparison_size", "draw_comparison", "plot_comparison"]


def comparison_size(n_features, n_methods):
    """Figure size (width, height) in inches that gives every bar some room."""
    return 7.0, min(40.0, 1.5 + 0.12 * n_features * max(n_methods, 2))


def draw_comparison(feature_names, method_names, matrix, *, ax, title=None):
    """Grouped horizontal bars of ``matrix`` (n_methods, n_features) on ``ax``.

    One colour and one ``BarContainer`` (labelled with the method) per method, in the
    order of ``method_names``; features ordered by their mean over the methods, the
    largest at the top. The command line tool calls this with the matrix it printed.
    """
    matrix = np.atleast_2d(np.asarray(matrix, dtype=float))
    n_methods, n_features = matrix.shape
    order = np.argsort(-matrix.mean(axis=0), kind="stable")
    positions = np.arange(n_features)
    height = 0.8 / n_methods
    for k, name in enumerate(method_names):
        # Within a group the first method is at the top, as in the legend.
        offset = (k - (n_methods - 1) / 2) * height
        ax.barh(positions + offset, matrix[k, order], height=height, label=str(name),
                color=f"C{k % 10}")
    ax.set_yticks(positions, [str(feature_names[i]) for i in order])
    ax.set_ylim(n_features - 0.5, -0.5)  # inverted: the most important at the top
    ax.set_xlabel("Normalised importance (sums to 1 per method)")
    ax.legend(title="Method", fontsize="small")
    ax.set_title("Importances by method" if title is None else title)
    return ax


def plot_comparison(X, y, estimator, methods=("garson", "olden", "gradient", "permutation"),
                    *, ax=None, scale=True, random_state=None):
    """Compare importance methods on one network: grouped bars, one colour per method.

    Each method's importances are normalised (``result.normalized()``: clipped at 0,
    summing to 1) so that methods with different units can be compared. Features are
    ordered by their mean over the methods, the largest at the top.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        Data the importances are computed on (and the network fitted on, when it is not
        fitted yet).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets, for the methods that score the model (and for fitting).
    estimator : estimator
        An MLP, a Pipeline ending in one, or a meta-estimator, fitted or not; when it
        is not fitted, a clone is fitted on X, y first. Methods that score the model
        take any estimator.
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
    >>> ax = plot_comparison(X, y, mlp, methods=["garson", "olden"], random_state=0)
    >>> [bars.get_label() for bars in ax.containers]
    ['garson', 'olden']
    """
    plt = import_pyplot("plot_comparison")
    from .._compare import compare_methods

    comparison = compare_methods(estimator, X, y, methods, scale=scale,
                                 random_state=random_state)
    matrix = comparison.normalized
    ax = new_axes(ax, plt, comparison_size(matrix.shape[1], matrix.shape[0]))
    return draw_comparison(comparison.feature_names, comparison.method_names, matrix, ax=ax)

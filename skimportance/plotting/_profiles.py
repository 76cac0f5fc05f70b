"""Lek profiles: the response along each input's sweep, one line per group."""

from numbers import Integral

import numpy as np

from ._importances import as_importances
from ._matplotlib import import_pyplot

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


def _pick_output(result, output):
    names = list(result.output_names)
    if output is None:
        return names[0]
    for name in names:
        if name == output or str(name) == str(output):
            return name
    raise ValueError(f"output={output!r} is not an output of this result; valid outputs: "
                     f"{', '.join(map(repr, names))}.")


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


def _panels(plt, fig, n_panels, ncols):
    """(the figure, its grid of panels sharing y) with the spare panels removed."""
    ncols = min(int(ncols), n_panels)
    nrows = -(-n_panels // ncols)
    if fig is None:
        fig = plt.figure(figsize=(3.2 * ncols + 1.2, 2.6 * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    for ax in axes.ravel()[n_panels:]:
        ax.remove()  # the grid's spare panels
    return fig, axes


def _draw_lines(axes, table, output, features, styles):
    """One panel per feature, one line per (group id, label, colour) in styles."""
    swept = _column(table, "Explanatory")
    response = _column(table, "Response")
    group = _column(table, "Groups")
    feature_of_row = _column(table, "exp_name")
    rows = _column(table, "resp_name") == output
    for ax, feature in zip(axes.ravel(), features):
        mine = rows & (feature_of_row == feature)
        for group_id, label, color in styles:
            line = mine & (group == group_id)
            ax.plot(swept[line], response[line], color=color, label=label)
        ax.set_title(str(feature))


def plot_profiles(result, *, features=None, output=None, fig=None, ncols=3):
    """Lek profiles, as NeuralNetTools' ``lekprofile``: one panel per input.

    In the panel of an input, the x axis is the value it is swept over (from its
    minimum to its maximum in X) and the y axis the network's response; there is one
    line per group, the values the other inputs are held at. The panels share their y
    axis.

    Parameters
    ----------
    result : Importances or fitted ImportanceRegressor or ImportanceClassifier
        A result of ``method="profile"`` (:class:`~skimportance.methods.LekProfile`).
    features : list of str, default=None
        The inputs to draw, in this order; all when None.
    output : str or class label, default=None
        For results with several outputs (classes, targets): the output to draw, one of
        ``result.output_names``; the first when None.
    fig : matplotlib Figure, default=None
        Figure to draw in (its panels are added to it); a new figure when None.
    ncols : int, default=3
        Number of panels per row.

    Returns
    -------
    fig : matplotlib Figure
        ``fig.axes`` has one panel per input, each with one line per group.

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
    """
    plt = import_pyplot("plot_profiles")
    result = as_importances(result, "plot_profiles")
    _check_result(result)
    if not isinstance(ncols, Integral) or isinstance(ncols, bool) or ncols < 1:
        raise ValueError(f"ncols must be a positive integer; got {ncols!r}.")
    output = _pick_output(result, output)
    features = _pick_features(result, features)

    table = result.profile
    group_ids = np.unique(_column(table, "Groups"))
    labels = _group_labels(result.groups, len(group_ids))
    # Ten groups or fewer: distinct hues; more: an ordered colormap (quantile groups).
    colors = [f"C{g}" for g in range(len(group_ids))] if len(group_ids) <= 10 else \
        plt.get_cmap("viridis")(np.linspace(0, 1, len(group_ids)))

    fig, axes = _panels(plt, fig, len(features), ncols)
    _draw_lines(axes, table, output, features, list(zip(group_ids, labels, colors)))
    for ax in axes[:, 0]:
        ax.set_ylabel("Response")
    # Right of the first row, outside the panels, so that it hides no line.
    axes[0, -1].legend(title="Groups", fontsize="small", loc="upper left",
                       bbox_to_anchor=(1.02, 1.0))
    fig.suptitle(f"Lek profiles of output {output}")
    return fig

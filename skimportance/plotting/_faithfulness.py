"""The score curves of remove-and-retrain / keep-and-retrain, one per method."""

import numpy as np

from ._matplotlib import import_pyplot, new_axes

__all__ = ["plot_faithfulness"]

_XLABELS = {"remove": "Inputs removed, most important first (k)",
            "keep": "Inputs kept, most important first (k)"}
_TITLES = {"remove": "Remove and retrain (ROAR): lower is more faithful",
           "keep": "Keep and retrain (KAR): higher is more faithful"}


def plot_faithfulness(result, *, ax=None, band=True, title=None):
    """Held-out score against the number of inputs removed (or kept), one line per method.

    Each line is a method's score averaged over the folds, with a band of one standard
    deviation over the folds around it; the random baseline is dashed and grey, the score
    of the model trained on every input a dotted horizontal line. The legend gives each
    method's faithfulness number (mean ± standard deviation over the folds), the most
    faithful first.

    Parameters
    ----------
    result : Faithfulness
        The result of :func:`~skimportance.evaluate_methods`.
    ax : matplotlib Axes, default=None
        Axes to draw on; a new figure when None.
    band : bool, default=True
        Draw the band of one standard deviation over the folds.
    title : str, default=None
        The title; None names the strategy and which way is better.

    Returns
    -------
    ax : matplotlib Axes
        One line per method, labelled with its name and faithfulness, the baseline
        (``"random"``) among them, and the full model's score (labelled ``"all
        inputs"``), in ``ax.lines``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import evaluate_methods
    >>> from skimportance.plotting import plot_faithfulness
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(90, 3))
    >>> y = 2 * X[:, 0] + 0.1 * rng.normal(size=90)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=200,
    ...                    random_state=0)
    >>> result = evaluate_methods(mlp, X, y, methods=["olden"], cv=3, fractions=[0.34],
    ...                           random_state=0)
    >>> ax = plot_faithfulness(result)
    >>> [line.get_label().split(" ")[0] for line in ax.lines]
    ['olden', 'random', 'all']
    """
    from .._faithfulness import RANDOM, Faithfulness

    plt = import_pyplot("plot_faithfulness")
    if not isinstance(result, Faithfulness):
        raise TypeError("plot_faithfulness takes the Faithfulness that evaluate_methods "
                        f"returns; got {type(result).__name__}.")
    ax = new_axes(ax, plt, (6.5, 4.5))
    mean, std = result.scores.mean(axis=2), result.scores.std(axis=2)
    colour = 0
    for m in np.argsort(-result.faithfulness, kind="stable"):
        name = result.methods[m]
        label = (f"{name} ({result.faithfulness[m]:+.3g} ± "
                 f"{result.faithfulness_std[m]:.2g})")
        if name == RANDOM:
            style = {"color": "0.4", "linestyle": "--", "marker": "o", "markersize": 3}
        else:
            style = {"color": f"C{colour % 10}", "marker": "o", "markersize": 4}
            colour += 1
        ax.plot(result.k, mean[m], label=label, **style)
        if band and result.n_folds > 1:
            ax.fill_between(result.k, mean[m] - std[m], mean[m] + std[m],
                            color=style["color"], alpha=0.15, linewidth=0)
    ax.axhline(result.full_scores.mean(), color="black", linestyle=":", linewidth=1,
               label=f"all inputs ({result.full_scores.mean():.3g})")
    ax.set_xticks(result.k)
    ax.set_xlabel(_XLABELS[result.strategy])
    ax.set_ylabel(f"Held-out {result.scoring} (mean over {result.n_folds} folds)")
    ax.legend(title="Method (faithfulness)", fontsize="small")
    ax.set_title(_TITLES[result.strategy] if title is None else title)
    return ax

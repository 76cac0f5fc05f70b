"""Display objects, scikit-learn's convention for plots: one class per picture.

As :class:`sklearn.inspection.PartialDependenceDisplay` and
:class:`sklearn.metrics.PredictionErrorDisplay`: ``Display.from_estimator(estimator, X,
y, ...)`` computes and draws, ``Display.from_result(result)`` draws what was computed,
``display.plot(ax=...)`` draws again (on other axes, with other options), and the
picture is in the attributes ``figure_`` and ``ax_`` (``axes_`` for several panels).
The ``plot_*`` functions are short cuts that return the Axes (or Figure) alone.
"""

import numpy as np
from sklearn.base import clone, is_classifier

from ._comparison import comparison_size, draw_comparison
from ._diagram import plot_network
from ._faithfulness import plot_faithfulness
from ._importances import as_importances, plot_importances
from ._interactions import plot_interactions
from ._local import plot_beeswarm, plot_dependence, plot_waterfall
from ._matplotlib import import_pyplot, new_axes
from ._profiles import plot_profiles
from ._stability import plot_rank_stability

__all__ = [
    "BeeswarmDisplay",
    "ComparisonDisplay",
    "DependenceDisplay",
    "FaithfulnessDisplay",
    "ImportancesDisplay",
    "InteractionsDisplay",
    "NetworkDisplay",
    "ProfilesDisplay",
    "RankStabilityDisplay",
    "WaterfallDisplay",
]


class _AxesDisplay:
    """Shared by the displays of one Axes: ``plot`` calls ``_draw`` and keeps the
    picture in ``ax_`` and ``figure_``."""

    def _store(self, ax):
        self.ax_ = ax
        self.figure_ = ax.figure
        return self

    def _plot(self, draw, ax, **kwargs):
        return self._store(draw(ax=ax, **kwargs))


class ImportancesDisplay(_AxesDisplay):
    """Bar chart of the importances, or a heatmap of their values per output.

    Make it with :meth:`from_estimator` or :meth:`from_result`; the picture is the one of
    :func:`~skimportance.plotting.plot_importances`.

    Parameters
    ----------
    result : Importances
        The result of :func:`~skimportance.feature_importances`.

    Attributes
    ----------
    result : Importances
        What is drawn.
    ax_ : matplotlib Axes
        The Axes drawn on.
    figure_ : matplotlib Figure
        Its figure.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import ImportancesDisplay
    >>> X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, y)
    >>> display = ImportancesDisplay.from_estimator(mlp, X, y, method="olden")
    >>> len(display.ax_.containers[0])
    3
    >>> display.result.method
    'olden'
    """

    def __init__(self, result):
        self.result = as_importances(result, "ImportancesDisplay")

    def plot(self, ax=None, *, max_features=None, per_output=False, normalize=False,
             title=None):
        """Draw the importances (see :func:`~skimportance.plotting.plot_importances`).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        max_features : int, default=None
            Draw only this many of the most important features.
        per_output : bool, default=False
            A heatmap of the values per output instead of bars.
        normalize : bool, default=False
            Draw the normalised values.
        title : str, default=None
            Title; by default it names the method.

        Returns
        -------
        display : ImportancesDisplay
            Itself, with ``ax_`` and ``figure_``.
        """
        return self._plot(lambda ax: plot_importances(
            self.result, ax=ax, max_features=max_features, per_output=per_output,
            normalize=normalize, title=title), ax)

    @classmethod
    def from_result(cls, result, *, ax=None, **kwargs):
        """Draw a result of :func:`~skimportance.feature_importances`.

        Parameters
        ----------
        result : Importances or fitted ImportanceRegressor or ImportanceClassifier
            The result, or a meta-estimator (its ``importances_``).
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **kwargs
            Options of :meth:`plot`.

        Returns
        -------
        display : ImportancesDisplay
        """
        return cls(result).plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, method="gradient", ax=None,
                       max_features=None, per_output=False, normalize=False, title=None,
                       **importance_params):
        """Compute the importances with :func:`~skimportance.feature_importances` and
        draw them.

        Parameters
        ----------
        estimator : fitted estimator
            As for :func:`~skimportance.feature_importances`.
        X : array-like of shape (n_samples, n_features)
            Data the importances are computed on.
        y : array-like, default=None
            Targets, for the methods that score the model.
        method : str or ImportanceMethod, default="gradient"
            The method.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        max_features, per_output, normalize, title
            Options of :meth:`plot`.
        **importance_params
            Other arguments of :func:`~skimportance.feature_importances` (``scale``,
            ``sample_weight``, ``feature_groups``).

        Returns
        -------
        display : ImportancesDisplay
        """
        from .._dispatch import feature_importances

        result = feature_importances(estimator, X, y, method=method, **importance_params)
        return cls(result).plot(ax=ax, max_features=max_features, per_output=per_output,
                                normalize=normalize, title=title)


class ProfilesDisplay:
    """Lek profiles, one panel per (output, input): the picture of
    :func:`~skimportance.plotting.plot_profiles`.

    Parameters
    ----------
    result : Importances
        A result of ``method="profile"``.

    Attributes
    ----------
    result : Importances
        What is drawn.
    figure_ : matplotlib Figure
        The figure.
    axes_ : list of matplotlib Axes
        Its panels, one per (output, input), the outputs' blocks in order.
    ax_ : matplotlib Axes
        The first panel.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import ProfilesDisplay
    >>> X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, y)
    >>> display = ProfilesDisplay.from_estimator(mlp, X, steps=10)
    >>> len(display.axes_), len(display.ax_.lines)  # 3 inputs, 6 groups
    (3, 6)
    """

    def __init__(self, result):
        self.result = as_importances(result, "ProfilesDisplay")

    def plot(self, fig=None, **kwargs):
        """Draw the profiles (see :func:`~skimportance.plotting.plot_profiles`).

        Parameters
        ----------
        fig : matplotlib Figure, default=None
            Figure to draw in; a new figure when None.
        **kwargs
            Options of :func:`~skimportance.plotting.plot_profiles` (``features``,
            ``output``, ``ncols``, ``order``, ``group_show``).

        Returns
        -------
        display : ProfilesDisplay
            Itself, with ``figure_``, ``axes_`` and ``ax_``.
        """
        self.figure_ = plot_profiles(self.result, fig=fig, **kwargs)
        self.axes_ = list(self.figure_.axes)
        self.ax_ = self.axes_[0]
        return self

    @classmethod
    def from_result(cls, result, *, fig=None, **kwargs):
        """Draw a result of ``method="profile"``.

        Parameters
        ----------
        result : Importances or fitted ImportanceRegressor or ImportanceClassifier
            The result, or a meta-estimator fitted with ``method="profile"``.
        fig : matplotlib Figure, default=None
            Figure to draw in; a new figure when None.
        **kwargs
            Options of :meth:`plot`.

        Returns
        -------
        display : ProfilesDisplay
        """
        return cls(result).plot(fig=fig, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, group_vals=(0, 0.2, 0.4, 0.6, 0.8, 1),
                       steps=100, random_state=None, fig=None, **kwargs):
        """Compute the Lek profiles (:class:`~skimportance.methods.LekProfile`) and
        draw them.

        Parameters
        ----------
        estimator : fitted estimator
            An MLP, a Pipeline ending in one, or a fitted meta-estimator.
        X : array-like of shape (n_samples, n_features)
            The data the sweeps and the groups come from.
        y : None
            Not used; there for the order of the arguments.
        group_vals, steps, random_state
            Of :class:`~skimportance.methods.LekProfile`.
        fig : matplotlib Figure, default=None
            Figure to draw in; a new figure when None.
        **kwargs
            Options of :meth:`plot`.

        Returns
        -------
        display : ProfilesDisplay
        """
        from .._dispatch import feature_importances
        from ..methods import LekProfile

        method = LekProfile(group_vals=group_vals, steps=steps, random_state=random_state)
        return cls(feature_importances(estimator, X, y, method=method)).plot(fig=fig,
                                                                             **kwargs)


class NetworkDisplay(_AxesDisplay):
    """Diagram of a fitted MLP's weights: the picture of
    :func:`~skimportance.plotting.plot_network`.

    Parameters
    ----------
    estimator : fitted estimator
        An MLP, a Pipeline ending in one, a FrozenEstimator, or a fitted
        meta-estimator.

    Attributes
    ----------
    estimator : fitted estimator
        What is drawn.
    ax_ : matplotlib Axes
        The Axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    lines_ : matplotlib LineCollection
        The connections drawn in full.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import NetworkDisplay
    >>> X, y = make_regression(n_samples=50, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(4,), max_iter=20, random_state=0).fit(X, y)
    >>> len(NetworkDisplay.from_estimator(mlp).lines_.get_segments())
    16
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def plot(self, ax=None, **kwargs):
        """Draw the diagram (see :func:`~skimportance.plotting.plot_network`).

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **kwargs
            Options of :func:`~skimportance.plotting.plot_network`.

        Returns
        -------
        display : NetworkDisplay
            Itself, with ``ax_``, ``figure_`` and ``lines_``.
        """
        self._plot(lambda ax: plot_network(self.estimator, ax=ax, **kwargs), ax)
        self.lines_ = self.ax_.collections[0]
        return self

    @classmethod
    def from_estimator(cls, estimator, X=None, y=None, *, ax=None, **kwargs):
        """Draw a fitted network.

        Parameters
        ----------
        estimator : fitted estimator
            The network.
        X, y : None
            Not used (the weights are drawn); there for the order of the arguments.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **kwargs
            Options of :meth:`plot`.

        Returns
        -------
        display : NetworkDisplay
        """
        return cls(estimator).plot(ax=ax, **kwargs)


class RankStabilityDisplay(_AxesDisplay):
    """Places of each input over refits: the picture of
    :func:`~skimportance.plotting.plot_rank_stability`.

    Parameters
    ----------
    result : Importances
        A result with ``rank_counts`` (refits).

    Attributes
    ----------
    result : Importances
        What is drawn.
    ax_ : matplotlib Axes
        The Axes drawn on.
    figure_ : matplotlib Figure
        Its figure.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import RankStabilityDisplay
    >>> X, y = make_friedman1(n_samples=100, n_features=5, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0)
    >>> display = RankStabilityDisplay.from_estimator(mlp, X, y, n_refits=3,
    ...                                               random_state=0)
    >>> display.ax_.images[0].get_array().sum(axis=1).tolist()
    [3, 3, 3, 3, 3]
    """

    def __init__(self, result):
        self.result = as_importances(result, "RankStabilityDisplay")

    def plot(self, ax=None):
        """Draw the places.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : RankStabilityDisplay
            Itself, with ``ax_`` and ``figure_``.
        """
        return self._plot(lambda ax: plot_rank_stability(self.result, ax=ax), ax)

    @classmethod
    def from_result(cls, result, *, ax=None):
        """Draw a result with ``rank_counts``.

        Parameters
        ----------
        result : Importances or fitted ImportanceRegressor or ImportanceClassifier
            Fitted with ``n_refits > 1``, or its ``importances_``.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.

        Returns
        -------
        display : RankStabilityDisplay
        """
        return cls(result).plot(ax=ax)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, method="permutation", n_refits=5,
                       random_state=None, ax=None, **params):
        """Refit clones of ``estimator`` with different seeds and draw their places.

        A clone of ``estimator`` is wrapped in
        :class:`~skimportance.ImportanceClassifier` (a classifier) or
        :class:`~skimportance.ImportanceRegressor` with ``n_refits`` and fitted on
        X, y; the caller's estimator is left as it is.

        Parameters
        ----------
        estimator : estimator
            The network to refit.
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : array-like
            Targets.
        method : str or ImportanceMethod, default="permutation"
            The method.
        n_refits : int, default=5
            Number of refits (at least 2).
        random_state : int, RandomState instance or None, default=None
            Seeds of the refits.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **params
            Other parameters of the meta-estimator (``cv``, ``n_jobs``, ...).

        Returns
        -------
        display : RankStabilityDisplay
        """
        from .._estimators import ImportanceClassifier, ImportanceRegressor

        meta = ImportanceClassifier if is_classifier(estimator) else ImportanceRegressor
        fitted = meta(clone(estimator), method=method, n_refits=n_refits,
                      random_state=random_state, **params).fit(X, y)
        return cls(fitted).plot(ax=ax)


class ComparisonDisplay(_AxesDisplay):
    """Several methods' normalised importances side by side: the picture of
    :func:`~skimportance.plotting.plot_comparison`.

    Parameters
    ----------
    feature_names : array-like of str
        The features.
    method_names : list of str
        The methods, in the order of the rows of ``normalized``.
    normalized : ndarray of shape (n_methods, n_features)
        Each method's normalised importances.

    Attributes
    ----------
    ax_ : matplotlib Axes
        The Axes drawn on.
    figure_ : matplotlib Figure
        Its figure.
    bars_ : list of BarContainer
        One per method.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import ComparisonDisplay
    >>> X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0)
    >>> display = ComparisonDisplay.from_estimator(mlp, X, y, methods=["garson", "olden"])
    >>> [bars.get_label() for bars in display.bars_]
    ['garson', 'olden']
    """

    def __init__(self, feature_names, method_names, normalized):
        self.feature_names = list(feature_names)
        self.method_names = list(method_names)
        self.normalized = np.atleast_2d(np.asarray(normalized, dtype=float))

    def plot(self, ax=None, *, title=None):
        """Draw the grouped bars.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        title : str, default=None
            Title; "Importances by method" when None.

        Returns
        -------
        display : ComparisonDisplay
            Itself, with ``ax_``, ``figure_`` and ``bars_``.
        """
        plt = import_pyplot("ComparisonDisplay")
        n_methods, n_features = self.normalized.shape
        ax = new_axes(ax, plt, comparison_size(n_features, n_methods))
        self._store(draw_comparison(self.feature_names, self.method_names,
                                    self.normalized, ax=ax, title=title))
        self.bars_ = list(ax.containers[-n_methods:])
        return self

    @classmethod
    def from_estimator(cls, estimator, X, y,
                       methods=("garson", "olden", "gradient", "permutation"), *, ax=None,
                       scale=True, random_state=None, title=None):
        """Compute several methods on one network and draw them side by side.

        Parameters
        ----------
        estimator, X, y, methods, scale, random_state
            As for :func:`~skimportance.plotting.plot_comparison`.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        title : str, default=None
            Title of the plot.

        Returns
        -------
        display : ComparisonDisplay
        """
        from .._compare import compare_methods
        from ._comparison import _check_order

        _check_order(estimator, X, y)
        comparison = compare_methods(estimator, X, y, methods, scale=scale,
                                     random_state=random_state)
        return cls(comparison.feature_names, comparison.method_names,
                   comparison.normalized).plot(ax=ax, title=title)


class FaithfulnessDisplay(_AxesDisplay):
    """Score curves of remove-and-retrain or keep-and-retrain: the picture of
    :func:`~skimportance.plotting.plot_faithfulness`.

    Parameters
    ----------
    result : Faithfulness
        The result of :func:`~skimportance.evaluate_methods`.

    Attributes
    ----------
    result : Faithfulness
        What is drawn.
    ax_ : matplotlib Axes
        The Axes drawn on.
    figure_ : matplotlib Figure
        Its figure.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import FaithfulnessDisplay
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(90, 3))
    >>> y = 2 * X[:, 0] + 0.1 * rng.normal(size=90)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=200,
    ...                    random_state=0)
    >>> display = FaithfulnessDisplay.from_estimator(
    ...     mlp, X, y, methods=["olden"], cv=3, fractions=[0.34], random_state=0)
    >>> len(display.ax_.lines)  # olden, the random baseline, the full model
    3
    """

    def __init__(self, result):
        self.result = result

    def plot(self, ax=None, *, band=True, title=None):
        """Draw the curves.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        band : bool, default=True
            Draw the band of one standard deviation over the folds.
        title : str, default=None
            The title; None names the strategy.

        Returns
        -------
        display : FaithfulnessDisplay
            Itself, with ``ax_`` and ``figure_``.
        """
        return self._plot(lambda ax: plot_faithfulness(self.result, ax=ax, band=band,
                                                       title=title), ax)

    @classmethod
    def from_result(cls, result, *, ax=None, **kwargs):
        """Draw a result of :func:`~skimportance.evaluate_methods`.

        Parameters
        ----------
        result : Faithfulness
            The result.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **kwargs
            Options of :meth:`plot`.

        Returns
        -------
        display : FaithfulnessDisplay
        """
        return cls(result).plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y, *, ax=None, band=True, title=None,
                       **evaluate_params):
        """Run :func:`~skimportance.evaluate_methods` and draw its curves.

        Parameters
        ----------
        estimator : estimator
            The network to refit.
        X : array-like of shape (n_samples, n_features)
            Data.
        y : array-like
            Targets.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        band, title
            Options of :meth:`plot`.
        **evaluate_params
            Arguments of :func:`~skimportance.evaluate_methods` (``methods``, ``cv``,
            ``strategy``, ``fractions``, ``random_state``, ...).

        Returns
        -------
        display : FaithfulnessDisplay
        """
        from .._faithfulness import evaluate_methods

        result = evaluate_methods(estimator, X, y, **evaluate_params)
        return cls(result).plot(ax=ax, band=band, title=title)


class InteractionsDisplay(_AxesDisplay):
    """Heatmap of the pairwise interactions: the picture of
    :func:`~skimportance.plotting.plot_interactions`.

    Parameters
    ----------
    result : Interactions
        The result of :func:`~skimportance.feature_interactions`.

    Attributes
    ----------
    result : Interactions
        What is drawn.
    ax_ : matplotlib Axes
        The Axes drawn on.
    figure_ : matplotlib Figure
        Its figure.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import InteractionsDisplay
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(100, 3))
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), activation="tanh", max_iter=100,
    ...                    random_state=0)
    >>> mlp = mlp.fit(X, X[:, 0] * X[:, 1])
    >>> display = InteractionsDisplay.from_estimator(mlp, X, method="hessian")
    >>> display.ax_.images[0].get_array().shape
    (3, 3)
    """

    def __init__(self, result):
        from ._interactions import _as_interactions

        self.result = _as_interactions(result)

    def plot(self, ax=None, **kwargs):
        """Draw the heatmap.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **kwargs
            Options of :func:`~skimportance.plotting.plot_interactions` (``output``,
            ``first_order``, ``max_features``, ``annotate``, ``title``).

        Returns
        -------
        display : InteractionsDisplay
            Itself, with ``ax_`` and ``figure_``.
        """
        return self._plot(lambda ax: plot_interactions(self.result, ax=ax, **kwargs), ax)

    @classmethod
    def from_result(cls, result, *, ax=None, **kwargs):
        """Draw a result of :func:`~skimportance.feature_interactions`.

        Parameters
        ----------
        result : Interactions or fitted meta-estimator
            The result, or a meta-estimator fitted with ``interactions=...``.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **kwargs
            Options of :meth:`plot`.

        Returns
        -------
        display : InteractionsDisplay
        """
        return cls(result).plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, method="hessian", ax=None,
                       **kwargs):
        """Compute the interactions with :func:`~skimportance.feature_interactions`
        and draw them.

        Parameters
        ----------
        estimator : fitted estimator
            As for :func:`~skimportance.feature_interactions`.
        X : array-like of shape (n_samples, n_features)
            Data.
        y : array-like, default=None
            Targets, for the methods that need them.
        method : str or InteractionMethod, default="hessian"
            The method.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **kwargs
            Options of :meth:`plot`.

        Returns
        -------
        display : InteractionsDisplay
        """
        from ..interactions._dispatch import feature_interactions

        return cls(feature_interactions(estimator, X, y, method=method)).plot(ax=ax,
                                                                              **kwargs)


class _LocalDisplay(_AxesDisplay):
    """Shared by the displays of per-row values: a result with ``local`` and its X."""

    _function = None

    def __init__(self, result, X):
        self.result = as_importances(result, type(self).__name__)
        self.X = X

    @classmethod
    def from_result(cls, result, X, *, ax=None, **kwargs):
        """Draw per-row values computed with ``return_local=True``.

        Parameters
        ----------
        result : Importances
            A result with per-row values.
        X : array-like of shape (n_samples, n_features)
            The rows they were computed on.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **kwargs
            Options of :meth:`plot`.

        Returns
        -------
        display : the display
        """
        return cls(result, X).plot(ax=ax, **kwargs)

    @classmethod
    def from_estimator(cls, estimator, X, y=None, *, method="gradient", ax=None,
                       **kwargs):
        """Compute per-row values (``return_local=True``) and draw them.

        Parameters
        ----------
        estimator : fitted estimator
            As for :func:`~skimportance.feature_importances`.
        X : array-like of shape (n_samples, n_features)
            The rows.
        y : array-like, default=None
            Targets, for the methods that need them.
        method : str or ImportanceMethod, default="gradient"
            A method that gives per-row values.
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **kwargs
            Options of :meth:`plot`.

        Returns
        -------
        display : the display
        """
        from .._dispatch import feature_importances

        result = feature_importances(estimator, X, y, method=method, return_local=True)
        return cls(result, X).plot(ax=ax, **kwargs)


class BeeswarmDisplay(_LocalDisplay):
    """Per-row values of each input, coloured by the input's value: the picture of
    :func:`~skimportance.plotting.plot_beeswarm`.

    Parameters
    ----------
    result : Importances
        A result with per-row values.
    X : array-like of shape (n_samples, n_features)
        The rows they were computed on.

    Attributes
    ----------
    result : Importances
        What is drawn.
    ax_ : matplotlib Axes
        The Axes drawn on.
    figure_ : matplotlib Figure
        Its figure.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import BeeswarmDisplay
    >>> X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(4,), max_iter=50, random_state=0).fit(X, y)
    >>> len(BeeswarmDisplay.from_estimator(mlp, X).ax_.collections)  # one per input
    3
    """

    def plot(self, ax=None, **kwargs):
        """Draw the beeswarm.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        **kwargs
            Options of :func:`~skimportance.plotting.plot_beeswarm` (``output``,
            ``max_display``).

        Returns
        -------
        display : BeeswarmDisplay
            Itself, with ``ax_`` and ``figure_``.
        """
        return self._plot(lambda ax: plot_beeswarm(self.result, self.X, ax=ax, **kwargs),
                          ax)


class DependenceDisplay(_LocalDisplay):
    """One input's per-row value against its value: the picture of
    :func:`~skimportance.plotting.plot_dependence`.

    Parameters
    ----------
    result : Importances
        A result with per-row values.
    X : array-like of shape (n_samples, n_features)
        The rows they were computed on.

    Attributes
    ----------
    result : Importances
        What is drawn.
    ax_ : matplotlib Axes
        The Axes drawn on.
    figure_ : matplotlib Figure
        Its figure.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import DependenceDisplay
    >>> X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(4,), max_iter=50, random_state=0).fit(X, y)
    >>> DependenceDisplay.from_estimator(mlp, X, feature=1).ax_.get_xlabel()
    'x1'
    """

    def plot(self, ax=None, *, feature=0, **kwargs):
        """Draw the dependence of one input.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        feature : int or str, default=0
            The input.
        **kwargs
            Options of :func:`~skimportance.plotting.plot_dependence` (``color_by``,
            ``output``).

        Returns
        -------
        display : DependenceDisplay
            Itself, with ``ax_`` and ``figure_``.
        """
        return self._plot(lambda ax: plot_dependence(self.result, self.X, feature, ax=ax,
                                                     **kwargs), ax)


class WaterfallDisplay(_LocalDisplay):
    """How one row's values add up: the picture of
    :func:`~skimportance.plotting.plot_waterfall`.

    Parameters
    ----------
    result : Importances
        A result with per-row values.
    X : array-like of shape (n_samples, n_features)
        The rows they were computed on.

    Attributes
    ----------
    result : Importances
        What is drawn.
    ax_ : matplotlib Axes
        The Axes drawn on.
    figure_ : matplotlib Figure
        Its figure.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.plotting import WaterfallDisplay
    >>> X, y = make_regression(n_samples=40, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(4,), max_iter=50, random_state=0).fit(X, y)
    >>> len(WaterfallDisplay.from_estimator(mlp, X, row=2).ax_.containers[0])
    3
    """

    def plot(self, ax=None, *, row=0, **kwargs):
        """Draw one row's waterfall.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw on; a new figure when None.
        row : int, default=0
            The row of X.
        **kwargs
            Options of :func:`~skimportance.plotting.plot_waterfall` (``output``,
            ``base_value``, ``max_display``).

        Returns
        -------
        display : WaterfallDisplay
            Itself, with ``ax_`` and ``figure_``.
        """
        return self._plot(lambda ax: plot_waterfall(self.result, row, self.X, ax=ax,
                                                    **kwargs), ax)

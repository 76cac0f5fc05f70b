"""Plots of importances, Lek profiles, rank stability and the network itself.

Needs matplotlib (``pip install matplotlib``), imported only when a plot is
drawn, so this module imports without it. Each function draws on the ``ax`` (or
``fig``) it is given, or on a new figure, and returns it.

- :func:`plot_importances`: bar chart of a result, or a heatmap of its values per output.
- :func:`plot_profiles`: Lek profiles, as NeuralNetTools' ``lekprofile``.
- :func:`plot_network`: the network's weights, as NeuralNetTools' ``plotnet``.
- :func:`plot_rank_stability`: places of each input over refits (``n_refits > 1``).
- :func:`plot_comparison`: several methods' normalised importances side by side.
- :func:`plot_faithfulness`: the score curves of :func:`~skimportance.evaluate_methods`.
- :func:`plot_beeswarm`, :func:`plot_dependence`, :func:`plot_waterfall`: per-row values
  (``return_local=True``): all rows by input, one input against its value, one row.
- :func:`plot_dependence_matrix`: how the inputs depend on each other
  (:func:`~skimportance.feature_dependence`), before trusting a permutation.
- :func:`plot_interactions`: heatmap of pairwise interactions
  (:func:`~skimportance.feature_interactions`); :func:`plot_interaction_surface`: the
  two-way partial dependence of one pair.

scikit-learn's display convention, one class per picture (``from_estimator(estimator,
X, y, ...)``, ``from_result(result)``, ``plot(ax=...)``, ``figure_`` and ``ax_``):
:class:`ImportancesDisplay`, :class:`ProfilesDisplay`, :class:`NetworkDisplay`,
:class:`RankStabilityDisplay`, :class:`ComparisonDisplay`, :class:`FaithfulnessDisplay`,
:class:`InteractionsDisplay`, :class:`BeeswarmDisplay`, :class:`DependenceDisplay` and
:class:`WaterfallDisplay`; the ``plot_*`` functions are their short cuts.
"""

from ._comparison import plot_comparison
from ._dependence import plot_dependence_matrix
from ._diagram import plot_network
from ._display import (
    BeeswarmDisplay,
    ComparisonDisplay,
    DependenceDisplay,
    FaithfulnessDisplay,
    ImportancesDisplay,
    InteractionsDisplay,
    NetworkDisplay,
    ProfilesDisplay,
    RankStabilityDisplay,
    WaterfallDisplay,
)
from ._faithfulness import plot_faithfulness
from ._importances import plot_importances
from ._interactions import plot_interaction_surface, plot_interactions
from ._local import plot_beeswarm, plot_dependence, plot_waterfall
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
    "plot_beeswarm",
    "plot_comparison",
    "plot_dependence",
    "plot_dependence_matrix",
    "plot_faithfulness",
    "plot_importances",
    "plot_interaction_surface",
    "plot_interactions",
    "plot_network",
    "plot_profiles",
    "plot_rank_stability",
    "plot_waterfall",
]

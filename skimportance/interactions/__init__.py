"""Interaction methods: which inputs of a network act together.

Each method is a small scikit-learn style object (its parameters can be grid-searched)
returning an :class:`Interactions`: one symmetric matrix per output. Select one by name
in :func:`skimportance.feature_interactions` or the meta-estimators' ``interactions``.
"""

from ._base import (INTERACTION_METHODS, InteractionMethod, NetworkInteractionMethod,
                    get_interaction_method, register_interaction)
from ._h_statistic import HStatistic
from ._hessian import Hessian
from ._differences import SecondDifferences
from ._result import Interactions, block_sums, combine_interactions

__all__ = ["HStatistic", "Hessian", "SecondDifferences",
           "INTERACTION_METHODS", "InteractionMethod", "Interactions",
           "NetworkInteractionMethod", "block_sums", "combine_interactions", "get_interaction_method",
           "register_interaction"]

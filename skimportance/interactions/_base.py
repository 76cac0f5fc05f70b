"""The contract of interaction methods, and their registry.

An interaction method is a small scikit-learn style object, as an importance method is
(:class:`skimportance.methods.ImportanceMethod`): ``__init__`` stores parameters, the
class attributes declare what it needs and gives, and :meth:`InteractionMethod.compute`
is the template that validates, calls ``_compute`` and returns an
:class:`~skimportance.interactions.Interactions`.
"""

from difflib import get_close_matches

import numpy as np
from sklearn.base import BaseEstimator, clone

from ..methods._base import Inputs, column_scale, output_names
from ..network import NotAnMLPError, entry_columns, final_step, is_mlp, network_inputs
from ._result import Interactions

__all__ = ["INTERACTION_METHODS", "InteractionMethod", "NetworkInteractionMethod",
           "get_interaction_method", "register_interaction"]

INTERACTION_METHODS = {}


def register_interaction(cls):
    """Class decorator: make ``cls`` selectable by its ``name``."""
    if cls.name in INTERACTION_METHODS:
        raise ValueError(f"Two interaction methods are named {cls.name!r}.")
    INTERACTION_METHODS[cls.name] = cls
    return cls


def get_interaction_method(method):
    """Turn a method name or object into a fresh method object (never the caller's).

    Examples
    --------
    >>> from skimportance.interactions import get_interaction_method
    >>> get_interaction_method("hessian")
    Hessian()
    """
    if isinstance(method, str):
        if method not in INTERACTION_METHODS:
            close = get_close_matches(method.lower(), sorted(INTERACTION_METHODS), n=3,
                                      cutoff=0.5)
            hint = f" Did you mean {' or '.join(map(repr, close))}?" if close else ""
            raise ValueError(f"Unknown interaction method {method!r}.{hint} Choose one of "
                             f"{sorted(INTERACTION_METHODS)} or an interaction method "
                             "object from skimportance.interactions.")
        return INTERACTION_METHODS[method]()
    if isinstance(method, type):
        raise TypeError(f"method={method.__name__} is a class; pass an instance, "
                        f"method={method.__name__}(), or its name.")
    if isinstance(method, InteractionMethod):
        return clone(method)
    raise TypeError(f"An interaction method must be one of {sorted(INTERACTION_METHODS)} "
                    "or an object from skimportance.interactions; got "
                    f"{type(method).__name__}.")


class InteractionMethod(BaseEstimator):
    """Base class of the interaction methods.

    Attributes
    ----------
    name : str
        The string that selects the method, e.g. ``"hessian"``.
    needs_network : bool
        Reads the weights of an MLP (else works with any fitted estimator).
    needs_y : bool
        Scores the model against the true targets.
    has_local : bool
        Gives per-row values with ``return_local=True``.
    signed : bool
        ``per_output`` carries a direction (its sign), not only a magnitude.
    random : bool
        Draws random numbers, controlled by its ``random_state`` parameter.
    """

    name = None
    needs_network = True
    needs_y = False
    has_local = False
    signed = False
    random = False
    _parameter_constraints: dict = {}

    def compute(self, estimator, X, y=None, *, scale=True, sample_weight=None,
                feature_names=None, feature_groups=None, return_local=False):
        """Compute the interactions of a fitted estimator's inputs.

        Parameters are those of :meth:`skimportance.methods.ImportanceMethod.compute`
        (validated data; ``feature_groups`` resolved column indices).

        Returns
        -------
        result : Interactions
        """
        self._validate_params()
        if X is None:
            raise ValueError(f"Interaction method {self.name!r} needs X: it evaluates the "
                             "model on data.")
        if self.needs_y and y is None:
            raise ValueError(f"Interaction method {self.name!r} needs the true targets y.")
        if return_local and not self.has_local:
            local = sorted(n for n, c in INTERACTION_METHODS.items() if c.has_local)
            raise ValueError(f"return_local=True needs an interaction method with per-row "
                             f"values ({', '.join(local)}); {self.name!r} has none.")
        self.check(estimator)
        return self._compute(Inputs(estimator, X, y, scale=scale, sample_weight=sample_weight,
                                    feature_names=feature_names,
                                    feature_groups=feature_groups,
                                    return_local=return_local))

    def check(self, estimator, *, single_result=False):
        """Raise a clear error if the method cannot run on ``estimator`` (fitted or not)."""
        if not self.needs_network or is_mlp(final_step(estimator)[1]):
            return
        others = sorted(n for n, c in INTERACTION_METHODS.items() if not c.needs_network)
        raise NotAnMLPError(
            f"Interaction method {self.name!r} reads the weights of a neural network, so it "
            "needs an MLPRegressor or MLPClassifier (or a Pipeline ending in one); got "
            f"{type(final_step(estimator)[1]).__name__}. Interaction methods that work "
            f"with any fitted estimator: {', '.join(map(repr, others))}.")

    def _compute(self, inputs):
        """Return the Interactions of ``inputs`` (a :class:`skimportance.methods._base.Inputs`)."""
        raise NotImplementedError


class NetworkInteractionMethod(InteractionMethod):
    """An interaction method computed from a fitted MLP's layers.

    Subclasses implement ``_matrices(net, X, sigma, sample_weight, return_local,
    entries)``, returning ``(per_output, spread, local)``: arrays of shape
    ``(n_outputs, E, E)``, ``(n_outputs, E, E)`` or None, and ``(n_samples, n_outputs,
    E, E)`` or None, for inputs measured in units of ``sigma``. ``entries`` is None (one
    entry per network input) or the network inputs of each entry (an encoded column of
    X, a group): each row's matrix is summed over the blocks of the entries
    (``block_sums``) before it is aggregated, so that a nonlinear aggregate (mean
    of ``|h|``, root mean square, spread) is that of the entries' per-row values.
    """

    def _compute(self, inputs):
        X, sample_weight = inputs.X, inputs.sample_weight
        net, X_net, owners = network_inputs(inputs.estimator, X, self.name)
        if X_net.shape[1] != net.n_features:
            raise ValueError(f"X has {X_net.shape[1]} features, but the network takes "
                             f"{net.n_features}.")
        sigma = column_scale(X_net, sample_weight) if inputs.scale else \
            np.ones(net.n_features)
        entries = entry_columns(owners, inputs.feature_groups)
        per_output, spread, local = self._matrices(net, X_net, sigma, sample_weight,
                                                   inputs.return_local, entries)
        return Interactions(per_output, method=self.name,
                            feature_names=inputs.feature_names,
                            output_names=output_names(inputs.estimator, net.n_outputs),
                            spread=spread, local=local if inputs.return_local else None)

    def _matrices(self, net, X, sigma, sample_weight, return_local, entries):
        raise NotImplementedError

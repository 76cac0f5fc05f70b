"""Path methods: integrated gradients of the inputs and conductance of hidden units."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..network import entry_columns
from .._groups import combine_columns
from .._result import Importances
from ._base import NetworkMethod, output_names
from ._registry import register
from ._exact_paths import check_exact, exact_path_integrals
from ._path_integrals import QUADRATURES, path_integrals, quadrature, resolve_baseline

__all__ = ["Conductance", "IntegratedGradients"]

_PATH_CONSTRAINTS = {
    "baseline": [StrOptions({"mean", "zeros", "median"}), "array-like"],
    "n_steps": [Interval(Integral, 1, None, closed="left")],
    "quadrature": [StrOptions(set(QUADRATURES))],
    "output": [StrOptions({"proba", "logit"})],
}


class _PathMethod(NetworkMethod):
    """Shared computation of integrated gradients and conductance."""

    needs_X = True
    has_local = True

    def _layers(self, net):
        return []

    _why_X = ("it integrates the network's gradients along a path from a baseline to "
              "each row of X")

    def _by_input(self):
        """Whether unit values are split by input (conductance's ``by_input``)."""
        return False

    def _compute(self, inputs):
        """The attributions; see the class docstring. ``scale`` has no effect.

        With ``return_local=True`` the result also holds the per-row values (``local``,
        and ``neuron_local`` for conductance).
        """
        estimator, sample_weight = inputs.estimator, inputs.sample_weight
        feature_groups, return_local = inputs.feature_groups, inputs.return_local
        feature_names = inputs.feature_names
        net, X, owners = self._network(estimator, inputs.X)
        columns = entry_columns(owners, feature_groups)
        layers = self._layers(net)
        by_input = self._by_input()
        B = resolve_baseline(self.baseline, X, sample_weight)
        if self.quadrature == "exact":
            check_exact(net, self.output)
            integrals = exact_path_integrals(net, X, B, self.output)
        else:
            alphas, weights = quadrature(self.quadrature, self.n_steps)
            integrals = path_integrals(net, X, B, alphas, weights, self.output, layers,
                                       by_input)

        n, k = X.shape[0], net.n_outputs
        p = net.n_features if columns is None else len(columns)
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        ig_total = np.zeros((k, p))
        unit_totals = {l: 0.0 for l in layers}
        delta = np.empty((n, k))
        local = np.empty((n, k, p)) if return_local else None
        neuron_local = {}
        F_base = net.predict(B, self.output) if B.shape[0] == 1 else None
        for rows, ig, conductances in integrals:
            F_x = net.predict(X[rows], self.output)
            F_b = F_base if F_base is not None else net.predict(B[rows], self.output)
            delta[rows] = ig.sum(axis=2) - (F_x - F_b)
            if columns is not None:
                # Attributions add up (completeness), so a group's is its columns' sum.
                ig = combine_columns(ig, columns, signed_singletons=False)
                if by_input:
                    conductances = {l: combine_columns(c, columns, signed_singletons=False)
                                    for l, c in conductances.items()}
            ig_total += np.tensordot(w[rows], np.abs(ig), axes=1)
            if return_local:
                local[rows] = ig
            for l, cond in conductances.items():
                per_unit = cond.sum(axis=3) if by_input else cond
                unit_totals[l] = unit_totals[l] + np.tensordot(w[rows], np.abs(per_unit),
                                                               axes=1)
                if return_local:
                    if l not in neuron_local:
                        neuron_local[l] = np.empty((n,) + cond.shape[1:])
                    neuron_local[l][rows] = cond

        extras = {"convergence_delta": delta, "local": local,
                  **self._unit_extras(layers, unit_totals, neuron_local, w.sum())}
        return Importances(ig_total / w.sum(), method=self.name,
                           feature_names=feature_names,
                           output_names=output_names(estimator, k), extras=extras)

    def _unit_extras(self, layers, unit_totals, neuron_local, total_weight):
        """Conductance's values of hidden units: one array, or a list for layer="all"."""
        if not layers:
            return {}
        single = self.layer != "all"
        units = [unit_totals[l] / total_weight for l in layers]
        extras = {"neuron_importances": units[0] if single else units}
        if neuron_local:
            rows_units = [neuron_local[l] for l in layers]
            extras["neuron_local"] = rows_units[0] if single else rows_units
        return extras


@register
class IntegratedGradients(_PathMethod):
    """Integrated gradients (Sundararajan, Taly & Yan 2017): mean ``|IG_i|`` over rows.

    For a row x and a baseline x', with F an output of the network::

        IG_i(x) = (x_i - x'_i) * integral_0^1 dF/dx_i(x' + a (x - x')) da

    The integral is a quadrature over ``n_steps`` points of the straight path, with
    exact gradients by back-propagation; all the points of a chunk of rows go through
    the network in one batched pass. Completeness, ``sum_i IG_i(x) = F(x) - F(x')``,
    holds up to the quadrature error, which the result reports per row and output as
    ``convergence_delta = sum_i IG_i(x) - (F(x) - F(x'))``. Gauss-Legendre is exact to
    rounding for smooth networks (tanh, logistic) at the default 50 steps. A ReLU
    network's integrand is piecewise constant, so every rule's error falls like
    ``1 / n_steps`` (about 5e-3 of ``|F(x) - F(x')|`` at 50 steps on a (128, 64) ReLU
    regressor, 3e-4 at 1000): check ``convergence_delta`` and raise ``n_steps``, or use
    ``quadrature="exact"``, the sum over the path's linear pieces (2.6 times the 50-step
    rule's time there, completeness to rounding).

    The importance of input i for output k is the mean of ``|IG_i(x)|`` over the rows
    of X (weighted by ``sample_weight``). IG is in the units of the output and does not
    depend on the units of the inputs, so ``scale`` has no effect on it. Per-row values:
    ``feature_importances(..., return_local=True).local``, shape
    ``(n_samples, n_outputs, n_features)``. Selected by ``"integrated_gradients"``.

    Extra memory: the per-row ``convergence_delta`` (n_samples x n_outputs), one chunk of
    path points per thread (each about 8 MiB, or half of scikit-learn's
    ``working_memory`` if that is smaller; 10 MB in all measured on two threads for
    X (100000, 20), 3.9 MB with a ``working_memory`` of 4 MiB) and, with
    ``return_local=True``, the ``local`` array it returns. The ``"median"`` baseline,
    and the ``"mean"`` one with ``sample_weight``, also hold a copy of X while they are
    computed (the weighted median about 4 copies).

    Parameters
    ----------
    baseline : {"mean", "zeros", "median"} or array-like, default="mean"
        The reference input x': the column means of X (weighted by ``sample_weight``),
        zeros, the column medians, or an array: one row, shape ``(n_features,)`` or
        ``(1, n_features)``, or one row per row of X, ``(n_samples, n_features)``.
        Behind a Pipeline step that encodes columns (a ``OneHotEncoder``), the path
        runs between the encoded rows, so the mean baseline holds each category's
        share and an array baseline is given in the encoded columns.
    n_steps : int, default=50
        Number of quadrature points along the path.
    quadrature : {"gausslegendre", "riemann_left", "riemann_right", "riemann_middle", \
"riemann_trapezoid", "exact"}, default="gausslegendre"
        Quadrature rule, named as in captum. Gauss-Legendre nodes and weights come from
        ``numpy.polynomial.legendre.leggauss`` mapped to [0, 1]; the Riemann rules use
        ``n_steps`` equal steps (left ends, right ends or midpoints); the trapezoid rule
        uses ``n_steps`` nodes from 0 to 1, both included, and needs ``n_steps >= 2``.
        Every rule's weights sum to 1 (captum's trapezoid weights sum to
        ``1 - 1/n_steps``), so a linear network is integrated exactly.
        ``"exact"`` (integrated gradients only, ReLU or identity hidden units): the sum
        over the path's linear pieces, exact to rounding (``n_steps`` is then unused);
        an identity, logistic or exp output with ``output="proba"``, any with
        ``"logit"``.
    output : {"logit", "proba"}, default="logit"
        What F is: the pre-activation of each output unit, or the output after the
        output activation (the prediction of a regressor, each class's probability).

    See Also
    --------
    Conductance : The same flow of attribution through each hidden unit.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import IntegratedGradients
    >>> X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), activation="tanh", max_iter=50,
    ...                    random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, method=IntegratedGradients(),
    ...                              return_local=True)
    >>> result.local.shape  # (n_samples, n_outputs, n_features)
    (100, 1, 3)
    >>> gap = mlp.predict(X) - mlp.predict(X.mean(axis=0, keepdims=True))
    >>> bool(np.allclose(result.local.sum(axis=2)[:, 0], gap))  # completeness
    True
    """

    name = "integrated_gradients"
    _parameter_constraints = {**_PATH_CONSTRAINTS,
                              "quadrature": [StrOptions(set(QUADRATURES) | {"exact"})]}

    def __init__(self, baseline="mean", n_steps=50, quadrature="gausslegendre", output="logit"):
        self.baseline = baseline
        self.n_steps = n_steps
        self.quadrature = quadrature
        self.output = output


@register
class Conductance(_PathMethod):
    """Conductance of hidden units (Dhamdhere, Sundararajan & Yan 2018).

    The flow of integrated gradients through unit j of a hidden layer: with z_j its
    pre-activation (the same flow as through its activation f(z_j)) and
    ``x(a) = x' + a (x - x')`` the straight path from the baseline::

        Cond_j(x)  = integral_0^1 dF/dz_j(x(a)) * dz_j(x(a))/da da
        Cond_ij(x) = (x_i - x'_i) integral_0^1 dF/dz_j(x(a)) * dz_j/dx_i(x(a)) da

    What is computed: the same quadrature as :class:`IntegratedGradients`, at the same
    nodes a_s and weights w_s, ``Cond_j = sum_s w_s dF/dz_j(x(a_s)) dz_j/da(x(a_s))``,
    with ``dF/dz_j`` by back-propagation and ``dz_j/da`` exactly by forward-mode
    differentiation along the path. Neither Shrikumar et al.'s differences of
    activations between consecutive points nor captum's step scheme is used: with the
    same nodes for every quantity, the chain rule holds at each node, so
    ``sum_j Cond_ij = IG_i`` for every input and layer, and the units of one layer add
    up to ``sum_i IG_i``, both to rounding. The completeness error of every layer,
    ``sum_j Cond_j - (F(x) - F(x'))``, is therefore that of integrated gradients, which
    the result reports as ``convergence_delta``.

    The importance of a unit is the mean ``|Cond_j|`` over the rows of X, per output,
    set as ``neuron_importances`` on the result (``neuron_importances_`` on the
    meta-estimators). The input-level ``per_output`` and ``feature_importances_`` are
    those of integrated gradients. ``scale`` has no effect. Selected by
    ``"conductance"``.

    Extra memory: as :class:`IntegratedGradients` (the per-row ``convergence_delta``, a
    chunk of path points of about 8 MiB per thread, and the baselines' copies of X), and
    with ``return_local=True`` the ``local`` and ``neuron_local`` arrays it returns
    (``n_samples x n_outputs x n_units``, times ``n_features`` with ``by_input``).

    Parameters
    ----------
    layer : int or "all", default=0
        Which hidden layer: 0 is the first; negative values count from the last, as in
        Python. ``"all"`` computes every hidden layer, and the neuron values become lists
        with one array per layer.
    baseline : {"mean", "zeros", "median"} or array-like, default="mean"
        The reference input x', as in :class:`IntegratedGradients`.
    n_steps : int, default=50
        Number of quadrature points along the path.
    quadrature : {"gausslegendre", "riemann_left", "riemann_right", "riemann_middle", \
"riemann_trapezoid"}, default="gausslegendre"
        Quadrature rule, as in :class:`IntegratedGradients`.
    output : {"logit", "proba"}, default="logit"
        What F is, as in :class:`IntegratedGradients`.
    by_input : bool, default=False
        With ``return_local=True``, give the per-row values by input too:
        ``neuron_local`` of shape ``(n_samples, n_outputs, n_units, n_features)``
        holds ``Cond_ij``; summed over the last axis it is ``Cond_j``, summed over
        units it is ``IG_i``. Costs a Jacobian per path point for layers past the first.

    See Also
    --------
    IntegratedGradients : The attribution to the inputs that conductance decomposes.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import Conductance
    >>> X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5, 4), activation="tanh", max_iter=50,
    ...                    random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, method=Conductance(layer="all"),
    ...                              return_local=True)
    >>> [units.shape for units in result.neuron_importances]  # (n_outputs, n_units)
    [(1, 5), (1, 4)]
    >>> result.neuron_local[1].shape  # (n_samples, n_outputs, n_units)
    (100, 1, 4)
    >>> ig_total = result.local.sum(axis=2)  # every layer carries all of it
    >>> all(np.allclose(c.sum(axis=2), ig_total) for c in result.neuron_local)
    True
    """

    name = "conductance"
    has_units = True
    _parameter_constraints = {
        **_PATH_CONSTRAINTS,
        "layer": [Interval(Integral, None, None, closed="neither"), StrOptions({"all"})],
        "by_input": ["boolean"],
    }

    def __init__(self, layer=0, baseline="mean", n_steps=50, quadrature="gausslegendre",
                 output="logit", by_input=False):
        self.layer = layer
        self.baseline = baseline
        self.n_steps = n_steps
        self.quadrature = quadrature
        self.output = output
        self.by_input = by_input

    def _by_input(self):
        return self.by_input

    def _layers(self, net):
        L = net.n_hidden_layers
        if L == 0:
            raise ValueError(
                "Conductance needs a hidden layer, and this network has none; use "
                "IntegratedGradients for the inputs."
            )
        if self.layer == "all":
            return list(range(L))
        if not -L <= self.layer < L:
            raise ValueError(
                f"layer={self.layer} is out of range: the network has {L} hidden "
                f"layer{'s' if L > 1 else ''}, so layer must be in {-L}..{L - 1} or 'all'."
            )
        return [self.layer % L]

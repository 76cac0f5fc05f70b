"""The exact Hessian of a smooth network's outputs, aggregated over rows."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ..network import hessian_batches, row_summary
from ._base import NetworkInteractionMethod, register_interaction

__all__ = ["Hessian"]

_CONSTRAINTS = {
    "output": [StrOptions({"proba", "logit"})],
    "aggregate": [StrOptions({"mean_abs", "rms", "mean", "std"})],
    "ddof": [Interval(Integral, 0, None, closed="left")],
    "n_jobs": [Integral, None],
}


def summarise_rows(batches, n, k, E, sample_weight, return_local, ddof):
    """``row_summary`` of the per-row matrices, keeping them when ``return_local``."""
    local = np.empty((n, k, E, E)) if return_local else None

    def kept():
        for rows, values in batches:
            if local is not None:
                local[rows] = values
            yield rows, values

    return row_summary(kept(), n, sample_weight, ddof), local


@register_interaction
class Hessian(NetworkInteractionMethod):
    """Second derivatives of each output, ``d2F_k / dx_i dx_j``, aggregated over rows.

    The derivatives are exact: the forward tangents of every layer's pre-activation
    along all the inputs at once, and one backward pass for the adjoints, in chunks
    of rows (memory stays a few MiB beyond the result). With ``scale=True`` the inputs
    are measured in units of their standard deviation ``sigma`` in X::

        per_output[k, i, j] = aggregate over rows of  sigma_i sigma_j d2F_k/dx_i dx_j (x)

    Off the diagonal, how much the effect of input i changes when input j moves (zero
    for all rows when F is additive in the two); on the diagonal, the curvature of the
    output along input i alone. ``spread`` is the standard deviation over rows.
    For an encoded column or a ``feature_groups`` entry, each row's matrix is summed
    over the entries' blocks first (the second derivative along moving all their
    inputs together, each by its own sigma), then aggregated. Selected by
    ``"hessian"``.

    For ReLU (or identity) hidden units the second derivative is zero almost
    everywhere: the Hessian is only the output activation's curvature, which is zero
    for a regressor's identity output, whatever the network computes. A network
    whose Hessian is zero on all the rows gets a ``UserWarning`` naming
    ``"differences"`` (:class:`SecondDifferences`), which measures interactions on
    steps of each input's size and sees the kinks. With a logistic, softmax or exp
    output the Hessian of such a network is the output's curvature alone,
    ``F''(z) g g^T`` per row (``g`` the gradient of the logits), which pairs every two
    inputs with large gradients whether they interact or not: that warns too.

    With ``scale=False``, ``aggregate`` in ``"mean"``, ``"rms"``, ``"std"`` and
    ``ddof=1``, the values are NeuralSens' ``HessianMLP`` ``mean``, ``meanSensSQ`` and
    ``std`` (R's ``sd`` divides by N - 1; the default ``ddof=0``, the population
    standard deviation, is :class:`~skimportance.methods.Gradient`'s).

    Parameters
    ----------
    output : {"proba", "logit"}, default="proba"
        What F is: the network's output after its output activation (identity,
        logistic, softmax, exp), or its logits before it.
    aggregate : {"mean_abs", "rms", "mean", "std"}, default="mean_abs"
        How the per-row values are summarised: mean of ``|h|``, root mean square,
        signed mean or standard deviation, weighted by ``sample_weight``.
    ddof : int, default=0
        Delta degrees of freedom of ``std`` (and of ``spread``): the sum of squared
        deviations is divided by ``sum(sample_weight) - ddof`` (frequency weights).
    n_jobs : int, default=None
        Threads sharing the chunks of rows, BLAS on one thread each (None: as many as
        BLAS uses); the numbers do not depend on it.

    See Also
    --------
    SecondDifferences : Mixed second differences; right for ReLU networks too.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance.interactions import Hessian
    >>> from skimportance.interactions._dispatch import feature_interactions
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(300, 3))
    >>> y = X[:, 0] * X[:, 1] + X[:, 2]
    >>> mlp = MLPRegressor(hidden_layer_sizes=(16,), activation="tanh", solver="lbfgs",
    ...                    max_iter=500, random_state=0).fit(X, y)
    >>> result = feature_interactions(mlp, X, method=Hessian(aggregate="mean"),
    ...                               return_local=True)
    >>> result.top_pairs(1)[0][:2]
    ('x0', 'x1')
    >>> result.local.shape  # (n_samples, n_outputs, n_features, n_features)
    (300, 1, 3, 3)
    """

    name = "hessian"
    has_local = True
    _parameter_constraints = _CONSTRAINTS

    def __init__(self, output="proba", aggregate="mean_abs", ddof=0, n_jobs=None):
        self.output = output
        self.aggregate = aggregate
        self.ddof = ddof
        self.n_jobs = n_jobs

    @property
    def signed(self):
        """Only the signed mean keeps a direction."""
        return self.aggregate == "mean"

    def _matrices(self, net, X, sigma, sample_weight, return_local, entries):
        n, k = X.shape[0], net.n_outputs
        E = net.n_features if entries is None else len(entries)
        batches = hessian_batches(net, X, self.output, entries=entries, scale=sigma,
                                  n_jobs=self.n_jobs)
        summary, local = summarise_rows(batches, n, k, E, sample_weight, return_local,
                                        self.ddof)
        if not summary["max_abs"].any():
            warnings.warn(
                f"The Hessian of this network ({net.activation} hidden units, "
                f"{net.out_activation} output) is zero on every row of X: "
                + ("its hidden units are piecewise linear, so their second derivative is "
                   "zero almost everywhere, which says nothing about interactions. "
                   if net.activation in ("relu", "identity") else "")
                + "Use method='differences' (mixed second differences over steps of each "
                  "input's size) to measure interactions.", UserWarning, stacklevel=6)
        elif net.activation in ("relu", "identity") and self.output == "proba" and \
                net.out_activation != "identity":
            # Then H = s''(z) g g^T per row (g the logits' gradient): it pairs any two
            # inputs that matter, whether or not the network makes them interact.
            warnings.warn(
                f"This network's hidden units are {net.activation}, whose second "
                "derivative is zero almost everywhere: its Hessian is only the curvature "
                f"of the {net.out_activation} output, which is large for every pair of "
                "inputs with large gradients, whether they interact or not. Use "
                "method='differences' to measure interactions, or output='logit' (the "
                "Hessian of the logits, zero here).", UserWarning, stacklevel=6)
        return summary[self.aggregate], summary["std"], local

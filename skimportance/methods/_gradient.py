"""Gradient sensitivity: exact input gradients, aggregated over rows."""

import numpy as np
from sklearn.utils._param_validation import StrOptions

from ._base import NetworkMethod
from ._registry import register

__all__ = ["Gradient"]


@register
class Gradient(NetworkMethod):
    """Sensitivity of each output to each input, ``dF_k / dx_i``, aggregated over rows.

    The derivatives are exact, by back-propagation through the network ("partial
    derivatives", PaD, in Gevrey, Dimopoulos & Lek 2003). With ``scale=True`` they are
    multiplied by the standard deviation of the input, ``sigma_i <|dF/dx_i|>``, so an
    input measured in millimetres is not favoured over the same input in metres.
    Rows are processed in chunks of about 8 MiB of intermediates (less if scikit-learn's
    ``working_memory`` is smaller), and ``sigma`` in chunks of about 2 MiB, so the extra
    memory is a few MiB plus one weight per row, for any number of rows (when a Pipeline's
    steps do not fold into the first layer, it also holds their output). Selected by
    ``"gradient"``.

    A large gradient says the model is sensitive to an input, which is not the same as
    the input being useful: an overfitted network can be sensitive to noise.

    Parameters
    ----------
    output : {"proba", "logit"}, default="proba"
        What F is: the network's output after its output activation (the prediction of
        a regressor, each class's probability for a classifier), or ``"logit"``, the
        pre-activation of each output unit.
    aggregate : {"mean_abs", "rms", "mean", "std"}, default="mean_abs"
        How the per-row derivatives are summarised: mean of ``|d|``, root mean square
        (NeuralSens' meanSensSQ), signed mean, or standard deviation. Rows are weighted
        by ``sample_weight`` when given.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import Gradient
    >>> X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, method=Gradient(aggregate="rms"))
    >>> result.per_output.shape
    (1, 3)
    """

    name = "gradient"
    needs_X = True
    _parameter_constraints = {
        "output": [StrOptions({"proba", "logit"})],
        "aggregate": [StrOptions({"mean_abs", "rms", "mean", "std"})],
    }

    def __init__(self, output="proba", aggregate="mean_abs"):
        self.output = output
        self.aggregate = aggregate

    @property
    def signed(self):
        """Only the signed mean keeps a direction."""
        return self.aggregate == "mean"

    def _per_output(self, net, X, sigma, sample_weight):
        w = np.ones(X.shape[0]) if sample_weight is None else sample_weight
        if self.aggregate == "std":
            return np.sqrt(self._variance(net, X, w)) * sigma
        f = {"mean_abs": np.abs, "rms": np.square, "mean": None}[self.aggregate]
        total = np.zeros((net.n_outputs, net.n_features))
        for rows, J in net.gradient_batches(X, self.output):
            total += np.tensordot(w[rows], J if f is None else f(J), axes=1)
        mean = total / w.sum()
        return (np.sqrt(mean) if self.aggregate == "rms" else mean) * sigma

    def _variance(self, net, X, w):
        # Chunks are merged with Chan et al.'s pairwise update: stable in one pass.
        count, mean, m2 = 0.0, 0.0, 0.0
        for rows, J in net.gradient_batches(X, self.output):
            wb = w[rows]
            nb = wb.sum()
            if nb == 0:
                continue
            mb = np.tensordot(wb, J, axes=1) / nb
            m2b = np.tensordot(wb, (J - mb) ** 2, axes=1)
            delta, total = mb - mean, count + nb
            m2 = m2 + m2b + delta**2 * (count * nb / total)
            mean = mean + delta * (nb / total)
            count = total
        return m2 / count

"""Methods that read the weights only: weight magnitude, Garson, connection weights."""

import numpy as np
from sklearn.utils._param_validation import StrOptions

from ._base import NetworkMethod
from ._registry import register

__all__ = ["WeightMagnitude", "Garson", "ConnectionWeight"]


def _shares(A):
    """Divide by the sum over axis 0; columns that sum to zero get zero shares."""
    totals = A.sum(axis=0)
    return np.divide(A, totals, out=np.zeros_like(A), where=totals > 0)


def _first_layer(net, sigma):
    # The first layer of the same network fed by x / sigma (METHODS.md: input scale).
    return sigma[:, None] * net.coefs[0]


@register
class WeightMagnitude(NetworkMethod):
    """Sum of absolute first-layer weights of each input, ``sigma_i * sum_j |W1[i, j]|``.

    Only the first layer is used: past it, no weight belongs to one input more than to
    another. It says nothing of outputs, so ``per_output`` has a single row.
    Extra memory: the network's weights and, with ``scale=True``, one chunk of rows of
    about 2 MiB for the input scale; nothing that grows with X (0.14 times the size of X
    for X (100000, 20)). Selected by the string ``"weights"``.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import WeightMagnitude
    >>> X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, y)
    >>> feature_importances(mlp, X, method=WeightMagnitude()).per_output.shape
    (1, 3)
    """

    name = "weights"

    def __init__(self):
        pass

    def _per_output(self, net, X, sigma, sample_weight):
        return np.abs(_first_layer(net, sigma)).sum(axis=1)[None, :]


@register
class Garson(NetworkMethod):
    """Garson's algorithm (Garson 1991, as written by Goh 1995), for any depth.

    With one hidden layer, w the input-to-hidden and v the hidden-to-output weights::

        Q_ik = sum_j ( |w_ij| / sum_r |w_rj| ) |v_jk|,  normalised so sum_i Q_ik = 1.

    Deeper networks carry the share of each hidden unit that belongs to input i forward,
    layer by layer, ``C_im = sum_j C_ij |W_jm| / sum_j' |W_j'm|``, and weigh the last
    hidden layer's shares by ``|W_L|``. Biases are not used. Extra memory: the network's
    weights and, with ``scale=True``, one chunk of rows of about 2 MiB for the input
    scale; nothing that grows with X. Selected by ``"garson"``.

    Parameters
    ----------
    variant : {"garson", "neuralnettools"}, default="garson"
        ``"neuralnettools"`` reproduces R's NeuralNetTools ``garson`` and caret's
        ``GarsonWeights``. They multiply first, ``P_ij = |w_ij| |v_jk|``, and then
        normalise over the inputs within each hidden unit, so ``|v_jk|`` cancels: the
        hidden-to-output weights play no part and every output gets the same values.
        That is why users of those tools see identical importances for every class. It is
        offered to reproduce their numbers, not as a default. Defined for one hidden
        layer only, as in those tools.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import Garson
    >>> X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, method=Garson())
    >>> round(float(result.per_output.sum()), 12)  # one output: the shares sum to 1
    1.0
    """

    name = "garson"
    _parameter_constraints = {"variant": [StrOptions({"garson", "neuralnettools"})]}

    def __init__(self, variant="garson"):
        self.variant = variant

    def _per_output(self, net, X, sigma, sample_weight):
        W1 = np.abs(_first_layer(net, sigma))
        if net.n_hidden_layers == 0:
            return _shares(W1).T
        W_out = np.abs(net.coefs[-1])
        if self.variant == "neuralnettools":
            if net.n_hidden_layers != 1:
                raise ValueError(
                    "Garson(variant='neuralnettools') is defined for one hidden layer, as "
                    f"in NeuralNetTools and caret; this network has {net.n_hidden_layers}. "
                    "Use Garson() for the any-depth generalisation."
                )
            P = W1[:, :, None] * W_out[None, :, :]  # (inputs, hidden, outputs)
            Q = _shares(P).sum(axis=1)
        else:
            C = _shares(W1)
            for W in net.coefs[1:-1]:
                C = C @ _shares(np.abs(W))
            Q = C @ W_out
        return _shares(Q).T


@register
class ConnectionWeight(NetworkMethod):
    """Connection weights (Olden, Joy & Death 2004): ``(W1 @ W2 @ ... @ WL)[:, k]``.

    Signed, so the sign says the direction of an input's effect on output k; any depth;
    biases and activations are ignored. In Olden et al.'s simulations it recovered the
    true ranking of inputs best of the weight-based methods. Extra memory: the network's
    weights and, with ``scale=True``, one chunk of rows of about 2 MiB for the input
    scale; nothing that grows with X. Selected by ``"olden"``.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import ConnectionWeight
    >>> X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, y)
    >>> feature_importances(mlp, X, method=ConnectionWeight()).per_output.shape
    (1, 3)
    """

    name = "olden"
    signed = True

    def __init__(self):
        pass

    def _per_output(self, net, X, sigma, sample_weight):
        C = _first_layer(net, sigma)
        for W in net.coefs[1:]:
            C = C @ W
        return C.T

"""Gradient sensitivity: exact input gradients, per row and aggregated over rows.

Also the base of the methods with per-row values computed over chunks of rows
(``_RowMethod``: ``Gradient``, ``InputXGradient`` and ``DeepLift`` in ``_deeplift.py``,
``SmoothGrad`` in ``_noise.py``, ``ExpectedGradients``) and the seeding of their random
draws, which does not depend on the chunk sizes.
"""

import numpy as np
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._param_validation import StrOptions

from .._groups import combine_columns
from .._result import Importances
from ..network import entry_columns
from ._base import NetworkMethod, column_scale, output_names
from ._registry import register

__all__ = ["Gradient"]

# Rows per block of the random methods. Each block draws from its own generator, seeded
# by (seed, block number): the draws then do not depend on the chunk sizes (set by
# ``working_memory``), so the same random_state gives the same numbers.
RANDOM_BLOCK = 64

_BASELINE = [StrOptions({"mean", "zeros", "median"}), "array-like"]


def gradient_row_bytes(net, copies=1):
    """Bytes of intermediates per row of ``Network.input_gradients`` (as its batches)."""
    widths = [W.shape[1] for W in net.coefs]
    return copies * net.dtype.itemsize * (
        2 * sum(widths) + 3 * net.n_outputs * max(widths + [net.n_features]))


def draw_seed(random_state):
    """One integer seed from ``random_state``, as the permutation method draws it."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max + 1))


def block_generator(seed, block):
    """The generator of one block of rows: independent of how the rows are chunked."""
    return np.random.default_rng([seed, 1, block])


def row_blocks(n):
    """Yield ``(block number, rows)`` over fixed blocks of ``RANDOM_BLOCK`` rows."""
    for block, rows in enumerate(gen_batches(n, RANDOM_BLOCK)):
        yield block, rows


class _RowMethod(NetworkMethod):
    """A network method with per-row values, computed over chunks of rows.

    Subclasses implement ``_row_values(net, X, sigma, sample_weight)``, yielding
    ``(rows, values, delta)``: the values of a chunk of rows in the network's inputs,
    shape (r, n_outputs, n_inputs), and the completeness error of each row and output
    (or None). The global value is the weighted mean over rows of ``|values|``; the
    per-row values of a group of inputs (the encoded columns of one column of X, or a
    ``feature_groups`` entry) are their signed sum.
    """

    needs_X = True
    has_local = True
    # Whether ``_row_values`` takes sigma (the input scale convention applies to it).
    _scaled = False

    def _compute(self, inputs):
        sample_weight = inputs.sample_weight
        net, X, owners = self._network(inputs.estimator, inputs.X)
        sigma = (column_scale(X, sample_weight) if inputs.scale and self._scaled
                 else np.ones(net.n_features))
        columns = entry_columns(owners, inputs.feature_groups)
        n, k = X.shape[0], net.n_outputs
        p = net.n_features if columns is None else len(columns)
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        local = np.empty((n, k, p)) if inputs.return_local else None
        deltas = {}

        def batches():
            for rows, values, delta in self._row_values(net, X, sigma, sample_weight):
                if delta is not None:
                    if "delta" not in deltas:
                        deltas["delta"] = np.empty((n, k))
                    deltas["delta"][rows] = delta
                if local is not None:
                    local[rows] = self._local(values, sigma, columns)
                yield rows, values

        per_output = self._aggregate(batches(), w, sigma, columns, net)
        extras = {"local": local, "convergence_delta": deltas.get("delta")}
        return Importances(per_output, method=self.name, feature_names=inputs.feature_names,
                           output_names=output_names(inputs.estimator, k), extras=extras)

    def _local(self, values, sigma, columns):
        """The per-row values of the entries of the result."""
        if columns is None:
            return values
        return combine_columns(values, columns, signed_singletons=False)

    def _aggregate(self, batches, w, sigma, columns, net):
        """Weighted mean over rows of ``|value|``, per output and entry."""
        total = 0.0
        for rows, values in batches:
            total = total + np.tensordot(w[rows], np.abs(self._local(values, sigma, columns)),
                                         axes=1)
        return total / w.sum()

    def _row_values(self, net, X, sigma, sample_weight):
        raise NotImplementedError


@register
class Gradient(_RowMethod):
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

    Per-row values: ``feature_importances(..., return_local=True).local``, shape
    ``(n_samples, n_outputs, n_features)``, holds ``sigma_i dF_k/dx_i(x)`` for each row
    (``dF_k/dx_i`` with ``scale=False``). Behind a Pipeline step that encodes a column
    into several inputs, and for a ``feature_groups`` entry, a row's value is the sum of
    its inputs' values: the derivative along moving all of them together, each by its
    own sigma. The global values summarise the derivatives of each network input first
    (``aggregate``) and then add up over the inputs of an entry, as without
    ``return_local``.

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

    See Also
    --------
    InputXGradient : The gradient times the distance of each input from a baseline.
    SmoothGrad : The gradient averaged under Gaussian noise on the inputs.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import Gradient
    >>> X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, method=Gradient(aggregate="rms"),
    ...                              return_local=True)
    >>> result.per_output.shape
    (1, 3)
    >>> result.local.shape  # (n_samples, n_outputs, n_features)
    (100, 1, 3)
    """

    name = "gradient"
    _scaled = True
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

    def _row_values(self, net, X, sigma, sample_weight):
        # The raw Jacobian: the aggregates multiply by sigma once, at the end.
        for rows, J in net.gradient_batches(X, self.output):
            yield rows, J, None

    def _local(self, values, sigma, columns):
        return super()._local(values * sigma, sigma, columns)

    def _aggregate(self, batches, w, sigma, columns, net):
        if self.aggregate == "std":
            per_output = np.sqrt(self._variance(batches, w)) * sigma
        else:
            f = {"mean_abs": np.abs, "rms": np.square, "mean": None}[self.aggregate]
            total = np.zeros((net.n_outputs, net.n_features))
            for rows, J in batches:
                total += np.tensordot(w[rows], J if f is None else f(J), axes=1)
            mean = total / w.sum()
            per_output = (np.sqrt(mean) if self.aggregate == "rms" else mean) * sigma
        if columns is not None:
            per_output = combine_columns(per_output, columns)
        return per_output

    def _variance(self, batches, w):
        # Chunks are merged with Chan et al.'s pairwise update: stable in one pass.
        count, mean, m2 = 0.0, 0.0, 0.0
        for rows, J in batches:
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

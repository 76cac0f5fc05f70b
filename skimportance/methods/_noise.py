"""SmoothGrad: the gradient under Gaussian noise on the inputs."""

import hashlib
from numbers import Integral, Real

import numpy as np
from sklearn.utils import gen_batches
from sklearn.utils._param_validation import Interval, StrOptions

from ..network import CACHE_BYTES, chunk_rows, threaded_map
from ._base import column_scale
from ._gradient import RANDOM_BLOCK, _RowMethod, draw_seed, gradient_row_bytes
from ._registry import register

__all__ = ["SmoothGrad", "column_generators"]


def column_generators(X, seed):
    """One random generator per column of X, seeded by ``seed`` and the column's values.

    Keyed by content, not by position, a column gets the same noise wherever it stands,
    so permuting the columns permutes the attributions. Identical columns are told
    apart by their order of appearance (their noise is then independent).
    """
    generators, seen = [], {}
    for j in range(X.shape[1]):
        digest = hashlib.sha256(np.ascontiguousarray(X[:, j], dtype=float).tobytes())
        key = tuple(int.from_bytes(digest.digest()[i:i + 4], "little") for i in (0, 4, 8, 12))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        generators.append(np.random.default_rng([seed, 2, *key, occurrence]))
    return generators


@register
class SmoothGrad(_RowMethod):
    """SmoothGrad (Smilkov et al. 2017): the gradient averaged under Gaussian input noise.

    For a row x, with ``e ~ N(0, diag(s^2))`` and ``s_i = stdevs * sigma_i`` (sigma_i
    the standard deviation of input i in X, weighted by ``sample_weight``), and
    ``g(x) = dF/dx(x)`` exact by back-propagation, over ``n_samples`` draws e_1..e_S::

        smoothgrad     mean_s g_i(x + e_s)
        smoothgrad_sq  mean_s g_i(x + e_s)^2
        vargrad        mean_s g_i(x + e_s)^2 - (mean_s g_i(x + e_s))^2

    as captum's ``NoiseTunnel`` with ``nt_type`` ``"smoothgrad"``, ``"smoothgrad_sq"``
    and ``"vargrad"`` applied to the plain gradient (its ``stdevs`` is in the units of
    the input; here it is a multiple of each input's spread, so that one value suits
    every input). The variance is the population one (divided by S), as captum's, and
    is accumulated around the gradient at x itself, which keeps it accurate when it is
    small.

    With ``scale=True`` the input scale convention applies as for :class:`Gradient`:
    the gradients are those of the standardised inputs, ``sigma_i g_i``, so
    ``"smoothgrad"`` is multiplied by ``sigma_i`` and the other two, squares, by
    ``sigma_i^2``. The noise is in units of sigma_i with either ``scale``. The
    importance of input i for output k is the weighted mean over rows of the absolute
    per-row value; ``return_local=True`` gives those values, ``local`` of shape
    ``(n_samples, n_outputs, n_features)`` (an encoded column's value is the sum over
    its encoded inputs).

    Each input's noise comes from its own random stream, seeded from ``random_state``
    and the input's values (not its position: permuting the columns permutes the
    result), read in a fixed order, blocks of 64 rows after one another. Within a block
    the noisy copies go through the network in chunks of about 2 MiB of intermediates
    (less with a smaller ``working_memory``), shared between threads while the next
    chunks are drawn, at most four at a time: the ``n_samples`` copies of X are never
    held at once, and the numbers do not depend on the chunk sizes or the threads. Costs
    ``n_samples + 1`` gradient
    passes. Selected by ``"smoothgrad"``.

    Parameters
    ----------
    n_samples : int, default=50
        Number of noise draws per row.
    stdevs : float, default=0.15
        Standard deviation of the noise, in units of each input's standard deviation
        (Smilkov et al. recommend 10 to 20 percent of the input's range).
    aggregate : {"smoothgrad", "smoothgrad_sq", "vargrad"}, default="smoothgrad"
        What is kept of the noisy gradients: their mean, the mean of their squares,
        or their variance.
    output : {"proba", "logit"}, default="proba"
        What F is, as in :class:`Gradient`.
    random_state : int, RandomState instance or None, default=None
        Seeds the noise. The same value gives the same numbers, whatever the chunk
        sizes.

    See Also
    --------
    Gradient : The gradient without noise.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import SmoothGrad
    >>> X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, y)
    >>> method = SmoothGrad(n_samples=20, stdevs=0.2, aggregate="vargrad", random_state=0)
    >>> result = feature_importances(mlp, X, method=method, return_local=True)
    >>> result.local.shape  # (n_samples, n_outputs, n_features)
    (100, 1, 3)
    >>> bool((result.local >= 0).all())  # a variance
    True
    """

    name = "smoothgrad"
    random = True
    _scaled = True
    _parameter_constraints = {
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "stdevs": [Interval(Real, 0, None, closed="left")],
        "aggregate": [StrOptions({"smoothgrad", "smoothgrad_sq", "vargrad"})],
        "output": [StrOptions({"proba", "logit"})],
        "random_state": ["random_state"],
    }

    def __init__(self, n_samples=50, stdevs=0.15, aggregate="smoothgrad", output="proba",
                 random_state=None):
        self.n_samples = n_samples
        self.stdevs = stdevs
        self.aggregate = aggregate
        self.output = output
        self.random_state = random_state

    @property
    def signed(self):
        """Only the mean gradient keeps a direction."""
        return self.aggregate == "smoothgrad"

    def _row_values(self, net, X, sigma, sample_weight):
        seed = draw_seed(self.random_state)
        # The noise is in units of each input's spread whatever ``scale`` is (sigma is
        # all ones with scale=False); one more cheap pass over X next to n_samples.
        noise_sd = self.stdevs * column_scale(X, sample_weight)
        S, p = self.n_samples, net.n_features
        factor = sigma if self.aggregate == "smoothgrad" else sigma**2
        # Up to four chunks are in flight (two per thread): each takes a quarter of the
        # budget of one chunk of rows.
        draws = chunk_rows(gradient_row_bytes(net) + 16 * p, S * RANDOM_BLOCK,
                           CACHE_BYTES // 4)
        generators = column_generators(X, seed)
        smooth = self.aggregate == "smoothgrad"
        W1T = net.coefs[0].T

        def draws_of_blocks():
            """(rows, r, centre, last chunk?, noisy points) per chunk of draws, in the order
            of the streams."""
            for rows in gen_batches(X.shape[0], RANDOM_BLOCK):
                x = np.asarray(X[rows], dtype=float)
                r = x.shape[0]
                # The squares are taken about the gradient at the row, which keeps the
                # variance from cancelling (once per block; the mean needs no centre).
                center = None if smooth else net.input_gradients(x, self.output)
                per_chunk = max(1, draws // r)
                for steps in gen_batches(S, per_chunk):
                    s = steps.stop - steps.start
                    # Input by input, so that each column's draws are written
                    # contiguously; the noisy rows are its transpose, which BLAS reads as
                    # it is. Each column's stream is read in order, block after block and
                    # sample after sample: chunks of draws do not change which number
                    # goes where.
                    noisy = np.empty((p, s, r))
                    for j, generator in enumerate(generators):
                        generator.standard_normal(out=noisy[j])
                    noisy *= noise_sd[:, None, None]
                    noisy += x.T[:, None, :]
                    yield rows, r, center, steps.stop == S, noisy.reshape(p, s * r).T

        def sums(item):
            """The sums over a chunk's draws, computed on a worker thread."""
            rows, r, center, last, points = item
            if smooth:
                # The gradient is linear in the first layer's: sum those, and multiply
                # by W1.T once per row rather than once per draw.
                G = net.first_layer_gradients(points, self.output)
                return rows, last, None, G.reshape(-1, r, *G.shape[1:]).sum(axis=0), None
            g = net.input_gradients(points, self.output)
            g = g.reshape(-1, r, *g.shape[1:]) - center
            return rows, last, center, g.sum(axis=0), np.einsum("s...,s...->...", g, g)

        total, squares = 0.0, 0.0
        # The draws are made in order by this thread while workers take the gradients.
        for rows, last, center, part, part_squares in threaded_map(sums, draws_of_blocks()):
            total = total + part
            if not smooth:
                squares = squares + part_squares
            if not last:
                continue
            mean_shift = total / S
            r = mean_shift.shape[0]
            if smooth:
                values = (mean_shift.reshape(-1, W1T.shape[0]) @ W1T).reshape(
                    r, net.n_outputs, p)
            elif self.aggregate == "smoothgrad_sq":
                values = squares / S + 2 * center * mean_shift + center**2
            else:
                values = np.maximum(squares / S - mean_shift**2, 0.0)
            total, squares = 0.0, 0.0
            yield rows, values * factor, None

"""Expected gradients (GradientShap): integrated gradients averaged over baselines."""

from numbers import Integral

import numpy as np
from sklearn.utils import gen_batches
from sklearn.utils._param_validation import Interval, StrOptions

from ..network import chunk_rows
from ._gradient import (RANDOM_BLOCK, _RowMethod, block_generator, draw_seed,
                        gradient_row_bytes, row_blocks)
from ._registry import register

__all__ = ["ExpectedGradients"]


@register
class ExpectedGradients(_RowMethod):
    """Expected gradients (Erion et al. 2021), captum's GradientShap.

    Integrated gradients with the baseline drawn from a background set D of rows
    instead of fixed, and the integral over the path estimated by Monte Carlo. For a
    row x, with S draws of a background row ``b_s`` (uniformly from D) and of a point
    ``alpha_s ~ U(0, 1)`` on the straight path from ``b_s`` to x::

        EG_i(x) = (1/S) sum_s (x_i - b_s,i) * dF/dx_i(b_s + alpha_s (x - b_s))

    It is an unbiased estimator of ``E_b[IG_i(x; b)]``, the integrated gradients of x
    averaged over the background as baseline (Lundberg & Lee's expected-gradients
    approximation of SHAP values), so it is complete *in expectation*:
    ``E[sum_i EG_i(x)] = F(x) - mean_{b in D} F(b)``. A single estimate is not: the
    result reports, per row and output, ``convergence_delta = sum_i EG_i(x) - (F(x) -
    (1/S) sum_s F(b_s))``, the error with respect to the baselines actually drawn (as
    captum's ``return_convergence_delta``), which falls like ``1 / sqrt(n_samples)``.
    Gradients are exact, by back-propagation; captum's optional noise on the baselines
    (``stdevs``) is not applied.

    The importance of input i for output k is the mean of ``|EG_i(x)|`` over the rows
    of X (weighted by ``sample_weight``). The values are in the units of the output
    and do not depend on the units of the inputs, so ``scale`` has no effect. Per-row
    values: ``return_local=True`` gives ``local``, shape
    ``(n_samples, n_outputs, n_features)``; an encoded column's value is the sum over
    its encoded inputs.

    The rows are processed in blocks of 64, each with its own random generator seeded
    from ``random_state`` and the block's number, and the path points of a block go
    through the network in chunks of about 8 MiB of intermediates: the numbers do not
    depend on the chunk sizes. Costs ``n_samples`` gradient passes. Selected by
    ``"expected_gradients"``.

    Parameters
    ----------
    background : int or array-like of shape (n_background, n_features), default=100
        The baselines: an int draws that many rows of X without replacement (all of X
        when it has fewer rows), with equal probabilities; an array gives the rows
        (behind a Pipeline step that encodes columns, in the encoded inputs).
    n_samples : int, default=50
        Draws of a baseline and a point on the path per row.
    output : {"logit", "proba"}, default="logit"
        What F is: the pre-activation of each output unit, or the output after the
        output activation (the prediction of a regressor, each class's probability).
    random_state : int, RandomState instance or None, default=None
        Seeds the background rows and the draws. The same value gives the same numbers,
        whatever the chunk sizes.

    See Also
    --------
    IntegratedGradients : The same attribution for one fixed baseline, by quadrature.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import ExpectedGradients
    >>> X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, y)
    >>> method = ExpectedGradients(background=20, n_samples=30, random_state=0)
    >>> result = feature_importances(mlp, X, method=method, return_local=True)
    >>> result.local.shape  # (n_samples, n_outputs, n_features)
    (100, 1, 3)
    >>> result.convergence_delta.shape  # (n_samples, n_outputs)
    (100, 1)
    """

    name = "expected_gradients"
    random = True
    _why_X = ("it integrates the network's gradients along paths from background rows to "
              "each row of X")
    _parameter_constraints = {
        "background": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "output": [StrOptions({"proba", "logit"})],
        "random_state": ["random_state"],
    }

    def __init__(self, background=100, n_samples=50, output="logit", random_state=None):
        self.background = background
        self.n_samples = n_samples
        self.output = output
        self.random_state = random_state

    def _background(self, X, seed):
        n, p = X.shape
        if isinstance(self.background, Integral):
            size = min(int(self.background), n)
            rows = np.random.default_rng([seed, 0]).choice(n, size=size, replace=False)
            return np.asarray(X[np.sort(rows)], dtype=float)
        D = np.asarray(self.background, dtype=float)
        if D.ndim == 1:
            D = D[None, :]
        if D.ndim != 2 or D.shape[1] != p or D.shape[0] == 0:
            raise ValueError(
                f"background has shape {np.shape(self.background)}; expected an int or an "
                f"array of rows with {p} columns, (n_background, {p}).")
        if not np.all(np.isfinite(D)):
            raise ValueError("background contains NaN or infinity.")
        return D

    def _row_values(self, net, X, sigma, sample_weight):
        seed = draw_seed(self.random_state)
        D = self._background(X, seed)
        F_D = net.predict(D, self.output)
        S, p = self.n_samples, net.n_features
        points = chunk_rows(gradient_row_bytes(net) + 24 * p, S * RANDOM_BLOCK)
        for block, rows in row_blocks(X.shape[0]):
            x = np.asarray(X[rows], dtype=float)
            r = x.shape[0]
            rng = block_generator(seed, block)
            # All of a block's draws first: few numbers, and the same whatever the chunks.
            which = rng.integers(0, D.shape[0], size=(S, r))
            alphas = rng.random((S, r))
            total = 0.0
            for steps in gen_batches(S, max(1, points // r)):
                b = D[which[steps]]                      # (s, r, p)
                dx = x - b
                path = b + alphas[steps][:, :, None] * dx
                g = net.input_gradients(path.reshape(-1, p), self.output)
                g = g.reshape(dx.shape[0], r, *g.shape[1:])
                total = total + np.einsum("srkp,srp->rkp", g, dx)
            values = total / S
            F_x = net.predict(x, self.output)
            delta = values.sum(axis=2) - (F_x - F_D[which].mean(axis=0))
            yield rows, values, delta

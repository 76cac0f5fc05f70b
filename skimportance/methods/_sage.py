"""SAGE: global, loss-based Shapley values (Covert, Lundberg & Lee 2020)."""

import warnings
from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .._result import Importances
from ..network import (
    MAX_EXACT_PLAYERS,
    coalition_outputs,
    final_step,
    sage_walks,
    shapley_weights,
)
from ._base import NetworkMethod
from ._registry import register
from ._shapley import Shapley

__all__ = ["Sage"]

# Exact SAGE holds 2**d losses per row (and d index arrays of 2**(d-1) coalitions).
MAX_EXACT_SAGE_PLAYERS = min(16, MAX_EXACT_PLAYERS)
# Probabilities are clipped before the logarithm, as sage-importance does.
_EPS = 1e-12
# Rows x coalitions x outputs held at once by the exact algorithm.
_EXACT_BLOCK = 2**20


class _Tracker:
    """Weighted mean and standard error of samples added in batches (Chan et al.'s
    merge of Welford's sums), with the variance divided by the effective number of
    samples ``(sum w)**2 / sum w**2``: sage-importance's ``var / N`` without weights."""

    def __init__(self, n):
        self.weight = 0.0
        self.weight_sq = 0.0
        self.mean = np.zeros(n)
        self.m2 = np.zeros(n)

    def update(self, samples, w):
        total = w.sum()
        if not total > 0:
            return
        mean = w @ samples / total
        m2 = w @ (samples - mean) ** 2
        delta = mean - self.mean
        merged = self.weight + total
        self.m2 += m2 + delta ** 2 * self.weight * total / merged
        self.mean += delta * total / merged
        self.weight = merged
        self.weight_sq += w @ w

    @property
    def standard_error(self):
        if not self.weight > 0:
            return np.zeros_like(self.mean)
        variance = self.m2 / self.weight
        return np.sqrt(np.maximum(variance, 0.0) * self.weight_sq / self.weight ** 2)


def _sums(samples, entries):
    """Columns of ``samples`` (..., n_players) summed into entries (None: unchanged)."""
    if entries is None:
        return samples
    return np.stack([samples[..., e].sum(axis=-1) for e in entries], axis=-1)


@register
class Sage(NetworkMethod):
    """SAGE values (Covert, Lundberg & Lee 2020): how much each input lowers the loss.

    "Understanding Global Feature Contributions With Additive Importance Measures"
    (NeurIPS 2020). The value of a coalition S of inputs is minus the expected loss of
    the model when it sees only the inputs in S, the others being marginalised over
    background rows b (sage-importance's ``MarginalImputer``)::

        f_S(x) = sum_b w_b F(x_S, b_rest)
        v(S)   = - E_{x,y} [ loss(f_S(x), y) ]
        phi_i  = sum_{S not holding i} |S|! (d - |S| - 1)! / d! (v(S + i) - v(S))

    the expectation being the (``sample_weight``-weighted) mean over the rows of X and
    y. The values add up to ``v(all) - v(empty)``: the loss of the background's mean
    prediction minus the model's loss on (X, y). A positive value lowers the loss;
    a negative one raises it (an input the model overfits, on held-out rows).

    - ``algorithm="sampled"`` (sage-importance's ``PermutationEstimator``): walks of
      a row of X and a random order of the inputs, adding the inputs one at a time and
      crediting each with the decrease of the loss of ``f_S(x)`` it made. Each step is
      one rank-one change of the first layer's pre-activation for all background rows,
      so it costs one pass of the background through the later layers: ``d x
      n_background`` per walk. The walks visit the rows of X in passes, each in a new
      random order. With ``n_permutations=None`` they run in batches of ``batch_size``
      until the largest standard error is below ``threshold`` times the range of the
      values (max - min), sage-importance's rule, or ``max_permutations`` walks (a
      ``ConvergenceWarning``); else exactly ``n_permutations`` walks. Every walk
      telescopes, so the values add up to ``v(all) - v(empty)`` of the rows walked.
    - ``algorithm="exact"``: all ``2**d`` coalitions of every row of X (``n_samples x
      2**d x n_background`` passes through the later layers, up to 16 players).
    - ``algorithm="auto"``: exact while it costs no more than the most the sampled one
      may (``n_samples x 2**d <= max_permutations x d``, up to 16 players), else
      sampled.

    ``standard_error``, sampled: sage-importance's, the spread of the walks' credits
    (biased variance) over the square root of their number, which convergence is
    judged on. As the error of the estimate of the exact values on these rows it is
    an overestimate (the walks visit the rows in passes, without replacement within
    each); as the error of the expectation over the population the rows come from, it
    understates it once there are more walks than rows. Exact: the spread of the
    rows' own Shapley values over the square root of their number, the error of that
    population estimate. With weights, the number is the effective one, ``(sum w)**2
    / sum w**2``.

    ``loss="auto"`` is sage-importance's choice: the squared error summed over the
    outputs for a regressor (its ``"mse"``), the cross-entropy of the predicted
    probabilities for a classifier (its ``"cross entropy"``: a one-unit network's
    probability p gives ``[1 - p, p]``; several logistic units, a multi-label network,
    sum their binary cross-entropies), probabilities clipped to ``[1e-12, 1 - 1e-12]``.
    ``"squared_error"`` on a classifier is the Brier score of the output units.

    What it measures, and its bias: SAGE is the Shapley value of the model's
    *performance*, not of its output (:class:`Shapley` explains each prediction; SAGE
    asks which inputs the accuracy depends on), so inputs the model uses but that do
    not help predict y get little or negative value, and the values depend on y and
    the loss. Like every Shapley value it shares credit: two correlated inputs that
    carry the same information split it. But the marginal imputer joins ``x_S`` with
    background values of the other inputs as if they were independent, so it still
    evaluates the network on rows off the data's manifold, and an input whose
    correlated partner is removed is charged with the network's extrapolation there
    (Covert et al. discuss the conditional version, which this is not). Measured on
    the training rows it rewards what the model overfits: use held-out data (``cv`` of
    the meta-estimators). ``importances_mean`` keeps the sign. Groups: see
    ``group_values``. Behind a Pipeline step that encodes columns, the players are X's
    columns, each replacing all the network inputs it produced. Selected by
    ``"sage"``.

    Extra memory: the background's first-layer pre-activations, blocks of walks of
    about 8 MiB (or scikit-learn's ``working_memory`` if smaller) and one batch's
    outputs (``batch_size x d x n_outputs``); the exact algorithm blocks of rows of at
    most ``2**20`` coalition outputs and their losses.

    Parameters
    ----------
    background : int or array-like of shape (n_background, n_features), default=64
        The background rows, as in :class:`Shapley`: a number of rows summarising X,
        or the rows themselves (in the network's inputs). Fewer than Shapley's 100:
        each walk costs ``d x n_background``, and SAGE needs thousands of walks.
    summary : {"kmeans", "sample"}, default="kmeans"
        How ``background`` rows summarise X, as in :class:`Shapley`.
    loss : {"auto", "squared_error", "log_loss"}, default="auto"
        The loss of the background-averaged prediction; ``"log_loss"`` needs a
        classifier.
    algorithm : {"auto", "exact", "sampled"}, default="auto"
        All coalitions, permutation sampling, or exact while it is cheap.
    n_permutations : int or None, default=None
        Walks (a row and an order of the inputs) of the sampled algorithm; None walks
        until converged (or ``max_permutations``).
    threshold : float, default=0.025
        Convergence: the largest standard error below ``threshold`` times the range of
        the values (sage-importance's ``thresh``), checked after each batch.
    max_permutations : int, default=10000
        The most walks with ``n_permutations=None``.
    batch_size : int, default=512
        Walks between two convergence checks; the walks drawn do not depend on it
        (the numbers only to rounding).
    group_values : {"sum", "players"}, default="sum"
        With ``feature_groups``: ``"sum"`` gives a group the sum of its columns' values
        (a group of one column is that column); ``"players"`` makes each group one
        player, the SAGE value of the group in the game between groups (groups must
        not share columns; columns in no group form one more player, not reported).
    random_state : int, RandomState instance or None, default=None
        Seed of the k-means or sampled background and of the walks.
    n_jobs : int or None, default=None
        Threads that share the walks or rows (None: as many as BLAS would use, -1:
        all cores); the numbers do not depend on it.

    See Also
    --------
    Shapley : Shapley values of each prediction.
    Permutation : The drop of the score when one column is shuffled.

    Notes
    -----
    The result has ``per_output`` of shape (1, n_features), one row named ``"score"``
    (the values are of the whole loss, all outputs together), ``standard_error`` of
    shape (n_features,), ``n_permutations`` (the walks averaged; None when exact) and
    ``converged``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import Sage
    >>> X, y = make_regression(n_samples=200, n_features=4, n_informative=2,
    ...                        random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=300,
    ...                    random_state=0).fit(X, y)
    >>> sage = Sage(background=X[:20], algorithm="sampled", random_state=0)
    >>> result = feature_importances(mlp, X, y, method=sage)
    >>> result.per_output.shape, result.standard_error.shape
    ((1, 4), (4,))
    >>> result.converged  # after result.n_permutations walks, in batches of 512
    True
    >>> # Exact (200 rows x 2**4 coalitions): the values add up to the loss explained.
    >>> exact = feature_importances(mlp, X, y, method=Sage(background=X[:20]))
    >>> empty = mlp.predict(X[:20]).mean()
    >>> gap = np.mean((empty - y) ** 2) - np.mean((mlp.predict(X) - y) ** 2)
    >>> bool(np.isclose(exact.per_output.sum(), gap, rtol=0, atol=1e-9 * gap))
    True
    """

    name = "sage"
    needs_X = True
    needs_y = True
    random = True  # the k-means or sampled background, the walks
    _why_X = "SAGE values are expectations over the rows of X (and y)"
    _parameter_constraints = {
        "background": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "summary": [StrOptions({"kmeans", "sample"})],
        "loss": [StrOptions({"auto", "squared_error", "log_loss"})],
        "algorithm": [StrOptions({"auto", "exact", "sampled"})],
        "n_permutations": [Interval(Integral, 1, None, closed="left"), None],
        "threshold": [Interval(Real, 0, 1, closed="neither")],
        "max_permutations": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "group_values": [StrOptions({"sum", "players"})],
        "random_state": ["random_state"],
        "n_jobs": [Integral, None],
    }

    def __init__(self, background=64, summary="kmeans", loss="auto", algorithm="auto",
                 n_permutations=None, threshold=0.025, max_permutations=10000,
                 batch_size=512, group_values="sum", random_state=None, n_jobs=None):
        self.background = background
        self.summary = summary
        self.loss = loss
        self.algorithm = algorithm
        self.n_permutations = n_permutations
        self.threshold = threshold
        self.max_permutations = max_permutations
        self.batch_size = batch_size
        self.group_values = group_values
        self.random_state = random_state
        self.n_jobs = n_jobs

    # The background and the players are Shapley's: the same parameters mean the same.
    _background = Shapley._background
    _players = Shapley._players

    def check(self, estimator, *, single_result=False):
        super().check(estimator, single_result=single_result)
        self._validate_params()
        self._loss_kind(estimator)

    def _loss_kind(self, estimator):
        classifier = is_classifier(final_step(estimator)[1])
        loss = self.loss
        if loss == "auto":
            return "log_loss" if classifier else "squared_error"
        if loss == "log_loss" and not classifier:
            raise ValueError(
                f"loss='log_loss' needs a classifier's probabilities; "
                f"{type(final_step(estimator)[1]).__name__} is a regressor. Use "
                "loss='squared_error' or 'auto'.")
        return loss

    def _targets(self, estimator, net, y):
        """y as the network's outputs: (n_rows, n_outputs) floats."""
        final = final_step(estimator)[1]
        k = net.n_outputs
        y = np.asarray(y)
        if not is_classifier(final):
            t = y.reshape(len(y), -1).astype(float)
            if t.shape[1] != k:
                raise ValueError(f"y has {t.shape[1]} columns but the network has {k} "
                                 "outputs.")
            return t
        if y.ndim == 2 and y.shape[1] > 1:  # multi-label indicators
            if y.shape[1] != k:
                raise ValueError(f"y has {y.shape[1]} labels but the network has {k} "
                                 "outputs.")
            return y.astype(float)
        classes = np.asarray(final.classes_)
        labels, inverse = np.unique(y.ravel(), return_inverse=True)
        index = {label: i for i, label in enumerate(classes.tolist())}
        unknown = [label for label in labels.tolist() if label not in index]
        if unknown:
            raise ValueError(f"y holds labels the classifier was not fitted on: "
                             f"{unknown[:5]}; its classes are {classes.tolist()}.")
        codes = np.array([index[label] for label in labels.tolist()], dtype=int)[inverse]
        if k == 1:  # one logistic unit: the probability of classes[1]
            return (codes == 1).astype(float)[:, None]
        return np.eye(k)[codes]

    def _loss(self, kind, out_activation, pred, target):
        """Loss of the predictions ``pred`` (..., n_outputs) against ``target``
        (broadcastable to it): shape (...)."""
        if kind == "squared_error":
            return ((pred - target) ** 2).sum(axis=-1)
        p = np.clip(pred, _EPS, 1 - _EPS)
        if out_activation == "softmax":
            return -(target * np.log(p)).sum(axis=-1)
        return -(target * np.log(p) + (1 - target) * np.log1p(-p)).sum(axis=-1)

    def _compute(self, inputs):
        estimator, y, sample_weight = inputs.estimator, inputs.y, inputs.sample_weight
        kind = self._loss_kind(estimator)
        net, X, owners = self._network(estimator, inputs.X)
        players, entries = self._players(net, owners, inputs.feature_groups)
        target = self._targets(estimator, net, y)
        d, n = len(players), X.shape[0]
        algorithm = self.algorithm
        if algorithm == "auto":
            # Exact when it costs no more than the walks the sampled one may take.
            algorithm = ("exact" if d <= MAX_EXACT_SAGE_PLAYERS and
                         n * 2 ** d <= self.max_permutations * d else "sampled")
        if algorithm == "exact" and d > MAX_EXACT_SAGE_PLAYERS:
            raise ValueError(
                f"algorithm='exact' is limited to {MAX_EXACT_SAGE_PLAYERS} players (inputs, "
                f"or groups with group_values='players'), as it visits 2**d coalitions "
                f"per row; got {d}. Use algorithm='sampled' or 'auto'.")
        rng = check_random_state(self.random_state)
        B, wb = self._background(X, sample_weight, rng)
        w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
        n_threads = None if self.n_jobs is None else effective_n_jobs(self.n_jobs)
        if algorithm == "exact":
            tracker = self._exact(net, X, target, w, B, wb, players, entries, kind,
                                  n_threads)
            n_walks, converged = None, True
        else:
            seed = rng.randint(np.iinfo(np.int32).max + 1)
            tracker, n_walks, converged = self._sampled(
                net, X, target, w, B, wb, players, entries, kind, n_threads, seed)
        values = tracker.mean.copy()
        extras = {"standard_error": tracker.standard_error, "n_permutations": n_walks,
                  "converged": converged}
        return Importances(values[None], method=self.name,
                           feature_names=inputs.feature_names, output_names=["score"],
                           importances_mean=values, extras=extras)

    def _exact(self, net, X, target, w, B, wb, players, entries, kind, n_threads):
        """The rows' Shapley values of -loss, by all coalitions, tracked over rows."""
        d, n, k = len(players), X.shape[0], net.n_outputs
        _, outside = shapley_weights(d)
        masks = np.arange(1 << d)
        size = ((masks[:, None] >> np.arange(d)) & 1).sum(axis=1)
        # For each player the coalitions without it, and their weights: its value is a
        # weighted sum of differences, so a player that changes nothing gets 0 exactly.
        without = [masks[(masks >> i) & 1 == 0] for i in range(d)]
        tracker = _Tracker(d if entries is None else len(entries))
        step = max(1, _EXACT_BLOCK // ((1 << d) * k))
        for r0 in range(0, n, step):
            rows = slice(r0, min(n, r0 + step))
            values, _ = coalition_outputs(net, X[rows], B, wb, players, "proba",
                                          n_threads=n_threads)
            losses = self._loss(kind, net.out_activation, values, target[rows, None])
            phi = np.empty((losses.shape[0], d))  # each row's Shapley values of -loss
            for i, S in enumerate(without):
                phi[:, i] = (losses[:, S] - losses[:, S | 1 << i]) @ outside[size[S]]
            tracker.update(_sums(phi, entries), w[rows])
        return tracker

    def _sampled(self, net, X, target, w, B, wb, players, entries, kind, n_threads,
                 seed):
        """Walks in batches until converged (or the number asked); tracked over walks.

        Convergence is judged on the players, so a group's sum stops where its columns
        alone would: the same walks whatever ``feature_groups`` with ``"sum"``.
        """
        d, n = len(players), X.shape[0]
        # Rows and orders from two streams: each is drawn in sequence, so the walks do
        # not depend on how they are batched.
        row_stream, order_stream = (np.random.default_rng(child) for child in
                                    np.random.SeedSequence(seed).spawn(2))
        fixed = self.n_permutations
        total = fixed if fixed is not None else self.max_permutations
        by_player = _Tracker(d)
        tracker = by_player if entries is None else _Tracker(len(entries))
        pending = np.empty(0, dtype=np.intp)  # rows of the current pass not yet walked
        done, converged = 0, False
        while done < total:
            size = min(self.batch_size, total - done)
            parts = [pending]
            while sum(len(p) for p in parts) < size:
                parts.append(row_stream.permutation(n))
            queue = np.concatenate(parts)
            rows, pending = queue[:size], queue[size:]
            orders = np.argsort(order_stream.random((size, d)), axis=1)
            steps, _ = sage_walks(net, X, B, wb, players, rows, orders, "proba",
                                  n_threads=n_threads)
            losses = self._loss(kind, net.out_activation, steps, target[rows, None])
            credit = np.empty((size, d))
            np.put_along_axis(credit, orders, losses[:, :-1] - losses[:, 1:], axis=1)
            by_player.update(credit, w[rows])
            if entries is not None:
                tracker.update(_sums(credit, entries), w[rows])
            done += size
            gap = max(by_player.mean.max() - by_player.mean.min(), 1e-12)
            # One walk has no spread to measure: it cannot show convergence.
            converged = bool(done > 1 and
                             by_player.standard_error.max() / gap < self.threshold)
            if fixed is None and converged:
                break
        if fixed is None and not converged:
            warnings.warn(
                f"SAGE did not converge in max_permutations={self.max_permutations} "
                f"walks: the largest standard error is above threshold={self.threshold} "
                f"times the range of the values. Raise max_permutations or threshold.",
                ConvergenceWarning)
        return tracker, done, converged

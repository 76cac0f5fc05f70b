"""Interventional Shapley values of an MLP's outputs, exact or by permutation sampling."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.cluster import KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from .._groups import combine_columns
from .._result import Importances
from ..network import MAX_EXACT_PLAYERS, entry_columns, exact_shapley, sampled_shapley
from ._base import NetworkMethod, output_names
from ._registry import register

__all__ = ["Shapley"]

# "auto" computes exactly up to this many players (2**12 = 4096 coalitions per row and
# background row, about the cost of sampling 64 antithetic pairs of 30 players).
AUTO_EXACT_PLAYERS = 12


@register
class Shapley(NetworkMethod):
    """Interventional Shapley values (Shapley 1953; Lundberg & Lee 2017): mean ``|phi_i|``.

    For a row x, the value of a coalition S of inputs is the network's mean output when
    the inputs in S keep x's values and the others take those of each background row
    b (the "interventional" or "baseline" Shapley value, Janzing et al. 2020)::

        v(S)  = sum_b w_b F(x_S, b_rest)
        phi_i = sum_{S not holding i} |S|! (d - |S| - 1)! / d! (v(S + i) - v(S))

    The values add up to ``F(x) - v(empty)`` (efficiency), where ``v(empty)``, the
    weighted mean output on the background, is the result's ``expected_value``.
    Replacing inputs changes only the first layer's pre-activation, by one rank-one
    term per input, so each coalition costs one pass through the later layers only.

    - ``algorithm="exact"`` visits all ``2**d`` coalitions of the ``d`` players per row:
      cost ``n_samples x 2**d x n_background`` passes through the later layers,
      refused beyond 20 players. Efficiency holds to rounding (1e-12 measured).
    - ``algorithm="sampled"`` walks ``n_permutations`` random orders of the players per
      row, each forwards and backwards (antithetic pairs), crediting each player with
      the change of v when it joins; cost ``n_samples x 2 n_permutations x d x
      n_background``. Every walk adds up to ``F(x) - v(empty)``, so the estimates are
      efficient to rounding too; ``standard_error`` gives each value's standard error
      (with ``return_local=True``; 0 with ``n_permutations=1``, which has no spread to
      measure).
    - ``algorithm="auto"``: exact up to 12 players, sampled beyond.

    The importance of input i for output k is the mean of ``|phi_i(x)|`` over the rows
    of X (weighted by ``sample_weight``). Shapley values are in the units of the output
    and do not depend on the units of the inputs, so ``scale`` has no effect. Per-row
    values: ``feature_importances(..., return_local=True).local``, shape ``(n_samples,
    n_outputs, n_features)``. Behind a Pipeline step that encodes columns (a
    ``OneHotEncoder``), the players are X's columns: each replaces all the network
    inputs it produced at once. Selected by ``"shapley"``.

    Interventional values break the dependence between inputs: ``x_S`` is joined with
    background values of the other inputs as if they were independent, so correlated
    inputs are evaluated on rows the network may never have seen.

    Extra memory: blocks of coalitions of about 8 MiB (or scikit-learn's
    ``working_memory`` if smaller), the per-row values (``n_samples x n_outputs x
    n_features``, kept for the mean of their absolute values), twice that with
    ``algorithm="sampled"`` and ``return_local=True`` (the standard errors); the k-means
    summary holds what scikit-learn's ``KMeans`` does (a centred copy of X and more).

    Parameters
    ----------
    background : int or array-like of shape (n_background, n_features), default=100
        The background rows: a number of rows summarising X, or the rows themselves
        (in the network's inputs: behind a step that encodes columns, the encoded
        columns). When X has no more rows than asked, all its rows are the background
        (weighted by ``sample_weight``).
    summary : {"kmeans", "sample"}, default="kmeans"
        How ``background`` rows summarise X: the centres of k-means clusters
        (``KMeans(n_init=3)``, weighted by ``sample_weight``), each weighted by its
        cluster's total weight, or rows drawn without replacement, weighted by their
        ``sample_weight``.
    output : {"proba", "logit"}, default="proba"
        What F is: the network's output after its output activation (the prediction
        of a regressor, each class's probability), or ``"logit"``, the pre-activation of
        each output unit. Probabilities are averaged over the background.
    algorithm : {"auto", "exact", "sampled"}, default="auto"
        Exact enumeration of the coalitions, antithetic permutation sampling, or exact
        up to 12 players and sampled beyond.
    n_permutations : int, default=64
        Permutations drawn per row by ``algorithm="sampled"``, each walked in both
        directions.
    group_values : {"sum", "players"}, default="sum"
        With ``feature_groups``: ``"sum"`` computes every column's value and gives a
        group the sum of its columns' (values add up, so a group of one column is that
        column, as for every method); ``"players"`` makes each group one player, the
        Shapley value of the group in the game between groups (``2**n_groups``
        coalitions, so many columns in few groups can be computed exactly). Columns in
        no group then form one more player, whose value is not reported.
    random_state : int, RandomState instance or None, default=None
        Seed of the k-means or sampled background and of the permutations.

    See Also
    --------
    IntegratedGradients : Attributions that add up along a path to one baseline.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import Shapley
    >>> X, y = make_regression(n_samples=60, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), activation="tanh", max_iter=50,
    ...                    random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, method=Shapley(), return_local=True)
    >>> result.local.shape  # (n_samples, n_outputs, n_features)
    (60, 1, 3)
    >>> gap = mlp.predict(X) - mlp.predict(X).mean()  # X is its own background here
    >>> bool(np.allclose(result.local.sum(axis=2)[:, 0], gap, atol=1e-10))  # efficiency
    True
    """

    name = "shapley"
    needs_X = True
    has_local = True
    random = True  # the k-means or sampled background, the permutations
    _why_X = "the values of each row of X are measured against background rows from X"
    _parameter_constraints = {
        "background": [Interval(Integral, 1, None, closed="left"), "array-like"],
        "summary": [StrOptions({"kmeans", "sample"})],
        "output": [StrOptions({"proba", "logit"})],
        "algorithm": [StrOptions({"auto", "exact", "sampled"})],
        "n_permutations": [Interval(Integral, 1, None, closed="left")],
        "group_values": [StrOptions({"sum", "players"})],
        "random_state": ["random_state"],
    }

    def __init__(self, background=100, summary="kmeans", output="proba", algorithm="auto",
                 n_permutations=64, group_values="sum", random_state=None):
        self.background = background
        self.summary = summary
        self.output = output
        self.algorithm = algorithm
        self.n_permutations = n_permutations
        self.group_values = group_values
        self.random_state = random_state

    def _background(self, X, sample_weight, rng):
        """The background rows and their weights (summing to one)."""
        n, p = X.shape
        weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
        if not isinstance(self.background, Integral):
            B = np.asarray(self.background, dtype=float)
            if B.ndim == 1:
                B = B[None, :]
            if B.ndim != 2 or B.shape[1] != p or B.shape[0] == 0:
                raise ValueError(
                    f"background must be a number of rows or an array of shape "
                    f"(n_background, {p}) in the network's inputs; got an array of shape "
                    f"{np.shape(self.background)}.")
            if not np.all(np.isfinite(B)):
                raise ValueError("background contains NaN or infinity.")
            return B, np.full(B.shape[0], 1.0 / B.shape[0])
        if n <= self.background:
            B, w = X, weight
        elif self.summary == "sample":
            rows = np.sort(rng.choice(n, size=self.background, replace=False))
            B, w = X[rows], weight[rows]
        else:
            km = KMeans(n_clusters=self.background, n_init=3,
                        random_state=rng.randint(np.iinfo(np.int32).max + 1))
            with warnings.catch_warnings():
                # Fewer distinct rows than clusters: the empty ones get no weight below.
                warnings.simplefilter("ignore", ConvergenceWarning)
                labels = km.fit_predict(X, sample_weight=sample_weight)
            B = km.cluster_centers_
            w = np.bincount(labels, weights=weight, minlength=self.background)
        if not w.sum() > 0:
            raise ValueError("The background rows have zero total sample_weight.")
        return B, w / w.sum()

    def _players(self, net, owners, feature_groups):
        """The network inputs of each player, and the entries of the result as sums of
        players (None: one entry per player)."""
        if self.group_values == "players" and feature_groups is not None:
            players = entry_columns(owners, feature_groups)
            used = np.concatenate(players)
            if len(np.unique(used)) != len(used):
                raise ValueError(
                    "feature_groups share columns, which group_values='players' cannot "
                    "make players of: a column can be in one player only. Use "
                    "group_values='sum', or groups without common columns.")
            rest = np.setdiff1d(np.arange(net.n_features), used)
            if rest.size:
                return players + [rest], [np.array([j]) for j in range(len(players))]
            return players, None
        players = entry_columns(owners, None)
        if players is None:
            players = [np.array([i]) for i in range(net.n_features)]
        return players, feature_groups

    def _compute(self, inputs):
        """The Shapley values; see the class docstring. ``scale`` has no effect."""
        estimator, sample_weight = inputs.estimator, inputs.sample_weight
        net, X, owners = self._network(estimator, inputs.X)
        players, entries = self._players(net, owners, inputs.feature_groups)
        d = len(players)
        algorithm = self.algorithm
        if algorithm == "auto":
            algorithm = "exact" if d <= AUTO_EXACT_PLAYERS else "sampled"
        if algorithm == "exact" and d > MAX_EXACT_PLAYERS:
            raise ValueError(
                f"algorithm='exact' is limited to {MAX_EXACT_PLAYERS} players (inputs, or "
                f"groups with group_values='players'), as it visits 2**d coalitions per "
                f"row; got {d}. Use algorithm='sampled' or 'auto', or fewer groups.")
        rng = check_random_state(self.random_state)
        B, wb = self._background(X, sample_weight, rng)
        if algorithm == "exact":
            local, expected = exact_shapley(net, X, B, wb, players, self.output)
            errors = None
        else:
            seeds = rng.randint(np.iinfo(np.int32).max + 1, size=X.shape[0])
            # Groups are summed inside, where the spread of the sums can be measured.
            local, errors, expected = sampled_shapley(
                net, X, B, wb, players, self.output, n_permutations=self.n_permutations,
                seeds=seeds, entries=entries)
            entries = None
        if entries is not None:
            # Values add up (efficiency), so a group's value is its players' sum.
            local = combine_columns(local, entries, signed_singletons=False)
        w = np.ones(X.shape[0]) if sample_weight is None else \
            np.asarray(sample_weight, dtype=float)
        per_output = np.tensordot(w, np.abs(local), axes=1) / w.sum()
        return_local = inputs.return_local
        extras = {"local": local if return_local else None,
                  "standard_error": errors if return_local else None,
                  "expected_value": expected}
        return Importances(per_output, method=self.name, feature_names=inputs.feature_names,
                           output_names=output_names(estimator, net.n_outputs),
                           extras=extras)

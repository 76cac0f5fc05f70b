"""Lek's profile method: sweep one input while the others are held at group values."""

from numbers import Integral, Real

import numpy as np
from sklearn.cluster import KMeans
from sklearn.utils import gen_batches
from sklearn.utils._param_validation import Interval, StrOptions

from .._groups import combine_columns
from ..network import OUTPUT, chunk_rows, entry_columns
from .._result import Importances
from ._base import NetworkMethod, output_names
from ._registry import register

__all__ = ["LekProfile"]

PROFILE_COLUMNS = ("Explanatory", "resp_name", "Response", "Groups", "exp_name")


def _is_whole(value):
    return isinstance(value, Integral) or (isinstance(value, Real) and float(value).is_integer())


def _responses(net, groups, sweep, output):
    """Network output for every group, input and step: shape (G, p, steps, k).

    Input i takes ``sweep[i]`` while the others stay at a group row; the first layer's
    pre-activation is the group's plus a rank-one change along row i of W_0, so no
    input matrix is built.
    """
    W0, b0 = net.coefs[0], net.intercepts[0]
    G, (p, steps) = groups.shape[0], sweep.shape
    base = groups @ W0 + b0  # (G, h0)
    widths = [W.shape[1] for W in net.coefs]
    per_input = G * steps * 2 * sum(widths) * net.dtype.itemsize
    out = np.empty((G, p, steps, net.n_outputs))
    for cols in gen_batches(p, chunk_rows(per_input, p)):
        change = sweep[cols][None, :, :] - groups[:, cols][:, :, None]  # (G, m, steps)
        Z = change[..., None] * W0[cols][None, :, None, :]
        Z += base[:, None, None, :]
        _, logits = net.forward_from(Z.reshape(-1, W0.shape[1]))
        if output == "proba":
            logits = OUTPUT[net.out_activation](logits)
        out[:, cols] = logits.reshape(G, -1, steps, net.n_outputs)
    return out


def _tables(responses, sweep, groups, group_labels, feature_names, names):
    """NeuralNetTools' long table (``val_out = TRUE``) and the group table."""
    G, p, steps, k = responses.shape
    shape = (p, G, k, steps)  # the order of R's melt: input, group, response, step
    columns = {
        "Explanatory": np.broadcast_to(sweep[:, None, None, :], shape).ravel(),
        "resp_name": np.broadcast_to(np.asarray(names, dtype=object)[None, None, :, None],
                                     shape).ravel(),
        "Response": responses.transpose(1, 0, 3, 2).ravel(),
        "Groups": np.broadcast_to(np.arange(1, G + 1)[None, :, None, None], shape).ravel(),
        "exp_name": np.broadcast_to(
            np.asarray(feature_names, dtype=object)[:, None, None, None], shape).ravel(),
    }
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - exercised only without pandas
        dtypes = [(c, object if c in ("resp_name", "exp_name") else
                   (np.int64 if c == "Groups" else np.float64)) for c in PROFILE_COLUMNS]
        table = np.empty(columns["Response"].shape[0], dtype=dtypes)
        for c in PROFILE_COLUMNS:
            table[c] = columns[c]
        return table, groups.copy()
    table = pd.DataFrame(columns, columns=list(PROFILE_COLUMNS))
    return table, pd.DataFrame(groups, columns=list(feature_names), index=group_labels)


def _input_names(feature_names, owners, n_columns, n_inputs):
    """Names of the network's inputs: X's, or ``name[i]`` for the i-th input encoded
    from a column of X."""
    names = [f"x{j}" for j in range(n_columns)] if feature_names is None else \
        [str(name) for name in feature_names]
    if owners is None:
        return names
    out = [None] * n_inputs
    for name, inputs in zip(names, owners):
        for i, k in enumerate(inputs):
            out[k] = name if len(inputs) == 1 else f"{name}[{i}]"
    return [f"input {k}" if n is None else n for k, n in enumerate(out)]


@register
class LekProfile(NetworkMethod):
    """Lek's profile method (Lek et al. 1996), as NeuralNetTools' ``lekprofile``.

    Each input in turn is swept over ``steps`` evenly spaced values from its minimum
    to its maximum in X, while the other inputs are held at the values of one group
    row; this is repeated for every group. Groups are:

    - column quantiles of X at ``group_vals`` when these are all in [0, 1] (numpy's
      ``"linear"`` quantile, R's default type 7; unweighted, as in R);
    - the centres of ``group_vals`` k-means clusters of X when it is an integer > 1
      (``KMeans(n_init=10, random_state=random_state)``, weighted by
      ``sample_weight``);
    - a user table of shape ``(n_groups, n_features)`` (a DataFrame with the feature
      names as columns is reordered to match X).

    The profile data is the product: ``result.profile`` is a long table with
    NeuralNetTools' columns ``Explanatory`` (the swept value), ``resp_name`` (the output),
    ``Response``, ``Groups`` (1 to n_groups) and ``exp_name`` (the swept input), rows in
    the order of R's ``melt``: input, group, output, step. It is a DataFrame when pandas
    is installed, else a structured array. ``result.groups`` is the group table. The
    importance of an input is the mean over groups of the range (max - min) of the
    response along its sweep, per output. The sweep is in the raw units of the inputs
    and the range in the units of the output, so ``scale`` has no effect.
    Extra memory: the responses (n_groups x n_features x steps x n_outputs values), the
    profile table it returns (as many rows) and, for quantile groups, copies of one
    column of X at a time (0.21 times the size of X for X (100000, 20)); k-means groups
    also hold what scikit-learn's ``KMeans`` does, a centred copy of X and more (2 times
    X). Selected by ``"profile"``.

    Parameters
    ----------
    group_vals : array-like or int, default=(0, 0.2, 0.4, 0.6, 0.8, 1)
        Quantiles in [0, 1], a number of k-means groups (an integer > 1), or a table
        of shape ``(n_groups, n_features)``.
    steps : int, default=100
        Number of values of each swept input, from its minimum to its maximum.
    output : {"proba", "logit"}, default="proba"
        The response: the network's output after its output activation (the prediction
        of a regressor, each class's probability), or the pre-activation ``"logit"``.
    random_state : int, RandomState instance or None, default=None
        Seed of k-means, for reproducible groups.

    Examples
    --------
    >>> from sklearn.datasets import make_regression
    >>> from sklearn.neural_network import MLPRegressor
    >>> from skimportance import feature_importances
    >>> from skimportance.methods import LekProfile
    >>> X, y = make_regression(n_samples=100, n_features=3, random_state=0)
    >>> mlp = MLPRegressor(hidden_layer_sizes=(5,), max_iter=50, random_state=0).fit(X, y)
    >>> result = feature_importances(mlp, X, method=LekProfile(steps=10))
    >>> result.per_output.shape
    (1, 3)
    >>> list(result.profile.columns)
    ['Explanatory', 'resp_name', 'Response', 'Groups', 'exp_name']
    >>> len(result.profile)  # 3 inputs x 6 groups x 1 output x 10 steps
    180
    >>> result.groups.shape  # one row per quantile (0, 0.2, ..., 1)
    (6, 3)
    """

    name = "profile"
    needs_X = True
    random = True  # the k-means groups
    _parameter_constraints = {
        "group_vals": ["array-like", Real],
        "steps": [Interval(Integral, 2, None, closed="left")],
        "output": [StrOptions({"proba", "logit"})],
        "random_state": ["random_state"],
    }

    def __init__(self, group_vals=(0, 0.2, 0.4, 0.6, 0.8, 1), steps=100, output="proba",
                 random_state=None):
        self.group_vals = group_vals
        self.steps = steps
        self.output = output
        self.random_state = random_state

    def _groups(self, X, sample_weight, feature_names):
        """The group table (n_groups, n_features) and its row labels."""
        values = self.group_vals
        n, p = X.shape
        expected = ("group_vals must be quantiles in [0, 1], an integer > 1 (the number "
                    f"of k-means groups) or a table of shape (n_groups, {p})")
        if np.ndim(values) == 0:
            if _is_whole(values) and values > 1:
                if values > n:
                    raise ValueError(f"group_vals={values} asks for {values} k-means "
                                     f"groups, but X has only {n} rows.")
                km = KMeans(n_clusters=int(values), n_init=10, random_state=self.random_state)
                centres = km.fit(X, sample_weight=sample_weight).cluster_centers_
                return centres, np.arange(1, int(values) + 1)
            values = [values]
        columns = getattr(values, "columns", None)
        table = np.asarray(values, dtype=float)
        if table.ndim == 1:
            if table.size == 0 or not np.all((table >= 0) & (table <= 1)):
                raise ValueError(f"{expected}; got {list(table)}.")
            labels = [f"{100 * q:.15g}%" for q in table]
            # Column by column: np.quantile(X, axis=0) sorts a copy of all of X, this one
            # column at a time (the same numbers, bit for bit).
            quantiles = [np.quantile(X[:, j], table, method="linear") for j in range(p)]
            return np.stack(quantiles, axis=1), labels
        if table.ndim != 2 or table.shape[1] != p or table.shape[0] == 0:
            raise ValueError(f"{expected}; got an array of shape {table.shape}.")
        if not np.all(np.isfinite(table)):
            raise ValueError("group_vals contains NaN or infinity.")
        labels = np.arange(1, table.shape[0] + 1)
        if columns is not None and feature_names is not None and (
                set(map(str, columns)) == set(map(str, feature_names))):
            position = {str(c): j for j, c in enumerate(columns)}
            table = table[:, [position[str(f)] for f in feature_names]]
            labels = np.asarray(values.index)
        return table, labels

    _why_X = "the sweeps run from each input's minimum to its maximum in X"

    def _compute(self, inputs):
        if inputs.feature_groups is not None:
            raise ValueError(f"Method {self.name!r} sweeps one input at a time, so it "
                             "cannot rank groups of columns; drop feature_groups, or use a "
                             "method that can (every other built-in method).")
        estimator, X, sample_weight = inputs.estimator, inputs.X, inputs.sample_weight
        feature_names = inputs.feature_names
        net, X_net, owners = self._network(estimator, X)
        names = _input_names(feature_names, owners, X.shape[1], net.n_features)
        groups, labels = self._groups(X_net, sample_weight, names)
        groups = np.asarray(groups, dtype=net.dtype)
        sweep = np.linspace(X_net.min(axis=0), X_net.max(axis=0), self.steps, axis=1)
        R = _responses(net, groups, sweep.astype(net.dtype), self.output)
        per_output = (R.max(axis=2) - R.min(axis=2)).mean(axis=0).T
        columns = entry_columns(owners, None)
        if columns is not None:  # an encoded column's inputs: their ranges add up
            per_output = combine_columns(per_output, columns, signed_singletons=False)
        outputs = Importances(per_output, method=self.name, feature_names=feature_names,
                              output_names=output_names(estimator, net.n_outputs))
        profile, table = _tables(R, sweep, groups, labels, names, outputs.output_names)
        result = Importances(per_output, method=self.name,
                             feature_names=outputs.feature_names,
                             output_names=outputs.output_names,
                             extras={"profile": profile, "groups": table})
        return result

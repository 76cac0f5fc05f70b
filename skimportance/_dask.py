"""Importances of data held as a ``dask.array``: computed block by block, never gathered.

:func:`skimportance._dispatch.run_method` hands a dask ``X`` here. The methods that
stream rows are computed in two steps: the global quantities first (the spread of each
input for ``scale=True``, a baseline's mean, the constants of ablation), then per block
of rows (``X``'s row chunks) the sufficient statistics of the result: weighted sums,
Chan et al.'s (count, mean, sum of squared deviations) for a standard deviation,
:class:`~skimportance._moments.ColumnMoments` for the spread of the inputs. Blocks are
merged pairwise in a tree of tasks, so the client only ever receives the merged
statistics (arrays of the size of the result). Each block runs the same in-memory
code as a numpy ``X``, so the numbers equal the in-memory ones to rounding.

Per-row values (``return_local=True``) stay lazy: ``result.local`` is a dask array,
computed (by a second pass over the blocks) when asked for.

dask is an optional dependency (``pip install skimportance[dask]``), imported only
when a dask array is passed.
"""

import sys
from numbers import Integral

import numpy as np
from sklearn.base import clone, is_classifier, is_regressor
from sklearn.utils import check_random_state
from sklearn.utils.random import sample_without_replacement

from ._groups import combine_columns, resolve_groups
from ._moments import ColumnMoments
from ._result import Importances
from .network import entry_columns, final_step, network_inputs, with_fitted_names

__all__ = ["is_dask_array", "run_dask", "run_dask_interactions"]

# The scorers computed exactly from sums over rows (and, for R², the target's spread).
_SCORERS = ("r2", "neg_mean_squared_error", "neg_root_mean_squared_error",
            "neg_mean_absolute_error", "accuracy")


def is_dask_array(X):
    """Whether X is a dask collection (without importing dask when it is not loaded)."""
    if "dask" not in sys.modules:
        return False
    import dask

    return dask.is_dask_collection(X)


def _supported():
    return ("gradient, input_x_gradient, deeplift, integrated_gradients, conductance, "
            "permutation, ablation, and the weight methods (weights, garson, olden)")


# ---------------------------------------------------------------------------- inputs

def _rows_like(values, X, name):
    """``values`` (numpy or dask, one entry or row per row of X) chunked as X's rows."""
    import dask.array as da

    if values is None:
        return None
    if not is_dask_array(values):
        values = np.asarray(values)
        if values.ndim == 0 or len(values) != X.shape[0]:
            raise ValueError(f"{name} has {len(np.atleast_1d(values))} rows but X has "
                             f"{X.shape[0]}; they must match.")
        return da.from_array(values, chunks=(X.chunks[0],) + values.shape[1:])
    if not isinstance(values, da.Array):
        raise TypeError(f"{name} must be a numpy or dask array alongside a dask X; got "
                        f"{type(values).__name__}.")
    if values.ndim == 0 or values.shape[0] != X.shape[0]:
        raise ValueError(f"{name} has {values.shape[0] if values.ndim else 0} rows but X "
                         f"has {X.shape[0]}; they must match.")
    return values.rechunk((X.chunks[0],) + tuple(-1 for _ in values.shape[1:]))


def _validated(estimator, X, y, sample_weight, feature_groups):
    import dask
    import dask.array as da

    if not isinstance(X, da.Array):
        raise TypeError(f"X must be a dask.array.Array (a dask DataFrame: convert it with "
                        f".to_dask_array(lengths=True)); got {type(X).__name__}.")
    if X.ndim != 2:
        raise ValueError(f"X must be 2-d, (n_samples, n_features); got shape {X.shape}.")
    if any(np.isnan(c) for c in X.shape):
        raise ValueError("X has chunks of unknown size; call X.compute_chunk_sizes() "
                         "first (the rows of each block must be known).")
    if X.dtype.kind not in "fiub":
        raise TypeError(f"X must hold numbers with a dask X; got dtype {X.dtype}.")
    expected = getattr(estimator, "n_features_in_", None)
    if expected is not None and X.shape[1] != expected:
        raise ValueError(f"X has {X.shape[1]} features, but {type(estimator).__name__} "
                         f"is expecting {expected} features as input.")
    X = X.astype(np.float64) if X.dtype.kind != "f" else X
    X = X.rechunk({1: -1})  # blocks of whole rows
    y = _rows_like(y, X, "y")
    sample_weight = _rows_like(sample_weight, X, "sample_weight")
    if sample_weight is not None:
        if sample_weight.ndim != 1:
            raise ValueError("sample_weight must be 1-d, one weight per row.")
        sample_weight = sample_weight.astype(float)
        low, total, finite = dask.compute(sample_weight.min(), sample_weight.sum(),
                                          da.isfinite(sample_weight).all())
        if not finite:
            raise ValueError("sample_weight contains NaN or infinity; weights must be "
                             "finite.")
        if low < 0:
            raise ValueError("Negative values in data passed to sample_weight")
        if not total > 0:
            raise ValueError("sample_weight sums to zero: at least one row needs a "
                             "positive weight.")
    names = getattr(estimator, "feature_names_in_", None)
    groups = None
    if feature_groups is not None:
        if isinstance(feature_groups, str) and feature_groups == "auto":
            raise ValueError("feature_groups='auto' correlates the columns of X by rank "
                             "(Spearman), which is not computed on a dask X: pass the "
                             "groups as a list or dict.")
        groups, names = resolve_groups(feature_groups, X.shape[1], names)
    return X, y, sample_weight, names, groups


def _blocks(*arrays):
    """The delayed row blocks of each array (None stays None, one per block)."""
    n_blocks = len(arrays[0].chunks[0])
    out = []
    for a in arrays:
        if a is None:
            out.append([None] * n_blocks)
        else:
            out.append(list(a.to_delayed().reshape(n_blocks, -1)[:, 0]))
    return out


def _tree(parts, merge):
    """Merge delayed parts pairwise, in order, in a tree of tasks: one delayed result."""
    from dask import delayed

    merge = delayed(merge, pure=False)
    parts = list(parts)
    while len(parts) > 1:
        paired = [merge(a, b) for a, b in zip(parts[::2], parts[1::2])]
        parts = paired + parts[len(paired) * 2:]
    return parts[0]


def _add(a, b):
    """Sum of two dicts of statistics; ``ColumnMoments`` and Chan triples merge."""
    out = {}
    for key, value in a.items():
        other = b[key]
        if isinstance(value, ColumnMoments):
            out[key] = value.merge(other)
        elif key == "owned":
            out[key] = None if value is None else value | other
        elif key == "max_abs":
            out[key] = np.maximum(value, other)
        elif key == "chan":
            out[key] = _chan(value, other)
        elif isinstance(value, list):
            out[key] = [u + v for u, v in zip(value, other)]
        else:
            out[key] = value + other
    return out


def _chan(a, b):
    """Chan, Golub & LeVeque's pairwise merge of (weight, mean, sum of squared deviations)."""
    (na, ma, m2a), (nb, mb, m2b) = a, b
    if nb == 0:
        return a
    if na == 0:
        return b
    n = na + nb
    delta = mb - ma
    return n, ma + delta * (nb / n), m2a + m2b + delta**2 * (na * nb / n)


def _sigma(moments):
    """The spread of each input from merged moments, with column_scale's checks."""
    bad = np.flatnonzero(~(np.isfinite(moments.lo) & np.isfinite(moments.hi)))
    if bad.size:
        raise ValueError(
            f"X contains NaN or infinite values (column {bad[0]}); values must be finite "
            "to compute the standard deviation of each column.")
    sigma = moments.std()
    bad = np.flatnonzero(~np.isfinite(sigma))
    if bad.size:
        raise ValueError(f"The standard deviation of column {bad[0]} of X is not finite; "
                         "values of X must be finite, and weights positive and finite.")
    return sigma


def _weight(Xb, wb):
    return float(len(Xb)) if wb is None else float(np.sum(wb))


# ------------------------------------------------------------------ network methods

def _network(method, estimator, Xb):
    if hasattr(method, "_network"):
        net, X_net, owners = method._network(estimator, Xb)
    else:  # an interaction method
        net, X_net, owners = network_inputs(estimator, Xb, method.name)
    return net, np.asarray(X_net, dtype=float), owners


def _owned(owners, n_columns, n_inputs):
    """``owners`` as a matrix: [j, k] whether column j of X produces network input k."""
    if owners is None:
        return None
    owned = np.zeros((n_columns, n_inputs), dtype=bool)
    for j, inputs in enumerate(owners):
        owned[j, inputs] = True
    return owned


def _owners(owned):
    """The network inputs of each column of X, from the blocks' merged ``_owned``.

    The Pipeline's steps are traced on each block (which inputs move with each column);
    an input moved by a column in any block belongs to it, as on all rows at once.
    """
    if owned is None:
        return None
    shared = np.flatnonzero(owned.sum(axis=0) > 1)
    if shared.size:
        raise ValueError(
            f"Network input {shared[0]} depends on several columns of X "
            f"({np.flatnonzero(owned[:, shared[0]]).tolist()}), so it cannot be mapped "
            "back to one column.")
    return [np.flatnonzero(row) for row in owned]


def _input_block(method, estimator, Xb, wb):
    """A block's moments and weighted sums of the network's inputs, and their owners."""
    net, X_net, owners = _network(method, estimator, Xb)
    w = np.ones(len(X_net)) if wb is None else wb
    return {"moments": ColumnMoments.of(X_net, wb), "W": _weight(Xb, wb),
            "sum": w @ X_net, "owned": _owned(owners, Xb.shape[1], net.n_features)}


def _inputs(method, estimator, X, sample_weight):
    """Merged statistics of the network's inputs over all blocks (one pass)."""
    import dask
    from dask import delayed

    Xs, ws = _blocks(X, sample_weight)
    block = delayed(_input_block, pure=False)
    parts = [block(method, estimator, Xb, wb) for Xb, wb in zip(Xs, ws)]
    (total,) = dask.compute(_tree(parts, _add))
    total["owners"] = _owners(total["owned"])
    return total


def _gradient_block(method, estimator, Xb, wb):
    """Weighted sums of J, |J| and J**2, Chan's triple of J, and the inputs' moments."""
    net, X_net, owners = _network(method, estimator, Xb)
    w = np.ones(len(X_net)) if wb is None else wb
    # Keyed by the aggregate they serve: sums of w J, w |J|, w J**2.
    stats = {"moments": ColumnMoments.of(X_net, wb), "W": _weight(Xb, wb),
             "mean": 0.0, "mean_abs": 0.0, "rms": 0.0,
             "owned": _owned(owners, Xb.shape[1], net.n_features)}
    chan = (0.0, 0.0, 0.0)
    for rows, J in net.gradient_batches(X_net, method.output):
        wr = w[rows]
        stats["mean"] = stats["mean"] + np.tensordot(wr, J, axes=1)
        stats["mean_abs"] = stats["mean_abs"] + np.tensordot(wr, np.abs(J), axes=1)
        stats["rms"] = stats["rms"] + np.tensordot(wr, np.square(J), axes=1)
        nb = wr.sum()
        if nb > 0:  # as Gradient._variance, within the block
            mb = np.tensordot(wr, J, axes=1) / nb
            chan = _chan(chan, (nb, mb, np.tensordot(wr, (J - mb) ** 2, axes=1)))
    stats["chan"] = chan
    return stats


def _gradient(method, estimator, X, sample_weight, scale, groups, return_local):
    import dask
    from dask import delayed

    Xs, ws = _blocks(X, sample_weight)
    block = delayed(_gradient_block, pure=False)
    parts = [block(method, estimator, Xb, wb) for Xb, wb in zip(Xs, ws)]
    (total,) = dask.compute(_tree(parts, _add))
    net, _, _ = _network(method, estimator, X[:1].compute())
    owners = _owners(total["owned"])
    sigma = _sigma(total["moments"]) if scale else np.ones(net.n_features)
    W = total["W"]
    if method.aggregate == "std":
        count, _, m2 = total["chan"]
        per_output = np.sqrt(m2 / count) * sigma
    else:
        mean = total[method.aggregate] / W
        per_output = (np.sqrt(mean) if method.aggregate == "rms" else mean) * sigma
    columns = entry_columns(owners, groups)
    if columns is not None:
        per_output = combine_columns(per_output, columns)
    local = None
    if return_local:
        def values(Xb):
            net, X_net, _ = _network(method, estimator, Xb)
            out = np.empty((len(X_net), net.n_outputs, per_output.shape[1]))
            for rows, J in net.gradient_batches(X_net, method.output):
                out[rows] = method._local(J, sigma, columns)
            return out

        local = _lazy_rows(values, Xs, X, (net.n_outputs, per_output.shape[1]))
    return per_output, net.n_outputs, {"local": local}


def _lazy_rows(function, Xs, X, tail):
    """A dask array of per-row values, ``function(block)`` on each row block of X."""
    import dask.array as da
    from dask import delayed

    function = delayed(function, pure=False)
    return da.concatenate([
        da.from_delayed(function(Xb), shape=(n,) + tail, dtype=float)
        for Xb, n in zip(Xs, X.chunks[0])])


def _resolved_baseline(method, X, total):
    """The method's baseline as numbers (one row, or one per row of X), or "zeros"."""
    baseline = method.baseline
    if isinstance(baseline, str):
        if baseline == "zeros":
            return baseline
        if baseline == "median":
            raise ValueError(
                f"baseline='median' is not computed on a dask X (a median needs each "
                f"column sorted): pass baseline='mean', 'zeros', or the medians as "
                f"numbers, e.g. baseline=dask.array.median(X, axis=0).compute() for an "
                f"MLP on X's columns (method {method.name!r}).")
        return (total["sum"] / total["W"])[None, :]
    import dask.array as da

    if isinstance(baseline, da.Array):
        if baseline.ndim == 2 and baseline.shape[0] == X.shape[0] > 1:
            return baseline  # one row per row of X: sliced block by block, never gathered
        baseline = baseline.compute()
    return np.asarray(baseline, dtype=float)


def _on_network(method, estimator, Xb, B, columns, groups):
    """The method, the estimator and the data one block is computed on, and its groups.

    Behind Pipeline steps that do not fold into the first layer (an encoder), the block
    is transformed and the final network is given the entries' network inputs, traced
    on all the blocks: a block where a category is absent would trace fewer.
    """
    one = clone(method).set_params(baseline=B if isinstance(B, str) else np.asarray(B))
    if columns is None:
        return one, estimator, Xb, groups
    _, X_net, _ = _network(method, estimator, Xb)
    return one, final_step(estimator)[1], X_net, columns


def _method_block(method, estimator, Xb, wb, B, columns, groups):
    """The in-memory result of one block, as weighted sums (its means times its weight)."""
    W = _weight(Xb, wb)
    if W == 0:
        return {"W": 0.0, "per_output": 0.0, "units": 0.0}
    one, target, data, entries = _on_network(method, estimator, Xb, B, columns, groups)
    result = one.compute(target, data, scale=False, sample_weight=wb,
                         feature_groups=entries)
    units = result.neuron_importances
    if units is None:
        units = 0.0
    elif isinstance(units, list):
        units = [u * W for u in units]
    else:
        units = units * W
    return {"W": W, "per_output": result.per_output * W, "units": units}


def _block_locals(method, estimator, Xb, B, columns, groups):
    one, target, data, entries = _on_network(method, estimator, Xb, B, columns, groups)
    result = one.compute(target, data, scale=False, feature_groups=entries,
                         return_local=True)
    return result.local, result.convergence_delta


def _rowwise(method, estimator, X, sample_weight, groups, return_local):
    """Methods whose result is a weighted mean over rows once the baseline is fixed."""
    import dask
    import dask.array as da
    from dask import delayed

    total = _inputs(method, estimator, X, sample_weight)
    columns = None if total["owners"] is None else entry_columns(total["owners"], groups)
    B = _resolved_baseline(method, X, total)
    per_row = not isinstance(B, str) and B.ndim == 2 and B.shape[0] == X.shape[0] > 1
    Xs, ws = _blocks(X, sample_weight)
    if isinstance(B, da.Array):
        Bs = _blocks(_rows_like(B, X, "baseline"))[0]
    elif per_row:
        stops = np.cumsum(X.chunks[0])
        Bs = [B[b - n:b] for b, n in zip(stops, X.chunks[0])]
    else:  # one row (checked by the method itself on each block)
        Bs = [B] * len(Xs)
    block = delayed(_method_block, pure=False)
    parts = [block(method, estimator, Xb, wb, Bb, columns, groups)
             for Xb, wb, Bb in zip(Xs, ws, Bs)]
    (total,) = dask.compute(_tree(parts, _add))
    W = total["W"]
    per_output = total["per_output"] / W
    extras = {}
    units = total["units"]
    if isinstance(units, list):
        extras["neuron_importances"] = [u / W for u in units]
    elif not np.isscalar(units):
        extras["neuron_importances"] = units / W
    if return_local:
        k, p = per_output.shape
        local = delayed(_block_locals, pure=False, nout=2)
        pairs = [local(method, estimator, Xb, Bb, columns, groups) for Xb, Bb in zip(Xs, Bs)]
        extras["local"] = da.concatenate([
            da.from_delayed(pair[0], shape=(n, k, p), dtype=float)
            for pair, n in zip(pairs, X.chunks[0])])
        extras["convergence_delta"] = da.concatenate([
            da.from_delayed(pair[1], shape=(n, k), dtype=float)
            for pair, n in zip(pairs, X.chunks[0])])
    return per_output, per_output.shape[0], extras


def _weights(method, estimator, X, sample_weight, scale, groups):
    """Weight methods: only the spread of each input is read from X."""
    net, _, _ = _network(method, estimator, X[:1].compute())
    total = _inputs(method, estimator, X, sample_weight)
    owners = total["owners"]
    sigma = _sigma(total["moments"]) if scale else np.ones(net.n_features)
    per_output = method._per_output(net, None, sigma, None)
    columns = entry_columns(owners, groups)
    if columns is not None:
        per_output = combine_columns(per_output, columns)
    return per_output, net.n_outputs, {}


def _hessian_block(method, estimator, Xb, wb, sigma, entries):
    """A block's Hessian summary as mergeable sums (``row_summary``'s, per block)."""
    from .network import hessian_batches, row_summary

    W = _weight(Xb, wb)
    if W == 0:
        return {"chan": (0.0, 0.0, 0.0), "rms": 0.0, "mean_abs": 0.0, "max_abs": 0.0}
    net, X_net, _ = _network(method, estimator, Xb)
    batches = hessian_batches(net, X_net, method.output, entries=entries, scale=sigma,
                              n_jobs=method.n_jobs)
    one = row_summary(batches, len(X_net), wb)
    return {"chan": (W, one["mean"], one["std"] ** 2 * W), "rms": one["rms"] ** 2 * W,
            "mean_abs": one["mean_abs"] * W, "max_abs": one["max_abs"]}


def _hessian(method, estimator, X, sample_weight, scale, groups, names, return_local):
    import dask
    from dask import delayed

    from .methods._base import output_names

    if return_local:
        raise ValueError("return_local=True is not available for interactions on a dask "
                         "X (n_samples x n_outputs x E x E values); compute them on a "
                         "sample in memory.")
    net, first, _ = _network(method, estimator, X[:1].compute())
    total = _inputs(method, estimator, X, sample_weight)
    sigma = _sigma(total["moments"]) if scale else np.ones(net.n_features)
    entries = entry_columns(total["owners"], groups)
    Xs, ws = _blocks(X, sample_weight)
    block = delayed(_hessian_block, pure=False)
    (total,) = dask.compute(_tree([block(method, estimator, Xb, wb, sigma, entries)
                                   for Xb, wb in zip(Xs, ws)], _add))
    count, mean, m2 = total["chan"]
    if count <= method.ddof:
        raise ValueError(f"The standard deviation with ddof={method.ddof} needs rows whose "
                         f"weights sum to more than {method.ddof}; they sum to {count:g}.")
    summary = {"mean": mean, "std": np.sqrt(m2 / (count - method.ddof)),
               "rms": np.sqrt(total["rms"] / count), "mean_abs": total["mean_abs"] / count}
    if not np.any(total["max_abs"]) or net.activation in ("relu", "identity"):
        # The method's warnings on what a zero or output-only Hessian means, said once.
        method._matrices(net, first, sigma, None, False, entries)
    from .interactions._result import Interactions

    return Interactions(summary[method.aggregate], method=method.name, feature_names=names,
                        output_names=output_names(estimator, net.n_outputs),
                        spread=summary["std"])


def run_dask_interactions(method, estimator, X, y=None, *, scale=True, sample_weight=None,
                          feature_groups=None, return_local=False):
    """Run an interaction method on a dask ``X``, block by block (the Hessian only)."""
    from ._dispatch import fitted_estimator
    from .interactions._hessian import Hessian

    estimator = fitted_estimator(estimator)
    method._validate_params()
    if not isinstance(method, Hessian):
        raise TypeError(f"Interaction method {method.name!r} is not computed on a dask X; "
                        "method='hessian' is (its summaries are sums over rows).")
    X, y, sample_weight, names, groups = _validated(estimator, X, y, sample_weight,
                                                    feature_groups)
    result = _hessian(method, estimator, X, sample_weight, scale, groups, names,
                      return_local)
    if not np.isfinite(result.per_output).all():
        raise ValueError(f"Interaction method {method.name!r} gave non-finite values (NaN "
                         "or infinity).")
    return result


# ------------------------------------------------------------------ score methods

def _score_kind(method, estimator):
    scoring = method.scoring
    if scoring is None:
        if is_regressor(estimator):
            return "r2"
        if is_classifier(estimator):
            return "accuracy"
    elif isinstance(scoring, str) and scoring in _SCORERS:
        return scoring
    raise ValueError(
        f"scoring={scoring!r} cannot be computed exactly from sums over blocks of rows of "
        f"a dask X (method {method.name!r}); with a dask X use scoring=None (a regressor's "
        f"R², a classifier's accuracy) or one of {list(_SCORERS)}. Scores that rank all "
        f"rows together (roc_auc, average_precision) need X in memory.")


def _prediction_stats(kind, y, pred, w):
    """What a block contributes to a score: weighted sums of per-row terms."""
    if kind == "accuracy":
        right = (pred == y) if y.ndim == 1 else (pred == y).all(axis=1)
        return np.array([w @ right])
    y2, p2 = y.reshape(len(y), -1), np.asarray(pred, dtype=float).reshape(len(y), -1)
    error = y2 - p2
    return w @ (np.abs(error) if kind == "neg_mean_absolute_error" else error**2)


def _score_block(estimator, kind, Xb, yb, wb, replacements, entries):
    """A block's statistics: unchanged, and with each entry's columns replaced in turn.

    ``replacements``: one array of new values per repeat, of the block's shape (rows of
    the shuffled X), or None for only the unchanged score.
    """
    w = np.ones(len(Xb)) if wb is None else wb
    y = np.asarray(yb)
    stats = {"W": float(w.sum()), "base": _prediction_stats(
        kind, y, estimator.predict(with_fitted_names(estimator, Xb)), w)}
    if kind == "r2":
        y2 = y.reshape(len(y), -1).astype(float)
        nb = w.sum()
        mean = w @ y2 / nb if nb > 0 else np.zeros(y2.shape[1])
        stats["chan"] = (nb, mean, w @ (y2 - mean) ** 2)
    if replacements is not None:
        values = np.empty((len(entries), len(replacements)) + stats["base"].shape)
        Xw = Xb.copy()
        for i, cols in enumerate(entries):
            for r, new in enumerate(replacements):
                Xw[:, cols] = new[:, cols] if new.ndim == 2 else new[cols]
                pred = estimator.predict(with_fitted_names(estimator, Xw))
                values[i, r] = _prediction_stats(kind, y, pred, w)
            Xw[:, cols] = Xb[:, cols]
        stats["scores"] = values
    return stats


def _score(kind, stats, values):
    """The score from merged statistics (the formulas of scikit-learn's metrics)."""
    W = stats["W"]
    if kind == "accuracy":
        return values[..., 0] / W
    if kind == "r2":
        _, _, denominator = stats["chan"]
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = 1 - values / denominator
        # scikit-learn's force_finite: a constant target scores 1 if predicted exactly
        r2 = np.where(denominator == 0, np.where(values == 0, 1.0, 0.0), r2)
        return r2.mean(axis=-1)
    if kind == "neg_root_mean_squared_error":
        return -np.sqrt(values / W).mean(axis=-1)
    return -(values / W).mean(axis=-1)


def _split(Xb, destinations, stops):
    """Where the rows of one block go after each shuffle: per destination block, per
    repeat, (positions, rows)."""
    parts = []
    for b in range(len(stops)):
        low = stops[b - 1] if b else 0
        parts.append([(dest[(dest >= low) & (dest < stops[b])] - low,
                       Xb[(dest >= low) & (dest < stops[b])]) for dest in destinations])
    return parts


def _shuffled_block(estimator, kind, Xb, yb, wb, parts, entries):
    """``_score_block`` with the shuffled rows assembled from every block's part."""
    n_repeats = len(parts[0])
    replacements = [np.empty_like(Xb) for _ in range(n_repeats)]
    for part in parts:
        for r, (positions, rows) in enumerate(part):
            replacements[r][positions] = rows
    return _score_block(estimator, kind, Xb, yb, wb, replacements, entries)


def _score_stats(estimator, kind, X, y, sample_weight, replace=None, entries=None):
    """Delayed merged statistics of the scores over the blocks of X.

    ``replace``: None (only the unchanged score), an array of constants, or a list of
    permutations of the rows. Shuffled rows travel between blocks as a shuffle: each
    block splits its rows by the block they go to (all repeats at once), each block
    gathers its parts, so no task holds more than about two blocks.
    """
    from dask import delayed

    Xs, ys, ws = _blocks(X, y, sample_weight)
    if replace is None or isinstance(replace, np.ndarray):
        block = delayed(_score_block, pure=False)
        constants = None if replace is None else [replace]
        parts = [block(estimator, kind, Xb, yb, wb, constants, entries)
                 for Xb, yb, wb in zip(Xs, ys, ws)]
        return _tree(parts, _add)
    stops = np.cumsum(X.chunks[0])
    # The shuffled row j is row perm[j]: source row i goes to position inverse[i].
    inverses = [np.argsort(perm) for perm in replace]
    split = delayed(_split, pure=False, nout=len(Xs))
    pieces = [split(Xb, [inv[a - n:a] for inv in inverses], stops)
              for Xb, a, n in zip(Xs, stops, X.chunks[0])]
    block = delayed(_shuffled_block, pure=False)
    parts = [block(estimator, kind, Xb, yb, wb, [piece[b] for piece in pieces], entries)
             for b, (Xb, yb, wb) in enumerate(zip(Xs, ys, ws))]
    return _tree(parts, _add)


def _scores(method, estimator, X, y, sample_weight, groups, names):
    import dask

    from .methods._column_engine import _columns_per_entry

    if y is None:
        raise ValueError(f"Method {method.name!r} scores the model, so it needs the true "
                         "targets y.")
    if X.shape[0] < 2:
        raise ValueError(f"X has n_samples={X.shape[0]}; method {method.name!r} compares "
                         "scores of the model, which need at least 2 samples.")
    scorer = method.check_scorer(estimator)  # the method's own checks, and errors
    kind = _score_kind(method, estimator)
    entries = _columns_per_entry(groups, X.shape[1])
    n_rows = X.shape[0]
    if method.name == "ablation":
        constants = _ablation_constants(method, X)
        total = _score_stats(estimator, kind, X, y, sample_weight, constants, entries)
        (total,) = dask.compute(total)
        baseline = _score(kind, total, total["base"])
        scores = _score(kind, total, total["scores"])
    else:
        if isinstance(method.max_samples, Integral):
            if method.max_samples > n_rows:
                raise ValueError(f"max_samples={method.max_samples} is more than the "
                                 f"{n_rows} rows of X.")
            n_drawn = method.max_samples
        else:
            n_drawn = int(method.max_samples * n_rows)
        # The draws of Permutation._compute, in the same order: the same shuffles.
        seed = check_random_state(method.random_state).randint(np.iinfo(np.int32).max + 1)
        generator = np.random.RandomState(seed)
        whole = None
        if n_drawn < n_rows:
            rows = sample_without_replacement(n_rows, n_drawn, random_state=generator)
            whole = _score_stats(estimator, kind, X, y, sample_weight)
            size = X.chunks[0][0]
            X = X[rows].rechunk({0: size})
            y = y[rows].rechunk({0: X.chunks[0]})
            sample_weight = (None if sample_weight is None
                             else sample_weight[rows].rechunk({0: X.chunks[0]}))
        shuffle, perm, perms = np.arange(n_drawn), np.arange(n_drawn), []
        for _ in range(method.n_repeats):
            generator.shuffle(shuffle)
            perm = perm[shuffle]
            perms.append(perm)
        # One shuffle of X per compute: at most one shuffled copy of X is in flight
        # (dask.distributed spills it to disk if need be), at the cost of one pass over
        # X per repeat.
        scores = []
        for r, perm in enumerate(perms):
            total = _score_stats(estimator, kind, X, y, sample_weight, [perm], entries)
            if r == 0:  # the scores on all rows (max_samples < 1) in the same pass
                total, whole = dask.compute(total, whole)
            else:
                (total,) = dask.compute(total)
            scores.append(_score(kind, total, total["scores"]))
        scores = np.concatenate(scores, axis=1)
        baseline = _score(kind, *((whole, whole["base"]) if whole is not None
                                  else (total, total["base"])))
    return method._result((baseline - scores)[..., None], names, scorer)


def _ablation_constants(method, X):
    import dask.array as da

    if isinstance(method.value, str):
        if method.value == "mean":
            return X.mean(axis=0).compute()
        # A median sorts each column: one column per task, never all of X at once.
        return da.median(X.rechunk({0: -1, 1: 1}), axis=0).compute()
    return method._constants(np.empty((0, X.shape[1])))


# ----------------------------------------------------------------------- the entry

def run_dask(method, estimator, X, y=None, *, scale=True, sample_weight=None,
             feature_groups=None, return_local=False):
    """Run ``method`` on a dask ``X`` (and ``y``, ``sample_weight``), block by block.

    Parameters and result as :func:`skimportance._dispatch.run_method`; ``result.local``
    (with ``return_local=True``) is a dask array.

    Raises
    ------
    TypeError
        If the method cannot be computed from blocks of rows (it names the methods
        that can).
    """
    from ._dispatch import check_finite, fitted_estimator
    from .methods import Ablation, Gradient, Permutation
    from .methods._base import NetworkMethod
    from .methods._deeplift import DeepLift, InputXGradient
    from .methods._path import _PathMethod

    estimator = fitted_estimator(estimator)
    method._validate_params()
    X, y, sample_weight, names, groups = _validated(estimator, X, y, sample_weight,
                                                    feature_groups)
    if return_local and not method.has_local:
        method.check_inputs(X, y, return_local)  # its error, naming the methods
    if isinstance(method, (Permutation, Ablation)):
        result = _scores(method, estimator, X, y, sample_weight, groups, names)
        return check_finite(result, method, None)
    if isinstance(method, Gradient):
        per_output, k, extras = _gradient(method, estimator, X, sample_weight, scale,
                                          groups, return_local)
    elif isinstance(method, (InputXGradient, DeepLift, _PathMethod)):
        per_output, k, extras = _rowwise(method, estimator, X, sample_weight, groups,
                                         return_local)
    elif isinstance(method, NetworkMethod) and not method.needs_X:
        per_output, k, extras = _weights(method, estimator, X, sample_weight, scale, groups)
    else:
        raise TypeError(
            f"Method {method.name!r} is not computed on a dask X (it needs all rows at "
            f"once, refits, or draws random numbers tied to row positions). Methods "
            f"that accept a dask X: {_supported()}; or pass X as a numpy array.")
    from .methods._base import output_names

    names_out = output_names(estimator, k) if per_output.shape[0] == k else ["all outputs"]
    result = Importances(per_output, method=method.name, feature_names=names,
                         output_names=names_out, extras=extras)
    return check_finite(result, method, None)

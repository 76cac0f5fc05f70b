"""The methods that stream rows of a dask ``X``: gradients, row-wise methods, weights.

The gradient family is summed block by block from the Jacobian of each row. The
row-wise methods (input x gradient, DeepLIFT, the path methods) run their in-memory
code on each block once the baseline is resolved (a mean over all blocks, or given),
and are averaged by weight. The weight methods read only the spread of each input.
Per-row values stay lazy dask arrays.
"""

import numpy as np
from sklearn.base import clone

from .._groups import combine_columns
from .._moments import ColumnMoments
from ..network import entry_columns, final_step
from ._blocks import _add, _blocks, _chan, _inputs, _network, _owned, _owners, _rows_like
from ._blocks import _sigma, _tree, _weight


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

"""The blocks of a dask ``X``: checking the inputs, one task per row block, merging.

Everything the methods share: ``X``, ``y`` and ``sample_weight`` checked and chunked
alike (blocks of whole rows), the delayed row blocks, the pairwise tree of merges and
the merge of each kind of statistic (sums, maxima, Chan's triples,
:class:`~skimportance._moments.ColumnMoments`), and the one pass that gives the
network's inputs (their spread for ``scale=True``, their means, which input each
column of ``X`` produces).
"""

import sys

import numpy as np

from .._groups import resolve_groups
from .._moments import ColumnMoments
from ..network import network_inputs


def is_dask_array(X):
    """Whether X is a dask collection (without importing dask when it is not loaded)."""
    if "dask" not in sys.modules:
        return False
    import dask

    return dask.is_dask_collection(X)


# ---------------------------------------------------------------------------- checks

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


# ------------------------------------------------------------------ blocks, merges

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
    return moments.checked_std()


def _weight(Xb, wb):
    return float(len(Xb)) if wb is None else float(np.sum(wb))


# ------------------------------------------------------------ the network's inputs

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

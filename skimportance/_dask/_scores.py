"""Permutation and ablation scores on a dask ``X``, from sums over blocks of rows.

Only scorers that are exact functions of weighted sums over rows are accepted (R², the
mean squared / absolute errors, accuracy). Permutation draws the same permutations as
the in-memory method (same ``random_state``, same numbers) and moves the shuffled rows
between blocks (each block splits its rows by destination), one repeat per pass over
``X``; ablation's constants (each column's mean or median) are computed first.
"""

from numbers import Integral

import numpy as np
from sklearn.base import is_classifier, is_regressor
from sklearn.utils import check_random_state
from sklearn.utils.random import sample_without_replacement

from ..network import with_fitted_names
from ._blocks import _add, _blocks, _tree


# The scorers computed exactly from sums over rows (and, for R², the target's spread).
_SCORERS = ("r2", "neg_mean_squared_error", "neg_root_mean_squared_error",
            "neg_mean_absolute_error", "accuracy")


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

    from ..methods._column_engine import _columns_per_entry

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

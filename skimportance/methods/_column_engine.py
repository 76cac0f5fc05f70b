"""The column engine of Permutation and Ablation: replace an entry's columns, score.

Replacement strategies (``_Permuted``, ``_Constant``), the exact loop (the estimator's
own predictions on a copy of X) and the fast one (the network package's rank-one
engine), and the planner that splits the columns into blocks for the workers.
"""

import numpy as np
from joblib import effective_n_jobs
from sklearn import config_context, get_config

from .._parallel import delayed, run
from ..network import fast_network
from ..network._standins import BatchScores
from ._score import ScoreMethod, _score

__all__ = []


def _columns_per_entry(feature_groups, n_features):
    """The columns of each entry of the result: every column alone by default."""
    if feature_groups is None:
        return [np.array([j]) for j in range(n_features)]
    return feature_groups


class _Permuted:
    """Column values after each repeat: ``X[perms[r], col]``."""

    def __init__(self, perms):
        self.perms = perms

    def __len__(self):
        return len(self.perms)

    def __call__(self, X, repeat, cols):
        return X[np.ix_(self.perms[repeat], cols)]


class _Constant:
    """Column values replaced by one constant per column."""

    def __init__(self, values):
        self.values = values

    def __len__(self):
        return 1

    def __call__(self, X, repeat, cols):
        return np.broadcast_to(self.values[cols], (X.shape[0], len(cols)))


def _shares_repeats(fast, replace):
    """Whether the repeats of a block are computed together (they share a product)."""
    return fast is not None and fast.reuses_repeats and len(replace) > 1


def _column_scores(estimator, scorer, fast, X, y, sample_weight, replace, entries, unchanged):
    """Scores, shape (len(entries), n_repeats), with the columns of each entry replaced in
    turn (an entry's columns together, with the same rows)."""
    scores = np.empty((len(entries), len(replace), len(unchanged)))
    if fast is None:
        Xw = X.copy()
        for i, cols in enumerate(entries):
            for r in range(len(replace)):
                Xw[:, cols] = replace(X, r, cols)
                scores[i, r] = _score(scorer, estimator, Xw, y, sample_weight)
            Xw[:, cols] = X[:, cols]
        return scores
    standin = fast.standin()
    batch = BatchScores.from_scorer(scorer, standin, y, sample_weight)
    single = [i for i, cols in enumerate(entries) if len(cols) == 1]
    groups = [i for i, cols in enumerate(entries) if len(cols) > 1]
    single_cols = [int(entries[i][0]) for i in single]

    def score(i, r, D, outputs):
        if not D.any():
            scores[i, r] = unchanged
        else:
            standin.outputs_ = outputs
            scores[i, r] = _score(scorer, standin, X, y, sample_weight)

    def score_all(at, r, D, outputs):
        nonlocal batch
        values = None if batch is None else batch(outputs)
        if values is not None and not batch.verified:
            # The arithmetic of the batch is checked once against the scorer itself.
            standin.outputs_ = outputs[0]
            if np.allclose(values[0], _score(scorer, standin, X, y, sample_weight),
                           rtol=1e-13, atol=1e-13):
                batch.verified = True
            else:  # pragma: no cover - a scikit-learn whose metric changed: its own calls
                batch, values = None, None
        if values is None:
            for j, i in enumerate(at):
                score(i, r, D[:, j], outputs[j])
            return
        scores[at, r] = values
        unchanged_at = ~D.any(axis=0)
        if unchanged_at.any():
            scores[np.asarray(at)[unchanged_at], r] = unchanged

    # The stand-in is ours: scikit-learn's argument checks of it would only cost time.
    with config_context(skip_parameter_validation=True):
        if single and _shares_repeats(fast, replace):
            Xs = X[:, single_cols]
            D = np.stack([replace(X, r, single_cols) - Xs for r in range(len(replace))])
            for r, outputs in enumerate(fast.repeated_outputs(D, single_cols)):
                score_all(single, r, D[r], outputs)
            single = []
        for r in range(len(replace)):
            if single:
                D = replace(X, r, single_cols) - X[:, single_cols]
                score_all(single, r, D, fast.outputs(D, single_cols))
            for i in groups:
                D = replace(X, r, entries[i]) - X[:, entries[i]]
                score(i, r, D, fast.group_outputs(D, entries[i]))
    return scores


# Bytes of the new values, deltas and outputs of one block of columns on the fast path.
# A cache-sized block, rather than scikit-learn's working_memory (1 GiB by default, which
# made the extra memory of Permutation 4 to 6 times X), bounds it to a fixed amount for
# any data size. Not smaller: each block reads the first-layer pre-activation and
# gathers its rows of X once, which only enough columns amortise. (Measured on X (20000,
# 50) with an MLP (128, 64) and on X (5000, 500) with an MLP (256,), numba and numpy:
# 16 MiB is as fast as one block of all columns, or faster; 4 MiB up to 15% slower.)
_BLOCK_BYTES = 16 * 2**20


class _ColumnMethod(ScoreMethod):
    """Score drop with each column replaced in turn, on the fast path for MLPs."""

    def _replace_and_score(self, estimator, scorer, X, y, sample_weight, replace, unchanged,
                           entries):
        fast = None if self.engine == "exact" else fast_network(estimator, X, scorer)
        if fast is None and self.engine == "fast":
            raise ValueError(
                f"engine='fast' needs an MLP (or a Pipeline of per-feature scalers ending "
                f"in one) scored by a scikit-learn scorer, on finite X; got "
                f"{type(estimator).__name__} with scoring={self.scoring!r}. Use "
                "engine='auto' or 'exact'.")
        n_rows, n_features = X.shape[0], len(entries)
        if fast is None:
            # Each block scores its columns one at a time on its own copy of X, so its
            # memory does not depend on how many columns it has: one block per worker.
            fit = n_features
        else:
            # A block of columns holds, per column, its new values, the columns of X they
            # replace, the deltas and the outputs (logits and after the output activation):
            # _BLOCK_BYTES at most (or working_memory if smaller), one column at least.
            per_column = 8 * n_rows * (2 * fast.n_outputs + 3)
            if _shares_repeats(fast, replace):  # every repeat's deltas and outputs at once
                per_column = 8 * n_rows * (len(replace) * (2 * fast.n_outputs + 2) + 1)
            budget = min(_BLOCK_BYTES, get_config()["working_memory"] * 2**20)
            fit = max(1, int(budget // per_column))
        workers = effective_n_jobs(self.n_jobs)
        n_blocks = max(-(-n_features // fit), min(n_features, 4 * workers if workers > 1 else 1),
                       min(n_features, 10) if self.verbose else 1)
        blocks = [b for b in np.array_split(np.arange(n_features), n_blocks) if len(b)]
        tasks = (delayed(_column_scores)(estimator, scorer, fast, X, y, sample_weight, replace,
                                         [entries[i] for i in block], unchanged)
                 for block in blocks)
        parts = run(tasks, n_jobs=self.n_jobs, verbose=self.verbose, desc=self.name,
                    sizes=[len(b) for b in blocks], prefer=None if fast is None else "threads")
        return np.vstack(parts)

"""Rank statistics: how much several importance rankings agree."""

import math

import numpy as np

__all__ = ["average_ranks", "kendalls_w", "mean_pairwise_spearman", "rank_descending",
           "spearman"]


def average_ranks(values):
    """Ranks 1..n of ``values`` in ascending order; tied values share their average rank.

    >>> average_ranks([10, 30, 20, 20])
    array([1. , 4. , 2.5, 2.5])
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError("average_ranks expects a 1-d array.")
    n = values.shape[0]
    order = np.argsort(values, kind="mergesort")
    ordered = values[order]
    # Start of each run of equal values, in sorted order.
    starts = np.concatenate(([0], np.flatnonzero(ordered[1:] != ordered[:-1]) + 1))
    ends = np.concatenate((starts[1:], [n]))
    ranks = np.empty(n)
    for start, end in zip(starts, ends):
        # Positions start..end-1 hold ranks start+1..end; their mean is (start+1+end)/2.
        ranks[order[start:end]] = (start + 1 + end) / 2.0
    return ranks


def rank_descending(values):
    """Ranks with 1 for the largest value; ties share their average rank.

    >>> rank_descending([0.1, 0.6, 0.3])
    array([3., 1., 2.])
    """
    return average_ranks(-np.asarray(values, dtype=float))


def kendalls_w(rankings):
    """Kendall's coefficient of concordance W of m rankings of the same n items.

    Parameters
    ----------
    rankings : array-like of shape (m, n)
        One row per rater (here: per method). Each row is converted to average ranks
        first, so rows may hold ranks or scores (all in the same direction).

    Returns
    -------
    w : float
        From 0 (no agreement) to 1 (identical rankings), with the correction for ties.
        NaN when undefined (fewer than 2 items, or every row entirely tied).

    >>> kendalls_w([[1, 2, 3], [1, 2, 3]])
    1.0
    >>> kendalls_w([[1, 2, 3], [3, 2, 1]])
    0.0
    """
    rankings = np.atleast_2d(np.asarray(rankings, dtype=float))
    m, n = rankings.shape
    if m == 0 or n < 2:
        return float("nan")
    ranks = np.vstack([average_ranks(row) for row in rankings])
    totals = ranks.sum(axis=0)
    s = float(np.sum((totals - totals.mean()) ** 2))
    ties = 0.0
    for row in ranks:
        _, counts = np.unique(row, return_counts=True)
        ties += float(np.sum(counts.astype(float) ** 3 - counts))
    denominator = m * m * (n ** 3 - n) - m * ties
    if denominator <= 0:
        return float("nan")
    return 12.0 * s / denominator


def spearman(a, b):
    """Spearman's rank correlation of two sequences (ties: average ranks).

    The Pearson correlation of the average ranks; NaN when either is constant.

    >>> round(spearman([1, 2, 3, 4], [1, 3, 2, 4]), 6)
    0.8
    """
    ra, rb = average_ranks(a), average_ranks(b)
    if ra.shape != rb.shape:
        raise ValueError("spearman expects two sequences of the same length.")
    ra -= ra.mean()
    rb -= rb.mean()
    denominator = math.sqrt(float(ra @ ra) * float(rb @ rb))
    if denominator == 0:
        return float("nan")
    return float(ra @ rb) / denominator


def mean_pairwise_spearman(rankings):
    """Mean of Spearman's correlation over all pairs of rows; NaN with fewer than 2 rows.

    >>> mean_pairwise_spearman([[1, 2, 3], [1, 2, 3], [3, 2, 1]])
    -0.3333333333333333
    """
    rankings = np.atleast_2d(np.asarray(rankings, dtype=float))
    m = rankings.shape[0]
    values = [spearman(rankings[i], rankings[j])
              for i in range(m) for j in range(i + 1, m)]
    if not values:
        return float("nan")
    return float(np.mean(values))

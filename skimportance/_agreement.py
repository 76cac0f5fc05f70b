"""Rank statistics: how much several importance rankings agree (on scipy's ranks)."""

import warnings

import numpy as np
from scipy import stats

__all__ = ["average_ranks", "kendalls_w", "mean_pairwise_spearman", "rank_descending",
           "rank_table", "spearman"]


def average_ranks(values):
    """Ranks 1..n of ``values`` in ascending order; tied values share their average rank.

    >>> average_ranks([10, 30, 20, 20])
    array([1. , 4. , 2.5, 2.5])
    """
    values = np.asarray(values, dtype=float)
    if values.ndim != 1:
        raise ValueError("average_ranks expects a 1-d array.")
    return stats.rankdata(values, method="average")


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
    ranks = stats.rankdata(rankings, method="average", axis=1)
    totals = ranks.sum(axis=0)
    s = float(np.sum((totals - totals.mean()) ** 2))
    # Tie correction: sum over the rows' groups of tied ranks of (t^3 - t).
    ties = sum(float(np.sum(counts.astype(float) ** 3 - counts))
               for counts in (np.unique(row, return_counts=True)[1] for row in ranks))
    denominator = m * m * (n ** 3 - n) - m * ties
    if denominator <= 0:
        return float("nan")
    return 12.0 * s / denominator


def spearman(a, b):
    """Spearman's rank correlation of two sequences (ties: average ranks).

    NaN when either is constant.

    >>> round(spearman([1, 2, 3, 4], [1, 3, 2, 4]), 6)
    0.8
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("spearman expects two sequences of the same length.")
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")  # undefined: said by the NaN, without scipy's warning
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", stats.ConstantInputWarning)
        return float(stats.spearmanr(a, b).statistic)


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


def rank_table(means):
    """How often each input held each place over rows of importances (1 = largest).

    Tied inputs share the best place of their tie, so every row of the table sums to
    the number of rows of ``means``.

    >>> rank_table([[3.0, 1.0, 2.0], [1.0, 3.0, 2.0]])
    array([[1, 0, 1],
           [1, 0, 1],
           [0, 2, 0]])
    """
    means = np.atleast_2d(np.asarray(means, dtype=float))
    n_features = means.shape[1]
    counts = np.zeros((n_features, n_features), dtype=int)
    for row in means:
        place = (row[None, :] > row[:, None]).sum(axis=1)  # inputs strictly above
        counts[np.arange(n_features), place] += 1
    return counts

"""Mergeable per-column moments (weight, mean, spread, range) of chunks of rows.

A chunk's values are first divided by the power of two at each column's largest ``|x|``
(exact), so that squares of any finite values neither overflow nor underflow; two
chunks' moments are brought to the larger power before they merge, by the pairwise
rule of Chan, Golub & LeVeque (1979), which is as accurate as two passes over the data
and lets chunks be computed in any grouping (threads, dask blocks) and merged in order.
"""

import numpy as np

__all__ = ["ColumnMoments"]


def _scaled(values, e, out=None):
    """``values * 2**-e``, exactly; a product when ``2**-e`` is a normal float (faster)."""
    if np.all((e >= -1021) & (e <= 1021)):
        return np.multiply(values, np.ldexp(1.0, -e), out=out, dtype=float)
    return np.ldexp(values, -e, out=out, dtype=float)


class ColumnMoments:
    """Weight, mean and sum of squared deviations of each column, in units of ``2**e``.

    Build one per chunk with :meth:`of`, combine with :meth:`merge`; ``std()`` is the
    (weighted) standard deviation of all the rows seen.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[1.0, 5.0], [3.0, 5.0], [5.0, 5.0]])
    >>> both = ColumnMoments.of(X[:1]).merge(ColumnMoments.of(X[1:]))
    >>> both.std().tolist()
    [1.632993161855452, 0.0]
    """

    def __init__(self, weight, mean, m2, e, lo, hi):
        self.weight, self.mean, self.m2, self.e, self.lo, self.hi = weight, mean, m2, e, lo, hi

    @classmethod
    def of(cls, X, sample_weight=None, buffer=None):
        """The moments of the rows of ``X`` (2-d), weighted by ``sample_weight``."""
        lo, hi = X.min(axis=0), X.max(axis=0)  # NaN and inf show in these
        if not (np.isfinite(lo).all() and np.isfinite(hi).all()):
            return cls(0.0, None, None, None, lo, hi)  # column_scale names the column
        _, e = np.frexp(np.maximum(np.abs(lo), np.abs(hi)).astype(float))
        values = _scaled(X, e, out=buffer)
        if sample_weight is None:
            weight = float(len(X))
            mean = values.sum(axis=0) / weight
            values -= mean
            values *= values
            m2 = values.sum(axis=0)
        else:
            weight = float(sample_weight.sum())
            mean = (sample_weight @ values) / weight if weight > 0 else np.zeros(len(e))
            values -= mean
            values *= values
            m2 = sample_weight @ values
        return cls(weight, mean, m2, e, lo, hi)

    def merge(self, other):
        """The moments of the rows of both (a new object)."""
        lo, hi = np.minimum(self.lo, other.lo), np.maximum(self.hi, other.hi)
        if self.mean is None or other.mean is None:
            return ColumnMoments(0.0, None, None, None, lo, hi)
        if other.weight == 0:
            return ColumnMoments(self.weight, self.mean, self.m2, self.e, lo, hi)
        if self.weight == 0:
            return ColumnMoments(other.weight, other.mean, other.m2, other.e, lo, hi)
        e = np.maximum(self.e, other.e)
        ma, m2a = np.ldexp(self.mean, self.e - e), np.ldexp(self.m2, 2 * (self.e - e))
        mb, m2b = np.ldexp(other.mean, other.e - e), np.ldexp(other.m2, 2 * (other.e - e))
        weight = self.weight + other.weight
        delta = mb - ma
        m2 = m2a + m2b + delta * delta * (self.weight * other.weight / weight)
        mean = ma + delta * (other.weight / weight)
        return ColumnMoments(weight, mean, m2, e, lo, hi)

    def checked_std(self):
        """``std()``, or a ValueError naming the first column with a non-finite value or
        a non-finite standard deviation (from weights callers should have rejected)."""
        bad = np.flatnonzero(~(np.isfinite(self.lo) & np.isfinite(self.hi)))
        if bad.size:
            raise ValueError(
                f"X contains NaN or infinite values (column {bad[0]}); values must be "
                "finite to compute the standard deviation of each column.")
        sigma = self.std()
        bad = np.flatnonzero(~np.isfinite(sigma))
        if bad.size:
            raise ValueError(
                f"The standard deviation of column {bad[0]} of X is not finite; values of "
                "X must be finite, and weights positive and finite.")
        return sigma

    def std(self):
        """Standard deviation of each column; exactly 0 for a constant column."""
        with np.errstate(invalid="ignore", divide="ignore"):
            sigma = np.ldexp(np.sqrt(self.m2 / self.weight), self.e)
        sigma[self.lo == self.hi] = 0.0  # not the rounding error of its mean
        return sigma

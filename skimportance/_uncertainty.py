"""The uncertainty of an :class:`~skimportance.Importances`: confidence intervals and
variance components from the repeats it pools.

The maths behind :meth:`Importances.confidence_interval` and
:meth:`Importances.variance_components`, whose docstrings give the formulas; the
:ref:`user guide <uncertainty>` says how to read them.
"""

from collections import namedtuple

import numpy as np
from scipy import stats
from sklearn.utils import Bunch

__all__ = ["ConfidenceInterval", "confidence_interval", "is_repeated",
           "variance_components"]


class ConfidenceInterval(namedtuple("ConfidenceInterval", ["low", "high"])):
    """A confidence interval per feature, from :meth:`Importances.confidence_interval`.

    A named tuple ``(low, high)``, so ``low, high = result.confidence_interval()``
    works; the other attributes say how it was made.

    Attributes
    ----------
    low, high : ndarray of shape (n_features,)
        The bounds.
    kind : str
        The repeats the interval is made from, and so what it covers: ``"repeats"``,
        ``"folds"``, ``"refits"`` or ``"refits x folds"`` (see
        :meth:`Importances.confidence_interval`).
    level : float
        The confidence level.
    estimate : ndarray of shape (n_features,)
        The centre, ``importances_mean``.
    standard_error : ndarray of shape (n_features,)
        The estimated standard error of ``estimate``.
    df : ndarray of shape (n_features,)
        Degrees of freedom of the Student t quantile.
    """

    def __new__(cls, low, high, *, kind=None, level=None, estimate=None,
                standard_error=None, df=None):
        self = super().__new__(cls, low, high)
        self.kind = kind
        self.level = level
        self.estimate = estimate
        self.standard_error = standard_error
        self.df = df
        return self


def _layout(result):
    """(n_refits, n_folds or None, n_repeats) of the columns of ``importances``."""
    sampling = result.sampling
    if sampling is not None:
        return sampling.n_refits, sampling.n_folds, sampling.n_repeats
    if result.importances is None:
        return 1, None, 1
    return 1, None, np.shape(result.importances)[1]


def is_repeated(result):
    """Whether ``result`` pools repeats, so that it has a confidence interval."""
    n_refits, n_folds, n_repeats = _layout(result)
    return n_refits > 1 or (n_folds or 1) > 1 or \
        (n_folds is None and n_refits == 1 and n_repeats > 1)


def _table(result):
    """The samples as (n_features, n_refits, n_folds, n_repeats)."""
    n_refits, n_folds, n_repeats = _layout(result)
    return np.asarray(result.importances, dtype=float).reshape(
        result.n_features, n_refits, n_folds or 1, n_repeats)


def _test_to_train(result):
    """Nadeau and Bengio's n_test / n_train: K-fold's 1 / (K - 1) when not recorded."""
    sampling = result.sampling
    if sampling.n_train is None or sampling.n_test is None:
        return 1.0 / (sampling.n_folds - 1)
    return float(np.mean(sampling.n_test) / np.mean(sampling.n_train))


def confidence_interval(result, level):
    """The body of :meth:`Importances.confidence_interval` (``level`` validated there)."""
    n_refits, n_folds, n_repeats = _layout(result)
    if n_folds == 1:
        raise ValueError("A cross-fit with one fold has no spread over folds; use "
                         "cv= with at least two folds.")
    if not is_repeated(result):
        raise ValueError(
            f"The importances of method {result.method!r} hold one value per feature "
            "(one fit, nothing repeated), so there is no spread to make a confidence "
            "interval from: fit ImportanceRegressor or ImportanceClassifier with "
            "cv= (held-out folds) or n_refits= (seeds), or use a method that "
            "repeats, such as Permutation(n_repeats=5).")
    if n_repeats is None:
        raise ValueError("The folds or refits hold different numbers of samples, so "
                         "they make no table to compute a confidence interval from.")
    table = _table(result)
    cells = table.mean(axis=3)  # (n_features, refits, folds)
    if n_folds is None and n_refits == 1:
        kind, (se, df) = "repeats", _t_over(table[:, 0, 0, :])
    elif n_folds is None:
        kind, (se, df) = "refits", _t_over(cells[:, :, 0])
    elif n_refits == 1:
        folds = cells[:, 0, :]
        kind, df = "folds", np.full(result.n_features, n_folds - 1.0)
        se = np.sqrt(folds.var(axis=1, ddof=1) * (1.0 / n_folds + _test_to_train(result)))
    else:
        kind = "refits x folds"
        se, df = _two_way_error(_mean_squares(cells), n_refits, n_folds,
                                _test_to_train(result))
    estimate = np.asarray(result.importances_mean, dtype=float)
    half = stats.t.ppf(0.5 + level / 2.0, df) * se
    return ConfidenceInterval(estimate - half, estimate + half, kind=kind,
                              level=float(level), estimate=estimate,
                              standard_error=se, df=df)


def variance_components(result):
    """The body of :meth:`Importances.variance_components`."""
    n_refits, n_folds, n_repeats = _layout(result)
    if n_refits < 2 or n_folds is None or n_folds < 2 or n_repeats is None:
        raise ValueError(
            "variance_components needs refits on folds, to tell the seed from the "
            f"data: this result has n_refits={n_refits} and "
            f"{'no folds' if n_folds is None else f'{n_folds} folds'}; fit "
            "ImportanceRegressor or ImportanceClassifier with both n_refits>=2 and "
            "cv=.")
    table = _table(result)
    ms_r, ms_j, ms_e = _mean_squares(table.mean(axis=3))
    seed_main = np.clip((ms_r - ms_e) / n_folds, 0, None)
    data = np.clip((ms_j - ms_e) / n_refits, 0, None)
    seed = (ms_r + (n_folds - 1) * ms_e) / n_folds
    repeats = table.var(axis=3, ddof=1).mean(axis=(1, 2)) if n_repeats > 1 else None
    return Bunch(seed=seed, data=data, total=seed + data, seed_main=seed_main,
                 interaction=ms_e, repeats=repeats, n_refits=n_refits, n_folds=n_folds)


def _t_over(samples):
    """Standard error and degrees of freedom of the mean of the rows' samples."""
    n = samples.shape[1]
    se = samples.std(axis=1, ddof=1) / np.sqrt(n)
    return se, np.full(samples.shape[0], n - 1.0)


def _mean_squares(cells):
    """Mean squares of refits, folds and residuals of tables (n_features, R, J)."""
    _, n_refits, n_folds = cells.shape
    grand = cells.mean(axis=(1, 2), keepdims=True)
    rows = cells.mean(axis=2, keepdims=True)
    columns = cells.mean(axis=1, keepdims=True)
    ms_r = n_folds * ((rows - grand) ** 2).sum(axis=(1, 2)) / (n_refits - 1)
    ms_j = n_refits * ((columns - grand) ** 2).sum(axis=(1, 2)) / (n_folds - 1)
    residuals = cells - rows - columns + grand
    ms_e = (residuals ** 2).sum(axis=(1, 2)) / ((n_refits - 1) * (n_folds - 1))
    return ms_r, ms_j, ms_e


def _two_way_error(mean_squares, n_refits, n_folds, test_to_train):
    """Standard error of the grand mean of a refits x folds table, and Satterthwaite's
    degrees of freedom.

    Var = max(MS_R - MS_E, 0) / (R J) + MS_J (1 + J c) / (R J): the seed's main effect
    over R refits, plus the variance of the folds' means (MS_J / R) with Nadeau and
    Bengio's factor 1 / J + c. Without the seed term it is the folds' interval on the
    means over refits. The degrees of freedom are floored at min(R, J) - 1, those of the
    least replicated positive mean square: with the difference MS_R - MS_E,
    Satterthwaite's formula can fall below 1 when the seed's effect is near zero.
    """
    ms_r, ms_j, ms_e = mean_squares
    scale = 1.0 / (n_refits * n_folds)
    seeded = ms_r > ms_e
    # Terms a_k MS_k with their degrees of freedom; the seed's two vanish when clipped.
    terms = [(np.where(seeded, scale * ms_r, 0.0), n_refits - 1.0),
             (np.where(seeded, -scale * ms_e, 0.0), (n_refits - 1.0) * (n_folds - 1.0)),
             (scale * (1.0 + n_folds * test_to_train) * ms_j, n_folds - 1.0)]
    variance = sum(term for term, _ in terms)
    spread = sum(term ** 2 / dof for term, dof in terms)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(spread > 0, variance ** 2 / spread, n_folds - 1.0)
    return np.sqrt(variance), np.maximum(df, min(n_refits, n_folds) - 1.0)

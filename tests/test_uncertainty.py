"""Confidence intervals and variance components of a result, by the repeats it pools.

The formulas are checked against hand computations with scipy.stats.t, the variance
components on tables built with known components, and the intervals' coverage on
simulations whose population value is known in closed form.
"""

import pickle
import warnings

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import Bunch, check_random_state

from skimportance import (
    ImportanceClassifier,
    ImportanceRegressor,
    Importances,
    feature_importances,
)
from skimportance._result import ConfidenceInterval, combine_folds, combine_refits
from skimportance.methods import Ablation, Permutation

BETA = np.array([1.0, 0.5])  # the simulations' true coefficients


def neg_mse(estimator, X, y):
    """The negative mean squared error: scikit-learn's scorer without its validation,
    which would dominate the time of the simulations."""
    return -np.mean((y - estimator.predict(X)) ** 2)


class RandomShrinkage(RegressorMixin, BaseEstimator):
    """Least squares with its slopes multiplied by u ~ N(mean, spread**2), u drawn from
    ``random_state`` alone: a model whose seed moves it, by a known law, with no
    optimiser in the way."""

    def __init__(self, mean=1.0, spread=0.0, random_state=None):
        self.mean = mean
        self.spread = spread
        self.random_state = random_state

    def fit(self, X, y):
        X = np.asarray(X, dtype=float)
        coef = np.linalg.lstsq(np.column_stack([np.ones(len(X)), X]), y, rcond=None)[0]
        u = self.mean + self.spread * check_random_state(self.random_state).standard_normal()
        self.intercept_, self.coef_ = coef[0], u * coef[1:]
        self.n_features_in_ = X.shape[1]
        return self

    def predict(self, X):
        return np.asarray(X, dtype=float) @ self.coef_ + self.intercept_


def simulated(seed, n_rows):
    """y = X @ BETA + noise, independent standard normal inputs."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, len(BETA)))
    return X, X @ BETA + rng.normal(size=n_rows)


def covered(low, high, truth):
    """Share of the replications (rows) whose interval holds the truth, per feature."""
    low, high = np.asarray(low), np.asarray(high)
    return ((low <= truth) & (truth <= high)).mean(axis=0)


def folds_of(table, n_train=None, n_test=None):
    """A cross-fit's pooled result from a table (n_features, n_folds, n_repeats)."""
    results = [Importances(np.abs(table[:, j]).mean(axis=1)[None], method="m",
                           importances=table[:, j]) for j in range(table.shape[1])]
    return combine_folds(results, n_train=n_train, n_test=n_test)


def refits_x_folds(table, n_train=None, n_test=None):
    """Refits of cross-fits from a table (n_features, n_refits, n_folds, n_repeats)."""
    return combine_refits([folds_of(table[:, r], n_train, n_test)
                           for r in range(table.shape[1])])


# --- each interval against its formula ------------------------------------------------

def test_repeats_interval_is_the_t_interval_over_repeats():
    samples = np.array([[1.0, 2.0, 4.0, 5.0], [0.1, 0.3, 0.2, 0.2]])
    result = Importances(samples.mean(axis=1)[None], method="permutation",
                         importances=samples, importances_mean=samples.mean(axis=1))
    interval = result.confidence_interval(level=0.9)
    se = samples.std(axis=1, ddof=1) / 2.0
    half = stats.t.ppf(0.95, 3) * se
    assert interval.kind == "repeats" and interval.level == 0.9
    np.testing.assert_allclose(interval.low, samples.mean(axis=1) - half, atol=1e-12)
    np.testing.assert_allclose(interval.high, samples.mean(axis=1) + half, atol=1e-12)
    np.testing.assert_allclose(interval.df, [3, 3], atol=0)
    np.testing.assert_allclose(interval.standard_error, se, atol=1e-12)


def test_folds_interval_is_nadeau_bengio_corrected_t_on_fold_means():
    rng = np.random.default_rng(0)
    table = rng.normal(size=(3, 4, 2))  # 3 features, 4 folds, 2 repeats each
    n_train, n_test = [30, 30, 31, 29], [10, 10, 9, 11]
    result = folds_of(table, n_train, n_test)
    interval = result.confidence_interval()
    fold_means = table.mean(axis=2)  # repeats averaged within a fold first
    var = fold_means.var(axis=1, ddof=1) * (1 / 4 + np.mean(n_test) / np.mean(n_train))
    half = stats.t.ppf(0.975, 3) * np.sqrt(var)
    assert interval.kind == "folds"
    np.testing.assert_allclose(interval.estimate, result.importances_mean, atol=1e-12)
    np.testing.assert_allclose(interval.low, fold_means.mean(axis=1) - half, atol=1e-12)
    np.testing.assert_allclose(interval.high, fold_means.mean(axis=1) + half, atol=1e-12)
    # Without the sizes, K-fold's ratio n_test / n_train = 1 / (K - 1).
    default = folds_of(table).confidence_interval()
    var = fold_means.var(axis=1, ddof=1) * (1 / 4 + 1 / 3)
    np.testing.assert_allclose(default.standard_error, np.sqrt(var), atol=1e-12)


def test_refits_interval_is_the_t_interval_over_refit_means():
    rng = np.random.default_rng(1)
    samples = rng.normal(size=(2, 5, 3))  # 5 refits of a method with 3 repeats
    result = combine_refits([Importances(np.zeros((1, 2)), method="permutation",
                                         importances=samples[:, r]) for r in range(5)])
    assert (result.sampling.n_refits, result.sampling.n_folds,
            result.sampling.n_repeats) == (5, None, 3)
    interval = result.confidence_interval(level=0.99)
    means = samples.mean(axis=2)
    half = stats.t.ppf(0.995, 4) * means.std(axis=1, ddof=1) / np.sqrt(5)
    assert interval.kind == "refits"
    np.testing.assert_allclose(interval.low, means.mean(axis=1) - half, atol=1e-12)
    np.testing.assert_allclose(interval.high, means.mean(axis=1) + half, atol=1e-12)


def constructed_table():
    """A refits x folds table with known effects: seeds a, folds b and an interaction e
    with zero row and column means, so each mean square is known exactly."""
    a = np.array([0.0, 1.0, 3.0])  # var(a, ddof=1) = 7 / 3
    b = np.array([-1.0, 0.0, 0.0, 3.0])  # var(b, ddof=1) = 14 / 3
    e = 0.3 * np.outer([1.0, -2.0, 1.0], [1.0, -1.0, 1.0, -1.0])
    return 5.0 + a[:, None] + b[None, :] + e, a, b, e


def test_variance_components_of_a_constructed_table():
    T, a, b, e = constructed_table()
    R, J = T.shape
    result = refits_x_folds(T[None, :, :, None])
    parts = result.variance_components()
    ms_e = (e ** 2).sum() / ((R - 1) * (J - 1))  # e has zero row and column means
    np.testing.assert_allclose(parts.interaction, [ms_e], atol=1e-12)
    # MS_R = J var(a) + 0 and MS_J = R var(b): the known parts, less the residual's share.
    np.testing.assert_allclose(parts.seed_main, [a.var(ddof=1) - ms_e / J], atol=1e-12)
    np.testing.assert_allclose(parts.data, [b.var(ddof=1) - ms_e / R], atol=1e-12)
    # seed: the variance over refits on a fixed fold, averaged over the folds.
    np.testing.assert_allclose(parts.seed, [T.var(axis=0, ddof=1).mean()], atol=1e-12)
    np.testing.assert_allclose(parts.total, parts.seed + parts.data, atol=1e-12)
    assert parts.repeats is None and (parts.n_refits, parts.n_folds) == (3, 4)


def test_variance_components_recover_a_simulated_random_effects_model():
    rng = np.random.default_rng(2)
    R, J, M = 300, 300, 2
    seed, data, interaction, noise = 0.5, 2.0, 0.25, 1.0
    T = (rng.normal(scale=np.sqrt(seed), size=(R, 1, 1))
         + rng.normal(scale=np.sqrt(data), size=(1, J, 1))
         + rng.normal(scale=np.sqrt(interaction), size=(R, J, 1))
         + rng.normal(scale=np.sqrt(noise), size=(R, J, M)))
    # Built directly: pooling 90000 one-cell results would take seconds.
    sampling = Bunch(n_refits=R, n_folds=J, n_repeats=M, n_train=None, n_test=None)
    result = Importances([[0.0]], method="m", importances=T.reshape(1, -1),
                         extras={"sampling": sampling})
    parts = result.variance_components()
    # Standard errors of these estimates are about 4% (seed, data) and 1% of the value.
    np.testing.assert_allclose(parts.seed_main, [seed], rtol=0.2)
    np.testing.assert_allclose(parts.data, [data], rtol=0.2)
    np.testing.assert_allclose(parts.interaction, [interaction + noise / M], rtol=0.05)
    np.testing.assert_allclose(parts.repeats, [noise], rtol=0.05)


def test_refits_x_folds_interval_by_hand():
    T, _, _, _ = constructed_table()
    R, J = T.shape
    n_train, n_test = [30] * 4, [10] * 4
    result = refits_x_folds(T[None, :, :, None], n_train, n_test)
    interval = result.confidence_interval()
    grand, rows, cols = T.mean(), T.mean(axis=1), T.mean(axis=0)
    ms_r = J * ((rows - grand) ** 2).sum() / (R - 1)
    ms_j = R * ((cols - grand) ** 2).sum() / (J - 1)
    ms_e = ((T - rows[:, None] - cols[None, :] + grand) ** 2).sum() / ((R - 1) * (J - 1))
    c = 10 / 30
    terms = np.array([ms_r, -ms_e, (1 + J * c) * ms_j]) / (R * J)
    dofs = np.array([R - 1, (R - 1) * (J - 1), J - 1])
    var = terms.sum()
    df = var ** 2 / (terms ** 2 / dofs).sum()  # Satterthwaite
    # The same variance read as the seed's main effect plus the folds' corrected one.
    seed_main = (ms_r - ms_e) / J
    np.testing.assert_allclose(var, seed_main / R + cols.var(ddof=1) * (1 / J + c),
                               atol=1e-12)
    assert interval.kind == "refits x folds"
    np.testing.assert_allclose(interval.df, [df], atol=1e-10)
    np.testing.assert_allclose(interval.high, [grand + stats.t.ppf(0.975, df) *
                                               np.sqrt(var)], atol=1e-10)


def test_refits_x_folds_without_a_seed_effect_is_the_folds_interval_on_means():
    T, _, _, e = constructed_table()
    T = T - T.mean(axis=1, keepdims=True) + T.mean()  # no seed main effect: MS_R = 0
    result = refits_x_folds(T[None, :, :, None], [40] * 4, [10] * 4)
    interval = result.confidence_interval()
    on_means = folds_of(T.mean(axis=0)[None, :, None], [40] * 4, [10] * 4)
    expected = on_means.confidence_interval()
    np.testing.assert_allclose(interval.df, [3.0], atol=0)
    np.testing.assert_allclose(interval.low, expected.low, atol=1e-12)
    np.testing.assert_allclose(interval.high, expected.high, atol=1e-12)


# --- validation and errors ------------------------------------------------------------

@pytest.mark.parametrize("level", [0, 1, 1.5, -0.2, "high", None])
def test_level_must_be_in_the_open_unit_interval(level):
    result = Importances([[1.0]], method="m", importances=np.array([[1.0, 2.0]]))
    with pytest.raises(ValueError, match="'level' parameter.*range"):
        result.confidence_interval(level)


def test_no_repeats_is_an_error_that_says_what_to_do():
    single = Importances([[0.3, 0.7]], method="garson")
    one_column = Importances([[0.3, 0.7]], method="ablation",
                             importances=np.array([[0.3], [0.7]]))
    for result in (single, one_column):
        with pytest.raises(ValueError, match=r"no spread.*cv=.*n_refits="):
            result.confidence_interval()
    refits = combine_refits([single, single])
    with pytest.raises(ValueError, match=r"n_refits>=2 and cv="):
        refits.variance_components()
    with pytest.raises(ValueError, match="one fold"):
        combine_folds([single]).confidence_interval()


def test_interval_is_a_named_tuple_that_pickles():
    result = folds_of(np.arange(6.0).reshape(1, 3, 2) ** 2)
    interval = result.confidence_interval()
    low, high = interval
    assert isinstance(interval, ConfidenceInterval) and low[0] < high[0]
    again = pickle.loads(pickle.dumps(interval))
    np.testing.assert_array_equal(again.low, interval.low)
    assert again.kind == "folds" and again.level == 0.95


def test_to_frame_gives_the_interval_when_there_is_one():
    pytest.importorskip("pandas")
    samples = np.array([[1.0, 2.0, 4.0], [0.0, 0.5, 0.4]])
    result = Importances(samples.mean(axis=1)[None], method="permutation",
                         importances=samples, importances_std=samples.std(axis=1))
    frame = result.to_frame()
    interval = result.confidence_interval()
    assert list(frame.columns) == ["importance", "normalized", "std", "ci_low", "ci_high"]
    np.testing.assert_allclose(frame["ci_low"], interval.low, atol=0)
    np.testing.assert_allclose(result.to_frame(level=0.5)["ci_high"],
                               result.confidence_interval(0.5).high, atol=0)
    assert "ci_low" not in Importances([[1.0]], method="garson").to_frame()


# --- the meta-estimators on the README's data sets -----------------------------------

def tiny(kind):
    net = (MLPRegressor if kind == "regressor" else MLPClassifier)(
        hidden_layer_sizes=(3,), solver="lbfgs", max_iter=30, random_state=0)
    return make_pipeline(StandardScaler(), net)


def check_interval(result):
    interval = result.confidence_interval()
    assert np.isfinite(interval.low).all() and np.isfinite(interval.high).all()
    mean = result.importances_mean
    assert ((interval.low <= mean) & (mean <= interval.high)).all()
    np.testing.assert_allclose(interval.estimate, mean, atol=1e-12)
    return interval


@pytest.fixture(scope="module")
def diabetes():
    X, y = load_diabetes(return_X_y=True)
    return X, (y - y.mean()) / y.std()


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_diabetes_refits_x_folds(diabetes):
    X, y = diabetes
    # The exact engine: the fast one's first call would compile numba loops, if present.
    method = Permutation(n_repeats=2, random_state=0, engine="exact")
    est = ImportanceRegressor(tiny("regressor"), method=method, cv=3, n_refits=2).fit(X, y)
    sampling = est.importances_.sampling
    assert (sampling.n_refits, sampling.n_folds, sampling.n_repeats) == (2, 3, 2)
    np.testing.assert_array_equal(sampling.n_train + sampling.n_test, [len(y)] * 3)
    interval = check_interval(est.importances_)
    # Satterthwaite's degrees of freedom, floored at min(R, J) - 1.
    assert interval.kind == "refits x folds" and (interval.df >= 1).all()
    parts = est.importances_.variance_components()
    for key in ("seed", "data", "seed_main", "interaction", "repeats"):
        assert parts[key].shape == (10,) and (parts[key] >= 0).all()
    # The columns run refit after refit: the first refit is the cross-fit of n_refits=1.
    alone = ImportanceRegressor(tiny("regressor"), method=method, cv=3).fit(X, y)
    np.testing.assert_allclose(est.importances_.importances[:, :6],
                               alone.importances_.importances, atol=1e-12)
    assert check_interval(alone.importances_).kind == "folds"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_diabetes_refits_only_and_repeats_only(diabetes):
    X, y = diabetes
    refits = ImportanceRegressor(tiny("regressor"), method="olden", n_refits=3).fit(X, y)
    assert check_interval(refits.importances_).kind == "refits"
    repeats = ImportanceRegressor(tiny("regressor"),
                                  method=Permutation(n_repeats=3, random_state=0)).fit(X, y)
    assert check_interval(repeats.importances_).kind == "repeats"
    with pytest.raises(ValueError, match="cv="):
        ImportanceRegressor(tiny("regressor"), method="olden").fit(X, y) \
            .importances_.confidence_interval()


@pytest.mark.parametrize("load", [load_breast_cancer, load_wine])
def test_classifiers_on_breast_cancer_and_wine(load):
    X, y = load(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        folds = ImportanceClassifier(tiny("classifier"), method="garson", cv=3).fit(X, y)
        both = ImportanceClassifier(tiny("classifier"), method="garson", cv=3,
                                    n_refits=2).fit(X, y)
    assert check_interval(folds.importances_).kind == "folds"
    assert check_interval(both.importances_).kind == "refits x folds"
    parts = both.importances_.variance_components()
    assert np.isfinite(parts.total).all() and parts.repeats is None


# --- coverage on simulations with a known population value ---------------------------

def test_coverage_of_the_repeats_interval():
    """Permutation importance of least squares on its own training data, by the
    t-interval over 10 repeats. Given the model and the data, the expected drop in mean
    squared error when column i is shuffled is exactly 2 beta_i**2 var(x_i) (var with
    1/n): the residuals have mean zero and are orthogonal to x_i, and a uniformly
    random permutation has E[x_pi(k)] = mean(x) and E[x_pi(k) x_k] = mean(x) x_k. Each
    replication draws fresh data and fresh permutations."""
    low, high, truth = [], [], []
    for seed in range(200):
        X, y = simulated(seed, 100)
        model = LinearRegression().fit(X, y)
        result = feature_importances(model, X, y, method=Permutation(
            n_repeats=10, scoring=neg_mse, random_state=seed))
        interval = result.confidence_interval()
        low.append(interval.low)
        high.append(interval.high)
        truth.append(2 * model.coef_ ** 2 * X.var(axis=0))
    coverage = covered(low, high, np.array(truth))
    assert ((0.90 <= coverage) & (coverage <= 0.99)).all(), coverage


def test_coverage_of_the_folds_interval_and_that_it_needs_the_correction():
    """Held-out permutation importance of least squares over 5 folds of 200 rows. The
    Nadeau-Bengio correction targets the expectation over training sets (of this
    size) of the held-out importance, so that is the population value here: for a
    linear model with slopes b fitted without the m held-out rows, independent standard
    normal inputs and y = X beta + noise, E[drop_i | b] = 2 (m - 1) / m b_i beta_i, and
    least squares is unbiased, E[b_i] = beta_i: 2 (m - 1) / m beta_i**2 with m = 40.
    The uncorrected t-interval (variance / J) covers it clearly less often."""
    n_rows, n_folds = 200, 5
    m = n_rows // n_folds
    truth = 2 * (m - 1) / m * BETA ** 2
    low, high, naive = [], [], []
    for seed in range(200):
        X, y = simulated(seed, n_rows)
        est = ImportanceRegressor(RandomShrinkage(), cv=KFold(n_folds, shuffle=True,
                                                              random_state=seed),
                                  method=Permutation(n_repeats=1, scoring=neg_mse,
                                                     random_state=seed)).fit(X, y)
        interval = est.importances_.confidence_interval()
        assert interval.kind == "folds"
        low.append(interval.low)
        high.append(interval.high)
        folds = est.importances_.importances
        half = stats.t.ppf(0.975, n_folds - 1) * folds.std(axis=1, ddof=1) / np.sqrt(n_folds)
        naive.append(np.abs(folds.mean(axis=1) - truth) <= half)
    coverage = covered(low, high, truth)
    assert ((0.90 <= coverage) & (coverage <= 0.99)).all(), coverage
    assert np.mean(naive) < 0.90, np.mean(naive, axis=0)


def test_coverage_of_the_refits_interval():
    """Ablation (column at its mean) of a model whose seed scales the least-squares
    slopes b by u ~ N(0.5, 0.1**2), on its training data, by the t-interval over 5
    refits. Given the data, with S the inputs' covariance (1/n) and the residuals of
    least squares orthogonal to X, the drop in mean squared error is
    2 u (1 - u) b_i (S b)_i + u**2 b_i**2 S_ii, whose mean over seeds uses E[u] = 0.5 and
    E[u**2] = 0.25 + 0.01. A normal quantile instead of t's (4 degrees of freedom)
    covers it clearly less often."""
    mean, spread = 0.5, 0.1
    low, high, truth, normal = [], [], [], []
    for seed in range(200):
        X, y = simulated(seed, 50)
        est = ImportanceRegressor(RandomShrinkage(mean, spread, random_state=seed),
                                  method=Ablation(scoring=neg_mse), n_refits=5).fit(X, y)
        interval = est.importances_.confidence_interval()
        assert interval.kind == "refits"
        slopes = LinearRegression().fit(X, y).coef_
        S = np.cov(X.T, bias=True)
        population = (2 * (mean - mean ** 2 - spread ** 2) * slopes * (S @ slopes)
                      + (mean ** 2 + spread ** 2) * slopes ** 2 * np.diag(S))
        low.append(interval.low)
        high.append(interval.high)
        truth.append(population)
        normal.append(np.abs(interval.estimate - population)
                      <= stats.norm.ppf(0.975) * interval.standard_error)
    coverage = covered(low, high, np.array(truth))
    assert ((0.90 <= coverage) & (coverage <= 0.99)).all(), coverage
    assert np.mean(normal) < 0.90, np.mean(normal, axis=0)


@pytest.mark.filterwarnings("ignore:All importances:UserWarning")  # a strongly shrunk fit
def test_coverage_of_the_refits_x_folds_interval_and_that_it_needs_the_seed():
    """Held-out permutation importance of the seeded shrinkage model (u ~ N(0.5,
    0.25**2)), 2 refits x 5 folds of 200 rows. Each refit keeps its u on every fold, a
    seed effect common to the folds. As in the folds test, E[drop_i | slopes u b] =
    2 (m - 1) / m u b_i beta_i, so the population value over training sets and seeds
    is 2 (m - 1) / m 0.5 beta_i**2. Leaving out the seed's variance (the folds'
    interval on the means over refits) covers it clearly less often."""
    n_rows, n_folds, n_refits = 200, 5, 2
    m = n_rows // n_folds
    truth = 2 * (m - 1) / m * 0.5 * BETA ** 2
    low, high, no_seed = [], [], []
    for seed in range(200):
        X, y = simulated(seed, n_rows)
        est = ImportanceRegressor(
            RandomShrinkage(0.5, 0.25, random_state=seed), n_refits=n_refits,
            cv=KFold(n_folds, shuffle=True, random_state=seed),
            method=Permutation(n_repeats=1, scoring=neg_mse, random_state=seed)).fit(X, y)
        interval = est.importances_.confidence_interval()
        assert interval.kind == "refits x folds"
        low.append(interval.low)
        high.append(interval.high)
        means = est.importances_.importances.reshape(2, n_refits, n_folds).mean(axis=1)
        half = stats.t.ppf(0.975, n_folds - 1) * np.sqrt(
            means.var(axis=1, ddof=1) * (1 / n_folds + 1 / (n_folds - 1)))
        no_seed.append(np.abs(means.mean(axis=1) - truth) <= half)
    coverage = covered(low, high, truth)
    assert ((0.90 <= coverage) & (coverage <= 0.99)).all(), coverage
    assert np.mean(no_seed) < 0.90, np.mean(no_seed, axis=0)

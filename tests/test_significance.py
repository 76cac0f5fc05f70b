"""Randomization test (Olden & Jackson 2002): p-values from fits to shuffled targets."""

import numpy as np
import pytest
from sklearn.dummy import DummyRegressor
from sklearn.linear_model import LinearRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.utils._param_validation import InvalidParameterError

from skimportance import randomization_test
from skimportance.methods._base import NotAnMLPError


def _problem(n=100, seed=0):
    """y depends on x0 and x1 only; x2 and x3 are pure noise."""
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    y = 2.0 * X[:, 0] - 1.5 * X[:, 1] + 0.5 * rng.normal(size=n)
    return X, y


def _mlp(alpha=10.0, seed=0):
    return MLPRegressor(hidden_layer_sizes=(3,), alpha=alpha, solver="lbfgs", max_iter=200,
                        random_state=seed)


@pytest.mark.parametrize("seed", [1, 2])
def test_drivers_small_p_noise_not(seed):
    X, y = _problem(seed=seed)
    res = randomization_test(_mlp(seed=seed), X, y, n_permutations=19, random_state=seed)
    assert res.null.shape == (19, 4)
    assert res.observed.shape == res.p_values.shape == (4,)
    assert np.all(res.p_values[:2] <= 0.1)
    assert np.all(res.p_values[2:] > 0.2)
    np.testing.assert_array_equal(res.feature_names, ["x0", "x1", "x2", "x3"])


def test_classifier_drivers_small_p():
    # Not too much decay either: with alpha=10 the nets fitted to shuffled labels
    # collapse to near-zero weights, and noise inputs of the real net then look
    # significant too (see the docstring).
    X, y = _problem(n=120, seed=0)
    labels = (y > 0).astype(int)
    mlp = MLPClassifier(hidden_layer_sizes=(3,), alpha=3.0, solver="lbfgs", max_iter=200,
                        random_state=0)
    res = randomization_test(mlp, X, labels, n_permutations=19, random_state=0)
    assert np.all(res.p_values[:2] <= 0.1)
    assert np.all(res.p_values[2:] > 0.2)


def test_observed_is_the_method_on_a_fit_to_real_y():
    X, y = _problem()
    res = randomization_test(_mlp(), X, y, method="garson", n_permutations=2, random_state=0)
    mlp = _mlp().fit(X, y)
    # Garson on a single-hidden-layer net, computed here from the weights
    # (inputs standardised: first-layer weights times each input's std).
    W1 = mlp.coefs_[0] * X.std(axis=0)[:, None]
    W2 = mlp.coefs_[1][:, 0]
    share = np.abs(W1) / np.abs(W1).sum(axis=0) * np.abs(W2)
    expected = share.sum(axis=1) / share.sum()
    np.testing.assert_allclose(res.observed, expected, rtol=1e-10)


def test_p_value_formula_on_a_stub():
    # x0 equals y: its stub importance |corr(x0, y)| is 1 on the real y and below 1 on
    # every shuffle, so its p-value is the smallest possible, 1 / (N + 1).
    # x1 gets the same constant always: every null value ties, so p = 1 (>= counts ties).
    # x2 gets 1 - |corr(x0, y)|: 0 observed, above 0 for every shuffle, so p = 1.
    # x3 is noise: its p-value is the count of null values at least as large.
    rng = np.random.RandomState(0)
    y = rng.normal(size=50)
    X = np.column_stack([y, np.ones(50), rng.normal(size=50), rng.normal(size=50)])

    def stub(estimator, X, y):
        c0 = abs(np.corrcoef(X[:, 0], y)[0, 1])
        c3 = abs(np.corrcoef(X[:, 3], y)[0, 1])
        return np.array([c0, 0.25, 1.0 - c0, c3])

    n = 9
    res = randomization_test(DummyRegressor(), X, y, method=stub, n_permutations=n,
                             random_state=0)
    np.testing.assert_allclose(res.observed[0], 1.0)
    np.testing.assert_allclose(res.observed[3], abs(np.corrcoef(X[:, 3], y)[0, 1]))
    assert np.all(res.null[:, 0] < 1.0)
    assert res.p_values[0] == pytest.approx(1 / (n + 1))
    assert res.p_values[1] == 1.0
    assert res.p_values[2] == 1.0
    count = sum(row[3] >= res.observed[3] for row in res.null)
    assert res.p_values[3] == pytest.approx((count + 1) / (n + 1))
    # Each null row is the stub on a shuffle of y: x3's value is |corr(x3, y')| with
    # corr(x0, y') = corr(y, y'), consistent with x2's value 1 - |corr(y, y')|.
    np.testing.assert_allclose(res.null[:, 2], 1.0 - res.null[:, 0])


def test_same_random_state_same_numbers():
    X, y = _problem(n=60)
    a = randomization_test(_mlp(), X, y, n_permutations=5, random_state=7)
    b = randomization_test(_mlp(), X, y, n_permutations=5, random_state=7)
    np.testing.assert_array_equal(a.p_values, b.p_values)
    np.testing.assert_array_equal(a.null, b.null)
    c = randomization_test(_mlp(), X, y, n_permutations=5, random_state=8)
    assert not np.array_equal(a.null, c.null)  # other seeds, other shuffles


def test_n_jobs_does_not_change_numbers():
    X, y = _problem(n=60)
    one = randomization_test(_mlp(), X, y, n_permutations=4, random_state=0, n_jobs=1)
    two = randomization_test(_mlp(), X, y, n_permutations=4, random_state=0, n_jobs=2)
    np.testing.assert_array_equal(one.null, two.null)
    np.testing.assert_array_equal(one.observed, two.observed)
    np.testing.assert_array_equal(one.p_values, two.p_values)


def test_estimator_not_modified():
    X, y = _problem(n=40)
    mlp = _mlp()
    randomization_test(mlp, X, y, n_permutations=2, random_state=0)
    assert not hasattr(mlp, "coefs_")


@pytest.mark.parametrize("bad", [0, -3, 2.5, "10", None])
def test_bad_n_permutations(bad):
    X, y = _problem(n=20)
    with pytest.raises(InvalidParameterError, match="n_permutations"):
        randomization_test(_mlp(), X, y, n_permutations=bad)


def test_weight_method_needs_an_mlp():
    X, y = _problem(n=20)
    with pytest.raises(NotAnMLPError, match="olden"):
        randomization_test(LinearRegression(), X, y, n_permutations=2)


def test_same_numbers_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed", reason="dask is part of the test extra")
    from joblib import parallel_config

    X, y = _problem(n=60)
    expected = randomization_test(_mlp(), X, y, n_permutations=4, random_state=0, n_jobs=1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster), parallel_config(backend="dask"):
            got = randomization_test(_mlp(), X, y, n_permutations=4, random_state=0,
                                     n_jobs=2)
    # The same shuffles of y (a mix-up changes the null importances, of order 0.1);
    # to rounding, since the workers' BLAS may sum in another order.
    np.testing.assert_allclose(got.null, expected.null, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(got.p_values, expected.p_values)


# --- adjusted p-values ---------------------------------------------------------------

def _result(p_values=None, observed=None, null=None):
    from skimportance import RandomizationTestResult

    return RandomizationTestResult(p_values=None if p_values is None else np.asarray(p_values),
                                   observed=observed, null=null, feature_names=None)


def test_holm_by_hand():
    # Sorted: 0.001, 0.01, 0.02 (twice), 0.3, 0.8 with m = 6, so the steps are
    # 6 * 0.001 = 0.006, 5 * 0.01 = 0.05, 4 * 0.02 = 0.08, 3 * 0.02 = 0.06 -> 0.08 (never
    # below the step before), 2 * 0.3 = 0.6, 1 * 0.8 = 0.8.
    p = [0.02, 0.3, 0.001, 0.8, 0.01, 0.02]
    np.testing.assert_allclose(_result(p).adjusted_p_values("holm"),
                               [0.08, 0.6, 0.006, 0.8, 0.05, 0.08], rtol=0, atol=1e-15)
    # Clipped at 1: 3 * 0.4 = 1.2 -> 1, and then 2 * 0.45 = 0.9 -> 1 (monotone).
    np.testing.assert_allclose(_result([0.4, 0.45, 0.9]).adjusted_p_values("holm"),
                               [1.0, 1.0, 1.0], rtol=0, atol=1e-15)
    assert _result(p).adjusted_p_values() == pytest.approx(
        _result(p).adjusted_p_values("holm"))  # the default


def test_bh_by_hand_and_against_scipy():
    from scipy.stats import false_discovery_control

    # m = 5, sorted 0.01, 0.02, 0.03, 0.04, 0.5: m p / k = 0.05, 0.05, 0.05, 0.05, 0.5,
    # then the running minimum from the largest down leaves them as they are.
    p = [0.04, 0.5, 0.01, 0.03, 0.02]
    np.testing.assert_allclose(_result(p).adjusted_p_values("bh"),
                               [0.05, 0.5, 0.05, 0.05, 0.05], rtol=0, atol=1e-15)
    # 0.2, 0.21, 0.22 (m = 3): 0.6, 0.315, 0.22 -> running minimum 0.22 for all three.
    np.testing.assert_allclose(_result([0.21, 0.2, 0.22]).adjusted_p_values("bh"),
                               [0.22, 0.22, 0.22], rtol=0, atol=1e-15)
    rng = np.random.RandomState(0)
    for size in (1, 7, 40):
        p = np.round(rng.uniform(size=size) ** 3, 2)  # rounded: ties included
        np.testing.assert_allclose(_result(p).adjusted_p_values("bh"),
                                   false_discovery_control(p, method="bh"),
                                   rtol=0, atol=1e-12)


def _max_t_brute_force(observed, null):
    """Westfall & Young's step-down max-T, written from its definition with loops."""
    B, m = null.shape
    z_obs, z_null = np.empty(m), np.empty((B, m))
    for i in range(m):
        column = np.concatenate([[observed[i]], null[:, i]])
        mean, sd = column.mean(), column.std()
        z_obs[i] = (observed[i] - mean) / sd
        z_null[:, i] = (null[:, i] - mean) / sd
    order = sorted(range(m), key=lambda i: -z_obs[i])
    adjusted, previous = np.empty(m), 0.0
    for step, i in enumerate(order):
        remaining = order[step:]  # i and every input less significant than it
        count = sum(max(z_null[b, k] for k in remaining) >= z_obs[i] for b in range(B))
        previous = max(previous, (count + 1) / (B + 1))
        adjusted[i] = previous
    return adjusted


def test_max_t_against_brute_force():
    rng = np.random.RandomState(3)
    for B, m in [(5, 3), (9, 4), (19, 6)]:
        null = rng.gamma(2.0, size=(B, m)) * rng.uniform(0.1, 10, size=m)  # unequal scales
        observed = null.mean(axis=0) + rng.uniform(0, 3, size=m) * null.std(axis=0)
        got = _result(null=null, observed=observed).adjusted_p_values("maxt")
        np.testing.assert_allclose(got, _max_t_brute_force(observed, null), rtol=0,
                                   atol=1e-15)


def test_max_t_by_hand():
    # Two inputs, three permutations. Input 0: values 4 (observed), 0, 1, 3: mean 2,
    # std sqrt(2.5), z = (2, -2, -1, 1) / sqrt(2.5). Input 1: 10 (observed), 4, 16, 2:
    # mean 8, std sqrt(30), z = (2, -4, 8, -6) / sqrt(30).
    # Observed z: 1.265 for input 0, 0.365 for input 1, so input 0 comes first.
    # Step 1, both inputs: row maxima max(-1.265, -0.730) = -0.730, max(-0.632, 1.461)
    # = 1.461, max(0.632, -1.095) = 0.632; one is >= 1.265, so p = (1 + 1) / 4 = 0.5.
    # Step 2, input 1 alone: z -0.730, 1.461, -1.095; one is >= 0.365: p = 0.5.
    null = np.array([[0.0, 4.0], [1.0, 16.0], [3.0, 2.0]])
    observed = np.array([4.0, 10.0])
    res = _result(p_values=[0.5, 0.5], null=null, observed=observed)
    np.testing.assert_allclose(res.adjusted_p_values("maxt"), [0.5, 0.5], atol=1e-15)
    # With 9 instead of 16: input 1's values 10, 4, 9, 2 have mean 6.25 and std 3.345,
    # z = 1.121 observed and -0.673, 0.822, -1.271. Step 1: row maxima -0.673, 0.822,
    # 0.632, none >= 1.265: p = 1 / 4. Step 2: none of input 1's >= 1.121: p = 1 / 4.
    null[1, 1] = 9.0
    np.testing.assert_allclose(_result(null=null, observed=observed)
                               .adjusted_p_values("maxt"), [0.25, 0.25], atol=1e-15)


def test_max_t_is_affine_invariant_per_input():
    # Standardised: multiplying one input's observed and null values by 1000 (another
    # unit of importance) or shifting them changes nothing, which raw maxima would not
    # allow (input 2 would then win every maximum).
    rng = np.random.RandomState(0)
    null = rng.normal(size=(49, 4))
    observed = np.array([6.0, 2.2, 1.0, 0.1])
    base = _result(null=null, observed=observed).adjusted_p_values("maxt")
    scale = np.array([1.0, 1.0, 1000.0, 1.0])
    shift = np.array([0.0, 5.0, 0.0, -2.0])
    moved = _result(null=null * scale + shift,
                    observed=observed * scale + shift).adjusted_p_values("maxt")
    np.testing.assert_allclose(moved, base, atol=1e-15)
    assert base[0] == pytest.approx(1 / 50)  # beats every permutation's largest value
    raw = ((null >= observed).sum(axis=0) + 1) / 50
    assert np.all(base >= raw - 1e-15)  # never below the raw p-values


def test_max_t_constant_input():
    # An input with the same value in every fit can never exceed its observed value.
    null = np.column_stack([np.linspace(0, 1, 9), np.full(9, 0.3)])
    res = _result(null=null, observed=np.array([2.0, 0.3]))
    np.testing.assert_allclose(res.adjusted_p_values("maxt"), [0.1, 1.0], atol=1e-15)


@pytest.mark.parametrize("bad", ["bonferroni", "Holm", None, 1])
def test_bad_adjustment(bad):
    with pytest.raises(InvalidParameterError, match="method"):
        _result([0.1, 0.2]).adjusted_p_values(bad)


def test_result_is_a_bunch_with_the_same_keys():
    import pickle

    from sklearn.utils import Bunch

    X, y = _problem(n=40)
    res = randomization_test(_mlp(), X, y, n_permutations=3, random_state=0)
    assert isinstance(res, Bunch)
    assert sorted(res) == ["feature_names", "null", "observed", "p_values"]
    np.testing.assert_array_equal(res["p_values"], res.p_values)
    again = pickle.loads(pickle.dumps(res))
    np.testing.assert_array_equal(again.adjusted_p_values("maxt"),
                                  res.adjusted_p_values("maxt"))


# --- cross-fitted importances (cv=) -----------------------------------------------------

def test_cv_observed_and_null_are_held_out_fold_means():
    from sklearn.base import clone
    from sklearn.model_selection import KFold

    from skimportance import feature_importances

    X, y = _problem(n=60)
    folds = KFold(3, shuffle=True, random_state=0)
    res = randomization_test(_mlp(), X, y, method="gradient", n_permutations=2, cv=folds,
                             random_state=4)

    def cross_fitted(target):
        values = []
        for train, test in folds.split(X):
            net = clone(_mlp()).fit(X[train], target[train])
            values.append(feature_importances(net, X[test], target[test],
                                              method="gradient").importances_mean)
        return np.mean(values, axis=0)

    np.testing.assert_allclose(res.observed, cross_fitted(y), rtol=1e-10, atol=1e-12)
    seeds = np.random.RandomState(4).randint(np.iinfo(np.int32).max, size=2)
    for row, seed in zip(res.null, seeds):
        shuffled = y[np.random.RandomState(seed).permutation(60)]
        np.testing.assert_allclose(row, cross_fitted(shuffled), rtol=1e-10, atol=1e-12)


def test_cv_measures_on_the_held_out_rows():
    # The stub's importance is the number of rows it is given: 20 held-out rows per fold
    # of 5 on 100 rows, against 100 without cv.
    X, y = _problem(n=100)

    def rows(estimator, X, y):
        return np.full(X.shape[1], float(len(X)))

    res = randomization_test(DummyRegressor(), X, y, method=rows, n_permutations=2, cv=5)
    np.testing.assert_array_equal(res.observed, np.full(4, 20.0))
    np.testing.assert_array_equal(res.null, np.full((2, 4), 20.0))
    plain = randomization_test(DummyRegressor(), X, y, method=rows, n_permutations=2)
    np.testing.assert_array_equal(plain.observed, np.full(4, 100.0))


def test_cv_permutation_held_out_separates_drivers():
    # Held-out permutation importance: a network fitted to a shuffled y predicts nothing
    # on new rows, so its importances are about 0 and the drivers stand far above.
    X, y = _problem(n=80, seed=1)
    res = randomization_test(_mlp(alpha=1.0), X, y, method="permutation", n_permutations=9,
                             cv=4, random_state=0)
    assert np.all(res.p_values[:2] == pytest.approx(0.1))  # the smallest 9 allow
    assert np.all(res.p_values[2:] > 0.1)
    assert np.all(res.observed[:2] > 0.5)
    assert abs(res.null.mean()) < 0.1  # R^2 lost by shuffling a column of a useless net


def test_cv_same_numbers_with_threads_and_a_seeded_method():
    from joblib import parallel_config

    from skimportance.methods import Permutation

    X, y = _problem(n=60)
    method = Permutation(n_repeats=1)
    one = randomization_test(_mlp(), X, y, method=method, n_permutations=2, cv=2,
                             random_state=0)
    with parallel_config(backend="threading"):
        two = randomization_test(_mlp(), X, y, method=method, n_permutations=2, cv=2,
                                 random_state=0, n_jobs=2)
    np.testing.assert_array_equal(one.null, two.null)
    np.testing.assert_array_equal(one.observed, two.observed)
    assert method.random_state is None  # the caller's method is not seeded in place
    other = randomization_test(_mlp(), X, y, method=method, n_permutations=2, cv=2,
                               random_state=1)
    assert not np.array_equal(one.null, other.null)


@pytest.mark.parametrize("cv, match", [(101, "cv=101 asks for 101 folds"),
                                       ("five", "cv"), (1, "cv")])
def test_bad_cv(cv, match):
    X, y = _problem(n=100)
    error = ValueError if isinstance(cv, int) else InvalidParameterError
    with pytest.raises(error, match=match):
        randomization_test(_mlp(), X, y, n_permutations=2, cv=cv)


# --- family-wise error under the complete null -----------------------------------------

def test_max_t_controls_the_family_wise_error():
    # 200 data sets where no input matters (a normal, a skewed and a two-valued input,
    # whose null importances differ in scale and shape), each tested with a tiny network
    # and 19 permutations. Under the complete null the observed fit is exchangeable with
    # the null fits, so max-T rejects any input at 0.05 with probability 0.05; the bound
    # allows two Monte-Carlo standard errors. The same simulation flags the unadjusted
    # p-values (about 1 - 0.95 ** 3 = 0.14), so it can tell control from its absence.
    from sklearn.utils.parallel import Parallel, delayed

    reps, alpha = 200, 0.05
    bound = alpha + 2 * np.sqrt(alpha * (1 - alpha) / reps)
    # Two halves on two workers: 4000 fits of tiny networks take ~4 ms each.
    halves = Parallel(n_jobs=2)(delayed(_null_rejections)(range(start, reps, 2), alpha)
                                for start in (0, 1))
    max_t, raw = np.concatenate(halves).T
    assert max_t.mean() <= bound
    assert raw.mean() > bound


def _null_rejections(reps, alpha):
    """(any max-T rejection, any raw rejection) for each complete-null data set."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    rejections = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for rep in reps:
            rng = np.random.RandomState(rep)
            X = np.column_stack([rng.normal(size=40), rng.exponential(size=40),
                                 rng.binomial(1, 0.3, size=40)])
            y = rng.normal(size=40)
            net = MLPRegressor(hidden_layer_sizes=(2,), alpha=1.0, solver="lbfgs",
                               max_iter=5, random_state=rep)
            res = randomization_test(net, X, y, n_permutations=19, random_state=rep)
            rejections.append((np.any(res.adjusted_p_values("maxt") <= alpha),
                               np.any(res.p_values <= alpha)))
    return np.array(rejections)

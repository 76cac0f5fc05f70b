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

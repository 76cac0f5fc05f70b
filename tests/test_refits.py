"""Stability over refits: ``n_refits`` fits with different seeds, pooled and ranked."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skimportance import ImportanceClassifier, ImportanceRegressor, feature_importances
from skimportance._agreement import kendalls_w, rank_descending


def _data(n=80, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, 4))
    y = 2.0 * X[:, 0] - X[:, 1] + 0.3 * X[:, 2] + 0.5 * rng.normal(size=n)
    return X, y


def _mlp(seed=0):
    return MLPRegressor(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=200,
                        random_state=seed)


def _seeds(base, n_refits):
    """The documented seeds of refits 2..n: RandomState(base).randint(int32 max)."""
    return np.random.RandomState(base).randint(np.iinfo(np.int32).max, size=n_refits - 1)


def _per_refit_means(result, n_refits):
    n_features = result.importances.shape[0]
    return result.importances.reshape(n_features, n_refits, -1).mean(axis=2).T


def test_each_refit_is_a_fit_with_its_documented_seed():
    X, y = _data()
    est = ImportanceRegressor(_mlp(seed=3), method="olden", n_refits=4).fit(X, y)
    seeds = [3, *_seeds(3, 4)]
    expected = np.column_stack([
        feature_importances(_mlp(seed=int(s)).fit(X, y), X, method="olden").importances_mean
        for s in seeds])
    np.testing.assert_allclose(est.importances_.importances, expected, rtol=1e-12)
    np.testing.assert_allclose(est.importances_.importances_mean, expected.mean(axis=1),
                               rtol=1e-12)
    np.testing.assert_allclose(est.importances_.importances_std, expected.std(axis=1),
                               rtol=1e-12)
    # Different seeds really give different networks.
    assert len(set(seeds)) == 4
    for k in range(1, 4):
        assert not np.allclose(expected[:, 0], expected[:, k])


def test_rank_counts_and_kendalls_w():
    X, y = _data()
    n_refits = 5
    est = ImportanceRegressor(_mlp(), method="garson", n_refits=n_refits).fit(X, y)
    result = est.importances_
    assert result.rank_counts.shape == (4, 4)
    np.testing.assert_array_equal(result.rank_counts.sum(axis=1), [n_refits] * 4)
    means = _per_refit_means(result, n_refits)
    expected = np.zeros((4, 4), dtype=int)
    for row in means:
        for place, feature in enumerate(np.argsort(-row)):  # no ties with real weights
            expected[feature, place] += 1
    np.testing.assert_array_equal(result.rank_counts, expected)
    rankings = np.vstack([rank_descending(row) for row in means])
    assert result.rank_agreement == pytest.approx(kendalls_w(rankings))
    # x0 drives y most: it holds first place more often than any other input.
    assert result.rank_counts[:, 0].argmax() == 0


def test_n_refits_1_is_the_single_fit():
    X, y = _data()
    est = ImportanceRegressor(_mlp(), method="olden", n_refits=1).fit(X, y)
    single = feature_importances(_mlp().fit(X, y), X, method="olden")
    np.testing.assert_array_equal(est.importances_.per_output, single.per_output)
    np.testing.assert_array_equal(est.importances_.importances_mean, single.importances_mean)
    assert est.importances_.importances is None
    assert est.importances_.rank_counts is None and est.importances_.rank_agreement is None


def test_n_refits_1_with_cv_is_the_plain_cross_fit():
    X, y = _data()
    cv = KFold(3)
    one = ImportanceRegressor(_mlp(), method="olden", n_refits=1, cv=cv).fit(X, y).importances_
    expected = []
    for train, test in cv.split(X):
        fitted = _mlp().fit(X[train], y[train])
        expected.append(feature_importances(fitted, X[test], method="olden").importances_mean)
    np.testing.assert_allclose(one.importances, np.column_stack(expected), rtol=1e-12)
    assert one.rank_counts is None


def test_refits_with_cv_cross_fit_each_refit_on_the_same_splits():
    X, y = _data()
    cv = KFold(2)
    est = ImportanceRegressor(_mlp(seed=1), method="olden", n_refits=2, cv=cv).fit(X, y)
    columns = []
    for seed in [1, *_seeds(1, 2)]:
        for train, test in cv.split(X):
            fitted = _mlp(seed=int(seed)).fit(X[train], y[train])
            columns.append(feature_importances(fitted, X[test], method="olden").importances_mean)
    np.testing.assert_allclose(est.importances_.importances, np.column_stack(columns),
                               rtol=1e-12)
    np.testing.assert_array_equal(est.importances_.rank_counts.sum(axis=1), [2] * 4)


@pytest.mark.parametrize("cv", [None, 3])
def test_estimator_is_the_first_refit(cv):
    X, y = _data()
    est = ImportanceRegressor(_mlp(), method="olden", n_refits=3, cv=cv).fit(X, y)
    np.testing.assert_array_equal(est.predict(X), _mlp().fit(X, y).predict(X))


def test_pipeline_seeds_every_random_state_step():
    X, y = _data()
    pipe = make_pipeline(StandardScaler(), _mlp(seed=5))
    est = ImportanceRegressor(pipe, method="olden", n_refits=3).fit(X, y)
    expected = np.column_stack([
        feature_importances(clone(pipe).set_params(mlpregressor__random_state=int(s))
                            .fit(X, y), X, method="olden").importances_mean
        for s in [5, *_seeds(5, 3)]])
    np.testing.assert_allclose(est.importances_.importances, expected, rtol=1e-12)
    np.testing.assert_array_equal(est.predict(X), clone(pipe).fit(X, y).predict(X))


@pytest.mark.parametrize("cv", [None, 2])
def test_n_jobs_does_not_change_numbers(cv):
    X, y = _data(n=60)
    one = ImportanceRegressor(_mlp(), method="olden", n_refits=3, cv=cv, n_jobs=1).fit(X, y)
    two = ImportanceRegressor(_mlp(), method="olden", n_refits=3, cv=cv, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(one.importances_.importances, two.importances_.importances)
    np.testing.assert_array_equal(one.importances_.rank_counts, two.importances_.rank_counts)
    assert one.importances_.rank_agreement == two.importances_.rank_agreement
    np.testing.assert_array_equal(one.predict(X), two.predict(X))


def test_classifier_refits():
    X, y = _data()
    labels = (y > 0).astype(int)
    mlp = MLPClassifier(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=200, random_state=0)
    clf = ImportanceClassifier(mlp, method="garson", n_refits=3).fit(X, labels)
    np.testing.assert_array_equal(clf.importances_.rank_counts.sum(axis=1), [3] * 4)
    np.testing.assert_array_equal(clf.predict(X), clone(mlp).fit(X, labels).predict(X))


def test_bad_n_refits():
    X, y = _data(n=20)
    with pytest.raises(InvalidParameterError, match="n_refits"):
        ImportanceRegressor(_mlp(), n_refits=0).fit(X, y)


def test_frozen_estimator_cannot_be_refitted():
    X, y = _data(n=30)
    frozen = FrozenEstimator(_mlp().fit(X, y))
    with pytest.raises(ValueError, match="random_state"):
        ImportanceRegressor(frozen, n_refits=2).fit(X, y)
    # A failed fit leaves nothing behind.
    est = ImportanceRegressor(frozen, n_refits=2)
    with pytest.raises(ValueError):
        est.fit(X, y)
    assert not hasattr(est, "estimator_")


def test_random_state_instance_leaves_the_first_refit_as_a_single_fit():
    X, y = _data()
    mlp = _mlp(seed=np.random.RandomState(4))
    est = ImportanceRegressor(mlp, method="olden", n_refits=3).fit(X, y)
    single = clone(mlp).fit(X, y)
    np.testing.assert_array_equal(est.predict(X), single.predict(X))
    expected = feature_importances(single, X, method="olden").importances_mean
    np.testing.assert_array_equal(est.importances_.importances[:, 0], expected)


def test_same_numbers_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed", reason="dask is part of the test extra")
    from joblib import parallel_config

    X, y = _data(n=60)
    expected = ImportanceRegressor(_mlp(), method="olden", n_refits=3, n_jobs=1).fit(X, y).importances_
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster), parallel_config(backend="dask"):
            got = ImportanceRegressor(_mlp(), method="olden", n_refits=3, n_jobs=2).fit(X, y).importances_
    # The same seeds give the same refits (a mix-up changes importances of order 1);
    # to rounding, since the workers' BLAS may sum in another order.
    np.testing.assert_allclose(got.importances, expected.importances, rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_array_equal(got.rank_counts, expected.rank_counts)


def test_same_bits_on_any_number_of_dask_worker_processes():
    # Refits shipped to worker processes (X arrives there as a view into dask's message
    # frames, at any byte offset), in any placement and completion order, give the
    # numbers of this process when both run BLAS on one thread (a one-thread cluster's
    # loop runs here anyway). Exact, as the project's rule asks; on OpenBLAS's Haswell
    # kernels the permutation engine is known to move 1 or 2 of 400 entries by 2.2e-16
    # on the larger network of benchmarks/bench_cluster.py, not on this one.
    distributed = pytest.importorskip("distributed", reason="dask is part of the test extra")
    from joblib import parallel_config
    from threadpoolctl import threadpool_info, threadpool_limits

    X, y = _data(n=200)
    mlp = MLPRegressor(hidden_layer_sizes=(16, 8), max_iter=60, random_state=0)

    def fit():
        return ImportanceRegressor(mlp, method="permutation", n_refits=4, random_state=0,
                                   n_jobs=-1).fit(X, y).importances_.importances

    with threadpool_limits(limits=1, user_api="blas"):
        expected = fit()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client, parallel_config(backend="dask"):
            pids = set(client.run(lambda: __import__("os").getpid()).values())
            got = fit()
    assert len(pids) == 2
    assert np.ptp(expected, axis=1).min() > 0  # the refits differ: a mix-up would show
    if any(lib.get("internal_api") == "mkl" for lib in threadpool_info()):
        # MKL's kernels may depend on the alignment of the data (without MKL_CBWR).
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())
    else:
        np.testing.assert_array_equal(got, expected)

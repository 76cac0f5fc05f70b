"""Where importances are measured (cv), parallel and distributed runs, progress, errors."""

import warnings

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.base import clone
from sklearn.feature_selection import RFE, SelectFromModel
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skimportance import ImportanceClassifier, ImportanceRegressor, feature_importances
from skimportance.methods import Ablation, DropRetrain, Permutation


def overfit_problem(seed=0):
    """y depends on input 0 only; an unregularised network also fits noise in inputs 1-5."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(120, 6))
    return X, X[:, 0] + 0.5 * rng.normal(size=120)


def overfitting_mlp():
    return MLPRegressor(hidden_layer_sizes=(64,), max_iter=1000, learning_rate_init=0.01,
                        random_state=0)


def permutation(**kw):
    return Permutation(n_repeats=5, random_state=0, **kw)


def test_cross_fitted_importances_do_not_favour_what_the_network_overfits():
    X, y = overfit_problem()
    in_sample = ImportanceRegressor(overfitting_mlp(), method=permutation()).fit(X, y)
    held_out = ImportanceRegressor(overfitting_mlp(), method=permutation(), cv=5).fit(X, y)
    noise_in = in_sample.importances_.importances_mean[1:].mean()
    noise_out = held_out.importances_.importances_mean[1:].mean()
    assert noise_in > 0.1  # the network uses the noise to fit the training rows
    assert noise_out < noise_in / 3
    assert held_out.importances_.importances_mean.argmax() == 0
    # 5 folds x 5 repeats, and the summary is over all of them.
    samples = held_out.importances_.importances
    assert samples.shape == (6, 25)
    np.testing.assert_allclose(held_out.importances_.importances_std, samples.std(axis=1))


def test_cross_fit_equals_scikit_learn_fold_by_fold():
    X, y = overfit_problem(seed=1)
    w = np.linspace(0.5, 2, len(y))
    est = ImportanceRegressor(Ridge(alpha=3.0), method=permutation(), cv=KFold(3))
    est.fit(X, y, sample_weight=w)
    expected = []
    for train, test in KFold(3).split(X):
        fold = Ridge(alpha=3.0).fit(X[train], y[train], sample_weight=w[train])
        expected.append(permutation_importance(fold, X[test], y[test], n_repeats=5,
                                               random_state=0, sample_weight=w[test]).importances)
    np.testing.assert_allclose(est.importances_.importances, np.hstack(expected), atol=1e-12)
    # For prediction, the estimator is refitted on all the data.
    full = Ridge(alpha=3.0).fit(X, y, sample_weight=w)
    np.testing.assert_allclose(est.predict(X), full.predict(X))


def test_cross_fitted_drop_and_retrain_trains_each_fold_on_its_training_rows():
    X, y = overfit_problem(seed=2)
    est = ImportanceRegressor(LinearRegression(), method="drop", cv=KFold(2)).fit(X, y)
    expected = []
    for train, test in KFold(2).split(X):
        base = LinearRegression().fit(X[train], y[train]).score(X[test], y[test])
        expected.append([base - LinearRegression().fit(np.delete(X[train], i, axis=1), y[train])
                         .score(np.delete(X[test], i, axis=1), y[test]) for i in range(6)])
    # Differences of R^2 scores of order 1, some as small as 1e-6: an absolute tolerance
    # (a relative one alone would ask the smallest for more digits than a score has).
    np.testing.assert_allclose(est.importances_.importances, np.transpose(expected),
                               rtol=0, atol=1e-12)


def test_cross_fitting_works_for_every_kind_of_method():
    X, y = overfit_problem(seed=3)
    labels = (y > 0).astype(int)
    mlp = MLPClassifier(hidden_layer_sizes=(5,), max_iter=50, random_state=0)
    for method in ("garson", "gradient"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = ImportanceClassifier(mlp, method=method, cv=3).fit(X, labels)
        assert est.importances_.importances.shape == (6, 3)
        assert est.feature_importances_.sum() == pytest.approx(1)


def test_select_from_model_and_rfe_select_on_held_out_importance():
    X, y = overfit_problem()
    X = np.column_stack([X, X[:, 0] ** 2 + 0.1 * X[:, 5]])  # a second informative input
    y = y + X[:, 6]
    inner = ImportanceRegressor(overfitting_mlp(), method=permutation(), cv=3)
    select = SelectFromModel(inner, threshold=0.1).fit(X, y)
    assert list(np.flatnonzero(select.get_support())) == [0, 6]
    rfe = RFE(inner, n_features_to_select=2, step=2).fit(X, y)
    assert list(np.flatnonzero(rfe.support_)) == [0, 6]


def run_all(n_jobs, backend=None):
    """The same results computed with n_jobs workers, by every kind of parallel work."""
    X, y = overfit_problem(seed=4)
    mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=100, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = clone(mlp).fit(X, y)
        out = [
            feature_importances(fitted, X, y, method=permutation(n_jobs=n_jobs)),  # threads
            feature_importances(Ridge().fit(X, y), X, y,
                                method=Ablation(n_jobs=n_jobs)),  # processes
            feature_importances(fitted, X, y, method=DropRetrain(max_iter=20, n_jobs=n_jobs)),
            ImportanceRegressor(mlp, method=permutation(), cv=3, n_jobs=n_jobs).fit(X, y)
            .importances_,
            ImportanceRegressor(mlp, method=permutation(), n_jobs=n_jobs).fit(X, y)
            .importances_,
        ]
    return [r.importances for r in out]


def assert_same_numbers(expected, got):
    # The same shuffles, folds and seeds: any mix-up changes these score drops (R^2 of
    # order 1) by far more than 1e-12. Not bit for bit: a worker's BLAS may sum in another
    # order.
    assert len(expected) == len(got)
    for one, two in zip(expected, got):
        np.testing.assert_allclose(two, one, rtol=0, atol=1e-12)


def test_same_numbers_for_any_n_jobs():
    assert_same_numbers(run_all(1), run_all(2))


def test_same_numbers_on_a_dask_cluster():
    distributed = pytest.importorskip("distributed", reason="dask is part of the test extra")
    expected = run_all(1)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster), parallel_config(backend="dask"):
            got = run_all(2)
    assert_same_numbers(expected, got)


def test_progress_bars_only_when_verbose(capfd):
    X, y = overfit_problem(seed=5)
    model = Ridge().fit(X, y)
    feature_importances(model, X, y, method=permutation())
    assert capfd.readouterr().err == ""
    feature_importances(model, X, y, method=permutation(verbose=1))
    assert "permutation" in capfd.readouterr().err
    ImportanceRegressor(Ridge(), method="drop", cv=2, verbose=1).fit(X, y)
    assert "cross-fitting" in capfd.readouterr().err


def test_progress_without_tqdm(capfd, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name.startswith("tqdm"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    X, y = overfit_problem(seed=5)
    feature_importances(Ridge().fit(X, y), X, y, method=DropRetrain(verbose=1))
    assert "drop-and-retrain: 6/6" in capfd.readouterr().err


def assert_fails_cleanly(est, X, y, match):
    before = dict(est.__dict__)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)
    assert est.__dict__.keys() == before.keys()
    for key, value in before.items():
        assert est.__dict__[key] is value


def test_errors_leave_nothing_half_fitted():
    X, y = overfit_problem(seed=6)
    est = ImportanceRegressor(Ridge(), method=permutation(), cv=3).fit(X, y)
    # Fitted once: a failing refit must leave that state intact.
    est.set_params(cv=500)
    assert_fails_cleanly(est, X, y, "cv=500 asks for 500 folds, but fit got only 120")
    est.set_params(cv=3, method=permutation(scoring="no_such_score"))
    assert_fails_cleanly(est, X, y, "Unknown scoring='no_such_score'")
    est.set_params(method=permutation(scoring="neg_log_loss"))
    assert_fails_cleanly(est, X, y, "scores a classifier's predict_proba.*Ridge is a regressor")
    est.set_params(method=permutation(scoring="accuracy"))
    assert_fails_cleanly(est, X, y, "cannot score Ridge on this data")
    clf = ImportanceClassifier(MLPClassifier(), method=permutation(), cv=3)
    with pytest.raises(ValueError, match="cv=3 cannot split the data given to fit"):
        clf.fit(X[:4], [0, 0, 1, 1])  # stratified: 3 folds need 3 members of a class
    assert not hasattr(clf, "estimator_") and not hasattr(clf, "importances_")

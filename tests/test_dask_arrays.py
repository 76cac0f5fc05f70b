"""X as a dask array: blockwise results equal the in-memory ones, and X is never gathered."""

import numpy as np
import pytest
from sklearn.inspection import permutation_importance
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skimportance import feature_importances, feature_interactions
from skimportance.interactions import Hessian
from skimportance.methods import (
    Ablation,
    Conductance,
    DeepLift,
    Gradient,
    InputXGradient,
    IntegratedGradients,
    Permutation,
)

da = pytest.importorskip("dask.array", reason="dask is part of the test extra")
dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")

ROWS, CHUNK = 2000, 300  # uneven blocks: six of 300 rows and one of 200


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(ROWS, 4)) * [1.0, 3.0, 0.5, 2.0] + [0.0, 1.0, -2.0, 0.5]
    y = X[:, 0] + np.sin(X[:, 1]) + X[:, 2] * X[:, 3]
    w = rng.uniform(0, 2, size=ROWS)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Fitted on a few rows: the numbers compared need a network, not a good one.
        fit = slice(0, 400)
        mlp = MLPRegressor(hidden_layer_sizes=(8,), max_iter=60, random_state=0).fit(
            X[fit], y[fit])
        labels = (y > np.median(y)).astype(int) + (X[:, 0] > 1)
        clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=60, random_state=0).fit(
            X[fit], labels[fit])
        pipe = make_pipeline(StandardScaler(), MLPRegressor(
            hidden_layer_sizes=(8,), max_iter=60, random_state=0)).fit(X[fit], y[fit])
    return X, y, w, labels, mlp, clf, pipe


@pytest.fixture(scope="module")
def smooth(data):
    """A tanh network: its Hessian is not zero almost everywhere."""
    X, y = data[0], data[1]
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return MLPRegressor(hidden_layer_sizes=(8,), activation="tanh", max_iter=60,
                            random_state=0).fit(X[:400], y[:400])


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster, set_as_default=False) as client:
            yield client


@pytest.fixture
def scheduler():
    """The default threaded scheduler (test_on_a_local_cluster runs on workers)."""
    with dask.config.set(scheduler="threads"):
        yield "threads"


@pytest.fixture
def not_gathered(monkeypatch):
    """Any ``np.asarray`` of a dask array (X pulled whole into the client) fails the test."""
    def refuse(self, *args, **kwargs):
        raise AssertionError("a dask array was converted to numpy on the client")

    monkeypatch.setattr(da.Array, "__array__", refuse)


def lazy(values):
    return da.from_array(values, chunks=(CHUNK,) + values.shape[1:])


def close(a, b):
    """Equal to 1e-12, relative to the size of the values (they are of order one)."""
    scale = max(1.0, float(np.max(np.abs(a))))
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=0, atol=1e-12 * scale)


ROW_METHODS = [
    Gradient(), Gradient(aggregate="rms"), Gradient(aggregate="std"),
    Gradient(aggregate="mean", output="logit"), InputXGradient(), DeepLift(),
    DeepLift(baseline="zeros"), IntegratedGradients(),
    IntegratedGradients(quadrature="exact", n_steps=10), Conductance(),
    "weights", "garson", "olden",
]


@pytest.mark.parametrize("method", ROW_METHODS, ids=str)
def test_row_methods_equal_in_memory(data, scheduler, not_gathered, method):
    X, y, w, _, mlp, _, _ = data
    for weights in (None, w):
        expected = feature_importances(mlp, X, method=method, sample_weight=weights)
        got = feature_importances(mlp, lazy(X), method=method,
                                  sample_weight=None if weights is None else lazy(weights))
        close(got.per_output, expected.per_output)
        if expected.neuron_importances is not None:
            close(got.neuron_importances, expected.neuron_importances)
        assert got.feature_names.tolist() == expected.feature_names.tolist()


@pytest.mark.parametrize("method", [Gradient(), DeepLift(), IntegratedGradients(n_steps=8)],
                         ids=str)
def test_classifier_groups_and_local_values(data, scheduler, method):
    X, _, w, labels, _, clf, pipe = data
    groups = {"a": [0, 2], "b": [1], "c": [3]}
    for model in (clf, pipe):
        expected = feature_importances(model, X, method=method, sample_weight=w,
                                       feature_groups=groups, return_local=True)
        got = feature_importances(model, lazy(X), method=method, sample_weight=w,
                                  feature_groups=groups, return_local=True)
        close(got.per_output, expected.per_output)
        assert got.feature_names.tolist() == ["a", "b", "c"]
        assert got.output_names.tolist() == expected.output_names.tolist()
        assert isinstance(got.local, da.Array)  # lazy: computed when asked for
        close(got.local.compute(), expected.local)
        if expected.convergence_delta is not None:
            close(got.convergence_delta.compute(), expected.convergence_delta)


@pytest.mark.parametrize("method", [Gradient(aggregate="rms"), DeepLift(), "garson"],
                         ids=str)
def test_encoded_columns_traced_over_all_blocks(data, not_gathered, method):
    # Category 2 of column 0 appears only in the last block: a block alone would not
    # trace its one-hot input back to column 0; the merged tracing must, as in memory.
    X, y, w, _, _, _, _ = data
    X = X.copy()
    X[:, 0] = np.where(np.arange(ROWS) >= 1900, 2, np.arange(ROWS) % 2)
    encoded = make_pipeline(
        ColumnTransformer([("code", OneHotEncoder(), [0])], remainder="passthrough"),
        MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0))
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoded.fit(X, y)
    groups = [[0, 1], [2], [3]]
    for options in ({}, {"sample_weight": w, "feature_groups": groups}):
        expected = feature_importances(encoded, X, method=method, **options)
        got = feature_importances(encoded, lazy(X), method=method, **options)
        close(got.per_output, expected.per_output)


SCORE_METHODS = [
    Permutation(random_state=0), Permutation(n_repeats=3, max_samples=0.4, random_state=3),
    Permutation(n_repeats=2, scoring="neg_mean_absolute_error", random_state=1),
    Permutation(n_repeats=2, scoring="neg_root_mean_squared_error", random_state=2),
    Ablation(), Ablation(value="median"), Ablation(value=[0.0, 1.0, 2.0, 3.0],
                                                   scoring="neg_mean_squared_error"),
]


@pytest.mark.parametrize("method", SCORE_METHODS, ids=str)
def test_score_methods_equal_in_memory(data, scheduler, not_gathered, method):
    X, y, w, _, mlp, _, _ = data
    for weights in (None, w):
        expected = feature_importances(mlp, X, y, method=method, sample_weight=weights)
        got = feature_importances(mlp, lazy(X), lazy(y), method=method,
                                  sample_weight=weights, feature_groups=None)
        close(got.importances, expected.importances)
        close(got.importances_mean, expected.importances_mean)


def test_permutation_equals_scikit_learn_on_a_classifier(data, scheduler):
    # An independent oracle: scikit-learn's own permutation_importance, same draws.
    X, _, w, labels, _, clf, _ = data
    expected = permutation_importance(clf, X, labels, n_repeats=4, random_state=7,
                                      sample_weight=w)
    got = feature_importances(clf, lazy(X), lazy(labels), sample_weight=lazy(w),
                              method=Permutation(n_repeats=4, random_state=7))
    close(got.importances, expected.importances)
    grouped = feature_importances(clf, lazy(X), labels, feature_groups=[[0, 1], [2, 3]],
                                  method=Permutation(n_repeats=2, random_state=0))
    in_memory = feature_importances(clf, X, labels, feature_groups=[[0, 1], [2, 3]],
                                    method=Permutation(n_repeats=2, random_state=0))
    close(grouped.importances, in_memory.importances)


@pytest.mark.parametrize("method", [Hessian(), Hessian(aggregate="std", ddof=1),
                                    Hessian(aggregate="rms", output="logit")], ids=str)
def test_hessian_summaries_equal_in_memory(data, smooth, scheduler, not_gathered, method):
    X, _, w, _, _, _, _ = data
    for options in ({}, {"sample_weight": w, "feature_groups": [[0, 1], [2], [3]]},
                    {"scale": False}):
        expected = feature_interactions(smooth, X, method=method, **options)
        got = feature_interactions(smooth, lazy(X), method=method, **options)
        close(got.per_output, expected.per_output)
        close(got.spread, expected.spread)
        assert got.feature_names.tolist() == expected.feature_names.tolist()


def test_on_a_local_cluster(data, smooth, cluster, not_gathered):
    X, y, w, _, mlp, _, _ = data
    methods = [Gradient(aggregate="std"), DeepLift(), IntegratedGradients(n_steps=10),
               "garson", Permutation(n_repeats=3, max_samples=0.5, random_state=0),
               Ablation()]
    with dask.config.set(scheduler=cluster):
        got = [feature_importances(mlp, lazy(X), lazy(y), method=method, sample_weight=w)
               for method in methods]
        hessian = feature_interactions(smooth, lazy(X), method=Hessian(), sample_weight=w)
    for method, one in zip(methods, got):
        expected = feature_importances(mlp, X, y, method=method, sample_weight=w)
        close(one.per_output, expected.per_output)
        if expected.importances is not None:
            close(one.importances, expected.importances)
    close(hessian.per_output,
          feature_interactions(smooth, X, method=Hessian(), sample_weight=w).per_output)


def test_refused_with_clear_errors(data):
    X, y, _, _, mlp, _, _ = data
    Xd = lazy(X)
    with pytest.raises(TypeError, match=r"'shapley' is not computed on a dask X.*gradient"):
        feature_importances(mlp, Xd, y, method="shapley")
    clf = data[5]
    with pytest.raises(ValueError, match=r"scoring='roc_auc_ovr' cannot be computed exactly"):
        feature_importances(clf, Xd, data[3], method=Permutation(scoring="roc_auc_ovr"))
    with pytest.raises(ValueError, match=r"baseline='median' is not computed on a dask X"):
        feature_importances(mlp, Xd, method=IntegratedGradients(baseline="median"))
    with pytest.raises(TypeError, match="'h_statistic' is not computed on a dask X"):
        feature_interactions(mlp, Xd, method="h_statistic")
    with pytest.raises(ValueError, match="feature_groups='auto'"):
        feature_importances(mlp, Xd, feature_groups="auto")
    with pytest.raises(ValueError, match="X has 3 features"):
        feature_importances(mlp, Xd[:, :3])
    with pytest.raises(ValueError, match="y has 1999 rows but X has 2000"):
        feature_importances(mlp, Xd, y[1:], method="permutation")
    with pytest.raises(ValueError, match="sample_weight sums to zero"):
        feature_importances(mlp, Xd, sample_weight=np.zeros(ROWS))
    with pytest.raises(ValueError, match="return_local=True needs a method"):
        feature_importances(mlp, Xd, method="garson", return_local=True)

"""Friedman & Popescu's H statistic: against a direct implementation written with loops,
closed forms, and the MLP fast engine against the estimator's own predictions."""

import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.random import sample_without_replacement

from conftest import random_mlp
from skimportance import feature_interactions
from skimportance.interactions import HStatistic, get_interaction_method
from skimportance.network import NotAnMLPError


class ProductPlusSum(RegressorMixin, BaseEstimator):
    """f(x) = x0 x1 + x2 (+ x2 x3 with ``second_product``): interactions known by hand."""

    def __init__(self, second_product=False):
        self.second_product = second_product

    def fit(self, X, y=None):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        X = np.asarray(X, dtype=float)
        f = X[:, 0] * X[:, 1] + X[:, 2]
        return f + X[:, 2] * X[:, 3] if self.second_product else f


def direct_h(f, S, entries, w=None, normalize=True):
    """H^2 straight from the definitions, one model call per row: ``[a, b]`` pairwise
    (eq. 44 of Friedman & Popescu 2008), ``[a, a]`` one-against-all (eq. 45)."""
    n = len(S)
    w = np.ones(n) / n if w is None else np.asarray(w, dtype=float) / np.sum(w)

    def model(row):
        return float(f(row[None])[0])

    def replaced(row, cols, source):
        row = row.copy()
        row[cols] = source[cols]
        return row

    def centre(values):
        return [v - sum(w[i] * values[i] for i in range(n)) for v in values]

    def pd(cols):  # the partial dependence on cols at each sample row's values
        return centre([sum(w[r] * model(replaced(S[r], cols, S[i])) for r in range(n))
                       for i in range(n)])

    def pd_rest(cols):  # on all the other columns, at each row's values
        return centre([sum(w[r] * model(replaced(S[i], cols, S[r])) for r in range(n))
                       for i in range(n)])

    F = centre([model(S[i]) for i in range(n)])
    m = len(entries)
    H2 = np.zeros((m, m))
    own = [pd(cols) for cols in entries]
    for a, cols in enumerate(entries):
        rest = pd_rest(cols)
        num = sum(w[i] * (F[i] - own[a][i] - rest[i]) ** 2 for i in range(n))
        den = sum(w[i] * F[i] ** 2 for i in range(n))
        H2[a, a] = num / den if normalize else num
        for b in range(a + 1, m):
            joint = pd(list(cols) + list(entries[b]))
            num = sum(w[i] * (joint[i] - own[a][i] - own[b][i]) ** 2 for i in range(n))
            den = sum(w[i] * joint[i] ** 2 for i in range(n))
            H2[a, b] = H2[b, a] = (num / den if den > 0 else 0.0) if normalize else num
    return H2


@pytest.fixture
def sample():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(20, 4))
    X[:, 0] += 1.5  # non-zero means: PD_0 and PD_1 are not zero
    X[:, 1] -= 0.7
    return X


def h(estimator, X, **params):
    kwargs = {k: params.pop(k) for k in ("feature_groups", "sample_weight") if k in params}
    return feature_interactions(estimator, X, method=HStatistic(**params), **kwargs)


def test_equals_direct_implementation(sample):
    est = ProductPlusSum(second_product=True).fit(sample)
    expected = direct_h(est.predict, sample, [[0], [1], [2], [3]])
    result = h(est, sample, squared=True)
    assert result.method == "h_statistic"
    assert result.feature_names.tolist() == ["x0", "x1", "x2", "x3"]
    np.testing.assert_allclose(result.per_output[0], expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(h(est, sample).per_output[0], np.sqrt(expected), atol=1e-12)
    assert expected[0, 1] > 0.1 and expected[2, 3] > 0.1


def test_closed_forms_of_a_product_plus_a_sum(sample):
    # f = x0 x1 + x2: PD_01 - PD_0 - PD_1 = c0 c1 - mean(c0 c1) with c the centred
    # columns, so H^2_01 = var(c0 c1) / var(x0 x1), H^2_0 = H^2_1 = var(c0 c1) / var(f),
    # and x2, additive, interacts with nothing.
    est = ProductPlusSum().fit(sample)
    c = sample - sample.mean(axis=0)
    f = est.predict(sample)
    H2 = h(est, sample, squared=True).per_output[0]
    np.testing.assert_allclose(H2[0, 1], (c[:, 0] * c[:, 1]).var()
                               / (sample[:, 0] * sample[:, 1]).var(), atol=1e-12)
    np.testing.assert_allclose([H2[0, 0], H2[1, 1]], (c[:, 0] * c[:, 1]).var() / f.var(),
                               atol=1e-12)
    assert H2[0, 1] < 0.9  # the means matter: not the H = 1 of centred inputs
    np.testing.assert_allclose(H2[[0, 1, 2, 2, 3], [2, 2, 2, 3, 3]], 0, atol=1e-13)
    # x3 and x4 do nothing: their joint partial dependence is a constant up to rounding,
    # which must give 0, not a ratio of rounding errors.
    five = np.column_stack([sample, sample[::-1, 0] * 1e3])
    H2 = h(est.fit(five), five, squared=True).per_output[0]
    assert H2[3, 4] == 0 and H2[4, 4] < 1e-25 and H2[0, 4] < 1e-20


def test_unnormalised_and_weighted(sample):
    est = ProductPlusSum(second_product=True).fit(sample)
    w = np.linspace(0.5, 2.0, len(sample))
    H2 = h(est, sample, squared=True, normalize=False, sample_weight=w).per_output[0]
    np.testing.assert_allclose(H2, direct_h(est.predict, sample, [[0], [1], [2], [3]], w,
                                            normalize=False), atol=1e-12)
    H = h(est, sample, normalize=False, sample_weight=w).per_output[0]
    np.testing.assert_allclose(H, np.sqrt(H2), atol=1e-12)


def test_sample_of_rows(sample):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 4))
    est = ProductPlusSum(second_product=True).fit(X)
    first = h(est, X, n_samples=15, random_state=3).per_output
    np.testing.assert_array_equal(first, h(est, X, n_samples=15, random_state=3).per_output)
    assert np.abs(first - h(est, X, n_samples=15, random_state=4).per_output).max() > 1e-3
    rows = np.sort(sample_without_replacement(200, 15, random_state=check_random_state(3)))
    np.testing.assert_allclose(first[0] ** 2, direct_h(est.predict, X[rows],
                                                       [[0], [1], [2], [3]]), atol=1e-12)


def test_groups_are_replaced_jointly(sample):
    est = ProductPlusSum(second_product=True).fit(sample)
    groups = {"product": [0, 1], "x2": [2], "x3": [3]}
    result = h(est, sample, feature_groups=groups, squared=True)
    assert result.feature_names.tolist() == ["product", "x2", "x3"]
    expected = direct_h(est.predict, sample, [[0, 1], [2], [3]])
    np.testing.assert_allclose(result.per_output[0], expected, atol=1e-12)
    # x0 x1 as one variable is additive to x2 x3
    np.testing.assert_allclose(expected[0, [1, 2]], 0, atol=1e-13)


def test_features_subset(sample):
    est = ProductPlusSum(second_product=True).fit(sample)
    full = h(est, sample).per_output
    sub = h(est, sample, features=["x3", 1])
    assert sub.feature_names.tolist() == ["x3", "x1"]
    np.testing.assert_allclose(sub.per_output, full[:, [3, 1]][:, :, [3, 1]], atol=1e-14)


@pytest.mark.parametrize("output", ["proba", "logit"])
def test_any_classifier(sample, output):
    # A linear model's log-odds are additive: H is 0 on them, not on the probability.
    y = (sample[:, 0] + sample[:, 1] - sample[:, 2] > 0.8).astype(int)
    est = LogisticRegression().fit(sample, y)
    result = h(est, sample, output=output, squared=True)
    if output == "logit":
        np.testing.assert_allclose(result.per_output, 0, atol=1e-20)
        return

    def probability(X):  # the logistic function of the linear model, written out
        return 1 / (1 + np.exp(-(X @ est.coef_[0] + est.intercept_[0])))

    expected = direct_h(probability, sample, [[0], [1], [2], [3]])
    np.testing.assert_allclose(result.per_output[0], expected, atol=1e-12)
    assert expected[0, 1] > 1e-3
    assert result.output_names.tolist() == [1]


def fit_quietly(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return estimator.fit(X, y)


def networks():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = X[:, 0] * X[:, 1] + X[:, 2]
    yield "regressor", random_mlp((4, 6, 5, 1), activation="relu"), X
    yield "binary", random_mlp((4, 5, 1), "tanh", "logistic"), X
    yield "multiclass", random_mlp((4, 5, 3), "logistic", "softmax"), X
    yield "poisson", random_mlp((4, 5, 1), "tanh", "exp"), X * 0.3
    scaled = fit_quietly(make_pipeline(StandardScaler(), MLPRegressor(
        hidden_layer_sizes=(6,), activation="tanh", max_iter=50, random_state=0)),
        X * [1, 10, 100, 0.1] + 3, y)
    yield "scaler pipeline", scaled, X * [1, 10, 100, 0.1] + 3


@pytest.mark.parametrize("output", ["proba", "logit"])
@pytest.mark.parametrize("case", list(networks()), ids=lambda c: c[0])
def test_fast_engine_equals_exact_predictions(case, output):
    _, est, X = case
    params = dict(n_samples=25, random_state=0, output=output, squared=True)
    fast = h(est, X, engine="fast", **params)
    exact = h(est, X, engine="exact", **params)
    assert fast.per_output.shape == exact.per_output.shape
    np.testing.assert_allclose(fast.per_output, exact.per_output, rtol=0, atol=1e-10)
    assert fast.per_output[:, 0, 1].max() > 1e-3  # random weights: inputs interact
    np.testing.assert_array_equal(fast.output_names, exact.output_names)


def test_binary_classifier_is_the_positive_class():
    _, est, X = list(networks())[1]
    result = h(est, X, n_samples=20, random_state=0, engine="exact")
    assert result.per_output.shape == (1, 4, 4)
    assert result.output_names.tolist() == [est.classes_[1]]


def test_threads_do_not_change_the_numbers():
    _, est, X = list(networks())[0]
    one = h(est, X, n_samples=30, random_state=0, n_jobs=1).per_output
    np.testing.assert_array_equal(one, h(est, X, n_samples=30, random_state=0,
                                         n_jobs=2).per_output)


def test_groups_and_encoded_pipeline_on_the_fast_engine():
    rng = np.random.default_rng(3)
    n = 80
    X = np.column_stack([rng.normal(size=n), rng.integers(0, 3, size=n), rng.normal(size=n),
                         rng.normal(size=n)])
    y = X[:, 0] * (X[:, 1] - 1) + X[:, 2]
    encode = ColumnTransformer([("onehot", OneHotEncoder(), [1])], remainder="passthrough")
    est = fit_quietly(make_pipeline(encode, MLPRegressor(hidden_layer_sizes=(8,),
                                                         max_iter=100, random_state=0)),
                      X, y)
    for groups in (None, [[0, 1], [2, 3]]):
        params = dict(n_samples=20, random_state=1, squared=True, feature_groups=groups)
        fast = h(est, X, engine="fast", **params)
        exact = h(est, X, engine="exact", **params)
        np.testing.assert_allclose(fast.per_output, exact.per_output, atol=1e-10)
    assert fast.per_output.shape == (1, 2, 2)


def test_pipeline_that_mixes_columns_runs_its_own_predictions():
    from sklearn.decomposition import PCA

    _, _, X = list(networks())[0]
    est = fit_quietly(make_pipeline(PCA(3), MLPRegressor(hidden_layer_sizes=(5,),
                                                         max_iter=20, random_state=0)),
                      X, X[:, 0] * X[:, 1])
    auto = h(est, X, n_samples=15, random_state=0).per_output
    np.testing.assert_array_equal(auto, h(est, X, n_samples=15, random_state=0,
                                          engine="exact").per_output)
    assert auto.shape == (1, 4, 4)
    with pytest.raises(NotAnMLPError, match="engine='fast'.*mix columns"):
        h(est, X, n_samples=15, engine="fast")


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
def test_product_pair_ranks_first_on_a_fitted_network(activation):
    rng = np.random.default_rng(0)
    X = rng.uniform(-2, 2, size=(200, 4))
    y = X[:, 0] * X[:, 1] + X[:, 2]
    mlp = fit_quietly(MLPRegressor(hidden_layer_sizes=(16,), activation=activation,
                                   solver="lbfgs", max_iter=150, random_state=0), X, y)
    result = h(mlp, X, n_samples=50, random_state=0)
    assert result.top_pairs(1)[0][:2] == ("x0", "x1")
    H = result.per_output[0]
    assert H[0, 1] > 10 * max(H[0, 2], H[1, 2], H[2, 3], H[2, 2])
    # the closed forms of x0 x1 + x2 on the rows drawn, up to the network's fit
    S = X[np.sort(sample_without_replacement(200, 50, random_state=check_random_state(0)))]
    c = S - S.mean(axis=0)
    interaction = (c[:, 0] * c[:, 1]).var()
    np.testing.assert_allclose(H[0, 1], np.sqrt(interaction / (S[:, 0] * S[:, 1]).var()),
                               atol=0.03)
    np.testing.assert_allclose([H[0, 0], H[1, 1]], np.sqrt(
        interaction / (S[:, 0] * S[:, 1] + S[:, 2]).var()), atol=0.05)


def test_registered_and_declared():
    method = get_interaction_method("h_statistic")
    assert isinstance(method, HStatistic)
    assert not method.needs_network and method.random and not method.has_local


def test_does_not_change_the_data(sample):
    est = ProductPlusSum().fit(sample)
    before = sample.copy()
    h(est, sample, engine="exact")
    np.testing.assert_array_equal(sample, before)


def test_errors(sample):
    est = ProductPlusSum().fit(sample)
    with pytest.raises(NotAnMLPError, match="engine='fast' needs an MLP"):
        h(est, sample, engine="fast")
    with pytest.raises(ValueError, match="features refers to input 7"):
        h(est, sample, features=[0, 7])
    with pytest.raises(ValueError, match="'x9'"):
        h(est, sample, features=["x9"])
    with pytest.raises(ValueError, match="twice"):
        h(est, sample, features=[1, "x1"])
    with pytest.raises(ValueError, match="empty"):
        h(est, sample, features=[])
    with pytest.raises(ValueError, match="decision_function"):
        h(est, sample, output="logit")
    with pytest.raises(InvalidParameterError, match="n_samples"):
        h(est, sample, n_samples=1)
    with pytest.raises(InvalidParameterError, match="engine"):
        h(est, sample, engine="quick")
    w = np.ones(len(sample))
    w[sample_without_replacement(len(sample), 3, random_state=check_random_state(0))] = 0
    with pytest.raises(ValueError, match="zero sample_weight"):
        h(est, sample, n_samples=3, random_state=0, sample_weight=w)

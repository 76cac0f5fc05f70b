"""Conditional permutation importance (issue 15): against marginal permutation, the
Strobl simulation, the 1 - R² law of linear models, the cross-fit, scikit-learn's Ridge
and a brute-force GCV, and its fast path against its slow one."""

import warnings

import numpy as np
import pytest
from conftest import make_mlp, random_mlp
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import GridSearchCV, KFold
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skimportance import ImportanceRegressor, feature_importances
from skimportance.methods import ConditionalPermutation, Permutation, _column_engine
from skimportance.methods import _conditional


def correlated(n, rho, seed, p=4, pair=(0, 3)):
    """Standard normal inputs; the pair has correlation rho."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    i, j = pair
    X[:, j] = rho * X[:, i] + np.sqrt(1 - rho ** 2) * X[:, j]
    return X, rng


def linear_mlp(b):
    """A network that computes exactly x @ b (one identity unit)."""
    return make_mlp([np.asarray(b, dtype=float)[:, None], np.ones((1, 1))],
                    activation="identity")


def importances(method, estimator, X, y, **kwargs):
    return feature_importances(estimator, X, y, method=method, **kwargs)


# ------------------------------------------------ independent inputs: as marginal


def test_independent_inputs_conditional_equals_marginal_within_monte_carlo_error():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 4))
    mlp = random_mlp((4, 8, 1), seed=1)
    y = mlp.predict(X) + 0.3 * rng.normal(size=1500)
    repeats = 30
    # Different seeds: two independent Monte-Carlo estimates of the same quantity.
    marginal = importances(Permutation(n_repeats=repeats, random_state=1), mlp, X, y)
    conditional = importances(ConditionalPermutation(n_repeats=repeats, random_state=2),
                              mlp, X, y)
    error = np.sqrt((marginal.importances_std ** 2 + conditional.importances_std ** 2)
                    / repeats)
    assert np.all(marginal.importances_mean > 10 * error)  # something to compare
    np.testing.assert_array_less(
        np.abs(conditional.importances_mean - marginal.importances_mean), 4 * error)


# -------------------------------------------------------------- Strobl et al.


def test_linear_model_conditional_over_marginal_is_one_minus_r2():
    # For f linear in x3 and y = f (baseline error 0), the mean squared error after
    # replacing x3 is b3**2 mean((x3' - x3)**2): 2 b3**2 Var(x3) for a shuffle, and
    # 2 b3**2 Var(x3 | rest) for the conditional draw, so their ratio is 1 - R²(x3).
    X, _ = correlated(4000, 0.9, seed=3)
    mlp = linear_mlp([1.0, 1.0, 1.0, 0.5])
    y = mlp.predict(X)
    kw = dict(n_repeats=10, random_state=0, scoring="neg_mean_squared_error")
    marginal = importances(Permutation(**kw), mlp, X, y).importances_mean
    conditional = importances(ConditionalPermutation(**kw), mlp, X, y).importances_mean
    others = X[:, :3]
    r2 = LinearRegression().fit(others, X[:, 3]).score(others, X[:, 3])
    assert r2 == pytest.approx(0.81, abs=0.02)
    assert conditional[3] / marginal[3] == pytest.approx(1 - r2, abs=0.02)
    # x1 and x2 are independent of the rest: conditional is marginal (R² = 0).
    np.testing.assert_allclose(conditional[[1, 2]], marginal[[1, 2]], rtol=0.05)


def test_strobl_correlated_null_gets_a_small_fraction_of_its_marginal_value():
    # Strobl et al. (2008): y = x0 + x1 + x2; x3 is not in y but corr(x0, x3) = 0.9.
    # Measured ratio conditional / marginal for x3: 0.21 (seeds 0-2: 0.21-0.23; for a
    # model linear in x3 it is 1 - R²(x3 | rest) = 0.19, test above). x0, which the
    # model needs, also loses most of its marginal value: x3 carries 81% of it.
    ratios = []
    for seed in range(1):
        X, rng = correlated(1000, 0.9, seed)
        y = X[:, 0] + X[:, 1] + X[:, 2] + 0.5 * rng.normal(size=1000)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mlp = MLPRegressor(hidden_layer_sizes=(16,), solver="lbfgs", max_iter=500,
                               alpha=1e-3, random_state=0).fit(X, y)
        marginal = importances(Permutation(n_repeats=10, random_state=0), mlp, X, y)
        conditional = importances(ConditionalPermutation(n_repeats=10, random_state=0),
                                  mlp, X, y)
        m, c = marginal.importances_mean, conditional.importances_mean
        assert m[3] > 0.02 * m[1]  # the model does use x3: there is a bias to remove
        ratios.append(c[3] / m[3])
        assert c[3] < 0.02 * c[1]  # the null input: about zero next to a real one
        np.testing.assert_allclose(c[[1, 2]], m[[1, 2]], rtol=0.05)
    assert max(ratios) < 0.3


# ---------------------------------------------------------------- the cross-fit


class Spy(RegressorMixin, BaseEstimator):
    """A linear regression that records the rows it is fitted on and predicts."""

    log = []

    def fit(self, X, y):
        self.model_ = LinearRegression().fit(X, y)
        self.record_ = {"fit": np.array(X), "y_ndim": np.ndim(y), "predict": []}
        Spy.log.append(self.record_)
        return self

    def predict(self, X):
        self.record_["predict"].append(np.array(X))
        return self.model_.predict(X)


def test_the_conditional_model_is_never_fitted_on_the_rows_it_imputes():
    X, rng = correlated(120, 0.8, seed=4)
    mlp = random_mlp((4, 5, 1), seed=2)
    y = mlp.predict(X) + 0.1 * rng.normal(size=120)
    Spy.log = []
    method = ConditionalPermutation(Spy(), n_repeats=2, cv=4, random_state=0)
    importances(method, mlp, X, y, feature_groups=[[0, 3], 1, 2])
    assert len(Spy.log) == 3 * 4  # three entries, four folds
    covered = {}
    for record in Spy.log:
        fitted = {row.tobytes() for row in record["fit"]}
        (predicted,) = record["predict"]
        assert not fitted & {row.tobytes() for row in predicted}
        assert len(fitted) + len(predicted) == 120  # the other folds, all of them
        width = record["fit"].shape[1]
        covered[width] = covered.get(width, 0) + len(predicted)
        assert record["y_ndim"] == (2 if width == 2 else 1)  # the group jointly
    assert covered == {2: 120, 3: 2 * 120}  # each row imputed once per entry


def test_default_ridge_prediction_of_a_row_does_not_depend_on_its_own_value():
    X, _ = correlated(200, 0.8, seed=5)
    splits = list(KFold(5, shuffle=True, random_state=0).split(X))
    method = ConditionalPermutation()
    before = method._conditional_models(X, [(3,)], splits)[(3,)].prediction[:, 0]
    row = splits[0][1][0]
    changed = X.copy()
    changed[row, 3] += 10.0
    after = method._conditional_models(changed, [(3,)], splits)[(3,)].prediction[:, 0]
    same_fold = splits[0][1]
    # (prediction = value - residual: both move with the value, by rounding only)
    np.testing.assert_allclose(after[same_fold], before[same_fold], rtol=0, atol=1e-12)
    other_folds = np.setdiff1d(np.arange(200), same_fold)
    assert np.all(after[other_folds] != before[other_folds])  # fitted on that row


def test_default_ridge_equals_scikit_learn_with_the_penalty_brute_force_gcv_picks():
    X, _ = correlated(90, 0.8, seed=6, p=5)
    train, test = np.arange(60), np.arange(60, 90)
    mean, sd = X[train].mean(axis=0), X[train].std(axis=0)
    Z = (X - mean) / sd
    n = len(train)
    for S in ([3], [0, 3]):
        rest = [j for j in range(5) if j not in S]
        errors = []
        for alpha in _conditional._ALPHAS:  # GCV from the explicit hat matrix
            F = np.column_stack([np.ones(n), Z[np.ix_(train, rest)]])
            penalty = np.diag([0.0] + [alpha * n] * len(rest))
            H = F @ np.linalg.solve(F.T @ F + penalty, F.T)
            residual = Z[np.ix_(train, S)] - H @ Z[np.ix_(train, S)]
            errors.append(np.mean(residual ** 2) / (1 - np.trace(H) / n) ** 2)
        alpha = _conditional._ALPHAS[int(np.argmin(errors))]
        ridge = Ridge(alpha=alpha * n).fit(Z[np.ix_(train, rest)], X[np.ix_(train, S)])
        expected = X[np.ix_(test, S)] - ridge.predict(Z[np.ix_(test, rest)]).reshape(30, -1)
        single, several = _conditional._ridge_residuals(X, train, test, [np.array(S)])
        ours = single if len(S) == 1 else several[0]
        np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-10)


def offset_data(seed, offset=1e6):
    """W: correlated inputs on a grid of 2**-20 (|W| < 64), and X = W + offset, exact in
    float64 (20 + 6 + 20 bits): the centred statistics of X are those of W, which a
    direct computation gets to rounding since W has no offset."""
    rng = np.random.default_rng(seed)
    W = rng.normal(size=(400, 6)) @ rng.normal(size=(6, 6))
    W[:, 4] *= 0.01  # a small spread next to the offset
    W = np.round(np.clip(W, -60, 60) * 2.0 ** 20) / 2.0 ** 20
    X = W + offset
    assert np.array_equal(X - offset, W)
    return W, X


def test_training_correlation_from_fold_pieces_matches_direct_one_with_large_offsets():
    W, X = offset_data(20)
    W[:, 5], X[:, 5] = 3.0, 1e6 + 3.0  # constant everywhere
    X[:, 2] = 1e6 + (np.arange(400) % 2)  # constant on a training fold only, below
    W[:, 2] = X[:, 2] - 1e6
    splits = list(KFold(5, shuffle=True, random_state=0).split(X))
    odd = np.flatnonzero(np.arange(400) % 2)
    splits.append((np.setdiff1d(np.arange(400), odd), odd))  # training rows: x2 = 1e6
    shift = X.mean(axis=0)
    for train, test in splits:
        training = [_conditional._fold_pieces(X, rows, shift)  # in three pieces
                    for rows in np.array_split(train, 3)]
        C, mean, scale = _conditional._training_correlation(training)
        # Direct oracle, on W (no offset).
        Wt = W[train]
        sd = Wt.std(axis=0)
        sd[sd == 0] = 1.0
        Zt = (Wt - Wt.mean(axis=0)) / sd
        np.testing.assert_allclose(C, Zt.T @ Zt / len(train), rtol=0, atol=1e-13)
        np.testing.assert_allclose(scale, sd, rtol=1e-13, atol=0)
        # (the shift minus the offset is exact: both are within a factor 2)
        np.testing.assert_allclose((shift - 1e6) + mean, Wt.mean(axis=0),
                                   rtol=0, atol=1e-13 * sd.max())
        constant = np.ptp(Wt, axis=0) == 0
        assert constant[5] and (constant[2] == (len(test) == 200))
        assert np.all(C[constant] == 0) and np.all(C[:, constant] == 0)
    # A direct float computation on X loses about eps * offset / spread to the centring:
    x, w = X[splits[0][0], 4], W[splits[0][0], 4]
    direct, exact = (x - x.mean()) / x.std(), (w - w.mean()) / w.std()
    assert np.abs(direct - exact).max() > 1e-11  # so the test above could fail


def test_ridge_residuals_do_not_depend_on_an_offset_and_folds_share_their_pieces():
    W, X = offset_data(21)
    splits = list(KFold(5, shuffle=True, random_state=1).split(X))
    targets = [np.array([j]) for j in range(6)] + [np.array([0, 4])]
    models = ConditionalPermutation()._conditional_models(
        X, [(j,) for j in range(6)] + [(0, 4)], splits)
    for train, test in splits:
        single, several = _conditional._ridge_residuals(W, train, test, targets)
        # The penalties (chosen in the same place) and residuals are those without offset.
        on_x, several_x = _conditional._ridge_residuals(X, train, test, targets)
        np.testing.assert_allclose(on_x, single, rtol=0, atol=1e-12 * np.abs(single).max())
        np.testing.assert_allclose(several_x[-1], several[-1], rtol=0,
                                   atol=1e-12 * np.abs(several[-1]).max())
        # Cross-fitted from the folds' pieces; the model holds the prediction X - residual
        # (rounded to X's units) and the residual X - prediction.
        units = 2 * np.spacing(X.max())
        for j in range(6):
            np.testing.assert_allclose(models[(j,)].residual[test], single[:, [j]],
                                       rtol=0, atol=units)
        np.testing.assert_allclose(models[(0, 4)].residual[test], several[-1], rtol=0,
                                   atol=units)


def test_a_block_of_single_columns_is_replaced_as_each_column_alone():
    rng = np.random.default_rng(22)
    X = rng.normal(size=(300, 5))
    X[:, 1] = (X[:, 0] > 0).astype(float)  # binary: drawn from a classifier
    splits = list(KFold(5, shuffle=True, random_state=0).split(X))
    models = ConditionalPermutation()._conditional_models(X, [(j,) for j in range(5)], splits)
    perms = [rng.permutation(300) for _ in range(2)]
    uniforms = rng.uniform(size=(2, 300))
    replace = _conditional._Conditional(models, perms, uniforms, grouped=False)
    for cols in ([0, 2, 3, 4], [4, 1, 2], [1]):
        for r in range(2):
            block = replace(X, r, np.array(cols))
            for c, j in enumerate(cols):
                model = models[(j,)]
                draw = uniforms[r] if j == 1 else perms[r]
                np.testing.assert_array_equal(block[:, c], model.values(draw)[:, 0])
                if j != 1:  # the numeric ones: prediction plus shuffled residual
                    np.testing.assert_array_equal(
                        block[:, c], model.prediction[:, 0] + model.residual[perms[r], 0])


# ---------------------------------------------------------- fast path, slow path


@pytest.mark.parametrize("groups", [None, [[0, 3], 1, [2]]])
def test_fast_path_equals_slow_path(groups, kernels):
    X, rng = correlated(300, 0.7, seed=7)
    mlp = random_mlp((4, 6, 3, 1), seed=3)
    y = mlp.predict(X) + 0.2 * rng.normal(size=300)
    kw = dict(n_repeats=3, random_state=0)
    fast = importances(ConditionalPermutation(engine="fast", **kw), mlp, X, y,
                       feature_groups=groups)
    exact = importances(ConditionalPermutation(engine="exact", **kw), mlp, X, y,
                        feature_groups=groups)
    np.testing.assert_allclose(fast.importances, exact.importances, rtol=0, atol=1e-10)


def test_same_numbers_whatever_n_jobs_and_any_regressor():
    X, rng = correlated(200, 0.7, seed=8)
    mlp = random_mlp((4, 5, 1), seed=4)
    y = mlp.predict(X) + 0.2 * rng.normal(size=200)
    for estimator in (None, make_pipeline(StandardScaler(), Ridge())):
        one = importances(ConditionalPermutation(estimator, n_repeats=2, random_state=0),
                          mlp, X, y, feature_groups=[[0, 3], 1, 2])
        for n_jobs in (1, 2):
            other = importances(ConditionalPermutation(estimator, n_repeats=2, random_state=0,
                                                       n_jobs=n_jobs), mlp, X, y,
                                feature_groups=[[0, 3], 1, 2])
            np.testing.assert_array_equal(one.importances, other.importances)


# ------------------------------------------------------------------ categories


def test_categories_are_drawn_from_the_predicted_distribution():
    proba = np.tile([0.2, 0.5, 0.3], (20000, 1))
    draws = _conditional._Categories(proba, np.array([[7], [8], [9]])).values(
        np.random.default_rng(0).uniform(size=20000))
    frequencies = np.array([(draws == v).mean() for v in (7, 8, 9)])
    standard_error = np.sqrt(proba[0] * (1 - proba[0]) / 20000)
    np.testing.assert_array_less(np.abs(frequencies - proba[0]), 4 * standard_error)


def test_a_binary_column_keeps_its_values_and_its_dependence():
    rng = np.random.default_rng(9)
    X = rng.normal(size=(400, 3))
    X[:, 2] = (X[:, 0] + 0.3 * rng.normal(size=400) > 0).astype(float)  # binary, ~x0
    splits = list(KFold(5, shuffle=True, random_state=0).split(X))
    model = ConditionalPermutation()._conditional_models(X, [(2,)], splits)[(2,)]
    assert isinstance(model, _conditional._Categories)
    draws = model.values(rng.uniform(size=400))
    assert set(np.unique(draws)) <= {0.0, 1.0}
    agree = (draws[:, 0] == X[:, 2]).mean()
    shuffled = (X[rng.permutation(400), 2] == X[:, 2]).mean()
    assert agree > 0.8 and shuffled < 0.6  # a shuffle would break the link with x0


def test_text_column_of_a_pipeline_is_drawn_among_its_categories():
    pd = pytest.importorskip("pandas")
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import OneHotEncoder

    rng = np.random.default_rng(10)
    size = rng.normal(size=200)
    colour = np.where(size + 0.3 * rng.normal(size=200) > 0, "red", "blue")
    frame = pd.DataFrame({"size": size, "colour": colour, "w": rng.normal(size=200)})
    y = size + (colour == "red") + 0.1 * rng.normal(size=200)
    pipe = make_pipeline(ColumnTransformer([("n", StandardScaler(), ["size", "w"]),
                                            ("c", OneHotEncoder(), ["colour"])]),
                         MLPRegressor(hidden_layer_sizes=(4,), max_iter=300, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipe.fit(frame, y)
    result = importances(ConditionalPermutation(n_repeats=2, random_state=0), pipe, frame, y)
    assert result.feature_names.tolist() == ["size", "colour", "w"]
    assert np.all(np.isfinite(result.importances))
    X = frame.to_numpy(dtype=object)
    splits = list(KFold(5, shuffle=True, random_state=0).split(X))
    model = ConditionalPermutation()._conditional_models(X, [(1,)], splits)[(1,)]
    assert set(model.values(rng.uniform(size=200))[:, 0]) <= {"red", "blue"}


# ---------------------------------------------------------- meta-estimators


def test_meta_estimator_clones_and_grid_searches_the_methods_estimator():
    X, rng = correlated(80, 0.8, seed=11)
    y = X[:, 0] + X[:, 1] + 0.1 * rng.normal(size=80)
    meta = ImportanceRegressor(
        MLPRegressor(hidden_layer_sizes=(4,), max_iter=50, random_state=0),
        method=ConditionalPermutation(Ridge(), n_repeats=2), random_state=0)
    params = meta.get_params()
    assert isinstance(params["method__estimator"], Ridge)
    assert params["method__estimator__alpha"] == 1.0
    copy = clone(meta)
    assert copy.method is not meta.method and copy.method.estimator is not meta.method.estimator
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(meta, {"method__estimator__alpha": [0.1, 10.0],
                                     "method__n_repeats": [1, 2]}, cv=2).fit(X, y)
    assert search.best_estimator_.method.estimator.alpha in (0.1, 10.0)
    assert meta.method.estimator.alpha == 1.0  # the caller's object untouched
    assert search.best_estimator_.importances_.feature_names.tolist() == [
        "x0", "x1", "x2", "x3"]


# ------------------------------------------------------------- bad parameters


@pytest.mark.parametrize("param, value", [
    ("cv", 1), ("n_repeats", 0), ("estimator", "ridge"), ("classifier", Ridge()),
    ("max_categories", 0), ("engine", "turbo"),
])
def test_bad_parameters_are_refused_by_name(param, value):
    X, _ = correlated(40, 0.5, seed=12)
    mlp = random_mlp((4, 3, 1))
    method = ConditionalPermutation(**{param: value})
    with pytest.raises(InvalidParameterError, match=f"'{param}' parameter"):
        importances(method, mlp, X, mlp.predict(X))


def test_missing_values_and_a_fast_engine_that_cannot_run_are_explained():
    X, _ = correlated(40, 0.5, seed=13)
    mlp = random_mlp((4, 3, 1))
    y = mlp.predict(X)
    pipe = make_pipeline(StandardScaler(), Ridge()).fit(X, y)
    X_nan = X.copy()
    X_nan[0, 2] = np.nan
    from sklearn.impute import SimpleImputer

    imputed = make_pipeline(SimpleImputer(), Ridge()).fit(X_nan, y)
    with pytest.raises(ValueError, match="column 2 has NaN"):
        importances(ConditionalPermutation(), imputed, X_nan, y)
    with pytest.raises(ValueError, match="engine='fast'"):
        importances(ConditionalPermutation(engine="fast"), pipe, X, y)


def test_slow_path_is_taken_when_the_fast_one_is_unavailable(monkeypatch):
    X, rng = correlated(150, 0.7, seed=14)
    mlp = random_mlp((4, 5, 1), seed=5)
    y = mlp.predict(X) + 0.1 * rng.normal(size=150)
    fast = importances(ConditionalPermutation(n_repeats=2, random_state=0), mlp, X, y)
    calls = []

    def never(estimator, X, scorer):
        calls.append(1)

    monkeypatch.setattr(_column_engine, "fast_network", never)
    slow = importances(ConditionalPermutation(n_repeats=2, random_state=0), mlp, X, y)
    assert calls
    np.testing.assert_allclose(slow.importances, fast.importances, rtol=0, atol=1e-10)

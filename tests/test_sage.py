"""SAGE (issue 13): exact and sampled values against brute-force enumeration of the
coalitions, efficiency, the null input, reproducibility, convergence, groups, encoded
Pipelines and the errors.

The oracle builds every coalition's rows by hand (x's values on the coalition's
columns, each background row's elsewhere), evaluates the estimator's own ``predict`` /
``predict_proba``, averages over the background, takes the loss per row of X and the
Shapley formula over the coalitions: nothing of skimportance's network code is used.
"""

import itertools
import warnings
from math import factorial

import numpy as np
import pytest
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skimportance import ImportanceRegressor, feature_importances
from skimportance.methods import Sage

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def squared_error(pred, target):
    return ((pred - np.reshape(target, pred.shape)) ** 2).sum()


def oracle(f, loss, X, y, background, players, weights=None, sample_weight=None):
    """(v, phi): v[S] = -mean_r loss(sum_b w_b f(x_r on S, b elsewhere), y_r) for every
    coalition S (tuples of player indices), phi the Shapley values of v."""
    n, nb, d = X.shape[0], background.shape[0], len(players)
    weights = np.full(nb, 1 / nb) if weights is None else weights
    sample_weight = np.ones(n) if sample_weight is None else sample_weight
    v = {}
    for size in range(d + 1):
        for S in itertools.combinations(range(d), size):
            rows = np.repeat(background[None], n, axis=0)  # (n, nb, p)
            for j in S:
                rows[:, :, players[j]] = X[:, None, players[j]]
            out = f(rows.reshape(n * nb, -1)).reshape(n, nb, -1)
            pred = np.tensordot(out, weights, axes=([1], [0]))  # (n, k)
            losses = np.array([loss(pred[r], y[r]) for r in range(n)])
            v[S] = -(sample_weight @ losses) / sample_weight.sum()
    phi = np.zeros(d)
    for i in range(d):
        others = [j for j in range(d) if j != i]
        for size in range(d):
            w = factorial(size) * factorial(d - size - 1) / factorial(d)
            for S in itertools.combinations(others, size):
                phi[i] += w * (v[tuple(sorted(S + (i,)))] - v[S])
    return v, phi


def singletons(d):
    return [[j] for j in range(d)]


@pytest.fixture(scope="module")
def regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    X[:, 3] = 0.8 * X[:, 0] + 0.6 * rng.normal(size=30)  # correlated with x0
    y = 2 * X[:, 0] + np.sin(2 * X[:, 1]) + X[:, 2] * X[:, 3] + 0.1 * rng.normal(size=30)
    mlp = _fit(MLPRegressor(hidden_layer_sizes=(7, 5), activation="tanh",
                            max_iter=400, random_state=0), X, y)
    return X, y, mlp, X[::4].copy()  # background: 8 rows of X


def test_exact_equals_brute_force_with_sample_weight(regression):
    X, y, mlp, B = regression
    sw = np.random.default_rng(1).uniform(0.5, 2, size=len(X))
    result = feature_importances(mlp, X, y, method=Sage(background=B, algorithm="exact"),
                                 sample_weight=sw)
    v, phi = oracle(lambda Z: mlp.predict(Z)[:, None], squared_error, X, y, B,
                    singletons(4), sample_weight=sw)
    np.testing.assert_allclose(result.per_output[0], phi, rtol=0, atol=1e-10)
    np.testing.assert_allclose(result.importances_mean, phi, rtol=0, atol=1e-10)
    assert result.output_names.tolist() == ["score"]
    assert result.converged is True and result.n_permutations is None
    # The standard error of an exact value is the spread of the rows' own values.
    assert np.all(result.standard_error > 0)
    # Efficiency: the values add up to v(all) - v(empty).
    assert abs(phi.sum() - (v[(0, 1, 2, 3)] - v[()])) < 1e-10
    assert abs(result.per_output.sum() - (v[(0, 1, 2, 3)] - v[()])) < 1e-10


def test_sampled_values_within_their_standard_errors_of_brute_force(regression):
    X, y, mlp, B = regression
    v, phi = oracle(lambda Z: mlp.predict(Z)[:, None], squared_error, X, y, B,
                    singletons(4))
    converged = feature_importances(
        mlp, X, y, method=Sage(background=B, algorithm="sampled", random_state=0))
    assert converged.converged
    se = converged.standard_error
    assert np.all(np.abs(converged.per_output[0] - phi) < 4 * se + 1e-12)
    # The rule: the largest standard error below 0.025 times the range of the values.
    assert se.max() < 0.025 * np.ptp(converged.per_output[0]) < 0.026 * np.ptp(phi)
    # Many walks: close in absolute terms (every walk telescopes, and 300 passes over
    # the 30 rows make the row part of the error vanish; the orders' part is left).
    many = feature_importances(
        mlp, X, y, method=Sage(background=B, algorithm="sampled", n_permutations=9000,
                               batch_size=3000, random_state=1))
    assert many.n_permutations == 9000
    np.testing.assert_allclose(many.per_output[0], phi, rtol=0, atol=0.02 * np.ptp(phi))
    np.testing.assert_allclose(many.per_output.sum(), v[(0, 1, 2, 3)] - v[()],
                               rtol=0, atol=1e-10)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_classifier_cross_entropy_against_brute_force(n_classes):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(24, 3))
    score = X[:, 0] - X[:, 1] + 0.5 * rng.normal(size=24)
    cuts = np.quantile(score, np.linspace(0, 1, n_classes + 1)[1:-1])
    y = np.array(["low", "mid", "top"])[np.digitize(score, cuts)]
    clf = _fit(MLPClassifier(hidden_layer_sizes=(6,), max_iter=300, random_state=0),
               X, y)
    B = X[:6].copy()
    classes = clf.classes_.tolist()

    def cross_entropy(pred, label):
        return -np.log(pred[classes.index(label)])

    v, phi = oracle(clf.predict_proba, cross_entropy, X, y, B, singletons(3))
    exact = feature_importances(clf, X, y, method=Sage(background=B, algorithm="exact"))
    np.testing.assert_allclose(exact.per_output[0], phi, rtol=0, atol=1e-10)
    if n_classes == 3:  # the Brier score: squared error of the class probabilities
        brier = feature_importances(clf, X, y, method=Sage(
            background=B, algorithm="exact", loss="squared_error"))
        _, phi_brier = oracle(clf.predict_proba, lambda pred, label: squared_error(
            pred, np.eye(3)[classes.index(label)]), X, y, B, singletons(3))
        np.testing.assert_allclose(brier.per_output[0], phi_brier, rtol=0, atol=1e-10)
    walked = feature_importances(clf, X, y, method=Sage(
        background=B, algorithm="sampled", n_permutations=24 * 50, random_state=0))
    # 50 passes over the rows: the values add up exactly, and are near the exact ones.
    assert abs(walked.per_output.sum() - (v[(0, 1, 2)] - v[()])) < 1e-10
    assert np.all(np.abs(walked.per_output[0] - phi) < 4 * walked.standard_error + 1e-12)


def test_two_outputs_sum_their_squared_errors():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 3))
    Y = np.column_stack([X[:, 0] + X[:, 1], X[:, 2] - X[:, 0]])
    mlp = _fit(MLPRegressor(hidden_layer_sizes=(5,), max_iter=300, random_state=0), X, Y)
    B = X[:5].copy()
    _, phi = oracle(mlp.predict, squared_error, X, Y, B, singletons(3))
    result = feature_importances(mlp, X, Y, method=Sage(background=B))
    assert result.per_output.shape == (1, 3)
    np.testing.assert_allclose(result.per_output[0], phi, rtol=0, atol=1e-10)


@pytest.mark.parametrize("algorithm", ["exact", "sampled"])
def test_a_null_input_gets_zero_exactly(regression, algorithm):
    X, y, mlp, B = regression
    null = _fit(MLPRegressor(hidden_layer_sizes=(7, 5), activation="tanh", max_iter=50,
                             random_state=0), X, y)
    null.coefs_[0][2] = 0.0  # the network never reads x2
    result = feature_importances(null, X, y, method=Sage(
        background=B, algorithm=algorithm, n_permutations=200, random_state=0))
    assert result.per_output[0, 2] == 0.0
    assert result.standard_error[2] == 0.0
    assert np.all(result.per_output[0, [0, 1, 3]] != 0.0)


def test_same_seed_same_numbers_whatever_the_threads_and_batches(regression):
    X, y, mlp, B = regression
    method = Sage(background=4, algorithm="sampled", n_permutations=700, random_state=3)
    first = feature_importances(mlp, X, y, method=method)
    again = feature_importances(mlp, X, y, method=method)
    threads = feature_importances(mlp, X, y, method=method.set_params(n_jobs=2))
    batches = feature_importances(mlp, X, y, method=method.set_params(batch_size=64))
    for other in (again, threads):
        np.testing.assert_array_equal(other.per_output, first.per_output)
        np.testing.assert_array_equal(other.standard_error, first.standard_error)
    # Other batches: the same walks, summed in another grouping (rounding only).
    np.testing.assert_allclose(batches.per_output, first.per_output, rtol=0, atol=1e-12)
    np.testing.assert_allclose(batches.standard_error, first.standard_error, rtol=0,
                               atol=1e-12)
    other_seed = feature_importances(mlp, X, y, method=method.set_params(random_state=4))
    assert not np.array_equal(other_seed.per_output, first.per_output)


def test_convergence_stops_early_reports_it_and_errors_shrink(regression):
    X, y, mlp, B = regression
    method = Sage(background=B, algorithm="sampled", batch_size=100,
                  max_permutations=50000, random_state=0)
    result = feature_importances(mlp, X, y, method=method)
    assert result.converged is True
    assert result.n_permutations % 100 == 0 and result.n_permutations < 50000
    # The same walks, fixed in number: the same numbers, and converged by the rule.
    fixed = feature_importances(mlp, X, y, method=method.set_params(
        n_permutations=result.n_permutations))
    np.testing.assert_array_equal(fixed.per_output, result.per_output)
    # One batch fewer had not converged (else the loop would have stopped there).
    before = feature_importances(mlp, X, y, method=method.set_params(
        n_permutations=result.n_permutations - 100))
    assert before.converged is False
    # Standard errors shrink as 1 / sqrt(walks): 16 times the walks, a quarter.
    small = feature_importances(mlp, X, y, method=method.set_params(n_permutations=600))
    large = feature_importances(mlp, X, y, method=method.set_params(n_permutations=9600))
    ratio = small.standard_error / large.standard_error
    assert np.all((ratio > 3.2) & (ratio < 5.0)), ratio
    # Not converged by max_permutations: a warning, and converged False.
    with pytest.warns(ConvergenceWarning, match="max_permutations=200"):
        capped = feature_importances(mlp, X, y, method=method.set_params(
            n_permutations=None, max_permutations=200, threshold=1e-4))
    assert capped.converged is False and capped.n_permutations == 200


def test_groups_sum_or_play(regression):
    X, y, mlp, B = regression
    groups = [[0, 3], [1], [2]]
    alone = feature_importances(mlp, X, y, method=Sage(background=B))
    summed = feature_importances(mlp, X, y, method=Sage(background=B),
                                 feature_groups=groups)
    np.testing.assert_allclose(summed.per_output[0],
                               [alone.per_output[0, [0, 3]].sum(), *alone.per_output[0, 1:3]],
                               rtol=0, atol=1e-12)
    played = feature_importances(mlp, X, y, method=Sage(background=B,
                                                        group_values="players"),
                                 feature_groups=groups)
    _, phi = oracle(lambda Z: mlp.predict(Z)[:, None], squared_error, X, y, B, groups)
    np.testing.assert_allclose(played.per_output[0], phi, rtol=0, atol=1e-10)
    assert played.feature_names.tolist() == ["x0+x3", "x1", "x2"]
    # Sampled sums: their standard error counts the correlation of their columns.
    sampled = feature_importances(mlp, X, y, method=Sage(
        background=B, algorithm="sampled", n_permutations=300, random_state=0),
        feature_groups=groups)
    columns = feature_importances(mlp, X, y, method=Sage(
        background=B, algorithm="sampled", n_permutations=300, random_state=0))
    np.testing.assert_allclose(sampled.per_output[0, 0],
                               columns.per_output[0, [0, 3]].sum(), rtol=0, atol=1e-12)
    with pytest.raises(ValueError, match="feature_groups share columns"):
        feature_importances(mlp, X, y, method=Sage(background=B, group_values="players"),
                            feature_groups=[[0, 1], [1, 2]])


def test_encoded_pipeline_players_are_the_columns_of_X():
    rng = np.random.default_rng(4)
    n = 24
    colour = np.array(["red", "green", "blue"])[rng.integers(0, 3, size=n)]
    size = rng.normal(size=n)
    y = size + np.select([colour == "red", colour == "green"], [2.0, -1.0], 0.0)
    X = np.empty((n, 2), dtype=object)
    X[:, 0], X[:, 1] = size, colour
    pipe = _fit(make_pipeline(
        ColumnTransformer([("num", StandardScaler(), [0]), ("cat", OneHotEncoder(), [1])]),
        MLPRegressor(hidden_layer_sizes=(5,), max_iter=300, random_state=0)), X, y)
    # All the rows are the background (more asked than there are): the oracle can
    # build the coalitions in X's columns.
    result = feature_importances(pipe, X, y, method=Sage(background=100))
    _, phi = oracle(lambda Z: pipe.predict(Z)[:, None], squared_error, X, y, X,
                    singletons(2))
    assert result.per_output.shape == (1, 2)
    np.testing.assert_allclose(result.per_output[0], phi, rtol=0, atol=1e-10)


def test_the_meta_estimator_ranks_by_sage(regression):
    X, y, _, _ = regression
    model = ImportanceRegressor(
        MLPRegressor(hidden_layer_sizes=(7,), max_iter=300, random_state=0),
        method=Sage(background=8, random_state=0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert model.feature_importances_.shape == (4,)
    assert model.importances_.method == "sage"


def test_errors_name_the_parameter(regression):
    X, y, mlp, B = regression
    with pytest.raises(ValueError, match="loss='log_loss'.*regressor"):
        feature_importances(mlp, X, y, method=Sage(loss="log_loss"))
    with pytest.raises(ValueError, match="background must be"):
        feature_importances(mlp, X, y, method=Sage(background=np.zeros((3, 2))))
    with pytest.raises(InvalidParameterError, match="'threshold' parameter"):
        feature_importances(mlp, X, y, method=Sage(threshold=1.5))
    with pytest.raises(InvalidParameterError, match="'n_permutations' parameter"):
        feature_importances(mlp, X, y, method=Sage(n_permutations=0))
    with pytest.raises(ValueError, match="targets"):
        feature_importances(mlp, X, method=Sage())
    wide = np.random.default_rng(5).normal(size=(20, 17))
    mlp17 = _fit(MLPRegressor(hidden_layer_sizes=(3,), max_iter=20, random_state=0),
                 wide, wide[:, 0])
    with pytest.raises(ValueError, match="algorithm='exact' is limited to 16"):
        feature_importances(mlp17, wide, wide[:, 0], method=Sage(algorithm="exact"))
    clf = _fit(MLPClassifier(hidden_layer_sizes=(3,), max_iter=50, random_state=0),
               X, np.where(y > 0, "a", "b"))
    with pytest.raises(ValueError, match="labels the classifier was not fitted on"):
        feature_importances(clf, X, np.where(y > 0, "a", "c"), method=Sage())

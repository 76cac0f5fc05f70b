"""evaluate_methods (ROAR / KAR) and plot_faithfulness."""

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.compose import make_column_transformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_wine
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LinearRegression
from sklearn.metrics import r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skimportance import Faithfulness, ImportanceRegressor, Importances, evaluate_methods
from skimportance.methods import ImportanceMethod

TRUE = np.array([3.0, 2.0, 1.0, 0.0, 0.0, 0.0])


def truth(estimator, X, y):
    return TRUE


def reversed_truth(estimator, X, y):
    return TRUE[::-1] + np.arange(6) * 1e-3  # the null inputs first, then x2, x1, x0


@pytest.fixture(scope="module")
def data():
    # y = 3 x0 + 2 x1 + x2 + noise; x3..x5 are null inputs.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(150, 6))
    y = X @ TRUE + 0.3 * rng.normal(size=150)
    return X, y


def mlp(random_state=0, cls=MLPRegressor):
    return cls(hidden_layer_sizes=(5,), solver="lbfgs", max_iter=1000,
               random_state=random_state)


def _index(result, name):
    return result.methods.index(name)


@pytest.fixture(scope="module")
def roar(data):
    X, y = data
    return evaluate_methods(mlp(), X, y, methods={"truth": truth, "reversed": reversed_truth,
                                                  "olden": "olden"},
                            cv=3, fractions=(0.2, 0.5, 0.8), random_state=0)


def test_true_importances_beat_random_and_reversed(roar):
    f = dict(zip(roar.methods, roar.faithfulness))
    assert roar.methods == ["truth", "reversed", "olden", "random"]
    assert f["random"] == 0.0
    # The gaps are large on this problem (R² falls from 0.99 to ~0 without x0):
    # measured truth +0.49, reversed -0.56 with these seeds.
    assert f["truth"] > 0.2
    assert f["reversed"] < -0.2
    assert f["truth"] == max(f.values())
    assert roar.ranking()[0] == "truth" and roar.ranking()[-1] == "reversed"
    # Removing the top inputs first must hurt more than removing the bottom first,
    # at every k and in every fold.
    assert np.all(roar.scores[0] < roar.scores[1])


def test_keep_true_inputs_scores_higher_than_random(data):
    X, y = data
    kar = evaluate_methods(mlp(), X, y, methods={"truth": truth, "reversed": reversed_truth},
                           cv=3, strategy="keep", fractions=(0.2, 0.5), random_state=0)
    f = dict(zip(kar.methods, kar.faithfulness))
    assert kar.strategy == "keep"
    assert f["truth"] > 0.2 and f["reversed"] < -0.2
    # Keeping x0, x1, x2 explains nearly everything: the retrained model's R² is that
    # of the full model.
    j = list(kar.k).index(3)
    np.testing.assert_allclose(kar.scores[0, j], kar.full_scores, atol=0.02)
    assert np.all(kar.scores[0] > kar.scores[1])


def test_faithfulness_is_the_mean_gap_to_random(roar):
    random = roar.scores[-1]
    for m in range(len(roar.methods)):
        per_fold = (random - roar.scores[m]).mean(axis=0)  # over k
        np.testing.assert_allclose(roar.faithfulness_folds[m], per_fold, atol=1e-12)
        np.testing.assert_allclose(roar.faithfulness[m], per_fold.mean(), atol=1e-12)
        np.testing.assert_allclose(roar.faithfulness_std[m], per_fold.std(), atol=1e-12)


def test_scores_are_those_of_refits_without_the_columns():
    """Cold refits of a linear model: every score is sklearn's R² of LinearRegression
    fitted on the training rows without the removed (or outside the kept) columns."""
    rng = np.random.RandomState(1)
    X = rng.normal(size=(60, 5))
    y = X @ np.array([4.0, -2.0, 1.0, 0.5, 0.0]) + rng.normal(size=60)
    splits = list(KFold(3).split(X))
    for strategy in ("remove", "keep"):
        result = evaluate_methods(LinearRegression(), X, y, methods={"truth": truth5},
                                  cv=3, strategy=strategy, fractions=(0.2, 0.6),
                                  random_state=0)
        assert result.k.tolist() == [1, 3]
        for m in range(2):
            for f, (train, test) in enumerate(splits):
                order = result.orderings[m, f]
                for j, k in enumerate(result.k):
                    kept = np.sort(order[k:] if strategy == "remove" else order[:k])
                    model = LinearRegression().fit(X[train][:, kept], y[train])
                    expected = r2_score(y[test], model.predict(X[test][:, kept]))
                    assert result.scores[m, j, f] == pytest.approx(expected, abs=1e-10)
        for f, (train, test) in enumerate(splits):
            full = LinearRegression().fit(X[train], y[train])
            assert result.full_scores[f] == pytest.approx(
                r2_score(y[test], full.predict(X[test])), abs=1e-10)
        np.testing.assert_array_equal(result.orderings[0], np.tile([0, 1, 2, 3, 4], (3, 1)))
    # With several random orderings the baseline is the mean of their refits' scores.
    result = evaluate_methods(LinearRegression(), X, y, methods={"truth": truth5}, cv=3,
                              fractions=[0.4], n_random=3, random_state=0)
    assert result.random_orderings.shape == (3, 3, 5)
    np.testing.assert_array_equal(result.orderings[-1], result.random_orderings[:, 0])
    for f, (train, test) in enumerate(splits):
        expected = []
        for order in result.random_orderings[f]:
            kept = np.sort(order[2:])
            model = LinearRegression().fit(X[train][:, kept], y[train])
            expected.append(r2_score(y[test], model.predict(X[test][:, kept])))
        assert len({tuple(o) for o in result.random_orderings[f]}) > 1
        assert result.scores[-1, 0, f] == pytest.approx(np.mean(expected), abs=1e-10)


def truth5(estimator, X, y):
    return [4.0, 2.0, 1.0, 0.5, 0.0]


def test_random_rankings_are_permutations_and_ties_follow_them(data):
    X, y = data
    result = evaluate_methods(LinearRegression(), X, y,
                              methods={"flat": lambda est, X, y: np.ones(6)},
                              cv=4, fractions=[0.5], random_state=3)
    for f in range(4):
        assert sorted(result.orderings[-1, f]) == list(range(6))
    assert len({tuple(o) for o in result.orderings[-1]}) > 1  # drawn per fold
    # A method that cannot tell the inputs apart is ranked as random: its gap is 0.
    np.testing.assert_array_equal(result.orderings[0], result.orderings[-1])
    assert result.faithfulness[0] == 0.0


_SEEN = {"method": [], "fit": []}


def recording_truth(estimator, X, y):
    _SEEN["method"].append((np.asarray(X).copy(), np.asarray(y).copy()))
    return TRUE


class RecordingMLP(MLPRegressor):
    def fit(self, X, y):
        warm = bool(self.warm_start) and hasattr(self, "coefs_")
        _SEEN["fit"].append((np.asarray(y).copy(), warm))
        return super().fit(X, y)


def test_no_leakage_of_the_held_out_fold(data):
    X, y = data
    assert len(np.unique(y)) == len(y)  # each row is known by its target
    _SEEN["method"].clear()
    _SEEN["fit"].clear()
    est = RecordingMLP(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=300,
                       random_state=0)
    result = evaluate_methods(est, X, y, methods={"rec": recording_truth}, cv=3,
                              fractions=(0.2, 0.5), random_state=0)
    splits = list(KFold(3).split(X))
    # The method ran once per fold, on exactly that fold's training rows.
    assert len(_SEEN["method"]) == 3
    for (X_seen, y_seen), (train, test) in zip(_SEEN["method"], splits):
        np.testing.assert_array_equal(X_seen, X[train])
        np.testing.assert_array_equal(y_seen, y[train])
        assert not np.isin(y_seen, y[test]).any()
    # Every fit (the fold's model, every refit) trained on one fold's training rows.
    train_sets = [set(y[train]) for train, _ in splits]
    n_refits = len({(f, tuple(np.sort(o[:k]))) for m in range(2) for f, o in
                    enumerate(result.orderings[m]) for k in result.k})
    assert len(_SEEN["fit"]) == 3 + n_refits
    for y_fit, _ in _SEEN["fit"]:
        assert set(y_fit) in train_sets
    # The refits are warm-started from the fold's network; the fold's own fit is not.
    assert [warm for _, warm in _SEEN["fit"]].count(True) == n_refits


def test_shapes_fractions_and_frame(roar, data):
    X, _ = data
    assert isinstance(roar, Faithfulness)
    n_methods, n_k, n_folds = len(roar.methods), 3, 3
    assert roar.scores.shape == (n_methods, n_k, n_folds)
    assert roar.full_scores.shape == (n_folds,)
    assert roar.orderings.shape == (n_methods, n_folds, 6)
    assert roar.faithfulness.shape == roar.faithfulness_std.shape == (n_methods,)
    assert roar.k.tolist() == [1, 3, 5]  # 0.2*6 -> 1, 0.5*6 -> 3, 0.8*6 -> 5
    np.testing.assert_allclose(roar.fractions, [1 / 6, 0.5, 5 / 6])
    assert roar.n_features == 6 and roar.feature_names.tolist() == [f"x{i}" for i in range(6)]
    frame = roar.to_frame()
    assert frame.columns.tolist() == ["method", "fraction", "k", "fold", "score"]
    assert len(frame) == n_methods * n_k * n_folds
    row = frame[(frame.method == "olden") & (frame.k == 3) & (frame.fold == 2)]
    assert row.score.item() == roar.scores[2, 1, 2]
    assert row.fraction.item() == 0.5
    text = repr(roar)
    assert text.startswith("Faithfulness(strategy='remove'") and "truth=+" in text
    assert text.index("truth") < text.index("random") < text.index("reversed")


@pytest.mark.parametrize("fractions, k", [
    ((0.1, 0.15, 0.5), [1, 3]),      # 0.6 and 0.9 both give 1 input: merged
    ([0.99], [5]),                   # at most n_features - 1
    (0.01, [1]),                     # at least 1
    ([0.25, 0.75], [2, 5]),          # 1.5 -> 2 and 4.5 -> 5: halves round up
])
def test_fractions_to_k(data, fractions, k):
    X, y = data
    result = evaluate_methods(LinearRegression(), X[:40], y[:40], methods={"t": truth},
                              cv=2, fractions=fractions, random_state=0)
    assert result.k.tolist() == k


def test_reproducible_and_independent_of_n_jobs(data):
    X, y = data
    est = mlp(random_state=None)  # seeded from random_state, as the meta-estimators do
    params = est.get_params()
    X, y = X[:80], y[:80]
    kwargs = dict(methods=["olden", "permutation"], cv=2, fractions=(0.3, 0.6),
                  random_state=7)
    one = evaluate_methods(est, X, y, **kwargs)
    again = evaluate_methods(est, X, y, **kwargs)
    parallel = evaluate_methods(est, X, y, n_jobs=2, **kwargs)
    for other in (again, parallel):
        np.testing.assert_array_equal(other.orderings, one.orderings)
        np.testing.assert_allclose(other.scores, one.scores, atol=1e-8)
        np.testing.assert_allclose(other.full_scores, one.full_scores, atol=1e-8)
    assert est.get_params() == params and not hasattr(est, "coefs_")  # left untouched
    different = evaluate_methods(est, X, y, **{**kwargs, "random_state": 8})
    assert not np.array_equal(different.orderings[-1], one.orderings[-1])


def test_errors_name_the_parameter(data):
    X, y = data
    lr = LinearRegression()
    with pytest.raises(ValueError, match="strategy"):
        evaluate_methods(lr, X, y, methods=[truth], strategy="drop")
    with pytest.raises(ValueError, match="fractions"):
        evaluate_methods(lr, X, y, methods=[truth], fractions=[0.0, 0.5])
    with pytest.raises(ValueError, match="fractions"):
        evaluate_methods(lr, X, y, methods=[truth], fractions=[1.5])
    with pytest.raises(ValueError, match="fractions"):
        evaluate_methods(lr, X, y, methods=[truth], fractions=[])
    with pytest.raises(ValueError, match="fractions"):
        evaluate_methods(lr, X, y, methods=[truth], fractions="half")
    with pytest.raises(ValueError, match="methods is empty"):
        evaluate_methods(lr, X, y, methods=[])
    with pytest.raises(ValueError, match="Unknown method 'oldn'"):
        evaluate_methods(lr, X, y, methods=["oldn"])
    with pytest.raises(ValueError, match="'random'"):
        evaluate_methods(lr, X, y, methods={"random": truth})
    with pytest.raises(ValueError, match="several entries named '<lambda>'"):
        evaluate_methods(lr, X, y, methods=[lambda e, X, y: TRUE, lambda e, X, y: TRUE])
    with pytest.raises(ValueError, match="methods"):
        evaluate_methods(lr, X, y, methods=3)
    with pytest.raises(ValueError, match="scoring='r3'"):
        evaluate_methods(lr, X, y, methods=[truth], scoring="r3")
    with pytest.raises(ValueError, match="n_random"):
        evaluate_methods(lr, X, y, methods=[truth], n_random=0)
    with pytest.raises(ValueError, match="n_features=1"):
        evaluate_methods(lr, X[:, :1], y, methods=[truth])
    with pytest.raises(ValueError, match="FrozenEstimator"):
        evaluate_methods(FrozenEstimator(lr.fit(X, y)), X, y, methods=[truth])
    with pytest.raises(TypeError, match="reads the weights"):
        evaluate_methods(lr, X, y, methods=["olden"])


def test_default_methods(data):
    X, y = data
    result = evaluate_methods(LinearRegression(), X[:60], y[:60], cv=2, fractions=[0.5],
                              random_state=0)
    assert result.methods == ["permutation", "ablation", "random"]
    result = evaluate_methods(mlp(), X[:60], y[:60], cv=2, fractions=[0.5], random_state=0)
    assert result.methods == ["olden", "garson", "gradient", "permutation", "random"]


def test_pipeline_with_a_scaler(data):
    X, y = data
    pipe = make_pipeline(StandardScaler(), mlp())
    result = evaluate_methods(pipe, X * [1, 10, 100, 1, 1, 1], y,
                              methods={"truth": truth, "gradient": "gradient"},
                              cv=3, fractions=(0.2, 0.5), random_state=0)
    f = dict(zip(result.methods, result.faithfulness))
    assert f["truth"] > 0.2 and f["gradient"] > 0.2  # gradient finds the true order too
    assert result.full_scores.min() > 0.95


def test_pipeline_that_selects_columns_holds_them_constant():
    """A ColumnTransformer needs every column: the removed ones are held at their
    training median, and the scores are those of a linear model refitted so."""
    import pandas as pd

    rng = np.random.RandomState(2)
    X = pd.DataFrame(rng.normal(size=(60, 4)), columns=list("abcd"))
    y = 3 * X["a"] - X["b"] + 0.5 * rng.normal(size=60)
    pipe = make_pipeline(make_column_transformer((StandardScaler(), list("abcd"))),
                         LinearRegression())
    result = evaluate_methods(pipe, X, y, methods={"t": lambda e, X, y: [2, 1, 0, 0]},
                              cv=2, fractions=[0.25, 0.5], random_state=0)
    assert result.feature_names.tolist() == list("abcd")
    for f, (train, test) in enumerate(KFold(2).split(X)):
        for m in range(2):
            for j, k in enumerate(result.k):
                removed = result.orderings[m, f][:k]
                X_train, X_test = X.iloc[train].copy(), X.iloc[test].copy()
                for col in X.columns[removed]:
                    X_test[col] = X_train[col] = X_train[col].median()
                model = clone(pipe).fit(X_train, y.iloc[train])
                expected = r2_score(y.iloc[test], model.predict(X_test))
                assert result.scores[m, j, f] == pytest.approx(expected, abs=1e-10)
    assert result.faithfulness[0] > 0.3


class _ScaleRecorder(ImportanceMethod):
    """Records the ``scale`` it is given; ranks the inputs as TRUE does."""

    name = "scale_recorder"
    needs_network = False
    seen = []

    def _compute(self, inputs):
        type(self).seen.append(inputs.scale)
        return Importances(TRUE[None], method=self.name)


def test_meta_estimator_gives_its_estimator_scale_and_method(data):
    X, y = data
    meta = ImportanceRegressor(mlp(), method="weights", scale=False)
    _ScaleRecorder.seen.clear()
    result = evaluate_methods(meta, X[:90], y[:90], cv=2, fractions=[0.5], random_state=0)
    assert result.methods == ["weights", "olden", "garson", "gradient", "permutation",
                              "random"]
    result = evaluate_methods(meta, X[:90], y[:90], methods=[_ScaleRecorder()], cv=2,
                              fractions=[0.5], random_state=0)
    assert _ScaleRecorder.seen == [False, False]
    assert result.full_scores.min() > 0.9  # the meta-estimator's MLP, refitted per fold
    assert not hasattr(meta, "estimator_")  # the caller's meta-estimator stays unfitted


def test_binary_classification():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5))
    y = np.where(2 * X[:, 0] + X[:, 1] + 0.3 * rng.normal(size=200) > 0, "yes", "no")
    clf = mlp(cls=MLPClassifier)
    result = evaluate_methods(clf, X, y, methods={"truth": lambda e, X, y: [2, 1, 0, 0, 0],
                                                  "olden": "olden"},
                              cv=3, fractions=(0.2, 0.4), scoring="neg_log_loss",
                              random_state=0)
    f = dict(zip(result.methods, result.faithfulness))
    assert result.scoring == "neg_log_loss"
    assert f["truth"] > 0.3 and f["olden"] > 0.3
    # Stratified folds for a classifier: the full model's score is that of the folds
    # of StratifiedKFold(3).
    train, test = next(StratifiedKFold(3).split(X, y))
    full = clone(clf).fit(X[train], y[train])
    from sklearn.metrics import log_loss

    expected = -log_loss(y[test], full.predict_proba(X[test]), labels=full.classes_)
    assert result.full_scores[0] == pytest.approx(expected, abs=1e-8)


@pytest.mark.parametrize("load", [load_diabetes, load_breast_cancer, load_wine])
def test_built_in_data_sets(load):
    X, y = load(return_X_y=True)
    rows = np.random.RandomState(0).permutation(len(y))[:200]
    X, y = X[rows], y[rows]
    regression = load is load_diabetes
    if regression:
        y = (y - y.mean()) / y.std()
    net = (MLPRegressor if regression else MLPClassifier)(
        hidden_layer_sizes=(5,), alpha=1.0, solver="lbfgs", max_iter=300, random_state=0)
    result = evaluate_methods(make_pipeline(StandardScaler(), net), X, y,
                              methods=["olden", "permutation"], cv=2,
                              fractions=(0.3, 0.6), random_state=0)
    assert np.isfinite(result.scores).all()
    # Measured: the score-based method is ahead of chance on all three.
    assert result.faithfulness[1] > 0


def test_plot_draws_one_line_per_method_and_the_baseline(roar):
    pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    from skimportance.plotting import plot_faithfulness

    ax = plot_faithfulness(roar)
    labels = [line.get_label() for line in ax.lines]
    names = [label.split(" ")[0] for label in labels]
    assert names == ["truth", "olden", "random", "reversed", "all"]  # most faithful first
    random_line = ax.lines[names.index("random")]
    assert random_line.get_linestyle() == "--"
    np.testing.assert_allclose(random_line.get_ydata(), roar.scores[-1].mean(axis=1))
    np.testing.assert_array_equal(random_line.get_xdata(), roar.k)
    assert f"{roar.faithfulness[0]:+.3g}" in labels[0]
    np.testing.assert_allclose(ax.lines[-1].get_ydata(), roar.full_scores.mean())
    assert len(ax.collections) == 4  # one band per method
    with pytest.raises(TypeError, match="Faithfulness"):
        plot_faithfulness(roar.scores)
    plt.close("all")

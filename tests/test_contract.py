"""The method contract, checked for every registered method (issue 11).

Like imbalanced-learn's common checks (``imblearn/utils/estimator_checks.py``, run from
``tests/test_common.py``) and scikit-learn's ``check_param_validation``: every check
below is generated from :data:`skimportance.methods.METHODS`, and what applies to a
method is decided by the capabilities it declares (``needs_network``, ``needs_y``,
``has_local``, ``random``, ...), read on an instance, never by its name. A new method
gets all of it by registering. The only per-method entries are :data:`FAST`, small
parameters that keep the file fast; a method without an entry runs with its defaults.

Every check applies to every method, in one of two forms: the behaviour, or the
documented refusal where the method declares it does not have it (``return_local``
without ``has_local``, an MLP-only method on a Ridge, ...).
"""

import copy
import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import clone, is_classifier
from sklearn.compose import ColumnTransformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Ridge
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils._param_validation import InvalidParameterError

from skimportance import Importances
from skimportance._dispatch import run_method
from skimportance.network import NotAnMLPError
from skimportance.methods import METHODS, ImportanceMethod

pd = pytest.importorskip("pandas")  # the Pipeline checks use a DataFrame

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

NAMES = sorted(METHODS)

CAPABILITIES = ("needs_network", "needs_X", "needs_y", "needs_training_data", "signed",
                "has_local", "has_units", "has_repeats", "random")

# Small settings, only for speed; applied with set_params where the parameter exists.
FAST = {
    "integrated_gradients": dict(n_steps=8),
    "conductance": dict(n_steps=8),
    "profile": dict(steps=5),
    "permutation": dict(n_repeats=2),
    "drop": dict(max_iter=20),
}

N_ROWS, N_FEATURES = 80, 4
GROUPS = [[0], [1, 2], 3]


def make_method(name, **params):
    """A fresh instance of the registered method ``name`` with its fast settings (those
    it has); methods that draw random numbers are seeded (random_state=0)."""
    method = METHODS[name]()
    own = method.get_params()
    settings = {key: value for key, value in FAST.get(name, {}).items() if key in own}
    if method.random:
        settings["random_state"] = 0  # "controlled by its random_state parameter"
    settings.update(params)
    return method.set_params(**settings)


def compute(method, estimator, X, y=None, **kwargs):
    """The one path every caller takes: validation, ``method.compute``, finiteness."""
    return run_method(method, estimator, X, y, **kwargs)


def scorer_name(method):
    """The name of the one row of a score method's result (its scoring, or "score")."""
    scoring = getattr(method, "scoring", None)
    return scoring if isinstance(scoring, str) else "score"


def assert_same(a, b, path="result"):
    """Every attribute of two results (or dicts, lists, arrays, tables) exactly equal."""
    if isinstance(a, Importances):
        assert isinstance(b, Importances), path
        assert sorted(vars(a)) == sorted(vars(b)), path
        for key in vars(a):
            assert_same(getattr(a, key), getattr(b, key), f"{path}.{key}")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), path
        for key in a:
            assert_same(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), path
        for i, (x, z) in enumerate(zip(a, b)):
            assert_same(x, z, f"{path}[{i}]")
    elif isinstance(a, (pd.DataFrame, pd.Series)):
        assert type(a) is type(b), path
        if isinstance(a, pd.DataFrame):
            pd.testing.assert_frame_equal(a, b, check_exact=True, obj=path)
        else:
            pd.testing.assert_series_equal(a, b, check_exact=True, obj=path)
    elif a is None:
        assert b is None, path
    else:
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=path)


def same_params(a, b):
    return joblib.hash(a.get_params()) == joblib.hash(b.get_params())


# --------------------------------------------------------------------------- data


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


def _mlp(cls):
    return cls(hidden_layer_sizes=(6,), max_iter=200, random_state=0)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N_ROWS, N_FEATURES))
    signal = 2.0 * X[:, 0] + X[:, 1] - 0.5 * X[:, 2] * X[:, 3] + np.sin(X[:, 3])
    y = signal + 0.1 * rng.normal(size=N_ROWS)
    y2 = np.column_stack([y, X[:, 1] - X[:, 2] + 0.1 * rng.normal(size=N_ROWS)])
    y_binary = np.where(signal > np.median(signal), "yes", "no")
    y_multi = np.array(["a", "b", "c"])[np.digitize(signal, np.quantile(signal, [1 / 3, 2 / 3]))]
    # Other training data, on which the target depends on other columns.
    X_other = rng.normal(size=(N_ROWS, N_FEATURES))
    y_other = 3.0 * X_other[:, 3] - X_other[:, 2] + 0.1 * rng.normal(size=N_ROWS)
    return dict(X=X, y=y, y2=y2, y_binary=y_binary, y_multi=y_multi, X_other=X_other,
                y_other=y_other, sample_weight=rng.uniform(0.5, 2.0, size=N_ROWS))


@pytest.fixture(scope="module")
def targets(data):
    """One fitted network per kind of target: (estimator, y, number of output units)."""
    X = data["X"]
    fitted = {
        "regressor": (_fit(_mlp(MLPRegressor), X, data["y"]), data["y"]),
        "two_output_regressor": (_fit(_mlp(MLPRegressor), X, data["y2"]), data["y2"]),
        "binary_classifier": (_fit(_mlp(MLPClassifier), X, data["y_binary"]),
                              data["y_binary"]),
        "multiclass_classifier": (_fit(_mlp(MLPClassifier), X, data["y_multi"]),
                                  data["y_multi"]),
    }
    return {kind: (est, y, est.intercepts_[-1].shape[0]) for kind, (est, y) in fitted.items()}


@pytest.fixture(scope="module")
def mlp(targets):
    return targets["regressor"][0]


@pytest.fixture(scope="module")
def permuted(data):
    """A network, and a copy of it whose first-layer rows are permuted: the copy on
    ``X[:, perm]`` is the same function as the original on X."""
    X, y = data["X"], data["y"]
    original = _fit(MLPRegressor(hidden_layer_sizes=(6,), max_iter=200, random_state=0),
                    X, y)
    perm = np.array([2, 0, 3, 1])
    twin = copy.deepcopy(original)
    twin.coefs_[0] = original.coefs_[0][perm].copy()
    twin.n_features_in_ = original.n_features_in_
    np.testing.assert_allclose(twin.predict(X[:, perm]), original.predict(X), atol=1e-12)
    return original, twin, perm


@pytest.fixture(scope="module")
def encoded(data):
    """Two numeric columns and a text column with 3 categories, as an object array and
    as a DataFrame, each with a Pipeline fitted on it that scales and one-hot encodes."""
    rng = np.random.default_rng(1)
    colours = np.array(["red", "green", "blue"])[rng.integers(0, 3, size=N_ROWS)]
    size, weight = rng.normal(size=N_ROWS), rng.normal(size=N_ROWS)
    effect = np.select([colours == "red", colours == "green"], [2.0, -1.0], 0.0)
    y = size + effect + 0.1 * rng.normal(size=N_ROWS)
    X = np.empty((N_ROWS, 3), dtype=object)
    X[:, 0], X[:, 1], X[:, 2] = size, weight, colours
    frame = pd.DataFrame({"size": size, "weight": weight, "colour": colours})

    def pipeline():
        return make_pipeline(
            ColumnTransformer([("num", StandardScaler(), [0, 1]),
                               ("cat", OneHotEncoder(), [2])]),
            MLPRegressor(hidden_layer_sizes=(6,), max_iter=200, random_state=0))

    return dict(X=X, frame=frame, y=y, on_array=_fit(pipeline(), X, y),
                on_frame=_fit(pipeline(), frame, y))


# ------------------------------------------------------- 9. declared capabilities


def test_every_method_is_registered_under_its_name():
    assert NAMES, "no method is registered"
    for key, cls in METHODS.items():
        assert isinstance(cls, type) and issubclass(cls, ImportanceMethod), key
        method = cls()
        assert isinstance(method.name, str) and method.name, key
        assert method.name == key


@pytest.mark.parametrize("name", NAMES)
def test_capabilities_are_declared_booleans(name):
    method = METHODS[name]()
    for attribute in CAPABILITIES:
        value = getattr(method, attribute)
        assert isinstance(value, bool), f"{name}.{attribute} is {value!r}, not a bool"
    if method.random:  # "controlled by its random_state parameter"
        assert "random_state" in method.get_params()
    if method.needs_training_data:  # it refits, and scores the refits against y
        assert method.needs_X and method.needs_y


@pytest.mark.parametrize("name", NAMES)
def test_methods_for_any_estimator_work_on_a_ridge_and_the_others_say_which_do(name, data):
    X, y = data["X"], data["y"]
    ridge = Ridge().fit(X, y)
    method = make_method(name)
    applicable = [n for n in NAMES if not METHODS[n]().needs_network]
    if method.needs_network:
        assert issubclass(NotAnMLPError, TypeError)
        with pytest.raises(NotAnMLPError) as info:
            compute(method, ridge, X, y)
        for other in applicable:
            assert repr(other) in str(info.value)
        with pytest.raises(NotAnMLPError):  # before fitting: what meta-estimators call
            method.check(Ridge())
    else:
        method.check(Ridge())
        result = compute(method, ridge, X, y)
        assert result.importances_mean.shape == (N_FEATURES,)
        assert np.all(np.isfinite(result.importances_mean))


@pytest.mark.parametrize("name", NAMES)
def test_needs_X_and_needs_y_are_what_the_method_asks_for(name, data, mlp):
    X, y = data["X"], data["y"]
    method = make_method(name)
    if method.needs_X:
        with pytest.raises(ValueError, match="X"):
            compute(method, mlp, None, y, scale=False)
    else:  # raw weights: neither data nor targets
        result = compute(method, mlp, None, None, scale=False)
        assert result.importances_mean.shape == (N_FEATURES,)
    if method.needs_y:
        with pytest.raises(ValueError, match="targets"):
            compute(method, mlp, X, None)
    else:
        result = compute(method, mlp, X, None)
        assert result.importances_mean.shape == (N_FEATURES,)


# ------------------------------------------- 1. clone, params, repr and pickling


@pytest.mark.parametrize("name", NAMES)
def test_clone_params_repr_and_pickle(name, data, mlp):
    for method in (METHODS[name](), make_method(name)):
        cloned = clone(method)
        assert cloned is not method and type(cloned) is type(method)
        assert same_params(cloned, method)
        again = clone(METHODS[name]())
        assert again.set_params(**method.get_params()) is again
        assert same_params(again, method)
        text = repr(method)
        assert isinstance(text, str) and text.startswith(type(method).__name__)
        restored = pickle.loads(pickle.dumps(method))
        assert type(restored) is type(method) and same_params(restored, method)
    assert same_params(clone(METHODS[name]()), type(METHODS[name]())())

    result = compute(make_method(name), mlp, data["X"], data["y"])
    assert_same(pickle.loads(pickle.dumps(result)), result)
    assert isinstance(repr(result), str)


# ------------------------------------------------------- 2. parameter validation


@pytest.mark.parametrize("name", NAMES)
def test_every_parameter_has_a_constraint(name):
    # As scikit-learn's check_param_validation: constraints and parameters match.
    method = METHODS[name]()
    assert set(method._parameter_constraints) == set(method.get_params())


@pytest.mark.parametrize("name", NAMES)
def test_invalid_parameters_are_refused_at_compute_time_by_name(name, data, mlp):
    X, y = data["X"], data["y"]
    constrained = METHODS[name]()._parameter_constraints
    for param in constrained:
        method = make_method(name)
        method.set_params(**{param: object()})  # the constructor only stores: no error
        with pytest.raises(ValueError, match=f"'{param}' parameter") as info:
            compute(method, mlp, X, y)
        assert isinstance(info.value, InvalidParameterError), param


# ------------------------------------------------------------ 3. reproducibility


@pytest.mark.parametrize("name", NAMES)
def test_same_numbers_twice(name, data, mlp):
    X, y = data["X"], data["y"]
    # random methods: with random_state=0 (make_method seeds them), on fresh clones too;
    # the others draw nothing: no seed. (Refits are seeded by the estimator's own
    # random_state, 0 here.)
    method = make_method(name)
    first = compute(method, mlp, X, y)
    assert_same(compute(method, mlp, X, y), first)
    assert_same(compute(clone(method), mlp, X, y), first)


# --------------------------------------------------------- 4. permuting columns


@pytest.mark.parametrize("name", NAMES)
def test_permuting_columns_permutes_importances(name, data, permuted):
    original, twin, perm = permuted
    X, y = data["X"], data["y"]
    method = make_method(name)
    expected = compute(method, original, X, y)
    result = compute(method, twin, X[:, perm], y)
    # Random methods share random_state=0; permutation shuffles the rows the same way
    # for every column, so its draws do not depend on the order of the columns. The
    # twin network computes in another order of summation: rounding only. Refits
    # (needs_training_data) train from the permuted weights with the same seeds.
    np.testing.assert_allclose(result.importances_mean, expected.importances_mean[perm],
                               rtol=0, atol=1e-10)
    np.testing.assert_allclose(result.per_output, expected.per_output[:, perm],
                               rtol=0, atol=1e-10)


# -------------------------------------------------------------------- 5. groups


def _refuses_groups(method, estimator, X, y):
    """Whether the method refuses feature_groups (with an error that names them); there
    is no declared capability for groups, so this is found by attempting."""
    try:
        compute(method, estimator, X, y, feature_groups=GROUPS)
    except ValueError as exc:
        assert "feature_groups" in str(exc), f"refused groups without naming them: {exc}"
        return True
    return False


@pytest.mark.parametrize("name", NAMES)
def test_groups(name, data, mlp):
    X, y = data["X"], data["y"]
    method = make_method(name)
    if _refuses_groups(method, mlp, X, y):
        with pytest.raises(ValueError, match="feature_groups"):
            compute(method, mlp, X, y, feature_groups={"all": [0, 1, 2, 3]})
        with pytest.raises(ValueError, match="feature_groups"):
            compute(method, mlp, X, y, feature_groups=[0, 1, 2, 3])  # even singletons
        return
    grouped = compute(method, mlp, X, y, feature_groups=GROUPS)
    alone = compute(method, mlp, X, y)
    assert grouped.feature_names.tolist() == ["x0", "x1+x2", "x3"]
    assert grouped.importances_mean.shape == (3,)
    assert grouped.per_output.shape == (alone.per_output.shape[0], 3)
    assert np.all(np.isfinite(grouped.importances_mean))
    assert np.all(np.isfinite(grouped.per_output))
    # A group of one column is that column.
    np.testing.assert_allclose(grouped.importances_mean[[0, 2]],
                               alone.importances_mean[[0, 3]], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grouped.per_output[:, [0, 2]], alone.per_output[:, [0, 3]],
                               rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------- 6. per-row values


@pytest.mark.parametrize("name", NAMES)
def test_per_row_values_where_declared(name, data, targets):
    X = data["X"]
    method = make_method(name)
    for kind in ("regressor", "multiclass_classifier"):
        estimator, y, n_outputs = targets[kind]
        if not method.has_local:
            with pytest.raises(ValueError, match="return_local"):
                compute(method, estimator, X, y, return_local=True)
            continue
        result = compute(method, estimator, X, y, return_local=True)
        assert result.local is not None
        assert np.shape(result.local) == (N_ROWS, n_outputs, N_FEATURES)
        assert np.all(np.isfinite(result.local))
        grouped = compute(method, estimator, X, y, return_local=True, feature_groups=GROUPS)
        assert np.shape(grouped.local) == (N_ROWS, n_outputs, len(GROUPS))
        without = compute(method, estimator, X, y)
        assert without.local is None


# ------------------------------------------------------------------- 7. targets


@pytest.mark.parametrize("kind", ["regressor", "two_output_regressor", "binary_classifier",
                                  "multiclass_classifier"])
@pytest.mark.parametrize("name", NAMES)
def test_every_kind_of_target(name, kind, data, targets):
    X = data["X"]
    estimator, y, n_outputs = targets[kind]
    method = make_method(name)
    result = compute(method, estimator, X, y)
    assert isinstance(result, Importances)
    assert result.importances_mean.shape == (N_FEATURES,)
    assert np.all(np.isfinite(result.importances_mean))
    rows = result.per_output.shape[0]
    assert result.per_output.shape == (rows, N_FEATURES)
    assert np.all(np.isfinite(result.per_output))
    assert len(result.output_names) == rows
    assert result.feature_names.tolist() == [f"x{j}" for j in range(N_FEATURES)]
    if method.needs_y:
        # Scores: one row, named by the scorer, whatever the outputs.
        assert result.output_names.tolist() == [scorer_name(method)]
    else:
        # One row per output unit, or one row overall (methods that do not tell the
        # outputs apart, as the weight magnitude).
        assert rows in (n_outputs, 1)
        if rows == n_outputs and is_classifier(estimator):
            classes = estimator.classes_
            labels = classes if len(classes) == n_outputs else classes[1:]
            assert result.output_names.tolist() == labels.tolist()
        elif rows == n_outputs and n_outputs > 1:
            assert len(set(result.output_names.tolist())) == n_outputs
    # What the method declares it gives, it gives.
    assert (result.neuron_importances is not None) == method.has_units
    if method.has_repeats:
        assert result.importances.ndim == 2 and result.importances.shape[0] == N_FEATURES
        assert result.importances_std is not None
        np.testing.assert_allclose(result.importances_mean,
                                   result.importances.mean(axis=1), rtol=1e-12)
    else:
        assert result.importances is None or np.shape(result.importances)[1] == 1


# ---------------------------------------------------------- 8. encoded Pipeline


@pytest.mark.parametrize("name", NAMES)
def test_encoded_pipeline_one_value_per_column(name, encoded):
    y = encoded["y"]
    method = make_method(name)
    result = compute(method, encoded["on_array"], encoded["X"], y)
    assert result.importances_mean.shape == (3,)
    assert np.all(np.isfinite(result.importances_mean))
    assert result.feature_names.tolist() == ["x0", "x1", "x2"]

    named = compute(method, encoded["on_frame"], encoded["frame"], y)
    assert named.importances_mean.shape == (3,)
    assert np.all(np.isfinite(named.importances_mean))
    assert named.feature_names.tolist() == list(encoded["frame"].columns)


# ------------------------------------------------------------- 10. training data


@pytest.mark.parametrize("name", NAMES)
def test_training_data_is_used_exactly_by_methods_that_refit(name, data, mlp):
    X, y = data["X"], data["y"]
    method = make_method(name)
    on_X = method.compute(mlp, X, y)
    on_other = method.compute(mlp, X, y, X_train=data["X_other"], y_train=data["y_other"])
    via_run = compute(method, mlp, X, y, training=(data["X_other"], data["y_other"], None))
    assert_same(via_run.importances_mean, on_other.importances_mean)
    if method.needs_training_data:
        assert not np.allclose(on_other.importances_mean, on_X.importances_mean)
    else:
        assert_same(on_other, on_X)


# ------------------------------------------------ 11. the caller's objects stay


@pytest.mark.parametrize("name", NAMES)
def test_the_callers_objects_are_not_changed(name, data, mlp, encoded):
    method = make_method(name)
    kwargs = dict(sample_weight=data["sample_weight"], feature_groups=[[0], [1, 2], [3]],
                  return_local=method.has_local,
                  training=(data["X_other"], data["y_other"], None))
    if _refuses_groups(method, mlp, data["X"], data["y"]):
        kwargs["feature_groups"] = None
    objects = [data["X"], data["y"], mlp, method, data["sample_weight"],
               data["X_other"], data["y_other"], kwargs["feature_groups"]]
    before = [joblib.hash(o) for o in objects]
    compute(method, mlp, data["X"], data["y"], **kwargs)
    assert [joblib.hash(o) for o in objects] == before

    objects = [encoded["frame"], encoded["y"], encoded["on_frame"], method]
    before = [joblib.hash(o) for o in objects]
    compute(method, encoded["on_frame"], encoded["frame"], encoded["y"])
    assert [joblib.hash(o) for o in objects] == before

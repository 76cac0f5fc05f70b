"""Bounded memory: peak extra memory (traced by tracemalloc, which sees numpy's arrays)
stays a fixed fraction of X, whatever scikit-learn's working_memory; and column_scale."""

import warnings

import numpy as np
import pytest
import sklearn
from conftest import peak_memory
from sklearn.neural_network import MLPRegressor

from skimportance import feature_importances
from skimportance.methods import Ablation, Gradient, Permutation
from skimportance.network import _rank_one as _fastpath
from skimportance.methods._base import column_scale


@pytest.fixture(scope="module")
def large():
    """X (200000, 40) float64 (64 MB), y, and a small MLP fitted on a subset."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 40))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=len(X))
    mlp = MLPRegressor(hidden_layer_sizes=(16,), max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(X[:2000], y[:2000])
    return X, y, mlp


@pytest.mark.parametrize("working_memory", [None, 4096])
def test_permutation_peak_memory_is_bounded_whatever_working_memory(
        large, kernels, monkeypatch, working_memory):
    X, y, mlp = large
    # The numpy kernels use a 2 MiB tile per thread: fix the threads, as on a small machine.
    monkeypatch.setattr(_fastpath, "_blas_threads", lambda: 2)
    method = Permutation(n_repeats=2, random_state=0)
    feature_importances(mlp, X[:500], y[:500], method=method)  # imports, compiled kernels
    config = {} if working_memory is None else {"working_memory": working_memory}
    with sklearn.config_context(**config):
        peak = peak_memory(lambda: feature_importances(mlp, X, y, method=method))
    # The first-layer pre-activation (16 / 40 of X here), the permutations and one block
    # of columns: 0.7x X; it was 4.5x X with blocks sized by the default working_memory.
    assert peak < 1.0 * X.nbytes


def test_gradient_and_column_scale_peak_memory_is_well_below_X(large):
    X, _, mlp = large
    feature_importances(mlp, X[:500], method=Gradient())
    weights = np.ones(len(X))
    assert peak_memory(lambda: column_scale(X)) < 0.1 * X.nbytes
    assert peak_memory(lambda: column_scale(X, weights)) < 0.1 * X.nbytes
    for aggregate in ("mean_abs", "std"):
        peak = peak_memory(
            lambda: feature_importances(mlp, X, method=Gradient(aggregate=aggregate)))
        assert peak < 0.25 * X.nbytes  # 0.12x: chunks of rows, and sigma in chunks


def test_column_scale_equals_numpy_std():
    rng = np.random.default_rng(1)
    # Offsets and spreads over many orders of magnitude; enough rows for several chunks.
    X = rng.normal(size=(70_000, 6)) * [1e-3, 1, 1e3, 1, 5, 1e8] + [0, 1e3, -7, 0, 1, 3e8]
    X[:, 3] = 2.5  # constant: sigma exactly 0
    sigma = column_scale(X)
    np.testing.assert_allclose(sigma, X.std(axis=0), rtol=1e-12, atol=0)
    assert sigma[3] == 0.0

    w = rng.uniform(0, 3, size=len(X))
    p = w / w.sum()
    mean = p @ X
    by_hand = np.sqrt(p @ (X - mean) ** 2)
    by_hand[3] = 0.0
    np.testing.assert_allclose(column_scale(X, w), by_hand, rtol=1e-12, atol=0)
    assert column_scale(X, w)[3] == 0.0


@pytest.mark.parametrize("magnitude", [1e200, 1e300, 1e-200])
def test_column_scale_of_huge_or_tiny_values_is_finite(magnitude):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(1000, 3))
    X[:, 1] *= magnitude  # its square overflows (or underflows) in float64
    sigma = column_scale(X)
    assert np.isfinite(sigma).all()
    np.testing.assert_allclose(sigma[1], (X[:, 1] / magnitude).std() * magnitude,
                               rtol=1e-12)
    np.testing.assert_allclose(sigma[[0, 2]], X[:, [0, 2]].std(axis=0), rtol=1e-12)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_column_scale_rejects_non_finite_values(bad):
    X = np.ones((50, 4))
    X[:, 0] = np.arange(50)
    X[7, 2] = bad
    with pytest.raises(ValueError, match=r"X contains NaN or infinite.*column 2.*finite"):
        column_scale(X)


def test_column_scale_of_the_largest_floats_is_finite():
    X = np.array([[-1.7e308, 0.0], [1.7e308, 1.0]])  # a spread beyond the float range
    np.testing.assert_allclose(column_scale(X), [1.7e308, 0.5], rtol=1e-15)


def test_column_scale_rejects_a_non_finite_sigma():
    X = np.arange(6.0).reshape(3, 2)
    # Finite data, but weights that callers should have rejected: never a silent NaN.
    with pytest.raises(ValueError, match="column 0 of X is not finite"):
        column_scale(X, np.array([np.nan, 1.0, 1.0]))


@pytest.mark.parametrize("missing", [False, True])
def test_ablation_peak_memory_is_bounded(large, monkeypatch, missing):
    X, y, mlp = large
    monkeypatch.setattr(_fastpath, "_blas_threads", lambda: 2)
    # With NaN (a Pipeline's imputer would fill them) the constants skip missing values
    # one column at a time; a Pipeline then takes the exact path, so the bare network is
    # scored on the complete X here and only the constants see the NaN.
    method = Ablation()
    constants_X = X.copy() if missing else X
    if missing:
        constants_X[::7, 3] = np.nan
    feature_importances(mlp, X[:500], y[:500], method=method)
    peak = peak_memory(lambda: method._constants(constants_X))
    assert peak < 0.1 * X.nbytes  # a column or two at a time, never a copy of X
    if not missing:
        peak = peak_memory(lambda: feature_importances(mlp, X, y, method=method))
        # The first-layer pre-activation (16 / 40 of X) and one block of columns: 0.55x X.
        assert peak < 0.8 * X.nbytes

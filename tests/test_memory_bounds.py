"""The extra memory each method's docstring states (issue 10), measured by tracemalloc
(which sees numpy's arrays): weights, path, profile and drop-and-retrain methods.

Every bound is below the size of X, or of what a method must return, by enough that a
full copy of X fails it (for drop-and-retrain: a copy on top of what its refits hold).
"""

import warnings

import numpy as np
import pytest
import sklearn
from conftest import peak_memory
from sklearn.neural_network import MLPRegressor

from skimportance import feature_importances
from skimportance.methods import (
    Conductance, ConnectionWeight, DropRetrain, Garson, IntegratedGradients, LekProfile,
    WeightMagnitude,
)


def _fitted(n_rows, n_features, hidden, max_iter, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, n_features))
    y = X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=n_rows)
    mlp = MLPRegressor(hidden_layer_sizes=hidden, max_iter=max_iter, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(X[:2000], y[:2000])
    return X, y, mlp


@pytest.fixture(scope="module")
def large():
    """X (100000, 20) float64 (16 MB), y, and a small MLP fitted on a subset."""
    return _fitted(100_000, 20, (16,), 30)


def _peak(mlp, X, y, method, working_memory=None, **kwargs):
    feature_importances(mlp, X[:500], y[:500], method=method, **kwargs)  # warm-up
    config = {} if working_memory is None else {"working_memory": working_memory}
    with sklearn.config_context(**config):
        return peak_memory(lambda: feature_importances(mlp, X, y, method=method, **kwargs))


@pytest.mark.parametrize("method", [WeightMagnitude(), Garson(), ConnectionWeight()],
                         ids=lambda m: type(m).__name__)
def test_weight_methods_hold_one_chunk_for_the_input_scale(large, method):
    X, y, mlp = large
    # Measured 0.14x X (2.2 MB): column_scale's chunk of about 2 MiB; the weights are tiny.
    assert _peak(mlp, X, y, method) < 0.25 * X.nbytes


@pytest.mark.parametrize("method", [IntegratedGradients(n_steps=16),
                                    Conductance(layer="all", n_steps=16)],
                         ids=lambda m: type(m).__name__)
def test_path_methods_hold_chunks_of_path_points_and_per_row_outputs(large, method):
    X, y, mlp = large
    n, k = X.shape[0], 1
    # Small chunks of path points (working_memory 4 MiB), so that a copy of X would show:
    # measured 0.23x X (the n x k convergence_delta and one chunk of about 3 MB).
    assert _peak(mlp, X, y, method, working_memory=4) < 0.5 * X.nbytes
    # With the default chunks (at most 32 MiB of path points): measured 1.05x X, 16.8 MB,
    # whatever the number of rows; the bound is the 32 MiB plus the per-row outputs.
    assert _peak(mlp, X, y, method) < 32 * 2**20 + 4 * 8 * n * k


def test_integrated_gradients_local_values_are_all_it_adds(large):
    X, y, mlp = large
    local = 8 * X.shape[0] * 1 * X.shape[1]  # (n_samples, n_outputs, n_features)
    peak = _peak(mlp, X, y, IntegratedGradients(n_steps=16), working_memory=4,
                 return_local=True)
    assert peak < local + 0.5 * X.nbytes  # measured local + 0.23x X


@pytest.mark.parametrize("method", [LekProfile(), LekProfile(steps=20, group_vals=[0.1, 0.5])],
                         ids=["quantiles", "few quantiles"])
def test_lek_profile_holds_its_responses_and_one_column(large, method):
    X, y, mlp = large
    # Measured 0.21x X: copies of one column for its quantiles (np.quantile(X, axis=0)
    # sorted a copy of X: 1.05x), the responses and the profile table (12000 rows).
    assert _peak(mlp, X, y, method) < 0.5 * X.nbytes


def test_drop_retrain_holds_two_reduced_copies_and_the_refit_activations():
    n, p, h = 10_000, 10, 4
    X, y, mlp = _fitted(n, p, (h,), 5)
    peak = _peak(mlp, X, y, DropRetrain(max_iter=2))
    # One refit at a time: X_train and X without the dropped column, the refit's hidden
    # activations on the scored rows (n x h), and a few n-vectors (y, predictions, the
    # score's terms): measured 2.0 MB, 2.55x X, of which 3.5 n-vectors are the last.
    # Up to 8 n-vectors allowed; one more copy of X (0.8 MB) fails it.
    held = 2 * X.nbytes * (p - 1) / p + 8 * n * h
    assert peak < held + 8 * 8 * n

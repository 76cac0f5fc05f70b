"""Mergeable column moments, column_scale on threads, and gradients on threads."""

import numpy as np
import pytest
from sklearn.neural_network import MLPClassifier

from skimportance._moments import ColumnMoments
from skimportance.methods._base import column_scale
from skimportance.network import unwrap_network


def merged(X, cuts, weights=None):
    parts = np.split(np.arange(len(X)), cuts)
    total = None
    for rows in parts:
        w = None if weights is None else weights[rows]
        m = ColumnMoments.of(X[rows], w)
        total = m if total is None else total.merge(m)
    return total


@pytest.mark.parametrize("cuts", [[1], [7, 8, 500], [999]])
def test_merged_moments_equal_numpy_in_any_grouping(cuts):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 4)) * [1e-3, 1, 1e3, 1e8] + [0, 1e3, -7, 3e8]
    np.testing.assert_allclose(merged(X, cuts).std(), X.std(axis=0), rtol=1e-12, atol=0)
    w = rng.uniform(0, 3, size=len(X))
    p = w / w.sum()
    by_hand = np.sqrt(p @ (X - p @ X) ** 2)
    np.testing.assert_allclose(merged(X, cuts, w).std(), by_hand, rtol=1e-12, atol=0)


def test_chunks_of_very_different_magnitudes_merge_without_overflow():
    # One chunk near 1e200, the other near 1: squares of the first overflow float64,
    # and the two chunks are scaled by different powers of two before they merge.
    x = np.concatenate([np.linspace(-1, 1, 50) * 1e200, np.linspace(-1, 1, 50)])[:, None]
    sigma = merged(x, [50]).std()
    expected = (x[:, 0] / 1e200).std() * 1e200
    np.testing.assert_allclose(sigma, [expected], rtol=1e-12)


def test_zero_weight_chunks_and_constant_columns():
    X = np.column_stack([np.arange(10.0), np.full(10, 3.3)])
    w = np.array([0.0] * 5 + [1.0] * 5)
    sigma = merged(X, [5], w).std()
    np.testing.assert_allclose(sigma[0], X[5:, 0].std(), rtol=1e-12)
    assert sigma[1] == 0.0  # exactly, not a rounding error


def test_a_non_finite_chunk_is_carried_to_the_result():
    X = np.ones((6, 2))
    X[4, 1] = np.nan
    total = merged(X, [3])
    assert np.isnan(total.hi[1]) and np.isfinite(total.hi[0])
    with pytest.raises(ValueError, match="NaN or infinite values \\(column 1\\)"):
        column_scale(X)


def test_column_scale_does_not_depend_on_the_chunks(monkeypatch):
    import skimportance.methods._base as base

    X = np.random.default_rng(3).normal(size=(5000, 3)) * [1, 1e150, 1e-150]
    whole = X.std(axis=0)
    results = []
    for chunk_bytes in (24 * 100, 24 * 777, 2**20):
        monkeypatch.setattr(base, "_SCALE_CHUNK_BYTES", chunk_bytes)
        results.append(column_scale(X))
    for sigma in results:
        np.testing.assert_allclose(sigma, whole, rtol=1e-12, atol=0)


@pytest.mark.parametrize("n_jobs", [1, 2, 3])
def test_threaded_gradient_batches_equal_one_pass_and_finite_differences(n_jobs):
    rng = np.random.default_rng(4)
    X = rng.normal(size=(3000, 6))
    y = rng.integers(0, 3, size=3000)
    mlp = MLPClassifier(hidden_layer_sizes=(9, 5), max_iter=20, random_state=0).fit(X, y)
    net = unwrap_network(mlp)
    import skimportance.network._core as core

    old = core.GRADIENT_CHUNK_BYTES
    core.GRADIENT_CHUNK_BYTES = 20_000  # many chunks
    try:
        batches = list(net.gradient_batches(X, n_jobs=n_jobs))
    finally:
        core.GRADIENT_CHUNK_BYTES = old
    assert len(batches) > 10
    assert [rows.start for rows, _ in batches] == sorted(rows.start for rows, _ in batches)
    stacked = np.concatenate([J for _, J in batches])
    # The same rows, in order; each row's Jacobian does not depend on its chunk's size.
    np.testing.assert_allclose(stacked, net.input_gradients(X), rtol=1e-13, atol=1e-15)
    # Against central finite differences of the probabilities.
    h = 1e-6
    for i in range(X.shape[1]):
        step = np.zeros(X.shape[1])
        step[i] = h
        fd = (mlp.predict_proba(X[:50] + step) - mlp.predict_proba(X[:50] - step)) / (2 * h)
        np.testing.assert_allclose(stacked[:50, :, i], fd, atol=1e-7)

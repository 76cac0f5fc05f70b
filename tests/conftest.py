"""Shared helpers: scikit-learn MLPs with weights set by hand; plotting set-up."""

import os
import sys
import tracemalloc

# scikit-learn's estimator checks include check_array_api_input, which is skipped unless
# scipy runs in array-API mode; that must be set before scipy is first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

os.environ.setdefault("MPLBACKEND", "Agg")  # the plot tests draw to files, headless
PNG = b"\x89PNG\r\n\x1a\n"  # the first bytes of every PNG file


@pytest.fixture(autouse=True)
def close_figures():
    """Close what a test drew, so that figures do not pile up over the suite."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def make_mlp(coefs, intercepts=None, activation="relu", out_activation="identity"):
    """A fitted scikit-learn MLP whose layers are exactly ``coefs`` and ``intercepts``.

    The kind of MLP follows the output activation: identity -> MLPRegressor,
    exp -> MLPRegressor(loss="poisson"), logistic -> binary (or multilabel)
    MLPClassifier, softmax -> multiclass MLPClassifier.
    """
    coefs = [np.asarray(W, dtype=float) for W in coefs]
    if intercepts is None:
        intercepts = [np.zeros(W.shape[1]) for W in coefs]
    intercepts = [np.asarray(b, dtype=float) for b in intercepts]
    p, k = coefs[0].shape[0], coefs[-1].shape[1]
    hidden = tuple(W.shape[1] for W in coefs[:-1])
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, p))
    if out_activation in ("identity", "exp"):
        loss = "poisson" if out_activation == "exp" else "squared_error"
        mlp = MLPRegressor(hidden_layer_sizes=hidden, activation=activation, loss=loss,
                           max_iter=1)
        y = rng.uniform(1, 2, size=(30, k))
        y = y.ravel() if k == 1 else y
    elif out_activation == "softmax":
        mlp = MLPClassifier(hidden_layer_sizes=hidden, activation=activation, max_iter=1)
        y = np.arange(30) % k
    elif k == 1:
        mlp = MLPClassifier(hidden_layer_sizes=hidden, activation=activation, max_iter=1)
        y = np.arange(30) % 2
    else:  # multilabel: one logistic unit per label
        mlp = MLPClassifier(hidden_layer_sizes=hidden, activation=activation, max_iter=1)
        y = (rng.uniform(size=(30, k)) > 0.5).astype(int)
        y[0], y[1] = 1, 0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(X, y)
    assert mlp.out_activation_ == out_activation
    mlp.coefs_, mlp.intercepts_ = coefs, intercepts
    return mlp


def random_mlp(layers, activation="tanh", out_activation="identity", seed=0):
    """make_mlp with normal random weights; ``layers`` = (p, h1, ..., k)."""
    rng = np.random.default_rng(seed)
    coefs = [rng.normal(size=(a, b)) for a, b in zip(layers[:-1], layers[1:])]
    intercepts = [rng.normal(size=b) for b in layers[1:]]
    return make_mlp(coefs, intercepts, activation, out_activation)


@pytest.fixture(params=["numba", "numpy"])
def kernels(request, monkeypatch):
    """Run a test once with the compiled kernels and once with numpy alone."""
    from skimportance.network import _kernels

    if request.param == "numba" and not _kernels.HAVE_NUMBA:
        pytest.skip("numba is not installed (it is part of the test extra)")
    monkeypatch.setattr(_kernels, "HAVE_NUMBA", request.param == "numba")
    return request.param


@pytest.fixture
def rng():
    return np.random.default_rng(42)


def peak_memory(func):
    """Peak bytes allocated while func runs, over what was allocated before."""
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

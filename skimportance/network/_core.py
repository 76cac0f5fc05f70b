"""The numpy core: the layers of a fitted MLP, its forward pass and exact input gradients.

Everything here is expressed in the units of the raw input columns: per-feature affine
preprocessing steps of a Pipeline (scalers) are folded into the first layer, so the
methods never need to know whether the network was fed by a scaler.
"""

import warnings

import numpy as np
from sklearn.exceptions import NotFittedError
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn import get_config
from sklearn.utils import gen_batches
from sklearn.utils.validation import check_is_fitted

from ._threads import threaded_chunks

try:
    from sklearn.frozen import FrozenEstimator
except ImportError:  # pragma: no cover - scikit-learn < 1.6 has none
    FrozenEstimator = None

__all__ = ["CACHE_BYTES", "GRADIENT_CHUNK_BYTES", "HIDDEN", "OUTPUT", "Network",
           "NotAnMLPError", "chunk_rows", "derivative", "final_step", "is_frozen", "is_mlp", "multiply_by_derivative",
           "probe_affine", "unfreeze", "unwrap_network"]


class NotAnMLPError(TypeError):
    """Raised when a method needs the weights of an MLP and the estimator has none."""


def _logistic(z, out=None):
    # 1 / (1 + exp(-z)), in place when out is z: the forward pass is memory-bound.
    out = np.negative(z, out=out)
    np.exp(out, out=out)
    out += 1
    return np.reciprocal(out, out=out)


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


# In-place hidden activations, as scikit-learn's own forward pass.
HIDDEN = {
    "identity": lambda z: z,
    "logistic": lambda z: _logistic(z, out=z),
    "tanh": lambda z: np.tanh(z, out=z),
    "relu": lambda z: np.maximum(z, 0, out=z),
}


def derivative(a, activation):
    """f'(z) in terms of the activation a = f(z); None for the identity (f' = 1)."""
    if activation == "relu":
        return a > 0
    if activation == "logistic":
        return a * (1 - a)
    if activation == "tanh":
        return 1 - a * a
    return None


def multiply_by_derivative(G, a, activation):
    """G *= f'(z), with the derivative written in terms of the activation a = f(z)."""
    d = derivative(a, activation)
    if d is not None:
        G *= d
    return G


OUTPUT = {
    "identity": lambda z: z,
    "logistic": _logistic,
    "softmax": _softmax,
    "exp": np.exp,
}

# Rows per chunk when streaming gradients: about this many bytes of intermediates, so that
# they stay in cache (measured: 3.3 -> 1.9 predicts on X (20000, 50), MLP (128, 64)).
CACHE_BYTES = 8 * 2**20
# Per thread, for the gradients' chunks: two threads then share the last-level cache.
GRADIENT_CHUNK_BYTES = CACHE_BYTES // 2


def chunk_rows(row_bytes, n_rows, budget=CACHE_BYTES):
    """Rows per chunk so that a chunk's intermediates (``row_bytes`` per row) take about
    ``budget`` bytes, or scikit-learn's ``working_memory`` if that is smaller; at least
    one row, at most ``n_rows``."""
    budget = min(budget, get_config()["working_memory"] * 2**20)
    return min(max(int(budget // row_bytes), 1), max(n_rows, 1))


class Network:
    """A fitted feed-forward network in the coordinates of its raw inputs.

    Parameters
    ----------
    coefs : list of ndarray
        ``coefs[l]`` has shape ``(n_in_l, n_out_l)``, as ``MLPRegressor.coefs_``.
    intercepts : list of ndarray
        ``intercepts[l]`` has shape ``(n_out_l,)``.
    activation : {"identity", "logistic", "tanh", "relu"}
        Activation of the hidden layers.
    out_activation : {"identity", "logistic", "softmax", "exp"}
        Activation of the output layer.
    """

    def __init__(self, coefs, intercepts, activation, out_activation):
        if activation not in HIDDEN:
            raise ValueError(f"Unknown hidden activation {activation!r}.")
        if out_activation not in OUTPUT:
            raise ValueError(f"Unknown output activation {out_activation!r}.")
        self.coefs = list(coefs)
        self.intercepts = list(intercepts)
        self.activation = activation
        self.out_activation = out_activation

    @property
    def n_features(self):
        return self.coefs[0].shape[0]

    @property
    def n_outputs(self):
        return self.coefs[-1].shape[1]

    @property
    def n_hidden_layers(self):
        return len(self.coefs) - 1

    @property
    def dtype(self):
        return self.coefs[0].dtype

    def forward(self, X):
        """Return the hidden activations (one array per hidden layer) and the logits."""
        z = X @ self.coefs[0]
        z += self.intercepts[0]
        return self.forward_from(z, 0)

    def forward_from(self, Z, layer=0):
        """Forward pass from ``Z``, the pre-activation of hidden layer ``layer``.

        Returns the activations of hidden layers ``layer`` onward and the logits. ``Z``
        is overwritten: the activation is applied in place. With ``layer`` equal to
        ``n_hidden_layers``, ``Z`` is taken as the logits.
        """
        if layer == self.n_hidden_layers:
            return [], Z
        f = HIDDEN[self.activation]
        a = f(Z)
        hidden = [a]
        for W, b in zip(self.coefs[layer + 1:-1], self.intercepts[layer + 1:-1]):
            z = a @ W
            z += b
            a = f(z)
            hidden.append(a)
        logits = a @ self.coefs[-1]
        logits += self.intercepts[-1]
        return hidden, logits

    def predict(self, X, output="proba"):
        """Network output: after the output activation ("proba") or before it ("logit")."""
        _, logits = self.forward(X)
        return logits if output == "logit" else OUTPUT[self.out_activation](logits)

    def input_gradients(self, X, output="proba"):
        """Exact Jacobian ``dF_k / dx_i`` by back-propagation, shape (n, n_outputs, n_features).

        ``output="proba"`` differentiates the output after the output activation
        (the prediction of a regressor, the class probabilities of a classifier);
        ``output="logit"`` the pre-activation.
        """
        G = self.first_layer_gradients(X, output)
        n, k, h = G.shape
        return (G.reshape(n * k, h) @ self.coefs[0].T).reshape(n, k, -1)

    def first_layer_gradients(self, X, output="proba"):
        """``dF_k / dz_j`` of the first layer's pre-activation ``z = X @ W1 + b1`` (the
        logits without hidden layers), shape (n, n_outputs, width of the first layer).

        The input Jacobian is this times ``W1.T``; being linear in it, a mean over
        rows (or noise draws) of Jacobians is the mean of these times ``W1.T``.
        """
        X = np.asarray(X, dtype=self.dtype)
        n, k = X.shape[0], self.n_outputs
        hidden, logits = self.forward(X)
        if self.n_hidden_layers == 0:
            return self.output_jacobian(np.repeat(np.eye(k)[None], n, axis=0), logits,
                                        output)
        # G holds dlogits / dz of the current hidden layer, one row per (sample, output);
        # at the last hidden layer it is f'(z) times the output weights, made in one pass.
        d = derivative(hidden[-1], self.activation)
        W_out = self.coefs[-1].T[None]  # (1, k, width of the last hidden layer)
        G = np.repeat(W_out, n, axis=0) if d is None else d[:, None, :] * W_out
        for layer in range(self.n_hidden_layers - 2, -1, -1):
            G = (G.reshape(n * k, -1) @ self.coefs[layer + 1].T).reshape(n, k, -1)
            multiply_by_derivative(G, hidden[layer][:, None, :], self.activation)
        # The output activation's Jacobian acts on the output axis, so it commutes with
        # the product by W1.T that turns these into input gradients.
        return self.output_jacobian(G, logits, output)

    def output_jacobian(self, J, logits, output):
        """Chain ``J = dlogits / dx`` (shape (n, n_outputs, n_features)) through the output
        activation: ``dF / dx`` for ``output="proba"``; ``J`` itself for ``"logit"``."""
        if output == "logit" or self.out_activation == "identity":
            return J
        if self.out_activation == "logistic":
            s = _logistic(logits)
            return J * (s * (1 - s))[:, :, None]
        if self.out_activation == "exp":
            return J * np.exp(logits)[:, :, None]
        # softmax: dP_k = P_k (dz_k - sum_m P_m dz_m)
        P = _softmax(logits)
        mixed = np.einsum("nm,nmp->np", P, J)
        return P[:, :, None] * (J - mixed[:, None, :])

    def gradient_batches(self, X, output="proba", n_jobs=None):
        """Yield ``(rows, jacobian)`` over chunks of rows, in order, so memory stays bounded.

        A chunk's intermediates take about 4 MiB (they stay in the caches, which is
        faster than one pass over all rows), or scikit-learn's ``working_memory`` if that
        is smaller. The chunks are computed by ``n_jobs`` threads (None: as many as BLAS
        would use), each with single-threaded BLAS (``threaded_chunks``); the numbers do
        not depend on ``n_jobs``.
        """
        n = X.shape[0]
        widths = [W.shape[1] for W in self.coefs]
        row_bytes = self.dtype.itemsize * (
            2 * sum(widths) + 3 * self.n_outputs * max(widths + [self.n_features])
        )
        chunks = gen_batches(n, chunk_rows(row_bytes, n, GRADIENT_CHUNK_BYTES))
        yield from threaded_chunks(lambda rows: self.input_gradients(X[rows], output=output),
                                   chunks, n_jobs)


def is_frozen(estimator):
    """Whether ``estimator`` is a scikit-learn ``FrozenEstimator`` (never refitted)."""
    return FrozenEstimator is not None and isinstance(estimator, FrozenEstimator)


def unfreeze(estimator):
    """The estimator a FrozenEstimator holds (any depth): refits need one that can be fitted."""
    while is_frozen(estimator):
        estimator = estimator.estimator
    return estimator


def final_step(estimator):
    """Return (preprocessing steps, final estimator), unwrapping Pipeline and FrozenEstimator."""
    steps = []
    while True:
        if is_frozen(estimator):
            estimator = estimator.estimator
        elif hasattr(estimator, "steps") and hasattr(estimator, "named_steps"):
            for step_name, step in estimator.steps[:-1]:
                if step is not None and step != "passthrough":
                    steps.append((step_name, step))
            estimator = estimator.steps[-1][1]
        else:
            return steps, estimator


def is_mlp(estimator):
    return isinstance(estimator, (MLPRegressor, MLPClassifier)) or all(
        hasattr(estimator, a) for a in ("coefs_", "intercepts_", "activation", "out_activation_")
    )


def probe_affine(steps, n_features, X):
    """Fold fitted transformers into one per-feature ``x * a + c``, checking that they are one."""
    n_raw = getattr(steps[0][1], "n_features_in_", n_features)
    if n_raw != n_features:
        names = ", ".join(f"{name!r} ({type(step).__name__})" for name, step in steps)
        raise NotAnMLPError(
            f"The Pipeline steps before the MLP, {names}, map {n_raw} features to "
            f"{n_features}; weight and gradient methods need them to keep features "
            "one-to-one (scalers such as StandardScaler or MinMaxScaler)."
        )
    rng = np.random.default_rng(0)
    probe = np.vstack([np.zeros(n_features), np.ones(n_features), rng.normal(size=(3, n_features))])
    if X is not None:
        probe = np.vstack([probe, X[:5]])
    out = probe
    names = ", ".join(f"{name!r} ({type(step).__name__})" for name, step in steps)
    with warnings.catch_warnings():
        # A step fitted on a DataFrame warns about a plain array; the values are what count.
        warnings.simplefilter("ignore", UserWarning)
        # The probe's values can lie outside a step's domain (log1p of x < -1): the NaN
        # this gives fails the affine check below, which is its answer.
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            for _, step in steps:
                out = np.asarray(step.transform(out), dtype=float)
        except (TypeError, ValueError) as exc:
            # Encoders reject the probe's values, a ColumnTransformer wants named columns.
            raise NotAnMLPError(f"The Pipeline steps before the MLP, {names}, are not "
                                f"per-feature scalers: {exc}") from exc
    if out.shape != probe.shape:
        raise NotAnMLPError(
            f"The Pipeline steps before the MLP, {names}, map {n_features} features to "
            f"{out.shape[-1]}; weight and gradient methods need them to keep features "
            "one-to-one (scalers such as StandardScaler or MinMaxScaler)."
        )
    c, a = out[0], out[1] - out[0]
    if not np.allclose(probe * a + c, out, rtol=1e-8, atol=1e-8):
        raise NotAnMLPError(
            f"The Pipeline steps before the MLP, {names}, are not a per-feature scaling "
            "x * a + c; weight and gradient methods need scalers such as StandardScaler, "
            "MinMaxScaler, MaxAbsScaler or RobustScaler there."
        )
    return a, c


def unwrap_network(estimator, X=None, *, method_name="this method"):
    """Build a :class:`Network` from a fitted MLP, a Pipeline ending in one, or a frozen one.

    Per-feature scaling steps before the MLP are folded into the first layer, so the
    network takes the Pipeline's raw input columns.
    """
    steps, final = final_step(estimator)
    if not is_mlp(final):
        raise NotAnMLPError(
            f"Method {method_name!r} reads the weights of a neural network, so it needs a "
            "fitted MLPRegressor or MLPClassifier (or a Pipeline ending in one); got "
            f"{type(final).__name__}."
        )
    try:
        check_is_fitted(final, "coefs_")
    except NotFittedError as exc:
        raise NotFittedError(
            f"The {type(final).__name__} is not fitted yet: call fit first, or use one of "
            "skimportance's meta-estimators, which fit it for you."
        ) from exc
    coefs = [np.asarray(W) for W in final.coefs_]
    intercepts = [np.asarray(b) for b in final.intercepts_]
    if steps:
        scale, shift = probe_affine(steps, coefs[0].shape[0], X)
        W1 = coefs[0]
        intercepts[0] = intercepts[0] + (shift @ W1).astype(W1.dtype)
        coefs[0] = (scale[:, None] * W1).astype(W1.dtype)
    return Network(coefs, intercepts, final.activation, final.out_activation_)

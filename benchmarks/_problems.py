"""Simulated problems whose true importances are known, for bench_ground_truth.py.

Each problem draws (X, y) from a known model and states the truth, one number per input
(only its ordering counts: Spearman correlation and top-k recovery are rank-based):

- inputs that are independent: the **total Sobol index** of the true regression function
  (of the true logit for classifiers), ``E[Var(f | x_-i)] / Var(f)``: the share of f's
  variance that involves input i, interactions included. For an additive linear f it is
  proportional to ``b_i**2 Var(x_i)``, so its ranking is that of ``|b_i| sd(x_i)``.
- correlated inputs: Sobol indices are not defined by the function alone there, so the
  truth is the **structural effect** ``|b_i| sd(x_i)`` of the generating model, as in
  Hooker, Mentch & Zhou (2021) and Strobl et al. (2008): equal effects are equally
  important, and an input that is not in the model has importance 0, however strongly
  it is correlated with one that is.

A problem may also name groups for the inflation ratio: ``ratio = mean importance of
group "num" / mean importance of group "den"``; its true value is ``ratio_truth``.
"""

from dataclasses import dataclass, field

import numpy as np

__all__ = ["PROBLEMS", "Problem", "total_sobol"]


@dataclass
class Problem:
    name: str
    kind: str  # "regression", "binary" or "multiclass"
    description: str
    draw_X: object  # draw_X(rng, n) -> X
    f: object  # the true regression function or logits, f(X) -> (n,) or (n, K)
    noise: float = 0.0  # regression: sd of the Gaussian noise added to f
    truth: np.ndarray = None  # None: total Sobol indices of f (independent inputs)
    ratio: dict = field(default_factory=dict)  # {"num": [...], "den": [...], "name": ...}
    ratio_truth: float = None

    @property
    def n_features(self):
        return self.draw_X(np.random.default_rng(0), 2).shape[1]

    def draw(self, rng, n):
        X = self.draw_X(rng, n)
        F = self.f(X)
        if self.kind == "regression":
            y = F + self.noise * rng.normal(size=n)
        elif self.kind == "binary":
            y = (rng.uniform(size=n) < 1 / (1 + np.exp(-F))).astype(int)
        else:
            P = np.exp(F - F.max(axis=1, keepdims=True))
            P /= P.sum(axis=1, keepdims=True)
            y = (rng.uniform(size=(n, 1)) > np.cumsum(P, axis=1)).sum(axis=1)
        return X, y

    def true_importances(self):
        if self.truth is not None:
            return np.asarray(self.truth, dtype=float)
        # Rounded: Monte-Carlo error must not order inputs whose indices are equal.
        totals = total_sobol(self.f, self.draw_X, n=1_000_000)
        return np.round(totals / totals.max(), 2)


def total_sobol(f, draw_X, n, seed=12345):
    """Total Sobol indices of f by Jansen's estimator, for independent inputs.

    ``T_i = E[(f(A) - f(A with column i from B))**2] / (2 Var f)``; for several outputs
    (logits) the numerators and variances are summed over the outputs, after centring
    each row of logits (softmax ignores a shift common to all classes).
    """
    rng = np.random.default_rng(seed)
    A, B = draw_X(rng, n), draw_X(rng, n)

    def values(Z):
        F = np.asarray(f(Z), dtype=float)
        F = F[:, None] if F.ndim == 1 else F - F.mean(axis=1, keepdims=True)
        return F

    FA = values(A)
    variance = FA.var(axis=0).sum()
    totals = []
    for i in range(A.shape[1]):
        ABi = A.copy()
        ABi[:, i] = B[:, i]
        totals.append(((FA - values(ABi)) ** 2).sum(axis=1).mean() / (2 * variance))
    return np.array(totals)


def _normal(p):
    return lambda rng, n: rng.normal(size=(n, p))


def _correlated(p, pairs, rho=0.9):
    """Standard normal inputs; each pair (i, j) has correlation ``rho``."""
    def draw(rng, n):
        X = rng.normal(size=(n, p))
        for i, j in pairs:
            X[:, j] = rho * X[:, i] + np.sqrt(1 - rho ** 2) * X[:, j]
        return X
    return draw


def _linear(b):
    b = np.asarray(b, dtype=float)
    return lambda X: X @ b


def _friedman1(X):
    return (10 * np.sin(np.pi * X[:, 0] * X[:, 1]) + 20 * (X[:, 2] - 0.5) ** 2
            + 10 * X[:, 3] + 5 * X[:, 4])


_MULTICLASS = np.array([[2.0, 0.0, 1.0, 0.0, 0.4, 0, 0, 0],
                        [0.0, 1.6, -1.0, 0.6, 0.0, 0, 0, 0],
                        [-2.0, -1.6, 0.0, -0.6, -0.4, 0, 0, 0]])

PROBLEMS = [
    Problem("linear", "regression",
            "y = 5 x0 + 4 x1 + 3 x2 + 2 x3 + x4 + noise; x5..x7 null; x ~ N(0, I)",
            _normal(8), _linear([5, 4, 3, 2, 1, 0, 0, 0]), noise=2.5),
    Problem("friedman1", "regression",
            "Friedman #1: 10 sin(pi x0 x1) + 20 (x2 - .5)^2 + 10 x3 + 5 x4 + noise; "
            "x5..x9 null; x ~ U(0, 1)",
            lambda rng, n: rng.uniform(size=(n, 10)), _friedman1, noise=1.0),
    Problem("interaction", "regression",
            "y = 1.5 x0 + x1 + 2 x2 x3 + 0.5 x4 + noise; x5..x7 null; x ~ N(0, I)",
            _normal(8),
            lambda X: 1.5 * X[:, 0] + X[:, 1] + 2 * X[:, 2] * X[:, 3] + 0.5 * X[:, 4],
            noise=1.0, truth=[2.25, 1, 4, 4, 0.25, 0, 0, 0]),  # Var of each term
    Problem("correlated_equal", "regression",
            "Hooker et al. (2021): y = x0 + x1 + x2 + x3 + noise with corr(x0, x1) = 0.9; "
            "x4, x5 null",
            _correlated(6, [(0, 1)]), _linear([1, 1, 1, 1, 0, 0]), noise=1.0,
            truth=[1, 1, 1, 1, 0, 0],
            ratio={"name": "pair / independent", "num": [0, 1], "den": [2, 3]},
            ratio_truth=1.0),
    Problem("correlated_null", "regression",
            "Strobl et al. (2008): y = x0 + x1 + x2 + noise; x3 null with corr(x0, x3) "
            "= 0.9; x4, x5 null",
            _correlated(6, [(0, 3)]), _linear([1, 1, 1, 0, 0, 0]), noise=1.0,
            truth=[1, 1, 1, 0, 0, 0],
            ratio={"name": "correlated null / real", "num": [3], "den": [1, 2]},
            ratio_truth=0.0),
    Problem("binary", "binary",
            "logit = 2 x0 + 1.5 x1 + x2 + 0.6 x3 + 0.3 x4; x5..x7 null; x ~ N(0, I)",
            _normal(8), _linear([2, 1.5, 1, 0.6, 0.3, 0, 0, 0])),
    Problem("multiclass", "multiclass",
            "3 classes, logits linear in x0..x4 with distinct effects; x5..x7 null",
            _normal(8), lambda X: X @ _MULTICLASS.T),
]

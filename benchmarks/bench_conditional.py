"""Conditional permutation importance: against our Permutation and hidimstat's CFI.

Run by hand:  python benchmarks/bench_conditional.py [--hidimstat-python /path/to/python]
(an interpreter with numpy, scikit-learn and hidimstat, where
benchmarks/reference/hidimstat_cfi.py runs; also read from $HIDIMSTAT_PYTHON, so that
benchmarks/run.py can use it).

Targets (issue 15), X (20000, 50) with correlated neighbours (corr(x_i, x_i+1) = 0.6),
MLPRegressor (128, 64), 5 repeats, mean squared error:

- ``ConditionalPermutation`` at most 1.5x the time of our ``Permutation`` on the same
  network and data (both on the rank-one fast path; the conditional models are a
  ridge per input, fitted once per fold from one Gram matrix);
- ``ConditionalPermutation`` at least 5x faster than scikit-learn's
  ``permutation_importance(n_repeats=5)`` on the same network and data (issue 17; the
  fairest equivalent scikit-learn has: it shuffles the columns themselves), with the
  arithmetic limit of the case (our counted operations at the peak rate of a large
  float64 product measured in the same run; benchmarks/bench_permutation.py counts them);
- faster than hidimstat's ``CFI`` (``n_permutations=5``, its default ``RidgeCV``
  imputation models) on the same network (rebuilt there from the saved weights) and
  data, with importances equal in distribution: the two draw different permutations,
  so the report gives, over the inputs, the mean of ``z**2`` for ``z`` the difference
  of the two means over its standard error (when both estimate the same numbers with
  the spread their repeats show, z is a t statistic with about 8 degrees of freedom
  for 5 repeats each, and the mean of ``z**2`` is about 8 / 6 = 1.33), and the
  correlation of the means.

``run(argv)`` returns the rows of benchmarks/run.py's report.
"""

import argparse
import os
import warnings

import numpy as np
from sklearn.inspection import permutation_importance

from _reference import run_reference
from _timing import best_time, best_times, parse_args, row
from bench_permutation import (counted_flops, limit_text, peak_gflops, ridge_flops,
                               switching_fraction)

from skimportance import feature_importances
from skimportance.methods import ConditionalPermutation, Permutation
from skimportance.network import _kernels, unwrap_network

SLOWDOWN_TARGET = 1.5  # conditional time / permutation time, at most
SKLEARN_TARGET = 5.0  # scikit-learn permutation_importance time / conditional time, at least
QUICK = dict(n_samples=2000, n_features=20, hidden="32,16", repeats=1)
HINT = ("pass --hidimstat-python /path/to/python (or set HIDIMSTAT_PYTHON) for an "
        "interpreter that has hidimstat (pip install hidimstat there)")


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-features", type=int, default=50)
    parser.add_argument("--hidden", default="128,64")
    parser.add_argument("--repeats", type=int, default=3, help="best of")
    parser.add_argument("--hidimstat-python", default=os.environ.get("HIDIMSTAT_PYTHON"),
                        help="interpreter with hidimstat")
    return parse_args(parser, argv, QUICK)


def correlated_network(n, p, hidden, rho=0.6):
    """X with corr(x_i, x_i+1) = rho (a Gaussian AR(1) chain), a target on a few
    inputs, and an MLPRegressor after 5 epochs: the timings need the shape."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, p))
    for j in range(1, p):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1 - rho ** 2) * X[:, j]
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + X[:, 3] + 0.1 * rng.normal(size=n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=hidden, max_iter=5, random_state=0).fit(X, y)
    return X, y, mlp


def agreement(ours, theirs):
    """Mean z**2 over the inputs, and the correlation of the means."""
    r = ours.shape[1]
    error = np.sqrt(ours.var(axis=1, ddof=1) / r + theirs.var(axis=1, ddof=1) / r)
    z = (ours.mean(axis=1) - theirs.mean(axis=1)) / np.where(error > 0, error, np.inf)
    return float(np.mean(z ** 2)), float(np.corrcoef(ours.mean(axis=1),
                                                     theirs.mean(axis=1))[0, 1])


def run(argv=None):
    """Print the benchmark and return its rows for benchmarks/run.py."""
    args = parse(argv)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    shape = (args.n_samples, args.n_features)
    X, y, mlp = correlated_network(*shape, hidden)
    kw = dict(n_repeats=5, random_state=0, scoring="neg_mean_squared_error")
    results = {}

    def timed(name, method):
        def call():
            results[name] = feature_importances(mlp, X, y, method=method)
        return call

    # Numba compiles the fast path's kernels on first use: not part of either time.
    feature_importances(mlp, X[:200], y[:200], method=Permutation(n_repeats=1))
    marginal_s, conditional_s = best_times(
        [timed("permutation", Permutation(**kw)),
         timed("conditional", ConditionalPermutation(**kw))], args.repeats)
    slowdown = conditional_s / marginal_s
    ours = results["conditional"].importances
    print(f"ConditionalPermutation, X {shape}, MLP {hidden}, 5 repeats")
    print(f"  Permutation {marginal_s:.2f} s, ConditionalPermutation {conditional_s:.2f} s: "
          f"{slowdown:.2f}x (target <= {SLOWDOWN_TARGET})")
    operation = f"ConditionalPermutation(n_repeats=5), X {shape}, MLP {hidden}"
    rows = [row(operation, conditional_s, "our Permutation(n_repeats=5), same inputs",
                marginal_s, target=1 / SLOWDOWN_TARGET,
                target_text=f"<= {SLOWDOWN_TARGET:g}x Permutation's time",
                notes=f"{slowdown:.2f}x Permutation's time")]

    peaks = [peak_gflops()]
    sklearn_s = best_time(lambda: permutation_importance(
        mlp, X, y, n_repeats=5, random_state=0, scoring="neg_mean_squared_error"), 1)
    peak = max(peaks + [peak_gflops()])  # the best rate seen, as in bench_permutation.py
    net = unwrap_network(mlp, X)
    shares = net.activation == "relu" and net.n_hidden_layers >= 2 and _kernels.HAVE_NUMBA
    switching = switching_fraction(net, X) if shares else 0.0
    flops = counted_flops(net, *shape, 5, shares, switching) + ridge_flops(*shape)
    ratio = sklearn_s / conditional_s
    print(f"  scikit-learn permutation_importance {sklearn_s:.2f} s: ours {ratio:.1f}x faster "
          f"(target >= {SKLEARN_TARGET:g}x; limit {limit_text(sklearn_s, flops, peak)})")
    rows.append(row(operation, conditional_s, "scikit-learn permutation_importance(n_repeats=5)",
                    sklearn_s, target=SKLEARN_TARGET, target_text=f">= {SKLEARN_TARGET:g}x",
                    notes="scikit-learn shuffles the columns themselves; cross-fitted ridge "
                          "models included in ours",
                    limit_text=limit_text(sklearn_s, flops, peak)))

    cfi = run_reference("hidimstat_cfi.py", mlp, args.hidimstat_python, args.repeats,
                        tool="hidimstat", modules=("hidimstat",), hint=HINT,
                        X=X, y=y, n_permutations=5)
    if isinstance(cfi, str):
        print(f"  {cfi}")
        rows.append(row(operation, conditional_s, "hidimstat CFI", None, target=1.0,
                        target_text="faster", notes=cfi))
        return rows
    z2, correlation = agreement(ours, cfi["samples"])
    top = np.argsort(-ours.mean(axis=1))[:4]
    for j in top:
        print(f"    x{j}: ours {ours[j].mean():.4f} (sd {ours[j].std(ddof=1):.4f}), "
              f"CFI {cfi['samples'][j].mean():.4f} (sd {cfi['samples'][j].std(ddof=1):.4f})")
    notes = (f"hidimstat {cfi['hidimstat']}; equal in distribution: mean z^2 {z2:.2f} "
             f"over {shape[1]} inputs (1.33 expected), correlation of means {correlation:.4f}")
    ratio = cfi["seconds"] / conditional_s
    print(f"  hidimstat CFI {cfi['seconds']:.2f} s: ours {ratio:.1f}x faster; {notes}")
    rows.append(row(operation, conditional_s, "hidimstat CFI(n_permutations=5)",
                    cfi["seconds"], target=1.0, target_text="faster", notes=notes))
    return rows


if __name__ == "__main__":
    run()

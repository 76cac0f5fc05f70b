"""Permutation importance: skimportance's fast path versus scikit-learn's, same run.

Run by hand:  python benchmarks/bench_permutation.py
Targets (issue: score-based methods), n_repeats=5, ratio = scikit-learn time / ours:
  MLPRegressor(hidden_layer_sizes=(128, 64)), X (20000, 50): at least 2x;
  MLPRegressor(hidden_layer_sizes=(256,)),    X (5000, 500): at least 10x.
Also checks that both give the same numbers. ``--numpy`` times the numpy-only path (as
without numba installed); the default uses the fused kernels when numba is there.
Then runs benchmarks/bench_drop.py (warm versus cold drop-and-retrain, target 3x), so
that one command prints all three ratios; ``--skip-drop`` leaves it out. ``--quick``
uses small sizes, for smoke tests. ``run(argv)`` returns the rows of benchmarks/run.py's
report (the permutation cases only; bench_drop.py has its own).
"""

import argparse
import time

import numpy as np
from sklearn.inspection import permutation_importance

from _timing import benchmark_network, row

from skimportance import feature_importances
from skimportance.methods import Permutation
from skimportance.network import _kernels

CASES = [  # name, X shape, hidden layers, target ratio
    ("deep", (20000, 50), (128, 64), 2.0),
    ("wide", (5000, 500), (256,), 10.0),
]
QUICK_CASES = [
    ("deep", (2000, 20), (32, 16), 2.0),
    ("wide", (1000, 100), (64,), 10.0),
]


def best_time(func, repeats):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def run_case(shape, hidden, repeats, sklearn_repeats):
    X, y, mlp = benchmark_network(shape, hidden)
    method = Permutation(n_repeats=5, random_state=0)
    ours, result = best_time(lambda: feature_importances(mlp, X, y, method=method), repeats)
    theirs, reference = best_time(
        lambda: permutation_importance(mlp, X, y, n_repeats=5, random_state=0),
        sklearn_repeats)
    diff = np.abs(result.importances - reference.importances).max()
    return theirs, ours, diff


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="best of, for ours")
    parser.add_argument("--sklearn-repeats", type=int, default=1)
    parser.add_argument("--numpy", action="store_true", help="time the numpy-only path")
    parser.add_argument("--skip-drop", action="store_true", help="do not run bench_drop.py")
    parser.add_argument("--quick", action="store_true", help="small sizes, for smoke tests")
    return parser.parse_args(argv)


def run(argv=None):
    """Print the permutation cases and return their rows for benchmarks/run.py."""
    args = parse(argv)
    if args.numpy:
        _kernels.HAVE_NUMBA = False
    path = "numba kernels" if _kernels.HAVE_NUMBA else "numpy only"
    print(f"Permutation importance, n_repeats=5, fast path: {path}")
    print(f"{'case':<6}{'X':>14}{'hidden':>12}{'sklearn s':>11}{'ours s':>9}{'ratio':>8}"
          f"{'target':>8}{'max |diff|':>12}")
    rows = []
    for name, shape, hidden, target in QUICK_CASES if args.quick else CASES:
        theirs, ours, diff = run_case(shape, hidden, args.repeats, args.sklearn_repeats)
        rows.append(row(f"Permutation(n_repeats=5) {name}, X {shape}, MLP {hidden}", ours,
                        "scikit-learn permutation_importance", theirs, target=target,
                        target_text=f">= {target:g}x",
                        notes=f"{path}; same importances to {diff:.0e}"))
        verdict = "meets" if rows[-1]["met"] else "MISSES"
        print(f"{name:<6}{str(shape):>14}{str(hidden):>12}{theirs:>11.2f}{ours:>9.3f}"
              f"{rows[-1]['ratio']:>7.1f}x{target:>7.0f}x{diff:>12.1e}  {verdict}")
    return rows


def main(argv=None):
    args = parse(argv)
    ratios = dict(zip(["deep", "wide"], (r["ratio"] for r in run(argv))))
    summary = f"deep {ratios['deep']:.1f}x (>= 2), wide {ratios['wide']:.1f}x (>= 10)"
    if not args.skip_drop:
        import bench_drop

        print()
        ratios["drop"], rho = bench_drop.main(["--quick"] if args.quick else [])
        summary += f", drop warm/cold {ratios['drop']:.1f}x (>= 3, Spearman {rho:.2f} >= 0.9)"
    print(f"\nratios: {summary}")
    return ratios


if __name__ == "__main__":
    main()

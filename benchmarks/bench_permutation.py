"""Permutation, Ablation and ConditionalPermutation: our fast path versus scikit-learn.

Run by hand:  python benchmarks/bench_permutation.py
Targets (issue 17), n_repeats=5, ratio = scikit-learn time / ours, measured in one run:
  MLPRegressor(hidden_layer_sizes=(128, 64)), X (20000, 50): at least 5x;
  MLPRegressor(hidden_layer_sizes=(256,)),    X (5000, 500): at least 60x;
for ``Permutation(n_repeats=5)``, ``Ablation()`` and ``ConditionalPermutation(n_repeats=5)``,
each against the same time of scikit-learn's ``permutation_importance(n_repeats=5)`` (the
fairest equivalent scikit-learn has for the conditional one; Ablation makes one
evaluation per column where it makes five, so Ablation is also timed against the loop
that does its own work with scikit-learn: each column in turn held at its mean, scored
by the estimator; that row has no target). Also checks that Permutation gives the same
numbers as scikit-learn. Each row states the arithmetic limit of its case: the
reference's time over that of our counted floating-point operations at the machine's
peak, a large float64 matrix product's rate measured in the same run.

``--numpy`` times the numpy-only path (as without numba installed); the default uses
the fused kernels when numba is there. Then runs benchmarks/bench_drop.py (warm versus
cold drop-and-retrain, target 3x), so that one command prints all ratios;
``--skip-drop`` leaves it out. ``--quick`` uses small sizes, for smoke tests.
``run(argv)`` returns the rows of benchmarks/run.py's report (bench_drop.py has its own).
"""

import argparse
import time

import numpy as np
from sklearn.inspection import permutation_importance

from _timing import benchmark_network, row

from skimportance import feature_importances
from skimportance.methods import Ablation, ConditionalPermutation, Permutation
from skimportance.network import _kernels, unwrap_network

CASES = [  # name, X shape, hidden layers, target ratio
    ("deep", (20000, 50), (128, 64), 5.0),
    ("wide", (5000, 500), (256,), 60.0),
]
QUICK_CASES = [
    ("deep", (2000, 20), (32, 16), 5.0),
    ("wide", (1000, 100), (64,), 60.0),
]
N_REPEATS = 5


def best_time(func, repeats):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def peak_gflops(n=2000, repeats=3):
    """The machine's float64 rate now: the best of a few (n, n) @ (n, n) products, with
    BLAS's own threads (all cores); the benchmarks keep the best of several calls."""
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(n, n)), rng.normal(size=(n, n))
    seconds, _ = best_time(lambda: A @ B, repeats)
    return 2 * n ** 3 / seconds / 1e9


def switching_fraction(net, X, n_rows=2000, seed=0):
    """Mean fraction of first-layer units that switch on or off when one column is
    shuffled (ReLU), over a sample of rows and every column: what the repeats cost
    beyond the product they share."""
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(X), size=min(n_rows, len(X)), replace=False)
    Z = X[rows] @ net.coefs[0] + net.intercepts[0]
    D = X[rng.permutation(len(X))[:len(rows)]] - X[rows]
    on = Z > 0
    return float(np.mean([((Z + D[:, [j]] * net.coefs[0][j]) > 0) != on
                          for j in range(X.shape[1])]))


def counted_flops(net, n_rows, n_cols, n_repeats, shares_repeats, switching=0.0):
    """Floating-point operations of our fast path (multiply-adds count 2): per column and
    repeat, the first layer's rank-one update (its product by the next layer if there
    is only one hidden layer) and the later layers; with ``shares_repeats`` (ReLU, two
    hidden layers or more), one product of the second layer per column, then per repeat
    its linear update and the switching units."""
    widths = [W.shape[1] for W in net.coefs]
    first, rest = widths[0], widths[1:]
    later = sum(2 * a * b for a, b in zip(rest[:-1], rest[1:]))
    if len(widths) == 2:  # one hidden layer: update, activation, output, fused
        per = 2 * first + 2 * first * widths[1]
        return n_rows * n_cols * n_repeats * per
    if shares_repeats:
        shared = 2 * first * widths[1]
        per = 2 * first + 2 * rest[0] + 2 * switching * first * rest[0] + later
        return n_rows * n_cols * (shared + n_repeats * per)
    per = 2 * first + 2 * first * widths[1] + later
    return n_rows * n_cols * n_repeats * per


def ridge_flops(n_rows, n_cols, cv=5):
    """Operations of ConditionalPermutation's default models: each fold's Gram matrix
    once (2 n p^2 over all the folds; a training fold's is the sum of the others'), the
    held-out residuals' products (2 n p^2 over all the folds) and per fold a symmetric
    eigendecomposition (about 9 p^3)."""
    return 4 * n_rows * n_cols ** 2 + cv * 9 * n_cols ** 3


def limit_text(reference_s, flops, peak):
    best = flops / (peak * 1e9)
    return (f"~{reference_s / best:.0f}x ({flops / 1e9:.1f} GFLOP counted at the measured "
            f"peak {peak:.0f} GFLOP/s)")


def ablation_loop(mlp, X, y):
    """Ablation done with scikit-learn: each column held at its mean, the estimator's
    score (one copy of X, each column put back after)."""
    Xw, means = X.copy(), X.mean(axis=0)
    scores = np.empty(X.shape[1])
    for j in range(X.shape[1]):
        Xw[:, j] = means[j]
        scores[j] = mlp.score(Xw, y)
        Xw[:, j] = X[:, j]
    return mlp.score(X, y) - scores


def run_case(name, shape, hidden, target, args, path):
    X, y, mlp = benchmark_network(shape, hidden)
    net = unwrap_network(mlp, X)
    # Numba compiles the fast path's kernels on first use: not part of any time.
    for method in (Permutation(n_repeats=2), Ablation(), ConditionalPermutation(n_repeats=2)):
        feature_importances(mlp, X[:300], y[:300], method=method)
    methods = {"Permutation": Permutation(n_repeats=N_REPEATS, random_state=0),
               "Ablation": Ablation(),
               "ConditionalPermutation": ConditionalPermutation(n_repeats=N_REPEATS,
                                                                random_state=0)}
    times, results = {}, {}
    # The peak is the best rate seen in the run: measured between the timings, so that a
    # burst of load on a shared machine does not lower it.
    peaks = [peak_gflops()]
    for _ in range(args.repeats):  # in turns, so that a burst of load hits all alike
        for key, method in methods.items():
            seconds, results[key] = best_time(
                lambda: feature_importances(mlp, X, y, method=method), 1)
            times[key] = min(times.get(key, np.inf), seconds)
        peaks.append(peak_gflops())
    theirs, reference = best_time(
        lambda: permutation_importance(mlp, X, y, n_repeats=N_REPEATS, random_state=0),
        args.sklearn_repeats)
    peaks.append(peak_gflops())
    loop_s, loop = best_time(lambda: ablation_loop(mlp, X, y), args.sklearn_repeats)
    peak = max(peaks + [peak_gflops()])
    diff = np.abs(results["Permutation"].importances - reference.importances).max()
    ablation_diff = np.abs(results["Ablation"].importances[:, 0] - loop).max()
    relu_deep = net.activation == "relu" and net.n_hidden_layers >= 2 and _kernels.HAVE_NUMBA
    switching = switching_fraction(net, X) if relu_deep else 0.0
    n_rows, n_cols = shape
    flops = {"Permutation": counted_flops(net, n_rows, n_cols, N_REPEATS, relu_deep, switching),
             "Ablation": counted_flops(net, n_rows, n_cols, 1, False)}
    flops["ConditionalPermutation"] = flops["Permutation"] + ridge_flops(n_rows, n_cols)
    label = f"{name}, X {shape}, MLP {hidden}"
    reference_name = f"scikit-learn permutation_importance(n_repeats={N_REPEATS})"
    rows = []
    notes = {"Permutation": f"{path}; same importances to {diff:.0e}",
             "Ablation": f"{path}; one evaluation per column against its five",
             "ConditionalPermutation": f"{path}; cross-fitted ridge models included"}
    if relu_deep:
        notes["Permutation"] += f"; {switching:.1%} of first-layer units switch per shuffle"
    for key in methods:
        operation = (f"{key}(n_repeats={N_REPEATS}) {label}" if key != "Ablation"
                     else f"Ablation() {label}")
        rows.append(row(operation, times[key], reference_name, theirs, target=target,
                        target_text=f">= {target:g}x", notes=notes[key],
                        limit_text=limit_text(theirs, flops[key], peak)))
    rows.append(row(f"Ablation() {label}", times["Ablation"],
                    "scikit-learn loop: each column held at its mean, estimator.score",
                    loop_s, notes=f"{path}; same importances to {ablation_diff:.0e}",
                    limit_text=limit_text(loop_s, flops["Ablation"], peak)))
    return rows, theirs


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="best of, for ours")
    parser.add_argument("--sklearn-repeats", type=int, default=1)
    parser.add_argument("--numpy", action="store_true", help="time the numpy-only path")
    parser.add_argument("--skip-drop", action="store_true", help="do not run bench_drop.py")
    parser.add_argument("--quick", action="store_true", help="small sizes, for smoke tests")
    return parser.parse_args(argv)


def run(argv=None):
    """Print the cases and return their rows for benchmarks/run.py."""
    args = parse(argv)
    if args.numpy:
        _kernels.HAVE_NUMBA = False
    path = "numba kernels" if _kernels.HAVE_NUMBA else "numpy only"
    print(f"Permutation, Ablation, ConditionalPermutation, n_repeats={N_REPEATS}, fast path: "
          f"{path}; ratio = reference time / ours")
    print(f"{'case':<6}{'method':<24}{'reference':<13}{'ref s':>8}{'ours s':>9}{'ratio':>8}"
          f"{'target':>8}  limit")
    rows = []
    for name, shape, hidden, target in QUICK_CASES if args.quick else CASES:
        case_rows, _ = run_case(name, shape, hidden, target, args, path)
        for r in case_rows:
            reference = "loop" if r["reference"].startswith("scikit-learn loop") else "sklearn PI"
            method = r["operation"].split("(")[0]
            verdict = "" if r["met"] is None else ("meets" if r["met"] else "MISSES")
            target_text = f"{r['target']:>7.0f}x" if r["target"] else f"{'-':>8}"
            print(f"{name:<6}{method:<24}{reference:<13}{r['reference_time']:>8.2f}"
                  f"{r['ours']:>9.3f}{r['ratio']:>7.1f}x{target_text}  {r['limit_text']}"
                  f"  {verdict}  [{r['notes']}]")
        rows += case_rows
    return rows


def main(argv=None):
    args = parse(argv)
    rows = run(argv)
    ratios = {}
    for r in rows:
        if r["target"] is not None:
            case = "deep" if " deep," in r["operation"] else "wide"
            ratios[f"{r['operation'].split('(')[0]} {case}"] = r["ratio"]
    summary = ", ".join(f"{key} {value:.1f}x" for key, value in ratios.items())
    summary += f" (targets >= {CASES[0][3]:g} deep, >= {CASES[1][3]:g} wide)"
    if not args.skip_drop:
        import bench_drop

        print()
        ratios["drop"], rho = bench_drop.main(["--quick"] if args.quick else [])
        summary += f", drop warm/cold {ratios['drop']:.1f}x (>= 3, Spearman {rho:.2f} >= 0.9)"
    print(f"\nratios: {summary}")
    return ratios


if __name__ == "__main__":
    main()

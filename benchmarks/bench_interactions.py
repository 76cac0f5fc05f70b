"""Interaction methods: speed ratios against straightforward references, same run.

Run by hand:  python benchmarks/bench_interactions.py   (``--quick``: small sizes)
``run(argv)`` returns the rows of benchmarks/run.py's report.
"""

import argparse
import warnings

import numpy as np

from _timing import best_times, row


def tanh_network(shape, hidden, seed=0):
    """X of ``shape``, y = x0 x1 + x2 + sin(x3) + noise, a tanh MLPRegressor after 5
    epochs: the timings need the network's shape, not a good fit."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    rng = np.random.default_rng(seed)
    X = rng.normal(size=shape)
    y = X[:, 0] * X[:, 1] + X[:, 2] + np.sin(X[:, 3]) + 0.1 * rng.normal(size=shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=hidden, activation="tanh", max_iter=5,
                           random_state=seed).fit(X, y)
    return X, mlp


# --- the exact Hessian ---------------------------------------------------------------

def hessian_case(quick=False, repeats=3):
    """The full Hessian summary versus one predict: rows of the report.

    Target (issue 14): at most 3 x n_features predicts (150 on X (20000, 50), MLP
    (128, 64), tanh), memory bounded by chunking. Timed with all cores and with one
    thread (the arithmetic ratio, which the load of a shared machine disturbs least),
    and the peak memory of one run (tracemalloc) against the size of X.
    """
    import tracemalloc

    from threadpoolctl import threadpool_limits

    try:
        from skimportance import feature_interactions
    except ImportError:  # until the package exports it
        from skimportance.interactions._dispatch import feature_interactions
    from skimportance.interactions import Hessian

    shape, hidden = ((2000, 20), (32, 16)) if quick else ((20000, 50), (128, 64))
    X, mlp = tanh_network(shape, hidden)
    target = 3 * shape[1]
    label = f"Hessian summary (mean_abs), X {shape}, MLP {hidden} tanh"

    def ours():
        return feature_interactions(mlp, X, method="hessian")

    def one_thread(func):
        def limited():
            with threadpool_limits(1):
                return func()
        return limited

    # Timed in turns; each ratio is against the faster predict (on a loaded machine
    # BLAS's threads can make predict slower than on one thread).
    t_all, t_one, h_all, h_one = best_times(
        [lambda: mlp.predict(X), one_thread(lambda: mlp.predict(X)), ours,
         one_thread(lambda: feature_interactions(mlp, X, method=Hessian(n_jobs=1)))],
        repeats)
    t_predict = min(t_all, t_one)
    print(f"predict: {t_all:.4f} s (BLAS threads), {t_one:.4f} s (one thread)")
    limit = hessian_limit(mlp, X, t_predict)
    print(f"  limit: {limit}")
    out = []
    for where, t_ours in [("default threads", h_all), ("one thread", h_one)]:
        ratio = t_ours / t_predict
        print(f"{label}, {where}: {t_ours:.3f} s = {ratio:.1f} predicts "
              f"(target <= {target})")
        out.append(row(f"{label}, {where}", t_ours, "the faster predict", t_predict,
                       target=1 / target, target_text=f"<= {target} predicts",
                       notes=f"{ratio:.1f} predicts (predict {t_all:.4f} s with BLAS "
                       f"threads, {t_one:.4f} s on one)", limit_text=limit))
    tracemalloc.start()
    try:
        ours()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"  peak memory of one run {peak / 2**20:.1f} MiB (X itself: "
          f"{X.nbytes / 2**20:.1f} MiB)")
    out[0]["notes"] += (f"; peak memory {peak / 2**20:.1f} MiB "
                        f"(X: {X.nbytes / 2**20:.1f} MiB)")
    return out


def hessian_limit(mlp, X, t_predict):
    """The Hessian's products at the machine's peak, in predicts. Per row, with E inputs:
    the tangents of every input through each later layer (E h_{l-1} h_l; the first
    layer's are its weights, the same for every row) and each curved layer's sum over its
    units (E^2 h_l; tanh and logistic layers, the output's if it is curved)."""
    from _timing import peak_gflops

    widths = [X.shape[1], *(W.shape[1] for W in mlp.coefs_)]
    E, hidden = widths[0], widths[1:-1]
    tangents = sum(E * a * b for a, b in zip(widths[1:-1], widths[2:]))
    curved = mlp.activation in ("tanh", "logistic")
    curvature = sum(E * E * h for h in hidden) if curved else 0
    if mlp.out_activation_ != "identity":
        curvature += E * E * widths[-1]
    flops = 2 * X.shape[0] * (tangents + curvature)
    peak = peak_gflops()
    return (f"{flops / (peak * 1e9) / t_predict:.1f} predicts ({flops / 1e9:.3g} GFLOP at "
            f"the peak {peak:.0f} GFLOP/s)")


def differences_step_table(seeds=4, n_rows=1000, n_evaluated=400):
    """How well SecondDifferences(step) recovers the true Hessian of ReLU MLPs: the
    measurement behind its default step. Prints and returns one dict per function and
    step: the largest error of ``mean_abs`` against the true mean of |sigma_i sigma_j
    d2y/dxi dxj|, the ratio of the (0, 1) pair to the next pair, the per-row RMSE."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor
    from threadpoolctl import threadpool_limits

    from skimportance.interactions import SecondDifferences
    from skimportance.interactions._dispatch import feature_interactions

    def product_hessian(X):
        H = np.zeros((len(X), 3, 3))
        H[:, 0, 1] = H[:, 1, 0] = 1.0
        return H

    def sine_hessian(X):
        H = np.zeros((len(X), 3, 3))
        H[:, 0, 0] = -2.25 * np.sin(1.5 * X[:, 0]) * X[:, 1]
        H[:, 0, 1] = H[:, 1, 0] = 1.5 * np.cos(1.5 * X[:, 0])
        return H

    functions = [("x0 x1 + x2", lambda X: X[:, 0] * X[:, 1] + X[:, 2], product_hessian),
                 ("sin(1.5 x0) x1 + x2", lambda X: np.sin(1.5 * X[:, 0]) * X[:, 1]
                  + X[:, 2], sine_hessian)]
    steps = [0.1, 0.25, 0.5, 0.75, 1.0, 1.5]
    table = []
    for name, f, hessian in functions:
        found = {step: [] for step in steps}
        for seed in range(seeds):
            for hidden in [(32,), (32, 16)]:
                rng = np.random.default_rng(seed)
                X = rng.normal(size=(n_rows, 3))
                y = f(X) + 0.05 * rng.normal(size=n_rows)
                # lbfgs on a small network: BLAS threads only add synchronisation
                with warnings.catch_warnings(), threadpool_limits(1):
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    mlp = MLPRegressor(hidden_layer_sizes=hidden, solver="lbfgs",
                                       max_iter=2000, random_state=seed).fit(X, y)
                E = X[:n_evaluated]
                s = E.std(axis=0)
                true_local = hessian(E) * np.outer(s, s)
                true = np.abs(true_local).mean(axis=0)
                for step in steps:
                    result = feature_interactions(mlp, E, return_local=True,
                                                  method=SecondDifferences(step=step))
                    m, local = result.per_output[0], result.local[:, 0]
                    pairs = m[np.triu_indices(3, 1)]
                    found[step].append((np.abs(m - true)[np.triu_indices(3)].max(),
                                        pairs[0] / pairs[1:].max(),
                                        np.sqrt(((local - true_local) ** 2).mean())))
        for step in steps:
            error, ratio, rmse = np.array(found[step]).T
            table.append(dict(function=name, step=step, max_error=error.mean(),
                              pair_ratio_median=np.median(ratio),
                              pair_ratio_min=ratio.min(), row_rmse=rmse.mean()))
    print(f"{'function':<22}{'step':>6}{'max |err|':>11}{'(0,1)/next':>12}"
          f"{'worst':>8}{'row RMSE':>10}")
    for r in table:
        print(f"{r['function']:<22}{r['step']:>6g}{r['max_error']:>11.3f}"
              f"{r['pair_ratio_median']:>12.1f}{r['pair_ratio_min']:>8.1f}"
              f"{r['row_rmse']:>10.3f}")
    return table


# --- the H statistic -----------------------------------------------------------------

def reference_h_statistic(estimator, S, features):
    """H (pairwise off the diagonal, one-against-all on it) of a regressor on the sample S,
    the straightforward way: ``estimator.predict`` on the n^2 stacked copies of S for each
    input and each pair (one grid per input, reused by its pairs)."""
    n = len(S)

    def grid(cols):
        stacked = np.tile(S, (n, 1))  # row a n + b: row b with the columns of row a
        stacked[:, cols] = np.repeat(S[:, cols], n, axis=0)
        return estimator.predict(stacked).reshape(n, n)

    F = estimator.predict(S)
    F = F - F.mean()
    m = len(features)
    H = np.zeros((m, m))
    own = []
    for a, j in enumerate(features):
        M = grid([j])
        pd_j = M.mean(axis=1) - M.mean()
        pd_rest = M.mean(axis=0) - M.mean()
        own.append(pd_j)
        H[a, a] = np.sqrt(((F - pd_j - pd_rest) ** 2).sum() / (F**2).sum())
    for a in range(m):
        for b in range(a + 1, m):
            M = grid([features[a], features[b]])
            pd_jk = M.mean(axis=1) - M.mean()
            H[a, b] = H[b, a] = np.sqrt(((pd_jk - own[a] - own[b]) ** 2).sum()
                                        / (pd_jk**2).sum())
    return H


def h_statistic_case(quick=False, repeats=3):
    """Our h_statistic (fast engine) versus reference_h_statistic: rows of the report.

    Target (issue 14): at least 2x on 20 inputs of X (20000, 50), MLP (128, 64), tanh,
    with the same numbers; also X (20000, 20), where the first layer is a smaller share.
    Each case is timed on all cores and on one thread (BLAS limited to one), where the
    ratio is bounded by the arithmetic: per grid row the reference multiplies by all
    three layers (p h1 + h1 h2 + h2 multiply-adds), ours by the later two (h1 h2 + h2),
    and both apply the same activations to h1 + h2 units.
    """
    from sklearn.utils import check_random_state
    from sklearn.utils.random import sample_without_replacement
    from threadpoolctl import threadpool_limits

    from skimportance import feature_interactions
    from skimportance.interactions import HStatistic

    cases = ([((2000, 20), (32, 16), 8, 40)] if quick else
             [((20000, 50), (128, 64), 20, 100), ((20000, 20), (128, 64), 20, 100)])
    out = []
    for shape, hidden, n_features, n_samples in cases:
        X, mlp = tanh_network(shape, hidden)
        features = list(range(n_features))
        rows = np.sort(sample_without_replacement(len(X), n_samples,
                                                  random_state=check_random_state(0)))
        S = X[rows]
        method = HStatistic(n_samples=n_samples, features=features, random_state=0)
        one_thread = HStatistic(n_samples=n_samples, features=features, random_state=0,
                                n_jobs=1)
        ours_result = feature_interactions(mlp, X, method=method)
        diff = np.abs(ours_result.per_output[0]
                      - reference_h_statistic(mlp, S, features)).max()
        p, (h1, h2) = shape[1], hidden
        limit = (p * h1 + h1 * h2 + h2) / (h1 * h2 + h2)
        n_grids = n_features + n_features * (n_features - 1) // 2
        label = (f"HStatistic(n_samples={n_samples}) on {n_features} inputs, X {shape}, "
                 f"MLP {hidden} tanh ({n_grids} grids of {n_samples ** 2} rows)")
        ours, theirs = best_times([lambda: feature_interactions(mlp, X, method=method),
                                   lambda: reference_h_statistic(mlp, S, features)],
                                  repeats)
        with threadpool_limits(1):
            ours1, theirs1 = best_times(
                [lambda: feature_interactions(mlp, X, method=one_thread),
                 lambda: reference_h_statistic(mlp, S, features)], repeats)
        print(f"{label}\n  all cores: reference {theirs:.2f} s, ours {ours:.2f} s, ratio "
              f"{theirs / ours:.2f} (target >= 2); one thread: reference {theirs1:.2f} s, "
              f"ours {ours1:.2f} s, ratio {theirs1 / ours1:.2f}; multiply-add ratio "
              f"{limit:.2f}; max |H diff| {diff:.1e}")
        notes = (f"max |H diff| {diff:.1e}; one thread {theirs1 / ours1:.2f}x; "
                 f"multiply-adds per grid row {limit:.2f}x fewer (the later layers run on "
                 "n_samples^2 rows per pair in both)")
        target = 2.0 if p == 50 or quick else None
        out.append(row(label, ours, "predict on stacked copies of the sample", theirs,
                       target=target, target_text=">= 2x, same numbers" if target else "",
                       met=None if target is None else bool(theirs / ours >= target
                                                            and diff < 1e-10),
                       notes=notes, limit_text=f"{limit:.2f}x (multiply-adds per grid "
                       "row, the same activations)"))
    return out


# --- the runner ----------------------------------------------------------------------

def run(argv=None):
    """Print every case and return their rows for benchmarks/run.py."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for smoke tests")
    parser.add_argument("--repeats", type=int, default=3, help="best of")
    args = parser.parse_args(argv)
    rows = []
    for case in [globals()[name] for name in CASES if name in globals()]:
        rows += case(quick=args.quick, repeats=args.repeats)
    return rows


# Each case is a function case(quick, repeats) -> list of report rows.
CASES = ["hessian_case", "h_statistic_case"]


def main(argv=None):
    """Run the cases, print their table and write benchmarks/results/interactions.csv
    (a ``--quick`` run writes nothing); ``--steps`` also prints the measurement behind
    SecondDifferences' default step."""
    import csv
    import sys
    from pathlib import Path

    argv = list(sys.argv[1:] if argv is None else argv)
    steps = "--steps" in argv
    argv = [a for a in argv if a != "--steps"]
    rows = run(argv)
    print(f"\n{'operation':<70}{'ours s':>9}{'ref s':>9}{'ratio':>8}  target")
    for r in rows:
        ref = "" if r["reference_time"] is None else f"{r['reference_time']:.3f}"
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.3g}"
        met = "" if r["met"] is None else ("met" if r["met"] else "MISSED")
        print(f"{r['operation'][:70]:<70}{r['ours']:>9.3f}{ref:>9}{ratio:>8}  "
              f"{r['target_text']} {met}")
    if "--quick" not in argv:
        path = Path(__file__).resolve().parent / "results" / "interactions.csv"
        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {path}")
    if steps:
        differences_step_table()


if __name__ == "__main__":
    main()

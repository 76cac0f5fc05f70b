"""Power of the randomization test: training-set importances against held-out ones.

Run by hand:  python benchmarks/bench_significance.py   (``--quick``: a smoke test)

The problem (issue: a better significance test): ``p = 10`` standard normal inputs,
``y = 1.0 x0 + 0.5 x1 + 0.3 e`` with ``e`` standard normal, ``n = 300`` rows; ``x2`` to
``x9`` are null. Each of ``--replications`` data sets is tested by
:func:`skimportance.randomization_test` with ``--permutations`` shuffles of ``y``, on a
near-default network (``MLPRegressor((10,), alpha=1e-4, solver="lbfgs",
max_iter=100)``), in three ways:

- ``olden, training data``: connection weights of networks fitted to all rows (the
  default, as Olden & Jackson);
- ``olden, cv=5``: the same statistic, cross-fitted (mean over 5 folds' networks);
- ``permutation, cv=5``: permutation importance (R^2 drop, 2 repeats) on the held-out
  fold, averaged over the folds.

For each way: the share of data sets in which ``x0`` and ``x1`` come out significant at
``--alpha`` (power) and the share in which at least one of the eight null inputs does
(family-wise error), with raw p-values, Holm's and Westfall & Young's max-T adjusted ones.
Printed as a Markdown table. ``run(argv)`` returns one row per way for
benchmarks/run.py's report (a wall time, no reference: there is no speed ratio here).
"""

import argparse
import os
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
from sklearn.neural_network import MLPRegressor

from _timing import parse_args, row

from skimportance import randomization_test
from skimportance.methods import Permutation

QUICK = dict(replications=3, permutations=9)
EFFECTS = np.array([1.0, 0.5] + [0.0] * 8)
NOISE = 0.3
N_SAMPLES = 300
WAYS = {  # label: (method, cv)
    "olden, training data": ("olden", None),
    "olden, cv=5": ("olden", 5),
    "permutation, cv=5": ("permutation", 5),
}
ADJUSTMENTS = ("raw", "holm", "maxt")


def problem(seed):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(N_SAMPLES, EFFECTS.size))
    return X, X @ EFFECTS + NOISE * rng.normal(size=N_SAMPLES)


def network(seed):
    return MLPRegressor(hidden_layer_sizes=(10,), alpha=1e-4, solver="lbfgs", max_iter=100,
                        random_state=seed)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=50)
    parser.add_argument("--permutations", type=int, default=19)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--n-jobs", type=int, default=2)
    return parse_args(parser, argv, QUICK)


def significant(res, adjustment, alpha):
    p = res.p_values if adjustment == "raw" else res.adjusted_p_values(adjustment)
    return p <= alpha


def study(args):
    """{way: {adjustment: (n_replications, n_features) bool}} and {way: seconds}."""
    hits = {way: {a: [] for a in ADJUSTMENTS} for way in WAYS}
    seconds = dict.fromkeys(WAYS, 0.0)
    for rep in range(args.replications):
        X, y = problem(rep)
        for way, (method, cv) in WAYS.items():
            if method == "permutation":
                method = Permutation(n_repeats=2, random_state=rep)
            folds = None if cv is None else KFold(cv, shuffle=True, random_state=rep)
            start = time.perf_counter()
            res = randomization_test(network(rep), X, y, method=method,
                                     n_permutations=args.permutations, cv=folds,
                                     random_state=rep, n_jobs=args.n_jobs)
            seconds[way] += time.perf_counter() - start
            for adjustment in ADJUSTMENTS:
                hits[way][adjustment].append(significant(res, adjustment, args.alpha))
        print(f"  replication {rep + 1}/{args.replications} done", flush=True)
        if (rep + 1) % 10 == 0 and rep + 1 < args.replications:  # a long run's progress
            partial = {way: {a: np.array(v) for a, v in by.items()} for way, by in hits.items()}
            print(table(partial, args), flush=True)
    return {way: {a: np.array(v) for a, v in by.items()} for way, by in hits.items()}, seconds


def table(hits, args):
    header = ["test"] + [f"{what} {a}" for what in ("power x0", "power x1", "FWER")
                         for a in ADJUSTMENTS]
    lines = ["| " + " | ".join(header) + " |",
             "|---|" + "---:|" * (len(header) - 1)]
    nulls = EFFECTS == 0
    for way, by in hits.items():
        cells = [way]
        cells += [f"{by[a][:, 0].mean():.2f}" for a in ADJUSTMENTS]
        cells += [f"{by[a][:, 1].mean():.2f}" for a in ADJUSTMENTS]
        cells += [f"{by[a][:, nulls].any(axis=1).mean():.2f}" for a in ADJUSTMENTS]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run(argv=None):
    """Print the study's table and return one row per way for benchmarks/run.py."""
    args = parse(argv)
    # The workers run the network fits; lbfgs stopping at max_iter is expected here.
    os.environ.setdefault("PYTHONWARNINGS", "ignore::UserWarning")
    warnings.simplefilter("ignore", ConvergenceWarning)
    print(f"Randomization test power: n={N_SAMPLES}, p={EFFECTS.size}, effects "
          f"{EFFECTS[:2].tolist()} and {int((EFFECTS == 0).sum())} nulls, noise {NOISE}; "
          f"MLPRegressor((10,), alpha=1e-4, lbfgs, max_iter=100); "
          f"{args.replications} replications, {args.permutations} permutations, "
          f"alpha={args.alpha}, n_jobs={args.n_jobs}", flush=True)
    start = time.perf_counter()
    hits, seconds = study(args)
    total = time.perf_counter() - start
    half = 1.96 * np.sqrt(0.25 / args.replications)
    print()
    print(table(hits, args))
    print(f"\nPower and FWER are shares of {args.replications} data sets (95% half-width at "
          f"most {half:.2f}). Wall time {total:.0f} s; per test: " + ", ".join(
              f"{way} {t / args.replications:.1f} s" for way, t in seconds.items()))
    rows = []
    for way, by in hits.items():
        notes = "; ".join(
            f"{a}: power x0 {by[a][:, 0].mean():.2f}, x1 {by[a][:, 1].mean():.2f}, FWER "
            f"{by[a][:, EFFECTS == 0].any(axis=1).mean():.2f}" for a in ADJUSTMENTS)
        rows.append(row(f"randomization_test power, {way}, {args.replications} data sets x "
                        f"{args.permutations} permutations (n={N_SAMPLES}, p={EFFECTS.size})",
                        seconds[way] / args.replications,
                        "none (a power study, no reference)", None, notes=notes))
    return rows


def main(argv=None):
    """Print the study; return its rows."""
    return run(argv)


if __name__ == "__main__":
    main()

"""Drop-and-retrain: warm-started refits versus cold refits over all columns.

Run by hand:  python benchmarks/bench_drop.py
Target (issue: score-based methods): warm start at least 3x faster than cold refits over
all columns, with a Spearman rank correlation of at least 0.9 between the two sets of
importances, on a problem whose importances are known: y is linear in the inputs with
distinct coefficients (so the true order is known) plus a little curvature and noise,
and the last two inputs are pure noise. Refits are trained on 75% of the rows and scored
(R^2) on the other 25%.

A warm refit starts next to its optimum, so a few epochs adapt it: ``--warm-max-iter``
caps them (DropRetrain's ``max_iter``); the cold refits run to the estimator's own
convergence criterion. The Spearman correlation checks that the cap costs no ranking.

``--quick`` uses small sizes, for smoke tests. ``run(argv)`` returns the row of
benchmarks/run.py's report.
"""

import argparse
import time
import warnings

import numpy as np
from scipy.stats import spearmanr
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from _timing import parse_args, row

from skimportance.methods import DropRetrain

QUICK = dict(n_samples=1000, hidden=16)
COEFFICIENTS = np.array([5.0, 4.0, 3.0, 2.0, 1.0, 0.5, 0.0, 0.0])


def problem(n_samples, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, len(COEFFICIENTS)))
    y = X @ COEFFICIENTS + np.sin(2 * X[:, 0]) + 0.5 * rng.normal(size=n_samples)
    y = (y - y.mean()) / y.std()
    n_train = 3 * n_samples // 4
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=4000)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--warm-max-iter", type=int, default=20)
    return parse_args(parser, argv, QUICK)


def run(argv=None):
    """Print the benchmark and return its row for benchmarks/run.py."""
    args = parse(argv)

    X_train, y_train, X_test, y_test = problem(args.n_samples)
    mlp = MLPRegressor(hidden_layer_sizes=(args.hidden,), max_iter=500, random_state=0)
    model = make_pipeline(StandardScaler(), mlp).fit(X_train, y_train)
    data = dict(X_train=X_train, y_train=y_train)

    timings, values = {}, {}
    for label, method in [
        ("warm", DropRetrain(warm_start=True, max_iter=args.warm_max_iter)),
        ("cold", DropRetrain(warm_start=False)),
    ]:
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            result = method.compute(model, X_test, y_test, **data)
        timings[label] = time.perf_counter() - start
        values[label] = result.importances_mean
    ratio = timings["cold"] / timings["warm"]
    rho = spearmanr(values["warm"], values["cold"]).statistic
    true_rho = spearmanr(values["warm"], COEFFICIENTS).statistic

    print(f"Drop-and-retrain over {len(COEFFICIENTS)} columns, X_train {X_train.shape}, "
          f"MLPRegressor(hidden_layer_sizes=({args.hidden},)) after StandardScaler "
          f"(full fit: {mlp.n_iter_} epochs)")
    for label in ("warm", "cold"):
        print(f"  {label}: {timings[label]:.2f} s  importances "
              f"{np.array2string(values[label], precision=3)}")
    print(f"warm speed-up {ratio:.1f}x ({'meets' if ratio >= 3 else 'MISSES'} the target of "
          f"3x); Spearman warm vs cold {rho:.3f} ({'meets' if rho >= 0.9 else 'MISSES'} 0.9); "
          f"Spearman warm vs true coefficients {true_rho:.3f}")
    operation = (f"DropRetrain(warm_start=True, max_iter={args.warm_max_iter}), "
                 f"{len(COEFFICIENTS)} columns, X_train {X_train.shape}, MLP ({args.hidden},)")
    notes = (f"Spearman warm vs cold {rho:.3f} (target >= 0.9), warm vs true coefficients "
             f"{true_rho:.3f}")
    result = row(operation, timings["warm"], "cold refits (DropRetrain(warm_start=False))",
                 timings["cold"], target=3.0, target_text=">= 3x and Spearman >= 0.9",
                 met=bool(ratio >= 3 and rho >= 0.9), notes=notes)
    return [result | {"spearman": rho}]


def main(argv=None):
    """Print the benchmark; return the warm speed-up and the Spearman warm vs cold."""
    [result] = run(argv)
    return result["ratio"], result["spearman"]


if __name__ == "__main__":
    main()

"""Gradient importances versus one predict, on the same fitted network and data.

Run by hand:  python benchmarks/bench_gradient.py
Target (issue 2): Gradient over X (20000, 50) on MLPRegressor(hidden_layer_sizes=(128, 64))
costs at most 2.5 predicts. (A torch/captum Saliency pass costs about 9 here.)
"""

import argparse
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from _timing import best_time

from skimportance import feature_importances
from skimportance.methods import Gradient


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-features", type=int, default=50)
    parser.add_argument("--hidden", default="128,64")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args(argv)
    hidden = tuple(int(h) for h in args.hidden.split(","))

    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.n_samples, args.n_features))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=args.n_samples)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=hidden, max_iter=5, random_state=0).fit(X, y)

    t_predict = best_time(lambda: mlp.predict(X), args.repeats)
    rows = [("predict (reference)", t_predict)]
    for aggregate in ("mean_abs", "rms", "std"):
        method = Gradient(aggregate=aggregate)
        t = best_time(lambda: feature_importances(mlp, X, method=method), args.repeats)
        rows.append((f"Gradient(aggregate={aggregate!r})", t))

    print(f"X {X.shape}, MLPRegressor(hidden_layer_sizes={hidden}), best of {args.repeats}")
    print(f"{'operation':<34}{'seconds':>10}{'x predict':>11}")
    for name, t in rows:
        print(f"{name:<34}{t:>10.4f}{t / t_predict:>11.2f}")
    ratio = rows[1][1] / t_predict
    verdict = "meets" if ratio <= 2.5 else "MISSES"
    print(f"Gradient / predict = {ratio:.2f} ({verdict} the target of 2.5)")
    return ratio


if __name__ == "__main__":
    main()

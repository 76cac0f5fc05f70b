"""Path methods (integrated gradients, conductance) versus one predict, in the same run.

Run by hand:  python benchmarks/bench_path.py
Target (path methods issue): IntegratedGradients and Conductance with n_steps=50 over
2000 rows of X (20000, 50) on MLPRegressor(hidden_layer_sizes=(128, 64)) cost at most
15 predicts of the full X each (captum costs about 80 predicts for each here). The
target is for IntegratedGradients and the default Conductance(layer=0); deeper layers are
shown too: they cost one more matrix product per path point (the forward-mode tangent).
"""

import argparse
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from _timing import best_times

from skimportance import feature_importances
from skimportance._network import unwrap_network
from skimportance.methods import Conductance, IntegratedGradients

TARGET = 15.0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-features", type=int, default=50)
    parser.add_argument("--n-rows", type=int, default=2000, help="rows attributed")
    parser.add_argument("--n-steps", type=int, default=50)
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
    rows = X[: args.n_rows]

    methods = [
        ("IntegratedGradients()", IntegratedGradients(n_steps=args.n_steps)),
        ("Conductance(layer=0)", Conductance(layer=0, n_steps=args.n_steps)),
        ("Conductance(layer=1)", Conductance(layer=1, n_steps=args.n_steps)),
        ("Conductance(layer='all')", Conductance(layer="all", n_steps=args.n_steps)),
    ]
    funcs = [lambda: mlp.predict(X)] + [
        (lambda m=method: feature_importances(mlp, rows, method=m)) for _, method in methods
    ]
    t_predict, *times = best_times(funcs, args.repeats)
    print(f"X {X.shape}, MLPRegressor(hidden_layer_sizes={hidden}); path methods over "
          f"{args.n_rows} rows, n_steps={args.n_steps}; best of {args.repeats}")
    print(f"{'operation':<40}{'seconds':>10}{'x predict':>11}")
    print(f"{'predict on the full X (reference)':<40}{t_predict:>10.4f}{1:>11.2f}")
    worst = 0.0
    for (name, _), t in zip(methods, times):
        ratio = t / t_predict
        worst = max(worst, ratio)
        print(f"{name:<40}{t:>10.4f}{ratio:>11.2f}")

    result = feature_importances(mlp, rows, method=IntegratedGradients(n_steps=args.n_steps))
    net = unwrap_network(mlp)
    gap = net.predict(rows, "logit") - net.predict(rows.mean(axis=0, keepdims=True), "logit")
    relative = np.linalg.norm(result.convergence_delta) / np.linalg.norm(gap)
    print(f"completeness error |delta| / |F(x) - F(x')| = {relative:.2e} (ReLU network)")
    verdict = "meets" if worst <= TARGET else "MISSES"
    print(f"worst ratio = {worst:.2f} ({verdict} the target of {TARGET:g})")
    return worst


if __name__ == "__main__":
    main()

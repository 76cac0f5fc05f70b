"""Path methods (integrated gradients, conductance) versus one predict, in the same run.

Run by hand:  python benchmarks/bench_path.py
Target (path methods issue): IntegratedGradients and Conductance with n_steps=50 over
2000 rows of X (20000, 50) on MLPRegressor(hidden_layer_sizes=(128, 64)) cost at most
15 predicts of the full X each (captum costs about 80 predicts for each here). The
target is for IntegratedGradients and the default Conductance(layer=0); deeper layers are
shown too: they cost one more matrix product per path point (the forward-mode tangent).

Also times captum's IntegratedGradients on the same network, rows, baseline and
quadrature, in a subprocess (benchmarks/reference/captum_integrated_gradients.py), when
torch and captum are installed in this Python or in the one given by
``--reference-python``. ``--quick`` uses small sizes, for smoke tests. ``run(argv)``
returns the rows of benchmarks/run.py's report.
"""

import argparse

import numpy as np

from _reference import relative_difference, run_captum
from _timing import benchmark_network, best_times, parse_args, row

from skimportance import feature_importances
from skimportance.network import unwrap_network
from skimportance.methods import Conductance, IntegratedGradients

TARGET = 15.0
# Exact integrated gradients of a ReLU network: at most this many times the 50-step rule.
EXACT_TARGET = 4.0
QUICK = dict(n_samples=2000, n_features=20, n_rows=200, n_steps=20, hidden="32,16",
             repeats=3)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-features", type=int, default=50)
    parser.add_argument("--n-rows", type=int, default=2000, help="rows attributed")
    parser.add_argument("--n-steps", type=int, default=50)
    parser.add_argument("--hidden", default="128,64")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--reference-python", help="interpreter with torch and captum")
    return parse_args(parser, argv, QUICK)


def run(argv=None):
    """Print the benchmark and return its rows for benchmarks/run.py."""
    args = parse(argv)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    X, y, mlp = benchmark_network((args.n_samples, args.n_features), hidden)
    rows = X[: args.n_rows]

    methods = [  # (name, method, has a target)
        ("IntegratedGradients()", IntegratedGradients(n_steps=args.n_steps), True),
        ("Conductance(layer=0)", Conductance(layer=0, n_steps=args.n_steps), True),
        ("Conductance(layer=1)", Conductance(layer=1, n_steps=args.n_steps), False),
        ("Conductance(layer='all')", Conductance(layer="all", n_steps=args.n_steps), False),
        ("IntegratedGradients(quadrature='exact')",
         IntegratedGradients(quadrature="exact"), False),
    ]
    funcs = [lambda: mlp.predict(X)] + [
        (lambda m=method: feature_importances(mlp, rows, method=m)) for _, method, _ in methods
    ]
    t_predict, *times = best_times(funcs, args.repeats)
    print(f"X {X.shape}, MLPRegressor(hidden_layer_sizes={hidden}); path methods over "
          f"{args.n_rows} rows, n_steps={args.n_steps}; best of {args.repeats}")
    print(f"{'operation':<40}{'seconds':>10}{'x predict':>11}")
    print(f"{'predict on the full X (reference)':<40}{t_predict:>10.4f}{1:>11.2f}")
    for (name, _, _), t in zip(methods, times):
        print(f"{name:<40}{t:>10.4f}{t / t_predict:>11.2f}")
    worst = max(t for (_, _, has_target), t in zip(methods, times) if has_target) / t_predict

    method = methods[0][1]
    result = feature_importances(mlp, rows, method=method, return_local=True)
    net = unwrap_network(mlp)
    baseline = rows.mean(axis=0, keepdims=True)  # the method's default baseline "mean"
    gap = net.predict(rows, "logit") - net.predict(baseline, "logit")
    relative = np.linalg.norm(result.convergence_delta) / np.linalg.norm(gap)
    print(f"completeness error |delta| / |F(x) - F(x')| = {relative:.2e} (ReLU network)")
    verdict = "meets" if worst <= TARGET else "MISSES"
    print(f"worst ratio = {worst:.2f} ({verdict} the target of {TARGET:g})")

    sizes = f"{args.n_rows} rows, {args.n_steps} steps, MLP {hidden}"
    report = []
    for (name, _, has_target), t in zip(methods, times):
        target = dict(target=1 / TARGET, target_text=f"<= {TARGET:g} predicts")
        notes = f"{t / t_predict:.2f} predicts"
        if name.startswith("Integrated"):
            notes += f"; completeness error {relative:.1e}"
        report.append(row(f"{name}, {sizes}", t, "one predict of the full X", t_predict,
                          notes=notes, **(target if has_target else {})))

    # Exact integrals (the path's linear pieces) against the default 50-step rule.
    t_exact = times[-1]
    exact = feature_importances(mlp, rows, method=methods[-1][1], return_local=True)
    exact_error = np.linalg.norm(exact.convergence_delta) / np.linalg.norm(gap)
    print(f"exact integrated gradients: {t_exact / times[0]:.2f} x the {args.n_steps}-step "
          f"rule; completeness error {exact_error:.1e} (the rule's {relative:.1e})")
    report.append(row(f"IntegratedGradients(quadrature='exact'), {args.n_rows} rows, MLP "
                      f"{hidden}", t_exact, f"IntegratedGradients({args.n_steps} steps)",
                      times[0], target=1 / EXACT_TARGET,
                      target_text=f"<= {EXACT_TARGET:g}x the rule, completeness 1e-12",
                      met=bool(t_exact / times[0] <= EXACT_TARGET and exact_error <= 1e-12),
                      notes=f"completeness error {exact_error:.1e} (the rule's "
                            f"{relative:.1e}); {t_exact / t_predict:.2f} predicts"))

    t_ig = times[0]
    operation = f"IntegratedGradients(), {sizes}"
    captum = run_captum("captum_integrated_gradients.py", mlp, args.reference_python,
                        min(args.repeats, 3), rows=rows, baseline=baseline,
                        n_steps=args.n_steps)
    if isinstance(captum, str):
        print(f"captum IntegratedGradients: skipped ({captum})")
        report.append(row(operation, t_ig, "captum IntegratedGradients", None, notes=captum))
        return report
    diff = relative_difference(result.local[:, 0], captum["attributions"])
    notes = (f"{captum['seconds'] / t_predict:.1f} predicts; same attributions to "
             f"{diff:.1e} (relative); torch {captum['torch']}, captum {captum['captum']}, "
             f"{captum['threads']} threads")
    print(f"captum IntegratedGradients: {captum['seconds']:.4f} s, {notes}")
    report.append(row(operation, t_ig, "captum IntegratedGradients", captum["seconds"],
                      notes=notes))
    return report


if __name__ == "__main__":
    run()

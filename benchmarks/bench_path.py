"""Path methods (integrated gradients, conductance) versus one predict, in the same run.

Run by hand:  python benchmarks/bench_path.py
Target (issue 17; 15 in the path methods issue): IntegratedGradients and Conductance
with n_steps=50 over 2000 rows of X (20000, 50) on MLPRegressor(hidden_layer_sizes=
(128, 64)) cost at most 5 predicts of the full X each, and integrated gradients runs at
least 20 times faster than captum's on the same network, rows and rule. The target is for
IntegratedGradients and the default Conductance(layer=0); deeper layers are shown too:
they cost one more matrix product per path point (the forward-mode tangent).

The limit of each row counts the products at the float64 matrix-product rate this
machine reaches in the same run (``peak_gflops``): the first layer is affine along the
straight path, so it costs nothing per step; per path point, the forward pass of the
later layers and the backward pass down to the first hidden layer; per row, one product
of the summed first-layer gradient with W1.

Also times captum's IntegratedGradients on the same network, rows, baseline and
quadrature, in a subprocess (benchmarks/reference/captum_integrated_gradients.py), when
torch and captum are installed in this Python or in the one given by
``--reference-python``. ``--quick`` uses small sizes, for smoke tests. ``run(argv)``
returns the rows of benchmarks/run.py's report.
"""

import argparse

import numpy as np

from _reference import relative_difference, run_captum
from _timing import benchmark_network, best_times, parse_args, peak_gflops, row

from skimportance import feature_importances
from skimportance.network import unwrap_network
from skimportance.methods import Conductance, IntegratedGradients

TARGET = 5.0  # predicts
CAPTUM_TARGET = 20.0  # times faster than captum's IntegratedGradients
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


def path_flops(widths, n_rows, n_steps, tangent_layers=0):
    """Floating-point operations of a quadrature over the straight path.

    ``widths`` = (p, h_1, ..., k). Per path point: the products of the hidden layers after
    the first (forward) and the same back down to the first hidden layer, times the
    outputs; ``tangent_layers`` more forward products for the deeper conductance layers.
    Per row: the summed first-layer gradient times W1.
    """
    p, *hidden, k = widths
    later = sum(a * b for a, b in zip(hidden, hidden[1:]))
    deep = hidden[:tangent_layers + 1]
    tangents = sum(a * b for a, b in zip(deep, deep[1:]))
    per_point = later + k * later + tangents
    return 2 * (n_rows * n_steps * per_point + n_rows * k * hidden[0] * p)


def exact_flops(widths, net, rows, baseline):
    """The products of the exact integrals: the later layers at the first layer's
    breakpoints (to find the later ones), then a forward and a backward pass at every
    piece's midpoint, and one product with W1 per row."""
    from skimportance.methods._exact_paths import _breakpoints

    p, *hidden, k = widths
    u = baseline @ net.coefs[0] + net.intercepts[0]
    v = (rows - baseline) @ net.coefs[0]
    roots = -u / v
    first = len(rows) * 2 + int(((roots > 0) & (roots < 1)).sum())
    owner, _ = _breakpoints(net, u, v)
    pieces = int((owner[1:] == owner[:-1]).sum())
    later = sum(a * b for a, b in zip(hidden, hidden[1:]))
    per_row = k * hidden[0] * p
    flops = 2 * (first * later + pieces * (later + k * later) + len(rows) * per_row)
    return flops, pieces / len(rows)


def limit_text(flops, t_predict, unit="predicts", t_unit=None):
    """The operation count at the machine's peak, in ``unit``s of ``t_unit`` seconds."""
    peak = peak_gflops()
    t_limit = flops / (peak * 1e9)
    return (f"{t_limit / (t_unit or t_predict):.2f} {unit} ({flops / 1e9:.2f} GFLOP at the "
            f"peak {peak:.0f} GFLOP/s)")


def run(argv=None):
    """Print the benchmark and return its rows for benchmarks/run.py."""
    args = parse(argv)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    X, y, mlp = benchmark_network((args.n_samples, args.n_features), hidden)
    rows = X[: args.n_rows]

    widths = (args.n_features, *hidden, 1)
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
    # Deeper conductance layers add a forward-mode tangent per layer past the first.
    n_tangents = [0, 0, 1, len(hidden) - 1]
    flops = [path_flops(widths, args.n_rows, args.n_steps, m) for m in n_tangents]
    limits = [limit_text(f, t_predict) for f in flops]
    report = []
    for (name, _, has_target), t, limit in zip(methods, times, limits):
        target = dict(target=1 / TARGET, target_text=f"<= {TARGET:g} predicts")
        notes = f"{t / t_predict:.2f} predicts"
        if name.startswith("Integrated"):
            notes += f"; completeness error {relative:.1e}"
        print(f"{name}: limit {limit}")
        report.append(row(f"{name}, {sizes}", t, "one predict of the full X", t_predict,
                          notes=notes, limit_text=limit, **(target if has_target else {})))

    # Exact integrals (the path's linear pieces) against the default 50-step rule.
    t_exact = times[-1]
    exact = feature_importances(mlp, rows, method=methods[-1][1], return_local=True)
    exact_error = np.linalg.norm(exact.convergence_delta) / np.linalg.norm(gap)
    print(f"exact integrated gradients: {t_exact / times[0]:.2f} x the {args.n_steps}-step "
          f"rule; completeness error {exact_error:.1e} (the rule's {relative:.1e})")
    e_flops, pieces = exact_flops(widths, unwrap_network(mlp), rows, baseline)
    exact_limit = (f"{e_flops / flops[0]:.2f}x the rule's products ({pieces:.0f} pieces a "
                   f"row; {limit_text(e_flops, t_predict)})")
    print(f"exact: limit {exact_limit}")
    report.append(row(f"IntegratedGradients(quadrature='exact'), {args.n_rows} rows, MLP "
                      f"{hidden}", t_exact, f"IntegratedGradients({args.n_steps} steps)",
                      times[0], target=1 / EXACT_TARGET,
                      target_text=f"<= {EXACT_TARGET:g}x the rule, completeness 1e-12",
                      met=bool(t_exact / times[0] <= EXACT_TARGET and exact_error <= 1e-12),
                      notes=f"completeness error {exact_error:.1e} (the rule's "
                            f"{relative:.1e}); {t_exact / t_predict:.2f} predicts",
                      limit_text=exact_limit))

    t_ig = times[0]
    operation = f"IntegratedGradients(), {sizes}"
    captum = run_captum("captum_integrated_gradients.py", mlp, args.reference_python,
                        min(args.repeats, 3), rows=rows, baseline=baseline,
                        n_steps=args.n_steps)
    captum_target = dict(target=CAPTUM_TARGET, target_text=f">= {CAPTUM_TARGET:g}x faster")
    if isinstance(captum, str):
        print(f"captum IntegratedGradients: skipped ({captum})")
        report.append(row(operation, t_ig, "captum IntegratedGradients", None, notes=captum,
                          **captum_target))
        return report
    diff = relative_difference(result.local[:, 0], captum["attributions"])
    notes = (f"{captum['seconds'] / t_predict:.1f} predicts; same attributions to "
             f"{diff:.1e} (relative); torch {captum['torch']}, captum {captum['captum']}, "
             f"{captum['threads']} threads")
    ratio = captum["seconds"] / t_ig
    t_limit = flops[0] / (peak_gflops() * 1e9)
    captum_limit = (f"{captum['seconds'] / t_limit:.0f}x (captum's time over our products "
                    "at the peak)")
    verdict = "meets" if ratio >= CAPTUM_TARGET else "MISSES"
    print(f"captum IntegratedGradients: {captum['seconds']:.4f} s, {notes}; ours is "
          f"{ratio:.1f}x faster ({verdict} the target of {CAPTUM_TARGET:g}x); limit "
          f"{captum_limit}")
    report.append(row(operation, t_ig, "captum IntegratedGradients", captum["seconds"],
                      notes=notes, limit_text=captum_limit, **captum_target))
    return report


if __name__ == "__main__":
    run()

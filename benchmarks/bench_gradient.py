"""Gradient importances versus one predict, on the same fitted network and data.

Run by hand:  python benchmarks/bench_gradient.py
Target (issue 17; 2.5 in issue 2): Gradient over X (20000, 50) on
MLPRegressor(hidden_layer_sizes=(128, 64)) costs at most 1.5 predicts. (A torch/captum
Saliency pass costs about 9 here.) The limit in the report counts the products: a forward
and a backward pass, about twice a predict's, at the float64 matrix-product rate this
machine reaches in the same run (``peak_gflops``).

Also times captum's Saliency on the same network and X, in a subprocess
(benchmarks/reference/captum_gradient.py), when torch and captum are installed in this
Python or in the one given by ``--reference-python``. ``--quick`` uses small sizes, for
smoke tests. ``run(argv)`` returns the rows of benchmarks/run.py's report.
"""

import argparse

from _reference import relative_difference, run_captum
from _timing import benchmark_network, best_time, parse_args, peak_gflops, row

from skimportance import feature_importances
from skimportance.network import unwrap_network
from skimportance.methods import Gradient

TARGET = 1.5  # predicts
QUICK = dict(n_samples=2000, n_features=20, hidden="32,16", repeats=3)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-features", type=int, default=50)
    parser.add_argument("--hidden", default="128,64")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--reference-python", help="interpreter with torch and captum")
    return parse_args(parser, argv, QUICK)


def gradient_limit(mlp, X, t_predict):
    """The products of a forward and a backward pass at the machine's peak, in predicts."""
    widths = [X.shape[1], *(W.shape[1] for W in mlp.coefs_)]
    forward = sum(a * b for a, b in zip(widths, widths[1:]))
    # Back to the inputs, without the last layer (its weights are dF/da of the last
    # hidden layer, the same for every row).
    backward = sum(a * b for a, b in zip(widths[:-1], widths[1:-1]))
    flops = 2 * X.shape[0] * (forward + backward)
    peak = peak_gflops()
    predict_rate = 2 * X.shape[0] * forward / t_predict / 1e9
    return (f"{flops / (peak * 1e9) / t_predict:.2f} predicts ({flops / 1e9:.2f} GFLOP at "
            f"the peak {peak:.0f} GFLOP/s; {(forward + backward) / forward:.2f} at "
            f"predict's own {predict_rate:.0f} GFLOP/s)")


def run(argv=None):
    """Print the benchmark and return its rows for benchmarks/run.py."""
    args = parse(argv)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    X, y, mlp = benchmark_network((args.n_samples, args.n_features), hidden)

    t_predict = best_time(lambda: mlp.predict(X), args.repeats)
    times = {}
    for aggregate in ("mean_abs", "rms", "std"):
        method = Gradient(aggregate=aggregate)
        times[aggregate] = best_time(lambda: feature_importances(mlp, X, method=method),
                                     args.repeats)

    print(f"X {X.shape}, MLPRegressor(hidden_layer_sizes={hidden}), best of {args.repeats}")
    print(f"{'operation':<34}{'seconds':>10}{'x predict':>11}")
    print(f"{'predict (reference)':<34}{t_predict:>10.4f}{1:>11.2f}")
    for aggregate, t in times.items():
        print(f"{f'Gradient(aggregate={aggregate!r})':<34}{t:>10.4f}{t / t_predict:>11.2f}")
    t_ours = times["mean_abs"]
    ratio = t_ours / t_predict
    verdict = "meets" if ratio <= TARGET else "MISSES"
    print(f"Gradient / predict = {ratio:.2f} ({verdict} the target of {TARGET:g})")

    limit_text = gradient_limit(mlp, X, t_predict)
    print(f"limit: {limit_text}")
    operation = f"Gradient, X {X.shape}, MLP {hidden}"
    rows = [row(operation, t_ours, "one predict", t_predict, target=1 / TARGET,
                target_text=f"<= {TARGET:g} predicts", notes=f"{ratio:.2f} predicts",
                limit_text=limit_text)]
    captum = run_captum("captum_gradient.py", mlp, args.reference_python, args.repeats,
                        X=X, output="proba")
    if isinstance(captum, str):
        print(f"captum Saliency: skipped ({captum})")
        rows.append(row(operation, t_ours, "captum Saliency", None, notes=captum))
        return rows
    ours = unwrap_network(mlp).input_gradients(X, output="proba")
    diff = relative_difference(ours, captum["attributions"])
    notes = (f"{captum['seconds'] / t_predict:.1f} predicts; same Jacobian to {diff:.1e} "
             f"(relative); ours includes the aggregation; torch {captum['torch']}, captum "
             f"{captum['captum']}, {captum['threads']} threads")
    print(f"captum Saliency: {captum['seconds']:.4f} s, {notes}")
    rows.append(row(operation, t_ours, "captum Saliency", captum["seconds"], notes=notes))
    return rows


if __name__ == "__main__":
    run()

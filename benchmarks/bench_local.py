"""Per-row DeepLift and SmoothGrad in predicts, and agreement with captum's DeepLift,
InputXGradient, NoiseTunnel (SmoothGrad) and GradientShap on the same network and rows.

Run by hand:  python benchmarks/bench_local.py --reference-python /path/to/python
(an interpreter with torch and captum: benchmarks/reference/captum_local.py runs there).

Targets (issue 13), X (20000, 50), MLPRegressor (128, 64), per-row values
(``return_local=True``): DeepLift at most 3 predicts, SmoothGrad with 10 samples at most
12 predicts (one predict: scikit-learn's ``predict`` on the same X).

Agreement: DeepLift (Rescale, baseline the column means) and InputXGradient (baseline
zeros) are deterministic and must equal captum's to rounding. SmoothGrad and
GradientShap (our ExpectedGradients) draw random noise, baselines and path points that
cannot be matched to torch's generator, so they agree statistically: for each input the
mean over rows of the per-row difference ours - captum, divided by its standard error
(from the spread of the differences over the rows, which are independent); with no
bias, these are about standard normal, and the report gives the largest of them in
absolute value, next to the bound it exceeds with probability 1% (Bonferroni over the
inputs: 3.72 for 50). ``run(argv)`` returns the rows of benchmarks/run.py's report.
"""

import argparse

import numpy as np
from _reference import relative_difference, run_captum
from _timing import benchmark_network, best_time, best_times, parse_args, peak_gflops, row

from skimportance import feature_importances
from skimportance.methods import DeepLift, ExpectedGradients, InputXGradient, SmoothGrad

DEEPLIFT_TARGET = 3.0  # predicts
SMOOTHGRAD_TARGET = 12.0  # predicts
QUICK = dict(n_samples=2000, n_features=20, hidden="32,16", repeats=3)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=20000)
    parser.add_argument("--n-features", type=int, default=50)
    parser.add_argument("--hidden", default="128,64")
    parser.add_argument("--noise-samples", type=int, default=10)
    parser.add_argument("--stdevs", type=float, default=0.15)
    parser.add_argument("--background", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--reference-python", help="interpreter with torch and captum")
    return parse_args(parser, argv, QUICK)


def z_bound(n_inputs, level=0.01):
    """|z| that the largest of ``n_inputs`` standard normals exceeds with about ``level``."""
    from scipy.stats import norm

    return float(norm.isf(level / (2 * n_inputs)))


def largest_z(ours, theirs):
    """Largest |mean difference / its standard error| over inputs, over independent rows."""
    diff = ours - theirs
    se = diff.std(axis=0, ddof=1) / np.sqrt(diff.shape[0])
    return float(np.max(np.abs(diff.mean(axis=0)) / se))


def limits(mlp, X, n_draws, t_predict):
    """Each timed method's products at the machine's peak (and SmoothGrad's draws at one
    core's rate of ``standard_normal``), in predicts: the report's limit column."""
    widths = [X.shape[1], *(W.shape[1] for W in mlp.coefs_)]
    forward = sum(a * b for a, b in zip(widths, widths[1:]))
    to_first = sum(a * b for a, b in zip(widths[1:-1], widths[2:-1]))  # back to layer 1
    n, peak = X.shape[0], peak_gflops() * 1e9
    # DeepLift: a forward pass and a backward pass of multipliers to the inputs (the
    # baseline's forward pass is one row).
    deeplift = 2 * n * (forward + to_first + widths[0] * widths[1]) / peak
    # SmoothGrad: per draw a forward pass and a backward pass to the first layer; its
    # product with W1 once per row; and the draws.
    rng = np.random.default_rng(0)
    rate = 1e6 / best_time(lambda: rng.standard_normal(1_000_000), 3)
    products = 2 * n * (n_draws * (forward + to_first) + widths[0] * widths[1]) / peak
    draws = n * n_draws * X.shape[1] / rate
    return {
        "deeplift": f"{deeplift / t_predict:.2f} predicts (a forward and a backward pass "
                    f"at the peak {peak / 1e9:.0f} GFLOP/s)",
        "smoothgrad": f"{(products + draws) / t_predict:.1f} predicts ({products / t_predict:.1f} "
                      f"for the products at the peak, {draws / t_predict:.1f} for the "
                      f"{n * n_draws * X.shape[1] / 1e6:.3g} M normal draws at one core's "
                      f"{rate / 1e6:.0f} M/s)",
    }


def run(argv=None):
    """Print the benchmark and return its rows for benchmarks/run.py."""
    args = parse(argv)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    X, y, mlp = benchmark_network((args.n_samples, args.n_features), hidden)
    mean = X.mean(axis=0)
    background = X[:args.background]
    S = args.noise_samples
    methods = {
        "deeplift": DeepLift(baseline=mean),
        "input_x_gradient": InputXGradient(baseline="zeros"),
        "smoothgrad": SmoothGrad(n_samples=S, stdevs=args.stdevs, random_state=0),
        "gradient_shap": ExpectedGradients(background=background, n_samples=S,
                                           random_state=0),
    }
    # SmoothGrad with scale=False: the plain gradient under noise, as captum's. Its noise
    # is in units of each input's population standard deviation, which captum_local.py
    # is given as noise_scale.
    scale = {"smoothgrad": False}

    def compute(name):
        return feature_importances(mlp, X, method=methods[name], return_local=True,
                                   scale=scale.get(name, True))

    local = {name: compute(name).local[:, 0] for name in methods}
    # Timed in turns, so that load from elsewhere on the machine hits the predict and
    # the methods alike.
    measured = best_times([lambda: mlp.predict(X)] + [
        lambda name=name: compute(name) for name in methods], args.repeats)
    t_predict, times = measured[0], dict(zip(methods, measured[1:]))
    print(f"X {X.shape}, MLPRegressor(hidden_layer_sizes={hidden}), per-row values, best "
          f"of {args.repeats}; predict {t_predict:.4f} s")
    for name, t in times.items():
        print(f"  {name:<18}{t:>9.4f} s{t / t_predict:>8.2f} predicts")

    size = f"X {X.shape}, MLP {hidden}"
    ops = {"deeplift": f"DeepLift per-row values, {size}",
           "input_x_gradient": f"InputXGradient(baseline='zeros') per-row values, {size}",
           "smoothgrad": f"SmoothGrad(n_samples={S}) per-row values, {size}",
           "gradient_shap": f"ExpectedGradients(n_samples={S}) per-row values, {size}"}
    targets = {"deeplift": DEEPLIFT_TARGET, "smoothgrad": SMOOTHGRAD_TARGET}
    limit = limits(mlp, X, S, t_predict)
    rows = []
    for name in ("deeplift", "smoothgrad"):
        ratio = times[name] / t_predict
        rows.append(row(ops[name], times[name], "one predict", t_predict,
                        target=1 / targets[name],
                        target_text=f"<= {targets[name]:g} predicts",
                        notes=f"{ratio:.2f} predicts", limit_text=limit[name]))
        print(f"  {name} limit: {limit[name]}")

    captum = run_captum("captum_local.py", mlp, args.reference_python, args.repeats,
                        X=X, baseline=mean, background=background,
                        noise_scale=X.std(axis=0), stdevs=args.stdevs, n_samples=S)
    if isinstance(captum, str):
        print(f"captum: skipped ({captum})")
        return rows + [row(ops[name], times[name], "captum", None, notes=captum)
                       for name in methods]
    versions = (f"torch {captum['torch']}, captum {captum['captum']}, "
                f"{captum['threads']} threads")
    reference = {"deeplift": "captum DeepLift", "input_x_gradient": "captum InputXGradient",
                 "smoothgrad": "captum NoiseTunnel(Saliency, smoothgrad)",
                 "gradient_shap": "captum GradientShap (stdevs=0)"}
    for name in methods:
        theirs = captum[f"attributions_{name}"]
        seconds = captum[f"seconds_{name}"]
        if name in ("deeplift", "input_x_gradient"):
            agreement = (f"same values to {relative_difference(local[name], theirs):.1e} "
                         "(relative)")
        else:
            importances = relative_difference(np.abs(local[name]).mean(axis=0),
                                              np.abs(theirs).mean(axis=0))
            agreement = (f"random draws not matched: largest |mean difference / se| over "
                         f"inputs {largest_z(local[name], theirs):.2f} (1% bound "
                         f"{z_bound(X.shape[1]):.2f}), importances differ by "
                         f"{importances:.1e}")
        notes = f"{seconds / t_predict:.1f} predicts; {agreement}; {versions}"
        print(f"  {reference[name]}: {seconds:.4f} s, {notes}")
        rows.append(row(ops[name], times[name], reference[name], seconds, notes=notes))
    return rows


if __name__ == "__main__":
    run()

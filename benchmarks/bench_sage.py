"""SAGE values against sage-importance's PermutationEstimator, on the same network,
data, background and number of walks.

Run by hand:  python benchmarks/bench_sage.py --reference-python /path/to/python
(an interpreter with numpy and sage-importance: benchmarks/reference/sage_reference.py
runs there).

No target in issue 13: the report gives the time ratio and the agreement. Both sides
walk ``n_permutations`` (row, order) pairs, each adding the d inputs one at a time and
evaluating the network on all background rows at each step: ``P x d x |B|`` network
evaluations whoever computes them. sage builds those rows and calls the model (a numpy
forward pass on the same weights, so it pays no scikit-learn overhead); ours changes
only the first layer's pre-activation by one rank-one term per step, so what remains
is the later layers on ``P x d x |B|`` rows: the arithmetic limit, timed here as the
later layers' matrix products alone on one thread (the engine shares the walks among
threads, each running BLAS on one; the elementwise work, the running sums of the first
layer and the activations, comes on top). The two draw different rows and orders, so they
agree only statistically: the report gives the largest and the mean square of ``(ours
- sage) / sqrt(se_ours^2 + se_sage^2)``. ``run(argv)`` returns the rows of
benchmarks/run.py's report.
"""

import argparse
import time

import numpy as np
from _reference import run_reference
from _timing import benchmark_network, best_time, parse_args, row

from skimportance import feature_importances
from skimportance.methods import Sage
from skimportance.network import single_threaded_blas

QUICK = dict(n_samples=200, n_features=6, background=16, n_permutations=512,
             hidden="16,8", repeats=1)
SAGE_HINT = ("pass --reference-python /path/to/python to use an interpreter that has "
             "sage-importance (pip install sage-importance there)")


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=2000)
    parser.add_argument("--n-features", type=int, default=12)
    parser.add_argument("--background", type=int, default=64)
    parser.add_argument("--n-permutations", type=int, default=4096,
                        help="walks, both sides (a multiple of --batch-size)")
    parser.add_argument("--batch-size", type=int, default=512)
    parser.add_argument("--hidden", default="64,32")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--reference-python", help="interpreter with sage-importance")
    return parse_args(parser, argv, QUICK)


def later_layers(mlp, X, B, n_rows, repeats):
    """Seconds of the later layers' matrix products on ``n_rows`` coalition rows, on one
    thread (BLAS's own threads cost more than they give on blocks this small, and the
    engine runs them on one), measured on a cache-sized block of at most 2**13 rows and
    scaled; and their flops."""
    W, b = mlp.coefs_, mlp.intercepts_
    block = min(n_rows, 2**13)
    rows = B[np.arange(block) % len(B)]
    H = [np.maximum(rows @ W[0] + b[0], 0)]
    for Wl, bl in zip(W[1:-1], b[1:-1]):
        H.append(np.maximum(H[-1] @ Wl + bl, 0))

    def products():
        for Hl, Wl in zip(H, W[1:]):
            Hl @ Wl

    flops = 2 * n_rows * sum(Wl.size for Wl in W[1:])
    with single_threaded_blas():
        return best_time(products, repeats) * n_rows / block, flops


def run(argv=None):
    """Print the benchmark and return its rows for benchmarks/run.py."""
    args = parse(argv)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    X, y, mlp = benchmark_network((args.n_samples, args.n_features), hidden)
    B = X[:args.background]
    P, d, nb = args.n_permutations, X.shape[1], B.shape[0]
    method = Sage(background=B, algorithm="sampled", n_permutations=P,
                  batch_size=args.batch_size, random_state=0)
    result = feature_importances(mlp, X, y, method=method)
    ours = best_time(lambda: feature_importances(mlp, X, y, method=method),
                     max(1, args.repeats))
    evaluations = P * d * nb
    t_limit, flops = later_layers(mlp, X, B, evaluations, max(3, args.repeats))
    operation = (f"SAGE sampled, X {X.shape}, {P} walks, background {nb}, MLP {hidden}")
    print(f"{operation}: ours {ours:.3f} s, {evaluations} network evaluations "
          f"({flops / ours / 1e9:.1f} GFLOP/s of later-layer products); products alone "
          f"{t_limit:.3f} s")
    out = [row(operation, ours, "later-layer matrix products alone, one thread "
               "(arithmetic limit)",
               t_limit, notes=f"{evaluations} evaluations, {flops / 1e9:.2f} GFLOP; "
               f"products at {flops / t_limit / 1e9:.1f} GFLOP/s")]
    theirs = run_reference("sage_reference.py", mlp, args.reference_python,
                           max(1, args.repeats), tool="sage", modules=("sage",),
                           hint=SAGE_HINT, X=X, Y=y, background=B, n_permutations=P,
                           batch_size=args.batch_size, seed=0)
    if isinstance(theirs, str):
        print(f"  sage PermutationEstimator: skipped ({theirs})")
        return out + [row(operation, ours, "sage PermutationEstimator", None, notes=theirs)]
    ours_values, se = result.per_output[0], result.standard_error
    z = (ours_values - theirs["values"]) / np.sqrt(se**2 + theirs["std"]**2)
    ratio = theirs["seconds"] / ours
    notes = (f"sage-importance {theirs['sage']}, {theirs['evaluations']} rows evaluated "
             f"(ours {evaluations}); values {np.round(ours_values, 4).tolist()} vs "
             f"{np.round(theirs['values'], 4).tolist()}; largest |z| {np.abs(z).max():.2f},"
             f" mean z^2 {np.mean(z**2):.2f} (about 1 expected); standard errors: ours "
             f"median {np.median(se):.2e}, sage {np.median(theirs['std']):.2e}")
    print(f"  sage PermutationEstimator: {theirs['seconds']:.3f} s; {notes}; ratio "
          f"{ratio:.2f}")
    limit = (f"~{theirs['seconds'] / t_limit:.0f}x (the later-layer products alone, one "
             "thread)")
    return out + [row(operation, ours, "sage PermutationEstimator", theirs["seconds"],
                      notes=notes, limit_text=limit)]


if __name__ == "__main__":
    run()

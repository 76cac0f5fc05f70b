"""Exact and sampled Shapley values against shap's explainers, on the same network,
background and rows.

Run by hand:  python benchmarks/bench_shapley.py --reference-python /path/to/python
(an interpreter with numpy and shap: benchmarks/reference/shap_shapley.py runs there).

Targets (issue 13), background 100 rows, MLPRegressor (64, 32):

- exact, X (1000, 12): at least 2x faster than shap's ExactExplainer, equal values
  (to 1e-9). shap takes about 0.8 s per row here, so it explains ``--shap-rows`` of the
  rows and the times compared are per row (rows are independent, both sides).
- sampled, d = 50: at least 3x faster than shap's PermutationExplainer at the same
  number of network evaluations (``n_permutations`` antithetic pairs of walks: ours
  evaluates ``2 P d`` coalitions per row, shap ``P (2 d + 1)``), with a standard error
  per value. The two estimates use different random orders, so they agree only
  statistically: the report gives the mean of ``(ours - shap)^2 / (2 se^2)`` (near 1
  when both have the spread our standard error states).

Exact values cost ``2^d x |background|`` network evaluations per row whoever computes
them. The report also times, per row, a plain scikit-learn ``predict`` and a numpy
forward pass of all those coalition rows, and the arithmetic limit: the matrix
products of the later layers alone on that many rows (what remains once the first
layer is a rank-one update), with the flop rate they reach. ``run(argv)`` returns the
rows of benchmarks/run.py's report.
"""

import argparse
import time

import numpy as np
from _reference import run_reference
from _timing import benchmark_network, best_time, parse_args, row

from skimportance import feature_importances
from skimportance.methods import Shapley

EXACT_TARGET = 2.0
SAMPLED_TARGET = 3.0
QUICK = dict(n_samples=40, shap_rows=4, sampled_rows=10, n_features_sampled=20,
             n_permutations=4, background=30, hidden="16,8", repeats=1)
SHAP_HINT = ("pass --reference-python /path/to/python to use an interpreter that has "
             "shap (pip install shap there)")


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1000, help="rows, exact mode")
    parser.add_argument("--n-features", type=int, default=12, help="inputs, exact mode")
    parser.add_argument("--shap-rows", type=int, default=20,
                        help="rows shap's ExactExplainer explains (times per row)")
    parser.add_argument("--sampled-rows", type=int, default=200)
    parser.add_argument("--n-features-sampled", type=int, default=50)
    parser.add_argument("--n-permutations", type=int, default=16)
    parser.add_argument("--background", type=int, default=100)
    parser.add_argument("--hidden", default="64,32")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--reference-python", help="interpreter with numpy and shap")
    return parse_args(parser, argv, QUICK)


def run_shap(mlp, python, repeats, **arrays):
    """shap's explainer on ``mlp`` and ``arrays`` in a subprocess: its result, or why
    it was skipped."""
    return run_reference("shap_shapley.py", mlp, python, repeats, tool="shap",
                         modules=("shap",), hint=SHAP_HINT, **arrays)


def coalition_rows(x, B):
    """Every coalition of x's inputs joined with every background row: (2^d |B|, d)."""
    d = x.shape[0]
    member = ((np.arange(1 << d)[:, None] >> np.arange(d)) & 1).astype(bool)
    return np.where(member[:, None, :], x, B[None]).reshape(-1, d)


def limits(mlp, X, B, repeats):
    """Per-row seconds of a plain predict, a numpy forward pass and the later layers'
    matrix products alone, on one row's ``2^d |B|`` coalition rows; and the flops."""
    Z = coalition_rows(X[0], B)
    W, b = mlp.coefs_, mlp.intercepts_

    def forward():
        a = np.maximum(Z @ W[0] + b[0], 0)
        for Wl, bl in zip(W[1:-1], b[1:-1]):
            a = np.maximum(a @ Wl + bl, 0)
        return a @ W[-1] + b[-1]

    H = [np.maximum(Z @ W[0] + b[0], 0)]
    for Wl, bl in zip(W[1:-1], b[1:-1]):
        H.append(np.maximum(H[-1] @ Wl + bl, 0))

    def later_products():
        for Hl, Wl in zip(H, W[1:]):
            Hl @ Wl

    t_predict = best_time(lambda: mlp.predict(Z), repeats)
    t_forward = best_time(forward, repeats)
    t_products = best_time(later_products, repeats)
    flops = 2 * Z.shape[0] * sum(Wl.size for Wl in W[1:])
    return t_predict, t_forward, t_products, flops


def exact(args, hidden, rows):
    X, _, mlp = benchmark_network((args.n_samples, args.n_features), hidden)
    B = X[:args.background]
    method = Shapley(background=B, algorithm="exact")
    start = time.perf_counter()
    result = feature_importances(mlp, X, method=method, return_local=True)
    t_all = time.perf_counter() - start
    ours = t_all / X.shape[0]
    d, nb = X.shape[1], B.shape[0]
    evaluations = (1 << d) * nb
    t_predict, t_forward, t_products, flops = limits(mlp, X, B, max(3, args.repeats))
    print(f"exact: X {X.shape}, background {nb}, MLP {hidden}: {2**d} x {nb} = "
          f"{evaluations} evaluations per row")
    print(f"  ours: {t_all:.2f} s for {X.shape[0]} rows, {ours * 1e3:.1f} ms per row "
          f"({flops / ours / 1e9:.1f} GFLOP/s of later-layer products)")
    print(f"  per row: sklearn predict of all coalitions {t_predict * 1e3:.1f} ms, numpy "
          f"forward {t_forward * 1e3:.1f} ms, later-layer products alone "
          f"{t_products * 1e3:.1f} ms ({flops / t_products / 1e9:.1f} GFLOP/s)")
    operation = f"Shapley exact, X {X.shape}, background {nb}, MLP {hidden}, per row"
    limit_note = (f"one run of {X.shape[0]} rows; {evaluations} evaluations per row; "
                  f"{flops / 1e9:.2f} GFLOP of "
                  f"later-layer products per row, {flops / ours / 1e9:.1f} GFLOP/s achieved")
    out = [row(operation, ours, "sklearn predict of all 2^d x |B| coalition rows",
               t_predict, notes=limit_note),
           row(operation, ours, "later-layer matrix products alone (arithmetic limit)",
               t_products, notes=f"numpy forward of all coalitions {t_forward * 1e3:.1f} ms"
               f"; products at {flops / t_products / 1e9:.1f} GFLOP/s")]
    shap_rows = X[nb:nb + rows] if X.shape[0] >= nb + rows else X[:rows]
    index = slice(nb, nb + rows) if X.shape[0] >= nb + rows else slice(0, rows)
    shap = run_shap(mlp, args.reference_python, 1, X=shap_rows, background=B,
                    algorithm="exact")
    target_text = f">= {EXACT_TARGET:g}x, values equal to 1e-9"
    if isinstance(shap, str):
        print(f"  shap ExactExplainer: skipped ({shap})")
        return out + [row(operation, ours, "shap ExactExplainer", None, notes=shap)]
    per_row = shap["seconds"] / len(shap_rows)
    diff = float(np.abs(result.local[index, 0] - shap["values"]).max())
    base = float(np.abs(result.expected_value - shap["base_values"]).max())
    ratio = per_row / ours
    met = ratio >= EXACT_TARGET and diff <= 1e-9
    notes = (f"shap {shap['shap']} on {len(shap_rows)} rows, {per_row:.3f} s per row, "
             f"{shap['evaluations'] / len(shap_rows):.0f} evaluations per row; largest "
             f"difference of the values {diff:.1e}, of the expected value {base:.1e}")
    print(f"  shap ExactExplainer: {notes}; ratio {ratio:.2f}")
    limit = (f"~{per_row / t_products:,.0f}x (the later-layer products alone, at "
             f"{flops / t_products / 1e9:.0f} GFLOP/s)")
    return out + [row(operation, ours, "shap ExactExplainer", per_row,
                      target=EXACT_TARGET, target_text=target_text, met=met, notes=notes,
                      limit_text=limit)]


def sampled(args, hidden):
    X, _, mlp = benchmark_network((args.sampled_rows + args.background,
                                   args.n_features_sampled), hidden)
    B, R = X[:args.background], X[args.background:]
    P, d, nb = args.n_permutations, X.shape[1], B.shape[0]
    method = Shapley(background=B, algorithm="sampled", n_permutations=P, random_state=0)
    result = feature_importances(mlp, R, method=method, return_local=True)
    ours = best_time(lambda: feature_importances(mlp, R, method=method, return_local=True),
                     max(1, args.repeats))
    max_evals = P * (2 * d + 1)
    shap = run_shap(mlp, args.reference_python, max(1, args.repeats), X=R, background=B,
                    algorithm="permutation", max_evals=max_evals, seed=0)
    operation = (f"Shapley sampled, {len(R)} rows x {d} inputs, {P} antithetic "
                 f"permutations, background {nb}, MLP {hidden}")
    se = result.standard_error[:, 0]
    phi = result.local[:, 0]
    gap = mlp.predict(R) - result.expected_value[0]
    efficiency = float(np.abs(phi.sum(axis=1) - gap).max())
    print(f"sampled: {operation}: ours {ours:.3f} s, {2 * P * d} coalitions per row, "
          f"median standard error {np.median(se):.2e}, efficiency error {efficiency:.1e}")
    if isinstance(shap, str):
        print(f"  shap PermutationExplainer: skipped ({shap})")
        return [row(operation, ours, "shap PermutationExplainer", None, notes=shap)]
    theirs = shap["values"]
    z2 = float(np.mean((phi - theirs) ** 2 / (2 * se**2)))
    evals = shap["evaluations"] / len(R) / nb
    ratio = shap["seconds"] / ours
    notes = (f"shap {shap['shap']}, max_evals {max_evals} ({evals:.0f} coalitions per "
             f"row, ours {2 * P * d}); median standard error {np.median(se):.2e}; mean "
             f"(ours - shap)^2 / (2 se^2) = {z2:.2f} (about 1 expected); efficiency "
             f"error {efficiency:.1e}")
    print(f"  shap PermutationExplainer: {shap['seconds']:.3f} s; {notes}; ratio {ratio:.2f}")
    return [row(operation, ours, "shap PermutationExplainer", shap["seconds"],
                target=SAMPLED_TARGET, target_text=f">= {SAMPLED_TARGET:g}x, same "
                "evaluations, standard errors", notes=notes)]


def run(argv=None):
    """Print the benchmark and return its rows for benchmarks/run.py."""
    args = parse(argv)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    rows = exact(args, hidden, args.shap_rows)
    rows += sampled(args, hidden)
    return rows


if __name__ == "__main__":
    run()

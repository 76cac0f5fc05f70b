"""shap's ExactExplainer and PermutationExplainer on a saved network, background and rows.

Run by ``benchmarks/bench_shapley.py`` (and so ``benchmarks/run.py``) in an interpreter
that has numpy and shap (``--reference-python``; shap is never a dependency of
skimportance)::

    python benchmarks/reference/shap_shapley.py --network NET.npz --out RESULT.npz

The ``.npz`` holds the weights (``benchmarks/_reference.py``'s ``save_network``),
``X`` (the rows to explain), ``background``, ``algorithm`` ("exact" or "permutation")
and, for the permutation explainer, ``max_evals`` and ``seed``. The model shap calls is
the network's forward pass in numpy on the saved weights (what scikit-learn's
``predict`` computes, without its input checks), so shap pays only its own overhead
and the network evaluations. Written back: ``seconds`` (best of ``--repeats``),
``values`` (n_rows, n_features), ``base_values``, ``evaluations`` (rows the model was
called on), and the versions.
"""

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1]))
from _reference import counting_forward, load_network  # noqa: E402  (benchmarks/_reference.py)

try:
    import shap
except ImportError:  # pragma: no cover - reference tool not installed
    raise SystemExit("shap is not installed: nothing to compare against.")


def forward(net):
    """The network's output as shap calls it, one value per row, and the call counter."""
    predict, calls = counting_forward(net, "shap")
    return (lambda Z: predict(Z)[:, 0]), calls


def explainer_run(net):
    predict, calls = forward(net)
    background, X = net["background"], net["X"]
    masker = shap.maskers.Independent(background, max_samples=background.shape[0])
    if net["algorithm"] == "exact":
        explainer = shap.explainers.Exact(predict, masker)

        def run(rows=X):
            return explainer(rows, silent=True)
    else:
        explainer = shap.explainers.Permutation(predict, masker, seed=int(net["seed"]))

        def run(rows=X):
            return explainer(rows, max_evals=int(net["max_evals"]), silent=True)
    # shap compiles numba kernels on its first call: kept out of the timed calls.
    run(X[:1])
    return run, calls


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", required=True, help="saved network and data (.npz)")
    parser.add_argument("--out", required=True, help="where to write the result (.npz)")
    parser.add_argument("--repeats", type=int, default=1, help="best of")
    args = parser.parse_args(argv)
    net = load_network(args.network)
    run, calls = explainer_run(net)
    best = float("inf")
    for _ in range(max(1, args.repeats)):
        calls["rows"] = 0
        start = time.perf_counter()
        explanation = run()
        best = min(best, time.perf_counter() - start)
    np.savez(args.out, seconds=best, values=np.asarray(explanation.values),
             base_values=np.asarray(explanation.base_values), evaluations=calls["rows"],
             shap=shap.__version__, numpy=np.__version__)


if __name__ == "__main__":
    main()

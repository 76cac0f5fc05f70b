"""sage-importance's PermutationEstimator with its MarginalImputer on a saved network.

Run by ``benchmarks/bench_sage.py`` (and so ``benchmarks/run.py``) in an interpreter
that has numpy and sage-importance (``--reference-python``; sage is never a dependency
of skimportance)::

    python benchmarks/reference/sage_reference.py --network NET.npz --out RESULT.npz

The ``.npz`` holds the weights (``benchmarks/_reference.py``'s ``save_network``), ``X``,
``Y`` (the targets), ``background``, ``n_permutations``, ``batch_size`` and ``seed``.
The model sage calls is the network's forward pass in numpy on the saved weights (what
scikit-learn's ``predict`` computes, without its input checks), so sage pays only its
own overhead and the network evaluations. The loss is sage's "mse"; convergence
detection is off, so exactly ``n_permutations`` walks are made (a multiple of
``batch_size``). Written back: ``seconds`` (best of ``--repeats``), ``values`` and
``std`` (sage's standard errors), ``evaluations`` (rows the model was called on) and
the versions.
"""

import argparse
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1]))
from _reference import counting_forward, load_network  # noqa: E402  (benchmarks/_reference.py)

try:
    import sage
except ImportError:  # pragma: no cover - reference tool not installed
    raise SystemExit("sage-importance is not installed: nothing to compare against.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", required=True, help="saved network and data (.npz)")
    parser.add_argument("--out", required=True, help="where to write the result (.npz)")
    parser.add_argument("--repeats", type=int, default=1, help="best of")
    args = parser.parse_args(argv)
    net = load_network(args.network)
    predict, calls = counting_forward(net, "sage")
    imputer = sage.MarginalImputer(predict, net["background"])
    best, explanation = float("inf"), None
    for _ in range(max(1, args.repeats)):
        calls["rows"] = 0
        estimator = sage.PermutationEstimator(imputer, "mse", random_state=int(net["seed"]))
        start = time.perf_counter()
        explanation = estimator(net["X"], net["Y"], batch_size=int(net["batch_size"]),
                                detect_convergence=False,
                                n_permutations=int(net["n_permutations"]), bar=False)
        best = min(best, time.perf_counter() - start)
    np.savez(args.out, seconds=best, values=np.asarray(explanation.values),
             std=np.asarray(explanation.std), evaluations=calls["rows"],
             sage=version("sage-importance"), numpy=np.__version__)


if __name__ == "__main__":
    main()

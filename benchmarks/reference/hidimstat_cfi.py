"""hidimstat's CFI (conditional feature importance) on a saved network and data.

Run by ``benchmarks/bench_conditional.py`` (and so ``benchmarks/run.py``) in an
interpreter that has numpy, scikit-learn and hidimstat (``--reference-python``; hidimstat
is never a dependency of skimportance)::

    python benchmarks/reference/hidimstat_cfi.py --network NET.npz --out RESULT.npz

The ``.npz`` holds the weights (``benchmarks/_reference.py``'s ``save_network``), ``X``,
``y`` and ``n_permutations``. The network is rebuilt as a scikit-learn
``MLPRegressor`` with exactly those weights, so CFI calls the same ``predict`` as
skimportance's exact path. CFI runs with its defaults otherwise (``RidgeCV`` imputation
models fitted on X, mean squared error, ``n_jobs=1``); the timed call is ``fit`` (the
imputation models) and ``importance`` (the perturbed predictions). Written back:
``seconds`` (best of ``--repeats``), ``importances`` (n_features,), ``samples``
(n_features, n_permutations: each permutation's increase of the mean squared error),
and the versions.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1]))
from _reference import load_network  # noqa: E402  (benchmarks/_reference.py)

try:
    import hidimstat
    import sklearn
    from hidimstat import CFI
    from sklearn.neural_network import MLPRegressor
except ImportError:  # pragma: no cover - reference tool not installed
    raise SystemExit("hidimstat (with scikit-learn) is not installed: nothing to compare "
                     "against.")


def rebuilt_mlp(net, X):
    """An MLPRegressor whose layers are the saved ones (fitted once on a few rows for
    scikit-learn's fitted state, then given the weights)."""
    coefs, intercepts = net["coefs"], net["intercepts"]
    if net["out_activation"] != "identity":
        raise SystemExit("hidimstat_cfi.py handles regressors (identity output) only.")
    hidden = tuple(W.shape[1] for W in coefs[:-1])
    mlp = MLPRegressor(hidden_layer_sizes=hidden, activation=net["activation"], max_iter=1)
    k = coefs[-1].shape[1]
    y = np.zeros((10, k)) if k > 1 else np.zeros(10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(X[:10], y)
    mlp.coefs_ = [np.array(W) for W in coefs]
    mlp.intercepts_ = [np.array(b) for b in intercepts]
    return mlp


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", required=True, help="saved network and data (.npz)")
    parser.add_argument("--out", required=True, help="where to write the result (.npz)")
    parser.add_argument("--repeats", type=int, default=1, help="best of")
    args = parser.parse_args(argv)
    net = load_network(args.network)
    X, y = net["X"], net["y"]
    mlp = rebuilt_mlp(net, X)
    best, cfi = np.inf, None
    for _ in range(args.repeats):
        cfi = CFI(mlp, n_permutations=int(net["n_permutations"]), random_state=0)
        start = time.perf_counter()
        cfi.fit(X, y)
        cfi.importance(X, y)
        best = min(best, time.perf_counter() - start)
    samples = np.array([cfi.loss_[j] - cfi.loss_reference_ for j in range(X.shape[1])])
    np.savez(args.out, seconds=best, importances=np.asarray(cfi.importances_),
             samples=samples, hidimstat=hidimstat.__version__, sklearn=sklearn.__version__,
             numpy=np.__version__)


if __name__ == "__main__":
    main()

"""Garson's importance as NeuralNetTools and caret define it, versus R's caret, same network.

Run by hand:  python benchmarks/bench_garson.py
Times ``Garson(variant="neuralnettools")`` with ``scale=False`` (raw weights, as in R)
on an MLPRegressor(hidden_layer_sizes=(64,)) with 50 inputs, and, when Rscript with
caret and nnet is installed, caret's ``varImp`` on an nnet carrying exactly the same
weights (benchmarks/reference/caret_garson_timing.R, which also checks the values).
No target: weight-based importance is cheap by nature, and caret looks each weight up by
name, so the ratio mostly says how slow that is. ``--quick`` uses small sizes, for smoke
tests. ``run(argv)`` returns the row of benchmarks/run.py's report.
"""

import argparse
import json
import os
import shutil
import subprocess
import tempfile
import timeit
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from _timing import parse_args, row

from skimportance import feature_importances
from skimportance.methods import Garson

R_SCRIPT = Path(__file__).parent / "reference" / "caret_garson_timing.R"
QUICK = dict(n_features=10, hidden=16)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=2000)
    parser.add_argument("--n-features", type=int, default=50)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    return parse_args(parser, argv, QUICK)


def seconds_per_call(func, repeats):
    """Best time per call, over ``repeats`` rounds of enough calls to last 0.2 s."""
    timer = timeit.Timer(func)
    number, _ = timer.autorange()
    return min(timer.repeat(repeats, number)) / number


def caret_garson(mlp, repeats):
    """Run caret_garson_timing.R on the network's weights: its result dict, or why not."""
    if shutil.which("Rscript") is None:
        return "R: Rscript not found; install R with the caret and nnet packages"
    with tempfile.TemporaryDirectory() as tmp:
        weights = dict(W1=mlp.coefs_[0], b1=mlp.intercepts_[0], W2=mlp.coefs_[1],
                       b2=mlp.intercepts_[1])
        for name, array in weights.items():
            np.savetxt(Path(tmp, f"{name}.csv"), np.atleast_2d(array), delimiter=",",
                       fmt="%.17g")
        done = subprocess.run(["Rscript", str(R_SCRIPT), tmp, str(repeats)],
                              capture_output=True, text=True, env=os.environ | {"TZ": "UTC"})
        if done.returncode != 0:
            lines = (done.stderr + done.stdout).strip().splitlines() or ["no output"]
            return f"R: {R_SCRIPT.name} failed: {lines[-1]}"
        return json.loads(Path(tmp, "result.json").read_text())


def run(argv=None):
    """Print the benchmark and return its row for benchmarks/run.py."""
    args = parse(argv)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(args.n_samples, args.n_features))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=args.n_samples)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=(args.hidden,), activation="logistic",
                           max_iter=5, random_state=0).fit(X, y)
    method = Garson(variant="neuralnettools")
    ours = seconds_per_call(lambda: feature_importances(mlp, method=method, scale=False),
                            args.repeats)
    operation = (f"Garson(variant='neuralnettools'), scale=False, {args.n_features} inputs, "
                 f"MLP ({args.hidden},)")
    print(f"{operation}: {ours * 1e6:.1f} us per call")

    caret = caret_garson(mlp, args.repeats)
    if isinstance(caret, str):
        print(f"caret varImp: skipped ({caret})")
        return [row(operation, ours, "R caret varImp", None, notes=caret)]
    values = feature_importances(mlp, method=method, scale=False).per_output.T * 100
    diff = np.abs(values - np.array(caret["garson"])).max()
    notes = (f"same values as caret:::GarsonWeights to {diff:.0e} (percent); "
             f"{caret['R']}, caret {caret['caret']}, nnet {caret['nnet']}")
    print(f"caret varImp: {caret['seconds'] * 1e3:.1f} ms per call, "
          f"{caret['seconds'] / ours:.0f}x ours; {notes}")
    return [row(operation, ours, "R caret varImp", caret["seconds"], notes=notes)]


if __name__ == "__main__":
    run()

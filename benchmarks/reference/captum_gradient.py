"""Our exact input gradients against captum's Saliency, on the same network and rows.

Run by hand in an environment that has torch and captum (never a dependency of
skimportance):  python benchmarks/reference/captum_gradient.py
It prints the largest difference between the two Jacobians and their times, each as a
ratio to one scikit-learn predict on the same X.

``--network NET.npz --out RESULT.npz`` is how benchmarks/bench_gradient.py (and so
benchmarks/run.py) uses it: time Saliency on the network and X that bench_gradient.py
saved, and write the time and the gradients. That mode needs only numpy, torch and
captum, so it runs in any interpreter that has them (``--reference-python``).
"""

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1]))
from _reference import load_network  # noqa: E402  (benchmarks/_reference.py)
from _timing import best_time  # noqa: E402  (benchmarks/_timing.py)

try:
    import captum
    import torch
    from captum.attr import Saliency
except ImportError:  # pragma: no cover - reference tool not installed
    raise SystemExit("torch and captum are not installed: nothing to compare against.")

ACT = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "logistic": torch.nn.Sigmoid,
       "identity": torch.nn.Identity}


def torch_network(coefs, intercepts, activation, softmax=False):
    """A float64 torch copy of an MLP given its weights (scikit-learn's layout)."""
    layers = []
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        lin = torch.nn.Linear(*W.shape).double()
        lin.weight.data = torch.tensor(W.T.copy())
        lin.bias.data = torch.tensor(b.copy())
        layers.append(lin)
        if i < len(coefs) - 1:
            layers.append(ACT[activation]())
    if softmax:
        layers.append(torch.nn.Softmax(dim=1))
    return torch.nn.Sequential(*layers).eval()


def as_torch(mlp, output):
    """A torch copy of a fitted scikit-learn MLP; ``output="proba"`` keeps a softmax."""
    softmax = output == "proba" and mlp.out_activation_ == "softmax"
    return torch_network(mlp.coefs_, mlp.intercepts_, mlp.activation, softmax)


def saliency_run(model, X, n_outputs):
    """A function computing captum's Jacobian of ``model`` at X, (n, n_outputs, n_features)."""
    saliency, inputs = Saliency(model), torch.tensor(X)

    def run():
        return np.stack([saliency.attribute(inputs, target=k, abs=False).numpy()
                         for k in range(n_outputs)], axis=1)
    return run


def write_result(path, run, repeats):
    """Time ``run`` (best of ``repeats``) and save the time, its result and versions."""
    attributions = run()
    seconds = best_time(run, repeats)
    np.savez(path, seconds=seconds, attributions=attributions, torch=torch.__version__,
             captum=captum.__version__, threads=torch.get_num_threads())


def run_saved(network, out, repeats):
    """The ``--network`` mode: Saliency on a saved network and X (output "proba")."""
    net = load_network(network)
    softmax = net["output"] == "proba" and net["out_activation"] == "softmax"
    model = torch_network(net["coefs"], net["intercepts"], net["activation"], softmax)
    write_result(out, saliency_run(model, net["X"], net["coefs"][-1].shape[1]), repeats)


def compare(mlp, X, output="proba"):
    from skimportance.network import unwrap_network

    net = unwrap_network(mlp)
    ours = net.input_gradients(X, output=output)
    run = saliency_run(as_torch(mlp, output), X, net.n_outputs)
    theirs = run()
    scale = np.abs(theirs).max()
    t_predict = best_time(lambda: mlp.predict(X))
    t_ours = best_time(lambda: net.input_gradients(X, output=output))
    t_theirs = best_time(run)
    return np.abs(ours - theirs).max() / scale, t_ours / t_predict, t_theirs / t_predict


def compare_cases():
    # scikit-learn and skimportance only for this by-hand mode: --network needs neither
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20000, 50))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        cases = [
            ("MLPRegressor (128, 64) relu", MLPRegressor(hidden_layer_sizes=(128, 64),
                                                         max_iter=5, random_state=0).fit(X, y),
             "proba"),
            ("MLPRegressor (64,) tanh", MLPRegressor(hidden_layer_sizes=(64,), activation="tanh",
                                                     max_iter=5, random_state=0).fit(X, y),
             "proba"),
            ("MLPClassifier (32,) logistic, 3 classes, softmax",
             MLPClassifier(hidden_layer_sizes=(32,), activation="logistic", max_iter=5,
                           random_state=0).fit(X, np.digitize(y, [-0.5, 0.5])), "proba"),
        ]
    print(f"torch {torch.__version__}, X {X.shape}, float64 on both sides")
    print(f"{'network':<50}{'max rel diff':>14}{'ours/predict':>14}{'captum/predict':>16}")
    for name, mlp, output in cases:
        diff, ours, theirs = compare(mlp, X, output)
        print(f"{name:<50}{diff:>14.2e}{ours:>14.2f}{theirs:>16.2f}")


def reference_main(description, run_saved, compare_cases, argv=None):
    """Command line of the reference scripts: by hand without options (``compare_cases``),
    or on a saved network for benchmarks/run.py (``--network``, ``run_saved``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--network", help="saved network and data (.npz) to time on")
    parser.add_argument("--out", help="with --network: where to write the result (.npz)")
    parser.add_argument("--repeats", type=int, default=3, help="with --network: best of")
    args = parser.parse_args(argv)
    if args.network and not args.out:
        parser.error("--network needs --out")
    if args.network:
        run_saved(args.network, args.out, args.repeats)
    else:
        compare_cases()


def main(argv=None):
    warnings.filterwarnings("ignore", message="Input Tensor 0 did not already require")
    reference_main(__doc__.splitlines()[0], run_saved, compare_cases, argv)


if __name__ == "__main__":
    main()

"""Our integrated gradients against captum's, on the same network, rows and quadrature.

Run by hand where torch and captum are installed (never a dependency of skimportance):
    python benchmarks/reference/captum_integrated_gradients.py
Prints the largest difference of the per-row attributions and both times as ratios to
one scikit-learn predict on the full X.

``--network NET.npz --out RESULT.npz`` is how benchmarks/bench_path.py (and so
benchmarks/run.py) uses it: time captum's IntegratedGradients (Gauss-Legendre, on the
network's output before its output activation) on the network, ``rows``, ``baseline``
and ``n_steps`` that bench_path.py saved, and write the time and the attributions.
That mode needs only numpy, torch and captum.
"""

import warnings

import numpy as np

# First: captum_gradient (same folder) exits with a message if torch or captum is missing.
from captum_gradient import (
    as_torch, best_time, load_network, reference_main, torch, torch_network,
    write_result)
from captum.attr import IntegratedGradients as CaptumIG


def ig_run(model, rows, baseline, n_steps):
    """A function computing captum's integrated gradients of ``model`` over ``rows``."""
    ig = CaptumIG(model)
    inputs, base = torch.tensor(rows), torch.tensor(baseline)

    def run():
        return ig.attribute(inputs, baselines=base, n_steps=n_steps, method="gausslegendre",
                            internal_batch_size=len(rows) * n_steps).numpy()
    return run


def run_saved(network, out, repeats):
    """The ``--network`` mode."""
    net = load_network(network)
    model = torch_network(net["coefs"], net["intercepts"], net["activation"])
    write_result(out, ig_run(model, net["rows"], net["baseline"], net["n_steps"]), repeats)


def compare_cases():
    # scikit-learn and skimportance only for this by-hand mode: --network needs neither
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    from skimportance import feature_importances
    from skimportance.methods import IntegratedGradients

    rng = np.random.default_rng(0)
    X = rng.normal(size=(20000, 50))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2]
    rows = X[:2000]
    baseline = rows.mean(axis=0, keepdims=True)
    print(f"torch {torch.__version__}, X {X.shape}, IG over {len(rows)} rows, 50 steps, "
          "Gauss-Legendre, baseline = column means, float64")
    print(f"{'network':<32}{'max rel diff':>14}{'ours/predict':>14}{'captum/predict':>16}")
    for activation in ("relu", "tanh"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp = MLPRegressor(hidden_layer_sizes=(128, 64), activation=activation,
                               max_iter=5, random_state=0).fit(X, y)
        method = IntegratedGradients(n_steps=50, quadrature="gausslegendre")
        ours = feature_importances(mlp, rows, method=method, return_local=True).local[:, 0]
        captum_run = ig_run(as_torch(mlp, "logit"), rows, baseline, 50)
        theirs = captum_run()
        diff = np.abs(ours - theirs).max() / np.abs(theirs).max()
        t_predict = best_time(lambda: mlp.predict(X))
        t_ours = best_time(lambda: feature_importances(mlp, rows, method=method))
        t_theirs = best_time(captum_run, repeats=3)
        print(f"MLPRegressor (128, 64) {activation:<9}{diff:>14.2e}{t_ours / t_predict:>14.2f}"
              f"{t_theirs / t_predict:>16.2f}")


def main(argv=None):
    reference_main(__doc__.splitlines()[0], run_saved, compare_cases, argv)


if __name__ == "__main__":
    main()

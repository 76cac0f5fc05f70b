"""Our integrated gradients against captum's, on the same network, rows and quadrature.

Run by hand where torch and captum are installed (never a dependency of skimportance):
    python benchmarks/reference/captum_integrated_gradients.py
Prints the largest difference of the per-row attributions and both times as ratios to
one scikit-learn predict on the full X.
"""

import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from skimportance import feature_importances
from skimportance.methods import IntegratedGradients

try:
    import torch
    from captum.attr import IntegratedGradients as CaptumIG
except ImportError:  # pragma: no cover - reference tool not installed
    raise SystemExit("torch and captum are not installed: nothing to compare against.")

from captum_gradient import as_torch, best_time  # noqa: E402  (same folder)


def main():
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
        method = IntegratedGradients(n_steps=50, method="gausslegendre")
        ours = feature_importances(mlp, rows, method=method, return_local=True).local[:, 0]
        ig = CaptumIG(as_torch(mlp, "logit"))
        inputs, base = torch.tensor(rows), torch.tensor(baseline)

        def captum_run():
            return ig.attribute(inputs, baselines=base, n_steps=50, method="gausslegendre",
                                internal_batch_size=len(rows) * 50).numpy()

        theirs = captum_run()
        diff = np.abs(ours - theirs).max() / np.abs(theirs).max()
        t_predict = best_time(lambda: mlp.predict(X))
        t_ours = best_time(lambda: feature_importances(mlp, rows, method=method))
        t_theirs = best_time(captum_run, repeats=3)
        print(f"MLPRegressor (128, 64) {activation:<9}{diff:>14.2e}{t_ours / t_predict:>14.2f}"
              f"{t_theirs / t_predict:>16.2f}")


if __name__ == "__main__":
    main()

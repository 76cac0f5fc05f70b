"""Our exact input gradients against captum's Saliency, on the same network and rows.

Run by hand in an environment that has torch and captum (never a dependency of
skimportance):  python benchmarks/reference/captum_gradient.py
It prints the largest difference between the two Jacobians and their times, each as a
ratio to one scikit-learn predict on the same X.
"""

import sys
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from skimportance._network import unwrap_network

sys.path.insert(0, str(Path(__file__).parents[1]))
from _timing import best_time  # noqa: E402  (benchmarks/_timing.py)

try:
    import torch
    from captum.attr import Saliency
except ImportError:  # pragma: no cover - reference tool not installed
    raise SystemExit("torch and captum are not installed: nothing to compare against.")

ACT = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "logistic": torch.nn.Sigmoid,
       "identity": torch.nn.Identity}


def as_torch(mlp, output):
    layers = []
    for i, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        lin = torch.nn.Linear(*W.shape).double()
        lin.weight.data = torch.tensor(W.T.copy())
        lin.bias.data = torch.tensor(b.copy())
        layers.append(lin)
        if i < len(mlp.coefs_) - 1:
            layers.append(ACT[mlp.activation]())
    if output == "proba" and mlp.out_activation_ == "softmax":
        layers.append(torch.nn.Softmax(dim=1))
    return torch.nn.Sequential(*layers).eval()


def compare(mlp, X, output="proba"):
    net = unwrap_network(mlp)
    ours = net.input_gradients(X, output=output)
    model = as_torch(mlp, output)
    saliency = Saliency(model)
    inputs = torch.tensor(X)
    theirs = np.stack([saliency.attribute(inputs, target=k, abs=False).numpy()
                       for k in range(net.n_outputs)], axis=1)
    scale = np.abs(theirs).max()
    t_predict = best_time(lambda: mlp.predict(X))
    t_ours = best_time(lambda: net.input_gradients(X, output=output))
    t_theirs = best_time(lambda: [saliency.attribute(inputs, target=k, abs=False)
                                  for k in range(net.n_outputs)])
    return np.abs(ours - theirs).max() / scale, t_ours / t_predict, t_theirs / t_predict


def main():
    warnings.filterwarnings("ignore", message="Input Tensor 0 did not already require")
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


if __name__ == "__main__":
    main()

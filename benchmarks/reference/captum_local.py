"""captum's DeepLift, InputXGradient, NoiseTunnel (SmoothGrad) and GradientShap on a saved
network and rows, for benchmarks/bench_local.py.

Run by benchmarks/bench_local.py (and so benchmarks/run.py) in an interpreter that has
numpy, torch and captum (``--reference-python``; never dependencies of skimportance)::

    python benchmarks/reference/captum_local.py --network NET.npz --out RESULT.npz

The ``.npz`` holds the weights and ``X``, ``baseline`` (one row, for DeepLift),
``background`` (GradientShap's baselines), ``noise_scale`` (each input's standard
deviation), ``stdevs`` and ``n_samples``. All four attribute the output before the
output activation (a regressor's prediction), in float64. NoiseTunnel's ``stdevs`` is
one number per input tensor, not per input; to draw the noise in units of each input's
spread, as skimportance's SmoothGrad does, the network is given the inputs divided by
``noise_scale`` (its first operation multiplies them back) and the gradients are
divided by ``noise_scale`` afterwards. Written back: ``seconds_<name>`` (best of
``--repeats``) and ``attributions_<name>`` (n_rows, n_features) for ``deeplift``,
``input_x_gradient``, ``smoothgrad`` and ``gradient_shap``, and the versions.
"""

import warnings

import numpy as np

# First: captum_gradient (same folder) exits with a message if torch or captum is missing.
from captum_gradient import best_time, captum, load_network, torch, torch_network
from captum.attr import DeepLift, GradientShap, InputXGradient, NoiseTunnel, Saliency


class Scaled(torch.nn.Module):
    """``model(u * scale)``: a model of inputs measured in units of ``scale``."""

    def __init__(self, model, scale):
        super().__init__()
        self.model, self.scale = model, torch.tensor(scale)

    def forward(self, u):
        return self.model(u * self.scale)


def runs(net):
    """The four captum computations on the saved network, as functions."""
    X, scale = net["X"], net["noise_scale"]
    inputs, baseline = torch.tensor(X), torch.tensor(net["baseline"][None, :])
    background = torch.tensor(net["background"])
    S = int(net["n_samples"])

    def model():  # DeepLift keeps hooks on its model's modules: one copy per method
        return torch_network(net["coefs"], net["intercepts"], net["activation"])

    deeplift, ixg, gshap = DeepLift(model()), InputXGradient(model()), GradientShap(model())
    tunnel = NoiseTunnel(Saliency(Scaled(model(), scale)))
    scaled = torch.tensor(X / scale)

    return {
        "deeplift": lambda: deeplift.attribute(
            inputs, baselines=baseline, target=0).detach().numpy(),
        "input_x_gradient": lambda: ixg.attribute(inputs, target=0).detach().numpy(),
        "smoothgrad": lambda: tunnel.attribute(
            scaled, nt_type="smoothgrad", nt_samples=S, stdevs=float(net["stdevs"]),
            target=0, abs=False).detach().numpy() / scale,
        "gradient_shap": lambda: gshap.attribute(
            inputs, baselines=background, n_samples=S, stdevs=0.0, target=0).detach().numpy(),
    }


def run_saved(network, out, repeats):
    """The ``--network`` mode."""
    torch.manual_seed(0)
    results = {}
    for name, run in runs(load_network(network)).items():
        results[f"attributions_{name}"] = run()
        results[f"seconds_{name}"] = best_time(run, repeats)
    np.savez(out, torch=torch.__version__, captum=captum.__version__,
             threads=torch.get_num_threads(), **results)


def main(argv=None):
    import argparse

    warnings.filterwarnings("ignore", message="Input Tensor 0 did not already require")
    warnings.filterwarnings("ignore", message="Setting forward, backward hooks")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--network", required=True, help="saved network and data (.npz)")
    parser.add_argument("--out", required=True, help="where to write the result (.npz)")
    parser.add_argument("--repeats", type=int, default=3, help="best of")
    args = parser.parse_args(argv)
    run_saved(args.network, args.out, args.repeats)


if __name__ == "__main__":
    main()

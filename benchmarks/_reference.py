"""Run a reference tool in another process, on our fitted network and our data.

The benchmark scripts save the network's weights and the data to a temporary ``.npz``
(:func:`save_network`); a script in ``benchmarks/reference/`` loads them
(:func:`load_network`, numpy only), times the reference tool and writes its time and
results back. Both sides thus use the same network and the same X, and torch never
enters the process that times skimportance. The reference interpreter (``--reference-
python``) needs numpy, torch and captum; it does not need scikit-learn or skimportance.
"""

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

__all__ = ["CAPTUM_HINT", "counting_forward", "load_arrays", "load_network",
           "relative_difference", "run_captum", "run_reference", "save_network"]

REFERENCE_DIR = Path(__file__).parent / "reference"
CAPTUM_HINT = ("pass --reference-python /path/to/python to use another interpreter that "
               "has torch and captum")


def save_network(path, mlp, **arrays):
    """Write a fitted MLP's weights and activations, and ``arrays``, to ``path`` (.npz)."""
    layers = {}
    for i, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        layers[f"coef_{i}"], layers[f"intercept_{i}"] = W, b
    np.savez(path, activation=mlp.activation, out_activation=mlp.out_activation_,
             **layers, **arrays)


def load_arrays(path):
    """Read an ``.npz`` into a dict; 0-d arrays become Python scalars and strings."""
    with np.load(path) as data:
        return {key: data[key].item() if data[key].ndim == 0 else data[key]
                for key in data.files}


def load_network(path):
    """Read what :func:`save_network` wrote, as a dict.

    ``coefs`` and ``intercepts`` are lists of arrays, ``activation`` and
    ``out_activation`` strings; the other arrays keep their names.
    """
    saved = load_arrays(path)
    n_layers = sum(key.startswith("coef_") for key in saved)
    saved["coefs"] = [saved.pop(f"coef_{i}") for i in range(n_layers)]
    saved["intercepts"] = [saved.pop(f"intercept_{i}") for i in range(n_layers)]
    return saved


_HIDDEN = {"relu": lambda z: np.maximum(z, 0.0), "tanh": np.tanh,
           "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)), "identity": lambda z: z}


def counting_forward(net, tool):
    """A regressor's forward pass in numpy on the weights :func:`load_network` read (what
    scikit-learn's ``predict`` computes, without its input checks), for a reference
    ``tool`` to call, and a dict counting the rows it is called on (``"rows"``).

    The output keeps its (n, n_outputs) shape; raises SystemExit for other output
    activations than the identity.
    """
    if net["out_activation"] != "identity":
        raise SystemExit(f"The {tool} reference handles regressors (identity output) only.")
    coefs, intercepts, f = net["coefs"], net["intercepts"], _HIDDEN[net["activation"]]
    calls = {"rows": 0}

    def predict(Z):
        calls["rows"] += Z.shape[0]
        a = np.asarray(Z, dtype=float)
        for W, b in zip(coefs[:-1], intercepts[:-1]):
            a = f(a @ W + b)
        return a @ coefs[-1] + intercepts[-1]
    return predict, calls


def run_reference(script, mlp, python=None, repeats=3, *, tool="captum",
                  modules=("torch", "captum"), hint=None, **arrays):
    """Time the reference ``script`` of ``tool`` on ``mlp`` and ``arrays``, in a subprocess.

    Parameters
    ----------
    script : str
        File name in ``benchmarks/reference/``; it takes ``--network``, ``--out`` and
        ``--repeats``.
    mlp : fitted MLPRegressor or MLPClassifier
    python : str, optional
        Interpreter to run it with. By default this one, if ``modules`` are installed
        here (they are looked up, not imported).
    repeats : int
        Best of this many calls.
    tool, modules, hint : str, tuple of str, str
        The reference tool's name (in messages), the modules it needs, and how to get
        them (default: ``CAPTUM_HINT``).
    **arrays
        Data for the script (``X``, ``baseline``, ...).

    Returns
    -------
    dict or str
        What the script wrote (``seconds``, the values, versions), or why the
        reference was skipped.
    """
    if python is None:
        if not all(importlib.util.find_spec(name) for name in modules):
            return f"{tool}: not installed in this Python; {hint or CAPTUM_HINT}"
        python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        network, out = Path(tmp, "network.npz"), Path(tmp, "result.npz")
        save_network(network, mlp, **arrays)
        command = [python, str(REFERENCE_DIR / script), "--network", str(network),
                   "--out", str(out), "--repeats", str(repeats)]
        try:
            done = subprocess.run(command, capture_output=True, text=True)
        except OSError as error:
            return f"{tool}: cannot run {python}: {error}"
        if done.returncode != 0:
            lines = (done.stderr + done.stdout).strip().splitlines() or ["no output"]
            return f"{tool}: {script} failed under {python}: {lines[-1]}"
        return load_arrays(out)


def run_captum(script, mlp, python=None, repeats=3, **arrays):
    """:func:`run_reference` for a captum script (torch and captum needed)."""
    return run_reference(script, mlp, python, repeats, **arrays)


def relative_difference(ours, theirs):
    """Largest absolute difference, relative to the largest absolute reference value."""
    return float(np.abs(ours - theirs).max() / np.abs(theirs).max())

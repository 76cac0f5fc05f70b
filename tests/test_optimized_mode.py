"""The package under ``python -OO``, which strips docstrings (and asserts)."""

import os
import subprocess
import sys

from skimportance import ImportanceClassifier, ImportanceRegressor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# No assert statements: -OO removes them. A failed check exits with a message.
SCRIPT = """
import numpy as np
import skimportance, skimportance.methods, skimportance.plotting, skimportance.cli
from skimportance import ImportanceRegressor, feature_importances
from sklearn.neural_network import MLPRegressor

if ImportanceRegressor.__doc__ is not None or skimportance.methods.Garson.__doc__ is not None:
    raise SystemExit("docstrings were kept: not running under -OO")
rng = np.random.default_rng(0)
X = rng.normal(size=(60, 3))
y = 2 * X[:, 0] + 0.1 * rng.normal(size=60)
est = ImportanceRegressor(MLPRegressor(hidden_layer_sizes=(4,), max_iter=300, random_state=0),
                          method="permutation").fit(X, y)
if est.feature_importances_.argmax() != 0:
    raise SystemExit(f"unexpected importances {est.feature_importances_}")
print("importances ok")
raise SystemExit(skimportance.cli.main(["--method", "olden", "--hidden", "4",
                                        "--max-iter", "20"]))
"""


def run_optimized(code):
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-OO", "-c", code], env=env, capture_output=True,
                          text=True, timeout=300)


def test_import_fit_and_command_line_under_OO():
    done = run_optimized(SCRIPT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("importances ok\nload_diabetes: regression")
    assert "Agreement: only 1 method" in done.stdout


def test_help_under_OO():
    # The --help text is built from string constants, not from docstrings.
    done = run_optimized("import skimportance.cli; skimportance.cli.main(['--help'])")
    assert done.returncode == 0, done.stderr
    assert "exit status: 0 on success" in done.stdout


def test_shared_parameters_are_filled_in_without_OO():
    for cls in (ImportanceRegressor, ImportanceClassifier):
        assert "_SHARED_PARAMETERS" not in cls.__doc__
        assert "    cv : int, cross-validation generator" in cls.__doc__

"""
=================
Comparing methods
=================

Different importance methods answer different questions, so they need not agree.
:func:`~skimportance.plotting.plot_comparison` computes several on one network and
draws them side by side, each normalised to sum to one.
"""

# %%
# Simulated data with a known answer
# ----------------------------------
# Six inputs: ``x0`` acts linearly and strongly, ``x1`` linearly and weakly, ``x2``
# through a U shape (its effect changes sign across the data), ``x3`` interacts with
# ``x0``, and ``x4`` and ``x5`` are pure noise.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skimportance.plotting import plot_comparison

warnings.filterwarnings("ignore", category=ConvergenceWarning)

rng = np.random.RandomState(0)
X = rng.uniform(-1, 1, size=(500, 6))
y = (2.0 * X[:, 0] + 0.5 * X[:, 1] + 1.5 * X[:, 2] ** 2 + 1.0 * X[:, 0] * X[:, 3]
     + 0.1 * rng.normal(size=500))

net = make_pipeline(
    StandardScaler(),
    MLPRegressor(hidden_layer_sizes=(16,), activation="tanh", solver="lbfgs",
                 alpha=1e-3, max_iter=300, random_state=0),
)
net.fit(X, y)
print("R^2:", round(net.score(X, y), 3))

# %%
# Four methods, one chart
# -----------------------
# Garson and connection weights (``"olden"``) read the weights only; ``"gradient"``
# averages the size of the exact local derivative over the rows; ``"permutation"``
# measures how much the score drops when a column is shuffled.
fig, ax = plt.subplots(figsize=(7, 5))
plot_comparison(net, X, y, methods=("garson", "olden", "gradient", "permutation"),
                ax=ax, random_state=0)
plt.tight_layout()
plt.show()

# %%
# What to read in it
# ------------------
# All four put the noise inputs ``x4`` and ``x5`` at the bottom. Above them they
# disagree, and each disagreement says something about the method:
#
# - ``x2``, the U shape. Its slope is steep at both ends, and the gradient, averaged in
#   absolute value over the rows, ranks it second. Connection weights give it little:
#   they add up signed paths through the weights, and the paths that make the two arms
#   of the U point in opposite directions cancel. Permutation gives it little too, for
#   another reason: over these data the U moves the output much less than the line of
#   ``x0`` does, so shuffling it costs little accuracy.
# - Garson counts the *size* of the weights and ignores their signs. Building a U takes
#   large weights of both signs, so Garson credits ``x2`` with the most.
# - ``x3`` acts only through its product with ``x0``: every method sees some of it.
#
# No method is wrong here: "how steep", "how much accuracy is lost" and "how large are
# the weights" are different questions. The :ref:`user guide <user_guide>` says which
# one each method answers and which way it leans. Adding Lek's profiles
# (``"profile"``) or integrated gradients (``"integrated_gradients"``) to ``methods``
# is one argument away.

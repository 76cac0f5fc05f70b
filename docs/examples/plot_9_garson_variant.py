"""
=====================================================
Pitfall: the Garson variant with identical classes
=====================================================

Users of R's NeuralNetTools and caret often find that Garson's algorithm gives every
class of a classifier *exactly* the same importances. That is not a property of their
network: those tools normalise in an order that cancels the hidden-to-output weights.
This example shows the symptom, numerically and in a plot, next to Garson's algorithm
as Garson and Goh wrote it.
"""

# %%
# A three-class problem
# ---------------------
# The classes are told apart by different inputs, so a method that looks at the
# outputs should give them different importances.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from skimportance import feature_importances
from skimportance.methods import Garson
from skimportance.plotting import plot_importances

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_classification(n_samples=400, n_features=6, n_informative=4, n_redundant=0,
                           n_classes=3, n_clusters_per_class=1, class_sep=1.5,
                           random_state=1)
mlp = MLPClassifier(hidden_layer_sizes=(8,), alpha=1e-2, max_iter=800,
                    random_state=0).fit(X, y)
print("accuracy:", round(mlp.score(X, y), 3))

# %%
# Two versions of Garson's algorithm
# ----------------------------------
# ``Garson()`` follows Garson (1991) as written by Goh (1995): the first-layer weights
# are turned into shares of each hidden unit, and the hidden-to-output weights of each
# class weigh those shares. ``Garson(variant="neuralnettools")`` multiplies the two
# layers' weights first and then normalises within each hidden unit, as NeuralNetTools
# and caret do.
goh = feature_importances(mlp, X, method=Garson())
nnt = feature_importances(mlp, X, method=Garson(variant="neuralnettools"))

np.set_printoptions(precision=3, suppress=True)
print("Garson (Goh), one row per class:")
print(goh.per_output)
print("NeuralNetTools variant, one row per class:")
print(nnt.per_output)

# %%
# The largest difference between two classes' importances of the same input: rounding
# error for the variant, real differences for Garson's algorithm as written by Goh.
print("variant:", np.ptp(nnt.per_output, axis=0).max())
print("Goh:    ", np.ptp(goh.per_output, axis=0).max())

# %%
# Why
# ---
# The variant forms :math:`|w_{ij}|\,|v_{jk}|` (input :math:`i` to hidden unit
# :math:`j`, unit :math:`j` to class :math:`k`) and divides it by its sum over the
# inputs, :math:`|v_{jk}| \sum_r |w_{rj}|`. The output weight :math:`|v_{jk}|` is in
# both and cancels, so what is left depends on the first layer only, the same for every
# class. It is what you get from the first layer's shares alone, as if every output
# weight were equal (the first layer is scaled by each input's standard deviation, as
# skimportance does by default):
shares = np.abs(mlp.coefs_[0] * X.std(axis=0)[:, None])  # |w_ij|, inputs scaled
shares /= shares.sum(axis=0)  # each hidden unit split among the inputs
by_hand = shares.sum(axis=1) / shares.sum()
print(np.allclose(by_hand, nnt.per_output[0]))

# %%
# In a plot
# ---------
# ``plot_importances(result, per_output=True)`` draws one row per class. The variant's
# rows are copies of each other; Garson's algorithm as written by Goh gives each class
# its own profile of inputs.
fig, axes = plt.subplots(2, 1, figsize=(7, 5))
plot_importances(goh, per_output=True, ax=axes[0], title="Garson() (Goh 1995)")
plot_importances(nnt, per_output=True, ax=axes[1],
                 title='Garson(variant="neuralnettools"): every class the same')
plt.tight_layout()
plt.show()

# %%
# What to do
# ----------
# Use ``method="garson"`` (``Garson()``) when you want per-class importances from the
# weights, or a method that follows the network to its outputs: connection weights
# (``"olden"``) or gradients (``"gradient"``). Use the variant, with ``scale=False``,
# only to reproduce numbers from NeuralNetTools or caret. If all classes of a Garson
# result are equal, you are looking at the variant.

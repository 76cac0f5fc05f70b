"""
================================
Network diagram and hidden units
================================

:func:`~skimportance.plotting.plot_network` draws a fitted MLP the way R's
NeuralNetTools ``plotnet`` does: one circle per unit, one line per weight, its width
proportional to the weight's size, black when positive and grey when negative. Next to
it, the conductance of each hidden unit says which units the predictions actually flow
through.
"""

# %%
# A small classifier
# ------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from skimportance import ImportanceClassifier
from skimportance.plotting import plot_network

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = make_classification(n_samples=300, n_features=5, n_informative=3, n_redundant=0,
                           n_classes=3, n_clusters_per_class=1, random_state=0)
names = [f"x{i}" for i in range(5)]
mlp = MLPClassifier(hidden_layer_sizes=(6,), alpha=1e-2, max_iter=600, random_state=0)

clf = ImportanceClassifier(mlp, method="conductance").fit(X, y)
print("accuracy:", round(clf.score(X, y), 3))

# %%
# The diagram
# -----------
# The weights drawn are the network's own ``coefs_``. ``prune`` fades connections
# smaller than a fraction of the largest of their layer (``pruned_style="hidden"``
# leaves them out), which makes the main paths easier to follow.
fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
plot_network(clf, ax=axes[0], feature_names=names)
axes[0].set_title("All connections")
plot_network(clf, ax=axes[1], feature_names=names, prune=0.3)
axes[1].set_title("Connections above 30 % of their layer's largest")
plt.tight_layout()
plt.show()

# %%
# Which hidden units matter?
# --------------------------
# Thick lines do not tell the whole story: a unit with large weights can sit in its
# flat region for most rows. Conductance measures the share of the integrated gradients
# of the predictions that flows through each hidden unit, per class.
# ``neuron_importances_`` has one row per class and one column per hidden unit, in the
# order of the diagram, top to bottom.
units = clf.neuron_importances_
print(np.round(units, 3))

fig, ax = plt.subplots(figsize=(6, 3))
width = 0.25
for k, label in enumerate(clf.classes_):
    ax.bar(np.arange(units.shape[1]) + (k - 1) * width, units[k], width,
           label=f"class {label}")
ax.set_xticks(np.arange(units.shape[1]), [f"h{j}" for j in range(units.shape[1])])
ax.set_ylabel("mean |conductance|")
ax.set_title("Conductance of the hidden units")
ax.legend()
plt.tight_layout()
plt.show()

# %%
# The input-level importances of the same fit are those of integrated gradients:
print(clf.importances_)

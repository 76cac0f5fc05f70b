"""
============
Lek profiles
============

A ranking says *how much* an input matters; Lek's profile method shows *how*. Each
input is swept over its observed range while the other inputs are held at a few
typical levels (the groups), and the network's response is drawn along the sweep.
"""

# %%
# Data with effects of different shapes
# --------------------------------------
# ``x0`` acts linearly, ``x1`` through a U shape, ``x2`` only together with ``x0``
# (their product), and ``x3`` is noise.
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skimportance import feature_importances
from skimportance.methods import LekProfile
from skimportance.plotting import plot_profiles

warnings.filterwarnings("ignore", category=ConvergenceWarning)

rng = np.random.RandomState(0)
X = rng.uniform(-1, 1, size=(400, 4))
y = 1.5 * X[:, 0] + 2.0 * X[:, 1] ** 2 + 2.0 * X[:, 0] * X[:, 2] + 0.1 * rng.normal(size=400)

net = make_pipeline(
    StandardScaler(),
    MLPRegressor(hidden_layer_sizes=(16,), activation="tanh", solver="lbfgs",
                 alpha=1e-3, max_iter=300, random_state=0),
).fit(X, y)

# %%
# Profiles at the quantiles
# -------------------------
# By default the other inputs are held at their 0, 20, 40, 60, 80 and 100 % quantiles:
# six groups, six lines per panel.
result = feature_importances(net, X, method="profile")
plot_profiles(result, ncols=4, fig=plt.figure(figsize=(11, 3.4), layout="constrained"))
plt.show()

# %%
# Each panel reads directly. ``x1`` is a U whose lines are parallel: the other inputs
# shift the response up or down but do not change its shape. ``x3`` is flat: the
# network ignores it. The panels of ``x0`` and ``x2`` fan out instead: the slope of each
# depends on where the other inputs are held, rising when ``x2`` (or ``x0``) is held
# high and falling when it is held low. A fan of profiles is the signature of an
# interaction, which no single slope or importance can show.
#
# The importance of an input is the mean over groups of the range its profile covers:
print(result)

# %%
# The profile data
# ----------------
# ``result.profile`` is the long table that R's NeuralNetTools ``lekprofile`` returns,
# with the same columns, and ``result.groups`` the levels the other inputs were held at.
result.profile.head()

# %%
result.groups

# %%
# Groups from the data
# --------------------
# Holding every input at its 20 % quantile *at once* makes rows that may never occur
# when inputs are correlated. An integer ``group_vals`` uses k-means centres of ``X``
# instead, which stay among the data.
kmeans_result = feature_importances(net, X, method=LekProfile(group_vals=4, random_state=0))
plot_profiles(kmeans_result, features=["x0", "x1", "x2"],
              fig=plt.figure(figsize=(10, 3.4), layout="constrained"))
plt.show()

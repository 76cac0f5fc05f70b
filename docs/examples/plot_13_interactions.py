"""
=================================================
Which inputs work together? Interactions of a net
=================================================

A first-order importance says how much each input matters, not whether it matters
*together with* another. Here the target is ``y = x0 * x1 + x2`` (plus a null input
``x3``): ``x0`` and ``x1`` act only through their product. scikit-learn's default
network has ReLU hidden units, whose second derivative is zero almost everywhere, so the
exact Hessian (what NeuralSens' ``HessianMLP`` computes) sees nothing on it. Mixed second
differences with steps set by each input's spread, and Friedman's H statistic, find the
pair.
"""

# %%
# A ReLU network fitted to a product
# ----------------------------------
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.base import clone
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skimportance import ImportanceRegressor, feature_importances, feature_interactions
from skimportance.interactions import HStatistic
from skimportance.plotting import plot_interaction_surface, plot_interactions

rng = np.random.default_rng(0)
X = rng.normal(size=(2000, 4))
y = X[:, 0] * X[:, 1] + X[:, 2] + 0.1 * rng.normal(size=2000)
relu = make_pipeline(StandardScaler(),
                     MLPRegressor(hidden_layer_sizes=(32, 16), max_iter=1000,
                                  random_state=0)).fit(X, y)
print(f"held-in R^2 {relu.score(X, y):.3f}")

# %%
# The exact Hessian of a ReLU network is zero
# -------------------------------------------
# skimportance computes it exactly (forward-over-backward differentiation), finds it
# identically zero on the data, and says so instead of returning a silent matrix of
# zeros.
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    hessian = feature_interactions(relu, X, method="hessian")
print("largest |Hessian| entry:", float(np.abs(hessian.per_output).max()))
print("warning:", caught[0].message if caught else None)

# %%
# Mixed second differences and the H statistic find the pair
# ----------------------------------------------------------
# ``"differences"`` replaces each derivative by a finite difference over a step of a
# fraction of the input's standard deviation, which crosses the ReLU kinks;
# ``"h_statistic"`` compares the two-input partial dependence with the sum of the
# one-input ones.
differences = feature_interactions(relu, X, method="differences")
h_statistic = feature_interactions(relu, X, method=HStatistic(random_state=0))
for name, result in [("differences", differences), ("h_statistic", h_statistic)]:
    print(name, [(a, b, round(v, 3)) for a, b, v in result.top_pairs(3)])

# %%
# H is a ratio: the share of a pair's joint effect that is interaction. Here ``x0`` and
# ``x1`` act only through their product, so each one's own partial dependence is about
# zero, and a pair of ``x0`` with the null ``x3`` divides noise by noise. The
# unnormalised statistic, in units of the output, shows how small that pair's effect is:
unnormalised = feature_interactions(relu, X, method=HStatistic(normalize=False,
                                                               random_state=0))
print("unnormalised", [(a, b, round(v, 3)) for a, b, v in unnormalised.top_pairs(3)])

# %%
# The matrix, with first-order importances on the diagonal:
first = feature_importances(relu, X, method="gradient")
plot_interactions(differences, first_order=first)
plt.show()

# %%
# What the interaction looks like
# -------------------------------
# The two-input partial dependence of the pair: a saddle, where an additive pair would
# give parallel contour lines.
plot_interaction_surface(relu, X, (0, 1), grid_resolution=25)
plt.show()

# %%
# A smooth network: the exact Hessian works
# -----------------------------------------
# With tanh units the Hessian is not zero, and it finds the same pair.
tanh = make_pipeline(StandardScaler(),
                     MLPRegressor(hidden_layer_sizes=(32, 16), activation="tanh",
                                  max_iter=1000, random_state=0)).fit(X, y)
print("hessian (tanh)", [(a, b, round(v, 3))
                         for a, b, v in feature_interactions(tanh, X).top_pairs(3)])

# %%
# At fit time, held out
# ---------------------
# The meta-estimators compute interactions next to the importances, with the same
# cross-fitting: here on held-out folds, ``spread`` the standard deviation over them.
est = ImportanceRegressor(clone(relu), method="permutation",
                          interactions="differences", cv=3, random_state=0).fit(X, y)
est.interaction_importances_.to_frame().head(3).round(3)

"""
=================
Correlated inputs
=================

The two classic simulations of correlated inputs, each method's numbers next to the
value of the question it answers, computed by hand for the true function. First the
Hooker, Mentch & Zhou (2021) case: equal effects on a correlated pair and on two
independent inputs. Then the Strobl et al. (2008) case: an input that is not in the
model but is correlated with one that is. The page :ref:`correlated` explains the
tables.
"""

# %%
# Look at the dependence first
# ----------------------------
# Six standard normal inputs; :math:`x_0` and :math:`x_1` have correlation 0.9, and
# :math:`y = x_0 + x_1 + x_2 + x_3 + \varepsilon`, with :math:`x_4, x_5` not in the
# model. :func:`~skimportance.feature_dependence` says how much of each input the others
# explain (a cross-validated R²) and draws the absolute values of their pairwise
# Spearman correlations.
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from skimportance import (
    ImportanceRegressor,
    correlation_groups,
    feature_dependence,
    feature_importances,
)
from skimportance.methods import ConditionalPermutation, DropRetrain, Permutation
from skimportance.plotting import plot_dependence_matrix

warnings.filterwarnings("ignore", category=ConvergenceWarning)


def draw(n, rho, pair, seed):
    """Standard normal inputs, the pair with correlation rho."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    i, j = pair
    X[:, j] = rho * X[:, i] + np.sqrt(1 - rho ** 2) * X[:, j]
    return X, rng


X, rng = draw(2000, 0.9, (0, 1), seed=0)
y = X[:, :4].sum(axis=1) + rng.normal(size=len(X))
dependence = feature_dependence(X)
plot_dependence_matrix(dependence)
dependence.to_frame().round(3)

# %%
# :math:`x_0` and :math:`x_1` each explain 81% of the other (:math:`0.9^2`): shuffling
# one of them alone makes rows that never occur. ``correlation_groups`` (what
# ``feature_groups="auto"`` uses) puts them in one group:
correlation_groups(X)

# %%
# Equal effects on a correlated pair (Hooker et al.)
# --------------------------------------------------
# One network, fitted on the first half of the rows; the importances are measured on
# the other half, as increases of the mean squared error. Drop-and-retrain refits
# without each input on the same split (``cv`` given as that one split).
train, test = np.arange(1000), np.arange(1000, 2000)


def network():
    return MLPRegressor(hidden_layer_sizes=(16,), solver="lbfgs", alpha=1e-2,
                        max_iter=200, random_state=0)


net = network().fit(X[train], y[train])
mse = dict(scoring="neg_mean_squared_error")
repeats = dict(n_repeats=10, random_state=0, **mse)


def held_out(method, groups=None):
    result = feature_importances(net, X[test], y[test], method=method,
                                 feature_groups=groups)
    return pd.Series(result.importances_mean, index=result.feature_names)


drop = ImportanceRegressor(network(), method=DropRetrain(**mse), cv=[(train, test)],
                           random_state=0).fit(X, y).importances_
table = pd.DataFrame({
    "permutation": held_out(Permutation(**repeats)),
    "drop": pd.Series(drop.importances_mean, index=drop.feature_names),
    "conditional": held_out(ConditionalPermutation(**repeats)),
})

# %%
# What each one asks, for the true function :math:`f = x_0 + x_1 + x_2 + x_3` (noise
# variance 1), by hand: a **shuffle** of :math:`x_j` raises the squared error by
# :math:`2\,\mathrm{Var}(x_j) = 2`, for each of the four; **refitting without**
# :math:`x_0` leaves only the part of :math:`x_0` that :math:`x_1` does not explain,
# :math:`\mathrm{Var}(x_0 \mid x_1) = 1 - 0.9^2 = 0.19`; a **conditional** draw of
# :math:`x_0` given the others replaces that part only: :math:`2 \times 0.19 = 0.38`.
conditional_variance = 1 - 0.9 ** 2
table["permutation (truth)"] = [2, 2, 2, 2, 0, 0]
table["drop (truth)"] = [conditional_variance] * 2 + [1, 1, 0, 0]
table["conditional (truth)"] = [2 * conditional_variance] * 2 + [2, 2, 0, 0]
table.round(3)

# %%
# The ratio of the pair to the independent inputs, whose truth is 1 for equal
# structural effects: drop-and-retrain and conditional permutation give the pair only
# what each member adds to the other (their truth is 0.19), and marginal permutation
# gives it what the network does on rows it never saw.
ratios = table.iloc[:2].mean() / table.iloc[2:4].mean()
ratios.round(3).to_frame("pair / independent")

# %%
# As a group, the pair is one input again: shuffled together, conditionally or not (a
# group is regressed on the rest jointly), its truth is :math:`2\,\mathrm{Var}(x_0 +
# x_1) = 2 (2 + 2 \times 0.9) = 7.6`, against 2 for each independent input.
grouped = pd.DataFrame({
    "permutation": held_out(Permutation(**repeats), "auto"),
    "conditional": held_out(ConditionalPermutation(**repeats), "auto"),
})
grouped["truth"] = [2 * (2 + 2 * 0.9), 2, 2, 0, 0]
grouped.round(3)

# %%
# A null input correlated with a real one (Strobl et al.)
# -------------------------------------------------------
# Now :math:`y = x_0 + x_1 + x_2 + \varepsilon` and :math:`x_3`, not in the model, has
# correlation 0.9 with :math:`x_0`. Its truth is 0 for every question. Marginal
# permutation gives it what the network learnt to read from it, a conditional draw
# only what the network reads from the part of :math:`x_3` that :math:`x_0` does not
# explain.
X, rng = draw(2000, 0.9, (0, 3), seed=1)
y = X[:, :3].sum(axis=1) + rng.normal(size=len(X))
net = network().fit(X[train], y[train])
strobl = pd.DataFrame({
    "permutation": held_out(Permutation(**repeats)),
    "conditional": held_out(ConditionalPermutation(**repeats)),
})
# The truths: a shuffle of a real input costs 2; a conditional draw of x0 given the
# others (x3 among them) only 2 Var(x0 | x3) = 0.38; x3 costs nothing either way.
strobl["permutation (truth)"] = [2, 2, 2, 0, 0, 0]
strobl["conditional (truth)"] = [2 * conditional_variance, 2, 2, 0, 0, 0]
strobl.round(4)

# %%
# The correlated null input relative to its marginal value, and to the real
# independent inputs:
summary = pd.Series({
    "conditional / marginal, x3": strobl.loc["x3", "conditional"]
    / strobl.loc["x3", "permutation"],
    "marginal x3 / real (x1, x2)": strobl.loc["x3", "permutation"]
    / strobl.loc[["x1", "x2"], "permutation"].mean(),
    "conditional x3 / real (x1, x2)": strobl.loc["x3", "conditional"]
    / strobl.loc[["x1", "x2"], "conditional"].mean(),
})
summary.round(4).to_frame("ratio")

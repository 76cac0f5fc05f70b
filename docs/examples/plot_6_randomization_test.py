"""
=======================
The randomization test
=======================

Is an input's importance more than a network would find in noise? Olden and Jackson's
randomization test answers with a p-value per input: it compares the importances of a
network fitted to the real target with those of networks fitted to the target
shuffled, which has no link to the inputs. This example separates three real inputs
from three noise inputs, and shows why the test needs the right amount of weight
decay.
"""

# %%
# Three real inputs, three noise inputs
# -------------------------------------
# ``x0`` has a strong effect, ``x1`` a medium one (negative), ``x2`` a weak one;
# ``x3``, ``x4`` and ``x5`` have none.
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor

from skimportance import randomization_test

warnings.filterwarnings("ignore", category=ConvergenceWarning)

rng = np.random.RandomState(0)
X = rng.normal(size=(200, 6))
y = 1.0 * X[:, 0] - 0.6 * X[:, 1] + 0.3 * X[:, 2] + 0.5 * rng.normal(size=200)


def network(alpha):
    return MLPRegressor(hidden_layer_sizes=(5,), alpha=alpha, solver="lbfgs",
                        max_iter=200, random_state=0)


# %%
# The test
# --------
# One fit to the real ``y`` gives the observed connection weights; 99 fits to shuffled
# copies of ``y`` give the null distribution. The p-value of an input is the share of
# null importances at least as large as the observed one (counting the observed fit
# itself), so 99 permutations can give 0.01 at best.
res = randomization_test(network(alpha=10.0), X, y, method="olden", n_permutations=99,
                         random_state=0)
pd.DataFrame({"observed": res.observed, "null mean": res.null.mean(axis=0),
              "p-value": res.p_values, "max-T adjusted": res.adjusted_p_values("maxt"),
              "Holm adjusted": res.adjusted_p_values("holm")},
             index=res.feature_names).round(3)

# %%
# The three real inputs come out significant at the 5 % level, the three noise inputs
# far from it. To call several inputs significant at once, read the adjusted p-values:
# max-T (Westfall & Young) uses the null fits and can go as low as 1 / 100 here, while
# Holm, from the p-values alone, cannot go below 6 / 100 with six inputs (see
# :ref:`significance`). The picture: each box is the null distribution of an input, the red dot
# its observed importance.
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.boxplot(res.null)
ax.set_xticks(np.arange(1, 7), res.feature_names)
ax.plot(np.arange(1, 7), res.observed, "o", color="tab:red", label="observed")
ax.set_ylabel("|connection weight|")
ax.set_title("Null distributions (99 shuffled targets) and observed values, alpha=10")
ax.legend()
plt.tight_layout()
plt.show()

# %%
# Too little, and too much, weight decay
# --------------------------------------
# The test only works when networks fitted to noise keep small weights. With almost no
# weight decay, a network fitted to a shuffled target memorises it with large weights,
# the null importances are as large as the real ones, and nothing is significant. With
# far too much, every network fitted to noise collapses to zero weights, while the
# network fitted to the real target keeps some weight on every input: then everything
# is "significant", noise included.
tests = {"alpha=0.0001": randomization_test(network(1e-4), X, y, n_permutations=99,
                                            random_state=0),
         "alpha=10": res,
         "alpha=100": randomization_test(network(100.0), X, y, n_permutations=99,
                                         random_state=0)}
pd.DataFrame({name: r.p_values for name, r in tests.items()}, index=res.feature_names)

# %%
# The mean of the null importances tells the three regimes apart: large (too little
# decay), small but not zero (about right), zero (too much).
pd.DataFrame({name: r.null.mean(axis=0) for name, r in tests.items()},
             index=res.feature_names).round(3)

# %%
# In practice: try a few values of ``alpha``; check that ``res.null`` is well below
# ``res.observed`` for an input you know matters, and that it is not all zero. And when
# you test many inputs, read ``res.adjusted_p_values("maxt")`` before calling several
# of them significant. Measuring the importances on held-out folds
# (``randomization_test(..., method="permutation", cv=5)``) makes the test much more
# powerful: :ref:`significance` measures how much.

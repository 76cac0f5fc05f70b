"""
=====================
Stability over refits
=====================

Two fits of the same network from different random starts can rank the inputs
differently. ``n_refits`` refits the network with several seeds and reports how often
each input held each place, and Kendall's W, the agreement of the rankings.
"""

# %%
# Ten refits on the diabetes data
# -------------------------------
import warnings

import matplotlib.pyplot as plt
import pandas as pd
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skimportance import ImportanceRegressor
from skimportance.plotting import plot_importances, plot_rank_stability

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_diabetes(return_X_y=True, as_frame=True)
y = (y - y.mean()) / y.std()


def network(alpha):
    return make_pipeline(
        StandardScaler(),
        MLPRegressor(hidden_layer_sizes=(10,), solver="lbfgs", alpha=alpha, max_iter=200,
                     random_state=0),
    )


# %%
# The seeds of the refits are drawn from the network's ``random_state`` (0 here), so
# the ten refits are reproducible. The first refit is the network as given, and it is
# the one kept for prediction.
weak = ImportanceRegressor(network(alpha=1.0), method="olden", n_refits=10).fit(X, y)
result = weak.importances_
print(result.importances.shape)  # (n_features, n_refits)
print("Kendall's W:", round(result.rank_agreement, 3))

# %%
# ``rank_counts[i, r]`` is the number of refits that put input ``i`` at place ``r + 1``.
pd.DataFrame(result.rank_counts, index=result.feature_names,
             columns=range(1, len(result.feature_names) + 1))

# %%
# With little weight decay, the refits disagree: most inputs visit most places, and
# Kendall's W is low. The diabetes data has several strongly correlated inputs (the
# serum measurements ``s1`` to ``s4``), and a weakly regularised network can spread
# the same information over them in a different way at every start.
#
# More weight decay
# -----------------
# A network with more weight decay (``alpha``) has fewer ways to fit the data, and the
# refits agree much better:
strong = ImportanceRegressor(network(alpha=10.0), method="olden", n_refits=10).fit(X, y)
print("Kendall's W:", round(strong.importances_.rank_agreement, 3))

fig, axes = plt.subplots(1, 2, figsize=(12, 5))
plot_rank_stability(weak, ax=axes[0])
axes[0].set_title(f"alpha=1: Kendall's W = {weak.importances_.rank_agreement:.2f}")
plot_rank_stability(strong, ax=axes[1])
axes[1].set_title(f"alpha=10: Kendall's W = {strong.importances_.rank_agreement:.2f}")
plt.tight_layout()
plt.show()

# %%
# Mean and spread
# ---------------
# ``importances_mean`` and ``importances_std`` pool the refits; the error bars are
# their spread.
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharex=True)
plot_importances(weak, ax=axes[0], title="alpha=1, mean and std over 10 refits")
plot_importances(strong, ax=axes[1], title="alpha=10, mean and std over 10 refits")
plt.tight_layout()
plt.show()

# %%
# Reading it: a row concentrated in one cell is an input whose place does not depend on
# the seed; a row spread along the places is one whose place does. A ranking from one
# fit of the weakly regularised network would have been mostly an accident of its
# random start. Check the stability before reading a ranking, and when it is low,
# regularise more, rank correlated inputs as a group (:ref:`grouped_features`), or
# report the places with their counts rather than one order.

"""
=========================================================
Per-row attributions: beeswarm, dependence and waterfall
=========================================================

An importance is one number per input, an average over rows. Per-row values say more:
for each patient, how much each input moved the network's prediction away from the
average prediction. This example computes Shapley values on scikit-learn's diabetes data
and draws them three ways: every row of every input (a beeswarm), one input against its
value (a dependence plot) and the values of one patient adding up to the prediction (a
waterfall).
"""

# %%
# The network and its Shapley values
# ----------------------------------
# A small network behind a ``StandardScaler``, on the diabetes data (442 patients, 10
# inputs). ``return_local=True`` keeps the per-row values, ``result.local`` of shape
# ``(n_samples, n_outputs, n_features)``; with 10 inputs the values are exact (every
# coalition), against a background of 50 k-means centres of ``X`` (weighted by their clusters).
import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skimportance import feature_importances
from skimportance.methods import Shapley
from skimportance.plotting import plot_beeswarm, plot_dependence, plot_waterfall

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_diabetes(return_X_y=True, as_frame=True)
net = make_pipeline(StandardScaler(),
                    MLPRegressor(hidden_layer_sizes=(10,), alpha=10.0, solver="lbfgs",
                                 max_iter=300, random_state=0)).fit(X, y)
result = feature_importances(net, X, method=Shapley(background=50, random_state=0),
                             return_local=True)
result.local.shape

# %%
# Each row's values add up to its prediction minus the mean prediction over the
# background, ``result.expected_value``:
gap = result.expected_value[0] + result.local[:, 0, :].sum(axis=1) - net.predict(X)
print(f"mean prediction {result.expected_value[0]:.1f}, "
      f"largest gap {np.abs(gap).max():.1e}")

# %%
# The beeswarm
# ------------
# One row of dots per input, the most important at the top; each dot is a patient,
# placed at its value and coloured by the input's value in that row (blue low, red
# high). Where the red dots lie right of 0 and the blue ones left, the prediction rises
# with the input: ``s2``, ``s5``, ``bmi`` and ``bp``. ``s1`` is the other way round, and
# it and ``s2`` are the widest rows: the two serum measurements are correlated (0.90),
# and the network, like a linear model on this data, leans on their difference, with
# large values of opposite signs that mostly cancel for a given patient (see
# :ref:`pitfall_correlated`). ``sex`` splits the patients into two clumps, one per value.
# A narrow row (``age``, ``s6``) is an input that moves no patient's prediction much,
# not only one that matters little on average.
plot_beeswarm(result, X)
plt.show()

# %%
# The dependence plot
# -------------------
# One input's value (x) against its per-row values (y). A thin curve is an input whose
# effect does not depend on the others; a spread at one value of the input is an
# interaction with another input, and colouring by a candidate shows whether it is
# that one. Here ``bmi``, coloured by ``s5``: the curve bends upwards (a unit of
# ``bmi`` adds more to the prediction of a heavy patient than of a light one) and is
# thin, with no pattern of colours across it, so this network has learnt little
# interaction between the two.
plot_dependence(result, X, "bmi", color_by="s5")
plt.show()

# %%
# The waterfall of one patient
# ----------------------------
# Starting at the mean prediction, each bar adds one input's value for this patient
# (red raises the prediction, blue lowers it), largest at the top, the smallest inputs
# together in one bar, ending at the patient's prediction.
row = int(np.argmax(net.predict(X)))
ax = plot_waterfall(result, row, X, max_display=6)
print(f"prediction for patient {row}: {net.predict(X.iloc[[row]])[0]:.1f}")
plt.show()

# %%
# With shap
# ---------
# When shap is installed, ``result.to_shap(X)`` returns a ``shap.Explanation`` of the
# same values, so that shap's own plots (``shap.plots.beeswarm``,
# ``shap.plots.waterfall``, ...) draw them too. shap is not a dependency of
# skimportance.

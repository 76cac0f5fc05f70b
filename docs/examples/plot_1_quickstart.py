"""
===========
Quick start
===========

Fit a neural network on scikit-learn's diabetes data, read the importances of its ten
inputs, and plot them.
"""

# %%
# The network
# -----------
# A small ``MLPRegressor`` behind a ``StandardScaler``. The scaler is folded into the
# network's first layer, so the importances below refer to the columns of ``X`` as
# they are. The target is standardised too: networks train better on a target of unit
# scale, and the importances are then in standard deviations of the disease score.
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skimportance import ImportanceRegressor
from skimportance.plotting import plot_importances

# lbfgs stops at max_iter, which is all these small examples need.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_diabetes(return_X_y=True, as_frame=True)
y = (y - y.mean()) / y.std()

net = make_pipeline(
    StandardScaler(),
    MLPRegressor(hidden_layer_sizes=(10,), solver="lbfgs", alpha=10.0, max_iter=200,
                 random_state=0),
)

# %%
# Fit and read
# ------------
# :class:`~skimportance.ImportanceRegressor` fits a clone of the network and computes
# the importances with the chosen ``method``: here the exact gradient of the prediction
# with respect to each input, per standard deviation of the input, averaged in absolute
# value over the rows. ``cv=5`` measures it on held-out folds, so an input the network
# merely overfits does not look important.
est = ImportanceRegressor(net, method="gradient", cv=5).fit(X, y)
print(est.importances_)

# %%
# ``feature_importances_`` is the normalised summary that ``SelectFromModel`` reads:
# non-negative, summing to one.
dict(zip(X.columns, est.feature_importances_.round(3).tolist()))

# %%
# ``importances_`` is the full result; ``to_frame()`` shows it with the spread over the
# five folds.
est.importances_.to_frame().sort_values("importance", ascending=False)

# %%
# The meta-estimator predicts like the network (refitted on all rows after the folds).
print("R^2 on the training rows:", round(est.score(X, y), 3))

# %%
# Plot
# ----
# :func:`~skimportance.plotting.plot_importances` takes the fitted meta-estimator (or a
# result) and draws the most important input at the top, with the spread over the folds
# as error bars.
plot_importances(est)
plt.tight_layout()
plt.show()

# %%
# ``bmi`` (body mass index) and ``s5`` (a blood serum measurement, the log of the
# triglycerides level) lead, then ``bp`` (blood pressure), as for linear models of
# these data. Try ``method="permutation"`` or ``method="olden"``: the
# :ref:`user guide <user_guide>` explains what each one measures, and
# :ref:`the next example <sphx_glr_auto_examples_plot_2_compare_methods.py>` draws them
# side by side.

"""
================================================
Which method's ranking is faithful? ROAR and KAR
================================================

Importance methods disagree; on your own data, which ranking should you believe?
Remove-and-retrain (ROAR) answers by deleting each method's top inputs, retraining and
scoring on held-out rows: the faster the score falls, the better the ranking found the
inputs the model needs. Keep-and-retrain (KAR) keeps only the top inputs: the higher the
score stays, the better. A random ranking is the baseline. This example runs both on
scikit-learn's diabetes data.
"""

# %%
# The data and the network
# ------------------------
# The diabetes data (442 patients, 10 inputs), a standardised target, and a small
# network with weight decay behind a ``StandardScaler``.
import warnings

import matplotlib.pyplot as plt
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skimportance import evaluate_methods
from skimportance.plotting import plot_faithfulness

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_diabetes(return_X_y=True, as_frame=True)
y = (y - y.mean()) / y.std()
net = make_pipeline(StandardScaler(),
                    MLPRegressor(hidden_layer_sizes=(10,), alpha=10.0, solver="lbfgs",
                                 max_iter=300, random_state=0))

# %%
# Remove and retrain
# ------------------
# In each of 3 folds, every method ranks the inputs of the network fitted on the
# training rows (and only there); the network is then retrained without the top
# 1, 3, 5, 7 and 9 inputs, warm-started from the fold's weights, and scored (R²) on the
# held-out rows.
methods = ["olden", "garson", "gradient", "permutation"]
roar = evaluate_methods(net, X, y, methods=methods, cv=3, strategy="remove",
                        random_state=0)
roar

# %%
# The long table has one row per method, number of inputs and fold:
roar.to_frame().head()

# %%
# Keep and retrain
# ----------------
# The same, keeping only the top inputs.
kar = evaluate_methods(net, X, y, methods=methods, cv=3, strategy="keep",
                       random_state=0)

fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=True)
plot_faithfulness(roar, ax=axes[0])
plot_faithfulness(kar, ax=axes[1])
plt.tight_layout()
plt.show()

# %%
# Reading it: every method's curve lies below the random one under ROAR and above it
# under KAR, so all four find inputs the network needs (their first two are ``bmi``
# and ``s5``). Under ROAR, ``"olden"`` and ``"gradient"`` make the score fall fastest
# and ``"garson"`` slowest; under KAR the four are within their spread over folds. The
# number in the legend is the mean gap to the random curve over ``k``, in units of R²;
# see :ref:`faithfulness` for its definition and its limits (correlated inputs soften
# ROAR).

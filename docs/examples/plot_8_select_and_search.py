"""
================================================
Selecting features and grid-searching the method
================================================

The meta-estimators expose ``feature_importances_``, so a neural network can drive
scikit-learn's feature selection. And since the importance method is a parameter, a
grid search can choose it: the method whose selection predicts best on held-out data
wins.
"""

# %%
# Diabetes data with five noise columns
# -------------------------------------
# The ten columns of the diabetes data, plus five columns of pure noise that a good
# selection should leave out.
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_selection import SelectFromModel
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from skimportance import ImportanceRegressor
from skimportance.methods import Gradient, Permutation

warnings.filterwarnings("ignore", category=ConvergenceWarning)

X, y = load_diabetes(return_X_y=True, as_frame=True)
y = (y - y.mean()) / y.std()
rng = np.random.RandomState(0)
noise = pd.DataFrame(rng.normal(size=(len(X), 5)), columns=[f"noise{i}" for i in range(5)])
X = pd.concat([X, noise], axis=1)

net = make_pipeline(
    StandardScaler(),
    MLPRegressor(hidden_layer_sizes=(10,), solver="lbfgs", alpha=10.0, max_iter=200,
                 random_state=0),
)

# %%
# SelectFromModel
# ---------------
# Keep the five most important columns according to the network's gradients, then
# train the final network on them. ``threshold=-np.inf`` with ``max_features=5`` keeps
# exactly five.
selector = SelectFromModel(ImportanceRegressor(net, method="gradient"), max_features=5,
                           threshold=-np.inf)
model = Pipeline([("select", selector), ("net", net)]).fit(X, y)
print("kept:", list(model.named_steps["select"].get_feature_names_out()))

# %%
# Grid-searching the method
# -------------------------
# Which importance method selects the columns that predict best? In the pipeline the
# method is ``select__estimator__method``; the search scores each choice by the
# cross-validated R² of the network trained on what it selected.
grid = {"select__estimator__method": ["garson", "olden", "gradient",
                                      Permutation(random_state=0)]}
search = GridSearchCV(Pipeline([("select", selector), ("net", net)]), grid, cv=3)
search.fit(X, y)

results = pd.DataFrame({
    "method": [str(params["select__estimator__method"])
               for params in search.cv_results_["params"]],
    "mean R^2": search.cv_results_["mean_test_score"],
    "std": search.cv_results_["std_test_score"],
}).round(3)
results

# %%
print("best:", search.best_params_["select__estimator__method"])
print("kept:", list(search.best_estimator_["select"].get_feature_names_out()))

# %%
# A method's own parameters
# -------------------------
# A method object's parameters are searched with one more ``__``:
# ``select__estimator__method__aggregate`` for the gradient's aggregation, for example.
# One grid per method keeps the parameters with their method.
grid = [
    {"select__estimator__method": [Gradient()],
     "select__estimator__method__aggregate": ["mean_abs", "rms"]},
    {"select__estimator__method": ["olden"]},
]
search = GridSearchCV(Pipeline([("select", selector), ("net", net)]), grid, cv=3)
search.fit(X, y)
pd.DataFrame({
    "method": [str(m) for m in search.cv_results_["param_select__estimator__method"]],
    "aggregate": search.cv_results_["param_select__estimator__method__aggregate"],
    "mean R^2": search.cv_results_["mean_test_score"],
}).round(3)

# %%
# Which columns each method keeps
# -------------------------------
# For a picture of the selection itself: the normalised importances of every column
# by each method, on all rows, with the five kept marked.
methods = {"garson": "garson", "olden": "olden", "gradient": "gradient",
           "permutation": Permutation(random_state=0)}
table = pd.DataFrame({
    name: ImportanceRegressor(net, method=method).fit(X, y).feature_importances_
    for name, method in methods.items()
}, index=X.columns)

fig, ax = plt.subplots(figsize=(7, 5))
image = ax.imshow(table.to_numpy(), cmap="Blues", aspect="auto")
for j, name in enumerate(table.columns):
    for i in np.argsort(-table[name].to_numpy())[:5]:
        ax.text(j, i, "kept", ha="center", va="center", fontsize=8)
ax.set_xticks(range(len(table.columns)), table.columns)
ax.set_yticks(range(len(table.index)), table.index)
fig.colorbar(image, ax=ax, label="normalised importance")
ax.set_title("Importances by method; the five kept by each")
plt.tight_layout()
plt.show()

# %%
# Connection weights, gradients and permutation leave the five noise columns out and
# differ only in which of the correlated serum measurements they keep. Garson keeps two
# noise columns, and its selection predicted worst in the search above. Its shares
# are relative: a hidden unit whose incoming weights are all small hardly depends on
# any input, yet it still splits its full share among the inputs, noise included.
#
# ``RFE`` and ``RFECV`` accept the meta-estimators the same way, refitting the network
# as they eliminate columns.

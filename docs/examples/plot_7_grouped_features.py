"""
=============================
Grouped and one-hot features
=============================

Sometimes one column is the wrong unit to rank: two sensors that measure the same
temperature, or the dummy columns of one categorical variable. ``feature_groups``
ranks several columns as one; and a ``Pipeline`` that one-hot encodes its input is
reported per original column without being asked.
"""

# %%
# Two thermometers
# ----------------
# ``temp_a`` and ``temp_b`` are two noisy readings of the same temperature (correlation
# about 0.9); the target depends on the temperature twice as much as on ``humidity``;
# ``noise`` plays no part.
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.compose import make_column_transformer
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skimportance import ImportanceRegressor
from skimportance.methods import DropRetrain, Permutation
from skimportance.plotting import plot_importances

warnings.filterwarnings("ignore", category=ConvergenceWarning)

rng = np.random.RandomState(0)
n = 300
temperature = rng.normal(size=n)
X = pd.DataFrame({
    "temp_a": temperature + 0.3 * rng.normal(size=n),
    "temp_b": temperature + 0.3 * rng.normal(size=n),
    "humidity": rng.normal(size=n),
    "noise": rng.normal(size=n),
})
y = 2.0 * temperature + 1.0 * X["humidity"] + 0.3 * rng.normal(size=n)
X.corr().round(2)

# %%
# Column by column, drop-and-retrain measures what each column adds to the others: a
# network trained without ``temp_a`` still has ``temp_b``, and the other way round.
# Both thermometers then look *less* important than humidity, though the temperature
# matters twice as much.
net = MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", alpha=1.0, max_iter=300,
                   random_state=0)
drop = DropRetrain(max_iter=50)
by_column = ImportanceRegressor(net, method=drop, cv=3).fit(X, y)
by_column.importances_.to_frame()[["importance", "std"]].round(3)

# %%
# As a group
# ----------
# Declaring the two thermometers a group drops them *together*: now the model loses the
# temperature, and the group comes out on top. Each entry of ``feature_groups`` is a
# column or a list of columns (or use a dict ``{name: columns}``); a list is named by
# its columns joined with ``+``.
groups = [["temp_a", "temp_b"], "humidity", "noise"]
grouped = ImportanceRegressor(net, method=drop, cv=3, feature_groups=groups).fit(X, y)
grouped.importances_.to_frame()[["importance", "std"]].round(3)

# %%
# Permutation leans the other way on correlated columns: shuffling one thermometer
# while the other keeps its value creates rows that never occur. Grouped, the two are
# shuffled with the same row order, so their joint values stay realistic and only their
# link to the rest of the row is broken.
permutation = Permutation(random_state=0)
fig, axes = plt.subplots(2, 2, figsize=(10, 5), sharex=True)
plot_importances(by_column, ax=axes[0, 0], title="drop-and-retrain, by column")
plot_importances(grouped, ax=axes[0, 1], title="drop-and-retrain, grouped")
plot_importances(ImportanceRegressor(net, method=permutation, cv=3).fit(X, y),
                 ax=axes[1, 0], title="permutation, by column")
plot_importances(ImportanceRegressor(net, method=permutation, cv=3,
                                     feature_groups=groups).fit(X, y),
                 ax=axes[1, 1], title="permutation, grouped")
plt.tight_layout()
plt.show()

# %%
# Both methods agree once the thermometers are grouped: the temperature matters most.
# Column by column, neither method says so: drop-and-retrain credits each thermometer
# with only what the other does not already give, and permutation splits the
# temperature's share between them.
#
# One-hot encoding inside the model
# ---------------------------------
# A categorical column, ``colour``, encoded by a ``OneHotEncoder`` in a
# ``ColumnTransformer``. The network sees five inputs (three dummies and two scaled
# numbers), but the importances come per column of ``X``: the weight and gradient
# methods trace each network input back to the column it was made from and add up its
# dummies, and the score-based methods shuffle or drop the column itself.
D = pd.DataFrame({
    "colour": rng.choice(["red", "green", "blue"], size=n),
    "size": rng.normal(size=n),
    "weight": rng.normal(size=n),
})
effect = D["colour"].map({"red": 2.0, "green": -1.0, "blue": 0.0})
z = effect + 0.5 * D["size"] + 0.3 * rng.normal(size=n)

encode = make_column_transformer((OneHotEncoder(), ["colour"]),
                                 (StandardScaler(), ["size", "weight"]))
pipe = make_pipeline(encode, MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs",
                                          alpha=1.0, max_iter=300, random_state=0))
table = pd.DataFrame({
    method: ImportanceRegressor(pipe, method=method).fit(D, z).importances_.importances_mean
    for method in ["olden", "gradient", "permutation"]
}, index=D.columns)
table.round(3)

# %%
# ``colour`` leads, ``size`` follows and ``weight`` gets next to nothing, whatever the
# method. With dummies you made yourself, outside the model, say which columns belong
# together: ``feature_groups={"colour": ["colour_red", "colour_green",
# "colour_blue"], ...}``.

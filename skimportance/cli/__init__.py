"""Command line tool: rank the inputs of an MLP by every importance method, side by side.

``skimportance`` with no arguments fits an MLP to scikit-learn's diabetes data;
``skimportance data.csv --target COLUMN`` does the same for a CSV file. The table shows,
for each method (the two recommended ones, the ten of the ground-truth benchmark with
``--wide``, or those given by ``--method``), measured on held-out folds, the normalised
importance with its spread and the rank of every feature, followed by how much the
methods agree (Kendall's W and the mean pairwise Spearman correlation of their
rankings). The default output fits in 100 columns.

Only numpy and scikit-learn are needed: the CSV file is read with the ``csv`` module.
The modules: ``_arguments`` (the command line), ``_data`` (the data), ``_modelling``
(the pipeline, the fits and the importances), ``_report`` (table and files),
``_progress`` (stage lines on stderr) and ``_main`` (the run).
"""

from ._data import CLIError
from ._main import main

__all__ = ["CLIError", "main"]

"""The command line of the tool: the argparse parser, its option types, and the
description and epilog of ``--help`` (string constants, so ``python -OO`` keeps them)."""

import argparse

from ._data import MAX_CLASSES_FOR_INTEGER_TARGET, MIN_ROWS
from ._modelling import EARLY_STOPPING_MIN_ROWS, N_ITER_NO_CHANGE, VALIDATION_FRACTION
from ._report import METHOD_WIDTH, NAME_WIDTH

__all__ = ["DEFAULT_COLUMNS", "PROG", "parse_arguments"]

PROG = "skimportance"
DEFAULT_HIDDEN = (32, 16)
DEFAULT_MAX_ITER = 1000
DEFAULT_CV = 5
# The table's columns without --method: the methods the ground-truth benchmark ranks
# (docs: How accurate is each method?), so that the recommendation applies to them.
# Newer methods (per-row attributions, Shapley values) are asked for by name.
DEFAULT_COLUMNS = ("weights", "garson", "olden", "gradient", "integrated_gradients",
                   "conductance", "profile", "permutation", "ablation", "drop")


def _methods_option(text):
    from ..methods import METHODS

    names = []
    for name in text.split(","):
        name = name.strip()
        if not name:
            continue
        if name not in METHODS:
            raise argparse.ArgumentTypeError(
                f"unknown method {name!r}; valid methods: {', '.join(METHODS)}")
        if name not in names:
            names.append(name)
    if not names:
        raise argparse.ArgumentTypeError(
            f"no method given; valid methods: {', '.join(METHODS)}")
    return names


def _hidden_option(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(
            f"expected positive layer sizes separated by commas, like 32,16; got {text!r}")
    return sizes


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _non_negative_int(text):
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0 or value == 1:
        raise argparse.ArgumentTypeError(
            f"expected 0 or a number of folds of at least 2, got {text!r}")
    return value


def _output_option(text):
    if not text.lower().endswith((".csv", ".json")):
        raise argparse.ArgumentTypeError(
            f"the output file must end in .csv or .json; got {text!r}")
    return text


DESCRIPTION = """\
Rank the inputs of a scikit-learn MLP by skimportance's importance methods, side by
side, measured on held-out folds, and say how much the methods agree and which one
to believe.

Without a file: scikit-learn's diabetes data (load_diabetes, 442 rows, 10 features).
With a file: a CSV with a header row; --target names the column to predict, all
other columns are features and must be numeric, with no missing values
(at least %(min_rows)d data rows).
""" % {"min_rows": MIN_ROWS}

EPILOG = """\
model:
  make_pipeline(StandardScaler(), MLPRegressor or MLPClassifier). By default (--cv 5)
  one network is fitted per fold of a shuffled 5-fold split (stratified for
  classification) and every method is computed on the rows that network did not see:
  the table shows the mean over the folds and, after "±", the standard deviation.
  The header gives the held-out R^2 (regression) or accuracy (classification) of the
  network and of a plain linear (logistic) regression on the same folds: when the
  linear model predicts as well, the network may not be worth explaining.
  --cv 0 fits one network on a random 75%% of the rows, scores it on the other 25%%
  and computes the importances on the training part (optimistic). With at least
  %(early)d training rows, early stopping holds out %(val)d%% of them and stops when the
  validation score has not improved for %(nochange)d epochs. --refits K fits K networks
  (seeds --random-state, +1, ...) on the same folds, pools them in the table and
  prints each method's rank stability (Kendall's W of the K rankings).

task:
  The target is a classification target when it is not numeric, or when it is
  numeric with only integer values and at most %(max_classes)d distinct values;
  otherwise it is regression. For regression the target is standardised before
  fitting: the importances of a given fit change by a common factor only (removed
  by the normalisation), and the MLP converges far better.

table:
  One row per feature, sorted by the mean rank over the methods. For each method:
  the normalised importance (clipped at 0, summing to 1 over the features) and
  the rank "rk" (1 = most important; ties share their average rank). Method names
  longer than %(method_width)d characters are abbreviated (a legend follows the table),
  feature names longer than %(name_width)d are shortened. The heading of the
  recommended method (the most accurate in skimportance's ground-truth benchmark)
  ends in "*". Last line: Kendall's W (coefficient of concordance, 0 = no agreement,
  1 = identical rankings) and the mean Spearman rank correlation over all pairs of
  methods; conductance, whose per-input values equal integrated gradients' by
  construction, counts once with it.

--evaluate:
  Remove-and-retrain on held-out folds (skimportance.evaluate_methods): for each
  method, the inputs it ranks first are removed, the network is refitted without
  them and scored on the held-out fold; the faithfulness is how much more that
  hurts than removing inputs in a random order (higher is better).

output file (--output):
  .csv: one row per feature, in the order of the table, with the columns feature,
  <method>_importance, <method>_sd (with --cv) and <method>_rank for each method,
  and mean_rank.
  .json: the same rows as a list of records (objects with the same keys).

chart (--plot):
  Grouped horizontal bars of the normalised importances in the table, one colour
  per method, features ordered by their mean over the methods (largest at the
  top). The file type follows the extension of PATH. Needs matplotlib
  (pip install 'skimportance[plot]').

exit status: 0 on success, 2 on a usage or data error or a failed computation
  (one line on stderr).
""" % {"early": EARLY_STOPPING_MIN_ROWS, "val": round(100 * VALIDATION_FRACTION),
       "nochange": N_ITER_NO_CHANGE, "max_classes": MAX_CLASSES_FOR_INTEGER_TARGET,
       "method_width": METHOD_WIDTH, "name_width": NAME_WIDTH}


def _parser():
    from ..methods import METHODS

    parser = argparse.ArgumentParser(
        prog=PROG, description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", nargs="?", metavar="FILE.csv",
                        help="CSV file with a header row (default: the diabetes data)")
    parser.add_argument("--target", metavar="COLUMN",
                        help="name of the column to predict (required with a file)")
    parser.add_argument("--method", type=_methods_option, metavar="NAME[,NAME...]",
                        help=f"these methods (default: {', '.join(DEFAULT_COLUMNS)}; "
                             f"all: {', '.join(METHODS)})")
    parser.add_argument("--hidden", type=_hidden_option, default=DEFAULT_HIDDEN,
                        metavar="N[,N...]",
                        help="hidden layer sizes (default: %s)"
                        % ",".join(map(str, DEFAULT_HIDDEN)))
    parser.add_argument("--max-iter", type=_positive_int, default=DEFAULT_MAX_ITER,
                        metavar="N", help="maximum training epochs (default: %(default)s)")
    parser.add_argument("--random-state", type=int, default=0, metavar="INT",
                        help="seed of the split and of the MLP (default: %(default)s)")
    parser.add_argument("--cv", type=_non_negative_int, default=DEFAULT_CV, metavar="K",
                        help="measure the importances on the held-out rows of K folds "
                             "(default: %(default)s); 0: fit on a random 75%% and measure "
                             "them on it (optimistic)")
    parser.add_argument("--refits", type=_positive_int, default=1, metavar="K",
                        help="refit the network with K seeds on the same folds and show "
                             "how stable each method's ranking is (needs --cv; default: "
                             "%(default)s)")
    parser.add_argument("--evaluate", action="store_true",
                        help="also rank the methods by faithfulness on this data: "
                             "remove-and-retrain on held-out folds (slow: one refit per "
                             "method, fraction and fold)")
    parser.add_argument("--output", type=_output_option, metavar="PATH",
                        help="also write the table to PATH, ending in .csv or .json")
    parser.add_argument("--plot", metavar="PATH",
                        help="also draw the normalised importances of the methods as a "
                             "bar chart to PATH (.png, .pdf, .svg, ...; needs matplotlib)")
    return parser


def parse_arguments(argv):
    """The parsed arguments; argparse's SystemExit on an error or on --help."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.csv is None and args.target is not None:
        parser.error("--target needs a CSV file")
    if args.csv is not None and args.target is None:
        parser.error("a CSV file needs --target COLUMN, the column to predict")
    if args.refits > 1 and not args.cv:
        parser.error("--refits needs held-out folds: use it with --cv K (K >= 2)")
    return args

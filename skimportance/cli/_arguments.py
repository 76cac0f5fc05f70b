"""The command line of the tool: the argparse parser, its option types, and the
description and epilog of ``--help`` (string constants, so ``python -OO`` keeps them)."""

import argparse

from .. import __version__
from ._data import MAX_CLASSES_FOR_INTEGER_TARGET, MAX_CLASSES_WITHOUT_TASK, MIN_ROWS
from ._modelling import EARLY_STOPPING_MIN_ROWS, N_ITER_NO_CHANGE, VALIDATION_FRACTION
from ._progress import LARGE_DATA_CELLS, PROGRESS_AFTER
from ._report import LINE_WIDTH, MAX_NAME_WIDTH, METHOD_WIDTH, NAME_WIDTH

__all__ = ["DEFAULT_COLUMNS", "PROG", "RECOMMENDED", "WIDE_COLUMNS", "parse_arguments"]

PROG = "skimportance"
DEFAULT_HIDDEN = (32, 16)
DEFAULT_MAX_ITER = 1000
DEFAULT_CV = 5
# The recommended methods (marked "*"): the most accurate in the ground-truth benchmark
# (docs: How accurate is each method?), tied on held-out rows, which the command uses:
# permutation (methods._registry.DEFAULT_METHOD, 0.911) and gradient
# (DEFAULT_METHOD_WITHOUT_Y, 0.910). They are the default table, which fits in 100
# columns; the order is that of METHODS.
RECOMMENDED = ("gradient", "permutation")
DEFAULT_COLUMNS = RECOMMENDED
# --wide: the ten methods that benchmark ranks. Newer methods (per-row attributions,
# Shapley values) are asked for by name with --method.
WIDE_COLUMNS = ("weights", "garson", "olden", "gradient", "integrated_gradients",
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


def _sep_option(text):
    named = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}
    sep = named.get(text.lower(), text)
    if len(sep) != 1 or sep in "\"\r\n":
        raise argparse.ArgumentTypeError(
            f"expected one character (or tab, comma, semicolon, pipe); got {text!r}")
    return sep


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
With a file: a CSV with a header row (at least %(min_rows)d data rows); --target names
the column to predict, the other columns are the features. The table shows the
recommended methods, %(recommended)s; --wide shows the ten of the benchmark.
""" % {"min_rows": MIN_ROWS, "recommended": " and ".join(RECOMMENDED)}

EPILOG = """\
file:
  The delimiter is guessed from the start of the file (comma, semicolon, tab or |;
  --sep sets it); in a file separated by semicolons, "1,5" is the number 1.5. These
  columns are not features: an unnamed first column (the row index pandas' to_csv
  writes), the --index-col column, the --drop columns, and columns that look like row
  ids: named id, ID, *_id, id_*, CustomerID, index, or holding a different text in
  every row, or a different integer in every row that is consecutive or increasing.
  Each is dropped with a note on stderr (--keep COL ranks it anyway). Blank cells
  (also NA, N/A, NaN, null, None) are imputed and text columns one-hot encoded inside
  the pipeline, fitted on each fold's training rows: SimpleImputer (median of numbers,
  most frequent text), OneHotEncoder; a text column ranks as one feature. A column
  with mostly numbers and a few other cells is an error naming the first of them. The
  target may not be blank.

model:
  make_pipeline(StandardScaler(), MLPRegressor or MLPClassifier), or with blanks or text
  columns the imputer and encoder above before the network. By default (--cv 5)
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
  The target is a classification target when it is not numeric, or when it holds
  only integers with at most %(few_classes)d distinct values (0/1); otherwise it is a
  regression: a 1-8 rating is not 8 classes. With up to %(max_classes)d integer values the
  header says so; --task classification (or regression) decides instead. For
  regression the target is standardised before fitting: the importances of a given
  fit change by a common factor only (removed by the normalisation), and the MLP
  converges far better.

table:
  One row per feature, sorted by the mean rank over the methods. For each method:
  the normalised importance (clipped at 0, summing to 1 over the features) and
  the rank "rk" (1 = most important; ties share their average rank). The default
  table fits in %(line_width)d columns; --wide (all ten methods) and --method can be wider.
  Method names longer than %(method_width)d characters are abbreviated (a legend follows
  the table); feature names get the room left, %(name_width)d to %(max_name)d characters, and
  longer ones keep their start and end around "…", distinct from each other. The
  headings of the recommended methods (the most accurate in skimportance's
  ground-truth benchmark) end in "*". Last line: Kendall's W (coefficient of
  concordance, 0 = no agreement,
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
  then for each method <method>_importance (normalised, as in the table), <method>_sd
  (its spread, with --cv), <method>_rank, <method>_raw (the method's own value, for
  regression in units of the standardised target: the mean over the folds) and
  <method>_raw_sd (with --cv: the standard deviation over folds and refits); then
  mean_rank. Before the header, lines "# key: value" (JSON values) give the version,
  the settings of the run (data, target, task, columns dropped, network, folds,
  seeds, methods), the held-out scores of the network and the linear model per
  fold, the agreement and the notes (read with pandas.read_csv(path, comment="#")).
  .json: an object with the same entries, and "features": the rows as records.

chart (--plot):
  Grouped horizontal bars of the normalised importances in the table, one colour
  per method, features ordered by their mean over the methods (largest at the
  top). The file type follows the extension of PATH. Needs matplotlib
  (pip install matplotlib).

progress and warnings:
  A run that lasts more than %(after)g s, or has at least %(large)d cells, prints a
  line per stage (each fold) on stderr, with the time since the start. Networks that
  stop at --max-iter before converging are counted in one note ("3 of 5 network fits
  stopped ..."); other convergence warnings (--evaluate's refits, the logistic
  regression) in one line on stderr.

exit status: 0 on success, 2 on a usage or data error or a failed computation
  (one line on stderr).
""" % {"early": EARLY_STOPPING_MIN_ROWS, "val": round(100 * VALIDATION_FRACTION),
       "nochange": N_ITER_NO_CHANGE, "max_classes": MAX_CLASSES_FOR_INTEGER_TARGET,
       "few_classes": MAX_CLASSES_WITHOUT_TASK, "method_width": METHOD_WIDTH,
       "name_width": NAME_WIDTH, "max_name": MAX_NAME_WIDTH, "line_width": LINE_WIDTH,
       "after": PROGRESS_AFTER, "large": LARGE_DATA_CELLS}


def _parser():
    from ..methods import METHODS

    parser = argparse.ArgumentParser(
        prog=PROG, description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", nargs="?", metavar="FILE.csv",
                        help="CSV file with a header row (default: the diabetes data)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--target", metavar="COLUMN",
                        help="name of the column to predict (required with a file)")
    parser.add_argument("--task", choices=("regression", "classification"),
                        help="how to read the target (default: text or at most "
                             f"{MAX_CLASSES_WITHOUT_TASK} integer values is "
                             "classification, other numbers regression)")
    parser.add_argument("--sep", type=_sep_option, metavar="CHAR",
                        help="the file's delimiter: a character, or tab, comma, semicolon, "
                             "pipe (default: guessed from the file)")
    parser.add_argument("--index-col", metavar="COLUMN",
                        help="a column that names the rows: not a feature")
    parser.add_argument("--drop", nargs="+", action="extend", default=[], metavar="COL",
                        help="columns that are not features (after the file name)")
    parser.add_argument("--keep", nargs="+", action="extend", default=[], metavar="COL",
                        help="rank these columns even if they look like row ids")
    parser.add_argument("--method", type=_methods_option, metavar="NAME[,NAME...]",
                        help=f"these methods (default: {', '.join(DEFAULT_COLUMNS)}; "
                             f"all: {', '.join(METHODS)})")
    parser.add_argument("--wide", action="store_true",
                        help=f"the ten methods of the benchmark: {', '.join(WIDE_COLUMNS)} "
                             "(a table wider than 100 columns)")
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
    file_options = [name for name, value in (
        ("--sep", args.sep), ("--index-col", args.index_col), ("--drop", args.drop),
        ("--keep", args.keep), ("--task", args.task)) if value]
    if args.csv is None and (args.drop or args.keep):
        # nargs="+" takes the file name too when it comes after --drop or --keep.
        given = (args.drop or []) + (args.keep or [])
        if any(name.lower().endswith((".csv", ".tsv", ".txt")) for name in given):
            parser.error("the CSV file must come before --drop and --keep "
                         "(they take every name that follows)")
    if args.csv is None and args.target is not None:
        parser.error("--target needs a CSV file")
    if args.csv is None and file_options:
        parser.error(f"{file_options[0]} needs a CSV file")
    if args.wide and args.method:
        parser.error("--wide and --method both choose the methods: give one")
    if args.csv is not None and args.target is None:
        parser.error("a CSV file needs --target COLUMN, the column to predict")
    if args.refits > 1 and not args.cv:
        parser.error("--refits needs held-out folds: use it with --cv K (K >= 2)")
    return args

"""Command line tool: rank the inputs of an MLP by every importance method, side by side.

``skimportance`` with no arguments fits an MLP to scikit-learn's diabetes data;
``skimportance data.csv --target COLUMN`` does the same for a CSV file. The table shows,
for each method in :data:`skimportance.methods.METHODS`, the normalised importance and
the rank of every feature, followed by how much the methods agree (Kendall's W and the
mean pairwise Spearman correlation of their rankings).

Only numpy and scikit-learn are needed: the CSV file is read with the ``csv`` module.
"""

import argparse
import csv
import json
import math
import os
import sys
import warnings

import numpy as np

from ._agreement import kendalls_w, mean_pairwise_spearman, rank_descending
from ._data import (
    MAX_CLASSES_FOR_INTEGER_TARGET,
    MIN_ROWS,
    CLIError,
    load_csv,
    load_diabetes_data,
)

__all__ = ["main"]

PROG = "skimportance"
TEST_SIZE = 0.25
DEFAULT_HIDDEN = (32, 16)
DEFAULT_MAX_ITER = 1000
# Early stopping holds out this fraction of the training rows; it needs enough rows.
EARLY_STOPPING_MIN_ROWS = 50
VALIDATION_FRACTION = 0.2
N_ITER_NO_CHANGE = 20
NAME_WIDTH = 16  # longer feature names are shortened in the table (not in files)
METHOD_WIDTH = 8  # longer method names are abbreviated in the table headings


# ---------------------------------------------------------------------------------------
# Fitting and computing


def _split(data, random_state):
    from sklearn.model_selection import train_test_split

    if data.task == "classification":
        try:
            return train_test_split(data.X, data.y, test_size=TEST_SIZE,
                                    random_state=random_state, stratify=data.y)
        except ValueError:
            pass  # a class too small to stratify: split without stratification
    return train_test_split(data.X, data.y, test_size=TEST_SIZE, random_state=random_state)


def _use_early_stopping(task, y_train):
    n = y_train.shape[0]
    if n < EARLY_STOPPING_MIN_ROWS:
        return False
    if task == "classification":
        # The validation rows are drawn stratified: every class needs a few rows.
        _, counts = np.unique(y_train, return_counts=True)
        return counts.min() >= 5 and VALIDATION_FRACTION * n >= counts.size
    return True


def _fit(data, hidden, max_iter, random_state):
    """Fit the pipeline: (model, X_train, y_train as fitted, score text, converged, epochs)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X_train, X_test, y_train, y_test = _split(data, random_state)
    if np.all(X_train == X_train[0]):
        raise CLIError(f"all feature columns are constant in the training part "
                       f"({len(y_train)} rows): nothing can be ranked; more rows are needed")
    if data.task == "classification" and np.unique(y_train).size < 2:
        raise CLIError(f"the training part ({len(y_train)} rows) of target "
                       f"{data.target_name!r} has a single class; more rows are needed")
    early = _use_early_stopping(data.task, y_train)
    params = dict(hidden_layer_sizes=hidden, max_iter=max_iter, random_state=random_state,
                  early_stopping=early)
    if early:
        params.update(validation_fraction=VALIDATION_FRACTION,
                      n_iter_no_change=N_ITER_NO_CHANGE)
    if data.task == "regression":
        # Standardised target: the MLP converges far better, and every importance is
        # multiplied by the same factor 1/std(y), which the normalisation removes.
        center, spread = y_train.mean(), y_train.std()
        if spread == 0:
            raise CLIError(f"target {data.target_name!r} is constant in the training part")
        y_train = (y_train - center) / spread
        y_test = (y_test - center) / spread
        model = make_pipeline(StandardScaler(), MLPRegressor(**params))
    else:
        model = make_pipeline(StandardScaler(), MLPClassifier(**params))

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model.fit(X_train, y_train)
    converged = True
    for warning in caught:
        if issubclass(warning.category, ConvergenceWarning):
            converged = False
        else:  # not ours to silence
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno)
    score = model.score(X_test, y_test)
    metric = "R^2" if data.task == "regression" else "accuracy"
    score_text = f"held-out {metric} = {score:.2f} on {len(y_test)} rows"
    n_iter = model[-1].n_iter_
    return model, X_train, y_train, score_text, converged, n_iter


def _compute(model, X_train, y_train, methods, random_state):
    """(n_methods, n_features) normalised importances and ranks."""
    from ._function import feature_importances
    from .methods import METHODS

    importances, ranks = [], []
    for name in methods:
        method = METHODS[name]()
        # Methods that draw random numbers (shuffles, k-means) follow --random-state too,
        # so the same command prints the same table.
        if "random_state" in method.get_params():
            method.set_params(random_state=random_state)
        result = feature_importances(model, X_train, y_train, method=method)
        normalized = np.asarray(result.normalized(), dtype=float)
        importances.append(normalized)
        ranks.append(rank_descending(normalized))
    return np.vstack(importances), np.vstack(ranks)


# ---------------------------------------------------------------------------------------
# Output


def _format_rank(rank):
    return f"{rank:.0f}" if rank == int(rank) else f"{rank:.1f}"


def _short(name, width=NAME_WIDTH):
    return name if len(name) <= width else name[: width - 3] + "..."


def _abbreviations(methods, width=METHOD_WIDTH):
    """Column headings of at most ``width`` characters, distinct, for the methods."""
    headings = []
    for method in methods:
        heading = method
        if len(method) > width:
            first, _, rest = method.partition("_")
            if rest:  # integrated_gradients -> int_grad
                heading = (first[:3] + "_" + rest)[:width]
            else:  # conductance -> conduct.
                heading = method[: width - 1] + "."
        stem, number = heading, 2
        while heading in headings or (heading != method and heading in methods):
            suffix = str(number)
            heading = stem[: width - len(suffix)] + suffix
            number += 1
        headings.append(heading)
    return headings


def _row_order(importances, ranks):
    mean_rank = ranks.mean(axis=0)
    mean_importance = importances.mean(axis=0)
    # np.lexsort sorts by the last key first; the feature's position breaks the rest.
    return np.lexsort((np.arange(ranks.shape[1]), -mean_importance, mean_rank))


def _table(feature_names, methods, importances, ranks, order):
    """Lines of the table, then the legend of abbreviated method names (or none)."""
    names = [_short(str(name)) for name in feature_names]
    name_width = max(len("feature"), *(len(name) for name in names))
    headings = _abbreviations(methods)
    widths = [max(len(heading), 5) for heading in headings]
    rank_texts = [[_format_rank(rank) for rank in row] for row in ranks]
    rank_width = max(2, *(len(text) for row in rank_texts for text in row))
    mean_rank = ranks.mean(axis=0)
    head = "feature".ljust(name_width)
    for heading, width in zip(headings, widths):
        head += f"  {heading:>{width}} {'rk':>{rank_width}}"
    head += "  mean rk"
    lines = [head]
    for i in order:
        line = names[i].ljust(name_width)
        for k, width in enumerate(widths):
            line += f"  {importances[k, i]:>{width}.3f} {rank_texts[k][i]:>{rank_width}}"
        line += f"  {mean_rank[i]:>7.2f}"
        lines.append(line)
    legend = [f"{heading} = {method}" for heading, method in zip(headings, methods)
              if heading != method]
    return lines, ("Abbreviations: " + ", ".join(legend)) if legend else None


def _agreement(ranks):
    m = ranks.shape[0]
    if m < 2:
        return "Agreement: only 1 method, nothing to compare"
    w = kendalls_w(ranks)
    rho = mean_pairwise_spearman(ranks)

    def fmt(value):
        return "n/a" if math.isnan(value) else f"{value:.2f}"

    return (f"Agreement of {m} methods: Kendall's W = {fmt(w)}, mean pairwise "
            f"Spearman = {fmt(rho)}")


def _records(feature_names, methods, importances, ranks, order):
    mean_rank = ranks.mean(axis=0)
    records = []
    for i in order:
        record = {"feature": feature_names[i]}
        for k, method in enumerate(methods):
            record[f"{method}_importance"] = float(importances[k, i])
            rank = float(ranks[k, i])
            record[f"{method}_rank"] = int(rank) if rank == int(rank) else rank
        record["mean_rank"] = float(mean_rank[i])
        records.append(record)
    return records


def _write_output(path, records):
    try:
        if path.lower().endswith(".json"):
            with open(path, "w", encoding="utf-8") as handle:
                json.dump(records, handle, indent=2)
                handle.write("\n")
        else:
            with open(path, "w", newline="", encoding="utf-8") as handle:
                writer = csv.DictWriter(handle, fieldnames=list(records[0]))
                writer.writeheader()
                for record in records:
                    writer.writerow({key: repr(value) if isinstance(value, float) else value
                                     for key, value in record.items()})
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from None


def _check_plot_path(path):
    """Fail early on --plot: no matplotlib, an unknown file type or a missing folder."""
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise CLIError("--plot needs matplotlib: pip install 'skimportance[plot]'") \
            from None
    extension = os.path.splitext(path)[1].lower().lstrip(".")
    types = Figure().canvas.get_supported_filetypes()
    if extension not in types:
        raise CLIError(f"cannot draw {path}: the plot file must end in one of "
                       f"{', '.join('.' + t for t in sorted(types))}")
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise CLIError(f"cannot write {path}: folder {folder} does not exist")


def _write_plot(path, feature_names, methods, importances, title):
    """The chart of the normalised importances the table shows, without recomputing."""
    from matplotlib.figure import Figure

    from .plotting._comparison import comparison_size, draw_comparison

    # A bare Figure, not pyplot: no display backend and no global state are involved.
    fig = Figure(figsize=comparison_size(len(feature_names), len(methods)),
                 layout="constrained")
    draw_comparison(feature_names, methods, importances, ax=fig.add_subplot(), title=title)
    try:
        fig.savefig(path)
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------------------
# Arguments


def _methods_option(text):
    from .methods import METHODS

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


def _output_option(text):
    if not text.lower().endswith((".csv", ".json")):
        raise argparse.ArgumentTypeError(
            f"the output file must end in .csv or .json; got {text!r}")
    return text


DESCRIPTION = """\
Rank the inputs of a scikit-learn MLP by every importance method of skimportance,
side by side, and say how much the methods agree.

Without a file: scikit-learn's diabetes data (load_diabetes, 442 rows, 10 features).
With a file: a CSV with a header row; --target names the column to predict, all
other columns are features and must be numeric, with no missing values
(at least %(min_rows)d data rows).
""" % {"min_rows": MIN_ROWS}

EPILOG = """\
model:
  make_pipeline(StandardScaler(), MLPRegressor or MLPClassifier), fit on a random
  75%% of the rows; the header reports the R^2 (regression) or the accuracy
  (classification) on the other 25%%. Importances are computed on the training
  part. With at least %(early)d training rows, early stopping holds out %(val)d%% of
  them and stops when the validation score has not improved for %(nochange)d epochs.

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
  feature names longer than %(name_width)d are shortened. Last line: Kendall's W
  (coefficient of concordance, 0 = no agreement, 1 = identical rankings) and the
  mean Spearman rank correlation over all pairs of methods.

output file (--output):
  .csv: one row per feature, in the order of the table, with the columns feature,
  <method>_importance and <method>_rank for each method, and mean_rank.
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
    from .methods import METHODS

    parser = argparse.ArgumentParser(
        prog=PROG, description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", nargs="?", metavar="FILE.csv",
                        help="CSV file with a header row (default: the diabetes data)")
    parser.add_argument("--target", metavar="COLUMN",
                        help="name of the column to predict (required with a file)")
    parser.add_argument("--method", type=_methods_option, metavar="NAME[,NAME...]",
                        help=f"only these methods (default: all: {', '.join(METHODS)})")
    parser.add_argument("--hidden", type=_hidden_option, default=DEFAULT_HIDDEN,
                        metavar="N[,N...]",
                        help="hidden layer sizes (default: %s)"
                        % ",".join(map(str, DEFAULT_HIDDEN)))
    parser.add_argument("--max-iter", type=_positive_int, default=DEFAULT_MAX_ITER,
                        metavar="N", help="maximum training epochs (default: %(default)s)")
    parser.add_argument("--random-state", type=int, default=0, metavar="INT",
                        help="seed of the split and of the MLP (default: %(default)s)")
    parser.add_argument("--output", type=_output_option, metavar="PATH",
                        help="also write the table to PATH, ending in .csv or .json")
    parser.add_argument("--plot", metavar="PATH",
                        help="also draw the normalised importances of the methods as a "
                             "bar chart to PATH (.png, .pdf, .svg, ...; needs matplotlib)")
    return parser


def _run(args):
    from .methods import METHODS

    methods = args.method if args.method else list(METHODS)
    if args.output:
        folder = os.path.dirname(os.path.abspath(args.output))
        if not os.path.isdir(folder):
            raise CLIError(f"cannot write {args.output}: folder {folder} does not exist")
    if args.plot:
        _check_plot_path(args.plot)  # before the fit: a bad path fails at once
    if args.csv is None:
        data = load_diabetes_data()
    else:
        data = load_csv(args.csv, args.target)

    model, X_train, y_train, score_text, converged, n_iter = _fit(
        data, args.hidden, args.max_iter, args.random_state)
    importances, ranks = _compute(model, X_train, y_train, methods, args.random_state)
    order = _row_order(importances, ranks)

    if data.task == "classification":
        n_classes = np.unique(data.y).size
        task = f"classification of {data.target_name!r} ({n_classes} classes)"
    elif args.csv is None:
        task = "regression"
    else:
        task = f"regression of {data.target_name!r}"
    hidden = ",".join(map(str, args.hidden))
    print(f"{data.label}: {task}, {data.X.shape[0]} rows, {data.X.shape[1]} features, "
          f"MLP ({hidden}); {score_text}")
    if not converged:
        print(f"note: the MLP did not converge in {n_iter} epochs (importances may be "
              "unstable); try a larger --max-iter")
    print()
    lines, legend = _table(data.feature_names, methods, importances, ranks, order)
    for line in lines:
        print(line)
    print()
    if legend:
        print(legend)
    print(_agreement(ranks))

    if args.output:
        _write_output(args.output, _records(data.feature_names, methods, importances,
                                            ranks, order))
        print(f"Wrote {args.output}")
    if args.plot:
        title = f"{data.label}, MLP ({hidden}): importances by method"
        _write_plot(args.plot, data.feature_names, methods, importances, title)
        print(f"Wrote {args.plot}")
    return 0


def main(argv=None):
    """Run the command line tool; return the exit status (0, or 2 on an error)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if args.csv is None and args.target is not None:
            parser.error("--target needs a CSV file")
        if args.csv is not None and args.target is None:
            parser.error("a CSV file needs --target COLUMN, the column to predict")
    except SystemExit as exc:  # argparse's own errors (exit 2) and --help (exit 0)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    # Warnings wait for the end of the run: a failure is then one line on stderr.
    with warnings.catch_warnings(record=True) as caught:
        try:
            code = _run(args)
        except CLIError as exc:
            return _error(str(exc))
        except BrokenPipeError:  # the reader went away (skimportance | head): stop quietly
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return 1
        except Exception as exc:  # a failure of the fit or a method: still one line
            # (KeyboardInterrupt and SystemExit are no Exception: they pass unchanged.)
            detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            return _error(f"the computation failed: {detail}")
    for warning in caught:
        warnings.warn_explicit(warning.message, warning.category, warning.filename,
                               warning.lineno, source=warning.source)
    return code


def _error(message):
    """Print ``message`` as the one line ``skimportance: error: ...``; return 2."""
    sys.stdout.flush()
    line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    print(f"{PROG}: error: {line}", file=sys.stderr)
    return 2

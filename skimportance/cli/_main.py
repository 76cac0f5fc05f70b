"""The run of the command line tool, and its errors as one line on stderr (exit code 2)."""

import os
import sys
import warnings

import numpy as np

from . import _modelling
from ._arguments import PROG, parse_arguments
from ._data import CLIError, load_csv, load_diabetes_data
from ._report import check_output_paths, print_table, row_order, write_output, write_plot

__all__ = ["main"]


def _header(data, from_file, hidden, score_text):
    if data.task == "classification":
        n_classes = np.unique(data.y).size
        task = f"classification of {data.target_name!r} ({n_classes} classes)"
    elif from_file:
        task = f"regression of {data.target_name!r}"
    else:
        task = "regression"
    return (f"{data.label}: {task}, {data.X.shape[0]} rows, {data.X.shape[1]} features, "
            f"MLP ({hidden}); {score_text}")


def _run(args):
    from ..methods import METHODS

    methods = args.method if args.method else list(METHODS)
    check_output_paths(args.output, args.plot)
    if args.csv is None:
        data = load_diabetes_data()
    else:
        data = load_csv(args.csv, args.target)

    model, X_train, y_train, score_text, converged, n_iter = _modelling.fit(
        data, args.hidden, args.max_iter, args.random_state)
    importances, ranks = _modelling.compute(model, X_train, y_train, methods,
                                            args.random_state)
    order = row_order(importances, ranks)

    hidden = ",".join(map(str, args.hidden))
    print(_header(data, args.csv is not None, hidden, score_text))
    if not converged:
        print(f"note: the MLP did not converge in {n_iter} epochs (importances may be "
              "unstable); try a larger --max-iter")
    print()
    print_table(data.feature_names, methods, importances, ranks, order)
    if args.output:
        write_output(args.output, data.feature_names, methods, importances, ranks, order)
        print(f"Wrote {args.output}")
    if args.plot:
        title = f"{data.label}, MLP ({hidden}): importances by method"
        write_plot(args.plot, data.feature_names, methods, importances, title)
        print(f"Wrote {args.plot}")
    return 0


def main(argv=None):
    """Run the command line tool; return the exit status (0, or 2 on an error)."""
    try:
        args = parse_arguments(argv)
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

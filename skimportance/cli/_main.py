"""The run of the command line tool, and its errors as one line on stderr (exit code 2)."""

import os
import sys
import textwrap
import warnings

import numpy as np

from . import _modelling
from ._arguments import DEFAULT_COLUMNS, PROG, parse_arguments
from ._data import CLIError, load_csv, load_diabetes_data
from ._report import check_output_paths, print_table, row_order, write_output, write_plot

__all__ = ["main"]


def _task(data, from_file):
    if data.task == "classification":
        n_classes = np.unique(data.y).size
        return f"classification of {data.target_name!r} ({n_classes} classes)"
    return f"regression of {data.target_name!r}" if from_file else "regression"


def _mean_sd(values):
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.2f}" + (f" ± {values.std():.2f}" if values.size > 1 else "")


def _scores_line(data, network, linear, where):
    """The network's held-out score beside the linear model's, and a note when the
    linear model is as good: then the network may not be worth explaining."""
    metric = "R^2" if data.task == "regression" else "accuracy"
    plain = "linear regression" if data.task == "regression" else "logistic regression"
    line = f"held-out {metric} ({where}): MLP {_mean_sd(network)}, {plain} {_mean_sd(linear)}"
    if np.mean(linear) >= np.mean(network):
        line += ("\nnote: the linear model predicts as well; its coefficients may be the "
                 "simpler explanation")
    return line


def _pooled(comparisons):
    """Mean normalised importances over refits and folds, their spread, and the ranks."""
    from .._agreement import rank_descending

    means = np.array([c.normalized for c in comparisons])
    within = np.array([c.spread for c in comparisons]) ** 2
    mean = means.mean(axis=0)
    spread = np.sqrt(within.mean(axis=0) + means.var(axis=0))  # over every refit and fold
    return mean, spread, np.vstack([rank_descending(row) for row in mean])


def _stability_line(comparisons, methods):
    from .._agreement import kendalls_w

    values = [kendalls_w(np.vstack([c.ranks[k] for c in comparisons]))
              for k in range(len(methods))]
    pairs = ", ".join(f"{method} {w:.2f}" for method, w in zip(methods, values))
    return "\n".join([f"Rank stability over {len(comparisons)} refits (Kendall's W, 1 = the "
                      "same ranking every time):",
                      *textwrap.wrap(pairs, 98, initial_indent="  ",
                                     subsequent_indent="  ")])


def _run(args):
    from ..methods import DEFAULT_METHOD

    methods = args.method if args.method else list(DEFAULT_COLUMNS)
    check_output_paths(args.output, args.plot)
    if args.csv is None:
        data = load_diabetes_data()
    else:
        data = load_csv(args.csv, args.target)
    hidden = ",".join(map(str, args.hidden))
    print(f"{data.label}: {_task(data, args.csv is not None)}, {data.X.shape[0]} rows, "
          f"{data.X.shape[1]} features, MLP ({hidden})")

    if args.cv:
        comparisons, folds, y, linear, converged = _modelling.cross_fit(
            data, args.hidden, args.max_iter, args.random_state, args.cv, args.refits,
            methods)
        network = np.concatenate([c.scores for c in comparisons])
        print(_scores_line(data, network, linear, f"{args.cv}-fold cross-validation"))
        importances, spread, ranks = _pooled(comparisons)
        what = f"{args.cv} folds" + (f" x {args.refits} refits" if args.refits > 1 else "")
        print(f"importances: on the held-out rows of each fold (mean ± sd over {what})")
        X_fit, y_fit = data.X, y
    else:
        model, X_fit, y_fit, (network, linear), converged, n_iter = _modelling.fit(
            data, args.hidden, args.max_iter, args.random_state)
        print(_scores_line(data, network, linear, f"{len(data.y) - len(y_fit)} rows"))
        comparison = _modelling.compute(model, X_fit, y_fit, methods, args.random_state)
        comparisons = [comparison]
        importances, spread, ranks = comparison.normalized, None, comparison.ranks
        print("importances: on the training part (optimistic: the network has seen these "
              "rows; --cv K measures them on held-out folds)")
    if not converged:
        print(f"note: the MLP did not converge in {args.max_iter} epochs (importances may "
              "be unstable); try a larger --max-iter")
    print()
    order = row_order(importances, ranks)
    recommended = DEFAULT_METHOD if DEFAULT_METHOD in methods else None
    print_table(data.feature_names, methods, importances, ranks, order, spread, recommended)
    if args.cv and args.refits > 1:
        print(_stability_line(comparisons, methods))
    if args.evaluate:
        _print_evaluation(data, X_fit, y_fit, methods, args)
    if args.output:
        write_output(args.output, data.feature_names, methods, importances, ranks, order,
                     spread)
        print(f"Wrote {args.output}")
    if args.plot:
        title = f"{data.label}, MLP ({hidden}): importances by method"
        write_plot(args.plot, data.feature_names, methods, importances, title)
        print(f"Wrote {args.plot}")
    return 0


def _print_evaluation(data, X, y, methods, args):
    """Rank the methods by faithfulness on this data (remove-and-retrain)."""
    from .._faithfulness import evaluate_methods

    model = _modelling.network_model(data, y, args.hidden, args.max_iter, args.random_state)
    folds = args.cv or 5
    # Five random orderings per fold: with one, the baseline's own draw moves the
    # numbers by about as much as the methods differ (measured on diabetes).
    result = evaluate_methods(model, X, y, methods=methods, cv=folds, n_random=5,
                              random_state=args.random_state)
    order = np.argsort(-np.asarray(result.faithfulness), kind="stable")
    print()
    print(f"Faithfulness on this data (remove-and-retrain, {folds} folds): how much more the "
          "held-out")
    print("score drops when the inputs a method ranks first are removed than when random "
          "ones are")
    print("(mean ± sd over folds; higher is better):")
    for k in order:
        name = result.methods[k] + (" (baseline)" if result.methods[k] == "random" else "")
        print(f"  {name:<22} {result.faithfulness[k]:+.3f} ± {result.faithfulness_std[k]:.3f}")


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

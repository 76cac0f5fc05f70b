"""The run of the command line tool, and its errors as one line on stderr (exit code 2)."""

import os
import sys
import textwrap
import warnings

import numpy as np

from . import _modelling
from ._arguments import DEFAULT_COLUMNS, PROG, WIDE_COLUMNS, parse_arguments
from ._data import CLIError, load_csv, load_diabetes_data
from ._progress import LARGE_DATA_CELLS, Progress
from ._report import (agreement_values, check_output_paths, print_table, row_order,
                      wrapped, write_output, write_plot)

__all__ = ["main"]


def _task(data, from_file):
    if data.task == "classification":
        n_classes = np.unique(data.y).size
        return f"classification of {data.target_name!r} ({n_classes} classes)"
    return f"regression of {data.target_name!r}" if from_file else "regression"


def _mean_sd(values):
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.2f}" + (f" ± {values.std():.2f}" if values.size > 1 else "")


def _say(text=""):
    print(wrapped(text))


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
    """Mean normalised importances over refits and folds, their spread, the ranks, and
    the raw importances' mean and standard deviation over every refit and fold."""
    from .._agreement import rank_descending

    means = np.array([c.normalized for c in comparisons])
    within = np.array([c.spread for c in comparisons]) ** 2
    mean = means.mean(axis=0)
    spread = np.sqrt(within.mean(axis=0) + means.var(axis=0))  # over every refit and fold
    raw = np.concatenate([c.raw for c in comparisons])  # (refits x folds, methods, features)
    return (mean, spread, np.vstack([rank_descending(row) for row in mean]),
            raw.mean(axis=0), raw.std(axis=0))


def _stability_line(comparisons, methods):
    from .._agreement import kendalls_w

    values = [kendalls_w(np.vstack([c.ranks[k] for c in comparisons]))
              for k in range(len(methods))]
    pairs = ", ".join(f"{method} {w:.2f}" for method, w in zip(methods, values))
    return "\n".join([f"Rank stability over {len(comparisons)} refits (Kendall's W, 1 = the "
                      "same ranking every time):",
                      *textwrap.wrap(pairs, 98, initial_indent="  ",
                                     subsequent_indent="  ")])


def _note(text):
    """A note about the data on stderr: what was dropped, imputed or encoded."""
    print(wrapped(f"{PROG}: note: {text}"), file=sys.stderr)


def _load(args):
    if args.csv is None:
        return load_diabetes_data()
    data = load_csv(args.csv, args.target, sep=args.sep, index_col=args.index_col,
                    drop=args.drop, keep=args.keep, task=args.task)
    for text in data.notes:
        _note(text)
    return data


def _stopped_line(stopped, fits, max_iter):
    if not stopped:
        return None
    which = ("the network fit" if fits == 1 else f"{stopped} of {fits} network fits")
    return (f"note: {which} stopped at --max-iter {max_iter} before converging "
            "(importances may be unstable); try a larger --max-iter")


def _run(args):
    from .. import __version__
    from ..methods._registry import DEFAULT_METHOD, DEFAULT_METHOD_WITHOUT_Y

    methods = list(args.method or (WIDE_COLUMNS if args.wide else DEFAULT_COLUMNS))
    check_output_paths(args.output, args.plot)
    progress = Progress()  # reading a large file counts towards a long run
    data = _load(args)
    if data.X.size >= LARGE_DATA_CELLS:
        progress.after = 0.0  # a long run ahead: say so from the first fold
    hidden = ",".join(map(str, args.hidden))
    _say(f"{data.label}: {_task(data, args.csv is not None)}, {data.X.shape[0]} rows, "
         f"{data.X.shape[1]} features, MLP ({hidden})")
    if data.task_note:
        _say(f"note: {data.task_note}")

    if args.cv:
        comparisons, folds, y, linear, stopped = _modelling.cross_fit(
            data, args.hidden, args.max_iter, args.random_state, args.cv, args.refits,
            methods, progress=progress)
        fits = args.cv * args.refits
        network = np.concatenate([c.scores for c in comparisons])
        where = f"{args.cv}-fold cross-validation"
        _say(_scores_line(data, network, linear, where))
        importances, spread, ranks, raw, raw_spread = _pooled(comparisons)
        what = f"{args.cv} folds" + (f" x {args.refits} refits" if args.refits > 1 else "")
        _say(f"importances: on the held-out rows of each fold (mean ± sd over {what})")
        X_fit, y_fit = data.X, y
    else:
        progress("fitting the network")
        model, X_fit, y_fit, (network, linear), converged, n_iter = _modelling.fit(
            data, args.hidden, args.max_iter, args.random_state)
        stopped, fits = int(not converged), 1
        where = f"{len(data.y) - len(y_fit)} rows"
        _say(_scores_line(data, network, linear, where))
        progress(f"computing {len(methods)} method{'s' if len(methods) > 1 else ''}")
        comparison = _modelling.compute(model, X_fit, y_fit, methods, args.random_state)
        comparisons = [comparison]
        importances, spread, ranks = comparison.normalized, None, comparison.ranks
        raw = np.array([np.asarray(r.importances_mean, dtype=float)
                        for r in comparison.importances])
        raw_spread = None
        _say("importances: on the training part (optimistic: the network has seen these "
             "rows; --cv K measures them on held-out folds)")
    stopped_line = _stopped_line(stopped, fits, args.max_iter)
    if stopped_line:
        _say(stopped_line)
    print()
    order = row_order(importances, ranks)
    recommended = [method for method in methods
                   if method in (DEFAULT_METHOD, DEFAULT_METHOD_WITHOUT_Y)]
    print_table(data.feature_names, methods, importances, ranks, order, spread, recommended)
    if args.cv and args.refits > 1:
        print(_stability_line(comparisons, methods))
    if args.evaluate:
        progress("--evaluate: remove-and-retrain")
        _print_evaluation(data, X_fit, y_fit, methods, args)
    if args.output:
        counted, w, rho, _ = agreement_values(ranks, methods)
        run = {
            "skimportance": __version__,
            "settings": {
                "data": args.csv if args.csv is not None else "load_diabetes",
                "target": data.target_name, "task": data.task,
                "task_option": args.task, "rows": int(data.X.shape[0]),
                "features": list(map(str, data.feature_names)),
                "text_columns": [data.feature_names[k] for k in data.text_columns],
                "blank_cells": int(data.n_missing), "sep": data.delimiter,
                "index_col": args.index_col, "drop": list(args.drop),
                "keep": list(args.keep), "methods": methods,
                "hidden": list(args.hidden), "max_iter": args.max_iter,
                "random_state": args.random_state, "cv": args.cv,
                "refits": args.refits},
            "scores": {
                "metric": "R^2" if data.task == "regression" else "accuracy",
                "held_out": where,
                "mlp": [float(v) for v in np.ravel(network)],
                "linear": [float(v) for v in np.ravel(linear)],
                "network_fits": fits, "network_fits_stopped_at_max_iter": int(stopped)},
            "agreement": {"methods": counted,
                          "kendalls_w": None if w is None or np.isnan(w) else float(w),
                          "mean_pairwise_spearman":
                              None if rho is None or np.isnan(rho) else float(rho)},
            "raw": ("each method's importances_mean before normalisation, in its own "
                    "unit (gradients and weights per standard deviation of the input, "
                    "score drops in R^2 or accuracy; regression: of the standardised "
                    "target)" + (", mean and sd over the folds"
                                              + (" and refits" if args.refits > 1 else "")
                                              if args.cv else ", on the training part")),
            "notes": data.notes + ([data.task_note] if data.task_note else [])
                     + ([stopped_line[len("note: "):]] if stopped_line else []),
        }
        write_output(args.output, data.feature_names, methods, importances, ranks, order,
                     spread, raw, raw_spread, run)
        print(f"Wrote {args.output}")
    if args.plot:
        title = f"{data.label}, MLP ({hidden}): importances by method"
        write_plot(args.plot, data.feature_names, methods, importances, title)
        print(f"Wrote {args.plot}")
    progress.done()
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
    from sklearn.exceptions import ConvergenceWarning

    # Warnings wait for the end of the run: a failure is then one line on stderr.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)  # each fit counts
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
    # Convergence warnings of other fits (--evaluate's refits, the logistic regression)
    # are one line, not one traceback-like message per fit.
    stopped = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    if stopped:
        print(wrapped(f"{PROG}: note: {len(stopped)} other fit"
                      f"{'s' if len(stopped) > 1 else ''} (--evaluate's refits, the linear "
                      "model) stopped at their max_iter before converging "
                      "(ConvergenceWarning)"), file=sys.stderr)
    for warning in caught:
        if warning not in stopped:
            warnings.warn_explicit(warning.message, warning.category, warning.filename,
                                   warning.lineno, source=warning.source)
    return code


def _error(message):
    """Print ``message`` as the one line ``skimportance: error: ...``; return 2."""
    sys.stdout.flush()
    line = " ".join(part.strip() for part in message.splitlines() if part.strip())
    print(f"{PROG}: error: {line}", file=sys.stderr)
    return 2

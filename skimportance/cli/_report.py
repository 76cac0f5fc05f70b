"""What the command line tool prints and writes: the table with its abbreviations and
agreement line, the CSV or JSON file of --output and the chart of --plot."""

import csv
import json
import math
import os

import numpy as np

from .._agreement import kendalls_w, mean_pairwise_spearman
from ._data import CLIError

__all__ = ["METHOD_WIDTH", "NAME_WIDTH", "SAME_NUMBERS", "check_output_paths", "counted_once",
           "print_table", "row_order", "write_output", "write_plot"]

NAME_WIDTH = 16  # longer feature names are shortened in the table (not in files)
METHOD_WIDTH = 8  # longer method names are abbreviated in the table headings


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


def row_order(importances, ranks):
    """Features by mean rank, then by mean importance, then by position."""
    mean_rank = ranks.mean(axis=0)
    mean_importance = importances.mean(axis=0)
    # np.lexsort sorts by the last key first; the feature's position breaks the rest.
    return np.lexsort((np.arange(ranks.shape[1]), -mean_importance, mean_rank))


def _cells(importances, spread):
    """The printed importances: ``0.212`` or, with a spread, ``0.212±.031`` (normalised
    values: the spread is below 1, its leading zero is dropped to keep columns narrow)."""
    if spread is None:
        return [[f"{v:.3f}" for v in row] for row in importances]
    return [[f"{v:.3f}±{s:.3f}".replace("±0.", "±.") for v, s in zip(row, srow)]
            for row, srow in zip(importances, spread)]


def _table(feature_names, methods, importances, ranks, order, spread=None,
           recommended=None):
    """Lines of the table, then the legend of abbreviated method names (or none).

    ``spread`` (like ``importances``) prints as ``±sd`` after each value; the heading of
    the ``recommended`` method ends in ``*``.
    """
    names = [_short(str(name)) for name in feature_names]
    name_width = max(len("feature"), *(len(name) for name in names))
    headings = _abbreviations(methods)
    marked = [heading + ("*" if method == recommended else "")
              for heading, method in zip(headings, methods)]
    cells = _cells(importances, spread)
    widths = [max(len(heading), 5, *(len(c) for c in column))
              for heading, column in zip(marked, cells)]
    rank_texts = [[_format_rank(rank) for rank in row] for row in ranks]
    rank_width = max(2, *(len(text) for row in rank_texts for text in row))
    mean_rank = ranks.mean(axis=0)
    head = "feature".ljust(name_width)
    for heading, width in zip(marked, widths):
        head += f"  {heading:>{width}} {'rk':>{rank_width}}"
    head += "  mean rk"
    lines = [head]
    for i in order:
        line = names[i].ljust(name_width)
        for k, width in enumerate(widths):
            line += f"  {cells[k][i]:>{width}} {rank_texts[k][i]:>{rank_width}}"
        line += f"  {mean_rank[i]:>7.2f}"
        lines.append(line)
    legend = [f"{heading} = {method}" for heading, method in zip(headings, methods)
              if heading != method]
    return lines, ("Abbreviations: " + ", ".join(legend)) if legend else None


# Methods whose per-input values are equal by construction: they count once in the
# agreement statistics (conductance's per-input sums are integrated gradients).
SAME_NUMBERS = {"conductance": "integrated_gradients"}


def counted_once(methods, ranks):
    """The methods and rows of ``ranks`` that the agreement counts, and what was merged."""
    keep = [k for k, method in enumerate(methods)
            if SAME_NUMBERS.get(method) not in methods]
    merged = [f"{method} counted with {SAME_NUMBERS[method]}: equal per-input values by "
              "construction" for k, method in enumerate(methods) if k not in keep]
    return [methods[k] for k in keep], ranks[keep], merged


def _agreement(ranks, methods=None):
    methods = [str(k) for k in range(ranks.shape[0])] if methods is None else methods
    methods, ranks, merged = counted_once(list(methods), ranks)
    m = ranks.shape[0]
    if m < 2:
        return "Agreement: only 1 method, nothing to compare"
    w = kendalls_w(ranks)
    rho = mean_pairwise_spearman(ranks)

    def fmt(value):
        return "n/a" if math.isnan(value) else f"{value:.2f}"

    line = (f"Agreement of {m} methods: Kendall's W = {fmt(w)}, mean pairwise "
            f"Spearman = {fmt(rho)}")
    return line + "".join(f"\n  ({text})" for text in merged)


def print_table(feature_names, methods, importances, ranks, order, spread=None,
                recommended=None):
    """Print the table, its legend (if a name was abbreviated), why a method is marked,
    and the agreement line."""
    lines, legend = _table(feature_names, methods, importances, ranks, order, spread,
                           recommended)
    for line in lines:
        print(line)
    print()
    if legend:
        print(legend)
    if recommended:
        print(f"* recommended: {recommended}, the most accurate in skimportance's "
              "ground-truth benchmark")
    print(_agreement(ranks, methods))


def _records(feature_names, methods, importances, ranks, order, spread=None):
    mean_rank = ranks.mean(axis=0)
    records = []
    for i in order:
        record = {"feature": feature_names[i]}
        for k, method in enumerate(methods):
            record[f"{method}_importance"] = float(importances[k, i])
            if spread is not None:
                record[f"{method}_sd"] = float(spread[k, i])
            rank = float(ranks[k, i])
            record[f"{method}_rank"] = int(rank) if rank == int(rank) else rank
        record["mean_rank"] = float(mean_rank[i])
        records.append(record)
    return records


def write_output(path, feature_names, methods, importances, ranks, order, spread=None):
    """The rows of the table, as a .json list of records or a .csv file."""
    records = _records(feature_names, methods, importances, ranks, order, spread)
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


def check_output_paths(output, plot):
    """Fail at once, before the fit, on an --output or --plot path that cannot be written."""
    if output:
        folder = os.path.dirname(os.path.abspath(output))
        if not os.path.isdir(folder):
            raise CLIError(f"cannot write {output}: folder {folder} does not exist")
    if plot:
        _check_plot_path(plot)


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


def write_plot(path, feature_names, methods, importances, title):
    """The chart of the normalised importances the table shows, without recomputing."""
    from matplotlib.figure import Figure

    from ..plotting._comparison import comparison_size, draw_comparison

    # A bare Figure, not pyplot: no display backend and no global state are involved.
    fig = Figure(figsize=comparison_size(len(feature_names), len(methods)),
                 layout="constrained")
    draw_comparison(feature_names, methods, importances, ax=fig.add_subplot(), title=title)
    try:
        fig.savefig(path)
    except OSError as exc:
        raise CLIError(f"cannot write {path}: {exc.strerror or exc}") from None

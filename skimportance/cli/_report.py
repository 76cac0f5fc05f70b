"""What the command line tool prints and writes: the table with its abbreviations and
agreement line, the CSV or JSON file of --output and the chart of --plot."""

import csv
import json
import math
import os
import textwrap

import numpy as np

from .._agreement import kendalls_w, mean_pairwise_spearman
from .._names import shorten_names
from ._data import CLIError

__all__ = ["LINE_WIDTH", "MAX_NAME_WIDTH", "METHOD_WIDTH", "NAME_WIDTH", "SAME_NUMBERS",
           "agreement_values", "check_output_paths", "counted_once", "print_table",
           "row_order", "wrapped", "write_output", "write_plot"]

LINE_WIDTH = 100  # every line of the default output fits in this many columns
NAME_WIDTH = 16  # feature names are shortened to this when the table has no more room
MAX_NAME_WIDTH = 32  # ... and to this at most (files keep the full names)
METHOD_WIDTH = 8  # longer method names are abbreviated in the table headings


def wrapped(text, width=LINE_WIDTH, indent="  "):
    """``text`` as lines of at most ``width`` characters (continuations indented)."""
    lines = []
    for paragraph in str(text).splitlines() or [""]:
        lines += textwrap.wrap(paragraph, width, subsequent_indent=indent,
                               break_on_hyphens=False) or [""]
    return "\n".join(lines)


def _format_rank(rank):
    return f"{rank:.0f}" if rank == int(rank) else f"{rank:.1f}"


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


def _recommended_list(recommended):
    if recommended is None:
        return []
    return [recommended] if isinstance(recommended, str) else list(recommended)


def _table(feature_names, methods, importances, ranks, order, spread=None,
           recommended=None, width=LINE_WIDTH):
    """Lines of the table, then the legend of abbreviated method names (or none).

    ``spread`` (like ``importances``) prints as ``±sd`` after each value; the headings
    of the ``recommended`` methods (a name or a list) end in ``*``. Feature names get
    the room the columns leave in ``width`` (between NAME_WIDTH and MAX_NAME_WIDTH
    characters), shortened distinctly (:func:`skimportance._names.shorten_names`).
    """
    recommended = _recommended_list(recommended)
    cells = _cells(importances, spread)
    rank_texts = [[_format_rank(rank) for rank in row] for row in ranks]
    rank_width = max(2, *(len(text) for row in rank_texts for text in row))
    longest = max(len(str(name)) for name in feature_names)

    def layout(headings):
        marked = [heading + ("*" if method in recommended else "")
                  for heading, method in zip(headings, methods)]
        widths = [max(len(heading), 5, *(len(c) for c in column))
                  for heading, column in zip(marked, cells)]
        return marked, widths, sum(2 + w + 1 + rank_width for w in widths) + len("  mean rk")

    # Full method names when they fit beside the names, else abbreviations.
    headings = list(methods)
    marked, widths, columns = layout(headings)
    if columns + min(longest, NAME_WIDTH) > width:
        headings = _abbreviations(methods)
        marked, widths, columns = layout(headings)
    room = max(NAME_WIDTH, min(MAX_NAME_WIDTH, width - columns))
    names = shorten_names(feature_names, max(room, len("feature")))
    name_width = max(len("feature"), min(longest, room))
    mean_rank = ranks.mean(axis=0)
    head = "feature".ljust(name_width)
    for heading, w in zip(marked, widths):
        head += f"  {heading:>{w}} {'rk':>{rank_width}}"
    head += "  mean rk"
    lines = [head]
    for i in order:
        line = names[i].ljust(name_width)
        for k, w in enumerate(widths):
            line += f"  {cells[k][i]:>{w}} {rank_texts[k][i]:>{rank_width}}"
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


def agreement_values(ranks, methods):
    """(methods counted, Kendall's W, mean pairwise Spearman, what was merged); W and
    the correlation are None with fewer than two methods counted."""
    methods, ranks, merged = counted_once(list(methods), ranks)
    if ranks.shape[0] < 2:
        return methods, None, None, merged
    return methods, kendalls_w(ranks), mean_pairwise_spearman(ranks), merged


def _agreement(ranks, methods=None):
    methods = [str(k) for k in range(ranks.shape[0])] if methods is None else methods
    counted, w, rho, merged = agreement_values(ranks, methods)
    m = len(counted)
    if m < 2:
        return "Agreement: only 1 method, nothing to compare"

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
        print(wrapped(legend))
    shown = [method for method in _recommended_list(recommended) if method in methods]
    if shown:
        print(wrapped(f"* recommended: {' and '.join(shown)}, the most accurate"
                      + (" (tied)" if len(shown) > 1 else "")
                      + " in the ground-truth benchmark"))
    print(wrapped(_agreement(ranks, methods)))


def _number(value):
    value = float(value)
    return int(value) if value == int(value) and abs(value) < 2**53 else value


def _records(feature_names, methods, importances, ranks, order, spread=None, raw=None,
             raw_spread=None):
    mean_rank = ranks.mean(axis=0)
    records = []
    for i in order:
        record = {"feature": feature_names[i]}
        for k, method in enumerate(methods):
            record[f"{method}_importance"] = float(importances[k, i])
            if spread is not None:
                record[f"{method}_sd"] = float(spread[k, i])
            record[f"{method}_rank"] = _number(ranks[k, i])
            if raw is not None:
                record[f"{method}_raw"] = float(raw[k, i])
            if raw_spread is not None:
                record[f"{method}_raw_sd"] = float(raw_spread[k, i])
        record["mean_rank"] = float(mean_rank[i])
        records.append(record)
    return records


def _csv_cell(value):
    return repr(value) if isinstance(value, float) else value


def write_output(path, feature_names, methods, importances, ranks, order, spread=None,
                 raw=None, raw_spread=None, run=None):
    """The rows of the table, with the raw importances, as a .json object (``run``'s
    entries, then ``features``: a list of records) or a .csv file (``run``'s entries
    first, as lines ``# key: value`` with JSON values, then the table)."""
    records = _records(feature_names, methods, importances, ranks, order, spread, raw,
                       raw_spread)
    run = dict(run or {})
    try:
        if path.lower().endswith(".json"):
            with open(path, "w", encoding="utf-8") as handle:
                json.dump({**run, "features": records}, handle, indent=2)
                handle.write("\n")
        else:
            with open(path, "w", newline="", encoding="utf-8") as handle:
                for key, value in run.items():
                    handle.write(f"# {key}: {json.dumps(value)}\n")
                writer = csv.DictWriter(handle, fieldnames=list(records[0]))
                writer.writeheader()
                for record in records:
                    writer.writerow({key: _csv_cell(value) for key, value in record.items()})
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
        raise CLIError("--plot needs matplotlib: pip install matplotlib") \
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

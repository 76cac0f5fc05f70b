"""Run the benchmarks and write a Markdown report and a bar chart of the speed ratios.

Usage (from the repository root)::

    python benchmarks/run.py                    # everything, full sizes
    python benchmarks/run.py --quick            # small sizes, a smoke test
    python benchmarks/run.py --only permutation --only drop
    python benchmarks/run.py --reference-python /path/to/torch-venv/bin/python

Each ``bench_*.py`` script prints its own results as it runs and returns report rows
(``run(argv)``); this script adds a description of the machine and writes

- ``RESULTS.md``: one row per comparison, with the ratio *reference time /
  skimportance time* (above 1, skimportance is faster) and its target, if any;
- ``ratios.png``: those ratios as bars on a log scale, with each target marked.

They go to ``benchmarks/results/`` unless ``--out DIR`` is given; ``--quick`` runs go to
a temporary folder by default, so that they never replace a full run's report.

Reference tools that are not installed are skipped with a note: captum (torch) runs in a
subprocess, in this Python or in ``--reference-python``; R's caret needs ``Rscript``.
Nothing here asserts on a time: the report says whether each target is met.
"""

import argparse
import datetime
import importlib
import importlib.metadata
import os
import platform
import re
import shlex
import subprocess
import sys
import tempfile
import textwrap
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = {  # name: (module, takes --reference-python)
    "gradient": ("bench_gradient", True),
    "path": ("bench_path", True),
    "permutation": ("bench_permutation", False),
    "drop": ("bench_drop", False),
    "garson": ("bench_garson", False),
    "significance": ("bench_significance", False),
    "shapley": ("bench_shapley", True),
    "local": ("bench_local", True),
    "conditional": ("bench_conditional", False),
    "sage": ("bench_sage", True),
    "interactions": ("bench_interactions", False),
    "cluster": ("bench_cluster", False),
}
QUICK_OUT = Path(tempfile.gettempdir()) / "skimportance-benchmarks-quick"


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="folder for RESULTS.md and ratios.png "
                        f"(default: {HERE / 'results'}; with --quick: {QUICK_OUT})")
    parser.add_argument("--quick", action="store_true", help="small sizes, for smoke tests")
    parser.add_argument("--only", action="append", choices=list(BENCHMARKS), metavar="NAME",
                        help=f"run only this benchmark (repeatable): {', '.join(BENCHMARKS)}")
    parser.add_argument("--reference-python", help="interpreter with torch, captum and shap, "
                        "for the captum references (default: this one, if it has them)")
    args = parser.parse_args(argv)
    if args.out is None:
        args.out = QUICK_OUT if args.quick else HERE / "results"
    return args


def run_benchmarks(args):
    """Run the selected benchmarks; return their rows, wall times and failures."""
    sys.path.insert(0, str(HERE))
    rows, durations, problems = [], {}, []
    for name in dict.fromkeys(args.only or BENCHMARKS):  # in order, once each
        module_name, takes_reference = BENCHMARKS[name]
        argv = ["--quick"] if args.quick else []
        if takes_reference and args.reference_python:
            argv += ["--reference-python", args.reference_python]
        print(f"\n=== {name}: python benchmarks/{module_name}.py {shlex.join(argv)}", flush=True)
        start = time.perf_counter()
        try:
            rows += importlib.import_module(module_name).run(argv)
        except Exception as error:  # report it and go on with the other benchmarks
            traceback.print_exc()
            problems.append(f"`{module_name}.py` failed: {type(error).__name__}: {error}")
        durations[name] = time.perf_counter() - start
    return rows, durations, problems


# --- the machine --------------------------------------------------------------------

def cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def version(package):
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def blas():
    """The BLAS and OpenMP libraries loaded in this process, from threadpoolctl."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return "unknown (threadpoolctl not installed)"
    found = []
    for lib in threadpool_info():
        details = [lib.get("architecture"), f"{lib['num_threads']} threads",
                   Path(lib["filepath"]).parent.name]
        found.append(f"{lib['internal_api']} {lib.get('version') or ''} "
                     f"({', '.join(d for d in details if d)})".replace("  ", " "))
    return "; ".join(found) or "none found"


def git_commit():
    def git(*command):
        return subprocess.run(["git", "-C", str(HERE), *command], capture_output=True,
                              text=True, check=True).stdout.strip()
    try:
        commit = git("rev-parse", "--short", "HEAD")
        return commit + (" with uncommitted changes" if git("status", "--porcelain") else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine(args):
    """Lines describing the machine, the software and the run."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = f"{os.cpu_count()} logical cores" + (f" ({usable} usable)" if usable else "")
    return [
        f"Date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"Command: `{command(args)}`",
        f"CPU: {cpu_model()}, {cores}",
        f"OS: {platform.platform()}",
        f"Python {platform.python_version()}, numpy {version('numpy')}, scikit-learn "
        f"{version('scikit-learn')}, numba {version('numba')}",
        f"BLAS / OpenMP (threadpoolctl): {blas()}",
        f"skimportance {version('skimportance')}, "
        f"git {getattr(args, 'commit', None) or git_commit()}",
        "Reference tools (captum, shap) run under "
        + ("a separate Python (`--reference-python`)" if args.reference_python
           else "this Python"),
    ]


def command(args):
    """The command line, without the paths of this machine (the reference Python's)."""
    words = ["python", *sys.argv]
    if args.reference_python:
        words = [Path(w).name if w == str(args.reference_python) else w for w in words]
    return shlex.join(words)


# --- the report ---------------------------------------------------------------------

def seconds(t):
    if t is None:
        return "skipped"
    if t < 1e-3:
        return f"{t * 1e6:.0f} µs"
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def times(ratio):
    if ratio is None:
        return "-"
    return f"{ratio:,.0f}x" if ratio >= 100 else f"{ratio:.3g}x"


def met(row):
    if row["met"] is None:
        return "-"
    return "yes" if row["met"] else "**no**"


def markdown(rows, durations, problems, args, chart):
    title = "# skimportance benchmarks" + (" (quick run)" if args.quick else "")
    lines = [title, ""]
    if args.quick:
        lines += ["**Quick run** (`--quick`): small sizes, a smoke test of the benchmarks. "
                  "These times and ratios say nothing about speed at full size.", ""]
    lines += [f"- {line}" for line in machine(args)] + [""]
    lines += [
        "Ratio = reference time / skimportance time: above 1, skimportance is faster. "
        "A target in predicts, such as \"<= 2.5 predicts\", is met when the ratio is at "
        "least 1 / 2.5 = 0.4. **One predict** is the time of scikit-learn's own "
        "`predict` on the same rows with the same network, measured in the same run: a "
        "cost \"in predicts\" is a time divided by it, which a faster or slower machine "
        "changes much less than the times. Times are the best of several runs, except "
        "scikit-learn's "
        "permutation importance (one run) and the drop-and-retrain refits (one run each). "
        "captum and R run in their own processes, after skimportance, on the same network "
        "weights and the same data (passed through a file).",
        "",
        "| operation | skimportance time | reference tool | reference time | ratio | target "
        "| met? | limit | notes |",
        "|---|---:|---|---:|---:|---|---|---|---|",
    ]
    for row in rows:
        cells = [row["operation"], seconds(row["ours"]), row["reference"],
                 seconds(row["reference_time"]), times(row["ratio"]),
                 row["target_text"] or "-", met(row), row.get("limit_text") or "-",
                 row["notes"]]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    lines += ["", chart, ""]
    if problems:
        lines += ["## Problems", ""] + [f"- {p}" for p in problems] + [""]
    total = sum(durations.values())
    lines.append("Wall time per benchmark: " + ", ".join(
        f"{name} {t:.0f} s" for name, t in durations.items()) + f"; total {total:.0f} s.")
    return "\n".join(lines) + "\n"


def rst_text(text):
    """``text`` as literal reST: ``|B|``, ``n_iter_`` and ``*`` are not markup there."""
    return re.sub(r"([\\`*_|])", r"\\\1", str(text))


def write_tables(rows, args):
    """The report's table as CSV and the machine as an reST list, for the docs page."""
    import csv

    with open(args.out / "results.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["operation", "skimportance", "reference tool", "reference",
                         "ratio", "target", "met?", "limit", "notes"])
        for row in rows:
            cells = [row["operation"], seconds(row["ours"]), row["reference"],
                     seconds(row["reference_time"]), times(row["ratio"]),
                     row["target_text"] or "-", met(row).strip("*"),
                     row.get("limit_text") or "-", row["notes"]]
            writer.writerow([rst_text(cell) for cell in cells])
    lines = [f"- {line.replace('`', '``')}" for line in machine(args)]
    (args.out / "machine.rst").write_text("\n".join(lines) + "\n", encoding="utf-8")


def plot(rows, path, quick):
    """Bar chart of the ratios (log scale), each target marked; return a Markdown line."""
    path.unlink(missing_ok=True)  # never leave an older run's chart next to this report
    shown = [row for row in rows if row["ratio"] is not None]
    if not shown:
        return "No chart: no ratio was measured."
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return "No chart: matplotlib is not installed."
    colors = {True: "tab:green", False: "tab:red", None: "tab:gray"}
    fig, ax = plt.subplots(figsize=(10, 1.5 + 0.75 * len(shown)))
    y = range(len(shown))[::-1]  # first row on top
    ax.barh(y, [row["ratio"] for row in shown], color=[colors[row["met"]] for row in shown])
    for i, row in zip(y, shown):
        ax.annotate(times(row["ratio"]), (row["ratio"], i), xytext=(4, 0),
                    textcoords="offset points", va="center", fontsize=8)
        if row["target"] is not None:
            ax.vlines(row["target"], i - 0.45, i + 0.45, colors="black", linewidths=2)
    labels = [textwrap.fill(f"{row['operation']} vs {row['reference']}", 60) for row in shown]
    ax.set_yticks(list(y), labels, fontsize=7)
    ax.set_xscale("log")
    ax.axvline(1, color="gray", linewidth=0.8, linestyle=":")
    ax.set_xlabel("reference time / skimportance time (log scale; > 1: skimportance is "
                  "faster)")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[key]) for key in (True, False, None)]
    handles.append(plt.Line2D([], [], color="black", linewidth=2))
    ax.legend(handles, ["meets its target", "misses its target", "no target", "target"],
              fontsize=8, ncol=4, frameon=False, loc="lower left", bbox_to_anchor=(0, 1))
    ax.set_title("skimportance speed against references" + (" (quick run)" if quick else ""),
                 pad=24)
    ax.set_xlim(right=ax.get_xlim()[1] * 3)  # room for the labels
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return f"![Speed ratios, log scale]({path.name})"


def main(argv=None):
    args = parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    # Read before the run: the run writes its own files (results/*.csv) into the tree.
    args.commit = git_commit()
    rows, durations, problems = run_benchmarks(args)
    chart = args.out / "ratios.png"
    chart_line = plot(rows, chart, args.quick)
    report = args.out / "RESULTS.md"
    report.write_text(markdown(rows, durations, problems, args, chart_line), encoding="utf-8")
    write_tables(rows, args)
    print(f"\nwrote {report}" + (f" and {chart}" if chart.exists() else ""))
    for problem in problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

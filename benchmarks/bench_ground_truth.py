"""How accurate is each method? Importances of freshly trained networks against the truth.

Run by hand:  python benchmarks/bench_ground_truth.py [--quick] [--variants a,b] [--n-networks 30]

In the spirit of Olden, Joy & Death (2004): for each simulated problem of
``benchmarks/_problems.py`` (known true importances), draw ``--n-networks`` fresh data
sets (500 training rows, 500 held-out rows), fit a network on each as a user would, with
scikit-learn's defaults except ``max_iter=1000`` (``make_pipeline(StandardScaler(),
MLPRegressor or MLPClassifier(random_state=seed, max_iter=1000))``: 100 ReLU units, adam),
and compute every method variant with its default settings on the held-out rows (a
``[train]`` variant: on the training rows). Each importance vector is compared with the
truth:

- **Spearman**: rank correlation with the true importances;
- **top-k**: the share of the k truly important inputs (k = number of inputs with a
  non-zero truth) among the k ranked highest;
- **ratio** (correlated problems): mean importance of one group of inputs over
  another's, whose true value the problem states (1 for equal effects, 0 for a null
  input correlated with a real one).

Writes ``benchmarks/results/ground_truth.csv`` (one row per network and variant),
``ground_truth_summary.csv`` (per problem and variant: means and standard deviations over
networks), ``ground_truth.md`` and ``ground_truth.png``; the documentation page "How
accurate is each method?" includes them. A run with ``--variants`` recomputes only those
variants and keeps the other rows of the CSV. ``run(argv)`` (for benchmarks/run.py)
returns no speed rows.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed
from scipy.stats import spearmanr
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from _problems import PROBLEMS

from skimportance import feature_importances
from skimportance.methods import (Ablation, ConnectionWeight, DeepLift, DropRetrain,
                                  ExpectedGradients, Garson, Gradient, InputXGradient,
                                  IntegratedGradients, LekProfile, Permutation, SmoothGrad,
                                  WeightMagnitude)
from skimportance.network import single_threaded_blas

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
N_TRAIN = N_TEST = 500
CLASSIFICATION_ONLY = "classification only"

# name: (make the method from the network's seed, rows it is computed on, applies to)
VARIANTS = {
    "weights": (lambda s: WeightMagnitude(), "test", None),
    "garson": (lambda s: Garson(), "test", None),
    "garson[neuralnettools]": (lambda s: Garson(variant="neuralnettools"), "test", None),
    "olden": (lambda s: ConnectionWeight(), "test", None),
    "gradient": (lambda s: Gradient(), "test", None),
    "gradient[rms]": (lambda s: Gradient(aggregate="rms"), "test", None),
    "gradient[mean]": (lambda s: Gradient(aggregate="mean"), "test", None),
    "gradient[std]": (lambda s: Gradient(aggregate="std"), "test", None),
    "gradient[logit]": (lambda s: Gradient(output="logit"), "test", CLASSIFICATION_ONLY),
    "gradient[train]": (lambda s: Gradient(), "train", None),
    "integrated_gradients": (lambda s: IntegratedGradients(), "test", None),
    "integrated_gradients[proba]": (lambda s: IntegratedGradients(output="proba"), "test",
                                    CLASSIFICATION_ONLY),
    "profile": (lambda s: LekProfile(), "test", None),
    "input_x_gradient": (lambda s: InputXGradient(), "test", None),
    "deeplift": (lambda s: DeepLift(), "test", None),
    "smoothgrad": (lambda s: SmoothGrad(random_state=s), "test", None),
    "expected_gradients": (lambda s: ExpectedGradients(random_state=s), "test", None),
    "permutation": (lambda s: Permutation(random_state=s), "test", None),
    "permutation[train]": (lambda s: Permutation(random_state=s), "train", None),
    "ablation": (lambda s: Ablation(), "test", None),
    "drop": (lambda s: DropRetrain(), "test", None),
    "drop[cold]": (lambda s: DropRetrain(warm_start=False), "test", None),
}


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-networks", type=int, default=30)
    parser.add_argument("--variants", help="comma-separated subset of: "
                        + ", ".join(VARIANTS))
    parser.add_argument("--problems", help="comma-separated subset of: "
                        + ", ".join(p.name for p in PROBLEMS))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true",
                        help="3 networks per problem, written to /tmp")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite the summaries and the figure from the CSV, no fits")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_networks = min(args.n_networks, 3)
    if args.out is None:
        args.out = Path("/tmp/skimportance-ground-truth") if args.quick else RESULTS
    args.variants = list(VARIANTS) if args.variants is None else args.variants.split(",")
    unknown = sorted(set(args.variants) - set(VARIANTS))
    if unknown:
        parser.error(f"unknown variants {unknown}")
    names = [p.name for p in PROBLEMS]
    args.problems = names if args.problems is None else args.problems.split(",")
    if set(args.problems) - set(names):
        parser.error(f"unknown problems {sorted(set(args.problems) - set(names))}")
    return args


def network(problem, seed):
    model = MLPRegressor if problem.kind == "regression" else MLPClassifier
    return make_pipeline(StandardScaler(), model(random_state=seed, max_iter=1000))


def data(problem, seed):
    rng = np.random.default_rng(seed)
    X, y = problem.draw(rng, N_TRAIN + N_TEST)
    if problem.kind == "regression":  # a unit for y, as a user would standardise it
        y = (y - y[:N_TRAIN].mean()) / y[:N_TRAIN].std()
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:], y[N_TRAIN:]


def scores(importances, truth, ratio):
    """Spearman, top-k recovery and the problem's ratio, for one importance vector."""
    importances = np.abs(np.asarray(importances, dtype=float))
    k = int(np.count_nonzero(truth))
    if np.ptp(importances) == 0:
        rho = 0.0  # a constant vector ranks nothing
    else:
        rho = spearmanr(importances, truth).statistic
    top = np.argsort(-importances, kind="stable")[:k]
    recovered = np.isin(top, np.flatnonzero(truth)).mean()
    value = np.nan
    if ratio:
        den = importances[ratio["den"]].mean()
        value = importances[ratio["num"]].mean() / den if den > 0 else np.nan
    return rho, recovered, value


def one_network(problem, seed, variants):
    """Fit one network on fresh data; the rows of every variant that applies."""
    X, y, X_test, y_test = data(problem, seed)
    truth = problem.true_importances()
    with warnings.catch_warnings(), single_threaded_blas():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model = network(problem, seed).fit(X, y)
        fit_time = time.perf_counter() - start
        held_out = model.score(X_test, y_test)
        rows = []
        for name in variants:
            make, rows_on, applies = VARIANTS[name]
            if applies == CLASSIFICATION_ONLY and problem.kind == "regression":
                continue
            on = (X, y) if rows_on == "train" else (X_test, y_test)
            start = time.perf_counter()
            method = make(seed)
            if isinstance(method, DropRetrain):
                result = method.compute(model, *on, X_train=X, y_train=y)
            else:
                result = feature_importances(model, *on, method=method)
            seconds = time.perf_counter() - start
            rho, top, ratio = scores(result.importances_mean, truth, problem.ratio)
            rows.append(dict(problem=problem.name, seed=seed, variant=name, spearman=rho,
                             top_k=top, ratio=ratio, held_out_score=held_out,
                             n_iter=model[-1].n_iter_, fit_seconds=fit_time,
                             seconds=seconds))
    return rows


def run_all(args):
    problems = [p for p in PROBLEMS if p.name in args.problems]
    tasks = [(p, seed) for p in problems for seed in range(args.n_networks)]
    out = Parallel(n_jobs=args.n_jobs, verbose=5)(
        delayed(one_network)(p, seed, args.variants) for p, seed in tasks)
    return [row for rows in out for row in rows]


def merged(new_rows, path, args):
    """New rows, plus the old CSV's rows of the variants and problems not rerun."""
    import pandas as pd

    new = pd.DataFrame(new_rows)
    if path.exists() and not args.quick:
        old = pd.read_csv(path)
        keep = ~(old.variant.isin(args.variants) & old.problem.isin(args.problems))
        new = pd.concat([old[keep], new], ignore_index=True)
    order = {name: i for i, name in enumerate(VARIANTS)}
    problem_order = {p.name: i for i, p in enumerate(PROBLEMS)}
    return new.sort_values(["problem", "variant", "seed"],
                           key=lambda c: c.map(order) if c.name == "variant"
                           else c.map(problem_order) if c.name == "problem" else c
                           ).reset_index(drop=True)


def summary(frame):
    """Per problem and variant: mean and standard deviation over the networks."""
    grouped = frame.groupby(["problem", "variant"], sort=False)
    table = grouped.agg(spearman=("spearman", "mean"), spearman_sd=("spearman", "std"),
                        top_k=("top_k", "mean"), top_k_sd=("top_k", "std"),
                        ratio=("ratio", "mean"), ratio_sd=("ratio", "std"),
                        held_out_score=("held_out_score", "mean"),
                        seconds=("seconds", "median"), n_networks=("seed", "nunique"))
    return table.reset_index()


def overall(table):
    """Per variant: the mean over problems of the per-problem mean Spearman and top-k."""
    wide = table.pivot(index="variant", columns="problem", values="spearman")
    result = wide.mean(axis=1).to_frame("mean_spearman")
    result["mean_top_k"] = table.pivot(index="variant", columns="problem",
                                       values="top_k").mean(axis=1)
    result["problems"] = wide.notna().sum(axis=1)
    # Variants that apply to some problems only (classifiers) come after the others.
    return result.sort_values(["problems", "mean_spearman"], ascending=False)


def markdown(frame, table, ranking):
    problems = list(dict.fromkeys(table.problem))
    lines = ["# How accurate is each method? (ground-truth simulation)", "",
             f"{frame.seed.nunique()} networks per problem; held-out scores of the "
             "networks (R^2 or accuracy), mean over networks: " + ", ".join(
                 f"{p} {table[table.problem == p].held_out_score.iloc[0]:.2f}"
                 for p in problems), "",
             "## Overall (mean over problems of the mean Spearman with the truth)", "",
             "| variant | mean Spearman | mean top-k | problems |", "|---|---:|---:|---:|"]
    for name, row in ranking.iterrows():
        lines.append(f"| {name} | {row.mean_spearman:.3f} | {row.mean_top_k:.3f} | "
                     f"{row.problems} |")
    lines += ["", "## Spearman with the truth, mean (sd) over networks", "",
              "| variant | " + " | ".join(problems) + " |",
              "|---|" + "---:|" * len(problems)]
    for name in ranking.index:
        cells = []
        for p in problems:
            hit = table[(table.problem == p) & (table.variant == name)]
            cells.append("-" if hit.empty else
                         f"{hit.spearman.iloc[0]:.2f} ({hit.spearman_sd.iloc[0]:.2f})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    ratio_problems = [p for p in PROBLEMS if p.ratio and p.name in problems]
    if ratio_problems:
        lines += ["", "## Correlated inputs: ratio, mean (sd) over networks", "",
                  "| variant | " + " | ".join(f"{p.name}: {p.ratio['name']} (truth "
                                               f"{p.ratio_truth:g})"
                                               for p in ratio_problems) + " |",
                  "|---|" + "---:|" * len(ratio_problems)]
        for name in ranking.index:
            cells = []
            for p in ratio_problems:
                hit = table[(table.problem == p.name) & (table.variant == name)]
                cells.append("-" if hit.empty else
                             f"{hit.ratio.iloc[0]:.2f} ({hit.ratio_sd.iloc[0]:.2f})")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def docs_tables(table, ranking, out):
    """The tables of the documentation page, as CSV files of formatted cells."""
    import pandas as pd

    problems = list(dict.fromkeys(table.problem))

    def cell(problem, variant, column):
        hit = table[(table.problem == problem) & (table.variant == variant)]
        if hit.empty:
            return "-"
        return f"{hit[column].iloc[0]:.2f} ({hit[column + '_sd'].iloc[0]:.2f})"

    rows = [{"variant": name, "mean Spearman": f"{row.mean_spearman:.3f}",
             "mean top-k": f"{row.mean_top_k:.3f}",
             **{p: cell(p, name, "spearman") for p in problems}}
            for name, row in ranking.iterrows()]
    pd.DataFrame(rows).to_csv(out / "ground_truth_table.csv", index=False)
    ratio_problems = [p for p in PROBLEMS if p.ratio and p.name in problems]
    rows = [{"variant": name, **{f"{p.name}: {p.ratio['name']} (truth {p.ratio_truth:g})":
                                 cell(p.name, name, "ratio") for p in ratio_problems}}
            for name in ranking.index]
    pd.DataFrame(rows).to_csv(out / "ground_truth_ratios.csv", index=False)


def figure(frame, ranking, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    problems = list(dict.fromkeys(frame.problem))
    variants = list(ranking.index)[::-1]  # best at the top
    fig, ax = plt.subplots(figsize=(8, 0.38 * len(variants) + 1.5), layout="constrained")
    offsets = np.linspace(-0.3, 0.3, len(problems))
    colours = plt.get_cmap("tab10").colors
    for j, problem in enumerate(problems):
        part = frame[frame.problem == problem].groupby("variant").spearman
        means, sds = part.mean(), part.std()
        ys = [i + offsets[j] for i, v in enumerate(variants) if v in means.index]
        xs = [means[v] for v in variants if v in means.index]
        es = [sds[v] for v in variants if v in means.index]
        ax.errorbar(xs, ys, xerr=es, fmt="o", ms=4, lw=0.8, color=colours[j % 10],
                    label=problem)
    ax.scatter(ranking.loc[variants, "mean_spearman"], range(len(variants)), marker="|",
               s=300, color="black", label="mean over problems", zorder=3)
    ax.set_yticks(range(len(variants)), variants)
    ax.set_xlabel("Spearman correlation with the true importances (mean ± sd over networks)")
    ax.axvline(0, color="grey", lw=0.5)
    ax.legend(loc="upper left", fontsize=8, ncols=2)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    import pandas as pd

    args = parse(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    csv = args.out / "ground_truth.csv"
    if args.report_only:
        frame = pd.read_csv(csv)
    else:
        start = time.perf_counter()
        rows = run_all(args)
        print(f"{len(rows)} rows in {time.perf_counter() - start:.0f} s", flush=True)
        frame = merged(rows, csv, args)
        frame.to_csv(csv, index=False, float_format="%.6g")
    table = summary(frame)
    table.to_csv(args.out / "ground_truth_summary.csv", index=False, float_format="%.4g")
    ranking = overall(table)
    ranking.to_csv(args.out / "ground_truth_overall.csv", float_format="%.4g")
    docs_tables(table, ranking, args.out)
    text = markdown(frame, table, ranking)
    (args.out / "ground_truth.md").write_text(text)
    figure(frame, ranking, args.out / "ground_truth.png")
    print(text)
    return frame


def run(argv):
    main(argv)
    return []


if __name__ == "__main__":
    main(sys.argv[1:])

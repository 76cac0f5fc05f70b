"""Refits across a cluster: ``n_refits`` on joblib's dask backend, 1, 2 and 4 workers.

Run by hand:  python benchmarks/bench_cluster.py   (``--quick``: a smoke test)
Target (issue 17, refits across a cluster): the same refit workload on a
``distributed.LocalCluster(n_workers=w, threads_per_worker=1, processes=True)``, selected
by ``joblib.parallel_config(backend="dask")``, runs at least 1.5x faster on 2 workers
than on 1, with the same importances. The machine has 2 cores, so 2x is the limit; 4
workers get no target: 4 processes on 2 cores cannot beat 2 (they are measured to show
that oversubscribing costs little). joblib's default loky backend with ``n_jobs=1`` (in
this process) and ``n_jobs=2`` is timed in the same run for comparison.

The workload: ``ImportanceRegressor(MLPRegressor((64, 32), max_iter=1000),
method="permutation", n_refits=8, random_state=0).fit(X, y)`` on X (1500, 10) with a
smooth target; each refit (a task) fits a network to all rows, which converges (its
``tol``) in a few hundred epochs, then computes its permutation importances. 8 tasks
split evenly over 1, 2 and 4 workers (sized so that the whole benchmark takes a few
minutes of the report's run). ``cv`` folds and drop-and-retrain refits go through the
same joblib call (skimportance/_parallel.py), so they scale alike.

Every configuration is timed in turns within each round (``best_times``), after an
untimed warm-up that imports the package in every worker. The importances of every
configuration are compared with those of 1 dask worker (max |diff| in the notes): the
same ``random_state`` must give exactly the same numbers on 1, 2 and 4 dask workers (part
of the target).

"1 dask worker" does not run on the worker: the dask backend resolves ``n_jobs`` to the
cluster's thread count, and joblib runs a one-job loop in the calling process (its
sequential path), where OpenBLAS has a thread per core while dask's workers run one BLAS
thread each (dask's ``pre-spawn-environ``). So that configuration runs under
``threadpool_limits(1)``, one BLAS thread as in a worker: the speed-up then compares one
core with two, not BLAS's two threads with two workers.

The importances can still differ in the last bit (an open defect, not BLAS's nor
scikit-learn's): the report of 65d96b3 (OpenBLAS's Haswell kernels, AMD EPYC) showed
2.2e-16 between 1 worker and 2 or 4; here it is reproduced with
``OPENBLAS_CORETYPE=Haswell`` (none on this SkylakeX's own kernels). The fitted networks
are bit-identical in every configuration; the difference is in skimportance's
permutation engine on the fitted network (skimportance/network/_rank_one.py): 1 or 2 of
400 entries by 1.1e-16 or 2.2e-16 between this process with 2 BLAS threads and with 1
(its row chunks follow BLAS's thread count: the likely cause), and between a dask worker
and this process, both on one BLAS thread (not the alignment of ``X``, a view into
dask's frames, nor the task's thread: both checked in one process; perhaps the alignment
of the engine's own work arrays under numba's reassociating ``fastmath`` loops). The check stays exact, as
the project's rule asks: a "NO" here is that defect, not noise. The refits' results are
gathered in task order (skimportance/_parallel.py), so completion order moves nothing.

joblib's default loky backend is timed too: loky ``n_jobs=1`` runs in this process with
all of BLAS's threads, so its max |diff| shows that BLAS effect (0 on kernels without
it here); loky's ``n_jobs=2`` workers run one BLAS thread each. The load average of the
machine before and after the run is printed: other processes steal the cores the
speed-up needs.

Skipped, with a note, when ``dask.distributed`` is not installed (``pip install
".[dask]"``). ``run(argv)`` returns the rows of benchmarks/run.py's report. The
``__main__`` guard below is needed: the workers are spawned processes.
"""

import argparse
import contextlib
import importlib
import os

import numpy as np
from sklearn.neural_network import MLPRegressor

from _timing import best_times, parse_args, row

from skimportance import ImportanceRegressor

TARGET = 1.5  # speed-up of 2 workers over 1; the limit is 2 (2 cores)
WORKERS = (1, 2, 4)
QUICK = dict(n_samples=400, hidden="16", n_refits=4, repeats=1)
MODULES = ("sklearn.neural_network", "skimportance", "skimportance.methods")


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-samples", type=int, default=1500)
    parser.add_argument("--n-features", type=int, default=10)
    parser.add_argument("--hidden", default="64,32")
    parser.add_argument("--n-refits", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=2, help="rounds of timings")
    return parse_args(parser, argv, QUICK)


def problem(n_samples, n_features):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n_samples, n_features))
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.5 * X[:, 3] + 0.1 * rng.normal(size=n_samples)
    return X, y


def workload(X, y, hidden, n_refits):
    """The refit workload; returns every refit's importances (features x samples)."""
    net = MLPRegressor(hidden_layer_sizes=hidden, max_iter=1000, random_state=0)
    est = ImportanceRegressor(net, method="permutation", n_refits=n_refits,
                              random_state=0).fit(X, y)
    return est.importances_.importances


def load():
    return " / ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") \
        else "unknown"


def skipped(operation, why):
    print(f"skipped: {why}", flush=True)
    return [row(operation, None, "1 dask worker", None, notes=f"skipped: {why}",
                limit_text="2x: 2 cores")]


def warm_up(clients):
    """Import the package in every worker (dask) and start loky's two workers, so that
    no timing pays for them."""
    import joblib

    for client in clients.values():
        for name in MODULES:
            client.run(importlib.import_module, name)
    with joblib.parallel_config(backend="loky", n_jobs=2):
        joblib.Parallel()(joblib.delayed(importlib.import_module)(name)
                          for name in MODULES for _ in range(2))


@contextlib.contextmanager
def dask_config(client, in_this_process):
    """joblib's dask backend on ``client``; ``in_this_process``: a one-thread cluster,
    whose loop joblib runs here, with BLAS on one thread as in a worker (see above)."""
    import joblib
    from threadpoolctl import threadpool_limits

    with contextlib.ExitStack() as stack:
        stack.enter_context(joblib.parallel_config(backend="dask", client=client, n_jobs=-1))
        if in_this_process:
            stack.enter_context(threadpool_limits(limits=1, user_api="blas"))
        yield


def configurations(clients):
    """{label: a function returning the joblib configuration to time the workload in}."""
    import joblib

    found = {f"dask, {w} worker{'s' * (w > 1)}":
             (lambda c=client, w=w: dask_config(c, in_this_process=w == 1))
             for w, client in clients.items()}
    for n_jobs in (1, 2):
        found[f"loky, n_jobs={n_jobs}"] = \
            (lambda n=n_jobs: joblib.parallel_config(backend="loky", n_jobs=n))
    return found


def measure(args, X, y, hidden):
    """{label: seconds} and {label: importances}, every configuration timed in turns."""
    from distributed import Client, LocalCluster

    results = {}
    with contextlib.ExitStack() as stack:  # closes every client and cluster, even on errors
        clients = {}
        for w in WORKERS:
            cluster = stack.enter_context(LocalCluster(
                n_workers=w, threads_per_worker=1, processes=True, dashboard_address=":0"))
            clients[w] = stack.enter_context(Client(cluster, set_as_default=False))
        warm_up(clients)
        configs = configurations(clients)

        def timed(label):
            def call():
                with configs[label]():
                    results[label] = workload(X, y, hidden, args.n_refits)
            return call

        seconds = best_times([timed(label) for label in configs], args.repeats)
    return dict(zip(configs, seconds)), results


def run(argv=None):
    """Print the benchmark and return its rows for benchmarks/run.py."""
    args = parse(argv)
    hidden = tuple(int(h) for h in args.hidden.split(","))
    X, y = problem(args.n_samples, args.n_features)
    what = (f"ImportanceRegressor(MLPRegressor({hidden}), permutation, "
            f"n_refits={args.n_refits}) on X {X.shape}")
    try:
        import distributed
    except ImportError:
        return skipped(f"{what}, dask, 2 workers",
                       "dask.distributed is not installed (pip install \".[dask]\")")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count()
    before = load()
    seconds, results = measure(args, X, y, hidden)
    after = load()
    base = results["dask, 1 worker"]
    diffs = {label: float(np.max(np.abs(values - base))) for label, values in results.items()}
    # The target asks for the dask workers' numbers to be exactly 1 worker's (one BLAS
    # thread in all of them); loky n_jobs=1 has all of BLAS's threads, which moves the
    # permutation engine's last bit on some kernels (see the module's docstring).
    same = all(d == 0 for label, d in diffs.items() if label.startswith("dask"))
    t1 = seconds["dask, 1 worker"]
    print(f"{what}: {args.n_refits} refits (tasks); {cores} usable cores; distributed "
          f"{distributed.__version__}; best of {args.repeats} round(s); load average "
          f"(1/5/15 min) {before} before, {after} after")
    for label, t in seconds.items():
        print(f"  {label:16s} {t:7.2f} s   speed-up over 1 dask worker {t1 / t:5.2f}x   "
              f"max |diff| of the importances vs 1 dask worker {diffs[label]:.3g}")
    print(f"  same importances on 1, 2 and 4 dask workers: {'yes' if same else 'NO'}; "
          f"max |diff| of loky vs 1 dask worker: n_jobs=1 {diffs['loky, n_jobs=1']:.3g}, "
          f"n_jobs=2 {diffs['loky, n_jobs=2']:.3g}")
    ratio = t1 / seconds["dask, 2 workers"]
    met = bool(ratio >= TARGET and same)
    print(f"  2 workers: {ratio:.2f}x, {'meets' if met else 'MISSES'} >= {TARGET}x with the "
          "same importances (limit 2x: 2 cores)", flush=True)

    agreement = ("importances " + ("exactly equal on 1, 2 and 4 dask workers" if same
                                   else "DIFFER between dask workers") + "; max |diff| vs 1 "
                 "dask worker: " + ", ".join(f"{label} {d:.3g}" for label, d in diffs.items()
                                            if label != "dask, 1 worker"))
    context = (f"{cores} usable cores, best of {args.repeats} round(s), load average "
               f"{before} before, {after} after")
    rows = [
        row(f"{what}, dask, 2 workers", seconds["dask, 2 workers"], "1 dask worker", t1,
            target=TARGET, target_text=f">= {TARGET}x and the same importances", met=met,
            notes=f"{agreement}; {context}", limit_text="2x: 2 cores"),
        row(f"{what}, dask, 4 workers", seconds["dask, 4 workers"], "1 dask worker", t1,
            notes="no target: 4 workers on 2 cores cannot beat 2", limit_text="2x: 2 cores"),
        row(f"{what}, dask, 1 worker", t1, "loky, n_jobs=1 (in this process)",
            seconds["loky, n_jobs=1"],
            notes="the cost of the dask backend itself (joblib runs a one-thread "
            "cluster's loop in this process, here with BLAS on 1 thread as in a worker; "
            "loky n_jobs=1 has all of BLAS's threads)",
            limit_text="1x (the same work on one core)"),
        row(f"{what}, loky, n_jobs=2", seconds["loky, n_jobs=2"],
            "loky, n_jobs=1 (in this process)", seconds["loky, n_jobs=1"],
            notes="joblib's default backend, for comparison with dask's",
            limit_text="2x: 2 cores"),
    ]
    return rows


def main(argv=None):
    """Print the benchmark; return the speed-up of 2 dask workers over 1."""
    return run(argv)[0]["ratio"]


if __name__ == "__main__":
    main()

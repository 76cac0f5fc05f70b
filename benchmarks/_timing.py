"""Timing and report rows shared by the benchmark scripts."""

import time

__all__ = ["best_time", "best_times", "parse_args", "benchmark_network", "peak_gflops",
           "row"]

_PEAK = []


# Idle seconds before each timed call (see best_times).
PAUSE = 0.15


def best_times(funcs, repeats=5, pause=PAUSE):
    """Best wall time of each function over ``repeats`` rounds.

    The functions are timed in turns within each round, so a burst of load on the
    machine hits all of them alike and their ratios stay fair. Each call starts after a
    ``pause`` of idle seconds: OpenBLAS's threads spin on a core for about 0.1 s after
    each multi-threaded product (its ``THREAD_TIMEOUT``, 2**28 cycles; measured here:
    0.105 CPU seconds during a 0.2 s sleep after a product), so without the pause a call
    that follows ``predict`` runs on two cores with a third thread spinning, and is
    charged for the previous call's idle threads (IntegratedGradients measured 112 ms
    right after a predict, 69 ms after a pause).
    """
    best = [float("inf")] * len(funcs)
    for _ in range(repeats):
        for i, func in enumerate(funcs):
            if pause:
                time.sleep(pause)
            start = time.perf_counter()
            func()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def best_time(func, repeats=5):
    """Best wall time of one function over ``repeats`` calls."""
    return best_times([func], repeats)[0]


def peak_gflops(n=1500, repeats=5):
    """The float64 matrix-product rate of this machine, in GFLOP/s: the best of a few
    ``n x n`` products with all of BLAS's threads, measured once per process. The
    arithmetic limits in the report are operation counts divided by it."""
    if not _PEAK:
        import numpy as np

        rng = np.random.default_rng(0)
        A, B = rng.normal(size=(n, n)), rng.normal(size=(n, n))
        _PEAK.append(2 * n**3 / best_time(lambda: A @ B, repeats) / 1e9)
    return _PEAK[0]


def row(operation, ours, reference, reference_time, *, target=None, target_text="",
        met=None, notes="", limit_text=""):
    """One line of the benchmark report (``benchmarks/run.py``), as a dict.

    Parameters
    ----------
    operation : str
        What skimportance did, with the sizes.
    ours, reference_time : float or None
        Seconds taken by skimportance and by the reference. ``reference_time=None``
        marks a skipped reference (say why in ``notes``).
    reference : str
        Name of the reference tool or operation.
    target : float, optional
        Smallest ``ratio = reference_time / ours`` that meets the target; a target
        "at most 2.5 predicts" is ``target=1 / 2.5``.
    target_text : str
        The target as people state it, e.g. "<= 2.5 predicts".
    met : bool, optional
        Whether the target is met; by default ``ratio >= target``. Pass it when the
        target has another condition too.
    notes : str
        Anything else worth a reader's attention (agreement, versions, why skipped).
    limit_text : str
        The arithmetic limit of the operation, in the ratio's terms, and how it was
        estimated, e.g. "~1 predict (one forward, one backward pass)"; the report's
        "limit" column.
    """
    ratio = None if reference_time is None or ours is None else reference_time / ours
    if met is None and target is not None and ratio is not None:
        met = ratio >= target
    return dict(operation=operation, ours=ours, reference=reference,
                reference_time=reference_time, ratio=ratio, target=target,
                target_text=target_text, met=met, notes=notes,
                limit_text=limit_text)


def parse_args(parser, argv, quick):
    """Parse ``argv`` with a ``--quick`` flag: smaller defaults from ``quick``, for smoke
    tests (options given explicitly still win)."""
    parser.add_argument("--quick", action="store_true", help="small sizes, for smoke tests")
    args = parser.parse_args(argv)
    if args.quick:
        parser.set_defaults(**quick)
        args = parser.parse_args(argv)
    return args


def benchmark_network(shape, hidden):
    """X of ``shape``, a smooth target, and an MLPRegressor after 5 epochs: the timings
    need the network's shape, not a good fit."""
    import warnings

    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPRegressor

    rng = np.random.default_rng(0)
    X = rng.normal(size=shape)
    y = np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.normal(size=shape[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=hidden, max_iter=5, random_state=0).fit(X, y)
    return X, y, mlp

"""Timing shared by the benchmark scripts."""

import time

__all__ = ["best_time", "best_times"]


def best_times(funcs, repeats=5):
    """Best wall time of each function over ``repeats`` rounds.

    The functions are timed in turns within each round, so a burst of load on the
    machine hits all of them alike and their ratios stay fair.
    """
    best = [float("inf")] * len(funcs)
    for _ in range(repeats):
        for i, func in enumerate(funcs):
            start = time.perf_counter()
            func()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def best_time(func, repeats=5):
    """Best wall time of one function over ``repeats`` calls."""
    return best_times([func], repeats)[0]

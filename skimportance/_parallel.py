"""Parallel loops through joblib (any backend, dask included) with an optional progress bar."""

import sys

from sklearn.utils.parallel import Parallel, delayed

__all__ = ["delayed", "progress", "run"]


class _Silent:
    def update(self, n=1):
        pass

    def close(self):
        pass


class _Lines:
    """Progress as plain lines on stderr, when tqdm is not installed."""

    def __init__(self, total, desc):
        self.total, self.desc, self.done = total, desc, 0

    def update(self, n=1):
        self.done += n
        print(f"{self.desc}: {self.done}/{self.total}", file=sys.stderr, flush=True)

    def close(self):
        pass


def progress(verbose, total, desc):
    """A progress bar (tqdm if installed) when ``verbose`` is true, a silent one otherwise."""
    if not verbose:
        return _Silent()
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return _Lines(total, desc)
    return tqdm(total=total, desc=desc, leave=False)


def run(tasks, *, n_jobs=None, verbose=0, desc="", sizes=None, prefer=None):
    """Results of joblib ``delayed`` tasks, in order, advancing a progress bar as they end.

    ``sizes`` are the amounts by which each task advances the bar (one each by default).
    The results do not depend on ``n_jobs`` or on the backend: each task is deterministic.
    """
    tasks = list(tasks)
    sizes = [1] * len(tasks) if sizes is None else list(sizes)
    try:
        parallel = Parallel(n_jobs=n_jobs, prefer=prefer, return_as="generator")
    except TypeError:  # pragma: no cover - joblib < 1.3 has no generators
        parallel = Parallel(n_jobs=n_jobs, prefer=prefer)
    bar = progress(verbose, sum(sizes), desc)
    results = []
    try:
        for result, size in zip(parallel(tasks), sizes):
            results.append(result)
            bar.update(size)
    finally:
        bar.close()
    return results

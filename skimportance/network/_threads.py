"""Work shared between threads, each with single-threaded BLAS, results in order."""

from collections import deque
from concurrent.futures import ThreadPoolExecutor

from joblib import effective_n_jobs

from ._blas import _blas_threads, single_threaded_blas

__all__ = ["threaded_chunks", "threaded_map"]


def threaded_map(func, items, n_jobs=None):
    """Yield ``func(item)`` for each item, in order, computed by ``n_jobs`` threads.

    ``items`` is read lazily, by the calling thread, at most two items per thread ahead
    of the results: a producer that draws random numbers keeps its order, and memory
    stays bounded. While it runs, BLAS has one thread (its threads would synchronise on
    every small product of a cache-sized item, which costs more than the product on a
    busy machine). ``n_jobs=None``: as many threads as BLAS would use. The results do
    not depend on ``n_jobs``.
    """
    n_threads = max(1, _blas_threads() if n_jobs is None else effective_n_jobs(n_jobs))
    with single_threaded_blas():
        if n_threads == 1:
            for item in items:
                yield func(item)
            return
        with ThreadPoolExecutor(n_threads) as pool:
            pending = deque()
            for item in items:
                pending.append(pool.submit(func, item))
                if len(pending) >= 2 * n_threads:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()


def threaded_chunks(func, chunks, n_jobs=None):
    """Yield ``(rows, func(rows))`` for each chunk of rows, in order, computed by threads
    (``threaded_map``); a single chunk is computed in the calling thread, with BLAS's
    threads."""
    chunks = list(chunks)
    if len(chunks) == 1:  # nothing to share: BLAS keeps its threads
        yield chunks[0], func(chunks[0])
        return
    for rows, result in zip(chunks, threaded_map(func, chunks, n_jobs)):
        yield rows, result

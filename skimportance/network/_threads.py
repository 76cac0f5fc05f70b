"""Cache-sized chunks of rows shared between threads, each with single-threaded BLAS."""

from collections import deque
from concurrent.futures import ThreadPoolExecutor

from joblib import effective_n_jobs

from ._blas import _blas_threads, single_threaded_blas

__all__ = ["threaded_chunks"]


def threaded_chunks(func, chunks, n_jobs=None):
    """Yield ``(rows, func(rows))`` for each chunk, in order, computed by threads.

    The chunks are cache-sized, so their many small BLAS calls run on one thread each
    (BLAS's own threads would synchronise on every call, which costs more than the call
    on a busy machine) and the chunks are shared between ``n_jobs`` threads instead
    (None: as many as BLAS would use). At most two chunks per thread are in flight, so
    memory stays bounded; the results do not depend on ``n_jobs``.
    """
    chunks = list(chunks)
    n_threads = _blas_threads() if n_jobs is None else effective_n_jobs(n_jobs)
    n_threads = max(1, min(n_threads, len(chunks)))
    with single_threaded_blas():
        if n_threads == 1:
            for rows in chunks:
                yield rows, func(rows)
            return
        with ThreadPoolExecutor(n_threads) as pool:
            pending = deque()
            for rows in chunks:
                pending.append((rows, pool.submit(func, rows)))
                if len(pending) >= 2 * n_threads:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()

"""BLAS on one thread while the rank-one engine runs, in any thread of the process."""

import threading
from contextlib import contextmanager

__all__ = ["single_threaded_blas"]

_blas_lock = threading.Lock()
_blas_users = 0
_blas_limiter = None
_blas_controller = None


def _controller():
    global _blas_controller
    if _blas_controller is None:
        from threadpoolctl import ThreadpoolController

        _blas_controller = ThreadpoolController()  # scanning the libraries costs ms: once
    return _blas_controller


def _blas_threads():
    counts = [p["num_threads"] for p in _controller().info() if p.get("user_api") == "blas"]
    return max(counts) if counts else 1


@contextmanager
def single_threaded_blas():
    """BLAS on one thread while any fast-path computation runs, in any thread.

    The tiles make many small BLAS calls: BLAS's own threads synchronise on each, which
    costs more than the call on a busy machine, so the rows are split between our threads
    instead. Counted, because the limit is process-wide and joblib threads may overlap.
    """
    global _blas_users, _blas_limiter
    with _blas_lock:
        if _blas_users == 0:
            _blas_limiter = _controller().limit(limits=1, user_api="blas")
        _blas_users += 1
    try:
        yield
    finally:
        with _blas_lock:
            _blas_users -= 1
            if _blas_users == 0:
                _blas_limiter.restore_original_limits()
                _blas_limiter = None

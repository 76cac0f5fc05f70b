"""Progress of a long run: a line per stage on stderr, with the time since the start.

Short runs print nothing: a stage is shown only once the run has lasted PROGRESS_AFTER
seconds, so that quick commands (and their one-line errors) keep a clean stderr.
"""

import sys
import time

__all__ = ["LARGE_DATA_CELLS", "PROGRESS_AFTER", "Progress"]

PROGRESS_AFTER = 3.0
# From this many cells (rows x features) on, every stage is shown from the start: the
# first fold alone takes several seconds (20000 x 30: about 15 s on one core).
LARGE_DATA_CELLS = 200_000


class Progress:
    """``progress(text)`` prints ``[  12.3 s] text`` on stderr once the run is long.

    Parameters
    ----------
    after : float, default=None
        Seconds from the start before stages are shown; None reads PROGRESS_AFTER
        (at each call, so that tests can change it).
    stream : file, default=None
        Where to print; None is ``sys.stderr`` at each call.
    clock : callable, default=time.monotonic

    Examples
    --------
    >>> import io
    >>> from skimportance.cli._progress import Progress
    >>> ticks = iter([0.0, 1.0, 5.0, 7.5])
    >>> out = io.StringIO()
    >>> progress = Progress(after=3.0, stream=out, clock=lambda: next(ticks))
    >>> progress("fold 1/5")  # one second in: nothing
    >>> progress("fold 2/5")
    >>> progress.done()
    >>> print(out.getvalue(), end="")
    [   5.0 s] fold 2/5
    [   7.5 s] done
    """

    def __init__(self, after=None, stream=None, clock=time.monotonic):
        self.after = after
        self.stream = stream
        self.clock = clock
        self.start = clock()
        self.shown = False

    def _print(self, text, elapsed):
        stream = self.stream if self.stream is not None else sys.stderr
        print(f"[{elapsed:6.1f} s] {text}", file=stream, flush=True)
        self.shown = True

    def __call__(self, text):
        elapsed = self.clock() - self.start
        after = PROGRESS_AFTER if self.after is None else self.after
        if elapsed >= after:
            self._print(text, elapsed)

    def done(self):
        """The last line, ``done``, if any stage was shown."""
        if self.shown:
            self._print("done", self.clock() - self.start)

"""A dependency-free progress bar for ``fit(progress=True)``, written to stderr."""

import sys
import time


class ProgressBar:
    """One self-overwriting line: bar, iteration, cost and rate; redrawn at most 10 times/s.

    Parameters
    ----------
    total : int
        Number of iterations.
    stream : file, optional
        Default ``sys.stderr``.
    """

    def __init__(self, total, stream=None, width=30):
        self.total = max(int(total), 1)
        self.stream = stream if stream is not None else sys.stderr
        self.width = width
        self.start = time.perf_counter()
        self._last_draw = 0.0
        self._last_done = None

    def update(self, done, cost, force=False, extra=""):
        """Show ``done`` finished iterations, the latest ``cost`` and an ``extra`` text (e.g.
        the validation score)."""
        now = time.perf_counter()
        if done == self._last_done or (not force and now - self._last_draw < 0.1 and done < self.total):
            return
        self._last_draw, self._last_done = now, done
        elapsed = max(now - self.start, 1e-9)
        filled = int(self.width * done / self.total)
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(
            f"\r[{bar}] {done}/{self.total} cost {cost:.6f}{extra}  {done / elapsed:,.0f} it/s  {elapsed:.1f}s"
        )
        self.stream.flush()

    def close(self):
        """End the line."""
        self.stream.write("\n")
        self.stream.flush()

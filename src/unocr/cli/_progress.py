"""Progress of a long ``unocr read`` on standard error.

On a terminal, a progress bar (tqdm) from :data:`MIN_ITEMS` pages on. Elsewhere
(a log file, a CI job) one plain line every :data:`PLAIN_EVERY` seconds,
``unocr read: 120/1000 pages, 2 failed, 3.1 pages/s``, and a last one at the
end unless the last one printed already says it. Messages (error lines) go
through :meth:`Progress.say` and results through :meth:`Progress.write`, so the
bar is cleared first and never left between them.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from unocr.cli._output import write_out

__all__ = ["MIN_ITEMS", "PLAIN_EVERY", "Progress"]

#: Fewest pages for which progress is shown.
MIN_ITEMS = 4
#: Seconds between two plain progress lines (standard error not a terminal).
PLAIN_EVERY = 10.0


class Progress:
    """Counts finished pages and shows it.

    Args:
        total: Pages to read.
        show: Whether to show progress at all (``--quiet`` turns it off).
        stream: Where to draw (default standard error).
    """

    def __init__(self, total: int, *, show: bool, stream: TextIO | None = None) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self._stream = stream if stream is not None else sys.stderr
        self._start = time.monotonic()
        self._last = self._start
        self._shown: int | None = None  # pages done the last plain line said
        self._bar: Any = None
        self._plain = False
        if show and total >= MIN_ITEMS:
            if self._stream.isatty():
                from tqdm import tqdm

                self._bar = tqdm(
                    total=total, unit="page", file=self._stream, leave=False
                )
            else:
                self._plain = True

    def update(self, *, failed: bool) -> None:
        """Count one finished page.

        Args:
            failed: Whether it failed.
        """
        self.done += 1
        self.failed += failed
        if self._bar is not None:
            self._bar.update(1)
        elif self._plain:
            now = time.monotonic()
            if now - self._last >= PLAIN_EVERY:
                self._last = now
                self._line()

    def say(self, line: str) -> None:
        """Print a message line (above the bar, if one is drawn)."""
        if self._bar is not None:
            self._bar.clear()
        print(line, file=self._stream, flush=True)
        if self._bar is not None:
            self._bar.refresh()

    def write(self, text: str, out: TextIO) -> None:
        """Write a result to ``out``, clearing the bar first.

        The bar is cleared where ``out`` is a terminal too (standard output
        and error on one screen), so it is not left between the results.

        Args:
            text: What to write, as it is.
            out: Standard output or an output file.

        Raises:
            OSError: ``out`` cannot take it (:class:`BrokenPipeError` where
                its reader went away).
        """
        clear = self._bar is not None and out.isatty()
        if clear:
            self._bar.clear()
        write_out(text, out)  # whole, or BrokenPipeError
        if clear:
            self._bar.refresh()

    def close(self) -> None:
        """Remove the bar, or print a last plain line.

        The last plain line is printed where plain lines were and the one
        before does not already give the final count.
        """
        if self._bar is not None:
            self._bar.refresh()  # the final count, whatever tqdm's draw interval
            self._bar.close()
            self._bar = None
        elif self._plain and self._shown not in (None, self.done):
            self._line()

    def _line(self) -> None:
        seconds = max(time.monotonic() - self._start, 1e-9)
        failed = f", {self.failed} failed" if self.failed else ""
        print(
            f"unocr read: {self.done}/{self.total} pages{failed}, "
            f"{self.done / seconds:.1f} pages/s",
            file=self._stream,
            flush=True,
        )
        self._shown = self.done

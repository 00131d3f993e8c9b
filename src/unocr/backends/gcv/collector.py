"""Pause Python's cyclic garbage collector while responses convert (pure).

Converting a dense page allocates thousands of small objects (words, quads,
symbols) that all live on and form no reference cycle. The collector, run by
allocation counts, scans them again and again as they age (about a third of
the CPU of a batch of dense pages) and frees nothing. So a batch's
conversion runs with it paused: threads converting at once share one pause
(a count under a lock), the first to enter disables the collector if it was
enabled, the last to leave enables it again, also when a conversion raises.
Reference counting frees memory as usual meanwhile; cyclic garbage made
meanwhile waits for the next collection. A program that disables the
collector itself while a conversion runs finds it enabled afterwards.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]

_lock = threading.Lock()
_depth = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector paused (nestable, thread-safe).

    Yields:
        Nothing; the collector is back as it was when the last block leaves.
    """
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()

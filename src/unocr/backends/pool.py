"""Engine instances per CPU-thread budget, so ``read_many`` workers add throughput.

A deep-learning engine uses every core for one image by default, so two
workers calling one engine only queue behind each other. :class:`EnginePool`
instead hands each concurrent call its own engine instance built with
``threads`` compute threads, and :meth:`EnginePool.split` divides the
machine's cores among ``read_many``'s workers for the duration of a batch
(2 workers on 2 cores: two engines of 1 thread each). Batches that overlap
share the cores among all their workers, and when the last one ends the
engine's own setting is back. Instances are kept and reused; an explicit
``threads=`` option always wins over the split.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Generic, TypeVar

from unocr.backends.options import check_count

__all__ = ["MAX_THREADS", "EnginePool", "check_threads", "cpu_cores"]

_E = TypeVar("_E")


def cpu_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


#: The most compute threads an engine is given (its runtime allocates per
#: thread at once: PyTorch's OpenMP pool aborts the process on ``10**9``).
MAX_THREADS = 1024


def check_threads(threads: object) -> int | None:
    """Validate a ``threads=`` option.

    Args:
        threads: ``None`` (the engine's default: every core) or a whole
            number from 1 to :data:`MAX_THREADS`.

    Returns:
        The number, or ``None``.

    Raises:
        unocr.errors.ConfigError: Not a whole number from 1 to
            :data:`MAX_THREADS`.

    Examples:
        >>> check_threads(2)
        2
        >>> check_threads(0)
        Traceback (most recent call last):
        ...
        unocr.errors.ConfigError: threads must be a whole number >= 1 (or None), got 0
    """
    return check_count(threads, "threads", none=True, maximum=MAX_THREADS)


class EnginePool(Generic[_E]):
    """Engine instances keyed by their thread count, one per concurrent call.

    Args:
        build: Makes a new engine with the given number of compute threads
            (``None``: the engine's default).
        threads: The user's ``threads=`` option; when set, every instance uses
            it and :meth:`split` changes nothing.
        on_share: Called (holding the pool's lock) with the thread count of
            the batches in flight each time :meth:`split` changes it, and with
            ``None`` when the last batch ends: for an engine whose thread
            count is process-wide rather than per instance (PyTorch's).
    """

    def __init__(
        self,
        build: Callable[[int | None], _E],
        threads: int | None = None,
        on_share: Callable[[int | None], None] | None = None,
    ) -> None:
        self._build = build
        self._on_share = on_share
        self._fixed = threads
        self._current: int | None = threads
        #: Workers of the ``read_many`` batches running now (see :meth:`split`).
        self._in_flight = 0
        self._free: dict[int | None, list[_E]] = {}
        self._lock = threading.Lock()

    @property
    def threads(self) -> int | None:
        """Compute threads of the instances handed out now (``None``: default)."""
        return self._current

    def prime(self) -> None:
        """Build one instance now (so a broken model fails at construction)."""
        engine = self._build(self._current)
        with self._lock:
            self._free.setdefault(self._current, []).append(engine)

    @contextmanager
    def engine(self) -> Iterator[_E]:
        """Borrow an instance for one call (built when none is free)."""
        key = self._current
        with self._lock:
            free = self._free.get(key)
            engine = free.pop() if free else None
        if engine is None:
            engine = self._build(key)
        try:
            yield engine
        finally:
            with self._lock:
                self._free.setdefault(key, []).append(engine)

    @contextmanager
    def split(self, workers: int) -> Iterator[int | None]:
        """Give each of ``workers`` concurrent calls an equal share of the cores.

        Batches may overlap (two threads each calling ``read_many``): the
        cores are then shared among the workers of every batch in flight
        (``cpu_cores() // total``, at least 1), re-divided as each batch
        starts and ends, and when the last one ends the instances handed out
        are again those of the pool's own setting (``threads=``, or ``None``:
        every core). An instance already borrowed keeps the count it was
        built with. With ``threads=`` set, nothing changes.

        Args:
            workers: Calls that will run at once in this batch (at least 1).

        Yields:
            The thread count each instance gets as the batch starts
            (``None``: the engine's default), until another batch starts or
            ends.
        """
        workers = max(1, workers)
        with self._lock:
            self._in_flight += workers
            current = self._reshare()
        try:
            yield current
        finally:
            with self._lock:
                self._in_flight -= workers
                self._reshare()

    def _reshare(self) -> int | None:
        """Set the thread count for the workers in flight (call holding the lock)."""
        if self._fixed is None and self._in_flight > 1:
            self._current = max(1, cpu_cores() // self._in_flight)
        else:
            self._current = self._fixed
        if self._on_share is not None:
            self._on_share(self._current if self._in_flight else None)
        return self._current

    def clear(self) -> None:
        """Drop every idle instance."""
        with self._lock:
            self._free.clear()

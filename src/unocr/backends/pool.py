"""Engine instances per CPU-thread budget, so ``read_many`` workers add throughput.

A deep-learning engine uses every core for one image by default, so two
workers calling one engine only queue behind each other. :class:`EnginePool`
instead hands each concurrent call its own engine instance built with
``threads`` compute threads, and :meth:`EnginePool.split` divides the
machine's cores among ``read_many``'s workers for the duration of a batch
(2 workers on 2 cores: two engines of 1 thread each). Batches that overlap
share the cores among all their workers, and when the last one ends the
engine's own setting is back. An explicit ``threads=`` option always wins
over the split.

Idle instances are kept and reused, within bounds, since each holds a model
(hundreds of MB): only those of the thread count handed out now and of the
pool's own setting are kept (the others are dropped as a batch starts or
ends), and of each no more than :func:`cpu_cores` or the workers of the
batches in flight, whichever is more. An instance handed back after
:meth:`EnginePool.clear` is dropped too.
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

    Idle instances are bounded (see the module's description): those of a
    thread count no longer handed out are dropped, and at most
    ``max(cpu_cores(), workers in flight)`` of each thread count are kept.

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
        #: Bumped by :meth:`clear`: an instance lent before is not kept.
        self._generation = 0
        #: Set by :meth:`close`: no instance is kept any more.
        self._closed = False
        self._lock = threading.Lock()

    @property
    def threads(self) -> int | None:
        """Compute threads of the instances handed out now (``None``: default)."""
        return self._current

    def prime(self) -> None:
        """Build one instance now (so a broken model fails at construction)."""
        key = self._current
        engine = self._build(key)
        with self._lock:
            self._keep(key, engine)

    @contextmanager
    def engine(self) -> Iterator[_E]:
        """Borrow an instance for one call (built when none is free)."""
        with self._lock:
            key = self._current
            generation = self._generation
            free = self._free.get(key)
            engine = free.pop() if free else None
        if engine is None:
            engine = self._build(key)
        try:
            yield engine
        finally:
            with self._lock:
                if generation == self._generation:  # not cleared meanwhile
                    self._keep(key, engine)

    def _keep(self, key: int | None, engine: _E) -> None:
        """Pool an idle instance, or drop it past the bounds (hold the lock)."""
        if self._closed or key not in (self._current, self._fixed):
            return  # closed, or a batch started or ended while it was lent
        free = self._free.setdefault(key, [])
        if len(free) < self._cap():
            free.append(engine)

    def _cap(self) -> int:
        """The most idle instances of one thread count kept (hold the lock)."""
        return max(cpu_cores(), self._in_flight)

    def _trim(self) -> None:
        """Drop idle instances past the bounds (call holding the lock)."""
        wanted = (self._current, self._fixed)
        cap = self._cap()
        for key in list(self._free):
            if key in wanted:
                del self._free[key][cap:]
            else:
                del self._free[key]

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
        self._trim()
        if self._on_share is not None:
            self._on_share(self._current if self._in_flight else None)
        return self._current

    def clear(self) -> None:
        """Drop every idle instance; one lent now is dropped when handed back."""
        with self._lock:
            self._free.clear()
            self._generation += 1

    def close(self) -> None:
        """:meth:`clear`, and keep no instance from now on.

        A call that borrows after this (its backend's close came between its
        check and its borrow) builds an instance for itself, dropped when it
        is handed back.
        """
        with self._lock:
            self._closed = True
        self.clear()

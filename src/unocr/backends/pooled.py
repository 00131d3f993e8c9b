"""Engines that run in this process from a pool of instances (RapidOCR, EasyOCR).

:class:`PooledBackend` is the one home of what such engines share: the
``threads=`` and ``timeout=`` options, an
:class:`~unocr.backends.pool.EnginePool` of instances the subclass builds, the
cores split among ``read_many``'s workers, closing, and each engine call timed
as the read's ``engine`` phase and waited on for at most ``timeout`` seconds
(:func:`~unocr.backends.deadline.run_with_timeout`).
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from unocr.backends.base import Backend, Stopwatch
from unocr.backends.deadline import run_with_timeout
from unocr.backends.options import check_seconds
from unocr.backends.pool import EnginePool, check_threads

__all__ = ["PooledBackend"]

_T = TypeVar("_T")


class PooledBackend(Backend):
    """Base of an in-process engine served from a pool of instances.

    A subclass implements :meth:`_build` and, once its own options are set,
    calls ``self._engines.prime()`` so that a broken model fails at
    construction. Its engine calls borrow an instance with
    ``with self._engines.engine() as engine:`` and go through
    :meth:`_run_timed`.

    Args:
        threads: Compute threads per engine instance; ``None``: the engine's
            default (every core for one image), split among ``read_many``'s
            workers.
        timeout: Seconds to wait for one engine call; ``None``: no limit.
        **base: ``languages`` and ``max_pixels``, as for
            :class:`~unocr.backends.base.Backend`.

    Raises:
        unocr.errors.ConfigError: ``threads`` is not a whole number >= 1, or
            ``timeout`` is not a finite number of seconds > 0.
    """

    def __init__(
        self, *, threads: int | None = None, timeout: float | None = None, **base: Any
    ) -> None:
        super().__init__(**base)
        #: Compute threads per engine instance (``None``: split by ``read_many``).
        self.threads = check_threads(threads)
        #: Seconds to wait for one engine call (``None``: no limit).
        self.timeout = check_seconds(timeout, "timeout")
        self._engines: EnginePool[Any] = EnginePool(
            self._build, self.threads, on_share=self._threads_shared
        )

    @abc.abstractmethod
    def _build(self, threads: int | None) -> Any:
        """A new engine instance with ``threads`` compute threads, models loaded."""

    def _run_timed(self, clock: Stopwatch, fn: Callable[[], _T], item: object) -> _T:
        """Call ``fn`` as the ``engine`` phase of ``clock``, within ``timeout``.

        Args:
            clock: The read's stopwatch.
            fn: The engine call (it borrows an instance itself).
            item: What is read, for a time-out's or cancellation's error.

        Returns:
            What ``fn`` returned.

        Raises:
            unocr.errors.EngineTimeoutError: ``fn`` took longer than
                ``timeout`` (it finishes in the background).
            unocr.errors.EngineCancelledError: The read was cancelled.
        """
        with clock.time("engine"):
            return run_with_timeout(fn, self.timeout, backend=self.name, item=item)

    def _threads_shared(self, threads: int | None) -> None:
        """The batches in flight now give each call ``threads`` compute threads.

        Called as ``read_many`` batches start and end (``None``: none is in
        flight). Nothing to do for an engine whose instances each hold their
        own thread count; one with a process-wide count sets it here.
        """

    @contextmanager
    def _workers_scope(self, workers: int) -> Iterator[None]:
        """The cores split among ``read_many``'s ``workers`` (one instance each)."""
        with self._engines.split(workers):
            yield

    def close(self) -> None:
        """Release the idle engine instances (their models); keep none after."""
        self._engines.close()
        super().close()

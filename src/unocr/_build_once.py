"""A keyed cache of backends, each built once and outside the cache's lock.

What :func:`unocr.read` (:mod:`unocr._api`) and executor tasks
(:func:`unocr.executors.worker_backend`) keep their engines in. A backend is
built while the cache's lock is free, so lookups of backends already built
go on while a slow model loads; one lock per key being built makes
concurrent first lookups of a key build it once. A closed backend is built
anew.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from unocr.backends.base import Backend

__all__ = ["BuildOnce"]

K = TypeVar("K", bound=Hashable)


class BuildOnce(Generic[K]):
    """Backends by key, each built once, on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: dict[K, Backend] = {}
        #: A lock per key whose backend is being built.
        self._building: dict[K, threading.Lock] = {}

    def _open(self, key: K) -> Backend | None:
        """The backend kept for ``key``, if any is open."""
        with self._lock:
            backend = self._built.get(key)
        return None if backend is None or backend.closed else backend

    def get(self, key: K, build: Callable[[], Backend]) -> Backend:
        """The open backend for ``key``; ``build()`` makes it when there is none.

        Args:
            key: What tells backends apart.
            build: Makes the backend; called once for concurrent first calls
                with an equal key, without the cache's lock held. What it
                raises reaches the caller, and the next call tries again.

        Returns:
            The same open backend for every call with an equal key.
        """
        backend = self._open(key)
        if backend is not None:
            return backend
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:
            backend = self._open(key)  # built while this call waited
            if backend is None:
                backend = build()
                with self._lock:
                    self._built[key] = backend
                    self._building.pop(key, None)  # waiters find it built
        return backend

    def clear(self) -> None:
        """Close and forget every backend kept."""
        with self._lock:
            backends = list(self._built.values())
            self._built.clear()
        for backend in backends:
            backend.close()

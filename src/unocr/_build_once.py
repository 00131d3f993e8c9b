"""A keyed cache of backends, each built once and outside the cache's lock.

What :func:`unocr.read` (:mod:`unocr._api`) and executor tasks
(:func:`unocr.executors.worker_backend`) keep their engines in. A backend is
built while the cache's lock is free, so lookups of backends already built
go on while a slow model loads; one lock per key being built makes
concurrent first lookups of a key build it once. A closed backend is built
anew.

Each key holds one backend, built under one *version* of what it depends on
(the ``unocr.toml`` in force). A lookup under another version builds the key's
backend anew and retires the one it replaces: that one leaves the cache at
once and is closed as soon as nothing refers to it any more. It is not
closed sooner, because closing an engine while a call reads with it fails
that call (an isolated engine's busy workers are killed, a Tesseract API
ends under its reader), and engines do not close themselves when garbage
collected (an isolated engine's worker processes would stay). Every call
that reads with an engine refers to it (its frames hold the engine), so a
retired engine with no reference but the cache's, and those its own parts
had when it was built (an engine pool's bound methods), is idle, and no
call can get hold of it again. Retired backends are checked at every lookup
(``sys.getrefcount``, cheap) and closed by :meth:`BuildOnce.clear` whatever
holds them.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from unocr.backends.base import Backend

__all__ = ["BuildOnce"]

K = TypeVar("K", bound=Hashable)


@dataclass(eq=False)
class _Entry:
    """A backend kept, the version it was built under, its own references."""

    backend: Backend
    version: Hashable
    own: int


def _counts(objects: Sequence[object]) -> list[int]:
    """The reference count of each of ``objects`` (one path for every count)."""
    return [sys.getrefcount(o) for o in objects]


def _references(backends: Sequence[Backend]) -> list[int]:
    """How many references each of ``backends`` has beyond the sequence's own."""
    if not hasattr(sys, "getrefcount"):  # pragma: no cover - not CPython
        return [sys.maxsize] * len(backends)  # unknown: taken as held
    lone = _counts([object()])[0]  # an object the list alone refers to
    return [n - lone for n in _counts(backends)]


class BuildOnce(Generic[K]):
    """Backends by key, each built once, on first use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._built: dict[K, _Entry] = {}
        #: A lock per key whose backend is being built.
        self._building: dict[K, threading.Lock] = {}
        #: Backends replaced under a new version, closed once idle.
        self._retired: list[_Entry] = []

    def _open(self, key: K, version: Hashable) -> Backend | None:
        """The backend kept for ``key`` under ``version``, if it is open."""
        with self._lock:  # the reference is taken before a retirement can count
            entry = self._built.get(key)
            if entry is None or entry.version != version:
                return None
            backend = entry.backend
        return None if backend.closed else backend

    def get(
        self, key: K, build: Callable[[], Backend], *, version: Hashable = None
    ) -> Backend:
        """The open backend for ``key``; ``build()`` makes it when there is none.

        Args:
            key: What tells backends apart.
            build: Makes the backend; called once for concurrent first calls
                with an equal key, without the cache's lock held. What it
                raises reaches the caller, and the next call tries again.
            version: What the backend was built under (the configuration in
                force): another version builds it anew and retires the
                backend kept for ``key`` (closed once idle, see the module).

        Returns:
            The same open backend for every call with an equal key and version.
        """
        backend = self._open(key, version)
        if backend is None:
            with self._lock:
                building = self._building.setdefault(key, threading.Lock())
            with building:
                backend = self._open(key, version)  # built while this call waited
                if backend is None:
                    backend = build()
                    # Its references now: this frame's and its own parts'.
                    own = _references([backend])[0] - 1
                    self._keep(key, _Entry(backend, version, own))
        if self._retired:
            self._close_idle()
        return backend

    def _keep(self, key: K, entry: _Entry) -> None:
        """Keep a new backend for ``key``, retiring the open one it replaces."""
        with self._lock:
            old = self._built.get(key)
            self._built[key] = entry
            self._building.pop(key, None)  # waiters find it built
            if old is not None and not old.backend.closed:
                self._retired.append(old)

    def _close_idle(self) -> None:
        """Close the retired backends nothing refers to (see the module)."""
        with self._lock:
            backends = [entry.backend for entry in self._retired]
            # Held here by ``backends`` and by their entries: one more.
            extra = _references(backends)
            idle = [
                entry
                for entry, count in zip(self._retired, extra, strict=True)
                if count - 1 <= entry.own
            ]
            self._retired = [e for e in self._retired if e not in idle]
            del backends
        for entry in idle:
            entry.backend.close()

    def clear(self) -> None:
        """Close and forget every backend kept, retired ones too."""
        with self._lock:
            entries = [*self._built.values(), *self._retired]
            self._built.clear()
            self._retired.clear()
        for entry in entries:
            entry.backend.close()

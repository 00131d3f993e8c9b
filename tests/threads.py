"""Threads released at once on shared objects (for values built on first access)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def same_in_every_thread(
    items: Sequence[T], read: Callable[[T], R], threads: int = 8
) -> list[R]:
    """Read every item from ``threads`` threads released together; assert they agree.

    Each thread first reads the items in its own order (so the first read,
    which builds the value, comes from different items), then all of them.

    Returns:
        What the first thread read, item by item: the very same objects
        every other thread read.
    """
    start = threading.Barrier(threads)
    seen: list[list[R]] = []

    def touch(k: int) -> None:
        start.wait()
        for item in [*items[k :: 2 + k % 2], *items[: k % 3]]:
            read(item)
        seen.append([read(item) for item in items])

    workers = [threading.Thread(target=touch, args=(k,)) for k in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    assert len(seen) == threads
    for got in seen:
        assert all(a is b for a, b in zip(got, seen[0], strict=True))
    return seen[0]

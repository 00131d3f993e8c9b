"""Probes for the async API, shared by tests/test_async.py and bench/async.py.

A ticker that measures how responsive the event loop stays while work runs,
the child processes of this process by name, and a page that keeps Tesseract
busy for a while.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image

PHOTOTEST = Path(__file__).resolve().parents[1] / "samples" / "phototest.png"


@dataclass(frozen=True)
class Ticks:
    """What a ticker asking to run every 10 ms saw while some work ran.

    Attributes:
        seconds: Wall-clock seconds of the work.
        ticks: Ticks during the work.
        longest_gap: Longest time without a tick, in seconds (the start and
            the end of the work count as ticks).
        result: What the work returned.
    """

    seconds: float
    ticks: int
    longest_gap: float
    result: Any


async def ticking(work: Callable[[], Awaitable[Any]]) -> Ticks:
    """Run ``work()`` while a coroutine ticks every 10 ms on the same loop."""
    stamps: list[float] = []
    stop = asyncio.Event()

    async def ticker() -> None:
        while not stop.is_set():
            stamps.append(time.perf_counter())
            await asyncio.sleep(0.01)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.05)
    start = time.perf_counter()
    result = await work()
    end = time.perf_counter()
    stop.set()
    await task
    inside = [t for t in stamps if start <= t <= end]
    gap = max(b - a for a, b in itertools.pairwise([start, *inside, end]))
    return Ticks(end - start, len(inside), gap, result)


def children(name: str) -> list[int]:
    """Process ids of this process's children called ``name`` (zombies too; Linux)."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue  # gone meanwhile
        comm = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if ppid == me and comm == name:
            found.append(int(entry))
    return found


def tiled(n: int) -> Image.Image:
    """samples/phototest.png repeated n x n times: n * n times Tesseract's work."""
    tile = Image.open(PHOTOTEST).convert("RGB")
    out = Image.new("RGB", (tile.width * n, tile.height * n), "white")
    for i, j in itertools.product(range(n), range(n)):
        out.paste(tile, (i * tile.width, j * tile.height))
    return out

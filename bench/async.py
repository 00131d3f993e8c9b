"""Benchmark: the async API against the blocking one, side by side in one run.

One command, from the repository root:

    .venv/bin/python bench/async.py        # --gcv-images N --latency S --pages N

Printed:

1. **Event-loop responsiveness during a Tesseract read**: a ticker coroutine
   asks to run every 10 ms while one page (samples/phototest.png tiled 2 x 2)
   is read, first by calling the blocking ``read`` inside a coroutine, then by
   ``await unocr.aread``; the longest gap between ticks and the ticks per
   second of the read.
2. **Cancellation**: seconds from ``task.cancel()`` on an ``aread`` of a large
   page (tiled 4 x 4) until the task has finished cancelling, and whether a
   ``tesseract`` child process is left (median and worst of 5).
3. **Throughput on Tesseract**: ``read_many(workers=2)`` vs
   ``aread_many(workers=2)`` on the same pages, in turns, best of two (the
   cost of the async layer).
4. **Throughput on Google Cloud Vision** (a gRPC server on 127.0.0.1 in its
   own process, ``--latency`` seconds per call): ``read_many`` vs
   ``aread_many`` vs one ``aread`` per image all gathered at once, the same
   images; which engine path ``aread`` took (native asyncio or threads).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import unocr

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "tests")]

from loop_probe import PHOTOTEST, children, ticking, tiled  # noqa: E402


def responsiveness(engine: Any) -> None:
    page = tiled(2)
    engine.read(page)  # warm-up

    async def blocking() -> Any:
        return engine.read(page)

    async def awaited() -> Any:
        return await unocr.aread(page, backend=engine)

    print("1. event loop during one Tesseract read (ticker every 10 ms)")
    for label, work in [("blocking read()", blocking), ("await aread()", awaited)]:
        seen = asyncio.run(ticking(work))
        print(
            f"   {label:<18} read {seen.seconds:5.2f} s   longest gap "
            f"{seen.longest_gap * 1000:7.1f} ms   {seen.ticks / seen.seconds:5.1f} ticks/s"
        )


def cancellation(engine: Any, rounds: int = 5) -> None:
    page = tiled(4)

    async def once() -> tuple[float, int]:
        task = asyncio.create_task(unocr.aread(page, backend=engine))
        while not children("tesseract"):
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.2)  # well inside the read
        start = time.perf_counter()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        return time.perf_counter() - start, len(children("tesseract"))

    results = [asyncio.run(once()) for _ in range(rounds)]
    seconds = [s for s, _ in results]
    left = sum(n for _, n in results)
    print(
        f"2. cancel an aread() mid-read: median {statistics.median(seconds) * 1000:.1f}"
        f" ms, worst {max(seconds) * 1000:.1f} ms to finish cancelling;"
        f" tesseract processes left: {left} (of {rounds} reads)"
    )


def tesseract_throughput(engine: Any, n: int) -> None:
    pages = [PHOTOTEST] * n

    async def consume() -> list[Any]:
        return [p async for p in unocr.aread_many(pages, backend=engine, workers=2)]

    t_sync = t_async = float("inf")
    for _ in range(2):  # in turns, best of two: load from elsewhere shifts both
        start = time.perf_counter()
        blocking = engine.read_many(pages, workers=2)
        t_sync = min(t_sync, time.perf_counter() - start)
        start = time.perf_counter()
        awaited = asyncio.run(consume())
        t_async = min(t_async, time.perf_counter() - start)
        assert [p.text for p in blocking] == [p.text for p in awaited]
    print(
        f"3. Tesseract, {n} pages, 2 workers (best of 2): read_many {t_sync:.2f} s, "
        f"aread_many {t_async:.2f} s (aread_many / read_many = {t_async / t_sync:.2f})"
    )


def gcv_throughput(n: int, latency: float) -> None:
    try:
        from gcv import server  # bench/gcv.py: the server in its own process
    except ImportError as exc:
        print(f"4. Google Cloud Vision: skipped ({exc})")
        return
    images = [PHOTOTEST] * n
    with (
        server("small", latency) as (address, _calls),
        unocr.get_backend("gcv", endpoint=address, insecure=True) as gcv,
    ):
        gcv.read(PHOTOTEST)  # connect
        native = hasattr(gcv, "_arecognize_batch")

        async def many() -> list[Any]:
            return [p async for p in unocr.aread_many(images, backend=gcv)]

        async def gathered() -> list[Any]:
            return await asyncio.gather(*(unocr.aread(i, backend=gcv) for i in images))

        timings = {}
        start = time.perf_counter()
        gcv.read_many(images)
        timings["read_many"] = time.perf_counter() - start
        for label, work in [("aread_many", many), ("gather(aread) x n", gathered)]:
            start = time.perf_counter()
            pages = asyncio.run(work())
            timings[label] = time.perf_counter() - start
            assert len(pages) == n and all(pages)
    path = "native asyncio client" if native else "threads"
    print(
        f"4. Google Cloud Vision ({path}), {n} images, {latency * 1000:.0f} ms per call:"
    )
    base = timings["read_many"]
    for label, seconds in timings.items():
        print(f"   {label:<18} {seconds:5.2f} s  ({base / seconds:4.2f}x read_many)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=8)
    parser.add_argument("--gcv-images", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    with unocr.get_backend("tesseract", engine="binary") as engine:
        responsiveness(engine)
        cancellation(engine)
        tesseract_throughput(engine, args.pages)
    gcv_throughput(args.gcv_images, args.latency)


if __name__ == "__main__":
    main()

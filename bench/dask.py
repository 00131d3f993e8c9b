"""Dask workers against in-process threads, and Dask's overhead per task.

One command, from the repository root (needs ``unocr[dask]``):

    .venv/bin/python bench/dask.py [--images 12] [--repeat 3] [--tasks 200]

It starts a ``distributed.LocalCluster`` of 2 worker processes with one
thread each and measures, alternating the settings ``--repeat`` times so that
other load on the machine hits them alike:

* Tesseract on the same images with ``read_many(workers=2)`` in this process,
  ``unocr.dask.map_pages`` (one Dask task per image; each worker builds the
  engine once) and ``read_many(executor=client.get_executor())``; printed:
  the median seconds, images per second and the ratio Dask / in process. The
  pages must be the same.
* An engine that returns at once, on ``--tasks`` tiny images: the same three
  ways, plus ``map_pages(chunk_size=10)``; the difference to in process per
  image is the per-task cost of going through Dask (scheduling, pickling the
  spec and the image, sending the page back).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, ClassVar

# This file is called dask.py: keep its folder off the path so that
# ``import dask`` finds the library.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]

import unocr  # noqa: E402
import unocr.dask  # noqa: E402
from unocr.backends.base import Backend, Capabilities, Languages, Stopwatch  # noqa: E402
from unocr.image import LoadedImage  # noqa: E402
from unocr.model import Block  # noqa: E402

ROOT = _HERE.parent
FIXTURES = ROOT / "tests" / "fixtures" / "dl"
SROIE = ROOT.parent / "shared" / "data" / "sroie"


class InstantBackend(Backend):
    """An engine that finds nothing, at once: what remains is the plumbing."""

    name = "instant"
    capabilities: ClassVar[Capabilities] = Capabilities(
        geometry="box",
        levels=("word",),
        confidence=False,
    )

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> Sequence[Block]:
        return ()


def images(count: int) -> list[Path]:
    found = [FIXTURES / "phototest.tif", FIXTURES / "X51008123586.jpg"]
    found += sorted(SROIE.rglob("*.jpg"))[: max(0, count - len(found))]
    return (found * count)[:count]


def tiny_png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, format="PNG")
    return buf.getvalue()


def timed(run: Callable[[], list[Any]]) -> tuple[float, list[Any]]:
    start = time.perf_counter()
    out = run()
    return time.perf_counter() - start, out


def side_by_side(
    ways: dict[str, Callable[[], list[Any]]], repeat: int
) -> tuple[dict[str, float], dict[str, list[Any]]]:
    """Median seconds of each way, alternating them; and each way's results."""
    for run in ways.values():  # warm: engines built, workers loaded
        run()
    times: dict[str, list[float]] = {k: [] for k in ways}
    results: dict[str, list[Any]] = {}
    for _ in range(repeat):
        for key, run in ways.items():
            seconds, results[key] = timed(run)
            times[key].append(seconds)
    return {k: statistics.median(v) for k, v in times.items()}, results


def report(title: str, n: int, medians: dict[str, float], base: str) -> None:
    print(f"\n{title} ({n} images)")
    print(f"{'way':<38}{'s':>8}{'img/s':>9}{'ratio':>9}   (ratio: s / s of {base})")
    for key, seconds in medians.items():
        ratio = seconds / medians[base]
        print(f"{key:<38}{seconds:>8.2f}{n / seconds:>9.1f}{ratio:>8.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--images", type=int, default=12)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            processes=True,
            n_workers=2,
            threads_per_worker=1,
            dashboard_address=None,
            silence_logs=40,
        ) as cluster,
        Client(cluster) as client,
    ):
        print(
            f"2 Dask worker processes x 1 thread vs read_many(workers=2); "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} "
            "(figures are only comparable side by side)"
        )
        paths = images(args.images)
        tesseract = unocr.get_backend("tesseract")
        executor = client.get_executor(pure=False)
        medians, results = side_by_side(
            {
                "in process, read_many(workers=2)": lambda: tesseract.read_many(
                    paths, workers=2
                ),
                "dask map_pages": lambda: unocr.dask.map_pages(
                    client, paths, "tesseract"
                ),
                "dask read_many(executor=)": lambda: tesseract.read_many(
                    paths, executor=executor
                ),
            },
            args.repeat,
        )
        texts = {k: [p.text for p in v] for k, v in results.items()}
        same = len({tuple(t) for t in texts.values()}) == 1
        report("tesseract", len(paths), medians, "in process, read_many(workers=2)")
        print(f"same pages every way: {same}")

        tiny = [tiny_png()] * args.tasks
        instant = InstantBackend()
        medians, _ = side_by_side(
            {
                "in process, read_many(workers=2)": lambda: instant.read_many(
                    tiny, workers=2
                ),
                "dask map_pages": lambda: unocr.dask.map_pages(client, tiny, instant),
                "dask map_pages(chunk_size=10)": lambda: unocr.dask.map_pages(
                    client, tiny, instant, chunk_size=10
                ),
                "dask read_many(executor=)": lambda: instant.read_many(
                    tiny, executor=executor
                ),
            },
            args.repeat,
        )
        report("an engine that returns at once", len(tiny), medians,
               "in process, read_many(workers=2)")  # fmt: skip
        base = medians["in process, read_many(workers=2)"]
        for key in ("dask map_pages", "dask map_pages(chunk_size=10)"):
            per = (medians[key] - base) / len(tiny) * 1000
            print(f"overhead per image, {key}: {per:.2f} ms")
        tesseract.close()
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""Throughput of ``read_many(workers=N)``: the cores split among the workers.

One command, from the repository root:

    .venv/bin/python bench/workers.py [--backends rapidocr,easyocr] [--repeat 3]

For each engine, one backend object reads the same images with
``read_many(workers=1)`` and ``read_many(workers=2)``, alternating the two
settings ``--repeat`` times so that other load on the machine hits both alike.
With ``workers=1`` the engine uses every core for one image; with ``workers=2``
each worker gets its own engine instance with half the cores (see
:mod:`unocr.backends.pool`). Printed: the median wall-clock seconds of each
setting, images per second, and the speed-up (workers=2 over workers=1),
measured side by side in this run.

``--bound`` also times ``workers=1`` with one thread (a second backend
object built with ``threads=1``), in the same turns, and prints the most two
one-thread workers could give: twice that throughput, over ``workers=1``'s.
Where one engine already keeps both cores busy, that bound is low.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import time
from pathlib import Path

import unocr
from unocr.backends.pool import cpu_cores

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "dl"
SROIE = ROOT.parent / "shared" / "data" / "sroie"


def images(count: int) -> list[Path]:
    found = [FIXTURES / "phototest.tif", FIXTURES / "X51008123586.jpg"]
    found += sorted(SROIE.rglob("*.jpg"))[: max(0, count - len(found))]
    return (found * count)[:count]


def bench(name: str, paths: list[Path], repeat: int, bound: bool) -> dict[str, float]:
    backend = unocr.get_backend(name)
    backend.read_many(paths[:2], workers=2)  # warm both engine instances
    single = unocr.get_backend(name, threads=1) if bound else None
    if single is not None:
        single.read_many(paths[:1])
    times: dict[str, list[float]] = {"one": [], "two": [], "single": []}
    for _ in range(repeat):
        runs = [("one", backend, 1), ("two", backend, 2)]
        if single is not None:
            runs.append(("single", single, 1))
        for key, engine, workers in runs:
            start = time.perf_counter()
            engine.read_many(paths, workers=workers)
            times[key].append(time.perf_counter() - start)
    backend.close()
    if single is not None:
        single.close()
    out = {key: statistics.median(t) for key, t in times.items() if t}
    out["speedup"] = out["one"] / out["two"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backends", default="rapidocr")
    parser.add_argument("--images", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--bound", action="store_true", help="also time workers=1 with threads=1"
    )
    args = parser.parse_args()
    paths = images(args.images)
    load = os.getloadavg()[0]
    print(
        f"{len(paths)} images, {cpu_cores()} cores, load average {load:.1f} "
        f"(figures are only comparable side by side)"
    )
    print(f"{'engine':<10}{'workers=1 s':>13}{'workers=2 s':>13}{'img/s 1':>9}"
          f"{'img/s 2':>9}{'speed-up':>10}")  # fmt: skip
    for name in args.backends.split(","):
        module = {"rapidocr": "rapidocr", "easyocr": "easyocr"}.get(name, name)
        if importlib.util.find_spec(module) is None:
            print(f"{name:<10} not installed")
            continue
        r = bench(name, paths, args.repeat, args.bound)
        n = len(paths)
        print(
            f"{name:<10}{r['one']:>13.2f}{r['two']:>13.2f}{n / r['one']:>9.2f}"
            f"{n / r['two']:>9.2f}{r['speedup']:>9.2f}x"
        )
        if "single" in r:
            print(
                f"{'':<10}workers=1 with threads=1: {r['single']:.2f} s; two such "
                f"workers could at best take {r['single'] / 2:.2f} s, "
                f"{2 * r['one'] / r['single']:.2f}x over workers=1 "
                f"(workers=2 reached {r['single'] / 2 / r['two']:.0%} of that)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Tesseract through unocr vs. plain pytesseract vs. the raw engine call.

One run, the same real pages (the Tesseract test pages and SROIE receipts in
tests/fixtures/tesseract, plus more SROIE receipts from ../shared/data when that
folder exists), side by side:

* ``pytesseract``  -- ``pytesseract.image_to_data(Image.open(path))`` as a user
  would call it (Tesseract's default OpenMP threading);
* ``raw engine``   -- the exact call unocr wraps: ``tesseract stdin stdout -l eng
  -c tessedit_create_tsv=1`` fed the file's bytes, with ``OMP_THREAD_LIMIT=1``
  in the child's environment, output not parsed;
* ``unocr.read``   -- ``unocr.read(path, backend="tesseract")`` (decode, engine,
  TSV -> Page);
* ``read_many``    -- ``unocr.read_many(paths, workers=1)`` and ``workers=2``;
* ``in-process``   -- where tesserocr is installed: ``unocr.read(path,
  engine="tesserocr")`` measured in a child Python started with
  ``OMP_THREAD_LIMIT=1`` (the only way to limit OpenMP in-process).

Per-page figures are the median of ``--repeat`` runs, interleaved page by page
so that machine load affects every variant alike; the ``read_many`` runs take
turns likewise. The backend is created and
warmed up (language probe) before timing.

Usage::

    python bench/tesseract.py [--repeat 3] [--pages 8]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytesseract
from PIL import Image

import unocr

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "tesseract"
SHARED_SROIE = ROOT.parent / "shared" / "data" / "sroie" / "task1train"


def pages(limit: int) -> list[Path]:
    found = [
        FIXTURES / "phototest.tif",
        FIXTURES / "eurotext.tif",
        FIXTURES / "X51008123586.jpg",
        FIXTURES / "X51005442394.jpg",
    ]
    if SHARED_SROIE.is_dir():
        extra = sorted(
            p
            for p in SHARED_SROIE.glob("*.jpg")
            if p.name not in {f.name for f in found}
        )
        found += extra
    return found[:limit]


INPROCESS = """
import json, statistics, sys, time
import unocr
paths, repeat = json.loads(sys.argv[1]), int(sys.argv[2])
b = unocr.get_backend("tesseract", engine="tesserocr")
b.read(paths[0])
out = {}
for p in paths:
    ts = []
    for _ in range(repeat):
        t = time.perf_counter(); b.read(p); ts.append(time.perf_counter() - t)
    out[p] = statistics.median(ts)
print(json.dumps(out))
"""


def in_process(paths: list[Path], repeat: int) -> dict[Path, float] | None:
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return None
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            INPROCESS,
            json.dumps([str(p) for p in paths]),
            str(repeat),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return {Path(k): v for k, v in json.loads(result.stdout).items()}


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per page (median)")
    parser.add_argument("--pages", type=int, default=8, help="pages to use (max)")
    args = parser.parse_args()

    program = shutil.which("tesseract")
    if program is None:
        print(
            "tesseract is not installed: apt-get install tesseract-ocr", file=sys.stderr
        )
        return 1
    paths = pages(args.pages)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    raw_args = [program, "stdin", "stdout", "-l", "eng", "-c", "tessedit_create_tsv=1"]

    def plain(path: Path) -> object:
        with Image.open(path) as im:
            return pytesseract.image_to_data(im)

    def raw(path: Path) -> object:
        return subprocess.run(
            raw_args, input=path.read_bytes(), capture_output=True, env=env, check=True
        ).stdout

    def via_unocr(path: Path) -> object:
        return unocr.read(path, backend="tesseract")

    unocr.read(paths[0], backend="tesseract")  # create + warm up the cached backend
    variants = {"pytesseract": plain, "raw engine": raw, "unocr.read": via_unocr}
    times: dict[str, dict[Path, list[float]]] = {
        v: {p: [] for p in paths} for v in variants
    }
    for r in range(args.repeat):
        for i, path in enumerate(paths):
            order = list(variants)
            shift = (r + i) % len(order)
            for name in order[shift:] + order[:shift]:
                times[name][path].append(timed(lambda f=variants[name], p=path: f(p)))
    per_page = {
        name: {p: statistics.median(ts) for p, ts in by_page.items()}
        for name, by_page in times.items()
    }

    # in turns, as the pages above: load on the machine hits both alike
    runs: dict[int, list[float]] = {1: [], 2: []}
    for turn in range(max(1, args.repeat - 1)):
        for workers in (1, 2) if turn % 2 == 0 else (2, 1):
            runs[workers].append(
                timed(
                    lambda w=workers: unocr.read_many(
                        paths, backend="tesseract", workers=w
                    )
                )
            )
    many = {workers: statistics.median(times) for workers, times in runs.items()}

    inproc = in_process(paths, args.repeat)

    print(
        f"Tesseract bench: {len(paths)} pages, median of {args.repeat} runs, "
        f"{os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}, pytesseract {pytesseract.get_tesseract_version()}"
    )
    print()
    header = f"{'page':<22}{'pytesseract':>13}{'raw engine':>12}{'unocr.read':>12}"
    print(header + f"{'plain/unocr':>13}{'unocr/raw':>11}")
    for p in paths:
        a, b, c = (per_page[n][p] for n in ("pytesseract", "raw engine", "unocr.read"))
        print(
            f"{p.name:<22}{a:>12.3f}s{b:>11.3f}s{c:>11.3f}s{a / c:>12.2f}x{c / b:>10.3f}x"
        )
    total = {n: sum(per_page[n].values()) for n in per_page}
    a, b, c = total["pytesseract"], total["raw engine"], total["unocr.read"]
    print(
        f"{'total':<22}{a:>12.3f}s{b:>11.3f}s{c:>11.3f}s{a / c:>12.2f}x{c / b:>10.3f}x"
    )
    print()
    n = len(paths)
    print(f"read_many workers=1: {many[1]:.3f} s  ({n / many[1]:.2f} pages/s)")
    print(f"read_many workers=2: {many[2]:.3f} s  ({n / many[2]:.2f} pages/s)")
    print()
    print("ratios (expected):")
    print(f"  pytesseract / unocr.read per page : {a / c:5.2f}x  (>= 3x)")
    print(f"  unocr.read / raw engine call      : {c / b:5.3f}x  (<= 1.10x)")
    print(f"  read_many throughput 2 vs 1 worker: {many[1] / many[2]:5.2f}x  (>= 1.7x)")
    print(f"  read_many(1) / sum of unocr.read  : {many[1] / c:5.3f}x")
    if inproc is not None:
        d = sum(inproc.values())
        print(
            f"  in-process tesserocr (OMP_THREAD_LIMIT=1): {d:.3f} s total, "
            f"{b / d:.2f}x faster than the raw engine call"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

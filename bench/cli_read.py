"""``unocr read`` on a folder: its cost over ``read_many``, and when the first file is out.

One command, from the repository root:

    .venv/bin/python bench/cli_read.py [--images 24] [--workers 2] [--repeat 3]

Generates ``--images`` small text images (five lines of words each, seeded) in
a temporary folder, then alternates, ``--repeat`` times, so that other load on
the machine hits both alike:

* ``read_many``: one Tesseract backend reads the images with
  ``read_many(workers=N)`` and keeps the pages (nothing written);
* the command line, in this process: ``unocr read FOLDER -o OUT/ -f json
  --workers N -q``, which writes one JSON file per image as each finishes
  (the first one's modification time says when).

Printed: the median wall-clock seconds of each and the CPU seconds of this
process (the Tesseract child processes not included: that is the Python
side's own cost), their ratios (command line over ``read_many``: the cost of
streaming, naming and writing), and the median time to the first output file
as a share of the command's total (``read_many`` hands over its results only
at the end).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

import unocr
from unocr.backends.pool import cpu_cores
from unocr.cli import main as cli

WORDS = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "a",
    "lazy",
    "dog",
    "while",
    "seven",
    "bold",
    "zebras",
    "quietly",
    "graze",
    "near",
    "misty",
    "fjords",
    "under",
    "pale",
    "winter",
    "skies",
]


def make_images(folder: Path, count: int) -> list[Path]:
    font = ImageFont.load_default(size=28)
    paths = []
    for n in range(count):
        rng = random.Random(n)
        image = Image.new("L", (900, 300), 255)
        draw = ImageDraw.Draw(image)
        for line in range(5):
            draw.text((20, 20 + 50 * line), " ".join(rng.choices(WORDS, k=7)),
                      font=font, fill=0)  # fmt: skip
        path = folder / f"img{n:03d}.png"
        image.save(path)
        paths.append(path)
    return paths


def run_cli(folder: Path, out: Path, workers: int) -> tuple[float, float, float]:
    """``unocr read`` on the folder: seconds to the first output file and to the
    end, and the CPU seconds of this process (the engine's child processes not
    included)."""
    argv = ["read", str(folder), "-o", f"{out}/", "-f", "json", "-q"]
    argv += ["--workers", str(workers)]
    start, cpu = time.time(), time.process_time()
    code = cli(argv)
    total, cpu = time.time() - start, time.process_time() - cpu
    if code != 0:
        raise SystemExit(f"unocr read failed with status {code}")
    # when the first file was complete: the earliest modification time
    first = min(p.stat().st_mtime for p in out.glob("*.json")) - start
    return first, total, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=24)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="unocr-bench-") as tmp:
        folder = Path(tmp, "in")
        folder.mkdir()
        paths = make_images(folder, args.images)
        backend = unocr.get_backend("tesseract")
        backend.read_many(paths[:2], workers=args.workers)  # warm the caches
        many: list[float] = []
        firsts: list[float] = []
        totals: list[float] = []
        cpus: dict[str, list[float]] = {"many": [], "cli": []}
        for r in range(args.repeat):
            start, cpu = time.perf_counter(), time.process_time()
            pages = backend.read_many(paths, workers=args.workers)
            many.append(time.perf_counter() - start)
            cpus["many"].append(time.process_time() - cpu)
            assert all(pages)
            first, total, cpu = run_cli(folder, Path(tmp, f"out{r}"), args.workers)
            firsts.append(first)
            totals.append(total)
            cpus["cli"].append(cpu)
        backend.close()
    m, t, f = (statistics.median(x) for x in (many, totals, firsts))
    cm, ct = (statistics.median(cpus[k]) for k in ("many", "cli"))
    print(
        f"{args.images} images, tesseract, --workers {args.workers}, {cpu_cores()} "
        f"cores, load average {os.getloadavg()[0]:.1f} (compare side by side only)"
    )
    print(f"{'':22}{'wall s':>8}{'img/s':>8}{'CPU s of this process':>24}")
    print(f"{'read_many':22}{m:8.2f}{args.images / m:8.2f}{cm:24.2f}")
    print(f"{'unocr read (folder)':22}{t:8.2f}{args.images / t:8.2f}{ct:24.2f}")
    print(f"ratio unocr read / read_many: {t / m:.2f}x wall, {ct / cm:.2f}x CPU")
    print(f"first output file after {f:.2f} s ({100 * f / t:.0f}% of the run)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

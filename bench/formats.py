"""Benchmark: writing and reading a large page in every format, side by side.

One generated page of ``--words`` words (default 20,000: a dense newspaper
spread or a long scanned ledger) on a grid of 100 words a line, grouped into
lines and blocks by ``Page.from_words``; every fifth word a slightly skewed
quad, the others boxes, each with a confidence. It is written to each format with ``unocr.formats.dumps`` and
read back with ``unocr.formats.loads``; the best of ``--repeat`` runs of each
is printed, in CPU seconds of this process (steadier than wall-clock on a
busy machine), with the read time per word and as a multiple of the JSON
read, all measured in this one run.

The XML readers (hOCR, ALTO, PAGE-XML) parse with lxml and build one shape a
word from the vertices the file lists (``shape_from_points`` for PAGE-XML
``Coords`` and ALTO/hOCR polygons); JSON and TSV read their own fields.

Run: ``.venv/bin/python bench/formats.py`` (add ``--words N --repeat R``).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable

from unocr import formats
from unocr.geometry import Box, Geometry, Quad
from unocr.model import Page, Word

FORMATS = ("json", "tsv", "hocr", "alto", "page-xml")


def sample_page(n: int) -> Page:
    """``n`` words on a grid, every fifth a skewed quad, the rest boxes."""
    words = []
    for i in range(n):
        x, y = (i % 100) * 50.0, (i // 100) * 30.0
        geometry: Geometry
        if i % 5 == 0:
            geometry = Quad([[x, y + 2], [x + 40, y], [x + 40, y + 20], [x, y + 22]])
        else:
            geometry = Box(x, y, x + 40, y + 20)
        words.append(Word(text=f"w{i}", geometry=geometry, confidence=(i % 100) / 100))
    return Page.from_words(words, width=5000, height=(n // 100 + 1) * 30)


def best_cpu(fn: Callable[[], object], repeat: int) -> float:
    """Fastest CPU seconds of ``fn`` over ``repeat`` runs."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs each; best shown")
    args = parser.parse_args()
    page = sample_page(args.words)
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
        f"a page of {len(page.words):,} words, {len(page.lines):,} lines; "
        f"CPU seconds, best of {args.repeat}\n"
    )
    print(
        f"{'format':<10} {'size':>9} {'write':>8} {'read':>8} "
        f"{'read/word':>10} {'read vs JSON':>13}"
    )
    reads: dict[str, float] = {}
    for fmt in FORMATS:
        data = formats.dumps(page, fmt)
        back = formats.loads(data, fmt)
        assert len(back.words) == len(page.words), (fmt, len(back.words))
        write = best_cpu(lambda fmt=fmt: formats.dumps(page, fmt), args.repeat)
        reads[fmt] = read = best_cpu(
            lambda data=data, fmt=fmt: formats.loads(data, fmt), args.repeat
        )
        print(
            f"{fmt:<10} {len(data) / 1e6:7.1f} MB {write:7.2f}s {read:7.2f}s "
            f"{read / len(page.words) * 1e6:8.1f}us {read / reads['json']:12.1f}x"
        )


if __name__ == "__main__":
    main()

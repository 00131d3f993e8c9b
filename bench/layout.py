"""Benchmark: layout synthesis (lines -> blocks in reading order) beside the engine.

Run with ``python bench/layout.py`` from the repository root (``--quick``
for fewer repeats, ``--no-engine`` to skip RapidOCR). Prints:

1. the synthesis time of ``Page.from_lines`` for generated pages of 500,
   2,000 and 8,000 lines (four columns of slightly skewed prose, as quads,
   and a receipt-like table of boxes), the best of ``--repeat`` runs;
2. for a real page read by RapidOCR (when installed): the engine's own time
   (``page.timings.engine``) beside the synthesis time for the lines it
   returned, measured in the same run.

Wall-clock and CPU seconds of this process are both given (the fastest of the
runs): on a machine shared with other work the CPU time is the steadier
figure.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

import unocr
from unocr.errors import UnocrError
from unocr.geometry import Box, Quad
from unocr.model import Line, Page

ROOT = Path(__file__).resolve().parents[1]
IMAGE = ROOT / "tests" / "fixtures" / "dl" / "X51008123586.jpg"


def best_time(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Fastest wall-clock and CPU seconds of ``fn`` over ``repeat`` runs."""
    fn()  # warm-up
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def prose_lines(n: int, rng: np.random.Generator) -> list[Line]:
    """Four columns of ragged prose lines, skewed by 1.5 degrees, as quads."""
    per_col = -(-n // 4)
    lines = []
    theta = np.radians(1.5)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    for k in range(n):
        col, row = divmod(k, per_col)
        x0 = 100 + col * 700
        y0 = 100 + row * 30 + (row // 12) * 30  # a paragraph every 12 lines
        width = 640 - rng.uniform(0, 120)
        pts = np.array(
            [[x0, y0], [x0 + width, y0], [x0 + width, y0 + 20], [x0, y0 + 20]]
        )
        lines.append(Line(text=f"line {k}", geometry=Quad(pts @ rot.T)))
    return lines


def table_lines(n: int, rng: np.random.Generator) -> list[Line]:
    """A receipt-like table: a label and an amount per row, as boxes."""
    lines = []
    for k in range(n):
        row, cell = divmod(k, 2)
        y0 = 50 + row * 28 + rng.uniform(-2, 2)
        x0, w = (60, rng.uniform(80, 400)) if cell == 0 else (700, 70)
        lines.append(Line(text=f"cell {k}", geometry=Box(x0, y0, x0 + w, y0 + 20)))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-engine", action="store_true")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    rng = np.random.default_rng(0)

    print(f"layout synthesis, Page.from_lines, best of {repeat} runs")
    print(f"{'page':<22}{'lines':>7}{'wall ms':>10}{'CPU ms':>10}{'us/line':>10}")
    for name, make in (
        ("four columns (quads)", prose_lines),
        ("table (boxes)", table_lines),
    ):
        for n in (500, 2000, 8000):
            lines = make(n, rng)
            order = rng.permutation(n)
            shuffled = [lines[i] for i in order]
            t, c = best_time(
                lambda s=shuffled: Page.from_lines(s, width=3000, height=6000), repeat
            )
            print(
                f"{name:<22}{n:>7}{t * 1e3:>10.1f}{c * 1e3:>10.1f}{t / n * 1e6:>10.1f}"
            )

    if args.no_engine:
        return
    try:
        engine = unocr.get_backend("rapidocr")
    except UnocrError as exc:
        print(f"\nRapidOCR not available ({exc}); engine comparison skipped")
        return
    with engine:
        engine.read(IMAGE)  # warm-up: model load
        runs = max(1, repeat // 5)
        pages = [engine.read(IMAGE) for _ in range(runs)]
        engine_s = min(p.timings.engine for p in pages)
        lines = list(pages[0].lines)
        synth_s, synth_cpu = best_time(
            lambda: Page.from_lines(
                lines, width=pages[0].width, height=pages[0].height
            ),
            repeat,
        )
    print(f"\nRapidOCR on {IMAGE.name} ({len(lines)} lines), fastest of {runs} reads")
    print(f"  engine call        {engine_s * 1e3:10.1f} ms")
    print(
        f"  layout synthesis   {synth_s * 1e3:10.1f} ms (CPU {synth_cpu * 1e3:.1f} ms; "
        f"{synth_s / engine_s:.2%} of the engine call)"
    )


if __name__ == "__main__":
    main()

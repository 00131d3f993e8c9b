"""Benchmark: vectorised geometry paths against a per-object shapely loop.

Run with ``python bench/geometry.py`` (``--quick`` for a smaller, faster run).
Prints one table: for each task the vectorised time, the shapely-loop time and
their ratio. Loops over 1,000 x 1,000 pairs are timed on the first rows of the
matrix and scaled up (marked ``est.``), so the run stays short.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import shapely
from PIL import Image, ImageDraw, ImageFont

from unocr.geometry import (
    Mask,
    box_iou_matrix,
    canonicalize_quads,
    quad_iou_matrix,
    quads_to_boxes,
    quads_to_rotated,
    rotated_to_quads,
)


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def word_quads(rng: np.random.Generator, n: int, page: float = 3000.0) -> np.ndarray:
    """Word-like quads: rotated rectangles with a little corner noise."""
    rot = np.column_stack(
        [
            rng.uniform(0, page, (n, 2)),
            rng.uniform(20, 200, n),
            rng.uniform(10, 40, n),
            rng.normal(0, 8, n),
        ]
    )
    return canonicalize_quads(rotated_to_quads(rot) + rng.normal(0, 1.0, (n, 4, 2)))


def detections_of(rng: np.random.Generator, quads: np.ndarray) -> np.ndarray:
    """Perturbed copies (a detector's output against ground truth)."""
    shift = rng.normal(0, 4, (quads.shape[0], 1, 2))
    return canonicalize_quads(quads + shift + rng.normal(0, 2, quads.shape))


def shapely_rotated(quad: np.ndarray) -> tuple[float, float, float, float, float]:
    """The per-object way: shapely's minimum rotated rectangle, then its parameters."""
    rect = shapely.Polygon(quad).minimum_rotated_rectangle
    c = np.asarray(rect.exterior.coords)[:4]
    side, other = c[1] - c[0], c[2] - c[1]
    angle = float(np.degrees(np.arctan2(side[1], side[0])))
    cx, cy = c.mean(axis=0)
    return float(cx), float(cy), float(np.hypot(*side)), float(np.hypot(*other)), angle


def word_masks(n: int) -> list[Mask]:
    """Masks of rendered words (Pillow's built-in font, scaled up)."""
    font = ImageFont.load_default(size=24)
    out = []
    for k in range(n):
        img = Image.new("1", (160, 32), 0)
        ImageDraw.Draw(img).text((4, 2), f"word{k:04d}", fill=1, font=font)
        out.append(Mask(np.asarray(img, dtype=bool), origin=(k, 2 * k)))
    return out


def row(name: str, fast: float, slow: float, est: bool = False) -> None:
    tag = " est." if est else ""
    print(f"{name:<44} {fast:>10.4f} s {slow:>10.4f} s{tag:<5} {slow / fast:>9.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="10x fewer quads")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    n = 10_000 if args.quick else 100_000
    quads = word_quads(rng, n)

    print(f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string})")
    print(f"{'task':<44} {'vectorised':>12} {'shapely loop':>12}      {'ratio':>10}")

    fast = best_of(lambda: quads_to_boxes(quads), 5)
    slow = best_of(lambda: np.array([shapely.Polygon(q).bounds for q in quads]), 1)
    row(f"quad -> box ({n:,} quads)", fast, slow)

    fast = best_of(lambda: quads_to_rotated(quads), 7)
    slow = best_of(lambda: np.array([shapely_rotated(q) for q in quads]), 1)
    row(f"quad -> rotated box ({n:,} quads)", fast, slow)

    m = 1000
    a, b = quads[:m], detections_of(rng, quads[:m])
    boxes_a, boxes_b = quads_to_boxes(a), quads_to_boxes(b)
    sub = 20  # rows timed in the loops, scaled up by m / sub

    def box_loop() -> None:
        ga = shapely.box(*boxes_a[:sub].T)
        gb = shapely.box(*boxes_b.T)
        for x in ga:
            for y in gb:
                inter = x.intersection(y).area
                _ = inter / (x.area + y.area - inter)

    fast = best_of(lambda: box_iou_matrix(boxes_a, boxes_b), 5)
    slow = best_of(box_loop, 1) * m / sub
    row(f"box IoU matrix ({m:,} x {m:,})", fast, slow, est=True)

    pa, pb = shapely.polygons(a), shapely.polygons(b)

    def quad_loop() -> None:
        for x in pa[:sub]:
            for y in pb:
                inter = x.intersection(y).area
                _ = inter / (x.area + y.area - inter)

    fast = best_of(lambda: quad_iou_matrix(a, b), 3)
    slow = best_of(quad_loop, 1) * m / sub
    row(f"quad IoU matrix ({m:,} x {m:,}, page)", fast, slow, est=True)

    dense = word_quads(rng, m, page=60.0)
    dense_b = detections_of(rng, dense)
    pd, pdb = shapely.polygons(dense), shapely.polygons(dense_b)

    def dense_loop() -> None:
        for x in pd[:sub]:
            for y in pdb:
                inter = x.intersection(y).area
                _ = inter / (x.area + y.area - inter)

    fast = best_of(lambda: quad_iou_matrix(dense, dense_b), 1)
    slow = best_of(dense_loop, 1) * m / sub
    row(f"quad IoU matrix ({m:,} x {m:,}, all overlap)", fast, slow, est=True)
    words = word_masks(20 if args.quick else 100)

    def naive_outline(m: Mask) -> object:
        ii, jj = np.nonzero(m.data)
        return shapely.union_all(
            [shapely.box(j, i, j + 1, i + 1) for i, j in zip(ii, jj, strict=True)]
        )

    fast = best_of(lambda: [Mask(m.data).to_shapely() for m in words], 3)
    slow = best_of(lambda: [naive_outline(m) for m in words], 1)
    row(f"mask -> outline ({len(words)} word masks 32x160)", fast, slow)
    print("targets: conversions >= 50x; box IoU < 0.2 s; quad IoU < 2 s")


if __name__ == "__main__":
    main()

"""Benchmark: vectorised geometry paths against a per-object shapely loop.

Run with ``python bench/geometry.py`` (``--quick`` for a smaller, faster run).
Prints two tables. The first gives, for each task, the vectorised time, the
shapely-loop time and their ratio; loops over 1,000 x 1,000 pairs are timed on
the first rows of the matrix and scaled up (marked ``est.``), so the run stays
short. The mask rows compare the traced outline with a union of pixel squares
through GEOS (what ``Mask.to_shapely`` did before), and a mask scaled by 2 or
given a quarter turn (pixels copied) with its outline mapped and rasterised
again, and the overlaps of word masks on one pixel grid (pixels counted) with
their outlines intersected through GEOS. The second ("scalar construction")
gives the per-call cost of building and converting single shapes, beside the
per-item cost of the batch function doing the same work on a whole array. The
third gives the time and peak memory (``tracemalloc``) of the box IoU matrix of
a dense page, computed a block of rows at a time as ``box_iou_matrix`` does,
beside one broadcast over the whole matrix.
"""

from __future__ import annotations

import argparse
import tracemalloc
from collections.abc import Callable

import numpy as np
import shapely
from PIL import Image, ImageDraw, ImageFont

from _timing import run_times
from unocr.geometry import (
    Box,
    Mask,
    Polygon,
    Quad,
    RotatedBox,
    box_iou_matrix,
    boxes_to_quads,
    canonicalize_quads,
    canonicalize_rotated,
    enclosing_box,
    enclosing_quad,
    intersection_matrix,
    quad_iou_matrix,
    quads_to_boxes,
    quads_to_rotated,
    rotated_to_quads,
    shape_from_points,
)
from unocr.geometry._affine import apply_affine, scale_matrix
from unocr.geometry._outline import pixel_runs
from unocr.geometry.convert import validate_boxes
from unocr.geometry.mask import rasterize
from unocr.image import exif_transform


def best_of(fn: Callable[[], object], repeat: int) -> float:
    return min(run_times(fn, repeat))


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


def squares_outline(data: np.ndarray) -> object:
    """What ``Mask.to_shapely`` did before tracing: the pixel runs, merged down
    the rows into rectangles, dissolved by GEOS, collinear vertices dropped."""
    rows, starts, ends = pixel_runs(data)
    rects: list[tuple[int, int, int, int]] = []
    opened: dict[tuple[int, int], int] = {}
    last: dict[tuple[int, int], int] = {}
    for r, s, e in zip(rows.tolist(), starts.tolist(), ends.tolist(), strict=True):
        if last.get((s, e)) == r - 1:
            last[(s, e)] = r
            continue
        if (s, e) in last:
            rects.append((s, opened[(s, e)], e, last[(s, e)] + 1))
        opened[(s, e)] = last[(s, e)] = r
    rects.extend((s, opened[(s, e)], e, r + 1) for (s, e), r in last.items())
    boxes = shapely.box(*np.asarray(rects, dtype=np.float64).T)
    dissolved = shapely.buffer(shapely.multipolygons(boxes), 0)
    return shapely.normalize(shapely.simplify(dissolved, 0.0))


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

    noise_side = 150 if args.quick else 300
    noise = Mask(np.random.default_rng(1).random((noise_side, noise_side)) < 0.5)
    fast = best_of(lambda: Mask(noise.data).to_shapely(), 3)
    slow = best_of(lambda: squares_outline(noise.data), 1)
    row(f"mask -> outline ({noise_side}x{noise_side} noise, traced)", fast, slow)

    double = scale_matrix(2)

    def rasterised() -> object:  # what Mask.scale(2) did before copying pixels
        mapped = shapely.transform(
            Mask(noise.data).to_shapely(), lambda p: apply_affine(p, double)
        )
        return rasterize(mapped)

    fast = best_of(lambda: noise.scale(2), 5)
    slow = best_of(rasterised, 1)
    row(f"mask scale(2) ({noise_side}x{noise_side} noise, copied)", fast, slow)

    # EXIF orientation 6 (a quarter turn) of a page as tall as the mask is wide
    turn = np.eye(3)
    turn[:2] = exif_transform(6, noise_side, noise_side)[0]

    def turned_by_outline() -> object:  # what a quarter turn did before
        mapped = shapely.transform(
            Mask(noise.data).to_shapely(), lambda p: apply_affine(p, turn)
        )
        return rasterize(mapped)

    fast = best_of(lambda: noise.transform(turn), 5)
    slow = best_of(turned_by_outline, 1)
    row(f"mask turn, EXIF 6 ({noise_side}x{noise_side} noise, copied)", fast, slow)

    # word masks against the same words found 3 pixels lower (a detector's
    # masks against the truth's)
    found = [m.translate(0, 3) for m in words]

    def outlines_overlap() -> object:  # what the matrix did before: outlines
        ga = np.array([Mask(m.data, origin=m.origin).to_shapely() for m in words])
        gb = np.array([Mask(m.data, origin=m.origin).to_shapely() for m in found])
        ii, jj = shapely.STRtree(gb).query(ga, predicate="intersects")
        out = np.zeros((len(ga), len(gb)))
        out[ii, jj] = shapely.area(shapely.intersection(ga[ii], gb[jj]))
        return out

    fast = best_of(lambda: intersection_matrix(words, found), 3)
    slow = best_of(outlines_overlap, 1)
    n = len(words)
    row(f"mask overlaps ({n} x {n} word masks, pixels)", fast, slow)

    side = 2000 if args.quick else 5000
    page = shapely.Polygon(
        [(0, 0), (side, side * 0.03), (side * 0.9, side), (side * 0.005, side * 0.9)]
    )

    def centre_test() -> object:  # what rasterize did before: a test per pixel
        gx, gy = np.meshgrid(np.arange(side) + 0.5, np.arange(side) + 0.5)
        return shapely.contains_xy(page, gx, gy)

    fast = best_of(lambda: Mask.from_shapely(page, max_pixels=None), 3)
    slow = best_of(centre_test, 1)
    row(f"polygon -> mask ({side:,} x {side:,} px, scanline)", fast, slow)
    print("targets: conversions >= 50x; box IoU < 0.2 s; quad IoU < 2 s")
    print()
    scalar_section(rng, quads[:1000])
    print()
    memory_section(rng, 2000 if args.quick else 5000)


def one_broadcast_iou(boxes: np.ndarray) -> np.ndarray:
    """The box IoU matrix in one broadcast over all pairs (the reference)."""
    x0, y0, x1, y1 = boxes.T
    w = np.minimum(x1[:, None], x1[None, :]) - np.maximum(x0[:, None], x0[None, :])
    h = np.minimum(y1[:, None], y1[None, :]) - np.maximum(y0[:, None], y0[None, :])
    inter = np.clip(w, 0.0, None) * np.clip(h, 0.0, None)
    area = (x1 - x0) * (y1 - y0)
    union = area[:, None] + area[None, :] - inter
    out = np.zeros_like(inter)
    np.divide(inter, union, out=out, where=union > 0)
    return np.clip(out, 0.0, 1.0)


def memory_section(rng: np.random.Generator, n: int) -> None:
    """Time and peak memory of a dense page's box IoU matrix, two ways."""
    xy = rng.uniform(0, 5000, (n, 2))
    boxes = np.c_[xy, xy + np.array([30.0, 10.0])]  # n word boxes, a 5,000 px page
    ways = {
        "row blocks (box_iou_matrix)": lambda: box_iou_matrix(boxes, boxes),
        "one broadcast": lambda: one_broadcast_iou(boxes),
    }
    print(
        f"box IoU matrix of {n:,} x {n:,} boxes ({n * n * 8 / 2**20:,.0f} MiB result)"
    )
    print(f"{'way':<36} {'time':>10} {'peak memory':>14}")
    results = []
    for name, fn in ways.items():
        seconds = best_of(fn, 3)
        tracemalloc.start()
        results.append(fn())
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{name:<36} {seconds:>8.2f} s {peak / 2**20:>10,.0f} MiB")
    print(f"same matrix both ways: {np.array_equal(results[0], results[1])}")


def per_call(fn: Callable[[], object], calls: int) -> float:
    """Microseconds per call of ``fn``, best of 5 runs of ``calls`` calls."""
    return best_of(lambda: [fn() for _ in range(calls)], 5) / calls * 1e6


def per_item(fn: Callable[[], object], items: int) -> float:
    """Microseconds per item of a batch call over ``items`` items."""
    return best_of(fn, 5) / items * 1e6


def scalar_section(rng: np.random.Generator, quads: np.ndarray) -> None:
    """Per-call cost of single shapes beside the batch functions' per-item cost."""
    calls = 2000
    canon = quads
    shuffled = canon[:, [2, 0, 3, 1]]
    boxes = quads_to_boxes(canon)
    rot = quads_to_rotated(canon)
    q, q2 = Quad(canon[0]), Quad(canon[0] + 3.0)
    pts, mixed = canon[0].tolist(), shuffled[0].tolist()
    x0, y0, x1, y1 = boxes[0].tolist()
    b = Box(x0, y0, x1, y1)
    corners = b.to_quad().points.tolist()  # as a file lists them
    rot0 = rot[0].tolist()
    r = RotatedBox(*rot0)
    ten = [Quad(canon[0] + np.array([120.0 * k, 0.0])) for k in range(10)]  # a line
    ten_boxes = [t.to_box() for t in ten]
    dense = word_quads(rng, 300, page=60.0)
    m = len(canon)
    rows = [
        (
            "Quad(points), canonical corners",
            lambda: Quad(pts),
            lambda: canonicalize_quads(canon),
            m,
            "canonicalize_quads",
        ),
        (
            "Quad(points), shuffled corners",
            lambda: Quad(mixed),
            lambda: canonicalize_quads(shuffled),
            m,
            "canonicalize_quads",
        ),
        (
            "Quad.from_canonical(points)",
            lambda: Quad.from_canonical(pts),
            lambda: canonicalize_quads(canon),
            m,
            "canonicalize_quads",
        ),
        (
            "Box(x0, y0, x1, y1)",
            lambda: Box(x0, y0, x1, y1),
            lambda: validate_boxes(boxes),
            m,
            "validate_boxes",
        ),
        (
            "RotatedBox(cx, cy, w, h, angle)",
            lambda: RotatedBox(*rot0),
            lambda: canonicalize_rotated(rot),
            m,
            "canonicalize_rotated",
        ),
        (
            "Quad.to_box() / .bounds",
            q.to_box,
            lambda: quads_to_boxes(canon),
            m,
            "quads_to_boxes",
        ),
        (
            "Box.to_quad()",
            b.to_quad,
            lambda: boxes_to_quads(boxes),
            m,
            "boxes_to_quads",
        ),
        (
            "RotatedBox.to_quad()",
            r.to_quad,
            lambda: rotated_to_quads(rot),
            m,
            "rotated_to_quads",
        ),
        (
            "Quad.scale(2)",
            lambda: q.scale(2.0),
            lambda: canonicalize_quads(canon * 2.0),
            m,
            "canonicalize_quads(q * 2)",
        ),
        ("Polygon(4 points)", lambda: Polygon(pts), None, 0, "-"),
        (
            "shape_from_points(a box's corners)",
            lambda: shape_from_points(corners),
            None,
            0,
            "-",
        ),
        (
            "shape_from_points(a quad's corners)",
            lambda: shape_from_points(pts),
            None,
            0,
            "-",
        ),
        ("enclosing_box(10 boxes)", lambda: enclosing_box(ten_boxes), None, 0, "-"),
        ("enclosing_quad(10 quads)", lambda: enclosing_quad(ten), None, 0, "-"),
        (
            "Quad.iou(quad), overlapping",
            lambda: q.iou(q2),
            lambda: quad_iou_matrix(dense, dense),
            300 * 300,
            "quad_iou_matrix, all pairs overlap",
        ),
    ]
    print(f"scalar construction (per call; batch per item over {m:,} items)")
    print(f"{'task':<36} {'scalar':>10} {'batch':>10}  batch function")
    for name, one, batch, items, label in rows:
        single = per_call(one, calls)
        if batch is None:
            print(f"{name:<36} {single:>7.2f} us {'-':>10}  {label}")
            continue
        each = per_item(batch, items)
        print(f"{name:<36} {single:>7.2f} us {each:>7.3f} us  {label}")


if __name__ == "__main__":
    main()

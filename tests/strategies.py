"""Reusable Hypothesis strategies for geometry: boxes, rotated boxes, quads,
simple polygons (with and without holes) and masks.

Coordinates stay within a page-sized range and sizes are bounded away from 0
where a law needs a proper area, so float tolerances in the tests stay small.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np
import shapely
from hypothesis import strategies as st

from unocr.geometry import Box, Mask, Polygon, Quad, RotatedBox, canonicalize_quads

__all__ = [
    "angles",
    "box_arrays",
    "boxes",
    "connected_masks",
    "convex_quads",
    "coords",
    "integer_boxes",
    "largest_component",
    "masks",
    "polygons",
    "polygons_with_holes",
    "quad_arrays",
    "quad_corners",
    "quads",
    "rotated_arrays",
    "rotated_boxes",
    "same_rectangle",
    "shapes",
    "sizes",
    "tricky_quads",
]

coords = st.floats(-1000, 3000, allow_nan=False, allow_infinity=False)
sizes = st.floats(1, 500, allow_nan=False, allow_infinity=False)
angles = st.floats(-360, 360, allow_nan=False, allow_infinity=False)


@st.composite
def boxes(draw: st.DrawFn, min_size: float = 1.0) -> Box:
    """Boxes with width and height of at least ``min_size`` pixels."""
    x, y = draw(coords), draw(coords)
    w = draw(st.floats(min_size, 500))
    h = draw(st.floats(min_size, 500))
    return Box(x, y, x + w, y + h)


@st.composite
def integer_boxes(draw: st.DrawFn) -> Box:
    """Boxes with integer corners (and a size of at least one pixel)."""
    x, y = draw(st.integers(-200, 2000)), draw(st.integers(-200, 2000))
    w, h = draw(st.integers(1, 60)), draw(st.integers(1, 60))
    return Box(x, y, x + w, y + h)


@st.composite
def rotated_boxes(draw: st.DrawFn) -> RotatedBox:
    """Rotated boxes of any angle (stored canonically) and positive size."""
    return RotatedBox(
        draw(coords), draw(coords), draw(sizes), draw(sizes), draw(angles)
    )


@st.composite
def quads(draw: st.DrawFn) -> Quad:
    """Quads from four points in arbitrary order (convex or not), area >= 1."""
    cx, cy = draw(coords), draw(coords)
    pts = [
        (cx + draw(st.floats(-200, 200)), cy + draw(st.floats(-200, 200)))
        for _ in range(4)
    ]
    quad = Quad.from_points(pts)
    # Keep well-formed quads: a proper area and no vertex (almost) on a side.
    ok = quad.area >= 1.0 and shapely.Polygon(quad.points).is_valid
    for i in range(4):
        for k in (1, 2):  # the two sides not incident to vertex i
            a, b = quad.points[(i + k) % 4], quad.points[(i + k + 1) % 4]
            side = shapely.LineString([a, b])
            with np.errstate(divide="ignore", invalid="ignore"):  # a side of no length
                gap = side.distance(shapely.Point(quad.points[i]))
            ok = ok and gap > 1e-2
    if not ok:
        return draw(rotated_boxes()).to_quad()
    return quad


@st.composite
def convex_quads(draw: st.DrawFn) -> Quad:
    """Convex quads: rotated rectangles whose corners are nudged inwards/outwards."""
    rect = draw(rotated_boxes()).to_quad().points
    centre = rect.mean(axis=0)
    factors = np.array([draw(st.floats(0.7, 1.0)) for _ in range(4)])
    return Quad(centre + (rect - centre) * factors[:, None])


def _star(
    draw: st.DrawFn, cx: float, cy: float, r_lo: float, r_hi: float
) -> list[tuple[float, float]]:
    """n vertices, one per angular sector (so the ring is simple), jittered."""
    n = draw(st.integers(3, 10))
    jitter = [draw(st.floats(0, 0.8)) for _ in range(n)]
    radii = [draw(st.floats(r_lo, r_hi)) for _ in range(n)]
    return [
        (
            cx + r * math.cos(2 * math.pi * (k + t) / n),
            cy + r * math.sin(2 * math.pi * (k + t) / n),
        )
        for k, (t, r) in enumerate(zip(jitter, radii, strict=True))
    ]


@st.composite
def polygons(draw: st.DrawFn) -> Polygon:
    """Simple star-shaped polygons (3 to 10 vertices) without holes, area >= 1."""
    cx, cy = draw(coords), draw(coords)
    pts = _star(draw, cx, cy, 5.0, 300.0)
    ring = shapely.Polygon(pts)
    if not ring.is_valid or ring.area < 1.0:  # pragma: no cover - rare
        pts = [(cx + 10 * math.cos(a), cy + 10 * math.sin(a)) for a in (0, 2, 4)]
    return Polygon(pts)


@st.composite
def polygons_with_holes(draw: st.DrawFn) -> Polygon:
    """Simple polygons with one or two holes strictly inside the exterior."""
    outer = draw(polygons())
    geom = outer.to_shapely()
    inner = shapely.get_coordinates(shapely.point_on_surface(geom))[0]
    room = float(shapely.distance(shapely.Point(inner), geom.exterior))
    holes = []
    if room > 2.0:
        k = draw(st.integers(1, 2))
        for i in range(k):
            # Holes in separate angular sectors around the inner point.
            r = room * 0.4
            ang = math.pi * i
            hx, hy = (
                inner[0] + r * 0.6 * math.cos(ang),
                inner[1] + r * 0.6 * math.sin(ang),
            )
            size = r * 0.35
            holes.append(
                [(hx - size, hy - size), (hx + size, hy - size), (hx, hy + size)]
            )
    else:
        return outer
    return Polygon(outer.points, holes=holes)


@st.composite
def masks(draw: st.DrawFn, max_side: int = 12) -> Mask:
    """Any boolean mask (several regions, holes, corner contacts), >= 1 pixel set."""
    h, w = draw(st.integers(1, max_side)), draw(st.integers(1, max_side))
    bits = draw(st.lists(st.booleans(), min_size=h * w, max_size=h * w))
    data = np.array(bits, dtype=bool).reshape(h, w)
    data[draw(st.integers(0, h - 1)), draw(st.integers(0, w - 1))] = True
    origin = (draw(st.integers(-50, 500)), draw(st.integers(-50, 500)))
    return Mask(data, origin=origin)


def largest_component(data: np.ndarray) -> np.ndarray:
    """The largest 4-connected region of True pixels (plain breadth-first search)."""
    h, w = data.shape
    seen = np.zeros_like(data)
    best: list[tuple[int, int]] = []
    for i in range(h):
        for j in range(w):
            if not data[i, j] or seen[i, j]:
                continue
            region = []
            queue = deque([(i, j)])
            seen[i, j] = True
            while queue:
                a, b = queue.popleft()
                region.append((a, b))
                for da, db in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                    na, nb = a + da, b + db
                    if (
                        0 <= na < h
                        and 0 <= nb < w
                        and data[na, nb]
                        and not seen[na, nb]
                    ):
                        seen[na, nb] = True
                        queue.append((na, nb))
            if len(region) > len(best):
                best = region
    out = np.zeros_like(data)
    for a, b in best:
        out[a, b] = True
    return out


@st.composite
def connected_masks(draw: st.DrawFn, max_side: int = 12) -> Mask:
    """Masks whose set pixels form one 4-connected region (holes allowed)."""
    m = draw(masks(max_side=max_side))
    return Mask(largest_component(np.asarray(m.data)), origin=m.origin)


shapes = st.one_of(
    boxes(), rotated_boxes(), quads(), polygons(), polygons_with_holes(), masks()
)


@st.composite
def box_arrays(draw: st.DrawFn, max_n: int = 20) -> np.ndarray:
    """``(N, 4)`` float64 box arrays, N possibly 0."""
    items = draw(st.lists(boxes(), max_size=max_n))
    return np.array([b.as_array() for b in items]).reshape(-1, 4)


@st.composite
def rotated_arrays(draw: st.DrawFn, max_n: int = 20) -> np.ndarray:
    """``(N, 5)`` float64 rotated-box arrays (not necessarily canonical)."""
    n = draw(st.integers(0, max_n))
    rows = [
        [draw(coords), draw(coords), draw(sizes), draw(sizes), draw(angles)]
        for _ in range(n)
    ]
    return np.array(rows, dtype=np.float64).reshape(-1, 5)


@st.composite
def quad_arrays(draw: st.DrawFn, max_n: int = 20) -> np.ndarray:
    """``(N, 4, 2)`` float64 quad arrays with corners in a shuffled order."""
    items = draw(st.lists(quads(), max_size=max_n))
    perm = draw(st.permutations(range(4)))
    return np.array([q.points[list(perm)] for q in items]).reshape(-1, 4, 2)


def same_rectangle(a: np.ndarray, b: np.ndarray, tol: float = 1e-6) -> bool:
    """Whether two ``(5,)`` rotated boxes are the same rectangle.

    Allows the canonical wrap at +-45 degrees, where float noise may pick the
    other side as the width (angle differs by 90 and width/height swap).
    """
    if not np.allclose(a[:2], b[:2], atol=tol):
        return False
    d = (b[4] - a[4] + 90.0) % 180.0 - 90.0  # in [-90, 90)
    if abs(d) < 45:
        return abs(d) < 1e-6 and bool(np.allclose(a[2:4], b[2:4], atol=tol))
    return abs(abs(d) - 90) < 1e-6 and bool(np.allclose(a[2:4], b[3:1:-1], atol=tol))


@st.composite
def tricky_quads(draw: st.DrawFn) -> np.ndarray:
    """``(4, 2)`` corners close to every decision of the canonical-order rule.

    Small integer grids (duplicate points, collinear triples, zero-width boxes,
    sides at exactly 45 degrees), rectangles at angles within a hair of the
    +-45 degree boundary, points nudged by 1e-12, large offsets and tiny
    scales up to the edge of the coordinate range, and ordinary word-like quads.
    """
    kind = draw(st.sampled_from(["grid", "diagonal", "nudged", "scaled", "word"]))
    if kind == "grid":
        flat = [float(draw(st.integers(-3, 3))) for _ in range(8)]
        return np.array(flat).reshape(4, 2)
    if kind == "diagonal":
        eps = draw(st.sampled_from([0.0, 1e-15, 1e-12, 1e-9, 1e-7, 1e-4]))
        angle = draw(st.sampled_from([45.0, -45.0, 135.0, 0.0, 90.0]))
        angle += draw(st.sampled_from([-1.0, 0.0, 1.0])) * eps
        w, h = draw(sizes), draw(st.sampled_from([0.0, 1e-9, 1.0, 7.5]))
        return np.asarray(
            RotatedBox(draw(coords), draw(coords), w, h, angle).to_quad().points
        )
    if kind == "nudged":
        base = np.array([float(draw(st.integers(-3, 3))) for _ in range(8)]).reshape(
            4, 2
        )
        noise = [draw(st.sampled_from([0.0, 1e-12, -1e-12])) for _ in range(8)]
        return base + np.array(noise).reshape(4, 2)
    if kind == "scaled":
        base = np.array([float(draw(st.integers(-3, 3))) for _ in range(8)]).reshape(
            4, 2
        )
        # Up to the edge of the coordinate range (unocr.limits.MAX_COORDINATE).
        factor = draw(st.sampled_from([1e-300, 1e-160, 1e-3, 1e6, 1e8]))
        return base * factor + draw(st.sampled_from([0.0, 1e6, -6e8]))
    return np.asarray(draw(quads()).points)


@st.composite
def quad_corners(draw: st.DrawFn) -> np.ndarray:
    """``(4, 2)`` corners in any of the 24 orders, often already canonical."""
    pts = draw(tricky_quads())
    if draw(st.booleans()):
        with np.errstate(all="ignore"):  # huge test coordinates overflow
            pts = canonicalize_quads(pts[None])[0]  # already canonical
    perm = draw(st.permutations(range(4)))
    return pts[list(perm)] if draw(st.booleans()) else pts

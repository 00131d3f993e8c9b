"""Between shapes and bare vertex lists, as files hold them.

:func:`shape_from_points` picks the natural shape for vertices read from a
file (a ``Box`` for an axis-aligned rectangle, a ``Quad`` for another convex
quadrilateral, else a ``Polygon``); :func:`outline_vertices` gives the
vertices a file writes for a shape (``None`` where its bounding box says it
all).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from unocr.errors import GeometryError
from unocr.geometry._validate import as_points
from unocr.geometry.box import Box
from unocr.geometry.mask import Mask
from unocr.geometry.polygon import Polygon
from unocr.geometry.quad import Quad
from unocr.geometry.rotated_box import RotatedBox
from unocr.geometry.types import Geometry
from unocr.limits import MAX_COORDINATE

__all__ = ["box_from_corners", "outline_vertices", "shape_from_points"]


def box_from_corners(x0: float, y0: float, x1: float, y1: float) -> Box:
    """A ``Box`` from corner coordinates given in any order.

    Args:
        x0: One x coordinate (pixels).
        y0: One y coordinate.
        x1: The other x coordinate.
        y1: The other y coordinate.

    Returns:
        The box.

    Raises:
        GeometryError: Coordinates that are not finite or out of range.

    Examples:
        >>> box_from_corners(5, 1, 2, 3)
        Box(x0=2.0, y0=1.0, x1=5.0, y1=3.0)
    """
    # Swapped only where the order is known: a NaN compares false either way,
    # so it reaches Box, which refuses it (min and max would drop it).
    if x1 < x0:
        x0, x1 = x1, x0
    if y1 < y0:
        y0, y1 = y1, y0
    return Box(x0, y0, x1, y1)


def _convex(rows: list[list[float]]) -> bool:
    """Whether vertices ``[[x, y], ...]`` turn the same way at every corner.

    A corner whose turn is within 1e-9 of straight counts as not convex.
    """
    n = len(rows)
    if n < 3:
        return False
    turns = set()
    for i in range(n):
        (ax, ay), (bx, by), (cx, cy) = rows[i], rows[(i + 1) % n], rows[(i + 2) % n]
        cross = (bx - ax) * (cy - by) - (by - ay) * (cx - bx)
        if abs(cross) <= 1e-9:
            return False
        turns.add(cross > 0)
    return len(turns) == 1


def _float_rows(points: object) -> list[list[float]] | None:
    """A list of ``(x, y)`` float pairs (tuples or lists) in range as rows, or ``None``.

    What a file reader hands over, checked without numpy's per-call cost;
    anything else (arrays, ints, flat lists, NaN, out of range) returns
    ``None`` and goes through :func:`as_points`, which says what is wrong.
    """
    if type(points) is not list:
        return None
    rows: list[list[float]] = []
    for point in points:
        if (type(point) is not tuple and type(point) is not list) or len(point) != 2:
            return None
        x, y = point
        if type(x) is not float or type(y) is not float:
            return None
        # False for NaN too: NaN, infinities and far coordinates fall through
        if not (
            -MAX_COORDINATE <= x <= MAX_COORDINATE
            and -MAX_COORDINATE <= y <= MAX_COORDINATE
        ):
            return None
        rows.append([x, y])
    return rows


def shape_from_points(
    points: Sequence[tuple[float, float]] | NDArray[np.float64],
) -> Geometry:
    """The natural shape for a list of vertices read from a file.

    An axis-aligned rectangle becomes a ``Box``, any other convex
    quadrilateral a ``Quad`` (canonical corner order; four corners of a
    convex quadrilateral in a crossing order too), everything else a
    ``Polygon``; fewer than three distinct points give their bounding box.

    Args:
        points: (N, 2) pixel coordinates (x, y), N >= 1.

    Returns:
        The shape.

    Raises:
        GeometryError: No points, or coordinates that are not finite or out
            of range.

    Examples:
        >>> shape_from_points([(0, 0), (4, 0), (4, 2), (0, 2)])
        Box(x0=0.0, y0=0.0, x1=4.0, y1=2.0)
        >>> shape_from_points([(0, 0), (4, 1), (3, 3), (-1, 2)]).type_name
        'quad'
    """
    rows = _float_rows(points)
    if rows is None:
        rows = as_points(points, "points").tolist()
    if not rows:
        raise GeometryError("points: a shape needs at least one point, got none")
    # Files hold a few vertices a shape: plain floats beat numpy's per-call
    # cost here. Drop consecutive duplicates, and a closing vertex equal to
    # the first.
    kept = [rows[0]]
    kept += [b for a, b in itertools.pairwise(rows) if a != b]
    if len(kept) > 1 and kept[0] == kept[-1]:
        kept.pop()
    xs = [x for x, _ in kept]
    ys = [y for _, y in kept]
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    if len(kept) < 3 or x0 == x1 or y0 == y1:
        return Box(x0, y0, x1, y1)
    if len(kept) == 4:
        corners = {(x, y) for x, y in kept}
        if len(set(xs)) == 2 and len(set(ys)) == 2 and len(corners) == 4:
            return Box(x0, y0, x1, y1)
    rings = [np.array(kept, dtype=np.float64)]
    if len(kept) == 4 and len({(x, y) for x, y in kept}) == 4:
        # Convexity of the corners, not of the given order: a convex quad
        # whose corners come in a crossing order is still that quad. Four
        # other corners in a crossing or folded order make the quad's ring.
        # A ring that visits a vertex twice has fewer than four corners and
        # is judged as the polygon it is.
        quad = Quad.from_points(rings[0])
        if _convex(quad.points.tolist()):
            return quad
        rings.append(quad.points)
    for ring in rings:
        try:
            return Polygon(ring)
        except GeometryError:
            pass
    return Box(x0, y0, x1, y1)


def outline_vertices(geometry: Geometry) -> NDArray[np.float64] | None:
    """The vertices of a non-rectangular shape, or ``None`` for a ``Box``.

    A rotated box gives its four corners; a mask gives the outline of its
    region (holes are dropped: no format stores them).

    Args:
        geometry: Any shape.

    Returns:
        (N, 2) float64 array of pixel coordinates (x, y), or ``None`` when an
        axis-aligned bounding box describes the shape exactly.
    """
    if isinstance(geometry, Box):
        return None
    if isinstance(geometry, RotatedBox):
        if float(geometry.angle) % 180.0 == 0.0:
            return None
        return np.asarray(geometry.to_quad().points, dtype=np.float64)
    if isinstance(geometry, (Quad, Polygon)):
        return np.asarray(geometry.points, dtype=np.float64)
    if isinstance(geometry, Mask):
        try:
            return np.asarray(geometry.to_polygon().points, dtype=np.float64)
        except GeometryError:
            return None
    return None  # pragma: no cover - every shape is handled above

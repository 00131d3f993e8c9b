"""Intersection areas through shapely, with a fallback for GEOS's robustness faults.

The one home of the overlay rule shared by a shape's ``intersection_area`` and
the IoU matrices of :mod:`unocr.geometry.iou`. It needs only shapely
geometries (and, for one pair, the shapes' ``bounds`` and ``to_shapely()``),
so the shapes can use it without importing each other. Two masks on the same
pixel grid overlap by the pixels both set (:func:`pixel_overlap`), counted
without an outline.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.typing import NDArray

from unocr.errors import GeometryError
from unocr.geometry._validate import FloatArray

if TYPE_CHECKING:
    from unocr.geometry._shape import Shape

__all__ = ["pair_intersection_area", "pixel_overlap", "shapely_intersection_areas"]

_GRID = 1e-9  # pixels: snap-rounding grid for the overlay fallback


def shapely_intersection_areas(ga: Any, gb: Any) -> FloatArray:
    """Intersection areas of shapely geometries, pairwise along the arrays.

    GEOS's floating-point overlay can fail on edges that nearly coincide (two
    copies of a rectangle computed along different paths may come out
    "disjoint", or raise a topology exception). A zero result for a pair whose
    interiors do intersect (a robust predicate), or an exception, is therefore
    recomputed with snap-rounding on a ``1e-9``-pixel grid.

    Args:
        ga: ``(P,)`` array of shapely geometries.
        gb: ``(P,)`` array of shapely geometries.

    Returns:
        ``(P,)`` float64 areas in square pixels.
    """
    ga = np.asarray(ga, dtype=object)
    gb = np.asarray(gb, dtype=object)
    # GEOS divides by zero on shapes of 1e-300 pixels (in the overlay and in
    # the predicate); numpy reports it as a warning, and the overlap is empty,
    # which the area says.
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            inter = shapely.intersection(ga, gb)
        except shapely.errors.GEOSException:  # pragma: no cover - GEOS robustness
            inter = _snapped_intersection(ga, gb)
        areas: FloatArray = np.asarray(shapely.area(inter), dtype=np.float64)
        areas = areas.reshape(ga.shape)
        zero = np.flatnonzero(areas <= 0)
        if zero.size:
            bad = zero[shapely.relate_pattern(ga[zero], gb[zero], "T********")]
            if bad.size:
                areas[bad] = shapely.area(_snapped_intersection(ga[bad], gb[bad]))
    return areas


def _snapped_intersection(ga: Any, gb: Any) -> Any:
    """Intersections with snap-rounding, or a :class:`GeometryError` if GEOS fails."""
    try:  # called inside the caller's np.errstate (GEOS's divisions by zero)
        return shapely.intersection(ga, gb, grid_size=_GRID)
    except shapely.errors.GEOSException as exc:
        raise GeometryError(
            f"cannot intersect these shapes: GEOS failed even with snap-rounding "
            f"({exc}); simplify the shapes (e.g. shapely.make_valid) first"
        ) from exc


def pixel_overlap(
    a: NDArray[np.bool_],
    a_origin: tuple[float, float],
    b: NDArray[np.bool_],
    b_origin: tuple[float, float],
) -> float | None:
    """Overlap of two masks whose pixel grids line up: the pixels both set.

    Exactly the intersection area of the two masks' outlines (unions of pixel
    squares), where the origins differ by whole pixels.

    Args:
        a: ``(h, w)`` bool pixels of the first mask.
        a_origin: Its top-left corner ``(x, y)`` in pixels.
        b: ``(h', w')`` bool pixels of the second mask.
        b_origin: Its top-left corner.

    Returns:
        The overlap in square pixels, or ``None`` where the grids do not line
        up (the origins differ by a fraction of a pixel): measure the outlines
        then.

    Examples:
        >>> import numpy as np
        >>> pixel_overlap(np.ones((2, 2), bool), (0, 0), np.ones((2, 2), bool), (1, 1))
        1.0
    """
    fx = float(b_origin[0]) - float(a_origin[0])
    fy = float(b_origin[1]) - float(a_origin[1])
    if not all(math.isfinite(v) and v.is_integer() for v in (fx, fy)):
        return None
    dx, dy = int(fx), int(fy)
    # b's pixel (i, j) is a's pixel (i + dy, j + dx): the window both cover, in a
    i0, i1 = max(0, dy), min(a.shape[0], dy + b.shape[0])
    j0, j1 = max(0, dx), min(a.shape[1], dx + b.shape[1])
    if i0 >= i1 or j0 >= j1:
        return 0.0
    both = a[i0:i1, j0:j1] & b[i0 - dy : i1 - dy, j0 - dx : j1 - dx]
    return float(np.count_nonzero(both))


def pair_intersection_area(a: Shape, b: Shape) -> float:
    """Intersection area of two shapes of any types (the scalar path).

    One pair is cheaper through shapely than through the vectorised numpy
    clipping (whose fixed cost is a few hundred numpy calls); the result goes
    through the same robustness fallback as the matrices.

    Args:
        a: A shape.
        b: A shape.

    Returns:
        The overlap in square pixels.
    """
    if (
        a.area <= 0.0 or b.area <= 0.0
    ):  # nothing to overlap (an empty mask has no bounds)
        return 0.0
    ba, bb = a.bounds, b.bounds
    if ba.x0 >= bb.x1 or bb.x0 >= ba.x1 or ba.y0 >= bb.y1 or bb.y0 >= ba.y1:
        return 0.0
    ga = np.array([a.to_shapely()], dtype=object)
    gb = np.array([b.to_shapely()], dtype=object)
    return float(shapely_intersection_areas(ga, gb)[0])

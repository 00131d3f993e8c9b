"""Enclosing shapes: the box or rectangle around several shapes of any types."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np

from unocr.errors import GeometryError
from unocr.geometry import convert
from unocr.geometry._shape import as_shape
from unocr.geometry._validate import FloatArray
from unocr.geometry.box import Box
from unocr.geometry.quad import Quad
from unocr.geometry.types import Geometry
from unocr.limits import MAX_COORDINATE

__all__ = ["enclosing_box", "enclosing_quad", "enclosing_quads"]


def _iterate(value: object, what: str, items: str = "shapes") -> Iterator[Any]:
    """Iterate ``value``, an iterable of ``items`` (not a str or bytes).

    Raises:
        GeometryError: If ``value`` cannot be iterated (``None``, a number, a
            single shape) or is a ``str``, ``bytes`` or ``bytearray``.
    """
    if not isinstance(value, (str, bytes, bytearray)):
        try:
            return iter(value)  # type: ignore[call-overload,no-any-return]
        except TypeError:
            pass
    raise GeometryError(
        f"{what}: expected an iterable of {items} (Box, RotatedBox, Quad, "
        f"Polygon or Mask), such as a list, got {type(value).__name__}"
    )


def _collect(shapes: Iterable[object], what: str) -> list[Geometry]:
    items: list[Geometry] = []
    for i, s in enumerate(_iterate(shapes, what)):
        items.append(as_shape(s, f"{what}[{i}]"))  # type: ignore[arg-type]
    if not items:
        raise GeometryError(f"{what}: expected at least one shape, got none")
    return items


def enclosing_box(shapes: Iterable[Geometry]) -> Box:
    """The smallest :class:`Box` containing every shape (union of bounds).

    Args:
        shapes: One or more shapes of any type.

    Returns:
        The enclosing box.

    Raises:
        GeometryError: If ``shapes`` is not an iterable of shapes (``None``,
            a single shape, a str), is empty or holds a non-shape.

    Examples:
        >>> enclosing_box([Box(0, 0, 1, 1), Box(5, 2, 6, 3)])
        Box(x0=0.0, y0=0.0, x1=6.0, y1=3.0)
    """
    items = _collect(shapes, "enclosing_box shapes")
    # Plain floats: min/max are exact, and numpy's per-call overhead would
    # dominate for the few children of a line or block.
    bounds = [s if isinstance(s, Box) else s.bounds for s in items]
    return Box(
        min([b.x0 for b in bounds]),
        min([b.y0 for b in bounds]),
        max([b.x1 for b in bounds]),
        max([b.y1 for b in bounds]),
    )


def enclosing_quad(shapes: Iterable[Geometry]) -> Quad:
    """The minimum-area rectangle (any orientation) around every shape.

    Args:
        shapes: One or more shapes of any type.

    Returns:
        A canonical :class:`Quad` (TL, TR, BR, BL) containing all shapes.

    Raises:
        GeometryError: If ``shapes`` is not an iterable of shapes (``None``,
            a single shape, a str), is empty or holds a non-shape.

    Examples:
        >>> enclosing_quad([Box(0, 0, 1, 1), Box(5, 0, 6, 1)]).points.tolist()
        [[0.0, 0.0], [6.0, 0.0], [6.0, 1.0], [0.0, 1.0]]
    """
    return enclosing_quads([_collect(shapes, "enclosing_quad shapes")])[0]


def enclosing_quads(groups: Iterable[Iterable[Geometry]]) -> list[Quad]:
    """:func:`enclosing_quad` of each group of shapes, in one vectorised pass.

    For the lines of a whole page at once: the result is the same as calling
    :func:`enclosing_quad` per group, at a fraction of the cost.

    Args:
        groups: Groups of one or more shapes of any type.

    Returns:
        One canonical :class:`Quad` per group, in order.

    Raises:
        GeometryError: If ``groups`` or a group is not an iterable (``None``,
            a single shape, a str), or a group is empty or holds a non-shape.

    Examples:
        >>> line_a, line_b = [Box(0, 0, 1, 1)], [Box(5, 0, 6, 1), Box(7, 0, 8, 1)]
        >>> quads = enclosing_quads([line_a, line_b])
        >>> [q.bounds.x1 for q in quads]
        [1.0, 8.0]
    """
    outlines: list[np.ndarray[Any, np.dtype[np.float64]]] = []
    counts: list[int] = []
    for k, group in enumerate(
        _iterate(groups, "enclosing_quads groups", "groups of shapes")
    ):
        start = len(outlines)
        for s in _iterate(group, f"enclosing_quads groups[{k}]"):
            # exact-type test first: isinstance against the ABC is slower
            if type(s) is not Quad:
                as_shape(s, f"enclosing_quads groups[{k}][{len(outlines) - start}]")
            outlines.append(s.hull_points())
        if len(outlines) == start:
            raise GeometryError(
                f"enclosing_quads groups[{k}]: expected at least one shape, got none"
            )
        counts.append(sum(len(p) for p in outlines[start:]))
    if not outlines:
        return []
    points = np.concatenate(outlines)
    if np.abs(points).max() > _NEAR_EDGE:
        return _near_the_edge(points, counts)
    owners = np.repeat(np.arange(len(counts), dtype=np.intp), counts)
    rects = convert.point_groups_to_rotated(points, owners)
    return [Quad.from_checked(q) for q in convert.rotated_to_quads(rects)]


#: Points within this of the origin have minimum-area rectangles whose
#: corners, width and height stay inside the coordinate range (a corner lies
#: within the hull's diameter, 2 * sqrt(2) * this, of a point).
_NEAR_EDGE = MAX_COORDINATE / 4


def _near_the_edge(points: FloatArray, counts: list[int]) -> list[Quad]:
    """:func:`enclosing_quads` for groups that may reach the coordinate range.

    A minimum-area rectangle around points near the edge of the range can
    stick out of it (a corner, or a width of up to 2.8 times the range). Each
    group whose rectangle does gets the bounding box of its points instead,
    clipped to the range: it still encloses the group, only not as tightly.
    """
    out: list[Quad] = []
    start = 0
    for count in counts:
        group = points[start : start + count]
        start += count
        try:
            rect = convert.point_groups_to_rotated(group, np.zeros(count, np.intp))
            out.append(Quad.from_checked(convert.rotated_to_quads(rect)[0]))
        except GeometryError:  # outside the range: the only way it can fail here
            lo = np.clip(group.min(axis=0), -MAX_COORDINATE, MAX_COORDINATE)
            hi = np.clip(group.max(axis=0), -MAX_COORDINATE, MAX_COORDINATE)
            out.append(Box(lo[0], lo[1], hi[0], hi[1]).to_quad())
    return out

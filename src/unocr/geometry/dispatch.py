"""Functions over shapes of any type: deserialisation and enclosing shapes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias, Union

import numpy as np

from unocr.errors import GeometryError
from unocr.geometry import convert
from unocr.geometry._shape import as_shape
from unocr.geometry.box import Box
from unocr.geometry.mask import Mask
from unocr.geometry.polygon import Polygon
from unocr.geometry.quad import Quad
from unocr.geometry.rotated_box import RotatedBox

__all__ = [
    "GEOMETRY_TYPES",
    "Geometry",
    "enclosing_box",
    "enclosing_quad",
    "enclosing_quads",
    "geometry_from_dict",
    "read_fields",
    "read_key",
]

#: Any of the five shapes.
Geometry: TypeAlias = Union[Box, RotatedBox, Quad, Polygon, Mask]  # noqa: UP007

#: The ``"type"`` tag of each shape, as written by ``to_dict()``.
GEOMETRY_TYPES: dict[str, type[Box | RotatedBox | Quad | Polygon | Mask]] = {
    "box": Box,
    "rotated_box": RotatedBox,
    "quad": Quad,
    "polygon": Polygon,
    "mask": Mask,
}


def read_key(d: Mapping[str, Any], kind: str, key: str) -> Any:
    """Fetch ``d[key]`` with a :class:`GeometryError` naming the shape if absent.

    Args:
        d: The mapping being deserialised.
        kind: The shape's ``type`` tag, for the message.
        key: The required key.

    Returns:
        The value.

    Raises:
        GeometryError: If ``d`` is not a mapping or lacks ``key``.
    """
    if not isinstance(d, Mapping):
        raise GeometryError(f"{kind}: expected a dict, got {type(d).__name__}")
    if key not in d:
        raise GeometryError(
            f"{kind}: expected key {key!r}, got keys {sorted(str(k) for k in d)}"
        )
    return d[key]


def read_fields(d: Mapping[str, Any], kind: str, keys: tuple[str, ...]) -> list[Any]:
    """Fetch several required keys in order (see :func:`read_key`).

    Args:
        d: The mapping being deserialised.
        kind: The shape's ``type`` tag, for the message.
        keys: The required keys.

    Returns:
        Their values, in order.
    """
    return [read_key(d, kind, k) for k in keys]


def geometry_from_dict(d: Mapping[str, Any]) -> Geometry:
    """Deserialise any shape written by ``to_dict()``, dispatching on ``"type"``.

    Args:
        d: A mapping with ``"type"`` one of ``box``, ``rotated_box``, ``quad``,
            ``polygon``, ``mask``.

    Returns:
        The shape.

    Raises:
        GeometryError: On an unknown or missing type, or invalid fields.

    Examples:
        >>> geometry_from_dict({"type": "box", "x0": 0, "y0": 0, "x1": 2, "y1": 1})
        Box(x0=0.0, y0=0.0, x1=2.0, y1=1.0)
    """
    kind = read_key(d, "geometry", "type")
    cls = GEOMETRY_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise GeometryError(
            f"geometry: expected 'type' to be one of {', '.join(GEOMETRY_TYPES)}, "
            f"got {kind!r}"
        )
    shape: Geometry = cls.from_dict(dict(d))
    return shape


def _collect(shapes: Iterable[object], what: str) -> list[Geometry]:
    items: list[Geometry] = []
    for i, s in enumerate(shapes):
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
        GeometryError: If ``shapes`` is empty or holds a non-shape.

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
        GeometryError: If ``shapes`` is empty or holds a non-shape.

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
        GeometryError: If a group is empty or holds a non-shape.

    Examples:
        >>> line_a, line_b = [Box(0, 0, 1, 1)], [Box(5, 0, 6, 1), Box(7, 0, 8, 1)]
        >>> quads = enclosing_quads([line_a, line_b])
        >>> [q.bounds.x1 for q in quads]
        [1.0, 8.0]
    """
    outlines: list[np.ndarray[Any, np.dtype[np.float64]]] = []
    counts: list[int] = []
    for k, group in enumerate(groups):
        start = len(outlines)
        for s in group:
            # exact-type test first: isinstance against the ABC is slower
            if type(s) is not Quad:
                as_shape(s, f"enclosing_quads groups[{k}][{len(outlines) - start}]")
            outlines.append(s._outline_points())
        if len(outlines) == start:
            raise GeometryError(
                f"enclosing_quads groups[{k}]: expected at least one shape, got none"
            )
        counts.append(sum(len(p) for p in outlines[start:]))
    if not outlines:
        return []
    owners = np.repeat(np.arange(len(counts), dtype=np.intp), counts)
    rects = convert.point_groups_to_rotated(np.concatenate(outlines), owners)
    return [Quad._trusted(q) for q in convert.rotated_to_quads(rects)]

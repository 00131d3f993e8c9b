"""Shapes in absolute pixel coordinates, their conversions and overlaps.

Five immutable shapes share one API (see ``docs/geometry.md``): :class:`Box`,
:class:`RotatedBox`, :class:`Quad`, :class:`Polygon` and :class:`Mask`.
A ground-truth quad whose corners cross in the order written is an
:class:`AnnotatedQuad`: that :class:`Quad` with the ring kept beside it.
Coordinates are float64 pixels, origin at the image's top-left corner, x to the
right and y down. Quads and polygons run clockwise on screen, top-left first.
Batch functions work on numpy arrays: ``(N, 4)`` boxes, ``(N, 5)`` rotated
boxes, ``(N, 4, 2)`` quads.

Examples:
    >>> from unocr.geometry import Box, RotatedBox
    >>> Box(0, 0, 4, 2).to_rotated_box()
    RotatedBox(cx=2.0, cy=1.0, width=4.0, height=2.0, angle=0.0)
"""

from __future__ import annotations

from unocr._lazy import Moved as _Moved
from unocr._lazy import module_getattr as _module_getattr
from unocr.geometry._affine import (
    as_affine,
    rotation_matrix,
    scale_matrix,
    translation_matrix,
)
from unocr.geometry.annotated import AnnotatedQuad
from unocr.geometry.box import Box
from unocr.geometry.convert import (
    boxes_to_quads,
    boxes_to_rotated,
    canonicalize_quads,
    canonicalize_rotated,
    point_groups_to_rotated,
    points_to_rotated,
    quads_area,
    quads_to_boxes,
    quads_to_rotated,
    rotated_to_boxes,
    rotated_to_quads,
)
from unocr.geometry.enclose import enclosing_box, enclosing_quad, enclosing_quads
from unocr.geometry.iou import (
    box_intersection_matrix,
    box_iou_matrix,
    intersection_matrix,
    iou_matrix,
    quad_intersection_matrix,
    quad_iou_matrix,
)
from unocr.geometry.mask import Mask
from unocr.geometry.polygon import Polygon
from unocr.geometry.quad import Quad
from unocr.geometry.rotated_box import RotatedBox
from unocr.geometry.serialize import geometry_from_dict
from unocr.geometry.types import GEOMETRY_TYPES, Geometry
from unocr.geometry.vertices import (
    box_from_corners,
    outline_vertices,
    shape_from_points,
)

__all__ = [
    "GEOMETRY_TYPES",
    "AnnotatedQuad",
    "Box",
    "Geometry",
    "Mask",
    "Polygon",
    "Quad",
    "RotatedBox",
    "as_affine",
    "box_from_corners",
    "box_intersection_matrix",
    "box_iou_matrix",
    "boxes_to_quads",
    "boxes_to_rotated",
    "canonicalize_quads",
    "canonicalize_rotated",
    "enclosing_box",
    "enclosing_quad",
    "enclosing_quads",
    "geometry_from_dict",
    "intersection_matrix",
    "iou_matrix",
    "outline_vertices",
    "point_groups_to_rotated",
    "points_to_rotated",
    "quad_intersection_matrix",
    "quad_iou_matrix",
    "quads_area",
    "quads_to_boxes",
    "quads_to_rotated",
    "rotated_to_boxes",
    "rotated_to_quads",
    "rotation_matrix",
    "scale_matrix",
    "shape_from_points",
    "translation_matrix",
]


# "Shape" named the same idea as "Geometry"; one name is kept.
__getattr__ = _module_getattr(
    __name__,
    deprecated={
        "Shape": _Moved(
            "unocr.geometry._shape",
            "Shape",
            "unocr.geometry.Geometry",
            " (any of the five shapes; it works with isinstance too)",
        )
    },
)

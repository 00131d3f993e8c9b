"""Rotated rectangles given by centre, size and angle."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import shapely
from numpy.typing import ArrayLike

from unocr.errors import GeometryError
from unocr.geometry import convert
from unocr.geometry._affine import (
    apply_affine,
    as_affine,
    reduce_angle,
    rotation_matrix,
    scale_matrix,
)
from unocr.geometry._shape import Shape, shape_class
from unocr.geometry._validate import (
    FloatArray,
    as_coordinate,
    as_finite_float,
    read_fields,
)

if TYPE_CHECKING:
    from unocr.geometry.box import Box
    from unocr.geometry.polygon import Polygon
    from unocr.geometry.quad import Quad

__all__ = ["RotatedBox"]


@dataclass(frozen=True, slots=True)
class RotatedBox(Shape):
    """A rectangle of any orientation.

    The angle is in degrees and **positive turns clockwise on screen** (x right,
    y down): the width side runs along ``(cos(angle), sin(angle))``. This is the
    sign OpenCV's ``minAreaRect`` uses.

    The constructor stores the **canonical form**, so two equal rectangles
    compare equal: ``-45 <= angle < 45``, and ``width`` is the side along that
    direction (the side nearest to horizontal). For example
    ``RotatedBox(0, 0, 2, 8, 100)`` is stored as ``RotatedBox(0, 0, 8, 2, 10)``.
    Its quad starts at the corner ``centre - width/2 * u - height/2 * v``
    (u along the angle, v 90 degrees clockwise from u), which is the canonical
    TL corner.

    Args:
        cx: Centre x in pixels.
        cy: Centre y in pixels.
        width: Side length along the angle, pixels, ``>= 0``.
        height: The other side length, pixels, ``>= 0``.
        angle: Degrees clockwise on screen; any value (reduced to canonical).

    Raises:
        GeometryError: On NaN/inf, a centre, size or corner beyond
            :data:`~unocr.limits.MAX_COORDINATE`, or a negative size.

    Examples:
        >>> RotatedBox(0, 0, 2, 8, 100)
        RotatedBox(cx=0.0, cy=0.0, width=8.0, height=2.0, angle=10.0)
        >>> RotatedBox(10, 5, 20, 10, 0).to_box()
        Box(x0=0.0, y0=0.0, x1=20.0, y1=10.0)
    """

    cx: float
    cy: float
    width: float
    height: float
    angle: float = 0.0

    type_name: ClassVar[str] = "rotated_box"

    def __post_init__(self) -> None:
        values = [
            as_coordinate(getattr(self, name), name)
            for name in ("cx", "cy", "width", "height")
        ]
        values.append(as_finite_float(self.angle, "angle"))
        if values[2] < 0 or values[3] < 0:
            raise GeometryError(
                f"RotatedBox: expected width >= 0 and height >= 0, got "
                f"width={values[2]!r}, height={values[3]!r}"
            )
        angle = convert.canonical_angle(values[4])
        if angle is not None:  # already canonical: no numpy call needed
            values[4] = angle
            canon = values
        else:
            canon = convert.canonicalize_rotated(np.array([values]))[0].tolist()
        _check_corners(canon)
        for name, value in zip(
            ("cx", "cy", "width", "height", "angle"), canon, strict=True
        ):
            object.__setattr__(self, name, value)

    def as_array(self) -> FloatArray:
        """Return ``(5,)`` float64 ``[cx, cy, width, height, angle]``."""
        return np.array(
            [self.cx, self.cy, self.width, self.height, self.angle], dtype=np.float64
        )

    # ----------------------------------------------------------------- measures
    @property
    def area(self) -> float:
        """Area in square pixels: that of the outline every overlap measures.

        ``width * height``, within ``1e-11`` (relative) of the area of the
        four corners as rounded to floats. A side thinner than ``1e-4`` of the
        rectangle's distance from the origin is changed noticeably by that
        rounding (below about ``1e-15`` pixels at ``x = 5`` the corners even
        coincide in pairs); such a rectangle's area is that of its corners,
        ``to_quad().area`` (the area the IoU matrices use too). So IoU keeps
        its rule for every rectangle: ``0`` where the outline has no area,
        ``1`` with itself otherwise (within the float error of a sliver's
        shoelace area).
        """
        w, h = self.width, self.height
        thin = min(w, h)
        if thin == 0.0:
            return 0.0
        if thin >= _THIN * (max(abs(self.cx), abs(self.cy)) + (w + h) / 2.0):
            return w * h
        return abs(float(convert.signed_areas(self.hull_points())))

    @property
    def bounds(self) -> Box:
        """The smallest axis-aligned :class:`Box` containing the rectangle."""
        return self.to_box()

    @property
    def centroid(self) -> tuple[float, float]:
        """The centre ``(cx, cy)``."""
        return self.cx, self.cy

    # -------------------------------------------------------------- conversions
    def to_box(self) -> Box:
        """Bounding box (lossy unless the angle is 0)."""
        Box = shape_class("box")

        return Box(*convert.rotated_bounds(self.as_array()[None])[0].tolist())

    def to_rotated_box(self) -> RotatedBox:
        """Return the rotated box itself (exact)."""
        return self

    def to_quad(self) -> Quad:
        """The four corners as a canonical :class:`Quad` (exact)."""
        Quad = shape_class("quad")

        return Quad.from_checked(convert.rotated_to_quads(self.as_array()[None])[0])

    def to_polygon(self) -> Polygon:
        """The four corners as a :class:`Polygon` (exact)."""
        return self.to_quad().to_polygon()

    def to_shapely(self) -> Any:
        """Return a ``shapely.Polygon`` with corners TL, TR, BR, BL."""
        return shapely.polygons(self.hull_points())

    @classmethod
    def from_shapely(cls, geom: Any) -> RotatedBox:
        """Minimum-area rectangle around a non-empty shapely geometry.

        Args:
            geom: A shapely geometry.

        Returns:
            The canonical rotated box (exact when ``geom`` is a rectangle).

        Raises:
            GeometryError: If it is not a shapely geometry or is empty.
        """
        if not isinstance(geom, shapely.Geometry) or geom.is_empty:
            raise GeometryError(
                "RotatedBox.from_shapely: expected a non-empty shapely geometry, "
                f"got {geom!r}"
            )
        return cls(*convert.points_to_rotated(shapely.get_coordinates(geom)).tolist())

    def to_dict(self) -> dict[str, Any]:
        """Serialise to ``{"type": "rotated_box", "cx", "cy", "width", ...}``."""
        return {
            "type": "rotated_box",
            "cx": self.cx,
            "cy": self.cy,
            "width": self.width,
            "height": self.height,
            "angle": self.angle,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RotatedBox:
        """Inverse of :meth:`to_dict`.

        Args:
            d: Mapping with ``cx``, ``cy``, ``width``, ``height``, ``angle``.

        Returns:
            The rotated box.

        Raises:
            GeometryError: On missing keys or invalid values.

        Examples:
            >>> RotatedBox.from_dict(RotatedBox(1, 2, 3, 4, 5).to_dict())
            RotatedBox(cx=1.0, cy=2.0, width=3.0, height=4.0, angle=5.0)
        """
        return cls(
            *read_fields(d, "rotated_box", ("cx", "cy", "width", "height", "angle"))
        )

    def hull_points(self) -> FloatArray:
        """The four corners TL, TR, BR, BL, ``(4, 2)`` pixels."""
        out: FloatArray = convert.rotated_to_quads(self.as_array()[None])[0]
        return out

    # --------------------------------------------------------------- affine maps
    def transform(self, matrix: ArrayLike) -> RotatedBox | Quad:
        """Apply an affine matrix.

        Args:
            matrix: ``(2, 3)`` or ``(3, 3)`` affine matrix (pixels).

        Returns:
            A :class:`RotatedBox` when the image is still a rectangle (rotations,
            uniform scales, flips, translations, or axis scales of an unrotated
            box), otherwise the exact :class:`Quad` (a parallelogram).

        Examples:
            >>> RotatedBox(0, 0, 4, 2, 30).rotate(10)
            RotatedBox(cx=0.0, cy=0.0, width=4.0, height=2.0, angle=40.0)
        """
        m = as_affine(matrix)
        lin = m[:2, :2]
        rad = math.radians(self.angle)
        u = lin @ np.array([math.cos(rad), math.sin(rad)])
        v = lin @ np.array([-math.sin(rad), math.cos(rad)])
        nu, nv = float(np.hypot(*u)), float(np.hypot(*v))
        if abs(float(u @ v)) <= 1e-12 * nu * nv:
            c = apply_affine(np.array([self.cx, self.cy]), m)
            ang = math.degrees(math.atan2(float(u[1]), float(u[0])))
            return RotatedBox(
                float(c[0]), float(c[1]), self.width * nu, self.height * nv, ang
            )
        Quad = shape_class("quad")

        return Quad(apply_affine(self.hull_points(), m))

    def scale(self, sx: float, sy: float | None = None) -> RotatedBox | Quad:
        """Scale about the origin ``(0, 0)``.

        Args:
            sx: Horizontal factor (non-zero).
            sy: Vertical factor; defaults to ``sx``.

        Returns:
            A :class:`RotatedBox`, or a :class:`Quad` when a non-uniform scale
            shears the rectangle into a parallelogram.
        """
        return self.transform(scale_matrix(sx, sy))

    def translate(self, dx: float, dy: float) -> RotatedBox:
        """Shift by ``(dx, dy)`` pixels.

        Args:
            dx: Shift to the right.
            dy: Shift downwards.

        Returns:
            The shifted rotated box.
        """
        return RotatedBox(
            self.cx + as_finite_float(dx, "dx"),
            self.cy + as_finite_float(dy, "dy"),
            self.width,
            self.height,
            self.angle,
        )

    def rotate(
        self, angle: float, origin: tuple[float, float] = (0.0, 0.0)
    ) -> RotatedBox:
        """Rotate by ``angle`` degrees clockwise on screen about ``origin``.

        Args:
            angle: Degrees, positive = clockwise on screen.
            origin: Pivot ``(x, y)`` in pixels.

        Returns:
            The rotated box.
        """
        m = rotation_matrix(angle, origin)
        c = apply_affine(np.array([self.cx, self.cy]), m)
        return RotatedBox(
            float(c[0]),
            float(c[1]),
            self.width,
            self.height,
            self.angle + reduce_angle(angle),
        )


#: Relative thinness below which rounding the corners changes the area by
#: more than ``1e-11`` (see :attr:`RotatedBox.area`).
_THIN = 1e-4


def _check_corners(values: list[float]) -> None:
    """Refuse a rectangle whose corners reach past the coordinate range.

    Its centre and size are checked one by one; its corners, and so its
    bounds and outline (what every writer reads), must lie inside too, as
    every other shape's do.
    """
    cx, cy, w, h, angle = values
    rad = math.radians(angle)
    c, s = abs(math.cos(rad)), abs(math.sin(rad))
    reach = max(abs(cx) + (w * c + h * s) / 2.0, abs(cy) + (w * s + h * c) / 2.0)
    if reach <= convert.SURELY_INSIDE:
        return
    convert.check_rotated_extent(np.array([values]), "RotatedBox")

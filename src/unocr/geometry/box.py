"""Axis-aligned boxes."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import shapely
from numpy.typing import ArrayLike

from unocr.errors import GeometryError
from unocr.geometry._affine import (
    apply_affine,
    as_affine,
    rotation_matrix,
    scale_matrix,
    translation_matrix,
)
from unocr.geometry._shape import Shape, as_shape, shape_class
from unocr.geometry._validate import (
    FloatArray,
    as_coordinate,
    as_points,
    check_mask_pixels,
    read_fields,
)
from unocr.limits import DEFAULT_MAX_PIXELS

if TYPE_CHECKING:
    from unocr.geometry.mask import Mask
    from unocr.geometry.polygon import Polygon
    from unocr.geometry.quad import Quad
    from unocr.geometry.rotated_box import RotatedBox

__all__ = ["Box"]


@dataclass(frozen=True, slots=True)
class Box(Shape):
    """An axis-aligned box ``[x0, x1] x [y0, y1]`` in pixels.

    Args:
        x0: Left edge (pixels from the image's left).
        y0: Top edge (pixels from the image's top; y points down).
        x1: Right edge, ``x1 >= x0``.
        y1: Bottom edge, ``y1 >= y0``.

    Raises:
        GeometryError: On NaN/inf or ``x1 < x0`` / ``y1 < y0``.

    Examples:
        >>> b = Box(10, 20, 50, 40)
        >>> b.width, b.height, b.area
        (40.0, 20.0, 800.0)
        >>> b.to_quad().points.tolist()
        [[10.0, 20.0], [50.0, 20.0], [50.0, 40.0], [10.0, 40.0]]
        >>> Box(0, 0, 10, 10).iou(Box(5, 0, 15, 10))
        0.3333333333333333
    """

    x0: float
    y0: float
    x1: float
    y1: float

    type_name: ClassVar[str] = "box"

    def __post_init__(self) -> None:
        x0 = as_coordinate(self.x0, "x0")
        y0 = as_coordinate(self.y0, "y0")
        x1 = as_coordinate(self.x1, "x1")
        y1 = as_coordinate(self.y1, "y1")
        if x1 < x0 or y1 < y0:
            raise GeometryError(
                f"Box: expected x0 <= x1 and y0 <= y1, got x0={x0!r}, y0={y0!r}, "
                f"x1={x1!r}, y1={y1!r}"
            )
        object.__setattr__(self, "x0", x0)
        object.__setattr__(self, "y0", y0)
        object.__setattr__(self, "x1", x1)
        object.__setattr__(self, "y1", y1)

    @classmethod
    def from_xywh(cls, x: float, y: float, width: float, height: float) -> Box:
        """Build a box from its top-left corner and size.

        Args:
            x: Left edge in pixels.
            y: Top edge in pixels.
            width: Width in pixels, ``>= 0``.
            height: Height in pixels, ``>= 0``.

        Returns:
            ``Box(x, y, x + width, y + height)``.

        Raises:
            GeometryError: If a value is not a number, NaN/inf, out of range,
                or a size is negative.

        Examples:
            >>> Box.from_xywh(1, 2, 3, 4)
            Box(x0=1.0, y0=2.0, x1=4.0, y1=6.0)
        """
        x0, y0 = as_coordinate(x, "x"), as_coordinate(y, "y")
        w, h = as_coordinate(width, "width"), as_coordinate(height, "height")
        return cls(x0, y0, x0 + w, y0 + h)

    # ----------------------------------------------------------------- measures
    @property
    def width(self) -> float:
        """``x1 - x0`` in pixels."""
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        """``y1 - y0`` in pixels."""
        return self.y1 - self.y0

    @property
    def area(self) -> float:
        """Area in square pixels."""
        return self.width * self.height

    @property
    def bounds(self) -> Box:
        """The box itself."""
        return self

    @property
    def centroid(self) -> tuple[float, float]:
        """Centre ``(x, y)`` in pixels."""
        return (self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0

    def as_array(self) -> FloatArray:
        """Return ``(4,)`` float64 ``[x0, y0, x1, y1]``."""
        return np.array([self.x0, self.y0, self.x1, self.y1], dtype=np.float64)

    # -------------------------------------------------------------- conversions
    def to_box(self) -> Box:
        """Return the box itself (exact)."""
        return self

    def to_quad(self) -> Quad:
        """Convert to a :class:`Quad` with corners TL, TR, BR, BL (exact)."""
        Quad = shape_class("quad")

        return Quad.from_checked(self.hull_points())

    def to_rotated_box(self) -> RotatedBox:
        """Convert to a :class:`RotatedBox` with angle 0.

        Its centre ``(x0 + x1) / 2`` and size ``x1 - x0`` are rounded to
        floats: exact for integer (or halves, quarters, ...) coordinates,
        otherwise converting back may move an edge by rounding (at most two
        units in the last place of the largest coordinate).
        """
        RotatedBox = shape_class("rotated_box")

        # boxes_to_rotated for one box, in plain floats (the same arithmetic).
        x0, y0, x1, y1 = self.x0, self.y0, self.x1, self.y1
        return RotatedBox((x0 + x1) / 2.0, (y0 + y1) / 2.0, x1 - x0, y1 - y0, 0.0)

    def to_polygon(self) -> Polygon:
        """Convert to a 4-point :class:`Polygon`, TL first, clockwise (exact)."""
        return self.to_quad().to_polygon()

    def to_mask(self, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> Mask:
        """Rasterise: the pixels whose centre lies strictly inside the box.

        Exact for integer coordinates (``Box -> Mask -> Box`` is the identity).

        Args:
            max_pixels: Largest accepted mask bounds (height x width, pixels),
                checked before anything is allocated; ``None`` disables it.

        Returns:
            A tight :class:`Mask` of ones; for a box too thin to hold a pixel
            centre, the empty mask (shape ``(0, 0)``, origin ``(0, 0)``).

        Raises:
            GeometryError: If the mask would hold more than ``max_pixels``.
        """
        Mask = shape_class("mask")

        j0 = math.floor(self.x0 - 0.5) + 1
        j1 = math.ceil(self.x1 - 0.5)  # exclusive
        i0 = math.floor(self.y0 - 0.5) + 1
        i1 = math.ceil(self.y1 - 0.5)
        if j1 <= j0 or i1 <= i0:
            return Mask(np.zeros((0, 0), dtype=bool))
        check_mask_pixels(i1 - i0, j1 - j0, max_pixels, "Box.to_mask")
        return Mask(np.ones((i1 - i0, j1 - j0), dtype=bool), origin=(j0, i0))

    def to_shapely(self) -> Any:
        """Return a ``shapely.Polygon`` with corners TL, TR, BR, BL."""
        return shapely.polygons(self.hull_points())

    @classmethod
    def from_shapely(cls, geom: Any) -> Box:
        """Build the bounding box of any non-empty shapely geometry.

        Args:
            geom: A shapely geometry.

        Returns:
            Its bounds as a :class:`Box`.

        Raises:
            GeometryError: If it is not a shapely geometry, is empty, or has a
                NaN, infinite or out-of-range coordinate.
        """
        if not isinstance(geom, shapely.Geometry) or geom.is_empty:
            raise GeometryError(
                f"Box.from_shapely: expected a non-empty shapely geometry, got {geom!r}"
            )
        # Every vertex, before the bounds: GEOS skips NaN there.
        as_points(shapely.get_coordinates(geom), "Box.from_shapely")
        return cls(*shapely.bounds(geom).tolist())

    def to_dict(self) -> dict[str, Any]:
        """Serialise to ``{"type": "box", "x0", "y0", "x1", "y1"}`` (floats)."""
        return {
            "type": "box",
            "x0": self.x0,
            "y0": self.y0,
            "x1": self.x1,
            "y1": self.y1,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Box:
        """Inverse of :meth:`to_dict`.

        Args:
            d: A mapping with keys ``x0``, ``y0``, ``x1``, ``y1`` (``type`` optional).

        Returns:
            The box.

        Raises:
            GeometryError: On missing keys or invalid values.

        Examples:
            >>> Box.from_dict(Box(1, 2, 3, 4).to_dict())
            Box(x0=1.0, y0=2.0, x1=3.0, y1=4.0)
        """
        return cls(*read_fields(d, "box", ("x0", "y0", "x1", "y1")))

    def hull_points(self) -> FloatArray:
        """The four corners TL, TR, BR, BL, ``(4, 2)`` pixels."""
        # boxes_to_quads for one box, without numpy's per-call overhead.
        x0, y0, x1, y1 = self.x0, self.y0, self.x1, self.y1
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)

    # --------------------------------------------------------------- affine maps
    def transform(self, matrix: ArrayLike) -> Box | Quad:
        """Apply an affine matrix.

        Args:
            matrix: ``(2, 3)`` or ``(3, 3)`` affine matrix (pixels).

        Returns:
            A :class:`Box` when the map keeps axes aligned (scales, flips,
            translations, quarter turns); otherwise the exact :class:`Quad`.

        Examples:
            >>> Box(0, 0, 4, 2).transform([[2, 0, 1], [0, 3, 0]])
            Box(x0=1.0, y0=0.0, x1=9.0, y1=6.0)
        """
        m = as_affine(matrix)
        (a, b, tx), (c, d, ty) = m[:2].tolist()
        if b == 0.0 and c == 0.0:  # scales, flips, translations
            # apply_affine in plain floats: the zero terms add nothing, so the
            # result is the same; the image of the box is the box of the images.
            xa, xb, ya, yb = (
                a * self.x0 + tx,
                a * self.x1 + tx,
                d * self.y0 + ty,
                d * self.y1 + ty,
            )
            return Box(min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb))
        if a == 0.0 and d == 0.0:  # quarter turns (with scales and flips)
            xa, xb, ya, yb = (
                b * self.y0 + tx,
                b * self.y1 + tx,
                c * self.x0 + ty,
                c * self.x1 + ty,
            )
            return Box(min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb))
        Quad = shape_class("quad")

        return Quad(apply_affine(self.hull_points(), m))

    def scale(self, sx: float, sy: float | None = None) -> Box:
        """Scale about the origin ``(0, 0)``.

        Args:
            sx: Horizontal factor (non-zero; negative flips).
            sy: Vertical factor; defaults to ``sx``.

        Returns:
            The scaled box.

        Examples:
            >>> Box(1, 1, 2, 3).scale(2)
            Box(x0=2.0, y0=2.0, x1=4.0, y1=6.0)
        """
        out = self.transform(scale_matrix(sx, sy))
        assert isinstance(out, Box)
        return out

    def translate(self, dx: float, dy: float) -> Box:
        """Shift by ``(dx, dy)`` pixels.

        Args:
            dx: Shift to the right.
            dy: Shift downwards.

        Returns:
            The shifted box.
        """
        out = self.transform(translation_matrix(dx, dy))
        assert isinstance(out, Box)
        return out

    def rotate(
        self, angle: float, origin: tuple[float, float] = (0.0, 0.0)
    ) -> Box | Quad:
        """Rotate by ``angle`` degrees clockwise on screen about ``origin``.

        Args:
            angle: Degrees, positive = clockwise on screen.
            origin: Pivot ``(x, y)`` in pixels.

        Returns:
            A :class:`Box` for multiples of 90 degrees, else a :class:`Quad`.
        """
        return self.transform(rotation_matrix(angle, origin))

    # ----------------------------------------------------------------- overlap
    def intersection_area(self, other: Shape) -> float:
        """Area of the intersection with any shape, in square pixels.

        Args:
            other: Any of the five shapes (fast path for another :class:`Box`).

        Returns:
            The overlap area (0.0 when disjoint).
        """
        other = as_shape(other)
        if isinstance(other, Box):
            w = min(self.x1, other.x1) - max(self.x0, other.x0)
            h = min(self.y1, other.y1) - max(self.y0, other.y0)
            return w * h if w > 0 and h > 0 else 0.0
        return Shape.intersection_area(self, other)

"""The abstract base class shared by the five shapes, and small ring helpers."""

from __future__ import annotations

import abc
import importlib
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, overload

import numpy as np
import shapely
from numpy.typing import ArrayLike

from unocr.errors import GeometryError
from unocr.geometry._affine import rotation_matrix, scale_matrix, translation_matrix
from unocr.geometry._overlap import pair_intersection_area
from unocr.geometry._validate import FloatArray
from unocr.limits import DEFAULT_MAX_PIXELS

if TYPE_CHECKING:
    from unocr.geometry.box import Box
    from unocr.geometry.mask import Mask
    from unocr.geometry.polygon import Polygon
    from unocr.geometry.quad import Quad
    from unocr.geometry.rotated_box import RotatedBox

__all__ = [
    "AffineShape",
    "Shape",
    "as_shape",
    "lists",
    "ring_centroid",
    "shape_class",
    "value_bytes",
]

_A = TypeVar("_A", bound="AffineShape")

# Each shape class by its type tag, filled as the classes are defined.
_CLASSES: dict[str, type[Shape]] = {}


@overload
def shape_class(name: Literal["box"]) -> type[Box]: ...
@overload
def shape_class(name: Literal["rotated_box"]) -> type[RotatedBox]: ...
@overload
def shape_class(name: Literal["quad"]) -> type[Quad]: ...
@overload
def shape_class(name: Literal["polygon"]) -> type[Polygon]: ...
@overload
def shape_class(name: Literal["mask"]) -> type[Mask]: ...


def shape_class(name: str) -> type[Shape]:
    """The shape class with the type tag ``name``.

    A shape converts to the other kinds through this lookup rather than by
    importing their modules, so the shape modules import only downwards
    (validation, affine maps, batch converters, this base) and form no cycle.

    Args:
        name: ``"box"``, ``"rotated_box"``, ``"quad"``, ``"polygon"`` or
            ``"mask"``.

    Returns:
        The class.

    Examples:
        >>> shape_class("box").__name__
        'Box'
    """
    if name not in _CLASSES:  # a shape module imported on its own
        importlib.import_module("unocr.geometry")
    return _CLASSES[name]


def lists(value: Any) -> Any:
    """Turn nested tuples/arrays of numbers into nested lists of Python floats.

    Args:
        value: A number, or nested tuples/lists/arrays of numbers.

    Returns:
        The same structure made of ``list`` and ``float`` only (JSON-safe).

    Examples:
        >>> lists(((1, 2), (3, 4)))
        [[1.0, 2.0], [3.0, 4.0]]
    """
    if isinstance(value, (tuple, list, np.ndarray)):
        return [lists(v) for v in value]
    return float(value)


def value_bytes(points: FloatArray) -> bytes:
    """The bytes of coordinates for hashing, ``-0.0`` counted as ``0.0``.

    Shapes compare coordinates by value (``-0.0 == 0.0``), so equal shapes
    must hash alike; the raw bytes of the two zeros differ.

    Args:
        points: Coordinates in pixels, any shape.

    Returns:
        The bytes of ``points + 0.0`` (which turns ``-0.0`` into ``0.0``).

    Examples:
        >>> value_bytes(np.array([-0.0])) == value_bytes(np.array([0.0]))
        True
    """
    return (points + 0.0).tobytes()


def ring_centroid(points: FloatArray) -> tuple[float, float, float]:
    """Area centroid of a closed ring.

    Args:
        points: ``(K, 2)`` ring vertices in pixels (not repeated at the end).

    Returns:
        ``(cx, cy, signed_area)``; for a zero-area ring, the centroid is the
        centre of its bounds.

    Examples:
        >>> ring_centroid(np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0]]))
        (2.0, 1.0, 8.0)
    """
    x, y = points[:, 0], points[:, 1]
    xn, yn = np.concatenate([x[1:], x[:1]]), np.concatenate([y[1:], y[:1]])
    cross = x * yn - xn * y
    a = float(cross.sum()) / 2.0
    if a == 0.0:
        lo, hi = points.min(axis=0), points.max(axis=0)
        return float(lo[0] + hi[0]) / 2.0, float(lo[1] + hi[1]) / 2.0, 0.0
    cx = float(((x + xn) * cross).sum()) / (6.0 * a)
    cy = float(((y + yn) * cross).sum()) / (6.0 * a)
    lo, hi = points.min(axis=0), points.max(axis=0)
    if not (lo[0] <= cx <= hi[0] and lo[1] <= cy <= hi[1]):
        # A nearly zero area from cancellation: the quotient is noise.
        return float(lo[0] + hi[0]) / 2.0, float(lo[1] + hi[1]) / 2.0, a
    return cx, cy, a


def as_shape(value: object, name: str = "other") -> Shape:
    """Check that ``value`` is one of the five shapes.

    Args:
        value: The object to check.
        name: The argument's name, for the error message.

    Returns:
        ``value``, typed as a shape.

    Raises:
        GeometryError: If it is not a Box, RotatedBox, Quad, Polygon or Mask.
    """
    if not isinstance(value, Shape):
        raise GeometryError(
            f"{name}: expected a Box, RotatedBox, Quad, Polygon or Mask, got "
            f"{type(value).__name__}"
        )
    return value


class Shape(abc.ABC):
    """Behaviour shared by the five shapes (Box, RotatedBox, Quad, Polygon, Mask).

    Shapes are immutable; coordinates are float64 absolute pixels with the origin
    at the image's top-left corner, x to the right and y down.
    """

    __slots__ = ()

    #: The ``"type"`` tag written by :meth:`to_dict`.
    type_name: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("type_name")
        if isinstance(name, str):  # a concrete shape (dataclass copies included)
            _CLASSES[name] = cls

    # ----------------------------------------------------------------- measures
    @property
    @abc.abstractmethod
    def area(self) -> float:
        """Area in square pixels."""

    @property
    @abc.abstractmethod
    def bounds(self) -> Box:
        """The smallest axis-aligned :class:`Box` containing the shape."""

    @property
    @abc.abstractmethod
    def centroid(self) -> tuple[float, float]:
        """Area centroid ``(x, y)`` in pixels (bounds centre if the area is 0)."""

    # -------------------------------------------------------------- conversions
    @abc.abstractmethod
    def to_box(self) -> Box:
        """Convert to a :class:`Box` (the bounds)."""

    @abc.abstractmethod
    def to_rotated_box(self) -> RotatedBox:
        """Convert to a :class:`RotatedBox` (minimum-area rectangle)."""

    @abc.abstractmethod
    def to_quad(self) -> Quad:
        """Convert to a :class:`Quad`."""

    @abc.abstractmethod
    def to_polygon(self) -> Polygon:
        """Convert to a :class:`Polygon`."""

    def to_mask(self, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> Mask:
        """Rasterise: pixels whose centre lies strictly inside (lossy).

        By default the shape's :meth:`to_shapely` geometry is rasterised.

        Args:
            max_pixels: Largest accepted mask bounds (height x width, pixels),
                checked before anything is allocated; ``None`` disables it.

        Raises:
            GeometryError: If the mask would hold more than ``max_pixels``.
        """
        return shape_class("mask").from_shapely(self.to_shapely(), max_pixels)

    @abc.abstractmethod
    def to_shapely(self) -> Any:
        """Return the equivalent shapely geometry."""

    @abc.abstractmethod
    def to_dict(self) -> dict[str, Any]:
        """Serialise to plain JSON types, tagged with ``"type"``."""

    @abc.abstractmethod
    def hull_points(self) -> FloatArray:
        """Points whose convex hull is the shape's convex hull.

        Returns:
            ``(K, 2)`` float64 pixel coordinates: a box's, rotated box's or
            quad's four corners (TL, TR, BR, BL), a polygon's exterior, a
            mask's hull vertices (an empty mask raises ``GeometryError``).
            Read-only for quads and polygons.
        """

    # --------------------------------------------------------------- affine maps
    @abc.abstractmethod
    def transform(self, matrix: ArrayLike) -> Shape:
        """Apply a ``(2, 3)`` or ``(3, 3)`` affine matrix."""

    # ----------------------------------------------------------------- overlap
    def intersection_area(self, other: Shape) -> float:
        """Area of the intersection with a shape of any type.

        Measured on the outlines through shapely; two masks on one pixel grid
        count the pixels both set instead (the same area, without tracing).

        Args:
            other: Any of the five shapes.

        Returns:
            The overlap in square pixels (0.0 when disjoint).

        Raises:
            GeometryError: If ``other`` is not a shape.
        """
        return pair_intersection_area(self, as_shape(other))

    def iou(self, other: Shape) -> float:
        """Intersection over union with a shape of any type.

        Args:
            other: Any of the five shapes.

        Returns:
            A float in [0, 1]; 0.0 when both shapes have zero area.

        Raises:
            GeometryError: If ``other`` is not a shape.
        """
        other = as_shape(other)
        inter = self.intersection_area(other)
        union = self.area + other.area - inter
        if union <= 0.0:
            return 0.0
        return min(1.0, max(0.0, inter / union))

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """GeoJSON-like mapping (``{"type": "Polygon", "coordinates": ...}``)."""
        mapping: dict[str, Any] = shapely.geometry.mapping(self.to_shapely())
        return {"type": mapping["type"], "coordinates": lists(mapping["coordinates"])}


class AffineShape(Shape):
    """A shape whose scale, translate and rotate are exactly its :meth:`transform`.

    Quad, Polygon and Mask map every affine matrix to their own type, so the three
    shorthands below serve all of them; each returns what :meth:`transform` does
    with the matching matrix (for a Mask: a translation only moves the origin, any
    other map rasterises again).
    """

    __slots__ = ()

    @abc.abstractmethod
    def transform(self: _A, matrix: ArrayLike) -> _A:
        """Apply a ``(2, 3)`` or ``(3, 3)`` affine matrix."""

    def scale(self: _A, sx: float, sy: float | None = None) -> _A:
        """Scale about the origin ``(0, 0)``.

        Args:
            sx: Horizontal factor (non-zero).
            sy: Vertical factor; defaults to ``sx``.

        Returns:
            The scaled shape, of the same type.
        """
        return self.transform(scale_matrix(sx, sy))

    def translate(self: _A, dx: float, dy: float) -> _A:
        """Shift by ``(dx, dy)`` pixels.

        Args:
            dx: Shift to the right.
            dy: Shift downwards.

        Returns:
            The shifted shape, of the same type.
        """
        return self.transform(translation_matrix(dx, dy))

    def rotate(self: _A, angle: float, origin: tuple[float, float] = (0.0, 0.0)) -> _A:
        """Rotate by ``angle`` degrees clockwise on screen about ``origin``.

        Args:
            angle: Degrees, positive = clockwise on screen.
            origin: Pivot ``(x, y)`` in pixels.

        Returns:
            The rotated shape, of the same type.
        """
        return self.transform(rotation_matrix(angle, origin))

"""Quadrilaterals with a fixed corner order: TL, TR, BR, BL."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import shapely
from numpy.typing import ArrayLike

from unocr.errors import GeometryError
from unocr.geometry import convert
from unocr.geometry._affine import (
    apply_affine,
    as_affine,
)
from unocr.geometry._shape import (
    AffineShape,
    lists,
    ring_centroid,
    shape_class,
    value_bytes,
)
from unocr.geometry._validate import FloatArray, as_points, read_key

if TYPE_CHECKING:
    from unocr.geometry.box import Box
    from unocr.geometry.polygon import Polygon
    from unocr.geometry.rotated_box import RotatedBox

__all__ = ["Quad"]


class Quad(AffineShape):
    """A quadrilateral: four corners in the order TL, TR, BR, BL.

    The order is top-left first, then clockwise on screen (x right, y down),
    the order of ``Box.to_quad()``, ICDAR and Google Cloud Vision. Points given
    in any other order are put in that order by the same rule as
    :func:`~unocr.geometry.canonicalize_quads` (a crossing "bow tie" order is
    untangled, the direction made clockwise, and TL chosen as the start of the
    side nearest to horizontal), so every ``Quad`` is canonical.

    Args:
        points: ``(4, 2)`` corner coordinates ``(x, y)`` in pixels, or a flat
            sequence of 8 numbers.

    Raises:
        GeometryError: On a wrong shape or NaN/inf.

    Examples:
        >>> q = Quad([[10, 0], [10, 5], [0, 5], [0, 0]])
        >>> q.points.tolist()
        [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]]
        >>> q.area
        50.0
    """

    __slots__ = ("_points",)
    _points: FloatArray

    type_name: ClassVar[str] = "quad"

    def __init__(self, points: ArrayLike) -> None:
        pts = as_points(points, "Quad points", count=4)
        perm = convert.canonical_order(pts.reshape(8).tolist())
        if perm == [0, 1, 2, 3]:  # the usual case: a few microseconds
            self._set(pts)
        elif perm is None:  # nearly degenerate: the vectorised rule decides
            self._set(convert.canonicalize_quad_rows(pts[None])[0])
        else:
            self._set(pts[perm])

    def _set(self, points: ArrayLike) -> None:
        arr = np.array(points, dtype=np.float64)
        arr.flags.writeable = False
        object.__setattr__(self, "_points", arr)

    @classmethod
    def from_checked(cls, points: ArrayLike) -> Quad:
        """Wrap corners known to be finite and in canonical order, unchecked.

        Package-internal, for geometry code that computed the corners in
        canonical order itself (a box's corners, the rows of
        :func:`~unocr.geometry.canonicalize_quads`): nothing is checked or
        reordered. Anyone else uses :meth:`from_canonical`, which checks.

        Args:
            points: ``(4, 2)`` float corners TL, TR, BR, BL in pixels.

        Returns:
            The quad, with exactly these corners (copied, read-only).
        """
        self = cls.__new__(cls)
        self._set(points)
        return self

    #: The name pickles of earlier versions refer to.
    _trusted = from_checked

    @classmethod
    def from_canonical(cls, points: ArrayLike) -> Quad:
        """Build a quad from corners that are already in canonical order.

        For callers that hold canonical corners (e.g. rows of
        :func:`~unocr.geometry.canonicalize_quads` or of another quad): the
        order is verified, not trusted, and never changed. The check is the
        cheap one of ``Quad(points)`` (a few microseconds); corners near a
        decision boundary (a side at +-45 degrees, a nearly zero area) are
        canonicalised in full, which gives canonical corners back unchanged.

        Args:
            points: ``(4, 2)`` coordinates in pixels, or 8 numbers, in the order
                TL, TR, BR, BL.

        Returns:
            The quad, with exactly these corners in this order.

        Raises:
            GeometryError: On a wrong shape, NaN/inf, or corners that are not
                in canonical order (use ``Quad(points)`` to reorder them).

        Examples:
            >>> Quad.from_canonical([0, 0, 4, 0, 4, 2, 0, 2])
            Quad([[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0]])
            >>> Quad.from_canonical([0, 2, 0, 0, 4, 0, 4, 2])  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            unocr.errors.GeometryError: Quad.from_canonical: expected corners in ...
        """
        pts = as_points(points, "Quad.from_canonical points", count=4)
        if not convert.quad_is_canonical(pts.reshape(8).tolist()):
            canon = convert.canonicalize_quad_rows(pts[None])[0]
            if not (canon == pts).all():  # the rule is exactly idempotent
                raise GeometryError(
                    "Quad.from_canonical: expected corners in canonical order TL, "
                    f"TR, BR, BL, got {pts.tolist()} (canonical: "
                    f"{canon.tolist()}); use Quad(points) to reorder them"
                )
        return cls.from_checked(pts)

    @classmethod
    def list_from_array(cls, quads: ArrayLike) -> list[Quad]:
        """Many quads at once, put in canonical order in one vectorised call.

        The same quads as ``[Quad(q) for q in quads]``, at a fraction of the
        cost for thousands of them (an engine's words and characters).

        Args:
            quads: ``(N, 4, 2)`` corner coordinates in pixels, any order.

        Returns:
            ``N`` canonical quads (TL, TR, BR, BL).

        Raises:
            GeometryError: On a wrong shape or NaN/inf.

        Examples:
            >>> rows = [[[10, 0], [10, 5], [0, 5], [0, 0]],
            ...         [[1, 1], [2, 1], [2, 2], [1, 2]]]
            >>> [q.points[0].tolist() for q in Quad.list_from_array(rows)]
            [[0.0, 0.0], [1.0, 1.0]]
        """
        rows = convert.canonicalize_quads(quads)
        rows.flags.writeable = False
        quad = cls.viewer(rows)  # read-only views of one array
        return [quad(k) for k in range(len(rows))]

    @classmethod
    def viewer(cls, rows: FloatArray) -> Callable[[int], Quad]:
        """What makes the quad of one row of canonical corners, unchecked.

        Package-internal, as :meth:`from_checked`, for converters that put
        many quads in canonical order in one call
        (:func:`~unocr.geometry.canonicalize_quads`) and make the quads of
        only some rows now, the rest when first needed.

        Args:
            rows: ``(N, 4, 2)`` float64 corners TL, TR, BR, BL in pixels,
                finite and read-only (the quads view them, uncopied).

        Returns:
            A function of a row index ``0 <= i < N`` giving that row's quad.
        """
        new, put = cls.__new__, _set_points

        def quad(index: int) -> Quad:
            made = new(cls)
            put(made, rows[index])
            return made

        return quad

    @classmethod
    def from_points(cls, points: ArrayLike) -> Quad:
        """Build a quad from four corners in any order.

        Args:
            points: ``(4, 2)`` coordinates in pixels, or 8 numbers
                ``x0, y0, ..., x3, y3`` (as ICDAR and engines deliver them).

        Returns:
            The canonical quad (TL, TR, BR, BL).

        Examples:
            >>> Quad.from_points([0, 5, 10, 0, 0, 0, 10, 5]).points.tolist()
            [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]]
        """
        return cls(points)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Quad is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Quad is immutable; cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quad):
            return NotImplemented
        return bool(np.array_equal(self._points, other._points))

    def __hash__(self) -> int:
        return hash(("quad", value_bytes(self._points)))

    def __repr__(self) -> str:
        return f"Quad({self._points.tolist()})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Exactly these corners back (they were canonical when the quad was built).
        return (Quad.from_checked, (self._points.tolist(),))

    @property
    def points(self) -> FloatArray:
        """``(4, 2)`` read-only float64 corners TL, TR, BR, BL in pixels."""
        return self._points

    # ----------------------------------------------------------------- measures
    @property
    def area(self) -> float:
        """Area in square pixels (shoelace)."""
        return abs(float(convert.signed_areas(self._points)))

    @property
    def bounds(self) -> Box:
        """The smallest axis-aligned :class:`Box` containing the quad."""
        return self.to_box()

    @property
    def centroid(self) -> tuple[float, float]:
        """Area centroid ``(x, y)`` in pixels."""
        cx, cy, _ = ring_centroid(self._points)
        return cx, cy

    # -------------------------------------------------------------- conversions
    def to_box(self) -> Box:
        """Bounding box (lossy unless the quad is an axis-aligned rectangle)."""
        Box = shape_class("box")

        # quads_to_boxes in plain floats (min/max are exact): ~10x cheaper for one.
        x0, y0, x1, y1, x2, y2, x3, y3 = self._points.reshape(8).tolist()
        return Box(
            min(x0, x1, x2, x3),
            min(y0, y1, y2, y3),
            max(x0, x1, x2, x3),
            max(y0, y1, y2, y3),
        )

    def to_rotated_box(self) -> RotatedBox:
        """Minimum-area rectangle around the quad (exact for rectangles)."""
        RotatedBox = shape_class("rotated_box")

        return RotatedBox(*convert.quads_to_rotated(self._points[None])[0].tolist())

    def to_quad(self) -> Quad:
        """Return the quad itself (exact)."""
        return self

    def to_polygon(self) -> Polygon:
        """The same four points as a :class:`Polygon` (exact)."""
        Polygon = shape_class("polygon")

        return Polygon.from_checked(self._points)

    def to_shapely(self) -> Any:
        """Return a ``shapely.Polygon`` with the corners in order TL, TR, BR, BL."""
        return shapely.polygons(self._points)

    @classmethod
    def from_shapely(cls, geom: Any) -> Quad:
        """Build a quad from a shapely polygon with exactly four vertices.

        Args:
            geom: A ``shapely.Polygon`` whose exterior has 4 distinct vertices.

        Returns:
            The canonical quad.

        Raises:
            GeometryError: For any other geometry; use
                ``Polygon.from_shapely(geom).to_quad()`` for the minimum-area
                rectangle of an arbitrary polygon.
        """
        if isinstance(geom, shapely.Polygon) and not geom.is_empty:
            ring = shapely.get_coordinates(geom.exterior)[:-1]
            if ring.shape[0] == 4 and len(geom.interiors) == 0:
                return cls(ring)
        raise GeometryError(
            "Quad.from_shapely: expected a shapely Polygon with exactly 4 vertices "
            f"and no holes, got {str(geom)[:80]}; use "
            "Polygon.from_shapely(geom).to_quad() for the minimum-area rectangle"
        )

    def to_dict(self) -> dict[str, Any]:
        """Serialise to ``{"type": "quad", "points": [[x, y], ...]}`` (TL first)."""
        return {"type": "quad", "points": lists(self._points)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Quad:
        """Inverse of :meth:`to_dict`.

        Args:
            d: Mapping with ``points``: four ``[x, y]`` pairs.

        Returns:
            The quad.

        Raises:
            GeometryError: On a missing key or invalid points.

        Examples:
            >>> Quad.from_dict({"points": [[0, 0], [2, 0], [2, 1], [0, 1]]})
            Quad([[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [0.0, 1.0]])
        """
        return cls(read_key(d, "quad", "points"))

    def hull_points(self) -> FloatArray:
        """The four corners TL, TR, BR, BL, ``(4, 2)`` pixels (read-only)."""
        return self._points

    # --------------------------------------------------------------- affine maps
    def transform(self, matrix: ArrayLike) -> Quad:
        """Apply an affine matrix (exact; the result is re-canonicalised).

        Args:
            matrix: ``(2, 3)`` or ``(3, 3)`` affine matrix (pixels).

        Returns:
            The mapped quad.

        Examples:
            >>> Quad([[0, 0], [2, 0], [2, 1], [0, 1]]).transform([[1, 0, 5], [0, 1, 0]])
            Quad([[5.0, 0.0], [7.0, 0.0], [7.0, 1.0], [5.0, 1.0]])
        """
        return Quad(apply_affine(self._points, as_affine(matrix)))


#: The slot setter of a quad's corners (the class forbids ``setattr``).
_set_points: Any = vars(Quad)["_points"].__set__

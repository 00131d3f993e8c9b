"""Simple polygons, optionally with holes."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from unocr.errors import GeometryError
from unocr.geometry import convert
from unocr.geometry._affine import (
    apply_affine,
    as_affine,
)
from unocr.geometry._shape import AffineShape, lists, shape_class, value_bytes
from unocr.geometry._validate import FloatArray, as_points, check_range, read_key
from unocr.limits import MAX_COORDINATE

if TYPE_CHECKING:
    from unocr.geometry.box import Box
    from unocr.geometry.quad import Quad
    from unocr.geometry.rotated_box import RotatedBox

__all__ = ["Polygon"]


def _trim_start(pts: FloatArray) -> FloatArray:
    """Drop the copies of the first vertex that are next to it, cyclically.

    A closing point equal to the first (as shapely and GeoJSON write a ring)
    and a first vertex given twice in a row are dropped, last vertex first,
    as long as 3 vertices remain. Neither changes the ring's shape, and the
    result has no copy of its first vertex next to it (unless only 3
    vertices are left), which reversing the direction keeping the first
    vertex preserves: so a stored ring read back is the same ring.

    Args:
        pts: ``(N, 2)`` ring vertices in pixels, ``N >= 1``.

    Returns:
        ``pts`` itself when nothing is dropped, else the ``(M, 2)`` trimmed
        ring, ``min(N, 3) <= M < N``.
    """
    n = pts.shape[0]
    if n <= 3:
        return pts
    first = pts[0].tolist()
    lo, hi = 1, n
    while hi - lo > 2 and pts[hi - 1].tolist() == first:
        hi -= 1
    while hi - lo > 2 and pts[lo].tolist() == first:
        lo += 1
    if lo == 1 and hi == n:
        return pts
    return np.concatenate([pts[:1], pts[lo:hi]])


def _ring(points: ArrayLike, name: str, clockwise: bool) -> FloatArray:
    """Check a ring and bring it to its stored form (see :class:`Polygon`).

    Args:
        points: ``(N, 2)`` vertices in pixels (or ``2 N`` numbers).
        name: The argument's name, for error messages.
        clockwise: Whether the ring must run clockwise on screen (an
            exterior) or the other way (a hole).

    Returns:
        ``(M, 2)`` read-only float64 vertices, ``3 <= M <= N``: copies of the
        first vertex next to it dropped (:func:`_trim_start`), then the
        direction reversed if needed, keeping the first vertex first.
        Calling it again on the result gives the same ring.

    Raises:
        GeometryError: On fewer than 3 points, NaN/inf or a wrong shape.
    """
    pts = as_points(points, name)
    if pts.shape[0] < 3:
        raise GeometryError(f"{name}: expected at least 3 points, got {pts.shape[0]}")
    pts = _trim_start(pts)
    area = float(convert.signed_areas(pts))
    if (area < 0) if clockwise else (area > 0):
        # Reverse the direction, keeping the first vertex first.
        pts = np.concatenate([pts[:1], pts[:0:-1]])
    out = np.array(pts, dtype=np.float64)
    out.flags.writeable = False
    return out


# Relative size below which an orientation determinant's float sign may be wrong
# (the exact bound is about 3.3e-16; Shewchuk, "Adaptive precision ...").
_ORIENT_MARGIN = 1e-12


def _orientation(
    ax: float, ay: float, bx: float, by: float, cx: float, cy: float
) -> int:
    """Sign of the turn a -> b -> c when the float result is certain, else 0."""
    left = (bx - ax) * (cy - ay)
    right = (by - ay) * (cx - ax)
    det = left - right
    if abs(det) > _ORIENT_MARGIN * (abs(left) + abs(right)):
        return 1 if det > 0 else -1
    return 0


def _refusal(geom: Any) -> str | None:
    """Why a shapely polygon is refused, or ``None`` where it is accepted.

    Accepted: valid, or degenerate (its convex hull has no area: collinear
    rings are tolerated as degenerate shapes). GEOS divides by zero on rings
    of 1e-300 pixels (numpy warns; the answer holds), and on some such rings
    its validity check raises instead of answering: that polygon is then
    judged by its hull alone, like an invalid one.

    Args:
        geom: A shapely Polygon.

    Returns:
        Shapely's reason (or GEOS's error) for a refused polygon, else ``None``.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        try:
            if shapely.is_valid(geom):
                return None
            reason = str(shapely.is_valid_reason(geom))
        except shapely.errors.GEOSException as exc:
            reason = f"GEOS could not check it: {exc}"
        try:
            if shapely.area(shapely.convex_hull(geom)) <= 0:
                return None
        except shapely.errors.GEOSException as exc:
            reason = f"{reason}; GEOS could not measure its hull: {exc}"
    return reason


def _certainly_simple(ring: FloatArray) -> bool:
    """Whether a 3- or 4-vertex ring is certainly simple (so shapely finds it valid).

    A cheap sufficient test in plain floats, used to skip shapely's validity
    check for triangles and quadrilaterals: a triangle whose vertices
    certainly turn, or a quadrilateral whose opposite sides are certainly
    disjoint (which also rules out repeated vertices and spikes). ``False``
    means "not shown": shapely decides.
    """
    flat = ring.reshape(-1).tolist()
    if len(flat) == 6:
        return _orientation(*flat) != 0
    if len(flat) != 8:
        return False
    pts = list(zip(flat[0::2], flat[1::2], strict=True))
    for i in (0, 1):  # sides 0-1 and 2-3, then sides 1-2 and 3-0
        a, b, c, d = pts[i], pts[i + 1], pts[i + 2], pts[(i + 3) % 4]
        ab_c, ab_d = _orientation(*a, *b, *c), _orientation(*a, *b, *d)
        cd_a, cd_b = _orientation(*c, *d, *a), _orientation(*c, *d, *b)
        if not (ab_c * ab_d > 0 or cd_a * cd_b > 0):
            return False
    return True


def _wrong_way(
    pts: FloatArray, starts: NDArray[np.intp], sizes: NDArray[np.intp], shell: Any
) -> NDArray[np.bool_]:
    """Which rings run against their kind's direction (see :func:`_ring`).

    Shoelace areas of all rings at once; a ring whose area is too small for
    the float sign to be certain is measured again alone, exactly as
    :func:`_ring` does, so both paths decide alike.
    """
    x, y = pts[:, 0], pts[:, 1]
    nxt = np.arange(x.size) + 1
    nxt[starts + sizes - 1] = starts
    terms = x * y[nxt] - x[nxt] * y
    area = np.add.reduceat(terms, starts)
    # Rounding moves a sum of K products by at most about K * eps * the sum
    # of their magnitudes; a margin of 8x that decides only certain signs.
    scale = np.add.reduceat(np.abs(x * y[nxt]) + np.abs(x[nxt] * y), starts)
    margin = 8 * (sizes + 1) * np.finfo(np.float64).eps * scale
    unsure = np.flatnonzero(np.abs(area) <= margin)
    for i in unsure.tolist():
        ring = pts[starts[i] : starts[i] + sizes[i]]
        area[i] = float(convert.signed_areas(ring))
    out: NDArray[np.bool_] = np.where(shell, area < 0, area > 0)
    return out


class Polygon(AffineShape):
    """A simple polygon with optional holes.

    The exterior runs **clockwise on screen** (x right, y down), like
    :class:`Quad` (positive shoelace area in pixel coordinates); holes run the
    other way, as in GeoJSON and shapely's valid polygons. A ring given the
    other way round is reversed keeping its first vertex. Copies of the first
    vertex next to it are dropped, as long as 3 vertices remain: a closing
    point equal to the first, and a first vertex given twice in a row (other
    repeated vertices are kept). So a polygon built again from its own rings
    (``Polygon(p.points, p.holes)``, :meth:`from_dict` of :meth:`to_dict`)
    equals it.

    Args:
        points: ``(N, 2)`` exterior vertices ``(x, y)`` in pixels, ``N >= 3``.
        holes: Rings of ``(K, 2)`` vertices, ``K >= 3``, each inside the exterior.

    Raises:
        GeometryError: On fewer than 3 points, NaN/inf, a wrong shape, or a
            polygon that is not simple (self-intersecting exterior, hole
            outside); the message gives shapely's reason.

    Examples:
        >>> p = Polygon([[0, 0], [0, 4], [4, 4], [4, 0]])
        >>> p.points.tolist()
        [[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0]]
        >>> Polygon(p.points, holes=[[[1, 1], [3, 1], [3, 3], [1, 3]]]).area
        12.0
    """

    __slots__ = ("_holes", "_points")
    _points: FloatArray
    _holes: tuple[FloatArray, ...]

    type_name: ClassVar[str] = "polygon"

    def __init__(self, points: ArrayLike, holes: Sequence[ArrayLike] = ()) -> None:
        ext = _ring(points, "Polygon points", clockwise=True)
        rings = tuple(
            _ring(h, f"Polygon holes[{i}]", clockwise=False)
            for i, h in enumerate(holes)
        )
        object.__setattr__(self, "_points", ext)
        object.__setattr__(self, "_holes", rings)
        if not rings and _certainly_simple(ext):
            return  # a clean triangle or quadrilateral: valid, skip shapely
        reason = _refusal(self.to_shapely())
        if reason is not None:
            raise GeometryError(
                f"Polygon: expected a simple polygon (no self-intersection, holes "
                f"inside the exterior), got an invalid one ({reason}); repair it with "
                "Polygon.from_shapely(shapely.make_valid(...)) or use its to_quad()"
            )

    @classmethod
    def from_checked(
        cls, points: FloatArray, holes: tuple[FloatArray, ...] = ()
    ) -> Polygon:
        """Wrap rings that are already oriented and validated.

        For code that made the rings itself from a valid shape (a quad's
        corners, a transformed polygon): nothing is checked or reoriented.
        Copies of a ring's first vertex next to it (a degenerate box's
        corners, points that an affine map rounded together) are dropped as
        :class:`Polygon` drops them, so that the polygon equals one built
        from its own rings. Anyone else calls :class:`Polygon`, which checks.

        Args:
            points: ``(N, 2)`` float exterior ring in pixels, ``N >= 3``,
                clockwise on screen (as :class:`Polygon` orients it).
            holes: Read-only ``(K, 2)`` float rings, ``K >= 3``,
                counter-clockwise.

        Returns:
            The polygon, with a read-only copy of ``points`` and these holes
            (each trimmed as above).
        """
        self = cls.__new__(cls)
        ext = np.array(_trim_start(np.asarray(points)), dtype=np.float64)
        ext.flags.writeable = False
        if any(_trim_start(h) is not h for h in holes):
            trimmed = [np.array(_trim_start(h), dtype=np.float64) for h in holes]
            for h in trimmed:
                h.flags.writeable = False
            holes = tuple(trimmed)
        object.__setattr__(self, "_points", ext)
        object.__setattr__(self, "_holes", holes)
        return self

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Polygon is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Polygon is immutable; cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Polygon):
            return NotImplemented
        return (
            np.array_equal(self._points, other._points)
            and len(self._holes) == len(other._holes)
            and all(
                np.array_equal(a, b)
                for a, b in zip(self._holes, other._holes, strict=True)
            )
        )

    def __hash__(self) -> int:
        return hash(
            ("polygon", value_bytes(self._points), *map(value_bytes, self._holes))
        )

    def __repr__(self) -> str:
        if self._holes:
            holes = [h.tolist() for h in self._holes]
            return f"Polygon({self._points.tolist()}, holes={holes})"
        return f"Polygon({self._points.tolist()})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Polygon, (self._points.tolist(), [h.tolist() for h in self._holes]))

    @property
    def points(self) -> FloatArray:
        """``(N, 2)`` read-only float64 exterior vertices, clockwise on screen."""
        return self._points

    @property
    def holes(self) -> tuple[FloatArray, ...]:
        """Read-only ``(K, 2)`` float64 hole rings, counter-clockwise on screen."""
        return self._holes

    # ----------------------------------------------------------------- measures
    @property
    def area(self) -> float:
        """Area in square pixels (exterior minus holes)."""
        a = abs(float(convert.signed_areas(self._points)))
        return a - sum(abs(float(convert.signed_areas(h))) for h in self._holes)

    @property
    def bounds(self) -> Box:
        """The smallest axis-aligned :class:`Box` containing the polygon."""
        return self.to_box()

    @property
    def centroid(self) -> tuple[float, float]:
        """Area centroid ``(x, y)`` in pixels (holes accounted for)."""
        if self.area <= 0:
            b = self.to_box()
            return b.centroid
        c = shapely.centroid(self.to_shapely())
        return float(shapely.get_x(c)), float(shapely.get_y(c))

    # -------------------------------------------------------------- conversions
    def to_box(self) -> Box:
        """Bounding box (lossy)."""
        Box = shape_class("box")

        lo, hi = self._points.min(axis=0), self._points.max(axis=0)
        return Box(float(lo[0]), float(lo[1]), float(hi[0]), float(hi[1]))

    def to_rotated_box(self) -> RotatedBox:
        """Minimum-area rectangle around the polygon (lossy)."""
        RotatedBox = shape_class("rotated_box")

        return RotatedBox(*convert.points_to_rotated(self._points).tolist())

    def to_quad(self) -> Quad:
        """Minimum-area rectangle around the polygon, as a quad (lossy).

        A polygon of exactly 4 vertices and no holes converts exactly instead.
        """
        Quad = shape_class("quad")

        if self._points.shape[0] == 4 and not self._holes:
            return Quad(self._points)
        return self.to_rotated_box().to_quad()

    def to_polygon(self) -> Polygon:
        """Return the polygon itself (exact)."""
        return self

    def to_shapely(self) -> Any:
        """Return the equivalent ``shapely.Polygon`` (holes included)."""
        return shapely.Polygon(self._points, list(self._holes))

    @classmethod
    def from_shapely(cls, geom: Any) -> Polygon:
        """Build from a ``shapely.Polygon`` (or a one-part ``MultiPolygon``).

        Args:
            geom: The shapely geometry.

        Returns:
            The polygon, holes included.

        Raises:
            GeometryError: For empty, non-areal or multi-part geometries.
        """
        if isinstance(geom, shapely.MultiPolygon) and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        if not isinstance(geom, shapely.Polygon) or geom.is_empty:
            raise GeometryError(
                "Polygon.from_shapely: expected a non-empty shapely Polygon, got "
                f"{str(geom)[:80]}"
            )
        return cls(
            shapely.get_coordinates(geom.exterior),
            [shapely.get_coordinates(r) for r in geom.interiors],
        )

    @classmethod
    def list_from_shapely(cls, geoms: Sequence[Any]) -> list[Polygon]:
        """Many polygons from shapely geometries, checked in vectorised calls.

        The same polygons as ``[Polygon.from_shapely(g) for g in geoms]``, at a
        fraction of the cost for thousands of them (the regions of a noisy
        mask): coordinates, orientation and validity are checked over all
        rings at once.

        Args:
            geoms: ``N`` shapely Polygons (or one-part MultiPolygons), in
                pixels.

        Returns:
            ``N`` polygons, holes included, in the same order.

        Raises:
            GeometryError: What :meth:`from_shapely` raises for the first
                geometry it refuses.

        Examples:
            >>> import shapely
            >>> ring = shapely.box(0, 0, 4, 4).difference(shapely.box(1, 1, 2, 2))
            >>> geoms = [ring, shapely.box(5, 0, 6, 1)]
            >>> parts = Polygon.list_from_shapely(geoms)
            >>> [len(p.holes) for p in parts], parts[1].points.tolist()
            ([1, 0], [[6.0, 0.0], [6.0, 1.0], [5.0, 1.0], [5.0, 0.0]])
            >>> parts == [Polygon.from_shapely(g) for g in geoms]
            True
        """
        arr = np.empty(len(geoms), dtype=object)
        arr[:] = list(geoms)
        if arr.size == 0:
            return []
        one_part = (shapely.get_type_id(arr) == 6) & (
            shapely.get_num_geometries(arr) == 1
        )
        arr[one_part] = shapely.get_geometry(arr[one_part], 0)
        fine = (shapely.get_type_id(arr) == 3) & ~shapely.is_empty(arr)
        if fine.all():
            # What __init__ accepts: valid, or degenerate (no area at all).
            try:
                with np.errstate(divide="ignore", invalid="ignore"):
                    fine = shapely.is_valid(arr)
                    fine[~fine] = shapely.area(shapely.convex_hull(arr[~fine])) <= 0
            except shapely.errors.GEOSException:  # GEOS gave up on one: each alone
                fine[:] = False
        rings, owner = shapely.get_rings(arr, return_index=True)
        coords, ring_of = shapely.get_coordinates(rings, return_index=True)
        if not fine.all() or not (np.abs(coords) <= MAX_COORDINATE).all():
            # One at a time, so the first refused geometry raises its own error.
            return [cls.from_shapely(g) for g in arr]
        pts: FloatArray = coords
        # Drop each ring's closing point; orient shells clockwise on screen
        # (positive area) and holes the other way, keeping the first vertex.
        keep = np.r_[ring_of[1:] == ring_of[:-1], False]
        pts, ring_of = pts[keep], ring_of[keep]
        starts = np.flatnonzero(np.r_[True, ring_of[1:] != ring_of[:-1]])
        sizes = np.diff(np.r_[starts, ring_of.size])
        firsts = starts[sizes > 3]
        lasts = firsts + sizes[sizes > 3] - 1
        copies = (pts[firsts + 1] == pts[firsts]).all(axis=1)
        if (copies | (pts[lasts] == pts[firsts]).all(axis=1)).any():
            # A ring :class:`Polygon` trims (see _trim_start): each alone.
            return [cls.from_shapely(g) for g in arr]
        shell = np.r_[True, owner[1:] != owner[:-1]]
        flip = np.repeat(_wrong_way(pts, starts, sizes, shell), sizes)
        first, size = np.repeat(starts, sizes), np.repeat(sizes, sizes)
        step = np.arange(ring_of.size) - first
        order = np.where(flip & (step > 0), first + size - step, first + step)
        pts = pts[order]
        pts.flags.writeable = False
        ends = np.r_[starts[1:], pts.shape[0]].tolist()
        parts = [pts[a:b] for a, b in zip(starts.tolist(), ends, strict=True)]
        out: list[Polygon] = []
        new, put = cls.__new__, object.__setattr__
        bounds = np.r_[np.flatnonzero(shell), shell.size].tolist()
        for a, b in pairwise(bounds):
            polygon = new(cls)
            put(polygon, "_points", parts[a])
            put(polygon, "_holes", tuple(parts[a + 1 : b]))
            out.append(polygon)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Serialise to ``{"type": "polygon", "points": [...], "holes": [...]}``."""
        return {
            "type": "polygon",
            "points": lists(self._points),
            "holes": [lists(h) for h in self._holes],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Polygon:
        """Inverse of :meth:`to_dict`.

        Args:
            d: Mapping with ``points`` and optional ``holes``.

        Returns:
            The polygon.

        Raises:
            GeometryError: On a missing key or invalid rings.

        Examples:
            >>> Polygon.from_dict({"points": [[0, 0], [2, 0], [0, 2]]})
            Polygon([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0]])
        """
        holes = d.get("holes", ()) if isinstance(d, dict) else ()
        if not isinstance(holes, (list, tuple)):
            raise GeometryError(
                "polygon: expected 'holes' to be a list of rings, "
                f"got {type(holes).__name__}"
            )
        return cls(read_key(d, "polygon", "points"), holes)

    def hull_points(self) -> FloatArray:
        """The exterior vertices, ``(N, 2)`` pixels (read-only)."""
        return self._points

    # --------------------------------------------------------------- affine maps
    def transform(self, matrix: ArrayLike) -> Polygon:
        """Apply an affine matrix (exact).

        Args:
            matrix: ``(2, 3)`` or ``(3, 3)`` affine matrix (pixels).

        Returns:
            The mapped polygon (re-oriented if the map is a reflection).
        """
        m = as_affine(matrix)
        (a, b), (c, d) = m[:2, :2].tolist()
        flip = a * d - b * c < 0  # finite: as_affine checked the determinant
        ext = check_range(apply_affine(self._points, m), "Polygon.transform result")
        holes = [
            check_range(apply_affine(h, m), "Polygon.transform result")
            for h in self._holes
        ]
        if flip:
            ext = np.concatenate([ext[:1], ext[:0:-1]])
            holes = [np.concatenate([h[:1], h[:0:-1]]) for h in holes]
        for h in holes:
            h.flags.writeable = False
        return Polygon.from_checked(ext, tuple(holes))

"""Boolean pixel masks placed on the page by their top-left pixel."""

from __future__ import annotations

import math
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
from unocr.geometry._outline import pixel_outline, pixel_runs, region_count
from unocr.geometry._overlap import pixel_overlap
from unocr.geometry._shape import AffineShape, Shape, shape_class
from unocr.geometry._validate import (
    FloatArray,
    as_coordinate,
    as_points,
    check_mask_pixels,
    check_range,
    read_key,
)
from unocr.limits import DEFAULT_MAX_PIXELS

if TYPE_CHECKING:
    from unocr.geometry.box import Box
    from unocr.geometry.polygon import Polygon
    from unocr.geometry.quad import Quad
    from unocr.geometry.rotated_box import RotatedBox

__all__ = ["Mask", "rasterize"]

BoolArray = NDArray[np.bool_]


def _is_count(value: object) -> bool:
    return bool(
        isinstance(value, (int, np.integer))
        and not isinstance(value, (bool, np.bool_))
        and value >= 0
    )


def _as_bool(data: ArrayLike) -> BoolArray:
    try:
        arr = np.asarray(data)
    except (TypeError, ValueError) as exc:
        raise GeometryError(
            f"Mask: expected a 2-D boolean array, got {type(data).__name__} ({exc})"
        ) from None
    if arr.ndim != 2:
        raise GeometryError(
            f"Mask: expected a 2-D boolean array of shape (height, width), got "
            f"shape {tuple(arr.shape)}"
        )
    if arr.dtype != np.bool_ and (
        arr.dtype.kind not in "iuf" or not np.isin(arr, (0, 1)).all()
    ):
        raise GeometryError(
            f"Mask: expected a boolean array (or 0/1 values), got dtype {arr.dtype}"
            " with other values; threshold it first, e.g. data > 0.5"
        )
    out = np.array(arr, dtype=bool)
    out.flags.writeable = False
    return out


# Up to this many pixels, every centre is tested at once with shapely (fastest
# for word-sized masks); larger bounds are filled by scanline.
_SMALL = 1 << 16
# Crossings computed at once while scanning (bounds the temporary arrays).
_BAND_CELLS = 1 << 20
# Relative distance under which a pixel centre counts as "on" an edge or a
# vertex's row: those pixels are decided by shapely's exact predicate.
_NEAR = 1e-9


def rasterize(geom: Any, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> Mask:
    """Rasterise a shapely geometry: pixels whose centre lies strictly inside.

    Pixel ``(row i, col j)`` has its centre at ``(j + 0.5, i + 0.5)`` in pixels.
    The mask's size is checked against ``max_pixels`` before anything is
    allocated. Small bounds (up to 65,536 pixels) test every centre with
    shapely at once; larger ones are filled by scanline (even-odd spans
    between the edges' crossings of each row's centre line), so time grows
    with rows x edges plus the pixels set, not with a point test per pixel.
    The scan runs along the longer side (a tall shape is scanned as its
    mirror image across ``y = x``), so it visits at most ``sqrt(max_pixels)``
    rows however thin the shape; pixel centres within
    ``1e-9`` of an edge, and rows through a vertex, are decided by shapely's
    exact ``contains_xy``, so the result is exactly the pixels whose centre
    lies in the interior.

    Args:
        geom: An areal shapely geometry (Polygon, MultiPolygon, ...).
        max_pixels: Largest accepted bounds (height x width, in pixels);
            ``None`` disables the check.

    Returns:
        The tight :class:`Mask` of those pixels (if none: shape ``(0, 0)`` at
        origin ``(0, 0)``).

    Raises:
        GeometryError: If a coordinate is NaN, infinite or beyond the
            coordinate range (:data:`~unocr.limits.MAX_COORDINATE`), or the
            bounds hold more than ``max_pixels`` pixels.

    Examples:
        >>> rasterize(shapely.box(0, 0, 3, 2)).data.astype(int).tolist()
        [[1, 1, 1], [1, 1, 1]]
    """
    if geom.is_empty:
        return Mask(np.zeros((0, 0), dtype=bool))
    # Every vertex, before the bounds: GEOS skips NaN there, and inf overflows.
    as_points(shapely.get_coordinates(geom), "rasterising a shape")
    minx, miny, maxx, maxy = shapely.bounds(geom).tolist()
    j0, j1 = math.floor(minx), math.ceil(maxx)
    i0, i1 = math.floor(miny), math.ceil(maxy)
    if j1 <= j0 or i1 <= i0:
        return Mask(np.zeros((0, 0), dtype=bool))
    check_mask_pixels(i1 - i0, j1 - j0, max_pixels, "rasterising a shape")
    if (i1 - i0) * (j1 - j0) <= _SMALL:  # one vectorised point test is cheapest
        shapely.prepare(geom)
        xs = np.arange(j0, j1, dtype=np.float64) + 0.5
        ys = np.arange(i0, i1, dtype=np.float64) + 0.5
        gx, gy = np.meshgrid(xs, ys)
        return Mask(shapely.contains_xy(geom, gx, gy), origin=(j0, i0)).trimmed()
    tall = i1 - i0 > j1 - j0
    if tall:  # scan the mirror image: rows are then the shorter side
        geom = shapely.transform(geom, lambda p: p[:, ::-1])
        i0, i1, j0, j1 = j0, j1, i0, i1
    shapely.prepare(geom)
    inside = np.zeros((i1 - i0, j1 - j0), dtype=bool)
    edges = _edges(geom)
    if edges.shape[0]:
        _scan(geom, edges, inside, i0, j0)
    if tall:
        return Mask(np.ascontiguousarray(inside.T), origin=(i0, j0)).trimmed()
    return Mask(inside, origin=(j0, i0)).trimmed()


def _edges(geom: Any) -> FloatArray:
    """``(E, 4)`` non-horizontal edges ``(x0, y0, x1, y1)`` of every polygon ring."""
    parts = shapely.get_parts(geom)
    while (shapely.get_type_id(parts) >= 4).any():  # multi-parts, collections
        parts = shapely.get_parts(parts)
    polygons = parts[shapely.get_type_id(parts) == 3]
    rings = shapely.get_rings(polygons) if polygons.size else []
    chunks = []
    for ring in rings:
        pts = shapely.get_coordinates(ring)
        seg = np.concatenate([pts[:-1], pts[1:]], axis=1)
        chunks.append(seg[seg[:, 1] != seg[:, 3]])
    if not chunks:
        return np.zeros((0, 4), dtype=np.float64)
    return np.concatenate(chunks)


def _scan(geom: Any, edges: FloatArray, inside: BoolArray, i0: int, j0: int) -> None:
    """Fill ``inside`` (rows from ``i0``, columns from ``j0``) by even-odd scanline."""
    height, width = inside.shape
    lo_y = np.minimum(edges[:, 1], edges[:, 3])
    hi_y = np.maximum(edges[:, 1], edges[:, 3])
    slope = (edges[:, 2] - edges[:, 0]) / (edges[:, 3] - edges[:, 1])
    scale = max(1.0, float(np.abs(edges).max()))
    near = _NEAR * scale
    vertex_y = np.unique(edges[:, [1, 3]])
    rows = max(1, _BAND_CELLS // edges.shape[0])
    for top in range(0, height, rows):
        ys = np.arange(i0 + top, i0 + min(top + rows, height), dtype=np.float64) + 0.5
        hit = (lo_y[None, :] <= ys[:, None]) & (ys[:, None] < hi_y[None, :])
        xs = edges[None, :, 0] + (ys[:, None] - edges[None, :, 1]) * slope[None, :]
        xs = np.sort(np.where(hit, xs, np.inf), axis=1)
        counts = hit.sum(axis=1)
        # Rows whose centre line passes within `near` of a vertex: exact test.
        k = np.searchsorted(vertex_y, ys)
        gap = np.minimum(
            np.abs(ys - vertex_y[np.minimum(k, vertex_y.size - 1)]),
            np.abs(ys - vertex_y[np.maximum(k - 1, 0)]),
        )
        for r in range(ys.size):
            row = inside[top + r]
            y = float(ys[r])
            if gap[r] <= near:
                for start in range(0, width, _BAND_CELLS):  # bounded temporaries
                    stop = min(start + _BAND_CELLS, width)
                    centres = np.arange(j0 + start, j0 + stop, dtype=np.float64)
                    row[start:stop] = shapely.contains_xy(geom, centres + 0.5, y)
                continue
            cross = xs[r, : counts[r]]
            for a, b in zip(cross[0::2].tolist(), cross[1::2].tolist(), strict=True):
                _fill_span(geom, row, a, b, y, j0, near)


def _fill_span(
    geom: Any, row: BoolArray, a: float, b: float, y: float, j0: int, near: float
) -> None:
    """Set the pixels of ``row`` whose centre lies strictly between ``a`` and ``b``."""
    start = max(math.floor(a - 0.5) + 1 - j0, 0)  # first j with j + 0.5 > a
    stop = min(math.ceil(b - 0.5) - j0, row.size)  # first j with j + 0.5 >= b
    if stop > start:
        row[start:stop] = True
    for x in (a, b):  # a centre (almost) on the edge: the exact predicate decides
        j = round(x - 0.5) - j0
        if 0 <= j < row.size and abs(j + j0 + 0.5 - x) <= near:
            row[j] = bool(shapely.contains_xy(geom, j + j0 + 0.5, y))


class Mask(AffineShape):
    """A boolean pixel mask placed on the page.

    Pixel ``(row i, col j)`` of ``data`` covers ``[x + j, x + j + 1) x
    [y + i, y + i + 1)`` in page pixels, where ``origin = (x, y)``; so a word's
    mask needs no page-sized array. Its geometry is the union of its True
    pixel squares; with a whole-number origin (on the pixel grid) those are
    page pixels. An all-False (empty) mask can be built, but conversions
    that need a shape (``to_box``, ``to_polygon``, ...) raise
    :class:`~unocr.errors.GeometryError`.

    Args:
        data: ``(height, width)`` boolean array (0/1 integers are accepted).
        origin: Page position ``(x, y)`` of the top-left pixel's corner.

    Raises:
        GeometryError: On a non-2-D or non-boolean array, or NaN/inf origin.

    Examples:
        >>> m = Mask([[True, True], [True, False]], origin=(10, 20))
        >>> m.area, m.to_box()
        (3.0, Box(x0=10.0, y0=20.0, x1=12.0, y1=22.0))
        >>> m.to_polygon().points[:3].tolist()
        [[10.0, 20.0], [12.0, 20.0], [12.0, 21.0]]
    """

    __slots__ = ("_data", "_geom", "_origin")
    _data: BoolArray
    _origin: tuple[float, float]
    _geom: Any

    type_name: ClassVar[str] = "mask"

    def __init__(self, data: ArrayLike, origin: tuple[float, float] = (0, 0)) -> None:
        try:
            ox, oy = origin
        except (TypeError, ValueError):
            raise GeometryError(
                f"Mask: expected origin=(x, y), got {origin!r}"
            ) from None
        pixels = _as_bool(data)
        origin = (as_coordinate(ox, "origin x"), as_coordinate(oy, "origin y"))
        # the far edges too: every coordinate the mask gives (its bounds, its
        # outline) lies inside the range, as every other shape's does
        height, width = pixels.shape
        as_coordinate(origin[0] + width, "Mask origin x + width")
        as_coordinate(origin[1] + height, "Mask origin y + height")
        object.__setattr__(self, "_data", pixels)
        object.__setattr__(self, "_origin", origin)
        object.__setattr__(self, "_geom", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Mask is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Mask is immutable; cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Mask):
            return NotImplemented
        return self._origin == other._origin and np.array_equal(self._data, other._data)

    def __hash__(self) -> int:
        return hash(("mask", self._origin, self._data.shape, self._data.tobytes()))

    def __repr__(self) -> str:
        h, w = self._data.shape
        return f"Mask(<{h}x{w}, {int(self._data.sum())} set>, origin={self._origin})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (Mask, (self._data.copy(), self._origin))

    @property
    def data(self) -> BoolArray:
        """``(height, width)`` read-only boolean pixel array."""
        return self._data

    @property
    def origin(self) -> tuple[float, float]:
        """Page position ``(x, y)`` of the top-left pixel's top-left corner."""
        return self._origin

    @property
    def is_empty(self) -> bool:
        """Whether no pixel is set."""
        return not bool(self._data.any())

    def _extent(self) -> tuple[int, int, int, int]:
        """``(i0, i1, j0, j1)`` rows/columns (end exclusive) of the set pixels."""
        rows = np.flatnonzero(self._data.any(axis=1))
        if rows.size == 0:
            raise GeometryError(
                f"Mask: expected at least one set pixel, got an empty mask of shape "
                f"{self._data.shape}; check Mask.is_empty before converting"
            )
        cols = np.flatnonzero(self._data.any(axis=0))
        return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1

    def trimmed(self) -> Mask:
        """The same pixels in the smallest array (origin moved accordingly).

        Returns:
            A tight mask; an empty mask becomes shape ``(0, 0)`` at origin
            ``(0, 0)``, so all empty masks compare equal once trimmed.

        Examples:
            >>> Mask([[0, 0], [0, 1]]).trimmed().origin
            (1.0, 1.0)
        """
        if self.is_empty:
            if self._data.shape == (0, 0) and self._origin == (0.0, 0.0):
                return self
            return Mask(np.zeros((0, 0), dtype=bool))
        i0, i1, j0, j1 = self._extent()
        if (i0, j0) == (0, 0) and (i1, j1) == self._data.shape:
            return self
        ox, oy = self._origin
        return Mask(self._data[i0:i1, j0:j1], origin=(ox + j0, oy + i0))

    # ----------------------------------------------------------------- measures
    @property
    def area(self) -> float:
        """Number of set pixels (square pixels)."""
        return float(np.count_nonzero(self._data))

    @property
    def bounds(self) -> Box:
        """The bounding :class:`Box` of the set pixels."""
        return self.to_box()

    @property
    def centroid(self) -> tuple[float, float]:
        """Mean of the set pixels' centres ``(x, y)``.

        Raises:
            GeometryError: For an empty mask.
        """
        self._extent()
        ii, jj = np.nonzero(self._data)
        return (
            self._origin[0] + float(jj.mean()) + 0.5,
            self._origin[1] + float(ii.mean()) + 0.5,
        )

    def intersection_area(self, other: Shape) -> float:
        """As :meth:`Shape.intersection_area`, counting pixels on one grid.

        Another mask whose pixel grid lines up with this one's (the origins
        differ by whole pixels) overlaps by the pixels both set, counted from
        the arrays without tracing either outline.

        Examples:
            >>> Mask([[1, 1], [1, 1]]).intersection_area(Mask([[1]], origin=(1, 1)))
            1.0
        """
        if isinstance(other, Mask):
            counted = pixel_overlap(self._data, self._origin, other.data, other.origin)
            if counted is not None:
                return counted
        return super().intersection_area(other)

    # -------------------------------------------------------------- conversions
    def to_box(self) -> Box:
        """Bounding box of the set pixels (lossy unless the mask is a full rectangle).

        Raises:
            GeometryError: For an empty mask.
        """
        Box = shape_class("box")

        i0, i1, j0, j1 = self._extent()
        ox, oy = self._origin
        return Box(ox + j0, oy + i0, ox + j1, oy + i1)

    def to_rotated_box(self) -> RotatedBox:
        """Minimum-area rectangle around the set pixels' squares (lossy).

        Raises:
            GeometryError: For an empty mask.
        """
        RotatedBox = shape_class("rotated_box")

        return RotatedBox(*convert.points_to_rotated(self.hull_points()).tolist())

    def to_quad(self) -> Quad:
        """Minimum-area rectangle around the set pixels, as a :class:`Quad` (lossy).

        Raises:
            GeometryError: For an empty mask.
        """
        return self.to_rotated_box().to_quad()

    def to_polygons(self) -> list[Polygon]:
        """The exact outline of each 4-connected region, holes included.

        Returns:
            One :class:`Polygon` per region (pixels touching only at a corner
            are separate regions), largest first; ``[]`` for an empty mask.
        """
        Polygon = shape_class("polygon")

        geom = self.to_shapely()
        if geom.is_empty:
            return []
        parts = shapely.get_parts(geom)
        largest_first = np.argsort(-shapely.area(parts), kind="stable")
        return Polygon.list_from_shapely(parts[largest_first])

    def to_polygon(self) -> Polygon:
        """The exact outline of the set pixels, holes included.

        Exact when the set pixels form one 4-connected region (then, for a
        mask on the pixel grid (whole-number origin),
        ``mask.to_polygon().to_mask()`` gives back the same pixels). When they
        form several regions, the result is their convex hull (lossy, encloses
        every pixel); use :meth:`to_polygons` to keep every region exactly.

        Raises:
            GeometryError: For an empty mask.
        """
        Polygon = shape_class("polygon")

        self._extent()
        geom = self._geom
        if geom is None and region_count(self._data) == 1:
            geom = self.to_shapely()
        if isinstance(geom, shapely.Polygon):
            return Polygon.from_shapely(geom)
        # Several regions: their hull needs no region's outline.
        return Polygon.from_shapely(self._hull())

    def to_mask(self, max_pixels: int | None = DEFAULT_MAX_PIXELS) -> Mask:
        """Return the mask itself (``max_pixels`` is not needed: nothing is drawn)."""
        return self

    def to_shapely(self) -> Any:
        """The union of the set pixels' squares (Polygon or MultiPolygon, exact).

        Vertices lie on integer pixel corners (plus the origin); collinear
        vertices are removed. An empty mask gives an empty Polygon.
        """
        if self._geom is not None:
            return self._geom
        geom = pixel_outline(self._data, self._origin)
        object.__setattr__(self, "_geom", geom)
        return geom

    @classmethod
    def from_shapely(
        cls, geom: Any, max_pixels: int | None = DEFAULT_MAX_PIXELS
    ) -> Mask:
        """Rasterise a shapely geometry (pixels whose centre lies inside).

        Args:
            geom: An areal shapely geometry.
            max_pixels: Largest accepted bounds (height x width, pixels);
                ``None`` disables the check.

        Returns:
            The tight mask.

        Raises:
            GeometryError: If ``geom`` is not a shapely geometry, has a NaN,
                infinite or out-of-range coordinate, or its bounds hold more
                than ``max_pixels`` pixels.
        """
        if not isinstance(geom, shapely.Geometry):
            raise GeometryError(
                "Mask.from_shapely: expected a shapely geometry, "
                f"got {type(geom).__name__}"
            )
        return rasterize(geom, max_pixels)

    def to_dict(self) -> dict[str, Any]:
        """Serialise with run-length encoding.

        Returns:
            ``{"type": "mask", "origin": [x, y], "size": [height, width],
            "counts": [...]}`` where ``counts`` are the lengths of alternating
            runs of False and True pixels in row-major order, starting with
            False (the first count may be 0).

        Examples:
            >>> Mask([[0, 1, 1], [1, 0, 0]]).to_dict()["counts"]
            [1, 3, 2]
        """
        flat = self._data.ravel()
        change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
        bounds = np.concatenate([[0], change, [flat.size]])
        counts = np.diff(bounds).tolist()
        if flat.size and flat[0]:
            counts = [0, *counts]
        h, w = self._data.shape
        return {
            "type": "mask",
            "origin": [self._origin[0], self._origin[1]],
            "size": [h, w],
            "counts": [int(c) for c in counts if flat.size],
        }

    @classmethod
    def from_dict(
        cls, d: dict[str, Any], max_pixels: int | None = DEFAULT_MAX_PIXELS
    ) -> Mask:
        """Inverse of :meth:`to_dict`.

        Every value is checked in Python integers before an array is made: the
        size against ``max_pixels``, each run count, and their exact sum
        against the size.

        Args:
            d: Mapping with ``origin``, ``size`` and ``counts``.
            max_pixels: Largest accepted ``height * width``; ``None`` disables
                the check.

        Returns:
            The mask.

        Raises:
            GeometryError: On missing keys, a size over ``max_pixels``, or
                counts that are not non-negative integers adding up to the size.

        Examples:
            >>> m = Mask([[0, 1], [1, 1]], origin=(3, 4))
            >>> Mask.from_dict(m.to_dict()) == m
            True
        """
        origin = read_key(d, "mask", "origin")
        size = read_key(d, "mask", "size")
        counts = read_key(d, "mask", "counts")
        if not isinstance(origin, (list, tuple)) or len(origin) != 2:
            raise GeometryError(f"mask: expected origin [x, y], got {origin!r}")
        if (
            not isinstance(size, (list, tuple))
            or len(size) != 2
            or not all(_is_count(v) for v in size)
        ):
            raise GeometryError(
                f"mask: expected size [height, width] of integers >= 0, got {size!r}"
            )
        h, w = int(size[0]), int(size[1])
        check_mask_pixels(h, w, max_pixels, "mask")
        if not isinstance(counts, (list, tuple)) or not all(
            _is_count(c) for c in counts
        ):
            raise GeometryError(
                "mask: expected counts to be a list of integers >= 0 (run lengths)"
            )
        total = sum(int(c) for c in counts)  # exact: Python integers never wrap
        if total != h * w:
            raise GeometryError(
                f"mask: expected run counts adding up to {h}x{w}={h * w}, got "
                f"{total} in total"
            )
        runs = np.asarray(counts, dtype=np.int64)
        values = np.arange(runs.size) % 2 == 1
        data = np.repeat(values, runs).reshape(h, w)
        return cls(data, origin=(origin[0], origin[1]))

    def hull_points(self) -> FloatArray:
        """The vertices of the set pixels' convex hull, ``(K, 2)`` pixels.

        Raises:
            GeometryError: For an empty mask.
        """
        self._extent()
        out: FloatArray = shapely.get_coordinates(self._hull())
        return out

    def _hull(self) -> Any:
        """The set pixels' convex hull (shapely), from their runs' corners.

        Only the outer corners of each row count (its first run's start and
        its last run's end), or of each column for a mask taller than wide:
        at most ``4 * min(height, width)`` points.
        """
        tall = self._data.shape[0] > self._data.shape[1]
        lines, starts, ends = pixel_runs(self._data.T if tall else self._data)
        first = np.r_[True, lines[1:] != lines[:-1]]
        last = np.r_[lines[1:] != lines[:-1], True]
        lines, starts, ends = lines[first], starts[first], ends[last]
        along = np.concatenate([starts, ends, starts, ends]).astype(np.float64)
        across = np.concatenate([lines, lines, lines + 1, lines + 1]).astype(np.float64)
        xs, ys = (across, along) if tall else (along, across)
        ox, oy = self._origin
        corners = np.column_stack([xs + ox, ys + oy])
        return shapely.convex_hull(shapely.multipoints(corners))

    # --------------------------------------------------------------- affine maps
    def transform(
        self, matrix: ArrayLike, max_pixels: int | None = DEFAULT_MAX_PIXELS
    ) -> Mask:
        """Apply an affine matrix.

        A pure translation moves the origin (exact; a fraction of a pixel puts
        the mask off the page's pixel grid, so rasterising its outline again
        gives page pixels by their centres, not these). Any other map moves the
        pixel outline and rasterises it again, taking the pixels whose centre
        lies inside (lossy). A map that keeps the pixel grid (whole-number
        scales, mirrors and quarter turns, with the pixel corners landing on
        whole page pixels: a score map at half resolution mapped with
        ``scale(2)``, or an EXIF orientation) copies pixels instead, with the
        same result.

        Args:
            matrix: ``(2, 3)`` or ``(3, 3)`` affine matrix (pixels).
            max_pixels: Largest accepted bounds of the new mask (height x
                width), checked before it is allocated; ``None`` disables it.
                ``scale`` and ``rotate`` use the default.

        Returns:
            The mapped mask.

        Raises:
            GeometryError: On an invalid matrix, a result beyond the coordinate
                range, or a new mask over ``max_pixels``.
        """
        m = as_affine(matrix)
        if np.array_equal(m[:2, :2], np.eye(2)):
            return Mask(
                self._data,
                origin=(self._origin[0] + m[0, 2], self._origin[1] + m[1, 2]),
            )
        copied = self._copied(m, max_pixels)
        if copied is not None:
            return copied
        geom = shapely.transform(
            self.to_shapely(),
            lambda p: check_range(apply_affine(p, m), "Mask.transform result"),
        )
        return rasterize(geom, max_pixels)

    def _copied(self, m: FloatArray, max_pixels: int | None) -> Mask | None:
        """A map that keeps the pixel grid, done by copying pixels.

        Where the linear part of ``m`` is diagonal or anti-diagonal with whole,
        non-zero entries (whole-number scales, mirrors, quarter turns and
        their combinations) and maps the mask's pixel corners onto whole page
        pixels, every pixel becomes a block of ``|sy| x |sx|`` pixels, the
        rows and columns flipped and swapped as ``m`` says: exactly the pixels
        whose centre lies inside the mapped outline, the mask rasterising
        gives (each new pixel's centre lies strictly inside one mapped pixel).

        Args:
            m: ``(3, 3)`` affine matrix (pixels).
            max_pixels: As for :meth:`transform`.

        Returns:
            The mapped mask, or ``None`` where ``m`` is not such a map.
        """
        swap = m[0, 0] == 0 and m[1, 1] == 0
        if swap:  # x' from y, y' from x
            fx, fy = float(m[0, 1]), float(m[1, 0])
        elif m[0, 1] == 0 and m[1, 0] == 0:
            fx, fy = float(m[0, 0]), float(m[1, 1])
        else:
            return None
        if not all(math.isfinite(v) and v.is_integer() and v != 0 for v in (fx, fy)):
            return None
        # Whole factors: the corners land on whole pixels iff the origin's does.
        ox, oy = self._origin
        cx, cy = (oy, ox) if swap else (ox, oy)  # what x' and y' are made from
        if not all(
            math.isfinite(v) and v.is_integer()
            for v in (fx * cx + m[0, 2], fy * cy + m[1, 2])
        ):
            return None
        tight = self.trimmed()
        if tight.data.size == 0:
            return tight
        data = tight.data.T if swap else tight.data  # rows: y', columns: x'
        h, w = data.shape
        tx, ty = tight.origin
        cx, cy = (ty, tx) if swap else (tx, ty)
        # the mapped outline's left and top edges, with flips counted in
        left = fx * (cx if fx > 0 else cx + w) + float(m[0, 2])
        top = fy * (cy if fy > 0 else cy + h) + float(m[1, 2])
        sx, sy = int(abs(fx)), int(abs(fy))
        corners = np.array([[left, top], [left + sx * w, top + sy * h]])
        check_range(corners, "Mask.transform result")
        check_mask_pixels(sy * h, sx * w, max_pixels, "rasterising a shape")
        if fx < 0:
            data = data[:, ::-1]
        if fy < 0:
            data = data[::-1, :]
        if sy > 1:
            data = np.repeat(data, sy, axis=0)
        if sx > 1:
            data = np.repeat(data, sx, axis=1)
        return Mask(np.ascontiguousarray(data), origin=(left, top))

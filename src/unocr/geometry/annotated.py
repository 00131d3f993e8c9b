"""Quadrilateral annotations that keep the ring of their corners as written."""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike

from unocr.geometry import convert
from unocr.geometry._affine import as_affine
from unocr.geometry._validate import FloatArray
from unocr.geometry.polygon import Polygon
from unocr.geometry.quad import Quad

__all__ = ["AnnotatedQuad"]


class AnnotatedQuad(Quad):
    """A quadrilateral annotation whose corners cross in the order written.

    Made by :meth:`from_annotation` for a ring that is not the outline of its
    canonical quad (corners in a crossing "bow tie" order, or a degenerate
    ring). As a shape it is the canonical :class:`~unocr.geometry.Quad` of
    its four points, corners TL, TR, BR, BL (the crossing untangled: what
    engines, drawings and exports see).
    Beside it, :attr:`ring` keeps the points in the order the annotation
    listed them, which the official ICDAR 2015 scripts measure as given (see
    :mod:`unocr.metrics.matching`): :attr:`ring_area` is the absolute
    shoelace sum of that ring and :meth:`ring_parts` the region it fills
    (even-odd). Saving it (``to_dict``) keeps the canonical quad only.

    Args:
        points: ``(4, 2)`` corners ``(x, y)`` in pixels in the order written,
            or a flat sequence of 8 numbers.

    Raises:
        GeometryError: On a wrong shape or NaN/inf.

    Examples:
        >>> q = AnnotatedQuad([0, 0, 10, 0, 0, 10, 10, 10])  # a bow tie
        >>> q.points.tolist(), q.area
        ([[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]], 100.0)
        >>> q.ring_area, [p.area for p in q.ring_parts()]
        (0.0, [25.0, 25.0])
    """

    __slots__ = ("_ring",)
    _ring: FloatArray

    def __init__(self, points: ArrayLike) -> None:
        super().__init__(points)
        object.__setattr__(self, "_ring", _frozen(points))

    @classmethod
    def from_annotation(cls, points: ArrayLike) -> Quad:
        """The shape of an annotated quadrilateral, its ring kept where it crosses.

        Args:
            points: ``(4, 2)`` corners in pixels in the order written, or 8
                numbers.

        Returns:
            ``Quad(points)`` where its canonical corners trace the same ring
            (the same cyclic order, either direction: the same outline and
            area), else an :class:`AnnotatedQuad` keeping the ring.

        Raises:
            GeometryError: On a wrong shape or NaN/inf.

        Examples:
            >>> type(AnnotatedQuad.from_annotation([0, 0, 0, 5, 10, 5, 10, 0])).__name__
            'Quad'
            >>> type(AnnotatedQuad.from_annotation([0, 0, 10, 5, 10, 0, 0, 5])).__name__
            'AnnotatedQuad'
        """
        quad = Quad(points)
        ring = _frozen(points)
        if _same_ring(quad.points, ring):
            return quad
        return cls._with_ring(quad, ring)

    @classmethod
    def _with_ring(cls, quad: Quad, ring: ArrayLike) -> AnnotatedQuad:
        """``quad``'s corners (kept exactly) with ``ring`` as the written order."""
        self = cls.__new__(cls)
        self._set(quad.points)
        object.__setattr__(self, "_ring", _frozen(ring))
        return self

    @property
    def ring(self) -> FloatArray:
        """``(4, 2)`` read-only float64 corners in pixels, in the order written.

        The same four points as :attr:`points`, in the annotation's order
        (from :meth:`from_annotation`, one that does not trace the outline of
        :attr:`points`): the ring :attr:`ring_area` and :meth:`ring_parts`
        measure.
        """
        return self._ring

    @property
    def ring_area(self) -> float:
        """Absolute shoelace sum of :attr:`ring`, square pixels (``Polygon3`` area)."""
        return abs(float(convert.signed_areas(self._ring)))

    def ring_parts(self) -> tuple[Polygon, ...]:
        """The region :attr:`ring` fills (even-odd), as simple polygons.

        Returns:
            The loops of the ring with an area (the two triangles of a bow
            tie), which overlap nowhere; ``()`` for a ring without area.
        """
        made = shapely.make_valid(shapely.Polygon(self._ring))
        return tuple(
            Polygon.from_shapely(part)
            for part in shapely.get_parts(made)
            if isinstance(part, shapely.Polygon) and part.area > 0
        )

    def transform(self, matrix: ArrayLike) -> AnnotatedQuad:
        """Apply an affine matrix to the canonical corners and to the ring.

        Args:
            matrix: ``(2, 3)`` or ``(3, 3)`` affine matrix (pixels).

        Returns:
            The mapped quad (``Quad.transform``) with the mapped ring.
        """
        m = as_affine(matrix)
        ring = self._ring @ m[:2, :2].T + m[:2, 2]
        return AnnotatedQuad._with_ring(super().transform(m), ring)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Quad):
            return NotImplemented
        return isinstance(other, AnnotatedQuad) and bool(
            np.array_equal(self._ring, other._ring)
        )

    def __hash__(self) -> int:
        return hash(("annotated-quad", self._ring.tobytes()))

    def __repr__(self) -> str:
        return f"AnnotatedQuad({self._ring.tolist()})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (AnnotatedQuad._with_ring, (Quad.from_checked(self.points), self._ring))


def _frozen(points: ArrayLike) -> FloatArray:
    """A read-only ``(4, 2)`` float64 copy of a ring of four points, in pixels."""
    ring = np.array(points, dtype=np.float64).reshape(4, 2)
    ring.flags.writeable = False
    return ring


def _same_ring(a: FloatArray, b: FloatArray) -> bool:
    """Whether two ``(4, 2)`` rings list the same points in the same cyclic order."""
    for ring in (b, b[::-1]):
        for k in range(4):
            if np.array_equal(a, np.roll(ring, k, axis=0)):
                return True
    return False

"""Affine matrices: parsing, building and applying them to point arrays.

Conventions: a matrix maps a column vector ``(x, y, 1)`` in pixels; ``rotate``
angles are in degrees, positive = clockwise on screen (y points down), the
same sign as :class:`~unocr.geometry.RotatedBox` angles.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from unocr.errors import GeometryError
from unocr.geometry._validate import FloatArray, as_finite_float

__all__ = [
    "apply_affine",
    "as_affine",
    "reduce_angle",
    "rotation_matrix",
    "scale_matrix",
    "translation_matrix",
]

_TOL = 1e-12
# Largest absolute matrix entry: maps with larger ones send every shape within
# the coordinate range (1e9 pixels) beyond it, and their products could overflow.
_MAX_ENTRY = 1e12


def as_affine(matrix: ArrayLike) -> FloatArray:
    """Validate an affine matrix and return it as a ``(3, 3)`` float64 array.

    Args:
        matrix: A ``(2, 3)`` or ``(3, 3)`` affine matrix ``[[a, b, tx], [c, d, ty]]``
            (optionally followed by ``[0, 0, 1]``), mapping pixel ``(x, y)`` to
            ``(a*x + b*y + tx, c*x + d*y + ty)``; or its first two rows
            flattened, ``(a, b, tx, c, d, ty)``, the form of
            :attr:`unocr.model.Source.to_pdf`.

    Returns:
        The ``(3, 3)`` matrix.

    Raises:
        GeometryError: On a wrong shape, NaN/inf, an entry beyond 1e12, a
            projective (non-affine) last row, or a singular linear part.

    Examples:
        >>> as_affine([[2, 0, 1], [0, 2, 0]]).tolist()
        [[2.0, 0.0, 1.0], [0.0, 2.0, 0.0], [0.0, 0.0, 1.0]]
    """
    try:
        m = np.asarray(matrix, dtype=np.float64)
    except (TypeError, ValueError, OverflowError) as exc:
        raise GeometryError(
            f"matrix: expected a (2, 3) or (3, 3) affine matrix, got "
            f"{type(matrix).__name__} ({exc})"
        ) from None
    if m.shape == (6,):  # two rows, flattened
        m = m.reshape(2, 3)
    if m.shape not in ((2, 3), (3, 3)):
        raise GeometryError(
            f"matrix: expected shape (2, 3), (3, 3) or (6,), got {tuple(m.shape)}"
        )
    # Plain floats from here: numpy's per-call overhead dominates for 9 numbers.
    rows = m.tolist()
    if not math.isfinite(sum(sum(r) for r in rows)) and not np.isfinite(m).all():
        raise GeometryError("matrix: expected finite values, got NaN or inf")
    if len(rows) == 3 and not (
        abs(rows[2][0]) <= _TOL
        and abs(rows[2][1]) <= _TOL
        and abs(rows[2][2] - 1.0) <= _TOL
    ):
        raise GeometryError(
            f"matrix: expected an affine last row [0, 0, 1], got {rows[2]}; "
            "projective transforms are not supported"
        )
    (a, b, tx), (c, d, ty) = rows[0], rows[1]
    largest = max(1.0, abs(a), abs(b), abs(c), abs(d), abs(tx), abs(ty))
    if largest > _MAX_ENTRY:
        raise GeometryError(
            f"matrix: expected entries within +-{_MAX_ENTRY:.0e}, got "
            f"{[[a, b, tx], [c, d, ty]]}; such a map sends every shape beyond the "
            "coordinate range (unocr.limits.MAX_COORDINATE)"
        )
    det = a * d - b * c
    if abs(det) <= _TOL * largest:
        raise GeometryError(
            f"matrix: the linear part {[[a, b], [c, d]]} is singular; "
            "an affine map must not collapse shapes to a line or a point"
        )
    return np.array([[a, b, tx], [c, d, ty], [0.0, 0.0, 1.0]], dtype=np.float64)


def apply_affine(points: FloatArray, matrix: FloatArray) -> FloatArray:
    """Apply a ``(3, 3)`` affine matrix to points.

    Args:
        points: ``(..., 2)`` float64 array of pixel coordinates ``(x, y)``.
        matrix: ``(3, 3)`` affine matrix from :func:`as_affine`.

    Returns:
        A new ``(..., 2)`` float64 array of mapped coordinates.

    Examples:
        >>> apply_affine(np.array([[1.0, 2.0]]), translation_matrix(10, 0)).tolist()
        [[11.0, 2.0]]
    """
    out: FloatArray = points @ matrix[:2, :2].T + matrix[:2, 2]
    return out


def scale_matrix(sx: float, sy: float | None = None) -> FloatArray:
    """Build the matrix that scales about the origin ``(0, 0)``.

    Args:
        sx: Horizontal factor (non-zero).
        sy: Vertical factor; defaults to ``sx``.

    Returns:
        A ``(3, 3)`` float64 matrix.

    Raises:
        GeometryError: If a factor is zero, NaN or inf.

    Examples:
        >>> scale_matrix(2, 3)[:2].tolist()
        [[2.0, 0.0, 0.0], [0.0, 3.0, 0.0]]
    """
    fx = as_finite_float(sx, "sx")
    fy = fx if sy is None else as_finite_float(sy, "sy")
    if fx == 0.0 or fy == 0.0:
        raise GeometryError(f"scale factors must be non-zero, got sx={fx}, sy={fy}")
    return np.array([[fx, 0.0, 0.0], [0.0, fy, 0.0], [0.0, 0.0, 1.0]])


def translation_matrix(dx: float, dy: float) -> FloatArray:
    """Build the matrix that translates by ``(dx, dy)`` pixels.

    Args:
        dx: Shift to the right, in pixels.
        dy: Shift downwards, in pixels.

    Returns:
        A ``(3, 3)`` float64 matrix.

    Examples:
        >>> translation_matrix(1, 2)[:2].tolist()
        [[1.0, 0.0, 1.0], [0.0, 1.0, 2.0]]
    """
    tx = as_finite_float(dx, "dx")
    ty = as_finite_float(dy, "dy")
    return np.array([[1.0, 0.0, tx], [0.0, 1.0, ty], [0.0, 0.0, 1.0]])


def reduce_angle(angle: float, name: str = "angle") -> float:
    """Reduce an angle in degrees to ``(-360, 360)``, exactly.

    ``math.fmod`` is exact in floating point, so a huge angle (``1e20``)
    turns by the same amount as its remainder (``280``) and every shape
    rotated by it turns alike.

    Args:
        angle: Degrees, any finite real number.
        name: The argument's name, used in the error message.

    Returns:
        ``angle`` modulo 360 degrees, with the sign of ``angle``.

    Raises:
        GeometryError: If ``angle`` is not a real number or is NaN/inf.

    Examples:
        >>> reduce_angle(1e20), reduce_angle(-450.0)
        (280.0, -90.0)
    """
    return math.fmod(as_finite_float(angle, name), 360.0)


def rotation_matrix(
    angle: float, origin: tuple[float, float] = (0.0, 0.0)
) -> FloatArray:
    """Build the matrix that rotates by ``angle`` degrees about ``origin``.

    Positive angles turn clockwise on screen (x right, y down). The angle is
    first reduced modulo 360 degrees (exactly, :func:`reduce_angle`), so
    angles that differ by whole turns give the same matrix. Multiples of
    90 degrees give exact 0/1 entries, so boxes stay boxes.

    Args:
        angle: Rotation in degrees, clockwise on screen.
        origin: Pivot ``(x, y)`` in pixels.

    Returns:
        A ``(3, 3)`` float64 matrix.

    Raises:
        GeometryError: If ``angle`` or ``origin`` is not finite.

    Examples:
        >>> rotation_matrix(90)[:2].tolist()
        [[0.0, -1.0, 0.0], [1.0, 0.0, 0.0]]
        >>> bool((rotation_matrix(1e20) == rotation_matrix(280)).all())
        True
    """
    a = reduce_angle(angle)
    ox = as_finite_float(origin[0], "origin x")
    oy = as_finite_float(origin[1], "origin y")
    quarter = a / 90.0
    if quarter == math.floor(quarter):
        c, s = ((1.0, 0.0), (0.0, 1.0), (-1.0, 0.0), (0.0, -1.0))[int(quarter) % 4]
    else:
        rad = math.radians(a)
        c, s = math.cos(rad), math.sin(rad)
    # p' = o + R (p - o)
    return np.array(
        [
            [c, -s, ox - c * ox + s * oy],
            [s, c, oy - s * ox - c * oy],
            [0.0, 0.0, 1.0],
        ]
    )

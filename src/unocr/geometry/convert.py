"""Vectorised batch converters between boxes, rotated boxes and quads.

Pure functions on numpy arrays, named ``src_to_dst``. Array layouts, all
float64 and in absolute pixel coordinates (origin top-left, x right, y down):

* boxes: ``(N, 4)`` rows ``(x0, y0, x1, y1)`` with ``x0 <= x1`` and ``y0 <= y1``;
* rotated boxes: ``(N, 5)`` rows ``(cx, cy, width, height, angle)``, angle in
  degrees, positive = clockwise on screen; canonical form has
  ``-45 <= angle < 45`` (see :func:`canonicalize_rotated`);
* quads: ``(N, 4, 2)`` corners in the order TL, TR, BR, BL (top-left first,
  then clockwise on screen; see :func:`canonicalize_quads`).

Every conversion rule is implemented once, here (the first two steps of the
quad corner order in :mod:`unocr.geometry._corner_order`, which
:func:`canonicalize_quads` calls). The scalar shape methods call
these with ``N = 1``, except where a cheap exact shortcut avoids numpy's
per-call overhead: :func:`quad_is_canonical`, :func:`canonical_order` and
:func:`canonical_angle` recognise inputs the rule leaves unchanged (or only
reorders), and a few trivial formulas (a quad's bounds, a box's corners) run on
Python floats; ``tests/test_geometry_fastpath.py`` checks each shortcut against
the vectorised code. Each function returns a new array and never modifies its
input; an empty input gives an empty output of the right shape.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from unocr.errors import GeometryError
from unocr.geometry._corner_order import clear_turns, ring_order, ring_rows
from unocr.geometry._validate import FloatArray, as_array, check_range
from unocr.limits import MAX_COORDINATE

__all__ = [
    "boxes_to_quads",
    "boxes_to_rotated",
    "canonical_angle",
    "canonical_order",
    "canonicalize_quad_rows",
    "canonicalize_quads",
    "canonicalize_rotated",
    "canonicalize_rotated_rows",
    "check_rotated_extent",
    "point_groups_to_rotated",
    "points_to_rotated",
    "quad_is_canonical",
    "quads_area",
    "quads_to_boxes",
    "quads_to_rotated",
    "rotated_bounds",
    "rotated_corners",
    "rotated_to_boxes",
    "rotated_to_quads",
    "signed_areas",
    "validate_boxes",
    "validate_quads",
    "validate_rotated",
]

# Point pairs whose directions are candidate sides of a quad's minimum-area rectangle.
_PAIRS_I = np.array([0, 1, 2, 3, 0, 1])
_PAIRS_J = np.array([1, 2, 3, 0, 2, 3])
_NEXT = np.array([1, 2, 3, 0])  # vertex i -> i + 1 (mod 4)
_PREV = np.array([3, 0, 1, 2])
# Rows processed at once by the candidate-heavy converters (fits the CPU cache).
_ROWS = 4096
# Up to this many quads, canonicalize_quads first tries the plain-float path.
_FEW = 8
# Safety margin of the plain-float start check (radians).
_ANGLE_MARGIN = 1e-9
_QUARTER = math.pi / 4.0
# Safety margin of the vectorised start check (relative, on a side's slope).
_START_MARGIN = 1e-9
#: Rectangles whose bounds (or corners, reckoned in plain floats) all lie
#: within this of the origin have their corners inside the coordinate range
#: too (a bound on rounding, far above it): no exact check is needed.
SURELY_INSIDE = MAX_COORDINATE * (1 - 1e-9)


def validate_boxes(boxes: ArrayLike) -> FloatArray:
    """Check and convert an array of axis-aligned boxes.

    Args:
        boxes: ``(N, 4)`` array of ``(x0, y0, x1, y1)`` pixel coordinates.

    Returns:
        The boxes as an ``(N, 4)`` float64 array.

    Raises:
        GeometryError: On a wrong shape, NaN/inf, or ``x1 < x0`` / ``y1 < y0``.

    Examples:
        >>> validate_boxes([[5, 0, 1, 1]])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        unocr.errors.GeometryError: boxes[0]: expected x0 <= x1 and y0 <= y1, ...
    """
    b = as_array(boxes, (4,), "boxes")
    bad = (b[:, 2] < b[:, 0]) | (b[:, 3] < b[:, 1])
    if bad.any():
        i = int(np.argmax(bad))
        raise GeometryError(
            f"boxes[{i}]: expected x0 <= x1 and y0 <= y1, got "
            f"({', '.join(repr(float(v)) for v in b[i])})"
        )
    return b


def validate_rotated(rotated: ArrayLike) -> FloatArray:
    """Check and convert an array of rotated boxes.

    Args:
        rotated: ``(N, 5)`` array of ``(cx, cy, width, height, angle)``; pixels
            and degrees.

    Returns:
        The rotated boxes as an ``(N, 5)`` float64 array (not canonicalised).

    Raises:
        GeometryError: On a wrong shape, NaN/inf, or a negative width/height.

    Examples:
        >>> validate_rotated([[0, 0, 4, 2, 30]]).shape
        (1, 5)
    """
    r = as_array(rotated, (5,), "rotated boxes")
    bad = (r[:, 2] < 0) | (r[:, 3] < 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise GeometryError(
            f"rotated boxes[{i}]: expected width >= 0 and height >= 0, got "
            f"width={float(r[i, 2])!r}, height={float(r[i, 3])!r}"
        )
    return r


def validate_quads(quads: ArrayLike) -> FloatArray:
    """Check and convert an array of quads (order is not checked).

    Args:
        quads: ``(N, 4, 2)`` array of corner coordinates in pixels.

    Returns:
        The quads as an ``(N, 4, 2)`` float64 array.

    Raises:
        GeometryError: On a wrong shape or NaN/inf.

    Examples:
        >>> validate_quads(np.zeros((3, 4, 2))).shape
        (3, 4, 2)
    """
    return as_array(quads, (4, 2), "quads")


def boxes_to_quads(boxes: ArrayLike) -> FloatArray:
    """Convert boxes to quads (exact).

    Args:
        boxes: ``(N, 4)`` array of ``(x0, y0, x1, y1)`` in pixels.

    Returns:
        ``(N, 4, 2)`` float64 corners in canonical order TL, TR, BR, BL.

    Examples:
        >>> boxes_to_quads([[0, 0, 4, 2]])[0].tolist()
        [[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0]]
    """
    b = validate_boxes(boxes)
    out: FloatArray = b[:, [0, 1, 2, 1, 2, 3, 0, 3]].reshape(-1, 4, 2)
    return out


def quads_to_boxes(quads: ArrayLike) -> FloatArray:
    """Convert quads to their bounding boxes (lossy unless axis-aligned).

    Args:
        quads: ``(N, 4, 2)`` corners in pixels, any order.

    Returns:
        ``(N, 4)`` float64 boxes ``(x0, y0, x1, y1)``: the smallest axis-aligned
        boxes containing the quads.

    Examples:
        >>> quads_to_boxes([[[1, 0], [3, 1], [2, 3], [0, 2]]]).tolist()
        [[0.0, 0.0, 3.0, 3.0]]
    """
    q = validate_quads(quads)
    x, y = q[..., 0], q[..., 1]
    out = np.empty((q.shape[0], 4), dtype=np.float64)
    # Pairwise minimum/maximum beat a strided reduction over axis 1 by ~5x.
    out[:, 0] = np.minimum(np.minimum(x[:, 0], x[:, 1]), np.minimum(x[:, 2], x[:, 3]))
    out[:, 1] = np.minimum(np.minimum(y[:, 0], y[:, 1]), np.minimum(y[:, 2], y[:, 3]))
    out[:, 2] = np.maximum(np.maximum(x[:, 0], x[:, 1]), np.maximum(x[:, 2], x[:, 3]))
    out[:, 3] = np.maximum(np.maximum(y[:, 0], y[:, 1]), np.maximum(y[:, 2], y[:, 3]))
    return out


def boxes_to_rotated(boxes: ArrayLike) -> FloatArray:
    """Convert boxes to rotated boxes with angle 0 (canonical).

    Centre and size are rounded to floats: exact for integer (or halves,
    quarters, ...) coordinates, otherwise within rounding of the boxes
    (see :meth:`Box.to_rotated_box <unocr.geometry.Box.to_rotated_box>`).

    Args:
        boxes: ``(N, 4)`` array of ``(x0, y0, x1, y1)`` in pixels.

    Returns:
        ``(N, 5)`` float64 ``(cx, cy, width, height, 0.0)``.

    Raises:
        GeometryError: On invalid boxes, or a width or height beyond
            :data:`~unocr.limits.MAX_COORDINATE` (a box from ``-1`` to ``1e9``),
            as :meth:`Box.to_rotated_box <unocr.geometry.Box.to_rotated_box>`
            raises.

    Examples:
        >>> boxes_to_rotated([[0, 0, 4, 2]]).tolist()
        [[2.0, 1.0, 4.0, 2.0, 0.0]]
    """
    b = validate_boxes(boxes)
    out = np.empty((b.shape[0], 5), dtype=np.float64)
    out[:, 0] = (b[:, 0] + b[:, 2]) / 2.0
    out[:, 1] = (b[:, 1] + b[:, 3]) / 2.0
    out[:, 2] = b[:, 2] - b[:, 0]
    out[:, 3] = b[:, 3] - b[:, 1]
    out[:, 4] = 0.0
    return check_range(out, "boxes_to_rotated result")


def canonical_angle(angle: float) -> float | None:
    """The canonical angle of a rotated box whose angle is already canonical.

    Plain floats, for one box: for ``-45 <= angle < 45`` the modulo in
    :func:`canonicalize_rotated` is exact and its arithmetic reduces to
    ``(angle + 45) - 45``, which this computes the same way (width and
    height stay). Other angles, and the rare one that rounds onto ``45``,
    give ``None``: use :func:`canonicalize_rotated`.

    Args:
        angle: Degrees, clockwise on screen.

    Returns:
        The angle :func:`canonicalize_rotated` stores, or ``None``.

    Examples:
        >>> canonical_angle(-0.0), canonical_angle(100.0)
        (0.0, None)
    """
    if not -45.0 <= angle < 45.0:
        return None
    a = (angle + 45.0) - 45.0
    return a + 0.0 if -45.0 <= a < 45.0 else None


def canonicalize_rotated(rotated: ArrayLike) -> FloatArray:
    """Bring rotated boxes to canonical form.

    A rectangle ``(w, h, a)`` equals ``(h, w, a + 90)`` and ``(w, h, a + 180)``.
    The canonical form picks the one with ``-45 <= angle < 45``; ``width`` is then
    the side that runs along the angle's direction (nearest to horizontal).

    Args:
        rotated: ``(N, 5)`` array of ``(cx, cy, width, height, angle)``.

    Returns:
        ``(N, 5)`` float64 canonical rotated boxes.

    Examples:
        >>> canonicalize_rotated([[0, 0, 2, 8, 100]]).tolist()
        [[0.0, 0.0, 8.0, 2.0, 10.0]]
    """
    r: FloatArray = validate_rotated(rotated).copy()
    if r.shape[0] <= _FEW:  # a few rows: plain floats beat numpy's overhead
        rows = r.tolist()
        angles = [canonical_angle(row[4]) for row in rows]
        if None not in angles:
            r[:, 4] = angles
            return r
    return canonicalize_rotated_rows(r)


def canonicalize_rotated_rows(r: FloatArray) -> FloatArray:
    """The vectorised rule of :func:`canonicalize_rotated`, without shortcuts.

    For validated arrays; used by the shapes and to check the scalar
    shortcut (:func:`canonical_angle`) against the rule.

    Args:
        r: ``(N, 5)`` float64 rotated boxes, already validated; modified in
            place.

    Returns:
        ``r``, in canonical form.
    """
    a = np.mod(r[:, 4] + 45.0, 180.0) - 45.0  # [-45, 135)
    a = np.where(a >= 135.0, a - 180.0, a)  # float rounding of mod
    swap = a >= 45.0
    a = np.where(swap, a - 90.0, a)
    a = np.where(a < -45.0, -45.0, a)
    w = np.where(swap, r[:, 3], r[:, 2])
    h = np.where(swap, r[:, 2], r[:, 3])
    r[:, 2] = w
    r[:, 3] = h
    r[:, 4] = a + 0.0  # no negative zero
    return r


def rotated_to_quads(rotated: ArrayLike) -> FloatArray:
    """Convert rotated boxes to quads (exact).

    Args:
        rotated: ``(N, 5)`` array of ``(cx, cy, width, height, angle)``; pixels
            and degrees clockwise on screen; any (not only canonical) form.

    Returns:
        ``(N, 4, 2)`` float64 corners in canonical order TL, TR, BR, BL.

    Examples:
        >>> rotated_to_quads([[2, 1, 4, 2, 0]])[0].tolist()
        [[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0]]
        >>> rotated_to_quads([[0, 0, 2, 2, 90]])[0].round(9).tolist()
        [[-1.0, -1.0], [1.0, -1.0], [1.0, 1.0], [-1.0, 1.0]]
    """
    return canonicalize_quads(rotated_corners(canonicalize_rotated(rotated)))


def rotated_corners(rotated: FloatArray) -> FloatArray:
    """The corners of rotated boxes, in the order the angle gives (not checked).

    Args:
        rotated: ``(N, 5)`` float64 ``(cx, cy, width, height, angle)``,
            already validated.

    Returns:
        ``(N, 4, 2)`` corners: centre - u - v, + u - v, + u + v, - u + v
        (``u`` half the width along the angle, ``v`` half the height 90
        degrees clockwise from it), coordinates not range-checked.
    """
    r = rotated
    rad = np.deg2rad(r[:, 4])
    c, s = np.cos(rad), np.sin(rad)
    hw, hh = r[:, 2] / 2.0, r[:, 3] / 2.0
    ux, uy = c * hw, s * hw  # half width, along the angle
    vx, vy = -s * hh, c * hh  # half height, 90 deg clockwise
    q = np.empty((r.shape[0], 4, 2), dtype=np.float64)
    for k, x_or_y in enumerate(((r[:, 0], ux, vx), (r[:, 1], uy, vy))):
        ctr, u, v = x_or_y
        lo, hi = ctr - u, ctr + u
        q[:, 0, k] = lo - v  # centre - u - v
        q[:, 1, k] = hi - v
        q[:, 2, k] = hi + v
        q[:, 3, k] = lo + v
    return q


def rotated_to_boxes(rotated: ArrayLike) -> FloatArray:
    """Convert rotated boxes to their bounding boxes (lossy unless angle is 0).

    Computed from the canonical form (:func:`canonicalize_rotated`), as
    :meth:`RotatedBox.to_box <unocr.geometry.RotatedBox.to_box>` computes
    them: each row gives the bounds of ``RotatedBox(*row)``, bit for bit.

    Args:
        rotated: ``(N, 5)`` array of ``(cx, cy, width, height, angle)``; pixels
            and degrees clockwise on screen; any (not only canonical) form.

    Returns:
        ``(N, 4)`` float64 boxes ``(x0, y0, x1, y1)``.

    Raises:
        GeometryError: On invalid rotated boxes, or a rectangle whose bounds
            or corners reach beyond :data:`~unocr.limits.MAX_COORDINATE` (a
            centre at ``1e9`` with a width of ``2``), as the
            :class:`~unocr.geometry.RotatedBox` constructor raises.

    Examples:
        >>> rotated_to_boxes([[2, 1, 4, 2, 0]]).tolist()
        [[0.0, 0.0, 4.0, 2.0]]
    """
    return check_rotated_extent(canonicalize_rotated(rotated), "rotated_to_boxes")


def rotated_bounds(rotated: FloatArray) -> FloatArray:
    """The bounding boxes of rotated boxes (not checked).

    Args:
        rotated: ``(N, 5)`` float64 ``(cx, cy, width, height, angle)``,
            already validated.

    Returns:
        ``(N, 4)`` float64 boxes ``(x0, y0, x1, y1)`` in pixels, coordinates
        not range-checked (:func:`rotated_to_boxes` is the checked version).
    """
    r = rotated
    rad = np.deg2rad(r[:, 4])
    c, s = np.abs(np.cos(rad)), np.abs(np.sin(rad))
    ex = (r[:, 2] * c + r[:, 3] * s) / 2.0
    ey = (r[:, 2] * s + r[:, 3] * c) / 2.0
    return np.stack([r[:, 0] - ex, r[:, 1] - ey, r[:, 0] + ex, r[:, 1] + ey], axis=1)


def check_rotated_extent(rotated: FloatArray, name: str) -> FloatArray:
    """Refuse rotated boxes whose bounds or corners leave the coordinate range.

    A rectangle's centre and size may each lie within the range while its
    bounds and corners (what every writer reads) do not.

    Args:
        rotated: ``(N, 5)`` float64 canonical rotated boxes, already validated.
        name: What is checked, for the message (``"<name> bounds"`` or
            ``"<name> corners"``).

    Returns:
        ``(N, 4)`` float64 bounding boxes (:func:`rotated_bounds`), checked.

    Raises:
        GeometryError: If a bound or a corner lies beyond
            :data:`~unocr.limits.MAX_COORDINATE`.
    """
    bounds = check_range(rotated_bounds(rotated), f"{name} bounds")
    near = np.abs(bounds).max(axis=1, initial=0.0) > SURELY_INSIDE
    if near.any():  # corners rounded past bounds at the range's edge
        check_range(rotated_corners(rotated[near]), f"{name} corners")
    return bounds


def quads_area(quads: ArrayLike) -> FloatArray:
    """Signed shoelace area of quads, positive for clockwise-on-screen order.

    Args:
        quads: ``(N, 4, 2)`` corners in pixels.

    Returns:
        ``(N,)`` float64 signed areas in square pixels (positive for TL, TR, BR,
        BL order; take ``abs`` for the area of a simple quad).

    Examples:
        >>> quads_area([[[0, 0], [4, 0], [4, 2], [0, 2]]]).tolist()
        [8.0]
    """
    q = validate_quads(quads)
    return signed_areas(q)


def signed_areas(pts: FloatArray) -> FloatArray:
    """Shoelace signed areas of rings, positive for clockwise-on-screen order.

    No validation: for arrays already checked (finite, within the coordinate
    range), as inside the shapes. :func:`quads_area` is the checked version.

    Args:
        pts: ``(..., K, 2)`` float64 ring vertices in pixels (not closed).

    Returns:
        ``(...)`` float64 signed areas in square pixels.

    Examples:
        >>> signed_areas(np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 2.0]])).item()
        4.0
    """
    x, y = pts[..., 0], pts[..., 1]
    inner = x[..., :-1] * y[..., 1:] - x[..., 1:] * y[..., :-1]
    closing = x[..., -1] * y[..., 0] - x[..., 0] * y[..., -1]
    out: FloatArray = 0.5 * (inner.sum(axis=-1) + closing)
    return out


def quad_is_canonical(flat: Sequence[float]) -> bool:
    """Cheap test that :func:`canonicalize_quads` would leave a quad unchanged.

    Plain Python floats, no numpy: a few microseconds, where the vectorised
    canonicalisation of a single quad costs tens. Steps 1 and 2 of the rule
    are computed with the batch code's own float expressions; step 3 (the
    start) is checked with a safety margin: no side has zero length, and the
    first side's direction is clearly the nearest to +x inside ``[-45, 45)``
    degrees. Quads within ``1e-9`` radians of that decision answer ``False``.

    ``True`` is a guarantee (the batch function returns these points as
    given); ``False`` only means "not shown here": canonicalise in full.

    Args:
        flat: 8 floats ``x0, y0, x1, y1, x2, y2, x3, y3`` (pixels), corners in
            the order to test.

    Returns:
        Whether the points are finite and already in canonical order.

    Examples:
        >>> quad_is_canonical([0, 0, 4, 0, 4, 2, 0, 2])
        True
        >>> quad_is_canonical([4, 0, 4, 2, 0, 2, 0, 0])  # TR first
        False
    """
    return canonical_order(flat) == [0, 1, 2, 3]


def canonical_order(flat: Sequence[float]) -> list[int] | None:
    """Cheaply find the corner order :func:`canonicalize_quads` would produce.

    Plain Python floats: steps 1 and 2 of the rule (the ring and its
    direction) are decided with the same float expressions as the batch code
    (:func:`~unocr.geometry._corner_order.ring_order`); the start (step 3)
    is accepted only where it is clear by a ``1e-9`` radian margin.

    Args:
        flat: 8 floats ``x0, y0, ..., x3, y3`` (pixels), corners in any order.

    Returns:
        ``perm`` such that ``points[perm]`` is the canonical quad, or ``None``
        when the cheap checks cannot tell (a zero-length side, sides at nearly
        the same angle or at nearly +-45 degrees, NaN/inf): canonicalise in
        full.

    Examples:
        >>> canonical_order([4, 0, 4, 2, 0, 2, 0, 0])  # TR, BR, BL, TL
        [3, 0, 1, 2]
        >>> canonical_order([0, 0, 4, 2, 4, 0, 0, 2])  # a bow tie
        [0, 2, 1, 3]
    """
    if not math.isfinite(sum(flat)):
        return None  # NaN/inf, or too large to add up: the full path decides
    ring = ring_order(flat)
    i, j, k, m = ring
    x0, y0, x1, y1 = flat[2 * i], flat[2 * i + 1], flat[2 * j], flat[2 * j + 1]
    x2, y2, x3, y3 = flat[2 * k], flat[2 * k + 1], flat[2 * m], flat[2 * m + 1]
    sides = (
        (x1 - x0, y1 - y0),
        (x2 - x1, y2 - y1),
        (x3 - x2, y3 - y2),
        (x0 - x3, y0 - y3),
    )
    if (0.0, 0.0) in sides:  # a zero-length side (-0.0 == 0.0 too)
        return None
    turns = [abs(math.atan2(uy, ux)) for ux, uy in sides]
    nearest = min(turns)
    if not nearest < _QUARTER - _ANGLE_MARGIN:
        return None
    start = turns.index(nearest)
    bound = nearest + _ANGLE_MARGIN
    if sum(t <= bound for t in turns) > 1:
        return None
    return ring[start:] + ring[:start]


def canonicalize_quads(quads: ArrayLike) -> FloatArray:
    """Reorder quad corners to the canonical TL, TR, BR, BL order.

    The rule, applied row by row without a Python loop:

    1. Four corners make three rings (cyclic orders). The given ring is
       kept when it is clearly simple, so concave quads keep their shape.
       Otherwise (a crossing "bow tie", as when corners arrive in arbitrary
       order, or a ring that folds back over a side, or comes within
       float noise of one) the simple ring of largest area is used, the
       given one on a tie; with none simple (collinear corners), the ring
       of largest area. So a triangle with a corner on a side is the whole
       triangle, never a ring folded back over part of it.
    2. The ring is run clockwise on screen (positive shoelace area with y
       pointing down); a zero-area ring keeps the given direction.
    3. The start is rotated so that the first side, TL -> TR, is the side whose
       direction is nearest to the +x axis, preferring ``-45 <= angle < 45``
       degrees, the same range as canonical :class:`RotatedBox` angles. A
       zero-length side takes the direction of the previous side turned 90
       degrees clockwise, so degenerate (zero-width) boxes still start at TL.

    Steps 1 and 2 are decided from the corners sorted by ``(x, y)``
    (:mod:`unocr.geometry._corner_order`), so a rotation of the given order
    (or a reversal, for a quad with an area) gives the same result, and the
    rule is exactly idempotent: canonicalising a canonical quad changes
    nothing.

    Args:
        quads: ``(N, 4, 2)`` corners in pixels, any order.

    Returns:
        ``(N, 4, 2)`` float64 corners in canonical order.

    Examples:
        >>> canonicalize_quads([[[4, 2], [0, 0], [4, 0], [0, 2]]])[0].tolist()
        [[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0]]
    """
    q = validate_quads(quads)
    n = q.shape[0]
    if n == 0:
        empty: FloatArray = q.copy()
        return empty
    if n <= _FEW:  # a few quads: plain floats beat numpy's per-call overhead
        perms = [canonical_order(row) for row in q.reshape(n, 8).tolist()]
        if None not in perms:
            out: FloatArray = q[np.arange(n)[:, None], np.array(perms)]
            return out
    # Upright rectangles given TL, TR, BR, BL (most engines' words) are
    # canonical already: the rule keeps them, so only the others go through it.
    x, y = q[..., 0], q[..., 1]
    upright = (
        (x[:, 0] == x[:, 3])
        & (x[:, 1] == x[:, 2])
        & (y[:, 0] == y[:, 1])
        & (y[:, 2] == y[:, 3])
        & (x[:, 1] > x[:, 0])
        & (y[:, 3] > y[:, 0])
    )
    kept: FloatArray = q.copy()
    if upright.all():
        return kept
    # So are clearly convex rings run clockwise whose first side is clearly
    # the one nearest +x (tilted words given TL, TR, BR, BL).
    rest = np.flatnonzero(~upright)
    todo = rest[~_kept_as_given(q[rest])]
    if todo.size:
        kept[todo] = canonicalize_quad_rows(q[todo])
    return kept


def _kept_as_given(q: FloatArray) -> NDArray[np.bool_]:
    """Per quad: does the rule clearly leave it as given?

    Steps 1 and 2 with the batch code's own expressions (a ring that clearly
    turns right at every corner is kept); step 3 with a ``1e-9`` margin on
    the tangent: the first side within ``[-45, 45)`` degrees of +x, every
    other side clearly outside, so the first is the start with no tie.
    ``False`` only means "not shown here".

    Args:
        q: ``(N, 4, 2)`` float64 corners, finite, ``N > 0``.

    Returns:
        ``(N,)`` bool.
    """
    right, _ = clear_turns(q)
    d = q[:, _NEXT] - q
    dx, dy = d[..., 0], d[..., 1]
    near = 1.0 - _START_MARGIN
    first = (dx[:, 0] > 0) & (np.abs(dy[:, 0]) < dx[:, 0] * near)
    others = ((dx[:, 1:] <= 0) | (np.abs(dy[:, 1:]) * near > dx[:, 1:])).all(axis=1)
    given: NDArray[np.bool_] = right & first & others
    return given


def canonicalize_quad_rows(q: FloatArray) -> FloatArray:
    """The vectorised rule of :func:`canonicalize_quads`, without shortcuts.

    For validated arrays: the shapes call it where the cheap scalar checks
    cannot decide, and the tests check those checks against it.

    Args:
        q: ``(N, 4, 2)`` float64 corners, already validated, ``N > 0``.

    Returns:
        ``(N, 4, 2)`` corners in canonical order (a new array).
    """
    rows = np.arange(q.shape[0])[:, None]
    # 1. the ring (kept if clearly simple, else the simple one of most area)
    # 2. clockwise on screen
    q = ring_rows(q)
    # 3. start vertex: the side nearest to +x
    d = q[:, _NEXT] - q  # side i: vertex i -> i+1
    zero = (d[..., 0] == 0) & (d[..., 1] == 0)
    prev = d[:, _PREV]
    turned = np.stack([-prev[..., 1], prev[..., 0]], axis=-1)  # +90 deg on screen
    d = np.where(zero[..., None], turned, d)
    still_zero = (d[..., 0] == 0) & (d[..., 1] == 0)
    ang = np.degrees(np.arctan2(d[..., 1], d[..., 0]))
    inside = (ang >= -45.0) & (ang < 45.0)
    key = np.where(inside, np.abs(ang), 1000.0 + np.abs(ang))
    key = np.where(still_zero, np.inf, key)
    start = np.argmin(key, axis=1)
    tied = key == key[rows[:, 0], start][:, None]
    if (tied.sum(axis=1) > 1).any():
        start = _first_of_ties(q, tied)
    idx = (start[:, None] + np.arange(4)[None, :]) % 4
    out: FloatArray = q[rows, idx]
    return out


def _first_of_ties(q: FloatArray, tied: NDArray[np.bool_]) -> NDArray[np.intp]:
    """Among equally good starts, the one giving the smallest corner list.

    Sides can tie (a zero-length side turned onto a real one, parallel
    sides of a degenerate ring); comparing the rotated corner lists
    ``x0, y0, x1, ...`` then decides by value, so the result does not depend
    on where the ring's array happens to begin (repeated corners).

    Args:
        q: ``(N, 4, 2)`` rings.
        tied: ``(N, 4)`` starts whose side has the smallest key.

    Returns:
        ``(N,)`` the chosen start of each ring.
    """
    idx = (np.arange(4)[:, None] + np.arange(4)[None, :]) % 4  # (start, k)
    flat = q[:, idx].reshape(q.shape[0], 4, 8)  # each start's corner list
    left = tied.copy()
    for j in range(8):
        v = np.where(left, flat[..., j], np.inf)
        left &= v == v.min(axis=1, keepdims=True)
    out: NDArray[np.intp] = np.argmax(left, axis=1)
    return out


def _tie_key(ux: FloatArray, uy: FloatArray) -> FloatArray:
    """Order-independent preference among equally small rectangles.

    ``tan`` of the absolute canonical angle of each direction (0 to 1: nearest
    to horizontal first), plus ``1e-6`` for negative angles, so that ``+a``
    wins over ``-a``.
    """
    ax, ay = np.abs(ux), np.abs(uy)
    lo, hi = np.minimum(ax, ay), np.maximum(ax, ay)
    t = lo / np.where(hi > 0, hi, 1.0)
    negative = (ux * uy < 0) != (ax < ay)
    out: FloatArray = t + 1e-6 * negative
    return out


def _pick(ux: FloatArray, uy: FloatArray, area: FloatArray) -> NDArray[np.intp]:
    """Index of the minimum-area candidate per row (candidates on axis 0).

    Several directions can give the same minimal area (a right triangle has
    two). A relative bias of at most ``3e-10`` by :func:`_tie_key` makes the
    choice among such ties independent of vertex order: the direction with the
    canonical angle nearest to 0 wins.
    """
    biased = area * (1.0 + 1e-10 * _tie_key(ux, uy))
    out: NDArray[np.intp] = np.argmin(biased, axis=0)
    return out


def _min_area_rect(
    pts: FloatArray, u: FloatArray
) -> tuple[FloatArray, NDArray[np.intp]]:
    """Minimum-area rectangle of point sets over candidate side directions.

    Args:
        pts: ``(N, K, 2)`` points.
        u: ``(N, C, 2)`` unit side directions to try.

    Returns:
        ``(N, 5)`` rotated boxes (not canonicalised) and the chosen candidate
        index per row.
    """
    v = np.stack([-u[..., 1], u[..., 0]], axis=-1)
    # (N, C, K) projections; broadcasting beats einsum on these short axes
    x, y = pts[:, None, :, 0], pts[:, None, :, 1]
    pu = u[..., 0, None] * x + u[..., 1, None] * y
    pv = v[..., 0, None] * x + v[..., 1, None] * y
    umin, umax = pu.min(axis=2), pu.max(axis=2)
    vmin, vmax = pv.min(axis=2), pv.max(axis=2)
    k = _pick(u[..., 0].T, u[..., 1].T, ((umax - umin) * (vmax - vmin)).T)
    rows = np.arange(pts.shape[0])
    uk, vk = u[rows, k], v[rows, k]
    cu = (umin[rows, k] + umax[rows, k]) / 2.0
    cv = (vmin[rows, k] + vmax[rows, k]) / 2.0
    out = np.empty((pts.shape[0], 5), dtype=np.float64)
    out[:, :2] = uk * cu[:, None] + vk * cv[:, None]
    out[:, 2] = umax[rows, k] - umin[rows, k]
    out[:, 3] = vmax[rows, k] - vmin[rows, k]
    out[:, 4] = np.degrees(np.arctan2(uk[:, 1], uk[:, 0]))
    return out, k


def _unit(d: FloatArray) -> FloatArray:
    length = np.hypot(d[..., 0], d[..., 1])
    safe = np.where(length > 0, length, 1.0)
    u = d / safe[..., None]
    u[length == 0] = (1.0, 0.0)
    return u


def quads_to_rotated(quads: ArrayLike) -> FloatArray:
    """Convert quads to rotated boxes: the minimum-area enclosing rectangle.

    Exact when the quad is a rectangle; otherwise the smallest rectangle (of any
    orientation) that contains the quad.

    Args:
        quads: ``(N, 4, 2)`` corners in pixels, any order.

    Returns:
        ``(N, 5)`` float64 canonical rotated boxes ``(cx, cy, w, h, angle)``.

    Examples:
        >>> quads_to_rotated([[[0, 0], [4, 0], [4, 2], [0, 2]]]).tolist()
        [[2.0, 1.0, 4.0, 2.0, 0.0]]
    """
    q = validate_quads(quads)
    n = q.shape[0]
    if n == 0:
        return np.zeros((0, 5), dtype=np.float64)
    x, y = np.ascontiguousarray(q[..., 0]), np.ascontiguousarray(q[..., 1])
    # A side of the minimum-area rectangle lies along a convex-hull side; the 6
    # point pairs (4 sides and 2 diagonals, whatever the corner order) include
    # every hull side of every quad, concave ones too.
    out = np.empty((n, 5), dtype=np.float64)
    for start in range(0, n, _ROWS):  # cache-sized chunks: ~4x faster than one
        part = slice(start, start + _ROWS)
        out[part] = _rect_from_pairs(x[part], y[part], _PAIRS_I, _PAIRS_J)
    return canonicalize_rotated(out)


def _rect_from_pairs(
    x: FloatArray, y: FloatArray, pi: NDArray[np.intp], pj: NDArray[np.intp]
) -> FloatArray:
    """Minimum-area rectangles of 4-point sets over the point-pair directions.

    Works candidate-major on contiguous ``(C, N)`` arrays, so that every
    reduction over candidates or corners is an elementwise operation: several
    times faster than reducing the short last axis of ``(N, C, 4)`` arrays.

    Args:
        x: ``(N, 4)`` x coordinates.
        y: ``(N, 4)`` y coordinates.
        pi: ``(C,)`` first point of each candidate direction.
        pj: ``(C,)`` second point of each candidate direction.

    Returns:
        ``(N, 5)`` rotated boxes, not canonicalised.
    """
    n = x.shape[0]
    xt, yt = np.ascontiguousarray(x.T), np.ascontiguousarray(y.T)  # (4, N)
    dx, dy = xt[pj] - xt[pi], yt[pj] - yt[pi]  # (C, N)
    length = np.hypot(dx, dy)
    zero = length == 0
    length[zero] = 1.0
    ux, uy = dx / length, dy / length
    ux[zero] = 1.0
    uy[zero] = 0.0
    pu = [ux * xt[k] + uy * yt[k] for k in range(4)]
    pv = [ux * yt[k] - uy * xt[k] for k in range(4)]
    umin = np.minimum(np.minimum(pu[0], pu[1]), np.minimum(pu[2], pu[3]))
    umax = np.maximum(np.maximum(pu[0], pu[1]), np.maximum(pu[2], pu[3]))
    vmin = np.minimum(np.minimum(pv[0], pv[1]), np.minimum(pv[2], pv[3]))
    vmax = np.maximum(np.maximum(pv[0], pv[1]), np.maximum(pv[2], pv[3]))
    k = _pick(ux, uy, (umax - umin) * (vmax - vmin))
    cols = np.arange(n)
    uxk, uyk = ux[k, cols], uy[k, cols]
    lo_u, hi_u, lo_v, hi_v = umin[k, cols], umax[k, cols], vmin[k, cols], vmax[k, cols]
    cu, cv = (lo_u + hi_u) / 2.0, (lo_v + hi_v) / 2.0
    out = np.empty((n, 5), dtype=np.float64)
    out[:, 0] = uxk * cu - uyk * cv
    out[:, 1] = uyk * cu + uxk * cv
    out[:, 2] = hi_u - lo_u
    out[:, 3] = hi_v - lo_v
    out[:, 4] = np.degrees(np.arctan2(uyk, uxk))
    return out


def points_to_rotated(points: ArrayLike) -> FloatArray:
    """Minimum-area rectangle around one set of points.

    Args:
        points: ``(K, 2)`` pixel coordinates, ``K >= 1``.

    Returns:
        ``(5,)`` float64 canonical rotated box ``(cx, cy, w, h, angle)``.

    Raises:
        GeometryError: If there are no points.

    Examples:
        >>> points_to_rotated([[0, 0], [4, 0], [4, 2], [0, 2], [1, 1]]).tolist()
        [2.0, 1.0, 4.0, 2.0, 0.0]
    """
    pts = as_array(points, (2,), "points")
    if pts.shape[0] == 0:
        raise GeometryError("points: expected at least one point, got none")
    out: FloatArray = point_groups_to_rotated(pts, np.zeros(pts.shape[0], np.intp))[0]
    return out


def point_groups_to_rotated(points: ArrayLike, groups: ArrayLike) -> FloatArray:
    """Minimum-area rectangle around each group of points, all groups at once.

    The same rectangle as :func:`points_to_rotated` gives for each group alone
    (one convex hull per group, computed by GEOS in one vectorised call), so
    the enclosing shapes of many lines cost about as much as one.

    Args:
        points: ``(K, 2)`` pixel coordinates.
        groups: ``(K,)`` group number of each point, ``0 .. M - 1``; every
            number up to the largest has at least one point.

    Returns:
        ``(M, 5)`` float64 canonical rotated boxes ``(cx, cy, w, h, angle)``,
        row ``m`` enclosing the points of group ``m``.

    Raises:
        GeometryError: On a shape mismatch, a negative group number or a
            group without points.

    Examples:
        >>> point_groups_to_rotated(
        ...     [[0, 0], [4, 0], [4, 2], [9, 9], [10, 9], [10, 10]], [0, 0, 0, 1, 1, 1]
        ... ).tolist()
        [[2.0, 1.0, 4.0, 2.0, 0.0], [9.5, 9.5, 1.0, 1.0, 0.0]]
    """
    import shapely

    pts = as_array(points, (2,), "points")
    g = np.asarray(groups)
    if g.shape != (pts.shape[0],) or (g.size and g.dtype.kind not in "iu"):
        raise GeometryError(
            f"groups: expected {pts.shape[0]} integers (one per point), got "
            f"shape {g.shape} of {g.dtype}"
        )
    if g.size == 0:
        return np.zeros((0, 5), dtype=np.float64)
    g = g.astype(np.intp)
    if g.min() < 0:
        raise GeometryError("groups: expected group numbers >= 0")
    counts = np.bincount(g)
    if not counts.all():
        raise GeometryError(
            f"groups: group {int(np.argmin(counts))} has no points; number the "
            "groups 0 .. M - 1 without gaps"
        )
    m = counts.size
    order = np.argsort(g, kind="stable")
    pts, g = pts[order], g[order]
    # A line string through a group's points has their hull (~5x faster to
    # build than a multipoint); a lone point is doubled to make a line.
    lone = np.flatnonzero(counts == 1)
    if lone.size:
        firsts = np.searchsorted(g, lone)
        pts = np.concatenate([pts, pts[firsts]])
        g = np.concatenate([g, lone])
        order = np.argsort(g, kind="stable")
        pts, g = pts[order], g[order]
    hulls = shapely.convex_hull(shapely.linestrings(pts, indices=g))
    hull, owner = shapely.get_coordinates(hulls, return_index=True)
    # The rectangle of a point set is that of its hull's vertices (exact
    # copies of input points), with a side along one of the hull's sides.
    same = owner[1:] == owner[:-1]
    sides = _unit(np.diff(hull, axis=0)[same])
    side_owner = owner[1:][same]
    return canonicalize_rotated(
        _min_area_rect(
            _pad_groups(hull, owner, m, np.array([[0.0, 0.0]])),
            _pad_groups(sides, side_owner, m, np.array([[1.0, 0.0]])),
        )[0]
    )


def _pad_groups(
    rows: FloatArray, owner: NDArray[np.intp], m: int, empty: FloatArray
) -> FloatArray:
    """``(M, L, 2)`` rows per group, short groups padded with their first row.

    Repeating a row changes neither a minimum nor a maximum nor the first
    minimum's position, so padded groups give the results of unpadded ones.
    A group without rows gets ``empty``.
    """
    counts = np.bincount(owner, minlength=m)
    missing = np.flatnonzero(counts == 0)
    if missing.size:
        rows = np.concatenate([rows, np.repeat(empty, missing.size, axis=0)])
        owner = np.concatenate([owner, missing])
        order = np.argsort(owner, kind="stable")
        rows, owner = rows[order], owner[order]
        counts[missing] = 1
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    width = int(counts.max())
    index = starts[:, None] + np.minimum(np.arange(width)[None, :], counts[:, None] - 1)
    out: FloatArray = rows[index]
    return out

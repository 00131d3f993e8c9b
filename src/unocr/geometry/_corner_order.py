"""Steps 1 and 2 of the quad corner-order rule: which ring, which direction.

Four corners make three rings (cyclic orders up to direction). Step 1 keeps
the given ring when it is clearly simple; otherwise it takes the simple ring
of largest area (a convex quad's outline; for a triangle with a corner on a
side, the whole triangle, not a ring folded back over part of it). Step 2
runs the ring clockwise on screen. :func:`ring_rows` applies them to arrays,
:func:`ring_order` to one quad in plain floats, with the same float
expressions, so both decide exactly alike.

Every decision comes from the corners sorted by ``(x, y)`` (a stable sort):
four orientations, one per triple of corners, each computed once from that
order. A ring's simplicity, area and direction are then the same whichever
corner the input starts at and whichever way it runs, so canonicalising a
canonical quad changes nothing, bit for bit. One shortcut skips the sort: a
quad whose given corners turn the same way at every corner, each turn beyond
twice the margin, is convex, and those four orientations are then sure to
have the same signs in any order of evaluation (their float error is about
``1e-15`` of the size squared, the margin ``1e-9`` of it), so the rule keeps
its ring; only its direction is set.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from unocr.geometry._validate import FloatArray

__all__ = ["clear_turns", "ring_order", "ring_rows"]

# The three rings, as positions in the sorted corners: ring k pairs sorted
# corner 0 with a different opposite corner (2, 3, 1).
_RINGS = np.array([[0, 1, 2, 3], [0, 1, 3, 2], [0, 2, 1, 3]])
_SCALAR_RINGS = ((0, 1, 2, 3), (0, 1, 3, 2), (0, 2, 1, 3))
# The ring whose corner opposite sorted corner 0 is sorted corner i.
_RING_OF_OPPOSITE = np.array([-1, 2, 0, 1])
_SCALAR_RING_OF_OPPOSITE = (-1, 2, 0, 1)
_NEXT = np.array([1, 2, 3, 0])
# A quad whose corners turn clearly one way at every corner (each turn beyond
# twice the margin below) is convex: its ring is clearly simple, and the rule
# keeps it, so the sorting can be skipped. The turns' float error is far below
# the margin while the quad's size is a normal float (its square too).
_NORMAL = 1e-100
# A corner nearer than this (relative to the quad's size times its size plus
# its distance from the origin: far above float noise) to a side it does not
# touch counts as on that side: the ring is not clearly simple.
FOLD_MARGIN = 1e-9


def _clean_rows(s: FloatArray) -> NDArray[np.bool_]:
    """Whether each ring has no pair of opposite sides that cross or touch.

    From the signs of the orientations of the four triples of sorted corners,
    rows ``012``, ``013``, ``023``, ``123`` of ``s`` (``(4, N)``). Segments
    ``01`` and ``23`` meet when 2 and 3 are not strictly on one side of line
    01 and 0 and 1 not strictly on one side of line 23; likewise ``02``/``13``
    and ``03``/``12``. Ring 0 (``0123``) has the opposite sides ``01``/``23``
    and ``12``/``30``, ring 1 (``0132``) ``01``/``32`` and ``13``/``20``,
    ring 2 (``0213``) ``02``/``13`` and ``21``/``30``.

    Returns:
        ``(N, 3)``: whether rings 0, 1, 2 are clean.
    """
    s012, s013, s023, s123 = s
    x01_23 = (s012 * s013 <= 0) & (s023 * s123 <= 0)
    x02_13 = (s012 * s023 >= 0) & (s013 * s123 >= 0)
    x03_12 = (s013 * s023 <= 0) & (s012 * s123 <= 0)
    return np.stack([~(x01_23 | x03_12), ~(x01_23 | x02_13), ~(x02_13 | x03_12)], 1)


def clear_turns(q: FloatArray) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Per quad: whether its ring, as given, clearly turns right at every corner.

    Clearly: by more than the fold margin, which makes the ring simple and
    kept as given (right: clockwise on screen) or reversed (left) by step 1.

    Args:
        q: ``(N, 4, 2)`` float64 corners, finite, ``N > 0``.

    Returns:
        ``(N,)`` right (clockwise on screen, y down) and ``(N,)`` left.
    """
    x, y = q[..., 0], q[..., 1]
    span = np.maximum(x.max(axis=1) - x.min(axis=1), y.max(axis=1) - y.min(axis=1))
    bound = 2.0 * FOLD_MARGIN * span * (span + np.abs(q).max(axis=(1, 2)))
    dx, dy = x[:, _NEXT] - x, y[:, _NEXT] - y  # side i: corner i -> i + 1
    turn = dx * dy[:, _NEXT] - dy * dx[:, _NEXT]  # at corner i + 1
    normal = (span > _NORMAL)[:, None]
    right = ((turn > bound[:, None]) & normal).all(axis=1)
    left = ((turn < -bound[:, None]) & normal).all(axis=1)
    return right, left


def ring_rows(q: FloatArray) -> FloatArray:
    """Steps 1 and 2 of the rule for validated quads, vectorised.

    Args:
        q: ``(N, 4, 2)`` float64 corners, finite, ``N > 0``.

    Returns:
        ``(N, 4, 2)`` corners in ring order, clockwise on screen (a zero-area
        ring keeps the given direction); step 3 picks the start.
    """
    right, left = clear_turns(q)
    out: FloatArray = np.where(left[:, None, None], q[:, [0, 3, 2, 1]], q)
    rest = ~(right | left)
    if rest.any():
        out[rest] = _sorted_rings(q[rest])
    return out


def _sorted_rings(q: FloatArray) -> FloatArray:
    """:func:`ring_rows` from the sorted corners (the rule itself)."""
    n = q.shape[0]
    every = np.arange(n)
    rows = every[:, None]
    order = np.lexsort((q[..., 1], q[..., 0]), axis=-1)
    p = q[rows, order]
    x, y = p[..., 0], p[..., 1]
    e1x, e1y = x[:, 1] - x[:, 0], y[:, 1] - y[:, 0]
    e2x, e2y = x[:, 2] - x[:, 0], y[:, 2] - y[:, 0]
    e3x, e3y = x[:, 3] - x[:, 0], y[:, 3] - y[:, 0]
    f2x, f2y = x[:, 2] - x[:, 1], y[:, 2] - y[:, 1]
    f3x, f3y = x[:, 3] - x[:, 1], y[:, 3] - y[:, 1]
    d = np.stack(
        [
            e1x * e2y - e1y * e2x,  # orientation of sorted corners 0, 1, 2
            e1x * e3y - e1y * e3x,  # 0, 1, 3
            e2x * e3y - e2y * e3x,  # 0, 2, 3
            f2x * f3y - f2y * f3x,  # 1, 2, 3
        ]
    )
    span = np.maximum(x[:, 3] - x[:, 0], y.max(axis=1) - y.min(axis=1))
    size = np.abs(p).max(axis=(1, 2))
    tol = FOLD_MARGIN * span * (span + size)
    sign = np.sign(d)
    clean = _clean_rows(sign)
    sure = _clean_rows(np.where(np.abs(d) > tol, sign, 0.0))
    area = np.stack([d[0] + d[2], d[1] - d[2], d[1] - d[0]], axis=1)  # twice
    pos = np.argsort(order, axis=1)  # sorted position of each given corner
    first = order[:, 0]  # the given index of sorted corner 0
    given = _RING_OF_OPPOSITE[pos[every, (first + 2) % 4]]
    none_clean = ~clean.any(axis=1, keepdims=True)
    score = np.where(clean | none_clean, np.abs(area), -1.0)
    keep = sure[every, given] | (score[every, given] >= score.max(axis=1))
    k = np.where(keep, given, np.argmax(score, axis=1))
    ring = _RINGS[k]
    a = area[every, k]
    same_way = pos[every, (first + 1) % 4] == ring[:, 1]
    back = (a < 0) | ((a == 0) & (k == given) & ~same_way)
    ring = np.where(back[:, None], ring[:, [0, 3, 2, 1]], ring)
    out: FloatArray = p[rows, ring]
    return out


def _sign(v: float) -> int:
    return (v > 0) - (v < 0)


def ring_order(flat: Sequence[float]) -> list[int]:
    """Steps 1 and 2 of the rule for one quad, in plain floats.

    The same decisions as :func:`ring_rows` (its float expressions, or for a
    clearly convex quad the same certificate), so ``points[ring_order(flat)]``
    is the same ring, run the same way.

    Args:
        flat: 8 finite floats ``x0, y0, ..., x3, y3`` (pixels), any order.

    Returns:
        The given indices of the corners in ring order, clockwise on screen.

    Examples:
        >>> ring_order([0, 0, 4, 2, 4, 0, 0, 2])  # a bow tie, untangled
        [0, 2, 1, 3]
    """
    x0, y0, x1, y1, x2, y2, x3, y3 = flat
    span = max(
        max(x0, x1, x2, x3) - min(x0, x1, x2, x3),
        max(y0, y1, y2, y3) - min(y0, y1, y2, y3),
    )
    if span > _NORMAL:
        size = max(
            abs(x0), abs(y0), abs(x1), abs(y1), abs(x2), abs(y2), abs(x3), abs(y3)
        )
        bound = 2.0 * FOLD_MARGIN * span * (span + size)
        ax, ay, bx, by = x1 - x0, y1 - y0, x2 - x1, y2 - y1
        cx, cy, dx, dy = x3 - x2, y3 - y2, x0 - x3, y0 - y3
        turns = (
            ax * by - ay * bx,
            bx * cy - by * cx,
            cx * dy - cy * dx,
            dx * ay - dy * ax,
        )
        if min(turns) > bound:
            return [0, 1, 2, 3]
        if max(turns) < -bound:
            return [0, 3, 2, 1]
    return _sorted_order(flat)


def _sorted_order(flat: Sequence[float]) -> list[int]:
    """:func:`ring_order` from the sorted corners (the rule itself)."""
    order = sorted(range(4), key=lambda i: (flat[2 * i], flat[2 * i + 1]))
    i0, i1, i2, i3 = order
    x0, y0, x1, y1 = flat[2 * i0], flat[2 * i0 + 1], flat[2 * i1], flat[2 * i1 + 1]
    x2, y2, x3, y3 = flat[2 * i2], flat[2 * i2 + 1], flat[2 * i3], flat[2 * i3 + 1]
    e1x, e1y = x1 - x0, y1 - y0
    e2x, e2y = x2 - x0, y2 - y0
    e3x, e3y = x3 - x0, y3 - y0
    f2x, f2y = x2 - x1, y2 - y1
    f3x, f3y = x3 - x1, y3 - y1
    d = (
        e1x * e2y - e1y * e2x,
        e1x * e3y - e1y * e3x,
        e2x * e3y - e2y * e3x,
        f2x * f3y - f2y * f3x,
    )
    span = max(x3 - x0, max(y0, y1, y2, y3) - min(y0, y1, y2, y3))
    size = max(abs(v) for v in (x0, y0, x1, y1, x2, y2, x3, y3))
    tol = FOLD_MARGIN * span * (span + size)
    sign = [_sign(v) for v in d]
    clean = _clean_ints(*sign)
    sure = _clean_ints(
        *[s if abs(v) > tol else 0 for s, v in zip(sign, d, strict=True)]
    )
    area = (d[0] + d[2], d[1] - d[2], d[1] - d[0])
    pos = [0, 0, 0, 0]
    for j, i in enumerate(order):
        pos[i] = j
    given = _SCALAR_RING_OF_OPPOSITE[pos[(i0 + 2) % 4]]
    anyclean = any(clean)
    score = [
        abs(a) if c or not anyclean else -1.0 for a, c in zip(area, clean, strict=True)
    ]
    best = max(score)
    k = given if sure[given] or score[given] >= best else score.index(best)
    ring = _SCALAR_RINGS[k]
    a = area[k]
    if a < 0 or (a == 0 and k == given and pos[(i0 + 1) % 4] != ring[1]):
        ring = (ring[0], ring[3], ring[2], ring[1])
    return [order[j] for j in ring]


def _clean_ints(s012: int, s013: int, s023: int, s123: int) -> tuple[bool, bool, bool]:
    """:func:`_clean_rows` for one quad's integer signs."""
    x01_23 = s012 * s013 <= 0 and s023 * s123 <= 0
    x02_13 = s012 * s023 >= 0 and s013 * s123 >= 0
    x03_12 = s013 * s023 <= 0 and s012 * s123 <= 0
    return (
        not (x01_23 or x03_12),
        not (x01_23 or x02_13),
        not (x02_13 or x03_12),
    )

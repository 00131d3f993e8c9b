"""Pairwise intersection and IoU matrices.

Fast paths, all exact:

* boxes: broadcasting over ``(N, 1)`` and ``(1, M)``;
* quads (and rotated boxes, which are quads): pairs whose bounding boxes do not
  overlap are skipped; the remaining pairs are clipped against each other with
  a vectorised Sutherland-Hodgman algorithm in numpy when one of the two quads
  is convex (the usual case), and through shapely otherwise;
* pairs of two masks: those whose bounds overlap are measured by
  ``Mask.intersection_area``, which counts the pixels both set where the
  pixel grids line up, without tracing an outline;
* anything else (polygons, masks beside other shapes, mixtures): a shapely
  ``STRtree`` finds the candidate pairs and shapely's vectorised
  ``intersection`` measures them.

Every path computes a block of rows at a time where it broadcasts (the box
overlaps, and IoU from overlaps and areas), so the temporaries stay small
beside the ``(N, M)`` result.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from unocr.geometry import convert
from unocr.geometry._overlap import shapely_intersection_areas
from unocr.geometry._shape import Shape, as_shape
from unocr.geometry._validate import FloatArray
from unocr.geometry.box import Box
from unocr.geometry.mask import Mask
from unocr.geometry.quad import Quad
from unocr.geometry.rotated_box import RotatedBox

__all__ = [
    "box_intersection_matrix",
    "box_iou_matrix",
    "intersection_matrix",
    "iou_matrix",
    "quad_intersection_matrix",
    "quad_iou_matrix",
]

_CHUNK = 4096  # quad pairs clipped at once (fits the CPU cache best)
_BLOCK = 1 << 18  # matrix cells computed at once (bounds the temporaries)


def _row_blocks(n: int, m: int) -> list[slice]:
    """Row slices of an ``(n, m)`` matrix, each about ``_BLOCK`` cells."""
    step = max(1, _BLOCK // max(m, 1))
    return [slice(r, min(r + step, n)) for r in range(0, n, step)]


def _ratio(inter: FloatArray, area_a: FloatArray, area_b: FloatArray) -> FloatArray:
    """IoU from ``(N, M)`` overlaps and the areas, written over ``inter``."""
    for rows in _row_blocks(*inter.shape):
        block = inter[rows]
        union = area_a[rows, None] + area_b[None, :] - block
        some = union > 0
        np.divide(block, union, out=block, where=some)
        block[~some] = 0.0
        np.clip(block, 0.0, 1.0, out=block)
    return inter


def box_intersection_matrix(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Pairwise intersection areas of axis-aligned boxes.

    Args:
        a: ``(N, 4)`` boxes ``(x0, y0, x1, y1)`` in pixels.
        b: ``(M, 4)`` boxes.

    Returns:
        ``(N, M)`` float64 overlap areas in square pixels.

    Examples:
        >>> a, b = [[0, 0, 2, 2]], [[1, 1, 3, 3], [5, 5, 6, 6]]
        >>> box_intersection_matrix(a, b).tolist()
        [[1.0, 0.0]]
    """
    ba = convert.validate_boxes(a)
    bb = convert.validate_boxes(b)
    out: FloatArray = np.empty((ba.shape[0], bb.shape[0]), dtype=np.float64)
    for rows in _row_blocks(ba.shape[0], bb.shape[0]):
        out[rows] = _box_overlaps(ba[rows], bb)
    return out


def _box_overlaps(ba: FloatArray, bb: FloatArray) -> FloatArray:
    """``(n, m)`` overlap areas of validated ``(n, 4)`` and ``(m, 4)`` boxes."""
    w = np.minimum(ba[:, None, 2], bb[None, :, 2])
    w -= np.maximum(ba[:, None, 0], bb[None, :, 0])
    h = np.minimum(ba[:, None, 3], bb[None, :, 3])
    h -= np.maximum(ba[:, None, 1], bb[None, :, 1])
    np.clip(w, 0.0, None, out=w)
    np.clip(h, 0.0, None, out=h)
    w *= h
    return w


def box_iou_matrix(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Pairwise IoU of axis-aligned boxes.

    Args:
        a: ``(N, 4)`` boxes ``(x0, y0, x1, y1)`` in pixels.
        b: ``(M, 4)`` boxes.

    Returns:
        ``(N, M)`` float64 IoU in [0, 1] (0 where both boxes have zero area).

    Examples:
        >>> box_iou_matrix([[0, 0, 2, 2]], [[1, 0, 3, 2]]).round(4).tolist()
        [[0.3333]]
    """
    ba = convert.validate_boxes(a)
    bb = convert.validate_boxes(b)
    area_a = (ba[:, 2] - ba[:, 0]) * (ba[:, 3] - ba[:, 1])
    area_b = (bb[:, 2] - bb[:, 0]) * (bb[:, 3] - bb[:, 1])
    return _ratio(box_intersection_matrix(ba, bb), area_a, area_b)


def _is_convex(q: FloatArray) -> NDArray[np.bool_]:
    """Convexity of canonical (clockwise on screen) quads ``(N, 4, 2)``."""
    d = np.roll(q, -1, axis=1) - q  # side i: corner i -> i + 1
    dn = np.roll(d, -1, axis=1)
    cross = d[..., 0] * dn[..., 1] - d[..., 1] * dn[..., 0]
    out: NDArray[np.bool_] = np.all(cross >= 0, axis=1)
    return out


def _clip_areas(
    sx: FloatArray, sy: FloatArray, cx: FloatArray, cy: FloatArray
) -> FloatArray:
    """Areas of ``subject[k] & clip[k]`` for convex clockwise ``clip`` quads.

    Sutherland-Hodgman, vectorised over the pair axis. Polygons are kept in
    fixed-width ``(P, K)`` x and y arrays; unused slots repeat the last vertex
    (zero-length edges change neither the clipping nor the shoelace area).

    Args:
        sx: ``(P, K)`` subject x coordinates; ``sy`` the y coordinates.
        sy: ``(P, K)`` subject y coordinates.
        cx: ``(P, 4)`` clip quad x coordinates, clockwise on screen.
        cy: ``(P, 4)`` clip quad y coordinates.

    Returns:
        ``(P,)`` intersection areas in square pixels.
    """
    px, py = sx, sy
    p = px.shape[0]
    rows = np.arange(p)
    for e in range(4):
        f = (e + 1) % 4
        ax, ay = cx[:, e, None], cy[:, e, None]
        ex, ey = cx[:, f, None] - ax, cy[:, f, None] - ay
        s = ex * (py - ay) - ey * (px - ax)  # >= 0: inside (left of the edge)
        k = px.shape[1]
        nxt = np.r_[1:k, 0]
        nx, ny, sn = px[:, nxt], py[:, nxt], s[:, nxt]
        ins = s >= 0
        cross = ins != (sn >= 0)
        denom = s - sn
        denom[~cross] = 1.0
        t = s / denom
        # Each vertex emits itself if inside, then the crossing with the edge.
        candx = np.empty((p, 2 * k))
        candy = np.empty((p, 2 * k))
        emit = np.empty((p, 2 * k), dtype=bool)
        candx[:, 0::2] = px
        candx[:, 1::2] = px + t * (nx - px)
        candy[:, 0::2] = py
        candy[:, 1::2] = py + t * (ny - py)
        emit[:, 0::2] = ins
        emit[:, 1::2] = cross
        # Compact the emitted points to the front of each row (flat indexing
        # is cheaper than put/take_along_axis); column `width` collects the rest.
        pos = np.cumsum(emit, axis=1, dtype=np.int32)
        count = pos[:, -1]
        width = max(int(count.max()), 1)
        base = (rows * (width + 1))[:, None]
        target = (np.where(emit, pos - 1, width) + base).ravel()
        outx = np.empty(p * (width + 1))
        outy = np.empty(p * (width + 1))
        outx[target] = candx.ravel()
        outy[target] = candy.ravel()
        last = np.maximum(count - 1, 0)[:, None]
        slot = (np.minimum(np.arange(width)[None, :], last) + base).ravel()
        px = outx[slot].reshape(p, width)
        py = outy[slot].reshape(p, width)
        empty = count == 0
        if empty.any():
            px[empty] = 0.0
            py[empty] = 0.0
    twice = px * np.roll(py, -1, axis=1) - np.roll(px, -1, axis=1) * py
    out: FloatArray = np.abs(twice.sum(axis=1)) / 2.0
    return out


def quad_intersection_matrix(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Pairwise intersection areas of quads.

    Args:
        a: ``(N, 4, 2)`` quads in pixels, any corner order.
        b: ``(M, 4, 2)`` quads.

    Returns:
        ``(N, M)`` float64 overlap areas in square pixels.

    Examples:
        >>> sq = [[[0, 0], [2, 0], [2, 2], [0, 2]]]
        >>> diamond = [[[1, -0.5], [2.5, 1], [1, 2.5], [-0.5, 1]]]
        >>> quad_intersection_matrix(sq, diamond).tolist()
        [[3.5]]
    """
    qa = convert.canonicalize_quads(a)
    qb = convert.canonicalize_quads(b)
    n, m = qa.shape[0], qb.shape[0]
    out = np.zeros((n, m), dtype=np.float64)
    if n == 0 or m == 0:
        return out
    ba, bb = convert.quads_to_boxes(qa), convert.quads_to_boxes(qb)
    cand = (
        (ba[:, None, 0] < bb[None, :, 2])
        & (bb[None, :, 0] < ba[:, None, 2])
        & (ba[:, None, 1] < bb[None, :, 3])
        & (bb[None, :, 1] < ba[:, None, 3])
    )
    cand &= (convert.signed_areas(qa) > 0)[:, None]
    cand &= (convert.signed_areas(qb) > 0)[None, :]
    ii, jj = np.nonzero(cand)
    if ii.size == 0:
        return out
    for start in range(0, ii.size, _CHUNK):
        i, j = ii[start : start + _CHUNK], jj[start : start + _CHUNK]
        out[i, j] = _quad_pair_areas(qa[i], qb[j])
    return out


def _quad_pair_areas(qa: FloatArray, qb: FloatArray) -> FloatArray:
    """Intersection areas of canonical quads, pair by pair: ``(P, 4, 2)`` twice.

    Pairs where one quad is convex are clipped in numpy (the convex one is the
    clipping window); pairs of two concave quads go through shapely.
    """
    out = np.zeros(qa.shape[0], dtype=np.float64)
    conv_a, conv_b = _is_convex(qa), _is_convex(qb)
    use_b = conv_b
    use_a = ~use_b & conv_a
    neither = ~(use_b | use_a)
    if use_b.all():
        return _clip_areas(
            np.ascontiguousarray(qa[..., 0]),
            np.ascontiguousarray(qa[..., 1]),
            np.ascontiguousarray(qb[..., 0]),
            np.ascontiguousarray(qb[..., 1]),
        )
    for sel, subj, clip in ((use_b, qa, qb), (use_a, qb, qa)):
        k = np.flatnonzero(sel)
        if k.size:
            out[k] = _clip_areas(
                np.ascontiguousarray(subj[k, :, 0]),
                np.ascontiguousarray(subj[k, :, 1]),
                np.ascontiguousarray(clip[k, :, 0]),
                np.ascontiguousarray(clip[k, :, 1]),
            )
    if neither.any():
        k = np.flatnonzero(neither)
        out[k] = shapely_intersection_areas(
            shapely.polygons(qa[k]), shapely.polygons(qb[k])
        )
    return out


def quad_iou_matrix(a: ArrayLike, b: ArrayLike) -> FloatArray:
    """Pairwise IoU of quads.

    Args:
        a: ``(N, 4, 2)`` quads in pixels, any corner order.
        b: ``(M, 4, 2)`` quads.

    Returns:
        ``(N, M)`` float64 IoU in [0, 1] (0 where both quads have zero area).

    Examples:
        >>> sq = [[[0, 0], [2, 0], [2, 2], [0, 2]]]
        >>> quad_iou_matrix(sq, sq).tolist()
        [[1.0]]
    """
    qa = convert.canonicalize_quads(a)
    qb = convert.canonicalize_quads(b)
    inter = quad_intersection_matrix(qa, qb)
    return _ratio(
        inter, np.abs(convert.signed_areas(qa)), np.abs(convert.signed_areas(qb))
    )


def _quadlike(shape: Shape) -> bool:
    return isinstance(shape, (Box, RotatedBox, Quad))


def _quad_array(shapes: Sequence[Shape]) -> FloatArray:
    if not shapes:
        return np.zeros((0, 4, 2), dtype=np.float64)
    return np.stack([s.hull_points() for s in shapes])


def _mask_pairs(
    sa: Sequence[Shape], sb: Sequence[Shape], out: FloatArray
) -> NDArray[np.bool_] | None:
    """Fill ``out`` for the pairs of two masks, each by ``Mask.intersection_area``.

    Masks whose pixel grids line up overlap by the pixels both set, with no
    outline traced. Only pairs whose bounds overlap are measured; a pair with
    an empty mask does not overlap at all.

    Args:
        sa: ``N`` shapes.
        sb: ``M`` shapes.
        out: ``(N, M)`` overlaps, written in place for the pairs done here.

    Returns:
        ``(N, M)`` bool, the pairs done here (every pair of two masks);
        ``None`` where one side has no mask.
    """
    ma = [i for i, s in enumerate(sa) if isinstance(s, Mask)]
    mb = [j for j, s in enumerate(sb) if isinstance(s, Mask)]
    if not ma or not mb:
        return None
    done = np.zeros(out.shape, dtype=bool)
    done[np.ix_(ma, mb)] = True
    ma = [i for i in ma if sa[i].area > 0]
    mb = [j for j in mb if sb[j].area > 0]
    if ma and mb:
        boxes_a = np.array([sa[i].bounds.as_array() for i in ma])
        boxes_b = np.array([sb[j].bounds.as_array() for j in mb])
        for k, m in np.argwhere(box_intersection_matrix(boxes_a, boxes_b) > 0):
            out[ma[k], mb[m]] = sa[ma[k]].intersection_area(sb[mb[m]])
    return done


def _matrix(a: Sequence[Shape], b: Sequence[Shape], iou: bool) -> FloatArray:
    sa = [as_shape(s, f"a[{i}]") for i, s in enumerate(a)]
    sb = [as_shape(s, f"b[{i}]") for i, s in enumerate(b)]
    if all(isinstance(s, Box) for s in (*sa, *sb)):
        boxes_a = np.array([s.as_array() for s in sa]).reshape(-1, 4)  # type: ignore[attr-defined]
        boxes_b = np.array([s.as_array() for s in sb]).reshape(-1, 4)  # type: ignore[attr-defined]
        if iou:
            return box_iou_matrix(boxes_a, boxes_b)
        return box_intersection_matrix(boxes_a, boxes_b)
    if all(_quadlike(s) for s in (*sa, *sb)):
        qa, qb = _quad_array(sa), _quad_array(sb)
        if iou:
            return quad_iou_matrix(qa, qb)
        return quad_intersection_matrix(qa, qb)
    out = np.zeros((len(sa), len(sb)), dtype=np.float64)
    if not sa or not sb:
        return out
    done = _mask_pairs(sa, sb, out)
    # the outlines of the shapes left with a pair to measure
    ia = np.arange(len(sa)) if done is None else np.flatnonzero(~done.all(axis=1))
    ib = np.arange(len(sb)) if done is None else np.flatnonzero(~done.all(axis=0))
    if ia.size and ib.size:
        ga = np.array([sa[i].to_shapely() for i in ia], dtype=object)
        gb = np.array([sb[j].to_shapely() for j in ib], dtype=object)
        ii, jj = shapely.STRtree(gb).query(ga, predicate="intersects")
        if done is not None:
            keep = ~done[ia[ii], ib[jj]]
            ii, jj = ii[keep], jj[keep]
        if ii.size:
            out[ia[ii], ib[jj]] = shapely_intersection_areas(ga[ii], gb[jj])
    if not iou:
        return out
    area_a = np.array([s.area for s in sa], dtype=np.float64)
    area_b = np.array([s.area for s in sb], dtype=np.float64)
    return _ratio(out, area_a, area_b)


def intersection_matrix(a: Sequence[Shape], b: Sequence[Shape]) -> FloatArray:
    """Pairwise intersection areas of shapes of any types.

    Args:
        a: ``N`` shapes.
        b: ``M`` shapes.

    Returns:
        ``(N, M)`` float64 overlap areas in square pixels. All-box inputs and
        inputs made of boxes, rotated boxes and quads take the vectorised paths.

    Raises:
        GeometryError: If an item is not a shape.

    Examples:
        >>> from unocr.geometry import Box
        >>> intersection_matrix([Box(0, 0, 2, 2)], [Box(1, 1, 3, 3)]).tolist()
        [[1.0]]
    """
    return _matrix(a, b, iou=False)


def iou_matrix(a: Sequence[Shape], b: Sequence[Shape]) -> FloatArray:
    """Pairwise IoU of shapes of any types.

    Args:
        a: ``N`` shapes.
        b: ``M`` shapes.

    Returns:
        ``(N, M)`` float64 IoU in [0, 1]; equals ``a[i].iou(b[j])``.

    Raises:
        GeometryError: If an item is not a shape.

    Examples:
        >>> from unocr.geometry import Box, Quad
        >>> q = Quad([[1, 0], [3, 0], [3, 2], [1, 2]])
        >>> iou_matrix([Box(0, 0, 2, 2)], [q]).round(4).tolist()
        [[0.3333]]
    """
    return _matrix(a, b, iou=True)

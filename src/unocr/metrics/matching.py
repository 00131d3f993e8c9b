"""One-to-one matching of detections to ground truth (ICDAR 2015 protocol).

The rules of the official ICDAR 2015 Robust Reading evaluation (Task 4.1
``script.py`` and ``rrc_evaluation_funcs.py``; Task 4.4 matches the same way):

1. A detection whose area lies **more than half inside one don't-care
   region** (intersection / detection area > 0.5, per region, not summed) is
   discarded: it counts as neither a true nor a false positive
   (``AREA_PRECISION_CONSTRAINT = 0.5``, compared with ``>``).
2. Don't-care regions are not ground truth: they count as neither hit nor
   miss.
3. A remaining detection and a ground-truth region may match when their IoU
   is **greater than** 0.5 (``IOU_CONSTRAINT = 0.5``, compared with ``>``:
   an IoU of exactly 0.5 is not a match). Each region and each detection
   takes part in at most one match.
4. **First come, first matched**: the ground-truth regions are visited in file
   order and each takes the first detection, in file order, that is still
   unmatched, not discarded and above the threshold (the script's nested
   ``for gtNum ... for detNum ...`` loop).
5. **A quadrilateral is the ring of its four points as written** (the
   scripts build a ``Polygon3`` polygon from them as given). Where the
   corners are listed in a crossing ("bow tie") order, its area is the
   absolute shoelace sum of that ring (the two loops cancel: a symmetric bow
   tie has area 0) and it covers the two triangles of the ring (even-odd
   fill) in intersections. Such an annotation is loaded as an
   :class:`~unocr.geometry.AnnotatedQuad`, which keeps the ring beside its
   canonical corners; this protocol measures it by its ring
   (``as_written=True``), every other use (and ``protocol="custom"``) by its
   canonical quad.

How the one-to-one matches are chosen (``matching=``):

- ``"first-come"`` (the official rule 4). The result depends on the order of
  the boxes: ground truth in the dataset's file order, detections in the
  engine's order.
- ``"optimal"`` (not official): the largest possible number of matches, and
  among those the largest total IoU (an assignment problem, solved exactly per
  connected group of overlapping candidates). It does not depend on box order
  and never finds fewer matches than the other rules, so it can score
  *higher* than the official figure.
- ``"greedy"`` (not official): pairs taken in order of decreasing IoU (ties
  by index), as many detection evaluators do; it can score lower than
  first-come.

The rules can disagree whenever one box has a candidate IoU with two
counterparts; that happens even when neither the regions nor the detections
overlap each other (two disjoint halves of a box each at IoU 0.5 under an
inclusive threshold).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from unocr.backends.options import check_choice
from unocr.geometry import (
    AnnotatedQuad,
    Geometry,
    intersection_matrix,
    iou_matrix,
)

__all__ = [
    "MATCHING_RULES",
    "DetectionMatch",
    "Matching",
    "dont_care_mask",
    "match_detections",
    "match_iou",
]

Matching = Literal["first-come", "optimal", "greedy"]

#: The matching rules, official first.
MATCHING_RULES: tuple[Matching, ...] = ("first-come", "optimal", "greedy")


@dataclass(frozen=True)
class DetectionMatch:
    """Result of matching one image's detections to its ground truth.

    Attributes:
        truth_index: (K,) int64 index into the ground-truth regions of each
            match.
        pred_index: (K,) int64 index into the detections of each match.
        iou: (K,) float64 IoU of each match.
        discarded: (D,) bool, True for detections discarded because they lie
            more than half inside a don't-care region.
        n_truth: Ground-truth regions (don't-care excluded).
        n_pred: Detections after discarding.
    """

    truth_index: NDArray[np.int64]
    pred_index: NDArray[np.int64]
    iou: NDArray[np.float64]
    discarded: NDArray[np.bool_]
    n_truth: int
    n_pred: int

    @property
    def matched(self) -> int:
        """Number of one-to-one matches (true positives)."""
        return int(self.truth_index.size)


def _areas(shapes: Sequence[Geometry], as_written: bool = False) -> NDArray[np.float64]:
    """Each shape's area in square pixels; an annotated ring's own where measured."""
    return np.fromiter(
        (
            g.ring_area if as_written and isinstance(g, AnnotatedQuad) else g.area
            for g in shapes
        ),
        dtype=np.float64,
        count=len(shapes),
    )


def _written(shapes: Sequence[Geometry], as_written: bool) -> list[int]:
    """Indices of the shapes measured by their ring as written."""
    if not as_written:
        return []
    return [i for i, g in enumerate(shapes) if isinstance(g, AnnotatedQuad)]


def _parts_of(shapes: Sequence[Geometry]) -> tuple[list[Geometry], NDArray[np.int64]]:
    """The shapes split into the regions they fill, and the owner of each part.

    An :class:`~unocr.geometry.AnnotatedQuad` fills the loops of its ring
    (even-odd); any other shape is one part, itself.
    """
    parts: list[Geometry] = []
    owner: list[int] = []
    for i, g in enumerate(shapes):
        pieces = g.ring_parts() if isinstance(g, AnnotatedQuad) else (g,)
        parts.extend(pieces)
        owner.extend([i] * len(pieces))
    return parts, np.array(owner, dtype=np.int64)


def _summed(a: Sequence[Geometry], b: Sequence[Geometry]) -> NDArray[np.float64]:
    """(A, B) intersection areas of shapes given as parts (:func:`_parts_of`)."""
    pa, oa = _parts_of(a)
    pb, ob = _parts_of(b)
    out = np.zeros((len(a), len(b)), dtype=np.float64)
    if pa and pb:
        inter = np.asarray(intersection_matrix(pa, pb), dtype=np.float64)
        np.add.at(out, (oa[:, np.newaxis], ob[np.newaxis, :]), inter)
    return out


def _as_written(
    a: Sequence[Geometry],
    b: Sequence[Geometry],
    canonical: NDArray[np.float64],
    as_written: bool,
    measure: Literal["intersection", "iou"],
) -> NDArray[np.float64]:
    """``canonical`` with the pairs that involve an annotated ring measured as written.

    Args:
        a: A shapes.
        b: B shapes.
        canonical: (A, B) intersection areas or IoU (``measure``) of the
            canonical shapes.
        as_written: Measure each :class:`~unocr.geometry.AnnotatedQuad` by its
            ring; ``False``: ``canonical`` itself is returned.
        measure: ``"intersection"``: the area shared by the regions the two
            fill (even-odd, as ``Polygon3`` intersects them); ``"iou"``: the
            scripts' ``get_intersection_over_union``, that intersection /
            (area + area - intersection) with each ring's own area
            (:attr:`~unocr.geometry.AnnotatedQuad.ring_area`), 0 where the
            denominator is 0.

    Returns:
        ``canonical`` itself where no shape is measured by its ring, else a
        new (A, B) array: ``measure`` as written in the rows and columns of
        the annotated rings, ``canonical``'s value elsewhere.
    """
    rows, cols = _written(a, as_written), _written(b, as_written)
    if not rows and not cols:
        return canonical
    written = np.zeros(canonical.shape, dtype=np.float64)
    if rows:
        written[rows, :] = _summed([a[i] for i in rows], b)
    if cols:
        written[:, cols] = _summed(a, [b[j] for j in cols])
    if measure == "iou":
        union = (
            _areas(a, True)[:, np.newaxis] + _areas(b, True)[np.newaxis, :] - written
        )
        written = np.divide(
            written, union, out=np.zeros_like(written), where=union != 0
        )
    out: NDArray[np.float64] = canonical.copy()
    out[rows, :] = written[rows, :]
    out[:, cols] = written[:, cols]
    return out


def dont_care_mask(
    pred: Sequence[Geometry],
    ignore: Sequence[Geometry],
    *,
    max_overlap: float = 0.5,
    as_written: bool = True,
) -> NDArray[np.bool_]:
    """Which detections lie more than ``max_overlap`` inside one don't-care region.

    Args:
        pred: D detections.
        ignore: K don't-care regions.
        max_overlap: Fraction of a detection's own area (0.5 in ICDAR 2015).
        as_written: Measure each :class:`~unocr.geometry.AnnotatedQuad` by
            its ring as written (the official rule 5); ``False``: by its
            canonical quad.

    Returns:
        (D,) bool array; True = discard. Zero-area detections are never
        discarded (they cannot match anything either).
    """
    if not pred or not ignore:
        return np.zeros(len(pred), dtype=np.bool_)
    inter = np.asarray(intersection_matrix(ignore, pred), dtype=np.float64)  # (K, D)
    inter = _as_written(ignore, pred, inter, as_written, "intersection")
    out = np.zeros(len(pred), dtype=np.bool_)
    # Only detections touching a region can be discarded: measure just those.
    touched = np.flatnonzero(inter.max(axis=0) > 0)
    if touched.size == 0:
        return out
    areas = _areas([pred[j] for j in touched.tolist()], as_written)
    worst = inter[:, touched].max(axis=0)
    out[touched] = (areas > 0) & (worst > max_overlap * areas)
    return out


def _hungarian_max(weight: NDArray[np.float64]) -> list[tuple[int, int]]:
    """Maximum-weight assignment of rows to columns (rows <= columns).

    Classic O(n^2 m) shortest augmenting path with potentials on the cost
    ``-weight``; used only on the small groups of conflicting candidates.
    """
    n, m = weight.shape
    cost = -weight
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    p = [0] * (m + 1)  # p[j]: row (1-based) assigned to column j
    way = [0] * (m + 1)
    for i in range(1, n + 1):
        p[0] = i
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0 = p[j0]
            delta = inf
            j1 = 0
            for j in range(1, m + 1):
                if not used[j]:
                    cur = cost[i0 - 1, j - 1] - u[i0] - v[j]
                    if cur < minv[j]:
                        minv[j] = cur
                        way[j] = j0
                    if minv[j] < delta:
                        delta = minv[j]
                        j1 = j
            for j in range(m + 1):
                if used[j]:
                    u[p[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if p[j0] == 0:
                break
        while True:
            j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
            if j0 == 0:
                break
    return [(p[j] - 1, j - 1) for j in range(1, m + 1) if p[j] != 0]


def _components(
    rows: NDArray[np.int64], cols: NDArray[np.int64], n_rows: int
) -> NDArray[np.int64]:
    """Connected-component label of each edge of a bipartite graph."""
    n_cols = int(cols.max()) + 1 if cols.size else 0
    parent = list(range(n_rows + n_cols))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
        a, b = find(r), find(n_rows + c)
        if a != b:
            parent[a] = b
    return np.fromiter(
        (find(r) for r in rows.tolist()), dtype=np.int64, count=rows.size
    )


def _optimal(
    iou: NDArray[np.float64], rows: NDArray[np.int64], cols: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    row_deg = np.bincount(rows, minlength=iou.shape[0])
    col_deg = np.bincount(cols, minlength=iou.shape[1])
    simple = (row_deg[rows] == 1) & (col_deg[cols] == 1)
    out_r = [rows[simple]]
    out_c = [cols[simple]]
    if not simple.all():
        hard_r, hard_c = rows[~simple], cols[~simple]
        labels = _components(hard_r, hard_c, iou.shape[0])
        for label in np.unique(labels):
            sel = labels == label
            ur = np.unique(hard_r[sel])
            uc = np.unique(hard_c[sel])
            sub = iou[np.ix_(ur, uc)]
            edge = np.zeros(sub.shape, dtype=np.bool_)
            edge[np.searchsorted(ur, hard_r[sel]), np.searchsorted(uc, hard_c[sel])] = (
                True
            )
            # Cardinality first: every edge is worth more than any IoU total.
            big = float(min(sub.shape) + 1)
            weight = np.where(edge, big + sub, 0.0)
            transposed = weight.shape[0] > weight.shape[1]
            pairs = _hungarian_max(weight.T if transposed else weight)
            for a, b in pairs:
                r, c = (b, a) if transposed else (a, b)
                if edge[r, c]:
                    out_r.append(np.array([ur[r]], dtype=np.int64))
                    out_c.append(np.array([uc[c]], dtype=np.int64))
    r_all = np.concatenate(out_r).astype(np.int64)
    c_all = np.concatenate(out_c).astype(np.int64)
    order = np.argsort(r_all, kind="stable")
    return r_all[order], c_all[order]


def _greedy(
    iou: NDArray[np.float64], rows: NDArray[np.int64], cols: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    order = np.lexsort((cols, rows, -iou[rows, cols]))
    row_used = np.zeros(iou.shape[0], dtype=np.bool_)
    col_used = np.zeros(iou.shape[1], dtype=np.bool_)
    keep_r: list[int] = []
    keep_c: list[int] = []
    for r, c in zip(rows[order].tolist(), cols[order].tolist(), strict=True):
        if not row_used[r] and not col_used[c]:
            row_used[r] = col_used[c] = True
            keep_r.append(r)
            keep_c.append(c)
    r_arr = np.array(keep_r, dtype=np.int64)
    c_arr = np.array(keep_c, dtype=np.int64)
    order2 = np.argsort(r_arr, kind="stable")
    return r_arr[order2], c_arr[order2]


def _first_come(cand: NDArray[np.bool_]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    # Official Task 4.1/4.4 loop: each ground truth in file order takes the
    # first free candidate detection in file order.
    used = np.zeros(cand.shape[1], dtype=np.bool_)
    keep_r: list[int] = []
    keep_c: list[int] = []
    for r in np.flatnonzero(cand.any(axis=1)).tolist():
        free = np.flatnonzero(cand[r] & ~used)
        if free.size:
            c = int(free[0])
            used[c] = True
            keep_r.append(r)
            keep_c.append(c)
    return np.array(keep_r, dtype=np.int64), np.array(keep_c, dtype=np.int64)


def match_iou(
    iou: NDArray[np.float64],
    *,
    threshold: float = 0.5,
    matching: Matching = "first-come",
    pred_mask: NDArray[np.bool_] | None = None,
    strict: bool = True,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """One-to-one matches from an IoU matrix.

    Args:
        iou: (G, D) float64 IoU of every ground-truth region with every
            detection.
        threshold: The IoU a match must exceed (or reach, see ``strict``).
        matching: ``"first-come"``, ``"optimal"`` or ``"greedy"`` (see the
            module docstring).
        pred_mask: (D,) bool, detections allowed to match (default all).
        strict: ``True`` (official): IoU must be greater than ``threshold``;
            ``False``: at least ``threshold``.

    Returns:
        ``(truth_index, pred_index)``: two (K,) int64 arrays, sorted by
        truth index.

    Raises:
        unocr.errors.ConfigError: Unknown ``matching``.
    """
    check_choice(matching, "matching", MATCHING_RULES)
    cand = iou > threshold if strict else iou >= threshold
    if pred_mask is not None:
        cand &= pred_mask[np.newaxis, :]
    rows, cols = np.nonzero(cand)
    rows = rows.astype(np.int64)
    cols = cols.astype(np.int64)
    if rows.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty.copy()
    if matching == "first-come":
        return _first_come(cand)
    if matching == "greedy":
        return _greedy(iou, rows, cols)
    return _optimal(iou, rows, cols)


def match_detections(
    truth: Sequence[Geometry],
    pred: Sequence[Geometry],
    ignore: Sequence[Geometry] = (),
    *,
    iou_threshold: float = 0.5,
    ignore_overlap: float = 0.5,
    matching: Matching = "first-come",
    strict: bool = True,
    as_written: bool = True,
) -> DetectionMatch:
    """Match detections to ground truth under the ICDAR 2015 protocol.

    Works for any mix of shapes (boxes, quads, polygons, ...) through
    :func:`unocr.geometry.iou_matrix`.

    Args:
        truth: G ground-truth regions (don't-care regions *not* included).
        pred: D detections.
        ignore: K don't-care regions.
        iou_threshold: The IoU a match must exceed (0.5).
        ignore_overlap: A detection more than this fraction inside one
            don't-care region is discarded (0.5).
        matching: ``"first-come"`` (official), ``"optimal"`` or ``"greedy"``.
        strict: IoU must exceed ``iou_threshold`` (official); ``False``:
            reaching it is enough.
        as_written: Measure each :class:`~unocr.geometry.AnnotatedQuad` (a
            ground-truth quad written in crossing order) by its ring as written, the
            official rule 5: IoU = intersection / (area + area -
            intersection) with the ring's own area, 0 where that denominator
            is 0. ``False``: by its canonical quad, like any other shape.

    Returns:
        The matches and the discard mask.

    Examples:
        >>> from unocr.geometry import Box
        >>> truth = [Box(0, 0, 10, 10)]
        >>> pred = [Box(1, 0, 11, 10), Box(50, 50, 60, 60)]
        >>> m = match_detections(truth, pred)
        >>> m.matched, m.n_truth, m.n_pred
        (1, 1, 2)
    """
    discarded = dont_care_mask(
        pred, ignore, max_overlap=ignore_overlap, as_written=as_written
    )
    if truth and pred:
        iou = np.asarray(iou_matrix(truth, pred), dtype=np.float64)
        iou = _as_written(truth, pred, iou, as_written, "iou")
        t_idx, p_idx = match_iou(
            iou,
            threshold=iou_threshold,
            matching=matching,
            pred_mask=~discarded,
            strict=strict,
        )
        values = iou[t_idx, p_idx]
    else:
        t_idx = np.zeros(0, dtype=np.int64)
        p_idx = np.zeros(0, dtype=np.int64)
        values = np.zeros(0, dtype=np.float64)
    return DetectionMatch(
        truth_index=t_idx,
        pred_index=p_idx,
        iou=values,
        discarded=discarded,
        n_truth=len(truth),
        n_pred=len(pred) - int(discarded.sum()),
    )

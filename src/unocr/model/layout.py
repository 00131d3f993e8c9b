"""Reading order: synthesise lines and blocks for engines that give fewer levels.

The approach is recursive XY-cut (Nagy and Seth, 1984) on the lines' extents
in the page's reading frame, with a column test and a rule for spanning
lines that keep receipts, forms and tables in row order while prose columns
are read column by column:

1. **Reading frame.** Each element votes with the direction of its long side
   (elements at least 1.5 times longer than high, weighted by length; doubled
   angles are averaged, then the median deviation is added; an element of
   one character does not vote, its shape being its glyph's). A near-vertical
   axis is read top to bottom (a page turned 90 degrees clockwise), and
   reversed (a page turned 270 degrees) when more of the lines' ends than
   starts share one position. A horizontal axis is read left to right: an
   upright page is the rule and right-aligned lines (addresses, amounts,
   signatures) are common on it. Only prose turns it over (a page turned 180
   degrees): at least three lines, twice as many as share a start, share an
   end, and their median length is at least ``_PROSE`` line heights. The
   lines of a right-to-left page (see below) start at their right end: its
   starts and ends swap roles (right-aligned Hebrew prose is upright). Boxes
   carry no direction and are never turned over. Nor do boxes carry an angle:
   the skew of box text is read from its words' centres along their lines
   (:func:`_skew`), and each box is taken as the rectangle turned by that
   skew whose bounding box it is (:func:`_extents`). Every corner is then
   rotated into the frame in which text runs along +x and lines follow each
   other along +y.
2. **Columns.** A region is cut at vertical gaps of its x-projection (at
   least ``gutter`` line heights wide) only where the pieces on both sides
   are text columns: their lines' median width is at least ``column_width``
   line heights and at least 70 % of the piece's width, or that are text
   columns side by side themselves (cut by this step or the next: two
   columns under a headline that spans them). Narrow pieces (the
   amounts of a receipt, the cells of a table, the values of a form) stay
   with their neighbours so that their rows are read together.
   As in classic XY-cut the widest gap wins: a horizontal gap wider than
   the gutter is cut first (a paragraph below two columns follows both).
3. **Spanning lines.** A title or caption running across the gutter of two
   text columns hides the gutter from the projection. Where a gap in the
   coverage of the x-axis (crossed by at most a fifth as many lines as the
   busiest position, or by one) separates two text columns side by side
   (sharing some height), the lines crossing it, with the lines sharing a
   row with them (the pieces of one line), become bands of their own and the
   region is cut above and below them. A side may be several text columns.
4. **Blocks.** Otherwise the region is cut at horizontal gaps of at least
   ``block_gap`` line heights. A region that cannot be cut is a block: its
   lines are grouped into rows (vertical extents overlapping by at least
   half the smaller height), rows top to bottom, lines in a row left to
   right. Elements of the same geometry read in the order of their text
   (:func:`_canonical`), not of the input.

**Right-to-left scripts.** A text's direction is that of most of its letters
by their Unicode bidirectional class (``R`` and ``AL``: Hebrew, Arabic,
Syriac, Thaana, N'Ko...; against ``L``); digits, punctuation and spaces do
not vote (:func:`rtl_balance`). A right-to-left line's words are read from
its right end in the reading frame, each run of left-to-right words in it
("New York", "Windows 11") from its left end as a bidi renderer shows it
(:func:`~unocr._direction.rtl_order`), so its text is in logical order. A
page whose letters are mostly right to left (its lines' right-to-left
letters outnumber their left-to-right ones: letters vote, not lines, so a
table of short English cells does not outvote Hebrew prose) is cut as its
mirror image (:func:`_mirrored`): its columns, and the lines of a row, are
read from the right. Where no line is right to left, none of this applies.

Words become lines the same way (rows in the reading frame, cut at gaps over
``column_gap`` line heights, each line's words in its own direction; which
way the axis reads is decided on the lines they form; box words are grouped
a second time in the frame of the skew their first lines show, first found
again where the centres line up best if upright rows show none:
:func:`_box_skew`), and lines
of a dataset that has its own order keep it (:func:`group_lines` with
``keep_order=True``). Words that were split from a line without the
engine's character boxes are split again along the reading direction of a
page turned by 180 or 270 degrees (a right-to-left line's words start at its
right end already: :func:`~unocr.model.wordsplit.split_line`). Parents get
geometry that encloses their children and ``native=False``; a block's shape never
reaches beyond its lines' bounding box (:func:`_enclosing`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import chain
from typing import TypeVar, cast

import numpy as np
from numpy.typing import NDArray

from unocr._direction import mostly_rtl, rtl_balance, rtl_order
from unocr.geometry import Box, Geometry, Polygon, Quad
from unocr.model.elements import Block, Element, Line, Word
from unocr.model.wordsplit import split_line

__all__ = ["group_lines", "group_words", "text_angle"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
_E = TypeVar("_E", bound=Element)

_MIN_ASPECT = 1.5  # long side / short side from which an element shows its axis
_FILL = 0.7  # median line width / piece width of a text column
_SPAN_SHARE = 0.2  # a gutter crossed by at most this share of the busiest position
_PROSE = 12.0  # line heights (about 25 characters): a turned page's aligned lines
_MAX_SKEW = 15.0  # degrees: box text skewed further tells nothing from its boxes
_CLIP = 1e-6  # of a block's size: how far its rectangle may pass its lines' box


def _mirrored(ext: FloatArray) -> FloatArray:
    """(N, 4) extents of the mirror image (x to -x): right to left as left to right."""
    return np.stack([-ext[:, 2], ext[:, 1], -ext[:, 0], ext[:, 3]], axis=1)


def _all_boxes(elements: Sequence[Element]) -> bool:
    """Whether every element's geometry is a ``Box`` (no direction, no angle)."""
    return all(
        type(el.geometry) is Box or isinstance(el.geometry, Box) for el in elements
    )


def _corners(elements: Sequence[Element]) -> FloatArray:
    """(N, 4, 2) corner points (TL, TR, BR, BL) of each element's geometry, pixels."""
    out = np.empty((len(elements), 4, 2), dtype=np.float64)
    at: list[int] = []  # boxes: their edges in one array at the end
    edges: list[tuple[float, float, float, float]] = []
    for i, el in enumerate(elements):
        g = el.geometry
        kind = type(g)  # exact types first: cheaper than isinstance on 2,000 lines
        if kind is Quad:
            out[i] = cast(Quad, g).points
        elif kind is Box or isinstance(g, Box):
            b = cast(Box, g)
            at.append(i)
            edges.append((b.x0, b.y0, b.x1, b.y1))
        else:
            out[i] = g.to_quad().points
    if edges:
        e = np.array(edges, dtype=np.float64)
        out[at] = e[:, [[0, 1], [2, 1], [2, 3], [0, 3]]]
    return out


def _axis(corners: FloatArray, chars: IntArray | None = None) -> float | None:
    """Dominant text axis in degrees, in [-90, 90); ``None`` if nothing is elongated.

    An element of one character does not vote: its shape is its glyph's (a
    digit "1" is taller than wide), not its line's.

    Args:
        corners: (N, 4, 2) canonical corners, pixels.
        chars: (N,) the characters of each element's text; every element
            votes when ``None``.
    """
    e1 = corners[:, 1] - corners[:, 0]
    e2 = corners[:, 3] - corners[:, 0]
    l1 = np.hypot(e1[:, 0], e1[:, 1])
    l2 = np.hypot(e2[:, 0], e2[:, 1])
    long_is_top = l1 >= l2
    v = np.where(long_is_top[:, None], e1, e2)
    long_side = np.maximum(l1, l2)
    short_side = np.minimum(l1, l2)
    votes = long_side >= _MIN_ASPECT * short_side
    if chars is not None:
        votes &= chars != 1
    weight = np.where(votes, long_side, 0.0)
    if not np.any(weight > 0):
        return None
    a = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
    doubled = np.radians(2 * a)
    theta0 = 0.5 * math.degrees(
        math.atan2(float(weight @ np.sin(doubled)), float(weight @ np.cos(doubled)))
    )
    dev = (a - theta0 + 90.0) % 180.0 - 90.0
    near = (np.abs(dev) < 30.0) & (weight > 0)
    if np.any(near):
        theta0 += _weighted_median(dev[near], weight[near])
    return (theta0 + 90.0) % 180.0 - 90.0


def _weighted_median(values: FloatArray, weights: FloatArray) -> float:
    """The value where half the (positive) weight lies on each side."""
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cum, cum[-1] / 2)])


def _extents(corners: FloatArray, angle: float, boxes: bool = False) -> FloatArray:
    """(N, 4) extents (x0, y0, x1, y1) in the frame where ``angle`` points along +x.

    A box in a frame skewed by a small angle is taken as the rectangle
    turned by that angle whose bounding box it is: its extents are that
    rectangle's, around the box's centre (the box's own corners would add
    the skew twice, and a long line's box spans the lines around it).

    Args:
        corners: (N, 4, 2) corner points, pixels.
        angle: Reading direction in degrees, clockwise on screen (y down).
        boxes: Whether the corners are those of ``Box`` geometries.
    """
    t = math.radians(angle)
    cos, sin = math.cos(t), math.sin(t)
    skew = (angle + 45.0) % 90.0 - 45.0
    if boxes and 0.0 < abs(skew) <= _MAX_SKEW:
        s = math.radians(abs(skew))
        width = corners[:, 1, 0] - corners[:, 0, 0]
        height = corners[:, 3, 1] - corners[:, 0, 1]
        c, d, k = math.cos(s), math.sin(s), math.cos(2 * s)
        w = np.maximum(width * c - height * d, 0.0) / k
        h = np.maximum(height * c - width * d, 0.0) / k
        if round(angle / 90.0) % 2:  # a vertical frame: the width runs along y
            w, h = h, w
        mid = corners.mean(axis=1)
        x = mid[:, 0] * cos + mid[:, 1] * sin
        y = mid[:, 1] * cos - mid[:, 0] * sin
        return np.stack([x - w / 2, y - h / 2, x + w / 2, y + h / 2], axis=1)
    x = corners[..., 0] * cos + corners[..., 1] * sin
    y = corners[..., 1] * cos - corners[..., 0] * sin
    return np.stack([x.min(1), y.min(1), x.max(1), y.max(1)], axis=1)


def _aligned(values: FloatArray, tol: float) -> IntArray:
    """Positions of the most values within one window of width ``tol``."""
    order = np.argsort(values, kind="stable")
    s = values[order]
    count = np.searchsorted(s, s + tol, side="right") - np.arange(len(s))
    first = int(count.argmax())
    return order[first : first + int(count[first])]


def _skew(corners: FloatArray, group: IntArray, angle: float) -> float:
    """Skew of box text in degrees from ``angle``, read from its words' centres.

    Each line's centres get a straight line (least squares in the frame of
    ``angle``); the median of their slopes, weighted by the words' spread
    along the line (a slope's precision), picks the lines whose words lie
    within half a line height of it (root mean square): a piece of another
    line does not. The skew is the slope fitted to all of those at once.
    Boxes of uneven words (capitals, descenders) scatter their centres, by a
    tenth of a line height at least (as the residuals show, or more): a
    slope within three of its standard errors of zero, one whose error could
    move words at the text's two ends by a quarter of a line height against
    each other (short cells of a few words), or one beyond ``_MAX_SKEW``, is
    no skew.

    Args:
        corners: (N, 4, 2) corners of words, pixels.
        group: (N,) the line of each word (numbered from 0).
        angle: The frame the lines were found in, degrees clockwise.

    Returns:
        The skew in degrees, clockwise on screen; 0.0 where it is not clear.
    """
    if not len(group):
        return 0.0
    t = math.radians(angle)
    cos, sin = math.cos(t), math.sin(t)
    mid = corners.mean(axis=1)
    u = mid[:, 0] * cos + mid[:, 1] * sin
    v = mid[:, 1] * cos - mid[:, 0] * sin
    m = int(group.max()) + 1

    def per_line(weights: FloatArray | None) -> FloatArray:
        return np.bincount(group, weights, m).astype(np.float64, copy=False)

    n = per_line(None)
    count = np.maximum(n, 1.0)
    du = u - (per_line(u) / count)[group]
    dv = v - (per_line(v) / count)[group]
    suu = per_line(du * du)
    ok = suu > 0
    if not np.any(ok):
        return 0.0
    n, suu = n[ok], suu[ok]
    suv = per_line(du * dv)[ok]
    svv = per_line(dv * dv)[ok]
    median = _weighted_median(suv / suu, suu)
    h = _median_height(_extents(corners, angle))
    fit = svv - 2 * median * suv + median * median * suu <= n * (h / 2) ** 2
    dof = float(n[fit].sum()) - int(fit.sum()) - 1
    if dof <= 0:
        return 0.0
    n, suu, suv, svv = n[fit], suu[fit], suv[fit], svv[fit]
    b = float(suv.sum() / suu.sum())
    residual = float(np.sum(svv - 2 * b * suv + b * b * suu))
    scatter = max(residual / dof, (0.1 * h) ** 2)
    se = math.sqrt(scatter / float(suu.sum()))
    precise = se * float(u.max() - u.min()) <= h / 4
    skew = math.degrees(math.atan(b))
    return skew if abs(b) > 3 * se and precise and abs(skew) <= _MAX_SKEW else 0.0


def _line_skew(lines: Sequence[Element], angle: float) -> float:
    """:func:`_skew` of box lines from their words' centres.

    Only words whose position is their own count: the engine's (``native``)
    or those with symbols, not words cut from the line's box.
    """
    words: list[Word] = []
    group: list[int] = []
    for k, ln in enumerate(lines):
        if isinstance(ln, Line):
            for w in ln.words:
                if w.native or w.symbols:
                    words.append(w)
                    group.append(k)
    if len(words) < 3:
        return 0.0
    return _skew(_corners(words), np.array(group, dtype=np.intp), angle)


def _median(values: FloatArray) -> float:
    """Median of a non-empty 1-D array (cheaper than ``np.median`` on small ones)."""
    s = np.sort(values)
    mid = len(s) // 2
    return float(s[mid]) if len(s) % 2 else float(s[mid - 1] + s[mid]) / 2


def _median_height(ext: FloatArray) -> float:
    h = _median(ext[:, 3] - ext[:, 1]) if len(ext) else 0.0
    return h if h > 0 else 1.0


def _chars(texts: Sequence[str]) -> IntArray:
    """(N,) the number of characters of each text, spaces around it left out."""
    return np.fromiter((len(t.strip()) for t in texts), dtype=np.intp, count=len(texts))


def _reading_angle(
    corners: FloatArray,
    *,
    flip: bool = True,
    boxes: bool = False,
    rtl: bool = False,
    chars: IntArray | None = None,
) -> float:
    """Reading direction in degrees, clockwise on screen, in [-180, 180).

    The direction is that of the page's x-axis (upright: left to right),
    whichever way its lines read.

    Args:
        corners: (N, 4, 2) corners of lines (or words), pixels.
        flip: Decide between opposite directions from the alignment of the
            elements' starts and ends (meaningful for lines, not words);
            otherwise read left to right or top to bottom.
        boxes: The elements are boxes, which carry no direction: a
            horizontal axis reads left to right whatever the alignment.
        rtl: The lines read right to left: they start at their right end.
        chars: (N,) the characters of each element's text (see :func:`_axis`).
    """
    axis = _axis(corners, chars)
    if axis is None:  # no elongated element: the median top edge, within 45 degrees
        d = corners[:, 1] - corners[:, 0]
        folded = (np.degrees(np.arctan2(d[:, 1], d[:, 0])) + 45.0) % 90.0 - 45.0
        return float(np.median(folded))
    vertical = abs(axis) >= 45.0
    angle = axis % 180.0 if vertical else axis  # vertical: top to bottom
    if not flip or (boxes and not vertical):
        return angle
    ext = _extents(corners, angle)
    h = _median_height(ext)
    starts = len(_aligned(ext[:, 2 if rtl else 0], 0.5 * h))
    ends = _aligned(ext[:, 0 if rtl else 2], 0.5 * h)
    if vertical:  # a page on its side: either side is as likely
        turn = len(ends) > starts
    else:  # upright unless the aligned ends are those of turned prose
        turn = len(ends) >= max(3, 2 * starts) and (
            _median(ext[ends, 2] - ext[ends, 0]) >= _PROSE * h
        )
    if turn:
        angle += 180.0
    return (angle + 180.0) % 360.0 - 180.0


def _frame_angle(
    elements: Sequence[Element], corners: FloatArray, rtl: bool = False
) -> float:
    """:func:`_reading_angle` of elements, with the skew of box lines."""
    boxes = _all_boxes(elements)
    chars = _chars([el.text for el in elements])
    angle = _reading_angle(corners, boxes=boxes, rtl=rtl, chars=chars)
    return angle + _line_skew(elements, angle) if boxes else angle


def text_angle(elements: Sequence[Element]) -> float:
    """The page's reading direction, in degrees clockwise on screen.

    0 is upright text, 90 a page turned 90 degrees clockwise (lines read top
    to bottom), 180 upside down; small values are the skew of a scan (of
    box lines: the slope of their words' centres). It is the direction of
    the upright page's x-axis, also where the lines read right to left.

    Args:
        elements: Lines or words in any order.

    Returns:
        The direction in [-180, 180); 0.0 for no elements.
    """
    if not elements:
        return 0.0
    rtl = mostly_rtl(rtl_balance([el.text for el in elements]))
    return _frame_angle(elements, _corners(elements), rtl)


def _tie_key(el: Element) -> tuple[str, float, str, bool]:
    """What orders elements of the same geometry: text, then the other fields."""
    confidence = -1.0 if el.confidence is None else el.confidence
    return (el.text, confidence, el.language or "", el.native)


def _canonical(elements: Sequence[_E]) -> list[_E]:
    """``elements`` in an order of their own (see :func:`_tie_key`), not the input's.

    Every sort of the layout is stable: elements it cannot tell apart by
    their geometry keep this order, whatever order they came in.
    """
    return sorted(elements, key=_tie_key)


def _top_down(e: FloatArray, *first: FloatArray) -> IntArray:
    """Positions of (M, 4) extents ``e``, by ``first``, then top, bottom, start, end.

    Ties are broken by the extents themselves, then by the order of ``e``
    (:func:`_canonical`), so the same lines read the same whatever order they
    came in.
    """
    return np.lexsort((e[:, 2], e[:, 0], e[:, 3], e[:, 1], *reversed(first)))


def _rows(
    ext: FloatArray, idx: IntArray, columns: tuple[list[float], ...] | None = None
) -> list[list[int]]:
    """``idx`` grouped into rows (vertical overlap >= half the smaller height).

    A line joins the row above when it overlaps the mean extent of that
    row's lines enough. Rows top to bottom, members left to right.

    Args:
        ext: (N, 4) extents in the reading frame.
        idx: The lines to group.
        columns: ``ext``'s columns as lists, when the caller has them.
    """
    mid = ext[idx, 1] + ext[idx, 3]
    by_mid = np.argsort(mid, kind="stable")
    if len(idx) > 1 and bool(np.any(np.diff(mid[by_mid]) == 0)):
        by_mid = _top_down(ext[idx], mid)  # equal middles
    order = idx[by_mid].tolist()
    x0s, y0s, x1s, y1s = columns or tuple(c.tolist() for c in ext.T)
    rows: list[list[int]] = []
    sum0 = sum1 = 0.0
    for i in order:
        y0, y1 = y0s[i], y1s[i]
        if rows:
            n = len(rows[-1])
            row_y0, row_y1 = sum0 / n, sum1 / n
            overlap = min(y1, row_y1) - max(y0, row_y0)
            if overlap >= 0 and overlap >= 0.5 * min(y1 - y0, row_y1 - row_y0):
                rows[-1].append(i)
                sum0 += y0
                sum1 += y1
                continue
        rows.append([i])
        sum0, sum1 = y0, y1
    for row in rows:
        if len(row) > 1:
            row.sort(key=lambda k: (x0s[k], y0s[k], y1s[k], x1s[k]))
    return rows


def _pieces(
    idx: IntArray, lo: FloatArray, hi: FloatArray, min_gap: float
) -> tuple[list[IntArray], FloatArray]:
    """Pieces of ``idx`` separated by gaps of the projection of ``[lo, hi]``.

    Returns:
        The pieces in order along the axis and the widths of the gaps
        between them (only gaps wider than ``min_gap`` separate pieces).
    """
    order = np.argsort(lo[idx], kind="stable")
    reach = np.maximum.accumulate(hi[idx][order])
    gap = lo[idx][order][1:] - reach[:-1]
    cuts = np.flatnonzero(gap > min_gap)
    if not len(cuts):
        return [idx], np.empty(0)
    return np.split(idx[order], cuts + 1), gap[cuts]


class _Layout:
    """XY-cut of lines' extents in the reading frame (see the module docstring)."""

    def __init__(
        self,
        ext: FloatArray,
        *,
        gutter: float,
        column_width: float,
        block_gap: float,
    ) -> None:
        self.ext = ext
        self.columns = tuple(c.tolist() for c in ext.T)
        self.height = np.maximum(ext[:, 3] - ext[:, 1], 0.0)
        self.width = np.maximum(ext[:, 2] - ext[:, 0], 0.0)
        self.gutter = gutter
        self.column_width = column_width
        self.block_gap = block_gap
        self._text: dict[bytes, bool] = {}

    def _h(self, idx: IntArray) -> float:
        h = _median(self.height[idx])
        return h if h > 0 else 1.0

    def _is_column(self, idx: IntArray) -> bool:
        """Whether lines form a text column (wide lines filling the piece)."""
        width = _median(self.width[idx])
        span = float(self.ext[idx, 2].max() - self.ext[idx, 0].min())
        return width >= self.column_width * self._h(idx) and width >= _FILL * span

    def _is_text(self, idx: IntArray) -> bool:
        """Whether lines are prose: a text column, or text columns side by side.

        Columns side by side are those :meth:`_columns` cuts apart, or those
        :meth:`_spanned` finds under a line that spans them (a headline over
        two of them), each of them prose again.
        """
        key = np.sort(idx).tobytes()
        known = self._text.get(key)
        if known is None:
            self._text[key] = False  # while it is being decided: not by itself
            known = self._is_column(idx) or self._are_columns(idx)
            self._text[key] = known
        return known

    def _are_columns(self, idx: IntArray) -> bool:
        """Whether lines are text columns side by side (see :meth:`_is_text`)."""
        h = self._h(idx)
        return len(self._columns(idx, h)[0]) > 1 or self._spanned(idx, h) is not None

    def _columns(self, idx: IntArray, h: float) -> tuple[list[IntArray], float]:
        """Text columns of ``idx``, left to right, and the narrowest gutter.

        A piece between gutters is a column if it is prose (:meth:`_is_text`):
        one text column, or several under a line that spans them. Pieces
        joined to a neighbour (a narrow note beside a column) form one if
        they fill it (:meth:`_is_column`).
        """
        pieces, gaps = _pieces(idx, self.ext[:, 0], self.ext[:, 2], self.gutter * h)
        if len(pieces) == 1:
            return pieces, math.inf
        merged = [pieces[0]]
        column = [self._is_text(pieces[0])]
        gutter = math.inf
        for piece, gap in zip(pieces[1:], gaps.tolist(), strict=True):
            is_col = self._is_text(piece)
            if column[-1] and is_col:
                merged.append(piece)
                column.append(True)
                gutter = min(gutter, gap)
            else:
                merged[-1] = np.concatenate([merged[-1], piece])
                column[-1] = self._is_column(merged[-1])
        return merged, gutter

    def _rows_of(self, idx: IntArray, crossing: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """``crossing`` with the lines that share a row with a crossing line.

        Lines share a row as in :func:`_rows`: their vertical extents overlap
        by at least half the smaller height.

        Args:
            idx: (N,) the region's lines.
            crossing: (N,) whether each of them crosses the gap.

        Returns:
            (N,) whether each line crosses the gap or shares a row with one
            that does.
        """
        y0, y1 = self.ext[idx, 1], self.ext[idx, 3]
        c0, c1 = y0[crossing, None], y1[crossing, None]
        overlap = np.minimum(y1, c1) - np.maximum(y0, c0)  # (crossing, N)
        smaller = np.minimum(y1 - y0, c1 - c0)
        mates: NDArray[np.bool_] = ((overlap >= 0) & (overlap >= 0.5 * smaller)).any(
            axis=0
        )
        return crossing | mates

    def _spanned(self, idx: IntArray, h: float) -> list[IntArray] | None:
        """Bands cut above and below lines that cross a gutter between columns."""
        x0, x1 = self.ext[idx, 0], self.ext[idx, 2]
        if len(idx) < 3 or x1.min() + self.gutter * h >= x0.max():
            return None  # no line ends a gutter's width before another starts
        pos = np.concatenate([x0, x1])
        step = np.concatenate([np.ones(len(idx)), -np.ones(len(idx))])
        order = np.lexsort((-step, pos))  # at equal x, starts before ends
        pos, cover = pos[order], np.cumsum(step[order])
        limit = max(1.0, _SPAN_SHARE * float(cover.max()))
        low = (cover[:-1] <= limit) & (cover[:-1] > 0)  # crossed: not a gutter
        low &= pos[1:] - pos[:-1] > self.gutter * h
        low &= (pos[:-1] > x0.min()) & (pos[1:] < x1.max())
        best: list[IntArray] | None = None
        best_width = 0.0
        for k in np.flatnonzero(low).tolist():
            g0, g1 = float(pos[k]), float(pos[k + 1])
            left, right = idx[x1 <= g0], idx[x0 >= g1]
            if len(left) == 0 or len(right) == 0 or g1 - g0 <= best_width:
                continue
            if not (self._is_text(left) and self._is_text(right)):
                continue
            if self.ext[left, 1].min() >= self.ext[right, 3].max() or (
                self.ext[right, 1].min() >= self.ext[left, 3].max()
            ):
                continue  # one above the other (an address above a letter)
            # Bands top to bottom: runs of crossing lines (with the lines of
            # their rows: the pieces of one line) and runs of the rest.
            crossing = self._rows_of(idx, (x0 < g1) & (x1 > g0)).tolist()
            bands: list[IntArray] = []
            current: list[int] = []
            kind = False
            for j in _top_down(self.ext[idx]).tolist():
                if current and crossing[j] != kind:
                    bands.append(np.array(current, dtype=np.intp))
                    current = []
                current.append(int(idx[j]))
                kind = crossing[j]
            bands.append(np.array(current, dtype=np.intp))
            if len(bands) > 1:
                best, best_width = bands, g1 - g0
        return best

    def blocks(self, idx: IntArray) -> list[list[int]]:
        """Blocks of ``idx`` in reading order, each its lines in reading order."""
        out: list[list[int]] = []
        stack = [idx]
        while stack:
            node = stack.pop()
            h = self._h(node)
            parts: list[IntArray] | None = None
            if len(node) > 1:
                columns, gutter = self._columns(node, h)
                bands, gaps = _pieces(
                    node, self.ext[:, 1], self.ext[:, 3], self.block_gap * h
                )
                if len(bands) > 1 and float(gaps.max()) > gutter:
                    # Classic XY-cut: the widest gap first. A section break
                    # wider than the gutter separates column sets.
                    parts, _ = _pieces(node, self.ext[:, 1], self.ext[:, 3], gutter)
                elif len(columns) > 1:
                    parts = columns
                else:
                    parts = self._spanned(node, h) or (
                        bands if len(bands) > 1 else None
                    )
            if parts is None:
                rows = _rows(self.ext, node, self.columns)
                out.append([i for row in rows for i in row])
            else:
                stack.extend(reversed(parts))
        return out


def _words_follow(
    lines: Sequence[Line], angle: float, balance: IntArray | None
) -> Sequence[Line]:
    """Lines whose split words run against the reading direction, split again.

    Words cut from a line by :func:`~unocr.model.wordsplit.split_line`
    without the engine's help (``native=False``, no symbols) follow the
    line's own frame, left to right or top to bottom (a right-to-left line
    from that frame's end); on a page turned by 180 or 270 degrees they are
    cut again in the page's frame.

    Args:
        lines: The lines.
        angle: The page's reading direction, degrees clockwise.
        balance: :func:`rtl_balance` of the lines' texts.
    """
    if -45.0 <= angle <= 135.0:  # the splitter's own frame reads +x or +y
        return lines
    rtl = [False] * len(lines) if balance is None else (balance > 0).tolist()
    t = math.radians(angle)
    d = np.array([math.cos(t), math.sin(t)])
    out: list[Line] | None = None
    for k, line in enumerate(lines):
        words = line.words
        if len(words) < 2 or any(w.native or w.symbols for w in words):
            continue
        first = _corners(words[:1])[0].mean(axis=0)
        last = _corners(words[-1:])[0].mean(axis=0)
        run = last - first
        length = float(np.hypot(*run))
        along = float(run @ d) * (-1.0 if rtl[k] else 1.0)
        if length == 0 or along > -0.7 * length:  # not against the line's way
            continue
        split = split_line(
            line.geometry,
            line.text,
            confidence=words[0].confidence,
            language=words[0].language,
            angle=angle,
        )
        if out is None:
            out = list(lines)
        out[k] = line.replace(words=split)
    return lines if out is None else out


def _kept_order(ext: FloatArray, block_gap: float) -> list[list[int]]:
    """Lines in their given order, a new block where the next one does not follow."""
    blocks: list[list[int]] = [[0]]
    for i in range(1, len(ext)):
        prev = blocks[-1][-1]
        h = max(ext[i, 3] - ext[i, 1], ext[prev, 3] - ext[prev, 1], 1e-9)
        gap = ext[i, 1] - ext[prev, 3]
        if gap > block_gap * h or ext[i, 1] < ext[prev, 1] - 0.5 * h:
            blocks.append([i])
        else:
            blocks[-1].append(i)
    return blocks


def group_lines(
    lines: Sequence[Line],
    *,
    block_gap: float = 1.0,
    gutter: float = 1.0,
    column_width: float = 6.0,
    angle: float | None = None,
    keep_order: bool = False,
) -> list[Block]:
    """Group lines into blocks in reading order.

    Args:
        lines: Lines in any order (or in reading order with ``keep_order``).
        block_gap: A vertical gap wider than this many line heights starts a
            new block.
        gutter: A vertical strip of white at least this many line heights
            wide may separate two columns.
        column_width: Lines at least this many line heights long (about 12
            characters of Latin text) can form a text column; narrower ones
            are cells read row by row.
        angle: Reading direction in degrees clockwise on screen; estimated
            from the lines when ``None`` (see :func:`text_angle`).
        keep_order: Keep the lines' order (ground truth listed in reading
            order) and only cut it into blocks where a line does not follow
            the previous one (a gap over ``block_gap`` heights, or a step up).

    Returns:
        Synthesised blocks (``native=False``) in reading order.
    """
    if not lines:
        return []
    if not keep_order:
        lines = _canonical(lines)
    corners = _corners(lines)
    boxes = _all_boxes(lines)
    balance = rtl_balance([ln.text for ln in lines])
    rtl = mostly_rtl(balance)
    if angle is None:
        angle = _frame_angle(lines, corners, rtl)
    ext = _extents(corners, angle, boxes)
    lines = _words_follow(lines, angle, balance)
    if keep_order:
        groups = _kept_order(ext, block_gap)
    else:
        layout = _Layout(
            _mirrored(ext) if rtl else ext,
            gutter=gutter,
            column_width=column_width,
            block_gap=block_gap,
        )
        groups = layout.blocks(np.arange(len(lines), dtype=np.intp))
    return [
        Block.from_lines(
            [lines[k] for k in g],
            geometry=_enclosing(lines, corners, ext, g, angle, boxes),
        )
        for g in groups
    ]


def _enclosing(
    lines: Sequence[Line],
    corners: FloatArray,
    ext: FloatArray,
    idx: list[int],
    angle: float,
    boxes: bool,
) -> Geometry:
    """The shape of a block, enclosing its lines and none of the page beyond them.

    A block of one line takes the line's own shape. Box lines give their
    union box. Otherwise the block is the rectangle of its lines' extents in
    the reading frame, rotated back onto the page; where that rectangle
    reaches beyond the lines' bounding box (lines slanted or sheared against
    the frame, the ragged end of a skewed paragraph), it is cut to that box,
    so a block lies on the page wherever its lines do.

    Args:
        lines: Every line.
        corners: (N, 4, 2) corners of every line, pixels.
        ext: (N, 4) their extents in the reading frame.
        idx: The block's lines.
        angle: The reading direction, degrees clockwise.
        boxes: Whether every line is a ``Box``.

    Returns:
        The line's own geometry (one line), a ``Box`` (box lines), the
        ``Quad`` of the block's extent in the reading frame, or a
        ``Polygon``: that quad cut to the lines' bounding box.
    """
    if len(idx) == 1:
        return lines[idx[0]].geometry
    c = corners[idx].reshape(-1, 2)
    lo, hi = c.min(0), c.max(0)
    if boxes:
        return Box(lo[0], lo[1], hi[0], hi[1])
    e = ext[idx]
    x0, y0, x1, y1 = e[:, 0].min(), e[:, 1].min(), e[:, 2].max(), e[:, 3].max()
    t = math.radians(angle)
    d = np.array([math.cos(t), math.sin(t)])
    n = np.array([-math.sin(t), math.cos(t)])
    frame = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    quad = frame[:, :1] * d + frame[:, 1:] * n
    tol = _CLIP * max(float((hi - lo).max()), 1.0)
    if np.all(quad >= lo - tol) and np.all(quad <= hi + tol):
        return Quad(quad)
    return _clipped(quad, lo, hi, tol)


def _clipped(
    points: FloatArray, lo: FloatArray, hi: FloatArray, tol: float
) -> Geometry:
    """A convex clockwise ring cut to the box ``[lo, hi]`` (Sutherland-Hodgman).

    Args:
        points: (K, 2) the ring, pixels.
        lo: (2,) the box's top-left corner.
        hi: (2,) its bottom-right corner.
        tol: Corners closer than this (pixels) are taken as one.

    Returns:
        A ``Quad`` of four corners, a ``Polygon`` of more (or of three), or the
        ``Box`` itself where the cut leaves less.
    """
    ring = [(float(x), float(y)) for x, y in points]
    for axis, bound, keep_below in (
        (0, lo[0], False),
        (0, hi[0], True),
        (1, lo[1], False),
        (1, hi[1], True),
    ):
        b = float(bound)
        out: list[tuple[float, float]] = []
        for k, p in enumerate(ring):
            q = ring[k - 1]
            p_in = p[axis] <= b if keep_below else p[axis] >= b
            q_in = q[axis] <= b if keep_below else q[axis] >= b
            if p_in != q_in:
                f = (b - q[axis]) / (p[axis] - q[axis])
                cut = [q[0] + f * (p[0] - q[0]), q[1] + f * (p[1] - q[1])]
                cut[axis] = b
                out.append((cut[0], cut[1]))
            if p_in:
                out.append(p)
        ring = out
    kept: list[tuple[float, float]] = []
    for p in ring:
        if not kept or max(abs(p[0] - kept[-1][0]), abs(p[1] - kept[-1][1])) > tol:
            kept.append(p)
    while (
        len(kept) > 1
        and max(abs(kept[0][0] - kept[-1][0]), abs(kept[0][1] - kept[-1][1])) <= tol
    ):
        kept.pop()
    if len(kept) < 3:
        return Box(lo[0], lo[1], hi[0], hi[1])
    return Quad(kept) if len(kept) == 4 else Polygon(kept)


def group_words(
    words: Sequence[Word], *, column_gap: float = 1.5, angle: float | None = None
) -> list[Line]:
    """Group words into lines in reading order.

    Args:
        words: Words in any order.
        column_gap: A gap along the line wider than this many line heights
            starts a new line (text in another column or cell).
        angle: Reading direction in degrees clockwise on screen; estimated
            from the words when ``None``.

    Returns:
        Synthesised lines (``native=False``), top to bottom, then left to
        right in the reading frame, each line's words in reading order
        (rightmost first where most of its letters are right to left, a run
        of left-to-right words in it from its left end); pass
        them to :func:`group_lines` for the reading order of the page.
    """
    if not words:
        return []
    words = _canonical(words)
    corners = _corners(words)
    boxes = _all_boxes(words)
    texts = [w.text for w in words]
    balance = rtl_balance(texts)
    if angle is None:
        # The axis from the words; which way it reads from the lines they form.
        rough = _reading_angle(corners, flip=False, chars=_chars(texts))
        ext = _extents(corners, rough, boxes)
        segments = _segments(ext, column_gap)
        if boxes:  # boxes carry no angle: the skew their lines show
            skew = _box_skew(corners, segments, rough, column_gap)
            if skew:
                rough += skew
                ext = _extents(corners, rough, boxes)
                segments = _segments(ext, column_gap)
        rtl = _read_from_the_right(segments, ext, balance, texts)
        lines = [Line.from_words([words[k] for k in s]) for s in segments]
        angle = _reading_angle(
            _corners(lines),
            boxes=boxes,
            rtl=rtl,
            chars=_chars([ln.text for ln in lines]),
        )
        if abs((angle - rough + 180.0) % 360.0 - 180.0) < 90.0:
            return lines
        if boxes:  # turned by 180 degrees, skew and all
            angle = rough + 180.0
    ext = _extents(corners, angle, boxes)
    segments = _segments(ext, column_gap)
    _read_from_the_right(segments, ext, balance, texts)
    return [Line.from_words([words[k] for k in s]) for s in segments]


def _line_numbers(segments: list[list[int]], n: int) -> IntArray:
    """(n,) the line (position in ``segments``) of each of ``n`` words."""
    group = np.zeros(n, dtype=np.intp)
    for g, segment in enumerate(segments):
        group[segment] = g
    return group


def _box_skew(
    corners: FloatArray, segments: list[list[int]], angle: float, column_gap: float
) -> float:
    """:func:`_skew` of box words, from their lines in the frame of ``angle``.

    Lines found in a frame the text is skewed against by more than a line
    height along their length are pieces of several: where they show no
    skew, the words are grouped again in the frame where their centres line
    up best (:func:`_profile_skew`), and the skew is read from those lines.

    Args:
        corners: (N, 4, 2) corners of the words' boxes, pixels.
        segments: The words' lines found in the frame of ``angle``.
        angle: That frame, degrees clockwise.
        column_gap: As for :func:`group_words`.

    Returns:
        The skew in degrees from ``angle``; 0.0 where it is not clear.
    """
    n = len(corners)
    skew = _skew(corners, _line_numbers(segments, n), angle)
    if skew:
        return skew
    guess = _profile_skew(corners, angle)
    if not guess:
        return 0.0
    lines = _segments(_extents(corners, angle + guess, True), column_gap)
    return _skew(corners, _line_numbers(lines, n), angle)


#: At most this many words (evenly picked) and bins across the lines in a
#: projection profile: what it costs stays bounded whatever the page holds.
_PROFILE_WORDS = 2000
_PROFILE_BINS = 4096


def _profile_skew(corners: FloatArray, angle: float) -> float:
    """The skew from ``angle`` at which the words' centres line up best.

    A projection profile: across the lines (in frames turned by up to
    ``_MAX_SKEW``, in steps that move the text's two ends by half a line
    height against each other), the centres are counted in bins half a line
    height high (at two offsets, added); the frame with the most pairs of
    centres in one bin wins, the least turned of equals. The line height is
    that of the shorter words (their boxes grow least with the skew).

    Args:
        corners: (N, 4, 2) corners of words, pixels.
        angle: The frame, degrees clockwise.

    Returns:
        The skew in degrees from ``angle`` (0.0 for fewer than three words).
    """
    if len(corners) > _PROFILE_WORDS:  # a skew needs no more (memory: N x A)
        pick = np.linspace(0, len(corners) - 1, _PROFILE_WORDS).astype(np.intp)
        corners = corners[pick]
    ext = _extents(corners, angle)
    if len(ext) < 3:
        return 0.0
    u, v = (ext[:, 0] + ext[:, 2]) / 2, (ext[:, 1] + ext[:, 3]) / 2
    size = float(np.percentile(ext[:, 3] - ext[:, 1], 25)) / 2  # short words' height
    span = float(u.max() - u.min())
    if size <= 0 or span <= 0:
        return 0.0
    step = math.atan(size / span)
    k = min(int(math.radians(_MAX_SKEW) / step), 200)
    turns = step * np.arange(-k, k + 1)
    across = v[:, None] * np.cos(turns) - u[:, None] * np.sin(turns)  # (N, A)
    across -= across.min(axis=0)
    # words scattered far apart for their height: coarser bins, a bounded count
    size = max(size, float(across.max()) / _PROFILE_BINS)
    score = _pairs_in_bins(across, size)
    order = np.argsort(np.abs(turns), kind="stable")  # the least turned first
    return math.degrees(float(turns[order[int(score[order].argmax())]]))


def _pairs_in_bins(across: FloatArray, size: float) -> FloatArray:
    """(A,) how sharply the points bunch across the lines in each of A frames.

    Args:
        across: (N, A) non-negative positions of N points in A frames, pixels.
        size: The bins' height, pixels.

    Returns:
        (A,) the sum of the squared counts of the bins of each frame, for
        bins starting at 0 and at half a bin.
    """
    frames = across.shape[1]
    score = np.zeros(frames)
    for offset in (0.0, 0.5):
        bins = (across / size + offset).astype(np.intp)
        m = int(bins.max()) + 1
        counts = np.bincount(
            (bins + m * np.arange(frames)).ravel(), minlength=m * frames
        )
        score += (counts.reshape(frames, m).astype(np.float64) ** 2).sum(axis=1)
    return score


def _read_from_the_right(
    segments: list[list[int]],
    ext: FloatArray,
    balance: IntArray | None,
    texts: Sequence[str],
) -> bool:
    """Sort the words of right-to-left lines into their logical order, in place.

    A right-to-left line's words are read from its right end, each run of
    left-to-right words in it ("New York") from its left end
    (:func:`~unocr._direction.rtl_order`).

    Args:
        segments: Each line's words (positions), left to right.
        ext: (N, 4) the words' extents in the reading frame.
        balance: :func:`rtl_balance` of the words' texts.
        texts: The words' texts.

    Returns:
        Whether most of the letters read right to left.
    """
    if balance is None or not segments:
        return False
    sizes = np.fromiter(map(len, segments), dtype=np.intp, count=len(segments))
    words = np.fromiter(chain.from_iterable(segments), dtype=np.intp)
    line = np.repeat(np.arange(len(segments)), sizes)
    votes = np.bincount(line, balance[words], len(segments)).astype(np.intp)
    rtl = np.flatnonzero(votes > 0)
    if len(rtl):
        # each line's words in the mirror image of the order of :func:`_rows`
        e = ext[words]
        mirrored = words[np.lexsort((-e[:, 0], e[:, 3], e[:, 1], -e[:, 2], line))]
        ends = np.cumsum(sizes)
        mixed = bool(np.any(balance < 0))  # some words read left to right
        for k in rtl.tolist():
            line_words = mirrored[ends[k] - sizes[k] : ends[k]]
            if mixed and sizes[k] > 1:
                shown = line_words[::-1]  # left to right
                order = rtl_order([texts[i] for i in shown.tolist()], balance[shown])
                line_words = shown[order]
            segments[k] = line_words.tolist()
    return mostly_rtl(votes)


def _segments(ext: FloatArray, column_gap: float) -> list[list[int]]:
    """Words' extents grouped into lines (see :func:`group_words`), as positions."""
    height = np.maximum(ext[:, 3] - ext[:, 1], 1e-9)
    segments: list[list[int]] = []
    for row in _rows(ext, np.arange(len(ext), dtype=np.intp)):
        limit = column_gap * _median(height[row])
        segment = [row[0]]
        reach = ext[row[0], 2]
        for cur in row[1:]:
            if ext[cur, 0] - reach > limit:
                segments.append(segment)
                segment = []
            segment.append(cur)
            reach = max(reach, ext[cur, 2])
        segments.append(segment)
    return segments

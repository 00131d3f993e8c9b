"""Reading order: synthesise lines and blocks for engines that give only words.

The grouping works in a de-skewed frame: the page's dominant text angle is
estimated from the words' top edges (median, within +/-45 degrees), every word
is rotated by minus that angle, and then

1. words whose vertical extents overlap by at least half the smaller height
   join one line; a line is cut where the horizontal gap between neighbours
   exceeds ``column_gap`` (2) times the line height (a column gutter);
2. lines are stacked into a block while the vertical gap to the previous line
   is at most ``block_gap`` times the line height and their horizontal extents
   overlap;
3. blocks are ordered top to bottom, then left to right; lines in a block top
   to bottom; words in a line left to right.

Parents get geometry that encloses their children and ``native=False``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from unocr.geometry import Box
from unocr.model.elements import Block, Element, Line, Word

__all__ = ["group_lines", "group_words", "text_angle"]


def _corners(elements: Sequence[Element]) -> NDArray[np.float64]:
    """(N, 4, 2) corner points (TL, TR, BR, BL) of each element's geometry."""
    out = np.empty((len(elements), 4, 2), dtype=np.float64)
    for i, el in enumerate(elements):
        g = el.geometry
        if isinstance(g, Box):
            out[i] = ((g.x0, g.y0), (g.x1, g.y0), (g.x1, g.y1), (g.x0, g.y1))
        else:
            out[i] = g.to_quad().points
    return out


def text_angle(elements: Sequence[Element]) -> float:
    """Dominant angle of the text baseline, in degrees, clockwise on screen.

    Args:
        elements: Elements whose geometry's top edge runs along the text.

    Returns:
        The median angle of the elements' top edges folded into [-45, 45);
        0.0 for no elements.
    """
    if not elements:
        return 0.0
    c = _corners(elements)
    d = c[:, 1] - c[:, 0]
    angles = np.degrees(np.arctan2(d[:, 1], d[:, 0]))
    angles = (angles + 45.0) % 90.0 - 45.0
    return float(np.median(angles))


def _deskewed_extents(elements: Sequence[Element], angle: float) -> NDArray[np.float64]:
    """(N, 4) extents (x0, y0, x1, y1) after rotating by ``-angle`` degrees."""
    c = _corners(elements)
    t = math.radians(-angle)
    cos, sin = math.cos(t), math.sin(t)
    x = c[..., 0] * cos - c[..., 1] * sin
    y = c[..., 0] * sin + c[..., 1] * cos
    return np.stack([x.min(1), y.min(1), x.max(1), y.max(1)], axis=1)


def _rows(ext: NDArray[np.float64]) -> list[list[int]]:
    """Indices grouped into rows: vertical extents overlapping by >= half height."""
    centres = (ext[:, 1] + ext[:, 3]) / 2
    rows: list[list[int]] = []
    row_y0 = row_y1 = 0.0
    for i in np.argsort(centres, kind="stable").tolist():
        y0, y1 = ext[i, 1], ext[i, 3]
        if rows:
            overlap = min(y1, row_y1) - max(y0, row_y0)
            if overlap >= 0.5 * min(y1 - y0, row_y1 - row_y0):
                rows[-1].append(i)
                row_y0, row_y1 = min(row_y0, y0), max(row_y1, y1)
                continue
        rows.append([i])
        row_y0, row_y1 = y0, y1
    return rows


def group_words(
    words: Sequence[Word], *, column_gap: float = 2.0, angle: float | None = None
) -> list[Line]:
    """Group words into lines in reading order.

    Args:
        words: Words in any order.
        column_gap: A horizontal gap wider than this many line heights starts
            a new line (text in another column).
        angle: Text angle in degrees; estimated from the words when ``None``.

    Returns:
        Synthesised lines (``native=False``), top to bottom, then left to right.
    """
    if not words:
        return []
    if angle is None:
        angle = text_angle(words)
    ext = _deskewed_extents(words, angle)
    heights = np.maximum(ext[:, 3] - ext[:, 1], 1e-9)
    rows = _rows(ext)
    lines: list[tuple[float, float, Line]] = []
    for row in rows:
        row.sort(key=lambda k: ext[k, 0])
        height = float(np.median(heights[row]))
        segment = [row[0]]
        for prev, cur in itertools.pairwise(row):
            if ext[cur, 0] - ext[prev, 2] > column_gap * height:
                lines.append(_line(words, segment, ext))
                segment = []
            segment.append(cur)
        lines.append(_line(words, segment, ext))
    return [line for _, _, line in sorted(lines, key=lambda t: (t[0], t[1]))]


def _line(
    words: Sequence[Word], idx: list[int], ext: NDArray[np.float64]
) -> tuple[float, float, Line]:
    top = float(ext[idx, 1].min())
    left = float(ext[idx, 0].min())
    return (top, left, Line.from_words([words[k] for k in idx]))


def group_lines(
    lines: Sequence[Line],
    *,
    block_gap: float = 1.2,
    table_gap: float = 0.5,
    angle: float | None = None,
) -> list[Block]:
    """Group lines into blocks in reading order.

    Lines side by side on one row are read as a table row (left to right,
    before the next row) when the gaps between them are at least
    ``table_gap`` times their median width — cells of a receipt or form —
    and as separate columns otherwise (prose columns: narrow gutters between
    wide lines).

    Args:
        lines: Lines in reading order or any order.
        block_gap: A vertical gap larger than this many line heights starts a
            new block.
        table_gap: Gap-to-width ratio from which a row of lines is a table row.
        angle: Text angle in degrees; estimated from the lines when ``None``.

    Returns:
        Synthesised blocks (``native=False``), top to bottom, then left to right.
    """
    if not lines:
        return []
    if angle is None:
        angle = text_angle(lines)
    ext = _deskewed_extents(lines, angle)
    units: list[list[int]] = []
    for row in _rows(ext):
        row.sort(key=lambda k: ext[k, 0])
        if len(row) > 1:
            widths = ext[row, 2] - ext[row, 0]
            gaps = ext[row[1:], 0] - ext[row[:-1], 2]
            if np.median(gaps) >= table_gap * np.median(widths):
                units.append(row)
                continue
        units.extend([k] for k in row)
    uext = np.array(
        [
            [ext[u, 0].min(), ext[u, 1].min(), ext[u, 2].max(), ext[u, 3].max()]
            for u in units
        ]
    )
    order = sorted(range(len(units)), key=lambda k: (uext[k, 1], uext[k, 0]))
    groups: list[list[int]] = []
    for i in order:
        h = uext[i, 3] - uext[i, 1]
        target = None
        for g in reversed(groups):
            last = g[-1]
            gap = uext[i, 1] - uext[last, 3]
            lh = max(h, uext[last, 3] - uext[last, 1])
            x_overlap = min(uext[i, 2], uext[last, 2]) - max(uext[i, 0], uext[last, 0])
            if x_overlap > 0 and -0.5 * lh <= gap <= block_gap * lh:
                target = g
                break
        if target is None:
            groups.append([i])
        else:
            target.append(i)
    # Reading order of blocks: bands of vertically overlapping blocks, top to
    # bottom; inside a band (side-by-side columns), left to right.
    spans = [
        (float(uext[g, 1].min()), float(uext[g, 3].max()), float(uext[g, 0].min()), g)
        for g in groups
    ]
    spans.sort(key=lambda t: (t[0], t[2]))
    ordered: list[list[int]] = []
    band: list[tuple[float, float, float, list[int]]] = []
    band_bottom = -math.inf
    for span in spans:
        if band and span[0] >= band_bottom:
            ordered.extend(g for *_, g in sorted(band, key=lambda t: t[2]))
            band = []
        band.append(span)
        band_bottom = max(band_bottom, span[1]) if len(band) > 1 else span[1]
    ordered.extend(g for *_, g in sorted(band, key=lambda t: t[2]))
    return [Block.from_lines([lines[k] for u in g for k in units[u]]) for g in ordered]

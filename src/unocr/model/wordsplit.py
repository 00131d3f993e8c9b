"""Words along their line: split a line's shape into word shapes.

Engines that report lines (RapidOCR, EasyOCR, ...) give a line's shape and
its text; the words are cut from that shape along the line's own direction,
at any angle:

* The line's frame is its long side (a line of several characters is
  longer than high), left to right when that side is nearer horizontal and
  top to bottom otherwise (a page turned 90 degrees clockwise), or the
  explicit ``angle`` (a turned page's). A line whose letters are mostly
  right to left (Hebrew, Arabic: :func:`unocr._direction.is_rtl`) reads
  from the frame's end (the right end of an upright line), any other line
  from its start; the first and last located character set the direction
  where the engine located them (without an ``angle``). A run of
  left-to-right words inside a right-to-left line
  (:func:`unocr._direction.ltr_runs`: "New York", "Windows 11") is laid out
  left to right within the run's stretch of the line, as a bidi renderer
  shows it; the words are returned in the text's (logical) order.
* Each word covers an interval ``[t0, t1]`` of the line's length: the span
  of its characters' shapes projected onto the line's axis where the engine
  located them, otherwise its share of the line's characters (word ``i``
  covering characters ``[a, b)`` of ``n`` spans ``a / n`` to ``b / n``,
  mirrored within its run's span in a left-to-right run of a right-to-left
  line).
  Intervals are clipped to ``[0, 1]`` and made to follow each other along
  the line.
* The word's quad is the part of the line's quad between ``t0`` and ``t1``
  along its top and bottom edges, so every word lies inside its line (for a
  convex line shape) and the words follow each other along the line.

Examples:
    >>> from unocr.geometry import Quad
    >>> words = split_line(Quad([[0, 0], [50, 0], [50, 10], [0, 10]]), "ab cd")
    >>> [(w.text, w.geometry.to_box().x0, w.geometry.to_box().x1) for w in words]
    [('ab', 0.0, 20.0), ('cd', 30.0, 50.0)]
    >>> column = Quad([[0, 0], [10, 0], [10, 50], [0, 50]])  # reads top to bottom
    >>> [(w.text, w.geometry.to_box().y0) for w in split_line(column, "ab cd")]
    [('ab', 0.0), ('cd', 30.0)]
    >>> hebrew = Quad([[0, 0], [90, 0], [90, 10], [0, 10]])  # from the right
    >>> [w.geometry.to_box().x0 for w in split_line(hebrew, "שלום עולם")]
    [50.0, 0.0]
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from unocr._direction import is_rtl, ltr_runs, rtl_balance
from unocr.geometry import Box, Geometry, Quad
from unocr.model.elements import Line, Symbol, Word

__all__ = ["line_corners", "native_line", "split_line"]

_WORD = re.compile(r"\S+")

FloatArray = NDArray[np.float64]


def _canonical(geometry: Geometry) -> FloatArray:
    if isinstance(geometry, Quad):
        return geometry.points
    return geometry.to_quad().points


def _rotation(corners: FloatArray, direction: FloatArray) -> FloatArray:
    """The cyclic order of ``corners`` whose first edge best follows ``direction``."""
    best, best_dot = corners, -math.inf
    norm = float(np.hypot(*direction)) or 1.0
    for k in range(4):
        c = np.roll(corners, -k, axis=0)
        edge = c[1] - c[0]
        length = float(np.hypot(*edge))
        # Cosine of the angle, ties (a zero edge) to the longer side.
        dot = float(edge @ direction) / (norm * length) if length else -1.0
        if dot > best_dot + 1e-9:
            best, best_dot = c, dot
    return best


def line_corners(
    geometry: Geometry, text: str = "", *, angle: float | None = None
) -> FloatArray:
    """A line's corners in reading order: start-top, end-top, end-bottom, start-bottom.

    The line's frame runs along ``angle``, or along its long side; text that
    reads right to left (:func:`unocr._direction.is_rtl`: most of its
    letters) starts at the frame's end, so its corners are the frame's
    mirrored (an upright line's TR, TL, BL, BR).

    Args:
        geometry: The line's shape (a polygon or mask gives its minimum-area
            rectangle), pixel coordinates.
        text: The line's text; a one-character line is read along its top
            edge, and right-to-left text from the frame's end.
        angle: The frame's direction in degrees, clockwise on screen: where
            left-to-right text reads (the page's x-axis, as
            :func:`unocr.model.layout.text_angle` gives it); default: along
            the long side, left to right or top to bottom.

    Returns:
        (4, 2) float64 corners; the first edge runs along the text.
    """
    c = _frame(geometry, text, angle)
    return c[[1, 0, 3, 2]] if is_rtl(text) else c


def _frame(geometry: Geometry, text: str, angle: float | None) -> FloatArray:
    """A line's corners along its frame, as left-to-right text reads it.

    See :func:`line_corners` (which mirrors them for right-to-left text).
    """
    c = _canonical(geometry)  # TL, TR, BR, BL; TL->TR nearest horizontal
    if angle is not None:
        t = math.radians(angle)
        return _rotation(c, np.array([math.cos(t), math.sin(t)]))
    top = float(np.hypot(*(c[1] - c[0])))
    side = float(np.hypot(*(c[3] - c[0])))
    if side > top and len(text.strip()) > 1:
        return np.roll(c, -1, axis=0)  # TR, BR, BL, TL: top to bottom
    return c


def _slots(
    text: str, spans: list[tuple[int, int]]
) -> tuple[list[tuple[int, int]], list[int], bool]:
    """Where each word lies along a line, in characters from the line's start.

    A right-to-left line starts at its frame's end, and a run of
    left-to-right words in it (:func:`unocr._direction.ltr_runs`) is laid
    out the other way within the run's span: "New York" keeps "New" on the
    left.

    Args:
        text: The line's text.
        spans: Each word's ``(start, stop)`` in ``text``.

    Returns:
        Each word's ``(start, stop)`` along the line, the words in their
        order along it, and whether the line reads right to left.
    """
    order = list(range(len(spans)))
    if text.isascii():
        return spans, order, False
    words = [text[a:b] for a, b in spans]
    balance = rtl_balance(words)
    if balance is None or int(balance.sum()) <= 0:
        return spans, order, False
    slots = list(spans)
    for start, stop in ltr_runs(words, balance):
        a, b = spans[start][0], spans[stop - 1][1]
        for w in range(start, stop):
            slots[w] = (a + b - spans[w][1], a + b - spans[w][0])
        order[start:stop] = order[start:stop][::-1]
    return slots, order, True


def _char_direction(
    symbols: Sequence[Symbol | None], corners: FloatArray
) -> FloatArray | None:
    """From the first to the last located character's centre, or ``None``."""
    centres = [_canonical(s.geometry).mean(axis=0) for s in symbols if s is not None]
    if len(centres) < 2:
        return None
    d = centres[-1] - centres[0]
    return d if float(np.hypot(*d)) > 0 else None


def _intervals(
    n: int,
    slots: list[tuple[int, int]],
    order: list[int],
    spans: list[tuple[int, int]],
    symbols: Sequence[Symbol | None] | None,
    corners: FloatArray,
) -> FloatArray:
    """(W, 2) intervals ``[t0, t1]`` of the line's length covered by each word.

    Args:
        n: The number of characters of the line's text.
        slots: Each word's characters along the line (see :func:`_slots`).
        order: The words in their order along the line.
        spans: Each word's characters in the line's text (its symbols).
        symbols: The engine's character boxes, or ``None``.
        corners: The line's corners in reading order.
    """
    out = np.array([(a / n, b / n) for a, b in slots], dtype=np.float64)
    if symbols is not None:
        a, b = corners[0], corners[1]
        axis = b - a
        length2 = float(axis @ axis)
        if length2 > 0:
            for w, (s0, s1) in enumerate(spans):
                pts = [_canonical(s.geometry) for s in symbols[s0:s1] if s is not None]
                if pts:
                    t = (np.concatenate(pts) - a) @ axis / length2
                    out[w] = (float(t.min()), float(t.max()))
    out = np.clip(out, 0.0, 1.0)
    for prev, w in itertools.pairwise(order):  # words follow each other along it
        prev0, prev1 = out[prev]
        if out[w, 0] < prev1:  # overlap: meet half-way, never reversing a word
            cut = max(prev0, min((out[w, 0] + prev1) / 2, out[w, 1]))
            out[prev, 1] = cut
            out[w, 0] = cut
        out[w, 1] = max(out[w, 0], out[w, 1])
    return out


def split_line(
    geometry: Geometry,
    text: str,
    *,
    confidence: float | None = None,
    language: str | None = None,
    symbols: Sequence[Symbol | None] | None = None,
    angle: float | None = None,
) -> tuple[Word, ...]:
    """Split a line into words (``native=False``) along its own direction.

    Args:
        geometry: The line's shape in pixels.
        text: The line's text; words are runs of non-whitespace characters.
        confidence: Each word's confidence where no symbols are given.
        language: Each word's language.
        symbols: One entry per character of ``text`` (``None`` for a
            character the engine did not locate, e.g. a space): the engine's
            character boxes. They place the words, become the words'
            symbols, and their mean confidence is the word's. Ignored unless
            ``len(symbols) == len(text)``.
        angle: The line's frame in degrees clockwise on screen (where
            left-to-right text reads; right-to-left text reads against
            it); default: see :func:`line_corners` (and the characters'
            order).

    Returns:
        The words in reading order (a right-to-left line's first word at
        its right end, a run of left-to-right words in it laid out from the
        run's left end); a ``Box`` line read along its width (either way)
        gives ``Box`` words, any other line ``Quad`` words.
    """
    spans = [m.span() for m in _WORD.finditer(text)]
    if not spans:
        return ()
    if symbols is not None and len(symbols) != len(text):
        symbols = None
    slots, order, rtl = _slots(text, spans)
    corners = _frame(geometry, text, angle)
    if rtl:
        corners = corners[[1, 0, 3, 2]]
    if angle is None and symbols is not None:
        direction = _char_direction(symbols, corners)
        if direction is not None:
            corners = _rotation(corners, direction)
    t = _intervals(len(text), slots, order, spans, symbols, corners)
    a, b, c, d = corners
    starts_top = a + t[:, :1] * (b - a)
    ends_top = a + t[:, 1:] * (b - a)
    ends_bottom = d + t[:, 1:] * (c - d)
    starts_bottom = d + t[:, :1] * (c - d)
    quads = np.stack([starts_top, ends_top, ends_bottom, starts_bottom], axis=1)
    along_x = isinstance(geometry, Box) and bool(b[1] == a[1])
    words: list[Word] = []
    for (s0, s1), q in zip(spans, quads, strict=True):
        lo, hi = q.min(axis=0), q.max(axis=0)
        shape: Geometry = Box(lo[0], lo[1], hi[0], hi[1]) if along_x else Quad(q)
        own = (
            tuple(s for s in symbols[s0:s1] if s is not None)
            if symbols is not None
            else ()
        )
        confs = [s.confidence for s in own if s.confidence is not None]
        words.append(
            Word(
                text=text[s0:s1],
                geometry=shape,
                confidence=math.fsum(confs) / len(confs) if confs else confidence,
                language=language,
                native=False,
                symbols=own,
            )
        )
    return tuple(words)


def native_line(
    quad: Quad,
    text: str,
    confidence: float | None,
    words: Sequence[Word] | None = None,
) -> Line:
    """An engine's own line: its shape, text and confidence.

    Args:
        quad: The line's shape as the engine gave it, in pixels.
        text: The line's text (stripped here).
        confidence: The engine's confidence of the line, in [0, 1], or ``None``.
        words: The words the engine gave; ``None`` cuts them from the line
            along its own direction (:func:`split_line`, ``native=False``,
            the line's confidence).

    Returns:
        The line, ``native=True``.

    Examples:
        >>> quad = Quad([[0, 0], [50, 0], [50, 10], [0, 10]])
        >>> line = native_line(quad, " ab cd", 0.9)
        >>> line.text, line.native, [(w.text, w.native) for w in line.words]
        ('ab cd', True, [('ab', False), ('cd', False)])
    """
    if words is None:
        words = split_line(quad, text, confidence=confidence)
    return Line(
        text=text.strip(),
        geometry=quad,
        confidence=confidence,
        native=True,
        words=tuple(words),
    )

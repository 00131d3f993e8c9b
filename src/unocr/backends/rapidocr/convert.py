"""Convert RapidOCR's output into a :class:`~unocr.model.Page` (pure, no engine import).

``rapidocr_onnxruntime.RapidOCR.__call__`` returns ``(result, elapse)``.
``result`` is ``None`` when no text was found, otherwise a list with one entry
per detected text line, in the engine's own top-to-bottom order:

* ``[box, text, score]`` by default, where ``box`` is four ``[x, y]`` points
  (float pixels of the input image, clockwise from the top-left corner of the
  text), ``text`` the recognised string and ``score`` the mean probability of
  its characters, a float in [0, 1];
* ``[box, text, score, char_boxes, chars, char_scores]`` with
  ``return_word_box=True``: ``char_boxes`` holds one four-point integer quad
  per decoded character (spaces included), ``chars`` the characters and
  ``char_scores`` their probabilities. (RapidOCR calls these "word boxes"; for
  Latin script the 1.x releases give one box per character.)

The conversion keeps RapidOCR's line quads as native :class:`~unocr.model.Line`
elements. Words are synthesised (``native=False``) by splitting the line text
at whitespace: from the character boxes where present (each word's quad runs
from its first character's left edge to its last character's right edge, the
characters become native :class:`~unocr.model.Symbol` elements and the word's
confidence is the mean of theirs), otherwise by dividing the line quad in
proportion to character counts (the word's confidence is then the line's).
Blocks are synthesised from the lines by :func:`unocr.model.layout.group_lines`.
Saved output (e.g. JSON) converts without RapidOCR installed.

Examples:
    >>> result = [[[[10.0, 5.0], [110.0, 5.0], [110.0, 25.0], [10.0, 25.0]],
    ...            "Hello world", 0.97]]
    >>> page = rapidocr_to_page(result, width=200, height=40)
    >>> [(w.text, w.native) for w in page.words]
    [('Hello', False), ('world', False)]
    >>> page.lines[0].confidence
    0.97
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from unocr.backends._points import four_points
from unocr.errors import FormatError, GeometryError
from unocr.geometry import Quad
from unocr.model import Block, Line, Page, Symbol, Timings, Word
from unocr.model.layout import group_lines

__all__ = [
    "line_from_entry",
    "rapidocr_to_blocks",
    "rapidocr_to_page",
    "split_line_quad",
]

_WORD = re.compile(r"\S+")


def _confidence(value: object) -> float | None:
    """A RapidOCR probability as a float in [0, 1]; ``None`` if not a number."""
    try:
        conf = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if math.isnan(conf):
        return None
    return min(1.0, max(0.0, conf))


def _points(value: ArrayLike, what: str) -> NDArray[np.float64]:
    """Validate four (x, y) points of a RapidOCR ``what`` (e.g. "line box")."""
    return four_points(value, f"RapidOCR {what}")


def _quad(points: NDArray[np.float64]) -> Quad | None:
    """A canonical quad, or ``None`` where the points are not a valid quad."""
    try:
        return Quad.from_points(points)
    except GeometryError:
        return None


def split_line_quad(
    points: ArrayLike, text: str
) -> list[tuple[str, NDArray[np.float64]]]:
    """Split a line quad into word quads in proportion to character counts.

    Used where the engine gives no character boxes. Word ``i`` covering
    characters ``[a, b)`` of a text of ``n`` characters spans fractions
    ``a / n`` to ``b / n`` of the line along its top and bottom edges, so
    the word quads follow a rotated line's slope.

    Args:
        points: (4, 2) line quad, pixel coordinates (x, y), top-left first,
            clockwise (top-left, top-right, bottom-right, bottom-left).
        text: The line's text; words are runs of non-whitespace characters.

    Returns:
        ``(word, quad)`` pairs left to right, each quad a (4, 2) float64 array
        in the same corner order.

    Examples:
        >>> [(w, q[:, 0].round(1).tolist()) for w, q in split_line_quad(
        ...     [[0, 0], [50, 0], [50, 10], [0, 10]], "ab cd")]
        [('ab', [0.0, 20.0, 20.0, 0.0]), ('cd', [30.0, 50.0, 50.0, 30.0])]
    """
    pts = _points(points, "line box")
    n = len(text)
    out: list[tuple[str, NDArray[np.float64]]] = []
    if n == 0:
        return out
    tl, tr, br, bl = pts
    for match in _WORD.finditer(text):
        t0, t1 = match.start() / n, match.end() / n
        quad = np.array(
            [
                tl + t0 * (tr - tl),
                tl + t1 * (tr - tl),
                bl + t1 * (br - bl),
                bl + t0 * (br - bl),
            ],
            dtype=np.float64,
        )
        out.append((match.group(), quad))
    return out


def _words_from_chars(
    text: str, char_boxes: Sequence[Any], chars: Sequence[Any], scores: Sequence[Any]
) -> list[Word] | None:
    """Words built from RapidOCR's per-character boxes; ``None`` if unusable."""
    if not (len(char_boxes) == len(chars) == len(scores) == len(text)):
        return None
    if "".join(str(c) for c in chars) != text:
        return None
    words: list[Word] = []
    for match in _WORD.finditer(text):
        symbols: list[Symbol] = []
        corners: list[NDArray[np.float64]] = []
        for i in range(match.start(), match.end()):
            pts = _points(char_boxes[i], "character box")
            quad = _quad(pts)
            if quad is None:
                return None
            corners.append(quad.points)
            symbols.append(
                Symbol(text=text[i], geometry=quad, confidence=_confidence(scores[i]))
            )
        first, last = corners[0], corners[-1]
        word_quad = _quad(np.array([first[0], last[1], last[2], first[3]]))
        if word_quad is None:
            return None
        confs = [s.confidence for s in symbols if s.confidence is not None]
        words.append(
            Word(
                text=match.group(),
                geometry=word_quad,
                confidence=math.fsum(confs) / len(confs) if confs else None,
                native=False,
                symbols=tuple(symbols),
            )
        )
    return words


def line_from_entry(entry: Sequence[Any]) -> Line | None:
    """Convert one RapidOCR result entry into a line with words.

    Args:
        entry: ``[box, text, score]`` or, from ``return_word_box=True``,
            ``[box, text, score, char_boxes, chars, char_scores]`` (see the
            module docstring); ``box`` is (4, 2) pixel coordinates (x, y).

    Returns:
        A native line (quad geometry, the engine's confidence) holding
        synthesised words, or ``None`` for blank text or a degenerate box.

    Raises:
        unocr.errors.FormatError: The entry does not have RapidOCR's shape.
    """
    if not isinstance(entry, (list, tuple)) or len(entry) < 3:
        raise FormatError(
            "RapidOCR result entry: expected [box, text, score, ...], "
            f"got {entry!r:.200}"
        )
    box, text, score = entry[0], entry[1], entry[2]
    if not isinstance(text, str):
        raise FormatError(f"RapidOCR result entry: text must be a str, got {text!r}")
    if not text.strip():
        return None
    pts = _points(box, "line box")
    quad = _quad(pts)
    if quad is None:
        return None
    confidence = _confidence(score)
    words: list[Word] | None = None
    if len(entry) >= 6 and entry[3]:
        words = _words_from_chars(text, entry[3], entry[4], entry[5])
    if words is None:
        words = []
        for word_text, word_pts in split_line_quad(quad.points, text):
            word_quad = _quad(word_pts)
            if word_quad is not None:
                words.append(
                    Word(
                        text=word_text,
                        geometry=word_quad,
                        confidence=confidence,
                        native=False,
                    )
                )
    return Line(
        text=text.strip(),
        geometry=quad,
        confidence=confidence,
        native=True,
        words=tuple(words),
    )


def rapidocr_to_blocks(result: Sequence[Sequence[Any]] | None) -> tuple[Block, ...]:
    """Convert RapidOCR's ``result`` into blocks: what the backend calls.

    Args:
        result: ``None`` (nothing found) or the list of line entries described
            in the module docstring.

    Returns:
        Blocks synthesised from the native line quads (with their synthesised
        words and native symbols), in reading order, in the pixels of the
        image RapidOCR read.

    Raises:
        unocr.errors.FormatError: ``result`` is not RapidOCR's format.
    """
    if result is None:
        entries: Sequence[Sequence[Any]] = ()
    elif isinstance(result, (list, tuple)):
        entries = result
    else:
        raise FormatError(
            f"RapidOCR result: expected a list of line entries or None, "
            f"got {type(result).__name__}"
        )
    lines = [line for line in (line_from_entry(e) for e in entries) if line is not None]
    return tuple(group_lines(lines))


def rapidocr_to_page(
    result: Sequence[Sequence[Any]] | None,
    *,
    width: int,
    height: int,
    backend: str = "rapidocr",
    languages: Sequence[str] = (),
    timings: Timings | None = None,
) -> Page:
    """Convert saved RapidOCR output (the first item it returns) into a page.

    Args:
        result: As for :func:`rapidocr_to_blocks`.
        width: Width of the image RapidOCR read, in pixels.
        height: Height of that image, in pixels.
        backend: Name recorded in ``Page.backend``.
        languages: Languages requested (ISO 639 codes); ``()`` for the default.
        timings: Phase timings to record, if measured.

    Returns:
        The page: native line quads with confidences, synthesised words (with
        native symbols when character boxes were returned) and blocks.

    Raises:
        unocr.errors.FormatError: ``result`` is not RapidOCR's format.
    """
    return Page(
        width=width,
        height=height,
        blocks=rapidocr_to_blocks(result),
        backend=backend,
        languages=tuple(languages),
        timings=timings or Timings(),
    )

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
elements. Words are synthesised (``native=False``) by
:func:`unocr.model.wordsplit.split_line`, along the line's own direction: placed
by the character boxes where present (the characters become native
:class:`~unocr.model.Symbol` elements and the word's confidence is the mean of
theirs), otherwise in proportion to character counts (the word's confidence is
then the line's).
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
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from unocr.backends._points import four_points
from unocr.errors import FormatError, GeometryError
from unocr.geometry import Quad
from unocr.model import Block, Line, Page, Symbol, Timings
from unocr.model.layout import group_lines
from unocr.model.wordsplit import split_line

__all__ = ["line_from_entry", "rapidocr_to_blocks", "rapidocr_to_page"]


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


def _symbols(
    text: str, char_boxes: Sequence[Any], chars: Sequence[Any], scores: Sequence[Any]
) -> list[Symbol | None] | None:
    """One symbol per character of ``text`` (``None`` for spaces), or ``None``."""
    if not (len(char_boxes) == len(chars) == len(scores) == len(text)):
        return None
    if "".join(str(c) for c in chars) != text:
        return None
    out: list[Symbol | None] = []
    for i, ch in enumerate(text):
        quad = None if ch.isspace() else _quad(_points(char_boxes[i], "character box"))
        out.append(
            None
            if quad is None
            else Symbol(text=ch, geometry=quad, confidence=_confidence(scores[i]))
        )
    return out


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
    symbols = None
    if len(entry) >= 6 and entry[3]:
        symbols = _symbols(text, entry[3], entry[4], entry[5])
    words = split_line(quad, text, confidence=confidence, symbols=symbols)
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

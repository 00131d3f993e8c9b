"""Helpers shared by the format modules: numbers, shapes, text, languages."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from unocr.errors import FormatError, GeometryError

if TYPE_CHECKING:
    from unocr.geometry import Geometry
    from unocr.model import Block, Line, Word

__all__ = [
    "box_ints",
    "clean_text",
    "fmt_num",
    "geometry_from_box",
    "geometry_from_points",
    "is_rtl",
    "join_lines",
    "join_words",
    "outline",
    "percent_to_confidence",
]

# Characters XML 1.0 forbids (controls other than tab/LF/CR, lone surrogates,
# U+FFFE/U+FFFF). They cannot go into any XML format, so writers drop them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Drop the characters XML 1.0 cannot hold.

    Args:
        text: Any text.

    Returns:
        The text without C0 controls (except tab, LF, CR), lone surrogates,
        U+FFFE and U+FFFF.
    """
    return _XML_ILLEGAL.sub("", text)


def is_rtl(text: str) -> bool:
    """Whether the first strongly directional character is right-to-left.

    Args:
        text: Any text.

    Returns:
        ``True`` for Hebrew, Arabic, Syriac, Thaana... text.
    """
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def fmt_num(value: float, digits: int = 2) -> str:
    """Format a number compactly: at most ``digits`` decimals, no trailing zeros.

    Args:
        value: A finite float.
        digits: Decimal places kept.

    Returns:
        E.g. ``"12"``, ``"12.5"``, ``"-0.25"``.
    """
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _round(value: float) -> int:
    return math.floor(value + 0.5)


def box_ints(geometry: Geometry, *, clamp: bool = False) -> tuple[int, int, int, int]:
    """Axis-aligned bounds of a shape rounded to whole pixels.

    Args:
        geometry: Any shape.
        clamp: Clamp negative coordinates to 0 (formats with unsigned ints).

    Returns:
        ``(x0, y0, x1, y1)`` integers, ``x1 >= x0`` and ``y1 >= y0``.
    """
    b = geometry.bounds
    x0, y0, x1, y1 = _round(b.x0), _round(b.y0), _round(b.x1), _round(b.y1)
    if clamp:
        x0, y0, x1, y1 = max(0, x0), max(0, y0), max(0, x1), max(0, y1)
    return x0, y0, max(x0, x1), max(y0, y1)


def outline(geometry: Geometry) -> NDArray[np.float64] | None:
    """The vertices of a non-rectangular shape, or ``None`` for a ``Box``.

    A rotated box gives its four corners; a mask gives the outline of its
    region (holes are dropped: no format stores them).

    Args:
        geometry: Any shape.

    Returns:
        (N, 2) float64 array of pixel coordinates (x, y), or ``None`` when an
        axis-aligned bounding box describes the shape exactly.
    """
    from unocr.geometry import Box, Mask, Polygon, Quad, RotatedBox

    if isinstance(geometry, Box):
        return None
    if isinstance(geometry, RotatedBox):
        if float(geometry.angle) % 180.0 == 0.0:
            return None
        return np.asarray(geometry.to_quad().points, dtype=np.float64)
    if isinstance(geometry, (Quad, Polygon)):
        return np.asarray(geometry.points, dtype=np.float64)
    if isinstance(geometry, Mask):
        try:
            return np.asarray(geometry.to_polygon().points, dtype=np.float64)
        except GeometryError:
            return None
    return None  # pragma: no cover - every shape is handled above


def geometry_from_box(x0: float, y0: float, x1: float, y1: float) -> Geometry:
    """A ``Box`` from corner coordinates given in any order.

    Args:
        x0: One x coordinate (pixels).
        y0: One y coordinate.
        x1: The other x coordinate.
        y1: The other y coordinate.

    Returns:
        The box.

    Raises:
        FormatError: Coordinates that are not finite.
    """
    from unocr.geometry import Box

    values = (x0, y0, x1, y1)
    if not all(math.isfinite(v) for v in values):
        raise FormatError(f"coordinates must be finite numbers, got {values}")
    try:
        return Box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    except GeometryError as exc:
        raise FormatError(f"invalid box {values}: {exc}") from exc


def _convex(points: NDArray[np.float64]) -> bool:
    n = len(points)
    edges = np.roll(points, -1, axis=0) - points
    cross = (
        edges[:, 0] * np.roll(edges, -1, axis=0)[:, 1]
        - edges[:, 1] * np.roll(edges, -1, axis=0)[:, 0]
    )
    nonzero = cross[np.abs(cross) > 1e-9]
    return (
        n >= 3
        and len(nonzero) == n
        and bool(np.all(nonzero > 0) or np.all(nonzero < 0))
    )


def geometry_from_points(
    points: Sequence[tuple[float, float]] | NDArray[np.float64],
) -> Geometry:
    """The natural shape for a list of vertices read from a file.

    An axis-aligned rectangle becomes a ``Box``, any other convex
    quadrilateral a ``Quad`` (canonical corner order), everything else a
    ``Polygon``; fewer than three distinct points give their bounding box.

    Args:
        points: (N, 2) pixel coordinates (x, y), N >= 1.

    Returns:
        The shape.

    Raises:
        FormatError: No points, or coordinates that are not finite.
    """
    from unocr.geometry import Polygon, Quad

    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    if len(pts) == 0:
        raise FormatError("a shape needs at least one point")
    if not np.all(np.isfinite(pts)):
        raise FormatError("coordinates must be finite numbers")
    # Drop a closing vertex equal to the first, and consecutive duplicates.
    keep = np.ones(len(pts), dtype=bool)
    keep[1:] = np.any(pts[1:] != pts[:-1], axis=1)
    pts = pts[keep]
    if len(pts) > 1 and np.array_equal(pts[0], pts[-1]):
        pts = pts[:-1]
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    if len(pts) < 3 or x0 == x1 or y0 == y1:
        return geometry_from_box(float(x0), float(y0), float(x1), float(y1))
    if len(pts) == 4:
        xs, ys = set(pts[:, 0].tolist()), set(pts[:, 1].tolist())
        corners = {(float(x), float(y)) for x, y in pts}
        if len(xs) == 2 and len(ys) == 2 and len(corners) == 4:
            return geometry_from_box(float(x0), float(y0), float(x1), float(y1))
        if _convex(pts):
            try:
                return Quad.from_points(pts)
            except GeometryError:
                pass
    try:
        return Polygon(pts)
    except GeometryError:
        return geometry_from_box(float(x0), float(y0), float(x1), float(y1))


def percent_to_confidence(value: float) -> float | None:
    """Map a 0-100 engine score to [0, 1]; negative (Tesseract's -1) to ``None``.

    Args:
        value: The score.

    Returns:
        The confidence in [0, 1], or ``None``.
    """
    if not math.isfinite(value) or value < 0:
        return None
    return min(1.0, value / 100.0)


def join_words(words: Iterable[Word]) -> str:
    """Text of a line from its words (single spaces).

    Args:
        words: The words in reading order.

    Returns:
        The joined text.
    """
    return " ".join(w.text for w in words)


def join_lines(lines: Iterable[Line]) -> str:
    """Text of a block from its lines (newlines).

    Args:
        lines: The lines in reading order.

    Returns:
        The joined text.
    """
    return "\n".join(line.text for line in lines)


def native_line(
    words: Sequence[Word],
    geometry: Geometry | None,
    *,
    text: str | None = None,
    confidence: float | None = None,
    language: str | None = None,
) -> Line:
    """A line the file reports, holding ``words`` (``native=True``).

    Args:
        words: The line's words, in reading order (at least one when
            ``geometry`` is ``None``).
        geometry: The line's shape as the file gives it, or ``None`` when the
            file gives none.
        text: The line's text; default the words joined by single spaces.
        confidence: The file's confidence for the line, in [0, 1]; used only
            with ``geometry`` (without, the line takes its words' mean).
        language: The line's ISO 639 code.

    Returns:
        The line: with ``geometry`` exactly as given, else enclosing its words.
    """
    from unocr.model import Line

    if geometry is None:
        return Line.from_words(words, native=True, text=text, language=language)
    return Line(
        text=join_words(words) if text is None else text,
        geometry=geometry,
        confidence=confidence,
        language=language,
        words=tuple(words),
    )


def native_block(
    lines: Sequence[Line],
    geometry: Geometry | None,
    *,
    text: str | None = None,
    confidence: float | None = None,
    language: str | None = None,
) -> Block:
    """A block the file reports, holding ``lines`` (``native=True``).

    Args:
        lines: The block's lines, in reading order (at least one).
        geometry: The block's shape as the file gives it, or ``None`` when the
            file gives none.
        text: The block's text; default the lines joined by newlines.
        confidence: The file's confidence for the block, in [0, 1]; used only
            with ``geometry`` (without, the block takes its lines' mean).
        language: The block's ISO 639 code.

    Returns:
        The block: with ``geometry`` exactly as given, else enclosing its
        lines.
    """
    from unocr.model import Block

    if geometry is None:
        block = Block.from_lines(lines, native=True, language=language)
        return block if text is None else block.replace(text=text)
    return Block(
        text=join_lines(lines) if text is None else text,
        geometry=geometry,
        confidence=confidence,
        language=language,
        lines=tuple(lines),
    )


def page_languages(blocks: Sequence[Block]) -> tuple[str, ...]:
    """Languages used anywhere on a page, in order of first use.

    Args:
        blocks: The page's blocks.

    Returns:
        The distinct non-empty ``language`` values of every element.
    """
    seen: dict[str, None] = {}
    for b in blocks:
        for el in (b, *b.lines, *(w for line in b.lines for w in line.words)):
            if el.language:
                seen.setdefault(el.language, None)
    return tuple(seen)


def line_as_word(line: Line) -> Word:
    """A word standing for a line that has none (line-level engines).

    Formats that carry text only on words (TSV, hOCR, ALTO) write it so the
    line's text is not lost.

    Args:
        line: A line without words.

    Returns:
        A word with the line's text, geometry, confidence and language.
    """
    from unocr.model import Word

    return Word(
        text=line.text,
        geometry=line.geometry,
        confidence=line.confidence,
        language=line.language,
        native=False,
    )

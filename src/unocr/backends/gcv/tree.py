"""The flat tree both Cloud Vision readers fill, and what they share (pure).

:mod:`~unocr.backends.gcv.message` (protobuf messages) and
:mod:`~unocr.backends.gcv.mapping` (saved JSON / dicts) read a response into a
:class:`RawPage`; :mod:`~unocr.backends.gcv.build` turns it into unocr
elements. Every element's corners go into one flat list (8 numbers per
element), so the builder puts them all in canonical order in one vectorised
call. Vertices the API omits count as 0 (the API leaves out zero
coordinates); ``normalizedVertices`` are scaled by the page size; a polygon of
other than 4 vertices is replaced by its bounding box.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

from unocr.errors import FormatError
from unocr.geometry import canonicalize_quads
from unocr.languages import parse_language

__all__ = [
    "BREAKS",
    "BlockLevel",
    "FloatArray",
    "RawBlock",
    "RawPage",
    "RawParagraph",
    "RawSymbol",
    "RawWord",
    "Region",
    "SymbolColumns",
    "Walk",
    "WordColumns",
    "box_corners",
    "break_name",
    "check_one_page",
    "confidence",
    "detected_language",
]

#: Corner coordinates in pixels, as numpy holds them.
FloatArray = npt.NDArray[np.float64]

#: Which GCV level becomes a unocr block (the other's geometry is not read).
BlockLevel = Literal["paragraph", "block"]

#: ``TextAnnotation.DetectedBreak.BreakType`` enum numbers -> names.
_BREAK_NAMES = (
    "UNKNOWN",
    "SPACE",
    "SURE_SPACE",
    "EOL_SURE_SPACE",
    "HYPHEN",
    "LINE_BREAK",
)
#: What each break adds to the text after its symbol, as the API's own text does.
BREAKS: dict[str, str] = {
    "UNKNOWN": "",
    "SPACE": " ",
    "SURE_SPACE": " ",
    "EOL_SURE_SPACE": "\n",
    "HYPHEN": "-\n",
    "LINE_BREAK": "\n",
}

#: ``(text, shape, confidence, language)`` of one symbol; ``shape`` indexes
#: :attr:`RawPage.corners` (in steps of 8 numbers).
RawSymbol = tuple[str, int, float | None, str | None]


@dataclass(slots=True)
class SymbolColumns:
    """A page's symbols as read, one column per field (the wire reader's form).

    A word's symbols are then a ``range`` of indices into these columns: a
    page of a thousand symbols holds a few arrays and one string, not a
    thousand tuples, until its symbols are built.

    Attributes:
        text: Every symbol's text, joined in reading order.
        bounds: ``(N + 1,)`` int64: symbol ``i``'s text is
            ``text[bounds[i]:bounds[i + 1]]`` (characters).
        shapes: ``(N,)`` int32: each symbol's shape index, or -1 where it has
            no box.
        confidences: ``(N,)`` each symbol's confidence in [0, 1], or NaN for
            none.
        languages: The distinct own language codes (``None``: the symbol
            takes its word's).
        language_of: ``(N,)`` index of each symbol's in :attr:`languages`.
    """

    text: str
    bounds: npt.NDArray[np.int64]
    shapes: npt.NDArray[np.int32]
    confidences: FloatArray
    languages: list[str | None]
    language_of: npt.NDArray[np.intp]


@dataclass(slots=True)
class RawWord:
    r"""A word as read: its text is its symbols' text joined.

    Attributes:
        text: The word's text.
        shape: Index of its corners, or -1 where it has none.
        confidence: In [0, 1], or ``None``.
        language: Own or inherited language code, or ``None``.
        symbols: Its symbols with a shape (empty when symbols are not
            read), or the range of its symbols in :attr:`RawPage.columns`
            (with a shape or not).
        before: Text a prefix break puts before the word (``"\\n"``, ...).
        after: Name of the break after the word (``"SPACE"``, ...).
    """

    text: str
    shape: int
    confidence: float | None
    language: str | None
    symbols: list[RawSymbol] | range
    before: str
    after: str


@dataclass(slots=True)
class RawParagraph:
    """A GCV paragraph: shape index (-1 = none), confidence, language, words."""

    shape: int
    confidence: float | None
    language: str | None
    words: list[RawWord]


@dataclass(slots=True)
class RawBlock:
    """A GCV block: shape index (-1 = none), confidence, language, paragraphs."""

    shape: int
    confidence: float | None
    language: str | None
    paragraphs: list[RawParagraph]


#: A GCV paragraph or block as :class:`WordColumns` hold it: shape index (-1:
#: none), confidence, language, and the end (exclusive) of its words (of a
#: paragraph) or paragraphs (of a block).
Region = tuple[int, "float | None", "str | None", int]


@dataclass(slots=True)
class WordColumns:
    r"""A page's words column by column, and where its paragraphs and blocks end.

    What the builder reads (:func:`~unocr.backends.gcv.build.build_blocks`):
    the wire reader fills it directly; a :class:`RawPage` of blocks is put in
    this form first (:meth:`RawPage.word_columns`).

    Attributes:
        texts: Each word's text (its symbols' joined).
        shapes: Each word's shape index, or -1 where it has none.
        confidences: Each word's confidence in [0, 1], or ``None``.
        languages: Each word's own or inherited language code, or ``None``.
        symbols: Each word's symbols as :attr:`RawWord.symbols` holds them.
        before: Text a prefix break puts before each word (``"\\n"``, ...).
        after: Name of the break after each word (``"SPACE"``, ...).
        paragraphs: Each paragraph, ending at a word index.
        blocks: Each block, ending at a paragraph index.
    """

    texts: list[str] = field(default_factory=list)
    shapes: list[int] = field(default_factory=list)
    confidences: list[float | None] = field(default_factory=list)
    languages: list[str | None] = field(default_factory=list)
    symbols: list[list[RawSymbol] | range] = field(default_factory=list)
    before: list[str] = field(default_factory=list)
    after: list[str] = field(default_factory=list)
    paragraphs: list[Region] = field(default_factory=list)
    blocks: list[Region] = field(default_factory=list)


@dataclass(slots=True)
class RawPage:
    """Everything the builder needs, with every element's corners in one list.

    Attributes:
        corners: 8 numbers ``x0, y0, ..., x3, y3`` per shape, in pixels.
        blocks: The ``fullTextAnnotation`` tree (empty without one).
        annotations: ``(text, shape)`` of the ``textAnnotations`` words, read
            only when the response has no ``fullTextAnnotation``.
        locale: ``textAnnotations[0].locale`` as a language code, or ``None``.
        decoded: The corners as an array, where a reader decoded them so
            (:mod:`~unocr.backends.gcv.wire`): ``(N, 8)`` or ``(8 N,)``
            numbers, used instead of :attr:`corners`.
        columns: The symbols, where words give theirs as ranges.
        words: The ``fullTextAnnotation`` tree as columns, where a reader
            read it so (then :attr:`blocks` is empty).
    """

    corners: list[float] = field(default_factory=list)
    blocks: list[RawBlock] = field(default_factory=list)
    annotations: list[tuple[str, int]] = field(default_factory=list)
    locale: str | None = None
    decoded: FloatArray | None = None
    columns: SymbolColumns | None = None
    words: WordColumns | None = None

    def word_columns(self) -> WordColumns | None:
        """The ``fullTextAnnotation`` tree as columns; ``None`` where it has none."""
        if self.words is not None or not self.blocks:
            return self.words
        out = WordColumns()
        for block in self.blocks:
            for para in block.paragraphs:
                for word in para.words:
                    out.texts.append(word.text)
                    out.shapes.append(word.shape)
                    out.confidences.append(word.confidence)
                    out.languages.append(word.language)
                    out.symbols.append(word.symbols)
                    out.before.append(word.before)
                    out.after.append(word.after)
                out.paragraphs.append(
                    (para.shape, para.confidence, para.language, len(out.texts))
                )
            out.blocks.append(
                (block.shape, block.confidence, block.language, len(out.paragraphs))
            )
        return out

    def has_words(self) -> bool:
        """Whether the response read has any word."""
        if self.annotations or (self.words is not None and self.words.texts):
            return True
        return any(p.words for b in self.blocks for p in b.paragraphs)

    def rows(self) -> FloatArray:
        """Every shape's corners in canonical order, made so in one call.

        The quads of :meth:`unocr.geometry.Quad.viewer` view these rows.

        Returns:
            ``(N, 4, 2)`` read-only float64 corners TL, TR, BR, BL in pixels,
            one row per shape.

        Raises:
            FormatError: A coordinate is not finite.
            GeometryError: A coordinate lies beyond
                :data:`unocr.limits.MAX_COORDINATE`.
        """
        points = (
            np.array(self.corners, dtype=np.float64)
            if self.decoded is None
            else self.decoded
        ).reshape(-1, 4, 2)
        if not np.isfinite(points).all():
            raise FormatError(
                "malformed Cloud Vision response: a vertex coordinate is not finite",
                backend="gcv",
            )
        rows = canonicalize_quads(points)
        rows.flags.writeable = False
        return rows

    def add_box(self, xs: Sequence[float], ys: Sequence[float]) -> int:
        """Add the corners of ``len(xs)`` vertices; its shape index.

        Four vertices are kept as given; any other number (at least one) is
        replaced by its bounding box (:func:`box_corners`).
        """
        self.corners.extend(box_corners(xs, ys))
        return len(self.corners) // 8 - 1

    def add_around(self, shapes: Sequence[int]) -> int:
        """Add the bounding box of shapes already added; its index (-1 if none)."""
        if not shapes:
            return -1
        c = self.corners
        xs = [c[8 * s + k] for s in shapes for k in (0, 2, 4, 6)]
        ys = [c[8 * s + k] for s in shapes for k in (1, 3, 5, 7)]
        return self.add_box(xs, ys)


def box_corners(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, ...]:
    """The 8 corner numbers ``x0, y0, ..., x3, y3`` of ``len(xs)`` vertices.

    Four vertices are kept as given; any other number (at least one) is
    replaced by its bounding box.
    """
    if len(xs) == 4:
        return (xs[0], ys[0], xs[1], ys[1], xs[2], ys[2], xs[3], ys[3])
    x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
    return (x0, y0, x1, y0, x1, y1, x0, y1)


#: A detected language (BCP 47) as unocr stores it: the vocabulary's lenient
#: reader (``"und"`` and malformed codes give ``None``), cached per code.
detected_language = functools.lru_cache(maxsize=256)(parse_language)


def check_one_page(count: int) -> None:
    """Refuse a response of several pages (a file response)."""
    if count > 1:
        raise FormatError(
            f"the response holds {count} pages (a file response?); convert one "
            "image response at a time",
            backend="gcv",
        )


def confidence(value: float) -> float | None:
    """A confidence in [0, 1]; 0 and NaN read as "none" (the API omits zeros)."""
    if not value or value != value:
        return None
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else float(value)


def break_name(kind: int | str) -> str:
    """The name of a break type given as a number or a name (unknown: ``"UNKNOWN"``)."""
    if isinstance(kind, str):
        return kind if kind in BREAKS else "UNKNOWN"
    return _BREAK_NAMES[kind] if 0 <= kind < len(_BREAK_NAMES) else "UNKNOWN"


class Walk:
    """What both readers walk with: the tree being filled and what to read.

    Args:
        raw: The flat tree being filled.
        width: Page width in pixels (scales normalised vertices).
        height: Page height in pixels.
        symbols: Read the symbols' geometry, confidence and language.
        regions: The level whose geometry is read for blocks.
    """

    def __init__(
        self,
        raw: RawPage,
        width: float,
        height: float,
        symbols: bool,
        regions: BlockLevel,
    ):
        self.raw = raw
        self.width = width
        self.height = height
        self.symbols = symbols
        self.regions = regions

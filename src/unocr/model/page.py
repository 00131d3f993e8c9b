"""The page: the root of every result, the same shape for every engine."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, TypedDict

import numpy as np
from numpy.typing import ArrayLike
from typing_extensions import Unpack

from unocr._lazy import SET_ON_PAGE, check_keywords, warn_deprecated
from unocr.errors import ConfigError, ModelError
from unocr.geometry import Geometry, Mask, as_affine
from unocr.limits import MAX_COORDINATE
from unocr.model.elements import (
    Block,
    Element,
    Line,
    Symbol,
    Word,
    check_confidence,
    checked_children,
    is_real_number,
    lines_text,
    mean_confidence,
    words_text,
)
from unocr.model.layout import group_lines, group_words
from unocr.model.source import Source

if TYPE_CHECKING:
    from PIL import Image

    from unocr.image import ImageInput

__all__ = [
    "EngineUse",
    "Page",
    "PageFields",
    "PageLabels",
    "Timings",
    "engine_page_keywords",
    "transform_blocks",
]


@dataclass(frozen=True, slots=True)
class Timings:
    """Seconds spent producing a page.

    Each phase is a number of seconds from 0 to :attr:`MAX_SECONDS` (366
    days): longer is no duration a page can take but a mistake (a clock
    reading such as ``time.time()`` given for a duration). The JSON reader
    applies the same bound, so every page's JSON reads back.

    Attributes:
        decode: Reading and converting the input image.
        engine: Inside the engine (process, model or service call).
        convert: Turning the engine's output into the unocr model.
        MAX_SECONDS: The longest phase, in seconds (366 days); a class
            constant, not a field.
    """

    MAX_SECONDS: ClassVar[float] = 366 * 24 * 3600.0

    decode: float = 0.0
    engine: float = 0.0
    convert: float = 0.0

    def __post_init__(self) -> None:
        for name in ("decode", "engine", "convert"):
            value = getattr(self, name)
            if not is_real_number(value) or not 0.0 <= value <= Timings.MAX_SECONDS:
                raise ModelError(
                    f"Timings.{name} must be a finite number of seconds >= 0 "
                    f"and at most Timings.MAX_SECONDS ({Timings.MAX_SECONDS:.0f}, "
                    f"366 days), got {value!r:.40}"
                )
            if type(value) is not float:  # a plain float, as JSON holds it
                object.__setattr__(self, name, float(value))

    @property
    def total(self) -> float:
        """Sum of the three phases, in seconds."""
        return self.decode + self.engine + self.convert


@dataclass(frozen=True, slots=True)
class EngineUse:
    """What one engine of a composed engine (a cascade) did for a page.

    Attributes:
        engine: The engine's registered name.
        calls: Calls it got for the page (each one batched: all its regions
            at once).
        regions: Regions it handled: for the engine that read the page, the
            lines it found; for a later engine, the lines it was sent.

    Examples:
        >>> EngineUse("gcv", calls=1, regions=4)
        EngineUse(engine='gcv', calls=1, regions=4)
    """

    engine: str
    calls: int = 0
    regions: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.engine, str) or not self.engine:
            raise ModelError(f"engine must be an engine name, got {self.engine!r}")
        for name in ("calls", "regions"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ModelError(
                    f"EngineUse.{name} must be a whole number >= 0, got {value!r}"
                )


def _check_kind(value: object, kinds: tuple[type, ...], name: str, what: str) -> None:
    """Refuse a page field of another kind (:class:`~unocr.errors.ModelError`)."""
    if not isinstance(value, kinds):
        raise ModelError(f"Page.{name} must be {what}, got {type(value).__name__}")


def _threshold(value: object) -> float:
    """``Page.filter``'s ``min_confidence`` as a float (:func:`check_confidence`).

    Raises:
        ConfigError: Not a real number (the message names its type), or not
            in [0, 1].
    """
    if not is_real_number(value):
        raise ConfigError(
            f"min_confidence must be a number in [0, 1] (a float, an int or a "
            f"numpy scalar), got {type(value).__name__} ({value!r:.40})"
        )
    try:
        threshold = check_confidence(value)
    except ModelError:
        threshold = None
    if threshold is None:
        raise ConfigError(f"min_confidence must lie in [0, 1], got {value!r:.40}")
    return threshold


def _rescored(
    confidence: float | None,
    *children: tuple[Sequence[Element], Sequence[Element]],
) -> float | None:
    """The confidence of an engine's parent element that lost children.

    The model keeps no record of where a confidence came from: one equal to
    the mean of the parent's children (:func:`mean_confidence`, as unocr
    gives a Tesseract line or paragraph) is taken to be that mean, and
    becomes the mean of the children that remain; any other is the engine's
    own and is kept.

    Args:
        confidence: The parent's confidence.
        children: ``(before, after)`` pairs, one per level of children
            (words, then lines): all of them, and those that remain.
    """
    if confidence is None:
        return None
    for before, after in children:
        if confidence == mean_confidence(before):
            return mean_confidence(after)
    return confidence


class _PageSize(TypedDict):
    """The keys of :class:`PageFields` a page builder must be given."""

    width: int
    height: int


class PageLabels(TypedDict, total=False):
    """What a page says of how it was read: the labels set on a page.

    The optional keyword arguments of the page builders (:class:`PageFields`);
    converters of saved engine output still take them, deprecated (their
    page's labels are set with ``page.replace(<name>=...)``), until unocr 0.3.

    Attributes:
        backend: Registered name of the engine that produced the page.
        languages: ISO 639 codes the engine was asked to read.
        timings: Phase timings of the read.
    """

    backend: str | None
    languages: Sequence[str]
    timings: Timings | None


class PageFields(_PageSize, PageLabels):
    """The keyword arguments of the page builders.

    :meth:`Page.from_words`, :meth:`Page.from_lines` and
    :meth:`Page.from_blocks` take them (the last documents them): ``width``
    and ``height`` (required) and the :class:`PageLabels`.
    """


def engine_page_keywords(
    function: str, backend: str, keywords: Mapping[str, Any]
) -> dict[str, Any]:
    """What a converter of one image's engine output builds its page with.

    Call it from the converter itself, first: a deprecated keyword's
    :class:`DeprecationWarning` points at the converter's caller.

    Args:
        function: The converter's name as users call it (e.g.
            ``"easyocr_to_page"``).
        backend: The engine's name, the page's backend unless a deprecated
            ``backend`` is passed.
        keywords: The converter's ``**keywords``
            (:class:`~unocr.model.page.PageFields`, the labels deprecated).

    Returns:
        The keywords of :meth:`unocr.model.Page.from_blocks`: ``width``,
        ``height``, ``backend`` and the deprecated keywords passed.

    Raises:
        TypeError: A keyword the converter does not take, or no ``width`` or
            ``height``, in Python's words for a function's own keywords.

    Examples:
        >>> engine_page_keywords("f", "engine", {"width": 9, "height": 4})
        {'backend': 'engine', 'width': 9, 'height': 4}
    """
    check_keywords(function, keywords, PageFields)
    warn_deprecated(
        function,
        [name for name in PageLabels.__annotations__ if name in keywords],
        SET_ON_PAGE,
    )
    return {"backend": backend, **keywords}


@dataclass(frozen=True, slots=True)
class Page:
    """OCR result for one image.

    Attributes:
        width: Image width in pixels, as displayed (after EXIF rotation).
        height: Image height in pixels, as displayed.
        blocks: Blocks in reading order; each holds lines, which hold words.
        backend: Registered name of the engine that produced the page.
        languages: ISO 639 codes the engine was asked to read (``()`` = its
            default).
        timings: Seconds spent decoding, in the engine and converting.
        source: Where the page came from (file name, page index, and for PDF
            pages the page size and the map to PDF space) and whether it was
            OCR'd or taken from a PDF text layer; ``None`` when unknown.
        engines: For a page several engines read (a cascade,
            :mod:`unocr.backends.cascade`): what each did, in the order they
            ran; ``()`` for a page one engine read.

    Examples:
        >>> from unocr.geometry import Box
        >>> words = [Word(text=t, geometry=Box(x, 0, x + 40, 20), confidence=0.9)
        ...          for t, x in (("world", 50), ("Hello", 0))]
        >>> page = Page.from_words(words, width=200, height=100)
        >>> page.text
        'Hello world'
        >>> [w.text for w in page.words]
        ['Hello', 'world']
    """

    width: int
    height: int
    blocks: tuple[Block, ...] = field(default=())
    backend: str | None = None
    languages: tuple[str, ...] = field(default=())
    timings: Timings = field(default_factory=Timings)
    source: Source | None = None
    engines: tuple[EngineUse, ...] = field(default=())

    def __post_init__(self) -> None:
        for name in ("width", "height"):
            value = getattr(self, name)
            if (
                not is_real_number(value)
                or not 0 <= value <= MAX_COORDINATE
                or int(value) != value
            ):
                raise ModelError(
                    f"page {name} must be a whole number of pixels from 0 to "
                    f"{MAX_COORDINATE:.0e} (unocr.limits.MAX_COORDINATE, the "
                    f"coordinate range), got {value!r:.40}"
                )
            object.__setattr__(self, name, int(value))
        object.__setattr__(
            self, "blocks", checked_children(self.blocks, Block, "Page.blocks")
        )
        _check_kind(
            self.backend, (str, type(None)), "backend", "an engine name or None"
        )
        _check_kind(self.timings, (Timings,), "timings", "a Timings")
        _check_kind(self.source, (Source, type(None)), "source", "a Source or None")
        if isinstance(self.languages, str):
            raise ModelError(
                f"Page.languages must be a sequence of codes, got the string "
                f"{self.languages!r:.40}; write ({self.languages!r:.40},)"
            )
        languages = checked_children(self.languages, str, "Page.languages")
        object.__setattr__(self, "languages", languages)
        engines = checked_children(self.engines, EngineUse, "Page.engines")
        object.__setattr__(self, "engines", engines)

    # ----------------------------------------------------------------- builders
    @classmethod
    def from_words(cls, words: Sequence[Word], **fields: Unpack[PageFields]) -> Page:
        """Build a page from words only, synthesising lines and blocks.

        Takes the arguments of :meth:`from_lines`, with words (in any order)
        for lines, and returns the page as it does.
        """
        check_keywords("Page.from_words", fields, PageFields)
        words = checked_children(words, Word, "Page.from_words: words")
        return cls.from_lines(group_words(words), **fields)

    @classmethod
    def from_lines(cls, lines: Sequence[Line], **fields: Unpack[PageFields]) -> Page:
        """Build a page from lines, synthesising blocks.

        Args:
            lines: Lines in any order.
            **fields: The page's size and what it records (see
                :class:`PageFields`).

        Returns:
            A page in reading order (see :mod:`unocr.model.layout`).
        """
        check_keywords("Page.from_lines", fields, PageFields)
        lines = checked_children(lines, Line, "Page.from_lines: lines")
        return cls.from_blocks(group_lines(lines), **fields)

    @classmethod
    def from_blocks(
        cls,
        blocks: Iterable[Block],
        *,
        width: int,
        height: int,
        backend: str | None = None,
        languages: Sequence[str] = (),
        timings: Timings | None = None,
    ) -> Page:
        """Build a page from blocks already in reading order.

        The one place a converter's result becomes a page: engine converters
        and format readers hand over their blocks and what they know.

        Args:
            blocks: Blocks in reading order.
            width: Image width in pixels.
            height: Image height in pixels.
            backend: Engine name.
            languages: Languages the engine was asked for.
            timings: Phase timings, if measured (default: none measured).

        :meth:`from_words` and :meth:`from_lines` take the same keyword
        arguments (:class:`PageFields`) and pass them on here.

        Returns:
            The page.
        """
        return cls(
            width=width,
            height=height,
            blocks=tuple(blocks),
            backend=backend,
            languages=tuple(languages),
            timings=timings or Timings(),
        )

    # ------------------------------------------------------------- navigation
    @property
    def lines(self) -> tuple[Line, ...]:
        """Every line in reading order."""
        return tuple(line for b in self.blocks for line in b.lines)

    @property
    def words(self) -> tuple[Word, ...]:
        """Every word in reading order."""
        return tuple(w for b in self.blocks for line in b.lines for w in line.words)

    @property
    def symbols(self) -> tuple[Symbol, ...]:
        """Every symbol in reading order (empty where the engine gives none)."""
        return tuple(s for w in self.words for s in w.symbols)

    @property
    def text(self) -> str:
        """The page's text in reading order.

        Words are joined by spaces, lines by newlines and blocks by a blank
        line. A line's own ``text`` is used, so an engine's native line text
        (hyphenation, spacing) is kept. Lines and blocks without text (found,
        not read, as ``detect()`` and layout analysis leave
        them) add neither text nor a separator, so the text of a page without
        any is ``""``.
        """
        return "\n\n".join(text for b in self.blocks if (text := lines_text(b.lines)))

    def replace(self, **changes: Any) -> Page:
        """Return a copy with the given fields changed."""
        return replace(self, **changes)

    # ---------------------------------------------------------------- filters
    def filter(self, min_confidence: float, *, keep_unscored: bool = True) -> Page:
        """Drop words below a confidence, and parents left empty.

        Args:
            min_confidence: Words with a confidence below this (in [0, 1]) go.
            keep_unscored: Keep words (and lines read without words) whose
                confidence is ``None`` (engines that give no confidence).

        Returns:
            A new page. A line or block that lost children gets its text
            re-joined from those that remain. One the engine reported
            (``native``) keeps its shape, which still encloses what remains,
            and its own confidence; but a confidence that is the mean of its
            words' (or a block's, of its lines'), as a Tesseract line's or
            paragraph's is (the engine gives none), becomes the mean of what
            remains. A synthesised one (``native=False``) is synthesised
            anew, as :meth:`Line.from_words` and :meth:`Block.from_lines`
            make it: its shape encloses, and its confidence is the mean of,
            what remains.

        Raises:
            unocr.errors.ConfigError: ``min_confidence`` is not a real number
                (Python's or numpy's), or not in [0, 1].
        """
        threshold = _threshold(min_confidence)

        def keep(e: Word | Line) -> bool:
            if e.confidence is None:
                return keep_unscored
            return e.confidence >= threshold

        blocks: list[Block] = []
        for block in self.blocks:
            lines: list[Line] = []
            for line in block.lines:
                if not line.words:  # a line read without words stands for them
                    if keep(line):
                        lines.append(line)
                    continue
                words = tuple(w for w in line.words if keep(w))
                if len(words) == len(line.words):
                    lines.append(line)
                elif words and not line.native:
                    lines.append(Line.from_words(words, language=line.language))
                elif words:
                    conf = _rescored(line.confidence, (line.words, words))
                    lines.append(
                        line.replace(
                            words=words, text=words_text(words), confidence=conf
                        )
                    )
            if lines:
                if len(lines) == len(block.lines) and all(
                    a is b for a, b in zip(lines, block.lines, strict=False)
                ):
                    blocks.append(block)
                elif not block.native:
                    blocks.append(Block.from_lines(lines, language=block.language))
                else:
                    kept = [w for line in lines for w in line.words]
                    conf = _rescored(
                        block.confidence, (block.words, kept), (block.lines, lines)
                    )
                    blocks.append(
                        block.replace(
                            lines=tuple(lines), text=lines_text(lines), confidence=conf
                        )
                    )
        return self.replace(blocks=tuple(blocks))

    # -------------------------------------------------------------- geometry
    def transform(
        self, matrix: ArrayLike, *, width: int | None = None, height: int | None = None
    ) -> Page:
        """Map every element's geometry through an affine matrix.

        Use it to carry coordinates back to the original image after a resize,
        crop or rotation, or into PDF space (``page.transform(page.source.to_pdf)``).

        Args:
            matrix: (2, 3) or (3, 3) float affine matrix acting on column
                vectors (x, y, 1) in pixels, or its two rows flattened (the
                form of :attr:`Source.to_pdf`).
            width: Width of the target image; default unchanged.
            height: Height of the target image; default unchanged.

        Returns:
            A new page with mapped geometry. A mask that the map leaves
            without any pixel (a one-pixel stroke halved) becomes its
            outline, mapped (:class:`~unocr.geometry.Polygon`), so no element
            is lost. A PDF page's ``source.to_pdf`` is composed with the
            inverse map, so it still takes the page's (new) coordinates to
            PDF space.

        Raises:
            GeometryError: The matrix is not a finite, invertible affine map
                of shape ``(2, 3)`` or ``(3, 3)``.
        """
        m = as_affine(matrix)  # checked once, before any element is mapped
        blocks = transform_blocks(self.blocks, m)
        source = self.source
        if source is not None and source.to_pdf is not None:
            (a, b, c), (d, e, f) = (
                np.reshape(source.to_pdf, (2, 3)) @ np.linalg.inv(m)
            ).tolist()
            source = replace(source, to_pdf=(a, b, c, d, e, f))
        return self.replace(
            blocks=blocks,
            source=source,
            width=self.width if width is None else width,
            height=self.height if height is None else height,
        )

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dictionary (schema ``unocr.page/1``, see docs/model.md)."""
        from unocr.model.serialize import page_to_dict

        return page_to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Page:
        """Rebuild a page from :meth:`to_dict` output.

        Raises:
            unocr.errors.FormatError: The dictionary does not follow the schema.
        """
        from unocr.model.serialize import page_from_dict

        return page_from_dict(data)

    def to_json(self, *, indent: int | None = None) -> str:
        r"""JSON text of :meth:`to_dict` (UTF-8 characters kept as they are).

        A file name's undecodable bytes (lone surrogates) are written as
        ``\udcXX`` escapes, so the text always encodes as UTF-8.
        """
        from unocr.model.serialize import json_text

        return json_text(self.to_dict(), indent=indent)

    @classmethod
    def from_json(cls, text: str | bytes) -> Page:
        """Rebuild a page from :meth:`to_json` output.

        Raises:
            unocr.errors.FormatError: Not JSON, or not a unocr page.
        """
        from unocr.model.serialize import page_from_json

        return page_from_json(text)

    # ------------------------------------------------------- other formats
    def to_text(self) -> str:
        """Plain text in reading order (see :attr:`text`)."""
        return self._dumps("text")

    def to_hocr(self) -> str:
        """hOCR 1.2 (HTML) document."""
        return self._dumps("hocr")

    def to_alto(self) -> str:
        """ALTO 4.4 XML document."""
        return self._dumps("alto")

    def to_page_xml(self) -> str:
        """PAGE-XML (2019-07-15 schema) document."""
        return self._dumps("page-xml")

    def to_tsv(self) -> str:
        """Tesseract's TSV (12 columns, levels 1 to 5)."""
        return self._dumps("tsv")

    def _dumps(self, fmt: str) -> str:
        from unocr.formats import dumps

        return dumps(self, fmt)

    def save(self, path: str | os.PathLike[str], format: str | None = None) -> None:
        """Write the page to a file.

        Args:
            path: Target file.
            format: One of ``unocr.formats.WRITE_FORMATS``; inferred from the
                file suffix when ``None`` (``.hocr``/``.html``, ``.alto.xml``,
                ``.page.xml``...; a bare ``.xml`` is refused, as it names no
                one format).
        """
        from unocr.formats import save

        save(self, path, format=format)

    def draw(
        self, image: ImageInput | None = None, level: str = "word", **kwargs: Any
    ) -> Image.Image:
        """Outline every element's true shape on a copy of the image.

        Args:
            image: The image the page was read from (any accepted input; of a
                document, the page's own page is drawn on); ``None``: the file
                in ``page.source``.
            level: ``"block"``, ``"line"``, ``"word"`` or ``"symbol"``.
            **kwargs: See :func:`unocr.draw.draw_page`.

        Returns:
            A new RGB image.
        """
        from unocr.draw import draw_page

        return draw_page(self, image, level=level, **kwargs)


def transform_blocks(blocks: Iterable[Block], matrix: ArrayLike) -> tuple[Block, ...]:
    """Map every element's geometry in ``blocks`` through an affine matrix.

    What :meth:`Page.transform` does to a page's elements, for blocks not yet
    on a page (a converter carrying an engine's coordinates back to the
    caller's image).

    Args:
        blocks: Blocks -> lines -> words -> symbols.
        matrix: (2, 3) or (3, 3) float affine matrix acting on column vectors
            (x, y, 1) in pixels, or its two rows flattened.

    Returns:
        The blocks with mapped geometry, in order. A mask that the map leaves
        without any pixel becomes its outline, mapped
        (:class:`~unocr.geometry.Polygon`), so no element is lost.

    Raises:
        GeometryError: The matrix is not a finite, invertible affine map.
    """
    m = as_affine(matrix)

    def mapped(g: Geometry) -> Geometry:
        out = g.transform(m)
        if isinstance(out, Mask) and out.is_empty:  # no pixel centre inside
            return g.to_polygon().transform(m)
        return out

    def sym(s: Symbol) -> Symbol:
        return s.replace(geometry=mapped(s.geometry))

    def word(w: Word) -> Word:
        return w.replace(
            geometry=mapped(w.geometry), symbols=tuple(map(sym, w.symbols))
        )

    def line(li: Line) -> Line:
        return li.replace(
            geometry=mapped(li.geometry), words=tuple(map(word, li.words))
        )

    return tuple(
        b.replace(geometry=mapped(b.geometry), lines=tuple(map(line, b.lines)))
        for b in blocks
    )

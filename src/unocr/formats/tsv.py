r"""Tesseract's TSV: 12 tab-separated columns, one row per element.

The one home of TSV reading and writing: the Tesseract backend reads its
engine's output with :func:`blocks_from_rows`, and files (``tesseract IMAGE
OUT tsv``, ``GetTSVText()``, ``pytesseract.image_to_data()``) read with
:func:`loads`, :func:`page_from_tsv` or :func:`page_from_data`.

Columns: ``level page_num block_num par_num line_num word_num left top width
height conf text``. Coordinates are whole pixels (bounding boxes only);
``conf`` is 0-100, or ``-1`` where there is none; only words carry text.
``level`` says which element of Tesseract's layout tree a row is:

===== ========= ===============================================
level element   unocr
===== ========= ===============================================
1     page      :class:`~unocr.model.Page` (``width``/``height``)
2     block     (not kept: a layout region of one or more paragraphs)
3     paragraph :class:`~unocr.model.Block` (``native=True``)
4     line      :class:`~unocr.model.Line` (``native=True``)
5     word      :class:`~unocr.model.Word` (``native=True``)
===== ========= ===============================================

**Writing.** unocr writes each block as one Tesseract block holding one
paragraph. A line without words is written as one word row holding the
line's text, so no text is lost. Tabs, CR and LF inside a word become
spaces (a row holds no line break, and other readers split cells at tabs);
any other white space, at the ends of a word too (a no-break space,
U+2028...), is written as it is.

**Reading.** Choices, so the mapping is exact and predictable:

* **Paragraphs become blocks.** A Tesseract block is a layout region that may
  hold several paragraphs; the paragraph is the unit of text flow, and with
  paragraphs as blocks ``page.text`` separates them by a blank line exactly as
  Tesseract's own text output does.
* **Words** are the rows of level 5 whose text is not blank, their text as
  written (white space at its ends included), with their box (``left``,
  ``top``, ``width``, ``height`` -> ``Box(left, top, left + width, top +
  height)``, pixels of the
  image Tesseract read) and confidence ``conf / 100`` (Tesseract reports
  0-100; ``-1`` means none and gives ``None``). Rows of the other levels only
  carry structure and a box (Tesseract gives them ``conf == -1``); they never
  become words.
* **Lines and blocks** take the box of their own row (a paragraph without a
  row takes its Tesseract block's), grown where needed to enclose their
  children: Tesseract's word boxes sometimes reach a few pixels above or below
  their line's (tall punctuation, padded LSTM boxes), and every unocr parent
  encloses its children. They are ``native=True`` when the TSV has their row,
  else synthesised (``native=False``). Their text is the words joined by
  spaces (lines) and the lines joined by newlines (blocks); their confidence
  is the mean of their words' (Tesseract gives none for lines and
  paragraphs: it writes ``-1`` on their rows), or with
  ``parent_confidence="row"`` their own row's ``conf`` (what
  :func:`unocr.formats.dumps` writes). Reading a file (:func:`loads`,
  :func:`page_from_tsv`), the file tells which: its own rows' when any block,
  paragraph or line row has a confidence (not ``-1``), else the mean, so
  Tesseract's output reads as the backend reads it. A line or paragraph left
  without words is dropped, as are word rows whose text is blank (Tesseract
  emits a few on noisy scans).
* **Page size** is the extent of the page row (level 1): ``left + width`` by
  ``top + height``, unless given.
* Order is Tesseract's reading order, as listed in the TSV.

Examples:
    >>> tsv = (
    ...     "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\t"
    ...     "left\ttop\twidth\theight\tconf\ttext\n"
    ...     "1\t1\t0\t0\t0\t0\t0\t0\t200\t100\t-1\t\n"
    ...     "2\t1\t1\t0\t0\t0\t10\t10\t120\t20\t-1\t\n"
    ...     "3\t1\t1\t1\t0\t0\t10\t10\t120\t20\t-1\t\n"
    ...     "4\t1\t1\t1\t1\t0\t10\t10\t120\t20\t-1\t\n"
    ...     "5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t96.5\tHello\n"
    ...     "5\t1\t1\t1\t1\t2\t70\t12\t60\t18\t91.0\tworld\n"
    ... )
    >>> page = page_from_tsv(tsv)
    >>> page.width, page.height, page.text
    (200, 100, 'Hello world')
    >>> page.words[1].geometry, page.words[1].confidence
    (Box(x0=70.0, y0=12.0, x1=130.0, y1=30.0), 0.91)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from typing_extensions import Unpack

from unocr._lazy import SET_ON_PAGE, check_keywords, deprecated_keywords
from unocr.errors import FormatError
from unocr.formats import document_errors
from unocr.formats._numbers import box_ints, fmt_num, page_size
from unocr.formats._parents import as_reported
from unocr.geometry import Box
from unocr.limits import ReadLimits, check_limit
from unocr.model import Block, Line, Page, Word
from unocr.model.elements import mean_confidence
from unocr.model.page import PageLabels
from unocr.model.serialize import encodable

if TYPE_CHECKING:
    from unocr.geometry import Geometry

__all__ = [
    "COLUMNS",
    "TSV_COLUMNS",
    "TsvPageKeywords",
    "TsvRow",
    "blocks_from_rows",
    "dumps",
    "loads",
    "page_from_data",
    "page_from_rows",
    "page_from_tsv",
    "parse_tsv",
    "rows_from_data",
]

#: Column names of Tesseract's TSV output, in order.
TSV_COLUMNS: tuple[str, ...] = (
    "level",
    "page_num",
    "block_num",
    "par_num",
    "line_num",
    "word_num",
    "left",
    "top",
    "width",
    "height",
    "conf",
    "text",
)

_PAGE, _BLOCK, _PARAGRAPH, _LINE, _WORD = 1, 2, 3, 4, 5
_LEVELS = "1-5 (page, block, paragraph, line, word)"


@dataclass(frozen=True, slots=True)
class TsvRow:
    """One row of Tesseract's TSV output.

    Attributes:
        level: 1 page, 2 block, 3 paragraph, 4 line, 5 word.
        page_num: Page number, from 1.
        block_num: Block number within the page, from 1 (0 on the page row).
        par_num: Paragraph number within the block.
        line_num: Line number within the paragraph.
        word_num: Word number within the line.
        left: Left edge in pixels.
        top: Top edge in pixels.
        width: Width in pixels (>= 0).
        height: Height in pixels (>= 0).
        conf: Confidence 0-100 for words; -1 for none (structure rows).
        text: The word's text ('' for structure rows).
    """

    level: int
    page_num: int
    block_num: int
    par_num: int
    line_num: int
    word_num: int
    left: int
    top: int
    width: int
    height: int
    conf: float
    text: str

    @property
    def box(self) -> Box:
        """The row's box, ``(left, top, left + width, top + height)`` in pixels."""
        return Box(self.left, self.top, self.left + self.width, self.top + self.height)

    @property
    def confidence(self) -> float | None:
        """``conf`` scaled to [0, 1]; ``None`` where it is negative (``-1``)."""
        return None if self.conf < 0 else min(100.0, self.conf) / 100.0


def _row(values: Sequence[object], where: str) -> TsvRow:
    try:
        ints = [int(str(v)) for v in values[:10]]
        conf = float(str(values[10]))
    except (TypeError, ValueError) as exc:
        raise FormatError(
            f"Tesseract TSV {where}: expected 10 integers and a confidence, got "
            f"{list(values[:11])!r}"
        ) from exc
    if not math.isfinite(conf):
        raise FormatError(
            f"Tesseract TSV {where}: confidence {values[10]!r} is not finite "
            "(NaN or infinity); expected 0-100, or -1 for none"
        )
    level, page_num, block_num, par_num, line_num, word_num, left, top, w, h = ints
    if not _PAGE <= level <= _WORD:
        raise FormatError(
            f"Tesseract TSV {where}: level {level} is not one of {_LEVELS}"
        )
    if w < 0 or h < 0:
        raise FormatError(
            f"Tesseract TSV {where}: negative width or height ({w} x {h} pixels)"
        )
    text = values[11] if len(values) > 11 else ""
    return TsvRow(
        level=level,
        page_num=page_num,
        block_num=block_num,
        par_num=par_num,
        line_num=line_num,
        word_num=word_num,
        left=left,
        top=top,
        width=w,
        height=h,
        conf=conf,
        text=str(text),
    )


def parse_tsv(text: str | bytes) -> list[TsvRow]:
    """Parse Tesseract's TSV output, with or without its header line.

    Lines are split on LF only (a CR before it is dropped): ``str.splitlines``
    would also split inside words on characters such as U+001C or U+2028. A
    tab inside the last column stays part of the text.

    Args:
        text: TSV as written by ``tesseract ... tsv`` (with header) or
            ``TessBaseAPI::GetTSVText`` (without); bytes are decoded as UTF-8.
            A leading byte-order mark is ignored.

    Returns:
        The rows in file order.

    Raises:
        unocr.errors.FormatError: A row is not Tesseract TSV: wrong number of
            columns, non-numeric cells, a confidence that is not finite, a
            level outside 1-5 or a negative size.
    """
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(f"Tesseract TSV is not valid UTF-8: {exc}") from exc
    text = text.removeprefix("\ufeff")
    rows: list[TsvRow] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if not line.strip():
            continue
        cells = line.split("\t", len(TSV_COLUMNS) - 1)
        if cells[0] == "level":
            if tuple(c.strip() for c in cells) != TSV_COLUMNS:
                raise FormatError(
                    f"Tesseract TSV line {number}: unexpected header {cells!r}; "
                    f"expected the columns {', '.join(TSV_COLUMNS)}"
                )
            continue
        if len(cells) < len(TSV_COLUMNS) - 1:
            raise FormatError(
                f"Tesseract TSV line {number}: expected 12 tab-separated columns "
                f"({' '.join(TSV_COLUMNS)}), got {len(cells)}"
            )
        rows.append(_row(cells, f"line {number}"))
    return rows


_E = TypeVar("_E", Line, Block)


def _with_row(element: _E, row: TsvRow | None, *, row_confidence: bool) -> _E:
    """Make a line/block synthesised from its children the one its row reports.

    With a row it becomes :func:`~unocr.formats._parents.as_reported` with
    the row's box and, with ``row_confidence``, the row's own confidence.
    Without a row it stays as synthesised.
    """
    if row is None:
        return element
    return as_reported(
        element,
        row.box,
        confidence=row.confidence,
        language=element.language,
        own_confidence=row_confidence,
    )


def rows_from_data(data: Mapping[str, Sequence[object]]) -> list[TsvRow]:
    """Rows of ``pytesseract.image_to_data(..., output_type=Output.DICT)``.

    Args:
        data: A mapping from each name in :data:`TSV_COLUMNS` to a column of
            equal length (pytesseract's dict; ``pandas.DataFrame.to_dict("list")``
            works too).

    Returns:
        The rows in order.

    Raises:
        unocr.errors.FormatError: A column is missing, the columns differ in
            length, or a row is not Tesseract TSV (see :func:`parse_tsv`).
    """
    missing = [c for c in TSV_COLUMNS if c not in data]
    if missing:
        raise FormatError(
            "not Tesseract TSV data: missing column(s) " + ", ".join(missing)
        )
    columns = [list(data[c]) for c in TSV_COLUMNS]
    n = len(columns[0])
    if any(len(c) != n for c in columns):
        raise FormatError("Tesseract TSV data: the columns differ in length")
    rows = []
    for i in range(n):
        values = [c[i] for c in columns]
        if values[11] is None or (
            isinstance(values[11], float) and math.isnan(values[11])
        ):
            values[11] = ""  # pandas reads empty text cells as NaN
        rows.append(_row(values, f"row {i}"))
    return rows


class TsvPageKeywords(PageLabels, total=False):
    """The keyword arguments of :func:`page_from_tsv` and :func:`page_from_rows`.

    Each may be left out. Besides these, the deprecated ``backend``,
    ``languages`` and ``timings`` (:class:`~unocr.model.page.PageLabels`;
    the page's backend is ``"tesseract"``), removed in 0.3.

    Attributes:
        width: Page width in pixels; default (or ``None``) from the page row
            (level 1).
        height: Page height in pixels; default (or ``None``) from the page
            row.
        page_num: Which page of a multi-page result to convert; default 1.
        language: ISO 639 code to set on every element; default ``None``.
    """

    width: int | None
    height: int | None
    page_num: int
    language: str | None


def page_from_tsv(
    text: str | bytes | Mapping[str, Sequence[object]],
    **keywords: Unpack[TsvPageKeywords],
) -> Page:
    """Convert Tesseract's TSV text, or pytesseract's dict, into a page.

    Args:
        text: TSV output, with or without the header line; or the columns of
            ``pytesseract.image_to_data(..., output_type=Output.DICT)`` (see
            :func:`rows_from_data`).
        **keywords: The page's size, which page, and the elements' language
            (see :class:`TsvPageKeywords`).

    Returns:
        The page, ``backend="tesseract"`` (see the module docstring for the
        mapping). Lines and blocks take the mean of their words' confidences,
        as the Tesseract backend's do, unless the file's own rows carry them
        (see :func:`loads`).

    Raises:
        unocr.errors.FormatError: Malformed TSV or columns, no size known, or a
            page or word box beyond the coordinate range (as :func:`loads`).
        unocr.errors.ModelError: ``width`` or ``height`` is no page size.
    """
    check_keywords("page_from_tsv", keywords, TsvPageKeywords)
    passed = deprecated_keywords(
        "page_from_tsv", _deprecated(keywords), use=SET_ON_PAGE
    )
    rows = rows_from_data(text) if isinstance(text, Mapping) else parse_tsv(text)
    return _page(
        rows,
        keywords,
        _file_parent_confidence(rows),
        {"backend": "tesseract", **passed},
    )


def _deprecated(keywords: Mapping[str, Any]) -> dict[str, Any]:
    """The deprecated page-stamping keywords among ``keywords``, in their order.

    Args:
        keywords: A function's :class:`TsvPageKeywords`.

    Returns:
        Each of :class:`~unocr.model.page.PageLabels`' passed, name ->
        value.
    """
    return {
        name: keywords[name] for name in PageLabels.__annotations__ if name in keywords
    }


#: :func:`page_from_tsv` under the name that says it takes pytesseract's dict.
page_from_data = page_from_tsv


def _file_parent_confidence(rows: Sequence[TsvRow]) -> Literal["mean", "row"]:
    """Where a file's lines and blocks take their confidence from.

    Tesseract writes ``-1`` (none) on every block, paragraph and line row, and
    the backend gives those elements their words' mean; :func:`dumps` writes
    each element's own confidence there. So a file with a confidence on any
    such row keeps its rows' (``-1`` stays ``None``), and any other file, such
    as Tesseract's, takes the mean.

    Args:
        rows: The file's rows (see :func:`parse_tsv`).

    Returns:
        ``"row"`` or ``"mean"``, for :func:`blocks_from_rows`'s
        ``parent_confidence``.
    """
    own = any(_PAGE < r.level < _WORD and r.conf >= 0 for r in rows)
    return "row" if own else "mean"


def blocks_from_rows(
    rows: Sequence[TsvRow],
    *,
    page_num: int = 1,
    language: str | None = None,
    parent_confidence: Literal["mean", "row"] = "mean",
) -> tuple[Block, ...]:
    """Build the blocks of one page from parsed TSV rows (see :func:`parse_tsv`).

    What the Tesseract backend calls on the engine's output: only the rows
    and how to read them, no page size, engine name or timings.

    Args:
        rows: Rows in Tesseract's order.
        page_num: Which page of a multi-page result to convert.
        language: ISO 639 code to set on every element, or ``None``.
        parent_confidence: ``"mean"``: lines and blocks get the mean of their
            words' confidences (Tesseract reports none for them);
            ``"row"``: their own row's ``conf`` (``None`` where it is -1), as
            in files written by :func:`unocr.formats.dumps`.

    Returns:
        The blocks (Tesseract's paragraphs) in Tesseract's reading order,
        coordinates in the pixels of the image Tesseract read.
    """
    # Group words by (block, paragraph) then line, keeping first-seen order;
    # keep each structure row by its key: (block,), (block, par), (block, par, line).
    paragraphs: dict[tuple[int, int], dict[int, list[Word]]] = {}
    structure: dict[tuple[int, ...], TsvRow] = {}
    for r in rows:
        if r.page_num != page_num:
            continue
        if r.level == _BLOCK:
            structure[(r.block_num,)] = r
        elif r.level == _PARAGRAPH:
            structure[(r.block_num, r.par_num)] = r
            paragraphs.setdefault((r.block_num, r.par_num), {})
        elif r.level == _LINE:
            structure[(r.block_num, r.par_num, r.line_num)] = r
            paragraphs.setdefault((r.block_num, r.par_num), {}).setdefault(
                r.line_num, []
            )
        elif r.level == _WORD and r.text.strip():
            word = Word(
                text=r.text,
                geometry=r.box,
                confidence=r.confidence,
                language=language,
            )
            paragraphs.setdefault((r.block_num, r.par_num), {}).setdefault(
                r.line_num, []
            ).append(word)

    own = parent_confidence == "row"
    blocks: list[Block] = []
    for pkey, line_words in paragraphs.items():
        lines = [
            _with_row(
                Line.from_words(words, language=language),
                structure.get((*pkey, lnum)),
                row_confidence=own,
            )
            for lnum, words in line_words.items()
            if words
        ]
        if lines:
            block = Block.from_lines(lines, language=language)
            if not own:  # the mean of the words, not of the lines' means
                block = block.replace(confidence=mean_confidence(block.words))
            row = structure.get(pkey) or structure.get(pkey[:1])
            blocks.append(_with_row(block, row, row_confidence=own))
    return tuple(blocks)


def page_from_rows(
    rows: Sequence[TsvRow],
    *,
    parent_confidence: Literal["mean", "row"] = "mean",
    **keywords: Unpack[TsvPageKeywords],
) -> Page:
    """Build a page from parsed TSV rows (see :func:`parse_tsv`).

    Args:
        rows: Rows in Tesseract's order.
        parent_confidence: As for :func:`blocks_from_rows`.
        **keywords: The page's size, which page, and the elements' language
            (see :class:`TsvPageKeywords`).

    Returns:
        The page, ``backend="tesseract"``.

    Raises:
        unocr.errors.FormatError: No width/height given and no page row, a
            page row whose extent is no page size, or a row whose box or
            text makes no element (a coordinate beyond
            :data:`unocr.limits.MAX_COORDINATE`).
        unocr.errors.ModelError: ``width``, ``height`` or another argument
            makes no page.
    """
    check_keywords("page_from_rows", keywords, TsvPageKeywords)
    passed = deprecated_keywords(
        "page_from_rows", _deprecated(keywords), use=SET_ON_PAGE
    )
    return _page(rows, keywords, parent_confidence, {"backend": "tesseract", **passed})


def _page(
    rows: Sequence[TsvRow],
    keywords: TsvPageKeywords,
    parent_confidence: Literal["mean", "row"],
    stamp: Mapping[str, Any],
) -> Page:
    """Build a page from rows, as :func:`page_from_rows` describes.

    Args:
        rows: Rows in Tesseract's order.
        keywords: The page's size, which page and the elements' language;
            the deprecated keywords among them are ignored (see ``stamp``).
        parent_confidence: As for :func:`blocks_from_rows`.
        stamp: The page's ``backend``, ``languages`` and ``timings``, as
            :meth:`Page.from_blocks` takes them; those left out take its
            defaults (no backend, no languages, no timings).

    Returns:
        The page.
    """
    width, height = keywords.get("width"), keywords.get("height")
    page_num = keywords.get("page_num", 1)
    if width is None or height is None:
        page_row = next(
            (r for r in rows if r.level == _PAGE and r.page_num == page_num), None
        )
        if page_row is None:
            raise FormatError(
                f"Tesseract TSV has no page row (level 1) for page {page_num}; "
                "pass width= and height="
            )
        row_size = page_size(
            page_row.left + page_row.width, page_row.top + page_row.height, "TSV"
        )
        width = row_size[0] if width is None else width
        height = row_size[1] if height is None else height
    with document_errors("tsv"):
        blocks = blocks_from_rows(
            rows,
            page_num=page_num,
            language=keywords.get("language"),
            parent_confidence=parent_confidence,
        )
    return Page.from_blocks(blocks, width=width, height=height, **stamp)


#: The header row's column names, as Tesseract writes them.
COLUMNS = TSV_COLUMNS


def _conf(value: float | None) -> str:
    return "-1" if value is None else fmt_num(value * 100.0, 6)


def _clean(text: str) -> str:
    """One cell: line breaks and tabs as spaces, lone surrogates as U+FFFD."""
    return (
        encodable(text)
        .replace("\r\n", " ")
        .replace("\t", " ")
        .replace("\n", " ")
        .replace("\r", " ")
    )


def _write_row(level: int, ids: tuple[int, int, int, int], geometry: Geometry,
         conf: float | None, text: str) -> str:  # fmt: skip
    x0, y0, x1, y1 = box_ints(geometry)
    cells = [level, 1, *ids, x0, y0, x1 - x0, y1 - y0]
    return "\t".join([*map(str, cells), _conf(conf), _clean(text)])


def dumps(page: Page) -> str:
    """Serialise a page as Tesseract TSV.

    Args:
        page: The page to write.

    Returns:
        The TSV text: a header row, then one row per page, block, paragraph,
        line and word, each ending in a newline.
    """
    rows = ["\t".join(COLUMNS)]
    rows.append("\t".join(["1", "1", "0", "0", "0", "0", "0", "0",
                           str(page.width), str(page.height), "-1", ""]))  # fmt: skip
    for b, block in enumerate(page.blocks, start=1):
        rows.append(_write_row(2, (b, 0, 0, 0), block.geometry, block.confidence, ""))
        rows.append(_write_row(3, (b, 1, 0, 0), block.geometry, block.confidence, ""))
        for n, line in enumerate(block.lines, start=1):
            rows.append(_write_row(4, (b, 1, n, 0), line.geometry, line.confidence, ""))
            if line.words:
                for w, word in enumerate(line.words, start=1):
                    rows.append(
                        _write_row(
                            5, (b, 1, n, w), word.geometry, word.confidence, word.text
                        )
                    )
            elif line.text:
                rows.append(
                    _write_row(
                        5, (b, 1, n, 1), line.geometry, line.confidence, line.text
                    )
                )
    return "\n".join(rows) + "\n"


def loads(data: str | bytes, limits: ReadLimits | None = None) -> Page:
    """Read Tesseract TSV (as written by ``tesseract ... tsv`` or :func:`dumps`).

    A file reads exactly as the Tesseract backend reads the engine's output
    (:func:`blocks_from_rows`): lines and blocks take their words' mean
    confidence, unless any block, paragraph or line row has a confidence of
    its own (not ``-1``, which is all Tesseract writes there): then each
    keeps its row's, as :func:`dumps` wrote them. What a file does not
    record is not set: the page has no backend or languages, and its
    elements no language (the backend sets the one language it ran with;
    pass it to :func:`page_from_tsv`).

    Args:
        data: The TSV text, or UTF-8 bytes.
        limits: Size and element (row) limits; defaults when ``None``. The
            row count is checked before any row is parsed.

    Returns:
        The page: each paragraph a block, with its lines and words. A line or
        block takes its row's box grown to enclose its children. Rows with
        blank text are skipped, and lines and blocks left without words are
        dropped (Tesseract reports empty blocks for pictures).

    Raises:
        FormatError: Wrong number of columns, non-numeric cells, more than one
            page, no page row, a page size beyond the coordinate range, or a
            limit exceeded.
    """
    limits = limits or ReadLimits()
    newline = b"\n" if isinstance(data, bytes) else "\n"
    check_limit(
        data.count(newline),  # type: ignore[arg-type]
        limits.max_elements,
        what="TSV",
        unit="rows (or more)",
        argument="max_elements",
        error=FormatError,
    )
    rows = parse_tsv(data)
    other_pages = sorted({r.page_num for r in rows} - {1})
    if other_pages:
        raise FormatError(
            f"TSV holds rows of page {other_pages[0]}: this file holds several "
            "pages (or not page 1), but unocr reads one page per TSV file; split "
            "it by page_num (column 2), or convert one page with "
            "unocr.formats.tsv.page_from_tsv(text, page_num=N)"
        )
    page_rows = [r for r in rows if r.level == 1]
    if not page_rows:
        raise FormatError("TSV has no page row (level 1); cannot tell the page size")
    for r in page_rows:
        page_size(r.left + r.width, r.top + r.height, "TSV")
    return _page(rows, {}, _file_parent_confidence(rows), {})

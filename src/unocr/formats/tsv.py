"""Tesseract's TSV: 12 tab-separated columns, one row per element.

Columns: ``level page_num block_num par_num line_num word_num left top width
height conf text``; levels 1 page, 2 block, 3 paragraph, 4 line, 5 word.
Coordinates are whole pixels (bounding boxes only); ``conf`` is 0-100, or
``-1`` where there is none; only words carry text.

unocr writes each block as one Tesseract block holding one paragraph, and
reads each paragraph (level 3) as a block. A line without words is written
as one word row holding the line's text, so no text is lost. Tabs and
newlines inside a word become spaces. Reading is done by the Tesseract
backend's pure converter, :mod:`unocr.backends.tesseract.convert`, so a file
reads as the backend reads the engine's output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unocr.backends.tesseract.convert import TSV_COLUMNS, page_from_rows, parse_tsv
from unocr.errors import FormatError
from unocr.formats._numbers import box_ints, fmt_num, page_size
from unocr.limits import ReadLimits, check_limit

if TYPE_CHECKING:
    from unocr.geometry import Geometry
    from unocr.model import Page

__all__ = ["COLUMNS", "dumps", "loads"]

#: The header row's column names, as Tesseract writes them.
COLUMNS = TSV_COLUMNS


def _conf(value: float | None) -> str:
    return "-1" if value is None else fmt_num(value * 100.0, 6)


def _clean(text: str) -> str:
    return (
        text.replace("\r\n", " ")
        .replace("\t", " ")
        .replace("\n", " ")
        .replace("\r", " ")
    )


def _row(level: int, ids: tuple[int, int, int, int], geometry: Geometry,
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
        rows.append(_row(2, (b, 0, 0, 0), block.geometry, block.confidence, ""))
        rows.append(_row(3, (b, 1, 0, 0), block.geometry, block.confidence, ""))
        for n, line in enumerate(block.lines, start=1):
            rows.append(_row(4, (b, 1, n, 0), line.geometry, line.confidence, ""))
            if line.words:
                for w, word in enumerate(line.words, start=1):
                    rows.append(
                        _row(5, (b, 1, n, w), word.geometry, word.confidence, word.text)
                    )
            elif line.text:
                rows.append(
                    _row(5, (b, 1, n, 1), line.geometry, line.confidence, line.text)
                )
    return "\n".join(rows) + "\n"


def loads(data: str | bytes, limits: ReadLimits | None = None) -> Page:
    """Read Tesseract TSV (as written by ``tesseract ... tsv`` or :func:`dumps`).

    The rows are read by :mod:`unocr.backends.tesseract.convert` (pure: no
    engine needed), so a file reads exactly as the Tesseract backend reads the
    engine's output, except that lines and blocks keep the confidence their
    own row gives (``-1``: ``None``) and the page has no backend or languages.

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
            "unocr.backends.tesseract.convert.page_from_tsv(text, page_num=N)"
        )
    page_rows = [r for r in rows if r.level == 1]
    if not page_rows:
        raise FormatError("TSV has no page row (level 1); cannot tell the page size")
    for r in page_rows:
        page_size(r.left + r.width, r.top + r.height, "TSV")
    return page_from_rows(rows, backend=None, parent_confidence="row")

"""Tesseract's TSV: 12 tab-separated columns, one row per element.

Columns: ``level page_num block_num par_num line_num word_num left top width
height conf text``; levels 1 page, 2 block, 3 paragraph, 4 line, 5 word.
Coordinates are whole pixels (bounding boxes only); ``conf`` is 0-100, or
``-1`` where there is none; only words carry text.

unocr writes each block as one Tesseract block holding one paragraph, and
reads each paragraph (level 3) as a block. A line without words is written
as one word row holding the line's text, so no text is lost. Tabs and
newlines inside a word become spaces.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from unocr.errors import FormatError
from unocr.formats._common import (
    box_ints,
    fmt_num,
    geometry_from_box,
    join_lines,
    join_words,
    percent_to_confidence,
)

if TYPE_CHECKING:
    from unocr.geometry import Geometry
    from unocr.model import Block, Line, Page, Word

__all__ = ["COLUMNS", "dumps", "loads"]

#: The header row's column names, as Tesseract writes them.
COLUMNS = (
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


@dataclass
class _Node:
    geometry: Geometry | None = None
    confidence: float | None = None
    text: str = ""
    children: dict[int, _Node] = field(default_factory=dict)


def _parse_row(cells: list[str], lineno: int) -> tuple[list[int], float, str]:
    try:
        numbers = [int(c) for c in cells[:10]]
        conf = float(cells[10])
    except ValueError:
        raise FormatError(
            f"TSV line {lineno}: expected integers in columns 1-10 and a number in "
            f"column 11, got {cells[:11]!r}"
        ) from None
    if not math.isfinite(conf):
        raise FormatError(f"TSV line {lineno}: confidence {cells[10]!r} is not finite")
    return numbers, conf, cells[11] if len(cells) > 11 else ""


def loads(data: str | bytes) -> Page:
    """Read Tesseract TSV (as written by ``tesseract ... tsv`` or :func:`dumps`).

    Args:
        data: The TSV text, or UTF-8 bytes.

    Returns:
        The page: each paragraph a block, with its lines and words. Rows with
        blank text are skipped, and lines and blocks left without words are
        dropped (Tesseract reports empty blocks for pictures).

    Raises:
        FormatError: Wrong number of columns, non-numeric cells, more than one
            page, or no page row.
    """
    from unocr.model import Page

    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FormatError(f"TSV is not UTF-8 text: {exc}") from exc
    else:
        text = data.lstrip("\ufeff")
    width = height = None
    blocks: dict[tuple[int, int], _Node] = {}
    block_boxes: dict[int, tuple[Geometry, float | None]] = {}
    # Split on LF only: str.splitlines() would also split inside words on
    # characters such as U+001C or U+2028.
    for lineno, raw in enumerate(text.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        if not raw.strip():
            continue
        cells = raw.split("\t", 11)
        if lineno == 1 and cells[0] == "level":
            continue
        if len(cells) < 11:
            raise FormatError(
                f"TSV line {lineno}: expected 12 tab-separated columns "
                f"({' '.join(COLUMNS)}), got {len(cells)}"
            )
        numbers, conf, cell_text = _parse_row(cells, lineno)
        level, page_num, block_num, par_num, line_num, word_num = numbers[:6]
        left, top, w, h = numbers[6:10]
        if page_num != 1:
            raise FormatError(
                f"TSV line {lineno}: page {page_num}; this file holds several pages, "
                "but unocr reads one page per TSV file (split it by page_num)"
            )
        if level == 1:
            width, height = left + w, top + h
            continue
        geometry = geometry_from_box(left, top, left + w, top + h)
        confidence = percent_to_confidence(conf)
        if level == 2:
            block_boxes[block_num] = (geometry, confidence)
        elif level == 3:
            blocks.setdefault((block_num, par_num), _Node()).geometry = geometry
            blocks[(block_num, par_num)].confidence = confidence
        elif level == 4:
            par = blocks.setdefault((block_num, par_num), _Node())
            par.children[line_num] = _Node(geometry, confidence)
        elif level == 5:
            if not cell_text.strip():
                continue
            par = blocks.setdefault((block_num, par_num), _Node())
            line = par.children.setdefault(line_num, _Node())
            line.children[word_num] = _Node(geometry, confidence, cell_text)
        else:
            raise FormatError(f"TSV line {lineno}: level {level} is not one of 1-5")
    if width is None or height is None:
        raise FormatError("TSV has no page row (level 1); cannot tell the page size")
    out_blocks = []
    for (block_num, _par), node in blocks.items():
        if node.geometry is None and block_num in block_boxes:
            node.geometry, node.confidence = block_boxes[block_num]
        block = _build_block(node)
        if block is not None:
            out_blocks.append(block)
    return Page(width=width, height=height, blocks=tuple(out_blocks))


def _build_block(node: _Node) -> Block | None:
    from unocr.model import Block, Word

    lines: list[Line] = []
    for line_node in node.children.values():
        words = [
            Word(text=wn.text, geometry=wn.geometry, confidence=wn.confidence)
            for wn in line_node.children.values()
            if wn.geometry is not None
        ]
        if not words:
            continue
        lines.append(_make_line(line_node, words))
    if not lines:
        return None
    if node.geometry is None:
        return Block.from_lines(lines)
    return Block(
        text=join_lines(lines),
        geometry=node.geometry,
        confidence=node.confidence,
        lines=tuple(lines),
    )


def _make_line(node: _Node, words: list[Word]) -> Line:
    from unocr.model import Line

    if node.geometry is None:
        return Line.from_words(words)
    return Line(
        text=join_words(words),
        geometry=node.geometry,
        confidence=node.confidence,
        words=tuple(words),
    )

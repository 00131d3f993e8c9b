"""Defects found by the fourth formats audit (second part), each pinned by a test.

* The PDF text layer reads a character beyond U+FFFF as one character, not as
  the two UTF-16 halves PDFium reports it in (a lone half is U+FFFD).
* ``save_pdf`` writes right-to-left words so that PDF readers (PDFium, which
  takes glyph positions for the visual order, and pdfminer.six, which reads
  the content stream's order) and unocr's own text-layer reading give them
  back in logical order.
* ``page_from_tsv`` reports what the document gets wrong as ``FormatError``.
* ``box_from_corners`` refuses NaN in any position.
* PAGE-XML writes a word's glyphs only when they spell it, each holding text
  XML can hold.
"""

from __future__ import annotations

import math
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

import unocr
from unocr.errors import FormatError, GeometryError
from unocr.formats import dumps, loads
from unocr.formats.tsv import page_from_tsv
from unocr.geometry import Box, box_from_corners
from unocr.model import Page, Symbol, Word

from .pdf_factory import pdfium_text

# ---------------------------------------------------------------- PDF helpers


def _page(rows: list[list[str]], width: int = 1000, row_height: int = 100) -> Page:
    """A page of ``rows`` of words, each row's words left to right on the image."""
    words = [
        Word(
            text=text,
            geometry=Box(
                20 + 170 * i, 40 + row_height * j, 170 + 170 * i, 90 + row_height * j
            ),
            confidence=0.9,
        )
        for j, texts in enumerate(rows)
        for i, text in enumerate(texts)
    ]
    return Page.from_words(words, width=width, height=row_height * (len(rows) + 1))


def _save(page: Page, path: Path) -> Path:
    unocr.save_pdf(
        [page], path, images=[Image.new("RGB", (page.width, page.height), "white")]
    )
    return path


def _lines(page: Page) -> list[list[str]]:
    return [[w.text for w in line.words] for line in page.lines]


def _pdfium_lines(path: Path) -> list[list[str]]:
    """The page's text as PDFium (Chromium's PDF engine) copies it, line by line."""
    text = pdfium_text(path)
    return [line.split() for line in text.split("\r\n") if line.split()]


def _pdfminer_chars(path: Path) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Characters with their boxes, in the order the content stream draws them."""
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    with open(path, "rb") as fh:
        (pdf_page,) = PDFPage.get_pages(fh)
        interpreter.process_page(pdf_page)
    layout = device.get_result()
    return [
        (item.get_text(), (item.x0, item.y0, item.x1, item.y1))
        for item in layout
        if isinstance(item, LTChar)
    ]


def _pdfminer_words(path: Path) -> list[tuple[str, Box]]:
    """Words (runs of characters between spaces) as pdfminer.six reads them.

    Boxes are in points from the bottom left, the union of the characters'.
    """
    words: list[tuple[str, Box]] = []
    text, boxes = "", []
    for char, box in [*_pdfminer_chars(path), (" ", (0.0, 0.0, 0.0, 0.0))]:
        if char.isspace():
            if text:
                x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
                x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
                words.append((text, Box(x0, y0, x1, y1)))
            text, boxes = "", []
            continue
        text += char
        boxes.append(box)
    return words


# ------------------------------------- 1. text layer: characters beyond U+FFFF


def test_text_layer_reads_characters_beyond_the_bmp_whole(tmp_path: Path) -> None:
    page = _page([["Hello", "😀ok", "𠀋x"]])
    back = next(unocr.read_pages(_save(page, tmp_path / "astral.pdf"), text_layer=True))
    assert back.source is not None and back.source.method == "text-layer"
    assert [w.text for w in back.words] == ["Hello", "😀ok", "𠀋x"]
    assert [s.text for s in back.words[1].symbols] == ["😀", "o", "k"]
    assert back.text.encode("utf-8") == "Hello 😀ok 𠀋x".encode()


def test_text_layer_joins_a_surrogate_pair_given_low_half_first(tmp_path: Path) -> None:
    """In a right-to-left line PDFium gives a pair's low half first: still one
    character (a one-character word there is written left to right)."""
    words = [("אב", 500), ("😀", 300), ("גד", 100)]
    page = Page.from_words(
        [Word(t, Box(x, 20, x + 80, 60), confidence=0.9) for t, x in words],
        width=900,
        height=200,
    )
    back = next(unocr.read_pages(_save(page, tmp_path / "rtl.pdf"), text_layer=True))
    assert [w.text for w in back.words] == ["אב", "😀", "גד"]


def _with_to_unicode(path: Path, out: Path, pairs: dict[str, str]) -> Path:
    """A copy of a ``save_pdf`` file whose font maps codes to other UTF-16 text."""
    body = "".join(f"<{code}> <{text}>\n" for code, text in pairs.items())
    cmap = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(pairs)} beginbfchar\n{body}endbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )
    with pikepdf.open(path) as pdf:
        font = pdf.pages[0].Resources.Font.F0
        font.ToUnicode = pdf.make_stream(cmap.encode("ascii"))
        pdf.save(out)
    return out


def test_text_layer_lone_surrogate_halves_become_the_replacement_character(
    tmp_path: Path,
) -> None:
    page = _page([["ABC"]])
    pdf = _save(page, tmp_path / "abc.pdf")
    # A, B and C mapped to a high half, a low half and an ordinary letter:
    # two lone halves (neither is followed or preceded by its partner).
    broken = _with_to_unicode(
        pdf,
        tmp_path / "halves.pdf",
        {"0041": "DC00", "0042": "D800", "0043": "0043", "0020": "0020"},
    )
    back = next(unocr.read_pages(broken, text_layer=True))
    assert [w.text for w in back.words] == ["\ufffd\ufffdC"]
    assert back.text.encode("utf-8") == "\ufffd\ufffdC".encode()


# ------------------------------- 2. save_pdf: right-to-left words, logical order

RTL_ROWS = [
    ["Hello", "world"],  # Latin
    ["עולם", "שלום"],  # Hebrew: on the image "עולם" is left of "שלום"
    ["بالعالم،", "مرحبا"],  # Arabic, with an Arabic comma
    ["New", "York", "ב", "גרתי", "שנתיים"],  # a Hebrew line with English words in it
    ["see", "שלום", "here"],  # an English line with a Hebrew word in it
]


@pytest.fixture(scope="module")
def rtl_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Page, Path]:
    page = _page(RTL_ROWS)
    return page, _save(page, tmp_path_factory.mktemp("rtl") / "rtl.pdf")


def test_rtl_words_are_written_in_logical_order_for_pdfium(
    rtl_pdf: tuple[Page, Path],
) -> None:
    page, path = rtl_pdf
    # the model's (logical) order
    assert _lines(page)[1] == ["שלום", "עולם"]
    assert _lines(page)[3] == ["שנתיים", "גרתי", "ב", "New", "York"]
    got = _pdfium_lines(path)
    assert len(got) == len(page.lines)
    for words, line in zip(got, page.lines, strict=True):
        # every word back as written, none reversed
        assert sorted(words) == sorted(w.text for w in line.words)
    # lines of one direction come back in reading order
    assert got[:3] == _lines(page)[:3]


def test_rtl_words_are_written_in_logical_order_for_pdfminer(
    rtl_pdf: tuple[Page, Path],
) -> None:
    page, path = rtl_pdf
    got = _pdfminer_words(path)
    assert [text for text, _ in got] == [w.text for w in page.words]
    # each word's characters lie on the word in the image (selection boxes)
    h_pt = page.height * 72 / 300
    for word, (_, box) in zip(page.words, got, strict=True):
        b = box.bounds
        back = Box(
            b.x0 * 300 / 72,
            (h_pt - b.y1) * 300 / 72,
            b.x1 * 300 / 72,
            (h_pt - b.y0) * 300 / 72,
        )
        assert word.geometry.to_box().iou(back) > 0.9, word.text


def test_rtl_words_read_back_by_unocr_in_logical_order(
    rtl_pdf: tuple[Page, Path],
) -> None:
    page, path = rtl_pdf
    back = next(unocr.read_pages(path, text_layer=True))
    assert _lines(back) == _lines(page)
    for word, got in zip(page.words, back.words, strict=True):
        # (PDFium's advance box of a last "w" reaches past the word's cell)
        assert word.geometry.iou(got.geometry) > 0.75, word.text
    # a right-to-left word's characters in logical order, each on its glyph
    hebrew = back.lines[1].words[0]
    assert [s.text for s in hebrew.symbols] == list("שלום")
    xs = [s.geometry.bounds.x0 for s in hebrew.symbols]
    assert xs == sorted(xs, reverse=True)


def test_rtl_word_in_a_rotated_box_reads_back(tmp_path: Path) -> None:
    from unocr.geometry import Quad

    a = math.radians(6)
    cx, cy, w, h = 200.0, 120.0, 160.0, 40.0
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    pts = [
        (cx + x * math.cos(a) - y * math.sin(a), cy + x * math.sin(a) + y * math.cos(a))
        for x, y in corners
    ]
    page = Page.from_words(
        [Word(text="שלום", geometry=Quad.from_points(pts))], width=400, height=240
    )
    path = _save(page, tmp_path / "tilted.pdf")
    assert _pdfium_lines(path) == [["שלום"]]
    assert [t for t, _ in _pdfminer_words(path)] == ["שלום"]
    back = next(unocr.read_pages(path, text_layer=True))
    assert [w.text for w in back.words] == ["שלום"]
    assert back.words[0].geometry.iou(page.words[0].geometry.to_box()) > 0.7


# ------------------------------------------- 3. page_from_tsv: FormatError

_HEAD = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n"
            "5\t1\t1\t1\t1\t1\t99999999999\t0\t5\t5\t90\tx\n",
            "x0",
        ),
        (
            "1\t1\t0\t0\t0\t0\t-500\t0\t100\t100\t-1\t\n"
            "5\t1\t1\t1\t1\t1\t1\t0\t5\t5\t90\tx\n",
            "page width",
        ),
    ],
)
def test_page_from_tsv_reports_document_faults_as_format_errors(
    rows: str, message: str
) -> None:
    with pytest.raises(FormatError, match=message):
        loads(_HEAD + rows, "tsv")
    with pytest.raises(FormatError, match=message):
        page_from_tsv(_HEAD + rows)
    with pytest.raises(FormatError, match=message):
        page_from_tsv(rows)  # without the header, as GetTSVText gives it


def test_page_from_tsv_size_arguments_still_win() -> None:
    rows = (
        _HEAD
        + "1\t1\t0\t0\t0\t0\t0\t0\t100\t100\t-1\t\n5\t1\t1\t1\t1\t1\t1\t0\t5\t5\t90\tx\n"
    )
    page = page_from_tsv(rows, width=300, height=200)
    assert (page.width, page.height, page.text) == (300, 200, "x")


# ------------------------------------------- 4. box_from_corners: NaN anywhere


@pytest.mark.parametrize("position", range(4))
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_box_from_corners_refuses_non_finite_coordinates(
    position: int, bad: float
) -> None:
    corners = [10.0, 10.0, 60.0, 30.0]
    corners[position] = bad
    with pytest.raises(GeometryError, match="finite"):
        box_from_corners(*corners)


def test_box_from_corners_orders_the_corners() -> None:
    assert box_from_corners(5, 3, 2, 1) == Box(2, 1, 5, 3)
    assert box_from_corners(-1.5, 2, -1.5, 2) == Box(-1.5, 2, -1.5, 2)


# ------------------------------------------- 5. PAGE-XML glyphs


def _word_page(word: Word) -> Page:
    return Page.from_words([word], width=100, height=20)


def test_page_xml_writes_no_glyphs_that_do_not_spell_the_word() -> None:
    word = Word(
        text="ab",
        geometry=Box(0, 0, 30, 10),
        symbols=(Symbol("a", Box(0, 0, 10, 10)), Symbol("x", Box(10, 0, 20, 10))),
    )
    assert loads(dumps(_word_page(word), "page-xml"), "page-xml").words[0].symbols == ()


def test_page_xml_keeps_glyphs_that_spell_the_word() -> None:
    # a glyph may hold more than one character in PAGE (a ligature, a
    # letter with a combining mark)
    word = Word(
        text="ﬁe\u0301",
        geometry=Box(0, 0, 30, 10),
        symbols=(Symbol("ﬁ", Box(0, 0, 15, 10)), Symbol("e\u0301", Box(15, 0, 30, 10))),
    )
    back = loads(dumps(_word_page(word), "page-xml"), "page-xml").words[0]
    assert [s.text for s in back.symbols] == ["ﬁ", "e\u0301"]
    assert [s.geometry for s in back.symbols] == [s.geometry for s in word.symbols]

"""Defects found by the fifth documents audit (first part), each pinned by a test.

* A line of the PDF text layer ending in a hyphen (a word broken across
  lines) is a line of its own, its hyphen kept at the end of its last word,
  as the page prints it; PDFium reports such a hyphen as code 0x02 and no
  line break after it.
* Text outside the page's visible box (cut away by the CropBox, or off a
  MediaBox given with its corners swapped) gives no words, and a character
  cut by the page's edge has its box cut to the rendered page.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image

import unocr
from unocr.documents.pdf import PdfFile
from unocr.geometry import Box
from unocr.model import Page, Word

from .pdf_factory import standard_font, text_pdf

HYPHENATED = [
    "Optical character recog-",
    "nition turns scanned docu-",
    "ments into searchable text",
    "for every reader.",
]


def _layer(pdf: Path, dpi: float = 72) -> Page:
    page = next(unocr.read_pages(pdf, dpi=dpi, text_layer=True))
    assert page.source is not None and page.source.method == "text-layer"
    return page


def _paragraph_pdf(path: Path, lines: list[str]) -> Path:
    """One text object per paragraph, its lines moved down by ``Td`` (as typeset)."""
    pdf = pikepdf.new()
    font = standard_font(pdf)
    page = pdf.add_blank_page(page_size=(400, 200))
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    shows = " ".join(f"({text}) Tj 0 -18 Td" for text in lines)
    page.Contents = pdf.make_stream(f"BT /F1 14 Tf 20 160 Td {shows} ET".encode())
    pdf.save(path)
    return path


def _inside(box: Box, page: Page) -> bool:
    return (
        box.x0 >= 0 and box.y0 >= 0 and box.x1 <= page.width and box.y1 <= page.height
    )


# ------------------------------------------------------------- hyphenation


def test_text_layer_line_ending_in_a_hyphen_is_a_line_of_its_own(
    tmp_path: Path,
) -> None:
    page = _layer(_paragraph_pdf(tmp_path / "para.pdf", HYPHENATED), dpi=150)
    assert [line.text for line in page.lines] == HYPHENATED
    recog = page.lines[0].words[-1]
    assert recog.text == "recog-"
    hyphen, g = recog.symbols[-1], recog.symbols[-2]
    assert hyphen.text == "-"
    assert hyphen.geometry.bounds.x0 >= g.geometry.bounds.x1 - 1


def test_text_layer_hyphenated_word_in_two_text_objects(tmp_path: Path) -> None:
    pdf = text_pdf(
        tmp_path / "hyphen.pdf",
        [(72, 700, "The infor-"), (72, 660, "mation ends here")],
        font_size=30,
    )
    page = _layer(pdf)
    assert [line.text for line in page.lines] == ["The infor-", "mation ends here"]
    first, second = (line.geometry.bounds for line in page.lines)
    assert first.y1 <= second.y0


def test_ocr_layer_line_ending_in_a_hyphen_reads_back_as_saved(tmp_path: Path) -> None:
    # save_pdf writes a space after every word: PDFium marks the hyphen all
    # the same, the space dropped.
    rows = [["Optical", "recog-"], ["nition", "turns"]]
    words = [
        Word(text, Box(20 + 200 * i, 40 + 100 * j, 180 + 200 * i, 90 + 100 * j))
        for j, row in enumerate(rows)
        for i, text in enumerate(row)
    ]
    saved = Page.from_words(words, width=500, height=300)
    pdf = tmp_path / "ocr.pdf"
    unocr.save_pdf([saved], pdf, images=[Image.new("RGB", (500, 300), "white")])
    page = _layer(pdf, dpi=300)
    assert [line.text for line in page.lines] == ["Optical recog-", "nition turns"]
    back = page.lines[0].words[-1].geometry.bounds
    assert back.iou(words[1].geometry.bounds) > 0.8


# ------------------------------------------------------- off the visible page


def _cropped_pdf(path: Path, words: list[tuple[float, float, str]]) -> Path:
    """A letter-size page shown through the CropBox (50, 400, 450, 792)."""
    text_pdf(path, words, font_size=30)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[0].CropBox = [50, 400, 450, 792]
        pdf.save(path)
    return path


def test_text_layer_leaves_out_text_outside_the_cropbox(tmp_path: Path) -> None:
    words = [(100, 600, "VISIBLE"), (500, 600, "RIGHT"), (100, 100, "BELOW"),
             (100, 800, "ABOVE"), (-60, 500, "LEFT")]  # fmt: skip
    page = _layer(_cropped_pdf(tmp_path / "crop.pdf", words))
    assert (page.width, page.height) == (400, 392)
    assert page.text.strip() == "VISIBLE"
    assert all(_inside(w.geometry.bounds, page) for w in page.words)


def test_text_layer_cuts_a_word_at_the_page_edge(tmp_path: Path) -> None:
    # "EDGEWISE" at 30 pt Helvetica runs from x=380 to about x=516: past the
    # CropBox's right side at 450, "EDGE" is on the page and "WISE" is not
    # (the second "E" cut through).
    page = _layer(_cropped_pdf(tmp_path / "edge.pdf", [(380, 600, "EDGEWISE")]))
    [word] = page.words
    assert word.text == "EDGE"
    box = word.geometry.bounds
    assert box.x1 == pytest.approx(page.width)
    assert _inside(box, page)
    assert all(_inside(s.geometry.bounds, page) for s in word.symbols)


def test_text_layer_of_a_page_whose_mediabox_misses_its_text(tmp_path: Path) -> None:
    # A MediaBox given with its corners swapped is the box (-300, -300, 0, 0):
    # the text, drawn at positive coordinates, is not on the rendered page.
    pdf = text_pdf(tmp_path / "flipped.pdf", [(72, 200, "HELLO WORLD")])
    with pikepdf.open(pdf, allow_overwriting_input=True) as doc:
        doc.pages[0].MediaBox = [0, 0, -300, -300]
        doc.save(pdf)
    # No text on the page: read_pages OCRs it (the page shows nothing).
    with PdfFile(pdf, "flipped.pdf") as doc:
        lines, geo = doc.text_lines(0, 72)
    assert (geo.width, geo.height) == (300, 300)
    assert lines == []

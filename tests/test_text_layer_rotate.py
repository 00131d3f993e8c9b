"""The text layer's reading order does not depend on how the page is stored.

A page stored with ``/Rotate`` (landscape pages usually are) is shown turned;
its text must read the same as on the upright page: lines in order, words in
order within lines, characters in order within words, columns one after the
other, whatever order PDFium lists the text objects in.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from PIL import Image

import unocr
from unocr.geometry import Box
from unocr.model import Page, Word

from .pdf_factory import standard_font, text_pdf

ROTATIONS = [0, 90, 180, 270]
THREE = [(72, 700, "First line of text"), (72, 660, "Second line here"),
         (72, 620, "Third and last")]  # fmt: skip


def glyph_pdf(
    path: Path,
    runs: list[tuple[float, float, str]],
    *,
    rotate: int = 0,
    down: bool = False,
) -> Path:
    """A page drawing every character as its own text object (Courier, 24 pt).

    Some producers position each glyph alone; PDFium then sorts single glyphs,
    not whole words. Each run starts at (x, y) points and advances right by
    the Courier width, or ``down`` by one line (upright letters stacked).
    """
    pdf = pikepdf.new()
    font = standard_font(pdf, "Courier")
    ops = []
    for x, y, text in runs:
        for i, char in enumerate(text):
            if char != " ":
                cx, cy = (x, y - 26 * i) if down else (x + 14.4 * i, y)
                ops.append(f"BT /F1 24 Tf {cx:g} {cy:g} Td ({char}) Tj ET")
    page = pdf.add_blank_page(page_size=(612, 792))
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream("\n".join(ops).encode("latin-1"))
    if rotate:
        page.Rotate = rotate
    pdf.save(path)
    return path


def rotated(path: Path, rotate: int) -> Path:
    """A copy of a one-page PDF shown with ``/Rotate rotate``."""
    out = path.with_name(f"{path.stem}_rot{rotate}.pdf")
    with pikepdf.open(path) as pdf:
        pdf.pages[0].Rotate = rotate
        pdf.save(out)
    return out


def layer_lines(pdf: Path) -> list[str]:
    page = unocr.read(pdf, text_layer=True, dpi=72)
    assert page.source.method == "text-layer"
    return [line.text for line in page.lines]


@pytest.mark.parametrize("rotate", ROTATIONS)
def test_lines_read_in_order_on_a_rotated_page(tmp_path, rotate):
    pdf = text_pdf(tmp_path / "born.pdf", THREE, rotate=rotate)
    assert layer_lines(pdf) == [t for _, _, t in THREE]


@pytest.mark.parametrize("rotate", ROTATIONS)
def test_words_of_save_pdfs_layer_read_in_order_on_a_rotated_page(tmp_path, rotate):
    # save_pdf writes every word as its own text object; one row, y 100 to 140.
    spans = [("Page", 40, 130), ("number", 150, 300), ("one", 320, 390)]
    words = [Word(text, Box(x0, 100, x1, 140)) for text, x0, x1 in spans]
    page = Page.from_words(words, width=800, height=300)
    pdf = tmp_path / "ocr.pdf"
    unocr.save_pdf([page], pdf, images=[Image.new("RGB", (800, 300), "white")])
    assert layer_lines(rotated(pdf, rotate)) == ["Page number one"]


@pytest.mark.parametrize("rotate", ROTATIONS)
def test_single_glyph_objects_read_in_order_on_a_rotated_page(tmp_path, rotate):
    runs = [(72, 700, "Hello world"), (72, 660, "Second row")]
    pdf = glyph_pdf(tmp_path / "glyphs.pdf", runs, rotate=rotate)
    assert layer_lines(pdf) == ["Hello world", "Second row"]


@pytest.mark.parametrize("rotate", ROTATIONS)
def test_stacked_upright_letters_read_down_their_column(tmp_path, rotate):
    # Upright letters one below the other read top to bottom, columns right
    # to left (as vertical CJK text), not along the letters' own baseline.
    runs = [(300, 700, "VERTICAL"), (260, 700, "SECOND")]
    pdf = glyph_pdf(tmp_path / "column.pdf", runs, rotate=rotate, down=True)
    assert layer_lines(pdf) == ["VERTICAL", "SECOND"]


LEFT = ["The left column starts", "here and goes on for", "three lines of text"]
RIGHT = ["The right column comes", "after it and also has", "three lines of text"]


def two_columns_pdf(path: Path, rotate: int) -> Path:
    """A page of two columns of three lines (:data:`LEFT`, :data:`RIGHT`)."""
    lines = [(72, 700 - 16 * i, t) for i, t in enumerate(LEFT)]
    lines += [(320, 700 - 16 * i, t) for i, t in enumerate(RIGHT)]
    return text_pdf(path, lines, font_size=12, rotate=rotate)


@pytest.mark.parametrize("rotate", ROTATIONS)
def test_two_columns_read_one_after_the_other(tmp_path, rotate):
    pdf = two_columns_pdf(tmp_path / "columns.pdf", rotate)
    assert layer_lines(pdf) == LEFT + RIGHT


@pytest.mark.parametrize("rotate", ROTATIONS)
def test_two_columns_survive_a_save_pdf_round_trip(tmp_path, rotate):
    # Read from a page stored turned, the words lie turned in the rendered
    # image; save_pdf writes them turned, short ones ("it") with their line.
    page = unocr.read(two_columns_pdf(tmp_path / "in.pdf", rotate), text_layer=True)
    out = tmp_path / "out.pdf"
    unocr.save_pdf([page], out)
    assert layer_lines(out) == LEFT + RIGHT

"""A text line PDFium splits into several lines is read as one line.

PDFium ends a line between words drawn each as its own text object where
their baselines differ a little, on a page whose text runs down (as
:func:`unocr.save_pdf` writes the words of a page shown with ``/Rotate 90``);
the text layer joins them again, whatever the page's ``/Rotate``, and keeps
lines and columns apart.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import unocr

from .pdf_factory import pdfium_text, text_pdf
from .test_text_layer_rotate import LEFT, RIGHT, two_columns_pdf

ROTATIONS = [0, 90, 180, 270]
LINES = [(72, 700, "Alpha beta gamma"), (72, 660, "Delta"), (72, 620, "Epsilon zeta")]


def _round_trip(tmp_path: Path, rotate: int) -> Path:
    """The page of a PDF shown with ``/Rotate rotate``, written by save_pdf."""
    src = text_pdf(tmp_path / "src.pdf", LINES, rotate=rotate)
    (page,) = unocr.read_pages(src, text_layer=True, dpi=100)
    out = tmp_path / "out.pdf"
    unocr.save_pdf([page], out)
    return out


def _pdfium_lines(path: Path) -> list[str]:
    return [t.strip() for t in pdfium_text(path).split("\r\n")]


@pytest.mark.parametrize("rotate", ROTATIONS)
def test_round_trip_of_a_rotated_page_keeps_its_lines(tmp_path, rotate):
    out = _round_trip(tmp_path, rotate)
    (back,) = unocr.read_pages(out, text_layer=True, dpi=100)
    assert [line.text for line in back.lines] == [t for _, _, t in LINES]
    assert [[w.text for w in line.words] for line in back.lines] == [
        t.split() for _, _, t in LINES
    ]
    page = unocr.read(out, text_layer=True, dpi=72)
    assert [line.text for line in page.lines] == [t for _, _, t in LINES]


def test_pdfium_splits_the_line_of_the_page_turned_90_degrees(tmp_path):
    # the case the joining is for: PDFium's own lines break "Epsilon zeta"
    lines = _pdfium_lines(_round_trip(tmp_path, 90))
    assert "Epsilon zeta" not in lines and {"Epsilon", "zeta"} <= set(lines)


@pytest.mark.parametrize("rotate", [0, 90, 180])
def test_two_columns_of_a_round_trip_stay_two_columns(tmp_path, rotate):
    src = two_columns_pdf(tmp_path / "columns.pdf", rotate)
    (page,) = unocr.read_pages(src, text_layer=True, dpi=100)
    assert [line.text for line in page.lines] == LEFT + RIGHT
    out = tmp_path / "out.pdf"
    unocr.save_pdf([page], out)
    (back,) = unocr.read_pages(out, text_layer=True, dpi=100)
    assert [line.text for line in back.lines] == LEFT + RIGHT

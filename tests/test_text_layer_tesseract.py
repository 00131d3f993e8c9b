"""The text layer of a searchable PDF written by Tesseract reads as Tesseract saw it.

Tesseract (``tesseract IMG out -l eng hocr pdf``) writes a paragraph's lines
as words moved to each line's start in one text object (``Td``), with no line
break PDFium would see, and stretches each word with the space after it over
the word's box. Read with ``text_layer=True``, the page has Tesseract's lines
in Tesseract's order, and word boxes within a pixel or so of the hOCR boxes
from the same run.
"""

from __future__ import annotations

import html
import os
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

import unocr
from unocr.model import Page

from .needs import needs_tesseract

pytestmark = needs_tesseract

PHOTOTEST = Path(__file__).resolve().parents[1] / "samples" / "phototest.png"
ROWS = [
    "The quick brown fox jumps over",
    "the lazy dog and runs far away",
    "into the deep green forest now",
    "where nobody will find him again",
]
_LINE = re.compile(r"class=['\"](?:ocr_line|ocr_caption|ocr_header|ocr_textfloat)['\"]")
_WORD = re.compile(
    r"<span class=['\"]ocrx_word['\"][^>]*title=['\"]bbox (\d+) (\d+) (\d+) (\d+)[^>]*>"
    r"(.*?)</span>",
    re.S,
)
_TAG = re.compile(r"<[^>]+>")

HocrWord = tuple[str, tuple[int, int, int, int]]


def _tesseract(image: Path, out: Path) -> tuple[Path, list[list[HocrWord]]]:
    """Tesseract's searchable PDF of ``image`` and its hOCR lines from the same run."""
    subprocess.run(
        ["tesseract", str(image), str(out), "-l", "eng", "hocr", "pdf"],
        check=True,
        capture_output=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    hocr = out.with_suffix(".hocr").read_text(encoding="utf-8")
    lines = []
    for chunk in _LINE.split(hocr)[1:]:
        words = [
            (
                html.unescape(_TAG.sub("", m.group(5))).strip(),
                tuple(map(int, m.groups()[:4])),
            )
            for m in _WORD.finditer(chunk)
        ]
        words = [w for w in words if w[0]]
        if words:
            lines.append(words)
    return out.with_suffix(".pdf"), lines  # type: ignore[return-value]


def _layer(pdf: Path, image: Path) -> Page:
    """The PDF's text layer read at the image's own resolution."""
    with Image.open(image) as im:
        width = im.width
    points = unocr.read(pdf, text_layer=True).source.page_size
    page = unocr.read(pdf, text_layer=True, dpi=72 * width / points[0])
    assert page.source.method == "text-layer"
    assert page.width == width
    return page


def _paragraph(path: Path) -> Path:
    """A paragraph of four close lines, scanned turned 1.2 degrees."""
    image = Image.new("L", (1400, 500), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=40)
    for i, text in enumerate(ROWS):
        draw.text((60, 60 + 48 * i), text, font=font, fill=0)
    image = image.rotate(-1.2, fillcolor=255, resample=Image.Resampling.BICUBIC)
    image.save(path, dpi=(300, 300))
    return path


def test_lines_of_a_paragraph_stay_apart(tmp_path: Path) -> None:
    # Tesseract moves each line's first word back to the line's start (Td);
    # PDFium sees no line break there.
    image = _paragraph(tmp_path / "paragraph.png")
    pdf, hocr = _tesseract(image, tmp_path / "paragraph")
    page = _layer(pdf, image)
    assert len(hocr) == len(ROWS)
    assert [[w.text for w in line.words] for line in page.lines] == [
        [text for text, _ in line] for line in hocr
    ]
    for line in page.lines:
        tops = [w.geometry.bounds.y0 for w in line.words]
        assert max(tops) - min(tops) < 20, line.text


def test_word_boxes_cover_the_words_trailing_space(tmp_path: Path) -> None:
    # Each word and the space after it are stretched over the word's box: the
    # box ends where the space does, within a pixel or so of the hOCR box.
    pdf, hocr = _tesseract(PHOTOTEST, tmp_path / "phototest")
    page = _layer(pdf, PHOTOTEST)
    expected = [word for line in hocr for word in line]
    assert [w.text for w in page.words] == [text for text, _ in expected]
    for word, (text, (x0, _, x1, _)) in zip(page.words, expected, strict=True):
        b = word.geometry.bounds
        assert abs(b.x0 - x0) <= 1.5, text
        assert abs(b.x1 - x1) <= 1.5, text
        # the word's box is its symbols' box, the symbols spread over it
        assert b.x1 == max(s.geometry.bounds.x1 for s in word.symbols)
        widths = [s.geometry.bounds.x1 - s.geometry.bounds.x0 for s in word.symbols]
        assert max(widths) - min(widths) < 0.5, text


def test_one_letter_words_are_as_wide_as_tesseract_saw_them(tmp_path: Path) -> None:
    pdf, hocr = _tesseract(PHOTOTEST, tmp_path / "phototest")
    page = _layer(pdf, PHOTOTEST)
    boxes = {text: box for line in hocr for text, box in line if len(text) == 1}
    assert boxes  # phototest has "a"
    for word in page.words:
        if word.text in boxes:
            x0, _, x1, _ = boxes[word.text]
            b = word.geometry.bounds
            assert b.x1 - b.x0 == pytest.approx(x1 - x0, abs=1.5), word.text

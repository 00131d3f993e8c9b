"""The PDF text layer reads words of either direction in a line of the other.

Each word's characters come back in logical order by the word's own
direction, the words of a line in its reading order, and each word's box
covers its own glyphs, as :func:`unocr.save_pdf` wrote them (and as
pdfminer.six, which keeps the content stream's order, reads them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

import unocr
from unocr.geometry import Box
from unocr.model import Page, Word

# Each row's words as the image shows them, left to right.
ROWS = [
    ["עולם", "ok!", "שלום"],  # a right-to-left line with a left-to-right word
    ["12", "עמוד"],  # a right-to-left line with a number
    ["see", "(שלום)", "here!"],  # a left-to-right line with a right-to-left word
    ["Hello", "(world)!"],  # left to right only
    ["עולם", "שלום"],  # right to left only
    ["עולם", "(ok)", "שלום"],  # PDFium moves a bracket into the next word
    ["a", "b", "(ג)", "ד"],  # ... and the other way round
    ["עולם", "Hi,", "you!", "שלום"],
]


def _page(rows: list[list[str]]) -> Page:
    words = [
        Word(
            text=text,
            geometry=Box(20 + 170 * i, 40 + 100 * j, 170 + 170 * i, 90 + 100 * j),
            confidence=0.9,
        )
        for j, texts in enumerate(rows)
        for i, text in enumerate(texts)
    ]
    return Page.from_words(words, width=1000, height=100 * (len(rows) + 1))


def _read_back(page: Page, path: Path) -> Page:
    unocr.save_pdf(
        [page], path, images=[Image.new("RGB", (page.width, page.height), "white")]
    )
    return next(unocr.read_pages(path, text_layer=True))


def _lines(page: Page) -> list[list[str]]:
    return [[w.text for w in line.words] for line in page.lines]


def test_words_of_both_directions_read_back_as_written(tmp_path: Path) -> None:
    page = _page(ROWS)
    assert _lines(page)[0] == ["שלום", "ok!", "עולם"]  # the logical order
    back = _read_back(page, tmp_path / "mixed.pdf")
    assert _lines(back) == _lines(page)
    for word, got in zip(page.words, back.words, strict=True):
        # the word's box is its own glyphs'; its symbols spell it
        assert word.geometry.iou(got.geometry) > 0.75, word.text
        assert "".join(s.text for s in got.symbols) == got.text
        b = got.geometry.bounds
        assert (b.x0, b.y0, b.x1, b.y1) == (
            min(s.geometry.bounds.x0 for s in got.symbols),
            min(s.geometry.bounds.y0 for s in got.symbols),
            max(s.geometry.bounds.x1 for s in got.symbols),
            max(s.geometry.bounds.y1 for s in got.symbols),
        )


@pytest.mark.parametrize(
    "row",
    [
        ["עולם", "ok!", "שלום"],
        ["א", "ok!", "ב"],
        ["עולם", "ok", "12!", "שלום"],
        ["עולם", "(ok)", "שלום"],
        ["see", "(שלום)", "here"],
        ["see", "שלום!", "here"],
        ["ok", "שלום."],
        ["עולם", "?!", "שלום"],
    ],
)
def test_each_word_keeps_its_characters(row: list[str], tmp_path: Path) -> None:
    page = _page([row])
    back = _read_back(page, tmp_path / "row.pdf")
    assert [w.text for w in back.words] == [w.text for w in page.words]
    for word, got in zip(page.words, back.words, strict=True):
        assert word.geometry.iou(got.geometry) > 0.75, word.text


def test_symbols_of_a_left_to_right_word_run_left_to_right(tmp_path: Path) -> None:
    back = _read_back(_page([["עולם", "ok!", "שלום"]]), tmp_path / "ok.pdf")
    word = back.lines[0].words[1]
    assert [s.text for s in word.symbols] == ["o", "k", "!"]
    xs = [s.geometry.bounds.x0 for s in word.symbols]
    assert xs == sorted(xs)

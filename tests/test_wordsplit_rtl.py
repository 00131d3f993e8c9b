"""Right-to-left lines split into words: unocr.model.wordsplit.split_line.

A line whose letters are mostly right to left (Hebrew, Arabic, ...) starts
at its right end: its first word gets the right end of the line's shape, in
the line's own frame (turned with the line). No engine: the shapes are
those an engine that reports lines only would give.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from unocr.backends.easyocr.convert import easyocr_to_page, line_from_entry
from unocr.geometry import Box, Quad
from unocr.model import Symbol
from unocr.model.wordsplit import line_corners, split_line

HEBREW = "שלום עולם ספר"  # 13 characters: 10 pixels each on a 130-pixel line
LINE = Quad([[0, 0], [130, 0], [130, 20], [0, 20]])
# Each word's x-extent on LINE, counted from its right end.
EXTENTS = [(90.0, 130.0), (40.0, 80.0), (0.0, 30.0)]


def _x_extents(words):
    return [
        (pytest.approx(b.x0), pytest.approx(b.x1))
        for b in (w.geometry.to_box() for w in words)
    ]


def test_a_hebrew_line_quad_gives_its_words_from_the_right():
    words = split_line(LINE, HEBREW, confidence=0.8, language="he")
    assert [w.text for w in words] == HEBREW.split()
    assert _x_extents(words) == EXTENTS
    assert all(isinstance(w.geometry, Quad) for w in words)
    assert all(w.confidence == 0.8 and w.language == "he" for w in words)
    assert all(not w.native for w in words)


def test_a_hebrew_box_line_gives_box_words_from_the_right():
    words = split_line(Box(0, 0, 130, 20), HEBREW)
    assert [w.geometry for w in words] == [Box(x0, 0, x1, 20) for x0, x1 in EXTENTS]


def test_a_sloped_hebrew_line_starts_at_its_top_right_corner():
    # Rising 10 pixels over 130: the first word ends at the top-right corner
    # and keeps the slope.
    quad = Quad([[0, 10], [130, 0], [130, 20], [0, 30]])
    first = split_line(quad, HEBREW)[0].geometry.points
    np.testing.assert_allclose(first[1], [130.0, 0.0])
    np.testing.assert_allclose(first[0], [90.0, 10 - 90 / 13])


def test_an_engines_line_is_split_from_the_right():
    # EasyOCR reports lines only: every converter splits through split_line.
    entry = ([[0, 0], [130, 0], [130, 20], [0, 20]], HEBREW, 0.9)
    line = line_from_entry(entry)
    assert line is not None
    assert _x_extents(line.words) == EXTENTS
    page = easyocr_to_page([entry], width=200, height=40)
    assert [w.text for w in page.words] == HEBREW.split()
    assert _x_extents(page.words) == EXTENTS


def _same_shape(a, b):
    return a.to_shapely().symmetric_difference(b.to_shapely()).area < 1e-6


@pytest.mark.parametrize("angle", [0.0, 20.0, 90.0, 180.0, 270.0, -30.0])
def test_a_turned_hebrew_line_keeps_its_words_in_the_lines_frame(angle):
    # The whole line turned clockwise by ``angle`` (the page's x-axis along
    # ``angle``): each word is the upright line's word, turned with it.
    turned = LINE.rotate(angle, origin=(300, 300))
    words = split_line(turned, HEBREW, angle=angle)
    assert [w.text for w in words] == HEBREW.split()
    for got, (x0, x1) in zip(words, EXTENTS, strict=True):
        want = Box(x0, 0, x1, 20).to_quad().rotate(angle, origin=(300, 300))
        assert _same_shape(got.geometry, want)


@pytest.mark.parametrize("angle", [20.0, 90.0])
def test_a_turned_hebrew_line_without_angle_reads_from_its_end(angle):
    # Without an angle the line's frame reads along its long side, left to
    # right or top to bottom (a page turned 90 degrees clockwise): a Hebrew
    # line starts at the other end, its right end on the upright page.
    turned = LINE.rotate(angle, origin=(300, 300))
    words = split_line(turned, HEBREW)
    for got, (x0, x1) in zip(words, EXTENTS, strict=True):
        want = Box(x0, 0, x1, 20).to_quad().rotate(angle, origin=(300, 300))
        assert _same_shape(got.geometry, want)
    start_top, end_top = line_corners(turned, HEBREW)[:2]
    first, last = (w.geometry.points.mean(0) for w in (words[0], words[-1]))
    assert float((last - first) @ (end_top - start_top)) > 0


@pytest.mark.parametrize(
    ("text", "from_the_right"),
    [
        ("מחיר 12.50 שקל", True),  # a number does not vote
        ("مرحبا Python يا عالم", True),  # 11 Arabic letters against 6 Latin
        ("hello שלום world", False),  # 10 Latin letters against 4 Hebrew
        ("12.50 3", False),  # no letters: left to right
    ],
)
def test_a_mixed_line_follows_its_majority(text, from_the_right):
    width = 10.0 * len(text)
    words = split_line(Box(0, 0, width, 20), text)
    assert [w.text for w in words] == text.split()
    boxes = [w.geometry.to_box() for w in words]
    if from_the_right:
        assert boxes[0].x1 == pytest.approx(width)
        assert all(b.x1 <= a.x0 for a, b in itertools.pairwise(boxes))
    else:
        assert boxes[0].x0 == pytest.approx(0)
        assert all(a.x1 <= b.x0 for a, b in itertools.pairwise(boxes))


def test_character_boxes_of_a_hebrew_line_place_its_words():
    # The engine located each character (right to left): the words lie
    # where their characters are, not reversed a second time.
    symbols = [
        None if ch == " " else Symbol(text=ch, geometry=Box(120 - x, 0, 130 - x, 20))
        for ch, x in zip(HEBREW, range(0, 130, 10), strict=True)
    ]
    words = split_line(Box(0, 0, 130, 20), HEBREW, symbols=symbols)
    assert _x_extents(words) == EXTENTS
    assert ["".join(s.text for s in w.symbols) for w in words] == HEBREW.split()

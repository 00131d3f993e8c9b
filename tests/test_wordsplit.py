"""Words along their line: unocr.model.wordsplit.split_line and native_line."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from unocr.geometry import Box, Quad
from unocr.model import Symbol, Word
from unocr.model.wordsplit import line_corners, native_line, split_line

from .strategies import convex_quads, rotated_boxes

TEXTS = st.lists(
    st.text(alphabet="abcXYZ019.", min_size=1, max_size=6), min_size=1, max_size=6
).map(" ".join)


def _along(words, corners):
    """Each word's centre projected on the line's reading axis (0 = start)."""
    a, b = corners[0], corners[1]
    axis = b - a
    return [float((w.geometry.to_quad().points.mean(0) - a) @ axis) for w in words]


def test_split_follows_a_sloped_line():
    # A line rising 10 px over 100 px: word quads keep the slope.
    quad = Quad([[0, 10], [100, 0], [100, 20], [0, 30]])
    words = split_line(quad, "aaaa bbbbb", confidence=0.5)
    assert [w.text for w in words] == ["aaaa", "bbbbb"]
    second = words[1].geometry.points
    np.testing.assert_allclose(second[0], [50.0, 5.0])
    np.testing.assert_allclose(second[1], [100.0, 0.0])
    np.testing.assert_allclose(second[3], [50.0, 25.0])
    assert all(w.confidence == 0.5 and not w.native for w in words)


def test_a_box_line_gives_box_words():
    words = split_line(Box(0, 0, 100, 10), "ab cd")
    assert [w.geometry for w in words] == [Box(0, 0, 40, 10), Box(60, 0, 100, 10)]


@pytest.mark.parametrize(
    ("angle", "first_end"),
    [(90.0, "top"), (-90.0, "bottom")],
)
def test_vertical_line_is_cut_across_its_length(angle, first_end):
    # A page turned by 90 degrees: the line is a tall column. Words are cut
    # along its height, never across its width.
    column = Box(100, 0, 120, 200)
    words = split_line(column, "MEDIA SHEET", angle=angle)
    boxes = [w.geometry.to_box() for w in words]
    for b in boxes:
        assert b.x0 == pytest.approx(100) and b.x1 == pytest.approx(120)
    media, sheet = boxes
    if first_end == "top":
        assert media.y1 <= sheet.y0 and media.y0 == pytest.approx(0)
    else:
        assert sheet.y1 <= media.y0 and media.y1 == pytest.approx(200)


def test_tall_line_without_angle_reads_top_to_bottom():
    words = split_line(Box(0, 0, 10, 100), "GO BEYOND")
    go, beyond = (w.geometry.to_box() for w in words)
    assert go.x0 == 0 and go.x1 == 10 and go.y1 <= beyond.y0


def test_character_boxes_place_the_words_and_set_the_direction():
    # A vertical line reading bottom to top: characters placed by the engine.
    text = "GO UP"
    ys = {"G": 90, "O": 80, "U": 40, "P": 30}
    symbols = [
        None
        if ch == " "
        else Symbol(text=ch, geometry=Box(0, ys[ch], 10, ys[ch] + 10), confidence=0.8)
        for ch in text
    ]
    words = split_line(Box(0, 0, 10, 100), text, symbols=symbols)
    go, up = (w.geometry.to_box() for w in words)
    assert go.y0 == pytest.approx(80) and go.y1 == pytest.approx(100)
    assert up.y0 == pytest.approx(30) and up.y1 == pytest.approx(50)
    assert [s.text for s in words[0].symbols] == ["G", "O"]
    assert words[0].confidence == pytest.approx(0.8)


def test_symbols_of_the_wrong_length_are_ignored():
    words = split_line(Box(0, 0, 100, 10), "ab cd", symbols=[None, None])
    assert [w.symbols for w in words] == [(), ()]


@pytest.mark.parametrize("text", ["", "   "])
def test_blank_text_gives_no_words(text):
    assert split_line(Box(0, 0, 10, 10), text) == ()


def test_degenerate_line_still_gives_words():
    flat = Quad([[5, 5], [5, 5], [5, 5], [5, 5]])
    words = split_line(flat, "a b")
    assert [w.text for w in words] == ["a", "b"]
    assert all(w.geometry.area == 0 for w in words)


@given(rect=rotated_boxes(), text=TEXTS, angle=st.floats(-180, 180))
def test_words_lie_inside_their_line_and_follow_it(rect, text, angle):
    """Law: at any angle every word lies inside the line's quad and the words'
    centres advance along the reading direction in text order."""
    line = rect.to_quad()
    words = split_line(line, text, angle=angle)
    assert [w.text for w in words] == text.split()
    hull = line.to_shapely().buffer(1e-6 * (1 + line.to_box().width))
    for w in words:
        assert hull.contains(w.geometry.to_shapely())
    pos = _along(words, line_corners(line, text, angle=angle))
    assert all(a <= b + 1e-6 for a, b in itertools.pairwise(pos))


@given(quad=convex_quads(), text=TEXTS)
def test_words_of_a_convex_quad_stay_inside(quad, text):
    """Law: a convex line shape contains every word cut from it."""
    hull = quad.to_shapely().buffer(1e-6 * (1 + quad.to_box().width))
    assert all(hull.contains(w.geometry.to_shapely()) for w in split_line(quad, text))


@given(
    text=TEXTS,
    xs=st.lists(st.floats(-20, 120, allow_subnormal=False), min_size=60, max_size=60),
)
def test_misplaced_character_boxes_still_give_words_in_order(text, xs):
    """Law: whatever boxes the engine gives its characters, the words stay
    inside the line, each running forwards and after the previous one."""
    symbols = [
        None if ch == " " else Symbol(text=ch, geometry=Box(x, 0, x + 5, 10))
        for ch, x in zip(text, xs, strict=False)
    ]
    line = Box(0, 0, 100, 10)
    words = split_line(
        line, text, symbols=symbols + [None] * (len(text) - len(symbols))
    )
    boxes = [w.geometry.to_box() for w in words]
    assert all(0 <= b.x0 <= b.x1 <= 100 for b in boxes)
    # The characters may say the line reads right to left: then the words
    # follow each other leftwards.
    forwards = all(a.x1 <= b.x0 + 1e-9 for a, b in itertools.pairwise(boxes))
    backwards = all(b.x1 <= a.x0 + 1e-9 for a, b in itertools.pairwise(boxes))
    assert forwards or backwards


def test_native_line_keeps_the_engines_words_or_cuts_its_own():
    quad = Quad([[0, 10], [100, 0], [100, 20], [0, 30]])
    cut = native_line(quad, " aaaa bbbbb ", 0.7)
    assert (cut.text, cut.geometry, cut.confidence, cut.native) == (
        "aaaa bbbbb",
        quad,
        0.7,
        True,
    )
    assert cut.words == split_line(quad, " aaaa bbbbb ", confidence=0.7)
    own = [Word(text="aaaa bbbbb", geometry=Box(0, 0, 100, 30), native=True)]
    given_words = native_line(quad, "aaaa bbbbb", None, own)
    assert given_words.words == tuple(own) and given_words.confidence is None

"""Reading order of right-to-left scripts (unocr.model.layout), no engine.

A line whose letters are mostly right-to-left (Hebrew, Arabic, ...) is read
from its right end; a page whose lines are mostly right-to-left reads the
lines of a row and its columns from the right. Geometry only: words and
lines are built here with the positions an engine would report.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from unocr.geometry import Box
from unocr.model import Line, Page, Word
from unocr.model.layout import group_lines, group_words, text_angle
from unocr.model.wordsplit import split_line

from .layout_pages import row_of_words

HEBREW = "אבגדהוזחטיכלמנסעפצקרשת"
CHAR = 10  # pixels a letter
HEIGHT = 20  # pixels a line
SPACE = 10  # pixels between words


def hebrew(i: int, letters: int = 4) -> str:
    """A Hebrew word of its own for each ``i``."""
    out = ""
    for _ in range(letters):
        i, k = divmod(i, len(HEBREW))
        out += HEBREW[k]
    return out


def rtl_words(texts, right, top):
    """Words laid out from ``right`` leftwards: the first word is the rightmost."""
    return row_of_words(
        texts, right, top, height=HEIGHT, char=CHAR, space=SPACE, leftwards=True
    )


def ltr_words(texts, left, top):
    """Words laid out from ``left`` rightwards."""
    return row_of_words(texts, left, top, height=HEIGHT, char=CHAR, space=SPACE)


def as_quads(elements):
    return [el.replace(geometry=el.geometry.to_quad()) for el in elements]


def turned(words, angle, cx=600.0, cy=600.0):
    """The same words rotated clockwise on screen by ``angle`` degrees."""
    return [
        w.replace(geometry=w.geometry.to_quad().rotate(angle, origin=(cx, cy)))
        for w in words
    ]


def hebrew_page():
    """A title over two right-aligned Hebrew columns (ragged left), a footer.

    Returns:
        The words of each line, in reading order (the title, the right
        column, the left column, the footer).
    """
    n = 0

    def texts(count):
        nonlocal n
        n += count
        return [hebrew(k) for k in range(n - count, n)]

    lines = [rtl_words(texts(12), 1100, 40)]
    for right in (1100, 560):  # the right column first
        for i in range(10):
            lines.append(rtl_words(texts(5 + (i * 2) % 3), right, 100 + 28 * i))
    lines.append(rtl_words(texts(14), 1100, 420))
    return lines


def texts_of(lines):
    return [" ".join(w.text for w in ln) for ln in lines]


def shuffled(items, seed=7):
    out = list(items)
    random.Random(seed).shuffle(out)
    return out


def lines_of(word_lines):
    return [Line.from_words(ws) for ws in word_lines]


def test_hebrew_words_are_read_from_the_right():
    # Two lines of three Hebrew words each, the first word the rightmost.
    expected = [["שלום", "עולם", "ספר"], ["מים", "אור", "לחם"]]
    words = [w for i, t in enumerate(expected) for w in rtl_words(t, 500, 50 + 30 * i)]
    lines = group_words(shuffled(words))
    assert [[w.text for w in ln.words] for ln in lines] == expected
    page = Page.from_words(shuffled(words), width=600, height=200)
    assert page.text == "שלום עולם ספר\nמים אור לחם"


@pytest.mark.parametrize("quads", [False, True])
def test_two_hebrew_columns_are_read_right_column_first(quads):
    word_lines = hebrew_page()
    words = [w for ln in word_lines for w in ln]
    if quads:
        words = as_quads(words)
    page = Page.from_words(shuffled(words), width=1200, height=500)
    assert [ln.text for ln in page.lines] == texts_of(word_lines)
    lines = lines_of(word_lines)
    if quads:
        lines = as_quads(lines)
    page = Page.from_lines(shuffled(lines), width=1200, height=500)
    assert [ln.text for ln in page.lines] == texts_of(word_lines)
    assert len(page.blocks) == 4  # title, two columns, footer


def test_the_lines_of_a_row_are_read_from_the_right():
    # A Hebrew receipt: each label on the right, its amount on the left.
    rows = [("לחם", "12.50"), ("חלב מלא", "6.90"), ("סהכ", "19.40")]
    lines = []
    for i, (label, amount) in enumerate(rows):
        lines += lines_of(
            [
                rtl_words(label.split(), 700, 50 + 30 * i),
                rtl_words([amount], 150, 50 + 30 * i),
            ]
        )
    page = Page.from_lines(shuffled(lines), width=800, height=200)
    assert [ln.text for ln in page.lines] == [t for row in rows for t in row]


def test_mixed_lines_follow_their_majority():
    # A number and an English word in right-to-left lines, a Hebrew word in
    # an English line: each line is read the way most of its letters go.
    rtl = [["מחיר", "12.50", "שקל"], ["مرحبا", "Python", "يا", "عالم"]]
    ltr = [["hello", "שלום", "world"]]
    words = [
        *rtl_words(rtl[0], 600, 40),
        *rtl_words(rtl[1], 600, 70),
        *ltr_words(ltr[0], 420, 100),
    ]
    page = Page.from_words(shuffled(words), width=700, height=200)
    assert [ln.text for ln in page.lines] == [" ".join(t) for t in rtl + ltr]


def test_a_hebrew_line_in_an_english_page_keeps_the_columns_left_to_right():
    english = [
        [f"w{c}{i}{k}" for k in range(8)] for c in range(2) for i in range(8)
    ]  # left column then right column
    word_lines = [
        ltr_words(t, 100 + 520 * (i // 8), 100 + 28 * (i % 8))
        for i, t in enumerate(english)
    ]
    word_lines[3] = rtl_words([hebrew(k) for k in range(8)], 490, 100 + 28 * 3)
    words = [w for ln in word_lines for w in ln]
    page = Page.from_words(shuffled(words), width=1200, height=400)
    assert [ln.text for ln in page.lines] == texts_of(word_lines)


@pytest.mark.parametrize("angle", [90.0, 180.0, 270.0, -3.0])
def test_turned_hebrew_pages_keep_their_order(angle):
    word_lines = hebrew_page()
    words = turned([w for ln in word_lines for w in ln], angle)
    page = Page.from_words(shuffled(words), width=1200, height=1200)
    assert [ln.text for ln in page.lines] == texts_of(word_lines)
    lines = [Line.from_words(turned(ws, angle)) for ws in word_lines]
    page = Page.from_lines(shuffled(lines), width=1200, height=1200)
    assert [ln.text for ln in page.lines] == texts_of(word_lines)


@pytest.mark.parametrize("angle", [0.0, 90.0, 180.0, -90.0])
def test_text_angle_of_turned_hebrew_prose(angle):
    lines = [Line.from_words(turned(ws, angle)) for ws in hebrew_page()]
    found = text_angle(lines)
    assert (found - angle + 180) % 360 - 180 == pytest.approx(0, abs=0.5)


@pytest.mark.parametrize("angle", [0.0, 90.0, 180.0, 270.0])
@pytest.mark.parametrize("boxes", [False, True])
def test_split_words_of_a_hebrew_line_start_at_its_right_end(angle, boxes):
    # An engine that reports lines only: their words are cut from the line,
    # a right-to-left line's from its right end in the page's frame (the
    # frame is given here: the words alone are tested).
    page_lines = []
    for ws in hebrew_page():
        line = Line.from_words(turned(ws, angle))
        if boxes:
            line = line.replace(geometry=line.geometry.to_box())
        page_lines.append(line.replace(words=split_line(line.geometry, line.text)))
    blocks = group_lines(shuffled(page_lines), angle=angle)
    t = np.radians(angle)
    d = np.array([np.cos(t), np.sin(t)])  # the page's left to right
    for ln in (ln for b in blocks for ln in b.lines):
        first, second = (w.geometry.to_quad().points.mean(0) for w in ln.words[:2])
        assert (second - first) @ d < 0, ln.text
        assert " ".join(w.text for w in ln.words) == ln.text
        extent = [w.geometry.to_quad().points @ d for w in ln.words]
        assert [e.max() - e.min() for e in extent] == pytest.approx(
            [e.max() - e.min() for e in extent[:1]] * len(extent), rel=0.2
        )  # four letters each, whichever end they were cut from


@st.composite
def ltr_pages(draw):
    """Rows of words (boxes), one or two lines a row, far enough apart."""
    words, n = [], 0
    for r in range(draw(st.integers(1, 6))):
        x = draw(st.integers(0, 300))
        for _ in range(draw(st.integers(1, 2))):
            for _ in range(draw(st.integers(1, 6))):
                w = draw(st.integers(3, 8)) * CHAR  # longer than high
                top = 40 * r
                words.append((n, Box(x, top, x + w, top + HEIGHT)))
                n += 1
                x += w + draw(st.integers(5, 15))
            x += draw(st.integers(80, 400))
    return words


@given(page=ltr_pages(), seed=st.integers(0, 2**16))
def test_a_mirrored_right_to_left_page_reads_like_the_page(page, seed):
    """Law: mirroring a left-to-right page and writing it in Hebrew keeps the
    reading order of its words and lines (its words read from the right)."""
    width = 2000
    ltr = [Word(text=f"w{i}", geometry=b) for i, b in page]
    rtl = [
        Word(text=hebrew(i), geometry=Box(width - b.x1, b.y0, width - b.x0, b.y1))
        for i, b in page
    ]
    ids = {**{f"w{i}": i for i, _ in page}, **{hebrew(i): i for i, _ in page}}

    def read(words):
        p = Page.from_words(shuffled(words, seed), width=width, height=400)
        return [[ids[w.text] for w in ln.words] for ln in p.lines]

    assert read(rtl) == read(ltr)
    blocks = group_lines(group_words(rtl))
    assert [[ids[w.text] for ln in b.lines for w in ln.words] for b in blocks] == [
        [ids[w.text] for ln in b.lines for w in ln.words]
        for b in group_lines(group_words(ltr))
    ]

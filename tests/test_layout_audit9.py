"""Reading order: a title over some of the columns, glyph-sized words, equal boxes."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from unocr.geometry import Box
from unocr.model import Line, Page, Word
from unocr.model.layout import text_angle

from .layout_pages import row_of_words
from .processes import run_python

HEIGHT = 20  # a line's height, pixels
WIDTH = 25 * HEIGHT  # a column's width
GUTTER = 5 * HEIGHT  # the white between two columns
LINES = 8  # lines in a column


def column(name: str, left: float, top: float) -> list[Line]:
    """A prose column of ``LINES`` full lines, top to bottom."""
    return [
        Line(
            text=f"{name}{k} " + "words of a line of prose " * 2,
            geometry=Box(left, top + k * HEIGHT, left + WIDTH, top + (k + 1) * HEIGHT),
            confidence=0.9,
        )
        for k in range(LINES)
    ]


def title_over(first: int, last: int, below: float) -> tuple[list[Line], list[str]]:
    """Three columns, a title over columns ``first`` to ``last``, and the order.

    The title's columns start ``below`` line heights under it, the others
    at its top. The page reads the columns left of the title, the title,
    the columns under it, then those right of it.
    """
    lefts = [100 + k * (WIDTH + GUTTER) for k in range(3)]
    x0, x1 = lefts[first], lefts[last] + WIDTH
    title = Line(
        text="A title over the columns below it",
        geometry=Box(x0, 100, x1, 100 + 2 * HEIGHT),
        confidence=0.9,
    )
    under = 100 + (2 + below) * HEIGHT
    columns = [
        column("abc"[k], lefts[k], under if first <= k <= last else 100)
        for k in range(3)
    ]
    before = [ln.text for k in range(first) for ln in columns[k]]
    after = [ln.text for k in range(first, 3) for ln in columns[k]]
    lines = [title] + [ln for col in columns for ln in col]
    return lines, [*before, title.text, *after]


@pytest.mark.parametrize(
    ("first", "last", "below"),
    [(0, 1, 2.0), (1, 2, 2.0), (0, 1, 0.5), (1, 2, 0.5), (0, 2, 0.5)],
)
def test_prose_columns_read_column_by_column_under_a_title_over_some(
    first, last, below
):
    lines, truth = title_over(first, last, below)
    for given in (lines, lines[::-1]):
        page = Page.from_lines(given, width=2000, height=1000)
        assert [ln.text for ln in page.lines] == truth


# --------------------------------------------- words of one character each


def glyph_rows(rows: int, cols: int) -> list[list[Word]]:
    """Rows of one-character words (boxes 10x22 px, taller than wide)."""
    return [
        row_of_words(
            [str((r * cols + c) % 10) for c in range(cols)],
            100,
            100 + 40 * r,
            height=22,
            space=30,
        )
        for r in range(rows)
    ]


@pytest.mark.parametrize(("rows", "cols"), [(1, 6), (4, 6), (5, 5), (3, 2)])
def test_words_of_one_character_read_left_to_right(rows, cols):
    grid = glyph_rows(rows, cols)
    words = [w for row in grid for w in row]
    truth = "\n".join(" ".join(w.text for w in row) for row in grid)
    assert text_angle(words) == 0.0
    for given in (words, words[::-1]):
        page = Page.from_words(given, width=1000, height=1000)
        assert "\n".join(ln.text for ln in page.lines) == truth


def test_lines_of_one_character_read_top_down():
    lines = [
        Line(text=str(k), geometry=Box(100, 100 + 40 * k, 110, 122 + 40 * k))
        for k in range(6)
    ]
    assert text_angle(lines) == 0.0
    page = Page.from_lines(lines[::-1], width=1000, height=1000)
    assert [ln.text for ln in page.lines] == [str(k) for k in range(6)]


# --------------------------------------------- the same geometry, any order


@pytest.mark.parametrize(
    ("element", "build", "width"),
    [(Word, Page.from_words, 60), (Line, Page.from_lines, 300)],
    ids=["words", "lines"],
)
def test_elements_of_the_same_box_read_the_same_in_any_order(element, build, width):
    same = [element(text=t, geometry=Box(10, 10, width, 30)) for t in ("b", "a", "c")]
    texts = {
        build(order, width=400, height=100).text
        for order in (same, same[::-1], same[1:] + same[:1])
    }
    assert len(texts) == 1


# --------------------------------------------- box words of a skewed scan


def skewed_paragraph(angle: float) -> tuple[list[Word], str]:
    """Box words of a paragraph turned by ``angle`` degrees, and its text.

    Four long lines of 30 words (each word a box 50x20 px before the turn,
    words 10 px apart, lines 30 px apart): each word's box is the bounding
    box of its turned rectangle, as an engine without angles reports it.
    """
    t = math.radians(angle)
    cos, sin = math.cos(t), math.sin(t)
    words, rows = [], []
    for r in range(4):
        row = [f"w{r}x{c:02d}" for c in range(30)]
        rows.append(" ".join(row))
        for c, text in enumerate(row):
            x0, y0 = 100 + 60 * c, 600 + 30 * r
            xs, ys = [], []
            for x, y in ((x0, y0), (x0 + 50, y0), (x0 + 50, y0 + 20), (x0, y0 + 20)):
                xs.append(1000 + (x - 1000) * cos - (y - 650) * sin)
                ys.append(650 + (x - 1000) * sin + (y - 650) * cos)
            words.append(
                Word(text=text, geometry=Box(min(xs), min(ys), max(xs), max(ys)))
            )
    return words, "\n".join(rows)


@pytest.mark.parametrize("angle", [-15.0, -9.0, -6.0, 7.0, 12.0, 15.0])
def test_box_words_of_a_skewed_scan_read_line_by_line(angle):
    words, truth = skewed_paragraph(angle)
    for given in (words, words[::-1]):
        page = Page.from_words(given, width=2000, height=1400)
        assert page.text == truth
        assert text_angle(page.lines) == pytest.approx(angle, abs=0.5)


# ------------------------------------ the skew search's cost stays bounded

# In a child whose address space is capped a little above what it uses after
# its imports: box words scattered far apart for their height (1 px high, a
# million px apart) once made the projection profile count 10^9 bins (7.7 GB).
_FAR_APART = """
from unocr.geometry import Box
from unocr.model import Page, Word
cap_memory(256)
words = [Word(f"a{i}", Box(10 * i, 0, 10 * i + 5, 1)) for i in range(3)]
words += [Word("b", Box(0, 1e6, 5, 1e6 + 1)), Word("c", Box(1e6, 5e5, 1e6 + 5, 5e5 + 1))]
page = Page.from_words(words, width=2_000_000, height=2_000_000)
print(sorted(w.text for w in page.words))
"""


def test_box_words_far_apart_for_their_height_are_grouped_in_bounded_memory():
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc/self/status (Linux) to cap the child's memory")
    out = run_python(_FAR_APART)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "['a0', 'a1', 'a2', 'b', 'c']"

"""Left-to-right runs inside right-to-left lines, and the direction of a page.

A bidi renderer (UAX #9) shows a run of left-to-right words inside a Hebrew
or Arabic line left to right: the words are read from the line's right end,
but "New York" keeps "New" on the left. Numbers alone between right-to-left
words keep their place; digits after a left-to-right word join its run. The
reading order (:mod:`unocr.model.layout`) turns the image's order into the
logical text, and the splitter (:func:`unocr.model.wordsplit.split_line`)
puts each word of the logical text where the renderer shows it. A page's
direction is that of most of its letters, so a small English table does not
turn a Hebrew page's columns around. No engine: the boxes are those an
engine would report.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unocr._direction import is_rtl
from unocr.geometry import Box
from unocr.model import Line, Page, Symbol, Word
from unocr.model.layout import group_lines
from unocr.model.wordsplit import split_line

from .layout_pages import row_of_words

CHAR = 10  # pixels a character
SPACE = 10  # pixels between words (one space character)
HEIGHT = 14  # a sign of one character is not taller than wide

# (the words as the image shows them, left to right, space-separated; the logical
# text)
CASES = {
    "hebrew_new_york": ("שנתיים New York ב גרתי", "גרתי ב New York שנתיים"),
    "arabic_los_angeles": (
        "الماضي الأسبوع Los Angeles إلى ذهبت",
        "ذهبت إلى Los Angeles الأسبوع الماضي",
    ),
    "number_between_hebrew_words": ("שקל 12.50 מחיר", "מחיר 12.50 שקל"),
    "number_and_an_english_name": (
        "New York לעיר עברתי 2024 ב",
        "ב 2024 עברתי לעיר New York",
    ),
    "number_inside_a_run": ("אתמול Windows 11 התקנתי", "התקנתי Windows 11 אתמול"),
    "number_between_english_words": (
        "במחשב Windows 11 Pro התקנתי",
        "התקנתי Windows 11 Pro במחשב",
    ),
    "punctuation_between_english_words": (
        "היום Tom & Jerry את ראיתי",
        "ראיתי את Tom & Jerry היום",
    ),
    "phone_number": ("4567 123 03 טלפון", "טלפון 03 123 4567"),
    "arabic_diacritics_and_tatweel": ("ـــــ الرَّحْمٰنِ اللّٰهِ بِسْمِ", "بِسْمِ اللّٰهِ الرَّحْمٰنِ ـــــ"),
}


def shown(visual, left=0.0, top=0.0):
    """Words at the places a renderer shows them, listed left to right.

    ``visual`` is a case's words as shown, left to right, space-separated.
    """
    return row_of_words(
        visual.split(), left, top, height=HEIGHT, char=CHAR, space=SPACE
    )


def shuffled(items, seed=3):
    out = list(items)
    random.Random(seed).shuffle(out)
    return out


@pytest.mark.parametrize("case", CASES)
def test_a_line_is_read_in_its_logical_order(case):
    visual, logical = CASES[case]
    page = Page.from_words(shuffled(shown(visual, 40, 60)), width=800, height=200)
    assert page.text.strip() == logical
    assert [w.text for w in page.words] == logical.split()


@pytest.mark.parametrize("angle", [90.0, 4.0])
@pytest.mark.parametrize("case", ["hebrew_new_york", "number_inside_a_run"])
def test_a_turned_line_is_read_in_its_logical_order(case, angle):
    visual, logical = CASES[case]
    words = [
        w.replace(geometry=w.geometry.to_quad().rotate(angle, origin=(400, 400)))
        for w in shown(visual, 200, 300)
    ]
    page = Page.from_words(shuffled(words), width=800, height=800)
    assert page.text.strip() == logical


@pytest.mark.parametrize("case", CASES)
def test_split_line_puts_each_word_where_it_is_shown(case):
    visual, logical = CASES[case]
    width = CHAR * len(logical)
    where = {w.text: w.geometry for w in shown(visual)}
    assert len(where) == len(visual.split())  # each word once: its box is unique
    words = split_line(Box(0, 0, width, HEIGHT), logical)
    assert [w.text for w in words] == logical.split()  # logical order kept
    for w in words:
        b, want = w.geometry.to_box(), where[w.text]
        assert (b.x0, b.x1) == (pytest.approx(want.x0), pytest.approx(want.x1)), w.text


def test_character_boxes_of_a_run_place_its_words():
    # The engine located every character where the renderer shows it.
    visual, logical = CASES["hebrew_new_york"]
    where = {w.text: w.geometry.to_box() for w in shown(visual)}
    symbols: list[Symbol | None] = []
    for word in logical.split(" "):
        b = where[word]
        xs = [b.x0 + CHAR * i for i in range(len(word))]
        if is_rtl(word):
            xs.reverse()
        symbols += [
            Symbol(text=ch, geometry=Box(x, 0, x + CHAR, HEIGHT))
            for ch, x in zip(word, xs, strict=True)
        ]
        symbols.append(None)  # the space
    line = Box(0, 0, CHAR * len(logical), HEIGHT)
    words = split_line(line, logical, symbols=symbols[:-1])
    assert [w.text for w in words] == logical.split()
    for w in words:
        b, want = w.geometry.to_box(), where[w.text]
        assert (b.x0, b.x1) == (pytest.approx(want.x0), pytest.approx(want.x1)), w.text


def test_a_split_line_is_read_back_in_its_logical_order():
    # An engine that reports lines only: the words cut from its lines are
    # read back in the line's order.
    _, logical = CASES["hebrew_new_york"]
    line = Box(100, 50, 100 + CHAR * len(logical), 50 + HEIGHT)
    split = split_line(line, logical)
    page = Page.from_words(shuffled(split), width=600, height=200)
    assert page.text.strip() == logical
    page = Page.from_lines(
        [Line(text=logical, geometry=line, words=split)], width=600, height=200
    )
    assert [w.text for w in page.words] == logical.split()


HEBREW = ["שלום", "עולם", "ספר", "גרתי", "שנתיים", "מים"]
LATIN = ["New", "York", "Tom", "Jerry", "Pro"]
NUMBERS = ["11", "2024", "12.50", "03"]
NEUTRAL = ["-", "&", ":"]


@st.composite
def mixed_lines(draw, numbers=True):
    """A right-to-left line's logical text: Hebrew, Latin, numbers, signs."""
    pools = [HEBREW, LATIN, NEUTRAL] + ([NUMBERS] if numbers else [])
    words = draw(
        st.lists(
            st.sampled_from(pools).flatmap(st.sampled_from), min_size=1, max_size=9
        )
    )
    text = " ".join(words)
    if not is_rtl(text):
        text = f"{text} {'שנתיים' * 4}"
    return text


def _placed(text):
    """Each word of ``text`` cut from a line, with its x-extent."""
    words = split_line(Box(0, 0, CHAR * len(text), HEIGHT), text)
    return [(w.text, round(w.geometry.x0, 6), round(w.geometry.x1, 6)) for w in words]


def _read(placed):
    words = [
        Word(text=t, geometry=Box(x0, 50, x1, 50 + HEIGHT)) for t, x0, x1 in placed
    ]
    return Page.from_words(shuffled(words), width=4000, height=200).text.strip()


@given(text=mixed_lines(numbers=False))
def test_law_cutting_a_line_and_reading_it_back_gives_its_text(text):
    """Law: the words split_line shows, read back, give the logical text;
    two English words in a row are shown left to right."""
    placed = _placed(text)
    assert _read(placed) == text
    for (a, _, a1), (b, b0, _) in itertools.pairwise(placed):
        if a in LATIN and b in LATIN:
            assert a1 < b0, (a, b)


@given(text=mixed_lines())
def test_law_a_line_read_back_is_cut_in_the_same_places(text):
    """Law: a line read back from the image is shown as the image shows it.

    A number just before a left-to-right word looks the same on the image
    whether it came before or after that word; either reading of it is cut
    into the same places.
    """
    placed = _placed(text)
    assert Counter(_placed(_read(placed))) == Counter(placed)


def _line(visual, x, y, rtl, cw=9, gap=7, h=20):
    words = []
    for t in visual:
        words.append(Word(text=t, geometry=Box(x, y, x + cw * len(t), y + h)))
        x += cw * len(t) + gap
    return Line.from_words(words[::-1] if rtl else words)


@pytest.mark.parametrize("rows", [5, 6, 9])
def test_an_english_table_keeps_a_hebrew_page_right_column_first(rows):
    # Two Hebrew columns of 8 lines over an English table of three columns:
    # more table cells than Hebrew lines, far fewer letters.
    hebrew = ["שורה", "של", "טקסט", "עברי", "בטור", "הזה", "ועוד", "מילים"]
    tagged = []
    for col, x in (("R", 700), ("L", 150)):
        for i in range(8):
            tagged.append((f"{col}{i}", _line(hebrew[::-1], x, 100 + 30 * i, True)))
    for r in range(rows):
        for c, x in enumerate((150, 500, 850)):
            cell = _line([f"cell{r}{c}", "value"], x, 400 + 30 * r, False)
            tagged.append((f"T{r}{c}", cell))
    tag = {id(ln): t for t, ln in tagged}
    blocks = group_lines(shuffled([ln for _, ln in tagged]))
    order = [tag[id(ln)] for b in blocks for ln in b.lines]
    assert order[:16] == [f"R{i}" for i in range(8)] + [f"L{i}" for i in range(8)]
    # the table below is read row by row, its cells from the right
    assert order[16:19] == ["T02", "T01", "T00"]


@given(st.text(alphabet="abc שלום مرحبا 123.,-Привет", max_size=30))
def test_is_rtl_of_one_text_is_the_balance_of_many(text):
    """The per-element check the writers use agrees with the page-wide vote."""
    from unocr._direction import is_rtl, rtl_balance

    balance = rtl_balance([text])
    assert is_rtl(text) == (balance is not None and int(balance[0]) > 0)

"""The result model: elements, reading order, conveniences, JSON."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from hypothesis import given

from unocr.errors import ConfigError, FormatError, GeometryError, ModelError
from unocr.geometry import Box, Mask, Quad
from unocr.model import Block, Line, Page, Source, Symbol, Timings, Word
from unocr.model.layout import group_words, text_angle

from .page_strategies import pages


def word(text, x0, y0, x1, y1, conf=0.9, **kw):
    return Word(text=text, geometry=Box(x0, y0, x1, y1), confidence=conf, **kw)


def rotated_words(words, angle_deg, cx=500.0, cy=500.0):
    """The same words as quads, rotated clockwise on screen by angle_deg."""
    out = []
    for w in words:
        q = w.geometry.to_quad().rotate(angle_deg, origin=(cx, cy))
        out.append(w.replace(geometry=q))
    return out


TWO_COLUMNS = [
    # left column, two lines (wide lines, a 60 px gutter: prose columns)
    word("alpha", 10, 10, 150, 30),
    word("beta", 160, 10, 300, 30),
    word("gamma", 10, 40, 150, 60),
    word("delta", 160, 40, 290, 60),
    # right column, same rows
    word("one", 360, 10, 480, 30),
    word("two", 490, 10, 630, 30),
    word("three", 360, 40, 530, 60),
    # a paragraph far below
    word("end", 10, 200, 50, 220),
]

RECEIPT = [
    # a table: short cells far apart on each row, read row by row
    word("QTY", 10, 10, 50, 30),
    word("PRICE", 200, 10, 270, 30),
    word("TOTAL", 400, 10, 470, 30),
    word("1", 20, 40, 30, 60),
    word("2.50", 200, 40, 250, 60),
    word("2.50", 400, 40, 450, 60),
    word("3", 20, 70, 30, 90),
    word("1.00", 200, 70, 250, 90),
    word("3.00", 400, 70, 450, 90),
]


def test_confidence_must_be_in_unit_interval_or_none():
    assert word("a", 0, 0, 1, 1, conf=np.float32(0.5)).confidence == 0.5
    assert type(word("a", 0, 0, 1, 1, conf=np.float64(1)).confidence) is float
    assert word("a", 0, 0, 1, 1, conf=None).confidence is None
    for bad in (-1, 1.5, math.nan, "high", True):
        with pytest.raises(ModelError, match="confidence"):
            word("a", 0, 0, 1, 1, conf=bad)


def test_geometry_must_be_a_shape():
    with pytest.raises(ModelError, match="geometry") as caught:
        Word(text="a", geometry=(0, 0, 1, 1))
    assert isinstance(caught.value, TypeError)  # as the check it replaced


def test_page_size_must_be_whole_numbers():
    with pytest.raises(ModelError, match="width"):
        Page(width=-1, height=3)
    with pytest.raises(ModelError, match="height"):
        Page(width=1, height=2.5)
    for bad in ("10", None, math.nan, math.inf, 2**40, True):
        with pytest.raises(ModelError, match="width"):
            Page(width=bad, height=3)
    assert Page(width=np.int64(7), height=3.0).width == 7


BOX = Box(0, 0, 10, 10)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Page(width=9, height=9, blocks=[3]),
            r"Page.blocks\[0\] must be a Block, got int",
        ),
        (
            lambda: Page(width=9, height=9, blocks=3),
            "Page.blocks must be a sequence of Block",
        ),
        (
            lambda: Page(width=9, height=9, blocks=[Line(text="a", geometry=BOX)]),
            r"Page.blocks\[0\] must be a Block, got Line",
        ),
        (
            lambda: Block(text="a", geometry=BOX, lines=["a"]),
            r"Block.lines\[0\] must be a Line",
        ),
        (
            lambda: Line(text="a", geometry=BOX, words="ab"),
            "Line.words must be a sequence of Word, got str",
        ),
        (
            lambda: Word(
                text="a", geometry=BOX, symbols=[Word(text="a", geometry=BOX)]
            ),
            r"Word.symbols\[0\] must be a Symbol, got Word",
        ),
        (
            lambda: Page(width=9, height=9, backend=3),
            "Page.backend must be an engine name",
        ),
        (lambda: Page(width=9, height=9, languages="eng"), r"write \('eng',\)"),
        (
            lambda: Page(width=9, height=9, languages=["en", 3]),
            r"Page.languages\[1\] must be a str",
        ),
        (
            lambda: Page(width=9, height=9, timings=None),
            "Page.timings must be a Timings",
        ),
        (lambda: Page(width=9, height=9, source="a.png"), "Page.source must be"),
        (
            lambda: Page(width=9, height=9, engines=["gcv"]),
            r"Page.engines\[0\] must be an EngineUse",
        ),
        (lambda: Timings(decode=-1.0), "Timings.decode must be a finite number"),
        (lambda: Timings(engine=math.nan), "Timings.engine"),
        (lambda: Timings(convert="1"), "Timings.convert"),
    ],
)
def test_a_field_of_the_wrong_kind_is_a_model_error_naming_it(build, message):
    # before, these were accepted (a page of ints failed later, in page.text;
    # languages="eng" became ("e", "n", "g")) or failed with Python's words
    with pytest.raises(ModelError, match=message):
        build()


def test_children_of_a_subclass_and_any_iterable_are_accepted():
    class MyWord(Word):
        pass

    mine = MyWord(text="a", geometry=BOX)
    line = Line(text="a", geometry=BOX, words=iter([mine]))
    assert line.words == (mine,)
    page = Page(width=9, height=9, languages=iter(["en"]))
    assert page.languages == ("en",)


def test_words_group_into_lines_and_blocks_in_reading_order():
    shuffled = TWO_COLUMNS[::-1]
    page = Page.from_words(shuffled, width=600, height=300)
    assert [b.text for b in page.blocks] == [
        "alpha beta\ngamma delta",
        "one two\nthree",
        "end",
    ]
    assert page.text == "alpha beta\ngamma delta\n\none two\nthree\n\nend"
    assert all(not line.native for line in page.lines)
    assert all(not b.native for b in page.blocks)


def test_table_rows_are_read_row_by_row():
    page = Page.from_words(RECEIPT[::-1], width=600, height=300)
    assert [w.text for w in page.words] == [w.text for w in RECEIPT]
    assert len(page.blocks) == 1


def test_parent_geometry_encloses_children_and_confidence_is_mean():
    page = Page.from_words(TWO_COLUMNS, width=600, height=300)
    for block in page.blocks:
        bb = block.geometry.to_box()
        for line in block.lines:
            lb = line.geometry.to_box()
            assert (
                bb.x0 <= lb.x0 and bb.y0 <= lb.y0 and bb.x1 >= lb.x1 and bb.y1 >= lb.y1
            )
            for w in line.words:
                wb = w.geometry.to_box()
                assert (
                    lb.x0 <= wb.x0
                    and lb.y0 <= wb.y0
                    and lb.x1 >= wb.x1
                    and lb.y1 >= wb.y1
                )
    line = Line.from_words(
        [
            word("a", 0, 0, 1, 1, 0.2),
            word("b", 2, 0, 3, 1, None),
            word("c", 4, 0, 5, 1, 0.6),
        ]
    )
    assert line.confidence == pytest.approx(0.4)
    assert Line.from_words([word("a", 0, 0, 1, 1, None)]).confidence is None


@pytest.mark.parametrize("angle", [-8.0, -3.0, 0.0, 4.0, 10.0])
def test_reading_order_is_robust_to_slight_rotation(angle):
    rotated = rotated_words(TWO_COLUMNS, angle)
    assert text_angle(rotated) == pytest.approx(angle, abs=1e-6)
    page = Page.from_words(rotated[::-1], width=1000, height=1000)
    assert page.text == "alpha beta\ngamma delta\n\none two\nthree\n\nend"
    for line in page.lines:  # a quad encloses rotated children
        poly = line.geometry.to_shapely().buffer(1e-6)
        assert all(poly.contains(w.geometry.to_shapely()) for w in line.words)
        assert isinstance(line.geometry, Quad)


def test_group_words_keeps_words_of_one_row_together():
    words = [
        word(str(i), i * 30, 100 + (i % 2) * 3, i * 30 + 25, 120 + (i % 2) * 3)
        for i in range(8)
    ]
    lines = group_words(words)
    assert len(lines) == 1 and lines[0].text == "0 1 2 3 4 5 6 7"


def test_language_of_parent_is_common_language():
    ws = [
        word("a", 0, 0, 10, 10, language="ko"),
        word("b", 12, 0, 20, 10, language="ko"),
    ]
    assert Line.from_words(ws).language == "ko"
    ws[1] = ws[1].replace(language="en")
    assert Line.from_words(ws).language is None


def test_filter_drops_low_confidence_words_and_empty_parents():
    ws = [
        word("keep", 0, 0, 10, 10, 0.9),
        word("drop", 20, 0, 30, 10, 0.1),
        word("none", 40, 0, 50, 10, None),
        word("gone", 0, 100, 10, 110, 0.2),
    ]
    page = Page.from_words(ws, width=100, height=200)
    kept = page.filter(0.5)
    assert kept.text == "keep none"
    assert [w.text for w in kept.words] == ["keep", "none"]
    assert kept.filter(0.5, keep_unscored=False).text == "keep"
    assert page.filter(0.0) == page
    for bad in (2, -0.1, math.nan, "0.5", None):
        with pytest.raises(ConfigError, match="min_confidence"):
            page.filter(bad)


def test_filter_synthesises_synthesised_parents_anew():
    ws = [
        word("keep", 0, 0, 10, 10, 0.9),
        word("drop", 20, 0, 30, 10, 0.1),
        word("also", 40, 0, 50, 10, 0.7),
    ]
    page = Page.from_words(ws, width=100, height=200)
    kept = page.filter(0.5)
    (line,) = kept.lines
    assert line.text == "keep also"
    assert line.confidence == pytest.approx(0.8)  # the mean of what remains
    assert line.geometry.to_box() == Box(0, 0, 50, 10)
    assert kept.blocks[0].confidence == pytest.approx(0.8)
    assert not line.native and not kept.blocks[0].native


def test_filter_keeps_a_reported_parent_s_shape_and_confidence():
    ws = [word("keep", 0, 0, 10, 10, 0.9), word("drop", 90, 0, 100, 10, 0.1)]
    reported = Line.reported(ws, Box(0, 0, 120, 12), confidence=0.4)
    block = Block.reported([reported], Box(0, 0, 130, 14), confidence=0.3)
    page = Page(width=200, height=100, blocks=(block,))
    kept = page.filter(0.5)
    (line,) = kept.lines
    assert (line.text, line.confidence, line.geometry) == (
        "keep",
        0.4,
        Box(0, 0, 120, 12),
    )
    assert (kept.blocks[0].confidence, kept.blocks[0].geometry) == (
        0.3,
        Box(0, 0, 130, 14),
    )


def test_filter_without_unscored_drops_an_unscored_line_without_words():
    page = Page.from_lines(
        [
            Line("no words, no confidence", Box(0, 0, 100, 20)),
            Line.from_words([word("scored", 0, 30, 60, 50, 0.9)]),
        ],
        width=200,
        height=100,
    )
    assert page.filter(0.5, keep_unscored=False).text == "scored"
    assert "no words" in page.filter(0.5).text


def test_timings_hold_plain_floats_so_the_page_is_json():
    timings = Timings(
        decode=np.float32(0.25), engine=np.float64(1.5), convert=np.int64(0)
    )
    assert all(
        type(getattr(timings, k)) is float for k in ("decode", "engine", "convert")
    )
    page = Page(width=10, height=10, timings=timings)
    assert json.loads(page.to_json())["timings"]["decode"] == 0.25


def test_transform_takes_source_to_pdf_and_keeps_the_map_true():
    source = Source(
        "doc.pdf",
        dpi=72.0,
        page_size=(612.0, 792.0),
        to_pdf=(1.0, 0.0, 0.0, 0.0, -1.0, 792.0),
    )
    page = Page.from_words([word("hi", 10, 20, 50, 40)], width=612, height=792)
    page = page.replace(source=source)
    in_pdf = page.transform(source.to_pdf)
    assert in_pdf.words[0].geometry == Box(10, 752, 50, 772)
    # the new coordinates are PDF points already: the map is the identity now
    assert in_pdf.source.pdf_point(10, 772) == (10.0, 772.0)
    half = page.transform([[0.5, 0, 0], [0, 0.5, 0]], width=306, height=396)
    x, y = half.words[0].geometry.x0, half.words[0].geometry.y0
    assert half.source.pdf_point(x, y) == page.source.pdf_point(10, 20)


def test_transform_keeps_a_mask_the_map_leaves_without_pixels():
    stroke = Mask(np.ones((1, 30), bool), origin=(10, 10))
    page = Page.from_words([Word(text="hi", geometry=stroke)], width=100, height=50)
    half = page.transform([[0.5, 0, 0], [0, 0.5, 0]], width=50, height=25)
    (w,) = half.words
    assert w.text == "hi"
    assert w.geometry.to_box() == Box(5, 5, 20, 5.5)


def test_navigation_properties():
    sym = Symbol(text="a", geometry=Box(0, 0, 5, 10), confidence=0.5)
    w = Word(text="a", geometry=Box(0, 0, 5, 10), symbols=(sym,))
    page = Page.from_words([w], width=10, height=10)
    assert page.symbols == (sym,)
    assert page.words == (w,)
    assert len(page.lines) == 1 and len(page.blocks) == 1
    assert page.blocks[0].words == (w,)


def test_transform_maps_every_level():
    page = Page.from_words(TWO_COLUMNS, width=600, height=300)
    half = page.transform([[0.5, 0, 0], [0, 0.5, 0]], width=300, height=150)
    assert (half.width, half.height) == (300, 150)
    assert half.words[0].geometry == Box(5, 5, 75, 15)
    assert half.blocks[0].geometry.to_box() == Box(5, 5, 150, 30)
    assert half.text == page.text


@pytest.mark.parametrize(
    "matrix",
    [
        [[1, 0, 0], [0, 1]],  # ragged
        [[1, "x", 0], [0, 1, 0]],  # not a number
        {"a": 1},  # not a matrix
        [[1, 0], [0, 1]],  # (2, 2)
        [[1, 0, math.nan], [0, 1, 0]],
    ],
)
def test_transform_refuses_a_malformed_matrix_with_a_geometry_error(matrix):
    # as every shape's transform does, and before any element is mapped
    page = Page.from_words(TWO_COLUMNS, width=600, height=300)
    with pytest.raises(GeometryError, match="matrix"):
        page.transform(matrix)


def test_json_round_trip_and_plain_types():
    page = Page.from_words(
        TWO_COLUMNS, width=600, height=300, backend="x", languages=("en",)
    )
    page = page.replace(timings=Timings(decode=0.1, engine=0.25, convert=1e-3))
    data = page.to_dict()
    assert data["schema"] == "unocr.page/1"
    assert json.loads(json.dumps(data)) == data  # plain JSON types only
    assert Page.from_dict(data) == page
    assert Page.from_json(page.to_json()) == page


@pytest.mark.parametrize(
    ("data", "msg"),
    [
        ([], "JSON object"),
        ({"schema": "unocr.page/99"}, "unsupported page schema"),
        ({"schema": "unocr.page/1", "height": 3}, "width"),
        ({"schema": "unocr.page/1", "width": 3, "height": 3, "blocks": {}}, "blocks"),
        (
            {
                "schema": "unocr.page/1",
                "width": 3,
                "height": 3,
                "blocks": [{"text": "x"}],
            },
            "geometry",
        ),
        (
            {
                "schema": "unocr.page/1",
                "width": 3,
                "height": 3,
                "blocks": [
                    {
                        "text": "x",
                        "geometry": {"type": "box", "x0": 1, "y0": 0, "x1": 0, "y1": 1},
                    }
                ],
            },
            "geometry",
        ),
        (
            {
                "schema": "unocr.page/1",
                "width": 3,
                "height": 3,
                "blocks": [
                    {
                        "text": "x",
                        "confidence": 7,
                        "geometry": {"type": "box", "x0": 0, "y0": 0, "x1": 1, "y1": 1},
                    }
                ],
            },
            "confidence",
        ),
    ],
)
def test_from_dict_rejects_malformed_data(data, msg):
    with pytest.raises(FormatError, match=msg):
        Page.from_dict(data)


def test_from_json_rejects_non_json():
    with pytest.raises(FormatError, match="not valid JSON"):
        Page.from_json("{nope")


def test_block_from_lines_text():
    l1 = Line.from_words([word("a", 0, 0, 5, 5)])
    l2 = Line.from_words([word("b", 0, 10, 5, 15)])
    b = Block.from_lines([l1, l2])
    assert b.text == "a\nb" and not b.native


@given(pages())
def test_json_round_trip_is_lossless(page):
    """Law: Page -> to_json -> from_json is the identity, with plain JSON types only."""
    text = page.to_json()
    assert Page.from_json(text) == page
    assert json.loads(json.dumps(page.to_dict())) == page.to_dict()


def test_from_checked_builds_the_element_the_constructor_builds() -> None:
    """Every field is set, those it does not take to their defaults."""
    from unocr.geometry import Box
    from unocr.model import Symbol, Word

    box = Box(0, 0, 4, 2)
    sym = Symbol.from_checked("a", box, 0.5, "en")
    assert sym == Symbol(text="a", geometry=box, confidence=0.5, language="en")
    word = Word.from_checked("a", box, None, None, False, (sym,))
    assert word == Word(text="a", geometry=box, native=False, symbols=(sym,))
    assert repr(word) == repr(
        Word(text="a", geometry=box, native=False, symbols=(sym,))
    )


def test_an_element_cannot_have_an_empty_mask():
    # it marks no place: before, a JSON page with one loaded, and writing it as
    # hOCR then failed (its bounds cannot be taken)
    from unocr import formats
    from unocr.geometry import Mask

    empty = Mask(np.zeros((0, 5), dtype=bool))
    with pytest.raises(ModelError, match="no pixel set"):
        Word(text="a", geometry=empty)
    page = Page.from_words([word("a", 0, 0, 5, 5)], width=9, height=9)
    data = page.to_dict()
    data["blocks"][0]["lines"][0]["words"][0]["geometry"] = empty.to_dict()
    with pytest.raises(FormatError, match="no pixel set"):
        formats.loads(json.dumps(data), "json")
    Word(text="a", geometry=Mask(np.ones((1, 1), dtype=bool)))  # one pixel will do


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda w, li: Line.from_words([li]), "Line.words[0] must be a Word, got Line"),
        (lambda w, li: Line.from_words([w, None]), "Line.words[1] must be a Word"),
        (lambda w, li: Line.from_words(["a"]), "Line.words[0] must be a Word, got str"),
        (
            lambda w, li: Line.from_word_groups([[w], [w, li]]),
            "Line.words[1] must be a Word, got Line",
        ),
        (lambda w, li: Block.from_lines([None]), "Block.lines[0] must be a Line"),
        (
            lambda w, li: Block.from_lines([w]),
            "Block.lines[0] must be a Line, got Word",
        ),
        (
            lambda w, li: Page.from_words([li], width=9, height=9),
            "words[0] must be a Word, got Line",
        ),
        (
            lambda w, li: Page.from_lines([w], width=9, height=9),
            "lines[0] must be a Line, got Word",
        ),
    ],
)
def test_builders_check_their_children_as_the_constructors_do(build, message) -> None:
    # a Line among a line's words was stored and broke the page's round trip
    word = Word(text="a", geometry=Box(0, 0, 1, 1))
    line = Line.from_words([word])
    with pytest.raises(ModelError, match=re.escape(message)):
        build(word, line)

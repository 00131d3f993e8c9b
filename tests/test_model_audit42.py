"""The model, audit 42: ``native`` flags of the wrong kind, the bound on
``Timings`` shared by the constructor and the JSON reader, and ALTO keeping
the source file name exactly as unocr wrote it."""

from __future__ import annotations

import numpy as np
import pytest

from unocr.errors import FormatError, ModelError
from unocr.formats import dumps, dumps_pages, loads, loads_pages
from unocr.geometry import Box
from unocr.model import Block, Line, Page, Source, Symbol, Timings, Word

BOX = Box(0, 0, 10, 10)
NOT_BOOLS = ["False", "no", "", None, 0, 1, 2, 0.0, [], np.int64(1)]


def word(text: str = "a") -> Word:
    return Word(text, BOX, 0.5, "en")


# ---------------------------------------------------------------- native


@pytest.mark.parametrize("value", NOT_BOOLS, ids=repr)
@pytest.mark.parametrize("cls", [Symbol, Word, Line, Block])
def test_a_native_that_is_not_a_bool_is_a_model_error(cls, value):
    with pytest.raises(ModelError, match=r"native must be a bool .*got "):
        cls(text="a", geometry=BOX, native=value)


@pytest.mark.parametrize("value", NOT_BOOLS, ids=repr)
def test_parents_built_around_children_check_native(value):
    with pytest.raises(ModelError, match="native must be a bool"):
        Line.from_words([word()], native=value)
    with pytest.raises(ModelError, match="native must be a bool"):
        Line.from_word_groups([[word()], [word("b")]], native=value)
    line = Line.from_words([word()])
    with pytest.raises(ModelError, match="native must be a bool"):
        Block.from_lines([line], native=value)
    with pytest.raises(ModelError, match="native must be a bool"):
        word().replace(native=value)


def test_the_message_names_the_field_the_value_and_what_is_expected():
    with pytest.raises(ModelError) as info:
        Word("a", BOX, native="False")
    assert str(info.value) == (
        "native must be a bool (True or False), got str ('False')"
    )


@pytest.mark.parametrize("flag", [True, False])
def test_native_takes_bools_and_numpy_bools_only(flag):
    with pytest.raises(ModelError, match="native must be a bool"):
        Word("a", BOX, native=str(flag))
    made = [
        Word("a", BOX, native=np.bool_(flag)),
        Symbol("a", BOX, native=np.bool_(flag)),
        Line.from_words([word()], native=np.bool_(flag)),
        Block.from_lines([Line.from_words([word()])], native=np.bool_(flag)),
    ]
    for el in made:
        assert type(el.native) is bool and el.native is flag


# ---------------------------------------------------------------- timings


def test_timings_beyond_the_bound_are_refused_by_the_constructor():
    assert Timings.MAX_SECONDS == 366 * 24 * 3600.0
    for name in ("decode", "engine", "convert"):
        with pytest.raises(ModelError, match=rf"Timings\.{name} .*MAX_SECONDS"):
            Timings(**{name: np.nextafter(Timings.MAX_SECONDS, np.inf)})
    with pytest.raises(ModelError, match=r"Timings\.engine"):
        Timings(engine=1e8)
    with pytest.raises(ModelError, match=r"Timings\.engine"):
        Timings(engine=10**400)  # too large for a float: refused, no OverflowError


def test_every_timing_the_constructor_accepts_reads_back_from_json():
    top = Timings.MAX_SECONDS
    page = Page(width=10, height=10, timings=Timings(decode=top, engine=top, convert=0))
    assert Page.from_dict(page.to_dict()) == page
    assert Page.from_json(page.to_json()) == page


def test_the_json_reader_refuses_what_the_constructor_refuses():
    data = Page(width=10, height=10).to_dict()
    data["timings"]["engine"] = Timings.MAX_SECONDS * 2
    with pytest.raises(FormatError, match=r"page\.timings\.engine: .*MAX_SECONDS"):
        Page.from_dict(data)


# ---------------------------------------------------------------- ALTO names


def one_word_page(name: str, index: int = 0) -> Page:
    return Page(
        width=20,
        height=20,
        blocks=(Block.from_lines([Line.from_words([Word("hi", Box(1, 1, 9, 9))])]),),
        source=Source(name, index=index),
    )


@pytest.mark.parametrize("name", [" scan 01 .png", "scan.png ", "\tscan.png"])
def test_alto_keeps_the_file_name_unocr_wrote(name):
    page = one_word_page(name, index=2)
    for fmt in ("alto", "hocr", "page-xml"):
        back = loads(dumps(page, fmt), format=fmt)
        assert back.source is not None
        assert (back.source.name, back.source.index) == (name, 2), fmt


def test_alto_keeps_a_file_name_shared_by_several_pages():
    pages = [
        one_word_page(" scan.tif ", 0).replace(backend="tesseract"),
        one_word_page(" scan.tif ", 1).replace(backend="rapidocr"),
    ]
    back = loads_pages(dumps_pages(pages, "alto"), format="alto")
    assert [(p.source.name, p.source.index) for p in back if p.source] == [
        (" scan.tif ", 0),
        (" scan.tif ", 1),
    ]


def test_alto_drops_only_another_producers_indentation_around_the_name():
    doc = (
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Description>'
        "<MeasurementUnit>pixel</MeasurementUnit><sourceImageInformation>"
        "<fileName>\n      scan.tif\n    </fileName></sourceImageInformation>"
        "</Description><Layout>"
        '<Page ID="p1" WIDTH="10" HEIGHT="10" PHYSICAL_IMG_NR="1">'
        '<PrintSpace><TextBlock><TextLine><String CONTENT="x" HPOS="1" VPOS="1" '
        'WIDTH="2" HEIGHT="2"/></TextLine></TextBlock></PrintSpace></Page>'
        "</Layout></alto>"
    )
    page = loads(doc, format="alto")
    assert page.source is not None and page.source.name == "scan.tif"
    ours = loads(dumps(one_word_page("\n scan.tif "), "alto"), format="alto")
    assert ours.source is not None and ours.source.name == "\n scan.tif "

"""A page's asked-for languages (Tesseract variants included) survive every format."""

from __future__ import annotations

import pytest

from unocr.errors import LanguageCodeError
from unocr.formats import dumps, loads
from unocr.geometry import Box
from unocr.languages import normalize_languages, parse_asked_language, parse_language
from unocr.model import Page, Word

ASKED = [
    ("jpn-vert", "en"),
    ("frk",),
    ("deu-frak", "ita-old"),
    ("osd", "en"),
    ("xyz", "ko"),  # a model named by its file
    ("script/Latin",),
]


@pytest.mark.parametrize("languages", ASKED)
@pytest.mark.parametrize("fmt", ["hocr", "alto", "page-xml", "json"])
def test_asked_languages_read_back_as_written(fmt: str, languages) -> None:
    page = Page.from_words(
        [Word(text="hi", geometry=Box(1, 1, 20, 10))],
        width=50,
        height=20,
        languages=languages,
    )
    assert loads(dumps(page, fmt), fmt).languages == languages


def test_an_hocr_file_of_another_tool_gives_normal_codes() -> None:
    page = Page.from_words(
        [Word(text="hi", geometry=Box(1, 1, 20, 10))], width=50, height=20
    )
    text = dumps(page, "hocr").replace(
        "name='ocr-langs' content=''", "name='ocr-langs' content='eng deu xx1'"
    )
    text = text.replace(
        'name="ocr-langs" content=""', 'name="ocr-langs" content="eng deu xx1"'
    )
    # codes made normal; what is none kept as written (a model's file name)
    assert loads(text, "hocr").languages == ("en", "de", "xx1")


def test_parse_asked_language_keeps_models_and_drops_what_is_no_code() -> None:
    assert parse_asked_language("chi_sim_vert") == "chi-sim-vert"
    assert parse_asked_language("ger") == "de"
    assert parse_asked_language("") is None
    assert parse_asked_language("not a code") is None
    assert parse_asked_language("Latin") == "Latin"


@pytest.mark.parametrize("languages", ASKED)
def test_each_page_of_a_multipage_hocr_keeps_its_asked_languages(languages) -> None:
    from unocr.formats import dumps_pages, loads_pages

    word = [Word(text="hi", geometry=Box(1, 1, 20, 10))]
    pages = [
        Page.from_words(word, width=50, height=20, languages=("en",)),
        Page.from_words(word, width=50, height=20, languages=languages),
    ]
    back = loads_pages(dumps_pages(pages, "hocr"), "hocr")
    assert [p.languages for p in back] == [("en",), languages]


@pytest.mark.parametrize(
    ("given", "advice"),
    [("eng+kor", "'en,ko'"), ("kor+eng", "'ko,en'"), ("en ko", "'en,ko'")],
)
def test_tesseracts_plus_gets_the_list_as_advice(given: str, advice: str) -> None:
    with pytest.raises(LanguageCodeError, match=f"Did you mean {advice}"):
        normalize_languages(given)


@pytest.mark.parametrize("code", ["und", "zxx", "mul", "mis"])
def test_a_code_that_names_no_language_is_refused_as_input(code: str) -> None:
    with pytest.raises(LanguageCodeError, match="names no language"):
        normalize_languages(code)
    assert parse_language(code) is None

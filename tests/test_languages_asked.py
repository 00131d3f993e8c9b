"""A page's asked-for languages (Tesseract variants included) survive every format."""

from __future__ import annotations

import pytest

from unocr.formats import dumps, loads
from unocr.geometry import Box
from unocr.languages import parse_asked_language
from unocr.model import Page, Word

ASKED = [("jpn-vert", "en"), ("frk",), ("deu-frak", "ita-old"), ("osd", "en")]


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
    assert loads(text, "hocr").languages == ("en", "de")


def test_parse_asked_language_keeps_models_and_drops_what_is_no_code() -> None:
    assert parse_asked_language("chi_sim_vert") == "chi-sim-vert"
    assert parse_asked_language("ger") == "de"
    assert parse_asked_language("") is None
    assert parse_asked_language("not a code") is None

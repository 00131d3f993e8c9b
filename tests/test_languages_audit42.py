"""Scripts, Tesseract variants, Filipino, BCP 47 extlangs and RapidOCR's element language."""

from __future__ import annotations

import numpy as np
import pytest

from unocr.languages import (
    from_tesseract,
    language_name,
    model_language,
    normalize_language,
    normalize_languages,
    parse_language,
    text_language,
    to_tesseract,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("chi_tra_vert", ("zh", "Hant")),
        ("chi_sim_vert", ("zh", "Hans")),
        ("frk", ("de", "Latf")),
        ("deu_frak", ("de", "Latf")),
        ("kur_ara", ("ku", "Arab")),
        ("jpn_vert", ("ja", None)),
        ("chi_tra_custom", ("zh", "Hant")),
    ],
)
def test_model_language_reads_tesseract_names_as_parse_language_does(given, expected):
    (code,) = normalize_languages(given)
    assert model_language(code) == expected
    assert model_language(given) == expected
    assert model_language(parse_language(given) or "") == expected


def test_filipino_keeps_its_code_and_reads_with_tagalogs_models():
    """Filipino (fil, as Google and Tesseract write it) is standardised Tagalog."""
    assert to_tesseract("tl") == "fil" == to_tesseract("fil")
    assert from_tesseract("fil") == "fil" == parse_language("fil")
    assert model_language("fil") == ("tl", None) == model_language("tl")
    assert language_name("fil") == "Tagalog" == language_name("fil-PH")
    assert normalize_language("fil") == "fil"
    assert normalize_language("fil-PH") == "fil-PH"
    assert to_tesseract(normalize_language("fil")) == "fil"


@pytest.mark.parametrize(
    ("tag", "code", "tesseract"),
    [
        ("zh-yue", "yue", "yue"),
        ("zh-yue-HK", "yue-HK", "yue"),
        ("ar-arz", "arz", "arz"),
        # the standard variety reads as its macrolanguage, whose models read it
        ("zh-cmn-Hans", "zh-Hans", "chi_sim"),
        ("ar-arb", "ar", "ara"),
        ("ms-zsm", "ms", "msa"),
    ],
)
def test_a_bcp47_extlang_names_the_language(tag, code, tesseract):
    assert normalize_language(tag) == code
    assert parse_language(tag) == code
    assert to_tesseract(tag) == to_tesseract(code) == tesseract
    assert model_language(tag) == model_language(code)


@pytest.mark.parametrize(
    ("tag", "tesseract"),
    [("fr-new", "fra_new"), ("en-cmn", "eng_cmn"), ("de-art", "deu_art")],
)
def test_other_iso_codes_after_a_language_stay_model_suffixes(tag, tesseract):
    """Only the registry's extlangs of a macrolanguage name a language."""
    assert normalize_language(tag) == tag
    assert to_tesseract(tag) == tesseract


@pytest.mark.parametrize("tag", ["ja-vert", "it-old", "en-custom", "zh-Hant-TW"])
def test_tesseract_suffixes_are_no_extlang(tag):
    assert normalize_language(tag).split("-")[0] == tag.split("-")[0]


def test_text_language_is_the_one_language_asked():
    assert text_language(("de",)) == "de"
    assert text_language(("jpn-vert",)) == "ja"
    assert text_language(("en", "de")) is None
    assert text_language(()) is None


def test_rapidocr_sets_the_one_language_it_was_told():
    pytest.importorskip("rapidocr")
    from unocr.backends.rapidocr.convert import rapidocr_to_blocks

    output = {
        "boxes": np.array([[[0, 0], [100, 0], [100, 20], [0, 20]]], dtype=float),
        "txts": ("Hallo Welt",),
        "scores": (0.9,),
    }
    (block,) = rapidocr_to_blocks(output, language="de")
    assert block.language == "de"
    assert {line.language for line in block.lines} == {"de"}
    assert {w.language for w in block.words} == {"de"}
    (block,) = rapidocr_to_blocks(output)
    assert {w.language for w in block.words} == {None}

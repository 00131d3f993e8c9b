"""Names that must mean one thing wherever they are looked up.

A cascade's name, in any spelling of its engines, is one engine: its
``unocr.toml`` table, ``unocr.read``'s cache and the executors' specs find it.
A Tesseract model asked for by a name unocr cannot map is that model or an
error, never another model.
"""

from __future__ import annotations

import pytest
from PIL import Image

import unocr
from unocr import _api
from unocr.backends.catalog import canonical_name
from unocr.errors import ConfigError, LanguageUnavailableError
from unocr.executors import BackendSpec
from unocr.isolation.config import configured_options
from unocr.languages import normalize_language, parse_language, to_tesseract


# ------------------------------------------------------------ 1. cascade names
@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("rapidocr/tesseract", "rapidocr/tesseract"),
        ("rapidocr / Tesseract", "rapidocr/tesseract"),
        ("RapidOCR/google", "rapidocr/gcv"),
        (" Keras_OCR / Google / tesseract ", "keras-ocr/gcv/tesseract"),
        ("rapidocr + Tesseract / GOOGLE", "rapidocr+tesseract/gcv"),
        ("google/rapidocr+keras_ocr", "gcv/rapidocr+keras-ocr"),
    ],
)
def test_canonical_name_spells_each_engine_of_a_cascade_as_registered(
    given: str, canonical: str
) -> None:
    assert canonical_name(given) == canonical
    assert canonical_name(canonical) == canonical


def test_a_malformed_cascade_name_is_itself_and_still_refused_by_lookup() -> None:
    assert canonical_name(" Rapidocr/ ") == "rapidocr/"
    with pytest.raises(ConfigError, match="an engine name is empty"):
        unocr.get_backend("rapidocr/")


def test_a_cascade_table_applies_in_any_spelling_of_its_engines(config) -> None:
    config(
        '[backends."rapidocr/google".options]\nbelow = 0.25\n'
        '[backends."Tesseract / tesseract".options]\nbelow = 0.3\n'
    )
    for asked in ("rapidocr/gcv", "rapidocr/google", "RapidOCR / GCV"):
        assert configured_options(canonical_name(asked))[0] == {"below": 0.25}
    for asked in ("tesseract/tesseract", "tesseract / Tesseract"):
        assert configured_options(canonical_name(asked))[0] == {"below": 0.3}


@pytest.mark.parametrize(
    ("table", "asked"),
    [
        ('"tesseract/tesseract"', "Tesseract / tesseract"),
        ('"Tesseract / Tesseract"', "tesseract/tesseract"),
        ('"tesseract+tesseract/tesseract"', "tesseract + tesseract / TESSERACT"),
    ],
)
def test_get_backend_takes_the_cascade_table_in_any_spelling(
    config, table: str, asked: str
) -> None:
    config(f"[backends.{table}.options]\nbelow = 0.25\n")
    with unocr.get_backend(asked) as cascade:
        assert cascade.below == 0.25  # type: ignore[attr-defined]


def test_every_spelling_of_a_cascade_shares_one_cached_engine(config) -> None:
    config("")
    first, shared = _api._cached("Tesseract / tesseract", {})
    again, _ = _api._cached("tesseract/tesseract", {})
    assert shared and again is first


def test_an_executor_spec_names_a_cascade_canonically() -> None:
    assert BackendSpec.named("Tesseract / tesseract", {}).name == "tesseract/tesseract"


# ------------------------------------------------------ 2. Tesseract model names
@pytest.mark.parametrize(
    ("asked", "model"),
    [
        ("eng_custom", "eng_custom"),
        ("en-custom", "eng_custom"),
        ("en-US-custom", "eng_custom"),
        ("deu_custom", "deu_custom"),
        ("chi_sim_custom", "chi_sim_custom"),
        ("zh-Hant-custom", "chi_tra_custom"),
        ("srp_latn_custom", "srp_latn_custom"),
        ("deu_latf_custom", "deu_latf_custom"),
        ("jpn_vert_custom", "jpn_vert_custom"),
        ("ja-vert", "jpn_vert"),
        ("eng_best", "eng_best"),
        ("qaa_x", "qaa_x"),
    ],
)
def test_a_model_name_unocr_cannot_map_keeps_its_variant(
    asked: str, model: str
) -> None:
    assert to_tesseract(normalize_language(asked)) == model


@pytest.mark.parametrize(
    ("asked", "model"),
    [
        ("chi_sim", "chi_sim"),
        ("srp_latn", "srp_latn"),
        ("deu_latf", "deu_latf"),
        ("jpn_vert", "jpn_vert"),
        ("frk", "frk"),
        ("en-US", "eng"),
        ("pt-BR", "por"),
        ("es-419", "spa"),
        ("sr-Latn", "srp_latn"),
        ("sr-Cyrl", "srp"),
        ("en-Latn", "eng"),
        ("qaa-Latn", "qaa"),
        ("zh-TW", "chi_tra"),
    ],
)
def test_names_mapped_on_purpose_are_still_mapped(asked: str, model: str) -> None:
    assert to_tesseract(normalize_language(asked)) == model


def test_a_custom_model_asked_for_is_the_one_tesseract_runs(
    tessdata, snippet: Image.Image
) -> None:
    tessdata("eng_custom")  # no eng.traineddata: only the model asked for can run
    with unocr.get_backend("tesseract", languages=["eng_custom"]) as engine:
        page = engine.read(snippet)
    assert "This is a lot of 12 point text" in page.text


def test_a_missing_custom_model_is_an_error_naming_its_file(tessdata) -> None:
    folder = tessdata("eng")  # English is installed, the custom model is not
    with pytest.raises(LanguageUnavailableError) as info:
        unocr.get_backend("tesseract", languages=["eng_custom"])
    message = str(info.value)
    assert f"eng_custom.traineddata not found in {folder}" in message
    assert "installed: eng" in message
    assert info.value.language == "en-custom"


@pytest.mark.parametrize(
    ("found", "language"),
    [
        ("jpn_vert", "ja"),
        ("ja-vert", "ja"),
        ("ja_vert", "ja"),
        ("ita_old", "it"),
        ("it-old", "it"),
        ("de-frak", "de-Latf"),
        ("en-custom", "en-custom"),
        ("pt_br", "pt-BR"),
    ],
)
def test_a_variant_read_from_a_file_is_its_language_whatever_its_head(
    found: str, language: str
) -> None:
    # a two-letter head reads as its three letters do ("ja-vert" as "jpn_vert")
    assert parse_language(found) == language

"""The one language vocabulary: ISO 639-1/-2/-3, BCP 47 subtags, Tesseract names."""

from __future__ import annotations

import pytest

from unocr.errors import LanguageCodeError, UnocrError
from unocr.languages import (
    ISO639_2B_TO_T,
    LANGUAGES,
    TESSERACT_NAMES,
    from_tesseract,
    language_name,
    normalize_language,
    normalize_languages,
    parse_language,
    to_iso639_3,
    to_tesseract,
)

# Every traineddata name of Tesseract 4/5 (tessdata, tessdata_fast, tessdata_best).
TESSERACT_MODELS = """
afr amh ara asm aze aze_cyrl bel ben bod bos bre bul cat ceb ces chi_sim
chi_sim_vert chi_tra chi_tra_vert chr cos cym dan deu deu_latf div dzo ell eng
enm epo equ est eus fao fas fil fin fra frk frm fry gla gle glg grc guj hat heb
hin hrv hun hye iku ind isl ita ita_old jav jpn jpn_vert kan kat kat_old kaz
khm kir kmr kor kor_vert lao lat lav lit ltz mal mar mkd mlt mon mri msa mya
nep nld nor oci ori osd pan pol por pus que ron rus san sin slk slv snd spa
spa_old sqi srp srp_latn sun swa swe syr tam tat tel tgk tha tir ton tur uig
ukr urd uzb uzb_cyrl vie yid yor
""".split()  # noqa: SIM905
VARIANTS = {"chi_sim_vert", "chi_tra_vert", "jpn_vert", "kor_vert", "ita_old",
            "spa_old", "kat_old"}  # fmt: skip


@pytest.mark.parametrize("lang", LANGUAGES, ids=lambda lang: lang.iso639_3)
def test_every_direction_agrees_for_every_language(lang):
    code = lang.iso639_1 or lang.iso639_3
    for given in (code, code.upper(), lang.iso639_3, lang.iso639_3.upper()):
        assert normalize_language(given) == code
        assert parse_language(given) == code
    assert to_iso639_3(code) == lang.iso639_3
    assert language_name(code) == lang.name
    assert parse_language(lang.name) == code
    assert parse_language(lang.name.upper()) == code
    tess = to_tesseract(code)
    assert tess == {"zh": "chi_sim", "ku": "kmr"}.get(code, lang.iso639_3)
    assert from_tesseract(tess) == {"zh": "zh-Hans"}.get(code, code)


@pytest.mark.parametrize(("b", "t"), sorted(ISO639_2B_TO_T.items()))
def test_bibliographic_codes_mean_their_terminology_code(b, t):
    assert normalize_language(b) == normalize_language(t)
    assert to_iso639_3(b) == t
    assert language_name(b) == language_name(t) is not None


@pytest.mark.parametrize(("name", "tag"), sorted(TESSERACT_NAMES.items()))
def test_tesseract_names_and_their_tags_map_both_ways(name, tag):
    assert normalize_language(name) == tag
    assert normalize_language(name.replace("_", "-")) == tag
    assert parse_language(name) == tag
    assert from_tesseract(name) == tag
    assert to_tesseract(tag) == name
    assert to_tesseract(tag.lower()) == name


@pytest.mark.parametrize("model", TESSERACT_MODELS)
def test_every_tesseract_model_round_trips(model):
    code = from_tesseract(model)
    if model in ("osd", "equ"):
        assert code is None
        return
    assert code is not None
    assert normalize_language(code) == code
    if model in VARIANTS:
        assert to_tesseract(model) == model  # asked for by its own name
        assert to_tesseract(normalize_language(model)) == model
    else:
        assert to_tesseract(code) == model


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, ()),
        ("", ()),
        ("en", ("en",)),
        ("en, KO", ("en", "ko")),
        (["de", "de", "fr"], ("de", "fr")),
        (["deu", "ger", "de"], ("de",)),
        (("zh_Hans", "sr-Latn"), ("zh-Hans", "sr-Latn")),
        (("zh_hant_tw", "pt_br", "es-419"), ("zh-Hant-TW", "pt-BR", "es-419")),
        (["frk", "yue", "fil"], ("frk", "yue", "fil")),
        (["chi_sim", "jpn_vert"], ("zh-Hans", "jpn-vert")),
        (["iw", "in"], ("he", "id")),
    ],
)
def test_normalize(given, expected):
    assert normalize_languages(given) == expected


@pytest.mark.parametrize(
    ("bad", "advice"),
    [
        ("english", "'en' (English)"),
        ("German", "'de' (German)"),
        ("Deutsch", "'de' (German)"),
        ("korean", "'ko' (Korean)"),
        ("engl", "'en' (English)"),
        ("germn", "'de' (German)"),
        ("jp", "'ja' (Japanese)"),
        ("xx", None),
        ("e", None),
        ("en!", None),
        ("12", None),
    ],
)
def test_a_wrong_code_is_refused_with_the_code_meant(bad, advice):
    with pytest.raises(LanguageCodeError, match="ISO 639") as info:
        normalize_languages(bad)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    if advice:
        assert f"Did you mean {advice}?" in message
    else:
        assert "Did you mean" not in message
    assert "'en', 'ko', 'de'" in message
    # Files may name a language in English (PAGE-XML); nothing else passes.
    named = bad.lower() in ("english", "german", "korean")
    assert parse_language(bad) == (advice.split("'")[1] if named else None)


def test_non_strings_are_refused():
    with pytest.raises(UnocrError, match="strings"):
        normalize_languages([3])


@pytest.mark.parametrize(
    ("code", "expected"),
    [("en", "eng"), ("ko", "kor"), ("zh-Hans", "zho"), ("frk", "frk"), ("ger", "deu")],
)
def test_to_iso639_3(code, expected):
    assert to_iso639_3(code) == expected


def test_to_iso639_3_unknown_two_letter_code():
    with pytest.raises(LanguageCodeError, match="not an ISO 639-1"):
        to_iso639_3("qq")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "eng"),
        ("zh", "chi_sim"),
        ("zh-CN", "chi_sim"),
        ("zh-Hant", "chi_tra"),
        ("zh-TW", "chi_tra"),
        ("zh-Hant-HK", "chi_tra"),
        ("sr", "srp"),
        ("sr-Latn-RS", "srp_latn"),
        ("de-Latf", "deu_latf"),
        ("de-AT", "deu"),
        ("chi-sim", "chi_sim"),
        ("frk", "frk"),
    ],
)
def test_to_tesseract_reads_script_and_region(code, expected):
    assert to_tesseract(code) == expected


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        ("script/Latin", None),
        ("osd", None),
        ("", None),
        (None, None),
        ("other", None),
        ("und", None),
        ("zxx", None),
        ("und-Latn", None),
    ],
)
def test_values_that_are_no_language_read_as_none(found, expected):
    assert parse_language(found) == expected
    if found:
        assert from_tesseract(found) == expected

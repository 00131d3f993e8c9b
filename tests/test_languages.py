"""The one language vocabulary: ISO 639-1/-2/-3, BCP 47 subtags, Tesseract names."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pycountry
import pytest

from unocr.backends.tesseract.languages import MODELS, apt_package, install_fix
from unocr.errors import LanguageCodeError, LanguageUnavailableError, UnocrError
from unocr.languages import (
    ISO639_1_TO_3,
    ISO639_2B_TO_T,
    LANGUAGES,
    TESSERACT_NAMES,
    from_tesseract,
    language_name,
    model_language,
    normalize_language,
    normalize_languages,
    parse_language,
    text_language,
    to_iso639_3,
    to_tesseract,
)

from .fresh_imports import imported_after
from .needs import needs_tesseract

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
# Tesseract models outside MODELS: Tesseract 3's ("deu_frak", once "deu-frak";
# "tgl", "kur"), an early LSTM one ("kur_ara") and contributed ones.
OLDER_MODELS = ["deu_frak", "dan_frak", "slk_frak", "deu-frak", "dan-frak", "slk-frak",
                "tgl", "kur", "kur_ara", "grc_hist", "akk"]  # fmt: skip
# What each Tesseract model not named by its ISO 639-3 code reads: the language
# and, where the model decides it, the script; vertical (_vert) and historic
# (_old, _hist) variants read their language. frk is Tesseract's German
# Fraktur model (renamed deu_latf in 2024), not Frankish (ISO 639-3 frk).
TESSERACT_READS = {
    "chi_sim": "zh-Hans", "chi_tra": "zh-Hant", "chi_sim_vert": "zh-Hans",
    "chi_tra_vert": "zh-Hant", "jpn_vert": "ja", "kor_vert": "ko", "ita_old": "it",
    "spa_old": "es", "kat_old": "ka", "aze_cyrl": "az-Cyrl", "uzb_cyrl": "uz-Cyrl",
    "srp_latn": "sr-Latn", "kmr": "ku", "deu_latf": "de-Latf", "frk": "de-Latf",
    "deu_frak": "de-Latf", "dan_frak": "da-Latf", "slk_frak": "sk-Latf",
    "kur_ara": "ku-Arab", "grc_hist": "grc", "enm": "enm", "frm": "frm", "grc": "grc",
    "tgl": "tl", "kur": "ku", "akk": "akk",
}  # fmt: skip
# Debian/Ubuntu packages each model but deu_latf, as tesseract-ocr-<name, '-'>.
DEBIAN_PACKAGES = {
    "tesseract-ocr-" + model.replace("_", "-")
    for model in TESSERACT_MODELS
    if model != "deu_latf"
}
# Languages whose Tesseract model is not named by their ISO 639-3 code: the
# macrolanguage's model (Norwegian: one for Bokmål and Nynorsk), Filipino's for
# Tagalog, Northern Kurdish's for Kurdish, Simplified Chinese's for Chinese.
TESSERACT_MODEL_OF = {"zh": "chi_sim", "ku": "kmr", "nb": "nor", "nn": "nor",
                      "tl": "fil"}  # fmt: skip


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
    assert tess == TESSERACT_MODEL_OF.get(code, lang.iso639_3)
    read_as = {"zh": "zh-Hans", "nb": "no", "nn": "no", "tl": "fil"}
    assert from_tesseract(tess) == read_as.get(code, code)


# Every Tesseract name with a script suffix: the names of TESSERACT_NAMES with
# a script, its older Fraktur and Arabic-script models, and the same suffixes
# on every language's code (a model of one's own, named as Tesseract names its).
SCRIPT_SUFFIXED = sorted(
    {name for name, tag in TESSERACT_NAMES.items() if "-" in tag}
    | {"deu_frak", "dan_frak", "slk_frak", "kur_ara"}
    | {f"{lang.iso639_3}_frak" for lang in LANGUAGES}
    | {f"{lang.iso639_3}_ara" for lang in LANGUAGES}
)


@pytest.mark.parametrize("name", SCRIPT_SUFFIXED)
def test_every_direction_agrees_for_every_script_suffixed_name(name):
    """A script-suffixed model reads its language and script; that maps back to it."""
    tag = from_tesseract(name)
    assert tag is not None
    language, script = model_language(tag)
    assert model_language(name) == model_language(normalize_language(name))
    assert (
        model_language(name)
        == (language, script)
        == model_language(name.replace("_", "-"))
    )
    back = to_tesseract(tag)
    assert to_tesseract(from_tesseract(back)) == back
    if back != to_tesseract(language):  # not the language's own model
        # the same language and script (nb-Latf: nor_frak, Norwegian's)
        assert model_language(from_tesseract(back)) == (language, script)
    else:  # the script the language's own model reads (ara_ara: ara)
        assert from_tesseract(back) == from_tesseract(to_tesseract(language))
        assert model_language(to_tesseract(language))[0] == language


@pytest.mark.parametrize("lang", LANGUAGES, ids=lambda lang: lang.iso639_3)
def test_a_script_subtag_picks_a_model_of_that_script_or_names_it(lang):
    """At most one script reads as the language's own model; any other keeps it."""
    code = lang.iso639_1 or lang.iso639_3
    own = to_tesseract(code)
    collapsed = []
    for script in ("Latn", "Cyrl", "Arab", "Latf", "Grek", "Hans", "Hant", "Deva"):
        tag = f"{code}-{script}"
        name = to_tesseract(tag)
        assert to_tesseract(tag.lower()) == to_tesseract(tag.replace("-", "_")) == name
        if model_language(from_tesseract(name)) == model_language(tag):
            continue  # a model named for the language and script (or to be)
        assert name == own, (tag, name)
        collapsed.append(script)
    assert len(collapsed) <= 1, (code, collapsed)


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


@pytest.mark.parametrize(("model", "tag"), sorted(TESSERACT_READS.items()))
def test_a_tesseract_model_name_reads_as_the_language_it_reads(model, tag):
    """A file naming a model reads as its language; a user asking for one gets it."""
    for given in (model, model.upper(), model.replace("_", "-")):
        assert parse_language(given) == tag
        asked = normalize_language(given)
        if asked != tag:  # a variant no tag names: the model asked for is run
            assert asked == model.replace("_", "-")
            assert to_tesseract(asked) == model
    assert from_tesseract(model) == tag


@pytest.mark.parametrize("model", TESSERACT_MODELS + OLDER_MODELS)
def test_every_tesseract_model_maps_to_a_code_and_back_to_a_model_of_it(model):
    code = from_tesseract(model)
    if model in ("osd", "equ"):
        assert code is None
        assert normalize_language(model) == model  # asked for by its name
        return
    assert code is not None
    assert normalize_language(code) == code == parse_language(model)
    language, script = model_language(code)
    assert pycountry.languages.get(alpha_3=to_iso639_3(language)) is not None
    assert script is None or pycountry.scripts.get(alpha_4=script) is not None
    back = to_tesseract(code)
    # akk: Tesseract ships none; dan_frak: the model of Danish in Fraktur
    assert back in MODELS or back == model.replace("-", "_")
    assert model_language(from_tesseract(back))[0] == language
    if any(from_tesseract(shipped) == code for shipped in MODELS):
        assert from_tesseract(back) == code  # and the script, where one does
    if model in MODELS:
        assert to_tesseract(model) == model  # a model is asked for by its name


@pytest.mark.parametrize(
    "model",
    ["script/Latin", "script/HanS_vert", "script/Fraktur", "Latin", "Greek", "Thai",
     "Hebrew", "Fraktur", "HanS_vert", "Cyrillic"],
)  # fmt: skip
def test_tesseract_script_models_read_no_language(model):
    """script/Latin reads any Latin-script language (tessdata_best of 2017: Latin)."""
    assert from_tesseract(model) is None


@needs_tesseract
@pytest.mark.parametrize(
    ("model", "tag"),
    [
        ("jpn_vert", "ja"),
        ("kor_vert", "ko"),
        ("chi_sim_vert", "zh-Hans"),
        ("deu_frak", "de-Latf"),
        ("frk", "de-Latf"),
        ("ita_old", "it"),
        ("script/Latin", None),
    ],
)
def test_tesseract_hocr_of_a_model_reads_as_its_language(snippet, tmp_path, model, tag):
    """Tesseract writes the model's name as hOCR lang; words and page get its code.

    The installed eng model, linked under the model's name, stands in for it.
    """
    from unocr.backends.tesseract.install import probe
    from unocr.formats import loads

    datadir = probe(shutil.which("tesseract") or "tesseract", None).datadir
    if datadir is None or not (Path(datadir) / "eng.traineddata").is_file():
        pytest.skip("Tesseract's eng model is not installed (tesseract-ocr-eng)")
    (tmp_path / "script").mkdir()
    (tmp_path / "configs").symlink_to(Path(datadir) / "configs")
    (tmp_path / f"{model}.traineddata").symlink_to(Path(datadir) / "eng.traineddata")
    snippet.save(tmp_path / "in.png")
    hocr = subprocess.run(
        [
            "tesseract",
            "in.png",
            "-",
            "--tessdata-dir",
            str(tmp_path),
            "-l",
            model,
            "hocr",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    ).stdout
    assert f"lang='{model}'" in hocr
    page = loads(hocr)
    assert page.words
    assert {word.language for word in page.words} == {tag}
    assert page.languages == ((tag,) if tag else ())


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
        (["grc", "yue", "fil"], ("grc", "yue", "fil")),
        (
            ["chi_sim", "jpn_vert", "JPN", "kor-vert"],
            ("zh-Hans", "jpn-vert", "ja", "kor-vert"),
        ),
        (["frk", "deu_frak", "de-Latf"], ("frk", "deu-frak", "de-Latf")),
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
        # Three letters that are no ISO 639 code: the two-letter code they
        # start with, else nothing (never passed on to an engine as a model).
        ("esp", "'es' (Spanish)"),
        ("jap", "'ja' (Japanese)"),
        ("JAP_jp", "'ja' (Japanese)"),
        ("esp-ES", "'es' (Spanish)"),
        ("frn", "'fr' (French)"),
        ("mol", "'ro' (Romanian)"),  # Moldavian, retired from ISO 639 in 2008
        ("xyz", None),
        ("zzz", None),
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


def test_every_iso639_3_code_is_a_language_code():
    """All 7,900 codes of ISO 639-3 pass, in their shortest form, and map back;
    those that name no language ("mis", "und", ...) are refused as input."""
    wrong = {}
    for lang in pycountry.languages:
        code = lang.alpha_3
        if code in ("und", "zxx", "mul", "mis"):
            with pytest.raises(LanguageCodeError, match="names no language"):
                normalize_language(code.upper())
            continue
        try:
            norm = normalize_language(code.upper())
            if code in TESSERACT_NAMES:  # kmr: read as Kurdish, ku
                assert (norm, to_tesseract(norm)) == (TESSERACT_NAMES[code], code)
                continue
            if code == "frk":  # Tesseract's German Fraktur model, not Frankish
                assert (norm, to_tesseract(norm)) == ("frk", "frk")
                assert parse_language(code) == "de-Latf"
                continue
            shortest = getattr(lang, "alpha_2", code)
            if shortest not in ISO639_1_TO_3:  # "sh": deprecated in ISO 639-1
                shortest = code
            assert norm == shortest
            assert normalize_language(norm) == norm
            assert to_iso639_3(norm) == code
            if hasattr(lang, "bibliographic"):
                assert normalize_language(lang.bibliographic) == norm
        except (AssertionError, LanguageCodeError) as err:
            wrong[code] = repr(err)
    assert not wrong, sorted(wrong.items())[:10]


@pytest.mark.parametrize(
    ("code", "norm", "tesseract", "read_back"),
    [
        ("haw", "haw", "haw", "haw"),
        ("ckb", "ckb", "ckb", "ckb"),
        ("tlh", "tlh", "tlh", "tlh"),  # Klingon: constructed, in ISO 639-2 and -3
        ("yue", "yue", "yue", "yue"),
        ("sla", "sla", "sla", "sla"),  # ISO 639-2/-5 collective: Slavic languages
        ("bih", "bh", "bih", "bh"),  # collective too, with an ISO 639-1 code
        ("qaa", "qaa", "qaa", "qaa"),  # qaa-qtz: local use (custom models)
        ("QTZ", "qtz", "qtz", "qtz"),
        ("qaa-latn", "qaa-Latn", "qaa", "qaa"),
        # a BCP 47 extlang names the language
        ("zh-yue", "yue", "yue", "yue"),
        ("zh-yue-HK", "yue-HK", "yue", "yue"),
        ("ar-arz", "arz", "arz", "arz"),
        # the standard variety reads as its macrolanguage, whose models read it
        ("zh-cmn-Hans", "zh-Hans", "chi_sim", "zh-Hans"),
        ("ar-arb", "ar", "ara", "ar"),
        ("ms-zsm", "ms", "msa", "ms"),
    ],
)
def test_rare_collective_local_use_and_extlang_codes_pass(
    code, norm, tesseract, read_back
):
    """``read_back``: the language that ``from_tesseract`` reads the model as."""
    assert normalize_language(code) == norm
    assert parse_language(code) == norm
    assert to_tesseract(code) == to_tesseract(norm) == tesseract
    assert model_language(code) == model_language(norm)
    assert from_tesseract(tesseract) == read_back


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


def test_iso639_bibliographic_codes_are_pycountrys():
    table = {
        lang.bibliographic: lang.alpha_3
        for lang in pycountry.languages
        if hasattr(lang, "bibliographic")
    }
    assert table == ISO639_2B_TO_T


def test_the_iso_table_is_loaded_only_for_a_code_unocr_does_not_know():
    common = "from unocr.languages import normalize_languages as n\n"
    known = f"import unocr\n{common}n('en, KO, ger, yue, zh-Hant, chi_sim, pt_BR')"
    assert imported_after(known, ("pycountry",)) == []
    assert imported_after(f"{common}n('haw')", ("pycountry",)) == ["pycountry"]


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
        ("zh-SG", "chi_sim"),
        ("zh-MY", "chi_sim"),
        ("zh-US", "chi_sim"),
        ("zh-Hans-TW", "chi_sim"),
        ("zh-Hant", "chi_tra"),
        ("zh-TW", "chi_tra"),
        ("zh-HK", "chi_tra"),
        ("zh-MO", "chi_tra"),
        ("zh-Hant-HK", "chi_tra"),
        ("zh-Hant-MY", "chi_tra"),
        ("zho-TW", "chi_tra"),
        ("sr", "srp"),
        ("sr-RS", "srp"),
        ("sr-Cyrl", "srp"),
        ("sr-Latn-RS", "srp_latn"),
        ("de-Latf", "deu_latf"),
        ("de-AT", "deu"),
        ("no", "nor"),
        ("nb-NO", "nor"),
        ("nob", "nor"),
        ("nn", "nor"),
        ("nn-NO", "nor"),
        ("tl", "fil"),
        ("tgl-PH", "fil"),
        ("fil", "fil"),
        ("chi-sim", "chi_sim"),
        # a script decides the model, never another script's
        ("ku-Arab", "kur_ara"),
        ("da-Latf", "dan_frak"),
        ("sk-Latf", "slk_frak"),
        ("zh-Latn", "zho_latn"),
        ("en-Cyrl", "eng_cyrl"),
        ("en-Cyrl-custom", "eng_cyrl_custom"),
        ("ku-Latn", "kmr"),
        ("ku", "kmr"),
        ("en-Latn", "eng"),
        ("ar-Arab", "ara"),
        ("az-Latn", "aze"),
        ("uz-Cyrl", "uzb_cyrl"),
        ("zh-Hant-TW", "chi_tra"),
        ("qaa-Latn", "qaa"),
    ],
)
def test_to_tesseract_reads_script_and_region(code, expected):
    assert to_tesseract(code) == expected
    assert to_tesseract(normalize_language(code)) == expected
    # the model read back is of the language and script asked for, or the
    # language's own model where it reads that script
    assert model_language(from_tesseract(expected)) == model_language(code) or (
        expected == to_tesseract(code.split("-")[0])
    )
    # a model today's tessdata ships, or one named for its script that it does
    # not (older Fraktur and Arabic-script models, scripts no model reads): the
    # missing-model error then names that model
    custom = ("kur_ara", "dan_frak", "slk_frak", "zho_latn", "eng_cyrl", "qaa")
    assert expected in TESSERACT_MODELS or expected.startswith(custom)


@pytest.mark.parametrize(
    ("code", "language", "script"),
    [
        ("zh", "zh", "Hans"),
        ("zh-CN", "zh", "Hans"),
        ("zh-MY", "zh", "Hans"),
        ("zh-TW", "zh", "Hant"),
        ("zh-HK", "zh", "Hant"),
        ("zh-MO", "zh", "Hant"),
        ("zh-Hant", "zh", "Hant"),
        ("zh-Hans-TW", "zh", "Hans"),
        ("zh_hant_tw", "zh", "Hant"),
        ("chi-TW", "zh", "Hant"),
        ("sr", "sr", "Cyrl"),
        ("sr-Latn-RS", "sr", "Latn"),
        ("de-Latf", "de", "Latf"),
        ("nb-NO", "no", None),
        ("nn", "no", None),
        ("no", "no", None),
        ("de", "de", None),
        ("en-US", "en", None),
        ("ENG", "en", None),
    ],
)
def test_model_language(code, language, script):
    assert model_language(code) == (language, script)
    assert model_language(normalize_language(code)) == (language, script)


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


def test_the_model_list_is_tesseracts():
    assert set(TESSERACT_MODELS) == MODELS


@pytest.mark.parametrize("model", TESSERACT_MODELS)
def test_every_tesseract_model_names_a_real_install(model):
    fix = install_fix(model)
    if model == "deu_latf":
        assert "apt-get" not in fix
        assert "deu_latf.traineddata" in fix and "tessdata" in fix
    else:
        assert apt_package(model) in DEBIAN_PACKAGES
        assert fix == f"apt-get install {apt_package(model)}"


@pytest.mark.parametrize("lang", LANGUAGES, ids=lambda lang: lang.iso639_3)
def test_a_language_without_a_tesseract_model_names_no_package(lang):
    tess = to_tesseract(lang.iso639_1 or lang.iso639_3)
    fix = install_fix(tess)
    if tess in MODELS:
        assert fix == f"apt-get install {apt_package(tess)}"
    else:
        assert "apt-get" not in fix
        assert f"no {tess}.traineddata" in fix


@needs_tesseract
@pytest.mark.parametrize(
    ("given", "package"),
    [
        ("nb-NO", "tesseract-ocr-nor"),
        ("nn", "tesseract-ocr-nor"),
        ("zh-MY", "tesseract-ocr-chi-sim"),
        ("zh-US", "tesseract-ocr-chi-sim"),
        ("zh-Hant-TW", "tesseract-ocr-chi-tra"),
        ("tl", "tesseract-ocr-fil"),
    ],
)
def test_a_missing_tesseract_model_names_its_real_package(given, package):
    """The installed program has eng and kor only: the others are missing."""
    pytest.importorskip("pytesseract")
    from unocr.backends.tesseract.backend import TesseractBackend

    with pytest.raises(LanguageUnavailableError) as info:
        TesseractBackend(languages=given)
    assert info.value.fix == f"apt-get install {package}"
    assert package in DEBIAN_PACKAGES


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


def test_rapidocr_bundled_model_reads_tags_by_language_and_script():
    """The bundled model reads Norwegian, Chinese and Latin-script Serbian."""
    pytest.importorskip("rapidocr", reason="RapidOCR is not installed")
    from unocr.backends.rapidocr.backend import RapidOcrBackend

    readable = ("nb-NO", "nn", "no", "sr-Latn-RS", "zh-TW", "zh-Hant-HK", "zh-MY")
    with RapidOcrBackend(languages=readable) as backend:
        assert backend.languages == readable
    for unreadable in ("sr", "sr-RS", "sr-Cyrl", "ko"):
        with pytest.raises(LanguageUnavailableError) as info:
            RapidOcrBackend(languages=unreadable)
        assert info.value.language == unreadable


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

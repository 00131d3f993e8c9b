"""One language vocabulary: ISO 639 codes, BCP 47 tags, Tesseract names.

Users, formats and engines all speak one form: the shortest ISO 639 code of
a language (ISO 639-1 ``"en"``, ``"ko"``, ``"de"``; ISO 639-3 where a language
has no two-letter code, ``"yue"``), optionally with BCP 47 subtags for the
script (``"zh-Hant"``, ``"sr-Latn"``) and region (``"pt-BR"``). Everything
else is mapped to it here, in one place:

* ISO 639-2/T and ISO 639-3 codes with a two-letter equivalent (``"eng"`` ->
  ``"en"``) and ISO 639-2/B bibliographic codes (``"ger"`` -> ``"de"``);
* Tesseract's traineddata names (``"chi_sim"`` <-> ``"zh-Hans"``,
  ``"deu_latf"`` <-> ``"de-Latf"``, ``"nb"`` -> ``"nor"``); its vertical,
  historic and Fraktur variants read as their language and script
  (``"jpn_vert"`` -> ``"ja"``, ``"ita_old"`` -> ``"it"``, ``"deu_frak"`` ->
  ``"de-Latf"``), see :func:`to_tesseract` and :func:`from_tesseract`;
* what an engine's model must read for a tag: its language and script, the
  region deciding the script where it does (``"zh-TW"`` is Traditional
  Chinese), Norwegian's written standards read as Norwegian, see
  :func:`model_language`;
* the English language names of PAGE-XML (``"German"`` <-> ``"de"``), see
  :func:`language_name`.

User input goes through :func:`normalize_languages`, which refuses what is
not a language code and names the code meant (``"english"``: did you mean
``'en'``?; ``"esp"``: ``'es'``?); codes found in files go through
:func:`parse_language`, which never raises.

A three-letter code outside the table above passes if ISO 639 has it: one of
the 7,900 codes of ISO 639-3 (``"haw"``, ``"tlh"``), an ISO 639-2/-5
collective code (``"sla"``) or one of ``"qaa"``-``"qtz"``, which ISO reserves
for local use (name a custom Tesseract model ``qaa.traineddata``, say).
Retired codes (``"mol"``) and invented ones (``"xyz"``) are refused, so that a
typo fails at once rather than as a missing model. The ISO tables are
pycountry's: 8,000 rows of data that must follow ISO's yearly changes are
not ours to copy by hand, nor are ISO 15924's script codes, which tell a
script subtag (``"Latn"``) from four letters of another kind (``"vert"``).
pycountry is imported, and its tables loaded (tens of milliseconds, once),
only for a code or script the tables here do not have.

Examples:
    >>> normalize_languages("en, KO, ger, chi_sim, pt_br")
    ('en', 'ko', 'de', 'zh-Hans', 'pt-BR')
    >>> to_iso639_3("de"), to_tesseract("zh-Hant"), from_tesseract("srp_latn")
    ('deu', 'chi_tra', 'sr-Latn')
    >>> parse_language("Chinese"), language_name("pt-BR")
    ('zh', 'Portuguese')
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from unocr.errors import LanguageCodeError

__all__ = [
    "ISO639_1_TO_3",
    "ISO639_2B_TO_T",
    "LANGUAGES",
    "TESSERACT_NAMES",
    "Language",
    "LanguageCodeError",
    "from_tesseract",
    "is_local_use",
    "language_name",
    "model_language",
    "normalize_language",
    "normalize_languages",
    "parse_asked_language",
    "parse_language",
    "text_language",
    "to_iso639_3",
    "to_tesseract",
]


class Language(NamedTuple):
    """One language of the vocabulary.

    Attributes:
        iso639_1: Its ISO 639-1 code, or ``None`` where it has none.
        iso639_3: Its ISO 639-3 code (= ISO 639-2/T for languages that have
            one); also Tesseract's name for its model.
        name: Its English name, as PAGE-XML's ``LanguageSimpleType`` spells it.
    """

    iso639_1: str | None
    iso639_3: str
    name: str


# ISO 639-1 (or -), ISO 639-3 = 639-2/T, PAGE-XML name (2019 schema).
_TABLE = """
aa aar Afar
ab abk Abkhaz
af afr Afrikaans
ak aka Akan
am amh Amharic
ar ara Arabic
an arg Aragonese
as asm Assamese
av ava Avaric
ae ave Avestan
ay aym Aymara
az aze Azerbaijani
ba bak Bashkir
bm bam Bambara
be bel Belarusian
bn ben Bengali
bh bih Bihari
bi bis Bislama
bo bod Tibetan
bs bos Bosnian
br bre Breton
bg bul Bulgarian
ca cat Catalan
cs ces Czech
ch cha Chamorro
ce che Chechen
cu chu Old Church Slavonic
cv chv Chuvash
kw cor Cornish
co cos Corsican
cr cre Cree
cy cym Welsh
da dan Danish
de deu German
dv div Divehi
dz dzo Dzongkha
el ell Greek
en eng English
eo epo Esperanto
et est Estonian
eu eus Basque
ee ewe Ewe
fo fao Faroese
fa fas Persian
fj fij Fijian
fi fin Finnish
fr fra French
fy fry Western Frisian
ff ful Fula
gd gla Gaelic
ga gle Irish
gl glg Galician
gv glv Manx
gn grn Guaraní
gu guj Gujarati
ht hat Haitian
ha hau Hausa
he heb Hebrew
hz her Herero
hi hin Hindi
ho hmo Hiri Motu
hr hrv Croatian
hu hun Hungarian
hy hye Armenian
ig ibo Igbo
io ido Ido
ii iii Nuosu
iu iku Inuktitut
ie ile Interlingue
ia ina Interlingua
id ind Indonesian
ik ipk Inupiaq
is isl Icelandic
it ita Italian
jv jav Javanese
ja jpn Japanese
kl kal Kalaallisut
kn kan Kannada
ks kas Kashmiri
ka kat Georgian
kr kau Kanuri
kk kaz Kazakh
km khm Khmer
ki kik Kikuyu
rw kin Kinyarwanda
ky kir Kyrgyz
kv kom Komi
kg kon Kongo
ko kor Korean
kj kua Kwanyama
ku kur Kurdish
lo lao Lao
la lat Latin
lv lav Latvian
li lim Limburgish
ln lin Lingala
lt lit Lithuanian
lb ltz Luxembourgish
lu lub Luba-Katanga
lg lug Ganda
mh mah Marshallese
ml mal Malayalam
mr mar Marathi
mk mkd Macedonian
mg mlg Malagasy
mt mlt Maltese
mn mon Mongolian
mi mri Māori
ms msa Malay
my mya Burmese
na nau Nauru
nv nav Navajo
nr nbl South Ndebele
nd nde North Ndebele
ng ndo Ndonga
ne nep Nepali
nl nld Dutch
nn nno Norwegian Nynorsk
nb nob Norwegian Bokmål
no nor Norwegian
ny nya Chichewa
oc oci Occitan
oj oji Ojibwe
or ori Oriya
om orm Oromo
os oss Ossetian
pa pan Panjabi
pi pli Pāli
pl pol Polish
pt por Portuguese
ps pus Pashto
qu que Quechua
rm roh Romansh
ro ron Romanian
rn run Kirundi
ru rus Russian
sg sag Sango
sa san Sanskrit
si sin Sinhala
sk slk Slovak
sl slv Slovene
se sme Northern Sami
sm smo Samoan
sn sna Shona
sd snd Sindhi
so som Somali
st sot Southern Sotho
es spa Spanish
sq sqi Albanian
sc srd Sardinian
sr srp Serbian
ss ssw Swati
su sun Sundanese
sw swa Swahili
sv swe Swedish
ty tah Tahitian
ta tam Tamil
tt tat Tatar
te tel Telugu
tg tgk Tajik
tl tgl Tagalog
th tha Thai
ti tir Tigrinya
to ton Tonga
tn tsn Tswana
ts tso Tsonga
tk tuk Turkmen
tr tur Turkish
tw twi Twi
ug uig Uighur
uk ukr Ukrainian
ur urd Urdu
uz uzb Uzbek
ve ven Venda
vi vie Vietnamese
vo vol Volapük
wa wln Walloon
wo wol Wolof
xh xho Xhosa
yi yid Yiddish
yo yor Yoruba
- yue Cantonese
za zha Zhuang
zh zho Chinese
zu zul Zulu
"""

#: Every language with a two-letter code, and those PAGE-XML names, by ISO 639-3.
LANGUAGES: tuple[Language, ...] = tuple(
    Language(one if one != "-" else None, three, name)
    for one, three, name in (row.split(" ", 2) for row in _TABLE.strip().split("\n"))
)

#: ISO 639-1 code -> ISO 639-2/T (= 639-3 for individual languages).
ISO639_1_TO_3: dict[str, str] = {
    lang.iso639_1: lang.iso639_3 for lang in LANGUAGES if lang.iso639_1
}

#: ISO 639-2/B (bibliographic) codes that differ from ISO 639-2/T.
ISO639_2B_TO_T: dict[str, str] = {
    "alb": "sqi", "arm": "hye", "baq": "eus", "bur": "mya", "chi": "zho",
    "cze": "ces", "dut": "nld", "fre": "fra", "geo": "kat", "ger": "deu",
    "gre": "ell", "ice": "isl", "mac": "mkd", "mao": "mri", "may": "msa",
    "per": "fas", "rum": "ron", "slo": "slk", "tib": "bod", "wel": "cym",
}  # fmt: skip

#: Tesseract traineddata names that are not an ISO 639-3 code -> the BCP 47
#: tag they read; :func:`to_tesseract` maps each tag back.
TESSERACT_NAMES: dict[str, str] = {
    "chi_sim": "zh-Hans",
    "chi_tra": "zh-Hant",
    "srp_latn": "sr-Latn",
    "aze_cyrl": "az-Cyrl",
    "uzb_cyrl": "uz-Cyrl",
    "deu_latf": "de-Latf",
    "kmr": "ku",
}

# Tesseract's names "<name>_<suffix>", <name> an ISO 639 code or one above,
# whose suffix is no BCP 47 subtag: the script the model reads (deu_frak,
# dan_frak, kur_ara), or vertical lines or historic print (jpn_vert, ita_old,
# grc_hist), which no tag says. Such a name reads as its language and script.
_TESSERACT_SUFFIXES: dict[str, str | None] = {
    "frak": "Latf",
    "ara": "Arab",
    "vert": None,
    "old": None,
    "hist": None,
}
# Tesseract's German Fraktur model, not Frankish (ISO 639-3 frk): renamed
# deu_latf by Tesseract in 2024, still packaged (tesseract-ocr-frk) as frk.
_TESSERACT_RENAMED = {"frk": "de-Latf"}
# The script subtag each script suffix above names, the other way round.
_SCRIPT_SUFFIXES: dict[str, str] = {
    script: suffix for suffix, script in _TESSERACT_SUFFIXES.items() if script
}
# Languages named as another code of the same language: Filipino (ISO 639-2
# ``fil``, its own code in BCP 47, Google's and Tesseract's) is standardised
# Tagalog, which models and PAGE-XML's names know as ``tl``.
_SAME_LANGUAGE = {"fil": "tl"}
# Tesseract's script models: script/Latin, and Latin in tessdata_best of 2017.
_SCRIPT_MODEL = re.compile(r"^[A-Z][a-z]|/")

# Models that are not languages.
_TESSERACT_NON_LANGUAGES = frozenset({"osd", "equ"})
# ISO 639 codes that name no single language: undetermined, no linguistic
# content, multiple, uncoded.
_NO_LANGUAGE = frozenset({"und", "zxx", "mul", "mis"})

# Languages (and language-script pairs, lower-cased) whose Tesseract model is
# not named by their ISO 639-3 code; Tagalog is read by Filipino's.
_TESSERACT_FOR_TAG: dict[str, str] = {
    **{tag.lower(): name for name, tag in TESSERACT_NAMES.items()},
    "tl": "fil",
}
# Norwegian's two written standards, which OCR models read as Norwegian, and
# Filipino, which they read as Tagalog.
_READ_AS = {"nb": "no", "nn": "no", **_SAME_LANGUAGE}

# The script of a language, or of a language in a region, written without a
# script subtag, where it decides an engine's model (BCP 47 likely subtags).
_LIKELY_SCRIPTS: dict[str, str] = {
    "zh": "Hans",
    "zh-TW": "Hant",
    "zh-HK": "Hant",
    "zh-MO": "Hant",
    "sr": "Cyrl",
}

# The script a language's Tesseract model reads where it is not Latin (BCP 47's
# Suppress-Script, and for codes without one the script of Tesseract's model):
# that script subtag names the language's model, any other script does not.
_MODEL_SCRIPTS: dict[str, str] = {
    lang: script
    for script, langs in (
        ("Arab", "ar fa ur ps sd ug ks"),
        ("Cyrl", "ru uk be bg mk kk ky tg tt mn ba cv ce os av kv cu ab"),
        ("Grek", "el grc"),
        ("Hebr", "he yi"),
        ("Deva", "hi mr ne sa bh"),
        ("Beng", "bn as"),
        ("Guru", "pa"),
        ("Gujr", "gu"),
        ("Orya", "or"),
        ("Taml", "ta"),
        ("Telu", "te"),
        ("Knda", "kn"),
        ("Mlym", "ml"),
        ("Sinh", "si"),
        ("Thai", "th"),
        ("Laoo", "lo"),
        ("Khmr", "km"),
        ("Mymr", "my"),
        ("Tibt", "bo dz"),
        ("Geor", "ka"),
        ("Armn", "hy"),
        ("Ethi", "am ti"),
        ("Jpan", "ja"),
        ("Kore", "ko"),
        ("Thaa", "dv"),
        ("Syrc", "syr"),
        ("Cher", "chr"),
        ("Cans", "iu cr"),
        ("Yiii", "ii"),
    )
    for lang in langs.split()
}
_MODEL_SCRIPTS.update(_LIKELY_SCRIPTS)

# The scripts the tables above name, known without pycountry's ISO 15924 table.
_KNOWN_SCRIPTS = frozenset(
    {
        *_MODEL_SCRIPTS.values(),
        "Latn",
        *(script for script in _TESSERACT_SUFFIXES.values() if script),
        *(tag.split("-")[1] for tag in TESSERACT_NAMES.values() if "-" in tag),
    }
)

_BY_3 = {lang.iso639_3: lang for lang in LANGUAGES}
_BY_1 = {lang.iso639_1: lang for lang in LANGUAGES if lang.iso639_1}
_BY_NAME = {lang.name.lower(): lang for lang in LANGUAGES}
_BY_NAME.update({"punjabi": _BY_1["pa"], "cambodian": _BY_1["km"]})
# Country codes often given for a language, where they are no ISO 639-1 code.
_COUNTRY_CODES = {
    "at": "de", "cn": "zh", "cz": "cs", "dk": "da", "gb": "en", "gr": "el",
    "il": "he", "ir": "fa", "jp": "ja", "ua": "uk", "us": "en", "vn": "vi",
}  # fmt: skip
# Withdrawn ISO 639-1 codes (still written by Java locales) -> their successor.
_WITHDRAWN = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro"}
_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
_EXAMPLES = (
    "Use ISO 639-1 codes such as 'en', 'ko', 'de', an ISO 639-3 code where a "
    "language has none (e.g. 'yue' for Cantonese), optionally with a BCP 47 "
    "script or region ('zh-Hant', 'pt-BR')."
)


def _shortest(code: str) -> str:
    """A primary subtag in its shortest ISO 639 form (2-letter where one exists)."""
    three = ISO639_2B_TO_T.get(code, code)
    lang = _BY_3.get(three)
    return lang.iso639_1 or three if lang is not None else three


def _tesseract_tag(key: str) -> str | None:
    """The tag a Tesseract traineddata name reads, where it is no language code.

    Args:
        key: A name in lower case, ``_`` between its parts (``"jpn_vert"``).

    Returns:
        E.g. ``"ja"`` for ``"jpn_vert"``, ``"de-Latf"`` for ``"deu_frak"``;
        ``None`` for a name that is a language code (``"eng"``,
        ``"sr_latn"``) or none of Tesseract's (``"xyz_old"``).
    """
    if key in TESSERACT_NAMES:
        return TESSERACT_NAMES[key]
    if key in _TESSERACT_RENAMED:
        return _TESSERACT_RENAMED[key]
    base, _, suffix = key.rpartition("_")
    if suffix not in _TESSERACT_SUFFIXES:
        return None
    if base in TESSERACT_NAMES:
        tag = TESSERACT_NAMES[base]
    elif len(base) == 3 and base.isalpha() and _is_iso639(base):
        tag = _shortest(base)
    else:
        return None
    script = _TESSERACT_SUFFIXES[suffix]
    return f"{tag}-{script}" if script and "-" not in tag else tag


def is_local_use(code: str) -> bool:
    """Whether ``code`` is one ISO 639 reserves for local use, ``qaa``-``qtz``.

    Such a code names whatever its user means (a custom Tesseract model, say).

    Examples:
        >>> is_local_use("qaa"), is_local_use("QTZ"), is_local_use("eng")
        (True, True, False)
    """
    key = code.strip().lower()
    return len(key) == 3 and key.isalpha() and "qaa" <= key <= "qtz"


def _is_iso639(code: str) -> bool:
    """Whether a lower-case three-letter code is an ISO 639-2/-3/-5 code.

    Those of :data:`LANGUAGES` and the bibliographic codes are; others are
    looked up in pycountry's ISO 639-3 and ISO 639-5 tables, imported here,
    on first need.
    """
    if code in _BY_3 or code in ISO639_2B_TO_T or is_local_use(code):
        return True
    import pycountry

    return (
        pycountry.languages.get(alpha_3=code) is not None
        or pycountry.language_families.get(alpha_3=code) is not None
    )


def _is_script(subtag: str) -> bool:
    """Whether a subtag is an ISO 15924 script code, in any case (``"hant"``).

    Those the tables above name are; other four letters are looked up in
    pycountry's ISO 15924 table, imported here, on first need. Four letters
    no script has (``"vert"``, ``"best"``) are no script.
    """
    if len(subtag) != 4 or not subtag.isalpha():
        return False
    if subtag.title() in _KNOWN_SCRIPTS:
        return True
    import pycountry

    return pycountry.scripts.get(alpha_4=subtag) is not None


def _is_region(subtag: str) -> bool:
    """Whether a subtag is a region: two letters (``"BR"``) or three digits."""
    return (len(subtag) == 2 and subtag.isalpha()) or (
        len(subtag) == 3 and subtag.isdigit()
    )


def _subtag(value: str) -> str:
    if _is_script(value):
        return value.title()  # script: Hant, Latn
    if _is_region(value):
        return value.upper()  # region: BR, 419
    return value.lower()  # anything else, a variant: 1996, custom


#: BCP 47 extended language subtags (the IANA registry's extlangs) of the
#: macrolanguages OCR engines ship models for, and the language each names.
#: The standard variety reads as the macrolanguage's own code, whose models
#: read it (``zh-cmn-Hans``: Chinese in Simplified script, ``chi_sim``).
#: Three other letters after a language are no extlang: a Tesseract model's
#: suffix (``fr-new``: ``fra_new``, a model of one's own).
_EXTLANGS: dict[str, tuple[str, frozenset[str]]] = {
    # macrolanguage: (its standard variety, its other extlangs)
    "zh": ("cmn", frozenset({"cdo", "cjy", "cpx", "czh", "czo", "gan", "hak", "hsn",
                             "lzh", "mnp", "nan", "wuu", "yue"})),
    "ar": ("arb", frozenset({"acm", "acq", "acw", "acx", "acy", "adf", "aeb", "aec",
                             "afb", "ajp", "apc", "apd", "arq", "ars", "ary", "arz",
                             "auz", "avl", "ayh", "ayl", "ayn", "ayp", "pga", "shu"})),
    "ms": ("zsm", frozenset({"kxd", "meo", "mfa", "min", "zlm"})),
}  # fmt: skip


def _extlang(head: str, rest: Sequence[str]) -> tuple[str, list[str]]:
    """A tag's language where a BCP 47 extended language subtag names it.

    Args:
        head: The primary subtag, in lower case.
        rest: The subtags after it.

    Returns:
        ``head`` and ``rest``, but for an extlang of :data:`_EXTLANGS` right
        after its macrolanguage (``"zh-yue"`` is Cantonese, ``"zh-cmn-Hans"``
        Chinese in Simplified script): the language it names and the
        subtags after it.

    Examples:
        >>> _extlang("zh", ["yue"]), _extlang("zh", ["cmn", "Hans"])
        (('yue', []), ('zh', ['Hans']))
        >>> _extlang("fr", ["new"])
        ('fr', ['new'])
    """
    if rest and head in _EXTLANGS:
        standard, others = _EXTLANGS[head]
        ext = rest[0].lower()
        if ext == standard or ext in others:
            return (head if ext == standard else ext), list(rest[1:])
    return head, list(rest)


def _expand_name(key: str) -> str:
    """A name led by a Tesseract name of :data:`TESSERACT_NAMES`, led by its tag.

    Args:
        key: A name in lower case, ``_`` between its parts.

    Returns:
        E.g. ``"zh_hans_custom"`` for ``"chi_sim_custom"``; other names as
        given.
    """
    for name, tag in TESSERACT_NAMES.items():
        if key.startswith(f"{name}_"):
            return tag.lower().replace("-", "_") + key[len(name) :]
    return key


def _suggestion(raw: str) -> Language | None:
    """The language someone most likely meant by something that is not a code.

    An English name or its beginning (``"english"``, ``"Engl"``), three
    letters that start with an ISO 639-1 code (``"esp"``, ``"jap_JP"``), a
    word that starts with a language's ISO 639-2/3 code (``"Deutsch"``), a
    country code used for its language (``"jp"``) or a misspelt name
    (``"germn"``).
    """
    key = raw.strip().lower()
    if key in _BY_NAME:
        return _BY_NAME[key]
    head = re.split(r"[-_]", key)[0]
    two = _WITHDRAWN.get(head[:2], head[:2])
    if len(head) == 3 and head.isalpha() and two in _BY_1:
        return _BY_1[two]
    if len(key) >= 3:
        starts = [lang for name, lang in _BY_NAME.items() if name.startswith(key)]
        if len(starts) == 1:
            return starts[0]
        three = ISO639_2B_TO_T.get(key[:3], key[:3])
        if three in _BY_3:
            return _BY_3[three]
    if key in _COUNTRY_CODES:
        return _BY_1[_COUNTRY_CODES[key]]
    names = difflib.get_close_matches(key, list(_BY_NAME), n=1, cutoff=0.75)
    return _BY_NAME[names[0]] if names else None


def _refuse(raw: str, why: str) -> LanguageCodeError:
    parts = [p for p in re.split(r"[+\s]+", raw.strip()) if p]
    if len(parts) > 1:  # Tesseract's "eng+kor", or "en ko": a list was meant
        try:
            codes = [normalize_language(p) for p in parts]
        except LanguageCodeError:
            codes = []
        if codes:
            return LanguageCodeError(
                f"{raw!r} {why}. Did you mean {','.join(codes)!r} (languages are "
                f"a list, or codes joined by commas)? {_EXAMPLES}"
            )
    guess = _suggestion(raw)
    hint = (
        f"Did you mean {guess.iso639_1 or guess.iso639_3!r} ({guess.name})? "
        if guess is not None
        else ""
    )
    return LanguageCodeError(f"{raw!r} {why}. {hint}{_EXAMPLES}")


def model_language(code: str) -> tuple[str, str | None]:
    """What an OCR model must read for a code: its language and its script.

    Args:
        code: A code from :func:`normalize_languages` (any case, ``_`` or
            ``-``, ISO 639-2/B heads work too).

    Returns:
        The shortest ISO 639 code of the language, Norwegian (``"no"``) for
        its written standards ``"nb"`` and ``"nn"``; and the script subtag
        (an ISO 15924 code), else the script the language is written in in
        the code's region where that decides a model (``"zh-TW"`` ->
        ``"Hant"``, ``"zh-MY"`` -> ``"Hans"``, ``"sr"`` -> ``"Cyrl"``), else
        ``None``. Regions and other subtags (``"1996"``, ``"vert"``) are
        dropped.

        Tesseract's names read as :func:`parse_language` reads them
        (``"chi-tra-vert"`` -> ``("zh", "Hant")``, ``"frk"`` and
        ``"deu-frak"`` -> ``("de", "Latf")``, ``"fil"`` -> ``("tl", None)``),
        and a BCP 47 extended language subtag as its language (``"zh-yue"``
        -> ``("yue", None)``).

    Examples:
        >>> model_language("zh-HK"), model_language("sr-Latn-RS")
        (('zh', 'Hant'), ('sr', 'Latn'))
        >>> model_language("nb-NO"), model_language("en-US")
        (('no', None), ('en', None))
        >>> model_language("chi-tra-vert"), model_language("kur-ara")
        (('zh', 'Hant'), ('ku', 'Arab'))
    """
    key = code.strip().lower().replace("-", "_")
    tag = _variant_tag(key)  # a Tesseract variant: the language it reads
    head, *rest = (tag or _expand_name(key)).replace("_", "-").split("-")
    if tag is None:
        head, rest = _extlang(head, rest)
    head = _shortest(_WITHDRAWN.get(head.lower(), head.lower()))
    subtags = [_subtag(sub) for sub in rest]
    scripts = [sub for sub in subtags if _is_script(sub)]
    regions = [f"{head}-{sub}" for sub in subtags]
    scripts += [_LIKELY_SCRIPTS[tag] for tag in regions if tag in _LIKELY_SCRIPTS]
    script = scripts[0] if scripts else _LIKELY_SCRIPTS.get(head)
    return _READ_AS.get(head, head), script


def normalize_language(code: str, *, models: bool = True) -> str:
    """Bring one language code into the vocabulary's form.

    Args:
        code: An ISO 639-1/-2/-3 code, a BCP 47 tag (``"zh-Hant"``,
            ``"pt_BR"``), or a Tesseract traineddata name (``"chi_sim"``).
        models: Keep Tesseract's variants as the models asked for (what
            Tesseract runs). ``False`` reads a variant as the language and
            script it reads (``"jpn_vert"`` and ``"ja-vert"`` -> ``"ja"``,
            ``"deu_frak"`` -> ``"de-Latf"``), as :func:`parse_language`
            does: what every engine but Tesseract is asked for.

    Returns:
        The shortest ISO 639 code, with its script subtag title-cased, its
        region upper-cased and any other subtag in lower case (a model of
        your own: ``"eng_custom"`` -> ``"en-custom"``, which
        :func:`to_tesseract` maps back); a Tesseract name becomes the tag it
        reads (``"chi_sim"`` -> ``"zh-Hans"``, ``"chi_sim_custom"`` ->
        ``"zh-Hans-custom"``). Tesseract's variants that no tag names
        (``"jpn_vert"``, ``"ita_old"``, ``"frk"``) are kept, hyphenated, so
        that the model asked for is the one run; so are its models that read
        no language (``"osd"``). A language found in a file reads such a
        variant as its language (:func:`parse_language`). A BCP 47 extended
        language subtag of a macrolanguage names the language
        (``"zh-yue"`` -> ``"yue"``; the standard variety, ``"zh-cmn-Hans"``,
        -> ``"zh-Hans"``). Filipino stays ``"fil"`` (its own code), and
        engines read it with Tagalog's models (:func:`model_language`).

    Raises:
        LanguageCodeError: Not a language code, or three letters ISO 639 does
            not have (``"esp"``); the message names the code most likely meant.

    Examples:
        >>> normalize_language("ENG"), normalize_language("zh_hant_tw")
        ('en', 'zh-Hant-TW')
        >>> normalize_language("eng_custom"), normalize_language("eng_Best")
        ('en-custom', 'en-best')
        >>> normalize_language("jpn_vert"), normalize_language("jpn_vert", models=False)
        ('jpn-vert', 'ja')
    """
    raw = code.strip()
    if not _CODE.match(raw):
        raise _refuse(code, "is not an ISO 639 language code")
    key = raw.lower().replace("-", "_")
    if key in _TESSERACT_NON_LANGUAGES:
        return key
    if key in TESSERACT_NAMES:
        return TESSERACT_NAMES[key]
    if not models and (tag := _variant_tag(key)) is not None:
        return tag  # the language and script the variant reads
    if _tesseract_tag(key) is not None:  # a variant: asked for by its name
        return key.replace("_", "-")
    head, *rest = _expand_name(key).split("_")
    head = _WITHDRAWN.get(head, head)
    if _variant_tag(key) is None:  # "it-old": Tesseract's variant, no extlang
        head, rest = _extlang(head, rest)
    if head in _NO_LANGUAGE:
        raise LanguageCodeError(
            f"{code!r} names no language an engine can read (ISO 639's 'und', "
            "'zxx', 'mul' and 'mis' are none); leave languages unset for the "
            f"engine's default. {_EXAMPLES}"
        )
    if len(head) == 2 and head not in _BY_1:
        raise _refuse(code, "is not an ISO 639-1 language code")
    if len(head) == 3 and not _is_iso639(head):
        raise _refuse(code, "is not an ISO 639 language code")
    return "-".join([_shortest(head), *map(_subtag, rest)])


def normalize_languages(
    value: str | Sequence[str] | None, *, models: bool = True
) -> tuple[str, ...]:
    """Validate and normalise a language selection (user input).

    Args:
        value: ``None`` (the engine's default), a comma-separated string such as
            ``"en,ko"``, or a sequence of codes.
        models: Keep Tesseract's variants (``"jpn_vert"`` -> ``"jpn-vert"``),
            the models Tesseract is asked for; ``False`` reads each as the
            language it reads (``"ja"``), for every other engine (see
            :func:`normalize_language`).

    Returns:
        The codes as :func:`normalize_language` gives them, without
        duplicates, in the order given.

    Raises:
        LanguageCodeError: A code is not a language code (the message names
            the code meant).

    Examples:
        >>> normalize_languages(["zh_Hans", "en", "eng"])
        ('zh-Hans', 'en')
        >>> normalize_languages("jpn_vert, ja", models=False)
        ('ja',)
        >>> normalize_languages(None)
        ()
    """
    if value is None:
        return ()
    if isinstance(value, str):
        parts: list[object] = list(value.split(","))
    elif isinstance(value, Iterable) and not isinstance(value, (bytes, bytearray)):
        parts = list(value)
    else:
        raise LanguageCodeError(
            "languages must be a list of codes such as ['en', 'ko'] or a string "
            f"such as 'en,ko', got {value!r}"
        )
    out: list[str] = []
    for raw in parts:
        if not isinstance(raw, str):
            raise LanguageCodeError(
                f"languages must be strings such as 'en' or 'ko', got {raw!r}"
            )
        if not raw.strip():
            continue
        norm = normalize_language(raw, models=models)
        if norm not in out:
            out.append(norm)
    return tuple(out)


def parse_language(code: str | None) -> str | None:
    """Read a language found in a file (hOCR ``lang``, ALTO ``LANG``, PAGE names).

    Lenient: what is not a language gives ``None``, never an error.

    Args:
        code: A code or tag in any form :func:`normalize_language` takes, or
            an English language name (``"German"``, as PAGE-XML writes them).

    Returns:
        The normalised code, or ``None`` for an empty or unusable value, for
        codes that name no language (``"und"``, ``"zxx"``, ``"mul"``,
        ``"mis"``) and for Tesseract's non-language models (``"osd"``).

    Examples:
        >>> parse_language("ger"), parse_language("German"), parse_language("12")
        ('de', 'de', None)
        >>> parse_language("jpn_vert"), parse_language("ja-vert")
        ('ja', 'ja')
    """
    if not code or not code.strip():
        return None
    raw = code.strip()
    head = re.split(r"[-_]", raw.lower())[0]
    if head in _NO_LANGUAGE or raw.lower() in _TESSERACT_NON_LANGUAGES:
        return None
    lang = _BY_NAME.get(raw.lower())
    if lang is not None:
        return lang.iso639_1 or lang.iso639_3
    tag = _variant_tag(raw.lower().replace("-", "_"))
    if tag is not None:  # a model's name: the language it reads
        return tag
    return _normalized_or_none(raw)


def text_language(asked: Sequence[str]) -> str | None:
    """The language of every element an engine reads, told one language.

    Args:
        asked: The languages a read was asked for, as
            :func:`normalize_languages` gives them.

    Returns:
        The one language asked for, read as a file's language is
        (:func:`parse_language`: a Tesseract variant's language,
        ``"jpn-vert"`` -> ``"ja"``); ``None`` for none or several, or a
        code that reads no language (``"osd"``).

    Examples:
        >>> text_language(["pt-BR"]), text_language(["jpn-vert"])
        ('pt-BR', 'ja')
        >>> text_language(["en", "de"]) is None, text_language([]) is None
        (True, True)
    """
    return parse_language(asked[0]) if len(asked) == 1 else None


def _variant_tag(key: str) -> str | None:
    """The tag a Tesseract variant reads, its head in any ISO 639 form.

    Args:
        key: A name in lower case, ``_`` between its parts.

    Returns:
        :func:`_tesseract_tag`'s tag, a two-letter head read as its three
        letters (``"ja_vert"`` as ``"jpn_vert"``: ``"ja"``); ``None`` for
        what is no variant.
    """
    tag = _tesseract_tag(key)
    head, _, rest = key.partition("_")
    if tag is None and rest and head in _BY_1:
        tag = _tesseract_tag(f"{_BY_1[head].iso639_3}_{rest}")
    return tag


def _normalized_or_none(code: str) -> str | None:
    """:func:`normalize_language`, or ``None`` where ``code`` is no language code."""
    try:
        return normalize_language(code)
    except LanguageCodeError:
        return None


def parse_asked_language(code: str | None) -> str | None:
    """Read a language an engine was asked for, found in a file (``Page.languages``).

    What a page records as asked for (hOCR ``ocr-langs``, unocr's ALTO and
    PAGE-XML settings) names the models run, so it is read as
    :func:`normalize_language` reads user input: Tesseract's variants and
    non-language models (``"jpn_vert"``, ``"osd"``) are kept, where
    :func:`parse_language` reads the language of text. What is no language
    code is kept as written (a Tesseract model named by its file, which an
    engine was asked for); never an error.

    Args:
        code: A code in any form :func:`normalize_language` takes.

    Returns:
        The normalised code, the code as written where it is none, or
        ``None`` for an empty value or one holding white space.

    Examples:
        >>> parse_asked_language("jpn_vert"), parse_asked_language("eng")
        ('jpn-vert', 'en')
        >>> parse_asked_language("osd"), parse_asked_language("Latin_custom")
        ('osd', 'Latin_custom')
    """
    if not code or not code.strip():
        return None
    normal = _normalized_or_none(code)
    if normal is not None:
        return normal
    kept = code.strip()  # a model named by its file ("xyz", "script/Latin")
    return kept if not any(c.isspace() for c in kept) else None


def language_name(code: str | None) -> str | None:
    """The English name of a code's language, as PAGE-XML writes it.

    Args:
        code: A normalised code (any subtags are ignored).

    Returns:
        E.g. ``"German"`` for ``"de"``, ``"Tagalog"`` for ``"tl"`` and
        ``"fil"`` (Filipino, standardised Tagalog); ``None`` for a language
        the table does not name.
    """
    if not code:
        return None
    head = _shortest(code.replace("_", "-").split("-")[0].lower())
    head = _SAME_LANGUAGE.get(head, head)
    lang = _BY_1.get(head) or _BY_3.get(head)
    return lang.name if lang is not None else None


def to_iso639_3(code: str) -> str:
    """Map a code to ISO 639-3 (2-letter and bibliographic codes translated).

    Any script or region subtag is dropped.

    Args:
        code: A normalised code from :func:`normalize_languages`.

    Returns:
        The three-letter code.

    Raises:
        LanguageCodeError: A two-letter code unknown to ISO 639-1 (the message
            names the code most likely meant).
    """
    head = code.split("-")[0].lower()
    if len(head) == 3:
        return ISO639_2B_TO_T.get(head, head)
    lang = _BY_1.get(head)
    if lang is None:
        raise _refuse(code, "is not an ISO 639-1 language code")
    return lang.iso639_3


def to_tesseract(code: str) -> str:
    """The Tesseract traineddata name that reads a code's language.

    Args:
        code: A code from :func:`normalize_languages`, e.g. ``"en"``,
            ``"zh-Hant"``, ``"grc"`` (it is not normalised again; any case
            and ISO 639-2/B codes still work); Tesseract's own names pass
            through (``"chi-sim"``, ``"jpn_vert"``, ``"frk"``).

    Returns:
        The traineddata name, e.g. ``"eng"`` (model file ``eng.traineddata``).
        A region only decides the script (:func:`model_language`), a script
        the model: the one :func:`from_tesseract` reads as that language and
        script (``"sr-Latn"``: ``srp_latn``, ``"de-Latf"``: ``deu_latf``,
        ``"da-Latf"``: ``dan_frak``, ``"ku-Arab"``: ``kur_ara``), else the
        language's own model where it reads that script (``"sr-Cyrl"``:
        ``srp``, ``"en-Latn"``: ``eng``). A script no model of the language
        reads is kept in the name (``"en-Cyrl"``: ``eng_cyrl``,
        ``"zh-Latn"``: ``zho_latn``), so that a missing model is named as
        such; any other subtag, which no model of Tesseract's is named for,
        is kept too, joined with ``_``: the name of a model of your own
        (``"en-custom"``, from ``"eng_custom"``: ``eng_custom``), never
        another model in its place. A BCP 47 extended language subtag names
        the language (``"zh-yue"``: ``yue``).

    Raises:
        LanguageCodeError: An unknown two-letter code.

    Examples:
        >>> to_tesseract("en"), to_tesseract("zh"), to_tesseract("zh-TW")
        ('eng', 'chi_sim', 'chi_tra')
        >>> to_tesseract("sr-Latn"), to_tesseract("jpn-vert"), to_tesseract("ger")
        ('srp_latn', 'jpn_vert', 'deu')
        >>> to_tesseract("nb-NO"), to_tesseract("zh-MY"), to_tesseract("tl")
        ('nor', 'chi_sim', 'fil')
        >>> to_tesseract("en-US-custom"), to_tesseract("zh-Hant-custom")
        ('eng_custom', 'chi_tra_custom')
        >>> to_tesseract("ku-Arab"), to_tesseract("da-Latf"), to_tesseract("en-Cyrl")
        ('kur_ara', 'dan_frak', 'eng_cyrl')
    """
    key = code.strip().lower().replace("-", "_")
    if _tesseract_tag(key) is not None:
        return key
    head, *rest = _expand_name(key).split("_")
    if _variant_tag(key) is None:  # "it-old": Tesseract's variant, no extlang
        head, rest = _extlang(head, rest)
    language, script = model_language("_".join([head, *rest]))
    plain = _TESSERACT_FOR_TAG.get(language) or to_iso639_3(language)
    scripted = _TESSERACT_FOR_TAG.get(f"{language}-{script}".lower())
    if scripted is not None:  # a model named for the language and script
        name = scripted
    elif script is None or script == _MODEL_SCRIPTS.get(language, "Latn"):
        name = plain  # the script the language's own model reads
    elif script in _SCRIPT_SUFFIXES:  # kur_ara, dan_frak
        name = f"{to_iso639_3(language)}_{_SCRIPT_SUFFIXES[script]}"
    else:  # no model reads it: named, to be found or reported missing
        name = f"{plain}_{script.lower()}"
    variants = [sub for sub in rest if not (_is_script(sub) or _is_region(sub))]
    return "_".join([name, *variants])


def from_tesseract(name: str) -> str | None:
    """The code of a Tesseract traineddata name.

    Args:
        name: A traineddata name such as ``"eng"`` or ``"chi_tra"``.

    Returns:
        The code :func:`parse_language` gives, which :func:`to_tesseract`
        maps back to a model of the same language and script: ``"en"``,
        ``"zh-Hant"``, ``"ku-Arab"`` (``"kur_ara"``), ``"fil"`` (Filipino's
        model, which also reads Tagalog, ``"tl"``); three
        letters where no two-letter code exists, ``"grc"``; vertical and
        historic variants give their language (``"jpn_vert"`` -> ``"ja"``,
        ``"ita_old"`` -> ``"it"``), Fraktur models German (or Danish, Slovak)
        in Fraktur (``"frk"``, ``"deu_frak"`` -> ``"de-Latf"``). ``None`` for
        models that are not languages (``"osd"``, ``"equ"``) and for script
        models (``"script/Latin"``, capitalised: ``"Latin"``).

    Examples:
        >>> from_tesseract("chi_sim_vert"), from_tesseract("frk")
        ('zh-Hans', 'de-Latf')
    """
    key = name.strip()
    if not key or _SCRIPT_MODEL.search(key):
        return None
    return parse_language(key)

"""One language vocabulary across engines: ISO 639 codes.

Users name languages with ISO 639-1 codes (``"en"``, ``"ko"``, ``"de"``) or,
where a language has none, ISO 639-3 codes (``"frk"``); an optional BCP 47
script or region subtag is kept (``"zh-Hans"``, ``"sr-Latn"``). Each backend
maps these codes to its own names (Tesseract ``eng``, ``chi_sim``...).

Examples:
    >>> normalize_languages("en, KO")
    ('en', 'ko')
    >>> to_iso639_3("de")
    'deu'
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from unocr.errors import LanguageCodeError

__all__ = ["ISO639_1_TO_3", "LanguageCodeError", "normalize_languages", "to_iso639_3"]

_CODE = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")

#: ISO 639-1 code -> ISO 639-2/T (= 639-3 for individual languages).
ISO639_1_TO_3: dict[str, str] = {
    "af": "afr", "am": "amh", "ar": "ara", "as": "asm", "az": "aze", "be": "bel",
    "bg": "bul", "bn": "ben", "bo": "bod", "bs": "bos", "ca": "cat", "cs": "ces",
    "cy": "cym", "da": "dan", "de": "deu", "dz": "dzo", "el": "ell", "en": "eng",
    "eo": "epo", "es": "spa", "et": "est", "eu": "eus", "fa": "fas", "fi": "fin",
    "fr": "fra", "ga": "gle", "gd": "gla", "gl": "glg", "gu": "guj", "he": "heb",
    "hi": "hin", "hr": "hrv", "ht": "hat", "hu": "hun", "hy": "hye", "id": "ind",
    "is": "isl", "it": "ita", "iu": "iku", "ja": "jpn", "jv": "jav", "ka": "kat",
    "kk": "kaz", "km": "khm", "kn": "kan", "ko": "kor", "ku": "kur", "ky": "kir",
    "la": "lat", "lb": "ltz", "lo": "lao", "lt": "lit", "lv": "lav", "mi": "mri",
    "mk": "mkd", "ml": "mal", "mn": "mon", "mr": "mar", "ms": "msa", "mt": "mlt",
    "my": "mya", "ne": "nep", "nl": "nld", "no": "nor", "oc": "oci", "or": "ori",
    "pa": "pan", "pl": "pol", "ps": "pus", "pt": "por", "qu": "que", "ro": "ron",
    "ru": "rus", "sa": "san", "sd": "snd", "si": "sin", "sk": "slk", "sl": "slv",
    "sq": "sqi", "sr": "srp", "su": "sun", "sv": "swe", "sw": "swa", "ta": "tam",
    "te": "tel", "tg": "tgk", "th": "tha", "ti": "tir", "tl": "tgl", "to": "ton",
    "tr": "tur", "tt": "tat", "ug": "uig", "uk": "ukr", "ur": "urd", "uz": "uzb",
    "vi": "vie", "yi": "yid", "yo": "yor", "zh": "zho",
}  # fmt: skip


def normalize_languages(value: str | Sequence[str] | None) -> tuple[str, ...]:
    """Validate and normalise a language selection.

    Args:
        value: ``None`` (the engine's default), a comma-separated string such as
            ``"en,ko"``, or a sequence of codes.

    Returns:
        The codes, primary subtag lower-cased, ``_`` turned into ``-``, without
        duplicates, in the order given.

    Raises:
        LanguageCodeError: A code is not an ISO 639 code.

    Examples:
        >>> normalize_languages(["zh_Hans", "en", "en"])
        ('zh-Hans', 'en')
        >>> normalize_languages(None)
        ()
    """
    if value is None:
        return ()
    parts = value.split(",") if isinstance(value, str) else list(value)
    out: list[str] = []
    for raw in parts:
        if not isinstance(raw, str):
            raise LanguageCodeError(
                f"languages must be strings such as 'en' or 'ko', got {raw!r}"
            )
        code = raw.strip()
        if not code:
            continue
        if not _CODE.match(code):
            raise LanguageCodeError(
                f"{raw!r} is not an ISO 639 language code; use codes such as "
                "'en', 'ko', 'de' (or 3-letter ISO 639-3 codes such as 'frk')"
            )
        head, *rest = code.replace("_", "-").split("-")
        norm = "-".join([head.lower(), *rest])
        if norm not in out:
            out.append(norm)
    return tuple(out)


def to_iso639_3(code: str) -> str:
    """Map an ISO 639-1 code to ISO 639-3; 3-letter codes pass through.

    Any script or region subtag is dropped.

    Args:
        code: A normalised code from :func:`normalize_languages`.

    Returns:
        The three-letter code.

    Raises:
        LanguageCodeError: A two-letter code unknown to ISO 639-1.
    """
    head = code.split("-")[0].lower()
    if len(head) == 3:
        return head
    try:
        return ISO639_1_TO_3[head]
    except KeyError:
        raise LanguageCodeError(
            f"unknown ISO 639-1 language code {code!r}; use a 3-letter ISO 639-3 "
            "code for this language"
        ) from None

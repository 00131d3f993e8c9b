"""ISO 639 codes <-> Tesseract traineddata names (pure, no engine import).

Tesseract names its models after ISO 639-2/3 codes (``eng``, ``kor``, ``deu``)
with a few exceptions for scripts and variants (``chi_sim``, ``chi_tra``,
``srp_latn``...). unocr users speak ISO 639-1 (``en``, ``ko``); this module maps
between the two and names the Debian/Ubuntu package that installs each model.

Examples:
    >>> to_tesseract("en"), to_tesseract("zh"), to_tesseract("zh-Hant")
    ('eng', 'chi_sim', 'chi_tra')
    >>> to_tesseract("chi-sim")  # Tesseract's own names pass through
    'chi_sim'
    >>> apt_package("chi_sim")
    'tesseract-ocr-chi-sim'
    >>> from_tesseract("kor"), from_tesseract("chi_tra")
    ('ko', 'zh-Hant')
"""

from __future__ import annotations

from unocr.languages import ISO639_1_TO_3, to_iso639_3

__all__ = ["apt_package", "from_tesseract", "to_tesseract"]

#: Normalised unocr codes whose Tesseract name is not their ISO 639-3 code.
_SPECIAL: dict[str, str] = {
    "zh": "chi_sim",
    "zh-hans": "chi_sim",
    "zh-cn": "chi_sim",
    "zh-sg": "chi_sim",
    "zh-hant": "chi_tra",
    "zh-tw": "chi_tra",
    "zh-hk": "chi_tra",
    "zho": "chi_sim",
    "ku": "kmr",
    "kur": "kmr",
    "sr-latn": "srp_latn",
    "az-cyrl": "aze_cyrl",
    "uz-cyrl": "uzb_cyrl",
    "ja-vert": "jpn_vert",
}

_ISO3_TO_1 = {v: k for k, v in ISO639_1_TO_3.items()}
_TESS_TO_ISO = {
    "chi_sim": "zh",
    "chi_tra": "zh-Hant",
    "kmr": "ku",
    "srp_latn": "sr-Latn",
    "aze_cyrl": "az-Cyrl",
    "uzb_cyrl": "uz-Cyrl",
    "jpn_vert": "ja",
}


def to_tesseract(code: str) -> str:
    """Map a normalised ISO 639 code to the Tesseract traineddata name.

    Args:
        code: A code from :func:`unocr.languages.normalize_languages`, e.g.
            ``"en"``, ``"zh-Hant"``, ``"frk"``; Tesseract's own names written
            with a hyphen (``"chi-sim"``, ``"deu-latf"``) are accepted too.

    Returns:
        The traineddata name, e.g. ``"eng"`` (model file ``eng.traineddata``).

    Raises:
        unocr.languages.LanguageCodeError: An unknown two-letter code.
    """
    key = code.lower()
    if key in _SPECIAL:
        return _SPECIAL[key]
    head, _, rest = key.partition("-")
    if len(head) == 3 and rest:
        # Tesseract's own variant names: chi_sim, deu_latf, srp_latn, ...
        return f"{head}_{rest.replace('-', '_')}"
    return to_iso639_3(head)


def from_tesseract(name: str) -> str | None:
    """Map a Tesseract traineddata name back to an ISO 639 code.

    Args:
        name: A traineddata name such as ``"eng"`` or ``"chi_tra"``.

    Returns:
        The ISO 639-1 code where one exists (``"en"``), else the three-letter
        code (``"frk"``); ``None`` for non-language models (``"osd"``,
        ``"equ"``).
    """
    if name in ("osd", "equ"):
        return None
    if name in _TESS_TO_ISO:
        return _TESS_TO_ISO[name]
    head = name.split("_")[0]
    return _ISO3_TO_1.get(head, head)


def apt_package(name: str) -> str:
    """Debian/Ubuntu package that installs a Tesseract traineddata file.

    Args:
        name: Traineddata name, e.g. ``"kor"`` or ``"chi_sim"``.

    Returns:
        E.g. ``"tesseract-ocr-kor"``, ``"tesseract-ocr-chi-sim"``.
    """
    return "tesseract-ocr-" + name.lower().replace("_", "-")

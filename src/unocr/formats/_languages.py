"""Language codes found in OCR files, normalised to unocr's ISO 639 form."""

from __future__ import annotations

import re

__all__ = ["iso_language"]

# ISO 639-2/B codes and Tesseract model names that are not ISO 639-3.
_SPECIAL_CODES = {
    "chi": "zh", "chi_sim": "zh-Hans", "chi_tra": "zh-Hant", "chi_sim_vert": "zh-Hans",
    "chi_tra_vert": "zh-Hant", "jpn_vert": "ja", "kor_vert": "ko", "ger": "de",
    "fre": "fr", "dut": "nl", "cze": "cs", "gre": "el", "per": "fa", "rum": "ro",
    "slo": "sk", "alb": "sq", "arm": "hy", "baq": "eu", "bur": "my", "geo": "ka",
    "ice": "is", "mac": "mk", "mao": "mi", "may": "ms", "tib": "bo", "wel": "cy",
    "deu_frak": "de", "deu_latf": "de", "aze_cyrl": "az-Cyrl", "uzb_cyrl": "uz-Cyrl",
    "srp_latn": "sr-Latn", "kmr": "ku", "osd": "",
}  # fmt: skip


def iso_language(code: str | None) -> str | None:
    """Normalise a language code found in a file to unocr's ISO 639 form.

    ISO 639-1 codes pass through (``"en"``), ISO 639-2/3 codes and
    Tesseract model names with a two-letter equivalent are shortened
    (``"eng"`` -> ``"en"``, ``"chi_sim"`` -> ``"zh-Hans"``), other
    three-letter codes stay (``"frk"``).

    Args:
        code: The code as found (``lang`` attribute, ``LANG``, TSV...).

    Returns:
        The normalised code, or ``None`` for an empty or unusable value.
    """
    from unocr.languages import ISO639_1_TO_3

    if not code:
        return None
    raw = code.strip()
    if not raw:
        return None
    lowered = raw.lower().replace("-", "_")
    if lowered in _SPECIAL_CODES:
        return _SPECIAL_CODES[lowered] or None
    head, _, rest = raw.replace("_", "-").partition("-")
    head = head.lower()
    if not re.fullmatch(r"[a-z]{2,8}", head):
        return None
    if len(head) == 3:
        for two, three in ISO639_1_TO_3.items():
            if three == head:
                head = two
                break
    return f"{head}-{rest}" if rest else head

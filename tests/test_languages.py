"""The ISO 639 language vocabulary."""

from __future__ import annotations

import pytest

from unocr.errors import UnocrError
from unocr.languages import normalize_languages, to_iso639_3


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, ()),
        ("", ()),
        ("en", ("en",)),
        ("en, KO", ("en", "ko")),
        (["de", "de", "fr"], ("de", "fr")),
        (("zh_Hans", "sr-Latn"), ("zh-Hans", "sr-Latn")),
        (["frk"], ("frk",)),
    ],
)
def test_normalize(given, expected):
    assert normalize_languages(given) == expected


@pytest.mark.parametrize("bad", ["english", "e", "en!", "12", [3]])
def test_normalize_rejects_non_codes(bad):
    with pytest.raises(UnocrError, match=r"ISO 639|strings") as info:
        normalize_languages(bad)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("en", "eng"),
        ("ko", "kor"),
        ("de", "deu"),
        ("fr", "fra"),
        ("zh-Hans", "zho"),
        ("frk", "frk"),
    ],
)
def test_to_iso639_3(code, expected):
    assert to_iso639_3(code) == expected


def test_to_iso639_3_unknown_two_letter_code():
    with pytest.raises(UnocrError, match="unknown ISO 639-1"):
        to_iso639_3("qq")

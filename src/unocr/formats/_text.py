"""Text as the XML formats write it: the characters XML holds, and text direction."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from unocr._direction import is_rtl

if TYPE_CHECKING:
    from unocr.model import Word

__all__ = ["clean_text", "is_rtl", "symbols_fit"]

# Characters XML 1.0 forbids (controls other than tab/LF/CR, lone surrogates,
# U+FFFE/U+FFFF). They cannot go into any XML format, so writers drop them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Drop the characters XML 1.0 cannot hold.

    Args:
        text: Any text.

    Returns:
        The text without C0 controls (except tab, LF, CR), lone surrogates,
        U+FFFE and U+FFFF.
    """
    return _XML_ILLEGAL.sub("", text)


def symbols_fit(word: Word, *, one_character: bool = False) -> bool:
    """Whether a word's symbols can be written as its text (hOCR, ALTO, PAGE-XML).

    They must spell the word, and each must keep a character where the XML
    formats drop what XML cannot hold (:func:`clean_text`):
    a symbol written empty would read back as a symbol without text.

    Args:
        word: The word.
        one_character: Each symbol must be exactly one character once
            cleaned (ALTO's ``Glyph CONTENT``).

    Returns:
        ``True`` when the symbols can be written.
    """
    if not word.symbols or "".join(s.text for s in word.symbols) != word.text:
        return False
    sizes = [len(clean_text(s.text)) for s in word.symbols]
    return all(n == 1 if one_character else n > 0 for n in sizes)

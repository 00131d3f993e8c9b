"""Text as the XML formats write it: the characters XML holds, and text direction."""

from __future__ import annotations

import re

from unocr._direction import is_rtl

__all__ = ["clean_text", "is_rtl"]

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

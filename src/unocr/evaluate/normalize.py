"""Text normalisation applied before comparing transcriptions."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Normalization", "normalize_text"]

_SPACE = re.compile(r"\s+")


def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch).startswith(("P", "S"))


@dataclass(frozen=True)
class Normalization:
    """How transcriptions are normalised before they are compared.

    The default compares text exactly, except that runs of whitespace count
    as one space and leading/trailing whitespace is dropped.

    Attributes:
        ignore_case: Compare case-insensitively (Unicode case folding, so
            ``"Straße"`` equals ``"STRASSE"``).
        nfkc: Apply Unicode NFKC first (folds compatibility characters:
            ligatures ``ﬁ`` -> ``fi``, full-width forms, long s U+017F -> ``s``).
        ignore_punctuation: Remove punctuation and symbols (Unicode categories
            P* and S*: ``.,;:!?'"()[]-`` and also ``$ % + =``).

    Examples:
        >>> normalize_text(" Hello,  World! ", Normalization(ignore_case=True))
        'hello, world!'
        >>> normalize_text("ﬁne.", Normalization(nfkc=True, ignore_punctuation=True))
        'fine'
    """

    ignore_case: bool = False
    nfkc: bool = False
    ignore_punctuation: bool = False

    def to_dict(self) -> dict[str, bool]:
        """The settings as a plain dict (for JSON reports)."""
        return {
            "ignore_case": self.ignore_case,
            "nfkc": self.nfkc,
            "ignore_punctuation": self.ignore_punctuation,
        }


def normalize_text(text: str, normalization: Normalization | None = None) -> str:
    """Normalise ``text`` as ``normalization`` says; whitespace is always collapsed.

    Args:
        text: Any string.
        normalization: The settings (default: exact comparison).

    Returns:
        The normalised text: NFKC (optional), case folded (optional),
        punctuation removed (optional), whitespace runs turned into single
        spaces, ends stripped.
    """
    norm = normalization or Normalization()
    if norm.nfkc:
        text = unicodedata.normalize("NFKC", text)
    if norm.ignore_case:
        text = text.casefold()
    if norm.ignore_punctuation:
        text = "".join(ch for ch in text if not _is_punctuation(ch))
    return _SPACE.sub(" ", text).strip()

"""Text normalisation applied before comparing transcriptions.

A :class:`Normalization` says how two transcriptions are made comparable:
case, compatibility forms, punctuation, whitespace, and the ICDAR 2015
edge-punctuation allowance. :data:`NORMALIZATIONS` names the presets that
dataset kinds declare (``unocr.datasets.Dataset.normalization``) and that
``unocr compare --normalization`` selects.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from typing import Any, Literal

from unocr.backends.options import check_choice

__all__ = [
    "ICDAR_EDGE_PUNCTUATION",
    "NORMALIZATIONS",
    "Normalization",
    "normalize_text",
    "texts_match",
]

_SPACE = re.compile(r"\s+")

#: Characters that ICDAR 2015 Task 4.4 forgives at either end of a ground-truth
#: word (``SPECIAL_CHARACTERS`` of the official end-to-end script).
ICDAR_EDGE_PUNCTUATION = "!?.:,*\"()·[]/'"

CaseMapping = Literal["casefold", "upper"]


def _is_punctuation(ch: str) -> bool:
    return unicodedata.category(ch).startswith(("P", "S"))


@dataclass(frozen=True)
class Normalization:
    """How transcriptions are normalised before they are compared.

    The default compares text exactly, except that runs of whitespace count
    as one space and leading/trailing whitespace is dropped.

    Attributes:
        ignore_case: Compare case-insensitively.
        nfkc: Apply Unicode NFKC first (folds compatibility characters:
            ligatures ``ﬁ`` -> ``fi``, full-width forms, long s U+017F -> ``s``).
        ignore_punctuation: Remove punctuation and symbols (Unicode categories
            P* and S*: ``.,;:!?'"()[]-`` and also ``$ % + =``).
        case_mapping: How ``ignore_case`` maps case: ``"casefold"`` (Unicode
            case folding, ``"Straße"`` equals ``"STRASSE"``) or ``"upper"``
            (Python's ``str.upper()`` on both sides, the ICDAR 2015 rule).
        edge_punctuation: For end-to-end matches only: one leading and/or one
            trailing character of the *ground truth* from this set may be
            missing from the detection (ICDAR 2015 Task 4.4). Empty = off.
        collapse_whitespace: Turn whitespace runs into one space and strip
            the ends (the official ICDAR scripts compare words as given; page
            texts are always collapsed).
        name: The preset's name, shown in tables (``""`` for a custom one).

    Examples:
        >>> normalize_text(" Hello,  World! ", Normalization(ignore_case=True))
        'hello, world!'
        >>> normalize_text("ﬁne.", Normalization(nfkc=True, ignore_punctuation=True))
        'fine'
    """

    ignore_case: bool = False
    nfkc: bool = False
    ignore_punctuation: bool = False
    case_mapping: CaseMapping = "casefold"
    edge_punctuation: str = ""
    collapse_whitespace: bool = True
    name: str = ""

    def __post_init__(self) -> None:
        check_choice(self.case_mapping, "case_mapping", ("casefold", "upper"))

    def describe(self) -> str:
        """A short human description, e.g. ``"icdar2015 (upper case, ...)"``."""
        parts = []
        if self.ignore_case:
            parts.append(
                "case ignored (upper)"
                if self.case_mapping == "upper"
                else "case ignored"
            )
        if self.nfkc:
            parts.append("NFKC")
        if self.ignore_punctuation:
            parts.append("punctuation ignored")
        if self.edge_punctuation:
            parts.append("one edge punctuation mark of the truth forgiven")
        if not self.collapse_whitespace:
            parts.append("words compared as given")
        if self.name:
            return f"{self.name} ({', '.join(parts) or 'whitespace collapsed'})"
        return ", ".join(parts) or "exact (whitespace collapsed)"

    def to_dict(self) -> dict[str, Any]:
        """The settings as a plain dict (for JSON reports)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Normalization:
        """The inverse of :meth:`to_dict` (unknown keys are an error).

        Raises:
            TypeError: An unknown key.
        """
        return cls(**data)


#: Named presets: what dataset kinds declare and ``--normalization`` selects.
NORMALIZATIONS: dict[str, Normalization] = {
    "exact": Normalization(name="exact"),
    "ignore-case": Normalization(ignore_case=True, name="ignore-case"),
    # The ICDAR 2015 rule: str.upper() on both sides, words as given, one
    # edge punctuation mark of the ground truth forgiven (Task 4.4 script.py,
    # transcription_match with ONLY_REMOVE_FIRST_LAST_CHARACTER=True).
    "icdar2015": Normalization(
        ignore_case=True,
        case_mapping="upper",
        edge_punctuation=ICDAR_EDGE_PUNCTUATION,
        collapse_whitespace=False,
        name="icdar2015",
    ),
}


def normalize_text(text: str, normalization: Normalization | None = None) -> str:
    """Normalise ``text`` as ``normalization`` says.

    Args:
        text: Any string.
        normalization: The settings (default: exact comparison).

    Returns:
        The normalised text: NFKC (optional), case mapped (optional),
        punctuation removed (optional), whitespace runs turned into single
        spaces and ends stripped (unless ``collapse_whitespace`` is off).
    """
    norm = normalization or Normalization()
    if norm.nfkc:
        text = unicodedata.normalize("NFKC", text)
    if norm.ignore_case:
        text = text.upper() if norm.case_mapping == "upper" else text.casefold()
    if norm.ignore_punctuation:
        text = "".join(ch for ch in text if not _is_punctuation(ch))
    if not norm.collapse_whitespace:
        return text
    return _SPACE.sub(" ", text).strip()


def texts_match(
    truth: str, detected: str, normalization: Normalization | None = None
) -> bool:
    """Whether a detection's text counts as correct for an end-to-end match.

    Both texts are normalised; then they must be equal, or, where
    ``edge_punctuation`` is set, equal once one leading and/or one trailing
    character of that set is dropped from the ground truth (never from the
    detection): ICDAR 2015 Task 4.4, ``transcription_match`` of the official
    ``script.py``.

    Args:
        truth: The ground-truth transcription.
        detected: The engine's transcription.
        normalization: The settings (default: exact comparison).

    Returns:
        True for a correct transcription.

    Examples:
        >>> icdar = NORMALIZATIONS["icdar2015"]
        >>> texts_match("(Hello!", "HELLO", icdar)
        True
        >>> texts_match("Hello", "HELLO!", icdar)
        False
    """
    norm = normalization or Normalization()
    t = normalize_text(truth, norm)
    d = normalize_text(detected, norm)
    if t == d:
        return True
    edge = norm.edge_punctuation
    if not edge or not t:
        return False
    first, last = t[0] in edge, t[-1] in edge
    return (
        (first and t[1:] == d)
        or (last and t[:-1] == d)
        or (first and last and t[1:-1] == d)
    )

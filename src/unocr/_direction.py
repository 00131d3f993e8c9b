"""Text direction: whether a text reads right to left, decided by its letters.

Package-internal; one rule for the reading order (:mod:`unocr.model.layout`),
the splitting of lines into words (:mod:`unocr.model.wordsplit`) and the XML
formats' ``dir`` attributes (:mod:`unocr.formats`). Letters vote by their
Unicode bidirectional class: ``R`` and ``AL`` (Hebrew, Arabic, Syriac,
Thaana, N'Ko...) for right to left, ``L`` for left to right; digits,
punctuation and spaces do not vote, and the majority decides (an Arabic line
with an English word in it reads right to left). A page's direction is that
of most of its letters too (:func:`mostly_rtl`), not of most of its lines: a
table of short English cells does not outvote Hebrew prose.

Inside a right-to-left line, a run of left-to-right words is shown left to
right (:func:`ltr_runs`: the Unicode Bidirectional Algorithm, UAX #9, its
rules W, N and L taken word by word): "New York" in a Hebrew line keeps
"New" on the left, and :func:`rtl_order` turns the order of the words on the
image into their logical order (and back). Inside a word, the characters a
reader extracts in the order shown are put back in logical order by the same
algorithm, character by character (:func:`visual_to_logical`: its rules W4,
W5, W7, N1, N2 and L2, for text without explicit embeddings), with
:data:`MIRRORED` giving the bracket a right-to-left run shows for each.

Examples:
    >>> is_rtl("שלום עולם, hi"), is_rtl("Hello"), is_rtl("2024")
    (True, False, False)
    >>> shown = ["שנתיים", "New", "York", "ב", "גרתי"]  # on the image, left to right
    >>> " ".join(shown[i] for i in rtl_order(shown, rtl_balance(shown)))
    'גרתי ב New York שנתיים'
    >>> shown = list("12 דומע")  # "עמוד 12" shown left to right
    >>> "".join(shown[i] for i in visual_to_logical(shown, rtl=True)[0])
    'עמוד 12'
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MIRRORED",
    "is_rtl",
    "ltr_runs",
    "mostly_rtl",
    "rtl_balance",
    "rtl_order",
    "visual_to_logical",
]

IntArray = NDArray[np.intp]

# Unicode bidirectional classes of the letters that vote for a text's direction.
_STRONG = {"R": 1, "AL": 1, "L": -1}
_RIGHT_TO_LEFT = frozenset(("R", "AL"))
_NUMBER = frozenset(("EN", "AN"))
_SEPARATOR = frozenset(("ES", "CS"))  # between two digits: part of the number
# Brackets and signs shown mirrored in right-to-left text (Unicode's
# Bidi_Mirroring_Glyph pairs in common use), both ways.
_MIRROR_PAIRS = (
    "()<>[]{}«»‹›⁅⁆⁽⁾₍₎≤≥∈∋≪≫⟨⟩⟦⟧〈〉《》「」『』【】〔〕〖〗（）＜＞［］｛｝｢｣"
)
MIRRORED = {
    **dict(zip(_MIRROR_PAIRS[::2], _MIRROR_PAIRS[1::2], strict=True)),
    **dict(zip(_MIRROR_PAIRS[1::2], _MIRROR_PAIRS[::2], strict=True)),
}


def rtl_balance(texts: Sequence[str]) -> IntArray | None:
    """Right-to-left minus left-to-right letters of each text.

    Letters vote by their Unicode bidirectional class: ``R`` and ``AL``
    (Hebrew, Arabic, Syriac, Thaana, N'Ko...) for right to left, ``L`` for
    left to right; digits, punctuation and spaces do not vote. One pass over
    the texts' characters, each distinct character looked up once.

    Args:
        texts: The texts of words or lines.

    Returns:
        (N,) the balance of each text (positive: read right to left), or
        ``None`` where no text is right-to-left (everything reads left to
        right).
    """
    joined = "".join(texts)
    if joined.isascii():
        return None
    codes = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    distinct, inverse = np.unique(codes, return_inverse=True)
    votes = np.array(
        [_STRONG.get(unicodedata.bidirectional(chr(c)), 0) for c in distinct.tolist()],
        dtype=np.intp,
    )
    if not np.any(votes > 0):
        return None
    total = np.concatenate([[0], np.cumsum(votes[inverse.reshape(-1)])])
    ends = np.cumsum(np.fromiter(map(len, texts), dtype=np.intp, count=len(texts)))
    balance = total[ends] - total[np.concatenate([[0], ends[:-1]])]
    return balance if np.any(balance > 0) else None


def mostly_rtl(balance: IntArray | None) -> bool:
    """Whether more of the texts' letters read right to left than left to right.

    Letters vote, not texts: eighteen short English table cells do not
    outvote sixteen lines of Hebrew prose.

    Args:
        balance: :func:`rtl_balance` of the texts (a page's lines or words).
    """
    return balance is not None and int(np.sum(balance)) > 0


def _kind(text: str, balance: int) -> str:
    """How a word of a right-to-left line acts on its neighbours' direction.

    ``L`` and ``R`` by its letters' majority; without one, ``EN`` for a
    number in European digits, ``AN`` for one in Arabic-Indic digits, and
    ``N`` (neutral: punctuation, signs) otherwise.
    """
    if balance:
        return "L" if balance < 0 else "R"
    classes = {unicodedata.bidirectional(ch) for ch in text}
    return "EN" if "EN" in classes else "AN" if "AN" in classes else "N"


def ltr_runs(texts: Sequence[str], balance: IntArray) -> list[tuple[int, int]]:
    """Runs of two or more words that a right-to-left line shows left to right.

    The Unicode Bidirectional Algorithm (UAX #9) taken word by word: a word
    with more left-to-right letters is left to right; a number (European
    digits) is too where the nearest word with letters before it is (W7:
    "Windows 11"), and otherwise keeps its own place like a right-to-left
    word (a phone number's groups, a price); a word of punctuation or signs
    between two left-to-right words joins them (N1: "Tom & Jerry"), and is
    right to left anywhere else (N2). A run is a maximal stretch of
    consecutive left-to-right words. Inside a run the logical order and the
    image's left-to-right order agree, so the words may be given in either.

    Args:
        texts: The words of one right-to-left line, in logical order or as
            the image shows them, left to right.
        balance: (N,) :func:`rtl_balance` of the words.

    Returns:
        ``(start, stop)`` positions of each run, in order; empty where no word
        is left to right.
    """
    if not np.any(balance < 0):
        return []
    kinds = [_kind(t, b) for t, b in zip(texts, balance.tolist(), strict=True)]
    ltr = [False] * len(kinds)
    strong = "R"  # the line's own direction before its first word
    for i, kind in enumerate(kinds):
        if kind in ("L", "R"):
            strong = kind
        ltr[i] = kind == "L" or (kind == "EN" and strong == "L")
    # A neutral word takes the direction of its nearest other neighbours
    # where both are left to right.
    resolved = [i for i, kind in enumerate(kinds) if kind != "N"]
    for a, b in itertools.pairwise(resolved):
        if b > a + 1 and ltr[a] and ltr[b]:
            ltr[a + 1 : b] = [True] * (b - a - 1)
    runs: list[tuple[int, int]] = []
    start = 0
    for i in range(len(ltr) + 1):
        if i == len(ltr) or not ltr[i]:
            if i - start > 1:
                runs.append((start, i))
            start = i + 1
    return runs


def rtl_order(texts: Sequence[str], balance: IntArray) -> list[int]:
    """The words of a right-to-left line in its other order.

    Read from the line's end, each run of :func:`ltr_runs` kept in its own
    order: the words as the image shows them (left to right) give their
    logical order, and the logical order gives the image's.

    Args:
        texts: The words of one right-to-left line, as the image shows them
            left to right (or in logical order).
        balance: (N,) :func:`rtl_balance` of the words.

    Returns:
        Positions in ``texts``, in logical order (or the image's).
    """
    units: list[range] = []
    at = 0
    for start, stop in ltr_runs(texts, balance):
        units.extend(range(i, i + 1) for i in range(at, start))
        units.append(range(start, stop))
        at = stop
    units.extend(range(i, i + 1) for i in range(at, len(texts)))
    return [i for unit in reversed(units) for i in unit]


def is_rtl(text: str) -> bool:
    """Whether ``text`` reads right to left (more such letters than others).

    Args:
        text: Any text.

    Returns:
        ``True`` for Hebrew, Arabic, Syriac, Thaana... text.
    """
    if text.isascii():
        return False
    # one text: a loop over its characters (the arrays of rtl_balance pay off
    # for many texts, and a writer asks once per element)
    votes = 0
    for ch in text:
        votes += _STRONG.get(unicodedata.bidirectional(ch), 0)
    return votes > 0


def _char_kinds(chars: Sequence[str], rtl: bool) -> list[str]:
    """Resolved direction (``L``, ``R``, ``EN``, ``AN``) of each character.

    UAX #9's rules W4, W5, W7, N1 and N2 for one paragraph without explicit
    embeddings, of direction ``rtl``.
    """
    kinds = []
    for ch in chars:
        kind = unicodedata.bidirectional(ch) if len(ch) == 1 else ""
        if kind in _RIGHT_TO_LEFT:
            kind = "R"
        elif kind in _SEPARATOR:
            kind = "S"
        elif kind not in ("L", "ET") and kind not in _NUMBER:
            kind = "N"
        kinds.append(kind)
    n = len(kinds)
    for i in range(1, n - 1):  # W4: one separator between two numbers
        if kinds[i] == "S" and kinds[i - 1] in _NUMBER and kinds[i + 1] == kinds[i - 1]:
            kinds[i] = kinds[i - 1]
    i = 0
    while i < n:  # W5: terminators next to European digits
        j = i
        while j < n and kinds[j] == "ET":
            j += 1
        if j > i and ((i > 0 and kinds[i - 1] == "EN") or (j < n and kinds[j] == "EN")):
            kinds[i:j] = ["EN"] * (j - i)
        i = j + 1 if j == i else j
    base = "R" if rtl else "L"
    strong = base
    for i, kind in enumerate(kinds):  # W7: European digits after L are L
        if kind in ("L", "R"):
            strong = kind
        elif kind == "EN" and strong == "L":
            kinds[i] = "L"
    i = 0
    while i < n:  # N1, N2: neutrals between two of one direction take it
        if kinds[i] not in ("S", "ET", "N"):
            i += 1
            continue
        j = i
        while j < n and kinds[j] in ("S", "ET", "N"):
            j += 1
        before = base if i == 0 else "L" if kinds[i - 1] == "L" else "R"
        after = base if j == n else "L" if kinds[j] == "L" else "R"
        kinds[i:j] = [before if before == after else base] * (j - i)
        i = j
    return kinds


def visual_to_logical(chars: Sequence[str], rtl: bool) -> tuple[list[int], list[int]]:
    """The characters of a word shown left to right, in logical order.

    The Unicode Bidirectional Algorithm's levels (:func:`_char_kinds`) and
    its reordering (rule L2), which taken on the order shown gives back the
    logical one.

    Args:
        chars: The word's characters (or clusters' base characters) as
            shown, left to right.
        rtl: Whether the word reads right to left.

    Returns:
        Positions in ``chars`` in logical order, and the level of each
        character (odd: shown right to left, its brackets mirrored).
    """
    kinds = _char_kinds(chars, rtl)
    if rtl:
        levels = [1 if kind == "R" else 2 for kind in kinds]
    else:
        levels = [0 if kind == "L" else 1 if kind == "R" else 2 for kind in kinds]
    order = list(range(len(chars)))
    for level in range(max(levels, default=0), 0, -1):
        k = 0
        while k < len(order):
            if levels[order[k]] < level:
                k += 1
                continue
            stop = k
            while stop < len(order) and levels[order[stop]] >= level:
                stop += 1
            order[k:stop] = order[k:stop][::-1]
            k = stop
    return order, levels

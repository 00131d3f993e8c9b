"""Text direction: whether a text reads right to left, decided by its letters.

Package-internal; one rule for the reading order (:mod:`unocr.model.layout`)
and the XML formats' ``dir`` attributes (:mod:`unocr.formats`). Letters vote
by their Unicode bidirectional class: ``R`` and ``AL`` (Hebrew, Arabic,
Syriac, Thaana, N'Ko...) for right to left, ``L`` for left to right; digits,
punctuation and spaces do not vote, and the majority decides (an Arabic line
with an English word in it reads right to left).

Examples:
    >>> is_rtl("שלום עולם, hi"), is_rtl("Hello"), is_rtl("2024")
    (True, False, False)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

__all__ = ["is_rtl", "mostly_rtl", "rtl_balance"]

IntArray = NDArray[np.intp]

# Unicode bidirectional classes of the letters that vote for a text's direction.
_STRONG = {"R": 1, "AL": 1, "L": -1}


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
    """Whether more texts read right to left than left to right."""
    return balance is not None and int(np.sum(balance > 0)) > int(np.sum(balance < 0))


def is_rtl(text: str) -> bool:
    """Whether ``text`` reads right to left (more such letters than others).

    Args:
        text: Any text.

    Returns:
        ``True`` for Hebrew, Arabic, Syriac, Thaana... text.
    """
    balance = rtl_balance([text])
    return balance is not None and int(balance[0]) > 0

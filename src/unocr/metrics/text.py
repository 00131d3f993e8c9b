"""Character and word error rates, with rapidfuzz's edit distance.

CER = (substitutions + deletions + insertions) / characters of the reference,
WER the same over whitespace-separated words. Both can exceed 1 when the
hypothesis is much longer than the reference. To average over many texts, sum
the errors and the reference lengths first (:class:`ErrorCounts`), then
divide: that weighs each character equally instead of each text.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from unocr.metrics.normalize import Normalization, normalize_text

__all__ = [
    "ErrorCounts",
    "bag_of_words_errors",
    "cer",
    "char_errors",
    "wer",
    "word_errors",
]


@dataclass(frozen=True)
class ErrorCounts:
    """Edit operations and reference length, summable over many texts.

    Attributes:
        errors: Levenshtein distance (unit-cost insertions, deletions,
            substitutions) between reference and hypothesis.
        length: Length of the reference (characters or words).
    """

    errors: int = 0
    length: int = 0

    def __add__(self, other: ErrorCounts) -> ErrorCounts:
        return ErrorCounts(self.errors + other.errors, self.length + other.length)

    @property
    def rate(self) -> float | None:
        """``errors / length``.

        0.0 when both are 0, ``None`` when only the reference is empty.
        """
        if self.length == 0:
            return 0.0 if self.errors == 0 else None
        return self.errors / self.length


def char_errors(
    reference: str, hypothesis: str, normalization: Normalization | None = None
) -> ErrorCounts:
    """Character edit distance after normalisation (whitespace collapsed).

    Args:
        reference: The ground truth.
        hypothesis: The engine's text.
        normalization: Applied to both (default: exact, whitespace collapsed).

    Returns:
        The distance and the normalised reference's length in characters
        (code points).
    """
    ref = normalize_text(reference, normalization)
    hyp = normalize_text(hypothesis, normalization)
    return ErrorCounts(Levenshtein.distance(ref, hyp), len(ref))


def word_errors(
    reference: str, hypothesis: str, normalization: Normalization | None = None
) -> ErrorCounts:
    """Word edit distance after normalisation (words split on whitespace).

    Takes the arguments of :func:`char_errors`; the normalisation applies
    before splitting.

    Returns:
        The distance over word sequences and the reference's word count.
    """
    ref = normalize_text(reference, normalization).split()
    hyp = normalize_text(hypothesis, normalization).split()
    return ErrorCounts(Levenshtein.distance(ref, hyp), len(ref))


def bag_of_words_errors(
    reference: str, hypothesis: str, normalization: Normalization | None = None
) -> ErrorCounts:
    """Word errors when word order does not matter.

    With free reordering, the fewest insertions, deletions and substitutions
    that turn one multiset of words into the other is
    ``max(missing, extra)``: missing reference words and extra hypothesis
    words pair up as substitutions, the rest are deletions or insertions.
    It never exceeds :func:`word_errors`, and tells reading-order mistakes
    (multi-column layouts, receipts) apart from misread words. Takes the
    arguments of :func:`word_errors`.

    Returns:
        The order-free distance and the reference's word count.

    Examples:
        >>> bag_of_words_errors("total 9.00 cash", "cash total 9.00")
        ErrorCounts(errors=0, length=3)
    """
    ref = Counter(normalize_text(reference, normalization).split())
    hyp = Counter(normalize_text(hypothesis, normalization).split())
    missing = sum((ref - hyp).values())
    extra = sum((hyp - ref).values())
    return ErrorCounts(max(missing, extra), sum(ref.values()))


def cer(
    reference: str, hypothesis: str, normalization: Normalization | None = None
) -> float | None:
    """Character error rate of one text: the rate of :func:`char_errors`.

    Takes the arguments of :func:`char_errors`.

    Returns:
        Edit distance / reference length; 0.0 for two empty texts, ``None``
        for an empty reference and a non-empty hypothesis.

    Examples:
        >>> cer("hello", "hallo")
        0.2
    """
    return char_errors(reference, hypothesis, normalization).rate


def wer(
    reference: str, hypothesis: str, normalization: Normalization | None = None
) -> float | None:
    """Word error rate of one text: the rate of :func:`word_errors`.

    Takes the arguments of :func:`cer`; counts words instead of characters.

    Returns:
        Word edit distance / reference word count (see :func:`cer`).

    Examples:
        >>> wer("the quick brown fox", "the quick brown box")
        0.25
    """
    return word_errors(reference, hypothesis, normalization).rate

"""The word-spotting vocabulary of ICDAR 2015 Task 4.4 (``--word-spotting``).

In the word-spotting variant of the official end-to-end evaluation
(``script.py`` of Task 4.4 with ``WORD_SPOTTING=True``), a ground-truth word
takes part only if it is a "dictionary" word; every other word becomes a
don't-care region (detections more than half inside it are discarded). A
dictionary word's transcription is also cleaned before the comparison, and
the comparison is ``truth.upper() == detection.upper()`` without the
edge-punctuation allowance (:func:`spotting_match`), whatever text
normalisation the scoring otherwise uses. Rules and constants below are those
of the official script's ``include_in_dictionary`` and
``include_in_dictionary_transcription`` functions.
"""

from __future__ import annotations

__all__ = ["MIN_WORD_LENGTH", "spotting_match", "spotting_word"]

#: ``MIN_LENGTH_CARE_WORD`` of the official script.
MIN_WORD_LENGTH = 3

# Replaced by spaces before the checks (official ``specialCharacters``).
_SPECIAL = "'!?.:,*\"()·[]/"
# Never allowed, although inside the letter ranges (official ``notAllowed``).
_NOT_ALLOWED = "×÷·"
# Allowed code-point ranges (official ``range1`` ... ``range6``).
_RANGES = (
    (ord("a"), ord("z")),
    (ord("A"), ord("Z")),
    (ord("À"), ord("ƿ")),
    (ord("Ǆ"), ord("ɿ")),
    (ord("Ά"), ord("Ͽ")),
    (ord("-"), ord("-")),
)


def _clean(transcription: str) -> str:
    # A final 's or 'S is dropped, then hyphens at either end.
    if transcription[-2:] in ("'s", "'S"):
        transcription = transcription[:-2]
    transcription = transcription.strip("-")
    for ch in _SPECIAL:
        transcription = transcription.replace(ch, " ")
    return transcription.strip()


def spotting_word(transcription: str) -> str | None:
    """The word a ground-truth transcription contributes to word spotting.

    Args:
        transcription: A ground-truth word as annotated.

    Returns:
        The cleaned word (possessive ``'s``, edge hyphens and edge
        punctuation removed), or ``None`` when the word is not a dictionary
        word and so is don't care: it still has a space inside, is shorter
        than :data:`MIN_WORD_LENGTH`, or holds a character outside Latin,
        Latin-extended and Greek letters and ``-``.

    Examples:
        >>> spotting_word("CAFE's"), spotting_word("(Hello)")
        ('CAFE', 'Hello')
        >>> spotting_word("to"), spotting_word("24h"), spotting_word("no way")
        (None, None, None)
    """
    word = _clean(transcription)
    if " " in word or len(word) < MIN_WORD_LENGTH:
        return None
    for ch in word:
        if ch in _NOT_ALLOWED:
            return None
        code = ord(ch)
        if not any(lo <= code <= hi for lo, hi in _RANGES):
            return None
    return word


def spotting_match(word: str, detected: str) -> bool:
    """Whether a detection reads a dictionary word right, as word spotting compares.

    The official rule, ``detection.upper() == word.upper()``: no other
    normalisation (no whitespace folding, NFKC or punctuation removal) and no
    edge-punctuation allowance.

    Args:
        word: The dictionary word (:func:`spotting_word` of the ground truth).
        detected: The engine's transcription of the matched detection.

    Returns:
        True for a correct transcription.

    Examples:
        >>> spotting_match("Theatre", "THEATRE"), spotting_match("Theatre", "Theatre.")
        (True, False)
    """
    return word.upper() == detected.upper()

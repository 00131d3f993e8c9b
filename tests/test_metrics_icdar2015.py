"""The official ICDAR 2015 rules, each with a hand-computed case.

Sources: the RRC evaluation scripts of Challenge 4, Task 4.1 (text
localisation) and Task 4.4 (end to end), ``script.py`` with
``rrc_evaluation_funcs.py``. Each test names the rule it checks.
"""

from __future__ import annotations

import numpy as np
import pytest

from unocr.geometry import Box
from unocr.metrics import (
    NORMALIZATIONS,
    Normalization,
    ScoringOptions,
    aggregate,
    dataset_precision_recall,
    match_detections,
    score_page,
    spotting_word,
    texts_match,
)
from unocr.model import Block, Line, Page, Word

ICDAR = NORMALIZATIONS["icdar2015"]
OFFICIAL = ScoringOptions(normalization=ICDAR)


def _pairs(m: object) -> list[tuple[int, int]]:
    t = m.truth_index.tolist()  # type: ignore[attr-defined]
    p = m.pred_index.tolist()  # type: ignore[attr-defined]
    return list(zip(t, p, strict=True))


def _words(*items: tuple[str, Box]) -> list[Word]:
    return [Word(text=t, geometry=g) for t, g in items]


def _page(words: list[Word]) -> Page:
    if not words:
        return Page(width=400, height=200)
    return Page.from_words(words, width=400, height=200)


# ------------------------------------------------ IoU > 0.5 (IOU_CONSTRAINT)


def test_exact_tie_at_half_is_not_a_match() -> None:
    """Box(0,0,10,10) vs Box(0,0,20,10): intersection 100, union 200."""
    m = match_detections([Box(0, 0, 10, 10)], [Box(0, 0, 20, 10)])
    assert m.matched == 0
    m = match_detections([Box(0, 0, 10, 10)], [Box(0, 0, 19.9, 10)])
    assert m.matched == 1  # 100 / 199 > 0.5


def test_integer_receipt_tie_from_the_issue() -> None:
    """Intersection 2363, union 4726 (real receipt lines): IoU exactly 0.5."""
    truth = Box(0, 0, 2363, 1)
    pred = Box(0, 0, 4726, 1)
    assert match_detections([truth], [pred]).matched == 0
    assert match_detections([truth], [pred], strict=False).matched == 1


def test_two_disjoint_halves_disprove_order_independence() -> None:
    """Two disjoint truth halves each at IoU exactly 0.5 with one detection.

    Official: no match (0.5 is not > 0.5). With an inclusive threshold the
    rules can pick either half; every rule finds one match.
    """
    truth = [Box(0, 0, 5, 10), Box(5, 0, 10, 10)]
    pred = [Box(0, 0, 10, 10)]
    assert match_detections(truth, pred).matched == 0
    for rule in ("first-come", "optimal", "greedy"):
        m = match_detections(truth, pred, matching=rule, strict=False)  # type: ignore[arg-type]
        assert m.matched == 1


# ------------------------------------------------------- first-come order


def test_first_come_beats_greedy_example_of_the_issue() -> None:
    """IoU(g0,d0)=8/12, IoU(g0,d1)=5/15, IoU(g1,d0)=9/11, IoU(g1,d1)=8/12.

    First-come: g0 takes d0 (first above 0.5), g1 takes d1: 2 matches.
    Greedy takes the best pair (g1,d0) first and strands the rest: 1.
    """
    truth = [Box(0, 0, 10, 10), Box(3, 0, 13, 10)]
    pred = [Box(2, 0, 12, 10), Box(5, 0, 15, 10)]
    assert _pairs(match_detections(truth, pred)) == [(0, 0), (1, 1)]
    assert match_detections(truth, pred, matching="greedy").matched == 1


def test_optimal_can_score_higher_than_official() -> None:
    """IoU(g0,d0)=9.5/10.5, IoU(g0,d1)=7/13, IoU(g1,d0)=9.5/10.5, IoU(g1,d1)=6/14.

    First-come: g0 takes d0; g1's only candidate d0 is gone: 1 match.
    Optimal: g0-d1 and g1-d0: 2 matches.
    """
    truth = [Box(0, 0, 10, 10), Box(1, 0, 11, 10)]
    pred = [Box(0.5, 0, 10.5, 10), Box(-3, 0, 7, 10)]
    assert _pairs(match_detections(truth, pred)) == [(0, 0)]
    optimal = match_detections(truth, pred, matching="optimal")
    assert _pairs(optimal) == [(0, 1), (1, 0)]


def test_first_come_follows_file_order_of_truth() -> None:
    """Swapping the ground-truth order changes the official result."""
    a, b = Box(0, 0, 10, 10), Box(1, 0, 11, 10)
    pred = [Box(0.5, 0, 10.5, 10), Box(-3, 0, 7, 10)]
    assert match_detections([a, b], pred).matched == 1
    assert match_detections([b, a], pred).matched == 2  # b takes d0, a takes d1


def _in_order(words: list[Word]) -> Page:
    """A page whose words are in exactly this order (one line, one block)."""
    line = Line(
        text=" ".join(w.text for w in words),
        geometry=Box(-3, 0, 11, 10),
        words=tuple(words),
    )
    return Page(width=400, height=200, blocks=(Block.from_lines([line]),))


def test_score_page_uses_the_given_truth_order() -> None:
    """The official example through score_page: truth order decides."""
    words = _words(("a", Box(0, 0, 10, 10)), ("b", Box(1, 0, 11, 10)))
    pred = _in_order(_words(("a", Box(0.5, 0, 10.5, 10)), ("b", Box(-3, 0, 7, 10))))
    assert [w.text for w in pred.words] == ["a", "b"]
    truth_page = _page(words)
    s = score_page(truth_page, pred, truth_elements=words, options=OFFICIAL)
    assert s.matched == 1
    s = score_page(truth_page, pred, truth_elements=words[::-1], options=OFFICIAL)
    assert s.matched == 2


# ---------------------------------------------- whole-dataset zero convention


def test_empty_dataset_scores_zero_officially() -> None:
    """methodRecall = 0 if no care GT; methodPrecision = 0 if no care detection."""
    empty = score_page(_page([]), _page([]))
    assert (empty.precision, empty.recall, empty.hmean) == (1.0, 1.0, 1.0)
    total = aggregate([empty, empty])
    assert (total.precision, total.recall, total.hmean) == (0.0, 0.0, 0.0)
    custom = aggregate([empty], ScoringOptions(protocol="custom"))
    assert (custom.precision, custom.recall, custom.hmean) == (1.0, 1.0, 1.0)
    assert dataset_precision_recall(0, 0, 3) == (0.0, 0.0)
    assert dataset_precision_recall(2, 4, 0, "custom") == (0.0, 0.5)


# --------------------------------------------------- end to end (Task 4.4)


@pytest.mark.parametrize(
    ("truth", "detected", "correct"),
    [
        ("Hello", "HELLO", True),  # both upper-cased
        ("(Hello", "HELLO", True),  # one leading mark of the truth forgiven
        ("Hello!", "hello", True),  # one trailing mark
        ('"Hello"', "Hello", True),  # one at each end
        ("Hello", "Hello!", False),  # never the detection's
        ("Hello!!", "Hello", False),  # only one per end
        ("-Hello", "Hello", False),  # '-' is not in the set
        ("Straße", "STRASSE", True),  # str.upper() maps ß to SS
        ("a", "", False),
    ],
)
def test_official_transcription_match(truth: str, detected: str, correct: bool) -> None:
    assert texts_match(truth, detected, ICDAR) is correct


def test_end_to_end_counts_only_iou_matches_with_right_text() -> None:
    truth = _words(("Hello,", Box(0, 0, 50, 20)), ("World", Box(60, 0, 110, 20)))
    pred = _words(("hello", Box(0, 0, 50, 20)), ("Word", Box(60, 0, 110, 20)))
    s = score_page(_page(truth), _page(pred), options=OFFICIAL)
    assert (s.matched, s.e2e_matched, s.e2e_n_truth, s.e2e_n_pred) == (2, 1, 2, 2)
    exact = score_page(
        _page(truth), _page(pred), options=ScoringOptions(normalization=Normalization())
    )
    assert exact.e2e_matched == 0


# ------------------------------------------------ word spotting (Task 4.4)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("CAFE's", "CAFE"),
        ("-Hello-", "Hello"),
        ("(Hello)", "Hello"),
        ("Zürich", "Zürich"),
        ("ab", None),  # shorter than 3
        ("24h", None),  # a digit
        ("A.B.C", None),  # punctuation inside becomes a space
        ("a×b", None),  # explicitly not allowed
        ("Ω-mega", "Ω-mega"),
    ],
)
def test_spotting_dictionary(word: str, expected: str | None) -> None:
    assert spotting_word(word) == expected


def test_word_spotting_makes_other_words_dont_care() -> None:
    truth = _words(
        ("Hello", Box(0, 0, 50, 20)),
        ("42", Box(60, 0, 80, 20)),  # not a dictionary word: don't care
        ("CAFE's", Box(100, 0, 150, 20)),
    )
    pred = _words(
        ("HELLO", Box(0, 0, 50, 20)),
        ("42", Box(60, 0, 80, 20)),  # inside the new don't care: discarded
        ("cafe's", Box(100, 0, 150, 20)),  # compared with the cleaned "CAFE"
    )
    opts = ScoringOptions(normalization=ICDAR, word_spotting=True)
    s = score_page(_page(truth), _page(pred), options=opts)
    assert (s.e2e_n_truth, s.e2e_n_pred, s.e2e_matched) == (2, 2, 1)
    assert (s.n_truth, s.n_pred, s.matched) == (3, 3, 3)  # detection unchanged
    total = aggregate([s])
    assert total.e2e_recall == 0.5
    assert total.e2e_precision == 0.5


def test_protocol_options_are_validated() -> None:
    with pytest.raises(ValueError, match="protocol"):
        ScoringOptions(protocol="icdar2013")  # type: ignore[arg-type]
    assert ScoringOptions().rule == "first-come"
    assert ScoringOptions(protocol="custom").rule == "optimal"
    assert ScoringOptions().official
    assert not ScoringOptions(matching="optimal").official
    data = OFFICIAL.to_dict()
    assert ScoringOptions.from_dict(data) == ScoringOptions(
        matching="first-come", normalization=ICDAR
    )
    assert np.isclose(data["iou_threshold"], 0.5)

"""Hand-computed cases for each rule of the ICDAR 2015 detection protocol."""

from __future__ import annotations

import numpy as np
import pytest

from unocr.errors import ConfigError
from unocr.geometry import Box, Polygon, Quad
from unocr.metrics import (
    Normalization,
    ScoringOptions,
    aggregate,
    dont_care_mask,
    match_detections,
    match_iou,
    precision_recall,
    score_page,
)
from unocr.model import Block, Line, Page, Word


def _pairs(t: np.ndarray, p: np.ndarray) -> list[tuple[int, int]]:
    return list(zip(t.tolist(), p.tolist(), strict=True))


def _page(*words: tuple[str, Box | Quad | Polygon]) -> Page:
    items = [Word(text=t, geometry=g) for t, g in words]
    if not items:
        return Page(width=400, height=200)
    return Page.from_words(items, width=400, height=200)


# ------------------------------------------------------------- don't care


def test_detection_more_than_half_inside_dont_care_is_discarded() -> None:
    dont_care = [Box(0, 0, 10, 10)]
    pred = [
        Box(4, 0, 14, 10),  # 60 of 100 inside -> discarded
        Box(6, 0, 16, 10),  # 40 of 100 inside -> kept
        Box(5, 0, 15, 10),  # exactly 50 of 100: not *more* than half -> kept
    ]
    assert dont_care_mask(pred, dont_care).tolist() == [True, False, False]


def test_half_inside_is_judged_per_region_not_summed() -> None:
    """30 % in one region and 30 % in another: neither exceeds half."""
    regions = [Box(0, 0, 3, 10), Box(7, 0, 10, 10)]
    assert dont_care_mask([Box(0, 0, 10, 10)], regions).tolist() == [False]


def test_dont_care_is_neither_hit_nor_miss() -> None:
    truth = [Box(100, 100, 150, 120)]
    ignore = [Box(0, 0, 50, 20)]
    # detecting the don't-care region is not a false positive ...
    m = match_detections(truth, [truth[0], Box(0, 0, 50, 20)], ignore)
    assert (m.matched, m.n_truth, m.n_pred) == (1, 1, 1)
    assert m.discarded.tolist() == [False, True]
    # ... and missing it is not a false negative
    m = match_detections(truth, [truth[0]], ignore)
    assert (m.matched, m.n_truth, m.n_pred) == (1, 1, 1)
    assert precision_recall(m.matched, m.n_truth, m.n_pred) == (1.0, 1.0)


def test_discarded_detection_cannot_match_truth() -> None:
    """A detection inside a don't-care region is removed before matching."""
    truth = [Box(0, 0, 10, 10)]
    ignore = [Box(0, 0, 10, 10)]  # (odd but legal) overlapping truth
    m = match_detections(truth, [Box(0, 0, 10, 10)], ignore)
    assert (m.matched, m.n_pred) == (0, 0)


# ------------------------------------------------------------ one-to-one


def test_two_detections_on_one_word_give_one_match() -> None:
    truth = [Box(0, 0, 100, 20)]
    pred = [Box(0, 0, 100, 20), Box(2, 0, 102, 20)]
    m = match_detections(truth, pred)
    assert (m.matched, m.n_truth, m.n_pred) == (1, 1, 2)
    assert m.pred_index.tolist() == [0]  # the better (IoU 1) detection
    p, r = precision_recall(m.matched, m.n_truth, m.n_pred)
    assert (p, r) == (0.5, 1.0)


def test_one_detection_over_two_words_matches_at_most_one() -> None:
    truth = [Box(0, 0, 10, 10), Box(1, 0, 11, 10)]
    m = match_detections(truth, [Box(0, 0, 10, 10)])
    assert m.matched == 1
    assert m.truth_index.tolist() == [0]


def test_iou_threshold_inclusive_only_when_asked() -> None:
    # IoU = 100 / 200 = 0.5 exactly: official (strict) no match, inclusive one
    m = match_detections([Box(0, 0, 10, 10)], [Box(0, 0, 20, 10)], strict=False)
    assert m.matched == 1
    assert m.iou.tolist() == [pytest.approx(0.5)]
    m = match_detections([Box(0, 0, 10, 10)], [Box(0, 0, 20.5, 10)], strict=False)
    assert m.matched == 0


def test_optimal_beats_greedy_on_a_conflict() -> None:
    """Greedy takes the best pair first and strands the other detection.

    IoU(d1, g1) = 8/12, IoU(d1, g2) = 9/11, IoU(d2, g2) = 8/12, IoU(d2, g1) = 1/3.
    """
    truth = [Box(0, 0, 10, 10), Box(3, 0, 13, 10)]
    pred = [Box(2, 0, 12, 10), Box(5, 0, 15, 10)]
    greedy = match_detections(truth, pred, matching="greedy")
    optimal = match_detections(truth, pred, matching="optimal")
    assert greedy.matched == 1
    assert _pairs(greedy.truth_index, greedy.pred_index) == [(1, 0)]
    assert optimal.matched == 2
    assert _pairs(optimal.truth_index, optimal.pred_index) == [
        (0, 0),
        (1, 1),
    ]


def test_optimal_prefers_higher_total_iou_at_equal_count() -> None:
    iou = np.array([[0.9, 0.6], [0.6, 0.55]])
    t, p = match_iou(iou, matching="optimal")
    assert _pairs(t, p) == [(0, 0), (1, 1)]
    iou = np.array([[0.6, 0.9], [0.9, 0.6]])
    t, p = match_iou(iou, matching="optimal")
    assert _pairs(t, p) == [(0, 1), (1, 0)]


def test_match_iou_rejects_unknown_rule() -> None:
    with pytest.raises(
        ValueError, match="'first-come', 'optimal' or 'greedy', got 'icdar'"
    ):
        match_iou(np.zeros((1, 1)), matching="icdar")  # type: ignore[arg-type]


def test_geometry_agnostic_quads_and_polygons() -> None:
    quad = Quad([(0, 0), (10, 0), (10, 10), (0, 10)])
    poly = Polygon([(0, 0), (10, 0), (10, 10), (0, 10), (0, 5)])
    m = match_detections([quad], [poly, Box(0, 0, 10, 10)])
    assert m.matched == 1
    assert m.iou[0] == pytest.approx(1.0)
    # the same square turned by 45 degrees: the corners cut off are four
    # triangles with legs 10 - 10 / sqrt(2), so IoU = 1 / sqrt(2) = 0.7071
    diamond = Quad([(5, -2.0710678), (12.0710678, 5), (5, 12.0710678), (-2.0710678, 5)])
    m = match_detections([Box(0, 0, 10, 10)], [diamond], iou_threshold=0.7)
    assert m.matched == 1
    assert m.iou[0] == pytest.approx(2**-0.5, rel=1e-6)
    m = match_detections([Box(0, 0, 10, 10)], [diamond], iou_threshold=0.71)
    assert m.matched == 0


# ------------------------------------------------------------- page level

# Exact comparison: without a normalisation, score_page applies its protocol's
# (the default icdar2015 protocol's upper-cases both texts).
EXACT = ScoringOptions(normalization=Normalization())


def test_end_to_end_needs_the_same_text() -> None:
    truth = _page(("Hello", Box(0, 0, 50, 20)), ("World", Box(60, 0, 110, 20)))
    pred = _page(("hello", Box(0, 0, 50, 20)), ("World", Box(60, 0, 110, 20)))
    s = score_page(truth, pred, options=EXACT)
    assert (s.matched, s.e2e_matched) == (2, 1)
    assert s.hmean == 1.0
    assert s.e2e_hmean == pytest.approx(0.5)
    # matched-pair CER: one substitution over 10 characters
    assert (s.matched_char_errors, s.matched_chars) == (1, 10)
    assert s.matched_cer == pytest.approx(0.1)
    assert s.matched_wer == pytest.approx(0.5)
    folded = score_page(
        truth,
        pred,
        options=ScoringOptions(normalization=Normalization(ignore_case=True)),
    )
    assert folded.e2e_matched == 2
    assert folded.cer == 0.0


def test_page_cer_leaves_out_discarded_detections() -> None:
    truth = _page(("cat", Box(0, 0, 30, 20)))
    pred = _page(("cat", Box(0, 0, 30, 20)), ("zzz", Box(200, 0, 230, 20)))
    ignore = [Box(195, 0, 240, 20)]
    s = score_page(truth, pred, ignore=ignore, options=EXACT)
    assert (s.n_pred, s.n_discarded, s.n_dont_care) == (1, 1, 1)
    assert s.pred_text == "cat"
    assert s.cer == 0.0
    s = score_page(truth, pred)  # without the region, "zzz" is an insertion
    assert s.page_char_errors == len(" zzz")
    assert s.precision == 0.5


def test_empty_prediction_scores_zero_recall() -> None:
    truth = _page(("a", Box(0, 0, 10, 10)), ("b", Box(20, 0, 30, 10)))
    s = score_page(truth, _page())
    assert (s.precision, s.recall, s.hmean) == (0.0, 0.0, 0.0)
    assert s.cer == 1.0  # every character deleted ("a b": 3 of 3)


def test_empty_truth_and_prediction_is_perfect_per_image() -> None:
    """Per image the official scripts give an empty sample 1/1/1 ..."""
    s = score_page(_page(), _page())
    assert (s.precision, s.recall, s.hmean, s.cer) == (1.0, 1.0, 1.0, 0.0)


def test_text_only_ground_truth_skips_detection() -> None:
    truth = _page(("The", Box(0, 0, 30, 10)), ("cat", Box(40, 0, 70, 10)))
    pred = _page(("The", Box(100, 100, 130, 110)), ("hat", Box(140, 100, 170, 110)))
    s = score_page(truth, pred, localized=False)
    assert s.hmean is None
    assert s.e2e_hmean is None
    assert s.cer == pytest.approx(1 / 7)
    assert s.wer == pytest.approx(1 / 2)
    assert s.bow_wer == pytest.approx(1 / 2)


def test_reading_order_costs_wer_but_not_bag_of_words() -> None:
    truth = _page(("TOTAL", Box(0, 0, 50, 10)), ("9.00", Box(300, 0, 340, 10)))
    swapped = _page(("9.00", Box(0, 0, 50, 10)), ("TOTAL", Box(300, 0, 340, 10)))
    s = score_page(truth, swapped, localized=False)
    assert s.wer == 1.0
    assert s.bow_wer == 0.0


def test_line_level_uses_lines() -> None:
    truth = Page.from_lines(
        [Line(text="TOTAL 12,50", geometry=Box(0, 0, 100, 20))], width=200, height=50
    )
    pred = Page.from_words(
        [
            Word(text="TOTAL", geometry=Box(0, 0, 45, 20)),
            Word(text="12,50", geometry=Box(55, 0, 100, 20)),
        ],
        width=200,
        height=50,
    )
    s = score_page(truth, pred, level="line")
    assert (s.matched, s.e2e_matched) == (1, 1)
    s = score_page(truth, pred, level="word")  # words vs the line: no match
    assert s.matched == 0


def test_aggregate_is_micro_averaged() -> None:
    a = score_page(
        _page(("x", Box(0, 0, 10, 10))), _page(("x", Box(0, 0, 10, 10)))
    )  # 1/1
    b = score_page(
        _page(*[(str(i), Box(20 * i, 0, 20 * i + 10, 10)) for i in range(3)]),
        _page(("0", Box(0, 0, 10, 10))),
    )  # 1 of 3 found
    total = aggregate([a, b])
    assert (total.matched, total.n_truth, total.n_pred) == (2, 4, 2)
    assert total.recall == 0.5
    assert total.precision == 1.0
    assert total.hmean == pytest.approx(2 * 0.5 / 1.5)
    assert total.images == 2


def test_aggregate_of_text_only_has_no_detection_figures() -> None:
    s = score_page(_page(("a", Box(0, 0, 1, 1))), _page(), localized=False)
    total = aggregate([s])
    assert total.hmean is None
    assert total.cer == 1.0
    assert aggregate([]).cer is None


# ------------------------------------------------- page text after discards


def _line(text: str, *words: tuple[str, Box]) -> Line:
    """A line whose own text need not be its words joined (as RapidOCR gives)."""
    ws = tuple(Word(text=t, geometry=g) for t, g in words)
    boxes = [g for _, g in words]
    box = Box(
        min(b.x0 for b in boxes),
        min(b.y0 for b in boxes),
        max(b.x1 for b in boxes),
        max(b.y1 for b in boxes),
    )
    return Line(text=text, geometry=box, words=ws)


def _engine_page(*lines: Line) -> Page:
    return Page(
        width=400, height=200, blocks=tuple(Block.from_lines([li]) for li in lines)
    )


WHO = _line(
    "Who neesnes",
    ("Who", Box(0, 0, 30, 10)),
    ("nee", Box(35, 0, 55, 10)),
    ("snes", Box(55, 0, 80, 10)),
)
BLUR = _line("blur", ("blur", Box(0, 50, 40, 60)))
FAR = Box(390, 190, 395, 195)  # a don't-care region touching nothing
OVER_BLUR = Box(0, 50, 40, 60)  # one over the 'blur' detection alone


def test_a_discard_elsewhere_keeps_each_lines_own_text() -> None:
    truth = _page(("Who", Box(0, 0, 30, 10)), ("neesnes", Box(35, 0, 80, 10)))
    without_blur = score_page(truth, _engine_page(WHO), ignore=[FAR], options=EXACT)
    discarded = score_page(
        truth, _engine_page(WHO, BLUR), ignore=[OVER_BLUR], options=EXACT
    )
    assert discarded.n_discarded == 1
    assert discarded.pred_text == without_blur.pred_text == "Who neesnes"
    assert (discarded.page_char_errors, discarded.page_word_errors) == (0, 0)
    assert (discarded.cer, discarded.wer) == (without_blur.cer, without_blur.wer)


def test_a_line_without_words_stays_when_a_detection_is_discarded() -> None:
    total = Line(text="TOTAL 9.00", geometry=Box(0, 70, 60, 80))
    page = _engine_page(WHO, BLUR, total)
    kept = score_page(_page(), page, ignore=[FAR], options=EXACT)
    assert kept.pred_text == "Who neesnes blur TOTAL 9.00"
    discarded = score_page(_page(), page, ignore=[OVER_BLUR], options=EXACT)
    assert discarded.pred_text == "Who neesnes TOTAL 9.00"


def test_a_line_without_words_is_matched_beside_lines_with_words() -> None:
    # an engine that boxes the words of one line and gives another whole
    truth = _page(("hello", Box(0, 0, 50, 10)), ("world", Box(0, 30, 50, 40)))
    hello = Line.from_words([Word(text="hello", geometry=Box(0, 0, 50, 10))])
    world = Line(text="world", geometry=Box(0, 30, 50, 40))
    page = Page(width=400, height=200, blocks=(Block.from_lines([hello, world]),))
    s = score_page(truth, page, options=EXACT)
    assert (s.matched, s.n_pred, s.recall, s.e2e_hmean, s.cer) == (2, 2, 1.0, 1.0, 0.0)
    # a don't-care region discards it, text and all, as any detection
    s = score_page(truth, page, ignore=[Box(0, 28, 52, 42)], options=EXACT)
    assert (s.n_discarded, s.n_pred, s.pred_text) == (1, 1, "hello")


def test_a_line_that_lost_a_word_is_its_remaining_words() -> None:
    # as Page.filter re-joins a line that lost words
    s = score_page(
        _page(), _engine_page(WHO, BLUR), ignore=[Box(55, 0, 80, 10)], options=EXACT
    )
    assert s.n_discarded == 1
    assert s.pred_text == "Who nee blur"


def test_a_discarded_line_goes_at_line_level_the_others_keep_their_text() -> None:
    total = Line(text="TOTAL 9.00", geometry=Box(0, 70, 60, 80))
    page = _engine_page(WHO, BLUR, total)
    s = score_page(_page(), page, ignore=[OVER_BLUR], level="line", options=EXACT)
    assert s.n_discarded == 1
    assert s.pred_text == "Who neesnes TOTAL 9.00"


# ------------------------------------------------------- scoring options


@pytest.mark.parametrize(
    ("kwargs", "wanted"),
    [
        ({"iou_threshold": "0.5"}, "iou_threshold must be a number from 0 to 1"),
        ({"iou_threshold": True}, "iou_threshold must be a number from 0 to 1"),
        ({"iou_threshold": None}, "iou_threshold must be a number from 0 to 1"),
        ({"iou_threshold": -1.0}, "iou_threshold must be a number from 0 to 1"),
        ({"iou_threshold": 1.5}, "iou_threshold must be a number from 0 to 1"),
        ({"iou_threshold": float("nan")}, "iou_threshold must be a number"),
        ({"iou_threshold": float("inf")}, "iou_threshold must be a number"),
        (
            {"iou_threshold": 1.0},
            r"iou_threshold must lie in \[0, 1\) under protocol 'icdar2015', "
            r"got 1\.0: IoU > 1 is never met; give a value below 1",
        ),
        (
            {"protocol": "custom", "iou_threshold": 0},
            r"iou_threshold must lie in \(0, 1\] under protocol 'custom', got 0: "
            "IoU >= 0 matches boxes that do not even touch; give a value above 0",
        ),
        ({"ignore_overlap": -1}, "ignore_overlap must be a number from 0 to 1"),
        ({"ignore_overlap": "0.5"}, "ignore_overlap must be a number from 0 to 1"),
        ({"ignore_overlap": float("nan")}, "ignore_overlap must be a number"),
        (
            {"ignore_overlap": 1.0},
            r"ignore_overlap must lie in \[0, 1\), got 1\.0: .* give a value below 1",
        ),
    ],
)
def test_scoring_options_refuse_bad_numbers(
    kwargs: dict[str, object], wanted: str
) -> None:
    with pytest.raises(ConfigError, match=wanted) as info:
        ScoringOptions(**kwargs)  # type: ignore[arg-type]
    (name,) = [k for k in kwargs if k != "protocol"]
    assert repr(kwargs[name]) in str(info.value)  # the value given is named


def test_scoring_options_take_each_end_the_protocol_allows() -> None:
    assert ScoringOptions(iou_threshold=0).iou_threshold == 0.0  # IoU > 0
    assert isinstance(ScoringOptions(iou_threshold=0).iou_threshold, float)
    custom = ScoringOptions(protocol="custom", iou_threshold=1)  # IoU >= 1
    assert custom.iou_threshold == 1.0
    assert ScoringOptions(ignore_overlap=0).ignore_overlap == 0.0
    data = ScoringOptions(iou_threshold=0.7, ignore_overlap=0.25).to_dict()
    assert ScoringOptions.from_dict(data).to_dict() == data

"""Laws of the metrics, checked with Hypothesis."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from unocr.geometry import Box
from unocr.metrics import match_detections, match_iou, score_page
from unocr.model import Page, Word

coord = st.integers(min_value=0, max_value=300)
size = st.integers(min_value=2, max_value=80)
text = st.text(alphabet="abcXYZ019.,-", min_size=1, max_size=8)


@st.composite
def boxes(draw: st.DrawFn) -> Box:
    x, y, w, h = draw(coord), draw(coord), draw(size), draw(size)
    return Box(x, y, x + w, y + h)


@st.composite
def pages(draw: st.DrawFn, min_words: int = 0) -> Page:
    geoms = draw(st.lists(boxes(), min_size=min_words, max_size=12))
    words = [Word(text=draw(text), geometry=g) for g in geoms]
    if not words:
        return Page(width=400, height=400)
    return Page.from_words(words, width=400, height=400)


@given(pages())
def test_perfect_prediction_scores_one(page: Page) -> None:
    """Predicting the ground truth itself gives P = R = hmean = 1 and CER = 0."""
    s = score_page(page, page)
    assert (s.precision, s.recall, s.hmean) == (1.0, 1.0, 1.0)
    assert s.e2e_hmean == 1.0
    assert s.cer == 0.0
    assert s.wer == 0.0


@given(pages(min_words=1))
def test_empty_prediction_has_zero_recall(page: Page) -> None:
    """Predicting nothing finds nothing: recall 0 whenever there is truth."""
    s = score_page(page, Page(width=page.width, height=page.height))
    assert s.recall == 0.0
    assert s.hmean == 0.0


@given(
    st.lists(boxes(), max_size=10),
    st.lists(boxes(), max_size=10),
    st.lists(boxes(), max_size=3),
    st.randoms(use_true_random=False),
)
def test_scores_do_not_depend_on_box_order(
    truth: list[Box], pred: list[Box], ignore: list[Box], rnd: object
) -> None:
    """Optimal matching: shuffling truth, detections and don't-care regions changes
    no count (first-come, the official rule, depends on order by design)."""
    base = match_detections(truth, pred, ignore, matching="optimal")
    t2, p2, i2 = list(truth), list(pred), list(ignore)
    for seq in (t2, p2, i2):
        rnd.shuffle(seq)  # type: ignore[attr-defined]
    shuffled = match_detections(t2, p2, i2, matching="optimal")
    assert (shuffled.matched, shuffled.n_truth, shuffled.n_pred) == (
        base.matched,
        base.n_truth,
        base.n_pred,
    )
    assert np.isclose(shuffled.iou.sum(), base.iou.sum())


@given(st.lists(boxes(), max_size=10), st.lists(boxes(), max_size=10))
def test_matching_is_one_to_one_and_above_threshold(
    truth: list[Box], pred: list[Box]
) -> None:
    """No region or detection is used twice; every match has IoU > 0.5
    (>= 0.5 when the threshold is inclusive)."""
    for rule in ("first-come", "optimal", "greedy"):
        for strict in (True, False):
            m = match_detections(truth, pred, matching=rule, strict=strict)  # type: ignore[arg-type]
            assert len(set(m.truth_index.tolist())) == m.matched
            assert len(set(m.pred_index.tolist())) == m.matched
            assert (m.iou > 0.5).all() if strict else (m.iou >= 0.5).all()
        for t, p, v in zip(m.truth_index, m.pred_index, m.iou, strict=True):
            assert np.isclose(truth[t].iou(pred[p]), v)


def _brute_force(iou: np.ndarray, threshold: float) -> tuple[int, float]:
    g, d = iou.shape
    best = (0, 0.0)
    small, large = (g, d) if g <= d else (d, g)
    mat = iou if g <= d else iou.T
    for perm in itertools.permutations(range(large), small):
        vals = [mat[i, j] for i, j in enumerate(perm) if mat[i, j] >= threshold]
        cand = (len(vals), float(sum(vals)))
        if cand[0] > best[0] or (cand[0] == best[0] and cand[1] > best[1] + 1e-12):
            best = cand
    return best


@given(
    st.integers(1, 4).flatmap(
        lambda g: st.integers(1, 5).flatmap(
            lambda d: st.lists(
                st.sampled_from([0.0, 0.3, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 1.0]),
                min_size=g * d,
                max_size=g * d,
            ).map(lambda v: np.array(v, dtype=np.float64).reshape(g, d))
        )
    )
)
def test_optimal_matching_equals_brute_force(iou: np.ndarray) -> None:
    """Optimal = most matches, then the largest total IoU (checked exhaustively)."""
    t, p = match_iou(iou, matching="optimal", strict=False)
    count, total = _brute_force(iou, 0.5)
    assert t.size == count
    assert np.isclose(iou[t, p].sum(), total)
    for rule in ("greedy", "first-come"):
        other_t, other_p = match_iou(iou, matching=rule, strict=False)  # type: ignore[arg-type]
        assert other_t.size == other_p.size <= count

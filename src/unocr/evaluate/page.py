"""Score one predicted page against its ground truth, and sum over many.

Per image, :func:`evaluate_page` computes

- **detection**: matches at the sample's level (words or lines) under the
  ICDAR 2015 protocol (:mod:`unocr.evaluate.matching`); precision = matches /
  detections kept, recall = matches / ground-truth regions, hmean their
  harmonic mean;
- **end to end**: the same, but a match counts only if the two
  transcriptions are equal after normalisation;
- **recognition over matched pairs**: character and word edit distance summed
  over the matched pairs (misses and false alarms are not counted here: that
  is what detection recall and precision measure);
- **recognition over the page**: CER and WER between the whole ground-truth
  text and the whole predicted text in reading order (whitespace runs count as
  one space, so line breaks are not errors). Detections discarded by a
  don't-care region are left out of the predicted text.

Rates are ``None`` where undefined (no localisation in the ground truth).
Dataset figures (:func:`aggregate`) sum counts over images before dividing
(micro-average), as the ICDAR script does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from rapidfuzz.distance import Levenshtein

from unocr.evaluate.matching import DetectionMatch, Matching, match_detections
from unocr.evaluate.normalize import Normalization, normalize_text
from unocr.evaluate.text import (
    ErrorCounts,
    bag_of_words_errors,
    char_errors,
    word_errors,
)
from unocr.geometry import Geometry
from unocr.model import Element, Page

__all__ = [
    "EvalOptions",
    "PageScores",
    "Scores",
    "aggregate",
    "evaluate_page",
    "hmean",
    "precision_recall",
]


@dataclass(frozen=True)
class EvalOptions:
    """Settings of the evaluation protocol.

    Attributes:
        iou_threshold: Minimum IoU of a detection match (ICDAR 2015: 0.5).
        ignore_overlap: A detection more than this fraction of its area inside
            one don't-care region is discarded (ICDAR 2015: 0.5).
        matching: ``"optimal"`` (order-independent, default) or ``"greedy"``.
        normalization: Text normalisation for end-to-end matches and CER/WER.
    """

    iou_threshold: float = 0.5
    ignore_overlap: float = 0.5
    matching: Matching = "optimal"
    normalization: Normalization = field(default_factory=Normalization)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict of the settings."""
        return {
            "iou_threshold": self.iou_threshold,
            "ignore_overlap": self.ignore_overlap,
            "matching": self.matching,
            "normalization": self.normalization.to_dict(),
        }


def precision_recall(matched: int, n_truth: int, n_pred: int) -> tuple[float, float]:
    """Precision and recall from counts.

    Args:
        matched: True positives.
        n_truth: Ground-truth regions (don't care excluded).
        n_pred: Detections (discarded ones excluded).

    Returns:
        ``(precision, recall)``. With nothing to find, recall is 1; with
        nothing detected, precision is 1 if there was nothing to find, else 0.
    """
    recall = matched / n_truth if n_truth else 1.0
    if n_pred:
        return matched / n_pred, recall
    precision = 1.0 if n_truth == 0 else 0.0
    return precision, recall


def hmean(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (0 when both are 0)."""
    total = precision + recall
    return 2.0 * precision * recall / total if total > 0 else 0.0


@dataclass(frozen=True)
class Scores:
    """Counts and rates over one image or many (see :func:`aggregate`).

    Counts are summed over images; rates are computed from the sums.
    Detection and end-to-end fields are ``None`` when no image had localised
    ground truth; matched-pair CER/WER likewise.

    Attributes:
        images: Images scored.
        localized: Whether any scored image had ground-truth coordinates.
        n_truth: Ground-truth regions (don't care excluded).
        n_pred: Detections kept (discarded ones excluded).
        n_discarded: Detections discarded by don't-care regions.
        n_dont_care: Don't-care regions.
        matched: Detection true positives.
        e2e_matched: Matches whose normalised texts are equal.
        precision: Detection precision.
        recall: Detection recall.
        hmean: Detection hmean.
        e2e_precision: End-to-end precision.
        e2e_recall: End-to-end recall.
        e2e_hmean: End-to-end hmean.
        matched_char_errors: Character edits summed over matched pairs.
        matched_chars: Ground-truth characters of matched pairs.
        matched_word_errors: Word edits summed over matched pairs.
        matched_words: Ground-truth words of matched pairs.
        matched_cer: ``matched_char_errors / matched_chars``.
        matched_wer: ``matched_word_errors / matched_words``.
        page_char_errors: Character edits between whole-page texts.
        page_chars: Characters of the ground-truth page texts.
        page_word_errors: Word edits between whole-page texts.
        page_words: Words of the ground-truth page texts.
        cer: Page-level character error rate.
        wer: Page-level word error rate.
        bow_word_errors: Page-level word errors ignoring word order
            (:func:`~unocr.evaluate.text.bag_of_words_errors`).
        bow_wer: ``bow_word_errors / page_words``: WER without reading-order
            mistakes (always <= ``wer``).
    """

    images: int = 0
    localized: bool = True
    n_truth: int = 0
    n_pred: int = 0
    n_discarded: int = 0
    n_dont_care: int = 0
    matched: int = 0
    e2e_matched: int = 0
    precision: float | None = None
    recall: float | None = None
    hmean: float | None = None
    e2e_precision: float | None = None
    e2e_recall: float | None = None
    e2e_hmean: float | None = None
    matched_char_errors: int = 0
    matched_chars: int = 0
    matched_word_errors: int = 0
    matched_words: int = 0
    matched_cer: float | None = None
    matched_wer: float | None = None
    page_char_errors: int = 0
    page_chars: int = 0
    page_word_errors: int = 0
    page_words: int = 0
    cer: float | None = None
    wer: float | None = None
    bow_word_errors: int = 0
    bow_wer: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict of every field."""
        return asdict(self)


@dataclass(frozen=True)
class PageScores(Scores):
    """Scores of one image, plus the matches behind them.

    Attributes:
        truth_text: The ground truth's page text (normalised).
        pred_text: The prediction's page text (normalised, discarded
            detections left out).
        match: The detection matches (``None`` for text-only ground truth).
    """

    truth_text: str = ""
    pred_text: str = ""
    match: DetectionMatch | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict of the figures (texts included, matches left out)."""
        out = Scores.to_dict(self)
        out.pop("match", None)
        return out


def _elements(page: Page, level: str) -> tuple[Element, ...]:
    if level == "line":
        return page.lines or page.words
    return page.words or page.lines


def _page_text(page: Page, level: str, drop: set[int]) -> str:
    """Reading-order text of ``page`` without the dropped elements."""
    if not drop:
        return page.text
    lines_out: list[str] = []
    use_words = level == "word" and bool(page.words)
    index = 0
    for line in page.lines:
        if use_words:
            kept = []
            for word in line.words:
                if index not in drop:
                    kept.append(word.text)
                index += 1
            if kept:
                lines_out.append(" ".join(kept))
        else:
            if index not in drop:
                lines_out.append(line.text)
            index += 1
    return "\n".join(lines_out)


def _text_scores(truth_text: str, pred_text: str) -> dict[str, Any]:
    """The page-text fields of :class:`PageScores`: CER, WER, bag-of-words WER.

    Args:
        truth_text: The ground truth's normalised page text.
        pred_text: The prediction's normalised page text.

    Returns:
        Keyword arguments for :class:`PageScores` (counts, rates and texts).
    """
    c = char_errors(truth_text, pred_text)
    w = word_errors(truth_text, pred_text)
    bow = bag_of_words_errors(truth_text, pred_text)
    return {
        "page_char_errors": c.errors,
        "page_chars": c.length,
        "page_word_errors": w.errors,
        "page_words": w.length,
        "cer": c.rate,
        "wer": w.rate,
        "bow_word_errors": bow.errors,
        "bow_wer": bow.rate,
        "truth_text": truth_text,
        "pred_text": pred_text,
    }


def evaluate_page(
    truth: Page,
    prediction: Page,
    *,
    ignore: Sequence[Geometry] = (),
    level: str = "word",
    localized: bool = True,
    options: EvalOptions | None = None,
) -> PageScores:
    """Score one prediction against its ground truth.

    Args:
        truth: Ground truth (don't-care regions removed).
        prediction: The engine's page for the same image.
        ignore: Don't-care regions (pixel coordinates of the same image).
        level: ``"word"`` or ``"line"``: which elements of both pages to match.
            A prediction without words is matched by its lines.
        localized: ``False`` for text-only ground truth: only page CER/WER.
        options: Protocol settings (default :class:`EvalOptions`).

    Returns:
        Every per-image count and rate.

    Raises:
        ValueError: ``level`` is not ``"word"`` or ``"line"``.

    Examples:
        >>> from unocr.geometry import Box
        >>> from unocr.model import Page, Word
        >>> words = [Word(text="hi", geometry=Box(0, 0, 20, 10))]
        >>> gt = Page.from_words(words, width=40, height=20)
        >>> evaluate_page(gt, gt).hmean, evaluate_page(gt, gt).cer
        (1.0, 0.0)
    """
    if level not in ("word", "line"):
        raise ValueError(f"level must be 'word' or 'line', got {level!r}")
    opts = options or EvalOptions()
    norm = opts.normalization
    truth_text = normalize_text(truth.text, norm)
    if not localized:
        pred_text = normalize_text(prediction.text, norm)
        return PageScores(
            images=1, localized=False, **_text_scores(truth_text, pred_text)
        )

    gt_el = _elements(truth, level)
    pr_el = _elements(prediction, level)
    match = match_detections(
        [e.geometry for e in gt_el],
        [e.geometry for e in pr_el],
        ignore,
        iou_threshold=opts.iou_threshold,
        ignore_overlap=opts.ignore_overlap,
        matching=opts.matching,
    )
    e2e = 0
    chars = char_total = words = word_total = 0
    for t, p in zip(match.truth_index.tolist(), match.pred_index.tolist(), strict=True):
        ref = normalize_text(gt_el[t].text, norm)
        hyp = normalize_text(pr_el[p].text, norm)
        char_total += len(ref)
        ref_words = ref.split()
        word_total += len(ref_words)
        if ref == hyp:
            e2e += 1
            continue
        chars += Levenshtein.distance(ref, hyp)
        words += Levenshtein.distance(ref_words, hyp.split())
    pairs_c = ErrorCounts(chars, char_total)
    pairs_w = ErrorCounts(words, word_total)
    drop = set(np.flatnonzero(match.discarded).tolist())
    pred_text = normalize_text(_page_text(prediction, level, drop), norm)
    p, r = precision_recall(match.matched, match.n_truth, match.n_pred)
    ep, er = precision_recall(e2e, match.n_truth, match.n_pred)
    return PageScores(
        images=1,
        localized=True,
        n_truth=match.n_truth,
        n_pred=match.n_pred,
        n_discarded=int(match.discarded.sum()),
        n_dont_care=len(ignore),
        matched=match.matched,
        e2e_matched=e2e,
        precision=p,
        recall=r,
        hmean=hmean(p, r),
        e2e_precision=ep,
        e2e_recall=er,
        e2e_hmean=hmean(ep, er),
        matched_char_errors=pairs_c.errors,
        matched_chars=pairs_c.length,
        matched_word_errors=pairs_w.errors,
        matched_words=pairs_w.length,
        matched_cer=pairs_c.rate if match.matched else None,
        matched_wer=pairs_w.rate if match.matched else None,
        match=match,
        **_text_scores(truth_text, pred_text),
    )


def aggregate(scores: Iterable[Scores]) -> Scores:
    """Sum per-image scores into dataset scores (micro-average).

    Args:
        scores: Per-image (or already aggregated) scores.

    Returns:
        Summed counts with rates recomputed from the sums. Detection and
        matched-pair rates consider only localised images and are ``None``
        if there were none.
    """
    items = list(scores)
    keys = (
        "n_truth",
        "n_pred",
        "n_discarded",
        "n_dont_care",
        "matched",
        "e2e_matched",
        "matched_char_errors",
        "matched_chars",
        "matched_word_errors",
        "matched_words",
        "page_char_errors",
        "page_chars",
        "page_word_errors",
        "page_words",
        "bow_word_errors",
    )
    sums = {k: sum(int(getattr(s, k)) for s in items) for k in keys}
    images = sum(s.images for s in items)
    localized = any(s.localized and s.images for s in items)
    page_c = ErrorCounts(sums["page_char_errors"], sums["page_chars"])
    page_w = ErrorCounts(sums["page_word_errors"], sums["page_words"])
    bow = ErrorCounts(sums["bow_word_errors"], sums["page_words"])
    out = Scores(
        images=images,
        localized=localized,
        cer=page_c.rate if images else None,
        wer=page_w.rate if images else None,
        bow_wer=bow.rate if images else None,
        **sums,
    )
    if not localized:
        return out
    p, r = precision_recall(sums["matched"], sums["n_truth"], sums["n_pred"])
    ep, er = precision_recall(sums["e2e_matched"], sums["n_truth"], sums["n_pred"])
    pair_c = ErrorCounts(sums["matched_char_errors"], sums["matched_chars"])
    pair_w = ErrorCounts(sums["matched_word_errors"], sums["matched_words"])
    has_pairs = sums["matched"] > 0
    return Scores(
        **{
            **asdict(out),
            "precision": p,
            "recall": r,
            "hmean": hmean(p, r),
            "e2e_precision": ep,
            "e2e_recall": er,
            "e2e_hmean": hmean(ep, er),
            "matched_cer": pair_c.rate if has_pairs else None,
            "matched_wer": pair_w.rate if has_pairs else None,
        }
    )

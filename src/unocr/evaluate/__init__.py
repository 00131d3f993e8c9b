"""Metrics for OCR results: detection, end to end, recognition, speed.

- Detection: precision, recall and hmean at IoU >= 0.5 under the ICDAR 2015
  protocol (one-to-one matching, don't-care regions), for any shapes
  (:func:`match_detections`, :func:`evaluate_page`).
- End to end: a match counts only when the texts agree after
  :class:`Normalization` (case, NFKC, punctuation).
- Recognition: CER and WER with rapidfuzz's Levenshtein distance, over
  matched pairs and over the whole page text (:func:`cer`, :func:`wer`).
- Speed: median and 95th-percentile latency, throughput, model load time
  (:func:`speed_stats`).

Examples:
    >>> from unocr.evaluate import cer, Normalization
    >>> cer("Hello", "hello", Normalization(ignore_case=True))
    0.0
"""

from __future__ import annotations

from unocr.evaluate.matching import (
    DetectionMatch,
    Matching,
    dont_care_mask,
    match_detections,
    match_iou,
)
from unocr.evaluate.normalize import Normalization, normalize_text
from unocr.evaluate.page import (
    EvalOptions,
    PageScores,
    Scores,
    aggregate,
    evaluate_page,
    hmean,
    precision_recall,
)
from unocr.evaluate.speed import SpeedStats, speed_stats
from unocr.evaluate.text import (
    ErrorCounts,
    bag_of_words_errors,
    cer,
    char_errors,
    wer,
    word_errors,
)

__all__ = [
    "DetectionMatch",
    "ErrorCounts",
    "EvalOptions",
    "Matching",
    "Normalization",
    "PageScores",
    "Scores",
    "SpeedStats",
    "aggregate",
    "bag_of_words_errors",
    "cer",
    "char_errors",
    "dont_care_mask",
    "evaluate_page",
    "hmean",
    "match_detections",
    "match_iou",
    "normalize_text",
    "precision_recall",
    "speed_stats",
    "wer",
    "word_errors",
]

"""Metrics for OCR results: detection, end to end, recognition, speed.

- Detection: precision, recall and hmean under the official ICDAR 2015
  protocol (IoU > 0.5, first-come one-to-one matching, don't-care regions)
  or custom settings, for any shapes (:func:`match_detections`,
  :func:`score_page`, :class:`ScoringOptions`).
- End to end: a match counts only when the texts agree after
  :class:`Normalization` (case, NFKC, punctuation, the ICDAR edge rule);
  optionally the word-spotting variant (:func:`spotting_word`).
- Recognition: CER and WER with rapidfuzz's Levenshtein distance, over
  matched pairs and over the whole page text (:func:`cer`, :func:`wer`).
- Speed: median and 95th-percentile latency, throughput, model load time
  (:func:`speed_stats`).

Examples:
    >>> from unocr.metrics import cer, Normalization
    >>> cer("Hello", "hello", Normalization(ignore_case=True))
    0.0
"""

from __future__ import annotations

from unocr._lazy import Moved as _Moved
from unocr._lazy import module_getattr as _module_getattr
from unocr.metrics.matching import (
    MATCHING_RULES,
    DetectionMatch,
    Matching,
    dont_care_mask,
    match_detections,
    match_iou,
)
from unocr.metrics.normalize import (
    ICDAR_EDGE_PUNCTUATION,
    NORMALIZATIONS,
    Normalization,
    normalize_text,
    texts_match,
)
from unocr.metrics.page import (
    PROTOCOLS,
    PageScores,
    Protocol,
    Scores,
    ScoringOptions,
    aggregate,
    dataset_precision_recall,
    hmean,
    precision_recall,
    score_page,
)
from unocr.metrics.speed import SpeedStats, speed_stats
from unocr.metrics.spotting import spotting_word
from unocr.metrics.text import (
    ErrorCounts,
    bag_of_words_errors,
    cer,
    char_errors,
    wer,
    word_errors,
)

__all__ = [
    "ICDAR_EDGE_PUNCTUATION",
    "MATCHING_RULES",
    "NORMALIZATIONS",
    "PROTOCOLS",
    "DetectionMatch",
    "ErrorCounts",
    "Matching",
    "Normalization",
    "PageScores",
    "Protocol",
    "Scores",
    "ScoringOptions",
    "SpeedStats",
    "aggregate",
    "bag_of_words_errors",
    "cer",
    "char_errors",
    "dataset_precision_recall",
    "dont_care_mask",
    "hmean",
    "match_detections",
    "match_iou",
    "normalize_text",
    "precision_recall",
    "score_page",
    "speed_stats",
    "spotting_word",
    "texts_match",
    "wer",
    "word_errors",
]

__getattr__ = _module_getattr(
    __name__,
    deprecated={
        "EvalOptions": _Moved(
            __name__, "ScoringOptions", "unocr.metrics.ScoringOptions"
        ),
        "evaluate_page": _Moved(__name__, "score_page", "unocr.metrics.score_page"),
    },
)

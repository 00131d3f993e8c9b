"""Score one predicted page against its ground truth, and sum over many.

Per image, :func:`score_page` computes

- **detection**: matches at the sample's level (words or lines) under the
  ICDAR 2015 protocol (:mod:`unocr.metrics.matching`); precision = matches /
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
  don't-care region are left out of the predicted text; every other line
  keeps its own text.

Rates are ``None`` where undefined (no localisation in the ground truth).
Dataset figures (:func:`aggregate`) sum counts over images before dividing
(micro-average), as the ICDAR script does.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Literal

import numpy as np
from rapidfuzz.distance import Levenshtein

from unocr.backends.options import check_choice, check_number
from unocr.errors import ConfigError
from unocr.geometry import Geometry
from unocr.metrics.matching import (
    MATCHING_RULES,
    DetectionMatch,
    Matching,
    match_detections,
)
from unocr.metrics.normalize import (
    NORMALIZATIONS,
    Normalization,
    normalize_text,
    texts_match,
)
from unocr.metrics.spotting import spotting_match, spotting_word
from unocr.metrics.text import (
    ErrorCounts,
    bag_of_words_errors,
    char_errors,
    word_errors,
)
from unocr.model import Element, Page
from unocr.model.elements import words_text

__all__ = [
    "PROTOCOLS",
    "PageScores",
    "Protocol",
    "Scores",
    "ScoringOptions",
    "aggregate",
    "dataset_precision_recall",
    "hmean",
    "precision_recall",
    "score_page",
    "scored_elements",
]


Protocol = Literal["icdar2015", "custom"]

#: The scoring protocols: the official ICDAR 2015 rules, or your own settings.
PROTOCOLS: tuple[Protocol, ...] = ("icdar2015", "custom")

# Each protocol's own text normalisation (a preset of NORMALIZATIONS): what
# applies where neither the options nor a dataset name one.
_PROTOCOL_NORMALIZATION: dict[Protocol, str] = {
    "icdar2015": "icdar2015",
    "custom": "exact",
}


@dataclass(frozen=True)
class ScoringOptions:
    """Settings of the scoring protocol.

    ``protocol="icdar2015"`` (the default) reproduces the official ICDAR 2015
    Robust Reading scripts (Task 4.1 detection, Task 4.4 end to end): a match
    needs IoU *greater than* ``iou_threshold`` (0.5), matches are taken
    first-come in file order, and a dataset without ground truth (or without
    detections) scores recall (precision) 0. ``protocol="custom"`` uses
    ``matching`` as given, accepts IoU equal to the threshold, and scores an
    empty dataset as perfect.

    Attributes:
        protocol: ``"icdar2015"`` or ``"custom"``.
        iou_threshold: IoU threshold of a detection match (ICDAR 2015: 0.5):
            in [0, 1) for ``icdar2015`` (IoU must exceed it), in (0, 1] for
            ``custom`` (IoU must reach it).
        ignore_overlap: A detection more than this fraction of its area inside
            one don't-care region is discarded (ICDAR 2015: 0.5); in [0, 1).
        matching: One-to-one rule (:data:`~unocr.metrics.matching.MATCHING_RULES`);
            ``None`` = the protocol's (``"first-come"`` for ``icdar2015``,
            ``"optimal"`` for ``custom``).
        normalization: Text normalisation for end-to-end matches and CER/WER:
            a :class:`~unocr.metrics.Normalization` or the name of a preset
            of :data:`~unocr.metrics.NORMALIZATIONS` (``"exact"``,
            ``"ignore-case"``, ``"icdar2015"``; kept as that preset).
            ``None`` = what the dataset declares (``Dataset.normalization``,
            in :func:`unocr.compare`; exact comparison where a dataset
            declares nothing), and for :func:`score_page` alone the
            protocol's own: the ``icdar2015`` preset (the official Task 4.4
            rule) under ``icdar2015``, exact comparison under ``custom``.
        word_spotting: Score end to end as the word-spotting variant of
            Task 4.4 (:mod:`unocr.metrics.spotting`): ``True`` or ``False``.

    Raises:
        unocr.errors.ConfigError: An unknown protocol or matching rule, a
            threshold that is not a finite number in its range, a
            normalisation that is neither a ``Normalization`` nor a preset's
            name, or a ``word_spotting`` that is not a ``bool`` (the message
            names the option, the value and what it may be).
    """

    protocol: Protocol = "icdar2015"
    iou_threshold: float = 0.5
    ignore_overlap: float = 0.5
    matching: Matching | None = None
    normalization: Normalization | str | None = None
    word_spotting: bool = False

    def __post_init__(self) -> None:
        check_choice(self.protocol, "protocol", PROTOCOLS)
        if self.matching is not None:
            check_choice(self.matching, "matching", MATCHING_RULES)
        object.__setattr__(self, "normalization", _normalization(self.normalization))
        if not isinstance(self.word_spotting, bool):
            raise ConfigError(
                "word_spotting must be True or False, got "
                f"{reprlib.repr(self.word_spotting)}",
                option="word_spotting",
            )
        strict = self.protocol == "icdar2015"
        iou = _fraction(
            self.iou_threshold,
            "iou_threshold",
            open_at=1.0 if strict else 0.0,
            why="IoU > 1 is never met"
            if strict
            else "IoU >= 0 matches boxes that do not even touch",
            protocol=self.protocol,
        )
        overlap = _fraction(
            self.ignore_overlap,
            "ignore_overlap",
            open_at=1.0,
            why="no detection is more than all of it inside a region",
        )
        object.__setattr__(self, "iou_threshold", iou)
        object.__setattr__(self, "ignore_overlap", overlap)

    @property
    def rule(self) -> Matching:
        """The matching rule in force (the protocol's when ``matching`` is None)."""
        if self.matching is not None:
            return self.matching
        return "first-come" if self.protocol == "icdar2015" else "optimal"

    @property
    def official(self) -> bool:
        """Whether these settings are exactly the official ICDAR 2015 ones."""
        return (
            self.protocol == "icdar2015"
            and self.rule == "first-come"
            and self.iou_threshold == 0.5
            and self.ignore_overlap == 0.5
        )

    @property
    def normalization_in_force(self) -> Normalization:
        """The text normalisation applied: the one given, else the protocol's own.

        The protocol's own is the ``icdar2015`` preset (the official Task 4.4
        rule) under ``icdar2015`` and exact comparison under ``custom``.
        """
        if isinstance(self.normalization, Normalization):
            return self.normalization
        return NORMALIZATIONS[_PROTOCOL_NORMALIZATION[self.protocol]]

    def resolved(self, declared: Normalization | None) -> ScoringOptions:
        """These options with ``normalization`` filled from a dataset's declaration.

        Args:
            declared: The dataset's normalisation (``Dataset.normalization``);
                ``None`` = exact comparison.

        Returns:
            ``self`` where a normalisation is set, else a copy with the
            declared one.
        """
        if self.normalization is not None:
            return self
        return replace(self, normalization=declared or Normalization())

    def describe(self) -> str:
        """One line for tables and reports."""
        rel = ">" if self.protocol == "icdar2015" else "\u2265"
        text = (
            f"{self.protocol} protocol: IoU {rel} {self.iou_threshold:g}, "
            f"{self.rule} matching"
        )
        if self.word_spotting:
            text += ", word spotting"
        if self.protocol == "icdar2015" and not self.official:
            text += " (settings differ from the official ones)"
        return text

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict of the settings."""
        return {
            "protocol": self.protocol,
            "iou_threshold": self.iou_threshold,
            "ignore_overlap": self.ignore_overlap,
            "matching": self.rule,
            "normalization": (
                self.normalization.to_dict()
                if isinstance(self.normalization, Normalization)
                else None
            ),
            "word_spotting": self.word_spotting,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoringOptions:
        """The inverse of :meth:`to_dict`."""
        norm = data.get("normalization")
        return cls(
            protocol=data.get("protocol", "custom"),
            iou_threshold=float(data["iou_threshold"]),
            ignore_overlap=float(data["ignore_overlap"]),
            matching=data.get("matching"),
            normalization=None if norm is None else Normalization.from_dict(norm),
            word_spotting=bool(data.get("word_spotting", False)),
        )


def _normalization(value: object) -> Normalization | None:
    """Check :attr:`ScoringOptions.normalization`; a preset's name becomes the preset.

    Args:
        value: The value given.

    Returns:
        The normalisation, or ``None`` (the dataset's, else the protocol's).

    Raises:
        unocr.errors.ConfigError: Neither ``None``, a ``Normalization`` nor
            the name of a preset of :data:`~unocr.metrics.NORMALIZATIONS`.
    """
    if value is None or isinstance(value, Normalization):
        return value
    if isinstance(value, str) and value in NORMALIZATIONS:
        return NORMALIZATIONS[value]
    *rest, last = [repr(name) for name in NORMALIZATIONS]
    names = f"{', '.join(rest)} or {last}" if rest else last
    raise ConfigError(
        "normalization must be a unocr.metrics.Normalization, a preset name "
        f"({names}) or None, got {reprlib.repr(value)}",
        option="normalization",
    )


def _fraction(
    value: object, name: str, *, open_at: float, why: str, protocol: str | None = None
) -> float:
    """Check a :class:`ScoringOptions` fraction: a number in [0, 1], one end open.

    Args:
        value: The value given.
        name: The option's name.
        open_at: The end of [0, 1] that means nothing for the option (0 or 1).
        why: Why it means nothing, for the message.
        protocol: The protocol that decides the open end, if one does.

    Returns:
        The value as a float.

    Raises:
        unocr.errors.ConfigError: Not a finite number in [0, 1] (a ``bool``
            is not one), or the open end.
    """
    number = check_number(value, name, maximum=1.0)
    if number == open_at:
        valid = "(0, 1]" if open_at == 0.0 else "[0, 1)"
        under = f" under protocol {protocol!r}" if protocol else ""
        raise ConfigError(
            f"{name} must lie in {valid}{under}, got {value!r}: {why}; give a "
            f"value {'above 0' if open_at == 0.0 else 'below 1'}"
        )
    return number


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


def dataset_precision_recall(
    matched: int, n_truth: int, n_pred: int, protocol: Protocol = "icdar2015"
) -> tuple[float, float]:
    """Precision and recall of a whole dataset from summed counts.

    Args:
        matched: True positives summed over images.
        n_truth: Ground-truth regions summed over images.
        n_pred: Detections summed over images.
        protocol: ``"icdar2015"``: the official scripts' dataset figures,
            ``methodRecall = 0 if numGlobalCareGt == 0`` and
            ``methodPrecision = 0 if numGlobalCareDet == 0`` (so a dataset
            with neither scores 0/0/0); ``"custom"``: the per-image
            convention of :func:`precision_recall` (an empty dataset is
            perfect).

    Returns:
        ``(precision, recall)``.
    """
    if protocol != "icdar2015":
        return precision_recall(matched, n_truth, n_pred)
    # Task 4.1 / 4.4 script.py, end of evaluate_method.
    recall = matched / n_truth if n_truth else 0.0
    precision = matched / n_pred if n_pred else 0.0
    return precision, recall


def hmean(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (0 when both are 0)."""
    total = precision + recall
    return 2.0 * precision * recall / total if total > 0 else 0.0


@dataclass(frozen=True)
class _Derivation:
    """How a field of :class:`Scores` follows from its other fields.

    Attributes:
        rule: Computes the field from the values of ``inputs``, in order.
        inputs: The fields it is computed from.
        given: Fields that must all be true (non-zero) for it to be defined;
            else it is ``None``.
    """

    rule: Callable[..., float | None]
    inputs: tuple[str, ...]
    given: tuple[str, ...]


def _error_rate(errors: str, length: str, *, pairs: bool = False) -> Any:
    """Declare a rate field of :class:`Scores`: ``errors / length`` of two counts.

    Args:
        errors: The count field of edits.
        length: The count field of ground-truth characters or words.
        pairs: A rate over matched pairs: defined only for localised scores
            with a matched pair. Else a page rate, defined once an image
            is scored.

    Returns:
        The field (default ``None``), filled by :func:`_derived` as
        :attr:`ErrorCounts.rate <unocr.metrics.text.ErrorCounts.rate>`.
    """
    given = ("localized", "matched") if pairs else ("images",)
    rule = _Derivation(lambda e, n: ErrorCounts(e, n).rate, (errors, length), given)
    return field(default=None, metadata={"derived": rule})


def _harmonic_mean(precision: str, recall: str) -> Any:
    """Declare the :func:`hmean` field of a precision and a recall field.

    Args:
        precision: The precision field.
        recall: The recall field.

    Returns:
        The field (default ``None``), filled by :func:`_derived` for
        localised scores.
    """
    rule = _Derivation(hmean, (precision, recall), ("localized",))
    return field(default=None, metadata={"derived": rule})


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
        e2e_matched: Matches whose transcriptions are correct.
        e2e_n_truth: Ground-truth regions of the end-to-end score (fewer than
            ``n_truth`` with word spotting, whose non-dictionary words are
            don't care).
        e2e_n_pred: Detections kept for the end-to-end score.
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
            (:func:`~unocr.metrics.text.bag_of_words_errors`).
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
    e2e_n_truth: int = 0
    e2e_n_pred: int = 0
    precision: float | None = None
    recall: float | None = None
    hmean: float | None = _harmonic_mean("precision", "recall")
    e2e_precision: float | None = None
    e2e_recall: float | None = None
    e2e_hmean: float | None = _harmonic_mean("e2e_precision", "e2e_recall")
    matched_char_errors: int = 0
    matched_chars: int = 0
    matched_word_errors: int = 0
    matched_words: int = 0
    matched_cer: float | None = _error_rate(
        "matched_char_errors", "matched_chars", pairs=True
    )
    matched_wer: float | None = _error_rate(
        "matched_word_errors", "matched_words", pairs=True
    )
    page_char_errors: int = 0
    page_chars: int = 0
    page_word_errors: int = 0
    page_words: int = 0
    cer: float | None = _error_rate("page_char_errors", "page_chars")
    wer: float | None = _error_rate("page_word_errors", "page_words")
    bow_word_errors: int = 0
    bow_wer: float | None = _error_rate("bow_word_errors", "page_words")

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


def scored_elements(page: Page, level: str) -> tuple[Element, ...]:
    """The elements of ``page`` scored at ``level``, in the page's order.

    Args:
        page: A ground-truth or engine page.
        level: ``"word"`` (a line without words is one element itself) or
            ``"line"`` (words where the page has no lines).

    Returns:
        ``page.lines``, or at ``"word"`` every line's words, in their place
        a line's own where it has none (``page.words`` where every line has
        words, ``page.lines`` where none has).
    """
    if level == "line":
        return page.lines or page.words
    return tuple(el for line in page.lines for el in (line.words or (line,)))


def _page_text(page: Page, level: str, drop: set[int]) -> str:
    """Reading-order text of ``page`` without the dropped elements.

    Args:
        page: The engine's page.
        level: The level its elements were scored at (see
            :func:`scored_elements`).
        drop: Positions, in :func:`scored_elements` order, of the elements
            discarded by don't-care regions.

    Returns:
        :attr:`Page.text <unocr.model.Page.text>` without them: every line
        keeps its own text, as the engine gave it, unless it lost words; one
        that lost some is its remaining words re-joined (as
        :meth:`Page.filter <unocr.model.Page.filter>` makes it) and one that
        lost all goes. A line without words is one element (at either level).
    """
    if not drop:
        return page.text
    by_words = level == "word"  # else each line is one
    index = 0
    blocks: list[str] = []
    for block in page.blocks:
        texts: list[str] = []
        for line in block.lines:
            if not by_words or not line.words:
                if index not in drop:
                    texts.append(line.text)
                index += 1
            else:
                kept = [w for i, w in enumerate(line.words, index) if i not in drop]
                index += len(line.words)
                if len(kept) == len(line.words):
                    texts.append(line.text)
                elif kept:
                    texts.append(words_text(kept))
        if texts:
            blocks.append("\n".join(texts))
    return "\n\n".join(blocks)


def _detection_rates(
    counts: Mapping[str, int], rule: Callable[[int, int, int], tuple[float, float]]
) -> dict[str, float]:
    """The precision and recall fields of :class:`Scores` from its counts.

    Args:
        counts: Count fields by name: ``matched``, ``n_truth``, ``n_pred``
            and their ``e2e_`` counterparts.
        rule: ``(precision, recall)`` from ``(matched, n_truth, n_pred)``:
            :func:`precision_recall` for one image, the protocol's
            :func:`dataset_precision_recall` for a dataset.

    Returns:
        ``precision``, ``recall`` and their ``e2e_`` counterparts.
    """
    rates: dict[str, float] = {}
    for prefix in ("", "e2e_"):
        p, r = rule(
            counts[f"{prefix}matched"],
            counts[f"{prefix}n_truth"],
            counts[f"{prefix}n_pred"],
        )
        rates[f"{prefix}precision"] = p
        rates[f"{prefix}recall"] = r
    return rates


def _text_counts(truth_text: str, pred_text: str) -> dict[str, int]:
    """The page-text counts of :class:`Scores`: edits and ground-truth lengths.

    Args:
        truth_text: The ground truth's normalised page text.
        pred_text: The prediction's normalised page text.

    Returns:
        ``page_char_errors``, ``page_chars``, ``page_word_errors``,
        ``page_words`` and ``bow_word_errors``.
    """
    c = char_errors(truth_text, pred_text)
    w = word_errors(truth_text, pred_text)
    return {
        "page_char_errors": c.errors,
        "page_chars": c.length,
        "page_word_errors": w.errors,
        "page_words": w.length,
        "bow_word_errors": bag_of_words_errors(truth_text, pred_text).errors,
    }


def _derived(values: dict[str, Any]) -> dict[str, Any]:
    """Complete field values of :class:`Scores` with the fields derived from them.

    Args:
        values: Field values by name: ``images``, ``localized``, the counts,
            and precision and recall where localised.

    Returns:
        ``values`` with every derived field (hmeans, error rates) added:
        computed where its conditions hold, else ``None``.
    """
    out = dict(values)
    for f in fields(Scores):
        how = f.metadata.get("derived")
        if how is not None:
            defined = all(out[name] for name in how.given)
            out[f.name] = how.rule(*(out[n] for n in how.inputs)) if defined else None
    return out


def _e2e(
    gt_el: Sequence[Element],
    pr_el: Sequence[Element],
    match: DetectionMatch,
    ignore: Sequence[Geometry],
    opts: ScoringOptions,
    norm: Normalization,
) -> tuple[int, int, int]:
    """End-to-end ``(correct, n_truth, n_pred)`` of one image.

    ``norm`` compares the texts of the plain end-to-end score; word spotting
    has its own, fixed comparison (:func:`~unocr.metrics.spotting.spotting_match`).
    """
    if not opts.word_spotting:
        # Task 4.4 script.py: a pair matched on IoU counts when
        # transcription_match(gt.upper(), det.upper()) holds.
        correct = sum(
            texts_match(gt_el[t].text, pr_el[p].text, norm)
            for t, p in zip(
                match.truth_index.tolist(), match.pred_index.tolist(), strict=True
            )
        )
        return correct, match.n_truth, match.n_pred
    # Word spotting (Task 4.4, WORD_SPOTTING=True): non-dictionary words become
    # don't care; dictionary words are cleaned and compared upper-cased
    # without the edge allowance, whatever the normalisation.
    words: list[str] = []
    kept: list[Geometry] = []
    extra_ignore: list[Geometry] = []
    for el in gt_el:
        word = spotting_word(el.text)
        if word is None:
            extra_ignore.append(el.geometry)
        else:
            words.append(word)
            kept.append(el.geometry)
    spot = match_detections(
        kept,
        [e.geometry for e in pr_el],
        [*ignore, *extra_ignore],
        iou_threshold=opts.iou_threshold,
        ignore_overlap=opts.ignore_overlap,
        matching=opts.rule,
        strict=opts.protocol == "icdar2015",
        as_written=opts.protocol == "icdar2015",
    )
    correct = sum(
        spotting_match(words[t], pr_el[p].text)
        for t, p in zip(
            spot.truth_index.tolist(), spot.pred_index.tolist(), strict=True
        )
    )
    return correct, spot.n_truth, spot.n_pred


def score_page(
    truth: Page,
    prediction: Page,
    *,
    ignore: Sequence[Geometry] = (),
    level: str = "word",
    localized: bool = True,
    options: ScoringOptions | None = None,
    truth_elements: Sequence[Element] | None = None,
) -> PageScores:
    """Score one prediction against its ground truth.

    Args:
        truth: Ground truth (don't-care regions removed).
        prediction: The engine's page for the same image.
        ignore: Don't-care regions (pixel coordinates of the same image).
        level: ``"word"`` or ``"line"``: which elements of both pages to match.
            A prediction without words is matched by its lines.
        localized: ``False`` for text-only ground truth: only page CER/WER.
        options: Protocol settings (default :class:`ScoringOptions`: the
            official ICDAR 2015 protocol with its own end-to-end rule); their
            normalisation, else the protocol's own
            (:attr:`ScoringOptions.normalization_in_force`).
        truth_elements: The ground-truth regions at ``level`` in the
            dataset's file order (first-come matching depends on it);
            default: the truth page's elements in reading order.

    Returns:
        Every per-image count and rate.

    Raises:
        unocr.errors.ConfigError: ``level`` is not ``"word"`` or ``"line"``.

    Examples:
        >>> from unocr.geometry import Box
        >>> from unocr.model import Page, Word
        >>> words = [Word(text="hi", geometry=Box(0, 0, 20, 10))]
        >>> gt = Page.from_words(words, width=40, height=20)
        >>> score_page(gt, gt).hmean, score_page(gt, gt).cer
        (1.0, 0.0)
    """
    check_choice(level, "level", ("word", "line"))
    opts = options or ScoringOptions()
    norm = opts.normalization_in_force
    # Page texts and CER/WER always collapse whitespace (line breaks are not
    # errors); only end-to-end word matches may compare words as given.
    text_norm = replace(norm, collapse_whitespace=True)
    truth_text = normalize_text(truth.text, text_norm)
    if not localized:
        pred_text = normalize_text(prediction.text, text_norm)
        text = {"images": 1, "localized": False, **_text_counts(truth_text, pred_text)}
        return PageScores(
            **_derived(text),
            truth_text=truth_text,
            pred_text=pred_text,
        )

    if truth_elements is None:
        gt_el = scored_elements(truth, level)
    else:
        gt_el = tuple(truth_elements)
    pr_el = scored_elements(prediction, level)
    match = match_detections(
        [e.geometry for e in gt_el],
        [e.geometry for e in pr_el],
        ignore,
        iou_threshold=opts.iou_threshold,
        ignore_overlap=opts.ignore_overlap,
        matching=opts.rule,
        strict=opts.protocol == "icdar2015",
        as_written=opts.protocol == "icdar2015",
    )
    e2e, e2e_truth, e2e_pred = _e2e(gt_el, pr_el, match, ignore, opts, norm)
    chars = char_total = words = word_total = 0
    for t, p in zip(match.truth_index.tolist(), match.pred_index.tolist(), strict=True):
        ref = normalize_text(gt_el[t].text, text_norm)
        hyp = normalize_text(pr_el[p].text, text_norm)
        char_total += len(ref)
        ref_words = ref.split()
        word_total += len(ref_words)
        if ref == hyp:
            continue
        chars += Levenshtein.distance(ref, hyp)
        words += Levenshtein.distance(ref_words, hyp.split())
    drop = set(np.flatnonzero(match.discarded).tolist())
    pred_text = normalize_text(_page_text(prediction, level, drop), text_norm)
    counts = {
        "images": 1,
        "localized": True,
        "n_truth": match.n_truth,
        "n_pred": match.n_pred,
        "n_discarded": int(match.discarded.sum()),
        "n_dont_care": len(ignore),
        "matched": match.matched,
        "e2e_matched": e2e,
        "e2e_n_truth": e2e_truth,
        "e2e_n_pred": e2e_pred,
        "matched_char_errors": chars,
        "matched_chars": char_total,
        "matched_word_errors": words,
        "matched_words": word_total,
        **_text_counts(truth_text, pred_text),
    }
    rates = _detection_rates(counts, precision_recall)
    return PageScores(
        **_derived({**counts, **rates}),
        truth_text=truth_text,
        pred_text=pred_text,
        match=match,
    )


def aggregate(
    scores: Iterable[Scores], options: ScoringOptions | None = None
) -> Scores:
    """Sum per-image scores into dataset scores (micro-average).

    Args:
        scores: Per-image (or already aggregated) scores.
        options: The protocol (its dataset-level zero convention, see
            :func:`dataset_precision_recall`); default ICDAR 2015.

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
        "e2e_n_truth",
        "e2e_n_pred",
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
    values: dict[str, Any] = {
        "images": sum(s.images for s in items),
        "localized": any(s.localized and s.images for s in items),
        **sums,
    }
    if values["localized"]:
        protocol = (options or ScoringOptions()).protocol
        values.update(
            _detection_rates(
                sums, lambda m, t, p: dataset_precision_recall(m, t, p, protocol)
            )
        )
    return Scores(**_derived(values))

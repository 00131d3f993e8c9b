"""Ranking engines on one dataset and saying which to choose.

Accuracy is the end-to-end hmean where the ground truth has coordinates (the
right text in the right place) and ``1 - CER`` (at least 0) on text-only
ground truth, over every image of the dataset: one the engine failed on
counts as an empty page (see :attr:`RunResult.scores
<unocr.comparison.RunResult.scores>`), so failing where it would miss gains
an engine nothing. Speed is the median latency per image read. "Accuracy per
second" is accuracy divided by the median latency: how much of the task an
engine gets right per second of work on one image.

Accuracy can be undefined: CER on ground truth with no text, where the engine
read some, or E2E hmean with no localised ground truth. Such an engine still
has a speed, so it can be the fastest; claims about accuracy leave it out and
the recommendation says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from unocr.comparison.results import RunResult

__all__ = ["accuracy", "accuracy_per_second", "rank_runs", "recommendation"]


def accuracy(run: RunResult, localized: bool) -> float | None:
    """The run's accuracy on its dataset (higher is better), or ``None``.

    Args:
        run: One engine on one dataset.
        localized: Whether the dataset has coordinates.

    Returns:
        E2E hmean (localised) or ``max(0, 1 - CER)`` (text only).
    """
    if localized:
        return run.scores.e2e_hmean
    cer = run.scores.cer
    return None if cer is None else max(0.0, 1.0 - cer)


def accuracy_per_second(run: RunResult, localized: bool) -> float | None:
    """Accuracy divided by the median seconds per image (``None`` if unknown)."""
    acc = accuracy(run, localized)
    latency = run.speed.median_latency
    if acc is None or not latency:
        return None
    return acc / latency


def _usable(run: RunResult) -> bool:
    # an engine that fails on more than half of the images is not one to
    # choose, whatever its scores (which count those images as empty pages)
    return run.ok > 0 and run.failed <= run.ok


def rank_runs(runs: Sequence[RunResult], localized: bool) -> list[RunResult]:
    """The runs from most to least accurate.

    Ties are broken by detection hmean (localised data), then page CER.
    Runs that failed on more than half of their images come last.
    """

    def key(r: RunResult) -> tuple[int, float, float, float]:
        acc = accuracy(r, localized)
        det = r.scores.hmean if localized and r.scores.hmean is not None else 0.0
        cer = r.scores.cer if r.scores.cer is not None else float("inf")
        return (0 if _usable(r) else 1, -(acc if acc is not None else -1.0), -det, cer)

    return sorted(runs, key=key)


def _what(run: RunResult, localized: bool) -> str:
    s = run.scores
    if localized:
        return (
            f"E2E hmean {s.e2e_hmean or 0.0:.3f}: {s.e2e_matched} of "
            f"{s.e2e_n_truth} regions read right, {s.e2e_n_pred} detections"
        )
    return f"CER {s.cer if s.cer is not None else float('nan'):.3f}"


def _undefined(localized: bool) -> str:
    """Why a run's accuracy is undefined (see :func:`accuracy`)."""
    if localized:
        return "E2E hmean undefined: no localised ground truth"
    return "CER undefined: the ground truth has no text"


def _nothing_right(localized: bool, engines: int) -> str:
    """What to say when no engine's accuracy is above zero."""
    one = engines == 1
    if localized:
        why = (
            "it read no region right (E2E hmean 0.000)"
            if one
            else "none read a region right (E2E hmean 0.000 for each)"
        )
    else:
        why = (
            "it did no better than an empty page (CER 1.000 or more)"
            if one
            else "none did better than an empty page (CER 1.000 or more for each)"
        )
    return f"No engine is most accurate: {why}."


def recommendation(runs: Sequence[RunResult], localized: bool) -> str:
    """A plain-language recommendation for one dataset.

    Args:
        runs: The dataset's runs (any order).
        localized: Whether the dataset has coordinates.

    Returns:
        Which engine is most accurate, which is fastest and which gives the
        best accuracy per second, with the figures behind each claim. Where
        no engine's accuracy is above zero (none read a region right, or
        none did better than an empty page), none is named most accurate
        and accuracy per second is left out. An engine whose accuracy is
        undefined (see the module's description) can still be the fastest;
        the accuracy claims leave it out and say so.
    """
    usable = [r for r in runs if _usable(r)]
    if not usable:
        return "No engine read enough of this dataset to recommend one."
    scored = [r for r in usable if accuracy(r, localized) is not None]
    unscored = [r.backend for r in usable if accuracy(r, localized) is None]
    read_any = any(accuracy(r, localized) for r in scored)
    if not scored:
        parts = [f"No engine is most accurate ({_undefined(localized)})."]
    elif read_any:
        best = rank_runs(scored, localized)[0]
        parts = [f"Most accurate: {best.backend} ({_what(best, localized)})."]
    else:  # all at zero: naming one would single out a tie of nothing
        parts = [_nothing_right(localized, len(scored))]
    if scored and unscored:
        parts.append(
            f"Left out of the accuracy claims ({_undefined(localized)}): "
            + ", ".join(unscored)
            + "."
        )
    timed = [r for r in usable if r.speed.median_latency is not None]
    if timed:
        fast = min(timed, key=lambda r: r.speed.median_latency or 0.0)
        parts.append(
            f"Fastest: {fast.backend} ({fast.speed.median_latency or 0.0:.3f} s "
            "median per image)."
        )
        per_s = [(accuracy_per_second(r, localized), r) for r in timed]
        value, top = max(
            ((v, r) for v, r in per_s if v is not None),
            key=lambda item: item[0],
            default=(None, None),
        )
        if top is not None and value is not None and read_any:
            parts.append(
                f"Best accuracy per second: {top.backend} ({value:.3g} per second)."
            )
    excluded = [r.backend for r in runs if not _usable(r)]
    if excluded:
        parts.append(
            "Not considered (failed on more than half of the images): "
            + ", ".join(excluded)
            + "."
        )
    if len(runs) == 1:
        parts.insert(0, "Only one engine ran.")
    return " ".join(parts)

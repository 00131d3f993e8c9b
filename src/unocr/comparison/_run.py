"""The comparison harness: run engines over datasets and score them."""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from unocr.backends.base import Backend
from unocr.comparison.results import (
    CompareResult,
    DatasetInfo,
    ImageResult,
    RunResult,
    SkippedBackend,
)
from unocr.datasets import Dataset, Sample, load_dataset
from unocr.errors import BackendUnavailableError, UnocrError
from unocr.evaluate import EvalOptions, aggregate, evaluate_page, speed_stats
from unocr.model import Page

__all__ = ["compare"]


def _split_names(backends: str | Sequence[str]) -> tuple[str, ...]:
    items = backends.split(",") if isinstance(backends, str) else list(backends)
    names = tuple(dict.fromkeys(n.strip() for n in items if n.strip()))
    if not names:
        raise ValueError("give at least one backend name, e.g. 'tesseract'")
    return names


def _load(
    datasets: str | Dataset | Sequence[str | Dataset], limit: int | None
) -> list[Dataset]:
    if isinstance(datasets, (str, Dataset)):
        datasets = [datasets]
    out: list[Dataset] = []
    seen: dict[str, int] = {}
    for d in datasets:
        ds = load_dataset(d, limit=limit) if isinstance(d, str) else d
        if limit is not None and len(ds) > limit:
            ds = replace(ds, samples=ds.samples[:limit])
        seen[ds.name] = seen.get(ds.name, 0) + 1
        if seen[ds.name] > 1:  # two folders with the same name
            ds = replace(ds, name=f"{ds.name}#{seen[ds.name]}")
        out.append(ds)
    if not out:
        raise ValueError("give at least one dataset, e.g. 'icdar2015:path/to/folder'")
    return out


def _skip_reason(err: UnocrError) -> SkippedBackend:
    fix = getattr(err, "fix", None)
    reason = err.message
    if fix and reason.endswith(f" Fix: {fix}"):
        reason = reason[: -len(f" Fix: {fix}")]
    return SkippedBackend(backend=str(err.backend or ""), reason=reason, fix=fix)


def _failure(sample: Sample, error: str, *, page: Page | None = None) -> ImageResult:
    """The result of an image the engine or the evaluation failed on."""
    return ImageResult(
        id=sample.id,
        image=str(sample.image),
        ok=False,
        error=error,
        page=page,
        truth=sample.truth,
        level=sample.level,
        ignore=sample.ignore,
    )


def _evaluate(sample_result: Page, sample: Sample, options: EvalOptions) -> ImageResult:
    t = sample_result.timings
    try:
        scores = evaluate_page(
            sample.truth,
            sample_result,
            ignore=sample.ignore,
            level=sample.level,
            localized=sample.localized,
            options=options,
        )
    except (UnocrError, ValueError) as exc:
        return _failure(sample, f"evaluation failed: {exc}", page=sample_result)
    return ImageResult(
        id=sample.id,
        image=str(sample.image),
        ok=True,
        latency=t.total,
        decode_seconds=t.decode,
        engine_seconds=t.engine,
        convert_seconds=t.convert,
        scores=scores,
        page=sample_result,
        truth=sample.truth,
        level=sample.level,
        ignore=sample.ignore,
    )


def _run_one(
    backend: Backend,
    name: str,
    dataset: Dataset,
    *,
    load_seconds: float,
    languages: str | Sequence[str] | None,
    workers: int,
    options: EvalOptions,
    progress: Callable[[int], None] | None,
    keep_pages: bool,
) -> RunResult:
    paths = [str(s.image) for s in dataset.samples]
    start = time.perf_counter()
    outputs = backend.read_many(
        paths,
        languages=languages,
        workers=workers,
        errors="return",
        progress=progress,
    )
    wall = time.perf_counter() - start
    images: list[ImageResult] = []
    for sample, out in zip(dataset.samples, outputs, strict=True):
        if isinstance(out, Page):
            result = _evaluate(out, sample, options)
        else:  # ItemFailure
            result = _failure(sample, str(out.error))
        if not keep_pages:
            result = replace(result, page=None, truth=None, ignore=())
        images.append(result)
    good = [im for im in images if im.ok and im.scores is not None]
    latencies = [im.latency for im in good if im.latency is not None]
    if good and not any(latencies):
        # The backend filled no timings: fall back to the average wall time.
        latencies = [wall / len(images)] * len(good)
    return RunResult(
        backend=name,
        dataset=dataset.name,
        images=tuple(images),
        scores=aggregate(im.scores for im in good if im.scores is not None),
        speed=speed_stats(latencies, wall_seconds=wall, load_seconds=load_seconds),
        failed=len(images) - len(good),
    )


def _failed_run(
    name: str, dataset: Dataset, error: str, load_seconds: float
) -> RunResult:
    images = tuple(
        ImageResult(id=s.id, image=str(s.image), ok=False, error=error)
        for s in dataset.samples
    )
    return RunResult(
        backend=name,
        dataset=dataset.name,
        images=images,
        scores=aggregate([]),
        speed=speed_stats([], wall_seconds=0.0, load_seconds=load_seconds),
        failed=len(images),
        error=error,
    )


def compare(
    backends: str | Sequence[str],
    datasets: str | Dataset | Sequence[str | Dataset],
    *,
    limit: int | None = None,
    workers: int = 1,
    languages: str | Sequence[str] | None = None,
    options: EvalOptions | None = None,
    backend_options: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Callable[[int], None] | None = None,
    keep_pages: bool = True,
) -> CompareResult:
    """Run OCR engines over labelled datasets and score them side by side.

    Each engine is created once (its load time measured apart), then reads
    every image of every dataset with ``read_many(..., errors="return")``:
    an image that fails is counted and reported, not fatal. Engines that are
    unknown or not installed are listed in ``skipped`` with the reason.

    Args:
        backends: Engine names, as a list or ``"tesseract,rapidocr"``.
        datasets: ``"kind:PATH"`` specs (see :func:`unocr.datasets.load_dataset`)
            or loaded :class:`~unocr.datasets.Dataset` objects.
        limit: Use at most this many images of each dataset.
        workers: Threads per engine (``read_many``'s ``workers``).
        languages: ISO 639 codes for every engine (default: their defaults).
        options: Evaluation settings (IoU threshold, matching, normalisation).
        backend_options: Extra constructor options per engine name, e.g.
            ``{"tesseract": {"psm": 6}}``.
        progress: Called with the number of images just finished (an engine
            that is skipped advances it by all its images at once).
        keep_pages: Keep every engine page in the result (for drawing);
            ``False`` saves memory on large datasets.

    Returns:
        A :class:`~unocr.comparison.CompareResult` with per-image figures,
        per-run scores and speed, and the skipped engines.

    Raises:
        unocr.errors.DatasetError: A dataset cannot be loaded.
        ValueError: No backend or no dataset given.

    Examples:
        >>> import unocr
        >>> result = unocr.compare(
        ...     "tesseract", "icdar2015:data/ic15", limit=5
        ... )  # doctest: +SKIP
        >>> print(result.table())  # doctest: +SKIP
    """
    from unocr import __version__
    from unocr._api import get_backend

    names = _split_names(backends)
    loaded = _load(datasets, limit)
    opts = options or EvalOptions()
    per_backend = sum(len(d) for d in loaded)
    runs: list[RunResult] = []
    skipped: list[SkippedBackend] = []
    created = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    for name in names:
        extra = dict((backend_options or {}).get(name, {}))
        start = time.perf_counter()
        try:
            backend = get_backend(name, **extra)
        except UnocrError as err:
            # unknown, not installed, no credentials, ...: the engine cannot run
            skipped.append(replace(_skip_reason(err), backend=name))
            if progress is not None and per_backend:
                progress(per_backend)
            continue
        except Exception as exc:  # a third-party factory's own failure
            reason = f"could not start: {type(exc).__name__}: {exc}"
            skipped.append(SkippedBackend(backend=name, reason=reason))
            if progress is not None and per_backend:
                progress(per_backend)
            continue
        load_seconds = time.perf_counter() - start
        done_before = len(runs)
        finished = 0
        try:
            for ds in loaded:
                try:
                    runs.append(
                        _run_one(
                            backend,
                            name,
                            ds,
                            load_seconds=load_seconds,
                            languages=languages,
                            workers=workers,
                            options=opts,
                            progress=progress,
                            keep_pages=keep_pages,
                        )
                    )
                except BackendUnavailableError as err:
                    # e.g. language data missing: the engine cannot run at all
                    del runs[done_before:]
                    skipped.append(replace(_skip_reason(err), backend=name))
                    if progress is not None:
                        progress(per_backend - finished)
                    break
                except Exception as exc:  # never lose the other engines' work
                    msg = (
                        str(exc)
                        if isinstance(exc, UnocrError)
                        else f"{type(exc).__name__}: {exc}"
                    )
                    runs.append(_failed_run(name, ds, msg, load_seconds))
                    if progress is not None:
                        progress(len(ds))
                finished += len(ds)
        finally:
            backend.close()
    langs: tuple[str, ...]
    if languages is None:
        langs = ()
    elif isinstance(languages, str):
        langs = tuple(x.strip() for x in languages.split(",") if x.strip())
    else:
        langs = tuple(languages)
    return CompareResult(
        backends=names,
        datasets=tuple(
            DatasetInfo(
                name=d.name,
                kind=d.kind,
                path=str(d.path),
                images=len(d),
                localized=any(s.localized for s in d.samples),
            )
            for d in loaded
        ),
        runs=tuple(runs),
        skipped=tuple(skipped),
        options=opts,
        languages=langs,
        workers=workers,
        created=created,
        version=__version__,
    )

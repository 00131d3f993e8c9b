"""The comparison harness: run engines over datasets and score them."""

from __future__ import annotations

import datetime as _dt
import os
import reprlib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from unocr.backends.base import Backend
from unocr.backends.options import check_count
from unocr.comparison.engines import EngineInput, EngineSpec, engine_specs
from unocr.comparison.results import (
    CompareResult,
    DatasetInfo,
    ImageResult,
    RunResult,
    SkippedBackend,
)
from unocr.datasets import Dataset, Sample, load_dataset
from unocr.errors import (
    AuthenticationError,
    BackendNotFoundError,
    BackendUnavailableError,
    ComparisonError,
    ConfigError,
    LanguageCodeError,
    UnknownOptionError,
    UnocrError,
)
from unocr.languages import normalize_languages
from unocr.metrics import (
    PageScores,
    ScoringOptions,
    aggregate,
    score_page,
    speed_stats,
)
from unocr.model import Page

__all__ = ["compare"]


def _load(
    datasets: str | Dataset | Sequence[str | Dataset], limit: int | None
) -> list[Dataset]:
    if isinstance(datasets, (str, Dataset, os.PathLike)):
        datasets = [datasets]  # a bare path: load_dataset says to name its kind
    elif not isinstance(datasets, Iterable):
        raise ConfigError(
            "datasets must be a 'kind:PATH' spec (e.g. 'icdar2015:data/ic15'), a "
            "(kind, path) pair, a loaded Dataset, or a list of them; got "
            f"{reprlib.repr(datasets)}"
        )
    out: list[Dataset] = []
    seen: dict[str, int] = {}
    for d in datasets:
        # specs, (kind, path) pairs and anything else: load_dataset checks them
        ds = d if isinstance(d, Dataset) else load_dataset(d, limit=limit)
        if limit is not None and len(ds) > limit:
            ds = replace(ds, samples=ds.samples[:limit])
        seen[ds.name] = seen.get(ds.name, 0) + 1
        if seen[ds.name] > 1:  # two folders with the same name
            ds = replace(ds, name=f"{ds.name}#{seen[ds.name]}")
        out.append(ds)
    if not out:
        raise ComparisonError(
            "give at least one dataset, e.g. 'icdar2015:path/to/folder'"
        )
    return out


def _check_arguments(
    limit: object,
    workers: object,
    languages: object,
    options: object,
    backend_options: object,
    progress: object,
    on_run: object,
) -> None:
    """Refuse :func:`compare`'s bad arguments before any dataset or engine."""
    check_count(limit, "limit", none=True)
    check_count(workers, "workers")
    normalize_languages(languages)  # type: ignore[arg-type]  # raises if not codes
    if options is not None and not isinstance(options, ScoringOptions):
        raise ConfigError(
            "options must be a unocr.metrics.ScoringOptions, got "
            f"{reprlib.repr(options)}"
        )
    if backend_options is not None and not isinstance(backend_options, Mapping):
        raise ConfigError(
            "backend_options must map engine names to their options, e.g. "
            f"{{'tesseract': {{'psm': 6}}}}, got {reprlib.repr(backend_options)}"
        )
    for name, hook in (("progress", progress), ("on_run", on_run)):
        if hook is not None and not callable(hook):
            raise ConfigError(f"{name} must be a function or None, got {hook!r}")


#: The fix shown for an engine that is unknown or not installed and whose
#: error names no fix of its own.
GENERIC_FIX = (
    "run 'unocr backends' to see which engines are installed and how to "
    "install the others"
)


def _skip_reason(err: UnocrError, label: str) -> SkippedBackend:
    """Why an engine cannot run, and the fix: its error's own where it has one.

    The generic fix (``unocr backends``) is for unknown and uninstalled
    engines only; a setting is to be corrected; missing or refused
    credentials are given as the error's own fix says.
    """
    fix = getattr(err, "fix", None)
    reason = err.message
    if fix:
        reason = reason.removesuffix(f" Fix: {fix}")
    elif isinstance(err, (ConfigError, UnknownOptionError, LanguageCodeError)):
        fix = f"correct that setting of {label!r}"
    elif isinstance(err, (BackendNotFoundError, BackendUnavailableError)):
        fix = GENERIC_FIX
    elif isinstance(err, AuthenticationError):
        fix = f"give {label!r} credentials it can use, as the reason says"
    else:
        fix = f"correct what the reason says and run {label!r} again"
    return SkippedBackend(backend=label, reason=reason, fix=fix)


def _page_scores(page: Page, sample: Sample, options: ScoringOptions) -> PageScores:
    """Score ``page`` against ``sample``'s ground truth.

    Raises:
        unocr.errors.UnocrError: The page or the ground truth cannot be scored.
        ValueError: Likewise, from a geometry.
    """
    return score_page(
        sample.truth,
        page,
        ignore=sample.ignore,
        level=sample.level,
        localized=sample.localized,
        options=options,
        truth_elements=sample.regions() if sample.localized else None,
    )


def _failure(
    sample: Sample, error: str, options: ScoringOptions, *, page: Page | None = None
) -> ImageResult:
    """The result of an image the engine or the evaluation failed on.

    Its scores are those of an empty page (no detections, no text: all its
    ground truth missed), as the official ICDAR scripts score an image
    without a result; ``None`` only where even that cannot be scored.
    """
    empty = Page(width=sample.truth.width, height=sample.truth.height)
    try:
        scores: PageScores | None = _page_scores(empty, sample, options)
    except (UnocrError, ValueError):
        scores = None
    return ImageResult(
        id=sample.id,
        image=os.path.abspath(sample.image),
        ok=False,
        error=error,
        scores=scores,
        page=page,
        truth=sample.truth,
        level=sample.level,
        ignore=sample.ignore,
    )


def _score(sample_result: Page, sample: Sample, options: ScoringOptions) -> ImageResult:
    t = sample_result.timings
    try:
        scores = _page_scores(sample_result, sample, options)
    except (UnocrError, ValueError) as exc:
        return _failure(sample, f"scoring failed: {exc}", options, page=sample_result)
    return ImageResult(
        id=sample.id,
        image=os.path.abspath(sample.image),
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
        lines=_regions(sample_result, 0),
        lines_onward=_regions(sample_result, 1),
    )


def _regions(page: Page, engine: int) -> int | None:
    """A cascade's lines found (engine 0) or sent onward (1); ``None`` otherwise."""
    if len(page.engines) < 2:
        return None
    return page.engines[engine].regions


def _run_one(
    backend: Backend,
    spec: EngineSpec,
    dataset: Dataset,
    *,
    load_seconds: float | None,
    languages: tuple[str, ...],
    workers: int,
    options: ScoringOptions,
    progress: Callable[[int], None] | None,
    keep_pages: bool,
) -> RunResult:
    paths = [str(s.image) for s in dataset.samples]
    start = time.perf_counter()
    outputs = backend.read_many(
        paths,
        languages=languages or None,
        workers=workers,
        errors="return",
        progress=progress,
    )
    wall = time.perf_counter() - start
    images: list[ImageResult] = []
    for sample, out in zip(dataset.samples, outputs, strict=True):
        if isinstance(out, Page):
            result = _score(out, sample, options)
        else:  # ItemFailure
            result = _failure(sample, str(out.error), options)
        if not keep_pages:
            result = replace(result, page=None, truth=None, ignore=())
        images.append(result)
    # Accuracy counts every image (a failure as an empty page); speed only
    # the images read.
    good = [im for im in images if im.ok]
    latencies = [im.latency for im in good if im.latency is not None]
    if good and not any(latencies):
        # The backend filled no timings: fall back to the average wall time.
        latencies = [wall / len(images)] * len(good)
    return RunResult(
        backend=spec.label,
        dataset=dataset.name,
        images=tuple(images),
        scores=aggregate(
            (im.scores for im in images if im.scores is not None), options
        ),
        speed=speed_stats(latencies, wall_seconds=wall, load_seconds=load_seconds),
        failed=len(images) - len(good),
        engine=spec.name or "",
        settings=spec.settings(),
        languages=languages,
        workers=workers,
    )


def _failed_run(
    spec: EngineSpec,
    dataset: Dataset,
    error: str,
    load_seconds: float | None,
    *,
    languages: tuple[str, ...],
    workers: int,
    options: ScoringOptions,
) -> RunResult:
    """A run that failed as a whole: every image failed, scored as empty."""
    images = tuple(
        replace(_failure(s, error, options), truth=None, ignore=())
        for s in dataset.samples
    )
    return RunResult(
        backend=spec.label,
        dataset=dataset.name,
        images=images,
        scores=aggregate(
            (im.scores for im in images if im.scores is not None), options
        ),
        speed=speed_stats([], wall_seconds=0.0, load_seconds=load_seconds),
        failed=len(images),
        error=error,
        engine=spec.name or "",
        settings=spec.settings(),
        languages=languages,
        workers=workers,
    )


def _languages(
    spec: EngineSpec, languages: str | Sequence[str] | None
) -> str | Sequence[str] | None:
    """The languages ``spec`` reads with: its own setting, else ``languages``.

    An engine's own ``languages`` option (``-b 'kor=tesseract:languages=["ko"]'``
    or ``backend_options``) is more specific than the comparison's, so it wins
    for that engine.
    """
    if spec.backend is None and "languages" in spec.options:
        own: str | Sequence[str] | None = spec.options["languages"]
        return own
    return languages


def _start(
    spec: EngineSpec, languages: str | Sequence[str] | None
) -> tuple[Backend, float | None]:
    """The spec's backend and its load time (``None`` for a given object).

    An engine built here is built for ``languages``, the languages it will
    read (:func:`_languages`: its own setting wins): an engine checks its
    languages when built (Tesseract its traineddata, RapidOCR its models,
    EasyOCR builds its reader for them), so a missing language raises
    :class:`~unocr.errors.LanguageUnavailableError` here, before any image is
    read. A factory without a ``languages`` option gets them per read only.
    """
    if spec.backend is not None:
        return spec.backend, None
    from unocr._api import get_backend

    assert spec.name is not None
    start = time.perf_counter()
    if languages is None or "languages" in spec.options:
        backend = get_backend(spec.name, **spec.options)
    else:
        try:
            backend = get_backend(spec.name, **{**spec.options, "languages": languages})
        except UnknownOptionError as err:
            if err.option != "languages":
                raise
            backend = get_backend(spec.name, **spec.options)
    return backend, time.perf_counter() - start


def compare(
    backends: str | EngineInput | Sequence[EngineInput],
    datasets: str | Dataset | Sequence[str | Dataset],
    *,
    limit: int | None = None,
    workers: int = 1,
    languages: str | Sequence[str] | None = None,
    options: ScoringOptions | None = None,
    backend_options: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Callable[[int], None] | None = None,
    keep_pages: bool = True,
    on_run: Callable[[str, str, int], None] | None = None,
) -> CompareResult:
    """Run OCR engines over labelled datasets and score them side by side.

    Each engine is created once (its load time measured apart), for
    ``languages`` where given, then reads every image of every dataset with
    ``read_many(..., errors="return")``: an image that fails is counted and
    reported, not fatal, and scored as an empty page (no detections, no
    text: all its ground truth missed), as the official ICDAR scripts score
    an image without a result; speed figures leave it out. Engines that are
    unknown, not installed, lack credentials or one of ``languages`` are
    listed in ``skipped`` with the reason and a fix, before they read
    anything.

    Args:
        backends: The engines: names (``"tesseract"``, or
            ``"tesseract,rapidocr"``), spec strings with settings and an
            optional label (``"sparse=tesseract:psm=11"``), backend objects,
            or ``(label, name-or-backend)`` pairs; see
            :mod:`unocr.comparison.engines`. Backend objects stay open.
        datasets: ``"kind:PATH"`` specs (see :func:`unocr.datasets.load_dataset`)
            or loaded :class:`~unocr.datasets.Dataset` objects.
        limit: Use at most this many images of each dataset.
        workers: Threads per engine (``read_many``'s ``workers``).
        languages: ISO 639 codes for every engine (default: their defaults);
            each is built for them and reads with them, except an engine
            with a ``languages`` setting of its own (in its spec or
            ``backend_options``), which keeps it. Each run records the
            languages it read with (:attr:`RunResult.languages`).
        options: Scoring protocol (default: official ICDAR 2015, each
            dataset's declared text normalisation; exact comparison where a
            dataset declares none).
        backend_options: Extra constructor options per engine name, e.g.
            ``{"tesseract": {"psm": 6}}`` (a spec's own options win).
        progress: Called with the number of images just finished (an engine
            that is skipped advances it by all its images at once).
        keep_pages: Keep every engine page in the result (for drawing);
            ``False`` saves memory on large datasets.
        on_run: Called as ``on_run(label, dataset, images)`` when an engine
            starts on a dataset (e.g. to name them in a progress bar).

    Returns:
        A :class:`~unocr.comparison.CompareResult` with per-image figures,
        per-run scores (over every image) and speed (over the images read),
        and the skipped engines.

    Raises:
        unocr.errors.DatasetError: A dataset cannot be loaded.
        unocr.errors.ComparisonError: No engine, no dataset, a malformed
            spec, or two engines with one label.
        unocr.errors.ConfigError: An argument of another kind than declared
            (``limit="5"``, ``progress=3``...), checked before any work.
        unocr.errors.LanguageCodeError: ``languages`` are not language codes.

    Examples:
        >>> import unocr
        >>> result = unocr.compare(
        ...     ["tesseract", "sparse=tesseract:psm=11"], "icdar2015:data/ic15", limit=5
        ... )  # doctest: +SKIP
        >>> print(result.table())  # doctest: +SKIP
    """
    from unocr import __version__

    _check_arguments(
        limit, workers, languages, options, backend_options, progress, on_run
    )
    specs = engine_specs(backends, backend_options)
    loaded = _load(datasets, limit)
    opts = options or ScoringOptions()
    per_backend = sum(len(d) for d in loaded)
    runs: list[RunResult] = []
    skipped: list[SkippedBackend] = []
    created = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    for spec in specs:
        own = _languages(spec, languages)
        try:
            langs = normalize_languages(own)  # what the run records
            backend, load_seconds = _start(spec, own)
        except UnocrError as err:
            # unknown, not installed, no credentials, ...: the engine cannot run
            skipped.append(_skip_reason(err, spec.label))
            if progress is not None and per_backend:
                progress(per_backend)
            continue
        except Exception as exc:  # a third-party factory's own failure
            reason = f"could not start: {type(exc).__name__}: {exc}"
            skipped.append(
                SkippedBackend(backend=spec.label, reason=reason, fix=GENERIC_FIX)
            )
            if progress is not None and per_backend:
                progress(per_backend)
            continue
        done_before = len(runs)
        finished = 0
        try:
            for ds in loaded:
                if on_run is not None:
                    on_run(spec.label, ds.name, len(ds))
                ds_opts = opts.resolved(ds.normalization)
                try:
                    runs.append(
                        _run_one(
                            backend,
                            spec,
                            ds,
                            load_seconds=load_seconds,
                            languages=langs,
                            workers=workers,
                            options=ds_opts,
                            progress=progress,
                            keep_pages=keep_pages,
                        )
                    )
                except BackendUnavailableError as err:
                    # the engine cannot run at all (a missing language is
                    # found when it is built, see _start)
                    del runs[done_before:]
                    skipped.append(_skip_reason(err, spec.label))
                    if progress is not None:
                        progress(per_backend - finished)
                    break
                except Exception as exc:  # never lose the other engines' work
                    msg = (
                        str(exc)
                        if isinstance(exc, UnocrError)
                        else f"{type(exc).__name__}: {exc}"
                    )
                    runs.append(
                        _failed_run(
                            spec,
                            ds,
                            msg,
                            load_seconds,
                            languages=langs,
                            workers=workers,
                            options=ds_opts,
                        )
                    )
                    if progress is not None:
                        progress(len(ds))
                finished += len(ds)
        finally:
            if spec.backend is None:
                backend.close()
    return CompareResult(
        backends=tuple(s.label for s in specs),
        datasets=tuple(
            DatasetInfo(
                name=d.name,
                kind=d.kind,
                path=os.path.abspath(d.path),
                images=len(d),
                localized=any(s.localized for s in d.samples),
                normalization=(opts.resolved(d.normalization).normalization_in_force),
                ids=tuple(s.id for s in d.samples),
            )
            for d in loaded
        ),
        runs=tuple(runs),
        skipped=tuple(skipped),
        options=opts,
        languages=normalize_languages(languages),
        workers=workers,
        created=created,
        version=__version__,
    )

"""Result types of :func:`unocr.compare`: per image, per run, per comparison."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from unocr.comparison import _paths
from unocr.errors import ComparisonError
from unocr.geometry import Geometry
from unocr.metrics import Normalization, PageScores, Scores, ScoringOptions, SpeedStats
from unocr.model import Page
from unocr.model.serialize import encodable, json_text

__all__ = [
    "CompareResult",
    "DatasetInfo",
    "ImageResult",
    "RunResult",
    "SkippedBackend",
    "format_table",
    "load_result",
    "merge_results",
]

SCHEMA = "unocr.compare/3"
#: ``/2``: as ``/3``, but a run's figures left its failed images out.
_READABLE_SCHEMAS = ("unocr.compare/3", "unocr.compare/2")


@dataclass(frozen=True)
class ImageResult:
    """One engine's result on one image.

    Attributes:
        id: The sample's id.
        image: Path of the image: absolute in a run's result; as a results
            file holds it where that could not be placed (see
            :func:`load_result`).
        ok: ``False`` if the engine (or the evaluation) failed on it.
        error: The failure's message, or ``None``.
        latency: Seconds for this image (decode + engine + convert), or
            ``None`` for a failure.
        decode_seconds: Part of ``latency`` spent decoding the image.
        engine_seconds: Part spent in the engine.
        convert_seconds: Part spent converting to a unocr page.
        scores: Every metric of the image. For a failure, those of an empty
            page (no detections, no text: all its ground truth missed), which
            is what the run's scores count it as; ``None`` only where even
            that could not be scored.
        page: The engine's page (kept for drawing; in the JSON as ``"page"``,
            so a report built from saved results still draws it).
        truth: The ground-truth page (kept for drawing; not written to JSON).
        level: The level scored, ``"word"`` or ``"line"``.
        ignore: The sample's don't-care regions (for drawing; not in JSON).
        lines: For a cascade (a page with :attr:`~unocr.Page.engines`): the
            lines its first engine found; else ``None``.
        lines_onward: For a cascade: the lines sent on to its second engine.
    """

    id: str
    image: str
    ok: bool
    error: str | None = None
    latency: float | None = None
    decode_seconds: float | None = None
    engine_seconds: float | None = None
    convert_seconds: float | None = None
    scores: PageScores | None = None
    page: Page | None = field(default=None, repr=False, compare=False)
    truth: Page | None = field(default=None, repr=False, compare=False)
    level: str = "word"
    ignore: tuple[Geometry, ...] = field(default=(), repr=False, compare=False)
    lines: int | None = None
    lines_onward: int | None = None

    def to_dict(self, *, pages: bool = True) -> dict[str, Any]:
        """Plain-JSON dict: identity, timings, every per-image figure.

        Args:
            pages: Include the engine's page (``"page"``, unocr JSON) when kept.
        """
        out: dict[str, Any] = {
            "id": self.id,
            "image": self.image,
            "level": self.level,
            "ok": self.ok,
            "error": self.error,
            "latency": self.latency,
            "decode_seconds": self.decode_seconds,
            "engine_seconds": self.engine_seconds,
            "convert_seconds": self.convert_seconds,
        }
        if self.lines is not None:
            out["lines"] = self.lines
            out["lines_onward"] = self.lines_onward
        if self.scores is not None:
            out.update(self.scores.to_dict())
        if pages and self.page is not None:
            out["page"] = self.page.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImageResult:
        """The inverse of :meth:`to_dict` (ground truth is not saved: ``None``)."""
        scores = None
        if "images" in data:  # the per-image figures are present
            names = {f.name for f in fields(PageScores)} - {"match"}
            scores = PageScores(**{k: data[k] for k in names if k in data})
        return cls(
            id=data["id"],
            image=data["image"],
            ok=bool(data["ok"]),
            error=data.get("error"),
            latency=data.get("latency"),
            decode_seconds=data.get("decode_seconds"),
            engine_seconds=data.get("engine_seconds"),
            convert_seconds=data.get("convert_seconds"),
            scores=scores,
            page=Page.from_dict(data["page"]) if data.get("page") else None,
            level=data.get("level", "word"),
            lines=data.get("lines"),
            lines_onward=data.get("lines_onward"),
        )


@dataclass(frozen=True)
class RunResult:
    """One engine over one dataset.

    Attributes:
        backend: The engine's registered name as requested.
        dataset: The dataset's name (``kind:folder``).
        images: Per-image results, in dataset order.
        scores: Metrics over every image (micro-averaged). An image the
            engine (or the evaluation) failed on counts as an empty page (no
            detections, no text: all its ground truth missed), as the
            official ICDAR scripts score an image without a result.
        speed: Latency and throughput over the images that succeeded, and
            the engine's load time.
        failed: Number of images that failed (scored as empty pages).
        error: Set when the whole run failed (e.g. an unsupported language);
            then every image counts as failed.
        engine: The registered engine name behind ``backend`` (the label).
        settings: The engine's constructor options of this run.
        languages: The languages the engine read with (ISO 639 codes; ``()``
            = its defaults): its own ``languages`` setting where it has one,
            else those the comparison asked for.
        workers: Threads the engine read with.
        failures_scored: Whether ``scores`` count the failed images as empty
            pages: true of every run this version makes; false of a run with
            failures read from a result an older unocr saved (schema
            ``unocr.compare/2``), whose figures left them out. Results of the
            two kinds do not merge (:func:`merge_results`).
    """

    backend: str
    dataset: str
    images: tuple[ImageResult, ...]
    scores: Scores
    speed: SpeedStats
    failed: int = 0
    error: str | None = None
    engine: str = ""
    settings: dict[str, Any] = field(default_factory=dict, compare=False)
    languages: tuple[str, ...] = ()
    workers: int = 1
    failures_scored: bool = True

    @property
    def ok(self) -> int:
        """Number of images that succeeded."""
        return len(self.images) - self.failed

    @property
    def onward_share(self) -> float | None:
        """For a cascade: the share of its first engine's lines sent onward.

        Lines sent to the second engine over lines the first found, summed
        over the images that succeeded (what a service pays the second
        engine for); ``None`` for an engine that is no cascade or found no
        line.
        """
        counted = [im for im in self.images if im.ok and im.lines is not None]
        found = sum(im.lines or 0 for im in counted)
        if not found:
            return None
        return sum(im.lines_onward or 0 for im in counted) / found

    def to_dict(self, *, pages: bool = True) -> dict[str, Any]:
        """Plain-JSON dict with the summary and every image (pages optional)."""
        return {
            "backend": self.backend,
            "engine": self.engine,
            "settings": dict(self.settings),
            "languages": list(self.languages),
            "workers": self.workers,
            "dataset": self.dataset,
            "images_total": len(self.images),
            "images_ok": self.ok,
            "images_failed": self.failed,
            "failures_scored": self.failures_scored,
            "error": self.error,
            "scores": self.scores.to_dict(),
            "speed": self.speed.to_dict(),
            "onward_share": self.onward_share,
            "failures": [
                {"id": im.id, "image": im.image, "error": im.error}
                for im in self.images
                if not im.ok
            ],
            "images": [im.to_dict(pages=pages) for im in self.images],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunResult:
        """The inverse of :meth:`to_dict`."""
        names = {f.name for f in fields(Scores)}
        failed = int(data["images_failed"])
        return cls(
            backend=data["backend"],
            dataset=data["dataset"],
            images=tuple(ImageResult.from_dict(im) for im in data["images"]),
            scores=Scores(**{k: v for k, v in data["scores"].items() if k in names}),
            speed=SpeedStats(**data["speed"]),
            failed=failed,
            error=data.get("error"),
            engine=data.get("engine", ""),
            settings=dict(data.get("settings") or {}),
            languages=tuple(data.get("languages") or ()),
            workers=int(data.get("workers", 1)),
            # schema /2 has no key: its figures left failures out
            failures_scored=bool(data.get("failures_scored", failed == 0)),
        )


@dataclass(frozen=True)
class SkippedBackend:
    """An engine that could not run at all.

    Attributes:
        backend: The name as requested.
        reason: Why (unknown name, package or binary missing, ...).
        fix: The command that makes it available, where known.
    """

    backend: str
    reason: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict of the fields."""
        return {"backend": self.backend, "reason": self.reason, "fix": self.fix}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SkippedBackend:
        """The inverse of :meth:`to_dict`."""
        return cls(backend=data["backend"], reason=data["reason"], fix=data.get("fix"))


@dataclass(frozen=True)
class DatasetInfo:
    """What was evaluated.

    Attributes:
        name: ``kind:folder`` label used in tables (the folder's own name,
            whatever folder the run was made in).
        kind: The loader's name.
        path: The folder (absolute, as :attr:`ImageResult.image`).
        images: Number of samples scored.
        localized: Whether the ground truth has coordinates.
        normalization: The text normalisation used for it (the dataset's
            declared one unless overridden).
        ids: The sample ids, in order (what a merge checks).
    """

    name: str
    kind: str
    path: str
    images: int
    localized: bool
    normalization: Normalization | None = None
    ids: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict of the fields."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.normalization is not None:
            data["normalization"] = self.normalization.to_dict()
        data["ids"] = list(self.ids)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DatasetInfo:
        """The inverse of :meth:`to_dict`."""
        norm = data.get("normalization")
        return cls(
            name=data["name"],
            kind=data["kind"],
            path=data["path"],
            images=int(data["images"]),
            localized=bool(data["localized"]),
            normalization=None if norm is None else Normalization.from_dict(norm),
            ids=tuple(data.get("ids") or ()),
        )


def _clean(value: Any) -> Any:
    """Replace non-finite floats by None so the JSON is strict."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


@dataclass(frozen=True)
class CompareResult:
    """Everything :func:`unocr.compare` measured.

    Attributes:
        backends: The engine names requested, in order.
        datasets: The datasets evaluated.
        runs: One result per (engine that ran, dataset), engines outermost.
        skipped: Engines that could not run, with the reason.
        options: The evaluation protocol's settings.
        languages: Languages requested (ISO 639 codes), ``()`` = defaults;
            ``None`` for merged results that asked for different ones (each
            run's own are in :attr:`RunResult.languages`).
        workers: Threads per engine; ``None`` for merged results that used
            different numbers (each run's own: :attr:`RunResult.workers`).
        created: UTC time of the run, ISO 8601.
        version: unocr version.
        paths_relative_to_file: Whether the image and dataset paths are
            relative to the folder of a results file whose folder is unknown:
            true of a result :meth:`from_json` (:meth:`from_dict`) read
            without ``folder=`` from a file :meth:`save` wrote. :meth:`to_json`
            writes them back as read, with their mark; :meth:`save`,
            ``to_json(relative_to=...)`` and :func:`merge_results` refuse
            them (read the file with :func:`load_result`, or give
            ``folder=``).
    """

    backends: tuple[str, ...]
    datasets: tuple[DatasetInfo, ...]
    runs: tuple[RunResult, ...]
    skipped: tuple[SkippedBackend, ...]
    options: ScoringOptions
    languages: tuple[str, ...] | None = ()
    workers: int | None = 1
    created: str = ""
    version: str = ""
    paths_relative_to_file: bool = False

    def run(self, backend: str, dataset: str) -> RunResult:
        """The run of ``backend`` on ``dataset`` (by name).

        Raises:
            KeyError: No such run (e.g. the engine was skipped).
        """
        for r in self.runs:
            if r.backend == backend and r.dataset == dataset:
                return r
        raise KeyError(f"no run of {backend!r} on {dataset!r}")

    def to_dict(
        self,
        *,
        pages: bool = True,
        relative_to: str | os.PathLike[str] | None = None,
    ) -> dict[str, Any]:
        """Plain-JSON dict (schema ``unocr.compare/3``), per-image figures included.

        Args:
            pages: Include each engine page kept (``keep_pages``), so a report
                built from the saved result draws the detections.
            relative_to: The folder the data is written to: image and dataset
                paths are given relative to it, and the top-level
                ``"paths_relative_to": "file"`` says so
                (:mod:`unocr.comparison._paths`). ``None``: as they are
                (absolute in a run's result; relative to an unknown file's
                folder, with that mark, where
                :attr:`paths_relative_to_file`).

        Raises:
            ComparisonError: ``relative_to`` given for a result whose paths
                are relative to an unknown folder
                (:attr:`paths_relative_to_file`).
        """
        result = self
        if relative_to is not None:
            self._check_placed("write it relative to another folder")
            folder = relative_to
            result = self._placed(lambda path: _paths.written(path, folder))
        head: dict[str, Any] = {
            "schema": SCHEMA,
            "version": result.version,
            "created": result.created,
        }
        if relative_to is not None or self.paths_relative_to_file:
            head[_paths.KEY] = _paths.FILE
        out = {
            **head,
            "backends": list(result.backends),
            "languages": None if result.languages is None else list(result.languages),
            "workers": result.workers,
            "options": result.options.to_dict(),
            "datasets": [d.to_dict() for d in result.datasets],
            "skipped": [s.to_dict() for s in result.skipped],
            "runs": [r.to_dict(pages=pages) for r in result.runs],
        }
        cleaned: dict[str, Any] = _clean(out)
        return cleaned

    def to_json(
        self,
        *,
        indent: int | None = 2,
        pages: bool = True,
        relative_to: str | os.PathLike[str] | None = None,
    ) -> str:
        """The :meth:`to_dict` data as strict JSON text (same arguments).

        Raises:
            ComparisonError: As :meth:`to_dict`.
        """
        return json_text(
            self.to_dict(pages=pages, relative_to=relative_to),
            indent=indent,
            allow_nan=False,
        )

    def _placed(self, place: Callable[[str], str]) -> CompareResult:
        """A copy with ``place`` applied to every image and dataset path."""
        runs = tuple(
            replace(
                run,
                images=tuple(replace(im, image=place(im.image)) for im in run.images),
            )
            for run in self.runs
        )
        datasets = tuple(replace(d, path=place(d.path)) for d in self.datasets)
        return replace(self, runs=runs, datasets=datasets)

    def _check_placed(self, doing: str, item: str | None = None) -> None:
        """Refuse ``doing`` with paths relative to an unknown folder.

        Args:
            doing: What is refused, as in "cannot save this result".
            item: The result's name in messages (a file name), if any.

        Raises:
            ComparisonError: :attr:`paths_relative_to_file` is true.
        """
        if self.paths_relative_to_file:
            raise ComparisonError(
                f"cannot {doing}: its image and dataset paths are relative to the "
                "folder of the results file it was read from, which is unknown; "
                "read the file with load_result(path), or give that folder: "
                "CompareResult.from_json(text, folder=...)",
                item=item,
            )

    def table(self) -> str:
        """The engine x dataset summary as an aligned plain-text table."""
        return format_table(self)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write :meth:`to_json` to ``path`` (UTF-8); :func:`load_result` reads it.

        Image and dataset paths are written relative to the file's folder, so
        the file finds them wherever it is read from, and after it moves
        together with them.

        Raises:
            ComparisonError: The paths are relative to an unknown folder
                (:attr:`paths_relative_to_file`: read without ``folder=``).
        """
        self._check_placed("save this result")
        target = Path(path)
        text = self.to_json(relative_to=target.parent)
        target.write_text(text + "\n", encoding="utf-8")

    @classmethod
    def from_dict(
        cls, data: dict[str, Any], *, folder: str | os.PathLike[str] | None = None
    ) -> CompareResult:
        """The inverse of :meth:`to_dict`.

        Args:
            data: What :meth:`to_dict` returned.
            folder: The folder of the file ``data`` was read from: relative
                image and dataset paths are placed from it (as
                :func:`load_result` says). ``None``: kept as written; where
                ``data`` says they are relative to its file's folder, the
                result says so too (:attr:`paths_relative_to_file`).

        Raises:
            ComparisonError: Not a comparison result of a schema this version
                reads, or a field missing.
        """
        schema = data.get("schema") if isinstance(data, dict) else None
        if schema not in _READABLE_SCHEMAS:
            raise ComparisonError(
                f"not a unocr comparison result (schema {schema!r}; expected "
                f"{' or '.join(_READABLE_SCHEMAS)}); write one with "
                "'unocr compare --json' or CompareResult.save",
            )
        try:
            languages = data.get("languages", ())
            workers = data.get("workers", 1)
            # a run saved before runs kept their own: the comparison's
            shared = {
                k: v
                for k, v in (("languages", languages), ("workers", workers))
                if v is not None
            }
            result = cls(
                backends=tuple(data["backends"]),
                datasets=tuple(DatasetInfo.from_dict(d) for d in data["datasets"]),
                runs=tuple(RunResult.from_dict({**shared, **r}) for r in data["runs"]),
                skipped=tuple(SkippedBackend.from_dict(s) for s in data["skipped"]),
                options=ScoringOptions.from_dict(data["options"]),
                languages=None if languages is None else tuple(languages),
                workers=None if workers is None else int(workers),
                created=str(data.get("created", "")),
                version=str(data.get("version", "")),
            )
            marked = data.get(_paths.KEY) == _paths.FILE
            if folder is None:
                return replace(result, paths_relative_to_file=marked)
            return result._placed(
                lambda path: _paths.located(path, folder, marked=marked)
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ComparisonError(
                f"comparison result is incomplete or damaged ({type(exc).__name__}: "
                f"{exc}); re-run 'unocr compare --json'",
            ) from exc

    @classmethod
    def from_json(
        cls, text: str, *, folder: str | os.PathLike[str] | None = None
    ) -> CompareResult:
        """Parse :meth:`to_json` output (``folder``: as :meth:`from_dict`).

        Raises:
            ComparisonError: Not JSON, or not a comparison result.
        """
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ComparisonError(
                f"comparison result is not JSON (line {exc.lineno}: {exc.msg})"
            ) from exc
        return cls.from_dict(data, folder=folder)


def load_result(path: str | os.PathLike[str]) -> CompareResult:
    """Read a comparison result saved with ``--json`` or :meth:`CompareResult.save`.

    Args:
        path: The JSON file.

    Returns:
        The result, with every figure and the engine pages that were saved
        (the ground truth is not saved: ``ImageResult.truth`` is ``None``).
        Image and dataset paths are absolute, placed from the file's folder
        where the file says its paths start there (it was written with
        :meth:`CompareResult.save`); in a file without that mark (an older
        unocr's), relative to the folder of its run, a path is taken from
        the current folder where it exists there, else from the file's
        folder, else kept as written.

    Raises:
        ComparisonError: The file cannot be read or is not a result (the
            message names the file).
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ComparisonError(
            f"cannot read {os.fspath(path)!r}: {exc}", item=str(path)
        ) from exc
    try:
        return CompareResult.from_json(text, folder=Path(path).parent)
    except ComparisonError as exc:
        raise ComparisonError(
            f"{os.fspath(path)}: {exc.message}", item=str(path)
        ) from exc


def _differences(theirs: dict[str, Any], ours: dict[str, Any]) -> str:
    """The settings two dicts disagree on, as ``key THEIRS vs OURS``."""
    return ", ".join(
        f"{key} {theirs.get(key)!r} vs {ours.get(key)!r}"
        for key in sorted(set(theirs) | set(ours))
        if theirs.get(key) != ours.get(key)
    )


def _protocol_difference(theirs: ScoringOptions, ours: ScoringOptions) -> str:
    """How two scoring protocols differ; ``""`` if they score alike.

    Their text normalisation is left aside: what counts is the one each
    dataset was scored with (:func:`_dataset_difference`).
    """
    a, b = (replace(o, normalization=None) for o in (theirs, ours))
    if a.to_dict() == b.to_dict():
        return ""
    if a.describe() != b.describe():
        return f"{a.describe()} vs {b.describe()}"
    return _differences(a.to_dict(), b.to_dict())


def _dataset_difference(theirs: DatasetInfo, ours: DatasetInfo) -> str:
    """How two results' datasets of one name differ; ``""`` if they are alike.

    Text normalisations are compared by effect: a preset's name (``exact``
    given with ``--normalization`` or declared by the dataset kind) does not
    count.
    """
    out: list[str] = []
    if theirs.kind != ours.kind:
        out.append(f"kind {theirs.kind} vs {ours.kind}")
    if theirs.images != ours.images:
        out.append(f"{theirs.images} vs {ours.images} images (another limit?)")
    elif theirs.ids != ours.ids:
        pairs = [(a, b) for a, b in zip(theirs.ids, ours.ids, strict=False) if a != b]
        first = f" ({pairs[0][0]!r} vs {pairs[0][1]!r})" if pairs else ""
        out.append(f"other images{first}")
    if theirs.localized != ours.localized:
        out.append("ground truth with coordinates in only one of them")
    norms = [d.normalization or Normalization() for d in (theirs, ours)]
    bare = [replace(n, name="") for n in norms]
    if bare[0] != bare[1]:
        if norms[0].describe() != norms[1].describe():
            what = f"{norms[0].describe()} vs {norms[1].describe()}"
        else:
            what = _differences(bare[0].to_dict(), bare[1].to_dict())
        out.append(f"text normalisation {what}")
    return "; ".join(out)


def _shared(values: list[Any]) -> Any:
    """The value every merged result has, or ``None`` where they differ."""
    return values[0] if all(v == values[0] for v in values) else None


def merge_results(
    results: list[CompareResult], names: list[str] | None = None
) -> CompareResult:
    """One result from runs made separately (other machines, environments).

    Args:
        results: Two or more results of the same datasets and protocol.
        names: What to call each result in messages (e.g. file names).

    Returns:
        A result with every run and skipped engine, in the given order. An
        engine skipped in one result but run in another is not listed as
        skipped. Each run keeps its own languages and workers; the result's
        :attr:`~CompareResult.languages` and :attr:`~CompareResult.workers`
        are ``None`` where the merged results differ in them.

    Raises:
        ComparisonError: The results scored different datasets (other names,
            images or text normalisation in effect) or used different scoring
            protocols (the message names the difference), or two of them ran
            an engine with the same label, or one's paths are relative to an
            unknown folder (:attr:`CompareResult.paths_relative_to_file`).
    """
    if not results:
        raise ComparisonError("nothing to merge: give at least one result")
    labels = names or [f"result {i + 1}" for i in range(len(results))]
    for result, label in zip(results, labels, strict=False):
        result._check_placed(f"merge {label}", label)
    first = results[0]
    datasets = {d.name: d for d in first.datasets}
    for other, label in zip(results[1:], labels[1:], strict=False):
        differ = _protocol_difference(other.options, first.options)
        if differ:
            raise ComparisonError(
                f"cannot merge {label} into {labels[0]}: they were scored with "
                f"different protocols ({differ}); re-run one with the other's "
                "settings",
                item=label,
            )
        theirs = {d.name: d for d in other.datasets}
        if set(theirs) != set(datasets):
            raise ComparisonError(
                f"cannot merge {label} into {labels[0]}: different datasets "
                f"({', '.join(sorted(theirs))} vs {', '.join(sorted(datasets))})",
                item=label,
            )
        for name, info in theirs.items():
            differ = _dataset_difference(info, datasets[name])
            if differ:
                raise ComparisonError(
                    f"cannot merge {label} into {labels[0]}: dataset {name!r} "
                    f"differs ({differ}); re-run one with the other's settings",
                    item=label,
                )
    _check_failure_rule(results, labels)
    runs: list[RunResult] = []
    seen: dict[tuple[str, str], str] = {}
    for result, label in zip(results, labels, strict=False):
        for run in result.runs:
            key = (run.backend, run.dataset)
            if key in seen:
                raise ComparisonError(
                    f"engine {run.backend!r} ran on {run.dataset!r} in both "
                    f"{seen[key]} and {label}; label one run differently "
                    f"(unocr compare -b 'other={run.engine or run.backend}')",
                    item=label,
                )
            seen[key] = label
            runs.append(run)
    ran = {r.backend for r in runs}
    skipped = [s for r in results for s in r.skipped if s.backend not in ran]
    backends = list(dict.fromkeys(b for r in results for b in r.backends))
    return CompareResult(
        backends=tuple(backends),
        datasets=first.datasets,
        runs=tuple(runs),
        skipped=tuple(dict.fromkeys(skipped)),
        options=first.options,
        languages=_shared([r.languages for r in results]),
        workers=_shared([r.workers for r in results]),
        created=max(r.created for r in results),
        version=first.version,
    )


def _check_failure_rule(results: list[CompareResult], labels: list[str]) -> None:
    """Refuse to rank runs whose figures treat failed images differently.

    Raises:
        ComparisonError: A run of one result left its failed images out of
            its figures (saved by an older unocr) and another counts them.
    """
    rules: dict[bool, str] = {}
    for result, label in zip(results, labels, strict=False):
        for run in result.runs:
            rules.setdefault(run.failures_scored, f"{label} ({run.backend})")
    if len(rules) > 1:
        raise ComparisonError(
            f"cannot merge {rules[False]} with {rules[True]}: the first was saved "
            "by an older unocr whose figures left failed images out, while they "
            "now count as empty pages; re-run it with this version",
            item=rules[False],
        )


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


TABLE_COLUMNS = (
    "engine",
    "dataset",
    "images",
    "failed",
    "hmean",
    "E2E",
    "CER",
    "WER",
    "BoW WER",
    "median s",
    "images/s",
)


def per_engine(result: CompareResult) -> dict[str, dict[str, str]]:
    """The run settings that differ between engines: workers and languages.

    Returns:
        For ``"workers"`` and ``"languages"`` where the runs differ in it:
        each engine label's value as text (``engine defaults`` for no
        languages). Empty when every run read alike.
    """
    shown = {
        "workers": {r.backend: str(r.workers) for r in result.runs},
        "languages": {
            r.backend: ", ".join(r.languages) or "engine defaults" for r in result.runs
        },
    }
    return {k: v for k, v in shown.items() if len(set(v.values())) > 1}


def _with_onward(result: CompareResult) -> bool:
    return any(r.onward_share is not None for r in result.runs)


def table_rows(result: CompareResult) -> list[list[str]]:
    """The summary table's cells, one row per run (strings, ``-`` = n/a).

    When a cascade ran, a last column holds each run's share of lines sent
    onward (:attr:`RunResult.onward_share`).
    """
    onward = _with_onward(result)
    rows = []
    for r in result.runs:
        s, sp = r.scores, r.speed
        rows.append(
            [
                r.backend,
                r.dataset,
                str(len(r.images)),
                str(r.failed),
                _fmt(s.hmean),
                _fmt(s.e2e_hmean),
                _fmt(s.cer),
                _fmt(s.wer),
                _fmt(s.bow_wer),
                _fmt(sp.median_latency),
                _fmt(sp.throughput, 2),
                *([_fmt(r.onward_share)] if onward else []),
            ]
        )
    return rows


def format_table(result: CompareResult) -> str:
    """Render the summary of ``result`` as text, skipped engines listed below.

    Columns: engine, dataset, images, failed, detection hmean, end-to-end
    hmean, page-level CER and WER, bag-of-words WER (order-free), median
    latency (s) and throughput (images/s). ``-`` marks a figure that does
    not apply (e.g. hmean on text-only ground truth); when a cascade ran,
    ``onward``: the share of its lines sent to its second engine. Below the
    table: the scoring protocol, each engine's workers and languages where
    the engines differ in them (:func:`per_engine`), each dataset's text
    normalisation, skipped engines and failures (images scored as empty
    pages). Names that are not text
    (a file name's undecodable bytes) are shown as U+FFFD, so the table
    prints on any UTF-8 output.
    """
    columns = [*TABLE_COLUMNS, *(["onward"] if _with_onward(result) else [])]
    rows = [columns, *table_rows(result)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns))]
    numeric = set(range(2, len(columns)))

    def line(row: list[str]) -> str:
        cells = [
            c.rjust(widths[i]) if i in numeric else c.ljust(widths[i])
            for i, c in enumerate(row)
        ]
        return "  ".join(cells).rstrip()

    out = [line(rows[0]), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows[1:])
    if not result.runs:
        out.append("(no engine ran)")
    out.append(f"scoring: {result.options.describe()}")
    for name, values in per_engine(result).items():
        shown = "; ".join(f"{label}: {value}" for label, value in values.items())
        out.append(f"{name} per engine: {shown}")
    for d in result.datasets:
        norm = d.normalization.describe() if d.normalization else "exact"
        out.append(f"text normalisation on {d.name}: {norm}")
    for s in result.skipped:
        fix = f" Fix: {s.fix}" if s.fix else ""
        out.append(f"skipped {s.backend}: {s.reason}{fix}")
    for r in result.runs:
        if r.error:
            out.append(
                f"failed {r.backend} on {r.dataset}: {r.error} (every image "
                "scored as an empty page)"
            )
        elif r.failed:
            first = next((im for im in r.images if im.error), None)
            detail = "" if first is None else f"; first: {first.id}: {first.error}"
            rule = (
                "scored as empty pages"
                if r.failures_scored
                else "left out of the figures, as an older unocr saved them"
            )
            out.append(
                f"{r.backend} on {r.dataset}: {r.failed} of {len(r.images)} "
                f"images failed{detail} ({rule}; every failure: --json or --report)"
            )
    return encodable("\n".join(out))

"""Result types of :func:`unocr.compare`: per image, per run, per comparison."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from unocr.metrics import ScoringOptions, PageScores, Scores, SpeedStats
from unocr.geometry import Geometry
from unocr.model import Page

__all__ = [
    "CompareResult",
    "DatasetInfo",
    "ImageResult",
    "RunResult",
    "SkippedBackend",
    "format_table",
]

SCHEMA = "unocr.compare/1"


@dataclass(frozen=True)
class ImageResult:
    """One engine's result on one image.

    Attributes:
        id: The sample's id.
        image: Path of the image.
        ok: ``False`` if the engine (or the evaluation) failed on it.
        error: The failure's message, or ``None``.
        latency: Seconds for this image (decode + engine + convert), or
            ``None`` for a failure.
        decode_seconds: Part of ``latency`` spent decoding the image.
        engine_seconds: Part spent in the engine.
        convert_seconds: Part spent converting to a unocr page.
        scores: Every metric of the image, or ``None`` for a failure.
        page: The engine's page (kept for drawing; not written to JSON).
        truth: The ground-truth page (kept for drawing; not written to JSON).
        level: The level scored, ``"word"`` or ``"line"``.
        ignore: The sample's don't-care regions (for drawing; not in JSON).
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

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict: identity, timings and every per-image figure."""
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
        if self.scores is not None:
            out.update(self.scores.to_dict())
        return out


@dataclass(frozen=True)
class RunResult:
    """One engine over one dataset.

    Attributes:
        backend: The engine's registered name as requested.
        dataset: The dataset's name (``kind:folder``).
        images: Per-image results, in dataset order.
        scores: Metrics over the images that succeeded (micro-averaged).
        speed: Latency and throughput over the images that succeeded, and
            the engine's load time.
        failed: Number of images that failed.
        error: Set when the whole run failed (e.g. an unsupported language);
            then every image counts as failed.
    """

    backend: str
    dataset: str
    images: tuple[ImageResult, ...]
    scores: Scores
    speed: SpeedStats
    failed: int = 0
    error: str | None = None

    @property
    def ok(self) -> int:
        """Number of images that succeeded."""
        return len(self.images) - self.failed

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict with the summary and every image."""
        return {
            "backend": self.backend,
            "dataset": self.dataset,
            "images_total": len(self.images),
            "images_ok": self.ok,
            "images_failed": self.failed,
            "error": self.error,
            "scores": self.scores.to_dict(),
            "speed": self.speed.to_dict(),
            "failures": [
                {"id": im.id, "image": im.image, "error": im.error}
                for im in self.images
                if not im.ok
            ],
            "images": [im.to_dict() for im in self.images],
        }


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


@dataclass(frozen=True)
class DatasetInfo:
    """What was evaluated.

    Attributes:
        name: ``kind:folder`` label used in tables.
        kind: The loader's name.
        path: The folder.
        images: Number of samples evaluated.
        localized: Whether the ground truth has coordinates.
    """

    name: str
    kind: str
    path: str
    images: int
    localized: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict of the fields."""
        return {
            "name": self.name,
            "kind": self.kind,
            "path": self.path,
            "images": self.images,
            "localized": self.localized,
        }


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
        languages: Languages requested (ISO 639 codes), ``()`` = defaults.
        workers: Threads per engine.
        created: UTC time of the run, ISO 8601.
        version: unocr version.
    """

    backends: tuple[str, ...]
    datasets: tuple[DatasetInfo, ...]
    runs: tuple[RunResult, ...]
    skipped: tuple[SkippedBackend, ...]
    options: ScoringOptions
    languages: tuple[str, ...] = ()
    workers: int = 1
    created: str = ""
    version: str = ""

    def run(self, backend: str, dataset: str) -> RunResult:
        """The run of ``backend`` on ``dataset`` (by name).

        Raises:
            KeyError: No such run (e.g. the engine was skipped).
        """
        for r in self.runs:
            if r.backend == backend and r.dataset == dataset:
                return r
        raise KeyError(f"no run of {backend!r} on {dataset!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON dict (schema ``unocr.compare/1``), per-image figures included."""
        out = {
            "schema": SCHEMA,
            "version": self.version,
            "created": self.created,
            "backends": list(self.backends),
            "languages": list(self.languages),
            "workers": self.workers,
            "options": self.options.to_dict(),
            "datasets": [d.to_dict() for d in self.datasets],
            "skipped": [s.to_dict() for s in self.skipped],
            "runs": [r.to_dict() for r in self.runs],
        }
        cleaned: dict[str, Any] = _clean(out)
        return cleaned

    def to_json(self, *, indent: int | None = 2) -> str:
        """The :meth:`to_dict` data as strict JSON text."""
        return json.dumps(
            self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False
        )

    def table(self) -> str:
        """The engine x dataset summary as an aligned plain-text table."""
        return format_table(self)


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
    "median s",
    "images/s",
)


def table_rows(result: CompareResult) -> list[list[str]]:
    """The summary table's cells, one row per run (strings, ``-`` = n/a)."""
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
                _fmt(sp.median_latency),
                _fmt(sp.throughput, 2),
            ]
        )
    return rows


def format_table(result: CompareResult) -> str:
    """Render the summary of ``result`` as text, skipped engines listed below.

    Columns: engine, dataset, images, failed, detection hmean, end-to-end
    hmean, page-level CER and WER, median latency (s) and throughput
    (images/s). ``-`` marks a figure that does not apply (e.g. hmean on
    text-only ground truth).
    """
    rows = [list(TABLE_COLUMNS), *table_rows(result)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(TABLE_COLUMNS))]
    numeric = set(range(2, len(TABLE_COLUMNS)))

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
    for s in result.skipped:
        fix = f" Fix: {s.fix}" if s.fix else ""
        out.append(f"skipped {s.backend}: {s.reason}{fix}")
    for r in result.runs:
        if r.error:
            out.append(f"failed {r.backend} on {r.dataset}: {r.error}")
        elif r.failed:
            out.append(
                f"{r.backend} on {r.dataset}: {r.failed} of {len(r.images)} "
                "images failed (see the JSON or HTML report)"
            )
    return "\n".join(out)

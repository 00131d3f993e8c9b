"""Compare OCR engines on labelled images: metrics, speed, a readable report.

:func:`compare` runs each engine (a name, a name with settings and a label,
or a backend object: :mod:`unocr.comparison.engines`) over each dataset and
scores it with :mod:`unocr.metrics`; the :class:`CompareResult` prints as a
table (:meth:`CompareResult.table`), saves to JSON with every per-image
figure and loads back (:meth:`CompareResult.save`, :func:`load_result`),
merges with runs made elsewhere (:func:`merge_results`) and renders as a
self-contained HTML report (:func:`write_html`). ``unocr compare`` is the
command-line face of it.

Words: *compare* / *comparison* is running engines side by side; *metrics*
(:mod:`unocr.metrics`) is scoring one page against its ground truth.
"""

from __future__ import annotations

from unocr.comparison._run import compare
from unocr.comparison.engines import EngineSpec, engine_specs, parse_engine_spec
from unocr.comparison.report import MATPLOTLIB_HINT, render_html, write_html
from unocr.comparison.results import (
    CompareResult,
    DatasetInfo,
    ImageResult,
    RunResult,
    SkippedBackend,
    format_table,
    load_result,
    merge_results,
)

__all__ = [
    "MATPLOTLIB_HINT",
    "CompareResult",
    "DatasetInfo",
    "EngineSpec",
    "ImageResult",
    "RunResult",
    "SkippedBackend",
    "compare",
    "engine_specs",
    "format_table",
    "load_result",
    "merge_results",
    "parse_engine_spec",
    "render_html",
    "write_html",
]

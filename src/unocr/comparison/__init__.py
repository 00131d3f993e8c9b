"""Compare OCR engines on labelled images: metrics, speed, a readable report.

:func:`compare` runs each engine over each dataset and scores it with
:mod:`unocr.metrics`; the :class:`CompareResult` prints as a table
(:meth:`CompareResult.table`), serialises with every per-image figure
(:meth:`CompareResult.to_json`) and renders as a self-contained HTML report
(:func:`write_html`). ``unocr compare`` is the command-line face of it.
"""

from __future__ import annotations

from unocr.comparison._run import compare
from unocr.comparison.report import MATPLOTLIB_HINT, render_html, write_html
from unocr.comparison.results import (
    CompareResult,
    DatasetInfo,
    ImageResult,
    RunResult,
    SkippedBackend,
    format_table,
)

__all__ = [
    "MATPLOTLIB_HINT",
    "CompareResult",
    "DatasetInfo",
    "ImageResult",
    "RunResult",
    "SkippedBackend",
    "compare",
    "format_table",
    "render_html",
    "write_html",
]

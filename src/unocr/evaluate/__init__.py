"""Deprecated name of :mod:`unocr.metrics` (kept for one release).

``unocr.evaluate`` and its submodules (``unocr.evaluate.matching``, ...) are
the same module objects as ``unocr.metrics`` and its submodules; importing
this package warns once. ``EvalOptions`` and ``evaluate_page`` are the old
names of :class:`unocr.metrics.ScoringOptions` and
:func:`unocr.metrics.score_page`.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import unocr.metrics as _metrics
from unocr.metrics import matching, normalize, page, speed, text

warnings.warn(
    "unocr.evaluate is deprecated and will be removed in unocr 0.3; "
    "import unocr.metrics instead",
    DeprecationWarning,
    stacklevel=2,
)

for _sub in (matching, normalize, page, speed, text):
    sys.modules[f"{__name__}.{_sub.__name__.rsplit('.', 1)[1]}"] = _sub

__all__ = [*_metrics.__all__, "EvalOptions", "evaluate_page"]


def __getattr__(name: str) -> Any:
    return getattr(_metrics, name)

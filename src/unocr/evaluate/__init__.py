"""Deprecated name of :mod:`unocr.metrics` (kept for one release).

Every name of ``unocr.metrics`` is reachable here and warns
(``DeprecationWarning``) when used; ``EvalOptions`` and ``evaluate_page`` are
the old names of :class:`unocr.metrics.ScoringOptions` and
:func:`unocr.metrics.score_page`. The submodules ``unocr.evaluate.matching``,
``.normalize``, ``.page``, ``.speed`` and ``.text`` are the modules of
``unocr.metrics``.
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

import unocr.metrics as _metrics
from unocr.metrics import matching, normalize, page, speed, text

for _sub in (matching, normalize, page, speed, text):
    sys.modules[f"{__name__}.{_sub.__name__.rsplit('.', 1)[1]}"] = _sub

__all__ = [*_metrics.__all__, "EvalOptions", "evaluate_page"]

_RENAMED = {"EvalOptions": "ScoringOptions", "evaluate_page": "score_page"}


def __getattr__(name: str) -> Any:
    new = _RENAMED.get(name, name)
    if new not in _metrics.__all__:
        raise AttributeError(f"module 'unocr.evaluate' has no attribute {name!r}")
    warnings.warn(
        f"unocr.evaluate.{name} is deprecated and will be removed in unocr 0.3; "
        f"use unocr.metrics.{new}",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(_metrics, new)

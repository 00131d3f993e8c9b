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

import unocr.metrics as _metrics
from unocr._lazy import Moved, module_getattr
from unocr.metrics import matching, normalize, page, speed, text

for _sub in (matching, normalize, page, speed, text):
    sys.modules[f"{__name__}.{_sub.__name__.rsplit('.', 1)[1]}"] = _sub

__all__ = [*_metrics.__all__, "EvalOptions", "evaluate_page"]

_RENAMED = {"EvalOptions": "ScoringOptions", "evaluate_page": "score_page"}


__getattr__ = module_getattr(
    __name__,
    deprecated={
        name: Moved(_metrics.__name__, new, f"unocr.metrics.{new}")
        for name in __all__
        for new in [_RENAMED.get(name, name)]
    },
)

"""Silence the two warnings EasyOCR triggers on every call, thread-safely.

On a CPU-only machine every ``readtext`` call warns twice: its DataLoader asks
for ``pin_memory`` without an accelerator, and its dynamically quantized
recognizer uses PyTorch's deprecated quantized-tensor functions. Both are
harmless here. :func:`quiet` ignores exactly these two messages while any
engine call runs; the filters are installed by the first concurrent call and
restored by the last, so overlapping calls on several threads leave the
process's warning filters as they found them.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

__all__ = ["quiet"]

_MESSAGES = (
    r"'pin_memory' argument is set as true but no accelerator is found",
    r"torch\.quantize_per_tensor, torch\.quantize_per_channel and other quantized",
)
_lock = threading.Lock()
_active = 0
_saved: Any = None


@contextmanager
def quiet() -> Iterator[None]:
    """Ignore EasyOCR's two per-call warnings inside the ``with`` body."""
    global _active, _saved
    with _lock:
        if _active == 0:
            _saved = warnings.filters[:]
            for message in _MESSAGES:
                warnings.filterwarnings("ignore", message=message, category=UserWarning)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                cast(list[Any], warnings.filters)[:] = _saved
                # As warnings.catch_warnings does on exit: drop cached decisions.
                mutated = getattr(warnings, "_filters_mutated", None)
                if mutated is not None:
                    mutated()
                _saved = None

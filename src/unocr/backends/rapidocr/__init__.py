"""RapidOCR backend (``rapidocr``): PP-OCR models on ONNX Runtime, offline.

The engine is imported only by :mod:`unocr.backends.rapidocr.backend`, which the
registry loads when the name ``rapidocr`` is first used. The conversion in
:mod:`unocr.backends.rapidocr.convert` is pure and works without the engine.
"""

from __future__ import annotations

from typing import Any

__all__ = ["rapidocr_to_page"]


def __getattr__(name: str) -> Any:
    # Lazy: the registry reads .models without importing numpy.
    if name == "rapidocr_to_page":
        from unocr.backends.rapidocr.convert import rapidocr_to_page

        return rapidocr_to_page
    raise AttributeError(name)

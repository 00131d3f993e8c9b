"""RapidOCR backend (``rapidocr``): PP-OCR models on ONNX Runtime, offline.

The engine is imported only by :mod:`unocr.backends.rapidocr.backend`, which the
registry loads when the name ``rapidocr`` is first used. The conversion in
:mod:`unocr.backends.rapidocr.convert` is pure and works without the engine.
"""

from __future__ import annotations

from unocr._lazy import module_getattr

__all__ = ["rapidocr_to_page"]

# Lazy: importing the package (as the catalog does) imports no numpy.
__getattr__ = module_getattr(
    __name__, lazy={"rapidocr_to_page": "unocr.backends.rapidocr.convert"}
)

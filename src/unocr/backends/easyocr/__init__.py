"""EasyOCR backend (``easyocr``): CRAFT detection and CRNN recognition on PyTorch.

The engine is imported only by :mod:`unocr.backends.easyocr.backend`, which
the registry loads when the name ``easyocr`` is first used. The conversion in
:mod:`unocr.backends.easyocr.convert` is pure and works without the engine.
"""

from __future__ import annotations

from unocr._lazy import module_getattr

__all__ = ["easyocr_to_page"]

# Lazy: importing the package (as the catalog does) imports no numpy.
__getattr__ = module_getattr(
    __name__, lazy={"easyocr_to_page": "unocr.backends.easyocr.convert"}
)

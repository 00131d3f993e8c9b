"""EasyOCR backend (``easyocr``): CRAFT detection and CRNN recognition on PyTorch.

The engine is imported only by :mod:`unocr.backends.easyocr.backend`, which
the registry loads when the name ``easyocr`` is first used. The conversion in
:mod:`unocr.backends.easyocr.convert` is pure and works without the engine.
"""

from __future__ import annotations

from typing import Any

__all__ = ["easyocr_to_page"]


def __getattr__(name: str) -> Any:
    # Lazy: the registry reads .models without importing numpy.
    if name == "easyocr_to_page":
        from unocr.backends.easyocr.convert import easyocr_to_page

        return easyocr_to_page
    raise AttributeError(name)

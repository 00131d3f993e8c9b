"""EasyOCR backend (``easyocr``): CRAFT detection and CRNN recognition on PyTorch.

The engine is imported only by :mod:`unocr.backends.easyocr.backend`, which
the registry loads when the name ``easyocr`` is first used. The conversion in
:mod:`unocr.backends.easyocr.convert` is pure and works without the engine.
"""

from unocr.backends.easyocr.convert import easyocr_to_page

__all__ = ["easyocr_to_page"]

"""RapidOCR backend (``rapidocr``): PP-OCR models on ONNX Runtime, offline.

The engine is imported only by :mod:`unocr.backends.rapidocr.backend`, which the
registry loads when the name ``rapidocr`` is first used. The conversion in
:mod:`unocr.backends.rapidocr.convert` is pure and works without the engine.
"""

from unocr.backends.rapidocr.convert import rapidocr_to_page

__all__ = ["rapidocr_to_page"]

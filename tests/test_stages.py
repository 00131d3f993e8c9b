"""Stages: ``detect`` / ``recognize`` on the base and on real engines.

Real Tesseract, RapidOCR and EasyOCR on a two-line crop of the Tesseract test
page (small, so CI stays quick). The stage plumbing of the base class (empty
regions never reach the engine, the engine's answers are checked) is watched
on the real engines through a counting wrapper around their hook.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image

import unocr
from unocr.backends import catalog
from unocr.backends.base import Backend
from unocr.errors import (
    GeometryError,
    ImageError,
    RecognitionError,
    StageUnavailableError,
)
from unocr.geometry import Box, Quad, RotatedBox
from unocr.metrics import cer
from unocr.model import Recognition

from .ink_engine import InkBackend
from .needs import engine_or_skip, needs_tesseract

LINES = (
    "This is a lot of 12 point text to test the",
    "ocr code and see if it works on all types",
)


@pytest.fixture(scope="module")
def tesseract() -> Iterator[Backend]:
    if shutil.which("tesseract") is None:
        pytest.skip("the tesseract program is not installed")
    with unocr.get_backend("tesseract", engine="binary") as backend:
        yield backend


@pytest.fixture(scope="module")
def rapidocr() -> Iterator[Backend]:
    yield from engine_or_skip("rapidocr", "rapidocr")


def _counting(backend: Backend, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record how many crops each call of the engine's recognition hook gets."""
    calls: list[int] = []
    hook = backend._recognize_crops

    def counted(crops: Any, languages: Any, clock: Any) -> Any:
        calls.append(len(crops))
        return hook(crops, languages, clock)

    monkeypatch.setattr(backend, "_recognize_crops", counted)
    return calls


def _turned(image: Image.Image, angle: float) -> tuple[Image.Image, float, float]:
    """The image on a white canvas turned ``angle`` degrees clockwise; its centre."""
    w, h = image.size
    canvas = Image.new("RGB", (w + 200, w + 200), "white")
    canvas.paste(image, (100, 100 + (w - h) // 2))
    cx, cy = canvas.width / 2, canvas.height / 2
    turned = canvas.rotate(-angle, resample=Image.Resampling.BICUBIC, center=(cx, cy))
    return turned, cx, cy


# ------------------------------------------------------------------- base
def test_an_engine_without_stages_says_so(snippet: Image.Image) -> None:
    ink = InkBackend()
    assert ink.stages == ()
    with pytest.raises(StageUnavailableError, match="no detect stage") as info:
        ink.detect(snippet)
    assert info.value.stage == "detect"
    assert info.value.available == ()
    assert isinstance(info.value, NotImplementedError)
    with pytest.raises(StageUnavailableError, match="no recognize stage"):
        ink.recognize(snippet, [Box(0, 0, 10, 10)])


def test_recognition_checks_its_fields() -> None:
    assert Recognition("a", 1) == Recognition("a", 1.0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        Recognition("a", 1.5)
    with pytest.raises(TypeError, match="text must be a str"):
        Recognition(None, 0.5)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "spec",
    [s for s in catalog.BUILTINS if s.name != "pipeline"],
    ids=lambda s: s.name,
)
def test_the_catalog_lists_exactly_the_stages_the_class_implements(
    spec: catalog.EngineSpec,
) -> None:
    try:
        cls = catalog.load_dotted(spec.target)
    except ImportError as exc:
        pytest.skip(f"{spec.name} is not installed here: {exc}")
    hooks = {"detect": "_detect", "recognize": "_recognize_crops"}
    implemented = tuple(
        stage
        for stage, hook in hooks.items()
        if getattr(cls, hook) is not getattr(Backend, hook)
    )
    assert spec.capabilities.stages == implemented


# -------------------------------------------------------------- tesseract
@needs_tesseract
def test_tesseract_detect_gives_regions_without_text(
    tesseract: Backend, snippet: Image.Image
) -> None:
    page = tesseract.detect(snippet)
    assert page.backend == "tesseract"
    assert (page.width, page.height) == snippet.size
    assert len(page.lines) == 2
    assert len(page.words) == sum(len(line.split()) for line in LINES)
    for element in (*page.blocks, *page.lines, *page.words):
        assert element.text == ""
        assert element.confidence is None
    assert page.text == ""


@needs_tesseract
def test_tesseract_reads_line_crops_in_one_call(
    tesseract: Backend, snippet: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = tesseract.detect(snippet).lines
    calls = _counting(tesseract, monkeypatch)
    got = tesseract.recognize(snippet, [line.geometry for line in lines])
    assert calls == [2]
    assert [r.text for r in got] == list(LINES)
    assert all(r.confidence is not None and r.confidence > 0.8 for r in got)


@needs_tesseract
def test_empty_and_outside_regions_read_as_empty_without_the_engine(
    tesseract: Backend, snippet: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting(tesseract, monkeypatch)
    regions = [
        Box(1000, 1000, 1100, 1050),  # outside
        Box(10, 10, 10, 40),  # no width
        Box(-50, 10, 560, 44),  # partly outside: clipped
    ]
    got = tesseract.recognize(snippet, regions)
    assert got[:2] == [Recognition("", None), Recognition("", None)]
    assert cer(LINES[0], got[2].text) < 0.1
    assert calls == [1]
    assert tesseract.recognize(snippet, []) == []
    assert tesseract.recognize(snippet, regions[:2]) == [Recognition("", None)] * 2
    assert calls == [1]


@needs_tesseract
def test_a_turned_line_is_rectified_before_reading(
    tesseract: Backend, snippet: Image.Image
) -> None:
    line = snippet.crop((0, 0, 600, 45))
    turned, cx, cy = _turned(line, 25.0)
    region = RotatedBox(cx, cy, 600, 45, 25.0)
    rectified, boxed = tesseract.recognize(turned, [region, region.to_box()])
    assert cer(LINES[0], rectified.text) < 0.05
    assert cer(LINES[0], boxed.text) > 0.3  # the bounding box is not enough


@needs_tesseract
def test_tesseract_in_process_reads_the_same_crops(snippet: Image.Image) -> None:
    pytest.importorskip("tesserocr")
    with unocr.get_backend("tesseract", engine="tesserocr") as inproc:
        regions = [line.geometry for line in inproc.detect(snippet).lines]
        got = inproc.recognize(snippet, regions)
    assert [r.text for r in got] == list(LINES)


@needs_tesseract
def test_bad_regions_and_too_many_pixels_are_typed_errors(
    tesseract: Backend, snippet: Image.Image
) -> None:
    with pytest.raises(GeometryError, match=r"regions\[0\]"):
        tesseract.recognize(snippet, [(0, 0, 5, 5)])  # type: ignore[list-item]
    with (
        unocr.get_backend("tesseract", max_pixels=60_000) as small,
        pytest.raises(ImageError, match="max_pixels=60000"),
    ):
        small.recognize(snippet, [Box(0, 0, 600, 85)] * 2)


@needs_tesseract
def test_an_engine_answer_of_the_wrong_length_is_a_recognition_error(
    tesseract: Backend, snippet: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tesseract, "_recognize_crops", lambda crops, lang, clock: [])
    with pytest.raises(RecognitionError, match="0 results for 1 crops"):
        tesseract.recognize(snippet, [Box(0, 0, 100, 40)])


# --------------------------------------------------------------- rapidocr
def test_rapidocr_stages_agree_with_its_read(
    rapidocr: Backend, snippet: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = rapidocr.read(snippet)
    detected = rapidocr.detect(snippet)
    assert detected.backend == "rapidocr"
    assert len(detected.lines) == len(read.lines) >= 2
    assert {line.text for line in detected.lines} == {""}
    for a, b in zip(read.lines, detected.lines, strict=True):
        assert isinstance(b.geometry, Quad)
        assert a.geometry.iou(b.geometry) > 0.9
    calls = _counting(rapidocr, monkeypatch)
    got = rapidocr.recognize(snippet, [line.geometry for line in detected.lines])
    assert calls == [len(read.lines)]
    assert [r.text for r in got] == [line.text for line in read.lines]
    for r, line in zip(got, read.lines, strict=True):
        assert r.confidence == pytest.approx(line.confidence, abs=0.02)


def test_rapidocr_stages_leave_its_read_unchanged(
    rapidocr: Backend, snippet: Image.Image
) -> None:
    before = rapidocr.read(snippet)
    rapidocr.detect(snippet)
    after = rapidocr.read(snippet)
    assert after.text == before.text
    assert [w.text for w in after.words] == [w.text for w in before.words]


# ---------------------------------------------------------------- easyocr
@pytest.mark.skipif(
    importlib.util.find_spec("easyocr") is None
    or importlib.util.find_spec("easyocr_en_models") is None,
    reason="EasyOCR or its English models are not installed: unocr[easyocr]",
)
def test_easyocr_detect_and_recognize(snippet: Image.Image) -> None:
    line = snippet.crop((0, 0, 600, 45))
    with unocr.get_backend("easyocr") as easy:
        page = easy.detect(line)
        assert page.lines
        assert all(el.text == "" for el in page.lines)
        box = page.lines[0].geometry.to_box()
        assert box.x0 < 40 and box.x1 > 520
        got = easy.recognize(line, [Box(0, 0, 600, 45), Box(700, 0, 800, 45)])
    assert cer(LINES[0], got[0].text) < 0.1
    assert got[0].confidence is not None and 0 < got[0].confidence <= 1
    assert got[1] == Recognition("", None)

"""Pipelines: one engine's detector with another's recognizer, as a backend.

Real RapidOCR and Tesseract on a two-line crop of the Tesseract test page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

import unocr
from unocr.backends.base import Backend, ItemFailure
from unocr.backends.pipeline import PipelineBackend
from unocr.comparison.engines import parse_engine_spec
from unocr.errors import BackendNotFoundError, FormatError, StageUnavailableError
from unocr.geometry import Box
from unocr.metrics import cer
from unocr.model import Page, Provenance
from unocr.registry import canonical_name

from .command import run_unocr
from .ink_engine import InkBackend
from .needs import engine_or_skip, hangul, korean_font, needs_tesseract

TEXT = "This is a lot of 12 point text to test the\nocr code and see if it works on all types"

#: One line of Korean, which Tesseract reads only with its Korean model.
KOREAN = "안녕하세요 세계"

pytestmark = needs_tesseract


def korean_line() -> Image.Image:
    """:data:`KOREAN` drawn large; skips where Tesseract or a font lacks Korean."""
    image = Image.new("RGB", (700, 160), "white")
    ImageDraw.Draw(image).text(
        (20, 40), KOREAN, font=ImageFont.truetype(korean_font(), 60), fill="black"
    )
    return image


@pytest.fixture(scope="module")
def pipeline() -> Iterator[Backend]:
    yield from engine_or_skip("rapidocr+tesseract", "rapidocr")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_rapidocr_lines_read_by_tesseract(
    pipeline: Backend, snippet: Image.Image
) -> None:
    page = pipeline.read(snippet)
    assert isinstance(pipeline, PipelineBackend)
    assert page.backend == "rapidocr+tesseract"
    assert cer(_flat(TEXT), _flat(page.text)) < 0.05
    origin = Provenance(geometry="rapidocr", text="tesseract")
    for element in (*page.blocks, *page.lines, *page.words):
        assert element.provenance == origin
    # the geometry is RapidOCR's: each line is one of its detected quads
    detected = pipeline.detector.detect(snippet).lines
    assert [line.geometry for line in page.lines] == [d.geometry for d in detected]
    for line in page.lines:
        assert line.words
        assert " ".join(w.text for w in line.words) == line.text
        assert all(line.geometry.iou(w.geometry) > 0 for w in line.words)
    assert page.timings.engine > 0


def test_provenance_survives_json(pipeline: Backend, snippet: Image.Image) -> None:
    page = pipeline.read(snippet)
    data = json.loads(page.to_json())
    first = data["blocks"][0]["lines"][0]
    assert first["provenance"] == {"geometry": "rapidocr", "text": "tesseract"}
    assert Page.from_json(page.to_json()) == page
    # a page of one engine writes no provenance at all
    plain = json.loads(Page(width=2, height=2).to_json())
    assert "provenance" not in json.dumps(plain)
    first["provenance"] = "rapidocr"
    with pytest.raises(FormatError, match="provenance: expected an object"):
        Page.from_dict(data)


def test_words_detected_by_tesseract_read_by_rapidocr(snippet: Image.Image) -> None:
    pytest.importorskip("rapidocr")
    with unocr.get_backend(
        "pipeline",
        detect="tesseract",
        recognize="rapidocr",
        recognize_options={"use_cls": False},
    ) as both:
        page = both.read(snippet)
        tess = both.detector.detect(snippet)
    assert page.backend == "tesseract+rapidocr"
    # Tesseract reports words itself: those are the regions read
    assert [w.geometry for w in page.words] == [w.geometry for w in tess.words]
    assert all(w.native for w in page.words)
    assert cer(_flat(TEXT), _flat(page.text)) < 0.1
    assert page.words[0].provenance == Provenance("tesseract", "rapidocr")


def test_level_line_reads_lines_even_where_words_are_detected(
    snippet: Image.Image,
) -> None:
    with unocr.get_backend(
        "pipeline", detect="tesseract", recognize="tesseract", level="line"
    ) as both:
        page = both.read(snippet)
    assert page.backend == "tesseract+tesseract"
    assert [line.text for line in page.lines] == TEXT.splitlines()
    assert not any(w.native for w in page.words)  # split from the line's text
    with pytest.raises(ValueError, match="level must be"):
        unocr.get_backend(
            "pipeline", detect="tesseract", recognize="tesseract", level="page"
        )


def test_level_word_reads_lines_where_the_detector_finds_no_words(
    pipeline: Backend, snippet: Image.Image
) -> None:
    assert not pipeline.detector.detect(snippet).words  # RapidOCR finds lines
    with unocr.get_backend("rapidocr+tesseract", level="word") as words:
        page = words.read(snippet)
    assert page.text and page.text == pipeline.read(snippet).text
    assert [line.geometry for line in page.lines] == [
        line.geometry for line in pipeline.detector.detect(snippet).lines
    ]


def test_each_stage_reads_in_its_own_languages_unless_the_call_says() -> None:
    korean = korean_line()
    with unocr.get_backend(
        "tesseract+tesseract",
        detect_options={"languages": "ko"},
        recognize_options={"languages": "ko"},
    ) as both:
        own = both.read(korean)
        english = both.read(korean, languages="en")
        region = both.recognize(korean, [Box(0, 0, *korean.size)])[0]
    assert hangul(own.text) >= 5, own.text  # read word by word, not perfectly
    assert own.languages == ("ko",)
    assert {w.language for w in own.words} == {"ko"}
    assert hangul(region.text) >= 6, region.text  # the stage alone, too
    assert hangul(english.text) == 0 and english.languages == ("en",)
    with unocr.get_backend("tesseract+tesseract", languages="ko") as given:
        page = given.read(korean)  # the pipeline's languages reach both stages
    assert hangul(page.text) >= 5 and page.languages == ("ko",)


def test_read_many_keeps_good_items(pipeline: Backend, snippet: Image.Image) -> None:
    out = pipeline.read_many([snippet, b"not an image", snippet], errors="return")
    assert isinstance(out[1], ItemFailure)
    assert out[1].error.backend == "rapidocr+tesseract"
    assert isinstance(out[0], Page) and isinstance(out[2], Page)
    assert out[0].text == out[2].text


def test_a_missing_stage_names_the_stages_the_engine_has(snippet: Image.Image) -> None:
    with pytest.raises(StageUnavailableError) as info:
        PipelineBackend(detect=InkBackend(), recognize="tesseract")
    message = str(info.value)
    assert "ink backend cannot be used as the detector" in message
    assert "no detect stage" in message
    assert info.value.backend == "ink"
    with pytest.raises(StageUnavailableError, match="as the recognizer"):
        PipelineBackend(detect="tesseract", recognize=InkBackend())
    with pytest.raises(BackendNotFoundError, match="'tesserakt'"):
        unocr.get_backend("rapidocr+tesserakt")
    with pytest.raises(ValueError, match="detect_options apply to an engine given"):
        PipelineBackend(
            detect=InkBackend(), recognize="tesseract", detect_options={"a": 1}
        )


def test_timeout_goes_to_both_stages() -> None:
    with unocr.get_backend("tesseract+tesseract", timeout=30) as both:
        assert both.detector.timeout == both.recognizer.timeout == 30
    with unocr.get_backend(
        "pipeline",
        detect="tesseract",
        recognize="tesseract",
        timeout=30,
        recognize_options={"timeout": 5},
    ) as both:
        assert (both.detector.timeout, both.recognizer.timeout) == (30, 5)


def test_given_engines_are_not_closed(snippet: Image.Image) -> None:
    tess = unocr.get_backend("tesseract")
    with PipelineBackend(detect=tess, recognize=tess) as both:
        assert both.name == "tesseract+tesseract"
        assert both.recognize(snippet, [both.detect(snippet).lines[0].geometry])[0].text
    assert not tess.closed
    assert both.closed


def test_names_resolve_everywhere() -> None:
    assert canonical_name(" RapidOCR + Tesseract ") == "rapidocr+tesseract"
    assert canonical_name("keras_ocr+google") == "keras-ocr+gcv"
    spec = parse_engine_spec("rapidocr+tesseract:level=line")
    assert (spec.name, dict(spec.options)) == ("rapidocr+tesseract", {"level": "line"})
    assert unocr.backends.catalog.capabilities("pipeline").stages == (
        "detect",
        "recognize",
    )
    names = [i.name for i in unocr.available_backends()]
    assert "pipeline" in names


def test_unocr_read_and_the_cli_take_the_name(
    snippet: Image.Image, tmp_path: Path
) -> None:
    pytest.importorskip("rapidocr")
    page = unocr.read(snippet, backend="rapidocr+tesseract")
    assert page.backend == "rapidocr+tesseract"
    path = tmp_path / "snippet.png"
    snippet.save(path)
    result = run_unocr(
        "read", "-b", "rapidocr+tesseract", "-f", "json", str(path), timeout=300
    )
    assert result.returncode == 0, result.stderr
    printed = Page.from_json(result.stdout)
    assert printed.backend == "rapidocr+tesseract"
    assert _flat(printed.text) == _flat(page.text)

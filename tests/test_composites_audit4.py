"""Pipelines and cascades: their own ``max_pixels``, and engines' own model names.

1. A pipeline's or cascade's ``max_pixels`` is also the limit of the engines
   it builds by name, so the crops it cuts for them obey it (``None``: none).
2. An engine reading a Tesseract model by its file's name (``xyz`` for
   ``xyz.traineddata``, no language code) is refused when the pipeline or
   cascade is built, before any engine reads (docs/backends/tesseract.md);
   a model named after a language and a suffix reads there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

import unocr
from unocr.backends.base import Backend
from unocr.backends.cascade import CascadeBackend
from unocr.backends.pipeline import PipelineBackend
from unocr.errors import ImageError, LanguageCodeError
from unocr.image import load_image

from .needs import needs_tesseract

pytestmark = needs_tesseract

#: The two composites of two Tesseract engines, and how each is built.
COMPOSITES = {
    "tesseract+tesseract": {},
    "tesseract/tesseract": {"below": 1.0},  # every line goes onward
}


def _engines(backend: Backend) -> list[Backend]:
    if isinstance(backend, PipelineBackend):
        return [backend.detector, backend.recognizer]
    assert isinstance(backend, CascadeBackend)
    return list(backend.engines)


# ------------------------------------------------ 1. the composite's max_pixels
@pytest.mark.parametrize("spec", COMPOSITES)
@pytest.mark.parametrize("limit", [None, 123_456_789])
def test_the_engines_a_composite_builds_take_its_max_pixels(
    spec: str, limit: int | None
) -> None:
    with unocr.get_backend(spec, max_pixels=limit, **COMPOSITES[spec]) as b:
        assert b.max_pixels == limit
        assert [e.max_pixels for e in _engines(b)] == [limit, limit]


def test_an_engines_own_max_pixels_option_wins() -> None:
    with unocr.get_backend(
        "tesseract+tesseract", max_pixels=None, recognize_options={"max_pixels": 9}
    ) as b:
        assert (b.detector.max_pixels, b.recognizer.max_pixels) == (None, 9)
    with unocr.get_backend(
        "tesseract/tesseract", max_pixels=None, options={"tesseract": {"max_pixels": 9}}
    ) as b:
        assert [e.max_pixels for e in b.engines] == [9, 9]


class _NoOptions(Backend):
    """A plugin engine whose constructor takes languages, no max_pixels."""

    name = "no-options"

    def __init__(self, *, languages: object = None) -> None:
        super().__init__(languages=languages)  # type: ignore[arg-type]

    def _recognize(self, image, languages, clock):  # type: ignore[no-untyped-def]
        raise AssertionError("not read here")


def test_an_engine_without_the_option_still_takes_the_limit() -> None:
    """The limit is the engine's attribute, not a constructor option it may lack."""
    unocr.register_backend("no-options", _NoOptions, replace=True)
    with unocr.get_backend("no-options/tesseract", max_pixels=None) as b:
        assert [e.max_pixels for e in _engines(b)] == [None, None]


@pytest.mark.parametrize("spec", COMPOSITES)
def test_the_crops_a_composite_cuts_obey_its_max_pixels(
    spec: str, snippet: Image.Image
) -> None:
    # Loaded without a limit, the 600 x 85 image reaches the engines; its
    # lines' crops hold more than the composite's 5000 pixels.
    image = load_image(snippet, max_pixels=None)
    with (
        unocr.get_backend(spec, max_pixels=5000, **COMPOSITES[spec]) as b,
        pytest.raises(ImageError, match="more than max_pixels=5000"),
    ):
        b.read_loaded(image)


# ------------------------------------------- 2. a model named by its file's name
@pytest.fixture
def never_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Records every Tesseract read: a refused composite must ask none."""
    from unocr.backends.tesseract.backend import TesseractBackend

    asked: list[str] = []
    for hook in ("_recognize", "_detect", "_recognize_crops"):
        monkeypatch.setattr(
            TesseractBackend, hook, lambda *a, _h=hook, **k: asked.append(_h)
        )
    yield asked
    assert asked == []


@pytest.mark.parametrize(
    ("spec", "options"),
    [
        ("tesseract/tesseract", {"options": {"tesseract": {"languages": "myfont"}}}),
        ("tesseract+tesseract", {"recognize_options": {"languages": "myfont"}}),
        ("tesseract+tesseract", {"detect_options": {"languages": "myfont"}}),
    ],
)
def test_a_model_named_by_its_file_is_refused_when_the_composite_is_built(
    tessdata: Callable[..., Path],
    never_read: list[str],
    spec: str,
    options: dict[str, object],
) -> None:
    tessdata("eng", "myfont")
    with pytest.raises(LanguageCodeError) as info:
        unocr.get_backend(spec, **options)
    message = str(info.value)
    assert "'myfont'" in message and "not an ISO 639 language code" in message
    assert "qaa" in message and "en-custom" in message  # how to name the file
    assert info.value.backend == spec


def test_an_engine_object_reading_a_model_by_file_name_is_refused_and_left_open(
    tessdata: Callable[..., Path], never_read: list[str]
) -> None:
    tessdata("eng", "myfont")
    with unocr.get_backend("tesseract", languages="myfont") as own:
        with pytest.raises(LanguageCodeError, match="'myfont'"):
            CascadeBackend(engines=[own, "tesseract"])
        with pytest.raises(LanguageCodeError, match="'myfont'"):
            PipelineBackend(detect="tesseract", recognize=own)
        assert not own.closed


def test_a_model_named_after_a_language_and_a_suffix_reads_in_a_cascade(
    tessdata: Callable[..., Path], snippet: Image.Image
) -> None:
    tessdata("eng", "eng_myfont")
    with unocr.get_backend(
        "tesseract/tesseract", options={"tesseract": {"languages": "en-myfont"}}
    ) as b:
        page = b.read(snippet)
    assert page.languages == ("en-myfont",)
    assert "This is a lot of 12 point text" in page.text

"""Cascades and pipelines: their ``timeout=`` checked and applied to engine objects,
stages checked before anything is built, and Tesseract's model names kept
from the other engines' languages."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import ClassVar, TypeVar

import pytest
from PIL import Image

import unocr
from unocr.backends.base import Crops, Languages, Readings, Stopwatch
from unocr.backends.cascade import CascadeBackend
from unocr.backends.pipeline import PipelineBackend, require_known_stage
from unocr.errors import ConfigError, EngineTimeoutError, StageUnavailableError
from unocr.image import LoadedImage
from unocr.languages import from_tesseract, normalize_language, normalize_languages
from unocr.model import Block

from .ink_engine import InkBackend, NoConfidence, bars

_T = TypeVar("_T")


class Reader(InkBackend):
    """The ink engine with a recognize stage of its own."""

    name: ClassVar[str] = "reader"

    def _detect(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        return InkBackend._recognize(self, image, languages, clock)

    def _recognize_crops(
        self, crops: Crops, languages: Languages, clock: Stopwatch
    ) -> Readings:
        return [("x", 1.0) for _ in crops]


class Slow(Reader):
    """An engine that takes ``delay`` seconds per call, without a time limit."""

    name: ClassVar[str] = "slow"
    timeout = None

    def __init__(self, *, delay: float = 2.0, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.delay = delay
        self.done = threading.Event()

    def _slowly(self, read: Callable[..., _T], *args: object) -> _T:
        """``read(*args)`` after ``delay`` seconds; :attr:`done` set then."""
        time.sleep(self.delay)
        self.done.set()
        return read(*args)

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        return self._slowly(super()._recognize, image, languages, clock)

    def _detect(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        return self._slowly(super()._detect, image, languages, clock)

    def _recognize_crops(
        self, crops: Crops, languages: Languages, clock: Stopwatch
    ) -> Readings:
        return self._slowly(super()._recognize_crops, crops, languages, clock)


@pytest.fixture
def image() -> Image.Image:
    return bars((20, 40))


# ------------------------------------------------------------------ timeout


@pytest.mark.parametrize("bad", [-1, 0, float("nan"), float("inf"), "5", True])
def test_a_cascade_of_objects_refuses_a_bad_timeout(bad: object) -> None:
    with pytest.raises(ConfigError, match="timeout must be a finite number"):
        CascadeBackend(engines=[Reader(), Reader()], timeout=bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [-1, float("nan")])
def test_a_pipeline_of_objects_refuses_a_bad_timeout(bad: float) -> None:
    with pytest.raises(ConfigError, match="timeout must be a finite number"):
        PipelineBackend(detect=Reader(), recognize=Reader(), timeout=bad)


def test_a_cascade_applies_its_timeout_to_an_engine_object(image) -> None:
    slow = Slow(delay=2.0)
    cascade = CascadeBackend(engines=[slow, Reader()], timeout=0.2)
    started = time.monotonic()
    with pytest.raises(EngineTimeoutError) as info:
        cascade.read(image)
    assert time.monotonic() - started < 1.5
    assert info.value.backend == "slow"
    assert info.value.timeout == pytest.approx(0.2)
    slow.done.wait(5)


def test_a_cascade_applies_its_timeout_to_a_later_engine_object(image) -> None:
    slow = Slow(delay=2.0)
    unsure = NoConfidence(Reader())  # its lines all go on to the next engine
    cascade = CascadeBackend(engines=[unsure, slow], timeout=0.2)
    with pytest.raises(EngineTimeoutError) as info:
        cascade.read(image)
    assert info.value.backend == "slow"
    slow.done.wait(5)


@pytest.mark.parametrize("stage", ["detect", "recognize"])
def test_a_pipeline_applies_its_timeout_to_a_stage_object(image, stage) -> None:
    slow = Slow(delay=2.0)
    parts = {"detect": Reader(), "recognize": Reader(), stage: slow}
    pipeline = PipelineBackend(**parts, timeout=0.2)  # type: ignore[arg-type]
    with pytest.raises(EngineTimeoutError) as info:
        pipeline.read(image)
    assert info.value.backend == "slow"
    slow.done.wait(5)


def test_an_engine_objects_own_timeout_wins(image) -> None:
    slow = Slow(delay=0.3)
    slow.timeout = 30.0  # type: ignore[assignment]  # a limit of its own
    cascade = CascadeBackend(engines=[slow, Reader()], below=0.0, timeout=0.05)
    assert cascade.read(image).text


def test_a_fast_engine_object_reads_within_the_timeout(image) -> None:
    cascade = CascadeBackend(engines=[NoConfidence(Reader()), Reader()], timeout=30)
    page = cascade.read(image)
    assert page.text and [u.calls for u in page.engines] == [1, 1]


# ------------------------------------------------------------------- stages


def test_a_pipeline_refuses_a_detector_without_the_stage_before_building() -> None:
    # gcv would ask for credentials if built: the stage is refused first
    with pytest.raises(StageUnavailableError) as info:
        unocr.get_backend("gcv+tesseract")
    assert info.value.stage == "detect"
    assert info.value.available == ("recognize",)
    assert "gcv" in str(info.value)


def test_a_pipeline_refuses_an_alias_without_the_stage_before_building() -> None:
    with pytest.raises(StageUnavailableError, match="gcv"):
        PipelineBackend(detect="Google", recognize=Reader())


def test_a_cascade_refuses_a_later_engine_without_recognize_before_building() -> None:
    with pytest.raises(StageUnavailableError) as info:
        CascadeBackend(engines=[Reader(), "cascade"])
    assert info.value.stage == "recognize"
    assert info.value.available == ()


def test_unknown_names_and_objects_are_left_to_the_late_check() -> None:
    require_known_stage("rapidocr+tesseract", "detect", "detector")
    require_known_stage("my-engine", "detect", "detector")
    require_known_stage(Reader(), "detect", "detector")


# ---------------------------------------------------------------- languages


@pytest.mark.parametrize(
    ("asked", "code"),
    [
        ("jpn_vert", "ja"),
        ("ja-vert", "ja"),
        ("JPN_VERT", "ja"),
        ("kor_vert", "ko"),
        ("chi_sim_vert", "zh-Hans"),
        ("chi_tra_vert", "zh-Hant"),
        ("ita_old", "it"),
        ("deu_frak", "de-Latf"),
        ("frk", "de-Latf"),
        ("eng", "en"),
        ("chi_sim", "zh-Hans"),
        ("en-custom", "en-custom"),
        ("zh-TW", "zh-TW"),
    ],
)
def test_other_engines_ask_for_a_tesseract_variant_by_its_language(
    asked: str, code: str
) -> None:
    assert normalize_language(asked, models=False) == code
    # the one vocabulary agrees with itself: a model's name reads as its language
    if from_tesseract(asked.lower()) is not None and "-" not in asked:
        assert from_tesseract(asked.lower()) == code


def test_tesseract_keeps_its_variant_models() -> None:
    assert normalize_languages("jpn_vert, ja") == ("jpn-vert", "ja")
    assert normalize_languages("jpn_vert, ja", models=False) == ("ja",)
    assert normalize_languages(["deu_frak", "osd"], models=False) == (
        "de-Latf",
        "osd",
    )


def test_an_engine_reports_the_language_a_tesseract_variant_reads() -> None:
    with Reader(languages="jpn_vert") as engine:
        assert engine.languages == ("ja",)
        assert engine._languages("deu_frak") == ("de-Latf",)


def test_a_pipeline_hands_a_tesseract_variant_on_as_asked(image) -> None:
    with PipelineBackend(detect=Reader(), recognize=Reader()) as pipeline:
        assert pipeline._languages("jpn_vert") == ("jpn-vert",)
    with CascadeBackend(engines=[Reader(), Reader()], languages="jpn_vert") as cascade:
        assert cascade.languages == ("jpn-vert",)

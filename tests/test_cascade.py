"""Cascades with real engines: Tesseract reads, RapidOCR re-reads the unsure lines.

Every figure a test checks is computed from the engines themselves: the
threshold is set between two of Tesseract's own line confidences, and the
lines the cascade re-read must hold exactly what RapidOCR's recognize stage
reads in those lines when asked directly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PIL import Image

import unocr
from unocr.backends.base import (
    Backend,
    Crops,
    ItemFailure,
    Languages,
    Readings,
    Stopwatch,
)
from unocr.backends.cascade import CascadeBackend, _better
from unocr.backends.catalog import cascade_parts
from unocr.comparison import compare
from unocr.errors import (
    BackendNotFoundError,
    ConfigError,
    EngineTimeoutError,
    RecognitionError,
    StageUnavailableError,
)
from unocr.geometry import Box
from unocr.image import LoadedImage
from unocr.model import Block, EngineUse, Line, Page, Provenance, Word

from .ink_engine import InkBackend, NoConfidence
from .needs import hangul, needs_tesseract
from .paths import FIXTURES, ROOT
from .test_pipeline import korean_line

SAMPLE = ROOT / "samples" / "phototest.png"
EUROTEXT = FIXTURES / "tesseract" / "eurotext.tif"
TEXT_DATASET = f"text:{FIXTURES / 'datasets' / 'text'}"

pytestmark = [
    needs_tesseract,
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]
rapidocr = pytest.importorskip(
    "rapidocr", reason="RapidOCR is not installed: pip install 'unocr[rapidocr]'"
)


@pytest.fixture(scope="module")
def tesseract() -> Iterator[Backend]:
    with unocr.get_backend("tesseract") as b:
        yield b


@pytest.fixture(scope="module")
def rapid() -> Iterator[Backend]:
    with unocr.get_backend("rapidocr") as b:
        yield b


def _between(confidences: Sequence[float | None]) -> float:
    """A threshold with some of ``confidences`` below it and some above."""
    known = sorted({c for c in confidences if c is not None})
    assert len(known) >= 2, known
    k = len(known) // 2
    return (known[k - 1] + known[k]) / 2


class _Counting:
    """Counts an engine's recognize calls and the regions of each (a spy)."""

    def __init__(self, backend: Backend, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[int] = []
        real = backend.recognize_loaded

        def recognize(image: Any, regions: Sequence[Any], **kw: Any) -> Any:
            self.calls.append(len(regions))
            return real(image, regions, **kw)

        monkeypatch.setattr(backend, "recognize_loaded", recognize)


def test_unsure_lines_are_reread_in_one_batched_call(
    tesseract: Backend, rapid: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = tesseract.read(EUROTEXT)
    below = _between([line.confidence for line in alone.lines])
    unsure = [line for line in alone.lines if line.confidence < below]  # type: ignore[operator]
    direct = rapid.recognize(EUROTEXT, [line.geometry for line in unsure])
    spy = _Counting(rapid, monkeypatch)
    with CascadeBackend(engines=["tesseract", rapid], below=below) as cascade:
        page = cascade.read(EUROTEXT)
    assert spy.calls == [len(unsure)]  # one call, every unsure line in it
    assert page.backend == "tesseract/rapidocr"
    assert page.engines == (
        EngineUse("tesseract", calls=1, regions=len(alone.lines)),
        EngineUse("rapidocr", calls=1, regions=len(unsure)),
    )
    assert [line.geometry for line in page.lines] == [
        line.geometry for line in alone.lines
    ]
    readings = iter(direct)
    switched = 0
    for mine, theirs in zip(page.lines, alone.lines, strict=True):
        assert mine.provenance is not None
        assert mine.provenance.geometry == "tesseract"
        if theirs.confidence >= below:  # type: ignore[operator]
            assert (mine.text, mine.provenance.text) == (theirs.text, "tesseract")
            assert [w.text for w in mine.words] == [w.text for w in theirs.words]
            continue
        reading = next(readings)
        if _better(theirs, reading.text, reading.confidence):
            switched += 1
            assert mine.provenance.text == "rapidocr"
            assert (mine.text, mine.confidence) == (reading.text, reading.confidence)
            assert [w.text for w in mine.words] == reading.text.split()
            assert all(w.provenance == mine.provenance for w in mine.words)
        else:
            assert (mine.text, mine.provenance.text) == (theirs.text, "tesseract")
    assert switched > 0  # RapidOCR is more sure of some of Tesseract's lines


def test_threshold_zero_sends_nothing_one_sends_every_line(
    tesseract: Backend, rapid: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = tesseract.read(SAMPLE)
    spy = _Counting(rapid, monkeypatch)
    with CascadeBackend(engines=[tesseract, rapid], below=0.0) as cascade:
        page = cascade.read(SAMPLE)
    assert spy.calls == []
    assert page.engines[1] == EngineUse("rapidocr", calls=0, regions=0)
    assert page.text == alone.text
    assert not tesseract.closed  # objects passed in stay open
    with CascadeBackend(engines=[tesseract, rapid], below=1.0) as cascade:
        page = cascade.read(SAMPLE)
    sent = sum(1 for line in alone.lines if line.confidence < 1.0)  # type: ignore[operator]
    assert spy.calls == [sent] and sent == len(alone.lines)


def test_lines_without_confidence_count_as_unsure(
    tesseract: Backend, rapid: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = NoConfidence(tesseract)
    lines = len(first.read(SAMPLE).lines)
    spy = _Counting(rapid, monkeypatch)
    with CascadeBackend(engines=[first, rapid], below=0.5) as cascade:
        page = cascade.read(SAMPLE)
    assert spy.calls == [lines]
    # RapidOCR gives a confidence and the first engine none: its reading wins
    assert {line.provenance.text for line in page.lines if line.text} == {"rapidocr"}  # type: ignore[union-attr]


def test_which_reading_is_kept() -> None:
    line = Line(text="old", geometry=Box(0, 0, 10, 10), confidence=0.5)
    blind = line.replace(confidence=None)
    assert _better(line, "new", 0.9) and _better(line, "new", 0.5)
    assert not _better(line, "new", 0.4)
    assert _better(line, "new", None) and _better(blind, "new", 0.1)
    assert not _better(line, "  ", 0.99)  # an empty reading never replaces


def test_names_options_and_bad_input(tesseract: Backend) -> None:
    assert cascade_parts("RapidOCR / tesseract") == ["rapidocr", "tesseract"]
    with unocr.get_backend("tesseract/rapidocr", below=0.5) as b:
        assert isinstance(b, CascadeBackend)
        assert (b.name, b.below) == ("tesseract/rapidocr", 0.5)
    with unocr.get_backend("rapidocr+tesseract/tesseract") as b:  # "/" binds last
        assert [e.name for e in b.engines] == ["rapidocr+tesseract", "tesseract"]
    with pytest.raises(ValueError, match="psm must be an integer 0-13"):
        unocr.get_backend(  # the options reach the engine
            "cascade",
            engines=["tesseract", "rapidocr"],
            options={"tesseract": {"psm": 99}},
        )
    for bad in (-0.1, 1.5, float("nan")):
        with pytest.raises(ConfigError, match="below must be a confidence"):
            unocr.get_backend("tesseract/rapidocr", below=bad)
    for bad in ("high", True):  # the option's type, checked as for "cascade"
        with pytest.raises(ConfigError, match="option below must be float"):
            unocr.get_backend("tesseract/rapidocr", below=bad)
    with pytest.raises(ConfigError, match="two or more engines"):
        unocr.get_backend("cascade", engines=["tesseract"])
    with pytest.raises(ConfigError, match="empty"):
        unocr.get_backend("tesseract/")
    with pytest.raises(ConfigError, match="not one of its engines"):
        unocr.get_backend("tesseract/rapidocr", options={"gcv": {}})
    with pytest.raises(BackendNotFoundError, match="tesserakt"):
        unocr.get_backend("rapidocr/tesserakt")
    with pytest.raises(StageUnavailableError) as info:
        CascadeBackend(engines=[tesseract, InkBackend()])
    assert info.value.stage == "recognize" and info.value.available == ()
    assert "ink" in str(info.value)


class _FailingReader(Backend):
    """A recognize stage that refuses a crop wider than ``limit`` pixels."""

    name: ClassVar[str] = "failing"
    capabilities = InkBackend.capabilities

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> list[Block]:
        raise AssertionError("a cascade reads pages with its first engine only")

    def _recognize_crops(
        self, crops: Crops, languages: Languages, clock: Stopwatch
    ) -> Readings:
        if any(c.width > 400 for c in crops):
            raise RecognitionError("this crop is too wide for me")
        return [("short", 0.99) for _ in crops]


def test_a_failing_later_engine_fails_only_its_item(tesseract: Backend) -> None:
    with Image.open(SAMPLE) as im:
        small = im.convert("RGB").crop((0, 0, 380, 120))
    reader = _FailingReader()
    reader.min_workers = 3  # e.g. a network engine's requests in flight
    with CascadeBackend(engines=[tesseract, reader], below=1.0) as cascade:
        assert cascade.min_workers == 3
        out = cascade.read_many(
            [SAMPLE, b"not an image", small], errors="return", workers=2
        )
    assert isinstance(out[0], ItemFailure) and "too wide" in str(out[0].error)
    assert isinstance(out[1], ItemFailure) and out[1].index == 1
    page = out[2]
    assert isinstance(page, Page) and page.lines
    assert {line.text for line in page.lines} == {"short"}
    assert page.engines[1] == EngineUse("failing", calls=1, regions=len(page.lines))


def test_page_json_keeps_engines_and_provenance(tesseract: Backend) -> None:
    with CascadeBackend(engines=[tesseract, "rapidocr"], below=1.0) as cascade:
        page = cascade.read(SAMPLE)
    data = json.loads(page.to_json())
    assert data["engines"][1] == {
        "engine": "rapidocr",
        "calls": 1,
        "regions": len(page.lines),
    }
    assert Page.from_json(page.to_json()) == page
    assert "engines" not in json.loads(tesseract.read(SAMPLE).to_json())


def test_cli_read_takes_the_shorthand(capsys: pytest.CaptureFixture[str]) -> None:
    from unocr.cli import main

    code = main(
        ["read", str(SAMPLE), "-b", "tesseract/rapidocr", "-O", "below=1", "-f", "json"]
    )
    assert code == 0
    page = Page.from_json(capsys.readouterr().out)
    assert [u.engine for u in page.engines] == ["tesseract", "rapidocr"]
    assert page.engines[1].regions == len(page.lines) > 0


def test_compare_shows_the_share_sent_onward(tmp_path: Path) -> None:
    result = compare(
        ["tesseract", "rapidocr", "tesseract/rapidocr:below=0.95"], TEXT_DATASET
    )
    alone = result.run("tesseract", result.datasets[0].name)
    cascade = result.run("tesseract/rapidocr:below=0.95", result.datasets[0].name)
    assert alone.onward_share is None
    images = [im for im in cascade.images if im.ok]
    assert images and all(im.page is not None for im in images)
    found = sum(im.page.engines[0].regions for im in images)  # type: ignore[union-attr]
    sent = sum(im.page.engines[1].regions for im in images)  # type: ignore[union-attr]
    assert cascade.onward_share == pytest.approx(sent / found)
    header, _rule, *rows = result.table().splitlines()
    assert header.split()[-1] == "onward"
    assert rows[2].split()[-1] == f"{sent / found:.3f}" and rows[0].split()[-1] == "-"
    saved = tmp_path / "result.json"
    result.save(saved)
    again = unocr.comparison.load_result(saved)
    run = again.run(cascade.backend, cascade.dataset)
    assert run.onward_share == pytest.approx(cascade.onward_share)
    html = unocr.comparison.report.render_html(again)
    assert "lines sent onward" in html and f"{sent / found:.1%}" in html


def test_words_of_a_reread_line_follow_the_line() -> None:
    from unocr.backends.cascade import _reread

    line = Line(
        text="a",
        geometry=Box(0, 0, 100, 10),
        confidence=0.1,
        words=(Word(text="a", geometry=Box(0, 0, 100, 10)),),
    )
    who = Provenance(geometry="x", text="y")
    new = _reread(line, "ab cd", 0.9, who)
    assert [w.text for w in new.words] == ["ab", "cd"]
    assert all(w.confidence == 0.9 and w.provenance == who for w in new.words)
    assert new.words[0].geometry.to_box().x1 <= new.words[1].geometry.to_box().x0
    assert not new.native and new.provenance == who


def test_each_engine_reads_in_its_own_languages_unless_the_call_says() -> None:
    korean = korean_line()
    with (
        unocr.get_backend("tesseract", languages="ko") as first,
        unocr.get_backend("tesseract", languages="ko") as second,
        CascadeBackend(engines=[first, second], below=1.0) as objects,
    ):
        page = objects.read(korean)
        english = objects.read(korean, languages="en")
    assert hangul(page.text) >= 5, page.text
    assert page.languages == ("ko",)
    assert page.engines[1].regions == len(page.lines) > 0  # both engines read
    assert hangul(english.text) == 0 and english.languages == ("en",)
    with unocr.get_backend(
        "tesseract/tesseract", below=1.0, options={"tesseract": {"languages": "ko"}}
    ) as named:
        page = named.read(korean)
    assert hangul(page.text) >= 5, page.text
    assert page.languages == ("ko",)


def test_timeout_is_each_engines_limit_per_image(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from unocr.cli import main

    with unocr.get_backend("tesseract/tesseract", timeout=30) as both:
        assert [e.timeout for e in both.engines] == [30, 30]  # type: ignore[attr-defined]
    with unocr.get_backend(
        "cascade",
        engines=["tesseract", "rapidocr"],
        timeout=30,
        options={"tesseract": {"timeout": 5}},
    ) as mixed:  # an engine's own option wins
        assert [e.timeout for e in mixed.engines] == [5, 30]  # type: ignore[attr-defined]
    with (
        unocr.get_backend("tesseract/tesseract", timeout=0.01) as hasty,
        pytest.raises(EngineTimeoutError) as info,
    ):
        hasty.read(EUROTEXT)
    assert info.value.timeout == 0.01 and info.value.backend == "tesseract"
    code = main(["read", str(SAMPLE), "-b", "tesseract/tesseract", "--timeout", "60"])
    assert code == 0 and "quick brown" in capsys.readouterr().out

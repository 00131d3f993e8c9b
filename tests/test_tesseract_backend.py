"""The Tesseract backend against the real ``tesseract`` program."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

pytest.importorskip("pytesseract")

import unocr
from unocr.backends.tesseract import backend as tess_backend
from unocr.backends.tesseract.backend import TesseractBackend
from unocr.errors import (
    BackendUnavailableError,
    ConfigError,
    EngineTimeoutError,
    ImageError,
    LanguageUnavailableError,
    ProcessTimeout,
    RecognitionError,
)
from unocr.geometry import Box

from .fresh_imports import run_python
from .needs import korean_font
from .processes import children as _children

FIXTURES = Path(__file__).parent / "fixtures" / "tesseract"
PHOTOTEST = FIXTURES / "phototest.tif"

if shutil.which("tesseract") is None:  # pragma: no cover - CI without the program
    pytest.skip(
        "the tesseract program is not installed (apt-get install tesseract-ocr)",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def backend() -> TesseractBackend:
    with TesseractBackend() as b:
        yield b  # type: ignore[misc]


def _words(page: unocr.Page) -> list[tuple[str, Box]]:
    return [(w.text, w.geometry.bounds) for w in page.words]


# --------------------------------------------------------------------- reading
def test_read_phototest(backend: TesseractBackend) -> None:
    page = backend.read(PHOTOTEST)
    assert page.backend == "tesseract"
    assert (page.width, page.height) == (640, 480)
    assert page.text.startswith("This is a lot of 12 point text to test the")
    assert len(page.blocks) == 2  # Tesseract finds two paragraphs
    assert all(isinstance(w.geometry, Box) for w in page.words)
    assert all(w.language == "en" for w in page.words)
    assert page.timings.engine > 0 and page.timings.convert > 0
    assert page.timings.decode > 0


def test_unocr_read_uses_tesseract_by_default() -> None:
    page = unocr.read(PHOTOTEST, languages="en")
    assert page.backend == "tesseract"
    assert page.languages == ("en",)
    assert "quick brown dog" in page.text


def test_pil_image_with_dpi_matches_file(backend: TesseractBackend) -> None:
    """Decoded input (no file bytes) keeps the file's resolution: same result."""
    with Image.open(PHOTOTEST) as im:
        from_pil = backend.read(im)
        from_array = backend.read(np.asarray(im.convert("RGB")))
    from_file = backend.read(PHOTOTEST)
    assert _words(from_pil) == _words(from_file)
    assert [w.text for w in from_array.words] == [w.text for w in from_file.words]


def test_exif_rotated_input_gives_upright_coordinates(
    backend: TesseractBackend,
) -> None:
    with Image.open(PHOTOTEST) as im:
        rotated = im.convert("L").rotate(90, expand=True)  # lies on its side
    exif = Image.Exif()
    exif[0x0112] = 6  # display: rotate 90 clockwise -> upright again
    import io

    buf = io.BytesIO()
    rotated.save(buf, format="JPEG", exif=exif, quality=95, dpi=(200, 200))
    page = backend.read(buf.getvalue())
    assert (page.width, page.height) == (640, 480)
    assert page.text.startswith("This is a lot of 12 point text")
    first = page.words[0].geometry.bounds
    assert first.x0 < 60 and 80 < first.y0 < 110  # "This" top-left, as upright


def test_read_many_workers_keep_order(backend: TesseractBackend) -> None:
    images = [FIXTURES / "eurotext.tif", PHOTOTEST, FIXTURES / "X51005442394.jpg"]
    one = backend.read_many(images, workers=1)
    two = backend.read_many(images, workers=2)
    assert [p.text for p in two] == [p.text for p in one]  # type: ignore[union-attr]
    assert "quick brown" in one[1].text  # type: ignore[union-attr]


def test_psm_option_changes_segmentation() -> None:
    with TesseractBackend(psm=7) as single_line:  # treat the image as one line
        page = single_line.read(PHOTOTEST)
    assert len(page.lines) == 1


def test_config_variables_are_applied() -> None:
    with TesseractBackend(config="-c tessedit_char_whitelist=0123456789") as digits:
        page = digits.read(PHOTOTEST)
    assert page.words
    assert all(set(w.text) <= set("0123456789") for w in page.words)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"psm": 14}, "psm"),
        ({"oem": 9}, "oem"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"config": "-l deu"}, "languages="),
        ({"config": "-c novalue"}, "NAME=VALUE"),
        ({"engine": "gpu"}, "engine"),
    ],
)
def test_invalid_options(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        TesseractBackend(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        # int() and shlex.split raised a bare ValueError from these
        ({"config": "--psm x"}, "config: --psm needs a whole number, got 'x'"),
        ({"config": "--oem 1.5"}, "config: --oem needs a whole number, got '1.5'"),
        (
            {"config": "--dpi 300dpi"},
            "config: --dpi needs a whole number, got '300dpi'",
        ),
        (
            {"config": "-c user_defined_dpi=abc"},
            "config: -c user_defined_dpi needs a whole number, got 'abc'",
        ),
        ({"config": "-c a='b"}, 'config "-c a=\'b" cannot be split'),
        # psm 0 and 2 read no text: every read failed
        ({"psm": 0}, "psm=0 only detects orientation and script"),
        ({"psm": 2}, "psm=2 finds the layout without reading"),
        ({"config": "--psm 2"}, "psm=2 finds the layout without reading"),
        ({"config": ["--psm", "0"]}, "psm=0 only detects orientation and script"),
    ],
)
def test_a_bad_config_value_is_a_config_error_naming_it(
    kwargs: dict[str, object], says: str
) -> None:
    with pytest.raises(ConfigError) as info:
        TesseractBackend(**kwargs)  # type: ignore[arg-type]
    assert says in str(info.value)
    if "psm" in says and "=" in says:  # says what to use instead
        assert "psm=1" in str(info.value) and "psm=3" in str(info.value)


# ------------------------------------------------------------------- failures
def test_missing_program_names_apt_package() -> None:
    with pytest.raises(BackendUnavailableError) as info:
        TesseractBackend(tesseract_cmd="/nonexistent/bin/tesseract")
    err = info.value
    assert err.backend == "tesseract"
    assert err.fix is not None and "apt-get install tesseract-ocr" in err.fix
    assert "/nonexistent/bin/tesseract" in str(err)
    assert "apt-get install tesseract-ocr" in str(err)


def test_words_carry_the_language_asked_for(backend: TesseractBackend) -> None:
    # the code asked for, not the model's: en-GB runs eng, and stays en-GB
    page = backend.read(PHOTOTEST, languages="en-GB")
    assert {w.language for w in page.words} == {"en-GB"}
    # two codes for one model read as that model's language
    page = backend.read(PHOTOTEST, languages=["en", "en-US"])
    assert {w.language for w in page.words} == {"en"}
    # two languages: Tesseract does not say which word is which
    page = backend.read(PHOTOTEST, languages=["en", "ko"])
    assert {w.language for w in page.words} == {None}


def test_missing_language_names_apt_package(backend: TesseractBackend) -> None:
    with pytest.raises(LanguageUnavailableError) as info:
        TesseractBackend(languages=["zh"])
    assert info.value.language == "zh"
    assert "apt-get install tesseract-ocr-chi-sim" in str(info.value)
    # per call as well, before any process starts
    with pytest.raises(LanguageUnavailableError, match="tesseract-ocr-deu"):
        backend.read(PHOTOTEST, languages="de")


def test_a_language_tesseract_has_no_model_for_names_no_package() -> None:
    with pytest.raises(LanguageUnavailableError) as info:
        TesseractBackend(languages=["zu"])  # Zulu: Tesseract ships no model
    fix = info.value.fix or ""
    assert "apt-get" not in fix and "use an engine that reads" in fix


def test_language_list_is_probed_once() -> None:
    tess_backend._probe.cache_clear()
    TesseractBackend()
    TesseractBackend(languages="en")
    info = tess_backend._probe.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_bad_image_raises_image_error(backend: TesseractBackend) -> None:
    with pytest.raises(ImageError):
        backend.read(b"this is not an image")


def test_engine_failure_is_wrapped(tmp_path: Path) -> None:
    """A model file that lists fine but cannot load: the engine's message, typed."""
    (tmp_path / "eng.traineddata").write_bytes(b"not a model")
    with (
        TesseractBackend(config=["--tessdata-dir", str(tmp_path)]) as broken,
        pytest.raises(RecognitionError, match=r"tesseract failed on .*phototest"),
    ):
        broken.read(PHOTOTEST)


def test_tessdata_dir_is_where_languages_are_checked(tmp_path: Path) -> None:
    with pytest.raises(LanguageUnavailableError, match="tesseract-ocr-eng"):
        TesseractBackend(config=f"--tessdata-dir {tmp_path}")


def test_timeout_kills_process_and_names_image() -> None:
    with (
        TesseractBackend(timeout=0.001) as fast,
        pytest.raises(EngineTimeoutError) as info,
    ):
        fast.read(PHOTOTEST)
    err = info.value
    assert "phototest.tif" in str(err)
    assert err.timeout == pytest.approx(0.001)
    assert err.backend == "tesseract"
    assert isinstance(err, TimeoutError)
    cause = err.__cause__
    assert isinstance(cause, ProcessTimeout)
    # The killed process was reaped: gone from /proc, not a zombie...
    assert not Path(f"/proc/{cause.pid}").exists()
    # ... and no tesseract child of ours remains.
    assert [c for c in _children(os.getpid()) if c[1] == "tesseract"] == []


def test_timeout_in_read_many_is_per_item() -> None:
    with TesseractBackend(timeout=0.001) as fast:
        results = fast.read_many([PHOTOTEST, b"junk"], errors="return")
    assert isinstance(results[0].error, EngineTimeoutError)  # type: ignore[union-attr]
    assert isinstance(results[1].error, ImageError)  # type: ignore[union-attr]


def test_engine_runs_single_threaded_without_touching_environ(tmp_path: Path) -> None:
    """OMP_THREAD_LIMIT=1 reaches the child only; os.environ is unchanged."""
    mark = tmp_path / "omp.txt"
    wrapper = tmp_path / "tesseract"
    wrapper.write_text(
        "#!/bin/sh\n"
        f'echo "${{OMP_THREAD_LIMIT:-unset}}" >> "{mark}"\n'
        f'exec "{shutil.which("tesseract")}" "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    before = dict(os.environ)
    with TesseractBackend(tesseract_cmd=str(wrapper)) as b:
        page = b.read(PHOTOTEST)
    assert "quick brown" in page.text
    assert dict(os.environ) == before
    assert set(mark.read_text().split()) == {"1"}


# ------------------------------------------------------------------- Korean
def test_korean_text() -> None:
    font_path = korean_font()
    font = ImageFont.truetype(font_path, 40)
    image = Image.new("RGB", (640, 160), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 20), "대한민국 서울", font=font, fill="black")
    draw.text((20, 90), "안녕하세요 세계", font=font, fill="black")
    with TesseractBackend(languages=["ko"]) as korean:
        page = korean.read(image)
    assert [line.text for line in page.lines] == ["대한민국 서울", "안녕하세요 세계"]
    assert {w.language for w in page.words} == {"ko"}
    assert page.languages == ("ko",)


# --------------------------------------------------------------- tesserocr
def test_tesserocr_path_gives_the_same_words() -> None:
    pytest.importorskip("tesserocr")
    with TesseractBackend(engine="binary") as program:
        expected = program.read(PHOTOTEST)
        with Image.open(PHOTOTEST) as im:
            expected_pil = program.read(im)
    with TesseractBackend(engine="tesserocr") as inproc:
        assert inproc.engine == "tesserocr"
        got = inproc.read(PHOTOTEST)  # file bytes
        with Image.open(PHOTOTEST) as im:
            got_pil = inproc.read(im)  # decoded pixels + resolution
    assert _words(got) == _words(expected)
    assert [w.confidence for w in got.words] == [w.confidence for w in expected.words]
    assert got.text == expected.text
    assert _words(got_pil) == _words(expected_pil)


def test_tesserocr_engines_are_pooled_across_read_many_calls() -> None:
    pytest.importorskip("tesserocr")
    with Image.open(PHOTOTEST) as im:
        strip = im.convert("L").crop((0, 80, 640, 130))  # the first text line
    with TesseractBackend(engine="tesserocr") as inproc:
        for _ in range(3):  # new worker threads every call
            pages = inproc.read_many([strip] * 3, workers=2)
            assert [p.text for p in pages] == [  # type: ignore[union-attr]
                "This is a lot of 12 point text to test the"
            ] * 3
        assert 1 <= len(inproc._apis) <= 2
    assert inproc._apis == []


def test_tesserocr_path_timeout() -> None:
    pytest.importorskip("tesserocr")
    with (
        TesseractBackend(engine="tesserocr", timeout=0.001) as inproc,
        pytest.raises(EngineTimeoutError, match=r"eurotext\.tif"),
    ):
        inproc.read(FIXTURES / "eurotext.tif")


def test_auto_picks_tesserocr_only_with_single_omp_thread() -> None:
    pytest.importorskip("tesserocr")
    code = (
        "from unocr.backends.tesseract.backend import TesseractBackend as T; "
        "print(T().engine)"
    )

    def engine(env: dict[str, str]) -> str:
        return run_python(code, env).strip()

    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    assert engine(env) == "tesserocr"
    env.pop("OMP_THREAD_LIMIT")
    assert engine(env) == "binary"

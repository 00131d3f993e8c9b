"""Engine options: an unknown name or a value of the wrong type is a typed error."""

from __future__ import annotations

import os
import pickle
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import pytest

import unocr
from unocr.backends.options import check_options, engine_options
from unocr.cli import main
from unocr.draw import draw_page
from unocr.errors import (
    ComparisonError,
    ConfigError,
    LanguageCodeError,
    UnknownOptionError,
    UnocrError,
)

from .ink_engine import InkBackend

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "phototest.png"


def test_a_misspelt_option_names_the_closest_and_lists_all():
    with pytest.raises(UnknownOptionError) as info:
        unocr.read(SAMPLE, backend="tesseract", psmm=6)
    err = info.value
    assert isinstance(err, UnocrError) and isinstance(err, TypeError)
    assert (err.option, err.suggestion, err.backend) == ("psmm", "psm", "tesseract")
    assert "psm" in err.known and "timeout" in err.known
    assert "Did you mean 'psm'?" in str(err)
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.option, copy.known, copy.suggestion) == (err.option, err.known, "psm")


def test_an_option_far_from_every_name_gets_no_suggestion():
    with pytest.raises(UnknownOptionError) as info:
        unocr.get_backend("tesseract", zzzzzz=1)
    assert info.value.suggestion is None
    assert "Did you mean" not in str(info.value)


def test_options_come_from_the_factory_signature():
    class Engine:
        def __init__(self, *, languages: object = None, gap: int = 3) -> None: ...

    assert engine_options(Engine) == ("gap", "languages")
    assert engine_options(InkBackend) is None  # takes **kw: not checked

    def open_factory(**kwargs: object) -> None: ...

    assert engine_options(open_factory) is None
    check_options("any", open_factory, ["whatever"])  # anything goes


def test_the_cli_reports_an_unknown_option_as_a_usage_error(capsys):
    code = main(["read", str(SAMPLE), "-b", "tesseract", "-O", "psmm=6"])
    err = capsys.readouterr().err
    assert code == 2  # a usage error
    assert "no option 'psmm'" in err and "Did you mean 'psm'?" in err


# --------------------------------------------------------------- option values

GCV = {"endpoint": "127.0.0.1:9", "insecure": True}  # built, never called


@pytest.mark.parametrize(
    ("backend", "options", "says"),
    [
        # a value of another type than the engine declares (what -O can give)
        ("tesseract", {"timeout": "x"}, "option timeout must be float | None, got 'x'"),
        ("tesseract", {"psm": True}, "option psm must be int | None, got True"),
        ("tesseract", {"config": 3}, "option config must be str | Sequence[str]"),
        ("tesseract", {"tesseract_cmd": 0}, "option tesseract_cmd must be"),
        ("gcv", {**GCV, "initial_backoff": "x"}, "option initial_backoff must be"),
        ("gcv", {**GCV, "max_image_bytes": float("inf")}, "option max_image_bytes"),
        ("gcv", {**GCV, "feature": "x"}, "must be 'document' or 'text', got 'x'"),
        ("cascade", {"engines": 3}, "option engines must be Sequence[str | Backend]"),
        # a required option left out
        ("pipeline", {}, "the pipeline backend needs the options detect, recognize"),
        # values of the right type out of range
        ("tesseract", {"psm": 20}, "psm must be an integer 0-13, got 20"),
        ("tesseract", {"max_pixels": 0}, "max_pixels must be a positive int"),
        ("tesseract", {"config": "-c"}, "config: -c needs a value"),
        (
            "gcv",
            {**GCV, "max_image_bytes": 0},
            "max_image_bytes must be a whole number",
        ),
        ("gcv", {**GCV, "timeout": float("inf")}, "timeout must be a finite number"),
        ("gcv", {**GCV, "concurrency": 0}, "concurrency must be a whole number >= 1"),
    ],
)
def test_a_bad_option_value_is_a_config_error(backend, options, says):
    with pytest.raises(ConfigError) as info:
        unocr.get_backend(backend, **options).close()
    assert isinstance(info.value, ValueError)  # what it was before it had a type
    assert says in str(info.value)


def test_an_engine_given_a_bad_value_directly_says_which_option():
    # not through get_backend: the engine's own checks
    from unocr.backends.cascade import CascadeBackend
    from unocr.backends.tesseract.backend import TesseractBackend

    with pytest.raises(ConfigError, match="tesseract_cmd must be the program"):
        TesseractBackend(tesseract_cmd=0)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="config must be a string"):
        TesseractBackend(config=[{"a": 1}])  # type: ignore[list-item]
    with pytest.raises(ConfigError, match="engines must be a list of engine names"):
        CascadeBackend(engines=3)  # type: ignore[arg-type]


@pytest.mark.parametrize("languages", [0, 1.5, b"en", object()])
def test_languages_that_are_not_codes_say_so(languages):
    from unocr.backends.tesseract.backend import TesseractBackend

    with pytest.raises(LanguageCodeError, match="languages must be a list of codes"):
        TesseractBackend(languages=languages)  # type: ignore[arg-type]


def test_a_value_check_passes_what_the_annotation_allows():
    def factory(
        *,
        gap: int = 3,
        ratio: float = 0.5,
        names: list[str] | None = None,
        flag: bool = False,
        anything: object = None,
    ) -> None: ...

    check_options("x", factory, {"gap": 2, "ratio": 1, "names": ["a"], "flag": True})
    check_options("x", factory, {"anything": True})
    with pytest.raises(
        ConfigError, match=r"names must be list\[str\] \| None, got \['a', 2\]"
    ):
        check_options("x", factory, {"names": ["a", 2]})  # every item is checked
    with pytest.raises(ConfigError, match="gap must be int, got True"):
        check_options("x", factory, {"gap": True})
    with pytest.raises(ConfigError, match="ratio must be float, got 'x'"):
        check_options("x", factory, {"ratio": "x"})


def test_a_value_check_follows_mappings_literals_and_callables():
    def factory(
        *,
        per_engine: Mapping[str, Mapping[str, Any]] | None = None,
        mode: Literal["fast", "best"] = "fast",
        sizes: tuple[int, ...] = (),
        hook: Callable[[int], None] | None = None,
        where: str | os.PathLike[str] | None = None,
    ) -> None: ...

    check_options(
        "x",
        factory,
        {
            "per_engine": {"tesseract": {"psm": 6}},
            "mode": "best",
            "sizes": (1, 2),
            "hook": print,
            "where": Path("x"),
        },
    )
    for options, says in [
        ({"per_engine": {"tesseract": 6}}, "per_engine must be Mapping[str, Mapping"),
        ({"per_engine": {1: {}}}, "per_engine must be"),
        ({"mode": "quick"}, "mode must be 'fast' or 'best', got 'quick'"),
        ({"sizes": (1, "2")}, "sizes must be tuple[int, ...], got (1, '2')"),
        ({"hook": 3}, "hook must be Callable"),
        ({"where": 3}, "where must be str | PathLike[str] | None, got 3"),
    ]:
        with pytest.raises(ConfigError, match=re.escape(says)):
            check_options("x", factory, options)


def test_an_annotation_that_cannot_be_resolved_is_not_checked():
    def factory(*, gap: Unresolvable = 3) -> None: ...  # type: ignore[name-defined]  # noqa: F821

    check_options("x", factory, {"gap": "anything"})


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda: unocr.read_many([], backend="tesseract", workers=0), "workers must"),
        (lambda: unocr.read_many([], backend="tesseract", errors="x"), "errors must"),
        (
            lambda: unocr.read_many([SAMPLE], backend="tesseract", executor=3),
            "executor must be a concurrent.futures.Executor",
        ),
        (
            lambda: draw_page(unocr.Page(width=4, height=4), SAMPLE, width=1.5),
            "width must be a whole number >= 1, got 1.5",
        ),
        (
            lambda: unocr.metrics.ScoringOptions(protocol="x"),  # type: ignore[arg-type]
            "protocol must be 'icdar2015' or 'custom', got 'x'",
        ),
    ],
)
def test_a_bad_call_option_is_a_config_error(call, says):
    with pytest.raises(ConfigError, match=says):
        call()


@pytest.mark.parametrize(
    ("arguments", "error", "says"),
    [
        ({"limit": "5"}, ConfigError, "limit must be a whole number >= 1 (or None)"),
        ({"workers": 0}, ConfigError, "workers must be a whole number >= 1, got 0"),
        ({"languages": 0}, LanguageCodeError, "languages must be a list of codes"),
        ({"options": "icdar2015"}, ConfigError, "options must be a unocr.metrics"),
        ({"backend_options": 3}, ConfigError, "backend_options must map engine"),
        ({"progress": 3}, ConfigError, "progress must be a function or None, got 3"),
    ],
)
def test_compare_refuses_bad_arguments_before_any_work(arguments, error, says):
    # the dataset does not exist: the argument is refused before it is looked for
    with pytest.raises(error, match=re.escape(says)):
        unocr.compare(["tesseract"], "icdar2015:/nowhere", **arguments)


def test_compare_without_a_dataset_is_a_comparison_error():
    with pytest.raises(ComparisonError, match="give at least one dataset"):
        unocr.compare(["tesseract"], [])


@pytest.mark.parametrize(
    ("option", "code", "says"),
    [
        ('timeout="x"', 2, "the tesseract backend's option timeout must be float"),
        ("psm=20", 2, "invalid option for the tesseract backend: psm must be"),
        ("processes=0", 2, "processes must be a whole number >= 1"),
        ("languages=en", 2, "give the languages with -l/--lang"),
    ],
)
def test_the_cli_reports_a_bad_option_value_as_a_usage_error(
    capsys, option, code, says
):
    assert main(["read", str(SAMPLE), "-O", option]) == code
    err = capsys.readouterr().err
    assert says in err
    assert "Traceback" not in err


def test_a_bad_value_in_unocr_toml_names_the_file(tmp_path, monkeypatch):
    (tmp_path / "unocr.toml").write_text(
        '[backends.tesseract.options]\npsm = "x"\n', encoding="utf-8"
    )
    monkeypatch.setenv("UNOCR_CONFIG", str(tmp_path / "unocr.toml"))
    with pytest.raises(ConfigError) as info:
        unocr.get_backend("tesseract")
    assert "option psm must be int | None, got 'x'" in str(info.value)
    assert info.value.source is not None and info.value.source.endswith("unocr.toml")
    assert "[backends.tesseract.options]" in str(info.value)


def test_compare_skips_an_engine_with_a_bad_setting_and_says_to_correct_it():
    root = Path(__file__).resolve().parent / "fixtures" / "datasets" / "icdar2015"
    result = unocr.compare(["tesseract:psm=20"], f"icdar2015:{root}", limit=1)
    (skipped,) = result.skipped
    assert skipped.reason == "psm must be an integer 0-13, got 20"
    assert skipped.fix == "correct that setting of 'tesseract:psm=20'"
    assert "unocr backends" not in skipped.fix  # not a missing engine


@pytest.mark.parametrize(
    ("backend", "options", "says"),
    [
        ("rapidocr", {"text_score": -1}, "text_score must be a number from 0 to 1"),
        ("rapidocr", {"box_thresh": float("nan")}, "box_thresh must be a number from"),
        ("rapidocr", {"unclip_ratio": 0}, "unclip_ratio must be a finite number > 0"),
        ("rapidocr", {"det_limit_side_len": 0}, "det_limit_side_len must be a whole"),
        # 20000 made a 900 x 500 page an 8 GB detector input
        (
            "rapidocr",
            {"det_limit_side_len": 20000},
            "det_limit_side_len must be at most 10,000, got 20,000",
        ),
        # a misspelt or ill-typed engine setting: not blamed on the install,
        # nor left to fail every read
        (
            "rapidocr",
            {"engine_options": {"Global.max_side_lenn": 3000}},
            "RapidOCR has no setting 'Global.max_side_lenn' (did you mean "
            "'Global.max_side_len'?)",
        ),
        (
            "rapidocr",
            {"engine_options": {"Det.limit_side_len": "big"}},
            "engine_options['Det.limit_side_len'] must be int, got 'big'",
        ),
        ("rapidocr", {"threads": 10**9}, "threads must be at most 1,024"),
        ("easyocr", {"low_text": 2}, "low_text must be a number from 0 to 1, got 2"),
        (
            "easyocr",
            {"mag_ratio": float("inf")},
            "mag_ratio must be a finite number > 0",
        ),
        ("easyocr", {"slope_ths": -0.1}, "slope_ths must be a finite number >= 0"),
        ("easyocr", {"canvas_size": 0}, "canvas_size must be a whole number >= 1"),
        (
            "easyocr",
            {"readtext_options": {"bogus": 1}},
            "Reader.readtext has no option 'bogus'",
        ),
        (
            "easyocr",
            {"readtext_options": {"min_sise": 10}},
            "Reader.readtext has no option 'min_sise' (did you mean 'min_size'?)",
        ),
        (
            "easyocr",
            {"readtext_options": {"batch_size": "2"}},
            "readtext_options['batch_size'] must be int, got '2'",
        ),
        # PyTorch's OpenMP pool aborted the whole process on this one
        ("easyocr", {"threads": 10**9}, "threads must be at most 1,024"),
    ],
)
def test_an_engine_setting_out_of_range_is_a_config_error(backend, options, says):
    pytest.importorskip(
        {"rapidocr": "rapidocr", "easyocr": "easyocr_en_models"}[backend]
    )
    with pytest.raises(ConfigError, match=re.escape(says)):
        unocr.get_backend(backend, **options).close()


HOSTILE = [0, -1, 10**9, "x", "", None, [], {}, 1.5, True, float("nan"), float("inf")]
HOSTILE += [["x"], [1], b"x", {"a": 1}, [[1]], object()]
BUILT_FROM = {
    "tesseract": {},
    "gcv": GCV,
    "pipeline": {"detect": "tesseract", "recognize": "tesseract"},
    "cascade": {"engines": ["tesseract", "tesseract"]},
}


@pytest.mark.parametrize("backend", sorted(BUILT_FROM))
def test_every_option_with_any_value_builds_or_raises_a_typed_error(backend):
    from unocr.registry import resolve_backend

    _, factory = resolve_backend(backend)
    names = list(engine_options(factory) or ())
    assert len(names) >= 5
    untyped = []
    for name in names:
        for value in HOSTILE:
            try:
                unocr.get_backend(
                    backend, **{**BUILT_FROM[backend], name: value}
                ).close()
            except UnocrError:
                pass
            except Exception as exc:  # what the option check exists to prevent
                untyped.append(f"{name}={value!r}: {type(exc).__name__}: {exc}")
    assert untyped == []


def test_a_secret_option_of_the_wrong_type_is_not_shown() -> None:
    # an API key as bytes (as a secret store returns it) was quoted in the error
    pytest.importorskip("google.cloud.vision")
    key = b"AIzaSyD3xAmPlEkEy0123456789abcdefgh"
    with pytest.raises(ConfigError) as info:
        unocr.get_backend("gcv", api_key=key)
    message = str(info.value)
    assert "api_key must be str | None" in message
    assert "not shown" in message and "D3xAm" not in message

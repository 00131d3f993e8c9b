"""The command line: --annotate formats Pillow cannot write, --pages over single
images, a reader that goes away mid-write, usage errors of every sub-command,
patterns of folders, and messages in the command line's words.

Most tests run ``main([...])`` on the ``ink`` engine (tests/ink_engine.py); the
closed-pipe ones run ``python -m unocr`` in a fresh interpreter, as a shell does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PIL import Image

import unocr
from unocr.backends.base import Stopwatch
from unocr.backends.pooled import PooledBackend
from unocr.cli import main
from unocr.documents import DocumentOptions, FailedInput, PageRef, expand
from unocr.formats import dumps_pages, loads_pages
from unocr.image import LoadedImage

from .ink_engine import InkBackend, bars
from .needs import needs_tesseract
from .pdf_factory import image_pdf

FIXTURES = Path(__file__).parent / "fixtures" / "datasets"


def _image(path: Path, widths: tuple[int, ...] = (20, 40)) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    bars(widths=widths).save(path)
    return str(path)


# ------------------------------------------------ 1. --annotate's image format
@pytest.mark.parametrize("suffix", [".xpm", ".psd", ".msp", ".blp", ".bufr"])
def test_an_annotate_format_pillow_cannot_write_is_a_usage_error(
    suffix: str, ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = _image(tmp_path / "a.png"), _image(tmp_path / "b.png")
    results = tmp_path / "results.jsonl"
    calls = InkBackend.calls
    annotate = str(tmp_path / f"ann/{{stem}}{suffix}")
    code = main(["read", a, b, "-b", ink, "--annotate", annotate, "-o", str(results)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "--annotate" in err and suffix in err and "Traceback" not in err
    assert ".png" in err  # what to give instead
    assert InkBackend.calls == calls  # found before any work
    assert not results.exists() and not (tmp_path / "ann").exists()


def test_a_failing_annotate_save_is_one_error_line(
    ink: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    save = Image.Image.save

    def failing(self: Image.Image, fp: Any, *args: Any, **kwargs: Any) -> None:
        if isinstance(fp, (str, Path)):  # the annotated file, not a check in memory
            raise ValueError("encoder error -2")
        save(self, fp, *args, **kwargs)

    a = _image(tmp_path / "a.png")
    monkeypatch.setattr(Image.Image, "save", failing)
    results = tmp_path / "results.jsonl"
    annotate = str(tmp_path / "ann.png")
    code = main(
        ["read", a, "-b", ink, "--annotate", annotate, "-o", str(results), "-q"]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("unocr: error: cannot write ") and "encoder error" in err
    assert len(err.splitlines()) == 1
    assert results.exists()  # the results are kept


# ----------------------------------------------- 2. --pages and single images
def test_pages_select_from_documents_and_images_are_read_whole(
    ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    image_pdf(scans / "report.pdf", [bars(widths=(10,)), bars(widths=(30,))], dpi=72)
    frames = [bars(widths=(11,)), bars(widths=(31,)), bars(widths=(51,))]
    frames[0].save(scans / "scan.tif", save_all=True, append_images=frames[1:])
    _image(scans / "receipt.png", widths=(44,))
    args = ["read", str(scans), "--pages", "2-", "-b", ink, "--dpi", "72"]
    assert main([*args, "-f", "json"]) == 0
    captured = capsys.readouterr()
    pages = loads_pages(captured.out.encode())
    said = [(Path(p.source.name).name, p.source.index, p.text) for p in pages]
    assert said == [
        ("receipt.png", 0, "w44"),  # read as it is
        ("report.pdf", 1, "w30"),
        ("scan.tif", 1, "w31"),
        ("scan.tif", 2, "w51"),
    ], said
    assert "receipt.png" in captured.err and "--pages" in captured.err  # a note
    assert "error" not in captured.err
    # -q: no note
    assert main([*args, "-q"]) == 0
    assert capsys.readouterr().err == ""


def test_pages_outside_a_pdf_is_still_an_error(
    ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = image_pdf(tmp_path / "one.pdf", [bars(widths=(10,))], dpi=72)
    assert main(["read", str(pdf), "--pages", "2", "-b", ink]) == 1
    assert "page 2 is outside the document" in capsys.readouterr().err


def test_the_library_keeps_a_single_image_a_one_page_document(tmp_path: Path) -> None:
    png = _image(tmp_path / "a.png")
    (failed,) = expand([png], DocumentOptions(pages="2-"))  # api.md: outside it
    assert isinstance(failed, FailedInput)
    (whole,) = expand([png], DocumentOptions(pages="2-"), documents_only=True)
    assert whole == png
    pdf = image_pdf(tmp_path / "d.pdf", [bars(), bars()], dpi=72)
    (ref,) = expand([str(pdf)], DocumentOptions(pages="2-"), documents_only=True)
    assert isinstance(ref, PageRef) and ref.index == 1


# ------------------------------------------- 3. the reader going away mid-write
def _page(ink: str) -> unocr.Page:
    return unocr.read(bars(widths=tuple(range(5, 120, 3)), gap=4), backend=ink)


def _closed_early(args: list[str]) -> tuple[int, str]:
    """Run ``python -m unocr ARGS``, read 100 bytes of its output, close the pipe."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "unocr", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert len(proc.stdout.read(100)) == 100
    time.sleep(0.3)  # the one large write is under way: the pipe is full
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read().decode()
    return proc.wait(timeout=120), err


def test_convert_ends_with_status_1_when_the_reader_goes_away(
    ink: str, tmp_path: Path
) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text(dumps_pages([_page(ink)] * 400, "json"), encoding="utf-8")
    assert _closed_early(["convert", str(big), "--to", "hocr"]) == (1, "")


@needs_tesseract
@pytest.mark.parametrize(("fmt", "count"), [("hocr", 40), ("pdf", 150)])
def test_read_ends_with_status_1_when_the_reader_goes_away(
    fmt: str, count: int, ink: str, tmp_path: Path
) -> None:
    """One result far larger than a pipe holds (560 kB, 300 kB)."""
    image = tmp_path / "a.png"
    bars(widths=tuple(range(5, 120, 3)), gap=4).save(image)
    many = tmp_path / "many.pdf"
    unocr.save_pdf([_page(ink)] * count, many, images=[str(image)] * count)
    args = ["read", str(many), "--text-layer", "-f", fmt, "-q"]
    assert _closed_early(args) == (1, "")


# ------------------------------------------------ 4. usage errors: status 2
def test_convert_usage_errors_exit_2(
    ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "page.hocr"
    source.write_text(dumps_pages([_page(ink)] * 2, "hocr"), encoding="utf-8")
    capsys.readouterr()
    cases: list[tuple[list[str], str]] = [
        (["-o", str(tmp_path / "result.out")], "--to"),
        ([], "no output format"),
        (["--to", "tsv"], "{page}"),  # two pages for a one-page format
    ]
    for extra, said in cases:
        assert main(["convert", str(source), *extra]) == 2, extra
        err = capsys.readouterr().err
        assert err.startswith("usage: unocr convert"), err
        assert "unocr convert: error:" in err and said in err, err
    assert not (tmp_path / "result.out").exists()


def test_compare_json_dash_is_standard_output(
    ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    dataset = f"text:{FIXTURES / 'text'}"
    assert main(["compare", "-b", ink, "--dataset", dataset, "--json", "-"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)  # the JSON alone: the table went to stderr
    assert result["runs"]
    assert "engine" in captured.err
    assert not (tmp_path / "-").exists()
    # both to standard output: a usage error, before any work
    args = ["compare", "-b", ink, "--dataset", dataset, "--json", "-", "--report", "-"]
    assert main(args) == 2
    assert "standard output" in capsys.readouterr().err
    # './-' is still a file of that name
    assert main(["compare", "-b", ink, "--dataset", dataset, "--json", "./-"]) == 0
    assert json.loads((tmp_path / "-").read_text())["runs"]


# ------------------------------------------- 5. a pattern ending in a separator
def test_a_quoted_pattern_of_folders_reads_them(
    ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    _image(tmp_path / "scans" / "jan" / "a.png", widths=(21,))
    _image(tmp_path / "scans" / "feb" / "a.png", widths=(22,))
    _image(tmp_path / "scans" / "feb" / "deep" / "x.png", widths=(23,))
    _image(tmp_path / "scans" / "beside.png", widths=(24,))  # a file: not matched
    assert main(["read", "scans/*/", "-b", ink, "-o", "out/", "-f", "json"]) == 0
    err = capsys.readouterr().err
    written = sorted(
        p.relative_to(tmp_path / "out").as_posix()
        for p in (tmp_path / "out").rglob("*.json")
    )
    assert written == ["feb/a.json", "jan/a.json"], written
    assert "1 subfolder of scans/feb/ not read; add --recursive" in err, err
    # as the shell's expansion is read
    assert main(["read", "scans/*/", "-b", ink, "-r", "-f", "json", "-q"]) == 0
    texts = sorted(p.text for p in loads_pages(capsys.readouterr().out.encode()))
    assert texts == ["w21", "w22", "w23"]
    # no folder: an error naming folders
    assert main(["read", "scans/*.png/", "-b", ink]) == 1
    assert "no folder matches 'scans/*.png/'" in capsys.readouterr().err


def test_a_quoted_pattern_of_every_folder_reads_each_file_once(
    ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: Any
) -> None:
    """'scans/**/' matches scans and every folder below, as the shell's does."""
    monkeypatch.chdir(tmp_path)
    _image(tmp_path / "scans" / "top.png", widths=(21,))
    _image(tmp_path / "scans" / "sub" / "in.png", widths=(22,))
    _image(tmp_path / "scans" / "sub" / "deeper" / "low.png", widths=(23,))
    for recursive in ([], ["-r"]):
        assert main(["read", "scans/**/", "-b", ink, "-f", "json", *recursive]) == 0
        captured = capsys.readouterr()
        texts = sorted(p.text for p in loads_pages(captured.out.encode()))
        assert texts == ["w21", "w22", "w23"], (recursive, texts)
        assert "not read" not in captured.err, captured.err


# --------------------------------------------------------------- 6. messages
def test_quiet_hides_the_deprecated_format_name_note(
    ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = _image(tmp_path / "a.png")
    out = str(tmp_path / "a.page.xml")
    assert main(["read", a, "-b", ink, "-f", "page", "-o", out, "-q"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["read", a, "-b", ink, "-f", "page", "-o", out]) == 0
    assert (
        "unocr: note: the format name 'page' is deprecated" in capsys.readouterr().err
    )


def test_a_too_small_dpi_is_advised_as_an_option(
    ink: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pdf = image_pdf(tmp_path / "doc.pdf", [bars(widths=(40,))], dpi=72)
    assert main(["read", str(pdf), "-b", ink, "--dpi", "0.0001"]) == 1
    err = capsys.readouterr().err
    assert "less than one pixel" in err
    assert "pass --dpi 3 (or higher)" in err and "dpi=" not in err, err


class _Slow(PooledBackend):
    """Sleeps on every image, within its ``timeout`` (as RapidOCR reads)."""

    name = "slow"
    seconds: ClassVar[float] = 0.5

    def _build(self, threads: int | None) -> object:
        return object()

    def _recognize(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> Any:
        sleep: Callable[[], None] = lambda: time.sleep(self.seconds)  # noqa: E731
        self._run_timed(clock, sleep, image.name)
        return ()


def test_a_time_out_is_advised_as_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from unocr import registry

    registry.register_backend("slow", _Slow)
    try:
        a = _image(tmp_path / "a.png")
        assert main(["read", a, "-b", "slow", "--timeout", "0.05"]) == 1
    finally:
        registry.unregister_backend("slow")
        unocr.clear_cache()
    err = capsys.readouterr().err
    assert "within 0.05 s" in err
    assert "raise --timeout" in err and "timeout=" not in err, err


def test_the_timeout_help_promises_no_stop_the_engine_cannot_make(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An in-process engine finishes its image in the background after a
    time-out: the help says what the option does, not that it stops it."""
    assert main(["read", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "give up on an image after this many seconds" in text
    assert "stop the engine" not in text

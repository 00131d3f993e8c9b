"""``unocr read``: Ctrl-C with an engine in this process, patterns and links to
folders, an ``--output`` and ``--annotate`` file of one name, the pixel limit
in the command line's words.

The Ctrl-C tests run the command in a fresh interpreter with a test engine that
sleeps a minute on wide images; the others run ``main([...])`` on the ``ink``
engine (tests/ink_engine.py).
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from unocr.cli import main
from unocr.cli._inputs import collect

from .ink_engine import bars
from .pdf_factory import image_pdf

#: ``unocr`` with a ``sleepy`` engine that reads in this process: one word,
#: ``QUICK``, after sleeping a minute on an image wider than 100 pixels (saying
#: ``sleeping`` on standard error first). Python's own SIGINT handler, even when
#: started with SIGINT ignored: what a user's Ctrl-C meets.
SLEEPY = r"""
import signal, sys, time
signal.signal(signal.SIGINT, signal.default_int_handler)
import unocr
from unocr.backends.base import Backend
from unocr.geometry import Box
from unocr.model import Word
from unocr.model.layout import group_lines, group_words

class Sleepy(Backend):
    name = "sleepy"

    def _recognize(self, image, languages, clock):
        if image.width > 100:
            print("sleeping", file=sys.stderr, flush=True)
            time.sleep(60)
        box = Box(0, 0, image.width, image.height)
        word = Word(text="QUICK", geometry=box, confidence=1.0)
        return tuple(group_lines(group_words([word])))

unocr.register_backend("sleepy", Sleepy)
from unocr.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _images(folder: Path, widths: dict[str, int]) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, width in widths.items():
        path = folder / f"{name}.png"
        bars(widths=(width - 20,), gap=10).save(path)
        paths.append(str(path))
    return paths


def _start_sleepy(args: list[str], err: Path) -> subprocess.Popen[bytes]:
    with err.open("wb") as said:  # the child keeps its own copy
        return subprocess.Popen(
            [sys.executable, "-c", SLEEPY, "read", "-b", "sleepy", *args],
            stdout=subprocess.PIPE,
            stderr=said,
        )


def _wait_for(
    condition: Callable[[], bool], proc: subprocess.Popen[bytes], seconds: float
) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        assert proc.poll() is None, proc.returncode
        time.sleep(0.05)
    assert condition(), "the run did not get there"


def _stop(proc: subprocess.Popen[bytes], *, again_after: float | None = None) -> float:
    """Ctrl-C ``proc`` (a second time after ``again_after`` s if it still runs);
    the seconds it took to end."""
    proc.send_signal(signal.SIGINT)
    start = time.monotonic()
    try:
        if again_after is not None:
            try:
                proc.wait(timeout=again_after)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return time.monotonic() - start


def test_ctrl_c_ends_an_in_process_read_at_once_keeping_finished_files(
    tmp_path: Path,
) -> None:
    images = _images(tmp_path / "in", {"quick": 60, "slow": 200, "slower": 300})
    out = tmp_path / "out"
    err = tmp_path / "err.txt"
    args = [*images, "-f", "json", "-o", f"{out}/", "--workers", "2"]
    proc = _start_sleepy(args, err)
    _wait_for(
        lambda: (out / "quick.json").exists() and "sleeping" in err.read_text(),
        proc,
        60,
    )
    took = _stop(proc)
    said = err.read_text()
    assert proc.returncode == 130, said
    assert took < 10  # not when the slow image is done (a minute)
    assert "unocr: interrupted" in said and "Traceback" not in said
    # the finished file is kept, no temporary file is left
    assert sorted(p.name for p in out.iterdir()) == ["quick.json"]
    assert "QUICK" in (out / "quick.json").read_text("utf-8")


def test_ctrl_c_keeps_what_standard_output_was_given(tmp_path: Path) -> None:
    images = _images(tmp_path / "in", {"quick": 60, "slow": 200})
    err = tmp_path / "err.txt"
    proc = _start_sleepy(images, err)  # one worker: quick, then slow
    _wait_for(lambda: "sleeping" in err.read_text(), proc, 60)
    time.sleep(1)  # the main thread writes the quick result meanwhile
    proc.send_signal(signal.SIGINT)
    try:
        printed, _ = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, err.read_text()
    # written to a pipe (buffered): still there at the end
    assert printed.decode() == f"==> {images[0]} <==\nQUICK\n"


def test_a_second_ctrl_c_gives_no_traceback(tmp_path: Path) -> None:
    images = _images(tmp_path / "in", {"slow": 200})
    err = tmp_path / "err.txt"
    proc = _start_sleepy([*images, "-f", "json"], err)
    _wait_for(lambda: "sleeping" in err.read_text(), proc, 60)
    took = _stop(proc, again_after=2)
    said = err.read_text()
    assert proc.returncode == 130, said
    assert took < 10
    assert "Traceback" not in said and "Exception ignored" not in said


# ------------------------------------------------------- patterns and links
def test_a_pattern_does_not_follow_links_to_folders(
    tmp_path: Path, ink: str, capsys: pytest.CaptureFixture[str]
) -> None:
    scans = tmp_path / "scans"
    _images(scans / "sub", {"x": 60})
    (scans / "sub" / "up").symlink_to("..")  # a loop
    (scans / "sub" / "gone.png").symlink_to(tmp_path / "nowhere.png")
    pattern = f"{scans}/**/*.png"
    found = collect([pattern], recursive=False)
    assert [(i.source, i.relative) for i in found.inputs] == [
        (str(scans / "sub" / "x.png"), "sub/x.png")
    ]
    # noted as a folder's links are
    assert found.links == {pattern: ["sub/up"]}
    assert found.broken == {pattern: ["sub/gone.png"]}
    (scans / "alias").symlink_to("sub")  # matched by a single '*'
    one_level = f"{scans}/*/x.png"
    found = collect([one_level], recursive=False)
    assert [i.relative for i in found.inputs] == ["sub/x.png"]
    assert found.links == {one_level: ["alias"]}
    (scans / "alias").unlink()
    out = tmp_path / "out"
    assert main(["read", pattern, "-b", ink, "-f", "json", "-o", f"{out}/"]) == 0
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.json")) == [
        "sub/x.json"
    ]
    err = capsys.readouterr().err
    assert (
        f"unocr read: 1 link to a folder in {pattern} not followed (sub/up); "
        "name the folder to read it"
    ) in err.splitlines()


def test_a_pattern_reads_through_links_it_names(tmp_path: Path) -> None:
    # a link among the leading folders, and one the pattern spells out
    _images(tmp_path / "t1" / "scans" / "sub", {"x": 60})
    (tmp_path / "t1" / "latest").symlink_to("scans")
    _images(tmp_path / "t2" / "scans" / "sub", {"x": 60})
    (tmp_path / "t2" / "scans" / "current").symlink_to("sub")
    for pattern, relative in [
        (f"{tmp_path}/t1/latest/**/*.png", "sub/x.png"),
        (f"{tmp_path}/t2/*/current/*.png", "scans/current/x.png"),
    ]:
        found = collect([pattern], recursive=False)
        assert [i.relative for i in found.inputs] == [relative], pattern
        assert not found.links


def test_a_pattern_into_a_missing_folder_matches_nothing(tmp_path: Path) -> None:
    (tmp_path / "file.png").write_bytes(b"")
    for pattern in (f"{tmp_path}/nothing/**/*.png", f"{tmp_path}/file.png/*.png"):
        found = collect([pattern], recursive=False)
        assert found.unmatched == [pattern] and not found.unlisted


# --------------------------------------------------- one name, two outputs
@pytest.mark.parametrize(
    ("inputs", "fmt", "output", "annotate"),
    [
        (2, "pdf", "out/", "out/{stem}.pdf"),  # a folder, a pattern
        (2, "pdf", "out/{stem}.pdf", "out/./{stem}.pdf"),  # two patterns
        (1, "json", "same.png", "same.png"),  # one file each
    ],
)
def test_an_output_named_as_an_annotated_image_is_a_usage_error(
    tmp_path: Path,
    ink: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    inputs: int,
    fmt: str,
    output: str,
    annotate: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    images = _images(tmp_path / "in", {"a": 60, "b": 80})[:inputs]
    code = main(
        ["read", *images, "-b", ink, "-f", fmt, "-o", output, "--annotate", annotate]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert "is both an output and an --annotate file" in err
    assert not (tmp_path / "out").exists() and not (tmp_path / "same.png").exists()


# ------------------------------------------------------------- pixel limit
def test_the_pixel_limit_is_said_as_the_command_line_option(
    tmp_path: Path, ink: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (image,) = _images(tmp_path, {"a": 60})  # 60 x 30
    assert main(["read", image, "-b", ink, "-O", "max_pixels=100"]) == 1
    err = capsys.readouterr().err
    assert "pass -O max_pixels=1800 (or larger)" in err, err
    assert "or -O max_pixels=null to disable the check" in err
    assert not re.search(r"(?<!-O )max_pixels=", err)
    # what it says works
    for limit in ("1800", "null"):
        assert main(["read", image, "-b", ink, "-O", f"max_pixels={limit}"]) == 0
    capsys.readouterr()
    # a PDF page: --dpi too
    pdf = image_pdf(tmp_path / "doc.pdf", [bars(widths=(40,))], dpi=72)
    assert main(["read", str(pdf), "-b", ink, "-O", "max_pixels=100"]) == 1
    err = capsys.readouterr().err
    assert re.search(r"pass --dpi \d+ \(or lower\), or -O max_pixels=\d+", err), err


def test_a_pattern_ending_in_a_separator_matches_folders_only(tmp_path: Path) -> None:
    """As glob: 'scans/*/' names folders, read as folders; no file beside them."""
    scans = tmp_path / "scans"
    _images(scans, {"top": 60})
    _images(scans / "sub", {"in": 60})
    found = collect([f"{scans}/*/"], recursive=False)
    assert [Path(i.source).name for i in found.inputs] == ["in.png"]
    assert found.unmatched == []

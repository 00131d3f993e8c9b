"""``unocr read`` and ``unocr convert``: ``-o -``, a closed pipe, a glob of non-images,
an output that is a link or a named pipe, the plain progress lines.

The commands run the real Tesseract on the bundled sample page.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from unocr.cli import _progress, main

from .needs import needs_tesseract
from .test_cli_read import SAMPLE


@needs_tesseract
def test_read_output_dash_is_standard_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["read", str(SAMPLE), "-o", "-", "-f", "json", "-q"]) == 0
    page = json.loads(capsys.readouterr().out)
    assert "quick brown dog" in " ".join(w["text"] for w in _words(page))
    assert list(tmp_path.iterdir()) == []  # no file named '-'


def test_convert_output_dash_is_standard_output(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    page = tmp_path / "page.json"
    page.write_text(
        json.dumps(
            {
                "schema": "unocr.page/1",
                "width": 100,
                "height": 50,
                "blocks": [],
            }
        ),
        encoding="utf-8",
    )
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    assert main(["convert", str(page), "--to", "hocr", "-o", "-"]) == 0
    assert "ocr_page" in capsys.readouterr().out
    assert list(work.iterdir()) == []


def _words(page: dict[str, object]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for block in page["blocks"]:  # type: ignore[attr-defined]
        for para in block.get("paragraphs", [block]):
            for line in para["lines"]:
                out.extend(line["words"])
    return out


@needs_tesseract
def test_glob_matching_only_other_files_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("not an image", encoding="utf-8")
    (tmp_path / "list.csv").write_text("a,b", encoding="utf-8")
    pattern = str(tmp_path / "*")
    code = main(["read", pattern, str(SAMPLE), "-q"])
    captured = capsys.readouterr()
    assert code == 1
    assert f"no image files or PDFs found in {pattern}" in captured.err
    assert "quick brown dog" in captured.out  # the other input is still read


@needs_tesseract
def test_a_closed_pipe_ends_quietly_with_status_1() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "unocr", "read", str(SAMPLE), str(SAMPLE), "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before anything is written
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert err == ""


# ------------------------------------------------- links and named pipes as outputs
@needs_tesseract
def test_an_output_that_is_a_link_is_written_through(tmp_path: Path) -> None:
    """The link stays; the file it points to gets the result."""
    (tmp_path / "real").mkdir()
    text_link = tmp_path / "out.txt"
    text_link.symlink_to(Path("real") / "out.txt")  # to a file not made yet
    json_link = tmp_path / "page.json"
    (tmp_path / "real" / "page.json").write_text("old", encoding="utf-8")
    json_link.symlink_to(tmp_path / "real" / "page.json")
    assert main(["read", str(SAMPLE), "-o", str(text_link), "-q"]) == 0
    assert main(["read", str(SAMPLE), "-o", str(json_link), "-q"]) == 0
    assert text_link.is_symlink() and json_link.is_symlink()
    text = (tmp_path / "real" / "out.txt").read_text("utf-8")
    assert "quick brown dog" in text
    page = json.loads((tmp_path / "real" / "page.json").read_text("utf-8"))
    assert page["schema"] == "unocr.page/1"
    # no temporary file left anywhere
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "out.txt",
        "page.json",
        "real",
    ]
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == [
        "out.txt",
        "page.json",
    ]


@needs_tesseract
@pytest.mark.parametrize("fmt", ["text", "pdf"])
def test_an_output_that_is_a_named_pipe_is_streamed_into(
    tmp_path: Path, fmt: str
) -> None:
    """As ``tee`` does: the pipe is written, not replaced by a file."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with reading(fifo) as got:
        code = main(["read", str(SAMPLE), "-o", str(fifo), "-f", fmt, "-q"])
    assert code == 0
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the pipe
    if fmt == "text":
        assert "quick brown dog" in got[0].decode()
    else:
        assert got[0].startswith(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["fifo"]


@contextlib.contextmanager
def reading(fifo: Path) -> Iterator[list[bytes]]:
    """Read the named pipe ``fifo`` on a thread while the body writes it.

    Yields:
        A list that holds what was read once the body is done.
    """
    keep = fifo.with_name(fifo.name + ".keep")  # reaches the pipe if it is replaced
    os.link(fifo, keep)
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as pipe:
            got.append(pipe.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield got
    finally:
        reader.join(timeout=10)
        if reader.is_alive():  # the pipe was never opened: end the reader
            with contextlib.suppress(OSError):
                os.close(os.open(keep, os.O_WRONLY | os.O_NONBLOCK))
            reader.join(timeout=10)
        keep.unlink()
        got.append(b"")  # got[0] is b"" where nothing was read


# ------------------------------------------------------------------ progress
def test_the_last_plain_progress_line_is_printed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    log = io.StringIO()  # not a terminal: plain lines
    monkeypatch.setattr(_progress, "PLAIN_EVERY", 0.0)  # a line per page
    progress = _progress.Progress(4, show=True, stream=log)
    for n in range(4):
        progress.update(failed=n == 2)
    progress.close()
    lines = log.getvalue().splitlines()
    assert [line.split(" pages")[0] for line in lines] == [
        f"unocr read: {n}/4" for n in range(1, 5)
    ]
    assert lines[-1].startswith("unocr read: 4/4 pages, 1 failed")
    # a last line at the end where the one before it was older
    monkeypatch.setattr(_progress, "PLAIN_EVERY", 0.0)
    log = io.StringIO()
    progress = _progress.Progress(4, show=True, stream=log)
    progress.update(failed=False)
    monkeypatch.setattr(_progress, "PLAIN_EVERY", 3600.0)
    for _ in range(3):
        progress.update(failed=False)
    progress.close()
    assert [line.split(" pages")[0] for line in log.getvalue().splitlines()] == [
        "unocr read: 1/4",
        "unocr read: 4/4",
    ]

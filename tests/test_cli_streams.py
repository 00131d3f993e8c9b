"""``unocr read`` and ``unocr convert``: ``-o -``, a closed pipe, a glob of non-images.

The commands run the real Tesseract on the bundled sample page.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from unocr.cli import main

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

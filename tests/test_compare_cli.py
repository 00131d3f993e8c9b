"""``unocr compare`` end to end with the real Tesseract engine."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import unocr
from unocr.cli import main

HAVE_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None
FIXTURES = Path(__file__).parent / "fixtures" / "datasets"
ICDAR = f"icdar2015:{FIXTURES / 'icdar2015'}"
TEXT = f"text:{FIXTURES / 'text'}"
TEXT_ARG = f"--dataset={TEXT}"

pytest.importorskip("pytesseract")
if shutil.which("tesseract") is None:
    pytest.skip("the tesseract program is not installed", allow_module_level=True)


def _uninstalled() -> str | None:
    """A built-in engine that is not installed here, if any."""
    for info in unocr.available_backends():
        if not info.installed and info.source == "builtin":
            return info.name
    return None


def test_compare_end_to_end(tmp_path: Path) -> None:
    missing = _uninstalled()
    names = ["tesseract", "nosuchengine", *([missing] if missing else [])]
    out_json = tmp_path / "results.json"
    out_html = tmp_path / "report.html"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "unocr",
            "compare",
            "--backends",
            ",".join(names),
            "--dataset",
            ICDAR,
            "--dataset",
            TEXT,
            "--json",
            str(out_json),
            "--report",
            str(out_html),
            "--previews",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONWARNINGS": "error"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == [
        "engine",
        "dataset",
        "images",
        "failed",
        "hmean",
        "E2E",
        "CER",
        "WER",
        "BoW",
        "WER",
        "median",
        "s",
        "images/s",
    ]
    rows = [line.split() for line in lines if line.startswith("tesseract ")]
    assert [r[1] for r in rows] == ["icdar2015", "text"]
    assert rows[0][2:4] == ["2", "0"]
    assert float(rows[1][6]) < 0.05  # CER on Tesseract's own test page
    assert any(
        line.startswith("skipped nosuchengine: unknown OCR backend") for line in lines
    )
    if missing:
        skipped = next(line for line in lines if line.startswith(f"skipped {missing}:"))
        assert "not installed" in skipped or "needs" in skipped
    # no progress bar on a non-terminal stderr
    assert "img/s" not in proc.stderr

    data = json.loads(out_json.read_text(encoding="utf-8"))
    run = next(r for r in data["runs"] if r["dataset"] == "icdar2015")
    assert run["images_ok"] == 2
    assert {im["id"] for im in run["images"]} == {"img_264", "img_883"}
    assert all(im["latency"] > 0 for im in run["images"])
    assert run["scores"]["n_truth"] == 44
    assert {s["backend"] for s in data["skipped"]} == set(names) - {"tesseract"}
    assert all(s["fix"] for s in data["skipped"])  # never null
    assert "scoring: icdar2015 protocol: IoU > 0.5, first-come matching" in lines
    assert any(
        line.startswith("text normalisation on icdar2015: icdar2015 (")
        for line in lines
    )

    html = out_html.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert "<table>" in html
    assert "nosuchengine" in html
    if HAVE_MATPLOTLIB:
        assert html.count("data:image/png;base64,") == 2  # metric bars + latency
    else:
        assert "pip install &#x27;unocr[report]&#x27;" in html
        assert "unocr[report]" in proc.stderr
    assert "data:image/jpeg;base64," in html  # drawn detections
    assert "src='http" not in html
    assert 'src="http' not in html  # self-contained


def test_all_skipped_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compare", "--backends", "nosuchengine", "--dataset", TEXT])
    out = capsys.readouterr().out
    assert code == 1
    assert "(no engine ran)" in out
    assert "skipped nosuchengine" in out


def test_an_engine_without_the_language_is_skipped_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Tesseract here has eng and kor only: no Maori model
    code = main(["compare", "-b", "tesseract", "-l", "mi", "--dataset", TEXT])
    out = capsys.readouterr().out
    assert code == 1
    assert "(no engine ran)" in out
    assert "skipped tesseract: Tesseract has no model for language 'mi'" in out
    assert "apt-get install tesseract-ocr-mri" in out


def test_bad_dataset_is_a_clean_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["compare", "--backends", "tesseract", "--dataset", "icdar2051:x"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("unocr: error: unknown dataset kind 'icdar2051'")
    assert "Did you mean 'icdar2015'" in err


def _compare_to_json(tmp_path: Path, *args: str) -> Any:
    """Run ``unocr compare ARGS --json FILE`` in this process; FILE's content.

    The command must succeed (exit status 0).
    """
    out_json = tmp_path / "r.json"
    assert main(["compare", *args, "--json", str(out_json)]) == 0
    return json.loads(out_json.read_text(encoding="utf-8"))


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--backends", "tesseract"]) == 2
    assert main(["compare", "--backends", "t", "--dataset", TEXT, "--limit", "0"]) == 2
    assert "must be at least 1" in capsys.readouterr().err


def test_options_reach_the_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _compare_to_json(
        tmp_path,
        "--backends",
        "tesseract",
        "--dataset",
        TEXT,
        "--ignore-case",
        "--nfkc",
        "--ignore-punctuation",
        "--matching",
        "greedy",
        "--iou",
        "0.6",
    )
    assert data["options"] == {
        "protocol": "icdar2015",
        "iou_threshold": 0.6,
        "ignore_overlap": 0.5,
        "matching": "greedy",
        "normalization": {
            "ignore_case": True,
            "nfkc": True,
            "ignore_punctuation": True,
            "case_mapping": "casefold",
            "edge_punctuation": "",
            "collapse_whitespace": True,
            "name": "",
        },
        "word_spotting": False,
    }
    assert "tesseract" in capsys.readouterr().out


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_progress_bar_on_a_terminal() -> None:
    """On a terminal, stderr shows a tqdm bar counting every image."""
    import fcntl
    import pty
    import struct
    import termios
    import threading

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    chunks: list[bytes] = []

    def drain() -> None:
        try:
            while chunk := os.read(master, 4096):
                chunks.append(chunk)
        except OSError:  # the terminal closed
            pass

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "unocr",
                "compare",
                "--backends=tesseract",
                TEXT_ARG,
            ],
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=300,
            check=False,
        )
    finally:
        os.close(slave)
        reader.join(timeout=10)
        os.close(master)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0
    assert "tesseract on text:" in shown  # the bar names engine and dataset
    assert "1/1" in shown
    assert b"tesseract on text:" not in proc.stdout  # the table stays clean


def test_protocol_normalization_and_word_spotting_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = _compare_to_json(
        tmp_path,
        "-b",
        "tesseract",
        "--dataset",
        ICDAR,
        "--normalization",
        "exact",
        "--word-spotting",
        "--matching",
        "optimal",
    )
    out = capsys.readouterr().out
    assert (
        "scoring: icdar2015 protocol: IoU > 0.5, optimal matching, word spotting "
        "(settings differ from the official ones)" in out
    )
    assert "text normalisation on icdar2015: exact (whitespace collapsed)" in out
    assert data["options"]["word_spotting"] is True
    assert data["datasets"][0]["normalization"]["name"] == "exact"
    run = data["runs"][0]["scores"]
    assert run["e2e_n_truth"] < run["n_truth"]  # non-dictionary words are don't care
    # both ways of overriding at once is a usage error
    assert (
        main(
            [
                "compare",
                "-b",
                "t",
                "--dataset",
                TEXT,
                "--normalization",
                "exact",
                "--nfkc",
            ]
        )
        == 2
    )
    assert "either --normalization or" in capsys.readouterr().err


def test_outputs_that_cannot_be_written_are_said_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    # the report under a file, the JSON onto a folder: both said, nothing run
    code = main(
        ["compare", "-b", "tesseract", TEXT_ARG, "--report", str(afile / "r.html"),
         "--json", str(tmp_path)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    assert f"cannot write {tmp_path}: it is a folder" in captured.err
    assert f"cannot write {afile / 'r.html'}: {afile} is not a folder" in captured.err
    assert captured.out == ""  # no table: no engine ran
    assert "Traceback" not in captured.err
    same = tmp_path / "out.json"
    args = ["compare", "-b", "tesseract", TEXT_ARG, "--json", str(same)]
    assert main([*args, "--report", str(tmp_path / "x" / ".." / "out.json")]) == 1
    assert "name one file" in capsys.readouterr().err and not same.exists()


def test_an_output_that_fails_while_written_costs_only_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from unocr.cli import _output, compare

    report = tmp_path / "report.html"
    out_json = tmp_path / "new" / "results.json"  # its folder is made
    write_text = _output.write_text

    def full_disk(target: Path, text: str) -> None:
        # a disk that fills up while the report is written: not to be provoked here
        if target == report:
            raise OSError(28, "No space left on device", str(target))
        write_text(target, text)

    monkeypatch.setattr(compare, "write_text", full_disk)
    code = main(
        ["compare", "-b", "tesseract", TEXT_ARG, "--report", str(report),
         "--json", str(out_json)]
    )  # fmt: skip
    captured = capsys.readouterr()
    assert code == 1
    assert f"cannot write {report}: No space left on device" in captured.err
    assert json.loads(out_json.read_text("utf-8"))["runs"]  # the JSON is whole
    assert "tesseract" in captured.out  # and the table printed
    assert "Traceback" not in captured.err
    # a name too long for the file system is said before the run
    long = tmp_path / ("r" * 300 + ".html")
    assert main(["compare", "-b", "tesseract", TEXT_ARG, "--report", str(long)]) == 1
    captured = capsys.readouterr()
    assert "File name too long" in captured.err and captured.out == ""

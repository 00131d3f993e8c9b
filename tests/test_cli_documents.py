"""``unocr read`` on documents: every page, --pages, provenance, -f pdf, bad PDFs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from unocr.cli import main
from unocr.formats import loads, loads_pages

from .needs import needs_tesseract
from .pdf_factory import extract_words, text_pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "phototest.png"
LINES = [(72, 700, "First page words"), (72, 650, "more text")]

pytestmark = needs_tesseract


@pytest.fixture
def born(tmp_path: Path) -> Path:
    """A three-page born-digital PDF (read from its text layer, no OCR)."""
    return text_pdf(tmp_path / "born.pdf", LINES, pages=3)


def test_json_lines_carry_the_source_of_every_page(born, capsys):
    assert main(["read", str(born), "--text-layer", "--dpi", "72", "-f", "json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3
    sources = [json.loads(line)["source"] for line in lines]
    assert [(s["name"], s["index"], s["method"]) for s in sources] == [
        (str(born), i, "text-layer") for i in range(3)
    ]
    assert sources[0]["page_size"] == [612, 792] and sources[0]["dpi"] == 72


def test_pages_option_and_text_headers(born, capsys):
    assert main(["read", str(born), "--text-layer", "--pages", "2-3"]) == 0
    out = capsys.readouterr().out
    assert f"==> {born} (page 2) <==" in out and f"==> {born} (page 3) <==" in out
    assert "(page 1)" not in out
    assert out.count("First page words") == 2


@pytest.mark.parametrize("spec", ["0", "0-1", "2,0"])
def test_page_zero_is_a_usage_error_before_anything_is_read(spec, born, capsys):
    # as '3-1' is: exit 2, whatever the inputs (a PNG was read whole, a PDF
    # failed only when opened)
    for item in (born, SAMPLE):
        assert main(["read", str(item), "--text-layer", "--pages", spec]) == 2
        assert "there is no page 0" in capsys.readouterr().err


def test_multi_frame_tiff_every_frame_is_read(tmp_path, capsys):
    tif = tmp_path / "two.tif"
    image = Image.open(SAMPLE).convert("L")
    image.save(tif, save_all=True, append_images=[image.rotate(180)])
    assert main(["read", str(tif), "-f", "json"]) == 0
    pages = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [p["source"]["index"] for p in pages] == [0, 1]
    assert "This is a lot of 12 point text" in json.dumps(pages[0])


def test_one_multi_page_hocr_and_alto_file_per_document(born, tmp_path):
    for suffix in (".hocr", ".alto.xml"):
        out = tmp_path / f"doc{suffix}"
        assert main(["read", str(born), "--text-layer", "-o", str(out)]) == 0
        pages = loads_pages(out.read_bytes())
        assert [(p.source.name, p.source.index) for p in pages] == [
            (str(born), i) for i in range(3)
        ]
        assert all(p.lines[0].text == "First page words" for p in pages)


def test_page_xml_one_file_per_page(born, tmp_path):
    out = tmp_path / "out"
    args = ["read", str(born), "--text-layer", "-f", "page-xml", "-o", f"{out}/"]
    assert main(args) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == [f"born-p{i}.page.xml" for i in (1, 2, 3)]
    page = loads((out / "born-p2.page.xml").read_bytes())
    assert page.source.name == str(born) and page.source.index == 1
    # a pattern with {page}
    pattern = tmp_path / "pat" / "{stem}_{page}.page.xml"
    assert main([*args[:-1], str(pattern)]) == 0
    assert sorted(p.name for p in pattern.parent.iterdir()) == [
        "born_1.page.xml",
        "born_2.page.xml",
        "born_3.page.xml",
    ]


def test_several_pages_of_a_one_page_format_need_a_folder(born, capsys):
    assert main(["read", str(born), "--text-layer", "-f", "tsv"]) == 2
    assert "one page per file" in capsys.readouterr().err


def test_searchable_pdf_out(tmp_path):
    scan = tmp_path / "scan.png"
    Image.open(SAMPLE).save(scan, dpi=(200, 200))
    out = tmp_path / "searchable.pdf"
    assert main(["read", str(scan), "-f", "pdf", "-o", str(out)]) == 0
    ((_, _, words),) = extract_words(out)
    text = " ".join(t for t, _ in words)
    assert "This is a lot of 12 point text to test the" in text


@needs_tesseract
def test_searchable_pdf_out_of_a_several_page_document(tmp_path):
    # every page after the first failed: "the page is page 2 of its document,
    # but this one has 1 page(s)"
    from .pdf_factory import image_pdf

    scan = image_pdf(tmp_path / "scan.pdf", [Image.open(SAMPLE)] * 2, dpi=100)
    out = tmp_path / "searchable.pdf"
    assert main(["read", str(scan), "--dpi", "100", "-f", "pdf", "-o", str(out)]) == 0
    pages = extract_words(out)
    assert len(pages) == 2
    for _, _, words in pages:
        assert "quick brown dog" in " ".join(t for t, _ in words)


def test_bad_documents_exit_1_and_name_the_file(born, tmp_path, capsys):
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(born) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="o", user="pw", R=6))
    argv = ["read", str(born), str(empty), str(locked), "--text-layer", "--pages", "1"]
    assert main(argv) == 1
    captured = capsys.readouterr()
    errors = captured.err.splitlines()
    assert any(str(empty) in e and "empty" in e for e in errors)
    assert any(str(locked) in e and "--password" in e for e in errors)
    assert "First page words" in captured.out  # the good document still read
    assert main([*argv[:2], str(locked), "--text-layer", "--password", "pw"]) == 0
    capsys.readouterr()
    assert main(["read", str(born), "--text-layer", "--pages", "7"]) == 1
    assert "page 7 is outside the document" in capsys.readouterr().err


def test_pdf_on_standard_input(born):
    out = subprocess.run(
        [sys.executable, "-m", "unocr", "read", "-", "--text-layer", "-f", "json"],
        input=born.read_bytes(),
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    pages = [json.loads(line) for line in out.stdout.decode().splitlines()]
    assert [(p["source"]["name"], p["source"]["index"]) for p in pages] == [
        ("<bytes>", 0),
        ("<bytes>", 1),
        ("<bytes>", 2),
    ]


def test_a_password_in_another_encoding_is_a_usage_error(born, capsys):
    latin1 = os.fsdecode(b"s\xe9cret")  # what a Latin-1 terminal passes
    assert main(["read", str(born), "--password", latin1]) == 2
    captured = capsys.readouterr()
    assert "password is not valid text" in captured.err
    assert "Traceback" not in captured.err and captured.out == ""

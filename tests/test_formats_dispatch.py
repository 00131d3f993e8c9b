"""unocr.formats dispatch: dumps/loads/load/save, format names, sniffing, CLI."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from unocr import formats
from unocr.cli import main
from unocr.errors import FormatError
from unocr.formats import (
    READ_FORMATS,
    WRITE_FORMATS,
    dumps,
    infer_format,
    load,
    loads,
    save,
)
from unocr.geometry import Box, Quad
from unocr.model import Block, Line, Page, Symbol, Word


def sample_page() -> Page:
    hello = Word(
        text="Hello",
        geometry=Box(10, 10, 60, 30),
        confidence=0.91,
        language="en",
        symbols=tuple(
            Symbol(
                text=c, geometry=Box(10 + 10 * i, 10, 20 + 10 * i, 30), confidence=0.8
            )
            for i, c in enumerate("Hello")
        ),
    )
    korean = Word(
        text="안녕<&>",
        geometry=Quad([[70, 10], [120, 12], [119, 32], [69, 30]]),
        confidence=0.5,
        language="ko",
    )
    line = Line.from_words([hello, korean], native=True)
    second = Line.from_words(
        [Word(text="world", geometry=Box(10, 40, 60, 60), confidence=None)], native=True
    )
    return Page(
        width=200,
        height=100,
        blocks=(Block.from_lines([line]), Block.from_lines([second])),
        backend="tesseract",
        languages=("en", "ko"),
    )


def test_format_tables():
    assert WRITE_FORMATS == ("text", "json", "hocr", "alto", "page-xml", "tsv")
    assert set(READ_FORMATS) == {"json", "hocr", "alto", "page-xml", "tsv", "gcv"}


@pytest.mark.parametrize("fmt", [f for f in WRITE_FORMATS if f != "text"])
def test_every_written_format_reads_back_with_sniffing(fmt):
    page = sample_page()
    text = dumps(page, fmt)
    assert formats.sniff_format(text) == fmt
    back = loads(text)
    assert back.text == page.text
    assert [w.text for w in back.words] == ["Hello", "안녕<&>", "world"]
    assert back.width == 200 and back.height == 100
    # bytes in, too
    assert loads(text.encode("utf-8"), fmt).text == page.text


def test_text_format_is_page_text():
    page = sample_page()
    assert dumps(page, "text") == page.text
    assert dumps(page, "TXT") == page.text  # aliases, any case
    assert page.to_text() == page.text


def test_page_methods_delegate_to_formats():
    page = sample_page()
    assert page.to_hocr() == dumps(page, "hocr")
    assert page.to_tsv() == dumps(page, "tsv")
    assert loads(page.to_alto()).text == page.text
    assert loads(page.to_page_xml()).text == page.text


def test_unknown_format_names_fail_with_the_choices():
    with pytest.raises(FormatError, match="choose one of: text, json"):
        dumps(sample_page(), "pdf")
    with pytest.raises(FormatError, match="cannot read format 'text'"):
        loads("hello", "text")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("out.txt", "text"),
        ("out.json", "json"),
        ("out.hocr", "hocr"),
        ("OUT.HTML", "hocr"),
        ("page.alto.xml", "alto"),
        ("x.page.xml", "page-xml"),
        ("x.tsv", "tsv"),
        (Path("dir.v1/result.hocr"), "hocr"),
    ],
)
def test_infer_format_from_suffix(name, fmt):
    assert infer_format(name) == fmt


def test_infer_format_refuses_ambiguous_and_unknown_suffixes():
    with pytest.raises(FormatError, match=r"\.alto\.xml or \*\.page\.xml"):
        infer_format("result.xml")
    with pytest.raises(FormatError, match="cannot infer"):
        infer_format("result.pdf")


def test_save_infers_format_and_load_sniffs(tmp_path):
    page = sample_page()
    for name in ("a.hocr", "a.alto.xml", "a.page.xml", "a.tsv", "a.json"):
        path = tmp_path / name
        save(page, path)
        assert load(path).text == page.text
        assert load(str(path)).text == page.text
    # explicit format overrides the suffix; .xml is sniffed on reading
    save(page, tmp_path / "b.xml", format="alto")
    assert (tmp_path / "b.xml").read_text(encoding="utf-8").count("<String ") == 3
    assert load(tmp_path / "b.xml").text == page.text
    page.save(tmp_path / "c.txt")
    assert (tmp_path / "c.txt").read_text(encoding="utf-8") == page.text + "\n"


def test_load_accepts_documents_and_file_objects():
    page = sample_page()
    text = dumps(page, "page-xml")
    assert load(text).text == page.text
    assert load(text.encode()).text == page.text
    assert load(io.BytesIO(text.encode())).text == page.text
    assert load(io.StringIO(dumps(page, "tsv"))).text == page.text


def test_load_missing_file_names_it(tmp_path):
    missing = tmp_path / "nope.hocr"
    with pytest.raises(FormatError, match="no such file"):
        load(missing)
    with pytest.raises(FormatError, match="is a directory"):
        load(tmp_path)


def test_load_error_names_the_file(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<alto><Layout>", encoding="utf-8")
    with pytest.raises(FormatError, match=r"bad\.xml") as info:
        load(bad)
    assert info.value.item == str(bad)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty input"),
        ("   \n", "empty input"),
        ("just some words", "cannot tell the format"),
        ('{"foo": 1}', "neither a unocr page"),
        ("<svg xmlns='http://www.w3.org/2000/svg'/>", "root element 'svg'"),
    ],
)
def test_sniffing_rejects_unknown_content(content, message):
    with pytest.raises(FormatError, match=message):
        loads(content)


def test_sniffing_sees_past_prolog_and_comments():
    alto = dumps(sample_page(), "alto")
    head, body = alto.split("\n", 1)
    doc = f"{head}\n<!-- made by hand -->\n<?xml-stylesheet href='x.xsl'?>\n{body}"
    assert formats.sniff_format(doc) == "alto"
    assert formats.sniff_format("\ufeff" + dumps(sample_page(), "tsv")) == "tsv"
    headerless = dumps(sample_page(), "tsv").split("\n", 1)[1]
    assert formats.sniff_format(headerless) == "tsv"
    assert loads(headerless).text == sample_page().text


def test_gcv_response_loads_through_formats(fixtures_dir):
    path = fixtures_dir / "gcv" / "document.response.json"
    page = load(path)
    assert page.backend == "gcv"
    assert (page.width, page.height) == (1279, 932)
    data = json.loads(path.read_text(encoding="utf-8"))
    (gcv_page,) = data["fullTextAnnotation"]["pages"]
    words = [
        w
        for block in gcv_page["blocks"]
        for par in block["paragraphs"]
        for w in par["words"]
    ]
    assert len(page.words) == len(words)
    first = "".join(s["text"] for s in words[0]["symbols"])
    assert page.words[0].text == first


@pytest.mark.parametrize("key", ["full_text_annotation", "text_annotations"])
def test_a_snake_case_gcv_response_is_sniffed(key):
    """The keys of AnnotateImageResponse.to_dict(), the client library's dict form."""
    assert formats.sniff_format(json.dumps({"face_annotations": [], key: []})) == "gcv"


def test_the_client_librarys_own_dict_of_a_response_loads(fixtures_dir, tmp_path):
    vision = pytest.importorskip("google.cloud.vision_v1")
    path = fixtures_dir / "gcv" / "document.response.json"
    message = vision.AnnotateImageResponse.from_json(
        path.read_text(encoding="utf-8"), ignore_unknown_fields=True
    )
    snake = json.dumps(vision.AnnotateImageResponse.to_dict(message))
    saved = tmp_path / "response.json"
    saved.write_text(snake, encoding="utf-8")
    assert loads(snake) == loads(snake, format="gcv")
    assert load(saved) == load(path)


def test_loads_rejects_non_text_input():
    with pytest.raises(FormatError, match="str or bytes"):
        loads(123)  # type: ignore[arg-type]


def test_cli_convert_to_stdout_and_file(tmp_path, capsys):
    src = tmp_path / "in.hocr"
    save(sample_page(), src)
    assert main(["convert", str(src), "--to", "tsv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("level\tpage_num")
    assert loads(out).text == sample_page().text

    dest = tmp_path / "out.page.xml"
    assert main(["convert", str(src), "--output", str(dest)]) == 0
    assert load(dest).text == sample_page().text


def test_cli_convert_errors_are_one_line(tmp_path, capsys):
    src = tmp_path / "in.tsv"
    save(sample_page(), src)
    assert main(["convert", str(src)]) == 2  # a usage error
    err = capsys.readouterr().err
    assert err.startswith("usage: unocr convert")
    assert "unocr convert: error: no output format" in err
    # the formats it names are the ones --to takes (not the retired "page")
    assert "(text, json, hocr, alto, page-xml, tsv)" in err
    (tmp_path / "words.txt").write_text("just some words", encoding="utf-8")
    assert main(["convert", str(tmp_path / "words.txt"), "--to", "json"]) == 1
    assert "--from on the command line" in capsys.readouterr().err
    assert main(["convert", str(tmp_path / "missing.hocr"), "--to", "json"]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["convert", str(src), "--to", "pdf"]) == 2  # argparse usage error


def test_cli_convert_reads_stdin(tmp_path):
    tsv = dumps(sample_page(), "tsv")
    proc = subprocess.run(
        [sys.executable, "-m", "unocr", "convert", "-", "--to", "json"],
        input=tsv.encode(),
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["schema"] == "unocr.page/1"


def test_lxml_is_imported_lazily():
    code = (
        "import sys, unocr, unocr.formats, unocr.draw\n"
        "from unocr.formats import dumps\n"
        "from unocr.geometry import Box\n"
        "from unocr.model import Page, Word\n"
        "p = Page.from_words([Word(text='a', geometry=Box(0, 0, 1, 1))], width=2, height=2)\n"
        "dumps(p, 'tsv'); dumps(p, 'json'); dumps(p, 'text')\n"
        "assert 'lxml' not in sys.modules, 'lxml imported'\n"
        "dumps(p, 'alto')\n"
        "assert 'lxml' in sys.modules\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr

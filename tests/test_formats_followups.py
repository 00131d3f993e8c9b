"""Saved engine output reads as the engine's page.

A TSV file ``tesseract IMAGE OUT tsv`` writes gives, through ``unocr.load``,
the page the Tesseract backend gives (lines and blocks take their words' mean
confidence, as Tesseract gives them none), while a TSV unocr wrote keeps the
confidences its parent rows hold. A blank image's Cloud Vision response,
``{}``, reads as an empty page wherever input is sniffed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import unocr
from unocr.cli import main
from unocr.errors import FormatError
from unocr.formats import dumps, load, loads, sniff_format
from unocr.formats.tsv import page_from_tsv
from unocr.geometry import Box
from unocr.model import Block, Line, Page, Word

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PHOTOTEST = FIXTURES / "tesseract" / "phototest.tif"


@pytest.fixture
def tesseract_tsv(tesseract_outputs: dict[str, Path]) -> Path:
    """Tesseract's own TSV of its test page, as ``tesseract IMAGE OUT tsv`` saves it."""
    return tesseract_outputs["tsv"]


def _levels(page: Page) -> list[list[tuple[str, float | None]]]:
    """Text and confidence of every block, line and word, level by level."""
    return [
        [(x.text, x.confidence) for x in elements]
        for elements in (page.blocks, page.lines, page.words)
    ]


# ------------------------------------------- a saved Tesseract TSV is the backend's
def test_saved_tesseract_tsv_gives_the_backends_page(tesseract_tsv: Path) -> None:
    engine = unocr.read(PHOTOTEST, backend="tesseract", languages="en")
    loaded = load(tesseract_tsv)
    assert loaded.lines[0].confidence is not None
    assert _levels(loaded) == _levels(engine)
    assert [x.geometry for x in loaded.lines] == [x.geometry for x in engine.lines]
    # What a file does not record, the engine's language, is passed to page_from_tsv.
    text = tesseract_tsv.read_text(encoding="utf-8")
    assert loaded.blocks == page_from_tsv(text).blocks
    given = page_from_tsv(text, language="en")
    assert given.blocks == engine.blocks
    assert loaded.words[0].language is None and engine.words[0].language == "en"


def test_unocr_written_tsv_keeps_its_parent_confidences() -> None:
    words = [
        Word(text="Hello", geometry=Box(10, 10, 60, 30), confidence=0.9),
        Word(text="world", geometry=Box(70, 10, 130, 30), confidence=0.8),
    ]
    line = Line.from_words(words).replace(confidence=0.5)
    other = Line.from_words(
        [Word(text="there", geometry=Box(10, 40, 60, 60), confidence=0.7)]
    ).replace(confidence=None)
    block = Block.from_lines([line, other]).replace(confidence=0.25)
    page = Page.from_blocks([block], width=200, height=100)
    tsv = dumps(page, "tsv")
    for read in (loads(tsv), page_from_tsv(tsv)):
        assert [x.confidence for x in read.lines] == [0.5, None]
        assert read.blocks[0].confidence == 0.25
        assert [w.confidence for w in read.words] == [0.9, 0.8, 0.7]


# ------------------------------------------- a blank image's Cloud Vision response
@pytest.mark.parametrize("data", ["{}", " { }\n", b"{}", b"\xef\xbb\xbf{}\n"])
def test_an_empty_json_object_is_a_cloud_vision_response(
    data: str | bytes,
) -> None:
    assert sniff_format(data) == "gcv"
    for page in (loads(data), load(data)):
        assert (page.width, page.height, page.blocks) == (0, 0, ())
        assert page.backend == "gcv"


def test_an_empty_response_file_loads_and_converts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "response.json"
    src.write_text("{}\n", encoding="utf-8")
    assert load(src).width == 0
    assert main(["convert", str(src), "--to", "text"]) == 0
    out = tmp_path / "page.json"
    assert main(["convert", str(src), "-o", str(out)]) == 0
    assert load(out).backend == "gcv"
    capsys.readouterr()


@pytest.mark.parametrize("data", ['{"foo": 1}', "[]", "[{}]"])
def test_other_json_is_still_refused(data: str) -> None:
    with pytest.raises(FormatError, match="neither a unocr page"):
        loads(data)


@pytest.mark.parametrize("kind", ["gcv", "json"])
def test_text_with_a_byte_order_mark_loads_as_its_bytes_do(kind):
    """A str keeping its byte-order mark (read with encoding="utf-8") loads."""
    from unocr.formats import dumps, loads
    from unocr.model import Page

    if kind == "gcv":
        text = '{"responses": [{}]}'
    else:
        text = dumps(Page(width=10, height=5), "json")
    assert loads("\ufeff" + text) == loads(("\ufeff" + text).encode("utf-8"))


@pytest.mark.parametrize("label", ["ISO-8859-1", "us-ascii", "windows-1252"])
def test_html_hocr_labelled_latin1_reads_as_windows_1252(label):
    """HTML reads a Latin-1 or ASCII label as windows-1252, as browsers do."""
    from unocr.formats import loads

    html = (
        '<html><head><meta http-equiv="Content-Type" '
        f'content="text/html; charset={label}"></head><body>'
        "<div class=ocr_page title='bbox 0 0 300 50'>"
        "<span class='ocr_line' title='bbox 0 0 300 40'>"
        "<span class='ocrx_word' title='bbox 1 1 200 30'>\u201cna\u00efve\u201d\u2014\u20ac5"
        "</span></span></div></body></html>"
    )
    data = html.encode("cp1252")
    assert loads(data, "hocr").text == "\u201cna\u00efve\u201d\u2014\u20ac5"
    # a byte windows-1252 leaves undefined stays its C1 character
    odd = data.replace("\u20ac".encode("cp1252"), b"\x81")
    assert loads(odd, "hocr").words[0].text.endswith("\x815")


@pytest.mark.parametrize(
    "data",
    [
        # a lone surrogate inside the XML declaration of a text (str) input
        '<?xml version="1.0" encoding="\ud800"?><html><body></body></html>',
        # UTF-7 decodes to lone surrogates too
        b'<html><head><meta charset="utf-7"></head><body>+2AA-</body></html>',
    ],
    ids=["str-declaration", "utf-7"],
)
def test_hocr_holding_a_lone_surrogate_is_a_format_error(data: str | bytes) -> None:
    with pytest.raises(FormatError, match="surrogate"):
        loads(data, "hocr")

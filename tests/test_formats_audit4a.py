"""Multi-page hOCR/ALTO of mixed pages, ALTO margins, parents that enclose, hOCR numbers.

- pages that differ in languages, backend or file name are one hOCR or ALTO
  document, and each reads back with its own;
- ALTO's margins are read in reading order: running head, body, footer;
- hOCR and ALTO lines and blocks enclose their words and take their mean
  confidence as TSV's do (the same Tesseract run reads alike from each);
- ``nan`` in an hOCR box is a ``FormatError``;
- hOCR writes no symbol it cannot hold.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from unocr.errors import FormatError
from unocr.formats import dumps, dumps_pages, load, loads, loads_pages
from unocr.geometry import Box
from unocr.model import Page, Source, Symbol, Word

SCHEMAS = Path(__file__).resolve().parent / "fixtures" / "formats" / "schemas"
ALTO_XSD = etree.XMLSchema(etree.parse(str(SCHEMAS / "alto-4-4.xsd")))
ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
XHTML = "http://www.w3.org/1999/xhtml"


def _page(text: str, **changes: object) -> Page:
    word = Word(text=text, geometry=Box(10, 10, 60, 30), confidence=0.9)
    return Page.from_words([word], width=100, height=50).replace(**changes)


def _meta(page: Page) -> tuple[object, ...]:
    source = page.source
    return (
        page.backend,
        page.languages,
        None if source is None else (source.name, source.index),
    )


# ------------------------------------------------- 1. multi-page, mixed pages
MIXED = [
    # scanned, OCR'd by Tesseract in English
    _page("one", backend="tesseract", languages=("en",), source=Source("a.png")),
    # a PDF's text layer: no engine, no languages
    _page("two", source=Source("book.pdf", index=1, method="text-layer")),
    # another engine, two languages, another page of the PDF
    _page("three", backend="gcv", languages=("en", "de"), source=Source("book.pdf", 2)),
    # in memory: no file name
    _page("four", backend="tesseract", languages=("de",), source=Source("<bytes>")),
]


@pytest.mark.parametrize("fmt", ["hocr", "alto"])
def test_pages_differing_in_languages_backend_and_file_are_one_document(fmt):
    text = dumps_pages(MIXED, fmt)  # refused before: "states one backend"
    if fmt == "alto":
        assert ALTO_XSD.validate(etree.fromstring(text.encode())), ALTO_XSD.error_log
    back = loads_pages(text)
    assert [_meta(p) for p in back] == [
        ("tesseract", ("en",), ("a.png", 0)),
        (None, (), ("book.pdf", 1)),
        ("gcv", ("en", "de"), ("book.pdf", 2)),
        ("tesseract", ("de",), None),
    ]
    # each page reads back as its own one-page file does
    for page, got in zip(MIXED, back, strict=True):
        assert got == loads(dumps(page, fmt), fmt)


@pytest.mark.parametrize("fmt", ["hocr", "alto"])
def test_pages_that_agree_are_written_as_before(fmt):
    """One engine, languages and file: the document states them once."""
    doc = [_page(t, backend="tesseract", languages=("en",)) for t in ("a", "b")]
    doc = [p.replace(source=Source("scan.tif", i)) for i, p in enumerate(doc)]
    text = dumps_pages(doc, fmt)
    if fmt == "hocr":
        assert "x_ocr" not in text
        assert 'name="ocr-system" content="unocr tesseract"' in text
    else:
        assert text.count("<Processing ") == 1 and "PROCESSINGREFS" not in text
        assert "<fileName>scan.tif</fileName>" in text
    assert [_meta(p) for p in loads_pages(text)] == [
        ("tesseract", ("en",), ("scan.tif", 0)),
        ("tesseract", ("en",), ("scan.tif", 1)),
    ]


def test_hocr_states_the_union_and_each_page_that_differs():
    text = dumps_pages(MIXED, "hocr")
    root = etree.fromstring(text.encode())
    metas = {m.get("name"): m.get("content") for m in root.iter(f"{{{XHTML}}}meta")}
    assert metas["ocr-langs"] == "en de"  # every language the engine considered
    assert metas["ocr-system"] == "unocr"  # several engines: none named here
    titles = [el.get("title") for el in root.iter() if el.get("class") == "ocr_page"]
    assert 'x_ocr_system "unocr tesseract"' in titles[0]
    assert "x_ocr_langs en;" in titles[0] + ";"
    assert "x_ocr_system" not in titles[1]  # no engine: as the document says
    assert titles[1].rstrip().endswith("x_ocr_langs")  # none of the union


def test_alto_names_each_pages_processing_and_file():
    root = etree.fromstring(dumps_pages(MIXED, "alto").encode())
    q = f"{{{ALTO_NS}}}"
    steps = {p.get("ID"): p for p in root.iter(f"{q}Processing")}
    pages = list(root.iter(f"{q}Page"))
    assert root.find(f"{q}Description/{q}sourceImageInformation") is None
    settings = [
        steps[p.get("PROCESSINGREFS")].findtext(f"{q}processingStepSettings")
        for p in pages
    ]
    assert settings == [
        "backend=tesseract; languages=en; file=a.png",
        "file=book.pdf",
        "backend=gcv; languages=en,de; file=book.pdf",
        "backend=tesseract; languages=de",
    ]


def test_alto_file_names_with_separators_read_back():
    names = ["a; b=c.png", "100% scan .tif", " x.png"]
    doc = [_page(n, source=Source(n)) for n in names]
    back = loads_pages(dumps_pages(doc, "alto"))
    assert [p.source.name for p in back] == names


def _tesseract_pages(tmp_path: Path, snippet: Image.Image) -> Path:
    """Tesseract's own hOCR of three images: text, a blank page, text."""
    exe = shutil.which("tesseract")
    if exe is None:
        pytest.skip(
            "the tesseract binary is not installed (apt-get install tesseract-ocr)"
        )
    files = []
    for name, image in (
        ("first.png", snippet),
        ("blank.png", Image.new("RGB", snippet.size, "white")),
        ("last.png", snippet.crop((0, 0, 600, 45))),
    ):
        image.save(tmp_path / name)
        files.append(str(tmp_path / name))
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(files) + "\n", encoding="utf-8")
    subprocess.run(
        [exe, str(listing), str(tmp_path / "book"), "-l", "eng", "hocr"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return tmp_path / "book.hocr"


def test_tesseract_hocr_with_a_blank_page_and_several_files_converts(tmp_path, snippet):
    """``unocr convert book.hocr --to hocr|alto`` keeps every page's own."""
    from unocr.cli import main

    book = _tesseract_pages(tmp_path, snippet)
    pages = loads_pages(book.read_bytes())
    want = [
        ("tesseract", ("en",), (str(tmp_path / "first.png"), 0)),
        ("tesseract", (), (str(tmp_path / "blank.png"), 1)),
        ("tesseract", ("en",), (str(tmp_path / "last.png"), 2)),
    ]
    assert [_meta(p) for p in pages] == want
    for fmt, suffix in (("hocr", ".hocr"), ("alto", ".alto.xml")):
        out = tmp_path / f"out{suffix}"
        assert main(["convert", str(book), "--to", fmt, "-o", str(out)]) == 0
        back = loads_pages(out.read_bytes())
        assert [_meta(p) for p in back] == want
        assert [p.text for p in back] == [p.text for p in pages]


# --------------------------------------------------------- 2. ALTO margins
def _alto_block(ident: str, y: int, text: str) -> str:
    box = f'HPOS="100" VPOS="{y}" WIDTH="800" HEIGHT="40"'
    return (
        f'<TextBlock ID="{ident}" {box}><TextLine ID="{ident}_l" {box}>'
        f'<String ID="{ident}_s" {box} CONTENT="{text}"/></TextLine></TextBlock>'
    )


def test_alto_margins_are_read_head_first_body_then_footer():
    def space(tag: str, y: int, height: int, blocks: str) -> str:
        box = f'HPOS="0" VPOS="{y}" WIDTH="1000" HEIGHT="{height}"'
        return f'<{tag} ID="{tag}" {box}>{blocks}</{tag}>'

    # the schema's order: TopMargin, LeftMargin, RightMargin, BottomMargin, PrintSpace
    doc = (
        f'<alto xmlns="{ALTO_NS}"><Description><MeasurementUnit>pixel'
        "</MeasurementUnit></Description><Layout>"
        '<Page ID="p1" WIDTH="1000" HEIGHT="1400" PHYSICAL_IMG_NR="1">'
        + space("TopMargin", 0, 100, _alto_block("h", 30, "Head"))
        + space("LeftMargin", 100, 1200, _alto_block("l", 500, "Left-note"))
        + space("RightMargin", 100, 1200, _alto_block("r", 600, "Right-note"))
        + space("BottomMargin", 1300, 100, _alto_block("f", 1330, "Footer"))
        + space(
            "PrintSpace",
            100,
            1200,
            _alto_block("b1", 200, "Body-first") + _alto_block("b2", 300, "Body-2"),
        )
        + "</Page></Layout></alto>"
    )
    assert ALTO_XSD.validate(etree.fromstring(doc.encode())), ALTO_XSD.error_log
    assert loads(doc).text.split("\n\n") == [
        "Head",
        "Left-note",
        "Body-first",
        "Body-2",
        "Right-note",
        "Footer",
    ]


# ------------------------------------------ 3. parents enclose, take the mean
_TSV_HEAD = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\t"
    "left\ttop\twidth\theight\tconf\ttext\n"
)
# One Tesseract-like result: the first word reaches above and below its line.
_TSV = _TSV_HEAD + "".join(
    "\t".join(map(str, row)) + "\n"
    for row in (
        (1, 1, 0, 0, 0, 0, 0, 0, 400, 200, -1, ""),
        (2, 1, 1, 0, 0, 0, 10, 15, 290, 20, -1, ""),
        (3, 1, 1, 1, 0, 0, 10, 15, 290, 20, -1, ""),
        (4, 1, 1, 1, 1, 0, 10, 15, 290, 20, -1, ""),
        (5, 1, 1, 1, 1, 1, 10, 10, 90, 30, 90, "Tall"),
        (5, 1, 1, 1, 1, 2, 110, 15, 190, 20, 80, "word"),
    )
)
_HOCR = f"""<html xmlns="{XHTML}"><head>
<meta name="ocr-system" content="tesseract 5.3.0"/></head><body>
<div class="ocr_page" title="bbox 0 0 400 200">
 <div class="ocr_carea" title="bbox 10 15 300 35">
  <p class="ocr_par" lang="eng" title="bbox 10 15 300 35">
   <span class="ocr_line" title="bbox 10 15 300 35; baseline 0 -6; x_size 20">
    <span class="ocrx_word" title="bbox 10 10 100 40; x_wconf 90">Tall</span>
    <span class="ocrx_word" title="bbox 110 15 300 35; x_wconf 80">word</span>
   </span></p></div></div></body></html>"""
_ALTO = f"""<alto xmlns="{ALTO_NS}"><Description><MeasurementUnit>pixel
</MeasurementUnit></Description><Layout>
<Page ID="p" WIDTH="400" HEIGHT="200" PHYSICAL_IMG_NR="1"><PrintSpace>
 <TextBlock ID="b" HPOS="10" VPOS="15" WIDTH="290" HEIGHT="20">
  <TextLine ID="l" HPOS="10" VPOS="15" WIDTH="290" HEIGHT="20">
   <String ID="w1" HPOS="10" VPOS="10" WIDTH="90" HEIGHT="30" WC="0.9" CONTENT="Tall"/>
   <SP/>
   <String ID="w2" HPOS="110" VPOS="15" WIDTH="190" HEIGHT="20" WC="0.8" CONTENT="word"/>
  </TextLine></TextBlock></PrintSpace></Page></Layout></alto>"""


def _parents(page: Page) -> list[tuple[str, Box, float | None]]:
    return [
        (type(el).__name__, el.geometry.bounds, el.confidence)
        for el in (*page.blocks, *page.lines)
    ]


@pytest.mark.parametrize("doc", [_HOCR, _ALTO], ids=["hocr", "alto"])
def test_lines_and_blocks_read_as_tsv_reads_them(doc):
    tsv = loads(_TSV, "tsv")
    assert _parents(tsv) == [
        ("Block", Box(10, 10, 300, 40), pytest.approx(0.85)),
        ("Line", Box(10, 10, 300, 40), pytest.approx(0.85)),
    ]
    page = loads(doc)
    assert page.text == tsv.text
    assert _parents(page) == _parents(tsv)
    assert all(el.native for el in (*page.blocks, *page.lines))


def _encloses(parent: object, child: object) -> bool:
    p, c = parent.geometry.bounds, child.geometry.bounds  # type: ignore[attr-defined]
    return p.x0 <= c.x0 and p.y0 <= c.y0 and c.x1 <= p.x1 and c.y1 <= p.y1


@pytest.mark.parametrize("fmt", ["hocr", "alto"])
def test_tesseracts_own_files_read_as_its_tsv(tesseract_outputs, fmt):
    """The one Tesseract run: its hOCR and ALTO give TSV's lines and blocks."""
    tsv, page = load(tesseract_outputs["tsv"]), load(tesseract_outputs[fmt])
    assert page.text == tsv.text
    for ours, theirs in (
        (page.lines, tsv.lines),
        (page.blocks, tsv.blocks),
    ):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            assert a.geometry.bounds == b.geometry.bounds
            # Tesseract cuts the words' confidences there (whole %, 2 decimals)
            assert a.confidence == pytest.approx(b.confidence, abs=0.01)
    assert all(_encloses(line, w) for line in page.lines for w in line.words)
    assert all(_encloses(b, line) for b in page.blocks for line in b.lines)


def test_hocr_lines_and_blocks_with_a_confidence_keep_their_own():
    """unocr writes x_wconf on lines and paragraphs: those come back as written."""
    page = _page("one", languages=("en",))
    block = page.blocks[0]
    line = block.lines[0].replace(confidence=0.25)
    page = page.replace(blocks=(block.replace(lines=(line,), confidence=None),))
    back = loads(dumps(page, "hocr"))
    assert back.lines[0].confidence == pytest.approx(0.25)
    assert back.blocks[0].confidence is None  # the file tells: no own value


def test_a_parent_with_a_polygon_keeps_its_shape_when_it_encloses_its_words():
    from unocr.geometry import Quad

    quad = Quad([(0, 5), (70, 0), (75, 40), (5, 45)])
    page = _page("x")
    block = page.blocks[0]
    line = block.lines[0].replace(geometry=quad)
    page = page.replace(blocks=(block.replace(lines=(line,), geometry=quad),))
    for fmt in ("hocr", "alto"):
        back = loads(dumps(page, fmt))
        assert type(back.lines[0].geometry) is Quad
        assert back.lines[0].geometry.bounds == quad.bounds


# ------------------------------------------------------- 4. nan in hOCR boxes
_NAN_DOC = (
    f"<html xmlns='{XHTML}'><body><div class='ocr_page' title='bbox {{page}}'>"
    "<span class='ocr_line' title='bbox 10 10 60 30'>"
    "<span class='ocrx_word' title='bbox {word}; x_wconf 90'>"
    "<span class='ocrx_cinfo' title='x_bboxes {sym}'>h</span>"
    "<span class='ocrx_cinfo' title='x_bboxes 35 10 60 30'>i</span>"
    "</span></span></div></body></html>"
)
_OK = {"page": "0 0 100 100", "word": "10 10 60 30", "sym": "10 10 35 30"}


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("page", "0 0 nan 100"),
        ("word", "10 10 nan 30"),
        ("word", "10 10 60 inf"),
        ("sym", "10 10 35 nan"),
        ("sym", "10 10 1e309 30"),
    ],
)
def test_hocr_boxes_with_numbers_that_are_not_finite_are_format_errors(field, bad):
    """Refused where read, the message naming the property (not a 0-wide box)."""
    assert loads(_NAN_DOC.format(**_OK)).words[0].text == "hi"
    key = "x_bboxes" if field == "sym" else "bbox"
    with pytest.raises(FormatError, match=f"hOCR {key}: expected a finite number"):
        loads(_NAN_DOC.format(**{**_OK, field: bad}))


def test_hocr_poly_with_nan_is_a_format_error():
    doc = _NAN_DOC.format(**_OK).replace(
        "bbox 10 10 60 30; x_wconf", "poly 10 10 60 10 60 nan 10 30; x_wconf"
    )
    with pytest.raises(FormatError, match="hOCR poly: expected a finite number"):
        loads(doc)


# ---------------------------------------------- 5. symbols hOCR cannot hold
def test_xml_formats_write_no_symbol_that_xml_cannot_hold():
    word = Word(
        text="a\x0cb",
        geometry=Box(0, 0, 30, 10),
        confidence=0.9,
        symbols=(
            Symbol("a", Box(0, 0, 10, 10)),
            Symbol("\x0c", Box(10, 0, 20, 10)),
            Symbol("b", Box(20, 0, 30, 10)),
        ),
    )
    page = Page.from_words([word], width=100, height=20)
    assert "Glyph" not in dumps(page, "page-xml")
    for fmt in ("hocr", "alto", "page-xml"):  # one rule: formats._text.symbols_fit
        back = loads(dumps(page, fmt), fmt).words[0]
        assert (back.text, back.symbols) == ("ab", ()), fmt

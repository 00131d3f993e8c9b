"""Specific cases per format: structure written, edge cases, other producers."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from lxml import etree

from unocr.backends.tesseract.convert import page_from_tsv
from unocr.errors import FormatError
from unocr.formats import dumps, loads
from unocr.formats.hocr import parse_title
from unocr.geometry import Box, Mask, Polygon, Quad, RotatedBox
from unocr.languages import parse_language
from unocr.model import Block, Line, Page, Symbol, Word

SCHEMAS = Path(__file__).parent / "fixtures" / "formats" / "schemas"
XHTML = {"h": "http://www.w3.org/1999/xhtml"}
ALTO = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}
PAGE = {"p": "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"}
XML_FORMATS = ("hocr", "alto", "page-xml")


def validate(doc: str, xsd: str) -> None:
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / xsd)))
    assert schema.validate(etree.fromstring(doc.encode())), schema.error_log


def page_of(*lines: Line, **kw) -> Page:
    return Page(
        width=kw.pop("width", 400),
        height=kw.pop("height", 200),
        blocks=(Block.from_lines(lines, native=True),),
        **kw,
    )


def w(text, x0, y0, x1, y1, **kw) -> Word:
    return Word(text=text, geometry=Box(x0, y0, x1, y1), **kw)


def mixed_page() -> Page:
    words = [
        w("Hello", 10, 10, 60, 30, confidence=0.95, language="en"),
        Word(
            text="안녕",
            geometry=Quad([[70, 10], [120, 14], [118, 34], [68, 30]]),
            confidence=0.5,
            language="ko",
        ),
        Word(
            text="مرحبا",
            geometry=Polygon([[130, 10], [170, 10], [175, 20], [170, 30], [130, 30]]),
            language="ar",
        ),
        Word(text="rot", geometry=RotatedBox(200, 20, 30, 10, 20), confidence=0.0),
        Word(
            text="m",
            geometry=Mask(np.array([[0, 1, 1], [1, 1, 1]], bool), origin=(250, 12)),
        ),
    ]
    return page_of(
        Line.from_words(words, native=True),
        backend="rapidocr",
        languages=("en", "ko", "ar"),
    )


# ---------------------------------------------------------------------- hOCR
def test_hocr_structure_follows_the_spec():
    doc = dumps(mixed_page(), "hocr")
    root = etree.fromstring(doc.encode())
    assert root.tag == "{http://www.w3.org/1999/xhtml}html"

    def cls(name):
        return root.xpath(f"//h:*[@class='{name}']", namespaces=XHTML)

    (page_el,) = cls("ocr_page")
    assert parse_title(page_el.get("title"))["bbox"] == ["0", "0", "400", "200"]
    assert len(cls("ocr_carea")) == len(cls("ocr_par")) == 1
    assert cls("ocr_par")[0].tag.endswith("}p")
    assert len(cls("ocr_line")) == 1
    words = cls("ocrx_word")
    assert ["".join(x.itertext()) for x in words] == [
        "Hello",
        "안녕",
        "مرحبا",
        "rot",
        "m",
    ]
    props = [parse_title(x.get("title")) for x in words]
    assert props[0]["x_wconf"] == ["95"] and "poly" not in props[0]
    assert props[1]["poly"] == ["70", "10", "120", "14", "118", "34", "68", "30"]
    assert props[1]["bbox"] == ["68", "10", "120", "34"]
    assert "poly" in props[2] and "poly" in props[3] and "poly" in props[4]
    assert props[3]["x_wconf"] == ["0"]
    assert "x_wconf" not in props[2]
    assert words[2].get("dir") == "rtl"
    # lang only where it differs from the parent's (here: no common language)
    assert [x.get("lang") for x in words] == ["en", "ko", "ar", None, None]
    metas = {m.get("name"): m.get("content") for m in root.iterfind(".//h:meta", XHTML)}
    assert metas["ocr-system"] == "unocr rapidocr"
    assert metas["ocr-langs"] == "en ko ar"
    assert "ocrp_poly" in metas["ocr-capabilities"]
    assert doc.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html')


def test_hocr_symbols_become_ocrx_cinfo():
    symbols = tuple(
        Symbol(text=c, geometry=Box(10 + 10 * i, 10, 20 + 10 * i, 30), confidence=0.875)
        for i, c in enumerate("ab")
    )
    page = page_of(Line.from_words([w("ab", 10, 10, 30, 30, symbols=symbols)]))
    root = etree.fromstring(dumps(page, "hocr").encode())
    cinfo = root.xpath("//h:span[@class='ocrx_cinfo']", namespaces=XHTML)
    assert [c.text for c in cinfo] == ["a", "b"]
    assert parse_title(cinfo[1].get("title")) == {
        "x_bboxes": ["20", "10", "30", "30"],
        "x_confs": ["87.5"],
    }
    back = loads(dumps(page, "hocr"))
    assert [(s.text, s.confidence) for s in back.symbols] == [
        ("a", 0.875),
        ("b", 0.875),
    ]


def test_symbols_that_do_not_spell_the_word_are_left_out_of_hocr_and_alto():
    sym = Symbol(text="fi", geometry=Box(10, 10, 30, 30))  # a ligature
    page = page_of(Line.from_words([w("fi", 10, 10, 30, 30, symbols=(sym,))]))
    assert [s.text for s in loads(dumps(page, "hocr")).symbols] == ["fi"]
    assert loads(dumps(page, "alto")).symbols == ()  # ALTO glyphs are 1 character
    assert [s.text for s in loads(dumps(page, "page-xml")).symbols] == ["fi"]
    odd = Symbol(text="x", geometry=Box(10, 10, 30, 30))
    page = page_of(Line.from_words([w("ab", 10, 10, 30, 30, symbols=(odd,))]))
    back = loads(dumps(page, "hocr"))
    assert back.words[0].text == "ab" and back.symbols == ()


def test_parse_title_handles_quoted_values():
    props = parse_title('image "/a; b.png"; bbox 0 0 10 20; ppageno 3')
    assert props == {
        "image": ['"/a; b.png"'],
        "bbox": ["0", "0", "10", "20"],
        "ppageno": ["3"],
    }


def test_hocr_words_outside_lines_get_synthesised_lines():
    doc = (
        "<html xmlns='http://www.w3.org/1999/xhtml'><body>"
        "<div class='ocr_page' title='bbox 0 0 300 100'>"
        "<span class='ocrx_word' title='bbox 60 10 100 30; x_wconf 80'>two</span>"
        "<span class='ocrx_word' title='bbox 10 10 50 30; x_wconf 70'>one</span>"
        "<span class='ocrx_word' title='bbox 10 60 50 80'>three</span>"
        "</div></body></html>"
    )
    page = loads(doc)
    assert [line.text for line in page.lines] == ["one two", "three"]
    assert all(not line.native for line in page.lines)
    assert all(not block.native for block in page.blocks)
    assert page.words[0].confidence == 0.7
    assert page.backend is None


def test_hocr_with_several_pages_is_refused():
    one = "<div class='ocr_page' title='bbox 0 0 10 10'></div>"
    with pytest.raises(FormatError, match="2 pages"):
        loads(f"<html><body>{one}{one}</body></html>", "hocr")


def test_hocr_negative_coordinates_are_clamped():
    page = page_of(Line.from_words([w("a", -5, -3, 10, 10)]))
    back = loads(dumps(page, "hocr"))
    assert back.words[0].geometry == Box(0, 0, 10, 10)


# ---------------------------------------------------------------------- ALTO
def test_alto_structure_and_schema():
    doc = dumps(mixed_page(), "alto")
    validate(doc, "alto-4-4.xsd")
    root = etree.fromstring(doc.encode())
    strings = root.findall(".//a:String", ALTO)
    assert [s.get("CONTENT") for s in strings] == ["Hello", "안녕", "مرحبا", "rot", "m"]
    assert strings[0].get("WC") == "0.95" and strings[3].get("WC") == "0"
    assert strings[2].get("WC") is None
    assert strings[0].find("a:Shape", ALTO) is None
    poly = strings[1].find("a:Shape/a:Polygon", ALTO)
    assert poly.get("POINTS") == "70,10 120,14 118,34 68,30"
    assert [s.get("LANG") for s in strings] == ["en", "ko", "ar", None, None]
    assert len(root.findall(".//a:SP", ALTO)) == 4
    (line,) = root.findall(".//a:TextLine", ALTO)
    assert line.get("BASEDIRECTION") is None  # first strong character is Latin
    settings = root.findtext(".//a:processingStepSettings", namespaces=ALTO)
    assert settings == "backend=rapidocr; languages=en,ko,ar"


def test_alto_keeps_negative_and_fractional_coordinates():
    page = page_of(Line.from_words([w("a", -5.25, 3.5, 10.125, 10)]))
    validate(dumps(page, "alto"), "alto-4-4.xsd")
    b = loads(dumps(page, "alto")).words[0].geometry
    assert (b.x0, b.y0, b.y1) == (-5.25, 3.5, 10)
    assert b.x1 == pytest.approx(10.12, abs=0.006)


def test_alto_from_other_producers():
    doc = """<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#">
 <Description><MeasurementUnit>pixel</MeasurementUnit></Description>
 <Layout><Page ID="p1" WIDTH="500" HEIGHT="300" PHYSICAL_IMG_NR="1" LANG="de">
  <PrintSpace><ComposedBlock ID="c1"><TextBlock ID="b1" HPOS="10" VPOS="10" WIDTH="300"
   HEIGHT="40"><TextLine ID="l1" HPOS="10" VPOS="10" WIDTH="300" HEIGHT="40">
    <String ID="s1" HPOS="10" VPOS="10" WIDTH="100" HEIGHT="40" CONTENT="Auf" WC="0.5">
     <Shape><Polygon POINTS="10 10 110 12 110 50 10 48"/></Shape>
     <Glyph ID="g1" CONTENT="A" GC="0.9" HPOS="10" VPOS="10" WIDTH="30" HEIGHT="40"/>
    </String><SP/>
    <String ID="s2" HPOS="120" VPOS="10" WIDTH="100" HEIGHT="40" CONTENT="klä" LANG="fr"/>
    <HYP CONTENT="-"/>
   </TextLine></TextBlock></ComposedBlock></PrintSpace></Page></Layout></alto>"""
    page = loads(doc)
    assert page.text == "Auf klä-"
    first, second = page.words
    assert isinstance(first.geometry, Quad)
    assert first.symbols[0].text == "A" and first.symbols[0].confidence == 0.9
    assert (first.language, second.language) == ("de", "fr")  # page LANG inherited
    assert page.blocks[0].language == "de"
    assert page.backend is None


def test_alto_with_several_pages_is_refused():
    page_el = '<Page ID="p{}" WIDTH="1" HEIGHT="1" PHYSICAL_IMG_NR="1"/>'
    doc = (
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout>'
        + page_el.format(1)
        + page_el.format(2)
        + "</Layout></alto>"
    )
    with pytest.raises(FormatError, match="2 pages"):
        loads(doc)


# ------------------------------------------------------------------ PAGE-XML
def test_page_xml_structure_and_schema():
    doc = dumps(mixed_page(), "page-xml")
    validate(doc, "pagecontent-2019-07-15.xsd")
    root = etree.fromstring(doc.encode())
    words = root.findall(".//p:Word", PAGE)
    assert [x.get("language") for x in words] == [
        "English",
        "Korean",
        "Arabic",
        None,
        None,
    ]
    assert words[2].get("readingDirection") == "right-to-left"
    coords = [x.find("p:Coords", PAGE).get("points") for x in words]
    assert coords[0] == "10,10 60,10 60,30 10,30"
    assert coords[1] == "70,10 120,14 118,34 68,30"
    assert len(coords[4].split()) == 6  # the mask's outline, not its box
    equivs = [x.find("p:TextEquiv", PAGE) for x in words]
    assert [e.get("conf") for e in equivs] == ["0.95", "0.5", None, "0", None]
    assert equivs[1].findtext("p:Unicode", namespaces=PAGE) == "안녕"
    region = root.find(".//p:TextRegion", PAGE)
    ref = root.find(".//p:ReadingOrder/p:OrderedGroup/p:RegionRefIndexed", PAGE)
    assert ref.get("regionRef") == region.get("id")


def test_page_xml_negative_coordinates_are_clamped():
    page = page_of(Line.from_words([w("a", -5, -3, 10, 10)]))
    doc = dumps(page, "page-xml")
    validate(doc, "pagecontent-2019-07-15.xsd")
    assert loads(doc).words[0].geometry == Box(0, 0, 10, 10)


def test_page_xml_2010_points_nested_regions_and_reading_order():
    ns = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2010-03-19"
    doc = f"""<PcGts xmlns="{ns}"><Page imageFilename="x.png" imageWidth="300"
  imageHeight="200" primaryLanguage="French">
 <ReadingOrder><OrderedGroup id="g"><RegionRefIndexed index="1" regionRef="r1"/>
  <RegionRefIndexed index="0" regionRef="r2"/></OrderedGroup></ReadingOrder>
 <TextRegion id="r1"><Coords><Point x="10" y="10"/><Point x="100" y="10"/>
  <Point x="100" y="40"/><Point x="10" y="40"/></Coords>
  <TextLine id="l1"><Coords><Point x="10" y="10"/><Point x="100" y="10"/>
   <Point x="100" y="40"/><Point x="10" y="40"/></Coords>
   <TextEquiv><Unicode>second</Unicode></TextEquiv></TextLine>
  <TextRegion id="r3" primaryLanguage="German"><Coords><Point x="10" y="50"/>
   <Point x="100" y="50"/><Point x="100" y="80"/><Point x="10" y="80"/></Coords>
   <TextLine id="l3"><Coords><Point x="10" y="50"/><Point x="100" y="50"/>
    <Point x="100" y="80"/><Point x="10" y="80"/></Coords>
    <TextEquiv index="2"><Unicode>wrong</Unicode></TextEquiv>
    <TextEquiv index="1" conf="0.7"><Unicode>nested</Unicode></TextEquiv></TextLine>
  </TextRegion></TextRegion>
 <TextRegion id="r2"><Coords><Point x="10" y="100"/><Point x="100" y="100"/>
  <Point x="100" y="140"/></Coords><TextLine id="l2"><Coords><Point x="10" y="100"/>
  <Point x="100" y="100"/><Point x="100" y="140"/></Coords>
  <TextEquiv><Unicode>first</Unicode></TextEquiv></TextLine></TextRegion>
</Page></PcGts>"""
    page = loads(doc)
    assert [b.text for b in page.blocks] == ["first", "second", "nested"]
    assert page.lines[2].confidence == 0.7
    assert [line.language for line in page.lines] == ["fr", "fr", "de"]
    # a line transcribed without words gets one (synthesised) word
    assert [wd.native for wd in page.words] == [False, False, False]
    assert isinstance(page.blocks[0].geometry, Polygon)  # a triangle
    assert page.languages == ("fr",)


def test_page_xml_unicode_with_markup_inside_reads_all_its_text():
    ns = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
    coords = '<Coords points="10,10 100,10 100,40 10,40"/>'
    doc = f"""<PcGts xmlns="{ns}"><Page imageFilename="x.png" imageWidth="300"
  imageHeight="200"><TextRegion id="r">{coords}<TextLine id="l">{coords}
  <Word id="w1">{coords}<TextEquiv><Unicode>ab<!-- a note -->cd</Unicode></TextEquiv></Word>
  <Word id="w2">{coords}<TextEquiv><Unicode><x:i xmlns:x="urn:x">e</x:i>f</Unicode></TextEquiv></Word>
  <Word id="w3">{coords}<TextEquiv><Unicode>gh</Unicode></TextEquiv></Word>
  <Word id="w4">{coords}<TextEquiv><Unicode/></TextEquiv></Word>
  </TextLine></TextRegion></Page></PcGts>"""
    page = loads(doc)
    # w4 has a shape and no text: kept, adding nothing to its line's text
    assert [wd.text for wd in page.words] == ["abcd", "ef", "gh", ""]
    assert page.lines[0].text == "abcd ef gh"


# ----------------------------------------------------------------------- TSV
def test_tsv_drops_blank_words_and_empty_blocks():
    rows = [
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
        "1\t1\t0\t0\t0\t0\t0\t0\t100\t50\t-1\t",
        "2\t1\t1\t0\t0\t0\t0\t0\t100\t10\t-1\t",  # a picture: no lines
        "2\t1\t2\t0\t0\t0\t5\t5\t50\t20\t-1\t",
        "3\t1\t2\t1\t0\t0\t5\t5\t50\t20\t-1\t",
        "4\t1\t2\t1\t1\t0\t5\t5\t50\t20\t-1\t",
        "5\t1\t2\t1\t1\t1\t5\t5\t20\t20\t95.5\tHi",
        "5\t1\t2\t1\t1\t2\t30\t5\t20\t20\t-1\t ",
    ]
    page = loads("\r\n".join(rows) + "\r\n")
    assert page.text == "Hi"
    # Tesseract's -1 on every parent row: the block takes its words' mean
    assert len(page.blocks) == 1
    assert page.blocks[0].confidence == pytest.approx(0.955)
    assert page.words[0].confidence == pytest.approx(0.955)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tx"], "no page row"),
        (
            [
                "1\t1\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t",
                "5\t1\t1\t1\t1\tx\t0\t0\t1\t1\t9\ta",
            ],
            "integers",
        ),
        (["1\t1\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t", "5\t1\t1\t1"], "12 tab-separated"),
        (["1\t2\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t"], "several pages"),
        (
            [
                "1\t1\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t",
                "7\t1\t0\t0\t0\t0\t0\t0\t1\t1\t-1\t",
            ],
            "level 7",
        ),
        (["1\t1\t0\t0\t0\t0\t0\t0\t10\t10\tnan\t"], "not finite"),
    ],
)
def test_tsv_errors(rows, message):
    with pytest.raises(FormatError, match=message):
        loads("\n".join(rows), "tsv")


def test_tsv_reads_as_the_tesseract_backend_does():
    rows = [
        "1\t1\t0\t0\t0\t0\t0\t0\t300\t200\t-1\t",
        "2\t1\t1\t0\t0\t0\t10\t40\t100\t30\t-1\t",
        "3\t1\t1\t1\t0\t0\t10\t40\t100\t30\t-1\t",
        "4\t1\t1\t1\t1\t0\t10\t40\t100\t14\t-1\t",
        "5\t1\t1\t1\t1\t1\t10\t36\t40\t20\t90\tHi",  # above its line
        "5\t1\t1\t1\t1\t2\t60\t40\t40\t14\t-1\tthere",
    ]
    tsv = "\n".join(rows) + "\n"
    page = loads(tsv, "tsv")
    # A parent's box encloses its children: Tesseract's line box grows.
    assert page.lines[0].geometry == Box(10, 36, 110, 56)
    assert page.blocks[0].geometry == Box(10, 36, 110, 70)
    assert [w.confidence for w in page.words] == [pytest.approx(0.9), None]
    engine = page_from_tsv(tsv)
    assert [(w.text, w.geometry) for w in page.words] == [
        (w.text, w.geometry) for w in engine.words
    ]
    assert [x.geometry for x in page.lines] == [x.geometry for x in engine.lines]
    # Tesseract's -1 on every parent row: the words' mean, as the backend gives
    assert page.lines[0].confidence == pytest.approx(0.9)
    assert engine.lines[0].confidence == pytest.approx(0.9)


def test_tsv_replaces_tabs_and_newlines_in_words():
    page = page_of(Line.from_words([w("a\tb", 0, 0, 10, 10)]))
    tsv = dumps(page, "tsv")
    assert tsv.splitlines()[-1].endswith("\ta b")


# ------------------------------------------------------------- every format
SCHEMA_OF = {"alto": "alto-4-4.xsd", "page-xml": "pagecontent-2019-07-15.xsd"}


def validate_if_schema(doc: str, fmt: str) -> None:
    """Validate an ALTO or PAGE document against its schema (others pass)."""
    if fmt in SCHEMA_OF:
        validate(doc, SCHEMA_OF[fmt])


def line_without_words() -> Page:
    line = Line(
        text="only a line",
        geometry=Quad([[10, 10], [90, 14], [89, 34], [9, 30]]),
        confidence=0.8,
    )
    return page_of(line)


@pytest.mark.parametrize("fmt", ["hocr", "alto", "page-xml", "tsv", "json"])
def test_a_line_without_words_keeps_its_text(fmt):
    page = line_without_words()
    back = loads(dumps(page, fmt))
    assert back.text == "only a line"
    validate_if_schema(dumps(page, fmt), fmt)


@pytest.mark.parametrize("fmt", ["hocr", "alto", "page-xml", "tsv", "json"])
def test_an_empty_page_round_trips(fmt):
    page = Page(width=640, height=480)
    back = loads(dumps(page, fmt))
    assert (back.width, back.height, back.blocks) == (640, 480, ())
    validate_if_schema(dumps(page, fmt), fmt)


@pytest.mark.parametrize("fmt", ["hocr", "alto", "page-xml", "tsv", "json"])
def test_unicode_xml_specials_and_rtl_survive(fmt):
    texts = ["한국어", "<tag>", "&amp;", "\"'", "עִברִית", "العربية", "😀", "a\u0364"]
    words = [w(t, 10 + 40 * i, 10, 45 + 40 * i, 30) for i, t in enumerate(texts)]
    page = page_of(Line.from_words(words, native=True), width=400)
    back = loads(dumps(page, fmt))
    assert [x.text for x in back.words] == texts
    assert back.text == page.text


def test_rtl_lines_are_marked_in_alto_and_page():
    page = page_of(
        Line.from_words([w("שלום", 10, 10, 50, 30), w("עולם", 60, 10, 100, 30)])
    )
    alto = etree.fromstring(dumps(page, "alto").encode())
    assert alto.find(".//a:TextLine", ALTO).get("BASEDIRECTION") == "rtl"
    page_xml = etree.fromstring(dumps(page, "page-xml").encode())
    assert (
        page_xml.find(".//p:TextLine", PAGE).get("readingDirection") == "right-to-left"
    )
    hocr = dumps(page, "hocr")
    assert re.search(r'class="ocr_par"[^>]*dir="rtl"', hocr)


@pytest.mark.parametrize(
    ("code", "iso"),
    [
        ("eng", "en"),
        ("kor", "ko"),
        ("chi_sim", "zh-Hans"),
        ("deu", "de"),
        ("ger", "de"),
        ("frk", "de-Latf"),
        ("en", "en"),
        ("pt-BR", "pt-BR"),
        ("osd", None),
        ("", None),
        ("12", None),
        (None, None),
    ],
)
def test_language_codes_from_files_are_normalised(code, iso):
    assert parse_language(code) == iso


def test_hocr_other_line_classes_and_areas_without_paragraphs():
    doc = """<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta name="ocr-system" content="kraken 4.3"/></head><body>
<div class="ocr_page" title="image &quot;x.png&quot;; bbox 0 0 500 300">
 <div class="ocr_carea" title="bbox 10 10 400 60" lang="de">
  <span class="ocr_header" title="bbox 10 10 400 30">
   <span class="ocrx_word" title="bbox 10 10 100 30; x_wconf 91.5">Titel</span></span>
  <span class="ocrx_line" title="bbox 10 35 400 60; baseline 0 -5">
   <span class="ocrx_word" title="bbox 10 35 100 60" lang="en">Line</span></span>
 </div>
 <div class="ocr_carea" title="bbox 10 100 400 160">
  <span class="ocr_caption" title="bbox 10 100 400 160; textangle 90">
   <span class="ocrx_word" title="bbox 10 100 100 160">Caption</span></span>
 </div>
</div></body></html>"""
    page = loads(doc)
    assert [b.text for b in page.blocks] == ["Titel\nLine", "Caption"]
    assert page.blocks[0].geometry == Box(10, 10, 400, 60)
    assert [wd.language for wd in page.words] == ["de", "en", None]
    assert page.words[0].confidence == pytest.approx(0.915)
    assert page.backend is None  # not a unocr or Tesseract file
    assert page.languages == ("de", "en")


def test_gcv_batch_wrapper_is_sniffed(fixtures_dir):
    import json

    response = json.loads((fixtures_dir / "gcv" / "document.response.json").read_text())
    wrapped = json.dumps({"responses": [response]})
    assert len(loads(wrapped).words) == len(loads(json.dumps(response)).words) > 100

"""Reading rules the formats share: no partial page, strict numbers, one class test.

Damaged hOCR is refused rather than read in part, the HTML fallback decodes
text as the file declares it, page numbers are parsed strictly, JSON is told
apart whatever its key order, PAGE-XML takes words' text where a line's is
empty, ``max_depth=None`` lifts the depth limit, written languages are valid
codes, and ``unocr convert`` writes JSON as a file and on standard output alike.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from unocr.cli import main
from unocr.errors import FormatError
from unocr.formats import dumps, dumps_pages, load, loads, loads_pages
from unocr.geometry import Box
from unocr.model import Block, EngineUse, Line, Page, Provenance, Word

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SCHEMAS = FIXTURES / "formats" / "schemas"
DOCS = Path(__file__).resolve().parents[1] / "docs"
ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"
PAGE_NS = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
OVER_10_MB = 11_000_000


def hocr_word(i: int, text: str, title: str = "") -> str:
    return (
        f"<span class='ocrx_word' title='bbox {i * 10} 0 {i * 10 + 8} 10{title}'>"
        f"{text}</span>"
    )


def hocr_doc(words: str, *, page_class: str = "ocr_page", head: str = "") -> str:
    return (
        f"<html><head><title>x</title>{head}</head><body>"
        f"<div class='{page_class}' title='bbox 0 0 1000 100'>"
        f"<span class='ocr_line' title='bbox 0 0 1000 10'>{words}</span>"
        "</div></body></html>"
    )


@pytest.fixture(scope="module")
def tesseract_hocr(tmp_path_factory) -> bytes:
    """Tesseract's hOCR of its own test page."""
    exe = shutil.which("tesseract")
    if exe is None:
        pytest.skip(
            "the tesseract binary is not installed (apt-get install tesseract-ocr)"
        )
    out = tmp_path_factory.mktemp("tesseract") / "phototest"
    image = FIXTURES / "tesseract" / "phototest.tif"
    subprocess.run(
        [exe, str(image), str(out), "-l", "eng", "hocr"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out.with_suffix(".hocr").read_bytes()


# ------------------------------------------------------- damaged hOCR is refused
@pytest.mark.parametrize("fraction", [0.2, 0.5, 0.7, 0.9, 0.99])
def test_truncated_tesseract_hocr_is_refused(tesseract_hocr, fraction):
    assert len(loads(tesseract_hocr).words) > 50
    cut = tesseract_hocr[: int(len(tesseract_hocr) * fraction)]
    with pytest.raises(FormatError, match="cut short"):
        loads(cut)


@pytest.mark.parametrize("marker", [b"title='bbox", b"<span class='ocrx_word'", b"'>"])
def test_hocr_cut_inside_a_tag_is_refused(tesseract_hocr, marker):
    end = tesseract_hocr.index(marker, len(tesseract_hocr) // 2) + len(marker)
    with pytest.raises(FormatError, match="cut short"):
        loads(tesseract_hocr[:end])


def test_multi_page_hocr_cut_between_pages_is_refused():
    page = Page.from_words(
        [Word(text="hi", geometry=Box(0, 0, 10, 10))], width=20, height=20
    )
    text = dumps_pages([page, page], "hocr")
    second = text.index("<div", text.index("page_2") - 40)
    for end in (second, second + 20):  # after the first page; inside the next tag
        with pytest.raises(FormatError, match="cut short"):
            loads_pages(text[:end])


def test_html_hocr_cut_short_is_refused():
    doc = hocr_doc(
        hocr_word(0, "one&nbsp;two") + hocr_word(1, "three"),
        head="<meta charset=utf-8>",
    )
    assert [w.text for w in loads(doc).words] == ["one\xa0two", "three"]
    with pytest.raises(FormatError, match="cut short"):
        loads(doc[: doc.index("three")])
    with pytest.raises(FormatError, match="cut short"):  # inside a tag
        loads(doc[: doc.index("</body>")] + "<div class=ocr_page title='bb")


@pytest.mark.parametrize("html", [False, True])
def test_hocr_attribute_over_libxml2_limit_is_refused(html):
    words = (
        hocr_word(0, "before")
        + hocr_word(1, "big", "; x_note " + "x" * OVER_10_MB)
        + hocr_word(2, "after")
    )
    doc = hocr_doc(words, head="<meta charset=utf-8>" if html else "")
    with pytest.raises(FormatError, match="size limits"):
        loads(doc)


def test_html_hocr_text_over_libxml2_limit_is_refused():
    words = hocr_word(0, "y" * OVER_10_MB) + hocr_word(1, "after")
    doc = hocr_doc(words, head="<meta charset=utf-8>")
    with pytest.raises(FormatError, match="size limits"):
        loads(doc)


def test_html_hocr_with_a_nul_reads_it_as_html_does():
    """U+FFFD, as HTML reads NUL (libxml2's push parser would stall there)."""
    doc = hocr_doc(hocr_word(0, "a\x00b"), head="<meta charset=utf-8>")
    assert loads(doc).words[0].text == "a\ufffdb"


def test_real_world_html_hocr_is_still_read():
    """Unclosed <meta>/<br>, unknown tags, stray end tags, no </body></html>."""
    doc = (
        "<!DOCTYPE html><html><head><meta charset=utf-8>"
        "<meta name=ocr-system content='some engine'><link rel=x></head><body>"
        "<div class=ocr_page title='bbox 0 0 100 50'><ocrx_note>n</ocrx_note>"
        "<span class=ocr_line title='bbox 1 2 60 20'>"
        "<span class=ocrx_word title='bbox 1 2 20 20'>caf&eacute;<br></span></p>"
        "<span class=ocrx_word title='bbox 30 2 60 20'>AT&T</span>"
        "</span></div>"
    )
    assert [w.text for w in loads(doc, "hocr").words] == ["café", "AT&T"]


# ------------------------------------------------- the HTML fallback's encoding
BODY = (
    "<body><div class=ocr_page title='bbox 0 0 100 100'>"
    "<span class=ocr_line title='bbox 0 0 50 10'>"
    "<span class=ocrx_word title='bbox 0 0 50 10'>Größe&nbsp;café 한국</span>"
    "</span></div></body></html>"
)


@pytest.mark.parametrize(
    "head",
    ["", "<meta charset=utf-8>", "<meta http-equiv=Content-Type content='text/html'>"],
)
def test_html_hocr_is_utf8_unless_declared(head):
    doc = f"<html><head><title>x</title>{head}</head>{BODY}"
    assert loads(doc).words[0].text == "Größe\xa0café 한국"  # str stays text
    assert loads(doc.encode("utf-8")).words[0].text == "Größe\xa0café 한국"


def test_html_hocr_honours_a_declared_charset():
    head = (
        "<html><head><meta http-equiv='Content-Type' "
        "content='text/html;charset=iso-8859-1'></head>"
    )
    doc = head + BODY.replace(" 한국", "")
    assert loads(doc.encode("latin-1")).words[0].text == "Größe\xa0café"
    assert loads(doc).words[0].text == "Größe\xa0café"  # text: already decoded
    koi8 = "<html><head><meta charset='koi8-r'></head>" + BODY.replace(
        "Größe&nbsp;café 한국", "Привет"
    )
    assert loads(koi8.encode("koi8-r")).words[0].text == "Привет"


def test_html_hocr_not_in_its_encoding_is_an_error():
    doc = ("<html><head></head>" + BODY.replace(" 한국", "")).encode("latin-1")
    with pytest.raises(FormatError, match="not valid utf-8"):
        loads(doc)


# --------------------------------------------------------- page numbers, strictly
HOCR_PAGE = (
    "<html><body><div class='ocr_page' title='image \"a.png\"; bbox 0 0 100 100; "
    "ppageno {}'><span class='ocr_line' title='bbox 0 0 10 10'>"
    "<span class='ocrx_word' title='bbox 0 0 10 10'>hi</span></span></div></body></html>"
)
PAGE_XML = (
    f'<PcGts xmlns="{PAGE_NS}"><Metadata><MetadataItem name="unocr-page-index" '
    'value="{}"/></Metadata><Page imageFilename="a.png" imageWidth="100" '
    'imageHeight="100"/></PcGts>'
)


@pytest.mark.parametrize("doc", [HOCR_PAGE, PAGE_XML], ids=["hocr", "page-xml"])
@pytest.mark.parametrize("value", ["²", "9" * 5000, "-1", "1e3", "٣"])
def test_page_index_that_is_not_a_whole_number_is_a_format_error(doc, value):
    with pytest.raises(FormatError, match="page index"):
        loads(doc.replace("{}", value))


@pytest.mark.parametrize("doc", [HOCR_PAGE, PAGE_XML], ids=["hocr", "page-xml"])
def test_page_index_is_read(doc):
    page = loads(doc.replace("{}", "7"))
    assert page.source is not None
    assert page.source.index == 7


def test_convert_reports_a_bad_page_index_in_one_line(tmp_path, capsys):
    src = tmp_path / "x.hocr"
    src.write_text(HOCR_PAGE.replace("{}", "²"), encoding="utf-8")
    assert main(["convert", str(src), "--to", "text"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("unocr: error:") and "ppageno" in err


# ------------------------------------------------------- JSON of any key order
def test_json_with_sorted_keys_over_64_kib_is_recognised(tmp_path):
    words = [
        Word(
            text=f"w{i}",
            geometry=Box(
                10 * (i % 50), 20 * (i // 50), 10 * (i % 50) + 8, 20 * (i // 50) + 15
            ),
        )
        for i in range(1000)
    ]
    page = Page.from_words(words, width=600, height=500)
    text = json.dumps(page.to_dict(), sort_keys=True)
    assert text.find('"schema"') > 1 << 16
    assert loads(text) == page
    path = tmp_path / "sorted.json"
    path.write_text(text, encoding="utf-8")
    assert load(path) == page
    assert main(["convert", str(path), "--to", "text"]) == 0


def test_json_that_is_no_ocr_result_is_still_refused():
    with pytest.raises(FormatError, match="neither a unocr page"):
        loads(json.dumps({"a": ["x" * 70_000], "b": 1}))


# ------------------------------------------------- PAGE-XML: empty TextEquiv
def test_page_xml_empty_text_equiv_takes_the_words_text():
    doc = f"""<PcGts xmlns="{PAGE_NS}">
<Page imageFilename="a.png" imageWidth="200" imageHeight="100">
 <TextRegion id="r1"><Coords points="0,0 200,0 200,50 0,50"/>
  <TextLine id="l1"><Coords points="0,0 200,0 200,20 0,20"/>
   <Word id="w1"><Coords points="0,0 50,0 50,20 0,20"/>
    <TextEquiv><Unicode>Hello</Unicode></TextEquiv></Word>
   <Word id="w2"><Coords points="60,0 120,0 120,20 60,20"/>
    <Glyph id="g1"><Coords points="60,0 90,0 90,20 60,20"/>
     <TextEquiv><Unicode>w</Unicode></TextEquiv></Glyph>
    <Glyph id="g2"><Coords points="90,0 120,0 120,20 90,20"/>
     <TextEquiv><Unicode>o</Unicode></TextEquiv></Glyph>
    <TextEquiv><Unicode/></TextEquiv></Word>
   <TextEquiv><Unicode></Unicode></TextEquiv>
  </TextLine>
  <TextEquiv><Unicode>  </Unicode></TextEquiv>
 </TextRegion>
</Page></PcGts>"""
    page = loads(doc)
    assert [w.text for w in page.words] == ["Hello", "wo"]
    assert page.lines[0].text == "Hello wo"
    assert page.blocks[0].text == "Hello wo"
    assert dumps(page, "text") == "Hello wo"


# ------------------------------------------------ hOCR pages by their class list
def test_multi_page_hocr_with_several_classes_on_its_pages():
    page = (
        "<div class='ocr_page hocr-page' title='bbox 0 0 100 100; ppageno {n}'>"
        "<span class='ocr_line' title='bbox 0 0 50 10'>"
        "<span class='ocrx_word' title='bbox 0 0 50 10'>page{n}</span></span></div>"
    )
    doc = (
        "<html xmlns='http://www.w3.org/1999/xhtml'><head><title/></head><body>"
        + page.format(n=0)
        + page.format(n=1)
        + "</body></html>"
    )
    assert [p.text for p in loads_pages(doc)] == ["page0", "page1"]


# --------------------------------------------------------------- max_depth=None
def deep_alto(depth: int, extra: str = "") -> str:
    return (
        f'<alto xmlns="{ALTO_NS}"><Layout><Page WIDTH="100" HEIGHT="100"><PrintSpace>'
        + "<ComposedBlock>" * depth
        + '<TextBlock><TextLine><String CONTENT="hi" HPOS="0" VPOS="0" WIDTH="10" '
        f'HEIGHT="10"/></TextLine></TextBlock>{extra}'
        + "</ComposedBlock>" * depth
        + "</PrintSpace></Page></Layout></alto>"
    )


@pytest.mark.parametrize("max_depth", [None, 1000])
def test_max_depth_none_or_above_libxml2s_lifts_the_depth_limit(max_depth):
    assert loads(deep_alto(300), max_depth=max_depth).text == "hi"


@pytest.mark.parametrize("depth", [400, 1500])
def test_deep_hocr_reads_with_max_depth_none(depth):
    nest = "<span>" * depth + "deep" + "</span>" * depth
    assert loads(hocr_doc(hocr_word(0, nest)), max_depth=None).text == "deep"
    html = hocr_doc(hocr_word(0, nest + "&nbsp;er"))
    assert loads(html, max_depth=None).text == "deep\xa0er"


def test_deep_alto_and_page_xml_read_with_max_depth_none():
    assert loads(deep_alto(1500), max_depth=None).text == "hi"
    groups = 1500
    order = (
        "<ReadingOrder>"
        + "<OrderedGroup id='g'>" * groups
        + "<RegionRefIndexed index='0' regionRef='r1'/>"
        + "</OrderedGroup>" * groups
        + "</ReadingOrder>"
    )
    doc = (
        f'<PcGts xmlns="{PAGE_NS}"><Page imageFilename="a.png" imageWidth="200" '
        f'imageHeight="100">{order}<TextRegion id="r1"><Coords points="0,0 9,0 9,9 0,9"/>'
        '<TextLine id="l1"><Coords points="0,0 9,0 9,9 0,9"/>'
        "<TextEquiv><Unicode>x</Unicode></TextEquiv></TextLine></TextRegion></Page></PcGts>"
    )
    assert loads(doc, max_depth=None).text == "x"


def test_too_deep_names_the_depth_found():
    with pytest.raises(FormatError) as info:
        loads(deep_alto(300), max_depth=250)
    message = str(info.value)
    found = int(re.search(r"at least (\d+)", message).group(1))  # type: ignore[union-attr]
    assert "more than 250 deep" in message and found > 250


def test_deeper_than_libxml2_reads_is_named():
    try:
        loads(deep_alto(5000), max_depth=None)
    except FormatError as exc:  # libxml2's own cap (2048 levels since 2.14)
        assert "None" not in str(exc) and "at least 0" not in str(exc)
        assert "libxml2" in str(exc)


@pytest.mark.parametrize("fmt", ["alto", "hocr"])
def test_max_depth_none_keeps_the_10_mb_text_limit(fmt):
    big = "y" * OVER_10_MB
    doc = deep_alto(1, f"<Tags>{big}</Tags>") if fmt == "alto" else hocr_doc(big)
    with pytest.raises(FormatError, match="size limits"):
        loads(doc, max_depth=None)


def test_max_depth_none_keeps_the_attribute_limit():
    doc = hocr_doc(hocr_word(0, "a", "; x_note " + "x" * OVER_10_MB))
    with pytest.raises(FormatError, match="size limits"):
        loads(doc, max_depth=None)


# ------------------------------------------------------ written languages are valid
def one_word_page(language: str) -> Page:
    word = Word(text="Hallo", geometry=Box(0, 0, 40, 10), language=language)
    page = Page.from_blocks(
        [Block.from_lines([Line.from_words([word])])], width=50, height=20
    )
    return loads(page.to_json(), "json")  # JSON checks only that it is a str


LANGUAGES = [("de_DE", "de-DE"), ("chi_sim", "zh-Hans"), ("en US", None), ("12", None)]


@pytest.mark.parametrize(("language", "written"), LANGUAGES)
def test_alto_writes_valid_language_codes(language, written):
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "alto-4-4.xsd")))
    text = dumps(one_word_page(language), "alto")
    assert xsd.validate(etree.fromstring(text.encode())), xsd.error_log
    assert loads(text).words[0].language == written


@pytest.mark.parametrize(("language", "written"), LANGUAGES)
def test_hocr_and_page_xml_write_valid_language_codes(language, written):
    page = one_word_page(language)
    hocr = dumps(page, "hocr")
    assert loads(hocr).words[0].language == written
    for value in re.findall(r'lang="([^"]*)"', hocr):
        assert value == "" or re.fullmatch(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*", value)
    xsd = etree.XMLSchema(etree.parse(str(SCHEMAS / "pagecontent-2019-07-15.xsd")))
    text = dumps(page, "page-xml")
    assert xsd.validate(etree.fromstring(text.encode())), xsd.error_log
    assert loads(text).words[0].language == (written and written.split("-")[0])


# ------------------------------------------------------------- what JSON alone keeps
def test_docs_name_what_only_json_keeps():
    word = Word(
        text="Hi",
        geometry=Box(0, 0, 20, 10),
        provenance=Provenance(geometry="rapidocr", text="tesseract"),
    )
    page = Page.from_words([word], width=50, height=20).replace(
        engines=(EngineUse("rapidocr"),)
    )
    for fmt in ("hocr", "alto", "page-xml", "tsv"):
        back = loads(dumps(page, fmt), fmt)
        assert back.engines == () and back.words[0].provenance is None
    assert loads(dumps(page, "json")) == page
    text = (DOCS / "formats.md").read_text(encoding="utf-8")
    lost = text[text.index("What is lost, precisely") :]
    lost = lost[: lost.index("\n## ")]
    assert "`Page.engines`" in lost and "provenance" in lost


# --------------------------------------------------- unocr convert --to json
def test_convert_json_to_stdout_is_what_a_file_gets(tmp_path, capsys):
    one = Page.from_words(
        [Word(text="Hi", geometry=Box(0, 0, 20, 10))], width=50, height=20
    )
    for pages in ([one], [one, one]):
        src = tmp_path / "in.hocr"
        src.write_text(dumps_pages(pages, "hocr"), encoding="utf-8")
        out = tmp_path / "out.json"
        assert main(["convert", str(src), "-o", str(out)]) == 0
        assert main(["convert", str(src), "--to", "json"]) == 0
        stdout = capsys.readouterr().out
        assert stdout == out.read_text(encoding="utf-8")
        if len(pages) == 1:  # one page: one indented document, as unocr read writes
            assert stdout == dumps(loads(src.read_text()), "json") + "\n"
        else:  # several: JSON Lines
            assert len(stdout.splitlines()) == 2

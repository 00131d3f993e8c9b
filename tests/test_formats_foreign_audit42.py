"""Other tools' hOCR, ALTO and PAGE-XML: spaces, missing Coords, ALTO's ReadingOrder.

kraken writes every space between words as a word of its own (hOCR
``ocrx_word``, PAGE ``Word`` with a glyph ``" "``); a word whose text is
only white space is a space and is left out, while a word with no text at
all is layout, kept with text ``""``. PAGE-XML lines and regions that are
transcribed but have no usable ``Coords`` (Transkribus writes ``<Coords/>``)
keep their text. ALTO's ``ReadingOrder`` (4.2 and later, as kraken writes
it) orders blocks and lines as PAGE's orders regions. The files are built
here, in the shape of kraken's output templates and test files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from unocr import formats
from unocr.geometry import Box

from .page_xml_docs import coords, pcgts

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"


def _kraken(body: str, size: int = 1000) -> str:
    return pcgts(body, size, creator="kraken")


def _equiv(text: str, conf: str = "0.9") -> str:
    return f'<TextEquiv conf="{conf}"><Unicode>{text}</Unicode></TextEquiv>'


# ------------------------------------------------------------------ spaces
def _kraken_page_word(ident: str, x0: int, x1: int, text: str) -> str:
    width = (x1 - x0) // len(text)
    glyphs = "".join(
        f'<Glyph id="{ident}_{n}">{coords(x0 + n * width, 100, x0 + (n + 1) * width, 140)}'
        f"{_equiv(ch)}</Glyph>"
        for n, ch in enumerate(text)
    )
    return f'<Word id="{ident}">{coords(x0, 100, x1, 140)}{glyphs}{_equiv(text)}</Word>'


def test_page_xml_kraken_space_words_are_left_out() -> None:
    words = (
        _kraken_page_word("w0", 100, 200, "Hello")
        + _kraken_page_word("w1", 200, 220, " ")
        + _kraken_page_word("w2", 220, 320, "world")
    )
    doc = _kraken(
        f'<TextRegion id="r">{coords(90, 90, 500, 260)}'
        f'<TextLine id="l">{coords(100, 100, 320, 140)}'
        f'<Baseline points="100,132 320,132"/>{words}{_equiv("Hello world")}'
        "</TextLine></TextRegion>"
    )
    page = formats.loads(doc, "page-xml")
    assert [w.text for w in page.words] == ["Hello", "world"]
    assert [len(w.symbols) for w in page.words] == [5, 5]
    assert page.text == "Hello world"


def test_page_xml_empty_word_is_layout_white_space_word_is_not() -> None:
    def word(x: int, inner: str) -> str:
        return f'<Word id="w{x}">{coords(x, 10, x + 40, 40)}{inner}</Word>'

    line = (
        f'<TextLine id="l">{coords(0, 10, 400, 40)}'
        + word(0, _equiv("a"))
        + word(50, "<TextEquiv><Unicode/></TextEquiv>")  # read, nothing found
        + word(100, _equiv("\t"))  # white space: a space
        + word(150, f'<Glyph id="g">{coords(150, 10, 160, 40)}{_equiv(" ")}</Glyph>')
        + word(200, "")  # no TextEquiv at all: layout
        + word(
            250,
            f"{_equiv(' ')}<Glyph id='h'>{coords(250, 10, 260, 40)}{_equiv('b')}</Glyph>",
        )
        + "</TextLine>"
    )
    page = formats.loads(
        _kraken(f'<TextRegion id="r">{coords(0, 0, 400, 50)}{line}</TextRegion>'),
        "page-xml",
    )
    assert [(w.text, w.geometry.bounds.x0) for w in page.words] == [
        ("a", 0),
        ("", 50),
        ("", 200),
        ("b", 250),
    ]
    assert page.text == "a b"


def test_page_xml_white_space_line_and_region_are_left_out() -> None:
    doc = _kraken(
        f'<TextRegion id="r">{coords(0, 0, 400, 100)}'
        f'<TextLine id="a">{coords(0, 0, 400, 30)}{_equiv("x")}</TextLine>'
        f'<TextLine id="b">{coords(0, 30, 400, 60)}{_equiv(" ")}</TextLine>'
        f'<TextLine id="c">{coords(0, 60, 400, 90)}</TextLine></TextRegion>'
        f'<TextRegion id="s">{coords(0, 200, 400, 300)}{_equiv(" ")}</TextRegion>'
    )
    page = formats.loads(doc, "page-xml")
    assert len(page.blocks) == 1
    assert [ln.text for ln in page.lines] == ["x", ""]


def _hocr(system: str, body: str) -> str:
    return (
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title/>'
        f'<meta name="ocr-system" content="{system}"/></head><body>'
        f"<div class='ocr_page' title='bbox 0 0 1000 800'>{body}</div></body></html>"
    )


@pytest.mark.parametrize("system", ["kraken", "unocr 1.0"])
def test_hocr_kraken_space_words_are_left_out(system: str) -> None:
    def word(x0: int, x1: int, text: str) -> str:
        return (
            f"<span class='ocrx_word' title='bbox {x0} 100 {x1} 140; x_confs 0.9; "
            f"poly {x0} 100 {x1} 100 {x1} 140 {x0} 140'>{text}</span>"
        )

    doc = _hocr(
        system,
        "<div class='ocrx_block' title='bbox 90 90 500 260'>"
        "<span class='ocr_line' title='bbox 100 100 500 140'>"
        + word(100, 200, "Hello")
        + word(200, 220, "&#32;")
        + word(220, 320, "world")
        + word(320, 330, "&#160;")
        + word(330, 400, "")  # nothing read: layout
        + word(400, 500, "again")
        + "</span></div>",
    )
    page = formats.loads(doc, "hocr")
    assert [w.text for w in page.words] == ["Hello", "world", "", "again"]
    assert page.lines[0].text == "Hello world again"


def test_alto_white_space_string_is_left_out() -> None:
    doc = (
        f'<alto xmlns="{ALTO_NS}"><Layout><Page WIDTH="500" HEIGHT="500"><PrintSpace>'
        '<TextBlock HPOS="0" VPOS="0" WIDTH="400" HEIGHT="50">'
        '<TextLine HPOS="0" VPOS="0" WIDTH="400" HEIGHT="50">'
        '<String HPOS="0" VPOS="0" WIDTH="50" HEIGHT="50" CONTENT="a"/>'
        '<String HPOS="50" VPOS="0" WIDTH="10" HEIGHT="50" CONTENT=" "/>'
        '<String HPOS="60" VPOS="0" WIDTH="50" HEIGHT="50" CONTENT=""/>'
        '<SP HPOS="110" VPOS="0" WIDTH="10"/>'
        '<String HPOS="120" VPOS="0" WIDTH="50" HEIGHT="50" CONTENT="b"/>'
        "</TextLine></TextBlock></PrintSpace></Page></Layout></alto>"
    )
    page = formats.loads(doc, "alto")
    assert [(w.text, w.geometry.bounds.x0) for w in page.words] == [
        ("a", 0),
        ("", 60),
        ("b", 120),
    ]


# ---------------------------------------------------- PAGE without Coords
def _region(body: str) -> str:
    return _kraken(
        f'<TextRegion id="r1">{coords(0, 0, 500, 300)}'
        f'<TextLine id="l1">{coords(10, 10, 490, 140)}{_equiv("Line 1")}</TextLine>'
        f"{body}</TextRegion>"
    )


@pytest.mark.parametrize("coords", ["<Coords/>", '<Coords points=""/>', ""])
def test_page_xml_line_without_coords_takes_its_baseline(coords: str) -> None:
    page = formats.loads(
        _region(
            f'<TextLine id="l2">{coords}<Baseline points="10,270 250,268 490,270"/>'
            f"{_equiv('Line 2')}</TextLine>"
        ),
        "page-xml",
    )
    assert page.text == "Line 1\nLine 2"
    line = page.lines[1]
    assert line.geometry == Box(10, 268, 490, 270)
    assert [(w.text, w.geometry) for w in line.words] == [
        ("Line 2", Box(10, 268, 490, 270))
    ]


def test_page_xml_line_without_coords_or_baseline_takes_its_region() -> None:
    page = formats.loads(
        _region(
            f'<TextLine id="l2">{_equiv("Line 2")}</TextLine>'
            # neither text nor Coords (a Baseline is no Coords): left out
            '<TextLine id="l3"><Coords/><Baseline points="10,290 490,290"/></TextLine>'
        ),
        "page-xml",
    )
    assert page.text == "Line 1\nLine 2"
    assert [ln.text for ln in page.lines] == ["Line 1", "Line 2"]
    assert page.lines[1].geometry == Box(0, 0, 500, 300)


def test_page_xml_line_without_coords_encloses_baseline_and_words() -> None:
    words = (
        f'<Word id="a">{coords(20, 200, 100, 240)}{_equiv("Line")}</Word>'
        f'<Word id="b">{_equiv("2")}</Word>'  # no Coords: the line's
    )
    page = formats.loads(
        _region(
            f'<TextLine id="l2"><Coords/><Baseline points="10,230 300,230"/>'
            f"{words}</TextLine>"
        ),
        "page-xml",
    )
    line = page.lines[1]
    assert line.text == "Line 2"
    assert line.geometry == Box(10, 200, 300, 240)
    # The straight baseline grown around the placed word: never a flat box.
    assert [w.geometry for w in line.words] == [
        Box(20, 200, 100, 240),
        Box(10, 200, 300, 240),
    ]


def test_page_xml_region_without_coords_keeps_its_text() -> None:
    doc = _kraken(
        f'<TextRegion id="r"><Coords/>{_equiv("Region text")}</TextRegion>'
        '<TextRegion id="outer">' + coords(100, 100, 400, 400) + '<TextRegion id="in">'
        f"{_equiv('Inner text')}</TextRegion></TextRegion>"
        f'<TextRegion id="e"><Coords/></TextRegion>',
        size=500,
    )
    page = formats.loads(doc, "page-xml")
    assert [(b.text, b.geometry) for b in page.blocks] == [
        ("Region text", Box(0, 0, 500, 500)),  # the page's
        ("Inner text", Box(100, 100, 400, 400)),  # the enclosing region's
    ]
    assert [w.text for w in page.words] == ["Region text", "Inner text"]


# ------------------------------------------------------- ALTO ReadingOrder
def _alto(order: str, blocks: str) -> str:
    return (
        f'<alto xmlns="{ALTO_NS}"><Description><MeasurementUnit>pixel</MeasurementUnit>'
        f"</Description><ReadingOrder>{order}</ReadingOrder>"
        '<Layout><Page WIDTH="1000" HEIGHT="1000" ID="p"><PrintSpace>'
        f"{blocks}</PrintSpace></Page></Layout></alto>"
    )


def _block(ident: str, y: int, *lines: str) -> str:
    return (
        f'<TextBlock ID="{ident}" HPOS="0" VPOS="{y}" WIDTH="900" HEIGHT="90">'
        + "".join(
            f'<TextLine ID="{ident}_{n}" HPOS="0" VPOS="{y + 30 * n}" WIDTH="900" HEIGHT="30">'
            f'<String CONTENT="{text}" HPOS="0" VPOS="{y + 30 * n}" WIDTH="100" HEIGHT="30"/>'
            "</TextLine>"
            for n, text in enumerate(lines)
        )
        + "</TextBlock>"
    )


def _refs(*ids: str) -> str:
    return "".join(f'<ElementRef ID="o{n}" REF="{i}"/>' for n, i in enumerate(ids))


_BLOCKS = (
    _block("b1", 0, "one", "two")
    + _block("b2", 100, "three")
    + _block("b3", 200, "four", "five")
)


def test_alto_reading_order_of_blocks() -> None:
    page = formats.loads(
        _alto(f'<OrderedGroup ID="g">{_refs("b3", "b1")}</OrderedGroup>', _BLOCKS),
        "alto",
    )
    # b2 is not listed: after the listed ones
    assert [b.text for b in page.blocks] == ["four\nfive", "one\ntwo", "three"]


def test_alto_reading_order_of_lines_as_kraken_writes_it() -> None:
    order = f'<OrderedGroup ID="ro_0">{_refs("b3_1", "b3_0", "b2_0", "b1_0", "b1_1")}</OrderedGroup>'
    page = formats.loads(_alto(order, _BLOCKS), "alto")
    assert [b.text for b in page.blocks] == ["five\nfour", "three", "one\ntwo"]


def test_alto_reading_order_nested_groups_first_alternative() -> None:
    # kraken writes several line orders as an UnorderedGroup of OrderedGroups
    order = (
        "<UnorderedGroup>"
        f'<OrderedGroup ID="ro_1">{_refs("b2", "b3", "b1")}</OrderedGroup>'
        f'<OrderedGroup ID="ro_2">{_refs("b1", "b2", "b3")}</OrderedGroup>'
        "</UnorderedGroup>"
    )
    page = formats.loads(_alto(order, _BLOCKS), "alto")
    assert [b.text for b in page.blocks] == ["three", "four\nfive", "one\ntwo"]


def test_alto_reading_order_of_a_composed_block() -> None:
    blocks = (
        _block("b1", 0, "one")
        + '<ComposedBlock ID="c">'
        + _block("b2", 100, "two")
        + _block("b3", 200, "three")
        + "</ComposedBlock>"
    )
    page = formats.loads(
        _alto(f'<OrderedGroup ID="g">{_refs("c", "b1")}</OrderedGroup>', blocks),
        "alto",
    )
    assert [b.text for b in page.blocks] == ["two", "three", "one"]


def test_alto_reading_order_in_every_page_of_a_document() -> None:
    doc = _alto(
        f'<OrderedGroup ID="g">{_refs("b2", "b1", "q2", "q1")}</OrderedGroup>',
        _block("b1", 0, "one") + _block("b2", 100, "two"),
    ).replace(
        "</Layout>",
        '<Page WIDTH="1000" HEIGHT="1000" ID="q"><PrintSpace>'
        + _block("q1", 0, "three")
        + _block("q2", 100, "four")
        + "</PrintSpace></Page></Layout>",
    )
    pages = formats.loads_pages(doc, "alto")
    assert [[b.text for b in p.blocks] for p in pages] == [
        ["two", "one"],
        ["four", "three"],
    ]


def test_page_xml_straight_baseline_gives_no_flat_line() -> None:
    """A straight Baseline has no height: the line takes its region's outline."""
    page = formats.loads(
        _region(
            '<TextLine id="l2"><Coords/><Baseline points="100,200 400,200"/>'
            f"{_equiv('hello world')}</TextLine>"
        ),
        "page-xml",
    )
    line = page.lines[1]
    assert line.text == "hello world"
    assert line.geometry == Box(0, 0, 500, 300)
    assert [w.geometry.area > 0 for w in line.words] == [True]


def test_page_xml_straight_baseline_line_is_in_the_pdf(tmp_path: Path) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    import numpy as np

    from unocr.documents.searchable import save_pdf

    page = formats.loads(
        _region(
            '<TextLine id="l2"><Coords/><Baseline points="100,200 400,200"/>'
            f"{_equiv('hello world')}</TextLine>"
        ),
        "page-xml",
    )
    path = tmp_path / "out.pdf"
    save_pdf([page], path, images=[np.full((1000, 1000, 3), 255, np.uint8)])
    pdf = pdfium.PdfDocument(path)
    try:
        text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    assert "hello world" in text

"""Layout without text (detect() pages, OCR-D segmentation) and Transkribus tables.

hOCR, ALTO and PAGE-XML keep regions, lines and words that have a shape but
no text, with text ``""``; PAGE-XML reads a ``TableCell`` holding
``TextLine`` elements as a region in the table's place.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from unocr import formats
from unocr.geometry import Box
from unocr.model import Block, Line, Page, Word

from .page_xml_docs import coords, pcgts

ALTO_NS = "http://www.loc.gov/standards/alto/ns-v4#"


def _detect_page() -> Page:
    """A page as ``detect()`` gives it: geometry everywhere, every text ``""``."""
    blocks = []
    for b in range(2):
        lines = []
        for n in range(2):
            y = 20 + 100 * b + 40 * n
            words = [
                Word(text="", geometry=Box(10 + 60 * k, y, 60 + 60 * k, y + 30))
                for k in range(3)
            ]
            lines.append(Line.reported(words, Box(10, y, 180, y + 30), text=""))
        blocks.append(
            Block.reported(lines, Box(10, 20 + 100 * b, 180, 90 + 100 * b), text="")
        )
    return Page(blocks=tuple(blocks), width=200, height=240)


def _shapes(page: Page) -> list[object]:
    return [
        (
            b.geometry,
            b.text,
            [
                (ln.geometry, ln.text, [(w.geometry, w.text) for w in ln.words])
                for ln in b.lines
            ],
        )
        for b in page.blocks
    ]


@pytest.mark.parametrize("fmt", ["page-xml", "alto", "hocr"])
def test_detect_page_round_trips(fmt: str) -> None:
    page = _detect_page()
    back = formats.loads(formats.dumps(page, fmt), fmt)
    assert _shapes(back) == _shapes(page)
    assert back.text == page.text


@pytest.mark.parametrize("fmt", ["page-xml", "alto", "hocr"])
def test_block_without_lines_round_trips(fmt: str) -> None:
    page = Page(
        blocks=(Block(text="", geometry=Box(5, 5, 50, 40), confidence=None, lines=()),),
        width=100,
        height=100,
    )
    back = formats.loads(formats.dumps(page, fmt), fmt)
    assert [(b.geometry, b.text, b.lines) for b in back.blocks] == [
        (Box(5, 5, 50, 40), "", ())
    ]


def test_page_xml_segmentation_without_text() -> None:
    """OCR-D line segmentation: regions and lines with Coords, no TextEquiv."""
    lines = "".join(
        f'<TextLine id="l{n}">{coords(10, 20 + 30 * n, 500, 45 + 30 * n)}</TextLine>'
        for n in range(3)
    )
    doc = pcgts(
        '<ReadingOrder><OrderedGroup id="g"><RegionRefIndexed index="0" regionRef="r2"/>'
        '<RegionRefIndexed index="1" regionRef="r1"/></OrderedGroup></ReadingOrder>'
        f'<TextRegion id="r1">{coords(10, 20, 500, 120)}{lines}</TextRegion>'
        f'<TextRegion id="r2">{coords(10, 200, 500, 300)}</TextRegion>'
        '<ImageRegion id="i1">' + coords(600, 600, 900, 900) + "</ImageRegion>"
    )
    page = formats.loads(doc, "page-xml")
    assert [b.geometry for b in page.blocks] == [
        Box(10, 200, 500, 300),
        Box(10, 20, 500, 120),
    ]
    assert [len(b.lines) for b in page.blocks] == [0, 3]
    assert [ln.geometry for ln in page.lines] == [
        Box(10, 20 + 30 * n, 500, 45 + 30 * n) for n in range(3)
    ]
    assert all(ln.text == "" and ln.words == () for ln in page.lines)
    assert all(b.text == "" for b in page.blocks)


def test_page_xml_frame_region_and_shapeless_elements_left_out() -> None:
    inner = f'<TextRegion id="in">{coords(20, 20, 80, 80)}</TextRegion>'
    doc = pcgts(
        f'<TextRegion id="frame">{coords(10, 10, 90, 90)}{inner}</TextRegion>'
        '<TextRegion id="none"><TextLine id="l"><Word id="w"/></TextLine></TextRegion>'
    )
    page = formats.loads(doc, "page-xml")
    assert [b.geometry for b in page.blocks] == [Box(20, 20, 80, 80)]


def test_page_xml_empty_word_adds_no_text() -> None:
    def word(x: int, text: str | None) -> str:
        equiv = (
            "" if text is None else f"<TextEquiv><Unicode>{text}</Unicode></TextEquiv>"
        )
        return f'<Word id="w{x}">{coords(x, 10, x + 40, 40)}{equiv}</Word>'

    line = f'<TextLine id="l">{coords(0, 10, 300, 40)}{word(0, "a")}{word(50, None)}{word(100, "b")}</TextLine>'
    empty = f'<TextLine id="e">{coords(0, 50, 300, 80)}</TextLine>'
    doc = pcgts(f'<TextRegion id="r">{coords(0, 0, 300, 90)}{line}{empty}</TextRegion>')
    page = formats.loads(doc, "page-xml")
    (block,) = page.blocks
    assert [w.text for w in page.words] == ["a", "", "b"]
    assert [ln.text for ln in block.lines] == ["a b", ""]
    assert block.text == "a b"


def test_page_xml_region_transcribed_without_lines() -> None:
    doc = pcgts(
        f'<TextRegion id="r">{coords(0, 0, 90, 30)}'
        "<TextEquiv><Unicode>(na-</Unicode></TextEquiv></TextRegion>"
    )
    page = formats.loads(doc, "page-xml")
    assert [ln.text for ln in page.lines] == ["(na-"]
    assert [w.text for w in page.words] == ["(na-"]
    assert page.text == "(na-"


def test_transkribus_table_cells_are_regions_in_reading_order() -> None:
    def line(ident: str, y: int, text: str) -> str:
        return (
            f'<TextLine id="{ident}">{coords(230, y, 440, y + 30)}'
            f'<Baseline points="230,{y + 25} 440,{y + 25}"/>'
            f"<TextEquiv><Unicode>{text}</Unicode></TextEquiv></TextLine>"
        )

    def cell(ident: str, col: int, *lines: str) -> str:
        return (
            f'<TableCell row="0" col="{col}" rowSpan="1" colSpan="1" id="{ident}">'
            f"{coords(221 + 230 * col, 246, 451 + 230 * col, 600)}"
            f"<CornerPts>0 1 2 3</CornerPts>{''.join(lines)}</TableCell>"
        )

    doc = pcgts(
        '<ReadingOrder><OrderedGroup id="g"><RegionRefIndexed index="0" regionRef="r1"/>'
        '<RegionRefIndexed index="1" regionRef="t"/><RegionRefIndexed index="2" regionRef="r2"/>'
        "</OrderedGroup></ReadingOrder>"
        f'<TextRegion id="r2">{coords(10, 700, 900, 800)}{line("f", 710, "Footer")}</TextRegion>'
        f'<TableRegion id="t">{coords(221, 246, 781, 600)}'
        f"{cell('c1', 0, line('a', 260, 'Cell A'), line('b', 300, 'more A'))}"
        f"{cell('c2', 1, line('c', 260, 'Cell B'))}"
        f'<TableCell row="1" col="0" id="c3">{coords(221, 600, 451, 650)}</TableCell>'
        "</TableRegion>"
        f'<TextRegion id="r1">{coords(10, 10, 900, 100)}{line("h", 20, "Heading")}</TextRegion>'
    )
    page = formats.loads(doc, "page-xml")
    assert [b.text for b in page.blocks] == [
        "Heading",
        "Cell A\nmore A",
        "Cell B",
        "Footer",
    ]
    assert page.blocks[1].geometry == Box(221, 246, 451, 600)


def test_alto_layout_without_text() -> None:
    doc = (
        f'<alto xmlns="{ALTO_NS}"><Layout><Page WIDTH="500" HEIGHT="500"><PrintSpace>'
        '<TextBlock HPOS="10" VPOS="10" WIDTH="300" HEIGHT="100">'
        '<TextLine HPOS="10" VPOS="10" WIDTH="300" HEIGHT="30">'
        '<String HPOS="10" VPOS="10" WIDTH="50" HEIGHT="30" CONTENT="a"/>'
        '<String HPOS="70" VPOS="10" WIDTH="50" HEIGHT="30" CONTENT=""/>'
        '<String CONTENT=""/>'
        '<String HPOS="130" VPOS="10" WIDTH="50" HEIGHT="30" CONTENT="b"/></TextLine>'
        '<TextLine HPOS="10" VPOS="50" WIDTH="300" HEIGHT="30"/></TextBlock>'
        '<TextBlock HPOS="10" VPOS="200" WIDTH="300" HEIGHT="100"/>'
        "<TextBlock/></PrintSpace></Page></Layout></alto>"
    )
    page = formats.loads(doc, "alto")
    assert [len(b.lines) for b in page.blocks] == [2, 0]
    assert [w.text for w in page.words] == ["a", "", "b"]
    assert [ln.text for ln in page.lines] == ["a b", ""]
    assert page.lines[1].geometry == Box(10, 50, 310, 80)
    assert [b.text for b in page.blocks] == ["a b", ""]
    assert page.blocks[1].geometry == Box(10, 200, 310, 300)


def _hocr(body: str) -> str:
    return (
        '<html xmlns="http://www.w3.org/1999/xhtml"><head><title/>'
        '<meta name="ocr-system" content="tesseract 5.3.0"/></head><body>'
        f"<div class='ocr_page' id='page_1' title='bbox 0 0 500 500'>{body}</div></body></html>"
    )


def test_hocr_layout_without_text_in_document_order() -> None:
    doc = _hocr(
        # Tesseract's pictures and rules: no blocks
        "<div class='ocr_photo' id='block_1_1' title='bbox 0 0 100 100'></div>"
        "<div class='ocr_separator' id='block_1_2' title='bbox 0 110 400 112'></div>"
        "<div class='ocr_carea' title='bbox 10 10 300 40'><p class='ocr_par' title='bbox 10 10 300 40'>"
        "<span class='ocr_line' title='bbox 10 10 300 40'>"
        "<span class='ocrx_word' title='bbox 10 10 60 40'>a</span>"
        "<span class='ocrx_word' title='bbox 70 10 120 40'></span>"
        "<span class='ocrx_word'></span>"
        # white space is a space between words (kraken), not a word unread
        "<span class='ocrx_word' title='bbox 121 10 129 40'> </span>"
        "<span class='ocrx_word' title='bbox 130 10 180 40'>b</span></span>"
        "<span class='ocr_line' title='bbox 10 50 300 80'></span></p></div>"
        "<div class='ocr_carea' title='bbox 10 100 300 150'><p class='ocr_par' title='bbox 10 100 300 150'></p></div>"
        "<div class='ocr_carea' title='bbox 10 200 300 240'><p class='ocr_par' title='bbox 10 200 300 240'>"
        "<span class='ocr_line' title='bbox 10 200 300 240'>"
        "<span class='ocrx_word' title='bbox 10 200 60 240'>c</span></span></p></div>"
    )
    page = formats.loads(doc, "hocr")
    assert [b.geometry for b in page.blocks] == [
        Box(10, 10, 300, 80),
        Box(10, 100, 300, 150),
        Box(10, 200, 300, 240),
    ]
    assert [b.text for b in page.blocks] == ["a b", "", "c"]
    assert [w.text for w in page.words] == ["a", "", "b", "c"]
    assert [ln.text for ln in page.lines] == ["a b", "", "c"]


def test_detect_page_text_is_empty() -> None:
    """Lines and blocks without text add no separator to ``Page.text``."""
    assert _detect_page().text == ""


def test_page_text_skips_lines_and_blocks_without_text() -> None:
    lines = (
        f'<TextLine id="l1">{coords(10, 10, 900, 50)}'
        "<TextEquiv><Unicode>first</Unicode></TextEquiv></TextLine>"
        f'<TextLine id="l2">{coords(10, 60, 900, 100)}</TextLine>'
        f'<TextLine id="l3">{coords(10, 110, 900, 150)}'
        "<TextEquiv><Unicode>third</Unicode></TextEquiv></TextLine>"
    )
    doc = pcgts(
        f'<TextRegion id="r1">{coords(10, 10, 900, 300)}{lines}</TextRegion>'
        f'<TextRegion id="r2">{coords(10, 400, 900, 500)}'
        f'<TextLine id="l4">{coords(10, 400, 900, 450)}</TextLine></TextRegion>'
        f'<TextRegion id="r3">{coords(10, 600, 900, 700)}'
        f'<TextLine id="l5">{coords(10, 600, 900, 650)}'
        "<TextEquiv><Unicode>last</Unicode></TextEquiv></TextLine></TextRegion>"
    )
    page = formats.loads(doc, "page-xml")
    assert [b.text for b in page.blocks] == ["first\nthird", "", "last"]
    assert page.text == "first\nthird\n\nlast"


def _page_xml_spaces() -> str:
    """Words all of white space make their line (and its region) a space."""
    space = "<TextEquiv><Unicode> </Unicode></TextEquiv>"
    doc = pcgts(
        f'<TextRegion id="r1">{coords(0, 0, 300, 90)}'
        f'<TextLine id="l1">{coords(0, 10, 300, 40)}'
        f"<Word id='w1'>{coords(0, 10, 40, 40)}<TextEquiv><Unicode>a</Unicode>"
        "</TextEquiv></Word></TextLine>"
        f'<TextLine id="l2">{coords(0, 50, 300, 80)}'
        f"<Word id='w2'>{coords(0, 50, 40, 80)}{space}</Word></TextLine></TextRegion>"
        f'<TextRegion id="r2">{coords(0, 100, 300, 190)}'
        f'<TextLine id="l3">{coords(0, 110, 300, 140)}'
        f"<Word id='w3'>{coords(0, 110, 40, 140)}<Glyph id='g'>"
        f"{coords(0, 110, 10, 140)}{space}</Glyph></Word></TextLine></TextRegion>"
    )
    return doc


def _alto_spaces() -> str:
    return (
        f'<alto xmlns="{ALTO_NS}"><Layout><Page WIDTH="500" HEIGHT="500"><PrintSpace>'
        '<TextBlock HPOS="10" VPOS="10" WIDTH="300" HEIGHT="100">'
        '<TextLine HPOS="10" VPOS="10" WIDTH="300" HEIGHT="30">'
        '<String HPOS="10" VPOS="10" WIDTH="50" HEIGHT="30" CONTENT="a"/></TextLine>'
        '<TextLine HPOS="10" VPOS="50" WIDTH="300" HEIGHT="30">'
        '<String HPOS="10" VPOS="50" WIDTH="50" HEIGHT="30" CONTENT=" "/></TextLine>'
        "</TextBlock>"
        '<TextBlock HPOS="10" VPOS="200" WIDTH="300" HEIGHT="100">'
        '<TextLine HPOS="10" VPOS="200" WIDTH="300" HEIGHT="30">'
        '<SP HPOS="10" VPOS="200" WIDTH="5"/></TextLine></TextBlock>'
        "</PrintSpace></Page></Layout></alto>"
    )


def _hocr_spaces() -> str:
    """Tesseract writes a word of white space where it read nothing in ink."""
    return _hocr(
        "<div class='ocr_carea' title='bbox 10 10 500 100'>"
        "<p class='ocr_par' title='bbox 10 10 500 100'>"
        "<span class='ocr_line' title='bbox 10 10 500 40; baseline 0 0'>"
        "<span class='ocrx_word' title='bbox 10 10 100 40; x_wconf 90'>Hello</span>"
        "</span></p></div>"
        "<div class='ocr_carea' title='bbox 10 200 500 300'>"
        "<p class='ocr_par' title='bbox 10 200 500 300'>"
        "<span class='ocr_line' title='bbox 10 200 500 300; baseline 0 0'>"
        "<span class='ocrx_word' title='bbox 10 200 500 300; x_wconf 95'> </span>"
        "</span></p></div>"
    )


@pytest.mark.parametrize(
    ("fmt", "doc", "text"),
    [
        ("page-xml", _page_xml_spaces, "a"),
        ("alto", _alto_spaces, "a"),
        ("hocr", _hocr_spaces, "Hello"),
    ],
)
def test_elements_of_white_space_are_spaces(
    fmt: str, doc: Callable[[], str], text: str
) -> None:
    page = formats.loads(doc(), fmt)
    assert [(b.text, len(b.lines)) for b in page.blocks] == [(text, 1)]
    assert page.text == text

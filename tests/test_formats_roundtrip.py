"""Round trips Page -> format -> Page, property-based (Hypothesis).

Each format keeps text, hierarchy, confidence, language and geometry within
its own precision (see docs/formats.md for what each format drops):

======  ==============  ===================  =======================  =========
format  geometry        confidence           language                 symbols
======  ==============  ===================  =======================  =========
hocr    whole pixels,   all levels, 1e-4     all levels               yes
        shape kept
alto    0.01 px,        words, symbols 1e-4  blocks, lines, words     yes
        shape kept                           (inherited from parent)
page    whole pixels,   all levels, 1e-4     blocks, lines, words     yes
        shape kept                           (inherited from parent)
tsv     whole pixels,   blocks, lines,       none                     no
        bounds only     words, 1e-8
======  ==============  ===================  =======================  =========
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from unocr.formats import dumps, loads
from unocr.formats._parents import grown
from unocr.geometry import (
    Box,
    Mask,
    Polygon,
    Quad,
    RotatedBox,
    enclosing_box,
)
from unocr.model import Block, Line, Page, Symbol, Word
from unocr.model.elements import mean_confidence

SCHEMAS = Path(__file__).parent / "fixtures" / "formats" / "schemas"
ALTO_XSD = etree.XMLSchema(etree.parse(str(SCHEMAS / "alto-4-4.xsd")))
PAGE_XSD = etree.XMLSchema(etree.parse(str(SCHEMAS / "pagecontent-2019-07-15.xsd")))

# ----------------------------------------------------------------- strategies
SPECIAL_WORDS = [
    "안녕하세요",
    "한국어",
    "שָׁלוֹם",
    "مرحبا",
    "<&>",
    "\"quoted'",
    "Straße",
    "ſchrift",
    "aͤ",
    "😀",
]

word_texts = st.one_of(
    st.sampled_from(SPECIAL_WORDS),
    st.text(
        alphabet=st.characters(
            blacklist_categories=("Cs", "Cc", "Cn", "Zs", "Zl", "Zp")
        ),
        min_size=1,
        max_size=8,
    ),
)
confidences = st.none() | st.floats(min_value=0.0, max_value=1.0)
languages = st.sampled_from([None, "en", "ko", "de", "ar", "he", "ja"])
coords = st.floats(min_value=20.0, max_value=1300.0)
sizes = st.floats(min_value=6.0, max_value=200.0)


@st.composite
def boxes(draw: st.DrawFn) -> Box:
    x, y, w, h = draw(coords), draw(coords), draw(sizes), draw(sizes)
    return Box(x, y, x + w, y + h)


@st.composite
def rotated_boxes(draw: st.DrawFn) -> RotatedBox:
    return RotatedBox(
        draw(st.floats(250, 1300)),
        draw(st.floats(250, 1300)),
        draw(st.floats(8, 200)),
        draw(st.floats(8, 200)),
        draw(st.floats(-80, 80)),
    )


@st.composite
def quads(draw: st.DrawFn) -> Quad:
    return draw(rotated_boxes()).to_quad()


@st.composite
def polygons(draw: st.DrawFn) -> Polygon:
    n = draw(st.integers(5, 8))
    cx, cy = draw(st.floats(250, 1300)), draw(st.floats(250, 1300))
    radius = draw(st.floats(12, 150))
    start = draw(st.floats(0, 2 * math.pi))
    angles = start + np.arange(n) * 2 * math.pi / n
    return Polygon(
        np.stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)], 1)
    )


@st.composite
def masks(draw: st.DrawFn) -> Mask:
    h, w = draw(st.integers(3, 8)), draw(st.integers(3, 8))
    data = np.ones((h, w), dtype=bool)
    if draw(st.booleans()):
        data[0, 0] = False  # a notch: a non-rectangular outline
    origin = (draw(st.integers(20, 1300)), draw(st.integers(20, 1300)))
    return Mask(data, origin=origin)


shapes = st.one_of(boxes(), quads(), polygons(), rotated_boxes(), masks())


@st.composite
def words(
    draw: st.DrawFn,
    texts: st.SearchStrategy[str] = word_texts,
    with_symbols: bool = True,
) -> Word:
    """Words of ``texts``, of every shape, with symbols where ``with_symbols``."""
    text = draw(texts)
    geometry = draw(shapes)
    symbols: tuple[Symbol, ...] = ()
    if with_symbols and draw(st.booleans()):
        b = geometry.bounds
        step = (b.x1 - b.x0) / len(text)
        symbols = tuple(
            Symbol(
                text=ch,
                geometry=Box(b.x0 + i * step, b.y0, b.x0 + (i + 1) * step, b.y1),
                confidence=draw(confidences),
                language=draw(languages),
            )
            for i, ch in enumerate(text)
        )
    return Word(
        text=text,
        geometry=geometry,
        confidence=draw(confidences),
        language=draw(languages),
        symbols=symbols,
    )


@st.composite
def lines(draw: st.DrawFn) -> Line:
    line = Line.from_words(draw(st.lists(words(), min_size=1, max_size=4)), native=True)
    changes = {"confidence": draw(confidences), "language": draw(languages)}
    if draw(st.booleans()):
        # files read a parent grown where a child reaches past it
        # (docs/formats.md): the round trips start from pages whose parents
        # enclose their children, as engines' pages do; growing is tested
        # on its own
        changes["geometry"] = grown(draw(shapes), [w.geometry for w in line.words])
    return line.replace(**changes)


@st.composite
def blocks(draw: st.DrawFn) -> Block:
    block = Block.from_lines(
        draw(st.lists(lines(), min_size=1, max_size=3)), native=True
    )
    return block.replace(confidence=draw(confidences), language=draw(languages))


@st.composite
def pages(draw: st.DrawFn) -> Page:
    return Page(
        width=1600,
        height=1600,
        blocks=tuple(draw(st.lists(blocks(), max_size=3))),
        backend=draw(st.sampled_from([None, "tesseract", "gcv", "keras-ocr"])),
        languages=tuple(
            draw(st.lists(st.sampled_from(["en", "ko", "de"]), unique=True))
        ),
    )


# ----------------------------------------------------------------- comparison
@dataclass(frozen=True)
class Precision:
    geometry: float  # Hausdorff distance allowed, pixels (bounds only if not shapes)
    shapes: bool  # the true shape is kept, not only the bounding box
    confidence: float
    confidence_levels: frozenset[str]
    language: str  # "own" exact, "inherited" from the parent, "none"
    symbols: bool
    page_meta: bool  # backend and languages


ROUNDED = 0.5 * math.sqrt(2) + 1e-6
PRECISION = {
    "hocr": Precision(ROUNDED, True, 5e-5, frozenset("blws"), "own", True, True),
    "alto": Precision(
        0.005 * math.sqrt(2) + 1e-6,
        True,
        5e-5,
        frozenset("ws"),
        "inherited",
        True,
        True,
    ),
    "page-xml": Precision(
        ROUNDED, True, 5e-5, frozenset("blws"), "inherited", True, True
    ),
    "tsv": Precision(0.5 + 1e-9, False, 1e-8, frozenset("blw"), "none", False, False),
}


def assert_geometry(a, b, p: Precision, where: str) -> None:
    if p.shapes:
        # whole-pixel formats clamp negative coordinates to 0 (documented)
        # (a point clamped in x and y moves by the hypotenuse of both shifts)
        shift = math.hypot(max(0.0, -a.bounds.x0), max(0.0, -a.bounds.y0))
        clamped = shift if p.geometry > 0.1 else 0.0
        distance = shapely.hausdorff_distance(a.to_shapely(), b.to_shapely())
        assert distance <= p.geometry + clamped, f"{where}: {a!r} -> {b!r} ({distance})"
    else:
        ba, bb = a.bounds, b.bounds
        for u, v in zip(
            (ba.x0, ba.y0, ba.x1, ba.y1), (bb.x0, bb.y0, bb.x1, bb.y1), strict=True
        ):
            assert abs(u - v) <= p.geometry, f"{where}: {ba!r} -> {bb!r}"


def assert_element(
    a, b, level: str, p: Precision, lang: str | None, where: str
) -> None:
    assert b.text == a.text, where
    assert_geometry(a.geometry, b.geometry, p, where)
    if level in p.confidence_levels and a.confidence is not None:
        assert b.confidence is not None, where
        assert abs(a.confidence - b.confidence) <= p.confidence, where
    elif level in p.confidence_levels:
        assert b.confidence is None, where
    if p.language == "own":
        assert b.language == a.language, where
    elif p.language == "inherited" and level != "s":
        assert b.language == lang, where
    elif p.language == "none":
        assert b.language is None, where


def assert_same_page(page: Page, back: Page, fmt: str) -> None:
    p = PRECISION[fmt]
    assert (back.width, back.height) == (page.width, page.height)
    assert back.text == page.text
    if p.page_meta:
        assert back.backend == page.backend
        assert back.languages == page.languages
        # the file name and page index; in-memory inputs have no file name
        if page.source is None or page.source.name.startswith("<"):
            assert back.source is None
        else:
            assert back.source is not None
            assert (back.source.name, back.source.index) == (
                page.source.name,
                page.source.index,
            )
    assert len(back.blocks) == len(page.blocks)
    for i, (b0, b1) in enumerate(zip(page.blocks, back.blocks, strict=True)):
        block_lang = b0.language
        assert_element(b0, b1, "b", p, block_lang, f"block {i}")
        assert len(b1.lines) == len(b0.lines)
        for j, (l0, l1) in enumerate(zip(b0.lines, b1.lines, strict=True)):
            line_lang = l0.language or block_lang
            assert_element(l0, l1, "l", p, line_lang, f"line {i}.{j}")
            assert len(l1.words) == len(l0.words)
            for k, (w0, w1) in enumerate(zip(l0.words, l1.words, strict=True)):
                word_lang = w0.language or line_lang
                assert_element(w0, w1, "w", p, word_lang, f"word {i}.{j}.{k}")
                if not p.symbols:
                    assert w1.symbols == ()
                    continue
                assert len(w1.symbols) == len(w0.symbols)
                for m, (s0, s1) in enumerate(zip(w0.symbols, w1.symbols, strict=True)):
                    assert_element(s0, s1, "s", p, None, f"symbol {i}.{j}.{k}.{m}")


# -------------------------------------------------------------------- tests
@given(pages())
def test_json_round_trip_is_lossless(page):
    """Page -> unocr JSON -> Page gives an equal page."""
    assert loads(dumps(page, "json")) == page


@given(pages())
def test_hocr_round_trip(page):
    """Page -> hOCR -> Page keeps everything to whole pixels and 0.01 % confidence."""
    expected = parents_as_tesseracts(page)  # parents without x_wconf: means
    assert_same_page(expected, loads(dumps(page, "hocr")), "hocr")


@given(pages())
def test_alto_round_trip_and_schema(page):
    """Page -> ALTO 4.4 (schema-valid) -> Page keeps text, shapes, word confidence."""
    doc = dumps(page, "alto")
    assert ALTO_XSD.validate(etree.fromstring(doc.encode())), ALTO_XSD.error_log
    assert_same_page(page, loads(doc), "alto")


@given(pages())
def test_page_xml_round_trip_and_schema(page):
    """Page -> PAGE 2019 (schema-valid) -> Page keeps text, shapes, confidences."""
    doc = dumps(page, "page-xml")
    assert PAGE_XSD.validate(etree.fromstring(doc.encode())), PAGE_XSD.error_log
    assert_same_page(page, loads(doc), "page-xml")


def enclosing_parents(page: Page) -> Page:
    """The page with each line's and block's box grown to enclose its children.

    TSV holds bounding boxes only, and reading it applies unocr's rule that a
    parent encloses its children (as the Tesseract backend does).
    """
    blocks = []
    for block in page.blocks:
        lines = tuple(
            line.replace(
                geometry=enclosing_box(
                    [line.geometry, *(w.geometry for w in line.words)]
                )
            )
            for line in block.lines
        )
        geometry = enclosing_box([block.geometry, *(x.geometry for x in lines)])
        blocks.append(block.replace(geometry=geometry, lines=lines))
    return page.replace(blocks=tuple(blocks))


def parents_as_tesseracts(page: Page) -> Page:
    """The page as a TSV reader sees it when no line or block has a confidence.

    Such a file looks like Tesseract's (``-1`` on every parent row), and its
    lines and blocks take their words' mean, as the Tesseract backend gives
    (a block: of all its words, not of its lines).
    """
    if any(b.confidence is not None for b in page.blocks) or any(
        ln.confidence is not None for ln in page.lines
    ):
        return page
    blocks = []
    for block in page.blocks:
        lines = tuple(
            line.replace(confidence=Line.from_words(line.words).confidence)
            for line in block.lines
        )
        confidence = mean_confidence(w for line in lines for w in line.words)
        blocks.append(block.replace(lines=lines, confidence=confidence))
    return page.replace(blocks=tuple(blocks))


@given(pages())
def test_tsv_round_trip(page):
    """Page -> TSV -> Page keeps text, hierarchy, boxes to the pixel, confidences.

    Boxes of lines and blocks come back grown to enclose their children; a
    page whose lines and blocks have no confidence reads as Tesseract's does.
    """
    expected = parents_as_tesseracts(enclosing_parents(page))
    assert_same_page(expected, loads(dumps(page, "tsv")), "tsv")


@given(pages())
def test_text_is_page_text(page):
    """The text format is exactly the page's reading-order text."""
    assert dumps(page, "text") == page.text

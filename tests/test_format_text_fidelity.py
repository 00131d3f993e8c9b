"""Text the formats must give back exactly: stamped names in ALTO, word ends.

ALTO holds a page's backend, languages and file name in
``processingStepSettings`` (``backend=NAME; languages=A,B; file=NAME``),
each value percent-encoded where it holds a separator; hOCR and TSV keep the
white space at the ends of a word's text, which the model keeps (TSV writes
tabs and line breaks inside a word as spaces).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from unocr.formats import dumps, dumps_pages, loads, loads_pages
from unocr.geometry import Box
from unocr.model import Block, Line, Page, Source, Word

from .test_formats_roundtrip import (
    ALTO_XSD,
    assert_same_page,
    enclosing_parents,
    parents_as_tesseracts,
    word_texts,
    words,
)

# Backend names with every separator of the settings, white space, escapes
# of their own, controls XML cannot hold and a lone surrogate.
ODD_NAMES = [
    "my;engine",
    "x; languages=de",
    "a=b",
    "engine, v2",
    "100%",
    "%3B",
    "%E2%82%AC",
    " lead",
    "trail ",
    "tab\there",
    "line\nbreak",
    "cr\rhere",
    "no\u00a0break",
    "sep\u2028arator",
    "ctrl\x01\x1cx",
    "\ud800half",
    "日本語",
    "",
]

# White space (str.isspace) XML can hold: hOCR words may start or end with it.
XML_SPACE = [
    c
    for c in map(chr, range(0x110000))
    if c.isspace() and c not in "\x0b\x0c\x1c\x1d\x1e\x1f"
]
# White space TSV writes as it is (tabs and line breaks become spaces).
TSV_SPACE = [c for c in map(chr, range(0x110000)) if c.isspace() and c not in "\t\n\r"]


def one_word_page(text: str, **page: object) -> Page:
    word = Word(text=text, geometry=Box(10, 10, 60, 30), confidence=0.9)
    line = Line.from_words([word], native=True)
    return Page(
        width=200, height=100, blocks=(Block.from_lines([line], native=True),), **page
    )


def alto_settings(doc: str) -> list[str]:
    root = etree.fromstring(doc.encode())
    ns = {"a": root.nsmap[None]}
    return [el.text for el in root.iterfind(".//a:processingStepSettings", ns)]


def alto_with_settings(settings: str) -> str:
    """A one-page ALTO document whose unocr step has these settings."""
    doc = dumps(one_word_page("hi", backend="x"), "alto")
    (written,) = alto_settings(doc)
    return doc.replace(f">{written}<", f">{settings}<")


# ----------------------------------------------------------------------- ALTO
def test_alto_keeps_backend_names_with_separators_and_reads_unescaped_files():
    """Names come back exactly and the document stays valid ALTO 4.4.

    Settings written unescaped (by earlier versions) read as before.
    """
    for name in ODD_NAMES:
        page = one_word_page("hi", backend=name, languages=("en", "de"))
        doc = dumps(page, "alto")
        assert ALTO_XSD.validate(etree.fromstring(doc.encode())), ALTO_XSD.error_log
        (settings,) = alto_settings(doc)
        assert settings.count(";") == 1, settings  # one separator: two settings
        back = loads(doc, "alto")
        assert (back.backend, back.languages) == (name, ("en", "de")), repr(name)
    old = alto_with_settings("backend=a=b, 100%; languages=en,de; file=x%3By.png")
    back = loads(old, "alto")
    assert (back.backend, back.languages) == ("a=b, 100%", ("en", "de"))
    assert back.source is not None
    assert back.source.name == "x;y.png"


@given(st.text(st.characters(blacklist_categories=())))
def test_alto_backend_round_trip(name: str) -> None:
    """Any backend name reads back exactly from schema-valid ALTO."""
    doc = dumps(one_word_page("hi", backend=name, languages=("en",)), "alto")
    assert ALTO_XSD.validate(etree.fromstring(doc.encode())), ALTO_XSD.error_log
    back = loads(doc, "alto")
    assert (back.backend, back.languages) == (name, ("en",))


def test_alto_pages_keep_their_own_backend_and_file_names():
    """Several pages: each page's step keeps its backend and file name."""
    pages = [
        one_word_page(
            "hi",
            backend=backend,
            languages=("en",),
            source=Source(name=file, index=0),
        )
        for backend, file in (("a;b=c", "scan; 1.png"), ("d, e", "scan%3B2.png"))
    ]
    doc = dumps_pages(pages, "alto")
    assert ALTO_XSD.validate(etree.fromstring(doc.encode())), ALTO_XSD.error_log
    back = loads_pages(doc, "alto")
    assert [(p.backend, p.source.name if p.source else None) for p in back] == [
        ("a;b=c", "scan; 1.png"),
        ("d, e", "scan%3B2.png"),
    ]


# ------------------------------------------------------------------ hOCR, TSV
def test_hocr_keeps_white_space_at_the_ends_of_words():
    for space in XML_SPACE:
        for text in (f"{space}ab", f"ab{space}", f"{space}a b{space}"):
            back = loads(dumps(one_word_page(text), "hocr"), "hocr")
            assert [w.text for w in back.words] == [text], repr(text)


def test_tsv_keeps_white_space_at_the_ends_of_words():
    for space in TSV_SPACE:
        for text in (f"{space}ab", f"ab{space}", f"{space}a b{space}"):
            back = loads(dumps(one_word_page(text), "tsv"), "tsv")
            assert [w.text for w in back.words] == [text], repr(text)


def test_tsv_writes_tabs_and_line_breaks_in_words_as_spaces():
    """A row stays one row; the word reads back with spaces for them."""
    page = one_word_page("\ta\tb\nc\r\nd\re\t")
    doc = dumps(page, "tsv")
    assert len(doc.splitlines()) == 6  # header, page, block, paragraph, line, word
    assert doc.splitlines()[-1].count("\t") == 11
    back = loads(doc, "tsv")
    assert [w.text for w in back.words] == [" a b c d e "]


def padded_words(spaces: list[str], with_symbols: bool) -> st.SearchStrategy[Word]:
    """Words of the round-trip tests, white space at one or both ends."""
    ends = st.text(st.sampled_from(spaces), max_size=2)
    texts = st.tuples(ends, word_texts, ends).map("".join)
    return words(texts, with_symbols)


@st.composite
def padded_pages(draw: st.DrawFn, spaces: list[str], with_symbols: bool) -> Page:
    words = padded_words(spaces, with_symbols)
    blocks = [
        Block.from_lines(
            [
                Line.from_words(draw(st.lists(words, min_size=1, max_size=3)))
                for _ in range(draw(st.integers(1, 2)))
            ],
            native=True,
        )
        for _ in range(draw(st.integers(1, 2)))
    ]
    return Page(
        width=1600,
        height=1600,
        blocks=tuple(blocks),
        backend=draw(st.sampled_from([None, "tesseract", "keras-ocr"])),
        languages=tuple(draw(st.lists(st.sampled_from(["en", "de"]), unique=True))),
    )


@given(padded_pages(XML_SPACE, with_symbols=True))
def test_hocr_round_trip_with_white_space_at_word_ends(page: Page) -> None:
    expected = parents_as_tesseracts(page)
    assert_same_page(expected, loads(dumps(page, "hocr"), "hocr"), "hocr")


@given(padded_pages(TSV_SPACE, with_symbols=False))
def test_tsv_round_trip_with_white_space_at_word_ends(page: Page) -> None:
    expected = parents_as_tesseracts(enclosing_parents(page))
    assert_same_page(expected, loads(dumps(page, "tsv"), "tsv"), "tsv")


@pytest.mark.parametrize("backend", ["a b", "my engine 2", "x  y"])
def test_hocr_backend_with_spaces_reads_back(backend: str) -> None:
    page = one_word_page("hi", backend=backend)
    assert loads(dumps(page, "hocr"), "hocr").backend == backend

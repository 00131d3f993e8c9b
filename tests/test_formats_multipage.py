"""Several pages in one document: multi-page hOCR and ALTO, JSON Lines, text."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

from unocr.errors import FormatError
from unocr.formats import dumps, dumps_pages, loads, loads_pages
from unocr.geometry import Box
from unocr.model import Page, Source, Word

from .page_strategies import pages

SCHEMAS = Path(__file__).resolve().parent / "fixtures" / "formats" / "schemas"
ALTO_XSD = etree.XMLSchema(etree.parse(str(SCHEMAS / "alto-4-4.xsd")))


@st.composite
def documents(draw):
    """Pages of one document: one engine, one language list, one file."""
    first, *rest = draw(st.lists(pages(), min_size=2, max_size=3))
    name = draw(st.sampled_from(["scan.pdf", "dir/book.tif"]))
    return [
        p.replace(
            backend=first.backend,
            languages=first.languages,
            source=Source(name, index=i),
        )
        for i, p in enumerate([first, *rest])
    ]


def _reads_back_as_one_page_files(text: str, doc: list[Page], fmt: str) -> None:
    """``text``, one file of ``doc``'s pages, reads back as each page's own file does."""
    back = loads_pages(text)
    assert len(back) == len(doc)
    for page, got in zip(doc, back, strict=True):
        assert got == loads(dumps(page, fmt))


@settings(max_examples=25)
@given(documents())
def test_multi_page_hocr_round_trip(doc):
    """pages -> one hOCR -> pages keeps each page as the one-page writer does."""
    text = dumps_pages(doc, "hocr")
    assert text.count('class="ocr_page"') == len(doc)
    _reads_back_as_one_page_files(text, doc, "hocr")


@settings(max_examples=25)
@given(documents())
def test_multi_page_alto_round_trip_and_schema(doc):
    """pages -> one ALTO (schema-valid, unique ids) -> pages."""
    text = dumps_pages(doc, "alto")
    root = etree.fromstring(text.encode())
    assert ALTO_XSD.validate(root), ALTO_XSD.error_log
    _reads_back_as_one_page_files(text, doc, "alto")


@settings(max_examples=25)
@given(documents())
def test_json_lines_round_trip(doc):
    """pages -> JSON Lines -> equal pages."""
    assert loads_pages(dumps_pages(doc, "json")) == doc


def test_text_pages_are_form_feed_separated():
    a = Page.from_words([Word("one", Box(0, 0, 9, 9))], width=10, height=10)
    b = a.replace(
        blocks=Page.from_words(
            [Word("two", Box(0, 0, 9, 9))], width=10, height=10
        ).blocks
    )
    assert dumps_pages([a, b], "text") == "one\n\ftwo"


def test_one_page_formats_are_refused_and_mixed_documents_keep_each_page():
    a = Page.from_words([Word("x", Box(0, 0, 9, 9))], width=10, height=10)
    with pytest.raises(FormatError, match="page-xml holds one page per file"):
        dumps_pages([a, a], "page-xml")
    with pytest.raises(FormatError, match="no pages"):
        dumps_pages([], "hocr")
    other = a.replace(backend="gcv")
    files = [a.replace(source=Source(n)) for n in ("a.png", "b.png")]
    for fmt in ("hocr", "alto"):
        back = loads_pages(dumps_pages([a, other], fmt), fmt)
        assert [p.backend for p in back] == [a.backend, "gcv"]
        back = loads_pages(dumps_pages(files, fmt), fmt)
        assert [p.source.name for p in back if p.source] == ["a.png", "b.png"]


@pytest.mark.parametrize(
    ("name", "writer"), [("HOCR", "hocr"), ("html", "hocr"), (" Alto ", "alto")]
)
def test_loads_pages_takes_every_spelling_loads_takes(name, writer):
    """A format alias names the same reader for several pages as for one."""
    a = Page.from_words([Word("x", Box(0, 0, 9, 9))], width=10, height=10)
    text = dumps_pages([a, a.replace(width=20)], writer)
    assert [p.width for p in loads_pages(text, name)] == [10, 20]
    with pytest.raises(FormatError, match="cannot read format 'pdf'; choose one of"):
        loads_pages(text, "pdf")


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="needs tesseract")
def test_reads_tesseracts_own_multi_page_hocr(tmp_path):
    image = Image.open(
        Path(__file__).resolve().parents[1] / "samples" / "phototest.png"
    )
    tif = tmp_path / "two.tif"
    image.convert("L").save(tif, save_all=True, append_images=[image.convert("L")])
    subprocess.run(
        ["tesseract", str(tif), str(tmp_path / "out"), "hocr"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = loads_pages((tmp_path / "out.hocr").read_bytes())
    assert [(p.source.name, p.source.index) for p in pages] == [
        (str(tif), 0),
        (str(tif), 1),
    ]
    assert pages[0].text == pages[1].text
    assert "This is a lot of 12 point text" in pages[0].text


def test_undecodable_file_names_and_lone_surrogates_are_written_as_utf8() -> None:
    # os.fsdecode(b"M\xfcller.png"): a Latin-1 file name on a UTF-8 system
    name = "scans/M\udcfcller.png"
    word = Word(text="a\udcffb", geometry=Box(1, 1, 8, 8), confidence=0.5)
    page = replace(Page.from_words([word], width=10, height=10), source=Source(name, 0))
    for fmt in ("text", "json", "hocr", "alto", "page-xml", "tsv"):
        dumps(page, fmt).encode("utf-8")  # raised UnicodeEncodeError for three
    # JSON escapes them: the page reads back exactly
    back = loads(dumps(page, "json"), "json")
    assert back.source is not None and back.source.name == name
    assert back.words[0].text == "a\udcffb"
    assert "\\udcfc" in page.to_json() and "\\udcfc" in dumps_pages([page], "json")
    assert Page.from_json(page.to_json().encode("utf-8")) == back
    # plain text and TSV write U+FFFD for what is not text
    assert dumps(page, "text") == "a\ufffdb"
    assert "\ta\ufffdb\n" in dumps(page, "tsv")
    # XML drops it (XML cannot hold it)
    assert 'CONTENT="ab"' in dumps(page, "alto")
    assert ">ab</span>" in dumps(page, "hocr")
    assert "<Unicode>ab</Unicode>" in dumps(page, "page-xml")


@pytest.mark.parametrize("fmt", ["hocr", "alto", "json", "text"])
def test_save_pages_and_load_pages_round_trip_a_file(fmt, tmp_path):
    from unocr.formats import load_pages, save, save_pages

    doc = [
        Page.from_words(
            [Word(text=f"page{n}", geometry=Box(1, 1, 40, 9))], width=50, height=20
        ).replace(source=Source("book.tif", n))
        for n in range(2)
    ]
    target = tmp_path / "book.out"
    save_pages(doc, target, fmt)
    written = target.read_text(encoding="utf-8")
    assert written.rstrip("\n") == dumps_pages(doc, fmt).rstrip("\n")
    if fmt != "text":  # text keeps no page boundary to read back
        assert [p.text for p in load_pages(target, fmt)] == ["page0", "page1"]
    with pytest.raises(FormatError, match=r"missing\.out: no such file"):
        load_pages(tmp_path / "missing.out", fmt)
    # one page is written as save writes it
    save_pages(doc[:1], target, fmt)
    alone = tmp_path / "alone.out"
    save(doc[0], alone, fmt)
    assert target.read_bytes() == alone.read_bytes()

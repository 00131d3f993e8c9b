"""Tesseract TSV -> Page conversion and language mapping (pure: no engine run)."""

from __future__ import annotations

import pytest

from unocr.backends.tesseract.convert import (
    TSV_COLUMNS,
    page_from_data,
    page_from_tsv,
    parse_tsv,
)
from unocr.backends.tesseract.languages import apt_package, from_tesseract, to_tesseract
from unocr.errors import FormatError
from unocr.geometry import Box
from unocr.languages import LanguageCodeError, normalize_languages

HEADER = "\t".join(TSV_COLUMNS)

# Two blocks; block 1 has two paragraphs. Word rows carry conf 0-100, every other
# row conf -1. One word row is blank text (Tesseract emits those on noisy scans),
# one line has no words at all, and "Hi" reaches above its line's own box.
ROWS = [
    "1\t1\t0\t0\t0\t0\t0\t0\t300\t200\t-1\t",
    "2\t1\t1\t0\t0\t0\t10\t10\t200\t60\t-1\t",
    "3\t1\t1\t1\t0\t0\t10\t10\t200\t20\t-1\t",
    "4\t1\t1\t1\t1\t0\t10\t10\t200\t20\t-1\t",
    "5\t1\t1\t1\t1\t1\t10\t10\t50\t20\t96.5\tHello",
    "5\t1\t1\t1\t1\t2\t70\t12\t60\t18\t91\tworld",
    "5\t1\t1\t1\t1\t3\t140\t12\t10\t18\t95\t ",
    "3\t1\t1\t2\t0\t0\t10\t40\t100\t30\t-1\t",
    "4\t1\t1\t2\t1\t0\t10\t40\t100\t14\t-1\t",
    "5\t1\t1\t2\t1\t1\t10\t36\t40\t20\t0\tHi",
    "4\t1\t1\t2\t2\t0\t10\t56\t100\t14\t-1\t",
    "5\t1\t1\t2\t2\t1\t10\t56\t40\t14\t100\tthere",
    "2\t1\t2\t0\t0\t0\t10\t100\t50\t20\t-1\t",
    "3\t1\t2\t1\t0\t0\t10\t100\t50\t20\t-1\t",
    "4\t1\t2\t1\t1\t0\t10\t100\t50\t20\t-1\t",
]
TSV = HEADER + "\n" + "\n".join(ROWS) + "\n"


def test_parse_tsv_with_and_without_header() -> None:
    with_header = parse_tsv(TSV)
    without = parse_tsv("\n".join(ROWS))
    assert with_header == without
    assert len(with_header) == len(ROWS)
    assert with_header[4].text == "Hello"
    assert with_header[4].conf == pytest.approx(96.5)
    assert with_header[4].box == Box(10, 10, 60, 30)
    assert parse_tsv(TSV.encode("utf-8")) == with_header


def test_paragraphs_become_blocks_lines_and_words_native() -> None:
    page = page_from_tsv(TSV, language="en")
    assert (page.width, page.height) == (300, 200)
    assert page.backend == "tesseract"
    assert page.languages == ()
    # Two paragraphs with words -> two blocks; the empty block 2 is dropped.
    assert [b.text for b in page.blocks] == ["Hello world", "Hi\nthere"]
    assert [line.text for line in page.lines] == ["Hello world", "Hi", "there"]
    assert [w.text for w in page.words] == ["Hello", "world", "Hi", "there"]
    assert page.text == "Hello world\n\nHi\nthere"
    elements = [*page.blocks, *page.lines, *page.words]
    assert all(e.native for e in elements)
    assert {e.language for e in elements} == {"en"}


def test_words_keep_box_and_confidence_scaled() -> None:
    page = page_from_tsv(TSV)
    hello, world, *_ = page.words
    assert hello.geometry == Box(10, 10, 60, 30)
    assert world.geometry == Box(70, 12, 130, 30)
    assert [w.confidence for w in page.words] == pytest.approx([0.965, 0.91, 0.0, 1.0])
    # Structure rows (conf -1) never become words, and no -1 survives anywhere.
    confidences = [e.confidence for e in (*page.blocks, *page.lines, *page.words)]
    assert all(c is None or 0.0 <= c <= 1.0 for c in confidences)


def test_parents_keep_native_box_grown_to_enclose_children() -> None:
    page = page_from_tsv(TSV)
    first_line = page.lines[0]
    assert first_line.geometry == Box(10, 10, 210, 30)  # Tesseract's own line box
    hi_line = page.lines[1]
    # "Hi" starts at y=36, its line at y=40: the line grows to enclose it.
    assert hi_line.geometry == Box(10, 36, 110, 56)
    block = page.blocks[1]
    assert block.geometry == Box(10, 36, 110, 70)
    for b in page.blocks:
        for line in b.lines:
            assert line.geometry.bounds.x0 >= b.geometry.bounds.x0 - 1e-9
            for w in line.words:
                gb, lb = w.geometry.bounds, line.geometry.bounds
                assert lb.x0 <= gb.x0 and lb.y0 <= gb.y0
                assert gb.x1 <= lb.x1 and gb.y1 <= lb.y1


def test_parent_confidence_is_mean_of_words() -> None:
    page = page_from_tsv(TSV)
    assert page.lines[0].confidence == pytest.approx((0.965 + 0.91) / 2)
    assert page.blocks[1].confidence == pytest.approx(0.5)


def test_page_from_data_matches_tsv() -> None:
    rows = parse_tsv(TSV)
    data: dict[str, list[object]] = {c: [] for c in TSV_COLUMNS}
    for r in rows:
        for c in TSV_COLUMNS:
            data[c].append(getattr(r, c))
    assert page_from_data(data) == page_from_tsv(TSV)
    # pandas reads empty text cells as NaN
    data["text"] = [float("nan") if t == "" else t for t in data["text"]]
    assert page_from_data(data).words == page_from_tsv(TSV).words


def test_size_override_and_missing_page_row() -> None:
    assert page_from_tsv(TSV, width=640, height=480).width == 640
    with pytest.raises(FormatError, match="no page row"):
        page_from_tsv("\n".join(ROWS[1:]))
    assert page_from_tsv("\n".join(ROWS[1:]), width=10, height=10).words


def test_empty_page() -> None:
    page = page_from_tsv(HEADER + "\n" + ROWS[0] + "\n")
    assert page.blocks == ()
    assert page.text == ""


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("5\t1\t1\t1\t1\t1\t10\t10\t50\t20\n", "12 tab-separated"),
        ("5\t1\t1\t1\t1\tx\t10\t10\t50\t20\t9\tHello\n", "expected 10 integers"),
        ("level\tpage\n", "unexpected header"),
        ("5\t1\t1\t1\t1\t1\t10\t10\t50\t20\tnan\tHi\n", "NaN"),
    ],
)
def test_malformed_tsv_raises_format_error(text: str, match: str) -> None:
    with pytest.raises(FormatError, match=match):
        parse_tsv(text)


def test_page_from_data_missing_column() -> None:
    with pytest.raises(FormatError, match="missing column"):
        page_from_data({"level": [1]})


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ("en", "eng"),
        ("ko", "kor"),
        ("de", "deu"),
        ("fr", "fra"),
        ("zh", "chi_sim"),
        ("zh-Hans", "chi_sim"),
        ("zh-Hant", "chi_tra"),
        ("zh_TW", "chi_tra"),
        ("sr-Latn", "srp_latn"),
        ("chi_sim", "chi_sim"),
        ("frk", "frk"),
        ("en-US", "eng"),
    ],
)
def test_iso_to_tesseract(codes: str, expected: str) -> None:
    (code,) = normalize_languages(codes)
    assert to_tesseract(code) == expected


def test_tesseract_to_iso_and_packages() -> None:
    assert from_tesseract("eng") == "en"
    assert from_tesseract("chi_sim") == "zh-Hans"
    assert from_tesseract("chi_tra") == "zh-Hant"
    assert from_tesseract("frk") == "de-Latf"  # German Fraktur, not Frankish
    assert from_tesseract("osd") is None
    assert apt_package("kor") == "tesseract-ocr-kor"
    assert apt_package("chi_sim") == "tesseract-ocr-chi-sim"
    with pytest.raises(LanguageCodeError):
        to_tesseract("qq")

"""Files written by real tools: Tesseract's hOCR/ALTO/TSV, OCR-D ground truth.

Each file is also parsed independently here (lxml, csv) and the page unocr
loads is checked against that: word counts, texts and coordinates.
"""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from unocr import formats
from unocr.formats import dumps, load, loads

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMAS = FIXTURES / "formats" / "schemas"
PHOTOTEST = FIXTURES / "tesseract" / "phototest.tif"
OCRD = Path("data") / "ocrd_kant_aufklaerung_1784"
PAGE_2019 = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"
ALTO_V2 = "http://www.loc.gov/standards/alto/ns-v2#"


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


# ------------------------------------------------------------------ tesseract
def tsv_words(path: Path) -> list[tuple[str, int, int, int, int, float]]:
    """Level-5 rows of a Tesseract TSV: (text, left, top, width, height, conf)."""
    rows = csv.DictReader(
        io.StringIO(path.read_text(encoding="utf-8")),
        delimiter="\t",
        quoting=csv.QUOTE_NONE,
    )
    return [
        (
            r["text"],
            int(r["left"]),
            int(r["top"]),
            int(r["width"]),
            int(r["height"]),
            float(r["conf"]),
        )
        for r in rows
        if r["level"] == "5" and (r["text"] or "").strip()
    ]


def test_tesseract_tsv_words_and_boxes(tesseract_outputs):
    expected = tsv_words(tesseract_outputs["tsv"])
    page = load(tesseract_outputs["tsv"])
    assert (page.width, page.height) == (640, 480)
    assert len(page.words) == len(expected) > 50
    for word, (text, left, top, width, height, conf) in zip(
        page.words, expected, strict=True
    ):
        b = word.geometry.bounds
        assert word.text == text
        assert (b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0) == (left, top, width, height)
        assert word.confidence == pytest.approx(conf / 100.0)
    truth = (FIXTURES / "tesseract" / "phototest.txt").read_text(encoding="utf-8")
    assert page.text.split() == truth.split() or (
        sum((Counter(page.text.split()) & Counter(truth.split())).values())
        >= 0.9 * len(truth.split())
    )


def test_tesseract_hocr_matches_its_tsv(tesseract_outputs):
    expected = tsv_words(tesseract_outputs["tsv"])
    page = load(tesseract_outputs["hocr"])
    assert page.backend == "tesseract"
    assert page.languages == ("en",)  # lang='eng' on ocr_par
    assert [w.text for w in page.words] == [e[0] for e in expected]
    for word, (_, left, top, width, height, conf) in zip(
        page.words, expected, strict=True
    ):
        b = word.geometry.bounds
        assert (b.x0, b.y0, b.x1, b.y1) == (left, top, left + width, top + height)
        # Tesseract writes x_wconf as a whole number (truncated)
        assert word.confidence == pytest.approx(conf / 100.0, abs=0.0101)
        assert word.language == "en"
    # hocr_char_boxes: one symbol per character, inside its word
    assert all("".join(s.text for s in w.symbols) == w.text for w in page.words)
    assert len(page.symbols) == sum(len(w.text) for w in page.words)
    assert all(0.0 <= (s.confidence or 0) <= 1.0 for s in page.symbols)


def test_tesseract_hocr_structure_parsed_independently(tesseract_outputs):
    root = etree.parse(str(tesseract_outputs["hocr"])).getroot()

    def by_class(cls: str) -> list[etree._Element]:
        return root.xpath(f"//*[contains(concat(' ', @class, ' '), ' {cls} ')]")

    words = [w for w in by_class("ocrx_word") if "".join(w.itertext()).strip()]
    page = load(tesseract_outputs["hocr"])
    assert len(page.words) == len(words)
    assert len(page.lines) == len(by_class("ocr_line"))
    assert len(page.blocks) == len(by_class("ocr_par"))


def test_tesseract_alto_matches_its_tsv(tesseract_outputs):
    expected = tsv_words(tesseract_outputs["tsv"])
    root = etree.parse(str(tesseract_outputs["alto"])).getroot()
    ns = {"a": root.nsmap[None]}
    assert ns["a"] == "http://www.loc.gov/standards/alto/ns-v3#"
    strings = root.findall(".//a:String", ns)
    page = load(tesseract_outputs["alto"])
    assert page.backend == "tesseract"
    assert len(page.words) == len(strings) == len(expected)
    for word, s in zip(page.words, strings, strict=True):
        b = word.geometry.bounds
        assert word.text == s.get("CONTENT")
        assert (b.x0, b.y0) == (float(s.get("HPOS")), float(s.get("VPOS")))
        assert (b.x1 - b.x0, b.y1 - b.y0) == (
            float(s.get("WIDTH")),
            float(s.get("HEIGHT")),
        )
        assert word.confidence == pytest.approx(float(s.get("WC")))


def test_tesseract_files_convert_to_valid_alto_and_page(tesseract_outputs):
    alto_schema, page_schema = (
        schema("alto-4-4.xsd"),
        schema("pagecontent-2019-07-15.xsd"),
    )
    for path in tesseract_outputs.values():
        page = load(path)
        alto = dumps(page, "alto").encode()
        page_xml = dumps(page, "page-xml").encode()
        assert alto_schema.validate(etree.fromstring(alto)), alto_schema.error_log
        assert page_schema.validate(etree.fromstring(page_xml)), page_schema.error_log
        assert loads(alto).text == page.text == loads(page_xml).text


def test_cli_convert_tesseract_hocr_to_alto(tesseract_outputs, tmp_path):
    from unocr.cli import main

    out = tmp_path / "phototest.alto.xml"
    assert main(["convert", str(tesseract_outputs["hocr"]), "-o", str(out)]) == 0
    assert schema("alto-4-4.xsd").validate(etree.parse(str(out)))
    assert load(out).text == load(tesseract_outputs["hocr"]).text


# ---------------------------------------------------------------------- OCR-D
def ocrd_page_words(path: Path) -> list[tuple[str, float, float, float, float]]:
    root = etree.parse(str(path)).getroot()
    ns = {"p": PAGE_2019}
    out = []
    for word in root.iterfind(".//p:Word", ns):
        points = [
            tuple(map(float, pair.split(",")))
            for pair in word.find("p:Coords", ns).get("points").split()
        ]
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        text = word.find("p:TextEquiv/p:Unicode", ns).text
        out.append((text, min(xs), min(ys), max(xs), max(ys)))
    return out


def test_ocrd_page_xml_words_and_coordinates(shared_dir):
    path = shared_dir / OCRD / "OCR-D-GT-PAGE" / "PAGE_0017_PAGE.xml"
    expected = ocrd_page_words(path)
    page = load(path)
    assert (page.width, page.height) == (1457, 2083)
    assert len(expected) == 161
    assert len(page.words) == 161
    assert len(page.lines) == 24
    got = [(w.text, *_bounds(w.geometry)) for w in page.words]
    assert Counter(got) == Counter(expected)
    # a word without @language has its line's (or region's) primaryLanguage
    root = etree.parse(str(path)).getroot()
    german = 0
    for w in root.iterfind(f".//{{{PAGE_2019}}}Word"):
        line, region = w.getparent(), w.getparent().getparent()
        lang = (
            w.get("language")
            or line.get("primaryLanguage")
            or region.get("primaryLanguage")
        )
        german += lang == "German"
    assert 100 < german == sum(w.language == "de" for w in page.words)
    assert "Aufklaͤrung" in page.text
    # regions come in the file's ReadingOrder
    assert page.blocks[0].text == "Berliniſche Monatsſchrift."
    assert page.blocks[1].text.startswith("1784")


def test_ocrd_alto_v2_words_and_coordinates(shared_dir):
    path = shared_dir / OCRD / "OCR-D-GT-ALTO" / "PAGE_0017_ALTO.xml"
    root = etree.parse(str(path)).getroot()
    expected = [
        (
            s.get("CONTENT"),
            float(s.get("HPOS")),
            float(s.get("VPOS")),
            float(s.get("HPOS")) + float(s.get("WIDTH")),
            float(s.get("VPOS")) + float(s.get("HEIGHT")),
        )
        for s in root.iterfind(".//a:String", {"a": ALTO_V2})
    ]
    page = load(path)
    assert len(expected) == 161
    assert [(w.text, *_bounds(w.geometry)) for w in page.words] == expected
    assert len(page.lines) == 24
    assert (page.width, page.height) == (1457, 2083)


def test_ocrd_page_xml_converts_to_valid_alto_and_page(shared_dir):
    page = load(shared_dir / OCRD / "OCR-D-GT-PAGE" / "PAGE_0017_PAGE.xml")
    alto = dumps(page, "alto").encode()
    page_xml = dumps(page, "page-xml").encode()
    assert schema("alto-4-4.xsd").validate(etree.fromstring(alto))
    assert schema("pagecontent-2019-07-15.xsd").validate(etree.fromstring(page_xml))
    again = loads(page_xml)
    assert [(w.text, *_bounds(w.geometry)) for w in again.words] == [
        (w.text, *_bounds(w.geometry)) for w in page.words
    ]
    assert [w.language for w in again.words] == [w.language for w in page.words]


@pytest.mark.parametrize("version", ["2013-07-15", "2017-07-15", "2024-07-15"])
def test_other_page_namespaces_read_the_same(shared_dir, version):
    path = shared_dir / OCRD / "OCR-D-GT-PAGE" / "PAGE_0017_PAGE.xml"
    original = load(path)
    text = path.read_text(encoding="utf-8").replace(
        PAGE_2019, PAGE_2019[:-10] + version
    )
    page = loads(text)
    assert page.text == original.text
    assert [w.geometry for w in page.words] == [w.geometry for w in original.words]


def test_page_2024_output_of_ours_validates_against_2024_schema(shared_dir):
    """unocr writes 2019; the same content is valid 2024 PAGE too (read side)."""
    page = load(shared_dir / OCRD / "OCR-D-GT-PAGE" / "PAGE_0017_PAGE.xml")
    doc = dumps(page, "page-xml").replace("2019-07-15", "2024-07-15")
    xsd = etree.XMLSchema(
        etree.parse(str(shared_dir / "schemas" / "pagecontent-2024-07-15.xsd"))
    )
    assert xsd.validate(etree.fromstring(doc.encode())), xsd.error_log
    assert loads(doc).text == page.text


def test_ocrd_files_are_not_copied_into_the_project():
    assert not list(Path(__file__).parent.rglob("PAGE_0017_*"))


def _bounds(geometry) -> tuple[float, float, float, float]:
    b = geometry.bounds
    return (b.x0, b.y0, b.x1, b.y1)


def test_formats_module_lists_gcv_as_readable_only():
    assert "gcv" in formats.READ_FORMATS
    assert "gcv" not in formats.WRITE_FORMATS


def test_tesseract_korean_output_survives_every_format(tmp_path):
    """Real Korean hOCR/ALTO/TSV from tesseract load with the same words."""
    from PIL import Image, ImageDraw, ImageFont

    from unocr.draw import find_font

    exe = shutil.which("tesseract")
    if exe is None:
        pytest.skip("the tesseract binary is not installed")
    langs = subprocess.run(
        [exe, "--list-langs"], capture_output=True, text=True, check=False, timeout=60
    ).stdout.split()
    font = find_font("안녕하세요")
    if "kor" not in langs or font is None:
        pytest.skip("needs tesseract-ocr-kor and a Hangul font (fonts-nanum)")
    image = Image.new("L", (700, 160), 255)
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(font, 40)
    draw.text((20, 20), "안녕하세요 세계", font=face, fill=0)
    draw.text((20, 90), "한국어 문서 인식", font=face, fill=0)
    image.save(tmp_path / "ko.png")
    out = tmp_path / "ko"
    subprocess.run(
        [exe, str(tmp_path / "ko.png"), str(out), "-l", "kor", "hocr", "alto", "tsv"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    pages = [load(out.with_suffix(s)) for s in (".hocr", ".xml", ".tsv")]
    expected = [w[0] for w in tsv_words(out.with_suffix(".tsv"))]
    hangul = [w for w in expected if any("\uac00" <= c <= "\ud7a3" for c in w)]
    assert len(hangul) >= 3, expected
    for page in pages:
        assert [w.text for w in page.words] == expected
        for fmt in ("hocr", "alto", "page-xml", "tsv", "json"):
            assert [w.text for w in loads(dumps(page, fmt)).words] == expected
    assert pages[0].languages == ("ko",)

"""Files other tools write: Tesseract's LSTM choices and multi-page ALTO,
OCRopus and kraken hOCR, nested PAGE regions, other encodings, and
``unocr convert`` on multi-page files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from unocr.cli import main
from unocr.errors import FormatError
from unocr.formats import dumps, dumps_pages, load, loads, loads_pages
from unocr.geometry import Box
from unocr.model import Page, Source, Word

from .needs import needs_tesseract

TESSERACT_DIR = Path(__file__).parent / "fixtures" / "tesseract"
PAGE_2019 = "http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15"

# An excerpt of `tesseract phototest.tif out -c lstm_choice_mode=2 hocr`.
LSTM_CHOICES = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml">
 <head><meta name='ocr-system' content='tesseract 5.3.0' /></head>
 <body>
  <div class='ocr_page' id='page_1' title='bbox 0 0 640 480; ppageno 0'>
   <div class='ocr_carea' id='block_1_1' title="bbox 36 92 618 361">
    <p class='ocr_par' id='par_1_1' lang='eng' title="bbox 36 92 618 184">
     <span class='ocr_line' id='line_1_1' title="bbox 36 92 580 122; baseline 0 -6">
      <span class='ocrx_word' id='word_1_1' title='bbox 36 92 96 116; x_wconf 96'>This
       <span class='ocrx_cinfo' id='lstm_choices_1_1_1'>
        <span class='ocrx_cinfo' id='choice_1_1_1' title='x_confs 88.575592'>T</span>
        <span class='ocrx_cinfo' id='choice_1_1_2' title='x_confs 0'>F</span></span>
      </span>
      <span class='ocrx_word' id='word_1_2' title='bbox 109 92 129 116; x_wconf 96'>is
       <span class='ocrx_cinfo' id='lstm_choices_1_2_1'>
        <span class='ocrx_cinfo' id='choice_1_2_1' title='x_confs 90.85'>i</span>
        <span class='ocrx_cinfo' id='choice_1_2_2' title='x_confs 0'>_</span></span>
      </span>
     </span>
    </p>
   </div>
  </div>
 </body>
</html>
"""


def _one_word_page(text: str = "Müller") -> Page:
    word = Word(text=text, geometry=Box(10, 10, 60, 30), confidence=0.9)
    return Page.from_words([word], width=100, height=50)


def _two_page_tif(path: Path) -> Path:
    a = Image.open(TESSERACT_DIR / "phototest.tif")
    b = Image.open(TESSERACT_DIR / "eurotext.tif")
    a.save(path, save_all=True, append_images=[b])
    return path


# ------------------------------------------------------ hOCR: LSTM alternatives
def test_hocr_word_text_excludes_lstm_choices():
    page = loads(LSTM_CHOICES)
    assert [w.text for w in page.words] == ["This", "is"]
    assert page.text == "This is"


def test_hocr_alternatives_markup_takes_the_inserted_reading():
    hocr = (
        "<html><body><div class='ocr_page' title='bbox 0 0 100 50'>"
        "<span class='ocr_line' title='bbox 0 0 100 20'>"
        "<span class='ocrx_word' title='bbox 0 0 40 20'>"
        "<span class='alternatives'><ins class='alt' title='nlp 0.3'>the</ins>"
        "<del class='alt' title='nlp 0.5'>tho</del></span></span>"
        "</span></div></body></html>"
    )
    assert loads(hocr).text == "the"


@needs_tesseract
@pytest.mark.parametrize("mode", ["1", "2"])
def test_tesseract_lstm_choice_hocr_reads_like_plain_hocr(tmp_path, mode):
    image = TESSERACT_DIR / "phototest.tif"
    for name, extra in (("plain", []), ("choices", ["-c", f"lstm_choice_mode={mode}"])):
        subprocess.run(
            ["tesseract", str(image), str(tmp_path / name), *extra, "hocr"],
            check=True,
            capture_output=True,
            timeout=120,
        )
    plain = load(tmp_path / "plain.hocr")
    choices = load(tmp_path / "choices.hocr")
    assert choices.text.startswith("This is a lot of 12 point text")
    assert [w.text for w in choices.words] == [w.text for w in plain.words]


# ---------------------------------------------------- loads_pages: encodings
@pytest.mark.parametrize(
    ("fmt", "encoding", "codec"),
    [("alto", "ISO-8859-1", "latin-1"), ("alto", "UTF-16", "utf-16"),
     ("hocr", "UTF-16", "utf-16")],
)  # fmt: skip
def test_loads_pages_reads_xml_in_other_encodings(fmt, encoding, codec):
    text = dumps(_one_word_page(), fmt).replace(
        'encoding="UTF-8"', f'encoding="{encoding}"'
    )
    data = text.encode(codec)
    assert loads(data).text == "Müller"
    assert [p.text for p in loads_pages(data)] == ["Müller"]


def test_loads_pages_reads_multi_page_alto_in_latin1():
    pages = [_one_word_page("Müller"), _one_word_page("Jäger")]
    text = dumps_pages(pages, "alto").replace(
        'encoding="UTF-8"', 'encoding="ISO-8859-1"'
    )
    assert [p.text for p in loads_pages(text.encode("latin-1"))] == ["Müller", "Jäger"]


def test_loads_pages_undecodable_json_is_a_format_error():
    with pytest.raises(FormatError, match="UTF-8"):
        loads_pages(b'{"schema": "unocr.page/1", "x": "\xff"}\n{"a": 1}\n')


# ------------------------------------------------- hOCR lines without words
OCROPUS = """<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml">
<head><meta name="ocr-system" content="ocropus 0.4"/></head>
<body>
<div class='ocr_page' title='bbox 0 0 1000 800; image "book/0001.png"'>
<span class='ocr_line' title='bbox 100 100 900 140'>Berlinische Monatsschrift.</span><br />
<span class='ocr_line' title='bbox 100 160 900 200'>Zwoelftes  Stueck.
 December.</span><br />
</div>
</body></html>
"""


def test_hocr_lines_without_words_keep_their_text():
    page = loads(OCROPUS)
    assert [line.text for line in page.lines] == [
        "Berlinische Monatsschrift.",
        "Zwoelftes Stueck. December.",
    ]
    word = page.lines[0].words[0]
    assert word.text == "Berlinische Monatsschrift."
    assert word.native is False
    assert word.geometry.bounds == Box(100, 100, 900, 140).bounds
    assert page.lines[0].native is True


# ------------------------------------------ PAGE: nested regions and order
def _region(rid: str, y: int, text: str) -> str:
    pts = f"0,{y} 500,{y} 500,{y + 40} 0,{y + 40}"
    return (
        f'<TextRegion id="{rid}"><Coords points="{pts}"/><TextLine id="{rid}_l">'
        f'<Coords points="{pts}"/><TextEquiv><Unicode>{text}</Unicode></TextEquiv>'
        "</TextLine></TextRegion>"
    )


def test_page_nested_regions_take_their_listed_ancestors_place():
    doc = f"""<?xml version="1.0" encoding="UTF-8"?>
<PcGts xmlns="{PAGE_2019}"><Page imageFilename="a.png" imageWidth="600" imageHeight="800">
<ReadingOrder><OrderedGroup id="ro"><RegionRefIndexed index="0" regionRef="r1"/>
<RegionRefIndexed index="1" regionRef="t1"/><RegionRefIndexed index="2" regionRef="r2"/>
</OrderedGroup></ReadingOrder>
{_region("r2", 400, "after table")}
<TableRegion id="t1"><Coords points="0,100 500,100 500,300 0,300"/>
{_region("c1", 100, "cell one")}{_region("c2", 200, "cell two")}</TableRegion>
{_region("r1", 0, "before table")}
{_region("x", 600, "unlisted")}
</Page></PcGts>"""
    assert [b.text for b in loads(doc).blocks] == [
        "before table",
        "cell one",
        "cell two",
        "after table",
        "unlisted",
    ]


# ------------------------------------------------ ALTO: page numbers from 0
def _alto_pages(software: str, numbers: list[str]) -> str:
    pages = "".join(
        f'<Page ID="p{n}" WIDTH="10" HEIGHT="10" PHYSICAL_IMG_NR="{n}">'
        '<PrintSpace><TextBlock><TextLine><String CONTENT="x" HPOS="1" VPOS="1" '
        'WIDTH="2" HEIGHT="2"/></TextLine></TextBlock></PrintSpace></Page>'
        for n in numbers
    )
    return (
        '<alto xmlns="http://www.loc.gov/standards/alto/ns-v3#"><Description>'
        "<MeasurementUnit>pixel</MeasurementUnit><sourceImageInformation>"
        "<fileName>scan.tif</fileName></sourceImageInformation><OCRProcessing ID='o'>"
        "<ocrProcessingStep><processingSoftware><softwareName>"
        f"{software}</softwareName></processingSoftware></ocrProcessingStep>"
        f"</OCRProcessing></Description><Layout>{pages}</Layout></alto>"
    )


@pytest.mark.parametrize(
    ("software", "numbers", "indexes"),
    [
        ("tesseract", ["0", "1"], [0, 1]),
        ("tesseract", ["1"], [1]),  # page 2 of a document, on its own
        ("kraken", ["1"], [1]),
        ("ABBYY FineReader", ["1", "2"], [0, 1]),
        ("ABBYY FineReader", ["0", "1", "2"], [0, 1, 2]),
    ],
)
def test_alto_page_numbers_from_zero(software, numbers, indexes):
    pages = loads_pages(_alto_pages(software, numbers))
    assert [p.source.index for p in pages] == indexes


@needs_tesseract
def test_tesseract_multi_page_alto_indexes_match_its_hocr(tmp_path):
    tif = _two_page_tif(tmp_path / "two.tif")
    subprocess.run(
        ["tesseract", str(tif), str(tmp_path / "two"), "hocr", "alto"],
        check=True,
        capture_output=True,
        timeout=240,
    )
    alto = loads_pages((tmp_path / "two.xml").read_bytes())
    hocr = loads_pages((tmp_path / "two.hocr").read_bytes())
    assert [p.source.index for p in alto] == [p.source.index for p in hocr] == [0, 1]


# -------------------------------------------------------------- kraken hOCR
KRAKEN = """<!DOCTYPE html>
<html><head><meta name="ocr-system" content="kraken"/></head><body>
<div class="ocr_page" title="bbox 0 0 1000 800; image page.png">
 <div class="ocrx_block" id="region_0" title="bbox 90 90 910 210">
  <span class="ocr_line" id="line_0" title="bbox 100 100 900 140">
   <span class="ocrx_word" title="bbox 100 100 300 140; x_confs 0.99 0.98">Erste</span>
  </span></div>
 <div class="ocrx_block" id="region_1" title="bbox 90 400 910 510">
  <span class="ocr_line" id="line_1" title="bbox 100 410 900 450">
   <span class="ocrx_word" title="bbox 100 410 300 450; x_confs 0.9">Zweiter</span>
  </span></div>
</div></body></html>
"""


def test_kraken_hocr_blocks_are_read():
    page = loads(KRAKEN)
    assert [b.text for b in page.blocks] == ["Erste", "Zweiter"]
    assert page.blocks[0].geometry.bounds == Box(90, 90, 910, 210).bounds
    assert page.blocks[0].native is True


# --------------------------------------------------------- convert: pages
def _pages() -> list[Page]:
    return [
        Page.from_words(
            [Word(text=f"page{i}", geometry=Box(10, 10, 60, 30))], width=100, height=50
        ).replace(source=Source("doc.pdf", index=i))
        for i in range(2)
    ]


@pytest.mark.parametrize(("fmt", "name"), [("hocr", "in.hocr"),
                                           ("alto", "in.alto.xml"),
                                           ("json", "in.json")])  # fmt: skip
@pytest.mark.parametrize("to", ["hocr", "alto", "json", "text"])
def test_cli_convert_multi_page_to_multi_page_formats(tmp_path, capsys, fmt, name, to):
    src = tmp_path / name
    src.write_text(dumps_pages(_pages(), fmt), encoding="utf-8")
    out = tmp_path / f"out.{to}"
    assert main(["convert", str(src), "--to", to, "-o", str(out)]) == 0, (
        capsys.readouterr().err
    )
    if to == "text":
        assert out.read_text(encoding="utf-8").split("\f") == ["page0\n", "page1\n"]
    else:
        pages = loads_pages(out.read_bytes())
        assert [(p.text, p.source.index) for p in pages] == [("page0", 0), ("page1", 1)]


def test_cli_convert_multi_page_to_one_page_format_by_page_pattern(tmp_path, capsys):
    src = tmp_path / "in.hocr"
    src.write_text(dumps_pages(_pages(), "hocr"), encoding="utf-8")
    pattern = str(tmp_path / "out-{page}.page.xml")
    assert main(["convert", str(src), "-o", pattern]) == 0, capsys.readouterr().err
    assert load(tmp_path / "out-1.page.xml").text == "page0"
    assert load(tmp_path / "out-2.page.xml").text == "page1"
    assert main(["convert", str(src), "--to", "tsv"]) == 2  # a usage error
    err = capsys.readouterr().err
    assert "holds 2 pages" in err and "{page}" in err


def test_cli_convert_multi_page_json_lines_to_stdout(tmp_path, capsys):
    src = tmp_path / "in.json"
    src.write_text(dumps_pages(_pages(), "json"), encoding="utf-8")
    assert main(["convert", str(src), "--to", "json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(x)["source"]["index"] for x in lines] == [0, 1]


@pytest.mark.parametrize("fmt", ["hocr", "alto", "json"])
def test_one_page_readers_point_to_loads_pages(fmt):
    with pytest.raises(FormatError, match="loads_pages"):
        loads(dumps_pages(_pages(), fmt))


@needs_tesseract
def test_cli_convert_tesseract_multi_page_hocr(tmp_path, capsys):
    tif = _two_page_tif(tmp_path / "two.tif")
    subprocess.run(
        ["tesseract", str(tif), str(tmp_path / "two"), "hocr"],
        check=True,
        capture_output=True,
        timeout=240,
    )
    out = tmp_path / "two.alto.xml"
    assert main(["convert", str(tmp_path / "two.hocr"), "-o", str(out)]) == 0, (
        capsys.readouterr().err
    )
    pages = loads_pages(out.read_bytes())
    assert [p.source.index for p in pages] == [0, 1]
    assert pages[0].text.startswith("This is a lot of 12 point text")


@pytest.mark.parametrize(
    "name", ["report%2210.png", 'say "hi".png', "100% done%.png", "a%25b%22c.tif"]
)
def test_hocr_keeps_a_file_name_with_percent_signs_and_quotes(name):
    # the image property escapes '"' as %22; a literal "%22" in a name came
    # back as '"' (report%2210.png -> report"10.png) before '%' was escaped too
    page = Page.from_words(
        [Word(text="one", geometry=Box(1, 1, 9, 5))], width=20, height=10
    ).replace(source=Source(name, 0))
    back = loads(dumps(page, "hocr"), "hocr")
    assert back.source is not None and back.source.name == name


_ALTO_UNSIZED = """<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#">
 <Description><MeasurementUnit>pixel</MeasurementUnit></Description>
 <Layout><Page ID="p1" PHYSICAL_IMG_NR="1"{size}><PrintSpace>
  <TextBlock ID="b1"><TextLine ID="l1" HPOS="10" VPOS="10" WIDTH="100" HEIGHT="20">
   <String ID="s1" CONTENT="Hello" HPOS="10" VPOS="10" WIDTH="50" HEIGHT="20"/>
  </TextLine></TextBlock></PrintSpace></Page></Layout>
</alto>"""


@pytest.mark.parametrize(
    ("size", "expected"),
    [("", (110, 30)), (' WIDTH="400"', (400, 30)), (' HEIGHT="500"', (110, 500))],
)
def test_alto_page_without_a_size_is_sized_by_its_content(size, expected):
    # WIDTH and HEIGHT are optional on an ALTO Page (the schema allows it):
    # such a file was refused; the size left out is where its content ends
    page = loads(_ALTO_UNSIZED.format(size=size), "alto")
    assert (page.width, page.height) == expected
    assert page.text == "Hello"


def test_alto_page_without_a_size_or_positions_is_a_format_error():
    bare = (
        _ALTO_UNSIZED.format(size="")
        .replace(' HPOS="10" VPOS="10" WIDTH="100" HEIGHT="20"', "")
        .replace(' HPOS="10" VPOS="10" WIDTH="50" HEIGHT="20"', "")
    )
    with pytest.raises(FormatError, match="no WIDTH and HEIGHT"):
        loads(bare, "alto")

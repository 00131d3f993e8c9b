"""Dataset loaders: which file is whose image or ground truth, and what they hold.

Line images only of their own ``.gt.txt``, image references read as XML,
word-less ``###`` lines, ground-truth names differing in case only, ``.gt.txt``
outside the ``text`` kind, and plain decimal coordinates.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from unocr.datasets import (
    load_dataset,
    load_icdar2015,
    load_linegt,
    load_page_xml,
    load_sroie,
    load_text,
    load_unocr_json,
)
from unocr.errors import DatasetError
from unocr.geometry import Box
from unocr.model import Block, Line, Page, Word


def _image(path: Path, size: tuple[int, int] = (100, 50)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "white").save(path)
    return path


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -------------------------------------------------------------------- linegt


def test_linegt_ground_truth_without_its_image_takes_no_other(tmp_path: Path) -> None:
    _image(tmp_path / "q.b.png")
    _write(tmp_path / "q.gt.txt", "q only\n")
    _write(tmp_path / "q.b.gt.txt", "qb\n")
    ds = load_linegt(tmp_path)
    assert [(s.id, s.image.name, s.truth.text) for s in ds] == [
        ("q.b", "q.b.png", "qb")
    ]


def test_linegt_only_the_documented_variants_count(tmp_path: Path) -> None:
    _image(tmp_path / "x.other.png")
    _image(tmp_path / "x.png.bak.png")
    _write(tmp_path / "x.gt.txt", "no image of its own\n")
    _image(tmp_path / "a.tif")
    _image(tmp_path / "a.bin.png")
    _write(tmp_path / "a.gt.txt", "a\n")
    _image(tmp_path / "b.nrm.png")
    _image(tmp_path / "b.bin.png")
    _write(tmp_path / "b.gt.txt", "b\n")
    _image(tmp_path / "c.JPG")
    _write(tmp_path / "c.gt.txt", "c\n")
    got = {s.id: s.image.name for s in load_linegt(tmp_path)}
    assert got == {"a": "a.tif", "b": "b.bin.png", "c": "c.JPG"}


def test_linegt_glob_characters_in_names(tmp_path: Path) -> None:
    stems = ["line[1]", "[!x]", "l*ne", "li?e"]
    for stem in stems:
        _image(tmp_path / f"{stem}.bin.png")
        _write(tmp_path / f"{stem}.gt.txt", "text\n")
    got = {s.id: s.image.name for s in load_linegt(tmp_path)}
    assert got == {stem: f"{stem}.bin.png" for stem in stems}


# ----------------------------------------------------------- PAGE-XML / ALTO

_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15">{c}
<Metadata><Creator>x</Creator><Created>2020-01-01T00:00:00</Created>\
<LastChange>2020-01-01T00:00:00</LastChange></Metadata>
<Page imageFilename="{ref}" imageWidth="100" imageHeight="50">\
<TextRegion id="r1"><Coords points="0,0 90,0 90,40 0,40"/>
<TextLine id="l1"><Coords points="0,0 90,0 90,40 0,40"/><Word id="w1">\
<Coords points="0,0 40,0 40,20 0,20"/><TextEquiv><Unicode>Wort</Unicode></TextEquiv>\
</Word><TextEquiv><Unicode>Wort</Unicode></TextEquiv></TextLine></TextRegion>\
</Page></PcGts>"""

_ALTO = """<?xml version="1.0" encoding="UTF-8"?>
<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#">{c}
<Description><MeasurementUnit>pixel</MeasurementUnit>
<sourceImageInformation><fileName>{ref}</fileName></sourceImageInformation>
</Description>
<Layout><Page ID="p1" WIDTH="100" HEIGHT="50" PHYSICAL_IMG_NR="1">
<PrintSpace HPOS="0" VPOS="0" WIDTH="100" HEIGHT="50">
<TextBlock ID="b1" HPOS="0" VPOS="0" WIDTH="90" HEIGHT="40">
<TextLine ID="l1" HPOS="0" VPOS="0" WIDTH="90" HEIGHT="40">
<String ID="s1" HPOS="0" VPOS="0" WIDTH="40" HEIGHT="20" CONTENT="Wort"/>
</TextLine></TextBlock></PrintSpace></Page></Layout></alto>"""


_LAYOUT_XML = {"page-xml": _PAGE, "alto": _ALTO}


def _image_named(kind: str, folder: Path, ref: str, comment: str = "") -> Path:
    """Write ``folder / "g.xml"``, a layout XML file of ``kind`` that names the
    image ``ref`` (``comment`` at its top); the image of its one sample."""
    _write(folder / "g.xml", _LAYOUT_XML[kind].format(c=comment, ref=ref))
    (sample,) = load_dataset(f"{kind}:{folder}")
    return sample.image


@pytest.mark.parametrize("kind", _LAYOUT_XML)
def test_layout_xml_reference_in_a_comment_is_no_reference(
    tmp_path: Path, kind: str
) -> None:
    _image(tmp_path / "real.png")
    _image(tmp_path / "old.png")
    comment = (
        '<!-- was imageFilename="old.png" <fileName>old.png</fileName> -->'
        '<?note imageFilename="old.png"?>'
    )
    assert _image_named(kind, tmp_path, "real.png", comment).name == "real.png"


@pytest.mark.parametrize("kind", _LAYOUT_XML)
def test_layout_xml_reference_is_unescaped(tmp_path: Path, kind: str) -> None:
    _image(tmp_path / "Tom & Jerry 1.png")
    _image(tmp_path / "other 1.png")
    image = _image_named(kind, tmp_path, "Tom &amp; Jerry&#32;1.png")
    assert image.name == "Tom & Jerry 1.png"


@pytest.mark.parametrize("kind", _LAYOUT_XML)
def test_layout_xml_file_uri_is_decoded(tmp_path: Path, kind: str) -> None:
    scan = _image(tmp_path / "scans" / "my scan.png")
    _image(tmp_path / "gt" / "b.png")
    uri = scan.as_uri().replace("my%20scan", "my%20sc%61n")
    assert _image_named(kind, tmp_path / "gt", uri) == scan


def test_layout_xml_relative_references_stay_relative(tmp_path: Path) -> None:
    _image(tmp_path / "img" / "my scan.png")
    _image(tmp_path / "gt" / "a%20b.png")
    _image(tmp_path / "gt" / "a b.png")
    uri = _PAGE.format(c="", ref="file:../img/my%20scan.png")
    _write(tmp_path / "gt" / "uri.xml", uri)
    # a plain path is a path: its % is no escape
    _write(tmp_path / "gt" / "plain.xml", _PAGE.format(c="", ref="a%20b.png"))
    got = {s.id: s.image for s in load_page_xml(tmp_path / "gt")}
    assert got == {
        "uri": tmp_path / "gt" / ".." / "img" / "my scan.png",
        "plain": tmp_path / "gt" / "a%20b.png",
    }


# ---------------------------------------------------------- json don't-care


def test_json_wordless_dont_care_line_among_words_is_ignored(tmp_path: Path) -> None:
    _image(tmp_path / "p.png", (200, 100))
    word = Word(text="hello", geometry=Box(1, 1, 30, 10))
    page = Page(
        width=200,
        height=100,
        blocks=(
            Block.from_lines(
                [Line(text="hello", geometry=Box(1, 1, 30, 10), words=(word,))]
            ),
            Block.from_lines(
                [
                    Line(text="###", geometry=Box(1, 40, 60, 60), words=()),
                    Line(text="kept", geometry=Box(1, 70, 60, 90), words=()),
                ]
            ),
        ),
    )
    _write(tmp_path / "p.json", page.to_json())
    (sample,) = load_unocr_json(tmp_path)
    assert sample.level == "word"
    assert sample.ignore == (Box(1, 40, 60, 60),)
    assert sample.truth.text == "hello\n\nkept"
    assert [r.text for r in sample.regions()] == ["hello", "kept"]


# ---------------------------------------------- ground truth differing in case


@pytest.mark.parametrize(
    ("load", "image", "names"),
    [
        (load_icdar2015, "img_1.jpg", ("gt_img_1.txt", "gt_img_1.TXT")),
        (load_sroie, "X1.jpg", ("X1.txt", "X1.Txt")),
        (load_text, "page.png", ("page.txt", "page.TXT")),
    ],
)
def test_two_ground_truths_beside_an_image_are_a_tie(
    tmp_path: Path, load: object, image: str, names: tuple[str, str]
) -> None:
    _image(tmp_path / image)
    for name in names:
        _write(tmp_path / name, "1,1,20,1,20,10,1,10,W\n")
    with pytest.raises(DatasetError) as err:
        load(tmp_path)  # type: ignore[operator]
    message = str(err.value)
    assert all(name in message for name in names)
    assert image in message


# ------------------------------------------------------------ text and .gt.txt


def test_text_kind_skips_single_line_ground_truth(tmp_path: Path) -> None:
    _image(tmp_path / "c.gt.png")
    _write(tmp_path / "c.gt.txt", "single line gt\n")
    _image(tmp_path / "d.GT.png")
    _write(tmp_path / "d.GT.TXT", "single line gt\n")
    _image(tmp_path / "page.png")
    _write(tmp_path / "page.txt", "page text\n")
    assert [s.id for s in load_text(tmp_path)] == ["page"]


def test_text_kind_with_only_line_ground_truth_has_no_sample(tmp_path: Path) -> None:
    _image(tmp_path / "c.gt.png")
    _write(tmp_path / "c.gt.txt", "single line gt\n")
    with pytest.raises(DatasetError, match="no annotated images"):
        load_text(tmp_path)


# ------------------------------------------------------------- coordinates


@pytest.mark.parametrize("bad", ["1_0", "1e1", "1E1", "inf", "nan", "-inf", "\u0661"])
@pytest.mark.parametrize("kind", ["icdar2015", "sroie"])
def test_coordinates_must_be_plain_decimals(
    tmp_path: Path, bad: str, kind: str
) -> None:
    _image(tmp_path / "img_1.jpg")
    name = "gt_img_1.txt" if kind == "icdar2015" else "img_1.txt"
    # line 1 holds plain decimals in every accepted spelling
    first = " +1 , 1.5,20.,1,20,10,-0,.5"
    _write(tmp_path / name, f"{first},ok\n{bad},1,20,1,20,10,1,10,X\n")
    with pytest.raises(
        DatasetError, match=rf"{name} line 2: coordinates must be"
    ) as err:
        load_dataset(f"{kind}:{tmp_path}")
    assert err.value.item == f"{tmp_path / name}:2"


def test_coordinates_plain_decimals_are_read(tmp_path: Path) -> None:
    _image(tmp_path / "img_1.jpg")
    _write(
        tmp_path / "gt_img_1.txt",
        " +1 , 1.5,20.,1,20,10,1,10,X\n.5,41,20,41,20,50,-0,50,Y\n1_0,1,20,1,20,10,1,10,Z\n",
    )
    with pytest.raises(DatasetError, match=r"gt_img_1\.txt line 3"):
        load_icdar2015(tmp_path)
    _write(
        tmp_path / "gt_img_1.txt",
        " +1 , 1.5,20.,1,20,10,1,10,X\n.5,41,20,41,20,50,-0,50,Y\n",
    )
    words = {
        w.text: w.geometry.to_box() for w in load_icdar2015(tmp_path)[0].truth.words
    }
    assert words == {"X": Box(1, 1, 20, 10), "Y": Box(0, 41, 20, 50)}

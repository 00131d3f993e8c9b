"""Dataset loaders on small synthetic files: BOM, CRLF, commas, ``###``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from unocr.datasets import (
    DATASET_KINDS,
    load_alto,
    load_dataset,
    load_funsd,
    load_icdar2015,
    load_linegt,
    load_sroie,
    load_text,
    load_unocr_json,
    parse_dataset_spec,
)
from unocr.errors import ConfigError, DatasetError
from unocr.formats import dumps
from unocr.geometry import Box, Quad
from unocr.metrics import score_page
from unocr.model import Line, Page, Source, Word


def _image(
    path: Path, size: tuple[int, int] = (200, 100), exif: int | None = None
) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.new("RGB", size, "white")
    if exif is None:
        im.save(path)
    else:
        ex = Image.Exif()
        ex[0x0112] = exif
        im.save(path, exif=ex)
    return path


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------- ICDAR


ICDAR_GT = (
    "\ufeff10,10,60,10,60,30,10,30,Hello\r\n"
    "70,10,150,12,149,32,69,30,100,000\r\n"
    "5,50,40,50,40,70,5,70,###\r\n"
    "50,50,120,50,120,70,50,70,a,b,,c\r\n"
)


def test_icdar2015_bom_crlf_commas_dont_care(tmp_path: Path) -> None:
    _image(tmp_path / "images" / "img_1.jpg")
    _write(tmp_path / "gt" / "gt_img_1.txt", ICDAR_GT.encode("utf-8"))
    ds = load_icdar2015(tmp_path)
    assert len(ds) == 1
    sample = ds[0]
    assert sample.id == "img_1"
    assert sample.level == "word"
    assert sample.localized
    texts = sorted(w.text for w in sample.truth.words)
    # BOM stripped from the first word, commas kept inside transcriptions
    assert texts == ["100,000", "Hello", "a,b,,c"]
    assert len(sample.ignore) == 1
    assert sample.ignore[0].to_box() == Box(5, 50, 40, 70)
    assert (sample.truth.width, sample.truth.height) == (200, 100)
    hello = next(w for w in sample.truth.words if w.text == "Hello")
    assert isinstance(hello.geometry, Quad)
    assert hello.geometry.area == pytest.approx(50 * 20)


def test_icdar2015_vertical_word(tmp_path: Path) -> None:
    """Vertex 1 is the top-left *as read*: here a word rotated by 90 degrees."""
    _image(tmp_path / "img_2.jpg")
    # vertical word reading top to bottom: first vertex at the top right
    _write(tmp_path / "gt_img_2.txt", b"40,10,40,90,20,90,20,10,DOWN\n")
    (word,) = load_icdar2015(tmp_path)[0].truth.words
    assert word.geometry.area == pytest.approx(20 * 80)
    assert word.geometry.to_box() == Box(20, 10, 40, 90)


def test_icdar2015_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    _image(tmp_path / "img_3.jpg")
    _write(tmp_path / "gt_img_3.txt", b"1,1,5,1,5,5,1,5,ok\n1,2,3,word\n")
    with pytest.raises(DatasetError, match=r"gt_img_3\.txt line 2"):
        load_icdar2015(tmp_path)


def test_icdar2015_non_numeric_coordinate(tmp_path: Path) -> None:
    _image(tmp_path / "img_4.jpg")
    _write(tmp_path / "gt_img_4.txt", b"1,1,x,1,5,5,1,5,bad\n")
    with pytest.raises(DatasetError, match="coordinates must be numbers"):
        load_icdar2015(tmp_path)


def test_icdar2015_not_utf8(tmp_path: Path) -> None:
    _image(tmp_path / "img_5.jpg")
    _write(tmp_path / "gt_img_5.txt", "1,1,5,1,5,5,1,5,caf\xe9\n".encode("latin-1"))
    with pytest.raises(DatasetError, match="not UTF-8"):
        load_icdar2015(tmp_path)


def test_natural_order_and_limit(tmp_path: Path) -> None:
    for n in (10, 2, 1):
        _image(tmp_path / f"img_{n}.jpg")
        _write(tmp_path / f"gt_img_{n}.txt", b"1,1,5,1,5,5,1,5,x\n")
    _image(tmp_path / "img_99.jpg")  # no ground truth: skipped
    ds = load_icdar2015(tmp_path)
    assert [s.id for s in ds] == ["img_1", "img_2", "img_10"]
    assert [s.id for s in load_icdar2015(tmp_path, limit=2)] == ["img_1", "img_2"]


@pytest.mark.parametrize("orientation", [2, 3, 4, 5, 6, 7, 8])
def test_exif_orientation_maps_truth_upright(tmp_path: Path, orientation: int) -> None:
    """Ground truth labels the stored raster; it is mapped as PIL turns the image."""
    path = tmp_path / "img_1.png"
    im = Image.new("L", (200, 100), 255)
    im.paste(0, (10, 20, 50, 30))  # the labelled word, dark on white
    ex = Image.Exif()
    ex[0x0112] = orientation
    im.save(path, exif=ex)
    _write(tmp_path / "gt_img_1.txt", b"10,20,50,20,50,30,10,30,w\n")
    sample = load_icdar2015(tmp_path)[0]
    with Image.open(path) as stored:
        shown = ImageOps.exif_transpose(stored)
    assert (sample.truth.width, sample.truth.height) == shown.size
    dark = ImageOps.invert(shown.convert("L")).getbbox()
    (word,) = sample.truth.words
    assert word.geometry.to_box() == Box(*dark)


# --------------------------------------------------------------------- SROIE


def test_sroie_crlf_commas_lines(tmp_path: Path) -> None:
    _image(tmp_path / "X1.jpg", size=(300, 400))
    _write(
        tmp_path / "X1.txt",
        b"10,10,200,10,200,30,10,30,NO.53 55,57 & 59, JALAN SAGU 18,\r\n"
        b"10,40,100,40,100,60,10,60,TOTAL\r\n\r\n",
    )
    ds = load_sroie(tmp_path)
    sample = ds[0]
    assert sample.level == "line"
    assert sample.ignore == ()
    assert [line.text for line in sample.truth.lines] == [
        "NO.53 55,57 & 59, JALAN SAGU 18,",
        "TOTAL",
    ]
    assert ds.kind == "sroie"


def test_sroie_missing_folder() -> None:
    with pytest.raises(DatasetError, match="does not exist"):
        load_sroie("no/such/folder")


def test_sroie_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="no annotated images"):
        load_sroie(tmp_path)


# --------------------------------------------------------------------- FUNSD


def test_funsd_words_and_empty_words_as_dont_care(tmp_path: Path) -> None:
    _image(tmp_path / "images" / "f1.png", size=(300, 200))
    form = {
        "form": [
            {
                "id": 0,
                "text": "Date: 1990",
                "box": [10, 10, 120, 30],
                "label": "question",
                "words": [
                    {"text": "Date:", "box": [10, 10, 60, 30]},
                    {"box": [70, 10, 120, 30], "text": "1990"},
                ],
                "linking": [],
            },
            {
                "id": 1,
                "text": "",
                "box": [200, 100, 250, 150],
                "label": "other",
                "words": [{"text": "", "box": [200, 100, 250, 150]}],
                "linking": [],
            },
        ]
    }
    _write(tmp_path / "annotations" / "f1.json", json.dumps(form, indent=4).encode())
    sample = load_funsd(tmp_path)[0]
    assert [w.text for w in sample.truth.words] == ["Date:", "1990"]
    assert sample.truth.words[0].geometry == Box(10, 10, 60, 30)
    assert sample.ignore == (Box(200, 100, 250, 150),)


def test_funsd_empty_box_over_a_typed_word_is_no_dont_care(tmp_path: Path) -> None:
    # a signature's empty box drawn over the typed name: the name is read, so
    # the box must not discard its detection (a perfect read scores perfectly)
    _image(tmp_path / "images" / "f1.png", size=(300, 200))
    words = [
        {"text": "D.", "box": [20, 50, 40, 70]},
        {"text": "BEATTY", "box": [45, 50, 110, 70]},
        {"text": "", "box": [10, 30, 150, 90]},  # the signature
        {"text": "", "box": [200, 100, 250, 150]},  # a logo
        {"text": "", "box": [100, 60, 160, 95]},  # grazes BEATTY only
    ]
    form = {"form": [{"id": 0, "words": words}]}
    _write(tmp_path / "annotations" / "f1.json", json.dumps(form).encode())
    sample = load_funsd(tmp_path)[0]
    assert [w.text for w in sample.truth.words] == ["D.", "BEATTY"]
    assert sample.ignore == (Box(200, 100, 250, 150), Box(100, 60, 160, 95))
    score = score_page(sample.truth, sample.truth, ignore=sample.ignore)
    assert (score.hmean, score.cer, score.n_discarded) == (1.0, 0.0, 0)


def test_funsd_bad_structure(tmp_path: Path) -> None:
    _image(tmp_path / "f2.png")
    _write(tmp_path / "f2.json", b'{"form": [{"words": [{"text": "a", "box": [1]}]}]}')
    with pytest.raises(DatasetError, match=r"'box' must be \[x0, y0, x1, y1\]"):
        load_funsd(tmp_path)
    _write(tmp_path / "f2.json", b"{not json")
    with pytest.raises(DatasetError, match="not valid JSON"):
        load_funsd(tmp_path)


# ---------------------------------------------------------- text and linegt


def test_text_page_bom_crlf(tmp_path: Path) -> None:
    _image(tmp_path / "page.png", size=(640, 480))
    _write(
        tmp_path / "page.txt",
        "\ufeffThe quick brown\r\nfox.\r\n\r\nNew block\r\n".encode(),
    )
    _image(tmp_path / "line.png")
    _write(tmp_path / "line.gt.txt", b"not a page\n")  # linegt, not text
    ds = load_text(tmp_path)
    assert [s.id for s in ds] == ["page"]
    page = ds[0].truth
    assert not ds[0].localized
    assert page.text == "The quick brown\nfox.\n\nNew block"
    assert (page.width, page.height) == (640, 480)


def test_linegt(tmp_path: Path) -> None:
    _image(tmp_path / "book_0001_002.tif", size=(400, 40))
    _write(tmp_path / "book_0001_002.gt.txt", "\ufeffDie ſchöne Stadt\r\n".encode())
    _write(tmp_path / "orphan.gt.txt", b"no image\n")
    ds = load_linegt(tmp_path)
    assert [s.id for s in ds] == ["book_0001_002"]
    assert ds[0].truth.text == "Die ſchöne Stadt"
    assert not ds[0].localized


# --------------------------------------------------------------------- JSON


def test_unocr_json_with_dont_care(tmp_path: Path) -> None:
    _image(tmp_path / "mine.png")
    words = [
        Word(text="Total", geometry=Box(10, 10, 50, 30)),
        Word(text="###", geometry=Box(60, 10, 90, 30)),
        Word(text="12.50", geometry=Box(100, 10, 150, 30)),
    ]
    page = Page.from_words(words, width=200, height=100)
    _write(tmp_path / "mine.json", page.to_json().encode())
    sample = load_unocr_json(tmp_path)[0]
    assert [w.text for w in sample.truth.words] == ["Total", "12.50"]
    assert sample.ignore == (Box(60, 10, 90, 30),)
    assert "###" not in sample.truth.text
    assert sample.level == "word"


def test_unocr_json_lines_only(tmp_path: Path) -> None:
    _image(tmp_path / "l.png")
    page = Page.from_lines(
        [Line(text="one line", geometry=Box(0, 0, 100, 20))], width=200, height=100
    )
    _write(tmp_path / "l.json", page.to_json().encode())
    sample = load_unocr_json(tmp_path)[0]
    assert sample.level == "line"
    assert sample.truth.lines[0].text == "one line"


def test_unocr_json_not_a_page(tmp_path: Path) -> None:
    _image(tmp_path / "x.png")
    _write(tmp_path / "x.json", b'{"hello": 1}')
    with pytest.raises(DatasetError, match="not a unocr JSON page"):
        load_unocr_json(tmp_path)


# ---------------------------------------------------------------- dispatch


def test_dispatch_every_kind_and_alias(tmp_path: Path) -> None:
    _image(tmp_path / "img_1.jpg")
    _write(tmp_path / "gt_img_1.txt", b"1,1,5,1,5,5,1,5,x\n")
    assert load_dataset(f"icdar2015:{tmp_path}").kind == "icdar2015"
    assert load_dataset(("ic15", tmp_path)).kind == "icdar2015"
    assert parse_dataset_spec("OCRD:some/dir") == ("linegt", Path("some/dir"))
    assert parse_dataset_spec("text:C:/data") == ("text", Path("C:/data"))
    assert set(DATASET_KINDS) == {
        "icdar2015",
        "sroie",
        "funsd",
        "text",
        "linegt",
        "json",
        "page-xml",
        "alto",
        "pdf",
    }
    assert parse_dataset_spec("PAGE:ws") == ("page-xml", Path("ws"))


def test_dispatch_errors() -> None:
    with pytest.raises(DatasetError, match="Did you mean 'icdar2015'"):
        parse_dataset_spec("icdar2051:x")
    with pytest.raises(DatasetError, match="KIND:PATH"):
        parse_dataset_spec("just-a-path")
    with pytest.raises(ConfigError, match="limit must be a whole number >= 1"):
        load_dataset("text:.", limit=0)


# ------------------------------------------- ground truth nearest the image


def _icdar_split(root: Path, images: str, gt: str, text: str) -> None:
    _image(root / images / "img_1.jpg")
    _write(root / gt / "gt_img_1.txt", f"1,1,5,1,5,5,1,5,{text}\n".encode())


def test_icdar2015_root_with_both_official_splits(tmp_path: Path) -> None:
    """Each image gets the ground truth of its own split, under a unique id."""
    _icdar_split(
        tmp_path,
        "ch4_training_images",
        "ch4_training_localization_transcription_gt",
        "train",
    )
    _icdar_split(tmp_path, "ch4_test_images", "Challenge4_Test_Task1_GT", "test")
    _image(tmp_path / "ch4_training_images" / "img_2.jpg")
    _write(
        tmp_path / "ch4_training_localization_transcription_gt" / "gt_img_2.txt",
        b"1,1,5,1,5,5,1,5,only\n",
    )
    ds = load_dataset(f"icdar2015:{tmp_path}")
    got = {s.id: [w.text for w in s.truth.words] for s in ds}
    assert got == {
        "ch4_test_images/img_1": ["test"],
        "ch4_training_images/img_1": ["train"],
        "img_2": ["only"],
    }
    # the ids do not depend on how many samples are loaded
    assert [s.id for s in load_icdar2015(tmp_path, limit=1)] == [ds[0].id]


def test_equally_near_ground_truth_is_an_error(tmp_path: Path) -> None:
    _image(tmp_path / "images" / "img_1.jpg")
    _write(tmp_path / "gt_a" / "gt_img_1.txt", b"1,1,5,1,5,5,1,5,a\n")
    _write(tmp_path / "gt_b" / "gt_img_1.txt", b"1,1,5,1,5,5,1,5,b\n")
    with pytest.raises(DatasetError) as err:
        load_icdar2015(tmp_path)
    message = str(err.value)
    assert "gt_a" in message and "gt_b" in message
    assert "one split" in message


def test_sroie_ground_truth_beside_the_image_wins(tmp_path: Path) -> None:
    for split in ("train", "test"):
        _image(tmp_path / split / "X1.jpg")
        _write(tmp_path / split / "X1.txt", f"1,1,50,1,50,20,1,20,{split}\n".encode())
    ds = load_sroie(tmp_path)
    got = {s.id: s.truth.text for s in ds}
    assert got == {"test/X1": "test", "train/X1": "train"}


def test_funsd_root_with_both_splits(tmp_path: Path) -> None:
    for split in ("training_data", "testing_data"):
        _image(tmp_path / split / "images" / "f1.png")
        form = {"form": [{"words": [{"text": split, "box": [1, 1, 50, 20]}]}]}
        _write(tmp_path / split / "annotations" / "f1.json", json.dumps(form).encode())
    got = {s.id: s.truth.text for s in load_funsd(tmp_path)}
    assert got == {
        "testing_data/images/f1": "testing_data",
        "training_data/images/f1": "training_data",
    }


def test_linegt_one_folder_per_book(tmp_path: Path) -> None:
    books = {"book_a": ["erste", "zweite"], "book_b": ["third", "fourth"]}
    books["book_c"] = ["fifth"]
    for book, lines in books.items():
        for n, text in enumerate(lines, start=1):
            _image(tmp_path / book / f"{n:05d}.nrm.png", size=(300, 40))
            _write(tmp_path / book / f"{n:05d}.gt.txt", f"{text}\n".encode())
    _image(tmp_path / "book_c" / "00007.png", size=(300, 40))
    _write(tmp_path / "book_c" / "00007.gt.txt", b"seventh\n")
    ds = load_linegt(tmp_path)
    assert [(s.id, s.truth.text) for s in ds] == [
        ("book_a/00001", "erste"),
        ("book_a/00002", "zweite"),
        ("book_b/00001", "third"),
        ("book_b/00002", "fourth"),
        ("book_c/00001", "fifth"),
        ("00007", "seventh"),
    ]


def test_ids_unique_when_images_share_a_stem(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        _image(tmp_path / folder / "page.png")
        _write(tmp_path / folder / "page.txt", folder.encode())
    ds = load_text(tmp_path)
    assert [(s.id, s.truth.text) for s in ds] == [("a/page", "a"), ("b/page", "b")]


# -------------------------------------------------------------- PAGE / ALTO


def _alto(text: str, image: str) -> str:
    page = Page.from_words(
        [Word(text=text, geometry=Box(10, 10, 90, 40))], width=200, height=100
    )
    return dumps(page.replace(source=Source(image)), "alto")


def test_alto_in_a_declared_latin1_encoding(tmp_path: Path) -> None:
    _image(tmp_path / "straße.png")
    xml = _alto("Grüße", "straße.png").replace(
        'encoding="UTF-8"', 'encoding="ISO-8859-1"'
    )
    _write(tmp_path / "seite.xml", xml.encode("latin-1"))
    (sample,) = load_alto(tmp_path)
    assert sample.truth.text == "Grüße"
    assert sample.image.name == "straße.png"


def test_unrelated_xml_beside_alto_is_skipped(tmp_path: Path) -> None:
    _image(tmp_path / "p1.png")
    _write(tmp_path / "p1.xml", _alto("Wort", "p1.png").encode())
    settings = '<?xml version="1.0" encoding="UTF-16"?><config/>'
    _write(tmp_path / "settings.xml", settings.encode("utf-16"))
    _write(tmp_path / "junk.xml", b"\xff\x00 not xml at all")
    (sample,) = load_alto(tmp_path)
    assert sample.truth.text == "Wort"


# -------------------------------------------------------------------- limit


@pytest.mark.parametrize("limit", ["3", 2.5, True, 0, -1])
def test_limit_must_be_a_whole_number(tmp_path: Path, limit: object) -> None:
    _image(tmp_path / "img_1.jpg")
    _write(tmp_path / "gt_img_1.txt", b"1,1,5,1,5,5,1,5,x\n")
    with pytest.raises(ConfigError, match="limit must be a whole number >= 1"):
        load_dataset(f"icdar2015:{tmp_path}", limit=limit)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="limit must be a whole number >= 1"):
        load_icdar2015(tmp_path, limit=limit)  # type: ignore[arg-type]

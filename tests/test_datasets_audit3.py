"""Dataset loaders: EXIF reading order, symlinks, suffix case, nearest files, specs."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageOps

from unocr.datasets import (
    Dataset,
    load_alto,
    load_dataset,
    load_funsd,
    load_icdar2015,
    load_page_xml,
)
from unocr.errors import DatasetError
from unocr.formats import dumps
from unocr.geometry import Box
from unocr.metrics import score_page
from unocr.model import Page, Source, Word

from .pdf_factory import image_pdf

# ------------------------------------------------ EXIF orientation, reading order

_W, _H = 900, 400
# Two lines of three words, as displayed (upright): box and text.
_WORDS = [
    ((40, 60, 160, 100), "Hello"),
    ((200, 60, 330, 100), "world"),
    ((370, 60, 500, 100), "quick"),
    ((40, 110, 170, 150), "brown"),
    ((210, 110, 340, 150), "foxes"),
    ((380, 110, 560, 150), "jumping"),
]


def exif_store(
    orientation: int, width: float, height: float
) -> tuple[Image.Transpose | None, Callable[[float, float], tuple]]:
    """How a camera stores a ``width`` x ``height`` upright image with EXIF
    ``orientation`` (1, 3, 6, 8): the transpose that gives the stored raster,
    and where it takes an upright point (x, y)."""
    return {
        1: (None, lambda x, y: (x, y)),
        3: (Image.Transpose.ROTATE_180, lambda x, y: (width - x, height - y)),
        6: (Image.Transpose.ROTATE_90, lambda x, y: (y, width - x)),
        8: (Image.Transpose.ROTATE_270, lambda x, y: (height - y, x)),
    }[orientation]


def _stored_photo(path: Path, orientation: int) -> list[tuple[list[float], str]]:
    """Save the drawn words as a camera would; return each word's stored corners.

    The corners are TL, TR, BR, BL of the word as read, in stored-raster
    pixels (how a labelling tool shows the file).
    """
    upright = Image.new("RGB", (_W, _H), "white")
    draw = ImageDraw.Draw(upright)
    for box, _ in _WORDS:
        draw.rectangle(box, fill="black")
    transpose, point = exif_store(orientation, _W, _H)
    stored = upright if transpose is None else upright.transpose(transpose)
    exif = Image.Exif()
    exif[0x0112] = orientation
    path.parent.mkdir(parents=True, exist_ok=True)
    stored.save(path, exif=exif.tobytes())
    with Image.open(path) as check:  # the fixture is what a viewer shows
        assert ImageOps.exif_transpose(check).tobytes() == upright.tobytes()
    out = []
    for (x0, y0, x1, y1), text in _WORDS:
        corners = [point(x, y) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))]
        out.append(([float(v) for c in corners for v in c], text))
    return out


def _icdar_folder(root: Path, orientation: int) -> Path:
    words = _stored_photo(root / "img_1.png", orientation)
    (root / "gt_img_1.txt").write_text(
        "".join(",".join(f"{v:g}" for v in c) + f",{t}\n" for c, t in words),
        encoding="utf-8",
    )
    return root


def _funsd_folder(root: Path, orientation: int) -> Path:
    words = _stored_photo(root / "images" / "f1.png", orientation)
    form = []
    for c, t in words:
        xs, ys = c[0::2], c[1::2]
        box = [min(xs), min(ys), max(xs), max(ys)]
        form.append({"words": [{"text": t, "box": box}]})
    (root / "annotations").mkdir()
    (root / "annotations" / "f1.json").write_text(
        json.dumps({"form": form}), encoding="utf-8"
    )
    return root


@pytest.mark.parametrize("orientation", [3, 6, 8])
@pytest.mark.parametrize(
    ("build", "load"),
    [(_icdar_folder, load_icdar2015), (_funsd_folder, load_funsd)],
    ids=["icdar2015", "funsd"],
)
def test_exif_rotated_photo_truth_reads_in_upright_order(
    tmp_path: Path, orientation: int, build: Callable, load: Callable
) -> None:
    """Labels on the stored raster: the truth reads as the upright photo does."""
    upright = load(build(tmp_path / "upright", 1))[0]
    turned = load(build(tmp_path / "turned", orientation))[0]
    assert upright.truth.text == "Hello world quick\nbrown foxes jumping"
    assert turned.truth.text == upright.truth.text
    assert (turned.truth.width, turned.truth.height) == (_W, _H)
    # the file's order is kept too
    assert [w.text for w in turned.regions()] == [t for _, t in _WORDS]
    # a perfect read of the photo as displayed scores CER 0
    read = Page.from_words(
        [Word(text=t, geometry=Box(*b)) for b, t in _WORDS], width=_W, height=_H
    )
    scores = score_page(
        turned.truth,
        read,
        ignore=turned.ignore,
        level=turned.level,
        truth_elements=turned.regions(),
    )
    assert (scores.cer, scores.wer, scores.hmean) == (0.0, 0.0, 1.0)


# ------------------------------------------------------------- symlinked folders


def _symlink(link: Path, target: Path) -> None:
    try:
        link.symlink_to(target, target_is_directory=True)
    except OSError as exc:  # e.g. Windows without the privilege
        pytest.skip(f"cannot create a symbolic link here: {exc}")


def _icdar_pair(folder: Path, n: int, gt_folder: Path | None = None) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (200, 100), "white").save(folder / f"img_{n}.jpg")
    gt = folder if gt_folder is None else gt_folder
    gt.mkdir(parents=True, exist_ok=True)
    (gt / f"gt_img_{n}.txt").write_text("1,1,50,1,50,20,1,20,w\n", encoding="utf-8")


def test_symlinked_sub_folders_are_searched_and_cycles_stop(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    _icdar_pair(elsewhere / "images", 1, elsewhere / "gt")
    _icdar_pair(elsewhere / "images", 2, elsewhere / "gt")
    root = tmp_path / "ds"
    root.mkdir()
    _symlink(root / "images", elsewhere / "images")  # images kept elsewhere
    _symlink(root / "gt", elsewhere / "gt")
    _icdar_pair(root / "local", 3, root / "local_gt")
    _symlink(root / "local" / "up", root)  # a cycle back to the root
    _symlink(root / "again", root / "local")  # a second way to one folder
    ds = load_icdar2015(root)
    assert [s.id for s in ds] == ["img_1", "img_2", "img_3"]
    assert [s.image.relative_to(root).parent.as_posix() for s in ds] == [
        "images",
        "images",
        "local",
    ]


# ----------------------------------------------- ground truth with an upper-case suffix


def test_ground_truth_suffix_matched_case_insensitively(tmp_path: Path) -> None:
    ic = tmp_path / "ic"
    _icdar_pair(ic, 1)
    _icdar_pair(ic, 3)
    (ic / "gt_img_3.txt").rename(ic / "gt_img_3.TXT")
    assert [s.id for s in load_dataset(f"icdar2015:{ic}")] == ["img_1", "img_3"]

    sroie = tmp_path / "sroie"
    sroie.mkdir()
    Image.new("RGB", (200, 100), "white").save(sroie / "X1.jpg")
    (sroie / "X1.TXT").write_text("1,1,50,1,50,20,1,20,TOTAL\n", encoding="utf-8")
    assert [s.id for s in load_dataset(f"sroie:{sroie}")] == ["X1"]

    funsd = tmp_path / "funsd"
    (funsd / "images").mkdir(parents=True)
    (funsd / "annotations").mkdir()
    Image.new("RGB", (200, 100), "white").save(funsd / "images" / "f1.png")
    (funsd / "annotations" / "f1.JSON").write_text(
        '{"form": [{"words": [{"text": "x", "box": [1, 1, 50, 20]}]}]}',
        encoding="utf-8",
    )
    assert [s.id for s in load_dataset(f"funsd:{funsd}")] == ["f1"]

    text = tmp_path / "text"
    text.mkdir()
    Image.new("RGB", (200, 100), "white").save(text / "page.png")
    (text / "page.TXT").write_text("hello\n", encoding="utf-8")
    assert [s.truth.text for s in load_dataset(f"text:{text}")] == ["hello"]

    own = tmp_path / "json"
    own.mkdir()
    Image.new("RGB", (200, 100), "white").save(own / "page.png")
    page = Page.from_words(
        [Word(text="hi", geometry=Box(1, 1, 50, 20))], width=200, height=100
    )
    (own / "page.Json").write_text(page.to_json(), encoding="utf-8")
    assert [s.truth.text for s in load_dataset(f"json:{own}")] == ["hi"]


# ------------------------------------------------------ PAGE-XML / ALTO resolving


def _workspace(root: Path, fmt: str) -> Path:
    """An OCR-D workspace whose XML names ``OCR-D-IMG/INPUT_0001.png``."""
    (root / "OCR-D-IMG").mkdir(parents=True)
    Image.new("RGB", (300, 120), "white").save(root / "OCR-D-IMG" / "INPUT_0001.png")
    page = Page.from_words(
        [Word(text="Eins", geometry=Box(10, 10, 80, 40))], width=300, height=120
    ).replace(source=Source("OCR-D-IMG/INPUT_0001.png"))
    folder = root / f"OCR-D-GT-{fmt.upper()}"
    folder.mkdir()
    xml = folder / f"{fmt.upper()}_0001_{fmt.upper()}.xml"
    xml.write_text(dumps(page, "page-xml" if fmt == "page" else fmt), encoding="utf-8")
    assert "OCR-D-IMG/INPUT_0001.png" in xml.read_text(encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("fmt", "load"),
    [("page", load_page_xml), ("alto", load_alto)],
    ids=["page", "alto"],
)
def test_layout_xml_pointed_at_the_ground_truth_folder(
    tmp_path: Path, fmt: str, load: Callable[[Path], Dataset]
) -> None:
    folder = _workspace(tmp_path / "ws", fmt)
    (sample,) = load(folder).samples
    assert sample.image == folder.parent / "OCR-D-IMG" / "INPUT_0001.png"
    assert sample.truth.text == "Eins"


def test_layout_xml_unresolved_reference_is_named(tmp_path: Path) -> None:
    folder = _workspace(tmp_path / "ws", "page")
    (folder.parent / "OCR-D-IMG" / "INPUT_0001.png").unlink()
    with pytest.raises(DatasetError) as info:
        load_page_xml(folder)
    message = str(info.value)
    assert "OCR-D-IMG/INPUT_0001.png" in message
    assert "PAGE_0001_PAGE.xml" in message
    assert "no annotated images found" not in message


# ------------------------------------------- text, json, pdf: the nearest file


def test_text_json_pdf_find_ground_truth_in_another_folder(tmp_path: Path) -> None:
    text = tmp_path / "text"
    (text / "images").mkdir(parents=True)
    (text / "gt").mkdir()
    Image.new("RGB", (200, 100), "white").save(text / "images" / "page.png")
    (text / "gt" / "page.txt").write_text("hello\n", encoding="utf-8")
    assert [s.truth.text for s in load_dataset(f"text:{text}")] == ["hello"]

    own = tmp_path / "json"
    (own / "images").mkdir(parents=True)
    (own / "gt").mkdir()
    Image.new("RGB", (200, 100), "white").save(own / "images" / "page.png")
    page = Page.from_words(
        [Word(text="hi", geometry=Box(1, 1, 50, 20))], width=200, height=100
    )
    (own / "gt" / "page.json").write_text(page.to_json(), encoding="utf-8")
    assert [s.truth.text for s in load_dataset(f"json:{own}")] == ["hi"]

    pdf = tmp_path / "pdf"
    (pdf / "docs").mkdir(parents=True)
    (pdf / "labels").mkdir()
    _one_page_pdf(pdf / "docs", "a", truth_folder=pdf / "labels")
    assert [s.id for s in load_dataset(f"pdf:{pdf}")] == ["a-p1"]


# ------------------------------------------------------------ malformed specs


@pytest.mark.parametrize(
    "spec",
    [
        Path("some/folder"),
        ("text",),
        ("text", "a", "b"),
        (Path("x"), "text"),
        None,
        42,
        ["text", "x"],
    ],
    ids=repr,
)
def test_malformed_spec_is_a_dataset_error(spec: object) -> None:
    with pytest.raises(DatasetError, match=r"KIND:PATH.*\(kind, path\)"):
        load_dataset(spec)  # type: ignore[arg-type]


# ------------------------------------------------------------------ the label


def test_label_of_a_relative_folder_is_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "scans"
    (folder / "sub").mkdir(parents=True)
    Image.new("RGB", (200, 100), "white").save(folder / "page.png")
    (folder / "page.txt").write_text("hello\n", encoding="utf-8")
    full = load_dataset(f"text:{folder}").name
    assert full == "text:scans"
    monkeypatch.chdir(folder)
    assert load_dataset("text:.").name == full
    assert load_dataset("text:./").name == full
    monkeypatch.chdir(folder / "sub")
    assert load_dataset("text:..").name == full
    assert load_dataset("text:../sub/..").name == full


# ------------------------------------------------------------ pdf: a page twice


def _one_page_pdf(folder: Path, stem: str, *, truth_folder: Path | None = None) -> Path:
    """``stem.pdf`` (one 200x100 page at 100 dpi) and its ``stem.jsonl``."""
    image_pdf(folder / f"{stem}.pdf", [Image.new("RGB", (200, 100), "white")], dpi=100)
    page = Page.from_words(
        [Word(text=stem, geometry=Box(10, 10, 90, 40))], width=200, height=100
    ).replace(source=Source(f"{stem}.pdf", index=0, dpi=100.0))
    truth = (truth_folder or folder) / f"{stem}.jsonl"
    truth.write_text(page.to_json() + "\n", encoding="utf-8")
    return truth


def test_pdf_page_labelled_twice_is_an_error(tmp_path: Path) -> None:
    truth = _one_page_pdf(tmp_path, "doc")
    line = truth.read_text(encoding="utf-8")
    truth.write_text(line + "\n" + line, encoding="utf-8")
    with pytest.raises(DatasetError, match=r"doc\.jsonl line 3: page 1 .*line 1"):
        load_dataset(f"pdf:{tmp_path}")
    with pytest.raises(DatasetError, match=r"doc\.jsonl line 3"):
        load_dataset(f"pdf:{tmp_path}", limit=1)


def test_hidden_folders_and_links_stay_skipped(tmp_path: Path) -> None:
    """Hidden folders stay skipped while links are followed."""
    _icdar_pair(tmp_path / "a", 1)
    _icdar_pair(tmp_path / ".hidden", 2)
    _symlink(tmp_path / ".link", tmp_path / "a")
    assert [s.id for s in load_icdar2015(tmp_path)] == ["img_1"]
    assert os.path.isdir(tmp_path / ".link")

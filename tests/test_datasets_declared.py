"""What datasets declare: file order, text normalisation, names; PAGE-XML and ALTO."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from unocr.datasets import load_alto, load_dataset, load_icdar2015, load_page_xml
from unocr.errors import DatasetError
from unocr.formats import dumps
from unocr.geometry import Box
from unocr.model import Page, Word


def _image(path: Path, size: tuple[int, int] = (200, 100)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "white").save(path)
    return path


def test_icdar2015_keeps_file_order_and_declares_official_rule(tmp_path: Path) -> None:
    _image(tmp_path / "icdar2015" / "img_1.jpg")
    # listed bottom first: reading order differs from file order
    (tmp_path / "icdar2015" / "gt_img_1.txt").write_text(
        '10,60,60,60,60,80,10,80,Second\n10,10,60,10,60,30,10,30,"First"\n',
        encoding="utf-8",
    )
    ds = load_icdar2015(tmp_path / "icdar2015")
    assert ds.name == "icdar2015"  # not "icdar2015:icdar2015"
    assert ds.normalization is not None
    assert ds.normalization.name == "icdar2015"
    (sample,) = ds.samples
    assert [w.text for w in sample.truth.words] == ["First", "Second"]
    # file order kept; a quoted transcription is the text inside, as the
    # official parser reads it
    assert [w.text for w in sample.regions()] == ["Second", "First"]


def test_dataset_name_keeps_an_informative_folder(tmp_path: Path) -> None:
    _image(tmp_path / "receipts" / "a.jpg")
    (tmp_path / "receipts" / "a.txt").write_text(
        "1,1,50,1,50,20,1,20,TOTAL\n", encoding="utf-8"
    )
    ds = load_dataset(f"sroie:{tmp_path / 'receipts'}")
    assert ds.name == "sroie:receipts"
    assert ds.normalization is not None
    assert ds.normalization.ignore_case


def _ocrd(root: Path, fmt: str) -> Path:
    """An OCR-D style workspace: OCR-D-IMG/INPUT_0001.png and the XML elsewhere."""
    _image(root / "OCR-D-IMG" / "INPUT_0001.png", (300, 120))
    words = [
        Word(text="zwey", geometry=Box(10, 60, 80, 90)),
        Word(text="Eins", geometry=Box(10, 10, 80, 40)),
    ]
    page = Page.from_words(words, width=300, height=120)
    folder = root / f"OCR-D-GT-{fmt.upper()}"
    folder.mkdir(parents=True)
    xml = folder / f"{fmt.upper()}_0001_{fmt.upper()}.xml"
    xml.write_text(dumps(page, "page-xml" if fmt == "page" else fmt), encoding="utf-8")
    return xml


@pytest.mark.parametrize(
    ("fmt", "kind", "load"),
    [("page", "page-xml", load_page_xml), ("alto", "alto", load_alto)],
)
def test_layout_xml_kinds(tmp_path: Path, fmt: str, kind: str, load: object) -> None:
    xml = _ocrd(tmp_path, fmt)
    ds = load_dataset(f"{kind}:{tmp_path}")
    assert ds.kind == kind
    (sample,) = ds.samples
    assert sample.id == xml.stem  # the XML file names the sample
    assert sample.image.name == "INPUT_0001.png"
    assert sample.level == "word"
    assert sample.truth.text == "Eins\nzwey"
    assert len(load(tmp_path)) == 1  # type: ignore[operator]


def test_layout_xml_malformed_names_file_and_line(tmp_path: Path) -> None:
    xml = _ocrd(tmp_path, "page")
    text = xml.read_text(encoding="utf-8").splitlines()
    text[3] = text[3] + "<broken"
    xml.write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(DatasetError, match=r"PAGE_0001_PAGE\.xml: .*line \d+"):
        load_page_xml(tmp_path)


def test_layout_xml_without_image_is_an_error(tmp_path: Path) -> None:
    xml = _ocrd(tmp_path, "alto")
    (tmp_path / "OCR-D-IMG" / "INPUT_0001.png").unlink()
    assert xml.exists()
    # the error names the file found and why its image was not
    with pytest.raises(DatasetError, match=r"ALTO file .*ALTO_0001_ALTO\.xml'"):
        load_alto(tmp_path)


def test_ocrd_page_and_alto_of_the_shared_sample(shared_dir: Path) -> None:
    root = shared_dir / "data" / "ocrd_kant_aufklaerung_1784"
    page = load_dataset(f"page-xml:{root}")
    alto = load_dataset(f"alto:{root}")
    for ds in (page, alto):
        (sample,) = ds.samples
        assert sample.image.name == "INPUT_0017.tif"
        assert len(sample.truth.words) == 161
        assert len(sample.truth.lines) == 24
    # the PAGE file's ReadingOrder: the running head comes first
    assert page[0].truth.text.startswith("Berliniſche Monatsſchrift.")

"""The ``pdf`` dataset kind: PDFs with unocr JSON Lines ground truth, scored by compare."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

import unocr
from unocr.datasets import load_dataset
from unocr.errors import DatasetError
from unocr.geometry import Box
from unocr.model import Page, Source, Word

from .needs import needs_tesseract
from .pdf_factory import image_pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "phototest.png"


@pytest.fixture(scope="module")
def labelled(tmp_path_factory) -> Path:
    """A two-page scan with ground truth as ``unocr read --format json`` writes it."""
    root = tmp_path_factory.mktemp("pdfset")
    image = Image.open(SAMPLE)
    pdf = image_pdf(root / "report.pdf", [image, image.rotate(180)], dpi=200)
    pages = unocr.read_many([pdf], backend="tesseract", dpi=150)
    (root / "report.jsonl").write_text(
        "".join(p.to_json() + "\n" for p in pages), encoding="utf-8"
    )
    return root


@needs_tesseract
def test_one_sample_per_labelled_page_rendered_at_its_dpi(labelled):
    dataset = load_dataset(f"pdf:{labelled}")
    assert [s.id for s in dataset.samples] == ["report-p1", "report-p2"]
    for sample in dataset.samples:
        with Image.open(sample.image) as im:
            assert im.size == (sample.truth.width, sample.truth.height)
    assert "This is a lot of 12 point text" in dataset.samples[0].truth.text
    assert len(load_dataset(f"pdf:{labelled}", limit=1)) == 1


@needs_tesseract
def test_compare_scores_an_engine_on_pdf_pages(labelled):
    # The ground truth is Tesseract's own reading of the same pixels, so
    # Tesseract must match it exactly: the pages line up with their labels.
    result = unocr.compare("tesseract", f"pdf:{labelled}")
    (run,) = result.runs
    assert run.failed == 0 and len(run.images) == 2
    assert run.scores.hmean == pytest.approx(1.0)


@needs_tesseract
def test_bad_ground_truth_is_a_dataset_error(labelled, tmp_path):
    shutil.copy(labelled / "report.pdf", tmp_path / "report.pdf")
    lines = (labelled / "report.jsonl").read_text(encoding="utf-8").splitlines()
    page = json.loads(lines[0])
    page["source"]["dpi"] = 300  # labelled at 150 dpi
    (tmp_path / "report.jsonl").write_text(json.dumps(page) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"set its source\.dpi"):
        load_dataset(f"pdf:{tmp_path}")
    page["source"].update(dpi=150, index=5)
    (tmp_path / "report.jsonl").write_text(json.dumps(page) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="page 6 is outside the document"):
        load_dataset(f"pdf:{tmp_path}")
    (tmp_path / "report.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"report\.jsonl line 1"):
        load_dataset(f"pdf:{tmp_path}")
    (tmp_path / "report.jsonl").unlink()
    with pytest.raises(DatasetError, match=r"X\.pdf with X\.jsonl"):
        load_dataset(f"pdf:{tmp_path}")


def _one_page(folder: Path, stem: str) -> None:
    """``stem.pdf`` (one 200x100 page at 100 dpi) and its ``stem.jsonl``."""
    folder.mkdir(parents=True, exist_ok=True)
    image_pdf(folder / f"{stem}.pdf", [Image.new("RGB", (200, 100), "white")], dpi=100)
    page = Page.from_words(
        [Word(text=stem, geometry=Box(10, 10, 90, 40))], width=200, height=100
    )
    page = page.replace(source=Source(f"{stem}.pdf", index=0, dpi=100.0))
    (folder / f"{stem}.jsonl").write_text(page.to_json() + "\n", encoding="utf-8")


def test_root_through_dotdot_or_under_a_hidden_folder(tmp_path, monkeypatch):
    docs = tmp_path / ".project" / "docs"
    _one_page(docs, "a")
    _one_page(docs / ".trash", "b")  # hidden below the root: skipped
    (tmp_path / ".project" / "work").mkdir()
    monkeypatch.chdir(tmp_path / ".project" / "work")
    for spec in ("pdf:../docs", f"pdf:{docs}"):
        assert [s.id for s in load_dataset(spec).samples] == ["a-p1"], spec


def test_pdfs_sharing_a_stem_get_unique_ids(tmp_path):
    for folder in ("x", "y"):
        _one_page(tmp_path / folder, "c")
    _one_page(tmp_path / "y", "d")
    ids = [s.id for s in load_dataset(f"pdf:{tmp_path}").samples]
    assert ids == ["x/c-p1", "y/c-p1", "d-p1"]

"""Fidelity: unocr's Tesseract pages hold exactly the words pytesseract reports.

For each real page, every word row of ``pytesseract.image_to_data`` (same
engine, same default settings) appears in unocr's page with the same text and
the same box, in the same order, and no other word appears. Both read the
image file itself, so the engine sees the same bytes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

pytesseract = pytest.importorskip("pytesseract")

from unocr.backends.tesseract.backend import TesseractBackend  # noqa: E402

if shutil.which("tesseract") is None:  # pragma: no cover - CI without the program
    pytest.skip(
        "the tesseract program is not installed (apt-get install tesseract-ocr)",
        allow_module_level=True,
    )

FIXTURES = Path(__file__).parent / "fixtures" / "tesseract"
PAGES = ["phototest.tif", "eurotext.tif", "X51008123586.jpg", "X51005442394.jpg"]

Row = tuple[str, int, int, int, int]


@pytest.fixture(scope="module")
def backend() -> TesseractBackend:
    with TesseractBackend() as b:
        yield b  # type: ignore[misc]


def _reference(path: Path) -> tuple[list[Row], list[float]]:
    # The raw TSV string (Output.DICT rounds confidences to whole numbers).
    tsv = pytesseract.image_to_data(str(path))
    rows: list[Row] = []
    confs: list[float] = []
    for line in tsv.splitlines()[1:]:
        cells = line.split("\t")
        level, left, top, width, height = (int(cells[i]) for i in (0, 6, 7, 8, 9))
        text = cells[11] if len(cells) > 11 else ""
        if level == 5 and text.strip():
            rows.append((text, left, top, left + width, top + height))
            confs.append(float(cells[10]) / 100.0)
    return rows, confs


@pytest.mark.parametrize("name", PAGES)
def test_every_pytesseract_word_and_nothing_else(
    backend: TesseractBackend, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = FIXTURES / name
    # Only to make the reference call fast on small machines: the thread count
    # does not change Tesseract's output (unocr's own process gets this too).
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    expected, confs = _reference(path)
    page = backend.read(path)
    got = [
        (
            w.text,
            int(w.geometry.bounds.x0),
            int(w.geometry.bounds.y0),
            int(w.geometry.bounds.x1),
            int(w.geometry.bounds.y1),
        )
        for w in page.words
    ]
    assert len(expected) > 50
    assert got == expected
    assert [w.confidence for w in page.words] == pytest.approx(confs)
    with Image.open(path) as im:
        assert (page.width, page.height) == im.size


@pytest.mark.parametrize("name", ["phototest.tif", "X51008123586.jpg"])
def test_page_text_equals_tesseract_text_output(
    backend: TesseractBackend, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Paragraphs as blocks: page.text is Tesseract's own plain-text output."""
    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    path = FIXTURES / name
    assert backend.read(path).text == pytesseract.image_to_string(str(path)).strip()


def test_phototest_ground_truth(backend: TesseractBackend) -> None:
    page = backend.read(FIXTURES / "phototest.tif")
    truth = (FIXTURES / "phototest.txt").read_text(encoding="utf-8").split()
    assert [w.text for w in page.words] == truth

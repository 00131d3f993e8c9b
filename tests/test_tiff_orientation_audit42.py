"""A TIFF turned upright by its orientation tag never reaches an engine as its file.

Pillow's TIFF reader turns a frame itself while loading it and drops the tag,
so the orientation is known only before loading. The file's bytes show the
raster as stored: Tesseract (Leptonica) reading them instead of the upright
pixels read orientation 8 upside down, in another frame than the page's.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

import unocr
from unocr.image import load_image

PHOTOTEST = Path(__file__).resolve().parents[1] / "samples" / "phototest.png"

#: The stored raster that each orientation shows upright.
_STORED = {
    2: [Image.Transpose.FLIP_LEFT_RIGHT],
    3: [Image.Transpose.ROTATE_180],
    4: [Image.Transpose.FLIP_TOP_BOTTOM],
    5: [Image.Transpose.TRANSPOSE],
    6: [Image.Transpose.ROTATE_90],
    7: [Image.Transpose.TRANSVERSE],
    8: [Image.Transpose.ROTATE_270],
}


def _oriented_tiff(folder: Path, orientation: int) -> Path:
    """phototest stored turned, tagged to show upright."""
    upright = Image.open(PHOTOTEST).convert("RGB")
    stored = upright
    for step in _STORED[orientation]:
        stored = stored.transpose(step)
    exif = Image.Exif()
    exif[274] = orientation
    path = folder / f"o{orientation}.tiff"
    stored.save(path, exif=exif.tobytes())
    return path


@pytest.mark.parametrize("orientation", sorted(_STORED))
def test_an_oriented_tiff_keeps_no_file_bytes(tmp_path: Path, orientation: int) -> None:
    path = _oriented_tiff(tmp_path, orientation)
    loaded = load_image(path)
    upright = Image.open(PHOTOTEST).convert("RGB")
    assert loaded.image.size == upright.size
    assert loaded.image.tobytes() == upright.tobytes()
    assert loaded.encoded is None  # the bytes show the raster as stored


def test_an_upright_tiff_keeps_its_file_bytes(tmp_path: Path) -> None:
    path = tmp_path / "upright.tiff"
    Image.open(PHOTOTEST).convert("RGB").save(path)
    assert load_image(path).encoded == path.read_bytes()


@pytest.mark.skipif(
    shutil.which("tesseract") is None, reason="needs the tesseract program"
)
def test_tesseract_reads_an_orientation_8_tiff_as_displayed(tmp_path: Path) -> None:
    reference = unocr.read(PHOTOTEST, "tesseract")
    page = unocr.read(_oriented_tiff(tmp_path, 8), "tesseract")
    assert (page.width, page.height) == (reference.width, reference.height)
    assert page.text == reference.text
    assert page.words[0].geometry == reference.words[0].geometry

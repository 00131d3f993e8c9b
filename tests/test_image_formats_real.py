"""unocr.image on real files from ../shared/data (skipped where that folder is absent).

Sizes and modes were read from the files' headers; the tests check that loading
keeps the size, yields RGB, keeps the original bytes where they show the image,
and that the pixels agree with Pillow's own decoding.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from unocr.image import iter_frames, load_image

pytestmark = pytest.mark.shared

LINE_GT = {
    "bismarck_erinnerungen02_1898_0325_024.tif": (1181, 51),
    "heine_lieder_1827_0358_010.tif": (359, 36),
    "keller_sinngedicht_1882_0304_002.tif": (320, 40),
    "spyri_heidi_1880_0218_002.tif": (1031, 52),
}
TESSERACT = {"eurotext.tif": (1024, 800), "phototest.tif": (640, 480)}
ICDAR = ["img_19.jpg", "img_101.jpg", "img_869.jpg"]
SROIE = {
    "X51005361895.jpg": (953, 1629),
    "X51005453802.jpg": (615, 931),
    "X51008123586.jpg": (622, 1144),
}


def _pillow_rgb(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"))


@pytest.mark.parametrize(("name", "size"), sorted(LINE_GT.items()))
def test_ocrd_line_tiffs(shared_dir: Path, name: str, size: tuple[int, int]) -> None:
    path = shared_dir / "data" / "ocrd_linegt_testset" / name
    loaded = load_image(path)
    assert loaded.format == "TIFF"
    assert loaded.image.mode == "RGB"
    assert loaded.image.size == size
    assert loaded.encoded == path.read_bytes()  # 8-bit gray, orientation 1
    got = np.asarray(loaded.image)
    np.testing.assert_array_equal(got, _pillow_rgb(path))
    assert got.min() < 100 < 200 < got.max()  # dark print on light paper


def test_all_ocrd_line_tiffs_load(shared_dir: Path) -> None:
    paths = sorted((shared_dir / "data" / "ocrd_linegt_testset").glob("*.tif"))
    assert len(paths) >= 20
    for path in paths:
        loaded = load_image(path)
        assert loaded.image.mode == "RGB"
        assert loaded.height < 100 < loaded.width  # single text lines


@pytest.mark.parametrize(("name", "size"), sorted(TESSERACT.items()))
def test_tesseract_one_bit_tiffs(
    shared_dir: Path, name: str, size: tuple[int, int]
) -> None:
    path = shared_dir / "data" / "tesseract_testing" / name
    with Image.open(path) as raw:
        assert raw.mode == "1"
    loaded = load_image(path)
    assert loaded.image.size == size
    got = np.asarray(loaded.image)
    assert set(np.unique(got).tolist()) == {0, 255}  # pure black and white
    assert (got == 255).mean() > 0.8  # mostly white paper
    frames = list(iter_frames(path))
    assert len(frames) == 1
    np.testing.assert_array_equal(np.asarray(frames[0].image), got)


@pytest.mark.parametrize("name", ICDAR)
def test_icdar2015_jpegs(shared_dir: Path, name: str) -> None:
    path = shared_dir / "data" / "icdar2015" / "ch4_training_images" / name
    data = path.read_bytes()
    loaded = load_image(data)
    assert loaded.format == "JPEG"
    assert loaded.image.size == (1280, 720)
    assert loaded.encoded == data
    np.testing.assert_array_equal(np.asarray(loaded.image), _pillow_rgb(path))


@pytest.mark.parametrize(("name", "size"), sorted(SROIE.items()))
def test_sroie_jpegs(shared_dir: Path, name: str, size: tuple[int, int]) -> None:
    path = shared_dir / "data" / "sroie" / "task1train" / name
    with path.open("rb") as fh:
        loaded = load_image(fh)
    assert loaded.name == "<file object>"
    assert loaded.image.size == size
    assert loaded.image.mode == "RGB"
    assert loaded.encoded == path.read_bytes()
    # receipts: mostly light paper
    assert np.asarray(loaded.image).mean() > 128


def test_real_jpeg_pixel_limit(shared_dir: Path) -> None:
    from unocr.errors import ImageError

    path = shared_dir / "data" / "icdar2015" / "ch4_training_images" / ICDAR[0]
    with pytest.raises(ImageError, match=r"1280x720 = 921,600 pixels"):
        load_image(path, max_pixels=921_599)
    assert load_image(path, max_pixels=921_600).width == 1280

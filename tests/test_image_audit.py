"""Tests for unocr.image: one PIL image shared by threads, palettes with alpha, TIFF headers.

All images are generated here with Pillow; nothing is downloaded.
"""

from __future__ import annotations

import gc
import io
import threading
import weakref
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, features

from unocr.geometry import Box
from unocr.image import iter_frames, load_image, read_header, stored_size

RNG = np.random.default_rng(20260412)


def encode(im: Image.Image, fmt: str, **params: Any) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def pixels(im: Image.Image) -> np.ndarray:
    assert im.mode == "RGB"
    return np.asarray(im)


# --------------------------------------------------------------------------- #
# One lazily decoded PIL image read from many threads at once
# --------------------------------------------------------------------------- #


def _noise(width: int, height: int, mode: str) -> Image.Image:
    """An image that takes a while to decode (noise compresses badly)."""
    bands = 3 if mode == "RGB" else 1
    data = RNG.integers(0, 256, (height, width, bands), dtype=np.uint8)
    return Image.fromarray(data.squeeze(axis=2) if bands == 1 else data)


def _write_frames(path: Path, frames: int) -> None:
    fmt = path.suffix.lstrip(".").upper().replace("TIF", "TIFF")
    mode = "L" if fmt == "GIF" else "RGB"
    images = [_noise(480, 360, mode) for _ in range(frames)]
    images[0].save(path, fmt, save_all=frames > 1, append_images=images[1:])


@pytest.mark.parametrize(("suffix", "frames"), [(".png", 1), (".tif", 3), (".gif", 3)])
def test_one_lazy_pil_image_read_by_many_threads(
    tmp_path: Path, suffix: str, frames: int
) -> None:
    """Reads of one lazily opened PIL image never share Pillow's decoder.

    Every result equals reading the file by path, no read fails, and the
    caller's current frame is where it was.
    """
    path = tmp_path / f"shared{suffix}"
    _write_frames(path, frames)
    expected = [pixels(load_image(path, frame=f).image) for f in range(frames)]
    threads = 8
    for _ in range(12):
        with Image.open(path) as im:
            current = frames - 1
            im.seek(current)
            start = threading.Barrier(threads)
            got: dict[int, np.ndarray | BaseException] = {}

            def read(k: int, im: Image.Image = im) -> None:
                start.wait()
                try:
                    got[k] = pixels(load_image(im, frame=k % frames).image)
                except BaseException as exc:  # collected, asserted below
                    got[k] = exc

            workers = [threading.Thread(target=read, args=(k,)) for k in range(threads)]
            for t in workers:
                t.start()
            for t in workers:
                t.join()
            failures = {k: v for k, v in got.items() if isinstance(v, BaseException)}
            assert not failures
            for k, value in got.items():
                assert isinstance(value, np.ndarray)
                assert np.array_equal(value, expected[k % frames]), f"thread {k}"
            assert im.tell() == current


def test_iter_frames_of_a_pil_image_beside_reads_of_it(tmp_path: Path) -> None:
    """iter_frames over a PIL image while other threads read frames of it."""
    path = tmp_path / "pages.tif"
    _write_frames(path, 3)
    expected = [pixels(load_image(path, frame=f).image) for f in range(3)]
    for _ in range(6):
        with Image.open(path) as im:
            start = threading.Barrier(4)
            errors: list[BaseException] = []
            walked: list[list[np.ndarray]] = []

            def walk(im: Image.Image = im) -> None:
                start.wait()
                try:
                    walked.append([pixels(f.image) for f in iter_frames(im)])
                except BaseException as exc:  # asserted below
                    errors.append(exc)

            def read(k: int, im: Image.Image = im) -> None:
                start.wait()
                try:
                    got = pixels(load_image(im, frame=k % 3).image)
                    assert np.array_equal(got, expected[k % 3])
                except BaseException as exc:  # asserted below
                    errors.append(exc)

            workers = [threading.Thread(target=walk) for _ in range(2)]
            workers += [threading.Thread(target=read, args=(k,)) for k in range(2)]
            for t in workers:
                t.start()
            for t in workers:
                t.join()
            assert not errors
            for frames in walked:
                assert len(frames) == 3
                for got, want in zip(frames, expected, strict=True):
                    assert np.array_equal(got, want)
            assert im.tell() == 0


def test_a_pil_image_read_by_unocr_can_still_be_freed(tmp_path: Path) -> None:
    path = tmp_path / "pages.tif"
    _write_frames(path, 2)
    im = Image.open(path)
    load_image(im, frame=1)
    assert len(list(iter_frames(im))) == 2
    freed = weakref.ref(im)
    im.close()
    del im
    gc.collect()
    assert freed() is None


# --------------------------------------------------------------------------- #
# Palettes whose entries carry alpha
# --------------------------------------------------------------------------- #


def _text_on_transparent() -> Image.Image:
    rgba = Image.new("RGBA", (120, 40), (0, 0, 0, 0))
    ImageDraw.Draw(rgba).rectangle((10, 10, 60, 30), fill=(0, 0, 0, 255))
    return rgba


def _quantized() -> Image.Image:
    return _text_on_transparent().quantize(colors=16)


def _rgba_palette() -> Image.Image:
    im = Image.new("P", (120, 40), 0)
    im.putpalette([0, 0, 0, 0, 0, 0, 0, 255] + [0] * (4 * 254), rawmode="RGBA")
    ImageDraw.Draw(im).rectangle((10, 10, 60, 30), fill=1)
    return im


def _pa() -> Image.Image:
    return _rgba_palette().convert("PA")


def _palette_key() -> Image.Image:
    im = Image.new("P", (120, 40), 0)
    im.putpalette([0, 0, 0, 0, 0, 0] + [0] * (3 * 254))
    ImageDraw.Draw(im).rectangle((10, 10, 60, 30), fill=1)
    im.info["transparency"] = 0
    return im


@pytest.mark.parametrize(
    "make",
    [_quantized, _rgba_palette, _pa, _palette_key],
    ids=["quantize-rgba", "rgba-palette", "PA", "palette-key"],
)
def test_transparent_palette_image_composited_on_white(make: Any) -> None:
    """Every transparent-palette form comes out as black ink on white."""
    im = make()
    assert im.has_transparency_data
    got = pixels(load_image(im).image)
    assert tuple(got[2, 2]) == (255, 255, 255)
    assert tuple(got[20, 30]) == (0, 0, 0)
    if im.mode == "P":  # Pillow cannot write PA
        as_png = pixels(load_image(encode(im, "PNG")).image)
        assert np.array_equal(got, as_png)
    assert np.array_equal(got, pixels(load_image(_text_on_transparent()).image))


def test_rgba_palette_image_is_never_modified() -> None:
    im = _quantized()
    before = (im.mode, im.palette.mode, im.tobytes(), dict(im.info))
    load_image(im)
    assert (im.mode, im.palette.mode, im.tobytes(), dict(im.info)) == before


# --------------------------------------------------------------------------- #
# read_header: the raster as stored, whatever the format and orientation
# --------------------------------------------------------------------------- #

_STORED = (48, 96)  # width, height: not square, so a swap shows
_SQUARE = (8, 64, 24, 80)  # x0, y0, x1, y1 in the stored raster (8-pixel aligned)

_FORMATS: dict[str, dict[str, Any]] = {
    "PNG": {},
    "TIFF": {},
    "WEBP": {"lossless": True},
    "JPEG": {"quality": 98, "subsampling": 0},
}
if features.check("avif"):  # the decoder reports the stored size: checked too
    _FORMATS["AVIF"] = {"quality": 100}


def _oriented(fmt: str, orientation: int) -> bytes:
    stored = Image.new("RGB", _STORED, "white")
    stored.paste((0, 0, 0), _SQUARE)
    exif = Image.Exif()
    exif[274] = orientation
    return encode(stored, fmt, exif=exif.tobytes(), **_FORMATS[fmt])


def _dark_box(im: Image.Image) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(np.asarray(im.convert("L")) < 128)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("fmt", list(_FORMATS))
def test_read_header_gives_the_stored_raster(fmt: str, orientation: int) -> None:
    data = _oriented(fmt, orientation)
    header = read_header(data)
    assert (header.width, header.height) == _STORED
    assert header.orientation == orientation
    shown = load_image(data).image
    assert shown.size == header.upright_size
    mapped = Box(*_SQUARE).transform(header.upright_matrix()).to_box()
    corners = (mapped.x0, mapped.y0, mapped.x1, mapped.y1)
    assert tuple(round(v) for v in corners) == _dark_box(shown)


def test_stored_size_of_a_rotated_tiff_file(tmp_path: Path) -> None:
    path = tmp_path / "rotated.tif"
    path.write_bytes(_oriented("TIFF", 6))
    assert stored_size(path) == (*_STORED, 6)

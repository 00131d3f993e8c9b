"""Tests for unocr.image: every input kind, EXIF, modes, frames, limits, errors.

All images are generated here with Pillow; nothing is downloaded and nothing big
is allocated (the pixel-limit tests use crafted headers).
"""

from __future__ import annotations

import dataclasses
import gc
import io
import struct
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from unocr.errors import ImageError, UnocrError
from unocr.image import (
    DEFAULT_MAX_PIXELS,
    LoadedImage,
    describe,
    iter_frames,
    load_image,
)

RNG = np.random.default_rng(20261125)


# --------------------------------------------------------------------------- #
# helpers
# --------------------------------------------------------------------------- #


def encode(im: Image.Image, fmt: str = "PNG", **params: Any) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def pixels(loaded: LoadedImage) -> np.ndarray:
    assert loaded.image.mode == "RGB"
    return np.asarray(loaded.image)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def crafted_png(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height but carries almost no data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + png_chunk(b"IEND", b"")
    )


def noisy_rgb(width: int = 64, height: int = 48) -> Image.Image:
    data = RNG.integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    return Image.fromarray(data)


SAMPLE = np.array(
    [
        [[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]],
        [[40, 50, 60], [70, 80, 90], [200, 100, 0], [1, 2, 3]],
        [[255, 255, 255], [0, 0, 0], [128, 128, 128], [250, 5, 128]],
    ],
    dtype=np.uint8,
)  # 3 rows x 4 columns, every pixel different


# --------------------------------------------------------------------------- #
# input kinds
# --------------------------------------------------------------------------- #


def test_all_encoded_input_kinds_give_same_pixels(tmp_path: Path) -> None:
    data = encode(Image.fromarray(SAMPLE))
    path = tmp_path / "sample.png"
    path.write_bytes(data)
    results = [
        load_image(str(path)),
        load_image(path),
        load_image(data),
        load_image(bytearray(data)),
        load_image(memoryview(data)),
        load_image(io.BytesIO(data)),
    ]
    with path.open("rb") as fh:
        results.append(load_image(fh))
        assert not fh.closed  # the caller's file object stays open
    for loaded in results:
        np.testing.assert_array_equal(pixels(loaded), SAMPLE)
        assert (loaded.width, loaded.height) == (4, 3)
        assert loaded.format == "PNG"
        assert loaded.encoded == data
        assert loaded.decode_seconds >= 0.0
    assert [r.name for r in results] == [
        str(path),
        str(path),
        "<bytes>",
        "<bytes>",
        "<bytes>",
        "<file object>",
        "<file object>",
    ]


def test_file_object_read_from_current_position() -> None:
    data = encode(Image.fromarray(SAMPLE))
    stream = io.BytesIO(b"HEADER" + data)
    stream.seek(6)
    np.testing.assert_array_equal(pixels(load_image(stream)), SAMPLE)


def test_pil_input_is_converted_and_left_untouched() -> None:
    source = Image.fromarray(SAMPLE).convert("RGBA")
    loaded = load_image(source)
    assert source.mode == "RGBA"
    assert loaded.image is not source
    np.testing.assert_array_equal(pixels(loaded), SAMPLE)
    assert loaded.name == "<PIL image>"
    assert loaded.encoded is None
    assert loaded.format is None


def test_pil_rgb_input_is_copied() -> None:
    source = Image.fromarray(SAMPLE)
    loaded = load_image(source)
    loaded.image.putpixel((0, 0), (9, 9, 9))
    assert source.getpixel((0, 0)) == (255, 0, 0)


def test_pil_input_opened_from_file_keeps_format() -> None:
    with Image.open(io.BytesIO(encode(Image.fromarray(SAMPLE), "BMP"))) as source:
        loaded = load_image(source)
    assert loaded.format == "BMP"
    assert loaded.encoded is None
    np.testing.assert_array_equal(pixels(loaded), SAMPLE)


@pytest.mark.parametrize(
    ("array", "order", "expected"),
    [
        (SAMPLE, "rgb", SAMPLE),
        (SAMPLE[:, :, ::-1], "bgr", SAMPLE),
        (SAMPLE[:, :, 0], "rgb", np.repeat(SAMPLE[:, :, :1], 3, axis=2)),
        (SAMPLE[:, :, :1], "rgb", np.repeat(SAMPLE[:, :, :1], 3, axis=2)),
        (SAMPLE[:, :, 0], "bgr", np.repeat(SAMPLE[:, :, :1], 3, axis=2)),
    ],
    ids=["rgb", "bgr", "gray", "gray-1-channel", "gray-bgr-ignored"],
)
def test_arrays(array: np.ndarray, order: str, expected: np.ndarray) -> None:
    loaded = load_image(array, channel_order=order)  # type: ignore[arg-type]
    np.testing.assert_array_equal(pixels(loaded), expected)
    assert loaded.encoded is None
    assert loaded.format is None
    assert loaded.name == describe(array)


def test_four_channel_arrays_rgba_and_bgra_composite_on_white() -> None:
    rgba = np.array(
        [[[255, 0, 0, 255], [0, 0, 0, 0], [0, 0, 255, 128]]], dtype=np.uint8
    )
    want = np.array([[[255, 0, 0], [255, 255, 255], [127, 127, 255]]])
    got = pixels(load_image(rgba)).astype(int)
    assert np.abs(got - want).max() <= 1
    bgra = rgba[:, :, [2, 1, 0, 3]]
    got_bgr = pixels(load_image(bgra, channel_order="bgr")).astype(int)
    np.testing.assert_array_equal(got_bgr, got)


def test_array_is_copied_and_noncontiguous_arrays_work() -> None:
    array = SAMPLE.copy()
    loaded = load_image(array)
    array[:] = 0
    np.testing.assert_array_equal(pixels(loaded), SAMPLE)
    flipped = SAMPLE[:, ::-1]
    assert not flipped.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(pixels(load_image(flipped)), flipped)


def test_loaded_image_is_frozen() -> None:
    loaded = load_image(SAMPLE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.name = "other"  # type: ignore[misc]


def test_describe_names_without_decoding(tmp_path: Path) -> None:
    assert describe("a/b.png") == "a/b.png"
    assert describe(tmp_path / "x.tif") == str(tmp_path / "x.tif")
    assert describe(b"\x00") == "<bytes>"
    assert describe(io.BytesIO()) == "<file object>"
    assert describe(Image.new("L", (2, 2))) == "<PIL image>"
    assert describe(np.zeros((480, 640, 3), np.uint8)) == "<array 480x640x3>"
    assert describe(np.zeros((5, 7), np.uint8)) == "<array 5x7>"
    assert describe(42) == "<int>"


# --------------------------------------------------------------------------- #
# EXIF orientation
# --------------------------------------------------------------------------- #

# Stored pixels -> displayed pixels, from the EXIF 2.3 definition of tag 274
# (written independently of Pillow's ImageOps.exif_transpose).
DISPLAYED: dict[int, Callable[[np.ndarray], np.ndarray]] = {
    1: lambda s: s,
    2: lambda s: s[:, ::-1],  # row 0 top, column 0 right
    3: lambda s: np.rot90(s, 2),  # row 0 bottom, column 0 right
    4: lambda s: s[::-1],  # row 0 bottom, column 0 left
    5: lambda s: s.transpose(1, 0, 2),  # row 0 left, column 0 top
    6: lambda s: np.rot90(s, -1),  # row 0 right, column 0 top
    7: lambda s: np.rot90(s.transpose(1, 0, 2), 2),  # row 0 right, column 0 bottom
    8: lambda s: np.rot90(s, 1),  # row 0 left, column 0 bottom
}


def with_orientation(im: Image.Image, orientation: int, fmt: str = "PNG") -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    params: dict[str, Any] = {"exif": exif}
    if fmt == "JPEG":
        params["quality"] = 95
    return encode(im, fmt, **params)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_exif_orientation_all_eight(orientation: int) -> None:
    data = with_orientation(Image.fromarray(SAMPLE), orientation)
    loaded = load_image(data)
    want = DISPLAYED[orientation](SAMPLE)
    np.testing.assert_array_equal(pixels(loaded), want)
    assert (loaded.height, loaded.width) == want.shape[:2]
    # the bytes show the stored (unrotated) pixels, so they are kept only for 1
    assert (loaded.encoded == data) if orientation == 1 else loaded.encoded is None


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_jpeg_and_pil_input(orientation: int) -> None:
    # 32x16 blocks of colour survive JPEG compression well enough.
    stored = np.zeros((32, 64, 3), np.uint8)
    stored[:16, :32] = (255, 0, 0)  # top-left red, the rest black
    data = with_orientation(Image.fromarray(stored), orientation, "JPEG")
    want = DISPLAYED[orientation](stored).astype(int)
    for source in (data, Image.open(io.BytesIO(data))):
        loaded = load_image(source)
        got = pixels(loaded).astype(int)
        assert got.shape == want.shape
        assert np.abs(got - want).mean() < 8
        if isinstance(source, Image.Image):
            source.close()


def test_pil_input_already_transposed_is_not_rotated_twice() -> None:
    from PIL import ImageOps

    data = with_orientation(Image.fromarray(SAMPLE), 6)
    with Image.open(io.BytesIO(data)) as opened:
        upright = ImageOps.exif_transpose(opened)
    np.testing.assert_array_equal(pixels(load_image(upright)), DISPLAYED[6](SAMPLE))


def test_corrupt_exif_is_ignored_not_fatal() -> None:
    data = encode(Image.fromarray(SAMPLE), exif=b"Exif\x00\x00garbage-not-tiff")
    np.testing.assert_array_equal(pixels(load_image(data)), SAMPLE)


# --------------------------------------------------------------------------- #
# modes
# --------------------------------------------------------------------------- #


def palette_image() -> Image.Image:
    im = Image.new("P", (3, 1))
    im.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * (253 * 3))
    for x in range(3):
        im.putpixel((x, 0), x)
    return im


def test_palette_without_transparency_is_exact_and_keeps_bytes() -> None:
    data = encode(palette_image())
    loaded = load_image(data)
    np.testing.assert_array_equal(
        pixels(loaded), [[[255, 0, 0], [0, 255, 0], [0, 0, 255]]]
    )
    assert loaded.encoded == data


def test_palette_with_transparent_index_becomes_white() -> None:
    data = encode(palette_image(), transparency=1)
    assert Image.open(io.BytesIO(data)).info["transparency"] == 1
    loaded = load_image(data)
    np.testing.assert_array_equal(
        pixels(loaded), [[[255, 0, 0], [255, 255, 255], [0, 0, 255]]]
    )
    assert loaded.encoded is None


def test_palette_with_partial_alpha_is_blended_on_white() -> None:
    # tRNS with one alpha per palette entry: red opaque, green half, blue clear.
    data = encode(palette_image(), transparency=bytes([255, 128, 0]))
    got = pixels(load_image(data)).astype(int)
    want = np.array([[[255, 0, 0], [127, 255, 127], [255, 255, 255]]])
    assert np.abs(got - want).max() <= 1


def test_gif_with_transparency() -> None:
    data = encode(palette_image(), "GIF", transparency=0)
    np.testing.assert_array_equal(
        pixels(load_image(data)), [[[255, 255, 255], [0, 255, 0], [0, 0, 255]]]
    )


@pytest.mark.parametrize("fmt", ["TIFF", "JPEG"])
def test_cmyk(fmt: str) -> None:
    cmyk = Image.new("CMYK", (24, 8))
    cmyk.paste((0, 0, 0, 0), (0, 0, 8, 8))  # white
    cmyk.paste((0, 255, 255, 0), (8, 0, 16, 8))  # red
    cmyk.paste((0, 0, 0, 255), (16, 0, 24, 8))  # black
    data = encode(cmyk, fmt)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    loaded = load_image(data)
    got = pixels(loaded).astype(int)
    tolerance = 0 if fmt == "TIFF" else 6
    for x, want in ((4, (255, 255, 255)), (12, (255, 0, 0)), (20, (0, 0, 0))):
        assert np.abs(got[4, x] - want).max() <= tolerance, (x, got[4, x])
    assert loaded.encoded is None  # engines disagree on CMYK decoding


SIXTEEN = np.array([[0, 257, 32768, 65535, 1000, 65280]], dtype=np.uint16)
SIXTEEN_AS_8 = np.array([[0, 1, 128, 255, 4, 254]], dtype=np.uint8)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_16_bit_files_are_scaled_not_clipped(fmt: str) -> None:
    data = encode(Image.fromarray(SIXTEEN), fmt)
    assert Image.open(io.BytesIO(data)).mode.startswith("I;16")
    loaded = load_image(data)
    got = pixels(loaded)
    np.testing.assert_array_equal(got[..., 0], SIXTEEN_AS_8)
    np.testing.assert_array_equal(got[..., 0], got[..., 2])
    assert loaded.encoded is None


@pytest.mark.parametrize("mode", ["I;16", "I;16B", "I"])
def test_16_bit_pil_modes_are_scaled(mode: str) -> None:
    if mode == "I;16B":  # Pillow's convert() to I;16B clips, so build it directly
        im = Image.frombytes(mode, (6, 1), SIXTEEN.astype(">u2").tobytes())
    else:
        im = Image.fromarray(SIXTEEN).convert(mode)
    assert im.mode == mode
    np.testing.assert_array_equal(pixels(load_image(im))[..., 1], SIXTEEN_AS_8)


def test_mode_i_outside_16_bit_range_is_stretched() -> None:
    im = Image.fromarray(np.array([[-100, 0, 100]], dtype=np.int32))
    assert im.mode == "I"
    np.testing.assert_array_equal(pixels(load_image(im))[..., 0], [[0, 128, 255]])


@pytest.mark.parametrize(
    ("values", "want"),
    [
        ([0.0, 0.5, 1.0], [0, 128, 255]),
        ([0.0, 100.0, 255.0], [0, 100, 255]),
        ([-1.0, 0.0, 1.0], [0, 128, 255]),
    ],
)
def test_float_mode(values: list[float], want: list[int]) -> None:
    im = Image.fromarray(np.array([values], dtype=np.float32))
    assert im.mode == "F"
    np.testing.assert_array_equal(pixels(load_image(im))[..., 0], [want])


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "BMP"])
def test_one_bit(fmt: str) -> None:
    im = Image.new("1", (8, 2), 1)
    im.putpixel((3, 1), 0)
    data = encode(im, fmt)
    assert Image.open(io.BytesIO(data)).mode == "1"
    loaded = load_image(data)
    want = np.full((2, 8, 3), 255, np.uint8)
    want[1, 3] = 0
    np.testing.assert_array_equal(pixels(loaded), want)
    assert loaded.encoded == data


def test_one_bit_tiff_group4() -> None:
    im = Image.new("1", (64, 8), 1)
    im.paste(0, (10, 2, 20, 6))
    got = pixels(load_image(encode(im, "TIFF", compression="group4")))
    assert got[4, 15].tolist() == [0, 0, 0]
    assert got[0, 0].tolist() == [255, 255, 255]


def test_one_bit_with_transparency_key() -> None:
    im = Image.new("1", (2, 1), 0)
    im.putpixel((1, 0), 1)
    got = pixels(load_image(encode(im, transparency=0)))
    np.testing.assert_array_equal(got, [[[255, 255, 255], [255, 255, 255]]])


def test_sixteen_bit_with_transparency_key() -> None:
    im = Image.fromarray(np.array([[0, 65535, 5]], dtype=np.uint16))
    got = pixels(load_image(encode(im, transparency=0)))[..., 0]
    np.testing.assert_array_equal(got, [[255, 255, 0]])


def test_gray_l_is_kept() -> None:
    gray = np.array([[0, 17, 128, 255]], dtype=np.uint8)
    data = encode(Image.fromarray(gray))
    loaded = load_image(data)
    np.testing.assert_array_equal(pixels(loaded), np.repeat(gray[..., None], 3, 2))
    assert loaded.encoded == data


@pytest.mark.parametrize(
    ("mode", "values", "want"),
    [
        ("LA", [(0, 0), (100, 255), (0, 128)], [255, 100, 127]),
        ("RGBA", [(0, 0, 0, 0), (10, 20, 30, 255), (0, 0, 0, 128)], None),
    ],
)
def test_alpha_is_composited_on_white(
    mode: str, values: list[tuple[int, ...]], want: list[int] | None
) -> None:
    im = Image.new(mode, (3, 1))
    for x, value in enumerate(values):
        im.putpixel((x, 0), value)
    loaded = load_image(encode(im))
    got = pixels(loaded).astype(int)
    if want is not None:
        expected = np.repeat(np.array(want)[None, :, None], 3, axis=2)
    else:
        expected = np.array([[[255, 255, 255], [10, 20, 30], [127, 127, 127]]])
    assert np.abs(got - expected).max() <= 1, got
    assert loaded.encoded is None  # transparent pixels would differ elsewhere


def test_transparent_black_text_is_not_black_on_black() -> None:
    # The common failure: dropping alpha turns a transparent background black.
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[4:6, 2:8, 3] = 255  # opaque black "text" on transparent black
    got = pixels(load_image(encode(Image.fromarray(rgba))))
    assert got[0, 0].tolist() == [255, 255, 255]
    assert got[5, 5].tolist() == [0, 0, 0]


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_transparency_key_in_gray_and_rgb(mode: str) -> None:
    im = Image.new(mode, (2, 1), 0)
    im.putpixel((1, 0), 200 if mode == "L" else (200, 10, 10))
    got = pixels(load_image(encode(im, transparency=0 if mode == "L" else (0, 0, 0))))
    want_second = [200, 200, 200] if mode == "L" else [200, 10, 10]
    np.testing.assert_array_equal(got, [[[255, 255, 255], want_second]])


@pytest.mark.parametrize("mode", ["RGBa", "La", "PA", "RGBX", "YCbCr"])
def test_other_pil_modes(mode: str) -> None:
    base = Image.new("RGBA", (2, 1), (200, 100, 50, 255))
    base.putpixel((1, 0), (0, 0, 0, 0))
    if mode == "YCbCr":
        im = base.convert("RGB").convert("YCbCr")
    elif mode == "PA":
        im = Image.new("PA", (2, 1))
        im.putpalette([200, 100, 50] * 256)
        im.putpixel((0, 0), (0, 255))
        im.putpixel((1, 0), (0, 0))
    elif mode in ("La",):
        im = base.convert("LA").convert("La")
    else:
        im = base.convert(mode)
    assert im.mode == mode
    got = pixels(load_image(im)).astype(int)
    first = np.asarray(base.convert("RGB" if mode != "La" else "L").convert("RGB"))
    assert np.abs(got[0, 0] - first[0, 0]).max() <= 2
    if mode in ("RGBa", "La", "PA"):
        assert got[0, 1].tolist() == [255, 255, 255]


# --------------------------------------------------------------------------- #
# multi-frame
# --------------------------------------------------------------------------- #

FRAME_SPECS = [((20, 10), (255, 0, 0)), ((8, 12), (0, 255, 0)), ((5, 5), (0, 0, 255))]


def multi_frame_tiff() -> bytes:
    frames = [Image.new("RGB", size, color) for size, color in FRAME_SPECS]
    return encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])


def test_multi_frame_tiff_load_image_uses_first_frame() -> None:
    data = multi_frame_tiff()
    loaded = load_image(data)
    assert loaded.image.size == (20, 10)
    assert loaded.image.getpixel((0, 0)) == (255, 0, 0)
    assert loaded.format == "TIFF"
    assert loaded.encoded is None  # the file holds more than this page


@pytest.mark.parametrize("index", [0, 1, 2])
def test_multi_frame_tiff_frame_argument(index: int) -> None:
    loaded = load_image(multi_frame_tiff(), frame=index)
    size, color = FRAME_SPECS[index]
    assert loaded.image.size == size
    assert loaded.image.getpixel((size[0] - 1, size[1] - 1)) == color


def test_multi_frame_tiff_iter_frames(tmp_path: Path) -> None:
    path = tmp_path / "pages.tif"
    path.write_bytes(multi_frame_tiff())
    frames = list(iter_frames(path))
    assert [f.image.size for f in frames] == [size for size, _ in FRAME_SPECS]
    assert [f.image.getpixel((0, 0)) for f in frames] == [c for _, c in FRAME_SPECS]
    assert all(f.name == str(path) and f.format == "TIFF" for f in frames)
    assert all(f.encoded is None for f in frames)


def test_iter_frames_abandoned_closes_file(tmp_path: Path) -> None:
    path = tmp_path / "pages.tif"
    path.write_bytes(multi_frame_tiff())
    frames = iter_frames(path)
    first = next(frames)
    assert first.image.size == (20, 10)
    del frames
    gc.collect()  # a leaked handle would raise ResourceWarning (an error here)


def test_iter_frames_single_image_inputs(tmp_path: Path) -> None:
    data = encode(Image.fromarray(SAMPLE))
    for source in (data, SAMPLE, Image.fromarray(SAMPLE)):
        frames = list(iter_frames(source))
        assert len(frames) == 1
        np.testing.assert_array_equal(pixels(frames[0]), SAMPLE)
    assert next(iter_frames(data)).encoded == data


def test_iter_frames_pil_multi_frame_restores_position() -> None:
    with Image.open(io.BytesIO(multi_frame_tiff())) as im:
        im.seek(1)
        frames = list(iter_frames(im))
        assert im.tell() == 1
        assert load_image(im).image.size == (20, 10)
        assert im.tell() == 1
    assert [f.image.size for f in frames] == [size for size, _ in FRAME_SPECS]


def test_animated_gif_first_frame_keeps_bytes() -> None:
    frames = [Image.new("P", (4, 4), i) for i in range(3)]
    for frame in frames:
        frame.putpalette([255, 0, 0, 0, 255, 0, 0, 0, 255] + [0] * 759)
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    loaded = list(iter_frames(data))
    assert [f.image.getpixel((0, 0)) for f in loaded] == [
        (255, 0, 0),
        (0, 255, 0),
        (0, 0, 255),
    ]
    assert loaded[0].encoded == data
    assert loaded[1].encoded is None
    assert load_image(data, frame=2).image.getpixel((1, 1)) == (0, 0, 255)


def test_frame_out_of_range() -> None:
    with pytest.raises(ImageError, match=r"<bytes>: has 3 frame\(s\); frame 3"):
        load_image(multi_frame_tiff(), frame=3)
    with pytest.raises(ImageError, match="frame 1"):
        load_image(encode(Image.fromarray(SAMPLE)), frame=1)
    with pytest.raises(ImageError, match="frame must be"):
        load_image(SAMPLE, frame=-1)
    with pytest.raises(ImageError, match="only frame 0"):
        load_image(SAMPLE, frame=1)


# --------------------------------------------------------------------------- #
# pixel limit
# --------------------------------------------------------------------------- #


def test_default_limit() -> None:
    assert DEFAULT_MAX_PIXELS == 100_000_000


def test_huge_header_rejected_before_decoding() -> None:
    data = crafted_png(200_000, 100_000)  # 20 gigapixels, 100 bytes of file
    assert len(data) < 200
    with pytest.raises(ImageError) as info:
        load_image(data)
    message = str(info.value)
    assert "200000x100000" in message
    assert "20,000,000,000 pixels" in message
    assert "100,000,000" in message
    assert "max_pixels=" in message
    assert "max_pixels=None" in message
    assert "<bytes>" in message
    # never reached the decoder (which would fail on the missing data instead)
    assert "decode" not in message
    assert not isinstance(info.value.__cause__, Image.DecompressionBombError)


def test_huge_header_from_path_and_file_object(tmp_path: Path) -> None:
    path = tmp_path / "bomb.png"
    path.write_bytes(crafted_png(30_000, 30_000))
    with pytest.raises(ImageError, match=r"bomb\.png: image is 30000x30000"):
        load_image(path)
    with path.open("rb") as fh, pytest.raises(ImageError, match="over the limit"):
        load_image(fh)
    with pytest.raises(ImageError, match="over the limit"):
        next(iter_frames(path))


def test_custom_limit_and_disabling_it() -> None:
    data = encode(noisy_rgb(40, 30))  # 1200 pixels
    with pytest.raises(ImageError, match=r"1,200 pixels, over the limit of 1,000"):
        load_image(data, max_pixels=1000)
    assert load_image(data, max_pixels=1200).image.size == (40, 30)
    assert load_image(data, max_pixels=None).image.size == (40, 30)
    with pytest.raises(ImageError, match="over the limit"):
        load_image(np.zeros((30, 40), np.uint8), max_pixels=1000)
    with pytest.raises(ImageError, match="over the limit"):
        load_image(Image.new("RGB", (40, 30)), max_pixels=1000)


def test_limit_per_frame() -> None:
    frames = [Image.new("L", (10, 10)), Image.new("L", (100, 100))]
    data = encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    pages = iter_frames(data, max_pixels=500)
    assert next(pages).image.size == (10, 10)
    with pytest.raises(ImageError, match=r"<bytes> \(frame 1\): image is 100x100"):
        next(pages)
    with pytest.raises(ImageError, match="100x100"):
        load_image(data, frame=1, max_pixels=500)


@pytest.mark.parametrize("bad", [0, -5, 1.5, True, "100"])
def test_invalid_max_pixels(bad: Any) -> None:
    with pytest.raises(ImageError, match="max_pixels must be"):
        load_image(SAMPLE, max_pixels=bad)


@pytest.mark.parametrize("size", [(12, 10), (30, 30)])  # warning zone, error zone
def test_pillow_bomb_check_never_escapes(
    monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    # With PIL's limit at 100 pixels, 120 px would warn and 900 px would raise.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    data = encode(noisy_rgb(*size))
    assert load_image(data).image.size == size
    tiff = encode(noisy_rgb(*size), "TIFF", save_all=True, append_images=[noisy_rgb()])
    assert [f.image.size for f in iter_frames(tiff)] == [size, (64, 48)]
    assert Image.MAX_IMAGE_PIXELS == 100  # restored


def test_pillow_limit_restored_under_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50)
    data = encode(noisy_rgb(20, 20))
    with ThreadPoolExecutor(4) as pool:
        sizes = list(pool.map(lambda _: load_image(data).image.size, range(40)))
    assert sizes == [(20, 20)] * 40
    assert Image.MAX_IMAGE_PIXELS == 50


def wide_animated_webp(width: int) -> tuple[bytes, Image.Image]:
    """An animated WebP of two 9x7 frames on a canvas ``width`` pixels wide.

    Pillow writes the canvas as large as the frames; the width is set in the
    VP8X header (24 bits, stored minus one), which is all a crafted file needs.
    """
    frame = noisy_rgb(9, 7)
    data = bytearray(
        encode(
            frame,
            "WEBP",
            lossless=True,
            save_all=True,
            append_images=[frame.convert("L").convert("RGB")],  # another frame
        )
    )
    assert data[12:16] == b"VP8X"
    data[24:27] = (width - 1).to_bytes(3, "little")
    return bytes(data), frame


def test_wide_rows_are_read_a_row_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    # Pillow's raw decoder uses whole rows; fed 64 KiB blocks, a 1.2 MB row is
    # copied ~19 times before it can be used (quadratic: 43 s for 13 million
    # pixels). Fed a row or more a block, each call uses what it is given.
    width = 300_000
    data, frame = wide_animated_webp(width)
    calls = []
    real = Image._getdecoder

    class Counting:
        def __init__(self, decoder: Any) -> None:
            self._decoder = decoder

        def __getattr__(self, name: str) -> Any:
            return getattr(self._decoder, name)

        def decode(self, buffer: bytes) -> Any:
            calls.append(len(buffer))
            return self._decoder.decode(buffer)

    monkeypatch.setattr(Image, "_getdecoder", lambda *a: Counting(real(*a)))
    loaded = load_image(data)
    assert loaded.image.size == (width, 7)
    assert 0 < len(calls) <= 7 + 2  # at most a call a row, and the end of data
    got = pixels(loaded)
    assert np.array_equal(got[:, :9], np.asarray(frame))  # lossless frames
    assert (got[:, 9:] == got[0, 9]).all()  # the canvas beyond: its background

    opened = Image.open(io.BytesIO(data))  # a PIL input keeps its own setting
    block = opened.decodermaxblock
    assert load_image(opened).image.size == (width, 7)
    assert opened.decodermaxblock == block


# --------------------------------------------------------------------------- #
# errors
# --------------------------------------------------------------------------- #


def truncated(fmt: str) -> bytes:
    data = encode(noisy_rgb(64, 64), fmt)
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda: b"", "empty"),
        (lambda: b"this is not an image at all", "not a recognised image"),
        (lambda: b"\x89PNG\r\n\x1a\n", "not a recognised image"),
        (lambda: truncated("PNG"), "truncated"),
        (lambda: truncated("JPEG"), "truncated"),
        (lambda: truncated("TIFF"), "cannot decode"),
        (lambda: encode(noisy_rgb())[:-40] + b"\x00" * 40, "cannot decode"),
        (
            lambda: (
                encode(Image.fromarray(SAMPLE))[:20]
                + b"\xff"
                + encode(Image.fromarray(SAMPLE))[21:]
            ),
            "corrupt",
        ),
        (lambda: b"\xff\xd8\xff\xe0" + b"\x00" * 100, "not a recognised image"),
    ],
    ids=[
        "empty",
        "text",
        "signature-only",
        "truncated-png",
        "truncated-jpeg",
        "truncated-tiff",
        "zeroed-png-tail",
        "bad-ihdr-crc",
        "bad-jpeg",
    ],
)
def test_bad_bytes(make: Callable[[], bytes], reason: str, tmp_path: Path) -> None:
    data = make()
    path = tmp_path / "bad.img"
    path.write_bytes(data)
    for make_source in (lambda: data, lambda: path, lambda: io.BytesIO(data)):
        source = make_source()
        with pytest.raises(ImageError, match=reason) as info:
            load_image(source)
        name = describe(source)
        assert str(info.value).startswith(name + ":")
        assert info.value.item == name
        with pytest.raises(ImageError, match=reason):
            list(iter_frames(make_source()))


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "missing.png"
    with pytest.raises(ImageError, match=r"missing\.png: no such file"):
        load_image(missing)
    with pytest.raises(ImageError, match="no such file"):
        next(iter_frames(str(missing)))
    with pytest.raises(ImageError, match="is a directory"):
        load_image(tmp_path)


@pytest.mark.parametrize(
    ("array", "reason"),
    [
        (np.zeros((4, 4), np.float32), r"dtype float32.*astype"),
        (np.zeros((4, 4, 3), np.uint16), "dtype uint16"),
        (np.zeros((4, 4), np.int64), "dtype int64"),
        (np.zeros((4, 4), bool), "dtype bool"),
        (np.zeros((4, 4, 2), np.uint8), r"shape \(4, 4, 2\)"),
        (np.zeros((4, 4, 5), np.uint8), r"shape \(4, 4, 5\)"),
        (np.zeros(16, np.uint8), r"shape \(16,\)"),
        (np.zeros((2, 4, 4, 3), np.uint8), r"shape \(2, 4, 4, 3\)"),
        (np.zeros((0, 5), np.uint8), "no pixels"),
        (np.zeros((5, 0, 3), np.uint8), "no pixels"),
    ],
)
def test_unsupported_arrays(array: np.ndarray, reason: str) -> None:
    with pytest.raises(ImageError, match=reason) as info:
        load_image(array)
    assert str(info.value).startswith(describe(array) + ":")


@pytest.mark.parametrize("source", [42, None, [1, 2, 3], 3.5])
def test_unsupported_types(source: Any) -> None:
    with pytest.raises(ImageError, match="unsupported input type"):
        load_image(source)
    with pytest.raises(ImageError, match="unsupported input type"):
        list(iter_frames(source))


def test_text_and_closed_file_objects(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match="binary mode"):
        load_image(io.StringIO("abc"))  # type: ignore[arg-type]
    stream = io.BytesIO(b"abc")
    stream.close()
    with pytest.raises(ImageError, match="cannot read from the file object"):
        load_image(stream)


def test_bad_channel_order() -> None:
    with pytest.raises(ImageError, match="channel_order"):
        load_image(SAMPLE, channel_order="rgba")  # type: ignore[arg-type]


def test_image_error_is_value_error_and_unocr_error() -> None:
    with pytest.raises(ValueError, match="empty") as info:
        load_image(b"")
    assert isinstance(info.value, UnocrError)


def test_multi_frame_tiff_cut_after_first_page() -> None:
    data = multi_frame_tiff()
    with Image.open(io.BytesIO(data)) as im:
        im.seek(1)
        second_ifd = im.tile[0][2]  # offset of the second page's pixels
    cut = data[:second_ifd]
    # the first page is intact and still readable ...
    first = load_image(cut)
    assert first.image.getpixel((0, 0)) == (255, 0, 0)
    assert first.encoded is None  # the frame list is damaged: bytes not trusted
    frames = iter_frames(cut)
    assert next(frames).image.size == (20, 10)
    # ... and the damage is reported, naming the input, when reached
    with pytest.raises(ImageError, match=r"<bytes>.*frame 1"):
        next(frames)
    with pytest.raises(ImageError, match=r"<bytes>.*frame 1"):
        load_image(cut, frame=1)


def test_closed_pil_image() -> None:
    with Image.open(io.BytesIO(encode(noisy_rgb()))) as im:
        pass
    with pytest.raises(ImageError, match="<PIL image>: cannot decode"):
        load_image(im)

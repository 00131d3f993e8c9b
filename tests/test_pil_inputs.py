"""Tests for a caller's PIL image as input: pickling, Photoshop files, repeated reads.

A PIL image opened from a file cannot be pickled as it is (Pillow's pickle
drops its reader's private state), so it travels to an executor's worker
process as :func:`unocr.image.portable_image` makes it, and a page of a
multi-frame PIL image as the bytes of its file. Every image is generated
here (Photoshop files byte by byte); nothing is downloaded.
"""

from __future__ import annotations

import io
import pickle
import struct
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

import unocr
from unocr import executors
from unocr.backends.base import ItemFailure
from unocr.documents import FailedInput, PageRef, expand, load_input
from unocr.errors import ImageError
from unocr.image import (
    LoadedImage,
    count_frames,
    describe,
    iter_frames,
    load_image,
    portable_image,
)

from .ink_engine import bars
from .stub_engines import OneWordBackend


def encode(im: Image.Image, fmt: str, **params: Any) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def opened(data: bytes) -> Image.Image:
    """A PIL image opened lazily from file bytes, as a caller has it."""
    return Image.open(io.BytesIO(data))


def assert_same(got: LoadedImage, want: LoadedImage) -> None:
    """Same pixels and resolution (what an engine and ``save_pdf`` use)."""
    assert got.image.size == want.image.size
    assert np.array_equal(np.asarray(got.image), np.asarray(want.image))
    assert got.image.info.get("dpi") == want.image.info.get("dpi")


def _exif(orientation: int) -> Image.Exif:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif


def _low_bit_png(gray: np.ndarray, key: int, depth: int = 2) -> bytes:
    """A gray PNG of ``depth`` bits per sample whose tRNS key is ``key``."""
    height, width = gray.shape
    per_byte = 8 // depth
    rows = b""
    for row in gray:
        packed = bytearray()
        for start in range(0, width, per_byte):
            bits = 0
            for value in row[start : start + per_byte]:
                bits = (bits << depth) | int(value)
            bits <<= depth * (per_byte - len(row[start : start + per_byte]))
            packed.append(bits)
        rows += b"\x00" + bytes(packed)

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, depth, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"tRNS", struct.pack(">H", key))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _text_on_key() -> bytes:
    """2-bit gray: a black box (0) on a background of value 2, the key."""
    gray = np.full((8, 12), 2, np.uint8)
    gray[2:6, 2:9] = 0
    return _low_bit_png(gray, key=2)


def _tiff_pages(sizes: Sequence[tuple[int, int]], **params: Any) -> bytes:
    frames = [
        Image.fromarray(
            np.random.default_rng(i).integers(0, 255, (h, w, 3), dtype=np.uint8)
        )
        for i, (w, h) in enumerate(sizes)
    ]
    return encode(frames[0], "TIFF", save_all=True, append_images=frames[1:], **params)


# --------------------------------------------------------------------------- #
# portable_image: a caller's PIL image as a picklable one unocr reads alike
# --------------------------------------------------------------------------- #

_BARS = bars((20, 40), h=10)  # 110 x 30, RGB: a rotation shows


def _jpeg_turned() -> bytes:
    return encode(_BARS, "JPEG", quality=95, dpi=(300, 150), exif=_exif(6))


def _gif_with_key() -> bytes:
    rgba = _BARS.convert("RGBA")
    rgba.putpixel((0, 0), (0, 0, 0, 0))
    return encode(rgba, "GIF")


def _tiff_turned() -> bytes:
    return encode(_BARS, "TIFF", dpi=(300, 150), exif=_exif(6))


def _palette_alpha() -> Image.Image:
    rgba = _BARS.convert("RGBA")
    rgba.putpixel((0, 0), (0, 0, 0, 0))
    quantized = rgba.quantize(8)
    assert quantized.palette is not None and quantized.palette.mode == "RGBA"
    return quantized


CASES: dict[str, Callable[[], tuple[Image.Image, int]]] = {
    "png": lambda: (opened(encode(_BARS, "PNG", dpi=(200, 100))), 0),
    "jpeg-exif-orientation-dpi": lambda: (opened(_jpeg_turned()), 0),
    "gif-transparency": lambda: (opened(_gif_with_key()), 0),
    "png-2-bit-trns": lambda: (opened(_text_on_key()), 0),
    "png-16-bit": lambda: (
        opened(encode(Image.fromarray(np.arange(96, dtype=np.uint16) * 600), "PNG")),
        0,
    ),
    "tiff-orientation-dpi": lambda: (opened(_tiff_turned()), 0),
    "tiff-page-2": lambda: (
        opened(_tiff_pages([(30, 20), (50, 10), (20, 20)], dpi=(300, 150))),
        1,
    ),
    "palette-with-alpha": lambda: (_palette_alpha(), 0),
}


@pytest.mark.parametrize("case", list(CASES))
def test_portable_image_pickles_and_reads_like_the_original(case: str) -> None:
    expected = load_image(CASES[case]()[0], frame=CASES[case]()[1])
    im, frame = CASES[case]()
    info, mode, size, current = dict(im.info), im.mode, im.size, im.tell()
    portable = pickle.loads(pickle.dumps(portable_image(im, frame=frame)))
    assert_same(load_image(portable), expected)
    assert portable.size == expected.image.size  # upright, frame as read
    # the caller's image is left as it was: frame, mode, size, info
    assert (im.tell(), im.mode, im.size, im.info) == (current, mode, size, info)


def test_portable_image_of_a_loaded_image_reads_like_its_file() -> None:
    im = opened(_text_on_key())
    first = load_image(im)  # loads the caller's image
    portable = pickle.loads(pickle.dumps(portable_image(im)))
    assert_same(load_image(portable), first)
    assert_same(load_image(portable), load_image(_text_on_key()))


def test_portable_image_refuses_what_load_image_refuses() -> None:
    big = opened(encode(_BARS, "PNG"))
    with pytest.raises(ImageError, match="over the limit of 100 pixels"):
        portable_image(big, max_pixels=100)
    truncated = opened(encode(_BARS, "PNG")[:-40])
    with pytest.raises(ImageError) as portable_error:
        portable_image(truncated)
    with pytest.raises(ImageError) as load_error:
        load_image(opened(encode(_BARS, "PNG")[:-40]))
    assert str(portable_error.value) == str(load_error.value)
    with pytest.raises(ImageError, match="frame 3 does not exist"):
        portable_image(opened(_tiff_pages([(9, 9), (9, 9)])), frame=3)


class ProbeBackend(OneWordBackend):
    """Reads one word describing the image it got: size, resolution, pixels."""

    name = "pil-probe"

    def text(self, image: LoadedImage) -> str:
        im = image.image
        dpi = im.info.get("dpi")
        shown = "-" if dpi is None else "x".join(f"{float(v):g}" for v in dpi)
        return f"{im.width}x{im.height}:dpi={shown}:crc={zlib.crc32(im.tobytes())}"


def _outcome(result: unocr.Page | ItemFailure) -> object:
    if isinstance(result, ItemFailure):
        return (type(result.error).__name__, str(result.error), result.source)
    return (result.text, result.source)


def sendable(item: Any) -> Any:
    """``executors._sendable`` calling :func:`portable_image` (see the module doc)."""
    if isinstance(item, Image.Image):
        try:
            return portable_image(item, max_pixels=None)
        except ImageError as err:
            return FailedInput(describe(item), err)
    return _ORIGINAL_SENDABLE(item)


_ORIGINAL_SENDABLE = executors._sendable


def test_a_process_pool_reads_portable_pil_images_as_the_process_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(executors, "_sendable", sendable)

    def inputs() -> list[Image.Image]:
        return [
            opened(encode(_BARS, "PNG", dpi=(200, 100))),
            opened(_jpeg_turned()),
            opened(_gif_with_key()),
            opened(_text_on_key()),
            moved,
            opened(encode(_BARS, "PNG")[:-40]),  # truncated: fails, alone
        ]

    frames = [bars((20 + i,)).convert("P") for i in range(3)]
    animated = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    moved = opened(animated)
    moved.seek(2)  # read_many reads frame 0, as load_image does

    engine = ProbeBackend()
    here = unocr.read_many(inputs(), engine, errors="return")
    with ProcessPoolExecutor(2) as pool:
        there = unocr.read_many(inputs(), engine, errors="return", executor=pool)
    assert [_outcome(r) for r in there] == [_outcome(r) for r in here]
    assert [isinstance(r, ItemFailure) for r in there] == [False] * 5 + [True]
    assert moved.tell() == 2


# --------------------------------------------------------------------------- #
# A layered Photoshop file is one image: its composite
# --------------------------------------------------------------------------- #


def _layered_psd() -> tuple[bytes, np.ndarray]:
    """A 40x20 RGB Photoshop file with three layers, and its composite.

    Composite: white with a black box. Layer 1: solid blue; layer 2: a red
    box; layer 3: a green box.
    """
    width, height = 40, 20
    composite = np.full((height, width, 3), 255, np.uint8)
    composite[5:15, 5:35] = 0
    layers = [
        (b"bg", (0, 0, height, width), (0, 0, 255)),
        (b"red", (5, 5, 15, 15), (255, 0, 0)),
        (b"green", (5, 20, 15, 30), (0, 255, 0)),
    ]
    records, channels = b"", b""
    for name, (top, left, bottom, right), rgb in layers:
        area = (bottom - top) * (right - left)
        records += struct.pack(">iiiiH", top, left, bottom, right, 3)
        for c in range(3):
            records += struct.pack(">hI", c, 2 + area)
        label = bytes([len(name)]) + name
        label += b"\0" * (-len(label) % 4)
        extra = struct.pack(">II", 0, 0) + label
        records += b"8BIMnorm" + bytes([255, 0, 0, 0])
        records += struct.pack(">I", len(extra)) + extra
        for c in range(3):
            channels += struct.pack(">H", 0) + bytes([rgb[c]]) * area
    info = struct.pack(">h", len(layers)) + records + channels
    info += b"\0" * (len(info) % 2)
    masks = struct.pack(">I", len(info)) + info + struct.pack(">I", 0)
    head = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3)
    body = struct.pack(">II", 0, 0) + struct.pack(">I", len(masks)) + masks
    pixels = struct.pack(">H", 0) + b"".join(
        composite[..., c].tobytes() for c in range(3)
    )
    return head + body + pixels, composite


def test_a_layered_psd_file_is_one_image_its_composite() -> None:
    data, composite = _layered_psd()
    assert count_frames(data) == 1
    frames = list(iter_frames(data))
    assert len(frames) == 1
    assert np.array_equal(np.asarray(frames[0].image), composite)
    assert np.array_equal(np.asarray(load_image(data).image), composite)
    with pytest.raises(ImageError, match="has 1 frame"):
        load_image(data, frame=1)
    pages = list(unocr.read_pages(data, ProbeBackend()))
    assert len(pages) == 1


def test_a_pil_psd_image_is_its_composite_and_stays_so() -> None:
    data, composite = _layered_psd()
    im = opened(data)
    assert count_frames(im) == 1
    assert np.array_equal(np.asarray(load_image(im).image), composite)
    with pytest.raises(ImageError, match="has 1 frame"):
        load_image(im, frame=1)
    assert [np.asarray(f.image).tolist() for f in iter_frames(im)] == [
        composite.tolist()
    ]
    assert np.array_equal(np.asarray(load_image(im).image), composite)
    # the caller's image still shows the composite
    assert np.array_equal(np.asarray(im.convert("RGB")), composite)
    assert expand([im]) == [im]  # not a document


# --------------------------------------------------------------------------- #
# A second read of one PIL image gives what the first gave
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("size", [(60, 30), (30, 30)], ids=["oblong", "square"])
def test_a_turned_tiff_keeps_its_resolution_on_every_read(
    size: tuple[int, int],
) -> None:
    data = encode(
        Image.new("RGB", size, "white"), "TIFF", dpi=(300, 150), exif=_exif(6)
    )
    want = load_image(data)
    assert want.image.info["dpi"] == (150, 300)
    im = opened(data)
    assert_same(load_image(im), want)
    assert_same(load_image(im), want)  # the caller's image is loaded now
    assert_same(next(iter_frames(im)), want)
    im.seek(0)
    im.load()  # the caller loads it too
    assert_same(load_image(im), want)


def test_a_tiff_the_caller_loaded_before_unocr_keeps_its_resolution() -> None:
    data = encode(
        Image.new("RGB", (60, 30), "white"), "TIFF", dpi=(300, 150), exif=_exif(6)
    )
    im = opened(data)
    im.load()  # Pillow turns the pixels and forgets the orientation
    assert_same(load_image(im), load_image(data))


def test_a_low_bit_png_key_applies_on_every_read() -> None:
    data = _text_on_key()
    want = load_image(data)
    assert want.image.getpixel((0, 0)) == (255, 255, 255)  # the key: white
    im = opened(data)
    assert_same(load_image(im), want)
    assert_same(load_image(im), want)  # the caller's image is loaded now
    im.load()
    assert_same(load_image(im), want)


def test_save_pdf_sizes_a_read_pil_tiff_page_by_its_resolution() -> None:
    import pypdfium2 as pdfium

    data = encode(
        Image.new("RGB", (600, 300), "white"), "TIFF", dpi=(300, 150), exif=_exif(6)
    )
    im = opened(data)
    page = unocr.read(im, ProbeBackend())
    out = io.BytesIO()
    unocr.save_pdf([page], out, images=[im])
    width, height = pdfium.PdfDocument(out.getvalue())[0].get_size()
    # 300 x 600 pixels upright at 150 x 300 dpi: 2 x 2 inches
    assert (round(width / 72, 2), round(height / 72, 2)) == (2.0, 2.0)


# --------------------------------------------------------------------------- #
# A page of a PIL image travels as its file, decoded where the engine runs
# --------------------------------------------------------------------------- #


def _damaged_tiff() -> bytes:
    """Four deflate-compressed pages; the third page's data is broken."""
    data = bytearray(_tiff_pages([(80, 60)] * 4, compression="tiff_deflate"))
    im = opened(bytes(data))
    im.seek(2)
    start, length = im.tag_v2[273][0], im.tag_v2[279][0]
    middle = start + length // 2
    data[middle : middle + 200] = bytes(200)
    return bytes(data)


def test_pickling_a_pil_page_decodes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    pil = opened(_tiff_pages([(30, 20), (40, 20), (50, 20)]))
    refs = expand([pil])
    decoded: list[int] = []
    real = TiffImagePlugin.TiffImageFile.load

    def load(self: TiffImagePlugin.TiffImageFile) -> Any:
        decoded.append(self.tell())
        return real(self)

    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "load", load)
    copies = pickle.loads(pickle.dumps(refs))
    assert decoded == []
    assert pil.tell() == 0
    monkeypatch.undo()
    for ref, copy in zip(refs, copies, strict=True):
        assert isinstance(copy, PageRef)
        assert_same(load_input(copy), load_input(ref))


def test_a_page_of_a_pil_image_without_a_file_travels_as_its_pixels() -> None:
    from unocr.documents import DocumentOptions

    made = _BARS.convert("L")  # made in memory: no file to send
    (ref,) = expand([made], DocumentOptions(pages="1"))
    copy = pickle.loads(pickle.dumps(ref))
    assert isinstance(copy, PageRef) and copy.kind == "image"
    assert_same(load_input(copy), load_input(ref))
    closed = opened(_tiff_pages([(30, 20), (40, 20)]))
    refs = expand([closed])
    closed.close()
    with pytest.raises(ImageError, match="it was closed") as here:
        load_input(refs[1])
    failed = pickle.loads(pickle.dumps(refs[1]))
    assert isinstance(failed, FailedInput)
    assert failed.name == "<PIL image> (page 2)"
    with pytest.raises(ImageError) as there:
        load_input(failed)
    assert str(there.value) == str(here.value)


def test_a_pil_page_failing_in_a_worker_fails_as_in_process() -> None:
    data = _damaged_tiff()
    engine = ProbeBackend()
    here = unocr.read_many([opened(data)], engine, errors="return")
    with ProcessPoolExecutor(2) as pool:
        there = unocr.read_many([opened(data)], engine, errors="return", executor=pool)
    assert [_outcome(r) for r in there] == [_outcome(r) for r in here]
    failed = [r for r in there if isinstance(r, ItemFailure)]
    assert len(failed) == 1 and isinstance(failed[0].error, ImageError)
    assert "(frame 2): cannot decode the image" in str(failed[0].error)


def test_a_pil_page_is_held_to_the_engines_pixel_limit_in_a_worker() -> None:
    data = _tiff_pages([(30, 20), (80, 60), (20, 20)])
    engine = ProbeBackend(max_pixels=1000)
    here = unocr.read_many([opened(data)], engine, errors="return")
    with ProcessPoolExecutor(1) as pool:
        there = unocr.read_many([opened(data)], engine, errors="return", executor=pool)
    assert [_outcome(r) for r in there] == [_outcome(r) for r in here]
    failed = [r for r in there if isinstance(r, ItemFailure)]
    assert len(failed) == 1
    assert "(frame 1): image is 80x60 = 4,800 pixels" in str(failed[0].error)

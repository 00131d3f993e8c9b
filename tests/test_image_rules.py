"""Tests for rules of image input: resolution, frame numbering, bytes engines get.

Every image is generated here with Pillow (or written byte by byte where
Pillow cannot write the format); nothing is downloaded. Tests that need many
pixels lower Pillow's global ``MAX_IMAGE_PIXELS`` instead (restored after).
"""

from __future__ import annotations

import io
import pickle
import struct
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, TiffImagePlugin

import unocr
from unocr.documents import PageImage, PageRef, expand, load_input
from unocr.errors import DocumentError, ImageError
from unocr.image import EncodedImage, iter_frames, load_image

from .ink_engine import bars


def encode(im: Image.Image, fmt: str, **params: Any) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **params)
    return buf.getvalue()


def frames_file(images: list[Image.Image], fmt: str = "TIFF") -> bytes:
    return encode(images[0], fmt, save_all=True, append_images=images[1:])


def widths(page: unocr.Page) -> list[str]:
    """The ink engine's words: the widths of the bars it saw."""
    return [w.text for w in page.words]


# --------------------------------------------------------------------------- #
# The resolution survives every conversion to RGB
# --------------------------------------------------------------------------- #

_TEXT = bars((60, 120), h=40)  # 240 x 60, RGB


def _keyed_rgb() -> Image.Image:
    im = _TEXT.copy()
    im.info["transparency"] = (1, 2, 3)
    return im


_CONVERTED = {
    "RGBA": lambda: _TEXT.convert("RGBA"),
    "LA": lambda: _TEXT.convert("LA"),
    "I;16": lambda: _TEXT.convert("I;16"),
    "RGB with a tRNS key": _keyed_rgb,
}


@pytest.mark.parametrize("kind", list(_CONVERTED))
def test_a_converted_image_keeps_its_resolution(kind: str) -> None:
    data = encode(_CONVERTED[kind](), "PNG", dpi=(150, 150))
    dpi = load_image(data).image.info.get("dpi")
    assert dpi is not None and dpi == pytest.approx((150, 150), abs=0.1)


def test_a_premultiplied_pil_image_keeps_its_resolution() -> None:
    im = _TEXT.convert("RGBa")
    im.info["dpi"] = (200, 200)
    assert load_image(im).image.info["dpi"] == (200, 200)


def test_a_turned_image_keeps_its_resolution_across_its_axes() -> None:
    im = _TEXT.convert("RGBA")
    exif = Image.Exif()
    exif[0x0112] = 6  # turned 90 degrees: x and y swap
    loaded = load_image(encode(im, "TIFF", exif=exif, dpi=(100, 200)))
    assert loaded.width == _TEXT.height
    assert loaded.image.info["dpi"] == pytest.approx((200, 100))


def test_save_pdf_page_of_an_image_with_alpha_has_its_stored_size(
    tmp_path: Path, ink: str
) -> None:
    pdfium = pytest.importorskip("pypdfium2")
    path = tmp_path / "alpha.png"
    _TEXT.convert("RGBA").save(path, dpi=(120, 120))
    page = unocr.read(path, backend=ink)
    unocr.save_pdf([page], tmp_path / "out.pdf")
    doc = pdfium.PdfDocument(tmp_path / "out.pdf")
    try:
        w_pt, h_pt = doc[0].get_size()
    finally:
        doc.close()
    inches = (_TEXT.width / 120, _TEXT.height / 120)  # not at 300 dpi
    assert (w_pt / 72, h_pt / 72) == pytest.approx(inches, abs=0.01)


def test_tesseract_is_told_the_resolution_of_an_image_with_alpha(
    monkeypatch: pytest.MonkeyPatch, snippet: Image.Image
) -> None:
    from unocr.backends.tesseract import process

    seen: list[str | None] = []
    real_run = process.run

    def spy(args: list[str], **kw: Any) -> Any:
        if "stdin" in args:  # a recognition, not a look at the program
            seen.append(args[args.index("--dpi") + 1] if "--dpi" in args else None)
        return real_run(args, **kw)

    monkeypatch.setattr(process, "run", spy)
    data = encode(snippet.convert("LA"), "PNG", dpi=(300, 300))
    page = unocr.read(data, backend="tesseract")
    assert seen == ["300"]
    assert "point" in page.text


# --------------------------------------------------------------------------- #
# Counting frames: unocr's pixel limit only, Pillow's warnings kept quiet
# --------------------------------------------------------------------------- #


@pytest.fixture
def low_pil_limit(monkeypatch: pytest.MonkeyPatch) -> int:
    """Pillow's global limit lowered so that a 100 x 100 page is over twice it."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 4_000)
    return 4_000


def test_pages_over_pillows_limit_are_all_counted(low_pil_limit: int, ink: str) -> None:
    data = frames_file([bars((20, 50), h=80), bars((30, 40), h=80)])  # 100 x 100
    with pytest.raises(Image.DecompressionBombError):  # Pillow alone refuses it
        Image.open(io.BytesIO(data))
    refs = expand([data])
    assert [r.index for r in refs if isinstance(r, PageRef)] == [0, 1]
    pages = unocr.read_many([data], backend=ink)
    assert [sorted(widths(p)) for p in pages] == [["w20", "w50"], ["w30", "w40"]]
    (second,) = unocr.read_pages(data, backend=ink, pages="2")
    assert second.source is not None and second.source.index == 1
    assert sorted(widths(second)) == ["w30", "w40"]
    assert low_pil_limit == Image.MAX_IMAGE_PIXELS  # restored


@pytest.mark.parametrize("call", ["read_pages", "read_many"])
def test_pillows_bomb_warning_never_reaches_the_caller(
    monkeypatch: pytest.MonkeyPatch, ink: str, call: str
) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 6_000)  # warns, 6000-12000
    data = encode(Image.new("RGB", (100, 100), "white"), "PNG")  # 10000 pixels
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if call == "read_pages":
            pages = list(unocr.read_pages(data, backend=ink))
        else:
            pages = unocr.read_many([data], backend=ink, pages=1)
    assert len(pages) == 1
    assert [str(w.message) for w in caught] == []


# --------------------------------------------------------------------------- #
# Loading frame i of a TIFF does not count its frames
# --------------------------------------------------------------------------- #


def test_loading_a_tiff_page_does_not_count_the_pages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = frames_file([bars((10 + i,)) for i in range(6)])
    refs = expand([data])
    counted: list[int] = []
    real = TiffImagePlugin.TiffImageFile.n_frames

    def counting(self: TiffImagePlugin.TiffImageFile) -> int:
        counted.append(1)
        return real.fget(self)  # type: ignore[attr-defined,no-any-return]

    monkeypatch.setattr(TiffImagePlugin.TiffImageFile, "n_frames", property(counting))
    last = load_input(refs[5])
    assert counted == []
    assert last.image.size == bars((15,)).size
    with pytest.raises(ImageError, match=r"has 6 frame\(s\); frame 9 does not exist"):
        load_image(data, frame=9)


def test_a_pil_image_keeps_its_frame_count_after_a_frame_past_its_end() -> None:
    pil = Image.open(io.BytesIO(frames_file([bars((10 + i,)) for i in range(3)])))
    with pytest.raises(ImageError, match=r"has 3 frame\(s\); frame 7 does not exist"):
        load_image(pil, frame=7)
    assert pil.n_frames == 3 and pil.tell() == 0


# --------------------------------------------------------------------------- #
# A multi-frame PIL image is a document like its file
# --------------------------------------------------------------------------- #


def _three_frames() -> bytes:
    return frames_file([bars((20,)), bars((30,)), bars((40,))])


def test_read_many_reads_every_frame_of_a_pil_tiff(ink: str) -> None:
    data = _three_frames()
    from_file = unocr.read_many([data], backend=ink)
    from_pil = unocr.read_many([Image.open(io.BytesIO(data))], backend=ink)
    assert [widths(p) for p in from_pil] == [["w20"], ["w30"], ["w40"]]
    assert [widths(p) for p in from_pil] == [widths(p) for p in from_file]
    assert [p.source.index for p in from_pil if p.source] == [0, 1, 2]


def test_read_pages_selects_frames_of_a_pil_image(ink: str) -> None:
    pil = Image.open(io.BytesIO(_three_frames()))
    (second,) = unocr.read_pages(pil, backend=ink, pages="2")
    assert widths(second) == ["w30"]
    assert second.source is not None and second.source.index == 1
    gif = Image.open(io.BytesIO(frames_file([bars((20,)), bars((30,))], "GIF")))
    (frame,) = unocr.read_pages(gif, backend=ink, pages="2")
    assert widths(frame) == ["w30"]
    with pytest.raises(DocumentError, match="which has 3 page"):
        list(unocr.read_pages(pil, backend=ink, pages="4"))
    given_order = unocr.read_pages(pil, backend=ink, pages="3,1")
    assert [widths(p) for p in given_order] == [["w40"], ["w20"]]
    assert pil.tell() == 0


def test_read_pages_of_a_pil_gif_moves_through_its_frames_once(
    monkeypatch: pytest.MonkeyPatch, ink: str
) -> None:
    from PIL import GifImagePlugin

    gif = Image.open(
        io.BytesIO(frames_file([bars((20 + i,)) for i in range(4)], "GIF"))
    )
    moves: list[int] = []
    real = GifImagePlugin.GifImageFile.seek

    def seek(self: GifImagePlugin.GifImageFile, frame: int) -> None:
        moves.append(frame)
        real(self, frame)

    monkeypatch.setattr(GifImagePlugin.GifImageFile, "seek", seek)
    pages = list(unocr.read_pages(gif, backend=ink, pages="2-4"))
    assert [widths(p) for p in pages] == [["w21"], ["w22"], ["w23"]]
    # forward only (a GIF's frames are decoded from its first on every move
    # back), then back to the caller's frame
    assert moves[:-1] == sorted(moves[:-1]) and moves[-1] == 0


def test_a_pil_frame_reference_pickles_as_that_frame() -> None:
    pil = Image.open(io.BytesIO(_three_frames()))
    ref = expand([pil])[2]
    assert isinstance(ref, PageRef)
    copy = pickle.loads(pickle.dumps(ref))
    loaded = load_input(copy)
    assert np.array_equal(np.asarray(loaded.image), np.asarray(bars((40,))))
    assert isinstance(loaded, PageImage) and loaded.source is not None
    assert loaded.source.index == 2
    assert pil.tell() == 0


# --------------------------------------------------------------------------- #
# Formats whose first frame is not frame 0 (PSD)
# --------------------------------------------------------------------------- #


def _psd(rgb: np.ndarray) -> bytes:
    """A flat RGB Photoshop file: no layers, the composite image only."""
    h, w, _ = rgb.shape
    head = b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, h, w, 8, 3)
    body = struct.pack(">IIIH", 0, 0, 0, 0)  # no colour data, resources, layers; raw
    return head + body + b"".join(rgb[..., c].tobytes() for c in range(3))


def test_a_psd_file_is_read() -> None:
    rgb = np.asarray(_TEXT)
    data = _psd(rgb)
    assert np.array_equal(np.asarray(load_image(data).image), rgb)
    assert np.array_equal(
        np.asarray(load_image(Image.open(io.BytesIO(data))).image), rgb
    )
    assert len(list(iter_frames(data))) == 1
    with pytest.raises(ImageError, match="frame 1 does not exist"):
        load_image(data, frame=1)


# --------------------------------------------------------------------------- #
# File bytes engines decode themselves
# --------------------------------------------------------------------------- #


def _gif_on_a_larger_screen(frame: Image.Image, screen: tuple[int, int]) -> bytes:
    """A GIF whose only frame is drawn at an offset on a larger logical screen."""
    d = bytearray(encode(frame.convert("P"), "GIF"))
    d[6:10] = struct.pack("<HH", *screen)
    flags = d[10]
    i = 13 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    while d[i] == 0x21:  # extensions
        i += 2
        while d[i]:
            i += d[i] + 1
        i += 1
    assert d[i] == 0x2C  # the image descriptor: its left and top
    d[i + 1 : i + 5] = struct.pack(
        "<HH", screen[0] - frame.width, screen[1] - frame.height
    )
    return bytes(d)


def test_a_gif_frame_smaller_than_its_screen_is_sent_as_pixels(
    snippet: Image.Image,
) -> None:
    data = _gif_on_a_larger_screen(snippet, (900, 300))
    loaded = load_image(data)
    assert (loaded.width, loaded.height) == (900, 300)
    assert loaded.encoded is None
    assert not isinstance(load_image(data, decode=False), EncodedImage)
    whole = encode(snippet.convert("P"), "GIF")
    assert load_image(whole).encoded == whole  # a frame covering its screen


def test_tesseract_boxes_of_an_offset_gif_frame_are_on_the_screen(
    snippet: Image.Image,
) -> None:
    data = _gif_on_a_larger_screen(snippet, (900, 300))
    page = unocr.read(data, backend="tesseract")
    boxes = [w.geometry.to_box() for w in page.words]
    assert boxes and min(b.x0 for b in boxes) >= 300 - 5
    assert min(b.y0 for b in boxes) >= 300 - snippet.height - 5


def _bmp_rle8(gray: np.ndarray) -> bytes:
    """An 8-bit gray BMP compressed with run lengths (BI_RLE8)."""
    h, w = gray.shape
    rows = bytearray()
    for y in range(h - 1, -1, -1):  # bottom-up
        x = 0
        while x < w:
            n = 1
            while x + n < w and n < 255 and gray[y, x + n] == gray[y, x]:
                n += 1
            rows += bytes([n, int(gray[y, x])])
            x += n
        rows += b"\x00\x00"  # end of line
    rows += b"\x00\x01"  # end of bitmap
    palette = b"".join(bytes([i, i, i, 0]) for i in range(256))
    info = struct.pack("<IiiHHIIiiII", 40, w, h, 1, 8, 1, len(rows), 2835, 2835, 256, 0)
    offset = 14 + 40 + len(palette)
    head = b"BM" + struct.pack("<IHHI", offset + len(rows), 0, 0, offset)
    return head + info + palette + bytes(rows)


def test_a_compressed_bmp_is_sent_to_tesseract_as_pixels(snippet: Image.Image) -> None:
    gray = np.asarray(snippet.convert("L"))
    data = _bmp_rle8(gray)
    loaded = load_image(data)
    assert np.array_equal(np.asarray(loaded.image)[..., 0], gray)
    assert loaded.encoded is None
    assert "point" in unocr.read(data, backend="tesseract").text
    plain = encode(snippet.convert("L"), "BMP")
    assert load_image(plain).encoded == plain  # uncompressed: sent as it is


# --------------------------------------------------------------------------- #
# Transparency keys of low-bit-depth gray PNGs
# --------------------------------------------------------------------------- #


def _png(
    width: int, height: int, ihdr_tail: bytes, chunks: bytes, rows: bytes
) -> bytes:
    import zlib

    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(tag + body))
        return struct.pack(">I", len(body)) + tag + body + crc

    head = chunk(b"IHDR", struct.pack(">II", width, height) + ihdr_tail)
    return (
        b"\x89PNG\r\n\x1a\n"
        + head
        + chunks
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("bits", "row", "key", "expected"),
    [
        (2, [1, 1, 0, 0, 1, 1, 3, 3], 1, [255, 255, 0, 0, 255, 255, 255, 255]),
        (4, [5, 0, 5, 15, 0, 0, 5, 5], 5, [255, 0, 255, 255, 0, 0, 255, 255]),
        (1, [0, 1, 0, 1, 1, 0, 0, 1], 0, [255] * 8),
    ],
)
def test_a_low_bit_gray_png_key_is_transparent(
    bits: int, row: list[int], key: int, expected: list[int]
) -> None:
    import zlib

    packed = 0
    for value in row:
        packed = (packed << bits) | value
    line = b"\x00" + packed.to_bytes(bits, "big")  # 8 samples of `bits` bits
    trns = struct.pack(">I", 2) + b"tRNS" + struct.pack(">H", key)
    trns += struct.pack(">I", zlib.crc32(b"tRNS" + struct.pack(">H", key)))
    data = _png(8, 2, bytes([bits, 0, 0, 0, 0]), trns, line * 2)
    got = np.asarray(load_image(data).image)[0, :, 0].tolist()
    assert got == expected


# --------------------------------------------------------------------------- #
# Messages
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("how", ["with block", "close()"])
def test_a_closed_pil_image_is_named_closed(tmp_path: Path, how: str) -> None:
    path = tmp_path / "a.png"
    _TEXT.save(path)
    if how == "with block":
        with Image.open(path) as im:
            pass
    else:
        im = Image.open(path)
        im.close()
    with pytest.raises(ImageError, match="closed") as info:
        load_image(im)
    assert "AssertionError" not in str(info.value)

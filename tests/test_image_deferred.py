"""``load_image(decode=False)``: the file's own bytes, pixels decoded on first use."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from unocr.errors import ImageError
from unocr.image import EncodedImage, LoadedImage, load_image


def encoded(
    mode: str, fmt: str, size: tuple[int, int] = (40, 30), **save: object
) -> bytes:
    rng = np.random.default_rng(0)
    bands = len(Image.new(mode, (1, 1)).getbands())
    shape = (size[1], size[0]) if bands == 1 else (size[1], size[0], bands)
    im = Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8))
    if im.mode != mode:
        im = im.convert(mode)
    buf = io.BytesIO()
    im.save(buf, format=fmt, **save)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("mode", "fmt"), [("RGB", "JPEG"), ("L", "JPEG"), ("RGB", "PNG"), ("P", "GIF")]
)
def test_files_that_show_the_image_are_not_decoded(mode: str, fmt: str) -> None:
    data = encoded(mode, fmt)
    lazy = load_image(data, decode=False)
    assert isinstance(lazy, EncodedImage)
    assert lazy.encoded == data and lazy.format == fmt
    assert (lazy.width, lazy.height) == (40, 30)
    assert lazy.__dict__["_pixels"] is None  # nothing decoded yet
    eager = load_image(data)
    assert eager.encoded == data
    assert lazy.image.mode == "RGB"
    assert lazy.image.tobytes() == eager.image.tobytes()
    assert lazy.image is lazy.image  # decoded once
    assert "bytes" in repr(lazy) and "40x30" in repr(lazy)


def test_a_path_is_read_by_header_too(tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "a.jpg"
    path.write_bytes(encoded("RGB", "JPEG"))
    lazy = load_image(path, decode=False)
    assert isinstance(lazy, EncodedImage)
    assert lazy.name == str(path) and lazy.encoded == path.read_bytes()


def exif_rotated() -> bytes:
    im = Image.new("RGB", (40, 30), (200, 10, 10))
    exif = im.getexif()
    exif[0x0112] = 6
    buf = io.BytesIO()
    im.save(buf, format="JPEG", exif=exif.tobytes())
    return buf.getvalue()


def multipage_tiff() -> bytes:
    buf = io.BytesIO()
    a, b = Image.new("L", (8, 8), 0), Image.new("L", (8, 8), 255)
    a.save(buf, format="TIFF", save_all=True, append_images=[b])
    return buf.getvalue()


@pytest.mark.parametrize(
    "data",
    [
        encoded("RGBA", "PNG"),  # alpha: composited on white, not the file's pixels
        exif_rotated(),  # turned upright: not the stored raster
        multipage_tiff(),  # more pages than the image
    ],
    ids=["alpha", "exif-rotated", "multipage-tiff"],
)
def test_files_that_do_not_show_the_image_are_decoded(data: bytes) -> None:
    out = load_image(data, decode=False)
    assert type(out) is LoadedImage
    assert out.encoded is None
    assert out.image.tobytes() == load_image(data).image.tobytes()


def test_the_pixel_limit_is_checked_from_the_header() -> None:
    with pytest.raises(ImageError, match="pixels"):
        load_image(encoded("RGB", "JPEG", (200, 100)), decode=False, max_pixels=10_000)


def test_gcv_sends_jpeg_files_without_decoding_them() -> None:
    pytest.importorskip("google.cloud.vision_v1")
    from .gcv_server import VisionServer, backend_for, fixed_reply, word_response

    data = encoded("RGB", "JPEG", (60, 20))
    seen: list[LoadedImage] = []
    reply = word_response([("ok", (1, 1, 30, 15))], width=60, height=20)
    with VisionServer(reply=fixed_reply(reply)) as server, backend_for(server) as gcv:
        prepare = gcv._prepare

        def spy(slot: int, image: LoadedImage) -> object:
            seen.append(image)
            return prepare(slot, image)

        gcv._prepare = spy
        pages = gcv.read_many([data, data])
        sent = [r.image.content for r in server.requests]
    assert [p.text for p in pages] == ["ok", "ok"]
    assert sent == [data, data]
    assert all(
        isinstance(i, EncodedImage) and i.__dict__["_pixels"] is None for i in seen
    )
    assert (pages[0].width, pages[0].height) == (60, 20)

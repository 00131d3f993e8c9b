"""Pixels through shared memory: mapped in place in the worker, exactly.

The parent copies an image once into the worker's shared-memory file, in
Pillow's own layout; the worker's image stands on those pages (no copy). Modes
Pillow cannot map travel packed, in the same file or over the pipe.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from unocr.image import LoadedImage, load_image
from unocr.isolation.transfer import PixelReader, PixelWriter

pytestmark = pytest.mark.skipif(
    PixelWriter().fd is None, reason="no memfd_create: pixels go over the pipe"
)


def _loaded(img: Image.Image) -> LoadedImage:
    return LoadedImage(image=img, name="<test>", decode_seconds=0.0)


def _roundtrip(writer: PixelWriter, reader: PixelReader, images: list[LoadedImage]):
    metas, blobs = writer.pack(images)
    return metas, reader.unpack(metas, b"".join(blobs))


@pytest.fixture
def pair():
    writer = PixelWriter()
    yield writer, PixelReader(writer.fd)
    writer.close()


def test_rgb_is_mapped_in_place_read_only_and_exact(pair) -> None:
    writer, reader = pair
    rng = np.random.default_rng(0)
    arr = rng.integers(0, 256, (300, 200, 3), dtype=np.uint8)
    (meta,), (got,) = _roundtrip(writer, reader, [load_image(arr)])
    assert "mapped" in meta and "pixels" not in meta
    assert got.image.mode == "RGB" and got.image.size == (200, 300)
    assert got.image.readonly
    assert np.array_equal(np.asarray(got.image), arr)
    # A change by an engine copies first: the shared pages stay the parent's.
    got.image.putpixel((0, 0), (1, 2, 3))
    assert got.image.getpixel((0, 0)) == (1, 2, 3)
    again = reader.unpack([meta], b"")[0]
    assert again.image.getpixel((0, 0)) == tuple(arr[0, 0])


MODES = ["L", "RGBA", "CMYK", "RGBX", "P", "1", "I;16", "I", "F", "LA", "YCbCr"]


@pytest.mark.parametrize("mode", MODES)
def test_every_mode_arrives_exactly(pair, mode: str) -> None:
    writer, reader = pair
    rng = np.random.default_rng(1)
    raw = rng.integers(0, 256, (37, 23, 4), dtype=np.uint8)
    img = Image.fromarray(raw, "RGBA").convert(mode)
    # An odd-sized image first, so the next starts past an unaligned end.
    first = load_image(rng.integers(0, 256, (3, 5, 3), dtype=np.uint8))
    metas, (_, got) = _roundtrip(writer, reader, [first, _loaded(img)])
    assert got.image.mode == mode
    assert got.image.tobytes() == img.tobytes()
    assert metas[1]["mapped" if mode in ("L", "RGBA", "CMYK", "RGBX") else "shared"]
    assert metas[1]["mapped" if "mapped" in metas[1] else "shared"][0] % 64 == 0


def test_growing_the_memory_keeps_earlier_images_mapped(pair) -> None:
    writer, reader = pair
    small = load_image(np.full((10, 10, 3), 7, np.uint8))
    _, (kept,) = _roundtrip(writer, reader, [small])
    big = load_image(np.full((1500, 1000, 3), 9, np.uint8))  # more than 1 MiB
    _, (got,) = _roundtrip(writer, reader, [big])
    assert got.image.getpixel((999, 1499)) == (9, 9, 9)
    # The first mapping lives as long as its image (its pixels are the
    # parent's to rewrite after the call, but reading it never faults).
    assert len(kept.image.tobytes()) == 10 * 10 * 3


class _NoMapping:
    """A Pillow without ``map_buffer`` (the fault cannot be provoked otherwise)."""

    def __getattr__(self, name: str):
        raise AttributeError(name)


def test_a_pillow_that_cannot_map_still_gets_exact_pixels(pair, monkeypatch) -> None:
    from unocr.isolation import transfer

    writer, reader = pair
    rng = np.random.default_rng(2)
    arr = rng.integers(0, 256, (30, 20, 3), dtype=np.uint8)
    metas, blobs = writer.pack([load_image(arr)])
    assert "mapped" in metas[0]
    monkeypatch.setattr(transfer, "_pil_core", _NoMapping())
    (got,) = reader.unpack(metas, b"".join(blobs))  # the worker's Pillow: a copy
    assert np.array_equal(np.asarray(got.image), arr) and not got.image.readonly
    metas, blobs = writer.pack([load_image(arr)])  # the parent's: packed bytes
    assert "shared" in metas[0] and "mapped" not in metas[0]
    (got,) = reader.unpack(metas, b"".join(blobs))
    assert np.array_equal(np.asarray(got.image), arr)

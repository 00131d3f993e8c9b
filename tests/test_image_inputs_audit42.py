"""Image inputs: file objects identified before they are read, fix hints, dpi."""

from __future__ import annotations

import io
import os
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import unocr
from unocr.errors import ImageError
from unocr.image import iter_frames, load_image, portable_image, read_header

from .processes import run_python

MIB = 1 << 20


class _Virtual(io.RawIOBase):
    """A large file of zeros with some bytes laid on it; counts what is read.

    Nothing is held in memory but the laid bytes, so a test can hand unocr a
    file object of hundreds of megabytes.
    """

    def __init__(self, size: int, pieces: dict[int, bytes], *, seekable: bool) -> None:
        super().__init__()
        self.size = size
        self.pieces = pieces
        self.position = 0
        self.bytes_read = 0
        self._seekable = seekable

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._seekable

    def tell(self) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("tell")
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if not self._seekable:
            raise io.UnsupportedOperation("seek")
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}
        self.position = base[whence] + offset
        return self.position

    def readinto(self, buffer: object) -> int:
        view = memoryview(buffer).cast("B")  # type: ignore[arg-type]
        start = self.position
        n = max(0, min(len(view), self.size - start))
        view[:n] = bytes(n)
        for at, data in self.pieces.items():
            lo, hi = max(at, start), min(at + len(data), start + n)
            if lo < hi:
                view[lo - start : hi - start] = data[lo - at : hi - at]
        self.position += n
        self.bytes_read += n
        return n


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + struct.pack(">I", 1 << 30)
        + b"IDAT"  # its image data follows
    )


def _tiff_ifd_at_end(width: int, height: int, ifd_at: int) -> dict[int, bytes]:
    """A little-endian TIFF whose only directory lies at ``ifd_at``."""
    entries = [
        (256, 4, 1, width),  # ImageWidth, LONG
        (257, 4, 1, height),  # ImageLength
        (258, 3, 1, 8),  # BitsPerSample
        (262, 3, 1, 1),  # Photometric: black is zero
        (273, 4, 1, 8),  # StripOffsets
        (277, 3, 1, 1),  # SamplesPerPixel
        (278, 4, 1, height),  # RowsPerStrip
        (279, 4, 1, width * height),  # StripByteCounts
    ]
    ifd = struct.pack("<H", len(entries))
    for tag, kind, count, value in entries:
        packed = (
            struct.pack("<H", value) + b"\0\0"
            if kind == 3
            else struct.pack("<I", value)
        )
        ifd += struct.pack("<HHI", tag, kind, count) + packed
    ifd += struct.pack("<I", 0)
    return {0: b"II*\0" + struct.pack("<I", ifd_at), ifd_at: ifd}


@pytest.mark.parametrize("seekable", [True, False])
def test_a_file_object_that_is_no_image_is_refused_after_its_start(seekable):
    stream = _Virtual(600 * MIB, {}, seekable=seekable)  # 600 MB of zeros
    with pytest.raises(ImageError, match="not a recognised image file"):
        load_image(stream)  # type: ignore[arg-type]
    assert stream.bytes_read <= 2 * MIB  # before: all 600 MB were read


@pytest.mark.parametrize("seekable", [True, False])
def test_a_file_object_over_max_pixels_is_refused_before_the_rest(seekable):
    stream = _Virtual(300 * MIB, {0: _png_header(200_000, 100_000)}, seekable=seekable)
    with pytest.raises(ImageError, match="over the limit of 100,000,000 pixels"):
        load_image(stream)  # type: ignore[arg-type]
    assert stream.bytes_read <= 2 * MIB
    stream = _Virtual(300 * MIB, {0: _png_header(3000, 2000)}, seekable=seekable)
    with pytest.raises(ImageError, match="over the limit of 1,000 pixels"):
        next(iter_frames(stream, max_pixels=1000))  # type: ignore[arg-type]
    assert stream.bytes_read <= 2 * MIB


def test_a_header_past_the_start_is_read_on_a_seekable_object():
    # A TIFF may put its directory at the end: a seekable object is not read
    # up to it; a stream is read in full first, then identified.
    size = 200 * MIB
    pieces = _tiff_ifd_at_end(40_000, 40_000, size - 200)
    seekable = _Virtual(size, pieces, seekable=True)
    with pytest.raises(ImageError, match="40000x40000 = 1,600,000,000 pixels"):
        load_image(seekable)  # type: ignore[arg-type]
    assert seekable.bytes_read <= 2 * MIB
    with pytest.raises(ImageError, match="40000x40000"):
        read_header(_Virtual(size, pieces, seekable=True), max_pixels=10**8)  # type: ignore[arg-type]
    assert read_header(_Virtual(size, pieces, seekable=True)).width == 40_000  # type: ignore[arg-type]
    stream = _Virtual(size, pieces, seekable=False)
    with pytest.raises(ImageError, match="40000x40000"):
        load_image(stream)  # type: ignore[arg-type]
    assert stream.bytes_read == size


def _jpeg_with_metadata(extra: int) -> tuple[bytes, Image.Image]:
    """A JPEG with ``extra`` bytes of APP15 segments before its frame header."""
    rng = np.random.default_rng(42)
    im = Image.fromarray(rng.integers(0, 255, (48, 64, 3), dtype=np.uint8))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=90)
    data = out.getvalue()
    segment = b"\xff\xef" + struct.pack(">H", 65535) + bytes(65533)
    return data[:2] + segment * (extra // len(segment) + 1) + data[2:], im


class _Pipe(io.RawIOBase):
    """A stream that cannot seek, returning at most ``chunk`` bytes a read."""

    def __init__(self, data: bytes, chunk: int = 5000) -> None:
        super().__init__()
        self._data = data
        self._at = 0
        self._chunk = chunk

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: object) -> int:
        view = memoryview(buffer).cast("B")  # type: ignore[arg-type]
        part = self._data[self._at : self._at + min(len(view), self._chunk)]
        view[: len(part)] = part
        self._at += len(part)
        return len(part)


def test_a_file_whose_header_is_past_the_start_is_read_from_any_file_object(tmp_path):
    data, _ = _jpeg_with_metadata(int(1.5 * MIB))
    path = tmp_path / "meta.jpg"
    path.write_bytes(data)
    want = np.asarray(load_image(path).image)
    assert load_image(path).encoded == data
    for source in (
        _Pipe(data),
        open(path, "rb"),  # noqa: SIM115
        io.BufferedReader(_Pipe(data)),
    ):
        with source:
            loaded = load_image(source)  # type: ignore[arg-type]
        assert loaded.encoded == data
        np.testing.assert_array_equal(np.asarray(loaded.image), want)
    # its frame header declaring a bomb: refused before the rest is read
    sof = data.index(b"\xff\xc0")
    bomb = data[: sof + 5] + struct.pack(">HH", 30_000, 30_000) + data[sof + 9 :]
    seekable = _Virtual(300 * MIB, {0: bomb}, seekable=True)
    with pytest.raises(ImageError, match="30000x30000"):
        load_image(seekable)  # type: ignore[arg-type]
    assert seekable.bytes_read <= 4 * MIB
    # read from where the object stood, to its end
    stream = io.BytesIO(b"junk" * 1000 + data)
    stream.seek(4000)
    loaded = load_image(stream)
    assert loaded.encoded == data and stream.tell() == len(stream.getvalue())
    np.testing.assert_array_equal(np.asarray(loaded.image), want)


def test_a_large_non_image_file_object_costs_little_memory(tmp_path):
    path = tmp_path / "big.bin"
    with open(path, "wb") as fh:
        fh.truncate(600 * MIB)  # sparse: no disk space is used
    child = run_python(
        """
        import sys
        from unocr.image import load_image
        from unocr.errors import ImageError
        cap_memory(150)
        try:
            load_image(open(sys.argv[1], "rb"))
        except ImageError as exc:
            print("refused:", exc)
        """,
        str(path),
    )
    assert "refused:" in child.stdout and "not a recognised image" in child.stdout, (
        child.stdout + child.stderr
    )


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_a_file_opened_in_text_mode_gets_the_binary_mode_hint(tmp_path, encoding):
    path = tmp_path / "a.png"
    Image.new("RGB", (8, 8), "white").save(path)
    hint = r"open it in binary mode \(open\(path, 'rb'\)\)"
    with open(path, encoding=encoding) as fh, pytest.raises(ImageError, match=hint):
        load_image(fh)  # type: ignore[arg-type]


def test_a_stream_failing_to_decode_text_gets_the_binary_mode_hint():
    class Decoding:
        def read(self, size: int = -1) -> str:
            raise UnicodeDecodeError("utf-8", b"\x89", 0, 1, "invalid start byte")

    with pytest.raises(ImageError, match="open it in binary mode"):
        load_image(Decoding())  # type: ignore[arg-type]


def test_bytes_naming_a_file_say_bytes_are_contents(tmp_path):
    path = tmp_path / "ref.png"
    Image.new("RGB", (8, 8), "white").save(path)
    with pytest.raises(ImageError, match="pass a str or Path to read a file") as info:
        load_image(os.fsencode(path))
    assert str(info.value).startswith("<bytes>: not a recognised image file")
    with pytest.raises(ImageError) as info:
        load_image(os.fsencode(tmp_path / "missing.png"))
    assert "str or Path" not in str(info.value)


@pytest.mark.parametrize(
    "url", ["https://example.com/scan.png", "http://x/a.jpg", "file:///no/such.png"]
)
def test_a_url_is_told_it_is_not_fetched(url):
    with pytest.raises(ImageError, match="URLs are not fetched") as info:
        load_image(url)
    assert str(info.value).startswith(f"{url}: no such file")
    with pytest.raises(ImageError) as info:
        load_image("missing/scan.png")
    assert "URL" not in str(info.value)


def _tiff(tmp_path: Path, **save: object) -> Path:
    path = tmp_path / f"page{len(list(tmp_path.iterdir()))}.tif"
    Image.new("RGB", (40, 30), "white").save(path, **save)
    return path


def test_a_tiff_without_resolution_carries_no_dpi(tmp_path):
    plain = _tiff(tmp_path)
    with Image.open(plain) as im:
        assert im.info.get("dpi") == (1, 1)  # what Pillow reports for no tags
        assert "dpi" not in load_image(im).image.info
        assert "dpi" not in portable_image(im).info
    assert "dpi" not in load_image(plain).image.info
    assert "dpi" not in load_image(plain.read_bytes()).image.info
    assert "dpi" not in next(iter_frames(plain)).image.info
    lzw = _tiff(tmp_path, compression="tiff_lzw")
    assert "dpi" not in load_image(lzw).image.info
    assert load_image(_tiff(tmp_path, dpi=(300, 150))).image.info["dpi"] == (300, 150)


@pytest.mark.parametrize(
    "dpi", [(1, 1), (0, 0), (300, 0.5), (float("nan"), 300), (-72, -72)]
)
def test_a_dpi_that_is_no_resolution_is_dropped(dpi):
    im = Image.new("RGB", (20, 10), "white")
    im.info["dpi"] = dpi
    assert "dpi" not in load_image(im).image.info
    im.info["dpi"] = (72, 96)
    assert load_image(im).image.info["dpi"] == (72, 96)


@pytest.mark.parametrize("how", ["read", "read_many"])
def test_unocr_read_of_a_large_non_image_file_object_costs_little_memory(tmp_path, how):
    path = tmp_path / "big.bin"
    with open(path, "wb") as fh:
        fh.truncate(600 * MIB)  # sparse: no disk space is used
    child = run_python(
        """
        import sys
        import unocr
        from unocr.errors import ImageError
        from PIL import Image
        small = Image.new("RGB", (40, 20), "white")
        unocr.read(small, "tesseract"), unocr.read_many([small], "tesseract")
        cap_memory(400)  # threads and engines started: the file is 600 MB
        with open(sys.argv[1], "rb") as fh:
            if sys.argv[2] == "read":
                try:
                    unocr.read(fh, "tesseract")
                except ImageError as exc:
                    print("refused:", exc)
            else:
                (item,) = unocr.read_many([fh], "tesseract", errors="return")
                print("refused:", item.error)
        """,
        str(path),
        how,
    )
    assert "refused:" in child.stdout and "not a recognised image" in child.stdout, (
        child.stdout + child.stderr
    )


class _Pipe(io.RawIOBase):
    """A stream that cannot seek, like a pipe."""

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        chunk = self._data.read(min(len(buffer), 4096))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.parametrize("seekable", [True, False])
def test_unocr_read_pages_of_file_objects_as_of_their_bytes(tmp_path, seekable):
    """Images and TIFF pages given as file objects read as their bytes do."""
    png = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(png, "PNG")
    frames = [Image.new("L", (30 + 10 * i, 20), 255) for i in range(3)]
    tiff = io.BytesIO()
    frames[0].save(tiff, "TIFF", save_all=True, append_images=frames[1:])

    def wrap(data: bytes) -> object:
        return io.BytesIO(data) if seekable else io.BufferedReader(_Pipe(data))

    for data in (png.getvalue(), tiff.getvalue()):
        want = [(p.width, p.height) for p in unocr.read_pages(data, "tesseract")]
        got = [(p.width, p.height) for p in unocr.read_pages(wrap(data), "tesseract")]
        assert got == want and want

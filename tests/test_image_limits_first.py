"""The pixel limit comes before any pixel is decoded; unreadable files and damaged
frame lists give typed errors.

Every file here is made by the tests; nothing is downloaded.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageFile

import unocr
from unocr.backends.base import ItemFailure
from unocr.errors import ImageError
from unocr.image import (
    EncodedImage,
    iter_frames,
    load_image,
    read_header,
)

from .damaged_files import broken_tiff
from .stub_engines import OneWordBackend

_SCREEN = 30000  # a GIF's logical screen: 900 megapixels, over the default limit
_OVER = (
    f"(frame 1): image is {_SCREEN}x{_SCREEN} = {_SCREEN * _SCREEN:,} pixels, "
    "over the limit of 100,000,000 pixels"
)


def _screen_bomb_gif() -> bytes:
    """Three 8x8 frames on a 30000x30000 logical screen: about 150 bytes."""
    frames = [Image.new("L", (8, 8), shade) for shade in (0, 128, 255)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    data = bytearray(buffer.getvalue())
    data[6:10] = struct.pack("<HH", _SCREEN, _SCREEN)
    return bytes(data)


# Run in a child process whose address space is capped a little above what it
# uses after its imports: a decode of the screen (hundreds of MB) cannot happen.
_CAPPED = textwrap.dedent(
    """
    import resource, sys
    from PIL import Image
    from unocr.errors import ImageError
    from unocr.image import iter_frames, load_image, portable_image
    path, case = sys.argv[1], sys.argv[2]
    with open("/proc/self/status") as status:
        size = next(int(l.split()[1]) for l in status if l.startswith("VmSize:"))
    cap = size * 1024 + 192 * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, resource.getrlimit(resource.RLIMIT_AS)[1]))
    Image.MAX_IMAGE_PIXELS = None  # the caller's own Image.open of the bomb
    cases = {
        "load_image": lambda: load_image(path, frame=1),
        "bytes": lambda: load_image(open(path, "rb").read(), frame=1),
        "iter_frames": lambda: list(iter_frames(path, frames=[1])),
        "pil_load_image": lambda: load_image(Image.open(path), frame=1),
        "pil_iter_frames": lambda: list(iter_frames(Image.open(path), frames=[1])),
        "pil_portable": lambda: portable_image(Image.open(path), frame=1),
    }
    try:
        cases[case]()
    except ImageError as exc:
        print(exc)
    else:
        print("no error")
    """
)


def _needs_address_space_cap() -> None:
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc/self/status")
    try:
        import resource  # noqa: F401
    except ImportError:
        pytest.skip("needs the resource module")


@pytest.mark.parametrize(
    "case",
    [
        "load_image",
        "bytes",
        "iter_frames",
        "pil_load_image",
        "pil_iter_frames",
        "pil_portable",
    ],
)
def test_a_later_frame_of_a_gif_is_refused_before_the_frames_before_it_are_decoded(
    tmp_path: Path, case: str
) -> None:
    _needs_address_space_cap()
    path = tmp_path / "screen.gif"
    path.write_bytes(_screen_bomb_gif())
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", _CAPPED, str(path), case],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert _OVER in done.stdout, done.stdout
    assert "pass max_pixels=900000000" in done.stdout


class _Size(OneWordBackend):
    name = "size-probe"

    def text(self, image: Any) -> str:
        return f"{image.width}x{image.height}"


# --------------------------------------------------------------- PNG metadata
def _chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def _exif(orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return exif.tobytes()  # "Exif\0\0" then the TIFF block


def _png(
    width: int = 40, height: int = 20, *, exif: int | None = None, late: bool = False
) -> bytes:
    """A gray PNG with a dark left half; its EXIF orientation (if any) in an
    ``eXIf`` chunk before the image data, or after it (``late``)."""
    row = bytes([0] + [0] * (width // 2) + [255] * (width - width // 2))
    idat = zlib.compress(row * height)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    meta = b"" if exif is None else _chunk(b"eXIf", _exif(exif)[6:])
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", ihdr),
            b"" if late else meta,
            _chunk(b"IDAT", idat[: len(idat) // 2]),
            _chunk(b"IDAT", idat[len(idat) // 2 :]),
            meta if late else b"",
            _chunk(b"IEND", b""),
        ]
    )


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The formats of the images whose pixels Pillow loads, in order."""
    seen: list[str] = []
    real = ImageFile.ImageFile.load

    def load(self: ImageFile.ImageFile) -> Any:
        if self.tile:
            seen.append(str(self.format))
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


def test_decode_false_refuses_an_over_limit_png_without_decoding(
    decodes: list[str],
) -> None:
    data = _png(200, 100)
    with pytest.raises(ImageError, match=r"200x100 = 20,000 pixels, over the limit"):
        load_image(data, decode=False, max_pixels=1000)
    assert decodes == []


def test_decode_false_reads_a_png_header_only(decodes: list[str]) -> None:
    for data in (_png(), _png(exif=1), _png(exif=1, late=True)):
        loaded = load_image(data, decode=False)
        assert isinstance(loaded, EncodedImage)
        assert (loaded.width, loaded.height, loaded.encoded) == (40, 20, data)
    assert decodes == []


@pytest.mark.parametrize("exif", [None, 1, 3, 6])
def test_read_header_reads_a_pngs_orientation_without_decoding(
    decodes: list[str], exif: int | None
) -> None:
    """Wherever the ``eXIf`` chunk is (before or after the image data), as
    decoding finds it."""
    for late in (False, True):
        data = _png(exif=exif, late=late)
        header = read_header(data)
        assert decodes == []
        assert (header.width, header.height, header.format) == (40, 20, "PNG")
        assert header.orientation == (exif or 1)
        deferred = load_image(data, decode=False)
        assert isinstance(deferred, EncodedImage) == (header.orientation == 1)
        decoded = load_image(data)
        shown = {(li.width, li.height) for li in (deferred, decoded)}
        assert shown == {header.upright_size}
        assert np.array_equal(np.asarray(deferred.image), np.asarray(decoded.image))
        decodes.clear()


def test_read_header_refuses_over_max_pixels_only_when_asked(
    decodes: list[str],
) -> None:
    data = _png(200, 100)
    assert read_header(data).upright_size == (200, 100)
    with pytest.raises(ImageError, match=r"200x100 = 20,000 pixels, over the limit"):
        read_header(data, max_pixels=1000)
    with pytest.raises(ImageError, match="max_pixels must be"):
        read_header(data, max_pixels=0)
    assert decodes == []


# ------------------------------------------------------ a file read() fails on
_MEM = Path("/proc/self/mem")  # a regular file; reading offset 0 fails (EIO)


def _needs_unreadable_file() -> None:
    if not _MEM.exists():
        pytest.skip("needs /proc/self/mem")
    try:
        with _MEM.open("rb") as fh:
            fh.read(1)
    except OSError:
        return
    pytest.skip("/proc/self/mem reads here")


@pytest.mark.parametrize(
    "call",
    [
        lambda: load_image(_MEM),
        lambda: load_image(_MEM, decode=False),
        lambda: list(iter_frames(_MEM)),
        lambda: read_header(_MEM),
    ],
    ids=["load_image", "decode_false", "iter_frames", "read_header"],
)
def test_a_file_that_cannot_be_read_is_an_image_error(call: Any) -> None:
    _needs_unreadable_file()
    with pytest.raises(ImageError, match=r"/proc/self/mem: cannot read the file: "):
        call()


def test_a_batch_keeps_its_items_around_a_file_that_cannot_be_read(
    tmp_path: Path,
) -> None:
    _needs_unreadable_file()
    good = tmp_path / "good.png"
    good.write_bytes(_png())
    results = unocr.read_many([good, _MEM, good], backend=_Size(), errors="return")
    assert [r.text for r in results if not isinstance(r, ItemFailure)] == [
        "40x20",
        "40x20",
    ]
    failure = results[1]
    assert isinstance(failure, ItemFailure) and isinstance(failure.error, ImageError)
    assert "cannot read the file" in str(failure.error)


# --------------------------------------------- a TIFF whose list of frames breaks
_SHADES = (0, 100, 200)


def _broken_tiff() -> bytes:
    """Three pages of shades 0, 100, 200; the second page's link to the third
    points past the end of the file."""
    return broken_tiff([Image.new("L", (30, 20), shade) for shade in _SHADES])


def _shade(image: Any) -> int:
    return int(np.asarray(image.image)[0, 0, 0])


@pytest.mark.parametrize("form", ["bytes", "pil"])
def test_iter_frames_yields_the_intact_frames_then_the_damage(form: str) -> None:
    data = _broken_tiff()
    source: Any = data if form == "bytes" else Image.open(io.BytesIO(data))
    frames = iter_frames(source)
    assert [_shade(next(frames)), _shade(next(frames))] == [0, 100]
    with pytest.raises(ImageError, match=r"cannot read frame 2: "):
        next(frames)
    # each frame loads as itself
    assert [_shade(load_image(source, frame=f)) for f in (0, 1)] == [0, 100]
    with pytest.raises(ImageError, match=r"cannot read frame 2: "):
        load_image(source, frame=2)
    with pytest.raises(ImageError, match=r"cannot read frame 2: "):
        list(iter_frames(source, frames=[1, 2]))

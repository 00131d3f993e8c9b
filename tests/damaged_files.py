"""Image files damaged on purpose, made in memory for the tests that read them."""

from __future__ import annotations

import io
import struct
from collections.abc import Sequence

from PIL import Image


def broken_tiff(pages: Sequence[Image.Image]) -> bytes:
    """A multi-page TIFF whose second page links to a next page past the file's end.

    Pages 1 and 2 are intact; the directory of page 3 (and on) can no longer
    be found.

    Args:
        pages: At least three pages.

    Returns:
        The file's bytes (little-endian TIFF).
    """
    buffer = io.BytesIO()
    pages[0].save(buffer, "TIFF", save_all=True, append_images=list(pages[1:]))
    data = bytearray(buffer.getvalue())
    assert data[:4] == b"II*\x00"  # little-endian: offsets are "<I"
    first = struct.unpack("<I", data[4:8])[0]
    entries = struct.unpack("<H", data[first : first + 2])[0]
    second = struct.unpack("<I", data[first + 2 + 12 * entries :][:4])[0]
    entries = struct.unpack("<H", data[second : second + 2])[0]
    link = second + 2 + 12 * entries
    data[link : link + 4] = struct.pack("<I", len(data) + 1000)
    return bytes(data)

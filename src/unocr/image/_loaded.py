"""A decoded input image (:class:`LoadedImage`) and how messages name an input."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from PIL import (
    Image,
)

PIL_NAME = "<PIL image>"


@dataclass(frozen=True)
class LoadedImage:
    """An input image decoded to upright RGB, with where it came from.

    Attributes:
        image: The decoded image, mode ``"RGB"``, upright (EXIF orientation
            applied), alpha composited on white. A new image owned by unocr.
        name: The input as shown in messages: the path, or ``"<bytes>"``,
            ``"<file object>"``, ``"<PIL image>"``, ``"<array 480x640x3>"``.
        decode_seconds: Wall-clock seconds spent opening, decoding and
            converting the input.
        encoded: The original encoded file bytes when they show exactly
            ``image``; else ``None``. They are kept only when the input was a
            path, bytes or a file object, no EXIF orientation was applied, the
            decoded mode is 1-bit, gray, palette without transparency or RGB
            (so an engine decoding the bytes itself sees the same pixels), the
            frame is the first of a single-frame file or the first frame of
            a non-TIFF file (animated GIF/PNG/WebP), a BMP is uncompressed and
            a GIF's first frame covers its logical screen.
        format: The file format as Pillow reports it (``"PNG"``, ``"JPEG"``,
            ``"TIFF"``, ...); ``None`` for arrays and PIL images without one.
    """

    image: Image.Image
    name: str
    decode_seconds: float
    encoded: bytes | None = None
    format: str | None = None

    @property
    def width(self) -> int:
        """Width of the upright image in pixels."""
        return self.image.width

    @property
    def height(self) -> int:
        """Height of the upright image in pixels."""
        return self.image.height


def describe(source: object) -> str:
    """Name an input for messages, without reading or decoding it.

    Args:
        source: Anything; normally an :data:`ImageInput`.

    Returns:
        The path for a path, else ``"<bytes>"``, ``"<file object>"``,
        ``"<PIL image>"``, ``"<array HxW>"``/``"<array HxWxC>"`` for arrays,
        or ``"<TypeName>"`` for anything else.

    Examples:
        >>> import numpy as np
        >>> describe("scan.png")
        'scan.png'
        >>> describe(np.zeros((480, 640, 3), np.uint8))
        '<array 480x640x3>'
    """
    if isinstance(source, str):
        return source
    if isinstance(source, os.PathLike):
        path = os.fspath(source)
        return path if isinstance(path, str) else os.fsdecode(path)
    if isinstance(source, bytes | bytearray | memoryview):
        return "<bytes>"
    if isinstance(source, Image.Image):
        return PIL_NAME
    if isinstance(source, np.ndarray):
        return "<array " + "x".join(str(n) for n in source.shape) + ">"
    if callable(getattr(source, "read", None)):
        return "<file object>"
    return f"<{type(source).__name__}>"

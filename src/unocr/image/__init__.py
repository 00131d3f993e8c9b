"""Image input: turn anything a user may hand to ``read()`` into one upright RGB image.

Accepted inputs (:data:`ImageInput`):

* a path (``str`` or :class:`os.PathLike`) to an image file;
* ``bytes`` (also ``bytearray``/``memoryview``) holding an encoded image file;
* a binary file object (anything with ``read()`` returning bytes), read from its
  current position; unocr never closes it;
* a :class:`PIL.Image.Image` (never modified; for a multi-frame image its current
  frame is restored afterwards; several calls may read one image at once);
* a numpy ``uint8`` array of shape (H, W) (gray), (H, W, 3) (RGB, or BGR with
  ``channel_order="bgr"``) or (H, W, 4) (RGBA, or BGRA with ``"bgr"``).

Every input comes out as a :class:`LoadedImage` whose ``image`` is a new PIL image
in mode ``"RGB"``:

* EXIF orientation (tag 274, values 2-8) is applied, so every coordinate an
  engine reports refers to the image as displayed;
* alpha (RGBA, LA, PA, a palette with alpha, or palette/gray/RGB with a
  ``transparency`` key) is composited on white, never dropped to black;
* 16-bit and 32-bit integer gray (``I;16*``, ``I``) is scaled linearly from
  0..65535 to 0..255 (rounded), not clipped; values outside 0..65535 (only
  possible in mode ``I``) and float images (``F``) are stretched from their
  minimum..maximum, except float data already in 0..1 (scaled by 255) or 0..255
  (kept);
* 1-bit, gray, palette, CMYK (naive conversion, no ICC profile), YCbCr and RGBX
  are converted with Pillow;
* the resolution the image carries (``info["dpi"]``) is kept, whatever the
  conversion (x and y swapped when EXIF orientation swaps the axes).

The pixel limit (:data:`DEFAULT_MAX_PIXELS`, ``max_pixels=``) is checked against the
size in the file header, before any pixel data is decoded. While unocr decodes,
Pillow's own ``PIL.Image.MAX_IMAGE_PIXELS`` check is suspended (it is restored
afterwards) so that only unocr's limit applies and no
``DecompressionBombWarning``/``DecompressionBombError`` escapes.

Every failure raises :class:`unocr.errors.ImageError` naming the input and the
reason; the underlying exception is kept as ``__cause__``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from contextlib import suppress
from functools import partial
from typing import IO, BinaryIO, Literal, TypeAlias

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageFile

from unocr.errors import ImageError
from unocr.image._limits import (
    check_frame_number,
    check_max_pixels,
    check_size,
    own_pixel_limit,
)
from unocr.image._loaded import LoadedImage, describe
from unocr.image._pil import (
    borrow,
    file_bytes,
    iter_pil_frames,
    load_pil,
    portable_image,
    reopen,
)
from unocr.image._pixels import (
    decode_frame,
    exif_orientation,
    exif_transform,
    frame_facts,
    from_array,
    real_dpi,
    to_rgb,
)
from unocr.image._source import (
    ImageHeader,
    check_encoded_source,
    frame_count,
    frame_label,
    frame_numbers,
    frames_in,
    has_frame,
    header_orientation,
    open_image,
    open_stream,
    peek_file_object,
    read_bytes,
    read_file_object,
    read_header,
    seek_checked,
)
from unocr.limits import DEFAULT_MAX_PIXELS

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "IMAGE_SUFFIXES",
    "EncodedImage",
    "ImageHeader",
    "ImageInput",
    "LoadedImage",
    "check_encoded_source",
    "count_frames",
    "describe",
    "exif_orientation",
    "exif_transform",
    "file_bytes",
    "iter_frames",
    "load_image",
    "own_pixel_limit",
    "peek_file_object",
    "portable_image",
    "read_file_object",
    "read_header",
    "real_dpi",
    "reopen",
    "stored_size",
]

ImageInput: TypeAlias = (
    str | os.PathLike[str] | bytes | BinaryIO | Image.Image | NDArray[np.uint8]
)
"""Everything :func:`load_image` accepts (see the module docstring)."""


#: File name suffixes (lower case) of the image files a folder is searched for.
IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".jp2"}
)


_LOSSLESS_MODES = frozenset({"1", "L", "P", "RGB"})


class EncodedImage(LoadedImage):
    """A :class:`LoadedImage` whose pixels are decoded only when first used.

    :func:`load_image` returns one with ``decode=False`` when the file's own
    bytes (:attr:`encoded`, never ``None`` here) show exactly the image, so an
    engine that sends the file (a cloud service) never pays for decoding it.
    ``width``, ``height`` and ``format`` come from the header; ``image``
    decodes the bytes on first access (once; ``decode_seconds`` then includes
    it): the same pixels :func:`load_image` gives with ``decode=True``.

    Args:
        encoded: The file's bytes.
        name: The input as shown in messages.
        decode_seconds: Seconds spent reading the header.
        format: The file format from the header.
        size: ``(width, height)`` from the header, in pixels.
    """

    encoded: bytes

    def __init__(
        self,
        encoded: bytes,
        name: str,
        decode_seconds: float,
        format: str | None,
        size: tuple[int, int],
    ) -> None:
        put = object.__setattr__  # the dataclass is frozen
        put(self, "encoded", encoded)
        put(self, "name", name)
        put(self, "decode_seconds", decode_seconds)
        put(self, "format", format)
        put(self, "_size", size)
        put(self, "_pixels", None)

    @property
    def image(self) -> Image.Image:
        """The decoded image (mode ``"RGB"``), decoded on first access."""
        pixels: Image.Image | None = self.__dict__["_pixels"]
        if pixels is None:
            start = time.perf_counter()
            pixels = load_image(self.encoded, max_pixels=None).image
            spent = self.decode_seconds + time.perf_counter() - start
            object.__setattr__(self, "decode_seconds", spent)
            object.__setattr__(self, "_pixels", pixels)
        return pixels

    @property
    def width(self) -> int:
        """Width of the image in pixels (from the header)."""
        size: tuple[int, int] = self.__dict__["_size"]
        return size[0]

    @property
    def height(self) -> int:
        """Height of the image in pixels (from the header)."""
        size: tuple[int, int] = self.__dict__["_size"]
        return size[1]

    def __repr__(self) -> str:
        w, h = self.__dict__["_size"]
        size = f"{self.format} {w}x{h}, {len(self.encoded)} bytes"
        return f"EncodedImage({self.name!r}, {size})"


def load_image(
    source: ImageInput,
    *,
    channel_order: Literal["rgb", "bgr"] = "rgb",
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    frame: int = 0,
    decode: bool = True,
) -> LoadedImage:
    """Decode one image input to an upright RGB image.

    Args:
        source: A path, bytes, binary file object, PIL image or numpy uint8
            array of shape (H, W), (H, W, 3) or (H, W, 4) (see
            :data:`ImageInput`).
        channel_order: Channel order of a numpy array: ``"rgb"`` (RGB/RGBA) or
            ``"bgr"`` (BGR/BGRA, as OpenCV returns). Ignored for other inputs.
        max_pixels: Largest accepted width x height, checked from the file
            header before decoding; ``None`` disables the check.
        frame: Zero-based frame of a multi-frame file (TIFF pages, GIF frames).
            ``read()`` uses frame 0; use :func:`iter_frames` for all of them.
        decode: ``False`` defers decoding where the file's own bytes show
            exactly the image (see :attr:`LoadedImage.encoded`): only the
            header is read and an :class:`EncodedImage` is returned, whose
            pixels are decoded on first use of ``.image``. For engines that
            take the file itself (a cloud service); a corrupt body is then
            found by whoever decodes it.

    Returns:
        The decoded image (mode ``"RGB"``), its name, decode time in seconds,
        the original bytes where they show exactly that image, and the format.

    Raises:
        ImageError: The input is missing, empty, corrupt, truncated, not an
            image, an unsupported array, over ``max_pixels``, or has no such
            frame. The message names the input and the reason.
    """
    name = describe(source)
    check_max_pixels(max_pixels, name)
    if channel_order not in ("rgb", "bgr"):
        raise ImageError(
            f"{name}: channel_order must be 'rgb' or 'bgr', got {channel_order!r}",
            item=name,
        )
    check_frame_number(frame, name)
    start = time.perf_counter()

    if isinstance(source, np.ndarray):
        if frame != 0:
            raise ImageError(f"{name}: an array has only frame 0", item=name)
        if source.ndim >= 2:
            check_size((source.shape[1], source.shape[0]), max_pixels, name)
        rgb = to_rgb(from_array(source, channel_order, name))
        return LoadedImage(rgb, name, time.perf_counter() - start)

    if isinstance(source, Image.Image):
        return load_pil(source, name, max_pixels, frame, start)

    check_encoded_source(source, name)
    with (
        open_stream(source, name, max_pixels=max_pixels, frame=frame) as (stream, data),
        own_pixel_limit(),
    ):
        im = open_image(stream, name)
        with im:
            if not decode and frame == 0:
                check_size(im.size, max_pixels, name)  # before reading metadata
                if header_orientation(im) == 1 and _shows_exactly(im, False):
                    return EncodedImage(
                        read_bytes(stream, data, name),
                        name,
                        time.perf_counter() - start,
                        im.format,
                        im.size,
                    )
            rgb, encoded = _decode_encoded(im, stream, data, frame, max_pixels, name)
            fmt = im.format
    return LoadedImage(rgb, name, time.perf_counter() - start, encoded, fmt)


def _decode_encoded(
    im: ImageFile.ImageFile,
    stream: IO[bytes],
    data: bytes | None,
    frame: int,
    max_pixels: int | None,
    name: str,
) -> tuple[Image.Image, bytes | None]:
    """Decode ``frame`` of an opened file; return (RGB image, encoded bytes or None)."""
    where = frame_label(frame)
    seek_checked(im, frame, max_pixels, name, partial(frames_in, stream, name))
    rgb, oriented = decode_frame(im, name, where, frame_facts(im))
    if frame != 0 or not _shows_exactly(im, oriented):
        return rgb, None
    return rgb, read_bytes(stream, data, name)


def _shows_exactly(im: ImageFile.ImageFile, oriented: bool) -> bool:
    """Whether frame 0's file bytes show exactly what :func:`load_image` decodes.

    Decided from the header alone: not turned upright by EXIF (``oriented``),
    a mode whose RGB conversion changes nothing, no transparency, pixels any
    decoder reads alike, and one frame for TIFF (viewers of other formats
    show the first frame). A compressed BMP (run lengths, bit fields) is
    refused: Leptonica (Tesseract) reads uncompressed BMPs only. So is a GIF
    whose first frame does not cover its logical screen: Pillow shows the
    frame at its offset on the screen, Leptonica the frame alone.
    """
    if oriented or im.mode not in _LOSSLESS_MODES or "transparency" in im.info:
        return False
    if im.format == "BMP" and im.info.get("compression", 0):
        return False
    screen = (0, 0, *im.size)
    if im.format == "GIF" and getattr(im, "dispose_extent", screen) != screen:
        return False
    return im.format != "TIFF" or _single_frame(im)  # more pages, or damaged


def _single_frame(im: Image.Image) -> bool:
    """Whether frame 0 is the only frame, by trying to move to frame 1.

    Unlike ``n_frames``, which walks every frame of the file, this reads at
    most one more frame header. ``im`` is moved back to frame 0.
    """
    try:
        im.seek(1)
    except EOFError:
        return True
    except Exception:
        return False  # a damaged list of frames
    with suppress(Exception):
        im.seek(0)
    return False


def iter_frames(
    source: ImageInput,
    *,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    frames: Iterable[int] | None = None,
) -> Iterator[LoadedImage]:
    """Decode every frame of an input, one at a time (lazily).

    A multi-frame TIFF yields one image per page, an animated GIF/PNG/WebP one
    per frame; every other input yields exactly one image. A file is opened
    once and closed when the iterator is exhausted or discarded. Errors are
    raised while iterating, from the first ``next()`` on; a file damaged after
    its first frames yields those frames, then raises.

    Args:
        source: Any :data:`ImageInput` (arrays are taken as RGB).
        max_pixels: Largest accepted width x height per frame, checked from
            the header before that frame is decoded; ``None`` disables it.
        frames: Only these frames (numbered from 0, in increasing order);
            the others are skipped without being decoded, where the format
            allows (a GIF, an animated PNG or WebP is decoded from its first
            frame up to each frame asked for, once in all). ``None``: every
            frame.

    Yields:
        One :class:`LoadedImage` per frame, in file order.

    Raises:
        ImageError: As for :func:`load_image`, for any frame; ``frames`` is
            not increasing whole numbers >= 0, or names a frame past the end.
    """
    name = describe(source)
    check_max_pixels(max_pixels, name)
    wanted = _check_frames(frames, name)
    if isinstance(source, np.ndarray):
        for frame in (0,) if wanted is None else wanted:
            yield load_image(source, max_pixels=max_pixels, frame=frame)
        return
    if isinstance(source, Image.Image):
        yield from iter_pil_frames(source, name, max_pixels, wanted)
        return
    check_encoded_source(source, name)
    start = time.perf_counter()  # the first frame's time includes opening
    first = wanted[0] if wanted else 0
    limit = None if wanted == () else max_pixels
    with open_stream(source, name, max_pixels=limit, frame=first) as (stream, data):
        with own_pixel_limit():
            im = open_image(stream, name)
        with im:
            fmt = im.format
            for frame in frame_numbers(wanted):
                with own_pixel_limit():
                    if wanted is None and frame and not has_frame(im, frame, name):
                        return
                    rgb, encoded = _decode_encoded(
                        im, stream, data, frame, max_pixels, name
                    )
                yield LoadedImage(rgb, name, time.perf_counter() - start, encoded, fmt)
                start = time.perf_counter()


def _check_frames(frames: object, name: str) -> tuple[int, ...] | None:
    """The frames :func:`iter_frames` is asked for, checked."""
    if frames is None:
        return None
    fix = "e.g. frames=[0, 2]"
    if isinstance(frames, str | bytes) or not isinstance(frames, Iterable):
        raise ImageError(
            f"{name}: frames must be a list of frame numbers ({fix}) or None, "
            f"got {frames!r}",
            item=name,
        )
    wanted = tuple(frames)
    for i, frame in enumerate(wanted):
        if isinstance(frame, bool) or not isinstance(frame, int) or frame < 0:
            raise ImageError(
                f"{name}: frames must be whole numbers >= 0 ({fix}), got {frame!r}",
                item=name,
            )
        if i and frame <= wanted[i - 1]:
            raise ImageError(
                f"{name}: frames must be in increasing order without repeats "
                f"({fix}), got {list(wanted)!r}",
                item=name,
            )
    return wanted


def count_frames(source: str | os.PathLike[str] | bytes | Image.Image) -> int | None:
    """Number of frames (TIFF pages, GIF frames...) of an image, from headers only.

    Counted as unocr decodes: Pillow's pixel limit suspended and its warnings
    quiet, so a file Pillow alone would refuse is counted too (``max_pixels``
    applies to each frame when it is decoded). A PIL image is counted like
    its file, its current frame kept.

    Args:
        source: A path, bytes or a PIL image.

    Returns:
        The number of frames (1 for a single image); for a TIFF whose list
        of pages is damaged, the pages before the damage and the page it
        breaks at (whose loading reports it); ``None`` when the input is not
        a readable image or another format's list of frames is damaged
        (:func:`load_image` then reports what is wrong).
    """
    if isinstance(source, Image.Image):
        with borrow(source) as hold, own_pixel_limit(), hold.lock:
            return frame_count(source)
    name = describe(source)
    try:
        with open_stream(source, name) as (stream, _), own_pixel_limit():
            return frames_in(stream, name)
    except ImageError:  # not a regular file, unreadable
        return None


def stored_size(path: str | os.PathLike[str]) -> tuple[int, int, int]:
    """Size of an image file as stored, and its EXIF orientation, without decoding.

    The tuple form of :func:`read_header`.

    Args:
        path: The image file.

    Returns:
        ``(width, height, orientation)``: pixels of the stored raster and the
        EXIF orientation tag (1 = upright; unreadable or odd values give 1,
        as :func:`load_image` shows such an image as stored).

    Raises:
        ImageError: The file is missing, not a regular file or not a readable
            image.
    """
    header = read_header(path)
    return header.width, header.height, header.orientation

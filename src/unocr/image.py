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

import io
import itertools
import os
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from typing import IO, Any, BinaryIO, Literal, TypeAlias, cast

import numpy as np
from numpy.typing import NDArray
from PIL import (
    Image,
    ImageFile,
    ImageOps,
    PsdImagePlugin,
    TiffImagePlugin,
    UnidentifiedImageError,
)

from unocr._files import open_regular_file
from unocr.errors import ImageError
from unocr.limits import DEFAULT_MAX_PIXELS

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "IMAGE_SUFFIXES",
    "EncodedImage",
    "ImageHeader",
    "ImageInput",
    "LoadedImage",
    "count_frames",
    "describe",
    "exif_orientation",
    "exif_transform",
    "file_bytes",
    "iter_frames",
    "load_image",
    "portable_image",
    "read_file_object",
    "read_header",
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


_EXIF_ORIENTATION = 0x0112
_ALPHA_MODES = frozenset({"RGBA", "LA", "PA"})
# Modes whose transparency is a key colour/index or, for "P", palette alpha.
_KEYED_MODES = frozenset({"L", "P", "RGB"})
_PREMULTIPLIED_MODES = frozenset({"RGBa", "La"})
# Modes whose conversion to RGB changes nothing an engine decoding the file sees.
_LOSSLESS_MODES = frozenset({"1", "L", "P", "RGB"})
_WHITE = (255, 255, 255)
# How messages name a PIL image input.
_PIL_NAME = "<PIL image>"
# Pixels converted at once when scaling 16/32-bit and float images.
_BAND_PIXELS = 1 << 20
# Bytes of the widest pixel Pillow's raw decoder reads (e.g. "RGBA;16B", "F;64F").
_WIDEST_PIXEL = 8
# Raw modes of gray samples under 8 bits, which Pillow scales to 0..255, and
# the factor it scales them by.
_LOW_BIT_GRAY = {"L;1": 255, "L;2": 85, "L;4": 17}


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
        return _PIL_NAME
    if isinstance(source, np.ndarray):
        return "<array " + "x".join(str(n) for n in source.shape) + ">"
    if callable(getattr(source, "read", None)):
        return "<file object>"
    return f"<{type(source).__name__}>"


# --------------------------------------------------------------------------- #
# Pillow's global decompression-bomb limit
# --------------------------------------------------------------------------- #

_pil_limit_lock = threading.Lock()
_pil_limit_users = 0
_pil_limit_saved: int | None = None
_pil_warning_filter: tuple[object, ...] | None = None
# Warnings attributed to Pillow's modules (corrupt EXIF, truncated TIFF tags,
# MPO oddities...) or to this module.
_PIL_WARNING_MODULES = r"(PIL\.|unocr\.image\b)"


@contextmanager
def own_pixel_limit() -> Iterator[None]:
    """Suspend Pillow's pixel limit and silence Pillow's warnings while unocr decodes.

    unocr checks its own ``max_pixels`` from the header; Pillow's global check
    would otherwise warn (``DecompressionBombWarning``) or raise above its own
    limit (89.5 megapixels by default, below unocr's default). Pillow also
    warns about damage it works around (corrupt EXIF, truncated metadata):
    unocr either decodes such a file or raises :class:`ImageError`, so those
    warnings are ignored rather than passed to the caller. Both globals
    (``PIL.Image.MAX_IMAGE_PIXELS`` and one filter at the front of
    ``warnings.filters``) are reference-counted across threads and restored
    when the last decode ends. Trade-off (Pillow has no per-call limit):
    code calling Pillow directly in another thread during that window is not
    checked by Pillow either and its Pillow warnings are ignored too, and a
    value assigned to ``MAX_IMAGE_PIXELS`` during that window is overwritten
    on restore.
    """
    global _pil_limit_users, _pil_limit_saved, _pil_warning_filter
    with _pil_limit_lock:
        if _pil_limit_users == 0:
            _pil_limit_saved = Image.MAX_IMAGE_PIXELS
            Image.MAX_IMAGE_PIXELS = None
            warnings.filterwarnings("ignore", module=_PIL_WARNING_MODULES)
            _pil_warning_filter = warnings.filters[0]
        _pil_limit_users += 1
    try:
        yield
    finally:
        with _pil_limit_lock:
            _pil_limit_users -= 1
            if _pil_limit_users == 0:
                Image.MAX_IMAGE_PIXELS = _pil_limit_saved
                with suppress(ValueError):  # someone reset the filters meanwhile
                    cast(list[object], warnings.filters).remove(_pil_warning_filter)
                    _filters_changed()
                _pil_warning_filter = None


def _filters_changed() -> None:
    # warnings caches decisions per filter version; removing a filter by hand
    # must bump it, as warnings.filterwarnings() does.
    bump = getattr(warnings, "_filters_mutated", None)
    if callable(bump):
        bump()


# --------------------------------------------------------------------------- #
# Checks and conversions
# --------------------------------------------------------------------------- #


def _check_max_pixels(max_pixels: int | None, name: str) -> None:
    if max_pixels is None:
        return
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int):
        raise ImageError(
            f"{name}: max_pixels must be a positive int or None, got {max_pixels!r}",
            item=name,
        )
    if max_pixels <= 0:
        raise ImageError(
            f"{name}: max_pixels must be positive or None, got {max_pixels}",
            item=name,
        )


def _check_frame_number(frame: object, name: str) -> None:
    if isinstance(frame, bool) or not isinstance(frame, int) or frame < 0:
        raise ImageError(f"{name}: frame must be an int >= 0, got {frame!r}", item=name)


def _check_size(
    size: tuple[int, int], max_pixels: int | None, name: str, where: str = ""
) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageError(
            f"{name}{where}: image has no pixels (size {width}x{height})", item=name
        )
    pixels = width * height
    if max_pixels is not None and pixels > max_pixels:
        raise ImageError(
            f"{name}{where}: image is {width}x{height} = {pixels:,} pixels, over the "
            f"limit of {max_pixels:,} pixels; pass max_pixels={pixels} (or larger) "
            "to allow it, or max_pixels=None to disable the check",
            item=name,
        )


def exif_orientation(im: Image.Image) -> int:
    """The EXIF orientation tag (274) of an opened image, read once, here.

    Args:
        im: An opened PIL image (only its metadata is read).

    Returns:
        1 to 8; 1 (upright, pixels as stored) when the tag is absent, out of
        range or the EXIF block is corrupt.
    """
    try:
        with own_pixel_limit():  # Pillow warns on a corrupt block: kept quiet
            value = im.getexif().get(_EXIF_ORIENTATION, 1)
    except Exception:  # a corrupt EXIF block: show the pixels as stored
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


@dataclass(frozen=True)
class ImageHeader:
    """What an image file's header says, read without decoding any pixel.

    Attributes:
        width: Width of the raster as stored, in pixels.
        height: Height of the raster as stored, in pixels.
        orientation: EXIF orientation, 1 (upright) to 8.
        format: The file format as Pillow reports it (``"JPEG"``...).
    """

    width: int
    height: int
    orientation: int = 1
    format: str | None = None

    @property
    def upright_size(self) -> tuple[int, int]:
        """``(width, height)`` as displayed (swapped for orientations 5-8)."""
        mapping = exif_transform(self.orientation, self.width, self.height)
        return (self.width, self.height) if mapping is None else mapping[1:]

    def upright_matrix(self) -> tuple[tuple[float, float, float], ...]:
        """The affine map from stored-raster to displayed coordinates (pixels).

        Returns:
            Rows ``((a, b, tx), (c, d, ty))``: ``(x, y)`` in the stored raster
            goes to ``(a x + b y + tx, c x + d y + ty)`` in the image as
            :func:`load_image` returns it (:func:`exif_transform`); the
            identity for orientation 1. Pass it to a shape's or a page's
            ``transform``.

        Examples:
            >>> ImageHeader(40, 30, orientation=6).upright_matrix()
            ((0.0, -1.0, 30.0), (1.0, 0.0, 0.0))
        """
        mapping = exif_transform(self.orientation, self.width, self.height)
        return ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0)) if mapping is None else mapping[0]


def read_header(source: str | os.PathLike[str] | bytes | BinaryIO) -> ImageHeader:
    """Read an image's size, EXIF orientation and format without decoding it.

    Args:
        source: A path, bytes or a binary file object (read from its current
            position).

    Returns:
        The header.

    Raises:
        ImageError: The input is missing, not a regular file, empty or not a
            recognised image.
    """
    name = describe(source)
    _check_encoded_source(source, name)
    with (
        _open_stream(source, name) as (stream, _),
        own_pixel_limit(),
        _open_image(stream, name) as im,
    ):
        return ImageHeader(*_raster_size(im), exif_orientation(im), im.format)


def _raster_size(im: Image.Image) -> tuple[int, int]:
    """``(width, height)`` of the raster as stored in the file.

    Pillow's TIFF reader reports the size as displayed for EXIF orientations
    5-8 (it turns the pixels itself when loading them); the stored size is in
    the TIFF's own tags, ImageWidth (256) and ImageLength (257). Every other
    reader reports the stored size.
    """
    if isinstance(im, TiffImagePlugin.TiffImageFile):
        width, height = im.tag_v2.get(256), im.tag_v2.get(257)
        if isinstance(width, int) and isinstance(height, int):
            return width, height
    return im.size


def _scale_to_uint8(im: Image.Image) -> Image.Image:
    """Map a 16/32-bit integer or float gray image to mode ``L`` without clipping.

    Works in bands of rows, so the temporary float64 arrays stay small whatever
    the image's size (memory: the decoded data plus one byte per pixel).
    """
    data = np.asarray(im)
    out = np.zeros(data.shape, dtype=np.uint8)
    if data.size == 0:
        return Image.fromarray(out)
    rows = max(1, _BAND_PIXELS // max(1, data.shape[1]))
    bands = [slice(top, top + rows) for top in range(0, data.shape[0], rows)]
    if im.mode == "F" or data.min() < 0 or data.max() > 65535:

        def finite(band: slice) -> NDArray[np.float64]:
            return np.nan_to_num(
                data[band].astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0
            )

        lo, hi = np.inf, -np.inf
        for band in bands:
            values = finite(band)
            lo, hi = min(lo, float(values.min())), max(hi, float(values.max()))
        if im.mode == "F" and lo >= 0.0 and hi <= 1.0:
            offset, span = 0.0, 1.0
        elif im.mode == "F" and lo >= 0.0 and hi <= 255.0:
            offset, span = 0.0, 255.0
        elif hi > lo:
            offset, span = lo, hi - lo
        else:
            return Image.fromarray(out)
        for band in bands:
            scaled = (finite(band) - offset) * 255.0 / span
            out[band] = np.clip(np.rint(scaled), 0, 255).astype(np.uint8)
    else:
        for band in bands:
            wide = data[band].astype(np.uint32)
            out[band] = ((wide * 255 + 32767) // 65535).astype(np.uint8)
    return Image.fromarray(out)


def _composite_on_white(im: Image.Image) -> Image.Image:
    rgba = im.convert("RGBA")
    background = Image.new("RGBA", rgba.size, (*_WHITE, 255))
    return Image.alpha_composite(background, rgba).convert("RGB")


def _to_rgb(im: Image.Image, key_scale: int = 1) -> Image.Image:
    """Convert any Pillow mode to a new RGB image, alpha composited on white.

    Args:
        im: The image (not modified).
        key_scale: What a gray image's transparency key is multiplied by to
            compare with its decoded samples (see :func:`_key_scale`).
    """
    mode = im.mode
    key = im.info.get("transparency")
    wide = mode.startswith("I") or mode == "F"
    if wide or (isinstance(key, int) and mode in ("1", "L")):
        gray = _scale_to_uint8(im) if wide else im.convert("L")
        if isinstance(key, int) and mode != "F":
            # A transparency key on a gray image (PNG tRNS): compared with
            # 16-bit samples as stored, with 1-8 bit ones as decoded.
            samples = np.asarray(im) if wide else np.asarray(gray)
            opaque = samples != key * (1 if wide else key_scale)
            gray.putalpha(Image.fromarray(opaque.astype(np.uint8) * np.uint8(255)))
            return _composite_on_white(gray)
        return gray.convert("RGB")
    if mode in _PREMULTIPLIED_MODES:
        # Premultiplied colour c' = c * a / 255, so over white: c' + 255 - a.
        data = np.asarray(im).astype(np.int16)
        over_white = data[..., :-1] + (255 - data[..., -1:])
        out = np.clip(over_white, 0, 255).astype(np.uint8)
        return Image.fromarray(
            np.ascontiguousarray(out.squeeze(axis=2) if out.shape[2] == 1 else out)
        ).convert("RGB")
    if mode in _ALPHA_MODES or (im.has_transparency_data and mode in _KEYED_MODES):
        # has_transparency_data: a transparency key, or a palette with alpha
        # (what quantize() makes of an RGBA image), which convert("RGB") drops.
        return _composite_on_white(im)
    if mode == "RGB":
        return im.copy()
    return im.convert("RGB")


def _from_array(array: NDArray[np.uint8], channel_order: str, name: str) -> Image.Image:
    if array.dtype != np.uint8:
        hint = (
            " (for floats in 0..1 use (a * 255).round().astype(np.uint8))"
            if array.dtype.kind == "f"
            else ""
        )
        raise ImageError(
            f"{name}: unsupported array dtype {array.dtype}; expected uint8, "
            f"convert with a.astype(np.uint8) after scaling to 0..255{hint}",
            item=name,
        )
    shape = array.shape
    if array.ndim == 3 and shape[2] == 1:
        array = array[:, :, 0]
    elif array.ndim == 3 and shape[2] in (3, 4):
        if channel_order == "bgr":
            order = [2, 1, 0] if shape[2] == 3 else [2, 1, 0, 3]
            array = array[:, :, order]
    elif array.ndim != 2:
        raise ImageError(
            f"{name}: unsupported array shape {shape}; expected (H, W) gray, "
            "(H, W, 3) RGB/BGR or (H, W, 4) RGBA/BGRA",
            item=name,
        )
    return Image.fromarray(np.ascontiguousarray(array))


@contextmanager
def _whole_rows(im: Image.Image) -> Iterator[None]:
    """Let Pillow read at least one row of pixels at a time while ``im`` loads.

    Pillow hands its decoder 64 KiB at a time and joins what the decoder has
    not used yet to the next block; a decoder that uses whole rows only (the
    raw decoder of an animated WebP's frames, of PPM, BMP...) then copies a
    row longer than a block over and over, quadratic in the row's length: a
    200-byte animated WebP whose canvas is 13 million pixels wide took 43 s
    to decode. Blocks of at least a row keep the time linear. The image's
    own block size is restored afterwards.
    """
    if not isinstance(im, ImageFile.ImageFile):
        yield
        return
    block = im.decodermaxblock
    im.decodermaxblock = max(block, _WIDEST_PIXEL * im.width)
    try:
        yield
    finally:
        im.decodermaxblock = block


@dataclass(frozen=True)
class _FrameFacts:
    """What decoding a frame needs from its reader, which forgets it on loading.

    Attributes:
        key_scale: What a gray image's transparency key is multiplied by to
            compare with its decoded samples (see :func:`_key_scale`).
        swapped: Pillow's TIFF reader swaps the axes itself when it loads
            the frame (EXIF orientation 5-8), so the resolution is swapped.
    """

    key_scale: int = 1
    swapped: bool = False


def _frame_facts(
    im: Image.Image, memory: dict[int, _FrameFacts] | None = None
) -> _FrameFacts:
    """The :class:`_FrameFacts` of ``im``'s current frame, whether loaded or not.

    Read from the reader before the frame is loaded (and put in ``memory``,
    by frame number); once it is loaded, taken from ``memory``. A frame
    loaded before unocr saw it keeps only its size: a TIFF whose size as
    displayed is its stored size swapped was turned (a square one cannot
    tell), and a gray key's scale is lost (the key is compared as stored,
    as Pillow does).

    Args:
        im: The image, at the frame.
        memory: The facts of a caller's image's frames seen so far
            (:class:`_PilHold`); ``None`` for an image unocr opened itself.
    """
    if not isinstance(im, ImageFile.ImageFile):
        return _FrameFacts()
    tiff = isinstance(im, TiffImagePlugin.TiffImageFile)
    frame = im.tell()
    if im.tile:  # not loaded yet
        swaps = tiff and _swaps_axes(exif_orientation(im))
        facts = _FrameFacts(_key_scale(im), swaps)
        if memory is not None:
            memory[frame] = facts
        return facts
    if memory is not None and frame in memory:
        return memory[frame]
    width, height = im.size
    return _FrameFacts(swapped=tiff and _raster_size(im) == (height, width) != im.size)


def _load_upright(im: Image.Image) -> tuple[Image.Image, int]:
    """Load the current frame; return it upright and its EXIF orientation.

    The upright image is ``im`` itself when the orientation is 1, else a
    new image (``im`` is not modified).
    """
    with _whole_rows(im):
        im.load()
    orientation = exif_orientation(im)
    return (ImageOps.exif_transpose(im) if orientation != 1 else im), orientation


@contextmanager
def _decoding(name: str, where: str) -> Iterator[None]:
    """Report what goes wrong while decoding as :class:`ImageError`."""
    try:
        yield
    except ImageError:
        raise
    except Exception as exc:
        raise ImageError(
            f"{name}{where}: cannot decode the image: {_reason(exc)}", item=name
        ) from exc


def _decode_frame(
    im: Image.Image, name: str, where: str, facts: _FrameFacts
) -> tuple[Image.Image, bool]:
    """Decode the current frame of an opened image; return (RGB image, oriented)."""
    with _decoding(name, where):
        upright, orientation = _load_upright(im)
        rgb = _to_rgb(upright, facts.key_scale)
    _keep_resolution(im, rgb, _swaps_axes(orientation) or facts.swapped)
    return rgb, orientation != 1


def _key_scale(im: ImageFile.ImageFile) -> int:
    """What Pillow multiplies a gray image's samples by, its transparency key not.

    A 2- or 4-bit gray PNG decodes to mode ``L`` with its samples scaled to
    0..255 (times 85 or 17), but its transparency key (tRNS) is kept as
    stored. The scale is read from the raw mode of the decoder Pillow has
    not run yet, so only before the frame is loaded (see :func:`_frame_facts`).
    """
    if not im.tile or im.mode != "L" or "transparency" not in im.info:
        return 1
    args = im.tile[0][3]  # (codec, extents, offset, args): args is the raw mode
    raw = args[0] if isinstance(args, tuple) and args else args
    return _LOW_BIT_GRAY.get(raw, 1) if isinstance(raw, str) else 1


def _swaps_axes(orientation: int) -> bool:
    """Whether an EXIF orientation swaps width and height (5-8)."""
    turn = _EXIF_AFFINE.get(orientation)
    return turn is not None and turn[1]


def _keep_resolution(im: Image.Image, rgb: Image.Image, swapped: bool) -> None:
    """Give ``rgb`` the resolution ``im`` carries (``info["dpi"]``), as displayed.

    Engines read it there (Tesseract's ``--dpi``, the page size of
    ``save_pdf``); the images :func:`_to_rgb` builds (alpha composited,
    16-bit scaled) carry no ``info``. When the image was turned upright
    with its axes ``swapped``, x and y are swapped.
    """
    dpi = im.info.get("dpi")
    if dpi is None:
        return
    if swapped and isinstance(dpi, tuple) and len(dpi) == 2:
        dpi = (dpi[1], dpi[0])
    rgb.info["dpi"] = dpi


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if "truncated" in text.lower():
        return f"{text} (the file is incomplete or truncated)"
    return text


def _n_frames(im: Image.Image) -> int | None:
    """Number of frames, or ``None`` when the file's list of frames is damaged.

    Counting walks the file (Pillow returns to the current frame afterwards).
    A damaged list (a broken chain of TIFF directories) gives ``None`` rather
    than an error, so the frames before the damage can still be read. A
    Photoshop file is one image (:func:`_layered`).
    """
    if _layered(im):
        return 1
    try:
        n = getattr(im, "n_frames", 1)
    except Exception:
        return None
    return n if isinstance(n, int) and n > 0 else 1


def _frame_label(frame: int) -> str:
    return f" (frame {frame})" if frame else ""


# --------------------------------------------------------------------------- #
# Opening encoded input
# --------------------------------------------------------------------------- #


@contextmanager
def _open_stream(source: object, name: str) -> Iterator[tuple[IO[bytes], bytes | None]]:
    """Yield a seekable binary stream for a path, bytes or file object.

    The second item is the in-memory bytes when the input was not a path (bytes
    or a file object read to its end), else ``None``. A file unocr opens is
    closed on exit; the caller's file object is never closed.
    """
    if isinstance(source, str | os.PathLike):
        fh = open_regular_file(
            source,
            name,
            error=ImageError,
            what="an image file",
            instead="read a stream yourself and pass its bytes",
        )
        try:
            yield fh, None
        finally:
            fh.close()
        return
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    else:
        data = read_file_object(source, name)
    with io.BytesIO(data) as stream:
        yield stream, data


def read_file_object(source: Any, name: str) -> bytes:
    """All the bytes of a binary file object the caller passed as an input.

    Args:
        source: An object with a ``read()`` method.
        name: How messages name it (:func:`describe`).

    Returns:
        What ``read()`` returned, as bytes.

    Raises:
        ImageError: ``read()`` raised (a closed file, a broken stream), or
            returned text or something other than bytes.
    """
    try:
        data = source.read()
    except Exception as exc:
        raise ImageError(
            f"{name}: cannot read from the file object: {exc}", item=name
        ) from exc
    if isinstance(data, str):
        raise ImageError(
            f"{name}: the file object returned text; open it in binary mode "
            "(open(path, 'rb'))",
            item=name,
        )
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ImageError(
            f"{name}: read() returned {type(data).__name__}, expected bytes",
            item=name,
        )
    return bytes(data)


def _open_image(stream: IO[bytes], name: str) -> ImageFile.ImageFile:
    """Identify an image from its header (no pixel data is decoded)."""
    start = stream.tell()
    if not stream.read(1):
        raise ImageError(f"{name}: the input is empty (0 bytes)", item=name)
    stream.seek(start)
    try:
        return Image.open(stream)
    except UnidentifiedImageError as exc:
        raise ImageError(
            f"{name}: not a recognised image file, or its header is corrupt or "
            "truncated (expected e.g. PNG, JPEG, TIFF, BMP, GIF, WebP)",
            item=name,
        ) from exc
    except Exception as exc:
        raise ImageError(
            f"{name}: cannot read the image header: {_reason(exc)}", item=name
        ) from exc


def _check_encoded_source(source: object, name: str) -> None:
    """Reject inputs that are neither a path, bytes nor a file object."""
    if isinstance(source, str | os.PathLike | bytes | bytearray | memoryview):
        return
    if callable(getattr(source, "read", None)):
        return
    raise ImageError(
        f"{name}: unsupported input type {type(source).__name__}; pass a path, "
        "bytes, a binary file object, a PIL image or a numpy uint8 array",
        item=name,
    )


def _layered(im: Image.Image) -> bool:
    """Whether ``im`` is a Photoshop file: one image, whose "frames" are its layers.

    unocr reads it as one image, its composite (what Pillow shows when it
    opens the file), and never moves it to a layer: Pillow numbers the
    layers from 1, shows the composite as frame 1 until it moves to a layer,
    and cannot move back to the composite afterwards. A caller's image
    moved to a layer is read as it stands.
    """
    return isinstance(im, PsdImagePlugin.PsdImageFile)


def _seek(
    im: Image.Image,
    frame: int,
    name: str,
    recount: Callable[[], int | None] | None = None,
) -> None:
    """Move ``im`` to ``frame``; a frame past the end or unreadable -> ImageError.

    Seeks directly, without counting the frames first (counting walks every
    frame header of the file): a frame past the end is Pillow's
    ``EOFError``. Pillow's TIFF reader then records a wrong count, so an
    image that outlives the call (a caller's) is checked against its count
    before (:func:`_check_frame`).

    Args:
        im: The opened image.
        frame: Its frame, numbered from 0 (a Photoshop file has frame 0 only,
            where it stands).
        name: The input's name, for messages.
        recount: Counts the frames afresh for the message when ``frame`` is
            past the end.
    """
    if _layered(im):
        if frame:
            raise _no_such_frame(name, frame, 1)
        return
    if frame == im.tell():
        return
    try:
        im.seek(frame)
    except EOFError as exc:
        raise _no_such_frame(name, frame, recount() if recount else None) from exc
    except Exception as exc:
        raise ImageError(
            f"{name}: cannot read frame {frame}: {_reason(exc)}", item=name
        ) from exc


def _check_frame(im: Image.Image, frame: int, name: str) -> None:
    """Refuse a frame past the end of a caller's image, by its frame count.

    Pillow keeps the count once counted, so a caller's image walks its frame
    headers once, and is never moved past its end (see :func:`_seek`).
    """
    frames = _n_frames(im)
    if frames is not None and frame >= frames:
        raise _no_such_frame(name, frame, frames)


def _no_such_frame(name: str, frame: int, frames: int | None) -> ImageError:
    has = "" if frames is None else f"has {frames} frame(s); "
    return ImageError(
        f"{name}: {has}frame {frame} does not exist (frames are numbered from 0)",
        item=name,
    )


def _frames_in(stream: IO[bytes], name: str) -> int | None:
    """Frames of the image file in ``stream`` (from its start), opened afresh.

    ``None`` when the file is not a readable image or its list of frames is
    damaged.
    """
    try:
        stream.seek(0)
        with _open_image(stream, name) as im:
            return _n_frames(im)
    except (ImageError, OSError):
        return None


def _read_bytes(stream: IO[bytes], data: bytes | None) -> bytes:
    if data is not None:
        return data
    position = stream.tell()
    try:
        stream.seek(0)
        return stream.read()
    finally:
        stream.seek(position)


# --------------------------------------------------------------------------- #
# A caller's PIL image
# --------------------------------------------------------------------------- #


@dataclass
class _PilHold:
    """unocr's hold on one caller's PIL image.

    Attributes:
        lock: Held while unocr moves the image to a frame and decodes it
            (Pillow decodes lazily, through one file pointer per image).
            Reentrant: a discarded frame iterator of the image may end
            inside it, from gc.
        users: Reads of the image under way (a frame iterator counts until
            it is exhausted or discarded).
        frame: The caller's current frame, restored when the last read ends.
        facts: What each frame read so far needs once loaded (see
            :func:`_frame_facts`), by frame number, kept with the image so
            that every read of it gives what the first gave.
    """

    lock: threading.RLock
    users: int = 0
    frame: int = 0
    facts: dict[int, _FrameFacts] = field(default_factory=dict)


# id(image) -> (weak reference, hold); PIL images are not hashable. An entry
# is dropped with its image. Reentrant: the drop may run inside it, from gc.
_pil_holds: dict[int, tuple[weakref.ref[Image.Image], _PilHold]] = {}
_pil_holds_lock = threading.RLock()


def _drop_hold(key: int, ref: weakref.ref[Image.Image]) -> None:
    with _pil_holds_lock:
        entry = _pil_holds.get(key)
        if entry is not None and entry[0] is ref:
            del _pil_holds[key]


@contextmanager
def _borrow(im: Image.Image) -> Iterator[_PilHold]:
    """Share a caller's PIL image between unocr's concurrent reads of it.

    Two reads of one image at once (``asyncio.gather``, ``read_many`` of the
    same image) would share Pillow's decoder and file pointer and fail as
    if the file were corrupt: each seek and decode holds the yielded hold's
    ``lock``. The first read to start records the caller's current frame
    and the last one to end restores it, so a read never takes another
    read's frame for the caller's.
    """
    key = id(im)
    with _pil_holds_lock:
        entry = _pil_holds.get(key)
        if entry is None or entry[0]() is not im:
            ref = weakref.ref(im, partial(_drop_hold, key))
            entry = (ref, _PilHold(threading.RLock()))
            _pil_holds[key] = entry
    hold = entry[1]
    with hold.lock:
        if hold.users == 0:
            hold.frame = im.tell()
        hold.users += 1
    try:
        yield hold
    finally:
        with hold.lock:
            hold.users -= 1
            if hold.users == 0 and im.tell() != hold.frame:
                with suppress(Exception), own_pixel_limit():
                    im.seek(hold.frame)


@contextmanager
def _pil_frame(
    source: Image.Image, name: str, max_pixels: int | None, frame: int
) -> Iterator[_FrameFacts]:
    """Hold a caller's image at ``frame``, checked, while it is decoded.

    Yields the frame's :class:`_FrameFacts`; the caller's frame is restored
    afterwards (:func:`_borrow`).
    """
    with _borrow(source) as hold, own_pixel_limit(), hold.lock:
        _check_open(source, name)
        _check_frame(source, frame, name)
        _seek(source, frame, name)
        _check_size(source.size, max_pixels, name, _frame_label(frame))
        yield _frame_facts(source, hold.facts)


def portable_image(
    im: Image.Image, *, frame: int = 0, max_pixels: int | None = DEFAULT_MAX_PIXELS
) -> Image.Image:
    """A frame of a caller's PIL image as a plain image that pickles faithfully.

    Pillow pickles an image opened from a file as its pixels, but the copy
    comes back as an image of the file's format without the reader's own
    state, which reading it then fails on; and the palette's alpha and
    what unocr reads before Pillow loads a frame (a TIFF's orientation, a
    2- or 4-bit gray key's scale) would be lost. This gives a new plain
    image of the frame instead: decoded (as Pillow's pickling does), turned
    upright by its EXIF orientation, carrying the resolution as displayed
    and its transparency key scaled like its samples (palette alpha made
    RGBA), and nothing else in ``info``. :func:`load_image` reads it,
    pickled or not, as it reads ``im`` (same pixels, same resolution);
    only ``format`` is not kept (Pillow does not pickle it).

    Args:
        im: The caller's image; never modified (its current frame is
            restored afterwards).
        frame: Zero-based frame; the default is the frame :func:`load_image`
            reads.
        max_pixels: Largest accepted width x height, checked before the
            frame is decoded; ``None`` disables the check.

    Returns:
        A new image, not shared with ``im``.

    Raises:
        ImageError: As :func:`load_image` for that frame: the image is
            closed, over ``max_pixels``, has no such frame or cannot be
            decoded.
    """
    name = describe(im)
    _check_max_pixels(max_pixels, name)
    _check_frame_number(frame, name)
    where = _frame_label(frame)
    with _pil_frame(im, name, max_pixels, frame) as facts, _decoding(name, where):
        upright, orientation = _load_upright(im)
        plain = _plain(upright.copy() if upright is im else upright, facts.key_scale)
        _keep_resolution(im, plain, _swaps_axes(orientation) or facts.swapped)
    return plain


def _plain(im: Image.Image, key_scale: int) -> Image.Image:
    """``im`` (unocr's own copy) keeping only what :func:`_to_rgb` reads, picklable.

    A gray transparency key is scaled like the samples (``key_scale``); a
    palette with alpha, which Pillow pickles as RGB, is made RGBA (as
    compositing it on white starts by doing).
    """
    key = im.info.get("transparency")
    if im.mode in ("P", "PA") and im.palette is not None and im.palette.mode == "RGBA":
        im = im.convert("RGBA")
        key = None
    elif isinstance(key, int) and im.mode in ("1", "L"):
        key *= key_scale
    im.info = {} if key is None else {"transparency": key}
    return im


def file_bytes(im: Image.Image) -> bytes | None:
    """The bytes of the image file a PIL image reads its frames from.

    Pillow opens an image from the start of its file and keeps the file of
    a multi-frame image open to move between frames, so every frame of
    ``im`` can be read again from these bytes (:func:`reopen`). Read under
    the image's lock, the file's position kept; checked to open as the
    same format.

    Args:
        im: A caller's PIL image (not modified).

    Returns:
        The file's bytes; ``None`` when the image has no open file (made in
        memory, or loaded and its file closed), is closed, or its file cannot
        be read or is not the image's own (a container's part).
    """
    fp = im.fp if isinstance(im, ImageFile.ImageFile) else None
    if fp is None:
        return None
    try:
        with _borrow(im) as hold, hold.lock:
            position = fp.tell()
            try:
                fp.seek(0)
                data = fp.read()
            finally:
                fp.seek(position)
        if not isinstance(data, bytes) or not data:
            return None
        with reopen(data) as again:
            return data if again.format == im.format else None
    except Exception:
        return None


def reopen(data: bytes) -> Image.Image:
    """A PIL image opened lazily from its file's bytes (:func:`file_bytes`).

    Opened as unocr opens files (Pillow's pixel limit suspended, its warnings
    quiet): nothing is decoded; :func:`load_image` checks ``max_pixels``
    per frame.

    Args:
        data: An image file's bytes.

    Returns:
        The image, at its first frame, named ``"<PIL image>"`` in messages.

    Raises:
        ImageError: The bytes are not a readable image.
    """
    with own_pixel_limit():
        return _open_image(io.BytesIO(data), _PIL_NAME)


# --------------------------------------------------------------------------- #
# Public functions
# --------------------------------------------------------------------------- #


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
    _check_max_pixels(max_pixels, name)
    if channel_order not in ("rgb", "bgr"):
        raise ImageError(
            f"{name}: channel_order must be 'rgb' or 'bgr', got {channel_order!r}",
            item=name,
        )
    _check_frame_number(frame, name)
    start = time.perf_counter()

    if isinstance(source, np.ndarray):
        if frame != 0:
            raise ImageError(f"{name}: an array has only frame 0", item=name)
        if source.ndim >= 2:
            _check_size((source.shape[1], source.shape[0]), max_pixels, name)
        rgb = _to_rgb(_from_array(source, channel_order, name))
        return LoadedImage(rgb, name, time.perf_counter() - start)

    if isinstance(source, Image.Image):
        return _load_pil(source, name, max_pixels, frame, start)

    _check_encoded_source(source, name)
    with _open_stream(source, name) as (stream, data), own_pixel_limit():
        im = _open_image(stream, name)
        with im:
            # (reading the orientation may decode a PNG: only when deferring)
            deferred = not decode and frame == 0 and exif_orientation(im) == 1
            if deferred and _shows_exactly(im, False):
                _check_size(im.size, max_pixels, name, "")
                return EncodedImage(
                    _read_bytes(stream, data),
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
    where = _frame_label(frame)
    _seek(im, frame, name, partial(_frames_in, stream, name))
    _check_size(im.size, max_pixels, name, where)
    rgb, oriented = _decode_frame(im, name, where, _frame_facts(im))
    if frame != 0 or not _shows_exactly(im, oriented):
        return rgb, None
    return rgb, _read_bytes(stream, data)


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


def _load_pil(
    source: Image.Image,
    name: str,
    max_pixels: int | None,
    frame: int,
    start: float,
) -> LoadedImage:
    where = _frame_label(frame)
    with _pil_frame(source, name, max_pixels, frame) as facts:
        rgb, _ = _decode_frame(source, name, where, facts)
    return LoadedImage(
        rgb, name, time.perf_counter() - start, None, source.format or None
    )


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
    _check_max_pixels(max_pixels, name)
    wanted = _check_frames(frames, name)
    if isinstance(source, np.ndarray):
        for frame in (0,) if wanted is None else wanted:
            yield load_image(source, max_pixels=max_pixels, frame=frame)
        return
    if isinstance(source, Image.Image):
        yield from _iter_pil_frames(source, name, max_pixels, wanted)
        return
    _check_encoded_source(source, name)
    start = time.perf_counter()  # the first frame's time includes opening
    with _open_stream(source, name) as (stream, data):
        with own_pixel_limit():
            im = _open_image(stream, name)
        with im:
            fmt = im.format
            for frame in _numbers(wanted):
                with own_pixel_limit():
                    if wanted is None and frame and not _has_frame(im, frame):
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


def _numbers(wanted: tuple[int, ...] | None) -> Iterator[int]:
    """The frame numbers to read: ``wanted``, or 0, 1, 2... to the end."""
    return itertools.count() if wanted is None else iter(wanted)


def _iter_pil_frames(
    source: Image.Image,
    name: str,
    max_pixels: int | None,
    wanted: tuple[int, ...] | None,
) -> Iterator[LoadedImage]:
    with _borrow(source) as hold:
        for frame in _numbers(wanted):
            start = time.perf_counter()
            where = _frame_label(frame)
            with own_pixel_limit(), hold.lock:
                _check_open(source, name)
                if wanted is not None:
                    _check_frame(source, frame, name)
                elif frame and not _has_frame(source, frame):
                    return
                _seek(source, frame, name)
                _check_size(source.size, max_pixels, name, where)
                facts = _frame_facts(source, hold.facts)
                rgb, _ = _decode_frame(source, name, where, facts)
            yield LoadedImage(
                rgb, name, time.perf_counter() - start, None, source.format or None
            )


def _check_open(im: Image.Image, name: str) -> None:
    """Refuse a caller's PIL image that was closed before unocr read it.

    Pillow would fail with a bare ``AssertionError`` (a lazily opened image
    whose ``with`` block ended) or "Operation on closed image".
    """
    if _was_closed(im):
        raise ImageError(
            f"{name}: cannot decode the image: it was closed (close(), or the "
            "end of its with block) before unocr read it; read it while it is "
            "open, or pass a copy made before closing it (im.copy())",
            item=name,
        )


def _was_closed(im: Image.Image) -> bool:
    if isinstance(im, ImageFile.ImageFile) and im.tile:
        return im.fp is None  # its pixels are still to be read from its file
    try:
        return im.im is None  # Pillow raises ValueError once the image is closed
    except ValueError:
        return True
    except Exception:
        return False  # not closed: decoding reports what is wrong


def _has_frame(im: Image.Image, frame: int) -> bool:
    """Whether ``im`` has a frame number ``frame`` (seeking there if so).

    Only the end of the file counts as "no"; a damaged frame counts as "yes",
    so that decoding it reports the damage.
    """
    if _layered(im):
        return frame == 0
    previous = im.tell()
    try:
        im.seek(frame)
    except EOFError:
        with suppress(Exception):
            im.seek(previous)
        return False
    except Exception:
        return True
    return True


def count_frames(source: str | os.PathLike[str] | bytes | Image.Image) -> int | None:
    """Number of frames (TIFF pages, GIF frames...) of an image, from headers only.

    Counted as unocr decodes: Pillow's pixel limit suspended and its warnings
    quiet, so a file Pillow alone would refuse is counted too (``max_pixels``
    applies to each frame when it is decoded). A PIL image is counted like
    its file, its current frame kept.

    Args:
        source: A path, bytes or a PIL image.

    Returns:
        The number of frames (1 for a single image); ``None`` when the input
        is not a readable image or its list of frames is damaged
        (:func:`load_image` then reports what is wrong).
    """
    if isinstance(source, Image.Image):
        with _borrow(source) as hold, own_pixel_limit(), hold.lock:
            return _n_frames(source)
    name = describe(source)
    try:
        with _open_stream(source, name) as (stream, _), own_pixel_limit():
            return _frames_in(stream, name)
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


# EXIF orientation -> affine rows (as functions of the stored w, h), axes swapped.
_EXIF_AFFINE: dict[
    int, tuple[tuple[tuple[int, int, int], tuple[int, int, int]], bool]
] = {
    2: (((-1, 0, 1), (0, 1, 0)), False),
    3: (((-1, 0, 1), (0, -1, 2)), False),
    4: (((1, 0, 0), (0, -1, 2)), False),
    5: (((0, 1, 0), (1, 0, 0)), True),
    6: (((0, -1, 2), (1, 0, 0)), True),
    7: (((0, -1, 2), (-1, 0, 1)), True),
    8: (((0, 1, 0), (-1, 0, 1)), True),
}


def exif_transform(
    orientation: int, width: int, height: int
) -> (
    tuple[tuple[tuple[float, float, float], tuple[float, float, float]], int, int]
    | None
):
    """The affine map from stored-raster to upright pixel coordinates.

    :func:`load_image` shows an image upright (EXIF orientation applied);
    coordinates labelled on the stored raster map to it with this matrix.

    Args:
        orientation: EXIF orientation tag (1-8).
        width: Stored raster width in pixels.
        height: Stored raster height in pixels.

    Returns:
        ``(matrix, upright_width, upright_height)`` with ``matrix`` the 2x3
        rows ``((a, b, c), (d, e, f))`` mapping ``(x, y)`` to
        ``(a x + b y + c, d x + e y + f)``; ``None`` for orientation 1 (or an
        unknown value).

    Examples:
        >>> exif_transform(6, 40, 30)
        (((0.0, -1.0, 30.0), (1.0, 0.0, 0.0)), 30, 40)
    """
    entry = _EXIF_AFFINE.get(orientation)
    if entry is None:
        return None
    rows, swap = entry
    offsets = (0.0, float(width), float(height))  # code 1 = width, 2 = height
    matrix = (
        (float(rows[0][0]), float(rows[0][1]), offsets[rows[0][2]]),
        (float(rows[1][0]), float(rows[1][1]), offsets[rows[1][2]]),
    )
    up_w, up_h = (height, width) if swap else (width, height)
    return matrix, up_w, up_h

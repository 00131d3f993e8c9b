"""One decoded frame to upright RGB: pixel modes, alpha, EXIF orientation, dpi."""

from __future__ import annotations

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from PIL import (
    Image,
    ImageFile,
    ImageOps,
    TiffImagePlugin,
)

from unocr.errors import ImageError
from unocr.image._limits import own_pixel_limit

_EXIF_ORIENTATION = 0x0112


_ALPHA_MODES = frozenset({"RGBA", "LA", "PA"})


_KEYED_MODES = frozenset({"L", "P", "RGB"})


_PREMULTIPLIED_MODES = frozenset({"RGBa", "La"})


_WHITE = (255, 255, 255)


_BAND_PIXELS = 1 << 20


_WIDEST_PIXEL = 8


# the factor it scales them by.
_LOW_BIT_GRAY = {"L;1": 255, "L;2": 85, "L;4": 17}


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


def raster_size(im: Image.Image) -> tuple[int, int]:
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

    Float data (and integers outside 0..65535) are stretched from the minimum
    to the maximum of their finite values (data already in 0..1 is scaled by
    255, in 0..255 kept); NaN and +-inf become 0 in the output, and count for
    neither bound. Works in bands of rows, so the temporary float64 arrays
    stay small whatever the image's size (memory: the decoded data plus one
    byte per pixel).
    """
    data = np.asarray(im)
    out = np.zeros(data.shape, dtype=np.uint8)
    if data.size == 0:
        return Image.fromarray(out)
    rows = max(1, _BAND_PIXELS // max(1, data.shape[1]))
    bands = [slice(top, top + rows) for top in range(0, data.shape[0], rows)]
    if im.mode == "F" or data.min() < 0 or data.max() > 65535:
        lo, hi = np.inf, -np.inf
        for band in bands:
            values = data[band].astype(np.float64)
            finite = np.isfinite(values)
            lo = min(lo, float(values.min(where=finite, initial=np.inf)))
            hi = max(hi, float(values.max(where=finite, initial=-np.inf)))
        if lo > hi:  # no finite value: all 0
            return Image.fromarray(out)
        if im.mode == "F" and lo >= 0.0 and hi <= 1.0:
            offset, span = 0.0, 1.0
        elif im.mode == "F" and lo >= 0.0 and hi <= 255.0:
            offset, span = 0.0, 255.0
        elif hi > lo:
            offset, span = lo, hi - lo
        else:
            return Image.fromarray(out)
        for band in bands:
            values = data[band].astype(np.float64)
            finite = np.isfinite(values)
            scaled = np.where(finite, (values - offset) * 255.0 / span, 0.0)
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


def to_rgb(im: Image.Image, key_scale: int = 1) -> Image.Image:
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


def from_array(array: NDArray[np.uint8], channel_order: str, name: str) -> Image.Image:
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
class FrameFacts:
    """What decoding a frame needs from its reader, which forgets it on loading.

    Attributes:
        key_scale: What a gray image's transparency key is multiplied by to
            compare with its decoded samples (see :func:`_key_scale`).
        swapped: Pillow's TIFF reader swaps the axes itself when it loads
            the frame (EXIF orientation 5-8), so the resolution is swapped.
        turned: Pillow's TIFF reader turns the frame upright itself when it
            loads it (EXIF orientation 2-8) and drops the tag: the frame
            shows other pixels than the file's raster as stored.
    """

    key_scale: int = 1
    swapped: bool = False
    turned: bool = False


def frame_facts(
    im: Image.Image, memory: dict[int, FrameFacts] | None = None
) -> FrameFacts:
    """The :class:`FrameFacts` of ``im``'s current frame, whether loaded or not.

    Read from the reader before the frame is loaded (and put in ``memory``,
    by frame number); once it is loaded, taken from ``memory``. A frame
    loaded before unocr saw it keeps only its size: a TIFF whose size as
    displayed is its stored size swapped was turned (a square one cannot
    tell), and a gray key's scale is lost (the key is compared as stored,
    as Pillow does).

    Args:
        im: The image, at the frame.
        memory: The facts of a caller's image's frames seen so far
            (:class:`PilHold`); ``None`` for an image unocr opened itself.
    """
    if not isinstance(im, ImageFile.ImageFile):
        return FrameFacts()
    tiff = isinstance(im, TiffImagePlugin.TiffImageFile)
    frame = im.tell()
    if im.tile:  # not loaded yet
        orientation = exif_orientation(im) if tiff else 1
        facts = FrameFacts(_key_scale(im), swaps_axes(orientation), orientation != 1)
        if memory is not None:
            memory[frame] = facts
        return facts
    if memory is not None and frame in memory:
        return memory[frame]
    width, height = im.size
    swapped = tiff and raster_size(im) == (height, width) != im.size
    return FrameFacts(swapped=swapped, turned=swapped)


def load_upright(im: Image.Image) -> tuple[Image.Image, int]:
    """Load the current frame; return it upright and its EXIF orientation.

    The upright image is ``im`` itself when the orientation is 1, else a
    new image (``im`` is not modified).
    """
    with _whole_rows(im):
        im.load()
    orientation = exif_orientation(im)
    return (ImageOps.exif_transpose(im) if orientation != 1 else im), orientation


@contextmanager
def decode_errors(name: str, where: str) -> Iterator[None]:
    """Report what goes wrong while decoding as :class:`ImageError`."""
    try:
        yield
    except ImageError:
        raise
    except Exception as exc:
        raise ImageError(
            f"{name}{where}: cannot decode the image: {reason_of(exc)}", item=name
        ) from exc


def decode_frame(
    im: Image.Image, name: str, where: str, facts: FrameFacts
) -> tuple[Image.Image, bool]:
    """Decode the current frame of an opened image; return (RGB image, oriented).

    ``oriented``: the frame was turned upright, by unocr or by Pillow's TIFF
    reader (``facts.turned``), so it shows other pixels than the raster
    stored in the file.
    """
    with decode_errors(name, where):
        upright, orientation = load_upright(im)
        rgb = to_rgb(upright, facts.key_scale)
    keep_resolution(im, rgb, swaps_axes(orientation) or facts.swapped)
    return rgb, orientation != 1 or facts.turned


def _key_scale(im: ImageFile.ImageFile) -> int:
    """What Pillow multiplies a gray image's samples by, its transparency key not.

    A 2- or 4-bit gray PNG decodes to mode ``L`` with its samples scaled to
    0..255 (times 85 or 17), but its transparency key (tRNS) is kept as
    stored. The scale is read from the raw mode of the decoder Pillow has
    not run yet, so only before the frame is loaded (see :func:`frame_facts`).
    """
    if not im.tile or im.mode != "L" or "transparency" not in im.info:
        return 1
    args = im.tile[0][3]  # (codec, extents, offset, args): args is the raw mode
    raw = args[0] if isinstance(args, tuple) and args else args
    return _LOW_BIT_GRAY.get(raw, 1) if isinstance(raw, str) else 1


def swaps_axes(orientation: int) -> bool:
    """Whether an EXIF orientation swaps width and height (5-8)."""
    turn = _EXIF_AFFINE.get(orientation)
    return turn is not None and turn[1]


def keep_resolution(im: Image.Image, rgb: Image.Image, swapped: bool) -> None:
    """Give ``rgb`` the resolution ``im`` carries (``info["dpi"]``), as displayed.

    Engines read it there (Tesseract's ``--dpi``, the page size of
    ``save_pdf``); the images :func:`to_rgb` builds (alpha composited,
    16-bit scaled) carry no ``info``. When the image was turned upright
    with its axes ``swapped``, x and y are swapped. A resolution that is
    not one (:func:`real_dpi`) is removed from ``rgb`` (unocr's own image).
    """
    dpi = im.info.get("dpi")
    if not real_dpi(dpi):
        rgb.info.pop("dpi", None)  # a copy may have taken it from ``im``
        return
    if swapped and isinstance(dpi, tuple) and len(dpi) == 2:
        dpi = (dpi[1], dpi[0])
    rgb.info["dpi"] = dpi


def real_dpi(dpi: object) -> bool:
    """Whether ``info["dpi"]`` is a resolution: two finite numbers over 1 dpi.

    Pillow reports 1 dpi for a TIFF without resolution tags (the tags'
    default, with no unit); no scan has 1 dpi or less, so such a value, like
    a missing, zero, negative or non-finite one, means the resolution is
    unknown. The one rule for every reader of a resolution: loading, the
    page size of ``save_pdf`` and Tesseract's ``--dpi``.

    Args:
        dpi: ``(x, y)`` in dots per inch, as Pillow's ``info["dpi"]``.

    Examples:
        >>> real_dpi((300, 300)), real_dpi((1, 1)), real_dpi(None)
        (True, False, False)
    """
    if not isinstance(dpi, tuple | list) or len(dpi) != 2:
        return False
    try:
        return all(math.isfinite(float(v)) and float(v) > 1 for v in dpi)
    except (TypeError, ValueError, OverflowError):
        return False


def reason_of(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    if "truncated" in text.lower():
        return f"{text} (the file is incomplete or truncated)"
    return text


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

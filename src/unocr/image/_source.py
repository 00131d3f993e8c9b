"""Opening encoded input (paths, bytes, file objects): streams, headers and frames."""

from __future__ import annotations

import io
import itertools
import os
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from PIL import (
    Image,
    ImageFile,
    PngImagePlugin,
    PsdImagePlugin,
    UnidentifiedImageError,
)

from unocr._files import open_regular_file
from unocr.errors import ImageError
from unocr.image._limits import check_max_pixels, check_size, own_pixel_limit
from unocr.image._loaded import describe
from unocr.image._pixels import exif_orientation, exif_transform, raster_size, reason_of


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


def read_header(
    source: str | os.PathLike[str] | bytes | BinaryIO,
    *,
    max_pixels: int | None = None,
) -> ImageHeader:
    """Read an image's size, EXIF orientation and format without decoding it.

    Nothing but metadata is read, whatever size the header declares (a PNG's
    orientation too, see :func:`header_orientation`), so no limit is needed;
    ``max_pixels`` refuses an image as :func:`load_image` would.

    Args:
        source: A path, bytes or a binary file object (read from its current
            position).
        max_pixels: Largest accepted width x height; ``None`` (the default)
            accepts any size.

    Returns:
        The header.

    Raises:
        ImageError: The input is missing, not a regular file, empty, not a
            recognised image, or over ``max_pixels``.
    """
    name = describe(source)
    check_max_pixels(max_pixels, name)
    check_encoded_source(source, name)
    with (
        open_stream(source, name) as (stream, _),
        own_pixel_limit(),
        open_image(stream, name) as im,
    ):
        size = raster_size(im)
        if max_pixels is not None:
            check_size(size, max_pixels, name)
        return ImageHeader(*size, header_orientation(im), im.format)


def header_orientation(im: ImageFile.ImageFile) -> int:
    """The EXIF orientation of frame 0 of a file unocr opened, no pixel decoded.

    Pillow decodes a whole PNG to look for EXIF it did not see before the
    image data (``getexif()`` loads the image). Here the chunks after the
    image data up to the next frame or the end (``eXIf``, and the text
    chunks that may carry EXIF or XMP) are read without decompressing the
    image data, so the orientation is what decoding would find.

    Args:
        im: An image just opened from its file by :func:`open_image`, at
            frame 0, the file starting at offset 0 of ``im.fp``.

    Returns:
        1 to 8, as :func:`exif_orientation`.
    """
    if not isinstance(im, PngImagePlugin.PngImageFile) or not im.tile:
        return exif_orientation(im)  # reads metadata only
    info = dict(im.info)
    fp = im.fp
    if fp is not None:
        with suppress(Exception):  # damage past the image data: decoding reports it
            position = fp.tell()
            try:
                info.update(_png_late_metadata(fp))
            finally:
                fp.seek(position)
    probe = Image.new("1", (1, 1))
    probe.info = info
    return exif_orientation(probe)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


_PNG_IMAGE_DATA = frozenset({b"IDAT", b"fdAT"})


_PNG_METADATA = frozenset({b"eXIf", b"tEXt", b"zTXt", b"iTXt"})


def _png_late_metadata(fp: IO[bytes]) -> dict[str | tuple[int, int], Any]:
    """What a PNG's chunks after its first image data put in Pillow's ``info``.

    The chunks between frame 0's image data and the next frame (``fcTL``) or
    the end, which Pillow reads when it loads frame 0; the image data is
    skipped, not read.

    Args:
        fp: The PNG file, from its start (offset 0).

    Returns:
        Their ``info`` entries (``"exif"``, text keys, ``"xmp"``).
    """
    fp.seek(0)
    if fp.read(len(_PNG_SIGNATURE)) != _PNG_SIGNATURE:
        return {}
    chunks = PngImagePlugin.PngStream(fp)
    position = len(_PNG_SIGNATURE)
    in_data = seen_data = False
    while True:
        fp.seek(position)
        head = fp.read(8)
        if len(head) < 8:
            break
        length, cid = struct.unpack(">I4s", head)
        if cid == b"IEND" or (seen_data and cid == b"fcTL"):
            break
        in_data = cid in _PNG_IMAGE_DATA
        seen_data = seen_data or in_data
        if seen_data and not in_data and cid in _PNG_METADATA:
            chunks.call(cid, position + 8, length)
        position += 12 + length  # length, type, data, CRC
    return chunks.im_info


def frame_count(im: Image.Image) -> int | None:
    """Number of frames; a damaged list of TIFF pages counted to the damage.

    Counting walks the file (Pillow returns to the current frame afterwards).
    A TIFF whose chain of page directories breaks counts the pages before the
    break and the page it breaks at (reading that one raises
    ``cannot read frame N``), so every intact page is read and the damage is
    reported in its place. Another format's damaged list gives ``None``
    (walking it again would decode its frames). A Photoshop file is one
    image (:func:`_layered`).
    """
    if _layered(im):
        return 1
    try:
        n = getattr(im, "n_frames", 1)
    except Exception:
        return _pages_to_damage(im) if im.format == "TIFF" else None
    return n if isinstance(n, int) and n > 0 else 1


def _pages_to_damage(im: Image.Image) -> int:
    """A TIFF's pages up to the one its broken chain of directories ends at.

    Moving to a TIFF page reads its directory only, no pixel; the image is
    put back on its current page.
    """
    current = im.tell()
    pages = 1
    try:
        while True:
            try:
                im.seek(pages)
            except EOFError:
                return pages
            except Exception:
                return pages + 1  # the page the chain breaks at
            pages += 1
    finally:
        with suppress(Exception):
            im.seek(current)


def frame_label(frame: int) -> str:
    return f" (frame {frame})" if frame else ""


@contextmanager
def open_stream(source: object, name: str) -> Iterator[tuple[IO[bytes], bytes | None]]:
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


def open_image(stream: IO[bytes], name: str) -> ImageFile.ImageFile:
    """Identify an image from its header (no pixel data is decoded)."""
    try:
        start = stream.tell()
        empty = not stream.read(1)
        stream.seek(start)
    except OSError as exc:  # a file the system cannot read (EIO)
        raise _unreadable(name, exc) from exc
    if empty:
        raise ImageError(f"{name}: the input is empty (0 bytes)", item=name)
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
            f"{name}: cannot read the image header: {reason_of(exc)}", item=name
        ) from exc


def _unreadable(name: str, exc: OSError) -> ImageError:
    return ImageError(f"{name}: cannot read the file: {exc.strerror or exc}", item=name)


def check_encoded_source(source: object, name: str) -> None:
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


def seek_frame(
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
    before (:func:`check_frame`).

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
            f"{name}: cannot read frame {frame}: {reason_of(exc)}", item=name
        ) from exc


#: Formats whose every frame has the image's size (the logical screen, the
#: canvas) and whose frame n is built on the frames before it: Pillow decodes
#: those while moving to frame n (GIF, APNG, FLI) or while loading it.
_CANVAS_FORMATS = frozenset({"GIF", "PNG", "FLI", "WEBP", "AVIF"})


def seek_checked(
    im: Image.Image,
    frame: int,
    max_pixels: int | None,
    name: str,
    recount: Callable[[], int | None] | None = None,
) -> None:
    """Move ``im`` to ``frame`` (:func:`seek_frame`), its size checked first.

    A frame of a format in :data:`_CANVAS_FORMATS` has the size the header
    declares, checked before moving (moving may decode the frames before
    it, at that size); every frame's size is checked again once there.

    Args:
        im: The opened image.
        frame: Its frame, numbered from 0.
        max_pixels: Largest accepted width x height; ``None``: any.
        name: The input's name, for messages.
        recount: As for :func:`seek_frame`.

    Raises:
        ImageError: The frame is over ``max_pixels``, past the end or
            unreadable.
    """
    where = frame_label(frame)
    if frame != im.tell() and im.format in _CANVAS_FORMATS:
        check_size(im.size, max_pixels, name, where)
    seek_frame(im, frame, name, recount)
    check_size(im.size, max_pixels, name, where)


def check_frame(im: Image.Image, frame: int, name: str) -> None:
    """Refuse a frame past the end of a caller's image, by its frame count.

    Pillow keeps the count once counted, so a caller's image walks its frame
    headers once, and is never moved past its end (see :func:`seek_frame`).
    """
    frames = frame_count(im)
    if frames is not None and frame >= frames:
        raise _no_such_frame(name, frame, frames)


def _no_such_frame(name: str, frame: int, frames: int | None) -> ImageError:
    has = "" if frames is None else f"has {frames} frame(s); "
    return ImageError(
        f"{name}: {has}frame {frame} does not exist (frames are numbered from 0)",
        item=name,
    )


def frames_in(stream: IO[bytes], name: str) -> int | None:
    """Frames of the image file in ``stream`` (from its start), opened afresh.

    ``None`` when the file is not a readable image or its list of frames is
    damaged.
    """
    try:
        stream.seek(0)
        with open_image(stream, name) as im:
            return frame_count(im)
    except (ImageError, OSError):
        return None


def read_bytes(stream: IO[bytes], data: bytes | None, name: str) -> bytes:
    """The whole file in ``stream`` (``data`` when already in memory).

    Raises:
        ImageError: The file cannot be read.
    """
    if data is not None:
        return data
    try:
        position = stream.tell()
        try:
            stream.seek(0)
            return stream.read()
        finally:
            stream.seek(position)
    except OSError as exc:
        raise _unreadable(name, exc) from exc


def frame_numbers(wanted: tuple[int, ...] | None) -> Iterator[int]:
    """The frame numbers to read: ``wanted``, or 0, 1, 2... to the end."""
    return itertools.count() if wanted is None else iter(wanted)


def check_open(im: Image.Image, name: str) -> None:
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


def has_frame(im: Image.Image, frame: int, name: str) -> bool:
    """Whether ``im`` has a frame number ``frame`` (seeking there if so).

    Only the end of the file counts as "no". A frame that cannot be reached
    (a damaged list of frames) is an error: Pillow may then report the
    frame as current while holding the previous frame's data.

    Raises:
        ImageError: ``cannot read frame <frame>: ...``.
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
    except Exception as exc:
        raise ImageError(
            f"{name}: cannot read frame {frame}: {reason_of(exc)}", item=name
        ) from exc
    return True

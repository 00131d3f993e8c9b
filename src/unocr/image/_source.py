"""Opening encoded input (paths, bytes, file objects): streams, headers and frames."""

from __future__ import annotations

import io
import itertools
import os
import re
import struct
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import IO, Any, BinaryIO, cast

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
        open_stream(source, name, max_pixels=max_pixels) as (stream, _),
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
def open_stream(
    source: object,
    name: str,
    *,
    max_pixels: int | None = None,
    frame: int = 0,
) -> Iterator[tuple[IO[bytes], bytes | None]]:
    """Yield a seekable binary stream for a path, bytes or file object.

    The second item is the in-memory bytes when the input was not a path (bytes
    or a file object read to its end), else ``None``. A file unocr opens is
    closed on exit; the caller's file object is never closed. A file object
    is identified from its header before the rest of it is read
    (:func:`read_image_object`).

    Args:
        source: A path, bytes or a binary file object.
        name: How messages name it (:func:`describe`).
        max_pixels: Largest accepted width x height of ``frame``, checked
            from a file object's header before the rest of it is read
            (where the header tells that frame's size); ``None``: not here.
        frame: The frame to be read, numbered from 0.

    Raises:
        ImageError: The input cannot be opened or read; a file object is not
            a recognised image or is over ``max_pixels``.
    """
    if isinstance(source, str | os.PathLike):
        fh = _open_path(source, name)
        try:
            yield fh, None
        finally:
            fh.close()
        return
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        _refuse_path_bytes(data, name)
    else:
        data = read_image_object(source, name, max_pixels=max_pixels, frame=frame)
    with io.BytesIO(data) as stream:
        yield stream, data


#: A path, or rather a string that may be one of another kind ("https://...").
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")


def _open_path(source: str | os.PathLike[str], name: str) -> IO[bytes]:
    """Open an image file; a URL that is no file is told it is not fetched."""
    try:
        return open_regular_file(
            source,
            name,
            error=ImageError,
            what="an image file",
            instead="read a stream yourself and pass its bytes",
        )
    except ImageError as exc:
        path = os.fspath(source)
        if not (
            isinstance(exc.__cause__, FileNotFoundError)
            and isinstance(path, str)
            and _URL.match(path)
        ):
            raise
        raise ImageError(
            f"{exc}; URLs are not fetched: download the file and pass its path "
            "or bytes",
            item=name,
        ) from exc.__cause__


#: Longest bytes input checked for being the path of a file.
_PATH_BYTES = 4096


def _refuse_path_bytes(data: bytes, name: str) -> None:
    """Refuse bytes that name an existing file and are no image, with the fix.

    Bytes are a file's contents; ``os.fsencode(path)`` passed instead of the
    path would otherwise be "not a recognised image file" only.
    """
    if len(data) > _PATH_BYTES or not data or b"\0" in data:
        return
    try:
        exists = os.path.exists(os.fsdecode(data))
    except (OSError, ValueError):
        return
    if not exists:
        return
    hint = (
        "; these bytes are the path of an existing file, but bytes are the "
        "file's contents: pass a str or Path to read a file"
    )
    with own_pixel_limit(), io.BytesIO(data) as stream:
        open_image(stream, name, hint=hint).close()


#: Bytes of a file object read before its header is identified: more than a
#: header takes in almost any file (a TIFF may put its first directory at
#: the end, a JPEG may carry large metadata before its frame header).
HEAD_BYTES = 1 << 20


#: Bytes a file object is asked for at once while its start is read.
_CHUNK = 1 << 16


def read_image_object(
    source: Any,
    name: str,
    *,
    max_pixels: int | None = None,
    frame: int = 0,
) -> bytes:
    """All the bytes of an image file object, its header checked first.

    The first :data:`HEAD_BYTES` bytes are read and the image identified
    from them: a file object that is not a recognised image, or whose
    ``frame`` is over ``max_pixels``, is refused before the rest is read.
    When the header reaches past those bytes, a seekable object is
    identified on the object itself (reading only what the header takes)
    and the rest of a stream is read before it is identified.

    Args:
        source: An object with a ``read()`` method, read from its current
            position to its end.
        name: How messages name it (:func:`describe`).
        max_pixels: Largest accepted width x height of ``frame``; ``None``:
            not checked here.
        frame: The frame to be read, numbered from 0: its size is checked
            when the header tells it (frame 0, or any frame of a format
            whose frames all have the size of its canvas).

    Returns:
        The bytes from the object's position to its end.

    Raises:
        ImageError: As :func:`read_file_object`; the start of the object is
            not a recognised image, or the frame is over ``max_pixels``.
    """
    _refuse_text(source, name)
    start = _position(source)
    head = _read_head(source, name)
    if head is None:  # read() takes no size: everything was read
        return read_file_object(source, name)
    if len(head) < HEAD_BYTES:
        return head  # the whole object
    if not _identify(_Prefix(head), name, max_pixels, frame) and start is not None:
        window = _window(source, start)
        if window is not None:
            _identify(window, name, max_pixels, frame)
    if start is not None:
        if _seek(source, start):
            return read_file_object(source, name)
        if not _seek(source, start + len(head)):
            raise ImageError(
                f"{name}: cannot read from the file object: it cannot seek back "
                "to where it stood",
                item=name,
            )
    return head + read_file_object(source, name)


def _seek(source: Any, position: int) -> bool:
    """Move a file object to ``position``; whether it went there."""
    try:
        source.seek(position)
        return bool(source.tell() == position)
    except Exception:
        return False


def _window(source: Any, start: int) -> _Window | None:
    """The object from ``start`` on (:class:`_Window`); ``None`` if it cannot seek."""
    try:
        return _Window(source, start)
    except Exception:
        return None


def _position(source: Any) -> int | None:
    """Where a seekable file object stands; ``None`` when it cannot seek."""
    try:
        if not source.seekable():
            return None
        position = source.tell()
    except Exception:
        return None
    return position if isinstance(position, int) and position >= 0 else None


def peek_file_object(source: Any, name: str, size: int) -> tuple[bytes, Any]:
    """The first ``size`` bytes of a binary file object, and the object to read on.

    Tells what a file object holds (a PDF, an image) without reading it all:
    the stream returned gives every byte from the object's position,
    those peeked at included.

    Args:
        source: An object with a ``read()`` method.
        name: How messages name it (:func:`describe`).
        size: How many bytes to look at, at most (fewer at its end).

    Returns:
        ``(head, stream)``: ``stream`` is ``source`` itself moved back where
        it stood when it can seek, else a stream giving ``head`` and then
        the rest of ``source``. Where ``read()`` takes no size, ``head`` is
        everything and ``stream`` a ``BytesIO`` of it.

    Raises:
        ImageError: As :func:`read_file_object`.
    """
    _refuse_text(source, name)
    start = _position(source)
    head = _read_head(source, name, size)
    if head is None:  # read() takes no size: everything was read
        data = read_file_object(source, name)
        return data[:size], io.BytesIO(data)
    if start is not None and _seek(source, start):
        return head, source
    return head, io.BufferedReader(_Prefixed(head, source, name))


class _Prefixed(io.RawIOBase):
    """Bytes already read from a stream that cannot seek back, then its rest."""

    def __init__(self, head: bytes, source: Any, name: str) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._source = source
        self._name = name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any, /) -> int:
        view = memoryview(buffer).cast("B")
        if self._head:
            n = min(len(view), len(self._head))
            view[:n] = self._head[:n]
            self._head = self._head[n:]
            return n
        try:
            data = _checked(self._source.read(len(view)), self._name)
        except ImageError:
            raise
        except Exception as exc:
            raise _read_failed(self._source, self._name, exc) from exc
        view[: len(data)] = data
        return len(data)


def _read_head(source: Any, name: str, size: int = HEAD_BYTES) -> bytes | None:
    """The first ``size`` bytes of a file object, fewer at its end.

    ``None`` when its ``read`` takes no size (then nothing was read).
    """
    parts: list[bytes] = []
    got = 0
    while got < size:
        try:
            part = _checked(source.read(min(_CHUNK, size - got)), name)
        except TypeError as exc:
            if got:
                raise _read_failed(source, name, exc) from exc
            return None
        except ImageError:
            raise
        except Exception as exc:
            raise _read_failed(source, name, exc) from exc
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _identify(
    stream: _Prefix | _Window, name: str, max_pixels: int | None, frame: int
) -> bool:
    """Identify the image at the start of ``stream``; refuse what is no image.

    Returns:
        ``True`` when the header was read (and the frame's size accepted);
        ``False`` when ``stream`` is a :class:`_Prefix` the header reached
        past the end of, so that nothing can be told yet.

    Raises:
        ImageError: Not a recognised image, or the frame over ``max_pixels``.
    """
    try:
        with own_pixel_limit(), open_image(cast(IO[bytes], stream), name) as im:
            if isinstance(stream, _Prefix) and stream.reached_end:
                return False
            if max_pixels is not None and (frame == 0 or im.format in _CANVAS_FORMATS):
                check_size(im.size, max_pixels, name, frame_label(frame))
    except ImageError:
        if isinstance(stream, _Prefix) and stream.reached_end:
            return False
        raise
    return True


class _Prefix(io.BytesIO):
    """The first bytes of a file object; notes whether a read reached their end.

    What Pillow makes of a header read before the end of the prefix is what
    it makes of it in the whole file; a header read up to the end may go on
    in the bytes not read yet.
    """

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self._size = len(data)
        self.reached_end = False

    def _note(self) -> None:
        if self.tell() >= self._size:
            self.reached_end = True

    def read(self, size: int | None = -1, /) -> bytes:
        data = super().read(size)
        self._note()
        return data

    def read1(self, size: int | None = -1, /) -> bytes:
        data = super().read1(size)
        self._note()
        return data

    def readline(self, size: int | None = -1, /) -> bytes:
        data = super().readline(size)
        self._note()
        return data

    def readlines(self, hint: int | None = -1, /) -> list[bytes]:
        lines = super().readlines(hint)
        self._note()
        return lines

    def readinto(self, buffer: Any, /) -> int:
        got = super().readinto(buffer)
        self._note()
        return got

    def readinto1(self, buffer: Any, /) -> int:
        got = super().readinto1(buffer)
        self._note()
        return got


class _Window(io.RawIOBase):
    """A seekable file object from ``start`` to its end, as a file of its own.

    Pillow seeks a file to offset 0 before reading its header; this shows it
    the caller's object from where it stood. Reads are capped at the end of
    the object, so a header declaring a huge block allocates no more than
    the object holds.
    """

    def __init__(self, source: Any, start: int) -> None:
        super().__init__()
        self._source = source
        self._start = start
        self._pos = 0
        source.seek(0, io.SEEK_END)
        self._size = max(int(source.tell()) - start, 0)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}
        if whence not in base:
            raise ValueError(f"invalid whence ({whence})")
        position = base[whence] + offset
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        self._pos = position
        return position

    def read(self, size: int | None = -1, /) -> bytes:
        remaining = max(self._size - self._pos, 0)
        wanted = remaining if size is None or size < 0 else min(size, remaining)
        self._source.seek(self._start + self._pos)
        parts: list[bytes] = []
        got = 0
        while got < wanted:
            part = self._source.read(wanted - got)
            if not part:
                break
            parts.append(bytes(part))
            got += len(part)
        self._pos += got
        return b"".join(parts)

    def readall(self) -> bytes:
        return self.read(-1)

    def readinto(self, buffer: Any, /) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)


def read_file_object(source: Any, name: str) -> bytes:
    """All the bytes of a binary file object the caller passed as an input.

    Args:
        source: An object with a ``read()`` method.
        name: How messages name it (:func:`describe`).

    Returns:
        What ``read()`` returned, as bytes.

    Raises:
        ImageError: ``read()`` raised (a closed file, a broken stream), or
            returned text or something other than bytes; the object is a
            text stream (opened without ``"b"``).
    """
    _refuse_text(source, name)
    try:
        data = source.read()
    except Exception as exc:
        raise _read_failed(source, name, exc) from exc
    return _checked(data, name)


_TEXT_MODE = "the file object returned text; open it in binary mode (open(path, 'rb'))"


def _refuse_text(source: Any, name: str) -> None:
    if isinstance(source, io.TextIOBase):
        raise ImageError(f"{name}: {_TEXT_MODE}", item=name)


def _read_failed(source: Any, name: str, exc: Exception) -> ImageError:
    if isinstance(exc, UnicodeDecodeError):  # a text stream of another kind
        return ImageError(f"{name}: {_TEXT_MODE} ({exc})", item=name)
    return ImageError(f"{name}: cannot read from the file object: {exc}", item=name)


def _checked(data: object, name: str) -> bytes:
    """What a file object's ``read()`` returned, as bytes; text or else refused."""
    if isinstance(data, str):
        raise ImageError(f"{name}: {_TEXT_MODE}", item=name)
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ImageError(
            f"{name}: read() returned {type(data).__name__}, expected bytes",
            item=name,
        )
    return bytes(data)


def open_image(stream: IO[bytes], name: str, hint: str = "") -> ImageFile.ImageFile:
    """Identify an image from its header (no pixel data is decoded).

    Args:
        stream: The file, at the start of the image.
        name: How messages name it.
        hint: Added to the message when the file is not a recognised image.
    """
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
            f"truncated (expected e.g. PNG, JPEG, TIFF, BMP, GIF, WebP){hint}",
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

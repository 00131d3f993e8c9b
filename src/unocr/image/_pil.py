"""A caller's PIL image: read without changing it, made portable to processes."""

from __future__ import annotations

import io
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial

from PIL import (
    Image,
    ImageFile,
)

from unocr.image._limits import (
    check_frame_number,
    check_max_pixels,
    own_pixel_limit,
)
from unocr.image._loaded import PIL_NAME, LoadedImage, describe
from unocr.image._pixels import (
    FrameFacts,
    decode_errors,
    decode_frame,
    frame_facts,
    keep_resolution,
    load_upright,
    swaps_axes,
)
from unocr.image._source import (
    check_frame,
    check_open,
    frame_label,
    frame_numbers,
    has_frame,
    open_image,
    seek_checked,
)
from unocr.limits import DEFAULT_MAX_PIXELS


@dataclass
class PilHold:
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
            :func:`frame_facts`), by frame number, kept with the image so
            that every read of it gives what the first gave.
    """

    lock: threading.RLock
    users: int = 0
    frame: int = 0
    facts: dict[int, FrameFacts] = field(default_factory=dict)


# id(image) -> (weak reference, hold); PIL images are not hashable. An entry
# is dropped with its image. Reentrant: the drop may run inside it, from gc.
_pil_holds: dict[int, tuple[weakref.ref[Image.Image], PilHold]] = {}


_pil_holds_lock = threading.RLock()


def _drop_hold(key: int, ref: weakref.ref[Image.Image]) -> None:
    with _pil_holds_lock:
        entry = _pil_holds.get(key)
        if entry is not None and entry[0] is ref:
            del _pil_holds[key]


@contextmanager
def borrow(im: Image.Image) -> Iterator[PilHold]:
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
            entry = (ref, PilHold(threading.RLock()))
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
) -> Iterator[FrameFacts]:
    """Hold a caller's image at ``frame``, checked, while it is decoded.

    Yields the frame's :class:`FrameFacts`; the caller's frame is restored
    afterwards (:func:`borrow`).
    """
    with borrow(source) as hold, own_pixel_limit(), hold.lock:
        check_open(source, name)
        check_frame(source, frame, name)
        seek_checked(source, frame, max_pixels, name)
        yield frame_facts(source, hold.facts)


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
    check_max_pixels(max_pixels, name)
    check_frame_number(frame, name)
    where = frame_label(frame)
    with _pil_frame(im, name, max_pixels, frame) as facts, decode_errors(name, where):
        upright, orientation = load_upright(im)
        plain = _plain(upright.copy() if upright is im else upright, facts.key_scale)
        keep_resolution(im, plain, swaps_axes(orientation) or facts.swapped)
    return plain


def _plain(im: Image.Image, key_scale: int) -> Image.Image:
    """``im`` (unocr's own copy) keeping only what :func:`to_rgb` reads, picklable.

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
        with borrow(im) as hold, hold.lock:
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
        return open_image(io.BytesIO(data), PIL_NAME)


def load_pil(
    source: Image.Image,
    name: str,
    max_pixels: int | None,
    frame: int,
    start: float,
) -> LoadedImage:
    where = frame_label(frame)
    with _pil_frame(source, name, max_pixels, frame) as facts:
        rgb, _ = decode_frame(source, name, where, facts)
    return LoadedImage(
        rgb, name, time.perf_counter() - start, None, source.format or None
    )


def iter_pil_frames(
    source: Image.Image,
    name: str,
    max_pixels: int | None,
    wanted: tuple[int, ...] | None,
) -> Iterator[LoadedImage]:
    with borrow(source) as hold:
        for frame in frame_numbers(wanted):
            start = time.perf_counter()
            where = frame_label(frame)
            with own_pixel_limit(), hold.lock:
                check_open(source, name)
                if wanted is not None:
                    check_frame(source, frame, name)
                elif frame and not has_frame(source, frame, name):
                    return
                seek_checked(source, frame, max_pixels, name)
                facts = frame_facts(source, hold.facts)
                rgb, _ = decode_frame(source, name, where, facts)
            yield LoadedImage(
                rgb, name, time.perf_counter() - start, None, source.format or None
            )

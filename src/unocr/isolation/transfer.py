"""Moving decoded images to a worker: pixels through shared memory, no copy there.

The parent owns one anonymous shared-memory file per worker (Linux
``memfd_create``), handed to the worker as an inherited file descriptor and
kept mapped on both sides for the worker's life (grown, never shrunk, when a
larger message comes). An image's pixels are copied into it once, row by row
in Pillow's own storage layout (RGB as 4 bytes a pixel), and the worker builds
its PIL image *on* the mapped pages (``Image.core.map_buffer``, what
``Image.frombuffer`` uses): no serialisation, no second copy, no fresh memory
to fault in, no file name that could be left behind. The worker's image is
read-only (Pillow copies it before any change) and lives for one call: the
parent writes the next message only after the worker's reply.

Modes Pillow cannot map, and platforms without ``memfd_create``, fall back
to packed bytes (in the shared file, or as the message's blob over the pipe)
that the worker copies into a new image. An image's original file bytes
(:attr:`~unocr.image.LoadedImage.encoded`), where present, go over the pipe
too, so the engine in the worker sees exactly what it would see in process.
"""

from __future__ import annotations

import dataclasses
import mmap
import os
from collections.abc import Iterator, Sequence
from typing import Any

from PIL import Image, ImageMode
from PIL import _imaging as _pil_core  # Image.core: map_buffer

from unocr.image import LoadedImage

__all__ = ["PixelReader", "PixelWriter"]

_CHUNK = 1 << 20  # grow the shared file in whole MiB
_ENCODE_CHUNK = 1 << 20  # bytes packed per step: large, yet cache-sized
_ALIGN = 64  # each image's pixels start on a cache line
_SCALARS = (str, int, float, bool, type(None))
#: Modes whose storage a worker maps in place: bytes per pixel of Pillow's
#: layout, and the raw mode that reads that layout (for a copying fallback).
_MAPPED: dict[str, tuple[int, str]] = {
    "L": (1, "L"),
    "RGB": (4, "RGBX"),
    "RGBA": (4, "RGBA"),
    "RGBX": (4, "RGBX"),
    "CMYK": (4, "CMYK"),
}


def _meta_fields(image: LoadedImage) -> dict[str, Any]:
    """The image's descriptive fields that JSON carries unchanged."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(image):
        if f.name in ("image", "encoded"):
            continue
        value = getattr(image, f.name)
        if isinstance(value, _SCALARS):
            out[f.name] = value
    return out


def _packed_chunks(image: Image.Image) -> Iterator[bytes]:
    """The image's raw bytes (as ``tobytes()``), in a few large pieces.

    ``Image.tobytes`` packs in 64 KiB pieces and joins them, which costs
    several times a plain copy for a large image; Pillow's raw encoder with a
    large buffer does the same packing in a few steps.
    """
    try:
        encoder = Image._getencoder(image.mode, "raw", (image.mode, 0, 1))
        encoder.setimage(image.im, (0, 0, *image.size))
    except (AttributeError, TypeError, ValueError):  # another Pillow
        yield image.tobytes()
        return
    while True:
        _, status, data = encoder.encode(_ENCODE_CHUNK)
        yield data
        if status:
            if status < 0:
                raise ValueError(f"Pillow's raw encoder failed ({status})")
            return


def _packed_bytes(image: Image.Image) -> int:
    """Length of ``image.tobytes()`` without packing it."""
    if image.mode == "1":  # one bit a pixel, rows padded to whole bytes
        return -(-image.width // 8) * image.height
    typestr = ImageMode.getmode(image.mode).typestr  # e.g. "|u1", "<i4"
    return image.width * image.height * len(image.getbands()) * int(typestr[2:])


def _storage_bytes(image: Image.Image) -> int | None:
    """Bytes of the image in Pillow's layout, or ``None`` if it cannot be mapped."""
    layout = _MAPPED.get(image.mode)
    return None if layout is None else image.width * image.height * layout[0]


def _place(buffer: mmap.mmap, offset: int, image: Image.Image) -> bool:
    """Copy the image's storage into ``buffer`` at ``offset``, row by row.

    Returns:
        Whether it was placed (``False``: this Pillow cannot map the mode).
    """
    try:
        target = _pil_core.map_buffer(
            buffer, image.size, "raw", offset, (image.mode, 0, 1)
        )
    except (AttributeError, TypeError, ValueError):
        return False
    try:
        if target.mode != image.mode:
            return False
        target.paste(image.im, (0, 0, *image.size))
    except ValueError:  # "images do not match": another storage layout
        return False
    finally:
        del target  # releases its view of the mapping
    return True


def _mapped_image(
    buffer: mmap.mmap, offset: int, mode: str, size: tuple[int, int]
) -> Image.Image:
    """A read-only image on ``buffer``'s pages at ``offset`` (Pillow's layout).

    The image keeps the mapping alive; Pillow copies it before any change.
    Where this Pillow cannot map the mode, the pixels are copied instead.
    """
    try:
        core = _pil_core.map_buffer(buffer, size, "raw", offset, (mode, 0, 1))
    except (AttributeError, TypeError, ValueError):
        core = None
    if core is None or core.mode != mode:
        nbytes = size[0] * size[1] * _MAPPED[mode][0]
        with memoryview(buffer)[offset : offset + nbytes] as pixels:
            return Image.frombytes(mode, size, pixels, "raw", _MAPPED[mode][1], 0, 1)
    image = Image.new(mode, (0, 0))._new(core)
    image.readonly = 1
    return image


class PixelWriter:
    """Parent side: puts images where one worker reads them.

    Args:
        shared: Use shared memory where the platform has ``memfd_create``;
            ``False`` sends pixels over the pipe.
    """

    def __init__(self, shared: bool = True) -> None:
        self.fd: int | None = None
        self._map: mmap.mmap | None = None
        self._capacity = 0
        if shared and hasattr(os, "memfd_create"):
            self.fd = os.memfd_create("unocr-pixels", 0)

    def _reserve(self, size: int) -> mmap.mmap:
        if self._map is None or size > self._capacity:
            assert self.fd is not None
            capacity = max(_CHUNK, -(-size // _CHUNK) * _CHUNK)
            os.ftruncate(self.fd, capacity)
            if self._map is not None:
                self._map.close()
            self._map = mmap.mmap(self.fd, capacity)
            self._capacity = capacity
        return self._map

    def pack(
        self, images: Sequence[LoadedImage]
    ) -> tuple[list[dict[str, Any]], list[bytes]]:
        """Describe images for the worker and place their pixels.

        Args:
            images: Decoded images (one message carries them all).

        Returns:
            One description per image (the message's ``"images"``) and the
            blobs to send after the header.
        """
        shared = self.fd is not None
        plans: list[tuple[int, int, bool]] = []  # (offset, bytes, mapped)
        end = 0
        for image in images:
            img = image.image
            img.load()
            packed = _packed_bytes(img)
            storage = _storage_bytes(img) if shared else None
            offset = -(-end // _ALIGN) * _ALIGN
            plans.append((offset, packed, storage is not None))
            end = offset + (packed if storage is None else storage)
        buffer = self._reserve(end) if shared else None
        metas: list[dict[str, Any]] = []
        blobs: list[bytes] = []
        blob_pos = 0
        for image, (offset, nbytes, mapped) in zip(images, plans, strict=True):
            img = image.image
            meta = _meta_fields(image)
            meta.update(size=[img.width, img.height], mode=img.mode, nbytes=nbytes)
            if image.encoded is not None:
                meta["encoded"] = [blob_pos, len(image.encoded)]
                blobs.append(image.encoded)
                blob_pos += len(image.encoded)
            if buffer is not None and mapped and _place(buffer, offset, img):
                meta["mapped"] = [offset, self._capacity]
                metas.append(meta)
                continue
            if buffer is not None:  # packed bytes fit where the storage would
                pos = offset
                for chunk in _packed_chunks(img):
                    buffer[pos : pos + len(chunk)] = chunk
                    pos += len(chunk)
                written = pos - offset
                meta["shared"] = [offset, self._capacity]
            else:
                pixels = img.tobytes()
                written = len(pixels)
                meta["pixels"] = blob_pos
                blobs.append(pixels)
                blob_pos += written
            if written != nbytes:
                raise ValueError(
                    f"packed {written} bytes for a {img.mode} image, not {nbytes}"
                )
            metas.append(meta)
        return metas, blobs

    def close(self) -> None:
        """Release the shared memory."""
        if self._map is not None:
            self._map.close()
            self._map = None
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class PixelReader:
    """Worker side: rebuilds the images a :class:`PixelWriter` placed.

    Args:
        fd: The inherited shared-memory file descriptor, or ``None``.
    """

    def __init__(self, fd: int | None) -> None:
        self.fd = fd
        self._map: mmap.mmap | None = None
        self._capacity = 0

    def unpack(self, metas: list[dict[str, Any]], blob: bytes) -> list[LoadedImage]:
        """Build the images a :meth:`PixelWriter.pack` message describes.

        Args:
            metas: The message's ``"images"``.
            blob: The message's blob.

        Returns:
            Images equal, pixel for pixel and field for field, to the
            parent's.
        """
        known = {f.name for f in dataclasses.fields(LoadedImage)}
        out = []
        for meta in metas:
            size = tuple(meta["size"])
            nbytes = int(meta["nbytes"])
            encoded = None
            if meta.get("encoded") is not None:
                at, length = meta["encoded"]
                encoded = blob[at : at + length]
            img: Image.Image
            if "mapped" in meta:  # Pillow's layout: the image on those pages
                offset, capacity = meta["mapped"]
                img = _mapped_image(self._mapping(capacity), offset, meta["mode"], size)
            else:
                pixels: Any
                if "shared" in meta:
                    offset, capacity = meta["shared"]
                    mapping = self._mapping(capacity)
                    pixels = memoryview(mapping)[offset : offset + nbytes]
                else:
                    at = int(meta["pixels"])
                    pixels = memoryview(blob)[at : at + nbytes]
                with pixels:
                    img = Image.frombytes(meta["mode"], size, pixels)
            fields = {k: v for k, v in meta.items() if k in known}
            fields.pop("image", None)
            fields.pop("encoded", None)
            out.append(LoadedImage(image=img, encoded=encoded, **fields))
        return out

    def _mapping(self, capacity: int) -> mmap.mmap:
        if self._map is None or capacity != self._capacity:
            # An older mapping is left to its images: it is unmapped when the
            # last of them goes.
            assert self.fd is not None
            self._map = mmap.mmap(self.fd, capacity)
            self._capacity = capacity
        return self._map

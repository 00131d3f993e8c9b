"""Moving decoded images to a worker: raw pixels through shared memory.

The parent owns one anonymous shared-memory file per worker (Linux
``memfd_create``), handed to the worker as an inherited file descriptor: an
image's RGB bytes are copied into it once and the worker builds its image
from the same pages, with no serialisation and no file name that could be
left behind. Where ``memfd_create`` is missing the pixels travel as the
message's blob over the pipe instead. An image's original file bytes
(:attr:`~unocr.image.LoadedImage.encoded`), where present, go over the pipe
too, so the engine in the worker sees exactly what it would see in process.
"""

from __future__ import annotations

import dataclasses
import mmap
import os
from collections.abc import Iterator, Sequence
from typing import Any

from PIL import Image

from unocr.image import LoadedImage

__all__ = ["PixelReader", "PixelWriter"]

_CHUNK = 1 << 20  # grow the shared file in whole MiB
_ENCODE_CHUNK = 1 << 20  # bytes packed per step: large, yet cache-sized
_SCALARS = (str, int, float, bool, type(None))


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
        sizes = []
        for image in images:
            img = image.image
            img.load()
            sizes.append(img.width * img.height * len(img.getbands()))
        shared = self._reserve(sum(sizes)) if self.fd is not None else None
        metas: list[dict[str, Any]] = []
        blobs: list[bytes] = []
        blob_pos = shared_pos = 0
        for image, nbytes in zip(images, sizes, strict=True):
            img = image.image
            meta = _meta_fields(image)
            meta.update(size=[img.width, img.height], mode=img.mode, nbytes=nbytes)
            if image.encoded is not None:
                meta["encoded"] = [blob_pos, len(image.encoded)]
                blobs.append(image.encoded)
                blob_pos += len(image.encoded)
            if shared is not None:
                pos = shared_pos
                for chunk in _packed_chunks(img):
                    shared[pos : pos + len(chunk)] = chunk
                    pos += len(chunk)
                written = pos - shared_pos
                meta["shared"] = [shared_pos, self._capacity]
                shared_pos = pos
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
            pixels: Any
            if "shared" in meta:
                offset, capacity = meta["shared"]
                pixels = memoryview(self._mapping(capacity))[offset : offset + nbytes]
            else:
                at = int(meta["pixels"])
                pixels = memoryview(blob)[at : at + nbytes]
            try:
                img = Image.frombytes(meta["mode"], size, pixels)
            finally:
                pixels.release()
            fields = {k: v for k, v in meta.items() if k in known}
            fields.pop("image", None)
            fields.pop("encoded", None)
            out.append(LoadedImage(image=img, encoded=encoded, **fields))
        return out

    def _mapping(self, capacity: int) -> mmap.mmap:
        if self._map is None or capacity != self._capacity:
            if self._map is not None:
                self._map.close()
            assert self.fd is not None
            self._map = mmap.mmap(self.fd, capacity)
            self._capacity = capacity
        return self._map

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
from collections.abc import Iterator
from typing import Any

from PIL import Image

from unocr.image import LoadedImage

__all__ = ["PixelReader", "PixelWriter"]

_CHUNK = 1 << 20  # grow the shared file in whole MiB
_ENCODE_CHUNK = 1 << 22  # bytes packed per step: few large steps are fastest
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

    def pack(self, image: LoadedImage) -> tuple[dict[str, Any], list[bytes]]:
        """Describe ``image`` for the worker and place its pixels.

        Args:
            image: A decoded RGB image.

        Returns:
            The message header part (``"image"``) and the blobs to send.
        """
        img = image.image
        img.load()
        encoded = image.encoded or b""
        blobs = [encoded]
        if self.fd is not None:
            nbytes = img.width * img.height * len(img.getbands())
            shared = self._reserve(nbytes)
            pos = 0
            for chunk in _packed_chunks(img):
                shared[pos : pos + len(chunk)] = chunk
                pos += len(chunk)
        else:
            pixels = img.tobytes()
            nbytes = pos = len(pixels)
            blobs.append(pixels)
        if pos != nbytes:
            raise ValueError(f"packed {pos} bytes for a {img.mode} image, not {nbytes}")
        meta = _meta_fields(image)
        meta.update(
            size=[img.width, img.height],
            mode=img.mode,
            nbytes=nbytes,
            encoded=len(encoded) if image.encoded is not None else None,
        )
        if self.fd is not None:
            meta["shared"] = self._capacity
        return meta, blobs

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

    def unpack(self, meta: dict[str, Any], blob: bytes) -> LoadedImage:
        """Build the image a :meth:`PixelWriter.pack` message describes.

        Args:
            meta: The message's ``"image"`` part.
            blob: The message's blob.

        Returns:
            An image equal, pixel for pixel and field for field, to the
            parent's.
        """
        width, height = meta["size"]
        nbytes = int(meta["nbytes"])
        n_encoded = meta.get("encoded")
        encoded = blob[:n_encoded] if n_encoded is not None else None
        rest = blob[n_encoded or 0 :]
        if "shared" in meta:
            capacity = int(meta["shared"])
            if self._map is None or capacity != self._capacity:
                if self._map is not None:
                    self._map.close()
                assert self.fd is not None
                self._map = mmap.mmap(self.fd, capacity)
                self._capacity = capacity
            pixels: Any = memoryview(self._map)[:nbytes]
        else:
            pixels = rest[:nbytes]
        try:
            img = Image.frombytes(meta["mode"], (width, height), pixels)
        finally:
            if isinstance(pixels, memoryview):
                pixels.release()
        known = {f.name for f in dataclasses.fields(LoadedImage)}
        fields = {
            k: v
            for k, v in meta.items()
            if k in known and k not in ("image", "encoded")
        }
        return LoadedImage(image=img, encoded=encoded, **fields)

"""Limits of image input; unocr's pixel limit in place of Pillow's while decoding."""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import cast

from PIL import (
    Image,
)

from unocr.errors import ImageError

_pil_limit_lock = threading.Lock()


_pil_limit_users = 0


_pil_limit_saved: int | None = None


_pil_warning_filter: tuple[object, ...] | None = None


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


def check_max_pixels(max_pixels: int | None, name: str) -> None:
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


def check_frame_number(frame: object, name: str) -> None:
    if isinstance(frame, bool) or not isinstance(frame, int) or frame < 0:
        raise ImageError(f"{name}: frame must be an int >= 0, got {frame!r}", item=name)


def check_size(
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

"""Sizing images for RapidOCR's detector: thin ones padded, huge ones refused.

RapidOCR resizes every image for its detector (``Global`` and ``Det``
settings of its ``config.yaml``); a thin image becomes a detector input of
gigabytes. :func:`fit_image` works that size out first, pads thin images and
refuses ones whose padded size or detector input exceeds ``max_pixels``;
:func:`clip_output` cuts the boxes RapidOCR found back to the original image
(padded or not). No RapidOCR import: the engine is passed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from unocr.backends.rapidocr.settings import MAX_SIDE
from unocr.errors import RecognitionError
from unocr.geometry.crop import edge_colour
from unocr.limits import check_limit

__all__ = ["clip_output", "fit_image"]


def _scaled(height: int, width: int, ratio: float) -> tuple[int, int]:
    """RapidOCR's resize: each side scaled, truncated, rounded to 32 pixels."""
    return (
        int(round(int(height * ratio) / 32) * 32),
        int(round(int(width * ratio) / 32) * 32),
    )


@dataclass(frozen=True)
class _Resizing:
    """The RapidOCR 3 settings that decide the size of its detector's input."""

    preprocess: bool
    max_side_len: float
    min_side_len: float
    vertical_padding: bool
    min_height: int
    width_height_ratio: float
    limit_type: str
    limit_side_len: float

    @classmethod
    def of(cls, cfg: Any) -> _Resizing:
        """The settings of a RapidOCR engine's configuration."""
        g, det = cfg.Global, cfg.Det
        return cls(
            bool(g.use_preprocess_img),
            g.max_side_len,
            g.min_side_len,
            bool(g.use_vertical_padding),
            int(g.min_height),
            g.width_height_ratio,
            str(det.limit_type),
            det.limit_side_len,
        )

    def padded(self, height: int, width: int) -> tuple[int, int]:
        """The (height, width) unocr pads an image to at the bottom or right.

        RapidOCR pads a page more than ``width_height_ratio`` (8) times as
        wide as tall to 4:1 for its detector, but only after enlarging a page
        under ``min_side_len`` (30) px thick to that thickness, and never pads
        a tall page: a thin page became a detector input of tens of
        gigabytes. Such a page is padded first: a tall one to 4:1 (RapidOCR's
        rule for wide ones, turned), a wide one to ``min_side_len`` px.
        """
        ratio = self.width_height_ratio
        if ratio <= 0:  # RapidOCR's proportion rule is off
            return height, width
        if height > ratio * width:
            return height, max(int(height / ratio), self.min_height) * 2
        if self.preprocess and width > ratio * height and height < self.min_side_len:
            return math.ceil(self.min_side_len), width
        return height, width

    def detector(self, height: int, width: int) -> tuple[int, int] | None:
        """(height, width) of RapidOCR's detector input for an image.

        Returns:
            The size, or ``None`` where RapidOCR's first step shrinks a side
            to nothing (its ``ResizeImgError``).
        """
        h, w = height, width
        if self.preprocess:
            if max(h, w) > self.max_side_len:
                h, w = _scaled(h, w, self.max_side_len / (h if h > w else w))
                if h <= 0 or w <= 0:
                    return None
            if min(h, w) < self.min_side_len:
                h, w = _scaled(h, w, self.min_side_len / (h if h < w else w))
                if h <= 0 or w <= 0:
                    return None
        ratio = self.width_height_ratio
        if self.vertical_padding and (
            h <= self.min_height or (ratio != -1 and w / h > ratio)
        ):
            new_h = max(int(w / ratio), self.min_height) * 2
            h += 2 * int(abs(new_h - h) / 2)
        side = self.limit_side_len
        scale = 1.0
        if self.limit_type == "max" and max(h, w) > side:
            scale = side / (h if h > w else w)
        elif self.limit_type != "max" and min(h, w) < side:
            scale = side / (h if h < w else w)
        return _scaled(h, w, scale)


def fit_image(engine: Any, bgr: np.ndarray[Any, Any], max_pixels: int | None) -> Any:
    """The image as RapidOCR can read it: padded where thin, or refused.

    A thin image is padded at the bottom or right with its background (the
    median colour of its edge), so coordinates need no mapping
    (:meth:`_Resizing.padded`). Then RapidOCR's own resizing is worked out
    before it runs: a page it would shrink to no rows, or whose padded size
    or detector input exceeds ``max_pixels``, is refused.

    Args:
        engine: The RapidOCR engine that will read the image (its ``cfg``
            and ``use_det`` are read).
        bgr: The image's pixels, (H, W, 3) uint8 in BGR order.
        max_pixels: The backend's limit in pixels (width times height), or
            ``None`` for none.

    Returns:
        ``bgr`` itself, or a padded (H', W', 3) uint8 copy with ``bgr`` at its
        top-left corner (H' >= H, W' >= W).

    Raises:
        unocr.errors.RecognitionError: The image cannot be read within bounds;
            the message gives the sizes and what to do.
    """
    height, width = bgr.shape[:2]
    sizes = _Resizing.of(engine.cfg)
    padded = sizes.padded(height, width)
    shown = f"this {width}x{height}-pixel image"
    if padded != (height, width):
        shown += f" (padded to {padded[1]}x{padded[0]})"
        check_limit(
            padded[0] * padded[1],
            max_pixels,
            what=f"{shown[0].upper()}{shown[1:]}, too thin for RapidOCR as it "
            "is (or cut it into shorter pieces)",
            unit="pixels",
            argument="max_pixels",
            error=RecognitionError,
        )
    detector = sizes.detector(*padded)
    if detector is None:
        raise _too_long(sizes, shown, padded)
    if engine.use_det:
        check_limit(
            detector[0] * detector[1],
            max_pixels,
            what=f"RapidOCR would make a {detector[1]}x{detector[0]}-pixel "
            f"detector input of {shown} (lower det_limit_side_len or "
            "Global.max_side_len, use det_limit_type='max', or resize the image)",
            unit="pixels",
            argument="max_pixels",
            error=RecognitionError,
        )
    if padded == (height, width):
        return bgr
    out = np.empty((*padded, 3), np.uint8)
    out[:] = edge_colour(bgr)
    out[:height, :width] = bgr
    return out


def _too_long(
    sizes: _Resizing, shown: str, padded: tuple[int, int]
) -> RecognitionError:
    """The error for a page RapidOCR shrinks to no rows, saying what to do."""
    longest, shortest = max(padded), min(padded)
    need = math.ceil(17 * longest / shortest)  # a side rounds to 32 px from 17
    while (
        need < longest and replace(sizes, max_side_len=need).detector(*padded) is None
    ):
        need += 1
    limit = sizes.max_side_len
    option = (
        f", or pass engine_options={{'Global.max_side_len': {need}}}"
        if need <= MAX_SIDE
        else ""
    )
    return RecognitionError(
        f"RapidOCR cannot read {shown}: it scales the long side down to "
        f"{limit:g} px (Global.max_side_len), leaving the short side under 16 "
        "px, so no row; cut the image into pieces at most "
        f"{math.floor(shortest * limit / 17)} px long{option}",
        backend="rapidocr",
    )


def clip_output(output: Any, fitted: Any, bgr: np.ndarray[Any, Any]) -> Any:
    """RapidOCR's output with every box cut to the image unocr was given.

    RapidOCR cuts line boxes to the image it read, which after padding is
    the padded one; its word and character boxes it does not cut at all (at
    the image's edge they reach past it by the rounding of its crops). So
    line, word and character boxes are all cut to the original image.

    Args:
        output: What the engine returned for ``fitted`` (its ``boxes``, (N,
            4, 2) pixel corners, and ``word_results``, per line
            ``(text, score, box)`` items, are cut in place).
        fitted: The image :func:`fit_image` returned for ``bgr`` (``bgr`` or
            a padded copy).
        bgr: The original image's pixels, (H, W, 3).

    Returns:
        ``output``, its boxes' x within [0, W] and y within [0, H] pixels.
    """
    top = np.array([bgr.shape[1], bgr.shape[0]], dtype=np.float64)
    boxes = getattr(output, "boxes", None)
    if boxes is None or not len(boxes):
        return output
    output.boxes = np.clip(np.asarray(boxes, dtype=np.float64), 0, top)
    lines = getattr(output, "word_results", None)
    if isinstance(lines, tuple):
        output.word_results = tuple(_words_within(items, top) for items in lines)
    return output


def _words_within(items: Any, top: np.ndarray[Any, Any]) -> Any:
    """One line's ``(text, score, box)`` items with each box cut to ``top``."""
    if not isinstance(items, (list, tuple)) or not all(
        isinstance(i, (list, tuple)) and len(i) == 3 for i in items
    ):
        return items  # not word items (RapidOCR's placeholder for none)
    return tuple(
        (t, s, None if b is None else np.clip(np.asarray(b), 0, top).tolist())
        for t, s, b in items
    )

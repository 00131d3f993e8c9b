"""Single-line ground truth, OCR-D / ocrd-train style.

``X.tif`` (or ``.png``, ``.bin.png``, ``.nrm.png``, ...) with ``X.gt.txt``
beside it: the image is one cropped text line and the ``.gt.txt`` holds its
transcription on one line (UTF-8; BOM and CRLF accepted). Text is compared as
given: historical characters such as long s (U+017F) are kept (turn on NFKC
normalisation in the metrics to fold them).
"""

from __future__ import annotations

import os
from pathlib import Path

from unocr.datasets._common import (
    IMAGE_SUFFIXES,
    Dataset,
    Sample,
    check_folder,
    files_by_name,
    image_size,
    natural_key,
    no_samples_error,
    read_text,
    text_only_page,
)

__all__ = ["load_linegt"]

_IMAGE_ORDER = (".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp", ".webp", ".gif")


def _image_for(gt: Path, stem: str) -> Path | None:
    folder = gt.parent
    for suffix in _IMAGE_ORDER:
        for variant in (suffix, suffix.upper()):
            candidate = folder / f"{stem}{variant}"
            if candidate.is_file():
                return candidate
    # ocrd-train variants such as X.bin.png or X.nrm.png
    for candidate in sorted(folder.glob(f"{stem}.*")):
        if candidate.suffix.lower() in IMAGE_SUFFIXES and candidate.is_file():
            return candidate
    return None


def load_linegt(path: str | os.PathLike[str], *, limit: int | None = None) -> Dataset:
    """Load single-line images with ``.gt.txt`` transcriptions.

    Args:
        path: Folder with ``X.gt.txt`` files and their line images (searched
            recursively; each image sits beside its ``.gt.txt``).
        limit: Load at most this many samples (the first in natural order).

    Returns:
        Samples with ``localized=False`` whose truth is one line of text.

    Raises:
        DatasetError: The folder is missing or no ``.gt.txt`` has an image.
    """
    root = check_folder(path, "linegt")
    gts = files_by_name(root, ".gt.txt")
    samples: list[Sample] = []
    for name in sorted(gts, key=natural_key):
        gt = gts[name]
        stem = name[: -len(".gt.txt")]
        image = _image_for(gt, stem)
        if image is None:
            continue
        text = " ".join(read_text(gt).split("\n")).strip()
        width, height, orientation = image_size(image)
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        page = text_only_page(text, width, height)
        samples.append(
            Sample(id=stem, image=image, truth=page, level="line", localized=False)
        )
        if limit is not None and len(samples) >= limit:
            break
    if not samples:
        raise no_samples_error(root, "linegt", "X.tif (or .png) with X.gt.txt")
    return Dataset(kind="linegt", path=root, samples=tuple(samples))

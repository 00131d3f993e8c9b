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

from unocr.datasets.files import (
    IMAGE_SUFFIXES,
    check_folder,
    collect,
    read_text,
    unique_ids,
    walk_files,
)
from unocr.datasets.sample import Dataset, Sample
from unocr.datasets.truth import text_only_page, upright_size

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
        Samples with ``localized=False`` whose truth is one line of text, named
        by the ``.gt.txt`` file (with its folder where several folders hold
        one of that name, as in one folder per book: ``book_a/00001``).

    Raises:
        ConfigError: ``limit`` is not a whole number >= 1.
        DatasetError: The folder is missing or no ``.gt.txt`` has an image.
    """
    root = check_folder(path, "linegt")
    pairs: list[tuple[Path, Path]] = []
    for gt in walk_files(root, ".gt.txt"):
        image = _image_for(gt, _stem(gt.name))
        if image is not None:
            pairs.append((image, gt))

    def make(image: Path, gt: Path) -> Sample:
        text = " ".join(read_text(gt).split("\n")).strip()
        page = text_only_page(text, *upright_size(image))
        return Sample(
            id=_stem(gt.name), image=image, truth=page, level="line", localized=False
        )

    return collect(
        root,
        "linegt",
        pairs,
        make,
        limit=limit,
        expected="X.tif (or .png) with X.gt.txt",
        ids=unique_ids([gt for _, gt in pairs], root, lambda gt: _stem(gt.name)),
    )


def _stem(name: str) -> str:
    return name[: -len(".gt.txt")]

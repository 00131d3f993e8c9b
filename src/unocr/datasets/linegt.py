"""Single-line ground truth, OCR-D / ocrd-train style.

``X.tif`` (or ``.png``, ``.bin.png``, ``.nrm.png``, ...) with ``X.gt.txt``
beside it: the image is one cropped text line and the ``.gt.txt`` holds its
transcription on one line (UTF-8; BOM and CRLF accepted). Text is compared
as given: historical characters such as long s (U+017F) are kept (turn on
NFKC normalisation in the metrics to fold them).

The image of ``X.gt.txt`` is ``X`` followed by an image suffix (``.png``,
``.tif``, ``.jpg``, ...; any case), or by ocrd-train's ``.bin`` (binarised)
or ``.nrm`` (normalised) and an image suffix (``X.bin.png``,
``X.nrm.png``): the first found in that order, ``.png`` before ``.tif``,
``.tiff``, ``.jpg``, ``.jpeg``, ``.bmp``, ``.webp``, ``.gif``. No other file
is its image (``X.b.png`` belongs to ``X.b.gt.txt``, not to ``X.gt.txt``):
a ``.gt.txt`` without its own image is skipped.
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

# The image suffixes of a line image, in the order they are preferred.
_IMAGE_ORDER = (
    ".png",
    ".tif",
    ".tiff",
    ".jpg",
    ".jpeg",
    ".bmp",
    ".webp",
    ".gif",
    *sorted(
        IMAGE_SUFFIXES
        - {".png", ".tif", ".tiff", ".jpg", ".jpeg", ".bmp", ".webp", ".gif"}
    ),
)
# What may come between the stem and the image suffix (ocrd-train variants).
_VARIANTS = ("", ".bin", ".nrm")
_RANK = {
    variant + suffix: (v, s)
    for v, variant in enumerate(_VARIANTS)
    for s, suffix in enumerate(_IMAGE_ORDER)
}


def _images_by_stem(folder: Path) -> dict[str, Path]:
    """The line image of each stem in ``folder``.

    Args:
        folder: A folder holding ``.gt.txt`` files.

    Returns:
        ``stem -> image``: for each stem, the best-ranked image named
        ``stem`` plus a variant and an image suffix (see the module
        docstring; a lower-case suffix before another case). Names are
        compared as strings, so glob characters (``[``, ``*``, ``?``) in
        them are plain characters.
    """
    try:
        names = [e.name for e in os.scandir(folder) if e.is_file()]
    except OSError:
        return {}
    best: dict[str, tuple[tuple[int, int, bool, str], Path]] = {}
    for name in names:
        lower = name.lower()
        for tail, (variant, suffix) in _RANK.items():
            if lower.endswith(tail) and len(name) > len(tail):
                cut = len(name) - len(tail)
                rank = (variant, suffix, name[cut:] != tail, name)
                stem = name[:cut]
                if stem not in best or rank < best[stem][0]:
                    best[stem] = (rank, folder / name)
    return {stem: image for stem, (_, image) in best.items()}


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
    images: dict[Path, dict[str, Path]] = {}
    for gt in walk_files(root, ".gt.txt"):
        if gt.parent not in images:
            images[gt.parent] = _images_by_stem(gt.parent)
        image = images[gt.parent].get(_stem(gt.name))
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

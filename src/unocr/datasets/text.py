"""Page-level text ground truth: an image and a ``.txt`` of the same stem.

``page.png`` + ``page.txt`` (UTF-8, BOM and CRLF accepted), anywhere below
the dataset folder (beside each other, or ``images/`` and ``gt/``: an image
takes the ``.txt`` nearest it, see :func:`unocr.datasets.files.nearest_file`):
the expected text of the whole image in reading order, one text line per
line. There are no coordinates, so only recognition metrics (CER and WER over
the page text) apply. ``.gt.txt`` files belong to the single-line format
(:mod:`unocr.datasets.linegt`) and are not picked up here.
"""

from __future__ import annotations

import os
from pathlib import Path

from unocr.datasets.files import (
    check_folder,
    collect,
    image_pairs,
    nearest_by_stem,
    read_text,
)
from unocr.datasets.sample import Dataset, Sample
from unocr.datasets.truth import text_only_page, upright_size

__all__ = ["load_text"]

# An image stem ending so names a .gt.txt (any case), which is not page text.
_LINE_GT = ".gt"


def load_text(path: str | os.PathLike[str], *, limit: int | None = None) -> Dataset:
    """Load images with page-level ``.txt`` ground truth.

    Args:
        path: Folder with ``X.<image suffix>`` and ``X.txt`` pairs (searched
            recursively; an image takes the ``X.txt`` nearest it, see
            :func:`unocr.datasets.files.nearest_file`; ``X.gt.txt`` files
            are single-line ground truth and are not read).
        limit: Load at most this many samples (the first in natural order).

    Returns:
        Samples with ``localized=False`` (text only, line level).

    Raises:
        ConfigError: ``limit`` is not a whole number >= 1.
        DatasetError: The folder is missing, holds no annotated image, or
            two ``.txt`` files are equally near one image.
    """
    root = check_folder(path, "text")
    find = nearest_by_stem(root, ".txt")

    def make(image: Path, gt: Path) -> Sample:
        page = text_only_page(read_text(gt), *upright_size(image))
        return Sample(
            id=image.stem, image=image, truth=page, level="line", localized=False
        )

    def ground_truth(image: Path) -> Path | None:
        if image.stem.lower().endswith(_LINE_GT):
            return None  # its X.gt.txt is single-line ground truth (linegt)
        return find(image, image.stem)

    return collect(
        root,
        "text",
        image_pairs(root, ground_truth),
        make,
        limit=limit,
        expected="X.png (or .jpg, .tif) with X.txt",
    )

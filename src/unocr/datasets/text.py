"""Page-level text ground truth: an image beside a ``.txt`` of the same stem.

``page.png`` + ``page.txt`` (UTF-8, BOM and CRLF accepted): the expected text
of the whole image in reading order, one text line per line. There are no
coordinates, so only recognition metrics (CER and WER over the page text)
apply. ``.gt.txt`` files belong to the single-line format
(:mod:`unocr.datasets.linegt`) and are not picked up here.
"""

from __future__ import annotations

import os
from pathlib import Path

from unocr.datasets.files import (
    check_folder,
    collect,
    file_beside,
    image_pairs,
    read_text,
)
from unocr.datasets.sample import Dataset, Sample
from unocr.datasets.truth import text_only_page, upright_size

__all__ = ["load_text"]


def load_text(path: str | os.PathLike[str], *, limit: int | None = None) -> Dataset:
    """Load images with page-level ``.txt`` ground truth beside them.

    Args:
        path: Folder with ``X.<image suffix>`` and ``X.txt`` pairs (searched
            recursively; the ``.txt`` must sit in the image's folder).
        limit: Load at most this many samples (the first in natural order).

    Returns:
        Samples with ``localized=False`` (text only, line level).

    Raises:
        DatasetError: The folder is missing or holds no annotated image.
    """
    root = check_folder(path, "text")

    def make(image: Path, gt: Path) -> Sample:
        page = text_only_page(read_text(gt), *upright_size(image))
        return Sample(
            id=image.stem, image=image, truth=page, level="line", localized=False
        )

    return collect(
        root,
        "text",
        image_pairs(root, lambda image: file_beside(image, ".txt")),
        make,
        limit=limit,
        expected="X.png (or .jpg, .tif) with X.txt",
    )

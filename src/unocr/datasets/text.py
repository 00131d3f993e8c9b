"""Page-level text ground truth: an image beside a ``.txt`` of the same stem.

``page.png`` + ``page.txt`` (UTF-8, BOM and CRLF accepted): the expected text
of the whole image in reading order, one text line per line. There are no
coordinates, so only recognition metrics (CER and WER over the page text)
apply. ``.gt.txt`` files belong to the single-line format
(:mod:`unocr.datasets.linegt`) and are not picked up here.
"""

from __future__ import annotations

import os

from unocr.datasets._common import (
    Dataset,
    Sample,
    check_folder,
    find_images,
    image_size,
    no_samples_error,
    read_text,
    text_only_page,
)

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
    samples: list[Sample] = []
    for image in find_images(root):
        gt = image.with_suffix(".txt")
        if not gt.is_file():
            continue
        width, height, orientation = image_size(image)
        if orientation in (5, 6, 7, 8):
            width, height = height, width
        page = text_only_page(read_text(gt), width, height)
        samples.append(
            Sample(
                id=image.stem, image=image, truth=page, level="line", localized=False
            )
        )
        if limit is not None and len(samples) >= limit:
            break
    if not samples:
        raise no_samples_error(root, "text", "X.png (or .jpg, .tif) with X.txt")
    return Dataset(kind="text", path=root, samples=tuple(samples))

"""unocr's own JSON as ground truth, so users can label their own images.

Layout: ``X.json`` (a page saved with ``page.to_json()`` or
``unocr read --format json``, schema ``unocr.page/1``) and ``X.png`` (or any
image suffix) of the same stem, anywhere below the dataset folder (an image
takes the ``X.json`` nearest it, see
:func:`unocr.datasets.files.nearest_file`). Correct an engine's output by hand and it
becomes ground truth. Words (or, in pages without words, lines) whose text is
``###`` are don't-care regions, as in ICDAR 2015. Scoring uses words where the
page has any, else lines.
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
from unocr.datasets.sample import Dataset, Level, Sample
from unocr.datasets.truth import split_dont_care
from unocr.errors import DatasetError, UnocrError
from unocr.geometry import Geometry
from unocr.model import Page

__all__ = ["load_unocr_json", "parse_unocr_json"]


def parse_unocr_json(path: Path) -> tuple[Page, tuple[Geometry, ...], Level]:
    """Parse one unocr JSON page used as ground truth.

    Args:
        path: The ``.json`` file.

    Returns:
        The page without its ``###`` elements, those elements' geometry as
        don't-care regions, and the level to score at.

    Raises:
        DatasetError: The file is not a unocr page.
    """
    try:
        page = Page.from_json(read_text(path))
    except (UnocrError, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc, DatasetError):
            raise
        raise DatasetError(
            f"{path.name} is not a unocr JSON page (schema 'unocr.page/1'): {exc}",
            item=str(path),
        ) from exc
    return split_dont_care(page)


def load_unocr_json(
    path: str | os.PathLike[str], *, limit: int | None = None
) -> Dataset:
    """Load images with unocr JSON ground truth.

    Args:
        path: Folder with ``X.<image suffix>`` and ``X.json`` pairs (searched
            recursively; an image takes the ``X.json`` nearest it, see
            :func:`unocr.datasets.files.nearest_file`).
        limit: Load at most this many samples (the first in natural order).

    Returns:
        Samples at word level (line level for pages without words).

    Raises:
        ConfigError: ``limit`` is not a whole number >= 1.
        DatasetError: The folder is missing, holds no annotated image, a
            JSON file is not a unocr page, or two JSON files are equally
            near one image.
    """
    root = check_folder(path, "json")
    find = nearest_by_stem(root, ".json")

    def make(image: Path, gt: Path) -> Sample:
        page, ignore, level = parse_unocr_json(gt)
        return Sample(
            id=image.stem, image=image, truth=page, ignore=ignore, level=level
        )

    return collect(
        root,
        "json",
        image_pairs(root, lambda image: find(image, image.stem)),
        make,
        limit=limit,
        expected="X.png (or .jpg, .tif) with X.json",
    )

"""unocr's own JSON as ground truth, so users can label their own images.

Layout: ``X.json`` (a page saved with ``page.to_json()`` or
``unocr read --format json``, schema ``unocr.page/1``) beside ``X.png`` (or any
image suffix) of the same stem. Correct an engine's output by hand and it
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
    file_beside,
    image_pairs,
    read_text,
)
from unocr.datasets.sample import Dataset, Level, Sample
from unocr.errors import DatasetError, UnocrError
from unocr.geometry import Geometry
from unocr.model import Block, Line, Page

__all__ = ["load_unocr_json", "parse_unocr_json"]

DONT_CARE = "###"


def _split_dont_care(page: Page) -> tuple[Page, tuple[Geometry, ...], Level]:
    level: Level = "word" if page.words else "line"
    ignore: list[Geometry] = []
    blocks: list[Block] = []
    for block in page.blocks:
        lines: list[Line] = []
        for line in block.lines:
            if level == "line":
                if line.text.strip() == DONT_CARE:
                    ignore.append(line.geometry)
                else:
                    lines.append(line)
                continue
            kept = []
            for word in line.words:
                if word.text.strip() == DONT_CARE:
                    ignore.append(word.geometry)
                else:
                    kept.append(word)
            if len(kept) == len(line.words):
                lines.append(line)
            elif kept:
                lines.append(
                    line.replace(words=tuple(kept), text=" ".join(w.text for w in kept))
                )
        if all(a is b for a, b in zip(lines, block.lines, strict=False)) and len(
            lines
        ) == len(block.lines):
            blocks.append(block)
        elif lines:
            blocks.append(
                block.replace(
                    lines=tuple(lines), text="\n".join(li.text for li in lines)
                )
            )
    if not ignore:
        return page, (), level
    return page.replace(blocks=tuple(blocks)), tuple(ignore), level


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
    return _split_dont_care(page)


def load_unocr_json(
    path: str | os.PathLike[str], *, limit: int | None = None
) -> Dataset:
    """Load images with unocr JSON ground truth beside them.

    Args:
        path: Folder with ``X.<image suffix>`` and ``X.json`` pairs (searched
            recursively; the JSON sits in the image's folder).
        limit: Load at most this many samples (the first in natural order).

    Returns:
        Samples at word level (line level for pages without words).

    Raises:
        DatasetError: The folder is missing, holds no annotated image, or a
            JSON file is not a unocr page.
    """
    root = check_folder(path, "json")

    def make(image: Path, gt: Path) -> Sample:
        page, ignore, level = parse_unocr_json(gt)
        return Sample(
            id=image.stem, image=image, truth=page, ignore=ignore, level=level
        )

    return collect(
        root,
        "json",
        image_pairs(root, lambda image: file_beside(image, ".json")),
        make,
        limit=limit,
        expected="X.png (or .jpg, .tif) with X.json",
    )

"""ICDAR 2015 Challenge 4 (incidental scene text) ground truth.

Layout: images ``img_N.jpg`` and one ground-truth file ``gt_img_N.txt`` per
image, anywhere below the dataset folder (the official
``ch4_training_images/`` and ``ch4_training_localization_transcription_gt/``
folders, or both in one folder). Each line is one word::

    x1,y1,x2,y2,x3,y3,x4,y4,transcription

with the vertices clockwise from the word's top-left corner as read. The
transcription is everything after the eighth comma (it may contain commas);
``###`` marks a don't-care region. Files are UTF-8 with or without a BOM,
with LF or CRLF line endings.

Examples:
    >>> from unocr.datasets import load_icdar2015
    >>> ds = load_icdar2015("ch4_training")  # doctest: +SKIP
    >>> sample = ds[0]  # doctest: +SKIP
    >>> words = [w.text for w in sample.truth.words]  # doctest: +SKIP
    >>> sample.id, words, len(sample.ignore)  # doctest: +SKIP
    ('img_1', ['Genaxis', 'Theatre', '[06]', '62-03'], 3)
"""

from __future__ import annotations

import os
from pathlib import Path

from unocr.datasets._common import (
    Dataset,
    Sample,
    annotated_sample,
    check_folder,
    collect,
    files_by_name,
    image_pairs,
    parse_quad_line,
    read_text,
    words_page,
)
from unocr.geometry import Geometry
from unocr.model import Page, Word

__all__ = ["DONT_CARE", "load_icdar2015", "parse_icdar2015"]

DONT_CARE = "###"


def parse_icdar2015(
    path: Path, *, width: int, height: int
) -> tuple[Page, tuple[Geometry, ...]]:
    """Parse one ``gt_img_N.txt`` file.

    Args:
        path: The ground-truth file.
        width: Width of its image in pixels.
        height: Height of its image in pixels.

    Returns:
        The page of legible words (lines and reading order synthesised) and
        the don't-care regions (``###``).

    Raises:
        DatasetError: A line is malformed (the message names file and line).
    """
    words: list[Word] = []
    ignore: list[Geometry] = []
    for lineno, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        geometry, text = parse_quad_line(line, path, lineno)
        if text == DONT_CARE:
            ignore.append(geometry)
        else:
            words.append(Word(text=text, geometry=geometry))
    return words_page(words, width, height), tuple(ignore)


def load_icdar2015(
    path: str | os.PathLike[str], *, limit: int | None = None
) -> Dataset:
    """Load an ICDAR 2015 Challenge 4 folder.

    Args:
        path: Folder containing the images and ``gt_<image stem>.txt`` files
            (in any sub-folders).
        limit: Load at most this many samples (the first in natural order).

    Returns:
        Word-level samples; images without a ground-truth file are skipped.

    Raises:
        DatasetError: The folder is missing, holds no annotated image, or a
            file is malformed.
    """
    root = check_folder(path, "icdar2015")
    gts = files_by_name(root, ".txt")

    def ground_truth(image: Path) -> Path | None:
        return gts.get(f"gt_{image.stem}.txt") or gts.get(f"{image.stem}.txt")

    def make(image: Path, gt: Path) -> Sample:
        return annotated_sample(
            image, lambda w, h: parse_icdar2015(gt, width=w, height=h)
        )

    return collect(
        root,
        "icdar2015",
        image_pairs(root, ground_truth),
        make,
        limit=limit,
        expected="img_N.jpg with gt_img_N.txt",
    )

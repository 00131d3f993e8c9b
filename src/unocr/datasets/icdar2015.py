"""ICDAR 2015 Challenge 4 (incidental scene text) ground truth.

Layout: images ``img_N.jpg`` and one ground-truth file ``gt_img_N.txt`` per
image, anywhere below the dataset folder (the official
``ch4_training_images/`` and ``ch4_training_localization_transcription_gt/``
folders, or both in one folder). Where several folders hold a
``gt_img_N.txt`` (a root with both splits), an image takes the one nearest
it (see :func:`unocr.datasets.files.nearest_file`). Each line is one word::

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
import re
from pathlib import Path

from unocr.datasets.files import (
    check_folder,
    collect,
    image_pairs,
    nearest_by_stem,
    read_text,
)
from unocr.datasets.sample import Dataset, Sample
from unocr.datasets.truth import (
    DONT_CARE,
    annotated_sample,
    parse_quad_line,
    words_page,
)
from unocr.geometry import Geometry
from unocr.metrics.normalize import NORMALIZATIONS
from unocr.model import Page, Word

__all__ = ["DONT_CARE", "load_icdar2015", "parse_icdar2015"]

# rrc_evaluation_funcs.get_tl_line_values: a transcription between double
# quotes is the text inside, with \\ and \" unescaped.
_QUOTED = re.compile(r'^\s*"(.*)"\s*$')


def _transcription(raw: str) -> str:
    m = _QUOTED.match(raw)
    if m is None:
        return raw
    return m.group(1).replace("\\\\", "\\").replace('\\"', '"')


def _read_icdar2015(
    path: Path, width: int, height: int
) -> tuple[Page, tuple[Geometry, ...], list[Word]]:
    words: list[Word] = []
    ignore: list[Geometry] = []
    for lineno, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        geometry, raw = parse_quad_line(line, path, lineno)
        text = _transcription(raw)
        if text == DONT_CARE:
            ignore.append(geometry)
        else:
            words.append(Word(text=text, geometry=geometry))
    return words_page(words, width, height), tuple(ignore), words


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
        the don't-care regions (``###``). A transcription in double quotes
        is the text inside them, as the official scripts read it.

    Raises:
        DatasetError: A line is malformed (the message names file and line).
    """
    page, ignore, _ = _read_icdar2015(path, width, height)
    return page, ignore


def load_icdar2015(
    path: str | os.PathLike[str], *, limit: int | None = None
) -> Dataset:
    """Load an ICDAR 2015 Challenge 4 folder.

    Args:
        path: Folder containing the images and ``gt_<image stem>.txt`` files
            (in any sub-folders).
        limit: Load at most this many samples (the first in natural order).

    Returns:
        Word-level samples in the files' word order (``Sample.order``), with
        the official ICDAR 2015 text rule declared
        (``NORMALIZATIONS["icdar2015"]``); images without a ground-truth
        file are skipped.

    Raises:
        ConfigError: ``limit`` is not a whole number >= 1.
        DatasetError: The folder is missing, holds no annotated image, a
            file is malformed, or two ground-truth files are equally near
            one image.
    """
    root = check_folder(path, "icdar2015")
    find = nearest_by_stem(root, ".txt")

    def ground_truth(image: Path) -> Path | None:
        return find(image, f"gt_{image.stem}") or find(image, image.stem)

    def make(image: Path, gt: Path) -> Sample:
        return annotated_sample(
            image, lambda w, h: _read_icdar2015(gt, w, h), regroup=True
        )

    return collect(
        root,
        "icdar2015",
        image_pairs(root, ground_truth),
        make,
        limit=limit,
        expected="img_N.jpg with gt_img_N.txt",
        normalization=NORMALIZATIONS["icdar2015"],
    )

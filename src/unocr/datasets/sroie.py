"""SROIE (ICDAR 2019 scanned receipts) task 1 ground truth.

Layout: ``X.jpg`` with ``X.txt`` of the same stem anywhere below the dataset
folder (the official ``0325updated.task1train(626p)`` folder holds both).
Each line is one text segment (a line or part of a line of the receipt)::

    x1,y1,x2,y2,x3,y3,x4,y4,transcript

vertices clockwise from the top-left; the transcript is everything after the
eighth comma and often holds commas. There is no don't-care marker. Files are
UTF-8 with LF or CRLF endings (the official release mixes both); a BOM is
accepted.
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
from unocr.datasets.truth import annotated_sample, lines_page, parse_quad_line
from unocr.metrics.normalize import NORMALIZATIONS
from unocr.model import Line, Page

__all__ = ["load_sroie", "parse_sroie"]


def parse_sroie(path: Path, *, width: int, height: int) -> Page:
    """Parse one SROIE task 1 box file.

    Args:
        path: The ground-truth ``.txt`` file.
        width: Width of its image in pixels.
        height: Height of its image in pixels.

    Returns:
        A page of native lines (one per segment), its blocks and reading
        order synthesised from their geometry: the files list segments
        roughly top to bottom, but often a column of prices after all their
        labels, or a line out of place.

    Raises:
        DatasetError: A line is malformed (the message names file and line).
    """
    return _read_sroie(path, width, height)[0]


def _read_sroie(
    path: Path, width: int, height: int
) -> tuple[Page, tuple[()], list[Line]]:
    lines: list[Line] = []
    for lineno, raw in enumerate(read_text(path).split("\n"), start=1):
        if not raw.strip():
            continue
        geometry, text = parse_quad_line(raw, path, lineno)
        lines.append(Line(text=text.strip(), geometry=geometry))
    return lines_page(lines, width, height), (), lines


def load_sroie(path: str | os.PathLike[str], *, limit: int | None = None) -> Dataset:
    """Load a SROIE task 1 folder.

    Args:
        path: Folder with ``X.jpg`` and ``X.txt`` pairs (in any sub-folders;
            an image takes the ``X.txt`` nearest it, see
            :func:`unocr.datasets.files.nearest_file`).
        limit: Load at most this many samples (the first in natural order).

    Returns:
        Line-level samples without don't-care regions (the files' line
        order in ``Sample.order``), declaring case-insensitive text
        comparison (the receipts are transcribed in upper case); images
        without a box file are skipped.

    Raises:
        ConfigError: ``limit`` is not a whole number >= 1.
        DatasetError: The folder is missing, holds no annotated image, a
            file is malformed, or two box files are equally near one image.
    """
    root = check_folder(path, "sroie")
    find = nearest_by_stem(root, ".txt")

    def make(image: Path, gt: Path) -> Sample:
        return annotated_sample(
            image, lambda w, h: _read_sroie(gt, w, h), level="line", regroup=True
        )

    return collect(
        root,
        "sroie",
        image_pairs(root, lambda image: find(image, image.stem)),
        make,
        limit=limit,
        expected="X.jpg with X.txt",
        # SROIE's transcriptions are upper case: scored case-insensitively.
        normalization=NORMALIZATIONS["ignore-case"],
    )

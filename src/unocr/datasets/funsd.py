"""FUNSD (form understanding in noisy scanned documents) ground truth.

Layout: ``annotations/X.json`` belongs to ``images/X.png`` (same stem,
anywhere below the dataset folder). Each JSON file is
``{"form": [entity, ...]}``; every entity has ``words``, a list of
``{"text": str, "box": [x0, y0, x1, y1]}`` (left, top, right, bottom in
pixels). Those words are the OCR ground truth; a word with empty text (a logo,
an unreadable mark) is a don't-care region, unless it covers a word with text
(more than half of that word's area, as a signature drawn over a typed name):
the words there are read, so that box is left out.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from unocr.datasets.files import (
    check_folder,
    collect,
    image_pairs,
    nearest_by_stem,
    read_text,
)
from unocr.datasets.sample import Dataset, Sample
from unocr.datasets.truth import annotated_sample, words_page
from unocr.errors import DatasetError, GeometryError
from unocr.geometry import Box, Geometry
from unocr.model import Page, Word

__all__ = ["load_funsd", "parse_funsd"]


def _box(value: Any, path: Path, where: str) -> Box:
    if (
        not isinstance(value, list)
        or len(value) != 4
        or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value
        )
    ):
        raise DatasetError(
            f"{path.name} {where}: 'box' must be [x0, y0, x1, y1] numbers, "
            f"got {value!r}",
            item=str(path),
        )
    x0, y0, x1, y1 = (float(v) for v in value)
    try:
        return Box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    except GeometryError as exc:
        raise DatasetError(f"{path.name} {where}: {exc}", item=str(path)) from exc


def parse_funsd(
    path: Path, *, width: int, height: int
) -> tuple[Page, tuple[Geometry, ...]]:
    """Parse one FUNSD annotation file.

    Args:
        path: The ``.json`` annotation.
        width: Width of its image in pixels.
        height: Height of its image in pixels.

    Returns:
        The page of words (lines synthesised in reading order; entity grouping
        is not kept) and the don't-care boxes (words with empty text).

    Raises:
        DatasetError: The file is not JSON or not in FUNSD's structure.
    """
    page, ignore, _ = _read_funsd(path, width, height)
    return page, ignore


def _read_funsd(
    path: Path, width: int, height: int
) -> tuple[Page, tuple[Geometry, ...], list[Word]]:
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise DatasetError(
            f"{path.name} is not valid JSON (line {exc.lineno}: {exc.msg})",
            item=str(path),
        ) from exc
    form = data.get("form") if isinstance(data, dict) else None
    if not isinstance(form, list):
        raise DatasetError(
            f"{path.name}: expected a FUNSD annotation {{'form': [entity, ...]}}",
            item=str(path),
        )
    words: list[Word] = []
    blank: list[Box] = []
    for i, entity in enumerate(form):
        entity_words = entity.get("words", []) if isinstance(entity, dict) else None
        if not isinstance(entity_words, list):
            raise DatasetError(
                f"{path.name} entity {i}: 'words' must be a list", item=str(path)
            )
        for j, w in enumerate(entity_words):
            where = f"entity {i} word {j}"
            if not isinstance(w, dict) or not isinstance(w.get("text"), str):
                raise DatasetError(
                    f"{path.name} {where}: expected {{'text': str, 'box': [...]}}",
                    item=str(path),
                )
            box = _box(w.get("box"), path, where)
            text = w["text"].strip()
            if text:
                words.append(Word(text=text, geometry=box))
            else:
                blank.append(box)
    ignore = tuple(b for b in blank if not _covers_a_word(b, words))
    return words_page(words, width, height), ignore, words


def _covers_a_word(box: Box, words: list[Word]) -> bool:
    """Whether ``box`` holds more than half the area of one of ``words``.

    Such a box is not a don't-care region: a detection of that word would be
    discarded by it while the word stays in the truth, so even a perfect read
    could not score perfectly.
    """
    return any(box.intersection_area(w.geometry) > 0.5 * w.geometry.area for w in words)


def load_funsd(path: str | os.PathLike[str], *, limit: int | None = None) -> Dataset:
    """Load a FUNSD folder (``training_data`` or ``testing_data``, or above).

    Args:
        path: Folder with ``images/X.png`` and ``annotations/X.json`` (an
            image takes the ``X.json`` nearest it, see
            :func:`unocr.datasets.files.nearest_file`).
        limit: Load at most this many samples (the first in natural order).

    Returns:
        Word-level samples; empty words are don't-care regions.

    Raises:
        ConfigError: ``limit`` is not a whole number >= 1.
        DatasetError: The folder is missing, holds no annotated image, a
            file is malformed, or two annotations are equally near one image.
    """
    root = check_folder(path, "funsd")
    find = nearest_by_stem(root, ".json")

    def make(image: Path, gt: Path) -> Sample:
        return annotated_sample(image, lambda w, h: _read_funsd(gt, w, h), regroup=True)

    return collect(
        root,
        "funsd",
        image_pairs(root, lambda image: find(image, image.stem)),
        make,
        limit=limit,
        expected="images/X.png with annotations/X.json",
    )

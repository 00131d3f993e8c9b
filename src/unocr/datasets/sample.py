"""The public types of :mod:`unocr.datasets`: a labelled image and a dataset."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from unocr.geometry import Geometry
from unocr.metrics.normalize import Normalization
from unocr.metrics.page import scored_elements
from unocr.model import Element, Page

__all__ = ["Dataset", "Level", "Sample"]

Level = Literal["word", "line"]


@dataclass(frozen=True)
class Sample:
    """One labelled image.

    Attributes:
        id: Identifier unique within its dataset (usually the image's stem).
        image: Path of the image file.
        truth: The ground truth as a page. Don't-care regions are *not* in it.
        ignore: Don't-care regions (illegible text), in the same pixel
            coordinates as ``truth``: detections lying more than half inside
            one are discarded before scoring.
        level: The level the ground truth's geometry describes (``"word"`` for
            ICDAR 2015 and FUNSD, ``"line"`` for SROIE); predictions are
            scored at the same level.
        localized: ``False`` where the ground truth has text but no
            coordinates (page text, single-line images): only recognition
            metrics (CER, WER over the whole text) apply.
        order: The dataset's own order of the scored elements: indices into
            the truth page's elements at ``level`` (``truth.words`` or
            ``truth.lines``) as listed in the ground-truth file. The official
            ICDAR first-come matching follows it; ``()`` = the page's order.
    """

    id: str
    image: Path
    truth: Page
    ignore: tuple[Geometry, ...] = ()
    level: Level = "word"
    localized: bool = True
    order: tuple[int, ...] = ()

    def regions(self) -> tuple[Element, ...]:
        """The scored ground-truth elements in the dataset's own order."""
        elements = scored_elements(self.truth, self.level)
        if len(self.order) != len(elements):
            return elements
        return tuple(elements[i] for i in self.order)


@dataclass(frozen=True)
class Dataset:
    """A loaded dataset: samples in a stable (natural-sorted) order.

    Attributes:
        kind: The loader's name (``"icdar2015"``, ``"sroie"``, ...).
        path: The folder (or file) it was loaded from.
        samples: The samples, sorted by id in natural order (``img_2`` before
            ``img_10``).
        name: A short label for tables: the folder's name (of its absolute
            path, so ``.`` and ``../receipts`` are named as the folder they
            are), prefixed with ``kind:`` unless the name already says the
            kind (``icdar2015``, ``sroie:receipts``).
        normalization: The text normalisation the dataset's own evaluation
            uses (ICDAR 2015: its official rule; SROIE: case-insensitive);
            ``None`` = exact comparison. ``unocr compare`` applies it unless
            told otherwise.
    """

    kind: str
    path: Path
    samples: tuple[Sample, ...] = field(default=())
    name: str = ""
    normalization: Normalization | None = None

    def __post_init__(self) -> None:
        if not self.name:
            # the folder, however it was given (".", "sub/..", a full path)
            folder = Path(os.path.abspath(self.path)).name or str(self.path)
            label = folder if self.kind in folder.lower() else f"{self.kind}:{folder}"
            object.__setattr__(self, "name", label)

    def __len__(self) -> int:
        return len(self.samples)

    def __iter__(self) -> Iterator[Sample]:
        return iter(self.samples)

    def __getitem__(self, index: int) -> Sample:
        return self.samples[index]

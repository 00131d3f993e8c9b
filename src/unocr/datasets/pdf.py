"""PDF documents with unocr JSON Lines ground truth: one sample per page.

Layout: ``X.pdf`` and ``X.jsonl`` anywhere below the dataset folder (a PDF
takes the ``X.jsonl`` nearest it, see
:func:`unocr.datasets.files.nearest_file`), one unocr page per line (schema
``unocr.page/1``), as ``unocr read X.pdf --format json > X.jsonl`` writes them
and a person corrects them. Each line's ``source.index`` names its PDF page and
``source.dpi`` the resolution its coordinates are in (300 when absent); a page
labelled on two lines is an error. Pages without a line are not scored. Every
labelled page is rendered once, at that resolution, to a PNG in a temporary
folder (removed when the process exits), and becomes a sample ``X-p<N>``
(``folder/X-p<N>`` where PDFs in several folders share the name ``X``) whose
image is that file, so every engine reads exactly the pixels the ground truth
describes. Words (or lines) whose text is ``###`` are don't-care regions, as
in the ``json`` kind.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from unocr.backends.options import check_count
from unocr.datasets.files import (
    check_folder,
    nearest_by_stem,
    no_samples_error,
    read_text,
    unique_ids,
    walk_files,
)
from unocr.datasets.sample import Dataset, Sample
from unocr.datasets.truth import split_dont_care
from unocr.documents import DEFAULT_DPI, DocumentOptions, PageRef, load_input
from unocr.errors import DatasetError, UnocrError
from unocr.model import Page

__all__ = ["load_pdf_dataset"]

_render_dir: Path | None = None


def _pages_folder() -> Path:
    global _render_dir
    if _render_dir is None:
        _render_dir = Path(tempfile.mkdtemp(prefix="unocr-pdf-pages-"))
        atexit.register(shutil.rmtree, _render_dir, True)
    return _render_dir


def _page_index(truth: Page) -> int:
    """The 0-based PDF page a ground-truth page labels (its ``source.index``)."""
    return truth.source.index if truth.source is not None else 0


def _truth_pages(path: Path) -> list[Page]:
    pages = []
    first_line: dict[int, int] = {}  # page index -> line that labels it
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            page = Page.from_json(line)
        except (UnocrError, ValueError) as exc:
            raise DatasetError(
                f"{path.name} line {number}: not a unocr JSON page "
                f"(schema 'unocr.page/1'): {exc}",
                item=str(path),
            ) from exc
        index = _page_index(page)
        if index in first_line:
            raise DatasetError(
                f"{path.name} line {number}: page {index + 1} is labelled again "
                f"(first on line {first_line[index]}); keep one line per page",
                item=f"{path}:{number}",
            )
        first_line[index] = number
        pages.append(page)
    return pages


def _pairs(root: Path) -> list[tuple[Path, Path]]:
    find = nearest_by_stem(root, ".jsonl")
    candidates = ((pdf, find(pdf, pdf.stem)) for pdf in walk_files(root, ".pdf"))
    return [(pdf, truth) for pdf, truth in candidates if truth is not None]


def _samples(pdf: Path, truth_file: Path, name: str, limit: int | None) -> list[Sample]:
    folder = Path(tempfile.mkdtemp(dir=_pages_folder()))  # PDFs may share a stem
    samples: list[Sample] = []
    for truth in _truth_pages(truth_file):
        if limit is not None and len(samples) >= limit:
            break
        index = _page_index(truth)
        dpi = truth.source.dpi if truth.source and truth.source.dpi else DEFAULT_DPI
        ref = PageRef(str(pdf), str(pdf), index, "pdf", DocumentOptions(dpi))
        try:
            rendered = load_input(ref, max_pixels=None)
        except UnocrError as exc:
            raise DatasetError(
                f"{truth_file.name}: page {index + 1}: {exc}", item=str(truth_file)
            ) from exc
        if (rendered.width, rendered.height) != (truth.width, truth.height):
            raise DatasetError(
                f"{truth_file.name}: page {index + 1} is {truth.width}x{truth.height} "
                f"in the ground truth but {rendered.width}x{rendered.height} pixels "
                f"at {dpi:g} dpi; set its source.dpi to the resolution it was "
                "labelled at",
                item=str(truth_file),
            )
        image = folder / f"{pdf.stem}-p{index + 1}.png"
        rendered.image.save(image)
        page, ignore, level = split_dont_care(truth)
        samples.append(
            Sample(
                id=f"{name}-p{index + 1}",
                image=image,
                truth=page,
                ignore=ignore,
                level=level,
            )
        )
    return samples


def load_pdf_dataset(
    path: str | os.PathLike[str], *, limit: int | None = None
) -> Dataset:
    """Load PDFs with unocr JSON Lines ground truth, one sample per labelled page.

    Args:
        path: Folder with ``X.pdf`` and ``X.jsonl`` pairs (searched
            recursively; a PDF takes the ``X.jsonl`` nearest it).
        limit: Load at most this many samples (pages); no page past it is
            rendered.

    Returns:
        Samples at word level (line level for pages without words), images
        rendered at each page's ``source.dpi``.

    Raises:
        ConfigError: ``limit`` is not a whole number >= 1.
        DatasetError: The folder is missing, holds no labelled PDF, a line is
            not a unocr page, a page is labelled on two lines, a page is
            outside its PDF, its size does not match its rendering, or two
            ``.jsonl`` files are equally near one PDF.
    """
    check_count(limit, "limit", none=True)
    root = check_folder(path, "pdf")
    pairs = _pairs(root)
    names = unique_ids([pdf for pdf, _ in pairs], root)
    samples: list[Sample] = []
    for (pdf, truth), name in zip(pairs, names, strict=True):
        left = None if limit is None else limit - len(samples)
        if left is not None and left <= 0:
            break
        samples.extend(_samples(pdf, truth, name, left))
    if not samples:
        raise no_samples_error(
            root, "pdf", "X.pdf with X.jsonl (unocr JSON Lines, one page per line)"
        )
    return Dataset(kind="pdf", path=root, samples=tuple(samples))

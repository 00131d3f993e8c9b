"""PAGE-XML and ALTO ground truth (OCR-D and other digitisation projects).

Layout: one XML file per page image anywhere below the dataset folder, e.g.
an OCR-D workspace with ``OCR-D-IMG/INPUT_0017.tif`` and
``OCR-D-GT-PAGE/PAGE_0017_PAGE.xml`` (or ``OCR-D-GT-ALTO/..._ALTO.xml``). The
XML is read by :mod:`unocr.formats` (PAGE-XML follows its ``ReadingOrder``,
ALTO its document order), so the ground-truth page text is in the
dataset's own reading order. Words are scored where the file has any, else
lines.

The image of each XML file is found by, in turn:

1. the file's own reference: PAGE ``Page/@imageFilename``, ALTO
   ``sourceImageInformation/fileName``, resolved against the XML's folder,
   its parent folders up to the dataset folder, and the dataset folder;
2. an image of the same stem beside the XML file;
3. the one image in the dataset whose file name carries the same number
   (``INPUT_0017.tif`` for ``PAGE_0017_PAGE.xml``), when exactly one does.

Files are read in the encoding their XML declaration names (UTF-8 when it
names none). XML files of another kind (METS, settings, a schema, the other
format) and XML files without an image are skipped.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from unocr.datasets.files import (
    check_folder,
    collect,
    find_images,
    read_bytes,
    unique_ids,
    walk_files,
)
from unocr.datasets.sample import Dataset, Level, Sample
from unocr.datasets.truth import annotated_sample
from unocr.errors import DatasetError, FormatError, UnocrError
from unocr.formats import loads, sniff_format
from unocr.formats._xml import declared_text
from unocr.geometry import Geometry
from unocr.model import Element, Page

__all__ = ["load_alto", "load_page_xml"]

_REFERENCE = {
    "page": re.compile(r"""imageFilename\s*=\s*(["'])(.*?)\1"""),
    "alto": re.compile(r"<(?:\w+:)?fileName>\s*([^<]*?)\s*</(?:\w+:)?fileName>"),
}
_FORMAT = {"page": "page-xml", "alto": "alto"}
_DIGITS = re.compile(r"\d+")


def _reference(text: str, kind: str) -> str | None:
    m = _REFERENCE[kind].search(text)
    if m is None:
        return None
    value = m.group(m.lastindex or 1).strip()
    return value or None


def _resolve(ref: str, xml: Path, root: Path) -> Path | None:
    name = ref.removeprefix("file://")
    folder = xml.parent
    bases = [folder]
    while folder != root and root in folder.parents:
        folder = folder.parent
        bases.append(folder)
    bases.append(root)
    for base in bases:
        for candidate in (base / name, base / Path(name).name):
            if candidate.is_file():
                return candidate
    return None


def _numbers(path: Path) -> tuple[str, ...]:
    return tuple(_DIGITS.findall(path.stem))


def _pairs(root: Path, kind: str) -> list[tuple[Path, Path, bytes]]:
    images = find_images(root)
    by_number: dict[tuple[str, ...], list[Path]] = {}
    for found in images:
        by_number.setdefault(_numbers(found), []).append(found)
    out: list[tuple[Path, Path, bytes]] = []
    for xml in walk_files(root, ".xml"):
        data = read_bytes(xml)
        text = declared_text(data)
        try:
            if sniff_format(text) != _FORMAT[kind]:
                continue  # the other format, or hOCR
        except FormatError:
            continue  # another XML file (METS, settings, a schema)
        image: Path | None = None
        ref = _reference(text, kind)
        if ref is not None:
            image = _resolve(ref, xml, root)
        if image is None:
            image = next(
                (i for i in images if i.parent == xml.parent and i.stem == xml.stem),
                None,
            )
        if image is None:
            same = by_number.get(_numbers(xml), [])
            image = same[0] if len(same) == 1 and _numbers(xml) else None
        if image is not None:
            out.append((image, xml, data))
    return out


def _parse(
    xml: Path, data: bytes, kind: str
) -> tuple[Page, tuple[Geometry, ...], tuple[Element, ...], Level]:
    try:
        page = loads(data, format=_FORMAT[kind])
    except UnocrError as exc:
        raise DatasetError(f"{xml}: {exc}", item=str(xml)) from exc
    level: Level = "word" if page.words else "line"
    return page, (), page.words or page.lines, level


def _load(path: str | os.PathLike[str], kind: str, limit: int | None) -> Dataset:
    root = check_folder(path, kind)
    pairs = _pairs(root, kind)
    contents = {xml: data for _, xml, data in pairs}

    def make(image: Path, xml: Path) -> Sample:
        page, ignore, listed, level = _parse(xml, contents[xml], kind)
        return annotated_sample(image, lambda w, h: (page, ignore, listed), level=level)

    label = "PAGE-XML" if kind == "page" else "ALTO"
    xmls = [xml for _, xml, _ in pairs]
    return collect(
        root,
        _FORMAT[kind],
        [(image, xml) for image, xml, _ in pairs],
        make,
        limit=limit,
        expected=f"{label} files with the images they reference",
        # several XML files may share one image: the XML names the sample
        ids=unique_ids(xmls, root),
    )


def load_page_xml(path: str | os.PathLike[str], *, limit: int | None = None) -> Dataset:
    """Load PAGE-XML ground truth (e.g. an OCR-D workspace's ``OCR-D-GT-PAGE``).

    Args:
        path: Folder holding the PAGE files and their images (searched
            recursively; see the module docstring for how images are found).
        limit: Load at most this many samples (the first in file-name order).

    Returns:
        Word-level samples (line level for files without words) whose truth
        follows the file's ``ReadingOrder``.

    Raises:
        ConfigError: ``limit`` is not a whole number >= 1.
        DatasetError: The folder is missing, holds no PAGE file with an image,
            or a PAGE file is malformed (the message names the file and,
            for XML syntax errors, the line).
    """
    return _load(path, "page", limit)


def load_alto(path: str | os.PathLike[str], *, limit: int | None = None) -> Dataset:
    """Load ALTO ground truth (e.g. an OCR-D workspace's ``OCR-D-GT-ALTO``).

    Args:
        path: Folder holding the ALTO files and their images (searched
            recursively; see the module docstring for how images are found).
        limit: Load at most this many samples (the first in file-name order).

    Returns:
        Word-level samples (``String`` elements) in document order.

    Raises:
        ConfigError: ``limit`` is not a whole number >= 1.
        DatasetError: The folder is missing, holds no ALTO file with an image,
            or an ALTO file is malformed (the message names the file and,
            for XML syntax errors, the line).
    """
    return _load(path, "alto", limit)

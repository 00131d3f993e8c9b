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
   ``sourceImageInformation/fileName``, read as XML (``&amp;`` and character
   references decoded, comments ignored; a ``file:`` URI stands for its
   path, ``%XX`` escapes decoded), resolved against the XML's folder
   and its parent folders: up to the dataset folder (where the reference's
   file name alone is tried too), then up to three folders above it (so
   the dataset may be the workspace or its ``OCR-D-GT-PAGE`` folder, whose
   references start at the workspace);
2. an image of the same stem beside the XML file;
3. the one image in the dataset whose file name carries the same number
   (``INPUT_0017.tif`` for ``PAGE_0017_PAGE.xml``), when exactly one does.

Files are read in the encoding their XML declaration names (UTF-8 when it
names none). XML files of another kind (METS, settings, a schema, the other
format) are skipped, and so are XML files without an image where others have
one; where none has, the error names a file and the reference that could not
be resolved.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

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
from unocr.formats.safe_xml import (
    declared_text,
    local_name,
    lxml_etree,
    xml_pull_parser,
)
from unocr.geometry import Geometry
from unocr.model import Element, Page

__all__ = ["load_alto", "load_page_xml"]

# How many folders above the dataset folder an image reference is resolved in.
_LEVELS_ABOVE = 3

_FORMAT = {"page": "page-xml", "alto": "alto"}
_LABEL = {"page": "PAGE-XML", "alto": "ALTO"}
_REFERENCE_NAME = {
    "page": "Page/@imageFilename",
    "alto": "sourceImageInformation/fileName",
}
_DIGITS = re.compile(r"\d+")
# Bytes given to the XML parser at a time while looking for the reference.
_CHUNK = 1 << 16
# Elements read before giving up on a reference: it sits among the first few.
_HEAD_ELEMENTS = 10_000
# An entity declaration: such a file is refused when it is parsed whole.
_ENTITY_DECL = re.compile(r"<\s*!\s*ENTITY", re.IGNORECASE)


def _reference(data: bytes, text: str, kind: str) -> str | None:
    """The image reference of a PAGE-XML or ALTO file, as its XML gives it.

    Only the head of the document is parsed, up to the reference (PAGE's
    ``Page`` element, ALTO's ``Description``), with the parser
    :func:`unocr.formats.safe_xml.parse_xml` uses
    (:func:`~unocr.formats.safe_xml.xml_pull_parser`: no entity expanded,
    nothing fetched), libxml2's size and depth limits on. So comments and
    processing instructions are no references, character references and
    ``&amp;`` are decoded, and the rest of the file, parsed whole when its
    sample is loaded, costs nothing here.

    Args:
        data: The file's bytes (the parser reads their declared encoding).
        text: The same, decoded (see
            :func:`unocr.formats.safe_xml.declared_text`).
        kind: ``"page"`` or ``"alto"``.

    Returns:
        The reference with white space at its ends removed; ``None`` where
        the file names none, declares entities, or is not well-formed XML
        before the reference (its parse error is reported when its sample
        is loaded).
    """
    if _ENTITY_DECL.search(text):
        return None
    etree = lxml_etree()
    parser = xml_pull_parser()
    seen = 0
    try:
        for offset in range(0, len(data), _CHUNK):
            parser.feed(data[offset : offset + _CHUNK])
            for event, element in parser.read_events():
                name = local_name(element)
                if kind == "page" and event == "start" and name == "Page":
                    value = element.get("imageFilename")
                    return (value or "").strip() or None
                if kind == "alto" and event == "end" and name == "fileName":
                    parent = element.getparent()
                    if parent is not None and local_name(parent) == (
                        "sourceImageInformation"
                    ):
                        return (element.text or "").strip() or None
                if kind == "alto" and event == "end" and name == "Description":
                    return None
                seen += 1
                if seen > _HEAD_ELEMENTS:
                    return None
    except etree.XMLSyntaxError:
        return None
    return None


def _resolve(ref: str, xml: Path, root: Path) -> Path | None:
    name = _local_path(ref)
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
    above = os.path.normpath(root)
    for _ in range(_LEVELS_ABOVE):
        parent = os.path.normpath(os.path.join(above, os.pardir))
        if parent == above:  # the file system's root
            break
        above = parent
        candidate = Path(above, name)
        if candidate.is_file():
            return candidate
    return None


def _local_path(ref: str) -> str:
    """The path an image reference names: a ``file:`` URI decoded, else as given.

    Args:
        ref: A reference as the XML gives it (a path, absolute or relative
            to the XML file, or a URI).

    Returns:
        For a ``file:`` URI, its path with ``%XX`` escapes decoded
        (``file:///scans/my%20scan.png`` -> ``/scans/my scan.png``; a
        relative ``file:`` URI stays relative); any other reference as given.
    """
    if ref[:5].lower() != "file:":
        return ref
    parts = urlsplit(ref)
    if parts.netloc and parts.netloc.lower() != "localhost":
        return url2pathname(f"//{parts.netloc}{parts.path}")  # a UNC share
    return url2pathname(parts.path)


def _numbers(path: Path) -> tuple[str, ...]:
    return tuple(_DIGITS.findall(path.stem))


def _pairs(
    root: Path, kind: str
) -> tuple[list[tuple[Path, Path, bytes]], list[tuple[Path, str | None]]]:
    """Each XML file of ``kind`` with its image and bytes; those without an image.

    Returns:
        ``(image, xml, data)`` triples, and ``(xml, reference)`` for the
        files whose image was not found (``reference`` ``None`` where the
        file names none).
    """
    images = find_images(root)
    by_number: dict[tuple[str, ...], list[Path]] = {}
    for found in images:
        by_number.setdefault(_numbers(found), []).append(found)
    out: list[tuple[Path, Path, bytes]] = []
    unresolved: list[tuple[Path, str | None]] = []
    for xml in walk_files(root, ".xml"):
        data = read_bytes(xml)
        text = declared_text(data)
        try:
            if sniff_format(text) != _FORMAT[kind]:
                continue  # the other format, or hOCR
        except FormatError:
            continue  # another XML file (METS, settings, a schema)
        image: Path | None = None
        ref = _reference(data, text, kind)
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
        else:
            unresolved.append((xml, ref))
    return out, unresolved


def _unresolved_error(
    root: Path, kind: str, unresolved: list[tuple[Path, str | None]]
) -> DatasetError:
    """The error for a folder whose XML files of ``kind`` all lack their image."""
    label = _LABEL[kind]
    xml, ref = unresolved[0]
    if ref is None:
        what = f"names no image ({_REFERENCE_NAME[kind]})"
    else:
        what = (
            f"names the image {ref!r}, which is neither in its folder nor in its "
            f"parent folders (up to {_LEVELS_ABOVE} above the dataset folder)"
        )
    more = ""
    if len(unresolved) > 1:
        more = f" ({len(unresolved) - 1} other {label} file(s) found no image either)"
    return DatasetError(
        f"{label} file {str(xml)!r} {what}, and no image in {str(root)!r} has its "
        f"stem or page number{more}; put the image where the reference points, or "
        "point the dataset at the folder that holds the XML files and their images",
        item=str(xml),
    )


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
    pairs, unresolved = _pairs(root, kind)
    if not pairs and unresolved:
        raise _unresolved_error(root, kind, unresolved)
    contents = {xml: data for _, xml, data in pairs}

    def make(image: Path, xml: Path) -> Sample:
        page, ignore, listed, level = _parse(xml, contents[xml], kind)
        return annotated_sample(image, lambda w, h: (page, ignore, listed), level=level)

    label = _LABEL[kind]
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
        DatasetError: The folder is missing, holds no PAGE file, holds PAGE
            files none of whose images is found (the message names a file
            and its image reference), or a PAGE file is malformed (the
            message names the file and, for XML syntax errors, the line).
    """
    return _load(path, "page", limit)


def load_alto(path: str | os.PathLike[str], *, limit: int | None = None) -> Dataset:
    """Load ALTO ground truth (e.g. an OCR-D workspace's ``OCR-D-GT-ALTO``).

    Takes the arguments of :func:`load_page_xml` and raises its errors, with
    ALTO files in place of PAGE files.

    Returns:
        Word-level samples (``String`` elements) in document order.
    """
    return _load(path, "alto", limit)

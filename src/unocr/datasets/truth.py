"""Building ground-truth pages: quad lines, text-only pages, EXIF, don't-care.

The loaders parse their files into :class:`~unocr.model.Page` objects with
these helpers; images with an EXIF orientation are handled through
:mod:`unocr.image` (the one place that reads EXIF).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from unocr.datasets.sample import Level, Sample
from unocr.errors import DatasetError, GeometryError, ImageError
from unocr.geometry import AnnotatedQuad, Box, Geometry, Polygon, enclosing_box
from unocr.image import exif_transform, read_header, stored_size
from unocr.limits import MAX_COORDINATE
from unocr.model import Block, Element, Line, Page, Word

__all__ = [
    "DONT_CARE",
    "annotated_sample",
    "file_order",
    "image_size",
    "lines_page",
    "make_quad",
    "parse_quad_line",
    "split_dont_care",
    "text_only_page",
    "upright",
    "upright_size",
    "words_page",
]

#: The transcription that marks a don't-care region (ICDAR 2015).
DONT_CARE = "###"

# A coordinate in a quad-line file: a plain decimal number.
_COORDINATE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


def image_size(path: Path) -> tuple[int, int, int]:
    """Size of an image as stored, and its EXIF orientation, without decoding it.

    Args:
        path: The image file.

    Returns:
        ``(width, height, orientation)`` (see :func:`unocr.image.stored_size`).

    Raises:
        DatasetError: The file is not a readable image.
    """
    try:
        return stored_size(path)
    except ImageError as exc:
        raise DatasetError(exc.message, item=str(path)) from exc


def file_order(
    elements: Sequence[Element], listed: Sequence[Element]
) -> tuple[int, ...]:
    """Where each element of ``listed`` (file order) sits in ``elements``.

    Args:
        elements: A page's elements (reading order).
        listed: The same elements in the ground-truth file's order.

    Returns:
        Indices into ``elements``, one per listed element; ``()`` when the two
        do not hold the same elements (the page's order is used then).
    """
    if len(elements) != len(listed):
        return ()
    by_id = {id(e): i for i, e in enumerate(elements)}
    out: list[int] = []
    for e in listed:
        i = by_id.get(id(e))
        if i is None:
            try:
                i = elements.index(e)
            except ValueError:
                return ()
        out.append(i)
    return tuple(out) if len(set(out)) == len(out) else ()


def upright(
    page: Page, ignore: Sequence[Geometry], path: Path
) -> tuple[Page, tuple[Geometry, ...]]:
    """Map ground truth given in the stored raster to the upright image.

    Engines report coordinates in the image as displayed (EXIF orientation
    applied); annotation tools usually label the stored raster. Pages whose
    image has no orientation tag (or tag 1) are returned unchanged.

    Args:
        page: Ground truth in stored-raster coordinates, ``width``/``height``
            of the stored raster.
        ignore: Don't-care regions in the same coordinates.
        path: The image (its EXIF orientation is read).

    Returns:
        The page and regions in upright coordinates.
    """
    width, height, orientation = image_size(path)
    mapping = exif_transform(orientation, width, height)
    if mapping is None:
        return page, tuple(ignore)
    matrix, new_w, new_h = mapping
    return (
        page.transform(matrix, width=new_w, height=new_h),
        tuple(g.transform(matrix) for g in ignore),
    )


def make_quad(coords: Sequence[float]) -> Geometry:
    """Build the shape of an annotated quadrilateral (8 numbers, 4 vertices).

    The corners are put in unocr's canonical order (TL, TR, BR, BL, see
    :class:`~unocr.geometry.Quad`); the area and outline are what the
    annotation drew, whatever order its vertices were listed in. Corners
    listed in a crossing ("bow tie") order are untangled into that quad, and
    the ring as written is kept beside it (an
    :class:`~unocr.geometry.AnnotatedQuad`): the ICDAR 2015 protocol
    measures it as the official scripts do.

    Args:
        coords: ``x1, y1, x2, y2, x3, y3, x4, y4`` in pixels.

    Returns:
        A ``Quad`` (an ``AnnotatedQuad`` where the ring as written differs
        from the canonical one; a ``Polygon`` if the geometry layer refuses
        the quad).

    Raises:
        GeometryError: Even a polygon cannot be made (e.g. NaN).
    """
    points = [(float(coords[i]), float(coords[i + 1])) for i in range(0, 8, 2)]
    try:
        return AnnotatedQuad.from_annotation(points)
    except GeometryError:
        return Polygon(points)


def parse_quad_line(line: str, path: Path, lineno: int) -> tuple[Geometry, str]:
    """Parse ``x1,y1,...,x4,y4,text`` (text may hold commas).

    Each coordinate is a plain decimal number in pixels, white space around
    it ignored: an optional sign, ASCII digits and an optional fraction
    (``12``, ``-3``, ``+4``, ``12.5``, ``.5``). The official ICDAR format
    writes integers (``-?[0-9]+`` in the ICDAR ``rrc_evaluation_funcs``);
    fractions are accepted too, as annotation tools write them. Other
    spellings Python's ``float`` would read (``1_0``, ``1e3``, ``inf``,
    ``nan``, non-ASCII digits) are refused.

    Args:
        line: One line without its line ending.
        path: The file, for messages.
        lineno: 1-based line number, for messages.

    Returns:
        The quadrilateral and the transcription (whitespace at the ends kept
        as given except the line ending).

    Raises:
        DatasetError: Fewer than 9 fields or a coordinate that is not a plain
            decimal number (the message names the file and line).
    """
    parts = line.split(",", 8)
    if len(parts) < 9:
        # SROIE/ICDAR test GT may lack a transcription: accept 8 numbers.
        if len(parts) == 8:
            parts.append("")
        else:
            raise DatasetError(
                f"{path.name} line {lineno}: expected 8 coordinates and a "
                f"transcription (x1,y1,x2,y2,x3,y3,x4,y4,text), got {line[:80]!r}",
                item=f"{path}:{lineno}",
            )
    fields = [p.strip() for p in parts[:8]]
    if not all(_COORDINATE.fullmatch(f) for f in fields):
        raise DatasetError(
            f"{path.name} line {lineno}: coordinates must be numbers written as "
            f"plain decimals (12, -3, 12.5), got {','.join(parts[:8])[:80]!r}",
            item=f"{path}:{lineno}",
        )
    coords = [float(f) for f in fields]
    try:
        geom = make_quad(coords)
    except GeometryError as exc:
        raise DatasetError(
            f"{path.name} line {lineno}: invalid quadrilateral: {exc}",
            item=f"{path}:{lineno}",
        ) from exc
    return geom, parts[8]


def text_only_page(text: str, width: int, height: int) -> Page:
    r"""A page for ground truth without coordinates.

    Every line of ``text`` becomes a line (and each of its words a word) whose
    geometry is the whole image: the geometry carries no information, which
    :attr:`Sample.localized` ``= False`` records.

    Args:
        text: The expected text, lines separated by ``\n``; blank lines
            separate blocks.
        width: Image width in pixels.
        height: Image height in pixels.

    Returns:
        A page whose ``text`` reproduces ``text`` up to whitespace.
    """
    full = Box(0.0, 0.0, float(max(width, 1)), float(max(height, 1)))
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.strip("\n")):
        lines: list[Line] = []
        for raw in chunk.split("\n"):
            words = tuple(
                Word(text=t, geometry=full, native=False) for t in raw.split()
            )
            if words:
                lines.append(
                    Line(
                        text=" ".join(w.text for w in words),
                        geometry=full,
                        native=False,
                        words=words,
                    )
                )
        if lines:
            blocks.append(Block.from_lines(lines))
    return Page(width=width, height=height, blocks=tuple(blocks))


def words_page(words: Iterable[Word], width: int, height: int) -> Page:
    """A page grouped from words (reading order synthesised), possibly empty."""
    words = list(words)
    if not words:
        return Page(width=width, height=height)
    return Page.from_words(words, width=width, height=height)


def lines_page(lines: Iterable[Line], width: int, height: int) -> Page:
    """A page grouped from lines (blocks synthesised), possibly empty."""
    lines = list(lines)
    if not lines:
        return Page(width=width, height=height)
    return Page.from_lines(lines, width=width, height=height)


def upright_size(path: Path) -> tuple[int, int]:
    """Width and height of an image as displayed (EXIF orientation applied).

    Args:
        path: The image file.

    Returns:
        ``(width, height)`` in pixels, swapped for orientations 5-8; ``(1, 1)``
        where the image cannot be read (a text-only truth needs no size, and
        every engine's read of the image fails and counts in ``run.failed``).
    """
    try:
        return read_header(path).upright_size
    except ImageError:
        return 1, 1


def annotated_sample(
    image: Path,
    parse: Callable[[int, int], tuple[Page, Sequence[Geometry], Sequence[Element]]],
    *,
    level: Level = "word",
    regroup: bool = False,
) -> Sample:
    """A localised sample whose ground truth labels the stored raster.

    Args:
        image: The image file.
        parse: Called with the stored raster's width and height (pixels);
            returns the ground-truth page, its don't-care regions and the
            page's elements at ``level`` in the file's order.
        level: The level the ground truth describes.
        regroup: The page's reading order is synthesised from the geometry
            of its elements at ``level`` (:func:`words_page`,
            :func:`lines_page`), not given by the file: in an image with an
            EXIF orientation it is synthesised again once they are upright,
            so the truth reads as the image is displayed (an upside-down
            stored photo's words are not read backwards).

    Returns:
        The sample, its truth and regions mapped to the upright image
        (see :func:`upright`).
    """
    try:
        width, height, _ = image_size(image)
    except DatasetError:
        # The image cannot be read: its truth is kept, sized to what it labels,
        # and every engine's read of it fails and counts in run.failed.
        stored, ignore_list, listed = parse(_UNKNOWN_SIZE, _UNKNOWN_SIZE)
        page, ignore = _sized_to_content(stored), tuple(ignore_list)
    else:
        stored, stored_ignore, listed = parse(width, height)
        page, ignore = upright(stored, stored_ignore, image)
    elements = stored.lines if level == "line" else stored.words
    order = file_order(elements, listed)
    if regroup and page is not stored:
        page, order = _regrouped(page, order, level)
    return Sample(
        id=image.stem,
        image=image,
        truth=page,
        ignore=ignore,
        level=level,
        order=order,
    )


def _regrouped(
    page: Page, order: tuple[int, ...], level: Level
) -> tuple[Page, tuple[int, ...]]:
    """``page``'s elements grouped anew, and the file order as indices into them.

    Args:
        page: A truth page whose geometry has just been mapped.
        order: The file order as indices into the page's elements at
            ``level`` (``()``: none).
        level: The level the truth describes: its words are grouped into
            lines and blocks, or its lines into blocks.

    Returns:
        The page with its reading order synthesised from its elements'
        current geometry, and ``order`` as indices into its elements.
    """
    if level == "line":
        lines = page.lines
        grouped = lines_page(lines, page.width, page.height)
        return grouped, file_order(grouped.lines, [lines[i] for i in order])
    words = page.words
    grouped = words_page(words, page.width, page.height)
    return grouped, file_order(grouped.words, [words[i] for i in order])


#: The size a ground-truth file is parsed at when its image cannot be read.
_UNKNOWN_SIZE = int(MAX_COORDINATE)


def _sized_to_content(page: Page) -> Page:
    """``page`` sized to the extent of its elements (at least 1 by 1 pixel)."""
    elements = page.words or page.lines
    if not elements:
        return page.replace(width=1, height=1)
    extent = enclosing_box(e.geometry for e in elements)
    return page.replace(
        width=max(1, math.ceil(extent.x1)), height=max(1, math.ceil(extent.y1))
    )


def split_dont_care(page: Page) -> tuple[Page, tuple[Geometry, ...], Level]:
    """Take the don't-care regions out of a ground-truth page.

    Words whose text is :data:`DONT_CARE`, and lines without words whose
    text is (each one element at word level too, see
    :func:`unocr.metrics.page.scored_elements`), become ignore regions; their
    lines and blocks keep the other words, with the text joined again.
    Elements that lose nothing stay the same objects.

    Args:
        page: A ground-truth page, as saved (``unocr.page/1``).

    Returns:
        ``(truth, ignore, level)``: the page without the don't-care elements
        (``page`` itself when it has none), their geometries in page order,
        and the level scored: ``"word"`` where the page has words, else
        ``"line"``.
    """
    level: Level = "word" if page.words else "line"
    ignore: list[Geometry] = []
    blocks: list[Block] = []
    for block in page.blocks:
        lines: list[Line] = []
        for line in block.lines:
            if level == "line" or not line.words:
                # a line without words is one scored element at either level
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

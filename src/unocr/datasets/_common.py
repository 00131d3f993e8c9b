"""Pieces shared by the dataset loaders: the sample type and file helpers."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PIL import Image

from unocr.errors import DatasetError, GeometryError
from unocr.geometry import Box, Geometry, Polygon, Quad
from unocr.model import Block, Line, Page, Word

__all__ = [
    "IMAGE_SUFFIXES",
    "Dataset",
    "Level",
    "Sample",
    "find_images",
    "image_size",
    "natural_key",
    "parse_quad_line",
    "read_text",
    "text_only_page",
]

Level = Literal["word", "line"]

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".jp2"}
)


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
    """

    id: str
    image: Path
    truth: Page
    ignore: tuple[Geometry, ...] = ()
    level: Level = "word"
    localized: bool = True


@dataclass(frozen=True)
class Dataset:
    """A loaded dataset: samples in a stable (natural-sorted) order.

    Attributes:
        kind: The loader's name (``"icdar2015"``, ``"sroie"``, ...).
        path: The folder (or file) it was loaded from.
        samples: The samples, sorted by id in natural order (``img_2`` before
            ``img_10``).
        name: A short label for tables: ``kind:folder-name``.
    """

    kind: str
    path: Path
    samples: tuple[Sample, ...] = field(default=())
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", f"{self.kind}:{self.path.name}")

    def __len__(self) -> int:
        return len(self.samples)

    def __iter__(self) -> Iterator[Sample]:
        return iter(self.samples)

    def __getitem__(self, index: int) -> Sample:
        return self.samples[index]


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders embedded numbers by value (``img_2`` < ``img_10``).

    Args:
        text: Any string.

    Returns:
        A tuple comparable between any two strings.
    """
    parts = re.split(r"(\d+)", text)
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in parts if p)


def find_images(root: Path) -> list[Path]:
    """Image files under ``root`` (recursively), in natural order of their path.

    Args:
        root: A folder.

    Returns:
        Paths whose suffix is a known image suffix (case-insensitive); hidden
        files and folders (``.DS_Store``, ``.git``) are skipped.
    """
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found.extend(
            Path(dirpath, name)
            for name in filenames
            if not name.startswith(".") and Path(name).suffix.lower() in IMAGE_SUFFIXES
        )
    return sorted(found, key=lambda p: natural_key(p.relative_to(root).as_posix()))


def files_by_name(root: Path, suffix: str) -> dict[str, Path]:
    """Map file name -> path for files under ``root`` ending in ``suffix``.

    Args:
        root: A folder, searched recursively (hidden entries skipped).
        suffix: Case-insensitive ending, e.g. ``".txt"`` or ``".gt.txt"``.

    Returns:
        The first path found for each name (in sorted walk order).
    """
    out: dict[str, Path] = {}
    suffix = suffix.lower()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name.lower().endswith(suffix):
                out.setdefault(name, Path(dirpath, name))
    return out


def check_folder(path: str | os.PathLike[str], kind: str) -> Path:
    """Return ``path`` as a Path, raising DatasetError unless it is a folder."""
    root = Path(path)
    if not root.exists():
        raise DatasetError(
            f"{kind} dataset folder {str(root)!r} does not exist; "
            "pass the folder that holds the images and their ground truth",
            item=str(root),
        )
    if not root.is_dir():
        raise DatasetError(
            f"{kind} dataset path {str(root)!r} is a file; pass the folder "
            "that holds the images and their ground truth",
            item=str(root),
        )
    return root


def no_samples_error(root: Path, kind: str, expected: str) -> DatasetError:
    """The DatasetError for a folder without any usable sample."""
    return DatasetError(
        f"no annotated images found in {kind} folder {str(root)!r}: expected "
        f"{expected}; check the path and the dataset kind",
        item=str(root),
    )


def read_text(path: Path) -> str:
    r"""Read a UTF-8 text file, dropping a BOM and normalising CRLF/CR to LF.

    Args:
        path: The file.

    Returns:
        Its text with ``\n`` line endings.

    Raises:
        DatasetError: The file cannot be read or is not UTF-8.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DatasetError(
            f"cannot read ground-truth file {str(path)!r}: {exc.strerror or exc}",
            item=str(path),
        ) from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"ground-truth file {str(path)!r} is not UTF-8 (byte {exc.start}: "
            f"{exc.reason}); re-save it as UTF-8",
            item=str(path),
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


# EXIF orientation -> (affine matrix rows as a function of stored w, h; swap).
def _exif_matrix(
    orientation: int, width: int, height: int
) -> tuple[tuple[tuple[float, float, float], tuple[float, float, float]], bool]:
    w, h = float(width), float(height)
    table: dict[
        int, tuple[tuple[tuple[float, float, float], tuple[float, float, float]], bool]
    ] = {
        2: (((-1, 0, w), (0, 1, 0)), False),
        3: (((-1, 0, w), (0, -1, h)), False),
        4: (((1, 0, 0), (0, -1, h)), False),
        5: (((0, 1, 0), (1, 0, 0)), True),
        6: (((0, -1, h), (1, 0, 0)), True),
        7: (((0, -1, h), (-1, 0, w)), True),
        8: (((0, 1, 0), (-1, 0, w)), True),
    }
    return table[orientation]


def image_size(path: Path) -> tuple[int, int, int]:
    """Size of an image as stored, and its EXIF orientation, without decoding it.

    Args:
        path: The image file.

    Returns:
        ``(width, height, orientation)`` with width and height in pixels of the
        stored raster and orientation the EXIF tag (1 = upright).

    Raises:
        DatasetError: The file is not a readable image.
    """
    try:
        with Image.open(path) as im:
            width, height = im.width, im.height
            try:
                orientation = int(im.getexif().get(0x0112, 1) or 1)
            except (OSError, ValueError, SyntaxError):
                # e.g. a truncated file: the engine run will report it
                orientation = 1
            return width, height, orientation if 1 <= orientation <= 8 else 1
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DatasetError(
            f"cannot read image {str(path)!r}: {exc}; check the file is a "
            "complete PNG/JPEG/TIFF image",
            item=str(path),
        ) from exc


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
    if orientation == 1:
        return page, tuple(ignore)
    matrix, swap = _exif_matrix(orientation, width, height)
    new_w, new_h = (height, width) if swap else (width, height)
    return (
        page.transform(matrix, width=new_w, height=new_h),
        tuple(g.transform(matrix) for g in ignore),
    )


def make_quad(coords: Sequence[float]) -> Geometry:
    """Build the shape of an annotated quadrilateral (8 numbers, 4 vertices).

    The corners are put in unocr's canonical order (TL, TR, BR, BL, see
    :class:`~unocr.geometry.Quad`); the area and outline are what the
    annotation drew, whatever order its vertices were listed in.

    Args:
        coords: ``x1, y1, x2, y2, x3, y3, x4, y4`` in pixels.

    Returns:
        A ``Quad`` (a ``Polygon`` if the geometry layer refuses the quad).

    Raises:
        GeometryError: Even a polygon cannot be made (e.g. NaN).
    """
    points = [(float(coords[i]), float(coords[i + 1])) for i in range(0, 8, 2)]
    try:
        return Quad(points)
    except GeometryError:
        return Polygon(points)


def parse_quad_line(line: str, path: Path, lineno: int) -> tuple[Geometry, str]:
    """Parse ``x1,y1,...,x4,y4,text`` (text may hold commas).

    Args:
        line: One line without its line ending.
        path: The file, for messages.
        lineno: 1-based line number, for messages.

    Returns:
        The quadrilateral and the transcription (whitespace at the ends kept
        as given except the line ending).

    Raises:
        DatasetError: Fewer than 9 fields or a coordinate that is not a number.
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
    try:
        coords = [float(p.strip()) for p in parts[:8]]
    except ValueError:
        raise DatasetError(
            f"{path.name} line {lineno}: coordinates must be numbers, got "
            f"{','.join(parts[:8])[:80]!r}",
            item=f"{path}:{lineno}",
        ) from None
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
        ``(width, height)`` in pixels, swapped for orientations 5-8.
    """
    width, height, orientation = image_size(path)
    if orientation in (5, 6, 7, 8):
        return height, width
    return width, height


def file_beside(image: Path, suffix: str) -> Path | None:
    """The file of the same stem in the image's folder, if it exists.

    Args:
        image: An image path.
        suffix: The other file's suffix, e.g. ``".txt"``.

    Returns:
        The path, or ``None`` when there is no such file.
    """
    gt = image.with_suffix(suffix)
    return gt if gt.is_file() else None


def image_pairs(
    root: Path, ground_truth: Callable[[Path], Path | None]
) -> Iterator[tuple[Path, Path]]:
    """Each image under ``root`` with its ground-truth file, in natural order.

    Args:
        root: The dataset folder.
        ground_truth: Maps an image to its ground-truth file, or ``None``
            (the image is skipped).

    Yields:
        ``(image, ground_truth_file)`` pairs.
    """
    for image in find_images(root):
        gt = ground_truth(image)
        if gt is not None:
            yield image, gt


def annotated_sample(
    image: Path,
    parse: Callable[[int, int], tuple[Page, Sequence[Geometry]]],
    *,
    level: Level = "word",
) -> Sample:
    """A localised sample whose ground truth labels the stored raster.

    Args:
        image: The image file.
        parse: Called with the stored raster's width and height (pixels);
            returns the ground-truth page and its don't-care regions.
        level: The level the ground truth describes.

    Returns:
        The sample, its truth and regions mapped to the upright image
        (see :func:`upright`).
    """
    width, height, _ = image_size(image)
    page, ignore = upright(*parse(width, height), image)
    return Sample(id=image.stem, image=image, truth=page, ignore=ignore, level=level)


def collect(
    root: Path,
    kind: str,
    pairs: Iterable[tuple[Path, Path]],
    make: Callable[[Path, Path], Sample],
    *,
    limit: int | None,
    expected: str,
) -> Dataset:
    """Build a dataset from (image, ground truth) pairs.

    Args:
        root: The dataset folder.
        kind: The loader's name (``Dataset.kind``).
        pairs: ``(image, ground_truth_file)`` pairs in sample order; read
            lazily, so nothing past ``limit`` is parsed.
        make: Builds the sample of one pair.
        limit: Keep at most this many samples (the first ones).
        expected: The layout expected, for the error when there is no sample.

    Returns:
        The dataset.

    Raises:
        DatasetError: No pair gave a sample.
    """
    samples: list[Sample] = []
    for image, gt in pairs:
        samples.append(make(image, gt))
        if limit is not None and len(samples) >= limit:
            break
    if not samples:
        raise no_samples_error(root, kind, expected)
    return Dataset(kind=kind, path=root, samples=tuple(samples))

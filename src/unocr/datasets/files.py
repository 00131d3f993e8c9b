"""Finding a dataset's files: images, their ground truth, text decoding."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from unocr.datasets.sample import Dataset, Sample
from unocr.errors import DatasetError
from unocr.image import IMAGE_SUFFIXES
from unocr.metrics.normalize import Normalization

__all__ = [
    "IMAGE_SUFFIXES",
    "check_folder",
    "collect",
    "file_beside",
    "files_by_name",
    "find_images",
    "image_pairs",
    "natural_key",
    "no_samples_error",
    "read_text",
]


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
    if not os.path.exists(root):
        raise DatasetError(
            f"{kind} dataset folder {str(root)!r} does not exist; "
            "pass the folder that holds the images and their ground truth",
            item=str(root),
        )
    if not os.path.isdir(root):
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


def collect(
    root: Path,
    kind: str,
    pairs: Iterable[tuple[Path, Path]],
    make: Callable[[Path, Path], Sample],
    *,
    limit: int | None,
    expected: str,
    normalization: Normalization | None = None,
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
        normalization: The dataset kind's declared text normalisation.

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
    return Dataset(
        kind=kind, path=root, samples=tuple(samples), normalization=normalization
    )

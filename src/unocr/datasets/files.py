"""Finding a dataset's files: images, their ground truth, text decoding."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from unocr.backends.options import check_count
from unocr.datasets.sample import Dataset, Sample
from unocr.errors import DatasetError
from unocr.image import IMAGE_SUFFIXES
from unocr.metrics.normalize import Normalization

__all__ = [
    "IMAGE_SUFFIXES",
    "check_folder",
    "collect",
    "files_by_name",
    "find_images",
    "image_pairs",
    "natural_key",
    "nearest_by_stem",
    "nearest_file",
    "no_samples_error",
    "read_bytes",
    "read_text",
    "unique_ids",
    "walk_files",
]

# Folder-name words that name a dataset split, and the split they name.
_SPLITS = {
    "train": "train",
    "training": "train",
    "test": "test",
    "testing": "test",
    "val": "val",
    "valid": "val",
    "validation": "val",
    "dev": "val",
}


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders embedded numbers by value (``img_2`` < ``img_10``).

    Args:
        text: Any string.

    Returns:
        A tuple comparable between any two strings.
    """
    parts = re.split(r"(\d+)", text)
    return tuple((0, int(p)) if p.isdigit() else (1, p.lower()) for p in parts if p)


def walk_files(root: Path, suffix: str | tuple[str, ...]) -> list[Path]:
    """Files under ``root`` (recursively) ending in ``suffix``, in natural order.

    Args:
        root: A folder.
        suffix: Case-insensitive ending(s), e.g. ``".txt"`` or ``".gt.txt"``.

    Returns:
        The paths, in natural order of their path below ``root``; hidden files
        and folders below ``root`` (``.DS_Store``, ``.git``) are skipped.
        Symbolic links to folders are followed (image folders kept
        elsewhere); a folder reached a second way (a link back up the tree,
        a second link to it) is searched once, where it is reached first
        (in each folder, its sub-folders before its links).
    """
    endings = (suffix,) if isinstance(suffix, str) else suffix
    endings = tuple(e.lower() for e in endings)
    found: list[Path] = []
    searched: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in searched:
            dirnames[:] = []
            continue
        searched.add(real)
        dirnames[:] = sorted(
            (d for d in dirnames if not d.startswith(".")),
            key=lambda d: (os.path.islink(os.path.join(dirpath, d)), natural_key(d)),
        )
        found.extend(
            Path(dirpath, name)
            for name in filenames
            if not name.startswith(".") and name.lower().endswith(endings)
        )
    return sorted(found, key=lambda p: natural_key(p.relative_to(root).as_posix()))


def find_images(root: Path) -> list[Path]:
    """Image files under ``root`` (recursively), in natural order of their path.

    Args:
        root: A folder.

    Returns:
        Paths whose suffix is a known image suffix (case-insensitive); hidden
        files and folders (``.DS_Store``, ``.git``) are skipped.
    """
    return walk_files(root, tuple(IMAGE_SUFFIXES))


def files_by_name(root: Path, suffix: str) -> dict[str, list[Path]]:
    """Map file name -> every path of that name under ``root`` ending in ``suffix``.

    The suffix is matched case-insensitively, as image suffixes are: the
    map's keys end in ``suffix`` as given (``gt_img_3.TXT`` is found under
    ``gt_img_3.txt`` for ``suffix=".txt"``); the rest of the name is kept.

    Args:
        root: A folder, searched recursively (hidden entries skipped).
        suffix: Case-insensitive ending, e.g. ``".txt"`` or ``".gt.txt"``.

    Returns:
        The paths of each name, in natural order (several folders may hold
        a file of one name: pick with :func:`nearest_file`).
    """
    out: dict[str, list[Path]] = {}
    for path in walk_files(root, suffix):
        key = path.name[: len(path.name) - len(suffix)] + suffix
        out.setdefault(key, []).append(path)
    return out


def nearest_by_stem(root: Path, suffix: str) -> Callable[[Path, str], Path | None]:
    """A finder of the file ``<stem><suffix>`` nearest a file under ``root``.

    The files ending in ``suffix`` (case-insensitively) are listed once
    (:func:`files_by_name`); each call picks, among those named ``stem``
    plus ``suffix``, the one nearest the given file (:func:`nearest_file`).

    Args:
        root: The dataset folder.
        suffix: The ground-truth files' ending, e.g. ``".txt"``.

    Returns:
        ``find(near, stem)``: the nearest such file to ``near`` (an image or
        document under ``root``), or ``None``; it raises
        :class:`~unocr.errors.DatasetError` where two are equally near.
    """
    by_name = files_by_name(root, suffix)

    def find(near: Path, stem: str) -> Path | None:
        return nearest_file(near, by_name.get(stem + suffix, []), root)

    return find


def _split_names(parts: Sequence[str]) -> set[str]:
    words = (w for part in parts for w in re.findall(r"[a-z]+", part.lower()))
    return {_SPLITS[w] for w in words if w in _SPLITS}


def nearest_file(image: Path, candidates: Sequence[Path], root: Path) -> Path | None:
    """The ground-truth file, of several with one name, that belongs to ``image``.

    The file in the image's folder wins (two there, whose names differ
    only in the suffix's case, are a tie); else the one whose folder shares
    the longest leading run of folders (below ``root``) with the image's, and
    among those the one whose remaining folder names name the image's split
    (``train``/``training``, ``test``/``testing``, ``val``/``validation``).

    Args:
        image: An image under ``root``.
        candidates: The ground-truth files of the name the image expects.
        root: The dataset folder.

    Returns:
        The nearest file, or ``None`` when there is no candidate.

    Raises:
        DatasetError: Two candidates are equally near the image (both in its
            folder, or equally near it elsewhere).
    """
    if not candidates:
        return None
    beside = [c for c in candidates if c.parent == image.parent]
    if len(beside) > 1:  # names that differ in case only (X.txt, X.TXT)
        raise _tie(image, beside[0], beside[1], "beside it")
    if beside:
        return beside[0]
    here = image.parent.relative_to(root).parts

    def nearness(candidate: Path) -> tuple[int, int]:
        there = candidate.parent.relative_to(root).parts
        shared = 0
        while shared < min(len(here), len(there)) and here[shared] == there[shared]:
            shared += 1
        mine, theirs = _split_names(here[shared:]), _split_names(there[shared:])
        split = 0 if not (mine and theirs) else (1 if mine & theirs else -1)
        return shared, split

    best, *rest = sorted(candidates, key=nearness, reverse=True)
    if rest and nearness(rest[0]) == nearness(best):
        raise _tie(image, best, rest[0], "equally near it")
    return best


def _tie(image: Path, first: Path, second: Path, where: str) -> DatasetError:
    """The error for two ground-truth files that belong to ``image`` alike."""
    if where == "beside it":
        fix = "keep one of them"
    else:
        fix = (
            "point the dataset at a folder that holds one split only (its images "
            "and their ground truth)"
        )
    return DatasetError(
        f"cannot tell which ground truth belongs to {str(image)!r}: "
        f"{str(first)!r} and {str(second)!r} are both {where}; {fix}",
        item=str(image),
    )


def unique_ids(
    paths: Sequence[Path], root: Path, stem: Callable[[Path], str] | None = None
) -> list[str]:
    """Sample ids for files under ``root``: the stem, unique within the dataset.

    Where several files share a stem (one per split or book folder), their
    ids carry the folder below ``root`` (``book_a/00001``), or where they
    share the folder too, the whole path below ``root``.

    Args:
        paths: The files that name the samples, in sample order.
        root: The dataset folder.
        stem: A file's id when its stem is unique (default ``path.stem``).

    Returns:
        One id per path, in the same order.
    """
    stems = [p.stem if stem is None else stem(p) for p in paths]
    taken = Counter(stems)
    ids = [
        s if taken[s] == 1 else (p.parent.relative_to(root) / s).as_posix()
        for p, s in zip(paths, stems, strict=True)
    ]
    taken = Counter(ids)
    return [
        i if taken[i] == 1 else p.relative_to(root).as_posix()
        for p, i in zip(paths, ids, strict=True)
    ]


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


def read_bytes(path: Path) -> bytes:
    """Read a ground-truth file's bytes.

    Args:
        path: The file.

    Returns:
        Its content.

    Raises:
        DatasetError: The file cannot be read.
    """
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DatasetError(
            f"cannot read ground-truth file {str(path)!r}: {exc.strerror or exc}",
            item=str(path),
        ) from exc


def read_text(path: Path) -> str:
    r"""Read a UTF-8 text file, dropping a BOM and normalising CRLF/CR to LF.

    Args:
        path: The file.

    Returns:
        Its text with ``\n`` line endings.

    Raises:
        DatasetError: The file cannot be read or is not UTF-8.
    """
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"ground-truth file {str(path)!r} is not UTF-8 (byte {exc.start}: "
            f"{exc.reason}); re-save it as UTF-8",
            item=str(path),
        ) from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def image_pairs(
    root: Path, ground_truth: Callable[[Path], Path | None]
) -> list[tuple[Path, Path]]:
    """Each image under ``root`` with its ground-truth file, in natural order.

    Args:
        root: The dataset folder.
        ground_truth: Maps an image to its ground-truth file, or ``None``
            (the image is skipped).

    Returns:
        ``(image, ground_truth_file)`` pairs.
    """
    pairs: list[tuple[Path, Path]] = []
    for image in find_images(root):
        gt = ground_truth(image)
        if gt is not None:
            pairs.append((image, gt))
    return pairs


def collect(
    root: Path,
    kind: str,
    pairs: Iterable[tuple[Path, Path]],
    make: Callable[[Path, Path], Sample],
    *,
    limit: int | None,
    expected: str,
    normalization: Normalization | None = None,
    ids: Sequence[str] | None = None,
) -> Dataset:
    """Build a dataset from (image, ground truth) pairs.

    Args:
        root: The dataset folder.
        kind: The loader's name (``Dataset.kind``).
        pairs: ``(image, ground_truth_file)`` pairs in sample order; only
            the pairs up to ``limit`` are given to ``make`` (parsed).
        make: Builds the sample of one pair.
        limit: Keep at most this many samples (the first ones).
        expected: The layout expected, for the error when there is no sample.
        normalization: The dataset kind's declared text normalisation.
        ids: The samples' ids, one per pair; default :func:`unique_ids` of
            the images. Computed over every pair, so a sample's id does not
            depend on ``limit``.

    Returns:
        The dataset.

    Raises:
        ConfigError: ``limit`` is not a whole number >= 1 (nor ``None``).
        DatasetError: No pair gave a sample.
    """
    check_count(limit, "limit", none=True)
    pairs = list(pairs)
    if ids is None:
        ids = unique_ids([image for image, _ in pairs], root)
    samples: list[Sample] = []
    for (image, gt), sample_id in zip(pairs, ids, strict=True):
        samples.append(replace(make(image, gt), id=sample_id))
        if limit is not None and len(samples) >= limit:
            break
    if not samples:
        raise no_samples_error(root, kind, expected)
    return Dataset(
        kind=kind, path=root, samples=tuple(samples), normalization=normalization
    )

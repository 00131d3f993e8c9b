"""What ``unocr read`` reads: files, folders and glob patterns on the command line.

A file named on the command line is read whatever its suffix (and fails with
its own error when it is no image). A folder contributes its image files and
PDFs (:data:`READ_SUFFIXES`, case-insensitive), in sorted order, only its top
level unless ``recursive``; a glob pattern the shell did not expand
(``'scans/**/*.png'``: ``**`` crosses folders) contributes the files it
matches (not the folders). Other files found that way are skipped and
counted; hidden files and folders (``.git``) are left out; in a folder, links
to folders are not followed and links to nothing are skipped (both noted),
and a folder that cannot be listed, or holds no image, is noted as an
error. Each input found in a folder or by a pattern keeps its path below that
folder (below the pattern's fixed leading folders), which an output folder
mirrors.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from unocr.image import IMAGE_SUFFIXES

__all__ = ["READ_SUFFIXES", "Found", "Input", "collect"]

#: Suffixes of the files taken from a folder or a pattern: images and PDFs.
READ_SUFFIXES = frozenset(IMAGE_SUFFIXES | {".pdf"})


@dataclass(frozen=True, slots=True)
class Input:
    """One input of ``unocr read``.

    Attributes:
        source: The path (as found or given), or ``-`` for standard input.
        relative: Its path below the folder or pattern it was found by
            (``/``-separated), or ``None`` for a file named on the command line.
    """

    source: str
    relative: str | None = None


@dataclass
class Found:
    """The inputs of a command line, and what was left out.

    Attributes:
        inputs: Inputs in command-line order, a folder's or pattern's files in
            sorted order where it stood.
        skipped: Per folder or pattern, the files left out (not images).
        unentered: Per folder read without ``recursive``, its subfolders.
        unmatched: Patterns that matched no file.
        empty: Folders (listed) without any image file or PDF.
        links: Per folder, the links to folders found in it and not
            followed (paths below it).
        broken: Per folder, the links to nothing found in it (paths below
            it).
        unlisted: Folders that could not be listed, each with the reason
            (``"scans/private: Permission denied"``).
    """

    inputs: list[Input] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    unentered: dict[str, int] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    links: dict[str, list[str]] = field(default_factory=dict)
    broken: dict[str, list[str]] = field(default_factory=dict)
    unlisted: list[str] = field(default_factory=list)


def collect(arguments: list[str], *, recursive: bool) -> Found:
    """Turn the command line's IMAGE arguments into inputs.

    Args:
        arguments: As typed (or as the shell expanded them).
        recursive: Read a folder's subfolders too.

    Returns:
        The inputs and what was skipped.
    """
    found = Found()
    for arg in arguments:
        if arg == "-" or os.path.isfile(arg):
            found.inputs.append(Input(arg))
        elif os.path.isdir(arg):
            _folder(Path(arg), Path(arg), arg, recursive, found)
        elif glob.has_magic(arg):
            _pattern(arg, found)
        else:  # missing: reading it reports the error with the others
            found.inputs.append(Input(arg))
    return found


def _take(path: str, relative: str, label: str, found: Found) -> None:
    if os.path.splitext(path)[1].lower() in READ_SUFFIXES:
        found.inputs.append(Input(path, relative))
    else:
        found.skipped[label] = found.skipped.get(label, 0) + 1


def _folder(root: Path, base: Path, label: str, recursive: bool, found: Found) -> None:
    files: list[tuple[tuple[str, ...], str]] = []  # (path below root, path)
    unlisted = len(found.unlisted)
    _walk(str(root), (), recursive, label, found, files)
    files.sort()
    prefix = root.relative_to(base).parts
    taken = len(found.inputs)
    for parts, path in files:
        _take(path, "/".join(prefix + parts), label, found)
    if len(found.inputs) == taken and len(found.unlisted) == unlisted:
        found.empty.append(label)  # not when unlisted: that error says why


def _walk(
    folder: str,
    parts: tuple[str, ...],
    recursive: bool,
    label: str,
    found: Found,
    files: list[tuple[tuple[str, ...], str]],
) -> None:
    """Collect the regular files below ``folder``; links to folders are not entered.

    What is passed over is noted in ``found``: subfolders (without
    ``recursive``), links to folders, links to nothing, and folders that
    cannot be listed.
    """
    try:
        entries = list(os.scandir(folder))
    except OSError as exc:
        found.unlisted.append(f"{folder}: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        below = (*parts, entry.name)
        if entry.is_dir(follow_symlinks=False):
            if recursive:
                _walk(entry.path, below, recursive, label, found, files)
            else:
                found.unentered[label] = found.unentered.get(label, 0) + 1
        elif _is_file(entry):
            files.append((below, entry.path))
        elif entry.is_symlink():
            if os.path.isdir(entry.path):
                found.links.setdefault(label, []).append("/".join(below))
            elif not os.path.exists(entry.path):  # to nothing, or a loop of links
                found.broken.setdefault(label, []).append("/".join(below))


def _is_file(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a file or a link to one (``False`` for a loop of links)."""
    try:
        return entry.is_file()
    except OSError:  # ELOOP: the link leads back to itself
        return False


def _pattern(pattern: str, found: Found) -> None:
    base = _fixed_prefix(pattern)
    matches = sorted(glob.glob(pattern, recursive=True))
    files = [Path(m) for m in matches if os.path.isfile(m)]
    if not files:
        found.unmatched.append(pattern)
        return
    taken = len(found.inputs)
    for path in files:
        _take(str(path), path.relative_to(base).as_posix(), pattern, found)
    if len(found.inputs) == taken:  # files, but none an image: as a folder
        found.empty.append(pattern)


def _fixed_prefix(pattern: str) -> Path:
    """The pattern's leading folders without wildcards (``scans/**/*.png``: scans)."""
    parts: list[str] = []
    for part in PurePath(pattern).parts[:-1]:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path()

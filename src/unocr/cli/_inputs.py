"""What ``unocr read`` reads: files, folders and glob patterns on the command line.

A file named on the command line is read whatever its suffix (and fails with
its own error when it is no image). A folder contributes its image files and
PDFs (:data:`READ_SUFFIXES`, case-insensitive), in sorted order, only its top
level unless ``recursive``; a glob pattern the shell did not expand
(``'scans/**/*.png'``: ``**`` crosses folders) contributes the files it
matches (not the folders). Other files found that way are skipped and
counted; hidden files and folders (``.git``) are left out. Each input found
in a folder or by a pattern keeps its path below that folder (below the
pattern's fixed leading folders), which an output folder mirrors.
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


@dataclass(frozen=True)
class Input:
    """One input of ``unocr read``.

    Attributes:
        source: The path (as found or given), or ``-`` for standard input.
        relative: Its path below the folder or pattern it was found by, or
            ``None`` for a file named on the command line.
    """

    source: str
    relative: PurePath | None = None


@dataclass
class Found:
    """The inputs of a command line, and what was left out.

    Attributes:
        inputs: Inputs in command-line order, a folder's or pattern's files in
            sorted order where it stood.
        skipped: Per folder or pattern, the files left out (not images).
        unentered: Per folder read without ``recursive``, its subfolders.
        unmatched: Patterns that matched no file.
    """

    inputs: list[Input] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    unentered: dict[str, int] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)


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
        if arg == "-" or Path(arg).is_file():
            found.inputs.append(Input(arg))
        elif Path(arg).is_dir():
            _folder(Path(arg), Path(arg), arg, recursive, found)
        elif glob.has_magic(arg):
            _pattern(arg, found)
        else:  # missing: reading it reports the error with the others
            found.inputs.append(Input(arg))
    return found


def _take(path: Path, base: Path, label: str, found: Found) -> None:
    if path.suffix.lower() in READ_SUFFIXES:
        found.inputs.append(Input(str(path), path.relative_to(base)))
    else:
        found.skipped[label] = found.skipped.get(label, 0) + 1


def _folder(root: Path, base: Path, label: str, recursive: bool, found: Found) -> None:
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        files.extend(Path(dirpath, n) for n in filenames if not n.startswith("."))
        if not recursive:
            if dirnames:
                found.unentered[label] = found.unentered.get(label, 0) + len(dirnames)
            break
    for path in sorted(files, key=lambda p: p.relative_to(root).parts):
        if path.is_file():
            _take(path, base, label, found)


def _pattern(pattern: str, found: Found) -> None:
    base = _fixed_prefix(pattern)
    matches = sorted(glob.glob(pattern, recursive=True))
    files = [Path(m) for m in matches if Path(m).is_file()]
    if not files:
        found.unmatched.append(pattern)
    for path in files:
        _take(path, base, pattern, found)


def _fixed_prefix(pattern: str) -> Path:
    """The pattern's leading folders without wildcards (``scans/**/*.png``: scans)."""
    parts: list[str] = []
    for part in PurePath(pattern).parts[:-1]:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path()

"""What ``unocr read`` reads: files, folders and glob patterns on the command line.

A file named on the command line is read whatever its suffix (and fails with
its own error when it is no image). A folder contributes its image files and
PDFs (:data:`READ_SUFFIXES`, case-insensitive), in sorted order, only its top
level unless ``recursive``; a glob pattern the shell did not expand
(``'scans/**/*.png'``: ``**`` crosses folders) contributes the files it
matches (not the folders), and one ending in ``/`` (``'scans/*/'``) the
folders it matches, each read as a folder is. Other files found that way are
skipped and counted; anything that is not a regular file (a pipe, a socket, a
device), whatever its name, is skipped and noted by name; hidden files and
folders (``.git``) are left out; links to folders are not followed (by a
pattern, only where its leading folders or a part without wildcards name them)
and links to nothing are skipped (both noted), and a folder that cannot be
listed, or holds no image, is noted as an error. Each input found in a folder
or by a pattern keeps its path below that folder (below the pattern's fixed
leading folders), which an output folder mirrors.
"""

from __future__ import annotations

import fnmatch
import glob
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePath

from unocr.image import IMAGE_SUFFIXES

__all__ = ["READ_SUFFIXES", "Found", "Input", "collect", "names_folders"]

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
        unmatched: Patterns that matched no file (no folder, for one
            ending in ``/``).
        empty: Folders (listed) without any image file or PDF.
        links: Per folder, the links to folders found in it and not
            followed (paths below it).
        broken: Per folder, the links to nothing found in it (paths below
            it).
        special: Per folder or pattern, what it holds that is not a regular
            file (a pipe, a socket, a device; paths below it).
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
    special: dict[str, list[str]] = field(default_factory=dict)
    unlisted: list[str] = field(default_factory=list)


def names_folders(pattern: str) -> bool:
    """Whether a pattern ends in a separator: it matches folders, not files."""
    return pattern.endswith(("/", os.sep))


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
            _pattern(arg, recursive, found)
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


#: What a folder entry is, as far as reading goes.
_FOLDER, _FILE, _LINK, _BROKEN = "folder", "file", "link to a folder", "broken link"
_SPECIAL = "not a regular file"

_Entry = tuple[str, str, str]  # (name, path, kind)


def _listing(folder: str, found: Found) -> list[_Entry] | None:
    """The entries of ``folder`` (``""``: the current one) that may be read or noted.

    Each is a real folder (:data:`_FOLDER`), a file or a link to one
    (:data:`_FILE`), a link to a folder (:data:`_LINK`, never entered by a
    wildcard), a link to nothing (:data:`_BROKEN`) or anything else (a pipe,
    a socket, a device, or a link to one: :data:`_SPECIAL`, never read but
    noted by name). A folder that cannot be listed is noted in
    ``found`` and gives ``None``.
    """
    try:
        entries = list(os.scandir(folder or os.curdir))
    except OSError as exc:
        found.unlisted.append(f"{folder or os.curdir}: {exc.strerror or exc}")
        return None
    return [(e.name, os.path.join(folder, e.name), _kind(e)) for e in entries]


def _kind(entry: os.DirEntry[str]) -> str:
    """What ``entry`` is (see :func:`_listing`)."""
    if entry.is_dir(follow_symlinks=False):
        return _FOLDER
    if _is_file(entry):
        return _FILE
    if entry.is_symlink():
        if os.path.isdir(entry.path):
            return _LINK
        if not os.path.exists(entry.path):  # to nothing, or a loop of links
            return _BROKEN
    return _SPECIAL


def _is_file(entry: os.DirEntry[str]) -> bool:
    """Whether ``entry`` is a file or a link to one (``False`` for a loop of links)."""
    try:
        return entry.is_file()
    except OSError:  # ELOOP: the link leads back to itself
        return False


def _note(found: Found, kind: str, label: str, below: tuple[str, ...]) -> None:
    """Note an entry passed over: a link (to a folder, to nothing) or a special file."""
    notes = {_LINK: found.links, _SPECIAL: found.special}.get(kind, found.broken)
    notes.setdefault(label, []).append("/".join(below))


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
    ``recursive``), links to folders, links to nothing, what is not a
    regular file (each noted), and folders that cannot be listed.
    """
    for name, path, kind in _listing(folder, found) or ():
        if name.startswith("."):
            continue
        below = (*parts, name)
        if kind == _FOLDER:
            if recursive:
                _walk(path, below, recursive, label, found, files)
            else:
                found.unentered[label] = found.unentered.get(label, 0) + 1
        elif kind == _FILE:
            files.append((below, path))
        else:
            _note(found, kind, label, below)


def _pattern(pattern: str, recursive: bool, found: Found) -> None:
    """Take what a pattern matches: files, or folders where it ends in ``/``.

    A matched folder is read as a folder named on the command line is (its
    top level unless ``recursive``), its files keeping their path below the
    pattern's fixed leading folders.
    """
    folders = names_folders(pattern)  # as the shell's and glob's do
    parts = PurePath(pattern).parts
    base = _fixed_prefix(pattern)
    rest = parts[len(base.parts) :]
    matched: list[tuple[tuple[str, ...], str]] = []  # (path below base, path)
    folder = "" if base == Path() else str(base)
    if os.path.isdir(folder or os.curdir):
        states = _closed(rest, {0})
        _match(folder, (), states, rest, pattern, found, matched, folders=folders)
    if not matched:
        found.unmatched.append(pattern)
        return
    matched.sort(key=lambda match: match[1])
    if folders:
        _folders(
            [Path(path or os.curdir) for _, path in matched], base, recursive, found
        )
        return
    taken = len(found.inputs)
    for below, path in matched:
        _take(path, "/".join(below), pattern, found)
    if len(found.inputs) == taken:  # files, but none an image: as a folder
        found.empty.append(pattern)


def _folders(roots: list[Path], base: Path, recursive: bool, found: Found) -> None:
    """Read the folders a pattern matched, each as a folder is read, once.

    ``scans/**/`` matches ``scans`` and every folder below it: with
    ``recursive`` those below another are read with it; without, each is
    read at its top level and not counted as a subfolder left unread.
    """
    for root in roots:
        if recursive and any(other in root.parents for other in roots):
            continue
        label = os.path.join(root, "")
        _folder(root, base, label, recursive, found)
        read = sum(other.parent == root and other != root for other in roots)
        if label in found.unentered and read:
            left = found.unentered.pop(label) - read
            if left > 0:
                found.unentered[label] = left


def _match(
    folder: str,
    parts: tuple[str, ...],
    states: frozenset[int],
    rest: tuple[str, ...],
    label: str,
    found: Found,
    matched: list[tuple[tuple[str, ...], str]],
    *,
    folders: bool,
) -> None:
    """Collect what below ``folder`` the components ``rest`` match.

    Files, or with ``folders`` (a pattern ending in ``/``) folders: a ``**``
    as the last component stands for ``folder`` itself and every folder
    below it. ``states`` are the components an entry of ``folder`` is
    matched against (several where a ``**`` may stand for no folder or for
    more). Folders are entered as far as the pattern can still match below
    them; a link to a folder only where a component without wildcards names
    it, else it is noted, as in a folder.
    """
    last = len(rest) - 1
    if folders and last in states and rest[last] == "**":
        matched.append((parts, folder))
    for name, path, kind in _listing(folder, found) or ():
        below = (*parts, name)
        if kind in (_FILE, _BROKEN, _SPECIAL):
            if not folders and any(
                i == last and _matches(name, rest[i]) for i in states
            ):
                if kind == _FILE:
                    matched.append((below, path))
                else:
                    _note(found, kind, label, below)
            continue
        end = folders and any(
            i == last and rest[i] != "**" and _matches(name, rest[i]) for i in states
        )
        taken = end and (kind == _FOLDER or not glob.has_magic(rest[last]))
        if taken:
            matched.append((below, path))
        named = {
            i + 1
            for i in states
            if i < last and not glob.has_magic(rest[i]) and _matches(name, rest[i])
        }
        inside = named | {
            i + (rest[i] != "**")
            for i in states
            if i < last or rest[i] == "**"
            if _matches(name, rest[i])
        }
        if kind == _LINK and not named:
            if (inside or end) and not taken:  # a wildcard would enter it
                _note(found, kind, label, below)
        elif inside:
            # through a link only as named: a loop of links cannot recur
            entered = named if kind == _LINK else inside
            _match(
                path,
                below,
                _closed(rest, entered),
                rest,
                label,
                found,
                matched,
                folders=folders,
            )


def _closed(rest: tuple[str, ...], states: set[int]) -> frozenset[int]:
    """``states`` with the component after each ``**`` (which may match no folder)."""
    todo, done = list(states), set(states)
    while todo:
        i = todo.pop()
        if i < len(rest) - 1 and rest[i] == "**" and i + 1 not in done:
            done.add(i + 1)
            todo.append(i + 1)
    return frozenset(done)


def _matches(name: str, component: str) -> bool:
    """Whether a pattern's component matches ``name``, as :mod:`glob` has it.

    ``**`` matches any name; a wildcard does not match a hidden name (``.git``)
    unless the component starts with a dot too.
    """
    if name.startswith(".") and not component.startswith("."):
        return False
    return component == "**" or fnmatch.fnmatch(name, component)


def _fixed_prefix(pattern: str) -> Path:
    """The pattern's leading folders without wildcards (``scans/**/*.png``: scans)."""
    parts: list[str] = []
    for part in PurePath(pattern).parts[:-1]:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path()

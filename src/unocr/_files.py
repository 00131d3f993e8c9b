"""Files a user names: input opened safely, output complete or absent.

Package-internal. Images (:mod:`unocr.image`) and OCR result files
(:mod:`unocr.formats`) open paths through :func:`open_regular_file`, so both
refuse directories, devices, FIFOs and sockets the same way, each with its own
error type. Files written (by the command line, model downloads) go through
:func:`atomic_path`: written under a hidden temporary name beside the target
and renamed into place once complete, so a file that exists is never
half-written. As ``tee`` does, an output that is a symbolic link is written
through (the file it leads to is replaced and the link stays); one that exists
and is no regular file (a named pipe, a terminal, ``/dev/null``) is written in
place.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from unocr.errors import UnocrError


def open_regular_file(
    path: str | bytes | os.PathLike[str],
    name: str,
    *,
    error: type[UnocrError],
    what: str,
    instead: str,
) -> IO[bytes]:
    """Open a regular file for unbuffered binary reading.

    The file is opened non-blocking (a FIFO without a writer would otherwise
    block forever) and checked with ``fstat`` before a byte is read; the
    returned file blocks again as usual.

    Args:
        path: The path as given.
        name: How messages name the file.
        error: The error type to raise (``error(message, item=name)``).
        what: What the file should be, e.g. ``"an image file"``.
        instead: What to do instead, for a device, FIFO or socket.

    Returns:
        The open file (the caller closes it).

    Raises:
        UnocrError: Of type ``error``: no such file, a directory, a path with a
            NUL character, a file the system refuses to open, or not a regular
            file.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise error(f"{name}: no such file", item=name) from exc
    except IsADirectoryError as exc:
        raise error(f"{name}: is a directory, not {what}", item=name) from exc
    except ValueError as exc:  # an embedded NUL character
        raise error(
            f"{name!r} is not a valid path (it holds a NUL character)", item=name
        ) from exc
    except OSError as exc:
        raise error(
            f"{name}: cannot open the file: {exc.strerror or exc}", item=name
        ) from exc
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        if stat.S_ISDIR(mode):
            raise error(f"{name}: is a directory, not {what}", item=name)
        raise error(
            f"{name}: is not a regular file but a device, FIFO or socket; {instead}",
            item=name,
        )
    if flags & getattr(os, "O_NONBLOCK", 0):
        os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


#: Suffix of the temporary files, removed on failure.
PART_SUFFIX = ".part"
# The bytes of the final name a temporary name keeps.
_NAME_BYTES = 200


def write_destination(target: Path) -> tuple[Path, bool]:
    """Where writing ``target`` goes, and whether it is written in place.

    Args:
        target: The output as named.

    Returns:
        ``(path, in_place)``: a symbolic link's final target (the file to
        replace; the link stays), else ``target``; ``in_place`` where that
        exists and is neither a regular file nor a folder (a named pipe, a
        device, a socket: ``/dev/stdout`` on a pipe or a terminal), or is a
        file no name leads to (``/proc/self/fd/N`` of a deleted file):
        written as it is, never replaced.

    Raises:
        OSError: ``target`` is a link that leads back to itself (``ELOOP``).
    """
    try:
        found: os.stat_result | None = os.stat(target)  # through any links
    except OSError:
        found = None
    if found is not None and not (
        stat.S_ISREG(found.st_mode) or stat.S_ISDIR(found.st_mode)
    ):
        return target, True
    if not os.path.islink(target):
        return target, False
    real = Path(os.path.realpath(target))
    if os.path.islink(real):  # where following it ends in a loop
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(target))
    if found is not None:
        try:
            same = os.path.samestat(found, os.stat(real))
        except OSError:
            same = False
        if not same:  # no name leads to the file (/proc/self/fd/1): in place
            return target, True
    return real, False


def part_files(target: Path) -> list[Path]:
    """The temporary files :func:`atomic_path` made for ``target`` that exist.

    Whether each is still being written is for the caller to find out.

    Args:
        target: The final file, as given to :func:`atomic_path`.

    Returns:
        The ``.<name>.<random>.part`` files beside the file ``target`` is
        written to (none where it is written in place).

    Raises:
        OSError: ``target`` is a link loop, or its folder cannot be listed
            (a missing folder has none).
    """
    target, in_place = write_destination(target)
    if in_place:
        return []
    name = os.fsdecode(os.fsencode(target.name)[:_NAME_BYTES])
    pattern = re.compile(rf"\.{re.escape(name)}\.[0-9a-f]{{8}}{re.escape(PART_SUFFIX)}")
    try:
        entries = os.listdir(target.parent)
    except FileNotFoundError:
        return []
    return [target.parent / e for e in entries if pattern.fullmatch(e)]


@contextmanager
def atomic_path(target: Path, *, skip_empty: bool = False) -> Iterator[Path]:
    """A temporary path to write ``target``'s content to; renamed on success.

    A link is followed (see :func:`write_destination`): the temporary file is made
    beside the file it leads to, which is replaced. A named pipe, a device or
    a socket is written in place: ``target`` itself is yielded, and nothing is
    renamed or removed.

    Args:
        target: The final file. Its folder is created when missing.
        skip_empty: Leave ``target`` as it was when nothing was written.

    Yields:
        The temporary file's path (``.<name>.<random>.part`` beside
        ``target``, created empty; a name longer than 200 bytes is cut there,
        so the temporary name is legal wherever the final one is), or
        ``target`` where it is written in place.

    Raises:
        OSError: ``target`` is a link loop, or its folder cannot be made.
        BaseException: Whatever the ``with`` body raised; the temporary file
            is removed and ``target`` is left as it was.
    """
    target, in_place = write_destination(target)
    if in_place:
        yield target
        return
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # a file stands where a folder must be
        where = exc.filename
        raise NotADirectoryError(errno.ENOTDIR, "Not a directory", where) from exc
    # file systems take names of up to 255 bytes: leave room for the rest
    name = os.fsdecode(os.fsencode(target.name)[:_NAME_BYTES])
    while True:  # created as open() creates files: permissions from the umask
        temp = folder / f".{name}.{secrets.token_hex(4)}{PART_SUFFIX}"
        try:
            temp.open("xb").close()
        except FileExistsError:
            continue
        break
    try:
        yield temp
        if skip_empty and temp.stat().st_size == 0:
            temp.unlink()
        else:
            os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise

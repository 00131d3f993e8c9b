"""Output files that are either complete or absent.

Every file ``unocr read`` and ``unocr compare`` write goes through
:func:`atomic_path`: it is
written under a hidden temporary name in the same folder and renamed into
place once complete (:func:`os.replace`, atomic on one file system). An
error or Ctrl-C while writing removes the temporary file, so an output file
that exists is never half-written.

As ``tee`` does, an output that is a symbolic link is written through: the
file it leads to is replaced and the link stays. One that exists and is no
regular file (a named pipe, a terminal, ``/dev/null``, a socket) is written in
place, as it is read.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "cannot_write", "unwritable_reason", "write_text"]

#: Suffix of the temporary files, removed on failure.
PART_SUFFIX = ".part"
# The bytes of the final name a temporary name keeps.
_NAME_BYTES = 200


def _destination(target: Path) -> tuple[Path, bool]:
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


@contextmanager
def atomic_path(target: Path, *, skip_empty: bool = False) -> Iterator[Path]:
    """A temporary path to write ``target``'s content to; renamed on success.

    A link is followed (see :func:`_destination`): the temporary file is made
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
    target, in_place = _destination(target)
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


def write_text(target: Path, text: str) -> None:
    """Write ``text`` (UTF-8, ending in a newline) to ``target`` atomically.

    Args:
        target: The file.
        text: Its content.
    """
    if not text.endswith("\n"):
        text += "\n"
    with atomic_path(target) as temp:
        temp.write_text(text, encoding="utf-8")


def unwritable_reason(target: Path) -> str | None:
    """Why ``target`` could not be written, told before any work is done.

    What :func:`atomic_path` would need: a file written in place (a named
    pipe, a device) can be written; else the file (a link's final target,
    see :func:`_destination`) is not a folder, and its nearest existing folder
    (missing folders are created) can be written in. A full disk or a quota
    shows only when writing.

    Args:
        target: The output file.

    Returns:
        The reason, or ``None`` where nothing stands in the way.
    """
    try:
        target, in_place = _destination(target)
        if in_place:
            return None if os.access(target, os.W_OK) else "no permission to write it"
        if target.is_dir():
            return "it is a folder; name a file"
    except OSError as exc:  # e.g. a name longer than the file system takes
        return exc.strerror or str(exc)
    folder = target.parent
    while not os.path.exists(folder) and folder != folder.parent:
        folder = folder.parent
    if not os.path.isdir(folder):
        return f"{folder} is not a folder"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"no permission to write in {folder}"
    return None


def cannot_write(target: Path | str, why: str | OSError) -> str:
    """The error line for an output that cannot be written.

    Args:
        target: The file (``"<stdout>"`` for standard output).
        why: The reason, or the error writing it raised.

    Returns:
        ``"unocr: error: cannot write TARGET: REASON"``.
    """
    reason = why if isinstance(why, str) else why.strerror or str(why)
    return f"unocr: error: cannot write {target}: {reason}"

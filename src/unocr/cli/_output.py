"""Output files that are either complete or absent.

Every file ``unocr read`` and ``unocr compare`` write goes through
:func:`atomic_path`: it is
written under a hidden temporary name in the same folder and renamed into
place once complete (:func:`os.replace`, atomic on one file system). An
error or Ctrl-C while writing removes the temporary file, so an output file
that exists is never half-written.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "cannot_write", "unwritable_reason", "write_text"]

#: Suffix of the temporary files, removed on failure.
PART_SUFFIX = ".part"
# The bytes of the final name a temporary name keeps.
_NAME_BYTES = 200


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path to write ``target``'s content to; renamed on success.

    Args:
        target: The final file. Its folder is created when missing.

    Yields:
        The temporary file's path (``.<name>.<random>.part`` beside
        ``target``, created empty; a name longer than 200 bytes is cut there,
        so the temporary name is legal wherever the final one is). Removing it
        in the ``with`` body leaves ``target`` as it was.

    Raises:
        BaseException: Whatever the ``with`` body raised; the temporary file
            is removed and ``target`` is left as it was.
    """
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
        if temp.exists():  # the body may remove it: nothing to write
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

    What :func:`atomic_path` would need: ``target`` is not a folder, and its
    nearest existing folder (missing folders are created) can be written in.
    A full disk or a quota shows only when writing.

    Args:
        target: The output file.

    Returns:
        The reason, or ``None`` where nothing stands in the way.
    """
    try:
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

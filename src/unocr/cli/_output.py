"""Output files that are either complete or absent.

Every file ``unocr read`` and ``unocr compare`` write goes through
:func:`unocr._files.atomic_path`: it is
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

import os
import select
from pathlib import Path
from typing import TextIO

from unocr._files import atomic_path, write_destination

__all__ = [
    "atomic_path",
    "cannot_write",
    "unwritable_reason",
    "write_out",
    "write_text",
]


def write_out(data: str | bytes, out: TextIO) -> None:
    """Write all of ``data`` to a stream (standard output, an open output file).

    A pipe whose reader goes away in the middle of one large write takes
    only part of it, and Python's buffered writer then drops the rest without
    an error. So where ``out`` has a file descriptor, what it buffers is
    flushed and ``data`` goes to the descriptor in a loop that checks what
    each write took: the reader gone raises :class:`BrokenPipeError`, which
    the command line ends with exit status 1.

    Args:
        data: Text (encoded as ``out`` encodes), or bytes (a PDF).
        out: The stream.

    Raises:
        OSError: The stream cannot take it (:class:`BrokenPipeError` where
            its reader went away).
    """
    try:
        fd = out.fileno()
    except (AttributeError, OSError, ValueError):  # in memory (io.StringIO)
        if isinstance(data, bytes):
            out.buffer.write(data)
        else:
            out.write(data)
        out.flush()
        return
    out.flush()
    raw = (
        data
        if isinstance(data, bytes)
        else data.encode(out.encoding, out.errors or "strict")
    )
    view = memoryview(raw)
    while view:
        try:
            view = view[os.write(fd, view) :]
        except BlockingIOError:  # a descriptor set non-blocking: wait for room
            select.select([], [fd], [])


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
    see :func:`unocr._files.write_destination`) is not a folder, and its
    nearest existing folder (missing folders are created) can be written in.
    A full disk or a quota shows only when writing.

    Args:
        target: The output file.

    Returns:
        The reason, or ``None`` where nothing stands in the way.
    """
    try:
        target, in_place = write_destination(target)
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


def cannot_write(target: Path | str, why: str | Exception) -> str:
    """The error line for an output that cannot be written.

    Args:
        target: The file (``"<stdout>"`` for standard output).
        why: The reason, or the error writing it raised (an :class:`OSError`,
            or Pillow's :class:`ValueError` for an image it cannot save).

    Returns:
        ``"unocr: error: cannot write TARGET: REASON"``.
    """
    reason = why if isinstance(why, str) else getattr(why, "strerror", None) or str(why)
    return f"unocr: error: cannot write {target}: {reason}"

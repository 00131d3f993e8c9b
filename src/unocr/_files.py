"""Opening a user's input file: a regular file only, without ever blocking.

Package-internal. Images (:mod:`unocr.image`) and OCR result files
(:mod:`unocr.formats`) open paths through :func:`open_regular_file`, so both
refuse directories, devices, FIFOs and sockets the same way, each with its own
error type.
"""

from __future__ import annotations

import os
import stat
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

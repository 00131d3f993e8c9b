"""Output files that are either complete or absent.

Every file ``unocr read`` writes goes through :func:`atomic_path`: it is
written under a hidden temporary name in the same folder and renamed into
place once complete (:func:`os.replace`, atomic on one file system). An
error or Ctrl-C while writing removes the temporary file, so an output file
that exists is never half-written.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_path", "write_text"]

#: Suffix of the temporary files, removed on failure.
PART_SUFFIX = ".part"


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path to write ``target``'s content to; renamed on success.

    Args:
        target: The final file. Its folder is created when missing.

    Yields:
        The temporary file's path (``.<name>.<random>.part`` beside
        ``target``, created empty). Removing it in the ``with`` body leaves
        ``target`` as it was.

    Raises:
        BaseException: Whatever the ``with`` body raised; the temporary file
            is removed and ``target`` is left as it was.
    """
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    while True:  # created as open() creates files: permissions from the umask
        temp = folder / f".{target.name}.{secrets.token_hex(4)}{PART_SUFFIX}"
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

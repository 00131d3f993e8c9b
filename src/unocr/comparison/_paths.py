"""Where the image and dataset paths of a comparison result point.

A run records absolute paths, so its result does not depend on the folder it
was made in. A results file written for a known place
(:meth:`CompareResult.save <unocr.comparison.CompareResult.save>`, or
``to_json(relative_to=FOLDER)``) holds them relative to that folder, with
``/`` between names, and says so with the top-level key
``"paths_relative_to": "file"``: moved or copied together with its images
(another machine, another checkout), the file still finds them. A path with
no relative form (another Windows drive) stays absolute. Read without its
folder, such a file's result keeps the paths and the mark as written
(:attr:`CompareResult.paths_relative_to_file
<unocr.comparison.CompareResult.paths_relative_to_file>`).

A file without that key (one an older unocr saved) holds the paths as its run
was given them, relative to the folder the run was made in: where one is
found from the current folder it is taken from there, else from the file's
folder (where ``--json`` usually wrote it), else kept as written.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["FILE", "KEY", "located", "written"]

#: The top-level key of a results file that says where its relative paths
#: start, and its value for the file's own folder.
KEY, FILE = "paths_relative_to", "file"


def written(path: str, folder: str | os.PathLike[str]) -> str:
    """``path`` as a file in ``folder`` records it: relative to ``folder``.

    Args:
        path: An image's or a dataset's path (a relative one is taken from
            the current folder).
        folder: The folder of the results file.

    Returns:
        The relative path with ``/`` between names; ``path`` itself where no
        relative path leads there (another drive).
    """
    try:
        relative = os.path.relpath(os.path.abspath(path), os.path.abspath(folder))
    except ValueError:
        return path
    return Path(relative).as_posix()


def located(path: str, folder: str | os.PathLike[str], *, marked: bool) -> str:
    """Where a path read from a results file in ``folder`` points.

    Args:
        path: The path as the file holds it.
        folder: The file's folder.
        marked: Whether the file says its relative paths start at its folder
            (:data:`KEY` is :data:`FILE`); else they start at the folder of
            the run.

    Returns:
        An absolute path, or ``path`` as written where an older file's path is
        found neither from the current folder nor from ``folder``.
    """
    if os.path.isabs(path):
        return path
    beside = os.path.abspath(os.path.join(folder, path))
    if marked:
        return beside
    if os.path.exists(path):  # an older file read in the folder of its run
        return os.path.abspath(path)
    if os.path.exists(beside):
        return beside
    return path

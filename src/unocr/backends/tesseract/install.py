"""What the installed ``tesseract`` program offers: version and languages.

Pure (no pytesseract import), so :func:`unocr.available_backends` can report
the installed language data without importing the engine.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from unocr.backends.catalog import DataProbe
from unocr.backends.tesseract import process
from unocr.backends.tesseract.languages import from_tesseract
from unocr.errors import BackendUnavailableError, ProcessTimeout, UnocrError

__all__ = ["ENGINE_ENV", "Install", "probe", "probe_data"]

_NAME = "tesseract"
_APT = "tesseract-ocr"
_INSTALL = f"apt-get install {_APT} (macOS: brew install tesseract)"
#: Environment the engine process gets on top of the parent's.
ENGINE_ENV: Mapping[str, str] = {"OMP_THREAD_LIMIT": "1"}
_LIST_TIMEOUT = 60.0


@dataclass(frozen=True)
class Install:
    """What ``tesseract --version`` and ``--list-langs`` report.

    Attributes:
        path: The program.
        version: Its version, e.g. ``"5.3.0"``.
        datadir: The folder its traineddata files are read from.
        languages: Installed traineddata names (``"eng"``, ``"kor"``...).
    """

    path: str
    version: str
    datadir: str | None
    languages: frozenset[str]


def _run_info(path: str, *flags: str) -> str:
    flag = " ".join(flags)
    try:
        result = process.run(
            [path, *flags],
            timeout=_LIST_TIMEOUT,
            env=process.child_environment(ENGINE_ENV),
        )
    except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
        raise BackendUnavailableError(
            f"the Tesseract program {path!r} cannot be run ({exc.strerror or exc}).",
            backend=_NAME,
            fix=_INSTALL,
        ) from exc
    except ProcessTimeout as exc:
        raise BackendUnavailableError(
            f"the Tesseract program {path!r} did not answer '{flag}' within "
            f"{_LIST_TIMEOUT:g} s.",
            backend=_NAME,
            fix=f"check that {path} runs, or reinstall it: {_INSTALL}",
        ) from exc
    text = (result.stdout + result.stderr).decode("utf-8", "replace")
    if result.returncode != 0:
        raise BackendUnavailableError(
            f"the Tesseract program {path!r} failed on '{flag}' "
            f"(exit status {result.returncode}): {text.strip()[-300:]}",
            backend=_NAME,
            fix=f"reinstall it: {_INSTALL}",
        )
    return text


@lru_cache(maxsize=16)
def probe(
    path: str, tessdata_prefix: str | None, tessdata_dir: str | None = None
) -> Install:
    """Run ``--version`` and ``--list-langs`` once per program and data folder.

    Raises:
        BackendUnavailableError: The program cannot be run or fails.
    """
    version_text = _run_info(path, "--version")
    match = re.search(r"tesseract\s+v?(\S+)", version_text)
    version = match.group(1) if match else "unknown"
    dir_args = ["--tessdata-dir", tessdata_dir] if tessdata_dir else []
    langs_text = _run_info(path, *dir_args, "--list-langs")
    datadir_match = re.search(r'languages in "([^"]*)"', langs_text)
    names = {
        line.strip()
        for line in langs_text.splitlines()[1:]
        if re.fullmatch(r"[A-Za-z0-9_.+-]+", line.strip())
    }
    return Install(
        path=path,
        version=version,
        datadir=datadir_match.group(1) if datadir_match else None,
        languages=frozenset(names),
    )


def probe_data() -> DataProbe:
    """Installed Tesseract languages as ISO codes, from ``--list-langs``.

    The catalog's data probe for ``tesseract`` (see
    :mod:`unocr.backends.catalog`): runs the program on ``PATH``, imports no
    engine.

    Returns:
        The installed languages; what is missing and the fix when there is
        no language data, or the program cannot be run.
    """
    try:
        install = probe(shutil.which(_NAME) or _NAME, None)
    except UnocrError as err:
        return DataProbe(missing=str(err))
    codes = sorted({c for n in install.languages if (c := from_tesseract(n))})
    if not codes:
        return DataProbe(
            missing="no Tesseract language data is installed",
            fix="apt-get install tesseract-ocr-eng",
            languages=(),
        )
    return DataProbe(languages=tuple(codes))

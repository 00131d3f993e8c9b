"""Where each engine runs: ``unocr.toml`` and environment variables.

The first of these that exists is the configuration file:

1. the file named by ``UNOCR_CONFIG`` (set it empty to use no file);
2. ``unocr.toml`` in the current folder or the nearest parent folder;
3. ``unocr/unocr.toml`` in the user's configuration folder
   (``$XDG_CONFIG_HOME``, default ``~/.config``).

It has one table per engine, e.g.::

    [backends.keras-ocr]
    python = ".venv-keras/bin/python"   # relative to this file's folder
    processes = 2                       # worker processes at most
    timeout = 120                       # seconds per image; worker replaced
    max_memory = "4G"                   # resident memory per worker

    [backends.keras-ocr.options]        # the engine's own options
    scale = 1

    [backends.rapidocr]
    isolate = true                      # own process, this interpreter

The settings of an engine's table (:func:`configured_placement`) act as
the same options given to ``get_backend``: ``python``, ``processes`` or
``max_memory`` isolate the engine (:func:`isolates`), ``isolate`` decides
outright, and a ``timeout`` alone stays the engine's own option, in process.
Options given in the call win over them one by one.

An engine's ``options`` table holds keyword options of its backend, as if
given to ``get_backend``; options given in the call win over them, and one
the engine does not have raises
:class:`~unocr.errors.UnknownOptionError` naming this file. They apply
wherever the engine runs, in process or in workers.

Every ``[backends.NAME]`` must name an engine the registry knows (a
built-in name or alias, an entry point, one added with
:func:`unocr.register_backend` before the file is read, or a cascade or
pipeline of these): a misspelt name is a
:class:`~unocr.errors.ConfigError` naming the file and the closest name. An
engine built on behalf of another process (in an isolated engine's worker,
an executor's or a Dask worker: :func:`leave_names_to_parent`) leaves that to
the process that sent the work, whose registry may know more. One table
per engine: two naming the same engine (its name and an alias, e.g.
``[backends.gcv]`` and ``[backends.google]``) are a
:class:`~unocr.errors.ConfigError` naming both, where one's settings would
otherwise override the other's in silence.

``UNOCR_PYTHON_<NAME>`` (the name upper-cased, ``-`` as ``_``: e.g.
``UNOCR_PYTHON_KERAS_OCR``) sets an engine's interpreter and wins over the
file; a relative path is taken from the working folder when it is read
(a bare name such as ``python3`` is looked up on ``PATH``). An engine
configured for the interpreter that is already running runs in process, so
the same file serves both environments.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
import sys
from collections.abc import Callable, Hashable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unocr.backends.options import check_seconds
from unocr.errors import ConfigError

__all__ = [
    "FILE_NAME",
    "Placement",
    "check_limits",
    "config_file",
    "config_key",
    "configured_options",
    "configured_placement",
    "env_name",
    "is_bare_name",
    "is_current_python",
    "isolates",
    "leave_names_to_parent",
    "parse_memory",
    "placement",
]

#: Name of the configuration file.
FILE_NAME = "unocr.toml"
_KEYS = {"python", "isolate", "processes", "timeout", "max_memory", "options"}
#: Settings that say where an engine runs: its table's, not its options'.
_PLACEMENT_KEYS = ("python", "isolate", "processes", "max_memory")
_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


@dataclass(frozen=True)
class Placement:
    """How one engine is hosted, and who said so.

    Attributes:
        backend: The engine's canonical name.
        python: The interpreter hosting its workers; ``None``: this one.
        processes: Most worker processes at once; ``None``: one per
            concurrent call.
        timeout: Seconds an image may take before its worker is replaced.
        max_memory: Resident bytes a worker may use before it is replaced.
        source: Where this came from: a file path or an environment variable.
    """

    backend: str
    python: str | None
    processes: int | None = None
    timeout: float | None = None
    max_memory: int | None = None
    source: str = ""


def env_name(backend: str) -> str:
    """The environment variable naming an engine's interpreter.

    Examples:
        >>> env_name("keras-ocr")
        'UNOCR_PYTHON_KERAS_OCR'
    """
    return "UNOCR_PYTHON_" + re.sub(r"[^A-Z0-9]", "_", backend.upper())


def parse_memory(value: object, where: str = "max_memory") -> int:
    """Bytes from an integer or a size such as ``"512M"`` or ``"4G"`` (powers of 2).

    Raises:
        ConfigError: Not a positive size.

    Examples:
        >>> parse_memory("1.5G")
        1610612736
        >>> parse_memory(4096)
        4096
    """
    if isinstance(value, bool):
        pass
    elif isinstance(value, int) and value > 0:
        return value
    elif isinstance(value, str):
        m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", value.lower())
        if m and float(m.group(1)) > 0:
            return int(float(m.group(1)) * _UNITS[m.group(2)])
    raise ConfigError(
        f"{where} must be a positive number of bytes or a size such as '512M' or "
        f"'4G', got {value!r}"
    )


def check_limits(
    processes: object, timeout: object, where: str = "", source: str | None = None
) -> tuple[int | None, float | None]:
    """Validate ``processes`` (whole number >= 1) and ``timeout`` (seconds > 0).

    Args:
        processes: The value given, or ``None``.
        timeout: The value given, or ``None``.
        where: Where they were given, for the message (e.g. `` under [...]``).
        source: The file that gave them, if any.

    Returns:
        Both, ``timeout`` as a float.

    Raises:
        ConfigError: Either is invalid.
    """
    if processes is not None and (
        isinstance(processes, bool) or not isinstance(processes, int) or processes < 1
    ):
        raise ConfigError(
            f"processes{where} must be a whole number >= 1, got {processes!r}",
            source=source,
        )
    return processes, check_seconds(timeout, f"timeout{where}", source=source)


def config_file() -> Path | None:
    """The configuration file in force (see the module's documentation).

    A working folder that no longer exists holds no file: the search goes on
    with the user's configuration folder. So does a place this process may
    not look into (a service running as a user who has no access to
    ``$HOME``): a file there could not be read, and the engines run as if
    there were none.
    """
    explicit = os.environ.get("UNOCR_CONFIG")
    if explicit is not None:
        return Path(explicit).expanduser() if explicit.strip() else None
    try:
        here = Path.cwd()
    except OSError:  # the working folder was removed
        folders: tuple[Path, ...] = ()
    else:
        folders = (here, *here.parents)
    for folder in folders:
        candidate = folder / FILE_NAME
        if _visible_file(candidate):
            return candidate
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    user = Path(base) / "unocr" / FILE_NAME
    return user if _visible_file(user) else None


def _visible_file(path: Path) -> bool:
    """Whether ``path`` is a file this process can see.

    ``False`` where a folder on the way may not be looked into
    (``PermissionError``), or looking fails otherwise, instead of raising.
    """
    try:
        return path.is_file()
    except OSError:
        return False


_Stamp = tuple[int, int, int, int]


def _stamp(path: Path) -> _Stamp:
    """Which file ``path`` is and which version of it: device, inode, size, mtime.

    Raises:
        OSError: It cannot be read.
    """
    st = path.stat()
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def config_key() -> Hashable:
    """The configuration in force, cheaply: equal while nothing in it changes.

    A key for caches of engines built from it: the configuration file
    (:func:`config_file`), which file that is and its size and modification
    time, and the ``UNOCR_PYTHON_<NAME>`` variables. The file is not read.
    """
    path = config_file()
    try:
        stamp = None if path is None else _stamp(path)
    except OSError:  # reading it fails, and says why
        stamp = None
    variables = sorted(
        (k, v) for k, v in os.environ.items() if k.startswith(env_name(""))
    )
    return None if path is None else str(path), stamp, tuple(variables)


_cache: dict[Path, tuple[_Stamp, dict[str, Any]]] = {}


def _load(path: Path) -> dict[str, Any]:
    """The ``[backends]`` tables of a file (parsed once until it changes).

    Their names are checked on every call from the parsed tables (it is
    cheap), unless the engine is built for another process
    (:func:`leave_names_to_parent`): the cache holds tables, never whether
    they were checked.
    """
    try:
        stamp = _stamp(path)
    except OSError as exc:
        raise ConfigError(
            f"cannot read the unocr configuration file {path}: {exc.strerror}; "
            "fix or unset UNOCR_CONFIG",
            source=str(path),
        ) from None
    hit = _cache.get(path)
    tables = hit[1] if hit is not None and hit[0] == stamp else _parse(path, stamp)
    if _names_checked.get():
        for name in tables:
            _check_engine(name, path)
    return tables


def _parse(path: Path, stamp: _Stamp) -> dict[str, Any]:
    """Read and cache the ``[backends]`` tables of a file (see :func:`_load`)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"{path} is not a valid TOML file: {exc}", source=str(path)
        ) from None
    unknown = sorted(set(data) - {"backends"})
    if unknown:  # a typo would leave its settings unused, in silence
        raise ConfigError(
            f"{path}: unknown table or key {unknown[0]!r}; the file holds one "
            "[backends.NAME] table per engine (e.g. [backends.tesseract.options])",
            source=str(path),
        )
    tables = data.get("backends", {})
    if not isinstance(tables, dict) or not all(
        isinstance(v, dict) for v in tables.values()
    ):
        raise ConfigError(
            f"{path}: 'backends' must hold one table per engine, e.g. "
            "[backends.keras-ocr]",
            source=str(path),
        )
    _cache[path] = (stamp, tables)
    return tables


#: Whether the file's engine names are checked in this context (see
#: :func:`leave_names_to_parent`).
_names_checked: ContextVar[bool] = ContextVar("unocr_names_checked", default=True)


@contextmanager
def leave_names_to_parent() -> Iterator[None]:
    """Build engines inside without checking ``[backends.NAME]`` names.

    For a build done on behalf of another process: an isolated engine's
    worker, an executor's or a Dask worker's task. That process checks the
    file's engine names against its own registry, which may know engines
    this one does not (one added with :func:`unocr.register_backend`, one
    installed in its environment only). Only this thread's context (and
    what runs in it) leaves them: other threads of the process, its own
    builds, still check them.

    Yields:
        Nothing; the build runs inside.
    """
    token = _names_checked.set(False)
    try:
        yield
    finally:
        _names_checked.reset(token)


def _check_engine(name: str, path: Path) -> None:
    """Refuse a ``[backends.NAME]`` table whose name is no engine's.

    Its settings would otherwise apply to none, in silence. A cascade's or a
    pipeline's name is known when each of its engines is. Nothing is imported.

    Raises:
        ConfigError: No engine has the name; the message gives the closest.
    """
    from unocr.backends.catalog import BUILTINS, cascade_parts, pipeline_parts
    from unocr.registry import backend_names, canonical_name

    where = f"[backends.{name}] in {path}"
    try:
        engines = cascade_parts(name) or [name]
    except ConfigError as err:
        raise ConfigError(f"{err} (under {where})", source=str(path)) from None
    parts = [p for e in engines for p in (pipeline_parts(e.lower()) or (e,))]
    known = backend_names()
    unknown = [p for p in parts if canonical_name(p) not in known]
    if not unknown:
        return
    names = sorted({*known, *(a for b in BUILTINS for a in b.aliases)})
    close = difflib.get_close_matches(
        unknown[0].strip().lower(), names, n=1, cutoff=0.5
    )
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ConfigError(
        f"{where}: no engine is named {unknown[0]!r}, so its settings would apply "
        f"to none.{hint} Known engines: {', '.join(known)}; fix the table's name "
        "(an engine added with unocr.register_backend must be registered before "
        "an engine is made)",
        source=str(path),
    )


def is_bare_name(python: str) -> bool:
    """Whether ``python`` is a name to look up on ``PATH``, not a path.

    Args:
        python: An interpreter as given (``python3``, ``bin/python3``).

    Returns:
        ``True`` when it holds no path separator.

    Examples:
        >>> is_bare_name("python3"), is_bare_name("bin/python3")
        (True, False)
    """
    return not any(sep and sep in python for sep in (os.sep, os.altsep))


def is_current_python(python: str) -> bool:
    """Whether ``python`` is the interpreter (of the environment) running now.

    Args:
        python: A path, or a bare name looked up on ``PATH`` (``python3``).

    Returns:
        ``True`` when it is an interpreter in the folder of ``sys.executable``.
    """
    if is_bare_name(python):
        python = shutil.which(python) or python
    exe = Path(python)
    try:
        return exe.parent.samefile(Path(sys.executable).parent) and (
            exe.name.startswith("python")
        )
    except OSError:
        return False


def _settings(name: str, table: dict[str, Any], path: Path) -> dict[str, Any]:
    """The settings of an engine's table that it gives, as ``get_backend`` options."""
    where = f"[backends.{name}] in {path}"
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise ConfigError(
            f"unknown setting {unknown[0]!r} under {where}; known: "
            f"{', '.join(sorted(_KEYS))}",
            source=str(path),
            backend=name,
        )
    options = _options(name, table, path)
    if "timeout" in table and "timeout" in options:
        raise ConfigError(
            f"timeout is set both under {where} and under its options table; "
            "keep one (either is get_backend's timeout=)",
            source=str(path),
            backend=name,
        )
    python = table.get("python")
    if python is not None and (not isinstance(python, str) or not python.strip()):
        raise ConfigError(
            f"python under {where} must be the path of an interpreter, got {python!r}",
            source=str(path),
            backend=name,
        )
    isolate = table.get("isolate")
    if isolate is not None and not isinstance(isolate, bool):
        raise ConfigError(
            f"isolate under {where} must be true or false, got {isolate!r}",
            source=str(path),
            backend=name,
        )
    processes, timeout = check_limits(
        table.get("processes"), table.get("timeout"), f" under {where}", str(path)
    )
    memory = table.get("max_memory")
    try:
        max_memory = None if memory is None else parse_memory(memory, "max_memory")
    except ConfigError as err:
        raise ConfigError(
            f"{err.message} (under {where})", source=str(path), backend=name
        ) from None
    if python is not None and not is_bare_name(python):
        exe = Path(python).expanduser()
        python = str(exe if exe.is_absolute() else path.parent / exe)
    given = {
        "python": python,
        "isolate": isolate,
        "processes": processes,
        "timeout": timeout,
        "max_memory": max_memory,
    }
    return {k: v for k, v in given.items() if v is not None}


def _options(name: str, table: dict[str, Any], path: Path) -> dict[str, Any]:
    """The engine options of an engine's table (``[backends.NAME.options]``)."""
    options = table.get("options", {})
    where = f"[backends.{name}.options] in {path}"
    if not isinstance(options, dict):
        raise ConfigError(
            f"options under [backends.{name}] in {path} must be a table of the "
            f"engine's options, e.g. [backends.{name}.options] with scale = 1 "
            "on the next line",
            source=str(path),
            backend=name,
        )
    misplaced = sorted(set(options) & set(_PLACEMENT_KEYS))
    if misplaced:
        raise ConfigError(
            f"{misplaced[0]!r} under {where} says where the engine runs; set it "
            f"in [backends.{name}] itself",
            source=str(path),
            backend=name,
        )
    return dict(options)


def _table(backend: str) -> tuple[dict[str, Any] | None, Path | None]:
    """The configuration file's table for an engine (any spelling of its name).

    Returns:
        The table (``None`` when the file has none for the engine) and the
        file in force (``None`` when there is none).

    Raises:
        ConfigError: Two tables name the engine (its name and an alias, or
            two spellings): one's settings would override the other's.
    """
    from unocr.registry import canonical_name

    path = config_file()
    if path is None:
        return None, None
    found = [(k, t) for k, t in _load(path).items() if canonical_name(k) == backend]
    if len(found) > 1:
        names = " and ".join(f"[backends.{k}]" for k, _ in found)
        raise ConfigError(
            f"{names} in {path} both name the {backend} engine, so one's settings "
            "would override the other's; keep one table per engine and move "
            "their settings into it",
            source=str(path),
            backend=backend,
        )
    return (found[0][1] if found else None), path


def configured_options(backend: str) -> tuple[dict[str, Any], str | None]:
    """The engine options the configuration file gives an engine.

    Args:
        backend: The engine's canonical name.

    Returns:
        The options (``{}`` when none) and the file that gave them (``None``
        when no file is in force).

    Raises:
        ConfigError: The configuration file is malformed, or two of its
            tables name the engine.
    """
    options, path = _read(backend, _options)
    return options, None if path is None else str(path)


def _read(
    backend: str,
    read: Callable[[str, dict[str, Any], Path], dict[str, Any]],
) -> tuple[dict[str, Any], Path | None]:
    """One reading of an engine's configuration table.

    Args:
        backend: The engine's canonical name.
        read: What to take from the table (its options, or its settings).

    Returns:
        What the table gives (``{}`` without one), and the file in force.

    Raises:
        ConfigError: The file is malformed, or two tables name the engine.
    """
    table, path = _table(backend)
    if table is None or path is None:
        return {}, path
    return read(backend, table, path), path


def isolates(settings: Mapping[str, object]) -> bool:
    """Whether ``get_backend`` options put an engine in worker processes.

    ``isolate`` decides when it is ``True`` or ``False``; otherwise
    ``python``, ``processes`` or ``max_memory`` isolate the engine (a
    ``timeout`` alone does not: in process it is the engine's own option).

    Args:
        settings: The options (or a configuration table's settings).

    Returns:
        ``True`` for worker processes, ``False`` for in process.

    Examples:
        >>> isolates({"processes": 2}), isolates({"timeout": 5})
        (True, False)
        >>> isolates({"isolate": False, "max_memory": "1G"})
        False
    """
    isolate = settings.get("isolate")
    if isinstance(isolate, bool):
        return isolate
    return any(
        settings.get(k) is not None for k in ("python", "processes", "max_memory")
    )


def configured_placement(backend: str) -> tuple[dict[str, Any], str | None]:
    """Where the configuration says an engine runs, as ``get_backend`` options.

    The engine's table gives ``python``, ``isolate``, ``processes``,
    ``timeout`` and ``max_memory`` (those it sets); ``UNOCR_PYTHON_<NAME>``
    replaces its ``python`` (and overrides an ``isolate = false``; a
    relative path is made absolute from the working folder now). A table
    naming the interpreter running now gives nothing: the engine runs in
    process here, so one file serves every environment.

    Args:
        backend: The engine's canonical name.

    Returns:
        The settings (``{}`` when none) and who gave them: the file's path or
        the environment variable (``None`` when nothing did).

    Raises:
        ConfigError: The configuration file is malformed, or two of its
            tables name the engine.
    """
    settings, path = _read(backend, _settings)
    source = str(path) if settings else None
    variable = env_name(backend)
    python = os.environ.get(variable, "").strip()
    if python:
        if not is_bare_name(python):
            # a path, not a name looked up on PATH: fixed now, since the
            # working folder may change before a worker starts
            python = str(Path(python).expanduser().absolute())
        settings["python"] = python
        settings.pop("isolate", None)
        source = f"the environment variable {variable}"
    if settings.get("python") and is_current_python(settings["python"]):
        return {}, None
    return settings, source


def placement(backend: str) -> Placement | None:
    """Where the configuration puts an engine.

    Args:
        backend: The engine's canonical name.

    Returns:
        Its placement, or ``None`` when it runs in process (not configured,
        configured for the interpreter running now, or nothing in its table
        isolates it: see :func:`isolates`).

    Raises:
        ConfigError: The configuration file is malformed, or two of its
            tables name the engine.
    """
    settings, source = configured_placement(backend)
    if not isolates(settings):
        return None
    return Placement(
        backend=backend,
        python=settings.get("python"),
        processes=settings.get("processes"),
        timeout=settings.get("timeout"),
        max_memory=settings.get("max_memory"),
        source=source or "",
    )

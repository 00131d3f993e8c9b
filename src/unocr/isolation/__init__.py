"""Engines in their own processes and environments.

``unocr.get_backend(name, python=...)`` (an interpreter whose environment
has the engine), ``isolate=True`` (this interpreter) or a ``unocr.toml``
entry (:mod:`unocr.isolation.config`) puts an engine into worker processes
behind an ordinary backend (:class:`~unocr.isolation.proxy.IsolatedBackend`).
The pieces:

- :mod:`~unocr.isolation.protocol`: messages over pipes (JSON header, raw
  blob), pages and typed errors across the boundary;
- :mod:`~unocr.isolation.transfer`: pixels through shared memory;
- :mod:`~unocr.isolation.worker`: the worker process's main loop;
- :mod:`~unocr.isolation.process`: one worker seen from the parent
  (time-out, memory limit, crash, standard error);
- :mod:`~unocr.isolation.pool`: workers started on demand and replaced;
- :mod:`~unocr.isolation.config`: which interpreter hosts which engine.

Nothing here imports an engine in the parent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unocr.backends.base import Backend
    from unocr.errors import (
        ConfigError,
        LanguageCodeError,
        LanguageUnavailableError,
        UnknownOptionError,
    )

__all__ = ["ISOLATION_OPTIONS", "UNSET_IF_NONE", "FileOptions", "isolated_backend"]

#: Options of ``get_backend`` that choose and limit the worker processes.
ISOLATION_OPTIONS = ("python", "isolate", "processes", "max_memory")

#: Options a call leaves to the configuration file by passing ``None``:
#: ``languages=None`` is "the engine's own", what a cascade gives its engines
#: and ``unocr read`` without ``--lang`` gives its engine.
UNSET_IF_NONE = ("languages",)


def _given(options: Mapping[str, Any], key: str) -> bool:
    """Whether a call gives ``key`` (``None`` gives none of :data:`UNSET_IF_NONE`)."""
    return key in options and not (key in UNSET_IF_NONE and options[key] is None)


def _target(backend: str) -> str | None:
    """``module:attribute`` of an engine registered at run time, for the worker.

    Built-in and entry-point engines are found by name in the worker's own
    registry; one added with :func:`unocr.register_backend` exists only in
    this process, so the worker imports its factory from where it is defined.
    """
    from unocr.registry import registered_factory

    factory = registered_factory(backend)
    if factory is None:
        return None
    module = getattr(factory, "__module__", None)
    qualname = getattr(factory, "__qualname__", None)
    if not module or not qualname or module == "__main__" or "<" in qualname:
        from unocr.errors import ConfigError

        raise ConfigError(
            f"the backend {backend!r} was registered with a factory a worker "
            f"process cannot import ({factory!r}); define it at the top level of "
            "an importable module",
            backend=backend,
        )
    return f"{module}:{qualname}"


@dataclass(frozen=True)
class FileOptions:
    """The engine options the configuration file gave one ``get_backend`` call.

    Attributes:
        backend: The engine's canonical name.
        tables: Each option the file gave (and the call did not), with the
            table that sets it, e.g. ``{"psm": "[backends.tesseract.options]"}``.
        config: The file (``None`` when no file is in force).
        call: The engine options the call gave itself.
    """

    backend: str
    tables: Mapping[str, str] = field(default_factory=dict)
    config: str | None = None
    call: frozenset[str] = frozenset()

    @contextmanager
    def named(self) -> Iterator[None]:
        """Name the file in an error about an option it gave, raised inside.

        An error is about the option its check names
        (:attr:`ConfigError.option <unocr.errors.ConfigError>`), else the
        one its message begins with (``psm must be ...``, ``config: ...``),
        else an option it names when it names options of the file and none
        of the call. A language error is about ``languages``.

        Raises:
            unocr.errors.UnknownOptionError: An option the engine does not
                have; the message names the table and file when the file
                gave it.
            unocr.errors.ConfigError: A value the engine refuses; when the
                file gave the option (and no file is named yet), a new one
                naming the table and file, with ``.source``.
            unocr.errors.LanguageCodeError: A language code the engine
                refuses; the same error naming the table and file (and with
                ``.source``) when the file gave ``languages``.
            unocr.errors.LanguageUnavailableError: A language the engine
                cannot read; likewise.
        """
        from unocr.errors import (
            ConfigError,
            LanguageCodeError,
            LanguageUnavailableError,
            UnknownOptionError,
        )

        try:
            yield
        except UnknownOptionError as err:
            raise self._unknown(err) from None
        except ConfigError as err:
            named = self._refused(err)
            if named is None:
                raise
            raise named from None
        except (LanguageCodeError, LanguageUnavailableError) as err:
            raise self._language(err) from None

    def _where(self, option: str) -> str | None:
        """``It is set under TABLE in FILE``, when the file gave ``option``."""
        table = self.tables.get(option)
        if table is None or self.config is None:
            return None
        return f"It is set under {table} in {self.config}"

    def _unknown(self, err: UnknownOptionError) -> UnknownOptionError:
        """The error, naming the file when the option came from it."""
        where = self._where(err.option)
        if where is not None:
            err.message += f" {where}; fix or remove it there."
            err.args = (err.message,)
        return err

    def _language(
        self, err: LanguageCodeError | LanguageUnavailableError
    ) -> LanguageCodeError | LanguageUnavailableError:
        """The error, naming the file when it gave the languages (``.source``)."""
        where = self._where("languages")
        if where is None or err.source is not None:
            return err
        fix = getattr(err, "fix", None)
        said = err.message
        if fix and said.endswith(f" Fix: {fix}"):  # the fix stays last
            said = said[: -len(f" Fix: {fix}")]
            err.message = f"{said.rstrip('.')}. {where}; change it there. Fix: {fix}"
        else:
            err.message = f"{said.rstrip('.')}. {where}; fix it there."
        err.args = (err.message,)
        err.source = self.config
        return err

    def _about(self, err: ConfigError) -> list[str]:
        """The options a refused value is about (see :meth:`named`)."""
        if err.option is not None:
            return [err.option]
        said = str(err)
        options = [*self.tables, *self.call]
        for option in options:
            if re.match(rf"{re.escape(option)}(?!\w)", said):
                return [option]
        named = [o for o in options if re.search(rf"(?<!\w){re.escape(o)}(?!\w)", said)]
        return named if all(o in self.tables for o in named) else []

    def _refused(self, err: ConfigError) -> ConfigError | None:
        """The error naming the file, if it is about an option the file gave."""
        from unocr.errors import ConfigError

        if err.source is not None:
            return None
        options = [o for o in self._about(err) if self._where(o) is not None]
        if not options:
            return None
        said = str(err)
        tables = " and ".join(dict.fromkeys(self.tables[o] for o in options))
        return ConfigError(
            f"{said.rstrip('.')}. It is set under {tables} in {self.config}; "
            "fix it there.",
            source=self.config,
            backend=err.backend or self.backend,
            option=options[0] if len(options) == 1 else err.option,
        )


def _check_in_process(options: dict[str, Any], file: FileOptions) -> None:
    """Check the options the file gives an engine built in this process.

    Args:
        options: All the options the engine will get.
        file: Those the file gave.
    """
    if not file.tables:
        return
    from unocr.backends.options import check_options
    from unocr.registry import resolve_backend

    canonical, factory = resolve_backend(file.backend)
    for table in dict.fromkeys(file.tables.values()):
        given = {k: options[k] for k, t in file.tables.items() if t == table}
        only = FileOptions(canonical, dict.fromkeys(given, table), file.config)
        with only.named():
            check_options(canonical, factory, given)


def isolated_backend(
    name: str, options: dict[str, Any]
) -> tuple[Backend | None, FileOptions]:
    """The isolated backend that ``get_backend(name, **options)`` asks for.

    The configuration's settings for the engine
    (:func:`~unocr.isolation.config.configured_placement`) and engine
    options (:func:`~unocr.isolation.config.configured_options`) are merged
    under the given options, one by one (a ``None`` for one of
    :data:`UNSET_IF_NONE` gives nothing). Then ``python=``, ``processes=``
    or ``max_memory=`` (or ``isolate=True``) isolate the engine, and
    ``isolate=False`` keeps it in process
    (:func:`~unocr.isolation.config.isolates`). When isolated, ``timeout=``
    is the per-image limit of the worker; in process it stays the engine's
    own option.

    Args:
        name: The engine's name or alias.
        options: ``get_backend``'s keyword options; the isolation options
            are removed from it and the configured engine options added.

    Returns:
        The isolated backend, or ``None`` to build the engine in process
        (within :meth:`FileOptions.named` of the second item); and the
        options the file gave.

    Raises:
        unocr.errors.ConfigError: A malformed configuration file, a value the
            file gives that the engine refuses (naming the file), or
            ``isolate`` neither ``True``, ``False`` nor ``None``.
        unocr.errors.UnknownOptionError: The file gives an option the engine
            does not have (the message names the file).
        unocr.errors.LanguageCodeError: The file's ``languages`` hold a code
            that is not ISO 639 (the message names the file; ``.source``).
        unocr.errors.LanguageUnavailableError: The isolated engine cannot read
            the file's ``languages`` (likewise).
    """
    from unocr.errors import ConfigError
    from unocr.isolation.config import (
        configured_options,
        configured_placement,
        isolates,
    )
    from unocr.registry import canonical_name

    backend = canonical_name(name)
    given = {k: options.pop(k) for k in ISOLATION_OPTIONS if k in options}
    if not isinstance(given.get("isolate", False), bool | None):
        raise ConfigError(
            f"isolate must be True, False or None, got {given['isolate']!r}",
            backend=backend,
        )
    configured, config = configured_options(backend)
    settings, source = configured_placement(backend)
    tables = dict.fromkeys(configured, f"[backends.{backend}.options]")
    if "timeout" in settings:
        configured["timeout"] = settings.pop("timeout")
        tables["timeout"] = f"[backends.{backend}]"
    call = frozenset(k for k in options if _given(options, k))
    tables = {k: t for k, t in tables.items() if k not in call}
    for key in tables:
        options[key] = configured[key]
    file = FileOptions(backend, tables, config, call)
    where = {**settings, **given}
    if not isolates(where):
        _check_in_process(options, file)
        return None, file
    timeout = options.pop("timeout", None)
    from_call = "python" in given or ("python" not in settings and given)
    if from_call:
        source = None  # the call chose the interpreter
    from unocr.isolation.proxy import IsolatedBackend

    with file.named():  # the engine's own errors, raised in its worker
        isolated = IsolatedBackend(
            backend,
            target=_target(backend),
            python=where.get("python"),
            processes=where.get("processes"),
            timeout=timeout,
            max_memory=where.get("max_memory"),
            source=source,
            **options,
        )
    return isolated, file

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

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from unocr.backends.base import Backend
    from unocr.errors import UnknownOptionError

__all__ = ["ISOLATION_OPTIONS", "isolated_backend"]

#: Options of ``get_backend`` that choose and limit the worker processes.
ISOLATION_OPTIONS = ("python", "isolate", "processes", "max_memory")


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


def _from_file(
    err: UnknownOptionError, from_file: dict[str, str], config: str | None
) -> UnknownOptionError:
    """The error, naming the configuration file when the option came from it."""
    table = from_file.get(err.option)
    if table is not None and config is not None:
        err.message += f" It is set under {table} in {config}; fix or remove it there."
        err.args = (err.message,)
    return err


def _check_in_process(
    backend: str,
    options: dict[str, Any],
    from_file: dict[str, str],
    config: str | None,
) -> None:
    """Check the options the file gives an engine built in this process.

    Args:
        backend: The engine's canonical name.
        options: All the options the engine will get.
        from_file: The names of those the file gave, each with its table.
        config: The file.
    """
    if not from_file:
        return
    from unocr.backends.options import check_options
    from unocr.errors import ConfigError, UnknownOptionError
    from unocr.registry import resolve_backend

    canonical, factory = resolve_backend(backend)
    for table in dict.fromkeys(from_file.values()):
        given = {k: options[k] for k, t in from_file.items() if t == table}
        try:
            check_options(canonical, factory, given)
        except UnknownOptionError as err:
            raise _from_file(err, from_file, config) from None
        except ConfigError as err:
            raise ConfigError(
                f"{err}. It is set under {table} in {config}; fix it there.",
                source=config,
                backend=canonical,
            ) from None


def isolated_backend(name: str, options: dict[str, Any]) -> Backend | None:
    """The isolated backend that ``get_backend(name, **options)`` asks for.

    The configuration's settings for the engine
    (:func:`~unocr.isolation.config.configured_placement`) and engine
    options (:func:`~unocr.isolation.config.configured_options`) are merged
    under the given options, one by one. Then ``python=``, ``processes=`` or
    ``max_memory=`` (or ``isolate=True``) isolate the engine, and
    ``isolate=False`` keeps it in process
    (:func:`~unocr.isolation.config.isolates`). When isolated, ``timeout=``
    is the per-image limit of the worker; in process it stays the engine's
    own option.

    Args:
        name: The engine's name or alias.
        options: ``get_backend``'s keyword options; the isolation options
            are removed from it and the configured engine options added.

    Returns:
        The isolated backend, or ``None`` to build the engine in process.

    Raises:
        unocr.errors.ConfigError: A malformed configuration file, or
            ``isolate`` neither ``True``, ``False`` nor ``None``.
        unocr.errors.UnknownOptionError: The file gives an option the engine
            does not have (the message names the file).
    """
    from unocr.errors import ConfigError, UnknownOptionError
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
    from_file = dict.fromkeys(configured, f"[backends.{backend}.options]")
    if "timeout" in settings:
        configured["timeout"] = settings.pop("timeout")
        from_file["timeout"] = f"[backends.{backend}]"
    from_file = {k: t for k, t in from_file.items() if k not in options}
    for key in from_file:
        options[key] = configured[key]
    where = {**settings, **given}
    if not isolates(where):
        _check_in_process(backend, options, from_file, config)
        return None
    timeout = options.pop("timeout", None)
    from_call = "python" in given or ("python" not in settings and given)
    if from_call:
        source = None  # the call chose the interpreter
    from unocr.isolation.proxy import IsolatedBackend

    try:
        return IsolatedBackend(
            backend,
            target=_target(backend),
            python=where.get("python"),
            processes=where.get("processes"),
            timeout=timeout,
            max_memory=where.get("max_memory"),
            source=source,
            **options,
        )
    except UnknownOptionError as err:  # raised by the engine in its worker
        raise _from_file(err, from_file, config) from None

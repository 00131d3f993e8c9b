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
    err: UnknownOptionError, backend: str, from_file: list[str], config: str | None
) -> UnknownOptionError:
    """The error, naming the configuration file when the option came from it."""
    if err.option in from_file and config is not None:
        err.message += (
            f" It is set under [backends.{backend}.options] in {config}; "
            "fix or remove it there."
        )
        err.args = (err.message,)
    return err


def _check_in_process(
    backend: str, from_file: dict[str, Any], config: str | None
) -> None:
    """Check the options the file gives an engine built in this process."""
    if not from_file:
        return
    from unocr.backends.options import check_options
    from unocr.errors import ConfigError, UnknownOptionError
    from unocr.registry import resolve_backend

    canonical, factory = resolve_backend(backend)
    try:
        check_options(canonical, factory, from_file)
    except UnknownOptionError as err:
        raise _from_file(err, backend, list(from_file), config) from None
    except ConfigError as err:
        raise ConfigError(
            f"{err}. It is set under [backends.{backend}.options] in {config}; "
            "fix it there.",
            source=config,
            backend=canonical,
        ) from None


def isolated_backend(name: str, options: dict[str, Any]) -> Backend | None:
    """The isolated backend that ``get_backend(name, **options)`` asks for.

    ``python=``, ``processes=`` or ``max_memory=`` (or ``isolate=True``)
    isolate the engine; ``isolate=False`` keeps it in process whatever the
    configuration says; otherwise :func:`unocr.isolation.config.placement`
    decides. When isolated, ``timeout=`` is the per-image limit of the
    worker; in process it stays the engine's own option. Either way the
    configuration file's engine options
    (:func:`~unocr.isolation.config.configured_options`) are merged under
    the given ones.

    Args:
        name: The engine's name or alias.
        options: ``get_backend``'s keyword options; the isolation options
            are removed from it and the configured engine options added.

    Returns:
        The isolated backend, or ``None`` to build the engine in process.

    Raises:
        unocr.errors.ConfigError: A malformed configuration file.
        unocr.errors.UnknownOptionError: The file gives an option the engine
            does not have (the message names the file).
    """
    from unocr.isolation.config import configured_options
    from unocr.registry import canonical_name

    python = options.pop("python", None)
    isolate = options.pop("isolate", None)
    processes = options.pop("processes", None)
    max_memory = options.pop("max_memory", None)
    backend = canonical_name(name)
    configured, config = configured_options(backend)
    from_file = [k for k in configured if k not in options]
    for key in from_file:
        options[key] = configured[key]
    if isolate is False:
        _check_in_process(backend, {k: options[k] for k in from_file}, config)
        return None
    source = None
    timeout = None
    wanted = (
        isolate is True
        or python is not None
        or processes is not None
        or max_memory is not None
    )
    if not wanted:
        from unocr.isolation.config import placement

        where = placement(backend)
        if where is None:
            _check_in_process(backend, {k: options[k] for k in from_file}, config)
            return None
        python, source = where.python, where.source
        processes, timeout, max_memory = (
            where.processes,
            where.timeout,
            where.max_memory,
        )
    timeout = options.pop("timeout", timeout)
    from unocr.errors import UnknownOptionError
    from unocr.isolation.proxy import IsolatedBackend

    try:
        return IsolatedBackend(
            backend,
            target=_target(backend),
            python=python,
            processes=processes,
            timeout=timeout,
            max_memory=max_memory,
            source=source,
            **options,
        )
    except UnknownOptionError as err:  # raised by the engine in its worker
        raise _from_file(err, backend, from_file, config) from None

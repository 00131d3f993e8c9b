"""Check the keyword options given to an engine before it is built.

An engine's options are the keyword parameters of its factory (for a
:class:`~unocr.backends.base.Backend` subclass, its ``__init__``). A misspelt
one (``psmm=6``) would otherwise surface as a bare :class:`TypeError` from deep
inside the constructor; :func:`check_options` raises
:class:`~unocr.errors.UnknownOptionError` instead, listing the engine's options
and suggesting the closest.
"""

from __future__ import annotations

import difflib
import inspect
from collections.abc import Callable, Iterable

from unocr.errors import UnknownOptionError

__all__ = ["check_options", "engine_options"]


def engine_options(factory: Callable[..., object]) -> tuple[str, ...] | None:
    """The keyword options a backend factory accepts, sorted.

    Args:
        factory: A backend class or any callable building a backend.

    Returns:
        The names, or ``None`` when the factory takes ``**kwargs`` (any
        name may be valid) or has no inspectable signature.
    """
    target = factory.__init__ if isinstance(factory, type) else factory  # type: ignore[misc]
    try:
        params = inspect.signature(target).parameters
    except (TypeError, ValueError):
        return None
    names: list[str] = []
    for p in params.values():
        if p.kind is inspect.Parameter.VAR_KEYWORD:
            return None
        if p.name == "self" or p.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.VAR_POSITIONAL,
        ):
            continue
        names.append(p.name)
    return tuple(sorted(names))


def check_options(
    backend: str, factory: Callable[..., object], options: Iterable[str]
) -> None:
    """Raise if any option is not one the engine's factory accepts.

    Args:
        backend: The engine's registered name, for the message.
        factory: Its factory (backend class or callable).
        options: The option names the caller gave.

    Raises:
        unocr.errors.UnknownOptionError: An unknown name; the message lists
            the engine's options and the closest match.

    Examples:
        >>> def factory(*, languages=None, psm=3): ...
        >>> check_options("tesseract", factory, ["psm"])
        >>> check_options("tesseract", factory, ["psmm"])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        unocr.errors.UnknownOptionError: the tesseract backend has no option 'psmm'. ...
    """
    known = engine_options(factory)
    if known is None:
        return
    for name in options:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            raise UnknownOptionError(
                name, known, close[0] if close else None, backend=backend
            )

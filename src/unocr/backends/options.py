"""Check the keyword options given to an engine before it is built.

An engine's options are the keyword parameters of its factory (for a
:class:`~unocr.backends.base.Backend` subclass, its ``__init__``). A misspelt
one (``psmm=6``) would otherwise surface as a bare :class:`TypeError` from deep
inside the constructor, and a value of the wrong type (``timeout="x"``, which
``unocr read -O`` can give) as whatever the engine's code trips over first
(``'>' not supported between instances of 'str' and 'int'``).
:func:`check_options` raises :class:`~unocr.errors.UnknownOptionError` for an
unknown name, listing the engine's options and suggesting the closest, and
:class:`~unocr.errors.ConfigError` for a value that does not match the type
the factory declares for it, or a required option left out.

The types are the factory's own annotations, checked with typeguard (it
follows every form an annotation may take: unions, ``Literal``, generic
collections, protocols, ``os.PathLike``), so an engine registered by another
package is checked like the built-in ones without a table of its options.
An annotation that cannot be resolved is not checked.
"""

from __future__ import annotations

import difflib
import inspect
import math
import reprlib
import types
import typing
from collections.abc import Callable, Iterable, Mapping

from unocr.errors import ConfigError, UnknownOptionError

__all__ = ["check_options", "engine_options"]


def engine_options(factory: Callable[..., object]) -> tuple[str, ...] | None:
    """The keyword options a backend factory accepts, sorted.

    Args:
        factory: A backend class or any callable building a backend.

    Returns:
        The names, or ``None`` when the factory takes ``**kwargs`` (any
        name may be valid) or has no inspectable signature.
    """
    try:
        params = inspect.signature(_target(factory)).parameters
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
    backend: str,
    factory: Callable[..., object],
    options: Iterable[str] | Mapping[str, object],
    *,
    complete: bool = False,
) -> None:
    """Raise if an option is not one the engine's factory accepts, or ill-typed.

    Args:
        backend: The engine's registered name, for the message.
        factory: Its factory (backend class or callable).
        options: The option names the caller gave, or a mapping of names to
            values (then each value is checked against the type the factory
            declares for it).
        complete: ``options`` are all the factory will get: a required
            option missing from them is an error too.

    Raises:
        unocr.errors.UnknownOptionError: An unknown name; the message lists
            the engine's options and the closest match.
        unocr.errors.ConfigError: A value of another type than the factory
            declares, or (``complete``) a required option missing.

    Examples:
        >>> def factory(*, languages: list[str] | None = None, psm: int = 3): ...
        >>> check_options("tesseract", factory, {"psm": 6})
        >>> check_options("tesseract", factory, ["psmm"])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        unocr.errors.UnknownOptionError: the tesseract backend has no option 'psmm'. ...
        >>> check_options("tess", factory, {"psm": "6"})
        Traceback (most recent call last):
        ...
        unocr.errors.ConfigError: the tess backend's option psm must be int, got '6'
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
    if complete:
        missing = [n for n in _required(factory) if n not in options]
        if missing:
            raise ConfigError(
                f"the {backend} backend needs the option"
                f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                backend=backend,
            )
    if isinstance(options, Mapping):
        _check_types(backend, factory, options)


def _target(factory: Callable[..., object]) -> Callable[..., object]:
    return factory.__init__ if isinstance(factory, type) else factory  # type: ignore[misc]


def _required(factory: Callable[..., object]) -> list[str]:
    try:
        params = inspect.signature(_target(factory)).parameters.values()
    except (TypeError, ValueError):
        return []
    return [
        p.name
        for p in params
        if p.default is inspect.Parameter.empty
        and p.name != "self"
        and p.kind
        in (inspect.Parameter.KEYWORD_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    ]


def _check_types(
    backend: str, factory: Callable[..., object], options: Mapping[str, object]
) -> None:
    try:
        hints = typing.get_type_hints(_target(factory))
    except Exception:  # an annotation naming what its module cannot resolve
        return
    import typeguard

    for name, value in options.items():
        hint = hints.get(name)
        if hint is None or hint is typing.Any:
            continue
        try:
            if isinstance(value, bool) and not _admits_bool(hint):
                # an int by inheritance only: psm=True is a slip, not 1
                raise typeguard.TypeCheckError("a bool")
            typeguard.check_type(
                value,
                hint,
                collection_check_strategy=typeguard.CollectionCheckStrategy.ALL_ITEMS,
            )
        except typeguard.TypeCheckError:
            raise ConfigError(
                f"the {backend} backend's option {name} must be {_describe(hint)}, "
                f"got {reprlib.repr(value)}",
                backend=backend,
            ) from None
        except Exception:  # an annotation typeguard cannot check: the engine will
            continue


def _admits_bool(hint: object) -> bool:
    """Whether an annotation names ``bool`` itself (not ``int`` alone)."""
    if hint is bool or hint is object:
        return True
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return any(isinstance(v, bool) for v in typing.get_args(hint))
    if origin is typing.Union or origin is types.UnionType:
        return any(_admits_bool(a) for a in typing.get_args(hint))
    return origin is None and not isinstance(hint, type)  # a TypeVar, a protocol...


def _describe(hint: object) -> str:
    """An annotation as a reader of the message would write it.

    Examples:
        >>> from collections.abc import Sequence
        >>> _describe(Sequence[str] | None), _describe(typing.Literal["a", "b"])
        ('Sequence[str] | None', "'a' or 'b'")
    """
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Literal:
        return " or ".join(repr(v) for v in args)
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(_describe(a) for a in args)
    if origin is not None and args:
        return f"{_describe(origin)}[{', '.join(_describe(a) for a in args)}]"
    if hint is type(None):
        return "None"
    if isinstance(hint, type):
        return hint.__qualname__
    return str(hint).replace("typing.", "")


def check_count(
    value: object, name: str, *, none: bool = False, maximum: int | None = None
) -> int | None:
    """Check an option that counts something: a whole number >= 1.

    Args:
        value: The value given.
        name: The option's name, for the message.
        none: ``None`` is allowed too (no limit, or the default).
        maximum: The largest value that makes sense, if there is one.

    Returns:
        The value.

    Raises:
        unocr.errors.ConfigError: Not an ``int`` >= 1 (a ``bool`` is not
            one), nor ``None`` where that is allowed, or over ``maximum``.

    Examples:
        >>> check_count(4, "workers")
        4
        >>> check_count(0, "workers")
        Traceback (most recent call last):
        ...
        unocr.errors.ConfigError: workers must be a whole number >= 1, got 0
    """
    if value is None and none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        also = " (or None)" if none else ""
        raise ConfigError(f"{name} must be a whole number >= 1{also}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum:,}, got {value:,}")
    return value


def check_number(
    value: object,
    name: str,
    *,
    minimum: float = 0.0,
    maximum: float | None = None,
    above: bool = False,
) -> float:
    """Check a numeric option (a threshold, a ratio): finite, within bounds.

    Args:
        value: The value given.
        name: The option's name, for the message.
        minimum: The lowest value allowed.
        maximum: The highest value allowed, if any.
        above: ``value`` must be greater than ``minimum``, not equal to it.

    Returns:
        The value as a float.

    Raises:
        unocr.errors.ConfigError: Not a finite number (a ``bool`` is not
            one) within the bounds.

    Examples:
        >>> check_number(0.3, "box_thresh", maximum=1)
        0.3
        >>> check_number(-1, "box_thresh", maximum=1)
        Traceback (most recent call last):
        ...
        unocr.errors.ConfigError: box_thresh must be a number from 0 to 1, got -1
    """
    if maximum is not None:
        wanted = f"a number from {minimum:g} to {maximum:g}"
    else:
        wanted = f"a finite number {'>' if above else '>='} {minimum:g}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(f"{name} must be {wanted}, got {value!r}")
    number = float(value)
    if (
        not math.isfinite(number)
        or number < minimum
        or (above and number == minimum)
        or (maximum is not None and number > maximum)
    ):
        raise ConfigError(f"{name} must be {wanted}, got {value!r}")
    return number

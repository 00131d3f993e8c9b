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

The types are the factory's own annotations, so an engine registered by
another package is checked like the built-in ones without a table of its
options. :func:`matches_type` reads the forms engine signatures use (classes,
``None``, unions, ``Literal``, generic collections, ``Callable``); an
annotation that cannot be resolved, or of another form, is left to the
engine's own checks. typeguard, which checks every form, is not used:
importing it takes 150 to 230 ms, a fifth of a one-image ``unocr read``, for
forms no engine here uses.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import math
import re
import reprlib
import types
import typing
from collections import abc
from collections.abc import Callable, Iterable, Mapping

from unocr.errors import ConfigError, UnknownOptionError

__all__ = [
    "check_choice",
    "check_count",
    "check_number",
    "check_options",
    "check_seconds",
    "describe_type",
    "engine_options",
    "is_secret",
    "matches_type",
    "refuse_options",
    "shown_value",
]


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
                option=missing[0],
            )
    if isinstance(options, Mapping):
        _check_types(backend, factory, options)


def refuse_options(backend: object, options: Mapping[str, object]) -> None:
    """Refuse engine options given beside a backend object (it is configured).

    Args:
        backend: The call's engine: a name (options are its own) or an object.
        options: The call's engine options.

    Raises:
        ConfigError: ``backend`` is an object and ``options`` is not empty;
            the message says where they go.
    """
    if options and not isinstance(backend, str):
        raise ConfigError(
            "engine options go to unocr.get_backend(); this call got a ready "
            f"backend object and options {sorted(options)}"
        )


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
    """Check each value against its annotation, through ``functools.partial``.

    A partial (a shorthand spec: ``"rapidocr/tesseract"`` is the cascade's
    class with ``engines=`` bound) is checked as the callable it wraps, with
    the keywords it binds as well as those given.
    """
    given = dict(options)
    while isinstance(factory, functools.partial):
        given = {**factory.keywords, **given}
        factory = factory.func
    try:
        hints = typing.get_type_hints(_target(factory))
    except Exception:  # an annotation naming what its module cannot resolve
        return
    for name, value in given.items():
        hint = hints.get(name)
        if hint is not None and matches_type(value, hint) is False:
            raise ConfigError(
                f"the {backend} backend's option {name} must be {describe_type(hint)}, "
                f"got {shown_value(name, value)}",
                backend=backend,
                option=name,
            )


#: Words in an option's name that say its value is a secret, never shown.
_SECRET_WORDS = ("key", "token", "password", "secret", "credential", "authorization")


def is_secret(name: str) -> bool:
    """Whether an option's name says its value is a secret.

    Args:
        name: The option's name (or a key inside a dict option).

    Returns:
        ``True`` for names holding key, token, password, secret, credential
        or authorization (an HTTP header).

    Examples:
        >>> is_secret("api_key"), is_secret("Authorization"), is_secret("psm")
        (True, True, False)
    """
    return any(word in name.lower() for word in _SECRET_WORDS)


def shown_value(name: str, value: object) -> str:
    """An option's value as an error message may show it.

    Args:
        name: The option's name.
        value: Its value.

    Returns:
        A short ``repr``; only the type where the name says the value is a
        secret (an API key, a password, a token, credentials).

    Examples:
        >>> shown_value("psm", "x"), shown_value("api_key", b"AIzaSy123")
        ("'x'", 'a bytes value (not shown: it is a secret)')
    """
    if is_secret(name):
        return f"a {type(value).__name__} value (not shown: it is a secret)"
    return reprlib.repr(value)


#: Generic origins whose items :func:`matches_type` checks (an ``Iterable`` may be
#: an iterator: it is not consumed).
_COLLECTIONS = (list, tuple, set, frozenset, abc.Sequence, abc.Collection, abc.Set)
_MAPPINGS = (dict, abc.Mapping)


def matches_type(value: object, hint: object) -> bool | None:
    """Whether ``value`` is of the annotated type; ``None``: cannot tell.

    The forms of engine signatures: classes (``float`` takes an ``int``;
    ``int`` and ``float`` do not take a ``bool``), ``None``, unions,
    ``Literal``, ``Any``, generic collections (every item checked) and
    ``Callable``. Anything else (a ``TypeVar``, a ``Protocol`` that is not
    runtime-checkable) is left to the engine's own checks.

    Examples:
        >>> from collections.abc import Sequence
        >>> matches_type(["en", "ko"], str | Sequence[str] | None)
        True
        >>> matches_type(True, int)
        False
        >>> matches_type(3, float), matches_type("6", int | None)
        (True, False)
    """
    if hint is typing.Any or hint is object:
        return True
    if hint is None or hint is type(None):
        return value is None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Literal:
        return any(value == a and type(value) is type(a) for a in args)
    if origin is typing.Union or origin is types.UnionType:
        verdicts = [matches_type(value, a) for a in args]
        if any(v is True for v in verdicts):
            return True
        return None if None in verdicts else False
    if origin is abc.Callable:
        return callable(value)
    if origin is not None:
        if not isinstance(origin, type):
            return None
        if not isinstance(value, origin) or isinstance(value, (bytes, bytearray)):
            return False
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return None  # a fixed-length tuple: not in engine signatures
        items: Iterable[tuple[object, ...]]
        if origin in _MAPPINGS:
            items = value.items()  # type: ignore[attr-defined]
        elif origin in _COLLECTIONS:
            items = ((x,) for x in value)  # type: ignore[attr-defined]
        else:
            return True
        verdict: bool | None = True
        for item in items:
            for part, part_hint in zip(item, args, strict=False):
                seen = matches_type(part, part_hint)
                if seen is False:
                    return False
                if seen is None:
                    verdict = None
        return verdict
    if isinstance(hint, type):
        if isinstance(value, bool) and hint is not bool:
            return False  # psm=True is a slip, not 1
        if hint is float:
            return isinstance(value, (int, float))
        try:
            return isinstance(value, hint)
        except TypeError:  # a Protocol that is not runtime-checkable
            return None
    return None


def describe_type(hint: object) -> str:
    """An annotation as a reader of the message would write it.

    Examples:
        >>> from collections.abc import Sequence
        >>> describe_type(Sequence[str] | None), describe_type(typing.Literal["a", "b"])
        ('Sequence[str] | None', "'a' or 'b'")
    """
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Literal:
        return " or ".join(repr(v) for v in args)
    if origin is typing.Union or origin is types.UnionType:
        return " | ".join(describe_type(a) for a in args)
    if origin is not None and args:
        return f"{describe_type(origin)}[{', '.join(describe_type(a) for a in args)}]"
    if hint is type(None):
        return "None"
    if hint is Ellipsis:
        return "..."
    if isinstance(hint, type):
        return hint.__qualname__
    return str(hint).replace("typing.", "")


def _option(name: str) -> str | None:
    """The option a check's ``name`` is about: its leading identifier.

    ``timeout`` of ``"timeout under [backends.x] in unocr.toml"``,
    ``engine_options`` of ``"engine_options['Det.thresh']"``.
    """
    found = re.match(r"[A-Za-z_]\w*", name)
    return found.group() if found else None


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
        raise ConfigError(
            f"{name} must be a whole number >= 1{also}, got {value!r}",
            option=_option(name),
        )
    if maximum is not None and value > maximum:
        raise ConfigError(
            f"{name} must be at most {maximum:,}, got {value:,}", option=_option(name)
        )
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
        raise ConfigError(
            f"{name} must be {wanted}, got {value!r}", option=_option(name)
        )
    number = float(value)
    if (
        not math.isfinite(number)
        or number < minimum
        or (above and number == minimum)
        or (maximum is not None and number > maximum)
    ):
        raise ConfigError(
            f"{name} must be {wanted}, got {value!r}", option=_option(name)
        )
    return number


def check_seconds(
    value: object, name: str, *, none: bool = True, source: str | None = None
) -> float | None:
    """Check a duration: a time-out, a back-off, a wait.

    Args:
        value: The value given.
        name: The option's name, for the message (with where it was given,
            e.g. ``"timeout under [isolation.tesseract]"``).
        none: ``None`` is allowed (no limit).
        source: The file that gave it, if any (:attr:`ConfigError.source`).

    Returns:
        The duration in seconds as a float, or ``None``.

    Raises:
        unocr.errors.ConfigError: Not a finite number of seconds > 0 (a
            ``bool`` is not one; infinity is no limit, which is ``None``).

    Examples:
        >>> check_seconds(2, "timeout")
        2.0
        >>> check_seconds(float("inf"), "timeout")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        unocr.errors.ConfigError: timeout must be a finite number of seconds > 0 ...
    """
    if value is None and none:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value < math.inf
    ):
        also = " (or None for no limit)" if none else ""
        raise ConfigError(
            f"{name} must be a finite number of seconds > 0{also}, got "
            f"{reprlib.repr(value)}",
            source=source,
            option=_option(name),
        )
    return float(value)


def check_choice(value: object, name: str, choices: Iterable[str]) -> str:
    """Check an option that names one of a few choices.

    Args:
        value: The value given.
        name: The option's name, for the message.
        choices: The names it may take, in the order the message lists them.

    Returns:
        The value.

    Raises:
        unocr.errors.ConfigError: Not one of ``choices``.

    Examples:
        >>> check_choice("text", "feature", ("document", "text"))
        'text'
        >>> check_choice("x", "device", ("cpu", "cuda"))
        Traceback (most recent call last):
        ...
        unocr.errors.ConfigError: device must be 'cpu' or 'cuda', got 'x'
    """
    allowed = tuple(choices)
    if isinstance(value, str) and value in allowed:
        return value
    *rest, last = [repr(c) for c in allowed]
    either = f"{', '.join(rest)} or {last}" if rest else last
    raise ConfigError(
        f"{name} must be {either}, got {reprlib.repr(value)}", option=_option(name)
    )

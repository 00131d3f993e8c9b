"""Module attributes served on first use, and deprecated names and keywords.

Package-internal. A module sets ``__getattr__ = module_getattr(__name__, ...)``
(PEP 562) instead of writing its own: names listed in ``lazy`` are imported from
their home module when first used (so importing the package imports no engine
and no heavy dependency); names listed in ``deprecated`` still work for one
release and warn (``DeprecationWarning``) saying what to use instead.

A function's deprecated keyword defaults to :data:`UNSET`; the function hands
its deprecated keywords to :func:`deprecated_keywords`, which warns about each
one passed, in the same words everywhere, and returns those passed. Functions that
take a set of keywords as ``**keywords: Unpack[SomeTypedDict]`` check them with
:func:`check_keywords`.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, Protocol


class _Unset:
    """The type of :data:`UNSET`."""

    def __repr__(self) -> str:
        return "<unset>"


#: Default of a deprecated keyword: tells "not passed" from every value.
UNSET: Any = _Unset()

#: The ``use`` of a converter's deprecated page-stamping keyword (``backend``,
#: ``languages``, ``timings``): what to do instead.
SET_ON_PAGE = "set it on the page with page.replace({name}=...)"


def deprecated_keywords(
    function: str, keywords: Mapping[str, Any], *, use: str
) -> dict[str, Any]:
    """The deprecated keywords a caller passed, each warned about.

    Call it from the function itself: the warning points at its caller. The
    warning reads ``"<function>(<name>=...) is deprecated and goes away in
    unocr 0.3; <use>"``.

    Args:
        function: The function's name as users call it (e.g.
            ``"rapidocr_to_page"``).
        keywords: Each deprecated keyword's name -> the value it got,
            :data:`UNSET` where it was not passed.
        use: What to do instead, ``{name}`` standing for the keyword (e.g.
            ``"set it on the page with page.replace({name}=...)"``).

    Returns:
        The keywords passed (those not :data:`UNSET`), name -> value, in the
        order of ``keywords``.

    Examples:
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     deprecated_keywords("f", {"a": 1, "b": UNSET}, use="drop {name}")
        {'a': 1}
        >>> str(caught[0].message)
        'f(a=...) is deprecated and goes away in unocr 0.3; drop a'
    """
    passed = {name: value for name, value in keywords.items() if value is not UNSET}
    warn_deprecated(function, passed, use)
    return passed


def warn_deprecated(function: str, names: Iterable[str], use: str) -> None:
    """Warn about each deprecated keyword in ``names``, at ``function``'s caller.

    ``function`` calls a helper (:func:`deprecated_keywords`, or another
    module's), which calls this one: the warning points two calls up.

    Args:
        function: The function's name as users call it.
        names: The deprecated keywords it was given.
        use: What to do instead (e.g. :data:`SET_ON_PAGE`), ``{name}`` filled in.
    """
    for name in names:
        warnings.warn(
            f"{function}({name}=...) is deprecated and goes away in unocr 0.3; "
            + use.format(name=name),
            DeprecationWarning,
            stacklevel=4,
        )


class KeywordSet(Protocol):
    """A ``TypedDict`` class: the keywords a ``**keywords: Unpack[...]`` takes."""

    __required_keys__: frozenset[str]
    __optional_keys__: frozenset[str]
    __annotations__: dict[str, Any]


def check_keywords(
    function: str, keywords: Mapping[str, Any], kind: KeywordSet
) -> None:
    """Refuse keywords as Python does for a function's named keyword-only ones.

    For a function taking ``**keywords: Unpack[kind]``: Python checks its
    named parameters itself, but accepts any keyword into ``**keywords``.

    Args:
        function: The function's name as users call it.
        keywords: The keywords it got.
        kind: The ``TypedDict`` of the keywords it takes.

    Raises:
        TypeError: A keyword not in ``kind``, or a required one missing; in
            Python's words (e.g. ``"f() got an unexpected keyword argument
            'x'"``).

    Examples:
        >>> from unocr.model.page import PageFields
        >>> check_keywords("f", {"width": 9}, PageFields)
        Traceback (most recent call last):
        ...
        TypeError: f() missing 1 required keyword-only argument: 'height'
    """
    required = kind.__required_keys__
    allowed = required | kind.__optional_keys__
    if keywords.keys() <= allowed and required <= keywords.keys():
        return  # (the usual case, quickly)
    for name in keywords:
        if name not in allowed:
            raise TypeError(f"{function}() got an unexpected keyword argument {name!r}")
    missing = [
        repr(name)
        for name in kind.__annotations__
        if name in kind.__required_keys__ and name not in keywords
    ]
    if missing:
        *head, last = missing
        names = f"{', '.join(head)}{',' * (len(head) > 1)} and {last}" if head else last
        plural = "s" if head else ""
        raise TypeError(
            f"{function}() missing {len(missing)} required keyword-only "
            f"argument{plural}: {names}"
        )


class Moved(NamedTuple):
    """Where a deprecated name's object lives now.

    Attributes:
        home: Dotted module holding the object.
        name: The object's name there.
        use: What the warning tells users to write instead
            (e.g. ``"unocr.metrics.score_page"``).
        why: Optional reason appended to the warning, starting with a space or
            punctuation (e.g. ``" (it is a record, not an exception)"``).
    """

    home: str
    name: str
    use: str
    why: str = ""


def module_getattr(
    module: str,
    *,
    lazy: Mapping[str, str] | None = None,
    deprecated: Mapping[str, Moved] | None = None,
    namespace: dict[str, Any] | None = None,
) -> Callable[[str], Any]:
    """Build a module's ``__getattr__``.

    Args:
        module: The module's ``__name__``.
        lazy: Public name -> dotted module it is imported from on first use.
        deprecated: Old name -> where its object lives now.
        namespace: The module's ``globals()``: a lazily imported name is stored
            there, so later uses do not come back here.

    Returns:
        The function to assign to the module's ``__getattr__``.
    """
    lazy = lazy or {}
    deprecated = deprecated or {}

    def __getattr__(name: str) -> Any:
        moved = deprecated.get(name)
        if moved is not None:
            warnings.warn(
                f"{module}.{name} is deprecated: use {moved.use}{moved.why}; the "
                "old name goes away in unocr 0.3",
                DeprecationWarning,
                stacklevel=2,
            )
            return getattr(importlib.import_module(moved.home), moved.name)
        home = lazy.get(name)
        if home is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home), name)
        if namespace is not None:
            namespace[name] = value
        return value

    return __getattr__

"""Module attributes served on first use, and deprecated names and keywords.

Package-internal. A module sets ``__getattr__ = module_getattr(__name__, ...)``
(PEP 562) instead of writing its own: names listed in ``lazy`` are imported from
their home module when first used (so importing the package imports no engine
and no heavy dependency); names listed in ``deprecated`` still work for one
release and warn (``DeprecationWarning``) saying what to use instead.

A function's deprecated keyword defaults to :data:`UNSET`; the function hands
its deprecated keywords to :func:`deprecated_keywords`, which warns about each
one passed, in the same words everywhere, and returns those passed.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple


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
    for name in passed:
        warnings.warn(
            f"{function}({name}=...) is deprecated and goes away in unocr 0.3; "
            + use.format(name=name),
            DeprecationWarning,
            stacklevel=3,
        )
    return passed


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

"""Page selections: ``"1-3,5,8-"`` to zero-based page indices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

from unocr.errors import DocumentError

__all__ = ["PageSpec", "check_page_spec", "select_pages"]

PageSpec: TypeAlias = "str | int | Iterable[int] | None"
"""Pages to read, numbered from 1 as PDF viewers show them: ``None`` or
``"all"`` for every page, ``3``, ``"1-3,5,8-"`` (``8-`` = 8 to the end,
``-3`` = 1 to 3), or any iterable of page numbers such as ``range(1, 4)``."""


def check_page_spec(spec: PageSpec) -> PageSpec:
    """Check a selection's form once, before any document is opened.

    What needs no page count is checked here (the syntax of a string, the
    items of a list); whether the pages exist is checked per document by
    :func:`select_pages`. An iterable is read once into a tuple, so that a
    generator selects the same pages of every document of a batch (it was
    used up by the first).

    Args:
        spec: See :data:`PageSpec`.

    Returns:
        The selection: as given, or an iterable's numbers as a tuple.

    Raises:
        DocumentError: The selection is malformed, or a number is below 1.

    Examples:
        >>> check_page_spec(n for n in (2, 3))
        (2, 3)
        >>> check_page_spec("1-3,x")
        Traceback (most recent call last):
        ...
        unocr.errors.DocumentError: pages: cannot read the page range '1-3,x'; write it like '1-3,5,8-' (pages numbered from 1)
    """  # noqa: E501
    if spec is None or isinstance(spec, str):
        if spec is not None and spec.strip().lower() != "all":
            for part in spec.replace(" ", "").split(","):
                _bounds(part, spec, "pages")
        return spec
    numbers = [spec] if isinstance(spec, int) else _numbers(spec, "pages")
    for n in numbers:
        if isinstance(n, bool) or n < 1:
            raise DocumentError(f"pages are numbered from 1, got {n!r}", item="pages")
    return spec if isinstance(spec, int) else tuple(numbers)


def select_pages(spec: PageSpec, count: int, name: str) -> list[int]:
    """Resolve a page selection against a document of ``count`` pages.

    Args:
        spec: See :data:`PageSpec`.
        count: Pages in the document.
        name: The document's name, for messages.

    Returns:
        Zero-based page indices in the order given (duplicates dropped).

    Raises:
        DocumentError: The selection is malformed, or names a page outside
            1..count.

    Examples:
        >>> select_pages("1-3,5,7-", 8, "doc.pdf")
        [0, 1, 2, 4, 6, 7]
        >>> select_pages(None, 2, "doc.pdf")
        [0, 1]
        >>> select_pages("9", 4, "doc.pdf")
        Traceback (most recent call last):
        ...
        unocr.errors.DocumentError: doc.pdf: page 9 is outside the document, which has 4 page(s) (pages are numbered from 1)
    """  # noqa: E501
    if spec is None or (isinstance(spec, str) and spec.strip().lower() == "all"):
        return list(range(count))
    numbers: list[int] = []
    if isinstance(spec, str):
        for part in spec.replace(" ", "").split(","):
            lo, hi = _bounds(part, spec, name)
            hi = count if hi is None else hi
            if not 1 <= lo <= count:
                numbers.append(lo)  # reported as outside the document
            elif hi > count:
                numbers.append(hi)
            else:
                numbers.extend(range(lo, hi + 1))
    elif isinstance(spec, int) and not isinstance(spec, bool):
        numbers.append(spec)
    else:
        numbers = _numbers(spec, name)
    out: list[int] = []
    for n in numbers:
        if not 1 <= n <= count:
            raise DocumentError(
                f"{name}: page {n} is outside the document, which has {count} "
                "page(s) (pages are numbered from 1)",
                item=name,
            )
        if n - 1 not in out:
            out.append(n - 1)
    return out


def _numbers(spec: object, name: str) -> list[int]:
    """The page numbers of an iterable selection (read once)."""
    try:
        items: list[object] = list(spec)  # type: ignore[call-overload]
    except TypeError:
        raise DocumentError(
            f"{name}: pages must be a string such as '1-3,5', a page number or "
            f"a list of page numbers, got {spec!r:.60}",
            item=name,
        ) from None
    numbers: list[int] = []
    for n in items:
        if isinstance(n, bool) or not isinstance(n, int):
            raise DocumentError(
                f"{name}: page numbers must be whole numbers, got {n!r:.60}",
                item=name,
            )
        numbers.append(n)
    return numbers


def _bounds(part: str, spec: str, name: str) -> tuple[int, int | None]:
    """``(first, last)`` of one part of a range string; ``last`` ``None``: the end."""
    bad = DocumentError(
        f"{name}: cannot read the page range {spec!r}; write it like "
        "'1-3,5,8-' (pages numbered from 1)",
        item=name,
    )
    if not part:
        raise bad
    first, dash, last = part.partition("-")
    try:
        if not dash:
            return int(first), int(first)
        lo = int(first) if first else 1
        hi = int(last) if last else None
    except ValueError:
        raise bad from None
    if hi is not None and lo > hi:
        raise bad
    return lo, hi

"""Page selections: ``"1-3,5,8-"`` to zero-based page indices."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

from unocr.errors import DocumentError

__all__ = ["PageSpec", "select_pages"]

PageSpec: TypeAlias = "str | int | Iterable[int] | None"
"""Pages to read, numbered from 1 as PDF viewers show them: ``None`` or
``"all"`` for every page, ``3``, ``"1-3,5,8-"`` (``8-`` = 8 to the end,
``-3`` = 1 to 3), or any iterable of page numbers such as ``range(1, 4)``."""


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
            numbers.extend(_part(part, count, spec, name))
    elif isinstance(spec, int) and not isinstance(spec, bool):
        numbers.append(spec)
    else:
        try:
            items = list(spec)  # type: ignore[arg-type]
        except TypeError:
            raise DocumentError(
                f"{name}: pages must be a string such as '1-3,5', a page number or "
                f"a list of page numbers, got {spec!r}",
                item=name,
            ) from None
        for n in items:
            if isinstance(n, bool) or not isinstance(n, int):
                raise DocumentError(
                    f"{name}: page numbers must be whole numbers, got {n!r}", item=name
                )
            numbers.append(n)
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


def _part(part: str, count: int, spec: str, name: str) -> list[int]:
    def bad() -> DocumentError:
        return DocumentError(
            f"{name}: cannot read the page range {spec!r}; write it like "
            "'1-3,5,8-' (pages numbered from 1)",
            item=name,
        )

    if not part:
        raise bad()
    first, dash, last = part.partition("-")
    try:
        if not dash:
            return [int(first)]
        lo = int(first) if first else 1
        hi = int(last) if last else count
    except ValueError:
        raise bad() from None
    if lo > hi:
        raise bad()
    if lo < 1 or hi > count:
        return [lo if lo < 1 else hi]  # reported as outside the document
    return list(range(lo, hi + 1))

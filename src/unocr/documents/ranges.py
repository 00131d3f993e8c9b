"""Page selections: ``"1-3,5,8-"`` to zero-based page indices."""

from __future__ import annotations

from collections.abc import Iterable
from numbers import Integral
from typing import TypeAlias

from unocr.errors import DocumentError

__all__ = ["PageSpec", "check_page_spec", "count_selected", "select_pages"]

PageSpec: TypeAlias = "str | int | Iterable[int] | None"
"""Pages to read, numbered from 1 as PDF viewers show them: ``None`` or
``"all"`` for every page, ``3``, ``"1-3,5,8-"`` (``8-`` = 8 to the end,
``-3`` = 1 to 3; spaces around commas and dashes are allowed, not inside a
number), or any iterable of page numbers such as ``range(1, 4)``. A page
number is a whole number: an ``int`` or a numpy integer (``np.arange(1, 4)``),
not a bool or a float. Bytes (``b"2"``) are refused, not read as the numbers
of their bytes."""


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
        The selection: a string or ``None`` as given, a page number as an
        ``int``, an iterable's numbers as a tuple of ``int``.

    Raises:
        DocumentError: The selection is malformed (bytes, ``b"2"``, are not
            a selection: decode them), or a number is below 1.

    Examples:
        >>> check_page_spec(n for n in (2, 3))
        (2, 3)
        >>> import numpy as np
        >>> check_page_spec(np.arange(1, 3))
        (1, 2)
        >>> check_page_spec("0-2")
        Traceback (most recent call last):
        ...
        unocr.errors.DocumentError: pages: cannot read the page range '0-2': pages are numbered from 1, there is no page 0
        >>> check_page_spec("1-3,x")
        Traceback (most recent call last):
        ...
        unocr.errors.DocumentError: pages: cannot read the page range '1-3,x'; write it like '1-3,5,8-' (pages numbered from 1)
    """  # noqa: E501
    if spec is None or isinstance(spec, str):
        if spec is not None and spec.strip().lower() != "all":
            for part in spec.split(","):
                _bounds(part, spec, "pages")
        return spec
    single = _whole(spec)
    numbers = [single] if single is not None else _numbers(spec, "pages")
    for n in numbers:
        if n < 1:
            raise DocumentError(f"pages are numbered from 1, got {n!r}", item="pages")
    return single if single is not None else tuple(numbers)


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
    out: list[int] = []
    seen: set[int] = set()
    for lo, hi in _spans(spec, count, name):
        for n in range(lo, hi + 1):
            if n not in seen:
                seen.add(n)
                out.append(n - 1)
    return out


def count_selected(spec: PageSpec, count: int, name: str) -> int:
    """How many pages :func:`select_pages` selects, without listing them.

    A limit on the pages read is checked with it before a selection such as
    ``"2-"`` of a PDF claiming a billion pages is listed.

    Args:
        spec: See :data:`PageSpec`.
        count: Pages in the document.
        name: The document's name, for messages.

    Returns:
        The number of distinct pages selected.

    Raises:
        DocumentError: As :func:`select_pages`.

    Examples:
        >>> count_selected("1-3,2-5,9-", 10, "doc.pdf")
        7
    """
    total = 0
    end = 0  # last page counted, spans taken in order
    for lo, hi in sorted(_spans(spec, count, name)):
        if hi > end:
            total += hi - max(lo, end + 1) + 1
            end = hi
    return total


def _spans(spec: PageSpec, count: int, name: str) -> list[tuple[int, int]]:
    """The selection as ``(first, last)`` page numbers, each inside 1..count."""
    if spec is None or (isinstance(spec, str) and spec.strip().lower() == "all"):
        return [(1, count)] if count else []
    spans: list[tuple[int, int]] = []
    if isinstance(spec, str):
        for part in spec.split(","):
            lo, hi = _bounds(part, spec, name)
            spans.append((lo, count if hi is None else hi))
    elif (single := _whole(spec)) is not None:
        spans.append((single, single))
    else:
        spans.extend((n, n) for n in _numbers(spec, name))
    for lo, hi in spans:
        # a range reaching past the end names its first page outside it
        outside = lo if not 1 <= lo <= count else hi if hi > count else None
        if outside is not None:
            raise DocumentError(
                f"{name}: page {outside} is outside the document, which has "
                f"{count} page(s) (pages are numbered from 1)",
                item=name,
            )
    return spans


def _numbers(spec: object, name: str) -> list[int]:
    """The page numbers of an iterable selection (read once).

    Bytes are refused: iterated, ``b"2"`` is the number 50.
    """
    if isinstance(spec, (bytes, bytearray, memoryview)):
        shown = "" if isinstance(spec, memoryview) else f" {bytes(spec[:40])!r}"
        raise DocumentError(
            f"{name}: pages must be a string such as '1-3,5', a page number or "
            f"a list of page numbers, got {type(spec).__name__}{shown}; decode "
            "bytes to a string first (.decode())",
            item=name,
        )
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
        number = _whole(n)
        if number is None:
            raise DocumentError(
                f"{name}: page numbers must be whole numbers, got {n!r:.60}",
                item=name,
            )
        numbers.append(number)
    return numbers


def _whole(value: object) -> int | None:
    """``value`` as a page number: an ``int`` or a numpy integer, not a bool.

    NumPy's integers (``np.int64`` from ``np.arange``...) are not ``int`` but
    are registered as :class:`numbers.Integral`; ``np.bool_`` and floats are
    not, and a bool is no page number either.
    """
    if isinstance(value, bool) or not isinstance(value, Integral):
        return None
    return int(value)


def _bounds(part: str, spec: str, name: str) -> tuple[int, int | None]:
    """``(first, last)`` of one part of a range string; ``last`` ``None``: the end.

    Spaces around a part and around its dash are allowed; a page number is
    ASCII digits only (``int`` would also take ``"1_0"``, ``"+1"`` or other
    scripts' digits).
    """
    first, dash, last = (text.strip() for text in part.partition("-"))
    for text in (first, last):
        if len(text.split()) > 1:
            raise DocumentError(
                f"{name}: cannot read the page range {spec!r}: {text!r} has a "
                "space inside a number; separate pages with commas, e.g. "
                f"'{','.join(text.split())}'",
                item=name,
            )
    bad = DocumentError(
        f"{name}: cannot read the page range {spec!r}; write it like '1-3,5,8-' "
        "(pages numbered from 1)",
        item=name,
    )
    if not (first or dash) or not all(_is_number(t) for t in (first, last) if t):
        raise bad
    lo = int(first) if first else 1
    hi = (int(last) if last else None) if dash else lo
    if min(lo, hi or lo) < 1:
        raise DocumentError(
            f"{name}: cannot read the page range {spec!r}: pages are numbered "
            "from 1, there is no page 0",
            item=name,
        )
    if hi is not None and lo > hi:
        raise bad
    return lo, hi


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()

"""Format names: the formats each direction supports, aliases, old names.

The one place a format name is checked: :func:`unocr.formats.dumps`,
:func:`~unocr.formats.loads`, their file and multi-page forms and the CLI
all take names through here.
"""

from __future__ import annotations

import warnings
from typing import Literal

from unocr.errors import FormatError

__all__ = ["READ_FORMATS", "WRITE_FORMATS", "canonical_format", "checked_format"]

#: Formats :func:`unocr.formats.dumps` and :func:`~unocr.formats.save` write.
WRITE_FORMATS: tuple[str, ...] = ("text", "json", "hocr", "alto", "page-xml", "tsv")
#: Formats :func:`unocr.formats.loads` and :func:`~unocr.formats.load` read.
READ_FORMATS: tuple[str, ...] = ("json", "hocr", "alto", "page-xml", "tsv", "gcv")

_ALIASES = {
    "txt": "text",
    "html": "hocr",
    "htm": "hocr",
    "page_xml": "page-xml",
    "pagexml": "page-xml",
    "alto-xml": "alto",
    "google": "gcv",
}

# Former names, accepted with a DeprecationWarning for one release.
_DEPRECATED = {"page": "page-xml"}


def canonical_format(format: str) -> str:
    """The canonical name of a format, from any accepted spelling.

    Case and surrounding spaces are ignored; aliases (``txt``, ``html``,
    ``pagexml``...) map to their format. The former name ``"page"`` gives
    ``"page-xml"`` with a ``DeprecationWarning``.

    Args:
        format: A format name or alias.

    Returns:
        The canonical name (it may still be one a direction does not support,
        e.g. ``"gcv"`` for writing).

    Raises:
        FormatError: ``format`` is not a string.

    Examples:
        >>> canonical_format("PageXML"), canonical_format("txt")
        ('page-xml', 'text')
    """
    if not isinstance(format, str):
        raise FormatError(f"format must be a string such as 'hocr', got {format!r}")
    name = format.strip().lower()
    if name in _DEPRECATED:
        warnings.warn(
            f"the format name {name!r} is deprecated; use {_DEPRECATED[name]!r}",
            DeprecationWarning,
            stacklevel=3,
        )
        return _DEPRECATED[name]
    return _ALIASES.get(name, name)


def checked_format(format: str, direction: Literal["read", "write"]) -> str:
    """The canonical name of a format unocr can read, or write.

    Args:
        format: A format name or alias, as for :func:`canonical_format`.
        direction: ``"read"`` (:data:`READ_FORMATS`) or ``"write"``
            (:data:`WRITE_FORMATS`).

    Returns:
        The canonical name.

    Raises:
        FormatError: ``format`` is not one of that direction's formats; the
            message lists them.

    Examples:
        >>> checked_format("HTML", "write")
        'hocr'
    """
    allowed = READ_FORMATS if direction == "read" else WRITE_FORMATS
    name = canonical_format(format)
    if name not in allowed:
        raise FormatError(
            f"cannot {direction} format {format!r}; choose one of: {', '.join(allowed)}"
        )
    return name

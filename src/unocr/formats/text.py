"""Plain text: the page's text in reading order (write only).

Words are joined by spaces, lines by newlines and blocks by a blank line (see
:attr:`unocr.model.Page.text`). Geometry, confidence and languages are not
kept, so text cannot be read back into a page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unocr.model.serialize import encodable

if TYPE_CHECKING:
    from unocr.model import Page

__all__ = ["dumps"]


def dumps(page: Page) -> str:
    """The page's text in reading order.

    Args:
        page: The page to write.

    Returns:
        ``page.text`` (no trailing newline; :func:`unocr.formats.save` adds one),
        a lone surrogate (never text) written as U+FFFD.
    """
    return encodable(page.text)

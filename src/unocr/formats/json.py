"""unocr's own JSON (schema ``unocr.page/1``): lossless in both directions.

Delegates to :mod:`unocr.model.serialize`; the schema is documented in
``docs/model.md``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unocr.limits import ReadLimits
from unocr.model.serialize import json_text

if TYPE_CHECKING:
    from unocr.model import Page

__all__ = ["dumps", "loads"]


def dumps(page: Page) -> str:
    """Serialise a page to JSON (UTF-8 characters kept, two-space indent).

    Args:
        page: The page to write.

    Returns:
        The JSON text.
    """
    return json_text(page.to_dict(), indent=2)


def loads(data: str | bytes, limits: ReadLimits | None = None) -> Page:
    """Rebuild a page from unocr JSON.

    Args:
        data: JSON text or UTF-8 bytes.
        limits: Size, depth, element and mask limits; defaults when ``None``.

    Returns:
        The page, exactly as it was written.

    Raises:
        FormatError: Not JSON, not a valid unocr page, or over a limit.
    """
    from unocr.model.serialize import page_from_json

    return page_from_json(data, limits)

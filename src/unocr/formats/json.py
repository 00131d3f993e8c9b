"""unocr's own JSON (schema ``unocr.page/1``): lossless in both directions.

Delegates to :meth:`unocr.model.Page.to_dict` and
:meth:`unocr.model.Page.from_dict`; the schema is documented in
``docs/model.md``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from unocr.errors import FormatError

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
    return json.dumps(page.to_dict(), ensure_ascii=False, indent=2)


def loads(data: str | bytes) -> Page:
    """Rebuild a page from unocr JSON.

    Args:
        data: JSON text or UTF-8 bytes.

    Returns:
        The page, exactly as it was written.

    Raises:
        FormatError: Not JSON, or not a unocr page.
    """
    from unocr.model import Page

    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"not valid JSON: {exc}") from exc
    try:
        return Page.from_dict(obj)
    except FormatError:
        raise
    except (TypeError, ValueError, KeyError) as exc:
        raise FormatError(f"not a valid unocr page: {exc}") from exc

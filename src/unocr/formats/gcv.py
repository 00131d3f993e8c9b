"""Google Cloud Vision responses (read only).

Delegates to :func:`unocr.backends.gcv.convert.response_to_page`, which is
pure (no google-cloud-vision import), so a saved response converts anywhere.
The response must come from ``DOCUMENT_TEXT_DETECTION`` (its
``fullTextAnnotation`` gives the page size) or carry a size of its own.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from unocr.errors import FormatError

if TYPE_CHECKING:
    from unocr.model import Page

__all__ = ["loads"]


def loads(data: str | bytes) -> Page:
    """Convert a Cloud Vision ``AnnotateImageResponse`` (REST JSON) to a page.

    Args:
        data: The response's JSON text or bytes (camelCase or snake_case keys;
            a ``{"responses": [...]}`` wrapper with one response is accepted).

    Returns:
        The page, ``backend="gcv"``.

    Raises:
        FormatError: Not JSON, or not a single-image Cloud Vision response.
    """
    from unocr.backends.gcv.convert import response_to_page

    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(f"Cloud Vision response is not valid JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise FormatError(
            f"a Cloud Vision response is a JSON object, got {type(obj).__name__}"
        )
    return response_to_page(obj)

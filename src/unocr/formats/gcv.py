"""Google Cloud Vision responses (read only).

Delegates to :func:`unocr.backends.gcv.convert.response_to_page`, which is
pure (no google-cloud-vision import), so a saved response converts anywhere.
The response must come from ``DOCUMENT_TEXT_DETECTION`` (its
``fullTextAnnotation`` gives the page size) or carry a size of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unocr.errors import FormatError
from unocr.limits import ReadLimits, check_limit

if TYPE_CHECKING:
    from unocr.model import Page

__all__ = ["loads"]


def loads(data: str | bytes, limits: ReadLimits | None = None) -> Page:
    """Convert a Cloud Vision ``AnnotateImageResponse`` (REST JSON) to a page.

    Args:
        data: The response's JSON text or bytes (camelCase or snake_case keys;
            a ``{"responses": [...]}`` wrapper with one response is accepted).
        limits: Size, depth and element limits (JSON objects count as
            elements); defaults when ``None``.

    Returns:
        The page, ``backend="gcv"``.

    Raises:
        FormatError: Not JSON, not a single-image Cloud Vision response, or
            over a limit.
    """
    from unocr.backends.gcv.convert import response_to_page
    from unocr.model.serialize import count_objects, parse_json

    limits = limits or ReadLimits()
    obj = parse_json(data, limits, what="Cloud Vision response")
    check_limit(
        count_objects(obj),
        limits.max_elements,
        what="Cloud Vision response",
        unit="JSON objects",
        argument="max_elements",
        error=FormatError,
    )
    if not isinstance(obj, dict):
        raise FormatError(
            f"a Cloud Vision response is a JSON object, got {type(obj).__name__}"
        )
    return response_to_page(obj)

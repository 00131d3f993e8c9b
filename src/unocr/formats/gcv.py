"""Google Cloud Vision responses (read only).

Delegates to :func:`unocr.backends.gcv.convert.response_to_page`, which is
pure (no google-cloud-vision import), so a saved response converts anywhere.
A ``DOCUMENT_TEXT_DETECTION`` response gives the page size
(``fullTextAnnotation``); for one with only ``textAnnotations`` pass
``width=`` and ``height=``. A response without text (what the API answers
for a blank image, ``{}``) is an empty page of size 0 x 0 (unknown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from unocr.errors import FormatError
from unocr.limits import ReadLimits, check_limit

if TYPE_CHECKING:
    from unocr.model import Page

__all__ = ["loads"]


def loads(
    data: str | bytes,
    limits: ReadLimits | None = None,
    *,
    width: int | None = None,
    height: int | None = None,
) -> Page:
    """Convert a Cloud Vision ``AnnotateImageResponse`` (REST JSON) to a page.

    Args:
        data: The response's JSON text or bytes (camelCase or snake_case keys;
            a ``{"responses": [...]}`` wrapper with one response is accepted).
        limits: Size, depth and element limits (JSON objects count as
            elements); defaults when ``None``.
        width: Image width in pixels; default the response's page width.
            Needed for a response with text but no ``fullTextAnnotation``.
        height: Image height in pixels; default the page height.

    Returns:
        The page, ``backend="gcv"`` (0 x 0 for a response without text nor
        size).

    Raises:
        FormatError: Not JSON, not a single-image Cloud Vision response, over
            a limit, or text without a size.
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
    return response_to_page(obj, width=width, height=height)

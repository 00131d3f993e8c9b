"""Google Cloud Vision OCR responses -> unocr blocks and pages (pure).

Needs neither google-cloud-vision nor the network, so a response saved on
disk converts anywhere. The jobs live in small modules:
:mod:`~unocr.backends.gcv.inputs` (the forms a response comes in),
:mod:`~unocr.backends.gcv.wire`, :mod:`~unocr.backends.gcv.message` and
:mod:`~unocr.backends.gcv.mapping` (protobuf message or dict -> the flat tree
of :mod:`~unocr.backends.gcv.tree`), :mod:`~unocr.backends.gcv.build` (flat
tree -> blocks, lines, words, symbols) and :mod:`~unocr.backends.gcv.status`
(per-image error statuses). A message's text annotation is read from its
wire bytes (:mod:`~unocr.backends.gcv.wire`; the message reader where that
does not apply), never through proto-plus attributes or a dict copy; a saved
JSON response gives the same page.

Mapping (see ``docs/backends/gcv.md``):

- ``fullTextAnnotation.pages[0]`` gives the page size; each GCV *paragraph*
  becomes a unocr :class:`~unocr.model.Block` (``block_level="paragraph"``,
  the default) or each GCV *block* does (``block_level="block"``); both are
  native. Words and symbols are native; their confidences (already in
  [0, 1]) and detected languages are kept. Symbols are read and checked with
  the rest, and built when a word's ``symbols`` are first accessed.
- GCV has no line level: lines are synthesised (``native=False``) from the
  symbols' ``detectedBreak`` (see :mod:`~unocr.backends.gcv.build`).
- Geometry is a :class:`~unocr.geometry.Quad` in canonical order (top-left
  first, clockwise on screen).
- A response with only ``textAnnotations`` (entry 0 is the whole text, the
  rest are words) gives words, and lines and blocks are synthesised from their
  geometry (:meth:`~unocr.model.Page.from_words`).
- A confidence the response leaves out is ``None``: the API (and the proto
  JSON mapping) omits zero values, so a proto ``0.0`` is read as "none".
- A response without text and without a size (the API's answer for a blank
  image, ``{}``) is an empty page of 0 x 0 pixels (size unknown).
- A shape or element the response's values cannot make (a coordinate beyond
  :data:`unocr.limits.MAX_COORDINATE`) raises :class:`~unocr.errors.FormatError`
  when the response is converted.

Examples:
    >>> page = response_to_page(
    ...     {"textAnnotations": [
    ...         {"description": "Hi", "locale": "en"},
    ...         {"description": "Hi", "boundingPoly": {"vertices": [
    ...             {"x": 10, "y": 5}, {"x": 30, "y": 5},
    ...             {"x": 30, "y": 20}, {"x": 10, "y": 20}]}},
    ...     ]},
    ...     width=100, height=50,
    ... )
    >>> page.text, page.words[0].geometry.bounds.x0, page.words[0].language
    ('Hi', 10.0, 'en')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypedDict

from typing_extensions import Unpack

from unocr._lazy import SET_ON_PAGE, UNSET, check_keywords, deprecated_keywords
from unocr.backends.gcv.build import BlockLevel, build_blocks
from unocr.backends.gcv.inputs import as_mapping, as_message, response_to_dict
from unocr.backends.gcv.mapping import read_mapping
from unocr.backends.gcv.message import read_message
from unocr.backends.gcv.status import (
    AUTH_GUIDANCE,
    RETRYABLE_CODES,
    error_from_status,
    status_name,
)
from unocr.backends.gcv.tree import BREAKS, RawPage
from unocr.backends.gcv.wire import read_head, read_page, read_wire
from unocr.backends.options import check_choice
from unocr.errors import FormatError, GeometryError, ModelError, UnocrError
from unocr.model import Block, Page

__all__ = [
    "AUTH_GUIDANCE",
    "BREAKS",
    "RETRYABLE_CODES",
    "BlockLevel",
    "ResponseOptions",
    "answer_message",
    "error_from_status",
    "page_size",
    "response_to_blocks",
    "response_to_dict",
    "response_to_page",
    "status_name",
    "wire_response_to_blocks",
]


def page_size(response: object) -> tuple[int, int] | None:
    """``(width, height)`` of the page the API saw, where the response gives it.

    Args:
        response: Any form :func:`response_to_page` accepts.

    Returns:
        The size in pixels from ``fullTextAnnotation.pages[0]``, or ``None``.
    """
    message = as_message(response)
    if message is not None:
        pages = message.full_text_annotation.pages
        if not len(pages):
            return None
        return _size(pages[0].width, pages[0].height)
    data = as_mapping(response)
    fta = data.get("fullTextAnnotation", data.get("full_text_annotation"))
    pages = fta.get("pages") if isinstance(fta, Mapping) else None
    if not isinstance(pages, list) or not pages or not isinstance(pages[0], Mapping):
        return None
    return _size(pages[0].get("width"), pages[0].get("height"))


def _size(width: object, height: object) -> tuple[int, int] | None:
    w, h = _positive(width, "width"), _positive(height, "height")
    return (w, h) if w is not None and h is not None else None


def _positive(value: object, name: str) -> int | None:
    """A page dimension: a whole number of pixels, ``None`` where absent or 0."""
    if value is None or value == 0:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormatError(
            f"malformed Cloud Vision response: the page {name} should be a whole "
            f"number, got {type(value).__name__}",
            backend="gcv",
        )
    if not math.isfinite(value) or value != int(value) or not 0 < value < 2**31:
        raise FormatError(
            f"malformed Cloud Vision response: the page {name} {value!r} is not a "
            "whole number of pixels between 1 and 2**31",
            backend="gcv",
        )
    return int(value)


class ResponseOptions(TypedDict, total=False):
    """How a response is read: the keywords of :func:`response_to_blocks`.

    :func:`response_to_page` takes them too.

    Attributes:
        width: Image width in pixels (default ``None``: ``fullTextAnnotation``'s
            page width). Needed for responses with text but without a
            ``fullTextAnnotation``.
        height: Image height in pixels (default ``None``: the page height).
        block_level: Which GCV level becomes a unocr block: ``"paragraph"``
            (default; GCV blocks often hold several paragraphs) or ``"block"``.
        symbols: Keep the symbol level (characters; default ``True``);
            ``False`` skips it. They are read with the rest and built on
            first access of ``Word.symbols``
            (:class:`~unocr.backends.gcv.build.PageSymbols`).
    """

    width: int | None
    height: int | None
    block_level: BlockLevel
    symbols: bool


def response_to_blocks(
    response: object, **options: Unpack[ResponseOptions]
) -> list[Block]:
    """Convert a Cloud Vision ``AnnotateImageResponse`` to unocr blocks.

    Only what the engine produced goes in; the backend name, languages and
    timings are stamped on the page by whoever builds it.

    Args:
        response: An ``AnnotateImageResponse`` message (raw protobuf or
            proto-plus), or a saved response: a dict (REST camelCase or
            snake_case keys), JSON text or bytes, or a path to a JSON file.
        **options: How to read it: ``width``, ``height``, ``block_level``,
            ``symbols`` (see :class:`ResponseOptions`).

    Returns:
        Blocks -> synthesised lines -> words -> symbols, in reading order,
        coordinates in the pixels of the image the API saw.

    Raises:
        FormatError: The response is malformed, or has text but no size.
        UnocrError: The response carries an ``error`` status (see
            :func:`error_from_status`).
    """
    check_keywords("response_to_blocks", options, ResponseOptions)
    return _convert(response, options)[0]


def response_to_page(
    response: object,
    *,
    backend: str | None = UNSET,
    languages: Sequence[str] = UNSET,
    **options: Unpack[ResponseOptions],
) -> Page:
    """Convert a saved (or received) Cloud Vision response to a :class:`Page`.

    Args:
        response: As for :func:`response_to_blocks`.
        backend: Deprecated (the page's backend is ``"gcv"``; see
            :class:`~unocr.model.page.PageLabels`).
        languages: Deprecated (see :class:`~unocr.model.page.PageLabels`).
        **options: As for :func:`response_to_blocks`.

    Returns:
        The page, ``backend="gcv"``; 0 x 0 pixels for a response with neither
        text nor size.

    Raises:
        FormatError: The response is malformed, or has text but no size.
        UnocrError: The response carries an ``error`` status.
    """
    check_keywords("response_to_page", options, ResponseOptions)
    passed = deprecated_keywords(
        "response_to_page",
        {"backend": backend, "languages": languages},
        use=SET_ON_PAGE,
    )
    blocks, (w, h) = _convert(response, options)
    return Page.from_blocks(blocks, width=w, height=h, **{"backend": "gcv", **passed})


def _convert(
    response: object, options: ResponseOptions
) -> tuple[list[Block], tuple[int, int]]:
    width, height = options.get("width"), options.get("height")
    block_level = options.get("block_level", "paragraph")
    symbols = options.get("symbols", True)
    check_choice(block_level, "block_level", ("paragraph", "block"))
    message = as_message(response)
    data: Mapping[str, Any] | None = None
    if message is not None:
        if message.error.code:
            raise error_from_status(int(message.error.code), str(message.error.message))
    else:
        data = as_mapping(response)
        _raise_status(data)
    size = page_size(message if message is not None else data)
    w = _positive(width, "width") or (size[0] if size else None)
    h = _positive(height, "height") or (size[1] if size else None)

    # where the size is unknown, normalized vertices scale by 1: nothing of
    # this reading is kept unless the response has no text
    def read() -> RawPage:
        if message is not None:
            return _read_message(message, w or 1, h or 1, symbols, block_level)
        assert data is not None
        return read_mapping(
            data, width=w or 1, height=h or 1, symbols=symbols, regions=block_level
        )

    return _built(read, w, h, block_level, typed=message is not None)


def wire_response_to_blocks(
    data: bytes,
    *,
    head: Any = None,
    width: int,
    height: int,
    block_level: BlockLevel = "paragraph",
    symbols: bool = True,
) -> tuple[list[Block], tuple[int, int]]:
    """Convert an ``AnnotateImageResponse`` as received: its wire bytes.

    The fast path of the backend: the answer is read in the flat schema of
    :mod:`~unocr.backends.gcv.wire` straight from the bytes the server sent,
    never made into the real message, where it can be (one page); else it is
    parsed and converted as :func:`response_to_blocks` converts a message.

    Args:
        data: One image's answer, as the server sent it.
        head: Its flat head (:func:`~unocr.backends.gcv.wire.read_head`),
            where the caller has read it already.
        width: Width of the image sent, in pixels: the page's where the
            response gives none.
        height: Its height.
        block_level: As for :func:`response_to_blocks`.
        symbols: As for :func:`response_to_blocks`.

    Returns:
        The blocks, and the size of the page the API saw.

    Raises:
        FormatError: The bytes are no ``AnnotateImageResponse``, or it is
            malformed.
        UnocrError: The response carries an ``error`` status.
    """

    def parsed() -> Any:  # the real message, where the flat schema does not do
        return answer_message(data)

    if head is None:
        head = read_head(data)
    if head is not None:
        if head.error.code:
            raise error_from_status(int(head.error.code), str(head.error.message))
        pages = head.full_text_annotation.pages
        if len(pages) == 1:
            w, h = _size(pages[0].width, pages[0].height) or (width, height)

            def read() -> RawPage:
                raw = read_page(
                    pages[0],
                    width=w,
                    height=h,
                    symbols=symbols,
                    regions=block_level,
                )
                if raw is not None:
                    return raw
                return read_message(
                    parsed(), width=w, height=h, symbols=symbols, regions=block_level
                )

            return _built(read, w, h, block_level, typed=True)
    message = parsed()
    w, h = page_size(message) or (width, height)
    options: ResponseOptions = {
        "width": w,
        "height": h,
        "block_level": block_level,
        "symbols": symbols,
    }
    return _convert(message, options)


def answer_message(data: bytes) -> Any:
    """An ``AnnotateImageResponse``'s wire bytes as the real protobuf message.

    Needs google-cloud-vision (the backend's extra).

    Raises:
        FormatError: The bytes are no ``AnnotateImageResponse``.
    """
    from google.cloud import vision_v1
    from google.protobuf.message import DecodeError

    try:
        return vision_v1.AnnotateImageResponse.pb().FromString(data)
    except DecodeError as exc:
        raise FormatError(
            f"malformed Cloud Vision response: {exc}", backend="gcv"
        ) from None


def _built(
    read: Callable[[], RawPage],
    w: int | None,
    h: int | None,
    block_level: BlockLevel,
    *,
    typed: bool,
) -> tuple[list[Block], tuple[int, int]]:
    """The blocks of what ``read`` reads, and the page size; errors typed.

    Args:
        read: Reads the response into the flat tree.
        w: The page width, ``None`` where unknown.
        h: The page height.
        block_level: As for :func:`response_to_blocks`.
        typed: The response is a protobuf message (its types are checked by
            protobuf: a ``TypeError`` reading it is a fault of unocr's).
    """
    try:
        raw = read()
        if w is None or h is None:
            return _without_size(raw, w, h)
        return build_blocks(raw, block_level=block_level), (w, h)
    except (ModelError, GeometryError) as exc:  # built from the response's values
        raise FormatError(
            f"malformed Cloud Vision response: {exc}", backend="gcv"
        ) from exc
    except UnocrError:
        raise
    except (
        TypeError,
        AttributeError,
        ValueError,
        OverflowError,
        RecursionError,
    ) as exc:
        if typed:
            raise  # a message is typed: this is no fault of the response
        # the readers check every type they read; this is the safety net
        raise FormatError(
            f"malformed Cloud Vision response: {type(exc).__name__}: {exc}",
            backend="gcv",
        ) from None


def _read_message(
    message: Any, width: int, height: int, symbols: bool, regions: BlockLevel
) -> RawPage:
    """The message's flat tree: from its text annotation's wire bytes where it can."""
    raw = None
    annotation = message.full_text_annotation
    if len(annotation.pages) == 1:
        raw = read_wire(
            annotation.SerializeToString(),
            width=width,
            height=height,
            symbols=symbols,
            regions=regions,
        )
    if raw is None:
        raw = read_message(
            message, width=width, height=height, symbols=symbols, regions=regions
        )
    return raw


def _without_size(
    raw: RawPage, width: int | None, height: int | None
) -> tuple[list[Block], tuple[int, int]]:
    """A response that does not give its size: an empty page if it has no text.

    What the API answers for an image without text (``{}``) has no page and
    so no size: it gives no blocks and a size of 0 (unknown).

    Args:
        raw: The response as read.
        width: The width given, if any.
        height: The height given, if any.

    Returns:
        No blocks, and the size given, 0 where none was.

    Raises:
        FormatError: The response has words, whose page size is needed.
    """
    if raw.has_words():
        raise FormatError(
            "the response does not give the image size; pass width= and height= "
            "(the image's size in pixels) to unocr.backends.gcv.response_to_page "
            "or unocr.formats.gcv.loads",
            backend="gcv",
        )
    return [], (width or 0, height or 0)


def _raise_status(data: Mapping[str, Any]) -> None:
    error = data.get("error")
    if error is None:
        return
    if not isinstance(error, Mapping):
        raise FormatError(
            "malformed Cloud Vision response: error should be an object, got "
            f"{type(error).__name__}",
            backend="gcv",
        )
    code = error.get("code")
    if not code:
        return
    if isinstance(code, bool) or not isinstance(code, int):
        raise FormatError(
            "malformed Cloud Vision response: error.code should be a whole "
            f"number, got {code!r:.40}",
            backend="gcv",
        )
    message = error.get("message", "")
    raise error_from_status(code, message if isinstance(message, str) else "")

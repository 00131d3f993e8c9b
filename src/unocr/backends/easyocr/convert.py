"""Convert EasyOCR's ``Reader.readtext`` output into a :class:`~unocr.model.Page`.

``readtext`` returns one entry per detected text box, in its own order:

* ``(box, text, confidence)`` by default: ``box`` is four ``[x, y]`` pixel
  points (top-left first, clockwise), ``confidence`` a float in [0, 1];
* ``(box, text)`` with ``paragraph=True``: EasyOCR merges boxes into
  paragraphs and reports no confidence.

Each entry becomes a native :class:`~unocr.model.Line` (quad, EasyOCR's
confidence). Given the image size, boxes are clipped to the image (each
corner clamped to it, as ``readtext`` does to its axis-aligned boxes before
reading them; its slanted ones can reach beyond the image), on the
``readtext`` and the ``detect`` path alike. EasyOCR reports no words: they
are synthesised (``native=False``, the line's confidence) by splitting the
line quad in proportion to character counts; blocks and reading order come from
:meth:`unocr.model.Page.from_lines`. Pure: no engine import.

Examples:
    >>> result = [([[10, 5], [110, 5], [110, 25], [10, 25]], "Hello world", 0.9)]
    >>> page = easyocr_to_page(result, width=200, height=40)
    >>> [(w.text, w.native, w.confidence) for w in page.words]
    [('Hello', False, 0.9), ('world', False, 0.9)]
"""

from __future__ import annotations

from collections.abc import Sequence

from typing_extensions import Unpack

from unocr.backends._points import clip_points, four_points, probability
from unocr.errors import FormatError, GeometryError
from unocr.geometry import Quad
from unocr.model import Block, Line, Page
from unocr.model.layout import group_lines
from unocr.model.page import PageFields, engine_page_keywords
from unocr.model.wordsplit import native_line

__all__ = [
    "crop_text",
    "detections_to_blocks",
    "easyocr_to_blocks",
    "easyocr_to_page",
    "line_from_entry",
]


def _quad(
    points: object, what: str, width: int | None, height: int | None
) -> Quad | None:
    """EasyOCR's four corners as a quad, clipped to a ``width`` x ``height`` image.

    Args:
        points: (4, 2) pixel coordinates (x, y).
        what: Names the field in a format error.
        width: Image width in pixels; ``None`` (with ``height``): not clipped.
        height: Image height in pixels.

    Returns:
        The quad, each corner clamped to x in [0, width] and y in [0, height];
        ``None`` when nothing of it with an area is left in the image.
    """
    pts = four_points(points, f"EasyOCR {what}")
    if width is not None and height is not None:
        clip_points(pts, width, height)
    try:
        quad = Quad.from_points(pts)
    except GeometryError:
        return None
    return quad if width is None or height is None or quad.area > 0 else None


def line_from_entry(
    entry: Sequence[object], *, width: int | None = None, height: int | None = None
) -> Line | None:
    """Convert one ``readtext`` entry into a line with synthesised words.

    Args:
        entry: ``(box, text, confidence)`` or ``(box, text)``; ``box`` is
            (4, 2) pixel coordinates (x, y).
        width: Width of the image EasyOCR read, in pixels: the box is clipped
            to the image (each corner clamped to it). ``None`` (the default,
            with ``height``): not clipped.
        height: Height of that image, in pixels.

    Returns:
        The native line, its words split from its (clipped) quad, or ``None``
        for blank text, a degenerate box or one with no area in the image.

    Raises:
        unocr.errors.FormatError: The entry does not have EasyOCR's shape.
    """
    if not isinstance(entry, (list, tuple)) or len(entry) not in (2, 3):
        raise FormatError(
            f"EasyOCR result entry: expected (box, text[, confidence]), "
            f"got {entry!r:.200}"
        )
    text = entry[1]
    if not isinstance(text, str):
        raise FormatError(f"EasyOCR result entry: text must be a str, got {text!r}")
    if not text.strip():
        return None
    quad = _quad(entry[0], "box", width, height)
    if quad is None:
        return None
    # Words along the line's own direction, at any angle.
    return native_line(quad, text, probability(entry[2]) if len(entry) == 3 else None)


def easyocr_to_blocks(
    result: Sequence[Sequence[object]],
    *,
    width: int | None = None,
    height: int | None = None,
) -> tuple[Block, ...]:
    """Convert ``Reader.readtext``'s list (``detail=1``) into blocks.

    Args:
        result: The entries described in the module docstring.
        width: Width of the image EasyOCR read, in pixels (boxes are clipped
            to the image); ``None`` (with ``height``): not clipped.
        height: Height of that image, in pixels.

    Returns:
        Blocks in reading order from the native lines (with synthesised words),
        in the pixels of the image EasyOCR read.

    Raises:
        unocr.errors.FormatError: ``result`` is not EasyOCR's format.
    """
    if not isinstance(result, (list, tuple)):
        raise FormatError(
            f"EasyOCR result: expected a list of entries, got {type(result).__name__}"
        )
    found = (line_from_entry(e, width=width, height=height) for e in result)
    lines = [line for line in found if line is not None]
    return tuple(group_lines(lines))


def detections_to_blocks(
    horizontal: Sequence[Sequence[float]],
    free: Sequence[Sequence[Sequence[float]]],
    *,
    width: int | None = None,
    height: int | None = None,
) -> tuple[Block, ...]:
    """Convert ``Reader.detect``'s boxes of one image into blocks of empty lines.

    Given the image size, the boxes are clipped to the image as
    :func:`line_from_entry` clips ``readtext``'s: a region gets the same quad
    from ``detect`` as from ``readtext``.

    Args:
        horizontal: Axis-aligned boxes ``[x_min, x_max, y_min, y_max]``, in
            pixels.
        free: Slanted boxes, four ``[x, y]`` pixel points each.
        width: Width of the image EasyOCR detected in, in pixels (boxes are
            clipped to the image); ``None`` (with ``height``): not clipped.
        height: Height of that image, in pixels.

    Returns:
        Blocks in reading order of native line quads with text ``""``, no
        words and no confidence.

    Examples:
        >>> blocks = detections_to_blocks([[10, 110, 5, 25]], [])
        >>> blocks[0].lines[0].geometry.to_box()
        Box(x0=10.0, y0=5.0, x1=110.0, y1=25.0)
        >>> cut = detections_to_blocks([[-4, 110, -4, 25]], [], width=100, height=40)
        >>> cut[0].lines[0].geometry.to_box()
        Box(x0=0.0, y0=0.0, x1=100.0, y1=25.0)
    """
    lines: list[Line] = []
    corners = [
        [[b[0], b[2]], [b[1], b[2]], [b[1], b[3]], [b[0], b[3]]] for b in horizontal
    ]
    for points in [*corners, *free]:
        quad = _quad(points, "detected box", width, height)
        if quad is not None:
            lines.append(Line(text="", geometry=quad))
    return tuple(group_lines(lines))


def crop_text(result: Sequence[Sequence[object]]) -> tuple[str, float | None]:
    """The text and confidence ``Reader.recognize`` read in one whole crop.

    Args:
        result: Its ``(box, text, confidence)`` entries (one for a crop).

    Returns:
        The entries' texts joined by spaces and their mean confidence
        (``None`` for no text).

    Examples:
        >>> crop_text([([[0, 0], [9, 0], [9, 9], [0, 9]], "Hello", 0.9)])
        ('Hello', 0.9)
        >>> crop_text([])
        ('', None)
    """
    texts = [str(e[1]).strip() for e in result if len(e) > 1 and str(e[1]).strip()]
    confs = [
        c
        for e in result
        if len(e) > 2 and str(e[1]).strip() and (c := probability(e[2])) is not None
    ]
    if not texts:
        return "", None
    return " ".join(texts), (sum(confs) / len(confs) if confs else None)


def easyocr_to_page(
    result: Sequence[Sequence[object]], **keywords: Unpack[PageFields]
) -> Page:
    """Convert (saved) ``Reader.readtext`` output into a page.

    Args:
        result: ``Reader.readtext``'s list, as for :func:`easyocr_to_blocks`.
        **keywords: ``width`` and ``height`` of the image EasyOCR read, in
            pixels, and the deprecated page labels (see
            :class:`~unocr.model.page.PageLabels`).

    Returns:
        The page, ``backend="easyocr"``: native line quads clipped to the
        image, synthesised words, blocks in reading order.

    Raises:
        unocr.errors.FormatError: ``result`` is not EasyOCR's format.
    """
    page = engine_page_keywords("easyocr_to_page", "easyocr", keywords)
    blocks = easyocr_to_blocks(
        result, width=keywords["width"], height=keywords["height"]
    )
    return Page.from_blocks(blocks, **page)

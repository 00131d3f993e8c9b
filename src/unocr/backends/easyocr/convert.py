"""Convert EasyOCR's ``Reader.readtext`` output into a :class:`~unocr.model.Page`.

``readtext`` returns one entry per detected text box, in its own order:

* ``(box, text, confidence)`` by default: ``box`` is four ``[x, y]`` pixel
  points (top-left first, clockwise), ``confidence`` a float in [0, 1];
* ``(box, text)`` with ``paragraph=True``: EasyOCR merges boxes into
  paragraphs and reports no confidence.

Each entry becomes a native :class:`~unocr.model.Line` (quad, EasyOCR's
confidence). EasyOCR reports no words: they are synthesised
(``native=False``, the line's confidence) by splitting the line quad in
proportion to character counts; blocks and reading order come from
:meth:`unocr.model.Page.from_lines`. Pure: no engine import.

Examples:
    >>> result = [([[10, 5], [110, 5], [110, 25], [10, 25]], "Hello world", 0.9)]
    >>> page = easyocr_to_page(result, width=200, height=40)
    >>> [(w.text, w.native, w.confidence) for w in page.words]
    [('Hello', False, 0.9), ('world', False, 0.9)]
"""

from __future__ import annotations

from collections.abc import Sequence

from unocr._lazy import SET_ON_PAGE, UNSET, deprecated_keywords
from unocr.backends._points import four_points, probability
from unocr.errors import FormatError, GeometryError
from unocr.geometry import Quad
from unocr.model import Block, Line, Page, Timings
from unocr.model.layout import group_lines
from unocr.model.wordsplit import native_line

__all__ = [
    "crop_text",
    "detections_to_blocks",
    "easyocr_to_blocks",
    "easyocr_to_page",
    "line_from_entry",
]


def _quad(points: object, what: str) -> Quad | None:
    try:
        return Quad.from_points(four_points(points, f"EasyOCR {what}"))
    except GeometryError:
        return None


def line_from_entry(entry: Sequence[object]) -> Line | None:
    """Convert one ``readtext`` entry into a line with synthesised words.

    Args:
        entry: ``(box, text, confidence)`` or ``(box, text)``; ``box`` is
            (4, 2) pixel coordinates (x, y).

    Returns:
        The native line, or ``None`` for blank text or a degenerate box.

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
    quad = _quad(entry[0], "box")
    if quad is None:
        return None
    # Words along the line's own direction, at any angle.
    return native_line(quad, text, probability(entry[2]) if len(entry) == 3 else None)


def easyocr_to_blocks(result: Sequence[Sequence[object]]) -> tuple[Block, ...]:
    """Convert ``Reader.readtext``'s list (``detail=1``) into blocks.

    Args:
        result: The entries described in the module docstring.

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
    lines = [line for line in map(line_from_entry, result) if line is not None]
    return tuple(group_lines(lines))


def detections_to_blocks(
    horizontal: Sequence[Sequence[float]], free: Sequence[Sequence[Sequence[float]]]
) -> tuple[Block, ...]:
    """Convert ``Reader.detect``'s boxes of one image into blocks of empty lines.

    Args:
        horizontal: Axis-aligned boxes ``[x_min, x_max, y_min, y_max]``.
        free: Slanted boxes, four ``[x, y]`` points each.

    Returns:
        Blocks in reading order of native line quads with text ``""``, no
        words and no confidence.

    Examples:
        >>> blocks = detections_to_blocks([[10, 110, 5, 25]], [])
        >>> blocks[0].lines[0].geometry.to_box()
        Box(x0=10.0, y0=5.0, x1=110.0, y1=25.0)
    """
    lines: list[Line] = []
    corners = [
        [[b[0], b[2]], [b[1], b[2]], [b[1], b[3]], [b[0], b[3]]] for b in horizontal
    ]
    for points in [*corners, *free]:
        quad = _quad(points, "detected box")
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
    result: Sequence[Sequence[object]],
    *,
    width: int,
    height: int,
    backend: str = UNSET,
    languages: Sequence[str] = UNSET,
    timings: Timings | None = UNSET,
) -> Page:
    """Convert (saved) ``Reader.readtext`` output into a page.

    Args:
        result: As for :func:`easyocr_to_blocks`.
        width: Width of the image EasyOCR read, in pixels.
        height: Height of that image, in pixels.
        backend: Deprecated (the page's backend is ``"easyocr"``; set another
            with ``page.replace(backend=...)``); removed in 0.3.
        languages: Deprecated (set ``Page.languages`` with
            ``page.replace(languages=...)``); removed in 0.3.
        timings: Deprecated (set ``Page.timings`` with
            ``page.replace(timings=...)``); removed in 0.3.

    Returns:
        The page, ``backend="easyocr"``: native line quads, synthesised words,
        blocks in reading order.

    Raises:
        unocr.errors.FormatError: ``result`` is not EasyOCR's format.
    """
    passed = deprecated_keywords(
        "easyocr_to_page",
        {"backend": backend, "languages": languages, "timings": timings},
        use=SET_ON_PAGE,
    )
    return Page.from_blocks(
        easyocr_to_blocks(result),
        width=width,
        height=height,
        **{"backend": "easyocr", **passed},
    )

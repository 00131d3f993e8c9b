"""Convert RapidOCR 3 output into a :class:`~unocr.model.Page` (pure, no engine).

``rapidocr.RapidOCR.__call__`` returns a ``RapidOCROutput`` whose fields this
module reads (any object with these attributes, or a mapping with these keys,
converts):

* ``boxes``: (N, 4, 2) float pixel corners of the N text lines, clockwise from
  the top-left corner of the text, or ``None`` when nothing was found;
* ``txts``: the N recognised strings;
* ``scores``: the N line confidences (mean character probability, in [0, 1]);
* ``word_results``: with ``return_word_box=True``, one tuple per line of
  ``(text, score, box)`` items, ``box`` four ``[x, y]`` integer points. They
  are words (Latin script: one item per space-separated word; CJK: one per
  character) or, with ``return_single_char_box=True``, single characters.
  Spaces never get an item.
* ``turned`` (optional, not part of RapidOCR's output): one flag per line,
  true where RapidOCR's direction classifier turned the line's crop by 180
  degrees before reading it (its ``TextClsOutput.cls_res`` label ``"180"``
  with a score above ``Cls.cls_thresh``). RapidOCR does not put the
  classifier's results in its output, so the caller captures them.

RapidOCR works its word and character boxes out on the line's crop as
detected but places them along the text as read: on a line the classifier
turned (upside down, or a vertical line reading bottom to top) every box is
mirrored along the line, the first word at the line's wrong end. Where
``turned`` flags a line, its boxes are mirrored back across the line's
middle (along its long side, as RapidOCR's crop runs). The line's corners
cannot show this: RapidOCR orders them from the image's top-left corner
whatever way the text runs.

Word and character boxes are kept within their line, not merely within the
image: RapidOCR's boxes can stick out of the line (and, at the image's edge,
out of the image) by the rounding of its crop, and a word belongs to its
line. Each corner more than 1.5 pixels (RapidOCR's rounding) outside the
line's extent along or across the line (the line's own rectangle for
RapidOCR's rectangular lines), or outside the line's bounding box, is moved
in to that distance. The backend also
cuts every box to the image
(:func:`~unocr.backends.rapidocr.sizing.clip_output`).

Lines are native :class:`~unocr.model.Line` quads with the engine's
confidence. Words come from the engine's word boxes (``native=True``) when
those spell the line; with character boxes (``unit="char"``) the characters
become native :class:`~unocr.model.Symbol` elements grouped into words at the
line text's spaces (``native=False``); otherwise words are synthesised by
splitting the line quad in proportion to character counts (``native=False``,
the line's confidence). Blocks come from :meth:`unocr.model.Page.from_lines`.

Examples:
    >>> out = {"boxes": [[[10, 5], [110, 5], [110, 25], [10, 25]]],
    ...        "txts": ["Hello world"], "scores": [0.97]}
    >>> page = rapidocr_to_page(out, width=200, height=40)
    >>> [(w.text, w.native) for w in page.words]
    [('Hello', False), ('world', False)]
    >>> page.lines[0].confidence
    0.97
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from typing_extensions import Unpack

from unocr.backends._points import four_points, probability
from unocr.errors import FormatError, GeometryError
from unocr.geometry import Quad
from unocr.model import Block, Line, Page, Symbol, Word
from unocr.model.layout import group_lines
from unocr.model.page import PageFields, engine_page_keywords
from unocr.model.wordsplit import native_line

__all__ = [
    "crops_to_texts",
    "detections_to_blocks",
    "line_from_result",
    "rapidocr_to_blocks",
    "rapidocr_to_page",
    "split_line_quad",
]

_WORD = re.compile(r"\S+")

#: How far (pixels) a word or character box may reach past its line: RapidOCR
#: rounds its line and word boxes to whole pixels.
_SLACK = 1.5

#: What the items of ``word_results`` are.
Unit = Literal["word", "char"]


def _points(value: ArrayLike, what: str) -> NDArray[np.float64]:
    """Validate four (x, y) points of a RapidOCR ``what`` (e.g. "line box")."""
    return four_points(value, f"RapidOCR {what}")


def _quad(points: NDArray[np.float64]) -> Quad | None:
    """A canonical quad, or ``None`` where the points are not a valid quad."""
    try:
        return Quad.from_points(points)
    except GeometryError:
        return None


def split_line_quad(
    points: ArrayLike, text: str
) -> list[tuple[str, NDArray[np.float64]]]:
    """Split a line quad into word quads in proportion to character counts.

    Used where the engine gives no usable word boxes. Word ``i`` covering
    characters ``[a, b)`` of a text of ``n`` characters spans fractions
    ``a / n`` to ``b / n`` of the line along its top and bottom edges, so
    the word quads follow a rotated line's slope.

    Args:
        points: (4, 2) line quad, pixel coordinates (x, y), top-left first,
            clockwise (top-left, top-right, bottom-right, bottom-left).
        text: The line's text; words are runs of non-whitespace characters.

    Returns:
        ``(word, quad)`` pairs left to right, each quad a (4, 2) float64 array
        in the same corner order.

    Examples:
        >>> [(w, q[:, 0].round(1).tolist()) for w, q in split_line_quad(
        ...     [[0, 0], [50, 0], [50, 10], [0, 10]], "ab cd")]
        [('ab', [0.0, 20.0, 20.0, 0.0]), ('cd', [30.0, 50.0, 50.0, 30.0])]
    """
    pts = _points(points, "line box")
    n = len(text)
    out: list[tuple[str, NDArray[np.float64]]] = []
    if n == 0:
        return out
    tl, tr, br, bl = pts
    for match in _WORD.finditer(text):
        t0, t1 = match.start() / n, match.end() / n
        quad = np.array(
            [
                tl + t0 * (tr - tl),
                tl + t1 * (tr - tl),
                bl + t1 * (br - bl),
                bl + t0 * (br - bl),
            ],
            dtype=np.float64,
        )
        out.append((match.group(), quad))
    return out


def _items(value: object) -> list[tuple[str, Any, Any]] | None:
    """A line's ``word_results`` as (text, score, box) triples; ``None`` if not."""
    if not isinstance(value, (list, tuple)):
        return None
    out: list[tuple[str, Any, Any]] = []
    for item in value:
        if not isinstance(item, (list, tuple)) or len(item) != 3:
            return None
        text, score, box = item
        if not isinstance(text, str) or box is None:
            return None
        out.append((text, score, box))
    return out


class _LineFrame:
    """A line's frame: how its word boxes are mirrored and kept within it.

    Args:
        line: The line's quad, pixel coordinates.
        size: The image's (width, height) in pixels, which boxes are also
            cut to; ``None``: not known.
    """

    def __init__(self, line: Quad, size: tuple[int, int] | None = None) -> None:
        tl, tr, br, bl = line.points
        #: The line's centre, (x, y) pixels.
        self.centre: NDArray[np.float64] = line.points.mean(axis=0)
        run = (tr - tl + br - bl) / 2  # along the top and bottom edges
        down = (bl - tl + br - tr) / 2  # along the left and right edges
        u = run / (float(np.hypot(*run)) or 1.0)
        v = np.array([-u[1], u[0]])  # perpendicular, pointing down
        self._basis = np.stack([u, v])  # rows: the frame's unit axes
        coords = (line.points - tl) @ self._basis.T
        self._origin = tl
        self._low = coords.min(axis=0)
        self._high = coords.max(axis=0)
        low, high = line.points.min(axis=0) - _SLACK, line.points.max(axis=0) + _SLACK
        if size is not None:
            low, high = np.maximum(low, 0), np.minimum(high, size)
        self._box = np.stack([low, high])
        # RapidOCR's crop runs along the line's long side: a line at least
        # 1.5 times as high as wide is read top to bottom (its rule).
        width = max(float(np.hypot(*(tr - tl))), float(np.hypot(*(br - bl))))
        height = max(float(np.hypot(*(br - tr))), float(np.hypot(*(bl - tl))))
        vertical = width < 1e-6 or round(height / width, 2) >= 1.5
        axis = down if vertical else run
        #: Whether RapidOCR reads the line top to bottom (its crop turned).
        self.vertical = vertical
        #: Unit vector along which RapidOCR's crop of the line runs.
        self.axis: NDArray[np.float64] = axis / (float(np.hypot(*axis)) or 1.0)

    def mirrored(self, points: NDArray[np.float64]) -> NDArray[np.float64]:
        """(K, 2) points reflected across the line's middle, along its long side."""
        along = (points - self.centre) @ self.axis
        return np.asarray(points - 2 * along[:, None] * self.axis, dtype=np.float64)

    def within(self, points: NDArray[np.float64]) -> NDArray[np.float64]:
        """(K, 2) points clamped to the line's extent along and across it.

        Points up to :data:`_SLACK` pixels outside it are left alone
        (RapidOCR rounds its boxes to whole pixels); points further out are
        moved in to that distance, and to that distance of the line's
        bounding box (which matters for a line that is not a rectangle);
        all are cut to the image where its size is known.
        """
        coords = (points - self._origin) @ self._basis.T
        clamped = np.clip(coords, self._low - _SLACK, self._high + _SLACK)
        moved = np.any(clamped != coords, axis=1)[:, None]  # others kept exactly
        inside = np.where(moved, self._origin + clamped @ self._basis, points)
        bounded = np.clip(inside, self._box[0], self._box[1])
        return np.asarray(bounded, dtype=np.float64)


def _span(quads: list[Quad], frame: _LineFrame) -> Quad | None:
    """The quad from the first to the last of ``quads`` along the line's reading.

    The first and last are the characters furthest back and forward along
    the line's long side; the span takes the first's leading corners and the
    last's trailing ones (left and right corners on a horizontal line, top
    and bottom ones on a vertical line).
    """
    along = [float(q.points.mean(axis=0) @ frame.axis) for q in quads]
    first = quads[int(np.argmin(along))].points
    last = quads[int(np.argmax(along))].points
    if frame.vertical:
        return _quad(np.array([first[0], first[1], last[2], last[3]]))
    return _quad(np.array([first[0], last[1], last[2], first[3]]))


@dataclass(frozen=True, slots=True)
class _LineBoxes:
    """A line's word or character boxes as RapidOCR gave them, to place on it.

    Attributes:
        text: The line's text.
        items: The line's ``(text, score, box)`` items: its words, or its
            characters.
        frame: The line the boxes are placed on and kept within.
        turned: Whether the direction classifier turned the line (its boxes
            are mirrored along it).
    """

    text: str
    items: list[tuple[str, Any, Any]]
    frame: _LineFrame
    turned: bool

    def placed(self, box: ArrayLike, what: str) -> Quad | None:
        """An engine box as a quad where it really is on the line, or ``None``.

        Args:
            box: Four (x, y) pixel points of a word or character.
            what: What the box is, for errors ("word box").
        """
        points = _points(box, what)
        if self.turned:
            points = self.frame.mirrored(points)
        return _quad(self.frame.within(points))

    def spell_text(self) -> bool:
        """Whether the items' texts, joined, spell the line's text (spaces aside)."""
        return "".join(t for t, _, _ in self.items) == "".join(self.text.split())

    def words(self) -> list[Word] | None:
        """Words from the engine's word boxes; ``None`` unless they spell the text."""
        if not self.spell_text():
            return None
        words: list[Word] = []
        for word_text, score, box in self.items:
            quad = self.placed(box, "word box")
            if quad is None:
                return None
            words.append(
                Word(
                    text=word_text,
                    geometry=quad,
                    confidence=probability(score),
                    native=True,
                )
            )
        return words

    def words_from_chars(self) -> list[Word] | None:
        """Words grouped from character boxes; ``None`` unless they spell the text."""
        if any(len(t) != 1 for t, _, _ in self.items) or not self.spell_text():
            return None
        words: list[Word] = []
        pos = 0
        for match in _WORD.finditer(self.text):
            symbols: list[Symbol] = []
            quads: list[Quad] = []
            for char in match.group():
                _, score, box = self.items[pos]
                pos += 1
                quad = self.placed(box, "character box")
                if quad is None:
                    return None
                quads.append(quad)
                symbols.append(
                    Symbol(text=char, geometry=quad, confidence=probability(score))
                )
            word_quad = _span(quads, self.frame)
            if word_quad is None:
                return None
            confs = [s.confidence for s in symbols if s.confidence is not None]
            words.append(
                Word(
                    text=match.group(),
                    geometry=word_quad,
                    confidence=math.fsum(confs) / len(confs) if confs else None,
                    native=False,
                    symbols=tuple(symbols),
                )
            )
        return words


def line_from_result(
    box: ArrayLike,
    text: object,
    score: object,
    word_items: object = None,
    *,
    unit: Unit = "word",
    turned: bool = False,
    image_size: tuple[int, int] | None = None,
    language: str | None = None,
) -> Line | None:
    """Convert one RapidOCR line (and its word or character boxes) into a line.

    Args:
        box: (4, 2) pixel coordinates (x, y) of the line.
        text: The recognised text.
        score: The line's confidence, in [0, 1].
        word_items: The line's ``word_results`` entry, or ``None``.
        unit: ``"word"`` or ``"char"``: what ``word_items`` holds.
        turned: Whether RapidOCR's direction classifier turned the line by
            180 degrees before reading it: its word or character boxes are
            then mirrored along the line, to where those words are.
        image_size: The image's (width, height) in pixels, which word and
            character boxes are cut to; ``None``: not known.
        language: ISO 639 code of the line and its words, or ``None``.

    Returns:
        A native line (quad geometry, the engine's confidence) with its words,
        or ``None`` for blank text or a degenerate box. Word and character
        boxes are clamped to the line's extent (see the module docstring).

    Raises:
        unocr.errors.FormatError: The values do not have RapidOCR's shape.
    """
    if not isinstance(text, str):
        raise FormatError(f"RapidOCR line text must be a str, got {text!r:.200}")
    if not text.strip():
        return None
    quad = _quad(_points(box, "line box"))
    if quad is None:
        return None
    words: list[Word] | None = None
    items = _items(word_items)
    if items:
        boxes = _LineBoxes(text, items, _LineFrame(quad, image_size), turned)
        words = boxes.words_from_chars() if unit == "char" else boxes.words()
    # words None: cut along the line's own direction, at any angle
    line = native_line(quad, text, probability(score), words)
    if language is None:
        return line
    return line.replace(
        language=language,
        words=tuple(w.replace(language=language) for w in line.words),
    )


def _field(output: object, name: str) -> Any:
    if isinstance(output, Mapping):
        return output.get(name)
    return getattr(output, name, None)


def rapidocr_to_blocks(
    output: object, *, unit: Unit = "word", language: str | None = None
) -> tuple[Block, ...]:
    """Convert a RapidOCR 3 result into blocks in reading order.

    Args:
        output: A ``RapidOCROutput`` or a mapping with its fields (see the
            module docstring; ``turned`` is used where it has one flag per
            line); ``None`` or empty fields mean nothing found.
        unit: ``"word"`` or ``"char"``: what ``word_results`` holds
            (``return_single_char_box=True`` gives characters).
        language: ISO 639 code to set on every block, line and word (the one
            language the engine was told, see
            :func:`~unocr.languages.text_language`), or ``None``.

    Returns:
        Blocks synthesised from the native line quads (with their words and
        symbols), in the pixels of the image RapidOCR read.

    Raises:
        unocr.errors.FormatError: ``output`` is not RapidOCR's format.
    """
    return _to_blocks(output, unit, None, language)


def _to_blocks(
    output: object,
    unit: Unit,
    image_size: tuple[int, int] | None,
    language: str | None = None,
) -> tuple[Block, ...]:
    """:func:`rapidocr_to_blocks`, word boxes cut to ``image_size`` if given."""
    boxes = _field(output, "boxes")
    txts = _field(output, "txts")
    scores = _field(output, "scores")
    lines: list[Line] = []
    if boxes is not None and txts is not None and len(txts) > 0:
        boxes_list = list(boxes)
        if scores is None or not (len(boxes_list) == len(txts) == len(scores)):
            raise FormatError(
                "RapidOCR result: boxes, txts and scores must have one entry per "
                f"line, got {len(boxes_list)}, {len(txts)} and "
                f"{'no' if scores is None else len(scores)}"
            )
        word_results = _field(output, "word_results")
        # RapidOCR leaves out lines without any word box, which would shift
        # the pairing: use the word boxes only when there is one entry a line.
        per_line: Sequence[object] = (
            word_results
            if isinstance(word_results, (list, tuple))
            and len(word_results) == len(txts)
            else [None] * len(txts)
        )
        turned = _field(output, "turned")
        flags: Sequence[object] = (
            list(turned)
            if isinstance(turned, (list, tuple, np.ndarray))
            and len(turned) == len(txts)
            else [False] * len(txts)
        )
        for box, text, score, items, flag in zip(
            boxes_list, txts, scores, per_line, flags, strict=True
        ):
            line = line_from_result(
                box,
                text,
                score,
                items,
                unit=unit,
                turned=bool(flag),
                image_size=image_size,
                language=language,
            )
            if line is not None:
                lines.append(line)
    return tuple(group_lines(lines))


def detections_to_blocks(boxes: object) -> tuple[Block, ...]:
    """Convert RapidOCR's detection output (no text) into blocks of empty lines.

    Args:
        boxes: ``(N, 4, 2)`` line corners from the detector (``TextDetOutput.boxes``),
            or ``None`` when nothing was found.

    Returns:
        Blocks in reading order of native line quads with text ``""``, no
        words and no confidence.

    Examples:
        >>> blocks = detections_to_blocks([[[10, 5], [110, 5], [110, 25], [10, 25]]])
        >>> [(line.text, line.geometry.to_box().x1) for line in blocks[0].lines]
        [('', 110.0)]
    """
    lines: list[Line] = []
    for box in [] if boxes is None else list(boxes):  # type: ignore[call-overload]
        quad = _quad(_points(box, "line box"))
        if quad is not None:
            lines.append(Line(text="", geometry=quad))
    return tuple(group_lines(lines))


def crops_to_texts(output: object, count: int) -> list[tuple[str, float | None]]:
    """Convert RapidOCR's recognizer output for ``count`` crops.

    Args:
        output: A ``TextRecOutput`` or a mapping with ``txts`` and ``scores``,
            one entry per crop, in the crops' order.
        count: How many crops were read.

    Returns:
        ``(text, confidence)`` per crop, text stripped; confidence ``None``
        where the text is empty.

    Raises:
        unocr.errors.FormatError: Not one text and one score per crop.

    Examples:
        >>> crops_to_texts({"txts": ("Hello ", ""), "scores": (0.91, 0.0)}, 2)
        [('Hello', 0.91), ('', None)]
    """
    txts = _field(output, "txts") or ()
    scores = _field(output, "scores") or ()
    if not (len(txts) == len(scores) == count):
        raise FormatError(
            f"RapidOCR recognizer: expected {count} texts and scores, got "
            f"{len(txts)} and {len(scores)}"
        )
    out: list[tuple[str, float | None]] = []
    for text, score in zip(txts, scores, strict=True):
        clean = str(text).strip()
        out.append((clean, probability(score) if clean else None))
    return out


def rapidocr_to_page(
    output: object, *, unit: Unit = "word", **keywords: Unpack[PageFields]
) -> Page:
    """Convert a (saved) RapidOCR 3 result into a page.

    Args:
        output: As for :func:`rapidocr_to_blocks`.
        unit: As for :func:`rapidocr_to_blocks`.
        **keywords: ``width`` and ``height`` of the image RapidOCR read, in
            pixels, and the deprecated page labels (see
            :class:`~unocr.model.page.PageLabels`).

    Returns:
        The page, ``backend="rapidocr"``: native line quads with confidences,
        words (native, from characters or synthesised; engine boxes cut to
        the image) and blocks.

    Raises:
        unocr.errors.FormatError: ``output`` is not RapidOCR's format.
    """
    page = engine_page_keywords("rapidocr_to_page", "rapidocr", keywords)
    blocks = _to_blocks(output, unit, (keywords["width"], keywords["height"]))
    return Page.from_blocks(blocks, **page)

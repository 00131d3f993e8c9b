"""Convert keras-ocr's output into a :class:`~unocr.model.Page` (pure, no engine).

``keras_ocr.pipeline.Pipeline.recognize(images)`` returns one list per image;
each list holds ``(text, box)`` tuples, one per detected word, where ``text``
is the recognised string (keras-ocr's default alphabet: digits and lower-case
Latin letters) and ``box`` a (4, 2) float32 array of pixel coordinates
``(x, y)`` in the input image, clockwise from the top-left corner.

keras-ocr gives no confidence, so every element's ``confidence`` is ``None``.
Words are native quads (canonicalised with
:meth:`unocr.geometry.Quad.from_points`, clipped to the image, since keras-ocr's
dilated boxes can reach a pixel or two past its edges); words with empty text
or a degenerate box are dropped. Lines and blocks are synthesised
(``native=False``) by :mod:`unocr.model.layout`.

Examples:
    >>> import numpy as np
    >>> def box(x0, x1):
    ...     return np.array([[x0, 0], [x1, 0], [x1, 20], [x0, 20]], "float32")
    >>> preds = [("world", box(60, 110)), ("hello", box(0, 50))]
    >>> page = keras_ocr_to_page(preds, width=120, height=30)
    >>> page.text, page.words[0].confidence, page.lines[0].native
    ('hello world', None, False)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from typing_extensions import Unpack

from unocr.backends._points import clip_points, four_points
from unocr.errors import FormatError, GeometryError
from unocr.geometry import Quad
from unocr.model import Block, Page, Word
from unocr.model.layout import group_lines, group_words
from unocr.model.page import PageFields, engine_page_keywords

__all__ = [
    "keras_ocr_regions_to_blocks",
    "keras_ocr_to_blocks",
    "keras_ocr_to_page",
    "word_from_prediction",
]


def _box(value: object, width: int, height: int) -> NDArray[np.float64]:
    return clip_points(four_points(value, "keras-ocr box"), width, height)


def word_from_prediction(
    prediction: Sequence[Any], *, width: int, height: int
) -> Word | None:
    """Convert one keras-ocr ``(text, box)`` prediction into a word.

    Args:
        prediction: ``(text, box)`` with ``box`` a (4, 2) array of pixel
            coordinates (x, y).
        width: Image width in pixels (boxes are clipped to it).
        height: Image height in pixels.

    Returns:
        A native word with quad geometry and ``confidence=None``, or ``None``
        when the text is empty or the clipped box has no area.

    Raises:
        unocr.errors.FormatError: Not a ``(str, (4, 2) array)`` pair.
    """
    if not isinstance(prediction, (tuple, list)) or len(prediction) != 2:
        raise FormatError(
            "keras-ocr prediction: expected a (text, box) pair, "
            f"got {prediction!r:.200}"
        )
    text, box = prediction
    if not isinstance(text, str):
        raise FormatError(f"keras-ocr prediction: text must be a str, got {text!r}")
    pts = _box(box, width, height)
    if not text.strip():
        return None
    try:
        quad = Quad.from_points(pts)
    except GeometryError:
        return None
    if quad.area <= 0.0:
        return None
    return Word(text=text.strip(), geometry=quad, confidence=None, native=True)


def keras_ocr_to_blocks(
    predictions: Sequence[Sequence[Any]], *, width: int, height: int
) -> tuple[Block, ...]:
    """Convert keras-ocr's predictions for one image into blocks.

    What the backend calls: only the engine's output and the size of the
    image it read (words are clipped to it).

    Args:
        predictions: One element of what ``Pipeline.recognize`` returns: a
            list of ``(text, box)`` pairs, ``box`` (4, 2) pixel coordinates.
        width: Width of the image keras-ocr read, in pixels.
        height: Height of that image, in pixels.

    Returns:
        Native word quads without confidence, grouped into synthesised lines
        and blocks in reading order.

    Raises:
        unocr.errors.FormatError: ``predictions`` is not keras-ocr's format.
    """
    if not isinstance(predictions, (list, tuple)):
        raise FormatError(
            "keras-ocr predictions: expected a list of (text, box) pairs, "
            f"got {type(predictions).__name__}"
        )
    words = [
        w
        for w in (
            word_from_prediction(p, width=width, height=height) for p in predictions
        )
        if w is not None
    ]
    return tuple(group_lines(group_words(words)))


def keras_ocr_regions_to_blocks(
    boxes: Sequence[Any], *, width: int, height: int
) -> tuple[Block, ...]:
    """Convert the CRAFT detector's word boxes for one image into blocks.

    What the detect stage returns: geometry without text.

    Args:
        boxes: ``Detector.detect``'s boxes for one image, scaled back to the
            image: (4, 2) pixel coordinates each.
        width: Width of the image, in pixels (boxes are clipped to it).
        height: Height of the image, in pixels.

    Returns:
        Native word quads with empty text and no confidence, grouped into
        synthesised lines and blocks in reading order; boxes without area
        are dropped.

    Raises:
        unocr.errors.FormatError: A box is not four points.

    Examples:
        >>> import numpy as np
        >>> box = np.array([[0, 0], [50, 0], [50, 20], [0, 20]], "float32")
        >>> flat = np.zeros((4, 2), "float32")  # no area: dropped
        >>> blocks = keras_ocr_regions_to_blocks([box, flat], width=60, height=30)
        >>> [w.text for w in blocks[0].words], blocks[0].words[0].confidence
        ([''], None)
    """
    words: list[Word] = []
    for box in boxes:
        try:
            quad = Quad.from_points(_box(box, width, height))
        except GeometryError:
            continue
        if quad.area > 0.0:
            words.append(Word(text="", geometry=quad, confidence=None, native=True))
    return tuple(group_lines(group_words(words)))


def keras_ocr_to_page(
    predictions: Sequence[Sequence[Any]], **keywords: Unpack[PageFields]
) -> Page:
    """Convert saved keras-ocr predictions for one image into a page.

    Args:
        predictions: keras-ocr's ``(text, box)`` pairs, as for
            :func:`keras_ocr_to_blocks`.
        **keywords: ``width`` and ``height`` of the image keras-ocr read, in
            pixels, and the deprecated page labels (see
            :class:`~unocr.model.page.PageLabels`).

    Returns:
        The page, ``backend="keras-ocr"`` (see :func:`keras_ocr_to_blocks`).

    Raises:
        unocr.errors.FormatError: ``predictions`` is not keras-ocr's format.
    """
    page = engine_page_keywords("keras_ocr_to_page", "keras-ocr", keywords)
    blocks = keras_ocr_to_blocks(
        predictions, width=keywords["width"], height=keywords["height"]
    )
    return Page.from_blocks(blocks, **page)

"""Lines and blocks as a file reports them, made unocr's: enclosing their children.

Package-internal: the one rule the hOCR, ALTO and TSV readers share for a
parent element a file gives with its own shape and confidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from unocr.geometry import Box, enclosing_box, enclosing_quad
from unocr.model import Block, Line
from unocr.model.elements import mean_confidence

if TYPE_CHECKING:
    from unocr.geometry import Geometry

__all__ = ["as_reported", "grown"]

_P = TypeVar("_P", Line, Block)


def grown(reported: Geometry, children: Sequence[Geometry]) -> Geometry:
    """A reported shape, grown where a child reaches past its bounds.

    Args:
        reported: The parent's shape as the file gives it (pixels).
        children: Its children's shapes (at least one).

    Returns:
        ``reported`` itself where its bounding box holds the children's;
        otherwise, for a ``Box``, the box around it and them, for another
        shape the minimum-area rectangle (a ``Quad``) around it and them.
    """
    inner, outer = enclosing_box(children), reported.bounds
    if (
        outer.x0 <= inner.x0
        and outer.y0 <= inner.y0
        and inner.x1 <= outer.x1
        and inner.y1 <= outer.y1
    ):
        return reported
    if isinstance(reported, Box):
        return enclosing_box([reported, inner])
    return enclosing_quad([reported, *children])


def as_reported(
    synthesised: _P,
    geometry: Geometry | None,
    *,
    confidence: float | None,
    language: str | None,
    own_confidence: bool,
) -> _P:
    """The line or block a file reports, as TSV and the Tesseract backend give it.

    Every unocr parent encloses its children: the file's shape is kept where
    it holds them and grown where a child reaches past it (Tesseract's word
    boxes sometimes do). Its confidence is the file's own where the file
    gives its lines and blocks confidences, else its words' mean.

    Args:
        synthesised: The element built from its children
            (:meth:`Line.from_words`, :meth:`Block.from_lines`).
        geometry: The shape the file gives it, or ``None`` (then it keeps
            the synthesised shape).
        confidence: The confidence the file gives it (``None``: none).
        language: Its language as the file gives it.
        own_confidence: Whether the file gives its lines and blocks
            confidences (then each keeps its own), or not (then each takes
            the mean of its words').

    Returns:
        The element, ``native=True``.
    """
    if geometry is not None:
        children = (
            synthesised.words if isinstance(synthesised, Line) else synthesised.lines
        )
        geometry = grown(geometry, [c.geometry for c in children])
    return synthesised.replace(
        geometry=synthesised.geometry if geometry is None else geometry,
        confidence=confidence if own_confidence else mean_confidence(synthesised.words),
        language=language,
        native=True,
    )

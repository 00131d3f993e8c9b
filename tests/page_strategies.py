"""Hypothesis strategies for whole pages (every level, every shape)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from unocr.geometry import Box, Mask, Polygon, RotatedBox
from unocr.model import Block, Line, Page, Source, Symbol, Timings, Word

coords = st.floats(0, 2000, allow_nan=False, allow_infinity=False)
sizes = st.floats(1, 300, allow_nan=False, allow_infinity=False)


@st.composite
def boxes(draw):
    x, y, w, h = draw(coords), draw(coords), draw(sizes), draw(sizes)
    return Box(x, y, x + w, y + h)


@st.composite
def rotated_boxes(draw):
    return RotatedBox(
        draw(coords), draw(coords), draw(sizes), draw(sizes), draw(st.floats(-44, 44))
    )


@st.composite
def quads(draw):
    return draw(rotated_boxes()).to_quad()


@st.composite
def polygons(draw):
    n = draw(st.integers(3, 9))
    cx, cy, r = draw(coords), draw(coords), draw(sizes)
    pts = [
        (cx + r * math.cos(2 * math.pi * k / n), cy + r * math.sin(2 * math.pi * k / n))
        for k in range(n)
    ]
    return Polygon(pts)


@st.composite
def masks(draw):
    h, w = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    bits = draw(st.lists(st.booleans(), min_size=h * w, max_size=h * w))
    data = np.array(bits, dtype=bool).reshape(h, w)
    data[0, 0] = True
    return Mask(data, origin=(draw(st.integers(0, 500)), draw(st.integers(0, 500))))


shapes = st.one_of(boxes(), rotated_boxes(), quads(), polygons(), masks())
texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)
confidences = st.none() | st.floats(0, 1, allow_nan=False)
languages = st.none() | st.sampled_from(["en", "ko", "de", "ar", "zh-Hans"])


def _fields(draw):
    return {
        "text": draw(texts),
        "geometry": draw(shapes),
        "confidence": draw(confidences),
        "language": draw(languages),
        "native": draw(st.booleans()),
    }


@st.composite
def symbols(draw):
    return Symbol(**_fields(draw))


@st.composite
def words(draw):
    return Word(**_fields(draw), symbols=tuple(draw(st.lists(symbols(), max_size=2))))


@st.composite
def lines(draw):
    return Line(**_fields(draw), words=tuple(draw(st.lists(words(), max_size=3))))


@st.composite
def blocks(draw):
    return Block(**_fields(draw), lines=tuple(draw(st.lists(lines(), max_size=3))))


finite = st.floats(-1e4, 1e4, allow_nan=False)


@st.composite
def sources(draw):
    """Where a page came from: a file page or frame, a PDF page, or memory."""
    name = draw(
        st.sampled_from(["<bytes>", "<array 4x4x3>"])
        | st.from_regex(r"[\w ./;'\"-]{0,12}\w\.(pdf|png|tif)", fullmatch=True)
    )
    if not draw(st.booleans()):
        return Source(name, index=draw(st.integers(0, 999)))
    return Source(
        name,
        index=draw(st.integers(0, 999)),
        method=draw(st.sampled_from(["ocr", "text-layer"])),
        dpi=draw(st.floats(1, 1200)),
        page_size=(draw(st.floats(1, 14400)), draw(st.floats(1, 14400))),
        to_pdf=tuple(draw(finite) for _ in range(6)),
    )


@st.composite
def pages(draw):
    seconds = st.floats(0, 100, allow_nan=False)
    return Page(
        width=draw(st.integers(0, 5000)),
        height=draw(st.integers(0, 5000)),
        blocks=tuple(draw(st.lists(blocks(), max_size=3))),
        backend=draw(st.none() | st.sampled_from(["tesseract", "gcv", "rapidocr"])),
        languages=tuple(
            draw(st.lists(st.sampled_from(["en", "ko", "de"]), max_size=2, unique=True))
        ),
        timings=Timings(
            decode=draw(seconds), engine=draw(seconds), convert=draw(seconds)
        ),
        source=draw(st.none() | sources()),
    )

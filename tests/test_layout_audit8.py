"""Reading order of one row cut into pieces; the shape of synthesised blocks."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from unocr.geometry import Box, Quad
from unocr.model import Line, Page
from unocr.model.layout import group_lines


def line(text, x0, y0, x1, y1):
    return Line(text=text, geometry=Box(x0, y0, x1, y1), confidence=0.9)


def quad_line(text, points):
    return Line(text=text, geometry=Quad(points), confidence=0.9)


def blocks(page):
    return [[ln.text for ln in b.lines] for b in page.blocks]


# ------------------------------------------------ one row cut into pieces

WIDE = "A very wide strip of text that goes on"
LAST = "on across the page 12345"


def test_pieces_of_one_row_are_one_block_whatever_their_heights():
    for bottoms in [(40, 38, 38), (38, 38, 38), (38, 38, 40), (38, 40, 38)]:
        spans = [(WIDE, 2, 492), ("and", 493, 549), (LAST, 552, 898)]
        lines = [
            line(t, x0, 8, x1, y1)
            for (t, x0, x1), y1 in zip(spans, bottoms, strict=True)
        ]
        page = Page.from_lines(lines, width=1500, height=40)
        assert blocks(page) == [[WIDE, "and", LAST]], bottoms
        assert page.text == f"{WIDE}\nand\n{LAST}"


def test_pieces_of_one_row_as_an_engine_reads_them():
    """Quads of one strip 1500x40 px as EasyOCR gives them, the middle one tilted."""
    lines = [
        quad_line(WIDE, [[2, 8], [492, 8], [492, 40], [2, 40]]),
        quad_line(
            "and",
            [
                [492.4789, 11.4142],
                [547.5817, 6.4720],
                [549.5211, 33.5858],
                [493.4183, 38.5280],
            ],
        ),
        quad_line(LAST, [[552, 8], [898, 8], [898, 38], [552, 38]]),
    ]
    for order in ([0, 1, 2], [1, 2, 0], [2, 1, 0]):
        page = Page.from_lines([lines[k] for k in order], width=1500, height=40)
        assert page.text == f"{WIDE}\nand\n{LAST}"


def test_pieces_of_a_right_to_left_row_are_read_from_the_right():
    texts = ["שורה ארוכה מאוד של טקסט בעברית", "וגם", "עוד טקסט בהמשך השורה"]
    lines = [
        line(texts[0], 510, 8, 898, 40),
        line(texts[1], 453, 8, 507, 38),
        line(texts[2], 2, 8, 450, 38),
    ]
    page = Page.from_lines(lines[::-1], width=1000, height=40)
    assert blocks(page) == [texts]


def test_a_row_of_pieces_over_two_columns_is_read_before_them():
    """Pieces of one line hiding the gutter are a band, as a whole line is."""
    row = [line("A", 0, 0, 490, 30), line("and", 493, 0, 549, 30)]
    row.append(line("C", 552, 0, 1000, 30))
    left = [line(f"L{i}", 0, 40 + 40 * i, 480, 70 + 40 * i) for i in range(5)]
    right = [line(f"R{i}", 560, 40 + 40 * i, 1000, 70 + 40 * i) for i in range(5)]
    page = Page.from_lines(row + left + right, width=1000, height=300)
    assert blocks(page) == [
        ["A", "and", "C"],
        [ln.text for ln in left],
        [ln.text for ln in right],
    ]


# ------------------------------------------------ block shapes


def test_a_block_of_one_slanted_line_is_that_line():
    slanted = quad_line("slanted text here", [(0, 20), (100, 0), (100, 30), (0, 50)])
    page = Page.from_lines([slanted], width=100, height=50)
    assert page.blocks[0].geometry == slanted.geometry
    assert 'HPOS="0"' in page.to_alto()


def test_a_skewed_ragged_paragraph_stays_within_its_lines_box():
    """The rectangle along the text would reach below its last line."""
    t = math.radians(5.0)
    d, n = np.array([math.cos(t), math.sin(t)]), np.array([-math.sin(t), math.cos(t)])
    lines = []
    for i, length in enumerate([600, 300]):
        o = np.array([10.0, 10.0]) + 40 * i * n
        pts = [o, o + length * d, o + length * d + 30 * n, o + 30 * n]
        lines.append(quad_line(f"line {i} of the paragraph", pts))
    (block,) = group_lines(lines)
    corners = np.concatenate([ln.geometry.points for ln in lines])
    box = block.geometry.to_box()
    assert box.y1 <= corners[:, 1].max() + 1e-6
    assert box.x1 <= corners[:, 0].max() + 1e-6
    assert (
        block.geometry.to_shapely()
        .buffer(1e-6)
        .covers(lines[0].geometry.to_shapely().union(lines[1].geometry.to_shapely()))
    )


@st.composite
def page_lines(draw):
    """Lines (sheared, turned quads or boxes) on a page; some touch its edges."""
    frame = draw(st.floats(-20.0, 20.0))
    count = draw(st.integers(1, 6))
    shapes = []
    for _ in range(count):
        t = math.radians(frame + draw(st.floats(-4.0, 4.0)))
        d = np.array([math.cos(t), math.sin(t)])
        n = np.array([-math.sin(t), math.cos(t)])
        n = n + draw(st.floats(-0.4, 0.4)) * d  # shear: a parallelogram
        o = np.array([draw(st.floats(0.0, 600.0)), draw(st.floats(0.0, 600.0))])
        length = draw(st.floats(20.0, 600.0))
        height = draw(st.floats(8.0, 40.0))
        pts = np.array([o, o + length * d, o + length * d + height * n, o + height * n])
        shapes.append(pts)
    allpts = np.concatenate(shapes)
    lo, span = allpts.min(axis=0), np.ptp(allpts, axis=0)
    whole = np.ceil(span)  # stretched to whole pixels: still parallelograms
    before = np.array([draw(st.sampled_from([0, 0, 3])) for _ in "xy"])
    after = np.array([draw(st.sampled_from([0, 0, 5])) for _ in "xy"])
    width, height = (int(v) for v in whole + before + after)
    shapes = [before + (pts - lo) * (whole / span) for pts in shapes]
    boxes = draw(st.booleans()) and draw(st.booleans())
    lines = []
    for k, pts in enumerate(shapes):
        p = pts
        if boxes and k % 2:
            lo, hi = p.min(axis=0), p.max(axis=0)
            geometry = Box(lo[0], lo[1], hi[0], hi[1])
        else:
            geometry = Quad(p)
        lines.append(Line(text=f"line number {k}", geometry=geometry, confidence=0.9))
    return lines, width, height


@given(page_lines())
def test_a_block_encloses_its_lines_and_stays_on_the_page(case):
    lines, width, height = case
    page = Page.from_lines(lines, width=width, height=height)
    tol = 1e-5 * max(width, height, 1.0)
    for block in page.blocks:
        shape = block.geometry.to_shapely().buffer(tol)
        for ln in block.lines:
            assert shape.covers(ln.geometry.to_shapely())
        box = block.geometry.to_box()
        assert box.x0 >= -tol and box.y0 >= -tol
        assert box.x1 <= width + tol and box.y1 <= height + tol

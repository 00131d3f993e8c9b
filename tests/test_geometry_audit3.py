"""Geometry defects found by the third audit, each pinned by a test or a law.

- A quad with a corner on a side (a triangle written as four points) keeps
  its full area whatever the corner order, and ``to_dict``/``from_dict``
  gives it back exactly; canonicalisation is exactly idempotent.
- ``Box -> RotatedBox`` is exact for dyadic coordinates and otherwise within
  float rounding, as docs/geometry.md now says.
- A mask's outline rasterises back to the mask on the page's pixel grid;
  off the grid, the docs say what it gives (and the law checks it).
- ``shape_from_points`` recognises a convex quadrilateral whose corners come
  in a crossing order.
- ``crop_regions`` cuts every pixel a thin box touches.

Each test's docstring states the law it checks.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image

from unocr.formats import loads
from unocr.geometry import Box, Mask, Quad, shape_from_points
from unocr.geometry.crop import crop_regions
from unocr.model import Page, Word

from .strategies import convex_quads, masks, quad_corners

GEOMETRY_MD = Path(__file__).resolve().parents[1] / "docs" / "geometry.md"

# ------------------------------------------------- 1. a corner on a side
# A triangle A, C, B with the midpoint M of side AC: the audit's example.
A, B, C = (727.8, 15.4), (958.4, 468.7), (769.2, 65.3)
M = ((A[0] + C[0]) / 2, (A[1] + C[1]) / 2)
TRIANGLE = abs(shapely.Polygon([A, B, C]).area)


def test_a_corner_on_a_side_keeps_the_full_area_in_every_order() -> None:
    """The four corners in any of the 24 orders give one quad, of the
    triangle's area; its JSON round trip gives it back exactly."""
    made = {Quad(list(perm)) for perm in itertools.permutations([A, M, C, B])}
    assert len(made) == 1
    (q,) = made
    assert q.area == pytest.approx(TRIANGLE, rel=1e-12)
    assert Quad.from_dict(q.to_dict()) == q
    assert Quad.from_dict(json.loads(json.dumps(q.to_dict()))) == q


def test_a_page_with_such_a_word_round_trips() -> None:
    """Page.from_dict(page.to_dict()) == page for a word with that quad."""
    q = Quad([B, M, A, C])
    page = Page.from_words(
        [Word(text="x", geometry=q, confidence=0.9)], width=1000, height=500
    )
    assert Page.from_dict(page.to_dict()) == page


@st.composite
def triangles_with_a_corner_on_a_side(draw: st.DrawFn) -> tuple[np.ndarray, float]:
    """Four corners, a triangle's three and a point on one of its sides
    (computed in floats, so within rounding of the side), in any order; and
    the triangle's area."""
    coord = st.floats(-2000, 2000, allow_nan=False)
    tri = np.array([[draw(coord), draw(coord)] for _ in range(3)])
    side = draw(st.integers(0, 2))
    fractions = st.sampled_from([0.5, 0.25, 0.1, 1 / 3, 0.9]) | st.floats(0.05, 0.95)
    t = draw(fractions)
    a, b = tri[side], tri[(side + 1) % 3]
    pts = np.vstack([tri, (a + t * (b - a))[None]])
    return pts[list(draw(st.permutations(range(4))))], abs(shapely.Polygon(tri).area)


@given(triangles_with_a_corner_on_a_side())
@example((np.array([B, M, A, C]), TRIANGLE))
def test_law_a_corner_on_a_side_keeps_area_and_round_trips(
    case: tuple[np.ndarray, float],
) -> None:
    """Law: for a triangle with a fourth corner on a side, Quad(corners) has
    the triangle's area (no folded ring of part of it), and
    Quad.from_dict(q.to_dict()) == q."""
    pts, want = case
    span = float(np.ptp(pts, axis=0).max())
    q = Quad(pts)
    assert q.area == pytest.approx(want, abs=1e-9 * span * span + 1e-9)
    assert Quad.from_dict(q.to_dict()) == q
    assert Quad.from_dict(json.loads(json.dumps(q.to_dict()))) == q


@given(quad_corners())
def test_law_canonicalising_is_exactly_idempotent(pts: np.ndarray) -> None:
    """Law: Quad(q.points) == q and Quad.from_dict(q.to_dict()) == q for every
    quad, near-degenerate ones included; a rotation (and, with an area, a
    reversal) of the given corners gives the same quad."""
    with np.errstate(all="ignore"):
        q = Quad(pts)
        assert Quad(q.points) == q
        assert Quad.from_dict(q.to_dict()) == q
        assert Quad.from_canonical(q.points) == q
        assert Quad(np.roll(pts, 1, axis=0)) == q
        span = float(np.ptp(pts, axis=0).max())
        if q.area > 1e-6 * span * span:  # a zero-area quad keeps its direction
            assert Quad(pts[::-1]) == q


def test_a_ring_visiting_a_vertex_twice_is_no_quad() -> None:
    """Four vertices with one repeated (not in a row) are three corners: the
    ring is all spikes, so it gives its bounding box, never a triangle that
    drops a vertex the file gave."""
    shape = shape_from_points([(-1, 0), (0, 1), (-1, 0), (0, 0)])
    assert shape == Box(-1.0, 0.0, 0.0, 1.0)


@given(convex_quads(), st.permutations(range(4)))
def test_law_convex_corners_in_any_order_give_the_convex_quad(
    q: Quad, perm: list[int]
) -> None:
    """Law: the corners of a convex quad, in any of the 24 orders, give that
    quad (a crossing order is untangled to the largest simple ring)."""
    assert Quad(q.points[list(perm)]) == q


def test_concave_quads_keep_their_shape() -> None:
    """A clearly simple (concave) order is kept, even where another simple
    order of the same corners has more area."""
    arrow = [[10, 0], [10, 10], [0, 5], [7, 5]]  # 32.5; another order has 35
    q = Quad(arrow)
    assert q.area == pytest.approx(32.5)
    assert shapely.Polygon(q.points).equals(shapely.Polygon(arrow))


# --------------------------------------------- 2. Box -> RotatedBox precision
def _table_row(name: str) -> list[str]:
    text = GEOMETRY_MD.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith(f"| **{name}**"))
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_doc_box_to_rotated_box_is_not_claimed_exact_for_all_boxes() -> None:
    """docs/geometry.md: Box -> RotatedBox says when it is exact (dyadic
    coordinates) instead of "exact (angle 0)" for every box."""
    cell = _table_row("Box")[2]
    assert cell != "exact (angle 0)"
    assert "rounding" in cell


def test_decimal_box_round_trip_is_within_rounding() -> None:
    """The audit's box: back within rounding, not bit for bit."""
    b = Box(3.5, 0.5, 5.2, 2.6)
    back = b.to_rotated_box().to_box()
    for got, want in zip(back.as_array(), b.as_array(), strict=True):
        assert abs(got - want) <= 2 * math.ulp(5.2)


dyadic = st.integers(-(2**20), 2**20).map(lambda k: k / 64)


@given(dyadic, dyadic, st.integers(0, 2**16), st.integers(0, 2**16))
def test_law_dyadic_box_to_rotated_box_is_exact(
    x: float, y: float, w: int, h: int
) -> None:
    """Law: a box with dyadic coordinates (integers, halves, ... 64ths, as
    pixel grids and scaled grids give) converts to a RotatedBox and back
    exactly, and both rasterise to the same pixels."""
    b = Box(x, y, x + w / 64, y + h / 64)
    r = b.to_rotated_box()
    assert r.angle == 0.0
    assert r.to_box() == b
    if b.area and b.area < 5000:
        assert r.to_mask() == b.to_mask()


@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(0, 1e4, allow_nan=False),
    st.floats(0, 1e4, allow_nan=False),
)
def test_law_any_box_to_rotated_box_is_within_rounding(
    x: float, y: float, w: float, h: float
) -> None:
    """Law: Box -> RotatedBox -> Box moves no edge by more than two units in
    the last place of the box's largest coordinate."""
    b = Box(x, y, x + w, y + h)
    back = b.to_rotated_box().to_box()
    ulp = math.ulp(max(abs(v) for v in b.as_array()))
    assert np.abs(back.as_array() - b.as_array()).max() <= 2 * ulp


# ------------------------------------------------- 3. masks off the pixel grid
def test_doc_mask_round_trips_are_qualified_to_the_pixel_grid() -> None:
    """docs/geometry.md: the outline round trips are promised for masks on the
    pixel grid (whole-number origin), not "for any mask"."""
    text = " ".join(GEOMETRY_MD.read_text(encoding="utf-8").split())
    assert "== mask.trimmed()` for any mask" not in text
    assert re.search(r"whole-number origin", text)
    assert re.search(r"translat\w* by a fraction of a pixel", text)


@given(masks())
def test_law_on_the_grid_the_outline_gives_the_mask_back(m: Mask) -> None:
    """Law: a mask at a whole-number origin (any translation by whole pixels)
    rasterises back from its outline to itself, trimmed."""
    moved = m.translate(7, -3)
    assert Mask.from_shapely(moved.to_shapely()) == moved.trimmed()


@given(
    masks(),
    st.sampled_from([0.25, 0.4, 0.6, 0.75, -0.25, -0.4]),
    st.sampled_from([0.0, 0.3, -0.7]),
)
def test_law_off_the_grid_the_outline_gives_the_nearest_grid_mask(
    m: Mask, fx: float, fy: float
) -> None:
    """Law (as documented): a mask moved by a fraction of a pixel other than a
    half rasterises from its outline to the same pixels at the nearest
    whole-number origin."""
    moved = m.translate(fx, fy)
    ox, oy = moved.origin
    nearest = Mask(moved.data, origin=(round(ox), round(oy))).trimmed()
    assert Mask.from_shapely(moved.to_shapely()) == nearest


def test_half_a_pixel_off_only_inner_centres_count() -> None:
    """As documented: at exactly half a pixel, page pixel centres fall on the
    mask's pixel edges; only those inside the union count."""
    m = Mask(np.ones((3, 4), bool), origin=(10, 20)).translate(0.5, 0.5)
    back = Mask.from_shapely(m.to_shapely())
    assert back == Mask(np.ones((2, 3), bool), origin=(11, 20 + 1))


# ------------------------------------------ 4. a convex quad in crossing order
CROSSED = [(0.0, 0.0), (10.0, 2.0), (-1.0, 5.0), (9.0, 7.0)]  # TL, TR, BL, BR


def test_crossing_order_of_a_convex_quad_is_a_quad() -> None:
    """shape_from_points gives the Quad (area 52), not the bounding Box (77)."""
    shape = shape_from_points(CROSSED)
    assert shape == Quad.from_points(CROSSED)
    assert shape.area == pytest.approx(52.0)


@given(convex_quads(), st.permutations(range(4)))
def test_law_convex_quad_corners_in_any_order(q: Quad, perm: list[int]) -> None:
    """Law: the corners of a convex quadrilateral, in any order, give that
    Quad (or its Box when it is an axis-aligned rectangle)."""
    pts = [tuple(p) for p in q.points[list(perm)].tolist()]
    got = shape_from_points(pts)
    if isinstance(got, Box):
        assert got.to_quad() == q
    else:
        assert got == q


def test_page_xml_word_with_crossed_coords_loads_as_a_quad() -> None:
    """A PAGE-XML word whose Coords list TL, TR, BL, BR loads as its Quad."""
    coords = "100,100 200,120 90,150 190,170"
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15">
  <Page imageFilename="" imageWidth="400" imageHeight="300">
    <TextRegion id="r1"><Coords points="{coords}"/>
      <TextLine id="l1"><Coords points="{coords}"/>
        <Word id="w1"><Coords points="{coords}"/>
          <TextEquiv conf="0.9"><Unicode>rotated</Unicode></TextEquiv>
        </Word>
      </TextLine>
    </TextRegion>
  </Page>
</PcGts>"""
    page = loads(xml, "page-xml")
    (word,) = page.words
    want = Quad.from_points([(100, 100), (200, 120), (90, 150), (190, 170)])
    assert word.geometry == want


# ------------------------------------------------------ 5. a thin box's crop
def test_a_box_under_half_a_pixel_wide_is_cut_one_pixel_wide() -> None:
    """Every pixel a box touches: Box(10, 5, 10.4, 25) is one column."""
    image = Image.new("RGB", (100, 50), "white")
    thin, wider, flat, sliver = crop_regions(
        image,
        [
            Box(10, 5, 10.4, 25),
            Box(10, 5, 10.6, 25),
            Box(10.5, 5, 10.5, 25),  # zero width: no area
            Box(10, 5, 10 + 1e-7, 25),  # within the snap tolerance of an edge
        ],
        turn_tall=False,  # the pixels as they lie
    )
    assert thin is not None and thin.size == (1, 20)
    assert wider is not None and wider.size == (1, 20)
    assert flat is None
    assert sliver is not None and sliver.size == (1, 20)


@given(
    st.floats(0, 99, allow_nan=False),
    st.floats(0, 49, allow_nan=False),
    st.floats(0.01, 30, allow_nan=False),
    st.floats(0.01, 30, allow_nan=False),
)
def test_law_a_box_inside_the_image_is_cut_by_every_pixel_it_touches(
    x: float, y: float, w: float, h: float
) -> None:
    """Law: a box of positive area inside the image gives a crop of the
    pixels it touches (never None)."""
    image = Image.new("L", (100, 50), 255)
    b = Box(x, y, min(x + w, 100.0), min(y + h, 50.0))
    (crop,) = crop_regions(image, [b], turn_tall=False)  # pixels as they lie
    assert crop is not None
    cols = max(1, math.ceil(b.x1 - 1e-6) - math.floor(b.x0 + 1e-6))
    rows = max(1, math.ceil(b.y1 - 1e-6) - math.floor(b.y0 + 1e-6))
    assert crop.size == (cols, rows)


def test_a_triangle_as_four_points_in_folded_order_is_its_polygon() -> None:
    """Four corners of a triangle (one on a side) in a folded order give the
    triangle's outline as a Polygon, not the bounding Box."""
    shape = shape_from_points([(0.0, 0.0), (10.0, 0.0), (5.0, 0.0), (5.0, 8.0)])
    assert shape.type_name == "polygon"
    assert shape.area == pytest.approx(40.0)


@given(
    st.sampled_from([0.0, 1e6, -6e8, 123.456]),
    st.floats(-1, 1),
    st.sampled_from([0.0, 1e-300, 1e-12, 1e-6, 0.5, 300.0]),
    st.sampled_from([0.0, 1e-300, 1e-12, 1e-6, 0.5, 300.0]),
)
def test_law_every_box_quad_is_canonical(
    at: float, jitter: float, w: float, h: float
) -> None:
    """Law: Box.to_quad() (TL, TR, BR, BL by construction) is what the rule
    gives, however thin or far from the origin the box."""
    b = Box(at + jitter, at - jitter, at + jitter + w, at - jitter + h)
    q = b.to_quad()
    assert Quad.from_canonical(q.points) == q
    assert Quad(q.points) == q

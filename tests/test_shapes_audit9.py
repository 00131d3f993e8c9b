"""Shape defects found by the ninth audit, each pinned by a test or a law.

- ``draw_page`` draws a mask by reading and writing back only the canvas
  window under it, not the whole page per mask; the pixels are the same.
- ``Box.from_shapely`` and ``Mask.from_shapely`` refuse NaN, infinite and
  out-of-range coordinates with a ``GeometryError``, as the other shapes do,
  rather than dropping a NaN vertex or overflowing.
- ``rotate`` reduces the angle modulo 360 degrees exactly first, so a huge
  angle turns a shape as its remainder does.
- ``draw_page`` outlines a polygon's holes as well as its exterior.

Each test's docstring states the law it checks.
"""

from __future__ import annotations

import math
import tracemalloc
import warnings
from collections.abc import Callable

import numpy as np
import pytest
import shapely
from hypothesis import example, given
from hypothesis import strategies as st
from PIL import Image, ImageDraw

import unocr.draw
from unocr.draw import _mask_edge, confidence_color, draw_page
from unocr.errors import GeometryError
from unocr.geometry import Box, Mask, Polygon, Quad, RotatedBox
from unocr.model import Block, Line, Page, Word

from .strategies import boxes, masks, polygons, polygons_with_holes, quads

W, H = 64, 48


def _page(geometries: list, width: int = W, height: int = H) -> Page:
    words = [
        Word(text="w", geometry=g, confidence=(i % 5) / 4)
        for i, g in enumerate(geometries)
    ]
    return Page(
        width=width,
        height=height,
        blocks=(Block.from_lines([Line.from_words(words, native=True)]),),
    )


def _whole_canvas_draw_mask(
    canvas: Image.Image, mask: Mask, color: tuple[int, int, int], width: int
) -> None:
    """The drawing of a mask before the fix: the whole canvas per mask."""
    xs, ys = _mask_edge(mask, width)
    inside = (xs >= 0) & (ys >= 0) & (xs < canvas.width) & (ys < canvas.height)
    pixels = np.asarray(canvas).copy()
    pixels[ys[inside], xs[inside]] = color
    canvas.paste(Image.fromarray(pixels, "RGB"))


@st.composite
def placed_masks(draw: st.DrawFn) -> Mask:
    """Masks (holes, several regions) around and across a 64 x 48 page's edges,
    at whole and fractional origins."""
    m = draw(masks(max_side=14))
    x = draw(st.integers(-16, W + 2)) + draw(st.sampled_from([0.0, 0.25, 0.5, 0.75]))
    y = draw(st.integers(-16, H + 2)) + draw(st.sampled_from([0.0, 0.5, 0.9]))
    return Mask(m.data, origin=(x, y))


@given(
    shapes=st.lists(
        st.one_of(placed_masks(), placed_masks(), boxes().map(lambda b: b.scale(0.02))),
        min_size=1,
        max_size=6,
    ),
    width=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
)
def test_masks_draw_the_same_pixels_as_drawing_on_the_whole_canvas(
    shapes: list, width: int, seed: int
) -> None:
    """draw_page gives, pixel for pixel, what painting each mask's edge on a
    copy of the whole canvas gave, on any background, with masks cut by the
    page's edges, off the pixel grid, holed, and drawn between other shapes."""
    background = np.random.default_rng(seed).integers(0, 256, (H, W, 3), np.uint8)
    page = _page(shapes)
    new = draw_page(page, background, width=width)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(unocr.draw, "_draw_mask", _whole_canvas_draw_mask)
        old = draw_page(page, background, width=width)
    assert np.array_equal(np.asarray(new), np.asarray(old))


def test_a_small_mask_is_drawn_without_copying_the_page() -> None:
    """Drawing a 6 x 4 mask on a 2480 x 3508 page allocates memory for the
    mask's window, not for a copy of the page (26 MB)."""
    canvas = Image.new("RGB", (2480, 3508), "white")
    mask = Mask(np.ones((4, 6), dtype=bool), origin=(1000, 2000))
    tracemalloc.start()
    try:
        unocr.draw._draw_mask(canvas, mask, (255, 0, 0), 2)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000
    pixels = np.asarray(canvas)
    assert (pixels[2000:2004, 1000:1006] != 255).any(axis=-1).sum() == 4 * 6
    assert (pixels != 255).any(axis=-1).sum() == 4 * 6


BAD_VALUES = [math.nan, math.inf, -math.inf, 2e9, -2e9]


@given(
    poly=polygons(),
    index=st.integers(0, 100),
    axis=st.integers(0, 1),
    bad=st.sampled_from(BAD_VALUES),
    cls=st.sampled_from([Box, Mask, RotatedBox, Polygon]),
)
def test_from_shapely_refuses_a_vertex_that_is_not_a_finite_coordinate(
    poly: Polygon, index: int, axis: int, bad: float, cls: type
) -> None:
    """A shapely polygon with one NaN, infinite or out-of-range vertex
    coordinate is refused with a GeometryError by every from_shapely that
    takes a polygon: none drops the vertex, returns an empty mask or lets an
    OverflowError out."""
    coords = np.asarray(poly.points).copy()
    coords[1 + index % (len(coords) - 1), axis] = bad  # not the ring's start
    geom = _quietly(lambda: shapely.Polygon(coords))
    with pytest.raises(GeometryError):
        cls.from_shapely(geom)


def _quietly(make: Callable[[], object]) -> object:
    """Build a shapely geometry with NaN coordinates (shapely warns about them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: shapely.Point(math.inf, 0),
        lambda: shapely.box(0, 0, math.inf, 5),
        lambda: shapely.LineString([(0, 0), (math.nan, math.nan)]),
        lambda: shapely.MultiPoint([(0, 0), (4, math.nan)]),
    ],
    ids=["point-inf", "box-inf", "line-nan", "multipoint-nan"],
)
@pytest.mark.parametrize("cls", [Box, Mask, RotatedBox])
def test_any_geometry_with_a_non_finite_coordinate_is_refused(
    make: Callable[[], object], cls: type
) -> None:
    """Box, Mask and RotatedBox take any shapely geometry; one with a NaN or
    infinite coordinate is a GeometryError naming finite coordinates."""
    geom = _quietly(make)
    with pytest.raises(GeometryError, match="finite"):
        cls.from_shapely(geom)


huge_angles = st.floats(1e6, 1e300).flatmap(
    lambda a: st.sampled_from([a, -a, a + 30.0, -a - 45.0])
)


@given(
    shape=st.one_of(
        boxes(), quads(), polygons(), polygons_with_holes(), masks(max_side=6)
    ),
    angle=huge_angles,
)
@example(shape=Box(0, 0, 100, 20), angle=1e20)
@example(shape=Quad([[0, 0], [100, 0], [100, 20], [0, 20]]), angle=4e17 + 30)
@example(shape=Mask(np.ones((2, 3), dtype=bool), origin=(3, 4)), angle=1e20)
@example(shape=RotatedBox(50, 10, 100, 20, 30), angle=1e20)
@example(shape=RotatedBox(50, 10, 100, 20, -170), angle=-4e17 - 45)
def test_a_huge_angle_turns_a_shape_as_its_remainder_modulo_360(
    shape: object, angle: float
) -> None:
    """shape.rotate(angle) == shape.rotate(math.fmod(angle, 360)) exactly (the
    remainder is exact in floating point), for every shape rotate keeps
    exact: 1e20 degrees is 280, not the identity."""
    origin = (12.5, -3.0)
    reduced = math.fmod(angle, 360.0)
    assert shape.rotate(angle, origin) == shape.rotate(reduced, origin)  # type: ignore[attr-defined]


def test_a_box_turned_by_1e20_degrees_is_turned_by_280() -> None:
    """Box(0, 0, 100, 20).rotate(1e20) is the quad rotate(280) gives, not the
    box itself."""
    box = Box(0, 0, 100, 20)
    turned = box.rotate(1e20)
    assert isinstance(turned, Quad)
    assert turned == box.rotate(280.0)


@pytest.mark.parametrize("angle", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    "shape",
    [
        Box(0, 0, 4, 2),
        RotatedBox(5, 5, 4, 2, 10),
        Quad([[0, 0], [4, 0], [4, 2], [0, 2]]),
        Polygon([[0, 0], [4, 0], [2, 3]]),
        Mask(np.ones((2, 2), dtype=bool)),
    ],
    ids=lambda s: type(s).__name__,
)
def test_a_non_finite_angle_is_a_geometry_error(shape: object, angle: float) -> None:
    """rotate(NaN or +-inf) is a GeometryError for every shape."""
    with pytest.raises(GeometryError, match="angle"):
        shape.rotate(angle)  # type: ignore[attr-defined]


@st.composite
def holed_polygons_on_page(draw: st.DrawFn) -> Polygon:
    """Polygons with holes, scaled and moved to lie within a 200 x 200 page."""
    p = draw(polygons_with_holes().filter(lambda p: len(p.holes) > 0))
    b = p.bounds
    factor = 180.0 / max(b.x1 - b.x0, b.y1 - b.y0)
    return p.translate(-b.x0, -b.y0).scale(factor).translate(10, 10)


@given(poly=holed_polygons_on_page(), width=st.integers(1, 4))
def test_a_polygon_is_outlined_around_its_holes_too(poly: Polygon, width: int) -> None:
    """draw_page draws a polygon as its exterior ring and then each hole's ring,
    each a closed line through its vertices."""
    page = _page([poly], width=200, height=200)
    out = draw_page(page, Image.new("RGB", (200, 200), "white"), width=width)
    want = Image.new("RGB", (200, 200), "white")
    pen = ImageDraw.Draw(want)
    color = confidence_color(0.0)
    for ring in (poly.points, *poly.holes):
        xy = [(float(x), float(y)) for x, y in ring]
        pen.line([*xy, xy[0]], fill=color, width=width, joint="curve")
    assert np.array_equal(np.asarray(out), np.asarray(want))


def test_a_polygon_hole_is_outlined_like_the_same_masks_hole() -> None:
    """A 12 x 12 square with a 4 x 4 hole: as a Polygon, the hole's edge is
    drawn, as it is for the same region as a Mask."""
    data = np.ones((12, 12), dtype=bool)
    data[4:8, 4:8] = False
    mask = Mask(data, origin=(10, 10))
    poly = mask.to_polygon()
    assert len(poly.holes) == 1
    for shape in (mask, poly):
        out = np.asarray(
            draw_page(
                _page([shape], 40, 40), np.full((40, 40, 3), 255, np.uint8), width=1
            )
        )
        assert (out[13:19, 13:19] != 255).any(axis=-1).sum() > 0, type(shape).__name__

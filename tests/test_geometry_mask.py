"""Masks: exact outlines with holes, rasterisation by pixel centres."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from unocr.geometry import Box, Mask, Polygon, Quad
from unocr.geometry._affine import apply_affine
from unocr.geometry._outline import region_count
from unocr.geometry.mask import rasterize
from unocr.image import exif_transform

from .strategies import (
    connected_masks,
    largest_component,
    masks,
    polygons,
    polygons_with_holes,
    quads,
    shapes,
)


def pixel_set(m: Mask) -> set[tuple[int, int]]:
    ii, jj = np.nonzero(m.data)
    ox, oy = int(m.origin[0]), int(m.origin[1])
    return {(ox + int(j), oy + int(i)) for i, j in zip(ii, jj, strict=True)}


@given(connected_masks())
def test_mask_polygon_mask_is_pixel_exact(m):
    """Law: mask -> polygon -> mask is pixel-exact, holes included (one
    4-connected region)."""
    p = m.to_polygon()
    assert p.area == m.area
    assert p.to_mask() == m.trimmed()


@given(masks())
def test_any_mask_polygons_mask_is_pixel_exact(m):
    """Law: for any mask, mask -> polygons -> mask is pixel-exact, holes
    included (several regions, corner contacts)."""
    parts = m.to_polygons()
    assert sum(p.area for p in parts) == m.area
    union = set().union(*(pixel_set(p.to_mask()) for p in parts))
    assert union == pixel_set(m)
    assert Mask.from_shapely(m.to_shapely()) == m.trimmed()


@given(masks())
def test_mask_to_polygon_encloses_every_pixel(m):
    """Law: Mask -> Polygon contains every pixel and never has less area
    (exact for one region, the convex hull for several)."""
    p = m.to_polygon()
    assert p.to_shapely().buffer(1e-9).covers(m.to_shapely())
    assert p.area >= m.area
    if len(m.to_polygons()) == 1:
        assert p.area == m.area


def squares_union(m: Mask) -> object:
    """The reference outline: GEOS's union of every set pixel's square."""
    ii, jj = np.nonzero(m.data)
    x, y = jj + m.origin[0], ii + m.origin[1]
    union = shapely.union_all(shapely.box(x, y, x + 1, y + 1))
    return shapely.normalize(shapely.simplify(union, 0.0))


def bfs_region_count(data: np.ndarray) -> int:
    count, left = 0, np.array(data, dtype=bool)
    while left.any():
        left &= ~largest_component(left)
        count += 1
    return count


@given(masks())
def test_traced_outline_is_the_union_of_the_pixel_squares(m):
    """Law: the outline traced along the pixel edges is, vertex for vertex,
    GEOS's union of the set pixels' squares (normalised, no collinear vertex),
    valid, with one polygon per 4-connected region."""
    outline = m.to_shapely()
    assert outline.is_valid
    assert shapely.equals_exact(outline, squares_union(m))
    assert shapely.get_num_geometries(outline) == bfs_region_count(m.data)


@given(masks())
def test_hull_points_are_the_hull_of_the_outline(m):
    """Law: the convex hull taken from the pixel runs' corners is the hull of
    the exact outline, vertex for vertex."""
    hull = shapely.convex_hull(shapely.multipoints(m.hull_points()))
    expected = shapely.convex_hull(m.to_shapely())
    assert shapely.equals_exact(shapely.normalize(hull), shapely.normalize(expected))


@given(masks())
def test_to_polygon_is_the_outline_or_the_hull_of_it(m):
    """Law: Mask.to_polygon() is the outline for one region and the convex hull
    of the outline for several, vertex for vertex, whether or not the outline
    was computed before; region_count counts the regions."""
    count = region_count(m.data)
    assert count == bfs_region_count(m.data)
    outline = m.to_shapely()
    expected = Polygon.from_shapely(
        outline if count == 1 else shapely.convex_hull(outline)
    )
    assert Mask(m.data, origin=m.origin).to_polygon() == expected  # no outline yet
    assert m.to_polygon() == expected  # the outline kept from to_shapely()


def test_a_hole_closed_at_a_corner_touches_the_outline():
    """Pixels of one region touching only at a corner close a hole: one ring
    outside and one hole meeting at that corner (a ring touching itself would
    be invalid)."""
    data = np.array(
        [[0, 1, 1, 1], [1, 0, 0, 1], [1, 0, 0, 1], [1, 1, 1, 1]], dtype=bool
    )
    outline = Mask(data, origin=(5, 7)).to_shapely()
    assert outline.is_valid and outline.geom_type == "Polygon"
    assert len(outline.interiors) == 1
    assert shapely.Polygon(outline.interiors[0]).area == 4.0
    meet = shapely.intersection(outline.exterior, outline.interiors[0])
    assert meet.equals(shapely.Point(6, 8))


def test_two_regions_meeting_at_two_corners_enclose_no_hole():
    """Two regions that touch at two corners stay two polygons, each without a
    hole, though together they ring the unset pixels between them."""
    data = np.array(
        [[1, 1, 1, 0], [1, 0, 0, 1], [1, 0, 0, 1], [0, 1, 1, 1]], dtype=bool
    )
    parts = Mask(data).to_polygons()
    assert [p.area for p in parts] == [5.0, 5.0]
    assert all(not p.holes for p in parts)
    assert shapely.MultiPolygon([p.to_shapely() for p in parts]).is_valid


@given(shapes)
def test_to_mask_takes_pixels_whose_centre_is_inside(s):
    """Law: to_mask() holds exactly the pixels whose centre lies inside."""
    if not isinstance(s, Mask):
        s = s.scale(0.05)  # keep the brute-force check below small
    m = s.to_mask()
    b = s.bounds
    geom = s.to_shapely()
    j0, j1 = int(np.floor(b.x0)), int(np.ceil(b.x1))
    i0, i1 = int(np.floor(b.y0)), int(np.ceil(b.y1))
    want = {
        (j, i)
        for i in range(i0, i1)
        for j in range(j0, j1)
        if geom.contains(shapely.Point(j + 0.5, i + 0.5))
    }
    assert pixel_set(m) == want


@given(polygons_with_holes())
def test_polygon_mask_polygon_keeps_holes(p):
    """Law: a polygon's mask keeps its holes (as pixel outlines) when they
    cover a pixel centre."""
    m = p.to_mask()
    if m.is_empty:
        return
    outline = m.to_shapely()
    assert abs(outline.area - m.area) < 1e-9
    assert shapely.covers(p.to_shapely().buffer(1.5), outline)


def test_ring_mask_has_one_hole():
    data = np.ones((5, 5), dtype=bool)
    data[1:4, 1:4] = False
    data[2, 2] = False
    m = Mask(data, origin=(10, 10))
    p = m.to_polygon()
    assert len(p.holes) == 1
    assert p.area == 16.0
    assert p.to_box() == Box(10, 10, 15, 15)
    assert p.to_mask() == m
    assert m.to_polygons() == [p]


def test_corner_touching_pixels_are_separate_regions():
    m = Mask([[1, 0], [0, 1]])
    parts = m.to_polygons()
    assert len(parts) == 2
    assert [q.area for q in parts] == [1.0, 1.0]
    hull = m.to_polygon()
    assert hull.area == pytest.approx(3.0)  # convex hull of the two squares
    # A hole that touches the outline at one corner stays a hole.
    ring = np.ones((3, 3), dtype=bool)
    ring[0, 0] = ring[1, 1] = False
    p = Mask(ring).to_polygon()
    assert p.area == 7.0
    assert p.to_mask() == Mask(ring)


def test_outline_vertices_are_minimal():
    m = Mask(np.ones((4, 6), dtype=bool))
    assert m.to_polygon().points.shape == (4, 2)
    assert m.to_polygon() == Polygon([[0, 0], [6, 0], [6, 4], [0, 4]])


def test_word_sized_mask_outline_is_exact():
    rng = np.random.default_rng(3)
    data = rng.random((48, 400)) < 0.6
    m = Mask(data, origin=(120, 80))
    parts = m.to_polygons()
    assert sum(p.area for p in parts) == data.sum()
    assert Mask.from_shapely(m.to_shapely()) == m.trimmed()


def test_mask_to_quad_and_rotated_box_enclose():
    data = np.eye(12, dtype=bool) | np.eye(12, k=1, dtype=bool)
    m = Mask(data)
    q = m.to_quad()
    assert isinstance(q, Quad)
    assert q.to_shapely().buffer(1e-9).covers(m.to_shapely())
    assert q.area < m.to_box().area
    assert m.to_rotated_box().angle == pytest.approx(
        -45.0
    ) or m.to_rotated_box().angle == pytest.approx(45.0)


@given(quads())
def test_translate_moves_only_the_origin(q):
    """Law: Mask.translate(dx, dy) moves the origin and keeps the pixels."""
    m = q.to_mask()
    moved = m.translate(3, -2)
    assert np.array_equal(moved.data, m.data)
    assert moved.origin == (m.origin[0] + 3, m.origin[1] - 2)


@given(
    masks(max_side=8),
    st.sampled_from([-3, -2, -1, 1, 2, 4]),
    st.sampled_from([-3, -2, -1, 1, 2, 4]),
    st.booleans(),
    st.integers(-20, 20),
    st.integers(-20, 20),
    st.sampled_from([0.0, 0.5]),
)
def test_maps_that_keep_the_grid_copy_what_rasterising_gives(
    m, fx, fy, swap, tx, ty, frac
):
    """Law: whole-number scales, mirrors and quarter turns onto the pixel grid
    copy pixels (flipped, swapped, repeated), exactly the pixels rasterising
    the mapped outline gives; off the grid (a half-pixel shift) the outline is
    rasterised as before."""
    linear = [[0, fx], [fy, 0]] if swap else [[fx, 0], [0, fy]]
    matrix = np.array(
        [[*linear[0], tx + frac], [*linear[1], ty], [0, 0, 1]], dtype=float
    )
    expected = rasterize(
        shapely.transform(m.to_shapely(), lambda p: apply_affine(p, matrix))
    )
    got = m.transform(matrix)
    if swap or (fx, fy) != (1, 1):  # a translation only moves the origin
        assert got == expected
    copied = m._copied(matrix, None)
    assert (copied is not None) == (frac == 0.0)
    if copied is not None:
        assert copied == expected
        assert copied.area == m.area * abs(fx * fy)


@pytest.mark.parametrize("orientation", range(2, 9))
def test_exif_orientations_copy_mask_pixels(orientation):
    """Every EXIF orientation maps a mask by copying its pixels, as rasterising
    the mapped outline would, into the upright image's bounds."""
    data = np.zeros((5, 7), dtype=bool)
    data[0, :3] = data[1:4, 5] = data[4, 0] = True  # no symmetry
    m = Mask(data, origin=(2, 3))
    matrix, up_w, up_h = exif_transform(orientation, 12, 10)
    full = np.eye(3)
    full[:2] = matrix
    assert m._copied(full, None) is not None
    got = m.transform(matrix)
    assert got == rasterize(
        shapely.transform(m.to_shapely(), lambda p: apply_affine(p, full))
    )
    assert got.area == m.area
    box = got.to_box()
    assert 0 <= box.x0 <= box.x1 <= up_w and 0 <= box.y0 <= box.y1 <= up_h


@given(polygons())
def test_polygon_to_mask_area_close_to_polygon_area(p):
    """Law: rasterising changes the area by at most the boundary pixels."""
    m = p.to_mask()
    perimeter = p.to_shapely().length
    assert abs(m.area - p.area) <= perimeter + 4


def test_a_mask_reaching_past_the_coordinate_range_is_refused():
    # its origin was checked and its far edge was not: a JSON page with such a
    # mask loaded, and then its bounds (any writer) raised a GeometryError
    from unocr.errors import GeometryError

    pixels = np.ones((3, 8), dtype=bool)
    with pytest.raises(
        GeometryError, match=r"Mask origin x \+ width: .* got 1000000002\.0"
    ):
        Mask(pixels, origin=(1e9 - 6, 0))
    with pytest.raises(
        GeometryError, match=r"Mask origin y \+ height: .* got 1000000001\.0"
    ):
        Mask(pixels, origin=(0, 1e9 - 2))
    edge = Mask(pixels, origin=(1e9 - 8, -1e9))  # exactly to the edge: fine
    assert edge.bounds.x1 == 1e9

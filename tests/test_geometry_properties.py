"""Property tests: conversion round trips, areas, containment, affine maps.

Each test's docstring states the law it checks.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from hypothesis import assume, given
from hypothesis import strategies as st

from unocr.geometry import Box, Mask, Polygon, Quad, RotatedBox

from .strategies import (
    angles,
    boxes,
    convex_quads,
    integer_boxes,
    masks,
    polygons,
    polygons_with_holes,
    quads,
    rotated_boxes,
    same_rectangle,
    shapes,
)

ABS = 1e-6  # pixels; coordinates stay within a few thousand pixels


def assert_same_rectangle(a: RotatedBox, b: RotatedBox, tol: float = ABS) -> None:
    """Equal rectangles, allowing the [-45, 45) wrap (w/h swap at +-45 degrees)."""
    assert same_rectangle(a.as_array(), b.as_array(), tol), (a, b)


def assert_same_region(g1, g2, tol: float = 1e-6) -> None:
    """Two shapely geometries have the same outline (up to float noise).

    Hausdorff distance between the outlines, not an overlay: GEOS overlays can
    fail on edges that nearly coincide, which is exactly the case here.
    """
    scale = max(1.0, *np.abs(shapely.get_coordinates(g1)).max(axis=0))
    assert shapely.hausdorff_distance(g1, g2) <= tol * scale
    assert g1.area == pytest.approx(g2.area, rel=1e-6, abs=1e-6)


# --------------------------------------------------------------- round trips
@given(boxes(min_size=0.0))
def test_box_quad_box_is_identity(b):
    """Law: Box -> Quad -> Box is the identity."""
    assert b.to_quad().to_box() == b


@given(boxes(min_size=0.0))
def test_box_polygon_box_is_identity(b):
    """Law: Box -> Polygon -> Box is the identity."""
    assert b.to_polygon().to_box() == b


@given(boxes(min_size=0.0))
def test_box_rotated_box_is_identity(b):
    """Law: Box -> RotatedBox -> Box is the identity (within float tolerance)."""
    back = b.to_rotated_box().to_box()
    assert back.as_array() == pytest.approx(b.as_array(), abs=ABS)


@given(rotated_boxes())
def test_rotated_quad_rotated_is_identity(r):
    """Law: RotatedBox -> Quad -> RotatedBox is the identity (canonical angle)."""
    assert_same_rectangle(r.to_quad().to_rotated_box(), r)


@given(rotated_boxes())
def test_rotated_polygon_rotated_is_identity(r):
    """Law: RotatedBox -> Polygon -> RotatedBox is the identity (canonical angle)."""
    assert_same_rectangle(r.to_polygon().to_rotated_box(), r)


@given(integer_boxes())
def test_box_mask_box_is_exact_for_integer_boxes(b):
    """Law: Box -> Mask -> Box is exact for integer boxes."""
    m = b.to_mask()
    assert m.area == b.area
    assert m.to_box() == b


@given(quads())
def test_quad_polygon_quad_is_identity(q):
    """Law: Quad -> Polygon -> Quad is the identity."""
    assert q.to_polygon().to_quad() == q


@given(st.one_of(boxes(), rotated_boxes(), quads(), polygons(), polygons_with_holes()))
def test_dict_round_trip(s):
    """Law: from_dict(to_dict(s)) == s for every shape."""
    assert type(s).from_dict(s.to_dict()) == s


@given(masks())
def test_mask_dict_round_trip(m):
    """Law: Mask.from_dict(m.to_dict()) == m (run-length encoding is lossless)."""
    assert Mask.from_dict(m.to_dict()) == m


# ------------------------------------------------------------------- areas
@given(shapes)
def test_area_agrees_with_shapely(s):
    """Law: every shape's area equals the area of its shapely geometry."""
    assert s.area == pytest.approx(s.to_shapely().area, rel=1e-9, abs=1e-6)


@given(shapes)
def test_bounds_agree_with_shapely(s):
    """Law: bounds equal shapely's bounds of the same geometry."""
    assert s.bounds.as_array() == pytest.approx(
        np.asarray(s.to_shapely().bounds), abs=ABS
    )


@given(st.one_of(boxes(), rotated_boxes(), quads(), polygons(), polygons_with_holes()))
def test_centroid_agrees_with_shapely(s):
    """Law: the area centroid equals shapely's centroid."""
    c = s.to_shapely().centroid
    assert s.centroid == pytest.approx((c.x, c.y), abs=1e-5)


ENCLOSING = ("to_box", "to_rotated_box", "to_quad")


@given(shapes, st.sampled_from(ENCLOSING))
def test_lossy_enclosing_conversion_contains_source(s, method):
    """Law: a conversion to an enclosing shape contains the source and never
    has less area."""
    out = getattr(s, method)()
    src = s.to_shapely()
    grown = shapely.buffer(out.to_shapely(), 1e-6 * max(1.0, math.sqrt(out.area)))
    assert grown.covers(src)
    assert out.area >= s.area * (1 - 1e-9) - 1e-6


@given(st.one_of(polygons(), polygons_with_holes(), quads(), masks()))
def test_min_area_rectangle_not_larger_than_bounds(s):
    """Law: the minimum-area rectangle never exceeds the axis-aligned bounds."""
    assert s.to_rotated_box().area <= s.to_box().area * (1 + 1e-9) + 1e-6


@given(convex_quads())
def test_quad_to_rotated_encloses_convex_quads(q):
    """Law: Quad -> RotatedBox encloses the quad with area >= the quad's area."""
    r = q.to_rotated_box()
    assert r.area >= q.area * (1 - 1e-9)
    assert r.to_shapely().buffer(1e-6 * max(1.0, r.width)).covers(q.to_shapely())


# ------------------------------------------------------------- affine maps
scales = st.sampled_from([0.25, 0.5, 2.0, 3.0, -1.0, 1.5, 10.0])


@given(shapes, scales, scales)
def test_scale_then_inverse_is_identity(s, sx, sy):
    """Law: scale(sx, sy) then scale(1/sx, 1/sy) is the identity."""
    if isinstance(s, Mask):
        return  # masks: see the integer-scale test below
    back = s.scale(sx, sy).scale(1 / sx, 1 / sy)
    assert_same_region(back.to_shapely(), s.to_shapely())
    assert type(back).__name__ in (type(s).__name__, "Quad")


@given(masks(max_side=8), st.integers(1, 4))
def test_mask_integer_scale_then_inverse_is_identity(m, k):
    """Law: for masks, scale(k) then scale(1/k) is the identity for integer k."""
    assert m.scale(k).scale(1 / k).trimmed() == m.trimmed()
    assert m.scale(k).area == m.area * k * k


@given(boxes(), scales, scales, st.floats(-500, 500), st.floats(-500, 500))
def test_axis_affine_commutes_with_box_quad(b, sx, sy, dx, dy):
    """Law: for axis-aligned maps, Box.transform(m).to_quad() ==
    Box.to_quad().transform(m) (a box stays a box)."""
    m = [[sx, 0, dx], [0, sy, dy]]
    out = b.transform(m)
    assert isinstance(out, Box)
    assert_same_region(
        out.to_quad().to_shapely(), b.to_quad().transform(m).to_shapely()
    )
    assert np.allclose(out.to_quad().points, b.to_quad().transform(m).points, atol=ABS)


@given(rotated_boxes(), angles, st.floats(-500, 500), st.floats(-500, 500))
def test_rotation_commutes_with_rotated_to_quad(r, a, ox, oy):
    """Law: RotatedBox.rotate(a, o).to_quad() == RotatedBox.to_quad().rotate(a, o)."""
    left = r.rotate(a, (ox, oy))
    assert isinstance(left, RotatedBox)
    right = r.to_quad().rotate(a, (ox, oy))
    assert_same_region(left.to_shapely(), right.to_shapely())
    assert_same_rectangle(left, right.to_rotated_box(), tol=1e-5)


@given(rotated_boxes(), st.sampled_from([0.5, 2.0, 3.0]), st.floats(-500, 500))
def test_similarity_keeps_rotated_boxes(r, s, d):
    """Law: a uniform scale plus translation maps RotatedBox to RotatedBox and
    commutes with to_quad()."""
    m = [[s, 0, d], [0, s, -d]]
    out = r.transform(m)
    assert isinstance(out, RotatedBox)
    assert_same_region(out.to_shapely(), r.to_quad().transform(m).to_shapely())


@given(
    st.one_of(quads(), polygons(), polygons_with_holes()),
    st.floats(-3, 3).filter(lambda v: abs(v) > 0.1),
    st.floats(-2, 2),
    st.floats(-2, 2),
    st.floats(-3, 3).filter(lambda v: abs(v) > 0.1),
)
def test_affine_scales_area_by_determinant(s, a, b, c, d):
    """Law: an affine map multiplies area by |det| and maps shapely's geometry."""
    det = a * d - b * c
    assume(abs(det) > 1e-2)
    m = [[a, b, 7.0], [c, d, -3.0]]
    out = s.transform(m)
    assert out.area == pytest.approx(abs(det) * s.area, rel=1e-6, abs=1e-6)
    mapped = shapely.affinity.affine_transform(s.to_shapely(), [a, b, c, d, 7.0, -3.0])
    assert_same_region(out.to_shapely(), mapped)


@given(shapes, st.integers(-100, 100), st.integers(-100, 100))
def test_integer_translation_commutes_with_to_mask(s, dx, dy):
    """Law: s.translate(dx, dy).to_mask() == s.to_mask().translate(dx, dy) for
    integer shifts (shapes whose outline passes through a pixel centre are
    skipped: there float rounding, not the law, decides)."""
    if not isinstance(s, Mask):
        s = s.scale(0.1)  # keep the pixel-centre scan below small
        b = s.bounds
        xs = np.arange(np.floor(b.x0), np.ceil(b.x1)) + 0.5
        ys = np.arange(np.floor(b.y0), np.ceil(b.y1)) + 0.5
        gx, gy = np.meshgrid(xs, ys)
        centres = shapely.points(gx.ravel(), gy.ravel())
        assume(not shapely.dwithin(s.to_shapely().boundary, centres, 1e-6).any())
    left = s.translate(dx, dy).to_mask().trimmed()
    assert left == s.to_mask().translate(dx, dy).trimmed()


@given(polygons_with_holes(), st.sampled_from([90, 180, 270, -90]))
def test_quarter_turns_keep_boxes_boxes(p, a):
    """Law: bounds commute with quarter turns: p.rotate(a).to_box() ==
    p.to_box().rotate(a)."""
    box = p.to_box().rotate(a, (3.0, 4.0))
    assert isinstance(box, Box)
    assert np.allclose(p.rotate(a, (3.0, 4.0)).to_box().as_array(), box.as_array())


def test_transform_rejects_bad_matrices():
    from unocr.errors import GeometryError

    b = Box(0, 0, 1, 1)
    with pytest.raises(
        GeometryError, match=r"expected shape \(2, 3\), \(3, 3\) or \(6,\)"
    ):
        b.transform([[1, 0], [0, 1]])
    with pytest.raises(GeometryError, match="projective"):
        b.transform([[1, 0, 0], [0, 1, 0], [0.1, 0, 1]])
    with pytest.raises(GeometryError, match="singular"):
        b.transform([[1, 1, 0], [1, 1, 0]])
    with pytest.raises(GeometryError, match="non-zero"):
        b.scale(0)


def test_rotate_box_returns_quad_unless_quarter_turn():
    b = Box(0, 0, 4, 2)
    assert b.rotate(90) == Box(-2, 0, 0, 4)
    q = b.rotate(30)
    assert isinstance(q, Quad)
    assert q.area == pytest.approx(8.0)
    assert isinstance(RotatedBox(0, 0, 4, 2, 10).scale(2, 1), Quad)
    assert isinstance(RotatedBox(0, 0, 4, 2, 0).scale(2, 1), RotatedBox)
    assert isinstance(Polygon([[0, 0], [1, 0], [0, 1]]).rotate(33), Polygon)

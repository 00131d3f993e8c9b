"""Unit tests of the five shapes: construction, validation, serialisation."""

from __future__ import annotations

import json
import math
import pickle

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from unocr.errors import GeometryError, UnocrError
from unocr.geometry import (
    Box,
    Geometry,
    Mask,
    Polygon,
    Quad,
    RotatedBox,
    enclosing_box,
    enclosing_quad,
    geometry_from_dict,
)

SAMPLES: list[Geometry] = [
    Box(10, 20, 50, 40),
    RotatedBox(100, 50, 80, 20, 30),
    Quad([[0, 0], [10, 1], [9, 8], [1, 6]]),
    Polygon([[0, 0], [10, 0], [10, 10], [5, 3], [0, 10]]),
    Polygon(
        [[0, 0], [10, 0], [10, 10], [0, 10]], holes=[[[2, 2], [4, 2], [4, 4], [2, 4]]]
    ),
    Mask(np.array([[1, 1, 0], [1, 0, 1]], dtype=bool), origin=(2, 3)),
]


def test_geometry_error_is_value_error_and_unocr_error():
    with pytest.raises(GeometryError) as info:
        Box(5, 0, 1, 1)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, UnocrError)
    assert "x0 <= x1" in str(info.value)
    assert "x0=5.0" in str(info.value)


@pytest.mark.parametrize(
    ("factory", "fragment"),
    [
        (lambda: Box(float("nan"), 0, 1, 1), "x0 must be finite"),
        (lambda: Box(0, 0, float("inf"), 1), "x1 must be finite"),
        (lambda: Box(0, 2, 1, 1), "y0 <= y1"),
        (lambda: Box("a", 0, 1, 1), "x0 must be a real number"),
        (lambda: RotatedBox(0, 0, -1, 1, 0), "width >= 0"),
        (lambda: RotatedBox(0, 0, 1, 1, float("nan")), "angle must be finite"),
        (lambda: Quad([[0, 0], [1, 0], [1, 1]]), "expected shape (4, 2), got (3, 2)"),
        (lambda: Quad(np.zeros((4, 3))), "expected shape (_, 2), got (4, 3)"),
        (lambda: Quad([[0, 0], [1, 0], [1, np.nan], [0, 1]]), "finite"),
        (lambda: Polygon([[0, 0], [1, 1]]), "at least 3 points, got 2"),
        (lambda: Polygon([[0, 0], [2, 2], [2, 0], [0, 2]]), "simple polygon"),
        (
            lambda: Polygon(
                [[0, 0], [4, 0], [4, 4]], holes=[[[9, 9], [10, 9], [9, 10]]]
            ),
            "simple polygon",
        ),
        (lambda: Mask(np.zeros((2, 2, 2), dtype=bool)), "2-D boolean array"),
        (lambda: Mask(np.array([[0.5]])), "threshold it first"),
        (lambda: Mask([[1]], origin=(0, float("nan"))), "origin y must be finite"),
        (lambda: Mask(np.zeros((3, 3), dtype=bool)).to_box(), "empty mask"),
        (lambda: Mask(np.zeros((3, 3), dtype=bool)).to_polygon(), "empty mask"),
        (lambda: Mask(np.zeros((0, 0), dtype=bool)).centroid, "empty mask"),
    ],
)
def test_invalid_input_raises_geometry_error(factory, fragment):
    with pytest.raises(GeometryError, match=r"expected|must") as info:
        factory()
    assert fragment in str(info.value)


def test_box_basics():
    b = Box(10, 20, 50, 40)
    assert (b.width, b.height, b.area) == (40.0, 20.0, 800.0)
    assert b.bounds is b
    assert b.centroid == (30.0, 30.0)
    assert Box.from_xywh(10, 20, 40, 20) == b
    assert isinstance(b.x0, float)
    with pytest.raises(AttributeError):
        b.x0 = 3  # type: ignore[misc]
    assert hash(b) == hash(Box(10, 20, 50, 40))
    # Degenerate boxes (zero width or height) are allowed.
    assert Box(1, 1, 1, 5).area == 0.0


def test_rotated_box_canonical_form():
    """Law: two equal rectangles compare equal (canonical angle and width)."""
    a = RotatedBox(0, 0, 2, 8, 100)
    assert a == RotatedBox(0, 0, 8, 2, 10)
    assert a == RotatedBox(0, 0, 8, 2, 190)
    assert a == RotatedBox(0, 0, 8, 2, -170)
    assert (a.width, a.height, a.angle) == (8.0, 2.0, 10.0)
    # The half-open range [-45, 45): +45 maps to -45 with the sides swapped.
    assert RotatedBox(0, 0, 4, 2, 45) == RotatedBox(0, 0, 2, 4, -45)
    assert RotatedBox(0, 0, 4, 2, 45).angle == -45.0


def test_rotated_box_sign_is_clockwise_on_screen():
    """A positive angle turns the width side downwards on screen (y grows)."""
    q = RotatedBox(0, 0, 10, 0, 30).to_quad().points
    tl, tr = q[0], q[1]
    assert tr[0] > tl[0]
    assert tr[1] > tl[1]
    assert math.isclose(
        math.degrees(math.atan2(tr[1] - tl[1], tr[0] - tl[0])), 30, abs_tol=1e-9
    )


def test_quad_canonical_order_from_any_order():
    want = [[0.0, 0.0], [10.0, 0.0], [10.0, 5.0], [0.0, 5.0]]
    corners = np.array(want)
    for perm in ([0, 1, 2, 3], [2, 0, 3, 1], [3, 2, 1, 0], [1, 3, 0, 2]):
        assert Quad.from_points(corners[perm]).points.tolist() == want
        assert Quad(corners[perm]).points.tolist() == want
    flat = corners[[3, 1, 0, 2]].ravel().tolist()
    assert Quad.from_points(flat).points.tolist() == want


def test_quad_keeps_a_concave_simple_order():
    dart = [[0, 0], [10, 5], [0, 10], [3, 5]]
    q = Quad(dart)
    assert q.area == pytest.approx(shapely.Polygon(dart).area)
    assert shapely.Polygon(q.points).equals(shapely.Polygon(dart))


def test_quad_points_read_only_and_equality():
    q = Quad([[0, 0], [2, 0], [2, 1], [0, 1]])
    with pytest.raises(ValueError, match="read-only"):
        q.points[0, 0] = 5
    with pytest.raises(AttributeError):
        q.foo = 1  # type: ignore[attr-defined]
    assert q == Quad([[2, 1], [0, 1], [0, 0], [2, 0]])
    assert hash(q) == hash(Quad([[2, 1], [0, 1], [0, 0], [2, 0]]))
    assert q != Quad([[0, 0], [3, 0], [3, 1], [0, 1]])


@pytest.mark.parametrize(
    "make",
    [
        lambda z: Box(z, z, 4, 2),
        lambda z: RotatedBox(z, z, 4, 2, z),
        lambda z: Quad([[z, z], [4, z], [4, 2], [z, 2]]),
        lambda z: Polygon([[z, z], [4, z], [z, 2]]),
        lambda z: Polygon(
            [[z, z], [9, z], [9, 9], [z, 9]], holes=[[[1, 1], [2, 1], [z + 2, 2]]]
        ),
    ],
    ids=["box", "rotated_box", "quad", "polygon", "polygon_with_hole"],
)
def test_equal_shapes_hash_alike_whatever_the_sign_of_zero(make):
    # -0.0 == 0.0, so a shape with -0.0 (from an engine, a transform or JSON)
    # equals the one with 0.0 and must hash alike: sets and dicts of words
    # and pages rely on it
    plus, minus = make(0.0), make(-0.0)
    assert plus == minus
    assert hash(plus) == hash(minus)
    assert len({plus, minus}) == 1


def test_polygon_orientation_and_closing_point():
    ccw = [[0, 0], [0, 4], [4, 4], [4, 0], [0, 0]]
    p = Polygon(ccw)
    assert p.points.tolist() == [[0, 0], [4, 0], [4, 4], [0, 4]]
    hole = Polygon(p.points, holes=[[[1, 1], [3, 1], [3, 3], [1, 3]]])
    assert hole.area == 12.0
    # The hole runs the other way round (counter-clockwise on screen).
    h = hole.holes[0]
    assert shapely.LinearRing(h).is_ccw != shapely.LinearRing(hole.points).is_ccw
    assert hole.to_shapely().is_valid


def test_polygon_to_quad_exact_for_four_points():
    p = Polygon([[0, 0], [10, 1], [9, 8], [1, 6]])
    assert p.to_quad() == Quad([[0, 0], [10, 1], [9, 8], [1, 6]])


@pytest.mark.parametrize("shape", SAMPLES, ids=lambda s: type(s).__name__)
def test_dict_round_trip_is_plain_json(shape):
    """Law: from_dict(to_dict(s)) == s, with only plain JSON types."""
    d = shape.to_dict()
    text = json.dumps(d, allow_nan=False)
    back = geometry_from_dict(json.loads(text))
    assert back == shape
    assert type(back) is type(shape)
    assert d["type"] == type(shape).type_name
    assert type(shape).from_dict(d) == shape


@pytest.mark.parametrize("shape", SAMPLES, ids=lambda s: type(s).__name__)
def test_shapely_and_geo_interface(shape):
    geom = shape.to_shapely()
    assert geom.area == pytest.approx(shape.area)
    gi = shape.__geo_interface__
    json.dumps(gi)
    assert shapely.geometry.shape(gi).equals(geom)
    back = type(shape).from_shapely(geom)
    assert back.area == pytest.approx(shape.area)


@pytest.mark.parametrize("shape", SAMPLES, ids=lambda s: type(s).__name__)
def test_pickle_round_trip(shape):
    assert pickle.loads(pickle.dumps(shape)) == shape


@pytest.mark.parametrize("shape", SAMPLES, ids=lambda s: type(s).__name__)
def test_every_conversion_exists(shape):
    targets = {
        "to_box": Box,
        "to_rotated_box": RotatedBox,
        "to_quad": Quad,
        "to_polygon": Polygon,
        "to_mask": Mask,
    }
    for name, cls in targets.items():
        assert type(getattr(shape, name)()) is cls
    assert isinstance(shape.bounds, Box)
    cx, cy = shape.centroid
    assert isinstance(cx, float)
    assert isinstance(cy, float)


def test_geometry_from_dict_errors():
    with pytest.raises(GeometryError, match="one of box, rotated_box"):
        geometry_from_dict({"type": "circle"})
    with pytest.raises(GeometryError, match="expected key 'type'"):
        geometry_from_dict({"x0": 1})
    with pytest.raises(GeometryError, match="expected key 'y1'"):
        geometry_from_dict({"type": "box", "x0": 0, "y0": 0, "x1": 1})
    with pytest.raises(GeometryError, match="adding up to 2x2=4"):
        geometry_from_dict(
            {"type": "mask", "origin": [0, 0], "size": [2, 2], "counts": [1]}
        )


def test_from_shapely_rejects_wrong_geometries():
    with pytest.raises(GeometryError, match="4 vertices"):
        Quad.from_shapely(shapely.Polygon([(0, 0), (1, 0), (0, 1)]))
    with pytest.raises(GeometryError, match="non-empty shapely Polygon"):
        Polygon.from_shapely(
            shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(3, 3, 4, 4)])
        )
    with pytest.raises(GeometryError, match="non-empty"):
        Box.from_shapely(shapely.Polygon())


def test_enclosing_box_and_quad():
    shapes = [
        Box(0, 0, 1, 1),
        RotatedBox(10, 10, 4, 2, 30),
        Mask([[1]], origin=(-3, 2)),
    ]
    b = enclosing_box(shapes)
    assert b.x0 == -3.0
    assert b.y0 == 0.0
    q = enclosing_quad(shapes)
    union = shapely.union_all([s.to_shapely() for s in shapes])
    assert q.to_shapely().buffer(1e-9).covers(union)
    assert q.area <= b.area + 1e-9
    with pytest.raises(GeometryError, match="at least one shape"):
        enclosing_box([])
    with pytest.raises(GeometryError, match="expected a Box"):
        enclosing_quad([Box(0, 0, 1, 1), (0, 0)])  # type: ignore[list-item]


def test_enclosing_quad_of_rotated_words_is_rotated():
    slope = math.degrees(math.atan2(20, 50))
    words = [RotatedBox(50 * k, 20 * k, 40, 10, slope) for k in range(4)]
    q = enclosing_quad(words)
    assert q.to_rotated_box().angle == pytest.approx(slope, abs=1e-6)
    assert q.area < enclosing_box(words).area


def test_mask_basics():
    m = Mask([[True, True], [True, False]], origin=(10, 20))
    assert m.area == 3.0
    assert m.to_box() == Box(10, 20, 12, 22)
    assert m.centroid == pytest.approx((10 + 5 / 6, 20 + 5 / 6))
    assert m.data.dtype == np.bool_
    with pytest.raises(ValueError, match="read-only"):
        m.data[0, 0] = False
    assert Mask(np.array([[0, 1]], dtype=np.uint8)) == Mask([[False, True]])
    assert Mask([[0, 0], [0, 1]]).trimmed() == Mask([[1]], origin=(1, 1))
    assert Mask(np.zeros((2, 2), dtype=bool)).is_empty
    assert Mask(np.zeros((2, 2), dtype=bool)).area == 0.0


def test_box_to_mask_pixel_centres():
    m = Box(0.4, 0, 2.6, 1).to_mask()
    # centres 0.5, 1.5, 2.5 lie inside [0.4, 2.6]
    assert m.origin == (0.0, 0.0)
    assert m.data.shape == (1, 3)
    thin = Box(0.6, 0, 1.4, 1).to_mask()
    assert thin.is_empty


def test_a_rotated_box_whose_corners_leave_the_coordinate_range_is_refused():
    # its centre and size were checked one by one: a unocr JSON page with one
    # loaded, and its bounds (every writer) then raised a GeometryError
    with pytest.raises(GeometryError, match=r"RotatedBox bounds: .* got 1000000011\.2"):
        RotatedBox(1e9 - 10, 0, 20, 40, 45)
    with pytest.raises(GeometryError, match=r"RotatedBox bounds: .* got 1114711431\.7"):
        RotatedBox(5e8, 0, 9e8, 9e8, 30)  # a corner at 5e8 + 6.1e8
    near = RotatedBox(1e9 - 10, -1e9 + 2, 20, 4, 0)  # touching the edge: fine
    assert near.to_box().x1 == 1e9 and near.to_box().y0 == -1e9
    assert near.to_quad().bounds == near.to_box()
    assert RotatedBox(0, 0, 1e9, 1e9, 45).to_box().x1 == pytest.approx(
        7.071e8, rel=1e-3
    )


@given(
    st.floats(-1e9, 1e9),
    st.floats(-1e9, 1e9),
    st.floats(0, 1e9),
    st.floats(0, 1e9),
    st.floats(-720, 720),
)
def test_a_rotated_box_that_builds_has_bounds_corners_and_an_outline(
    cx, cy, width, height, angle
):
    """Law, anywhere in the range: what constructs can be used (none raises)."""
    try:
        r = RotatedBox(cx, cy, width, height, angle)
    except GeometryError as exc:
        assert str(exc).startswith(("RotatedBox bounds: ", "RotatedBox corners: "))
        return
    assert r.to_box().area >= 0
    assert r.to_quad().bounds.x1 <= 1e9
    assert r.to_polygon().area >= 0

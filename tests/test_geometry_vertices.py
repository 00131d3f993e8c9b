"""Tests for unocr.geometry.vertices.shape_from_points: vertices read from a file."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from unocr.errors import GeometryError
from unocr.geometry import Box, Polygon, Quad, shape_from_points

RECTANGLE = [(2.0, 1.0), (7.0, 1.0), (7.0, 4.0), (2.0, 4.0)]


@pytest.mark.parametrize("start", range(4))
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("closed", [False, True])
def test_a_rectangle_in_any_order_is_a_box(
    start: int, reverse: bool, closed: bool
) -> None:
    corners = RECTANGLE[start:] + RECTANGLE[:start]
    if reverse:
        corners.reverse()
    if closed:
        corners.append(corners[0])
    corners.insert(2, corners[1])  # a repeated vertex, as some files write
    assert shape_from_points(corners) == Box(2, 1, 7, 4)


@pytest.mark.parametrize(
    ("points", "want"),
    [
        ([(3, 3)], Box(3, 3, 3, 3)),
        ([(5, 1), (2, 4)], Box(2, 1, 5, 4)),
        ([(0, 0), (4, 0), (0, 0), (4, 0)], Box(0, 0, 4, 0)),  # a flat run
        ([(1, 1), (1, 1), (1, 1)], Box(1, 1, 1, 1)),
        ([(0, 0), (4, 4), (4, 0), (0, 4)], Box(0, 0, 4, 4)),  # the corners, crossed
    ],
)
def test_fewer_than_three_distinct_or_flat_points_give_their_box(
    points: list[tuple[float, float]], want: Box
) -> None:
    assert shape_from_points(points) == want


def test_a_convex_quadrilateral_is_a_canonical_quad() -> None:
    points = [(3, 3), (-1, 2), (0, 0), (4, 1)]  # not starting at the top left
    shape = shape_from_points(points)
    assert isinstance(shape, Quad)
    assert shape.points.tolist() == [[0, 0], [4, 1], [3, 3], [-1, 2]]


def test_other_outlines_are_polygons() -> None:
    concave = [(0, 0), (4, 0), (2, 2), (4, 4), (0, 4)]
    shape = shape_from_points([*concave, concave[0]])  # closing vertex dropped
    assert isinstance(shape, Polygon)
    assert shape.points.tolist() == [list(p) for p in concave]
    assert isinstance(shape_from_points([(0, 0), (4, 0), (4, 2)]), Polygon)


def test_the_input_array_is_neither_changed_nor_shared() -> None:
    points = np.array([[0.0, 0.0], [4.0, 1.0], [3.0, 3.0], [-1.0, 2.0]])
    shape = shape_from_points(points)
    points[:] = 99.0
    assert shape.points.tolist() == [[0, 0], [4, 1], [3, 3], [-1, 2]]


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([], "at least one point"),
        ([(0, 0), (float("nan"), 1)], "finite"),
        ([(0, 0, 0)], r"expected shape \(_, 2\)"),
        # float pairs, as file readers pass them
        ([(0.0, 0.0), (float("nan"), 1.0)], "finite"),
        # the number, not numpy's repr of it (np.float64(-inf))
        ([(0.0, 0.0), (1.0, float("-inf"))], r"got -inf at index \(1, 1\)"),
        ([(0.0, 0.0), (2e9, 1.0)], r"within \+-1e\+09 pixels"),
        ([(0.0, 0.0), (1.0,)], r"expected shape|inhomogeneous"),
    ],
)
def test_bad_vertex_lists_are_refused(points: object, message: str) -> None:
    with pytest.raises(GeometryError, match=message):
        shape_from_points(points)  # type: ignore[arg-type]


# Small whole coordinates make repeats, closing vertices, flat runs and
# collinear points common.
vertex_lists = st.lists(
    st.tuples(st.integers(-4, 4), st.integers(-4, 4)), min_size=1, max_size=8
)


@given(vertex_lists)
def test_the_shape_spans_exactly_the_points(points: list[tuple[int, int]]) -> None:
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    shape = shape_from_points(points)
    assert shape.bounds == Box(min(xs), min(ys), max(xs), max(ys))


@given(vertex_lists)
def test_the_kind_follows_the_distinct_vertices(points: list[tuple[int, int]]) -> None:
    distinct = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if len(distinct) > 1 and distinct[0] == distinct[-1]:
        distinct.pop()
    corners = len(set(distinct)) == 4 == len(distinct) and (
        len({x for x, _ in distinct}) == 2 == len({y for _, y in distinct})
    )
    shape = shape_from_points(points)
    if len(distinct) < 3 or corners:  # too few, or a rectangle's four corners
        assert isinstance(shape, Box)
    elif isinstance(shape, Quad | Polygon):
        assert sorted(map(tuple, shape.points.tolist())) == sorted(
            (float(x), float(y)) for x, y in distinct
        )
    else:  # refused as a polygon (e.g. self-crossing): its bounding box
        assert isinstance(shape, Box)


float_lists = st.lists(
    st.tuples(
        st.sampled_from([-4.0, -0.0, 0.0, 0.5, 2.0, 4.0, 1e9]),
        st.sampled_from([-4.0, -0.0, 0.0, 0.5, 2.0, 4.0, -1e9]),
    ),
    min_size=1,
    max_size=8,
)


@given(float_lists)
def test_float_pairs_and_arrays_give_the_same_shape(
    points: list[tuple[float, float]],
) -> None:
    # A list of float pairs is read without numpy; an array goes through the
    # general check. Both must give the same shape, to the bit.
    fast = shape_from_points(points)
    assert shape_from_points([list(p) for p in points]) == fast
    checked = shape_from_points(np.array(points, dtype=np.float64))
    assert type(fast) is type(checked)
    assert fast.to_dict() == checked.to_dict()
    coords = [s.as_array() if isinstance(s, Box) else s.points for s in (fast, checked)]
    assert np.array_equal(np.signbit(coords[0]), np.signbit(coords[1]))

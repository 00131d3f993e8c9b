"""Geometry defects found by the sixth audit, each pinned by a test or a law.

- A polygon ring is stored in a form that reading it back leaves alone:
  copies of the first vertex next to it are dropped before the ring is
  reoriented, so ``Polygon(p.points, p.holes) == p`` and the dict/JSON round
  trip gives the polygon back, whatever vertices are repeated.
- Arrays of complex numbers, booleans or dates are refused with a
  ``GeometryError`` naming the argument, as their scalars are.
- ``boxes_to_rotated`` refuses a result beyond the coordinate range, as
  ``Box.to_rotated_box`` does.
- ``enclosing_box``/``enclosing_quad``/``enclosing_quads`` refuse a
  non-iterable (``None``, a number, a single shape) and a str with a
  ``GeometryError``.

Each test's docstring states the law it checks.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import shapely
from hypothesis import example, given
from hypothesis import strategies as st

from unocr.errors import GeometryError
from unocr.geometry import (
    Box,
    Polygon,
    Quad,
    boxes_to_quads,
    boxes_to_rotated,
    enclosing_box,
    enclosing_quad,
    enclosing_quads,
    geometry_from_dict,
    quads_to_boxes,
)
from unocr.geometry.convert import validate_rotated
from unocr.limits import MAX_COORDINATE
from unocr.model import Page, Word

# ------------------------------------------- 1. rings read back unchanged


def _json_round_trip(p: Polygon) -> object:
    return geometry_from_dict(json.loads(json.dumps(p.to_dict())))


def test_a_repeated_first_vertex_round_trips() -> None:
    """The audit's polygon: stored without the copy of its first vertex, and
    built again from its points, its dict and its JSON it is the same."""
    p = Polygon([(1, 0), (1, 0), (0, -1), (0, 0)])
    assert p.points.tolist() == [[1.0, 0.0], [0.0, 0.0], [0.0, -1.0]]
    assert Polygon(p.points) == p
    assert geometry_from_dict(p.to_dict()) == p
    assert _json_round_trip(p) == p


def test_a_hole_with_a_repeated_first_vertex_round_trips() -> None:
    """The same for a hole given clockwise with its first vertex twice."""
    square = [(0, 0), (10, 0), (10, 10), (0, 10)]
    p = Polygon(square, holes=[[(2, 2), (2, 2), (4, 2), (4, 4), (2, 4)]])
    assert p.holes[0].tolist() == [[2.0, 2.0], [2.0, 4.0], [4.0, 4.0], [4.0, 2.0]]
    assert Polygon(p.points, p.holes) == p
    assert _json_round_trip(p) == p


def test_a_page_with_such_a_polygon_round_trips() -> None:
    """Page.from_dict(page.to_dict()) == page for a word with that polygon."""
    p = Polygon([(1, 0), (1, 0), (0, -1), (0, 0)])
    page = Page.from_words([Word(text="x", geometry=p)], width=10, height=10)
    assert Page.from_dict(page.to_dict()) == page
    assert Page.from_json(page.to_json()) == page


@pytest.mark.parametrize("box", [Box(0, 0, 4, 0), Box(0, 0, 0, 0)])
def test_a_box_polygon_round_trips(box: Box) -> None:
    """A (degenerate) box's polygon, whose corners repeat, reads back the same."""
    p = box.to_polygon()
    assert Polygon(p.points) == p
    assert _json_round_trip(p) == p
    assert p.area == box.area


@st.composite
def rings_with_repeats(
    draw: st.DrawFn, centre: tuple[float, float] = (0.0, 0.0), radius: float = 50.0
) -> list[tuple[float, float]]:
    """A star-shaped simple ring (either direction), each vertex given one to
    three times in a row, maybe closed by one or two copies of the first."""
    n = draw(st.integers(3, 7))
    turns = sorted(
        draw(st.lists(st.integers(0, 35), min_size=n, max_size=n, unique=True))
    )
    ring = []
    for t in turns:
        r = draw(st.floats(radius / 4, radius, allow_nan=False) | st.just(radius))
        a = math.radians(t * 10)
        x, y = centre[0] + r * math.cos(a), centre[1] + r * math.sin(a)
        ring += [(x, y)] * draw(st.integers(1, 3))
    if draw(st.booleans()):
        ring.reverse()
    start = draw(st.integers(0, len(ring) - 1))
    ring = ring[start:] + ring[:start]
    return ring + [ring[0]] * draw(st.integers(0, 2))


def _valid(points: object, holes: object = ()) -> Polygon | None:
    try:
        return Polygon(points, holes)  # type: ignore[arg-type]
    except GeometryError:  # a rounding-made spike: not this law's business
        return None


@given(rings_with_repeats())
@example([(1, 0), (1, 0), (0, -1), (0, 0)])
@example([(0, 0), (0, 0), (0, 0), (4, 0), (4, 4), (0, 0), (0, 0)])
@example([(0, 0), (0, 4), (4, 4), (4, 0), (0, 0)])
def test_canonicalisation_is_idempotent(ring: list[tuple[float, float]]) -> None:
    """For any ring with repeated vertices: Polygon(p.points) == p, the dict
    and JSON round trips give p, hashes agree, and no copy of the first
    vertex is stored next to it (when more than 3 vertices are kept)."""
    p = _valid(ring)
    if p is None:
        return
    again = Polygon(p.points)
    assert again == p
    assert hash(again) == hash(p)
    assert geometry_from_dict(p.to_dict()) == p
    assert _json_round_trip(p) == p
    pts = p.points.tolist()
    if len(pts) > 3:
        assert pts[1] != pts[0]
        assert pts[-1] != pts[0]


@given(rings_with_repeats(), rings_with_repeats(radius=20.0))
def test_polygons_with_holes_round_trip(
    outer: list[tuple[float, float]], hole: list[tuple[float, float]]
) -> None:
    """The same law for a polygon with a hole (a smaller star inside)."""
    scaled = [(3 * x, 3 * y) for x, y in outer]  # radius >= 37.5 > 20
    p = _valid(scaled, [hole])
    if p is None:
        return
    assert Polygon(p.points, p.holes) == p
    assert _json_round_trip(p) == p


@given(rings_with_repeats())
def test_list_from_shapely_and_transforms_store_the_same_rings(
    ring: list[tuple[float, float]],
) -> None:
    """Polygon.list_from_shapely agrees with Polygon.from_shapely on rings
    with repeated vertices, and a mirrored polygon reads back unchanged."""
    p = _valid(ring)
    if p is None:
        return
    geom = shapely.Polygon(ring)
    assert Polygon.list_from_shapely([geom]) == [Polygon.from_shapely(geom)]
    mirrored = p.transform([[-1, 0, 0], [0, 1, 0]])
    assert Polygon(mirrored.points) == mirrored
    assert _json_round_trip(mirrored) == mirrored


# --------------------------------------- 3. arrays that are not real numbers

NOT_REAL = [
    pytest.param(np.array([[1 + 2j, 0, 3, 4]]), id="complex"),
    pytest.param(np.array([[True, False, True, True]]), id="bool"),
    pytest.param(np.array([["2020-01-01"] * 4], dtype="datetime64[D]"), id="dates"),
]


@pytest.mark.parametrize("boxes", NOT_REAL)
def test_arrays_that_are_not_real_numbers_are_refused(boxes: np.ndarray) -> None:
    """Complex, boolean and date arrays raise GeometryError naming the
    argument (as Box(1+2j, ...) does), instead of being cast to floats."""
    with pytest.raises(GeometryError, match=r"^boxes: .*real numbers"):
        boxes_to_quads(boxes)
    with pytest.raises(GeometryError, match=r"^Quad points: .*real numbers"):
        Quad(boxes.reshape(2, 2).repeat(2, axis=0))
    with pytest.raises(GeometryError, match=r"^Polygon points: .*real numbers"):
        Polygon(np.concatenate([boxes[0], boxes[0][:2]]))
    with pytest.raises(GeometryError, match=r"^quads: .*real numbers"):
        quads_to_boxes(boxes.reshape(1, 2, 2).repeat(2, axis=1))
    with pytest.raises(GeometryError, match=r"^rotated boxes: .*real numbers"):
        validate_rotated(np.concatenate([boxes, boxes[:, :1]], axis=1))


# ------------------------------------------- 4. batch conversion result range


def test_boxes_to_rotated_refuses_a_size_beyond_the_range() -> None:
    """The audit's box: its height 1e9 + 1 leaves the range, and the batch
    converter raises as Box.to_rotated_box does."""
    with pytest.raises(GeometryError, match="height: expected coordinates within"):
        Box(0, -1, 0, 1e9).to_rotated_box()
    with pytest.raises(GeometryError, match="boxes_to_rotated result: expected"):
        boxes_to_rotated(np.array([[0, -1, 0, 1e9]]))


edge = st.sampled_from([-MAX_COORDINATE, -1.0, 0.0, 1.0, MAX_COORDINATE]) | st.floats(
    -MAX_COORDINATE, MAX_COORDINATE
)


@given(st.lists(st.tuples(edge, edge, edge, edge), min_size=1, max_size=5))
@example([(0.0, -1.0, 0.0, 1e9)])
def test_boxes_to_rotated_raises_exactly_where_the_scalar_does(
    rows: list[tuple[float, float, float, float]],
) -> None:
    """For boxes in the range, boxes_to_rotated raises iff some box's
    to_rotated_box raises, and otherwise gives those rotated boxes."""
    boxes = [Box(min(a, c), min(b, d), max(a, c), max(b, d)) for a, b, c, d in rows]
    arr = np.array([b.as_array() for b in boxes])
    try:
        want = [b.to_rotated_box().as_array().tolist() for b in boxes]
    except GeometryError:
        with pytest.raises(GeometryError):
            boxes_to_rotated(arr)
        return
    assert boxes_to_rotated(arr).tolist() == want


# ------------------------------------------- 5. enclosing: not an iterable

NOT_ITERABLE = [None, 3, "ab", b"ab", Box(0, 0, 1, 1)]


@pytest.mark.parametrize("shapes", NOT_ITERABLE, ids=repr)
@pytest.mark.parametrize(
    ("function", "name"),
    [
        (enclosing_box, "enclosing_box shapes"),
        (enclosing_quad, "enclosing_quad shapes"),
    ],
)
def test_enclosing_refuses_what_is_not_an_iterable_of_shapes(
    function: object, name: str, shapes: object
) -> None:
    """None, a number, a str/bytes or a single shape raise GeometryError
    saying an iterable of shapes is expected."""
    with pytest.raises(
        GeometryError, match=rf"^{name}: expected an iterable of shapes"
    ):
        function(shapes)  # type: ignore[operator]


@pytest.mark.parametrize("groups", NOT_ITERABLE, ids=repr)
def test_enclosing_quads_refuses_what_is_not_an_iterable(groups: object) -> None:
    """The same for enclosing_quads' groups, and for each group."""
    with pytest.raises(GeometryError, match=r"^enclosing_quads groups: expected"):
        enclosing_quads(groups)  # type: ignore[arg-type]
    with pytest.raises(GeometryError, match=r"^enclosing_quads groups\[1\]: expected"):
        enclosing_quads([[Box(0, 0, 1, 1)], groups])  # type: ignore[list-item]

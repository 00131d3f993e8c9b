"""Batched builders give exactly what their one-at-a-time forms give."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
import shapely.affinity
from hypothesis import given
from hypothesis import strategies as st

from unocr.errors import GeometryError
from unocr.geometry import (
    Box,
    Geometry,
    Polygon,
    Quad,
    enclosing_quad,
    enclosing_quads,
    point_groups_to_rotated,
    points_to_rotated,
)
from unocr.model import Line, Word

from .strategies import (
    boxes,
    polygons,
    polygons_with_holes,
    quad_arrays,
    quads,
    rotated_boxes,
)

shapes = st.one_of(boxes(), quads(), rotated_boxes(), polygons())
groups_of_shapes = st.lists(st.lists(shapes, min_size=1, max_size=6), max_size=8)


@given(groups_of_shapes)
def test_enclosing_quads_is_enclosing_quad_per_group(
    groups: list[list[Geometry]],
) -> None:
    """Law: enclosing_quads(groups)[k] == enclosing_quad(groups[k]), corner for corner."""
    batch = enclosing_quads(groups)
    assert len(batch) == len(groups)
    for quad, group in zip(batch, groups, strict=True):
        alone = enclosing_quads([group])[0]
        np.testing.assert_array_equal(quad.points, alone.points)
        np.testing.assert_array_equal(quad.points, enclosing_quad(group).points)


@given(
    st.lists(
        st.lists(
            st.tuples(
                st.floats(-1e4, 1e4, allow_nan=False),
                st.floats(-1e4, 1e4, allow_nan=False),
            ),
            min_size=1,
            max_size=9,
        ),
        min_size=1,
        max_size=8,
    )
)
def test_point_groups_match_points_to_rotated(
    groups: list[list[tuple[float, float]]],
) -> None:
    """Law: each group's rectangle is the one of its points alone (padding changes nothing)."""
    points = np.array([p for g in groups for p in g], dtype=np.float64)
    owners = np.repeat(np.arange(len(groups)), [len(g) for g in groups])
    rng = np.random.default_rng(len(points))
    order = rng.permutation(len(points))  # groups need not be contiguous
    points, owners = points[order], owners[order]
    batch = point_groups_to_rotated(points, owners)
    for k in range(len(groups)):
        np.testing.assert_array_equal(batch[k], points_to_rotated(points[owners == k]))


def test_point_groups_refuse_gaps_and_mismatches() -> None:
    with pytest.raises(GeometryError, match="group 1 has no points"):
        point_groups_to_rotated([[0, 0], [1, 1]], [0, 2])
    with pytest.raises(GeometryError, match="one per point"):
        point_groups_to_rotated([[0, 0], [1, 1]], [0])
    with pytest.raises(GeometryError, match=">= 0"):
        point_groups_to_rotated([[0, 0]], [-1])
    assert point_groups_to_rotated(np.zeros((0, 2)), []).shape == (0, 5)
    with pytest.raises(GeometryError, match=r"groups\[1\]"):
        enclosing_quads([[Box(0, 0, 1, 1)], []])


@given(quad_arrays())
def test_quad_list_from_array_is_quad_per_row(array: np.ndarray) -> None:
    """Law: Quad.list_from_array(a)[k] == Quad(a[k]), and the corners cannot be changed."""
    batch = Quad.list_from_array(array)
    assert len(batch) == len(array)
    for quad, row in zip(batch, array, strict=True):
        np.testing.assert_array_equal(quad.points, Quad(row).points)
        assert quad == Quad(row)
        with pytest.raises(ValueError, match="read-only"):
            quad.points[0, 0] = 1.0


def _as_given(p: Polygon, reverse: bool, multi: bool, shift: float) -> object:
    """``p`` as shapely hands it over: either direction, maybe a one-part multi."""
    geom = shapely.affinity.translate(p.to_shapely(), shift, shift)
    if reverse:
        geom = shapely.reverse(geom)
    return shapely.MultiPolygon([geom]) if multi else geom


@given(
    st.lists(
        st.tuples(
            st.one_of(polygons(), polygons_with_holes()),
            st.booleans(),
            st.booleans(),
            st.sampled_from([0.0, 1e8, -3e8]),
        ),
        max_size=8,
    )
)
def test_polygon_list_from_shapely_is_from_shapely_per_item(items) -> None:
    """Law: Polygon.list_from_shapely(gs)[k] == Polygon.from_shapely(gs[k]),
    vertex for vertex (orientation and first vertex included, far from the
    origin too), and the vertices cannot be changed."""
    geoms = [_as_given(*item) for item in items]
    batch = Polygon.list_from_shapely(geoms)
    assert batch == [Polygon.from_shapely(g) for g in geoms]
    for polygon in batch:
        with pytest.raises(ValueError, match="read-only"):
            polygon.points[0, 0] = 1.0


# A collinear ring far from the origin (Polygon accepts it: no area at all)
# whose shoelace sum's sign depends on the order of the additions.
_COLLINEAR = [
    (2919605.464150126, -108555410.2834678),
    (-33815792.11830267, -29211086.39514166),
    (-26887811.46910292, -44174744.792695835),
    (-3041284.0221196124, -95680559.94328742),
    (-27693646.086545944, -42434232.722741656),
    (-19596051.320601746, -59924125.9621819),
    (1515275.6005622307, -105522215.84770672),
    (-4941061.310791276, -91577254.83627935),
    (11003940.44780577, -126016663.88566905),
    (21800554.303716913, -149336134.56127146),
    (-3250286.0481741526, -95229139.09201264),
    (-7306334.451083196, -86468531.08539434),
    (10800831.34167513, -125577971.07813032),
    (-11018635.084078223, -78450379.56997718),
    (-19089721.497518577, -61017741.38819868),
    (21287415.137046512, -148227811.71955734),
]


def test_polygon_list_from_shapely_decides_thin_rings_alike() -> None:
    """Rings whose area is lost in rounding are oriented as one at a time."""
    thin = [
        shapely.Polygon(_COLLINEAR),
        shapely.Polygon([(1e8, 1e8), (1e8 + 1, 1e8 + 1e-7), (1e8 + 2, 1e8)]),
        shapely.Polygon([(0, 0), (5, 0), (10, 0)]),  # no area at all
    ]
    assert Polygon.list_from_shapely(thin) == [Polygon.from_shapely(g) for g in thin]


@pytest.mark.parametrize(
    "bad",
    [
        shapely.Polygon([(0, 0), (2, 2), (2, 0), (0, 2)]),  # a bow tie
        shapely.Point(1, 1),
        shapely.Polygon(),
        shapely.box(0, 0, 2e9, 1),  # beyond the coordinate range
        shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(2, 2, 3, 3)]),
    ],
)
def test_polygon_list_from_shapely_refuses_what_from_shapely_refuses(bad) -> None:
    """The first refused geometry raises the error it raises alone."""
    with pytest.raises(GeometryError) as alone:
        Polygon.from_shapely(bad)
    with pytest.raises(GeometryError) as batch:
        Polygon.list_from_shapely([shapely.box(0, 0, 1, 1), bad, shapely.Point(0, 0)])
    assert str(batch.value) == str(alone.value)
    assert Polygon.list_from_shapely([]) == []


@given(
    st.lists(st.lists(st.one_of(boxes(), quads()), min_size=1, max_size=5), max_size=6)
)
def test_line_groups_are_lines_from_words(groups: list[list[Geometry]]) -> None:
    """Law: Line.from_word_groups builds each line exactly as Line.from_words does."""
    words = [
        [
            Word(
                text=f"w{k}", geometry=g, confidence=(k % 3) / 2 or None, language="en"
            )
            for k, g in enumerate(group)
        ]
        for group in groups
    ]
    texts = [f"line {k}" for k in range(len(words))]
    batch = Line.from_word_groups(words, texts=texts)
    assert batch == [
        Line.from_words(w, text=t) for w, t in zip(words, texts, strict=True)
    ]
    assert Line.from_word_groups(words) == [Line.from_words(w) for w in words]
    with pytest.raises(ValueError, match="one text per group"):
        Line.from_word_groups(words, texts=[*texts, "extra"])


edge = st.floats(-1e9, 1e9, allow_nan=False)


@given(st.lists(st.tuples(edge, edge, edge, edge), min_size=1, max_size=4))
def test_shapes_anywhere_in_the_range_have_an_enclosing_quad(
    corners: list[tuple[float, float, float, float]],
) -> None:
    """Shapes near the edge of the coordinate range still get a quad around them.

    A minimum-area rectangle around points near +-1e9 can stick out of the
    range (boxes at -9e8 and 9e8 gave a GeometryError, and a page's line of
    such words failed when its shape was first read); such a group gets its
    bounding box instead.
    """
    shapes = [
        Box(min(a, c), min(b, d), max(a, c), max(b, d)).to_quad()
        for a, b, c, d in corners
    ]
    (quad,) = enclosing_quads([shapes])
    # the hull of its corners, not a polygon: a quad (or box) may have no area
    outline = shapely.MultiPoint(quad.points).convex_hull.buffer(1e-6 * 1e9)
    for s in shapes:
        assert shapely.contains_xy(outline, s.points[:, 0], s.points[:, 1]).all()
    again = enclosing_quads([[Box(0, 0, 1, 1)], shapes])[1]  # batched alike
    np.testing.assert_array_equal(again.points, quad.points)


def test_a_line_of_words_far_apart_in_the_range_has_a_shape() -> None:
    far = [
        Word(text="a", geometry=Box(-9e8, -9e8, -8e8, -8e8).to_quad()),
        Word(text="b", geometry=Box(8e8, 8e8, 9e8, 9e8).to_quad()),
    ]
    (line,) = Line.from_word_groups([far])
    assert line.geometry.bounds.x0 == -9e8 and line.geometry.bounds.x1 == 9e8

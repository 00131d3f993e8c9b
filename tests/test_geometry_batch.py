"""Batched builders give exactly what their one-at-a-time forms give."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from unocr.errors import GeometryError
from unocr.geometry import (
    Box,
    Geometry,
    Quad,
    enclosing_quad,
    enclosing_quads,
    point_groups_to_rotated,
    points_to_rotated,
)
from unocr.model import Line, Word

from .strategies import boxes, polygons, quad_arrays, quads, rotated_boxes

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

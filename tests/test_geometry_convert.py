"""Batch converters: unit tests and the batch laws (batch = stacked scalars,
empty in -> empty out, canonical TL, TR, BR, BL order everywhere)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from unocr.errors import GeometryError
from unocr.geometry import (
    Box,
    Quad,
    RotatedBox,
    box_iou_matrix,
    boxes_to_quads,
    boxes_to_rotated,
    canonicalize_quads,
    canonicalize_rotated,
    enclosing_quad,
    quad_iou_matrix,
    quads_to_boxes,
    quads_to_rotated,
    rotated_to_boxes,
    rotated_to_quads,
)

from .strategies import (
    box_arrays,
    boxes,
    connected_masks,
    masks,
    polygons,
    polygons_with_holes,
    quad_arrays,
    quads,
    rotated_arrays,
    rotated_boxes,
    same_rectangle,
    shapes,
)


def is_canonical(q: np.ndarray) -> bool:
    """Independent check of the documented order for one (4, 2) quad.

    Clockwise on screen (shoelace area >= 0 with y down) and, for quads with a
    proper area, TL is the start of the side nearest to the +x axis.
    """
    x, y = q[:, 0], q[:, 1]
    area2 = sum(x[i] * y[(i + 1) % 4] - x[(i + 1) % 4] * y[i] for i in range(4))
    if area2 < 0:
        return False
    span = float(np.ptp(q, axis=0).max())
    if area2 <= 1e-9 * span * span:
        return True  # degenerate (a segment or a point): only the direction counts
    sides = [q[(i + 1) % 4] - q[i] for i in range(4)]

    def key(d: np.ndarray) -> float:
        if not d.any():
            return math.inf
        a = math.degrees(math.atan2(d[1], d[0]))
        return abs(a) if -45 <= a < 45 else 1000 + abs(a)

    return key(sides[0]) <= min(key(d) for d in sides) + 1e-9


# ------------------------------------------------------------------ units
def test_known_values():
    assert boxes_to_quads([[0, 0, 4, 2]]).tolist() == [[[0, 0], [4, 0], [4, 2], [0, 2]]]
    assert quads_to_boxes([[[1, 0], [3, 1], [2, 3], [0, 2]]]).tolist() == [[0, 0, 3, 3]]
    assert boxes_to_rotated([[0, 0, 4, 2]]).tolist() == [[2, 1, 4, 2, 0]]
    assert rotated_to_boxes([[0, 0, 2, 2, 45]]) == pytest.approx(
        np.array([[-math.sqrt(2), -math.sqrt(2), math.sqrt(2), math.sqrt(2)]])
    )
    assert canonicalize_rotated([[0, 0, 2, 8, 100]]).tolist() == [[0, 0, 8, 2, 10]]
    r = quads_to_rotated([[[0, 0], [4, 0], [4, 2], [0, 2]]])
    assert r.tolist() == [[2, 1, 4, 2, 0]]


def test_degenerate_boxes_start_at_top_left():
    q = boxes_to_quads([[3, 1, 3, 9], [3, 1, 8, 1], [2, 2, 2, 2]])
    assert canonicalize_quads(q).tolist() == q.tolist()
    assert Box(3, 1, 3, 9).to_quad().points[0].tolist() == [3, 1]


@pytest.mark.parametrize(
    ("fn", "bad", "message"),
    [
        (
            boxes_to_quads,
            np.zeros((3, 5)),
            r"boxes: expected shape \(_, 4\), got \(3, 5\)",
        ),
        (boxes_to_quads, [[0, 0, 1, np.nan]], "finite"),
        (boxes_to_quads, [[2, 0, 1, 1]], r"boxes\[0\]: expected x0 <= x1"),
        (rotated_to_quads, np.zeros((2, 4)), r"expected shape \(_, 5\), got \(2, 4\)"),
        (rotated_to_quads, [[0, 0, -1, 1, 0]], "width >= 0"),
        (
            quads_to_boxes,
            np.zeros((2, 3, 2)),
            r"expected shape \(_, 4, 2\), got \(2, 3, 2\)",
        ),
        (quads_to_rotated, [[[0, 0], [1, 0], [1, np.inf], [0, 1]]], "finite"),
        (canonicalize_quads, "abc", "expected"),
    ],
)
def test_batch_validation(fn, bad, message):
    with pytest.raises(GeometryError, match=message):
        fn(bad)


@pytest.mark.parametrize(
    ("fn", "shape_in", "shape_out"),
    [
        (boxes_to_quads, (0, 4), (0, 4, 2)),
        (quads_to_boxes, (0, 4, 2), (0, 4)),
        (boxes_to_rotated, (0, 4), (0, 5)),
        (rotated_to_boxes, (0, 5), (0, 4)),
        (rotated_to_quads, (0, 5), (0, 4, 2)),
        (quads_to_rotated, (0, 4, 2), (0, 5)),
        (canonicalize_quads, (0, 4, 2), (0, 4, 2)),
        (canonicalize_rotated, (0, 5), (0, 5)),
    ],
)
def test_empty_in_empty_out(fn, shape_in, shape_out):
    """Law: empty input gives empty output of the right shape."""
    assert fn(np.zeros(shape_in)).shape == shape_out
    assert fn([]).shape == shape_out


def test_empty_iou_matrices():
    """Law: empty input gives an empty (N, M) matrix."""
    assert box_iou_matrix(np.zeros((0, 4)), np.zeros((3, 4))).shape == (0, 3)
    assert quad_iou_matrix(np.zeros((2, 4, 2)), np.zeros((0, 4, 2))).shape == (2, 0)


def test_inputs_are_not_modified():
    q = np.array([[[4.0, 2.0], [0.0, 0.0], [4.0, 0.0], [0.0, 2.0]]])
    before = q.copy()
    canonicalize_quads(q)
    quads_to_rotated(q)
    assert np.array_equal(q, before)


# ------------------------------------------------------- batch = scalars
@given(box_arrays())
def test_boxes_batch_equals_scalars(arr):
    """Law: batch results equal stacked scalar results (boxes)."""
    items = [Box(*row) for row in arr]
    assert np.array_equal(
        boxes_to_quads(arr).reshape(-1, 8),
        np.array([b.to_quad().points for b in items]).reshape(-1, 8),
    )
    assert np.array_equal(
        boxes_to_rotated(arr).reshape(-1, 5),
        np.array([b.to_rotated_box().as_array() for b in items]).reshape(-1, 5),
    )


@given(rotated_arrays())
def test_rotated_batch_equals_scalars(arr):
    """Law: batch results equal stacked scalar results (rotated boxes)."""
    items = [RotatedBox(*row) for row in arr]
    assert np.array_equal(
        rotated_to_quads(arr).reshape(-1, 8),
        np.array([r.to_quad().points for r in items]).reshape(-1, 8),
    )
    assert np.array_equal(
        rotated_to_boxes(canonicalize_rotated(arr)).reshape(-1, 4),
        np.array([r.to_box().as_array() for r in items]).reshape(-1, 4),
    )
    assert np.array_equal(
        canonicalize_rotated(arr).reshape(-1, 5),
        np.array([r.as_array() for r in items]).reshape(-1, 5),
    )


@given(quad_arrays())
def test_quads_batch_equals_scalars(arr):
    """Law: batch results equal stacked scalar results (quads)."""
    items = [Quad(q) for q in arr]
    assert np.array_equal(
        canonicalize_quads(arr).reshape(-1, 8),
        np.array([q.points for q in items]).reshape(-1, 8),
    )
    assert np.array_equal(
        quads_to_boxes(arr).reshape(-1, 4),
        np.array([q.to_box().as_array() for q in items]).reshape(-1, 4),
    )
    scalars = np.array([q.to_rotated_box().as_array() for q in items]).reshape(-1, 5)
    assert np.array_equal(quads_to_rotated(canonicalize_quads(arr)), scalars)
    # Any corner order gives the same rectangle (up to float rounding).
    raw = quads_to_rotated(arr)
    assert all(same_rectangle(x, y) for x, y in zip(raw, scalars, strict=True))


@given(box_arrays(max_n=8), box_arrays(max_n=8))
def test_box_iou_matrix_equals_scalars(a, b):
    """Law: the batch IoU matrix equals the stacked scalar Box.iou results."""
    m = box_iou_matrix(a, b)
    assert m.shape == (a.shape[0], b.shape[0])
    for i, ra in enumerate(a):
        for j, rb in enumerate(b):
            assert m[i, j] == pytest.approx(Box(*ra).iou(Box(*rb)), abs=1e-12)


@given(quad_arrays(max_n=6), quad_arrays(max_n=6))
def test_quad_iou_matrix_equals_scalars(a, b):
    """Law: the batch IoU matrix equals the stacked scalar Quad.iou results."""
    m = quad_iou_matrix(a, b)
    assert m.shape == (a.shape[0], b.shape[0])
    for i, qa in enumerate(a):
        for j, qb in enumerate(b):
            assert m[i, j] == pytest.approx(Quad(qa).iou(Quad(qb)), abs=1e-9)


# ----------------------------------------------------- canonical order
@given(quad_arrays())
def test_canonicalize_is_idempotent_and_ordered(arr):
    """Law: every quad produced is in TL, TR, BR, BL order; canonicalising twice
    changes nothing."""
    once = canonicalize_quads(arr)
    assert np.array_equal(canonicalize_quads(once), once)
    assert all(is_canonical(q) for q in once)


@given(rotated_arrays())
def test_rotated_to_quads_are_canonical(arr):
    """Law: quads produced by rotated_to_quads are in TL, TR, BR, BL order."""
    out = rotated_to_quads(arr)
    assert np.array_equal(canonicalize_quads(out), out)
    assert all(is_canonical(q) for q in out)


@given(box_arrays())
def test_boxes_to_quads_are_canonical(arr):
    """Law: quads produced by boxes_to_quads are in TL, TR, BR, BL order."""
    out = boxes_to_quads(arr)
    assert np.array_equal(canonicalize_quads(out), out)
    assert all(is_canonical(q) for q in out)


@given(
    st.one_of(
        boxes(min_size=0.0),
        rotated_boxes(),
        quads(),
        polygons(),
        polygons_with_holes(),
        masks(),
        connected_masks(),
    )
)
def test_every_to_quad_is_canonical(s):
    """Law: every quad produced anywhere (to_quad of each shape, transforms,
    enclosing_quad) is in TL, TR, BR, BL order."""
    produced = [
        s.to_quad(),
        s.to_quad().rotate(37.0),
        s.to_quad().scale(-1.0, 2.0),
        enclosing_quad([s, Box(0, 0, 1, 1)]),
    ]
    for q in produced:
        assert np.array_equal(canonicalize_quads(q.points[None])[0], q.points)
        assert is_canonical(q.points)


@given(shapes)
def test_rotated_boxes_are_canonical(s):
    """Law: every RotatedBox produced is in canonical form (-45 <= angle < 45)."""
    r = s.to_rotated_box()
    assert -45.0 <= r.angle < 45.0
    assert r.width >= 0
    assert r.height >= 0

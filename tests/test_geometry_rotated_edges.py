"""Rotated boxes at the edges: the coordinate range, and sides too thin to round.

- ``rotated_to_boxes`` refuses a row whose bounds (or corners) reach beyond
  the coordinate range, as ``RotatedBox(*row)`` does, and gives the bounds
  ``RotatedBox(*row).to_box()`` gives, bit for bit, for every other row.
- A rotated box's area is the area of the outline its overlaps measure, so
  IoU keeps its documented rule for every rectangle: 1 with itself, 0 where
  the outline has no area (a side thinner than the rounding of its corners).

Each test's docstring states the law it checks.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from unocr.errors import GeometryError
from unocr.geometry import RotatedBox, iou_matrix, rotated_to_boxes
from unocr.limits import MAX_COORDINATE

#: Rows past the range: (centre, size) each inside, the bounds outside.
OUT_OF_RANGE = [
    [MAX_COORDINATE, 0.0, 1.0, 1.0, 0.0],
    [-MAX_COORDINATE, -MAX_COORDINATE, 2.0, 2.0, 30.0],
    [0.0, 9e8, 1.0, 3e8, 180.0],
    [6e8, 0.0, 1e9, 1e9, 45.0],
]

_EDGE = [MAX_COORDINATE, MAX_COORDINATE - 0.5, MAX_COORDINATE - 1.0, 5e8, 0.0]
centres = st.one_of(
    st.floats(-MAX_COORDINATE, MAX_COORDINATE),
    st.sampled_from(_EDGE + [-v for v in _EDGE]),
    st.floats(MAX_COORDINATE - 10.0, MAX_COORDINATE),
    st.floats(),
)
sizes = st.one_of(
    st.floats(0.0, 10.0),
    st.floats(0.0, MAX_COORDINATE),
    st.sampled_from([0.0, 1.0, 2.0, MAX_COORDINATE]),
    st.floats(),
)
angles = st.one_of(
    st.floats(-360.0, 360.0),
    st.sampled_from([0.0, 30.0, 45.0, -45.0, 90.0, 100.0]),
    st.floats(-2 * MAX_COORDINATE, 2 * MAX_COORDINATE),
    st.floats(),
)
rows = st.tuples(centres, centres, sizes, sizes, angles).map(list)


def _scalar_bounds(row: list[float]) -> list[float] | str:
    try:
        return RotatedBox(*row).to_box().as_array().tolist()
    except GeometryError:
        return "GeometryError"


def _batch_bounds(row: list[float]) -> list[float] | str:
    try:
        out: list[float] = rotated_to_boxes([row])[0].tolist()
    except GeometryError:
        return "GeometryError"
    return out


@pytest.mark.parametrize("row", OUT_OF_RANGE)
def test_rotated_to_boxes_refuses_bounds_beyond_range(row):
    """Law: a row whose bounds leave the range is a GeometryError, as in RotatedBox."""
    with pytest.raises(GeometryError, match="MAX_COORDINATE"):
        RotatedBox(*row)
    with pytest.raises(GeometryError, match="rotated_to_boxes bounds"):
        rotated_to_boxes([[0.0, 0.0, 1.0, 1.0, 0.0], row])


@given(rows)
@example([MAX_COORDINATE, 0.0, 1.0, 1.0, 0.0])
@example([0.0, 0.0, MAX_COORDINATE, MAX_COORDINATE, MAX_COORDINATE])
@example([MAX_COORDINATE - 0.5, 0.0, 1.0, 1.0, 90.0])
def test_rotated_to_boxes_agrees_with_scalar(row):
    """Law: rotated_to_boxes([row]) is RotatedBox(*row).to_box(), or both raise."""
    assert _batch_bounds(row) == _scalar_bounds(row)


@given(st.lists(rows, max_size=12))
@example([[MAX_COORDINATE - 1.0, 0.0, 2.0, 2.0, 0.0], OUT_OF_RANGE[0]])
@example([[MAX_COORDINATE - 1.0, 0.0, 2.0, 2.0, 0.0], [0.0, 0.0, 1e9, 1e9, 1e9]])
def test_rotated_to_boxes_batch_agrees_with_scalars(batch):
    """Law: a batch gives the stacked scalar bounds, or raises if one row does."""
    want = [_scalar_bounds(row) for row in batch]
    if "GeometryError" in want:
        with pytest.raises(GeometryError):
            rotated_to_boxes(np.array(batch, dtype=np.float64).reshape(-1, 5))
    else:
        got = rotated_to_boxes(np.array(batch, dtype=np.float64).reshape(-1, 5))
        assert got.tolist() == want


@pytest.mark.parametrize("angle", [0.0, 30.0, 90.0, -17.0])
def test_sliver_too_thin_to_round_has_zero_area(angle):
    """Law: a side lost to rounding gives area 0 and IoU 0, as the outline has."""
    r = RotatedBox(5.0, 5.0, 1e-16, 10.0, angle)
    assert r.to_quad().area == 0.0
    assert r.area == 0.0
    assert r.iou(r) == 0.0
    assert iou_matrix([r], [r]).tolist() == [[0.0]]


thin_boxes = st.builds(
    RotatedBox,
    st.floats(-1e6, 1e6),
    st.floats(-1e6, 1e6),
    st.one_of(st.floats(0.0, 1e-12), st.floats(0.0, 1e-3), st.floats(1.0, 500.0)),
    st.floats(1.0, 500.0),
    st.floats(-360.0, 360.0),
)


def _well_conditioned(r: RotatedBox) -> bool:
    """Whether float rounding moves the outline's area by < 1e-10 (relative)."""
    reach = max(abs(r.cx), abs(r.cy)) + (r.width + r.height) / 2.0
    thin = min(r.width, r.height) < 1e-6 * reach
    return not thin and r.width * r.height >= 1e-5 * reach * reach


@given(thin_boxes)
@example(RotatedBox(5.0, 5.0, 1e-16, 10.0, 30.0))
@example(RotatedBox(5.0, 5.0, 1e-15, 10.0, 30.0))
@example(RotatedBox(1e6, 0.0, 1e-3, 10.0, 0.0))
def test_rotated_box_iou_with_itself_follows_the_rule(r):
    """Law: IoU with itself is 0 for a zero area, else 1 (scalar and matrix).

    The area is 0 exactly where its quad's is. For slivers whose area the
    shoelace formula measures only within float error, 1 is not checked.
    """
    assert (r.area == 0.0) == (r.to_quad().area == 0.0)
    if r.area == 0.0:
        assert r.iou(r) == 0.0
        assert iou_matrix([r], [r]).tolist() == [[0.0]]
    elif _well_conditioned(r):
        assert r.area == pytest.approx(r.to_shapely().area, rel=1e-10)
        assert r.iou(r) == pytest.approx(1.0, abs=1e-9)
        assert iou_matrix([r], [r])[0, 0] == pytest.approx(1.0, abs=1e-9)

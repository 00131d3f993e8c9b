"""IoU and intersection: scalar methods and matrices, against shapely."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st

from unocr.errors import GeometryError
from unocr.geometry import (
    Box,
    Mask,
    Polygon,
    Quad,
    RotatedBox,
    intersection_matrix,
    iou_matrix,
    quad_intersection_matrix,
    quad_iou_matrix,
)
from unocr.geometry._overlap import pixel_overlap

from .strategies import (
    boxes,
    convex_quads,
    masks,
    polygons,
    polygons_with_holes,
    quad_arrays,
    quads,
    rotated_boxes,
    shapes,
)


def shapely_iou(a, b) -> float:
    inter = a.intersection(b).area
    union = a.area + b.area - inter
    return inter / union if union > 0 else 0.0


@given(shapes, shapes)
def test_iou_symmetric_and_in_unit_interval(a, b):
    """Law: IoU is symmetric and lies in [0, 1]."""
    ab, ba = a.iou(b), b.iou(a)
    assert 0.0 <= ab <= 1.0
    assert ab == pytest.approx(ba, abs=1e-9)
    assert a.intersection_area(b) == pytest.approx(b.intersection_area(a), abs=1e-6)


@given(shapes)
def test_iou_with_itself_is_one(s):
    """Law: IoU of a shape with itself is 1."""
    assert s.iou(s) == pytest.approx(1.0, abs=1e-9)


@given(shapes, shapes)
def test_iou_of_disjoint_shapes_is_zero(a, b):
    """Law: IoU of disjoint shapes is 0."""
    shift = a.bounds.x1 - b.bounds.x0 + 10.0
    moved = b.translate(shift, 0.0)
    assert a.iou(moved) == 0.0
    assert a.intersection_area(moved) == 0.0


@given(
    st.one_of(polygons(), polygons_with_holes(), quads()),
    st.one_of(polygons(), polygons_with_holes(), quads()),
    st.floats(-150, 150),
    st.floats(-150, 150),
)
def test_iou_matches_shapely_for_polygons(a, b, dx, dy):
    """Law: IoU matches shapely's for polygons (holes included) and quads."""
    # Bring b near a so that overlaps are common.
    b = b.translate(
        a.centroid[0] - b.centroid[0] + dx, a.centroid[1] - b.centroid[1] + dy
    )
    want = shapely_iou(a.to_shapely(), b.to_shapely())
    assert a.iou(b) == pytest.approx(want, abs=1e-9)


@given(quad_arrays(max_n=6), quad_arrays(max_n=6))
def test_quad_matrix_matches_shapely(a, b):
    """Law: quad_iou_matrix equals shapely's IoU pair by pair (convex or not)."""
    m = quad_iou_matrix(a, b)
    inter = quad_intersection_matrix(a, b)
    ga = [Quad(q).to_shapely() for q in a]
    gb = [Quad(q).to_shapely() for q in b]
    for i, x in enumerate(ga):
        for j, y in enumerate(gb):
            assert m[i, j] == pytest.approx(shapely_iou(x, y), abs=1e-9)
            assert inter[i, j] == pytest.approx(x.intersection(y).area, abs=1e-6)


@given(
    st.lists(st.one_of(boxes(), rotated_boxes(), convex_quads()), max_size=5),
    st.lists(st.one_of(boxes(), rotated_boxes(), quads()), max_size=5),
)
def test_quadlike_matrix_equals_scalars(a, b):
    """Law: iou_matrix on boxes/rotated boxes/quads equals stacked scalar iou."""
    m = iou_matrix(a, b)
    im = intersection_matrix(a, b)
    assert m.shape == im.shape == (len(a), len(b))
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            assert m[i, j] == pytest.approx(x.iou(y), abs=1e-9)
            assert im[i, j] == pytest.approx(x.intersection_area(y), abs=1e-6)


@given(st.lists(shapes, max_size=4), st.lists(shapes, max_size=4))
def test_mixed_matrix_equals_scalars(a, b):
    """Law: iou_matrix on any shapes equals stacked scalar iou."""
    m = iou_matrix(a, b)
    assert m.shape == (len(a), len(b))
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            assert m[i, j] == pytest.approx(x.iou(y), abs=1e-9)


@given(masks(), masks())
def test_mask_iou_is_pixel_iou(a, b):
    """Law: the IoU of two masks equals the IoU of their pixel sets."""
    b = Mask(
        b.data, origin=(a.origin[0] + b.origin[0] % 5, a.origin[1] + b.origin[1] % 5)
    )

    def pixels(m):
        ii, jj = np.nonzero(m.data)
        return {
            (int(m.origin[0]) + j, int(m.origin[1]) + i)
            for i, j in zip(ii, jj, strict=True)
        }

    pa, pb = pixels(a), pixels(b)
    want = len(pa & pb) / len(pa | pb)
    assert a.iou(b) == pytest.approx(want, abs=1e-12)


@given(
    st.lists(masks(max_side=8), min_size=1, max_size=4),
    st.lists(masks(max_side=8), min_size=1, max_size=4),
    st.lists(st.sampled_from([0.0, 0.5]), min_size=4, max_size=4),
)
def test_mask_overlaps_equal_the_outlines_on_and_off_the_grid(a, b, offsets):
    """Law: a mask's overlap with a mask, alone or in the matrices, equals the
    area shapely gives for their outlines: counted from the pixels where the
    grids line up, measured on the outlines half a pixel off."""
    b = [  # near a[0], some of them half a pixel off its grid
        Mask(m.data, origin=(a[0].origin[0] + m.origin[0] % 7 + f, a[0].origin[1]))
        for m, f in zip(b, offsets, strict=False)
    ]
    im, m = intersection_matrix(a, b), iou_matrix(a, b)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            gx, gy = x.to_shapely(), y.to_shapely()
            on_grid = pixel_overlap(x.data, x.origin, y.data, y.origin) is not None
            assert on_grid == (y.origin[0] - x.origin[0]).is_integer()
            assert x.intersection_area(y) == pytest.approx(
                gx.intersection(gy).area, abs=1e-9
            )
            assert im[i, j] == x.intersection_area(y) == y.intersection_area(x)
            assert m[i, j] == pytest.approx(shapely_iou(gx, gy), abs=1e-12)


def test_mask_matrices_on_one_grid_trace_no_outline(monkeypatch):
    """Masks on one pixel grid are measured from their pixels: no outline is
    traced, beside another shape the mask's outline is."""
    rng = np.random.default_rng(5)
    a = [Mask(rng.random((40, 60)) < 0.5, origin=(i * 30, 7)) for i in range(4)]
    b = [Mask(rng.random((50, 50)) < 0.5, origin=(i * 25, 0)) for i in range(5)]
    want = np.array(
        [[x.to_shapely().intersection(y.to_shapely()).area for y in b] for x in a]
    )

    def traced(self):
        raise AssertionError("outline traced")

    with monkeypatch.context() as patch:
        patch.setattr(Mask, "to_shapely", traced)
        got = intersection_matrix(a, b)
        iou = iou_matrix(a, b)
        assert a[0].intersection_area(b[0]) == want[0, 0]
    assert np.array_equal(got, want)
    assert np.allclose(iou, [[x.iou(y) for y in b] for x in a], atol=1e-12)
    mixed = intersection_matrix([*a, Box(0, 0, 30, 30)], b)
    assert np.array_equal(mixed[:4], want)
    assert mixed[4, 0] == pytest.approx(
        Box(0, 0, 30, 30).to_shapely().intersection(b[0].to_shapely()).area
    )


def test_box_matrix_fast_path_equals_generic():
    a = [Box(0, 0, 10, 10), Box(5, 5, 15, 15), Box(100, 100, 101, 101)]
    b = [Box(0, 0, 10, 10), Box(20, 20, 30, 30)]
    fast = iou_matrix(a, b)
    generic = iou_matrix([x.to_polygon() for x in a], [y.to_polygon() for y in b])
    assert np.allclose(fast, generic)
    assert fast[0, 0] == 1.0
    assert fast[1, 0] == pytest.approx(25 / 175)
    assert intersection_matrix(a, b)[1, 0] == 25.0


def test_near_coincident_rectangles_are_robust():
    """GEOS's floating overlay reports these nearly identical rectangles as
    disjoint; the quad clipping and the snap-rounding fallback do not."""
    r = RotatedBox(
        342.2106248336512,
        0.0,
        356.2106248336512,
        356.2106248336512,
        -3.7893751663488047,
    )
    m = [[3.0, 0, 1.3022410412010004], [0, 3.0, -1.3022410412010004]]
    a, b = r.transform(m), r.to_quad().transform(m)
    assert a.iou(b) == pytest.approx(1.0, abs=1e-9)
    pa, pb = Polygon(a.to_quad().points), Polygon(b.points)
    assert pa.iou(pb) == pytest.approx(1.0, abs=1e-9)
    assert iou_matrix([pa], [pb])[0, 0] == pytest.approx(1.0, abs=1e-9)


def test_concave_quads_fall_back_exactly():
    dart = Quad([[0, 0], [10, 5], [0, 10], [3, 5]])
    arrow = Quad([[10, 0], [10, 10], [0, 5], [7, 5]])
    want = shapely_iou(dart.to_shapely(), arrow.to_shapely())
    assert quad_iou_matrix(dart.points[None], arrow.points[None])[
        0, 0
    ] == pytest.approx(want)
    assert dart.iou(arrow) == pytest.approx(want)


def test_zero_area_shapes_have_zero_iou():
    line = Box(0, 0, 10, 0)
    assert line.iou(line) == 0.0
    assert line.iou(Box(0, 0, 10, 10)) == 0.0
    assert (
        quad_iou_matrix(line.to_quad().points[None], line.to_quad().points[None])[0, 0]
        == 0.0
    )


def test_matrix_rejects_non_shapes():
    with pytest.raises(GeometryError, match=r"a\[0\]: expected a Box"):
        iou_matrix([(0, 0, 1, 1)], [Box(0, 0, 1, 1)])  # type: ignore[list-item]
    with pytest.raises(GeometryError, match="expected a Box"):
        Box(0, 0, 1, 1).iou("box")  # type: ignore[arg-type]


@pytest.mark.parametrize("block", [1, 7, 1 << 18])
def test_box_matrices_over_row_blocks_equal_the_scalars(monkeypatch, block):
    """The box paths fill the matrix a block of rows at a time: every block
    size gives each pair's own IoU and overlap, and empty sides give empty
    matrices of the right shape."""
    from unocr.geometry import box_intersection_matrix, box_iou_matrix, iou

    monkeypatch.setattr(iou, "_BLOCK", block)
    rng = np.random.default_rng(4)
    xy = rng.integers(0, 40, (23, 2)).astype(float)
    wh = rng.integers(0, 12, (23, 2)).astype(float)  # some boxes have no area
    a = np.c_[xy, xy + wh]
    b = a[::-1][:11] + 0.5
    want_iou = [[Box(*p).iou(Box(*q)) for q in b] for p in a]
    want_inter = [[Box(*p).intersection_area(Box(*q)) for q in b] for p in a]
    assert np.allclose(box_iou_matrix(a, b), want_iou, rtol=0, atol=1e-12)
    assert np.array_equal(box_intersection_matrix(a, b), want_inter)
    quads_a = [Box(*p).to_quad().points for p in a]
    quads_b = [Box(*q).to_quad().points for q in b]
    assert np.allclose(quad_iou_matrix(quads_a, quads_b), want_iou, rtol=0, atol=1e-12)
    assert box_iou_matrix(a, np.zeros((0, 4))).shape == (23, 0)
    assert box_intersection_matrix(np.zeros((0, 4)), b).shape == (0, 11)


def test_quad_matrix_over_several_chunks_matches_shapely():
    # Many pairs: more than one clipping chunk, compared with shapely.
    rng = np.random.default_rng(1)
    centres = rng.uniform(0, 50, (150, 2))
    rot = np.column_stack(
        [
            centres,
            rng.uniform(5, 30, 150),
            rng.uniform(5, 30, 150),
            rng.uniform(-40, 40, 150),
        ]
    )
    quads_ = np.stack([RotatedBox(*r).to_quad().points for r in rot])
    m = quad_intersection_matrix(quads_, quads_)
    polys = shapely.polygons(quads_)
    want = shapely.area(shapely.intersection(polys[:, None], polys[None, :]))
    assert np.allclose(m, want, atol=1e-6)


@pytest.mark.parametrize(
    "other",
    [
        Box(0, 0, 4, 4),
        Quad([[0, 0], [4, 0], [4, 4], [0, 4]]),
        Mask(np.ones((2, 2), bool), origin=(0.5, 0.5)),  # off the empty one's grid
    ],
)
def test_an_empty_mask_overlaps_nothing_pairwise_as_in_the_matrix(other) -> None:
    empty = Mask(np.zeros((2, 2), bool), origin=(1, 1))
    assert iou_matrix([empty], [other]).tolist() == [[0.0]]
    assert empty.iou(other) == other.iou(empty) == 0.0
    assert empty.intersection_area(other) == other.intersection_area(empty) == 0.0

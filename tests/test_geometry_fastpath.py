"""The scalar fast paths agree with the vectorised batch functions.

Single shapes skip numpy's per-call overhead where a plain-float formula or a
cheap "already canonical" check does the job. Each test's docstring states the
law: the scalar path gives exactly (bit for bit, or ``==`` for min/max
formulas) what the batch function gives.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import shapely
from hypothesis import assume, example, given
from hypothesis import strategies as st

from unocr.errors import GeometryError
from unocr.geometry import (
    Box,
    Polygon,
    Quad,
    RotatedBox,
    boxes_to_quads,
    boxes_to_rotated,
    canonicalize_quads,
    canonicalize_rotated,
    convert,
    enclosing_box,
    quads_to_boxes,
    rotated_to_boxes,
    scale_matrix,
)
from unocr.geometry._affine import apply_affine, as_affine
from unocr.geometry.polygon import _certainly_simple

from .strategies import (
    angles,
    boxes,
    coords,
    quad_corners,
    rotated_boxes,
    sizes,
    tricky_quads,
)


def full(points: np.ndarray) -> np.ndarray:
    """The vectorised canonicalisation of one quad (no scalar shortcut)."""
    with np.errstate(all="ignore"):
        return convert.canonicalize_quad_rows(
            np.asarray(points, dtype=np.float64)[None]
        )[0]


def quiet_quad(points: np.ndarray) -> Quad:
    """Quad(points), ignoring numpy's overflow warnings for huge test values."""
    with np.errstate(all="ignore"):
        return Quad(points)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.tobytes() == b.tobytes()


# ------------------------------------------------------------ canonical order
@given(quad_corners())
@example(np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0]]))
@example(np.array([[0.0, 0.0], [4.0, 4.0], [0.0, 8.0], [-4.0, 4.0]]))  # 45 deg
@example(np.array([[0.0, 0.0], [0.0, 0.0], [4.0, 2.0], [0.0, 2.0]]))  # repeated
@example(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]))  # collinear
@example(np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 5.0], [1.0, 5.0]]))  # zero width
def test_quad_constructor_equals_full_canonicalisation(pts):
    """Law: Quad(points) stores exactly the vectorised canonical order, whatever
    the input order (24 permutations, already canonical, near-degenerate)."""
    with np.errstate(all="ignore"):
        q = Quad(pts)
    assert same_bits(q.points, full(pts))


@given(quad_corners())
def test_canonical_check_is_a_guarantee(pts):
    """Law: when the cheap check says "canonical", the vectorised rule returns
    the points unchanged; a canonical row always passes ``from_canonical``."""
    if convert.quad_is_canonical(pts.reshape(8).tolist()):
        assert same_bits(full(pts), np.asarray(pts, dtype=np.float64))
    canon = full(pts)
    with np.errstate(all="ignore"):
        assert same_bits(Quad.from_canonical(canon).points, canon)


@given(quad_corners())
def test_canonical_order_matches_batch(pts):
    """Law: a permutation found by the cheap search is the batch result."""
    perm = convert.canonical_order(pts.reshape(8).tolist())
    if perm is not None:
        assert sorted(perm) == [0, 1, 2, 3]
        assert same_bits(pts[perm], full(pts))


@given(st.lists(quad_corners(), min_size=1, max_size=40))
def test_canonicalize_quads_batches_match(rows):
    """Law: canonicalize_quads equals the vectorised body for every batch size:
    its plain-float path for a few quads, and in larger batches its shortcuts
    (upright rectangles, and rings kept as given: clearly convex, clockwise,
    the first side clearly the one nearest +x)."""
    arr = np.stack(rows)
    with np.errstate(all="ignore"):
        got = canonicalize_quads(arr)
        want = convert.canonicalize_quad_rows(arr)
    assert same_bits(got, want)


@given(
    st.lists(quad_corners(), min_size=0, max_size=6),
    st.lists(
        st.tuples(
            st.integers(-50, 50),
            st.integers(-50, 50),
            st.integers(0, 20),
            st.integers(0, 20),
            st.integers(0, 3),
        ),
        min_size=9,
        max_size=30,
    ),
)
def test_canonicalize_quads_upright_shortcut_matches(rows, rects):
    """Law: in large batches, upright rectangles given in any corner order
    (the shortcut keeps those given TL, TR, BR, BL; zero width or height and
    other orders take the rule) come out as the vectorised body gives them."""
    corners = [
        np.roll(
            np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], float),
            turn,
            axis=0,
        )
        for x, y, w, h, turn in rects
    ]
    arr = np.stack([*rows, *corners])
    with np.errstate(all="ignore"):
        got = canonicalize_quads(arr)
        want = convert.canonicalize_quad_rows(arr)
    assert same_bits(got, want)


def test_fast_path_accepts_typical_quads():
    """Law: the usual inputs (canonical word quads, rotated rectangles, any
    rotation or reversal of them) are decided without the vectorised rule."""
    word = [[10.0, 20.0], [110.0, 22.0], [109.0, 50.0], [9.0, 48.0]]
    tilted = RotatedBox(60, 35, 100, 30, 12).to_quad().points.tolist()
    for pts in (word, tilted, Box(0, 0, 4, 2).to_quad().points.tolist()):
        flat = [v for p in pts for v in p]
        assert convert.quad_is_canonical(flat)
        for start in range(4):
            for order in ([0, 1, 2, 3], [0, 3, 2, 1]):
                perm = [order[(start + k) % 4] for k in range(4)]
                moved = [pts[i] for i in perm]
                found = convert.canonical_order([v for p in moved for v in p])
                assert found is not None
                assert [moved[i] for i in found] == pts


def test_cheap_checks_decline_degenerate_quads():
    """Law: collinear, repeated and 45-degree cases are left to the full rule."""
    for flat in (
        [0, 0, 1, 1, 2, 2, 3, 3],  # collinear
        [0, 0, 0, 0, 4, 2, 0, 2],  # repeated corner
        [0, 0, 4, 4, 0, 8, -4, 4],  # sides at exactly +-45 degrees
        [0, 0, 4, 0, 4, float("nan"), 0, 2],  # NaN
    ):
        assert not convert.quad_is_canonical([float(v) for v in flat])
    assert convert.canonical_order([0.0, 0, 1, 1, 2, 2, 3, 3]) is None


def test_from_canonical_verifies_order():
    """Law: from_canonical keeps canonical corners as given and rejects others."""
    q = Quad.from_canonical(np.array([[0, 0], [4, 0], [4, 2], [0, 2]]))
    assert q == Box(0, 0, 4, 2).to_quad()
    assert Quad.from_canonical(q.points) == q
    with pytest.raises(GeometryError, match=r"canonical order TL, TR, BR, BL"):
        Quad.from_canonical([[4, 0], [4, 2], [0, 2], [0, 0]])
    with pytest.raises(GeometryError, match=r"expected shape \(4, 2\)"):
        Quad.from_canonical([[0, 0], [4, 0], [4, 2]])
    with pytest.raises(GeometryError, match="finite"):
        Quad.from_canonical([[0, 0], [4, 0], [4, float("inf")], [0, 2]])


def test_quad_points_are_copied_and_read_only():
    """Law: the fast path still copies its input and stores a read-only array."""
    src = np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 2.0], [0.0, 2.0]])
    for q in (Quad(src), Quad.from_canonical(src)):
        src[0, 0] = -1.0
        assert q.points[0, 0] == 0.0
        assert not q.points.flags.writeable
        src[0, 0] = 0.0


# ------------------------------------------------------- plain-float formulas
@given(quad_corners())
def test_quad_bounds_equal_batch(pts):
    """Law: Quad.to_box() equals quads_to_boxes on the same corners."""
    with np.errstate(all="ignore"):
        q = Quad(pts)
    assert q.to_box().as_array().tolist() == quads_to_boxes(q.points[None])[0].tolist()


@given(boxes(min_size=0.0))
def test_box_conversions_equal_batch(b):
    """Law: Box.to_quad() and Box.to_rotated_box() equal boxes_to_quads and
    boxes_to_rotated (then canonicalised)."""
    assert same_bits(b.to_quad().points, boxes_to_quads(b.as_array()[None])[0])
    want = convert.canonicalize_rotated_rows(boxes_to_rotated(b.as_array()[None]))[0]
    assert same_bits(b.to_rotated_box().as_array(), want)


@given(coords, coords, sizes, sizes, st.one_of(angles, st.sampled_from([-45.0, 45.0])))
@example(0.0, 0.0, 1.0, 2.0, -0.0)
@example(0.0, 0.0, 1.0, 2.0, 45.0 - 2**-47)  # rounds onto the boundary
@example(0.0, 0.0, 1.0, 2.0, -45.0)
def test_rotated_box_constructor_equals_batch(cx, cy, w, h, a):
    """Law: RotatedBox(...) stores exactly canonicalize_rotated's row."""
    r = RotatedBox(cx, cy, w, h, a)
    want = convert.canonicalize_rotated_rows(np.array([[cx, cy, w, h, a]]))[0]
    assert same_bits(r.as_array(), want)
    assert same_bits(canonicalize_rotated([[cx, cy, w, h, a]])[0], want)


@given(rotated_boxes())
def test_rotated_bounds_equal_batch(r):
    """Law: RotatedBox.to_box() equals rotated_to_boxes."""
    want = rotated_to_boxes(r.as_array()[None])[0]
    assert r.to_box().as_array().tolist() == want.tolist()


@given(st.lists(st.one_of(boxes(), rotated_boxes()), min_size=1, max_size=10))
def test_enclosing_box_equals_bounds_union(shapes):
    """Law: enclosing_box is the union of the shapes' bounds (min/max)."""
    arr = np.array([s.bounds.as_array() for s in shapes])
    want = [*arr[:, :2].min(axis=0), *arr[:, 2:].max(axis=0)]
    assert enclosing_box(shapes).as_array().tolist() == want


# --------------------------------------------------------------- affine maps
def test_as_affine_still_validates():
    """Law: the leaner matrix parser rejects what it rejected before."""
    for bad, msg in (
        ([[1, 0], [0, 1]], "expected shape"),
        ([[1, 0, 0], [0, float("nan"), 0]], "finite"),
        ([[1, 0, 0], [0, 1, 0], [0, 1e-6, 1]], "affine last row"),
        ([[1, 2, 0], [2, 4, 0]], "singular"),
        ("abc", "affine matrix"),
    ):
        with pytest.raises(GeometryError, match=msg):
            as_affine(bad)
    m = as_affine([[2, 0, 1], [0, 3, 0], [0, 0, 1 + 1e-13]])
    assert m.tolist() == [[2.0, 0.0, 1.0], [0.0, 3.0, 0.0], [0.0, 0.0, 1.0]]
    assert as_affine(scale_matrix(2)).tolist() == scale_matrix(2).tolist()


# ------------------------------------------------------------------ polygons
@given(tricky_quads(), st.sampled_from([3, 4]), st.permutations(range(4)))
@example(np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 0.0], [0.0, 2.0]]), 4, [0, 1, 2, 3])
@example(np.array([[0.0, 0.0], [4.0, 0.0], [2.0, 0.0], [0.0, 2.0]]), 4, [0, 1, 2, 3])
@example(np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [0.0, 0.0]]), 3, [0, 1, 2, 3])
def test_polygon_shortcut_only_skips_valid_rings(pts, k, perm):
    """Law: a triangle or quadrilateral that skips shapely's validity check is
    valid, and Polygon() accepts or rejects exactly what the check decides."""
    ring = np.asarray(pts)[list(perm)][:k]
    assume(np.isfinite(ring).all() and np.abs(ring).max() < 1e100)
    geom = shapely.Polygon(ring)
    valid = bool(shapely.is_valid(geom))
    if _certainly_simple(ring):
        assert valid
    expect_ok = valid or shapely.area(shapely.convex_hull(geom)) <= 0
    try:
        Polygon(ring)
    except GeometryError:
        assert not expect_ok
    else:
        assert expect_ok


@given(
    boxes(min_size=0.0),
    st.sampled_from([0.5, 2.0, -1.0, -3.25, 1e-3]),
    st.sampled_from([0.5, 2.0, -1.0, 7.0]),
    coords,
    coords,
    st.booleans(),
)
def test_box_axis_aligned_maps_equal_corner_images(b, f, g, tx, ty, turn):
    """Law: Box.transform of a scale/flip/translation or quarter turn equals the
    bounds of apply_affine on its four corners."""
    m = [[0.0, f, tx], [g, 0.0, ty]] if turn else [[f, 0.0, tx], [0.0, g, ty]]
    got = b.transform(m)
    assert isinstance(got, Box)
    corners = apply_affine(b.to_quad().points, as_affine(m))
    want = [*corners.min(axis=0), *corners.max(axis=0)]
    assert got.as_array().tolist() == want


@given(
    st.one_of(
        quad_corners().map(quiet_quad),
        st.builds(RotatedBox, coords, coords, sizes, st.just(0.0), angles).map(
            RotatedBox.to_quad
        ),
    )
)
def test_canonicalised_quads_pass_from_canonical(q):
    """Law: every quad that went through the canonical-order rule is accepted
    by from_canonical unchanged."""
    with np.errstate(all="ignore"):  # huge test coordinates overflow
        assert same_bits(Quad.from_canonical(q.points).points, q.points)


@given(st.one_of(quad_corners().map(quiet_quad), boxes(min_size=0.0).map(Box.to_quad)))
@example(Box(1, 2, 1, 5).to_quad())
@example(Box(3, 3, 3, 3).to_quad())
def test_quads_pickle_to_themselves(q):
    """Law: pickling gives back exactly the same quad."""
    assert same_bits(pickle.loads(pickle.dumps(q)).points, q.points)


@given(
    st.lists(
        st.tuples(
            st.floats(-1000, 1000),
            st.floats(-1000, 1000),
            st.floats(1, 300),
            st.floats(1, 300),
            st.one_of(st.floats(-50, 50), st.sampled_from([-45.0, 44.99999, 45.0])),
            st.integers(0, 7),
        ),
        min_size=9,
        max_size=30,
    )
)
def test_tilted_rectangles_in_any_order_match_the_rule(rects):
    """Law: tilted rectangles near and at 45 degrees, given in any of their 8
    ring orders, come out of large batches as the vectorised body gives them."""
    corners = []
    for cx, cy, w, h, angle, turn in rects:
        pts = RotatedBox(cx, cy, w, h, angle).to_quad().points
        ring = pts if turn < 4 else pts[::-1]
        corners.append(np.roll(ring, turn % 4, axis=0))
    arr = np.stack(corners)
    got = canonicalize_quads(arr)
    assert same_bits(got, convert.canonicalize_quad_rows(arr))


def test_tilted_words_given_canonically_are_kept_as_given():
    """Law: word quads tilted a little, given TL, TR, BR, BL, skip the rule."""
    tilted = np.stack(
        [
            RotatedBox(50 + k, 40, 90, 20, a).to_quad().points
            for k, a in enumerate([-30.0, -3.0, -0.5, 0.5, 3.0, 30.0])
        ]
    )
    assert convert._kept_as_given(tilted).all()
    assert not convert._kept_as_given(tilted[:, [1, 2, 3, 0]]).any()
    assert not convert._kept_as_given(tilted[:, ::-1]).any()

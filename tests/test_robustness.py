"""Regression tests: every bad input found by fuzzing gets a typed error.

Each test reproduces one finding of the fuzzing campaign (a crash, a memory
bomb, a hang, an untyped exception, a NaN result, a lost batch item) and
checks that unocr now answers with a result or a :class:`UnocrError` naming
what was wrong and, for limits, how to raise them.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import struct
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

import unocr
from unocr import formats
from unocr.errors import FormatError, GeometryError, ImageError, UnocrError
from unocr.formats.hocr import parse_title
from unocr.geometry import Box, Mask, Polygon, Quad, RotatedBox, geometry_from_dict
from unocr.image import iter_frames, load_image
from unocr.limits import MAX_COORDINATE, ReadLimits
from unocr.model import Page, Word
from unocr.model.serialize import _depth, count_objects

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"


def page_json(**overrides: object) -> str:
    doc: dict[str, object] = {"schema": "unocr.page/1", "width": 10, "height": 10}
    doc["blocks"] = []
    doc.update(overrides)
    return json.dumps(doc)


def block(geometry: dict[str, object], **fields: object) -> dict[str, object]:
    return {"text": "a", "geometry": geometry, "lines": [], **fields}


BOX = {"type": "box", "x0": 0, "y0": 0, "x1": 1, "y1": 1}


def png_bytes(size: tuple[int, int] = (8, 6)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


# --------------------------------------------------------------------- masks
def test_mask_counts_that_wrap_int64_are_refused_not_a_segfault():
    """The segfault: int64 sum of the counts wrapped to 1 and np.repeat crashed."""
    mask = {"type": "mask", "origin": [0, 0], "size": [1, 1]}
    mask["counts"] = [2**62, 2**62, 2**62, 2**62 + 1]
    with pytest.raises(FormatError, match="adding up to 1x1=1"):
        formats.loads(page_json(blocks=[block(mask)]))


def test_mask_size_is_checked_before_allocation():
    """The memory bomb: a 150-byte mask asked numpy for 9.3 GiB."""
    mask = {"type": "mask", "origin": [0, 0], "size": [100000, 100000]}
    mask["counts"] = [10**10]
    with pytest.raises(FormatError, match=r"max_pixels=10000000000"):
        formats.loads(page_json(blocks=[block(mask)]))
    with pytest.raises(GeometryError, match="over the limit of 100,000,000 pixels"):
        geometry_from_dict(mask)


def test_mask_pixel_limit_can_be_raised_and_lowered():
    mask = Mask(np.ones((30, 40), dtype=bool)).to_dict()
    assert Mask.from_dict(mask, max_pixels=1200).area == 1200.0
    with pytest.raises(GeometryError, match="pass max_pixels=1200"):
        Mask.from_dict(mask, max_pixels=1199)
    doc = page_json(blocks=[block(mask)])
    with pytest.raises(FormatError, match="max_pixels"):
        formats.loads(doc, max_pixels=100)
    assert formats.loads(doc, max_pixels=None).blocks[0].geometry.area == 1200.0


def test_mask_transform_takes_the_pixel_limit():
    mask = Mask(np.ones((10, 10), dtype=bool))
    with pytest.raises(GeometryError, match="max_pixels=400"):
        mask.transform([[2, 0, 0], [0, 2, 0]], max_pixels=399)
    assert mask.transform([[2, 0, 0], [0, 2, 0]], max_pixels=400).area == 400.0
    with pytest.raises(GeometryError, match="max_pixels=625"):  # rasterised
        mask.transform([[2.5, 0, 0], [0, 2.5, 0]], max_pixels=624)
    assert mask.transform([[2.5, 0, 0], [0, 2.5, 0]], max_pixels=625).area == 625.0
    with pytest.raises(GeometryError, match="MAX_COORDINATE"):  # copied
        Mask(np.ones((2, 2), dtype=bool), origin=(4e8, 0)).scale(3)


def test_mask_counts_must_be_integers():
    for counts in ([1.5], [True], ["1"], [-1, 2], "1"):
        mask = {"type": "mask", "origin": [0, 0], "size": [1, 1], "counts": counts}
        with pytest.raises(GeometryError, match="counts"):
            Mask.from_dict(mask)


def test_to_mask_checks_the_pixel_limit_before_allocating():
    """``Box(0,0,1e6,1e6).to_mask()`` asked for 931 GiB."""
    with pytest.raises(GeometryError, match="max_pixels=1000000000000"):
        Box(0, 0, 1e6, 1e6).to_mask()
    for shape in (
        Quad([[0, 0], [1e5, 0], [1e5, 1e5], [0, 1e5]]),
        Polygon([[0, 0], [1e5, 0], [0, 1e5]]),
        RotatedBox(5e4, 5e4, 1e5, 1e5, 10),
    ):
        with pytest.raises(GeometryError, match="max_pixels"):
            shape.to_mask()
    assert Box(0, 0, 100, 100).to_mask(max_pixels=10_000).area == 10_000.0
    with pytest.raises(GeometryError, match="max_pixels=10000"):
        Box(0, 0, 100, 100).to_mask(max_pixels=9_999)


def _centre_test(geom) -> Mask:
    """The reference rasterisation: every pixel centre tested by shapely."""
    import shapely

    x0, y0, x1, y1 = shapely.bounds(geom).tolist()
    j0, j1, i0, i1 = math.floor(x0), math.ceil(x1), math.floor(y0), math.ceil(y1)
    gx, gy = np.meshgrid(np.arange(j0, j1) + 0.5, np.arange(i0, i1) + 0.5)
    return Mask(shapely.contains_xy(geom, gx, gy), origin=(j0, i0)).trimmed()


def test_scanline_rasterisation_equals_the_centre_test():
    """Law: the scanline fill (bounds over 65,536 pixels) sets exactly the
    pixels whose centre lies strictly inside: edges through pixel centres,
    vertices on centre rows, holes, several parts, slanted edges."""
    import shapely

    rng = np.random.default_rng(15)
    shapes = [
        shapely.box(0.5, 0.5, 400.5, 300.5),  # edges through pixel centres
        shapely.Polygon([(0, 0), (500, 0.5), (250, 300.5)]),  # vertex on a centre row
        shapely.box(0, 0, 400, 400).difference(shapely.box(100.5, 100, 300, 300.5)),
        shapely.MultiPolygon(
            [shapely.box(0, 0, 300, 300), shapely.box(300, 0, 600, 250)]
        ),
    ]
    for _ in range(12):
        n = int(rng.integers(3, 30))
        angles = np.sort(rng.uniform(0, 2 * np.pi, n))
        radius = rng.uniform(200, 400, n)
        pts = np.c_[np.cos(angles) * radius, np.sin(angles) * radius]
        shapes.append(
            shapely.Polygon(np.round(pts * 2) / 2 + 0.25 * rng.integers(0, 2))
        )
    # Each also mirrored across y = x and stretched to be tall: a tall shape
    # is scanned as its mirror image, the other way round.
    shapes += [shapely.transform(g, lambda p: p[:, ::-1] * [0.25, 4.0]) for g in shapes]
    for geom in shapes:
        x0, y0, x1, y1 = shapely.bounds(geom).tolist()
        if (math.ceil(x1) - math.floor(x0)) * (
            math.ceil(y1) - math.floor(y0)
        ) <= 1 << 16:
            continue  # small bounds take the point-test path
        assert Mask.from_shapely(geom) == _centre_test(geom), geom.wkt[:80]


def test_thin_tall_masks_are_quick():
    """Fuzz input geometry 154897: a mask mapped to a sliver one pixel wide
    and 56 million high was scanned row by row (minutes); the scan now runs
    along the longer side."""
    start = time.perf_counter()
    column = Polygon([[0.2, 0], [0.8, 0], [0.8, 2e7], [0.2, 2e7]]).to_mask()
    between = Polygon([[0.6, 0], [0.9, 0], [0.9, 2e7], [0.6, 2e7]]).to_mask()
    assert time.perf_counter() - start < 20.0  # a hang guard, not a speed claim
    assert column.data.shape == (20_000_000, 1) and column.area == 2e7
    assert column.bounds == Box(0, 0, 1, 2e7)
    assert between.area == 0  # no pixel centre between x = 0.6 and 0.9


def test_noisy_masks_outline_quickly():
    """A 600 x 600 noise mask (a thresholded score map) took about two minutes
    to outline as a union of pixel squares; the outline is now traced along
    the pixel edges, and the hull taken from the pixel runs."""
    data = np.random.default_rng(5).random((1000, 1000)) < 0.5
    mask = Mask(data, origin=(3, 4))
    start = time.perf_counter()
    outline = mask.to_shapely()
    quad = mask.to_quad()
    assert time.perf_counter() - start < 60.0  # a hang guard, not a speed claim
    assert outline.is_valid and outline.area == data.sum()
    assert outline.bounds == (3.0, 4.0, 1003.0, 1004.0)
    assert quad.to_shapely().buffer(1e-6).covers(outline)


@pytest.mark.parametrize("shape", [(1, 2_000_000), (2_000_000, 1)])
def test_many_regions_give_their_hull_quickly(shape):
    """A mask of a million one-pixel regions: its polygon (the hull of all
    regions) and quad come from the pixel runs, without outlining a million
    regions (a tall mask's runs are taken along its columns)."""
    data = np.zeros(shape, dtype=bool)
    data.flat[::2] = True
    mask = Mask(data, origin=(2, 3))
    start = time.perf_counter()
    polygon, quad = mask.to_polygon(), mask.to_quad()
    assert time.perf_counter() - start < 60.0  # a hang guard, not a speed claim
    length = 1_999_999
    expected = Box(2, 3, 2 + length, 4) if shape[0] == 1 else Box(2, 3, 3, 3 + length)
    assert polygon.area == length and polygon.to_box() == expected
    assert quad.to_box() == expected


def test_exact_rows_wider_than_a_band():
    """A row through a vertex is decided pixel by pixel with shapely, in
    pieces of a band (a 3-million-pixel row held 24 MB of centres at once)."""
    import shapely

    geom = shapely.Polygon([(0, 0.5), (3e6, 0), (3e6, 1)])  # tip on row 0's centre
    mask = Mask.from_shapely(geom)
    assert mask.area == 3e6
    assert mask == _centre_test(geom)


def test_large_masks_are_quick():
    """A 100-megapixel mask took 30 s with a point test per pixel."""
    start = time.perf_counter()
    mask = Polygon([[0, 0], [10000, 300], [9000, 10000], [50, 9000]]).to_mask()
    assert time.perf_counter() - start < 20.0  # a hang guard, not a speed claim
    assert mask.data.shape == (10000, 10000)
    assert abs(mask.area - 88_900_000) < 20_000


def test_overlap_with_a_polygon_of_1e_301_pixels_warns_nothing():
    """Fuzz input geometry 48484: GEOS divided by zero in the predicate that
    checks an empty overlap, and numpy's RuntimeWarning escaped."""
    mask = Mask([[False, True, True]], origin=(-2.0, 0.0))
    points = [
        [-2.006191227771781e-301, -8.399611155241058e-301],
        [-2.7002136505860585e-301, -6.697177326277821e-301],
        [-7.798798888683968e-301, -1.508102594497176e-301],
        [7.3848613997278716e-301, -1.9124333622248035e-301],
        [-9.825305445963829e-301, 8.469268990343585e-301],
        [-3.6132881249769058e-301, -8.48581476532983e-301],
        [-4.391183501105789e-302, -2.475993259984044e-301],
        [-7.101113449131335e-301, -3.923775079754657e-301],
        [5.1275552591711464e-301, -9.82896637312848e-301],
        [-4.7021858059883545e-301, -8.00857854721521e-301],
        [5.555753249132616e-301, 8.392610318762419e-301],
        [-7.292863952189055e-301, 7.504745335937156e-301],
        [-3.35340974597371e-301, -8.302286830644885e-301],
        [-8.727893222341055e-301, -4.089004246327563e-301],
        [0.0, -6.356211420730771e-301],
        [3.201554070858803e-302, 4.729561895172163e-301],
        [8.344612411192479e-301, -5.848291763567429e-301],
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Polygon(points).intersection_area(mask) == 0.0


_TINY_SHELL = [
    [-2.4913758556241094e-301, 6.849293297413737e-301],
    [-8.098861186953723e-301, 7.267964296159695e-301],
    [6.134150515352697e-301, 9.67612782991086e-301],
    [9.055754830588765e-301, -7.499120705934304e-301],
    [-1.93079529140467e-301, -8.220960795644475e-301],
]
_TINY_HOLE = [
    [-2.6110936357113325e-301, -2.4417841298197485e-301],
    [-3.327534486250139e-301, -1.8111988517442535e-301],
    [-5.772528108279402e-301, -2.91405978058352e-301],
]


def test_a_polygon_whose_validity_geos_cannot_check_is_judged_by_its_hull():
    """Fuzz input geometry 2264742: on a polygon with a hole, 1e-301 pixels
    across, GEOS's validity check raised GEOSException ("Segment vertex does
    not intersect ring") out of the constructor. Its hull has no area in
    floats, so it is a degenerate polygon, as when the check says invalid; at
    a scale GEOS can check, the same rings are refused with its reason."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tiny = Polygon(_TINY_SHELL, [_TINY_HOLE])
        geoms = [tiny.to_shapely(), shapely.box(0, 0, 1, 1)]
        assert Polygon.list_from_shapely(geoms) == [
            Polygon.from_shapely(g) for g in geoms
        ]
    assert tiny.area == 0.0 and len(tiny.holes) == 1
    scaled = [[x * 1e301, y * 1e301] for x, y in _TINY_SHELL]
    hole = [[x * 1e301, y * 1e301] for x, y in _TINY_HOLE]
    with pytest.raises(GeometryError, match="Hole lies outside shell"):
        Polygon(scaled, [hole])


def test_a_polygon_geos_cannot_check_with_an_area_is_refused(monkeypatch):
    """Where GEOS raises instead of answering and the hull has an area, the
    polygon is refused with GEOS's error (a fault injected: real GEOS answers
    for every polygon of this size)."""

    def give_up(geom: object) -> bool:
        raise shapely.errors.GEOSException("IllegalArgumentException: injected")

    monkeypatch.setattr(shapely, "is_valid", give_up)
    bow_tie = [[0, 0], [4, 4], [4, 0], [2, 5], [0, 4]]
    with pytest.raises(GeometryError, match=r"GEOS could not check it: .*injected"):
        Polygon(bow_tie)
    with pytest.raises(GeometryError, match="GEOS could not check it"):
        Polygon.list_from_shapely([shapely.Polygon(bow_tie)])


# ------------------------------------------------------------------ geometry
@pytest.mark.parametrize(
    "build",
    [
        lambda: Box(10**400, 0, 1, 1),
        lambda: Box(0, 0, float("inf"), 1),
        lambda: Box(-1e308, 0, 1e308, 1),
        lambda: Box.from_xywh("a", 0, 1, 1),
        lambda: Box.from_xywh(0, 0, None, 1),
        lambda: RotatedBox(0, 0, 10**400, 1),
        lambda: RotatedBox(2e9, 0, 1, 1),
        lambda: Quad([[0, 0], [1e308, 0], [1e308, 1e308], [0, 1e308]]),
        lambda: Quad([10**400] * 8),
        lambda: Polygon([[0, 0], [2e9, 0], [0, 1]]),
        lambda: Mask([[1]], origin=(1e300, 0)),
    ],
)
def test_constructors_refuse_overflowing_or_out_of_range_values(build):
    """OverflowError, TypeError and ValueError became GeometryError."""
    with pytest.raises(GeometryError):
        build()


def test_coordinate_range_is_documented_and_inclusive():
    assert Box(-MAX_COORDINATE, 0, MAX_COORDINATE, 1).width == 2 * MAX_COORDINATE
    with pytest.raises(GeometryError, match="MAX_COORDINATE"):
        Box(0, 0, MAX_COORDINATE * 1.0000001, 1)


@pytest.mark.parametrize(
    "call",
    [
        lambda: Polygon([[0, 0], [1, 0], [0, 1]]).scale(1e308),
        lambda: Polygon([[0, 0], [1, 0], [0, 1]]).scale(1e10),
        lambda: Box(0, 0, 1, 1).scale(1e308),
        lambda: Quad([[0, 0], [1, 0], [1, 1], [0, 1]]).scale(1e300),
        lambda: Mask([[1]]).scale(1e300),
        lambda: Mask([[1]]).scale(1e10),
        lambda: RotatedBox(0, 0, 1, 1).scale(1e200),
    ],
)
def test_transforms_out_of_range_raise_instead_of_returning_inf(call):
    """``Polygon.scale(1e308)`` returned inf areas while Box and Quad raised."""
    with pytest.raises(GeometryError):
        call()


def test_measures_are_finite_at_the_edge_of_the_range():
    """Areas, centroids and IoU at +-MAX_COORDINATE: finite, never NaN/inf."""
    m = MAX_COORDINATE
    shapes = [
        Box(-m, -m, m, m),
        Quad([[-m, -m], [m, -m], [m, m], [-m, m]]),
        Quad([[-m, 0], [0, -m], [m, 0], [0, m]]),
        Polygon([[-m, -m], [m, -m], [m, m], [0, 1e-300]]),
        RotatedBox(0, 0, m, m, 30),
        Quad([[0, 0], [m, 1e-9], [2 * 1e-9, 2e-9], [m, m]]),
    ]
    for s in shapes:
        values = [s.area, *s.centroid, s.iou(shapes[0]), s.intersection_area(s)]
        assert all(math.isfinite(v) for v in values), (s, values)


def test_bowtie_polygon_with_huge_coordinates_is_refused():
    """A bow tie at 1e300 was accepted, then GEOS raised from ``.iou``."""
    with pytest.raises(GeometryError):
        Polygon([[0, 0], [1e300, 1e300], [1e300, 0], [0, 1e300]])
    with pytest.raises(GeometryError, match="simple polygon"):
        Polygon([[0, 0], [1e9, 1e9], [1e9, 0], [0, 1e9]])


def test_iou_with_a_large_polygon_at_the_range_edge_is_quick():
    """IoU against a 1,000-vertex polygon spanning the range took 14 s in GEOS."""
    rng = np.random.default_rng(0)
    angle = np.sort(rng.uniform(0, 2 * np.pi, 1000))
    radius = rng.uniform(1e8, 1e9, 1000)
    poly = Polygon(np.c_[np.cos(angle) * radius, np.sin(angle) * radius])
    start = time.perf_counter()
    iou = poly.iou(Box(0, 0, 5e8, 5e8))
    assert 0.0 < iou < 1.0
    assert time.perf_counter() - start < 5.0  # a hang guard, not a speed claim


# -------------------------------------------------------------------- JSON
@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (page_json(width="W").replace('"W"', "1e309"), "too large for a float"),
        ('{"schema": "unocr.page/1", "width": Infinity, "height": 1}', "Infinity"),
        ('{"schema": "unocr.page/1", "width": NaN, "height": 1}', "NaN"),
        (page_json(width=10**400), "too large for a float"),
        (page_json(width=2 * 10**9), "beyond the coordinate range"),
        (page_json(width=-1), "whole number of pixels >= 0"),
        (page_json(width=True), "whole number"),
        (page_json(timings=[1]), "timings: expected an object"),
        (page_json(timings={"engine": "x"}), "timings.engine"),
        (page_json(timings={"engine": 10**300}), "timings.engine"),
        (page_json(languages="en"), "languages"),
        (page_json(backend=5), "backend"),
        (page_json(blocks=[block(BOX, language=5)]), "language: expected a string"),
        (page_json(blocks=[block(BOX, text=None)]), "text: expected a string"),
        (page_json(blocks=[block(BOX, native="yes")]), "native: expected true"),
        (page_json(blocks=[block(BOX, confidence=2)]), r"confidence must lie"),
        (
            page_json(blocks=[block({**BOX, "x1": "X"})]).replace('"X"', "-1e999"),
            "too large for a float",
        ),
        (page_json(blocks=[block({**BOX, "x1": 10**300})]), "invalid geometry"),
        (page_json(blocks=[block(BOX, lines="x")]), "lines: expected a list"),
    ],
)
def test_json_reader_refuses_wrong_types_with_format_error(doc, message):
    with pytest.raises(FormatError, match=message):
        formats.loads(doc)


def test_a_page_that_loads_can_be_saved_in_every_format():
    """``"language": 5`` loaded, then ``save(...hocr)`` raised TypeError."""
    doc = page_json(blocks=[block(BOX, language="de")])
    page = formats.loads(doc)
    for fmt in formats.WRITE_FORMATS:
        assert isinstance(formats.dumps(page, fmt), str)


@pytest.mark.parametrize("language", ["\x00", "a\ud800b", "\udcfc", "\ufffe\uffff"])
def test_a_language_that_is_no_code_does_not_stop_a_writer(language: str) -> None:
    """Found by the JSON fuzz target: lxml refused such a ``lang`` / ``LANG``."""
    doc = json.dumps(json.loads(page_json(blocks=[block(BOX, language=language)])))
    page = formats.loads(doc)
    assert page.blocks[0].language == language  # JSON keeps what it was given
    for fmt in formats.WRITE_FORMATS:
        formats.dumps(page, fmt).encode("utf-8")


def test_deep_json_nesting_is_a_format_error():
    """RecursionError for deeply nested JSON."""
    deep = page_json()[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(FormatError, match="deeper than Python's JSON parser"):
        formats.loads(deep)
    moderate = page_json()[:-1] + ', "x": ' + "[" * 300 + "]" * 300 + "}"
    with pytest.raises(FormatError, match="max_depth=301"):
        formats.loads(moderate)
    assert formats.loads(moderate, max_depth=400).width == 10


json_values = st.recursive(
    st.none() | st.integers() | st.text(max_size=2),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=30,
)


def _nesting(value: object) -> int:
    children = (
        list(value.values())
        if isinstance(value, dict)
        else value
        if isinstance(value, list)
        else None
    )
    if children is None:
        return 0
    return 1 + max((_nesting(c) for c in children), default=0)


def _objects(value: object) -> int:
    if isinstance(value, dict):
        return 1 + sum(_objects(c) for c in value.values())
    if isinstance(value, list):
        return sum(_objects(c) for c in value)
    return 0


@given(json_values)
def test_json_nesting_and_objects_are_counted_exactly(value: object) -> None:
    parsed = json.loads(json.dumps(value))
    assert _depth(parsed) == _nesting(parsed)
    assert count_objects(parsed) == _objects(parsed)


def test_json_element_limit():
    blocks = [block(BOX) for _ in range(5)]
    with pytest.raises(FormatError, match="max_elements"):
        formats.loads(page_json(blocks=blocks), max_elements=4)
    assert len(formats.loads(page_json(blocks=blocks), max_elements=5).blocks) == 5


# -------------------------------------------------------------- XML formats
def hocr(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


def test_blank_ocr_system_in_hocr():
    """IndexError on a blank ``ocr-system`` meta."""
    doc = hocr(
        '<div class="ocr_page" title="bbox 0 0 10 10"></div>',
        '<meta name="ocr-system" content="  "/>',
    )
    assert formats.loads(doc).backend is None


def test_hocr_title_parsing_is_linear():
    """``x_foo`` + 800 characters + an unmatched quote took 12 s (cubic)."""
    title = "x_foo " + "a" * 200_000 + '"'
    start = time.perf_counter()
    props = parse_title(title)
    assert time.perf_counter() - start < 2.0  # a hang guard, not a speed claim
    assert props["x_foo"] == ["a" * 200_000, '"']
    assert parse_title('bbox 1 2 3 4; x_source "a;b"; x_wconf 9') == {
        "bbox": ["1", "2", "3", "4"],
        "x_source": ['"a;b"'],
        "x_wconf": ["9"],
    }


ALTO_PAGE = (
    '<alto xmlns="http://www.loc.gov/standards/alto/ns-v4#"><Layout>'
    '<Page WIDTH="{w}" HEIGHT="{h}"><PrintSpace/></Page></Layout></alto>'
)
PAGE_PAGE = (
    '<PcGts xmlns="http://schema.primaresearch.org/PAGE/gts/pagecontent/2019-07-15">'
    '<Page imageWidth="{w}" imageHeight="{h}"/></PcGts>'
)


@pytest.mark.parametrize("template", [ALTO_PAGE, PAGE_PAGE])
@pytest.mark.parametrize(
    "size", [("-10", "5"), ("inf", "5"), ("nan", "5"), ("1e400", "5"), ("2e9", "5")]
)
def test_xml_page_sizes_are_checked(template, size):
    """``ValueError`` from ``Page(...)`` for negative sizes in ALTO and PAGE."""
    with pytest.raises(FormatError, match=r"page width|imageWidth|WIDTH"):
        formats.loads(template.format(w=size[0], h=size[1]))


@pytest.mark.parametrize(
    "doc",
    [
        ALTO_PAGE.format(w=10, h=10).replace(
            "<PrintSpace/>",
            '<PrintSpace><TextBlock><TextLine><String CONTENT="a" HPOS="0" VPOS="0" '
            'WIDTH="1" HEIGHT="1" WC="nan"/></TextLine></TextBlock></PrintSpace>',
        ),
        hocr(
            '<div class="ocr_page" title="bbox 0 0 10 10"><span class="ocr_line" '
            'title="bbox 0 0 5 5"><span class="ocrx_word" title="bbox 0 0 5 5; '
            'x_wconf nan">a</span></span></div>'
        ),
        PAGE_PAGE.format(w=10, h=10).replace(
            '<Page imageWidth="10" imageHeight="10"/>',
            '<Page imageWidth="10" imageHeight="10"><TextRegion id="r"><Coords '
            'points="0,0 5,0 5,5 0,5"/><TextLine id="l"><Coords points="0,0 5,0 5,5 '
            '0,5"/><TextEquiv conf="nan"><Unicode>a</Unicode></TextEquiv>'
            "</TextLine></TextRegion></Page>",
        ),
        HEADER + "1\t1\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t\n"
        "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\tnan\tx\n",
    ],
)
def test_nan_confidences_are_refused_alike_in_every_format(doc):
    """NaN confidences became 0.0 in ALTO/PAGE, None in hOCR, an error in TSV."""
    with pytest.raises(FormatError, match=r"finite|nan"):
        formats.loads(doc)


def test_xml_element_and_depth_limits():
    inner = "<TextBlock><TextLine/></TextBlock>" * 50
    doc = ALTO_PAGE.format(w=10, h=10).replace(
        "<PrintSpace/>", f"<PrintSpace>{inner}</PrintSpace>"
    )
    with pytest.raises(FormatError, match="max_elements"):
        formats.loads(doc, max_elements=20)
    assert formats.loads(doc, max_elements=200).width == 10
    with pytest.raises(FormatError, match="more than 4 deep"):
        formats.loads(doc, max_depth=4)


def test_tsv_overflowing_numbers_and_page_sizes():
    """OverflowError for 400-digit integers in TSV."""
    huge = "9" * 400
    with pytest.raises(FormatError):
        formats.loads(HEADER + f"1\t1\t0\t0\t0\t0\t0\t0\t{huge}\t10\t-1\t\n")
    with pytest.raises(FormatError):
        formats.loads(
            HEADER + "1\t1\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t\n"
            f"5\t1\t1\t1\t1\t1\t{huge}\t0\t1\t1\t90\tx\n"
        )
    rows = HEADER + "1\t1\t0\t0\t0\t0\t0\t0\t10\t10\t-1\t\n" * 1
    with pytest.raises(FormatError, match="max_elements"):
        formats.loads(
            rows + "5\t1\t1\t1\t1\t1\t0\t0\t1\t1\t90\tx\n" * 9, max_elements=5
        )


# ------------------------------------------------------------- unocr.load()
@pytest.mark.parametrize("bad", [None, 5, 1.5, object(), ["a.json"]])
def test_load_wrong_types(bad):
    """``unocr.load(None)`` raised TypeError."""
    with pytest.raises(FormatError, match="load\\(\\) takes a path"):
        unocr.load(bad)


def test_load_path_with_nul():
    """``load("a\\x00b")`` raised ValueError."""
    with pytest.raises(FormatError, match="NUL"):
        unocr.load("a\x00b")


def test_load_refuses_devices_without_reading():
    """``unocr.load("/dev/zero")`` read without limit (stat saw 0 bytes)."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero on this system")
    with pytest.raises(FormatError, match="not a regular file"):
        unocr.load("/dev/zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_fifo_without_writer_is_refused_without_blocking(tmp_path: Path):
    """A FIFO path with no writer blocked forever (formats and images)."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    errors: list[BaseException] = []

    def attempt() -> None:
        for call in (unocr.load, load_image):
            try:
                call(fifo)
            except UnocrError as exc:
                errors.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(10)
    if thread.is_alive():  # unblock the thread before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("opening a FIFO blocked")
    assert [type(e) for e in errors] == [FormatError, ImageError]
    assert all("FIFO" in str(e) for e in errors)


def test_load_streams_with_a_byte_cap(tmp_path: Path):
    page = Page.from_words(
        [Word(text="hi", geometry=Box(0, 0, 5, 5), confidence=0.5)], width=10, height=10
    )
    path = tmp_path / "p.json"
    page.save(path)
    size = path.stat().st_size
    assert unocr.load(path, max_bytes=size).text == "hi"
    with pytest.raises(FormatError, match=f"max_bytes={size}|max_bytes=\\d+"):
        unocr.load(path, max_bytes=size - 1)
    with open(path, "rb") as fh, pytest.raises(FormatError, match="max_bytes"):
        unocr.load(fh, max_bytes=10)
    with pytest.raises(FormatError, match="max_bytes must be a positive int"):
        unocr.load(path, max_bytes=0)


# ------------------------------------------------------------------- images
def test_image_path_with_nul_is_an_image_error():
    with pytest.raises(ImageError, match="NUL"):
        load_image("a\x00b.png")


def test_image_devices_are_refused():
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero on this system")
    with pytest.raises(ImageError, match="device, FIFO or socket"):
        load_image("/dev/zero")


def test_read_many_keeps_good_pages_next_to_a_nul_path(tmp_path: Path):
    """The batch lost its 5 good pages to ``ValueError: embedded null byte``."""
    pytest.importorskip("pytesseract")
    sample = Path(__file__).resolve().parents[1] / "samples" / "phototest.png"
    strip = Image.open(sample).convert("L").crop((0, 0, 640, 80))
    good = []
    for i in range(5):
        path = tmp_path / f"{i}.png"
        strip.save(path)
        good.append(str(path))
    results = unocr.read_many(
        [*good, "a\x00b.png"], backend="tesseract", errors="return"
    )
    assert [bool(r) for r in results] == [True] * 5 + [False]
    assert isinstance(results[-1].error, ImageError)


def _tiff_with_frames(count: int) -> bytes:
    """A little-endian TIFF of ``count`` 1x1 8-bit gray frames, written by hand."""
    entries = 8
    ifd_size = 2 + entries * 12 + 4
    out = bytearray(b"II*\x00" + struct.pack("<I", 8))
    for i in range(count):
        start = len(out)
        pixel_at = start + ifd_size
        nxt = 0 if i == count - 1 else pixel_at + 2  # pixel byte + pad
        tags = [
            (256, 3, 1, 1),  # width
            (257, 3, 1, 1),  # height
            (258, 3, 1, 8),  # bits per sample
            (259, 3, 1, 1),  # no compression
            (262, 3, 1, 1),  # black is zero
            (273, 4, 1, pixel_at),  # strip offset
            (278, 3, 1, 1),  # rows per strip
            (279, 4, 1, 1),  # strip byte count
        ]
        out += struct.pack("<H", entries)
        for tag, kind, n, value in tags:
            out += struct.pack("<HHII", tag, kind, n, value)
        out += struct.pack("<I", nxt)
        out += bytes([i % 256, 0])
    return bytes(out)


def test_many_frame_tiff_opens_frame_zero_without_counting_frames():
    """A TIFF of 20,000 one-pixel frames took 9-14 s to open frame 0."""
    data = _tiff_with_frames(20_000)
    start = time.perf_counter()
    loaded = load_image(data)
    assert time.perf_counter() - start < 3.0  # a hang guard, not a speed claim
    assert loaded.size if hasattr(loaded, "size") else loaded.width == 1
    assert loaded.encoded is None  # more than one frame: not the file's pixels
    assert [f.image.getpixel((0, 0))[0] for f in iter_frames(_tiff_with_frames(3))] == [
        0,
        1,
        2,
    ]
    single = load_image(_tiff_with_frames(1))
    assert single.encoded is not None


def test_float_images_are_scaled_in_bands():
    """A float image is scaled to 8 bits in bands (memory), with the same result."""
    data = np.linspace(-5.0, 5.0, 3000 * 700, dtype=np.float32).reshape(700, 3000)
    rgb = load_image(Image.fromarray(data, mode="F")).image
    out = np.asarray(rgb)[..., 0]
    assert out[0, 0] == 0 and out[-1, -1] == 255
    assert np.all(np.diff(out.reshape(-1).astype(int)) >= 0)  # monotone


def test_pillow_warnings_do_not_escape():
    """Pillow's warnings (corrupt EXIF, truncated file) escaped for 452 files."""
    buf = io.BytesIO()
    Image.new("RGB", (4, 4)).save(
        buf, "JPEG", exif=b"Exif\x00\x00II*\x00\x08\x00\x00\x00\x05\x00\xff"
    )
    data = buf.getvalue()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with contextlib.suppress(ImageError):
            load_image(data)
    before = list(warnings.filters)
    load_image(png_bytes())
    assert list(warnings.filters) == before  # the filter is removed afterwards


def test_read_limits_are_checked():
    with pytest.raises(FormatError, match="max_depth must be a positive int"):
        ReadLimits(max_depth=-1)
    with pytest.raises(ImageError, match="max_pixels"):
        load_image(png_bytes((8, 6)), max_pixels=47)


# ---------------------------------------------------------------- EXIF once
@pytest.mark.parametrize("orientation", range(1, 9))
def test_read_header_and_upright_matrix_match_load_image(orientation):
    """Law: a pixel of the stored raster, mapped by the header's matrix, lands
    on the same pixel of the upright image load_image returns."""
    from unocr.image import read_header

    stored = Image.new("L", (7, 4), 255)
    stored.putpixel((1, 2), 0)
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    stored.save(buf, "PNG", exif=exif)
    header = read_header(buf.getvalue())
    assert (header.width, header.height, header.orientation) == (7, 4, orientation)
    upright = load_image(buf.getvalue()).image
    assert upright.size == header.upright_size
    (a, b, tx), (c, d, ty) = header.upright_matrix()
    x, y = 1.5, 2.5  # the marked pixel's centre
    u, v = a * x + b * y + tx, c * x + d * y + ty
    assert upright.getpixel((int(u), int(v)))[0] == 0


def test_read_header_refuses_bad_input():
    from unocr.image import read_header

    with pytest.raises(ImageError, match="not a recognised image"):
        read_header(b"not an image")
    with pytest.raises(ImageError, match="NUL"):
        read_header("a\x00b.png")

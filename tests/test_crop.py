"""The rectifying crop: regions cut along their true shape (unocr.geometry.crop)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from unocr.errors import GeometryError, ImageError
from unocr.geometry import Box, Mask, Polygon, Quad, RotatedBox
from unocr.geometry.crop import crop_regions, rectifying_transforms

from .strategies import convex_quads, rotated_boxes


def _noise(h: int = 60, w: int = 90, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _stripes(w: int = 60, h: int = 20) -> Image.Image:
    """A patch whose left half is black and right half white, with a grey top row."""
    arr = np.full((h, w), 255, np.uint8)
    arr[:, : w // 2] = 0
    arr[: h // 4, :] = 128
    return Image.fromarray(arr).convert("RGB")


def test_box_crop_is_the_pixels_themselves() -> None:
    """A box gives exactly the numpy slice of the pixels it covers."""
    arr = _noise()
    (crop,) = crop_regions(Image.fromarray(arr), [Box(10, 5, 40, 25)])
    assert crop is not None
    assert np.array_equal(np.asarray(crop), arr[5:25, 10:40])


def test_fractional_box_takes_every_pixel_it_touches() -> None:
    arr = _noise()
    (crop,) = crop_regions(Image.fromarray(arr), [Box(10.5, 5.2, 39.5, 24.8)])
    assert crop is not None
    assert np.array_equal(np.asarray(crop), arr[5:25, 10:40])


def test_unrotated_quad_and_rotated_box_cut_like_a_box() -> None:
    arr = _noise()
    image = Image.fromarray(arr)
    regions = [
        Quad([[10, 5], [40, 5], [40, 25], [10, 25]]),
        RotatedBox(25, 15, 30, 20, 0),
        Polygon([[10, 5], [40, 5], [40, 25], [10, 25]]),
    ]
    for crop in crop_regions(image, regions):
        assert crop is not None
        assert np.array_equal(np.asarray(crop), arr[5:25, 10:40])


@pytest.mark.parametrize("angle", [-40.0, -12.5, 17.0, 30.0, 44.0])
def test_rotated_region_is_rectified_not_boxed(angle: float) -> None:
    """A patch turned by ``angle`` comes back upright, at its own size."""
    patch = _stripes()
    canvas = Image.new("RGB", (200, 200), "white")
    canvas.paste(patch, (70, 90))
    turned = canvas.rotate(-angle, resample=Image.Resampling.BICUBIC, center=(100, 100))
    # the patch's centre (100, 100) stays; clockwise on screen is positive
    region = RotatedBox(100, 100, 60, 20, angle)
    (crop,) = crop_regions(turned, [region])
    assert crop is not None
    assert crop.size == (60, 20)
    got = np.asarray(crop.convert("L"), dtype=float)
    want = np.asarray(patch.convert("L"), dtype=float)
    inner = (slice(3, -3), slice(3, -3))  # resampling blurs the edges
    assert np.abs(got[inner] - want[inner]).mean() < 12
    # the box around the turned patch would hold much more than the patch
    assert region.to_box().area > 1.3 * crop.size[0] * crop.size[1]


def test_quad_corner_order_sets_the_crop_orientation() -> None:
    """Canonical corners TL, TR, BR, BL: TL lands at the crop's top-left."""
    size, homography = rectifying_transforms(
        [[[10.0, 20.0], [50.0, 30.0], [45.0, 50.0], [5.0, 40.0]]]
    )
    corners = np.array([[0, 0, 1], [size[0, 0], 0, 1], [size[0, 0], size[0, 1], 1]])
    mapped = corners @ homography[0].T
    xy = mapped[:, :2] / mapped[:, 2:]
    assert np.allclose(xy, [[10, 20], [50, 30], [45, 50]])
    assert size[0].tolist() == [round(math.hypot(40, 10)), round(math.hypot(5, 20))]


def test_polygon_and_mask_go_through_their_minimum_rotated_rectangle() -> None:
    image = Image.fromarray(_noise(100, 100))
    poly = Polygon([[20, 20], [60, 30], [58, 40], [40, 45], [18, 35]])
    mask = poly.to_mask()
    for region in (poly, mask):
        (crop,) = crop_regions(image, [region])
        assert crop is not None
        rect = region.to_rotated_box()
        assert crop.size == (round(rect.width), round(rect.height))
        assert abs(rect.angle) > 5  # a turned rectangle, not the bounding box


def test_regions_outside_the_image_are_clipped_or_empty() -> None:
    arr = _noise()
    image = Image.fromarray(arr)
    partly, outside, turned_out, turned_partly = crop_regions(
        image,
        [
            Box(-10, -10, 5, 5),
            Box(200, 200, 300, 300),
            RotatedBox(-100, -100, 10, 5, 10),
            RotatedBox(45, 30, 400, 10, 20),
        ],
    )
    assert partly is not None
    assert np.array_equal(np.asarray(partly), arr[0:5, 0:5])
    assert outside is None
    assert turned_out is None
    assert turned_partly is not None
    # only the stretch of the 400-pixel-long region that crosses the image
    assert turned_partly.size[1] == 10
    assert turned_partly.size[0] < 120


def test_empty_regions_give_none() -> None:
    image = Image.fromarray(_noise())
    got = crop_regions(
        image,
        [
            Box(10, 10, 10, 30),  # zero width
            Quad([[5, 5], [5, 5], [5, 5], [5, 5]]),
            RotatedBox(20, 20, 0.2, 10, 15),
            Mask(np.zeros((4, 4), bool)),
        ],
    )
    assert got == [None, None, None, None]


def test_no_regions_no_crops() -> None:
    assert crop_regions(Image.fromarray(_noise()), []) == []


def test_a_non_shape_is_a_geometry_error() -> None:
    image = Image.fromarray(_noise())
    with pytest.raises(GeometryError, match=r"regions\[1\].*Box\(x0, y0, x1, y1\)"):
        crop_regions(image, [Box(0, 0, 5, 5), (0, 0, 5, 5)])  # type: ignore[list-item]


def test_the_pixel_limit_is_checked_before_cutting() -> None:
    image = Image.fromarray(_noise())
    regions = [Box(0, 0, 90, 60)] * 3
    with pytest.raises(ImageError, match="max_pixels=10000"):
        crop_regions(image, regions, max_pixels=10_000)
    assert len(crop_regions(image, regions, max_pixels=3 * 90 * 60)) == 3


@given(st.lists(convex_quads(), min_size=1, max_size=6))
def test_each_crop_corner_maps_onto_its_quad_corner(quads: list[Quad]) -> None:
    """Law: the homography takes the crop's corners TL, TR, BR, BL to the quad's.

    Batch equals one at a time: each quad's transform is the same alone.
    """
    corners = np.stack([q.points for q in quads])
    sizes, homographies = rectifying_transforms(corners)
    for i, quad in enumerate(quads):
        w, h = sizes[i].tolist()
        if w == 0 or h == 0:
            continue
        crop = np.array([[0, 0, 1], [w, 0, 1], [w, h, 1], [0, h, 1]], dtype=float)
        mapped = crop @ homographies[i].T
        xy = mapped[:, :2] / mapped[:, 2:]
        scale = 1.0 + np.abs(quad.points).max()
        assert np.allclose(xy, quad.points, atol=1e-6 * scale)
        alone_sizes, alone = rectifying_transforms(quad.points[None])
        assert alone_sizes[0].tolist() == [w, h]
        assert np.allclose(alone[0], homographies[i])


@given(rotated_boxes())
def test_a_rotated_box_crop_has_the_box_size(box: RotatedBox) -> None:
    """Law: a rectified rotated box is as wide and high as its quad (rounded).

    Rounded to the nearest pixel; at an exact half (a side of 1.5) the
    rotated corners' float error decides, so either neighbour is right there.
    """
    sizes, _ = rectifying_transforms(box.to_quad().points[None])
    w, h = sizes[0].tolist()
    quad = box.to_quad().points
    for size, side in (
        (w, float(np.linalg.norm(quad[1] - quad[0]))),
        (h, float(np.linalg.norm(quad[3] - quad[0]))),
    ):
        assert abs(size - side) <= 0.5 + 1e-9 * max(1.0, side)
        if abs(side % 1 - 0.5) > 1e-6:  # not a tie: the nearest whole pixel
            assert size == round(side)

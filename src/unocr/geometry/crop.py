"""Cut regions out of an image along their true shape: the rectifying crop.

A recognizer reads one upright line or word per image. :func:`crop_regions`
makes those images from regions of any shape, in one vectorised pass:

* a :class:`~unocr.geometry.Box` (or any shape whose quad is axis-aligned) is
  cut out, pixels copied unchanged: every pixel it touches, so a box of any
  positive width and height gives at least one pixel each way;
* a :class:`~unocr.geometry.RotatedBox` or :class:`~unocr.geometry.Quad` is
  rectified: a perspective warp maps its corners, in the canonical order TL,
  TR, BR, BL (top-left first, clockwise on screen), to the corners of an
  upright ``width x height`` image, TL at the crop's top-left;
* a :class:`~unocr.geometry.Polygon` or :class:`~unocr.geometry.Mask` is
  rectified through its minimum-area rotated rectangle (a polygon of exactly
  four vertices is a quad).

The crop is ``round(max(|TR - TL|, |BR - BL|))`` pixels wide and
``round(max(|BL - TL|, |BR - TR|))`` high, so a rotated region keeps its
resolution. Canonical corners start on the side nearest the +x axis, so text
turned by up to 45 degrees either way comes out upright.

A shape does not carry its text's reading direction (a quad's corners are
canonicalised, a rotated box's angle kept within 45 degrees of level), so a
region whose cut is at least :data:`TALL_RATIO` times as high as wide (a line
on a page turned on its side, or turned by more than 45 degrees) is taken for
text reading top to bottom and turned a quarter counter-clockwise, to read left
to right: the rule of RapidOCR and PaddleOCR. It applies where the regions'
text runs vertically (the tall cuts' heights add up to more than the other
cuts' widths), so a narrow word (``I``, ``1``) on an upright page is not
turned. Text reading bottom to top comes out upside down, which a recognizer
with a 0/180 degree direction classifier (RapidOCR's) puts right.
``turn_tall=True`` or ``False`` turns tall cuts always or never.

Coordinates are continuous pixels (pixel ``i`` spans ``[i, i + 1)``; its
centre is ``i + 0.5``), the convention of every shape. Parts of a region
outside the image are clipped: a box is cut to the image; a warped crop keeps
only the window that overlaps the image, and any corner left outside is
filled white (the colour unocr composites transparency on). A region with no
area inside the image gives ``None`` (an empty crop), as does a rectified
region whose crop rounds to no pixels (a side under half a pixel long).

Examples:
    >>> from PIL import Image
    >>> from unocr.geometry import Box, RotatedBox
    >>> image = Image.new("RGB", (100, 50), "white")
    >>> [c.size for c in crop_regions(image, [Box(10, 5, 40, 25)])]
    [(30, 20)]
    >>> crop_regions(image, [RotatedBox(50, 25, 40, 10, 30)])[0].size
    (40, 10)
    >>> crop_regions(image, [Box(200, 200, 300, 300)])
    [None]
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from PIL import Image

from unocr.errors import GeometryError, ImageError
from unocr.geometry._validate import FloatArray
from unocr.geometry.box import Box
from unocr.geometry.convert import validate_quads
from unocr.geometry.types import Geometry

__all__ = [
    "MAX_CROP_RATIO",
    "TALL_RATIO",
    "crop_regions",
    "edge_colour",
    "pad_to_ratio",
    "rectifying_transforms",
    "region_list",
    "region_quads",
]

#: Most a crop's long side may be, in multiples of its short side, when a
#: recognizer scales crops to its input height (:func:`pad_to_ratio`): a
#: line of text is rarely longer than 100 times its height, and at this ratio
#: a 48-pixel-high recognizer input is at most 4,800 pixels wide.
MAX_CROP_RATIO = 100.0

#: How many times as high as wide (or more) a region's cut is when
#: :func:`crop_regions` turns it a quarter counter-clockwise, taking it for a
#: line reading top to bottom: the threshold RapidOCR and PaddleOCR turn their
#: own line crops at.
TALL_RATIO = 1.5

# Output rectangle corners TL, TR, BR, BL in units of (width, height).
_UNIT = np.array([[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
# How far (pixels) an axis-aligned quad's corners may stray from its box.
_AXIS_TOLERANCE = 1e-6
_WHITE = (255, 255, 255)


def region_list(regions: Iterable[Geometry]) -> list[Geometry]:
    """The regions of a call as a list, refusing what is no collection of shapes.

    Args:
        regions: Shapes, in any iterable (a list, a tuple, a generator).

    Returns:
        The shapes, in order (each item is checked where it is read): a list
        given is returned as it is, not copied.

    Raises:
        GeometryError: ``regions`` is not an iterable of shapes (``None``, a
            string, a single shape).
    """
    if isinstance(regions, (str, bytes)) or not isinstance(regions, Iterable):
        raise GeometryError(
            "regions must be a list of shapes (Box, RotatedBox, Quad, Polygon "
            f"or Mask), got {type(regions).__name__}"
        )
    return regions if isinstance(regions, list) else list(regions)


def region_quads(regions: Sequence[Geometry]) -> tuple[FloatArray, NDArray[np.bool_]]:
    """The quad of each region, canonical corners TL, TR, BR, BL.

    Args:
        regions: Shapes in pixel coordinates.

    Returns:
        ``(N, 4, 2)`` float64 corners and an ``(N,)`` mask that is ``False``
        where the region has no quad (an empty :class:`~unocr.geometry.Mask`;
        its corners are zeros).

    Raises:
        GeometryError: An item is not a shape.
    """
    regions = region_list(regions)
    quads = np.zeros((len(regions), 4, 2))
    valid = np.ones(len(regions), dtype=bool)
    for i, region in enumerate(regions):
        if isinstance(region, Box):
            quads[i] = [
                [region.x0, region.y0],
                [region.x1, region.y0],
                [region.x1, region.y1],
                [region.x0, region.y1],
            ]
            continue
        to_quad = getattr(region, "to_quad", None)
        if to_quad is None:
            raise GeometryError(
                f"regions[{i}]: expected a Box, RotatedBox, Quad, Polygon or Mask, "
                f"got {type(region).__name__}; wrap coordinates in a shape, e.g. "
                "unocr.geometry.Box(x0, y0, x1, y1)"
            )
        try:
            quads[i] = to_quad().points
        except GeometryError:  # an empty mask
            valid[i] = False
    return quads, valid


def rectifying_transforms(quads: ArrayLike) -> tuple[NDArray[np.int64], FloatArray]:
    """Size and perspective transform of each quad's upright crop.

    The transform maps a point ``(x, y)`` of the crop (continuous pixels) to
    the image: ``X = (a x + b y + c) / (g x + h y + 1)``,
    ``Y = (d x + e y + f) / (g x + h y + 1)``, the coefficients
    ``(a, b, c, d, e, f, g, h)`` Pillow's ``Image.transform`` takes.

    Args:
        quads: ``(N, 4, 2)`` corners TL, TR, BR, BL in pixels.

    Returns:
        ``(N, 2)`` crop sizes ``(width, height)`` in whole pixels (``0`` where
        a side is shorter than half a pixel) and ``(N, 3, 3)`` homographies
        from crop to image (identity where the size is 0).

    Raises:
        GeometryError: On a wrong shape or NaN/inf.

    Examples:
        >>> sizes, h = rectifying_transforms([[[10, 10], [14, 10], [14, 12], [10, 12]]])
        >>> sizes.tolist(), (h[0] @ [4, 2, 1]).tolist()
        ([[4, 2]], [14.0, 12.0, 1.0])
    """
    q = validate_quads(quads)
    n = q.shape[0]
    side = np.linalg.norm(q - q[:, [1, 2, 3, 0]], axis=2)  # TL-TR, TR-BR, BR-BL, BL-TL
    width = np.rint(np.maximum(side[:, 0], side[:, 2]))
    height = np.rint(np.maximum(side[:, 1], side[:, 3]))
    sizes = np.stack([width, height], axis=1).astype(np.int64)
    homographies = np.broadcast_to(np.eye(3), (n, 3, 3)).copy()
    ok = (sizes > 0).all(axis=1)
    if not ok.any():
        sizes[~ok] = 0
        return sizes, homographies
    src = _UNIT[None] * sizes[ok, None, :]  # crop corners, (M, 4, 2)
    dst = q[ok]
    m = src.shape[0]
    a = np.zeros((m, 8, 8))
    b = np.empty((m, 8))
    x, y = src[..., 0], src[..., 1]
    big_x, big_y = dst[..., 0], dst[..., 1]
    a[:, 0::2, 0] = x
    a[:, 0::2, 1] = y
    a[:, 0::2, 2] = 1.0
    a[:, 0::2, 6] = -x * big_x
    a[:, 0::2, 7] = -y * big_x
    a[:, 1::2, 3] = x
    a[:, 1::2, 4] = y
    a[:, 1::2, 5] = 1.0
    a[:, 1::2, 6] = -x * big_y
    a[:, 1::2, 7] = -y * big_y
    b[:, 0::2] = big_x
    b[:, 1::2] = big_y
    # A rectangle maps onto a quad when no three of its corners are in a line.
    turn = dst[:, [1, 2, 3, 0]] - dst
    cross = (
        turn[:, :, 0] * turn[:, [3, 0, 1, 2], 1]
        - turn[:, :, 1] * turn[:, [3, 0, 1, 2], 0]
    )
    scale = 1.0 + np.abs(dst).max(axis=(1, 2))
    solvable = (np.abs(cross) > 1e-9 * scale[:, None] ** 2).all(axis=1)
    coeffs = np.zeros((m, 8))
    if solvable.any():
        coeffs[solvable] = np.linalg.solve(a[solvable], b[solvable, :, None])[..., 0]
    h = np.concatenate([coeffs, np.ones((m, 1))], axis=1).reshape(m, 3, 3)
    h[~solvable] = np.eye(3)
    homographies[ok] = h
    bad = np.flatnonzero(ok)[~solvable]
    sizes[~ok] = 0
    sizes[bad] = 0  # three corners in a line: no area to read
    return sizes, homographies


def _windows(
    sizes: NDArray[np.int64], homographies: FloatArray, width: int, height: int
) -> NDArray[np.int64]:
    """The part of each crop that shows the image: ``(N, 4)`` x0, y0, x1, y1."""
    n = sizes.shape[0]
    full = np.zeros((n, 4), dtype=np.int64)
    full[:, 2:] = sizes
    if n == 0:
        return full
    inverse = np.linalg.inv(homographies)
    corners = np.array(
        [[0.0, 0.0, 1.0], [width, 0.0, 1.0], [width, height, 1.0], [0.0, height, 1.0]]
    )
    mapped = np.einsum("nij,kj->nki", inverse, corners)  # (N, 4, 3)
    w = mapped[..., 2]
    in_front = (w > 0).all(axis=1)
    xy = mapped[..., :2] / np.where(w == 0, 1.0, w)[..., None]
    image_in_crop = shapely.polygons(np.where(in_front[:, None, None], xy, 0.0))
    crop = shapely.box(0.0, 0.0, sizes[:, 0], sizes[:, 1])
    with np.errstate(invalid="ignore"):
        bounds = shapely.bounds(shapely.intersection(image_in_crop, crop))
    empty = np.isnan(bounds).any(axis=1)
    lo = np.floor(np.nan_to_num(bounds[:, :2])).astype(np.int64)
    hi = np.ceil(np.nan_to_num(bounds[:, 2:])).astype(np.int64)
    win = np.concatenate([np.maximum(lo, 0), np.minimum(hi, sizes)], axis=1)
    win[empty] = 0
    # A perspective that folds the image behind the crop: keep the whole crop.
    return np.where(in_front[:, None], win, full)


def crop_regions(
    image: Image.Image,
    regions: Sequence[Geometry],
    *,
    max_pixels: int | None = None,
    turn_tall: bool | None = None,
) -> list[Image.Image | None]:
    """Cut each region out of the image, rectified to an upright crop.

    Args:
        image: The page image (any Pillow mode; unocr's decoded images are RGB).
        regions: Shapes in the image's pixel coordinates.
        max_pixels: Most pixels all crops may hold together, checked before
            any is cut; ``None`` for no limit.
        turn_tall: Turn the crop of a region at least :data:`TALL_RATIO`
            times as high as wide (its whole cut, in pixels, before clipping
            to the image) a quarter counter-clockwise, so text reading top to
            bottom reads left to right. ``None`` (default): where the text of
            the regions runs vertically, that is where the tall cuts' heights
            add up to more than the other cuts' widths (a page on its side;
            a narrow word, ``I``, among level lines is left as it is);
            ``True``: always; ``False``: never.

    Returns:
        One image per region, in order: the pixels of a box, or the warped
        (bilinear) rectangle of a rotated box, quad, polygon or mask, clipped
        to the image, then a tall one turned (``turn_tall``); ``None`` where
        the region has no area inside the image (or, rectified, rounds to no
        pixels).

    Raises:
        GeometryError: An item of ``regions`` is not a shape.
        ImageError: The crops would hold more than ``max_pixels`` pixels.
    """
    regions = region_list(regions)
    quads, valid = region_quads(regions)
    sizes, homographies = rectifying_transforms(quads)
    sizes[~valid] = 0
    windows = _windows(sizes, homographies, image.width, image.height)
    lo, hi = quads.min(axis=1), quads.max(axis=1)  # (N, 2) each
    box = np.concatenate([lo, hi], axis=1)
    aligned = (
        np.abs(quads - box[:, [[0, 1], [2, 1], [2, 3], [0, 3]]]).max(axis=(1, 2))
        <= _AXIS_TOLERANCE
    )
    windows[~sizes.all(axis=1)] = 0  # a warped crop rounded to no pixels
    cuts = _cut_boxes(box, image.width, image.height)
    windows = np.where(aligned[:, None], cuts, windows)
    windows[~valid] = 0
    # Each region's whole cut, before clipping: a box's sides, a warp's size.
    whole = np.where(aligned[:, None], box[:, 2:] - box[:, :2], sizes)
    tall = (whole[:, 1] >= TALL_RATIO * whole[:, 0]) & (whole[:, 0] > 0)
    if turn_tall is None:  # by the run of most of the text's length
        turn_tall = float(whole[tall & valid, 1].sum()) > float(
            whole[~tall & valid, 0].sum()
        )
    tall &= turn_tall
    area = np.clip(windows[:, 2] - windows[:, 0], 0, None) * np.clip(
        windows[:, 3] - windows[:, 1], 0, None
    )
    total = int(area.sum())
    if max_pixels is not None and total > max_pixels:
        raise ImageError(
            f"{len(regions)} regions would make crops of {total} pixels together, "
            f"more than max_pixels={max_pixels}; pass fewer or smaller regions, or "
            "raise max_pixels"
        )
    fill = _WHITE if image.mode == "RGB" else None
    out: list[Image.Image | None] = []
    for i in range(len(regions)):
        x0, y0, x1, y1 = windows[i].tolist()
        if area[i] == 0:
            out.append(None)
            continue
        if aligned[i]:
            crop = image.crop((x0, y0, x1, y1))
        else:
            h = homographies[i] @ np.array(
                [[1.0, 0.0, x0], [0.0, 1.0, y0], [0.0, 0.0, 1.0]]
            )
            h /= h[2, 2]
            crop = image.transform(
                (x1 - x0, y1 - y0),
                Image.Transform.PERSPECTIVE,
                tuple(h.reshape(9)[:8].tolist()),
                resample=Image.Resampling.BILINEAR,
                fillcolor=fill,
            )
        out.append(crop.transpose(Image.Transpose.ROTATE_90) if tall[i] else crop)
    return out


def _cut_boxes(box: FloatArray, width: int, height: int) -> NDArray[np.int64]:
    """The whole pixels each box touches, clipped to the image: ``(N, 4)``.

    An edge within the snap tolerance of a pixel border stays on it; a box
    with area inside the image touches at least one pixel each way (a box
    under a pixel wide, or within the tolerance of a border, the one its
    middle lies in); one without (zero width or height, or outside) none.
    """
    size = np.array([width, height], dtype=np.float64)
    lo_in = np.clip(box[:, :2], 0.0, size)  # the part inside the image
    hi_in = np.clip(box[:, 2:], 0.0, size)
    lo = np.clip(np.floor(box[:, :2] + _AXIS_TOLERANCE), 0, size)
    hi = np.clip(np.ceil(box[:, 2:] - _AXIS_TOLERANCE), 0, size)
    middle = np.clip(np.floor((lo_in + hi_in) / 2.0), 0, size - 1)
    thin = hi <= lo
    lo = np.where(thin, middle, lo)
    hi = np.where(thin, middle + 1, hi)
    empty = (hi_in <= lo_in).any(axis=1)
    out = np.concatenate([lo, hi], axis=1).astype(np.int64)
    out[empty] = 0
    return out


def edge_colour(pixels: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """An image's background: the median colour of its edge pixels.

    What unocr pads an image with, so the padding looks like the page
    around the text (dark, for light text on a dark ground).

    Args:
        pixels: ``(H, W)`` or ``(H, W, C)`` uint8 pixels, H and W >= 1.

    Returns:
        The colour: a ``(C,)`` uint8 array (``()`` for ``(H, W)`` input).

    Examples:
        >>> edge_colour(np.full((3, 4, 3), 7, np.uint8)).tolist()
        [7, 7, 7]
    """
    edge = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    colour: NDArray[np.uint8] = np.median(edge, axis=0).astype(np.uint8)
    return colour


def pad_to_ratio(crop: Image.Image, max_ratio: float = MAX_CROP_RATIO) -> Image.Image:
    """The crop, its short side padded to at least 1 / ``max_ratio`` of the long one.

    A recognizer scales each crop to its own input height, keeping the
    aspect ratio: a crop one pixel high and a thousand wide becomes an input
    tens of thousands of pixels wide, costing seconds and gigabytes for a
    region that holds no readable text. Padding its short side first bounds
    that input. The padding is the crop's background
    (:func:`edge_colour`), split evenly on both sides, so the content stays
    centred; a crop within the ratio is returned as it is.

    Args:
        crop: An RGB (or L) image, at least 1 x 1 pixels.
        max_ratio: Most the long side may be, in multiples of the short side
            (> 1); default :data:`MAX_CROP_RATIO`.

    Returns:
        ``crop`` itself, or a padded copy ``width x ceil(width / max_ratio)``
        (or the transposed case for a tall crop), in pixels.

    Examples:
        >>> from PIL import Image
        >>> pad_to_ratio(Image.new("RGB", (1000, 1)), 100).size
        (1000, 10)
        >>> pad_to_ratio(Image.new("RGB", (3, 600)), 100).size
        (6, 600)
        >>> pad_to_ratio(Image.new("RGB", (90, 30)), 100).size
        (90, 30)
    """
    width, height = crop.size
    need_h = -(-width // max_ratio) if width > height * max_ratio else height
    need_w = -(-height // max_ratio) if height > width * max_ratio else width
    need_w, need_h = int(need_w), int(need_h)
    if (need_w, need_h) == (width, height):
        return crop
    pixels = np.asarray(crop)
    out = np.empty((need_h, need_w, *pixels.shape[2:]), np.uint8)
    out[:] = edge_colour(pixels)
    top, left = (need_h - height) // 2, (need_w - width) // 2
    out[top : top + height, left : left + width] = pixels
    return Image.fromarray(out, crop.mode)

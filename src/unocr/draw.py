"""Draw OCR results on the image they came from.

Every element is outlined with its true shape: boxes as rectangles, quads,
rotated boxes and polygons as polygons through their vertices (a polygon's
holes too), masks along the edge of their pixels. Colours follow the
confidence (red for 0, through amber, to green for 1; blue where the engine
gives none), and labels with the recognised text can be drawn above each
element, in a font that covers the text (found with fontconfig, so Korean,
Chinese, Arabic... render where the system has such a font).

Examples:
    >>> from PIL import Image
    >>> from unocr.geometry import Box
    >>> from unocr.model import Page, Word
    >>> page = Page.from_words([Word(text="Hi", geometry=Box(10, 10, 40, 30),
    ...                              confidence=1.0)], width=64, height=48)
    >>> out = draw_page(page, Image.new("RGB", (64, 48), "white"))
    >>> out.getpixel((25, 10)) == confidence_color(1.0)
    True
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal, Union

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont

from unocr.backends.options import check_choice, check_count
from unocr.errors import ConfigError, ImageError

if TYPE_CHECKING:
    from unocr.geometry import Geometry, Mask
    from unocr.image import ImageInput
    from unocr.model import Element, Page

__all__ = [
    "LEVELS",
    "NO_CONFIDENCE_COLOR",
    "confidence_color",
    "draw_page",
    "find_font",
]

Level = Literal["block", "line", "word", "symbol"]
#: Levels :func:`draw_page` can draw.
LEVELS: tuple[str, ...] = ("block", "line", "word", "symbol")
#: Outline colour of elements without a confidence (RGB).
NO_CONFIDENCE_COLOR = (30, 120, 255)
#: Outline colour per level when ``color_by_confidence=False`` (RGB).
LEVEL_COLORS: dict[str, tuple[int, int, int]] = {
    "block": (200, 0, 200),
    "line": (0, 150, 220),
    "word": (0, 160, 60),
    "symbol": (230, 120, 0),
}

FontLike = Union[str, "os.PathLike[str]", ImageFont.FreeTypeFont, ImageFont.ImageFont]

# Fonts tried when fontconfig is missing, wide-coverage ones first.
_COMMON_FONTS = (
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/AppleSDGothicNeo.ttc",
    "C:\\Windows\\Fonts\\malgun.ttf",
    "C:\\Windows\\Fonts\\arial.ttf",
)


def confidence_color(confidence: float | None) -> tuple[int, int, int]:
    """Outline colour for a confidence: red (0) -> amber (0.5) -> green (1).

    Args:
        confidence: In [0, 1], or ``None``.

    Returns:
        An RGB triple; :data:`NO_CONFIDENCE_COLOR` for ``None``.
    """
    if confidence is None:
        return NO_CONFIDENCE_COLOR
    c = min(1.0, max(0.0, float(confidence)))
    if c < 0.5:
        t = c / 0.5
        return (220, round(30 + t * (170 - 30)), 30)
    t = (c - 0.5) / 0.5
    return (round(220 - t * (220 - 20)), round(170 + t * (160 - 170)), 30)


def _elements(page: Page, level: str) -> Sequence[Element]:
    if level == "block":
        return page.blocks
    if level == "line":
        return page.lines
    if level == "word":
        return page.words
    return page.symbols


def _outlines(geometry: Geometry) -> list[NDArray[np.float64]]:
    """The rings to draw, ``(K, 2)`` pixels each: exterior first, then holes.

    Masks give none (:func:`_draw_mask` draws them along their pixels).
    """
    from unocr.geometry import Box, Mask, Polygon, Quad, RotatedBox

    if isinstance(geometry, Box):
        return [geometry.hull_points()]  # TL, TR, BR, BL
    if isinstance(geometry, RotatedBox):
        return [np.asarray(geometry.to_quad().points, dtype=np.float64)]
    if isinstance(geometry, Quad):
        return [np.asarray(geometry.points, dtype=np.float64)]
    if isinstance(geometry, Polygon):
        return [
            np.asarray(ring, dtype=np.float64)
            for ring in (geometry.points, *geometry.holes)
        ]
    if isinstance(geometry, Mask):
        return []
    polygon = geometry.to_polygon()  # pragma: no cover
    return [np.asarray(r) for r in (polygon.points, *polygon.holes)]  # pragma: no cover


def _draw_mask(
    canvas: Image.Image, mask: Mask, color: tuple[int, int, int], width: int
) -> None:
    """Colour the edge pixels of ``mask`` (thickened inwards) on ``canvas``.

    Only the canvas window under the mask's edge pixels is read and written
    back, so the cost grows with the mask's size, not the page's.

    Args:
        canvas: The RGB image drawn on, modified in place.
        mask: The mask; its pixel ``(i, j)`` falls on canvas pixel
            ``(floor(x) + j, floor(y) + i)`` for ``origin = (x, y)``.
        color: RGB outline colour.
        width: Outline width in pixels (>= 1).
    """
    xs, ys = _mask_edge(mask, width)
    inside = (xs >= 0) & (ys >= 0) & (xs < canvas.width) & (ys < canvas.height)
    if not inside.any():
        return
    xs, ys = xs[inside], ys[inside]
    left, top = int(xs.min()), int(ys.min())
    window = np.array(canvas.crop((left, top, int(xs.max()) + 1, int(ys.max()) + 1)))
    window[ys - top, xs - left] = color
    canvas.paste(Image.fromarray(window, "RGB"), (left, top))


def _mask_edge(mask: Mask, width: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The pixels an outline of ``mask`` covers: its edge, thickened inwards.

    Args:
        mask: The mask; its pixel ``(i, j)`` falls on canvas pixel
            ``(floor(x) + j, floor(y) + i)`` for ``origin = (x, y)``.
        width: Outline width in pixels (>= 1).

    Returns:
        ``(xs, ys)``: canvas columns and rows of the outline's pixels, ``(N,)``
        each (``N = 0`` for an empty mask), possibly outside the canvas.
    """
    data = np.asarray(mask.data, dtype=bool)
    padded = np.pad(data, 1)
    inner = (
        padded[1:-1, 1:-1]
        & padded[:-2, 1:-1]
        & padded[2:, 1:-1]
        & padded[1:-1, :-2]
        & padded[1:-1, 2:]
    )
    edge = data & ~inner
    for _ in range(max(0, width - 1)):  # thicken inwards
        grown = np.pad(edge, 1)
        edge = data & (
            edge
            | grown[:-2, 1:-1]
            | grown[2:, 1:-1]
            | grown[1:-1, :-2]
            | grown[1:-1, 2:]
        )
    rows, cols = np.nonzero(edge)
    ox, oy = mask.origin
    return cols + int(np.floor(ox)), rows + int(np.floor(oy))


def _fc(args: list[str]) -> list[str]:
    exe = shutil.which(args[0])
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [exe, *args[1:]], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]


def _font_rank(entry: tuple[str, str]) -> tuple[int, str]:
    path, style = entry
    name = os.path.basename(path).lower()
    style = style.lower()
    slanted = any(k in name or k in style for k in ("italic", "oblique"))
    heavy = any(k in style for k in ("bold", "black", "heavy", "light", "thin"))
    narrow = any(k in name for k in ("condensed", "mono", "narrow"))
    sans = any(k in name for k in ("sans", "gothic", "arial", "helvet"))
    return (4 * slanted + 2 * heavy + narrow + (not sans), name)


@functools.lru_cache(maxsize=256)
def _covering_font(text: str) -> str | None:
    """A font file holding every character of ``text`` (fontconfig), or None."""
    chars = sorted({ord(c) for c in text if not c.isspace()})
    if not chars:
        return None
    charset = " ".join(f"{c:x}" for c in chars[:400])
    entries = []
    for item in _fc(["fc-list", f":charset={charset}", "file", "style"]):
        path, _, rest = item.partition(":")
        style = rest.split("style=", 1)[-1] if "style=" in rest else ""
        if os.path.isfile(path.strip()):
            entries.append((path.strip(), style))
    return min(entries, key=_font_rank)[0] if entries else None


@functools.lru_cache(maxsize=64)
def find_font(text: str = "") -> str | None:
    """Find a font file whose glyphs cover ``text``.

    Asks fontconfig for fonts holding every character (``fc-list
    ':charset=...'``), preferring regular sans-serif faces; falls back to
    ``fc-match`` for the script's language (e.g. ``:lang=ko`` for Hangul) and
    then to common font paths.

    Args:
        text: The characters the font must cover (whitespace is ignored).

    Returns:
        A font file path, or ``None`` when none is found (the caller then
        uses PIL's built-in font, which covers Latin only).
    """
    covering = _covering_font(text)
    if covering is not None:
        return covering
    chars = sorted({ord(c) for c in text if not c.isspace()})
    if any(0xAC00 <= c <= 0xD7A3 or 0x1100 <= c <= 0x11FF for c in chars):
        pattern = ":lang=ko"
    elif any(0x4E00 <= c <= 0x9FFF for c in chars):
        pattern = ":lang=zh"
    elif any(0x3040 <= c <= 0x30FF for c in chars):
        pattern = ":lang=ja"
    elif any(0x0600 <= c <= 0x06FF for c in chars):
        pattern = ":lang=ar"
    elif any(0x0590 <= c <= 0x05FF for c in chars):
        pattern = ":lang=he"
    else:
        pattern = "sans-serif"
    for path in _fc(["fc-match", "-f", "%{file}\n", pattern]):
        if os.path.isfile(path):
            return path
    for path in _COMMON_FONTS:
        if os.path.isfile(path):
            return path
    return None


def _load_font(
    font: FontLike | None, text: str, size: int
) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if isinstance(font, (ImageFont.FreeTypeFont, ImageFont.ImageFont)):
        return font
    path = os.fspath(font) if font is not None else find_font(text)
    if path is not None:
        try:
            return ImageFont.truetype(path, size=size)
        except OSError:
            if font is not None:
                raise ConfigError(f"cannot load the font file {path!r}") from None
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has no sized default font
        return ImageFont.load_default()


def draw_page(
    page: Page,
    image: ImageInput | None = None,
    *,
    level: Level | str = "word",
    labels: bool = False,
    color_by_confidence: bool = True,
    width: int = 2,
    font: FontLike | None = None,
) -> Image.Image:
    """Outline a page's elements on a copy of its image.

    Args:
        page: The OCR result; its coordinates must refer to ``image``.
        image: The image the page was read from: any input :func:`unocr.read`
            accepts (path, bytes, file object, PIL image, (H, W[, C]) uint8
            array, PDF). Of a document (a PDF, a multi-page TIFF or GIF) the
            page's own page is drawn on, a PDF page rendered at the page's
            dpi. ``None``: the file in ``page.source``.
        level: ``"block"``, ``"line"``, ``"word"`` or ``"symbol"``.
        labels: Draw each element's text above its top-left corner.
        color_by_confidence: Colour outlines by confidence
            (:func:`confidence_color`); otherwise one colour per level
            (:data:`LEVEL_COLORS`).
        width: Outline width in pixels (>= 1).
        font: Label font: a font file path or a PIL font; default a font found
            by :func:`find_font` to cover the labels' characters.

    Returns:
        A new RGB image of the same size as ``image``; the input is untouched.

    Raises:
        unocr.errors.ConfigError: Unknown level or a width below 1.
        unocr.errors.ImageError: The image cannot be read, has no page of the
            page's number, its size (after its EXIF orientation) is not the
            page's, or no image is given and the page has no source file.
        unocr.errors.DocumentError: The PDF cannot be read.
    """
    from unocr.documents.page_image import page_image
    from unocr.geometry import Mask

    check_choice(level, "level", LEVELS)
    check_count(width, "width")
    loaded = page_image(page, image)
    if (loaded.width, loaded.height) != (page.width, page.height):
        raise ImageError(
            f"{loaded.name}: the image is {loaded.width}x{loaded.height} pixels but "
            f"the page is {page.width}x{page.height}; pass the image the page was "
            "read from",
            item=loaded.name,
        )
    canvas = loaded.image.convert("RGB").copy()
    elements = _elements(page, level)
    draw = ImageDraw.Draw(canvas)

    def color_of(el: Element) -> tuple[int, int, int]:
        if color_by_confidence:
            return confidence_color(el.confidence)
        return LEVEL_COLORS[level]

    for el in elements:
        color = color_of(el)
        geometry = el.geometry
        if isinstance(geometry, Mask):
            _draw_mask(canvas, geometry, color, width)
            draw = ImageDraw.Draw(canvas)
            continue
        for ring in _outlines(geometry):
            if len(ring) == 0:
                continue
            xy = [(float(x), float(y)) for x, y in ring]
            draw.line([*xy, xy[0]], fill=color, width=width, joint="curve")

    if labels and elements:
        _draw_labels(canvas, elements, color_of, font)
    return canvas


def _script_key(text: str) -> str:
    """The label's non-ASCII characters: labels sharing them share a font."""
    return "".join(sorted({c for c in text if ord(c) > 127})) or "A"


def _draw_labels(
    canvas: Image.Image,
    elements: Sequence[Element],
    color_of: Callable[[Element], tuple[int, int, int]],
    font: FontLike | None,
) -> None:
    heights = [
        max(1.0, el.geometry.bounds.y1 - el.geometry.bounds.y0) for el in elements
    ]
    size = int(min(48, max(10, float(np.median(heights)) * 0.5)))
    text = "".join(el.text for el in elements)
    face = _load_font(font, text, size)
    faces: dict[str, ImageFont.FreeTypeFont | ImageFont.ImageFont] = {}
    if font is None and _covering_font(text) is None:
        # No single font covers every label: pick one per script mix.
        faces = {
            key: _load_font(None, key, size)
            for key in {_script_key(el.text) for el in elements}
        }
    draw = ImageDraw.Draw(canvas)
    for el in elements:
        if not el.text:
            continue
        face = faces.get(_script_key(el.text), face)
        b = el.geometry.bounds
        left, top, right, bottom = draw.textbbox((0, 0), el.text, font=face)
        tw, th = right - left, bottom - top
        x = max(0.0, min(b.x0, canvas.width - tw - 2))
        y = b.y0 - th - 4
        if y < 0:
            y = min(b.y1 + 2, canvas.height - th - 2)
        draw.rectangle((x, y, x + tw + 2, y + th + 2), fill=color_of(el))
        draw.text((x + 1 - left, y + 1 - top), el.text, fill=(255, 255, 255), font=face)

"""Drawing results: true shapes outlined, colours by confidence, labels."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

import unocr
from unocr.draw import (
    LEVEL_COLORS,
    NO_CONFIDENCE_COLOR,
    confidence_color,
    draw_page,
    find_font,
)
from unocr.errors import ImageError
from unocr.geometry import Box, Mask, Polygon, Quad, RotatedBox
from unocr.model import Block, Line, Page, Word

from .pdf_factory import image_pdf

WHITE = (255, 255, 255)
QUAD = Quad([[100, 50], [300, 90], [280, 190], [80, 150]])


def page_with(*words: Word, width: int = 400, height: int = 300) -> Page:
    return Page(
        width=width,
        height=height,
        blocks=(Block.from_lines([Line.from_words(words, native=True)]),),
    )


def blank(width: int = 400, height: int = 300) -> Image.Image:
    return Image.new("RGB", (width, height), WHITE)


def test_quad_is_outlined_as_a_quad_not_its_box():
    page = page_with(Word(text="q", geometry=QUAD, confidence=0.9))
    out = draw_page(page, blank(), width=3)
    color = confidence_color(0.9)
    # midpoints of the four edges carry the outline colour
    pts = QUAD.points
    for a, b in zip(pts, np.roll(pts, -1, axis=0), strict=True):
        mx, my = (a + b) / 2
        assert out.getpixel((round(mx), round(my))) == color
    # inside the bounding box but outside the quad: untouched
    for xy in [(290, 55), (85, 60), (90, 185), (295, 180), (290, 50), (80, 60)]:
        assert out.getpixel(xy) == WHITE, xy
    # inside the quad: untouched (outline only)
    assert out.getpixel((190, 120)) == WHITE


def test_box_polygon_and_rotated_box_outlines():
    poly = Polygon([[200, 20], [260, 40], [250, 100], [190, 90], [170, 50]])
    rot = RotatedBox(100, 220, 120, 40, 30)
    page = page_with(
        Word(text="b", geometry=Box(20, 20, 120, 60), confidence=None),
        Word(text="p", geometry=poly, confidence=0.0),
        Word(text="r", geometry=rot, confidence=1.0),
    )
    out = draw_page(page, blank(), width=2)
    assert out.getpixel((70, 20)) == NO_CONFIDENCE_COLOR  # top edge of the box
    assert out.getpixel((70, 40)) == WHITE
    assert out.getpixel((230, 30)) == confidence_color(0.0)  # edge 0-1 midpoint
    assert out.getpixel((175, 25)) == WHITE  # in the polygon's bounds, outside it
    q = rot.to_quad().points
    mx, my = (q[0] + q[1]) / 2
    assert out.getpixel((round(mx), round(my))) == confidence_color(1.0)
    b = rot.bounds
    assert out.getpixel((round(b.x0) + 2, round(b.y0) + 2)) == WHITE


def test_mask_is_outlined_along_its_pixels():
    data = np.zeros((40, 60), dtype=bool)
    data[5:35, 5:55] = True
    data[5:20, 5:20] = False  # an L shape
    page = page_with(
        Word(text="m", geometry=Mask(data, origin=(100, 100)), confidence=0.5)
    )
    out = draw_page(page, blank(), width=1)
    color = confidence_color(0.5)
    assert out.getpixel((100 + 30, 100 + 5)) == color  # top edge of the L
    assert out.getpixel((100 + 5, 100 + 30)) == color  # left edge, lower part
    assert out.getpixel((100 + 20, 100 + 10)) == color  # the notch's inner edge
    assert out.getpixel((100 + 30, 100 + 25)) == WHITE  # inside
    assert out.getpixel((100 + 10, 100 + 10)) == WHITE  # the notch (outside)


def test_colours_follow_confidence():
    red, amber, green = (
        confidence_color(0.0),
        confidence_color(0.5),
        confidence_color(1.0),
    )
    assert red[0] > 200 and red[1] < 60
    assert amber[0] > 200 and amber[1] > 150
    assert green[1] > 150 and green[0] < 40
    assert confidence_color(None) == NO_CONFIDENCE_COLOR
    assert len({confidence_color(c / 10) for c in range(11)}) == 11


def test_level_colours_and_levels():
    word = Word(text="w", geometry=Box(50, 50, 100, 80), confidence=0.3)
    line = Line(text="w", geometry=Box(40, 40, 200, 90), confidence=0.3, words=(word,))
    page = Page(width=300, height=200, blocks=(Block.from_lines([line], native=True),))
    words = draw_page(page, blank(300, 200), color_by_confidence=False)
    assert words.getpixel((75, 50)) == LEVEL_COLORS["word"]
    assert words.getpixel((120, 40)) == WHITE  # the line is not drawn
    lines = draw_page(page, blank(300, 200), level="line", color_by_confidence=False)
    assert lines.getpixel((120, 40)) == LEVEL_COLORS["line"]
    assert lines.getpixel((75, 50)) == WHITE
    blocks = draw_page(page, blank(300, 200), level="block")
    assert blocks.getpixel((120, 40)) == confidence_color(0.3)


def test_width_thickens_the_outline():
    page = page_with(Word(text="b", geometry=Box(50, 50, 150, 150), confidence=1.0))
    thin = draw_page(page, blank(), width=1)
    thick = draw_page(page, blank(), width=7)
    assert thin.getpixel((100, 53)) == WHITE
    assert thick.getpixel((100, 53)) == confidence_color(1.0)


def test_input_is_not_modified_and_any_image_input_works(tmp_path):
    page = page_with(Word(text="q", geometry=QUAD, confidence=0.9))
    image = blank()
    out = draw_page(page, image)
    assert out is not image and image.getpixel((200, 70)) == WHITE
    assert out.mode == "RGB" and out.size == image.size
    array = np.full((300, 400, 3), 255, dtype=np.uint8)
    assert draw_page(page, array).getpixel((200, 70)) == confidence_color(0.9)
    path = tmp_path / "white.png"
    blank().convert("L").save(path)
    assert draw_page(page, path).getpixel((200, 70)) == confidence_color(0.9)
    assert page.draw(path).getpixel((200, 70)) == confidence_color(0.9)


def test_bad_arguments():
    page = page_with(Word(text="q", geometry=QUAD))
    with pytest.raises(
        ValueError, match="level must be 'block', 'line', 'word' or 'symbol'"
    ):
        draw_page(page, blank(), level="paragraph")
    with pytest.raises(ValueError, match="width"):
        draw_page(page, blank(), width=0)
    # an image other than the page's: outlines would land anywhere
    with pytest.raises(ImageError, match="image is 200x300 pixels but the page is"):
        draw_page(page, blank(width=200))
    with pytest.raises(ImageError, match="400x300"):
        page.draw(blank(width=300, height=400))  # the page's size, turned
    # no image, and no source file to load it from
    with pytest.raises(
        ImageError, match=r"no source file.*pass the image it was read from"
    ):
        draw_page(page)


# ----------------------------------------------------------- pages of documents


SQUARES = [40, 140, 260]  # page k has one black square centred at x=SQUARES[k]


def squares(count: int) -> list[Image.Image]:
    """Pages of 400x200 pixels, each with its black square in another place."""
    pages = []
    for x in SQUARES[:count]:
        image = blank(400, 200)
        ImageDraw.Draw(image).rectangle((x - 20, 80, x + 19, 119), fill=(0, 0, 0))
        pages.append(image)
    return pages


def assert_drawn_on(out: Image.Image, page_index: int, count: int) -> None:
    """``out`` is page ``page_index`` (its square inked, the others' white)."""
    assert out.size == (400, 200)
    for k, x in enumerate(SQUARES[:count]):
        expected = (0, 0, 0) if k == page_index else WHITE
        assert out.getpixel((x, 100)) == expected, (k, page_index)
    assert out.getpixel((SQUARES[page_index] - 20, 100)) == confidence_color(1.0)


def test_a_pdf_page_is_drawn_on_its_own_page_of_the_pdf(ink, tmp_path):
    pdf = image_pdf(tmp_path / "two.pdf", squares(2), dpi=100)
    pages = list(unocr.read_pages(pdf, backend=ink, dpi=100))
    for page_index in (1, 0):
        page = pages[page_index]
        assert_drawn_on(page.draw(pdf), page_index, 2)
        for image in (str(pdf), pdf.read_bytes(), None):
            assert_drawn_on(draw_page(page, image), page_index, 2)


def test_a_tiff_frame_is_drawn_on_its_own_frame(ink, tmp_path):
    tiff = tmp_path / "three.tif"
    first, *rest = squares(3)
    first.save(tiff, save_all=True, append_images=rest, compression="tiff_deflate")
    pages = list(unocr.read_pages(tiff, backend=ink))
    assert [p.source.index for p in pages] == [0, 1, 2]
    for page_index in (2, 1, 0):
        page = pages[page_index]
        assert_drawn_on(page.draw(tiff), page_index, 3)
        for image in (tiff.read_bytes(), None):
            assert_drawn_on(draw_page(page, image), page_index, 3)
        assert_drawn_on(page.draw(), page_index, 3)
    # an image of the page alone (one frame) is that page
    single = tmp_path / "third.png"
    squares(3)[2].save(single)
    assert_drawn_on(pages[2].draw(single), 2, 3)
    # a document without the page's page is an error, not another page
    pdf = image_pdf(tmp_path / "two.pdf", squares(2), dpi=72)
    with pytest.raises(ImageError, match=r"two\.pdf: the page is page 3 .* 2 page"):
        pages[2].draw(pdf)


def test_labels_are_drawn_above_the_element():
    page = page_with(
        Word(text="Label", geometry=Box(100, 150, 200, 180), confidence=1.0)
    )
    plain = draw_page(page, blank())
    labelled = draw_page(page, blank(), labels=True)
    diff = ImageChops.difference(plain, labelled).getbbox()
    assert diff is not None
    x0, _, _, y1 = diff
    assert y1 <= 150 and x0 >= 99  # above the box, starting at its left edge
    assert labelled.getpixel((101, y1 - 1)) == confidence_color(1.0)  # label background


def _glyph_bitmap(font: ImageFont.FreeTypeFont, ch: str) -> bytes:
    image = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(image).text((4, 4), ch, font=font, fill=255)
    return image.tobytes()


@pytest.mark.skipif(shutil.which("fc-list") is None, reason="fontconfig not installed")
def test_korean_labels_get_a_font_with_hangul():
    path = find_font("한국어 label")
    if path is None:
        pytest.skip("no font with Hangul installed (apt-get install fonts-nanum)")
    font = ImageFont.truetype(path, 40)
    # Distinct Hangul syllables render distinctly (no .notdef boxes)
    assert _glyph_bitmap(font, "한") != _glyph_bitmap(font, "국")
    assert any(_glyph_bitmap(font, "한"))
    page = page_with(
        Word(text="한국어", geometry=Box(100, 150, 200, 180), confidence=0.5)
    )
    out = draw_page(page, blank(), labels=True)
    assert ImageChops.difference(out, draw_page(page, blank())).getbbox() is not None


def test_explicit_font_is_used(tmp_path):
    page = page_with(Word(text="abc", geometry=Box(100, 150, 200, 180)))
    default = ImageFont.load_default(size=12)
    out = draw_page(page, blank(), labels=True, font=default)
    assert out.size == (400, 300)
    with pytest.raises(ValueError, match="cannot load the font"):
        draw_page(page, blank(), labels=True, font=tmp_path / "missing.ttf")

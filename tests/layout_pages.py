"""Pages with a known reading order, for the reading-order tests.

:func:`row_of_words` lays words out in a row as an engine reports them, with
no image. Each rendered page is drawn with Pillow's bundled scalable font (no system font
needed) and comes with its ground truth: the lines' text in reading order.
Besides the image, each page lists the regions a block must not straddle
(the gutter of a two-column page), in pixels.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from PIL import Image, ImageDraw, ImageFont

from unocr.geometry import Box
from unocr.model import Word

SIZE = 30  # font size in pixels
LEADING = 44  # baseline to baseline, pixels

PROSE = (
    "Reading order matters as much as the letters themselves. A program that "
    "reads every word of a page correctly but in the wrong order produces text "
    "nobody can use. Columns must be read one after the other, from the top "
    "of the first column to its foot, then the next one. Tables are read row "
    "by row, and a receipt pairs each item with its price on the same line. "
    "Engines that only report lines leave this work to the library that "
    "wraps them, which must find the columns, the rows and the blocks from "
    "the positions of the lines alone, without seeing the image again. "
    "Simple rules work surprisingly well on printed pages, but forms, "
    "receipts and rotated scans need care, and each rule has its limits."
)

PROSE_2 = (
    "Measuring the error of a whole page needs a reference in the same order "
    "as a person would read it. Character error rates then tell how many "
    "edits turn the output into the reference. A bag of words instead "
    "ignores the order and shows what was misread regardless of layout. "
    "Both numbers together tell an engine that misreads from one that reads "
    "well but scrambles the page."
)


def row_of_words(
    texts: Iterable[str],
    start: float,
    top: float,
    *,
    height: float,
    char: float = 10,
    space: float = 10,
    leftwards: bool = False,
) -> list[Word]:
    """Words in one row, as an engine reports them, first word at ``start``.

    Args:
        texts: The words, in the order they are laid out.
        start: The first word's left edge (its right edge if ``leftwards``),
            in pixels.
        top: The row's top, in pixels.
        height: The row's height, in pixels.
        char: Each character's width, in pixels.
        space: The gap between two words, in pixels.
        leftwards: Lay the words out from right to left.

    Returns:
        The words, boxes in pixels, in the order of ``texts``.
    """
    words, x = [], start
    for text in texts:
        width = char * len(text)
        x0, x1 = (x - width, x) if leftwards else (x, x + width)
        words.append(Word(text=text, geometry=Box(x0, top, x1, top + height)))
        x += -(width + space) if leftwards else width + space
    return words


@dataclass
class RenderedPage:
    """A synthetic page and its ground truth.

    Attributes:
        name: Short identifier.
        image: The page, RGB.
        lines: Ground-truth line texts in reading order.
        gutters: Ranges ``(lo, hi)`` in pixels that separate columns: x
            ranges, y ranges on the page turned by 90 degrees.
    """

    name: str
    image: Image.Image
    lines: list[str]
    gutters: list[tuple[float, float]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The ground truth, lines joined by newlines."""
        return "\n".join(self.lines)


def _font(size: int = SIZE) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def _wrap(text: str, width: float, font: ImageFont.FreeTypeFont) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and font.getlength(trial) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    if current:
        lines.append(current)
    return lines


def two_columns() -> RenderedPage:
    """A title over two prose columns, then a full-width footer."""
    font = _font()
    img = Image.new("RGB", (1400, 1300), "white")
    draw = ImageDraw.Draw(img)
    out = ["How people read a page: columns, tables and receipts"]
    draw.text((80, 50), out[0], font=_font(44), fill="black")
    col_width, gutter = 580, 80
    columns = [_wrap(PROSE, col_width, font), _wrap(PROSE_2, col_width, font)]
    left = 80
    for k, col in enumerate(columns):
        x = left + k * (col_width + gutter)
        for i, text in enumerate(col):
            draw.text((x, 150 + i * LEADING), text, font=font, fill="black")
        out.extend(col)
    bottom = 150 + max(len(c) for c in columns) * LEADING + 60
    footer = (
        "Page 17 of the collected notes on layout, printed for the reading order tests"
    )
    draw.text((80, bottom), footer, font=font, fill="black")
    out.append(footer)
    g0 = left + col_width
    return RenderedPage("two-columns", img, out, [(g0 + 10, g0 + gutter - 10)])


def table() -> RenderedPage:
    """A table of short cells far apart: read row by row."""
    font = _font()
    rows = [
        ["Item", "Qty", "Unit", "Total"],
        ["Apples", "3", "1.20", "3.60"],
        ["Pears", "10", "0.90", "9.00"],
        ["Bread", "1", "2.45", "2.45"],
        ["Cheese", "2", "4.10", "8.20"],
        ["Coffee", "1", "6.99", "6.99"],
    ]
    img = Image.new("RGB", (1200, 520), "white")
    draw = ImageDraw.Draw(img)
    xs = [80, 420, 640, 900]
    for r, row in enumerate(rows):
        for x, cell in zip(xs, row, strict=True):
            draw.text((x, 60 + r * 70), cell, font=font, fill="black")
    return RenderedPage("table", img, [c for row in rows for c in row])


def receipt() -> RenderedPage:
    """A receipt: centred header, items with their amounts right-aligned."""
    font = _font()
    img = Image.new("RGB", (900, 1100), "white")
    draw = ImageDraw.Draw(img)
    out: list[str] = []
    y = 40
    for head in ("GREEN LEAF CAFE", "12 Harbour Road, Penang", "TAX INVOICE"):
        w = font.getlength(head)
        draw.text(((900 - w) / 2, y), head, font=font, fill="black")
        out.append(head)
        y += LEADING
    y += 30
    items = [
        ("Nasi Lemak Special", "12.50"),
        ("Teh Tarik", "2.80"),
        ("Roti Canai x2", "3.00"),
        ("Mee Goreng", "8.90"),
        ("Iced Lemon Tea", "3.50"),
        ("Subtotal", "30.70"),
        ("Service Tax 6%", "1.84"),
        ("TOTAL", "32.54"),
        ("Cash", "50.00"),
        ("Change", "17.46"),
    ]
    for label, amount in items:
        draw.text((60, y), label, font=font, fill="black")
        draw.text((840 - font.getlength(amount), y), amount, font=font, fill="black")
        out.extend([label, amount])
        y += LEADING + 6
    y += 30
    bye = "Thank you, please come again"
    draw.text(((900 - font.getlength(bye)) / 2, y), bye, font=font, fill="black")
    out.append(bye)
    return RenderedPage("receipt", img, out)


def turned_90() -> RenderedPage:
    """The two-column page turned 90 degrees clockwise."""
    page = two_columns()
    image = page.image.transpose(Image.Transpose.ROTATE_270)  # clockwise
    # The gutter's x range becomes a y range (x -> y when turned clockwise).
    return RenderedPage("turned-90", image, page.lines, page.gutters)


def rendered_pages() -> list[RenderedPage]:
    """Every synthetic page."""
    return [two_columns(), table(), receipt(), turned_90()]

"""Searchable PDF out: page images with an invisible text layer (:func:`save_pdf`).

Written with pikepdf (the Python binding of qpdf, a maintained C++ PDF
library), so the file structure, cross-reference table and compression are
qpdf's, not hand-made. Each page holds its image, drawn over the whole page,
and every word as invisible text (text render mode 3, as Tesseract and
OCRmyPDF write it) in a "glyphless" font: a Type0 font with the Identity-H
encoding whose character codes are the text's UTF-16 code units, mapped back
to Unicode by an identity ``ToUnicode`` map, so any script is stored without
a real font. As Tesseract does, the font embeds a TrueType program of one
glyph without ink (:func:`_glyphless_font_file`) that every code is drawn
with: no reader substitutes a font of its own, whose ink (descenders,
overhangs) PDFium would add to the characters' boxes. Every character
advances half an em; each word's font size is its box height and its
horizontal scaling (``Tz``) stretches it to its box width, with the baseline
along the word's bottom edge (rotated for quads and rotated boxes, slanted
for a slanted quad), so a viewer's selection and a text extractor's boxes
lie on the words in the image, and the text layer reads back box for box.
Right-to-left words are written as Tesseract writes them, in logical order
under a mirrored text matrix, so PDF readers copy them in logical order (see
:func:`_word_ops`).
"""

from __future__ import annotations

import io
import math
import os
import struct
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from unocr._direction import is_rtl
from unocr._files import write_destination
from unocr.documents.pdf import require_pdf_library
from unocr.errors import DocumentError, FormatError
from unocr.image import real_dpi
from unocr.limits import DEFAULT_MAX_PIXELS
from unocr.model import Word

if TYPE_CHECKING:
    from unocr.image import ImageInput, LoadedImage
    from unocr.model import Page

__all__ = ["save_pdf"]

Vector = tuple[float, float]

_FONT_NAME = "GlyphLessFont"
_ADVANCE = 500  # glyph advance in 1/1000 em: every character is half an em wide
_EM = 1000  # the embedded font's units per em
_DEFAULT_IMAGE_DPI = 300.0
_CMAP_HEAD = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
"""
_CMAP_TAIL = b"""endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""
# Codes D800-DFFF (lone UTF-16 surrogates, never text on their own) stand for
# characters beyond U+FFFF, one code each, mapped to their surrogate pairs:
# 2048 of them per font, so a document using more has further fonts, each
# with its own ToUnicode map (font 0 also holds the BMP, as its code points).
_EXTRA_FIRST, _EXTRA_LAST = 0xD800, 0xDFFF
_EXTRA_PER_FONT = _EXTRA_LAST - _EXTRA_FIRST + 1

#: Text as shown: runs of (font number, its two-byte character codes).
Runs = list[tuple[int, bytes]]


class _Codes:
    """Character codes of the glyphless fonts and their ``ToUnicode`` maps."""

    def __init__(self) -> None:
        self.extra: dict[str, int] = {}  # character -> its number among them
        self.highs: set[int] = set()  # high bytes of the BMP codes in use

    @property
    def fonts(self) -> int:
        """How many fonts the codes in use need (at least one)."""
        return 1 + max(0, len(self.extra) - 1) // _EXTRA_PER_FONT

    def encode(self, text: str) -> Runs:
        """Two bytes per character, in runs of one font each.

        A BMP character is its code point in font 0; a character beyond
        U+FFFF is a code of its own, in the font holding it.
        """
        runs: Runs = []
        for char in text:
            point = ord(char)
            font = 0
            if 0xD800 <= point <= 0xDFFF:
                point = 0xFFFD  # a lone surrogate is not text
            if point > 0xFFFF:
                number = self.extra.setdefault(char, len(self.extra))
                font, offset = divmod(number, _EXTRA_PER_FONT)
                point = _EXTRA_FIRST + offset
            else:
                self.highs.add(point >> 8)
            code = point.to_bytes(2, "big")
            if runs and runs[-1][0] == font:
                runs[-1] = (font, runs[-1][1] + code)
            else:
                runs.append((font, code))
        return runs

    def to_unicode(self, font: int) -> bytes:
        """Font ``font``'s CMap: identity for the BMP (font 0), pairs for the others."""
        body = bytearray()
        if font == 0:
            # Ranges within one high byte, as the PDF specification asks, and
            # only those in use: readers expand every range when they load
            # the font.
            lines = [f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in sorted(self.highs)]
            for i in range(0, len(lines), 100):
                chunk = lines[i : i + 100]
                body += f"{len(chunk)} beginbfrange\n".encode()
                body += ("\n".join(chunk) + "\nendbfrange\n").encode()
        first = font * _EXTRA_PER_FONT
        pairs = [
            f"<{_EXTRA_FIRST + number - first:04X}> "
            f"<{char.encode('utf-16-be').hex().upper()}>"
            for char, number in self.extra.items()
            if first <= number < first + _EXTRA_PER_FONT
        ]
        for i in range(0, len(pairs), 100):
            chunk = pairs[i : i + 100]
            body += f"{len(chunk)} beginbfchar\n".encode()
            body += ("\n".join(chunk) + "\nendbfchar\n").encode()
        return _CMAP_HEAD + bytes(body) + _CMAP_TAIL


def _pikepdf() -> Any:
    return require_pdf_library("pikepdf", "writing searchable PDF files")


def _sfnt_checksum(data: bytes) -> int:
    """The TrueType checksum of ``data``: its 32-bit words summed, modulo 2**32."""
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}I", padded)
    return sum(words) & 0xFFFFFFFF


def _glyphless_font_file() -> bytes:
    """A TrueType font of two glyphs without ink, each half an em wide.

    Glyph 0 is ``.notdef``, empty. Glyph 1, which every character is drawn
    with (``CIDToGIDMap``), is one line from (0, 0) to (500, 984) in 1/1000
    em: no area, so no ink even where it is filled, and a bounding box that
    fills the advance box (the font's ``FontBBox``, 0 to 1000 high) without
    leaving it, as PDFium reads it (it adds 1/64 to a glyph's top).
    Embedded, it leaves no reader to substitute a font of its own: PDFium
    takes a character's box from its glyph's bounding box, and a substituted
    font's (descenders, overhangs) would stretch the boxes of an invisible
    text layer beyond the words; and a glyph of no extent at all would make
    PDFium drop text turned a quarter (its object's box has no width). The
    file is built here, table by table, rather than shipped.

    Returns:
        The font file (a few hundred bytes).
    """
    glyphs = 2
    top = _EM * 64 // 65  # 984: PDFium reads it as 984 + 984 // 64 = 999
    # glyph 1: one contour of two points on the curve, (0, 0) and (500, top)
    line = struct.pack(">hhhhhHHBB", 1, 0, 0, _ADVANCE, top, 1, 0, 1, 1)
    line += struct.pack(">hhhh", 0, _ADVANCE, 0, top)
    tables = {
        # one format-4 segment, the required final one: no character maps here
        b"cmap": struct.pack(
            ">HHHHI" + "H" * 12,
            *(0, 1, 3, 1, 12),
            *(4, 24, 0, 2, 2, 0, 0, 0xFFFF, 0, 0xFFFF, 1, 0),
        ),
        b"glyf": line,
        b"head": struct.pack(
            ">IIIIHHqqhhhhHHhhh",
            *(0x00010000, 0x00010000, 0, 0x5F0F3CF5, 0x0003, _EM, 0, 0),
            *(0, 0, _ADVANCE, top, 0, 3, 2, 0, 0),
        ),
        b"hhea": struct.pack(
            ">IhhhHhhhhhhhhhhhH",
            *(0x00010000, _EM, 0, 0, _ADVANCE, 0, 0, 0, 1, 0),
            *(0, 0, 0, 0, 0, 0, glyphs),
        ),
        b"hmtx": struct.pack(">" + "Hh" * glyphs, *(_ADVANCE, 0) * glyphs),
        # short offsets (half the byte offsets): .notdef empty, then the line
        b"loca": struct.pack(">HHH", 0, 0, len(line) // 2),
        b"maxp": struct.pack(
            ">IHHHHHHHHHHHHHH", 0x00010000, glyphs, 2, 1, 0, 0, 1, *(0,) * 8
        ),
        b"name": struct.pack(">HHH", 0, 0, 6),
        b"post": struct.pack(">IihhIIIII", 0x00030000, 0, -100, 50, 1, 0, 0, 0, 0),
    }
    count = len(tables)
    power = 1 << (count.bit_length() - 1)
    header = struct.pack(
        ">IHHHH",
        0x00010000,
        count,
        16 * power,
        power.bit_length() - 1,
        16 * (count - power),
    )
    offset = len(header) + 16 * count
    directory, body = b"", b""
    head = 0
    for tag, data in sorted(tables.items()):
        if tag == b"head":
            head = offset + len(body)
        directory += struct.pack(
            ">4sIII", tag, _sfnt_checksum(data), offset + len(body), len(data)
        )
        body += data + b"\0" * (-len(data) % 4)
    font = bytearray(header + directory + body)
    # head.checkSumAdjustment, so that the whole file sums to 0xB1B0AFBA
    adjustment = (0xB1B0AFBA - _sfnt_checksum(bytes(font))) & 0xFFFFFFFF
    struct.pack_into(">I", font, head + 8, adjustment)
    return bytes(font)


def _font(pdf: Any, to_unicode: Any, font_file: Any, cid_to_gid: Any) -> Any:
    pikepdf = _pikepdf()
    name = pikepdf.Name
    descriptor = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=name.FontDescriptor,
            FontName=name(f"/{_FONT_NAME}"),
            Flags=5,
            FontBBox=[0, 0, _ADVANCE, 1000],
            ItalicAngle=0,
            Ascent=1000,
            Descent=0,
            CapHeight=1000,
            StemV=80,
            FontFile2=font_file,
        )
    )
    cid_font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=name.Font,
            Subtype=name.CIDFontType2,
            BaseFont=name(f"/{_FONT_NAME}"),
            CIDSystemInfo=pikepdf.Dictionary(
                Registry=pikepdf.String("Adobe"),
                Ordering=pikepdf.String("Identity"),
                Supplement=0,
            ),
            FontDescriptor=descriptor,
            DW=_ADVANCE,
            CIDToGIDMap=cid_to_gid,
        )
    )
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=name.Font,
            Subtype=name.Type0,
            BaseFont=name(f"/{_FONT_NAME}"),
            Encoding=name("/Identity-H"),
            DescendantFonts=[cid_font],
            ToUnicode=to_unicode,
        )
    )


def _image_stream(pdf: Any, loaded: LoadedImage) -> Any:
    """The page image as a PDF image XObject (JPEG files kept as they are)."""
    pikepdf = _pikepdf()
    name = pikepdf.Name
    rgb = loaded.image
    if loaded.encoded is not None and loaded.format == "JPEG" and rgb.mode == "RGB":
        from PIL import Image

        from unocr.image import own_pixel_limit

        # under unocr's limit, which the image passed: Pillow's would warn
        with own_pixel_limit(), Image.open(io.BytesIO(loaded.encoded)) as im:
            jpeg_mode = im.mode
        if jpeg_mode in ("RGB", "L"):
            return pdf.make_stream(
                loaded.encoded,
                Type=name.XObject,
                Subtype=name.Image,
                Width=rgb.width,
                Height=rgb.height,
                ColorSpace=name.DeviceRGB if jpeg_mode == "RGB" else name.DeviceGray,
                BitsPerComponent=8,
                Filter=name.DCTDecode,
            )
    pixels = np.asarray(rgb)
    gray = bool((pixels[..., 0] == pixels[..., 1]).all()) and bool(
        (pixels[..., 1] == pixels[..., 2]).all()
    )
    data = np.ascontiguousarray(pixels[..., 0] if gray else pixels).tobytes()
    return pdf.make_stream(
        zlib.compress(data, 6),
        Type=name.XObject,
        Subtype=name.Image,
        Width=rgb.width,
        Height=rgb.height,
        ColorSpace=name.DeviceGray if gray else name.DeviceRGB,
        BitsPerComponent=8,
        Filter=name.FlateDecode,
    )


def _num(value: float) -> str:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _show(matrix: tuple[float, ...], runs: Runs, size: float) -> str:
    """Operators setting the text matrix and showing the runs, each in its font."""
    ops = [" ".join(map(_num, matrix)) + " Tm"]
    for font, data in runs:
        ops.append(f"/F{font} {_num(size)} Tf <{data.hex().upper()}> Tj")
    return " ".join(ops)


def _with_space(runs: Runs, space: Runs) -> Runs:
    if runs[-1][0] == space[0][0]:
        return [*runs[:-1], (runs[-1][0], runs[-1][1] + space[0][1])]
    return runs + space


#: Cosine of the widest angle a side may make with the direction it reads along.
_ALONG = math.cos(math.radians(40.0))
#: Sine of the narrowest angle a word's left side may make with its baseline.
_LEAST_UPRIGHT = math.sin(math.radians(30.0))


def _quarter_turns(points: Any, direction: Vector, *, short_sides: bool) -> int:
    """How far to roll ``points`` (TL, TR, BR, BL) to start where ``direction`` reads.

    The side from the new first corner to the second is the one that runs
    most nearly along ``direction``, within 40 degrees; 0 when none does. A
    quarter turn (1 or 3) that would read along the shorter side is passed
    over unless ``short_sides``.
    """
    best, best_dot = 0, _ALONG
    for turn in range(1, 4):
        (x0, y0), (x1, y1), (x2, y2) = (points[(turn + k) % 4] for k in range(3))
        along = math.hypot(x1 - x0, y1 - y0)
        across = math.hypot(x2 - x1, y2 - y1)
        if along <= 0 or (turn % 2 and along < across and not short_sides):
            continue
        dot = ((x1 - x0) * direction[0] + (y1 - y0) * direction[1]) / along
        if dot > best_dot:
            best, best_dot = turn, dot
    return best


def _line_turned(words: Sequence[Word], direction: Vector | None) -> bool:
    """Whether a line's words lie a quarter turned, read along ``direction``.

    True when most of its words of more than one character are read along
    their longer side by a quarter turn. Their short words ("it", "1") are
    then turned with them, whatever their own proportions.
    """
    if direction is None:
        return False
    score = 0
    for word in words:
        if len(word.text.strip()) > 1:
            points = word.geometry.to_quad().points
            free = _quarter_turns(points, direction, short_sides=True)
            if free % 2:
                strict = _quarter_turns(points, direction, short_sides=False)
                score += 1 if strict == free else -1
    return score > 0


def _reading_corners(
    word: Word, direction: Vector | None, *, turned_line: bool = False
) -> Any:
    """The word's corners from its top-left as read: TL, TR, BR, BL (4, 2).

    A shape keeps no reading direction (a quad's corners start at the top
    left on screen, see ``docs/geometry.md``), so the direction comes from
    the text: ``direction`` (the word's line, or its characters, in reading
    order, see :func:`_reading_direction`). The corners are turned to start
    at the side that runs most nearly along it, within 40 degrees; a word
    read along a short side (a quarter turn) must have one character, or
    that side must be its longer one, or its line must be turned
    (``turned_line``, see :func:`_line_turned`). Without a direction, or
    when none fits, the shape's own order is kept (upright).
    """
    points = word.geometry.to_quad().points
    if direction is None:
        return points
    short_sides = turned_line or len(word.text.strip()) <= 1
    turn = _quarter_turns(points, direction, short_sides=short_sides)
    return np.roll(points, -turn, axis=0)


def _centre(element: Any) -> tuple[float, float]:
    b = element.geometry.bounds
    return (b.x0 + b.x1) / 2.0, (b.y0 + b.y1) / 2.0


def _reading_direction(items: Sequence[Any], text: str) -> Vector | None:
    """Unit vector from the first of ``items`` to the last, as ``text`` reads.

    ``items`` are a line's words or a word's characters, in reading
    (logical) order; a right-to-left text's run leftwards when upright, so
    its vector is reversed. ``None`` for fewer than two items or no length.
    """
    if len(items) < 2:
        return None
    (x0, y0), (x1, y1) = _centre(items[0]), _centre(items[-1])
    norm = math.hypot(x1 - x0, y1 - y0)
    if norm <= 0:
        return None
    sign = -1.0 if is_rtl(text) else 1.0
    return sign * (x1 - x0) / norm, sign * (y1 - y0) / norm


def _word_ops(
    word: Word,
    sx: float,
    sy: float,
    height_pt: float,
    codes: _Codes,
    direction: Vector | None = None,
    *,
    turned_line: bool = False,
) -> str | None:
    """Content-stream operators drawing one word invisibly over its box.

    The baseline is the word's bottom edge as read (:func:`_reading_corners`:
    along ``direction``, the way its line or its characters run), so a word
    shown turned (on a page stored with ``/Rotate``, or a scan turned a
    quarter or upside down) is written turned with it.

    A space follows the word (beyond its box, after its end), so that text
    extracted from the page has its words apart, also where one line ends
    level with the next line's start.

    A right-to-left word (Hebrew, Arabic...) is written as Tesseract writes
    it: its characters in logical order under a text matrix whose x axis is
    mirrored, so they run from the box's right end leftwards. Readers that
    take the glyphs' positions for the visual order (PDFium) and readers
    that keep the content stream's order (pdfminer.six) then both read it in
    logical order; written left to right, PDFium would reverse it. Its space,
    left of the box, is a text object of its own: PDFium separates two text
    objects only where the first does not end in a space, and the word's
    last glyph would be that space, on the side away from a word to its
    right. A word of one character reads the same either way and is written
    left to right, its space in the same object: PDFium may drop a text
    object of one glyph that has no ink (a Hebrew letter alone, or that
    separate space, harmlessly).

    The glyphs stand on the baseline along the word's left side, from its
    bottom-left corner to its top-left: square to the baseline for a box or
    a rotated rectangle, slanted for a slanted quad (a parallelogram), so
    that they fill the word's shape; square to it where that side leans more
    than 60 degrees from square, or folds over.
    """
    text = word.text.strip()
    if not text:
        return None
    tl, _, br, bl = _reading_corners(word, direction, turned_line=turned_line)

    def pdf(p: Any) -> tuple[float, float]:
        return float(p[0]) * sx, height_pt - float(p[1]) * sy

    (x0, y0), (x1, y1), (xt, yt) = pdf(bl), pdf(br), pdf(tl)
    width = math.hypot(x1 - x0, y1 - y0)
    size = math.hypot(xt - x0, yt - y0)
    if width <= 0 or size <= 0:
        return None
    cos, sin = (x1 - x0) / width, (y1 - y0) / width
    # the glyphs' upright axis: from the bottom-left corner to the top-left,
    # square to the baseline in a rectangle, slanted in a slanted quad (a
    # parallelogram), so the glyphs fill the word's shape; square to it where
    # the shape leans more than 60 degrees or is folded over
    up_x, up_y = (xt - x0) / size, (yt - y0) / size
    if cos * up_y - sin * up_x < _LEAST_UPRIGHT:
        up_x, up_y = -sin, cos
    runs = codes.encode(text)
    space = codes.encode(" ")
    chars = sum(len(data) for _, data in runs) // 2
    scale = 100.0 * width / (chars * size * _ADVANCE / 1000.0)
    stretch = f"{_num(scale)} Tz "
    if chars == 1 or not is_rtl(text):
        matrix = (cos, sin, up_x, up_y, x0, y0)
        return stretch + _show(matrix, _with_space(runs, space), size)
    mirrored = (-cos, -sin, up_x, up_y)
    ops = [
        _show((*mirrored, x1, y1), runs, size),
        _show((*mirrored, x0, y0), space, size),
    ]
    return stretch + " ".join(ops)


def _page_points(page: Page, loaded: LoadedImage) -> tuple[float, float]:
    """The output page's width and height in points.

    A PDF page keeps its size; an image is its pixel size at its stored
    resolution (300 dpi when it has none).
    """
    source = page.source
    if source is not None and source.page_size is not None:
        return source.page_size
    if source is not None and source.dpi:
        dpi_x = dpi_y = source.dpi
    else:
        dpi: Any = loaded.image.info.get("dpi")
        if real_dpi(dpi):
            dpi_x, dpi_y = float(dpi[0]), float(dpi[1])
        else:
            dpi_x = dpi_y = _DEFAULT_IMAGE_DPI
    return 72.0 * page.width / dpi_x, 72.0 * page.height / dpi_y


def _rendered_from_pdf(page: Page, image: ImageInput | None) -> bool:
    """Whether the page's image is its PDF page, rendered again to be saved."""
    from unocr.documents import PageRef

    source = page.source
    if source is None or source.page_size is None or not source.dpi:
        return False
    return image is None or (isinstance(image, PageRef) and image.kind == "pdf")


def _check_render_size(
    page: Page, index: int, dpi: float | None, max_pixels: int | None
) -> tuple[int, int]:
    """The pixel size the page's PDF page is rendered again at, within the limit.

    Raises:
        DocumentError: Over ``max_pixels``; the message gives the ``dpi=``
            that fits and the ``max_pixels=`` that allows it.
    """
    from unocr.documents.pdf import fitting_dpi, pixel_size

    source = page.source
    assert source is not None and source.page_size is not None and source.dpi
    w_pt, h_pt = source.page_size
    at = source.dpi if dpi is None else dpi
    width, height = (
        (page.width, page.height) if dpi is None else pixel_size(w_pt, h_pt, dpi)
    )
    pixels = width * height
    if max_pixels is None or pixels <= max_pixels:
        return width, height
    fit = fitting_dpi(w_pt, h_pt, at, max_pixels)
    fix = (
        f"pass dpi={fit} (or lower) to render it smaller, or max_pixels={pixels} "
        "(or larger)"
        if fit is not None
        else f"pass max_pixels={pixels} (or larger): not even 1 dpi renders the "
        "page within the limit"
    )
    raise DocumentError(
        f"page {index + 1}: its image, page {source.number} of {source.name} "
        f"({w_pt:g}x{h_pt:g} points) rendered again at {at:g} dpi, would be "
        f"{width}x{height} = {pixels:,} pixels, over the limit of {max_pixels:,}; "
        f"{fix}",
        item=index,
    )


def _load_page_image(
    page: Page,
    image: ImageInput | None,
    index: int,
    password: str | None,
    dpi: float | None = None,
    max_pixels: int | None = None,
) -> LoadedImage:
    """The image of the ``index``-th page (from 0): ``image``, else the source's.

    A PDF page is rendered again at ``dpi`` when given, else at the page's
    own dpi. ``max_pixels`` is checked before anything is rendered or
    decoded. Messages number the pages from 1, as viewers show them; the
    error's ``item`` is ``index``.
    """
    from dataclasses import replace

    from unocr.documents import PageRef
    from unocr.documents.page_image import page_image

    source = page.source
    if image is None and (source is None or source.name.startswith("<")):
        raise DocumentError(
            f"page {index + 1}: its image cannot be found (the page has no source "
            "file); pass images=[...] with one image per page",
            item=index,
        )
    if dpi is not None and source is not None and source.page_size is not None:
        page = page.replace(source=replace(source, dpi=dpi))
        if isinstance(image, PageRef) and image.kind == "pdf":
            image = replace(image, options=replace(image.options, dpi=dpi))
    try:
        return page_image(page, image, password=password, max_pixels=max_pixels)
    except DocumentError as exc:
        if not exc.needs_password or source is None:
            raise
        if password is None:
            fix = "pass its password to save_pdf as password=..."
        else:
            fix = "the password given to save_pdf (password=) is wrong"
        raise DocumentError(
            f"page {index + 1}: its image is page {source.number} of {source.name}, "
            f"an encrypted PDF, rendered again to be saved; {fix} (or pass the "
            "page images as images=[...])",
            item=index,
            needs_password=True,
        ) from exc


def _check_max_pixels(max_pixels: int | None) -> None:
    if max_pixels is not None and (
        isinstance(max_pixels, bool)
        or not isinstance(max_pixels, int)
        or max_pixels < 1
    ):
        raise DocumentError(
            f"max_pixels must be a whole number >= 1 or None, got {max_pixels!r}"
        )


def save_pdf(
    pages: Iterable[Page],
    path: str | os.PathLike[str] | BinaryIO,
    images: Sequence[ImageInput] | None = None,
    *,
    password: str | None = None,
    dpi: float | None = None,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> None:
    """Write pages as a searchable PDF: each page's image with its words as text.

    Args:
        pages: The pages, e.g. from :func:`unocr.read_pages`.
        path: The PDF file to write, or a binary file object.
        images: One image per page (anything :func:`unocr.read` accepts). When
            ``None``, each page's image is loaded again from ``page.source``:
            the image file (and frame), or the PDF page rendered at the same
            dpi.
        password: Password of the encrypted PDFs whose pages are rendered
            again (the one given to :func:`unocr.read_pages`).
        dpi: Resolution in pixels per inch that PDF pages are rendered again
            at for the output; ``None`` (default): the dpi each page was
            read at. The words keep their place whatever the image's
            resolution. Images that are not rendered PDF pages are embedded
            as they are.
        max_pixels: Largest page image, width x height in pixels, checked
            on each page before its image is rendered or decoded; ``None``
            disables the check. The default is the engines' (100 MP).

    Raises:
        DocumentError: No pages, a page's image cannot be found (an encrypted
            PDF without its ``password``), is over ``max_pixels`` (the
            message gives the ``dpi=`` that fits), or its size differs from
            the page's. Messages number the pages from 1 (``page 2:`` is the
            second of ``pages``); ``.item`` is its index from 0.
        unocr.errors.FormatError: The file cannot be written.
        unocr.errors.BackendUnavailableError: pikepdf is not installed.

    A PDF page keeps the source page's size in points; an image becomes a
    page of its pixel size at its stored resolution (300 dpi when it has
    none).
    """
    from unocr.documents import DocumentOptions, check_options

    if dpi is None:
        check_options(DocumentOptions(password=password))
    else:
        check_options(DocumentOptions(dpi=dpi, password=password))
        dpi = float(dpi)
    _check_max_pixels(max_pixels)
    pikepdf = _pikepdf()
    page_list = list(pages)
    if not page_list:
        raise DocumentError(
            "save_pdf got no pages; a PDF needs at least one (check what the "
            "pages came from)"
        )
    if images is not None and len(images) != len(page_list):
        raise DocumentError(
            f"save_pdf got {len(page_list)} pages but {len(images)} images; give one "
            "image per page"
        )
    pdf = pikepdf.new()
    codes = _Codes()
    fonts: list[tuple[Any, Any]] = []  # (font, its ToUnicode stream)
    glyphless: tuple[Any, Any] | None = None  # (font file, CIDToGIDMap), shared
    for i, page in enumerate(page_list):
        image = None if images is None else images[i]
        size = (page.width, page.height)
        if _rendered_from_pdf(page, image):
            size = _check_render_size(page, i, dpi, max_pixels)
        loaded = _load_page_image(page, image, i, password, dpi, max_pixels)
        if (loaded.width, loaded.height) != size:
            raise DocumentError(
                f"page {i + 1}: its image is {loaded.width}x{loaded.height} pixels but "
                f"the page is {page.width}x{page.height}; pass the image the page "
                "was read from",
                item=i,
            )
        w_pt, h_pt = _page_points(page, loaded)
        sx, sy = w_pt / page.width, h_pt / page.height
        ops = [f"q {_num(w_pt)} 0 0 {_num(h_pt)} 0 0 cm /Im0 Do Q", "BT 3 Tr"]
        for line in page.lines:
            words = line.words or (Word(line.text, line.geometry),)
            along = _reading_direction(words, line.text)
            turned = _line_turned(words, along)
            for word in words:
                direction = along or _reading_direction(word.symbols, word.text)
                op = _word_ops(word, sx, sy, h_pt, codes, direction, turned_line=turned)
                if op is not None:
                    ops.append(op)
        ops.append("ET")
        while len(fonts) < codes.fonts:
            if glyphless is None:
                font_file = _glyphless_font_file()
                glyphless = (
                    pdf.make_stream(font_file, Length1=len(font_file)),
                    # every character code (CID) drawn with glyph 1
                    pdf.make_stream(b"\0\1" * 0x10000),
                )
            to_unicode = pdf.make_stream(b"")
            fonts.append((_font(pdf, to_unicode, *glyphless), to_unicode))
        pdf.pages.append(
            pikepdf.Page(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Page,
                    MediaBox=[0, 0, w_pt, h_pt],
                    Resources=pikepdf.Dictionary(
                        Font=pikepdf.Dictionary(
                            {f"/F{k}": font for k, (font, _) in enumerate(fonts)}
                        ),
                        XObject=pikepdf.Dictionary(Im0=_image_stream(pdf, loaded)),
                    ),
                    Contents=pdf.make_stream("\n".join(ops).encode("ascii")),
                )
            )
        )
    for k, (_, to_unicode) in enumerate(fonts):
        to_unicode.write(codes.to_unicode(k))
    target = path if hasattr(path, "write") else os.fspath(path)
    try:
        if isinstance(target, str) and write_destination(Path(target))[1]:
            # a named pipe or a device: written as it is (a pikepdf that saves
            # through a temporary file would put a file in its place)
            with open(target, "wb") as stream:
                pdf.save(stream, compress_streams=True)
        else:
            pdf.save(target, compress_streams=True)
    except OSError as exc:
        raise FormatError(
            f"cannot write {target}: {exc.strerror or exc}", item=str(target)
        ) from exc
    finally:
        pdf.close()

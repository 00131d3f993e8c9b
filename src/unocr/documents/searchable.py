"""Searchable PDF out: page images with an invisible text layer (:func:`save_pdf`).

Written with pikepdf (the Python binding of qpdf, a maintained C++ PDF
library), so the file structure, cross-reference table and compression are
qpdf's, not hand-made. Each page holds its image, drawn over the whole page,
and every word as invisible text (text render mode 3, as Tesseract and
OCRmyPDF write it) in a "glyphless" font: a Type0 font with the Identity-H
encoding whose character codes are the text's UTF-16 code units, mapped back
to Unicode by an identity ``ToUnicode`` map, so any script is stored without
embedding a real font. Every character advances half an em; each word's font
size is its box height and its horizontal scaling (``Tz``) stretches it to
its box width, with the baseline along the word's bottom edge (rotated for
quads and rotated boxes), so a viewer's selection and a text extractor's
boxes lie on the words in the image. Right-to-left words are written as
Tesseract writes them, in logical order under a mirrored text matrix, so
PDF readers copy them in logical order (see :func:`_word_ops`).
"""

from __future__ import annotations

import io
import math
import os
import zlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO

import numpy as np

from unocr._direction import is_rtl
from unocr.documents.pdf import require_pdf_library
from unocr.errors import DocumentError, FormatError
from unocr.model import Word

if TYPE_CHECKING:
    from unocr.image import ImageInput, LoadedImage
    from unocr.model import Page

__all__ = ["save_pdf"]

_FONT_NAME = "GlyphLessFont"
_ADVANCE = 500  # glyph advance in 1/1000 em: every character is half an em wide
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
# characters beyond U+FFFF, one code each, mapped to their surrogate pairs.
_EXTRA_FIRST, _EXTRA_LAST = 0xD800, 0xDFFF


class _Codes:
    """Character codes of the glyphless font and its ``ToUnicode`` map."""

    def __init__(self) -> None:
        self.extra: dict[str, int] = {}
        self.highs: set[int] = set()  # high bytes of the BMP codes in use

    def encode(self, text: str) -> bytes:
        """Two bytes per character: its code point, or an allocated code."""
        out = bytearray()
        for char in text:
            point = ord(char)
            if 0xD800 <= point <= 0xDFFF:
                point = 0xFFFD  # a lone surrogate is not text
            elif point > 0xFFFF:
                code = self.extra.get(char)
                if code is None:
                    code = _EXTRA_FIRST + len(self.extra)
                    if code > _EXTRA_LAST:
                        code = 0xFFFD
                    else:
                        self.extra[char] = code
                point = code
            if point < _EXTRA_FIRST or point > _EXTRA_LAST:
                self.highs.add(point >> 8)
            out += point.to_bytes(2, "big")
        return bytes(out)

    def to_unicode(self) -> bytes:
        """The CMap: identity for the BMP, surrogate pairs for the others."""
        # Ranges within one high byte, as the PDF specification asks, and only
        # those in use: readers expand every range when they load the font.
        highs = sorted(self.highs)
        lines = [f"<{h:02X}00> <{h:02X}FF> <{h:02X}00>" for h in highs]
        body = bytearray()
        for i in range(0, len(lines), 100):
            chunk = lines[i : i + 100]
            body += f"{len(chunk)} beginbfrange\n".encode()
            body += ("\n".join(chunk) + "\nendbfrange\n").encode()
        pairs = [
            f"<{code:04X}> <{char.encode('utf-16-be').hex().upper()}>"
            for char, code in self.extra.items()
        ]
        for i in range(0, len(pairs), 100):
            chunk = pairs[i : i + 100]
            body += f"{len(chunk)} beginbfchar\n".encode()
            body += ("\n".join(chunk) + "\nendbfchar\n").encode()
        return _CMAP_HEAD + bytes(body) + _CMAP_TAIL


def _pikepdf() -> Any:
    return require_pdf_library("pikepdf", "writing searchable PDF files")


def _font(pdf: Any, to_unicode: Any) -> Any:
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
            CIDToGIDMap=name.Identity,
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


def _show(matrix: tuple[float, ...], data: bytes) -> str:
    """Operators setting the text matrix and showing the character codes."""
    return " ".join(map(_num, matrix)) + f" Tm <{data.hex().upper()}> Tj"


def _word_ops(
    word: Word, sx: float, sy: float, height_pt: float, codes: _Codes
) -> str | None:
    """Content-stream operators drawing one word invisibly over its box.

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
    left to right, its space in the same object: PDFium drops a text object
    of one glyph that has no ink in the font it substitutes (a Hebrew letter
    alone, or that separate space, harmlessly).
    """
    text = word.text.strip()
    if not text:
        return None
    tl, _, br, bl = word.geometry.to_quad().points

    def pdf(p: Any) -> tuple[float, float]:
        return float(p[0]) * sx, height_pt - float(p[1]) * sy

    (x0, y0), (x1, y1), (xt, yt) = pdf(bl), pdf(br), pdf(tl)
    width = math.hypot(x1 - x0, y1 - y0)
    size = math.hypot(xt - x0, yt - y0)
    if width <= 0 or size <= 0:
        return None
    cos, sin = (x1 - x0) / width, (y1 - y0) / width
    data = codes.encode(text)
    space = codes.encode(" ")
    scale = 100.0 * width / (len(data) // 2 * size * _ADVANCE / 1000.0)
    font = f"/F0 {_num(size)} Tf {_num(scale)} Tz "
    if len(data) == 2 or not is_rtl(text):
        return font + _show((cos, sin, -sin, cos, x0, y0), data + space)
    mirrored = (-cos, -sin, -sin, cos)
    ops = [_show((*mirrored, x1, y1), data), _show((*mirrored, x0, y0), space)]
    return font + " ".join(ops)


def _page_dpi(page: Page, loaded: LoadedImage) -> tuple[float, float]:
    source = page.source
    if source is not None and source.page_size is not None:
        w_pt, h_pt = source.page_size
        return 72.0 * loaded.width / w_pt, 72.0 * loaded.height / h_pt
    if source is not None and source.dpi:
        return source.dpi, source.dpi
    dpi = loaded.image.info.get("dpi")
    try:
        x, y = (float(dpi[0]), float(dpi[1])) if dpi else (0.0, 0.0)
    except (TypeError, ValueError, IndexError):
        x = y = 0.0
    if x > 1 and y > 1:
        return x, y
    return _DEFAULT_IMAGE_DPI, _DEFAULT_IMAGE_DPI


def _load_page_image(
    page: Page, image: ImageInput | None, index: int, password: str | None
) -> LoadedImage:
    """The image of the ``index``-th page (from 0): ``image``, else the source's.

    Messages number the pages from 1, as viewers show them; the error's
    ``item`` is ``index``.
    """
    from unocr.documents.page_image import page_image

    source = page.source
    if image is None and (source is None or source.name.startswith("<")):
        raise DocumentError(
            f"page {index + 1}: its image cannot be found (the page has no source "
            "file); pass images=[...] with one image per page",
            item=index,
        )
    try:
        return page_image(page, image, password=password, max_pixels=None)
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


def save_pdf(
    pages: Iterable[Page],
    path: str | os.PathLike[str] | BinaryIO,
    images: Sequence[ImageInput] | None = None,
    *,
    password: str | None = None,
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

    Raises:
        DocumentError: No pages, a page's image cannot be found (an encrypted
            PDF without its ``password``), or its size differs from the
            page's. Messages number the pages from 1 (``page 2:`` is the
            second of ``pages``); ``.item`` is its index from 0.
        unocr.errors.FormatError: The file cannot be written.
        unocr.errors.BackendUnavailableError: pikepdf is not installed.

    A PDF page keeps the source page's size in points; an image becomes a
    page of its pixel size at its stored resolution (300 dpi when it has
    none).
    """
    from unocr.documents import DocumentOptions, check_options

    check_options(DocumentOptions(password=password))
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
    to_unicode = pdf.make_stream(b"")
    font = _font(pdf, to_unicode)
    for i, page in enumerate(page_list):
        image = None if images is None else images[i]
        loaded = _load_page_image(page, image, i, password)
        if (loaded.width, loaded.height) != (page.width, page.height):
            raise DocumentError(
                f"page {i + 1}: its image is {loaded.width}x{loaded.height} pixels but "
                f"the page is {page.width}x{page.height}; pass the image the page "
                "was read from",
                item=i,
            )
        dpi_x, dpi_y = _page_dpi(page, loaded)
        w_pt, h_pt = 72.0 * page.width / dpi_x, 72.0 * page.height / dpi_y
        sx, sy = w_pt / page.width, h_pt / page.height
        ops = [f"q {_num(w_pt)} 0 0 {_num(h_pt)} 0 0 cm /Im0 Do Q", "BT 3 Tr"]
        for line in page.lines:
            words = line.words or (Word(line.text, line.geometry),)
            for word in words:
                op = _word_ops(word, sx, sy, h_pt, codes)
                if op is not None:
                    ops.append(op)
        ops.append("ET")
        pdf.pages.append(
            pikepdf.Page(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Page,
                    MediaBox=[0, 0, w_pt, h_pt],
                    Resources=pikepdf.Dictionary(
                        Font=pikepdf.Dictionary(F0=font),
                        XObject=pikepdf.Dictionary(Im0=_image_stream(pdf, loaded)),
                    ),
                    Contents=pdf.make_stream("\n".join(ops).encode("ascii")),
                )
            )
        )
    to_unicode.write(codes.to_unicode())
    target = path if hasattr(path, "write") else os.fspath(path)
    try:
        pdf.save(target, compress_streams=True)
    except OSError as exc:
        raise FormatError(
            f"cannot write {target}: {exc.strerror or exc}", item=str(target)
        ) from exc
    finally:
        pdf.close()

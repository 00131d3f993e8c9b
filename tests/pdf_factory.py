"""PDFs the tests make themselves: scans (image pages) and born-digital text pages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pikepdf
from PIL import Image


def image_pdf(path: Path, images: Sequence[Image.Image], dpi: float = 150) -> Path:
    """A scanned-document PDF: one page per image, at ``dpi``."""
    first, *rest = [im.convert("RGB") for im in images]
    first.save(path, save_all=True, append_images=rest, resolution=dpi)
    return path


def standard_font(pdf: pikepdf.Pdf, name: str = "Helvetica") -> pikepdf.Object:
    """One of PDF's standard 14 Type 1 fonts (WinAnsi encoding), made indirect."""
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name("/" + name),
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )
    )


def text_pdf(
    path: Path,
    lines: Sequence[tuple[float, float, str]],
    *,
    size: tuple[float, float] = (612, 792),
    font_size: float = 24,
    rotate: int = 0,
    pages: int = 1,
    mediabox_origin: tuple[float, float] = (0, 0),
) -> Path:
    """A born-digital PDF: Helvetica text at (x, y) points on each page."""
    pdf = pikepdf.new()
    font = standard_font(pdf)
    ox, oy = mediabox_origin
    for _ in range(pages):
        page = pdf.add_blank_page(page_size=size)
        page.MediaBox = [ox, oy, ox + size[0], oy + size[1]]
        page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
        ops = []
        for x, y, text in lines:
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"BT /F1 {font_size} Tf {ox + x} {oy + y} Td ({escaped}) Tj ET")
        page.Contents = pdf.make_stream("\n".join(ops).encode("latin-1"))
        if rotate:
            page.Rotate = rotate
    pdf.save(path)
    return path


def form_pdf(path: Path, value: str, rect: tuple[int, int, int, int]) -> Path:
    """A one-page form whose text field holds ``value`` but no appearance.

    Viewers draw the value from the field itself (``NeedAppearances``).
    """
    pdf = pikepdf.new()
    page = pdf.add_blank_page(page_size=(300, 200))
    font = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
        )
    )
    field = pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Widget,
            FT=pikepdf.Name.Tx,
            T=pikepdf.String("name"),
            V=pikepdf.String(value),
            Rect=list(rect),
            DA=pikepdf.String("/Helv 18 Tf 0 g"),
            F=4,
            P=page.obj,
        )
    )
    page.Annots = pdf.make_indirect([field])
    pdf.Root.AcroForm = pikepdf.Dictionary(
        Fields=[field],
        NeedAppearances=True,
        DR=pikepdf.Dictionary(Font=pikepdf.Dictionary(Helv=font)),
        DA=pikepdf.String("/Helv 0 Tf 0 g"),
    )
    pdf.save(path)
    return path


def raw_pdf(
    *, kids: int = 1, count: int | None = None, mediabox: str = "0 0 612 792"
) -> bytes:
    """A minimal hand-written PDF whose page tree says ``/Count count``.

    Every kid is the same blank page, so a file of a few hundred bytes can
    claim a million pages (a page-count bomb) or a giant page (a size bomb).
    """
    refs = " ".join(["3 0 R"] * kids)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{refs}] /Count {count or kids} >>".encode(),
        f"<< /Type /Page /Parent 2 0 R /MediaBox [{mediabox}] >>".encode(),
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def pdfium_text(path: Path) -> str:
    """Page 1's text as PDFium (Chromium's PDF engine) copies it: lines end in CR LF."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    try:
        textpage = doc[0].get_textpage()
        try:
            return str(textpage.get_text_range())
        finally:
            textpage.close()
    finally:
        doc.close()


def extract_words(path: Path) -> list[tuple[float, float, list[tuple[str, tuple]]]]:
    """The text layer of each page, read back with pdfminer.six (not PDFium).

    Returns, per page, its width and height in points and its words as
    (text, (x0, y0, x1, y1)) in points from the top left, in the order the page
    draws them, words being runs of characters on one baseline without a space
    or a gap between them.
    """
    from pdfminer.converter import PDFPageAggregator
    from pdfminer.layout import LTChar
    from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
    from pdfminer.pdfpage import PDFPage

    out = []
    # No layout analysis (extract_pages would add one): characters in the
    # order the page draws them.
    manager = PDFResourceManager()
    device = PDFPageAggregator(manager, laparams=None)
    interpreter = PDFPageInterpreter(manager, device)
    with open(path, "rb") as fh:
        layouts = []
        for pdf_page in PDFPage.get_pages(fh):
            interpreter.process_page(pdf_page)
            layouts.append(device.get_result())
    for layout in layouts:
        x_min, y_min, x_max, y_max = layout.bbox
        chars: list[LTChar] = []

        def walk(node) -> None:
            if isinstance(node, LTChar):
                chars.append(node)
            elif hasattr(node, "__iter__"):
                for child in node:
                    walk(child)

        walk(layout)
        words: list[list[LTChar]] = []
        current: list[LTChar] = []
        for char in [*chars, None]:
            if char is None or not char.get_text().strip():
                if current:
                    words.append(current)
                current = []
                continue
            if current and (
                abs(char.x0 - current[-1].x1) > 0.3 * char.size
                or abs(char.matrix[5] - current[-1].matrix[5]) > 0.5 * char.size
            ):
                words.append(current)
                current = []
            current.append(char)
        out.append(
            (
                x_max - x_min,
                y_max - y_min,
                [
                    (
                        "".join(c.get_text() for c in w),
                        (
                            min(c.x0 for c in w) - x_min,
                            y_max - max(c.y1 for c in w),
                            max(c.x1 for c in w) - x_min,
                            y_max - min(c.y0 for c in w),
                        ),
                    )
                    for w in words
                ],
            )
        )
    return out

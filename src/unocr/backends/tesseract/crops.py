"""Tesseract's recognition stage: many line crops in one engine call.

:meth:`unocr.Backend.recognize` hands Tesseract upright crops, one text line
or word each. They are read in single-line mode (``--psm 7``), each with a
white margin (Tesseract reads text that touches the image edge badly; its
documentation advises a border), all in one engine call: the crops become
the pages of one multi-page TIFF that one ``tesseract`` process reads (its
TSV numbers them ``page_num`` 1..N), or, on the in-process path (tesserocr),
they go one after another through one pooled engine. ``bench/stages.py``
measures both against one process per crop.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageOps

from unocr.formats.tsv import TsvRow

__all__ = ["MARGIN", "SINGLE_LINE_PSM", "line_of", "multipage_tiff", "split_pages"]

#: Tesseract's page segmentation mode "treat the image as a single text line".
SINGLE_LINE_PSM = 7
#: White pixels added on every side of a crop.
MARGIN = 10
_WORD = 5


def with_margin(crop: Image.Image) -> Image.Image:
    """The crop in RGB with a white :data:`MARGIN` on every side."""
    return ImageOps.expand(crop.convert("RGB"), border=MARGIN, fill=(255, 255, 255))


def multipage_tiff(images: Sequence[Image.Image]) -> bytes:
    """The images as the pages of one uncompressed TIFF, in order.

    Args:
        images: At least one RGB image; sizes may differ.

    Returns:
        The TIFF file's bytes.
    """
    out = io.BytesIO()
    first, *rest = images
    first.save(out, format="TIFF", save_all=True, append_images=rest)
    return out.getvalue()


def split_pages(rows: Sequence[TsvRow], pages: int) -> list[list[TsvRow]]:
    """The TSV rows of a multi-page read, grouped by page (1..``pages``).

    Args:
        rows: Parsed TSV rows of every page.
        pages: How many pages were read.

    Returns:
        One list of rows per page, in order; a page with no rows is empty.
    """
    out: list[list[TsvRow]] = [[] for _ in range(pages)]
    for row in rows:
        if 1 <= row.page_num <= pages:
            out[row.page_num - 1].append(row)
    return out


def line_of(rows: Sequence[TsvRow]) -> tuple[str, float | None]:
    r"""The text and confidence of a single-line read.

    Args:
        rows: The TSV rows of one crop.

    Returns:
        Its words joined by spaces, and their mean confidence in [0, 1]
        (``None`` with no word).

    Examples:
        >>> from unocr.formats.tsv import parse_tsv
        >>> rows = parse_tsv("5\t1\t1\t1\t1\t1\t0\t0\t9\t9\t90\tHello\n"
        ...                  "5\t1\t1\t1\t1\t2\t9\t0\t9\t9\t70\tworld\n")
        >>> line_of(rows)
        ('Hello world', 0.8)
    """
    words = [r for r in rows if r.level == _WORD and r.text.strip()]
    confs = [c for r in words if (c := r.confidence) is not None]
    text = " ".join(r.text.strip() for r in words)
    return text, (sum(confs) / len(confs) if confs else None)

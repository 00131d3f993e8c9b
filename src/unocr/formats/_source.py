"""Provenance in the XML formats: the source file name and page index.

hOCR keeps them in the ``ocr_page`` title (``image "scan.pdf"; ppageno 2``),
ALTO in ``sourceImageInformation/fileName`` and ``Page/@PHYSICAL_IMG_NR``
(1-based), PAGE-XML in ``Page/@imageFilename`` and a ``MetadataItem`` named
``unocr-page-index``. Only file names are written: in-memory inputs
(``"<bytes>"``, ``"<array ...>"``) have none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from unocr.model import Page, Source

__all__ = ["file_name", "page_index", "read_source"]


def file_name(page: Page) -> str | None:
    """The page's source file name, or ``None`` for in-memory or unknown input."""
    source = page.source
    if source is None or not source.name or source.name.startswith("<"):
        return None
    return source.name


def page_index(page: Page) -> int:
    """Zero-based page index of the page in its source file (0 when unknown)."""
    return 0 if page.source is None else page.source.index


def read_source(name: str | None, index: int | None) -> Source | None:
    """Build a page's source from what a file recorded.

    Args:
        name: The recorded file name (``None`` or empty: unknown).
        index: The recorded zero-based page index, if any.

    Returns:
        The source, or ``None`` when no file name was recorded.
    """
    from unocr.model import Source

    if not name:
        return None
    return Source(name, index=index if index is not None and index >= 0 else 0)

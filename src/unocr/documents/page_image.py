"""The image a page was read from: its file, or its page of a document."""

from __future__ import annotations

from unocr.documents import (
    DEFAULT_DPI,
    DocumentOptions,
    PageRef,
    describe_item,
    load_input,
    page_refs,
)
from unocr.errors import ImageError
from unocr.image import DEFAULT_MAX_PIXELS, ImageInput, LoadedImage
from unocr.model import Page

__all__ = ["page_image"]


def page_image(
    page: Page,
    image: ImageInput | None = None,
    *,
    password: str | None = None,
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
) -> LoadedImage:
    """Load the image ``page`` was read from, at the page's own pixel size.

    Args:
        page: The page; its ``source`` gives its page number and, for a PDF
            page, the dpi it was rendered at.
        image: What the page was read from (anything :func:`unocr.read`
            takes): a single image is loaded as it is; a document (PDF,
            multi-page TIFF, GIF) gives the page's own page, a PDF page
            rendered again at the page's dpi; a :class:`PageRef` is the page.
            ``None``: the file named in ``page.source``.
        password: The password of an encrypted PDF.
        max_pixels: Largest image accepted, checked before decoding;
            ``None`` disables the check.

    Returns:
        The image, with its provenance.

    Raises:
        ImageError: ``image`` is ``None`` and the page was not read from a
            file, the document has no page of the page's number, or the
            image cannot be read.
        DocumentError: The PDF cannot be opened (encrypted without the right
            ``password``, corrupt).
    """
    source = page.source
    if image is None:
        if source is None or source.name.startswith("<"):
            raise ImageError(
                "the page has no source file (it was not read from a file); "
                "pass the image it was read from"
            )
        image = source.name
    if isinstance(image, PageRef):  # a reference is the page itself
        return load_input(image, max_pixels=max_pixels)
    index = 0 if source is None else source.index
    dpi = DEFAULT_DPI if source is None or not source.dpi else source.dpi
    options = DocumentOptions(dpi=dpi, password=password, max_pages=None)
    refs, data = page_refs(image, options, every_frame=True)
    if refs is None:  # a single image: the page's own
        return load_input(data, max_pixels=max_pixels)
    if index >= len(refs):
        name = describe_item(image)
        raise ImageError(
            f"{name}: the page is page {index + 1} of its document, but this one "
            f"has {len(refs)} page(s); pass the document or image the page was "
            "read from",
            item=name,
        )
    return load_input(refs[index], max_pixels=max_pixels)

"""Reading documents with an engine: page 1, every page, or many inputs.

The functions behind :func:`unocr.read`, :func:`unocr.read_pages` and
:func:`unocr.read_many` for inputs that may be documents: PDF pages are read
from their text layer where asked and present, else rendered and given to
the engine; every page carries its :class:`~unocr.model.Source`.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import count, pairwise
from typing import TYPE_CHECKING, Any, Literal, cast

from unocr.documents import (
    DocumentOptions,
    PageImage,
    PageRef,
    describe_item,
    expand,
    page_refs,
    select_pages,
    sniff_input,
    text_layer_page,
)
from unocr.errors import UnocrError
from unocr.image import ImageInput, describe, iter_frames
from unocr.model import Page, Source

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from unocr.backends.base import Backend, ItemFailure

__all__ = [
    "first_page_item",
    "placed",
    "read_document_pages",
    "read_first_page",
    "read_items",
    "text_layer_result",
]


def read_first_page(
    engine: Backend,
    image: ImageInput,
    options: DocumentOptions,
    *,
    languages: str | Sequence[str] | None,
    channel_order: Literal["rgb", "bgr"],
) -> Page:
    """Read one image, or page 1 of a PDF (the first frame of a TIFF).

    Args:
        engine: The backend.
        image: Any input.
        options: Document options (``pages`` is ignored: page 1 is read).
        languages: ISO 639 codes.
        channel_order: For numpy arrays.

    Returns:
        The page.
    """
    item = first_page_item(image, options)
    page = text_layer_page(item)
    if page is not None:
        return page
    # load_input (behind engine.read) takes page references too
    return engine.read(
        cast(Any, item), languages=languages, channel_order=channel_order
    )


def first_page_item(image: ImageInput, options: DocumentOptions) -> Any:
    """What :func:`read_first_page` reads: page 1 of a PDF, else the input.

    Args:
        image: Any input.
        options: Document options (``pages`` is ignored: page 1 is read).

    Returns:
        A :class:`~unocr.documents.PageRef` to a PDF's page 1, or the input
        itself (or a buffer holding what was read from a file object), for
        :func:`~unocr.documents.load_input` and
        :func:`~unocr.documents.text_layer_page`.
    """
    kind, data = sniff_input(image)
    if kind == "pdf":
        return PageRef(data, describe(image), 0, "pdf", replace(options, pages=None))
    return data


def read_document_pages(
    engine: Backend,
    source: ImageInput,
    options: DocumentOptions,
    *,
    languages: str | Sequence[str] | None,
) -> Iterator[Page]:
    """Read the selected pages of a PDF, or frames of any image, one at a time.

    Args:
        engine: The backend.
        source: A PDF, a (multi-frame) image, or any other input.
        options: Document options.
        languages: ISO 639 codes.

    Yields:
        One page per selected page or frame, in order.
    """
    refs, data = page_refs(source, options, every_frame=True)
    if refs is None or _frames_in_order(refs):
        yield from _read_frames(engine, source, data, refs, options, languages)
        return
    for ref in refs:
        page = text_layer_page(ref)
        if page is None:
            page = engine.read(cast(Any, ref), languages=languages)
        yield page


def _frames_in_order(refs: list[PageRef]) -> bool:
    """Whether the pages are frames of one image in file order (one pass reads them)."""
    in_order = all(a.index < b.index for a, b in pairwise(refs))
    return in_order and all(ref.kind == "frames" for ref in refs)


def _read_frames(
    engine: Backend,
    source: ImageInput,
    data: Any,
    refs: list[PageRef] | None,
    options: DocumentOptions,
    languages: str | Sequence[str] | None,
) -> Iterator[Page]:
    """Read a single image, or the selected frames of an image, in one pass.

    One opening of the file (or one walk through a PIL image) for all the
    frames: loading each frame on its own would open the file again and, for
    a GIF or an animated PNG or WebP, decode every frame before it again.
    """
    name = describe(source)
    if refs is not None:
        indices: list[int] | None = [ref.index for ref in refs]
    elif options.pages is not None:
        indices = select_pages(options.pages, 1, name)  # a single image: page 1
    else:
        indices = None
    if isinstance(data, bytes) and callable(getattr(source, "read", None)):
        data = io.BytesIO(data)  # messages name the file object it was read from
    frames = iter_frames(data, max_pixels=engine.max_pixels, frames=indices)
    numbers = count() if indices is None else indices
    # zip stops at the last page wanted: the frames after it stay undecoded
    for index, frame in zip(numbers, frames, strict=False):
        yield engine.read_loaded(
            PageImage(
                frame.image,
                name,
                frame.decode_seconds,
                frame.encoded,
                frame.format,
                Source(name, index=index),
            ),
            languages=languages,
        )


def read_items(
    engine: Backend,
    images: Iterable[ImageInput],
    options: DocumentOptions,
    *,
    languages: str | Sequence[str] | None,
    workers: int,
    errors: Literal["raise", "return"],
    progress: Callable[[int], None] | None,
    channel_order: Literal["rgb", "bgr"],
    executor: Executor | None = None,
) -> list[Page | ItemFailure]:
    """Read many inputs; every document contributes each of its pages.

    Args:
        engine: The backend.
        images: Inputs; PDFs and multi-page TIFFs are expanded into pages.
        options: Document options for every document.
        languages: ISO 639 codes.
        workers: Engine calls at once.
        errors: ``"raise"`` or ``"return"``.
        progress: Called with the number of pages just finished.
        channel_order: For numpy arrays.
        executor: Where the engine calls run (see :mod:`unocr.executors`).

    Returns:
        One page or item failure per page, in input order; an
        :class:`~unocr.backends.base.ItemFailure`'s ``index`` is its position in
        this list and its ``source`` names the file (and page).
    """
    from unocr.backends.base import ItemFailure, check_batch_arguments

    check_batch_arguments(images, workers, errors)  # before any document is opened
    items = expand(images, options)
    results: list[Page | ItemFailure | None] = [None] * len(items)
    rest: list[int] = []
    for i, item in enumerate(items):
        result = text_layer_result(item, i)
        if isinstance(result, ItemFailure) and errors == "raise":
            result.raise_()
        if result is None:
            rest.append(i)
            continue
        results[i] = result
        if progress is not None:
            progress(1)
    out = engine.read_many(
        [items[i] for i in rest],
        languages=languages,
        workers=workers,
        errors=errors,
        progress=progress,
        channel_order=channel_order,
        **({} if executor is None else {"executor": executor}),
    )
    for i, result in zip(rest, out, strict=True):
        results[i] = placed(result, i)
    return [r for r in results if r is not None]


def text_layer_result(item: Any, index: int) -> Page | ItemFailure | None:
    """A document page read from its PDF text layer, before any engine runs.

    Args:
        item: An expanded input (see :func:`~unocr.documents.expand`).
        index: Its position in the batch.

    Returns:
        The page; an item failure when the PDF cannot be read; ``None`` when
        the engine must read the item (not such a page, or no text layer).
    """
    from unocr.backends.base import ItemFailure

    try:
        return text_layer_page(item)
    except UnocrError as err:
        err.item = index
        return ItemFailure(index=index, source=describe_item(item), error=err)


def placed(result: Page | ItemFailure, index: int) -> Page | ItemFailure:
    """An engine's result for a sub-batch, its failure re-indexed to the whole batch.

    Args:
        result: One result of :meth:`~unocr.backends.base.Backend.read_many`
            on part of the items.
        index: The item's position in the whole batch.

    Returns:
        The page as is, or the failure with ``index`` (and ``error.item``).
    """
    from unocr.backends.base import ItemFailure

    if not isinstance(result, ItemFailure):
        return result
    result.error.item = index
    return ItemFailure(index=index, source=result.source, error=result.error)

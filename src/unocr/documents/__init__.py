"""Documents: the pages of a PDF or multi-page TIFF as images with their source.

An input that holds several pages (a PDF, a multi-page TIFF) is *expanded*
into one :class:`PageRef` per selected page. A reference is cheap (a path or
the file's bytes, and a page index); the page is rendered or decoded only when
:func:`load_input` is called on it, so a 500-page PDF is never all in memory.
Every image that comes out of :func:`load_input` carries its
:class:`~unocr.model.Source` (file name, page index and, for PDF pages, the
page size in points and the map to PDF user space), which the backends stamp
on the :class:`~unocr.model.Page` they return.

PDF pages whose text layer is used instead of OCR (``text_layer=True``) come
from :func:`text_layer_page` without any engine.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Literal

from PIL import Image

from unocr.documents.pdf import (
    DEFAULT_DPI,
    DEFAULT_MAX_PAGES,
    PdfFile,
    check_page_limit,
    is_pdf,
)
from unocr.documents.ranges import (
    PageSpec,
    check_page_spec,
    count_selected,
    select_pages,
)
from unocr.errors import ConfigError, DocumentError, ImageError, UnocrError
from unocr.image import (
    DEFAULT_MAX_PIXELS,
    LoadedImage,
    count_frames,
    describe,
    file_bytes,
    load_image,
    peek_file_object,
    portable_image,
    read_file_object,
    read_header,
    reopen,
)
from unocr.model import Block, Line, Page, Source, Timings
from unocr.model.layout import group_lines

__all__ = [
    "DEFAULT_DPI",
    "DEFAULT_MAX_PAGES",
    "DocumentOptions",
    "FailedInput",
    "PageImage",
    "PageRef",
    "PageSpec",
    "check_many",
    "check_options",
    "describe_item",
    "expand",
    "load_input",
    "page_refs",
    "select_pages",
    "sniff_input",
    "source_of",
    "text_layer_page",
]

_TIFF_MAGIC = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
_HEAD = 1024


@dataclass(frozen=True)
class DocumentOptions:
    """How documents are read.

    Attributes:
        dpi: Resolution PDF pages are rendered at (pixels per inch).
        pages: Which pages, numbered from 1 (see :data:`PageSpec`); ``None``
            for all of them. Given, it selects the frames of any image file
            too, a single image being a one-page document.
        password: Password of encrypted PDFs.
        text_layer: Take words and boxes from a PDF page's own text layer
            where it has one, instead of running the engine.
        max_pages: Refuse to read more pages than this from one PDF: the
            pages selected, all of them without ``pages`` (``None``: no
            limit).
    """

    dpi: float = DEFAULT_DPI
    pages: PageSpec = None
    password: str | None = None
    text_layer: bool = False
    max_pages: int | None = DEFAULT_MAX_PAGES


@dataclass(frozen=True)
class PageRef:
    """One page of a document, rendered or decoded on demand.

    Attributes:
        data: The document's path, its bytes, or the PIL image whose frame
            the page is.
        name: The document's name (the path, ``"<bytes>"``...).
        index: Zero-based page index.
        kind: ``"pdf"``; ``"frames"`` for a multi-frame image (TIFF), page
            ``index`` being its frame ``index``; ``"image"`` when ``data`` is
            that page alone (a frame of a PIL image made in memory, once
            pickled).
        options: How to read it.
    """

    data: str | os.PathLike[str] | bytes | Image.Image
    name: str
    index: int
    kind: Literal["pdf", "frames", "image"]
    options: DocumentOptions = DocumentOptions()

    def __repr__(self) -> str:
        return f"PageRef({self.name!r}, page {self.index + 1})"

    def open_pdf(self) -> PdfFile:
        """Open the PDF this is a page of (a ``"pdf"`` reference).

        Raises:
            DocumentError: The PDF cannot be opened (or ``data`` is an image).
        """
        if isinstance(self.data, Image.Image):
            raise DocumentError(f"{self.name}: a PIL image is not a PDF document")
        return PdfFile(self.data, self.name, password=self.options.password)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle a page of a PIL image as its file's bytes, decoding nothing.

        A pickled PIL image keeps only its current frame, and not the state
        reading it needs, so a page of one (sent to an executor's worker
        process) travels as the bytes of the file the image reads its
        frames from (:func:`~unocr.image.file_bytes`), opened again there:
        the page is decoded where the engine runs, under the engine's
        ``max_pixels``, and fails there as it fails in process. An image
        without such a file (made in memory) travels as the frame's pixels
        (:func:`~unocr.image.portable_image`); one that cannot give them
        (closed) as a :class:`FailedInput` raising the same error.
        """
        fields = (self.data, self.name, self.index, self.kind, self.options)
        if not isinstance(self.data, Image.Image) or self.kind != "frames":
            return PageRef, fields
        data = file_bytes(self.data)
        if data is not None:
            return _reopened, (data, self.name, self.index, self.options)
        try:  # its pixels are in memory: nothing to decode
            frame = portable_image(self.data, frame=self.index, max_pixels=None)
        except ImageError as err:
            return FailedInput, (describe_item(self), err)
        return PageRef, (frame, self.name, self.index, "image", self.options)


def _reopened(data: bytes, name: str, index: int, options: DocumentOptions) -> PageRef:
    """A pickled page of a PIL image (:meth:`PageRef.__reduce__`), as it was."""
    return PageRef(reopen(data), name, index, "frames", options)


@dataclass(frozen=True)
class FailedInput:
    """An input whose document could not be opened; loading it raises ``error``.

    Attributes:
        name: The input's name.
        error: The error to raise in its place.
    """

    name: str
    error: UnocrError


@dataclass(frozen=True)
class PageImage(LoadedImage):
    """A decoded page with its provenance.

    Attributes:
        source: Which file and page it is.
    """

    source: Source | None = None


def describe_item(item: object) -> str:
    """Name an input, a page reference or a failed input for messages."""
    if isinstance(item, PageRef):
        return f"{item.name} (page {item.index + 1})"
    if isinstance(item, FailedInput):
        return item.name
    return describe(item)


def source_of(image: LoadedImage) -> Source:
    """The provenance of a decoded image (page 0 of its input for plain images)."""
    source = getattr(image, "source", None)
    return source if isinstance(source, Source) else Source(image.name)


# ------------------------------------------------------------------ batches
def check_many(images: object, name: str = "images") -> None:
    """Refuse one input given where a batch calls for many.

    A path string, bytes, a file object, a PIL image or an image array are
    iterable (by character, byte, line or row), so passed alone to a batch
    call they would be read as many broken inputs; a ``Path`` or a number is
    not iterable at all.

    Args:
        images: The batch argument (an iterable of inputs; async iterables
            pass).
        name: The argument's name, for the message.

    Raises:
        unocr.errors.ConfigError: ``images`` is one input, or not iterable.

    Examples:
        >>> check_many(["a.png", "b.png"])
        >>> check_many("a.png")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        unocr.errors.ConfigError: images: got one input (str); pass a list ...
    """
    single = isinstance(images, (str, bytes, bytearray, memoryview, os.PathLike))
    single = single or callable(getattr(images, "read", None))  # a file object
    single = single or isinstance(images, Image.Image)
    shape = getattr(images, "shape", None)
    if isinstance(shape, tuple) and hasattr(images, "dtype"):
        # an array: 2-D is one grey image, (H, W, 3 or 4) one colour image;
        # a stack of images ((N, H, W) or (N, H, W, C)) is a batch
        single = single or len(shape) <= 2 or (len(shape) == 3 and shape[2] in (3, 4))
    if single:
        raise ConfigError(
            f"{name}: got one input ({type(images).__name__}); pass a list of "
            "inputs, e.g. [image]"
        )
    if not hasattr(images, "__iter__") and not hasattr(images, "__aiter__"):
        raise ConfigError(
            f"{name}: expected an iterable of inputs (a list, a generator...), "
            f"got {type(images).__name__}"
        )


# --------------------------------------------------------------- recognising
def sniff_input(item: object) -> tuple[str | None, Any]:
    """Tell a PDF or TIFF from other inputs by content.

    Args:
        item: Any input.

    Returns:
        (kind, data): kind ``"pdf"``, ``"tiff"`` (a TIFF file, or a PIL
    image opened from one) or ``None``; data is the path, the bytes, the PIL
    image, or for a file object (which may be read only once) the bytes of
    a document, or else a stream giving the object's bytes from where it
    stood (:func:`~unocr.image.peek_file_object`).
    """
    if isinstance(item, (str, os.PathLike)):
        # Only a regular file is opened here: a NUL in the path, a device or a
        # FIFO (which would block) is left to load_image, which reports it.
        try:
            if not stat.S_ISREG(os.stat(item).st_mode):
                return None, item
            with open(item, "rb") as fh:
                head = fh.read(_HEAD)
        except (OSError, ValueError):
            return None, item
        return _kind(head), item
    if isinstance(item, (bytes, bytearray, memoryview)):
        data = bytes(item)
        return _kind(data[:_HEAD]), data
    if isinstance(item, Image.Image):  # a document like the file it was opened from
        return ("tiff" if item.format == "TIFF" else None), item
    if callable(getattr(item, "read", None)) and not hasattr(item, "getpixel"):
        name = describe(item)
        head, stream = peek_file_object(item, name, _HEAD)
        kind = _kind(head)
        # a document is read whole; an image is left for load_image, which
        # checks its header before reading the rest
        return kind, (read_file_object(stream, name) if kind else stream)
    return None, item


def _kind(head: bytes) -> str | None:
    if is_pdf(head):
        return "pdf"
    if head.startswith(_TIFF_MAGIC):
        return "tiff"
    return None


def page_refs(
    item: Any,
    options: DocumentOptions = DocumentOptions(),
    *,
    every_frame: bool = False,
    documents_only: bool = False,
) -> tuple[list[PageRef] | None, Any]:
    """The pages of a document input.

    PDFs and TIFFs are documents. With ``options.pages`` given, so is any
    other input: the selection picks the frames of a GIF (or any multi-frame
    image), and a single image is a one-page document (``pages=2`` of it is
    outside it), so that :func:`expand` selects what ``read_pages`` does. A
    PIL image counts as the file it was opened from (its ``format``).

    A TIFF whose list of frames is damaged (a frame's link to the next one
    broken) has the frames found before the damage and the frame the list
    breaks off at, which fails when loaded (``ImageError``): no intact page
    is dropped, and the damage is reported in that page's place. Any other
    input whose frames cannot be counted is a single image: a selection of
    more than its page 1 is an error.

    Args:
        item: Any input.
        options: Page selection, password and limits.
        every_frame: Expand every multi-frame image (GIF, WebP...), not only
            PDFs and TIFFs, also without a page selection.
        documents_only: Apply ``options.pages`` only to what is a document
            without it, a PDF or a multi-page TIFF; any other input (a
            single image, a one-page TIFF, a GIF) is read as it is, as
            ``unocr read --pages`` does over a folder of mixed files.

    Returns:
        (references, item): the selected pages' references, or ``None`` when
        the input is a single image (then ``item`` is what to load in its
        place: the same input, or a buffer holding what was read from a file
        object).

    Raises:
        DocumentError: The PDF cannot be opened, more pages are selected
            than ``max_pages``, or the page selection lies outside the
            document (or asks for more than page 1 of an image whose
            frames cannot be counted).
        ImageError: Such an image is not a readable image at all.
    """
    if isinstance(item, PageRef):
        return [item], item
    name = describe(item)
    kind, data = sniff_input(item)
    if kind == "pdf":
        with PdfFile(data, name, password=options.password) as pdf:
            count = pdf.page_count
        selected = count_selected(options.pages, count, name)
        check_page_limit(selected, count, options.max_pages, name)
        indices = select_pages(options.pages, count, name)
        return [PageRef(data, name, i, "pdf", options) for i in indices], data
    # whether the selection makes any image a document (of one page or more)
    selecting = options.pages is not None and not documents_only
    if kind is None and not (every_frame or selecting):
        return None, data
    if callable(getattr(data, "read", None)) and not isinstance(data, Image.Image):
        data = read_file_object(data, name)  # its frames are counted: all of it
    if not isinstance(data, (bytes, str, os.PathLike, Image.Image)):
        if selecting:  # an array: one page
            select_pages(options.pages, 1, name)
        return None, data
    frames = count_frames(data)  # a damaged TIFF: to the damage; None: unknown
    if frames is None:
        if selecting:
            _only_page_one(data, options.pages, name)
        return None, data  # a single image: load_image reports any damage
    if frames == 1 and not selecting:
        return None, data
    indices = select_pages(options.pages, frames, name)
    return [PageRef(data, name, i, "frames", options) for i in indices], data


def _only_page_one(data: Any, spec: PageSpec, name: str) -> None:
    """Refuse a selection past page 1 of an input whose frames cannot be counted.

    Such an input is read as a single image (its first frame), so a
    selection of page 1 reads it, and any other is an error rather than
    page 1 read in its place.

    Raises:
        ImageError: The input is not a readable image (as
            :func:`~unocr.image.load_image` reports it).
        DocumentError: It is one, but its frames cannot be counted.
    """
    try:
        select_pages(spec, 1, name)
    except DocumentError:
        if not isinstance(data, Image.Image):
            read_header(data)  # a file that is no image: say so
        raise DocumentError(
            f"{name}: cannot select pages {spec!r} of it: its frames cannot be "
            "counted (the file's list of frames is damaged); only page 1 can "
            "be read",
            item=name,
        ) from None


def expand(
    items: Iterable[Any],
    options: DocumentOptions = DocumentOptions(),
    *,
    documents_only: bool = False,
) -> list[Any]:
    """Replace every document input by its pages' references, in order.

    A document that cannot be opened becomes one :class:`FailedInput`, so a
    batch keeps its other items.

    Args:
        items: Inputs as :func:`unocr.read_many` accepts them.
        options: Page selection, password and limits for every document.
        documents_only: Select pages only of PDFs and multi-page TIFFs;
            read any other image as it is (see :func:`page_refs`).

    Returns:
        The inputs, each document replaced by its pages.
    """
    out: list[Any] = []
    for item in items:
        try:
            refs, data = page_refs(item, options, documents_only=documents_only)
        except UnocrError as err:
            out.append(FailedInput(describe(item), err))
            continue
        out.extend([data] if refs is None else refs)
    return out


# --------------------------------------------------------------- decoding
def load_input(
    item: Any,
    *,
    channel_order: Literal["rgb", "bgr"] = "rgb",
    max_pixels: int | None = DEFAULT_MAX_PIXELS,
    decode: bool = True,
) -> LoadedImage:
    """Decode any input: an image, a page reference, or a document's page 1.

    Args:
        item: An :data:`~unocr.image.ImageInput`, a :class:`PageRef` or a
            :class:`FailedInput`. A PDF given directly yields its first page
            at :data:`DEFAULT_DPI`.
        channel_order: For numpy arrays, ``"rgb"`` or ``"bgr"``.
        max_pixels: Pixel limit, checked before decoding or rendering.
        decode: ``False``: an image file whose bytes show it exactly is not
            decoded yet (:func:`~unocr.image.load_image` ``decode=False``).

    Returns:
        The decoded image; a :class:`PageImage` (with its source) for pages
        of documents.

    Raises:
        unocr.errors.ImageError: The image cannot be read.
        DocumentError: The document cannot be read.
    """
    if isinstance(item, FailedInput):
        raise item.error
    if isinstance(item, PageRef):
        return _load_ref(item, channel_order, max_pixels)
    kind, data = sniff_input(item)
    if kind == "pdf":
        return _load_ref(
            PageRef(data, describe(item), 0, "pdf"), channel_order, max_pixels
        )
    return load_image(
        data, channel_order=channel_order, max_pixels=max_pixels, decode=decode
    )


def _load_ref(
    ref: PageRef, channel_order: Literal["rgb", "bgr"], max_pixels: int | None
) -> PageImage:
    start = time.perf_counter()
    if ref.kind == "pdf":
        opts = ref.options
        with ref.open_pdf() as pdf:
            image, geo = pdf.render(ref.index, opts.dpi, max_pixels)
        image.info["dpi"] = (opts.dpi, opts.dpi)  # engines that use it (Tesseract)
        return PageImage(
            image, ref.name, time.perf_counter() - start, None, "PDF", geo.source
        )
    loaded = load_image(
        ref.data,
        channel_order=channel_order,
        max_pixels=max_pixels,
        frame=0 if ref.kind == "image" else ref.index,
    )
    return PageImage(
        loaded.image,
        ref.name,
        loaded.decode_seconds,
        loaded.encoded,
        loaded.format,
        Source(ref.name, index=ref.index),
    )


def text_layer_page(ref: Any) -> Page | None:
    """A PDF page read from its own text layer, when asked for and present.

    A page whose annotations show text (filled-in form fields, FreeText
    notes, text stamps: :meth:`~unocr.documents.pdf.PdfFile.annotations_show_text`)
    is not read from its text layer, which lacks that text: it is OCR'd as
    rendered, as a viewer shows it.

    Args:
        ref: Any item; only a :class:`PageRef` to a PDF page whose options ask
            for ``text_layer`` is read.

    Returns:
        The page (``source.method == "text-layer"``, no engine, coordinates in
        pixels at the options' dpi), or ``None`` when the item is not such a
        page, the page has no text in its text layer, or its annotations
        show text (then OCR it).

    Raises:
        DocumentError: The PDF cannot be read.
    """
    if not isinstance(ref, PageRef) or ref.kind != "pdf" or not ref.options.text_layer:
        return None
    start = time.perf_counter()
    opts = ref.options
    with ref.open_pdf() as pdf:
        lines, geo = pdf.text_lines(ref.index, opts.dpi)
        if not lines or pdf.annotations_show_text(ref.index):
            return None
    page = Page(width=geo.width, height=geo.height, blocks=_in_pdf_order(lines))
    return page.replace(
        source=replace(geo.source, method="text-layer"),
        timings=Timings(convert=time.perf_counter() - start),
    )


def _in_pdf_order(lines: list[Line]) -> tuple[Block, ...]:
    """Blocks grouped by layout, lines and blocks in the text layer's order.

    ``lines`` come in reading order along the text's own direction, whatever
    the page's ``/Rotate`` (:func:`~unocr.documents.text_layer.lines_from_textpage`);
    the blocks keep that order.
    """
    rank = {id(line): i for i, line in enumerate(lines)}
    blocks = [
        block.replace(lines=tuple(sorted(block.lines, key=lambda li: rank[id(li)])))
        for block in group_lines(lines)
    ]
    blocks.sort(key=lambda b: rank[id(b.lines[0])])
    return tuple(b.replace(text="\n".join(li.text for li in b.lines)) for b in blocks)


def check_options(options: DocumentOptions) -> DocumentOptions:
    """Validate options once, before any page is touched.

    Returns:
        The options, with an iterable ``pages`` read into a tuple (a
        generator would be used up by the first document).

    Raises:
        DocumentError: A bad ``dpi``, ``max_pages``, ``password`` or
            ``pages`` (its form: whether the pages exist is checked per
            document).
    """
    dpi = options.dpi
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)) or not dpi > 0:
        raise DocumentError(f"dpi must be a positive number such as 300, got {dpi!r}")
    if dpi == float("inf"):
        raise DocumentError("dpi must be finite")
    mp = options.max_pages
    if mp is not None and (isinstance(mp, bool) or not isinstance(mp, int) or mp < 1):
        raise DocumentError(
            f"max_pages must be a whole number >= 1 or None, got {mp!r}"
        )
    if options.password is not None and not isinstance(options.password, str):
        raise DocumentError(
            "password must be a string (the PDF's user or owner password) or None, "
            f"got a value of type {type(options.password).__name__}"
        )
    try:
        (options.password or "").encode("utf-8")
    except UnicodeEncodeError:  # bytes of another encoding, escaped (os.fsdecode)
        raise DocumentError(
            "password is not valid text: it holds bytes that are not UTF-8 (a "
            "command line in another encoding?); give it as UTF-8 text"
        ) from None
    pages = check_page_spec(options.pages)
    return options if pages is options.pages else replace(options, pages=pages)

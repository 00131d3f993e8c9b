"""PDF pages through PDFium (pypdfium2): open, measure, render, read the text layer.

PDFium is the PDF engine of Chromium: it renders what browsers render, reads
damaged files as far as they can be read, and ships as a self-contained wheel
(``pypdfium2``, no system library, Apache-2.0/BSD). PDFium is not thread-safe,
so every call into it here holds one process-wide lock; rendering of different
pages is serialised while OCR of rendered pages still runs in parallel.
"""

from __future__ import annotations

import decimal
import importlib
import io
import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from unocr._closing import Closing
from unocr.errors import BackendUnavailableError, DocumentError
from unocr.model.source import Source

if TYPE_CHECKING:
    from PIL import Image

    from unocr.model import Line

__all__ = [
    "DEFAULT_DPI",
    "DEFAULT_MAX_PAGES",
    "PdfFile",
    "PdfPageGeometry",
    "check_page_limit",
    "fitting_dpi",
    "is_pdf",
    "pixel_size",
    "require_pdf_library",
]

#: Resolution PDF pages are rendered at unless ``dpi=`` says otherwise.
DEFAULT_DPI = 300.0
#: Most pages read from one PDF in one call before it is refused as a bomb
#: (``max_pages=``): the pages selected, all of them without ``pages=``.
DEFAULT_MAX_PAGES = 10_000

_PDF_MAGIC = b"%PDF-"
_HEADER_WINDOW = 1024  # the header may follow up to 1 KiB of junk
_SIGNATURE_BYTES = 16  # what Pillow's formats are shown to claim a file
_LOCK = threading.RLock()
_SIZE_TOLERANCE = 0.01  # pixels
_PASSWORD_ERROR = 4  # FPDF_ERR_PASSWORD
_SECURITY_ERROR = 5  # FPDF_ERR_SECURITY (unsupported encryption)
_NO_PAGES = "{}: the PDF has no pages"


def is_pdf(head: bytes) -> bool:
    """Whether the first bytes of a file are a PDF header (``%PDF-``).

    As PDF readers do, the header is found after up to 1 KiB of other bytes,
    except in a file that starts with an image format's signature: an
    image's metadata may mention ``%PDF-`` (a PNG text chunk, a JPEG comment)
    and the file is still that image.

    Args:
        head: At least the first 1024 bytes, or the whole file if shorter.

    Returns:
        ``True`` for a PDF.
    """
    if head.startswith(_PDF_MAGIC):
        return True
    return _PDF_MAGIC in head[:_HEADER_WINDOW] and not _is_image_signature(head)


def _is_image_signature(head: bytes) -> bool:
    """Whether an image format Pillow reads claims the file by its first bytes.

    Pillow's formats (PNG, JPEG, GIF, TIFF, BMP, WebP, JPEG 2000...) each
    check a file's signature; they are asked as :func:`PIL.Image.open` asks
    them.
    """
    from PIL import Image

    Image.init()
    prefix = head[:_SIGNATURE_BYTES]
    for _, accept in Image.OPEN.values():
        try:
            if accept is not None and accept(prefix):
                return True
        except Exception:
            continue  # a format's check that fails claims nothing
    return False


def check_page_limit(
    selected: int, count: int, max_pages: int | None, name: str
) -> None:
    """Refuse to read more pages of one PDF than ``max_pages`` (a page-count bomb).

    Only the pages selected count: they are the ones rendered and read.

    Args:
        selected: Pages selected (without ``pages=``, all of them).
        count: Pages in the PDF.
        max_pages: The limit; ``None`` for none.
        name: The document's name, for the message.

    Raises:
        DocumentError: More pages selected than ``max_pages``; the message
            says how to read them.
    """
    if max_pages is None or selected <= max_pages:
        return
    if selected == count:
        message = (
            f"{name}: the PDF has {count:,} pages, over the limit of {max_pages:,}; "
            f"pass max_pages={count} (or larger) to read them all, or select at "
            f"most {max_pages:,} of them, e.g. pages='1-{max_pages}'"
        )
    else:
        message = (
            f"{name}: {selected:,} pages selected (of {count:,}), over the limit "
            f"of {max_pages:,}; pass max_pages={selected} (or larger), or select "
            "fewer pages"
        )
    raise DocumentError(message, item=name)


def require_pdf_library(module: str, purpose: str) -> Any:
    """Import one of the ``pdf`` extra's libraries, or say how to install it.

    Args:
        module: ``"pypdfium2"`` or ``"pikepdf"``.
        purpose: What needs it, e.g. ``"reading PDF files"``.

    Returns:
        The module.

    Raises:
        unocr.errors.BackendUnavailableError: Not installed; ``.fix`` names
            the extra.
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise BackendUnavailableError(
            f"{purpose} needs {module}, which is not installed.",
            fix="pip install 'unocr[pdf]'",
        ) from exc


def _pdfium() -> Any:
    return require_pdf_library("pypdfium2", "reading PDF files")


@contextmanager
def pdfium_lock() -> Iterator[None]:
    """Hold the process-wide PDFium lock (PDFium is not thread-safe)."""
    with _LOCK:
        yield


@dataclass(frozen=True)
class PdfPageGeometry:
    """Size of a rendered PDF page and where its pixels lie in the PDF.

    Attributes:
        width: Rendered width in pixels (page as displayed, ``/Rotate`` applied).
        height: Rendered height in pixels.
        source: The page's :class:`~unocr.model.Source` (``dpi``,
            ``page_size`` in points, ``to_pdf`` matrix).
    """

    width: int
    height: int
    source: Source

    def to_pixels(self, x: float, y: float) -> tuple[float, float]:
        """Map a point of PDF user space to pixel coordinates.

        Args:
            x: PDF x in points.
            y: PDF y in points.

        Returns:
            (x, y) in the rendered page's pixels.
        """
        assert self.source.to_pdf is not None
        a, b, c, d, e, f = self.source.to_pdf
        det = a * e - b * d
        u, v = x - c, y - f
        return ((e * u - b * v) / det, (a * v - d * u) / det)


def _to_pdf_matrix(
    bbox: tuple[float, float, float, float], rotation: int, width: int, height: int
) -> tuple[float, float, float, float, float, float]:
    """Pixel -> PDF user space for a page box shown with a ``/Rotate``.

    The rendered image shows ``bbox`` (left, bottom, right, top) turned
    ``rotation`` degrees clockwise, ``width`` x ``height`` pixels.
    """
    left, bottom, right, top = bbox
    w, h = right - left, top - bottom
    if rotation == 90:
        return (0.0, w / height, left, h / width, 0.0, bottom)
    if rotation == 180:
        return (-w / width, 0.0, right, 0.0, h / height, bottom)
    if rotation == 270:
        return (0.0, -w / height, right, -h / width, 0.0, top)
    return (w / width, 0.0, left, 0.0, -h / height, top)


def _check_dpi(dpi: float, name: str) -> float:
    if isinstance(dpi, bool) or not isinstance(dpi, (int, float)):
        raise DocumentError(f"{name}: dpi must be a number, got {dpi!r}", item=name)
    if not math.isfinite(dpi) or dpi <= 0:
        raise DocumentError(
            f"{name}: dpi must be a positive number such as 300, got {dpi!r}",
            item=name,
        )
    return float(dpi)


class PdfFile(Closing):
    """An open PDF document (use as a context manager).

    Args:
        source: A path, or the file's bytes.
        name: The document's name for messages and provenance.
        password: Password of an encrypted PDF.

    Raises:
        DocumentError: Missing, empty, corrupt or truncated file, no page,
            or encrypted without the right password.
        unocr.errors.BackendUnavailableError: pypdfium2 is not installed.
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | bytes,
        name: str,
        *,
        password: str | None = None,
    ) -> None:
        self.name = name
        pdfium = _pdfium()
        if isinstance(source, bytes) and not source:
            raise DocumentError(f"{name}: the input is empty (0 bytes)", item=name)
        if not isinstance(source, bytes):
            _check_path(source, name)
        with _LOCK:
            try:
                self._doc = _open_document(pdfium, source, password)
            except pdfium.PdfiumError as exc:
                if _opens_without_pages(pdfium, source, password):
                    raise DocumentError(_NO_PAGES.format(name), item=name) from exc
                raise _open_error(exc, name, password) from exc
            # Form fields' values are drawn only with a form environment, set
            # up before any page is loaded.
            self._doc.init_forms()
            self.page_count = len(self._doc)
        if self.page_count == 0:
            self.close()
            raise DocumentError(_NO_PAGES.format(name), item=name)
        self._source = source
        self._password = password
        self._user_units: dict[int, float] | None = None

    def close(self) -> None:
        """Release PDFium's document."""
        doc = getattr(self, "_doc", None)
        if doc is not None:
            with _LOCK:
                doc.close()
            self._doc = None

    @contextmanager
    def _page(self, index: int) -> Iterator[Any]:
        pdfium = _pdfium()
        if not 0 <= index < self.page_count:
            raise DocumentError(
                f"{self.name}: page {index + 1} is outside the document, which has "
                f"{self.page_count} page(s) (pages are numbered from 1)",
                item=self.name,
            )
        with _LOCK:
            try:
                page = self._doc[index]
            except (pdfium.PdfiumError, IndexError) as exc:
                raise DocumentError(
                    f"{self.name} (page {index + 1}): cannot load the page: {exc}",
                    item=self.name,
                ) from exc
            try:
                yield page
            finally:
                page.close()

    def geometry(self, index: int, dpi: float) -> PdfPageGeometry:
        """Measure one page as it would be rendered, without rendering it.

        Args:
            index: Zero-based page index.
            dpi: Rendering resolution in pixels per inch.

        Returns:
            Pixel size and provenance of the page.
        """
        dpi = _check_dpi(dpi, self.name)
        with self._page(index) as page:
            return self._geometry(page, index, dpi)

    def user_unit(self, index: int) -> float:
        """The page's ``/UserUnit``: the size of its user-space unit in points.

        PDF 1.6 lets a page measure its boxes in units of ``/UserUnit`` x
        1/72 inch (1 when absent). PDFium ignores it, so it is read from the
        page dictionary with pikepdf (the ``pdf`` extra's other library),
        once per document; without pikepdf, or where qpdf reads the file
        differently from PDFium (a damaged file whose page count differs),
        every page has a unit of 1.

        Args:
            index: Zero-based page index.

        Returns:
            The unit in points, positive and finite.
        """
        if self._user_units is None:
            self._user_units = _user_units(
                self._source, self._password, self.page_count
            )
        return self._user_units.get(index, 1.0)

    def _geometry(self, page: Any, index: int, dpi: float) -> PdfPageGeometry:
        unit = self.user_unit(index)
        width_pt, height_pt = (float(v) * unit for v in page.get_size())
        width, height = pixel_size(width_pt, height_pt, dpi)
        if not (width_pt > 0 and height_pt > 0):
            raise DocumentError(
                f"{self.name} (page {index + 1}): the page has no area "
                f"({width_pt}x{height_pt} points)",
                item=self.name,
            )
        if width <= 0 or height <= 0:
            side = "wide" if width <= 0 else "high"
            least = math.ceil(72.0 / min(width_pt, height_pt))
            raise DocumentError(
                f"{self.name} (page {index + 1}): at {dpi:g} dpi the "
                f"{width_pt:g}x{height_pt:g}-point page is less than one pixel "
                f"{side}; pass dpi={least} (or higher)",
                item=self.name,
            )
        rotation = int(page.get_rotation()) % 360
        bbox = tuple(float(v) for v in page.get_bbox())
        source = Source(
            name=self.name,
            index=index,
            dpi=dpi,
            page_size=(float(width_pt), float(height_pt)),
            to_pdf=_to_pdf_matrix(bbox, rotation, width, height),  # type: ignore[arg-type]
        )
        return PdfPageGeometry(width, height, source)

    def render(
        self, index: int, dpi: float, max_pixels: int | None
    ) -> tuple[Image.Image, PdfPageGeometry]:
        """Render one page to an RGB image.

        Args:
            index: Zero-based page index.
            dpi: Resolution in pixels per inch.
            max_pixels: Refuse (before rendering) a page whose rendered
                width x height exceeds this; ``None`` disables the check.

        Returns:
            The RGB image and the page's geometry.

        Raises:
            DocumentError: Over ``max_pixels``, or PDFium cannot render it.
        """
        dpi = _check_dpi(dpi, self.name)
        pdfium = _pdfium()
        with self._page(index) as page:
            geo = self._geometry(page, index, dpi)
            pixels = geo.width * geo.height
            if max_pixels is not None and pixels > max_pixels:
                w_pt, h_pt = geo.source.page_size or (0.0, 0.0)
                fit = fitting_dpi(w_pt, h_pt, dpi, max_pixels)
                fix = (
                    f"pass dpi={fit} (or lower), or max_pixels={pixels} (or larger)"
                    if fit is not None
                    else f"pass max_pixels={pixels} (or larger): not even 1 dpi "
                    "renders the page within the limit"
                )
                raise DocumentError(
                    f"{self.name} (page {index + 1}): a {w_pt:g}x{h_pt:g}-point page "
                    f"at {dpi:g} dpi is {geo.width}x{geo.height} = {pixels:,} "
                    f"pixels, over the limit of {max_pixels:,}; {fix}",
                    item=self.name,
                )
            try:
                image = _render(pdfium, page, geo.width, geo.height)
            except (pdfium.PdfiumError, MemoryError, ValueError) as exc:
                reason = str(exc) or (
                    "not enough memory for the image"
                    if isinstance(exc, MemoryError)
                    else type(exc).__name__
                )
                raise DocumentError(
                    f"{self.name} (page {index + 1}): cannot render the page at "
                    f"{dpi:g} dpi ({geo.width}x{geo.height} pixels): {reason}; pass "
                    "a lower dpi",
                    item=self.name,
                ) from exc
        if image.mode != "RGB":
            image = image.convert("RGB")
        return image, geo

    def text_lines(self, index: int, dpi: float) -> tuple[list[Line], PdfPageGeometry]:
        """Read the page's own text layer: lines of words with their boxes.

        Args:
            index: Zero-based page index.
            dpi: Resolution whose pixels the boxes are given in.

        Returns:
            The lines (empty when the page has no text layer) and the page's
            geometry.
        """
        from unocr.documents.text_layer import lines_from_textpage

        dpi = _check_dpi(dpi, self.name)
        with self._page(index) as page:
            geo = self._geometry(page, index, dpi)
            textpage = page.get_textpage()
            try:
                lines = lines_from_textpage(textpage, geo.to_pixels)
            finally:
                textpage.close()
        return lines, geo

    def annotations_show_text(self, index: int) -> bool:
        """Whether the page's annotations show text that its text layer lacks.

        Filled-in form fields, FreeText notes (a typewriter tool, "Fill &
        Sign"), text stamps: a viewer draws them over the page, and so does
        :meth:`render`, but the text layer (:meth:`text_lines`) is the page
        content's alone. They are found by flattening the page as it is
        shown: annotations' normal appearances (hidden ones left out, with
        the appearances PDFium makes for those that have none, as it does
        to draw them) become page content, whose letters and digits are
        counted again. Symbols alone (a check box's tick) do not count.

        The page is flattened in this open document only (the file is not
        touched): it renders the same afterwards, and its text then holds
        the annotations' text, so read :meth:`text_lines` first.

        Args:
            index: Zero-based page index.

        Returns:
            ``True`` when the annotations add letters or digits to the page.
        """
        pdfium = _pdfium()
        raw = pdfium.raw
        with self._page(index) as page:
            if not raw.FPDFPage_GetAnnotCount(page):
                return False
            before = _letters_and_digits(page)
            _make_appearances(pdfium, page)
            flattened = raw.FPDFPage_Flatten(page, raw.FLAT_NORMALDISPLAY)
            if flattened != raw.FLATTEN_SUCCESS:
                return False  # nothing shown (links...), or it cannot be done
        with self._page(index) as page:  # loaded again: its new content parsed
            return _letters_and_digits(page) > before


def pixel_size(width_pt: float, height_pt: float, dpi: float) -> tuple[int, int]:
    """Rendered width and height in pixels of a page measured in points.

    Partial pixels count, float noise in the page box (PDFium keeps it in
    single precision) does not: 230.4 pt at 200 dpi is 640 pixels.

    Args:
        width_pt: Page width in points.
        height_pt: Page height in points.
        dpi: Resolution in pixels per inch.

    Returns:
        (width, height) in pixels.
    """
    scale = dpi / 72.0
    return (
        math.ceil(width_pt * scale - _SIZE_TOLERANCE),
        math.ceil(height_pt * scale - _SIZE_TOLERANCE),
    )


def fitting_dpi(
    width_pt: float, height_pt: float, dpi: float, max_pixels: int
) -> int | None:
    """The largest whole dpi below ``dpi`` rendering the page within ``max_pixels``.

    The area scales with the square of the dpi, but the sides are rounded up
    to whole pixels (:func:`pixel_size`), so the estimate from the area is
    checked and moved by whole dpi until it is the largest that fits.

    Args:
        width_pt: Page width in points.
        height_pt: Page height in points.
        dpi: The resolution asked for, in pixels per inch.
        max_pixels: The limit on width x height in pixels.

    Returns:
        That dpi, or ``None`` when not even 1 dpi fits.
    """

    def fits(candidate: int) -> bool:
        width, height = pixel_size(width_pt, height_pt, candidate)
        return width > 0 and height > 0 and width * height <= max_pixels

    width, height = pixel_size(width_pt, height_pt, dpi)
    pixels = max(1, width * height)
    fit = max(1, math.floor(dpi * math.sqrt(max(0, max_pixels) / pixels)))
    while fit >= 1 and not fits(fit):
        fit -= 1
    if fit < 1:
        return None
    while fit + 1 < dpi and fits(fit + 1):
        fit += 1
    return fit


def _letters_and_digits(page: Any) -> int:
    """How many letters and digits the page's text holds."""
    textpage = page.get_textpage()
    try:
        return sum(char.isalnum() for char in textpage.get_text_range())
    finally:
        textpage.close()


def _make_appearances(pdfium: Any, page: Any) -> None:
    """Have PDFium make the appearances it draws for annotations without one.

    PDFium makes them (a FreeText note's text, for one) when it lays out a
    page's annotations to draw them: the page is drawn here with its
    annotations, far outside a one-pixel bitmap, so nothing is rasterised.
    """
    raw = pdfium.raw
    bitmap = pdfium.PdfBitmap.new_native(1, 1, format=raw.FPDFBitmap_BGR)
    away = raw.FS_MATRIX(1, 0, 0, 1, -1e6, -1e6)
    clip = raw.FS_RECTF(0, 0, 1, 1)
    raw.FPDF_RenderPageBitmapWithMatrix(bitmap, page, away, clip, raw.FPDF_ANNOT)
    bitmap.close()


def _render(pdfium: Any, page: Any, width: int, height: int) -> Image.Image:
    """Draw the page on white, as a viewer shows it.

    ``/Rotate`` is applied; annotations and filled-in form fields are drawn.
    """
    raw = pdfium.raw
    bitmap = pdfium.PdfBitmap.new_native(
        width, height, format=raw.FPDFBitmap_BGR, rev_byteorder=True
    )
    bitmap.fill_rect((255, 255, 255, 255), 0, 0, width, height)
    raw.FPDF_RenderPageBitmap(bitmap, page, 0, 0, width, height, 0, raw.FPDF_ANNOT)
    if page.formenv:  # filled-in form fields
        raw.FPDF_FFLDraw(
            page.formenv, bitmap, page, 0, 0, width, height, 0, raw.FPDF_ANNOT
        )
    return bitmap.to_pil()  # type: ignore[no-any-return]


def _check_path(path: str | os.PathLike[str], name: str) -> None:
    if not os.path.exists(path):
        raise DocumentError(f"{name}: no such file", item=name)
    if os.path.isdir(path):
        raise DocumentError(f"{name}: is a directory, not a PDF file", item=name)
    if os.path.getsize(path) == 0:
        raise DocumentError(f"{name}: the input is empty (0 bytes)", item=name)


def _open_document(
    pdfium: Any, source: str | os.PathLike[str] | bytes, password: str | None
) -> Any:
    """Open a document with ``password``, or as PDF readers do without one.

    A PDF encrypted with an owner password only (an empty user password,
    which only restricts printing or copying) opens without a password in
    every reader: a password given for other files of a batch that is not
    this file's owner password still opens it. Called with the lock held.
    """
    try:
        return pdfium.PdfDocument(source, password=password)
    except pdfium.PdfiumError as exc:
        if not password or getattr(exc, "err_code", None) != _PASSWORD_ERROR:
            raise
        try:
            return pdfium.PdfDocument(source, password=None)
        except pdfium.PdfiumError:
            raise exc from None


_UNIT_CACHE: dict[tuple[Any, ...], tuple[Any, dict[int, float]]] = {}
_UNIT_CACHE_SIZE = 8


def _user_units(
    source: str | os.PathLike[str] | bytes, password: str | None, count: int
) -> dict[int, float]:
    """Each page's ``/UserUnit`` other than 1, by zero-based page index.

    Read with pikepdf once per file (kept for the last few files: each page
    of a document is read through its own :class:`PdfFile`). The value is
    the page dictionary's own (the key is not inherited); one that is not a
    positive finite number counts as 1.
    """
    try:
        import pikepdf
    except ImportError:
        return {}
    if isinstance(source, bytes):
        key: tuple[Any, ...] = ("bytes", len(source), hash(source))
    else:
        try:
            stat = os.stat(source)
        except OSError:
            return {}
        key = ("path", os.path.realpath(source), stat.st_mtime_ns, stat.st_size)
    with _LOCK:
        cached = _UNIT_CACHE.get(key)
        if cached is not None and (
            not isinstance(source, bytes) or cached[0] == source
        ):
            return cached[1]
    units: dict[int, float] = {}
    try:
        with _pikepdf_open(pikepdf, source, password) as pdf:
            if len(pdf.pages) != count:
                return {}
            for index, page in enumerate(pdf.pages):
                value = page.obj.get("/UserUnit")  # a number: int or Decimal
                if isinstance(value, (int, decimal.Decimal)) and not isinstance(
                    value, bool
                ):
                    unit = float(value)
                    if math.isfinite(unit) and unit > 0 and unit != 1.0:
                        units[index] = unit
    except Exception:
        return {}  # qpdf cannot read what PDFium reads (a damaged file)
    with _LOCK:
        if len(_UNIT_CACHE) >= _UNIT_CACHE_SIZE:
            _UNIT_CACHE.pop(next(iter(_UNIT_CACHE)))
        _UNIT_CACHE[key] = (source if isinstance(source, bytes) else None, units)
    return units


def _pikepdf_open(
    pikepdf: Any, source: str | os.PathLike[str] | bytes, password: str | None
) -> Any:
    """Open with pikepdf: without a password, then with ``password`` if needed.

    (pikepdf warns of a password given for a file that needs none.)
    """

    def open_with(secret: str) -> Any:
        data = io.BytesIO(source) if isinstance(source, bytes) else source
        return pikepdf.open(data, password=secret)

    try:
        return open_with("")
    except pikepdf.PasswordError:
        if not password:
            raise
        return open_with(password)


def _opens_without_pages(
    pdfium: Any, source: str | os.PathLike[str] | bytes, password: str | None
) -> bool:
    """Whether PDFium opens the document but finds no page in it.

    pypdfium2 reports such a document as a failure to load, with PDFium's
    last error code, which is then left over from an earlier failure (or
    "success"): it says nothing about this file. Called with the lock held.
    """
    raw = pdfium.raw
    secret = None if password is None else password.encode("utf-8")
    if isinstance(source, bytes):
        handle = raw.FPDF_LoadMemDocument64(source, len(source), secret)
    else:
        handle = raw.FPDF_LoadDocument(os.fsencode(source), secret)
    if not handle:
        return False  # a real failure: the error code is this file's
    try:
        return bool(raw.FPDF_GetPageCount(handle) < 1)
    finally:
        raw.FPDF_CloseDocument(handle)


def _open_error(exc: Exception, name: str, password: str | None) -> DocumentError:
    code = getattr(exc, "err_code", None)
    if code == _PASSWORD_ERROR:
        if password is None:
            message = (
                f"{name}: the PDF is encrypted; pass its password (password=... in "
                "Python, --password on the command line)"
            )
        else:
            message = f"{name}: the password given for this encrypted PDF is wrong"
        return DocumentError(message, item=name, needs_password=True)
    if code == _SECURITY_ERROR:
        return DocumentError(
            f"{name}: the PDF uses an encryption scheme PDFium does not support; "
            "decrypt it first (e.g. qpdf --decrypt)",
            item=name,
        )
    return DocumentError(
        f"{name}: not a readable PDF: the file is corrupt or truncated ({exc})",
        item=name,
    )

"""Documents audit: annotations and the text layer, the dpi that fits, page numbers.

Every PDF here is made by the tests with pikepdf or by hand; nothing is
downloaded.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name
from PIL import Image

import unocr
from unocr.documents import DocumentOptions, PageRef, load_input, text_layer_page
from unocr.documents.pdf import PdfFile
from unocr.documents.ranges import check_page_spec, count_selected, select_pages
from unocr.errors import DocumentError
from unocr.model import Page

from .ink_engine import InkBackend
from .pdf_factory import raw_pdf, text_pdf

LABELS = b"BT /F1 24 Tf 72 700 Td (Name:) Tj ET BT /F1 24 Tf 72 640 Td (City:) Tj ET"


# --------------------------------------------- annotations the page shows
def _annotated_pdf(path: Path, kind: str) -> Path:
    """Labels in the page content and one annotation of ``kind`` beside them.

    ``widget``: a text field with its value and appearance; ``needs``: a text
    field with a value but no appearance (``NeedAppearances``); ``freetext``
    and ``freetext-no-ap``: a FreeText annotation with and without an
    appearance; ``hidden``: a FreeText flagged hidden; ``link`` and
    ``highlight``: annotations that draw no text; ``checkbox``: a ticked
    check box (a ZapfDingbats symbol, no letter).
    """
    pdf = pikepdf.new()
    helv = pdf.make_indirect(
        Dictionary(
            Type=Name.Font,
            Subtype=Name.Type1,
            BaseFont=Name.Helvetica,
            Encoding=Name.WinAnsiEncoding,
        )
    )
    rect = [160, 690, 500, 730]

    def appearance(value: str) -> pikepdf.Object:
        return pdf.make_stream(
            f"/Tx BMC q BT /Helv 24 Tf 2 6 Td ({value}) Tj ET Q EMC".encode(),
            Type=Name.XObject,
            Subtype=Name.Form,
            BBox=[0, 0, 340, 40],
            Resources=Dictionary(Font=Dictionary(Helv=helv)),
        )

    common = {"Type": Name.Annot, "Rect": rect, "F": 4}
    da = pikepdf.String("/Helv 24 Tf 0 g")
    value = pikepdf.String("Jonathan Smith")
    annot: dict[str, object]
    if kind in ("widget", "needs"):
        annot = dict(common, Subtype=Name.Widget, FT=Name.Tx, T="name", V=value, DA=da)
        if kind == "widget":
            annot["AP"] = Dictionary(N=appearance("Jonathan Smith"))
    elif kind.startswith("freetext") or kind == "hidden":
        annot = dict(common, Subtype=Name.FreeText, Contents=value, DA=da)
        if kind != "freetext-no-ap":
            annot["AP"] = Dictionary(N=appearance("Jonathan Smith"))
        if kind == "hidden":
            annot["F"] = 2
    elif kind == "checkbox":
        zadb = Dictionary(
            Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.ZapfDingbats
        )
        tick = pdf.make_stream(
            b"q BT /ZaDb 14 Tf 2 3 Td (4) Tj ET Q",
            Type=Name.XObject,
            Subtype=Name.Form,
            BBox=[0, 0, 20, 20],
            Resources=Dictionary(Font=Dictionary(ZaDb=zadb)),
        )
        annot = dict(
            common,
            Subtype=Name.Widget,
            FT=Name.Btn,
            T="agree",
            V=Name.Yes,
            AS=Name.Yes,
            Rect=[160, 690, 180, 710],
            AP=Dictionary(N=Dictionary(Yes=tick)),
        )
    elif kind == "link":
        annot = dict(common, Subtype=Name.Link, Border=[0, 0, 0])
    else:  # a highlight over the label "Name:"
        box = [70, 695, 140, 725]
        annot = dict(
            common,
            Subtype=Name.Highlight,
            Rect=box,
            QuadPoints=[70, 725, 140, 725, 70, 695, 140, 695],
            C=[1, 1, 0],
        )
    field = pdf.make_indirect(
        Dictionary({f"/{key}": val for key, val in annot.items()})
    )
    pdf.pages.append(
        pikepdf.Page(
            Dictionary(
                Type=Name.Page,
                MediaBox=[0, 0, 612, 792],
                Resources=Dictionary(Font=Dictionary(F1=helv)),
                Contents=pdf.make_stream(LABELS),
                Annots=Array([field]),
            )
        )
    )
    if kind in ("widget", "needs", "checkbox"):
        pdf.Root.AcroForm = Dictionary(
            Fields=Array([field]),
            NeedAppearances=kind == "needs",
            DA=pikepdf.String("/Helv 0 Tf 0 g"),
            DR=Dictionary(Font=Dictionary(Helv=helv)),
        )
    pdf.save(path)
    return path


def _ref(pdf: Path, dpi: float = 72, **options: object) -> PageRef:
    return PageRef(str(pdf), str(pdf), 0, "pdf", DocumentOptions(dpi, **options))


@pytest.mark.parametrize("kind", ["widget", "needs", "freetext", "freetext-no-ap"])
def test_a_page_whose_annotations_show_text_is_not_read_from_its_text_layer(
    ink, tmp_path, kind
):
    pdf = _annotated_pdf(tmp_path / f"{kind}.pdf", kind)
    # the rendered page shows the value beside the label
    image = load_input(_ref(pdf)).image
    dark = np.asarray(image.convert("L"))[792 - 730 : 792 - 690, 160:500] < 128
    assert dark.sum() > 100
    # the text layer holds only the labels: the page is OCR'd, as the
    # rendered page is what the user sees
    assert text_layer_page(_ref(pdf, text_layer=True)) is None
    InkBackend.calls = 0
    page = unocr.read(pdf, backend=ink, dpi=72, text_layer=True)
    assert page.source.method == "ocr" and InkBackend.calls == 1


@pytest.mark.parametrize("kind", ["link", "highlight", "hidden", "checkbox"])
def test_annotations_that_show_no_text_keep_the_text_layer(tmp_path, kind):
    pdf = _annotated_pdf(tmp_path / f"{kind}.pdf", kind)
    page = text_layer_page(_ref(pdf, text_layer=True))
    assert page is not None and page.source.method == "text-layer"
    assert page.text.split() == ["Name:", "City:"]


def test_the_filled_in_form_reads_its_values_with_text_layer(tmp_path):
    pdf = _annotated_pdf(tmp_path / "widget.pdf", "widget")
    page = unocr.read(pdf, backend="tesseract", dpi=150, text_layer=True)
    assert "Jonathan Smith" in page.text and "Name" in page.text


# ------------------------------------------------ the dpi that fits the limit
def _too_large(pdf: bytes, dpi: float, max_pixels: int) -> str:
    with PdfFile(pdf, "big.pdf") as doc, pytest.raises(DocumentError) as err:
        doc.render(0, dpi, max_pixels)
    return str(err.value)


def _pixels(pdf: bytes, dpi: float) -> int:
    with PdfFile(pdf, "big.pdf") as doc:
        geo = doc.geometry(0, dpi)
    return geo.width * geo.height


def test_the_dpi_a_too_large_page_suggests_renders_within_the_limit():
    pdf = raw_pdf(mediabox="0 0 478 3335.6")
    message = _too_large(pdf, 300, 1_000_000)
    fit = int(re.search(r"pass dpi=(\d+) \(or lower\)", message).group(1))
    assert _pixels(pdf, fit) <= 1_000_000  # 57 dpi was 1,000,939 pixels
    assert _pixels(pdf, fit + 1) > 1_000_000  # and it is the largest that fits
    image = load_input(
        PageRef(pdf, "big.pdf", 0, "pdf", DocumentOptions(fit)), max_pixels=1_000_000
    )
    assert image.width * image.height <= 1_000_000


def test_the_suggested_dpi_fits_any_page_size():
    rng = random.Random(5)
    for _ in range(60):
        w, h = rng.uniform(50, 5000), rng.uniform(50, 5000)
        limit = rng.choice([40_000, 1_000_000, 10_000_000])
        pdf = raw_pdf(mediabox=f"0 0 {w:.1f} {h:.1f}")
        if _pixels(pdf, 300) <= limit:
            continue
        message = _too_large(pdf, 300, limit)
        fit = int(re.search(r"pass dpi=(\d+)", message).group(1))
        assert _pixels(pdf, fit) <= limit < _pixels(pdf, fit + 1), message


def test_a_page_no_whole_dpi_fits_suggests_only_a_larger_limit():
    pdf = raw_pdf(mediabox="0 0 478 3335.6")  # 7x47 pixels at 1 dpi
    message = _too_large(pdf, 300, 100)
    assert "dpi=0" not in message and "pass dpi=" not in message
    assert "pass max_pixels=27686808 (or larger)" in message


# --------------------------------------------- save_pdf numbers pages from 1
def test_save_pdf_messages_number_pages_from_1(tmp_path):
    plain = text_pdf(tmp_path / "two.pdf", [(72, 700, "Hello")], pages=2)
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="o", user="s3cret", R=6))
    pages = list(unocr.read_pages(locked, password="s3cret", text_layer=True, dpi=72))
    assert [p.source.method for p in pages] == ["text-layer"] * 2
    with pytest.raises(DocumentError, match=r"^page 1: its image is page 1 of "):
        unocr.save_pdf(pages, tmp_path / "out.pdf")
    images = [Image.new("RGB", (612, 792), "white"), Image.new("RGB", (10, 10))]
    with pytest.raises(DocumentError, match=r"^page 2: its image is 10x10 pixels"):
        unocr.save_pdf(pages, tmp_path / "out.pdf", images=images)
    bare = [pages[0], Page(width=10, height=10)]
    with pytest.raises(DocumentError, match=r"^page 2: its image cannot be found"):
        unocr.save_pdf(bare, tmp_path / "out.pdf", password="s3cret")


# ----------------------------------------------- numpy integers as page numbers
@pytest.mark.parametrize(
    ("spec", "numbers"),
    [
        (np.arange(1, 3), [1, 2]),
        ([np.int64(2)], [2]),
        (np.int64(2), [2]),
        ((np.int32(2), 1), [2, 1]),
        (np.array([2, 1], dtype=np.uint8), [2, 1]),
    ],
)
def test_numpy_integers_select_pages(tmp_path, spec, numbers):
    pdf = text_pdf(tmp_path / "two.pdf", [(72, 700, "Hello")], pages=2)
    pages = unocr.read_pages(pdf, pages=spec, text_layer=True, dpi=50)
    assert [p.source.number for p in pages] == numbers
    assert select_pages(spec, 2, "doc.pdf") == [n - 1 for n in numbers]
    assert count_selected(spec, 2, "doc.pdf") == len(numbers)
    checked = check_page_spec(spec)
    plain = [checked] if isinstance(checked, int) else list(checked)
    assert plain == numbers and all(type(n) is int for n in plain)


@pytest.mark.parametrize(
    "spec", [[np.float64(1.0)], [np.bool_(True)], [True], [1.0], np.array([1.5])]
)
def test_page_numbers_that_are_not_whole_numbers_are_refused(spec):
    with pytest.raises(DocumentError, match="page numbers must be whole numbers"):
        check_page_spec(spec)
    with pytest.raises(DocumentError, match="page numbers must be whole numbers"):
        select_pages(spec, 2, "doc.pdf")


def test_numpy_page_numbers_below_1_are_refused():
    with pytest.raises(DocumentError, match=r"pages are numbered from 1, got 0"):
        check_page_spec(np.arange(0, 2))
    with pytest.raises(DocumentError, match="pages are numbered from 1"):
        check_page_spec(np.int64(0))

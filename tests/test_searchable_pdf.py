"""``unocr.save_pdf``: page images with an invisible text layer, read back with pdfminer.

The text layer is checked with a PDF library other than the one unocr writes
or reads with: every word must come back, in order, and its box must overlap
unocr's box (IoU >= 0.8 for at least 95% of the words).
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageDraw

import unocr
from unocr.documents.searchable import save_pdf
from unocr.errors import DocumentError
from unocr.geometry import Box, Quad
from unocr.model import Page, Source, Word

from .pdf_factory import extract_words, image_pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "phototest.png"


def _check_layer(pages: list[Page], pdf: Path) -> list[float]:
    extracted = extract_words(pdf)
    assert len(extracted) == len(pages)
    ious: list[float] = []
    for page, (w_pt, h_pt, words) in zip(pages, extracted, strict=True):
        expected = [w.text for w in page.words]
        assert [t for t, _ in words] == expected  # every word, in order
        sx, sy = page.width / w_pt, page.height / h_pt
        for word, (_, (x0, y0, x1, y1)) in zip(page.words, words, strict=True):
            back = Box(x0 * sx, y0 * sy, x1 * sx, y1 * sy)
            ious.append(word.geometry.to_box().iou(back))
    assert np.mean(np.array(ious) >= 0.8) >= 0.95, sorted(ious)[:10]
    return ious


def test_save_pdf_of_tesseract_pages_round_trips(tmp_path):
    pages = list(unocr.read_pages(SAMPLE, backend="tesseract"))
    out = tmp_path / "out.pdf"
    save_pdf(pages, out)
    ious = _check_layer(pages, out)
    assert len(ious) > 50 and min(ious) > 0.9
    # the page keeps the image's resolution: 640 px at the file's 200 dpi
    with pikepdf.open(out) as pdf:
        box = [float(v) for v in pdf.pages[0].MediaBox]
    assert box == pytest.approx([0, 0, 640 * 72 / 200, 480 * 72 / 200], abs=1e-3)


def test_save_pdf_of_receipts_round_trips(tmp_path):
    fixtures = ROOT / "tests" / "fixtures" / "tesseract"
    receipts = [fixtures / "X51008123586.jpg", fixtures / "X51005442394.jpg"]
    pages = [p for p in unocr.read_many(receipts, backend="tesseract") if p]
    out = tmp_path / "receipts.pdf"
    save_pdf(pages, out)
    assert min(_check_layer(pages, out)) > 0.9


@pytest.mark.shared
def test_save_pdf_multi_page_from_shared_images(shared_dir, tmp_path):
    images = [
        shared_dir / "data" / "tesseract_testing" / "eurotext.tif",
        shared_dir / "data" / "tesseract_testing" / "phototest.tif",
    ]
    pages = [p for p in unocr.read_many(images, backend="tesseract") if p]
    assert len(pages) == 2
    out = tmp_path / "two.pdf"
    save_pdf(pages, out)
    _check_layer(pages, out)


def test_save_pdf_from_a_pdf_keeps_its_page_size(tmp_path):
    scan = image_pdf(tmp_path / "scan.pdf", [Image.open(SAMPLE)], dpi=150)
    pages = list(unocr.read_pages(scan, backend="tesseract", dpi=150))
    out = tmp_path / "searchable.pdf"
    save_pdf(pages, out)  # the page image is rendered again from the source
    with pikepdf.open(out) as pdf, pikepdf.open(scan) as original:
        assert [float(v) for v in pdf.pages[0].MediaBox] == pytest.approx(
            [float(v) for v in original.pages[0].MediaBox], abs=1e-3
        )
    _check_layer(pages, out)
    # reading our own PDF's text layer gives the words back, no OCR
    back = unocr.read(out, text_layer=True, dpi=150)
    assert back.source.method == "text-layer"
    assert [w.text for w in back.words] == [w.text for w in pages[0].words]


def _rotated(text: str, cx: float, cy: float, w: float, h: float, deg: float) -> Word:
    a = math.radians(deg)
    ux, uy = math.cos(a), math.sin(a)
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    pts = [(cx + x * ux - y * uy, cy + x * uy + y * ux) for x, y in corners]
    return Word(text=text, geometry=Quad.from_points(pts), confidence=0.9)


def test_any_script_and_rotated_words(tmp_path):
    words = [
        Word(text="한국어", geometry=Box(40, 40, 160, 80)),
        Word(text="Grüße", geometry=Box(180, 40, 300, 80)),
        Word(text="naïve", geometry=Box(40, 120, 160, 150)),
        _rotated("tilted", 250, 140, 120, 30, 8),
        _rotated("😀ok", 120, 220, 100, 30, -5),
    ]
    page = Page.from_words(words, width=400, height=300)
    image = Image.new("RGB", (400, 300), "white")
    ImageDraw.Draw(image).rectangle((10, 10, 20, 20), fill="black")
    out = tmp_path / "scripts.pdf"
    save_pdf([page], out, images=[image])
    ((_, _, got),) = extract_words(out)
    assert [t for t, _ in got] == [w.text for w in page.words]
    _check_layer([page], out)


def test_jpeg_pages_are_embedded_unchanged(tmp_path):
    jpeg = tmp_path / "scan.jpg"
    Image.open(SAMPLE).convert("RGB").save(jpeg, quality=90, dpi=(200, 200))
    page = unocr.read(jpeg, backend="tesseract")
    out = tmp_path / "jpeg.pdf"
    save_pdf([page], out)
    with pikepdf.open(out) as pdf:
        (image,) = pdf.pages[0].get_images().values()
        assert image.Filter == pikepdf.Name.DCTDecode
        assert image.read_raw_bytes() == jpeg.read_bytes()


def test_save_pdf_bad_input(tmp_path):
    page = Page.from_words([Word("x", Box(1, 1, 5, 5))], width=10, height=10)
    with pytest.raises(DocumentError, match="pass images="):
        save_pdf([page], tmp_path / "a.pdf")
    with pytest.raises(DocumentError, match="1 pages but 2 images"):
        save_pdf([page], tmp_path / "a.pdf", images=[SAMPLE, SAMPLE])
    with pytest.raises(DocumentError, match="image is 640x480 pixels but the page is"):
        save_pdf([page], tmp_path / "a.pdf", images=[SAMPLE])
    sourced = page.replace(source=Source(str(tmp_path / "gone.png")))
    with pytest.raises(unocr.errors.ImageError, match=r"gone\.png: no such file"):
        save_pdf([sourced], tmp_path / "a.pdf")
    with pytest.raises(DocumentError, match="got no pages"):
        save_pdf(iter([]), tmp_path / "a.pdf")  # wrote a PDF without a page
    assert not (tmp_path / "a.pdf").exists()
    buffer = io.BytesIO()
    save_pdf([page], buffer, images=[Image.new("RGB", (10, 10), "white")])
    assert buffer.getvalue().startswith(b"%PDF-")


def test_save_pdf_renders_pages_of_an_encrypted_pdf_with_its_password(ink, tmp_path):
    # the password was lost: save_pdf said to pass read's password=
    plain = image_pdf(tmp_path / "plain.pdf", [Image.open(SAMPLE)], dpi=72)
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="o", user="s3cret"))
    pages = list(unocr.read_pages(locked, backend=ink, password="s3cret", dpi=72))
    out = tmp_path / "out.pdf"
    with pytest.raises(DocumentError) as err:
        save_pdf(pages, out)
    message = str(err.value)
    assert "locked.pdf, an encrypted PDF" in message
    assert "to save_pdf as password=" in message and err.value.needs_password
    with pytest.raises(
        DocumentError, match=r"given to save_pdf \(password=\) is wrong"
    ):
        save_pdf(pages, out, password="nope")
    with pytest.raises(DocumentError, match="password must be a string"):
        save_pdf(pages, out, password=b"s3cret")
    save_pdf(pages, out, password="s3cret")
    with pikepdf.open(out) as pdf:
        assert len(pdf.pages) == 1
    back = unocr.read(out, text_layer=True, dpi=72)
    assert [w.text for w in back.words] == [w.text for w in pages[0].words]


def test_save_pdf_renders_a_page_of_a_pdf_over_the_default_max_pages(ink, tmp_path):
    # a page read with max_pages=None could not be rendered again (the file's
    # 10,001 pages were over the default limit)
    from .pdf_factory import raw_pdf

    big = tmp_path / "big.pdf"
    big.write_bytes(raw_pdf(count=10_001))
    pages = list(unocr.read_pages(big, backend=ink, dpi=20, pages="1", max_pages=None))
    out = tmp_path / "out.pdf"
    save_pdf(pages, out)
    with pikepdf.open(out) as pdf:
        assert [float(v) for v in pdf.pages[0].MediaBox] == [0, 0, 612, 792]


def test_save_pdf_given_the_document_embeds_each_pages_own_page(ink, tmp_path):
    # images=[the TIFF] for its page 3 embedded frame 0; images=[the PDF] for
    # its page 2 failed with "2400x900 vs 800x300"
    import pypdfium2

    from .test_draw import SQUARES, squares

    tiff = tmp_path / "three.tif"
    first, *rest = squares(3)
    first.save(tiff, save_all=True, append_images=rest, compression="tiff_deflate")
    pdf = image_pdf(tmp_path / "three.pdf", squares(3), dpi=100)
    for document in (tiff, pdf):
        pages = list(unocr.read_pages(document, backend=ink, dpi=100))
        out = tmp_path / f"out-{document.suffix[1:]}.pdf"
        save_pdf(pages, out, images=[document] * 3)
        with pypdfium2.PdfDocument(out) as saved:
            for k in range(3):
                page = saved[k]
                shown = page.render(scale=400 / page.get_width()).to_pil()
                inked = [shown.convert("L").getpixel((x, 100)) < 64 for x in SQUARES]
                assert inked == [j == k for j in range(3)], (document.name, k)

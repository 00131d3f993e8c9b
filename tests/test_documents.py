"""PDF and multi-page input: rendering, page selection, text layer, sources, bad input.

Every PDF here is made by the tests (from samples/ or the shared images, or
written with pikepdf / by hand); nothing is downloaded.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from math import ceil
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

import unocr
from unocr.documents import DocumentOptions, PageRef, load_input, select_pages
from unocr.documents.ranges import check_page_spec
from unocr.errors import DocumentError, ImageError
from unocr.geometry import Box

from .ink_engine import InkBackend
from .pdf_factory import image_pdf, raw_pdf, text_pdf

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "phototest.png"
LINES = [(72, 700, "Hello PDF world"), (72, 650, "second line here")]


def _widths(page) -> list[int]:
    return [int(w.text[1:]) for w in page.words]


def _bars(widths: tuple[int, ...]) -> Image.Image:
    arr = np.full((40, 20 + sum(w + 10 for w in widths)), 255, np.uint8)
    x = 10
    for w in widths:
        arr[10:30, x : x + w] = 0
        x += w + 10
    return Image.fromarray(arr)


# ------------------------------------------------------------------ rendering
def test_read_pages_one_page_per_pdf_page_at_the_dpi(ink, tmp_path):
    pdf = image_pdf(
        tmp_path / "scan.pdf", [_bars((20,)), _bars((30, 40)), _bars((50,))]
    )
    pages = list(unocr.read_pages(pdf, backend=ink, dpi=144, pages="2-3"))
    assert [p.source.index for p in pages] == [1, 2]
    assert [p.source.number for p in pages] == [2, 3]
    # a 150-dpi image page, rendered at 144 dpi: pixel sizes scale by 144/150
    page = pages[0]
    w_px, h_px = _bars((30, 40)).size
    w_pt, h_pt = page.source.page_size
    assert (w_pt, h_pt) == pytest.approx((w_px * 72 / 150, h_px * 72 / 150), abs=1e-3)
    assert (page.width, page.height) == (ceil(w_px * 144 / 150), ceil(h_px * 144 / 150))
    assert page.source.dpi == 144
    # the bars are measured in rendered pixels: 30 and 40 at 150 dpi, 144/150 here
    assert _widths(page) == pytest.approx([30 * 144 / 150, 40 * 144 / 150], abs=1.5)
    assert page.source.method == "ocr" and page.source.name == str(pdf)
    # the pixel -> PDF map sends the image corners to the page corners
    assert page.source.pdf_point(0, 0) == pytest.approx((0, h_pt), abs=1e-6)
    assert page.source.pdf_point(page.width, page.height) == pytest.approx(
        (w_pt, 0), abs=1e-6
    )


def test_read_gives_page_one_of_a_pdf(ink, tmp_path):
    pdf = image_pdf(tmp_path / "scan.pdf", [_bars((20,)), _bars((30, 40))])
    page = unocr.read(pdf, backend=ink, dpi=150)
    assert page.source.index == 0
    assert _widths(page) == pytest.approx([20], abs=1)
    # bytes and file objects of a PDF too
    data = pdf.read_bytes()
    assert unocr.read(data, backend=ink, dpi=150).words == page.words
    assert unocr.read(io.BytesIO(data), backend=ink, dpi=150).words == page.words


def test_rendered_pdf_page_matches_the_image_and_tesseract_reads_it(tmp_path):
    image = Image.open(SAMPLE)
    pdf = image_pdf(tmp_path / "photo.pdf", [image], dpi=200)
    page = unocr.read(pdf, backend="tesseract", dpi=200)
    assert (page.width, page.height) == image.size
    direct = unocr.read(SAMPLE, backend="tesseract")
    assert [w.text for w in page.words] == [w.text for w in direct.words]
    rendered = load_input(PageRef(str(pdf), str(pdf), 0, "pdf", DocumentOptions(200)))
    diff = np.abs(
        np.asarray(rendered.image, np.int16)
        - np.asarray(image.convert("RGB"), np.int16)
    )
    assert diff.mean() < 10  # the same picture, up to resampling


def test_multi_frame_tiff_every_frame_with_its_source(ink, tmp_path):
    path = tmp_path / "multi.tif"
    frames = [_bars((20,)), _bars((30,)), _bars((40,))]
    frames[0].save(path, save_all=True, append_images=frames[1:])
    pages = list(unocr.read_pages(path, backend=ink, pages="1,3"))
    assert [(p.source.index, p.words[0].text) for p in pages] == [
        (0, "w20"),
        (2, "w40"),
    ]
    assert all(p.source.page_size is None for p in pages)


# ---------------------------------------------------------- read_many + docs
def test_read_many_expands_documents_and_keeps_good_items(ink, tmp_path):
    pdf = image_pdf(tmp_path / "a.pdf", [_bars((20,)), _bars((30,))])
    png = tmp_path / "b.png"
    _bars((40,)).save(png)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(pdf.read_bytes()[:500])
    tif = tmp_path / "c.tif"
    _bars((50,)).save(tif, save_all=True, append_images=[_bars((60,))])
    results = unocr.read_many(
        [pdf, png, broken, tif], backend=ink, errors="return", dpi=150
    )
    assert len(results) == 2 + 1 + 1 + 2
    good = [(r.source.name, r.source.index) for r in results if r]
    assert good == [
        (str(pdf), 0),
        (str(pdf), 1),
        (str(png), 0),
        (str(tif), 0),
        (str(tif), 1),
    ]
    widths = [_widths(r)[0] for r in results if r]
    assert widths == pytest.approx([20, 30, 40, 50, 60], abs=1)
    failed = results[3]
    assert not failed and failed.index == 3
    assert isinstance(failed.error, DocumentError) and str(broken) in str(failed.error)
    with pytest.raises(DocumentError, match=r"broken\.pdf"):
        unocr.read_many([png, broken], backend=ink)


# ------------------------------------------------------------------ text layer
@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_text_layer_words_sit_on_the_rendered_ink(ink, tmp_path, rotate):
    pdf = text_pdf(
        tmp_path / "born.pdf", LINES, rotate=rotate, mediabox_origin=(30, -40)
    )
    InkBackend.calls = 0
    (page,) = unocr.read_pages(pdf, backend=ink, dpi=100, text_layer=True)
    assert InkBackend.calls == 0  # no engine for a page with a text layer
    assert page.source.method == "text-layer"
    texts = [line.text for line in page.lines]
    assert sorted(texts) == sorted(t for _, _, t in LINES)
    if rotate == 0:
        assert texts == [t for _, _, t in LINES]
    assert page.source.page_size == ((792, 612) if rotate in (90, 270) else (612, 792))
    image = load_input(
        PageRef(str(pdf), str(pdf), 0, "pdf", DocumentOptions(100))
    ).image
    assert image.size == (page.width, page.height)
    dark = np.asarray(image.convert("L")) < 128
    covered = np.zeros_like(dark)
    for word in page.words:
        b = word.geometry.to_box()
        box = dark[int(b.y0) : int(np.ceil(b.y1)), int(b.x0) : int(np.ceil(b.x1))]
        assert box.mean() > 0.05, word.text  # ink inside every word box
        covered[
            int(b.y0) - 1 : int(np.ceil(b.y1)) + 1,
            int(b.x0) - 1 : int(np.ceil(b.x1)) + 1,
        ] = True
    assert dark[covered].sum() >= 0.99 * dark.sum()  # and no ink outside them
    # to_pdf carries the first word back to where the PDF drew it (x=72, y=700)
    first = next(w for w in page.words if w.text == "Hello").geometry.to_box()
    corner = [
        page.source.pdf_point(px, py)
        for px in (first.x0, first.x1)
        for py in (first.y0, first.y1)
    ]
    xs, ys = zip(*corner, strict=True)
    assert min(xs) == pytest.approx(30 + 72, abs=2)
    assert min(ys) == pytest.approx(-40 + 700, abs=2)


def test_text_layer_falls_back_to_ocr_for_pages_without_text(ink, tmp_path):
    scan = image_pdf(tmp_path / "scan.pdf", [_bars((20,))], dpi=72)
    born = text_pdf(tmp_path / "born.pdf", LINES)
    results = unocr.read_many([born, scan], backend=ink, text_layer=True, dpi=72)
    assert [r.source.method for r in results] == ["text-layer", "ocr"]
    assert _widths(results[1]) == pytest.approx([20], abs=1)
    # without the option, the born-digital page is OCR'd like any other
    assert unocr.read(born, backend=ink).source.method == "ocr"


# ------------------------------------------------------------------ bad input
def test_encrypted_pdf_needs_its_password(ink, tmp_path):
    plain = image_pdf(tmp_path / "plain.pdf", [_bars((20,))], dpi=72)
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(plain) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="o", user="s3cret", R=6))
    with pytest.raises(
        DocumentError, match=r"locked\.pdf: the PDF is encrypted"
    ) as err:
        unocr.read(locked, backend=ink)
    assert err.value.needs_password
    with pytest.raises(DocumentError, match=r"password given .* is wrong"):
        unocr.read(locked, backend=ink, password="nope")
    page = unocr.read(locked, backend=ink, password="s3cret", dpi=72)
    assert _widths(page) == pytest.approx([20], abs=1)


def test_a_password_with_bytes_that_are_not_utf8_is_a_document_error(ink, tmp_path):
    pdf = image_pdf(tmp_path / "plain.pdf", [_bars((20,))], dpi=72)
    typed = os.fsdecode(b"s\xe9cret")  # Latin-1 bytes from a command line
    with pytest.raises(DocumentError, match="bytes that are not UTF-8"):
        unocr.read(pdf, backend=ink, password=typed)


@pytest.mark.parametrize("password", [1234, b"s3cret", ["s3cret"]])
def test_a_password_that_is_not_a_string_is_a_document_error(ink, tmp_path, password):
    pdf = image_pdf(tmp_path / "plain.pdf", [_bars((20,))], dpi=72)
    with pytest.raises(DocumentError, match="password must be a string") as err:
        unocr.read(pdf, backend=ink, password=password)
    assert "s3cret" not in str(err.value) and "1234" not in str(err.value)
    with pytest.raises(DocumentError, match="password must be a string"):
        # an option of the whole call: refused before any item is read
        unocr.read_many([pdf], backend=ink, password=password, errors="return")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"%PDF-1.7\nnot really a pdf", "not a readable PDF"),
        ("truncated", "not a readable PDF"),
    ],
)
def test_corrupt_truncated_empty_pdf_name_the_file(ink, tmp_path, data, message):
    if data == "truncated":
        full = image_pdf(tmp_path / "full.pdf", [_bars((20,))]).read_bytes()
        data = full[: len(full) // 2]
    path = tmp_path / "bad.pdf"
    path.write_bytes(data)
    with pytest.raises(ImageError, match=f"bad.pdf: .*{message}"):
        unocr.read(path, backend=ink)
    with pytest.raises(ImageError, match=message):
        list(unocr.read_pages(path, backend=ink))


def test_page_count_bomb_refused_before_any_page(ink, tmp_path):
    bomb = tmp_path / "bomb.pdf"
    bomb.write_bytes(raw_pdf(count=1_000_000))
    assert bomb.stat().st_size < 1000
    with pytest.raises(DocumentError, match=r"bomb.pdf: the PDF has 1,000,000 pages"):
        next(unocr.read_pages(bomb, backend=ink))
    with pytest.raises(DocumentError, match="max_pages"):
        unocr.read_many([bomb], backend=ink)
    small = tmp_path / "three.pdf"
    small.write_bytes(raw_pdf(kids=3))
    with pytest.raises(DocumentError, match="3 pages, over the limit of 2"):
        list(unocr.read_pages(small, backend=ink, max_pages=2))
    # read() reads page 1 alone: within any limit (only selected pages count)
    assert unocr.read(small, backend=ink, max_pages=2, dpi=10).source.index == 0


def test_page_size_over_the_pixel_limit_refused_before_rendering(ink, tmp_path):
    huge = tmp_path / "huge.pdf"
    huge.write_bytes(raw_pdf(mediabox="0 0 14400 14400"))  # 200 x 200 inches
    with pytest.raises(DocumentError) as err:
        unocr.read(huge, backend=ink)
    text = str(err.value)
    assert "huge.pdf (page 1)" in text and "60000x60000" in text
    assert "pass dpi=" in text and "max_pixels=" in text
    # a DPI that is too high for an ordinary page, likewise
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(raw_pdf())
    with pytest.raises(DocumentError, match=r"at 6000 dpi is 51000x66000"):
        unocr.read(letter, backend=ink, dpi=6000)
    with pytest.raises(DocumentError, match="dpi must be a positive number"):
        unocr.read(letter, backend=ink, dpi=0)


def test_page_range_outside_the_document(ink, tmp_path):
    pdf = image_pdf(tmp_path / "two.pdf", [_bars((20,)), _bars((30,))])
    with pytest.raises(DocumentError, match=r"two.pdf: page 3 is outside .* 2 page"):
        list(unocr.read_pages(pdf, backend=ink, pages="2-3"))
    with pytest.raises(DocumentError, match="cannot read the page range"):
        list(unocr.read_pages(pdf, backend=ink, pages="2-x"))
    results = unocr.read_many([pdf], backend=ink, pages="5", errors="return")
    assert len(results) == 1 and not results[0]
    assert "two.pdf" in str(results[0].error)


def test_pages_from_a_generator_select_the_same_pages_of_every_document(ink, tmp_path):
    # a generator was used up by the first document: the second gave no page
    a = image_pdf(tmp_path / "a.pdf", [_bars((20,)), _bars((30,)), _bars((40,))])
    b = image_pdf(tmp_path / "b.pdf", [_bars((20,)), _bars((30,)), _bars((40,))])
    pages = unocr.read_many([a, b], backend=ink, pages=(n for n in (3, 1)))
    assert [(Path(p.source.name).name, p.source.index) for p in pages] == [
        ("a.pdf", 2),
        ("a.pdf", 0),
        ("b.pdf", 2),
        ("b.pdf", 0),
    ]


@pytest.mark.parametrize(
    ("pages", "message"),
    [
        ("2-x", "cannot read the page range '2-x'"),
        ("3-1", "cannot read the page range"),
        (",", "cannot read the page range"),
        (0, "pages are numbered from 1, got 0"),
        ([2, -1], "pages are numbered from 1, got -1"),
        ([1.5], "page numbers must be whole numbers"),
        (3.0, "pages must be a string such as '1-3,5'"),
    ],
)
def test_a_malformed_page_selection_is_refused_before_any_document(
    ink, tmp_path, pages, message
):
    # before, each document failed on its own (or read_pages only once iterated)
    missing = tmp_path / "not-there.pdf"
    with pytest.raises(DocumentError, match=message):
        unocr.read_many([missing], backend=ink, pages=pages, errors="return")
    with pytest.raises(DocumentError, match=message):
        unocr.read_pages(missing, backend=ink, pages=pages)  # at the call


def test_read_pages_checks_its_arguments_at_the_call(ink, tmp_path):
    engine = unocr.get_backend(ink)
    with pytest.raises(unocr.errors.ConfigError, match="get_backend"):
        unocr.read_pages(tmp_path / "x.pdf", backend=engine, gap=3)
    with pytest.raises(DocumentError, match="dpi"):
        unocr.read_pages(tmp_path / "x.pdf", backend=ink, dpi=0)


def test_select_pages():
    assert select_pages("2-", 4, "d") == [1, 2, 3]
    assert select_pages("-2,4", 4, "d") == [0, 1, 3]
    assert select_pages([3, 1, 3], 4, "d") == [2, 0]
    assert select_pages(range(1, 3), 4, "d") == [0, 1]
    with pytest.raises(DocumentError, match="page 1000000000 is outside"):
        select_pages("1-1000000000", 4, "d")  # no list of a billion pages
    for spec in ("0", "0-2", "2,0"):  # refused as malformed, before any document
        with pytest.raises(DocumentError, match="numbered from 1, there is no page 0"):
            select_pages(spec, 4, "d")
        with pytest.raises(DocumentError, match="numbered from 1, there is no page 0"):
            check_page_spec(spec)
    with pytest.raises(DocumentError, match="cannot read the page range"):
        select_pages("3-1", 4, "d")
    with pytest.raises(DocumentError, match="page 9 is outside"):
        select_pages("9-", 4, "d")  # was "cannot read the page range"


def test_import_unocr_loads_no_pdf_library():
    code = (
        "import sys, unocr; unocr.read; unocr.read_pages; unocr.save_pdf; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('pypdfium2', 'pikepdf')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_text_layer_of_a_born_digital_pdf_matches_its_page_box(tmp_path):
    # The same words, read by OCR from the rendered page, overlap the text
    # layer's boxes: both are in the same rendered pixels.
    pdf = text_pdf(tmp_path / "born.pdf", LINES, font_size=28)
    layer = unocr.read(pdf, text_layer=True, dpi=150)
    ocr = unocr.read(pdf, backend="tesseract", dpi=150)
    assert [w.text for w in ocr.words] == [w.text for w in layer.words]
    for a, b in zip(layer.words, ocr.words, strict=True):
        assert a.geometry.iou(b.geometry) > 0.6, (a.text, a.geometry, b.geometry)
    assert isinstance(layer.words[0].geometry, Box)


def test_missing_pdf_library_names_the_extra(monkeypatch, tmp_path):
    # The libraries are installed here; hide them as an install without the
    # ``pdf`` extra would (the only way to provoke it).
    from unocr.errors import BackendUnavailableError
    from unocr.model import Page

    pdf = image_pdf(tmp_path / "scan.pdf", [_bars((20,))])
    monkeypatch.setitem(sys.modules, "pypdfium2", None)
    with pytest.raises(BackendUnavailableError, match=r"pip install 'unocr\[pdf\]'"):
        unocr.read(pdf, backend="tesseract")
    monkeypatch.setitem(sys.modules, "pikepdf", None)
    with pytest.raises(BackendUnavailableError, match="needs pikepdf"):
        unocr.save_pdf([Page(width=1, height=1)], tmp_path / "o.pdf", images=[SAMPLE])


def test_pages_render_safely_on_several_threads(ink, tmp_path):
    # PDFium is not thread-safe: unocr serialises it, the engine runs in parallel.
    widths = [(20,), (30,), (40, 10), (50,), (25, 25), (60,)]
    pdf = image_pdf(tmp_path / "six.pdf", [_bars(w) for w in widths], dpi=100)
    one = unocr.read_many([pdf, pdf], backend=ink, dpi=100, workers=1)
    two = unocr.read_many([pdf, pdf], backend=ink, dpi=100, workers=2)
    assert [p.words for p in two] == [p.words for p in one]
    assert [p.source.index for p in two] == list(range(6)) * 2


def test_source_in_json_is_checked():
    from unocr.errors import FormatError
    from unocr.model import Page, Source

    page = Page(width=4, height=4, source=Source("a.pdf", 1, dpi=72.0))
    data = page.to_dict()
    assert Page.from_dict(data) == page
    for bad, message in [
        ({"index": 0}, "missing 'name'"),
        ({"name": "a.pdf", "index": -1}, "index must be >= 0"),
        ({"name": "a.pdf", "method": "guess"}, "method must be one of"),
        ({"name": "a.pdf", "to_pdf": [1, 2]}, "to_pdf must be 6 finite numbers"),
        ("a.pdf", "expected an object"),
    ]:
        with pytest.raises(FormatError, match=message):
            Page.from_dict({**data, "source": bad})
    assert unocr.Source is Source


def test_filled_in_form_fields_are_rendered(tmp_path):
    from .pdf_factory import form_pdf

    pdf = form_pdf(tmp_path / "form.pdf", "Filled In Value", (20, 80, 280, 120))
    image = load_input(PageRef(str(pdf), str(pdf), 0, "pdf", DocumentOptions(72))).image
    dark = np.asarray(image.convert("L")) < 128
    assert dark[200 - 120 : 200 - 80, 20:280].sum() > 100  # the value, in its field
    assert dark.sum() == dark[200 - 120 : 200 - 80, 20:280].sum()  # nowhere else
    page = unocr.read(pdf, backend="tesseract", dpi=200)
    assert "Filled In Value" in page.text


def test_a_backends_own_methods_take_documents(ink, tmp_path):
    pdf = image_pdf(tmp_path / "two.pdf", [_bars((20,)), _bars((30,))], dpi=300)
    with unocr.get_backend(ink) as engine:
        assert [p.source.index for p in engine.read_many([pdf])] == [0, 1]
        assert [p.source.index for p in engine.read_pages(pdf)] == [0, 1]
        assert engine.read(pdf).source.index == 0


# ------------------------------------------- images that mention a PDF header
def _image_mentioning_pdf(kind: str, path: Path) -> Path:
    """A valid image whose metadata (in its first KiB) holds ``%PDF-``."""
    from PIL import PngImagePlugin

    image = _bars((20,)).convert("RGB")
    if kind == "png":
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", "scanned page, original was %PDF-1.7 export")
        image.save(path, pnginfo=info)
    elif kind == "jpeg":
        image.save(path, "JPEG", comment=b"from %PDF-1.4 file", quality=95)
    elif kind == "gif":
        image.save(path, "GIF", comment=b"from %PDF-1.4 file")
    else:
        image.save(path, "TIFF", description="from %PDF-1.4 file")
    assert b"%PDF-" in path.read_bytes()[:1024]
    return path


@pytest.mark.parametrize("kind", ["png", "jpeg", "gif", "tiff"])
def test_an_image_whose_metadata_mentions_a_pdf_header_is_an_image(ink, tmp_path, kind):
    # it was taken for a PDF: "not a readable PDF: the file is corrupt"
    path = _image_mentioning_pdf(kind, tmp_path / f"meta.{kind}")
    assert _widths(unocr.read(path, backend=ink)) == pytest.approx([20], abs=1)
    (page,) = unocr.read_many([path], backend=ink, errors="return")
    assert page and _widths(page) == pytest.approx([20], abs=1)
    assert unocr.read(path.read_bytes(), backend=ink).words == page.words


def test_a_pdf_header_after_leading_junk_is_still_a_pdf(ink, tmp_path):
    # PDF readers take the header anywhere in the first 1024 bytes
    pdf = image_pdf(tmp_path / "scan.pdf", [_bars((20,))], dpi=72)
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"X-Mailer: scanner\r\n" * 20 + pdf.read_bytes())
    page = unocr.read(junk, backend=ink, dpi=72)
    assert page.source.dpi == 72 and _widths(page) == pytest.approx([20], abs=1)


# ------------------------------------- read_many selects what read_pages does
def _frames_file(path: Path, widths: tuple[int, ...]) -> Path:
    frames = []
    for w in widths:
        arr = np.full((40, 120), 255, np.uint8)
        arr[10:30, 10 : 10 + w] = 0
        frames.append(Image.fromarray(arr))
    frames[0].save(path, save_all=True, append_images=frames[1:])
    return path


def _read_many_async(images, **kw):
    import asyncio

    async def collect():
        return [r async for r in unocr.aread_many(images, **kw)]

    return asyncio.run(collect())


@pytest.mark.parametrize("suffix", ["gif", "tif"])
def test_read_many_selects_the_frames_read_pages_selects(ink, tmp_path, suffix):
    # read_many ignored pages= for a GIF: pages="2" read frame 1, "7" too
    path = _frames_file(tmp_path / f"three.{suffix}", (20, 30, 40))
    for pages in ("2", "3,1", [1, 3], "all"):
        expected = [
            (p.source.index, _widths(p))
            for p in unocr.read_pages(path, backend=ink, pages=pages)
        ]
        for read in (unocr.read_many, _read_many_async):
            got = read([path], backend=ink, pages=pages)
            assert [(p.source.index, _widths(p)) for p in got] == expected, pages
    with pytest.raises(DocumentError) as err:
        list(unocr.read_pages(path, backend=ink, pages="7"))
    assert "page 7 is outside the document, which has 3 page(s)" in str(err.value)
    for read in (unocr.read_many, _read_many_async):
        (failure,) = read([path], backend=ink, pages="7", errors="return")
        assert not failure and str(failure.error) == str(err.value)


def test_a_single_image_is_a_one_page_document_for_pages(ink, tmp_path):
    png = tmp_path / "one.png"
    _bars((20,)).save(png)
    pdf = image_pdf(tmp_path / "two.pdf", [_bars((30,)), _bars((40,))], dpi=72)
    for read in (unocr.read_many, _read_many_async):
        got = read([png, pdf], backend=ink, pages="1", dpi=72)
        assert [(p.source.index, _widths(p)) for p in got] == [
            (0, pytest.approx([20], abs=1)),
            (0, pytest.approx([30], abs=1)),
        ]
    with pytest.raises(DocumentError, match="page 2 is outside") as err:
        list(unocr.read_pages(png, backend=ink, pages="2"))
    for read in (unocr.read_many, _read_many_async):
        failure, page = read([png, pdf], backend=ink, pages="2", errors="return")
        assert not failure and str(failure.error) == str(err.value)
        assert page.source.index == 1
    # an image given as an object (no file) is one page too
    with pytest.raises(DocumentError, match="page 2 is outside"):
        list(unocr.read_pages(_bars((20,)), backend=ink, pages="2"))
    (failure,) = unocr.read_many(
        [_bars((20,))], backend=ink, pages="2", errors="return"
    )
    assert not failure and "page 2 is outside" in str(failure.error)


# ------------------------------------------------- max_pages and the selection
def test_max_pages_counts_the_pages_selected(ink, tmp_path):
    # the hint said pages='1-10', which raised the same error
    twelve = tmp_path / "twelve.pdf"
    twelve.write_bytes(raw_pdf(kids=12))
    with pytest.raises(DocumentError) as err:
        list(unocr.read_pages(twelve, backend=ink, dpi=10, max_pages=10))
    message = str(err.value)
    assert "the PDF has 12 pages, over the limit of 10" in message
    assert "max_pages=12" in message and "pages='1-10'" in message
    pages = list(
        unocr.read_pages(twelve, backend=ink, dpi=10, max_pages=10, pages="1-10")
    )
    assert [p.source.index for p in pages] == list(range(10))
    got = unocr.read_many([twelve], backend=ink, dpi=10, max_pages=10, pages="3")
    assert [p.source.index for p in got] == [2]
    with pytest.raises(DocumentError, match=r"11 pages selected .* limit of 10"):
        unocr.read_many([twelve], backend=ink, dpi=10, max_pages=10, pages="2-")


# ------------------------------------------------------------- page ranges
@pytest.mark.parametrize("spec", ["1 2", "1 0-12", "1-1 2", "1_0", "+1", "١"])
def test_a_page_number_must_be_plain_digits(ink, tmp_path, spec):
    # "1 2" read page 12 (every space was removed), "1_0" page 10
    twelve = tmp_path / "twelve.pdf"
    twelve.write_bytes(raw_pdf(kids=12))
    with pytest.raises(DocumentError, match="cannot read the page range") as err:
        unocr.read_pages(twelve, backend=ink, pages=spec)
    if " " in spec:
        assert "space inside a number" in str(err.value)
        assert "separate pages with commas" in str(err.value)
    with pytest.raises(DocumentError, match="cannot read the page range"):
        select_pages(spec, 12, "d")


def test_spaces_around_separators_are_allowed():
    assert select_pages(" 1, 3 - 5 ,8- ", 9, "d") == [0, 2, 3, 4, 7, 8]
    assert select_pages(" - 2", 9, "d") == [0, 1]


# ------------------------------------------------------------- odd documents
def test_a_pdf_without_pages_says_so(ink, tmp_path):
    # PDFium refuses it without a reason: "corrupt or truncated (PDFium: Success)"
    empty = tmp_path / "zero.pdf"
    pikepdf.new().save(empty)
    with pytest.raises(DocumentError, match=r"zero\.pdf: the PDF has no pages"):
        unocr.read(empty, backend=ink)
    # PDFium's error code is then left over from an earlier failure: after an
    # encrypted PDF, the empty one was "encrypted; pass its password"
    locked = tmp_path / "locked.pdf"
    with pikepdf.open(image_pdf(tmp_path / "p.pdf", [_bars((20,))])) as pdf:
        pdf.save(locked, encryption=pikepdf.Encryption(owner="o", user="u"))
    with pytest.raises(DocumentError, match="encrypted"):
        unocr.read(locked, backend=ink)
    with pytest.raises(DocumentError, match="the PDF has no pages") as err:
        unocr.read(empty.read_bytes(), backend=ink)
    assert not err.value.needs_password
    (failure,) = unocr.read_many([empty], backend=ink, errors="return")
    assert "the PDF has no pages" in str(failure.error)


def test_a_dpi_too_small_for_one_pixel_says_so(tmp_path):
    # it said "the page has no area (576.0x216.0 points)"
    pdf = tmp_path / "wide.pdf"
    pdf.write_bytes(raw_pdf(mediabox="0 0 576 216"))
    ref = PageRef(str(pdf), str(pdf), 0, "pdf", DocumentOptions(dpi=1e-5))
    with pytest.raises(DocumentError) as err:
        load_input(ref)
    message = str(err.value)
    assert "no area" not in message and "at 1e-05 dpi" in message
    assert "less than one pixel" in message and "pass dpi=1 (or higher)" in message
    small = load_input(ref.__class__(str(pdf), str(pdf), 0, "pdf", DocumentOptions(1)))
    assert small.image.size == (8, 3)


def test_a_render_that_fails_says_why(tmp_path):
    # with max_pixels=None the message ended "cannot render the page: "
    pdf = tmp_path / "wide.pdf"
    pdf.write_bytes(raw_pdf(mediabox="0 0 576 216"))
    ref = PageRef(str(pdf), str(pdf), 0, "pdf", DocumentOptions(dpi=100_000))
    with pytest.raises(DocumentError) as err:
        load_input(ref, max_pixels=None)
    message = str(err.value)
    assert "cannot render the page" in message and not message.endswith(": ")
    assert "800000x300000" in message and "lower dpi" in message

"""PDF documents: save_pdf's pixel limit, characters beyond U+FFFF in any
number, owner-password-only PDFs, /Rotate round trips and /UserUnit.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pikepdf
import pypdfium2 as pdfium
import pytest
from PIL import Image

import unocr
from unocr.documents import DocumentOptions, PageRef, load_input
from unocr.errors import DocumentError
from unocr.geometry import Box
from unocr.model import Page, Word

from .pdf_factory import pdfium_text, standard_font, text_pdf

#: Address space a child process may use: far below what rendering a
#: 12500 x 12500 page takes (about 1.5 GB), so a page rendered before the
#: pixel limit is checked fails the test instead of swapping.
MEMORY_CAP = 1 << 30


def _capped() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def _huge_pdf(path: Path) -> Path:
    """A 3000 x 3000-point page: 12500 x 12500 = 156 MP at 300 dpi."""
    return text_pdf(path, [(50, 100, "HELLO"), (50, 60, "World")], size=(3000, 3000))


# ------------------------------------------------------- save_pdf pixel limit
_SAVE_HUGE = """
import json, sys
import unocr
pages = list(unocr.read_pages(sys.argv[1], text_layer=True, dpi=300))
try:
    unocr.save_pdf(pages, sys.argv[2])
except unocr.errors.DocumentError as exc:
    print(json.dumps({"error": str(exc), "item": exc.item}))
else:
    print(json.dumps({"error": None}))
"""


def test_save_pdf_refuses_a_page_over_the_pixel_limit_before_rendering(tmp_path):
    pdf = _huge_pdf(tmp_path / "huge.pdf")
    out = subprocess.run(
        [sys.executable, "-c", _SAVE_HUGE, str(pdf), str(tmp_path / "out.pdf")],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_capped,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["item"] == 0
    message = result["error"]
    assert message.startswith("page 1: its image, page 1 of ")
    assert "12500x12500 = 156,250,000 pixels, over the limit of 100,000,000" in message
    assert "pass dpi=240 (or lower)" in message
    assert "max_pixels=156250000 (or larger)" in message
    assert not (tmp_path / "out.pdf").exists()


def test_cli_refuses_a_text_layer_page_over_the_pixel_limit(tmp_path):
    pdf = _huge_pdf(tmp_path / "huge.pdf")
    target = tmp_path / "out.pdf"
    command = ["read", str(pdf), "--text-layer", "-f", "pdf", "-o", str(target)]
    out = subprocess.run(
        [sys.executable, "-m", "unocr", *command],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_capped,
        check=False,
    )
    assert out.returncode != 0
    assert "over the limit of 100,000,000" in out.stderr, out.stderr
    assert not target.exists()


def test_cli_pdf_output_keeps_the_engines_pixel_limit_in_cli_words(tmp_path, capsys):
    """``-O max_pixels`` reaches the searchable PDF; its advice names options."""
    from unocr.cli import main

    pdf = text_pdf(tmp_path / "small.pdf", [(72, 700, "Hello there")])
    target = tmp_path / "out.pdf"
    command = ["read", str(pdf), "--text-layer", "-f", "pdf", "-o", str(target)]
    assert main([*command, "-O", "max_pixels=1000000"]) == 1
    said = capsys.readouterr().err
    assert "over the limit of 1,000,000" in said, said
    assert "--dpi " in said and "-O max_pixels=" in said, said
    assert "dpi=" not in said.replace("--dpi", ""), said
    assert not target.exists()
    assert main(command) == 0  # within the default limit
    assert target.is_file()


def _small_page(tmp_path: Path) -> Page:
    pdf = text_pdf(tmp_path / "small.pdf", [(72, 700, "Hello there")])
    (page,) = unocr.read_pages(pdf, text_layer=True, dpi=100)
    return page


def test_save_pdf_follows_its_advice_max_pixels_and_dpi(tmp_path):
    page = _small_page(tmp_path)  # 850 x 1100 pixels at 100 dpi
    with pytest.raises(DocumentError, match=r"pass dpi=(\d+) \(or lower\)") as info:
        unocr.save_pdf([page], tmp_path / "x.pdf", max_pixels=500_000)
    dpi = int(info.value.args[0].split("pass dpi=")[1].split(" ")[0])
    unocr.save_pdf([page], tmp_path / "x.pdf", max_pixels=500_000, dpi=dpi)
    unocr.save_pdf([page], tmp_path / "y.pdf", max_pixels=page.width * page.height)
    with pikepdf.open(tmp_path / "x.pdf") as out:
        image = out.pages[0].Resources.XObject.Im0
        assert image.Width * image.Height <= 500_000
        assert [float(v) for v in out.pages[0].MediaBox] == [0, 0, 612, 792]
    back = unocr.read(tmp_path / "x.pdf", text_layer=True, dpi=100)
    assert back.text == "Hello there"
    for got, want in zip(back.words, page.words, strict=True):
        assert got.geometry.to_box().iou(want.geometry.to_box()) > 0.8


def test_save_pdf_checks_its_new_arguments(tmp_path):
    page = _small_page(tmp_path)
    for bad in (0, -1, 1.5, True, "10"):
        with pytest.raises(DocumentError, match="max_pixels must be"):
            unocr.save_pdf([page], tmp_path / "x.pdf", max_pixels=bad)  # type: ignore[arg-type]
    with pytest.raises(DocumentError, match="dpi must be"):
        unocr.save_pdf([page], tmp_path / "x.pdf", dpi=0)


# ------------------------------------------- characters beyond U+FFFF, > 2048
def test_save_pdf_keeps_more_than_2048_characters_beyond_the_bmp(tmp_path):
    chars = [chr(0x20000 + i) for i in range(2100)]
    chars += [chr(0x1F600 + i) for i in range(40)]  # emoji among them
    per_word = 30
    words = []
    for k in range(0, len(chars), per_word):
        y = 20 + (k // per_word) * 22
        text = "ab" + "".join(chars[k : k + per_word]) + "z"  # BMP in the same word
        words.append(Word(text, Box(20, y, 20 + len(text) * 18, y + 18)))
    width, height = 700, 20 + 22 * len(words) + 20
    page = Page.from_words(words, width=width, height=height)
    out = tmp_path / "many.pdf"
    unocr.save_pdf([page], out, images=[Image.new("RGB", (width, height), "white")])
    want = [w.text for w in words]

    with pikepdf.open(out) as pdf:
        assert pdf.check_pdf_syntax() == []
    back = unocr.read(out, text_layer=True, dpi=300)
    assert [w.text for w in back.words] == want
    extracted = pdfium_text(out)
    assert "\ufffd" not in extracted
    assert extracted.split() == want


# ---------------------------------------------------- owner-password-only PDF
def _encrypted(path: Path, user: str | None, owner: str = "ownerpw") -> Path:
    text_pdf(path, [(50, 100, "HELLO")], size=(300, 200))
    if user is None:
        return path
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user=user, owner=owner, R=6))
    return path


def test_a_password_for_other_files_still_opens_an_owner_only_pdf(tmp_path):
    files = [
        _encrypted(tmp_path / "user.pdf", "secret"),
        _encrypted(tmp_path / "owner_only.pdf", ""),
        _encrypted(tmp_path / "plain.pdf", None),
    ]
    results = unocr.read_many(files, text_layer=True, password="secret")
    assert [r.text for r in results] == ["HELLO"] * 3
    owner_only = files[1].read_bytes()
    for password in ("", "wrong", "ownerpw", None):
        assert (
            unocr.read(owner_only, text_layer=True, password=password).text == "HELLO"
        )
    # a file that needs its user password still says the one given is wrong
    with pytest.raises(DocumentError, match=r"password given .* is wrong") as info:
        unocr.read(files[0], text_layer=True, password="wrong")
    assert info.value.needs_password


def test_save_pdf_renders_an_owner_only_pdf_with_another_password(tmp_path):
    pdf = _encrypted(tmp_path / "owner_only.pdf", "")
    pages = list(unocr.read_pages(pdf, text_layer=True, dpi=72, password="secret"))
    unocr.save_pdf(pages, tmp_path / "out.pdf", password="secret")
    assert unocr.read(tmp_path / "out.pdf", text_layer=True, dpi=72).text == "HELLO"


# ------------------------------------------------------ /Rotate round trips
ROTATED_LINES = [
    (72, 700, "Alpha beta gamma"),
    (72, 660, "Delta"),
    (72, 620, "Epsilon zeta"),
]


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_save_pdf_round_trip_of_a_rotated_page_keeps_every_word_in_order(
    tmp_path, rotate
):
    src = text_pdf(tmp_path / "src.pdf", ROTATED_LINES, rotate=rotate)
    (page,) = unocr.read_pages(src, text_layer=True, dpi=100)
    assert [line.text for line in page.lines] == [t for _, _, t in ROTATED_LINES]
    out = tmp_path / "out.pdf"
    unocr.save_pdf([page], out)
    (back,) = unocr.read_pages(out, text_layer=True, dpi=100)
    assert (back.width, back.height) == (page.width, page.height)
    assert back.text.split() == " ".join(t for _, _, t in ROTATED_LINES).split()
    assert [line.text for line in back.lines] == [t for _, _, t in ROTATED_LINES]
    for got, want in zip(back.words, page.words, strict=True):
        assert got.text == want.text
        assert got.geometry.to_box().iou(want.geometry.to_box()) > 0.6, got.text
    # the glyphs are turned as the image shows the text: their baseline runs
    # along the text (down for 90, left for 180, up for 270)
    doc = pdfium.PdfDocument(out)
    try:
        textpage = doc[0].get_textpage()
        import pypdfium2.raw as raw

        matrix = raw.FS_MATRIX()
        assert raw.FPDFText_GetMatrix(textpage.raw, 0, matrix)
        textpage.close()
    finally:
        doc.close()
    # PDF y points up: down on screen is -y
    expected = {90: (0, -1), 180: (-1, 0), 270: (0, 1)}[rotate]
    norm = np.hypot(matrix.a, matrix.b)
    assert (round(matrix.a / norm), round(matrix.b / norm)) == expected


def test_upright_and_right_to_left_words_stay_upright(tmp_path):
    words = [
        Word("שלום", Box(300, 40, 380, 70)),
        Word("עולם", Box(200, 40, 280, 70)),
        Word("Hi", Box(40, 100, 90, 130)),
        Word("there", Box(100, 100, 200, 130)),
    ]
    page = Page.from_words(words, width=420, height=160)
    out = tmp_path / "up.pdf"
    unocr.save_pdf([page], out, images=[Image.new("RGB", (420, 160), "white")])
    back = unocr.read(out, text_layer=True, dpi=300)
    assert [line.text for line in back.lines] == ["שלום עולם", "Hi there"]
    for got, want in zip(back.words, page.words, strict=True):
        assert got.geometry.to_box().iou(want.geometry.to_box()) > 0.8


# ---------------------------------------------------------------- /UserUnit
def _user_unit_pdf(unit: float) -> bytes:
    pdf = pikepdf.new()
    font = standard_font(pdf)
    page = pdf.add_blank_page(page_size=(100, 100))
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 10 Tf 10 50 Td (HELLO) Tj ET")
    page.obj.UserUnit = unit
    buffer = io.BytesIO()
    pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def test_user_unit_scales_the_page_and_its_rendering():
    data = _user_unit_pdf(10)
    page = unocr.read(data, text_layer=True, dpi=72)
    assert page.source.page_size == (1000.0, 1000.0)
    assert (page.width, page.height) == (1000, 1000)
    image = load_input(PageRef(data, "<bytes>", 0, "pdf", DocumentOptions(72))).image
    assert image.size == (1000, 1000)
    dark = np.asarray(image.convert("L")) < 128
    ys, xs = np.nonzero(dark)
    (word,) = page.words
    box = word.geometry.to_box()
    assert word.text == "HELLO"
    # the word's box lies on the rendered ink (HELLO at 100 pt from the left)
    assert abs(box.x0 - xs.min()) < 10 and abs(box.x1 - xs.max()) < 10
    assert box.y0 - 5 <= ys.min() and ys.max() <= box.y1 + 5
    assert 90 <= box.x0 <= 110
    # to_pdf maps pixels to the page's user space (units of 10 points)
    x, y = page.source.pdf_point(box.x0, box.y1)
    assert abs(x - 10) < 1 and abs(y - 50) < 1.5


def test_user_unit_counts_in_the_pixel_limit():
    with pytest.raises(DocumentError, match="a 1000x1000-point page at 300 dpi"):
        unocr.read(_user_unit_pdf(10), dpi=300, max_pixels=10_000_000)
    page = unocr.read(_user_unit_pdf(2.5), text_layer=True, dpi=72)
    assert page.source.page_size == (250.0, 250.0)

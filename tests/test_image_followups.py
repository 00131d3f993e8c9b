"""Tests for reading animated files in one pass and saving large JPEG pages.

Every image is generated here with Pillow; nothing is downloaded. Decodes and
opens are counted through wrappers, never timed. Tests that need many pixels
lower Pillow's global ``MAX_IMAGE_PIXELS`` instead (restored after).
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from PIL import Image

import unocr
from unocr.errors import DocumentError, ImageError
from unocr.image import iter_frames

from .ink_engine import bars

_FRAMES = 12


def _frame(i: int) -> Image.Image:
    """Frame ``i``: one bar ``10 + i`` pixels wide, every frame the same size."""
    canvas = Image.new("RGB", (80, 40), "white")
    canvas.paste(bars((10 + i,), h=20), (0, 0))
    return canvas


def _animated(fmt: str, n: int = _FRAMES) -> bytes:
    frames = [_frame(i) for i in range(n)]
    params: dict[str, Any] = {"lossless": True} if fmt == "WEBP" else {}
    buf = io.BytesIO()
    frames[0].save(buf, fmt, save_all=True, append_images=frames[1:], **params)
    return buf.getvalue()


def _widths(page: unocr.Page) -> list[str]:
    return [w.text for w in page.words]


class _Counts:
    """Calls of ``Image.open``, and decoders Pillow made (one per frame decoded)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opens = 0
        self.decodes = 0
        real_open = Image.open
        real_decoder = Image._getdecoder

        def opening(*args: Any, **kwargs: Any) -> Any:
            self.opens += 1
            return real_open(*args, **kwargs)

        def decoder(*args: Any, **kwargs: Any) -> Any:
            self.decodes += 1
            return real_decoder(*args, **kwargs)

        monkeypatch.setattr(Image, "open", opening)
        monkeypatch.setattr(Image, "_getdecoder", decoder)


# --------------------------------------------------------------------------- #
# read_pages of an animated file: one open, each frame decoded once
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("fmt", ["GIF", "PNG", "WEBP"])
@pytest.mark.parametrize("given", ["path", "bytes", "file object"])
def test_read_pages_of_an_animated_file_opens_it_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ink: str, fmt: str, given: str
) -> None:
    data = _animated(fmt)
    path = tmp_path / f"anim.{fmt.lower()}"
    path.write_bytes(data)
    source: Any = {"path": path, "bytes": data, "file object": io.BytesIO(data)}[given]
    counts = _Counts(monkeypatch)
    pages = list(unocr.read_pages(source, backend=ink))
    assert [_widths(p) for p in pages] == [[f"w{10 + i}"] for i in range(_FRAMES)]
    assert [p.source.index for p in pages if p.source] == list(range(_FRAMES))
    # one open to count the frames, one to read them (was one per frame more)
    assert counts.opens == 2
    if fmt != "WEBP":  # (Pillow's WebP reader decodes without such decoders)
        assert counts.decodes == _FRAMES  # was 1 + 2 + ... + 12 = 78


@pytest.mark.parametrize("fmt", ["GIF", "PNG"])
def test_read_pages_selects_frames_of_an_animated_file_in_one_pass(
    monkeypatch: pytest.MonkeyPatch, ink: str, fmt: str
) -> None:
    data = _animated(fmt)
    counts = _Counts(monkeypatch)
    pages = list(unocr.read_pages(data, backend=ink, pages="3-5,8"))
    assert [_widths(p) for p in pages] == [["w12"], ["w13"], ["w14"], ["w17"]]
    assert [p.source.index for p in pages if p.source] == [2, 3, 4, 7]
    assert counts.opens == 2
    assert counts.decodes == 8  # the frames up to frame 7, once each (was 3+4+5+8)
    # frames after the last page wanted are not decoded
    pages = list(unocr.read_pages(data, backend=ink, pages="2"))
    assert [_widths(p) for p in pages] == [["w11"]]


def test_read_pages_of_a_tiff_page_decodes_that_page_only(
    monkeypatch: pytest.MonkeyPatch, ink: str
) -> None:
    data = _animated("TIFF", 6)
    counts = _Counts(monkeypatch)
    (page,) = unocr.read_pages(data, backend=ink, pages="6")
    assert _widths(page) == ["w15"] and page.source and page.source.index == 5
    assert counts.decodes == 1


def test_read_pages_of_an_animated_file_keeps_its_errors(ink: str) -> None:
    data = _animated("GIF", 4)
    with pytest.raises(DocumentError, match=r"which has 4 page"):
        list(unocr.read_pages(data, backend=ink, pages="5"))
    # pages in another order than the file's are read as asked
    pages = unocr.read_pages(data, backend=ink, pages="4,1")
    assert [_widths(p) for p in pages] == [["w13"], ["w10"]]
    # a file object is named as such, not as the bytes read from it
    broken = _animated("GIF", 4)[:-40]
    with pytest.raises(ImageError, match=r"<file object>"):
        list(unocr.read_pages(io.BytesIO(broken), backend=ink))


# --------------------------------------------------------------------------- #
# iter_frames(frames=...): the frames asked for, the others not decoded
# --------------------------------------------------------------------------- #


def _pixels(im: Image.Image) -> bytes:
    return im.tobytes()


@pytest.mark.parametrize(
    "opened",
    [lambda d: d, lambda d: Image.open(io.BytesIO(d))],
    ids=["bytes", "PIL image"],
)
def test_iter_frames_yields_the_frames_asked_for(
    monkeypatch: pytest.MonkeyPatch, opened: Callable[[bytes], Any]
) -> None:
    data = _animated("TIFF", 6)
    source = opened(data)
    counts = _Counts(monkeypatch)
    got = [_pixels(f.image) for f in iter_frames(source, frames=[1, 4])]
    assert got == [_pixels(_frame(1)), _pixels(_frame(4))]
    assert counts.decodes == 2
    with pytest.raises(ImageError, match=r"has 6 frame\(s\); frame 9 does not exist"):
        list(iter_frames(source, frames=[2, 9]))
    if isinstance(source, Image.Image):
        assert source.tell() == 0


@pytest.mark.parametrize("frames", [[2, 1], [1, 1], [-1], [0.5], "1", 3])
def test_iter_frames_refuses_frames_out_of_order_or_not_numbers(frames: Any) -> None:
    with pytest.raises(ImageError, match=r"frames must be"):
        next(iter_frames(_animated("TIFF", 3), frames=frames))


def test_iter_frames_of_an_array_has_frame_zero_only() -> None:
    import numpy as np

    array = np.zeros((4, 5, 3), np.uint8)
    assert len(list(iter_frames(array, frames=[0]))) == 1
    with pytest.raises(ImageError, match="an array has only frame 0"):
        list(iter_frames(array, frames=[1]))


# --------------------------------------------------------------------------- #
# save_pdf: a kept JPEG is opened under unocr's pixel limit, not Pillow's
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("limit", [1_000, 500], ids=["warning", "error"])
def test_save_pdf_of_a_large_jpeg_lets_no_pillow_warning_through(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ink: str, limit: int
) -> None:
    # 40 x 40 = 1600 pixels: over a limit of 1000 Pillow warns, of 500 it refuses
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
    path = tmp_path / "page.jpg"
    canvas = Image.new("RGB", (40, 40), "white")
    canvas.paste(bars((8,), h=10), (0, 0))
    canvas.save(path, quality=95)
    out = tmp_path / "out.pdf"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        page = unocr.read(path, backend=ink)
        unocr.save_pdf([page], out)
    assert [str(w.message) for w in caught] == []
    with pikepdf.open(out) as pdf:
        image = pdf.pages[0].Resources.XObject["/Im0"]
        assert image.Filter == pikepdf.Name.DCTDecode  # the JPEG itself, kept
    assert limit == Image.MAX_IMAGE_PIXELS  # restored

"""Damaged multi-page TIFFs, page selections given as bytes, float images' NaN/inf.

Every file here is made by the tests; nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import unocr
from unocr.backends.base import ItemFailure
from unocr.documents import (
    DocumentOptions,
    PageRef,
    check_options,
    expand,
    load_input,
)
from unocr.documents.ranges import check_page_spec, select_pages
from unocr.errors import DocumentError, ImageError
from unocr.image import count_frames, load_image

from .damaged_files import broken_tiff
from .ink_engine import bars

# the bar on page n is WIDTHS[n - 1] pixels wide: the ink engine reads "w<width>"
WIDTHS = (20, 40, 60)


def _broken_tiff(path: Path) -> Path:
    """A three-page TIFF whose second page links to a next page past the file's end.

    Pages 1 and 2 are intact; page 3's directory can no longer be found.
    """
    path.write_bytes(broken_tiff([bars((width,)) for width in WIDTHS]))
    return path


def _summary(results: list[object]) -> list[object]:
    """(page number, text) of each page; the error's type of each failure."""
    out: list[object] = []
    for result in results:
        if isinstance(result, ItemFailure):
            out.append(type(result.error).__name__)
        else:
            out.append((result.source.number, result.text))
    return out


# ---------------------------------------------- a TIFF with a broken frame chain
def test_read_many_gives_every_intact_page_then_the_damaged_one_as_a_failure(
    ink, tmp_path
):
    tif = _broken_tiff(tmp_path / "broken.tif")
    results = unocr.read_many([tif], backend=ink, errors="return")
    assert _summary(results) == [(1, "w20"), (2, "w40"), "ImageError"]
    failure = results[2]
    assert isinstance(failure, ItemFailure)
    assert "frame 2" in str(failure.error) and "(page 3)" in failure.source


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ("2", [(2, "w40")]),
        (2, [(2, "w40")]),
        ("3", ["ImageError"]),
        ("1-3", [(1, "w20"), (2, "w40"), "ImageError"]),
        ("2-", [(2, "w40"), "ImageError"]),
        ("4", ["DocumentError"]),
        ("1,4", ["DocumentError"]),
    ],
)
def test_a_selection_of_a_damaged_tiff_reads_the_pages_asked_for(
    ink, tmp_path, pages, expected
):
    tif = _broken_tiff(tmp_path / "broken.tif")
    results = unocr.read_many([tif], backend=ink, pages=pages, errors="return")
    assert _summary(results) == expected


def test_a_page_past_the_damage_is_outside_the_document(tmp_path):
    tif = _broken_tiff(tmp_path / "broken.tif")
    (failed,) = expand([tif], DocumentOptions(pages="1,5"))
    with pytest.raises(DocumentError, match=r"page 5 is outside .* has 3 page"):
        load_input(failed)


def test_pages_of_an_image_whose_frames_cannot_be_counted_are_not_page_1(
    ink, tmp_path, monkeypatch
):
    gif = tmp_path / "anim.gif"
    frames = [bars((width,)) for width in WIDTHS]
    frames[0].save(gif, save_all=True, append_images=frames[1:])
    # as count_frames answers for a file whose list of frames is damaged
    monkeypatch.setattr(unocr.documents, "count_frames", lambda data: None)
    results = unocr.read_many([gif], backend=ink, pages="2", errors="return")
    assert _summary(results) == ["DocumentError"]
    assert "cannot be counted" in str(results[0].error)
    results = unocr.read_many([gif], backend=ink, pages="1", errors="return")
    assert _summary(results) == [(1, "w20")]
    # a file that is no image says so
    junk = tmp_path / "junk.gif"
    junk.write_bytes(b"GIF89a" + b"\x00" * 3)
    results = unocr.read_many([junk], backend=ink, pages="2", errors="return")
    assert _summary(results) == ["ImageError"]


@pytest.mark.parametrize("form", ["bytes", "pil"])
def test_a_damaged_tiff_as_bytes_or_a_pil_image_expands_like_its_file(
    ink, tmp_path, form
):
    tif = _broken_tiff(tmp_path / "broken.tif")
    item: object = tif.read_bytes() if form == "bytes" else Image.open(tif)
    refs = expand([item])
    assert [(type(r), r.index) for r in refs] == [
        (PageRef, 0),
        (PageRef, 1),
        (PageRef, 2),
    ]
    results = unocr.read_many([item], backend=ink, errors="return")
    assert _summary(results) == [(1, "w20"), (2, "w40"), "ImageError"]
    if isinstance(item, Image.Image):
        assert item.tell() == 0
        item.close()


def test_count_frames_counts_a_damaged_tiff_to_the_page_it_breaks_at(tmp_path):
    tif = _broken_tiff(tmp_path / "broken.tif")
    assert count_frames(tif) == count_frames(tif.read_bytes()) == 3
    with Image.open(tif) as im:
        assert count_frames(im) == 3
        assert im.tell() == 0  # put back where it was
        assert load_image(im, frame=1).width == load_image(tif, frame=1).width
    with pytest.raises(ImageError, match="cannot read frame 2"):
        load_image(tif, frame=2)


def test_read_pages_of_a_damaged_tiff_stops_at_the_damage_with_an_error(ink, tmp_path):
    tif = _broken_tiff(tmp_path / "broken.tif")
    pages = unocr.read_pages(tif, backend=ink)
    assert [(p.source.number, p.text) for p in (next(pages), next(pages))] == [
        (1, "w20"),
        (2, "w40"),
    ]
    with pytest.raises(ImageError, match="frame 2"):
        next(pages)


# ---------------------------------------------------------- pages given as bytes
@pytest.mark.parametrize("spec", [b"2", bytearray(b"2"), memoryview(b"2")])
def test_pages_as_bytes_are_refused_not_read_as_byte_values(spec):
    with pytest.raises(DocumentError, match="pages must be a string") as err:
        check_page_spec(spec)
    assert ".decode()" in str(err.value)
    with pytest.raises(DocumentError, match="pages must be a string"):
        select_pages(spec, 60, "doc.pdf")
    with pytest.raises(DocumentError, match="pages must be a string"):
        check_options(DocumentOptions(pages=spec))


def test_read_many_refuses_pages_as_bytes(ink):
    with pytest.raises(DocumentError, match="got bytes b'2'"):
        unocr.read_many([bars()], backend=ink, pages=b"2")


# ------------------------------------------------------ float images: NaN and inf
def _gray(values: list[float]) -> list[int]:
    image = Image.fromarray(np.array([values], np.float32), "F")
    return np.asarray(load_image(image).image)[0, :, 0].tolist()


def test_nan_and_inf_of_a_stretched_float_image_become_0():
    inf, nan = float("inf"), float("nan")
    assert _gray([-1.0, 0.0, 300.0, inf, -inf, 150.0]) == [0, 1, 255, 0, 0, 128]
    assert _gray([-1.0, nan, 300.0]) == [0, 0, 255]


def test_the_stretch_spans_the_finite_values_only():
    inf, nan = float("inf"), float("nan")
    # 300..400 stretched to 0..255; NaN and inf neither widen it nor show
    assert _gray([300.0, 400.0, 350.0, nan, inf, -inf]) == [0, 255, 128, 0, 0, 0]
    assert _gray([0.0, 0.5, 1.0, nan]) == [0, 128, 255, 0]  # 0..1: times 255
    assert _gray([nan, inf, -inf]) == [0, 0, 0]

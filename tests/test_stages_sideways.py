"""Stages and pipelines on a page turned on its side.

A shape does not carry its text's reading direction, so ``crop_regions``
turns a region at least ``TALL_RATIO`` times as high as wide a quarter
counter-clockwise (text reading top to bottom then reads left to right), as
RapidOCR's own pipeline does with its line crops. ``detect`` then
``recognize``, and pipelines, read a sideways page as the engine's ``read``
does. Real RapidOCR and Tesseract read the two-line test snippet turned 90
degrees clockwise.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import numpy as np
import pytest
from PIL import Image

import unocr
from unocr.backends.base import Backend
from unocr.geometry import Box, Quad, RotatedBox
from unocr.geometry.crop import TALL_RATIO, crop_regions
from unocr.metrics import cer

from .needs import engine_or_skip

LINES = (
    "This is a lot of 12 point text to test the",
    "ocr code and see if it works on all types",
)


def _patch() -> Image.Image:
    """A 60 x 20 patch that shows its orientation: black left, grey top row."""
    arr = np.full((20, 60), 255, np.uint8)
    arr[:, :30] = 0
    arr[:5, :] = 128
    return Image.fromarray(arr).convert("RGB")


def _sideways(image: Image.Image) -> Image.Image:
    """The image turned 90 degrees clockwise: its text reads top to bottom."""
    return image.transpose(Image.Transpose.ROTATE_270)


def _close(a: Image.Image, b: Image.Image) -> bool:
    got = np.asarray(a.convert("L"), dtype=float)
    want = np.asarray(b.convert("L"), dtype=float)
    inner = (slice(3, -3), slice(3, -3))  # resampling blurs the edges
    return got.shape == want.shape and np.abs(got[inner] - want[inner]).mean() < 12


# ---------------------------------------------------------------- crops
def test_a_tall_box_is_turned_to_read_left_to_right() -> None:
    """A box 1.5 or more times as high as wide: its pixels, turned a quarter."""
    page = Image.new("RGB", (100, 100), "white")
    page.paste(_sideways(_patch()), (30, 10))  # 20 wide, 60 high
    (crop,) = crop_regions(page, [Box(30, 10, 50, 70)])
    assert crop is not None
    assert np.array_equal(np.asarray(crop), np.asarray(_patch()))
    (kept,) = crop_regions(page, [Box(30, 10, 50, 70)], turn_tall=False)
    assert kept is not None and kept.size == (20, 60)


def test_only_crops_at_least_the_tall_ratio_are_turned() -> None:
    page = Image.new("RGB", (100, 100), "white")
    high = round(20 * TALL_RATIO)
    square, under, at = crop_regions(
        page,
        [Box(0, 0, 20, 20), Box(0, 0, 20, high - 1), Box(0, 0, 20, high)],
        turn_tall=True,
    )
    assert square is not None and square.size == (20, 20)
    assert under is not None and under.size == (20, high - 1)
    assert at is not None and at.size == (high, 20)
    canvas = Image.new("RGB", (200, 200), "white")
    canvas.paste(_patch(), (70, 90))
    (level,) = crop_regions(canvas, [RotatedBox(100, 100, 60, 20, 0)])
    assert level is not None
    assert np.array_equal(np.asarray(level), np.asarray(_patch()))


def test_a_narrow_word_among_level_lines_is_not_turned() -> None:
    """Tall cuts turn only where the regions' text runs vertically."""
    page = Image.new("RGB", (300, 100), "white")
    lines = [Box(0, 0, 200, 20), Box(0, 30, 180, 50)]
    word_i = Box(210, 0, 218, 20)  # an "I": 8 wide, 20 high
    *_, narrow = crop_regions(page, [*lines, word_i])
    assert narrow is not None and narrow.size == (8, 20)
    sideways = [Box(0, 0, 20, 90), Box(30, 0, 50, 80), Box(60, 0, 90, 15)]
    first, second, level = crop_regions(page, sideways)
    assert first is not None and first.size == (90, 20)
    assert second is not None and second.size == (80, 20)
    assert level is not None and level.size == (30, 15)  # not tall: as it lies


@pytest.mark.parametrize("angle", [50.0, 75.0, 90.0, 105.0, 130.0])
def test_a_line_turned_past_45_degrees_comes_out_reading_left_to_right(
    angle: float,
) -> None:
    """A line reading downwards at ``angle`` degrees (clockwise on screen)."""
    canvas = Image.new("RGB", (200, 200), "white")
    canvas.paste(_patch(), (70, 90))
    turned = canvas.rotate(-angle, resample=Image.Resampling.BICUBIC, center=(100, 100))
    line = RotatedBox(100, 100, 60, 20, angle)  # stored within 45 degrees of level
    quad = Quad(line.to_quad().points)
    for region in (line, quad):
        (crop,) = crop_regions(turned, [region])
        assert crop is not None
        assert _close(crop, _patch())


# -------------------------------------------------------------- engines
@pytest.fixture(scope="module")
def rapidocr() -> Iterator[Backend]:
    yield from engine_or_skip("rapidocr", "rapidocr")


@pytest.fixture(scope="module")
def page(snippet: Image.Image) -> Image.Image:
    """The two-line snippet on its side, on a white margin."""
    side = _sideways(snippet)
    canvas = Image.new("RGB", (side.width + 40, side.height + 40), "white")
    canvas.paste(side, (20, 20))
    return canvas


def test_rapidocr_detect_then_recognize_reads_a_sideways_page_as_read(
    rapidocr: Backend, page: Image.Image
) -> None:
    read = [line.text for line in rapidocr.read(page).lines]
    regions = [line.geometry for line in rapidocr.detect(page).lines]
    staged = [r.text for r in rapidocr.recognize(page, regions)]
    assert staged == read
    assert cer(" ".join(staged), " ".join(LINES)) < 0.1


def test_pipelines_read_a_sideways_page(rapidocr: Backend, page: Image.Image) -> None:
    if shutil.which("tesseract") is None:
        pytest.skip("the tesseract program is not installed")
    with unocr.get_backend(
        "pipeline", detect=rapidocr, recognize="tesseract"
    ) as pipeline:
        text = " ".join(line.text for line in pipeline.read(page).lines)
    assert cer(text, " ".join(LINES)) < 0.1

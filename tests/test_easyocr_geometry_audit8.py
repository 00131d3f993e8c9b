"""EasyOCR's boxes are clipped to the image, alike on ``read`` and ``detect``.

``readtext`` clamps its axis-aligned boxes to the image before reading them
but reports slanted ones as CRAFT found them, reaching beyond the image; its
``detect`` reports both unclipped. Every shape is in pixels of the image
(docs/model.md), and ``detect`` gives the regions ``read`` reads.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from unocr.backends.easyocr.convert import (
    detections_to_blocks,
    easyocr_to_page,
    line_from_entry,
)
from unocr.geometry import Geometry, Quad
from unocr.model import Page

if TYPE_CHECKING:
    from unocr.backends.easyocr.backend import EasyOcrBackend

#: A slanted box whose top-left and bottom-left corners lie left of and below
#: a 371 x 106 image (the box EasyOCR read for "Slanted" in such an image).
SLANTED = [[-9.9, 88.0], [108.0, 54.0], [117.9, 85.0], [0.0, 119.0]]


def _inside(shape: Geometry, width: float, height: float) -> bool:
    box = shape.to_box()
    return box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height


def _covered(inner: Geometry, outer: Geometry) -> bool:
    """``inner`` lies in ``outer`` (to a thousandth of a square pixel)."""
    return inner.intersection_area(outer) >= inner.area - 1e-3


# ------------------------------------------------------------------ converter
def test_slanted_line_and_its_words_are_clipped_to_the_image() -> None:
    line = line_from_entry((SLANTED, "Slanted text", 0.9), width=371, height=106)
    assert line is not None and isinstance(line.geometry, Quad)
    assert _inside(line.geometry, 371, 106)
    # each corner clamped: (-9.9, 88) to (0, 88), (0, 119) to (0, 106)
    assert line.geometry == Quad(
        [[0.0, 88.0], [108.0, 54.0], [117.9, 85.0], [0.0, 106.0]]
    )
    assert [w.text for w in line.words] == ["Slanted", "text"]
    for word in line.words:
        assert isinstance(word.geometry, Quad)
        assert _inside(word.geometry, 371, 106)
        assert _covered(word.geometry, line.geometry)


def test_saved_readtext_output_is_clipped_to_the_page() -> None:
    entries = [
        ([[-4, -4], [299, -4], [299, 49], [-4, 49]], "EDGE touching", 0.99),
        (SLANTED, "Slanted", 0.9),
    ]
    page = easyocr_to_page(entries, width=300, height=106)
    assert len(page.lines) == 2
    for element in (*page.lines, *page.words):
        assert _inside(element.geometry, 300, 106)
    edge = next(ln for ln in page.lines if ln.text == "EDGE touching")
    assert edge.geometry == Quad([[0, 0], [299, 0], [299, 49], [0, 49]])


def test_without_the_image_size_boxes_are_kept_as_given() -> None:
    line = line_from_entry((SLANTED, "Slanted", 0.9))
    assert line is not None and line.geometry == Quad(SLANTED)


def test_a_box_with_no_area_in_the_image_is_dropped() -> None:
    outside = [[-50, 10], [-10, 10], [-10, 30], [-50, 30]]
    assert line_from_entry((outside, "ghost", 0.5), width=100, height=40) is None
    assert detections_to_blocks([[-50, -10, 10, 30]], [], width=100, height=40) == ()


def test_detected_boxes_are_clipped_as_readtext_clips_them() -> None:
    blocks = detections_to_blocks([[-4, 299, -4, 49]], [SLANTED], width=300, height=106)
    quads = sorted(
        (ln.geometry for b in blocks for ln in b.lines),
        key=lambda q: q.to_box().x1,
    )
    assert len(quads) == 2
    assert all(_inside(q, 300, 106) for q in quads)
    # readtext reads the horizontal box as [max(0, x0), min(x1, W), ...]
    assert quads[1] == Quad([[0, 0], [299, 0], [299, 49], [0, 49]])
    from_read = line_from_entry((SLANTED, "Slanted", 0.9), width=300, height=106)
    assert from_read is not None and quads[0] == from_read.geometry


# --------------------------------------------------------------------- engine
# Not importorskip("easyocr"): a plain import fails beside CPU-only PyTorch.
_ENGINE = importlib.util.find_spec("easyocr") is not None and (
    importlib.util.find_spec("easyocr_en_models") is not None
)
engine = pytest.mark.skipif(not _ENGINE, reason="EasyOCR or its models missing")


def _border_image() -> Image.Image:
    """300 x 60 px: "EDGE touching" cut by the top and left edges."""
    image = Image.new("RGB", (300, 60), "white")
    font = ImageFont.load_default(size=40)
    ImageDraw.Draw(image).text((-4, -6), "EDGE touching", font=font, fill="black")
    return image


def _slanted_image() -> Image.Image:
    """Text turned by 15 degrees and cropped so that it crosses every edge."""
    image = Image.new("RGB", (420, 90), "white")
    font = ImageFont.load_default(size=30)
    ImageDraw.Draw(image).text(
        (6, 20), "Slanted words near edges", font=font, fill="black"
    )
    turned = image.rotate(15, expand=True, fillcolor="white")
    ys, xs = np.nonzero(np.asarray(turned.convert("L")) < 128)
    return turned.crop((xs.min() + 3, ys.min() + 3, xs.max() - 3, ys.max() - 3))


@pytest.fixture(scope="module")
def backend() -> Iterator[EasyOcrBackend]:
    from unocr.backends.easyocr.backend import EasyOcrBackend

    with EasyOcrBackend() as b:
        yield b


def _line_quads(page: Page) -> list[Geometry]:
    return sorted((ln.geometry for ln in page.lines), key=repr)


@engine
@pytest.mark.parametrize("make", [_border_image, _slanted_image])
def test_read_and_detect_give_the_same_boxes_inside_the_image(
    backend: EasyOcrBackend, make: Callable[[], Image.Image]
) -> None:
    image = make()
    width, height = image.size
    read = backend.read(image)
    detected = backend.detect(image)
    assert read.lines
    for element in (*read.lines, *read.words, *detected.lines):
        assert _inside(element.geometry, width, height), element.geometry
    for line in read.lines:
        assert all(_covered(w.geometry, line.geometry) for w in line.words)
    assert _line_quads(detected) == _line_quads(read)

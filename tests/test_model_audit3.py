"""The model, third audit: receipts on their side, Tesseract parent confidences,
``Page.filter`` rescoring and threshold types, the page size limit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from unocr.errors import ConfigError, ModelError
from unocr.formats.tsv import page_from_tsv
from unocr.geometry import Box
from unocr.limits import MAX_COORDINATE
from unocr.model import Block, Line, Page, Word
from unocr.model.layout import text_angle

# ------------------------------------------------------------ turned prose


def justified(n: int = 12) -> list[Line]:
    """Justified prose whose first line is indented: ``n`` ends line up, n - 1 starts."""
    return [
        Line(
            text=f"line{i:02d}",
            geometry=Box(130 if i == 0 else 100, 100 + 30 * i, 900, 120 + 30 * i),
            confidence=0.9,
        )
        for i in range(n)
    ]


def turned(lines: list[Line], angle: float) -> list[Line]:
    """The same lines rotated clockwise on screen by ``angle`` about (600, 600)."""
    return [
        ln.replace(geometry=ln.geometry.to_quad().rotate(angle, origin=(600, 600)))
        for ln in lines
    ]


def receipt() -> list[Line]:
    """A receipt: a centred header, 6 items at the left, 4 amounts at the right."""
    header = [Line(text="SHOP", geometry=Box(350, 60, 550, 80), confidence=0.9)]
    items = [
        Line(
            text=f"item{i}",
            geometry=Box(100, 100 + 30 * i, 260 + 25 * i, 120 + 30 * i),
        )
        for i in range(6)
    ]
    amounts = [
        Line(
            text=f"{i}.00",
            geometry=Box(740 - 25 * i, 100 + 30 * i, 900, 120 + 30 * i),
        )
        for i in range(4)
    ]
    return header + items + amounts


@pytest.mark.parametrize(("turn", "read"), [(90.0, 90.0), (270.0, -90.0)])
def test_a_receipt_on_its_side_reads_by_the_side_more_lines_start_on(turn, read):
    # More items start at one place than amounts end at one, though not twice
    # as many: evidence enough for a page on its side (either way is as
    # likely), unlike a page upside down.
    assert text_angle(turned(receipt(), turn)) == pytest.approx(read, abs=0.5)


def test_ragged_prose_turned_counter_clockwise_still_reads_bottom_to_top():
    ragged = [
        ln.replace(geometry=Box(100, g.y0, 900 - (i * 53) % 90, g.y1))
        for i, ln in enumerate(justified())
        for g in (ln.geometry.to_box(),)
    ]
    assert text_angle(turned(ragged, 270.0)) == pytest.approx(-90.0, abs=0.5)


# ------------------------------------------------------- Tesseract confidences

HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def tsv(*rows: str) -> str:
    return "\n".join([HEADER, "1\t1\t0\t0\t0\t0\t0\t0\t400\t100\t-1\t", *rows]) + "\n"


# One paragraph: a line of one word (conf 10), a line of three (conf 90).
UNEVEN = tsv(
    "2\t1\t1\t0\t0\t0\t0\t0\t400\t60\t-1\t",
    "3\t1\t1\t1\t0\t0\t0\t0\t400\t60\t-1\t",
    "4\t1\t1\t1\t1\t0\t0\t0\t100\t20\t-1\t",
    "5\t1\t1\t1\t1\t1\t0\t0\t100\t20\t10\tNoise",
    "4\t1\t1\t1\t2\t0\t0\t30\t400\t20\t-1\t",
    "5\t1\t1\t1\t2\t1\t0\t30\t100\t20\t90\tone",
    "5\t1\t1\t1\t2\t2\t150\t30\t100\t20\t90\ttwo",
    "5\t1\t1\t1\t2\t3\t300\t30\t100\t20\t90\tthree",
)

# One line: two good words and a bad one.
NOISY = tsv(
    "2\t1\t1\t0\t0\t0\t0\t0\t400\t30\t-1\t",
    "3\t1\t1\t1\t0\t0\t0\t0\t400\t30\t-1\t",
    "4\t1\t1\t1\t1\t0\t0\t0\t400\t20\t-1\t",
    "5\t1\t1\t1\t1\t1\t0\t0\t100\t20\t96\tTotal",
    "5\t1\t1\t1\t1\t2\t150\t0\t100\t20\t94\t45.60",
    "5\t1\t1\t1\t1\t3\t300\t0\t100\t20\t5\t~~",
)


def test_tesseract_block_confidence_is_the_mean_of_its_words():
    (block,) = page_from_tsv(UNEVEN).blocks
    assert block.native
    assert block.confidence == pytest.approx((0.1 + 3 * 0.9) / 4)
    assert [ln.confidence for ln in block.lines] == pytest.approx([0.1, 0.9])


def test_tesseract_block_without_a_paragraph_row_takes_its_words_mean_too():
    rows = [r for r in UNEVEN.splitlines() if not r.startswith(("2\t", "3\t"))]
    (block,) = page_from_tsv("\n".join(rows) + "\n").blocks
    assert not block.native
    assert block.confidence == pytest.approx(0.7)


def test_a_tsv_unocr_wrote_keeps_its_rows_confidences():
    page = page_from_tsv(UNEVEN)
    again = page_from_tsv(page.to_tsv())
    assert again.blocks[0].confidence == pytest.approx(0.7)
    assert [ln.confidence for ln in again.lines] == pytest.approx([0.1, 0.9])


# ------------------------------------------------------------ Page.filter


def test_filter_rescores_a_tesseract_line_and_block_from_the_words_kept():
    page = page_from_tsv(NOISY)
    assert page.lines[0].confidence == pytest.approx((0.96 + 0.94 + 0.05) / 3)
    kept = page.filter(0.6)
    (block,) = kept.blocks
    (line,) = block.lines
    assert line.text == "Total 45.60"
    assert line.native and block.native
    assert line.confidence == pytest.approx(0.95)
    assert block.confidence == pytest.approx(0.95)
    assert line.geometry == page.lines[0].geometry  # the engine's shape is kept


def test_filter_rescores_the_same_after_a_json_round_trip():
    page = page_from_tsv(NOISY)
    assert Page.from_json(page.to_json()).filter(0.6) == page.filter(0.6)


def test_filter_rescores_a_native_block_that_is_its_lines_mean():
    # A block a file reports without a shape (or a confidence) takes its
    # lines' mean (Block.reported): what remains is scored anew.
    a = Word(text="keep", geometry=Box(0, 0, 10, 10), confidence=0.9)
    b = Word(text="drop", geometry=Box(20, 0, 30, 10), confidence=0.1)
    c = Word(text="also", geometry=Box(0, 20, 10, 30), confidence=0.5)
    one = Line.reported([a, b], Box(0, 0, 40, 12), confidence=0.8)
    two = Line.reported([c], Box(0, 20, 40, 32), confidence=0.6)
    block = Block.reported([one, two], None)
    assert block.native and block.confidence == pytest.approx(0.7)
    kept = Page(width=100, height=100, blocks=(block,)).filter(0.3)
    # the lines' own confidences are the engine's: kept as they are
    assert [ln.confidence for ln in kept.lines] == [0.8, 0.6]
    assert kept.blocks[0].confidence == pytest.approx(0.7)
    kept = Page(width=100, height=100, blocks=(block,)).filter(0.55)
    assert [ln.text for ln in kept.lines] == ["keep"]
    assert kept.blocks[0].confidence == pytest.approx(0.8)


@pytest.mark.parametrize(
    "threshold", [np.float32(0.6), np.float64(0.6), np.float16(0.6)]
)
def test_filter_takes_a_numpy_threshold(threshold):
    page = page_from_tsv(NOISY)
    assert page.filter(threshold) == page.filter(float(threshold))
    assert page.filter(np.int64(1)).text == ""
    assert page.filter(np.int64(0)) == page


@pytest.mark.parametrize(
    ("bad", "said"),
    [("0.6", "str"), (None, "NoneType"), (True, "bool"), ([0.6], "list")],
)
def test_filter_says_when_the_threshold_is_of_the_wrong_type(bad, said):
    page = page_from_tsv(NOISY)
    with pytest.raises(ConfigError, match=f"min_confidence.*{said}"):
        page.filter(bad)


@pytest.mark.parametrize("bad", [1.5, -0.1, math.nan, np.float32(2.0), 10**400])
def test_filter_says_when_the_threshold_is_out_of_range(bad):
    page = page_from_tsv(NOISY)
    with pytest.raises(ConfigError, match=r"min_confidence must lie in \[0, 1\]"):
        page.filter(bad)


# ----------------------------------------------------------------- page size


def test_a_page_beyond_the_coordinate_range_is_refused_when_built():
    for size in (int(MAX_COORDINATE) + 1, 1_500_000_000, 2**31 - 1):
        with pytest.raises(ModelError, match="MAX_COORDINATE"):
            Page(width=size, height=100)
        with pytest.raises(ModelError, match="MAX_COORDINATE"):
            Page(width=100, height=size)


def test_the_widest_page_loads_back_from_its_json():
    page = Page(width=int(MAX_COORDINATE), height=int(MAX_COORDINATE))
    assert Page.from_json(page.to_json()) == page
    assert Page(width=np.int64(MAX_COORDINATE), height=1.0e9).width == MAX_COORDINATE

"""RapidOCR word and character boxes where the words are, within the image and line.

Two defects of RapidOCR 3.10's own boxes, corrected by the converter and the
backend:

* On a line its direction classifier turned by 180 degrees (a label upside
  down, or turned 90 degrees counter-clockwise so that its lines read bottom
  to top), RapidOCR mirrors every word and character box along the line: the
  first word lands at the line's far end. The saved outputs below are the
  engine's real ones on such labels (drawn with Pillow's built-in font);
  the classifier labelled every line of them ``"180"``.
* At the image's edge, word and character boxes reach past the image and
  their line (by RapidOCR's rounding of its crop).
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

import unocr
from unocr.backends.rapidocr.convert import rapidocr_to_page
from unocr.backends.rapidocr.sizing import clip_output
from unocr.model import Page

#: Where each word of the upright label (380x110 pixels) is: (x0, y0, x1, y1).
TRUTH: dict[str, tuple[float, ...]] = {
    "Hello": (12, 19, 75, 38),
    "World": (81, 19, 153, 38),
    "2024": (159, 20, 219, 38),
    "Second": (12, 63, 103, 82),
    "line": (109, 63, 153, 82),
    "text": (159, 65, 205, 82),
}
LABEL_W, LABEL_H = 380, 110

#: The label's size and word boxes once turned: Pillow's ``rotate(180)`` and
#: ``rotate(90, expand=True)`` (counter-clockwise).
_Place = Callable[[tuple[float, ...]], tuple[float, ...]]
TURNS: dict[str, tuple[tuple[int, int], _Place]] = {
    "180": (
        (LABEL_W, LABEL_H),
        lambda b: (LABEL_W - b[2], LABEL_H - b[3], LABEL_W - b[0], LABEL_H - b[1]),
    ),
    "90ccw": (
        (LABEL_H, LABEL_W),
        lambda b: (b[1], LABEL_W - b[2], b[3], LABEL_W - b[0]),
    ),
}

#: RapidOCR 3.10's output (line boxes, texts, word or character boxes) on the
#: turned labels (word and character mode) and on :func:`_edge_image`.
SAVED: dict[str, dict[str, Any]] = {
    "180-word": {
        "boxes": [
            [[169, 17], [373, 17], [373, 53], [169, 53]],
            [[155, 61], [372, 60], [372, 98], [155, 99]],
        ],
        "txts": ["Second line text", "Hello World 2024"],
        "items": [
            [
                ("Second", [[177, 17], [262, 17], [262, 53], [177, 53]]),
                ("line", [[267, 17], [316, 17], [316, 53], [267, 53]]),
                ("text", [[321, 17], [370, 17], [370, 53], [321, 53]]),
            ],
            [
                ("Hello", [[164, 60], [221, 60], [221, 98], [164, 98]]),
                ("World", [[233, 60], [304, 60], [304, 98], [233, 98]]),
                ("2024", [[309, 60], [367, 60], [367, 98], [309, 98]]),
            ],
        ],
    },
    "90ccw-word": {
        "boxes": [
            [[13, 156], [45, 156], [45, 373], [13, 372]],
            [[58, 171], [88, 170], [89, 372], [59, 372]],
        ],
        "txts": ["Hello World 2024", "Second line text"],
        "items": [
            [
                ("Hello", [[13, 162], [45, 162], [45, 223], [13, 223]]),
                ("World", [[13, 236], [45, 236], [45, 302], [13, 302]]),
                ("2024", [[13, 310], [45, 310], [45, 366], [13, 366]]),
            ],
            [
                ("Second", [[58, 177], [88, 176], [88, 262], [58, 263]]),
                ("line", [[58, 271], [88, 270], [88, 312], [58, 313]]),
                ("text", [[58, 321], [88, 320], [88, 367], [58, 368]]),
            ],
        ],
    },
    "180-char": {
        "boxes": [
            [[169, 17], [373, 17], [373, 53], [169, 53]],
            [[155, 61], [372, 60], [372, 98], [155, 99]],
        ],
        "txts": ["Second line text", "Hello World 2024"],
        "items": [
            [
                ("S", [[177, 17], [189, 17], [189, 53], [177, 53]]),
                ("e", [[189, 17], [202, 17], [202, 53], [189, 53]]),
                ("c", [[207, 17], [219, 17], [219, 53], [207, 53]]),
                ("o", [[219, 17], [232, 17], [232, 53], [219, 53]]),
                ("n", [[237, 17], [249, 17], [249, 53], [237, 53]]),
                ("d", [[249, 17], [262, 17], [262, 53], [249, 53]]),
                ("l", [[267, 17], [279, 17], [279, 53], [267, 53]]),
                ("i", [[279, 17], [288, 17], [288, 53], [279, 53]]),
                ("n", [[288, 17], [298, 17], [298, 53], [288, 53]]),
                ("e", [[303, 17], [316, 17], [316, 53], [303, 53]]),
                ("t", [[321, 17], [333, 17], [333, 53], [321, 53]]),
                ("e", [[333, 17], [345, 17], [345, 53], [333, 53]]),
                ("x", [[345, 17], [357, 17], [357, 53], [345, 53]]),
                ("t", [[357, 17], [370, 17], [370, 53], [357, 53]]),
            ],
            [
                ("H", [[164, 60], [176, 60], [176, 98], [164, 98]]),
                ("e", [[176, 60], [189, 60], [189, 98], [176, 98]]),
                ("l", [[189, 60], [202, 60], [202, 98], [189, 98]]),
                ("l", [[202, 60], [211, 60], [211, 98], [202, 98]]),
                ("o", [[211, 60], [221, 60], [221, 98], [211, 98]]),
                ("W", [[233, 60], [247, 60], [247, 98], [233, 98]]),
                ("o", [[252, 60], [265, 60], [265, 98], [252, 98]]),
                ("r", [[265, 60], [278, 60], [278, 98], [265, 98]]),
                ("l", [[278, 60], [290, 60], [290, 98], [278, 98]]),
                ("d", [[290, 60], [304, 60], [304, 98], [290, 98]]),
                ("2", [[309, 60], [322, 60], [322, 98], [309, 98]]),
                ("0", [[322, 60], [335, 60], [335, 98], [322, 98]]),
                ("2", [[341, 60], [354, 60], [354, 98], [341, 98]]),
                ("4", [[354, 60], [367, 60], [367, 98], [354, 98]]),
            ],
        ],
    },
    "90ccw-char": {
        "boxes": [
            [[13, 156], [45, 156], [45, 373], [13, 372]],
            [[58, 171], [88, 170], [89, 372], [59, 372]],
        ],
        "txts": ["Hello World 2024", "Second line text"],
        "items": [
            [
                ("H", [[13, 162], [45, 162], [45, 175], [13, 175]]),
                ("e", [[13, 178], [45, 178], [45, 190], [13, 190]]),
                ("l", [[13, 190], [45, 190], [45, 200], [13, 200]]),
                ("l", [[13, 200], [45, 200], [45, 211], [13, 211]]),
                ("o", [[13, 211], [45, 211], [45, 223], [13, 223]]),
                ("W", [[13, 236], [45, 236], [45, 249], [13, 249]]),
                ("o", [[13, 257], [45, 257], [45, 270], [13, 269]]),
                ("r", [[13, 269], [45, 270], [45, 280], [13, 280]]),
                ("l", [[13, 280], [45, 280], [45, 291], [13, 290]]),
                ("d", [[13, 290], [45, 291], [45, 302], [13, 302]]),
                ("2", [[13, 310], [45, 310], [45, 322], [13, 322]]),
                ("0", [[13, 322], [45, 322], [45, 334], [13, 334]]),
                ("2", [[13, 337], [45, 337], [45, 350], [13, 350]]),
                ("4", [[13, 353], [45, 353], [45, 366], [13, 366]]),
            ],
            [
                ("S", [[58, 177], [88, 176], [88, 188], [58, 189]]),
                ("e", [[58, 192], [88, 191], [88, 203], [58, 204]]),
                ("c", [[58, 207], [88, 206], [88, 218], [58, 219]]),
                ("o", [[58, 221], [88, 220], [88, 233], [58, 234]]),
                ("n", [[58, 236], [88, 235], [88, 248], [58, 249]]),
                ("d", [[58, 251], [88, 250], [88, 262], [58, 263]]),
                ("l", [[58, 271], [88, 270], [88, 279], [58, 279]]),
                ("i", [[58, 279], [88, 279], [88, 286], [58, 287]]),
                ("n", [[58, 287], [88, 286], [88, 297], [58, 298]]),
                ("e", [[58, 301], [88, 300], [88, 312], [58, 313]]),
                ("t", [[58, 321], [88, 320], [88, 331], [58, 332]]),
                ("e", [[58, 332], [88, 331], [88, 342], [58, 343]]),
                ("x", [[58, 346], [88, 345], [88, 356], [58, 356]]),
                ("t", [[58, 356], [88, 356], [88, 367], [58, 368]]),
            ],
        ],
    },
    "edge-word": {
        "boxes": [
            [[0, 0], [114, 0], [113, 47], [0, 46]],
            [[96, 0], [288, 0], [284, 59], [92, 48]],
        ],
        "txts": ["EDGE", "touching"],
        "items": [
            [("EDGE", [[0, 0], [102, 0], [101, 47], [0, 46]])],
            [("touching", [[116, 0], [274, 0], [269, 71], [111, 60]])],
        ],
    },
}


def _output(key: str, turned: list[bool] | None) -> dict[str, Any]:
    saved = SAVED[key]
    out: dict[str, Any] = {
        "boxes": saved["boxes"],
        "txts": saved["txts"],
        "scores": [0.99] * len(saved["txts"]),
        "word_results": [[(t, 0.99, b) for t, b in line] for line in saved["items"]],
    }
    if turned is not None:
        out["turned"] = turned
    return out


def _share_covered(box: Any, truth: tuple[float, ...]) -> float:
    """The share of the true word's box that ``box`` covers."""
    ix = max(0.0, min(box.x1, truth[2]) - max(box.x0, truth[0]))
    iy = max(0.0, min(box.y1, truth[3]) - max(box.y0, truth[1]))
    return float(ix * iy / ((truth[2] - truth[0]) * (truth[3] - truth[1])))


def _within(inner: Any, outer: Any, tol: float) -> bool:
    return bool(
        inner.x0 >= outer.x0 - tol
        and inner.y0 >= outer.y0 - tol
        and inner.x1 <= outer.x1 + tol
        and inner.y1 <= outer.y1 + tol
    )


# ------------------------------------------------------------ turned lines
@pytest.mark.parametrize("turn", ["180", "90ccw"])
@pytest.mark.parametrize("unit", ["word", "char"])
def test_words_of_a_turned_line_are_where_the_words_are(turn: str, unit: str) -> None:
    (width, height), place = TURNS[turn]
    out = _output(f"{turn}-{unit}", [True, True])
    page = rapidocr_to_page(out, width=width, height=height, unit=unit)  # type: ignore[arg-type]
    assert sorted(w.text for w in page.words) == sorted(TRUTH)
    for word in page.words:
        truth = place(TRUTH[word.text])
        assert _share_covered(word.geometry.to_box(), truth) > 0.8, word.text
    # without one flag per line, the engine's boxes are kept as they are
    for turned in (None, [False, False], [True]):
        plain = rapidocr_to_page(
            _output(f"{turn}-{unit}", turned),
            width=width,
            height=height,
            unit=unit,  # type: ignore[arg-type]
        )
        text, box = SAVED[f"{turn}-{unit}"]["items"][0][0]
        word = next(w for w in plain.words if w.text.startswith(text))
        first = (word.symbols[0] if word.symbols else word).geometry.to_box()
        engine = np.asarray(box)
        assert (first.x0, first.y0) == tuple(engine.min(axis=0))


@pytest.mark.parametrize("turn", ["180", "90ccw"])
def test_symbols_of_a_turned_line_run_the_way_the_text_reads(turn: str) -> None:
    """The first letter sits at the word's start: its right end upside down,
    its bottom end on a line reading bottom to top."""
    (width, height), place = TURNS[turn]
    page = rapidocr_to_page(
        _output(f"{turn}-char", [True, True]), width=width, height=height, unit="char"
    )
    for word in page.words:
        truth = place(TRUTH[word.text])
        centres = [s.geometry.to_box().centroid for s in word.symbols]
        along = [c[0] if turn == "180" else c[1] for c in centres]
        assert along == sorted(along, reverse=True), word.text
        first = word.symbols[0].geometry.to_box()
        if turn == "180":
            assert abs(first.x1 - truth[2]) < 8, word.text
        else:
            assert abs(first.y1 - truth[3]) < 8, word.text


# ------------------------------------------------- within image and line
def _check_inside(page: Page, tol: float = 1.5) -> None:
    image = SimpleNamespace(x0=0, y0=0, x1=page.width, y1=page.height)
    for line in page.lines:
        bounds = line.geometry.to_box()
        for word in line.words:
            for element in (word, *word.symbols):
                box = element.geometry.to_box()
                assert _within(box, image, 0), (element.text, box)
                assert _within(box, bounds, tol), (element.text, box, bounds)


def test_saved_word_boxes_are_kept_within_their_line() -> None:
    # RapidOCR's box of "touching" reaches 12 px below its line (y 71 > 59).
    page = rapidocr_to_page(_output("edge-word", None), width=300, height=60)
    _check_inside(page)
    touching = next(w for w in page.words if w.text == "touching")
    assert touching.native and touching.geometry.to_box().y1 <= 59 + 1.5


def test_clip_output_cuts_word_boxes_to_an_image_not_padded() -> None:
    bgr = np.zeros((60, 300, 3), np.uint8)
    word = [[116, 0], [274, 0], [269, 71], [111, 60]]
    output = SimpleNamespace(
        boxes=np.array([[[96, 0], [288, 0], [284, 59], [92, 48]]], dtype=np.float64),
        word_results=((("touching", 0.99, word),),),
    )
    clipped = clip_output(output, bgr, bgr)  # fitted is the image: no padding
    box = np.asarray(clipped.word_results[0][0][2])
    assert box[:, 1].max() == 60 and box[:, 0].max() == 274


def _edge_image() -> Image.Image:
    """300x60 pixels, "EDGE touching" cut off at the image's top and bottom."""
    image = Image.new("RGB", (300, 60), "white")
    ImageDraw.Draw(image).text(
        (-4, -6), "EDGE touching", font=ImageFont.load_default(size=40), fill="black"
    )
    return image


@pytest.mark.parametrize("options", [{}, {"char_boxes": True}])
def test_engine_words_and_symbols_lie_within_image_and_line(options: Any) -> None:
    pytest.importorskip(
        "rapidocr", reason="RapidOCR is not installed: pip install 'unocr[rapidocr]'"
    )
    with unocr.get_backend("rapidocr", **options) as ocr:
        page = ocr.read(_edge_image())
    assert page.words, page.text
    _check_inside(page)

"""RapidOCR word and character boxes where the words are, within the image and line.

Two defects of RapidOCR 3.10's own boxes, corrected by the converter and the
backend:

* On a line its direction classifier turned by 180 degrees (a label upside
  down, or turned 90 degrees counter-clockwise so that its lines read bottom
  to top), RapidOCR mirrors every word and character box along the line: the
  first word lands at the line's far end. The saved outputs
  (``fixtures/dl/rapidocr3-labels.json``) are the engine's real ones on such
  labels (drawn with Pillow's built-in font); the classifier labelled every
  line of them ``"180"``.
* At the image's edge, word and character boxes reach past the image and
  their line (by RapidOCR's rounding of its crop).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

import unocr
from unocr.backends.rapidocr.convert import rapidocr_to_page
from unocr.backends.rapidocr.sizing import clip_output
from unocr.model import Page

FIXTURES = Path(__file__).parent / "fixtures" / "dl"

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
SAVED: dict[str, dict[str, Any]] = json.loads(
    (FIXTURES / "rapidocr3-labels.json").read_text(encoding="utf-8")
)


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

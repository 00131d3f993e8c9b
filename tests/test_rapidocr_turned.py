"""The rapidocr backend places the words of lines its classifier turned.

RapidOCR 3 mirrors the word and character boxes of every line its direction
classifier turned by 180 degrees (text upside down, or turned 90 degrees
counter-clockwise), and leaves the classifier's results out of its output.
The backend records them and tells the converter, which mirrors the boxes
back. The labels are drawn word by word with Pillow's built-in font, so
every word's true box is known.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

pytest.importorskip(
    "rapidocr",
    reason="RapidOCR is not installed: pip install 'unocr[rapidocr]'",
)

from unocr.backends.rapidocr.backend import RapidOcrBackend, _bgr, _turned
from unocr.model import Page

_Box = tuple[float, float, float, float]

#: The label's lines, top to bottom.
LINES = (("Hello", "World", "2024"), ("Second", "line", "text"))
LABEL_W, LABEL_H = 380, 110

#: Pillow's turns of the label: the turned image's size and where a box of
#: the upright label lands, (x0, y0, x1, y1) pixels.
TURNS: dict[
    str, tuple[Callable[[Image.Image], Image.Image], Callable[[_Box], _Box]]
] = {
    "upright": (lambda im: im, lambda b: b),
    "180": (
        lambda im: im.rotate(180),
        lambda b: (LABEL_W - b[2], LABEL_H - b[3], LABEL_W - b[0], LABEL_H - b[1]),
    ),
    "90ccw": (
        lambda im: im.rotate(90, expand=True),
        lambda b: (b[1], LABEL_W - b[2], b[3], LABEL_W - b[0]),
    ),
}


def _label() -> tuple[Image.Image, dict[str, _Box]]:
    """The upright two-line label (380x110 pixels) and each word's ink box."""
    image = Image.new("RGB", (LABEL_W, LABEL_H), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=24)
    truth: dict[str, _Box] = {}
    for row, words in enumerate(LINES):
        x, y = 12.0, 15.0 + 45 * row
        for word in words:
            draw.text((x, y), word, font=font, fill="black")
            x0, y0, x1, y1 = draw.textbbox((x, y), word, font=font)
            truth[word] = (float(x0), float(y0), float(x1), float(y1))
            x = x1 + 10
    return image, truth


def _turned_label(turn: str) -> tuple[Image.Image, dict[str, _Box]]:
    image, truth = _label()
    rotate, place = TURNS[turn]
    return rotate(image), {word: place(box) for word, box in truth.items()}


def _iou(a: _Box, b: _Box) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union


def _check_words(page: Page, truth: dict[str, _Box]) -> None:
    """Every true word read once, its box centred on and overlapping the ink."""
    assert sorted(w.text for w in page.words) == sorted(truth), page.text
    for word in page.words:
        box = word.geometry.to_box()
        got = (box.x0, box.y0, box.x1, box.y1)
        true = truth[word.text]
        centre = ((got[0] + got[2]) / 2, (got[1] + got[3]) / 2)
        assert true[0] <= centre[0] <= true[2], (word.text, got, true)
        assert true[1] <= centre[1] <= true[3], (word.text, got, true)
        assert _iou(got, true) >= 0.4, (word.text, got, true)


def _raw(backend: RapidOcrBackend, image: Image.Image) -> Any:
    """The engine's output as the backend's read gets it."""
    return backend._run(_bgr(image))


@pytest.fixture(scope="module")
def backends() -> Any:
    with (
        RapidOcrBackend() as words,
        RapidOcrBackend(char_boxes=True) as chars,
        RapidOcrBackend(use_cls=False) as no_cls,
    ):
        yield {"word": words, "char": chars, "no_cls": no_cls}


@pytest.mark.parametrize("unit", ["word", "char"])
@pytest.mark.parametrize("turn", ["upright", "180", "90ccw"])
def test_words_are_where_the_words_are(backends: Any, turn: str, unit: str) -> None:
    image, truth = _turned_label(turn)
    backend = backends[unit]
    assert _raw(backend, image).turned == [turn != "upright"] * 2
    _check_words(backend.read(image), truth)
    with backend._engines.engine() as engine:  # the engine left as it was
        assert "run_ocr_steps" not in vars(engine)


def test_each_line_flagged_as_the_classifier_turned_it(backends: Any) -> None:
    """An upright line above an upside-down one: one flag per line, in order."""
    upright, truth = _label()
    image = upright.copy()
    half = LABEL_H // 2
    image.paste(upright.crop((0, half, LABEL_W, LABEL_H)).rotate(180), (0, half))
    for word in LINES[1]:
        x0, y0, x1, y1 = truth[word]
        truth[word] = (
            LABEL_W - x1,
            LABEL_H - y1 + half,
            LABEL_W - x0,
            LABEL_H - y0 + half,
        )
    output = _raw(backends["word"], image)
    assert list(output.txts) == ["Hello World 2024", "Second line text"]
    assert output.turned == [False, True]
    _check_words(backends["word"].read(image), truth)


def test_no_flags_without_the_classifier(backends: Any) -> None:
    image, _ = _turned_label("180")
    assert _raw(backends["word"], image).turned == [True, True]
    assert not hasattr(_raw(backends["no_cls"], image), "turned")


def test_workers_each_flag_their_own_image(backends: Any) -> None:
    """Concurrent reads (an engine instance each) keep their flags apart."""
    labels = [_turned_label(turn) for turn in ("upright", "180", "90ccw", "180")]
    pages = backends["word"].read_many([im for im, _ in labels], workers=2)
    for page, (_, truth) in zip(pages, labels, strict=True):
        assert isinstance(page, Page)
        _check_words(page, truth)


def test_flags_follow_rapidocrs_own_filtering() -> None:
    """Blank texts dropped first, then texts scoring below ``text_score``."""
    boxes = np.zeros((5, 4, 2))
    labels = [("180", 0.99), ("180", 0.99), ("0", 0.99), ("180", 0.95), ("180", 0.8)]
    txts = ["a", " ", "b", "c", "d"]
    scores = [0.9, 0.9, 0.9, 0.4, 0.9]
    flags = _turned(
        boxes, [0.9] * 5, labels, txts, scores, cls_thresh=0.9, text_score=0.5
    )
    assert flags == [True, False, False]  # "a", "b"; "d" scored under 0.9
    assert (
        _turned(boxes, [0.9] * 5, None, txts, scores, cls_thresh=0.9, text_score=0.5)
        is None
    )
    assert (
        _turned(
            boxes, [0.9] * 5, labels[:4], txts, scores, cls_thresh=0.9, text_score=0.5
        )
        is None
    )

"""keras-ocr output -> Page (pure: runs without keras-ocr or TensorFlow).

The inputs have keras-ocr's real output format: ``Pipeline.recognize`` returns,
per image, a list of ``(text, box)`` tuples, ``box`` a (4, 2) float32 numpy
array, clockwise from the top-left corner (``detection.getBoxes`` rolls
``cv2.boxPoints`` so that the corner with the smallest x + y comes first, then
scales by 2 and by 1 / the pipeline's resize factor; values such as
``-1.463453e-14`` occur at the image border).
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from unocr.backends.keras_ocr.convert import keras_ocr_to_page, word_from_prediction
from unocr.errors import FormatError
from unocr.geometry import Quad
from unocr.model import Page


def _box(x0: float, y0: float, x1: float, y1: float) -> np.ndarray[Any, Any]:
    return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float32)


# Two lines of words, in keras-ocr's (unordered) detection order.
PREDICTIONS = [
    ("fox", _box(130, 52, 170, 70)),
    ("the", _box(10, 10, 50, 30)),
    ("lazy", _box(70, 50, 120, 72)),
    ("quick", _box(60, 12, 120, 31)),
    ("brown", _box(130, 11, 190, 30)),
]


def test_words_are_native_quads_without_confidence() -> None:
    page = keras_ocr_to_page(PREDICTIONS, width=200, height=80)
    assert page.backend == "keras-ocr"
    assert page.languages == ()
    assert page.text == "the quick brown\nlazy fox"
    for word in page.words:
        assert word.native
        assert word.confidence is None
        assert isinstance(word.geometry, Quad)
    the = page.words[0]
    assert the.geometry.points.tolist() == [[10, 10], [50, 10], [50, 30], [10, 30]]
    for line in page.lines:
        assert not line.native
        assert line.confidence is None
        for word in line.words:
            inside = line.geometry.intersection_area(word.geometry) / word.geometry.area
            assert inside == pytest.approx(1.0)


def test_rotated_word_keeps_its_quad() -> None:
    # A word rotated by ~20 degrees, corners starting bottom-left (any order works).
    pts = np.array([[12.0, 40.0], [20.0, 18.0], [75.0, 38.0], [67.0, 60.0]], np.float32)
    word = word_from_prediction(("tilted", pts), width=100, height=100)
    assert word is not None
    quad = word.geometry
    assert isinstance(quad, Quad)
    assert sorted(map(tuple, quad.points.tolist())) == sorted(map(tuple, pts.tolist()))
    tl, tr = quad.points[0], quad.points[1]
    assert tr[0] > tl[0]  # top edge runs to the right


def test_boxes_are_clipped_to_the_image() -> None:
    # keras-ocr's dilated regions can reach past the border (seen: -1.46e-14, 638.00006).
    box = np.array([[-1.463453e-14, 0.0], [642.0, 0.0], [642.0, 482.0], [0.0, 482.0]])
    word = word_from_prediction(("page", box.astype(np.float32)), width=640, height=480)
    assert word is not None
    b = word.geometry.bounds
    assert (b.x0, b.y0, b.x1, b.y1) == (0.0, 0.0, 640.0, 480.0)


def test_empty_text_and_boxes_outside_the_image_are_dropped() -> None:
    preds = [("", _box(0, 0, 10, 10)), ("gone", _box(300, 300, 320, 310))]
    page = keras_ocr_to_page(preds, width=100, height=100)
    assert page.words == ()
    assert (page.width, page.height) == (100, 100)


def test_no_words_gives_an_empty_page() -> None:
    page = keras_ocr_to_page([], width=64, height=32)
    assert page.blocks == ()
    assert page.text == ""


@pytest.mark.parametrize(
    "predictions",
    [
        "text",
        [("word",)],
        [(42, _box(0, 0, 1, 1))],
        [("word", np.zeros((3, 2), np.float32))],
        [("word", np.full((4, 2), np.nan, np.float32))],
    ],
)
def test_malformed_predictions_raise_format_error(predictions: Any) -> None:
    with pytest.raises(FormatError, match="keras-ocr"):
        keras_ocr_to_page(predictions, width=10, height=10)


def test_json_round_trip_has_plain_types() -> None:
    page = keras_ocr_to_page(PREDICTIONS, width=200, height=80)
    text = page.to_json()
    assert "float32" not in text
    assert Page.from_json(text) == page


def test_convert_does_not_import_tensorflow() -> None:
    code = (
        "import sys, unocr.backends.keras_ocr.convert; "
        "bad = {'tensorflow', 'keras_ocr', 'keras'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

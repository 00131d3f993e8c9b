"""RapidOCR 3 output -> Page, from a saved real engine output (no engine needed)."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from unocr.backends.rapidocr.convert import (
    line_from_result,
    rapidocr_to_page,
    split_line_quad,
)
from unocr.errors import FormatError
from unocr.geometry import Quad
from unocr.model import Page

FIXTURES = Path(__file__).parent / "fixtures" / "dl"


@pytest.fixture(scope="module")
def raw() -> dict[str, dict[str, Any]]:
    """RapidOCR 3.10's real output on phototest.tif: word and character boxes."""
    data: dict[str, dict[str, Any]] = json.loads(
        (FIXTURES / "rapidocr3-phototest.json").read_text(encoding="utf-8")
    )
    return data


def test_lines_are_native_quads_with_engine_text_and_confidence(raw) -> None:
    out = raw["word"]
    page = rapidocr_to_page(out, width=640, height=480)
    assert page.backend == "rapidocr"
    assert (page.width, page.height, page.languages) == (640, 480, ())
    assert [line.text for line in page.lines] == out["txts"]
    for line, box, score in zip(page.lines, out["boxes"], out["scores"], strict=True):
        assert line.native and isinstance(line.geometry, Quad)
        np.testing.assert_allclose(line.geometry.points, np.asarray(box))
        assert line.confidence == pytest.approx(score)


def test_word_boxes_become_native_words(raw) -> None:
    out = raw["word"]
    page = rapidocr_to_page(out, width=640, height=480)
    for line, items in zip(page.lines, out["word_results"], strict=True):
        assert [w.text for w in line.words] == [t for t, _, _ in items]
        assert [w.text for w in line.words] == line.text.split()
        for word, (_, score, box) in zip(line.words, items, strict=True):
            assert word.native and word.symbols == ()
            assert word.confidence == pytest.approx(score)
            np.testing.assert_allclose(word.geometry.points, np.asarray(box))


def test_character_boxes_become_native_symbols_grouped_into_words(raw) -> None:
    out = raw["char"]
    page = rapidocr_to_page(out, width=640, height=480, unit="char")
    first = page.lines[0]
    assert [w.text for w in first.words] == first.text.split()
    assert all(not w.native for w in page.words)
    assert len(page.symbols) == sum(len(t.replace(" ", "")) for t in out["txts"])
    for word in page.words:
        assert "".join(s.text for s in word.symbols) == word.text
        assert all(s.native and s.confidence is not None for s in word.symbols)
        assert word.confidence == pytest.approx(
            np.mean([s.confidence for s in word.symbols])
        )
        # The word quad runs from its first to its last character.
        pts = word.geometry.points
        assert pts[0, 0] == word.symbols[0].geometry.points[0, 0]
        assert pts[1, 0] == word.symbols[-1].geometry.points[1, 0]
    assert (
        first.words[0].symbols[0].geometry.points.tolist()
        == (out["word_results"][0][0][2])
    )


def test_without_word_boxes_words_split_the_line_quad(raw) -> None:
    plain = {k: raw["word"][k] for k in ("boxes", "txts", "scores")}
    page = rapidocr_to_page(plain, width=640, height=480)
    for line in page.lines:
        assert [w.text for w in line.words] == line.text.split()
        for word in line.words:
            assert not word.native
            assert word.symbols == ()
            assert word.confidence == line.confidence
            inside = line.geometry.intersection_area(word.geometry) / word.geometry.area
            assert inside == pytest.approx(1.0, abs=1e-6)
        xs = [w.geometry.bounds for w in line.words]
        assert all(a.x1 <= b.x0 for a, b in itertools.pairwise(xs))


def test_split_follows_a_rotated_line() -> None:
    # A line rising 10 px over 100 px: word quads keep the slope.
    quad = [[0, 10], [100, 0], [100, 20], [0, 30]]
    parts = split_line_quad(quad, "aaaa bbbbb")
    assert [w for w, _ in parts] == ["aaaa", "bbbbb"]
    second = parts[1][1]
    np.testing.assert_allclose(second[0], [50.0, 5.0])
    np.testing.assert_allclose(second[1], [100.0, 0.0])
    np.testing.assert_allclose(second[3], [50.0, 25.0])


def test_word_boxes_that_do_not_spell_the_line_fall_back_to_splitting(raw) -> None:
    out = raw["word"]
    items = out["word_results"][0][:-1]  # one word short
    line = line_from_result(out["boxes"][0], out["txts"][0], 0.9, items)
    assert line is not None
    assert [w.text for w in line.words] == line.text.split()
    assert all(not w.native for w in line.words)


def test_misaligned_word_results_are_not_paired_with_lines(raw) -> None:
    # RapidOCR leaves out lines without word boxes: counts then differ.
    out = dict(raw["word"], word_results=raw["word"]["word_results"][1:])
    page = rapidocr_to_page(out, width=640, height=480)
    assert [line.text for line in page.lines] == out["txts"]
    assert all(not w.native for w in page.words)


def test_nothing_found_gives_an_empty_page() -> None:
    for empty in (None, {"boxes": None, "txts": None, "scores": None}):
        page = rapidocr_to_page(empty, width=30, height=20)
        assert page.blocks == () and page.text == ""


def test_blank_text_is_dropped() -> None:
    assert line_from_result([[0, 0], [10, 0], [10, 5], [0, 5]], "  ", 0.9) is None


@pytest.mark.parametrize(
    "out",
    [
        {"boxes": [[[0, 0], [1, 0]]], "txts": ["two points"], "scores": [0.9]},
        {"boxes": [[[0, 0], [1, 0], [1, 1], [0, float("nan")]]], "txts": ["nan"],
         "scores": [0.9]},
        {"boxes": [[[0, 0], [1, 0], [1, 1], [0, 1]]], "txts": [42], "scores": [0.9]},
        {"boxes": [[[0, 0], [1, 0], [1, 1], [0, 1]]], "txts": ["x"], "scores": []},
    ],
)  # fmt: skip
def test_malformed_output_raises_format_error(out: Any) -> None:
    with pytest.raises(FormatError, match="RapidOCR"):
        rapidocr_to_page(out, width=10, height=10)


def test_confidence_is_clamped_and_nan_becomes_none() -> None:
    box = [[0, 0], [10, 0], [10, 5], [0, 5]]
    over = line_from_result(box, "x", 1.0000001)
    nan = line_from_result(box, "x", float("nan"))
    assert over is not None and over.confidence == 1.0
    assert nan is not None and nan.confidence is None


def test_json_round_trip(raw) -> None:
    page = rapidocr_to_page(raw["char"], width=640, height=480, unit="char")
    assert Page.from_json(page.to_json()) == page


def test_convert_does_not_import_the_engine() -> None:
    code = (
        "import sys, unocr.backends.rapidocr.convert, unocr.backends.easyocr.convert; "
        "bad = {'rapidocr', 'onnxruntime', 'cv2', 'torch', 'easyocr'} "
        "& set(sys.modules); assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

"""RapidOCR output -> Page, from a saved real engine output (no engine needed)."""

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
    line_from_entry,
    rapidocr_to_page,
)
from unocr.errors import FormatError
from unocr.geometry import Quad
from unocr.model import Page

FIXTURES = Path(__file__).parent / "fixtures" / "dl"


@pytest.fixture(scope="module")
def raw() -> list[list[Any]]:
    """RapidOCR 1.4.4's real output on phototest.tif, return_word_box=True."""
    data: list[list[Any]] = json.loads(
        (FIXTURES / "rapidocr-phototest.json").read_text(encoding="utf-8")
    )
    return data


def test_lines_are_native_quads_with_engine_text_and_confidence(
    raw: list[list[Any]],
) -> None:
    page = rapidocr_to_page(raw, width=640, height=480, languages=("en",))
    assert page.backend == "rapidocr"
    assert (page.width, page.height, page.languages) == (640, 480, ("en",))
    assert [line.text for line in page.lines] == [entry[1] for entry in raw]
    for line, entry in zip(page.lines, raw, strict=True):
        assert line.native
        assert isinstance(line.geometry, Quad)
        np.testing.assert_allclose(line.geometry.points, np.asarray(entry[0]))
        assert line.confidence == pytest.approx(entry[2])


def test_character_boxes_become_native_symbols_grouped_into_words(
    raw: list[list[Any]],
) -> None:
    page = rapidocr_to_page(raw, width=640, height=480)
    first = page.lines[0]
    assert [w.text for w in first.words] == first.text.split()
    assert all(not w.native for w in page.words)
    # Spaces have character boxes in RapidOCR's output but are not symbols.
    assert len(page.symbols) == sum(len(e[1].replace(" ", "")) for e in raw)
    for word in page.words:
        assert "".join(s.text for s in word.symbols) == word.text
        assert all(s.native and s.confidence is not None for s in word.symbols)
        assert word.confidence == pytest.approx(
            np.mean([s.confidence for s in word.symbols])
        )
        # The word runs from its first to its last character along the
        # (nearly horizontal) line, cut from the line's own quad.
        bounds = word.geometry.bounds
        chars = [s.geometry.bounds for s in word.symbols]
        assert bounds.x0 == pytest.approx(min(c.x0 for c in chars), abs=1.0)
        assert bounds.x1 == pytest.approx(max(c.x1 for c in chars), abs=1.0)
    this = first.words[0]
    assert this.text == "This"
    assert this.symbols[0].geometry.points.tolist() == [
        [36.0, 90.0],
        [49.0, 90.0],
        [49.0, 118.0],
        [36.0, 118.0],
    ]


def test_without_character_boxes_words_split_the_line_quad(
    raw: list[list[Any]],
) -> None:
    plain = [entry[:3] for entry in raw]  # the default output, no word boxes
    page = rapidocr_to_page(plain, width=640, height=480)
    for line in page.lines:
        assert [w.text for w in line.words] == line.text.split()
        for word in line.words:
            assert not word.native
            assert word.symbols == ()
            assert word.confidence == line.confidence
            inside = line.geometry.intersection_area(word.geometry) / word.geometry.area
            assert inside == pytest.approx(1.0, abs=1e-6)
        # Words are left to right and do not overlap.
        xs = [w.geometry.bounds for w in line.words]
        assert all(a.x1 <= b.x0 for a, b in itertools.pairwise(xs))


def test_inconsistent_character_boxes_fall_back_to_splitting(
    raw: list[list[Any]],
) -> None:
    entry = list(raw[0])
    entry[4] = entry[4][:-1]  # one character fewer than boxes
    line = line_from_entry(entry)
    assert line is not None
    assert [w.text for w in line.words] == line.text.split()
    assert all(w.symbols == () for w in line.words)


def test_nothing_found_gives_an_empty_page() -> None:
    page = rapidocr_to_page(None, width=30, height=20)
    assert page.blocks == ()
    assert page.text == ""


def test_blank_text_is_dropped() -> None:
    entry = [[[0, 0], [10, 0], [10, 5], [0, 5]], "  ", 0.9]
    assert line_from_entry(entry) is None


@pytest.mark.parametrize(
    "result",
    [
        "not a list",
        [["no box"]],
        [[[[0, 0], [1, 0]], "two points", 0.9]],
        [[[[0, 0], [1, 0], [1, 1], [0, float("nan")]], "nan", 0.9]],
        [[[[0, 0], [1, 0], [1, 1], [0, 1]], 42, 0.9]],
    ],
)
def test_malformed_output_raises_format_error(result: Any) -> None:
    with pytest.raises(FormatError, match="RapidOCR"):
        rapidocr_to_page(result, width=10, height=10)


def test_confidence_is_clamped_and_nan_becomes_none() -> None:
    box = [[0, 0], [10, 0], [10, 5], [0, 5]]
    over = line_from_entry([box, "x", 1.0000001])
    nan = line_from_entry([box, "x", float("nan")])
    assert over is not None and over.confidence == 1.0
    assert nan is not None and nan.confidence is None


def test_json_round_trip(raw: list[list[Any]]) -> None:
    page = rapidocr_to_page(raw, width=640, height=480)
    assert Page.from_json(page.to_json()) == page


def test_convert_does_not_import_the_engine() -> None:
    code = (
        "import sys, unocr.backends.rapidocr.convert; "
        "bad = {'rapidocr_onnxruntime', 'onnxruntime', 'cv2'} & set(sys.modules); "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

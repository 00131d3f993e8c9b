"""The pure Cloud Vision response converter, against the real response fixture."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import unocr
from unocr.backends.gcv.convert import (
    BREAKS,
    page_size,
    response_to_blocks,
    response_to_dict,
    response_to_page,
)
from unocr.errors import AuthenticationError, FormatError, ImageError, RecognitionError
from unocr.formats import gcv as gcv_format
from unocr.geometry import Quad
from unocr.model import Line

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "gcv"
RESPONSE = FIXTURES / "document.response.json"


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    return json.loads(RESPONSE.read_text(encoding="utf-8"))


def api_words(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for block in data["fullTextAnnotation"]["pages"][0]["blocks"]:
        for para in block["paragraphs"]:
            yield from para["words"]


def canonical(vertices: list[dict[str, int]]) -> np.ndarray:
    pts = [(v.get("x", 0), v.get("y", 0)) for v in vertices]
    return np.asarray(Quad.from_points(pts).points)


def squash(text: str) -> str:
    return "".join(text.split())


def _rectangle(
    x0: float, y0: float, x1: float, y1: float, key: str = "vertices"
) -> dict[str, Any]:
    """A bounding box as JSON: its corners under ``key``, clockwise from top left."""
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    return {key: [{"x": x, "y": y} for x, y in corners]}


def _one_paragraph(words: list[dict[str, Any]], **size: int) -> dict[str, Any]:
    """A response (as JSON) whose one page holds ``words`` in one paragraph.

    ``size``: the page's ``width`` and ``height``, where given.
    """
    page = {**size, "blocks": [{"paragraphs": [{"words": words}]}]}
    return {"fullTextAnnotation": {"pages": [page]}}


def test_every_word_keeps_text_vertices_and_confidence(data: dict[str, Any]) -> None:
    page = response_to_page(data)
    expected = list(api_words(data))
    assert len(page.words) == len(expected) == 332
    for word, api in zip(page.words, expected, strict=True):
        assert word.text == "".join(s["text"] for s in api["symbols"])
        assert isinstance(word.geometry, Quad)
        np.testing.assert_array_equal(
            word.geometry.points, canonical(api["boundingBox"]["vertices"])
        )
        assert word.confidence == pytest.approx(api["confidence"])
        assert word.native
        langs = api.get("property", {}).get("detectedLanguages")
        if langs:
            assert word.language == langs[0]["languageCode"]
        assert [s.text for s in word.symbols] == [s["text"] for s in api["symbols"]]
        assert [s.confidence for s in word.symbols] == pytest.approx(
            [s["confidence"] for s in api["symbols"]]
        )


def test_page_text_reads_like_the_api_text(data: dict[str, Any]) -> None:
    page = response_to_page(data)
    api_text = data["fullTextAnnotation"]["text"]
    assert squash(page.text) == squash(api_text)
    # stronger: line by line, including spacing and hyphenation
    api_lines = [line for line in api_text.split("\n") if line]
    assert [line.text for line in page.lines] == api_lines
    assert "Ini-" in api_lines
    assert all(not line.native for line in page.lines)


def test_page_size_languages_and_blocks(data: dict[str, Any]) -> None:
    page = response_to_page(data)
    assert (page.width, page.height) == (1279, 932)
    assert page.backend == "gcv"
    assert page.languages == ()
    with pytest.warns(DeprecationWarning, match="languages"):
        assert response_to_page(data, languages=("en",)).languages == ("en",)
    paragraphs = sum(
        len(b["paragraphs"]) for b in data["fullTextAnnotation"]["pages"][0]["blocks"]
    )
    assert len(page.blocks) == paragraphs == 174
    assert all(b.native and isinstance(b.geometry, Quad) for b in page.blocks)
    by_block = response_to_page(data, block_level="block")
    assert len(by_block.blocks) == 170
    assert [w.text for w in by_block.words] == [w.text for w in page.words]
    assert by_block.blocks[0].confidence == pytest.approx(
        data["fullTextAnnotation"]["pages"][0]["blocks"][0]["confidence"]
    )


def test_inputs_dict_json_bytes_path_and_wrapper(
    data: dict[str, Any], tmp_path: Path
) -> None:
    expected = response_to_page(data).to_dict()
    text = RESPONSE.read_text(encoding="utf-8")
    assert response_to_page(text).to_dict() == expected
    assert response_to_page(text.encode()).to_dict() == expected
    assert response_to_page(RESPONSE).to_dict() == expected
    assert response_to_page(str(RESPONSE)).to_dict() == expected
    wrapped = tmp_path / "batch.json"
    wrapped.write_text(json.dumps({"responses": [data]}), encoding="utf-8")
    assert response_to_page(wrapped).to_dict() == expected
    with pytest.raises(FormatError, match="2 image responses"):
        response_to_page({"responses": [data, data]})


def test_proto_messages_convert_like_json(data: dict[str, Any]) -> None:
    vision = pytest.importorskip("google.cloud.vision_v1")
    message = vision.AnnotateImageResponse.from_json(
        RESPONSE.read_text(encoding="utf-8"), ignore_unknown_fields=True
    )
    expected = response_to_page(data).to_dict()
    assert response_to_page(message).to_dict() == expected  # proto-plus
    raw = vision.AnnotateImageResponse.pb(message)
    assert response_to_page(raw).to_dict() == expected  # protobuf
    batch = vision.BatchAnnotateImagesResponse(responses=[message])
    assert response_to_page(batch).to_dict() == expected
    with pytest.raises(FormatError, match="AnnotateImageResponse"):
        response_to_page(vision.Image(content=b"x"))
    snake = vision.AnnotateImageResponse.to_dict(message)  # snake_case, enum ints
    page = response_to_page(snake)  # to_dict rounds floats to 7 digits
    assert page.text == response_to_page(data).text
    assert [w.geometry for w in page.words] == [
        w.geometry for w in response_to_page(data).words
    ]
    assert [w.confidence for w in page.words] == pytest.approx(
        [w.confidence for w in response_to_page(data).words], abs=1e-6
    )


def test_omitted_vertex_coordinates_count_as_zero() -> None:
    box = {"vertices": [{}, {"x": 40}, {"x": 40, "y": 12}, {"y": 12}]}
    resp = {
        "fullTextAnnotation": {
            "pages": [
                {
                    "width": 100,
                    "height": 50,
                    "blocks": [
                        {
                            "paragraphs": [
                                {
                                    "boundingBox": box,
                                    "words": [
                                        {
                                            "boundingBox": box,
                                            "symbols": [
                                                {"text": "A", "boundingBox": box}
                                            ],
                                        }
                                    ],
                                }
                            ]
                        }
                    ],
                }
            ],
            "text": "A",
        }
    }
    page = response_to_page(resp)
    word = page.words[0]
    np.testing.assert_array_equal(
        word.geometry.points, [[0, 0], [40, 0], [40, 12], [0, 12]]
    )
    assert word.confidence is None  # omitted, not 0
    assert page.text == "A"


def test_normalized_vertices_are_scaled_by_the_page_size() -> None:
    norm = _rectangle(0.1, 0.2, 0.5, 0.4, key="normalizedVertices")
    word = {"boundingBox": norm, "symbols": [{"text": "x", "boundingBox": norm}]}
    resp = _one_paragraph([word], width=200, height=100)
    page = response_to_page(resp)
    np.testing.assert_allclose(
        page.words[0].geometry.points, [[20, 20], [100, 20], [100, 40], [20, 40]]
    )
    no_size = _one_paragraph([word])
    with pytest.raises(FormatError, match="width= and height="):
        response_to_page(no_size)
    assert response_to_page(no_size, width=10, height=10).words[
        0
    ].geometry.bounds.x1 == pytest.approx(5)


def test_text_annotations_only_give_words_and_synthesised_lines(
    data: dict[str, Any],
) -> None:
    only = {"textAnnotations": data["textAnnotations"]}
    with pytest.raises(FormatError, match="width= and height="):
        response_to_page(only)
    page = response_to_page(only, width=1279, height=932)
    assert len(page.words) == len(data["textAnnotations"]) - 1
    assert squash(page.text) and set(squash(page.text)) <= set(
        squash(data["textAnnotations"][0]["description"])
    )
    assert sorted(w.text for w in page.words) == sorted(
        a["description"] for a in data["textAnnotations"][1:]
    )
    assert all(w.confidence is None and w.language == "en" for w in page.words)
    assert all(not line.native for line in page.lines)


def test_empty_response_is_an_empty_page() -> None:
    page = response_to_page({}, width=30, height=20)
    assert (page.width, page.height, page.text, page.words) == (30, 20, "", ())


@pytest.mark.parametrize(
    ("code", "error"),
    [
        (3, ImageError),
        (7, AuthenticationError),
        (16, AuthenticationError),
        (13, RecognitionError),
    ],
)
def test_response_error_maps_to_unocr_errors(code: int, error: type[Exception]) -> None:
    with pytest.raises(error, match="Cloud Vision") as info:
        response_to_page(
            {"error": {"code": code, "message": "nope"}}, width=1, height=1
        )
    assert info.value.backend == "gcv"  # type: ignore[attr-defined]


def test_malformed_input_gives_format_error(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match="not valid JSON"):
        response_to_page(b"{not json")
    with pytest.raises(FormatError, match="cannot read"):
        response_to_page(tmp_path / "missing.json")
    with pytest.raises(FormatError, match="expected a Cloud Vision response"):
        response_to_page(42)
    assert response_to_dict('{"responses": [{}]}') == {}


def test_convert_needs_no_google_package() -> None:
    code = (
        "import sys\n"
        "sys.modules['google'] = None\n"
        "from unocr.backends.gcv import response_to_page\n"
        f"page = response_to_page({str(RESPONSE)!r})\n"
        "assert len(page.words) == 332\n"
        "assert not any(m.startswith(('google', 'grpc')) for m in sys.modules if sys.modules[m])\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


BREAK_TYPES = [
    "UNKNOWN",
    "SPACE",
    "SURE_SPACE",
    "EOL_SURE_SPACE",
    "LINE_BREAK",
    "HYPHEN",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text("abcXYZ019,.", min_size=1, max_size=6),
            st.sampled_from(BREAK_TYPES),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_lines_reproduce_the_api_text_rule(words: list[tuple[str, str]]) -> None:
    """Law: the lines' text joined by newlines is the API's text rule applied to the breaks.

    Each word is followed by its break's text (space, newline, "-" + newline,
    nothing); spaces before a newline and at the ends are not kept.
    """
    gwords = []
    for k, (text, brk) in enumerate(words):
        box = {
            "vertices": [
                {"x": 10 * k},
                {"x": 10 * k + 8},
                {"x": 10 * k + 8, "y": 9},
                {"x": 10 * k, "y": 9},
            ]
        }
        symbols = [{"text": ch, "boundingBox": box} for ch in text]
        symbols[-1]["property"] = {"detectedBreak": {"type": brk}}
        gwords.append({"boundingBox": box, "symbols": symbols})
    resp = _one_paragraph(gwords, width=500, height=20)
    page = response_to_page(resp)
    api = "".join(text + BREAKS[brk] for text, brk in words)
    expected = "\n".join(line.strip(" ") for line in api.split("\n") if line.strip(" "))
    assert "\n".join(line.text for line in page.lines) == expected
    assert [w.text for w in page.words] == [t for t, _ in words]
    assert all(line.words for line in page.lines)


@pytest.mark.parametrize("block_level", ["paragraph", "block"])
@pytest.mark.parametrize("symbols", [True, False])
def test_proto_and_its_json_give_the_same_page(
    data: dict[str, Any], block_level: str, symbols: bool
) -> None:
    """The raw-protobuf reader and the JSON reader build equal pages."""
    vision = pytest.importorskip("google.cloud.vision_v1")
    text = RESPONSE.read_text(encoding="utf-8")
    raw = vision.AnnotateImageResponse.pb(
        vision.AnnotateImageResponse.from_json(text, ignore_unknown_fields=True)
    )
    options: dict[str, Any] = {"block_level": block_level, "symbols": symbols}
    from_proto = response_to_page(raw, **options)
    assert from_proto == response_to_page(data, **options)
    assert from_proto == response_to_page(text, **options)
    assert from_proto.symbols if symbols else not from_proto.symbols
    assert [w.text for w in from_proto.words] == [
        w.text for w in response_to_page(data).words
    ]


def test_lines_are_built_like_every_engines_lines(data: dict[str, Any]) -> None:
    """GCV's synthesised lines are Line.from_words of their words (shape, confidence, language)."""
    page = response_to_page(data)
    assert len(page.lines) == 191
    for line in page.lines:
        assert line == Line.from_words(line.words, text=line.text)
    assert response_to_blocks(data) == list(page.blocks)


MALFORMED: list[tuple[str, object, str]] = [
    (
        "pages not a list",
        {"fullTextAnnotation": {"pages": "x"}},
        r"pages should be a list",
    ),
    ("page not an object", {"fullTextAnnotation": {"pages": [5]}}, "pages\\[0\\]"),
    (
        "blocks not a list",
        {"fullTextAnnotation": {"pages": [{"width": 9, "height": 9, "blocks": {}}]}},
        "blocks should be a list",
    ),
    (
        "vertex not a number",
        {
            "textAnnotations": [
                {"description": "a"},
                {"description": "a", "boundingPoly": {"vertices": [{"x": "1"}]}},
            ]
        },
        r"vertices\[0\]\.x should be a number",
    ),
    (
        "huge integer",
        {
            "textAnnotations": [
                {"description": "a"},
                {"description": "a", "boundingPoly": {"vertices": [{"x": 10**400}]}},
            ]
        },
        "not a finite number",
    ),
    (
        "infinite float",
        {
            "textAnnotations": [
                {"description": "a"},
                {
                    "description": "a",
                    "boundingPoly": {"vertices": [{"y": float("inf")}]},
                },
            ]
        },
        "not a finite number",
    ),
    (
        "page size not a number",
        {"fullTextAnnotation": {"pages": [{"width": "x"}]}},
        "width",
    ),
    (
        "page size huge",
        {"fullTextAnnotation": {"pages": [{"width": 1e300, "height": 1}]}},
        "width",
    ),
    ("error not an object", {"error": "boom"}, "error should be an object"),
    (
        "description not text",
        {"textAnnotations": [{}, {"description": 5}]},
        "description",
    ),
    (
        "1e309",
        '{"fullTextAnnotation": {"pages": [{"width": 1e309}]}}',
        "beyond the range",
    ),
    (
        "Infinity",
        '{"fullTextAnnotation": {"pages": [{"width": Infinity}]}}',
        "Infinity",
    ),
    ("NaN", '{"textAnnotations": [{"description": NaN}]}', "NaN"),
    (
        "400 digits",
        '{"fullTextAnnotation": {"pages": [{"width": ' + "9" * 400 + "}]}}",
        "too large",
    ),
    ("deep nesting", "[" * 100_000 + "]" * 100_000, "nested too deeply|not valid JSON"),
    ("NUL in a path", "a\x00b.json", "cannot read"),
]


@pytest.mark.parametrize(
    ("response", "message"),
    [(r, m) for _, r, m in MALFORMED],
    ids=[name for name, _, _ in MALFORMED],
)
def test_malformed_responses_give_a_typed_error(response: object, message: str) -> None:
    with pytest.raises(FormatError, match=message) as info:
        response_to_page(response, width=10, height=10)
    assert info.value.backend == "gcv"


def test_the_api_size_comes_from_the_page(data: dict[str, Any]) -> None:
    assert page_size(data) == (1279, 932)
    assert page_size({"textAnnotations": []}) is None


@pytest.mark.parametrize(
    ("detected", "expected"),
    [("en", "en"), ("EN", "en"), ("iw", "he"), ("zh-Hant", "zh-Hant"), ("und", None)],
)
def test_detected_languages_use_the_one_vocabulary(
    detected: str, expected: str | None
) -> None:
    """GCV's BCP 47 codes are read by unocr.languages.parse_language, as files' codes are."""
    box = _rectangle(1, 1, 9, 5)
    prop = {"detectedLanguages": [{"languageCode": detected}]}
    word = {
        "boundingBox": box,
        "property": prop,
        "symbols": [{"text": "a", "boundingBox": box}],
    }
    resp = _one_paragraph([word], width=10, height=6)
    page = response_to_page(resp)
    assert page.words[0].language == expected
    assert page.symbols[0].language == expected  # inherited from its word


def test_float_fields_read_as_the_message_holds_them() -> None:
    """A message and the JSON / dict its library writes give the same page.

    Protobuf float fields (confidence, normalized vertices) hold float32
    values; the client library writes their shortest form (``0.98``).
    """
    vision = pytest.importorskip("google.cloud.vision_v1")

    def norm(x0: float, y0: float, x1: float, y1: float) -> dict[str, Any]:
        corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        return {"normalized_vertices": [{"x": x, "y": y} for x, y in corners]}

    symbols = [
        {
            "text": c,
            "confidence": 0.97,
            "bounding_box": norm(0.1 + k / 10, 0.1, 0.2 + k / 10, 0.3),
        }
        for k, c in enumerate("ab")
    ]
    word = {
        "symbols": symbols,
        "confidence": 0.98,
        "bounding_box": norm(0.1, 0.1, 0.3, 0.3),
    }
    para = {
        "words": [word],
        "confidence": 0.93,
        "bounding_box": norm(0.1, 0.1, 0.3, 0.3),
    }
    page = {"width": 200, "height": 100, "blocks": [{"paragraphs": [para]}]}
    message = vision.AnnotateImageResponse(full_text_annotation={"pages": [page]})
    as_json = vision.AnnotateImageResponse.to_json(message)
    assert '"confidence": 0.98' in as_json  # not 0.9800000190734863
    live = response_to_page(message)
    assert live.words[0].confidence == 0.9800000190734863  # float32(0.98)
    assert live.words[0].geometry.bounds.x0 == 0.10000000149011612 * 200
    for block_level in ("paragraph", "block"):
        expected = response_to_page(message, block_level=block_level)
        for saved in (as_json, vision.AnnotateImageResponse.to_dict(message)):
            assert response_to_page(saved, block_level=block_level) == expected


def test_a_saved_blank_response_is_an_empty_page_of_unknown_size(
    tmp_path: Path,
) -> None:
    """What the API answers for an image without text loads; its size is 0 x 0."""
    blank = ["{}", '{"responses": [{}]}', '{"textAnnotations": []}']
    for text in blank:
        page = gcv_format.loads(text)
        assert (page.width, page.height, page.blocks, page.backend) == (0, 0, (), "gcv")
        assert unocr.formats.loads(text, format="gcv") == page
    path = tmp_path / "blank.json"
    path.write_text('{"responses": [{}]}', encoding="utf-8")
    assert unocr.load(path) == unocr.load(path, format="gcv") == page
    assert gcv_format.loads("{}", width=64, height=32).width == 64
    assert response_to_page({}) == page


def test_a_saved_response_without_its_size_names_where_to_give_it(
    data: dict[str, Any],
) -> None:
    only = json.dumps({"textAnnotations": data["textAnnotations"]})
    with pytest.raises(FormatError, match=r"unocr\.formats\.gcv\.loads") as info:
        unocr.formats.loads(only)
    assert "response_to_page" in str(info.value)
    page = gcv_format.loads(only, width=1279, height=932)
    assert (page.width, page.height) == (1279, 932)
    assert page == response_to_page(only, width=1279, height=932)

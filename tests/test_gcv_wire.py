"""The wire reader of Cloud Vision text annotations: the same pages as the message reader."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unocr.backends.gcv import wire
from unocr.backends.gcv.build import build_blocks
from unocr.backends.gcv.convert import (
    error_from_status,
    page_size,
    response_to_blocks,
    response_to_page,
    wire_response_to_blocks,
)
from unocr.backends.gcv.message import read_message
from unocr.backends.gcv.tree import BlockLevel, RawPage
from unocr.errors import FormatError, GeometryError, UnocrError
from unocr.model import Block

vision = pytest.importorskip("google.cloud.vision_v1")

RESPONSE = (
    Path(__file__).resolve().parent / "fixtures" / "gcv" / "document.response.json"
)
WIDTH, HEIGHT = 640, 480
LEVELS: list[BlockLevel] = ["paragraph", "block"]


def response(text: str) -> Any:
    """The raw protobuf ``AnnotateImageResponse`` of a JSON response."""
    return vision.AnnotateImageResponse.pb(
        vision.AnnotateImageResponse.from_json(text, ignore_unknown_fields=True)
    )


def by_wire(message: Any, symbols: bool, level: BlockLevel) -> RawPage | None:
    return wire.read_wire(
        message.full_text_annotation.SerializeToString(),
        width=WIDTH,
        height=HEIGHT,
        symbols=symbols,
        regions=level,
    )


def by_message(message: Any, symbols: bool, level: BlockLevel) -> RawPage:
    return read_message(
        message, width=WIDTH, height=HEIGHT, symbols=symbols, regions=level
    )


def built(raw: RawPage, level: BlockLevel) -> list[Block] | type[Exception]:
    """The blocks, every symbol built at once; or the kind of error building raises."""
    try:
        return build_blocks(raw, block_level=level, defer=False)
    except (FormatError, GeometryError) as exc:
        return type(exc)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("symbols", [True, False])
def test_the_dense_fixture_reads_as_the_message_reader_reads_it(
    symbols: bool, level: BlockLevel
) -> None:
    message = response(RESPONSE.read_text(encoding="utf-8"))
    raw = by_wire(message, symbols, level)
    assert raw is not None and raw.decoded is not None
    blocks = built(raw, level)
    assert blocks == built(by_message(message, symbols, level), level)
    assert isinstance(blocks, list) and len(blocks) > 20
    assert sum(len(w.symbols) for b in blocks for w in b.words) == (
        1154 if symbols else 0
    )


# --- responses of every shape the API's schema allows -------------------------

#: Coordinates: mostly small, with the API's omitted zero, negatives, values
#: past unocr.limits.MAX_COORDINATE and the int32 extremes.
coordinate = st.one_of(
    st.integers(0, 2000),
    st.sampled_from([0, -1, -300, 10**9, 10**9 + 1, 2**31 - 1, -(2**31)]),
)
normalized = st.one_of(
    st.floats(0, 1, width=32), st.sampled_from([0.0, -0.5, 2.0, math.inf, math.nan])
)


@st.composite
def polygons(draw: st.DrawFn) -> dict[str, Any]:
    """A ``BoundingPoly`` as a dict: 4 vertices mostly, any count, or normalised."""
    kind = draw(
        st.sampled_from(["four", "four", "four", "none", "any", "norm", "both"])
    )
    poly: dict[str, Any] = {}
    if kind in ("four", "any", "both"):
        count = 4 if kind != "any" else draw(st.integers(0, 6))
        poly["vertices"] = [
            {"x": draw(coordinate), "y": draw(coordinate)} for _ in range(count)
        ]
    if kind in ("norm", "both"):
        poly["normalized_vertices"] = [
            {"x": draw(normalized), "y": draw(normalized)}
            for _ in range(draw(st.integers(1, 5)))
        ]
    return poly


languages = st.lists(
    st.sampled_from(["en", "fr", "ko", "und", "", "x-bad!"]), max_size=2
)
breaks = st.one_of(
    st.none(), st.tuples(st.integers(0, 6), st.booleans())
)  # type 6: a break type this version of the API does not know


@st.composite
def properties(draw: st.DrawFn) -> dict[str, Any]:
    prop: dict[str, Any] = {
        "detected_languages": [
            {"language_code": code, "confidence": 0.5} for code in draw(languages)
        ]
    }
    brk = draw(breaks)
    if brk is not None:
        prop["detected_break"] = {"type_": brk[0], "is_prefix": brk[1]}
    return prop


confidences = st.one_of(
    st.floats(0, 1, width=32), st.sampled_from([0.0, 1.5, -0.25, math.nan])
)


@st.composite
def elements(draw: st.DrawFn, children: str | None, inner: Any) -> dict[str, Any]:
    element: dict[str, Any] = {"confidence": draw(confidences)}
    if draw(st.booleans()):
        element["property"] = draw(properties())
    if draw(st.integers(0, 9)):  # one in ten has no box
        element["bounding_box"] = draw(polygons())
    if children is None:
        element["text"] = draw(st.sampled_from(["a", "Z", "é", "字", "👍", "", "1"]))
    else:
        element[children] = draw(st.lists(inner, max_size=3))
    return element


symbols_ = elements(None, None)
words = elements("symbols", symbols_)
paragraphs = elements("words", words)
blocks = elements("paragraphs", paragraphs)


def annotation(page_blocks: list[dict[str, Any]]) -> Any:
    """An ``AnnotateImageResponse`` message holding one page of these blocks."""
    message = vision.AnnotateImageResponse.pb()()
    page = {"width": WIDTH, "height": HEIGHT, "blocks": page_blocks}
    message.full_text_annotation.CopyFrom(
        vision.TextAnnotation.pb(vision.TextAnnotation(pages=[page]))
    )
    return message


@given(st.lists(blocks, max_size=3))
def test_any_page_reads_as_the_message_reader_reads_it(
    page_blocks: list[dict[str, Any]],
) -> None:
    message = annotation(page_blocks)
    for symbols in (True, False):
        for level in LEVELS:
            raw = by_wire(message, symbols, level)
            if raw is None:  # only for a word without a box, its symbols unread
                assert not symbols
                continue
            assert built(raw, level) == built(
                by_message(message, symbols, level), level
            )


def test_a_word_without_a_box_and_symbols_unread_goes_to_the_message_reader() -> None:
    word = {"symbols": [{"text": "a", "bounding_box": {"vertices": [{"x": 1}] * 4}}]}
    message = annotation([{"paragraphs": [{"words": [word]}]}])
    assert by_wire(message, False, "paragraph") is None
    assert by_wire(message, True, "paragraph") is not None
    page = response_to_page(message, symbols=False)
    assert page.words[0].text == "a" and page.words[0].geometry.bounds.x0 == 1.0


@pytest.mark.parametrize(
    "data",
    [
        b"",  # no page
        vision.TextAnnotation.pb()(pages=[{}, {}]).SerializeToString(),  # two pages
        b"\x0a\x05\x22\x03\x12",  # a block cut short
    ],
)
def test_what_the_wire_reader_does_not_read_it_leaves(data: bytes) -> None:
    assert (
        wire.read_wire(data, width=1, height=1, symbols=True, regions="paragraph")
        is None
    )


# --- the boxes, decoded at once ---------------------------------------------


def corners(poly: dict[str, Any]) -> list[float] | None:
    """What the message reader makes of a polygon: 8 numbers, or None without vertices."""
    raw = RawPage()
    walk = _walk(raw)
    message = vision.BoundingPoly.pb(vision.BoundingPoly(poly))
    index = walk.shape(message)
    return None if index < 0 else [float(c) for c in raw.corners[8 * index :][:8]]


def _walk(raw: RawPage) -> Any:
    from unocr.backends.gcv.message import _MessageWalk

    return _MessageWalk(raw, WIDTH, HEIGHT, True, "paragraph")


def decode(boxes: list[bytes]) -> tuple[Any, Any]:
    """Every box decoded at once: corners and kinds."""
    return wire._decode_joined(*wire._joined(boxes))


def decoded(data: list[bytes]) -> list[list[float] | None]:
    rows, kinds = decode(data)
    reader = wire._Reader(WIDTH, HEIGHT, True, "paragraph")
    out: list[list[float] | None] = []
    for k, kind in enumerate(kinds.tolist()):
        if kind == wire._IRREGULAR:
            kind = reader.irregular(data[k], rows[k])
        out.append(rows[k].tolist() if kind == wire._BOX else None)
    return out


@given(st.lists(polygons(), max_size=12))
def test_boxes_decode_as_the_message_reader_reads_them(
    polys: list[dict[str, Any]],
) -> None:
    data = [
        vision.BoundingPoly.pb(vision.BoundingPoly(p)).SerializeToString()
        for p in polys
    ]
    assert json.dumps(decoded(data)) == json.dumps([corners(p) for p in polys])


def test_a_vertex_whose_length_says_otherwise_is_read_as_the_api_means_it() -> None:
    """``0a 02 08 05 10 07``: the vertex is ``x=5`` alone; ``10 07`` lies outside it.

    The 24 numbers fit the pattern of a full box, but the lengths do not: the
    box is read alone, as a protobuf parser reads it (the stray field ignored).
    """
    crafted = b"\x0a\x02\x08\x05\x10\x07" * 4
    _, kinds = decode([crafted])
    assert kinds.tolist() == [wire._IRREGULAR]
    real = vision.BoundingPoly.pb().FromString(crafted)
    assert [(v.x, v.y) for v in real.vertices] == [(5, 0)] * 4
    assert decoded([crafted]) == [[5.0, 0.0] * 4]


def test_boxes_of_long_varints_are_read_alone() -> None:
    """A coordinate of an 11-byte varint is no varint: protobuf refuses it, so do we."""
    poly = vision.BoundingPoly(vertices=[{"x": -1, "y": 3}] * 4)
    good = vision.BoundingPoly.pb(poly).SerializeToString()
    assert decoded([good]) == [[-1.0, 3.0] * 4]
    long = b"\x0a\x0e\x08" + b"\xff" * 11 + b"\x01\x10\x01"
    _, kinds = decode([good, long * 4, good])
    assert kinds.tolist() == [wire._BOX, wire._IRREGULAR, wire._BOX]


def test_a_message_converts_through_the_wire_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The message reader is the fallback: an ordinary response never needs it."""
    from unocr.backends.gcv import convert

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the message reader was used")

    text = RESPONSE.read_text(encoding="utf-8")
    expected = response_to_page(json.loads(text))
    monkeypatch.setattr(convert, "read_message", refuse)
    for symbols in (True, False):
        page = response_to_page(response(text), symbols=symbols)
        assert [w.text for w in page.words] == [w.text for w in expected.words]
    assert response_to_page(response(text)) == expected


def test_many_boxes_and_long_ones_decode_as_the_message_reader_reads_them() -> None:
    """Boxes go through numpy a chunk at a time; a box too long to be regular is read alone."""
    ring = [{"x": 10 * k + 1, "y": 3 * k + 1} for k in range(30)]
    square = [{"x": x, "y": y} for x, y in [(1, 2), (30, 2), (30, 9), (1, 9)]]
    polys = [{"vertices": ring}] + [{"vertices": square}] * (wire._CHUNK + 5)
    data = [
        vision.BoundingPoly.pb(vision.BoundingPoly(p)).SerializeToString()
        for p in polys
    ]
    assert len(data[0]) > wire._LONGEST
    _, kinds = decode(data)
    assert kinds[0] == wire._IRREGULAR and (kinds[1:] == wire._BOX).all()
    assert decoded(data) == [corners(p) for p in polys]


# --- answers as received: their wire bytes -----------------------------------


def outcome(convert: Any) -> tuple[list[Block], tuple[int, int]] | type[Exception]:
    """What a conversion gives, every symbol built; or the kind of error it raises."""
    try:
        blocks, size = convert()
    except UnocrError as exc:
        return type(exc)
    for block in blocks:
        for word in block.words:
            word.symbols  # noqa: B018  (built on first access)
    return blocks, size


def as_received(message: Any, symbols: bool, level: BlockLevel) -> Any:
    return outcome(
        lambda: wire_response_to_blocks(
            message.SerializeToString(),
            width=WIDTH,
            height=HEIGHT,
            block_level=level,
            symbols=symbols,
        )
    )


def as_message(message: Any, symbols: bool, level: BlockLevel) -> Any:
    def convert() -> tuple[list[Block], tuple[int, int]]:
        blocks = response_to_blocks(
            message, width=WIDTH, height=HEIGHT, block_level=level, symbols=symbols
        )
        return blocks, page_size(message) or (WIDTH, HEIGHT)

    return outcome(convert)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("symbols", [True, False])
def test_an_answer_as_received_converts_as_its_message_does(
    symbols: bool, level: BlockLevel
) -> None:
    message = response(RESPONSE.read_text(encoding="utf-8"))
    got = as_received(message, symbols, level)
    assert got == as_message(message, symbols, level)
    assert not isinstance(got, type) and len(got[0]) > 20


@given(st.lists(blocks, max_size=3))
def test_any_answer_as_received_converts_as_its_message_does(
    page_blocks: list[dict[str, Any]],
) -> None:
    message = annotation(page_blocks)
    for symbols in (True, False):
        for level in LEVELS:
            got = as_received(message, symbols, level)
            assert got == as_message(message, symbols, level)


def ld(number: int, payload: bytes) -> bytes:
    """A length-delimited field: tag, length, payload."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _varint(value: int) -> bytes:
    out = bytearray()
    while value >= 0x80:
        out.append(value & 0x7F | 0x80)
        value >>= 7
    return bytes(out) + bytes([value])


def received(*symbols: bytes, extra: bytes = b"") -> bytes:
    """An answer of one word holding these symbol records, written by hand."""
    box = b"".join(
        ld(1, b"\x08" + _varint(x) + b"\x10" + _varint(y))
        for x, y in [(1, 2), (30, 2), (30, 9), (1, 9)]
    )
    word = ld(2, box) + b"".join(ld(3, s) for s in symbols)
    page = b"\x10" + _varint(WIDTH) + b"\x18" + _varint(HEIGHT)
    page += ld(4, ld(3, ld(3, word)))  # a block of a paragraph of the word
    return ld(12, ld(1, page)) + extra


SPACE = ld(1, ld(2, b"\x08\x01"))  # a property: a space after


@pytest.mark.parametrize(
    ("records", "text"),
    [
        ([ld(3, b"a") + SPACE], "a"),  # text before property
        ([SPACE + ld(3, b"a") + b"\x48\x07"], "a"),  # an unknown field (9)
        ([SPACE + ld(3, b"a") + ld(3, b"b")], "b"),  # a field twice: the last
        ([SPACE + ld(3, b"a") + b"\x25\x00\x00\x00\x3f" * 2], "a"),  # twice
    ],
)
def test_symbols_written_otherwise_are_read_by_the_message_reader(
    records: list[bytes], text: str
) -> None:
    """The API writes each field once, in order; any other writing reads alike."""
    assert wire._scan_symbols(records) is None
    data = received(*records)
    message = vision.AnnotateImageResponse.pb().FromString(data)
    for symbols in (True, False):
        got = outcome(
            lambda: wire_response_to_blocks(
                data, width=WIDTH, height=HEIGHT, symbols=symbols
            )
        )
        assert got == as_message(message, symbols, "paragraph")
        assert not isinstance(got, type) and got[0][0].text == text


def test_long_and_multibyte_symbol_texts_are_read_at_once() -> None:
    """A text of 200 bytes has a length of two bytes; each text stands alone."""
    records = [ld(3, "é".encode() * 100), SPACE + ld(3, "字".encode()), ld(3, b"z")]
    scanned = wire._scan_symbols(records)
    assert scanned is not None
    assert scanned.text == "é" * 100 + "字z"
    assert scanned.bounds.tolist() == [0, 100, 101, 102]
    data = received(*records)
    message = vision.AnnotateImageResponse.pb().FromString(data)
    got = outcome(lambda: wire_response_to_blocks(data, width=WIDTH, height=HEIGHT))
    assert got == as_message(message, True, "paragraph")


@pytest.mark.parametrize(
    "data",
    [
        received(ld(3, b"\xff")),  # a text that is no UTF-8
        received(ld(3, b"\xc3"), ld(3, b"\xa9")),  # "é" split over two symbols
        b"\xff\xff\xff",  # no protobuf message
        ld(12, ld(1, b"") * 2),  # two pages: a file's response
    ],
)
def test_answers_the_message_refuses_are_format_errors(data: bytes) -> None:
    with pytest.raises(FormatError, match=r"Cloud Vision|pages"):
        wire_response_to_blocks(data, width=WIDTH, height=HEIGHT)


def test_an_answer_with_an_error_status_raises_it() -> None:
    data = ld(9, b"\x08\x03" + ld(2, b"Bad image data.")) + received(ld(3, b"a"))
    with pytest.raises(UnocrError, match="Bad image data") as raised:
        wire_response_to_blocks(data, width=WIDTH, height=HEIGHT)
    assert type(raised.value) is type(error_from_status(3, "Bad image data."))


def test_an_answer_of_text_annotations_alone_converts_as_its_message_does() -> None:
    message = response(
        json.dumps(
            {
                "textAnnotations": [
                    {"description": "Hi there", "locale": "en"},
                    {
                        "description": "Hi",
                        "boundingPoly": {
                            "vertices": [
                                {"x": 1, "y": 1},
                                {"x": 9, "y": 1},
                                {"x": 9, "y": 5},
                                {"x": 1, "y": 5},
                            ]
                        },
                    },
                ]
            }
        )
    )
    got = as_received(message, True, "paragraph")
    assert got == as_message(message, True, "paragraph")
    assert not isinstance(got, type) and got[0][0].text == "Hi"


def test_a_vertex_of_an_over_long_varint_is_read_alone() -> None:
    """11 bytes, or 10 past the 64th bit, are no varint where the length fits them."""
    for y in (b"\xff" * 10 + b"\x01", b"\xff" * 9 + b"\x7f"):
        vertex = b"\x08\x05\x10" + y
        crafted = (b"\x0a" + bytes([len(vertex)]) + vertex) * 4
        _, kinds = decode([crafted])
        assert kinds.tolist() == [wire._IRREGULAR]

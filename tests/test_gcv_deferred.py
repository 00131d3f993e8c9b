"""Symbols of a Cloud Vision response, read with the rest and built on first access."""

from __future__ import annotations

import copy
import gc
import json
import pickle
import threading
from pathlib import Path
from typing import Any

import pytest

from unocr.backends.gcv.collector import collector_paused
from unocr.backends.gcv.convert import response_to_page
from unocr.errors import FormatError
from unocr.geometry import Box
from unocr.model import Page, Symbol, Word, elements

from .gcv_server import IMAGE, VisionServer, backend_for, fixed_reply, load_response
from .threads import same_in_every_thread

vision = pytest.importorskip("google.cloud.vision_v1")

RESPONSE = (
    Path(__file__).resolve().parent / "fixtures" / "gcv" / "document.response.json"
)


def message(text: str) -> Any:
    """The raw protobuf message of a JSON response."""
    return vision.AnnotateImageResponse.pb(
        vision.AnnotateImageResponse.from_json(text, ignore_unknown_fields=True)
    )


@pytest.fixture(scope="module")
def text() -> str:
    return RESPONSE.read_text(encoding="utf-8")


def deferred(page: Page) -> list[bool]:
    """Per word: are its symbols still to be built?"""
    return [not isinstance(elements._get_symbols(w, Word), tuple) for w in page.words]


def test_symbols_are_built_on_first_access_and_equal_the_eager_read(
    text: str,
) -> None:
    page = response_to_page(message(text))
    assert all(deferred(page))  # nothing built yet
    eager = response_to_page(json.loads(text))  # the JSON reader's page
    assert all(deferred(eager))
    assert eager.symbols  # built now
    assert not any(deferred(eager))
    first = page.words[0].symbols  # one access builds the whole page's symbols
    assert first == eager.words[0].symbols
    assert [w.symbols for w in page.words] == [w.symbols for w in eager.words]
    assert page == eager and hash(page.words[5]) == hash(eager.words[5])
    assert not any(deferred(page))
    assert page.words[0].symbols is first  # stored, not rebuilt


def test_every_symbol_keeps_text_box_confidence_and_language(text: str) -> None:
    data = json.loads(text)
    page = response_to_page(message(text))
    api = [
        s
        for b in data["fullTextAnnotation"]["pages"][0]["blocks"]
        for p in b["paragraphs"]
        for w in p["words"]
        for s in w["symbols"]
    ]
    assert [s.text for s in page.symbols] == [s["text"] for s in api]
    assert [s.confidence for s in page.symbols] == pytest.approx(
        [s["confidence"] for s in api]
    )
    for sym, raw in zip(page.symbols, api, strict=True):
        xs = [v.get("x", 0) for v in raw["boundingBox"]["vertices"]]
        assert sym.geometry.bounds.x0 == min(xs)
    eager = response_to_page(data).symbols
    assert [s.language for s in page.symbols] == [s.language for s in eager]
    assert {s.language for s in page.symbols} >= {"en"}


def test_threads_building_at_once_get_the_same_symbols(text: str) -> None:
    page = response_to_page(message(text))
    seen = same_in_every_thread(page.words, lambda w: w.symbols)
    assert seen == [w.symbols for w in response_to_page(json.loads(text)).words]


def test_pickles_and_copies_of_an_unread_page_hold_its_symbols(text: str) -> None:
    eager = response_to_page(json.loads(text))
    for clone in (
        pickle.loads(pickle.dumps(response_to_page(message(text)))),
        copy.deepcopy(response_to_page(message(text))),
    ):
        assert not any(deferred(clone))
        assert clone == eager


def test_symbols_false_reads_no_symbols(text: str) -> None:
    page = response_to_page(message(text), symbols=False)
    assert not any(deferred(page))
    assert page.symbols == ()
    assert [w.text for w in page.words] == [
        w.text for w in response_to_page(message(text)).words
    ]


def normalized_word(x: float) -> dict[str, Any]:
    corners = [(x, 0.125), (0.5, 0.125), (0.5, 0.25), (x, 0.25)]
    norm = {"normalizedVertices": [{"x": a, "y": b} for a, b in corners]}
    pixels = [(1, 1), (9, 1), (9, 9), (1, 9)]
    box = {"vertices": [{"x": a, "y": b} for a, b in pixels]}
    symbols = [{"text": "a", "boundingBox": box}, {"text": "b", "boundingBox": norm}]
    word = {"boundingBox": box, "symbols": symbols}
    blocks = [{"paragraphs": [{"boundingBox": box, "words": [word]}]}]
    return {
        "fullTextAnnotation": {
            "pages": [{"width": 100, "height": 50, "blocks": blocks}]
        }
    }


def test_symbols_of_any_box_are_read_now_and_built_later() -> None:
    """Symbols are read and checked with the rest: errors come now."""
    page = response_to_page(message(json.dumps(normalized_word(0.25))))
    assert deferred(page) == [True]
    assert page.words[0].symbols[1].geometry.bounds.x0 == 25.0
    assert page == response_to_page(normalized_word(0.25))
    infinite = json.dumps(normalized_word(float("inf")))
    with pytest.raises(FormatError, match="not finite"):
        response_to_page(message(infinite.replace("Infinity", '"Infinity"')))


def test_word_from_checked_takes_a_builder() -> None:
    sym = Symbol(text="a", geometry=Box(0, 0, 1, 1))
    calls: list[int] = []

    def build() -> tuple[Symbol, ...]:
        calls.append(1)
        return (sym,)

    word = Word.from_checked("a", Box(0, 0, 1, 1), None, None, True, build)
    assert calls == []
    assert word == Word(text="a", geometry=Box(0, 0, 1, 1), symbols=[sym])
    assert word.symbols == (sym,) and calls == [1]
    assert word.replace(text="b").symbols == (sym,) and calls == [1]
    with pytest.raises(AttributeError):
        word.symbols = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        Word(text="a", geometry=Box(0, 0, 1, 1), symbols=build)  # type: ignore[arg-type]


def test_the_collector_pause_is_shared_by_threads_and_always_undone() -> None:
    assert gc.isenabled()
    inside = threading.Barrier(4)
    leave = threading.Event()
    states: list[bool] = []

    def convert() -> None:
        with collector_paused():
            inside.wait()
            states.append(gc.isenabled())
            leave.wait()

    threads = [threading.Thread(target=convert) for _ in range(3)]
    for t in threads:
        t.start()
    inside.wait()
    assert not gc.isenabled()  # paused while any thread converts
    leave.set()
    for t in threads:
        t.join()
    assert states == [False, False, False] and gc.isenabled()
    with pytest.raises(FormatError), collector_paused():
        raise FormatError("a conversion fails")
    assert gc.isenabled()  # undone on the way out of an error too
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a collector the program disabled stays off
    finally:
        gc.enable()


def test_read_many_pages_build_their_symbols_on_access(text: str) -> None:
    """Over a real gRPC server: deferred pages, equal to the JSON reader's once read."""
    reply = fixed_reply(load_response(text))
    with VisionServer(reply=reply) as server, backend_for(server) as backend:
        pages = backend.read_many([IMAGE] * 3)
    assert gc.isenabled()  # the pause of the conversion is over
    eager = response_to_page(json.loads(text))
    for page in pages:
        assert isinstance(page, Page)
        assert all(deferred(page))
        assert page.blocks == eager.blocks
        assert not any(deferred(page))


def one_symbol(x: int) -> dict[str, Any]:
    """A response of one word whose one symbol reaches ``x`` (the word box does not)."""

    def box(x1: int) -> dict[str, Any]:
        corners = [(2, 2), (x1, 2), (x1, 20), (2, 20)]
        return {"vertices": [{"x": a, "y": b} for a, b in corners]}

    symbol = {
        "text": "a",
        "boundingBox": box(x),
        "property": {"detectedBreak": {"type": "LINE_BREAK"}},
    }
    word = {"boundingBox": box(40), "symbols": [symbol]}
    blocks = [{"paragraphs": [{"words": [word]}]}]
    return {
        "fullTextAnnotation": {"pages": [{"width": 64, "height": 32, "blocks": blocks}]}
    }


def test_a_symbol_beyond_the_coordinate_limit_fails_at_conversion() -> None:
    """An int32 vertex over unocr.limits.MAX_COORDINATE fails now, not on access."""
    beyond = one_symbol(2**31 - 1)
    with pytest.raises(FormatError, match="MAX_COORDINATE") as info:
        response_to_page(message(json.dumps(beyond)))
    assert info.value.backend == "gcv"
    # the saved response: a FormatError naming the field
    field = r"blocks\[0\]\.paragraphs\[0\]\.words\[0\]\.symbols\[0\]\.boundingBox"
    with pytest.raises(FormatError, match=rf"{field}\.vertices\[1\]\.x") as info:
        response_to_page(beyond)
    assert "MAX_COORDINATE" in str(info.value)


@pytest.mark.parametrize("x", [-5, 5 * 10**8, 10**9, -(10**9)])
def test_symbols_with_any_coordinate_within_the_limit_build_later(x: int) -> None:
    """Negative and large coordinates within the limit: built on first access, alike."""
    page = response_to_page(message(json.dumps(one_symbol(x))))
    assert deferred(page) == [True]
    assert page == response_to_page(one_symbol(x))
    assert page.symbols[0].geometry.bounds.x1 == max(2, x)

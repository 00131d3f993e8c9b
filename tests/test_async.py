"""The async API: ``unocr.aread`` / ``unocr.aread_many`` and cancellation.

Local engines run on threads (a real Tesseract read leaves the event loop
ticking); cancelling a task kills the Tesseract process it started; a backend
with a native ``_arecognize_batch`` is awaited on the loop itself.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PIL import Image

import unocr
from unocr import registry
from unocr.backends.base import (
    Backend,
    BatchResults,
    Capabilities,
    Clocks,
    ItemFailure,
    Languages,
    LoadedImages,
    Stopwatch,
)
from unocr.backends.deadline import (
    Cancellation,
    cancellation_scope,
    run_with_timeout,
)
from unocr.errors import (
    EngineCancelledError,
    ImageError,
    ProcessCancelled,
    RecognitionError,
)
from unocr.geometry import Box
from unocr.image import LoadedImage
from unocr.model import Block, Line, Page, Word

from .ink_engine import ENGLISH_WORDS, InkBackend, bars
from .loop_probe import PHOTOTEST, children, ticking, tiled


def _tesseract() -> Backend:
    pytest.importorskip("pytesseract")
    try:
        return unocr.get_backend("tesseract", engine="binary")
    except unocr.errors.BackendUnavailableError as err:
        pytest.skip(f"Tesseract is not installed: {err}")


needs_proc = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="scans /proc for child processes"
)


# --------------------------------------------------------------- Tesseract
def test_aread_gives_the_page_read_gives() -> None:
    engine = _tesseract()
    with engine:
        expected = engine.read(PHOTOTEST)
        page = asyncio.run(unocr.aread(PHOTOTEST, backend=engine))
    assert page.text == expected.text
    assert "quick brown dog" in page.text
    assert page.backend == "tesseract"
    assert page.source is not None
    assert page.source.name == expected.source.name


def test_an_isolated_engine_reads_from_async_code() -> None:
    """Tesseract in a worker process: aread_many gives what read_many gives."""
    _tesseract().close()  # skips where Tesseract is missing

    async def collect(engine: Backend) -> list[Page | ItemFailure]:
        items = [PHOTOTEST, b"junk", PHOTOTEST]
        return [
            r async for r in unocr.aread_many(items, backend=engine, errors="return")
        ]

    with unocr.get_backend("tesseract", isolate=True) as engine:
        results = asyncio.run(collect(engine))
        assert engine.pids, "no worker process was used"
    assert "quick brown dog" in results[0].text
    assert isinstance(results[1], ItemFailure)
    assert results[2].text == results[0].text


def test_the_event_loop_keeps_ticking_during_a_tesseract_read() -> None:
    """A ticker every 10 ms keeps running while Tesseract reads a page."""
    engine = _tesseract()
    image = tiled(2)

    async def read() -> Page:
        return await unocr.aread(image, backend=engine)

    with engine:
        seen = asyncio.run(ticking(read))
    assert "quick brown dog" in seen.result.text
    # A blocking call would give no tick at all during the read; on a loaded
    # machine ticks come late, but never a large share of the read apart.
    assert seen.seconds > 0.3, "the read was too short to show anything"
    assert seen.ticks >= 10
    assert seen.ticks >= seen.seconds / 0.1
    assert seen.longest_gap < min(0.5, seen.seconds / 3)


@needs_proc
def test_cancelling_a_tesseract_read_kills_its_process() -> None:
    engine = _tesseract()
    image = tiled(4)  # long enough to be cancelled mid-read

    async def scenario() -> tuple[int, float]:
        task = asyncio.create_task(unocr.aread(image, backend=engine))
        deadline = time.monotonic() + 60
        while not (pids := children("tesseract")):
            assert not task.done(), "the read finished before it could be cancelled"
            assert time.monotonic() < deadline, "tesseract never started"
            await asyncio.sleep(0.01)
        start = time.perf_counter()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return pids[0], time.perf_counter() - start

    with engine:
        pid, seconds = asyncio.run(scenario())
        # the cancelled task finished only after the child was killed and reaped
        assert children("tesseract") == []
        assert not os.path.exists(f"/proc/{pid}")
        assert seconds < 5.0
        # the engine is still usable afterwards
        assert "quick brown dog" in engine.read(PHOTOTEST).text


@needs_proc
def test_leaving_aread_many_early_stops_the_reads_in_flight() -> None:
    engine = _tesseract()
    big = tiled(4)

    async def scenario() -> tuple[list[Page | ItemFailure], list[int]]:
        got = []
        stream = unocr.aread_many([PHOTOTEST, big, big], backend=engine, workers=3)
        async for page in stream:
            got.append(page)
            break
        # the two large reads (16 times the small one's work), once started
        deadline = time.monotonic() + 10
        while not (running := children("tesseract")) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        await stream.aclose()  # type: ignore[attr-defined]
        return got, running

    with engine:
        got, running = asyncio.run(scenario())
    assert running, "the large reads had not started"
    assert len(got) == 1
    assert "quick brown dog" in got[0].text
    # stopped and reaped: far sooner than the large reads would end on their own
    deadline = time.monotonic() + 5
    while children("tesseract") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert children("tesseract") == []


def test_a_program_started_under_a_cancelled_token_never_runs() -> None:
    from unocr.backends.tesseract import process

    token = Cancellation()
    token.cancel()
    with pytest.raises(ProcessCancelled):
        process.run(["sleep", "30"], cancel=token)


@needs_proc
def test_cancellation_kills_a_running_program_from_another_thread() -> None:
    from unocr.backends.tesseract import process

    token = Cancellation()
    threading.Timer(0.2, token.cancel).start()
    start = time.perf_counter()
    with pytest.raises(ProcessCancelled) as caught:
        process.run(["sleep", "30"], cancel=token)
    assert time.perf_counter() - start < 10
    assert not os.path.exists(f"/proc/{caught.value.pid}")


# ---------------------------------------------------------- deadline module
def test_run_with_timeout_stops_waiting_on_cancellation() -> None:
    release = threading.Event()
    token = Cancellation()
    threading.Timer(0.1, token.cancel).start()
    start = time.perf_counter()
    with cancellation_scope(token), pytest.raises(EngineCancelledError) as caught:
        run_with_timeout(lambda: release.wait(30), 30.0, backend="demo", item="a.png")
    release.set()
    assert time.perf_counter() - start < 10
    assert caught.value.backend == "demo"
    assert "a.png" in str(caught.value)


def test_run_with_timeout_without_cancellation_returns_the_value() -> None:
    with cancellation_scope(Cancellation()):
        assert run_with_timeout(lambda: 42, None, backend="demo") == 42
    assert run_with_timeout(lambda: 7, None, backend="demo") == 7


def test_a_cancellation_callback_registered_late_runs_at_once() -> None:
    token = Cancellation()
    ran: list[str] = []
    forget = token.on_cancel(lambda: ran.append("first"))
    forget()
    assert token.cancel() is False  # nobody listening any more
    assert token.cancel() is False  # once only
    token.on_cancel(lambda: ran.append("late"))
    assert ran == ["late"]


# ------------------------------------------------------------- aread_many
def _ink_items() -> list[Any]:
    return [bars((20,)), b"not an image", bars((20, 40)), bars((7, 8, 9))]


def test_aread_many_yields_in_input_order_with_failures_in_place() -> None:
    async def collect() -> list[Page | ItemFailure]:
        return [
            r
            async for r in unocr.aread_many(
                _ink_items(), backend=InkBackend(), workers=3, errors="return"
            )
        ]

    results = asyncio.run(collect())
    assert [r.text if isinstance(r, Page) else None for r in results] == [
        "w20",
        None,
        "w20 w40",
        "w7 w8 w9",
    ]
    failure = results[1]
    assert isinstance(failure, ItemFailure)
    assert failure.index == 1
    assert failure.source == "<bytes>"
    assert isinstance(failure.error, ImageError)
    assert failure.error.backend == "ink"
    assert failure.error.item == 1


def test_aread_many_unordered_gives_every_index_once() -> None:
    async def collect() -> list[tuple[int, Page | ItemFailure]]:
        stream = unocr.aread_many(
            _ink_items(), backend=InkBackend(), ordered=False, errors="return"
        )
        return [pair async for pair in stream]

    pairs = asyncio.run(collect())
    assert sorted(i for i, _ in pairs) == [0, 1, 2, 3]
    by_index = dict(pairs)
    assert isinstance(by_index[1], ItemFailure)
    assert by_index[3].text == "w7 w8 w9"


def test_aread_many_raises_a_failure_after_the_results_before_it() -> None:
    got: list[str] = []

    async def collect() -> None:
        async for page in unocr.aread_many(_ink_items(), backend=InkBackend()):
            got.append(page.text)

    with pytest.raises(ImageError) as caught:
        asyncio.run(collect())
    assert got == ["w20"]
    assert caught.value.item == 1


def test_aread_many_takes_an_async_iterable_and_engine_options() -> None:
    async def produce() -> AsyncIterator[Image.Image]:
        for widths in [(20,), (40,), (30,)]:
            await asyncio.sleep(0)
            yield bars(widths, gap=5)  # 30, 50 and 40 pixels wide

    async def collect() -> list[Page | ItemFailure]:
        stream = unocr.aread_many(
            produce(), "async-ink", errors="return", fail_on_width=50
        )
        return [r async for r in stream]

    registry.register_backend("async-ink", InkBackend)
    try:
        results = asyncio.run(collect())
    finally:
        unocr.clear_cache()
        registry.unregister_backend("async-ink")
    assert [r.text if r else None for r in results] == ["w20", None, "w30"]
    assert "simulated engine crash" in str(results[1].error)  # type: ignore[union-attr]


def test_aread_many_checks_its_arguments_at_once() -> None:
    with pytest.raises(ValueError, match="workers"):
        unocr.aread_many([], backend=InkBackend(), workers=0)
    with pytest.raises(ValueError, match="errors"):
        unocr.aread_many([], backend=InkBackend(), errors="ignore")  # type: ignore[call-overload]


class _SlowInk(InkBackend):
    """Ink that takes 20 ms per image and records calls running at once."""

    running = 0
    most = 0
    guard = threading.Lock()

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        cls = type(self)
        with cls.guard:
            cls.running += 1
            cls.most = max(cls.most, cls.running)
        try:
            time.sleep(0.02)
            return super()._recognize(image, languages, clock)
        finally:
            with cls.guard:
                cls.running -= 1


def test_aread_many_bounds_engine_calls_and_pulls_inputs_lazily() -> None:
    """An endless input: at most ``workers`` calls at once, few inputs ahead."""
    pulled = 0

    def endless() -> Iterator[Image.Image]:
        nonlocal pulled
        for _ in itertools.count():
            pulled += 1
            yield bars((20,))

    async def take(n: int) -> list[Page | ItemFailure]:
        out: list[Page | ItemFailure] = []
        async for page in unocr.aread_many(endless(), backend=_SlowInk(), workers=3):
            out.append(page)
            if len(out) == n:
                break
        return out

    pages = asyncio.run(take(20))
    assert [p.text for p in pages] == ["w20"] * 20
    assert 2 <= _SlowInk.most <= 3
    # 20 consumed, at most 2 * workers chunks (of batch_size 1) ahead of them
    assert pulled <= 20 + 2 * 3 + 1


# --------------------------------------------------------- native async hook
class _AsyncEngine(Backend):
    """An engine whose batches are awaited on the event loop (like GCV's client).

    Each image reads as one word, its width; an image 13 pixels wide fails on
    its own, and a batch holding one 17 pixels wide makes the call itself
    raise a stray exception.
    """

    name = "async-demo"
    capabilities: ClassVar[Capabilities] = replace(
        ENGLISH_WORDS, confidence=False, batching=True, network=True
    )
    batch_size: ClassVar[int] = 3
    min_workers = 2

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.batches: list[int] = []
        self.threads: set[int] = set()
        self.in_flight = 0
        self.most_in_flight = 0

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> Sequence[Block]:
        raise AssertionError("the blocking path must not be used from async code")

    async def _arecognize_batch(
        self, images: LoadedImages, languages: Languages, clocks: Clocks
    ) -> BatchResults:
        self.threads.add(threading.get_ident())
        self.batches.append(len(images))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.02)  # the request in flight
        finally:
            self.in_flight -= 1
        if any(img.width == 17 for img in images):
            raise KeyError("the service sent something unexpected")
        out: BatchResults = []
        for img, clock in zip(images, clocks, strict=True):
            clock.add("engine", 0.02 / len(images))
            if img.width == 13:
                out.append(RecognitionError("the service refused this image"))
                continue
            word = Word(text=str(img.width), geometry=Box(0, 0, img.width, 1))
            out.append([Block.from_lines([Line.from_words([word])])])
        return out


def _blank(width: int) -> Image.Image:
    return Image.new("RGB", (width, 4), "white")


def test_a_native_async_engine_is_awaited_on_the_loop_in_batches() -> None:
    engine = _AsyncEngine()
    widths = [10, 11, 13, 14, 15, 16, 18]

    async def collect() -> tuple[int, list[Page | ItemFailure]]:
        results = [
            r
            async for r in unocr.aread_many(
                [_blank(w) for w in widths], backend=engine, errors="return"
            )
        ]
        return threading.get_ident(), results

    loop_thread, results = asyncio.run(collect())
    assert engine.threads == {loop_thread}
    assert sorted(engine.batches) == [1, 3, 3]
    assert engine.most_in_flight == 2  # min_workers requests at once
    texts = [r.text if isinstance(r, Page) else None for r in results]
    assert texts == ["10", "11", None, "14", "15", "16", "18"]
    failure = results[2]
    assert isinstance(failure, ItemFailure)
    assert failure.index == 2
    assert failure.error.backend == "async-demo"
    page = results[0]
    assert isinstance(page, Page)
    assert page.backend == "async-demo"
    assert page.timings.engine == pytest.approx(0.02 / 3)


def test_a_stray_error_of_a_native_batch_fails_each_of_its_items() -> None:
    async def collect() -> list[Page | ItemFailure]:
        stream = unocr.aread_many(
            [_blank(w) for w in (10, 17, 12, 20)],
            backend=_AsyncEngine(),
            errors="return",
        )
        return [r async for r in stream]

    results = asyncio.run(collect())
    failures = results[:3]
    assert all(isinstance(f, ItemFailure) for f in failures)
    assert [f.index for f in failures] == [0, 1, 2]  # type: ignore[union-attr]
    error = failures[0].error  # type: ignore[union-attr]
    assert isinstance(error, RecognitionError)
    assert "KeyError" in str(error)
    assert isinstance(error.__cause__, KeyError)
    assert results[3].text == "20"


def test_aread_uses_the_native_hook_and_raises_the_items_error() -> None:
    engine = _AsyncEngine()
    page = asyncio.run(unocr.aread(_blank(12), backend=engine))
    assert page.text == "12"
    with pytest.raises(RecognitionError, match="refused") as caught:
        asyncio.run(unocr.aread(_blank(13), backend=engine))
    assert caught.value.backend == "async-demo"


# -------------------------------------------------------------- documents
def test_documents_give_the_pages_read_many_gives(tmp_path: Path) -> None:
    pytest.importorskip("pypdfium2")
    from .pdf_factory import image_pdf, text_pdf

    scan = image_pdf(
        tmp_path / "scan.pdf", [bars((20,)), bars((40,)), bars((60,))], dpi=150
    )
    born = text_pdf(tmp_path / "born.pdf", [(72, 700, "Hello async")], pages=2)
    items = [bars((10,)), scan, born, b"%PDF-1.7 broken", bars((30,))]
    options: dict[str, Any] = {"dpi": 150, "pages": "1,2", "text_layer": True}

    async def collect() -> list[Page | ItemFailure]:
        stream = unocr.aread_many(
            items, backend=InkBackend(), errors="return", workers=2, **options
        )
        return [r async for r in stream]

    results = asyncio.run(collect())
    expected = unocr.read_many(items, backend=InkBackend(), errors="return", **options)
    assert len(results) == len(expected) == 7  # 1 + 2 + 2 + 1 failure + 1

    def summary(r: Page | ItemFailure) -> tuple[Any, ...]:
        if isinstance(r, ItemFailure):
            return ("failure", r.index, r.source, type(r.error))
        assert r.source is not None
        return (r.text, r.source.name, r.source.index, r.source.method)

    assert [summary(r) for r in results] == [summary(r) for r in expected]
    assert [r.source.method for r in results[3:5]] == ["text-layer"] * 2  # type: ignore[union-attr]
    assert isinstance(results[5], ItemFailure)

    async def first() -> Page:
        return await unocr.aread(scan, backend=InkBackend(), dpi=150)

    assert asyncio.run(first()).text == unocr.read(scan, InkBackend(), dpi=150).text


def test_a_closed_backend_or_a_bad_language_is_a_typed_error() -> None:
    engine = InkBackend()
    engine.close()
    with pytest.raises(RecognitionError, match="closed"):
        asyncio.run(unocr.aread(bars(), backend=engine))

    async def drain() -> None:
        async for _ in unocr.aread_many(
            [bars()], backend=InkBackend(), languages="xx!"
        ):
            pass

    with pytest.raises(unocr.errors.LanguageCodeError):
        asyncio.run(drain())


def test_an_engine_made_for_one_call_is_closed_after_it() -> None:
    """Options that cannot be cached (unhashable) make an engine per call."""
    made: list[InkBackend] = []

    def factory(*, payload: object = None, **options: Any) -> InkBackend:
        made.append(InkBackend(**options))
        return made[-1]

    async def both() -> tuple[Page, list[Page | ItemFailure]]:
        page = await unocr.aread(bars(), "async-ink-once", payload=bytearray(b"x"))
        stream = unocr.aread_many([bars()], "async-ink-once", payload=bytearray())
        return page, [p async for p in stream]

    registry.register_backend("async-ink-once", factory)
    try:
        page, pages = asyncio.run(both())
    finally:
        registry.unregister_backend("async-ink-once")
    assert page.text == pages[0].text == "w20 w40"
    assert len(made) == 2
    assert all(engine.closed for engine in made)


@pytest.mark.parametrize("batching", [False, True])
def test_an_input_stream_that_fails_still_gives_what_it_gave_before(batching) -> None:
    """The items an async source yielded before it raised are read and yielded;
    its own exception comes after them."""
    from .fault_engine import BatchingFaultBackend

    engine = BatchingFaultBackend() if batching else InkBackend()

    async def source() -> AsyncIterator[Image.Image]:
        yield bars((20,))
        yield bars((40,))
        raise ValueError("the source broke")

    async def scenario() -> tuple[list[object], BaseException | None]:
        got: list[object] = []
        try:
            async for page in unocr.aread_many(
                source(), backend=engine, workers=2, errors="return"
            ):
                got.append(page)
        except ValueError as err:
            return got, err
        return got, None

    with engine:
        got, err = asyncio.run(scenario())
    assert isinstance(err, ValueError) and str(err) == "the source broke"
    assert len(got) == 2 and all(isinstance(p, Page) for p in got)
    if not batching:
        assert [p.text for p in got] == ["w20", "w40"]

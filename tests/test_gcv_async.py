"""The gcv backend's native asyncio path (``ImageAnnotatorAsyncClient``).

Against the real gRPC server of :mod:`tests.gcv_server` on 127.0.0.1: the
client library's grpc_asyncio transport, its wire format and unocr's retry
logic, driven from ``asyncio.run``.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from typing import Any

import pytest

pytest.importorskip("google.cloud.vision_v1")

import grpc
import numpy as np
from google.cloud import vision_v1
from google.rpc import status_pb2

import unocr
from unocr.backends.base import Stopwatch
from unocr.backends.gcv.backend import GcvBackend
from unocr.errors import EngineTimeoutError, ImageError, RecognitionError, UnocrError
from unocr.image import LoadedImage, load_image
from unocr.model import Block, Page

from . import gcv_server as gs
from .loop_probe import ticking


def arecognize(
    gcv: GcvBackend, images: Sequence[LoadedImage], *, close: bool = True
) -> tuple[list[Sequence[Block] | UnocrError], list[Stopwatch]]:
    clocks = [Stopwatch() for _ in images]

    async def main() -> list[Sequence[Block] | UnocrError]:
        try:
            return await gcv._arecognize_batch(images, ("en",), clocks)
        finally:
            if close:
                await gcv.aclose()

    return asyncio.run(main()), clocks


def texts(results: Sequence[Sequence[Block] | UnocrError]) -> list[str | None]:
    return [
        None if isinstance(r, UnocrError) else "\n\n".join(b.text for b in r)
        for r in results
    ]


def test_the_async_path_gives_the_pages_of_the_blocking_path() -> None:
    image = load_image(gs.IMAGE, decode=False)
    with gs.VisionServer(reply=gs.fixed_reply(gs.document_response())) as server:
        gcv = gs.backend_for(server)
        blocking = gcv.read_loaded(image, languages="en")
        results, clocks = arecognize(gcv, [image, image])
        sent = server.requests
    assert gcv.closed
    for blocks in results:
        assert not isinstance(blocks, UnocrError)
        page = Page(width=image.width, height=image.height, blocks=tuple(blocks))
        assert page.blocks == blocking.blocks  # every symbol, the same
    assert all(c.timings().engine > 0 and c.timings().convert > 0 for c in clocks)
    # the same request: the file itself, the feature and the language hints
    assert sent[1] == sent[0] and sent[2] == sent[0]
    assert sent[0].image.content == gs.IMAGE.read_bytes()
    assert list(sent[0].image_context.language_hints) == ["en"]


def test_the_async_path_reads_the_answers_as_the_server_sent_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As the blocking path: never parsed into proto-plus messages."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the answer was parsed into a proto-plus message")

    image = load_image(gs.IMAGE, decode=False)
    with gs.VisionServer(reply=gs.fixed_reply(gs.document_response())) as server:
        gcv = gs.backend_for(server)
        blocking = gcv.read_loaded(image, languages="en")
        monkeypatch.setattr(
            vision_v1.BatchAnnotateImagesResponse, "deserialize", refuse
        )
        results, _ = arecognize(gcv, [image])
        assert "gapic/" in server.calls[-1].metadata["x-goog-api-client"]
    (blocks,) = results
    assert not isinstance(blocks, UnocrError)
    assert tuple(blocks) == blocking.blocks


def test_batches_of_16_in_order_and_concurrency_respected() -> None:
    images, table = gs.numbered_images(40, width=40, height=20, box=(2, 2, 30, 15))
    loaded = [load_image(i, decode=False) for i in images]
    with gs.VisionServer(reply=gs.by_content(table), delay=0.2) as server:
        results, _ = arecognize(gs.backend_for(server, concurrency=2), loaded)
    assert texts(results) == [f"w{k}" for k in range(40)]
    assert sorted(server.batch_sizes) == [8, 16, 16]
    assert server.peak_in_flight == 2  # two calls at once, then the third


def test_per_image_errors_and_transient_failures() -> None:
    images = [gs.png(40, 20, k) for k in range(10)]
    seen: set[bytes] = set()

    def reply(
        request: vision_v1.AnnotateImageRequest, index: int
    ) -> vision_v1.AnnotateImageResponse:
        k = images.index(request.image.content)
        if k == 3:
            return vision_v1.AnnotateImageResponse(
                error=status_pb2.Status(code=3, message="Bad image data.")
            )
        if k % 4 == 0 and request.image.content not in seen:  # once: retried
            seen.add(request.image.content)
            return vision_v1.AnnotateImageResponse(
                error=status_pb2.Status(code=14, message="try again")
            )
        return gs.word_response([(f"w{k}", (2, 2, 30, 15))], width=40, height=20)

    server = gs.VisionServer(reply=reply, statuses=[grpc.StatusCode.UNAVAILABLE])
    with server:
        results, _ = arecognize(
            gs.backend_for(server), [load_image(i, decode=False) for i in images]
        )
        statuses = [c.status for c in server.calls]
    assert texts(results) == [None if k == 3 else f"w{k}" for k in range(10)]
    assert isinstance(results[3], ImageError)
    assert "Bad image data" in str(results[3])
    # a refused call, the batch, then the 3 images whose answer was UNAVAILABLE
    assert statuses == [
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.OK,
        grpc.StatusCode.OK,
    ]
    assert len(server.requests) == 10 + 10 + 3


def test_retries_stop_at_the_deadline() -> None:
    with gs.VisionServer(always=grpc.StatusCode.UNAVAILABLE) as server:
        gcv = gs.backend_for(server, timeout=0.8, initial_backoff=0.05, max_backoff=0.2)
        start = time.monotonic()
        results, _ = arecognize(gcv, [load_image(gs.png(8, 8, 0))])
        elapsed = time.monotonic() - start
    assert isinstance(results[0], EngineTimeoutError)
    assert "UNAVAILABLE" in str(results[0])
    assert len(server.calls) >= 3
    assert elapsed < 2.0


def test_narrowing_to_single_images_keeps_the_requests_deadline() -> None:
    """As on the blocking path: the images re-sent alone share one deadline."""

    def refuse(request: vision_v1.BatchAnnotateImagesRequest) -> grpc.StatusCode:
        if len(request.requests) > 1:
            return grpc.StatusCode.INVALID_ARGUMENT
        return grpc.StatusCode.UNAVAILABLE

    images = [load_image(gs.png(64, 32, k)) for k in range(6)]
    with gs.VisionServer(abort_if=refuse) as server:
        gcv = gs.backend_for(server, timeout=1.0, initial_backoff=0.05, max_backoff=0.2)
        start = time.monotonic()
        results, _ = arecognize(gcv, images)
        elapsed = time.monotonic() - start
    assert all(isinstance(r, EngineTimeoutError) for r in results)
    assert elapsed < 1.5  # the deadline plus scheduling slack, not 6 deadlines
    assert max(c.started for c in server.calls) - server.calls[0].started < 1.0


def test_preparing_an_image_to_send_does_not_block_the_event_loop() -> None:
    """Encoding an array as PNG (here about 0.4 s) runs off the event loop."""
    noise = np.random.default_rng(0).integers(0, 255, (1300, 1300, 3), np.uint8)
    reply = gs.word_response([("ok", (1, 1, 60, 60))], width=1300, height=1300)
    with gs.VisionServer(reply=gs.fixed_reply(reply)) as server:
        gcv = gs.backend_for(server)
        prepared_on: list[tuple[threading.Thread, float]] = []
        prepare = gcv._prepare

        def spy(*args: Any) -> Any:
            start = time.perf_counter()
            out = prepare(*args)
            prepared_on.append(
                (threading.current_thread(), time.perf_counter() - start)
            )
            return out

        gcv._prepare = spy  # type: ignore[method-assign]

        async def main() -> Any:
            try:
                await unocr.aread(noise[:8, :8].copy(), backend=gcv)  # the channel
                return await ticking(lambda: unocr.aread(noise, backend=gcv))
            finally:
                await gcv.aclose()

        seen = asyncio.run(main())
    assert seen.result.text == "ok"
    thread, seconds = prepared_on[-1]
    assert thread is not threading.main_thread()  # not the event loop's thread
    assert seconds > 0.1, "the image was too quick to encode to show anything"
    # a blocking encode gives no tick for its whole length
    assert seen.longest_gap < seconds / 2


def test_the_event_loop_stays_free_while_requests_are_in_flight() -> None:
    images = [load_image(gs.png(8, 8, k)) for k in range(4)]
    ticks: list[float] = []

    async def main(gcv: GcvBackend) -> list[Sequence[Block] | UnocrError]:
        async def tick() -> None:
            while True:
                ticks.append(time.monotonic())
                await asyncio.sleep(0.02)

        ticker = asyncio.create_task(tick())
        try:
            clocks = [Stopwatch() for _ in images]
            return await gcv._arecognize_batch(images, (), clocks)
        finally:
            ticker.cancel()
            await gcv.aclose()

    reply = gs.word_response([("ok", (1, 1, 6, 6))], width=8, height=8)
    with gs.VisionServer(reply=gs.fixed_reply(reply), delay=0.5) as server:
        gcv = gs.backend_for(server)
        converted_on: list[threading.Thread] = []
        convert = gcv._convert

        def spy(*args: Any) -> Any:
            converted_on.append(threading.current_thread())
            return convert(*args)

        gcv._convert = spy  # type: ignore[method-assign]
        results = asyncio.run(main(gcv))
    assert texts(results) == ["ok"] * 4
    # the answers were converted off the event loop's thread
    assert len(converted_on) == 4
    assert threading.main_thread() not in converted_on
    # the loop ran another task every 20 ms during the 0.5 s call
    assert len(ticks) >= 5


def test_a_blocking_client_passed_in_runs_in_an_executor() -> None:
    reply = gs.word_response([("ok", (1, 1, 9, 9))], width=20, height=20)
    with gs.VisionServer(reply=gs.fixed_reply(reply)) as server:
        gcv = GcvBackend(client=server.client(), timeout=5.0)
        results, clocks = arecognize(gcv, [load_image(gs.png(20, 20, 0))])
    assert texts(results) == ["ok"]
    assert clocks[0].timings().engine > 0


def test_one_backend_serves_several_event_loops_and_refuses_after_close() -> None:
    reply = gs.word_response([("ok", (1, 1, 9, 9))], width=20, height=20)
    image = load_image(gs.png(20, 20, 0))
    with gs.VisionServer(reply=gs.fixed_reply(reply)) as server:
        gcv = gs.backend_for(server)
        first, _ = arecognize(gcv, [image], close=False)
        second, _ = arecognize(gcv, [image], close=True)  # a new loop, a new channel
        assert texts(first) == texts(second) == ["ok"]
        with pytest.raises(RecognitionError, match="closed"):
            arecognize(gcv, [image], close=False)

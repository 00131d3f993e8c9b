"""The async API on Google Cloud Vision, through a real gRPC server on 127.0.0.1."""

from __future__ import annotations

import asyncio
import time

import pytest

pytest.importorskip("google.cloud.vision_v1")

from google.cloud import vision_v1

import unocr
from unocr.backends.base import ItemFailure
from unocr.backends.gcv.backend import GcvBackend
from unocr.errors import ImageError
from unocr.model import Page

from .gcv_server import VisionServer, backend_for, by_content, png, word_response


def _numbered(n: int) -> tuple[list[bytes], VisionServer]:
    """n distinct PNGs; the server answers image k with the single word 'w<k>'."""
    images = [png(64, 32, k) for k in range(n)]
    table = {
        img: word_response([(f"w{k}", (2, 2, 40, 20))], width=64, height=32)
        for k, img in enumerate(images)
    }
    return images, VisionServer(reply=by_content(table), delay=0.05)


def test_aread_many_batches_and_keeps_requests_in_flight() -> None:
    images, server = _numbered(40)
    items: list[bytes] = [*images[:5], b"not an image", *images[5:]]

    async def collect(gcv: GcvBackend) -> list[Page | ItemFailure]:
        stream = unocr.aread_many(items, backend=gcv, errors="return")
        return [r async for r in stream]

    with server, backend_for(server, concurrency=2) as gcv:
        results = asyncio.run(collect(gcv))
        expected = gcv.read_many(items, errors="return")
    texts = [r.text if isinstance(r, Page) else None for r in results]
    assert texts == [f"w{k}" for k in range(5)] + [None] + [
        f"w{k}" for k in range(5, 40)
    ]
    assert texts == [r.text if isinstance(r, Page) else None for r in expected]
    failure = results[5]
    assert isinstance(failure, ItemFailure)
    assert failure.index == 5
    assert isinstance(failure.error, ImageError)
    # batches of 16 images, two requests in flight (the backend's concurrency)
    assert max(server.batch_sizes) == 16
    assert server.peak_in_flight == 2


def test_aread_returns_the_page_and_a_per_image_error_is_typed() -> None:
    known = png(64, 32, 1)
    refused = png(64, 32, 200)
    table = {known: word_response([("hello", (2, 2, 40, 20))], width=64, height=32)}
    bad = vision_v1.AnnotateImageResponse(
        error={"code": 3, "message": "Bad image data."}
    )

    async def one(gcv: GcvBackend, image: bytes) -> Page:
        return await unocr.aread(image, backend=gcv)

    with (
        VisionServer(reply=by_content(table, default=bad)) as server,
        backend_for(server) as gcv,
    ):
        page = asyncio.run(one(gcv, known))
        with pytest.raises(unocr.errors.UnocrError, match="Bad image data") as caught:
            asyncio.run(one(gcv, refused))
    assert page.text == "hello"
    assert page.backend == "gcv"
    assert caught.value.backend == "gcv"


class _AsyncOnlyGcv(GcvBackend):
    """GCV whose blocking path is off: only the native asyncio one can answer."""

    def _recognize_batch(self, *args: object, **kwargs: object) -> list[object]:  # type: ignore[override]
        raise AssertionError("the blocking path ran")


def test_async_reads_take_the_clients_native_asyncio_path() -> None:
    if not hasattr(GcvBackend, "_arecognize_batch"):
        pytest.skip("this GcvBackend has no native asyncio path")
    images, server = _numbered(20)

    async def collect(gcv: GcvBackend) -> tuple[list[Page | ItemFailure], Page]:
        pages = [p async for p in unocr.aread_many(images, backend=gcv)]
        return pages, await unocr.aread(images[3], backend=gcv)

    with server:
        gcv = _AsyncOnlyGcv(
            endpoint=server.address, insecure=True, timeout=5.0, concurrency=2
        )
        try:
            pages, one = asyncio.run(collect(gcv))
        finally:
            gcv.close()
    assert [p.text for p in pages] == [f"w{k}" for k in range(20)]
    assert one.text == "w3"
    assert sorted(server.batch_sizes) == [1, 4, 16]


def test_cancelling_an_async_gcv_read_cancels_the_request() -> None:
    with (
        VisionServer(delay=10.0) as server,
        backend_for(server, timeout=30.0) as gcv,
    ):

        async def scenario() -> float:
            task = asyncio.create_task(unocr.aread(png(8, 8, 1), backend=gcv))
            while not server.calls:  # the request has reached the server
                await asyncio.sleep(0.01)
            start = time.perf_counter()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.perf_counter() - start

        seconds = asyncio.run(scenario())
    assert seconds < 2.0  # not the server's 10 s

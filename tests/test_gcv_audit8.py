"""The gcv backend's byte limits and timings, against the real gRPC server on 127.0.0.1.

- ``oversize="error"`` refuses a file over the byte limit before decoding it;
- no request is over ``max_request_bytes``, not even one of a single image;
- ``page.timings.engine`` shares each attempt's wall time (the wait before it
  included) among that attempt's images, so the pages add up to the wall time.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Sequence

import numpy as np
import pytest

pytest.importorskip("google.cloud.vision_v1")

import grpc
from google.cloud import vision_v1
from google.rpc import status_pb2
from PIL import Image

import unocr
from unocr.backends.base import ItemFailure
from unocr.backends.gcv.backend import GcvBackend
from unocr.errors import ImageError
from unocr.image import EncodedImage, LoadedImage
from unocr.model import Page

from .gcv_server import VisionServer, backend_for, by_content, numbered_images


def noisy_png(width: int, height: int, seed: int) -> bytes:
    """A PNG of random pixels (it barely compresses: about 3 bytes a pixel)."""
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3))
    buf = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8)).save(buf, format="PNG")
    return buf.getvalue()


def size_reply(
    request: vision_v1.AnnotateImageRequest, index: int
) -> vision_v1.AnnotateImageResponse:
    """An empty page of the size of the image received."""
    width, height = Image.open(io.BytesIO(request.image.content)).size
    return vision_v1.AnnotateImageResponse(
        full_text_annotation={"pages": [{"width": width, "height": height}]}
    )


def spy_prepare(gcv: GcvBackend, seen: list[LoadedImage]) -> None:
    """Record every image the backend prepares for sending."""
    prepare = gcv._prepare

    def spy(slot: int, image: LoadedImage) -> object:
        seen.append(image)
        return prepare(slot, image)

    gcv._prepare = spy  # type: ignore[assignment,method-assign]


# ------------------------------------------------ refused before decoding
@pytest.mark.parametrize(
    "limits",
    [{"max_image_bytes": 20_000}, {"max_request_bytes": 20_000}],
    ids=["max_image_bytes", "max_request_bytes"],
)
def test_oversize_error_refuses_a_big_file_without_decoding_it(
    limits: dict[str, int],
) -> None:
    data = noisy_png(100, 100, 0)  # about 30 kB
    assert len(data) > 20_000
    seen: list[LoadedImage] = []
    with (
        VisionServer() as server,
        backend_for(server, oversize="error", **limits) as gcv,
    ):
        spy_prepare(gcv, seen)
        with pytest.raises(ImageError, match=r"over the 0\.02 MB") as caught:
            unocr.read(data, gcv)
        assert server.calls == []
    (image,) = seen
    assert isinstance(image, EncodedImage)
    assert image.__dict__["_pixels"] is None  # its pixels never decoded
    (option,) = limits
    assert f"{option}=20000" in str(caught.value)


# ------------------------------------------------ no request over the limit
def test_no_request_is_over_max_request_bytes_even_for_one_image() -> None:
    images = [noisy_png(100, 100, k) for k in range(3)]
    assert all(20_000 < len(i) < 50_000 for i in images)
    with (
        VisionServer(reply=size_reply) as server,
        backend_for(server, max_request_bytes=20_000, max_image_bytes=50_000) as gcv,
    ):
        pages = gcv.read_many(images)
        sent = [
            sum(len(r.image.content) for r in call.request.requests)
            for call in server.calls
        ]
    assert len(sent) == 3
    assert all(0 < n <= 20_000 for n in sent)
    # each page is in the caller's pixels, whatever size was sent
    assert [(p.width, p.height) for p in pages] == [(100, 100)] * 3


def test_max_request_bytes_refuses_a_big_image_with_oversize_error() -> None:
    small, big = numbered_images(1)[0][0], noisy_png(100, 100, 1)
    with (
        VisionServer() as server,
        backend_for(
            server, oversize="error", max_request_bytes=20_000, max_image_bytes=50_000
        ) as gcv,
    ):
        results = gcv.read_many([small, big], errors="return")
        sent = [r.image.content for r in server.requests]
    assert isinstance(results[0], Page)
    failed = results[1]
    assert isinstance(failed, ItemFailure) and isinstance(failed.error, ImageError)
    assert "max_request_bytes=20000" in str(failed.error)
    assert sent == [small]


# ------------------------------------------------------------- timings
def engine_sum(pages: Sequence[object]) -> float:
    assert all(isinstance(p, Page) for p in pages)
    return sum(p.timings.engine for p in pages if isinstance(p, Page))


@pytest.mark.parametrize("path", ["blocking", "async"])
def test_engine_times_include_the_waits_between_whole_call_retries(
    path: str,
) -> None:
    images, table = numbered_images(4)
    unavailable = [grpc.StatusCode.UNAVAILABLE] * 3
    with VisionServer(
        reply=by_content(table), statuses=unavailable, delay=0.05
    ) as server:
        # waits of 0.2-0.4, 0.4-0.8 and 0.8-1.6 s: most of the wall time
        gcv = backend_for(server, initial_backoff=0.4, max_backoff=2.0, timeout=30.0)
        start = time.perf_counter()
        if path == "blocking":
            pages: list[object] = list(gcv.read_many(images))
            wall = time.perf_counter() - start
            gcv.close()
        else:

            async def main() -> tuple[list[object], float]:
                out: list[object] = [p async for p in unocr.aread_many(images, gcv)]
                spent = time.perf_counter() - start
                await gcv.aclose()
                return out, spent

            pages, wall = asyncio.run(main())
        assert len(server.calls) == 4
    assert wall > 1.4
    total = engine_sum(pages)
    assert 0.7 * wall <= total <= 1.3 * wall, (total, wall)


def test_a_retried_image_carries_only_its_retry_and_the_others_their_share() -> None:
    images, table = numbered_images(16)
    busy = vision_v1.AnnotateImageResponse(
        error=status_pb2.Status(code=14, message="busy")
    )
    answered: set[bytes] = set()

    def reply(
        request: vision_v1.AnnotateImageRequest, index: int
    ) -> vision_v1.AnnotateImageResponse:
        content = request.image.content
        if content == images[5] and content not in answered:
            answered.add(content)
            return busy  # image 5 once: sent again alone
        return table[content]

    # the first request (16 images) takes 0.6 s, the retry (image 5) 0.3 s
    with (
        VisionServer(reply=reply, delays=[0.6, 0.3]) as server,
        backend_for(server) as gcv,
    ):
        start = time.perf_counter()
        pages = gcv.read_many(images)
        wall = time.perf_counter() - start
        assert [c.size for c in server.calls] == [16, 1]
    assert [p.text for p in pages] == [f"w{k}" for k in range(16)]
    total = engine_sum(pages)
    assert 0.7 * wall <= total <= 1.3 * wall, (total, wall)
    # image 5: 0.6 / 16 of the first request, then its retry
    # (bounds wide enough for a loaded machine: the shares differ tenfold)
    assert 0.3 <= pages[5].timings.engine <= 1.5
    # the others: 0.6 / 16 = 0.0375 s each
    others = [p.timings.engine for k, p in enumerate(pages) if k != 5]
    assert all(0.02 <= e <= 0.3 for e in others), others
    assert pages[5].timings.engine > 4 * max(others), others

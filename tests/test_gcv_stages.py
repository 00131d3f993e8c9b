"""GCV's recognize stage: many region crops read in batched requests.

Against the real gRPC server of :mod:`tests.gcv_server` on 127.0.0.1; the
server answers each crop by its pixels (its shade), so the test sees which
answer went to which crop.
"""

from __future__ import annotations

import io

import pytest

pytest.importorskip("google.cloud.vision_v1")

import grpc
from google.cloud import vision_v1
from google.rpc import status_pb2
from PIL import Image

from unocr.backends.base import Stopwatch
from unocr.errors import AuthenticationError

from .gcv_server import VisionServer, backend_for, word_response


def crop(shade: int, width: int = 60, height: int = 20) -> Image.Image:
    return Image.new("RGB", (width, height), (shade, shade, shade))


def shade_of(request: vision_v1.AnnotateImageRequest) -> int:
    with Image.open(io.BytesIO(request.image.content)) as im:
        return int(im.convert("L").getpixel((0, 0)))  # type: ignore[arg-type]


def by_shade(
    request: vision_v1.AnnotateImageRequest, index: int
) -> vision_v1.AnnotateImageResponse:
    """Crop of shade k: words "s<k>" (confidence 0.9) and "x" (0.6).

    Shade 200: no text; shade 201: refused as an image.
    """
    k = shade_of(request)
    if k == 200:
        return vision_v1.AnnotateImageResponse()
    if k == 201:
        return vision_v1.AnnotateImageResponse(
            error=status_pb2.Status(code=3, message="Bad image data.")
        )
    response = word_response(
        [(f"s{k}", (1, 1, 30, 18)), ("x", (35, 1, 45, 18))],
        width=60,
        height=20,
        confidence=0.6,
    )
    page = vision_v1.AnnotateImageResponse.pb(response).full_text_annotation.pages[0]
    page.blocks[0].paragraphs[0].words[0].confidence = 0.9
    return response


def test_many_crops_go_out_in_batched_requests_in_order() -> None:
    crops = [crop(k) for k in range(40)]
    clock = Stopwatch()
    with VisionServer(reply=by_shade) as server, backend_for(server) as gcv:
        out = gcv._recognize_crops(crops, ("en",), clock)
        sizes = sorted(server.batch_sizes)
        hints = {tuple(r.image_context.language_hints) for r in server.requests}
    assert [text for text, _ in out] == [f"s{k} x" for k in range(40)]
    assert all(conf == pytest.approx((0.9 + 0.6) / 2) for _, conf in out)
    assert sizes == [8, 16, 16]  # the API's 16 images per request
    assert hints == {("en",)}
    assert clock.timings().engine > 0


def test_empty_unreadable_and_refused_crops_give_empty_text() -> None:
    crops = [crop(7), crop(200), crop(201), crop(9, width=0), crop(8)]
    with VisionServer(reply=by_shade) as server, backend_for(server) as gcv:
        out = gcv._recognize_crops(crops, (), Stopwatch())
        sent = len(server.requests)
    assert out == [
        ("s7 x", pytest.approx(0.75)),
        ("", None),  # no text found
        ("", None),  # refused as an image
        ("", None),  # 0 pixels: not sent
        ("s8 x", pytest.approx(0.75)),
    ]
    assert sent >= 4  # the empty crop was never sent


def test_a_failure_of_the_whole_call_raises() -> None:
    with (
        VisionServer(always=grpc.StatusCode.UNAUTHENTICATED) as server,
        backend_for(server) as gcv,
        pytest.raises(AuthenticationError),
    ):
        gcv._recognize_crops([crop(1), crop(2)], (), Stopwatch())


def test_recognize_cuts_the_regions_and_reads_them_in_one_batch() -> None:
    from unocr.geometry import Box, Quad

    page = Image.new("RGB", (200, 60), (255, 255, 255))
    page.paste(crop(11, 60, 20), (10, 10))
    page.paste(crop(12, 60, 20), (100, 30))
    regions = [
        Box(10, 10, 70, 30),
        Quad([[100, 30], [160, 30], [160, 50], [100, 50]]),
        Box(500, 500, 600, 600),  # outside the image: empty, not sent
    ]
    with VisionServer(reply=by_shade) as server, backend_for(server) as gcv:
        assert gcv.capabilities.recognize and gcv.stages == ("recognize",)
        out = gcv.recognize(page, regions)
        calls = len(server.calls)
    assert [(r.text, r.confidence) for r in out] == [
        ("s11 x", pytest.approx(0.75)),
        ("s12 x", pytest.approx(0.75)),
        ("", None),
    ]
    assert calls == 1

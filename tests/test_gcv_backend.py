"""The gcv backend through the real google-cloud-vision client and a gRPC server on 127.0.0.1."""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
from unocr.backends.gcv.convert import response_to_page
from unocr.errors import (
    AuthenticationError,
    ConfigError,
    EngineTimeoutError,
    FormatError,
    ImageError,
    RecognitionError,
)
from unocr.model import Page

from .gcv_server import (
    IMAGE,
    RESPONSE,
    VisionServer,
    backend_for,
    by_content,
    document_response,
    fixed_reply,
    numbered_images,
    png,
    word_response,
)

DOC = "DOCUMENT_TEXT_DETECTION"


@pytest.fixture(scope="module")
def fixture_response() -> vision_v1.AnnotateImageResponse:
    return document_response()


@pytest.fixture
def numbered() -> Iterator[tuple[list[bytes], VisionServer]]:
    """40 distinct PNGs; the server answers image k with the single word 'w<k>'."""
    images, table = numbered_images(40)
    with VisionServer(reply=by_content(table)) as server:
        yield images, server


# ----------------------------------------------------------------- fidelity
def test_read_sends_the_file_and_maps_the_real_response(
    fixture_response: vision_v1.AnnotateImageResponse,
) -> None:
    with (
        VisionServer(reply=fixed_reply(fixture_response)) as server,
        backend_for(server, languages="en,de") as gcv,
    ):
        page = gcv.read(IMAGE)
        (request,) = server.requests
    assert request.image.content == IMAGE.read_bytes()  # the exact file bytes
    assert [f.type_.name for f in request.features] == [DOC]
    assert list(request.image_context.language_hints) == ["en", "de"]
    expected = response_to_page(RESPONSE)
    assert [w.text for w in page.words] == [w.text for w in expected.words]
    assert [w.geometry for w in page.words] == [w.geometry for w in expected.words]
    assert [w.confidence for w in page.words] == [w.confidence for w in expected.words]
    assert page.text == expected.text
    assert (page.width, page.height, page.backend) == (1279, 932, "gcv")
    assert page.timings.engine > 0 and page.timings.decode > 0


def test_a_grpc_clients_answers_are_read_as_the_server_sent_them(
    fixture_response: vision_v1.AnnotateImageResponse,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The answer's bytes go to the flat reader: never parsed into proto-plus."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the answer was parsed into a proto-plus message")

    monkeypatch.setattr(vision_v1.BatchAnnotateImagesResponse, "deserialize", refuse)
    with (
        VisionServer(reply=fixed_reply(fixture_response)) as server,
        backend_for(server) as gcv,
    ):
        pages = gcv.read_many([IMAGE, IMAGE])
        # the client's own headers, as its own method sends them
        assert "gapic/" in server.calls[0].metadata["x-goog-api-client"]
    expected = response_to_page(RESPONSE)
    for page in pages:
        assert isinstance(page, Page)
        assert page.words == expected.words


def test_an_answer_that_is_no_protobuf_fails_its_images_typed() -> None:
    with (
        VisionServer(raw_reply=b"\xff\xff\xff") as server,
        backend_for(server) as gcv,
    ):
        results = gcv.read_many([png(8, 8, 1), png(8, 8, 2)], errors="return")
    assert [type(r) for r in results] == [ItemFailure, ItemFailure]
    for r in results:
        assert isinstance(r, ItemFailure) and isinstance(r.error, FormatError)
        assert "BatchAnnotateImagesResponse" in str(r.error)


def test_a_client_over_rest_is_used_through_its_own_method(
    fixture_response: vision_v1.AnnotateImageResponse,
) -> None:
    """A REST client's answers come as messages: they convert as before."""
    import http.server
    import json as json_

    from google.auth.credentials import AnonymousCredentials

    body = json_.dumps(
        {"responses": [vision_v1.AnnotateImageResponse.to_dict(fixture_response)]}
    ).encode()
    paths: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            paths.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = vision_v1.ImageAnnotatorClient(
            transport="rest",
            credentials=AnonymousCredentials(),
            client_options={"api_endpoint": f"http://127.0.0.1:{server.server_port}"},
        )
        with GcvBackend(client=client) as gcv:
            page = gcv.read(IMAGE)
    finally:
        server.shutdown()
        server.server_close()
    assert [p.partition("?")[0] for p in paths] == ["/v1/images:annotate"]
    assert page.words == response_to_page(RESPONSE).words


def test_feature_text_and_no_language_hints(
    fixture_response: vision_v1.AnnotateImageResponse,
) -> None:
    with (
        VisionServer(reply=fixed_reply(fixture_response)) as server,
        backend_for(server, feature="text") as gcv,
    ):
        gcv.read(IMAGE)
        gcv.read(IMAGE, languages=["ko"])
        first, second = server.requests
    assert [f.type_.name for f in first.features] == ["TEXT_DETECTION"]
    assert list(first.image_context.language_hints) == []
    assert list(second.image_context.language_hints) == ["ko"]


def test_public_api_and_alias(
    fixture_response: vision_v1.AnnotateImageResponse,
) -> None:
    with VisionServer(reply=fixed_reply(fixture_response)) as server:
        page = unocr.read(
            IMAGE, backend="google", endpoint=server.address, insecure=True
        )
        pages = unocr.read_many(
            [IMAGE] * 3, backend="gcv", endpoint=server.address, insecure=True
        )
    assert len(page.words) == 332
    assert [len(p.words) for p in pages if isinstance(p, Page)] == [332] * 3
    assert server.batch_sizes[-1] == 3


def test_images_without_file_bytes_are_sent_as_png() -> None:
    array = np.zeros((30, 50, 3), np.uint8)
    array[:, 25:] = 200
    reply = word_response([("hi", (1, 1, 20, 20))], width=50, height=30)
    with VisionServer(reply=fixed_reply(reply)) as server, backend_for(server) as gcv:
        page = gcv.read(array)
        (request,) = server.requests
    sent = Image.open(io.BytesIO(request.image.content))
    assert sent.format == "PNG"
    np.testing.assert_array_equal(np.asarray(sent.convert("RGB")), array)
    assert page.text == "hi"


def test_an_mpo_camera_jpeg_is_sent_as_its_own_jpeg_bytes() -> None:
    """A JPEG with extra images appended (Pillow: MPO) is not decoded nor re-encoded."""
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 255, (60, 80, 3), dtype=np.uint8)
    primary = Image.fromarray(pixels)
    extra = Image.fromarray(pixels[::2, ::2].copy())
    buf = io.BytesIO()
    primary.save(buf, format="MPO", save_all=True, append_images=[extra], quality=90)
    mpo = buf.getvalue()
    with Image.open(io.BytesIO(mpo)) as im:
        assert im.format == "MPO"
        size = im.mpinfo[0xB002][0]["Size"]  # the first image's bytes
        shown = np.asarray(im.convert("RGB"))
    reply = word_response([("hi", (1, 1, 20, 20))], width=80, height=60)
    with VisionServer(reply=fixed_reply(reply)) as server, backend_for(server) as gcv:
        page = gcv.read(mpo)
        (request,) = server.requests
    sent = request.image.content
    assert 0 < size < len(mpo)
    assert sent == mpo[:size]  # the camera's JPEG bytes, unchanged
    with Image.open(io.BytesIO(sent)) as im:
        np.testing.assert_array_equal(np.asarray(im.convert("RGB")), shown)
    assert (page.width, page.height, page.text) == (80, 60, "hi")


def test_text_annotations_only_response() -> None:
    full = word_response(
        [("a", (1, 1, 9, 9)), ("b", (20, 1, 29, 9))], width=40, height=20
    )
    only = vision_v1.AnnotateImageResponse(text_annotations=full.text_annotations)
    with VisionServer(reply=fixed_reply(only)) as server, backend_for(server) as gcv:
        page = gcv.read(png(40, 20, 0))
    assert [w.text for w in page.words] == ["a", "b"]
    assert page.text == "a b"


# ----------------------------------------------------------------- batching
def test_read_many_batches_16_per_request_in_order(
    numbered: tuple[list[bytes], VisionServer],
) -> None:
    images, server = numbered
    with backend_for(server, concurrency=2) as gcv:
        pages = gcv.read_many(images)
    assert [p.text for p in pages if isinstance(p, Page)] == [
        f"w{k}" for k in range(40)
    ]
    assert sorted(server.batch_sizes) == [8, 16, 16]
    assert sorted(r.image.content for r in server.requests) == sorted(images)


def test_requests_in_flight_follow_concurrency() -> None:
    images = [png(8, 8, k) for k in range(64)]
    with VisionServer(delay=0.3) as server, backend_for(server, concurrency=4) as gcv:
        start = time.monotonic()
        pages = gcv.read_many(images)
        elapsed = time.monotonic() - start
    assert len(pages) == 64 and all(isinstance(p, Page) for p in pages)
    assert server.batch_sizes == [16, 16, 16, 16]
    assert server.peak_in_flight == 4
    assert elapsed < 1.2  # 4 calls of 0.3 s at once, not one after another


def test_threads_convert_their_answers_one_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Requests are in flight together; their answers convert in turns."""
    from unocr.backends.gcv import backend as gcv_backend

    converting = 0
    peak = 0
    guard = threading.Lock()
    # a gRPC client's answers come as bytes: the wire converter's turn
    convert = gcv_backend.wire_response_to_blocks

    def slow_convert(*args: Any, **kwargs: Any) -> Any:
        nonlocal converting, peak
        with guard:
            converting += 1
            peak = max(peak, converting)
        time.sleep(0.002)  # long enough for another thread to come in
        try:
            return convert(*args, **kwargs)
        finally:
            with guard:
                converting -= 1

    monkeypatch.setattr(gcv_backend, "wire_response_to_blocks", slow_convert)
    images = [png(8, 8, k) for k in range(64)]
    reply = fixed_reply(word_response([("w", (1, 1, 6, 6))], width=8, height=8))
    with (
        VisionServer(reply=reply, delay=0.1) as server,
        backend_for(server, concurrency=4) as gcv,
    ):
        pages = gcv.read_many(images)
    assert [p.text for p in pages if isinstance(p, Page)] == ["w"] * 64
    assert server.peak_in_flight > 1
    assert peak == 1


def test_large_batches_are_split_by_bytes() -> None:
    images = [png(64, 64, k) for k in range(6)]
    limit = 2 * max(len(i) for i in images) + 10
    with VisionServer() as server, backend_for(server, max_request_bytes=limit) as gcv:
        gcv.read_many(images)
    assert server.batch_sizes == [2, 2, 2]


def test_the_requests_of_a_split_batch_are_in_flight_together() -> None:
    """A batch split by bytes sends `concurrency` of its requests at once."""
    images, table = numbered_images(7, height=64)
    table[images[4]] = vision_v1.AnnotateImageResponse(
        error=status_pb2.Status(code=3, message="Bad image data.")
    )
    one_each = max(len(i) for i in images) + 10  # one image per request
    with (
        VisionServer(reply=by_content(table), delay=0.3) as server,
        backend_for(server, concurrency=3, max_request_bytes=one_each) as gcv,
    ):
        results = gcv.read_many(images, errors="return")
    assert server.batch_sizes == [1] * 7
    # 7 requests, 3 at a time: ceil(7 / 3) = 3 latencies, not 7
    assert server.peak_in_flight == 3
    assert [r.text if isinstance(r, Page) else None for r in results] == [
        "w0",
        "w1",
        "w2",
        "w3",
        None,
        "w5",
        "w6",
    ]
    failed = results[4]
    assert isinstance(failed, ItemFailure) and isinstance(failed.error, ImageError)
    assert failed.index == 4


# ------------------------------------------------------------------- faults
def test_per_image_errors_fail_only_those_images(
    numbered: tuple[list[bytes], VisionServer],
) -> None:
    images, server = numbered
    bad = {3, 17, 18}
    good_reply = server.reply

    def reply(
        request: vision_v1.AnnotateImageRequest, index: int
    ) -> vision_v1.AnnotateImageResponse:
        if images.index(request.image.content) in bad:
            return vision_v1.AnnotateImageResponse(
                error=status_pb2.Status(code=3, message="Bad image data.")
            )
        return good_reply(request, index)

    server.reply = reply
    with backend_for(server) as gcv:
        results = gcv.read_many(images, errors="return")
        with pytest.raises(ImageError, match="Bad image data"):
            gcv.read_many(images[:5])
    failed = {r.index: r for r in results if isinstance(r, ItemFailure)}
    assert set(failed) == bad
    assert all(isinstance(r.error, ImageError) for r in failed.values())
    assert all(
        r.error.item == i and r.error.backend == "gcv" for i, r in failed.items()
    )
    assert [p.text for p in results if isinstance(p, Page)] == [
        f"w{k}" for k in range(40) if k not in bad
    ]


def test_transient_per_image_errors_are_retried(
    numbered: tuple[list[bytes], VisionServer],
) -> None:
    images, server = numbered
    good_reply = server.reply
    seen: set[bytes] = set()

    def reply(
        request: vision_v1.AnnotateImageRequest, index: int
    ) -> vision_v1.AnnotateImageResponse:
        content = request.image.content
        if images.index(content) % 5 == 0 and content not in seen:
            seen.add(content)
            return vision_v1.AnnotateImageResponse(
                error=status_pb2.Status(code=14, message="try again")
            )
        return good_reply(request, index)

    server.reply = reply
    with backend_for(server) as gcv:
        pages = gcv.read_many(images)
    assert [p.text for p in pages if isinstance(p, Page)] == [
        f"w{k}" for k in range(40)
    ]
    assert len(server.requests) == 40 + 8  # the 8 failed images were sent again


def test_unavailable_calls_are_retried_and_nothing_is_lost(
    numbered: tuple[list[bytes], VisionServer],
) -> None:
    images, server = numbered
    server.unavailable_fraction = 0.5
    with backend_for(server) as gcv:
        pages = gcv.read_many(images, errors="return")
    assert [p.text for p in pages if isinstance(p, Page)] == [
        f"w{k}" for k in range(40)
    ]
    failed = [c for c in server.calls if c.status == grpc.StatusCode.UNAVAILABLE]
    assert failed, "the fault was injected"
    assert len(server.calls) == 3 + len(failed)


@pytest.mark.parametrize(
    "status",
    [
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.DEADLINE_EXCEEDED,
    ],
)
def test_each_transient_status_is_retried(status: grpc.StatusCode) -> None:
    reply = word_response([("ok", (1, 1, 9, 9))], width=20, height=20)
    server = VisionServer(reply=fixed_reply(reply), statuses=[status, status])
    with server, backend_for(server) as gcv:
        page = gcv.read(png(20, 20, 0))
    assert page.text == "ok"
    assert [c.status for c in server.calls] == [status, status, grpc.StatusCode.OK]


def test_retries_stop_at_the_deadline() -> None:
    with (
        VisionServer(always=grpc.StatusCode.UNAVAILABLE) as server,
        backend_for(server, timeout=1.0, initial_backoff=0.05, max_backoff=0.2) as gcv,
    ):
        start = time.monotonic()
        with pytest.raises(EngineTimeoutError, match="UNAVAILABLE") as info:
            gcv.read(png(8, 8, 0))
        elapsed = time.monotonic() - start
    assert elapsed < 1.5  # the deadline plus scheduling slack on a busy machine
    assert len(server.calls) >= 3
    assert info.value.timeout == 1.0
    # no call was started after the deadline
    assert max(c.started for c in server.calls) - server.calls[0].started < 1.0


def test_an_attempt_cut_at_the_deadline_keeps_the_servers_last_answer() -> None:
    # two quick refusals, then an attempt that our own deadline cuts short
    server = VisionServer(always=grpc.StatusCode.UNAVAILABLE, delays=[0, 0, 10.0])
    with (
        server,
        backend_for(server, timeout=1.0, initial_backoff=0.05, max_backoff=0.1) as gcv,
        pytest.raises(EngineTimeoutError) as info,
    ):
        gcv.read(png(8, 8, 0))
    message = str(info.value)
    assert "after 3 attempt(s)" in message
    assert "last: UNAVAILABLE" in message
    assert "cut short at the deadline" in message
    assert "DEADLINE_EXCEEDED" not in message


def test_a_server_slower_than_the_deadline_times_out() -> None:
    images = [png(8, 8, k) for k in range(3)]
    with VisionServer(delay=10.0) as server, backend_for(server, timeout=0.5) as gcv:
        start = time.monotonic()
        results = gcv.read_many(images, errors="return")
        elapsed = time.monotonic() - start
    assert elapsed < 1.5
    assert [r.index for r in results if isinstance(r, ItemFailure)] == [0, 1, 2]
    assert all(
        isinstance(r, ItemFailure) and isinstance(r.error, EngineTimeoutError)
        for r in results
    )
    assert len(server.calls) == 1  # the deadline was spent on the one attempt


@pytest.mark.parametrize(
    "status", [grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED]
)
def test_refused_credentials_raise_authentication_error(
    status: grpc.StatusCode,
) -> None:
    with (
        VisionServer(always=status) as server,
        backend_for(server) as gcv,
        pytest.raises(AuthenticationError, match="GOOGLE_APPLICATION_CREDENTIALS"),
    ):
        gcv.read(png(8, 8, 0))
    assert len(server.calls) == 1  # not retried


def test_invalid_argument_call_is_narrowed_to_the_bad_image() -> None:
    images = [png(8, 8, k) for k in range(4)]

    def refuse(request: vision_v1.BatchAnnotateImagesRequest) -> grpc.StatusCode | None:
        if any(r.image.content == images[2] for r in request.requests):
            return grpc.StatusCode.INVALID_ARGUMENT
        return None

    with VisionServer(abort_if=refuse) as server, backend_for(server) as gcv:
        results = gcv.read_many(images, errors="return")
    assert [type(r).__name__ for r in results] == [
        "Page",
        "Page",
        "ItemFailure",
        "Page",
    ]
    bad = results[2]
    assert isinstance(bad, ItemFailure) and isinstance(bad.error, ImageError)
    assert bad.error.item == 2


def refuse_batches_then_busy(
    request: vision_v1.BatchAnnotateImagesRequest,
) -> grpc.StatusCode:
    """A request of several images is refused; each image alone is busy."""
    if len(request.requests) > 1:
        return grpc.StatusCode.INVALID_ARGUMENT
    return grpc.StatusCode.UNAVAILABLE


def test_narrowing_to_single_images_keeps_the_requests_deadline() -> None:
    """timeout= is the deadline of the request, its images re-sent alone included."""
    images = [png(64, 32, k) for k in range(6)]
    with (
        VisionServer(abort_if=refuse_batches_then_busy) as server,
        backend_for(server, timeout=1.0, initial_backoff=0.05, max_backoff=0.2) as gcv,
    ):
        start = time.monotonic()
        results = gcv.read_many(images, errors="return")
        elapsed = time.monotonic() - start
    assert all(
        isinstance(r, ItemFailure) and isinstance(r.error, EngineTimeoutError)
        for r in results
    )
    assert elapsed < 1.5  # the deadline plus scheduling slack, not 6 deadlines
    # no call was started after the deadline
    assert max(c.started for c in server.calls) - server.calls[0].started < 1.0


def test_other_statuses_raise_recognition_error() -> None:
    with (
        VisionServer(always=grpc.StatusCode.UNIMPLEMENTED) as server,
        backend_for(server) as gcv,
        pytest.raises(RecognitionError, match="UNIMPLEMENTED"),
    ):
        gcv.read(png(8, 8, 0))


# ----------------------------------------------------------------- oversize
def test_oversize_images_are_downscaled_and_mapped_back() -> None:
    image = png(400, 200, 255)

    # the server answers in the coordinates of the image it received
    def reply(
        request: vision_v1.AnnotateImageRequest, index: int
    ) -> vision_v1.AnnotateImageResponse:
        sent = Image.open(io.BytesIO(request.image.content))
        w, h = sent.size
        return word_response(
            [("X", (w // 4, h // 4, w // 2, h // 2))], width=w, height=h
        )

    with (
        VisionServer(reply=reply, delay=0.1) as server,
        backend_for(server, max_image_pixels=20_000) as gcv,
    ):
        page = gcv.read(image)
        (request,) = server.requests
    sent = Image.open(io.BytesIO(request.image.content))
    assert sent.width * sent.height <= 20_000
    assert sent.size == (200, 100)
    assert (page.width, page.height) == (400, 200)
    box = page.words[0].geometry.bounds
    assert (box.x0, box.y0, box.x1, box.y1) == pytest.approx((100, 50, 200, 100))


def test_oversize_bytes_are_recompressed_under_the_limit() -> None:
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 255, (300, 300, 3), dtype=np.uint8)
    with VisionServer() as server, backend_for(server, max_image_bytes=60_000) as gcv:
        page = gcv.read(noisy)
        (request,) = server.requests
    assert len(request.image.content) <= 60_000
    assert (page.width, page.height) == (300, 300)


def test_oversize_error_mode_refuses_clearly() -> None:
    with (
        VisionServer() as server,
        backend_for(server, max_image_pixels=1000, oversize="error") as gcv,
        pytest.raises(ImageError, match="megapixel"),
    ):
        gcv.read(png(100, 100, 0))
    assert server.calls == []


# -------------------------------------------------------------- credentials
SECRET = "AIzaSyTEST-not-a-real-key-0123456789"


def test_api_key_is_sent_but_never_shown(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with VisionServer(
        statuses=[grpc.StatusCode.UNAVAILABLE],
        always=None,
        details=f"key {SECRET} refused",
    ) as server:
        server.statuses.append(grpc.StatusCode.PERMISSION_DENIED)
        gcv = backend_for(server, api_key=SECRET)
        with pytest.raises(AuthenticationError) as info:
            gcv.read(png(8, 8, 0))
        text = repr(gcv) + str(info.value) + repr(info.value)
        gcv.close()
    assert server.calls[0].metadata["x-goog-api-key"] == SECRET
    assert "<redacted>" in str(info.value)
    assert SECRET not in text
    assert SECRET not in caplog.text
    assert "retrying" in caplog.text


def test_api_key_repr_with_google_endpoint() -> None:
    gcv = GcvBackend(api_key=SECRET)
    try:
        assert SECRET not in repr(gcv)
        assert "auth=api_key" in repr(gcv)
    finally:
        gcv.close()


def test_missing_credentials_give_guidance_fast(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))  # no gcloud ADC file
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GCE_METADATA_IP", "127.0.0.1:9")  # a closed local port
    start = time.monotonic()
    with pytest.raises(AuthenticationError) as info:
        GcvBackend()
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert "GOOGLE_APPLICATION_CREDENTIALS" in message
    assert "gcloud auth application-default login" in message
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert info.value.backend == "gcv"


def test_closed_backend_refuses_work() -> None:
    with VisionServer() as server:
        gcv = backend_for(server)
        gcv.close()
        with pytest.raises(RecognitionError, match="closed"):
            gcv.read(png(8, 8, 0))


def test_a_ready_client_is_used_as_is(
    fixture_response: vision_v1.AnnotateImageResponse,
) -> None:
    with VisionServer(reply=fixed_reply(fixture_response)) as server:
        client = server.client()
        with GcvBackend(client=client) as gcv:
            assert "auth=client" in repr(gcv)
            page = gcv.read(IMAGE)
        # the caller's client still works after the backend closed
        client.batch_annotate_images(requests=[{"image": {"content": b"x"}}])
    assert len(page.words) == 332
    assert len(server.calls) == 2


def test_a_silent_metadata_server_does_not_hang_the_credential_lookup(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A metadata address that accepts connections but never answers (a black hole)."""
    import socket

    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(8)  # the kernel accepts; nobody ever replies
        monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
        monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path))
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.setenv("GCE_METADATA_IP", f"127.0.0.1:{hole.getsockname()[1]}")
        start = time.monotonic()
        with pytest.raises(
            AuthenticationError, match="no Google Cloud credentials"
        ) as info:
            GcvBackend(metadata_timeout=0.5)
        elapsed = time.monotonic() - start
    # the error carries how to give credentials, as BackendUnavailableError does
    assert info.value.fix and "GOOGLE_APPLICATION_CREDENTIALS" in info.value.fix
    # google-auth alone would try 3 times x 3 s with backoff (about 12 s)
    assert elapsed < 2.5


def test_a_client_excludes_other_connection_options() -> None:
    with VisionServer() as server:
        client = server.client()
        with pytest.raises(AuthenticationError, match="client="):
            GcvBackend(client=client, api_key=SECRET)
        with pytest.raises(AuthenticationError, match="client="):
            GcvBackend(client=client, endpoint=server.address)


# ------------------------------------------------------------------ secrets
def _every_trace(err: BaseException) -> str:
    """Everything a user may see or store of an error: str, repr, traceback, pickle."""
    import pickle
    import traceback

    parts = [str(err), repr(err), "".join(traceback.format_exception(err))]
    cause: BaseException | None = err
    while cause is not None:  # the whole chain, each link's own text too
        parts += [str(cause), repr(cause), repr(vars(cause))]
        cause = cause.__cause__ or cause.__context__
    parts.append(pickle.dumps(err).decode("latin-1"))
    return "\n".join(parts)


@pytest.mark.parametrize(
    "status",
    [
        grpc.StatusCode.INVALID_ARGUMENT,
        grpc.StatusCode.PERMISSION_DENIED,
        grpc.StatusCode.UNAUTHENTICATED,
        grpc.StatusCode.UNIMPLEMENTED,
        grpc.StatusCode.NOT_FOUND,
        grpc.StatusCode.UNAVAILABLE,  # retried until the deadline
    ],
)
def test_no_error_chain_shows_an_echoed_api_key(
    status: grpc.StatusCode, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"API key not valid: {SECRET} (request had key={SECRET})"
    with (
        VisionServer(always=status, details=echo) as server,
        backend_for(server, api_key=SECRET, timeout=0.5, initial_backoff=0.05) as gcv,
    ):
        with pytest.raises(unocr.errors.UnocrError) as raised:
            gcv.read(png(8, 8, 0))
        results = gcv.read_many([png(8, 8, 1), png(8, 8, 2)], errors="return")
    assert server.calls[0].metadata["x-goog-api-key"] == SECRET  # it was sent
    errors = [raised.value] + [r.error for r in results if isinstance(r, ItemFailure)]
    assert len(errors) == 3
    for err in errors:
        seen = _every_trace(err)
        assert SECRET not in seen
        assert "<redacted>" in seen
    assert SECRET not in caplog.text
    if status == grpc.StatusCode.INVALID_ARGUMENT:
        # the client's exception type is still there to debug with, redacted
        cause = raised.value.__cause__
        assert type(cause).__name__ == "InvalidArgument"
        assert "<redacted>" in str(cause)


def test_no_per_image_error_shows_an_echoed_api_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    refused = vision_v1.AnnotateImageResponse(
        error=status_pb2.Status(code=3, message=f"bad image for key {SECRET}")
    )
    with (
        VisionServer(reply=fixed_reply(refused)) as server,
        backend_for(server, api_key=SECRET) as gcv,
    ):
        results = gcv.read_many([png(8, 8, 0), png(8, 8, 1)], errors="return")
    assert all(isinstance(r, ItemFailure) for r in results)
    for r in results:
        assert isinstance(r, ItemFailure) and isinstance(r.error, ImageError)
        assert SECRET not in _every_trace(r.error)
    assert SECRET not in caplog.text


def test_api_key_and_credentials_together_are_refused() -> None:
    from google.auth.credentials import AnonymousCredentials

    for options in ({"api_key": SECRET}, {"client_options": {"api_key": SECRET}}):
        with pytest.raises(AuthenticationError, match="not both") as info:
            GcvBackend(credentials=AnonymousCredentials(), **options)  # type: ignore[arg-type]
        assert SECRET not in _every_trace(info.value)
        assert info.value.backend == "gcv"


def test_symbols_false_gives_the_same_page_without_symbols(
    fixture_response: vision_v1.AnnotateImageResponse,
) -> None:
    with VisionServer(reply=fixed_reply(fixture_response)) as server:
        with backend_for(server) as gcv:
            full = gcv.read(IMAGE)
        with backend_for(server, symbols=False, block_level="block") as gcv:
            lean = gcv.read(IMAGE)
    assert len(full.symbols) == 1154 and lean.symbols == ()
    assert [w.replace(symbols=()) for w in full.words] == list(lean.words)
    assert [(ln.text, ln.geometry) for ln in full.lines] == [
        (ln.text, ln.geometry) for ln in lean.lines
    ]
    assert len(lean.blocks) == 170 and len(full.blocks) == 174


def test_the_live_page_equals_the_page_of_the_clients_own_json(
    fixture_response: vision_v1.AnnotateImageResponse,
) -> None:
    """Float fields (confidence) read live equal those of to_json / to_dict."""
    with (
        VisionServer(reply=fixed_reply(fixture_response)) as server,
        backend_for(server) as gcv,
    ):
        live = gcv.read(IMAGE)
    saved = vision_v1.AnnotateImageResponse.to_json(fixture_response)
    # the shortest form of each float32, not the widened double
    assert '"confidence": 0.98' in saved and "0.9800000190734863" not in saved
    assert live.blocks == response_to_page(saved).blocks
    as_dict = vision_v1.AnnotateImageResponse.to_dict(fixture_response)
    assert live.blocks == response_to_page(as_dict).blocks
    assert live.words[0].confidence == 0.9800000190734863  # the float32, widened


@pytest.mark.parametrize(
    "options", ["eu-vision.googleapis.com", 42, [("api_endpoint", "x")]]
)
def test_client_options_of_another_type_raise_config_error(options: object) -> None:
    with pytest.raises(ConfigError, match="client_options") as info:
        GcvBackend(client_options=options)
    message = str(info.value)
    assert "dict" in message
    assert "google.api_core.client_options.ClientOptions" in message


def test_client_options_as_a_dict_or_client_options() -> None:
    from google.api_core.client_options import ClientOptions

    for options in ({"api_key": SECRET}, ClientOptions(api_key=SECRET)):
        with GcvBackend(client_options=options) as gcv:
            assert "auth=api_key" in repr(gcv)


def test_a_symbol_beyond_the_coordinate_limit_fails_the_read_itself() -> None:
    """Not later, when the page's deferred symbols are first read."""

    def box(x1: int) -> dict[str, object]:
        corners = [(2, 2), (x1, 2), (x1, 20), (2, 20)]
        return {"vertices": [{"x": x, "y": y} for x, y in corners]}

    symbol = {
        "text": "a",
        "bounding_box": box(2**31 - 1),  # an int32 beyond unocr.limits.MAX_COORDINATE
        "property": {"detected_break": {"type_": "LINE_BREAK"}},
    }
    word = {"bounding_box": box(40), "symbols": [symbol]}
    page = {"width": 64, "height": 32, "blocks": [{"paragraphs": [{"words": [word]}]}]}
    response = vision_v1.AnnotateImageResponse(full_text_annotation={"pages": [page]})
    with (
        VisionServer(reply=fixed_reply(response)) as server,
        backend_for(server) as gcv,
        pytest.raises(FormatError, match="MAX_COORDINATE") as info,
    ):
        gcv.read(png(64, 32, 0))
    assert info.value.backend == "gcv"

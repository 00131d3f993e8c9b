"""A Cloud Vision ``ImageAnnotator`` gRPC server on 127.0.0.1, for tests and the bench.

It implements ``/google.cloud.vision.v1.ImageAnnotator/BatchAnnotateImages``
with a generic handler that (de)serialises with google-cloud-vision's own
message classes, so a real ``ImageAnnotatorClient`` talks to it over a real
(insecure) channel: the client library, its wire format and unocr's retry
logic are all exercised. It records every request and can inject faults:

- ``reply(request, index) -> AnnotateImageResponse``: the answer per image
  (default: an empty response); put ``error=Status(...)`` in it for a
  per-image error;
- ``statuses``: status codes to answer the next calls with, one per call,
  before answering normally (e.g. ``[UNAVAILABLE, UNAVAILABLE]``);
- ``always``: a status code to answer every call with;
- ``unavailable_fraction``: answer that fraction of calls with UNAVAILABLE
  (seeded, reproducible);
- ``abort_if(request) -> StatusCode | None``: refuse whole calls by content;
- ``delay``: seconds to wait before answering (latency, or beyond the
  client's deadline: the wait ends early when the client gives up);
- ``details``: the status message sent with injected errors.
"""

from __future__ import annotations

import io
import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from google.cloud import vision_v1
from google.cloud.vision_v1.services.image_annotator.transports import (
    ImageAnnotatorGrpcTransport,
)

from unocr._closing import Closing

#: The real dense response of the test fixture and the image it answers.
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "gcv"
IMAGE = FIXTURES / "document.jpg"
RESPONSE = FIXTURES / "document.response.json"

SERVICE = "google.cloud.vision.v1.ImageAnnotator"
METHOD = f"/{SERVICE}/BatchAnnotateImages"
_UNLIMITED = [
    ("grpc.max_send_message_length", -1),
    ("grpc.max_receive_message_length", -1),
]

Reply = Callable[[vision_v1.AnnotateImageRequest, int], vision_v1.AnnotateImageResponse]


@dataclass
class Call:
    """One BatchAnnotateImages call as the server saw it."""

    request: vision_v1.BatchAnnotateImagesRequest
    metadata: dict[str, str]
    started: float
    status: grpc.StatusCode = grpc.StatusCode.OK

    @property
    def size(self) -> int:
        return len(self.request.requests)


def empty_reply(
    request: vision_v1.AnnotateImageRequest, index: int
) -> vision_v1.AnnotateImageResponse:
    return vision_v1.AnnotateImageResponse()


@dataclass
class VisionServer(Closing):
    """The server; use as a context manager (``with VisionServer(...) as srv``)."""

    reply: Reply = empty_reply
    statuses: list[grpc.StatusCode] = field(default_factory=list)
    always: grpc.StatusCode | None = None
    unavailable_fraction: float = 0.0
    delay: float = 0.0
    delays: list[float] = field(default_factory=list)
    abort_if: (
        Callable[[vision_v1.BatchAnnotateImagesRequest], grpc.StatusCode | None] | None
    ) = None
    details: str = ""
    #: Answer these bytes instead (a malformed answer, as no server library sends).
    raw_reply: bytes | None = None
    seed: int = 0
    max_workers: int = 32
    calls: list[Call] = field(default_factory=list)
    peak_in_flight: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(self.seed)
        self._in_flight = 0
        self._server: grpc.Server | None = None
        self.port = 0

    # ------------------------------------------------------------- lifecycle
    def start(self) -> VisionServer:
        handler = grpc.method_handlers_generic_handler(
            SERVICE,
            {
                "BatchAnnotateImages": grpc.unary_unary_rpc_method_handler(
                    self._handle,
                    request_deserializer=vision_v1.BatchAnnotateImagesRequest.deserialize,
                    response_serializer=_serialize,
                )
            },
        )
        server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=self.max_workers), options=_UNLIMITED
        )
        server.add_generic_rpc_handlers((handler,))
        self.port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        self._server = server
        return self

    def close(self) -> None:
        """Stop serving (``with`` calls it on leaving the block)."""
        if self._server is not None:
            self._server.stop(grace=None).wait()
            self._server = None

    def __enter__(self) -> VisionServer:
        return self.start()

    # ----------------------------------------------------------------- access
    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client(self) -> vision_v1.ImageAnnotatorClient:
        """A real ImageAnnotatorClient on an insecure channel to this server."""
        channel = grpc.insecure_channel(self.address, options=_UNLIMITED)
        transport = ImageAnnotatorGrpcTransport(channel=channel)
        return vision_v1.ImageAnnotatorClient(transport=transport)

    @property
    def requests(self) -> list[vision_v1.AnnotateImageRequest]:
        """Every image request received, over all calls, in arrival order."""
        with self._lock:
            return [r for c in self.calls for r in c.request.requests]

    @property
    def batch_sizes(self) -> list[int]:
        with self._lock:
            return [c.size for c in self.calls if c.status == grpc.StatusCode.OK]

    # ---------------------------------------------------------------- handler
    def _handle(
        self,
        request: vision_v1.BatchAnnotateImagesRequest,
        context: grpc.ServicerContext,
    ) -> vision_v1.BatchAnnotateImagesResponse | bytes:
        call = Call(
            request=request,
            metadata={m.key: m.value for m in context.invocation_metadata()},
            started=time.monotonic(),
        )
        with self._lock:
            self.calls.append(call)
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
            status = self._fault()
            delay = self.delays.pop(0) if self.delays else self.delay
        if status is None and self.abort_if is not None:
            status = self.abort_if(request)
        try:
            if delay:
                done = threading.Event()
                context.add_callback(done.set)  # the client gave up
                done.wait(delay)
            if status is not None:
                call.status = status
                context.abort(status, self.details or f"injected {status.name}")
            if self.raw_reply is not None:
                return self.raw_reply
            responses = [self.reply(r, i) for i, r in enumerate(request.requests)]
            return vision_v1.BatchAnnotateImagesResponse(responses=responses)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _fault(self) -> grpc.StatusCode | None:
        if self.always is not None:
            return self.always
        if self.statuses:
            return self.statuses.pop(0)
        if self.unavailable_fraction and self._rng.random() < self.unavailable_fraction:
            return grpc.StatusCode.UNAVAILABLE
        return None


def _serialize(response: vision_v1.BatchAnnotateImagesResponse | bytes) -> bytes:
    if isinstance(response, bytes):
        return response
    return vision_v1.BatchAnnotateImagesResponse.serialize(response)


def png(width: int, height: int, shade: int) -> bytes:
    """A PNG file of one gray shade."""
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (width, height), (shade, shade, shade)).save(buf, format="PNG")
    return buf.getvalue()


def backend_for(server: VisionServer, **options: object) -> Any:
    """A gcv backend talking to ``server`` (5 s deadline, 10 ms first backoff)."""
    from unocr.backends.gcv.backend import GcvBackend

    options.setdefault("timeout", 5.0)
    options.setdefault("initial_backoff", 0.01)
    return GcvBackend(endpoint=server.address, insecure=True, **options)  # type: ignore[arg-type]


def fixed_reply(response: vision_v1.AnnotateImageResponse) -> Reply:
    """A reply function giving the same response for every image."""

    def reply(
        request: vision_v1.AnnotateImageRequest, index: int
    ) -> vision_v1.AnnotateImageResponse:
        return response

    return reply


def by_content(
    table: dict[bytes, vision_v1.AnnotateImageResponse],
    default: vision_v1.AnnotateImageResponse | None = None,
) -> Reply:
    """A reply function choosing the response by the image bytes received."""

    def reply(
        request: vision_v1.AnnotateImageRequest, index: int
    ) -> vision_v1.AnnotateImageResponse:
        found = table.get(request.image.content)
        if found is not None:
            return found
        return default if default is not None else vision_v1.AnnotateImageResponse()

    return reply


def load_response(text: str | bytes) -> vision_v1.AnnotateImageResponse:
    """Parse a REST JSON response into the message the server sends."""
    return vision_v1.AnnotateImageResponse.from_json(text, ignore_unknown_fields=True)


def document_response() -> vision_v1.AnnotateImageResponse:
    """The real dense response of :data:`RESPONSE`, for the image :data:`IMAGE`."""
    return load_response(RESPONSE.read_text(encoding="utf-8"))


def numbered_images(
    count: int,
    *,
    width: int = 64,
    height: int = 32,
    box: tuple[int, int, int, int] = (2, 2, 40, 20),
) -> tuple[list[bytes], dict[bytes, vision_v1.AnnotateImageResponse]]:
    """``count`` distinct PNGs, and the answer to each: image k reads ``w<k>``.

    Args:
        count: How many images (at most 256: image k is of gray shade k).
        width: Each image's width in pixels.
        height: Each image's height in pixels.
        box: The word's box (x0, y0, x1, y1) in pixels.

    Returns:
        The PNG files, and the table for :func:`by_content`.
    """
    images = [png(width, height, k) for k in range(count)]
    table = {
        img: word_response([(f"w{k}", box)], width=width, height=height)
        for k, img in enumerate(images)
    }
    return images, table


def word_response(
    words: Sequence[tuple[str, tuple[int, int, int, int]]],
    *,
    width: int,
    height: int,
    confidence: float = 0.9,
    language: str = "en",
) -> vision_v1.AnnotateImageResponse:
    """A small DOCUMENT_TEXT_DETECTION-style response: one paragraph, one line.

    Args:
        words: (text, (x0, y0, x1, y1)) per word, in reading order.
        width: Page width in pixels.
        height: Page height in pixels.
        confidence: Confidence of every element.
        language: Detected language code.
    """

    def poly(x0: int, y0: int, x1: int, y1: int) -> dict[str, Any]:
        return {
            "vertices": [
                {"x": x0, "y": y0},
                {"x": x1, "y": y0},
                {"x": x1, "y": y1},
                {"x": x0, "y": y1},
            ]
        }

    prop = {"detected_languages": [{"language_code": language}]}
    gwords = []
    for k, (text, (x0, y0, x1, y1)) in enumerate(words):
        step = (x1 - x0) / max(1, len(text))
        symbols = []
        for j, ch in enumerate(text):
            sprop: dict[str, Any] = dict(prop)
            if j == len(text) - 1:
                kind = "LINE_BREAK" if k == len(words) - 1 else "SPACE"
                sprop = {**prop, "detected_break": {"type_": kind}}
            symbols.append(
                {
                    "text": ch,
                    "confidence": confidence,
                    "property": sprop,
                    "bounding_box": poly(
                        round(x0 + j * step), y0, round(x0 + (j + 1) * step), y1
                    ),
                }
            )
        gwords.append(
            {
                "symbols": symbols,
                "confidence": confidence,
                "property": prop,
                "bounding_box": poly(x0, y0, x1, y1),
            }
        )
    text = " ".join(t for t, _ in words) + "\n" if words else ""
    xs0 = min((b[0] for _, b in words), default=0)
    ys0 = min((b[1] for _, b in words), default=0)
    xs1 = max((b[2] for _, b in words), default=0)
    ys1 = max((b[3] for _, b in words), default=0)
    para = {
        "words": gwords,
        "confidence": confidence,
        "bounding_box": poly(xs0, ys0, xs1, ys1),
        "property": prop,
    }
    page = {
        "width": width,
        "height": height,
        "property": prop,
        "blocks": [
            {
                "paragraphs": [para] if words else [],
                "block_type": "TEXT",
                "confidence": confidence,
                "bounding_box": poly(xs0, ys0, xs1, ys1),
            }
        ],
    }
    annotations = [{"description": text, "locale": language}] + [
        {"description": t, "bounding_poly": poly(*b)} for t, b in words
    ]
    return vision_v1.AnnotateImageResponse(
        full_text_annotation={"pages": [page], "text": text},
        text_annotations=annotations,
    )


def _serve() -> None:
    """Serve from a separate process (used by bench/gcv.py).

    Prints ``127.0.0.1:<port>`` on the first line of stdout, then one line
    per call (``call <n images>``); stops when stdin closes.
    """
    import argparse
    import os
    import sys

    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--reply", choices=["empty", "small", "dense"], default="empty")
    args = parser.parse_args()
    responses = {
        "empty": vision_v1.AnnotateImageResponse(),
        "small": word_response(
            [(f"word{k}", (40 + 90 * k, 40, 120 + 90 * k, 70)) for k in range(8)],
            width=1279,
            height=932,
        ),
        "dense": document_response(),
    }
    # serialise once: the bench measures the client, not this server
    one = vision_v1.AnnotateImageResponse.serialize(responses[args.reply])
    cache: dict[int, bytes] = {}

    def respond(request: bytes, context: grpc.ServicerContext) -> bytes:
        n = len(vision_v1.BatchAnnotateImagesRequest.deserialize(request).requests)
        os.write(1, f"call {n}\n".encode())  # one write: atomic across threads
        if args.delay:
            time.sleep(args.delay)
        if n not in cache:
            # field 1 (responses), length-delimited, repeated n times
            cache[n] = b"".join(b"\x0a" + _varint(len(one)) + one for _ in range(n))
        return cache[n]

    handler = grpc.method_handlers_generic_handler(
        SERVICE, {"BatchAnnotateImages": grpc.unary_unary_rpc_method_handler(respond)}
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32), options=_UNLIMITED)
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"127.0.0.1:{port}", flush=True)
    sys.stdin.read()
    server.stop(grace=None)


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


if __name__ == "__main__":
    _serve()

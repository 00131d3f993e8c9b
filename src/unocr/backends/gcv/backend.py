"""The ``gcv`` backend: Google Cloud Vision through google-cloud-vision's client.

Each :meth:`GcvBackend.read_many` chunk of up to 16 images (the API's limit)
goes out as one ``BatchAnnotateImages`` request; several requests are in
flight at once (``concurrency``). Transient failures (UNAVAILABLE,
DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, INTERNAL, for the whole call or one
image) are retried with exponential backoff under one overall deadline
(``timeout``); a per-image error fails that image only. Images over the API's
limits are downscaled before sending and their coordinates mapped back, or
refused (``oversize="error"``).
"""

from __future__ import annotations

import asyncio
import io
import logging
import math
import sys
import threading
import time
from collections.abc import Callable, Generator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, Literal

import google.auth
import grpc
from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exc
from google.cloud import vision_v1
from google.cloud.vision_v1.services.image_annotator.transports import (
    ImageAnnotatorGrpcAsyncIOTransport,
    ImageAnnotatorGrpcTransport,
)
from PIL import Image
from PIL.MpoImagePlugin import MpoImageFile

from unocr.backends import base, catalog
from unocr.backends.gcv._retry import Backoff
from unocr.backends.gcv.build import BlockLevel
from unocr.backends.gcv.collector import collector_paused
from unocr.backends.gcv.convert import (
    answer_message,
    page_size,
    response_to_blocks,
    wire_response_to_blocks,
)
from unocr.backends.gcv.status import (
    AUTH_GUIDANCE,
    RETRYABLE_CODES,
    error_from_status,
    status_name,
)
from unocr.backends.gcv.wire import read_batch, read_head
from unocr.backends.options import check_choice, check_count, check_seconds
from unocr.errors import (
    AuthenticationError,
    ConfigError,
    EngineTimeoutError,
    FormatError,
    ImageError,
    RecognitionError,
    UnocrError,
)
from unocr.image import DEFAULT_MAX_PIXELS, LoadedImage
from unocr.model import Block
from unocr.model.elements import words_text
from unocr.model.page import transform_blocks

__all__ = [
    "API_MAX_FILE_BYTES",
    "API_MAX_IMAGES",
    "API_MAX_REQUEST_BYTES",
    "DEFAULT_MAX_IMAGE_PIXELS",
    "GcvBackend",
]

_log = logging.getLogger("unocr.backends.gcv")

#: Images per ``BatchAnnotateImages`` request the API accepts.
API_MAX_IMAGES = 16
#: Largest image file the API accepts (it refuses, not resizes, larger ones).
API_MAX_FILE_BYTES = 20 * 1000 * 1000
#: Documented request size limit; unocr keeps each request's image bytes under it.
API_MAX_REQUEST_BYTES = 10 * 1000 * 1000
#: Images with more pixels are downscaled before sending.
DEFAULT_MAX_IMAGE_PIXELS = 75_000_000

_FEATURES = {
    "document": vision_v1.Feature.Type.DOCUMENT_TEXT_DETECTION,
    "text": vision_v1.Feature.Type.TEXT_DETECTION,
}
#: Formats sent as the original file bytes (an MPO file, a JPEG with more
#: images appended, as its first image's bytes: :func:`_mpo_primary`);
#: anything else is re-encoded as PNG.
_SEND_AS_IS = frozenset({"JPEG", "PNG", "GIF", "BMP", "WEBP", "ICO"})
_UNLIMITED = (
    ("grpc.max_send_message_length", -1),
    ("grpc.max_receive_message_length", -1),
)
_RETRYABLE = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.ResourceExhausted,
    gexc.InternalServerError,
)
_SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
#: What a call raises that the exchange takes as its reply (and classifies).
_CALL_ERRORS = (gexc.GoogleAPICallError, auth_exc.GoogleAuthError)

#: Threads convert answers one at a time. Under the GIL only one converts at a
#: time anyway, and threads converting together pay for every switch between
#: them (``bench/gcv.py`` times both ways). Without a GIL they convert at once.
_CONVERTING: AbstractContextManager[object] = (
    threading.Lock()
    if getattr(sys, "_is_gil_enabled", lambda: True)()
    else nullcontext()
)


@dataclass
class _Prepared:
    """One image ready to send."""

    slot: int  # position in the batch
    image: LoadedImage
    content: bytes
    sent_size: tuple[int, int]  # (width, height) of the image sent
    seconds: float  # spent encoding / resizing
    #: Its shares so far of the attempts it was in (each attempt's wall time,
    #: the wait before it included, divided among that attempt's images).
    share: float = 0.0


#: One step of :meth:`GcvBackend._exchange`: a request to send with its
#: timeout in seconds, or seconds to wait before the next attempt.
_Step = tuple[Any, float] | float


@dataclass(frozen=True, slots=True)
class _Wire:
    """One image's answer as received: its wire bytes and their flat head.

    ``head`` (:func:`~unocr.backends.gcv.wire.read_head`) gives ``error``
    like the real message does.
    """

    data: bytes
    head: Any


#: BatchAnnotateImages, as the service's gRPC method is named.
_METHOD = "/google.cloud.vision.v1.ImageAnnotator/BatchAnnotateImages"


@dataclass
class _Answer:
    """One image's converted answer and the seconds it took."""

    blocks: list[Block]
    engine: float  # its shares of the attempts, plus encoding the image
    convert: float


class _NoMetadataServer:
    """google-auth ``Request`` wrapper that bounds the GCE metadata probe.

    Without credentials, ``google.auth.default()`` pings the metadata server
    (up to 3 attempts of 3 s with backoff: ~10 s where the address black-holes).
    This wrapper caps each request's timeout and answers a failed ping with a
    "not a metadata server" reply, so the probe ends after one short attempt.
    """

    def __init__(self, timeout: float) -> None:
        from google.auth.transport.requests import Request

        self._inner = Request()
        self._timeout = timeout

    def __call__(
        self,
        url: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        timeout: float | None = None,
        **kwargs: Any,
    ) -> Any:
        limit = self._timeout if timeout is None else min(timeout, self._timeout)
        try:
            return self._inner(
                url, method=method, body=body, headers=headers, timeout=limit, **kwargs
            )
        except auth_exc.TransportError:
            if "/computeMetadata/" in url:
                raise
            return _Unreachable()


class _Unreachable:
    status = 503
    headers: ClassVar[dict[str, str]] = {}
    data = b""


def _default_credentials(metadata_timeout: float) -> Any:
    """Application Default Credentials, or AuthenticationError with guidance."""
    try:
        probe: Any = _NoMetadataServer(metadata_timeout)
        credentials, _ = google.auth.default(scopes=list(_SCOPES), request=probe)
    except auth_exc.DefaultCredentialsError as exc:
        reason = str(exc).split(" To set up", 1)[0].strip()
        raise AuthenticationError(
            f"no Google Cloud credentials found ({reason}).",
            backend="gcv",
            fix=AUTH_GUIDANCE,
        ) from None
    return credentials


@catalog.builtin("gcv")
class GcvBackend(base.Backend):
    """Google Cloud Vision OCR (``TEXT_DETECTION`` / ``DOCUMENT_TEXT_DETECTION``).

    Credentials come the standard way (Application Default Credentials:
    ``GOOGLE_APPLICATION_CREDENTIALS``, ``gcloud auth application-default
    login``, the metadata server on Google Cloud) unless given explicitly.

    Args:
        languages: Default language hints (ISO 639 codes, sent as
            ``image_context.language_hints``); ``None`` lets the API detect.
        max_pixels: Refuse inputs over this many pixels before decoding.
        feature: ``"document"`` (DOCUMENT_TEXT_DETECTION, dense text) or
            ``"text"`` (TEXT_DETECTION, photos and signs).
        client: A ready ``ImageAnnotatorClient`` (any transport); unocr uses
            it as is and does not close it.
        credentials: ``google.auth`` credentials to use instead of ADC.
        client_options: ``google.api_core.client_options.ClientOptions`` or a
            dict (``api_endpoint``, ``quota_project_id``, ``api_key``...).
        api_key: An API key (instead of credentials).
        endpoint: ``host:port`` of the service (default Google's).
        insecure: Talk to ``endpoint`` over a plain-text gRPC channel without
            credentials (local test servers and emulators only).
        timeout: Overall deadline in seconds for one request, retries
            included.
        concurrency: Requests in flight at once in :meth:`read_many` (it uses
            ``max(workers, concurrency)`` threads).
        block_level: ``"paragraph"`` (GCV paragraphs become unocr blocks) or
            ``"block"`` (GCV blocks do).
        symbols: Keep the symbol (character) level, built on first access
            of ``Word.symbols``; ``False`` leaves it out (on a dense page,
            about a tenth of the conversion time, a third if every symbol
            would be accessed).
        oversize: ``"downscale"`` images over ``max_image_bytes`` /
            ``max_image_pixels`` (coordinates are mapped back) or ``"error"``.
        max_image_bytes: Largest encoded image sent, in bytes (API: 20 MB per
            file, 10 MB per request); an image is also kept under
            ``max_request_bytes`` (the smaller of the two bounds it).
        max_image_pixels: Largest image sent, in pixels (width x height).
        max_request_bytes: Image bytes per request, in bytes; larger batches
            are split, and a larger image is re-encoded or downscaled (or
            refused with ``oversize="error"``) as for ``max_image_bytes``.
        initial_backoff: First retry wait, in seconds (doubles per retry).
        max_backoff: Longest retry wait, in seconds.
        metadata_timeout: Seconds the credential lookup may spend probing for
            the Google Cloud metadata server.
    """

    batch_size: ClassVar[int] = API_MAX_IMAGES
    #: The file itself is sent where it shows the image exactly: no decoding.
    needs_pixels: ClassVar[bool] = False

    def __init__(
        self,
        *,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
        feature: Literal["document", "text"] = "document",
        client: vision_v1.ImageAnnotatorClient | None = None,
        credentials: Any = None,
        client_options: Any = None,
        api_key: str | None = None,
        endpoint: str | None = None,
        insecure: bool = False,
        timeout: float = 60.0,
        concurrency: int = 4,
        block_level: BlockLevel = "paragraph",
        symbols: bool = True,
        oversize: Literal["downscale", "error"] = "downscale",
        max_image_bytes: int = API_MAX_REQUEST_BYTES,
        max_image_pixels: int = DEFAULT_MAX_IMAGE_PIXELS,
        max_request_bytes: int = API_MAX_REQUEST_BYTES,
        initial_backoff: float = 0.2,
        max_backoff: float = 10.0,
        metadata_timeout: float = 1.0,
    ) -> None:
        super().__init__(languages=languages, max_pixels=max_pixels)
        check_choice(feature, "feature", _FEATURES)
        check_choice(block_level, "block_level", ("paragraph", "block"))
        check_choice(oversize, "oversize", ("downscale", "error"))
        for label, seconds in (
            ("timeout", timeout),
            ("initial_backoff", initial_backoff),
            ("max_backoff", max_backoff),
            ("metadata_timeout", metadata_timeout),
        ):
            check_seconds(seconds, label, none=False)
        check_count(concurrency, "concurrency")
        check_count(max_image_bytes, "max_image_bytes")
        check_count(max_image_pixels, "max_image_pixels")
        check_count(max_request_bytes, "max_request_bytes")
        self.feature = feature
        self.timeout = float(timeout)
        self.concurrency = concurrency
        # read_many keeps this many requests in flight whatever workers= says
        self.min_workers = concurrency
        self.block_level: BlockLevel = block_level
        self.symbols = bool(symbols)
        self.oversize = oversize
        self.max_image_bytes = min(int(max_image_bytes), API_MAX_FILE_BYTES)
        self.max_image_pixels = int(max_image_pixels)
        self.max_request_bytes = int(max_request_bytes)
        self.initial_backoff = float(initial_backoff)
        self.max_backoff = float(max_backoff)
        self.endpoint = endpoint
        _check_client_options(client_options)
        self._secrets = tuple(s for s in (api_key, _options_key(client_options)) if s)
        self._metadata: tuple[tuple[str, str], ...] = ()
        self._owns_client = client is None
        #: How to build the asyncio client (None: a client was passed in).
        self._async_setup: dict[str, Any] | None = None
        self._aclient: vision_v1.ImageAnnotatorAsyncClient | None = None
        self._asend: Callable[..., Any] | None = None
        self._aloop: asyncio.AbstractEventLoop | None = None
        if client is not None:
            given = [
                name
                for name, value in (
                    ("credentials", credentials),
                    ("client_options", client_options),
                    ("api_key", api_key),
                    ("endpoint", endpoint),
                )
                if value is not None
            ]
            if given or insecure:
                extra = ", ".join(given) or "insecure"
                raise AuthenticationError(
                    "client= is used as is; configure its credentials and endpoint "
                    f"on the client itself instead of passing {extra}",
                    backend=self.name,
                )
            self._auth = "client"
            self._client = client
        else:
            self._client, self._auth = self._make_client(
                credentials,
                client_options,
                api_key,
                endpoint,
                insecure,
                metadata_timeout,
            )
        self._send = _wire_sender(self._client) or self._client.batch_annotate_images

    # ----------------------------------------------------------------- client
    def _make_client(
        self,
        credentials: Any,
        client_options: Any,
        api_key: str | None,
        endpoint: str | None,
        insecure: bool,
        metadata_timeout: float,
    ) -> tuple[vision_v1.ImageAnnotatorClient, str]:
        if insecure:
            if not endpoint:
                raise ConfigError("insecure=True needs endpoint='host:port'")
            channel = grpc.insecure_channel(endpoint, options=list(_UNLIMITED))
            transport = ImageAnnotatorGrpcTransport(channel=channel)
            self._async_setup = {"endpoint": endpoint}
            if api_key:
                self._metadata = (("x-goog-api-key", api_key),)
            return vision_v1.ImageAnnotatorClient(transport=transport), "insecure"
        options: dict[str, Any] = _options_dict(client_options)
        if api_key:
            options["api_key"] = api_key
        if endpoint:
            options["api_endpoint"] = endpoint
        if options.get("api_key") and credentials is not None:
            raise AuthenticationError(
                "the gcv backend got both an API key and credentials; pass one "
                "of api_key= (or client_options={'api_key': ...}) and "
                "credentials=, not both",
                backend=self.name,
            )
        auth = "api_key" if options.get("api_key") else "credentials"
        if credentials is None and not options.get("api_key"):
            credentials = _default_credentials(metadata_timeout)
            auth = "adc"
        self._async_setup = {
            "credentials": credentials,
            "client_options": options or None,
        }
        try:
            client = vision_v1.ImageAnnotatorClient(
                credentials=credentials, client_options=options or None
            )
        except (auth_exc.GoogleAuthError, gexc.GoogleAPIError, ValueError) as exc:
            raise AuthenticationError(
                "cannot set up the Cloud Vision client: "
                f"{self._redact(f'{type(exc).__name__}: {exc}')}.",
                backend=self.name,
                fix=AUTH_GUIDANCE,
            ) from None
        return client, auth

    def close(self) -> None:
        """Close the gRPC channel (unless the client was passed in)."""
        if self._owns_client and not self.closed:
            try:
                transport: Any = self._client.transport
                transport.close()
            except Exception as exc:  # closing must not fail the caller
                _log.debug(
                    "closing the Cloud Vision channel failed: %s", type(exc).__name__
                )
        super().close()

    def _async_client(self) -> vision_v1.ImageAnnotatorAsyncClient | None:
        """The asyncio client of the running loop, made on first use.

        ``None`` when a blocking ``client=`` was passed in.
        """
        self._check_open()
        if self._async_setup is None:
            return None
        loop = asyncio.get_running_loop()
        if self._aclient is not None and self._aloop is loop:
            return self._aclient
        # a gRPC asyncio channel belongs to the loop it was made in
        setup = self._async_setup
        if "endpoint" in setup:
            channel = grpc.aio.insecure_channel(
                setup["endpoint"], options=list(_UNLIMITED)
            )
            client = vision_v1.ImageAnnotatorAsyncClient(
                transport=ImageAnnotatorGrpcAsyncIOTransport(channel=channel)
            )
        else:
            client = vision_v1.ImageAnnotatorAsyncClient(**setup)
        self._aclient, self._aloop = client, loop
        self._asend = _wire_sender(client) or client.batch_annotate_images
        return client

    async def aclose(self) -> None:
        """Close the asyncio channel (if one was opened) and the backend."""
        client, self._aclient = self._aclient, None
        if client is not None and self._aloop is asyncio.get_running_loop():
            try:
                transport: Any = client.transport
                await transport.close()
            except Exception as exc:  # closing must not fail the caller
                _log.debug(
                    "closing the Cloud Vision asyncio channel failed: %s",
                    type(exc).__name__,
                )
        self.close()

    def __repr__(self) -> str:
        langs = ",".join(self.languages) or "default"
        where = f" endpoint={self.endpoint!r}" if self.endpoint else ""
        return (
            f"<GcvBackend 'gcv' feature={self.feature!r} languages={langs}"
            f"{where} auth={self._auth} timeout={self.timeout:g}s>"
        )

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "<redacted>")
        return text

    # ------------------------------------------------------------ recognise
    def _recognize_batch(
        self, images: base.LoadedImages, languages: base.Languages, clocks: base.Clocks
    ) -> base.BatchResults:
        results, prepared = self._prepare_all(images)
        groups = self._groups(prepared)
        workers = min(self.concurrency, len(groups))
        if workers <= 1:
            for group in groups:
                self._annotate(group, languages, results)
            return self._finish(results, clocks)
        # a batch split by bytes: its requests in flight together, as
        # read_many's chunks are; each fills its own images' result slots
        with ThreadPoolExecutor(workers, thread_name_prefix="unocr-gcv") as pool:
            sent = [pool.submit(self._annotate, g, languages, results) for g in groups]
            try:
                for future in sent:
                    future.result()
            finally:
                for future in sent:
                    future.cancel()  # after a failure: start no more requests
        return self._finish(results, clocks)

    async def _arecognize_batch(
        self, images: base.LoadedImages, languages: base.Languages, clocks: base.Clocks
    ) -> base.BatchResults:
        """:meth:`_recognize_batch` on the client's native asyncio transport.

        The same requests, batching, retries (the same backoff, awaited),
        status mapping and per-image errors; the requests of the batch are
        in flight together, at most ``concurrency`` at once. Preparing the
        images (encoding, downscaling) runs in the loop's default executor.
        With a ``client=`` passed in (a blocking client), the blocking path
        runs in the loop's default executor instead.
        """
        client = self._async_client()
        if client is None:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                None, self._recognize_batch, images, languages, clocks
            )
        # encoding and downscaling are CPU work: off the event loop
        loop = asyncio.get_running_loop()
        results, prepared = await loop.run_in_executor(None, self._prepare_all, images)
        gate = asyncio.Semaphore(self.concurrency)

        async def send(group: list[_Prepared]) -> None:
            async with gate:
                await self._aannotate(client, group, languages, results)

        await asyncio.gather(*(send(g) for g in self._groups(prepared)))
        return self._finish(results, clocks)

    # --------------------------------------------------------- recognize stage
    def _recognize_crops(
        self, crops: base.Crops, languages: base.Languages, clock: base.Stopwatch
    ) -> base.Readings:
        """Read many region crops in batched requests (the recognize stage).

        Every crop is one image of a ``BatchAnnotateImages`` request (the
        backend's ``feature``), 16 per request and split by
        ``max_request_bytes``, ``concurrency`` requests in flight, with the
        retries of :meth:`read_many`. A crop's text is its lines' texts
        joined by spaces, in the API's reading order; its confidence is the
        mean of its words' confidences (``None`` where none has one or no
        text was found). An empty crop (0 pixels) gives ``("", None)``
        without being sent, and so does a crop the service refuses as an
        image (INVALID_ARGUMENT).

        Args:
            crops: The regions, cut out (and rectified) by the caller.
            languages: Language hints (ISO 639 codes); ``()`` lets the API
                detect.
            clock: Charged with the requests' time (``engine``) and the
                conversion (``convert``).

        Returns:
            ``(text, confidence)`` per crop, in order.

        Raises:
            UnocrError: A failure that is not one crop's (credentials, the
                deadline, the service failing): the first such error.
        """
        sendable = [k for k, c in enumerate(crops) if c.width and c.height]
        images = [
            LoadedImage(crops[k].convert("RGB"), f"<crop {k}>", 0.0) for k in sendable
        ]
        clocks = [base.Stopwatch() for _ in images]
        if len(images) <= API_MAX_IMAGES:
            answers = self._recognize_batch(images, languages, clocks)
        else:  # several requests at once, as read_many sends them
            chunks = [
                range(i, min(i + API_MAX_IMAGES, len(images)))
                for i in range(0, len(images), API_MAX_IMAGES)
            ]
            workers = min(self.concurrency, len(chunks))
            with ThreadPoolExecutor(workers, thread_name_prefix="unocr-gcv") as pool:
                parts = pool.map(
                    lambda r: self._recognize_batch(
                        [images[i] for i in r], languages, [clocks[i] for i in r]
                    ),
                    chunks,
                )
                answers = [a for part in parts for a in part]
        out: list[tuple[str, float | None]] = [("", None)] * len(crops)
        for k, answer, own in zip(sendable, answers, clocks, strict=True):
            for phase, seconds in own.seconds.items():
                clock.add(phase, seconds)
            if isinstance(answer, ImageError):
                continue  # this crop is not an image the service reads
            if isinstance(answer, UnocrError):
                raise answer
            lines = [line for block in answer for line in block.lines]
            words = [w for line in lines for w in line.words]
            confs = [w.confidence for w in words if w.confidence is not None]
            out[k] = (
                words_text(lines),
                math.fsum(confs) / len(confs) if confs else None,
            )
        return out

    def _prepare_all(
        self, images: Sequence[LoadedImage]
    ) -> tuple[list[_Answer | UnocrError | None], list[_Prepared]]:
        """The result slots (errors of unsendable images filled) and the sendable."""
        results: list[_Answer | UnocrError | None] = [None] * len(images)
        prepared: list[_Prepared] = []
        for slot, image in enumerate(images):
            try:
                prepared.append(self._prepare(slot, image))
            except UnocrError as err:
                results[slot] = err
        return results, prepared

    def _finish(
        self,
        results: list[_Answer | UnocrError | None],
        clocks: Sequence[base.Stopwatch],
    ) -> list[Sequence[Block] | UnocrError]:
        """Each image's blocks (its clock charged) or error, in order."""
        out: list[Sequence[Block] | UnocrError] = []
        for r, clock in zip(results, clocks, strict=True):
            if r is None:
                r = RecognitionError(
                    "Cloud Vision returned no result", backend=self.name
                )
            if isinstance(r, _Answer):
                clock.add("engine", r.engine)
                clock.add("convert", r.convert)
                out.append(r.blocks)
            else:
                out.append(r)
        return out

    def _groups(self, prepared: Sequence[_Prepared]) -> list[list[_Prepared]]:
        """Split into requests of <= 16 images and <= max_request_bytes."""
        groups: list[list[_Prepared]] = []
        current: list[_Prepared] = []
        size = 0
        for item in prepared:
            n = len(item.content)
            if current and (
                len(current) >= API_MAX_IMAGES or size + n > self.max_request_bytes
            ):
                groups.append(current)
                current, size = [], 0
            current.append(item)
            size += n
        if current:
            groups.append(current)
        return groups

    def _request(self, items: list[_Prepared], languages: tuple[str, ...]) -> Any:
        """The ``BatchAnnotateImagesRequest`` of ``items``, a raw protobuf message.

        Built field by field on the message itself: no proto-plus wrapper
        per image (the clients accept the raw message, and the answer's
        bytes are read by unocr anyway).
        """
        request = vision_v1.BatchAnnotateImagesRequest.pb()()
        feature = int(_FEATURES[self.feature])
        for item in items:
            one = request.requests.add()
            one.image.content = item.content
            one.features.add().type_ = feature
            if languages:
                one.image_context.language_hints.extend(languages)
        return request

    def _annotate(
        self,
        group: list[_Prepared],
        languages: tuple[str, ...],
        results: list[_Answer | UnocrError | None],
    ) -> None:
        """Send one request (retrying transient failures) and fill ``results``."""
        steps = self._exchange(group, languages, results)
        reply: object = None
        while (step := _advance(steps, reply)) is not None:
            if isinstance(step, float):
                time.sleep(step)
                reply = None
                continue
            try:
                reply = self._send(**self._send_options(step))
            except _CALL_ERRORS as exc:
                reply = exc

    async def _aannotate(
        self,
        client: vision_v1.ImageAnnotatorAsyncClient,
        group: list[_Prepared],
        languages: tuple[str, ...],
        results: list[_Answer | UnocrError | None],
    ) -> None:
        """:meth:`_annotate` on the asyncio client.

        Each step of the exchange (building a request, converting the
        answers: CPU work) runs in the loop's default executor, so the event
        loop stays free while a dense page is converted.
        """
        loop = asyncio.get_running_loop()
        steps = self._exchange(group, languages, results)
        send = self._asend if client is self._aclient else None
        if send is None:
            send = client.batch_annotate_images
        reply: object = None
        while True:
            step = await loop.run_in_executor(None, _advance, steps, reply)
            if step is None:
                return
            if isinstance(step, float):
                await asyncio.sleep(step)
                reply = None
                continue
            try:
                reply = await send(**self._send_options(step))
            except _CALL_ERRORS as exc:
                reply = exc

    def _send_options(self, step: tuple[Any, float]) -> dict[str, Any]:
        """The keyword arguments of ``batch_annotate_images`` for a step to send.

        The exchange retries itself, so the client's own retry is off.
        """
        request, timeout = step
        return {
            "request": request,
            "retry": None,
            "timeout": timeout,
            "metadata": self._metadata,
        }

    def _exchange(
        self,
        group: list[_Prepared],
        languages: tuple[str, ...],
        results: list[_Answer | UnocrError | None],
        within: Backoff | None = None,
        last: str = "no attempt made",
    ) -> Generator[_Step, object, None]:
        """The retry logic of one request, without I/O, for both transports.

        Yields ``(request, timeout)`` to send (and receives the response or
        the client's exception) or a float, seconds to wait before the next
        attempt (and receives ``None``); fills ``results`` as answers come.
        The blocking (:meth:`_annotate`) and asyncio
        (:meth:`_arecognize_batch`) paths drive it alike.

        Args:
            group: The images of the request.
            languages: Language hints.
            results: The batch's result slots, filled by ``slot``.
            within: The backoff of the request this one narrows down: its
                deadline is kept (``timeout`` is the deadline of the whole
                request, its images re-sent one by one included).
            last: What happened before, for the timeout's message.
        """
        backoff = Backoff(
            self.timeout if within is None else max(0.0, within.remaining()),
            initial=self.initial_backoff,
            maximum=self.max_backoff,
        )
        pending = list(group)
        attempts = 0
        # each attempt's wall time, the wait before it included, is shared
        # among that attempt's images (page.timings.engine)
        since = time.perf_counter()
        while pending:
            remaining = backoff.remaining()
            if remaining <= 0:
                break
            attempts += 1
            request = self._request(pending, languages)
            reply = yield request, remaining
            now = time.perf_counter()
            for item in pending:
                item.share += (now - since) / len(pending)
            since = now
            if isinstance(reply, gexc.GoogleAPICallError):
                if (
                    isinstance(reply, gexc.DeadlineExceeded)
                    and attempts > 1
                    and backoff.remaining() <= 0
                ):
                    # Our own deadline cut this attempt short: the answer
                    # before it says more about why there is none.
                    last += "; the last attempt was cut short at the deadline"
                    break
                last = self._describe(reply)
                if isinstance(reply, _RETRYABLE):
                    _log.info(
                        "Cloud Vision request of %d image(s) failed (%s); retrying",
                        len(pending),
                        last,
                    )
                    delay = backoff.take()
                    if delay is None:
                        break
                    yield delay
                    continue
                if isinstance(reply, gexc.InvalidArgument) and len(pending) > 1:
                    # One bad image refuses the whole request: find it, each
                    # image alone, before the same deadline.
                    refused = f"{last} for the request of {len(pending)} images"
                    for item in pending:
                        yield from self._exchange(
                            [item], languages, results, backoff, refused
                        )
                    return
                self._fail(pending, results, partial(self._call_error, reply))
                return
            if isinstance(reply, auth_exc.GoogleAuthError):
                detail = self._redact(f"{type(reply).__name__}: {reply}")
                self._fail(pending, results, partial(self._auth_error, detail))
                return
            # one conversion at a time (see _CONVERTING), the collector paused
            with _CONVERTING, collector_paused():
                pending, codes = self._collect(pending, reply, results)
            # the conversion is timed apart (convert): the next attempt's
            # share starts after it
            since = time.perf_counter()
            if pending:
                last = "per-image " + ", ".join(sorted({status_name(c) for c in codes}))
                delay = backoff.take()
                if delay is None:
                    break
                yield delay
        if pending:
            message = (
                f"Cloud Vision gave no answer within timeout={self.timeout:g}s "
                f"after {attempts} attempt(s) (last: {last}); raise timeout= or "
                "try again later"
            )
            self._fail(
                pending,
                results,
                lambda: EngineTimeoutError(
                    message, timeout=self.timeout, backend=self.name
                ),
            )

    def _collect(
        self,
        pending: list[_Prepared],
        response: Any,
        results: list[_Answer | UnocrError | None],
    ) -> tuple[list[_Prepared], list[int]]:
        """Convert the answers; return the items to retry and their codes.

        ``response`` is the batch response message, or its wire bytes (from
        :func:`_wire_sender`).
        """
        answers = _answers(response)
        if isinstance(answers, UnocrError):
            for item in pending:
                results[item.slot] = answers
            return [], []
        retry: list[_Prepared] = []
        codes: list[int] = []
        for k, item in enumerate(pending):
            if k >= len(answers):
                results[item.slot] = RecognitionError(
                    f"Cloud Vision answered {len(answers)} of {len(pending)} images",
                    backend=self.name,
                )
                continue
            answer = answers[k]
            if isinstance(answer, UnocrError):
                results[item.slot] = answer
                continue
            head = answer.head if isinstance(answer, _Wire) else answer
            code = int(head.error.code) if head.HasField("error") else 0
            if code in RETRYABLE_CODES:
                retry.append(item)
                codes.append(code)
                continue
            if code:
                results[item.slot] = error_from_status(
                    code, self._redact(head.error.message), timeout=self.timeout
                )
                continue
            try:
                results[item.slot] = self._convert(item, answer)
            except UnocrError as err:
                results[item.slot] = err
        return retry, codes

    def _convert(self, item: _Prepared, answer: Any) -> _Answer:
        """One image's answer (a protobuf message) as blocks, timed."""
        start = time.perf_counter()
        blocks = self._blocks(item, answer)
        convert = time.perf_counter() - start
        return _Answer(blocks, item.share + item.seconds, convert)

    def _blocks(self, item: _Prepared, answer: Any) -> list[Block]:
        """The answer's blocks in the pixels of the caller's image."""
        sent_w, sent_h = item.sent_size
        if isinstance(answer, _Wire):
            blocks, (api_w, api_h) = wire_response_to_blocks(
                answer.data,
                head=answer.head,
                width=sent_w,
                height=sent_h,
                block_level=self.block_level,
                symbols=self.symbols,
            )
        else:
            api_w, api_h = page_size(answer) or (sent_w, sent_h)
            blocks = response_to_blocks(
                answer,
                width=api_w,
                height=api_h,
                block_level=self.block_level,
                symbols=self.symbols,
            )
        width, height = item.image.width, item.image.height
        if (api_w, api_h) == (width, height):
            return blocks
        # the API saw a downscaled copy: map its coordinates back
        scale = [[width / api_w, 0.0, 0.0], [0.0, height / api_h, 0.0]]
        return list(transform_blocks(blocks, scale))

    def _fail(
        self,
        items: Sequence[_Prepared],
        results: list[_Answer | UnocrError | None],
        make: Callable[[], UnocrError],
    ) -> None:
        for item in items:
            # one error object per item: read_many tags each with its index
            results[item.slot] = make()

    def _describe(self, exc: gexc.GoogleAPICallError) -> str:
        code = exc.grpc_status_code
        name = code.name if code is not None else type(exc).__name__
        return self._redact(f"{name}: {exc.message}")

    def _auth_error(self, detail: str) -> UnocrError:
        return AuthenticationError(
            f"Google credentials could not be used ({detail}).",
            backend=self.name,
            fix=AUTH_GUIDANCE,
        )

    def _call_error(self, exc: gexc.GoogleAPICallError) -> UnocrError:
        code = exc.grpc_status_code
        number = int(code.value[0]) if code is not None else 2
        err = error_from_status(
            number, self._redact(str(exc.message)), timeout=self.timeout
        )
        # The client's exception may quote the request (an API key the server
        # echoes, credentials); keep only a redacted copy of its type and message.
        err.__cause__ = _redacted_copy(exc, self._redact)
        err.__suppress_context__ = True
        return err

    # ------------------------------------------------------------ the image
    def _bytes_limit_name(self) -> str:
        """The option that bounds an image's bytes, as ``name=value``."""
        if self.max_request_bytes < self.max_image_bytes:
            return f"max_request_bytes={self.max_request_bytes}"
        return f"max_image_bytes={self.max_image_bytes}"

    def _prepare(self, slot: int, image: LoadedImage) -> _Prepared:
        """The bytes to send: the original file when possible, else re-encoded."""
        start = time.perf_counter()
        width, height = image.width, image.height
        if width * height > self.max_image_pixels:
            if self.oversize == "error":
                raise ImageError(
                    f"{image.name}: {width}x{height} is {width * height / 1e6:.1f} "
                    f"megapixels, over the {self.max_image_pixels / 1e6:g} megapixel "
                    "limit for Cloud Vision; downscale it or pass oversize='downscale'",
                    backend=self.name,
                )
            scale = math.sqrt(self.max_image_pixels / (width * height))
            resized = _resize(image.image, scale)
            pil: Image.Image | None = resized
            content = _encode(resized, lossless=True)
        elif (as_is := _file_bytes(image)) is not None:
            pil = None  # the file itself: its pixels are never decoded here
            content = as_is
        else:
            pil = image.image
            content = _encode(pil, lossless=True)
        # a request holds at least one image: the request limit bounds each
        # image too
        limit = min(self.max_image_bytes, self.max_request_bytes)
        if len(content) > limit:
            if self.oversize == "error":
                # refused before its pixels are decoded
                raise ImageError(
                    f"{image.name}: the encoded image is {len(content) / 1e6:.1f} MB, "
                    f"over the {limit / 1e6:g} MB limit for Cloud Vision "
                    f"({self._bytes_limit_name()}); compress or downscale it, or "
                    "pass oversize='downscale'",
                    backend=self.name,
                )
            pil = image.image if pil is None else pil
            content = _encode(pil, lossless=False)
            while len(content) > limit:
                pil = _resize(pil, 0.75)
                if pil.width < 16 or pil.height < 16:
                    raise ImageError(
                        f"{image.name}: cannot make the image small enough for "
                        f"{self._bytes_limit_name()}",
                        backend=self.name,
                    )
                content = _encode(pil, lossless=False)
        if pil is not None and pil is not image.image:
            _log.info(
                "%s: sending %dx%d (%d bytes) instead of %dx%d to fit the API limits",
                image.name,
                pil.width,
                pil.height,
                len(content),
                width,
                height,
            )
        return _Prepared(
            slot=slot,
            image=image,
            content=content,
            sent_size=(width, height) if pil is None else (pil.width, pil.height),
            seconds=time.perf_counter() - start,
        )


def _wire_sender(client: Any) -> Callable[..., Any] | None:
    """``batch_annotate_images`` of a gRPC client, answering the response's bytes.

    The client's own method parses the answer into proto-plus messages,
    which unocr would only serialise again to read them flat
    (:mod:`~unocr.backends.gcv.wire`). This calls the same method on the
    client's own channel (its credentials and interceptors), wrapped as the
    client wraps it (``x-goog-api-client`` header, errors as
    ``google.api_core`` exceptions), but leaves the answer as bytes.

    Args:
        client: An ``ImageAnnotatorClient`` or ``ImageAnnotatorAsyncClient``.

    Returns:
        The callable (same keywords as ``batch_annotate_images``; for the
        asyncio client, awaitable), or ``None`` for a client over another
        transport (REST).
    """
    from google.api_core import gapic_v1
    from google.cloud.vision_v1.services.image_annotator.transports import base

    transport = getattr(client, "transport", None)
    wrap: Callable[..., Any]
    if isinstance(transport, ImageAnnotatorGrpcTransport):
        wrap = gapic_v1.method.wrap_method
    elif isinstance(transport, ImageAnnotatorGrpcAsyncIOTransport):
        wrap = gapic_v1.method_async.wrap_method
    else:
        return None
    stub = transport.grpc_channel.unary_unary(
        _METHOD,
        request_serializer=_serialized,
        response_deserializer=None,  # the bytes as received
    )
    wrapped = wrap(stub, default_timeout=None, client_info=base.DEFAULT_CLIENT_INFO)
    # as the client's own method does (the asyncio client through its core)
    check = getattr(
        getattr(client, "_client", client), "_validate_universe_domain", None
    )

    def send(**options: Any) -> Any:
        if check is not None:
            check()
        return wrapped(**options)

    return send


def _serialized(request: Any) -> bytes:
    """A request's wire bytes (a raw protobuf message, or a proto-plus one)."""
    data: bytes = getattr(request, "_pb", request).SerializeToString()
    return data


def _answers(response: Any) -> list[_Wire | Any | UnocrError] | UnocrError:
    """Each image's answer of a batch response (a message, or its wire bytes).

    Returns:
        Per image: a :class:`_Wire` (bytes received), the real message (a
        message received, or bytes the flat schema refuses but protobuf
        reads), or the error of bytes that are no answer; an error for the
        whole batch where its bytes are no batch response.
    """
    if not isinstance(response, bytes):
        answers: Any = vision_v1.BatchAnnotateImagesResponse.pb(response).responses
        return list(answers)
    datas = read_batch(response)
    if datas is None:
        return FormatError(
            "Cloud Vision answered bytes that are no BatchAnnotateImagesResponse",
            backend="gcv",
        )
    out: list[_Wire | Any | UnocrError] = []
    for data in datas:
        head = read_head(data)
        if head is not None:
            out.append(_Wire(data, head))
            continue
        try:
            out.append(answer_message(data))
        except FormatError as err:
            out.append(err)
    return out


def _advance(steps: Generator[_Step, object, None], reply: object) -> _Step | None:
    """The exchange's next step, or ``None`` when it is over.

    (A ``StopIteration`` cannot cross into an asyncio future.)
    """
    try:
        return steps.send(reply)
    except StopIteration:
        return None


def _file_bytes(image: LoadedImage) -> bytes | None:
    """The file's own bytes to send, or ``None`` where the image is re-encoded."""
    if image.encoded is None:
        return None
    if image.format in _SEND_AS_IS:
        return image.encoded
    if image.format == "MPO":
        return _mpo_primary(image.encoded)
    return None


#: What opening a damaged MPO index may raise.
_MPO_ERRORS = (
    OSError,
    ValueError,
    LookupError,
    TypeError,
    Image.DecompressionBombError,
)


def _mpo_primary(data: bytes) -> bytes | None:
    """The first image of an MPO file, as is: a whole JPEG file of its own.

    An MPO file (what many cameras and phones write, Pillow's format
    ``"MPO"``) is a JPEG file with more images appended; its first image is
    the one shown, and what :func:`unocr.image.load_image` decodes. Its
    bytes are the file up to the size its MP index gives that image.

    Args:
        data: The MPO file.

    Returns:
        The first image's bytes, or ``None`` where the index does not mark a
        whole JPEG image there (the image is then re-encoded).
    """
    try:
        with Image.open(io.BytesIO(data)) as im:
            index = im.mpinfo if isinstance(im, MpoImageFile) else None
            size = int(index[0xB002][0]["Size"]) if index else 0
    except _MPO_ERRORS:
        return None
    primary, rest = data[:size], data[size:]
    whole = primary.startswith(b"\xff\xd8") and primary.endswith(b"\xff\xd9")
    if not whole or (rest and not rest.startswith(b"\xff\xd8")):
        return None
    return primary


def _resize(image: Image.Image, scale: float) -> Image.Image:
    size = (
        max(1, math.floor(image.width * scale)),
        max(1, math.floor(image.height * scale)),
    )
    return image.resize(size, Image.Resampling.LANCZOS)


def _encode(image: Image.Image, *, lossless: bool) -> bytes:
    buf = io.BytesIO()
    if lossless:
        image.save(buf, format="PNG", compress_level=3)
    else:
        image.convert("RGB").save(buf, format="JPEG", quality=90)
    return buf.getvalue()


def _redacted_copy(
    exc: gexc.GoogleAPICallError, redact: Callable[[str], str]
) -> BaseException | None:
    """The client's exception type with only its redacted message (no response)."""
    try:
        return type(exc)(redact(str(exc.message)))
    except Exception:  # an exception class with another signature: keep nothing
        return None


def _check_client_options(client_options: object) -> None:
    """Refuse a ``client_options`` that is neither a dict nor a ``ClientOptions``."""
    from google.api_core.client_options import ClientOptions

    if client_options is None or isinstance(client_options, Mapping | ClientOptions):
        return
    # the value is not shown: a string here may well be an API key
    raise ConfigError(
        "the gcv backend's option client_options must be a dict or a "
        "google.api_core.client_options.ClientOptions, got a "
        f"{type(client_options).__name__}; for another endpoint pass "
        "endpoint='host:port' or client_options={'api_endpoint': ...}",
        backend="gcv",
    )


def _options_dict(client_options: Any) -> dict[str, Any]:
    if client_options is None:
        return {}
    if isinstance(client_options, Mapping):
        return dict(client_options)
    return {
        k: v
        for k, v in vars(client_options).items()
        if v is not None and not k.startswith("_")
    }


def _options_key(client_options: Any) -> str | None:
    if client_options is None:
        return None
    if isinstance(client_options, Mapping):
        key = client_options.get("api_key")
    else:
        key = getattr(client_options, "api_key", None)
    return key if isinstance(key, str) else None

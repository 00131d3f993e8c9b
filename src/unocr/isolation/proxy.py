"""The backend that runs an engine in worker processes: :class:`IsolatedBackend`.

It is an ordinary :class:`~unocr.backends.base.Backend`: ``read``,
``read_many`` (each concurrent call on its own worker, so ``workers=N``
spreads a batch over N processes), ``unocr.read`` and ``unocr compare`` work
unchanged. Images are decoded and checked in the parent, exactly as in
process; the engine's page and its typed errors come back unchanged.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import PurePath
from typing import Any, ClassVar

from unocr.backends import base
from unocr.backends.deadline import cancelled_error, current_cancellation
from unocr.backends.options import shown_value
from unocr.errors import (
    BackendUnavailableError,
    ConfigError,
    EngineCrashedError,
    RecognitionError,
    UnocrError,
)
from unocr.image import DEFAULT_MAX_PIXELS, LoadedImage
from unocr.isolation.config import check_limits, is_bare_name, parse_memory
from unocr.isolation.pool import WorkerPool, WorkerSpec
from unocr.isolation.process import resident_bytes
from unocr.isolation.protocol import error_from_dict
from unocr.model import Block, Page
from unocr.model.serialize import page_from_dict

__all__ = ["IsolatedBackend"]


def _json_option(key: str, value: Any, backend: str, option: str | None = None) -> Any:
    """An engine option as a JSON value (paths as strings), or a ConfigError.

    Args:
        key: Where the value sits (``client_options.api_key`` inside a
            dictionary), for the message; a secret's value is never shown.
        value: The value.
        backend: The engine's name, for the error.
        option: The top-level option holding it; default ``key``.
    """
    option = option or key
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (os.PathLike, PurePath)):
        return os.fspath(value)
    if isinstance(value, (list, tuple)):
        return [_json_option(key, v, backend, option) for v in value]
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {
            k: _json_option(f"{key}.{k}", v, backend, option) for k, v in value.items()
        }
    # An object's repr may hold anything (a key inside client options): its
    # type alone; a built-in value as option messages show it.
    shown = (
        shown_value(key, value)
        if type(value).__module__ == "builtins"
        else f"a {type(value).__qualname__} object"
    )
    raise ConfigError(
        f"option {key}={shown} cannot be sent to an engine in another process: "
        "isolated engines take strings, numbers, booleans, paths, lists and "
        "dictionaries of these",
        backend=backend,
        option=option,
    )


class _Read(tuple[Block, ...]):
    """A page's blocks as the worker read them, with the worker's whole page."""

    page: Page


def _read(page: Page) -> _Read:
    out = _Read(page.blocks)
    out.page = page
    return out


class IsolatedBackend(base.Backend):
    """An engine hosted by worker processes, possibly in another environment.

    Create it with ``unocr.get_backend(name, python=...)`` or
    ``isolate=True``, or configure it once in ``unocr.toml`` (see
    :mod:`unocr.isolation.config`). One worker starts at once, so an engine
    that cannot start raises here, as in process; more start as concurrent
    calls need them. Each worker loads the model once.

    A worker that crashes, runs past ``timeout`` or grows past
    ``max_memory`` is stopped and replaced: that image fails with
    :class:`~unocr.errors.EngineCrashedError`,
    :class:`~unocr.errors.EngineTimeoutError` or
    :class:`~unocr.errors.EngineMemoryError` (with the worker's last lines of
    standard error) and the rest of a batch goes on. A worker whose read is
    cancelled (:func:`unocr.aread`'s task, a batch that ended early) is
    killed, so the engine's work stops, and replaced.

    Args:
        backend: The engine's name.
        python: Interpreter whose environment has the engine; default the
            running one. A relative path is taken from the current folder
            when the backend is made; a bare name such as ``python3`` is
            looked up on ``PATH`` then.
        processes: Most worker processes at once; ``None``: one per
            concurrent call.
        timeout: Seconds one image may take, > 0; ``None``: no limit. A
            chunk of ``read_many`` sent in one message has this for each of
            its images.
        max_memory: Resident memory a worker may use, in bytes or as
            ``"4G"``; checked every 20 ms during a call (Linux) and after it.
        languages: Default languages (ISO 639 codes).
        max_pixels: Refuse larger images before decoding them.
        source: Who chose the interpreter, for messages (a file path, an
            environment variable).
        target: ``module:attribute`` of the engine's factory, for engines
            the worker's registry does not know by name.
        **options: The engine's own options (JSON values and paths).

    Raises:
        unocr.errors.BackendUnavailableError: The interpreter does not exist
            (a bare name: is not on ``PATH``) or lacks unocr or the engine; the
            message names ``source``.
        unocr.errors.ConfigError: An option cannot be sent to a process.
        unocr.errors.UnocrError: The engine's own error on creation.
    """

    name: ClassVar[str] = "isolated"
    capabilities: ClassVar[base.Capabilities]
    batch_size: ClassVar[int] = 1
    thread_safe: ClassVar[bool] = True

    def __init__(
        self,
        backend: str,
        *,
        python: str | os.PathLike[str] | None = None,
        processes: int | None = None,
        timeout: float | None = None,
        max_memory: int | str | None = None,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
        source: str | None = None,
        target: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(languages=languages, max_pixels=max_pixels)
        processes, self.timeout = check_limits(processes, timeout)
        self.max_memory = None if max_memory is None else parse_memory(max_memory)
        if self.max_memory is not None and resident_bytes(os.getpid()) is None:
            raise ConfigError(
                "max_memory needs the Linux /proc file system to measure a worker's "
                "memory, which this system lacks; leave max_memory unset",
                backend=backend,
            )
        exe = os.fspath(python) if python is not None else None
        src = source or ("python=" if exe is not None else "isolate=True")
        if exe is None:
            exe = sys.executable
        elif is_bare_name(exe):
            found = shutil.which(exe)
            if found is None:
                raise BackendUnavailableError(
                    f"the interpreter {exe} set by {src} for the {backend} backend "
                    "was not found on PATH.",
                    backend=backend,
                    fix=f"install it, add its folder to PATH or give its path in {src}",
                )
            exe = found
        elif not (os.path.isfile(exe) and os.access(exe, os.X_OK)):
            raise BackendUnavailableError(
                f"the interpreter {exe} set by {src} for the {backend} backend "
                "does not exist or is not executable.",
                backend=backend,
                fix=f"create that environment (e.g. python3 -m venv, then pip install "
                f"'unocr[{backend}]' into it) or change {src}",
            )
        # A relative path (or a name found on PATH) names the interpreter from
        # the current folder now: workers started later (more, or
        # replacements) find the same one.
        # Not resolved further: a virtual environment's python is a symlink.
        exe = os.path.abspath(exe)
        self.python = exe
        self.source = src
        sent = {k: _json_option(k, v, backend) for k, v in options.items()}
        # what the caller gave, as a call in process passes it: an engine
        # whose constructor lacks these options runs isolated as it runs here
        if self.languages:
            sent["languages"] = list(self.languages)
        if max_pixels != DEFAULT_MAX_PIXELS:
            sent["max_pixels"] = max_pixels
        self._pool = WorkerPool(
            WorkerSpec(
                backend=backend, python=exe, options=sent, source=src, target=target
            ),
            processes=processes,
            max_memory=self.max_memory,
        )
        self._pool.release(self._pool.acquire())  # start one: errors surface now
        info = self._pool.info
        self.name = str(info.get("name") or backend)  # type: ignore[misc]
        # Chunks of read_many as the engine batches them, one message each.
        self.batch_size = max(1, int(info.get("batch_size") or 1))  # type: ignore[misc]
        caps = info.get("capabilities")
        if isinstance(caps, dict):
            caps = dict(caps)
            caps["levels"] = tuple(caps.get("levels") or ())
            if caps.get("languages") is not None:
                caps["languages"] = tuple(caps["languages"])
            self.capabilities = base.Capabilities(**caps)  # type: ignore[misc]
        # Calls the engine keeps in flight (Google Cloud Vision's concurrency):
        # read_many's fewest threads, each on its own worker process.
        self.min_workers = max(1, int(info.get("min_workers") or 1))
        self._stages = tuple(str(s) for s in info.get("stages") or ())
        self._batch_workers = 1  # processes working at once (read_many)

    def __repr__(self) -> str:
        return f"<IsolatedBackend {self.name!r} python={self.python}>"

    @property
    def pids(self) -> list[int]:
        """Process ids of the live worker processes."""
        return self._pool.pids

    def close(self) -> None:
        """Stop the worker processes, letting reads in progress finish.

        Idle workers stop at once; a worker busy with a read (on another
        thread) stops when that read has its answer, so the read returns its
        page as it would in process. Later reads raise
        :class:`~unocr.errors.RecognitionError`.
        """
        if not self._closed:
            self._pool.close()
        super().close()

    @property
    def stages(self) -> tuple[str, ...]:
        """The stages of the engine in its worker (see :meth:`Backend.detect`)."""
        return self._stages

    @contextmanager
    def _workers_scope(self, workers: int) -> Iterator[None]:
        # Each worker process then splits the cores as read_many's threads
        # would in process (e.g. 2 workers on 2 cores: 1 engine thread each);
        # threads beyond `processes` wait for a process, so they do not count.
        if self._pool.processes is not None:
            workers = min(workers, self._pool.processes)
        previous, self._batch_workers = self._batch_workers, workers
        try:
            yield
        finally:
            self._batch_workers = previous

    def _before_call(self) -> None:
        # After Ctrl-C the pool starts no workers until the next public call.
        self._pool.resume()

    def transfer(
        self, images: Sequence[LoadedImage], *, digest: bool = False
    ) -> list[dict[str, Any]]:
        """Send images to a worker without recognising them (the transfer alone).

        Args:
            images: Decoded images, sent in one message.
            digest: Have the worker hash the pixels it received.

        Returns:
            Per image, what the worker received: ``"size"`` [width, height]
            and ``"digest"``, the SHA-256 of its RGB bytes (or ``None``).
        """
        self._check_open()
        reply = self._exchange(
            {"op": "image", "digest": digest}, images, pages=len(images)
        )
        return list(reply["images"])

    def _exchange(
        self, header: dict[str, Any], images: Sequence[LoadedImage], *, pages: int = 1
    ) -> dict[str, Any]:
        """Send images to a free worker with a request; its answer.

        Args:
            header: The request.
            images: Its images, sent in the same message.
            pages: The pages it reads (a chunk of ``read_many``: its images;
                a stage's call: one): the worker has ``timeout`` for each.
        """
        self._check_open()  # closed since the call began: as a new call
        timeout = None if self.timeout is None else self.timeout * max(1, pages)
        token = current_cancellation()
        if token is not None and token.cancelled:
            raise cancelled_error(self.name)
        worker = self._pool.acquire()
        if token is not None and token.cancelled:
            # Cancelled while it waited for a worker: this one never ran it.
            self._pool.release(worker)
            raise cancelled_error(self.name)
        recycle = False
        # A cancelled read (unocr.aread's task, a batch that ended) kills its
        # worker with the programs it started, which stops the engine's work;
        # the pool starts a new one.
        forget = None if token is None else token.on_cancel(worker.kill_tree)
        try:
            metas, blobs = worker.pixels.pack(images)
            reply, _ = worker.call(
                {**header, "images": metas},
                blobs,
                timeout=timeout,
                max_memory=self.max_memory,
                backend=self.name,
            )
            if self.max_memory is not None:
                used = resident_bytes(worker.pid)
                recycle = used is not None and used > self.max_memory
        except EngineCrashedError:
            if token is not None and token.cancelled:
                raise cancelled_error(self.name) from None
            raise
        finally:
            if forget is not None:
                forget()
            self._pool.release(worker, recycle=recycle)
        if not reply.get("ok"):
            raise error_from_dict(reply.get("error") or {})
        return reply

    def _read_remote(
        self, images: Sequence[LoadedImage], languages: tuple[str, ...]
    ) -> list[Page | UnocrError]:
        """Recognise images in one worker (one engine batch); per-image results."""
        reply = self._exchange(
            {
                "op": "read",
                "languages": list(languages),
                "workers": self._batch_workers,
            },
            images,
            pages=len(images),
        )
        results = reply["results"]
        if len(results) != len(images):
            raise RecognitionError(
                f"the {self.name} worker answered {len(results)} results for "
                f"{len(images)} images",
                backend=self.name,
            )
        return [
            error_from_dict(r["error"]) if "error" in r else page_from_dict(r["page"])
            for r in results
        ]

    def _recognize_batch(
        self, images: base.LoadedImages, languages: base.Languages, clocks: base.Clocks
    ) -> base.BatchResults:
        out: base.BatchResults = []
        for page, clock in zip(
            self._read_remote(images, languages), clocks, strict=True
        ):
            if isinstance(page, UnocrError):
                out.append(page)
                continue
            # The worker's engine and conversion times; the page keeps what
            # the worker's engine stamped (see _stamp).
            clock.add("engine", page.timings.engine)
            clock.add("convert", page.timings.convert)
            out.append(_read(page))
        return out

    def _stamp(
        self,
        out: object,
        image: LoadedImage,
        languages: base.Languages,
        clock: base.Stopwatch,
    ) -> Page:
        """The worker's page, with this process's source and decode time.

        The worker's engine stamped it as in process (its languages, a
        cascade's engines...).
        """
        page = super()._stamp(out, image, languages, clock)
        if isinstance(out, _Read):
            page = out.page.replace(source=page.source, timings=page.timings)
        return page

    # --------------------------------------------------------------- stages
    def _detect(
        self, image: LoadedImage, languages: base.Languages, clock: base.Stopwatch
    ) -> Sequence[Block]:
        reply = self._exchange({"op": "detect", "languages": list(languages)}, [image])
        page = page_from_dict(reply["page"])
        clock.add("engine", page.timings.engine)
        clock.add("convert", page.timings.convert)
        return _read(page)

    def _recognize_crops(
        self, crops: base.Crops, languages: base.Languages, clock: base.Stopwatch
    ) -> base.Readings:
        images = [
            LoadedImage(image=crop, name=f"<crop {i}>", decode_seconds=0.0)
            for i, crop in enumerate(crops)
        ]
        reply = self._exchange(
            {"op": "recognize", "languages": list(languages)}, images
        )
        for phase, seconds in dict(reply.get("seconds") or {}).items():
            clock.add(str(phase), float(seconds))
        return [(str(text), confidence) for text, confidence in reply["texts"]]

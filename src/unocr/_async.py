"""The async API: :func:`aread` and :func:`aread_many` for asyncio code.

Nothing here blocks the event loop. Decoding, model loading and local engines
(Tesseract, RapidOCR, EasyOCR, keras-ocr) run on worker threads; an engine
with a native asyncio client (Google Cloud Vision's
``ImageAnnotatorAsyncClient``) defines ``async def _arecognize_batch`` and is
awaited on the loop itself, with the batching, retries and per-image errors of
its blocking path.

Cancelling the awaiting task stops the engine work it started: each thread
call carries a :class:`~unocr.backends.deadline.Cancellation` that the task's
cancellation sets. An engine that runs a program (Tesseract) has its process
group killed and reaped before the task finishes cancelling; an engine call
inside this process cannot be interrupted and finishes on its thread in the
background, its result dropped.

:func:`aread_many` reads a stream: inputs are pulled (and PDFs expanded) only
as engine calls free up, so at most about ``2 * workers`` batches are decoded
or waiting to be consumed at any time, however long the input.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import functools
import inspect
import os
import threading
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Iterable,
    Sequence,
)
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Literal, NoReturn, ParamSpec, TypeVar, cast, overload

from unocr._api import backend_for, read
from unocr.backends.base import (
    Backend,
    ItemFailure,
    Stopwatch,
    check_batch_arguments,
)
from unocr.backends.deadline import Cancellation, cancellation_scope
from unocr.backends.options import refuse_options
from unocr.documents import (
    DEFAULT_DPI,
    DEFAULT_MAX_PAGES,
    DocumentOptions,
    FailedInput,
    PageSpec,
    describe_item,
    expand,
    text_layer_page,
)
from unocr.documents import check_options as _check_document_options
from unocr.documents.reading import first_page_item
from unocr.errors import UnocrError
from unocr.image import ImageInput, LoadedImage
from unocr.model import Page

__all__ = ["aread", "aread_many"]

_T = TypeVar("_T")
_P = ParamSpec("_P")
Result = Page | ItemFailure
_Chunk = list[tuple[int, Any]]  # (result index, expanded input)

_shared_pool: ThreadPoolExecutor | None = None
_shared_pool_lock = threading.Lock()


def _default_pool() -> ThreadPoolExecutor:
    """The threads of :func:`aread` calls (one pool per process)."""
    global _shared_pool
    with _shared_pool_lock:
        if _shared_pool is None:
            _shared_pool = ThreadPoolExecutor(
                max_workers=min(32, (os.cpu_count() or 1) + 4),
                thread_name_prefix="unocr-aread",
            )
        return _shared_pool


def _scoped(token: Cancellation, fn: Callable[[], _T]) -> _T:
    if token.cancelled:  # cancelled while queued: start nothing
        raise asyncio.CancelledError
    with cancellation_scope(token):
        return fn()


async def _in_thread(fn: Callable[[], _T], executor: Executor) -> _T:
    """Await ``fn()`` run on ``executor``; cancelling the caller stops it.

    The call sees a fresh :class:`Cancellation` as its
    :func:`~unocr.backends.deadline.current_cancellation`. On cancellation a
    call still queued never starts; a running one is cancelled, and when it
    was listening (a program to kill) this waits until it has stopped, so no
    engine process outlives the cancelled task.
    """
    token = Cancellation()
    context = contextvars.copy_context()
    work = executor.submit(context.run, _scoped, token, fn)
    future = asyncio.wrap_future(work)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        stopping = token.cancel()
        try:
            if not work.cancel() and stopping:
                await asyncio.wait([future])  # a kill is quick; a 2nd cancel ends it
        finally:
            if not future.done():
                future.cancel()  # its late result is dropped, even after the loop
            elif not future.cancelled():
                future.exception()  # retrieved: the cancellation error is expected
        raise


async def _close(engine: Backend) -> None:
    """Close an engine made for one call (its asyncio channel too, if it has one)."""
    aclose = getattr(engine, "aclose", None)
    if aclose is not None:
        await aclose()
    else:
        engine.close()


def _reraise(exc: BaseException) -> NoReturn:
    raise exc


def _copy_error(err: UnocrError) -> UnocrError:
    """One error object per item of a failed batch (each gets its own index)."""
    out = copy.copy(err)
    out.__cause__ = err.__cause__
    return out


async def _native(
    engine: Backend,
    hook: Callable[..., Awaitable[Sequence[object]]],
    images: list[LoadedImage],
    languages: tuple[str, ...],
) -> list[Page | UnocrError]:
    """One awaited ``_arecognize_batch`` call, wrapped as the blocking path."""
    clocks = [Stopwatch() for _ in images]
    try:
        raw = await hook(images, languages, clocks)
    except Exception as exc:
        try:  # the blocking path's wrapping: tagged, stray errors made typed
            engine._call(
                functools.partial(_reraise, exc), f"batch of {len(images)} images"
            )
        except UnocrError as err:
            return [_copy_error(err) for _ in images]
    return engine._batch_pages(images, languages, clocks, raw, hook="_arecognize_batch")


def _prepare(
    engine: Backend, chunk: _Chunk, channel_order: Literal["rgb", "bgr"]
) -> tuple[dict[int, Result], list[tuple[int, LoadedImage]]]:
    """Text-layer pages, failures and decoded images of a chunk (on a thread)."""
    done: dict[int, Result] = {}
    loaded: list[tuple[int, LoadedImage]] = []
    for index, item in chunk:
        try:
            page = text_layer_page(item)
            if page is not None:
                done[index] = page
                continue
            image = engine._load_input(item, channel_order)
        except UnocrError as err:
            done[index] = engine._item_failure(index, describe_item(item), err)
        else:
            loaded.append((index, image))
    return done, loaded


def _collect(
    engine: Backend,
    chunk: _Chunk,
    done: dict[int, Result],
    loaded: list[tuple[int, LoadedImage]],
    outs: Sequence[Page | UnocrError],
) -> list[tuple[int, Result]]:
    """Every item's page or failure, in the chunk's order."""
    for (index, image), out in zip(loaded, outs, strict=True):
        done[index] = (
            out
            if isinstance(out, Page)
            else engine._item_failure(index, image.name, out)
        )
    return [(index, done[index]) for index, _ in chunk]


def _read_blocking(
    engine: Backend,
    chunk: _Chunk,
    languages: tuple[str, ...],
    channel_order: Literal["rgb", "bgr"],
) -> list[tuple[int, Result]]:
    """Decode and read a chunk on this (worker) thread."""
    done, loaded = _prepare(engine, chunk, channel_order)
    images = [image for _, image in loaded]
    outs = engine._read_chunk(images, languages) if images else []
    return _collect(engine, chunk, done, loaded, outs)


async def _read_chunk(
    engine: Backend,
    chunk: _Chunk,
    languages: tuple[str, ...],
    channel_order: Literal["rgb", "bgr"],
    executor: Executor,
) -> list[tuple[int, Result]]:
    """Read one chunk: on a thread, or decoded there and awaited natively."""
    hook = getattr(engine, "_arecognize_batch", None)
    if hook is None:
        return await _in_thread(
            functools.partial(_read_blocking, engine, chunk, languages, channel_order),
            executor,
        )
    done, loaded = await _in_thread(
        functools.partial(_prepare, engine, chunk, channel_order), executor
    )
    images = [image for _, image in loaded]
    outs = await _native(engine, hook, images, languages) if images else []
    return _collect(engine, chunk, done, loaded, outs)


async def _chunks(
    images: Iterable[ImageInput] | AsyncIterable[ImageInput],
    options: DocumentOptions,
    size: int,
    executor: Executor,
) -> AsyncGenerator[_Chunk, None]:
    """Chunks of ``size`` expanded inputs (documents become their pages)."""
    index = 0
    chunk: _Chunk = []

    async def inputs() -> AsyncIterator[ImageInput]:
        if isinstance(images, AsyncIterable):
            async for item in images:
                yield item
        else:
            for item in images:
                yield item

    try:
        async for item in inputs():
            # opening a PDF to count its pages reads the file: on a thread
            for part in await _in_thread(
                functools.partial(expand, [item], options), executor
            ):
                chunk.append((index, part))
                index += 1
                if len(chunk) == size:
                    yield chunk
                    chunk = []
    except Exception:
        if chunk:  # what the input gave before it failed is read too
            yield chunk
        raise
    if chunk:
        yield chunk


_END = object()


async def _next_chunk(chunks: AsyncIterator[_Chunk]) -> object:
    try:
        return await anext(chunks)
    except StopAsyncIteration:
        return _END


async def _stream(
    backend: str | Backend,
    options: dict[str, Any],
    images: Iterable[ImageInput] | AsyncIterable[ImageInput],
    doc: DocumentOptions,
    *,
    languages: str | Sequence[str] | None,
    workers: int,
    errors: Literal["raise", "return"],
    ordered: bool,
    channel_order: Literal["rgb", "bgr"],
) -> AsyncGenerator[tuple[int, Result], None]:
    """The engine of :func:`aread_many`: (index, result) pairs."""
    engine, shared = await _in_thread(
        functools.partial(backend_for, backend, options), _default_pool()
    )
    try:
        langs = engine._begin(languages)
        running = max(workers, int(engine.min_workers))
        pool = ThreadPoolExecutor(max_workers=running, thread_name_prefix="unocr-async")
        size = max(1, int(engine.batch_size))
        try:
            async with (
                contextlib.aclosing(_chunks(images, doc, size, pool)) as chunks,
                contextlib.aclosing(
                    _schedule(
                        chunks,
                        lambda chunk: _read_chunk(
                            engine, chunk, langs, channel_order, pool
                        ),
                        running=running,
                        ordered=ordered,
                    )
                ) as results,
            ):
                with engine._workers_scope(running):  # e.g. threads per call
                    async for index, result in results:
                        if errors == "raise" and isinstance(result, ItemFailure):
                            result.raise_()
                        yield index, result
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
    finally:
        if not shared:
            await _close(engine)


async def _schedule(
    chunks: AsyncIterator[_Chunk],
    read: Callable[[_Chunk], Awaitable[list[tuple[int, Result]]]],
    *,
    running: int,
    ordered: bool,
) -> AsyncGenerator[tuple[int, Result], None]:
    """Read chunks, ``running`` at once, pulling the next only when there is room.

    At most ``2 * running`` chunks are started and not yet handed out, so a
    consumer that stops taking results stops the reading too. Leaving early
    cancels the reads in flight (and waits until they have stopped). When
    ``chunks`` raises, the chunks it gave before are still read and handed
    out; its exception is raised after them.
    """
    window = 2 * running
    tasks: dict[asyncio.Future[list[tuple[int, Result]]], int] = {}
    finished: dict[int, list[tuple[int, Result]]] = {}
    pull: asyncio.Future[object] | None = None
    started = handed = 0  # chunks
    exhausted = False
    broken: Exception | None = None  # how the input stream failed, if it did
    try:
        while True:
            room = len(tasks) < running and started - handed < window
            if pull is None and not exhausted and room:
                pull = asyncio.ensure_future(_next_chunk(chunks))
            waiting: set[asyncio.Future[Any]] = set(tasks)
            if pull is not None:
                waiting.add(pull)
            if not waiting:
                if broken is not None:
                    raise broken
                return
            ready, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if pull is not None and pull in ready:
                try:
                    chunk = pull.result()
                except Exception as exc:
                    # what the stream gave before it failed is read and
                    # yielded first; its error is raised after
                    chunk, broken = _END, exc
                pull = None
                if chunk is _END:
                    exhausted = True
                else:
                    tasks[asyncio.ensure_future(read(cast(_Chunk, chunk)))] = started
                    started += 1
            for done in [t for t in ready if t in tasks]:
                finished[tasks.pop(done)] = done.result()
            while finished:
                number = handed if ordered else next(iter(finished))
                if number not in finished:
                    break  # an earlier chunk is still being read
                for pair in finished.pop(number):
                    yield pair
                handed += 1
    finally:
        pending: list[asyncio.Future[Any]] = [*tasks]
        if pull is not None:
            pending.append(pull)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


_READ_SIGNATURE = inspect.signature(read)


def _takes_arguments_of(
    sync: Callable[_P, Page],
) -> Callable[
    [Callable[..., Coroutine[Any, Any, Page]]], Callable[_P, Coroutine[Any, Any, Page]]
]:
    """Give an async twin ``sync``'s parameters: one signature for both.

    Type checkers check the twin's calls against ``sync``'s parameters, and
    :func:`inspect.signature` (help, documentation) shows them; the twin
    binds its arguments with :meth:`inspect.Signature.bind`.
    """

    def twin(
        function: Callable[..., Coroutine[Any, Any, Page]],
    ) -> Callable[_P, Coroutine[Any, Any, Page]]:
        function.__signature__ = inspect.signature(sync)  # type: ignore[attr-defined]
        return function

    return twin


def _first_page(image: ImageInput, options: DocumentOptions) -> Any:
    """What :func:`aread` reads (a failure to look at the input, as one)."""
    try:
        return first_page_item(image, options)
    except UnocrError as err:
        return FailedInput(describe_item(image), err)


@_takes_arguments_of(read)
async def aread(*args: Any, **kwargs: Any) -> Page:
    """Recognise one image (or page 1 of a PDF) without blocking the event loop.

    The async twin of :func:`unocr.read`: it takes :func:`unocr.read`'s
    arguments (its signature, for type checkers and :func:`inspect.signature`
    alike), uses the same cached engines and returns the page
    :func:`unocr.read` returns. Cancelling the awaiting task stops the engine
    work (a Tesseract process is killed and reaped before the cancellation
    completes).

    Raises:
        TypeError: The arguments do not fit :func:`unocr.read`'s signature
            (raised when the call is awaited).
        unocr.errors.ImageError: The input cannot be read.
        unocr.errors.RecognitionError: The engine failed.
    """
    try:
        call = _READ_SIGNATURE.bind(*args, **kwargs)
    except TypeError as unfit:
        raise TypeError(f"aread(): {unfit}") from None
    call.apply_defaults()
    given = call.arguments
    image: ImageInput = given["image"]
    backend: str | Backend = given["backend"]
    languages: str | Sequence[str] | None = given["languages"]
    channel_order: Literal["rgb", "bgr"] = given["channel_order"]
    options: dict[str, Any] = given["options"]
    doc = DocumentOptions(
        given["dpi"], None, given["password"], given["text_layer"], given["max_pages"]
    )
    doc = _check_document_options(doc)
    pool = _default_pool()
    engine, shared = await _in_thread(
        functools.partial(backend_for, backend, options), pool
    )
    try:
        langs = engine._begin(languages)
        item = await _in_thread(functools.partial(_first_page, image, doc), pool)
        ((_, result),) = await _read_chunk(
            engine, [(0, item)], langs, channel_order, pool
        )
        if isinstance(result, ItemFailure):
            err = result.error
            err.item = describe_item(image)  # not a batch: the input, not 0
            raise err
        return result
    finally:
        if not shared:
            await _close(engine)


@overload
def aread_many(
    images: Iterable[ImageInput] | AsyncIterable[ImageInput],
    backend: str | Backend = ...,
    *,
    languages: str | Sequence[str] | None = ...,
    channel_order: Literal["rgb", "bgr"] = ...,
    workers: int = ...,
    errors: Literal["raise", "return"] = ...,
    ordered: Literal[True] = ...,
    dpi: float = ...,
    pages: PageSpec = ...,
    password: str | None = ...,
    text_layer: bool = ...,
    max_pages: int | None = ...,
    **options: Any,
) -> AsyncIterator[Result]: ...


# As completed: the other keywords as above, typed here as engine options.
@overload
def aread_many(
    images: Iterable[ImageInput] | AsyncIterable[ImageInput],
    backend: str | Backend = ...,
    *,
    ordered: Literal[False],
    **options: Any,
) -> AsyncIterator[tuple[int, Result]]: ...


def aread_many(
    images: Iterable[ImageInput] | AsyncIterable[ImageInput],
    backend: str | Backend = "tesseract",
    *,
    languages: str | Sequence[str] | None = None,
    channel_order: Literal["rgb", "bgr"] = "rgb",
    workers: int = 1,
    errors: Literal["raise", "return"] = "raise",
    ordered: bool = True,
    dpi: float = DEFAULT_DPI,
    pages: PageSpec = None,
    password: str | None = None,
    text_layer: bool = False,
    max_pages: int | None = DEFAULT_MAX_PAGES,
    **options: Any,
) -> AsyncIterator[Result] | AsyncIterator[tuple[int, Result]]:
    """Recognise a stream of images and documents without blocking the event loop.

    The async twin of :func:`unocr.read_many`: ``async for page in
    unocr.aread_many(paths): ...``. Inputs are pulled lazily (a plain or an
    async iterable), so a long or endless input is read with bounded memory;
    every page of a PDF or multi-page TIFF is a result of its own. Leaving
    the loop early (``break``) or cancelling the consuming task cancels the
    engine calls in flight.

    Args:
        images: Inputs as for :func:`unocr.read_many`, in a list, a generator
            or an async iterable. A plain iterable is iterated on the event
            loop: if producing an item blocks, make it an async iterable.
        backend: Engine name or backend object.
        languages: ISO 639 codes.
        channel_order: ``"bgr"`` for arrays from OpenCV.
        workers: Engine calls in flight at once (at least the engine's
            ``min_workers``: a network engine's requests in flight); batching
            engines (GCV, keras-ocr) get ``batch_size`` images per call.
        errors: ``"raise"`` raises a failure when its turn comes (the results
            before it have been yielded); ``"return"`` yields an
            :class:`~unocr.backends.base.ItemFailure` in its place.
        ordered: ``True``: results in input order. ``False``: ``(index,
            result)`` pairs as they finish, ``index`` the result's position in
            input order.
        dpi: Resolution PDF pages are rendered at, in pixels per inch.
        pages: Pages of every document to read, numbered from 1; ``None``: all.
        password: Password of encrypted PDFs.
        text_layer: Take a PDF page's words from its text layer where it has one.
        max_pages: Refuse to read more pages than this from one PDF (the
            pages selected; ``None``: no limit).
        **options: The engine's own options.

    Returns:
        An async iterator of pages (or item failures), or of ``(index,
        result)`` pairs with ``ordered=False``.

    Raises:
        unocr.errors.ConfigError: ``workers`` < 1, an unknown ``errors``
            mode, or engine options given with a backend object (at once).
        unocr.errors.UnocrError: With ``errors="raise"``, a failure (while
            iterating).
    """
    check_batch_arguments(images, workers, errors)
    doc = _check_document_options(
        DocumentOptions(dpi, pages, password, text_layer, max_pages)
    )
    refuse_options(backend, options)
    pairs = _stream(
        backend,
        options,
        images,
        doc,
        languages=languages,
        workers=workers,
        errors=errors,
        ordered=ordered,
        channel_order=channel_order,
    )
    return pairs if not ordered else _results(pairs)


async def _results(
    pairs: AsyncGenerator[tuple[int, Result], None],
) -> AsyncGenerator[Result, None]:
    try:
        async for _, result in pairs:
            yield result
    finally:
        await pairs.aclose()

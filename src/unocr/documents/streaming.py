"""Reading many inputs with results handed over as each one finishes.

:func:`iter_items` is :func:`~unocr.documents.reading.read_items` for callers
that write results while the batch is still running (``unocr read`` on a
folder): it yields ``(index, page or failure)`` pairs as the engine finishes
them, not one list at the end.

The items are cut into chunks of the engine's ``batch_size`` and each chunk
goes through the engine's own
:meth:`~unocr.backends.base.Backend.read_many` (so batching and per-item
errors are the same as there), on ``workers`` threads (at least the engine's
``min_workers``). The engine's ``_workers_scope`` hook is entered once for the
whole stream with that number of threads, so an engine that divides the cores
among concurrent calls does so as in one ``read_many(workers=N)``. Chunks are
started in input order, and never more than ``window`` chunks past the first
unfinished one: a caller that writes in input order buffers at most that many
chunks of pages, however slow one item is. Closing the iterator (``break``,
an exception, Ctrl-C) starts no further chunk and cancels the chunks already
running (:func:`~unocr.backends.deadline.batch_cancellation`): a Tesseract
program is killed at once; an engine running in this process finishes its
call in the background, its result dropped.
"""

from __future__ import annotations

from collections.abc import Generator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, Any, Literal

from unocr.backends.deadline import batch_cancellation, cancellation_scope
from unocr.backends.options import check_count
from unocr.documents.reading import placed, text_layer_result

if TYPE_CHECKING:
    from unocr.backends.base import Backend, ItemFailure
    from unocr.model import Page

__all__ = ["iter_items"]

#: Chunks that may be started per worker thread past the first unfinished one.
WINDOW_PER_WORKER = 4

_Result = tuple[int, "Page | ItemFailure"]


def iter_items(
    engine: Backend,
    items: Sequence[Any],
    *,
    languages: str | Sequence[str] | None = None,
    workers: int = 1,
    channel_order: Literal["rgb", "bgr"] = "rgb",
    window: int | None = None,
) -> Generator[_Result, None, None]:
    """Read expanded items on worker threads; yield each result as it finishes.

    Args:
        engine: The backend (kept open by the caller).
        items: Inputs already expanded into pages
            (:func:`~unocr.documents.expand`): paths, bytes, page references.
        languages: ISO 639 codes; default the backend's.
        workers: Engine calls running at once (threads; at least the engine's
            ``min_workers``).
        channel_order: For numpy arrays.
        window: Most chunks started past the first unfinished one (default
            :data:`WINDOW_PER_WORKER` per thread); bounds the pages a caller
            writing in input order holds back.

    Yields:
        ``(index, result)``: the item's position in ``items`` and its page, or
        an :class:`~unocr.backends.base.ItemFailure` (with that index) when it
        failed. Every index comes exactly once, in finishing order.

    Raises:
        unocr.errors.ConfigError: ``workers`` or ``window`` is not a whole
            number >= 1.
    """
    check_count(workers, "workers")
    check_count(window, "window", none=True)
    size = max(1, int(engine.batch_size))
    chunks = [range(i, min(i + size, len(items))) for i in range(0, len(items), size)]
    if not chunks:
        return
    threads = min(max(workers, int(engine.min_workers)), len(chunks))
    ahead = window if window is not None else WINDOW_PER_WORKER * threads

    def run(chunk: range) -> list[_Result]:
        with cancellation_scope(token):  # the batch's, below
            return read_chunk(chunk)

    def read_chunk(chunk: range) -> list[_Result]:
        done: list[_Result] = []
        rest: list[int] = []
        for i in chunk:
            early = text_layer_result(items[i], i)
            if early is None:
                rest.append(i)
            else:
                done.append((i, early))
        if rest:
            out = engine.read_many(  # one thread: the stream's threads run it
                [items[i] for i in rest],
                languages=languages,
                workers=1,
                errors="return",
                channel_order=channel_order,
            )
            done.extend(
                (i, placed(result, i)) for i, result in zip(rest, out, strict=True)
            )
        return done

    pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="unocr-stream")
    running: dict[Future[list[_Result]], int] = {}
    finished: set[int] = set()
    first_open = 0  # the first chunk not yet finished
    started = 0
    # the cores split once for the stream, as in one read_many(workers=threads)
    with engine._workers_scope(threads), batch_cancellation() as token:
        try:
            while first_open < len(chunks):
                while started < len(chunks) and started < first_open + ahead:
                    running[pool.submit(run, chunks[started])] = started
                    started += 1
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in sorted(done, key=running.__getitem__):
                    finished.add(running.pop(future))
                    yield from future.result()
                while first_open in finished:
                    finished.discard(first_open)
                    first_open += 1
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

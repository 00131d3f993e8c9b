"""Dask distributed: read images on a cluster, one model load per Dask worker.

Install with ``pip install 'unocr[dask]'`` (``dask[distributed]``); Dask is
imported only when these functions run. The same code runs on a laptop's
``LocalCluster`` and on a real cluster::

    from distributed import Client
    import unocr.dask

    client = Client("tcp://scheduler:8786")   # or Client(LocalCluster(...))
    pages = unocr.dask.map_pages(client, paths, "tesseract", languages="en")
    for page in pages:
        if page:
            print(page.source.name, page.text[:40])
        else:
            print("failed:", page.error)

Each Dask worker process builds the backend the first time a task needs it
and keeps it for the tasks that follow (:func:`unocr.executors.worker_backend`):
the client sends only the engine's name and options. The engines (and their
models) must be installed on the workers; the client needs only unocr.

Inputs are sent as :func:`unocr.executors.sendable` prepares them: paths are
opened by the workers (use storage every worker sees, or send bytes), bytes
and file objects travel as bytes, PIL images as portable copies; an input
of no kind unocr reads fails alone, as in process.

* :func:`map_pages` returns the pages now, in input order, with a per-item
  :class:`~unocr.backends.base.ItemFailure` for inputs that failed, including
  :class:`~unocr.errors.WorkerLostError` for an item whose worker was lost
  (Dask retries a task on another worker first: see the scheduler's
  ``allowed-failures`` setting), and
  :class:`~unocr.errors.NoWorkersError` for the items still waiting when the
  cluster has had no running worker for ``no_workers_timeout`` seconds.
* :func:`read_bag` returns a lazy ``dask.bag.Bag`` of pages, for pipelines
  that go on in Dask. It follows Dask's semantics for workers: a worker lost
  running a partition fails the whole computation (``KilledWorker``), and a
  cluster without workers waits as long as the scheduler does; use
  :func:`map_pages` for per-item errors and a bounded wait.
* ``unocr.read_many(images, name, executor=client.get_executor())`` works
  too (and builds no engine in the client either).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from unocr.backends.base import Backend, ItemFailure
from unocr.backends.options import check_count, check_seconds, refuse_options
from unocr.documents import check_many, describe_item
from unocr.errors import BackendUnavailableError, UnocrError
from unocr.executors import (
    DASK_NO_WORKERS_TIMEOUT,
    BackendSpec,
    read_on_executor,
    sendable,
    worker_backend,
)
from unocr.image import ImageInput
from unocr.languages import normalize_languages
from unocr.model import Page

if TYPE_CHECKING:
    import dask.bag
    from distributed import Client

__all__ = ["map_pages", "read_bag"]


def _require_dask() -> None:
    try:
        import dask.bag  # noqa: F401
        import distributed  # noqa: F401
    except ImportError as exc:
        raise BackendUnavailableError(
            f"unocr.dask needs Dask distributed, which is not installed ({exc}).",
            fix="pip install 'unocr[dask]'",
        ) from exc


def _spec(backend: str | Backend, options: dict[str, Any]) -> BackendSpec:
    if isinstance(backend, Backend):
        refuse_options(backend, options)
        return BackendSpec.of(backend)
    return BackendSpec.named(backend, options)


def map_pages(
    client: Client,
    images: Iterable[ImageInput],
    backend: str | Backend = "tesseract",
    *,
    languages: str | Sequence[str] | None = None,
    errors: Literal["raise", "return"] = "return",
    progress: Callable[[int], None] | None = None,
    channel_order: Literal["rgb", "bgr"] = "rgb",
    chunk_size: int = 1,
    no_workers_timeout: float | None = DASK_NO_WORKERS_TIMEOUT,
    **options: Any,
) -> list[Page | ItemFailure]:
    """Read images on a Dask cluster; pages in input order.

    A batch never waits for ever for workers that are gone. When no item has
    finished for a while, the client asks the scheduler for a running worker
    (Dask's ``Client.wait_for_workers``); if none runs for
    ``no_workers_timeout`` seconds (all workers closed, retired, lost for good
    or paused), the items not yet finished fail with
    :class:`~unocr.errors.NoWorkersError` and their tasks are cancelled; the
    finished items keep their pages. Dask's own bound, the scheduler's
    ``distributed.scheduler.no-workers-timeout``, is off by default and set
    only where the scheduler starts, so the client cannot rely on it; where
    it is on, its ``NoWorkerError`` (and ``NoValidWorkerError``, for tasks no
    worker's restrictions allow) fail the items the same way.

    Args:
        client: A connected ``distributed.Client``.
        images: Paths (seen by the workers), bytes, file objects, PIL images
            or arrays; every page of a PDF or multi-page TIFF is an item.
        backend: Engine name (built on the workers only) or a backend object
            (rebuilt on each worker from its class and options).
        languages: ISO 639 codes; default the engine's.
        errors: ``"return"`` (default) puts an ItemFailure in a failed item's
            place; ``"raise"`` raises the first failure and cancels the rest.
        progress: Called in the client with the number of items just finished.
        channel_order: ``"bgr"`` for arrays from OpenCV.
        chunk_size: Items per Dask task (raise it for engines that batch, or
            to spread a task's overhead over more images).
        no_workers_timeout: Seconds to wait while the cluster has no running
            worker before the unfinished items fail (they fail at most this
            long plus ``min(no_workers_timeout, 5)`` s after the last item
            finished or the last worker went, whichever is later);
            raise it for a cluster that starts workers slowly (adaptive
            scaling from zero); ``None`` waits as long as Dask does.
        **options: The engine's own options (with a name).

    Returns:
        One page or :class:`~unocr.backends.base.ItemFailure` per image or
        document page.

    Raises:
        unocr.errors.BackendUnavailableError: Dask is not installed.
        unocr.errors.ConfigError: An option cannot be pickled, or
            ``chunk_size`` or ``no_workers_timeout`` is out of range.
        unocr.errors.UnknownOptionError: An option the engine does not have.
    """
    _require_dask()
    check_many(images)
    check_count(chunk_size, "chunk_size")
    check_seconds(no_workers_timeout, "no_workers_timeout")
    return read_on_executor(
        _spec(backend, options),
        images,
        client.get_executor(pure=False),  # type: ignore[no-untyped-call]
        languages=normalize_languages(languages),
        errors=errors,
        progress=progress,
        channel_order=channel_order,
        chunk_size=chunk_size,
        no_workers_timeout=no_workers_timeout,
    )


def _bag_item(image: ImageInput) -> list[Any]:
    """An input as it goes into a bag: its items, or the path itself.

    A path stays a path, for its worker to open (and split into pages);
    anything else is prepared in the client
    (:func:`~unocr.executors.sendable`), since it cannot travel as given.
    """
    if isinstance(image, (str, os.PathLike)):
        return [image]
    return sendable([image])


def _read_partition(
    part: Sequence[tuple[int, list[Any]]],
    spec: bytes,
    languages: tuple[str, ...],
    channel_order: Literal["rgb", "bgr"],
) -> list[Page | ItemFailure]:
    """One bag partition: each input's pages, failures indexed by input position.

    ``spec`` is the backend's pickled spec, loaded here
    (:func:`~unocr.executors.worker_backend`): one this worker cannot load
    fails the items.
    """
    from unocr.documents import expand

    owners: list[int] = []
    items: list[Any] = []
    for index, prepared in part:
        pages = expand(prepared)  # a path's pages; the prepared items as they are
        owners += [index] * len(pages)
        items += pages
    try:
        engine = worker_backend(spec)
    except UnocrError as err:
        return [
            ItemFailure(index=i, source=describe_item(item), error=_with_item(err, i))
            for i, item in zip(owners, items, strict=True)
        ]
    out = engine.read_many(
        items, languages=languages, errors="return", channel_order=channel_order
    )
    return [
        ItemFailure(index=i, source=r.source, error=_with_item(r.error, i))
        if isinstance(r, ItemFailure)
        else r
        for i, r in zip(owners, out, strict=True)
    ]


def _with_item(err: UnocrError, index: int) -> UnocrError:
    import copy

    err = copy.copy(err)
    err.item = index
    return err


def read_bag(
    images: Iterable[ImageInput],
    backend: str | Backend = "tesseract",
    *,
    npartitions: int | None = None,
    partition_size: int | None = None,
    languages: str | Sequence[str] | None = None,
    channel_order: Literal["rgb", "bgr"] = "rgb",
    **options: Any,
) -> dask.bag.Bag:
    """A lazy Dask bag of the pages of ``images``, in input order.

    Each partition is one task: its worker reads the partition's inputs in
    one :meth:`~unocr.backends.base.Backend.read_many` call with the
    worker's cached backend. Compute it with any Dask scheduler (a
    ``Client`` makes it run on the cluster).

    Inputs are prepared in the client as for :func:`map_pages` (a file
    object read to bytes, a PIL image copied so that it pickles); paths are
    opened by the workers. Unreadable inputs (an input of no kind unocr
    reads among them), a backend a worker cannot load or build, and engine
    errors are ItemFailures in the bag, but workers are Dask's business
    here: a worker that dies running a partition fails ``compute()`` with
    Dask's ``KilledWorker`` once the scheduler's ``allowed-failures``
    retries are spent (a dead process cannot report per item, and a bag has
    no per-item place for an error Dask raises), and a cluster without
    workers waits as the scheduler does (its
    ``distributed.scheduler.no-workers-timeout``). For a per-item
    :class:`~unocr.errors.WorkerLostError` and a bounded wait, use
    :func:`map_pages`.

    Args:
        images: Inputs as for :func:`map_pages`.
        backend: Engine name or backend object.
        npartitions: Partitions (tasks); default Dask's choice.
        partition_size: Inputs per partition, instead of ``npartitions``.
        languages: ISO 639 codes.
        channel_order: ``"bgr"`` for arrays from OpenCV.
        **options: The engine's own options (with a name).

    Returns:
        A bag of pages and ItemFailures: one per image, every page of a
        document; an ItemFailure's ``index`` is its input's position.

    Raises:
        unocr.errors.BackendUnavailableError: Dask is not installed.
        unocr.errors.ConfigError: An option cannot be pickled (the message
            names it).
        unocr.errors.UnknownOptionError: An option the engine does not have.
    """
    _require_dask()
    check_many(images)
    import dask.bag as db
    from distributed.protocol.pickle import dumps

    spec = _spec(backend, options).pickled(dumps)  # as map_pages sends it
    numbered = [(i, _bag_item(image)) for i, image in enumerate(images)]
    bag = db.from_sequence(  # type: ignore[no-untyped-call]
        numbered, npartitions=npartitions, partition_size=partition_size
    )
    pages: dask.bag.Bag = bag.map_partitions(
        _read_partition, spec, normalize_languages(languages), channel_order
    )
    return pages

"""``read_many`` on any :class:`concurrent.futures.Executor`.

``backend.read_many(images, executor=pool)`` (and ``unocr.read_many(...,
executor=pool)``) runs a batch on a ``ThreadPoolExecutor``, a
``ProcessPoolExecutor``, a Dask ``Client.get_executor()`` or any other
executor, with the same results as in process: one page or
:class:`~unocr.backends.base.ItemFailure` per image or document page, in
input order.

What travels to a worker process is a :class:`BackendSpec`, the backend's
class (or registered name) and its construction options, never the loaded
engine: each worker process builds the backend the first time it needs it
and keeps it (:func:`worker_backend`, a cache keyed by the pickled spec and
the worker's ``unocr.toml``), so a model loads once per worker process however
many tasks it runs, and again when that file changes. The spec travels as
its pickled bytes and is loaded inside the task, so a worker that cannot
load it (its class or an option's function defined in ``__main__`` or a
notebook, which a ``spawn`` worker does not have) fails the items, not the
pool. A thread pool shares the caller's backend object as it is.

Images travel as they were given once documents are expanded: paths as
paths (a worker opens the file, so it must see the same file system), bytes
and file objects as bytes, PDF and multi-page TIFF pages as references (the
document's path or bytes and a page number); PIL images as portable
copies; arrays are pickled (:func:`sendable`). One task reads a chunk of
:attr:`~unocr.backends.base.Backend.batch_size` items.

Failures:

* an executor already shut down (or whose Dask client is closed) and an
  option that cannot be pickled for the executor's worker processes raise
  :class:`~unocr.errors.ConfigError`, naming the option, before any work
  starts;
* an input of no kind unocr reads (neither a path, bytes, a file object, a
  PIL image nor an array) fails alone with :class:`~unocr.errors.ImageError`,
  as in process, and is never sent;
* a backend a worker cannot load or build fails each item with the error
  (a :class:`~unocr.errors.ConfigError` naming what could not be loaded, or
  the build's error); the worker tries it once per batch
  (:func:`worker_backend`);
* a worker process lost during a task (a ``ProcessPoolExecutor`` worker that
  died, which breaks that pool; a Dask ``KilledWorker``) fails that task's
  items with :class:`~unocr.errors.WorkerLostError` while finished items keep
  their pages; any other exception of the executor, when it runs a task
  or refuses it at submission (a task it cannot serialise), fails that
  task's items with :class:`~unocr.errors.RecognitionError`;
* on a Dask executor, a cluster left with no running worker for
  ``no_workers_timeout`` seconds (:data:`DASK_NO_WORKERS_TIMEOUT` by default)
  fails the items not yet finished with :class:`~unocr.errors.NoWorkersError`
  instead of waiting for ever (see :class:`_NoWorkersWatch`).
"""

from __future__ import annotations

import copy
import io
import pickle
import queue
import reprlib
import uuid
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import (
    BrokenExecutor,
    CancelledError,
    Executor,
    Future,
    ThreadPoolExecutor,
)
from dataclasses import dataclass, field
from typing import Any, Literal

from unocr._build_once import BuildOnce
from unocr.backends.base import Backend, ItemFailure, Stopwatch
from unocr.documents import FailedInput, PageRef, check_many, describe_item, expand
from unocr.errors import (
    ConfigError,
    ImageError,
    NoWorkersError,
    RecognitionError,
    UnocrError,
    WorkerLostError,
)
from unocr.image import (
    ImageInput,
    LoadedImage,
    check_encoded_source,
    portable_image,
    read_file_object,
)
from unocr.model import Block, Page

__all__ = [
    "DASK_NO_WORKERS_TIMEOUT",
    "BackendSpec",
    "RemoteBackend",
    "clear_worker_backends",
    "read_on_executor",
    "sendable",
    "worker_backend",
]

#: Exception type names of executors that mean "the worker process was lost".
_LOST = frozenset({"KilledWorker", "CommClosedError", "FutureCancelledError"})
#: ... and "no worker could run the task for the time allowed": the scheduler's
#: ``no-workers-timeout`` errors and ``Client.wait_for_workers``'s time-out.
_NO_WORKERS = frozenset(
    {"NoWorkerError", "NoValidWorkerError", "WorkerStartTimeoutError"}
)

#: Seconds a batch on a Dask executor waits while the cluster has no running
#: worker before its unfinished items fail with NoWorkersError.
DASK_NO_WORKERS_TIMEOUT = 120.0


@dataclass(frozen=True)
class BackendSpec:
    """How to build a backend: what an executor's worker receives instead of it.

    Attributes:
        name: The engine's registered name.
        options: Keyword options of the constructor (or of
            :func:`unocr.get_backend`).
        factory: The backend class to call; ``None`` builds by name with
            :func:`unocr.get_backend` (the worker's registry and
            ``unocr.toml`` apply there).
        args: Positional arguments of ``factory``.
    """

    name: str
    options: Mapping[str, Any] = field(default_factory=dict)
    factory: type[Backend] | None = None
    args: tuple[Any, ...] = ()

    @classmethod
    def of(cls, backend: Backend) -> BackendSpec:
        """The spec that rebuilds ``backend``: its class and construction options."""
        if isinstance(backend, RemoteBackend):
            return backend.spec
        args, options = getattr(backend, "_construction", ((), {}))
        return cls(backend.name, dict(options), type(backend), tuple(args))

    @classmethod
    def named(cls, name: str, options: Mapping[str, Any]) -> BackendSpec:
        """The spec of ``unocr.get_backend(name, **options)``.

        Unknown options, and values of another type than the engine's
        class declares, are refused here when that class can be imported in
        this process (else by the workers, per item). So is this process's
        own ``unocr.toml`` when malformed or when a ``[backends.NAME]`` table
        names no engine (the workers leave names to their parent).

        Raises:
            unocr.errors.BackendNotFoundError: Unknown name.
            unocr.errors.UnknownOptionError: An option the engine does not have.
            unocr.errors.ConfigError: An option's value is of the wrong type,
                or the configuration file is malformed or names no engine.
        """
        from unocr.backends.options import check_options
        from unocr.errors import BackendUnavailableError
        from unocr.isolation.config import configured_options
        from unocr.registry import canonical_name, resolve_backend

        canonical = canonical_name(name)
        configured_options(canonical)  # checks the file as a build here would
        try:
            _, factory = resolve_backend(canonical)
        except BackendUnavailableError:
            pass  # maybe installed on the workers only
        else:
            from unocr.isolation import ISOLATION_OPTIONS
            from unocr.isolation.config import isolates

            skip = {*ISOLATION_OPTIONS, *(("timeout",) if isolates(options) else ())}
            engine = {k: v for k, v in options.items() if k not in skip}
            check_options(canonical, factory, engine)
        return cls(canonical, dict(options))

    def build(self) -> Backend:
        """Build the backend (loads its model)."""
        if self.factory is None:
            from unocr._api import get_backend

            return get_backend(self.name, **self.options)
        return self.factory(*self.args, **self.options)

    def pickled(self, dumps: Callable[[Any], bytes] = pickle.dumps) -> bytes:
        """The spec as ``dumps`` sends it; also its cache key on the workers.

        Args:
            dumps: The executor's pickler (``pickle.dumps``; Dask's
                cloudpickle-based one for a Dask executor).

        Raises:
            unocr.errors.ConfigError: An option (or the class) cannot be
                pickled; the message names it.
        """
        try:
            return dumps(self)
        except Exception as whole:
            named = [(f"option {k}", v) for k, v in self.options.items()]
            named += [(f"argument {i + 1}", v) for i, v in enumerate(self.args)]
            named.append(("class", self.factory))
            for what, value in named:
                try:
                    dumps(value)
                except Exception as exc:
                    raise ConfigError(
                        f"{what}={value!r} of the {self.name} backend cannot be "
                        f"sent to the executor's worker processes "
                        f"({type(exc).__name__}: {exc}); pass a value that pickles "
                        "(a module-level function instead of a lambda or local "
                        "function, a path instead of an open file), or use a "
                        "ThreadPoolExecutor",
                        backend=self.name,
                    ) from exc
            raise ConfigError(
                f"the {self.name} backend cannot be sent to the executor's worker "
                f"processes ({type(whole).__name__}: {whole})",
                backend=self.name,
            ) from whole

    @staticmethod
    def loads(data: bytes) -> BackendSpec:
        """The spec from its pickled form (:meth:`pickled`), in a worker process.

        Raises:
            unocr.errors.ConfigError: The spec cannot be loaded here: its
                class, or a function or class an option holds, lives in a
                module this process does not have (``__main__`` or a
                notebook, for a ``spawn`` worker); the message says what.
        """
        try:
            spec = pickle.loads(data)
        except Exception as exc:
            raise ConfigError(
                "the backend sent to this worker process cannot be loaded here "
                f"({type(exc).__name__}: {exc}); its class and every function "
                "or class its options hold must be importable in the worker "
                "processes: define them in a module the workers can import (not "
                "in __main__, a notebook cell or a function), or use a "
                "ThreadPoolExecutor"
            ) from exc
        if not isinstance(spec, BackendSpec):
            raise ConfigError(
                f"expected a pickled BackendSpec, got {type(spec).__name__}; "
                "pass BackendSpec.pickled()"
            )
        return spec


class RemoteBackend(Backend):
    """A backend built only on an executor's workers, never in this process.

    What ``unocr.read_many(images, name, executor=..., **options)`` reads
    with, so the caller loads no model (and needs no engine installed). It
    reads only through ``read_many(..., executor=...)``.

    Args:
        spec: What the workers build.
    """

    def __init__(self, spec: BackendSpec) -> None:
        super().__init__(max_pixels=None)
        self.spec = spec
        self.name = spec.name  # type: ignore[misc]
        try:  # chunks as the engine batches them, where its class is here
            from unocr.registry import resolve_backend

            factory = resolve_backend(spec.name)[1]
        except UnocrError:
            return
        if isinstance(factory, type) and issubclass(factory, Backend):
            self.batch_size = factory.batch_size  # type: ignore[misc]

    def _recognize(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> Sequence[Block]:
        raise RecognitionError(
            f"the {self.name} backend runs on an executor's workers only; pass "
            "read_many(..., executor=...) or build it with unocr.get_backend()",
            backend=self.name,
        )


_built: BuildOnce[bytes] = BuildOnce()
#: The last failed build of each spec and configuration: the batch it failed
#: in, and its error.
_failed: dict[tuple[bytes, Hashable], tuple[str, UnocrError]] = {}


def worker_backend(
    spec: BackendSpec | bytes, key: bytes | None = None, batch: str | None = None
) -> Backend:
    """This process's backend for ``spec``, built on first use and kept.

    The cache keeps a backend per spec, under the configuration in force
    when it was built (:func:`unocr.isolation.config.config_key`), so a
    changed ``unocr.toml`` builds the backend anew; the one it replaces is
    closed once no task reads with it. A backend is built outside the
    cache's lock, so tasks whose backend is built go on meanwhile, and once
    for concurrent first calls (:class:`~unocr._build_once.BuildOnce`): one
    model load per process.

    The build is done on behalf of the process that sent the task, which
    checks the engine names of its ``unocr.toml`` itself (its registry may
    know engines this process does not):
    :func:`~unocr.isolation.config.leave_names_to_parent`. A thread of that
    process running this leaves them for this build only.

    Args:
        spec: What to build, or its pickled form
            (:meth:`BackendSpec.pickled`: what a task carries), loaded only
            to build (:meth:`BackendSpec.loads`).
        key: The pickled form of a spec given as such; default
            ``pickle.dumps(spec)``.
        batch: The batch asking. A build that failed for a batch is not
            tried again for it: its error is raised again (a copy), so a
            large batch fails at once; another batch tries again.

    Returns:
        The same open backend for every call with an equal spec (and
        configuration).

    Raises:
        unocr.errors.ConfigError: The pickled spec cannot be loaded here.
        unocr.errors.UnocrError: The build failed.
    """
    from unocr.isolation.config import config_key, leave_names_to_parent

    if isinstance(spec, bytes):
        pickled = spec
    else:
        pickled = pickle.dumps(spec) if key is None else key
    version = config_key()

    def build() -> Backend:  # under the key's own lock
        failed = _failed.get((pickled, version))
        if batch is not None and failed is not None and failed[0] == batch:
            raise copy.copy(failed[1])
        try:
            loaded = BackendSpec.loads(spec) if isinstance(spec, bytes) else spec
            with leave_names_to_parent():
                backend = loaded.build()
        except UnocrError as err:
            if batch is not None:
                _failed[pickled, version] = (batch, copy.copy(err))
            raise
        _failed.pop((pickled, version), None)
        return backend

    return _built.get(pickled, build, version=version)


def clear_worker_backends() -> None:
    """Close and forget every backend :func:`worker_backend` built in this process.

    Failed builds are forgotten too: the next batch tries them again.

    :func:`unocr.clear_cache` calls it; on a Dask cluster run it on every
    worker with ``client.run(unocr.clear_cache)``.
    """
    _failed.clear()
    _built.clear()


@dataclass(frozen=True)
class _Remote:
    """A backend sent to a worker process: its name, pickled spec, the batch.

    The spec travels as bytes, loaded by the task (:func:`worker_backend`):
    a spec the worker cannot load fails the task's items, where unpickling
    the task itself would break a ``ProcessPoolExecutor``.
    """

    name: str
    key: bytes
    batch: str


def _read_chunk(
    target: Backend | _Remote,
    indices: Sequence[int],
    items: Sequence[Any],
    languages: tuple[str, ...],
    channel_order: Literal["rgb", "bgr"],
) -> list[Page | ItemFailure]:
    """The task: read ``items`` (positions ``indices`` of the batch)."""
    if isinstance(target, Backend):
        backend = target
    else:
        try:
            backend = worker_backend(target.key, batch=target.batch)
        except UnocrError as err:
            return [
                _failure(i, describe_item(item), copy.copy(err), target.name)
                for i, item in zip(indices, items, strict=True)
            ]
    out = backend.read_many(
        items, languages=languages, errors="return", channel_order=channel_order
    )
    return [
        _failure(i, r.source, r.error, backend.name)
        if isinstance(r, ItemFailure)
        else r
        for i, r in zip(indices, out, strict=True)
    ]


def _failure(index: int, source: str, err: UnocrError, backend: str) -> ItemFailure:
    err.item = index
    if err.backend is None:
        err.backend = backend
    return ItemFailure(index=index, source=source, error=err)


def _executor_failure(exc: BaseException, backend: str, item: int) -> UnocrError:
    """The error of an item whose task the executor could not run."""
    kind = type(exc).__name__
    reason = f"{kind}: {exc}".rstrip(": ")
    if kind in _NO_WORKERS:
        timeout = getattr(exc, "timeout", None)
        seconds = float(timeout) if isinstance(timeout, (int, float)) else None
        waited = "" if seconds is None else f" for {seconds:g} s"
        err: UnocrError = NoWorkersError(
            f"no running Dask worker could take item {item}{waited} ({reason}); the "
            "finished items keep their pages; start workers (or scale the cluster "
            "up) and retry the failed ones, or pass a longer no_workers_timeout= "
            "to unocr.dask.map_pages if workers take longer to start",
            timeout=seconds,
            reason=reason,
            backend=backend,
            item=item,
        )
    elif isinstance(exc, (BrokenExecutor, CancelledError)) or kind in _LOST:
        retry = (
            "retry the failed ones on a new pool (a pool whose worker died is broken)"
            if isinstance(exc, BrokenExecutor)
            else "retry the failed ones"
        )
        err = WorkerLostError(
            f"the executor's worker was lost before item {item} finished ({reason}); "
            f"the finished items keep their pages; {retry}",
            reason=reason,
            backend=backend,
            item=item,
        )
    else:
        err = RecognitionError(
            f"the executor could not run item {item}: {reason}",
            backend=backend,
            item=item,
        )
    err.__cause__ = exc
    return err


def sendable(images: Iterable[ImageInput]) -> list[Any]:
    """Inputs as they travel to another process: one item per image or page.

    Documents are split into their pages (:func:`unocr.documents.expand`)
    and every item is prepared as :func:`read_on_executor` sends it: a file
    object as its bytes, a PIL image as a portable copy, an input that
    cannot be read as a :class:`~unocr.documents.FailedInput` holding its
    error.

    Args:
        images: Inputs as for :meth:`Backend.read_many`.

    Returns:
        The items, each picklable when its input was of a kind unocr reads.
    """
    return [_sendable(item) for item in expand(images)]


def _sendable(item: Any) -> Any:
    """An item as it travels to another process.

    Buffers as bytes; a PIL image as a plain copy that reads as it does
    (:func:`unocr.image.portable_image`: one opened from a file does not
    survive pickling); a PIL image that cannot be read, or an input of no
    kind unocr reads, as a :class:`FailedInput` holding the error reading
    it gives in process.
    """
    if isinstance(item, io.BytesIO):
        return item.getvalue()
    if isinstance(item, (bytearray, memoryview)):
        return bytes(item)
    import numpy as np
    from PIL import Image

    if callable(getattr(item, "read", None)) and not isinstance(item, Image.Image):
        try:  # a caller's file object (``expand`` hands it on unread)
            return read_file_object(item, describe_item(item))
        except ImageError as err:
            return FailedInput(describe_item(item), err)
    if isinstance(item, Image.Image):
        try:
            return portable_image(item, max_pixels=None)
        except ImageError as err:
            return FailedInput(describe_item(item), err)
    if isinstance(item, (PageRef, FailedInput, np.ndarray)):
        return item
    try:  # what load_image accepts besides arrays and PIL images
        check_encoded_source(item, describe_item(item))
    except ImageError as err:
        return FailedInput(describe_item(item), err)
    return item


def _is_dask(executor: Executor) -> bool:
    return type(executor).__module__.split(".")[0] == "distributed"


def _check_open(executor: Executor) -> None:
    """Refuse an executor that takes no more tasks, as far as it tells.

    Raises:
        unocr.errors.ConfigError: It was shut down (its ``with`` block has
            ended), or its Dask client is closed.
    """
    client = getattr(executor, "_client", None) if _is_dask(executor) else None
    status = getattr(client, "status", None)
    if status in ("closing", "closed"):
        raise ConfigError(
            f"the executor's Dask client is {status}; connect a new client "
            "(distributed.Client(...)) and pass it, or its get_executor(), while "
            "it is open"
        )
    # ThreadPoolExecutor and Dask's ClientExecutor: _shutdown;
    # ProcessPoolExecutor: _shutdown_thread (set too when a worker died:
    # then it is broken, and its items fail with WorkerLostError)
    flags = ("_shutdown", "_shutdown_thread")
    if getattr(executor, "_broken", False):
        return
    if any(getattr(executor, flag, False) is True for flag in flags):
        raise ConfigError(
            f"the executor ({type(executor).__name__}) is shut down: its `with` "
            "block has ended or shutdown() was called; pass a new executor, and "
            "read within its `with` block"
        )


def _dumps_for(executor: Executor) -> Callable[[Any], bytes]:
    if _is_dask(executor):
        from distributed.protocol.pickle import dumps

        return dumps
    return pickle.dumps


class _NoWorkersWatch:
    """Whether a Dask cluster still has a running worker for a waiting batch.

    Dask alone waits for ever for a worker: the scheduler's own bound,
    ``distributed.scheduler.no-workers-timeout`` (which fails such tasks with
    ``NoWorkerError``), is off by default and read once when the scheduler
    starts, so a client cannot turn it on for a cluster that is already
    running (on a remote cluster it is not the client's to change). The
    watch therefore uses what Dask gives the client: when no item has
    finished for :attr:`poll` seconds, :meth:`distributed.Client.wait_for_workers`
    returns at once if a worker is running (the batch is merely slow) and
    otherwise waits up to ``timeout`` seconds for one. It counts running
    workers as the scheduler's timer does (closed, lost and paused workers
    do not count). Where the scheduler's setting is on, its errors fail the
    items the same way.

    Args:
        client: The executor's ``distributed.Client``.
        timeout: Seconds to wait for a running worker.
    """

    def __init__(self, client: Any, timeout: float) -> None:
        self.client = client
        self.timeout = timeout
        #: Seconds without a finished item before the cluster is asked.
        self.poll = min(timeout, 5.0)

    def gone(self) -> BaseException | None:
        """``None`` while a worker runs, else why the batch must stop waiting."""
        try:
            self.client.wait_for_workers(1, timeout=self.timeout)
        except Exception as exc:  # the time-out, or a scheduler that is gone
            return exc
        return None


def _no_workers_watch(
    executor: Executor, timeout: float | None
) -> _NoWorkersWatch | None:
    client = getattr(executor, "_client", None)  # distributed's ClientExecutor
    if timeout is None or client is None or not _is_dask(executor):
        return None
    return _NoWorkersWatch(client, timeout)


def read_on_executor(
    backend: Backend | BackendSpec,
    images: Iterable[ImageInput],
    executor: Executor,
    *,
    languages: tuple[str, ...] = (),
    errors: Literal["raise", "return"] = "raise",
    progress: Callable[[int], None] | None = None,
    channel_order: Literal["rgb", "bgr"] = "rgb",
    chunk_size: int | None = None,
    no_workers_timeout: float | None = DASK_NO_WORKERS_TIMEOUT,
) -> list[Page | ItemFailure]:
    """Read a batch on ``executor``; what ``read_many(..., executor=)`` runs.

    Args:
        backend: A backend (a thread pool uses it as it is; worker processes
            rebuild it from :meth:`BackendSpec.of`) or a spec (built on the
            workers only).
        images: Inputs as for :meth:`Backend.read_many`; documents give one
            item per page.
        executor: Any :class:`concurrent.futures.Executor`.
        languages: Normalised ISO 639 codes (``()``: the backend's default).
        errors: ``"raise"`` raises the first failure (pending tasks are
            cancelled); ``"return"`` puts an ItemFailure in its place.
        progress: Called with the number of items just finished.
        channel_order: ``"bgr"`` for arrays from OpenCV.
        chunk_size: Items per task; default the backend's ``batch_size``
            (1 for a spec).
        no_workers_timeout: On a Dask executor, seconds to wait while the
            cluster has no running worker before the unfinished items fail
            with :class:`~unocr.errors.NoWorkersError`; ``None`` waits as
            long as Dask does. Other executors ignore it.

    Returns:
        One page or item failure per item, in input order.

    Raises:
        unocr.errors.ConfigError: ``images`` is one input, ``executor`` is
            not an executor or is shut down (a closed Dask client), or the
            backend cannot be pickled for the executor's worker processes
            (the message names the option).
        unocr.errors.UnocrError: With ``errors="raise"``, the first failure.
    """
    check_many(images)
    if not callable(getattr(executor, "submit", None)):
        raise ConfigError(
            "executor must be a concurrent.futures.Executor (a ProcessPoolExecutor, "
            f"a Dask client's get_executor(), ...), got {reprlib.repr(executor)}"
        )
    _check_open(executor)
    name = backend.name
    batch = backend.batch_size if isinstance(backend, Backend) else 1
    size = chunk_size or max(1, int(batch))
    target: Backend | _Remote
    if (
        isinstance(executor, ThreadPoolExecutor)
        and isinstance(backend, Backend)
        and not isinstance(backend, RemoteBackend)
    ):
        target = backend
    else:
        spec = backend if isinstance(backend, BackendSpec) else BackendSpec.of(backend)
        key = spec.pickled(_dumps_for(executor))
        target = _Remote(spec.name, key, uuid.uuid4().hex)
    items = expand(images)
    results: list[Page | ItemFailure | None] = [None] * len(items)
    todo: list[int] = []
    for i, item in enumerate(items):
        if isinstance(item, FailedInput):  # a document that cannot be opened
            results[i] = _failure(i, item.name, copy.copy(item.error), name)
        else:
            todo.append(i)
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    futures: dict[Future[list[Page | ItemFailure]], list[int]] = {}

    def settle(chunk: list[int], out: Sequence[Page | ItemFailure]) -> None:
        for i, r in zip(chunk, out, strict=True):
            results[i] = r
        if progress is not None:
            progress(len(chunk))
        if errors == "raise":
            for r in out:
                if isinstance(r, ItemFailure):
                    r.raise_()

    def lost(chunk: list[int], exc: BaseException) -> list[Page | ItemFailure]:
        return [
            ItemFailure(
                index=i,
                source=describe_item(items[i]),
                error=_executor_failure(exc, name, i),
            )
            for i in chunk
        ]

    failed = [r for r in results if isinstance(r, ItemFailure)]
    if failed and errors == "raise":
        failed[0].raise_()
    if failed and progress is not None:
        progress(len(failed))

    def submit(chunk: list[int]) -> None:
        payload = []
        for i in chunk.copy():  # an input no process reads fails here
            sent = _sendable(items[i])
            if isinstance(sent, FailedInput):
                chunk.remove(i)
                settle([i], [_failure(i, sent.name, sent.error, name)])
            else:
                payload.append(sent)
        if not chunk:
            return
        try:
            future = executor.submit(
                _read_chunk, target, chunk, payload, languages, channel_order
            )
        except Exception as exc:  # e.g. Dask serialises the task here
            _check_open(executor)
            settle(chunk, lost(chunk, exc))
            return
        futures[future] = chunk

    try:
        for chunk in chunks:
            submit(chunk)
        watch = _no_workers_watch(executor, no_workers_timeout)
        poll = watch.poll if watch is not None else None
        finished: queue.SimpleQueue[Future[list[Page | ItemFailure]]]
        finished = queue.SimpleQueue()
        for future in futures:
            future.add_done_callback(finished.put)

        def take(future: Future[list[Page | ItemFailure]]) -> None:
            chunk = futures.pop(future)  # dropped: Dask frees the worker's copy
            try:
                out = future.result()
            except Exception as exc:
                out = lost(chunk, exc)
            settle(chunk, out)

        while futures:
            try:
                take(finished.get(timeout=poll))
                continue
            except queue.Empty:  # nothing finished for `poll` seconds
                gone = watch.gone() if watch is not None else None
            if gone is None:
                continue
            for future in list(futures):  # keep what finished, fail the rest
                future.cancel()
                if future.done() and not future.cancelled():
                    take(future)
                else:
                    chunk = futures.pop(future)
                    settle(chunk, lost(chunk, gone))
    finally:
        for future in futures:
            future.cancel()
    return [r for r in results if r is not None]

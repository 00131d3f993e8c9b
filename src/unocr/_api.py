"""The convenience functions: make (or reuse) a backend, call it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, Literal

from unocr._build_once import BuildOnce
from unocr.backends.base import Backend, ItemFailure, check_batch_arguments
from unocr.backends.options import check_options, refuse_options
from unocr.documents import DEFAULT_DPI, DEFAULT_MAX_PAGES, DocumentOptions, PageSpec
from unocr.documents import check_options as _check_document_options
from unocr.documents import reading as _documents
from unocr.errors import ConfigError
from unocr.image import ImageInput
from unocr.model import Page
from unocr.registry import canonical_name, resolve_backend

__all__ = ["clear_cache", "get_backend", "read", "read_many", "read_pages"]

_Key = tuple[str, Hashable]
_cache: BuildOnce[_Key] = BuildOnce()


def get_backend(name: str = "tesseract", **options: Any) -> Backend:
    """Create a new engine object, to reuse across many calls.

    Args:
        name: A backend name or alias (see :func:`unocr.available_backends`).
        **options: The backend's own options, e.g. ``languages=["en"]``,
            ``psm=6`` for Tesseract; and where it runs: ``python=`` (an
            interpreter whose environment has the engine), ``isolate=True``
            (worker processes of this interpreter; ``False``: in process
            whatever ``unocr.toml`` says), ``processes=``, ``timeout=`` and
            ``max_memory=`` (see :mod:`unocr.isolation`).

    Returns:
        A :class:`~unocr.backends.base.Backend`; use it as a context manager
        or call ``close()`` when done.

    Raises:
        unocr.errors.BackendNotFoundError: Unknown name.
        unocr.errors.BackendUnavailableError: The engine is not installed.
        unocr.errors.UnknownOptionError: An option the engine does not have.

    Examples:
        >>> import unocr
        >>> unocr.get_backend("tesserakt")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        unocr.errors.BackendNotFoundError: unknown OCR backend 'tesserakt'. ...
    """
    from unocr.isolation import isolated_backend

    _check_name(name)
    isolated, file = isolated_backend(name, options)
    if isolated is not None:
        return isolated
    canonical, factory = resolve_backend(name)
    check_options(canonical, factory, options, complete=True)
    with file.named():  # a value of unocr.toml the engine refuses names the file
        backend = factory(**options)
    if not isinstance(backend, Backend):
        raise TypeError(
            f"the factory for backend {name!r} returned {type(backend).__name__}, "
            "not a unocr.backends.base.Backend"
        )
    return backend


def _freeze(value: Any) -> Hashable:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return frozenset(_freeze(v) for v in value)
    hash(value)  # raises TypeError for unhashable objects
    return (type(value).__name__, value)


def _cached(name: str, options: dict[str, Any]) -> tuple[Backend, bool]:
    """The shared backend for (name, options); second item: whether shared.

    Each engine is kept under the configuration in force when it was built
    (:func:`unocr.isolation.config.config_key`), so a changed ``unocr.toml``,
    or another one in a new working folder, builds the engine anew; the one
    it replaces is closed once no call reads with it. An engine is built
    outside the cache's lock, so reads of cached engines go on meanwhile,
    and once for concurrent first reads
    (:class:`~unocr._build_once.BuildOnce`).
    """
    from unocr.isolation.config import config_key

    canonical = canonical_name(name)
    try:
        key: _Key = (canonical, _freeze(options))
    except TypeError:
        return get_backend(canonical, **options), False
    return _cache.get(
        key, lambda: get_backend(canonical, **options), version=config_key()
    ), True


def clear_cache() -> None:
    """Close and forget every backend that :func:`read` has cached.

    Also those that executor tasks built in this process
    (:func:`unocr.executors.clear_worker_backends`).
    """
    _cache.clear()
    executors = sys.modules.get("unocr.executors")
    if executors is not None:
        executors.clear_worker_backends()


def backend_for(
    backend: str | Backend, options: dict[str, Any]
) -> tuple[Backend, bool]:
    """The backend a call uses: a ready object as given, or a name's cached one.

    Args:
        backend: An engine name (with ``options``) or a backend object.
        options: The call's engine options.

    Returns:
        ``(backend, shared)``: ``shared`` is true for a given or cached
        object, which the call must not close; false for one built for
        this call alone (options that cannot be a cache key).

    Raises:
        ConfigError: Options given with a backend object (they go to
            :func:`unocr.get_backend`).
    """
    if isinstance(backend, Backend):
        refuse_options(backend, options)
        return backend, True
    _check_name(backend)
    return _cached(backend, options)


def _check_name(name: object) -> None:
    """Refuse a ``backend`` that is neither an engine name nor a backend object."""
    if not isinstance(name, str):
        raise ConfigError(
            "backend must be an engine name such as 'tesseract' (a str) or a "
            f"unocr Backend object, got {type(name).__name__}; see "
            "unocr.available_backends() for the names",
            option="backend",
        )


def read(
    image: ImageInput,
    backend: str | Backend = "tesseract",
    *,
    languages: str | Sequence[str] | None = None,
    channel_order: Literal["rgb", "bgr"] = "rgb",
    dpi: float = DEFAULT_DPI,
    password: str | None = None,
    text_layer: bool = False,
    max_pages: int | None = DEFAULT_MAX_PAGES,
    **options: Any,
) -> Page:
    """Recognise the text of one image (or of page 1 of a PDF) with the named engine.

    The engine object is created on first use and cached per (name, options)
    and the ``unocr.toml`` in force, so a model loads once per process.

    Args:
        image: Path, bytes, binary file object, PIL image or uint8 numpy array
            ((H, W), (H, W, 3) or (H, W, 4)). For a multi-frame TIFF the first
            frame is read, and for a PDF its first page; see :func:`read_pages`.
        backend: Engine name (``"tesseract"``, ``"gcv"``, ``"keras-ocr"``,
            ``"rapidocr"``, ...) or a backend object.
        languages: ISO 639 codes such as ``["en", "ko"]`` or ``"en,ko"``.
        channel_order: ``"bgr"`` for arrays from OpenCV.
        dpi: Resolution a PDF page is rendered at, in pixels per inch.
        password: Password of an encrypted PDF.
        text_layer: Take a PDF page's words from its own text layer where it
            has one, instead of running the engine.
        max_pages: Refuse to read more pages than this from one PDF (the
            pages selected; ``None``: no limit).
        **options: The engine's own options.

    Returns:
        The page: blocks, lines, words in reading order, coordinates in the
        upright image's (or rendered PDF page's) pixels; ``page.source`` says
        where it came from and how it was read.
    """
    doc = _check_document_options(
        DocumentOptions(dpi, None, password, text_layer, max_pages)
    )
    engine, shared = backend_for(backend, options)
    try:
        return _documents.read_first_page(
            engine, image, doc, languages=languages, channel_order=channel_order
        )
    finally:
        if not shared:
            engine.close()


def read_many(
    images: Iterable[ImageInput],
    backend: str | Backend = "tesseract",
    *,
    languages: str | Sequence[str] | None = None,
    workers: int = 1,
    errors: Literal["raise", "return"] = "raise",
    progress: Callable[[int], None] | None = None,
    channel_order: Literal["rgb", "bgr"] = "rgb",
    dpi: float = DEFAULT_DPI,
    pages: PageSpec = None,
    password: str | None = None,
    text_layer: bool = False,
    max_pages: int | None = DEFAULT_MAX_PAGES,
    executor: Executor | None = None,
    **options: Any,
) -> list[Page | ItemFailure]:
    """Recognise many images and documents; results in input order.

    Every page of a PDF or multi-page TIFF is a result of its own (in page
    order, where the document stood in the input), so with documents there
    are more results than inputs: ``page.source`` names the file and page.

    Args:
        images: Inputs as for :func:`read`; PDFs and multi-page TIFFs give
            one result per (selected) page.
        backend: Engine name or backend object.
        languages: ISO 639 codes.
        workers: Engine calls running at once (threads).
        errors: ``"raise"`` raises the first failure; ``"return"`` puts an
            :class:`~unocr.backends.base.ItemFailure` (with ``.index`` and
            ``.error``) in a failed item's place and returns all other pages.
        progress: Called with the number of items just finished.
        channel_order: ``"bgr"`` for arrays from OpenCV.
        dpi: Resolution PDF pages are rendered at, in pixels per inch.
        pages: Pages of every document to read, numbered from 1
            (``"1-3,5"``, ``[1, 2]``); ``None`` for all.
        password: Password of encrypted PDFs.
        text_layer: Take a PDF page's words from its text layer where it has
            one, instead of running the engine.
        max_pages: Refuse to read more pages than this from one PDF (the
            pages selected; ``None``: no limit).
        executor: Any :class:`concurrent.futures.Executor` (a process pool, a
            Dask ``Client.get_executor()``) to run the engine calls on instead
            of ``workers`` threads; each worker process builds the engine once
            from its name and options, and this process builds none (a thread
            pool shares one built here); see :mod:`unocr.executors`.
        **options: The engine's own options.

    Returns:
        One page (or item failure) per image or document page. A document that
        cannot be opened gives one item failure in its place.
    """
    check_batch_arguments(images, workers, errors)  # before the engine is built
    doc = _check_document_options(
        DocumentOptions(dpi, pages, password, text_layer, max_pages)
    )
    if isinstance(backend, str) and not (
        executor is None or isinstance(executor, ThreadPoolExecutor)
    ):  # built on the executor's workers only
        from unocr.executors import BackendSpec, RemoteBackend

        engine: Backend = RemoteBackend(BackendSpec.named(backend, options))
        shared = True
    else:
        engine, shared = backend_for(backend, options)
    try:
        return _documents.read_items(
            engine,
            images,
            doc,
            languages=languages,
            workers=workers,
            errors=errors,
            progress=progress,
            channel_order=channel_order,
            executor=executor,
        )
    finally:
        if not shared:
            engine.close()


def read_pages(
    source: ImageInput,
    backend: str | Backend = "tesseract",
    *,
    languages: str | Sequence[str] | None = None,
    dpi: float = DEFAULT_DPI,
    pages: PageSpec = None,
    password: str | None = None,
    text_layer: bool = False,
    max_pages: int | None = DEFAULT_MAX_PAGES,
    **options: Any,
) -> Iterator[Page]:
    """Recognise every page of a PDF or frame of a multi-frame image (TIFF).

    Pages are rendered or decoded one at a time, so long documents stream.

    Args:
        source: A path, bytes or file object of a PDF or (multi-frame) image.
        backend: Engine name or backend object.
        languages: ISO 639 codes.
        dpi: Resolution PDF pages are rendered at, in pixels per inch;
            coordinates are in those pixels.
        pages: Pages to read, numbered from 1 (``"1-3,5"``, ``[2]``); ``None``
            for all.
        password: Password of an encrypted PDF.
        text_layer: Take a PDF page's words from its text layer where it has
            one, instead of running the engine.
        max_pages: Refuse to read more pages than this from one PDF (the
            pages selected; ``None``: no limit).
        **options: The engine's own options.

    Yields:
        One page per selected page or frame, in order; ``page.source`` holds
        the file name, the page index and, for PDF pages, the page size in
        points and the map to PDF user space.

    Raises:
        unocr.errors.DocumentError: ``pages``, ``password`` or ``dpi`` is
            malformed (at once); while iterating, the PDF is unreadable,
            encrypted without the right password, over ``max_pages``, or
            ``pages`` lies outside it; a page over the pixel limit at ``dpi``
            (before rendering).
        unocr.errors.ConfigError: Engine options given with a backend object
            (at once).
    """
    doc = _check_document_options(
        DocumentOptions(dpi, pages, password, text_layer, max_pages)
    )
    refuse_options(backend, options)
    return _read_pages(source, backend, doc, languages, options)


def _read_pages(
    source: ImageInput,
    backend: str | Backend,
    doc: DocumentOptions,
    languages: str | Sequence[str] | None,
    options: dict[str, Any],
) -> Iterator[Page]:
    """The pages of :func:`read_pages`, once its arguments are checked.

    The engine is built when the first page is asked for, and closed after
    the last.
    """
    engine, shared = backend_for(backend, options)
    try:
        yield from _documents.read_document_pages(
            engine, source, doc, languages=languages
        )
    finally:
        if not shared:
            engine.close()

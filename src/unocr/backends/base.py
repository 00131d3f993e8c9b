"""The contract every engine backend fills: :class:`Backend`.

An engine implements one method, :meth:`Backend._recognize`: it receives one
decoded, upright RGB image, the normalised languages and a :class:`Stopwatch`,
runs the engine and its pure converter inside ``clock.time("engine")`` and
``clock.time("convert")``, and returns the page's blocks in the image's pixels.
Engines that batch also implement :meth:`Backend._recognize_batch`. Engines
whose two stages work apart implement :meth:`Backend._detect` (regions, no
text) and :meth:`Backend._recognize_crops` (the text of upright crops), which
:meth:`Backend.detect` and :meth:`Backend.recognize` call. The hooks'
parameter and result types are named here once (:data:`Languages`,
:data:`LoadedImages`, :data:`Clocks`, :data:`BatchResults`, :data:`Crops`,
:data:`Readings`), for every engine's overrides to use.

Everything else lives here once, so every engine behaves the same from the
user's side: decoding any input, normalising languages, building the one
:class:`~unocr.Page` of each read and stamping it with the engine's name, the
languages and the timings (decode, engine, convert), batching, worker threads
(at least :attr:`Backend.min_workers`), wrapping stray engine exceptions
(once) and per-item failures (:class:`ItemFailure`).
"""

from __future__ import annotations

import abc
import copy
import inspect
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import (
    FIRST_EXCEPTION,
    Executor,
    Future,
    ThreadPoolExecutor,
    wait,
)
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import (
    Any,
    ClassVar,
    Literal,
    NoReturn,
    TypeAlias,
    TypedDict,
    TypeVar,
    cast,
)

from PIL import Image
from typing_extensions import Unpack

from unocr._closing import Closing
from unocr._lazy import check_keywords
from unocr.backends.catalog import Capabilities
from unocr.backends.deadline import batch_cancellation, cancellation_scope
from unocr.backends.options import check_choice, check_count, check_seconds
from unocr.documents import (
    DocumentOptions,
    check_many,
    describe_item,
    expand,
    load_input,
    source_of,
)
from unocr.errors import (
    ConfigError,
    LanguageCodeError,
    ModelError,
    RecognitionError,
    StageUnavailableError,
    UnocrError,
)
from unocr.geometry import Geometry
from unocr.image import (
    DEFAULT_MAX_PIXELS,
    ImageInput,
    LoadedImage,
)
from unocr.languages import normalize_languages
from unocr.limits import check_limit_argument
from unocr.model import Block, Page, Recognition, Timings

__all__ = [
    "Backend",
    "BatchResults",
    "Capabilities",
    "Clocks",
    "CompositeBackend",
    "Crops",
    "ImageCall",
    "ItemFailure",
    "Languages",
    "LoadedImages",
    "Readings",
    "Stopwatch",
    "own_languages",
    "part_options",
]

_T = TypeVar("_T")
_B = TypeVar("_B", bound="Backend")


class ImageCall(TypedDict, total=False):
    """The keywords of a backend's one-image calls, all optional.

    :meth:`Backend.read`, :meth:`Backend.detect` and :meth:`Backend.recognize`
    take them; any other keyword is a :class:`TypeError`.

    Attributes:
        languages: ISO 639 codes for this call; ``None`` (the default): the
            backend's.
        channel_order: ``"bgr"`` for arrays from OpenCV; default ``"rgb"``.
    """

    languages: str | Sequence[str] | None
    channel_order: Literal["rgb", "bgr"]


def _image_call(
    method: str, call: ImageCall
) -> tuple[str | Sequence[str] | None, Literal["rgb", "bgr"]]:
    """A one-image call's ``(languages, channel_order)``, defaults filled in.

    Raises:
        TypeError: A keyword that is not one of :class:`ImageCall`'s, as
            Python raises it for a method that does not take it.
    """
    check_keywords(f"Backend.{method}", call, ImageCall)
    return call.get("languages"), call.get("channel_order", "rgb")


@dataclass(frozen=True)
class ItemFailure:
    """The failure of one item of :meth:`Backend.read_many` (``errors="return"``).

    It is falsy, so ``[p for p in results if p]`` keeps the pages. (Called
    ``ItemError`` before 0.2; that name still works, with a
    :class:`DeprecationWarning`, until 0.3.)

    Attributes:
        index: Position of the item in the input.
        source: Description of the input (file name, ``<bytes>``...).
        error: The error, with ``.backend`` and ``.item`` set.
    """

    index: int
    source: str
    error: UnocrError

    def __bool__(self) -> bool:
        return False

    def raise_(self) -> NoReturn:
        """Raise the stored error."""
        raise self.error


def __getattr__(name: str) -> Any:
    if name == "ItemError":
        warnings.warn(
            "unocr.backends.base.ItemError was renamed ItemFailure (it is a "
            "record, not an exception); the old name goes away in unocr 0.3",
            DeprecationWarning,
            stacklevel=2,
        )
        return ItemFailure
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass
class Stopwatch:
    """Accumulates wall-clock seconds per phase.

    Examples:
        >>> sw = Stopwatch()
        >>> with sw.time("engine"):
        ...     pass
        >>> sw.timings().engine >= 0.0
        True
    """

    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def time(self, phase: str) -> Iterator[None]:
        """Time the ``with`` body and add it to ``phase``."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.add(phase, time.perf_counter() - start)

    def add(self, phase: str, seconds: float) -> None:
        """Add seconds measured elsewhere to ``phase``.

        For engines that measure one call for several images
        (:meth:`Backend._recognize_batch`) and hand each image its share.

        Args:
            phase: ``"engine"`` or ``"convert"`` (any name is kept).
            seconds: Wall-clock seconds, >= 0.
        """
        self.seconds[phase] = self.seconds.get(phase, 0.0) + seconds

    def timings(self) -> Timings:
        """The phases as :class:`~unocr.model.Timings`."""
        s = self.seconds
        return Timings(
            decode=s.get("decode", 0.0),
            engine=s.get("engine", 0.0),
            convert=s.get("convert", 0.0),
        )


# ------------------------------------------------ the engine hooks' types
# One name for each parameter and result type of the hooks an engine
# implements (Backend._recognize, _recognize_batch, _detect, _recognize_crops)
# and of _stamp, so that every override states the contract by name.

Languages: TypeAlias = tuple[str, ...]
"""The ``languages`` every hook receives: normalised ISO 639 codes, in order,
each once; ``()`` for the engine's default."""

LoadedImages: TypeAlias = Sequence[LoadedImage]
"""The ``images`` of :meth:`Backend._recognize_batch`: decoded, upright RGB
images, each ``image.width`` x ``image.height`` pixels."""

Clocks: TypeAlias = Sequence[Stopwatch]
"""The ``clocks`` of :meth:`Backend._recognize_batch`: one :class:`Stopwatch`
per image, in the order of the images."""

BatchResults: TypeAlias = list[Sequence[Block] | UnocrError]
"""What :meth:`Backend._recognize_batch` returns: one entry per image, in
order: its blocks (as :meth:`Backend._recognize` returns them, in the image's
pixels) or its error, returned, not raised."""

Crops: TypeAlias = Sequence[Image.Image]
"""The ``crops`` of :meth:`Backend._recognize_crops`: upright RGB PIL images,
each one line or word, at least 1x1 pixels."""

Readings: TypeAlias = Sequence[tuple[str, float | None]]
"""What :meth:`Backend._recognize_crops` returns: ``(text, confidence)`` per
crop, in the order of the crops; confidence in [0, 1] or ``None``."""


def check_batch_arguments(images: object, workers: object, errors: object) -> None:
    """Check the ``images``, ``workers`` and ``errors`` arguments of a batch read.

    Args:
        images: The inputs: an iterable of them, not one input
            (:func:`unocr.documents.check_many`).
        workers: Calls working at once; a whole number >= 1.
        errors: ``"raise"`` or ``"return"``.

    Raises:
        unocr.errors.ConfigError: One is out of range.
    """
    check_many(images)
    check_count(workers, "workers")
    check_choice(errors, "errors", ("raise", "return"))


def _tag(err: UnocrError, backend: str, item: object) -> UnocrError:
    if err.backend is None:
        err.backend = backend
    if err.item is None:
        err.item = item
    return err


def _positional_arity(function: object) -> int:
    """How many positional parameters a method takes besides ``self``."""
    try:
        params = inspect.signature(function).parameters.values()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(1 for p in params if p.kind in kinds) - 1


class Backend(Closing, abc.ABC):
    """Base class of every engine.

    Subclasses set :attr:`name` and :attr:`capabilities`, add their own
    keyword options to ``__init__`` and implement :meth:`_recognize` (or
    only :meth:`_recognize_batch`, for an engine that always batches). A
    backend object holds its engine (model, client, process settings) and is
    reused across calls; use it as a context manager or call :meth:`close`.

    The base class owns the plumbing: it decodes inputs, normalises languages
    once, hands the engine a :class:`Stopwatch`, builds the one page of each
    read and stamps it with :attr:`name`, the languages and the timings; it
    runs :meth:`read_many` on at least :attr:`min_workers` threads and turns
    stray engine exceptions into :class:`~unocr.errors.RecognitionError`.

    Args:
        languages: Default languages (ISO 639 codes) for every call; ``None``
            for the engine's default.
        max_pixels: Refuse images with more pixels than this before decoding
            them; ``None`` disables the limit.
    """

    name: ClassVar[str] = "backend"
    capabilities: ClassVar[Capabilities]
    #: How many images one :meth:`_recognize_batch` call receives.
    batch_size: ClassVar[int] = 1
    #: Whether :meth:`_recognize` may run in several threads at once.
    thread_safe: ClassVar[bool] = True
    #: Fewest threads :meth:`read_many` uses, whatever ``workers`` asks (a
    #: network engine sets it to its requests in flight); an instance may
    #: set its own.
    min_workers: int = 1
    #: Whether the engine reads decoded pixels. ``False`` (an engine that
    #: sends the file itself, e.g. a cloud service): an image file whose bytes
    #: show it exactly arrives undecoded, as an
    #: :class:`~unocr.image.EncodedImage` (pixels decoded on first use).
    needs_pixels: ClassVar[bool] = True
    #: Whether languages asked keep a Tesseract model's variant (``jpn-vert``)
    #: rather than becoming the language it reads (``ja``): for an engine
    #: that hands them on to others (a pipeline, a cascade).
    keeps_language_models: ClassVar[bool] = False
    _legacy: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        legacy = set(cls._legacy)
        for method in ("_recognize", "_recognize_batch"):
            function = cls.__dict__.get(method)
            if function is None:
                continue
            if _positional_arity(function) == 2:
                legacy.add(method)
                warnings.warn(
                    f"{cls.__qualname__}.{method}(images, languages) is the pre-0.2 "
                    f"contract; take a third argument, the Stopwatch (see "
                    "unocr.backends.base), and return blocks; the old form goes "
                    "away in unocr 0.3",
                    DeprecationWarning,
                    stacklevel=2,
                )
            else:
                legacy.discard(method)
        cls._legacy = frozenset(legacy)

    def __init__(
        self,
        *,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.languages: tuple[str, ...] = normalize_languages(
            languages, models=self.keeps_language_models
        )
        check_limit_argument(max_pixels, "max_pixels", ConfigError)
        self.max_pixels = max_pixels
        self._closed = False
        self._lock = threading.Lock()

    # ---------------------------------------------------- construction options
    #: The positional and keyword arguments this backend was built with.
    _construction: tuple[tuple[Any, ...], dict[str, Any]]

    def __new__(cls: type[_B], *args: Any, **kwargs: Any) -> _B:
        """Record the construction options (see :mod:`unocr.executors`).

        An executor's worker process builds this backend's twin from them
        instead of pickling the engine.
        """
        if (
            cls._recognize is Backend._recognize
            and cls._recognize_batch is Backend._recognize_batch
        ):
            raise TypeError(
                f"Can't instantiate {cls.__qualname__}: an engine implements "
                "_recognize or _recognize_batch (one of the two is required)"
            )
        self = super().__new__(cls)
        self._construction = (args, dict(kwargs))
        return self

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Release the engine's resources. Further calls raise an error."""
        self._closed = True

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def __repr__(self) -> str:
        langs = ",".join(self.languages) or "default"
        return f"<{type(self).__name__} {self.name!r} languages={langs}>"

    # --------------------------------------------------------------- public
    def read(self, image: ImageInput, **call: Unpack[ImageCall]) -> Page:
        """Recognise the text of one image.

        Args:
            image: A path, bytes, binary file object, PIL image or uint8 array
                ((H, W), (H, W, 3) or (H, W, 4)); see :mod:`unocr.image`.
            **call: ``languages`` and ``channel_order``, as :class:`ImageCall`
                describes them.

        Returns:
            The page, coordinates in the upright image's pixels.

        Raises:
            unocr.errors.ImageError: The input cannot be read.
            unocr.errors.RecognitionError: The engine failed.
        """
        languages, channel_order = _image_call("read", call)
        langs = self._begin(languages)
        return self._read_one(self._load_single(image, channel_order), langs)

    def read_loaded(
        self, image: LoadedImage, *, languages: str | Sequence[str] | None = None
    ) -> Page:
        """Recognise an image already decoded by :func:`unocr.image.load_image`.

        Args:
            image: The decoded image.
            languages: ISO 639 codes for this call; default the backend's.

        Returns:
            The page.
        """
        return self._read_one(image, self._begin(languages))

    def read_pages(
        self, source: ImageInput, *, languages: str | Sequence[str] | None = None
    ) -> Iterator[Page]:
        """Recognise every page of a PDF or frame of a multi-frame image (TIFF).

        Pages are rendered or decoded one at a time, so long documents stream.
        PDF pages are rendered at :data:`unocr.documents.DEFAULT_DPI`; use
        :func:`unocr.read_pages` for the resolution, a page selection, a
        password or the PDF's text layer.

        Args:
            source: A path, bytes or file object of a PDF or (multi-frame) image.
            languages: ISO 639 codes; default the backend's.

        Yields:
            One page per page or frame, in order, each with its ``source``.

        Raises:
            unocr.errors.ImageError: A frame cannot be read (the frames before
                it have been yielded); a PDF cannot be read
                (:class:`~unocr.errors.DocumentError`).
            unocr.errors.RecognitionError: The engine failed.
        """
        from unocr.documents.reading import read_document_pages

        langs = self._begin(languages)
        pages = read_document_pages(self, source, DocumentOptions(), languages=langs)
        while True:
            try:
                page = next(pages)
            except StopIteration:
                return
            except UnocrError as err:
                raise _tag(err, self.name, describe_item(source)) from err.__cause__
            yield page

    def read_many(
        self,
        images: Iterable[ImageInput],
        *,
        languages: str | Sequence[str] | None = None,
        workers: int = 1,
        errors: Literal["raise", "return"] = "raise",
        progress: Callable[[int], None] | None = None,
        channel_order: Literal["rgb", "bgr"] = "rgb",
        executor: Executor | None = None,
    ) -> list[Page | ItemFailure]:
        """Recognise many images; results come back in input order.

        Images are decoded and recognised on ``workers`` threads (at least
        :attr:`min_workers`), in chunks of :attr:`batch_size` for engines that
        batch; or, with ``executor``, on that executor's workers (see
        :mod:`unocr.executors`).

        Args:
            images: Any inputs :meth:`read` accepts; every page of a PDF or
                multi-page TIFF is an item of its own (PDFs at 300 dpi; see
                :func:`unocr.read_many` for the resolution, pages, password).
            languages: ISO 639 codes; default the backend's.
            workers: Threads working at once (each runs one engine call).
            errors: ``"raise"`` stops at the first failure and raises it;
                ``"return"`` puts an :class:`ItemFailure` in the failed item's
                place and still returns every other page.
            progress: Called with the number of items just finished.
            channel_order: ``"bgr"`` for arrays from OpenCV.
            executor: Any :class:`concurrent.futures.Executor` (a process
                pool, a Dask ``Client.get_executor()``...) to run the chunks
                on instead of ``workers`` threads. Process workers rebuild
                this backend once each from its construction options.

        Returns:
            One :class:`~unocr.Page` (or :class:`ItemFailure`) per image or
            document page.

        Raises:
            unocr.errors.ConfigError: ``workers`` < 1, an unknown ``errors``
                mode, an ``executor`` that is not one, or one that runs in
                other processes while an option of this backend cannot be
                pickled.
            unocr.errors.UnocrError: With ``errors="raise"``, the first failure
                (:class:`~unocr.errors.WorkerLostError` for an executor's
                worker lost during the item).
        """
        check_batch_arguments(images, workers, errors)
        langs = self._begin(languages)
        if executor is not None:
            from unocr.executors import read_on_executor

            return read_on_executor(
                self,
                images,
                executor,
                languages=langs,
                errors=errors,
                progress=progress,
                channel_order=channel_order,
            )
        items = expand(images)  # a PDF or multi-page TIFF: one item per page
        results: list[Page | ItemFailure | None] = [None] * len(items)
        size = max(1, int(self.batch_size))
        chunks = [
            list(range(i, min(i + size, len(items))))
            for i in range(0, len(items), size)
        ]

        def run(chunk: list[int]) -> None:
            loaded: list[tuple[int, LoadedImage]] = []
            for i in chunk:
                try:
                    img = self._load_input(items[i], channel_order)
                except UnocrError as err:
                    results[i] = self._item_failure(i, describe_item(items[i]), err)
                else:
                    loaded.append((i, img))
            if loaded:
                outs = self._read_chunk([img for _, img in loaded], langs)
                for (i, img), out in zip(loaded, outs, strict=True):
                    results[i] = (
                        out
                        if isinstance(out, Page)
                        else self._item_failure(i, img.name, out)
                    )
            if progress is not None:
                progress(len(chunk))
            if errors == "raise":
                for i in chunk:
                    r = results[i]
                    if isinstance(r, ItemFailure):
                        r.raise_()

        threads = min(max(workers, int(self.min_workers)), len(chunks))
        with self._workers_scope(max(1, threads)):
            if threads <= 1:
                for chunk in chunks:
                    run(chunk)
            else:
                # the token is cancelled (below the pool: before it is shut
                # down and waited for) if the batch ends by an exception
                with (
                    ThreadPoolExecutor(
                        max_workers=threads, thread_name_prefix="unocr"
                    ) as pool,
                    batch_cancellation() as token,
                ):

                    def scoped(chunk: list[int]) -> None:
                        if token.cancelled:
                            return  # the batch has ended: start nothing
                        with cancellation_scope(token):
                            run(chunk)

                    futures: list[Future[None]] = [
                        pool.submit(scoped, c) for c in chunks
                    ]
                    _done, pending = wait(futures, return_when=FIRST_EXCEPTION)
                    for f in pending:
                        f.cancel()
                    failed = [
                        f
                        for f in futures
                        if f.done() and not f.cancelled() and f.exception()
                    ]
                    if failed:
                        exc = failed[0].exception()
                        assert exc is not None
                        raise exc
        return [r for r in results if r is not None]

    # --------------------------------------------------------- for subclasses
    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> Sequence[Block]:
        """Run the engine on one decoded image.

        An engine implements this hook, or only :meth:`_recognize_batch` when
        its every call takes a batch: a single read is then a batch of one,
        its error raised (this default). One of the two is required.

        Time the engine call with ``with clock.time("engine"):`` and the pure
        conversion of its output with ``with clock.time("convert"):``. Do not
        build a :class:`~unocr.Page` nor set the backend name, languages or
        timings: the base class builds the page, ``image.width`` by
        ``image.height``, and stamps it.

        Args:
            image: Upright RGB image (``image.image``, PIL) and its
                description (``image.name``).
            languages: Normalised ISO 639 codes; ``()`` for the default.
            clock: The stopwatch of this read.

        Returns:
            The blocks in reading order, coordinates in the pixels of
            ``image`` (x right, y down).
        """
        (out,) = self._recognize_batch([image], languages, [clock])
        if isinstance(out, UnocrError):
            raise out
        return out

    def _recognize_batch(
        self, images: LoadedImages, languages: Languages, clocks: Clocks
    ) -> BatchResults:
        """Run the engine on several images (default: one at a time).

        Engines that batch override this and set :attr:`batch_size`; time one
        engine call for several images and give each its share with
        :meth:`Stopwatch.add`. A failure of one image is returned in its
        place, not raised; an exception raised fails the whole batch.

        Args:
            images: Decoded images.
            languages: Normalised ISO 639 codes.
            clocks: One stopwatch per image.

        Returns:
            One sequence of blocks (as :meth:`_recognize`) or error per image,
            in order.
        """
        out: BatchResults = []
        for img, clock in zip(images, clocks, strict=True):
            try:
                out.append(self._recognize(img, languages, clock))
            except UnocrError as err:
                out.append(err)
        return out

    # ------------------------------------------------- call and batch hooks
    def _before_call(self) -> None:
        """Run at the start of every public call (default: nothing).

        :meth:`_begin` runs it once per read, detect or recognize (sync or
        async), after checking the backend is open, so a subclass prepares a
        call here instead of re-declaring them (the isolated backend lets
        workers start again after a Ctrl-C).
        """
        return None

    def _begin(
        self, languages: str | Sequence[str] | None, stage: str | None = None
    ) -> tuple[str, ...]:
        """The prelude of every public call: the one place it is written.

        Checks that the backend is open (and has ``stage``, where given), runs
        :meth:`_before_call`, and normalises the call's languages.

        Args:
            languages: The call's languages; ``None`` (or none at all) for the
                backend's own.
            stage: ``"detect"`` or ``"recognize"`` for a stage call.

        Returns:
            The normalised ISO 639 codes the hooks receive.

        Raises:
            unocr.errors.RecognitionError: The backend was closed.
            unocr.errors.StageUnavailableError: The engine lacks ``stage``.
            unocr.errors.LanguageCodeError: A language code is not ISO 639.
        """
        self._check_open()
        if stage is not None:
            self._require_stage(stage)
        self._before_call()
        return self._languages(languages)

    @contextmanager
    def _workers_scope(self, workers: int) -> Iterator[None]:
        """Wrap the engine calls of one :meth:`read_many` batch.

        By default the scope of every engine a composed engine reads with
        (:meth:`_parts`, in order; nothing for a single engine). An engine
        that divides the machine among concurrent calls overrides it, e.g.
        ``return self._engines.split(workers)`` (see
        :class:`unocr.backends.pool.EnginePool`), instead of re-declaring
        :meth:`read_many`.

        Args:
            workers: Threads that call the engine at once in this batch, >= 1
                (``workers`` and :attr:`min_workers`, capped by the chunks).

        Yields:
            Nothing; the batch runs inside.
        """
        with ExitStack() as scopes:
            for part in self._parts():
                scopes.enter_context(part._workers_scope(workers))
            yield

    # ---------------------------------------------------------------- helpers
    def _load_input(
        self, item: object, channel_order: Literal["rgb", "bgr"]
    ) -> LoadedImage:
        """Load one input as this engine takes it (for every read path).

        Refused above :attr:`max_pixels` before decoding; left undecoded
        where the engine sends the file itself (:attr:`needs_pixels`).

        Raises:
            unocr.errors.ImageError: The input cannot be read.
        """
        return load_input(
            item,
            channel_order=channel_order,
            max_pixels=self.max_pixels,
            decode=self.needs_pixels,
        )

    def _load_single(
        self,
        image: ImageInput,
        channel_order: Literal["rgb", "bgr"],
        *,
        pixels: bool = False,
    ) -> LoadedImage:
        """One input of a one-image call; a failure names this engine and the input.

        Args:
            image: Any input :meth:`read` accepts.
            channel_order: ``"bgr"`` for arrays from OpenCV.
            pixels: Decode it even where the engine sends the file itself (a
                stage cuts and reads the pixels); otherwise as
                :meth:`_load_input`.

        Raises:
            unocr.errors.ImageError: The input cannot be read.
        """
        try:
            if pixels:
                return load_input(
                    image, channel_order=channel_order, max_pixels=self.max_pixels
                )
            return self._load_input(image, channel_order)
        except UnocrError as err:
            raise _tag(err, self.name, describe_item(image)) from err.__cause__

    def _languages(self, languages: str | Sequence[str] | None) -> tuple[str, ...]:
        """A call's languages, normalised; none given (``None`` or empty): its own.

        A pipeline or cascade passes each engine the languages it was given
        itself, ``()`` when none, so that each engine then reads in its own.
        """
        if languages is None:
            return self.languages
        return (
            normalize_languages(languages, models=self.keeps_language_models)
            or self.languages
        )

    def _check_open(self) -> None:
        if self._closed:
            raise RecognitionError(
                f"the {self.name} backend was closed; create a new one with "
                f"unocr.get_backend({self.name!r})",
                backend=self.name,
            )

    @contextmanager
    def _serial(self) -> Iterator[None]:
        """Hold the engine lock when the engine is not :attr:`thread_safe`."""
        if self.thread_safe:
            yield
        else:
            with self._lock:
                yield

    def _call(
        self,
        fn: Callable[[], _T],
        item: object,
        sizes: Sequence[tuple[int, int]] = (),
    ) -> _T:
        """Run engine code, turning stray exceptions into RecognitionError.

        A :class:`~unocr.errors.ModelError` here is the engine's output that
        makes no valid element (a confidence of 7): the engine failed, not
        the caller, so it is a ``RecognitionError`` too. So is a
        :class:`MemoryError`: the engine asked for more memory than there is
        for these images (``sizes``, width by height, named in the message).
        """
        try:
            return fn()
        except UnocrError as err:
            if not isinstance(err, ModelError):
                raise _tag(err, self.name, item) from err.__cause__
            failure: Exception = err
        except (KeyboardInterrupt, SystemExit):
            raise
        except MemoryError as exc:
            raise RecognitionError(
                _out_of_memory(self.name, item, sizes, exc),
                backend=self.name,
                item=item,
            ) from exc
        except Exception as exc:
            failure = exc
        raise RecognitionError(
            f"{self.name} failed on {item}: {type(failure).__name__}: {failure}",
            backend=self.name,
            item=item,
        ) from failure

    def _invoke(
        self, image: LoadedImage, languages: tuple[str, ...], clock: Stopwatch
    ) -> object:
        """One :meth:`_recognize` call, in either contract."""
        if "_recognize" in self._legacy:
            return self._recognize(image, languages)  # type: ignore[call-arg]
        return self._recognize(image, languages, clock)

    def _read_one(self, image: LoadedImage, languages: tuple[str, ...]) -> Page:
        """Recognise one decoded image: engine call wrapped once, then stamped."""
        return self._stamped_call(self._invoke, "_recognize", image, languages)

    def _stamped_call(
        self,
        hook: Callable[[LoadedImage, Languages, Stopwatch], object],
        name: str,
        image: LoadedImage,
        languages: Languages,
    ) -> Page:
        """Run a one-image hook under the engine lock, wrapped once, then stamped.

        Args:
            hook: The hook's call, e.g. :meth:`_invoke` for :meth:`_recognize`.
            name: The hook's name, for a wrong result's error.
            image: The decoded image.
            languages: Normalised ISO 639 codes.

        Returns:
            The page of the hook's blocks, stamped with the call's timings.
        """
        clock = Stopwatch()
        with self._serial():
            out = self._call(
                lambda: hook(image, languages, clock),
                image.name,
                [(image.width, image.height)],
            )
        return self._stamp(self._checked(out, image, name), image, languages, clock)

    def _read_chunk(
        self, images: list[LoadedImage], languages: tuple[str, ...]
    ) -> list[Page | UnocrError]:
        """Recognise decoded images: one engine call per image, or one batch."""
        if "_recognize_batch" not in self._legacy and (
            type(self)._recognize_batch is Backend._recognize_batch
        ):
            out: list[Page | UnocrError] = []
            for img in images:
                try:
                    out.append(self._read_one(img, languages))
                except UnocrError as err:
                    out.append(err)
            return out
        clocks = [Stopwatch() for _ in images]
        try:
            with self._serial():
                raw: Sequence[object] = self._call(
                    lambda: self._invoke_batch(images, languages, clocks),
                    f"batch of {len(images)} images",
                    [(img.width, img.height) for img in images],
                )
        except UnocrError as err:
            # one error object per item: each carries its own index
            return [copy.copy(err) for _ in images]
        return self._batch_pages(
            images, languages, clocks, raw, hook="_recognize_batch"
        )

    def _invoke_batch(
        self, images: LoadedImages, languages: Languages, clocks: Clocks
    ) -> Sequence[object]:
        """One :meth:`_recognize_batch` call, in either contract."""
        if "_recognize_batch" in self._legacy:
            return self._recognize_batch(images, languages)  # type: ignore[call-arg]
        return self._recognize_batch(images, languages, clocks)

    def _parts(self) -> Sequence[Backend]:
        """The engines a composed engine (pipeline, cascade) reads with; none here.

        A read given no languages reports theirs (:func:`own_languages`), and
        ``read_many`` enters each one's workers scope (:meth:`_workers_scope`).
        """
        return ()

    def _check_parts(self) -> None:
        """Refuse, when a pipeline or cascade is built, parts it cannot report.

        Its page reports its parts' own languages (:func:`own_languages`), so
        each must be a language code; checked before any part reads.

        Raises:
            unocr.errors.LanguageCodeError: A part reads in a model named by
                its file (Tesseract's ``xyz`` for ``xyz.traineddata``).
        """
        try:
            own_languages(self._parts())
        except LanguageCodeError as err:
            raise _tag(err, self.name, None) from None

    def _checked(
        self, out: object, image: LoadedImage, hook: str
    ) -> Page | Sequence[Block]:
        """What an engine hook gave for an image, refused unless blocks or a page.

        Args:
            out: What the hook gave.
            image: The image it read.
            hook: The hook's name, for the message (``"_detect"``,
                ``"_recognize_batch[2]"``).

        Raises:
            RecognitionError: ``out`` is neither blocks nor a page.
        """
        if isinstance(out, Page) or (
            isinstance(out, (list, tuple)) and all(isinstance(b, Block) for b in out)
        ):
            return out
        raise RecognitionError(
            f"{type(self).__qualname__}.{hook} returned "
            f"{type(out).__name__}, not a sequence of unocr.model.Block",
            backend=self.name,
            item=image.name,
        )

    def _stamp(
        self, out: object, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> Page:
        """Build the read's one page: the engine's blocks, stamped once.

        ``out`` is what :meth:`_checked` let through: blocks, or a page.
        """
        languages = languages or own_languages(self._parts())
        if isinstance(out, Page):  # the pre-0.2 contract: the engine's own page
            t = out.timings
            return out.replace(
                backend=out.backend or self.name,
                source=out.source or source_of(image),
                timings=Timings(
                    decode=image.decode_seconds, engine=t.engine, convert=t.convert
                ),
            )
        t = clock.timings()
        return Page(
            width=image.width,
            height=image.height,
            blocks=tuple(cast("Sequence[Block]", out)),
            backend=self.name,
            languages=languages,
            source=source_of(image),
            timings=Timings(
                decode=image.decode_seconds, engine=t.engine, convert=t.convert
            ),
        )

    def _item_failure(self, index: int, source: str, err: UnocrError) -> ItemFailure:
        # In a batch the item is its position; the description stays in .source.
        err.item = index
        _tag(err, self.name, index)
        return ItemFailure(index=index, source=source, error=err)

    # ---------------------------------------------------------------- async
    # An engine with a native asyncio client (Google Cloud Vision) defines
    #     async def _arecognize_batch(self, images, languages, clocks)
    #         -> list[Sequence[Block] | UnocrError]
    # with the contract of _recognize_batch; unocr.aread / aread_many await
    # it on the event loop instead of running _recognize_batch on a thread
    # (see unocr._async). It is looked up, not declared here.

    def _batch_pages(
        self,
        images: LoadedImages,
        languages: Languages,
        clocks: Clocks,
        raw: Sequence[object],
        *,
        hook: str,
    ) -> list[Page | UnocrError]:
        """Stamp one batch call's per-image results (blocks or errors) as pages.

        ``hook`` names the batch hook that gave ``raw``, for the message of a
        wrong result.
        """
        listed = isinstance(raw, Sequence) and not isinstance(raw, str | bytes)
        if not listed or len(raw) != len(images):
            got = (
                f"{len(raw)} results"
                if listed
                else f"{type(raw).__name__}, not a list with one result per image,"
            )
            err = RecognitionError(
                f"{self.name} returned {got} for {len(images)} images",
                backend=self.name,
            )
            return [copy.copy(err) for _ in images]
        pages: list[Page | UnocrError] = []
        for k, (img, clock, result) in enumerate(zip(images, clocks, raw, strict=True)):
            if isinstance(result, UnocrError):
                pages.append(result)
                continue
            try:
                pages.append(
                    self._stamp(
                        self._checked(result, img, f"{hook}[{k}]"),
                        img,
                        languages,
                        clock,
                    )
                )
            except UnocrError as err:
                pages.append(err)
        return pages

    # --------------------------------------------------------------- stages
    @property
    def stages(self) -> tuple[str, ...]:
        """The stages of its own this engine has, of ``("detect", "recognize")``.

        An engine has a stage when its class implements the hook
        (:meth:`_detect`, :meth:`_recognize_crops`).
        """
        cls = type(self)
        return tuple(
            stage
            for stage, hook in _STAGE_HOOKS
            if getattr(cls, hook) is not getattr(Backend, hook)
        )

    def detect(self, image: ImageInput, **call: Unpack[ImageCall]) -> Page:
        """Find the text regions of one image, without reading them.

        Takes the arguments of :meth:`read`.

        Returns:
            A page stamped like :meth:`read`'s whose blocks, lines and words
            have geometry (in the upright image's pixels) but text ``""`` and
            confidence ``None``, at the levels the engine detects.

        Raises:
            unocr.errors.StageUnavailableError: The engine has no detection
                stage of its own (the message names the stages it has).
            unocr.errors.LanguageUnavailableError: The engine's models cannot
                read a requested language.
            unocr.errors.ImageError: The input cannot be read.
            unocr.errors.RecognitionError: The engine failed.
        """
        languages, channel_order = _image_call("detect", call)
        self._check_open()
        self._require_stage("detect")
        return self.detect_loaded(
            self._load_single(image, channel_order, pixels=True), languages=languages
        )

    def detect_loaded(
        self, image: LoadedImage, *, languages: str | Sequence[str] | None = None
    ) -> Page:
        """:meth:`detect` on an image already decoded by :func:`unocr.image.load_image`.

        Takes the arguments of :meth:`read_loaded`.

        Returns:
            The page of regions, as :meth:`detect`.
        """
        return self._detected(image, self._begin(languages, stage="detect"))

    def _detected(self, image: LoadedImage, languages: Languages) -> Page:
        """:meth:`detect_loaded` once the call has begun (languages normalised).

        A composed engine that detects with another engine overrides this.
        """
        page = self._stamped_call(self._detect, "_detect", image, languages)
        return page.replace(blocks=tuple(_without_text(b) for b in page.blocks))

    def recognize(
        self,
        image: ImageInput,
        regions: Sequence[Geometry],
        **call: Unpack[ImageCall],
    ) -> list[Recognition]:
        """Read the text of given regions of one image.

        Each region is cut along its true shape (:func:`unocr.geometry.crop_regions`:
        a box is cut out, a rotated box or quad is rectified to an upright
        crop, a polygon or mask through its minimum rotated rectangle),
        clipped to the image, and all crops go to the engine in one call.

        Args:
            image: Any input :meth:`read` accepts.
            regions: Shapes in the upright image's pixels, e.g. the geometry
                of the lines or words of :meth:`detect`.
            **call: ``languages`` and ``channel_order``, as :class:`ImageCall`
                describes them.

        Returns:
            One :class:`~unocr.model.Recognition` per region, in order; text
            ``""`` and confidence ``None`` for a region with no area inside
            the image (the engine is not called for it).

        Raises:
            unocr.errors.StageUnavailableError: The engine has no recognition
                stage of its own (the message names the stages it has).
            unocr.errors.GeometryError: A region is not a shape.
            unocr.errors.ImageError: The input cannot be read, or the crops
                together exceed ``max_pixels``.
            unocr.errors.RecognitionError: The engine failed.
        """
        languages, channel_order = _image_call("recognize", call)
        self._check_open()
        self._require_stage("recognize")
        return self.recognize_loaded(
            self._load_single(image, channel_order, pixels=True),
            regions,
            languages=languages,
        )

    def recognize_loaded(
        self,
        image: LoadedImage,
        regions: Sequence[Geometry],
        *,
        languages: str | Sequence[str] | None = None,
    ) -> list[Recognition]:
        """:meth:`recognize` on an image already decoded.

        Args:
            image: The decoded image.
            regions: Shapes in the image's pixels.
            languages: ISO 639 codes for this call; default the backend's.

        Returns:
            One recognition per region, as :meth:`recognize`.
        """
        return self._read_regions(
            image, regions, self._begin(languages, stage="recognize")
        )

    def _read_regions(
        self, image: LoadedImage, regions: Sequence[Geometry], languages: Languages
    ) -> list[Recognition]:
        """:meth:`recognize_loaded` once the call has begun (languages normalised).

        A composed engine that reads with another engine overrides this.
        """
        from unocr.geometry.crop import crop_regions

        try:
            crops = crop_regions(image.image, regions, max_pixels=self.max_pixels)
        except UnocrError as err:
            raise _tag(err, self.name, image.name) from err.__cause__
        todo = [i for i, crop in enumerate(crops) if crop is not None]
        out = [Recognition("", None)] * len(crops)
        if not todo:
            return out
        clock = Stopwatch()
        given = [c for c in crops if c is not None]
        with self._serial():
            raw = self._call(
                lambda: list(self._recognize_crops(given, languages, clock)),
                image.name,
                [c.size for c in given],
            )
        if len(raw) != len(given):
            raise RecognitionError(
                f"{type(self).__qualname__}._recognize_crops returned {len(raw)} "
                f"results for {len(given)} crops",
                backend=self.name,
                item=image.name,
            )
        for i, entry in zip(todo, raw, strict=True):
            out[i] = self._call(partial(_reading, entry), image.name)
        return out

    def _detect(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> Sequence[Block]:
        """Find the text regions of one decoded image (the detection stage).

        Engines with a detector of their own override this; time the
        detector with ``clock.time("engine")`` and the conversion with
        ``clock.time("convert")``, as in :meth:`_recognize`.

        Args:
            image: Upright RGB image.
            languages: Normalised ISO 639 codes; ``()`` for the default.
            clock: The stopwatch of this call.

        Returns:
            The blocks, lines and words found, in reading order, in the
            pixels of ``image``; their text and confidence are ignored (the
            base class blanks them).

        Raises:
            unocr.errors.StageUnavailableError: Not overridden.
        """
        raise StageUnavailableError("detect", self.stages, backend=self.name)

    def _recognize_crops(
        self, crops: Crops, languages: Languages, clock: Stopwatch
    ) -> Readings:
        """Read one text line from each crop (the recognition stage).

        Engines with a recognizer of their own override this and read all
        crops in one engine call (batch inside). Crops are never empty.

        Args:
            crops: Upright RGB images, each one line or word, at least 1x1.
            languages: Normalised ISO 639 codes; ``()`` for the default.
            clock: The stopwatch of this call.

        Returns:
            ``(text, confidence)`` per crop, in order; confidence in [0, 1]
            or ``None``.

        Raises:
            unocr.errors.StageUnavailableError: Not overridden.
        """
        raise StageUnavailableError("recognize", self.stages, backend=self.name)

    def _require_stage(self, stage: str) -> None:
        if stage not in self.stages:
            raise StageUnavailableError(stage, self.stages, backend=self.name)


def own_languages(engines: Iterable[Backend]) -> tuple[str, ...]:
    """The languages engines read in by their own settings, each code once.

    What the page of a pipeline or cascade given no languages reports: each
    of its engines then reads in its own (see :meth:`Backend._languages`).

    Args:
        engines: The engines, in order.

    Returns:
        Their :attr:`Backend.languages`, in order, without repeats.

    Raises:
        unocr.errors.LanguageCodeError: An engine reads in a model named by
            its file, no language code (Tesseract's ``xyz`` for
            ``xyz.traineddata``); the message says how to name it instead.
    """
    codes: list[str] = []
    for engine in engines:
        for code in engine.languages:
            try:
                codes.extend(normalize_languages([code]))
            except LanguageCodeError:
                raise LanguageCodeError(
                    f"the {engine.name} engine reads in {code!r}, a model named by "
                    "its file, which is not an ISO 639 language code; a pipeline or "
                    "cascade reads in language codes only (its pages report them). "
                    "Name the model's file after a code ISO reserves for local use, "
                    "qaa-qtz (qaa.traineddata, asked for as 'qaa'), or after its "
                    "language and a suffix (eng_custom.traineddata, asked for as "
                    f"'en-custom'); or read with the {engine.name} engine alone"
                ) from None
    return normalize_languages(codes)


def part_options(
    options: Mapping[str, Any] | None, *, timeout: float | None
) -> dict[str, Any]:
    """The options a pipeline or cascade builds one of its engines by name with.

    Its ``timeout`` (when given) is each engine's own limit per image; the
    engine's own ``options`` win.

    Args:
        options: The engine's own options, as given to the composite.
        timeout: The composite's ``timeout=``.

    Returns:
        The keyword options for :func:`unocr.get_backend`.
    """
    shared: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
    return {**shared, **dict(options or {})}


def share_max_pixels(
    engine: Backend, options: Mapping[str, Any] | None, max_pixels: int | None
) -> None:
    """Give an engine a composite built by name the composite's pixel limit.

    Set on the built engine (every backend has the limit, whatever options its
    constructor takes), unless it is the default or the engine's own
    ``options`` set one: the crops cut for the engine then obey the
    composite's limit.

    Args:
        engine: The engine the composite built.
        options: The engine's own options, as given to the composite.
        max_pixels: The composite's ``max_pixels=``.
    """
    if max_pixels != DEFAULT_MAX_PIXELS and "max_pixels" not in (options or {}):
        engine.max_pixels = max_pixels


class CompositeBackend(Backend):
    """Base class of an engine that reads with other engines (a pipeline, a cascade).

    It hands the languages asked on to its engines (a Tesseract model's
    variant kept, :attr:`~Backend.keeps_language_models`) and builds the
    engines it is given by name with its own time and pixel limits
    (:meth:`_build_part`); a subclass names its engines in :meth:`_parts`.

    Args:
        timeout: Seconds each engine may take on one image; ``None``: no
            limit.
        languages: Default languages (ISO 639 codes), as for :class:`Backend`.
        max_pixels: The pixel limit, as for :class:`Backend`.

    Raises:
        unocr.errors.ConfigError: ``timeout`` is not a finite number of
            seconds > 0 (nor ``None``).
    """

    keeps_language_models: ClassVar[bool] = True

    def __init__(
        self,
        *,
        timeout: float | None = None,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
    ) -> None:
        #: Seconds each engine may take on one image (``None``: no limit).
        self.timeout = check_seconds(timeout, "timeout")
        super().__init__(languages=languages, max_pixels=max_pixels)

    def _build_part(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        *,
        languages: str | Sequence[str] | None = None,
    ) -> Backend:
        """Build one of its engines given by name, which it then owns.

        The engine gets the composite's ``timeout`` (:func:`part_options`) and
        pixel limit (:func:`share_max_pixels`); its own ``options`` win.

        Args:
            name: The engine's name.
            options: The engine's own options, as given to the composite.
            languages: Languages to build it with; ``None``: its own.

        Returns:
            The new engine.
        """
        from unocr._api import get_backend

        own = part_options(options, timeout=self.timeout)
        if languages is not None:
            own = {"languages": languages, **own}
        engine = get_backend(name, **own)
        share_max_pixels(engine, options, self.max_pixels)
        return engine


def _reading(entry: object) -> Recognition:
    """One entry of :meth:`Backend._recognize_crops`: ``(text, confidence)``.

    Raises:
        ValueError, TypeError, ModelError: The entry is no such pair (the
            caller's ``_call`` makes it a ``RecognitionError``).
    """
    if isinstance(entry, str | bytes) or not isinstance(entry, Sequence):
        raise TypeError(
            f"_recognize_crops gave {type(entry).__name__}, not (text, confidence)"
        )
    text, confidence = entry
    return Recognition(text, confidence)


def _out_of_memory(
    backend: str, item: object, sizes: Sequence[tuple[int, int]], exc: MemoryError
) -> str:
    """What to say when an engine ran out of memory on ``item``."""
    shown = [f"{w}x{h}" for w, h in sizes[:3]] + (["..."] if len(sizes) > 3 else [])
    what = f" ({', '.join(shown)} pixels)" if shown else ""
    detail = str(exc) or type(exc).__name__
    return (
        f"{backend} ran out of memory on {item}{what}: {detail}. "
        "The image may be too large, or too thin for the engine to scale: give "
        "it a smaller image or leave this one out, or run the engine in worker "
        "processes with max_memory= so that such an image fails alone (see "
        "unocr.isolation)"
    )


#: Each stage and the hook an engine overrides to have it.
_STAGE_HOOKS = (("detect", "_detect"), ("recognize", "_recognize_crops"))


def _without_text(block: Block) -> Block:
    """A detected block with every text ``""`` and every confidence ``None``."""
    lines = tuple(
        line.replace(
            text="",
            confidence=None,
            words=tuple(
                w.replace(text="", confidence=None, symbols=()) for w in line.words
            ),
        )
        for line in block.lines
    )
    return block.replace(text="", confidence=None, lines=lines)

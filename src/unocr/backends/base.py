"""The contract every engine backend fills: :class:`Backend`.

A backend turns one decoded, upright RGB image into a :class:`~unocr.Page`
(:meth:`Backend._recognize`), optionally many at once
(:meth:`Backend._recognize_batch`). Everything else — decoding any input,
languages, timings, batching, worker threads, per-item errors — lives here
once, so every engine behaves the same from the user's side.
"""

from __future__ import annotations

import abc
import copy
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from types import TracebackType
from typing import ClassVar, Literal, NoReturn, TypeVar

from unocr.documents import describe_item, load_input, source_of
from unocr.errors import RecognitionError, UnocrError
from unocr.image import DEFAULT_MAX_PIXELS, ImageInput, LoadedImage
from unocr.languages import normalize_languages
from unocr.model import Page, Timings

__all__ = ["Backend", "Capabilities", "ItemError", "Stopwatch"]

_T = TypeVar("_T")


@dataclass(frozen=True)
class Capabilities:
    """What an engine can do, for ``unocr backends`` and for choosing one.

    Attributes:
        geometry: Native shape of its words: ``"box"``, ``"quad"``,
            ``"polygon"``, ``"rotated_box"`` or ``"mask"``.
        levels: Levels the engine reports itself, e.g. ``("line", "word")``.
        confidence: Whether it reports confidences.
        languages: ISO 639 codes it reads out of the box; ``None`` where the
            set is open-ended (installed language data, or a cloud service).
        batching: Whether ``read_many`` sends several images per engine call.
        network: Whether it needs the network at run time.
    """

    geometry: str
    levels: tuple[str, ...]
    confidence: bool
    languages: tuple[str, ...] | None
    batching: bool
    network: bool


@dataclass(frozen=True)
class ItemError:
    """The failure of one item of :meth:`Backend.read_many` (``errors="return"``).

    It is falsy, so ``[p for p in results if p]`` keeps the pages.

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
            self.seconds[phase] = self.seconds.get(phase, 0.0) + (
                time.perf_counter() - start
            )

    def timings(self) -> Timings:
        """The phases as :class:`~unocr.model.Timings`."""
        s = self.seconds
        return Timings(
            decode=s.get("decode", 0.0),
            engine=s.get("engine", 0.0),
            convert=s.get("convert", 0.0),
        )


def _tag(err: UnocrError, backend: str, item: object) -> UnocrError:
    if err.backend is None:
        err.backend = backend
    if err.item is None:
        err.item = item
    return err


class Backend(abc.ABC):
    """Base class of every engine.

    Subclasses set :attr:`name` and :attr:`capabilities`, add their own
    keyword options to ``__init__`` and implement :meth:`_recognize`. A
    backend object holds its engine (model, client, process settings) and is
    reused across calls; use it as a context manager or call :meth:`close`.

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

    def __init__(
        self,
        *,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.languages: tuple[str, ...] = normalize_languages(languages)
        self.max_pixels = max_pixels
        self._closed = False
        self._lock = threading.Lock()

    # ------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Release the engine's resources. Further calls raise an error."""
        self._closed = True

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def __enter__(self) -> Backend:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        langs = ",".join(self.languages) or "default"
        return f"<{type(self).__name__} {self.name!r} languages={langs}>"

    # --------------------------------------------------------------- public
    def read(
        self,
        image: ImageInput,
        *,
        languages: str | Sequence[str] | None = None,
        channel_order: Literal["rgb", "bgr"] = "rgb",
    ) -> Page:
        """Recognise the text of one image.

        Args:
            image: A path, bytes, binary file object, PIL image or uint8 array
                ((H, W), (H, W, 3) or (H, W, 4)); see :mod:`unocr.image`.
            languages: ISO 639 codes for this call; default the backend's.
            channel_order: ``"bgr"`` for arrays from OpenCV.

        Returns:
            The page, coordinates in the upright image's pixels.

        Raises:
            unocr.errors.ImageError: The input cannot be read.
            unocr.errors.RecognitionError: The engine failed.
        """
        langs = self._languages(languages)
        try:
            loaded = load_input(
                image, channel_order=channel_order, max_pixels=self.max_pixels
            )
        except UnocrError as err:
            raise _tag(err, self.name, describe_item(image)) from err.__cause__
        return self.read_loaded(loaded, languages=langs)

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
        self._check_open()
        langs = self._languages(languages)
        with self._serial():
            page = self._call(lambda: self._recognize(image, langs), image.name)
        return self._finish(page, image)

    def read_many(
        self,
        images: Iterable[ImageInput],
        *,
        languages: str | Sequence[str] | None = None,
        workers: int = 1,
        errors: Literal["raise", "return"] = "raise",
        progress: Callable[[int], None] | None = None,
        channel_order: Literal["rgb", "bgr"] = "rgb",
    ) -> list[Page | ItemError]:
        """Recognise many images; results come back in input order.

        Images are decoded and recognised on ``workers`` threads, in chunks of
        :attr:`batch_size` for engines that batch.

        Args:
            images: Any inputs :meth:`read` accepts.
            languages: ISO 639 codes; default the backend's.
            workers: Threads working at once (each runs one engine call).
            errors: ``"raise"`` stops at the first failure and raises it;
                ``"return"`` puts an :class:`ItemError` in the failed item's
                place and still returns every other page.
            progress: Called with the number of items just finished.
            channel_order: ``"bgr"`` for arrays from OpenCV.

        Returns:
            One :class:`~unocr.Page` (or :class:`ItemError`) per input.

        Raises:
            ValueError: ``workers`` < 1 or an unknown ``errors`` mode.
            unocr.errors.UnocrError: With ``errors="raise"``, the first failure.
        """
        if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
            raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
        if errors not in ("raise", "return"):
            raise ValueError(f"errors must be 'raise' or 'return', got {errors!r}")
        self._check_open()
        langs = self._languages(languages)
        items = list(images)
        results: list[Page | ItemError | None] = [None] * len(items)
        size = max(1, int(self.batch_size))
        chunks = [
            list(range(i, min(i + size, len(items))))
            for i in range(0, len(items), size)
        ]

        def run(chunk: list[int]) -> None:
            loaded: list[tuple[int, LoadedImage]] = []
            for i in chunk:
                try:
                    img = load_input(
                        items[i],
                        channel_order=channel_order,
                        max_pixels=self.max_pixels,
                    )
                except UnocrError as err:
                    results[i] = self._item_error(i, describe_item(items[i]), err)
                else:
                    loaded.append((i, img))
            if loaded:
                imgs = [img for _, img in loaded]
                try:
                    with self._serial():
                        outs = self._call(
                            lambda: self._recognize_batch(imgs, langs),
                            f"batch of {len(imgs)} images",
                        )
                    if len(outs) != len(imgs):
                        raise RecognitionError(
                            f"{self.name} returned {len(outs)} results for "
                            f"{len(imgs)} images",
                            backend=self.name,
                        )
                except UnocrError as err:
                    # one error object per item: each carries its own index
                    outs = [copy.copy(err) for _ in imgs]
                for (i, img), out in zip(loaded, outs, strict=False):
                    if isinstance(out, Page):
                        results[i] = self._finish(out, img)
                    else:
                        results[i] = self._item_error(i, img.name, out)
            if progress is not None:
                progress(len(chunk))
            if errors == "raise":
                for i in chunk:
                    r = results[i]
                    if isinstance(r, ItemError):
                        r.raise_()

        if workers == 1 or len(chunks) <= 1:
            for chunk in chunks:
                run(chunk)
        else:
            with ThreadPoolExecutor(
                max_workers=min(workers, len(chunks)), thread_name_prefix="unocr"
            ) as pool:
                futures: list[Future[None]] = [pool.submit(run, c) for c in chunks]
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
    @abc.abstractmethod
    def _recognize(self, image: LoadedImage, languages: tuple[str, ...]) -> Page:
        """Run the engine on one decoded image.

        Args:
            image: Upright RGB image (``image.image``) and its description.
            languages: Normalised ISO 639 codes; ``()`` for the default.

        Returns:
            The page, with ``timings.engine`` and ``timings.convert`` filled
            (the base class adds ``decode``) and ``backend`` set to
            :attr:`name`.
        """

    def _recognize_batch(
        self, images: Sequence[LoadedImage], languages: tuple[str, ...]
    ) -> list[Page | UnocrError]:
        """Run the engine on several images (default: one at a time).

        Engines that batch override this and set :attr:`batch_size`. A
        failure of one image is returned in its place, not raised.

        Args:
            images: Decoded images.
            languages: Normalised ISO 639 codes.

        Returns:
            One page or error per image, in order.
        """
        out: list[Page | UnocrError] = []
        for img in images:
            try:
                out.append(
                    self._call(partial(self._recognize, img, languages), img.name)
                )
            except UnocrError as err:
                out.append(err)
        return out

    # ---------------------------------------------------------------- helpers
    def _languages(self, languages: str | Sequence[str] | None) -> tuple[str, ...]:
        return self.languages if languages is None else normalize_languages(languages)

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

    def _call(self, fn: Callable[[], _T], item: object) -> _T:
        """Run engine code, turning stray exceptions into RecognitionError."""
        try:
            return fn()
        except UnocrError as err:
            raise _tag(err, self.name, item) from err.__cause__
        except (KeyboardInterrupt, SystemExit, MemoryError):
            raise
        except Exception as exc:
            raise RecognitionError(
                f"{self.name} failed on {item}: {type(exc).__name__}: {exc}",
                backend=self.name,
                item=item,
            ) from exc

    def _finish(self, page: Page, image: LoadedImage) -> Page:
        t = page.timings
        return page.replace(
            backend=page.backend or self.name,
            source=page.source or source_of(image),
            timings=Timings(
                decode=image.decode_seconds, engine=t.engine, convert=t.convert
            ),
        )

    def _item_error(self, index: int, source: str, err: UnocrError) -> ItemError:
        # In a batch the item is its position; the description stays in .source.
        err.item = index
        _tag(err, self.name, index)
        return ItemError(index=index, source=source, error=err)

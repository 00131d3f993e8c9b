"""Pipelines: one engine's detector with another's recognizer, as one backend.

``get_backend("pipeline", detect="rapidocr", recognize="tesseract")``, or the
shorthand name ``"rapidocr+tesseract"`` (detector ``+`` recognizer), is an
ordinary backend: ``read``, ``read_many``, the CLI (``-b rapidocr+tesseract``)
and ``unocr compare`` take it like any engine. One read is

1. the detector's :meth:`~unocr.Backend.detect` on the image: blocks, lines
   and words with geometry and no text;
2. the recognizer's :meth:`~unocr.Backend.recognize` on the regions of one
   level, all in one call, each cut along its true shape (rotated regions are
   rectified): the detector's words where it reports words itself (Tesseract,
   keras-ocr), otherwise its lines (``level=`` chooses; a detector that finds
   lines only, as RapidOCR's and EasyOCR's, has its lines read whole even
   with ``level="word"``);
3. the page: the detector's blocks and lines with the recognizer's text and
   confidence. Recognised lines are split into words along their own
   direction (:func:`unocr.model.wordsplit.split_line`); recognised words
   make up their lines. Regions read as empty text are dropped, as an engine
   drops them in a read.

Every element says which engine found its geometry and which read its text
(:attr:`unocr.model.Element.provenance`), and the page's ``backend`` is
``"DETECTOR+RECOGNIZER"``. Languages given to the pipeline (or to a call)
go to both stages; where none are, each stage reads in its own engine's
(``detect_options={"languages": "ko"}``), and the page's ``languages`` are
those.

Examples:
    >>> import unocr
    >>> ocr = unocr.get_backend("rapidocr+tesseract")  # doctest: +SKIP
    >>> page = ocr.read("receipt.png")  # doctest: +SKIP
    >>> page.backend, page.lines[0].provenance  # doctest: +SKIP
    ('rapidocr+tesseract', Provenance(geometry='rapidocr', text='tesseract'))
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal, TypeVar

from unocr.backends import catalog
from unocr.backends.base import (
    Backend,
    CompositeBackend,
    Languages,
    Stopwatch,
)
from unocr.backends.catalog import PIPELINE_SEPARATOR
from unocr.backends.deadline import (
    Cancellation,
    cancellation_scope,
    current_cancellation,
    run_with_timeout,
)
from unocr.backends.options import check_choice
from unocr.errors import (
    ConfigError,
    EngineCancelledError,
    EngineTimeoutError,
    StageUnavailableError,
)
from unocr.geometry import Geometry
from unocr.image import DEFAULT_MAX_PIXELS, LoadedImage
from unocr.languages import text_language
from unocr.model import Block, Line, Page, Provenance, Recognition, Word
from unocr.model.wordsplit import split_line

__all__ = ["PipelineBackend", "call_within", "require_known_stage"]

#: Which regions the recognizer reads.
Level = Literal["auto", "line", "word"]

_T = TypeVar("_T")


def require_known_stage(engine: str | Backend, stage: str, role: str) -> None:
    """Refuse an engine named for a stage it is known not to have, unbuilt.

    A built-in engine's stages are in the catalog
    (:attr:`unocr.backends.catalog.Capabilities.stages`), so a pipeline or
    cascade refuses it before building any engine (which may ask for
    credentials or load models). Backend objects, and names the catalog does
    not describe (engines registered at run time, pipelines), are checked
    once built.

    Args:
        engine: An engine name (any spelling or alias) or a backend object.
        stage: ``"detect"`` or ``"recognize"``.
        role: What the engine is in the composite, for the message.

    Raises:
        unocr.errors.StageUnavailableError: A built-in engine without
            ``stage``; the message says which stages it has.
    """
    if not isinstance(engine, str):
        return
    try:
        entry = catalog.spec(catalog.canonical_name(engine))
    except KeyError:
        return
    known = entry.capabilities.stages
    if stage not in known:
        raise StageUnavailableError(stage, known, backend=entry.name, role=role)


def call_within(
    engine: Backend, timeout: float | None, call: Callable[[], _T], item: object
) -> _T:
    """Call an engine a composite was given as an object, within its ``timeout``.

    An engine given by name is built with the composite's ``timeout=`` (its
    own time limit); one given as an object has the limit it was built with,
    and where it has none (its ``timeout`` is ``None`` or absent), the
    composite's applies to each call:
    :func:`~unocr.backends.deadline.run_with_timeout` stops waiting, and the
    call runs under a :class:`~unocr.backends.deadline.Cancellation` that is
    then cancelled, so an engine that runs a program (Tesseract) has it
    killed; one running in this process finishes in the background. A
    cancellation of the read itself reaches the call too.

    Args:
        engine: The engine called.
        timeout: The composite's seconds per image; ``None``: no limit.
        call: The engine call.
        item: What is read, for the error.

    Returns:
        What ``call`` returned.

    Raises:
        unocr.errors.EngineTimeoutError: ``call`` took longer than
            ``timeout`` seconds.
        unocr.errors.EngineCancelledError: The read was cancelled.
    """
    if timeout is None or getattr(engine, "timeout", None) is not None:
        return call()  # no limit, or the engine's own
    token = Cancellation()
    outer = current_cancellation()

    def stop() -> None:
        token.cancel()

    forget = outer.on_cancel(stop) if outer is not None else None
    context = contextvars.copy_context()

    def scoped() -> _T:
        with cancellation_scope(token):
            return call()

    try:
        return run_with_timeout(
            lambda: context.run(scoped), timeout, backend=engine.name, item=item
        )
    except (EngineTimeoutError, EngineCancelledError):
        token.cancel()  # stop the abandoned call's program, if it runs one
        raise
    finally:
        if forget is not None:
            forget()


@catalog.builtin("pipeline")
class PipelineBackend(CompositeBackend):
    """One engine's detection stage feeding another engine's recognition stage.

    Registered as ``"pipeline"``; ``"DETECTOR+RECOGNIZER"`` names one too.

    Args:
        detect: The engine that finds the regions: a backend name (with
            ``detect_options``) or a backend object (not closed by this one).
        recognize: The engine that reads them, likewise.
        detect_options: Keyword options of the detector's backend.
        recognize_options: Keyword options of the recognizer's backend.
        level: ``"line"`` or ``"word"``: which regions the recognizer reads
            (with ``"word"``, a line the detector found no words in is read
            whole: RapidOCR's and EasyOCR's detectors find lines only);
            ``"auto"`` (the default) reads the words where the detector
            reports words itself, else its lines.
        timeout: Seconds each stage may take on one image: the engines'
            own ``timeout=`` for engines given by name (their options win);
            for a backend object without a time limit of its own, the
            pipeline's limit on each call to it (:func:`call_within`).
        languages: Languages (ISO 639 codes) of both stages; ``None``: each
            stage reads in its own engine's languages.
        max_pixels: Refuse larger images before decoding them; ``None``: no
            limit. Other than the default, also the engines' own (for
            engines given by name; their options win), which the crops cut
            for the recognizer obey.

    Raises:
        unocr.errors.StageUnavailableError: The detector has no detection
            stage or the recognizer no recognition stage; the message names
            the stages it has.
            A built-in engine named for a stage it lacks is refused before
            any engine is built.
        unocr.errors.BackendNotFoundError: An unknown engine name.
        unocr.errors.ConfigError: An unknown ``level``, or ``timeout`` not a
            finite number of seconds > 0 (nor ``None``).
        unocr.errors.LanguageCodeError: A stage's engine reads in a model
            named by its file, not a language code (the page could not
            report it); the message says how to name the model instead.
    """

    def __init__(
        self,
        *,
        detect: str | Backend,
        recognize: str | Backend,
        detect_options: Mapping[str, Any] | None = None,
        recognize_options: Mapping[str, Any] | None = None,
        level: Level = "auto",
        timeout: float | None = None,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
    ) -> None:
        super().__init__(timeout=timeout, languages=languages, max_pixels=max_pixels)
        check_choice(level, "level", ("auto", "line", "word"))
        self.level: Level = level
        require_known_stage(detect, "detect", "detector")
        require_known_stage(recognize, "recognize", "recognizer")
        self.detector, self._own_detector = self._stage(
            detect, detect_options, "detect", "detector"
        )
        try:
            self.recognizer, self._own_recognizer = self._stage(
                recognize, recognize_options, "recognize", "recognizer"
            )
        except BaseException:
            if self._own_detector:
                self.detector.close()
            raise
        self.name = f"{self.detector.name}{PIPELINE_SEPARATOR}{self.recognizer.name}"  # type: ignore[misc]
        # The pipeline's limit on the calls to a stage given as an object.
        self._detect_limit = None if self._own_detector else self.timeout
        self._recognize_limit = None if self._own_recognizer else self.timeout
        try:
            self._check_parts()
        except BaseException:
            self.close()
            raise
        self.min_workers = max(self.detector.min_workers, self.recognizer.min_workers)

    def _stage(
        self,
        engine: str | Backend,
        options: Mapping[str, Any] | None,
        stage: str,
        role: str,
    ) -> tuple[Backend, bool]:
        """The stage's backend (built from a name, or given) and whether it is ours."""
        if isinstance(engine, Backend):
            if options:
                raise ConfigError(
                    f"{stage}_options apply to an engine given by name; the {role} "
                    "was given as a backend object, already configured"
                )
            backend, owned = engine, False
        else:
            backend, owned = self._build_part(engine, options), True
        if stage not in backend.stages:
            if owned:
                backend.close()
            raise StageUnavailableError(
                stage, backend.stages, backend=backend.name, role=role
            )
        return backend, owned

    @property
    def stages(self) -> tuple[str, ...]:
        """Both: its detector's detection and its recognizer's recognition."""
        return ("detect", "recognize")

    def __repr__(self) -> str:
        return (
            f"<PipelineBackend {self.name!r} detect={self.detector!r} "
            f"recognize={self.recognizer!r} level={self.level}>"
        )

    def _before_call(self) -> None:
        self.detector._before_call()
        self.recognizer._before_call()

    def close(self) -> None:
        """Close the stage engines this pipeline built (not ones given to it)."""
        if self._own_detector:
            self.detector.close()
        if self._own_recognizer:
            self.recognizer.close()
        super().close()

    # ------------------------------------------------------------------ stages
    def _detected(self, image: LoadedImage, languages: Languages) -> Page:
        """The detector's page, within the pipeline's limit where it applies."""
        return call_within(
            self.detector,
            self._detect_limit,
            lambda: self.detector.detect_loaded(image, languages=languages),
            image.name,
        )

    def _read_regions(
        self, image: LoadedImage, regions: Sequence[Geometry], languages: Languages
    ) -> list[Recognition]:
        """The recognizer's readings, within the pipeline's limit where it applies."""
        return call_within(
            self.recognizer,
            self._recognize_limit,
            lambda: self.recognizer.recognize_loaded(
                image, regions, languages=languages
            ),
            image.name,
        )

    # ------------------------------------------------------------- recognition
    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        detected = self._detected(image, languages)
        clock.add("engine", detected.timings.engine)
        clock.add("convert", detected.timings.convert)
        words = self._reads_words(detected)
        regions = [
            element.geometry
            for line in detected.lines
            for element in (line.words if words and line.words else (line,))
        ]
        with clock.time("engine"):
            texts = self._read_regions(image, regions, languages)
        with clock.time("convert"):
            read_in = self.recognizer._languages(languages)
            return self._assemble(detected, texts, words, read_in)

    def _reads_words(self, detected: Page) -> bool:
        if self.level != "auto":
            return self.level == "word"
        return any(w.native for w in detected.words)

    def _assemble(
        self,
        detected: Page,
        texts: list[Recognition],
        words: bool,
        languages: tuple[str, ...],
    ) -> tuple[Block, ...]:
        """The detector's blocks and lines with the recognizer's text.

        ``languages`` are those the recognizer read in; ``words``: its words
        were read, where a line has any.
        """
        origin = Provenance(geometry=self.detector.name, text=self.recognizer.name)
        language = text_language(languages)
        read = iter(texts)
        blocks: list[Block] = []
        for block in detected.blocks:
            lines: list[Line] = []
            for line in block.lines:
                if words and line.words:
                    kept = [
                        w.replace(
                            text=r.text,
                            confidence=r.confidence,
                            language=language,
                            provenance=origin,
                        )
                        for w, r in zip(line.words, read, strict=False)
                        if r.text
                    ]
                    if kept:
                        lines.append(_line(line, kept, None, None, language, origin))
                    continue
                r = next(read)
                if r.text:
                    split = split_line(
                        line.geometry,
                        r.text,
                        confidence=r.confidence,
                        language=language,
                    )
                    marked = [w.replace(provenance=origin) for w in split]
                    lines.append(
                        _line(line, marked, r.text, r.confidence, language, origin)
                    )
            if lines:
                blocks.append(
                    Block.from_lines(
                        lines,
                        native=block.native,
                        language=language,
                        geometry=block.geometry,
                    ).replace(provenance=origin)
                )
        return tuple(blocks)

    def _parts(self) -> Sequence[Backend]:
        """The detector and the recognizer: a read given no languages reports theirs."""
        return (self.detector, self.recognizer)


def _line(
    line: Line,
    words: Sequence[Word],
    text: str | None,
    confidence: float | None,
    language: str | None,
    origin: Provenance,
) -> Line:
    """The detector's line holding the recognised words, in its own shape."""
    built = Line.from_words(words, native=line.native, text=text, language=language)
    return built.replace(
        geometry=line.geometry,
        confidence=built.confidence if confidence is None else confidence,
        provenance=origin,
    )

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

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Literal

from unocr.backends import catalog
from unocr.backends.base import (
    Backend,
    Capabilities,
    Languages,
    Stopwatch,
    part_options,
    share_max_pixels,
)
from unocr.backends.catalog import PIPELINE_SEPARATOR
from unocr.backends.options import check_choice
from unocr.errors import ConfigError, StageUnavailableError
from unocr.geometry import Geometry
from unocr.image import DEFAULT_MAX_PIXELS, LoadedImage
from unocr.model import Block, Line, Page, Provenance, Recognition, Word
from unocr.model.wordsplit import split_line

__all__ = ["PipelineBackend"]

#: Which regions the recognizer reads.
Level = Literal["auto", "line", "word"]


def _build(
    engine: str | Backend, options: Mapping[str, Any] | None, stage: str, role: str
) -> tuple[Backend, bool]:
    """The stage's backend (built from a name, or given) and whether it is ours."""
    if isinstance(engine, Backend):
        if options:
            raise ConfigError(
                f"{stage}_options apply to an engine given by name; the {role} was "
                "given as a backend object, already configured"
            )
        backend, owned = engine, False
    else:
        from unocr._api import get_backend

        backend, owned = get_backend(engine, **dict(options or {})), True
    if stage not in backend.stages:
        if owned:
            backend.close()
        raise StageUnavailableError(
            stage, backend.stages, backend=backend.name, role=role
        )
    return backend, owned


class PipelineBackend(Backend):
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
        timeout: Seconds each stage may take on one image (the engines'
            own ``timeout=``, for engines given by name; their options win).
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
        unocr.errors.BackendNotFoundError: An unknown engine name.
        unocr.errors.ConfigError: An unknown ``level``.
        unocr.errors.LanguageCodeError: A stage's engine reads in a model
            named by its file, not a language code (the page could not
            report it); the message says how to name the model instead.
    """

    name: ClassVar[str] = "pipeline"
    capabilities: ClassVar[Capabilities] = catalog.capabilities("pipeline")

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
        super().__init__(languages=languages, max_pixels=max_pixels)
        given = {"detect": detect_options, "recognize": recognize_options}
        if isinstance(detect, str):  # each stage's own time limit
            detect_options = part_options(detect_options, timeout=timeout)
        if isinstance(recognize, str):
            recognize_options = part_options(recognize_options, timeout=timeout)
        check_choice(level, "level", ("auto", "line", "word"))
        self.level: Level = level
        self.detector, self._own_detector = _build(
            detect, detect_options, "detect", "detector"
        )
        try:
            self.recognizer, self._own_recognizer = _build(
                recognize, recognize_options, "recognize", "recognizer"
            )
        except BaseException:
            if self._own_detector:
                self.detector.close()
            raise
        self.name = f"{self.detector.name}{PIPELINE_SEPARATOR}{self.recognizer.name}"  # type: ignore[misc]
        if self._own_detector:  # each stage's own pixel limit
            share_max_pixels(self.detector, given["detect"], max_pixels)
        if self._own_recognizer:
            share_max_pixels(self.recognizer, given["recognize"], max_pixels)
        try:
            self._check_parts()
        except BaseException:
            self.close()
            raise
        self.min_workers = max(self.detector.min_workers, self.recognizer.min_workers)

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
    def detect_loaded(
        self, image: LoadedImage, *, languages: str | Sequence[str] | None = None
    ) -> Page:
        """The detector's :meth:`~unocr.Backend.detect_loaded`."""
        self._check_open()
        return self.detector.detect_loaded(image, languages=self._languages(languages))

    def recognize_loaded(
        self,
        image: LoadedImage,
        regions: Sequence[Geometry],
        *,
        languages: str | Sequence[str] | None = None,
    ) -> list[Recognition]:
        """The recognizer's :meth:`~unocr.Backend.recognize_loaded`."""
        self._check_open()
        return self.recognizer.recognize_loaded(
            image, regions, languages=self._languages(languages)
        )

    # ------------------------------------------------------------- recognition
    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> tuple[Block, ...]:
        detected = self.detector.detect_loaded(image, languages=languages)
        clock.add("engine", detected.timings.engine)
        clock.add("convert", detected.timings.convert)
        words = self._reads_words(detected)
        regions = [
            element.geometry
            for line in detected.lines
            for element in (line.words if words and line.words else (line,))
        ]
        with clock.time("engine"):
            texts = self.recognizer.recognize_loaded(
                image, regions, languages=languages
            )
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
        language = languages[0] if len(languages) == 1 else None
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

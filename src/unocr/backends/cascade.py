"""Cascades: read with one engine, re-read only its unsure lines with the next.

``get_backend("cascade", engines=["rapidocr", "gcv"], below=0.8)`` (or the
shorthand name ``"rapidocr/gcv"``) reads every image with the first engine,
then sends the lines whose confidence is below ``below`` to the next engine's
recognize stage (:meth:`~unocr.backends.base.Backend.recognize`), all of a
page's unsure lines in one call, cut along each line's shape. Lines the
first engine gives no confidence count as unsure, except at ``below=0``,
which sends no line onward (a paid later engine is then never called).
With three or more engines, the lines still unsure after the second go to
the third, and so on.
The first engine's geometry (blocks, lines) is kept; only text and
confidence change.

Which reading is kept: the later engine's, unless it is empty, or both
engines gave a confidence and the later one's is lower. (The engine put
later in a cascade is the one trusted more: when either confidence is
missing, it wins.) A replaced line's words are cut from the line's shape
along its direction (:func:`unocr.model.wordsplit.split_line`,
``native=False``).

The page says who read what: :attr:`unocr.Page.engines` holds one
:class:`~unocr.model.EngineUse` per engine, the calls it got for the page
(the first engine 1; a later one 1 when some line reached it, else 0) and
the lines it found (first) or was sent (later); the share of lines sent
onward is ``engines[1].regions / engines[0].regions``. Each line's
:attr:`~unocr.model.Element.provenance` names the engine that found it
(always the first) and the one whose text it holds. A failure of
any engine fails the item (in :meth:`~unocr.backends.base.Backend.read_many`
with ``errors="return"``, that item only).

Per-engine ``options=`` are keyed by engine name, in any spelling of it
(case, aliases: ``"gcv"`` for an engine named ``"google"``); an engine
named twice gets them both times (pass backend objects to set two alike
engines apart). ``read_many``'s workers split the machine's cores in every
engine as they do in one engine alone.

Languages given to the cascade (or to a call) go to every engine; where
none are, each engine reads in its own (``options={"tesseract":
{"languages": "ko"}}``, or a backend object built with them), and the
page's ``languages`` are those. ``timeout=`` is each engine's own limit
per image, as a pipeline's is each stage's: an image may take up to that
long in every engine it reaches. An engine given as a backend object keeps
the limit it was built with; one built without applies the cascade's to
each call (:func:`~unocr.backends.pipeline.call_within`).

The shorthand: engine names joined by ``/`` (``"tesseract/rapidocr"``,
``"rapidocr/tesseract/gcv"``), read "this engine, or else that one". It
needs no quoting in a shell and fits ``unocr read -b`` and ``unocr compare
-b`` (options follow as usual: ``-O below=0.9``, ``-b
rapidocr/tesseract:below=0.9``). An engine may be a pipeline:
``"rapidocr+tesseract/gcv"`` (``/`` separates the cascade's engines first).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from unocr.backends.base import (
    Backend,
    CompositeBackend,
    Languages,
    Stopwatch,
)
from unocr.backends.catalog import (
    CASCADE_SEPARATOR,
    builtin,
    canonical_name,
    cascade_parts,
)
from unocr.backends.pipeline import call_within, require_known_stage
from unocr.errors import ConfigError, StageUnavailableError
from unocr.image import DEFAULT_MAX_PIXELS, LoadedImage
from unocr.model import Block, EngineUse, Line, Page, Provenance
from unocr.model.wordsplit import split_line

__all__ = ["DEFAULT_BELOW", "CascadeBackend"]

#: Default confidence threshold: lines below it go to the next engine.
DEFAULT_BELOW = 0.8


def _check_below(below: object) -> float:
    if isinstance(below, bool) or not isinstance(below, (int, float)):
        raise ConfigError(
            f"cascade: below must be a confidence from 0 to 1, got {below!r}; "
            f"e.g. below={DEFAULT_BELOW}"
        )
    value = float(below)
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise ConfigError(
            f"cascade: below must be a confidence from 0 to 1, got {below!r}; "
            f"e.g. below={DEFAULT_BELOW} (0 sends no line onward, 1 every line "
            "not read with full confidence)"
        )
    return value


def _require_recognize(engine: Backend) -> None:
    if "recognize" not in engine.stages:
        raise StageUnavailableError(
            "recognize",
            engine.stages,
            backend=engine.name,
            role="reader of a cascade's unsure lines",
        )


def _unsure(line: Line, below: float) -> bool:
    """Whether ``line`` goes onward: ``below=0`` sends none, even one unscored."""
    if below == 0.0:
        return False
    return line.confidence is None or line.confidence < below


def _options_by_engine(
    options: Mapping[str, Mapping[str, Any]] | None, names: Sequence[str]
) -> dict[str, Mapping[str, Any]]:
    """Per-engine options keyed by canonical engine name (any spelling given).

    Args:
        options: The cascade's ``options=``, keyed by engine name or alias.
        names: The names of the engines given by name.

    Returns:
        The options under each engine's canonical name.

    Raises:
        unocr.errors.ConfigError: Two keys name the same engine, or a key
            names no engine of the cascade.
    """
    given: dict[str, str] = {}
    found: dict[str, Mapping[str, Any]] = {}
    for key, value in (options or {}).items():
        canonical = canonical_name(key)
        if canonical in given:
            raise ConfigError(
                f"cascade: options for {given[canonical]!r} and {key!r}, which name "
                f"the same engine {canonical!r}; give them once, under one name"
            )
        given[canonical] = key
        found[canonical] = value
    engines = {canonical_name(n) for n in names}
    stray = sorted(key for canonical, key in given.items() if canonical not in engines)
    if stray:
        raise ConfigError(
            f"cascade: options for {', '.join(stray)}, which is not one of its "
            f"engines ({', '.join(names) or 'only backend objects'})"
        )
    return found


def _better(old: Line, text: str, confidence: float | None) -> bool:
    """Whether a later engine's reading replaces ``old`` (see the module doc)."""
    if not text.strip():
        return False
    if old.confidence is None or confidence is None:
        return True
    return confidence >= old.confidence


class _Read(tuple[Block, ...]):
    """A cascade's blocks of one page, with what each engine did."""

    uses: tuple[EngineUse, ...] = ()


def _reread(
    line: Line, text: str, confidence: float | None, provenance: Provenance
) -> Line:
    """``line`` with a later engine's text, its words cut from the line's shape."""
    words = split_line(
        line.geometry, text, confidence=confidence, language=line.language
    )
    return line.replace(
        text=text,
        confidence=confidence,
        words=tuple(w.replace(provenance=provenance) for w in words),
        native=False,
        provenance=provenance,
    )


@builtin("cascade")
class CascadeBackend(CompositeBackend):
    """Engines in a row: each re-reads only the lines the ones before were unsure of.

    Args:
        engines: Two or more engine names (created with
            :func:`unocr.get_backend`, closed with the cascade) or backend
            objects (the caller keeps them open and closes them). Every
            engine after the first needs the recognize stage.
        below: Confidence threshold in [0, 1]: a line whose confidence is
            below it (or that has none) goes to the next engine; 0 sends
            none.
        options: Constructor options per engine name, in any spelling or
            alias of it, e.g. ``{"tesseract": {"psm": 7}}``; every engine of
            that name gets them.
        timeout: Seconds each engine may take on one image: the engines'
            own ``timeout=`` for engines given by name (their options win);
            for a backend object without a time limit of its own, the
            cascade's limit on each call to it.
        languages: Languages passed to every engine; ``None``: each engine
            reads in its own.
        max_pixels: Refuse larger images before decoding; ``None``: no limit.
            Other than the default, also the engines' own (for engines given
            by name; their options win), which the crops cut for the later
            engines obey.

    Raises:
        unocr.errors.ConfigError: Fewer than two engines, ``below`` outside
            [0, 1], ``timeout`` not a finite number of seconds > 0 (nor
            ``None``), options for an engine not in the cascade, or two keys
            of ``options`` naming the same engine.
        unocr.errors.StageUnavailableError: An engine after the first has
            no recognize stage (the message says which stages it has); a
            built-in engine named so is refused before any engine is built.
        unocr.errors.BackendNotFoundError: An engine name is unknown.
        unocr.errors.BackendUnavailableError: An engine is not installed.
        unocr.errors.LanguageCodeError: An engine reads in a model named by
            its file, not a language code (the page could not report it); the
            message says how to name the model instead.

    Calls may run in several threads at once (each engine serialises its
    own where it must); :attr:`min_workers` is the largest of the engines'
    (a network engine's requests in flight).
    """

    def __init__(
        self,
        *,
        engines: Sequence[str | Backend],
        below: float = DEFAULT_BELOW,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        timeout: float | None = None,
        languages: str | Sequence[str] | None = None,
        max_pixels: int | None = DEFAULT_MAX_PIXELS,
    ) -> None:
        super().__init__(timeout=timeout, languages=languages, max_pixels=max_pixels)
        if isinstance(engines, str):
            engines = cascade_parts(engines) or [engines]
        if not isinstance(engines, (list, tuple)) or not all(
            isinstance(e, (str, Backend)) for e in engines
        ):
            raise ConfigError(
                "cascade: engines must be a list of engine names or backends, got "
                f"{engines!r}; e.g. engines=['rapidocr', 'tesseract']"
            )
        if len(engines) < 2:
            raise ConfigError(
                f"a cascade needs two or more engines, got {list(engines)!r}; "
                "e.g. engines=['rapidocr', 'tesseract']"
            )
        self.below = _check_below(below)
        names = [e for e in engines if isinstance(e, str)]
        per_engine = _options_by_engine(options, names)
        for engine in engines[1:]:
            require_known_stage(
                engine, "recognize", "reader of a cascade's unsure lines"
            )
        self._owned: list[Backend] = []
        self.engines: list[Backend] = []
        # The cascade's limit on the calls to each engine given as an object.
        self._limits: list[float | None] = []
        try:
            for engine in engines:
                if isinstance(engine, Backend):
                    self.engines.append(engine)
                    self._limits.append(self.timeout)
                    continue
                given = per_engine.get(canonical_name(engine))
                # with the cascade's languages where given, else its own
                created = self._build_part(engine, given, languages=languages)
                self._owned.append(created)
                self.engines.append(created)
                self._limits.append(None)  # built with the cascade's timeout
            for engine in self.engines[1:]:
                _require_recognize(engine)
            self.name = CASCADE_SEPARATOR.join(e.name for e in self.engines)  # type: ignore[misc]
            self._check_parts()
        except BaseException:
            self.close()
            raise
        # Each engine serialises its own calls where it must; a network engine
        # wants its requests in flight.
        self.min_workers = max(e.min_workers for e in self.engines)

    def close(self) -> None:
        """Close the engines the cascade created (not those passed in)."""
        for engine in getattr(self, "_owned", []):
            engine.close()
        super().close()

    def _recognize(
        self, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> _Read:
        first = self.engines[0]
        with clock.time("engine"):
            page = call_within(
                first,
                self._limits[0],
                lambda: first.read_loaded(image, languages=languages),
                image.name,
            )
        own = Provenance(geometry=first.name, text=first.name)
        blocks = [
            [line.replace(provenance=own) for line in b.lines] for b in page.blocks
        ]
        uses = [EngineUse(first.name, calls=1, regions=sum(map(len, blocks)))]
        for engine, limit in zip(self.engines[1:], self._limits[1:], strict=True):
            where = [
                (b, i)
                for b, lines in enumerate(blocks)
                for i, line in enumerate(lines)
                if _unsure(line, self.below)
            ]
            uses.append(
                EngineUse(engine.name, calls=int(bool(where)), regions=len(where))
            )
            if not where:
                continue
            regions = [blocks[b][i].geometry for b, i in where]
            with clock.time("engine"):
                readings = call_within(
                    engine,
                    limit,
                    partial(
                        engine.recognize_loaded, image, regions, languages=languages
                    ),
                    image.name,
                )
            theirs = Provenance(geometry=first.name, text=engine.name)
            with clock.time("convert"):
                for (b, i), reading in zip(where, readings, strict=True):
                    old = blocks[b][i]
                    if _better(old, reading.text, reading.confidence):
                        blocks[b][i] = _reread(
                            old, reading.text, reading.confidence, theirs
                        )
        with clock.time("convert"):
            read = _Read(
                Block.from_lines(
                    lines,
                    native=block.native,
                    language=block.language,
                    geometry=block.geometry,
                ).replace(provenance=Provenance(geometry=first.name))
                if lines
                else block
                for block, lines in zip(page.blocks, blocks, strict=True)
            )
        read.uses = tuple(uses)
        return read

    def _parts(self) -> Sequence[Backend]:
        """The engines in order: a read given no languages reports theirs."""
        return self.engines

    def _stamp(
        self, out: object, image: LoadedImage, languages: Languages, clock: Stopwatch
    ) -> Page:
        """The page, with each engine's use."""
        page = super()._stamp(out, image, languages, clock)
        if isinstance(out, _Read):
            page = page.replace(engines=out.uses)
        return page

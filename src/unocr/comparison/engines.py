"""Which engines a comparison runs: names, settings and labels.

An engine is given as

- a spec string ``[LABEL=]NAME[:KEY=VALUE[,KEY=VALUE...]]``: the registered
  engine ``NAME`` created with those constructor options, shown as
  ``LABEL`` (default: the spec itself), e.g. ``"tesseract"``,
  ``"tesseract:psm=11"``, ``"sparse=tesseract:psm=11,oem=1"``,
  ``"rapidocr/tesseract:below=0.9"`` (a cascade). Values are
  read as JSON where they parse (``11``, ``0.5``, ``true``, ``null``,
  ``["en","de"]``) and as plain strings otherwise (``max``);
- a :class:`~unocr.backends.base.Backend` object, labelled with its name
  (its settings, recorded in the results: the options it was built with);
- a ``(label, backend)`` pair, the backend a spec string or an object.

``unocr compare -b`` takes the same spec strings.

Where the engine runs is recorded as given: for an engine in worker
processes, the ``python``, ``processes``, ``max_memory`` and ``timeout``
set (not ``isolate`` itself, nor one left unset); for one in process, none
of them but its own ``timeout``. An isolated backend object records what
the spec that builds it records.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from unocr.backends.base import Backend
from unocr.backends.options import is_secret, shown_value
from unocr.errors import ComparisonError

__all__ = ["EngineInput", "EngineSpec", "engine_specs", "parse_engine_spec"]

_KEY = re.compile(r"[A-Za-z_][\w.-]*\Z")
_SPLIT = re.compile(r",(?=\s*[A-Za-z_][\w.-]*\s*=)")
_NAME = re.compile(r"[A-Za-z0-9][\w.+/-]*\Z")  # "/" joins a cascade's engines


@dataclass(frozen=True)
class EngineSpec:
    """One engine of a comparison.

    Attributes:
        label: How the engine is shown in tables, reports and results.
        name: The registered engine name (``None`` for a given object whose
            name is unknown).
        options: Constructor options for ``unocr.get_backend``; for a
            backend object, those it was built with (recorded, not used).
        backend: A backend object given by the caller (the caller keeps
            ownership: it is not closed).
    """

    label: str
    name: str | None
    options: Mapping[str, Any] = field(default_factory=dict)
    backend: Backend | None = field(default=None, compare=False)

    def settings(self) -> dict[str, Any]:
        """The options as a plain-JSON dict, as results record them.

        Paths are recorded as text, other values that are not JSON by their
        ``repr`` (built-in types) or their type alone (other objects); a
        secret (an option, or a key of a dict option, whose name says so:
        an API key, a token, a password, credentials) only by its type, as
        :func:`~unocr.backends.options.shown_value` shows it.
        """
        return {
            key: _recorded(key, value)
            for key, value in self.options.items()
            if _applies(key, value, self.options)
        }


def _applies(key: str, value: Any, options: Mapping[str, Any]) -> bool:
    """Whether option ``key`` of ``options`` says something of the run.

    ``isolate`` only switches the placement options on or off; those left
    unset (``None``) say nothing, nor do any where the engine runs in process
    (there ``timeout`` is the engine's own option).
    """
    from unocr.isolation import ISOLATION_OPTIONS
    from unocr.isolation.config import isolates

    if key == "isolate":
        return False
    if isolates(options):
        return not (value is None and key in (*ISOLATION_OPTIONS, "timeout"))
    return key not in ISOLATION_OPTIONS


def _recorded(key: str, value: Any) -> Any:
    """``value`` of option ``key`` as :meth:`EngineSpec.settings` records it."""
    if is_secret(key):
        return shown_value(key, value)
    if isinstance(value, Mapping) and all(isinstance(k, str) for k in value):
        return {k: _recorded(k, v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_recorded(key, v) for v in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        # An object's repr may hold anything (a key inside client options):
        # a built-in value as its repr, another object by its type alone.
        if type(value).__module__ == "builtins":
            return repr(value)
        return f"a {type(value).__qualname__} object"
    return value


EngineInput: TypeAlias = str | Backend | tuple[str, "str | Backend"]


def _value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text


def parse_engine_spec(text: str, *, label: str | None = None) -> EngineSpec:
    """Parse ``[LABEL=]NAME[:KEY=VALUE[,KEY=VALUE...]]``.

    Args:
        text: The spec.
        label: A label given apart (wins over one in ``text``).

    Returns:
        The engine's label, name and options.

    Raises:
        ComparisonError: An empty name or label, an option without ``=``, a
            key that is not an identifier, or a key given twice.

    Examples:
        >>> s = parse_engine_spec("sparse=tesseract:psm=11,lang_model=fast")
        >>> s.label, s.name, dict(s.options)
        ('sparse', 'tesseract', {'psm': 11, 'lang_model': 'fast'})
        >>> parse_engine_spec("rapidocr:det_limit_type=max").label
        'rapidocr:det_limit_type=max'
    """
    spec = text.strip()
    colon = spec.find(":")
    equals = spec.find("=")
    own_label = None
    if equals >= 0 and (colon < 0 or equals < colon):
        own_label, spec = spec[:equals].strip(), spec[equals + 1 :].strip()
        if not own_label:
            raise ComparisonError(
                f"engine {text!r}: empty label before '='; write LABEL=NAME[:OPTIONS], "
                "e.g. sparse=tesseract:psm=11",
                item=text,
            )
    name, _, opts = spec.partition(":")
    name = name.strip()
    if not _NAME.match(name):
        raise ComparisonError(
            f"engine {text!r}: expected an engine name such as tesseract, "
            "optionally followed by :KEY=VALUE options, e.g. tesseract:psm=11",
            item=text,
        )
    options: dict[str, Any] = {}
    if opts.strip():
        for item in _SPLIT.split(opts):
            key, sep, value = item.partition("=")
            key = key.strip()
            if not sep or not _KEY.match(key):
                raise ComparisonError(
                    f"engine {text!r}: option {item.strip()!r} must be KEY=VALUE, "
                    "e.g. psm=11 (separate several with commas)",
                    item=text,
                )
            if key in options:
                raise ComparisonError(
                    f"engine {text!r}: option {key!r} is given twice", item=text
                )
            options[key] = _value(value.strip())
    default = f"{name}:{opts.strip()}" if options else name
    return EngineSpec(label=label or own_label or default, name=name, options=options)


#: Arguments of an isolated backend for its workers and messages alone.
_WORKER_ONLY = ("target", "source")


def _given(backend: Backend, label: str | None = None) -> EngineSpec:
    """The spec of a backend object: its name and the options it was built with.

    An isolated backend's are those of ``get_backend`` that build it: its
    engine's options and placement, with ``isolate=True``; not what it
    passes on to its workers and messages (``target``, ``source``).
    """
    from unocr.executors import BackendSpec
    from unocr.isolation.proxy import IsolatedBackend

    options = dict(BackendSpec.of(backend).options)
    if isinstance(backend, IsolatedBackend):
        options = {k: v for k, v in options.items() if k not in _WORKER_ONLY}
        options["isolate"] = True
    return EngineSpec(
        label=label or backend.name or type(backend).__name__,
        name=backend.name or None,
        options=options,
        backend=backend,
    )


def _one(item: EngineInput) -> EngineSpec:
    if isinstance(item, str):
        return parse_engine_spec(item)
    if isinstance(item, Backend):
        return _given(item)
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
        label, what = item
        if not label.strip():
            raise ComparisonError("an engine label must not be empty", item=item)
        if isinstance(what, str):
            return parse_engine_spec(what, label=label.strip())
        if isinstance(what, Backend):
            return _given(what, label.strip())
    raise ComparisonError(
        f"cannot compare {item!r}: give an engine name or spec ('tesseract:psm=11'), "
        "a Backend object, or a (label, name-or-backend) pair",
        item=repr(item),
    )


def engine_specs(
    backends: str | EngineInput | Sequence[EngineInput],
    backend_options: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[EngineSpec]:
    """The engines of a comparison, with unique labels.

    Args:
        backends: One engine or several (see the module docstring); a string
            with commas and no ``:`` is read as several names
            (``"tesseract,rapidocr"``).
        backend_options: Extra constructor options per engine name, merged
            under the spec's own options.

    Returns:
        One spec per engine, in order.

    Raises:
        ComparisonError: A malformed spec, no engine, or two engines with one
            label (give one of them another label: ``other=tesseract:psm=6``).
    """
    items: list[EngineInput]
    if isinstance(backends, str):
        if ":" in backends or "=" in backends:
            items = [backends]
        else:
            items = [n for n in (x.strip() for x in backends.split(",")) if n]
    elif isinstance(backends, (Backend, tuple)):
        items = [backends]
    elif isinstance(backends, Iterable):
        items = list(backends)
    else:
        raise ComparisonError(
            "give the engines as a name or spec ('tesseract', 'tesseract,rapidocr'), "
            "a Backend object, a (label, name-or-backend) pair, or a list of them; "
            f"got {backends!r}",
            item=repr(backends),
        )
    specs = [_one(item) for item in items]
    if not specs:
        raise ComparisonError("give at least one engine, e.g. 'tesseract'")
    extra = backend_options or {}
    out: list[EngineSpec] = []
    seen: set[str] = set()
    for spec in specs:
        if spec.label in seen:
            raise ComparisonError(
                f"two engines are labelled {spec.label!r}; label one differently, "
                f"e.g. '{spec.label}-2={spec.name or 'NAME'}:...'",
                item=spec.label,
            )
        seen.add(spec.label)
        if spec.backend is None and spec.name is not None and spec.name in extra:
            spec = EngineSpec(
                label=spec.label,
                name=spec.name,
                options={**extra[spec.name], **spec.options},
            )
        out.append(spec)
    return out

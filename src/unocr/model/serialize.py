"""JSON form of a page: schema ``unocr.page/1`` (documented in docs/model.md).

One table of fields per level drives both directions, so the round trip is
lossless by construction: every value is a plain JSON type (str, int, float,
bool, None, list, dict) and floats survive ``json`` exactly.
"""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any

from unocr.errors import FormatError, GeometryError
from unocr.geometry import geometry_from_dict
from unocr.limits import MAX_COORDINATE, ReadLimits, check_limit
from unocr.model.elements import Block, Element, Line, Symbol, Word
from unocr.model.page import EngineUse, Page, Timings
from unocr.model.provenance import Provenance
from unocr.model.source import Source

__all__ = [
    "LONE_SURROGATE",
    "SCHEMA",
    "count_objects",
    "encodable",
    "json_text",
    "page_from_dict",
    "page_from_json",
    "page_to_dict",
    "parse_json",
]

SCHEMA = "unocr.page/1"

#: A UTF-16 surrogate on its own: never text, but what ``os.fsdecode`` makes of
#: the bytes of a file name that are not UTF-8 (``b"\xfc"`` -> ``"\udcfc"``).
#: No UTF-8 text can hold one.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")

# (class, key of the children list, builder of one child)
_CHILDREN: dict[type[Element], tuple[str, type[Element] | None]] = {
    Block: ("lines", Line),
    Line: ("words", Word),
    Word: ("symbols", Symbol),
    Symbol: ("", None),
}


def _element_to_dict(el: Element) -> dict[str, Any]:
    out: dict[str, Any] = {
        "text": el.text,
        "geometry": el.geometry.to_dict(),
        "confidence": el.confidence,
        "language": el.language,
        "native": el.native,
    }
    if el.provenance is not None:  # only composed engines write it
        out["provenance"] = {
            "geometry": el.provenance.geometry,
            "text": el.provenance.text,
        }
    key, _ = _CHILDREN[type(el)]
    if key:
        out[key] = [_element_to_dict(c) for c in getattr(el, key)]
    return out


def page_to_dict(page: Page) -> dict[str, Any]:
    """Convert a page to plain JSON types.

    Args:
        page: Any page.

    Returns:
        A dictionary with ``"schema": "unocr.page/1"``.
    """
    t = page.timings
    return {
        "schema": SCHEMA,
        "width": page.width,
        "height": page.height,
        "backend": page.backend,
        "languages": list(page.languages),
        "timings": {"decode": t.decode, "engine": t.engine, "convert": t.convert},
        "blocks": [_element_to_dict(b) for b in page.blocks],
        "source": None if page.source is None else page.source.to_dict(),
        **_engines_to_dict(page),
    }


def _engines_to_dict(page: Page) -> dict[str, Any]:
    if not page.engines:  # only composed engines (cascades) write it
        return {}
    return {
        "engines": [
            {"engine": u.engine, "calls": u.calls, "regions": u.regions}
            for u in page.engines
        ]
    }


def _engines_from_dict(data: dict[str, Any]) -> tuple[EngineUse, ...]:
    value = data.get("engines", [])
    if not isinstance(value, list):
        raise FormatError(
            f"page.engines: expected a list of engine uses, got {type(value).__name__}"
        )
    out: list[EngineUse] = []
    for i, item in enumerate(value):
        where = f"page.engines[{i}]"
        if not isinstance(item, dict):
            raise FormatError(f"{where}: expected an object, got {type(item).__name__}")
        try:
            out.append(
                EngineUse(
                    engine=_typed(item, "engine", str, None, where),
                    calls=_typed(item, "calls", int, 0, where),
                    regions=_typed(item, "regions", int, 0, where),
                )
            )
        except (TypeError, ValueError) as exc:
            raise FormatError(f"{where}: {exc}") from exc
    return tuple(out)


class _Builder:
    """Rebuilds elements from dictionaries, counting them against the limit."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.count = 0

    def element(self, cls: type[Element], data: Any, where: str) -> Element:
        if not isinstance(data, dict):
            raise FormatError(f"{where}: expected an object, got {type(data).__name__}")
        self.count += 1
        check_limit(
            self.count,
            self.limits.max_elements,
            what="unocr JSON page",
            unit="elements (or more)",
            argument="max_elements",
            error=FormatError,
        )
        if "geometry" not in data:
            raise FormatError(f"{where}: missing 'geometry'")
        try:
            geometry = geometry_from_dict(
                data["geometry"], max_pixels=self.limits.max_pixels
            )
        except GeometryError as exc:
            raise FormatError(f"{where}: invalid geometry: {exc}") from exc
        kwargs: dict[str, Any] = {
            "text": _typed(data, "text", str, "", where),
            "geometry": geometry,
            "confidence": data.get("confidence"),
            "language": _typed(data, "language", str, None, where),
            "native": _typed(data, "native", bool, True, where),
            "provenance": _provenance(data, where),
        }
        key, child_cls = _CHILDREN[cls]
        if key and child_cls is not None:
            items = data.get(key, [])
            if not isinstance(items, list):
                raise FormatError(
                    f"{where}.{key}: expected a list, got {type(items).__name__}"
                )
            kwargs[key] = tuple(
                self.element(child_cls, c, f"{where}.{key}[{i}]")
                for i, c in enumerate(items)
            )
        try:
            return cls(**kwargs)
        except (TypeError, ValueError) as exc:
            raise FormatError(f"{where}: {exc}") from exc


def _provenance(data: dict[str, Any], where: str) -> Provenance | None:
    value = data.get("provenance")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise FormatError(
            f"{where}.provenance: expected an object with 'geometry' and 'text' "
            f"engine names, got {type(value).__name__}"
        )
    return Provenance(
        geometry=_typed(value, "geometry", str, None, f"{where}.provenance"),
        text=_typed(value, "text", str, None, f"{where}.provenance"),
    )


def _typed(data: dict[str, Any], key: str, kind: type, default: Any, where: str) -> Any:
    """``data[key]`` checked to be a ``kind`` (or ``None`` if that is the default)."""
    value = data.get(key, default)
    if value is None and default is None:
        return None
    if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
        want = {str: "a string", bool: "true or false", int: "an integer"}[kind]
        if default is None:
            want += " or null"
        got = f"{type(value).__name__} ({value!r:.40})"
        raise FormatError(f"{where}.{key}: expected {want}, got {got}")
    return value


def _size(data: dict[str, Any], key: str) -> int:
    if key not in data:
        raise FormatError(f"page: missing {key!r}")
    value = data[key]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise FormatError(
            f"page.{key}: expected a whole number of pixels >= 0, got {value!r:.40}"
        )
    if value > MAX_COORDINATE:
        raise FormatError(
            f"page.{key}: {str(value)[:40]} pixels is beyond the coordinate range "
            f"(unocr.limits.MAX_COORDINATE = {MAX_COORDINATE:.0e})"
        )
    return value


def _timings(data: dict[str, Any]) -> Timings:
    t = data.get("timings")
    if t is None:
        return Timings()
    if not isinstance(t, dict):
        raise FormatError(
            f"page.timings: expected an object of seconds, got {type(t).__name__}"
        )
    values: dict[str, float] = {}
    for key in ("decode", "engine", "convert"):
        value = t.get(key, 0.0)
        if (
            not isinstance(value, (int, float))
            or isinstance(value, bool)
            or not 0 <= value <= Timings.MAX_SECONDS  # the constructor's bound
        ):
            raise FormatError(
                f"page.timings.{key}: expected a number of seconds from 0 to "
                f"{Timings.MAX_SECONDS:.0f} (Timings.MAX_SECONDS), "
                f"got {value!r:.40}"
            )
        values[key] = float(value)
    return Timings(**values)


def _languages(data: dict[str, Any]) -> tuple[str, ...]:
    langs = data.get("languages", [])
    if not isinstance(langs, list) or not all(isinstance(x, str) for x in langs):
        raise FormatError(
            f"page.languages: expected a list of language codes, got {langs!r:.40}"
        )
    return tuple(langs)


def page_from_dict(data: Any, limits: ReadLimits | None = None) -> Page:
    """Rebuild a page from :func:`page_to_dict` output.

    Every field is type-checked, so a page that loads can also be written in
    every format.

    Args:
        data: A dictionary with ``"schema": "unocr.page/1"``.
        limits: Limits on elements (``max_elements``) and mask sizes
            (``max_pixels``); the defaults of :class:`~unocr.limits.ReadLimits`
            when ``None``.

    Returns:
        The page.

    Raises:
        FormatError: The data is not a unocr page of a known schema version, a
            field has the wrong type, or a limit is exceeded.
    """
    if not isinstance(data, dict):
        raise FormatError(
            f"a unocr page must be a JSON object, got {type(data).__name__}"
        )
    schema = data.get("schema")
    if schema != SCHEMA:
        raise FormatError(
            f"unsupported page schema {schema!r:.40}; this version of unocr "
            f"reads {SCHEMA!r}"
        )
    blocks = data.get("blocks", [])
    if not isinstance(blocks, list):
        raise FormatError(f"page.blocks: expected a list, got {type(blocks).__name__}")
    builder = _Builder(limits or ReadLimits())
    width, height = _size(data, "width"), _size(data, "height")
    return Page(
        width=width,
        height=height,
        backend=_typed(data, "backend", str, None, "page"),
        languages=_languages(data),
        timings=_timings(data),
        blocks=tuple(
            builder.element(Block, b, f"page.blocks[{i}]")  # type: ignore[misc]
            for i, b in enumerate(blocks)
        ),
        source=_source_from_dict(data.get("source")),
        engines=_engines_from_dict(data),
    )


def _source_from_dict(data: Any) -> Source | None:
    if data is None:
        return None
    try:
        return Source.from_dict(data)
    except KeyError as exc:
        raise FormatError(f"page.source: missing {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise FormatError(f"page.source: {exc}") from exc


def page_from_json(text: str | bytes, limits: ReadLimits | None = None) -> Page:
    """Parse JSON text written by :meth:`Page.to_json`.

    Args:
        text: The JSON text or UTF-8 bytes.
        limits: Limits on nesting depth, elements and mask sizes; the defaults
            of :class:`~unocr.limits.ReadLimits` when ``None``.

    Returns:
        The page.

    Raises:
        FormatError: Not JSON, nested too deeply, or not a unocr page.
    """
    limits = limits or ReadLimits()
    return page_from_dict(parse_json(text, limits, what="unocr JSON page"), limits)


def _reject_constant(name: str) -> Any:
    raise FormatError(
        f"JSON holds {name}, which is not a number JSON allows; write finite "
        "numbers (or null)"
    )


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise FormatError(
            f"JSON number {text[:40]} is too large for a float (it would be "
            "infinite); coordinates and confidences must be finite"
        )
    return value


def _float_sized_int(text: str) -> int:
    value = int(text)
    if abs(value) > _LARGEST_FLOAT:
        raise FormatError(
            f"JSON integer {text[:40]}... is too large for a float (it would be "
            "infinite); coordinates and confidences must be finite"
        )
    return value


_LARGEST_FLOAT = int(sys.float_info.max)


def _depth(value: Any) -> int:
    """Deepest nesting of lists and objects in parsed JSON, a level at a time.

    ``json.loads`` makes plain ``dict`` and ``list`` only, so exact type tests
    (cheaper than ``isinstance`` over every value of a large page) find them.
    """
    level = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level:
        depth += 1
        below = []
        for node in level:
            for child in node.values() if type(node) is dict else node:
                if type(child) is dict or type(child) is list:
                    below.append(child)
        level = below
    return depth


def count_objects(value: Any) -> int:
    """Number of JSON objects (dicts) in parsed JSON, counted iteratively.

    Args:
        value: Parsed JSON (``json.loads`` output: plain dicts and lists).

    Returns:
        How many dicts it holds, itself included.
    """
    count = 0
    stack = [value]
    while stack:
        node = stack.pop()
        if type(node) is dict:  # json.loads makes plain dicts and lists only
            count += 1
            node = node.values()
        elif type(node) is not list:
            continue
        for child in node:
            if type(child) is dict or type(child) is list:
                stack.append(child)
    return count


def _encodes(text: str) -> bool:
    """Whether ``text`` holds no lone surrogate (cheaper than a search)."""
    if text.isascii():  # known without a scan
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_text(
    value: Any,
    *,
    indent: int | None = None,
    separators: tuple[str, str] | None = None,
    allow_nan: bool = True,
) -> str:
    r"""JSON text with non-ASCII characters as they are, encodable as UTF-8.

    A lone surrogate (a file name's undecodable byte, :data:`LONE_SURROGATE`)
    is written as its ``\udcXX`` escape, which ``json.loads`` reads back as
    the same string: the text encodes as UTF-8 and round-trips exactly.

    Args:
        value: Plain JSON data.
        indent: As for :func:`json.dumps`.
        separators: As for :func:`json.dumps`.
        allow_nan: As for :func:`json.dumps`.

    Returns:
        The JSON text.

    Examples:
        >>> json_text({"name": "M\udcfcller.png", "text": "Müller"})
        '{"name": "M\\udcfcller.png", "text": "Müller"}'
    """
    text = json.dumps(
        value,
        ensure_ascii=False,
        indent=indent,
        separators=separators,
        allow_nan=allow_nan,
    )
    if _encodes(text):
        return text
    # only inside strings: everything else json.dumps writes is ASCII
    return LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def encodable(text: str) -> str:
    r"""Replace lone surrogates (never text) by U+FFFD, so the text encodes as UTF-8.

    What the plain-text formats (text, TSV) and the comparison report write
    for a character that is not text, as the PDF text layer does; XML drops it
    (:func:`unocr.formats._text.clean_text`) and JSON escapes it
    (:func:`json_text`).

    Args:
        text: Any text.

    Returns:
        The text, every lone surrogate replaced by U+FFFD.

    Examples:
        >>> encodable("a\udcffb") == "a\ufffdb"
        True
    """
    return text if _encodes(text) else LONE_SURROGATE.sub("\ufffd", text)


def parse_json(text: str | bytes, limits: ReadLimits, *, what: str) -> Any:
    """Parse untrusted JSON within limits: size, nesting depth, finite numbers.

    Strict JSON: ``NaN``, ``Infinity`` and numbers (floats or integers) too
    large for a float are refused (Python's ``json`` would accept them).
    Nesting deeper than ``limits.max_depth`` is refused; so is nesting deeper
    than Python's parser can follow (about 1,000 levels), whatever the limit.

    Args:
        text: JSON text or UTF-8 bytes; a leading byte-order mark is
            passed over in both.
        limits: ``max_bytes`` and ``max_depth`` are applied.
        what: The document's name, for messages.

    Returns:
        The parsed value.

    Raises:
        FormatError: Not JSON, too large, too deep, or non-finite numbers.
    """
    check_limit(
        len(text),
        limits.max_bytes,
        what=what,
        unit="bytes",
        argument="max_bytes",
        error=FormatError,
    )
    if isinstance(text, str) and text.startswith("\ufeff"):
        text = text[1:]  # a byte-order mark kept by a decoder: as bytes read
    try:
        data = json.loads(
            text,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_float_sized_int,
        )
    except RecursionError:
        raise FormatError(
            f"{what} nests lists or objects deeper than Python's JSON parser can "
            "follow (about 1,000 levels); a unocr page nests about 12 deep"
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        if isinstance(exc, FormatError):
            raise
        hint = ""
        if isinstance(exc, json.JSONDecodeError) and exc.msg == "Extra data":
            # another value after the first: JSON Lines, one page a line
            hint = " (several pages, one a line? read them with loads_pages)"
        raise FormatError(f"{what} is not valid JSON: {exc}{hint}") from exc
    check_limit(
        _depth(data),
        limits.max_depth,
        what=f"{what} nesting",
        unit="levels",
        argument="max_depth",
        error=FormatError,
    )
    return data

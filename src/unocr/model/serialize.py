"""JSON form of a page: schema ``unocr.page/1`` (documented in docs/model.md).

One table of fields per level drives both directions, so the round trip is
lossless by construction: every value is a plain JSON type (str, int, float,
bool, None, list, dict) and floats survive ``json`` exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from unocr.errors import FormatError, GeometryError
from unocr.geometry import geometry_from_dict
from unocr.model.elements import Block, Element, Line, Symbol, Word
from unocr.model.page import Page, Timings
from unocr.model.source import Source

__all__ = ["SCHEMA", "page_from_dict", "page_from_json", "page_to_dict"]

SCHEMA = "unocr.page/1"

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
    }


def _element_from_dict(cls: type[Element], data: Any, where: str) -> Element:
    if not isinstance(data, dict):
        raise FormatError(f"{where}: expected an object, got {type(data).__name__}")
    try:
        geometry = geometry_from_dict(data["geometry"])
    except KeyError:
        raise FormatError(f"{where}: missing 'geometry'") from None
    except (GeometryError, TypeError) as exc:
        raise FormatError(f"{where}: invalid geometry: {exc}") from exc
    kwargs: dict[str, Any] = {
        "text": data.get("text", ""),
        "geometry": geometry,
        "confidence": data.get("confidence"),
        "language": data.get("language"),
        "native": data.get("native", True),
    }
    key, child_cls = _CHILDREN[cls]
    if key and child_cls is not None:
        items = data.get(key, [])
        if not isinstance(items, list):
            raise FormatError(f"{where}.{key}: expected a list")
        kwargs[key] = tuple(
            _element_from_dict(child_cls, c, f"{where}.{key}[{i}]")
            for i, c in enumerate(items)
        )
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise FormatError(f"{where}: {exc}") from exc


def page_from_dict(data: Any) -> Page:
    """Rebuild a page from :func:`page_to_dict` output.

    Args:
        data: A dictionary with ``"schema": "unocr.page/1"``.

    Returns:
        The page.

    Raises:
        FormatError: The data is not a unocr page of a known schema version.
    """
    if not isinstance(data, dict):
        raise FormatError(
            f"a unocr page must be a JSON object, got {type(data).__name__}"
        )
    schema = data.get("schema")
    if schema != SCHEMA:
        raise FormatError(
            f"unsupported page schema {schema!r}; this version of unocr "
            f"reads {SCHEMA!r}"
        )
    blocks = data.get("blocks", [])
    if not isinstance(blocks, list):
        raise FormatError("page.blocks: expected a list")
    t = data.get("timings") or {}
    get: Callable[[str], float] = lambda k: float(t.get(k, 0.0))  # noqa: E731
    source = _source_from_dict(data.get("source"))
    try:
        return Page(
            width=data["width"],
            height=data["height"],
            backend=data.get("backend"),
            languages=tuple(data.get("languages", ())),
            timings=Timings(
                decode=get("decode"), engine=get("engine"), convert=get("convert")
            ),
            blocks=tuple(
                _element_from_dict(Block, b, f"page.blocks[{i}]")  # type: ignore[misc]
                for i, b in enumerate(blocks)
            ),
            source=source,
        )
    except KeyError as exc:
        raise FormatError(f"page: missing {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        if isinstance(exc, FormatError):
            raise
        raise FormatError(f"page: {exc}") from exc


def _source_from_dict(data: Any) -> Source | None:
    if data is None:
        return None
    try:
        return Source.from_dict(data)
    except KeyError as exc:
        raise FormatError(f"page.source: missing {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise FormatError(f"page.source: {exc}") from exc


def page_from_json(text: str | bytes) -> Page:
    """Parse JSON text written by :meth:`Page.to_json`.

    Raises:
        FormatError: Not JSON, or not a unocr page.
    """
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FormatError(f"not valid JSON: {exc}") from exc
    return page_from_dict(data)

"""Google Cloud Vision OCR responses -> :class:`~unocr.model.Page`.

This module is pure: it needs neither google-cloud-vision nor the network, so a
response saved on disk converts anywhere. It accepts the REST JSON form
(camelCase keys, as the API and ``gcloud ml vision`` print it), the snake_case
dicts of ``AnnotateImageResponse.to_dict()``, and the proto messages
themselves (proto-plus or raw protobuf; read field by field, without
importing their library).

Mapping (see ``docs/backends/gcv.md``):

- ``fullTextAnnotation.pages[0]`` gives the page size; each GCV *paragraph*
  becomes a unocr :class:`~unocr.model.Block` (``block_level="paragraph"``,
  the default) or each GCV *block* does (``block_level="block"``); both are
  native. Words and symbols are native; their confidences (already in
  [0, 1]) and detected languages are kept.
- GCV has no line level: lines are synthesised (``native=False``) from the
  symbols' ``detectedBreak``, so each line's text, and ``page.text`` up to the
  blank line between blocks, reads like the API's own ``text``: ``SPACE`` and
  ``SURE_SPACE`` put a space after a word, ``EOL_SURE_SPACE`` and
  ``LINE_BREAK`` end the line, ``HYPHEN`` ends it with ``-``; a word with no
  break runs into the next (``"26,"``).
- Geometry is a :class:`~unocr.geometry.Quad` in canonical order (top-left
  first, clockwise on screen); vertices the API omits count as 0, as the API
  leaves out zero coordinates; ``normalizedVertices`` are scaled by the page
  size.
- A response with only ``textAnnotations`` (entry 0 is the whole text, the
  rest are words) gives words, and lines and blocks are synthesised from their
  geometry (:meth:`~unocr.model.Page.from_words`).
- A confidence the response leaves out is ``None``: the API (and the proto
  JSON mapping) omits zero values, so a proto ``0.0`` is read as "none".

Examples:
    >>> page = response_to_page(
    ...     {"textAnnotations": [
    ...         {"description": "Hi", "locale": "en"},
    ...         {"description": "Hi", "boundingPoly": {"vertices": [
    ...             {"x": 10, "y": 5}, {"x": 30, "y": 5},
    ...             {"x": 30, "y": 20}, {"x": 10, "y": 20}]}},
    ...     ]},
    ...     width=100, height=50,
    ... )
    >>> page.text, page.words[0].geometry.bounds.x0, page.words[0].language
    ('Hi', 10.0, 'en')
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from unocr.errors import (
    AuthenticationError,
    EngineTimeoutError,
    FormatError,
    ImageError,
    RecognitionError,
    UnocrError,
)
from unocr.geometry import Geometry, Quad, canonicalize_quads
from unocr.model import Block, Line, Page, Symbol, Timings, Word

__all__ = [
    "AUTH_GUIDANCE",
    "BREAKS",
    "RETRYABLE_CODES",
    "BlockLevel",
    "error_from_status",
    "response_to_dict",
    "response_to_page",
    "status_name",
]

BlockLevel = Literal["paragraph", "block"]

#: ``TextAnnotation.DetectedBreak.BreakType`` enum numbers -> names.
_BREAK_NAMES = {
    0: "UNKNOWN",
    1: "SPACE",
    2: "SURE_SPACE",
    3: "EOL_SURE_SPACE",
    4: "HYPHEN",
    5: "LINE_BREAK",
}
#: What each break adds to the text after its symbol, as the API's own text does.
BREAKS: dict[str, str] = {
    "UNKNOWN": "",
    "SPACE": " ",
    "SURE_SPACE": " ",
    "EOL_SURE_SPACE": "\n",
    "HYPHEN": "-\n",
    "LINE_BREAK": "\n",
}
_BLOCK_TYPES = {
    0: "UNKNOWN",
    1: "TEXT",
    2: "TABLE",
    3: "PICTURE",
    4: "RULER",
    5: "BARCODE",
}

#: google.rpc.Code numbers used in per-image ``error`` fields.
_CODE_NAMES = {
    1: "CANCELLED",
    2: "UNKNOWN",
    3: "INVALID_ARGUMENT",
    4: "DEADLINE_EXCEEDED",
    5: "NOT_FOUND",
    7: "PERMISSION_DENIED",
    8: "RESOURCE_EXHAUSTED",
    9: "FAILED_PRECONDITION",
    10: "ABORTED",
    11: "OUT_OF_RANGE",
    12: "UNIMPLEMENTED",
    13: "INTERNAL",
    14: "UNAVAILABLE",
    15: "DATA_LOSS",
    16: "UNAUTHENTICATED",
}
#: Status codes worth retrying: the service was busy or failed transiently.
RETRYABLE_CODES = frozenset({4, 8, 13, 14})

_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")

AUTH_GUIDANCE = (
    "Set GOOGLE_APPLICATION_CREDENTIALS to a service-account key file, run "
    "'gcloud auth application-default login', or pass credentials=, "
    "api_key= or client= to the gcv backend; the account needs the Cloud "
    "Vision API enabled and permission to use it."
)


def status_name(code: int) -> str:
    """The google.rpc.Code name of a status number (``14`` -> ``"UNAVAILABLE"``)."""
    return _CODE_NAMES.get(code, f"code {code}")


def error_from_status(
    code: int, message: str, *, item: object = None, timeout: float = 0.0
) -> UnocrError:
    """The unocr error for a google.rpc status (an RPC's or one image's).

    Args:
        code: google.rpc.Code number (3 = INVALID_ARGUMENT, 14 = UNAVAILABLE...).
        message: The status message from the service.
        item: The input concerned, if known.
        timeout: The deadline in seconds, for DEADLINE_EXCEEDED.

    Returns:
        ``ImageError`` for INVALID_ARGUMENT, ``AuthenticationError`` (with
        guidance) for UNAUTHENTICATED and PERMISSION_DENIED,
        ``EngineTimeoutError`` for DEADLINE_EXCEEDED, else
        ``RecognitionError``; ``.backend`` is ``"gcv"``.
    """
    name = status_name(code)
    detail = message.strip() or "no details"
    if code == 3:
        return ImageError(
            f"Cloud Vision refused the image ({name}: {detail}); check that it "
            "is a supported format (JPEG, PNG, GIF, BMP, WEBP, ICO, TIFF) "
            "within the API's size limits",
            backend="gcv",
            item=item,
        )
    if code in (7, 16):
        return AuthenticationError(
            f"Cloud Vision refused the credentials ({name}: {detail}). "
            + AUTH_GUIDANCE,
            backend="gcv",
            item=item,
        )
    if code == 4:
        return EngineTimeoutError(
            f"Cloud Vision did not answer within the deadline ({name}: {detail}); "
            "raise timeout= or send smaller batches",
            timeout=timeout,
            backend="gcv",
            item=item,
        )
    return RecognitionError(
        f"Cloud Vision failed ({name}: {detail})", backend="gcv", item=item
    )


# --------------------------------------------------------------------------- #
# Input: dict / JSON / path / proto message -> camelCase dict
# --------------------------------------------------------------------------- #


def response_to_dict(response: object, *, symbols: bool = True) -> dict[str, Any]:
    """Read any supported form of a response into a plain REST-style dict.

    Args:
        response: A dict (camelCase or snake_case keys), JSON text or bytes, a
            path to a ``.json`` file, or an ``AnnotateImageResponse`` message
            (proto-plus or protobuf). A ``{"responses": [one]}`` wrapper (a
            batch response with one image) is unwrapped.
        symbols: For proto messages, read the symbols' geometry too
            (``False``: only their text and breaks).

    Returns:
        The response as a dict; only the fields unocr reads are guaranteed when
        converting a proto message.

    Raises:
        FormatError: The input is not a single-image Cloud Vision response.
    """
    data: Any
    if isinstance(response, Mapping):
        data = response
    elif isinstance(response, bytes | bytearray | memoryview):
        data = _parse_json(bytes(response), "<bytes>")
    elif isinstance(response, str) and response.lstrip().startswith(("{", "[")):
        data = _parse_json(response, "<str>")
    elif isinstance(response, str | os.PathLike):
        path = Path(response)
        try:
            text = path.read_bytes()
        except OSError as exc:
            raise FormatError(
                f"cannot read the Cloud Vision response file {str(path)!r}: "
                f"{exc.strerror or exc}",
                backend="gcv",
                item=str(path),
            ) from exc
        data = _parse_json(text, str(path))
    elif (pb := _message(response)) is not None:
        return _proto_response(pb, symbols)
    else:
        raise FormatError(
            "expected a Cloud Vision response as a dict, JSON text, a path or an "
            f"AnnotateImageResponse message, got {type(response).__name__}",
            backend="gcv",
        )
    if not isinstance(data, Mapping):
        raise FormatError(
            f"a Cloud Vision response is a JSON object, got {type(data).__name__}",
            backend="gcv",
        )
    responses = data.get("responses")
    if isinstance(responses, list) and not _has_any(data):
        if len(responses) != 1:
            raise FormatError(
                f"this batch response holds {len(responses)} image responses; "
                "convert each of data['responses'] separately",
                backend="gcv",
            )
        data = responses[0]
        if not isinstance(data, Mapping):
            raise FormatError("responses[0] is not a JSON object", backend="gcv")
    return dict(data)


def _has_any(data: Mapping[str, Any]) -> bool:
    keys = ("fullTextAnnotation", "full_text_annotation", "textAnnotations")
    return any(k in data for k in (*keys, "text_annotations", "error"))


def _parse_json(text: str | bytes, name: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FormatError(
            f"{name} is not valid JSON: {exc}", backend="gcv", item=name
        ) from exc


def _pb_field(msg: Any, *names: str) -> Any:
    for name in names:
        value = getattr(msg, name, None)
        if value is not None:
            return value
    return None


def _pb_has(msg: Any, name: str) -> bool:
    try:
        return bool(msg.HasField(name))
    except ValueError:
        return False


def _pb_poly(poly: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    verts = poly.vertices
    if len(verts):
        out["vertices"] = [{"x": v.x, "y": v.y} for v in verts]
    norm = poly.normalized_vertices
    if len(norm):
        out["normalizedVertices"] = [{"x": v.x, "y": v.y} for v in norm]
    return out


def _pb_common(msg: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if _pb_has(msg, "bounding_box"):
        out["boundingBox"] = _pb_poly(msg.bounding_box)
    if msg.confidence:
        out["confidence"] = msg.confidence
    if _pb_has(msg, "property"):
        prop = msg.property
        pd: dict[str, Any] = {}
        langs = [
            {"languageCode": lang.language_code, "confidence": lang.confidence}
            for lang in prop.detected_languages
        ]
        if langs:
            pd["detectedLanguages"] = langs
        if _pb_has(prop, "detected_break"):
            brk = prop.detected_break
            kind = _pb_field(brk, "type_", "type")
            pd["detectedBreak"] = {
                "type": _BREAK_NAMES.get(int(kind or 0), "UNKNOWN"),
                "isPrefix": bool(brk.is_prefix),
            }
        out["property"] = pd
    return out


def _pb_symbol(sym: Any) -> dict[str, Any]:
    sd = _pb_common(sym)
    sd["text"] = sym.text
    return sd


def _pb_text(sym: Any) -> dict[str, Any]:
    sd: dict[str, Any] = {"text": sym.text}
    if _pb_has(sym, "property") and _pb_has(sym.property, "detected_break"):
        brk = sym.property.detected_break
        kind = _pb_field(brk, "type_", "type")
        sd["property"] = {
            "detectedBreak": {
                "type": _BREAK_NAMES.get(int(kind or 0), "UNKNOWN"),
                "isPrefix": bool(brk.is_prefix),
            }
        }
    return sd


def _proto_response(pb: Any, symbols: bool = True) -> dict[str, Any]:
    """Walk an AnnotateImageResponse protobuf (fields unocr reads only).

    Much faster than ``json_format.MessageToDict`` (a few ms for a dense page).
    """
    out: dict[str, Any] = {}
    if _pb_has(pb, "error") and pb.error.code:
        out["error"] = {"code": pb.error.code, "message": pb.error.message}
    if _pb_has(pb, "full_text_annotation"):
        fta = pb.full_text_annotation
        pages = []
        for page in fta.pages:
            pd = _pb_common(page)
            pd["width"] = page.width
            pd["height"] = page.height
            blocks = []
            for block in page.blocks:
                bd = _pb_common(block)
                bd["blockType"] = _BLOCK_TYPES.get(int(block.block_type), "UNKNOWN")
                paragraphs = []
                for para in block.paragraphs:
                    ad = _pb_common(para)
                    words = []
                    for word in para.words:
                        wd = _pb_common(word)
                        if symbols:
                            wd["symbols"] = [_pb_symbol(sym) for sym in word.symbols]
                        else:  # text and breaks only
                            wd["symbols"] = [_pb_text(sym) for sym in word.symbols]
                        words.append(wd)
                    ad["words"] = words
                    paragraphs.append(ad)
                bd["paragraphs"] = paragraphs
                blocks.append(bd)
            pd["blocks"] = blocks
            pages.append(pd)
        out["fullTextAnnotation"] = {"pages": pages, "text": fta.text}
    annotations = []
    for ann in pb.text_annotations:
        ad = {"description": ann.description}
        if ann.locale:
            ad["locale"] = ann.locale
        if _pb_has(ann, "bounding_poly"):
            ad["boundingPoly"] = _pb_poly(ann.bounding_poly)
        annotations.append(ad)
    if annotations:
        out["textAnnotations"] = annotations
    return out


# --------------------------------------------------------------------------- #
# Conversion
# --------------------------------------------------------------------------- #


@functools.lru_cache(maxsize=64)
def _snake(key: str) -> str:
    return _SNAKE.sub("_", key).lower()


def _get(d: Mapping[str, Any], key: str) -> Any:
    """``d[key]`` under its camelCase or snake_case name, or ``None``."""
    value = d.get(key)
    if value is None:
        value = d.get(_snake(key))
    return value


@functools.lru_cache(maxsize=256)
def _language_code(code: str) -> str | None:
    code = code.strip().replace("_", "-")
    if not _LANG.match(code) or code.lower() == "und":
        return None
    head, *rest = code.split("-")
    return "-".join([head.lower(), *rest])


def _language(prop: Any) -> str | None:
    if not prop:
        return None
    langs = _get(prop, "detectedLanguages")
    if not langs:
        return None
    code = _get(langs[0], "languageCode")
    return _language_code(code) if isinstance(code, str) else None


def _confidence(d: Mapping[str, Any]) -> float | None:
    value = d.get("confidence")
    if value is None or isinstance(value, bool):
        return None
    if type(value) is not float:
        try:
            value = float(value)
        except (TypeError, ValueError):
            return None
    if value != value:  # NaN
        return None
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else value


def _break(prop: Any) -> tuple[str, bool]:
    if not prop:
        return "UNKNOWN", False
    brk = _get(prop, "detectedBreak")
    if not brk:
        return "UNKNOWN", False
    kind = brk.get("type", brk.get("type_"))
    if isinstance(kind, int):
        kind = _BREAK_NAMES.get(kind, "UNKNOWN")
    prefix = bool(_get(brk, "isPrefix"))
    return (kind if isinstance(kind, str) else "UNKNOWN"), prefix


class _Geo:
    """Collects every element's corners on a page, then canonicalises them at once.

    Building one :class:`~unocr.geometry.Quad` at a time costs a vectorised
    canonicalisation per element; a dense page has thousands of symbols, so
    the corners are gathered first and put in canonical order in one call.
    """

    def __init__(self) -> None:
        self._corners: list[list[tuple[float, float]]] = []
        self.quads: list[Quad] = []

    def add(self, pts: list[tuple[float, float]] | None) -> int | None:
        """Register an element's vertices; its index, or None if it has none."""
        if not pts:
            return None
        if len(pts) != 4:  # not a quad: use its bounding box
            xs = [p[0] for p in pts]
            ys = [p[1] for p in pts]
            x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
            pts = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        self._corners.append(pts)
        return len(self._corners) - 1

    def corners(self, index: int) -> list[tuple[float, float]]:
        return self._corners[index]

    def finish(self) -> None:
        if not self._corners:
            return
        arr = canonicalize_quads(np.asarray(self._corners, dtype=np.float64))
        self.quads = [_quad(q) for q in arr]


class _DictReader:
    """Reads the REST JSON form (camelCase or snake_case keys)."""

    def __init__(self, width: float | None, height: float | None) -> None:
        self.width = width
        self.height = height

    def blocks(self, page: Any) -> Sequence[Any]:
        return page.get("blocks") or ()

    def paragraphs(self, block: Any) -> Sequence[Any]:
        return block.get("paragraphs") or ()

    def words(self, paragraph: Any) -> Sequence[Any]:
        return paragraph.get("words") or ()

    def symbols(self, word: Any) -> Sequence[Any]:
        return word.get("symbols") or ()

    def text(self, symbol: Any) -> str:
        return symbol.get("text") or ""

    def confidence(self, element: Any) -> float | None:
        return _confidence(element)

    def language(self, element: Any) -> str | None:
        return _language(element.get("property"))

    def brk(self, symbol: Any) -> tuple[str, bool]:
        return _break(symbol.get("property"))

    def points(
        self, element: Any, key: str = "boundingBox"
    ) -> list[tuple[float, float]] | None:
        poly = _get(element, key)
        if not isinstance(poly, Mapping):
            return None
        verts = poly.get("vertices")
        if verts:
            return [(float(v.get("x") or 0), float(v.get("y") or 0)) for v in verts]
        norm = _get(poly, "normalizedVertices")
        if norm:
            w, h = _page_scale(self.width, self.height)
            return [
                (float(v.get("x") or 0) * w, float(v.get("y") or 0) * h) for v in norm
            ]
        return None


class _ProtoReader:
    """Reads an ``AnnotateImageResponse`` protobuf directly (no dict copy).

    Absent scalars read as 0 in proto3; like the REST form, which leaves
    them out, a 0 confidence reads as ``None``.
    """

    def __init__(self, width: float | None, height: float | None) -> None:
        self.width = width
        self.height = height

    def blocks(self, page: Any) -> Sequence[Any]:
        return page.blocks  # type: ignore[no-any-return]

    def paragraphs(self, block: Any) -> Sequence[Any]:
        return block.paragraphs  # type: ignore[no-any-return]

    def words(self, paragraph: Any) -> Sequence[Any]:
        return paragraph.words  # type: ignore[no-any-return]

    def symbols(self, word: Any) -> Sequence[Any]:
        return word.symbols  # type: ignore[no-any-return]

    def text(self, symbol: Any) -> str:
        return symbol.text  # type: ignore[no-any-return]

    def confidence(self, element: Any) -> float | None:
        value = element.confidence
        if not value or value != value:
            return None
        return 0.0 if value < 0.0 else 1.0 if value > 1.0 else float(value)

    def language(self, element: Any) -> str | None:
        if not element.HasField("property"):
            return None
        langs = element.property.detected_languages
        return _language_code(langs[0].language_code) if len(langs) else None

    def brk(self, symbol: Any) -> tuple[str, bool]:
        if not symbol.HasField("property"):
            return "UNKNOWN", False
        prop = symbol.property
        if not prop.HasField("detected_break"):
            return "UNKNOWN", False
        brk = prop.detected_break
        kind = _pb_field(brk, "type_", "type")
        return _BREAK_NAMES.get(int(kind or 0), "UNKNOWN"), bool(brk.is_prefix)

    def points(
        self, element: Any, key: str = "bounding_box"
    ) -> list[tuple[float, float]] | None:
        if not element.HasField(key):
            return None
        poly = getattr(element, key)
        verts = poly.vertices
        if len(verts):
            return [(float(v.x), float(v.y)) for v in verts]
        norm = poly.normalized_vertices
        if len(norm):
            w, h = _page_scale(self.width, self.height)
            return [(v.x * w, v.y * h) for v in norm]
        return None


_Reader = _DictReader | _ProtoReader


def _page_scale(width: float | None, height: float | None) -> tuple[float, float]:
    if not width or not height:
        raise FormatError(
            "the response gives normalizedVertices but no page size; pass "
            "width= and height= (the image's size in pixels)",
            backend="gcv",
        )
    return float(width), float(height)


def _quad(points: NDArray[np.float64]) -> Quad:
    """A Quad from corners already in canonical order."""
    trusted = getattr(Quad, "_trusted", None)
    if trusted is not None:  # skips re-canonicalising (same result, ~100x faster)
        quad: Quad = trusted(points)
        return quad
    return Quad(points)


@dataclass
class _RawSymbol:
    text: str
    shape: int
    confidence: float | None
    language: str | None


@dataclass
class _RawWord:
    text: str
    shape: int
    confidence: float | None
    language: str | None
    symbols: list[_RawSymbol]
    before: str
    after: str


@dataclass
class _RawBlock:
    shape: int | None
    confidence: float | None
    language: str | None
    paragraphs: list[list[_RawWord]]


def _raw_words(
    words: Sequence[Any], read: _Reader, geo: _Geo, lang: str | None, keep_symbols: bool
) -> list[_RawWord]:
    out: list[_RawWord] = []
    for wd in words:
        syms = read.symbols(wd)
        wlang = read.language(wd) or lang
        symbols: list[_RawSymbol] = []
        text: list[str] = []
        corners: list[tuple[float, float]] = []
        before = ""
        after = "UNKNOWN"
        last = len(syms) - 1
        for k, sd in enumerate(syms):
            kind, prefix = read.brk(sd)
            if prefix and k == 0:
                before = BREAKS.get(kind, "")
            elif not prefix and k == last:
                after = kind
            stext = read.text(sd)
            text.append(stext)
            if not keep_symbols:
                continue
            index = geo.add(read.points(sd))
            if index is not None:
                corners.extend(geo.corners(index))
                symbols.append(
                    _RawSymbol(
                        text=stext,
                        shape=index,
                        confidence=read.confidence(sd),
                        language=read.language(sd) or wlang,
                    )
                )
        word_text = "".join(text)
        shape = geo.add(read.points(wd))
        if shape is None:
            shape = geo.add(corners or None)  # the box around its symbols
        if shape is None or not word_text:
            continue  # nothing to place or nothing to read
        out.append(
            _RawWord(
                text=word_text,
                shape=shape,
                confidence=read.confidence(wd),
                language=wlang,
                symbols=symbols,
                before=before,
                after=after,
            )
        )
    return out


def _mean(values: Sequence[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return min(1.0, max(0.0, math.fsum(known) / len(known))) if known else None


def _common(values: Sequence[str | None]) -> str | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def _enclosing_quad(shapes: Sequence[Geometry]) -> NDArray[np.float64]:
    """Corners of a rectangle around quads, aligned with their mean top edge.

    Cheaper than a minimum-area rectangle and as tight for a line of text:
    the direction is the mean TL -> TR direction of the children (their
    canonical first sides lie within 45 degrees of +x, so they agree).
    """
    quads = [s.to_quad().points for s in shapes]
    pts = np.concatenate(quads)
    edges = np.stack([q[1] - q[0] for q in quads])
    direction = edges.sum(axis=0)
    norm = float(np.hypot(direction[0], direction[1]))
    u = direction / norm if norm > 0 else np.array([1.0, 0.0])
    n = np.array([-u[1], u[0]])
    along = pts @ u
    across = pts @ n
    a0, a1 = along.min(), along.max()
    c0, c1 = across.min(), across.max()
    return np.array(
        [a0 * u + c0 * n, a1 * u + c0 * n, a1 * u + c1 * n, a0 * u + c1 * n],
        dtype=np.float64,
    )


def _build_lines(paragraph: list[_RawWord], geo: _Geo) -> list[tuple[str, list[Word]]]:
    """Group a paragraph's words into lines by their detected breaks."""
    lines: list[tuple[str, list[Word]]] = []
    current: list[Word] = []
    text = ""

    def flush() -> None:
        nonlocal current, text
        if current:
            lines.append((text.strip(" "), current))
        current, text = [], ""

    for raw in paragraph:
        word = Word(
            text=raw.text,
            geometry=geo.quads[raw.shape],
            confidence=raw.confidence,
            language=raw.language,
            symbols=tuple(
                Symbol(
                    text=s.text,
                    geometry=geo.quads[s.shape],
                    confidence=s.confidence,
                    language=s.language,
                )
                for s in raw.symbols
            ),
        )
        if raw.before.endswith("\n"):
            flush()
        elif current:
            text += raw.before
        current.append(word)
        text += word.text
        sep = BREAKS.get(raw.after, "")
        if sep.endswith("\n"):
            text += sep[:-1]
            flush()
        else:
            text += sep
    flush()
    return lines


def _positive(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


def response_to_page(
    response: object,
    *,
    width: int | None = None,
    height: int | None = None,
    block_level: BlockLevel = "paragraph",
    backend: str | None = "gcv",
    languages: Sequence[str] = (),
    symbols: bool = True,
) -> Page:
    """Convert a Cloud Vision ``AnnotateImageResponse`` to a :class:`Page`.

    Args:
        response: The response as a dict (REST camelCase or snake_case keys),
            JSON text or bytes, a path to a JSON file, or an
            ``AnnotateImageResponse`` message (proto-plus or protobuf).
        width: Image width in pixels; default ``fullTextAnnotation``'s page
            width. Needed for responses without a ``fullTextAnnotation``.
        height: Image height in pixels; default the page height.
        block_level: Which GCV level becomes a unocr block: ``"paragraph"``
            (default; GCV blocks often hold several paragraphs) or ``"block"``.
        backend: Name stored in ``Page.backend``.
        languages: Languages the request asked for (``Page.languages``).
        symbols: Keep the symbol level (characters); ``False`` skips it,
            which halves the conversion time of dense pages.

    Returns:
        The page: blocks -> synthesised lines -> words -> symbols, coordinates
        in the pixels of the image the API saw.

    Raises:
        FormatError: The response is malformed, or its size is unknown.
        UnocrError: The response carries an ``error`` status (see
            :func:`error_from_status`).
    """
    if block_level not in ("paragraph", "block"):
        raise ValueError(
            f"block_level must be 'paragraph' or 'block', got {block_level!r}"
        )
    pb = _message(response)
    data: dict[str, Any] = {}
    gpage: Any = None
    read: _Reader
    if pb is not None:
        if pb.HasField("error") and pb.error.code:
            raise error_from_status(int(pb.error.code), str(pb.error.message))
        pages: Sequence[Any] = (
            pb.full_text_annotation.pages if pb.HasField("full_text_annotation") else ()
        )
        if not len(pages):
            data = _proto_response(pb, symbols)  # textAnnotations only: small
        read = _ProtoReader(None, None)
    else:
        data = response_to_dict(response)
        error = data.get("error")
        if isinstance(error, Mapping) and error.get("code"):
            raise error_from_status(int(error["code"]), str(error.get("message", "")))
        fta = _get(data, "fullTextAnnotation")
        pages = (_get(fta, "pages") or []) if isinstance(fta, Mapping) else []
        read = _DictReader(None, None)
    if len(pages) > 1:
        raise FormatError(
            f"the response holds {len(pages)} pages (a file response?); convert "
            "one image response at a time",
            backend="gcv",
        )
    page_w = page_h = None
    if len(pages):
        gpage = pages[0]
        page_w = gpage.width if pb is not None else gpage.get("width")
        page_h = gpage.height if pb is not None else gpage.get("height")
    w = _positive(width) or _positive(page_w)
    h = _positive(height) or _positive(page_h)
    if w is None or h is None:
        if width is None or height is None:
            raise FormatError(
                "the response does not give the image size; pass width= and "
                "height= (the image's size in pixels)",
                backend="gcv",
            )
        w, h = int(width), int(height)
    read.width, read.height = w, h
    try:
        if gpage is not None:
            blocks = _full_text_blocks(gpage, read, _Geo(), block_level, symbols)
            return Page(
                width=w,
                height=h,
                blocks=tuple(blocks),
                backend=backend,
                languages=tuple(languages),
                timings=Timings(),
            )
        return _annotations_page(data, _DictReader(w, h), w, h, backend, languages)
    except (TypeError, AttributeError, ValueError) as exc:
        if isinstance(exc, UnocrError):
            raise
        raise FormatError(
            f"malformed Cloud Vision response: {type(exc).__name__}: {exc}",
            backend="gcv",
        ) from exc


def _message(response: object) -> Any:
    """The protobuf message inside a proto-plus or protobuf response, else None."""
    if isinstance(
        response, Mapping | str | bytes | bytearray | memoryview | os.PathLike
    ):
        return None
    pb: Any = getattr(response, "_pb", response)
    if not (hasattr(pb, "ListFields") and hasattr(pb, "DESCRIPTOR")):
        return None
    name = pb.DESCRIPTOR.name
    if name == "BatchAnnotateImagesResponse":
        if len(pb.responses) != 1:
            raise FormatError(
                f"this batch response holds {len(pb.responses)} image responses; "
                "convert each of its .responses separately",
                backend="gcv",
            )
        pb = pb.responses[0]
    elif name != "AnnotateImageResponse":
        raise FormatError(
            f"expected an AnnotateImageResponse message, got a {name}", backend="gcv"
        )
    return pb


def _full_text_blocks(
    gpage: Any, read: _Reader, geo: _Geo, block_level: BlockLevel, symbols: bool
) -> list[Block]:
    raws: list[_RawBlock] = []
    for gblock in read.blocks(gpage):
        blang = read.language(gblock)
        paragraphs = read.paragraphs(gblock)
        if block_level == "block":
            per_para = [
                _raw_words(
                    read.words(para), read, geo, read.language(para) or blang, symbols
                )
                for para in paragraphs
            ]
            raws.append(
                _RawBlock(
                    geo.add(read.points(gblock)),
                    read.confidence(gblock),
                    blang,
                    per_para,
                )
            )
            continue
        for para in paragraphs:
            plang = read.language(para) or blang
            raws.append(
                _RawBlock(
                    geo.add(read.points(para)),
                    read.confidence(para),
                    plang,
                    [_raw_words(read.words(para), read, geo, plang, symbols)],
                )
            )
    geo.finish()

    grouped: list[tuple[_RawBlock, list[tuple[str, list[Word]]]]] = []
    line_corners: list[NDArray[np.float64]] = []
    for raw in raws:
        lines = [line for para in raw.paragraphs for line in _build_lines(para, geo)]
        if lines:
            grouped.append((raw, lines))
            line_corners.extend(
                _enclosing_quad([w.geometry for w in words]) for _, words in lines
            )
    if not grouped:
        return []
    line_quads = [_quad(q) for q in canonicalize_quads(np.asarray(line_corners))]

    blocks: list[Block] = []
    k = 0
    for raw, lines in grouped:
        built: list[Line] = []
        for text, words in lines:
            built.append(
                Line(
                    text=text,
                    geometry=line_quads[k],
                    confidence=_mean([w.confidence for w in words]),
                    language=_common([w.language for w in words]),
                    native=False,
                    words=tuple(words),
                )
            )
            k += 1
        shape: Geometry
        if raw.shape is not None:
            shape = geo.quads[raw.shape]
        else:
            corners = _enclosing_quad([ln.geometry for ln in built])
            shape = _quad(canonicalize_quads(corners[None])[0])
        blocks.append(
            Block(
                text="\n".join(line.text for line in built),
                geometry=shape,
                confidence=raw.confidence,
                language=raw.language,
                native=True,
                lines=tuple(built),
            )
        )
    return blocks


def _annotations_page(
    data: Mapping[str, Any],
    read: _DictReader,
    width: int,
    height: int,
    backend: str | None,
    languages: Sequence[str],
) -> Page:
    annotations = _get(data, "textAnnotations") or []
    locale = None
    if annotations and isinstance(annotations[0], Mapping):
        code = annotations[0].get("locale")
        if isinstance(code, str):
            locale = _language_code(code)
    geo = _Geo()
    found: list[tuple[str, int]] = []
    for ann in annotations[1:]:
        text = (ann.get("description") or "").strip()
        index = geo.add(read.points(ann, "boundingPoly"))
        if text and index is not None:
            found.append((text, index))
    geo.finish()
    words = [Word(text=t, geometry=geo.quads[i], language=locale) for t, i in found]
    return Page.from_words(
        words, width=width, height=height, backend=backend, languages=tuple(languages)
    )

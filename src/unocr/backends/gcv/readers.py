"""Read a Cloud Vision response into a flat, engine-neutral tree (pure).

Two readers fill the same :class:`RawPage`, which :mod:`.build` turns into
unocr elements:

- :func:`read_message` walks an ``AnnotateImageResponse`` protobuf message
  (the raw message, not its proto-plus wrapper) field by field, without
  importing its library and without copying it to a dict;
- :func:`read_mapping` walks the REST JSON form (camelCase keys) or the
  snake_case dicts of ``AnnotateImageResponse.to_dict()``, checking every
  type it reads, so a malformed saved response gives a
  :class:`~unocr.errors.FormatError` naming the field.

Every element's corners go into one flat list (8 numbers per element), so the
builder puts them all in canonical order in one vectorised call. Vertices
the API omits count as 0 (the API leaves out zero coordinates);
``normalizedVertices`` are scaled by the page size; a polygon of other than 4
vertices is replaced by its bounding box.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from unocr.errors import FormatError

__all__ = [
    "BREAKS",
    "BlockLevel",
    "RawBlock",
    "RawPage",
    "RawParagraph",
    "RawSymbol",
    "RawWord",
    "language_code",
    "read_mapping",
    "read_message",
]

#: Which GCV level becomes a unocr block (the other's geometry is not read).
BlockLevel = Literal["paragraph", "block"]

#: ``TextAnnotation.DetectedBreak.BreakType`` enum numbers -> names.
_BREAK_NAMES = (
    "UNKNOWN",
    "SPACE",
    "SURE_SPACE",
    "EOL_SURE_SPACE",
    "HYPHEN",
    "LINE_BREAK",
)
#: What each break adds to the text after its symbol, as the API's own text does.
BREAKS: dict[str, str] = {
    "UNKNOWN": "",
    "SPACE": " ",
    "SURE_SPACE": " ",
    "EOL_SURE_SPACE": "\n",
    "HYPHEN": "-\n",
    "LINE_BREAK": "\n",
}
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")

#: ``(text, shape, confidence, language)`` of one symbol; ``shape`` indexes
#: :attr:`RawPage.corners` (in steps of 8 numbers).
RawSymbol = tuple[str, int, float | None, str | None]


@dataclass(slots=True)
class RawWord:
    r"""A word as read: its text is its symbols' text joined.

    Attributes:
        text: The word's text.
        shape: Index of its corners, or -1 where it has none.
        confidence: In [0, 1], or ``None``.
        language: Own or inherited language code, or ``None``.
        symbols: Its symbols with a shape (empty when symbols are not read).
        before: Text a prefix break puts before the word (``"\\n"``, ...).
        after: Name of the break after the word (``"SPACE"``, ...).
    """

    text: str
    shape: int
    confidence: float | None
    language: str | None
    symbols: list[RawSymbol]
    before: str
    after: str


@dataclass(slots=True)
class RawParagraph:
    """A GCV paragraph: shape index (-1 = none), confidence, language, words."""

    shape: int
    confidence: float | None
    language: str | None
    words: list[RawWord]


@dataclass(slots=True)
class RawBlock:
    """A GCV block: shape index (-1 = none), confidence, language, paragraphs."""

    shape: int
    confidence: float | None
    language: str | None
    paragraphs: list[RawParagraph]


@dataclass(slots=True)
class RawPage:
    """Everything the builder needs, with every element's corners in one list.

    Attributes:
        corners: 8 numbers ``x0, y0, ..., x3, y3`` per shape, in pixels.
        blocks: The ``fullTextAnnotation`` tree (empty without one).
        annotations: ``(text, shape)`` of the ``textAnnotations`` words, read
            only when the response has no ``fullTextAnnotation``.
        locale: ``textAnnotations[0].locale`` as a language code, or ``None``.
    """

    corners: list[float] = field(default_factory=list)
    blocks: list[RawBlock] = field(default_factory=list)
    annotations: list[tuple[str, int]] = field(default_factory=list)
    locale: str | None = None

    def add_box(self, xs: Sequence[float], ys: Sequence[float]) -> int:
        """Add the corners of ``len(xs)`` vertices; its shape index.

        Four vertices are kept as given; any other number (at least one) is
        replaced by its bounding box.
        """
        if len(xs) == 4:
            self.corners.extend(
                (xs[0], ys[0], xs[1], ys[1], xs[2], ys[2], xs[3], ys[3])
            )
        else:
            x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
            self.corners.extend((x0, y0, x1, y0, x1, y1, x0, y1))
        return len(self.corners) // 8 - 1

    def add_around(self, shapes: Sequence[int]) -> int:
        """Add the bounding box of shapes already added; its index (-1 if none)."""
        if not shapes:
            return -1
        c = self.corners
        xs = [c[8 * s + k] for s in shapes for k in (0, 2, 4, 6)]
        ys = [c[8 * s + k] for s in shapes for k in (1, 3, 5, 7)]
        return self.add_box(xs, ys)


@functools.lru_cache(maxsize=256)
def language_code(code: str) -> str | None:
    """A detected language as unocr stores it, or ``None`` (``und``, malformed).

    Examples:
        >>> language_code("EN"), language_code("zh-Hant"), language_code("und")
        ('en', 'zh-Hant', None)
    """
    code = code.strip().replace("_", "-")
    if not _LANG.match(code) or code.lower() == "und":
        return None
    head, *rest = code.split("-")
    return "-".join([head.lower(), *rest])


def _one_page(count: int) -> None:
    if count > 1:
        raise FormatError(
            f"the response holds {count} pages (a file response?); convert one "
            "image response at a time",
            backend="gcv",
        )


def _clamp(value: float) -> float | None:
    """A confidence in [0, 1]; 0 and NaN read as "none" (the API omits zeros)."""
    if not value or value != value:
        return None
    return 0.0 if value < 0.0 else 1.0 if value > 1.0 else float(value)


def _words_text(
    texts: list[str], breaks: list[tuple[int | str, bool]]
) -> tuple[str, str, str]:
    """``(text, before, after)`` of a word from its symbols' texts and breaks."""
    before = ""
    after = "UNKNOWN"
    last = len(breaks) - 1
    for k, (kind, prefix) in enumerate(breaks):
        if not kind:
            continue
        name = _break_name(kind)
        if prefix:
            if k == 0:
                before = BREAKS[name]
        elif k == last:
            after = name
    return "".join(texts), before, after


def _break_name(kind: int | str) -> str:
    if isinstance(kind, str):
        return kind if kind in BREAKS else "UNKNOWN"
    return _BREAK_NAMES[kind] if 0 <= kind < len(_BREAK_NAMES) else "UNKNOWN"


# --------------------------------------------------------------------------- #
# Protobuf messages
# --------------------------------------------------------------------------- #


def read_message(
    message: Any,
    *,
    width: float,
    height: float,
    symbols: bool = True,
    regions: BlockLevel = "paragraph",
) -> RawPage:
    """Walk an ``AnnotateImageResponse`` protobuf message.

    Args:
        message: The raw protobuf message (``AnnotateImageResponse.pb(x)``).
        width: Page width in pixels (scales ``normalized_vertices``).
        height: Page height in pixels.
        symbols: Read the symbols' geometry, confidence and language too
            (``False``: only their text and breaks, which make the words).
        regions: The level whose geometry is read for blocks: GCV
            ``"paragraph"`` or ``"block"`` (the other's shapes are ``-1``).

    Returns:
        The flat tree.
    """
    raw = RawPage()
    pages = message.full_text_annotation.pages
    _one_page(len(pages))
    if len(pages):
        _MessageWalk(raw, width, height, symbols, regions).page(pages[0])
        return raw
    annotations = message.text_annotations
    if len(annotations):
        raw.locale = language_code(annotations[0].locale)
    walk = _MessageWalk(raw, width, height, False, regions)
    for ann in annotations[1:]:
        text = ann.description.strip()
        shape = walk.shape(ann.bounding_poly)
        if text and shape >= 0:
            raw.annotations.append((text, shape))
    return raw


class _Walk:
    """What both readers walk with: the tree being filled and what to read.

    Args:
        raw: The flat tree being filled.
        width: Page width in pixels (scales normalised vertices).
        height: Page height in pixels.
        symbols: Read the symbols' geometry, confidence and language.
        regions: The level whose geometry is read for blocks.
    """

    def __init__(
        self,
        raw: RawPage,
        width: float,
        height: float,
        symbols: bool,
        regions: BlockLevel,
    ):
        self.raw = raw
        self.width = width
        self.height = height
        self.symbols = symbols
        self.regions = regions


class _MessageWalk(_Walk):
    """One pass over a page message; unset fields read as empty defaults."""

    #: google-cloud-vision's descriptor names the break's field "type_"
    #: (proto-plus avoids the builtin's name); protoc's own build, "type".
    kind = ""

    def break_field(self, brk: Any) -> str:
        fields = brk.DESCRIPTOR.fields_by_name
        self.kind = "type_" if "type_" in fields else "type"
        return self.kind

    def shape(self, poly: Any) -> int:
        verts = poly.vertices
        if len(verts) == 4:  # the usual case, inlined
            a, b, c, d = verts
            corners = self.raw.corners
            corners.extend((a.x, a.y, b.x, b.y, c.x, c.y, d.x, d.y))
            return len(corners) // 8 - 1
        if len(verts):
            return self.raw.add_box([v.x for v in verts], [v.y for v in verts])
        norm = poly.normalized_vertices
        if len(norm):
            w, h = self.width, self.height
            return self.raw.add_box([v.x * w for v in norm], [v.y * h for v in norm])
        return -1

    @staticmethod
    def language(element: Any, default: str | None) -> str | None:
        langs = element.property.detected_languages
        if len(langs):
            return language_code(langs[0].language_code) or default
        return default

    def page(self, page: Any) -> None:
        by_block = self.regions == "block"
        for block in page.blocks:
            blang = self.language(block, None)
            paragraphs = []
            for para in block.paragraphs:
                plang = self.language(para, blang)
                paragraphs.append(
                    RawParagraph(
                        -1 if by_block else self.shape(para.bounding_box),
                        _clamp(para.confidence),
                        plang,
                        self.words(para.words, plang),
                    )
                )
            self.raw.blocks.append(
                RawBlock(
                    self.shape(block.bounding_box) if by_block else -1,
                    _clamp(block.confidence),
                    blang,
                    paragraphs,
                )
            )

    def words(self, words: Any, plang: str | None) -> list[RawWord]:
        out: list[RawWord] = []
        keep = self.symbols
        shape = self.shape
        language = self.language
        for word in words:
            wlang = language(word, plang)
            symbols = list(word.symbols)  # one wrapper per symbol, reused below
            syms: list[RawSymbol] = []
            if keep:  # the hot loop of a dense page: inlined, in the usual case
                texts = []
                corners = self.raw.corners
                for sym in symbols:
                    text = sym.text
                    texts.append(text)
                    verts = sym.bounding_box.vertices
                    if len(verts) == 4:
                        a, b, c, d = verts
                        corners.extend((a.x, a.y, b.x, b.y, c.x, c.y, d.x, d.y))
                        index = len(corners) // 8 - 1
                    else:
                        index = shape(sym.bounding_box)
                        if index < 0:
                            continue
                    conf = sym.confidence
                    langs = sym.property.detected_languages
                    syms.append(
                        (
                            text,
                            index,
                            conf if 0.0 < conf <= 1.0 else _clamp(conf),
                            (language_code(langs[0].language_code) or wlang)
                            if len(langs)
                            else wlang,
                        )
                    )
            else:
                texts = [sym.text for sym in symbols]
            wshape = shape(word.bounding_box)
            if wshape < 0:  # the box around its symbols
                if keep:
                    around = [s[1] for s in syms]
                else:
                    around = [shape(s.bounding_box) for s in symbols]
                wshape = self.raw.add_around([k for k in around if k >= 0])
            before, after = self.breaks(symbols)
            out.append(
                RawWord(
                    "".join(texts),
                    wshape,
                    _clamp(word.confidence),
                    wlang,
                    syms,
                    before,
                    after,
                )
            )
        return out

    def breaks(self, symbols: list[Any]) -> tuple[str, str]:
        """``(before, after)`` of a word: only its ends' breaks matter."""
        if not symbols:
            return "", "UNKNOWN"
        first = symbols[0].property.detected_break
        kind = self.kind or self.break_field(first)
        before = ""
        if first.is_prefix:
            before = BREAKS[_break_name(getattr(first, kind))]
        last = symbols[-1].property.detected_break
        after = "UNKNOWN" if last.is_prefix else _break_name(getattr(last, kind))
        return before, after


# --------------------------------------------------------------------------- #
# REST JSON / dicts
# --------------------------------------------------------------------------- #


@functools.lru_cache(maxsize=64)
def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def read_mapping(
    data: Mapping[str, Any],
    *,
    width: float,
    height: float,
    symbols: bool = True,
    regions: BlockLevel = "paragraph",
) -> RawPage:
    """Walk a response dict (REST camelCase or ``to_dict()`` snake_case keys).

    Args:
        data: One image's response.
        width: Page width in pixels (scales ``normalizedVertices``).
        height: Page height in pixels.
        symbols: Read the symbols' geometry, confidence and language too.
        regions: The level whose geometry is read for blocks (as
            :func:`read_message`).

    Returns:
        The flat tree.

    Raises:
        FormatError: A field has the wrong type (``"pages": "x"``), a number
            is not finite or too large for a float.
    """
    walk = _MappingWalk(RawPage(), width, height, symbols, regions)
    fta = walk.get(data, "fullTextAnnotation", "response", Mapping)
    pages = walk.items(fta, "pages", "fullTextAnnotation") if fta else []
    _one_page(len(pages))
    if pages:
        walk.page(_as(pages[0], Mapping, "fullTextAnnotation.pages[0]"))
        return walk.raw
    annotations = walk.items(data, "textAnnotations", "response")
    if annotations:
        first = _as(annotations[0], Mapping, "textAnnotations[0]")
        locale = first.get("locale")
        walk.raw.locale = language_code(locale) if isinstance(locale, str) else None
    for k, ann in enumerate(annotations[1:], start=1):
        where = f"textAnnotations[{k}]"
        ann = _as(ann, Mapping, where)
        text = _as(ann.get("description") or "", str, f"{where}.description").strip()
        shape = walk.shape(ann, "boundingPoly", where)
        if text and shape >= 0:
            walk.raw.annotations.append((text, shape))
    return walk.raw


_EXPECTED: dict[type, str] = {Mapping: "an object", str: "a string", list: "a list"}


def _as(value: Any, kind: type, where: str) -> Any:
    """``value`` if it is a ``kind`` (a list may be a tuple), else FormatError."""
    if not isinstance(value, kind) and not (kind is list and type(value) is tuple):
        expected = _EXPECTED.get(kind, kind.__name__)
        raise FormatError(
            f"malformed Cloud Vision response: {where} should be {expected}, "
            f"got {type(value).__name__} {_short(value)}",
            backend="gcv",
        )
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _number(value: Any, where: str) -> float:
    """A finite coordinate or confidence; omitted (``None``) reads as 0."""
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FormatError(
            f"malformed Cloud Vision response: {where} should be a number, got "
            f"{type(value).__name__} {_short(value)}",
            backend="gcv",
        )
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise FormatError(
            f"malformed Cloud Vision response: {where} is {_short(value)}, not a "
            "finite number",
            backend="gcv",
        )
    return number


class _MappingWalk(_Walk):
    """One checked pass over a response dict."""

    @staticmethod
    def get(d: Mapping[str, Any], key: str, where: str, kind: type) -> Any:
        """``d[key]`` under its camelCase or snake_case name, checked; or None."""
        value = d.get(key)
        if value is None:
            value = d.get(_snake(key))
        if value is None:
            return None
        return _as(value, kind, f"{where}.{key}")

    def items(self, d: Mapping[str, Any], key: str, where: str) -> list[Any]:
        return self.get(d, key, where, list) or []

    def shape(self, element: Mapping[str, Any], key: str, where: str) -> int:
        poly = self.get(element, key, where, Mapping)
        if not poly:
            return -1
        here = f"{where}.{key}"
        verts = self.items(poly, "vertices", here)
        scale = (1.0, 1.0)
        name = "vertices"
        if not verts:
            verts = self.items(poly, "normalizedVertices", here)
            scale = (self.width, self.height)
            name = "normalizedVertices"
        if not verts:
            return -1
        xs: list[float] = []
        ys: list[float] = []
        for k, v in enumerate(verts):
            at = f"{here}.{name}[{k}]"
            v = _as(v, Mapping, at)
            xs.append(_number(v.get("x"), f"{at}.x") * scale[0])
            ys.append(_number(v.get("y"), f"{at}.y") * scale[1])
        return self.raw.add_box(xs, ys)

    @staticmethod
    def confidence(element: Mapping[str, Any], where: str) -> float | None:
        value = element.get("confidence")
        if value is None:
            return None
        return _clamp(_number(value, f"{where}.confidence"))

    def language(
        self, element: Mapping[str, Any], where: str, default: str | None
    ) -> str | None:
        prop = self.get(element, "property", where, Mapping)
        if not prop:
            return default
        langs = self.items(prop, "detectedLanguages", f"{where}.property")
        if not langs:
            return default
        first = _as(langs[0], Mapping, f"{where}.property.detectedLanguages[0]")
        code = first.get("languageCode", first.get("language_code"))
        return (language_code(code) if isinstance(code, str) else None) or default

    def brk(self, symbol: Mapping[str, Any], where: str) -> tuple[int | str, bool]:
        prop = self.get(symbol, "property", where, Mapping)
        if not prop:
            return 0, False
        brk = self.get(prop, "detectedBreak", f"{where}.property", Mapping)
        if not brk:
            return 0, False
        kind = brk.get("type", brk.get("type_"))
        if not isinstance(kind, int | str) or isinstance(kind, bool):
            kind = 0
        prefix = brk.get("isPrefix", brk.get("is_prefix"))
        return kind, bool(prefix)

    def page(self, page: Mapping[str, Any]) -> None:
        where = "fullTextAnnotation.pages[0]"
        by_block = self.regions == "block"
        for b, block in enumerate(self.items(page, "blocks", where)):
            bwhere = f"{where}.blocks[{b}]"
            block = _as(block, Mapping, bwhere)
            blang = self.language(block, bwhere, None)
            paragraphs = []
            for p, para in enumerate(self.items(block, "paragraphs", bwhere)):
                pwhere = f"{bwhere}.paragraphs[{p}]"
                para = _as(para, Mapping, pwhere)
                plang = self.language(para, pwhere, blang)
                paragraphs.append(
                    RawParagraph(
                        -1 if by_block else self.shape(para, "boundingBox", pwhere),
                        self.confidence(para, pwhere),
                        plang,
                        self.words(self.items(para, "words", pwhere), pwhere, plang),
                    )
                )
            self.raw.blocks.append(
                RawBlock(
                    self.shape(block, "boundingBox", bwhere) if by_block else -1,
                    self.confidence(block, bwhere),
                    blang,
                    paragraphs,
                )
            )

    def words(self, words: list[Any], where: str, plang: str | None) -> list[RawWord]:
        out: list[RawWord] = []
        for w, word in enumerate(words):
            wwhere = f"{where}.words[{w}]"
            word = _as(word, Mapping, wwhere)
            wlang = self.language(word, wwhere, plang)
            texts: list[str] = []
            breaks: list[tuple[int | str, bool]] = []
            syms: list[RawSymbol] = []
            shapes: list[int] = []
            for s, sym in enumerate(self.items(word, "symbols", wwhere)):
                swhere = f"{wwhere}.symbols[{s}]"
                sym = _as(sym, Mapping, swhere)
                text = _as(sym.get("text") or "", str, f"{swhere}.text")
                texts.append(text)
                breaks.append(self.brk(sym, swhere))
                index = self.shape(sym, "boundingBox", swhere)
                if index >= 0:
                    shapes.append(index)
                    if self.symbols:
                        syms.append(
                            (
                                text,
                                index,
                                self.confidence(sym, swhere),
                                self.language(sym, swhere, wlang),
                            )
                        )
            wshape = self.shape(word, "boundingBox", wwhere)
            if wshape < 0:
                wshape = self.raw.add_around(shapes)
            text, before, after = _words_text(texts, breaks)
            out.append(
                RawWord(
                    text,
                    wshape,
                    self.confidence(word, wwhere),
                    wlang,
                    syms,
                    before,
                    after,
                )
            )
        return out

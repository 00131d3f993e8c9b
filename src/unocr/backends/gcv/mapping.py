"""Read a saved Cloud Vision response (REST JSON or ``to_dict()``) into the flat tree.

Pure. Keys may be camelCase (the REST form) or snake_case
(``AnnotateImageResponse.to_dict()``). Every type read is checked, so a
malformed response gives a :class:`~unocr.errors.FormatError` naming the field.

The protobuf fields that are ``float`` (confidences, normalized vertices)
hold 32-bit floats, which a protobuf message gives widened to Python floats
(``0.9800000190734863``) while JSON writers give their shortest form
(``0.98``, as ``AnnotateImageResponse.to_json`` does). They are read here
through a 32-bit float, as the message holds them, so a saved response and
the message it came from give the same page.
"""

from __future__ import annotations

import functools
import math
import re
import struct
from collections.abc import Mapping
from typing import Any

from unocr.backends.gcv import tree
from unocr.errors import FormatError
from unocr.limits import MAX_COORDINATE

__all__ = ["read_mapping"]

_FLOAT32 = struct.Struct("<f")


@functools.lru_cache(maxsize=64)
def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def read_mapping(
    data: Mapping[str, Any],
    *,
    width: float,
    height: float,
    symbols: bool,
    regions: tree.BlockLevel,
) -> tree.RawPage:
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
    walk = _MappingWalk(tree.RawPage(), width, height, symbols, regions)
    fta = walk.get(data, "fullTextAnnotation", "response", Mapping)
    pages = walk.items(fta, "pages", "fullTextAnnotation") if fta else []
    tree.check_one_page(len(pages))
    if pages:
        walk.page(_as(pages[0], Mapping, "fullTextAnnotation.pages[0]"))
        return walk.raw
    annotations = walk.items(data, "textAnnotations", "response")
    if annotations:
        first = _as(annotations[0], Mapping, "textAnnotations[0]")
        locale = first.get("locale")
        walk.raw.locale = (
            tree.detected_language(locale) if isinstance(locale, str) else None
        )
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


def _float32(value: float) -> float:
    """``value`` as a protobuf ``float`` field holds it (nearest 32-bit float).

    Beyond the 32-bit range it is infinite, as a message built from it would
    be (a confidence is then clamped to 1, a coordinate refused).
    """
    try:
        number: float = _FLOAT32.unpack(_FLOAT32.pack(value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)
    return number


def _coordinate(value: float, where: str) -> float:
    """A vertex coordinate in pixels, within unocr's coordinate range."""
    if not -MAX_COORDINATE <= value <= MAX_COORDINATE:
        raise FormatError(
            f"malformed Cloud Vision response: {where} is {value:.12g} pixels, beyond "
            f"+-{MAX_COORDINATE:.0e} (unocr.limits.MAX_COORDINATE)",
            backend="gcv",
        )
    return value


class _MappingWalk(tree.Walk):
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
        xs: list[float] = []
        ys: list[float] = []
        verts = self.items(poly, "vertices", here)
        for k, v in enumerate(verts):
            at = f"{here}.vertices[{k}]"
            v = _as(v, Mapping, at)
            xs.append(_coordinate(_number(v.get("x"), f"{at}.x"), f"{at}.x"))
            ys.append(_coordinate(_number(v.get("y"), f"{at}.y"), f"{at}.y"))
        if not verts:
            verts = self.items(poly, "normalizedVertices", here)
            w, h = self.width, self.height
            for k, v in enumerate(verts):
                at = f"{here}.normalizedVertices[{k}]"
                v = _as(v, Mapping, at)
                x = _float32(_number(v.get("x"), f"{at}.x")) * w
                y = _float32(_number(v.get("y"), f"{at}.y")) * h
                xs.append(_coordinate(x, f"{at}.x"))
                ys.append(_coordinate(y, f"{at}.y"))
        if not verts:
            return -1
        return self.raw.add_box(xs, ys)

    @staticmethod
    def confidence(element: Mapping[str, Any], where: str) -> float | None:
        value = element.get("confidence")
        if value is None:
            return None
        return tree.confidence(_float32(_number(value, f"{where}.confidence")))

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
        return (
            tree.detected_language(code) if isinstance(code, str) else None
        ) or default

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
                    tree.RawParagraph(
                        -1 if by_block else self.shape(para, "boundingBox", pwhere),
                        self.confidence(para, pwhere),
                        plang,
                        self.words(self.items(para, "words", pwhere), pwhere, plang),
                    )
                )
            self.raw.blocks.append(
                tree.RawBlock(
                    self.shape(block, "boundingBox", bwhere) if by_block else -1,
                    self.confidence(block, bwhere),
                    blang,
                    paragraphs,
                )
            )

    def words(
        self, words: list[Any], where: str, plang: str | None
    ) -> list[tree.RawWord]:
        out: list[tree.RawWord] = []
        for w, word in enumerate(words):
            wwhere = f"{where}.words[{w}]"
            word = _as(word, Mapping, wwhere)
            wlang = self.language(word, wwhere, plang)
            texts: list[str] = []
            breaks: list[tuple[int | str, bool]] = []
            syms: list[tree.RawSymbol] = []
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
                tree.RawWord(
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
        name = tree.break_name(kind)
        if prefix:
            if k == 0:
                before = tree.BREAKS[name]
        elif k == last:
            after = name
    return "".join(texts), before, after

"""Read an ``AnnotateImageResponse`` protobuf message into the flat tree (pure).

The raw message (not its proto-plus wrapper) is walked field by field, without
importing its library and without copying it to a dict; unset fields read as
their empty defaults. A response's ``text_annotations``, and a text annotation
the faster :mod:`~unocr.backends.gcv.wire` reader leaves, are read here; the
trees the two readers give build the same blocks.
"""

from __future__ import annotations

from typing import Any

from unocr.backends.gcv.tree import (
    BREAKS,
    BlockLevel,
    RawBlock,
    RawPage,
    RawParagraph,
    RawSymbol,
    RawWord,
    Walk,
    box_corners,
    break_name,
    check_one_page,
    confidence,
    detected_language,
)

__all__ = ["polygon_corners", "read_message"]


def read_message(
    message: Any,
    *,
    width: float,
    height: float,
    symbols: bool,
    regions: BlockLevel,
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
    check_one_page(len(pages))
    if len(pages):
        walk = _MessageWalk(raw, width, height, symbols, regions)
        walk.page(pages[0])
        return raw
    annotations = message.text_annotations
    if len(annotations):
        raw.locale = detected_language(annotations[0].locale)
    walk = _MessageWalk(raw, width, height, False, regions)
    for ann in annotations[1:]:
        text = ann.description.strip()
        shape = walk.shape(ann.bounding_poly)
        if text and shape >= 0:
            raw.annotations.append((text, shape))
    return raw


def polygon_corners(poly: Any, width: float, height: float) -> tuple[float, ...] | None:
    """The 8 corner numbers of a ``BoundingPoly`` message, ``None`` without vertices.

    Its ``vertices`` where it has any, else its ``normalized_vertices``
    scaled by the page size; four kept as given, any other number replaced by
    their bounding box (:func:`~unocr.backends.gcv.tree.box_corners`).

    Args:
        poly: A message with the fields of ``BoundingPoly``.
        width: Page width in pixels.
        height: Page height in pixels.
    """
    verts = poly.vertices
    if len(verts):
        return box_corners([v.x for v in verts], [v.y for v in verts])
    norm = poly.normalized_vertices
    if len(norm):
        return box_corners([v.x * width for v in norm], [v.y * height for v in norm])
    return None


class _MessageWalk(Walk):
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
        found = polygon_corners(poly, self.width, self.height)
        if found is None:
            return -1
        self.raw.corners.extend(found)
        return len(self.raw.corners) // 8 - 1

    @staticmethod
    def language(element: Any, default: str | None) -> str | None:
        langs = element.property.detected_languages
        if len(langs):
            return detected_language(langs[0].language_code) or default
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
                        confidence(para.confidence),
                        plang,
                        self.words(para.words, plang),
                    )
                )
            self.raw.blocks.append(
                RawBlock(
                    self.shape(block.bounding_box) if by_block else -1,
                    confidence(block.confidence),
                    blang,
                    paragraphs,
                )
            )

    def words(self, words: Any, plang: str | None) -> list[RawWord]:
        """A paragraph's words: the hot loop of a dense page, inlined."""
        out: list[RawWord] = []
        keep = self.symbols
        shape = self.shape
        symbols_of = self.symbols_of
        breaks = self.breaks
        corners = self.raw.corners
        extend = corners.extend
        for word in words:
            langs = word.property.detected_languages
            wlang = plang
            if langs:
                wlang = detected_language(langs[0].language_code) or plang
            symbols = word.symbols
            syms: list[RawSymbol] = []
            if keep:
                text, syms, first, last = symbols_of(symbols, wlang)
            elif symbols:
                text = "".join([sym.text for sym in symbols])
                first, last = symbols[0].property, symbols[-1].property
            else:
                text, first, last = "", None, None
            box = word.bounding_box
            verts = box.vertices
            if len(verts) == 4:  # the usual case, inlined
                a, b, c, d = verts
                extend((a.x, a.y, b.x, b.y, c.x, c.y, d.x, d.y))
                wshape = (len(corners) >> 3) - 1
            else:
                wshape = shape(box)
            if wshape < 0:  # the box around its symbols
                if keep:
                    around = [s[1] for s in syms]
                else:
                    around = [shape(s.bounding_box) for s in symbols]
                wshape = self.raw.add_around([k for k in around if k >= 0])
            before, after = breaks(first, last)
            out.append(
                RawWord(
                    text,
                    wshape,
                    wconf
                    if 0.0 < (wconf := word.confidence) <= 1.0
                    else confidence(wconf),
                    wlang,
                    syms,
                    before,
                    after,
                )
            )
        return out

    def symbols_of(
        self, symbols: Any, wlang: str | None
    ) -> tuple[str, list[RawSymbol], Any, Any]:
        """A word's symbols: its text, those with a shape, first and last property."""
        corners = self.raw.corners
        extend = corners.extend
        shape = self.shape
        texts: list[str] = []
        syms: list[RawSymbol] = []
        first = last = None
        for sym in symbols:
            text = sym.text
            texts.append(text)
            last = sym.property
            if first is None:
                first = last
            verts = sym.bounding_box.vertices
            if len(verts) == 4:
                a, b, c, d = verts
                index = len(corners) >> 3
                extend((a.x, a.y, b.x, b.y, c.x, c.y, d.x, d.y))
            else:
                index = shape(sym.bounding_box)
                if index < 0:
                    continue
            conf = sym.confidence
            langs = last.detected_languages
            syms.append(
                (
                    text,
                    index,
                    conf if 0.0 < conf <= 1.0 else confidence(conf),
                    (detected_language(langs[0].language_code) or wlang)
                    if langs
                    else wlang,
                )
            )
        return "".join(texts), syms, first, last

    def breaks(self, first: Any, last: Any) -> tuple[str, str]:
        """``(before, after)`` of a word from its end symbols' properties."""
        if first is None:
            return "", "UNKNOWN"
        brk = first.detected_break
        kind = self.kind or self.break_field(brk)
        before = ""
        if brk.is_prefix:
            before = BREAKS[break_name(getattr(brk, kind))]
        brk = last.detected_break
        after = "UNKNOWN" if brk.is_prefix else break_name(getattr(brk, kind))
        return before, after

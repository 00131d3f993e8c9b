"""Read an ``AnnotateImageResponse`` protobuf message into the flat tree (pure).

The raw message (not its proto-plus wrapper) is walked field by field, without
importing its library and without copying it to a dict; unset fields read as
their empty defaults.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from unocr.backends.gcv.build import symbols_of
from unocr.backends.gcv.collector import collector_paused
from unocr.backends.gcv.tree import (
    BREAKS,
    BlockLevel,
    DeferredSymbols,
    RawBlock,
    RawPage,
    RawParagraph,
    RawSymbol,
    RawWord,
    Walk,
    break_name,
    check_one_page,
    confidence,
    detected_language,
)
from unocr.limits import MAX_COORDINATE
from unocr.model import Symbol
from unocr.model.elements import BuiltTogether

__all__ = ["PageSymbols", "read_message"]

#: Maps each byte to 1 where its high bit is set (a varint byte with more to come).
_HIGH_BIT = bytes(int(b >= 0x80) for b in range(256))


def read_message(
    message: Any,
    *,
    width: float,
    height: float,
    symbols: bool,
    regions: BlockLevel,
    defer: bool,
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
        defer: With ``symbols``, read each word's symbols only when its
            ``Word.symbols`` is first accessed (:class:`PageSymbols`); only
            their texts (the word's text) are read now. Only symbols whose
            reading cannot fail are deferred (see :func:`_all_small`).

    Returns:
        The flat tree.
    """
    raw = RawPage()
    pages = message.full_text_annotation.pages
    check_one_page(len(pages))
    if len(pages):
        walk = _MessageWalk(raw, width, height, symbols, regions)
        if symbols and defer:
            walk.deferred = PageSymbols(width, height)
            walk.exact = not _all_small(pages[0])
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


class _MessageWalk(Walk):
    """One pass over a page message; unset fields read as empty defaults."""

    #: google-cloud-vision's descriptor names the break's field "type_"
    #: (proto-plus avoids the builtin's name); protoc's own build, "type".
    kind = ""
    #: Where symbols are deferred: the page's :class:`PageSymbols`.
    deferred: PageSymbols | None = None
    #: Check each deferred symbol's coordinates (:func:`_all_small` is false).
    exact = False

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
        deferred = self.deferred
        exact = self.exact
        shape = self.shape
        corners = self.raw.corners
        extend = corners.extend
        for word in words:
            langs = word.property.detected_languages
            wlang = plang
            if langs:
                wlang = detected_language(langs[0].language_code) or plang
            symbols = word.symbols
            texts: list[str] = []
            syms: list[RawSymbol] | DeferredSymbols = []
            first = last = None
            if deferred is not None and symbols:
                # the texts now, the rest on first access: every symbol with
                # 4 (integer, so finite) vertices within unocr's coordinate
                # range reads later exactly as now
                four = True
                for sym in symbols:
                    texts.append(sym.text)
                    if four and len(sym.bounding_box.vertices) != 4:
                        four = False
                if four and exact:
                    four = _within_range(symbols)
                first, last = symbols[0].property, symbols[-1].property
                if four:
                    syms = deferred.add(word, wlang)
                else:
                    texts, syms, first, last = self.symbols_of(symbols, wlang)
            elif keep:
                texts, syms, first, last = self.symbols_of(symbols, wlang)
            elif symbols:
                texts = [sym.text for sym in symbols]
                first, last = symbols[0].property, symbols[-1].property
            box = word.bounding_box
            verts = box.vertices
            if len(verts) == 4:  # the usual case, inlined
                a, b, c, d = verts
                extend((a.x, a.y, b.x, b.y, c.x, c.y, d.x, d.y))
                wshape = (len(corners) >> 3) - 1
            else:
                wshape = shape(box)
            if wshape < 0:  # the box around its symbols
                if type(syms) is list and keep:
                    around = [s[1] for s in syms]
                else:
                    around = [shape(s.bounding_box) for s in symbols]
                wshape = self.raw.add_around([k for k in around if k >= 0])
            before, after = self.breaks(first, last)
            out.append(
                RawWord(
                    "".join(texts),
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
    ) -> tuple[list[str], list[RawSymbol], Any, Any]:
        """A word's symbols: texts, those with a shape, first and last property."""
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
        return texts, syms, first, last

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


def _all_small(page: Any) -> bool:
    """Whether every integer of the page's message lies in ``[0, 2**28)``.

    Then every vertex coordinate does too, within
    :data:`unocr.limits.MAX_COORDINATE`, and no deferred symbol needs a
    check of its own.
    Decided from the message's wire form in one pass: a varint of an
    integer outside that range (an ``int32`` below 0 or from ``2**28``) is
    5 bytes or more, the first 4 with their high bit set. Such a run
    elsewhere (a text of several non-ASCII characters, a negative float)
    only sends the page to the exact check of each deferred symbol.

    Args:
        page: A ``TextAnnotation.Page`` message.

    Returns:
        ``True`` when no coordinate can be out of range.
    """
    wire: bytes = page.SerializeToString()
    return wire.translate(_HIGH_BIT).find(b"\x01\x01\x01\x01") < 0


def _within_range(symbols: Any) -> bool:
    """Whether every vertex of these symbols is within ``MAX_COORDINATE``."""
    for sym in symbols:
        for v in sym.bounding_box.vertices:
            if not (
                -MAX_COORDINATE <= v.x <= MAX_COORDINATE
                and -MAX_COORDINATE <= v.y <= MAX_COORDINATE
            ):
                return False
    return True


class PageSymbols(BuiltTogether[tuple[Symbol, ...]]):
    """The symbols of a page's words, read from the message on first access.

    Most readers of a page never look at its characters, which are three
    quarters of a dense page's elements. The walk keeps each word's message
    here instead of reading its symbols; the first access to any of the
    page's ``Word.symbols`` reads the symbols of all of them in one pass
    (their quads made canonical in one vectorised call, as an eager read
    does), under a lock, so every thread gets the same tuples
    (:class:`~unocr.model.elements.BuiltTogether`). The messages (and the
    response they belong to) are released then. Only words whose
    every symbol has 4 integer vertices within
    :data:`unocr.limits.MAX_COORDINATE` are deferred, so reading later
    cannot fail where reading now would not.

    Args:
        width: Page width in pixels (as the walk's).
        height: Page height in pixels.
    """

    __slots__ = ("_height", "_width", "_words")

    def __init__(self, width: float, height: float) -> None:
        super().__init__()
        self._width = width
        self._height = height
        self._words: list[tuple[Any, str | None]] = []

    def add(self, word: Any, language: str | None) -> DeferredSymbols:
        """Keep a word's message; what builds its symbols.

        Args:
            word: The word's ``TextAnnotation.Word`` message.
            language: The word's (own or inherited) language.

        Returns:
            A callable for :meth:`unocr.model.Word.from_checked`.
        """
        self._words.append((word, language))
        return partial(self.get, len(self._words) - 1)

    def _build(self) -> list[tuple[Symbol, ...]]:
        raw = RawPage()
        walk = _MessageWalk(raw, self._width, self._height, True, "paragraph")
        with collector_paused():  # thousands of objects, no cycle
            read = [walk.symbols_of(w.symbols, lang)[1] for w, lang in self._words]
            quads = raw.quads()
            built = [symbols_of(syms, quads) for syms in read]
        self._words = []  # release the messages
        return built

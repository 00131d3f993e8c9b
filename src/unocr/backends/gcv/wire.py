"""Read a ``TextAnnotation`` from its wire bytes into the flat tree (the fast path).

Reading a protobuf message field by field (:mod:`~unocr.backends.gcv.message`)
makes a Python object of every submessage it touches: a symbol's box alone is
six (the polygon, its vertex list, four vertices), and a dense page has over a
thousand symbols. Here the annotation's bytes are parsed again by the
protobuf runtime with a *flat schema*: the same messages and field numbers,
but every ``property`` and ``bounding_box`` declared ``bytes``. Walking that
message reads each of them as one bytes object; then

- the boxes of the whole page are decoded at once with numpy: a polygon of 4
  vertices, each with both coordinates, is 24 varints in a fixed pattern
  (``vertices`` tag, length, ``x`` tag, ``x``, ``y`` tag, ``y``), checked,
  lengths included, for every box in one vectorised pass; any other box (a
  coordinate of 0, which the API leaves out, other than 4 vertices,
  ``normalized_vertices``) is parsed alone with a ``BoundingPoly`` class, as
  :mod:`~unocr.backends.gcv.message` reads it;
- a ``property`` (detected languages and break) is parsed once per distinct
  value: most symbols of a page share a handful.

The symbols are kept column by column
(:class:`~unocr.backends.gcv.tree.SymbolColumns`), each word's a range of
them. The :class:`~unocr.backends.gcv.tree.RawPage` read builds the same
blocks as the one :func:`~unocr.backends.gcv.message.read_message` reads (a
Hypothesis test checks pages of every shape the schema allows, a fuzz target
mutated responses). Where this reader does not apply (no page, several pages, bytes
the flat schema refuses, a word without a box when symbols are not read) it
says so and the message reader is used.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import numpy.typing as npt

from unocr.backends.gcv.message import polygon_corners
from unocr.backends.gcv.tree import (
    BREAKS,
    BlockLevel,
    FloatArray,
    RawBlock,
    RawPage,
    RawParagraph,
    RawWord,
    SymbolColumns,
    box_corners,
    break_name,
    confidence,
    detected_language,
)

__all__ = ["read_wire"]

#: The varints of a regular box: per vertex, ``vertices`` tag (field 1,
#: length-delimited), length, ``x`` tag (field 1, varint), x, ``y`` tag, y.
_VERTEX_TAGS = (10, 8, 16)
#: A property as read: language code (or ``None``), break type, is prefix.
_Property = tuple["str | None", int, bool]
_NO_PROPERTY: _Property = (None, 0, False)
#: What :meth:`_Reader.walk` reads of a word: box index, confidence, property,
#: first symbol, end of its symbols.
_ReadWord = tuple[int, float, bytes, int, int]
#: Of a paragraph: box index (-1: not read), confidence, property, words.
_ReadParagraph = tuple[int, float, bytes, list[_ReadWord]]
#: Of a block: box index (-1: not read), confidence, property, paragraphs.
_ReadBlock = tuple[int, float, bytes, list[_ReadParagraph]]


#: The flat schema: per message, its fields ``(name, number, type)``, a type
#: being a scalar's name or a message's, ``[]`` after it for a repeated field.
#: Field numbers are those of ``google.cloud.vision.v1``; every ``property``
#: and ``bounding_box`` of the text annotation is ``bytes``.
_FLAT_SCHEMA: dict[str, tuple[tuple[str, int, str], ...]] = {
    "TextAnnotation": (("pages", 1, "Page[]"),),
    "Page": (("width", 2, "int32"), ("height", 3, "int32"), ("blocks", 4, "Block[]")),
    "Block": (("paragraphs", 3, "Paragraph[]"), ("confidence", 5, "float")),
    "Paragraph": (("words", 3, "Word[]"), ("confidence", 4, "float")),
    "Word": (("symbols", 3, "Symbol[]"), ("confidence", 4, "float")),
    "Symbol": (("text", 3, "string"), ("confidence", 4, "float")),
    # what a property and a box hold, for the values read one at a time
    "TextProperty": (
        ("detected_languages", 1, "DetectedLanguage[]"),
        ("detected_break", 2, "DetectedBreak"),
    ),
    "DetectedLanguage": (("language_code", 1, "string"),),
    "DetectedBreak": (("type", 1, "int32"), ("is_prefix", 2, "bool")),
    "BoundingPoly": (
        ("vertices", 1, "Vertex[]"),
        ("normalized_vertices", 2, "NormalizedVertex[]"),
    ),
    "Vertex": (("x", 1, "int32"), ("y", 2, "int32")),
    "NormalizedVertex": (("x", 1, "float"), ("y", 2, "float")),
}
#: The elements whose ``property`` (1) and ``bounding_box`` (2) are bytes.
_ELEMENTS = ("Block", "Paragraph", "Word", "Symbol")


@functools.cache
def _schema() -> tuple[Any, Any, Any]:
    """The flat schema's TextAnnotation, TextProperty and BoundingPoly classes."""
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

    field = descriptor_pb2.FieldDescriptorProto
    scalars = {
        "int32": field.TYPE_INT32,
        "float": field.TYPE_FLOAT,
        "bool": field.TYPE_BOOL,
        "string": field.TYPE_STRING,
        "bytes": field.TYPE_BYTES,
    }
    pkg = "unocr_gcv_flat"
    file = descriptor_pb2.FileDescriptorProto(
        name=f"{pkg}.proto", package=pkg, syntax="proto3"
    )
    for name, fields in _FLAT_SCHEMA.items():
        if name in _ELEMENTS:
            fields = (("property", 1, "bytes"), ("bounding_box", 2, "bytes"), *fields)
        message = file.message_type.add(name=name)
        for fname, number, kind in fields:
            base = kind.removesuffix("[]")
            added = message.field.add(
                name=fname,
                number=number,
                label=field.LABEL_REPEATED if kind != base else field.LABEL_OPTIONAL,
                type=scalars.get(base, field.TYPE_MESSAGE),
            )
            if base not in scalars:
                added.type_name = f".{pkg}.{base}"
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return tuple(
        message_factory.GetMessageClass(pool.FindMessageTypeByName(f"{pkg}.{name}"))
        for name in ("TextAnnotation", "TextProperty", "BoundingPoly")
    )


def read_wire(
    annotation: bytes,
    *,
    width: float,
    height: float,
    symbols: bool,
    regions: BlockLevel,
) -> RawPage | None:
    """Read a serialised ``TextAnnotation`` (a response's ``full_text_annotation``).

    Args:
        annotation: The message's wire bytes.
        width: Page width in pixels (scales ``normalized_vertices``).
        height: Page height in pixels.
        symbols: Read the symbols' geometry, confidence and language too.
        regions: The level whose geometry is read for blocks (as
            :func:`~unocr.backends.gcv.message.read_message`).

    Returns:
        The flat tree, as :func:`~unocr.backends.gcv.message.read_message`
        reads the message; ``None`` where this reader does not apply (see the
        module's notes), for the message reader to read it.
    """
    from google.protobuf.message import DecodeError

    annotation_type, _, _ = _schema()
    try:  # a property or box that does not parse: the message reader says why
        pages = annotation_type.FromString(annotation).pages
        if len(pages) != 1:
            return None
        return _Reader(width, height, symbols, regions).page(pages[0])
    except DecodeError:
        return None


class _Reader:
    """One page's walk: the messages first, then every box at once."""

    def __init__(
        self, width: float, height: float, symbols: bool, regions: BlockLevel
    ) -> None:
        self.width = width
        self.height = height
        self.symbols = symbols
        self.by_block = regions == "block"
        self.boxes: list[bytes] = []
        self.texts: list[str] = []
        self.symbol_properties: list[bytes] = []
        self.confidences: list[float] = []
        self.symbol_boxes: list[int] = []
        self.properties: dict[bytes, _Property] = {b"": _NO_PROPERTY}

    def page(self, page: Any) -> RawPage | None:
        """The page's flat tree, or ``None`` for the message reader to read it."""
        read = self.walk(page)
        corners, kinds = _decode(self.boxes)
        for k in np.flatnonzero(kinds == _IRREGULAR).tolist():
            kinds[k] = self.irregular(self.boxes[k], corners[k])
        return self.tree(read, corners, (kinds == _BOX).tolist())

    def walk(self, page: Any) -> list[_ReadBlock]:
        """Read every element's fields, its box and property as bytes.

        Returns:
            Per block: box index (-1 where not read), confidence, property
            and paragraphs; per paragraph the same, with words; per word:
            box index, confidence, property and the span of its symbols in
            :attr:`texts` (their properties in :attr:`symbol_properties`,
            confidences in :attr:`confidences`).
        """
        keep = self.symbols
        by_block = self.by_block
        boxes = self.boxes
        box = boxes.append
        texts = self.texts
        text = texts.append
        sprop = self.symbol_properties.append
        sconf = self.confidences.append
        sbox = self.symbol_boxes.append
        read: list[_ReadBlock] = []
        for block in page.blocks:
            paragraphs: list[_ReadParagraph] = []
            shape = -1
            if by_block:
                shape = len(boxes)
                box(block.bounding_box)
            for para in block.paragraphs:
                words: list[_ReadWord] = []
                pshape = -1
                if not by_block:
                    pshape = len(boxes)
                    box(para.bounding_box)
                for word in para.words:
                    wshape = len(boxes)
                    box(word.bounding_box)
                    first = len(texts)
                    for sym in word.symbols:
                        text(sym.text)
                        sprop(sym.property)
                        if keep:
                            sbox(len(boxes))
                            box(sym.bounding_box)
                            sconf(sym.confidence)
                    words.append(
                        (wshape, word.confidence, word.property, first, len(texts))
                    )
                paragraphs.append((pshape, para.confidence, para.property, words))
            read.append((shape, block.confidence, block.property, paragraphs))
        return read

    def tree(
        self, read: list[_ReadBlock], corners: FloatArray, has_box: list[bool]
    ) -> RawPage | None:
        """The flat tree of what :meth:`walk` read, its boxes decoded.

        Args:
            read: What :meth:`walk` returned.
            corners: ``(N, 8)`` corners of every box read.
            has_box: Per box read: whether it has corners.

        Returns:
            The tree, or ``None`` for a word without a box whose symbols'
            boxes were not read.
        """
        keep = self.symbols
        texts = self.texts
        sprops = self.symbol_properties
        raw = RawPage()
        extra: list[float] = []
        known = self.properties.get  # a miss (None) reads it: prop(...)
        prop = self.property
        if keep:
            raw.columns = self.columns(has_box)
            shapes = raw.columns.shapes
        for shape, conf, bprop, paragraphs in read:
            blang = prop(bprop)[0]
            raw_paragraphs: list[RawParagraph] = []
            for pshape, pconf, pprop, words in paragraphs:
                plang = prop(pprop)[0] or blang
                raw_words: list[RawWord] = []
                for wshape, wconf, wprop, first, end in words:
                    wlang = (known(wprop) or prop(wprop))[0] or plang
                    span = range(first, end)
                    if not has_box[wshape]:
                        if not keep:
                            return None  # its symbols' boxes were not read
                        around = [int(k) for k in shapes[first:end] if k >= 0]
                        wshape = _around(corners, around, len(has_box), extra)
                    before, after = "", "UNKNOWN"
                    if end > first:
                        _, kind, prefix = known(sprops[first]) or prop(sprops[first])
                        if prefix:
                            before = BREAKS[break_name(kind)]
                        last = sprops[end - 1]
                        _, kind, prefix = known(last) or prop(last)
                        if not prefix:
                            after = break_name(kind)
                    raw_words.append(
                        RawWord(
                            "".join(texts[first:end]),
                            wshape,
                            wconf if 0.0 < wconf <= 1.0 else confidence(wconf),
                            wlang,
                            span if keep else [],
                            before,
                            after,
                        )
                    )
                raw_paragraphs.append(
                    RawParagraph(
                        pshape if pshape < 0 or has_box[pshape] else -1,
                        confidence(pconf),
                        plang,
                        raw_words,
                    )
                )
            raw.blocks.append(
                RawBlock(
                    shape if shape < 0 or has_box[shape] else -1,
                    confidence(conf),
                    blang,
                    raw_paragraphs,
                )
            )
        raw.decoded = np.concatenate([corners.reshape(-1), extra]) if extra else corners
        return raw

    def columns(self, has_box: list[bool]) -> SymbolColumns:
        """The symbols read, one list per field, their shapes and values checked.

        Args:
            has_box: Per box read: whether it has corners.
        """
        boxes = np.asarray(self.symbol_boxes, dtype=np.int64)
        shapes = np.where(np.asarray(has_box, dtype=bool)[boxes], boxes, -1)
        # as tree.confidence: 0 and NaN are none (NaN here), the rest clipped
        c = np.asarray(self.confidences, dtype=np.float64)
        confidences = np.where((c == 0) | np.isnan(c), np.nan, np.clip(c, 0.0, 1.0))
        known = self.properties.get
        prop = self.property
        return SymbolColumns(
            self.texts,
            shapes.astype(np.int32),
            confidences,
            [(known(p) or prop(p))[0] for p in self.symbol_properties],
        )

    def property(self, data: bytes) -> _Property:
        """A property's language code, break type and prefix flag (cached per value)."""
        known = self.properties.get(data)
        if known is not None:
            return known
        _, property_type, _ = _schema()
        message = property_type.FromString(data)
        langs = message.detected_languages
        brk = message.detected_break
        value = (
            detected_language(langs[0].language_code) if len(langs) else None,
            brk.type,
            brk.is_prefix,
        )
        self.properties[data] = value
        return value

    def irregular(self, data: bytes, row: FloatArray) -> int:
        """Read a box that is not 4 full vertices alone, as the message reader does.

        Fills ``row`` with its 8 corner coordinates.

        Returns:
            :data:`_BOX`, or :data:`_NONE` for a box without vertices.
        """
        _, _, polygon_type = _schema()
        corners = polygon_corners(
            polygon_type.FromString(data), self.width, self.height
        )
        if corners is None:
            return _NONE
        row[:] = corners
        return _BOX


#: What :func:`_decode` found of each box.
_NONE, _BOX, _IRREGULAR = 0, 1, 2
#: One of those per box.
Kinds = npt.NDArray[np.int8]


#: The longest regular box: 4 vertices of tag, length, and two tagged
#: 10-byte varints. Longer boxes are read alone.
_LONGEST = 4 * (2 + 2 * 11)
#: Boxes decoded per vectorised pass: its temporary arrays take about 50
#: bytes per byte of boxes, so at most some 20 MB.
_CHUNK = 4096


def _decode(boxes: list[bytes]) -> tuple[FloatArray, Kinds]:
    """Decode every regular box at once.

    Args:
        boxes: ``BoundingPoly`` wire bytes, one per element (empty: no box).

    Returns:
        ``(N, 8)`` float64 corners ``x0, y0, ..., x3, y3`` (filled for regular
        boxes) and ``(N,)`` int8 kinds: :data:`_NONE` (empty), :data:`_BOX`
        (decoded) or :data:`_IRREGULAR` (to read alone).
    """
    short = [b if len(b) <= _LONGEST else b"" for b in boxes]
    parts = [_decode_chunk(short[k : k + _CHUNK]) for k in range(0, len(short), _CHUNK)]
    if not parts:
        return np.zeros((0, 8), dtype=np.float64), np.zeros(0, dtype=np.int8)
    corners = np.concatenate([p[0] for p in parts])
    kinds = np.concatenate([p[1] for p in parts])
    lengths = np.fromiter(map(len, boxes), dtype=np.int64, count=len(boxes))
    kinds[lengths > _LONGEST] = _IRREGULAR
    return corners, kinds


def _decode_chunk(boxes: list[bytes]) -> tuple[FloatArray, Kinds]:
    """:func:`_decode` of boxes of at most :data:`_LONGEST` bytes each."""
    n = len(boxes)
    corners = np.zeros((n, 8), dtype=np.float64)
    lengths = np.fromiter(map(len, boxes), dtype=np.int64, count=n)
    kinds = np.where(lengths > 0, _IRREGULAR, _NONE).astype(np.int8)
    data = np.frombuffer(b"".join(boxes), dtype=np.uint8)
    if not data.size or data[-1] >= 0x80:
        return corners, kinds  # nothing, or a varint cut off: each read alone
    last = data < 0x80  # the last byte of a varint
    starts = np.flatnonzero(np.concatenate(([True], last[:-1])))
    owner = np.cumsum(np.concatenate(([0], last[:-1])))  # varint of each byte
    shift = (np.arange(data.size) - starts[owner]) * 7
    if shift.max() >= 64:
        return corners, kinds  # a varint of over 10 bytes: each read alone
    values = np.add.reduceat(
        (data & 0x7F).astype(np.uint64) << shift.astype(np.uint64), starts
    ).view(np.int64)
    ends = np.cumsum(lengths)
    first = np.searchsorted(starts, ends - lengths)
    count = np.searchsorted(starts, ends) - first
    # 24 varints, the box's last byte ending one (no varint runs into the next box)
    candidate = np.flatnonzero(
        (count == 24) & last[np.maximum(ends - 1, 0)] & (lengths > 0)
    )
    if not candidate.size:
        return corners, kinds
    vertex = first[candidate][:, None] + np.arange(0, 24, 6)  # (K, 4) tags
    v = values[vertex[:, :, None] + np.arange(6)]  # (K, 4, 6)
    bounds = np.append(starts, data.size)
    x, y = v[:, :, 3], v[:, :, 5]
    regular = (
        (v[:, :, 0] == _VERTEX_TAGS[0])
        & (v[:, :, 2] == _VERTEX_TAGS[1])
        & (v[:, :, 4] == _VERTEX_TAGS[2])
        # the vertex's length: the bytes from its x tag to the next vertex
        & (v[:, :, 1] == bounds[vertex + 6] - bounds[vertex + 2])
        & (x >= -(2**31))
        & (x < 2**31)
        & (y >= -(2**31))
        & (y < 2**31)
    ).all(axis=1)
    good = candidate[regular]
    corners[good, 0::2] = x[regular]
    corners[good, 1::2] = y[regular]
    kinds[good] = _BOX
    return corners, kinds


def _around(
    corners: FloatArray, shapes: list[int], base: int, extra: list[float]
) -> int:
    """Add the box around decoded shapes to ``extra``; its index (-1 if none).

    As :meth:`~unocr.backends.gcv.tree.RawPage.add_around`: one shape's
    corners as they are, the bounding box of several.
    """
    if not shapes:
        return -1
    rows = corners[shapes]
    extra.extend(
        box_corners(rows[:, 0::2].ravel().tolist(), rows[:, 1::2].ravel().tolist())
    )
    return base + len(extra) // 8 - 1

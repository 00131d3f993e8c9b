"""Read Cloud Vision answers from their wire bytes into the flat tree (the fast path).

Reading a protobuf message field by field (:mod:`~unocr.backends.gcv.message`)
makes a Python object of every submessage it touches: a symbol's box alone is
six (the polygon, its vertex list, four vertices), and a dense page has over a
thousand symbols. Here the bytes (a batch response as the server sent it:
:func:`read_batch`, :func:`read_head`; or a message's text annotation,
serialised: :func:`read_wire`) are parsed by the protobuf runtime with a
*flat schema*: the same messages and field numbers, reading only an answer's
error status and text annotation, every ``property`` and ``bounding_box``
declared ``bytes``, a word's symbols kept as their wire records. Walking that
message reads blocks, paragraphs and words; then, for the whole page at once,
with numpy:

- the symbols' records are read a field at a time, all in step, as the API
  writes them (each field at most once, in field order): texts joined and
  decoded once, each symbol's checked to be UTF-8 on its own; confidences;
  each distinct ``property`` (languages and break) parsed once, and
  remembered across pages;
- every box is decoded a vertex at a time (where each of its 4 vertices
  starts, then every ``x`` and ``y``, a byte a step, lengths checked); any
  other box (a coordinate of 0, which the API leaves out, other than 4
  vertices, ``normalized_vertices``) is parsed alone with a ``BoundingPoly``
  class, as :mod:`~unocr.backends.gcv.message` reads it;
- the words are kept as columns (:class:`~unocr.backends.gcv.tree.WordColumns`)
  and the symbols too (:class:`~unocr.backends.gcv.tree.SymbolColumns`), each
  word's a range of them.

The :class:`~unocr.backends.gcv.tree.RawPage` read builds the same blocks as
the one :func:`~unocr.backends.gcv.message.read_message` reads (Hypothesis
tests check pages of every shape the schema allows, a fuzz target mutated
responses). Where this reader does not apply (no page, several pages, bytes
the flat schema refuses, a symbol written otherwise than the API writes it, a
word without a box when symbols are not read) it says so and the message
reader is used.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from unocr.backends.gcv.message import polygon_corners
from unocr.backends.gcv.tree import (
    BREAKS,
    BlockLevel,
    FloatArray,
    RawPage,
    Region,
    SymbolColumns,
    WordColumns,
    box_corners,
    break_name,
    detected_language,
)

__all__ = ["read_batch", "read_head", "read_page", "read_wire"]

#: The varints of a regular box: per vertex, ``vertices`` tag (field 1,
#: length-delimited), length, ``x`` tag (field 1, varint), x, ``y`` tag, y.
_VERTEX_TAGS = (10, 8, 16)
#: A property as read: language code (or ``None``), break type, is prefix.
_Property = tuple["str | None", int, bool]
_NO_PROPERTY: _Property = (None, 0, False)
#: What :meth:`_Reader.walk` reads of a word: confidence, property, first
#: symbol (an index of :attr:`_Reader.records`).
_ReadWord = tuple[float, bytes, int]
#: Of a paragraph or block: box index (-1: not read), confidence, property,
#: end of its words (of a paragraph) or paragraphs (of a block).
_ReadRegion = tuple[int, float, bytes, int]
#: Blocks, paragraphs, words.
_Read = tuple[list[_ReadRegion], list[_ReadRegion], list[_ReadWord]]


#: The flat schema: per message, its fields ``(name, number, type)``, a type
#: being a scalar's name or a message's, ``[]`` after it for a repeated field.
#: Field numbers are those of ``google.cloud.vision.v1``; every ``property``
#: and ``bounding_box`` of the text annotation is ``bytes``.
_FLAT_SCHEMA: dict[str, tuple[tuple[str, int, str], ...]] = {
    # a batch response: each image's answer as bytes, read one at a time
    "BatchAnnotateImagesResponse": (("responses", 1, "bytes[]"),),
    # of an image's answer, what the fast path reads; the rest stays unread
    "AnnotateImageResponse": (
        ("error", 9, "Status"),
        ("full_text_annotation", 12, "TextAnnotation"),
    ),
    "Status": (("code", 1, "int32"), ("message", 2, "string")),
    "TextAnnotation": (("pages", 1, "Page[]"),),
    "Page": (("width", 2, "int32"), ("height", 3, "int32"), ("blocks", 4, "Block[]")),
    "Block": (("paragraphs", 3, "Paragraph[]"), ("confidence", 5, "float")),
    "Paragraph": (("words", 3, "Word[]"), ("confidence", 4, "float")),
    # a symbol: one record, read with the others (_scan_symbols)
    "Word": (("symbols", 3, "bytes[]"), ("confidence", 4, "float")),
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
_ELEMENTS = ("Block", "Paragraph", "Word")


@functools.cache
def _schema() -> dict[str, Any]:
    """The flat schema's message classes by name."""
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
    found = pool.FindMessageTypeByName
    return {
        name: message_factory.GetMessageClass(found(f"{pkg}.{name}"))
        for name in _FLAT_SCHEMA
    }


def read_batch(data: bytes) -> list[bytes] | None:
    """Each image's answer of a ``BatchAnnotateImagesResponse``, as wire bytes.

    Args:
        data: The batch response's wire bytes (as the server sent them).

    Returns:
        One ``AnnotateImageResponse`` per image, in request order; ``None``
        where the bytes are no protobuf message.
    """
    from google.protobuf.message import DecodeError

    try:
        return list(_schema()["BatchAnnotateImagesResponse"].FromString(data).responses)
    except DecodeError:
        return None


def read_head(data: bytes) -> Any | None:
    """An ``AnnotateImageResponse``'s error status and text annotation, flat.

    Args:
        data: The answer's wire bytes.

    Returns:
        A message of the flat schema with ``error`` (``code``, ``message``)
        and ``full_text_annotation`` (for :func:`read_page`), the answer's
        other fields left unread; ``None`` where the flat schema refuses the
        bytes (the real message says why).
    """
    from google.protobuf.message import DecodeError

    try:
        return _schema()["AnnotateImageResponse"].FromString(data)
    except DecodeError:
        return None


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

    try:  # a property or box that does not parse: the message reader says why
        pages = _schema()["TextAnnotation"].FromString(annotation).pages
    except DecodeError:
        return None
    if len(pages) != 1:
        return None
    return read_page(
        pages[0], width=width, height=height, symbols=symbols, regions=regions
    )


def read_page(
    page: Any, *, width: float, height: float, symbols: bool, regions: BlockLevel
) -> RawPage | None:
    """:func:`read_wire` of the one page of a flat ``TextAnnotation``.

    Args:
        page: ``pages[0]`` of a ``TextAnnotation`` of the flat schema (of
            :func:`read_head`'s ``full_text_annotation``).
        width: Page width in pixels.
        height: Page height in pixels.
        symbols: Read the symbols' geometry, confidence and language too.
        regions: The level whose geometry is read for blocks.

    Returns:
        As :func:`read_wire`.
    """
    from google.protobuf.message import DecodeError

    try:
        return _Reader(width, height, symbols, regions).page(page)
    except DecodeError:
        return None


class _Reader:
    """One page's walk: the messages first, then every symbol and box at once."""

    def __init__(
        self, width: float, height: float, symbols: bool, regions: BlockLevel
    ) -> None:
        self.width = width
        self.height = height
        self.symbols = symbols
        self.by_block = regions == "block"
        self.boxes: list[bytes] = []
        self.records: list[bytes] = []

    def page(self, page: Any) -> RawPage | None:
        """The page's flat tree, or ``None`` for the message reader to read it."""
        read = self.walk(page)
        scanned = _scan_symbols(self.records)
        if scanned is None:
            return None
        data, lengths = _joined(self.boxes)
        if self.symbols:  # the symbols' boxes after the elements'
            data = np.concatenate([data, scanned.boxes()])
            lengths = np.concatenate([lengths, scanned.box_lengths])
        corners, kinds = _decode_joined(data, lengths)
        ends = np.cumsum(lengths).tolist()
        for k in np.flatnonzero(kinds == _IRREGULAR).tolist():
            box = data[ends[k] - int(lengths[k]) : ends[k]].tobytes()
            kinds[k] = self.irregular(box, corners[k])
        return self.tree(read, scanned, corners, kinds == _BOX)

    def walk(self, page: Any) -> _Read:
        """Read every element's fields, its box and property as bytes.

        Returns:
            Per block: box index among the regions' (-1 where not read),
            confidence, property and the end of its paragraphs; per
            paragraph the same, with the end of its words; per word:
            confidence, property and its first symbol's record in
            :attr:`records`. :attr:`boxes` holds the words' boxes, then the
            regions'.
        """
        by_block = self.by_block
        regions: list[bytes] = []
        region = regions.append
        boxes: list[bytes] = []
        box = boxes.append
        records = self.records
        add = records.extend
        blocks: list[_ReadRegion] = []
        paragraphs: list[_ReadRegion] = []
        words: list[_ReadWord] = []
        word = words.append
        for block in page.blocks:
            shape = -1
            if by_block:
                shape = len(regions)
                region(block.bounding_box)
            for para in block.paragraphs:
                pshape = -1
                if not by_block:
                    pshape = len(regions)
                    region(para.bounding_box)
                for w in para.words:
                    word((w.confidence, w.property, len(records)))
                    box(w.bounding_box)
                    add(w.symbols)
                paragraphs.append((pshape, para.confidence, para.property, len(words)))
            blocks.append((shape, block.confidence, block.property, len(paragraphs)))
        self.boxes = boxes + regions  # word k's box is k, region j's len(words) + j
        return blocks, paragraphs, words

    def tree(
        self,
        read: _Read,
        scanned: _Scanned,
        corners: FloatArray,
        has_box: npt.NDArray[np.bool_],
    ) -> RawPage | None:
        """The page read, its words as columns, its symbols and boxes decoded.

        Args:
            read: What :meth:`walk` returned.
            scanned: The symbols' fields (:func:`_scan_symbols`).
            corners: ``(N, 8)`` corners of every box read, the elements'
                first, then (where symbols are read) one per symbol.
            has_box: ``(N,)`` per box read: whether it has corners.

        Returns:
            The tree, or ``None`` for a word without a box whose symbols'
            boxes were not read.
        """
        blocks, paragraphs, words = read
        raw = RawPage()
        out = raw.words = WordColumns()
        count = len(scanned.which)
        confs, props, firsts = (
            (list(c) for c in zip(*words, strict=True)) if words else ([], [], [])
        )
        ends = [*firsts[1:], count] if firsts else []
        # each region's language, and each word's: its own, else its region's
        prop = _property
        bshapes, bconfs, bprops, bends = _columns_of(blocks)
        pshapes, pconfs, pprops, pends = _columns_of(paragraphs)
        blangs = [prop(p)[0] for p in bprops]
        plangs = [
            prop(p)[0] or blangs[b] for p, b in zip(pprops, _owners(bends), strict=True)
        ]
        langs = [
            prop(p)[0] or plangs[q] for p, q in zip(props, _owners(pends), strict=True)
        ]
        out.languages = langs
        base = len(words)  # the regions' boxes follow the words'
        out.paragraphs = _regions(pshapes, pconfs, plangs, pends, base, has_box)
        out.blocks = _regions(bshapes, bconfs, blangs, bends, base, has_box)
        bounds = scanned.bounds.tolist()
        text = scanned.text
        out.texts = [
            text[bounds[a] : bounds[b]] for a, b in zip(firsts, ends, strict=True)
        ]
        out.confidences = _confidences(confs)
        props = [_property(p) for p in scanned.properties]  # each distinct once
        out.before, out.after = _breaks(scanned, props, firsts, ends)
        keep = self.symbols
        out.symbols = (
            [range(a, b) for a, b in zip(firsts, ends, strict=True)]
            if keep
            else [range(0)] * len(words)
        )
        if keep:
            raw.columns = self.columns(scanned, props, has_box)
        extra: list[float] = []
        shapes = list(range(base))
        lacking = np.flatnonzero(~has_box[:base]).tolist()
        for k in lacking:
            if not keep:
                return None  # its symbols' boxes were not read
            assert raw.columns is not None
            around = [int(i) for i in raw.columns.shapes[firsts[k] : ends[k]] if i >= 0]
            shapes[k] = _around(corners, around, len(has_box), extra)
        out.shapes = shapes
        raw.decoded = np.concatenate([corners.reshape(-1), extra]) if extra else corners
        return raw

    def columns(
        self,
        scanned: _Scanned,
        props: list[_Property],
        has_box: npt.NDArray[np.bool_],
    ) -> SymbolColumns:
        """The symbols read, column by column, their shapes and values checked.

        Args:
            scanned: The symbols' fields (:func:`_scan_symbols`).
            props: What each of ``scanned.properties`` reads as.
            has_box: Per box read: whether it has corners; the symbols' boxes
                are the last ``len(scanned.which)``.
        """
        first = len(has_box) - len(scanned.which)
        boxes = np.arange(first, len(has_box), dtype=np.int32)
        shapes = np.where(has_box[first:], boxes, -1)
        return SymbolColumns(
            scanned.text,
            scanned.bounds,
            shapes.astype(np.int32),
            _confidence_array(scanned.confidences),
            [lang for lang, _, _ in props],
            scanned.which,
        )

    def irregular(self, data: bytes, row: FloatArray) -> int:
        """Read a box that is not 4 full vertices alone, as the message reader does.

        Fills ``row`` with its 8 corner coordinates.

        Returns:
            :data:`_BOX`, or :data:`_NONE` for a box without vertices.
        """
        polygon = _schema()["BoundingPoly"].FromString(data)
        corners = polygon_corners(polygon, self.width, self.height)
        if corners is None:
            return _NONE
        row[:] = corners
        return _BOX


@functools.lru_cache(maxsize=4096)
def _property(data: bytes) -> _Property:
    """A property's language code, break type and prefix flag.

    Cached per value: the symbols of a page, and of the pages after it, share
    a handful.
    """
    if not data:
        return _NO_PROPERTY
    message = _schema()["TextProperty"].FromString(data)
    langs = message.detected_languages
    brk = message.detected_break
    return (
        detected_language(langs[0].language_code) if len(langs) else None,
        brk.type,
        brk.is_prefix,
    )


def _columns_of(regions: list[_ReadRegion]) -> tuple[list[Any], ...]:
    """Regions as read, one list per field."""
    if not regions:
        return [], [], [], []
    return tuple(list(c) for c in zip(*regions, strict=True))


def _owners(ends: list[int]) -> list[int]:
    """Which region each item belongs to, the regions ending at ``ends``."""
    bounds = np.asarray([0, *ends], dtype=np.int64)
    counts = bounds[1:] - bounds[:-1]
    owners: list[int] = np.repeat(np.arange(len(ends)), counts).tolist()
    return owners


def _regions(
    shapes: list[int],
    confs: list[float],
    langs: list[str | None],
    ends: list[int],
    base: int,
    has_box: npt.NDArray[np.bool_],
) -> list[Region]:
    """Paragraphs or blocks as :class:`~unocr.backends.gcv.tree.WordColumns` hold them.

    Args:
        shapes: Each one's box index among the regions' (-1: not read).
        confs: Each one's confidence as sent.
        langs: Each one's language.
        ends: Where each one's words (or paragraphs) end.
        base: Where the regions' boxes start among the boxes read.
        has_box: ``(N,)`` per box read: whether it has corners.
    """
    return list(
        zip(
            _shapes(shapes, base, has_box),
            _confidences(confs),
            langs,
            ends,
            strict=True,
        )
    )


def _shapes(regions: list[int], base: int, has_box: npt.NDArray[np.bool_]) -> list[int]:
    """Regions' shape indices: ``base`` plus each as read, -1 without a box."""
    if not regions or not has_box.size:
        return [-1] * len(regions)
    read = np.asarray(regions, dtype=np.int64)
    shape = np.where(read >= 0, read + base, 0)
    kept: list[int] = np.where((read >= 0) & has_box[shape], shape, -1).tolist()
    return kept


def _confidence_array(values: FloatArray) -> FloatArray:
    """:func:`~unocr.backends.gcv.tree.confidence` of every value at once.

    Returns:
        The values in [0, 1] (clipped), NaN for none (0 and NaN: the API
        omits zeros).
    """
    kept: FloatArray = np.where(
        (values == 0) | np.isnan(values), np.nan, np.clip(values, 0.0, 1.0)
    )
    return kept


def _confidences(values: list[float]) -> list[float | None]:
    """:func:`_confidence_array` as a list, ``None`` for none."""
    kept = _confidence_array(np.asarray(values, dtype=np.float64)).tolist()
    return [None if v != v else v for v in kept]  # NaN: none


def _breaks(
    scanned: _Scanned, props: list[_Property], firsts: list[int], ends: list[int]
) -> tuple[list[str], list[str]]:
    """Each word's break before it (prefix) and after it, from its symbols'.

    Args:
        scanned: The page's symbols.
        props: What each of ``scanned.properties`` reads as.
        firsts: Each word's first symbol.
        ends: The end (exclusive) of each word's symbols.

    Returns:
        The text a prefix break of its first symbol puts before each word
        (``""`` for none), and the name of the break after its last.
    """
    before = [BREAKS[break_name(k)] if pre else "" for _, k, pre in props]
    after = ["UNKNOWN" if pre else break_name(k) for _, k, pre in props]
    before.append("")  # a word without symbols
    after.append("UNKNOWN")
    if not firsts:
        return [], []
    first, end = np.asarray(firsts), np.asarray(ends)
    which = np.append(scanned.which, len(before) - 1)  # the last: none
    none = len(which) - 1
    empty = end == first
    at_first = which[np.where(empty, none, first)].tolist()
    at_last = which[np.where(empty, none, end - 1)].tolist()
    return [before[k] for k in at_first], [after[k] for k in at_last]


# --- the symbols, read at once ----------------------------------------------

#: The tags of a symbol's fields as the API writes them, in field order:
#: ``property`` (1), ``bounding_box`` (2), ``text`` (3), all length-delimited.
_SYMBOL_TAGS = (0x0A, 0x12, 0x1A)
#: The tag of its ``confidence`` (field 4, 32-bit).
_CONFIDENCE_TAG = 0x25
#: Integer arrays of offsets and lengths.
IntArray = npt.NDArray[np.int64]


@dataclass(slots=True)
class _Scanned:
    """A page's symbols as :func:`_scan_symbols` read them.

    Attributes:
        text: Every symbol's text, joined in reading order.
        bounds: ``(N + 1,)`` offsets of each symbol's text in :attr:`text`
            (characters), and its end.
        confidences: ``(N,)`` confidences as sent (0 where absent).
        properties: The distinct ``property`` values (wire bytes; ``b""``
            for none).
        which: ``(N,)`` index of each symbol's property in :attr:`properties`.
        data: The records, back to back (and padding).
        box_starts: ``(N,)`` where each symbol's ``bounding_box`` starts in
            :attr:`data`.
        box_lengths: ``(N,)`` their lengths (0: no box).
    """

    text: str
    bounds: IntArray
    confidences: FloatArray
    properties: list[bytes]
    which: npt.NDArray[np.intp]
    data: npt.NDArray[np.uint8]
    box_starts: IntArray
    box_lengths: IntArray

    def boxes(self) -> npt.NDArray[np.uint8]:
        """Every symbol's ``bounding_box`` bytes, back to back."""
        return self.data[_spans(self.box_starts, self.box_lengths)]


def _scan_symbols(records: list[bytes]) -> _Scanned | None:
    """Read every symbol's fields from its wire record at once.

    A record as the API writes it holds each field at most once, in field
    order, with lengths of one or two bytes: ``0a`` property, ``12`` box,
    ``1a`` text, ``25`` confidence, each optional. All records are read in
    step, one field a step.

    Args:
        records: Every ``Symbol`` message of the page, as wire bytes.

    Returns:
        The fields; ``None`` where a record is written otherwise (unknown or
        repeated fields, other order, longer lengths) or a text is not
        UTF-8, for the message reader to read the page.
    """
    n = len(records)
    lengths = np.fromiter(map(len, records), dtype=np.int64, count=n)
    data = np.frombuffer(b"".join(records) + bytes(8), dtype=np.uint8)
    ends = np.cumsum(lengths)
    pos = ends - lengths
    limit = data.size - 4  # the padding keeps every read below in the buffer
    found: list[tuple[IntArray, IntArray]] = []
    bad = np.zeros(n, dtype=bool)
    for tag in _SYMBOL_TAGS:
        here = (pos < ends) & (data[pos] == tag)
        low = data[pos + 1].astype(np.int64)
        two = low >= 0x80  # a length of two bytes
        high = data[pos + 2].astype(np.int64)
        bad |= here & two & (high >= 0x80)
        size = np.where(here, np.where(two, (low & 0x7F) | (high << 7), low), 0)
        start = pos + 2 + two
        found.append((start, size))
        pos = np.where(here, np.minimum(start + size, limit), pos)
    here = (pos < ends) & (data[pos] == _CONFIDENCE_TAG)
    at = np.where(here, pos + 1, -1)
    pos = np.where(here, pos + 5, pos)
    if bad.any() or (pos != ends).any():
        return None
    confidences = np.zeros(n, dtype=np.float64)
    if here.any():
        values = data[at[here, None] + np.arange(4)].copy().view("<f4")
        confidences[here] = values.ravel()
    text = _texts(data, *found[2])
    if text is None:
        return None
    properties, which = _distinct(data, *found[0])
    return _Scanned(text[0], text[1], confidences, properties, which, data, *found[1])


def _spans(starts: IntArray, lengths: IntArray) -> IntArray:
    """The indices of ``lengths[i]`` items from each ``starts[i]``, in order."""
    total = int(lengths.sum())
    offsets = np.cumsum(lengths) - lengths
    spans: IntArray = np.arange(total, dtype=np.int64)
    spans += np.repeat(starts - offsets, lengths)
    return spans


def _texts(
    data: npt.NDArray[np.uint8], starts: IntArray, lengths: IntArray
) -> tuple[str, IntArray] | None:
    """The symbols' texts joined, and each one's offset in characters.

    Returns:
        The text and ``(N + 1,)`` offsets; ``None`` where a symbol's text is
        not UTF-8 on its own.
    """
    joined = data[_spans(starts, lengths)]
    bounds = np.concatenate(([0], np.cumsum(lengths)))
    raw = joined.tobytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(text) == len(raw):  # ASCII: characters are bytes
        return text, bounds
    # each symbol's text is UTF-8 alone if each starts a character
    begins = np.append((joined & 0xC0) != 0x80, True)
    if not begins[bounds].all():
        return None
    return text, np.concatenate(([0], np.cumsum(begins[:-1])))[bounds]


def _distinct(
    data: npt.NDArray[np.uint8], starts: IntArray, lengths: IntArray
) -> tuple[list[bytes], npt.NDArray[np.intp]]:
    """The distinct values of byte spans, and which is each's.

    Returns:
        The distinct values (bytes) and ``(N,)`` the index of each span's.
    """
    width = int(lengths.max(initial=0)) + 2  # its length first (2 bytes)
    rows = np.zeros((len(starts), width), dtype=np.uint8)
    rows[:, 0] = lengths & 0xFF
    rows[:, 1] = lengths >> 8
    columns = np.arange(width - 2)
    inside = columns < lengths[:, None]
    rows[:, 2:][inside] = data[(starts[:, None] + columns)[inside]]
    keys = np.ascontiguousarray(rows).view(f"V{width}").ravel()
    unique, which = np.unique(keys, return_inverse=True)
    values = [key[2 : 2 + (key[0] | key[1] << 8)] for key in unique.tolist()]
    return values, which.astype(np.intp)


#: What :func:`_decode_joined` found of each box.
_NONE, _BOX, _IRREGULAR = 0, 1, 2
#: One of those per box.
Kinds = npt.NDArray[np.int8]


#: The longest regular box: 4 vertices of tag, length, and two tagged
#: 10-byte varints. Longer boxes are read alone.
_LONGEST = 4 * (2 + 2 * 11)
#: Boxes decoded per vectorised pass: its temporary arrays take at most
#: about 400 bytes per box, so some 2 MB.
_CHUNK = 4096


def _joined(boxes: list[bytes]) -> tuple[npt.NDArray[np.uint8], IntArray]:
    """Byte strings back to back, and their lengths."""
    lengths = np.fromiter(map(len, boxes), dtype=np.int64, count=len(boxes))
    return np.frombuffer(b"".join(boxes), dtype=np.uint8), lengths


def _decode_joined(
    data: npt.NDArray[np.uint8], lengths: IntArray
) -> tuple[FloatArray, Kinds]:
    """Decode every regular box at once.

    Args:
        data: ``BoundingPoly`` wire bytes, one per element, back to back.
        lengths: ``(N,)`` their lengths (0: no box).

    Returns:
        ``(N, 8)`` float64 corners ``x0, y0, ..., x3, y3`` (filled for regular
        boxes) and ``(N,)`` int8 kinds: :data:`_NONE` (empty), :data:`_BOX`
        (decoded) or :data:`_IRREGULAR` (to read alone).
    """
    n = len(lengths)
    if not n:
        return np.zeros((0, 8), dtype=np.float64), np.zeros(0, dtype=np.int8)
    ends = np.cumsum(lengths).tolist()
    parts = []
    for k in range(0, n, _CHUNK):
        last = min(k + _CHUNK, n) - 1
        chunk = data[(ends[k - 1] if k else 0) : ends[last]]
        parts.append(_decode_chunk(chunk, lengths[k : last + 1]))
    corners = np.concatenate([p[0] for p in parts])
    kinds = np.concatenate([p[1] for p in parts])
    return corners, kinds


#: The shortest regular box: 4 vertices of tag, length, and two tagged
#: one-byte varints.
_SHORTEST = 4 * (2 + 2 * 2)
#: Room after the last box for the reads of one that runs past its end (a
#: zero ends every varint there).
_PAD = np.zeros(2 * _LONGEST, dtype=np.uint8)


def _decode_chunk(
    data: npt.NDArray[np.uint8], lengths: IntArray
) -> tuple[FloatArray, Kinds]:
    """:func:`_decode_joined` of at most :data:`_CHUNK` boxes.

    All boxes are read in step: first where each of a box's 4 vertices
    starts (``0a``, then its length), then every vertex at once (``08``, x,
    ``10``, y, ending where its length says).
    """
    n = len(lengths)
    corners = np.zeros((n, 8), dtype=np.float64)
    kinds = np.where(lengths > 0, _IRREGULAR, _NONE).astype(np.int8)
    ends = np.cumsum(lengths)
    candidate = np.flatnonzero((lengths >= _SHORTEST) & (lengths <= _LONGEST))
    if not candidate.size:
        return corners, kinds
    buf = np.concatenate([data, _PAD])
    at = (ends - lengths)[candidate]
    end = ends[candidate]
    regular = np.ones(candidate.size, dtype=bool)
    starts = np.empty((candidate.size, 4), dtype=np.int64)
    for k in range(4):
        size = buf[at + 1]
        regular &= (at < end) & (buf[at] == _VERTEX_TAGS[0]) & (size < 0x80)
        starts[:, k] = at
        at = np.minimum(at + 2 + size, end)  # past the end: not regular
    regular &= at == end
    vertex = starts.ravel()
    x, x_len = _varints(buf, vertex + 3)
    y_at = vertex + 4 + x_len
    y, y_len = _varints(buf, y_at)
    fits = (
        (buf[vertex + 2] == _VERTEX_TAGS[1])
        & (buf[y_at - 1] == _VERTEX_TAGS[2])
        # the vertex's length: its x tag, x, y tag and y, no more
        & (buf[vertex + 1] == 2 + x_len + y_len)
        & (x_len > 0)
        & (y_len > 0)
        & (x >= -(2**31))
        & (x < 2**31)
        & (y >= -(2**31))
        & (y < 2**31)
    )
    regular &= fits.reshape(-1, 4).all(axis=1)
    good = candidate[regular]
    corners[good] = np.stack([x, y], axis=1).reshape(-1, 8)[regular]
    kinds[good] = _BOX
    return corners, kinds


def _varints(buf: npt.NDArray[np.uint8], at: IntArray) -> tuple[IntArray, IntArray]:
    """The varints starting at ``at``: values (as int64) and lengths in bytes.

    Read a byte a step, all at once (coordinates take one to three).

    Returns:
        Values, and lengths: 0 for a varint of over 10 bytes, or of 10 whose
        last byte holds more than the 64th bit (no value: read alone).
    """
    byte = buf[at]
    values = (byte & 0x7F).astype(np.uint64)
    length = np.ones(at.size, dtype=np.int64)
    going = byte >= 0x80
    for j in range(1, 11):
        if not going.any():
            break
        if j == 10:  # an 11th byte: no varint
            length[going] = 0
            break
        byte = buf[at + j]
        part = (byte & 0x7F).astype(np.uint64) << np.uint64(7 * j)
        values += np.where(going, part, np.uint64(0))
        length += going
        going &= byte >= 0x80
    length[(length == 10) & (buf[at + 9] > 1)] = 0
    return values.view(np.int64), length


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

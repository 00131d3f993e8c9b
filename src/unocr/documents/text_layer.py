"""Words and boxes from a PDF page's own text layer (PDFium's text page).

PDFium marks line ends with generated line breaks (CR LF); words are split at
whitespace. PDFium sees no line break where text goes on to the next line in
one text object (Tesseract moves each line's first word back to the line's
start with ``Td``): a character also starts a new line where it starts a new
baseline (:func:`_starts_new_line`). In a PDF Tesseract wrote, each word is
stretched with its trailing space over the word's box, so that space ends
the word's box (see :func:`_tesseract_layer`).

A hyphen ending a line, where a word is broken across lines, has no line
break after it: PDFium reports it as code 0x02 (``FPDFText_IsHyphen``)
and goes on with the next line. It ends its line here, and is kept as ``-`` at
the end of the line's last word, as the page prints it.

Each character's box is its glyph's tight box, or its advance box (the font's
ascent to descent) where the glyph has no ink: spaces, and invisible text such
as the OCR layer of a searchable PDF, mapped from PDF user space to the
rendered page's pixels, so words line up with the rendered image. Only what
the rendered page shows is read: a character whose box lies wholly outside the
page's visible box (its CropBox within its MediaBox) is left out, and the box
of one cut by the page's edge is cut to the page, so a word running off the
page keeps the characters with some part on it.

The reading order comes from the text itself, not from PDFium's order, which
sorts text objects in a frame that turns with the page's ``/Rotate`` (on a
page shown turned, lines come bottom to top, or words and single-glyph objects
right to left). Each character's baseline (its text matrix, turned as the page
is shown) gives the direction its line runs in, or the direction across it for
letters stacked one below the other (vertical writing). PDFium may end a
line between text objects on one text line (words drawn each as its own
object, on a page turned 90 degrees): its lines of one direction that lie on
one text line, overlapping across it and at most a line height apart along
it, are joined. Characters and words are ordered along it, and lines follow
the page's reading order for the direction most characters run in
(:func:`unocr.model.layout.group_lines`).
Each word's characters are put in logical order by the word's own direction
(that of most of its letters, :func:`unocr._direction.is_rtl`), whatever
the line's: a word drawn under a mirrored text matrix (as Tesseract and
:func:`unocr.save_pdf` write right-to-left words) in the order it is drawn,
from its right end; any other word by the Unicode Bidirectional Algorithm
(UAX #9) with the word's direction for the paragraph's, digits and
punctuation taking the direction of the letters around them, and brackets
in a right-to-left run mirrored. The words of a line holding right-to-left
script are put in logical order as the page model orders words shown left
to right (a right-to-left line from its right end, a run of left-to-right
words in it from the run's left end).

PDFium itself reorders each line by a bidirectional rule of its own: it
reverses right-to-left runs, and the neutral characters after them, and
mirrors the brackets in them, so a left-to-right word's punctuation in a
right-to-left line is moved, or lands in the next word. Each line's
characters are first put back where the page draws them (that rule undone)
and only then split into words.

PDFium counts UTF-16 code units: a character beyond U+FFFF comes as its two
surrogate halves, which are joined into the one character; a half without
its partner becomes U+FFFD, the replacement character. A mirrored text
matrix (glyphs advancing leftwards, as Tesseract and :func:`unocr.save_pdf`
write right-to-left words) has its baseline the other way round, so its
glyphs stand upright.
"""

from __future__ import annotations

import ctypes
import math
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from unocr._direction import (
    MIRRORED,
    is_rtl,
    mostly_rtl,
    rtl_balance,
    rtl_order,
    visual_to_logical,
)
from unocr.geometry import Box, enclosing_box
from unocr.model import Line, Symbol, Word
from unocr.model.layout import group_lines

__all__ = ["lines_from_textpage"]

_LINE_BREAKS = frozenset("\r\n\u2028\u2029")
_RIGHT_TO_LEFT = frozenset(("R", "AL"))  # Unicode bidirectional classes
# PDFium's directions of characters in its own reordering of a line
_PDFIUM_LEFT, _PDFIUM_WEAK, _PDFIUM_RIGHT, _PDFIUM_NEUTRAL = range(4)
_PDFIUM_WEAK_CLASSES = frozenset(("AN", "EN", "NSM", "CS", "ES", "ET", "BN"))

_INVISIBLE = 3  # text render mode 3: neither filled nor stroked (OCR layers)
_LINE_END_HYPHEN = 0x02  # PDFium's code for a hyphen that ends a line
_HIGH_HALF, _LOW_HALF = (0xD800, 0xDBFF), (0xDC00, 0xDFFF)  # UTF-16 surrogates
_REPLACEMENT = 0xFFFD
# Runs on one text line (:func:`_one_line`): their directions' cosine at
# least this (8 degrees apart), their extents across the line overlapping by
# this share of the line height, the gap along it at most this many line
# heights, or their overlap along it less than this many.
_SAME_DIRECTION = 0.99
_ACROSS_SHARE = 0.5
_LINE_GAP = 1.0
_ALONG_OVERLAP = 0.5
# Text layers whose words are stretched over their boxes with their trailing
# space: Tesseract's PDF renderer (its Producer) and OCRmyPDF's, which grafts
# Tesseract's layer onto the page (its Creator).
_TESSERACT_PRODUCER = "Tesseract"
_TESSERACT_CREATOR = "Tesseract OCR-PDF"

ToPixels = Callable[[float, float], tuple[float, float]]
Vector = tuple[float, float]
Char = tuple[Symbol, bool]  # a character and whether its text matrix is mirrored
_T = TypeVar("_T")


def _invisible(raw: Any, handle: Any, index: int) -> bool:
    obj = raw.FPDFText_GetTextObject(handle, index)
    return bool(obj) and raw.FPDFTextObj_GetTextRenderMode(obj) == _INVISIBLE


def _text_object(raw: Any, handle: Any, index: int) -> int | None:
    """The address of the text object a character belongs to, if any."""
    obj = raw.FPDFText_GetTextObject(handle, index)
    return ctypes.cast(obj, ctypes.c_void_p).value if obj else None


def _tesseract_layer(textpage: Any) -> bool:
    """Whether the page's document was written by Tesseract's PDF renderer.

    Its Producer starts with ``Tesseract`` (``Tesseract 5.3.0``), or its
    Creator names Tesseract's PDF renderer (``ocrmypdf 15.2.0 / Tesseract
    OCR-PDF 5.3.4``: OCRmyPDF's sandwich renderer grafts Tesseract's layer).
    """
    document = textpage.page.pdf
    producer = str(document.get_metadata_value("Producer") or "")
    creator = str(document.get_metadata_value("Creator") or "")
    return (
        producer.strip().startswith(_TESSERACT_PRODUCER)
        or _TESSERACT_CREATOR in creator
    )


def _pixel_box(to_pixels: ToPixels, rect: Sequence[float]) -> Box:
    """A PDF rectangle (left, bottom, right, top) as a box in pixels."""
    return Box(*_pixel_rect(to_pixels, rect))


def _char_box(
    textpage: Any, index: int, to_pixels: ToPixels, loose: bool, page: Box
) -> Box | None:
    """A character's box, cut to the rendered ``page``; ``None`` if not on it."""
    rect = textpage.get_charbox(index, loose=loose)
    if not (rect[2] > rect[0] and rect[3] > rect[1]):
        rect = textpage.get_charbox(index, loose=True)
        if not (rect[2] > rect[0] and rect[3] > rect[1]):
            return None
    box = _pixel_box(to_pixels, rect)
    x0, y0 = max(box.x0, page.x0), max(box.y0, page.y0)
    x1, y1 = min(box.x1, page.x1), min(box.y1, page.y1)
    return Box(x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _baseline(raw: Any, handle: Any, index: int, to_pixels: ToPixels) -> Vector:
    """Unit vector along a character's baseline, in the rendered page's pixels.

    A mirrored text matrix (negative determinant) draws glyphs leftwards of
    their origin, as right-to-left text is written (by Tesseract and
    :func:`unocr.save_pdf`): its glyphs stand upright and the baseline runs
    against the matrix's x axis.
    """
    m = raw.FS_MATRIX()
    a, b = 1.0, 0.0
    if raw.FPDFText_GetMatrix(handle, index, m):
        a, b = float(m.a), float(m.b)
        if m.a * m.d - m.b * m.c < 0:
            a, b = -a, -b
    x0, y0 = to_pixels(0.0, 0.0)
    x1, y1 = to_pixels(float(a), float(b))
    norm = math.hypot(x1 - x0, y1 - y0)
    return ((x1 - x0) / norm, (y1 - y0) / norm) if norm > 0 else (1.0, 0.0)


def _mirrored(raw: Any, handle: Any, index: int) -> bool:
    """Whether a character's text matrix is mirrored (drawn leftwards)."""
    m = raw.FS_MATRIX()
    return bool(raw.FPDFText_GetMatrix(handle, index, m)) and (
        m.a * m.d - m.b * m.c < 0
    )


def _along(symbols: Sequence[Symbol], direction: Vector) -> list[float]:
    """Each symbol's centre projected on ``direction``."""
    out = []
    for s in symbols:
        b = s.geometry.bounds
        out.append(((b.x0 + b.x1) * direction[0] + (b.y0 + b.y1) * direction[1]) / 2)
    return out


#: A box as its corners' coordinates (x0, y0, x1, y1), pixels: what the line
#: test needs of every character, without building a checked :class:`Box`.
Rect = tuple[float, float, float, float]


def _box_span(box: Box | Rect, direction: Vector) -> tuple[float, float]:
    """The extent (lowest, highest) of a box along ``direction``."""
    x0, y0, x1, y1 = (box.x0, box.y0, box.x1, box.y1) if isinstance(box, Box) else box
    ax, bx = x0 * direction[0], x1 * direction[0]
    ay, by = y0 * direction[1], y1 * direction[1]
    return min(ax, bx) + min(ay, by), max(ax, bx) + max(ay, by)


def _pixel_rect(to_pixels: ToPixels, rect: Sequence[float]) -> Rect:
    """A PDF rectangle (left, bottom, right, top) as pixel corners (x0, y0, x1, y1)."""
    x0, y0 = to_pixels(rect[0], rect[1])
    x1, y1 = to_pixels(rect[2], rect[3])
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _starts_new_line(
    previous: Rect, box: Rect, baseline: Vector, centres: Sequence[float]
) -> bool:
    """Whether a character starts a new text line after a run's last one.

    PDFium ends its lines only where it sees a line break; text drawn as one
    text object, or as words moved to the next line's start (``Td``, as
    Tesseract writes a page), runs on. The run goes on where the character
    lies on its line: its extent across the run's baseline overlaps the
    previous character's by at least half the smaller one's (their advance
    boxes, font ascent to descent, so a superscript or a smaller word shares
    the line). In a column of letters stacked one below the other (vertical
    writing: the run's characters' centres spread further across its
    baseline than along it, by at least half a character), the run goes on
    where the character's extent along the baseline overlaps so instead (it
    stands in the column). After a single character, either does.

    Args:
        previous: The run's last character's advance box (pixels).
        box: The character's advance box (pixels).
        baseline: The run's baseline (unit vector, pixels).
        centres: The spread of the run's characters' centres: lowest and
            highest along the baseline, lowest and highest across it.
    """

    def shared(direction: Vector) -> bool:
        p_lo, p_hi = _box_span(previous, direction)
        b_lo, b_hi = _box_span(box, direction)
        overlap = min(p_hi, b_hi) - max(p_lo, b_lo)
        return overlap >= _ACROSS_SHARE * min(p_hi - p_lo, b_hi - b_lo)

    across = (-baseline[1], baseline[0])
    along_spread = centres[1] - centres[0]
    across_spread = centres[3] - centres[2]
    p_lo, p_hi = _box_span(previous, across)
    if across_spread > along_spread and across_spread >= _ACROSS_SHARE * (p_hi - p_lo):
        return not shared(baseline)
    if along_spread > 0:
        return not shared(across)
    return not (shared(across) or shared(baseline))


def _stretched(
    word: list[Char], end: float, direction: Vector, page: Box
) -> list[Char]:
    """A word's characters stretched along ``direction`` to reach ``end``.

    The word's start stays; its characters' boxes are scaled along
    ``direction`` about it so that its far end lies at ``end`` (a
    projection on ``direction``, pixels), and cut to the ``page``.
    """
    lo, hi = _span([s for s, _ in word], direction)
    if not hi > lo or not end > hi:
        return word
    factor = (end - lo) / (hi - lo)
    out: list[Char] = []
    for symbol, mirrored in word:
        b = symbol.geometry.bounds
        points = []
        for x, y in ((b.x0, b.y0), (b.x1, b.y0), (b.x0, b.y1), (b.x1, b.y1)):
            shift = (factor - 1.0) * (x * direction[0] + y * direction[1] - lo)
            points.append((x + shift * direction[0], y + shift * direction[1]))
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        x0, y0 = max(min(xs), page.x0), max(min(ys), page.y0)
        x1, y1 = min(max(xs), page.x1), min(max(ys), page.y1)
        box = Box(x0, y0, x1, y1) if x1 > x0 and y1 > y0 else b
        out.append((Symbol(text=symbol.text, geometry=box), mirrored))
    return out


def _sorted(items: Sequence[_T], keys: Sequence[float]) -> list[_T]:
    order = sorted(range(len(items)), key=keys.__getitem__)
    return [items[i] for i in order]


def _run_direction(symbols: Sequence[Symbol], baseline: Vector) -> Vector:
    """Along the baseline; across it (downwards) for letters stacked in a column."""
    across = (-baseline[1], baseline[0])  # turned 90 degrees clockwise on screen
    spans = [
        max(p) - min(p) for p in (_along(symbols, baseline), _along(symbols, across))
    ]
    return across if spans[1] > spans[0] else baseline


def _pdfium_direction(code: int) -> int:
    """A character's direction in PDFium's reordering of a line (``CFX_BidiChar``)."""
    if code > 0xFFFF:
        return _PDFIUM_LEFT  # PDFium sees its two UTF-16 halves, class L
    kind = unicodedata.bidirectional(chr(code))
    if kind == "L":
        return _PDFIUM_LEFT
    if kind in _PDFIUM_WEAK_CLASSES:
        return _PDFIUM_WEAK
    return _PDFIUM_RIGHT if kind in _RIGHT_TO_LEFT else _PDFIUM_NEUTRAL


def _as_drawn(codes: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """One of PDFium's lines with PDFium's reordering of it undone.

    PDFium cuts a line into runs of characters of one direction (left to
    right, weak: digits and separators, right to left, neutral); in a line
    with more right-to-left runs than left-to-right ones, it takes
    the runs from the last; it reverses each right-to-left run, and each
    neutral one that follows a right-to-left run, mirroring the brackets in
    it. Its runs are the runs of its output, so this is undone exactly.

    Args:
        codes: The line's characters (index, code point) in PDFium's order.

    Returns:
        The same characters, brackets unmirrored, in the order PDFium met
        them: along the line as drawn (each text object in its drawing order).
    """
    runs: list[list[tuple[int, int]]] = []
    directions: list[int] = []
    for item in codes:
        direction = _pdfium_direction(item[1])
        if runs and directions[-1] == direction:
            runs[-1].append(item)
        else:
            runs.append([item])
            directions.append(direction)
    right = directions.count(_PDFIUM_RIGHT)
    rtl = right > directions.count(_PDFIUM_LEFT)
    current = _PDFIUM_RIGHT if rtl else _PDFIUM_LEFT
    out: list[list[tuple[int, int]]] = []
    for run, direction in zip(runs, directions, strict=True):
        if direction == _PDFIUM_RIGHT or (
            direction == _PDFIUM_NEUTRAL and current == _PDFIUM_RIGHT
        ):
            current = _PDFIUM_RIGHT
            out.append(
                [(i, ord(MIRRORED.get(chr(c), chr(c)))) for i, c in reversed(run)]
            )
        else:
            if direction != _PDFIUM_WEAK:
                current = _PDFIUM_LEFT
            out.append(run)
    if rtl:
        out.reverse()
    return [item for run in out for item in run]


def _is_mark(text: str) -> bool:
    return len(text) == 1 and unicodedata.category(text) in ("Mn", "Me")


def _logical(word: Sequence[Char], direction: Vector) -> list[Symbol]:
    """A word's characters in logical order, by the word's own direction.

    Characters are taken as shown along ``direction``, each combining mark
    with the letter it stands on. A word drawn under a mirrored text matrix
    (most of its characters) is in logical order read from its right end, as
    drawn; any other word is put in logical order by the Unicode
    Bidirectional Algorithm (:func:`~unocr._direction.visual_to_logical`),
    brackets shown in a right-to-left run mirrored back.
    """
    symbols = [s for s, _ in word]
    along = _along(symbols, direction)
    bases = [i for i, s in enumerate(symbols) if not _is_mark(s.text)]
    if not bases:
        return _sorted(symbols, along)
    clusters: dict[int, list[int]] = {b: [b] for b in bases}
    for i, s in enumerate(symbols):
        if _is_mark(s.text):
            clusters[min(bases, key=lambda b: abs(along[b] - along[i]))].append(i)
    shown = _sorted(bases, [along[b] for b in bases])
    mirror = [False] * len(shown)
    if 2 * sum(m for _, m in word) > len(word):
        order = list(range(len(shown)))[::-1]
    else:
        text = "".join(s.text for s in symbols)
        order, levels = visual_to_logical(
            [symbols[b].text for b in shown], is_rtl(text)
        )
        mirror = [level % 2 == 1 for level in levels]
    out = []
    for k in order:
        for i in clusters[shown[k]]:
            s = symbols[i]
            if mirror[k] and s.text in MIRRORED:
                s = Symbol(text=MIRRORED[s.text], geometry=s.geometry)
            out.append(s)
    return out


def _line(words: list[list[Char]], direction: Vector) -> Line:
    """A line of the words, characters and words ordered along ``direction``.

    Each word's characters are put in logical order by the word's own
    direction (:func:`_logical`). In a line holding right-to-left script,
    the words are taken as shown along ``direction`` and put in logical
    order as the page model orders them (:func:`~unocr._direction.rtl_order`):
    PDFium's own order splits a run of left-to-right words ("New York") in a
    right-to-left line.
    """
    ordered = [_logical(word, direction) for word in words]
    middles = [sum(_along(word, direction)) / len(word) for word in ordered]
    ordered = _sorted(ordered, middles)
    text = "".join(s.text for word in ordered for s in word)
    if any(unicodedata.bidirectional(c) in _RIGHT_TO_LEFT for c in text):
        texts = ["".join(s.text for s in word) for word in ordered]
        balance = rtl_balance(texts)
        if balance is not None and mostly_rtl(balance):
            ordered = [ordered[i] for i in rtl_order(texts, balance)]
    return Line.from_words(
        [
            Word(
                text="".join(s.text for s in word),
                geometry=enclosing_box([s.geometry for s in word]),
                symbols=tuple(word),
            )
            for word in ordered
        ]
    )


def _span(symbols: Sequence[Symbol], direction: Vector) -> tuple[float, float]:
    """The extent (lowest, highest) of the symbols' boxes along ``direction``."""
    lo, hi = math.inf, -math.inf
    for s in symbols:
        low, high = _box_span(s.geometry.bounds, direction)
        lo, hi = min(lo, low), max(hi, high)
    return lo, hi


def _one_line(
    a: tuple[tuple[float, float], tuple[float, float]],
    b: tuple[tuple[float, float], tuple[float, float]],
) -> bool:
    """Whether two runs of one direction lie on one text line.

    The runs are on one line where their extents across it overlap by at
    least half the taller one's (the line height: a drop cap or a heading
    beside lines of text stays apart, and no run joins two lines), and the
    gap between them along it is at most one line height (a wider gap may be
    a column's gutter, :func:`~unocr.model.layout.group_lines`) and their
    overlap along it less than half of one.

    Args:
        a: One run's extent along its line and its extent across it
            (lowest, highest; pixels).
        b: The other run's, in the same frame.
    """
    (a_lo, a_hi), (a_low, a_high) = a
    (b_lo, b_hi), (b_low, b_high) = b
    height = max(a_high - a_low, b_high - b_low)
    overlap = min(a_high, b_high) - max(a_low, b_low)
    if height <= 0 or overlap < _ACROSS_SHARE * height:
        return False
    gap = max(b_lo - a_hi, a_lo - b_hi)
    return -_ALONG_OVERLAP * height < gap <= _LINE_GAP * height


def _merged(
    runs: list[tuple[list[list[Char]], Vector]],
) -> list[tuple[list[list[Char]], Vector]]:
    """PDFium's runs, those lying on one text line joined.

    PDFium may end a line between text objects that lie on one line (words
    drawn each as its own object on a page turned 90 degrees): runs of one
    direction (along their line, or down their column) that lie on one line
    (:func:`_one_line`) become one run, whatever PDFium's order of them.

    Args:
        runs: Each run's words and its first character's baseline (unit
            vector, pixels).

    Returns:
        Each text line's words and its direction (along it, unit vector).
    """
    items: list[tuple[list[list[Char]], Vector]] = []
    for words, baseline in runs:
        symbols = [s for word in words for s, _ in word]
        items.append((words, _run_direction(symbols, baseline)))
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # runs of one direction (within 8 degrees of the first one's), measured
    # in its frame, swept by where they start across their line
    directions: list[tuple[Vector, list[int]]] = []
    for i, (_, d) in enumerate(items):
        for first, members in directions:
            if d[0] * first[0] + d[1] * first[1] >= _SAME_DIRECTION:
                members.append(i)
                break
        else:
            directions.append((d, [i]))
    for d, members in directions:
        spans = {}
        for i in members:
            symbols = [s for word in items[i][0] for s, _ in word]
            spans[i] = (_span(symbols, d), _span(symbols, (-d[1], d[0])))
        order = sorted(members, key=lambda i: spans[i][1][0])
        for k, i in enumerate(order):
            for j in order[k + 1 :]:
                if spans[j][1][0] >= spans[i][1][1]:
                    break  # this run, and every later one, starts beyond run i
                if _one_line(spans[i], spans[j]):
                    parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    return [
        ([word for i in group for word in items[i][0]], items[group[0]][1])
        for group in sorted(groups.values())
    ]


def _reading_order(runs: list[tuple[list[list[Char]], Vector]]) -> list[Line]:
    """Lines of PDFium's runs, in reading order along the text's direction."""
    lines: list[Line] = []
    votes: Counter[int] = Counter()
    for words, direction in _merged(runs):
        symbols = [s for word in words for s, _ in word]
        lines.append(_line(words, direction))
        degrees = round(math.degrees(math.atan2(direction[1], direction[0])))
        votes[(degrees + 180) % 360 - 180] += len(symbols)
    if not lines:
        return []
    angle = float(votes.most_common(1)[0][0])
    return [line for block in group_lines(lines, angle=angle) for line in block.lines]


def _code_points(textpage: Any, raw: Any, handle: Any) -> Iterator[tuple[int, int]]:
    """Each character's index and code point, surrogate halves joined.

    PDFium counts UTF-16 code units: a character beyond U+FFFF (an emoji, a
    rare CJK ideograph) is two entries, its surrogate halves, both with the
    character's box. They become one character, at the first half's index;
    in right-to-left runs PDFium gives the low half first, so a pair is
    joined in either order there (the low half first only where both halves
    share one box: they are one glyph). A half without its partner is no
    character: it becomes U+FFFD, the replacement character, so the text
    stays encodable and keeps its place.
    """
    i, count = 0, textpage.count_chars()
    while i < count:
        index, code = i, raw.FPDFText_GetUnicode(handle, i)
        i += 1
        if _HIGH_HALF[0] <= code <= _LOW_HALF[1] and i < count:
            other = raw.FPDFText_GetUnicode(handle, i)
            high, low = (code, other) if code <= _HIGH_HALF[1] else (other, code)
            if (
                _HIGH_HALF[0] <= high <= _HIGH_HALF[1]
                and _LOW_HALF[0] <= low <= _LOW_HALF[1]
                and (
                    high == code
                    or textpage.get_charbox(i - 1, loose=True)
                    == textpage.get_charbox(i, loose=True)
                )
            ):
                code = 0x10000 + ((high - _HIGH_HALF[0]) << 10) + (low - _LOW_HALF[0])
                i += 1
        if _HIGH_HALF[0] <= code <= _LOW_HALF[1]:
            code = _REPLACEMENT
        yield index, code


def lines_from_textpage(textpage: Any, to_pixels: ToPixels) -> list[Line]:
    """Group a PDFium text page's characters into lines of words.

    Args:
        textpage: A ``pypdfium2.PdfTextPage``.
        to_pixels: Maps PDF user-space points to the page's pixels, the
            page's visible box (``PdfPage.get_bbox``) to the rendered image.

    Returns:
        Lines in reading order, the same whatever the page's ``/Rotate``
        (see the module docstring); words have per-character symbols and no
        confidence (the text is the PDF's own, not a recognition). Only
        characters on the rendered page are read, their boxes cut to it.
    """
    import pypdfium2.raw as raw

    runs: list[tuple[list[list[Char]], Vector]] = []
    words: list[list[Char]] = []
    symbols: list[Char] = []
    baseline: Vector | None = None
    # the run's last character's advance box and the spread of its
    # characters' centres (along its baseline, across it), for
    # :func:`_starts_new_line`; the word's last character's index
    previous: Rect | None = None
    centres = [math.inf, -math.inf, math.inf, -math.inf]
    last = -1

    def end_word() -> None:
        if symbols:
            words.append(symbols.copy())
            symbols.clear()

    def end_line() -> None:
        nonlocal baseline, previous
        end_word()
        if words:
            runs.append((words.copy(), baseline or (1.0, 0.0)))
            words.clear()
        baseline = previous = None
        centres[:] = [math.inf, -math.inf, math.inf, -math.inf]

    handle = textpage.raw
    page = _pixel_box(to_pixels, textpage.page.get_bbox())
    tesseract = _tesseract_layer(textpage)

    def add(index: int, char: str) -> None:
        nonlocal baseline, previous, last
        # Invisible text (an OCR layer) has no ink: its box is its advance box.
        loose = _invisible(raw, handle, index)
        box = _char_box(textpage, index, to_pixels, loose, page)
        if box is None:
            end_word()
            return
        advance = _pixel_rect(to_pixels, textpage.get_charbox(index, loose=True))
        if (
            baseline is not None
            and previous is not None
            and _starts_new_line(previous, advance, baseline, centres)
        ):
            end_line()
        if baseline is None:
            baseline = _baseline(raw, handle, index, to_pixels)
        along = sum(_box_span(advance, baseline)) / 2
        across = sum(_box_span(advance, (-baseline[1], baseline[0]))) / 2
        centres[:] = [
            min(centres[0], along),
            max(centres[1], along),
            min(centres[2], across),
            max(centres[3], across),
        ]
        previous, last = advance, index
        symbol = Symbol(text=char, geometry=box)
        symbols.append((symbol, _mirrored(raw, handle, index)))

    def space(index: int) -> None:
        """Stretch the word over its trailing space, in a Tesseract layer.

        Tesseract stretches each word with the space after it over the
        word's box (one text object, one horizontal scaling): the space's
        advance is the end of the word's box. :func:`unocr.save_pdf` writes
        the same operators with the space beyond the box, so only a layer
        Tesseract wrote (:func:`_tesseract_layer`) is read so.
        """
        if not (
            tesseract
            and symbols
            and raw.FPDFText_IsGenerated(handle, index) != 1
            and _invisible(raw, handle, index)
            and _text_object(raw, handle, index) == _text_object(raw, handle, last)
        ):
            return
        box = _char_box(textpage, index, to_pixels, True, page)
        if box is not None:
            direction = _baseline(raw, handle, last, to_pixels)
            end = _box_span(box, direction)[1]
            symbols[:] = _stretched(symbols, end, direction, page)

    # PDFium's lines (ended by its generated CR LF), its reordering undone
    chars: list[tuple[int, int]] = []
    pending: list[tuple[int, int]] = []
    for item in _code_points(textpage, raw, handle):
        if item[1] in (0x0D, 0x0A):
            chars += _as_drawn(pending)
            chars.append(item)
            pending.clear()
        else:
            pending.append(item)
    chars += _as_drawn(pending)

    for i, code in chars:
        char = chr(code) if 0 < code < 0x110000 else ""
        if code == _LINE_END_HYPHEN and raw.FPDFText_IsHyphen(handle, i) == 1:
            add(i, "-")
            end_line()
        elif char in _LINE_BREAKS and char:
            end_line()
        elif not char or char.isspace() or code in (0xFFFE, 0xFFFF, 0x02):
            if char == " ":
                space(i)
            end_word()
        else:
            add(i, char)
    end_line()
    return _reading_order(runs)

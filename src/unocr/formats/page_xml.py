"""PAGE-XML: written as the 2019-07-15 schema, read from 2013 to 2024.

Written structure::

    PcGts > Metadata (Creator unocr; MetadataItem backend, languages)
          > Page > ReadingOrder, TextRegion > TextLine > Word > Glyph

Every element has ``Coords points`` (its true outline: the four corners of a
box or quad, the vertices of a polygon, rotated box or mask outline) in whole
pixels, clamped at 0 (the schema allows no negative coordinates), and its
text in ``TextEquiv/Unicode`` with ``conf`` (0-1) where unocr has one.
A word's symbols are written as ``Glyph`` elements only when they spell the
word and each keeps some text once the characters XML cannot hold are
dropped (a glyph may hold several characters, unlike ALTO's). Languages go
in ``primaryLanguage`` (regions, lines) and ``language`` (words) as PAGE's
English language names (``"German"``), mapped from ISO 639 codes,
written where they differ from the parent's and inherited from the parent
region (and the page's ``primaryLanguage``) on reading, as PAGE intends;
glyphs have no language attribute. Right-to-left text gets
``readingDirection="right-to-left"``.

Reading accepts the 2009/2010 namespaces too (``Coords`` with ``Point``
children), follows the ``ReadingOrder`` when the file has one, and reads
nested ``TextRegion`` elements (also inside table regions) as blocks of
their own, as it reads a ``TableCell`` holding ``TextLine`` elements itself
(Transkribus's tables). Regions, lines and words with ``Coords`` but no
text (layout analysis, as OCR-D's segmentation steps write it) are kept
with their outline and text ``""``; such a child adds nothing, not even a
separator, to its parent's text. Text that is only white space is a space
(kraken writes each space between words as a ``Word``), and left out. A
transcribed line or region without ``Coords`` (Transkribus writes
``<Coords/>``) keeps its text: a line takes the box of its ``Baseline``
grown to enclose its words, else the box around its words, else its
region's outline; a region the box around its lines, else the outline of
the element holding it, else the page.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any

from unocr.errors import FormatError
from unocr.formats._numbers import (
    box_ints,
    finite_number,
    fmt_num,
    page_size,
    whole_number,
)
from unocr.formats._parents import grown
from unocr.formats._reading_order import by_index, flattened, rank
from unocr.formats._source import file_name, page_index, read_source
from unocr.formats._text import clean_text, is_rtl, symbols_fit
from unocr.formats.safe_xml import (
    NsReader,
    language_code,
    local_name,
    lxml_etree,
    parse_document,
)
from unocr.geometry import box_from_corners, outline_vertices, shape_from_points
from unocr.languages import (
    LANGUAGES,
    language_name,
    parse_asked_language,
    parse_language,
)
from unocr.limits import ReadLimits
from unocr.model import Block, Element, Line, Page, Symbol, Word
from unocr.model.elements import languages_in, lines_text, words_text

if TYPE_CHECKING:
    from unocr.geometry import Geometry

__all__ = ["LANGUAGE_NAMES", "NS_2019", "PAGE_NAMESPACES", "dumps", "loads"]

_BASE = "http://schema.primaresearch.org/PAGE/gts/pagecontent/"
NS_2019 = f"{_BASE}2019-07-15"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS_2019} {NS_2019}/pagecontent.xsd"

#: Namespaces read (the 2024 schema keeps these elements unchanged).
PAGE_NAMESPACES = tuple(
    _BASE + v
    for v in (
        "2024-07-15",
        "2019-07-15",
        "2018-07-15",
        "2017-07-15",
        "2016-07-15",
        "2013-07-15",
        "2010-03-19",
        "2010-01-12",
        "2009-03-16",
    )
)

#: Language code -> PAGE ``LanguageSimpleType`` name (2019 schema), from the
#: one vocabulary in :mod:`unocr.languages`.
LANGUAGE_NAMES: dict[str, str] = {
    lang.iso639_1 or lang.iso639_3: lang.name for lang in LANGUAGES
}


# --------------------------------------------------------------------- writing
def _points(geometry: Geometry) -> str:
    pts = outline_vertices(geometry)
    if pts is None:
        x0, y0, x1, y1 = box_ints(geometry, clamp=True)
        corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    else:
        corners = [(max(0, round(x)), max(0, round(y))) for x, y in pts]
    return " ".join(f"{x},{y}" for x, y in corners)


def dumps(page: Page) -> str:
    """Serialise a page as PAGE-XML (2019-07-15 schema).

    Args:
        page: The page to write.

    Returns:
        The XML document (UTF-8 declared); it validates against
        ``pagecontent.xsd`` of 2019-07-15.
    """
    etree = lxml_etree()

    def sub(parent: Any, tag: str) -> Any:
        return etree.SubElement(parent, f"{{{NS_2019}}}{tag}")

    def coords(parent: Any, geometry: Geometry) -> None:
        sub(parent, "Coords").set("points", _points(geometry))

    def text_equiv(parent: Any, element: Element) -> None:
        equiv = sub(parent, "TextEquiv")
        if element.confidence is not None:
            equiv.set("conf", fmt_num(element.confidence, 4))
        sub(equiv, "Unicode").text = clean_text(element.text)

    root = etree.Element(f"{{{NS_2019}}}PcGts", nsmap={None: NS_2019, "xsi": XSI_NS})
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    meta = sub(root, "Metadata")
    now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    sub(meta, "Creator").text = "unocr"
    sub(meta, "Created").text = now
    sub(meta, "LastChange").text = now
    if page.backend:
        item = sub(meta, "MetadataItem")
        item.set("type", "processingStep")
        item.set("name", "unocr-backend")
        item.set("value", clean_text(page.backend))
    # Always written, so an empty selection (engine default) reads back as ().
    item = sub(meta, "MetadataItem")
    item.set("type", "other")
    item.set("name", "unocr-languages")
    item.set("value", clean_text(",".join(page.languages)))
    image = file_name(page)
    if image is not None:
        item = sub(meta, "MetadataItem")
        item.set("type", "other")
        item.set("name", "unocr-page-index")
        item.set("value", str(page_index(page)))
    page_el = sub(root, "Page")
    page_el.set("imageFilename", clean_text(image or ""))
    page_el.set("imageWidth", str(page.width))
    page_el.set("imageHeight", str(page.height))
    if page.blocks:
        order = sub(sub(page_el, "ReadingOrder"), "OrderedGroup")
        order.set("id", "reading_order")
        for b in range(1, len(page.blocks) + 1):
            ref = sub(order, "RegionRefIndexed")
            ref.set("index", str(b - 1))
            ref.set("regionRef", f"region_{b}")
    for b, block in enumerate(page.blocks, start=1):
        region = sub(page_el, "TextRegion")
        region.set("id", f"region_{b}")
        if is_rtl(block.text):
            region.set("readingDirection", "right-to-left")
        block_lang = language_name(language_code(block.language))
        if block_lang:
            region.set("primaryLanguage", block_lang)
        coords(region, block.geometry)
        for n, line in enumerate(block.lines, start=1):
            line_el = sub(region, "TextLine")
            line_el.set("id", f"region_{b}_line_{n}")
            line_lang = language_name(language_code(line.language))
            if line_lang and line_lang != block_lang:
                line_el.set("primaryLanguage", line_lang)
            if is_rtl(line.text):
                line_el.set("readingDirection", "right-to-left")
            coords(line_el, line.geometry)
            for w, word in enumerate(line.words, start=1):
                word_el = sub(line_el, "Word")
                word_el.set("id", f"region_{b}_line_{n}_word_{w}")
                word_lang = language_name(language_code(word.language))
                if word_lang and word_lang != line_lang:
                    word_el.set("language", word_lang)
                if is_rtl(word.text):
                    word_el.set("readingDirection", "right-to-left")
                coords(word_el, word.geometry)
                glyphs = word.symbols if symbols_fit(word) else ()
                for g, symbol in enumerate(glyphs, start=1):
                    glyph = sub(word_el, "Glyph")
                    glyph.set("id", f"region_{b}_line_{n}_word_{w}_glyph_{g}")
                    coords(glyph, symbol.geometry)
                    text_equiv(glyph, symbol)
                text_equiv(word_el, word)
            text_equiv(line_el, line)
        text_equiv(region, block)
    text = etree.tostring(root, encoding="unicode", pretty_print=True)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{text}'


# --------------------------------------------------------------------- reading
class _Reader(NsReader):
    def geometry(self, el: Any) -> Geometry | None:
        node = el.find(self.q("Coords"))
        if node is None:
            return None
        raw = node.get("points")
        if raw is not None:
            points = _parse_points(raw, "Coords")
        else:  # 2009/2010 schemas: <Point x= y=/>
            try:
                points = [
                    (float(p.get("x")), float(p.get("y")))
                    for p in node.iterfind(self.q("Point"))
                ]
            except (TypeError, ValueError):
                raise FormatError("PAGE Coords Point needs numeric x and y") from None
        if not points:
            return None
        return shape_from_points(points)

    def holds_text(self, el: Any) -> bool:
        """Whether any ``Unicode`` inside ``el`` holds text (white space too).

        Where nothing inside ``el`` was kept, such text was only white space:
        ``el`` is then a space, not layout without text.
        """
        return any("".join(u.itertext()) for u in el.iter(self.q("Unicode")))

    def text(self, el: Any) -> tuple[str | None, float | None]:
        equivs = el.findall(self.q("TextEquiv"))
        if not equivs:
            return None, None
        best = equivs[0] if len(equivs) == 1 else min(equivs, key=by_index)
        unicode = best.find(self.q("Unicode"))
        if unicode is None:
            text = ""
        elif len(unicode):  # child elements (or comments): their text too
            text = "".join(unicode.itertext())
        else:
            text = unicode.text or ""
        conf = best.get("conf")
        confidence = (
            None
            if conf is None
            else min(1.0, max(0.0, finite_number(conf, "PAGE TextEquiv conf")))
        )
        return text, confidence

    def own_text(self, el: Any) -> tuple[str | None, float | None]:
        """:meth:`text` for an element with children.

        A blank ``TextEquiv`` (as some tools write for every line and region)
        counts as none, so the text comes from the children; one of only
        white space is told from none by :meth:`holds_text`.

        Returns:
            ``(text, confidence)``: the text, ``None`` where blank; its ``conf``.
        """
        written, conf = self.text(el)
        return (written if written and written.strip() else None), conf

    def symbol(self, el: Any, fallback: Geometry) -> Symbol:
        text, conf = self.text(el)
        return Symbol(
            text=text or "", geometry=self.geometry(el) or fallback, confidence=conf
        )

    def baseline(self, el: Any) -> Geometry | None:
        """The box around a line's ``Baseline`` points (``None`` without any).

        A straight baseline gives a box without area (zero height).
        """
        node = el.find(self.q("Baseline"))
        raw = "" if node is None else node.get("points") or ""
        points = _parse_points(raw, "Baseline")
        if not points:
            return None
        xs, ys = [x for x, _ in points], [y for _, y in points]
        return box_from_corners(min(xs), min(ys), max(xs), max(ys))

    def baseline_shape(self, el: Any) -> Geometry | None:
        """The shape of a line without ``Coords``, from its ``Baseline``.

        The box around the ``Baseline`` points, grown around the words that
        have ``Coords``. A straight baseline without such words has no height
        and gives none (``None``: the line then takes the box around its
        words, else its region's outline), as no height is written for it.
        """
        base = self.baseline(el)
        if base is None or base.area > 0:
            return base
        words = el.iterfind(self.q("Word"))
        placed = [g for w in words if (g := self.geometry(w)) is not None]
        base = grown(base, placed) if placed else base
        return base if base.area > 0 else None

    def word(self, el: Any, fallback: Geometry, lang: str | None) -> Word | None:
        own = self.geometry(el)
        geometry = own or fallback
        symbols = [self.symbol(g, geometry) for g in el.iterfind(self.q("Glyph"))]
        written, conf = self.text(el)
        glyphs = "".join(s.text for s in symbols)
        if written and written.strip():
            text = written
        elif glyphs.strip():
            text = glyphs  # a blank TextEquiv counts as none
        elif written or glyphs:
            return None  # text that is only white space: a space between words
        elif own is None:  # neither text nor a place of its own
            return None
        else:
            text = ""  # a word found, not (yet) read: kept with its outline
        return Word(
            text=text,
            geometry=geometry,
            confidence=conf,
            language=parse_language(el.get("language")) or lang,
            symbols=tuple(symbols),
        )

    def line(self, el: Any, fallback: Geometry, lang: str | None) -> Line | None:
        own = self.geometry(el)
        # Transcribed without Coords (Transkribus writes <Coords/>): its
        # Baseline's box, grown around its words; never a box without area.
        shape = own or self.baseline_shape(el)
        language = parse_language(el.get("primaryLanguage")) or lang
        words = self.children(
            el, "Word", lambda x: self.word(x, shape or fallback, language)
        )
        text, conf = self.own_text(el)
        if text is None:
            text = words_text(words)
        if words:
            line = Line.reported(
                words, own, text=text, confidence=conf, language=language
            )
            if own is None and shape is not None:  # the Baseline's, around its words
                line = line.replace(geometry=grown(shape, [w.geometry for w in words]))
            return line
        if not text.strip():
            if own is None or self.holds_text(el):
                return None  # neither text nor Coords, or only white space
            # A line found but not read (layout analysis): its outline.
            return Line(
                text="", geometry=own, confidence=conf, language=language, words=()
            )
        # A line transcribed without words: the line is its only word.
        return _its_only_word(
            Line.reported(
                [], shape or fallback, text=text, confidence=conf, language=language
            )
        )

    def block(self, el: Any, fallback: Geometry, lang: str | None) -> Block | None:
        own = self.geometry(el)
        language = parse_language(el.get("primaryLanguage")) or lang
        lines = self.children(
            el, "TextLine", lambda x: self.line(x, own or fallback, language)
        )
        text, conf = self.own_text(el)
        if not lines:
            if el.find(self.q("TextRegion")) is not None:
                return None  # only a frame for nested regions (read as such)
            if text is None:
                if own is None or self.holds_text(el):
                    return None  # neither text nor Coords, or only white space
                # A region found but not read (layout analysis): its outline.
                return Block(
                    text="", geometry=own, confidence=conf, language=language, lines=()
                )
            # A region transcribed without lines: the region is its only line,
            # in the shape of the region (else of its parent) it is in.
            geometry = own or fallback
            line = Line.reported(
                [], geometry, text=text, confidence=conf, language=language
            )
            line = _its_only_word(line.replace(native=False))
            return Block.reported(
                [line], geometry, text=text, confidence=conf, language=language
            )
        if text is None:
            text = lines_text(lines)
        return Block.reported(lines, own, text=text, confidence=conf, language=language)


def _its_only_word(line: Line) -> Line:
    """``line`` holding one word: itself (its text, shape and confidence).

    Args:
        line: A line transcribed without words.

    Returns:
        The line with :meth:`~unocr.model.Word.from_line` as its only word.
    """
    return line.replace(words=(Word.from_line(line),))


def _parse_points(raw: str, name: str) -> list[tuple[float, float]]:
    """The points of a ``Coords`` or ``Baseline`` ``points`` attribute.

    Args:
        raw: The attribute, ``"x,y x,y ..."`` in pixels.
        name: ``"Coords"`` or ``"Baseline"``, for the error message.

    Returns:
        The ``(x, y)`` points in pixels, in the order written (none where
        ``raw`` is blank).

    Raises:
        FormatError: A point is not two numbers joined by a comma.
    """
    points = []
    for pair in raw.split():
        x, sep, y = pair.partition(",")
        if not sep:
            raise FormatError(f"PAGE {name} point {pair!r} is not 'x,y'")
        try:
            points.append((float(x), float(y)))
        except ValueError:
            raise FormatError(
                f"PAGE {name} points {raw[:80]!r} are not 'x,y x,y ...' numbers"
            ) from None
    return points


def _parent_shape(region: Any, page_el: Any, reader: _Reader) -> Geometry | None:
    """The outline of the nearest region (or table cell) holding ``region``.

    Args:
        region: A ``TextRegion`` or ``TableCell`` element.
        page_el: The ``Page`` element (where the search ends).
        reader: The document's reader.

    Returns:
        The shape, ``None`` where no enclosing element has ``Coords``.
    """
    node = region.getparent()
    while node is not None and node is not page_el:
        shape = reader.geometry(node)
        if shape is not None:
            return shape
        node = node.getparent()
    return None


def _parent_language(region: Any, page_el: Any) -> str | None:
    node = region.getparent()
    while node is not None and node is not page_el:
        if local_name(node) == "TextRegion" and node.get("primaryLanguage"):
            return parse_language(node.get("primaryLanguage"))
        node = node.getparent()
    return None


def loads(data: str | bytes, limits: ReadLimits | None = None) -> Page:
    """Read a PAGE-XML document.

    Args:
        data: The XML text or bytes.
        limits: Size, element and depth limits; defaults when ``None``.

    Returns:
        The page: text regions (and table cells holding text lines, in
        reading order) as blocks, text lines, words and glyphs, those with
        ``Coords`` but no text kept with text ``""``, those with text but no
        ``Coords`` kept in a shape they hold or are held in;
        ``width``/``height`` from ``imageWidth`` and ``imageHeight``.

    Raises:
        FormatError: Not PAGE-XML, unknown namespace, malformed coordinates
            or hostile XML.
    """
    root, ns = parse_document(
        data,
        what="PAGE-XML",
        root="PcGts",
        namespaces=PAGE_NAMESPACES,
        known="the PRImA pagecontent schemas 2009-03-16 to 2024-07-15",
        limits=limits,
    )
    reader = _Reader(ns)
    page_el = root.find(reader.q("Page"))
    if page_el is None:
        raise FormatError("PAGE-XML document has no Page element")
    width, height = page_size(
        finite_number(page_el.get("imageWidth", ""), "PAGE-XML Page imageWidth"),
        finite_number(page_el.get("imageHeight", ""), "PAGE-XML Page imageHeight"),
        "PAGE-XML",
    )
    page_box = shape_from_points([(0, 0), (width, height)])
    order = flattened(page_el.find(reader.q("ReadingOrder")), "regionRef")
    regions: list[tuple[int, Block]] = []
    page_lang = parse_language(page_el.get("primaryLanguage"))
    for el in page_el.iter(reader.q("TextRegion"), reader.q("TableCell")):
        if local_name(el) == "TableCell" and el.find(reader.q("TextLine")) is None:
            continue  # a cell holding regions (read as such) or nothing
        # Transkribus puts a table's lines right in its cells: a cell is a region
        block = reader.block(
            el,
            _parent_shape(el, page_el, reader) or page_box,
            _parent_language(el, page_el) or page_lang,
        )
        if block is not None:
            regions.append((rank(el, page_el, order), block))
    # a stable sort: regions of one rank stay in document order
    blocks = tuple(b for _, b in sorted(regions, key=lambda r: r[0]))

    backend = languages = None
    index: int | None = None
    meta = root.find(reader.q("Metadata"))
    if meta is not None:
        for item in meta.iterfind(reader.q("MetadataItem")):
            if item.get("name") == "unocr-page-index":
                index = whole_number(
                    item.get("value") or "",
                    "PAGE-XML page index (MetadataItem unocr-page-index)",
                )
            elif item.get("name") == "unocr-backend":
                backend = item.get("value") or None
            elif item.get("name") == "unocr-languages":
                asked = (item.get("value") or "").split(",")
                languages = tuple(c for c in map(parse_asked_language, asked) if c)
    if languages is None:
        named = [
            parse_language(page_el.get(a))
            for a in ("primaryLanguage", "secondaryLanguage")
        ]
        languages = tuple(c for c in named if c) or languages_in(blocks)
    return Page(
        width=width,
        height=height,
        blocks=blocks,
        backend=backend,
        languages=languages,
        source=read_source(page_el.get("imageFilename"), index),
    )

"""ALTO XML: written as ALTO 4.4, read from ALTO v2, v3 and v4.

Written structure::

    alto > Description (MeasurementUnit pixel, Processing: unocr, backend)
         > Layout > Page > PrintSpace > TextBlock > TextLine > String > Glyph

Coordinates are pixels with up to two decimals (``HPOS``, ``VPOS``,
``WIDTH``, ``HEIGHT`` = the bounding box); quads, polygons, rotated boxes and
mask outlines also get ``Shape/Polygon POINTS``. ``WC`` holds word and
``GC`` glyph confidence (ALTO has none for lines and blocks); ``LANG`` holds
block, line and word languages (glyphs have none) as language codes (as
``unocr.languages.parse_language`` reads them: ``de_DE`` -> ``de-DE``; a
value that is no language code is left out), written where they differ from
the parent's and inherited from the parent (and the page) on reading, as
ALTO intends; right-to-left lines get ``BASEDIRECTION="rtl"``. Symbols are
written as ``Glyph`` only when each is one character and together they spell
the word (ALTO's ``CONTENT`` of a glyph is exactly one character).

Reading: ``TextBlock`` (also inside ``ComposedBlock``) -> block,
``TextLine`` -> line, ``String`` -> word, ``Glyph`` -> symbol, ``HYP`` ends
the line's text. An element with a position but no text (layout analysis)
is kept with text ``""``, adding nothing, not even a separator, to its
parent's text. The page's spaces are read in reading order: ``TopMargin``
(a running head), ``LeftMargin``, ``PrintSpace`` (the body), ``RightMargin``,
``BottomMargin`` (a footer), whatever their order in the file (the schema
puts ``PrintSpace`` last). The ``ReadingOrder`` (ALTO 4.2 and later, as
kraken writes it) orders the blocks, and the lines of each, as PAGE-XML's
orders regions (:mod:`unocr.formats._reading_order`): a block comes where
the first ``ElementRef`` names it or anything in it (kraken names lines).
A ``String`` whose ``CONTENT`` is only white space is a space (ALTO's are
``SP``) and left out. A line or block takes its box (or ``Shape``)
grown where needed to enclose its children, and its words' mean confidence
(ALTO has none for lines and blocks), as Tesseract's TSV reads. Tesseract
up to 5.5.2 writes ``WC`` as ``0.`` and a whole percent (``0.4`` for 4 %,
``0.100`` for 100 %; tesseract-ocr/tesseract#4615): from a document whose
``softwareName`` names such a release, ``WC`` is read that way. Only
``MeasurementUnit`` ``pixel`` is read: ``mm10`` and ``inch1200`` need the
scan resolution, which ALTO does not hold.

Several pages in one document (:func:`state_pages`): where they differ in
engine, languages or file, each ``Page`` names its own ``Processing``
(``PROCESSINGREFS``), whose settings hold its backend, languages and, where
the files differ, its file name (``sourceImageInformation`` holds one name
per document).

The settings (``processingStepSettings``) read ``backend=NAME;
languages=A,B; file=NAME``. In each value, every ``%``, ``;``, ``=``, ``,``,
white space character (``str.isspace``), control character, lone surrogate
and U+FFFE/U+FFFF is written as its UTF-8 bytes percent-encoded (``%25``,
``%3B``, ``%3D``, ``%2C``, ``%20``, ``%C2%A0``...), so any backend name,
language or file name reads back exactly (languages as
``unocr.languages.parse_asked_language`` reads them). Reading decodes
``%XX``; files by earlier versions, which encoded only the file name, read
as before unless a backend name or language holds ``%`` followed by two
hexadecimal digits (a value whose escapes are no UTF-8 reads as written).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote, unquote

from unocr.errors import FormatError
from unocr.formats._numbers import finite_number, fmt_num, page_size
from unocr.formats._parents import as_reported
from unocr.formats._reading_order import flattened, rank
from unocr.formats._source import file_name, page_index, read_source
from unocr.formats._text import clean_text, is_rtl, symbols_fit
from unocr.formats.safe_xml import (
    NsReader,
    language_code,
    local_name,
    lxml_etree,
    parse_document,
)
from unocr.geometry import (
    box_from_corners,
    enclosing_box,
    outline_vertices,
    shape_from_points,
)
from unocr.languages import parse_asked_language, parse_language
from unocr.limits import ReadLimits
from unocr.model import Block, Line, Page, Symbol, Word
from unocr.model.elements import languages_in, words_text

if TYPE_CHECKING:
    from unocr.geometry import Geometry

__all__ = [
    "ALTO_NAMESPACES",
    "NS_V4",
    "SCHEMA_LOCATION",
    "dumps",
    "loads",
    "state_pages",
]

NS_V4 = "http://www.loc.gov/standards/alto/ns-v4#"
SCHEMA_LOCATION = f"{NS_V4} http://www.loc.gov/alto/v4/alto-4-4.xsd"
XLINK_NS = "http://www.w3.org/1999/xlink"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

#: Namespaces read: ALTO v2, v3, v4, and the namespace-less ALTO 1.x.
ALTO_NAMESPACES = (
    "http://www.loc.gov/standards/alto/ns-v4#",
    "http://www.loc.gov/standards/alto/ns-v3#",
    "http://www.loc.gov/standards/alto/ns-v2#",
    "http://schema.ccs-gmbh.com/ALTO",
    "",
)

#: A page's spaces in reading order: head, left margin, body, right, footer.
_SPACES = ("TopMargin", "LeftMargin", "PrintSpace", "RightMargin", "BottomMargin")
# Characters percent-encoded in a value of the processing settings: the
# escape and the separators, white space, controls and what XML cannot hold.
_SETTING_ESCAPES = re.compile(r"[%;=,\s\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


# --------------------------------------------------------------------- writing
def _set_box(el: Any, geometry: Geometry) -> None:
    b = geometry.bounds
    # Round the corners, then take differences, so x1 = HPOS + WIDTH is off by
    # at most 0.005 px too (not 0.01 from two roundings).
    x0, y0, x1, y1 = (round(v, 2) for v in (b.x0, b.y0, b.x1, b.y1))
    el.set("HPOS", fmt_num(x0))
    el.set("VPOS", fmt_num(y0))
    el.set("WIDTH", fmt_num(x1 - x0))
    el.set("HEIGHT", fmt_num(y1 - y0))


def _shape(parent: Any, geometry: Geometry) -> None:
    etree = lxml_etree()

    points = outline_vertices(geometry)
    if points is None:
        return
    shape = etree.SubElement(parent, f"{{{NS_V4}}}Shape")
    poly = etree.SubElement(shape, f"{{{NS_V4}}}Polygon")
    poly.set("POINTS", " ".join(f"{fmt_num(x)},{fmt_num(y)}" for x, y in points))


def _processing(desc: Any, ident: str, page: Page, file: str | None = None) -> None:
    """A ``Processing`` step of unocr: the page's backend, languages and file.

    The settings read ``backend=NAME; languages=A,B; file=NAME``, each only
    where the page has one; ``file`` only where asked. Each value is
    escaped by :func:`_escape_setting` (see the module docstring).
    """
    etree = lxml_etree()
    proc = etree.SubElement(desc, f"{{{NS_V4}}}Processing")
    proc.set("ID", ident)
    etree.SubElement(proc, f"{{{NS_V4}}}processingCategory").text = "contentGeneration"
    settings = []
    if page.backend is not None:
        settings.append(f"backend={_escape_setting(page.backend)}")
    if page.languages:
        codes = ",".join(map(_escape_setting, page.languages))
        settings.append(f"languages={codes}")
    if file is not None:
        settings.append(f"file={_escape_setting(file)}")
    if settings:
        etree.SubElement(proc, f"{{{NS_V4}}}processingStepSettings").text = "; ".join(
            settings
        )
    software = etree.SubElement(proc, f"{{{NS_V4}}}processingSoftware")
    etree.SubElement(software, f"{{{NS_V4}}}softwareName").text = "unocr"


def _escape_setting(value: str) -> str:
    """A value of the processing settings, its special characters percent-encoded.

    Args:
        value: Any text (a backend name, a language, a file name).

    Returns:
        The value with ``%``, ``;``, ``=``, ``,``, white space, controls,
        lone surrogates and U+FFFE/U+FFFF as ``%XX`` escapes of their UTF-8
        bytes; the inverse of :func:`_unescape_setting`.

    Examples:
        >>> _escape_setting("my;engine=2, 100%")
        'my%3Bengine%3D2%2C%20100%25'
    """
    return _SETTING_ESCAPES.sub(
        lambda m: quote(m.group(), safe="", errors="surrogatepass"), value
    )


def _unescape_setting(value: str) -> str:
    """The value :func:`_escape_setting` escaped.

    Args:
        value: A value as read from the settings.

    Returns:
        The value with its ``%XX`` escapes decoded; where they are no
        UTF-8 (an unescaped value by an earlier unocr), the value as it is.

    Examples:
        >>> _unescape_setting("my%3Bengine%3D2%2C%20100%25")
        'my;engine=2, 100%'
        >>> _unescape_setting("100%")
        '100%'
    """
    try:
        return unquote(value, errors="surrogatepass")
    except UnicodeDecodeError:
        return value


def dumps(page: Page) -> str:
    """Serialise a page as ALTO 4.4.

    Args:
        page: The page to write.

    Returns:
        The XML document (UTF-8 declared); it validates against
        ``alto-4-4.xsd``.
    """
    etree = lxml_etree()

    def sub(parent: Any, tag: str) -> Any:
        return etree.SubElement(parent, f"{{{NS_V4}}}{tag}")

    root = etree.Element(
        f"{{{NS_V4}}}alto", nsmap={None: NS_V4, "xlink": XLINK_NS, "xsi": XSI_NS}
    )
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    desc = sub(root, "Description")
    sub(desc, "MeasurementUnit").text = "pixel"
    image = file_name(page)
    if image is not None:
        sub(sub(desc, "sourceImageInformation"), "fileName").text = clean_text(image)
    _processing(desc, "processing_1", page)
    layout = sub(root, "Layout")
    page_el = sub(layout, "Page")
    page_el.set("ID", "page_1")
    page_el.set("PHYSICAL_IMG_NR", str(page_index(page) + 1))
    page_el.set("WIDTH", str(page.width))
    page_el.set("HEIGHT", str(page.height))
    space = sub(page_el, "PrintSpace")
    for key, value in (
        ("HPOS", 0),
        ("VPOS", 0),
        ("WIDTH", page.width),
        ("HEIGHT", page.height),
    ):
        space.set(key, str(value))
    for b, block in enumerate(page.blocks, start=1):
        block_el = sub(space, "TextBlock")
        block_el.set("ID", f"block_{b}")
        _set_box(block_el, block.geometry)
        block_lang = language_code(block.language)
        if block_lang:
            block_el.set("LANG", block_lang)
        if is_rtl(block.text):
            block_el.set("BASEDIRECTION", "rtl")
        _shape(block_el, block.geometry)
        for n, line in enumerate(block.lines, start=1):
            line_el = sub(block_el, "TextLine")
            line_el.set("ID", f"line_{b}_{n}")
            _set_box(line_el, line.geometry)
            line_lang = language_code(line.language)
            if line_lang and line_lang != block_lang:
                line_el.set("LANG", line_lang)
            if is_rtl(line.text):
                line_el.set("BASEDIRECTION", "rtl")
            _shape(line_el, line.geometry)
            words = line.words
            if not words:
                # ALTO needs a String per line: keep a word-less line's text.
                words = (Word.from_line(line),)
            previous: Geometry | None = None
            for w, word in enumerate(words, start=1):
                if previous is not None:
                    sp = sub(line_el, "SP")
                    gap_x0, gap_x1 = previous.bounds.x1, word.geometry.bounds.x0
                    if gap_x1 > gap_x0:
                        sp.set("HPOS", fmt_num(gap_x0))
                        sp.set("VPOS", fmt_num(word.geometry.bounds.y0))
                        sp.set("WIDTH", fmt_num(gap_x1 - gap_x0))
                previous = word.geometry
                string = sub(line_el, "String")
                string.set("ID", f"string_{b}_{n}_{w}")
                _set_box(string, word.geometry)
                string.set("CONTENT", clean_text(word.text))
                if word.confidence is not None:
                    string.set("WC", fmt_num(word.confidence, 4))
                word_lang = language_code(word.language)
                if word_lang and word_lang != line_lang:
                    string.set("LANG", word_lang)
                _shape(string, word.geometry)
                if symbols_fit(word, one_character=True):
                    for g, symbol in enumerate(word.symbols, start=1):
                        glyph = sub(string, "Glyph")
                        glyph.set("ID", f"glyph_{b}_{n}_{w}_{g}")
                        glyph.set("CONTENT", clean_text(symbol.text))
                        if symbol.confidence is not None:
                            glyph.set("GC", fmt_num(symbol.confidence, 4))
                        _set_box(glyph, symbol.geometry)
                        _shape(glyph, symbol.geometry)
    text = etree.tostring(root, encoding="unicode", pretty_print=True)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{text}'


def state_pages(root: Any, pages: Sequence[Page]) -> None:
    """State each page's engine, languages and file in a multi-page ALTO document.

    Pages that share all three are described once, as one page is. Otherwise
    each ``Page`` names its own ``Processing`` step (``PROCESSINGREFS``), whose
    settings hold its backend and languages, and its file name where the
    pages' files differ: ``sourceImageInformation`` then names none, as ALTO
    holds one file name per document.

    Args:
        root: The document, one ``Layout/Page`` per page, in order; its
            ``Description`` is the first page's.
        pages: The pages written there.

    Raises:
        FormatError: Not one ``Page`` per page.
    """
    etree = lxml_etree()
    elements = list(root.iter(f"{{{NS_V4}}}Page"))
    if len(elements) != len(pages):
        raise FormatError(
            f"the ALTO document has {len(elements)} Page elements for "
            f"{len(pages)} pages: pass one page per Page, in order"
        )
    one_file = len({file_name(p) for p in pages}) == 1
    if one_file and len({(p.backend, p.languages) for p in pages}) == 1:
        return
    desc = root.find(f"{{{NS_V4}}}Description")
    for el in list(desc):
        if local_name(el) in ("sourceImageInformation", "Processing"):
            desc.remove(el)
    shared = file_name(pages[0]) if one_file else None
    if shared is not None:
        info = etree.SubElement(desc, f"{{{NS_V4}}}sourceImageInformation")
        etree.SubElement(info, f"{{{NS_V4}}}fileName").text = clean_text(shared)
    for n, (el, page) in enumerate(zip(elements, pages, strict=True), start=1):
        ident = f"processing_{n}"
        _processing(desc, ident, page, None if one_file else file_name(page))
        el.set("PROCESSINGREFS", ident)


# --------------------------------------------------------------------- reading
def _float(el: Any, name: str) -> float | None:
    value = el.get(name)
    if value is None or not value.strip():
        return None
    return finite_number(value, f"ALTO {local_name(el)} {name}")


def _parse_points(text: str) -> list[tuple[float, float]]:
    tokens = text.replace(",", " ").split()
    try:
        values = [float(t) for t in tokens]
    except ValueError:
        raise FormatError(f"ALTO Polygon POINTS {text!r} are not numbers") from None
    if len(values) % 2:
        raise FormatError(f"ALTO Polygon POINTS {text!r} have an odd number of values")
    return [(values[i], values[i + 1]) for i in range(0, len(values), 2)]


_T = TypeVar("_T")


class _Reader(NsReader):
    #: ``WC`` is "0." and a whole percent (:func:`_writes_percent_wc`).
    percent_wc = False

    def __init__(self, ns: str) -> None:
        super().__init__(ns)
        #: The document's ``ReadingOrder``: each id it names and its rank.
        self.order: dict[str, int] = {}

    def ranked(self, pairs: list[tuple[Any, _T]], parent: Any) -> list[_T]:
        """Values read from elements, in the ``ReadingOrder`` (stable).

        An element the order names, or that holds one it names, comes in
        that place; the others after them, in document order.

        Args:
            pairs: Each element with what it reads as, in document order.
            parent: The element holding them (where their ranking stops).

        Returns:
            The values in reading order.
        """
        if self.order:
            pairs = sorted(
                pairs,
                key=lambda p: rank(p[0], parent, self.order, id_attr="ID", inner=True),
            )
        return [value for _, value in pairs]

    def geometry(self, el: Any) -> Geometry | None:
        shape = el.find(self.q("Shape"))
        if shape is not None:
            poly = shape.find(self.q("Polygon"))
            if poly is not None and poly.get("POINTS"):
                points = _parse_points(poly.get("POINTS"))
                if len(points) >= 3:
                    return shape_from_points(points)
        x, y = _float(el, "HPOS"), _float(el, "VPOS")
        w, h = _float(el, "WIDTH"), _float(el, "HEIGHT")
        if x is None or y is None or w is None or h is None:
            return None
        return box_from_corners(x, y, x + w, y + h)

    def holds_text(self, el: Any) -> bool:
        """Whether ``el`` holds text (white space too): a ``CONTENT`` or an ``SP``.

        Where nothing inside ``el`` was kept, such text was only white space:
        ``el`` is then a space, not layout without text.
        """
        return any(s.get("CONTENT") for s in el.iter(self.q("String"))) or any(
            True for _ in el.iter(self.q("SP"))
        )

    def confidence(self, el: Any, name: str) -> float | None:
        if self.percent_wc and name == "WC":
            percent = _PERCENT_WC.fullmatch(el.get(name) or "")
            if percent is not None and int(percent[1]) <= 100:
                return int(percent[1]) / 100.0
        value = _float(el, name)
        if value is None:
            return None
        return min(1.0, max(0.0, value))

    def symbols(self, string: Any, fallback: Geometry) -> list[Symbol]:
        return [
            Symbol(
                text=glyph.get("CONTENT", ""),
                geometry=self.geometry(glyph) or fallback,
                confidence=self.confidence(glyph, "GC"),
            )
            for glyph in string.iterfind(self.q("Glyph"))
        ]

    def word(self, string: Any, fallback: Geometry, lang: str | None) -> Word | None:
        text = string.get("CONTENT", "")
        own = self.geometry(string)
        # A space (ALTO writes them as SP), or nothing at all: left out. A
        # word found, not (yet) read (CONTENT ""), is kept with its outline.
        if not text.strip() and (text or own is None):
            return None
        geometry = own or fallback
        return Word(
            text=text,
            geometry=geometry,
            confidence=self.confidence(string, "WC"),
            language=parse_language(string.get("LANG")) or lang,
            symbols=tuple(self.symbols(string, geometry)),
        )

    def line(self, el: Any, fallback: Geometry, lang: str | None) -> Line | None:
        own = self.geometry(el)
        language = parse_language(el.get("LANG")) or lang
        words = self.children(
            el, "String", lambda s: self.word(s, own or fallback, language)
        )
        if not words:
            if own is None or self.holds_text(el):
                return None  # neither text nor a position, or only white space
            # A line found but not read (layout analysis): its outline.
            return Line(
                text="", geometry=own, confidence=None, language=language, words=()
            )
        text = words_text(words)  # a word without text adds nothing
        hyp = el.find(self.q("HYP"))
        if hyp is not None:
            text += hyp.get("CONTENT", "")
        return as_reported(
            Line.from_words(words, text=text),
            own,
            confidence=None,
            language=language,
            own_confidence=False,
        )

    def block(self, el: Any, fallback: Geometry, lang: str | None) -> Block | None:
        own = self.geometry(el)
        language = parse_language(el.get("LANG") or el.get("language")) or lang
        lines = self.ranked(
            [
                (x, line)
                for x in el.iterfind(self.q("TextLine"))
                if (line := self.line(x, own or fallback, language)) is not None
            ],
            el,
        )
        if not lines:
            if own is None or self.holds_text(el):
                return None  # neither text nor a position, or only white space
            # A block found but not read (layout analysis): its outline.
            return Block(
                text="", geometry=own, confidence=None, language=language, lines=()
            )
        block = Block.from_lines(lines)  # a line without text adds nothing
        return as_reported(
            block,
            own,
            confidence=None,
            language=language,
            own_confidence=False,
        )


def loads(
    data: str | bytes,
    limits: ReadLimits | None = None,
    *,
    from_zero: bool | None = None,
) -> Page:
    """Read an ALTO document (v2, v3 or v4; one page).

    Args:
        data: The XML text or bytes.
        limits: Size, element and depth limits; defaults when ``None``.
        from_zero: Whether ``PHYSICAL_IMG_NR`` counts from 0; decided from
            the document when ``None`` (see :func:`numbered_from_zero`).

    Returns:
        The page, its blocks and lines in the ``ReadingOrder`` where the
        document has one; ``backend`` and ``languages`` come back where
        unocr wrote them (``Processing/processingStepSettings``), otherwise languages
        are those of the elements.

    Raises:
        FormatError: Not ALTO, unknown namespace, several pages, a unit other
            than pixels, malformed numbers or hostile XML.
    """
    root, ns = parse_document(
        data,
        what="ALTO",
        root="alto",
        namespaces=ALTO_NAMESPACES,
        known=(
            "ALTO v2, v3 and v4 (http://www.loc.gov/standards/alto/ns-v2#, -v3#, -v4#)"
        ),
        limits=limits,
    )
    reader = _Reader(ns)
    reader.percent_wc = _writes_percent_wc(root, reader)
    unit = root.findtext(f"{reader.q('Description')}/{reader.q('MeasurementUnit')}")
    if unit is not None and unit.strip() not in ("", "pixel"):
        raise FormatError(
            f"ALTO coordinates are in {unit.strip()!r}; unocr reads pixel coordinates "
            "only (converting mm10/inch1200 needs the scan resolution, which ALTO "
            "does not hold)"
        )
    pages = root.findall(f"{reader.q('Layout')}/{reader.q('Page')}")
    if not pages:
        raise FormatError("ALTO document has no Layout/Page element")
    if len(pages) > 1:
        raise FormatError(
            f"ALTO document holds {len(pages)} pages; loads reads one page: "
            "read it with loads_pages (unocr.formats.loads_pages)"
        )
    page_el = pages[0]
    width = _float(page_el, "WIDTH")
    height = _float(page_el, "HEIGHT")
    if width is None or height is None:  # optional in the schema
        width, height = _content_extent(page_el, reader, width, height)
    width_px, height_px = page_size(width, height, "ALTO")
    page_box = box_from_corners(0, 0, width, height)
    page_lang = parse_language(page_el.get("LANG"))
    reader.order = flattened(root.find(reader.q("ReadingOrder")), "REF")
    blocks = reader.ranked(
        [
            (el, b)
            for space in _in_reading_order(page_el)
            for el in space.iter(reader.q("TextBlock"))
            if (b := reader.block(el, page_box, page_lang)) is not None
        ],
        page_el,
    )
    backend, languages, image = _settings(root, reader, page_el)
    if backend is None:
        name = root.findtext(f".//{reader.q('softwareName')}") or ""
        if name.lower().startswith("tesseract"):
            backend = "tesseract"
    if image is None:  # the document's
        image = (
            root.findtext(
                f"{reader.q('Description')}/{reader.q('sourceImageInformation')}"
                f"/{reader.q('fileName')}"
            )
            or ""
        )
        if languages is None:
            # Not unocr's (it wrote no step): the white space around the name
            # is the layout's (other producers indent it). unocr writes the
            # name exactly, and it reads back so, spaces and all.
            image = image.strip()
    number = _float(page_el, "PHYSICAL_IMG_NR")
    if from_zero is None:
        from_zero = numbered_from_zero(root)
    first = 0 if from_zero else 1
    return Page(
        width=width_px,
        height=height_px,
        blocks=tuple(blocks),
        backend=backend,
        languages=languages if languages is not None else languages_in(blocks),
        source=read_source(
            image,
            int(number) - first if number is not None and number >= first else None,
        ),
    )


def _in_reading_order(page_el: Any) -> list[Any]:
    """The children of a ``Page``, its spaces in reading order (:data:`_SPACES`).

    Anything else a file puts there comes after them, in document order.
    """
    children = [el for el in page_el if isinstance(el.tag, str)]
    rank = {name: n for n, name in enumerate(_SPACES)}
    return sorted(children, key=lambda el: rank.get(local_name(el), len(_SPACES)))


def _content_extent(
    page_el: Any, reader: _Reader, width: float | None, height: float | None
) -> tuple[float, float]:
    """A page size the ``Page`` leaves out: the extent of what it positions.

    ``WIDTH`` and ``HEIGHT`` are optional on an ALTO ``Page``; the size given
    is kept, the other is where the page's positioned elements end (as the
    hOCR reader does for a page without a ``bbox``).

    Raises:
        FormatError: No size given and no element with a position.
    """
    placed = [
        geometry
        for el in page_el.iter()
        if isinstance(el.tag, str) and (geometry := reader.geometry(el)) is not None
    ]
    if not placed:
        raise FormatError(
            "ALTO Page has no WIDTH and HEIGHT and no element with a position "
            "(HPOS, VPOS, WIDTH, HEIGHT) to size it by"
        )
    extent = enclosing_box(placed)
    return (
        width if width is not None else max(1.0, extent.x1),
        height if height is not None else max(1.0, extent.y1),
    )


#: A ``WC`` as Tesseract up to 5.5.2 writes it: "0." and a whole percent.
_PERCENT_WC = re.compile(r"\s*0\.(\d{1,3})\s*")
#: The last Tesseract release that writes ``WC`` that way (tesseract#4615).
_LAST_PERCENT_WC = (5, 5, 2)


def _writes_percent_wc(root: Any, reader: _Reader) -> bool:
    """Whether the document comes from a Tesseract that writes ``WC`` as a percent.

    Tesseract names itself ``tesseract 5.3.0`` in ``softwareName`` (or puts
    the release in ``softwareVersion``); up to 5.5.2 it writes ``WC`` as
    ``"0."`` followed by the whole percent. A document naming no release is
    read as written. Only the ``Description`` is searched (where ALTO keeps
    the software), not the whole layout.
    """
    description = root.find(reader.q("Description"))
    if description is None:
        return False
    for el in description.iter(reader.q("softwareName")):
        name = (el.text or "").strip()
        if not name.lower().startswith("tesseract"):
            continue
        parent = el.getparent()
        version = "" if parent is None else parent.findtext("{*}softwareVersion") or ""
        found = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", f"{name} {version}")
        if found is None:
            return False
        release = tuple(int(part or 0) for part in found.groups())
        return release <= _LAST_PERCENT_WC
    return False


#: ALTO writers that number ``PHYSICAL_IMG_NR`` from 0 (``softwareName``).
_FROM_ZERO_SOFTWARE = ("tesseract", "kraken")


def numbered_from_zero(root: Any) -> bool:
    """Whether an ALTO document numbers its pages (``PHYSICAL_IMG_NR``) from 0.

    ALTO means 1 for the first image, but Tesseract and kraken write 0: so
    do documents whose software is one of those, or where a page is 0.

    Args:
        root: The document's root element.

    Returns:
        ``True`` when the first page is numbered 0.
    """
    for el in root.iter():
        name = local_name(el)
        if name == "Page" and (el.get("PHYSICAL_IMG_NR") or "").strip() == "0":
            return True
        if name == "softwareName" and (el.text or "").strip().lower().startswith(
            _FROM_ZERO_SOFTWARE
        ):
            return True
    return False


def _settings(
    root: Any, reader: _Reader, page_el: Any
) -> tuple[str | None, tuple[str, ...] | None, str | None]:
    """The backend, languages and file name unocr wrote for a page.

    From the ``Processing`` the page names (``PROCESSINGREFS``, or the older
    ``PROCESSING``), else the document's first by unocr.

    Returns:
        ``(backend, languages, file name)``; languages ``None`` where unocr
        wrote no step.
    """
    steps = [
        proc
        for proc in root.iter(reader.q("Processing"), reader.q("OCRProcessing"))
        if (proc.findtext(f".//{reader.q('softwareName')}") or "").strip() == "unocr"
    ]
    refs = (page_el.get("PROCESSINGREFS") or page_el.get("PROCESSING") or "").split()
    named = [proc for proc in steps if proc.get("ID") in refs]
    for proc in named or steps:
        text = proc.findtext(f".//{reader.q('processingStepSettings')}") or ""
        values = dict(
            part.strip().split("=", 1) for part in text.split(";") if "=" in part
        )
        backend = values.get("backend")
        languages = values.get("languages") or ""
        file = values.get("file")
        codes = (
            parse_asked_language(_unescape_setting(c)) for c in languages.split(",")
        )
        return (
            None if backend is None else _unescape_setting(backend),
            tuple(c for c in codes if c),
            _unescape_setting(file) if file else None,
        )
    return None, None, None

"""hOCR 1.2: OCR results as XHTML.

Written structure (one ``ocr_carea`` holding one ``ocr_par`` per unocr
block)::

    div.ocr_page > div.ocr_carea > p.ocr_par > span.ocr_line
        > span.ocrx_word > span.ocrx_cinfo

Properties in ``title``: ``bbox`` (whole pixels, clamped at 0), ``poly``
(vertices of quads, polygons, rotated boxes and mask outlines), ``x_wconf``
(confidence 0-100, two decimals) on words and also on lines and paragraphs
where unocr has one, ``x_bboxes``/``x_confs`` on symbols. Languages go in
``lang`` attributes as codes (``de_DE`` -> ``de-DE``; a value that is no
language code is written as unknown; HTML inheritance: an element repeats
``lang`` only where it differs from its parent, ``lang=""`` meaning unknown)
and the page's in ``<meta name="ocr-langs">``; right-to-left text gets
``dir="rtl"``.

Reading accepts any hOCR (Tesseract, OCRopus, kraken...): paragraphs
(``ocr_par``) become blocks, or ``ocr_carea`` (kraken's ``ocrx_block``)
where there are no paragraphs;
``ocr_line`` and the other line classes (``ocrx_line``, ``ocr_header``,
``ocr_caption``, ``ocr_textfloat``) become lines; ``ocrx_word`` words;
``ocrx_cinfo``/``ocr_cinfo``/``ocr_glyph`` symbols. A line or block takes
its ``bbox`` (or ``poly``) grown where needed to enclose its children, and
its own ``x_wconf`` where the page gives lines or paragraphs one, else its
words' mean: as Tesseract's TSV reads
(:func:`unocr.formats._parents.as_reported`). A word's text is that of its
element without the white space around it (the indentation of pretty-printed
files), except in documents unocr wrote (``ocr-system`` ``unocr ...``),
which hold each word's text exactly, white space at its ends included (a
no-break space, U+2028, a tab...). A word whose text is only white space
is a space between words (kraken writes each as an ``ocrx_word``) and is
left out; a word with no text at all is kept with text ``""`` where it has
a ``bbox`` (or ``poly``) of its own (layout analysis, as unocr's ``detect``
pages are written), else left out; so are lines and paragraphs (or areas
without paragraphs) with a box and nothing read in them. Such an element
adds nothing, not even a separator, to its parent's text. Tesseract writes
none (its pictures and rules are ``ocr_photo`` and ``ocr_separator``, which
are not read).

Several pages in one document (:func:`state_pages`): the ``ocr-system`` and
``ocr-langs`` metadata state what the pages share (the engine, every
language), and a page that differs carries its own as ``x_ocr_system`` and
``x_ocr_langs`` properties of its ``ocr_page``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from unocr.errors import FormatError
from unocr.formats._numbers import (
    box_ints,
    finite_number,
    fmt_num,
    page_size,
    percent_to_confidence,
    whole_number,
)
from unocr.formats._parents import as_reported
from unocr.formats._source import file_name, page_index, read_source
from unocr.formats._text import clean_text, is_rtl, symbols_fit
from unocr.formats.safe_xml import language_code, local_name, lxml_etree, parse_markup
from unocr.geometry import (
    box_from_corners,
    enclosing_box,
    outline_vertices,
    shape_from_points,
)
from unocr.languages import parse_asked_language, parse_language
from unocr.limits import ReadLimits
from unocr.model import Block, Line, Page, Symbol, Word
from unocr.model.elements import languages_in, mean_confidence

if TYPE_CHECKING:
    from unocr.geometry import Geometry

__all__ = [
    "dumps",
    "loads",
    "page_elements",
    "parse_title",
    "parse_tree",
    "state_pages",
]

XHTML_NS = "http://www.w3.org/1999/xhtml"
_DOCTYPE = (
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n'
    '    "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">'
)
_CAPABILITIES = (
    "ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrx_cinfo "
    "ocrp_wconf ocrp_lang ocrp_dir ocrp_poly"
)

_BLOCK_CLASSES = ("ocr_par",)
_AREA_CLASSES = ("ocr_carea", "ocrx_block")  # ocrx_block: kraken
_LINE_CLASSES = ("ocr_line", "ocrx_line", "ocr_header", "ocr_caption", "ocr_textfloat")
_WORD_CLASSES = ("ocrx_word", "ocr_word")
_SYMBOL_CLASSES = ("ocrx_cinfo", "ocr_cinfo", "ocr_glyph")
# A page's own engine and languages where they differ from the document's.
_PAGE_SYSTEM = "x_ocr_system"
_PAGE_LANGS = "x_ocr_langs"


# --------------------------------------------------------------------- writing
def _title(
    geometry: Geometry, confidence: float | None, *, symbol: bool = False
) -> str:
    x0, y0, x1, y1 = box_ints(geometry, clamp=True)
    box = f"{x0} {y0} {x1} {y1}"
    parts = [f"x_bboxes {box}" if symbol else f"bbox {box}"]
    points = outline_vertices(geometry)
    if points is not None:
        coords = " ".join(str(max(0, round(v))) for v in points.reshape(-1))
        parts.append(f"poly {coords}")
    if confidence is not None:
        key = "x_confs" if symbol else "x_wconf"
        parts.append(f"{key} {fmt_num(confidence * 100.0, 2)}")
    return "; ".join(parts)


def _set_lang(el: Any, language: str | None, inherited: str | None) -> str | None:
    """Write ``lang`` where the language differs from the inherited one.

    The language as a code (``de_DE`` -> ``de-DE``); one that is no language
    code is written as unknown (``lang=""``), never as an invalid value.
    """
    code = language_code(language)
    if code != inherited:
        el.set("lang", code or "")
    return code


def _set_dir(el: Any, text: str, parent_rtl: bool) -> bool:
    rtl = is_rtl(text)
    if rtl != parent_rtl:
        el.set("dir", "rtl" if rtl else "ltr")
    return rtl


def _system(backend: str | None) -> str:
    """The ``ocr-system`` naming unocr and the engine."""
    return f"unocr {backend}" if backend else "unocr"


def dumps(page: Page) -> str:
    """Serialise a page as an hOCR 1.2 XHTML document.

    Args:
        page: The page to write.

    Returns:
        The document (UTF-8 declared), Tesseract-compatible in structure.
    """
    etree = lxml_etree()

    def sub(parent: Any, tag: str, cls: str, ident: str) -> Any:
        el = etree.SubElement(parent, f"{{{XHTML_NS}}}{tag}")
        el.set("class", cls)
        el.set("id", ident)
        return el

    html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS})
    head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
    etree.SubElement(head, f"{{{XHTML_NS}}}title").text = ""
    metas = [
        ("ocr-system", _system(page.backend)),
        ("ocr-capabilities", _CAPABILITIES),
        ("ocr-number-of-pages", "1"),
    ]
    # Always present (empty when the engine used its default), so reading
    # gives back exactly page.languages.
    metas.append(("ocr-langs", " ".join(page.languages)))
    meta = etree.SubElement(head, f"{{{XHTML_NS}}}meta")
    meta.set("http-equiv", "Content-Type")
    meta.set("content", "text/html;charset=utf-8")
    for name, content in metas:
        meta = etree.SubElement(head, f"{{{XHTML_NS}}}meta")
        meta.set("name", name)
        meta.set("content", clean_text(content))
    body = etree.SubElement(html, f"{{{XHTML_NS}}}body")
    page_el = sub(body, "div", "ocr_page", "page_1")
    image = file_name(page)
    image_prop = "" if image is None else f'image "{_quote_name(image)}"; '
    page_el.set(
        "title",
        clean_text(
            f"{image_prop}bbox 0 0 {page.width} {page.height}; "
            f"ppageno {page_index(page)}"
        ),
    )
    n_line = n_word = 0
    for b, block in enumerate(page.blocks, start=1):
        area = sub(page_el, "div", "ocr_carea", f"block_1_{b}")
        area.set("title", _title(block.geometry, None))
        par = sub(area, "p", "ocr_par", f"par_1_{b}")
        par.set("title", _title(block.geometry, block.confidence))
        block_lang = _set_lang(par, block.language, None)
        block_rtl = _set_dir(par, block.text, False)
        for line in block.lines:
            n_line += 1
            line_el = sub(par, "span", "ocr_line", f"line_1_{n_line}")
            line_el.set("title", _title(line.geometry, line.confidence))
            line_lang = _set_lang(line_el, line.language, block_lang)
            line_rtl = _set_dir(line_el, line.text, block_rtl)
            words = line.words
            if not words and line.text:
                # A line without words (line-level engines): keep its text.
                words = (Word.from_line(line),)
            for word in words:
                n_word += 1
                word_el = sub(line_el, "span", "ocrx_word", f"word_1_{n_word}")
                word_el.set("title", _title(word.geometry, word.confidence))
                word_lang = _set_lang(word_el, word.language, line_lang)
                _set_dir(word_el, word.text, line_rtl)
                if symbols_fit(word):
                    for symbol in word.symbols:
                        sym_el = etree.SubElement(word_el, f"{{{XHTML_NS}}}span")
                        sym_el.set("class", "ocrx_cinfo")
                        sym_el.set(
                            "title",
                            _title(symbol.geometry, symbol.confidence, symbol=True),
                        )
                        _set_lang(sym_el, symbol.language, word_lang)
                        sym_el.text = clean_text(symbol.text)
                else:
                    word_el.text = clean_text(word.text)
    body_text = etree.tostring(html, encoding="unicode", pretty_print=True)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{_DOCTYPE}\n{body_text}'


def state_pages(root: Any, pages: Sequence[Page]) -> None:
    """State each page's engine and languages in a multi-page hOCR document.

    ``ocr-system`` names the engine the pages share (plain ``unocr`` where
    they differ) and ``ocr-langs`` lists every language of any page (the
    languages the OCR considered, as hOCR defines it). A page whose engine
    or languages differ from those gets its own as ``x_ocr_system`` and
    ``x_ocr_langs`` properties (hOCR's engine-specific ``x_`` properties);
    pages that agree get none, so the document is what one page's would be.

    Args:
        root: The document, one ``ocr_page`` per page, in order.
        pages: The pages written there.

    Raises:
        FormatError: Not one ``ocr_page`` per page.
    """
    elements = page_elements(root)
    if len(elements) != len(pages):
        raise FormatError(
            f"the hOCR document has {len(elements)} ocr_page elements for "
            f"{len(pages)} pages: pass one page per ocr_page, in order"
        )
    backends = {p.backend for p in pages}
    backend = backends.pop() if len(backends) == 1 else None
    languages = tuple(dict.fromkeys(code for p in pages for code in p.languages))
    for el in root.iter():
        if local_name(el) == "meta" and el.get("name") == "ocr-system":
            el.set("content", clean_text(_system(backend)))
        elif local_name(el) == "meta" and el.get("name") == "ocr-langs":
            el.set("content", clean_text(" ".join(languages)))
    for el, page in zip(elements, pages, strict=True):
        props = [el.get("title", "")]
        if page.backend != backend:
            props.append(f'{_PAGE_SYSTEM} "{_quote_name(_system(page.backend))}"')
        if page.languages != languages:
            # as asked for, as the one-page writer's ocr-langs: read back alike
            props.append(" ".join([_PAGE_LANGS, *page.languages]))
        el.set("title", clean_text("; ".join(props)))


# --------------------------------------------------------------------- reading
# One token of a title: a quoted string (an unmatched quote runs to the end),
# a run of other characters, or a separator. No two alternatives can match the
# same text, so scanning is linear in the title's length.
_TITLE_TOKEN = re.compile(r'"[^"]*"?|[^";]+|;')
_PROP_NAME = re.compile(r"\s*([A-Za-z_][\w-]*)")
_VALUE = re.compile(r'"[^"]*"?|[^\s"]+')


def parse_title(title: str) -> dict[str, list[str]]:
    """Split an hOCR ``title`` attribute into its properties.

    Properties are separated by ``;`` outside double quotes; each starts with
    its name. Scanning takes time linear in the title's length, whatever it
    holds (an unmatched quote runs to the end of the title).

    Args:
        title: E.g. ``'bbox 36 92 96 116; x_wconf 96'``.

    Returns:
        Property name -> list of value tokens (quoted strings keep their
        quotes), e.g. ``{"bbox": ["36", "92", "96", "116"], "x_wconf": ["96"]}``.

    Examples:
        >>> parse_title('bbox 0 0 9 9; x_source "a;b" c')
        {'bbox': ['0', '0', '9', '9'], 'x_source': ['"a;b"', 'c']}
    """
    props: dict[str, list[str]] = {}
    parts: list[str] = [""]
    for token in _TITLE_TOKEN.findall(title or ""):
        if token == ";":
            parts.append("")
        else:
            parts[-1] += token
    for part in parts:
        match = _PROP_NAME.match(part)
        if match is None:
            continue
        rest = part[match.end() :]
        if rest and not rest[0].isspace() and rest[0] != '"':
            continue  # the name runs into other characters: not a property
        props[match.group(1)] = _VALUE.findall(rest)
    return props


def _classes(el: Any) -> set[str]:
    cls = el.get("class") if isinstance(el.tag, str) else None
    return set(cls.split()) if cls else set()


def _numbers(tokens: list[str], what: str) -> list[float]:
    return [finite_number(t, f"hOCR {what}") for t in tokens]


def _geometry(props: dict[str, list[str]], *, symbol: bool = False) -> Geometry | None:
    if "poly" in props:
        values = _numbers(props["poly"], "poly")
        if len(values) >= 6 and len(values) % 2 == 0:
            return shape_from_points(
                [(values[i], values[i + 1]) for i in range(0, len(values), 2)]
            )
    key = "x_bboxes" if symbol and "x_bboxes" in props else "bbox"
    if key in props:
        values = _numbers(props[key], key)
        if len(values) < 4:
            raise FormatError(f"hOCR {key} needs four numbers, got {props[key]!r}")
        return box_from_corners(*values[:4])
    return None


def _confidence(props: dict[str, list[str]], *keys: str) -> float | None:
    for key in keys:
        if props.get(key):
            return percent_to_confidence(finite_number(props[key][0], f"hOCR {key}"))
    return None


class _Reader:
    def __init__(self, page_el: Any, *, exact_text: bool = False) -> None:
        self.page_el = page_el
        # unocr writes each word's text as it is: keep white space at its ends
        self.exact_text = exact_text
        # Tesseract gives lines and paragraphs no x_wconf; unocr writes them.
        parents = _LINE_CLASSES + _BLOCK_CLASSES + _AREA_CLASSES
        self.own_confidence = any(
            "x_wconf" in parse_title(el.get("title", ""))
            for el in _find(page_el, parents)
        )

    def language(self, el: Any) -> str | None:
        node = el
        while node is not None:
            for attr in ("lang", "{http://www.w3.org/XML/1998/namespace}lang"):
                value = node.get(attr)
                if value is not None:
                    return parse_language(value)
            if node is self.page_el:
                return None
            node = node.getparent()
        return None

    def symbols(self, word_el: Any) -> list[Symbol]:
        out = []
        for el in word_el.iter():
            if not _classes(el) & set(_SYMBOL_CLASSES):
                continue
            props = parse_title(el.get("title", ""))
            geometry = _geometry(props, symbol=True)
            if geometry is None:
                continue
            out.append(
                Symbol(
                    text="".join(el.itertext()),
                    geometry=geometry,
                    confidence=_confidence(props, "x_confs", "x_conf"),
                    language=self.language(el),
                )
            )
        return out

    def written(self, el: Any, symbols: list[Symbol]) -> str:
        """The text of word element ``el`` as written (white space too).

        Args:
            el: An ``ocrx_word`` (or other word class) element.
            symbols: Its symbols, as :meth:`symbols` reads them.

        Returns:
            Its symbols' text joined, else its own text.
        """
        return "".join(s.text for s in symbols) if symbols else _own_text(el)

    def word(self, el: Any, fallback: Geometry | None) -> Word | None:
        symbols = self.symbols(el)
        written = self.written(el, symbols)
        text = written if self.exact_text or symbols else written.strip()
        props = parse_title(el.get("title", ""))
        if not written.strip():
            if written:  # only white space (kraken writes spaces as words)
                return None
            if _geometry(props) is None:  # neither text nor a place of its own
                return None
            text = ""  # a word found, not (yet) read: kept with its box
        geometry = _geometry(props) or fallback
        if geometry is None:
            raise FormatError(f"hOCR word {text!r} has no bbox")
        return Word(
            text=text,
            geometry=geometry,
            confidence=_confidence(props, "x_wconf"),
            language=self.language(el),
            symbols=tuple(symbols),
        )

    def line(self, el: Any) -> Line | None:
        props = parse_title(el.get("title", ""))
        geometry = _geometry(props)
        word_els = list(_find(el, _WORD_CLASSES))
        words = [w for w in (self.word(x, geometry) for x in word_els) if w]
        confidence = _confidence(props, "x_wconf")
        language = self.language(el)
        if not words and any(self.written(x, self.symbols(x)) for x in word_els):
            return None  # its words are only white space: a space, left out
        if not words:
            # A line holding its text itself (OCRopus): the line is its word.
            text = " ".join(_own_text(el).split())
            if geometry is None:
                return None
            if not text:
                # A line found but not read (layout analysis): its box.
                return Line(
                    text="",
                    geometry=geometry,
                    confidence=confidence if self.own_confidence else None,
                    language=language,
                    words=(),
                )
            line = Line.reported(
                [], geometry, text=text, confidence=confidence, language=language
            )
            return line.replace(words=(Word.from_line(line),))
        return as_reported(
            Line.from_words(words),  # a word without text adds nothing
            geometry,
            confidence=confidence,
            language=language,
            own_confidence=self.own_confidence,
        )

    def block(self, el: Any | None, lines: list[Line]) -> Block:
        block = Block.from_lines(lines)  # a line without text adds nothing
        if el is None:  # lines outside any block: a block made for them
            return block.replace(
                confidence=block.confidence
                if self.own_confidence
                else mean_confidence(block.words)
            )
        props = parse_title(el.get("title", ""))
        return as_reported(
            block,
            _geometry(props),
            confidence=_confidence(props, "x_wconf"),
            language=self.language(el),
            own_confidence=self.own_confidence,
        )


def _empty_blocks(page_el: Any, reader: _Reader) -> list[tuple[Any, Block]]:
    """The blocks a page's layout holds without any line or word in them.

    A paragraph (or an area without paragraphs) with a ``bbox`` or ``poly``
    of its own and no text element inside (layout analysis, or unocr's
    :meth:`~unocr.model.Block` without lines) is a block with text ``""``
    and no lines. Tesseract writes no such element (its pictures and rules
    are ``ocr_photo`` and ``ocr_separator``, which are not read).

    Args:
        page_el: The ``ocr_page`` element.
        reader: The page's reader (languages and confidences).

    Returns:
        Each such element with its block, in document order.
    """
    inner = set(_LINE_CLASSES + _WORD_CLASSES)
    out: list[tuple[Any, Block]] = []
    for el in _find(page_el, _BLOCK_CLASSES + _AREA_CLASSES):
        is_area = not _classes(el) & set(_BLOCK_CLASSES)
        if any(
            _classes(x) & inner or (is_area and _classes(x) & set(_BLOCK_CLASSES))
            for x in el.iter()
            if x is not el
        ):
            continue
        props = parse_title(el.get("title", ""))
        geometry = _geometry(props)
        if geometry is None:
            continue
        confidence = _confidence(props, "x_wconf") if reader.own_confidence else None
        out.append(
            (
                el,
                Block(
                    text="",
                    geometry=geometry,
                    confidence=confidence,
                    language=reader.language(el),
                    lines=(),
                ),
            )
        )
    return out


def _is_alternative(el: Any) -> bool:
    """Whether ``el`` holds an alternative reading rather than the text.

    Tesseract's ``lstm_choice_mode`` nests the LSTM's choices in symbol
    spans without a box; hOCR's ``alternatives`` markup keeps the first
    reading in ``ins`` and the others in ``del``.
    """
    if local_name(el) == "del":
        return True
    if not _classes(el) & set(_SYMBOL_CLASSES):
        return False
    props = parse_title(el.get("title", ""))
    return not {"bbox", "x_bboxes", "poly"} & props.keys()


def _own_text(el: Any) -> str:
    """The text of ``el`` without the alternative readings it holds.

    Where nothing is left (characters in symbol spans without boxes), all of
    its text.
    """
    parts: list[str] = []
    # Depth first without recursion (a file may nest thousands deep): a node
    # gives its text, each child its own text, then the child's tail.
    stack: list[tuple[Any, bool]] = [(el, False)]
    while stack:
        node, tail = stack.pop()
        if tail:
            parts.append(node.tail or "")
            continue
        parts.append(node.text or "")
        for child in reversed(node):
            stack.append((child, True))
            if isinstance(child.tag, str) and not _is_alternative(child):
                stack.append((child, False))
    text = "".join(parts)
    return text if text.strip() else "".join(el.itertext())


def _quote_name(name: str) -> str:
    """A file name for the ``image "..."`` property: ``%`` and ``"`` escaped.

    Examples:
        >>> _quote_name('say "hi" 100%.png')
        'say %22hi%22 100%25.png'
    """
    return name.replace("%", "%25").replace('"', "%22")


def _unquote_name(name: str) -> str:
    """The inverse of :func:`_quote_name` (``%25`` last, so ``%2522`` is ``%22``).

    Examples:
        >>> _unquote_name("report%2522 %22x%22.png")
        'report%22 "x".png'
    """
    return name.replace("%22", '"').replace("%25", "%")


def _find(root: Any, classes: tuple[str, ...]) -> Iterator[Any]:
    wanted = set(classes)
    for el in root.iter():
        if _classes(el) & wanted:
            yield el


def _ancestor(el: Any, classes: tuple[str, ...], stop: Any) -> Any | None:
    wanted = set(classes)
    node = el.getparent()
    while node is not None and node is not stop:
        if _classes(node) & wanted:
            return node
        node = node.getparent()
    return None


def parse_tree(data: str | bytes, limits: ReadLimits | None = None) -> Any:
    """The element tree of an hOCR document.

    Args:
        data: The XHTML/HTML text or bytes.
        limits: Size, element and depth limits; defaults when ``None``.

    Returns:
        The root element (lxml): parsed as XML where the document is
        well-formed, else as HTML (hOCR is HTML).

    Raises:
        FormatError: Over the limits, cut short, not readable whole, or
            hostile markup (see :mod:`unocr.formats.safe_xml`).
    """
    return parse_markup(data, what="hOCR", limits=limits)


def page_elements(root: Any) -> list[Any]:
    """The pages of an hOCR tree: its elements of class ``ocr_page``.

    Args:
        root: The tree's root (from :func:`parse_tree`).

    Returns:
        The page elements in document order (``class="ocr_page hocr-page"``
        is one: the class attribute is a list).
    """
    return list(_find(root, ("ocr_page",)))


def loads(data: str | bytes, limits: ReadLimits | None = None) -> Page:
    """Read an hOCR document (one page).

    Args:
        data: The XHTML/HTML text or bytes.
        limits: Size, element and depth limits; defaults when ``None``.

    Returns:
        The page; ``width``/``height`` from the ``ocr_page`` bbox.

    Raises:
        FormatError: No ``ocr_page``, several pages, malformed properties, or
            hostile markup (see :mod:`unocr.formats.safe_xml`).
    """
    from unocr.model.layout import group_lines, group_words

    root = parse_tree(data, limits)
    pages = page_elements(root)
    if not pages:
        raise FormatError("not an hOCR document: no element with class 'ocr_page'")
    if len(pages) > 1:
        raise FormatError(
            f"hOCR document holds {len(pages)} pages; loads reads one page: "
            "read it with loads_pages (unocr.formats.loads_pages)"
        )
    page_el = pages[0]
    system = _meta(root, "ocr-system")
    reader = _Reader(page_el, exact_text=_by_unocr(system))
    props = parse_title(page_el.get("title", ""))
    page_box = _geometry(props)

    # Keyed by id() of block elements, which ``groups`` keeps alive.
    groups: dict[int, tuple[Any | None, list[Line]]] = {}
    order: list[int] = []
    anchors: list[Any] = []  # each group's block element, else its first line
    line_els = list(_find(page_el, _LINE_CLASSES))
    for line_el in line_els:
        if _ancestor(line_el, _LINE_CLASSES, page_el) is not None:
            continue  # nested line classes: the outer one counts
        line = reader.line(line_el)
        if line is None:
            continue
        block_el = _ancestor(line_el, _BLOCK_CLASSES, page_el)
        if block_el is None:
            block_el = _ancestor(line_el, _AREA_CLASSES, page_el)
        key = id(block_el) if block_el is not None else -len(order) - 1
        if block_el is None and order and order[-1] < 0:
            key = order[-1]  # consecutive lines outside any block share one
        if key not in groups:
            groups[key] = (block_el, [])
            order.append(key)
            anchors.append(line_el if block_el is None else block_el)
        groups[key][1].append(line)
    blocks = [reader.block(groups[k][0], groups[k][1]) for k in order]
    empty = _empty_blocks(page_el, reader)
    if empty:  # in their place among the others, in document order
        place = {id(el): n for n, el in enumerate(page_el.iter())}
        placed = sorted(
            [*zip(anchors, blocks, strict=True), *empty],
            key=lambda pair: place[id(pair[0])],
        )
        blocks = [b for _, b in placed]

    stray_els = [
        el
        for el in _find(page_el, _WORD_CLASSES)
        if _ancestor(el, _LINE_CLASSES, page_el) is None
    ]
    stray = [w for w in (reader.word(el, None) for el in stray_els) if w is not None]
    if stray:  # words outside any line: lines and blocks from their layout
        blocks.extend(group_lines(group_words(stray)))

    if page_box is not None:
        bounds = page_box.bounds
        width, height = page_size(max(0.0, bounds.x1), max(0.0, bounds.y1), "hOCR")
    elif blocks:
        extent = enclosing_box(b.geometry for b in blocks)
        width, height = page_size(max(0.0, extent.x1), max(0.0, extent.y1), "hOCR")
    else:
        width = height = 0
    languages = _meta(root, "ocr-langs")
    if _PAGE_LANGS in props:
        languages = " ".join(props[_PAGE_LANGS])
    if _PAGE_SYSTEM in props:
        system = _unquote_name(" ".join(props[_PAGE_SYSTEM]).strip('"'))
    image = props.get("image")
    ppageno = props.get("ppageno")
    index = whole_number(ppageno[0], "hOCR page index (ppageno)") if ppageno else None
    return Page(
        width=width,
        height=height,
        blocks=tuple(blocks),
        backend=_backend(system),
        languages=languages_in(blocks)
        if languages is None
        else tuple(c for c in map(parse_asked_language, languages.split()) if c),
        source=read_source(
            _unquote_name(" ".join(image).strip('"')) if image else None,
            index,
        ),
    )


def _meta(root: Any, name: str) -> str | None:
    for el in root.iter():
        if local_name(el) == "meta" and el.get("name") == name:
            content = el.get("content")
            return str(content) if content is not None else None
    return None


def _by_unocr(system: str | None) -> bool:
    """Whether an ``ocr-system`` names unocr, whose words hold their exact text."""
    parts = (system or "").split()
    return bool(parts) and parts[0] == "unocr"


def _backend(system: str | None) -> str | None:
    """The engine an ``ocr-system`` names: all after ``unocr`` (spaces too)."""
    parts = (system or "").split(maxsplit=1)
    if not parts:
        return None
    if parts[0].lower() == "unocr":
        return parts[1] if len(parts) > 1 else None
    if parts[0].lower() == "tesseract":
        return "tesseract"
    return None

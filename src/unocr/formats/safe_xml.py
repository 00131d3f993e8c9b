"""Safe XML parsing for hOCR, ALTO and PAGE-XML input.

OCR files come from anywhere, so parsing them must not be an attack surface:

* no entity is ever expanded or resolved (``resolve_entities=False``), and a
  document that *declares* entities (``<!ENTITY``, the billion-laughs and
  external-entity attacks) is refused outright;
* nothing is ever fetched (``no_network=True``, ``load_dtd=False``): a
  ``<!DOCTYPE ... "http://...">`` line, as Tesseract writes in hOCR, is
  accepted but never followed;
* libxml2's size limits stay on: no text node or attribute value over 10 MB,
  no name over 50 000 characters. libxml2 also stops at 256 levels of
  nesting unless ``huge_tree`` lifts its limits; unocr lifts them only for a
  ``max_depth`` above 256 (or ``None``), and then checks those sizes itself;
* the input's size, element count and nesting depth are capped by
  :class:`~unocr.limits.ReadLimits` (the ``max_bytes``, ``max_elements`` and
  ``max_depth`` arguments of :func:`unocr.formats.load`), the count and depth
  checked while parsing so a hostile file is stopped early;
* a document is read whole or not at all: a file cut short, or HTML that
  lxml's recovering parser could read only in part, is an error.

Every failure is a :class:`~unocr.errors.FormatError`.

lxml is imported inside the functions, so ``import unocr`` stays free of it.
"""

from __future__ import annotations

import codecs
import functools
import re
from collections.abc import Callable, Collection
from typing import Any, TypeVar

from unocr.errors import BackendUnavailableError, FormatError, XmlSyntaxError
from unocr.limits import ReadLimits, check_limit

__all__ = [
    "NsReader",
    "XmlSyntaxError",
    "declared_text",
    "language_code",
    "local_name",
    "lxml_etree",
    "namespace",
    "parse_document",
    "parse_html",
    "parse_markup",
    "parse_xml",
    "xml_pull_parser",
]

_CHUNK = 1 << 16
# What every pull parser here shares: its events, nothing fetched from the
# network, comments and processing instructions dropped (never content).
_PULL: dict[str, Any] = {
    "events": ("start", "end"),
    "no_network": True,
    "remove_comments": True,
    "remove_pis": True,
}

# libxml2's fixed limits, which lxml's ``huge_tree`` (XML_PARSE_HUGE) lifts:
# text nodes and attribute values (XML_MAX_TEXT_LENGTH, in bytes), names
# (XML_MAX_NAME_LENGTH) and nesting.
_MAX_TEXT = 10_000_000
_MAX_NAME = 50_000
_LIBXML2_DEPTH = 256
_EXCESSIVE_DEPTH = re.compile(r"Excessive depth in document: (\d+)")
# libxml2's error codes for a size limit hit: XML_ERR_NO_MEMORY (its "huge text
# node" before 2.14), XML_ERR_NAME_TOO_LONG and XML_ERR_RESOURCE_LIMIT; and its
# messages for those it reports under other codes.
_LIMIT_CODES = frozenset({2, 110, 114})
_LIMIT_MESSAGE = re.compile(
    r"huge input lookup|huge text node|XML_PARSE_HUGE|too long", re.IGNORECASE
)
# XML_ERR_TAG_NOT_FINISHED: the input ends with elements open, and was
# well-formed up to there ("Premature end of data in tag ...").
_TAG_NOT_FINISHED = 77
# libxml2's error level XML_ERR_ERROR (below it: warnings).
_LIBXML2_ERROR = 2
# What libxml2's HTML parser reports while keeping every character: an end tag
# that closes nothing or several elements (XML_ERR_TAG_NAME_MISMATCH), a
# repeated attribute, of which HTML keeps the first (XML_ERR_ATTRIBUTE_REDEFINED),
# a misplaced <html>, <head> or <body> tag (XML_HTML_STRUCURE_ERROR) and, before
# libxml2 2.14, a tag HTML does not define (XML_HTML_UNKNOWN_TAG) and an entity
# reference without its ';' (XML_ERR_ENTITYREF_SEMICOL_MISSING, kept as text).
_HTML_HARMLESS = frozenset({76, 42, 800, 801, 23})
# XML_ERR_NAME_REQUIRED: harmless where it is a bare '&' (htmlParseEntityRef),
# kept as text; elsewhere a tag skipped.
_NAME_REQUIRED = 68
# Elements whose end tag HTML lets a document leave out.
_HTML_END_OPTIONAL = frozenset(
    {"html", "head", "body", "p", "li", "dt", "dd", "rt", "rp", "optgroup", "option"}
    | {"colgroup", "caption", "thead", "tbody", "tfoot", "tr", "td", "th"}
)

_T = TypeVar("_T")


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_ENTITY_DECL = re.compile(rb"<\s*!\s*ENTITY", re.IGNORECASE)
# A reference to a named entity other than XML's five predefined ones.
_ENTITY_REF = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)[A-Za-z_:][\w.:-]*;")
# A character set named by <meta charset=...> or <meta http-equiv content=...>.
_META_CHARSET = re.compile(
    rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([A-Za-z][\w.:-]*)""", re.IGNORECASE
)


_DECLARED = re.compile(
    rb"""^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']"""
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def declared_text(data: bytes) -> str:
    """An XML document's bytes as text, in the encoding its BOM or declaration names.

    For looking into a document (its root tag, a reference); the XML parser
    reads the bytes themselves. Without a BOM or declaration: UTF-8.

    Args:
        data: The document, or its first bytes.

    Returns:
        The text; undecodable bytes become U+FFFD.
    """
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        declared = _DECLARED.match(data)
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:  # an encoding Python does not know
        return data.decode("utf-8", errors="replace")


def lxml_etree() -> Any:
    """Import ``lxml.etree``, or say how to install it.

    Returns:
        The ``lxml.etree`` module.

    Raises:
        unocr.errors.BackendUnavailableError: lxml is not installed (an
            ``ImportError``).
    """
    try:
        from lxml import etree
    except ImportError as exc:  # pragma: no cover - lxml is a dependency
        raise BackendUnavailableError(
            "reading and writing hOCR, ALTO and PAGE-XML needs the lxml package.",
            fix="pip install 'lxml>=5'",
        ) from exc
    return etree


def xml_pull_parser(*, huge: bool = False) -> Any:
    """An lxml pull parser for XML with unocr's safety settings.

    No entity is expanded, no DTD loaded and nothing fetched from the
    network; comments and processing instructions are dropped, so they never
    look like content. Events: ``start`` and ``end``.

    Args:
        huge: Lift libxml2's own size and depth limits (``huge_tree``), for
            limits of one's own set above them.

    Returns:
        An ``lxml.etree.XMLPullParser``.
    """
    return lxml_etree().XMLPullParser(
        resolve_entities=False, load_dtd=False, huge_tree=huge, **_PULL
    )


def _check_declarations(data: bytes, what: str) -> None:
    probes = [data]
    if (
        data.startswith((b"\xff\xfe", b"\xfe\xff"))
        or b"\x00<" in data[:4]
        or (b"<\x00" in data[:4])
    ):
        probes.extend(
            data.decode(enc, errors="ignore").encode("utf-8")
            for enc in ("utf-16-le", "utf-16-be")
        )
    for probe in probes:
        if _ENTITY_DECL.search(probe):
            raise FormatError(
                f"refusing to parse {what}: it declares XML entities (<!ENTITY>), "
                "which unocr never expands (entity-expansion and external-entity "
                "attacks); remove the DOCTYPE's internal subset"
            )


def _limit_size(data: str | bytes, what: str, max_bytes: int | None) -> bytes:
    if isinstance(data, str):
        # lxml refuses str input that carries an encoding declaration; the text
        # is already decoded, so the declaration no longer applies.
        try:
            # the whole text is checked, the declaration taken out too
            declaration = _XML_DECL.match(data)
            if declaration is not None:
                declaration.group(0).encode("utf-8")
            data = _XML_DECL.sub("", data, count=1).encode("utf-8")
        except UnicodeEncodeError as exc:
            raise FormatError(
                f"{what} text holds a character that is not Unicode text "
                f"({exc.reason}, at position {exc.start}); pass the document as "
                "the bytes of the file"
            ) from None
    check_limit(
        len(data),
        max_bytes,
        what=what,
        unit="bytes",
        argument="max_bytes",
        error=FormatError,
    )
    return data


def _too_deep(what: str, max_depth: int | None, depth: int) -> FormatError:
    return FormatError(
        f"{what} nests elements more than {max_depth} deep (at least {depth}); "
        f"refusing to parse it (a real OCR file nests about 10 deep); pass "
        "max_depth= to raise the limit"
    )


def _deeper_than_libxml2(what: str, depth: int) -> FormatError:
    return FormatError(
        f"{what} nests elements at least {depth} deep, deeper than libxml2 (the "
        "XML parser unocr uses) reads at any max_depth; refusing to parse it (a "
        "real OCR file nests about 10 deep)"
    )


def _over_size(what: str, detail: str) -> FormatError:
    return FormatError(
        f"{what} holds a text, attribute value or name over libxml2's size limits "
        f"(10 MB of text, 50,000 characters of name): {detail}; refusing to parse "
        "it (no real OCR file comes near them)"
    )


def _check_elements(count: int, what: str, max_elements: int | None) -> None:
    check_limit(
        count,
        max_elements,
        what=what,
        unit="elements (or more)",
        argument="max_elements",
        error=FormatError,
    )


def _huge(limits: ReadLimits) -> bool:
    """Whether the depth limit asks for more than libxml2's own 256 levels.

    Only then is lxml's ``huge_tree`` set; as it lifts libxml2's size limits
    too, :class:`_Walk` applies them instead.
    """
    return limits.max_depth is None or limits.max_depth > _LIBXML2_DEPTH


def _limit_error(
    what: str, limits: ReadLimits, huge: bool, code: int, message: str
) -> FormatError | None:
    """The error for a limit libxml2 reports; ``None`` for another error."""
    depth = _EXCESSIVE_DEPTH.search(message)
    if depth is not None:  # libxml2 counts the levels it holds: one more was found
        found = int(depth.group(1)) + 1
        if huge:
            return _deeper_than_libxml2(what, found)
        return _too_deep(what, limits.max_depth, found)
    if code in _LIMIT_CODES or _LIMIT_MESSAGE.search(message):
        return _over_size(what, message.strip())
    return None


def _over_bytes(text: str, limit: int) -> bool:
    """Whether ``text`` takes more than ``limit`` bytes in UTF-8."""
    if len(text) <= limit // 4:
        return False
    return len(text) > limit or len(text.encode("utf-8")) > limit


class _Walk:
    """Checks the elements a pull parser reports against the limits, as they come.

    Args:
        what: Name of the document for error messages.
        limits: The element-count and depth limits.
        huge: Whether ``huge_tree`` is on: libxml2's size limits are then
            checked here, on each element as it closes.
    """

    def __init__(self, what: str, limits: ReadLimits, huge: bool) -> None:
        self.what = what
        self.limits = limits
        self.huge = huge
        self.open: list[Any] = []
        self.count = 0

    def take(self, parser: Any) -> None:
        """Check the elements ``parser`` started and ended since the last call.

        Raises:
            FormatError: More elements or deeper nesting than the limits
                allow, or (``huge``) a text, value or name over libxml2's.
        """
        max_depth = self.limits.max_depth
        for event, element in parser.read_events():
            if event == "start":
                self.open.append(element)
                self.count += 1
                if max_depth is not None and len(self.open) > max_depth:
                    raise _too_deep(self.what, max_depth, len(self.open))
            else:
                self.open.pop()
                if self.huge:
                    self._check_sizes(element)
        _check_elements(self.count, self.what, self.limits.max_elements)

    def _check_sizes(self, element: Any) -> None:
        # Closed: its text, attributes and children's tails are complete.
        texts = [element.text, *(child.tail for child in element)]
        for text in (*texts, *element.attrib.values()):
            if text is not None and _over_bytes(text, _MAX_TEXT):
                raise _over_size(self.what, f"{len(text):,} characters in one piece")
        for name in (element.tag, *element.attrib):
            if isinstance(name, str) and len(name.rsplit("}", 1)[-1]) > _MAX_NAME:
                raise _over_size(self.what, f"a name of {len(name):,} characters")


def _feed(parser: Any, data: str | bytes, walk: _Walk) -> tuple[Any, list[Any]]:
    """Parse ``data`` with a pull parser, in chunks, checked by ``walk``.

    Returns:
        The root element, and the elements still open where the input ended
        (lxml's HTML parser closes them itself).
    """
    for offset in range(0, len(data), _CHUNK):
        parser.feed(data[offset : offset + _CHUNK])
        walk.take(parser)
    left_open = list(walk.open)
    root = parser.close()
    walk.take(parser)
    return root, left_open


def parse_xml(
    data: str | bytes, *, what: str = "XML document", limits: ReadLimits | None = None
) -> Any:
    """Parse XML without expanding entities, fetching anything or recursing deep.

    Args:
        data: The document as text or bytes (bytes honour the XML
            declaration's encoding).
        what: Name of the document for error messages, e.g. ``"ALTO"``.
        limits: Size, element-count and depth limits; the defaults of
            :class:`~unocr.limits.ReadLimits` when ``None``.

    Returns:
        The root ``lxml.etree._Element``.

    Raises:
        FormatError: Entity declarations, or size, element count, depth or
            a text, value or name over the limits.
        XmlSyntaxError: Not well-formed, or cut short (the message says
            which).
    """
    etree = lxml_etree()

    limits = limits or ReadLimits()
    raw = _limit_size(data, what, limits.max_bytes)
    _check_declarations(raw, what)
    huge = _huge(limits)
    parser = xml_pull_parser(huge=huge)
    try:
        root, _ = _feed(parser, raw, _Walk(what, limits, huge))
    except etree.XMLSyntaxError as exc:
        limit = _limit_error(what, limits, huge, exc.code, str(exc))
        if limit is not None:
            raise limit from exc
        if exc.code == _TAG_NOT_FINISHED:
            raise XmlSyntaxError(
                f"{what} is not well-formed XML: it is cut short, ending before "
                f"its elements are closed ({exc}); unocr reads only complete files"
            ) from exc
        raise XmlSyntaxError(f"{what} is not well-formed XML: {exc}") from exc
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    if dtd is not None and (list(dtd.entities()) or list(dtd.iterelements())):
        raise FormatError(
            f"refusing to parse {what}: its DOCTYPE declares entities or elements; "
            "unocr accepts a DOCTYPE line but never an internal DTD subset"
        )
    # Without a DOCTYPE libxml2 rejects undeclared entities itself; with one it
    # keeps them as nodes in text and silently drops them from attributes.
    match = _ENTITY_REF.search(raw) if docinfo.doctype else None
    if match is not None or any(isinstance(n, etree._Entity) for n in root.iter()):
        name = match.group().decode("ascii", "replace") if match else "an entity"
        raise XmlSyntaxError(
            f"{what} references the undeclared entity {name}; unocr never "
            "resolves entities (use the character itself or &#NNNN;)"
        )
    return root


def parse_markup(
    data: str | bytes, *, what: str, limits: ReadLimits | None = None
) -> Any:
    """Parse XHTML as XML, and HTML that is not well-formed XML as HTML.

    For hOCR, which is HTML. A document that is well-formed XML up to where
    it ends too early is cut short, not HTML: it is refused, not read in part.

    Args:
        data: The document as text or bytes.
        what: Name of the document for error messages, e.g. ``"hOCR"``.
        limits: Size, element-count and depth limits; defaults when ``None``.

    Returns:
        The root element.

    Raises:
        FormatError: As :func:`parse_xml` and :func:`parse_html` raise it.
    """
    try:
        return parse_xml(data, what=what, limits=limits)
    except XmlSyntaxError as exc:
        if getattr(exc.__cause__, "code", None) == _TAG_NOT_FINISHED:
            raise
        return parse_html(data, what=what, limits=limits)


def _c1_as_windows_1252() -> dict[int, str]:
    """What HTML reads bytes 0x80-0x9F as under a Latin-1 label (windows-1252).

    The five bytes windows-1252 leaves undefined stay their C1 characters,
    as the WHATWG Encoding Standard decodes them.
    """
    table: dict[int, str] = {}
    for byte in range(0x80, 0xA0):
        try:
            table[byte] = bytes([byte]).decode("cp1252")
        except UnicodeDecodeError:
            table[byte] = chr(byte)
    return table


# HTML (the WHATWG Encoding Standard) reads these labels as windows-1252, as
# browsers do: files so labelled hold its quotes, dashes and euro sign.
_LATIN1_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1",
     "cp819", "ibm819", "iso-ir-100", "csisolatin1", "us-ascii", "ascii",
     "windows-1252", "cp1252", "x-cp1252"}
)  # fmt: skip
_WINDOWS_1252_C1 = _c1_as_windows_1252()


def _html_text(data: bytes, what: str) -> str:
    """An HTML document's bytes as text, in the encoding the document names.

    A byte-order mark names it, else a ``<meta charset>`` or ``<meta
    http-equiv="Content-Type">`` in the first 64 KiB, else an XML
    declaration; without any, UTF-8. A Latin-1 or ASCII label means
    windows-1252, as it does in HTML.

    Raises:
        FormatError: The bytes are not in that encoding, or Python does not
            know it.
    """
    encoding = next((enc for bom, enc in _BOMS if data.startswith(bom)), None)
    if encoding is None:
        declared = _META_CHARSET.search(data, 0, _CHUNK) or _DECLARED.match(data)
        encoding = declared.group(1).decode("ascii").lower() if declared else "utf-8"
        if encoding.startswith(("utf-16", "utf-32")):
            encoding = "utf-8"  # found in ASCII bytes: not what the bytes are
    if encoding in _LATIN1_LABELS:
        return data.decode("latin-1").translate(_WINDOWS_1252_C1)
    try:
        text = data.decode(encoding)
        text.encode("utf-8")  # UTF-7 and its like decode to lone surrogates too
    except LookupError:
        raise FormatError(
            f"{what} declares the character set {encoding!r}, which is no text "
            "encoding Python knows; save the file as UTF-8"
        ) from None
    except UnicodeEncodeError as exc:
        raise FormatError(
            f"{what} in {encoding} holds a lone surrogate (character {exc.start}), "
            "which is no text; save it as UTF-8"
        ) from None
    except ValueError as exc:  # UnicodeDecodeError, or another codec's error
        raise FormatError(
            f"{what} is not valid {encoding} ({exc}); save it in the encoding it "
            "declares, or declare the one it is in (<meta charset=...>; without "
            "one, unocr reads HTML as UTF-8)"
        ) from None
    return text


def _html_losses(log: Any) -> list[Any]:
    """The errors of libxml2's HTML parser not known to keep every character."""
    return [
        entry
        for entry in log
        if entry.level >= _LIBXML2_ERROR
        and entry.type not in _HTML_HARMLESS
        and not (entry.type == _NAME_REQUIRED and "EntityRef" in entry.message)
    ]


def _check_html_limits(
    losses: list[Any], what: str, limits: ReadLimits, huge: bool
) -> None:
    """Refuse HTML that breached a limit of libxml2's (it stops reading there).

    Raises:
        FormatError: The first such error, naming the limit.
    """
    for entry in losses:
        limit = _limit_error(what, limits, huge, entry.type, entry.message)
        if limit is not None:
            raise limit


def _check_html_losses(losses: list[Any], what: str) -> None:
    """Refuse HTML that libxml2's recovering parser could read only in part.

    Raises:
        FormatError: The first error of ``losses``.
    """
    if losses:
        entry = losses[0]
        raise FormatError(
            f"{what} can be read only in part as HTML (line {entry.line}: "
            f"{entry.message.strip()}); lxml's HTML parser would drop what it "
            "cannot read: repair the file"
        )


def _check_whole(text: str, left_open: list[Any], what: str) -> None:
    """Refuse HTML that ends before its content does: a file cut short.

    Raises:
        FormatError: An element HTML requires an end tag for is open where
            the document ends, or it ends inside a tag.
    """
    unclosed = [el for el in left_open if str(el.tag).lower() not in _HTML_END_OPTIONAL]
    if unclosed:
        el = unclosed[-1]
        raise FormatError(
            f"{what} is cut short: it ends inside <{el.tag}> (line {el.sourceline}) "
            "before that element's end tag; unocr reads only complete files"
        )
    tail = text[text.rfind(">") + 1 :]
    if "<" in tail:
        raise FormatError(
            f"{what} is cut short: it ends inside a tag ({tail.strip()[:40]!r}); "
            "unocr reads only complete files"
        )


def parse_html(
    data: str | bytes, *, what: str = "HTML document", limits: ReadLimits | None = None
) -> Any:
    """Parse HTML (for hOCR that is not well-formed XML) with the same guards.

    Text is read as it is; bytes in the encoding the document names (see
    :func:`_html_text`). libxml2's HTML parser recovers from errors by
    dropping what it cannot read, so the document is refused unless it was
    read whole: cut short, over libxml2's size limits or with any other
    loss, it is an error.

    Args:
        data: The document as text or bytes.
        what: Name of the document for error messages.
        limits: Size, element-count and depth limits (the latter two checked
            while parsing); the defaults of :class:`~unocr.limits.ReadLimits`
            when ``None``.

    Returns:
        The root ``lxml.etree._Element`` (``<html>``).

    Raises:
        FormatError: Entity declarations, undecodable bytes, over a limit,
            cut short, or not readable whole.
    """
    etree = lxml_etree()

    limits = limits or ReadLimits()
    raw = _limit_size(data, what, limits.max_bytes)
    _check_declarations(raw, what)
    text = data if isinstance(data, str) else _html_text(raw, what)
    # HTML reads NUL as U+FFFD; libxml2's push parser would stall at one
    text = text.replace("\x00", "\ufffd")
    huge = _huge(limits)
    parser = etree.HTMLPullParser(huge_tree=huge, default_doctype=False, **_PULL)
    try:
        root, left_open = _feed(parser, text, _Walk(what, limits, huge))
    except etree.XMLSyntaxError as exc:
        losses = _html_losses(parser.feed_error_log)
        _check_html_limits(losses, what, limits, huge)
        _check_html_losses(losses, what)
        raise FormatError(f"{what} cannot be parsed as HTML: {exc}") from exc
    # a limit stops the parser, which leaves elements open: say which first
    losses = _html_losses(parser.feed_error_log)
    _check_html_limits(losses, what, limits, huge)
    _check_whole(text, left_open, what)
    _check_html_losses(losses, what)
    if root is None:
        raise FormatError(f"{what} holds no HTML element")
    return root


@functools.lru_cache(maxsize=1024)  # a page repeats a few languages
def language_code(language: str | None) -> str | None:
    """A language as hOCR, ALTO and PAGE-XML write it: a valid code, or none.

    Args:
        language: An element's language, as a page holds it (a page built in
            Python or read from JSON may hold any string).

    Returns:
        The code :func:`unocr.languages.parse_language` makes of it
        (``"de_DE"`` -> ``"de-DE"``, ``"chi_sim"`` -> ``"zh-Hans"``);
        ``None`` for no language or a value that is no language code.
    """
    from unocr.languages import parse_language

    return parse_language(language)


def local_name(element: Any) -> str:
    """Tag name of an element without its namespace (``""`` for comments).

    Args:
        element: An lxml element.

    Returns:
        The local part of the tag, e.g. ``"TextLine"``.
    """
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(element: Any) -> str:
    """Namespace URI of an element's tag (``""`` where it has none).

    Args:
        element: An lxml element.

    Returns:
        The namespace URI.
    """
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1:].split("}", 1)[0]
    return ""


def parse_document(
    data: str | bytes,
    *,
    what: str,
    root: str,
    namespaces: Collection[str],
    known: str,
    limits: ReadLimits | None = None,
) -> tuple[Any, str]:
    """Parse an XML format's document and check its root element and namespace.

    Args:
        data: The document as text or bytes (as :func:`parse_xml` takes it).
        what: The format's name for the messages, e.g. ``"ALTO"``; "a" or
            "an" goes before it by its first letter.
        root: The local name of the format's root element, e.g. ``"alto"``.
        namespaces: The namespaces the reader reads (``""`` for none).
        known: What the message on another namespace says is read, e.g.
            ``"ALTO v2, v3 and v4"``.
        limits: Size, element-count and depth limits; defaults when ``None``.

    Returns:
        The root element and its namespace.

    Raises:
        FormatError: As :func:`parse_xml` raises it; or another root element,
            or a namespace not in ``namespaces``.
    """
    element = parse_xml(data, what=what, limits=limits)
    if local_name(element) != root:
        article = "an" if what[:1] in "AEIOU" else "a"
        raise FormatError(
            f"not {article} {what} document: the root element is "
            f"<{local_name(element)}>"
        )
    ns = namespace(element)
    if ns not in namespaces:
        raise FormatError(f"unknown {what} namespace {ns!r}; unocr reads {known}")
    return element, ns


class NsReader:
    """Base of the ALTO and PAGE-XML readers: elements of one namespace.

    Args:
        ns: The document's namespace URI; ``""`` for namespace-less tags.
    """

    def __init__(self, ns: str) -> None:
        self.ns = ns
        self._names: dict[str, str] = {}

    def q(self, tag: str) -> str:
        """``tag`` in the reader's namespace (Clark notation), bare without one.

        Examples:
            >>> NsReader("urn:x").q("Word"), NsReader("").q("Word")
            ('{urn:x}Word', 'Word')
        """
        name = self._names.get(tag)
        if name is None:  # once a tag: readers ask for a few, thousands of times
            name = self._names[tag] = f"{{{self.ns}}}{tag}" if self.ns else tag
        return name

    def children(self, el: Any, tag: str, read: Callable[[Any], _T | None]) -> list[_T]:
        """Read each ``tag`` child of ``el`` in document order.

        Args:
            el: The parent element.
            tag: The children's local name.
            read: Turns one child into a value, or ``None`` to leave it out.

        Returns:
            The values that are not ``None``.
        """
        return [x for x in (read(c) for c in el.iterfind(self.q(tag))) if x is not None]

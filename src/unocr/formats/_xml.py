"""Safe XML parsing for hOCR, ALTO and PAGE-XML input.

OCR files come from anywhere, so parsing them must not be an attack surface:

* no entity is ever expanded or resolved (``resolve_entities=False``), and a
  document that *declares* entities (``<!ENTITY``, the billion-laughs and
  external-entity attacks) is refused outright;
* nothing is ever fetched (``no_network=True``, ``load_dtd=False``): a
  ``<!DOCTYPE ... "http://...">`` line, as Tesseract writes in hOCR, is
  accepted but never followed;
* libxml2's own limits stay on (``huge_tree=False``: no text node over
  10 MB, no name over 50 000 characters); the input's size, element count and
  nesting depth are capped by :class:`~unocr.limits.ReadLimits` (the
  ``max_bytes``, ``max_elements`` and ``max_depth`` arguments of
  :func:`unocr.formats.load`), the count and depth checked while parsing so a
  hostile file is stopped early.

Every failure is a :class:`~unocr.errors.FormatError`.

lxml is imported inside the functions, so ``import unocr`` stays free of it.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from typing import Any, TypeVar

from unocr.errors import BackendUnavailableError, FormatError, XmlSyntaxError
from unocr.limits import ReadLimits, check_limit

__all__ = [
    "NsReader",
    "XmlSyntaxError",
    "declared_text",
    "local_name",
    "lxml_etree",
    "namespace",
    "parse_html",
    "parse_xml",
]

_CHUNK = 1 << 16

_T = TypeVar("_T")


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_ENTITY_DECL = re.compile(rb"<\s*!\s*ENTITY", re.IGNORECASE)
# A reference to a named entity other than XML's five predefined ones.
_ENTITY_REF = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)[A-Za-z_:][\w.:-]*;")


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


def _check_elements(count: int, what: str, max_elements: int | None) -> None:
    check_limit(
        count,
        max_elements,
        what=what,
        unit="elements (or more)",
        argument="max_elements",
        error=FormatError,
    )


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
        FormatError: Syntax error, entity declarations, size, element count
            or depth over the limits.
    """
    etree = lxml_etree()

    limits = limits or ReadLimits()
    max_depth = limits.max_depth
    raw = _limit_size(data, what, limits.max_bytes)
    _check_declarations(raw, what)
    parser = etree.XMLPullParser(
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    depth = count = 0
    try:
        for offset in range(0, len(raw), _CHUNK):
            parser.feed(raw[offset : offset + _CHUNK])
            for event, _element in parser.read_events():
                if event == "start":
                    depth += 1
                    count += 1
                    if max_depth is not None and depth > max_depth:
                        raise _too_deep(what, max_depth, depth)
                else:
                    depth -= 1
            _check_elements(count, what, limits.max_elements)
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        if "Excessive depth" in str(exc):  # libxml2's own limit (256)
            raise _too_deep(what, max_depth, depth) from exc
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


def parse_html(
    data: str | bytes, *, what: str = "HTML document", limits: ReadLimits | None = None
) -> Any:
    """Parse HTML (for hOCR that is not well-formed XML) with the same guards.

    Args:
        data: The document as text or bytes.
        what: Name of the document for error messages.
        limits: Size, element-count and depth limits (the latter two checked
            on the parsed tree); the defaults of
            :class:`~unocr.limits.ReadLimits` when ``None``.

    Returns:
        The root ``lxml.html.HtmlElement``.

    Raises:
        FormatError: Entity declarations, too large, or nothing parseable.
    """
    etree = lxml_etree()
    from lxml import html

    limits = limits or ReadLimits()
    raw = _limit_size(data, what, limits.max_bytes)
    _check_declarations(raw, what)
    parser = html.HTMLParser(
        no_network=True,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        default_doctype=False,
    )
    try:
        root = html.document_fromstring(raw, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise FormatError(f"{what} cannot be parsed as HTML: {exc}") from exc
    count = 0
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        count += 1
        if limits.max_depth is not None and depth > limits.max_depth:
            raise _too_deep(what, limits.max_depth, depth)
        stack.extend((child, depth + 1) for child in node)
    _check_elements(count, what, limits.max_elements)
    return root


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

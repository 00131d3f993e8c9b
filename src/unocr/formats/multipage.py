"""Several pages in one document: multi-page hOCR and ALTO, text, JSON Lines.

hOCR and ALTO hold any number of pages (``ocr_page`` divs, ``Layout/Page``
elements), so a whole PDF or TIFF becomes one file. Pages may differ in
engine, languages and file (a PDF's text-layer pages have no engine, a blank
page no language): each format states what the pages share once and what a
page has of its own on the page (:func:`unocr.formats.hocr.state_pages`,
:func:`unocr.formats.alto.state_pages`). Element ids get the page number
(``word_2_7`` in hOCR, ``p2_string_1_1_1`` in ALTO) so they stay unique.
Text separates pages with a form feed (as Tesseract does) and JSON becomes
JSON Lines, one page per line. PAGE-XML and TSV describe one page per file:
write them page by page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from unocr.errors import FormatError
from unocr.formats.names import checked_format

if TYPE_CHECKING:
    from unocr.model import Page

__all__ = ["MULTIPAGE_FORMATS", "dumps_pages", "loads_pages"]

#: Formats :func:`dumps_pages` writes as one document.
MULTIPAGE_FORMATS: tuple[str, ...] = ("text", "json", "hocr", "alto")

_HOCR_ID = re.compile(r"^(page|block|par|line|word)_1(_|$)")


def dumps_pages(pages: Sequence[Page], format: str) -> str:
    """Serialise several pages as one document.

    Args:
        pages: The pages, in order (at least one).
        format: ``"hocr"``, ``"alto"``, ``"text"`` or ``"json"`` (JSON Lines);
            ``"page-xml"`` and ``"tsv"`` only for a single page.

    Returns:
        The document.

    Raises:
        FormatError: No pages, or a one-page format given several.
    """
    from unocr.formats import dumps
    from unocr.model.serialize import json_text

    name = checked_format(format, "write")
    if not pages:
        raise FormatError("no pages to write")
    if len(pages) == 1 and name != "json":
        return dumps(pages[0], name)
    if name == "text":
        return "\n\f".join(dumps(p, "text") for p in pages)
    if name == "json":
        return "".join(
            json_text(p.to_dict(), separators=(",", ":")) + "\n" for p in pages
        )
    if name in ("hocr", "alto"):
        merge = _merge_hocr if name == "hocr" else _merge_alto
        return merge(pages)
    raise FormatError(
        f"{name} holds one page per file; write the {len(pages)} pages one by one "
        f"(multi-page formats: {', '.join(MULTIPAGE_FORMATS)})"
    )


def _tree(text: str) -> Any:
    from unocr.formats.safe_xml import lxml_etree

    etree = lxml_etree()
    return etree.fromstring(
        text.encode("utf-8"), etree.XMLParser(resolve_entities=False)
    )


def _head(text: str) -> str:
    return text[: text.index("<html") if "<html" in text else text.index("<alto")]


def _merge_hocr(pages: Sequence[Page]) -> str:
    from unocr.formats import hocr
    from unocr.formats.hocr import page_elements
    from unocr.formats.safe_xml import lxml_etree

    etree = lxml_etree()
    docs = [hocr.dumps(p) for p in pages]
    first = _tree(docs[0])
    body = next(el for el in first.iter() if str(el.tag).endswith("body"))
    for number, doc in enumerate(docs[1:], start=2):
        tree = _tree(doc)
        for el in tree.iter():
            ident = el.get("id")
            if ident:
                el.set("id", _HOCR_ID.sub(rf"\g<1>_{number}\g<2>", ident))
        body.append(page_elements(tree)[0])
    for el in first.iter():
        if str(el.tag).endswith("meta") and el.get("name") == "ocr-number-of-pages":
            el.set("content", str(len(docs)))
    hocr.state_pages(first, pages)
    return _head(docs[0]) + str(
        etree.tostring(first, encoding="unicode", pretty_print=True)
    )


def _merge_alto(pages: Sequence[Page]) -> str:
    from unocr.formats import alto
    from unocr.formats.safe_xml import lxml_etree

    etree = lxml_etree()
    docs = [alto.dumps(p) for p in pages]
    first = _tree(docs[0])
    layout = next(el for el in first if str(el.tag).endswith("Layout"))
    for number, doc in enumerate(docs[1:], start=2):
        tree = _tree(doc)
        for el in tree.iter():
            ident = el.get("ID")
            if ident and not str(el.tag).endswith("Processing"):
                el.set("ID", f"p{number}_{ident}")
        page = next(el for el in tree.iter() if str(el.tag).endswith("}Page"))
        layout.append(page)
    alto.state_pages(first, pages)
    return _head(docs[0]) + str(
        etree.tostring(first, encoding="unicode", pretty_print=True)
    )


def loads_pages(data: str | bytes, format: str | None = None) -> list[Page]:
    """Read every page of a document: multi-page hOCR or ALTO, or JSON Lines.

    Args:
        data: The document.
        format: As for :func:`unocr.formats.loads`; sniffed when ``None``.

    Returns:
        The pages in order (one for single-page formats).

    Raises:
        FormatError: Malformed document, or a format name it cannot read.
    """
    from unocr.formats import loads, sniff_format

    if isinstance(data, bytearray):
        data = bytes(data)
    name = sniff_format(data) if format is None else checked_format(format, "read")
    if name == "json":
        text = _json_text(data)
        if text.lstrip().startswith("{") and "\n{" in text.strip():
            # split at "\n" only: JSON strings may hold U+2028, U+0085 and the like
            return [loads(line, "json") for line in text.split("\n") if line.strip()]
    if name not in ("hocr", "alto"):
        return [loads(data, name)]
    from unocr.formats import alto, safe_xml
    from unocr.formats.hocr import page_elements, parse_tree

    # bytes go to the parser as they are: it honours the declared encoding
    if name == "alto":
        tree = safe_xml.parse_xml(data, what="ALTO")
        pages = [el for el in tree.iter() if safe_xml.local_name(el) == "Page"]
    else:
        tree = parse_tree(data)
        pages = page_elements(tree)
    if len(pages) <= 1:
        return [loads(data, name)]
    read = loads
    if name == "alto":  # one page alone may not show how the pages are numbered
        read = partial(_alto_page, from_zero=alto.numbered_from_zero(tree))
    container = pages[0].getparent()
    if any(p.getparent() is not container for p in pages):
        raise FormatError(f"{name} pages must share one parent element")
    for page in pages:
        container.remove(page)
    etree = safe_xml.lxml_etree()
    out: list[Page] = []
    for page in pages:
        container.append(page)
        out.append(read(etree.tostring(tree, encoding="unicode"), name))
        container.remove(page)
    return out


def _alto_page(text: str, name: str, *, from_zero: bool) -> Page:
    """One page of a split ALTO document, its pages numbered as the whole's."""
    from unocr.formats import alto, document_errors

    with document_errors(name):
        return alto.loads(text, from_zero=from_zero)


def _json_text(data: str | bytes) -> str:
    """JSON (Lines) as text: bytes must be UTF-8, as JSON requires."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"JSON is not UTF-8 (byte {exc.start}: {exc.reason}); save it as UTF-8"
        ) from None

"""Read and write OCR results in the standard formats.

One entry point per direction, dispatching on a format name:

============  =====  =====  ==============================================
format        write  read   what
============  =====  =====  ==============================================
``text``      yes    no     plain text in reading order
``json``      yes    yes    unocr's own lossless JSON (``unocr.page/1``)
``hocr``      yes    yes    hOCR 1.2 (XHTML)
``alto``      yes    yes    ALTO 4.4 out; ALTO v2, v3 and v4 in
``page-xml``  yes    yes    PAGE-XML 2019-07-15 out; 2013, 2017, 2019 in
``tsv``       yes    yes    Tesseract's TSV (12 columns, levels 1-5)
``gcv``       no     yes    a Google Cloud Vision ``AnnotateImageResponse``
============  =====  =====  ==============================================

``"page"``, the name of PAGE-XML before 0.2, is accepted with a
``DeprecationWarning`` until the next release.

What each format keeps and loses is documented in ``docs/formats.md``.

Examples:
    >>> from unocr.geometry import Box
    >>> from unocr.model import Page, Word
    >>> page = Page.from_words(
    ...     [Word(text="Hello", geometry=Box(10, 10, 60, 30), confidence=0.9)],
    ...     width=100, height=50)
    >>> dumps(page, "tsv").splitlines()[-1].split()
    ['5', '1', '1', '1', '1', '1', '10', '10', '50', '20', '90', 'Hello']
    >>> loads(dumps(page, "alto")).text
    'Hello'
"""

from __future__ import annotations

import importlib
import io
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Protocol, TypedDict, cast

from typing_extensions import Unpack

from unocr._files import open_regular_file
from unocr._lazy import check_keywords
from unocr.errors import FormatError, GeometryError, ModelError
from unocr.formats.multipage import MULTIPAGE_FORMATS, dumps_pages, loads_pages
from unocr.formats.names import (
    READ_FORMATS,
    WRITE_FORMATS,
    canonical_format,
    checked_format,
)
from unocr.formats.safe_xml import declared_text
from unocr.limits import DEFAULT_MAX_BYTES, ReadLimits, check_limit

if TYPE_CHECKING:
    from unocr.model import Page

__all__ = [
    "MAX_INPUT_BYTES",
    "MULTIPAGE_FORMATS",
    "READ_FORMATS",
    "WRITE_FORMATS",
    "ReadLimitArgs",
    "canonical_format",
    "dumps",
    "dumps_pages",
    "infer_format",
    "load",
    "load_pages",
    "loads",
    "loads_pages",
    "save",
    "save_pages",
    "sniff_format",
]

#: Default largest input :func:`load`/:func:`loads` accept, in bytes (256 MiB;
#: ``max_bytes=`` raises it). The same value as
#: :data:`unocr.limits.DEFAULT_MAX_BYTES`.
MAX_INPUT_BYTES = DEFAULT_MAX_BYTES
# Bytes read at a time from a file.
_READ_CHUNK = 1 << 20


class ReadLimitArgs(TypedDict, total=False):
    """The limits :func:`load` and :func:`loads` take as keyword arguments.

    Each is an ``int``, or ``None`` for "no limit"; one not passed keeps its
    default, that of :class:`~unocr.limits.ReadLimits` (see
    :mod:`unocr.limits`). A limit exceeded is a
    :class:`~unocr.errors.FormatError` whose message names the argument.

    Attributes:
        max_bytes: Largest document accepted, in bytes (characters for text);
            :func:`load` reads a file in chunks and stops as soon as it passes
            it. Default :data:`~unocr.limits.DEFAULT_MAX_BYTES` (256 MiB).
        max_elements: Most elements accepted (XML elements, JSON objects,
            TSV rows), checked while reading. Default
            :data:`~unocr.limits.DEFAULT_MAX_ELEMENTS` (1 000 000).
        max_depth: Deepest nesting of XML elements or JSON lists and objects.
            Default :data:`~unocr.limits.DEFAULT_MAX_DEPTH` (200).
        max_pixels: Largest mask (height x width) a document may hold.
            Default :data:`~unocr.limits.DEFAULT_MAX_PIXELS` (100 megapixels).
    """

    max_bytes: int | None
    max_elements: int | None
    max_depth: int | None
    max_pixels: int | None


_MODULES = {
    "text": "unocr.formats.text",
    "json": "unocr.formats.json",
    "hocr": "unocr.formats.hocr",
    "alto": "unocr.formats.alto",
    "page-xml": "unocr.formats.page_xml",
    "tsv": "unocr.formats.tsv",
    "gcv": "unocr.formats.gcv",
}

# Suffixes in the order they are tried (longest first).
_SUFFIXES: tuple[tuple[str, str], ...] = (
    (".page.xml", "page-xml"),
    (".alto.xml", "alto"),
    (".hocr.html", "hocr"),
    (".pagexml", "page-xml"),
    (".alto", "alto"),
    (".hocr", "hocr"),
    (".html", "hocr"),
    (".htm", "hocr"),
    (".xhtml", "hocr"),
    (".jsonl", "json"),  # JSON Lines (one compact page a line in unocr read)
    (".json", "json"),
    (".tsv", "tsv"),
    (".txt", "text"),
)


class _Writer(Protocol):
    def dumps(self, page: Page) -> str: ...


class _Reader(Protocol):
    def loads(self, data: str | bytes, limits: ReadLimits | None = None) -> Page: ...


def _module(name: str) -> object:
    return importlib.import_module(_MODULES[name])


def dumps(page: Page, format: str) -> str:
    """Serialise a page to text in one of :data:`WRITE_FORMATS`.

    Args:
        page: The page to write.
        format: ``"text"``, ``"json"``, ``"hocr"``, ``"alto"``, ``"page-xml"``
            or ``"tsv"`` (case-insensitive; ``"txt"``, ``"html"``, ``"pagexml"``
            are accepted too, and the deprecated ``"page"``).

    Returns:
        The document as a string (XML formats carry an
        ``encoding="UTF-8"`` declaration: encode it as UTF-8 to store it).

    Raises:
        FormatError: Unknown format name.
    """
    name = checked_format(format, "write")
    writer = cast(_Writer, _module(name))
    return writer.dumps(page)


# How much of a document sniffing looks at first.
_HEAD = 1 << 16


def _as_text_head(data: str | bytes, size: int = _HEAD) -> str:
    head = data[:size]
    if isinstance(head, bytes):
        return declared_text(head)
    return head


_ROOT_TAG = re.compile(r"<(?![?!])(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


def sniff_format(data: str | bytes) -> str:
    """Guess the format of a serialised OCR result from its content.

    Args:
        data: The document (text or encoded bytes).

    Returns:
        One of :data:`READ_FORMATS`.

    Raises:
        FormatError: The content matches no known format.
    """
    head = _as_text_head(data).lstrip("\ufeff \t\r\n")
    if not head:
        raise FormatError("empty input: nothing to read (expected an OCR result)")
    if head[0] in "{[":
        return _sniff_json(head, data)
    if head.startswith("<"):
        match = _ROOT_TAG.search(_strip_prolog(head))
        root = match.group(1).lower() if match else ""
        if root == "alto":
            return "alto"
        if root == "pcgts":
            return "page-xml"
        if root in ("html", "body", "div") or "ocr_page" in head:
            return "hocr"
        raise FormatError(
            f"unrecognised XML document (root element {root or '?'!r}); unocr reads "
            "hOCR (<html>), ALTO (<alto>) and PAGE-XML (<PcGts>)"
        )
    first = head.split("\n", 1)[0].rstrip("\r")
    if first.startswith("level\tpage_num") or re.match(
        r"^[1-5](\t-?\d+){9}\t-?[\d.]+\t", first
    ):
        return "tsv"
    raise FormatError(
        "cannot tell the format of this input; name it (format= in Python, --from "
        f"on the command line): one of {', '.join(READ_FORMATS)}"
    )


def _strip_prolog(head: str) -> str:
    # Drop comments and processing instructions so the first tag is the root.
    head = re.sub(r"<!--.*?-->", "", head, flags=re.S)
    return re.sub(r"<\?.*?\?>", "", head, flags=re.S)


# REST JSON keys, or snake_case ones (AnnotateImageResponse.to_dict)
_GCV_KEYS = (
    "textAnnotations",
    "fullTextAnnotation",
    "text_annotations",
    "full_text_annotation",
    "responses",
)
_GCV_KEY = re.compile(rf'"({"|".join(_GCV_KEYS)})"\s*:')
# an empty object and nothing else (JSON white space), once the head is stripped
_EMPTY_OBJECT = re.compile(r"\{[ \t\r\n]*\}[ \t\r\n]*")


def _sniff_json(head: str, data: str | bytes) -> str:
    """Tell unocr JSON from a Cloud Vision response.

    By the document's head where it shows (unocr writes ``"schema"`` first),
    else by the keys of its first JSON value, parsed whole: other tools
    write keys in any order (``sort_keys``, ``jq -S``). An empty object is
    the response for a blank image (a unocr page always has ``"schema"``).
    """
    if re.search(r'"schema"\s*:\s*"unocr\.page/', head):
        return "json"
    if _GCV_KEY.search(head) or _EMPTY_OBJECT.fullmatch(head):
        return "gcv"
    if head.startswith("{") and '"blocks"' in head and '"width"' in head:
        return "json"
    if len(data) > _HEAD:  # the head is not all of it
        keys = _json_keys(data)
        schema = keys.get("schema")
        if isinstance(schema, str) and schema.startswith("unocr.page/"):
            return "json"
        if any(key in keys for key in _GCV_KEYS):
            return "gcv"
        if "blocks" in keys and "width" in keys:
            return "json"
    raise FormatError(
        'JSON input is neither a unocr page ("schema": "unocr.page/1") nor a '
        "Google Cloud Vision response (textAnnotations/fullTextAnnotation)"
    )


def _json_keys(data: str | bytes) -> dict[str, object]:
    """The top-level object of a JSON document's first value (``{}`` if none).

    A JSON Lines file gives its first line's; a list, its first object's.
    """
    import json

    text = data if isinstance(data, str) else declared_text(data)
    try:
        start = len(text) - len(text.lstrip("\ufeff \t\r\n"))
        value, _ = json.JSONDecoder().raw_decode(text, start)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to parse
        return {}
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, dict)), {})
    return value if isinstance(value, dict) else {}


def loads(
    data: str | bytes, format: str | None = None, **limits: Unpack[ReadLimitArgs]
) -> Page:
    """Parse a serialised OCR result into a :class:`~unocr.model.Page`.

    Args:
        data: The document, as text or encoded bytes (XML encodings are taken
            from the XML declaration when bytes are given).
        format: One of :data:`READ_FORMATS`; sniffed from the content when
            ``None``.
        **limits: ``max_bytes``, ``max_elements``, ``max_depth`` and
            ``max_pixels`` (see :class:`ReadLimitArgs`).

    Returns:
        The page. Elements the file holds become ``native=True``; levels it
        lacks (e.g. lines in a words-only file) are synthesised with
        ``native=False``.

    Raises:
        FormatError: Unknown format, malformed or hostile document (external
            entities, invalid shapes), or a limit exceeded; the message names
            the limit's argument.
    """
    check_keywords("loads", limits, ReadLimitArgs)
    return _loads(data, format, ReadLimits(**limits))


def _loads(data: object, format: str | None, limits: ReadLimits) -> Page:
    if not isinstance(data, (str, bytes, bytearray, memoryview)):
        raise FormatError(
            f"loads() takes the document as str or bytes, got {type(data).__name__}; "
            "use unocr.formats.load() for paths and file objects"
        )
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    _check_size(len(data), limits.max_bytes, "input")
    name = sniff_format(data) if format is None else checked_format(format, "read")
    reader = cast(_Reader, _module(name))
    with document_errors(name):
        return reader.loads(data, limits)


@contextmanager
def document_errors(name: str) -> Iterator[None]:
    """Report a shape or element a reader cannot build as a :class:`FormatError`.

    A reader builds shapes and elements from the document's numbers and
    values; what they refuse is the document's fault, so it is a format error.

    Args:
        name: The format, for the message.

    Yields:
        Nothing; the body is the reading.

    Raises:
        FormatError: The body raised a ``GeometryError`` or ``ModelError``.
    """
    try:
        yield
    except GeometryError as exc:  # a shape built from the document's numbers
        raise FormatError(f"{name}: invalid shape in the document: {exc}") from exc
    except ModelError as exc:  # an element built from the document's values
        raise FormatError(f"{name}: invalid element in the document: {exc}") from exc


def load(
    path_or_text: str | os.PathLike[str] | bytes | IO[bytes] | IO[str],
    format: str | None = None,
    **limits: Unpack[ReadLimitArgs],
) -> Page:
    """Read an OCR result from a file, a file object or the document itself.

    A file is read in chunks and reading stops as soon as it passes
    ``max_bytes``, so neither a huge file nor an endless device costs memory.
    Only regular files are opened: a device, FIFO or socket is refused without
    blocking (read it into bytes yourself if you mean it).

    Args:
        path_or_text: A path (str or PathLike), an open file object (binary or
            text), or the document's content (str starting with ``<`` or
            ``{``, or bytes).
        format: One of :data:`READ_FORMATS`; when ``None`` it is sniffed from
            the content (so ``.xml`` files are told apart as ALTO or PAGE, and
            ``.json`` files as unocr JSON or a Cloud Vision response).
        **limits: ``max_bytes`` (most bytes read; characters from a text
            file object), ``max_elements``, ``max_depth`` and ``max_pixels``
            (see :class:`ReadLimitArgs`).

    Returns:
        The page.

    Raises:
        FormatError: Missing or unreadable file, not a regular file, an input
            of the wrong type, unknown or malformed format, or a limit exceeded.
    """
    check_keywords("load", limits, ReadLimitArgs)
    read_limits = ReadLimits(**limits)
    if isinstance(path_or_text, (bytes, bytearray, memoryview)):
        return _loads(bytes(path_or_text), format, read_limits)
    if isinstance(path_or_text, io.IOBase) or callable(
        getattr(path_or_text, "read", None)
    ):
        content = _read_object(cast("IO[bytes] | IO[str]", path_or_text), read_limits)
        return _loads(content, format, read_limits)
    if isinstance(path_or_text, str) and _looks_like_document(path_or_text):
        return _loads(path_or_text, format, read_limits)
    if not isinstance(path_or_text, (str, os.PathLike)):
        raise FormatError(
            "load() takes a path, a file object, or the document as str or bytes; "
            f"got {type(path_or_text).__name__}"
        )
    path = os.fspath(path_or_text)
    shown = path if isinstance(path, str) else os.fsdecode(path)
    content_bytes = _read_file(path, shown, read_limits.max_bytes)
    try:
        return _loads(content_bytes, format, read_limits)
    except FormatError as exc:
        if exc.item is None:
            raise FormatError(f"{shown}: {exc.message}", item=shown) from exc
        raise


def load_pages(
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
) -> list[Page]:
    """Read every page of an OCR result file (:func:`loads_pages` of a file).

    Args:
        path: The file (read in chunks, as :func:`load` reads it).
        format: One of :data:`READ_FORMATS`; sniffed from the content when
            ``None``.
        max_bytes: Most bytes read.

    Returns:
        The pages in document order (one for a one-page document).

    Raises:
        FormatError: Missing or unreadable file, malformed content, or more
            than ``max_bytes``; the message names the file.
    """
    raw = os.fspath(path)
    shown = raw if isinstance(raw, str) else os.fsdecode(raw)
    data = _read_file(raw, shown, max_bytes)
    try:
        return loads_pages(data, format)
    except FormatError as exc:
        if exc.item is None:
            raise FormatError(f"{shown}: {exc.message}", item=shown) from exc
        raise


def _read_object(fh: IO[bytes] | IO[str], limits: ReadLimits) -> str | bytes:
    """Read a file object up to one unit past ``max_bytes`` (to detect excess)."""
    size = -1 if limits.max_bytes is None else limits.max_bytes + 1
    try:
        content = fh.read(size)
    except (OSError, ValueError) as exc:
        raise FormatError(f"cannot read from the file object: {exc}") from exc
    if not isinstance(content, (str, bytes, bytearray)):
        raise FormatError(
            f"the file object's read() returned {type(content).__name__}, "
            "expected bytes or str"
        )
    return bytes(content) if isinstance(content, bytearray) else content


def _read_file(path: str | bytes, shown: str, max_bytes: int | None) -> bytes:
    """Read a regular file in chunks, stopping one chunk past ``max_bytes``."""
    with open_regular_file(
        path,
        shown,
        error=FormatError,
        what="an OCR result file",
        instead="unocr reads OCR results from files, or from bytes and file "
        "objects you pass it",
    ) as fh:
        chunks: list[bytes] = []
        total = 0
        while True:
            try:
                chunk = fh.read(_READ_CHUNK)
            except OSError as exc:
                raise FormatError(
                    f"cannot read {shown}: {exc.strerror or exc}", item=shown
                ) from exc
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            _check_size(total, max_bytes, shown, unit="bytes (or more)", item=shown)
    return b"".join(chunks)


def _check_size(
    size: int,
    max_bytes: int | None,
    what: str,
    *,
    unit: str = "bytes",
    item: str | None = None,
) -> None:
    """Refuse a document over ``max_bytes``, naming the argument that allows it.

    Args:
        size: The document's size, or what has been read of it so far.
        max_bytes: The limit in force (``None``: no limit).
        what: The document, for the message (``"input"`` or the file's name).
        unit: The unit, plural (``"bytes (or more)"`` for a read cut short).
        item: The file's name, stored as the error's ``.item``.

    Raises:
        FormatError: ``size`` is over ``max_bytes``.
    """
    check_limit(
        size,
        max_bytes,
        what=what,
        unit=unit,
        argument="max_bytes",
        error=FormatError,
        item=item,
    )


def _looks_like_document(text: str) -> bool:
    stripped = text.lstrip("\ufeff \t\r\n")
    return stripped.startswith(("<", "{", "[")) or "\n" in text or "\t" in text


def infer_format(path: str | os.PathLike[str]) -> str:
    """Tell the output format from a file name's suffix.

    ``.txt`` -> text, ``.json``/``.jsonl`` -> json, ``.hocr``/``.html``/``.htm``
    -> hocr, ``.alto``/``.alto.xml`` -> alto, ``.page.xml``/``.pagexml`` -> page-xml,
    ``.tsv`` -> tsv. A bare ``.xml`` is ambiguous (ALTO and PAGE-XML both
    use it) and is refused with a message naming the fix.

    Args:
        path: File name or path.

    Returns:
        One of :data:`WRITE_FORMATS`.

    Raises:
        FormatError: Unknown or ambiguous suffix.
    """
    name = os.fspath(path).lower()
    for suffix, fmt in _SUFFIXES:
        if name.endswith(suffix):
            return fmt
    if name.endswith(".xml"):
        raise FormatError(
            f"cannot tell ALTO from PAGE-XML by the name {os.fspath(path)!r}; name the "
            "file *.alto.xml or *.page.xml, or pass the format explicitly "
            "(format='alto' / 'page-xml' in Python, --format in unocr read, --to in "
            "unocr convert)"
        )
    raise FormatError(
        f"cannot infer an OCR output format from the name {os.fspath(path)!r}; use a "
        f"suffix {', '.join(sorted(suffix for suffix, _ in _SUFFIXES))}, or pass "
        "the format explicitly (format= in Python, --format in unocr read, --to in "
        "unocr convert)"
    )


def save(page: Page, path: str | os.PathLike[str], format: str | None = None) -> None:
    """Write a page to a file (UTF-8).

    Args:
        page: The page to write.
        path: Target file; its folder must exist.
        format: One of :data:`WRITE_FORMATS`; inferred from the suffix of
            ``path`` by :func:`infer_format` when ``None``. JSON to a
            ``.jsonl`` file is one line (JSON Lines).

    Raises:
        FormatError: Unknown format, or the file cannot be written.
    """
    name = infer_format(path) if format is None else checked_format(format, "write")
    if name == "json" and os.fspath(path).lower().endswith(".jsonl"):
        text = dumps_pages([page], name)  # JSON Lines: the page on one line
    else:
        text = dumps(page, name)
    _write_text(path, text, name)


def save_pages(
    pages: Sequence[Page], path: str | os.PathLike[str], format: str | None = None
) -> None:
    """Write pages to one file (UTF-8), as :func:`dumps_pages` makes them.

    One page is written as :func:`save` writes it.

    Args:
        pages: The pages, in document order.
        path: Target file; its folder must exist.
        format: One of :data:`MULTIPAGE_FORMATS` (any of :data:`WRITE_FORMATS`
            for one page); inferred from ``path`` when ``None``.

    Raises:
        FormatError: Unknown format, several pages for a one-page format, or
            the file cannot be written.
    """
    if len(pages) == 1:
        save(pages[0], path, format)
        return
    name = infer_format(path) if format is None else checked_format(format, "write")
    _write_text(path, dumps_pages(pages, name), name)


def _write_text(path: str | os.PathLike[str], text: str, name: str) -> None:
    """Write a document in format ``name`` (text ends with a newline)."""
    if name == "text" and text and not text.endswith("\n"):
        text += "\n"
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        raise FormatError(
            f"cannot write {os.fspath(path)}: {exc.strerror or exc}",
            item=os.fspath(path),
        ) from exc

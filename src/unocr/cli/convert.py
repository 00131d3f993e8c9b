"""``unocr convert``: turn an OCR result file into another format.

Examples::

    unocr convert page.hocr --to alto --output page.alto.xml
    unocr convert response.json --to page > page.page.xml
    tesseract img.png - tsv | unocr convert - --to hocr
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from unocr.cli._args import output_target
from unocr.cli._naming import SUFFIX
from unocr.cli._output import write_out
from unocr.errors import FormatError, UsageError

if TYPE_CHECKING:
    from unocr.model import Page

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``convert`` sub-command.

    Args:
        subparsers: The ``unocr`` parser's sub-command collection.
    """
    from unocr.formats import READ_FORMATS, WRITE_FORMATS, canonical_format

    parser = subparsers.add_parser(
        "convert",
        help="convert an OCR result between hOCR, ALTO, PAGE-XML, TSV, JSON and text",
        description=(
            "Read an OCR result (hOCR, ALTO v2-v4, PAGE-XML, Tesseract TSV, unocr "
            "JSON or a Google Cloud Vision response; the format is recognised from "
            "the content) and write it in another format."
        ),
    )
    parser.add_argument(
        "input", metavar="IN", help="input file, or - for standard input"
    )
    parser.add_argument(
        "--to",
        dest="to",
        type=canonical_format,
        choices=WRITE_FORMATS,
        help="output format (default: from the --output file's suffix)",
    )
    parser.add_argument(
        "--from",
        dest="from_format",
        type=canonical_format,
        choices=READ_FORMATS,
        help="input format (default: recognised from the content)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT",
        type=output_target,
        help="output file (default, or '-': standard output)",
    )
    parser.set_defaults(func=run, _parser=parser)


def run(args: argparse.Namespace) -> int:
    """Convert ``args.input`` to ``args.to`` and write it.

    A multi-page input (hOCR, ALTO, JSON Lines) becomes one document in a
    format that holds several pages (hOCR, ALTO, text, JSON Lines), or one
    file a page in PAGE-XML and TSV, given an ``--output`` pattern with
    ``{page}`` (page number, from 1). Standard output and an ``--output``
    file get the same text, as ``unocr read`` writes it: JSON is one
    indented document for one page, JSON Lines for several (or a ``.jsonl``
    file); a file is written whole or not at all.

    Args:
        args: Parsed arguments (``input``, ``to``, ``from_format``, ``output``).

    Returns:
        0 on success.

    Raises:
        UsageError: No output format given and none inferable from the
            ``--output`` suffix, or several pages for a one-page format
            without a ``{page}`` pattern (exit status 2).
        FormatError: Unreadable input, or an output file that cannot be
            written.
        OSError: Standard output cannot take the result
            (:class:`BrokenPipeError`: its reader went away).
    """
    from unocr.formats import MULTIPAGE_FORMATS, WRITE_FORMATS, dumps

    target = args.to
    output = args.output
    if target is None:
        if not output:
            raise UsageError(
                f"no output format: pass --to FORMAT ({', '.join(WRITE_FORMATS)}) "
                "or an --output file whose suffix names it"
            )
        from unocr.formats import infer_format

        try:
            target = infer_format(output)
        except FormatError as err:  # the message names --to
            raise UsageError(str(err)) from None
    pages = _read(args.input, args.from_format)
    if len(pages) > 1 and target not in MULTIPAGE_FORMATS:
        if not output or "{page}" not in output:
            raise UsageError(
                f"{args.input} holds {len(pages)} pages and {target} holds one page "
                "per file: give --output a pattern with {page} (out/doc-{page}"
                f"{SUFFIX.get(target, '')}) or convert to one of "
                f"{', '.join(MULTIPAGE_FORMATS)}"
            )
        for number, page in enumerate(pages, start=1):
            _write(output.replace("{page}", str(number)), dumps(page, target))
        return 0
    from unocr.cli._writer import document_text

    if output and len(pages) == 1:
        output = output.replace("{page}", "1")
    # as unocr read writes a document: JSON Lines for several pages or a .jsonl
    # file, one indented JSON page otherwise
    text = document_text(
        pages, target, bool(output) and output.lower().endswith(".jsonl")
    )
    if output:
        _write(output, text)
        return 0
    write_out(text if text.endswith("\n") else text + "\n", sys.stdout)
    return 0


def _write(name: str, text: str) -> None:
    """Write an output file as ``unocr read`` does: whole, ending in a newline.

    Raises:
        FormatError: The file cannot be written.
    """
    from pathlib import Path

    from unocr.cli._output import write_text

    try:
        write_text(Path(name), text)
    except OSError as exc:
        raise FormatError(
            f"cannot write {name}: {exc.strerror or exc}", item=name
        ) from exc


def _read(source: str, format: str | None) -> list[Page]:
    """Every page of the input file (``-``: standard input)."""
    from unocr.formats import load_pages, loads_pages

    if source == "-":
        return loads_pages(sys.stdin.buffer.read(), format)
    return load_pages(source, format)

"""``unocr convert``: turn an OCR result file into another format.

Examples::

    unocr convert page.hocr --to alto --output page.alto.xml
    unocr convert response.json --to page > page.page.xml
    tesseract img.png - tsv | unocr convert - --to hocr
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from unocr.errors import FormatError

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
        "-o", "--output", metavar="OUT", help="output file (default: standard output)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Convert ``args.input`` to ``args.to`` and write it.

    Args:
        args: Parsed arguments (``input``, ``to``, ``from_format``, ``output``).

    Returns:
        0 on success.

    Raises:
        FormatError: Unreadable input, unknown format, or no output format
            given and none inferable.
    """
    from unocr.formats import WRITE_FORMATS, dumps, infer_format, load, loads, save

    target = args.to
    if target is None:
        if not args.output:
            raise FormatError(
                f"no output format: pass --to FORMAT ({', '.join(WRITE_FORMATS)}) "
                "or an --output file whose suffix names it"
            )
        target = infer_format(args.output)
    if args.input == "-":
        page = loads(sys.stdin.buffer.read(), args.from_format)
    else:
        page = load(Path(args.input), args.from_format)
    if args.output:
        save(page, args.output, format=target)
    else:
        text = dumps(page, target)
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()
    return 0

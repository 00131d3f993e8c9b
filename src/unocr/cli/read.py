"""``unocr read``: recognise the text of one or more images.

Usage::

    unocr read IMAGE... [--backend NAME] [--lang en,ko] [--format FORMAT]
                        [--output FILE] [--workers N] [--recursive] [--quiet]
                        [--annotate OUT.png] [--timeout SECONDS]
                        [--option NAME=VALUE]... [--pages 1-3] [--dpi 300]
                        [--password PW] [--text-layer]

``IMAGE`` is a file, ``-`` for standard input, a folder (its images and PDFs;
``--recursive`` for its subfolders) or a glob pattern the shell left alone
(``'scans/**/*.png'``); see :mod:`unocr.cli._inputs`. Every page of a PDF or
multi-page TIFF is read (``--pages`` selects some; any other image is read
whole, with a note); ``--format pdf`` writes a searchable PDF per input.

Pages are read on ``--workers`` threads and each result is written as soon as
it is in: a file per input (``--output`` a folder or a pattern) when that
input's pages are done; standard output in input order. Every output file is
written under a temporary name and renamed when complete, so Ctrl-C (exit
130) leaves no half-written file; one ``--output`` file for all results
appears when the run ends. A link is written through (the file it leads to
is replaced); a named pipe or a device is written in place, as ``tee`` does.

Where the results go:

* One image (or one document): the result goes to standard output, or to
  ``--output FILE``. ``hocr``, ``alto``, ``text``, ``json`` (JSON Lines, even
  for one page) and ``pdf`` hold every page of a document in one file; a
  single image's ``json`` is one indented page; ``page`` and ``tsv`` hold
  one page, so a document's pages need a folder or a ``{page}`` pattern.
* Several images, to standard output or one ``--output`` file: ``text`` gets a
  ``==> IMAGE <==`` header before each page; ``json`` becomes JSON Lines (one
  compact page per line). ``hocr``, ``alto``, ``page`` and ``tsv`` are one
  document per image: give ``--output`` a folder (``out/``) or a pattern.
* ``--output`` a folder (existing, or ending in ``/``): one file per image,
  ``FOLDER/<image stem>.<ext>`` (``.txt``, ``.json``, ``.hocr``, ``.alto.xml``,
  ``.page.xml``, ``.tsv``); an image found in a folder or by a pattern keeps
  its subfolder (``scans/a/x.png`` -> ``FOLDER/a/x.json``).
* ``--output`` a pattern: ``{stem}`` (image file name without suffix),
  ``{name}`` (file name), ``{index}`` (the input's position, from 0, shared by
  a document's pages), ``{page}`` (page number, from 1) and ``{dir}`` (the
  subfolder it was found in) are filled in per output file, e.g.
  ``--output 'out/{index}-{stem}.hocr'``.

``--format`` defaults to the ``--output`` suffix (``.json``, ``.hocr``, ...),
else ``text``.

``--annotate OUT.png`` draws the words' boxes on the image. With several
images, a pattern (the fields of ``--output``) names each file; a plain
name gets the image's stem appended: ``--annotate boxes.png`` writes
``boxes-phototest.png``, ``boxes-receipt.png``... (``boxes-<index>-<stem>.png``
where two images share a stem).

Exit status: 0 when every image was read; 1 when any image failed (each failure
is printed as one ``unocr: error:`` line on standard error as it happens and
the other images are still processed and written), a pattern matched no file,
a folder held no image, the engine is unknown or not installed, or a setting
of ``unocr.toml`` is bad (the message names the file); 2 for usage errors; 130
on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from unocr.cli import _naming as naming
from unocr.cli._args import output_target, positive_int, positive_number, usage_error
from unocr.cli._inputs import READ_SUFFIXES, Found, collect, names_folders
from unocr.cli._output import atomic_path, cannot_write, unwritable_reason
from unocr.cli._progress import Progress
from unocr.cli._writer import Writer
from unocr.errors import (
    ConfigError,
    DocumentError,
    EngineTimeoutError,
    ImageError,
    UnknownOptionError,
    UnocrError,
    UsageError,
)

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``read`` sub-command.

    Args:
        subparsers: The ``unocr`` parser's sub-command collection.
    """
    from unocr.formats import WRITE_FORMATS, canonical_format

    parser = subparsers.add_parser(
        "read",
        help="recognise the text of images",
        description="Recognise the text of one or more images with any engine.",
        epilog="Several images: see 'Where the results go' in docs/cli.md.",
    )
    parser.add_argument(
        "images",
        nargs="+",
        metavar="IMAGE",
        help="image files, PDFs, folders or glob patterns such as 'scans/**/*.png' "
        "('-' = standard input)",
    )
    parser.add_argument(
        "-b", "--backend", default="tesseract", help="engine name (default: tesseract)"
    )
    parser.add_argument(
        "-l",
        "--lang",
        metavar="CODES",
        help="ISO 639 language codes, comma-separated, e.g. en,ko",
    )
    parser.add_argument(
        "-f",
        "--format",
        type=canonical_format,
        choices=(*WRITE_FORMATS, "pdf"),
        help="output format (default: from the --output suffix, else text)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=output_target,
        help="write here instead of standard output (a file, a folder/ or a "
        "pattern with {stem}, {name}, {index}, {page}, {dir}; '-' = standard "
        "output)",
    )
    parser.add_argument(
        "-w",
        "--workers",
        type=positive_int,
        default=1,
        metavar="N",
        help="images recognised at once (default: 1)",
    )
    parser.add_argument(
        "-r",
        "--recursive",
        action="store_true",
        help="read the subfolders of a folder too",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress and no notes on standard error (errors are still printed)",
    )
    parser.add_argument(
        "--annotate",
        metavar="OUT.png",
        help="also draw the word boxes on the image and save it here",
    )
    parser.add_argument(
        "--timeout",
        type=positive_number,
        metavar="SECONDS",
        help=(
            "give up on an image after this many seconds (what it stops depends "
            "on the engine: docs/engines.md, time-outs)"
        ),
    )
    parser.add_argument(
        "-O",
        "--option",
        action="append",
        default=[],
        type=_option,
        metavar="NAME=VALUE",
        help="an engine option, e.g. -O psm=6 (value parsed as JSON when it can be)",
    )
    parser.add_argument(
        "--pages",
        metavar="SPEC",
        help="pages of every PDF and multi-page TIFF to read, numbered from 1: "
        "1-3,5,8- (default: all; other images are read whole)",
    )
    parser.add_argument(
        "--dpi",
        type=positive_number,
        default=300.0,
        metavar="N",
        help="resolution PDF pages are rendered at (default: 300)",
    )
    parser.add_argument(
        "--password", metavar="PASSWORD", help="password of encrypted PDFs"
    )
    parser.add_argument(
        "--text-layer",
        action="store_true",
        help="take a PDF page's words from its own text layer where it has one",
    )
    parser.set_defaults(func=run, _parser=parser)


def _option(text: str) -> tuple[str, Any]:
    name, sep, raw = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sep or not name.isidentifier():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        value: Any = json.loads(raw)
    except ValueError:
        value = raw
    return name, value


#: The library's advice in its keywords, after :data:`_ADVICE`: a pixel
#: limit's (``max_pixels=40000``, ``max_pixels=None``, ``dpi=150``), a time-out's
#: (``timeout=``).
_KEYWORD = re.compile(r"\b(max_pixels|dpi|timeout)=(\w*)")
#: Where a message's advice starts.
_ADVICE = ("; pass ", "; raise ")


def _in_cli_words(err: UnocrError) -> UnocrError:
    """``err`` as the command line says it: the advice in its options.

    The library's message on a pixel limit advises ``pass max_pixels=N`` (or
    ``None``) and, for a PDF page, ``dpi=N``; a time-out's ``raise
    timeout=``. Here those are ``-O max_pixels=N`` (``null``), ``--dpi N``
    and ``--timeout``. An engine option with a quoted value (``pass
    tesseract_cmd='/path/to/tesseract'``) is ``-O NAME=VALUE``, and a stream
    the library will not read (``<(cat x.png)``) is to be given on standard
    input. An error whose message says none of these is returned as it is.
    """
    text = str(err)
    said = _QUOTED.sub(_as_option, text).replace(*_STREAM)
    if isinstance(err, (ImageError, EngineTimeoutError)):
        said = _pixel_and_time_advice(said)
    if said == text:
        return err
    return type(err).from_state((said,), {**vars(err), "message": said})


#: An engine option the library's advice names as a keyword with a quoted
#: value (``pass tesseract_cmd='/path/to/tesseract'``).
_QUOTED = re.compile(r"\bpass (\w+)='([^'\s]*)'")
#: The library's advice for a stream it will not read, and the command line's.
_STREAM = (
    "read a stream yourself and pass its bytes",
    "give it on standard input instead (unocr read - < FILE)",
)


def _as_option(keyword: re.Match[str]) -> str:
    """``pass NAME='VALUE'`` as the option ``-O NAME=VALUE``."""
    return f"pass -O {keyword[1]}={keyword[2]}"


def _pixel_and_time_advice(text: str) -> str:
    """A pixel limit's and a time-out's advice in the command line's options."""
    for marker in _ADVICE:
        head, sep, advice = text.rpartition(marker)
        if sep and _KEYWORD.search(advice):
            break
    else:
        return text

    def option(keyword: re.Match[str]) -> str:
        name, value = keyword.groups()
        if name == "max_pixels":
            return f"-O {name}={'null' if value == 'None' else value}"
        return f"--{name} {value}" if value else f"--{name}"

    return head + sep + _KEYWORD.sub(option, advice)


# ---------------------------------------------------------------------- run
def _inputs(sources: Sequence[str]) -> list[Any]:
    items: list[Any] = []
    stdin_data: bytes | None = None
    for s in sources:
        if s == "-":
            if stdin_data is None:
                stdin_data = sys.stdin.buffer.read()
            items.append(stdin_data)
        else:
            items.append(s)
    return items


def _report_found(found: Found, quiet: bool) -> int:
    """Print what collecting the inputs left out; the number of errors."""
    for pattern in found.unmatched:
        what = "folder" if names_folders(pattern) else "file"
        print(f"unocr: error: no {what} matches {pattern!r}", file=sys.stderr)
    for folder in found.unlisted:
        print(f"unocr: error: cannot list the folder {folder}", file=sys.stderr)
    kinds = " ".join(sorted(READ_SUFFIXES))
    for folder in found.empty:
        print(
            f"unocr: error: no image files or PDFs found in {folder} (read: {kinds})",
            file=sys.stderr,
        )
    errors = len(found.unmatched) + len(found.unlisted) + len(found.empty)
    if quiet:
        return errors
    notes = [
        f"skipped {_count(n, 'file')} in {where} that {'is' if n == 1 else 'are'} "
        f"no image or PDF (read: {kinds})"
        for where, n in found.skipped.items()
    ]
    notes += [
        f"{_count(n, 'subfolder')} of {where} not read; add --recursive to read them"
        for where, n in found.unentered.items()
    ]
    links = (
        (
            found.links,
            "link",
            "to a folder in {} not followed ({}); name the folder to read it",
        ),
        (found.broken, "broken link", "in {} skipped ({})"),
        (
            found.special,
            "file",
            "in {} skipped: not a regular file ({}); give it on standard input "
            "(unocr read - < FILE)",
        ),
    )
    notes += [
        f"{_count(len(names), what)} {rest.format(where, _names(names))}"
        for by_folder, what, rest in links
        for where, names in by_folder.items()
    ]
    for note in notes:
        print(f"unocr read: {note}", file=sys.stderr)
    return errors


def _count(n: int, what: str) -> str:
    """``"1 file"``, ``"2 files"``."""
    return f"{n} {what}{'s' * (n != 1)}"


def _names(names: list[str], most: int = 3) -> str:
    """The first ``most`` of ``names`` in sorted order, and how many more."""
    shown = ", ".join(sorted(names)[:most])
    return shown if len(names) <= most else f"{shown} and {len(names) - most} more"


def run(args: argparse.Namespace) -> int:
    """Execute ``unocr read``.

    Args:
        args: Parsed arguments (see :func:`register`).

    Returns:
        0 when every image was read, 1 when any failed, 2 for usage errors.

    Raises:
        unocr.errors.UnocrError: The engine is unknown or unavailable (the
            caller prints it and exits 1).
    """
    import unocr
    from unocr.backends.base import ItemFailure
    from unocr.documents import (
        DocumentOptions,
        FailedInput,
        PageRef,
        check_options,
        expand,
    )
    from unocr.documents.streaming import iter_items

    try:
        naming.check_patterns(args)
    except UsageError as exc:
        return usage_error(args, str(exc))
    found = collect(list(args.images), recursive=args.recursive)
    errors = _report_found(found, args.quiet)
    inputs = found.inputs
    if not inputs:
        if not errors:
            print(
                "unocr: error: no image files or PDFs found in "
                f"{', '.join(args.images)} (read: {' '.join(sorted(READ_SUFFIXES))})",
                file=sys.stderr,
            )
        return 1
    try:
        options = check_options(
            DocumentOptions(
                dpi=args.dpi,
                pages=args.pages,
                password=args.password,
                text_layer=args.text_layer,
            )
        )
    except DocumentError as exc:
        return usage_error(args, str(exc))
    try:
        fmt = naming.output_format(args)
    except UsageError as exc:
        return usage_error(args, str(exc))
    items: list[Any] = []
    where: list[tuple[int, int | None]] = []  # (input position, page number)
    whole: list[str] = []  # images --pages does not apply to
    for position, item in enumerate(_inputs([i.source for i in inputs])):
        for x in expand([item], options, documents_only=True):
            items.append(x)
            where.append((position, x.index + 1 if isinstance(x, PageRef) else None))
            if args.pages and not isinstance(x, (PageRef, FailedInput)):
                whole.append(inputs[position].source)
    if whole and not args.quiet:
        print(
            f"unocr read: --pages selects pages of PDFs and multi-page TIFFs; "
            f"{_count(len(whole), 'image')} read whole: {_names(whole)}",
            file=sys.stderr,
        )
    units = naming.units(where, inputs, per_page=fmt in naming.PER_PAGE)
    try:
        targets = naming.targets(args, fmt, units)
        annotate = naming.annotate_targets(
            args, naming.units(where, inputs, per_page=True)
        )
        stream = [args.output] if targets is None and args.output else []
        naming.check_apart(inputs, [*stream, *(targets or ()), *(annotate or ())])
        naming.check_distinct([*stream, *(targets or ())], annotate or ())
    except UsageError as exc:
        return usage_error(args, str(exc))
    # One --output file for every result: complete or absent, like the others.
    single = Path(args.output) if targets is None and args.output else None
    if single is not None and (reason := unwritable_reason(single)) is not None:
        print(cannot_write(single, reason), file=sys.stderr)  # before the work
        return 1

    engine_options: dict[str, Any] = dict(args.option)
    if "languages" in engine_options:
        return usage_error(
            args, "give the languages with -l/--lang (e.g. -l en,ko), not -O languages="
        )
    if args.timeout is not None:
        engine_options["timeout"] = args.timeout
    try:
        backend = unocr.get_backend(args.backend, languages=args.lang, **engine_options)
    except UnknownOptionError as exc:  # a usage error, though a UnocrError
        if exc.option not in {*engine_options, "languages"}:
            raise  # an option of unocr.toml, which the message names
        return usage_error(args, str(exc))
    except ConfigError as exc:
        if exc.source is not None:  # a setting of unocr.toml: not the command's
            raise
        said = str(exc)
        if exc.backend is None or f"the {exc.backend} backend" not in said:
            said = f"invalid option for the {args.backend} backend: {said}"
        return usage_error(args, said)
    except UnocrError as exc:
        raise _in_cli_words(exc) from exc.__cause__
    except (TypeError, ValueError) as exc:
        return usage_error(
            args, f"invalid option for the {args.backend} backend: {exc}"
        )
    progress = Progress(len(items), show=not args.quiet)
    writer = Writer(
        fmt=fmt,
        units=units,
        targets=targets,
        annotate=annotate,
        items=items,
        where=where,
        output=args.output,
        progress=progress,
        max_pixels=backend.max_pixels,
        in_cli_words=_in_cli_words,
    )
    try:
        with contextlib.ExitStack() as stack:
            if single is not None and fmt != "pdf":
                try:  # nothing read: no file, as before
                    part = stack.enter_context(atomic_path(single, skip_empty=True))
                    writer.stream = stack.enter_context(
                        part.open("w", encoding="utf-8")
                    )
                except OSError as exc:
                    writer.unwritable(single, exc)
                    return 1
            results = stack.enter_context(
                contextlib.closing(iter_items(backend, items, workers=args.workers))
            )
            for index, result in results:
                if isinstance(result, ItemFailure):
                    error = _in_cli_words(result.error)
                    result = dataclasses.replace(result, error=error)
                progress.update(failed=isinstance(result, ItemFailure))
                writer.add(index, result)
            opened = writer.stream
            if writer.stream_failed and opened is not None and part.is_file():
                # emptied, the temporary file is removed, not renamed (skip_empty)
                with contextlib.suppress(OSError):
                    opened.truncate(0)
    finally:
        progress.close()
        backend.close()
    return 1 if writer.failed or errors else 0

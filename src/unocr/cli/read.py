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
multi-page TIFF is read (``--pages`` selects some); ``--format pdf`` writes a
searchable PDF per input.

Pages are read on ``--workers`` threads and each result is written as soon as
it is in: a file per input (``--output`` a folder or a pattern) when that
input's pages are done; standard output in input order. Every output file is
written under a temporary name and renamed when complete, so Ctrl-C (exit
130) leaves no half-written file; one ``--output`` file for all results
appears when the run ends.

Where the results go:

* One image (or one document): the result goes to standard output, or to
  ``--output FILE``. ``hocr``, ``alto``, ``text``, ``json`` (JSON Lines) and
  ``pdf`` hold every page of a document in one file; ``page`` and ``tsv`` hold
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
  ``{name}`` (file name), ``{index}`` (position, from 0), ``{page}`` (page
  number, from 1) and ``{dir}`` (the subfolder it was found in) are filled in
  per output file, e.g. ``--output 'out/{index}-{stem}.hocr'``.

``--format`` defaults to the ``--output`` suffix (``.json``, ``.hocr``, ...),
else ``text``.

``--annotate OUT.png`` draws the words' boxes on the image. With several
images, a pattern (``{stem}``, ``{name}``, ``{index}``) names each file; a plain
name gets the image's stem appended: ``--annotate boxes.png`` writes
``boxes-phototest.png``, ``boxes-receipt.png``... (``boxes-<index>-<stem>.png``
where two images share a stem).

Exit status: 0 when every image was read; 1 when any image failed (each failure
is printed as one ``unocr: error:`` line on standard error as it happens and
the other images are still processed and written), a pattern matched no file,
or the engine is unknown or not installed; 2 for usage errors; 130 on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TextIO

from unocr.cli._args import positive_int
from unocr.cli._inputs import READ_SUFFIXES, Found, Input, collect
from unocr.cli._output import atomic_path, write_text
from unocr.cli._progress import Progress
from unocr.errors import UnknownOptionError, UnocrError

__all__ = ["register", "run"]

_SUFFIX = {
    "text": ".txt",
    "json": ".json",
    "hocr": ".hocr",
    "alto": ".alto.xml",
    "page-xml": ".page.xml",
    "tsv": ".tsv",
    "pdf": ".pdf",
}
_STREAMABLE = ("text", "json")
_PER_PAGE = ("page-xml", "tsv")  # one page per file


class _UsageError(Exception):
    """A combination of arguments that cannot work (exit status 2)."""


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
        help="write here instead of standard output (a file, a folder/ or a "
        "pattern with {stem}, {name}, {index}, {page}, {dir})",
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
        "--annotate",
        metavar="OUT.png",
        help="also draw the word boxes on the image and save it here",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        metavar="SECONDS",
        help="stop the engine on an image after this many seconds",
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
        help="pages of every PDF/TIFF to read, numbered from 1: 1-3,5,8- "
        "(default: all)",
    )
    parser.add_argument(
        "--dpi",
        type=_positive_float,
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
    parser.set_defaults(func=run, _read_parser=parser)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


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


# --------------------------------------------------------------------- naming
@dataclass
class _Unit:
    """One output file: an input with all its pages, or one page of it."""

    source: Input  # the input
    position: int  # the input's position among the inputs
    page: int | None  # page number (from 1) of a document's page, else None
    items: list[int]  # indices of its pages in the flat list of pages


def _units(
    pages: Sequence[tuple[int, int | None]], inputs: Sequence[Input], per_page: bool
) -> list[_Unit]:
    units: list[_Unit] = []
    for i, (position, page) in enumerate(pages):
        if per_page or not units or units[-1].position != position:
            units.append(
                _Unit(inputs[position], position, page if per_page else None, [])
            )
        units[-1].items.append(i)
    return units


def _stem(source: str, index: int) -> str:
    if source == "-":
        return f"stdin-{index}"
    return Path(source).stem or f"image-{index}"


def _unit_stem(unit: _Unit, mirror: bool) -> PurePosixPath:
    """The output name without suffix (below the input's subfolder if ``mirror``)."""
    stem = _stem(unit.source.source, unit.position)
    if unit.page is not None:
        stem = f"{stem}-p{unit.page}"
    relative = unit.source.relative
    if mirror and relative is not None:
        return PurePosixPath(relative.parent.as_posix(), stem)
    return PurePosixPath(stem)


def _unique_stems(units: Sequence[_Unit], *, mirror: bool) -> list[PurePosixPath]:
    stems = [_unit_stem(u, mirror) for u in units]
    dup = {s for s in stems if stems.count(s) > 1}
    return [
        s.with_name(f"{u.position}-{s.name}") if s in dup else s
        for u, s in zip(units, stems, strict=True)
    ]


def _fill(pattern: str, unit: _Unit, index: int) -> Path:
    source = unit.source.source
    name = "stdin" if source == "-" else Path(source).name
    relative = unit.source.relative
    try:
        return Path(
            pattern.format(
                stem=_stem(source, unit.position),
                name=name,
                index=index,
                page=unit.page or 1,
                dir="" if relative is None else relative.parent.as_posix(),
            )
        )
    except (KeyError, IndexError, ValueError) as exc:
        raise _UsageError(
            f"bad pattern {pattern!r}: use the fields {{stem}}, {{name}}, {{index}}, "
            f"{{page}} and {{dir}} ({exc})"
        ) from None


def _pattern_paths(pattern: str, units: Sequence[_Unit], option: str) -> list[Path]:
    paths = [_fill(pattern, u, i) for i, u in enumerate(units)]
    if len(set(paths)) != len(paths):
        raise _UsageError(
            f"the {option} pattern {pattern!r} gives several outputs the same file "
            "name; add {index} (or {page} for the pages of a document, {dir} for "
            "files in subfolders)"
        )
    return paths


def _is_pattern(path: str) -> bool:
    return "{" in path


def _is_folder(path: str) -> bool:
    return path.endswith(("/", os.sep)) or Path(path).is_dir()


def _output_format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    out: str | None = args.output
    if out is None or _is_folder(out):
        return "text"
    if out.lower().endswith(".pdf"):
        return "pdf"
    from unocr.formats import infer_format

    try:
        return infer_format(out)
    except UnocrError as err:
        raise _UsageError(f"{err} Give --format explicitly.") from None


def _targets(
    args: argparse.Namespace, fmt: str, units: Sequence[_Unit]
) -> list[Path] | None:
    """One output file per unit, or None to write one stream."""
    out: str | None = args.output
    if out is not None and _is_pattern(out):
        return _pattern_paths(out, units, "--output")
    if out is not None and _is_folder(out):
        folder = Path(out)
        return [
            folder / (str(st) + _SUFFIX[fmt])
            for st in _unique_stems(units, mirror=True)
        ]
    if len(units) > 1 and fmt not in _STREAMABLE:
        unit, several = (
            ("page", "pages") if fmt in _PER_PAGE else ("document", "inputs")
        )
        example = "out/{stem}" + ("-{page}" if fmt in _PER_PAGE else "") + _SUFFIX[fmt]
        raise _UsageError(
            f"{fmt} holds one {unit} per file: with several {several} give --output "
            f"a folder (out/) or a pattern such as '{example}'"
        )
    if fmt == "pdf" and out is None and sys.stdout.isatty():
        raise _UsageError("-f pdf writes binary data: give --output FILE.pdf")
    return None


def _annotate_targets(
    args: argparse.Namespace, units: Sequence[_Unit]
) -> list[Path] | None:
    target: str | None = args.annotate
    if target is None:
        return None
    from PIL import Image

    if Path(target).suffix.lower() not in Image.registered_extensions():
        raise _UsageError(
            f"--annotate {target!r}: give an image file name such as boxes.png"
        )
    if _is_pattern(target):
        return _pattern_paths(target, units, "--annotate")
    if len(units) == 1:
        return [Path(target)]
    base = Path(target)
    return [
        base.with_name(f"{base.stem}-{st}{base.suffix}")
        for st in _unique_stems(units, mirror=False)
    ]


# ---------------------------------------------------------------------- run
def _usage_error(args: argparse.Namespace, message: str) -> int:
    parser: argparse.ArgumentParser | None = getattr(args, "_read_parser", None)
    if parser is not None:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: {message}", file=sys.stderr)
    else:
        print(f"unocr read: error: {message}", file=sys.stderr)
    return 2


def _error_line(source: str, err: UnocrError) -> str:
    text = str(err)
    if source == "-":
        shown = "<stdin>"
        if text.startswith("<bytes>"):
            text = shown + text[len("<bytes>") :]
    else:
        shown = source
    return (
        f"unocr: error: {text}" if shown in text else f"unocr: error: {shown}: {text}"
    )


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


def _label(source: str, page: int | None) -> str:
    shown = "<stdin>" if source == "-" else source
    return shown if page is None else f"{shown} (page {page})"


def _document(pages: Sequence[Any], fmt: str, several: bool) -> str:
    from unocr.formats import dumps, dumps_pages

    if fmt == "json" and not several:
        return dumps(pages[0], "json")
    return dumps_pages(pages, fmt)


def _write_pdf(path: Path | None, pages: Sequence[Any], images: Sequence[Any]) -> None:
    import io

    from unocr.documents.searchable import save_pdf

    if path is None:
        buffer = io.BytesIO()
        save_pdf(pages, buffer, images=images)
        sys.stdout.flush()
        sys.stdout.buffer.write(buffer.getvalue())
        sys.stdout.buffer.flush()
        return
    with atomic_path(path) as temp:
        save_pdf(pages, temp, images=images)


def _report_found(found: Found, quiet: bool) -> int:
    """Print what collecting the inputs left out; the number of errors."""
    for pattern in found.unmatched:
        print(f"unocr: error: no file matches {pattern!r}", file=sys.stderr)
    if not quiet:
        kinds = " ".join(sorted(READ_SUFFIXES))
        for where, count in found.skipped.items():
            print(
                f"unocr read: skipped {count} file{'s' * (count != 1)} in "
                f"{where} that {'are' if count != 1 else 'is'} no image or PDF "
                f"(read: {kinds})",
                file=sys.stderr,
            )
        for where, count in found.unentered.items():
            print(
                f"unocr read: {count} subfolder{'s' * (count != 1)} of {where} not "
                "read; add --recursive to read them",
                file=sys.stderr,
            )
    return len(found.unmatched)


class _Writer:
    """Writes each output as soon as its pages are in (see ``run``)."""

    def __init__(
        self,
        *,
        fmt: str,
        units: list[_Unit],
        targets: list[Path] | None,
        annotate: list[Path] | None,
        items: list[Any],
        where: list[tuple[int, int | None]],
        output: str | None,
        progress: Progress,
    ) -> None:
        self.fmt = fmt
        self.units = units
        self.targets = targets
        self.annotate = annotate
        self.items = items
        self.where = where
        self.output = output
        self.progress = progress
        self.several = len(items) > 1
        self.failed = 0
        self.results: list[Any] = [None] * len(items)
        self.unit_of = [0] * len(items)
        for u, unit in enumerate(units):
            for i in unit.items:
                self.unit_of[i] = u
        self.missing = [len(unit.items) for unit in units]
        self.complete = [False] * len(units)
        self.next_unit = 0  # the first unit the stream has not written
        self.stream: TextIO | None = None  # an --output file being written
        self.wrote = False

    # one page finished
    def add(self, index: int, result: Any) -> None:
        from unocr.backends.base import ItemFailure

        if isinstance(result, ItemFailure):
            self.fail(self.units[self.unit_of[index]].source.source, result.error)
        elif self.annotate is not None:
            self._annotate(index, result)
        self.results[index] = result
        u = self.unit_of[index]
        self.missing[u] -= 1
        if self.missing[u]:
            return
        if self.targets is not None:  # one file per unit, as soon as it is done
            self._emit(u)
            return
        self.complete[u] = True
        while self.next_unit < len(self.units) and self.complete[self.next_unit]:
            self._emit(self.next_unit)
            self.next_unit += 1

    def fail(self, source: str, err: UnocrError) -> None:
        self.failed += 1
        self.progress.say(_error_line(source, err))

    def unwritable(self, path: Path | None, exc: OSError) -> None:
        """An output file could not be written: its line; the others go on."""
        self.failed += 1
        reason = exc.strerror or str(exc)
        self.progress.say(f"unocr: error: cannot write {path or '<stdout>'}: {reason}")

    def _good(self, u: int) -> list[int]:
        from unocr.model import Page

        return [i for i in self.units[u].items if isinstance(self.results[i], Page)]

    def _emit(self, u: int) -> None:
        unit = self.units[u]
        good = self._good(u)
        pages = [self.results[i] for i in good]
        for i in unit.items:  # written: the pages are not kept
            self.results[i] = None
        if not good:
            return
        target = self.targets[u] if self.targets is not None else None
        if self.fmt == "pdf":
            out = target or (Path(self.output) if self.output else None)
            try:
                _write_pdf(out, pages, [self.items[i] for i in good])
            except UnocrError as err:
                self.fail(unit.source.source, err)
            except OSError as exc:
                self.unwritable(out, exc)
            return
        if target is not None:
            try:
                write_text(target, _document(pages, self.fmt, self.several))
            except OSError as exc:
                self.unwritable(target, exc)
        elif self.fmt == "text" and self.several:
            for i, page in zip(good, pages, strict=True):
                number = self.where[i][1]
                source = self.units[self.unit_of[i]].source.source
                self._stream_out(
                    f"==> {_label(source, number)} <==\n"
                    + _document([page], self.fmt, self.several)
                )
        else:
            self._stream_out(_document(pages, self.fmt, self.several))

    def _stream_out(self, text: str) -> None:
        if not text.endswith("\n"):
            text += "\n"
        if self.wrote and self.fmt == "text" and self.several:
            text = "\n" + text
        self.wrote = True
        out = self.stream if self.stream is not None else sys.stdout
        out.write(text)
        out.flush()

    def _annotate(self, index: int, page: Any) -> None:
        from PIL import Image

        from unocr.documents import load_input

        assert self.annotate is not None
        target = self.annotate[index]
        try:
            image = load_input(self.items[index], max_pixels=None).image
            drawn = page.draw(image)
        except UnocrError as err:
            self.fail(self.units[self.unit_of[index]].source.source, err)
            return
        kind = Image.registered_extensions()[target.suffix.lower()]
        try:
            with atomic_path(target) as temp:
                drawn.save(temp, format=kind)
        except OSError as exc:
            self.unwritable(target, exc)


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
    from unocr.documents import DocumentOptions, PageRef, expand
    from unocr.documents.streaming import iter_items

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
    options = DocumentOptions(
        dpi=args.dpi,
        pages=args.pages,
        password=args.password,
        text_layer=args.text_layer,
    )
    try:
        fmt = _output_format(args)
    except _UsageError as exc:
        return _usage_error(args, str(exc))
    items: list[Any] = []
    where: list[tuple[int, int | None]] = []  # (input position, page number)
    for position, item in enumerate(_inputs([i.source for i in inputs])):
        for x in expand([item], options):
            items.append(x)
            where.append((position, x.index + 1 if isinstance(x, PageRef) else None))
    units = _units(where, inputs, per_page=fmt in _PER_PAGE)
    try:
        targets = _targets(args, fmt, units)
        annotate = _annotate_targets(args, _units(where, inputs, per_page=True))
    except _UsageError as exc:
        return _usage_error(args, str(exc))

    engine_options: dict[str, Any] = dict(args.option)
    if args.timeout is not None:
        engine_options["timeout"] = args.timeout
    try:
        backend = unocr.get_backend(args.backend, languages=args.lang, **engine_options)
    except UnknownOptionError as exc:  # a usage error, though a UnocrError
        return _usage_error(args, str(exc))
    except UnocrError:
        raise
    except (TypeError, ValueError) as exc:
        return _usage_error(
            args, f"invalid option for the {args.backend} backend: {exc}"
        )
    progress = Progress(len(items), show=not args.quiet)
    writer = _Writer(
        fmt=fmt,
        units=units,
        targets=targets,
        annotate=annotate,
        items=items,
        where=where,
        output=args.output,
        progress=progress,
    )
    # One --output file for every result: complete or absent, like the others.
    single = Path(args.output) if targets is None and args.output else None
    try:
        with contextlib.ExitStack() as stack:
            if single is not None and fmt != "pdf":
                try:
                    temp = stack.enter_context(atomic_path(single))
                except OSError as exc:
                    writer.unwritable(single, exc)
                    return 1
                writer.stream = stack.enter_context(temp.open("w", encoding="utf-8"))
            results = stack.enter_context(
                contextlib.closing(iter_items(backend, items, workers=args.workers))
            )
            for index, result in results:
                progress.update(failed=isinstance(result, ItemFailure))
                writer.add(index, result)
            if writer.stream is not None and not writer.wrote:
                writer.stream.close()  # nothing read: no file, as before
                temp.unlink()
    finally:
        progress.close()
        backend.close()
    return 1 if writer.failed or errors else 0

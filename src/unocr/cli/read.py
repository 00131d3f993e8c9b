"""``unocr read``: recognise the text of one or more images.

Usage::

    unocr read IMAGE... [--backend NAME] [--lang en,ko] [--format FORMAT]
                        [--output FILE] [--workers N] [--annotate OUT.png]
                        [--timeout SECONDS] [--option NAME=VALUE]...
                        [--pages 1-3] [--dpi 300] [--password PW] [--text-layer]

Results are written in input order. ``IMAGE`` may be ``-`` for standard input.
Every page of a PDF or multi-page TIFF is read (``--pages`` selects some);
``--format pdf`` writes a searchable PDF per input.

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
  ``.page.xml``, ``.tsv``).
* ``--output`` a pattern: ``{stem}`` (image file name without suffix),
  ``{name}`` (file name), ``{index}`` (position, from 0) and ``{page}`` (page
  number, from 1) are filled in per output file, e.g.
  ``--output 'out/{index}-{stem}.hocr'``.

``--format`` defaults to the ``--output`` suffix (``.json``, ``.hocr``, ...),
else ``text``.

``--annotate OUT.png`` draws the words' boxes on the image. With several
images, a pattern (``{stem}``, ``{name}``, ``{index}``) names each file; a plain
name gets the image's stem appended: ``--annotate boxes.png`` writes
``boxes-phototest.png``, ``boxes-receipt.png``... (``boxes-<index>-<stem>.png``
where two images share a stem).

Exit status: 0 when every image was read; 1 when any image failed (each failure
is printed as one ``unocr: error:`` line on standard error and the other images
are still processed and written), or the engine is unknown or not installed;
2 for usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from unocr.cli._args import positive_int
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
_PROGRESS_MIN = 4  # show a progress bar from this many images on


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
        "images", nargs="+", metavar="IMAGE", help="image files ('-' = standard input)"
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
        "pattern with {stem}, {name}, {index})",
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

    source: str  # the command-line argument
    position: int  # the input's position among the arguments
    page: int | None  # page number (from 1) of a document's page, else None
    items: list[int]  # indices of its pages in the flat list of pages


def _units(
    pages: Sequence[tuple[int, int | None]], sources: Sequence[str], per_page: bool
) -> list[_Unit]:
    units: list[_Unit] = []
    for i, (position, page) in enumerate(pages):
        if per_page or not units or units[-1].position != position:
            units.append(
                _Unit(sources[position], position, page if per_page else None, [])
            )
        units[-1].items.append(i)
    return units


def _stem(source: str, index: int) -> str:
    if source == "-":
        return f"stdin-{index}"
    return Path(source).stem or f"image-{index}"


def _unit_stem(unit: _Unit) -> str:
    stem = _stem(unit.source, unit.position)
    return stem if unit.page is None else f"{stem}-p{unit.page}"


def _unique_stems(units: Sequence[_Unit]) -> list[str]:
    stems = [_unit_stem(u) for u in units]
    dup = {s for s in stems if stems.count(s) > 1}
    return [
        f"{u.position}-{s}" if s in dup else s
        for u, s in zip(units, stems, strict=True)
    ]


def _fill(pattern: str, unit: _Unit, index: int) -> Path:
    name = "stdin" if unit.source == "-" else Path(unit.source).name
    try:
        return Path(
            pattern.format(
                stem=_stem(unit.source, unit.position),
                name=name,
                index=index,
                page=unit.page or 1,
            )
        )
    except (KeyError, IndexError, ValueError) as exc:
        raise _UsageError(
            f"bad pattern {pattern!r}: use the fields {{stem}}, {{name}}, {{index}} "
            f"and {{page}} ({exc})"
        ) from None


def _pattern_paths(pattern: str, units: Sequence[_Unit], option: str) -> list[Path]:
    paths = [_fill(pattern, u, i) for i, u in enumerate(units)]
    if len(set(paths)) != len(paths):
        raise _UsageError(
            f"the {option} pattern {pattern!r} gives several outputs the same file "
            "name; add {index} (or {page} for the pages of a document)"
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
        return [folder / (st + _SUFFIX[fmt]) for st in _unique_stems(units)]
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
        base.with_name(f"{base.stem}-{st}{base.suffix}") for st in _unique_stems(units)
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


def _write(path: Path | None, text: str) -> None:
    if not text.endswith("\n"):
        text += "\n"
    if path is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    if path.parent != Path():
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


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
    if path.parent != Path():
        path.parent.mkdir(parents=True, exist_ok=True)
    save_pdf(pages, path, images=images)


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
    from unocr.documents import DocumentOptions, PageRef, expand, load_input
    from unocr.documents.reading import read_items

    sources: list[str] = list(args.images)
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
    for position, item in enumerate(_inputs(sources)):
        for x in expand([item], options):
            items.append(x)
            where.append((position, x.index + 1 if isinstance(x, PageRef) else None))
    units = _units(where, sources, per_page=fmt in _PER_PAGE)
    try:
        targets = _targets(args, fmt, units)
        annotate = _annotate_targets(args, _units(where, sources, per_page=True))
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
    bar: Any = None
    if len(items) >= _PROGRESS_MIN and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(items), unit="page", file=sys.stderr, leave=False)
    try:
        results = read_items(
            backend,
            items,
            options,
            languages=None,
            workers=args.workers,
            errors="return",
            progress=bar.update if bar is not None else None,
            channel_order="rgb",
        )
    finally:
        if bar is not None:
            bar.close()
        backend.close()

    failed = 0
    for (position, _), result in zip(where, results, strict=True):
        if isinstance(result, ItemFailure):
            failed += 1
            print(_error_line(sources[position], result.error), file=sys.stderr)
    several = len(items) > 1
    stream: list[str] = []
    for u, unit in enumerate(units):
        good = [i for i in unit.items if not isinstance(results[i], ItemFailure)]
        if not good:
            continue
        pages = [results[i] for i in good]
        target = targets[u] if targets is not None else None
        if fmt == "pdf":
            out = target or (Path(args.output) if args.output else None)
            try:
                _write_pdf(out, pages, [items[i] for i in good])
            except UnocrError as err:
                failed += 1
                print(_error_line(unit.source, err), file=sys.stderr)
            continue
        if target is not None:
            _write(target, _document(pages, fmt, several))
        elif fmt == "text" and several:
            stream.extend(
                f"==> {_label(sources[where[i][0]], where[i][1])} <==\n"
                + _document([results[i]], fmt, several)
                for i in good
            )
        else:
            stream.append(_document(pages, fmt, several))
    if annotate is not None:
        for i, result in enumerate(results):
            if isinstance(result, ItemFailure):
                continue
            try:
                image = load_input(items[i], max_pixels=None).image
                drawn = result.draw(image)
            except UnocrError as err:
                failed += 1
                print(_error_line(sources[where[i][0]], err), file=sys.stderr)
                continue
            annotate[i].parent.mkdir(parents=True, exist_ok=True)
            drawn.save(annotate[i])
    if targets is None and stream:
        joiner = "\n" if fmt == "text" and several else ""
        _write(
            Path(args.output) if args.output else None,
            joiner.join(s if s.endswith("\n") else s + "\n" for s in stream),
        )
    return 1 if failed else 0

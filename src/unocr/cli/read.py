"""``unocr read``: recognise the text of one or more images.

Usage::

    unocr read IMAGE... [--backend NAME] [--lang en,ko] [--format FORMAT]
                        [--output FILE] [--workers N] [--annotate OUT.png]
                        [--timeout SECONDS] [--option NAME=VALUE]...

Results are written in input order. ``IMAGE`` may be ``-`` for standard input.

Where the results go:

* One image: the document goes to standard output, or to ``--output FILE``.
* Several images, to standard output or one ``--output`` file: ``text`` gets a
  ``==> IMAGE <==`` header before each page; ``json`` becomes JSON Lines (one
  compact page per line). ``hocr``, ``alto``, ``page`` and ``tsv`` are one
  document per image: give ``--output`` a folder (``out/``) or a pattern.
* ``--output`` a folder (existing, or ending in ``/``): one file per image,
  ``FOLDER/<image stem>.<ext>`` (``.txt``, ``.json``, ``.hocr``, ``.alto.xml``,
  ``.page.xml``, ``.tsv``).
* ``--output`` a pattern: ``{stem}`` (image file name without suffix),
  ``{name}`` (file name) and ``{index}`` (position, from 0) are filled in per
  image, e.g. ``--output 'out/{index}-{stem}.hocr'``.

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
    "page": ".page.xml",
    "tsv": ".tsv",
}
_STREAMABLE = ("text", "json")
_PROGRESS_MIN = 4  # show a progress bar from this many images on


class _UsageError(Exception):
    """A combination of arguments that cannot work (exit status 2)."""


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``read`` sub-command.

    Args:
        subparsers: The ``unocr`` parser's sub-command collection.
    """
    from unocr.formats import WRITE_FORMATS

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
        choices=WRITE_FORMATS,
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
    parser.set_defaults(func=run, _read_parser=parser)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected seconds > 0, got {text!r}")
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
def _stem(source: str, index: int) -> str:
    if source == "-":
        return f"stdin-{index}"
    return Path(source).stem or f"image-{index}"


def _unique_stems(sources: Sequence[str]) -> list[str]:
    stems = [_stem(s, i) for i, s in enumerate(sources)]
    dup = {s for s in stems if stems.count(s) > 1}
    return [f"{i}-{s}" if s in dup else s for i, s in enumerate(stems)]


def _fill(pattern: str, source: str, index: int, stem: str) -> Path:
    name = "stdin" if source == "-" else Path(source).name
    try:
        return Path(pattern.format(stem=stem, name=name, index=index))
    except (KeyError, IndexError, ValueError) as exc:
        raise _UsageError(
            f"bad pattern {pattern!r}: use the fields {{stem}}, {{name}} and {{index}} "
            f"({exc})"
        ) from None


def _pattern_paths(pattern: str, sources: Sequence[str], option: str) -> list[Path]:
    paths = [_fill(pattern, s, i, _stem(s, i)) for i, s in enumerate(sources)]
    if len(set(paths)) != len(paths):
        raise _UsageError(
            f"the {option} pattern {pattern!r} gives several images the same file "
            "name; add {index}"
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
    from unocr.formats import infer_format

    try:
        return infer_format(out)
    except UnocrError as err:
        raise _UsageError(f"{err} Give --format explicitly.") from None


def _targets(args: argparse.Namespace, fmt: str) -> list[Path] | None:
    """One output file per image, or None to write one stream."""
    out: str | None = args.output
    sources: list[str] = args.images
    if out is not None and _is_pattern(out):
        return _pattern_paths(out, sources, "--output")
    if out is not None and _is_folder(out):
        folder = Path(out)
        return [folder / (st + _SUFFIX[fmt]) for st in _unique_stems(sources)]
    if len(sources) > 1 and fmt not in _STREAMABLE:
        raise _UsageError(
            f"{fmt} holds one page per document: with several images give --output "
            "a folder (out/) or a pattern such as 'out/{stem}" + _SUFFIX[fmt] + "'"
        )
    return None


def _annotate_targets(args: argparse.Namespace) -> list[Path] | None:
    target: str | None = args.annotate
    if target is None:
        return None
    sources: list[str] = args.images
    from PIL import Image

    if Path(target).suffix.lower() not in Image.registered_extensions():
        raise _UsageError(
            f"--annotate {target!r}: give an image file name such as boxes.png"
        )
    if _is_pattern(target):
        return _pattern_paths(target, sources, "--annotate")
    if len(sources) == 1:
        return [Path(target)]
    base = Path(target)
    return [
        base.with_name(f"{base.stem}-{st}{base.suffix}")
        for st in _unique_stems(sources)
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


def _document(page: Any, fmt: str, several: bool) -> str:
    from unocr.formats import dumps

    text = dumps(page, fmt)
    if fmt == "json" and several:
        return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))
    return text


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

    sources: list[str] = list(args.images)
    try:
        fmt = _output_format(args)
        targets = _targets(args, fmt)
        annotate = _annotate_targets(args)
    except _UsageError as exc:
        return _usage_error(args, str(exc))

    options: dict[str, Any] = dict(args.option)
    if args.timeout is not None:
        options["timeout"] = args.timeout
    try:
        backend = unocr.get_backend(args.backend, languages=args.lang, **options)
    except UnknownOptionError as exc:  # a usage error: exit status 2
        return _usage_error(args, str(exc))
    except UnocrError:
        raise
    except (TypeError, ValueError) as exc:
        return _usage_error(
            args, f"invalid option for the {args.backend} backend: {exc}"
        )
    items = _inputs(sources)
    bar: Any = None
    if len(items) >= _PROGRESS_MIN and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(items), unit="image", file=sys.stderr, leave=False)
    try:
        results = backend.read_many(
            items,
            workers=args.workers,
            errors="return",
            progress=bar.update if bar is not None else None,
        )
    finally:
        if bar is not None:
            bar.close()
        backend.close()

    failed = 0
    several = len(sources) > 1
    stream: list[str] = []
    for i, (source, result) in enumerate(zip(sources, results, strict=True)):
        if isinstance(result, ItemFailure):
            failed += 1
            print(_error_line(source, result.error), file=sys.stderr)
            continue
        doc = _document(result, fmt, several)
        if targets is not None:
            _write(targets[i], doc)
        elif fmt == "text" and several:
            stream.append(f"==> {'<stdin>' if source == '-' else source} <==\n{doc}")
        else:
            stream.append(doc)
        if annotate is not None:
            try:
                drawn = result.draw(items[i])
            except UnocrError as err:
                failed += 1
                print(_error_line(source, err), file=sys.stderr)
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

"""Where ``unocr read`` writes: output file names for each input and page.

An *output unit* is what one output file holds: an input with all its pages,
or one page of it for the one-page formats (``page-xml``, ``tsv``). Names
come from ``--output`` (a folder, mirroring the subfolders inputs were found
in, or a pattern with ``{stem}``, ``{name}``, ``{index}``, ``{page}``,
``{dir}``) and ``--annotate``; names that would clash get the input's
position in front, or are a usage error for patterns.
"""

from __future__ import annotations

import argparse
import os
import string
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from unocr.cli._inputs import Input
from unocr.errors import UnocrError, UsageError

__all__ = [
    "PER_PAGE",
    "STREAMABLE",
    "SUFFIX",
    "Unit",
    "annotate_format",
    "annotate_targets",
    "check_apart",
    "check_distinct",
    "check_pattern",
    "check_patterns",
    "output_format",
    "targets",
    "units",
]

SUFFIX = {
    "text": ".txt",
    "json": ".json",
    "hocr": ".hocr",
    "alto": ".alto.xml",
    "page-xml": ".page.xml",
    "tsv": ".tsv",
    "pdf": ".pdf",
}
_PDF_SUFFIX = SUFFIX["pdf"]  # the one output suffix infer_format does not know
STREAMABLE = ("text", "json")
PER_PAGE = ("page-xml", "tsv")  # one page per file


@dataclass(slots=True)
class Unit:
    """One output file: an input with all its pages, or one page of it."""

    source: Input  # the input
    position: int  # the input's position among the inputs
    page: int | None  # page number (from 1) of a document's page, else None
    items: list[int]  # indices of its pages in the flat list of pages


def units(
    pages: Sequence[tuple[int, int | None]], inputs: Sequence[Input], per_page: bool
) -> list[Unit]:
    """The output units of the pages ((input position, page number) each)."""
    units: list[Unit] = []
    for i, (position, page) in enumerate(pages):
        if per_page or not units or units[-1].position != position:
            units.append(
                Unit(inputs[position], position, page if per_page else None, [])
            )
        units[-1].items.append(i)
    return units


def _stem(source: str, index: int) -> str:
    if source == "-":
        return f"stdin-{index}"
    return Path(source).stem or f"image-{index}"


def _unit_stem(unit: Unit, mirror: bool) -> tuple[str, str]:
    """The output name without suffix: its folder (``""`` for none) and name.

    The folder is the input's subfolder if ``mirror``. They are kept as text:
    a path object would lose a name of ``.`` (the stem of ``..png``).
    """
    stem = _stem(unit.source.source, unit.position)
    if unit.page is not None:
        stem = f"{stem}-p{unit.page}"
    relative = unit.source.relative
    if mirror and relative is not None:
        folder = PurePosixPath(relative).parent.as_posix()
        return ("" if folder == "." else folder), stem
    return "", stem


def _folders(paths: Sequence[str]) -> set[str]:
    """Every folder above ``paths`` (``a/b/x`` gives ``a`` and ``a/b``)."""
    folders: set[str] = set()
    for path in paths:
        parts = path.split("/")[:-1]
        folders.update("/".join(parts[: n + 1]) for n in range(len(parts)))
    return folders


def unique_stems(units: Sequence[Unit], *, mirror: bool, suffix: str = "") -> list[str]:
    """Output names without suffix, the position put in front of clashing ones.

    Two names clash when they are the same, or when one with ``suffix``
    (``x`` + ``.json``) is a folder another output is written in
    (``x.json/y``): the file and the folder cannot both be made. A prefixed
    name can clash anew (``1-x`` and the second of two ``x``), so prefixing
    is repeated until no two names clash. It ends: once two units of
    different inputs both carry a position in front, their names differ for
    good, the pages of one input differ in their ``-p<N>``, and there are
    only so many folders.

    Args:
        units: The output units.
        mirror: Keep each input's subfolder (``--output`` a folder).
        suffix: The suffix the names are given (``.json``).

    Returns:
        One name per unit: ``/``-separated text, a subfolder first where
        ``mirror``.
    """
    parts = [_unit_stem(u, mirror) for u in units]
    folders = _folders([f"{folder}/x" if folder else "x" for folder, _ in parts])
    while True:
        names = [f"{folder}/{name}" if folder else name for folder, name in parts]
        counts = Counter(names)
        clashing = [
            i
            for i, name in enumerate(names)
            if counts[name] > 1 or name + suffix in folders
        ]
        if not clashing:
            return names
        for i in clashing:
            folder, name = parts[i]
            parts[i] = (folder, f"{units[i].position}-{name}")


#: The fields of an output name pattern.
_FIELDS = ("stem", "name", "index", "page", "dir")
_FIELD_LIST = "{stem}, {name}, {index}, {page} and {dir}"
#: A value of each field's kind (what :func:`_fill` passes), to try a spec on.
_SAMPLE: dict[str, object] = {"stem": "", "name": "", "index": 0, "page": 1, "dir": ""}


def check_pattern(pattern: str, option: str) -> None:
    """Refuse a name pattern with a field :func:`_fill` cannot fill.

    Args:
        pattern: The ``--output`` or ``--annotate`` value (a pattern if it has
            ``{``).
        option: The option's name, for the message.

    Raises:
        UsageError: Unbalanced braces, a field that is not one of
            :data:`_FIELDS` (no ``.attribute``, ``[key]`` or ``!r``), or a
            format spec its field cannot take (``{index:03d}`` is fine,
            ``{stem:d}`` is not).
    """
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(pattern)
            if name is not None
        ]
    except ValueError as exc:
        raise UsageError(
            f"bad {option} pattern {pattern!r} ({exc}): use the fields {_FIELD_LIST} "
            "(write {{ and }} for a brace)"
        ) from None
    for name, spec, conversion in fields:
        shown = name + (f"!{conversion}" if conversion else "")
        shown += f":{spec}" if spec else ""
        why = "" if name in _FIELDS and not conversion else "unknown field"
        if not why:
            try:  # the spec, on a value of the field's kind
                format(_SAMPLE[name], spec or "")
            except (TypeError, ValueError) as exc:
                why = str(exc)
        if why:
            raise UsageError(
                f"bad field {{{shown}}} in the {option} pattern {pattern!r} ({why}): "
                f"use the fields {_FIELD_LIST}, a format spec if you like "
                "({index:03d})"
            )


def check_patterns(args: argparse.Namespace) -> None:
    """Check the ``--output`` and ``--annotate`` patterns before any work.

    Args:
        args: The parsed ``unocr read`` arguments.

    Raises:
        UsageError: A pattern has a field that cannot be filled.
    """
    for option, value in (("--output", args.output), ("--annotate", args.annotate)):
        if value is not None and _is_pattern(value):
            check_pattern(value, option)


def _fill(pattern: str, unit: Unit) -> Path:
    """The pattern filled for ``unit`` (checked by :func:`check_pattern`)."""
    source = unit.source.source
    relative = unit.source.relative
    return Path(
        pattern.format(
            stem=_stem(source, unit.position),
            name="stdin" if source == "-" else Path(source).name,
            index=unit.position,
            page=unit.page or 1,
            dir="" if relative is None else PurePosixPath(relative).parent.as_posix(),
        )
    )


def _pattern_paths(pattern: str, units: Sequence[Unit], option: str) -> list[Path]:
    check_pattern(pattern, option)
    paths = [_fill(pattern, u) for u in units]
    # 'a/../x.json' and 'b/../x.json' are one file; 'x.json' cannot be both a
    # file and the folder of 'x.json/y.json'
    normal = [os.path.normpath(p).replace(os.sep, "/") for p in paths]
    if len(set(normal)) != len(paths) or not _folders(normal).isdisjoint(normal):
        raise UsageError(
            f"the {option} pattern {pattern!r} gives several outputs the same file "
            "name (or one the name of another's folder); add {index} (the input's "
            "position), {page} for the pages of a document, {dir} for files in "
            "subfolders"
        )
    return paths


def _is_pattern(path: str) -> bool:
    return "{" in path


def _is_folder(path: str) -> bool:
    return path.endswith(("/", os.sep)) or os.path.isdir(path)


def _is_stream(path: str) -> bool:
    """An existing output that is not a regular file (a pipe, a device)."""
    return os.path.exists(path) and not os.path.isfile(path)


def output_format(args: argparse.Namespace) -> str:
    """The output format: ``--format``, else from the ``--output`` suffix.

    Text without ``--output``, for a folder, and where the suffix names no
    format but the name has none (``-o fifo``, ``-o /dev/stdout``) or the
    output exists and is not a regular file (a pipe, a device). Another
    suffix is refused, so that a misspelt one (``scan.hcor``) is not written
    as text.

    Raises:
        UsageError: A suffix that names no format, or ``.xml`` (ALTO or
            PAGE-XML).
    """
    if args.format:
        return str(args.format)
    out: str | None = args.output
    if out is None or _is_folder(out):
        return "text"
    if out.lower().endswith(_PDF_SUFFIX):
        return "pdf"
    from unocr.formats import infer_format

    try:
        return infer_format(out)
    except UnocrError as err:  # it names the text formats' suffixes
        if not Path(out).suffix or _is_stream(out):
            return "text"
        raise UsageError(
            f"{err}; {_PDF_SUFFIX} writes a searchable PDF; a name without a "
            "suffix is written as text"
        ) from None


def check_apart(inputs: Sequence[Input], outputs: Sequence[str]) -> None:
    """Refuse an output file that is one of the inputs (it would be overwritten).

    Args:
        inputs: The inputs found on the command line.
        outputs: Every file the run would write.

    Raises:
        UsageError: An output is an input file (after ``..`` and links).
    """
    read = {os.path.realpath(i.source) for i in inputs if i.source != "-"}
    for out in outputs:
        if os.path.realpath(out) in read:
            raise UsageError(
                f"the output {out} is also an input: writing it would destroy the "
                "input; write to another file (and move it over the input after)"
            )


def check_distinct(outputs: Sequence[str], annotate: Sequence[str]) -> None:
    """Refuse an ``--annotate`` file that is also an output file.

    Args:
        outputs: The ``--output`` files the run would write.
        annotate: The ``--annotate`` files it would write.

    Raises:
        UsageError: The two name one file (after ``..`` and links): one would
            overwrite the other.
    """
    written = {os.path.realpath(out) for out in outputs}
    for image in annotate:
        if os.path.realpath(image) in written:
            raise UsageError(
                f"{image} is both an output and an --annotate file: one would "
                "overwrite the other; give --annotate another name or folder "
                "(e.g. 'boxes/{stem}.png')"
            )


def targets(
    args: argparse.Namespace, fmt: str, units: Sequence[Unit]
) -> list[str] | None:
    """One output file per unit, or ``None`` to write one stream.

    File names are kept as strings: a path object costs about 700 bytes, which
    a folder of a million images would multiply.
    """
    out: str | None = args.output
    if out is not None and _is_pattern(out):
        return [str(p) for p in _pattern_paths(out, units, "--output")]
    if out is not None and _is_folder(out):
        folder = Path(out)
        return [
            str(folder / (st + SUFFIX[fmt]))
            for st in unique_stems(units, mirror=True, suffix=SUFFIX[fmt])
        ]
    if len(units) > 1 and fmt not in STREAMABLE:
        unit, several = ("page", "pages") if fmt in PER_PAGE else ("document", "inputs")
        example = "out/{stem}" + ("-{page}" if fmt in PER_PAGE else "") + SUFFIX[fmt]
        raise UsageError(
            f"{fmt} holds one {unit} per file: with several {several} give --output "
            f"a folder (out/) or a pattern such as '{example}'"
        )
    if fmt == "pdf" and out is None and sys.stdout.isatty():
        raise UsageError("-f pdf writes binary data: give --output FILE.pdf")
    return None


def annotate_format(target: str) -> str:
    """The Pillow format an ``--annotate`` file is saved in, from its suffix.

    The format must save an RGB image (what :meth:`unocr.model.Page.draw`
    gives): a 1x1 one is saved in memory to find out, so that a suffix Pillow
    only reads (``.xpm``, ``.psd``), one it saves only in other modes
    (``.xbm``, ``.msp``) or one without a save handler installed (``.bufr``)
    is refused before any work.

    Args:
        target: The ``--annotate`` value (a file name or a pattern).

    Returns:
        Pillow's format name (``PNG``).

    Raises:
        UsageError: The suffix names no image format Pillow can write.
    """
    import io

    from PIL import Image

    suffix = Path(target).suffix.lower()
    kind = Image.registered_extensions().get(suffix)
    if kind is not None:
        try:
            Image.new("RGB", (1, 1)).save(io.BytesIO(), format=kind)
        except Exception:  # any failure: Pillow cannot write it
            kind = None
    if kind is None:
        what = (
            f"{suffix} is no image format that can be written"
            if suffix
            else ("the name has no suffix")
        )
        raise UsageError(
            f"--annotate {target!r}: {what}; give an image file name such as "
            "boxes.png (.png, .jpg, .tif, .webp, .bmp, .gif)"
        )
    return kind


def annotate_targets(
    args: argparse.Namespace, units: Sequence[Unit]
) -> list[str] | None:
    """One ``--annotate`` file per page, or ``None`` without ``--annotate``."""
    target: str | None = args.annotate
    if target is None:
        return None
    annotate_format(target)
    if _is_pattern(target):
        return [str(p) for p in _pattern_paths(target, units, "--annotate")]
    if len(units) == 1:
        return [target]
    base = Path(target)
    return [
        str(base.with_name(f"{base.stem}-{st}{base.suffix}"))
        for st in unique_stems(units, mirror=False)
    ]

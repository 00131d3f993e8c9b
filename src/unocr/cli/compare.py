r"""``unocr compare``: run engines over labelled datasets, print a table.

Examples::

    unocr compare -b tesseract -b 'sparse=tesseract:psm=11' -b rapidocr \\
        --dataset icdar2015:data/ic15 --limit 50 --report report.html --json a.json
    unocr compare --merge a.json b.json --report report.html
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from unocr.cli._args import number, positive_int, usage_error
from unocr.cli._output import cannot_write, unwritable_reason, write_out, write_text

if TYPE_CHECKING:
    from unocr.metrics import ScoringOptions

__all__ = ["register", "run"]

_EPILOG = """\
engines (-b, repeatable): [LABEL=]NAME[:KEY=VALUE,...]
  -b tesseract -b 'tesseract:psm=11' -b 'fast=rapidocr:det_limit_type=max'
  (values are JSON where they parse: 11, 0.5, true, ["en","de"]; else text)

dataset kinds (KIND:PATH), with the text normalisation each declares:
  icdar2015  img_N.jpg + gt_img_N.txt (quads, ### = don't care)   icdar2015
  sroie      X.jpg + X.txt (line quads)                           ignore-case
  funsd      images/X.png + annotations/X.json                    exact
  text       X.png + X.txt (page text, no coordinates)            exact
  linegt     X.tif + X.gt.txt (one text line per image, OCR-D)    exact
  json       X.png + X.json (unocr JSON pages; ### = don't care)  exact
  page-xml   PAGE-XML files + the images they name (OCR-D)        exact
  alto       ALTO files + the images they name (OCR-D)            exact
  pdf        X.pdf + X.jsonl (unocr JSON Lines, a page per line)  exact

Scoring follows the official ICDAR 2015 scripts by default (IoU > 0.5,
first-come matching in file order, Task 4.4 end-to-end rule); --protocol
custom with --matching/--iou sets your own. The table shows detection hmean,
end-to-end hmean, page-level CER and WER, the order-free bag-of-words WER,
median latency per image and throughput. Engines that are not installed are
listed as skipped; images that fail are counted and reported. Results saved
with --json merge with --merge into one table and report. Exit status 1 if
no engine could run.
"""


#: The ``Normalization`` switches offered as flags (``--ignore-case`` for
#: ``ignore_case``), with their help.
_NORMALIZATION_FLAGS = {
    "ignore_case": "compare text case-insensitively",
    "nfkc": "apply Unicode NFKC before comparing",
    "ignore_punctuation": "drop punctuation before comparing",
}

#: What only a run uses (destination, option): refused with --merge, which
#: combines runs already made and scored.
_RUN_OPTIONS = (
    ("limit", "--limit"),
    ("workers", "--workers"),
    ("languages", "--languages"),
    ("protocol", "--protocol"),
    ("word_spotting", "--word-spotting"),
    ("normalization", "--normalization"),
    ("ignore_case", "--ignore-case"),
    ("nfkc", "--nfkc"),
    ("ignore_punctuation", "--ignore-punctuation"),
    ("iou", "--iou"),
    ("matching", "--matching"),
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``compare`` sub-command to the ``unocr`` parser.

    Args:
        subparsers: The action returned by ``add_subparsers``.
    """
    from unocr.metrics import MATCHING_RULES, NORMALIZATIONS, PROTOCOLS

    p = subparsers.add_parser(
        "compare",
        help="compare engines on labelled images (accuracy, speed, report)",
        description="Run OCR engines over labelled datasets and compare\n"
        "detection, end-to-end and recognition accuracy and speed.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "-b",
        "--backend",
        dest="engines",
        action="append",
        default=[],
        metavar="SPEC",
        help="an engine, optionally with settings and a label (repeat for "
        "several): [LABEL=]NAME[:KEY=VALUE,...], e.g. 'tesseract:psm=11'",
    )
    p.add_argument(
        "--backends",
        metavar="NAMES",
        help="comma-separated engine names, e.g. tesseract,rapidocr",
    )
    p.add_argument(
        "--dataset",
        dest="datasets",
        action="append",
        default=[],
        metavar="KIND:PATH",
        help="a labelled dataset (repeat for several), e.g. icdar2015:data/ic15",
    )
    p.add_argument(
        "--merge",
        nargs="+",
        type=Path,
        metavar="RESULT.json",
        help="combine results saved with --json (same datasets and protocol) "
        "instead of running engines",
    )
    p.add_argument("--limit", type=positive_int, metavar="N", help="images per dataset")
    p.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="threads per engine (default 1)",
    )
    p.add_argument(
        "--languages",
        "-l",
        metavar="CODES",
        help="ISO 639 codes, e.g. en or en,de (an engine's own languages= "
        "setting wins for it)",
    )
    p.add_argument(
        "--report",
        metavar="OUT.html",
        help="write an HTML report ('-': standard output, the table then goes "
        "to standard error)",
    )
    p.add_argument(
        "--json",
        metavar="OUT.json",
        help="write every figure as JSON ('-': standard output, the table then "
        "goes to standard error)",
    )
    p.add_argument(
        "--previews",
        type=int,
        default=3,
        metavar="N",
        help="images per dataset drawn in the report (default 3)",
    )
    p.add_argument(
        "--protocol",
        choices=PROTOCOLS,
        help="scoring rules: the official ICDAR 2015 ones (default) or custom",
    )
    p.add_argument(
        "--word-spotting",
        action="store_true",
        help="end to end as ICDAR 2015 Task 4.4's word-spotting variant",
    )
    p.add_argument(
        "--normalization",
        choices=tuple(NORMALIZATIONS),
        metavar="NAME",
        help="text normalisation for every dataset instead of the one each "
        f"declares: {', '.join(NORMALIZATIONS)}",
    )
    for field, what in _NORMALIZATION_FLAGS.items():
        p.add_argument("--" + field.replace("_", "-"), action="store_true", help=what)
    p.add_argument(
        "--iou",
        type=number,  # its range depends on --protocol (see _scoring)
        metavar="T",
        help="IoU threshold (default 0.5): in [0, 1) under icdar2015 (IoU must "
        "exceed it), in (0, 1] under custom (IoU must reach it)",
    )
    p.add_argument(
        "--matching",
        choices=MATCHING_RULES,
        help="one-to-one matching rule (default: the protocol's; "
        "icdar2015: first-come, custom: optimal)",
    )
    p.set_defaults(func=run, _parser=p)


def _normalization(args: argparse.Namespace) -> object:
    from unocr.metrics import NORMALIZATIONS, Normalization

    flags = {field: getattr(args, field) for field in _NORMALIZATION_FLAGS}
    if args.normalization:
        return NORMALIZATIONS[args.normalization]
    if any(flags.values()):
        return Normalization(**flags)
    return None


#: ``--json`` or ``--report`` naming standard output (``./-`` names a file).
_STDOUT = "-"


def _files(args: argparse.Namespace) -> list[str]:
    """The files ``--json`` and ``--report`` name (not standard output)."""
    return [t for t in (args.json, args.report) if t is not None and t != _STDOUT]


def _both_to_stdout(args: argparse.Namespace) -> bool:
    """Whether ``--json -`` and ``--report -`` both ask for standard output."""
    return bool(args.json == args.report == _STDOUT)


_BOTH_TO_STDOUT = (
    "--json - and --report - would both write to standard output; give one "
    "of them a file name"
)


def _one_file(args: argparse.Namespace) -> str | None:
    """The usage error of --json and --report naming one file, or ``None``."""
    both = len(_files(args)) == 2
    if both and os.path.realpath(args.json) == os.path.realpath(args.report):
        return (
            f"--json and --report name one file ({args.json}); the report would "
            "replace the results: give them different names"
        )
    return None


def _dataset_paths(specs: list[str]) -> list[tuple[str, Path]]:
    """Each ``--dataset`` spec with its path, checked in form and kind (not loaded).

    Raises:
        unocr.errors.DatasetError: A spec that is not ``KIND:PATH`` or names
            an unknown kind.
    """
    from unocr.datasets import parse_dataset_spec

    return [(spec, parse_dataset_spec(spec)[1]) for spec in specs]


def _in_dataset(target: str, datasets: list[tuple[str, Path]]) -> str | None:
    """The usage error of an output that is an existing file of a dataset.

    A file at or below a dataset's path (its images, its ground truth, any
    file a loader may read) would be replaced by the output, and the next
    run would score against it.
    """
    real = os.path.realpath(target)
    if not os.path.lexists(target) or os.path.isdir(real):
        return None
    for spec, path in datasets:
        root = os.path.realpath(path)
        if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
            return _DATASET_FILE.format(target=target, spec=spec)
    return None


def _sample_image(target: str, images: dict[str, str]) -> str | None:
    """The usage error of an output that is an image a dataset scores."""
    spec = images.get(os.path.realpath(target))
    return None if spec is None else _DATASET_FILE.format(target=target, spec=spec)


_DATASET_FILE = (
    "the output {target} is a file of the dataset {spec}: writing it would "
    "destroy the data scored; write to another file (outside the dataset's folder)"
)


def _unwritable(args: argparse.Namespace) -> int:
    """Say which of --json and --report cannot be written; how many."""
    bad = 0
    for target in _files(args):
        reason = unwritable_reason(Path(target))
        if reason is not None:
            print(cannot_write(target, reason), file=sys.stderr)
            bad += 1
    return bad


def _write(result: object, args: argparse.Namespace) -> int:
    """Write --json and --report, then print the table; how many were not written.

    The files come first: whatever happens to standard output, the work is
    kept. Where one of them is standard output (``-``), the table goes to
    standard error, so that what standard output gets can be read whole.

    Standard output that cannot be written (a full disk) is an error line
    and counts as not written.

    Raises:
        BrokenPipeError: The reader of standard output went away.
    """
    from unocr.comparison import CompareResult, render_html

    assert isinstance(result, CompareResult)
    notes: list[str] = []
    outputs: list[tuple[str | None, Callable[[], str]]] = [
        (
            args.json,
            # a file: paths relative to its folder (it finds its images when
            # it moves with them); standard output: absolute
            lambda: result.to_json(
                relative_to=None if args.json == _STDOUT else Path(args.json).parent
            ),
        ),
        (
            args.report,
            lambda: render_html(result, previews=max(0, args.previews), notes=notes),
        ),
    ]
    failed = 0
    for target, render in outputs:
        if target is None:
            continue
        try:  # one that cannot be written does not cost the other
            if target == _STDOUT:
                text = render()
                write_out(text if text.endswith("\n") else text + "\n", sys.stdout)
            else:
                write_text(Path(target), render())
        except OSError as exc:
            if target == _STDOUT and isinstance(exc, BrokenPipeError):
                raise
            shown = "<stdout>" if target == _STDOUT else target
            print(cannot_write(shown, exc), file=sys.stderr)
            failed += 1
            continue
        for note in notes:
            print(f"unocr: note: {note}", file=sys.stderr)
        if target != _STDOUT:
            print(f"wrote {target}", file=sys.stderr)
    if _STDOUT in (args.json, args.report):
        print(result.table(), file=sys.stderr)
        return failed
    try:  # a full disk or a size limit: its line, not a traceback
        write_out(result.table() + "\n", sys.stdout)
    except OSError as exc:
        if isinstance(exc, BrokenPipeError):
            raise
        print(cannot_write("<stdout>", exc), file=sys.stderr)
        failed += 1
    return failed


def _merge(args: argparse.Namespace) -> int:
    """``unocr compare --merge``: one table and report from saved results."""
    from unocr.cli._inputs import Input
    from unocr.cli._naming import check_apart
    from unocr.comparison import load_result, merge_results
    from unocr.errors import UsageError

    if args.engines or args.backends or args.datasets:
        return usage_error(
            args,
            "--merge combines saved results; give no -b/--backends/--dataset with it",
        )
    given = [
        flag
        for dest, flag in _RUN_OPTIONS
        if getattr(args, dest) is not None and getattr(args, dest) is not False
    ]
    if given:
        return usage_error(
            args,
            f"--merge combines results already run and scored, so {', '.join(given)} "
            "would change nothing; leave them out (or run the engines again with "
            "them and merge that result)",
        )
    if _both_to_stdout(args):
        return usage_error(args, _BOTH_TO_STDOUT)
    if (same := _one_file(args)) is not None:
        return usage_error(args, same)
    try:
        check_apart([Input(str(path)) for path in args.merge], _files(args))
    except UsageError as exc:
        return usage_error(args, str(exc))
    if _unwritable(args):  # before the work, not after it
        return 1
    results = [load_result(path) for path in args.merge]
    merged = merge_results(results, [str(p) for p in args.merge])
    unwritten = _write(merged, args)
    return 0 if merged.runs and not unwritten else 1


def _scoring(args: argparse.Namespace) -> ScoringOptions:
    """The scoring options the arguments ask for (ScoringOptions' defaults else).

    Raises:
        unocr.errors.ConfigError: ``--iou`` outside the range of the protocol
            (ScoringOptions' own check).
    """
    from unocr.metrics import Normalization, ScoringOptions

    norm = _normalization(args)
    given = {
        key: value
        for key, value in (("protocol", args.protocol), ("iou_threshold", args.iou))
        if value is not None
    }
    return ScoringOptions(
        matching=args.matching,
        normalization=norm if isinstance(norm, Normalization) else None,
        word_spotting=args.word_spotting,
        **given,
    )


def run(args: argparse.Namespace) -> int:
    """Execute ``unocr compare`` with parsed arguments.

    Returns:
        0 if at least one engine ran, 1 if every engine was skipped, 2 for
        a usage error (no engine or no dataset, a malformed ``-b`` or
        ``--dataset``, an --iou out of the protocol's range, ``--json -``
        with ``--report -``, ``--json`` and ``--report`` naming one file,
        an output that is a file of a dataset, run options or an input as
        output with --merge).
    """
    from tqdm import tqdm

    from unocr.comparison import compare
    from unocr.datasets import load_dataset
    from unocr.errors import ConfigError

    if args.merge:
        return _merge(args)
    engines = list(args.engines)
    if args.backends:
        engines.extend(n.strip() for n in args.backends.split(",") if n.strip())
    if not engines or not args.datasets:
        return usage_error(
            args,
            "give at least one engine (-b NAME) and one dataset "
            "(--dataset KIND:PATH), or --merge RESULT.json ...",
        )
    from unocr.comparison import engine_specs
    from unocr.errors import ComparisonError, DatasetError

    try:
        engine_specs(engines)  # checked before any dataset is loaded
    except ComparisonError as err:  # a malformed -b: a usage error
        return usage_error(args, str(err))
    if args.normalization and (
        args.ignore_case or args.nfkc or args.ignore_punctuation
    ):
        return usage_error(
            args,
            "give either --normalization or the --ignore-case/"
            "--nfkc/--ignore-punctuation flags, not both",
        )
    try:
        options = _scoring(args)
    except ConfigError as err:  # only --iou can be out of range
        return usage_error(args, f"--iou: {err}")
    if _both_to_stdout(args):
        return usage_error(args, _BOTH_TO_STDOUT)
    if (same := _one_file(args)) is not None:
        return usage_error(args, same)
    try:
        specs = _dataset_paths(list(args.datasets))
    except DatasetError as err:  # a malformed --dataset: a usage error
        return usage_error(args, str(err))
    for target in _files(args):
        if (clash := _in_dataset(target, specs)) is not None:
            return usage_error(args, clash)
    if _unwritable(args):  # before the work, not after it
        return 1
    datasets = [load_dataset(spec, limit=args.limit) for spec in args.datasets]
    images = {
        os.path.realpath(sample.image): spec
        for spec, dataset in zip(args.datasets, datasets, strict=True)
        for sample in dataset
    }
    for target in _files(args):  # an image named from elsewhere (PAGE-XML, ALTO)
        if (clash := _sample_image(target, images)) is not None:
            return usage_error(args, clash)
    total = len(engines) * sum(len(d) for d in datasets)
    with tqdm(
        total=total,
        unit="img",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
        desc="compare",
    ) as bar:

        def started(label: str, dataset: str, images: int) -> None:
            bar.set_description(f"{label} on {dataset}")

        result = compare(
            engines,
            datasets,
            workers=args.workers or 1,
            languages=args.languages,
            options=options,
            progress=bar.update,
            on_run=started,
        )
    unwritten = _write(result, args)
    return 0 if result.runs and not unwritten else 1

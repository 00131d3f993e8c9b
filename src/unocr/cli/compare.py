r"""``unocr compare``: run engines over labelled datasets, print a table.

Examples::

    unocr compare --backends tesseract,rapidocr --dataset icdar2015:data/ic15 \\
        --limit 50 --report report.html --json results.json
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from unocr.cli._args import positive_int
from unocr.errors import UnocrError

__all__ = ["register", "run"]

_EPILOG = """\
dataset kinds (KIND:PATH):
  icdar2015  img_N.jpg + gt_img_N.txt (quads, ### = don't care)
  sroie      X.jpg + X.txt (line quads)
  funsd      images/X.png + annotations/X.json
  text       X.png + X.txt (page text, no coordinates)
  linegt     X.tif + X.gt.txt (one text line per image, OCR-D style)
  json       X.png + X.json (unocr JSON pages; ### words = don't care)
  pdf        X.pdf + X.jsonl (unocr JSON Lines, one labelled page per line)

The table shows detection hmean and end-to-end hmean (ICDAR 2015 protocol,
IoU >= 0.5), page-level CER and WER, median latency per image and throughput.
Engines that are not installed are listed as skipped; images that fail are
counted and reported. Exit status 1 if no engine could run.
"""


def _fraction(value: str) -> float:
    try:
        x = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {value!r}") from None
    if not 0.0 < x <= 1.0:
        raise argparse.ArgumentTypeError(f"must lie in (0, 1], got {x}")
    return x


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``compare`` sub-command to the ``unocr`` parser.

    Args:
        subparsers: The action returned by ``add_subparsers``.
    """
    p = subparsers.add_parser(
        "compare",
        help="compare engines on labelled images (accuracy, speed, report)",
        description="Run OCR engines over labelled datasets and compare\n"
        "detection, end-to-end and recognition accuracy and speed.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--backends",
        required=True,
        metavar="NAMES",
        help="comma-separated engine names, e.g. tesseract,rapidocr,gcv,keras-ocr",
    )
    p.add_argument(
        "--dataset",
        dest="datasets",
        action="append",
        required=True,
        metavar="KIND:PATH",
        help="a labelled dataset (repeat for several), e.g. icdar2015:data/ic15",
    )
    p.add_argument("--limit", type=positive_int, metavar="N", help="images per dataset")
    p.add_argument(
        "--workers",
        type=positive_int,
        default=1,
        metavar="N",
        help="threads per engine",
    )
    p.add_argument(
        "--languages", "-l", metavar="CODES", help="ISO 639 codes, e.g. en or en,de"
    )
    p.add_argument(
        "--report", type=Path, metavar="OUT.html", help="write an HTML report"
    )
    p.add_argument(
        "--json", type=Path, metavar="OUT.json", help="write every figure as JSON"
    )
    p.add_argument(
        "--previews",
        type=int,
        default=3,
        metavar="N",
        help="images per dataset drawn in the report (default 3)",
    )
    p.add_argument(
        "--ignore-case", action="store_true", help="compare text case-insensitively"
    )
    p.add_argument(
        "--nfkc", action="store_true", help="apply Unicode NFKC before comparing"
    )
    p.add_argument(
        "--ignore-punctuation",
        action="store_true",
        help="drop punctuation before comparing",
    )
    p.add_argument(
        "--iou",
        type=_fraction,
        default=0.5,
        metavar="T",
        help="IoU threshold (default 0.5)",
    )
    p.add_argument(
        "--matching",
        choices=("optimal", "greedy"),
        default="optimal",
        help="one-to-one matching rule (default optimal)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Execute ``unocr compare`` with parsed arguments.

    Returns:
        0 if at least one engine ran, 1 if every engine was skipped.
    """
    from tqdm import tqdm

    from unocr.comparison import compare, write_html
    from unocr.datasets import load_dataset
    from unocr.evaluate import EvalOptions, Normalization

    datasets = [load_dataset(spec, limit=args.limit) for spec in args.datasets]
    names = [n.strip() for n in args.backends.split(",") if n.strip()]
    if not names:
        raise UnocrError("--backends needs at least one engine name, e.g. tesseract")
    options = EvalOptions(
        iou_threshold=args.iou,
        matching=args.matching,
        normalization=Normalization(
            ignore_case=args.ignore_case,
            nfkc=args.nfkc,
            ignore_punctuation=args.ignore_punctuation,
        ),
    )
    total = len(names) * sum(len(d) for d in datasets)
    with tqdm(
        total=total,
        unit="img",
        file=sys.stderr,
        disable=not sys.stderr.isatty(),
        leave=False,
        desc="compare",
    ) as bar:
        result = compare(
            names,
            datasets,
            workers=args.workers,
            languages=args.languages,
            options=options,
            progress=bar.update,
        )
    print(result.table())
    if args.json is not None:
        args.json.write_text(result.to_json() + "\n", encoding="utf-8")
        print(f"wrote {args.json}", file=sys.stderr)
    if args.report is not None:
        notes = write_html(result, args.report, previews=max(0, args.previews))
        for note in notes:
            print(f"unocr: note: {note}", file=sys.stderr)
        print(f"wrote {args.report}", file=sys.stderr)
    return 0 if result.runs else 1

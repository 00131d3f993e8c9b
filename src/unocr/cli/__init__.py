"""The ``unocr`` command line.

Each sub-command lives in its own module with ``register(subparsers)``. Exit
codes: 0 success; 1 an expected failure (missing engine, unreadable image,
unknown backend, time-out...), reported as one line on stderr; 2 a usage
error; 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings

from unocr.errors import UnocrError

__all__ = ["SUBCOMMANDS", "build_parser", "main"]

#: Sub-command modules, in the order ``unocr --help`` lists them.
SUBCOMMANDS = ("read", "backends", "convert", "compare")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command registered."""
    from unocr import __version__

    parser = argparse.ArgumentParser(
        prog="unocr",
        description="Run any OCR engine through one interface.",
    )
    parser.add_argument("--version", action="version", version=f"unocr {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"unocr.cli.{name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line.

    Args:
        argv: Arguments without the program name; default ``sys.argv[1:]``.

    Returns:
        The exit code.
    """
    parser = build_parser()
    # A deprecated spelling in the arguments (-f page) is said on standard
    # error: Python hides DeprecationWarning outside __main__.
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always", DeprecationWarning)
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse: --help/--version (0) or usage (2)
            return int(exc.code) if isinstance(exc.code, int) else 2
    for warning in said:
        if issubclass(warning.category, DeprecationWarning):
            print(f"unocr: note: {warning.message}", file=sys.stderr)
    try:
        code: int = args.func(args)
    except UnocrError as err:
        print(f"unocr: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("unocr: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 1
    return code

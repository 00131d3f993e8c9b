"""The ``unocr`` command line.

Each sub-command lives in its own module with ``register(subparsers)``. Exit
codes: 0 success; 1 an expected failure (missing engine, unreadable image,
unknown backend, time-out...), reported as one line on stderr, or the reader
of standard output gone; 2 a usage error (argparse's, or a
:class:`~unocr.errors.UsageError` a sub-command raises); 130 interrupted.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import os
import signal
import sys
import warnings
from typing import NoReturn

from unocr.cli._args import usage_error
from unocr.errors import UnocrError, UsageError

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
        The exit code. On Ctrl-C it does not return: the process ends with
        status 130 (see :func:`_end_interrupted`).
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
    quiet = getattr(args, "quiet", False)  # -q: no notes
    for warning in said:
        if issubclass(warning.category, DeprecationWarning) and not quiet:
            print(f"unocr: note: {warning.message}", file=sys.stderr)
    try:
        code: int = args.func(args)
    except UsageError as err:
        return usage_error(args, str(err))
    except UnocrError as err:
        print(f"unocr: error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        _end_interrupted()
    except BrokenPipeError:
        return 1
    return code


def _end_interrupted() -> NoReturn:
    """End the process after Ctrl-C, with status 130, at once.

    The sub-command has stopped by now: no further image is started, its
    output files are whole or removed. An engine running in this process
    cannot be stopped mid-image, and the interpreter's exit would wait for its
    worker thread; so the process ends here, after writing out what standard
    output and standard error hold and running the exit handlers (an isolated
    engine's worker processes, temporary folders). A second Ctrl-C meanwhile
    ends it silently.
    """
    with contextlib.suppress(ValueError):  # not the main thread: nothing to undo
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    print("unocr: interrupted", file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or file
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(130)

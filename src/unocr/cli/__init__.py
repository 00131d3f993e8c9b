"""The ``unocr`` command line.

Each sub-command lives in its own module with ``register(subparsers)``. Exit
codes: 0 success; 1 an expected failure (missing engine, unreadable image,
unknown backend, time-out...), reported as one line on stderr, or the reader
of standard output gone; 2 a usage error (argparse's, or a
:class:`~unocr.errors.UsageError` a sub-command raises); 130 interrupted
(Ctrl-C); 143 terminated (``SIGTERM``).
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
from collections.abc import Callable
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
        status 130, and on ``SIGTERM`` (what ``timeout``, ``kill`` and service
        managers send) with status 143, after the same clean-up (see
        :func:`_end_interrupted`). The ``SIGTERM`` handler is installed only
        on the main thread, and the one before it is put back on return.
    """
    _TERMINATED.clear()
    previous = _catch_sigterm()
    try:
        return _main(argv)
    except KeyboardInterrupt:  # SIGTERM's too
        _end_interrupted(terminated=bool(_TERMINATED))
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


#: The ``SIGTERM`` that stopped the run, if one did (what :func:`main` ends with).
_TERMINATED: list[int] = []


def _on_sigterm(signum: int, frame: object) -> None:
    """Stop the run as Ctrl-C does; a second ``SIGTERM`` ends it at once.

    It raises :class:`KeyboardInterrupt`, so that whatever cleans up after
    Ctrl-C (an engine's programs killed, temporary files removed) does so
    here too; :data:`_TERMINATED` tells :func:`main` which it was.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _TERMINATED.append(signum)
    raise KeyboardInterrupt


def _catch_sigterm() -> signal.Handlers | Callable[..., object] | int | None:
    """Turn ``SIGTERM`` into :class:`KeyboardInterrupt`; the handler it replaced.

    Returns:
        The previous handler, or ``None`` where none was installed (not the
        main thread, or a platform without ``SIGTERM`` handlers).
    """
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError, AttributeError):  # not the main thread
        return None
    return signal.SIG_DFL if previous is None else previous


def _main(argv: list[str] | None) -> int:
    """:func:`main` without its handling of Ctrl-C and ``SIGTERM``."""
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
    except BrokenPipeError:
        return 1
    return code


def _end_interrupted(*, terminated: bool = False) -> NoReturn:
    """End the process after Ctrl-C, with status 130, at once.

    After ``SIGTERM`` (``terminated``) it is the same, with status 143
    (128 + the signal's number, as a shell reports a process it ended) and
    ``unocr: terminated``.

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
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    print(f"unocr: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe or file
            stream.flush()
    atexit._run_exitfuncs()
    os._exit(128 + signal.SIGTERM if terminated else 130)

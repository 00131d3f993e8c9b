"""Argument types and usage errors shared by the subcommands."""

from __future__ import annotations

import argparse
import sys

from unocr.errors import UsageError

__all__ = [
    "UsageError",
    "number",
    "output_target",
    "positive_int",
    "positive_number",
    "usage_error",
]


def usage_error(args: argparse.Namespace, message: str) -> int:
    """Say a usage error as argparse does: the usage line, then the message.

    Args:
        args: The parsed arguments; their ``_parser`` (set by the
            sub-command's ``register``) gives the usage line.
        message: What is wrong and how to put it right.

    Returns:
        2, the exit status of a usage error.
    """
    parser: argparse.ArgumentParser | None = getattr(args, "_parser", None)
    if parser is not None:
        parser.print_usage(sys.stderr)
        print(f"{parser.prog}: error: {message}", file=sys.stderr)
    else:
        command = getattr(args, "command", None)
        prog = f"unocr {command}" if command else "unocr"
        print(f"{prog}: error: {message}", file=sys.stderr)
    return 2


def positive_int(text: str) -> int:
    """Parse a command-line count that must be at least 1.

    Args:
        text: The argument as typed.

    Returns:
        The whole number.

    Raises:
        argparse.ArgumentTypeError: Not a whole number, or below 1 (argparse
            reports it as a usage error, exit status 2).
    """
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def number(text: str) -> float:
    """Parse a command-line number (a float as Python reads it).

    Args:
        text: The argument as typed.

    Returns:
        The number; its range is the option's to check.

    Raises:
        argparse.ArgumentTypeError: Not a number (argparse reports it as a
            usage error, exit status 2).
    """
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def positive_number(text: str) -> float:
    """Parse a command-line number that must be finite and above 0.

    Args:
        text: The argument as typed.

    Returns:
        The number, in the option's own unit (seconds, pixels per inch).

    Raises:
        argparse.ArgumentTypeError: Not a number, not above 0, infinite or
            NaN (argparse reports it as a usage error, exit status 2).
    """
    value = number(text)
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def output_target(text: str) -> str | None:
    """Parse an ``--output`` value: ``-`` is standard output, as for inputs.

    Args:
        text: The argument as typed.

    Returns:
        The value, or ``None`` (standard output, as without ``--output``)
        for ``-``.
    """
    return None if text == "-" else text

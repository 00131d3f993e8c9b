"""Argument types shared by the subcommands."""

from __future__ import annotations

import argparse

__all__ = ["output_target", "positive_int"]


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


def output_target(text: str) -> str | None:
    """Parse an ``--output`` value: ``-`` is standard output, as for inputs.

    Args:
        text: The argument as typed.

    Returns:
        The value, or ``None`` (standard output, as without ``--output``)
        for ``-``.
    """
    return None if text == "-" else text

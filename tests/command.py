"""The ``unocr`` command, run in a fresh interpreter as a user runs it."""

from __future__ import annotations

import subprocess
import sys


def run_unocr(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m unocr ARGS`` and capture its output as text.

    Args:
        *args: The command's arguments, e.g. ``"read", "page.png"``.
        timeout: Seconds before the run is abandoned (the test then fails).

    Returns:
        The finished process (its exit status is not checked here).
    """
    return subprocess.run(
        [sys.executable, "-m", "unocr", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )

"""A child process that dies with its parent (Linux ``PR_SET_PDEATHSIG``).

Package-internal: the one home of the ``prctl`` call that engine worker
processes and the programs engines start (Tesseract) use so that they never
run on alone once the process that started them is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import signal
import sys
from collections.abc import Callable

__all__ = ["PR_SET_PDEATHSIG", "ask_death_with_parent", "load_prctl"]

PR_SET_PDEATHSIG = 1


@functools.cache
def load_prctl() -> Callable[..., int] | None:
    """The C library's ``prctl`` (Linux), loaded once; ``None`` elsewhere.

    Returns:
        The foreign function, or ``None`` where the platform or C library has
        none.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    prctl.restype = ctypes.c_int
    found: Callable[..., int] = prctl
    return found


def ask_death_with_parent(prctl: Callable[..., int]) -> None:
    """Ask the kernel to ``SIGKILL`` this process when its parent thread ends.

    Safe between ``fork`` and ``exec`` when ``prctl`` was loaded before the
    fork (:func:`load_prctl`): it only calls the C function.

    Args:
        prctl: What :func:`load_prctl` returned.
    """
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

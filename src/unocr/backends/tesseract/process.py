"""Run a program with a time-out that leaves no process behind (pure stdlib).

:func:`run` starts the program in its own process group (its own session on
POSIX), feeds it ``stdin``, and collects ``stdout``/``stderr``. When the time
limit passes, or the caller is interrupted (``KeyboardInterrupt``), the whole
group is killed with ``SIGKILL`` and the child is reaped (``wait``) before the
exception propagates: no orphaned grandchild and no zombie remain. A
:class:`~unocr.backends.deadline.Cancellation` (``cancel=``) kills the group
the same way, from whichever thread cancels.

On Linux the program also dies with the thread that started it
(``PR_SET_PDEATHSIG``): when the calling process ends without killing it
(``SIGKILL``, or an isolated worker stopped at its time-out or by Ctrl-C),
the kernel kills the program too, so a hung Tesseract never runs on alone.
The own session stays: Ctrl-C at a terminal reaches the caller only, which
kills and reaps the program itself before ``KeyboardInterrupt`` propagates.

The child's environment is the parent's plus ``env`` overrides; the parent's
:data:`os.environ` is never modified.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from unocr._lifetime import ask_death_with_parent, load_prctl
from unocr.errors import ProcessCancelled, ProcessTimeout

if TYPE_CHECKING:
    from unocr.backends.deadline import Cancellation

__all__ = [
    "ProcessCancelled",
    "ProcessResult",
    "ProcessTimeout",
    "child_environment",
    "run",
]

_POSIX = os.name == "posix"


@dataclass(frozen=True)
class ProcessResult:
    """What a finished program returned.

    Attributes:
        returncode: Exit status (negative: killed by that signal).
        stdout: Everything it wrote to standard output.
        stderr: Everything it wrote to standard error.
        pid: Its process id (already reaped).
    """

    returncode: int
    stdout: bytes
    stderr: bytes
    pid: int


def child_environment(overrides: Mapping[str, str]) -> dict[str, str]:
    """A copy of :data:`os.environ` with ``overrides`` applied.

    Args:
        overrides: Variables to set in the child only.

    Returns:
        A new dict; ``os.environ`` itself is left untouched.
    """
    env = dict(os.environ)
    env.update(overrides)
    return env


def _grpc_loaded() -> bool:
    """Whether gRPC's core is loaded (by the ``gcv`` backend, or by the caller).

    gRPC runs its fork handlers in a child started with a ``preexec_fn``
    (which makes Python fork), and while a channel is busy they can crash
    that child before it runs the program (grpc/grpc#43055: one start in a
    hundred, exit status -6). Without a ``preexec_fn`` Python starts the
    child with ``vfork``, where no fork handler runs; such a child has no
    parent-death signal, but a time-out or a cancellation still kills its
    process group.
    """
    return "grpc._cython.cygrpc" in sys.modules


def _dies_with_caller() -> Callable[[], None] | None:
    """What the child runs before the program: die with the calling thread.

    Returns:
        A function for :class:`subprocess.Popen`'s ``preexec_fn`` that asks
        the kernel for ``SIGKILL`` when the thread starting the child ends
        (``PR_SET_PDEATHSIG``), and ends the child at once when the caller
        died before that took effect; ``None`` where ``prctl`` is missing.
    """
    prctl = load_prctl()  # loaded here: the child only calls it
    if prctl is None:
        return None
    caller = os.getpid()

    def arm() -> None:  # between fork and exec: no locks, no imports
        ask_death_with_parent(prctl)
        if os.getppid() != caller:
            os._exit(1)

    return arm


def _signal_group(proc: subprocess.Popen[bytes]) -> None:
    """Send SIGKILL to the child's whole process group (no reaping)."""
    try:
        if _POSIX:
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - Windows
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the child's whole process group, reap the child, close the pipes."""
    _signal_group(proc)
    try:
        proc.communicate()  # drains and closes stdout/stderr, reaps the child
    except (OSError, ValueError):
        proc.wait()
    finally:
        # A resumed communicate() leaves stdin open when input was pending.
        for stream in (proc.stdin, proc.stdout, proc.stderr):
            if stream is not None and not stream.closed:
                with contextlib.suppress(OSError):
                    stream.close()


def run(
    args: Sequence[str],
    *,
    stdin: bytes | None = None,
    timeout: float | None = None,
    env: Mapping[str, str] | None = None,
    cancel: Cancellation | None = None,
) -> ProcessResult:
    """Run a program to completion, or kill it at the time-out.

    Args:
        args: Program and arguments (no shell).
        stdin: Bytes to feed on standard input (``None``: no input).
        timeout: Seconds before the program is killed; ``None`` waits forever.
        env: Complete environment for the child (default: inherit).
        cancel: A token whose cancellation kills the program at once.

    Returns:
        The exit status and the collected output.

    Raises:
        ProcessTimeout: The time-out passed; the process group was killed and
            the child reaped.
        ProcessCancelled: ``cancel`` was cancelled; the same.
        FileNotFoundError: The program does not exist.
        PermissionError: The program is not executable.
    """
    started: list[subprocess.Popen[bytes]] = []
    starting = threading.RLock()

    def stop() -> None:  # on the cancelling thread; communicate() then returns
        with starting:
            for child in started:
                if child.returncode is None:  # not reaped yet: the pid is ours
                    _signal_group(child)

    # Listen before the program starts: a cancellation from here on is told
    # that work is stopping (so the canceller waits for the kill), where one
    # between the start and the registration found no listener and returned
    # while the program still ran.
    forget = cancel.on_cancel(stop) if cancel is not None else None
    try:
        if cancel is not None and cancel.cancelled:
            raise ProcessCancelled(0)
        with starting:
            proc = subprocess.Popen(
                list(args),
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=dict(env) if env is not None else None,
                start_new_session=_POSIX,
                preexec_fn=None if _grpc_loaded() else _dies_with_caller(),
            )
            started.append(proc)
    except BaseException:
        if forget is not None:
            forget()
        raise
    if cancel is not None and cancel.cancelled:  # cancelled while it started
        stop()
    try:
        out, err = proc.communicate(input=stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise ProcessTimeout(proc.pid, float(timeout or 0.0)) from None
    except BaseException:
        _kill(proc)
        raise
    finally:
        if forget is not None:
            forget()
    if cancel is not None and cancel.cancelled:  # communicate() reaped it
        raise ProcessCancelled(proc.pid)
    return ProcessResult(proc.returncode, out, err, proc.pid)

"""One worker process, seen from the parent: start, call, watch, stop.

Each call waits for the answer with ``select`` in short slices, so a time-out
or a memory limit is noticed within :data:`POLL_SECONDS`; a worker that
dies, hangs past its time-out or grows past its memory limit is killed and
the call raises a typed error carrying the worker's last lines of standard
error. A worker is killed with the programs it started (on Linux, every
descendant, also one in a session of its own), so no engine's program runs
on after its worker. The worker's standard error is drained by a thread into
a short ring buffer, so a chatty engine never blocks.

A worker belongs to the process that started it: a forked child's copy of a
:class:`WorkerProcess` never writes to, signals or waits for the worker
(see :meth:`WorkerProcess.disown`).
"""

from __future__ import annotations

import collections
import contextlib
import io
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import IO, Any

from unocr.errors import (
    EngineCrashedError,
    EngineMemoryError,
    EngineTimeoutError,
    ProtocolError,
    UnocrError,
)
from unocr.isolation.protocol import read_message, write_message
from unocr.isolation.transfer import PixelWriter

__all__ = [
    "POLL_SECONDS",
    "STDERR_LINES",
    "WorkerProcess",
    "descendants",
    "describe_exit",
]

#: How often a waiting call checks the worker's time and memory, in seconds.
POLL_SECONDS = 0.02
#: How many of the worker's last standard-error lines an error carries.
STDERR_LINES = 20
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def describe_exit(code: int | None) -> str:
    """Say how a process ended, from its ``returncode``.

    Examples:
        >>> describe_exit(-11)
        'killed by signal SIGSEGV'
        >>> describe_exit(3)
        'exited with status 3'
    """
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by signal {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exited with status {code}"


@dataclass
class _Stderr:
    """The last lines a worker wrote to standard error."""

    lines: collections.deque[str] = field(
        default_factory=lambda: collections.deque(maxlen=STDERR_LINES)
    )
    done: threading.Event = field(default_factory=threading.Event)

    def drain(self, stream: IO[bytes]) -> None:
        try:
            for raw in iter(stream.readline, b""):
                self.lines.append(raw.decode("utf-8", "replace").rstrip())
        except (OSError, ValueError):
            pass
        finally:
            self.done.set()

    def tail(self, wait: float = 0.5) -> tuple[str, ...]:
        self.done.wait(wait)
        return tuple(line for line in self.lines if line)


def resident_bytes(pid: int) -> int | None:
    """Resident memory of a process in bytes (Linux ``/proc``), else ``None``."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def descendants(pid: int) -> list[int]:
    """Every process ``pid`` started, their children and so on (Linux ``/proc``).

    Returns:
        Their ids, parents before children; ``[]`` without ``/proc``.
    """
    started: dict[int, list[int]] = {}
    try:
        entries = [e for e in os.listdir("/proc") if e.isdigit()]
    except OSError:
        return []
    for entry in entries:
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                ppid = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # it ended meanwhile
        started.setdefault(ppid, []).append(int(entry))
    found: list[int] = []
    todo = [pid]
    while todo:
        kids = started.get(todo.pop(), [])
        found += kids
        todo += kids
    return found


class WorkerProcess:
    """A started worker (the engine is created by :meth:`open`).

    Args:
        python: The interpreter to run.
        env: Extra environment variables for the worker.
        shared: Pass pixels through shared memory where possible.
    """

    def __init__(
        self, python: str, env: dict[str, str] | None = None, shared: bool = True
    ) -> None:
        self.pixels = PixelWriter(shared=shared)
        fds = () if self.pixels.fd is None else (self.pixels.fd,)
        fd_arg = "-" if self.pixels.fd is None else str(self.pixels.fd)
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.stderr = _Stderr()
        self.proc = subprocess.Popen(
            [python, "-m", "unocr.isolation.worker", str(os.getpid()), fd_arg],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            pass_fds=fds,
            env=full_env,
            bufsize=0,
        )
        assert self.proc.stdin and self.proc.stdout and self.proc.stderr
        self._in = io.BufferedWriter(self.proc.stdin, buffer_size=1 << 16)
        self._out = self.proc.stdout
        self._buf = bytearray()
        threading.Thread(
            target=self.stderr.drain,
            args=(self.proc.stderr,),
            name=f"unocr-worker-{self.proc.pid}-stderr",
            daemon=True,
        ).start()
        self.info: dict[str, Any] = {}
        self._killing = threading.Lock()
        #: The process that started the worker (and alone talks to it).
        self._owner = os.getpid()

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return self.proc.pid

    @property
    def owned(self) -> bool:
        """Whether this process started the worker (not a forked child's copy)."""
        return self._owner == os.getpid()

    @property
    def alive(self) -> bool:
        """Whether the worker process is still running (and this process's)."""
        return self.owned and self.proc.poll() is None

    def disown(self) -> None:
        """Let go of a worker another process started (in a forked child).

        Closes this process's copies of the worker's pipes and shared memory
        without writing to them (a half-written message left in the buffer
        by a thread of the parent is dropped, not sent) and without
        signalling or waiting for the worker, which goes on serving the
        process that started it. Never raises.
        """
        # The raw pipes first: their buffered writer then closes without
        # flushing (it sees its raw file closed).
        for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()
        with contextlib.suppress(OSError, ValueError, BufferError):
            self.pixels.close()

    # ------------------------------------------------------------- reading
    def _fill(
        self,
        n: int,
        deadline: float | None,
        timeout: float | None,
        max_memory: int | None,
        backend: str,
    ) -> bytes:
        fd = self._out.fileno()
        while len(self._buf) < n:
            wait = POLL_SECONDS if max_memory is not None else 0.5
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._fail_timeout(timeout, backend)
                wait = min(wait, left)
            ready, _, _ = select.select([fd], [], [], wait)
            if ready:
                chunk = os.read(fd, max(n - len(self._buf), 1 << 16))
                if not chunk:
                    self._fail_crash(backend)
                self._buf += chunk
            elif max_memory is not None:
                used = resident_bytes(self.pid)
                if used is not None and used > max_memory:
                    self._fail_memory(max_memory, used, backend)
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data

    def _receive(
        self,
        deadline: float | None,
        timeout: float | None,
        max_memory: int | None,
        backend: str,
    ) -> tuple[dict[str, Any], bytes]:
        args = (deadline, timeout, max_memory, backend)
        prefix = self._fill(8, *args)
        head = int.from_bytes(prefix[:4], "little")
        blob = int.from_bytes(prefix[4:], "little")
        body = self._fill(head + blob, *args)
        return read_message(io.BytesIO(prefix + body))

    # -------------------------------------------------------------- faults
    def kill_tree(self) -> None:
        """``SIGKILL`` the worker and every process it started (not reaped).

        Quick, thread-safe and never raising, so another thread may call it
        while a call waits for the worker (a cancelled read): that call then
        fails as the worker ends. The worker is stopped first (``SIGSTOP``),
        so it starts nothing while its descendants are found; it has not been
        reaped, so its pid is still its own. A forked child's copy of the
        worker does nothing: the worker is its parent's.
        """
        if not self.owned:
            return
        with self._killing:
            if self.proc.poll() is not None:
                return
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGSTOP)
            for pid in descendants(self.pid):
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                self.proc.kill()

    def kill(self) -> None:
        """Stop the worker and what it started at once; release its resources.

        In a forked child the worker is its parent's: only this process's
        resources are released (:meth:`disown`).
        """
        if not self.owned:
            self.disown()
            return
        self.kill_tree()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        self.stderr.done.wait(1.0)
        for stream in (self._in, self._out, self.proc.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        self.pixels.close()

    def _fail_crash(self, backend: str) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        code = self.proc.returncode
        tail = self.stderr.tail()
        self.kill()
        raise EngineCrashedError(
            f"the {backend} worker process (pid {self.pid}) {describe_exit(code)}"
            + _tail_text(tail),
            exitcode=code,
            stderr=tail,
            backend=backend,
        )

    def _stop_now(self) -> tuple[str, ...]:
        """Kill the worker at once; its last lines of standard error."""
        self.kill_tree()
        tail = self.stderr.tail()
        self.kill()
        return tail

    def _fail_timeout(self, timeout: float | None, backend: str) -> None:
        tail = self._stop_now()
        raise EngineTimeoutError(
            f"the {backend} engine did not finish within {timeout} s; its worker "
            f"process (pid {self.pid}) was stopped and will be replaced"
            + _tail_text(tail),
            timeout=float(timeout or 0.0),
            backend=backend,
            stderr=tail,
        )

    def _fail_memory(self, limit: int, used: int, backend: str) -> None:
        tail = self._stop_now()
        raise EngineMemoryError(
            f"the {backend} worker process (pid {self.pid}) used "
            f"{used / 2**20:.0f} MiB, over max_memory={limit / 2**20:.0f} MiB; it "
            "was stopped and will be replaced" + _tail_text(tail),
            max_memory=limit,
            used=used,
            stderr=tail,
            backend=backend,
        )

    # ---------------------------------------------------------------- calls
    def call(
        self,
        header: dict[str, Any],
        blobs: list[bytes] | tuple[bytes, ...] = (),
        *,
        timeout: float | None = None,
        max_memory: int | None = None,
        backend: str = "engine",
    ) -> tuple[dict[str, Any], bytes]:
        """Send one request and wait for its answer.

        Args:
            header: The request.
            blobs: Raw bytes sent after it.
            timeout: Seconds to wait for the answer; ``None``: no limit.
            max_memory: Resident-memory limit in bytes while waiting.
            backend: Engine name, for error messages.

        Returns:
            The answer's header and blob.

        Raises:
            EngineCrashedError: The worker died (or its pipe broke).
            EngineTimeoutError: No answer within ``timeout``; worker killed.
            EngineMemoryError: The worker went over ``max_memory``; killed.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            write_message(self._in, header, *blobs)
        except (BrokenPipeError, OSError, ValueError):
            self._fail_crash(backend)
        try:
            return self._receive(deadline, timeout, max_memory, backend)
        except ProtocolError as exc:
            self.kill()
            raise EngineCrashedError(
                f"the {backend} worker process sent a malformed answer ({exc})",
                backend=backend,
                stderr=self.stderr.tail(),
            ) from None
        except UnocrError:
            raise
        except BaseException:
            # KeyboardInterrupt and the like: the worker is mid-call; stop it.
            self.kill()
            raise

    def close(self, grace: float = 2.0) -> None:
        """Ask the worker to finish, then kill it if it does not.

        Args:
            grace: Seconds the worker has to finish before it is killed.
        """
        if self.alive:
            try:
                write_message(self._in, {"op": "close"})
                self._in.close()
                self.proc.wait(timeout=grace)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                pass
        self.kill()


def _tail_text(tail: tuple[str, ...]) -> str:
    if not tail:
        return "; it wrote nothing to standard error"
    return "; its last standard error lines:\n  " + "\n  ".join(tail)


def current_python() -> str:
    """The running interpreter, for ``isolate=True``."""
    return sys.executable

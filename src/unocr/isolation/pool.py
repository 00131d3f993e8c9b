"""A pool of worker processes hosting one engine with one set of options.

Workers start on demand (up to ``processes``, or one per concurrent call),
are reused while healthy, and are dropped when they fail: the next call
starts a fresh one. Every process is started from one long-lived thread, so
the Linux parent-death signal (which follows the thread that started a
child) fires only when the whole parent process ends.

A forked child (a ``fork`` process pool's worker) inherits the pools but
not their threads or processes: it gets a thread of its own to start
workers, and every pool it inherited forgets its parent's workers (never
using, stopping or killing them) and starts its own when used.

:meth:`WorkerPool.close` lets calls in progress finish; at interpreter exit
every worker is killed, busy ones too.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import signal
import sys
import threading
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeoutError
from dataclasses import dataclass, field
from typing import Any

import unocr
from unocr.errors import (
    BackendUnavailableError,
    EngineCrashedError,
    EngineMemoryError,
    RecognitionError,
    UnocrError,
)
from unocr.isolation.config import is_current_python
from unocr.isolation.process import WorkerProcess
from unocr.isolation.protocol import PROTOCOL, SYS_PATH_VARIABLE, error_from_dict

__all__ = ["SPAWN_TIMEOUT", "WorkerPool", "WorkerSpec"]

#: Seconds a call waits for the thread that starts worker processes to start
#: one (normally milliseconds) before it fails instead of waiting for ever.
SPAWN_TIMEOUT = 60.0

# A pip command without its interpreter (``python -m pip`` already names one).
_PIP = re.compile(r"(?<!-m )(?<![\w./-])pip install\b")


def _new_spawner() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="unocr-spawn")


# One thread starts every worker process (see the module's documentation).
_spawner = _new_spawner()
_pools: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


def _discard(future: Future[WorkerProcess]) -> None:
    """Kill a worker started after its caller stopped waiting for it."""
    if not future.cancelled() and future.exception() is None:
        future.result().kill()


def _spawn(python: str, env: dict[str, str], backend: str) -> WorkerProcess:
    """Start a worker process from the spawning thread, waiting a bounded time.

    Args:
        python: The interpreter to run.
        env: Extra environment variables for the worker.
        backend: Engine name, for the error.

    Raises:
        unocr.errors.BackendUnavailableError: The spawning thread did not
            start the process within :data:`SPAWN_TIMEOUT` seconds (the
            request is withdrawn; a process it still starts is killed).
    """
    future = _spawner.submit(WorkerProcess, python, env)
    try:
        return future.result(timeout=SPAWN_TIMEOUT)
    except FutureTimeoutError:
        if not future.cancel():  # already starting it: kill it once started
            future.add_done_callback(_discard)
    raise BackendUnavailableError(
        f"the {backend} worker process was not started within {SPAWN_TIMEOUT:g} s: "
        "the thread that starts worker processes did not start it (it is stuck "
        "or overloaded); nothing was started",
        backend=backend,
        fix="try again; if it happens again, run process pools that use isolated "
        "engines with the 'spawn' or 'forkserver' start method",
    )


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker runs.

    Attributes:
        backend: Engine name, as the worker's registry knows it.
        python: Interpreter path.
        options: The engine's own options (JSON values).
        source: Who chose the interpreter (for messages), e.g. a file path.
        env: Extra environment variables for the worker.
        target: ``module:attribute`` of the engine's factory, registered in
            the worker under ``backend`` (for engines registered at run time).
    """

    backend: str
    python: str
    options: dict[str, Any] = field(default_factory=dict)
    source: str = "python="
    env: dict[str, str] = field(default_factory=dict)
    target: str | None = None


class WorkerPool:
    """Worker processes for one engine.

    Args:
        spec: What each worker hosts.
        processes: Most workers at once; ``None``: one per concurrent call.
        max_memory: Resident-memory limit per worker while it starts, bytes.
    """

    def __init__(
        self,
        spec: WorkerSpec,
        processes: int | None = None,
        max_memory: int | None = None,
    ) -> None:
        self.spec = spec
        self.processes = processes
        self.max_memory = max_memory
        self._idle: list[WorkerProcess] = []
        self._busy: set[WorkerProcess] = set()
        self._starting = 0
        self._cond = threading.Condition()
        self._closed = False
        self._killed = False
        #: Set when a worker ended by SIGINT (Ctrl-C): no new workers start
        #: until :meth:`resume`.
        self.interrupted = False
        #: What the first worker said about its engine.
        self.info: dict[str, Any] = {}
        _pools.add(self)

    # ------------------------------------------------------------ workers
    def _start(self) -> WorkerProcess:
        spec = self.spec
        env = dict(spec.env)
        if is_current_python(spec.python):
            env[SYS_PATH_VARIABLE] = json.dumps(sys.path)
        worker = _spawn(spec.python, env, spec.backend)
        try:
            reply, _ = worker.call(
                {
                    "op": "open",
                    "protocol": PROTOCOL,
                    "version": unocr.__version__,
                    "backend": spec.backend,
                    "target": spec.target,
                    "options": {**spec.options, "isolate": False},
                },
                max_memory=self.max_memory,
                backend=spec.backend,
            )
        except EngineCrashedError as err:
            raise self._unusable(err) from None
        except BaseException:
            worker.kill()
            raise
        if not reply.get("ok"):
            worker.kill()
            raise self._hosted(error_from_dict(reply.get("error") or {}))
        worker.info = reply
        if not self.info:
            self.info = reply
        return worker

    def _unusable(self, err: EngineCrashedError) -> UnocrError:
        """Why a worker ended before it was ready, with the fix."""
        text = "\n".join(err.stderr)
        python, source = self.spec.python, self.spec.source
        if "No module named 'unocr'" in text or "No module named unocr" in text:
            return BackendUnavailableError(
                f"the interpreter {python} (set by {source}) for the "
                f"{self.spec.backend} backend has no unocr installed.",
                backend=self.spec.backend,
                fix=f"{python} -m pip install unocr (with the {self.spec.backend} "
                f"engine's extra), or point {source} at an environment that has it",
            )
        if err.exitcode == -signal.SIGINT:
            self.interrupted = True
            return err
        if isinstance(err, EngineMemoryError):  # the model is over the limit
            return err
        return BackendUnavailableError(
            f"the {self.spec.backend} worker in {python} (set by {source}) ended "
            f"before it was ready: {err.message}",
            backend=self.spec.backend,
            fix=f"run {python} -m unocr backends to see what that environment "
            f"lacks, or change {source}",
        )

    def _hosted(self, err: UnocrError) -> UnocrError:
        """A worker's creation error, fixed in the interpreter hosting it.

        The fix of a :class:`~unocr.errors.BackendUnavailableError` raised in
        another interpreter than this one is run there: its ``pip install``
        becomes ``PYTHON -m pip install`` and the message names that
        interpreter and who chose it (run where the caller runs, the fix
        would install into the wrong environment).
        """
        python, source = self.spec.python, self.spec.source
        if not isinstance(err, BackendUnavailableError) or is_current_python(python):
            return err
        fix = err.fix
        suffix = f" Fix: {fix}" if fix else ""
        message = err.message.removesuffix(suffix)
        if fix:
            fix = _PIP.sub(f"{python} -m pip install", fix)
        message = (
            f"{message.rstrip().rstrip('.')} (the {self.spec.backend} worker runs "
            f"{python}, set by {source})."
        )
        full = f"{message} Fix: {fix}" if fix else message
        return type(err).from_state(
            (full,), {**err.__dict__, "message": full, "fix": fix}
        )

    def acquire(self) -> WorkerProcess:
        """A ready worker for one call (started if none is free).

        Raises:
            unocr.errors.RecognitionError: The pool was closed.
            unocr.errors.EngineCrashedError: The run was interrupted (Ctrl-C).
            unocr.errors.UnocrError: A new worker could not start.
        """
        with self._cond:
            while True:
                if self._closed:
                    raise self._closed_error()
                if self.interrupted:
                    raise EngineCrashedError(
                        f"the {self.spec.backend} workers were interrupted (SIGINT)",
                        backend=self.spec.backend,
                    )
                if self._idle:
                    worker = self._idle.pop()
                    if not worker.alive:  # ended while idle (killed, OOM)
                        worker.kill()
                        continue
                    self._busy.add(worker)
                    return worker
                total = len(self._busy) + self._starting
                if self.processes is None or total < self.processes:
                    self._starting += 1
                    break
                self._cond.wait()
        try:
            worker = self._start()
        finally:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
        with self._cond:
            if not self._killed:
                self._busy.add(worker)
                return worker
        worker.kill()  # started while the interpreter exits
        raise self._closed_error()

    def _closed_error(self) -> RecognitionError:
        """What a call on the closed pool raises (as any closed backend does)."""
        name = self.spec.backend
        return RecognitionError(
            f"the {name} backend was closed; create a new one with "
            f"unocr.get_backend({name!r})",
            backend=name,
        )

    def release(self, worker: WorkerProcess, *, recycle: bool = False) -> None:
        """Give a worker back after a call; a dead or recycled one is dropped.

        Args:
            worker: From :meth:`acquire`.
            recycle: Stop it even though it is healthy (e.g. memory grew).
        """
        keep = worker.alive and not recycle
        if not worker.alive and worker.proc.returncode == -signal.SIGINT:
            self.interrupted = True
        with self._cond:
            self._busy.discard(worker)
            if keep and not self._closed:
                self._idle.append(worker)
                keep = True
            else:
                keep = False
            self._cond.notify()
        if not keep:
            if worker.alive:
                worker.close()
            else:
                worker.kill()

    def resume(self) -> None:
        """Allow new workers again after an interruption."""
        self.interrupted = False

    @property
    def pids(self) -> list[int]:
        """Process ids of the live workers."""
        with self._cond:
            return [w.pid for w in (*self._idle, *self._busy) if w.alive]

    def close(self, *, now: bool = False) -> None:
        """Stop every worker: idle ones at once, busy ones when their call returns.

        A call in progress gets its answer; its worker is then stopped by
        :meth:`release`. Later calls to :meth:`acquire` raise
        :class:`~unocr.errors.RecognitionError`.

        Args:
            now: Kill the busy workers at once too (their calls fail with
                :class:`~unocr.errors.EngineCrashedError`), as at
                interpreter exit.
        """
        with self._cond:
            self._closed = True
            self._killed = self._killed or now
            idle, self._idle = self._idle, []
            busy = list(self._busy) if now else []
            self._cond.notify_all()
        for worker in idle:
            worker.close()
        for worker in busy:
            worker.kill()

    def _after_fork(self) -> None:
        """In a forked child: forget the parent's workers, start its own.

        The parent's workers (idle or busy in a thread the child lacks) go on
        serving the parent: the child closes only its copies of their pipes.
        The lock is new, as the one inherited may be held by a parent thread.
        """
        self._cond = threading.Condition()
        inherited = [*self._idle, *self._busy]
        self._idle, self._busy, self._starting = [], set(), 0
        for worker in inherited:
            worker.disown()


def _after_fork_in_child() -> None:
    """Fresh module state in a forked child (see the module's documentation)."""
    global _spawner, _pools
    _spawner = _new_spawner()  # the parent's thread does not exist here
    inherited = list(_pools)
    _pools = weakref.WeakSet(inherited)
    for pool in inherited:
        pool._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@atexit.register
def _close_all() -> None:  # pragma: no cover - interpreter exit
    for pool in list(_pools):
        pool.close(now=True)

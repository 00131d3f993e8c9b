"""A pool of worker processes hosting one engine with one set of options.

Workers start on demand (up to ``processes``, or one per concurrent call),
are reused while healthy, and are dropped when they fail: the next call
starts a fresh one. Every process is started from one long-lived thread, so
the Linux parent-death signal (which follows the thread that started a
child) fires only when the whole parent process ends.
"""

from __future__ import annotations

import atexit
import json
import re
import signal
import sys
import threading
import weakref
from concurrent.futures import ThreadPoolExecutor
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

__all__ = ["WorkerPool", "WorkerSpec"]

# A pip command without its interpreter (``python -m pip`` already names one).
_PIP = re.compile(r"(?<!-m )(?<![\w./-])pip install\b")
# One thread starts every worker process (see the module's documentation).
_spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="unocr-spawn")
_pools: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


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
        worker = _spawner.submit(WorkerProcess, spec.python, env).result()
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
                    raise RecognitionError(
                        f"the isolated {self.spec.backend} backend was closed",
                        backend=self.spec.backend,
                    )
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
            self._busy.add(worker)
        return worker

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

    def close(self) -> None:
        """Stop every worker: idle ones at once, busy ones when they return."""
        with self._cond:
            self._closed = True
            idle, self._idle = self._idle, []
            busy = list(self._busy)
            self._cond.notify_all()
        for worker in idle:
            worker.close()
        for worker in busy:
            worker.kill()


@atexit.register
def _close_all() -> None:  # pragma: no cover - interpreter exit
    for pool in list(_pools):
        pool.close()

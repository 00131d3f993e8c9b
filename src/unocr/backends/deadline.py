"""When engine work must stop: ``timeout=`` and cancellation.

Two reasons end an engine call early, and both live here: a time limit
(``timeout=``) and a :class:`Cancellation`, the token :func:`unocr.aread` sets
when its task is cancelled. The token travels with the call in a context
variable (:func:`current_cancellation`), so engines need no new parameter:

* an engine that runs a program (Tesseract) registers a kill with
  :meth:`Cancellation.on_cancel`; the program's process group is killed at
  once and the call raises :class:`~unocr.errors.EngineCancelledError`;
* :func:`run_with_timeout` (given a time limit) stops waiting on either
  reason, whichever comes first;
* an engine that does neither finishes in the background, its result dropped.

A batch read on worker threads (``read_many``, the streaming ``unocr read``)
holds a token of its own (:func:`batch_cancellation`) in its workers'
context: when the batch ends by an exception (Ctrl-C, the first failure with
``errors="raise"``, a stream closed early), the token is cancelled, so the
engine calls running on the other threads stop too and queued ones never
start.

An engine call running in this process (ONNX Runtime, PyTorch, TensorFlow)
cannot be interrupted from outside. :func:`run_with_timeout` therefore runs it
on a helper thread and stops *waiting* after ``timeout`` seconds: the caller
gets :class:`~unocr.errors.EngineTimeoutError` at once, while the abandoned
call finishes in the background (using CPU until then) and its result is
dropped; the process exits only once such a call has ended. A hard stop that
also frees the CPU needs a process boundary.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import TypeVar

from unocr.errors import EngineCancelledError, EngineTimeoutError

__all__ = [
    "Cancellation",
    "batch_cancellation",
    "cancellation_scope",
    "cancelled_error",
    "current_cancellation",
    "run_with_timeout",
]

_T = TypeVar("_T")


class Cancellation:
    """A one-way switch that stops engine work started on another thread.

    Whoever starts the work keeps the token and calls :meth:`cancel`; the work
    registers what stopping means (kill a process, wake a waiter) with
    :meth:`on_cancel`, or polls :attr:`cancelled`. Thread-safe.

    Examples:
        >>> token = Cancellation()
        >>> stopped = []
        >>> forget = token.on_cancel(lambda: stopped.append("killed"))
        >>> token.cancel()
        True
        >>> stopped, token.cancelled
        (['killed'], True)
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: dict[int, Callable[[], None]] = {}
        self._next = 0

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._event.is_set()

    def cancel(self) -> bool:
        """Cancel: run every registered callback once, now, on this thread.

        Returns:
            Whether any work was listening (a callback ran), i.e. whether
            something is being stopped rather than merely abandoned.
        """
        with self._lock:
            if self._event.is_set():
                return False
            self._event.set()
            callbacks = list(self._callbacks.values())
            self._callbacks.clear()
        for callback in callbacks:
            callback()
        return bool(callbacks)

    def on_cancel(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback`` on cancellation (at once if already cancelled).

        Args:
            callback: Quick, thread-safe, and not raising (it runs on the
                cancelling thread, usually the event loop's).

        Returns:
            A function that unregisters ``callback``; call it when the work
            is done, so a late cancellation does not touch finished work.
        """
        with self._lock:
            if not self._event.is_set():
                key = self._next
                self._next += 1
                self._callbacks[key] = callback

                def forget() -> None:
                    with self._lock:
                        self._callbacks.pop(key, None)

                return forget
        callback()
        return lambda: None


_CURRENT: ContextVar[Cancellation | None] = ContextVar(
    "unocr_cancellation", default=None
)


def current_cancellation() -> Cancellation | None:
    """The cancellation token of the read running in this context, if any."""
    return _CURRENT.get()


@contextlib.contextmanager
def cancellation_scope(token: Cancellation) -> Iterator[Cancellation]:
    """Make ``token`` the :func:`current_cancellation` inside the ``with`` body.

    Args:
        token: The token that cancels the work started in the body.

    Yields:
        ``token``.
    """
    reset = _CURRENT.set(token)
    try:
        yield token
    finally:
        _CURRENT.reset(reset)


@contextlib.contextmanager
def batch_cancellation() -> Iterator[Cancellation]:
    """A token for the engine calls of one batch, cancelled if it ends badly.

    The body makes it current on each worker thread (with
    :func:`cancellation_scope`); leaving the body by any exception
    (``KeyboardInterrupt`` and ``GeneratorExit`` included) cancels it before
    the exception goes on, so a Tesseract program running for the batch is
    killed rather than left to finish. Only the batch's own end cancels it:
    a batch that returns has read every item.

    Yields:
        The batch's token.

    Examples:
        >>> try:
        ...     with batch_cancellation() as token:
        ...         raise KeyboardInterrupt
        ... except KeyboardInterrupt:
        ...     pass
        >>> token.cancelled
        True
    """
    token = Cancellation()
    try:
        yield token
    except BaseException:
        token.cancel()
        raise


def cancelled_error(backend: str, item: object = None) -> EngineCancelledError:
    """The error a cancelled engine call raises.

    Args:
        backend: The engine's registered name.
        item: The input being read.

    Returns:
        An :class:`~unocr.errors.EngineCancelledError` naming both.
    """
    return EngineCancelledError(
        f"{backend} was cancelled while reading {item or 'the image'} (its task "
        "was cancelled); nothing to fix unless the cancellation was unintended",
        backend=backend,
        item=item,
    )


def run_with_timeout(
    fn: Callable[[], _T],
    timeout: float | None,
    *,
    backend: str,
    item: object = None,
) -> _T:
    """Call ``fn``, giving up waiting after ``timeout`` seconds or on cancellation.

    Args:
        fn: The engine call.
        timeout: Seconds to wait; ``None`` calls ``fn`` directly (after
            checking the :func:`current_cancellation`).
        backend: The engine's registered name, for the error.
        item: The input being read, for the error.

    Returns:
        What ``fn`` returned.

    Raises:
        unocr.errors.EngineTimeoutError: ``fn`` did not finish in time (it
            goes on in the background; its result is dropped).
        unocr.errors.EngineCancelledError: The :func:`current_cancellation`
            was cancelled first (the same: ``fn`` goes on in the background).
        Exception: Whatever ``fn`` raised.
    """
    token = current_cancellation()
    if token is not None and token.cancelled:
        raise cancelled_error(backend, item)
    if timeout is None:
        # Nothing to stop waiting for but a cancellation, and abandoning the
        # call would let the next one into an engine that is still busy
        # (outside the engine lock): the caller stops waiting instead.
        return fn()
    box: dict[str, object] = {}
    done = threading.Event()
    wake = threading.Event()  # done, or cancelled

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc
        finally:
            done.set()
            wake.set()

    # Not a daemon: native engine code still running while the interpreter
    # shuts down aborts the process, so exit waits for the abandoned call.
    worker = threading.Thread(target=target, name=f"unocr-{backend}", daemon=False)
    forget = token.on_cancel(wake.set) if token is not None else lambda: None
    worker.start()
    try:
        wake.wait(timeout)
    finally:
        forget()
    if not done.is_set() and token is not None and token.cancelled:
        raise cancelled_error(backend, item)
    if not done.is_set():
        assert timeout is not None
        raise EngineTimeoutError(
            f"{backend} did not finish {item or 'the image'} within {timeout:g} s; "
            "raise timeout= or pass a smaller image (the engine finishes this "
            "image in the background: only a separate process can be stopped)",
            timeout=timeout,
            backend=backend,
            item=item,
        )
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]

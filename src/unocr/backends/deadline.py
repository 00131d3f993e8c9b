"""``timeout=`` for engines that run inside the Python process.

An engine call running in this process (ONNX Runtime, PyTorch, TensorFlow)
cannot be interrupted from outside. :func:`run_with_timeout` therefore runs it
on a helper thread and stops *waiting* after ``timeout`` seconds: the caller
gets :class:`~unocr.errors.EngineTimeoutError` at once, while the abandoned
call finishes in the background (using CPU until then) and its result is
dropped; the process exits only once such a call has ended. A hard stop that
also frees the CPU needs a process boundary.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import TypeVar

from unocr.errors import EngineTimeoutError

__all__ = ["check_timeout", "run_with_timeout"]

_T = TypeVar("_T")


def check_timeout(timeout: object) -> float | None:
    """Validate a ``timeout=`` option.

    Args:
        timeout: ``None`` (no limit) or a number of seconds > 0.

    Returns:
        The limit in seconds as a float, or ``None``.

    Raises:
        ValueError: Not a finite number > 0.

    Examples:
        >>> check_timeout(2)
        2.0
        >>> check_timeout(0)
        Traceback (most recent call last):
        ...
        ValueError: timeout must be a number of seconds > 0 (or None), got 0
    """
    if timeout is None:
        return None
    if (
        isinstance(timeout, bool)
        or not isinstance(timeout, (int, float))
        or not math.isfinite(timeout)
        or timeout <= 0
    ):
        raise ValueError(
            f"timeout must be a number of seconds > 0 (or None), got {timeout!r}"
        )
    return float(timeout)


def run_with_timeout(
    fn: Callable[[], _T],
    timeout: float | None,
    *,
    backend: str,
    item: object = None,
) -> _T:
    """Call ``fn``, giving up waiting after ``timeout`` seconds.

    Args:
        fn: The engine call.
        timeout: Seconds to wait; ``None`` calls ``fn`` directly.
        backend: The engine's registered name, for the error.
        item: The input being read, for the error.

    Returns:
        What ``fn`` returned.

    Raises:
        unocr.errors.EngineTimeoutError: ``fn`` did not finish in time (it
            goes on in the background; its result is dropped).
        Exception: Whatever ``fn`` raised.
    """
    if timeout is None:
        return fn()
    box: dict[str, object] = {}
    done = threading.Event()

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc
        finally:
            done.set()

    # Not a daemon: native engine code still running while the interpreter
    # shuts down aborts the process, so exit waits for the abandoned call.
    worker = threading.Thread(target=target, name=f"unocr-{backend}", daemon=False)
    worker.start()
    if not done.wait(timeout):
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

"""The worker process: hosts one engine and answers its parent over pipes.

Started by :mod:`unocr.isolation.process` as
``python -m unocr.isolation.worker PARENT_PID [SHARED_FD]`` in whichever
environment has the engine. It:

1. dies with its parent: on Linux the kernel sends it ``SIGKILL`` when the
   parent's spawning thread ends (``PR_SET_PDEATHSIG``), and a watchdog
   thread exits when the parent process is gone (any platform);
2. keeps its own standard output for the protocol and points file
   descriptor 1 at standard error, so whatever an engine prints cannot
   corrupt a message;
3. reads an ``open`` message, creates the backend once (the model loads once
   per worker) and answers with its name and capabilities, or with the
   typed error its creation raised;
4. answers each ``read`` message with a page or a typed error (``detect``
   and ``recognize``: the engine's stages), until a ``close`` message or the
   end of its input.

Ctrl-C at a terminal reaches the whole process group: the worker leaves
``SIGINT`` to its default action and ends at once, even inside native code.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
import threading
import time
from typing import Any, BinaryIO

from unocr._lifetime import ask_death_with_parent, load_prctl

__all__ = ["main"]


def _die_with_parent(parent: int) -> None:
    """Make sure this process does not outlive ``parent``."""
    prctl = load_prctl()
    if prctl is not None:
        ask_death_with_parent(prctl)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="unocr-parent-watch", daemon=True).start()


def _private_stdout() -> BinaryIO:
    """Keep fd 1 for the protocol; send everything else printed to stderr."""
    sys.stdout.flush()
    proto = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(proto, "wb", buffering=1 << 16)


def _error(name: str, exc: Exception) -> dict[str, Any]:
    """An exception as a typed error description (stray ones wrapped)."""
    from unocr.errors import RecognitionError, UnocrError
    from unocr.isolation.protocol import error_to_dict

    if not isinstance(exc, UnocrError):
        exc = RecognitionError(
            f"{name} failed in its worker: {type(exc).__name__}: {exc}", backend=name
        )
    return error_to_dict(exc)


def _read(
    backend: Any, images: list[Any], languages: Any, workers: int = 1
) -> list[dict[str, Any]]:
    """Each image's result, ``{"page": ...}`` or ``{"error": ...}``.

    Several images go to the engine together, as its own ``read_many`` would
    send them (one batch for an engine that batches), through the base class's
    plumbing, so the pages are built and stamped exactly as in process; inside
    the engine's workers scope for the ``workers`` processes reading at once
    (an engine splits the cores among them as among threads in process).
    """
    from unocr.model.serialize import page_to_dict

    with backend._workers_scope(max(1, int(workers))):
        outs = backend._read_chunk(images, backend._languages(languages))
    return [
        {"error": _error(backend.name, out)}
        if isinstance(out, Exception)
        else {"page": page_to_dict(out)}
        for out in outs
    ]


def _detect(backend: Any, images: list[Any], languages: Any) -> dict[str, Any]:
    """The detection stage on one image: its page of regions."""
    from unocr.model.serialize import page_to_dict

    (image,) = images
    return {"page": page_to_dict(backend.detect_loaded(image, languages=languages))}


def _recognize_crops(backend: Any, images: list[Any], languages: Any) -> dict[str, Any]:
    """The recognition stage on crops: ``[text, confidence]`` each, and times.

    The crops go to the engine's hook in one call, through the base class's
    lock and error wrapping, as :meth:`Backend.recognize_loaded` sends them.
    """
    from unocr.backends.base import Stopwatch

    clock = Stopwatch()
    langs = backend._languages(languages)
    crops = [image.image for image in images]
    with backend._serial():
        raw = backend._call(
            lambda: list(backend._recognize_crops(crops, langs, clock)),
            f"{len(crops)} crops",
        )
    return {
        "texts": [[text, confidence] for text, confidence in raw],
        "seconds": clock.seconds,
    }


def _describe(image: Any, header: dict[str, Any]) -> dict[str, Any]:
    """What arrived, for the transfer check: size and optionally a SHA-256."""
    digest = None
    if header.get("digest"):
        import hashlib

        digest = hashlib.sha256(image.image.tobytes()).hexdigest()
    return {"size": list(image.image.size), "digest": digest}


def _serve(
    inp: BinaryIO, out: BinaryIO, fd: int | None
) -> None:  # pragma: no cover - runs in the worker process
    import unocr
    from unocr._api import get_backend
    from unocr.errors import BackendUnavailableError, UnocrError
    from unocr.isolation.config import leave_names_to_parent
    from unocr.isolation.protocol import (
        PROTOCOL,
        error_to_dict,
        read_message,
        write_message,
    )
    from unocr.isolation.transfer import PixelReader

    header, _ = read_message(inp)
    if header.get("protocol") != PROTOCOL:
        write_message(
            out,
            {
                "ok": False,
                "protocol": PROTOCOL,
                "error": error_to_dict(
                    BackendUnavailableError(
                        f"the worker's unocr {unocr.__version__} in {sys.executable} "
                        f"speaks protocol {PROTOCOL}, the caller's unocr "
                        f"{header.get('version')} protocol {header.get('protocol')}.",
                        backend=header.get("backend"),
                        fix=f"{sys.executable} -m pip install "
                        f"'unocr=={header.get('version')}'",
                    )
                ),
            },
        )
        return
    try:
        target = header.get("target")
        if target:
            import importlib

            from unocr.registry import register_backend

            module, _, attr = str(target).partition(":")
            factory: Any = importlib.import_module(module)
            for part in attr.split("."):
                factory = getattr(factory, part)
            register_backend(header["backend"], factory, replace=True)
        with leave_names_to_parent():  # the parent checked them against its own
            backend = get_backend(header["backend"], **header.get("options", {}))
    except UnocrError as err:
        write_message(out, {"ok": False, "error": error_to_dict(err)})
        return
    caps = getattr(backend, "capabilities", None)
    write_message(
        out,
        {
            "ok": True,
            "protocol": PROTOCOL,
            "name": backend.name,
            "languages": list(backend.languages),
            "capabilities": None if caps is None else dataclasses.asdict(caps),
            "batch_size": int(getattr(backend, "batch_size", 1)),
            "min_workers": int(getattr(backend, "min_workers", 1)),
            "stages": list(getattr(backend, "stages", ())),
            "pid": os.getpid(),
            "python": sys.executable,
            "version": unocr.__version__,
        },
    )
    reader = PixelReader(fd)
    reply: dict[str, Any]
    try:
        while True:
            try:
                header, blob = read_message(inp)
            except Exception:
                return  # the parent closed the pipe
            op = header.get("op")
            if op == "close":
                return
            images: list[Any] = []
            try:
                images = reader.unpack(header["images"], blob)
                if op == "image":  # the transfer alone: tests, bench/isolation.py
                    reply = {
                        "ok": True,
                        "images": [_describe(i, header) for i in images],
                    }
                elif op == "detect":
                    langs = header.get("languages")
                    reply = {"ok": True, **_detect(backend, images, langs)}
                elif op == "recognize":
                    langs = header.get("languages")
                    reply = {"ok": True, **_recognize_crops(backend, images, langs)}
                else:
                    langs = header.get("languages")
                    workers = header.get("workers") or 1
                    results = _read(backend, images, langs, workers)
                    reply = {"ok": True, "results": results}
            except Exception as exc:  # the message itself was unusable
                reply = {"ok": False, "error": _error(backend.name, exc)}
            # The images stand on shared pages that the parent rewrites after
            # this reply: none outlives the call.
            del images
            write_message(out, reply)
    finally:
        backend.close()


def _take_parent_path() -> None:
    """Put the caller's ``sys.path`` first, where it sent it (same interpreter).

    The worker starts as ``python -m``, so its own first entry is the current
    folder; the caller's is its script's folder. With the caller's path
    first, an engine module the caller imports is the one imported here.
    """
    from unocr.isolation.protocol import SYS_PATH_VARIABLE

    sent = os.environ.pop(SYS_PATH_VARIABLE, None)
    if not sent:
        return
    try:
        paths = json.loads(sent)
    except ValueError:
        return
    if isinstance(paths, list) and all(isinstance(p, str) for p in paths):
        sys.path[:] = paths + [p for p in sys.path if p not in paths]


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - worker process
    """Run a worker.

    Args:
        argv: ``[PARENT_PID, SHARED_FD]``; ``SHARED_FD`` is ``-`` when pixels
            come over the pipe.

    Returns:
        The exit status.
    """
    args = sys.argv[1:] if argv is None else argv
    parent = int(args[0])
    fd = None if len(args) < 2 or args[1] == "-" else int(args[1])
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    _die_with_parent(parent)
    _take_parent_path()
    out = _private_stdout()
    inp = os.fdopen(os.dup(0), "rb", buffering=1 << 16)
    _serve(inp, out, fd)
    out.flush()
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

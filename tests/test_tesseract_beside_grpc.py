"""Tesseract runs while a Cloud Vision channel is busy in the same process.

gRPC runs its fork handlers in a child a ``preexec_fn`` makes Python fork, and
while a channel is busy they can crash the child before it runs the program
(grpc/grpc#43055: about one start in a hundred exited with status -6), so a
``compare`` of ``gcv`` and ``tesseract`` failed Tesseract reads at random.
"""

from __future__ import annotations

import subprocess
import threading
from typing import Any

import pytest

from unocr.backends.tesseract import process

from .gcv_server import VisionServer, backend_for, fixed_reply, png, word_response
from .needs import needs_tesseract

pytestmark = needs_tesseract


def test_with_grpc_loaded_the_child_starts_without_a_fork_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import grpc  # noqa: F401  (loads gRPC's core, as the gcv backend does)

    seen: list[Any] = []
    real = subprocess.Popen

    def recording(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("preexec_fn"))
        return real(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", recording)
    assert process.run(["tesseract", "--version"], timeout=30).returncode == 0
    assert seen == [None]  # vfork: no fork handler runs in the child


def test_tesseract_starts_every_time_beside_a_busy_channel() -> None:
    reply = fixed_reply(word_response([("a", (1, 1, 10, 10))], width=40, height=20))
    stop = threading.Event()
    with VisionServer(reply, delay=0.01) as server, backend_for(server) as gcv:
        image = png(40, 20, 100)

        def busy() -> None:
            while not stop.is_set():
                gcv.read(image)

        thread = threading.Thread(target=busy)
        thread.start()
        try:
            codes = [
                process.run(["tesseract", "--version"], timeout=30).returncode
                for _ in range(150)
            ]
        finally:
            stop.set()
            thread.join()
    assert codes == [0] * 150

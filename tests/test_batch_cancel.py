"""Ctrl-C during a batch on worker threads stops its engine calls at once.

A batch read on several threads (``read_many(workers=2)``, ``unocr compare
--workers 2``, ``unocr read --workers 2``) holds a cancellation token in its
workers' context: when Ctrl-C ends it, the Tesseract programs it started are
killed (they run in sessions of their own, so the terminal's SIGINT does not
reach them) and the queued images are never started.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from .processes import alive, children

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="needs /proc to see processes"
)

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "phototest.png"

#: Python's own SIGINT handler, even when started with SIGINT ignored (a
#: background job): what a user's Ctrl-C meets.
_PRELUDE = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
)
_READ_MANY = _PRELUDE + (
    "import unocr\n"
    "with unocr.get_backend('tesseract') as b:\n"
    "    b.read_many([sys.argv[1]] * 8, workers=2)\n"
)
_CLI = _PRELUDE + "from unocr.cli import main\nsys.exit(main(sys.argv[1:]))\n"


@pytest.fixture(scope="module")
def slow_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A page Tesseract takes seconds to read: the sample page, 3 by 4."""
    tile = Image.open(SAMPLE).convert("L")
    w, h = tile.size
    page = Image.new("L", (w * 3, h * 4), 255)
    for i in range(3):
        for j in range(4):
            page.paste(tile, (i * w, j * h))
    path = tmp_path_factory.mktemp("slow") / "page.png"
    page.save(path)
    return path


def _reads(pid: int) -> set[int]:
    """The Tesseract programs reading an image for ``pid`` (not its probes)."""
    found = set()
    for child, comm, _ in children(pid):
        if comm != "tesseract":
            continue
        try:
            args = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"stdin" in args:  # an image on standard input: a read
            found.add(child)
    return found


def _interrupt_when_busy(
    args: list[str],
) -> tuple[float, set[int], set[int], bytes, int]:
    """Start ``args``; SIGINT it once two Tesseract programs read at once.

    Returns:
        Seconds from the signal to the exit, the Tesseract pids running at the
        signal, those started after it, standard error and the exit status.
    """
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    before: set[int] = set()
    running: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            before |= running
            running = _reads(proc.pid)
            if len(running) >= 2:
                break
            time.sleep(0.02)
        else:
            pytest.fail("two Tesseract programs never ran at once")
        before |= running  # (earlier ones: the engine's probes, finished)
        proc.send_signal(signal.SIGINT)
        start = time.monotonic()
        after: set[int] = set()
        while proc.poll() is None and time.monotonic() - start < 60:
            now = _reads(proc.pid)
            after |= now - before
            time.sleep(0.02)
        stopped = time.monotonic() - start
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return stopped, running, after, err, proc.returncode


def _reap_wait(pids: set[int]) -> list[int]:
    """The pids still alive after a short grace (a kill takes a moment)."""
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline and any(map(alive, pids)):
        time.sleep(0.05)
    left = [p for p in pids if alive(p)]
    for pid in left:  # leave the machine clean whatever the outcome
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return left


def test_ctrl_c_in_read_many_on_threads_kills_its_programs(slow_page: Path) -> None:
    stopped, running, after, err, status = _interrupt_when_busy(
        [sys.executable, "-c", _READ_MANY, str(slow_page)]
    )
    assert b"KeyboardInterrupt" in err and status != 0
    assert _reap_wait(running | after) == []  # none left running as an orphan
    assert after == set()  # no queued image was started after Ctrl-C
    assert stopped < 5  # one read takes longer than this


def test_ctrl_c_in_unocr_read_on_threads_kills_its_programs(
    slow_page: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    stopped, running, after, err, status = _interrupt_when_busy(
        [
            sys.executable,
            "-c",
            _CLI,
            "read",
            *([str(slow_page)] * 6),
            "-w",
            "2",
            "-o",
            f"{out}/",
            "-f",
            "json",
        ]
    )
    assert status == 130, err
    assert b"Traceback" not in err
    assert _reap_wait(running | after) == []
    assert after == set()
    assert stopped < 5

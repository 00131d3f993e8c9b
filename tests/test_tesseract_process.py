"""The process runner under the Tesseract backend: time-outs leave nothing behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from unocr.backends.tesseract import process
from unocr.errors import ProcessCancelled, ProcessTimeout

from .processes import group_members

pytestmark = pytest.mark.skipif(
    not Path("/proc").is_dir() or shutil.which("sh") is None,
    reason="needs /proc and sh (Linux)",
)


def test_run_collects_output_and_status() -> None:
    result = process.run(["sh", "-c", "cat; echo err >&2; exit 3"], stdin=b"hello")
    assert result.returncode == 3
    assert result.stdout == b"hello"
    assert result.stderr == b"err\n"
    assert not Path(f"/proc/{result.pid}").exists()


def test_timeout_kills_the_whole_group_and_reaps() -> None:
    start = time.monotonic()
    with pytest.raises(ProcessTimeout) as info:
        # The shell starts a grandchild; both must die with the group.
        process.run(["sh", "-c", "sleep 30 & sleep 30"], timeout=0.3)
    assert time.monotonic() - start < 5
    pid = info.value.pid
    assert info.value.timeout == pytest.approx(0.3)
    assert not Path(f"/proc/{pid}").exists()  # reaped: no zombie
    deadline = time.monotonic() + 2
    while group_members(pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # SIGKILL delivery to the orphaned grandchild
    assert group_members(pid) == []


def test_child_environment_does_not_touch_os_environ() -> None:
    before = dict(os.environ)
    env = process.child_environment({"OMP_THREAD_LIMIT": "1", "UNOCR_X": "y"})
    result = process.run(
        ["sh", "-c", 'printf "%s %s" "$OMP_THREAD_LIMIT" "$UNOCR_X"'], env=env
    )
    assert result.stdout == b"1 y"
    assert dict(os.environ) == before


def test_missing_program_raises_file_not_found() -> None:
    with pytest.raises(FileNotFoundError):
        process.run(["/nonexistent/program"])


_INTERRUPTED = """
import os, signal, sys, threading, time
from pathlib import Path
from unocr.backends.tesseract import process

signal.signal(signal.SIGINT, signal.default_int_handler)
threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
start = time.monotonic()
try:
    process.run(["sh", "-c", "exec sleep 30"], timeout=20)
except KeyboardInterrupt:
    pass
else:
    sys.exit("no KeyboardInterrupt")
left = []
for entry in Path("/proc").iterdir():
    try:
        stat = (entry / "stat").read_text() if entry.name.isdigit() else ""
    except OSError:
        continue
    if stat and stat[stat.index("(") + 1 : stat.rindex(")")] == "sleep":
        if int(stat[stat.rindex(")") + 2 :].split()[1]) == os.getpid():
            left.append(entry.name)
print(round(time.monotonic() - start, 3), len(left))
"""


def test_interrupt_kills_and_reaps_the_child() -> None:
    """Ctrl-C while the engine runs: the child is killed and reaped, then it propagates.

    Runs in a fresh interpreter, whose SIGINT handling no earlier test or
    library has touched.
    """
    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(Path(process.__file__).parents[3])},
    )
    assert done.returncode == 0, done.stderr
    seconds, left = done.stdout.split()
    assert float(seconds) < 10
    assert left == "0"


def _parent_and_comm(entry: Path) -> tuple[int, str] | None:
    try:
        stat = (entry / "stat").read_text()
    except OSError:
        return None
    comm = stat[stat.index("(") + 1 : stat.rindex(")")]
    return int(stat[stat.rindex(")") + 2 :].split()[1]), comm


def test_a_cancellation_as_the_program_starts_is_waited_for(monkeypatch) -> None:
    """The canceller (the event loop) is told work is stopping, so it waits.

    A cancellation that came after the program started and before the kill
    was registered found no listener: ``token.cancel()`` returned ``False``,
    the cancelled task ended at once, and the program still ran (CI caught
    a Tesseract process alive after a cancelled ``aread``). The race is made
    certain here: the cancel is sent from another thread just as the program
    has started.
    """
    import threading

    from unocr.backends.deadline import Cancellation

    token = Cancellation()
    told: list[bool] = []
    canceller = threading.Thread(target=lambda: told.append(token.cancel()))
    real = subprocess.Popen

    def popen(*args, **kwargs):  # type: ignore[no-untyped-def]
        proc = real(*args, **kwargs)
        canceller.start()
        canceller.join(0.3)  # waits on the runner's lock now; it ran at once before
        return proc

    monkeypatch.setattr(process.subprocess, "Popen", popen)
    with pytest.raises(ProcessCancelled) as info:
        process.run(["sleep", "30"], cancel=token)
    canceller.join(5)
    assert told == [True]  # a listener: the canceller waits for the kill
    assert not Path(f"/proc/{info.value.pid}").exists()  # killed and reaped

"""Processes of this test run, read from ``/proc`` (Linux)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

# Defines cap_memory(extra_mb) in a child: its address space is capped that
# far above what it uses when called (after its imports).
_CAP_MEMORY = textwrap.dedent(
    """
    def cap_memory(extra_mb):
        import resource
        with open("/proc/self/status") as status:
            size = next(int(l.split()[1]) for l in status if l.startswith("VmSize:"))
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        resource.setrlimit(resource.RLIMIT_AS, (size * 1024 + extra_mb * 2**20, hard))
    """
)


def run_python(
    code: str, *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run Python ``code`` in a child, ``args`` as its ``sys.argv[1:]``.

    ``code`` may call ``cap_memory(extra_mb)`` once its imports are done, to
    cap its address space (Linux: needs ``/proc/self/status``).

    Returns:
        The finished child, its output as text.
    """
    return subprocess.run(
        [sys.executable, "-c", _CAP_MEMORY + textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _stats() -> Iterator[tuple[int, str, list[str]]]:
    """(pid, command, the stat fields after the command) of every process."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_line = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat_line[stat_line.index("(") + 1 : stat_line.rindex(")")]
        yield int(entry.name), comm, stat_line[stat_line.rindex(")") + 2 :].split()


def children(pid: int) -> list[tuple[int, str, str]]:
    """(pid, command, state) of every live process whose parent is ``pid``."""
    return [
        (p, comm, fields[0]) for p, comm, fields in _stats() if int(fields[1]) == pid
    ]


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group."""
    return [
        p for p, _, fields in _stats() if int(fields[2]) == pgid and fields[0] != "Z"
    ]


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie awaiting its reaper does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def gone(pids: Iterable[int], seconds: float) -> bool:
    """Whether every process of ``pids`` has ended within ``seconds``."""
    pids = list(pids)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return not any(alive(p) for p in pids)

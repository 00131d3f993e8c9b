"""Processes of this test run, read from ``/proc`` (Linux)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path


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

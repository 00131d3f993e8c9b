"""Processes of this test run, read from ``/proc`` (Linux)."""

from __future__ import annotations

from pathlib import Path


def children(pid: int) -> list[tuple[int, str, str]]:
    """(pid, command, state) of every live process whose parent is ``pid``."""
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat_line = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat_line[stat_line.index("(") + 1 : stat_line.rindex(")")]
        state, ppid = stat_line[stat_line.rindex(")") + 2 :].split()[:2]
        if int(ppid) == pid:
            out.append((int(entry.name), comm, state))
    return out

"""``make fuzz``'s runner: it counts results, and catches hangs and crashes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fuzz.py"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_counts_table_for_a_real_target():
    out = run("--count", "30", "--targets", "geometry")
    assert out.returncode == 0, out.stdout + out.stderr
    row = next(
        line for line in out.stdout.splitlines() if line.startswith("| geometry")
    )
    cells = [c.strip().replace(",", "") for c in row.strip("|").split("|")]
    tried, result, typed, untyped, nonfinite, hang, crash = map(int, cells[1:8])
    assert tried == 30 == result + typed
    assert (untyped, nonfinite, hang, crash) == (0, 0, 0, 0)


def test_hangs_and_crashes_are_counted_and_fail_the_run():
    out = run("--count", "2", "--timeout", "2", "--targets", "self-hang,self-crash")
    assert out.returncode == 1
    rows = {
        line.split("|")[1].strip(): line
        for line in out.stdout.splitlines()
        if line.startswith("| self")
    }
    hang = [c.strip() for c in rows["self-hang"].strip("|").split("|")]
    crash = [c.strip() for c in rows["self-crash"].strip("|").split("|")]
    assert hang[1] == "2" and hang[6] == "2"  # tried, hang
    assert crash[1] == "2" and crash[7] == "2"  # tried, crash
    assert "self-crash 0: crash" in out.stdout

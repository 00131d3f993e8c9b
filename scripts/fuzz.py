"""Long fuzzing run: every target of tests/fuzz_targets.py, counted in a table.

    python scripts/fuzz.py [--count 10000] [--timeout 10] [--targets images,json]
    python scripts/fuzz.py --start 10000    # inputs 10000..19999: new ones
    python scripts/fuzz.py --replay geometry 1234    # rerun one input, with traceback

Input ``n`` of a target is built from ``random.Random(n)``, so every finding is
reproducible from its target and number. Inputs run in a worker process (one
per target, restarted after a hang or a crash) whose address space is capped
at 4 GiB, so a memory bomb fails there instead of taking the machine. The
parent waits ``--timeout`` seconds per input (a worker's start-up is not
counted); longer counts as a hang. A
worker killed by a signal (a segfault) counts as a crash.

Prints a Markdown table: tried, result, typed error, untyped exception (any
other exception, or an escaped warning), NaN/inf result (geometry), hang,
crash; then the first inputs of each kind that is not a result or a typed
error. Exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import os
import random
import select
import subprocess
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

MEMORY_CAP = 4 << 30  # bytes of address space per worker
STARTUP_TIMEOUT = 300.0  # seconds for a worker's imports (not counted as a hang)
COLUMNS = ("tried", "ok", "typed", "untyped", "nonfinite", "hang", "crash")
HEADINGS = (
    "tried",
    "result",
    "typed error",
    "untyped exception",
    "NaN/inf result",
    "hang",
    "crash",
)


def worker(name: str) -> None:
    """Read input numbers on stdin; answer ``n outcome`` on stdout."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no core
    except (ImportError, ValueError, OSError):  # pragma: no cover - not Linux
        pass
    from fuzz_targets import SELF_TEST_TARGETS, TARGETS, outcome

    target = {**TARGETS, **SELF_TEST_TARGETS}[name]
    sys.stdout.write("ready\n")  # imports done: inputs are timed from here
    sys.stdout.flush()
    for line in sys.stdin:
        n = int(line)
        try:
            result = outcome(target(random.Random(n)))
        except Exception as exc:
            result = f"untyped:{type(exc).__name__}"
        sys.stdout.write(f"{n} {result}\n")
        sys.stdout.flush()


def _start(name: str) -> subprocess.Popen[str]:
    """Start a worker and wait until it has imported everything."""
    proc = subprocess.Popen(
        [sys.executable, __file__, "--worker", name],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,  # libtiff prints its complaints there
        text=True,
        bufsize=1,
    )
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], STARTUP_TIMEOUT)
    if not ready or proc.stdout.readline().strip() != "ready":
        proc.kill()
        raise SystemExit(f"the {name} worker did not start")
    return proc


def run_target(
    name: str, count: int, timeout: float, start: int = 0
) -> tuple[Counter[str], list[tuple[int, str]]]:
    """Run inputs ``start`` to ``start + count - 1`` of one target: counts, findings."""
    counts: Counter[str] = Counter()
    findings: list[tuple[int, str]] = []
    proc = _start(name)
    n = start
    while n < start + count:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(f"{n}\n")
        proc.stdin.flush()
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        line = proc.stdout.readline() if ready else ""
        counts["tried"] += 1
        if line:
            result = line.split(" ", 1)[1].strip()
            kind = result.split(":", 1)[0]
            counts[kind] += 1
            if kind not in ("ok", "typed"):
                findings.append((n, result))
        else:
            if not ready:
                counts["hang"] += 1
                findings.append((n, f"hang > {timeout:g} s"))
                proc.kill()
            proc.wait()
            if ready:
                counts["crash"] += 1
                findings.append((n, f"crash (exit {proc.returncode})"))
            proc = _start(name)
        n += 1
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait()
    return counts, findings


def replay(name: str, n: int) -> None:
    """Run one input in this process and show what it raises."""
    import warnings

    from fuzz_targets import TARGETS

    thunk = TARGETS[name](random.Random(n))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            print(repr(thunk())[:2000])
        except Exception:
            traceback.print_exc()


def main(argv: list[str] | None = None) -> int:
    """Run the targets (or one worker, or one replay); 1 if anything was found."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000, help="inputs per target")
    parser.add_argument("--start", type=int, default=0, help="first input number")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per input")
    parser.add_argument("--targets", default="images,formats,json,gcv-json,geometry")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--replay", nargs=2, metavar=("TARGET", "N"))
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    if args.replay:
        replay(args.replay[0], int(args.replay[1]))
        return 0
    names = [t for t in args.targets.split(",") if t]
    print("| target | " + " | ".join(HEADINGS) + " | seconds |")
    print("|---|" + "---|" * (len(HEADINGS) + 1))
    all_findings: list[tuple[str, int, str]] = []
    for name in names:
        start = time.perf_counter()
        counts, findings = run_target(name, args.count, args.timeout, args.start)
        seconds = time.perf_counter() - start
        cells = " | ".join(f"{counts[c]:,}" for c in COLUMNS)
        print(f"| {name} | {cells} | {seconds:.0f} |", flush=True)
        all_findings.extend((name, n, what) for n, what in findings)
    if all_findings:
        print("\nFirst findings (replay: python scripts/fuzz.py --replay TARGET N):")
        shown: Counter[tuple[str, str]] = Counter()
        for name, n, what in all_findings:
            key = (name, what)
            shown[key] += 1
            if shown[key] <= 3:
                print(f"  {name} {n}: {what}")
    return 1 if all_findings else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())

"""Cost of running an engine in a worker process, side by side with in process.

One command, from the repository root:

    .venv/bin/python bench/isolation.py [--repeat 5] [IMAGE ...]

Two figures, each measured in one run against its reference:

1. **Transfer**: the median wall-clock milliseconds to send a decoded
   2000x3000 RGB image to a worker and get its answer
   (``IsolatedBackend.transfer``: pixels copied once into the worker's
   shared memory, message over the pipe, the worker building its image on the
   mapped pages, reply), next to a plain in-process copy of the same 18 MB
   (the machine's memory speed, for scale) and their ratio, and the CPU time
   both processes spent on it (less disturbed by other load).
2. **Per-page overhead**: RapidOCR's median seconds per ``read()`` in process
   and isolated (``isolate=True``), the two interleaved image by image and
   round by round so that other load on the machine hits both alike, and
   their ratio (isolated / in process), per image and over all images; then
   the same in CPU seconds (the calling process plus the worker, Linux
   ``/proc``), which other load on the machine disturbs much less.

Images default to the project's own fixtures (a scanned page and a receipt);
pass others to measure them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

import unocr
from unocr.image import load_image

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
DEFAULT_IMAGES = [
    FIXTURES / "dl" / "phototest.tif",
    FIXTURES / "dl" / "X51008123586.jpg",
]


def transfer(repeat: int) -> None:
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (2000, 3000, 3), dtype=np.uint8)
    image = load_image(pixels)
    raw = image.image.tobytes()
    target = bytearray(len(raw))
    copies, sends, cpus = [], [], []
    # Any engine hosts the worker: the transfer does not call it.
    with unocr.get_backend("tesseract", isolate=True) as iso:
        (reply,) = iso.transfer([image], digest=True)
        import hashlib

        assert reply["digest"] == hashlib.sha256(raw).hexdigest()
        for _ in range(repeat * 4):
            start = time.perf_counter()
            target[:] = raw
            copies.append(time.perf_counter() - start)
            pids = [os.getpid(), *iso.pids]
            start, start_cpu = time.perf_counter(), _cpu_seconds(pids)
            iso.transfer([image])
            sends.append(time.perf_counter() - start)
            cpus.append(_cpu_seconds(pids) - start_cpu)
    print("transfer of a 2000x3000 RGB image (18 MB), median of", len(sends))
    print(f"  to a worker and back: {statistics.median(sends) * 1e3:7.1f} ms")
    print(f"  in-process copy:      {statistics.median(copies) * 1e3:7.1f} ms")
    ratio = statistics.median(sends) / statistics.median(copies)
    print(f"  ratio (worker / copy): {ratio:6.2f}")
    print(
        f"  CPU of both processes: {statistics.mean(cpus) * 1e3:6.1f} ms "
        "(mean; /proc counts in clock ticks)"
    )


def _cpu_seconds(pids: list[int]) -> float:
    """CPU seconds (user + system, all threads) used so far by processes."""
    total = 0.0
    for pid in pids:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def per_page(images: list[Path], repeat: int) -> None:
    local = unocr.get_backend("rapidocr", isolate=False)
    iso = unocr.get_backend("rapidocr", isolate=True)
    wall: dict[tuple[str, Path], list[float]] = {}
    cpu: dict[tuple[str, Path], list[float]] = {}
    me = os.getpid()
    with local, iso:
        for path in images:  # warm-up: first calls allocate buffers
            local.read(path)
            iso.read(path)
        for _ in range(repeat):
            for path in images:
                for name, engine in (("local", local), ("isolated", iso)):
                    pids = [me, *iso.pids]
                    start, start_cpu = time.perf_counter(), _cpu_seconds(pids)
                    engine.read(path)
                    wall.setdefault((name, path), []).append(
                        time.perf_counter() - start
                    )
                    cpu.setdefault((name, path), []).append(
                        _cpu_seconds(pids) - start_cpu
                    )
    for title, table in (("wall-clock", wall), ("CPU (parent + worker)", cpu)):
        print(
            f"RapidOCR read(), median {title} seconds over {repeat} interleaved rounds"
        )
        print(f"  {'image':28} {'in process':>10} {'isolated':>10} {'ratio':>7}")
        total_local = total_iso = 0.0
        for path in images:
            a = statistics.median(table[("local", path)])
            b = statistics.median(table[("isolated", path)])
            total_local += a
            total_iso += b
            print(f"  {path.name:28} {a:10.3f} {b:10.3f} {b / a:7.3f}")
        print(
            f"  {'all images':28} {total_local:10.3f} {total_iso:10.3f} "
            f"{total_iso / total_local:7.3f}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("images", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--part", choices=("all", "transfer", "pages"), default="all")
    args = parser.parse_args(argv)
    if args.part in ("all", "transfer"):
        transfer(args.repeat)
    if args.part in ("all", "pages"):
        per_page(args.images or DEFAULT_IMAGES, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
